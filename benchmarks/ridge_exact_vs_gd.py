"""Benchmark: exact closed-form t1/t2 vs an explicit GD loop, at the paper defaults.

Prints, per seed, the wall time of both methods, checks that they give the
same integers, and prints the speed-up ratio.  Two exact timings are shown:

* end to end: eigendecomposition of Phi^T Phi + the certified search;
* search only: the search on an already decomposed problem (what every extra
  (lam, eta, eps, c) query on the same data costs).

The GD loop is the cheapest honest one: it stops at the first step with
L <= c (it cannot know t2 earlier), computing both losses every step from one
matrix-vector product pair.  Run:  python benchmarks/ridge_exact_vs_gd.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from theory.ridge import RidgeProblem, dynamics, grokking_times, sample_problem


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


def _best_of(fn, repeat):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=20, help="best-of repeats for the exact method")
    args = ap.parse_args(argv)
    lam, eta, eps, c = 1e-4, 1.0, 0.01, 0.01
    print(f"defaults: n=100 m=1000 nu2=1 lam={lam} eta={eta} eps={eps} c={c}")
    print(f"{'seed':>4} {'t1':>5} {'t2':>7} {'gd [s]':>8} {'exact e2e [ms]':>15} "
          f"{'search [ms]':>12} {'ratio e2e':>10} {'ratio search':>13}")
    ratios_e2e, ratios_search = [], []
    for seed in range(args.seeds):
        prob = sample_problem(seed=seed)

        def exact_end_to_end(prob=prob):
            # a fresh problem object, so the cached eigendecomposition is recomputed
            fresh = RidgeProblem(features=prob.features, teacher=prob.teacher, init=prob.init,
                                 feature_variance=prob.feature_variance, nu2=prob.nu2)
            r = grokking_times(fresh, lam=lam, eta=eta, eps=eps, c=c)
            return r.t1, r.t2

        dyn = dynamics(prob, lam=lam, eta=eta)

        def exact_search(dyn=dyn):
            r = grokking_times(dyn, eps=eps, c=c)
            return r.t1, r.t2

        t_e2e, ans_exact = _best_of(exact_end_to_end, args.repeat)
        t_search, ans_search = _best_of(exact_search, args.repeat)
        t_gd, ans_gd = _best_of(lambda: gd_until_generalized(prob, lam, eta, eps, c), 1)
        if not (ans_exact == ans_search == ans_gd):
            raise SystemExit(f"seed {seed}: answers differ: exact {ans_exact}, GD {ans_gd}")
        ratios_e2e.append(t_gd / t_e2e)
        ratios_search.append(t_gd / t_search)
        print(f"{seed:>4} {ans_gd[0]:>5} {ans_gd[1]:>7} {t_gd:>8.3f} {t_e2e * 1e3:>15.3f} "
              f"{t_search * 1e3:>12.3f} {ratios_e2e[-1]:>10.0f} {ratios_search[-1]:>13.0f}")
    print(f"identical answers on all {args.seeds} seeds")
    print(f"speed-up, end to end (decomposition + search): median {np.median(ratios_e2e):.0f}x")
    print(f"speed-up, search on a decomposed problem:      median {np.median(ratios_search):.0f}x")


if __name__ == "__main__":
    main()
