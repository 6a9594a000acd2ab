"""Throughput of the batched numpy toy model, in run-steps per second.

Prints, for float32 and float64: a single run, a batch of 128 runs, and their
ratio, plus the ratio to the issue's target (12,500 run-steps/s for 128 runs on
2 cores) and to the reference PyTorch figure quoted there (~1,250).  Also
prints the floating-point work per run-step so the numbers can be compared to
the machine's matrix-multiply peak, measured here on the same shapes.

Run: ``python benchmarks/effective_toy_throughput.py [--steps 300]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from validation.effective import ToyConfig, make_batch, train_toy

TARGET = 12_500
REFERENCE_TORCH = 1_250


def _throughput(dtype: str, runs: int, steps: int) -> float:
    cfg = ToyConfig(steps=steps, dtype=dtype, record_every=steps)
    train_toy(ToyConfig(steps=5, dtype=dtype), make_batch(range(min(runs, 4))))   # warm-up
    res = train_toy(cfg, make_batch(range(runs)))
    return res.timing["run_steps_per_s"]


def _gemm_peak(dtype) -> float:
    """GFLOP/s of the three 200x200 products of one step, 128 runs, all cores."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((128 * 55, 200)).astype(dtype)
    w = rng.standard_normal((200, 200)).astype(dtype)
    a @ w
    t = time.perf_counter()
    for _ in range(20):
        a @ w
    return 20 * 2 * a.shape[0] * 200 * 200 / (time.perf_counter() - t) / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    flops = 2 * (55 + 2 * 45) * 200 * 200        # forward on 55 samples, two backward products
    print(f"work per run-step (defaults p=10, |D|=45, width 200): {flops / 1e6:.1f} MFLOP "
          f"in the 200x200 products")
    for dtype in ("float32", "float64"):
        single = _throughput(dtype, 1, args.steps)
        batched = _throughput(dtype, 128, args.steps)
        peak = _gemm_peak(np.float32 if dtype == "float32" else np.float64)
        print(f"{dtype}: single run {single:8.0f} run-steps/s | batch of 128 {batched:8.0f} "
              f"run-steps/s | batch/single {batched / single:5.2f}x | "
              f"vs target {batched / TARGET:4.2f}x | vs reference torch "
              f"{batched / REFERENCE_TORCH:4.1f}x | large-GEMM peak {peak:5.0f} GFLOP/s "
              f"-> bound {peak * 1e9 / flops:8.0f} run-steps/s")


if __name__ == "__main__":
    main()
