"""Throughput of the batched numpy toy model against the authors' PyTorch code, in run-steps/s.

Ours: one :func:`train_toy` call on a batch of ``--runs`` runs (default 64) x
``--steps`` steps (default 2000) at the spec's defaults (float32, one thread per
core), timed wall-clock around the whole call (set-up and the final Acc_hat
included).  Theirs (``--reference PATH --reference-python PYTHON``): the
authors' ``toy/train_add.py`` (grokking-squared) at its defaults, which are the
same model, data and optimisers (their step also runs a second forward pass on
the training set for the accuracy, as their code does), run as one process per
core, each with
``torch.set_num_threads(1)``, each training ``--reference-runs`` run(s) of the
same step count after an untimed warm-up run (torch's first call costs seconds);
their rate is the sum over processes of run-steps / seconds.  Their script is
imported from PATH and its ``train_add(steps=..., eff_steps=0, log_freq=...)``
called with its printing sent to a buffer: no patch is needed, and their code
is never copied here.  The two are measured back to back, ``--repeat`` times;
the median ratio and its range are the result (the machine may be shared: the
load average is printed with each repetition).  Both are also given per
CPU-second (times the number of cores): on a loaded machine the wall-clock
rates depend on the share of the cores each side gets, the CPU-time rates much
less.

Without ``--reference`` the reference figure quoted in issue 11 is printed as
such (``~780`` run-steps/s on 2 cores, i.e. 5,300 / 6.8).

Also printed: the multiply-add work of one run-step and the rate at which this
machine runs the trainer's three 200 x 200 products alone (same shapes, layout
and threads, per CPU-second), which bounds the trainer from above.

Measured (2026-12-01, the shared 2-core development machine, load average
12-21 from other jobs throughout, 64 runs x 2000 steps): this trainer
~820-1,020 run-steps/s wall-clock (5,300-6,300 per CPU-second x 2); the
authors' code 71-120 (386-682); ratio 6.9-12.5x wall-clock over 7 repetitions
(median 10.2x of a 5-repetition run), 8.9-13.4x per CPU-second.  The trainer
before the fused kernels (commit 3d67e83), measured the same way: 486 (3,239),
ratio 8.0x / 8.4x.  The reference's own rate varies by +-30% between
repetitions; the spread of the ratio is mostly that.

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
    t, c = time.perf_counter(), time.process_time()
    for r in range(runs):
        mod.train_add(steps=steps, eff_steps=0, log_freq=10**9, seed=seed + r)
    dt, dc = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"run_steps": steps * runs, "seconds": dt, "cpu_seconds": dc}))
"""


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def ours(runs: int, steps: int, cores: int) -> tuple:
    """Run-steps/s of one train_toy call: wall-clock, and per CPU-second times ``cores``."""
    batch = make_batch(range(runs))
    t, c = time.perf_counter(), _cpu_seconds()
    train_toy(ToyConfig(steps=steps), batch)
    work = runs * steps
    return work / (time.perf_counter() - t), cores * work / (_cpu_seconds() - c)


def theirs(path: str, python: str, steps: int, runs_per_process: int, processes: int) -> tuple:
    """Run-steps/s of the authors' script, one process per core, summed over processes.

    Wall-clock, and per CPU-second times the number of processes.
    """
    procs = [subprocess.Popen([python, "-c", _DRIVER, path, str(steps), str(runs_per_process),
                               str(1000 * k)], stdout=subprocess.PIPE, text=True)
             for k in range(processes)]
    wall = cpu = 0.0
    for pr in procs:
        stdout, _ = pr.communicate()
        if pr.returncode != 0:
            raise RuntimeError(f"the reference run failed (exit {pr.returncode})")
        res = json.loads(stdout.strip().splitlines()[-1])
        wall += res["run_steps"] / res["seconds"]
        cpu += res["run_steps"] / res["cpu_seconds"]
    return wall, cpu


def gemm_bound(chunk: int = 4, n_train: int = 45, n_samples: int = 55, width: int = 200,
               threads: int | None = None) -> float:
    """Run-steps per CPU-second (summed over threads) of a step's three width x width products.

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
        c = time.thread_time()
        for _ in range(reps):
            v @ h
            v.transpose(0, 2, 1) @ dz
            dz @ h[:, :, :n_train].transpose(0, 2, 1)
        return time.thread_time() - c

    with single_threaded_blas(), ThreadPoolExecutor(threads) as ex:
        list(ex.map(lambda a: work(a, 2), data))
        cpu = list(ex.map(lambda a: work(a, 30), data))
    return sum(chunk * 30 / c for c in cpu)


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
    ours(min(args.runs, 4), 20, cores)                          # warm-up (JIT, caches)
    rows = []
    for rep in range(args.repeat):
        load = os.getloadavg()[0]
        a, a_cpu = ours(args.runs, args.steps, cores)
        if args.reference:
            b, b_cpu = theirs(args.reference, args.reference_python, args.steps,
                              args.reference_runs, cores)
            label = "measured"
        else:
            b, b_cpu, label = REFERENCE_QUOTED, float("nan"), "quoted (issue 11)"
        rows.append((a, b, a / b, a_cpu, b_cpu, a_cpu / b_cpu))
        cpu = (f"reference {b_cpu:5.0f} | ratio {a_cpu / b_cpu:5.2f}x" if args.reference
               else "reference not measured")
        print(f"  rep {rep + 1}: ours {a:6.0f} | reference {b:5.0f} ({label}) | ratio "
              f"{a / b:5.2f}x || per CPU-second x {cores}: ours {a_cpu:6.0f} | {cpu} || "
              f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
    med = [statistics.median(r[i] for r in rows) for i in range(6)]
    for name, i in (("wall-clock", 2), ("CPU-time", 5))[:2 if args.reference else 1]:
        ratios = [r[i] for r in rows]
        print(f"{name}: ours median {med[i - 2]:.0f} run-steps/s, reference median "
              f"{med[i - 1]:.0f}; ratio median {med[i]:.2f}x (range {min(ratios):.2f}-"
              f"{max(ratios):.2f}, {len(rows)} repetitions; target {TARGET_RATIO:.0f}x)")
    bound = gemm_bound()
    print(f"the three 200x200 products alone, same shapes and threads: {bound:.0f} run-steps "
          f"per CPU-second x {cores} ({2 * macs * bound / 1e9:.0f} GFLOP/s); ours reaches "
          f"{med[3] / bound:.0%} of it (CPU time)")


if __name__ == "__main__":
    main()
