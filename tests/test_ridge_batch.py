"""Batched ridge API (sample_problems, compute_spectra, grokking_times_many), lam = 0, steps.

The batched functions must return what the one-problem functions return: the
references here are the one-problem paths (an independent loop over seeds),
explicit GD steps, and exhaustive evaluation of the loss sums.
"""

import numpy as np
import pytest

from theory.ridge import (
    RidgeProblem,
    compute_spectra,
    dynamics,
    grokking_times,
    grokking_times_many,
    sample_problem,
    sample_problems,
    times_for_seeds,
)
from theory.ridge._expsum import ExpSquares, first_at_or_below_many, last_at_or_above_many
from validation.ridge.gd import gd_times, simulate_gd


def _explicit_gd(prob, lam, eta, horizon):
    """Plain GD steps, losses at t = 0..horizon (written without the closed form)."""
    theta = prob.init.copy()
    train, test = np.empty(horizon + 1), np.empty(horizon + 1)
    for t in range(horizon + 1):
        err = theta - prob.teacher
        resid = prob.features @ err
        train[t] = 0.5 * resid @ resid / prob.n
        test[t] = prob.feature_variance * err @ err
        theta = theta - (eta / prob.n) * (prob.features.T @ resid) - eta * lam * theta
    return train, test


def _fresh(p):
    """The same problem without its cached spectrum."""
    return RidgeProblem(features=p.features, teacher=p.teacher, init=p.init,
                        feature_variance=p.feature_variance, nu2=p.nu2)


# ---------------------------------------------------------------------------
# sampling
# ---------------------------------------------------------------------------
def test_sample_problems_equal_sample_problem_bit_for_bit():
    # a SeedSequence object is consumed by spawning, so each side gets a fresh one
    batch = sample_problems(30, 70, 0.4, [0, 5, 17, np.random.SeedSequence(3)], teacher_norm=2.0)
    for s, b in zip([0, 5, 17, np.random.SeedSequence(3)], batch):
        one = sample_problem(30, 70, 0.4, teacher_norm=2.0, seed=s)
        for k in ("features", "teacher", "init"):
            assert np.array_equal(getattr(b, k), getattr(one, k))
            assert getattr(b, k).tobytes() == getattr(one, k).tobytes()
        assert (b.seed, b.nu2, b.feature_variance) == (one.seed, one.nu2, one.feature_variance)


def test_sample_problems_rejects_bad_seeds():
    with pytest.raises(TypeError, match="seeds"):
        sample_problems(5, 10, 1.0, 3)
    with pytest.raises(ValueError, match="at least one"):
        sample_problems(5, 10, 1.0, [])
    with pytest.raises(ValueError, match="seed"):
        sample_problems(5, 10, 1.0, [1, -2])


# ---------------------------------------------------------------------------
# spectra and times
# ---------------------------------------------------------------------------
def test_compute_spectra_matches_an_independent_decomposition():
    probs = [sample_problem(12, 40, seed=s) for s in range(3)] + [sample_problem(30, 8, seed=9)]
    for p, spec in zip(probs, compute_spectra(probs)):
        # reference: SVD of Phi (a different LAPACK routine)
        _, sv, vt = np.linalg.svd(p.features, full_matrices=False)
        np.testing.assert_allclose(spec.eigenvalues, np.sort(sv ** 2), rtol=1e-10)
        order = np.argsort(sv ** 2)
        b = vt[order] @ p.teacher
        np.testing.assert_allclose(np.abs(spec.teacher_coords), np.abs(b), atol=1e-10)
        assert p.spectrum is spec             # cached on the problem


SETTINGS = [
    dict(lam=1e-3, eta=1.0, eps=0.01, c=0.01),
    dict(lam=3e-3, eta=12.0, eps=0.01, c=0.01),   # oscillating modes
    dict(lam=0.0, eta=1.0, eps=0.01, c=0.5),      # no weight decay
]


@pytest.mark.parametrize("setting", SETTINGS)
def test_grokking_times_many_equals_one_at_a_time(setting):
    probs = ([sample_problem(20, 200, seed=s) for s in range(12)]
             + [sample_problem(20, 200, 1e-3, seed=40), sample_problem(40, 25, seed=41),
                sample_problem(20, 200, teacher_norm=0.0, seed=42)])
    many = grokking_times_many(probs, **setting)
    one = [grokking_times(_fresh(p), **setting) for p in probs]
    assert [r.to_dict() for r in many] == [r.to_dict() for r in one]


def test_times_for_seeds_is_the_cli_path():
    got = times_for_seeds(20, 200, 1.0, [3, 4], lam=1e-3, eta=1.0, eps=0.01, c=0.01)
    ref = [grokking_times(sample_problem(20, 200, 1.0, seed=s), lam=1e-3, eta=1.0, eps=0.01,
                          c=0.01) for s in (3, 4)]
    assert got == ref


def test_batched_search_matches_brute_force_on_mixed_sums():
    rng = np.random.default_rng(11)
    fs, thr = [], []
    for _ in range(60):
        k = int(rng.integers(1, 5))
        rho = rng.uniform(-0.95, 0.97, k)
        rho[np.abs(rho) < 1e-3] = 0.5
        fs.append(ExpSquares(constant=float(rng.uniform(0, 0.3)), weight=rng.uniform(0.1, 2, k),
                             alpha=rng.normal(size=k), beta=rng.normal(size=k),
                             log_abs_rho=np.log(np.abs(rho)), negative=rho < 0))
        thr.append(float(rng.uniform(0, 3)))
    keep = [i for i, f in enumerate(fs) if abs(f.limit() - thr[i]) > 1e-6]
    fs, thr = [fs[i] for i in keep], np.array([thr[i] for i in keep])
    first, last = first_at_or_below_many(fs, thr), last_at_or_above_many(fs, thr)
    grid = np.arange(2001)         # |rho| <= 0.97: every term is ~1e-26 of its start by 2000
    for f, h, a, b in zip(fs, thr, first, last):
        vals = f(grid)
        below, above = np.flatnonzero(vals <= h), np.flatnonzero(vals >= h)
        assert a == (int(below[0]) if below.size else None)
        if f.limit() >= h:
            assert b is None
        else:
            assert b == (int(above[-1]) if above.size else -1)


def test_constant_terms_fold_into_the_constant():
    f = ExpSquares(constant=0.5, weight=np.array([2.0, 1.0]), alpha=np.array([0.1, 0.0]),
                   beta=np.array([0.2, 1.0]), log_abs_rho=np.array([0.0, np.log(0.5)]),
                   negative=np.array([False, False]))
    # the rho = 1 term is 2 (0.1 + 0.2)^2 = 0.18 at every step
    t = np.arange(6)
    np.testing.assert_allclose(f(t), 0.5 + 0.18 + 0.5 ** (2 * t), rtol=1e-14)
    assert f.limit() == pytest.approx(0.68, rel=1e-14)
    assert f.first_at_or_below(0.69) == 4           # 0.25**t <= 0.01 first at t = 4
    assert f.first_at_or_below(0.6) is None


# ---------------------------------------------------------------------------
# lam = 0: the exact dynamics exist and agree with explicit GD
# ---------------------------------------------------------------------------
def test_lam_zero_matches_explicit_gd_when_the_limit_is_below_c():
    prob = sample_problem(20, 200, 0.05, teacher_norm=0.0, seed=2)
    dyn = dynamics(prob, lam=0.0, eta=1.0)
    limit = dyn.population.limit()
    # with a zero teacher, L(inf) = sigma ||P theta(0)||^2 exactly
    assert limit == pytest.approx(prob.feature_variance * prob.spectrum.null_init_sq, rel=1e-12)
    c = 1.02 * limit
    res = grokking_times(prob, lam=0.0, eta=1.0, eps=1e-3, c=c)
    assert res.t2 is not None and res.t2 > 0
    train, test = _explicit_gd(prob, 0.0, 1.0, res.t2 + 400)
    assert res.t2 == int(np.flatnonzero(test <= c)[0])
    assert res.t1 == int(np.flatnonzero(train >= 1e-3)[-1])
    np.testing.assert_allclose(dyn.population_loss(np.arange(test.size)), test, rtol=1e-9)
    np.testing.assert_allclose(dyn.train_loss(np.arange(train.size)), train, rtol=1e-8,
                               atol=1e-15)
    gd = simulate_gd([prob], lam=0.0, eta=1.0, eps=1e-3, c=c, horizon=res.t2 + 400)
    assert (int(gd.t1[0]), int(gd.t2[0])) == (res.t1, res.t2)


def test_lam_zero_never_generalizes_when_the_limit_exceeds_c():
    prob = sample_problem(20, 200, 1.0, seed=0)
    res = grokking_times(prob, lam=0.0, eta=1.0, eps=0.01, c=0.01)
    assert res.t2 is None and not res.generalizes
    assert any("lam = 0" in n for n in res.notes)
    _, test = _explicit_gd(prob, 0.0, 1.0, 3000)
    limit = dynamics(prob, lam=0.0, eta=1.0).population.limit()
    # GD flattens onto the limit (row space converged) and never comes near c
    assert test.min() > 0.01
    assert test[-1] == pytest.approx(limit, rel=1e-9)
    runs, _ = gd_times([prob], seeds=[0], lam=0.0, eta=1.0, eps=0.01, c=0.01, horizon=3000)
    assert runs[0]["t2"] is None and runs[0]["t1"] == res.t1


def test_lam_zero_init_averaged_keeps_the_null_noise():
    from theory.ridge import init_averaged_dynamics

    prob = sample_problem(10, 60, 0.5, teacher_norm=0.0, seed=1)
    avg = init_averaged_dynamics(prob, lam=0.0, eta=1.0)
    # E L(inf) = sigma nu2 (m - r): the null-space noise never decays without weight decay
    assert avg.population.limit() == pytest.approx(prob.feature_variance * 0.5 * 50, rel=1e-12)


# ---------------------------------------------------------------------------
# steps outside int64 and GD divergence
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("t", [10 ** 19, 10 ** 20, 1e19, np.uint64(2 ** 63)])
def test_huge_steps_are_refused_not_wrapped(t):
    dyn = dynamics(sample_problem(5, 20, seed=0), lam=1e-3, eta=1.0)
    with pytest.raises(ValueError, match="2\\*\\*63"):
        dyn.train_loss(t)
    with pytest.raises(ValueError, match="2\\*\\*63"):
        dyn.population_loss([1, t])


def test_largest_int64_step_is_evaluated():
    dyn = dynamics(sample_problem(5, 20, seed=0), lam=1e-3, eta=1.0)
    assert dyn.population_loss(2 ** 63 - 1) == pytest.approx(dyn.population.limit(), rel=1e-12)


def test_gd_times_reports_divergence_without_warnings(recwarn):
    probs = [sample_problem(20, 200, seed=s) for s in range(2)]
    runs, horizon = gd_times(probs, seeds=[0, 1], lam=1e-3, eta=1e6, eps=0.01, c=0.01)
    assert len(recwarn) == 0
    for r in runs:
        assert r["diverged"] is True and r["t1"] is None and r["t2"] is None
        assert "diverges" in r["notes"][0]
    # the divergence criterion is real: explicit GD at that eta blows up within a few steps
    with np.errstate(over="ignore", invalid="ignore"):
        _, test = _explicit_gd(probs[0], 1e-3, 1e6, 5)
    assert not np.isfinite(test[-1]) or test[-1] > 1e20
    ok, _ = gd_times(probs, seeds=[0, 1], lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=100)
    assert [r["diverged"] for r in ok] == [False, False]


def test_single_threaded_blas_limits_and_restores():
    from threadpoolctl import threadpool_info

    from theory._threads import single_threaded_blas

    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    with single_threaded_blas():
        inside = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    assert inside and all(n == 1 for n in inside)
    assert after == before
    with single_threaded_blas(False):
        assert [p["num_threads"] for p in threadpool_info()
                if p["user_api"] == "blas"] == before
