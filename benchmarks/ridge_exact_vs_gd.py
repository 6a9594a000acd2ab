"""Benchmark: exact closed-form t1/t2 vs an explicit GD loop, per seed, idle and loaded.

What is timed (paper defaults n=100, m=1000, nu2=1, lam=1e-4, eta=1, eps=c=0.01):

* ``gd``: the cheapest honest GD loop (stops at the first step with L <= c,
  both losses every step from one matrix-vector product pair), per seed;
* ``per_seed``: the CLI's ``ridge times`` loop as it was -- per seed
  ``sample_problem`` then ``grokking_times`` on default (multi-threaded) BLAS;
* ``cli_after``: :func:`theory.ridge.times_for_seeds` (batched sampling,
  one batched eigh on single-threaded BLAS, batched certified search) plus the
  per-run dicts the CLI prints;
* ``cli``: ``grokking ridge times --seeds N`` itself, in this process
  (``grokking_cli.main`` with stdout captured: argument parsing, the run,
  the config and the JSON text; interpreter start-up is measured separately
  by ``benchmarks/run_all.py``);
* ``search``: the certified search alone on decomposed problems (what one more
  (lam, eta, eps, c) query on the same data costs);
* ``sample``: drawing the problems alone (the floor of any exact path: 10^5
  Gaussian features per seed).

Every ratio is GD time per seed over exact time per seed, both measured in the
same run under the same load.  ``--load`` starts a second process that keeps
both cores busy (a 2-thread BLAS matmul loop) for the loaded measurement and
stops it afterwards.  Run:  python benchmarks/ridge_exact_vs_gd.py [--load both]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

from theory.ridge import grokking_times, sample_problem, sample_problems, times_for_seeds
from theory.ridge._expsum import first_at_or_below_many, last_at_or_above_many
from theory.ridge.dynamics import compute_spectra, dynamics

LAM, ETA, EPS, C = 1e-4, 1.0, 0.01, 0.01

_BURNER = """
import os, numpy as np
a = np.random.default_rng(0).standard_normal((1500, 1500))
while True:
    a @ a
"""


def gd_until_generalized(prob, lam, eta, eps, c, max_steps=10**7):
    """Explicit GD; returns (t1 within the run, t2). Cost O(n m) per step."""
    phi, teacher, n, sigma = prob.features, prob.teacher, prob.n, prob.feature_variance
    theta = prob.init.copy()
    t1 = -1
    for t in range(max_steps):
        err = theta - teacher
        resid = phi @ err
        if 0.5 * (resid @ resid) / n >= eps:
            t1 = t
        if sigma * (err @ err) <= c:
            return t1, t
        theta -= (eta / n) * (phi.T @ resid) + (eta * lam) * theta
    return t1, None


def _best(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _per_seed(seeds):
    probs = [sample_problem(100, 1000, 1.0, teacher_norm=1.0, seed=s) for s in seeds]
    res = [grokking_times(p, lam=LAM, eta=ETA, eps=EPS, c=C) for p in probs]
    return [dict(seed=s, **r.to_dict()) for s, r in zip(seeds, res)]


def _cli_after(seeds):
    res = times_for_seeds(100, 1000, 1.0, seeds, lam=LAM, eta=ETA, eps=EPS, c=C)
    return [dict(seed=s, **r.to_dict()) for s, r in zip(seeds, res)]


def _cli(seeds):
    import contextlib
    import io

    from grokking_cli import main as cli_main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = cli_main(["ridge", "times", "--seeds", f"{seeds[0]}-{seeds[-1]}"])
    if rc != 0:
        raise SystemExit(f"grokking ridge times exited with {rc}")
    return json.loads(buf.getvalue())["runs"]


def _old_threads(fn):
    """Run ``fn`` with the BLAS threads the old code had (no single-thread limit)."""
    from contextlib import nullcontext

    import theory._threads as th

    saved = th.single_threaded_blas
    th.single_threaded_blas = lambda active=True: nullcontext()
    try:
        return fn()
    finally:
        th.single_threaded_blas = saved


def measure(n_seeds: int = 20, gd_seeds: int = 2, repeat: int = 5) -> dict:
    """One set of per-seed timings and ratios (see the module docstring).

    Returns a JSON-able dict: seconds per seed of each path and the ratios
    ``gd / path``; raises SystemExit if any exact answer differs from GD's.
    """
    seeds = list(range(n_seeds))
    t_before, before = _best(lambda: _old_threads(lambda: _per_seed(seeds)), repeat)
    t_after, after = _best(lambda: _cli_after(seeds), repeat)
    if before != after:
        raise SystemExit("per_seed and cli_after disagree")
    t_cli, via_cli = _best(lambda: _cli(seeds), repeat)
    if [(r["t1"], r["t2"]) for r in via_cli] != [(r["t1"], r["t2"]) for r in after]:
        raise SystemExit("the CLI and times_for_seeds disagree")
    t_sample, probs = _best(lambda: sample_problems(100, 1000, 1.0, seeds), repeat)
    compute_spectra(probs)
    dyns = [dynamics(p, lam=LAM, eta=ETA) for p in probs]
    t_search, _ = _best(lambda: (last_at_or_above_many([d.train for d in dyns], EPS),
                                 first_at_or_below_many([d.population for d in dyns], C)),
                        repeat)
    gd_times = []
    for s in seeds[:gd_seeds]:
        t_gd, ans = _best(lambda s=s: gd_until_generalized(probs[s], LAM, ETA, EPS, C), 1)
        if ans != (after[s]["t1"], after[s]["t2"]):
            raise SystemExit(f"seed {s}: GD {ans} != exact {(after[s]['t1'], after[s]['t2'])}")
        gd_times.append(t_gd)
    gd = float(np.median(gd_times))
    per = {"gd": gd, "per_seed": t_before / n_seeds, "cli_after": t_after / n_seeds,
           "cli": t_cli / n_seeds,
           "sample": t_sample / n_seeds, "search": t_search / n_seeds}
    return {"seconds_per_seed": per,
            "ratio_gd_over": {k: gd / v for k, v in per.items() if k != "gd"},
            "n_seeds": n_seeds, "gd_seeds": gd_seeds, "repeat": repeat,
            "t1_t2_seed0": [after[0]["t1"], after[0]["t2"]]}


def start_load() -> subprocess.Popen:
    """A second process keeping both cores busy (2-thread BLAS matmul loop)."""
    proc = subprocess.Popen([sys.executable, "-c", _BURNER], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1.0)                       # let it import numpy and start multiplying
    return proc


def run(load: str = "both", **kw) -> dict:
    """``{"idle": measure(), "loaded": measure()}`` (``load`` in idle/loaded/both)."""
    out = {}
    if load in ("idle", "both"):
        out["idle"] = measure(**kw)
    if load in ("loaded", "both"):
        proc = start_load()
        try:
            out["loaded"] = measure(**kw)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="seeds of the exact paths")
    ap.add_argument("--gd-seeds", type=int, default=2, help="seeds run through the GD loop")
    ap.add_argument("--repeat", type=int, default=5, help="best-of repeats of the exact paths")
    ap.add_argument("--load", choices=("idle", "loaded", "both"), default="both")
    ap.add_argument("--json", default=None, help="also write the results to this file")
    args = ap.parse_args(argv)
    res = run(args.load, n_seeds=args.seeds, gd_seeds=args.gd_seeds, repeat=args.repeat)
    print(f"defaults: n=100 m=1000 nu2=1 lam={LAM} eta={ETA} eps={EPS} c={C}; "
          f"{args.seeds} seeds (GD on {args.gd_seeds})")
    print(f"{'condition':>9} {'path':>11} {'ms/seed':>10} {'GD/path':>9}")
    for cond, r in res.items():
        print(f"{cond:>9} {'gd':>11} {r['seconds_per_seed']['gd'] * 1e3:>10.1f} {'1':>9}")
        for k, ratio in r["ratio_gd_over"].items():
            print(f"{cond:>9} {k:>11} {r['seconds_per_seed'][k] * 1e3:>10.3f} {ratio:>9.0f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=2)
    return res


if __name__ == "__main__":
    main()
