"""Throughput of the batched numpy toy model against the authors' PyTorch code, in run-steps/s.

Ours: one :func:`train_toy` call on a batch of ``--runs`` runs (default 64) x
``--steps`` steps (default 2000) at the spec's defaults (float32, one thread per
core), timed wall-clock around the whole call (set-up and the final Acc_hat
included).  Theirs (``--reference PATH --reference-python PYTHON``): the
authors' ``toy/train_add.py`` (grokking-squared) at its defaults, which are the
same model, data and optimisers, run as one process per core, each with
``torch.set_num_threads(1)``, each training ``--reference-runs`` run(s) of the
same step count after an untimed warm-up run (torch's first call costs seconds);
their rate is the sum over processes of run-steps / seconds.  Their script is
imported from PATH and its ``train_add(steps=..., eff_steps=0, log_freq=...)``
called with its printing sent to a buffer: no patch is needed, and their code
is never copied here.  The two are measured back to back, ``--repeat`` times;
the median ratio and its range are the result (the machine may be shared: the
load average is printed with each repetition).

Without ``--reference`` the reference figure quoted in issue 11 is printed as
such (``~780`` run-steps/s on 2 cores, i.e. 5,300 / 6.8).

Also printed: the multiply-add work of one run-step and the rate at which this
machine runs the trainer's three 200 x 200 products alone (same shapes, layout
and threads), which bounds the trainer from above.

Run: ``python benchmarks/effective_toy_throughput.py [--runs 64 --steps 2000]
[--repeat 3] [--reference /tmp/reference/train_add.py --reference-python
/work/torchvenv/bin/python]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from validation._threads import single_threaded_blas
from validation.effective import ToyConfig, make_batch, train_toy

#: Issue 11: "today it is ~6.8x (~5,300 run-steps/s on 2 cores)" -> their rate.
REFERENCE_QUOTED = 5_300 / 6.8
TARGET_RATIO = 10.0

_DRIVER = r"""
import contextlib, importlib.util, io, json, sys, time
import torch
torch.set_num_threads(1)
path, steps, runs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("reference_train_add", path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
with contextlib.redirect_stdout(io.StringIO()):
    mod.train_add(steps=20, eff_steps=0, log_freq=10**9, seed=seed)       # warm-up, untimed
    t = time.perf_counter()
    for r in range(runs):
        mod.train_add(steps=steps, eff_steps=0, log_freq=10**9, seed=seed + r)
    dt = time.perf_counter() - t
print(json.dumps({"run_steps": steps * runs, "seconds": dt}))
"""


def ours(runs: int, steps: int) -> float:
    """Run-steps/s of one train_toy call, wall-clock."""
    batch = make_batch(range(runs))
    t = time.perf_counter()
    train_toy(ToyConfig(steps=steps), batch)
    return runs * steps / (time.perf_counter() - t)


def theirs(path: str, python: str, steps: int, runs_per_process: int, processes: int) -> float:
    """Run-steps/s of the authors' script, one process per core, summed over processes."""
    procs = [subprocess.Popen([python, "-c", _DRIVER, path, str(steps), str(runs_per_process),
                               str(1000 * k)], stdout=subprocess.PIPE, text=True)
             for k in range(processes)]
    rates = []
    for pr in procs:
        stdout, _ = pr.communicate()
        if pr.returncode != 0:
            raise RuntimeError(f"the reference run failed (exit {pr.returncode})")
        res = json.loads(stdout.strip().splitlines()[-1])
        rates.append(res["run_steps"] / res["seconds"])
    return float(sum(rates))


def gemm_bound(chunk: int = 16, n_train: int = 45, n_samples: int = 55, width: int = 200,
               threads: int | None = None) -> float:
    """Run-steps/s of the three width x width products of a step alone, in the trainer's layout.

    Layout as in :mod:`validation.effective.toy`: weights stored (out, in),
    activations feature-major: ``V @ H1`` (forward, all samples), ``V.T @ dZ2``
    and ``dZ2 @ H1.T`` (backward, training samples).  One chunk per thread,
    BLAS single-threaded.
    """
    threads = threads or os.cpu_count() or 1
    rng = np.random.default_rng(0)
    w = width
    data = []
    for _ in range(threads):
        v = rng.standard_normal((chunk, w, w)).astype(np.float32)
        h = rng.standard_normal((chunk, w, n_samples)).astype(np.float32)
        dz = rng.standard_normal((chunk, w, n_train)).astype(np.float32)
        data.append((v, h, dz))

    def work(args, reps):
        v, h, dz = args
        for _ in range(reps):
            v @ h
            v.transpose(0, 2, 1) @ dz
            dz @ h[:, :, :n_train].transpose(0, 2, 1)

    with single_threaded_blas(), ThreadPoolExecutor(threads) as ex:
        list(ex.map(lambda a: work(a, 2), data))
        t = time.perf_counter()
        list(ex.map(lambda a: work(a, 20), data))
        dt = time.perf_counter() - t
    return threads * chunk * 20 / dt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", metavar="PATH",
                        help="the authors' toy/train_add.py (never part of this repository)")
    parser.add_argument("--reference-python", metavar="PYTHON", default=sys.executable,
                        help="an interpreter with torch for the reference")
    parser.add_argument("--reference-runs", type=int, default=1,
                        help="runs per reference process (default 1)")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    macs = (55 + 2 * 45) * 200 * 200
    print(f"{args.runs} runs x {args.steps} steps, defaults (p=10, |D|=45, width 200, "
          f"float32), {cores} cores; {macs / 1e6:.1f} M multiply-adds per run-step in the "
          f"200x200 products")
    ours(min(args.runs, 4), 20)                                  # warm-up (JIT, caches)
    rows = []
    for rep in range(args.repeat):
        load = os.getloadavg()[0]
        a = ours(args.runs, args.steps)
        if args.reference:
            b = theirs(args.reference, args.reference_python, args.steps, args.reference_runs,
                       cores)
            label = "measured"
        else:
            b, label = REFERENCE_QUOTED, "quoted (issue 11)"
        rows.append((a, b, a / b))
        print(f"  rep {rep + 1}: ours {a:8.0f} | reference {b:6.0f} ({label}) | ratio "
              f"{a / b:5.2f}x | load average before {load:.1f}, after {os.getloadavg()[0]:.1f}",
              flush=True)
    ratios = [r[2] for r in rows]
    print(f"ours median {statistics.median(r[0] for r in rows):.0f} run-steps/s, reference "
          f"median {statistics.median(r[1] for r in rows):.0f}; ratio median "
          f"{statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f}, "
          f"{len(rows)} repetitions; target {TARGET_RATIO:.0f}x)")
    bound = gemm_bound()
    print(f"the three 200x200 products alone, same shapes and threads: {bound:.0f} run-steps/s "
          f"({2 * (55 + 2 * 45) * 200 * 200 * bound / 1e9:.0f} GFLOP/s); ours reaches "
          f"{statistics.median(r[0] for r in rows) / bound:.0%} of it")


if __name__ == "__main__":
    main()
