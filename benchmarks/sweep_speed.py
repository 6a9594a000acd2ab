"""Local executors of the sweep engine on the batched toy model: threads vs processes.

Runs the same toy phase-diagram grid (no run is decided early: every run costs
the full ``--steps``) with ``executor="serial"``, ``"threads"`` and
``"processes"`` (2 workers each, BLAS held to one thread per chunk) and prints
wall times, run-steps/s and the ratios, measured in one run of this script
(``--repeat`` alternates the executors to average out a shared machine's load).
The faster of threads and processes is the engine's local default.

Run: ``python benchmarks/sweep_speed.py [--steps 300] [--cells 16] [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import time

from validation.effective.phase_diagram import toy_phase_diagram


def _wall(executor: str, steps: int, cells: int) -> float:
    t = time.perf_counter()
    toy_phase_diagram(f"decoder-lr=1e-2:2e-2:{cells}", "decoder-wd=0", steps=steps,
                      seeds=(0,), executor=executor, max_workers=2, chunk_size=4,
                      progress=False)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--cells", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    _wall("serial", 5, 2)                                   # imports, warm-up
    walls = {"serial": [], "threads": [], "processes": []}
    for _ in range(args.repeat):
        for ex in walls:
            walls[ex].append(_wall(ex, args.steps, args.cells))
    work = args.steps * args.cells
    for ex, w in walls.items():
        best = min(w)
        print(f"{ex:9s}  wall {best:7.2f} s  {work / best:8.0f} run-steps/s  (runs: "
              + ", ".join(f"{v:.2f}" for v in w) + ")")
    t, p, s = (min(walls[k]) for k in ("threads", "processes", "serial"))
    print(f"threads / processes wall ratio: {t / p:.2f}  (< 1: threads faster)")
    print(f"serial / threads speed-up: {s / t:.2f}")


if __name__ == "__main__":
    main()
