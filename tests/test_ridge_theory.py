"""Tests of theory.ridge: closed form vs GD steps, exact search, mpmath, bounds, control."""

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory._checks import AssumptionWarning
from theory.ridge import (
    DivergenceError,
    RidgeProblem,
    bounds_report,
    control_report,
    dynamics,
    generalization_time,
    grokking_times,
    overfitting_time,
    sample_problem,
)
from theory.ridge import bounds as B
from theory.ridge import control as C
from theory.ridge._expsum import ExpSquares


def _gd_reference(prob, lam, eta, eps, c, horizon):
    """Naive GD loop written independently of the closed form."""
    phi, teacher = prob.features, prob.teacher
    theta = prob.init.copy()
    n = prob.n
    train, test = np.empty(horizon + 1), np.empty(horizon + 1)
    for t in range(horizon + 1):
        err = theta - teacher
        resid = phi @ err
        train[t] = 0.5 * resid @ resid / n
        test[t] = prob.feature_variance * err @ err
        theta = theta - (eta / n) * (phi.T @ resid) - eta * lam * theta
    over = np.flatnonzero(train >= eps)
    gen = np.flatnonzero(test <= c)
    return train, test, (int(over[-1]) if over.size else -1), (int(gen[0]) if gen.size else None)


# Settings chosen to cover: the generic case, an oscillating step size (q_i < 0),
# a tiny init (no overfitting phase), a zero teacher, and m < n (no null space).
CASES = [
    dict(n=20, m=200, nu2=1.0, lam=1e-3, eta=1.0, eps=0.01, c=0.01, teacher_norm=1.0),
    dict(n=20, m=200, nu2=1.0, lam=3e-3, eta=15.0, eps=0.01, c=0.01, teacher_norm=1.0),
    dict(n=20, m=200, nu2=1e-3, lam=1e-3, eta=1.0, eps=0.01, c=0.001, teacher_norm=1.0),
    dict(n=30, m=120, nu2=2.0, lam=2e-3, eta=0.7, eps=0.02, c=0.02, teacher_norm=0.0),
    dict(n=40, m=25, nu2=1.0, lam=1e-2, eta=1.0, eps=0.01, c=0.02, teacher_norm=1.0),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_equals_gd_steps(case, seed):
    case = dict(case)
    lam, eta, eps, c = (case.pop(k) for k in ("lam", "eta", "eps", "c"))
    prob = sample_problem(seed=seed, **case)
    times = grokking_times(prob, lam=lam, eta=eta, eps=eps, c=c)
    horizon = 3000 if times.t2 is None else max(times.t2, times.t1 or 0) + 200
    train, test, t1_gd, t2_gd = _gd_reference(prob, lam, eta, eps, c, horizon)
    # exact integers: the closed form *is* GD, so no tolerance on the times
    assert times.t1 == t1_gd
    assert times.t2 == t2_gd
    dyn = dynamics(prob, lam=lam, eta=eta)
    t = np.arange(horizon + 1)
    # losses agree to accumulated float64 rounding of ~1e3-1e4 GD steps (observed ~1e-13)
    np.testing.assert_allclose(dyn.train_loss(t), train, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(dyn.population_loss(t), test, rtol=1e-9, atol=1e-15)


def test_paper_defaults_match_spec_range_and_gd():
    # spec: exact GD at the defaults, mean over seeds: t1 about 215-225, t2 about 22,900-23,100
    res = [grokking_times(sample_problem(seed=s), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
           for s in range(8)]
    t1 = np.mean([r.t1 for r in res])
    t2 = np.mean([r.t2 for r in res])
    assert 200 <= t1 <= 235
    assert 22_700 <= t2 <= 23_300
    # seed 0 by an explicit GD loop (independent code path), full horizon
    prob = sample_problem(seed=0)
    _, _, t1_gd, t2_gd = _gd_reference(prob, 1e-4, 1.0, 0.01, 0.01, res[0].t2 + 50)
    assert (res[0].t1, res[0].t2) == (t1_gd, t2_gd)


def _brute_force(f: ExpSquares, threshold, horizon, below):
    vals = f(np.arange(horizon + 1))
    if below:
        hits = np.flatnonzero(vals <= threshold)
        return int(hits[0]) if hits.size else None
    hits = np.flatnonzero(vals >= threshold)
    return int(hits[-1]) if hits.size else -1


@settings(max_examples=150, deadline=None)
@given(
    k=st.integers(1, 4),
    data=st.data(),
)
def test_exact_search_matches_brute_force(k, data):
    """The certified search equals exhaustive evaluation on random non-monotone sums."""
    floats = st.floats(-2.0, 2.0, allow_nan=False)
    alpha = np.array(data.draw(st.lists(floats, min_size=k, max_size=k)))
    beta = np.array(data.draw(st.lists(floats, min_size=k, max_size=k)))
    weight = np.array(data.draw(st.lists(st.floats(0.01, 3.0), min_size=k, max_size=k)))
    rho = np.array(data.draw(st.lists(st.floats(-0.95, 0.97).filter(lambda r: abs(r) > 1e-3),
                                      min_size=k, max_size=k)))
    const = data.draw(st.floats(0.0, 0.5))
    f = ExpSquares(constant=const, weight=weight, alpha=alpha, beta=beta,
                   log_abs_rho=np.log(np.abs(rho)), negative=rho < 0)
    thr = data.draw(st.floats(0.0, 3.0))
    limit = f.limit()
    if abs(limit - thr) < 1e-6:       # undecidable in float64 by design
        return
    # |rho| <= 0.97: after 2000 steps every term is below 0.97**2000 ~ 1e-26 of its start
    horizon = 2000
    assert f.first_at_or_below(thr) == _brute_force(f, thr, horizon, below=True)
    last = f.last_at_or_above(thr)
    if limit >= thr:
        assert last is None
    else:
        assert last == _brute_force(f, thr, horizon, below=False)


def test_interval_bounds_contain_values():
    rng = np.random.default_rng(5)
    for _ in range(50):
        k = 3
        rho = rng.uniform(-0.99, 0.99, k)
        f = ExpSquares(constant=0.1, weight=rng.uniform(0.1, 1, k), alpha=rng.normal(size=k),
                       beta=rng.normal(size=k), log_abs_rho=np.log(np.abs(rho)), negative=rho < 0)
        a = int(rng.integers(0, 50))
        b = a + int(rng.integers(0, 100))
        vals = f(np.arange(a, b + 1))
        lo, hi = f.bounds(a, b)
        assert lo <= vals.min() + 1e-12 and vals.max() <= hi + 1e-12


def _mp_losses(prob, lam, eta, t, dps=60):
    """Reference train / population loss at step t in mpmath from theta(t) itself."""
    with mpmath.workdps(dps):
        return _mp_losses_at(prob, lam, eta, t)


def _mp_losses_at(prob, lam, eta, t):
    spec = prob.spectrum
    n = spec.n
    lam_m, eta_m = mpmath.mpf(lam), mpmath.mpf(eta)
    train = mpmath.mpf(0)
    row_err_sq = mpmath.mpf(0)
    for s, b, a0 in zip(spec.eigenvalues, spec.teacher_coords, spec.init_coords):
        s, b, a0 = mpmath.mpf(s), mpmath.mpf(b), mpmath.mpf(a0)
        a_inf = s * b / (s + n * lam_m)
        q = 1 - eta_m * (s / n + lam_m)
        a_t = a_inf + q ** t * (a0 - a_inf)
        train += s * (a_t - b) ** 2
        row_err_sq += (a_t - b) ** 2
    g = (1 - eta_m * lam_m) ** t
    null = (g * g * mpmath.mpf(spec.null_init_sq) - 2 * g * mpmath.mpf(spec.null_cross)
            + mpmath.mpf(spec.null_teacher_sq))
    return train / (2 * n), mpmath.mpf(spec.feature_variance) * (row_err_sq + null)


@pytest.mark.parametrize("lam,eta,t", [
    (1e-12, 1.0, 10 ** 12),      # t2 ~ 1e12: (1 - 1e-12)^1e12 = e^-1
    (1e-12, 1.0, 3 * 10 ** 12),
    (1e-9, 0.5, 4 * 10 ** 9),
    (1e-4, 1.0, 22_698),
    (1e-2, 25.0, 7),             # oscillating modes (eta (s_max/n + lam) ~ 1.8)
])
def test_closed_form_matches_mpmath_at_extremes(lam, eta, t):
    prob = sample_problem(n=30, m=300, seed=3)
    dyn = dynamics(prob, lam=lam, eta=eta)
    ref_train, ref_test = _mp_losses(prob, lam, eta, t)
    # float64 with log-space powers: relative error ~ |t log q| * 1e-16 <= 1e-12 here
    assert dyn.train_loss(t) == pytest.approx(float(ref_train), rel=1e-10, abs=1e-300)
    assert dyn.population_loss(t) == pytest.approx(float(ref_test), rel=1e-10)


def test_naive_power_would_fail_where_log_space_does_not():
    # (1 - 1e-17)**t is exactly 1 in float64; the true value at t = 1e17 is e^-1
    x, t = 1e-17, 10 ** 17
    assert (1.0 - x) ** t == 1.0
    assert math.exp(t * math.log1p(-x)) == pytest.approx(math.exp(-1), rel=1e-12)
    prob = sample_problem(n=10, m=100, seed=0)
    dyn = dynamics(prob, lam=x, eta=1.0)
    spec = prob.spectrum
    # population loss at t = 1e17: null-space init shrunk by e^-1 exactly (row space converged)
    expected = spec.feature_variance * (
        math.exp(-2) * spec.null_init_sq - 2 * math.exp(-1) * spec.null_cross
        + spec.null_teacher_sq)
    assert dyn.population_loss(t) == pytest.approx(expected, rel=1e-9)


def test_huge_times_are_exact_and_fast():
    prob = sample_problem(seed=0)
    res = grokking_times(prob, lam=1e-12, eta=1.0, eps=0.01, c=0.01)
    assert res.t2 > 10 ** 12
    dyn = dynamics(prob, lam=1e-12, eta=1.0)
    assert dyn.population_loss(res.t2) <= 0.01 < dyn.population_loss(res.t2 - 1)
    # and at mpmath precision
    lo = _mp_losses(prob, 1e-12, 1.0, res.t2 - 1)[1]
    hi = _mp_losses(prob, 1e-12, 1.0, res.t2)[1]
    assert hi <= mpmath.mpf("0.01") < lo


# --------------------------------------------------------------------------
# bounds
# --------------------------------------------------------------------------
def test_spec_targets():
    # values given in ../shared/spec/ridge.md (Validation targets)
    assert B.eq8_t2_lower(100, 1000, 1.0, 0.01, 1.0, 1e-4) == pytest.approx(11982.02, abs=0.005)
    eq8 = B.eq8_t2_lower(100, 1000, 1.0, 0.01, 1.0, 2.0 ** -15)
    assert eq8 == pytest.approx(39262.68, abs=0.005)
    eq7 = B.eq7_t2_lower(100, 1000, 1.0, 0.01, 1.0, 1e-4, 1e-3, 1.0)
    assert eq7 == pytest.approx(8142.81, abs=0.005)


def test_bounds_hold_when_assumptions_hold():
    # a setting meeting Theorem 4.2 and Eq. (8): eta < 1/(lam + b^2) needs eta < ~0.8
    checked = 0
    for seed in range(6):
        prob = sample_problem(n=50, m=1000, nu2=1.0, seed=seed)
        rep = bounds_report(prob, lam=1e-3, eta=0.5, eps=0.01, c=0.01, warn=False)
        times = grokking_times(prob, lam=1e-3, eta=0.5, eps=0.01, c=0.01)
        for name, bound in rep.bounds().items():
            assert bound.assumptions_hold, (name, bound.failed)
            if bound.quantity == "t1":
                assert times.t1 <= bound.value, name
            elif bound.quantity == "t2":
                assert times.t2 >= bound.value, name
            else:
                assert times.grokking_time >= bound.value, name
            checked += 1
    assert checked == 6 * 9


def test_thm41_envelopes_zero_teacher():
    for seed in range(4):
        prob = sample_problem(n=20, m=300, nu2=1.0, teacher_norm=0.0, seed=seed)
        lam, eta = 1e-3, 1.0
        dyn = dynamics(prob, lam=lam, eta=eta)
        t = np.unique(np.geomspace(1, 20000, 200).astype(int))
        assert np.all(dyn.train_loss(t) <= B.thm41_train_upper(prob, lam, eta, t) * (1 + 1e-12))
        assert np.all(dyn.population_loss(t) >= B.thm41_test_lower(prob, lam, eta, t, 1.0))
        a = dyn.row_coords(t)
        spec = prob.spectrum
        g2 = np.exp(2 * t * np.log1p(-eta * lam))
        norm_sq = (a ** 2).sum(axis=1) + g2 * spec.null_init_sq
        assert np.all(norm_sq <= B.thm41_norm_upper(prob, lam, eta, t) * (1 + 1e-12))


def test_paper_setting_reports_thm42_step_size_failure():
    prob = sample_problem(seed=0)
    with pytest.warns(AssumptionWarning, match="thm42_step_size"):
        rep = bounds_report(prob, lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    assert rep.conditions["thm41_step_size"].satisfied
    assert rep.conditions["thm44_step_size"].satisfied
    assert not rep.conditions["thm42_step_size"].satisfied
    assert rep.t2_lower_eq8.value == pytest.approx(11982.02, abs=0.005)
    assert rep.t2_lower_eq8.failed == ("thm42_step_size",)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(10, 200), ratio=st.floats(2.0, 50.0), nu2=st.floats(0.5, 10.0),
       eps=st.floats(1e-3, 0.05), lam=st.floats(1e-6, 1e-3), eta=st.floats(0.05, 2.0))
def test_bound_ordering(n, ratio, nu2, eps, lam, eta):
    m = int(n * ratio) + 1
    # pre-Taylor t2 >= Eq. (7): -ln(1-x) <= 2x for x <= 1/2
    args = dict(n=n, m=m, nu2=nu2, c=eps, eta=eta, lam=lam, sigma_min=1.0 / m, teacher_norm=1.0)
    pre, eq7 = B.pre_taylor_t2_lower(**args), B.eq7_t2_lower(**args)
    if eq7 > 0:
        assert pre >= eq7
    # Eq. (8) t2 <= pre-Taylor with c = eps, sigma = 1/m, ||theta*|| = 1 when eps m >= 1
    eq8 = B.eq8_t2_lower(n, m, nu2, eps, eta, lam)
    if eps * m >= 1 and eq8 > 0:
        assert eq8 <= pre * (1 + 1e-12)
    # pre-Taylor t1 <= Eq. (6) when Lbar <= b^2 and the log is positive
    lmin = float(B.marchenko_pastur_lmin(n, m))
    rho = 1 - eta * (lmin / n + lam)
    e6 = B.eq6_t1_upper(n, eta, lmin, 1.2, m * nu2, eps)
    p6 = B.pre_taylor_t1_upper(eps, 1.0, m * nu2, rho)
    assert p6 <= e6


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), lam=st.floats(1e-5, 5e-4), factor=st.floats(1.05, 3.0))
def test_t2_monotone_in_lam_and_t1_unchanged(seed, lam, factor):
    prob = sample_problem(n=20, m=200, seed=seed)
    a = grokking_times(prob, lam=lam, eta=1.0, eps=0.01, c=0.01)
    b = grokking_times(prob, lam=lam * factor, eta=1.0, eps=0.01, c=0.01)
    assert b.t2 <= a.t2
    # t1 is set by the row space, nearly blind to lam: it moves by at most a few steps
    assert abs(b.t1 - a.t1) <= 3


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), eta=st.floats(0.05, 1.0), factor=st.floats(1.05, 3.0))
def test_times_monotone_in_eta(seed, eta, factor):
    prob = sample_problem(n=20, m=200, seed=seed)
    a = grokking_times(prob, lam=1e-3, eta=eta, eps=0.01, c=0.01)
    b = grokking_times(prob, lam=1e-3, eta=eta * factor, eps=0.01, c=0.01)
    assert b.t2 <= a.t2 and b.t1 <= a.t1


def test_t2_scales_as_inverse_lam_and_eta():
    prob = sample_problem(seed=0)
    lams = 2.0 ** -np.arange(10, 17)
    t2 = [grokking_times(prob, lam=x, eta=1.0, eps=0.01, c=0.01).t2 for x in lams]
    slope = np.polyfit(np.log(lams), np.log(t2), 1)[0]
    assert slope == pytest.approx(-1.0, abs=1e-3)
    etas = np.array([0.125, 0.25, 0.5, 1.0])
    t2e = [grokking_times(prob, lam=1e-4, eta=e, eps=0.01, c=0.01).t2 for e in etas]
    slope_eta = np.polyfit(np.log(etas), np.log(t2e), 1)[0]
    assert slope_eta == pytest.approx(-1.0, abs=1e-3)


# --------------------------------------------------------------------------
# control
# --------------------------------------------------------------------------
def test_lam_star_solves_eq8_equality():
    n, m, nu2, eps, lmin = 100, 1000, 1.0, 0.01, 0.45
    lam = C.lam_star(n, m, nu2, eps, lmin)
    for eta in (0.3, 1.0):
        assert B.eq8_t2_lower(n, m, nu2, eps, eta, lam) == pytest.approx(
            B.eq8_t1_upper(n, m, nu2, eps, eta, lmin), rel=1e-12)


def test_nu2_vacuity_threshold_zeroes_eq8():
    thr = C.nu2_vacuity_threshold(100, 1000, 0.01)
    assert B.eq8_t2_lower(100, 1000, thr, 0.01, 1.0, 1e-4) == pytest.approx(0.0, abs=1e-9)


def test_t2_point_estimate_close_to_exact():
    est = C.t2_point_estimate(100, 1000, 1.0, 0.01, 1.0, 1e-4)
    exact = np.mean([grokking_times(sample_problem(seed=s), lam=1e-4, eta=1.0, eps=0.01,
                                    c=0.01).t2 for s in range(8)])
    # the estimate replaces ||P theta(0)||^2 by its mean (m-n) nu2: chi-square fluctuations
    # of relative size sqrt(2/(m-n)) ~ 5% in the log argument move t2 by ~ 1-2%
    assert est == pytest.approx(exact, rel=0.02)


def test_grokking_onset_nu2_is_a_sign_change():
    prob = sample_problem(seed=0)
    kw = dict(lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    thr = C.grokking_onset_nu2(prob, **kw)
    below = grokking_times(C._rescaled_init(prob, thr * 0.99), **kw)
    above = grokking_times(C._rescaled_init(prob, thr * 1.01), **kw)
    assert not below.groks and above.groks


def test_rescaled_init_spectrum_matches_recomputation():
    prob = sample_problem(n=20, m=200, nu2=1.0, seed=4)
    fast = C._rescaled_init(prob, 3.0).spectrum
    slow = sample_problem(n=20, m=200, nu2=3.0, seed=4).spectrum
    np.testing.assert_allclose(fast.init_coords, slow.init_coords, rtol=1e-12)
    assert fast.null_init_sq == pytest.approx(slow.null_init_sq, rel=1e-12)
    assert fast.null_cross == pytest.approx(slow.null_cross, rel=1e-9, abs=1e-12)


def test_control_report_fields():
    rep = control_report(sample_problem(seed=1), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    assert rep.lam_star > 1e-4      # the default lam is inside the certified region
    assert rep.nu2_onset_exact < rep.nu2_vacuity_threshold
    assert rep.elasticities_exact["t2"]["lam"] == pytest.approx(-1.0, abs=0.01)


# --------------------------------------------------------------------------
# edge cases and bad input
# --------------------------------------------------------------------------
def test_no_overfitting_phase_convention():
    prob = sample_problem(n=20, m=200, nu2=1e-4, seed=0)
    res = grokking_times(prob, lam=1e-3, eta=1.0, eps=0.05, c=0.05)
    assert res.t1 == -1 and not res.overfitting_phase and res.grokking_time is None
    assert any("no overfitting phase" in note for note in res.notes)


def test_never_overfits_and_never_generalizes():
    prob = sample_problem(n=20, m=200, seed=0)
    # huge weight decay keeps the training loss high for ever; tiny c is never reached
    res = grokking_times(prob, lam=0.5, eta=1.0, eps=1e-4, c=1e-9)
    assert res.t1 is None and res.t2 is None and res.grokking_time is None
    assert not res.generalizes


def test_no_null_space_note():
    res = grokking_times(sample_problem(n=40, m=30, seed=0), lam=1e-3, eta=1.0, eps=0.01, c=0.01)
    assert any("no null space" in note for note in res.notes)


@pytest.mark.parametrize("kwargs,match", [
    (dict(n=0), "n must be"), (dict(m=-3), "m must be"), (dict(nu2=-1.0), "nu2 must be"),
    (dict(n=2.5), "n must be an integer"), (dict(seed=-1), "seed must be"),
])
def test_sample_problem_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        sample_problem(**kwargs)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lam=-1e-3, eta=1.0, eps=0.01, c=0.01), "lam must be"),
    (dict(lam=1e-3, eta=0.0, eps=0.01, c=0.01), "eta must be"),
    (dict(lam=1e-3, eta=1.0, eps=0.0, c=0.01), "eps must be"),
    (dict(lam=1e-3, eta=1.0, eps=0.01, c=-1.0), "c must be"),
    (dict(lam=float("nan"), eta=1.0, eps=0.01, c=0.01), "lam must be finite"),
])
def test_times_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        grokking_times(sample_problem(n=10, m=50, seed=0), **kwargs)


def test_divergent_step_size_is_an_error():
    prob = sample_problem(n=10, m=50, seed=0)
    with pytest.raises(DivergenceError, match="diverge"):
        dynamics(prob, lam=1e-3, eta=1e3)


def test_problem_validation():
    with pytest.raises(ValueError, match="teacher must have shape"):
        RidgeProblem(features=np.ones((2, 3)), teacher=np.ones(2), init=np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        RidgeProblem(features=np.full((2, 3), np.nan), teacher=np.ones(3), init=np.ones(3))
    with pytest.raises(ValueError, match="t must be >= 0"):
        dynamics(sample_problem(n=5, m=20, seed=0), lam=1e-3, eta=1.0).train_loss(-1)


def test_overfitting_and_generalization_time_wrappers():
    prob = sample_problem(n=20, m=200, seed=0)
    res = grokking_times(prob, lam=1e-3, eta=1.0, eps=0.01, c=0.01)
    assert overfitting_time(prob, 0.01, lam=1e-3, eta=1.0) == res.t1
    dyn = dynamics(prob, lam=1e-3, eta=1.0)
    assert generalization_time(dyn, 0.01) == res.t2
    with pytest.raises(TypeError):
        generalization_time(dyn, 0.01, lam=1e-3)


def test_seed_streams_pair_nu2_sweeps():
    a = sample_problem(n=5, m=20, nu2=1.0, seed=7)
    b = sample_problem(n=5, m=20, nu2=4.0, seed=7)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_allclose(b.init, 2.0 * a.init)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert a.seed == 7


def test_init_averaged_losses_match_monte_carlo():
    from theory.ridge import init_averaged_dynamics

    base = sample_problem(n=20, m=200, nu2=1.0, seed=11)
    avg = init_averaged_dynamics(base, lam=1e-3, eta=1.0)
    t = np.array([0, 5, 50, 500, 3000])
    rng = np.random.default_rng(0)
    draws = 4000
    train = np.zeros(t.size)
    test = np.zeros(t.size)
    for _ in range(draws):
        prob = RidgeProblem(features=base.features, teacher=base.teacher,
                            init=rng.standard_normal(200), feature_variance=base.feature_variance)
        dyn = dynamics(prob, lam=1e-3, eta=1.0)
        train += dyn.train_loss(t) / draws
        test += dyn.population_loss(t) / draws
    # Monte Carlo mean of a chi-square-like variable: relative standard error
    # ~ sqrt(2/(dof * draws)) <= sqrt(2/4000) ~ 2.2%; 4 sigma = 9%
    np.testing.assert_allclose(avg.train_loss(t), train, rtol=0.09)
    np.testing.assert_allclose(avg.population_loss(t), test, rtol=0.09)


def test_eq8_teacher_shift_condition():
    # eps m = 0.42 < ||theta*||^2 = 1: the step (sqrt(eps m) + 1)^2 <= 4 eps m fails, and
    # the Eq. (8) t2 value then exceeds the pre-Taylor bound it is derived from
    prob = sample_problem(n=10, m=140, seed=0)
    rep = bounds_report(prob, lam=1e-4, eta=0.5, eps=0.003, c=0.003, warn=False)
    assert not rep.conditions["eq8_teacher_shift"].satisfied
    assert "eq8_teacher_shift" in rep.t2_lower_eq8.failed
    assert rep.t2_lower_eq8.value > rep.t2_lower_pre_taylor.value
    assert "eq8_teacher_shift" not in rep.t2_lower_eq7.failed


# --------------------------------------------------------------------------
# hardening (issue 10): input checks of the formula layer, lam = 0, delta
# --------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: B.eq8_t2_lower(100, 1000, 1.0, 0.0, 1.0, 1e-4), r"eps must be > 0"),
    (lambda: B.eq8_t2_lower(100, 1000, -1.0, 0.01, 1.0, 1e-4), r"nu2 must be > 0"),
    (lambda: B.eq8_t2_lower(100, 1000, 1.0, 0.01, 1.0, float("nan")), r"lam must be finite"),
    (lambda: B.eq6_t1_upper(100, 1.0, 0.0, 1.0, 1000.0, 0.01), r"lmin_plus must be > 0"),
    (lambda: B.pre_taylor_t1_upper(0.01, 1.0, 1000.0, 1.5), r"rho must be in \(0, 1\)"),
    (lambda: C.lam_star(100, 1000, 1.0, -1.0), r"eps must be > 0"),
    (lambda: B.eq7_t2_lower(100, 100, 1.0, 0.01, 1.0, 1e-4, 1e-3, 1.0), r"m must be > n"),
    (lambda: B.eq8_t1_upper(-100, 1000, 1.0, 0.01, 1.0), r"n must be > 0"),
    (lambda: B.pre_taylor_t2_lower(10, 100, 1.0, 0.01, 2.0, 0.6, 0.01, 1.0),
     r"eta \* lam must be < 1"),
    (lambda: C.nu2_vacuity_threshold(100, 50, 0.01), r"m must be > n"),
    (lambda: C.t2_point_estimate(100, 1000, 1.0, 0.01, 1.0, -1e-4), r"lam must be >= 0"),
    (lambda: C.eq8_elasticities(100, 1000, 1.0, 0.01, "bogus"), r"lmin_model must be one of"),
])
def test_formula_layer_rejects_bad_input_naming_the_parameter(call, match):
    # before the fix these gave ZeroDivisionError, NaN, inf or -16.4 (rho = 1.5)
    with pytest.raises(ValueError, match=match):
        call()


def test_formula_layer_rejects_wrong_types():
    with pytest.raises(TypeError, match="eps must be a real number"):
        B.eq8_t2_lower(100, 1000, 1.0, "0.01", 1.0, 1e-4)
    with pytest.raises(TypeError, match="nu2 must be a real number"):
        B.eq8_t2_lower(100, 1000, True, 0.01, 1.0, 1e-4)


def test_check_times_refuses_int64_overflow():
    # 10**19 used to wrap to a negative int64 and give an infinite "loss"
    from theory._checks import check_times

    for bad in (10 ** 19, 1e19, 2 ** 70, np.uint64(2 ** 63)):
        with pytest.raises(ValueError, match=r"t must be whole numbers of steps in \[0, 2\*\*63"):
            check_times(bad)
    dyn = dynamics(sample_problem(n=5, m=20, seed=0), lam=1e-3, eta=1.0)
    with pytest.raises(ValueError, match="t must be"):
        dyn.population_loss(10 ** 19)
    assert check_times(2 ** 63 - 1).item() == 2 ** 63 - 1


def test_marchenko_pastur_edge_without_cancellation():
    # (1 - sqrt(n/m))^2 cancels for n close to m; the exact value for n = m - 1 is
    # 1/(m + sqrt(m (m-1)))^2, here computed in mpmath
    n, m = 99_999, 100_000
    with mpmath.workdps(50):
        exact = (1 - mpmath.sqrt(mpmath.mpf(n) / m)) ** 2
    # (the naive form is off by 1e-11 relative here)
    assert float(B.marchenko_pastur_lmin(n, m)) == pytest.approx(float(exact), rel=1e-14, abs=0)


def test_lam_zero_t2_bounds_are_never_and_agree_with_the_dynamics():
    # lam = 0 (no weight decay) is accepted: the t2 lower bounds are their lam -> 0 limit,
    # +inf ("never generalizes"), with the failing assumption named and a reason
    prob = sample_problem(seed=0)
    rep = bounds_report(prob, lam=0.0, eta=0.5, eps=0.01, c=0.01, warn=False)
    for name in ("t2_lower_eq7", "t2_lower_pre_taylor", "t2_lower_eq8",
                 "grokking_lower_eq67", "grokking_lower_eq8"):
        b = getattr(rep, name)
        assert b.value == math.inf and not b.vacuous, name
        assert "thm42_positive_weight_decay" in b.failed and "never" in b.reason
        assert b.to_dict()["value"] is None
    # the t1 bounds do not need lam > 0 and equal their lam -> 0 limits
    near = bounds_report(prob, lam=1e-300, eta=0.5, eps=0.01, c=0.01, warn=False)
    assert rep.t1_upper_eq6.value == near.t1_upper_eq6.value
    assert rep.t1_upper_pre_taylor.value == pytest.approx(near.t1_upper_pre_taylor.value,
                                                           rel=1e-12)
    assert "thm42_positive_weight_decay" not in rep.t1_upper_eq6.failed
    # the exact dynamics: with lam = 0 the null-space part is frozen, so the population
    # loss at any late step equals sigma ||P(theta(0) - theta*)||^2 > c: t2 is "never"
    spec = prob.spectrum
    frozen = spec.feature_variance * (spec.null_init_sq - 2 * spec.null_cross
                                      + spec.null_teacher_sq)
    late = dynamics(prob, lam=0.0, eta=0.5).population_loss(10 ** 6)
    assert late == pytest.approx(frozen, rel=1e-12) and frozen > 0.01


def test_lam_zero_exact_t2_is_none_where_the_bound_says_never():
    prob = sample_problem(seed=0)
    rep = bounds_report(prob, lam=0.0, eta=0.5, eps=0.01, c=0.01, warn=False)
    times = grokking_times(prob, lam=0.0, eta=0.5, eps=0.01, c=0.01)
    assert rep.t2_lower_eq8.value == math.inf and times.t2 is None


def test_lam_zero_formula_limits():
    # lam -> 0+: ln(A)/(k eta lam) -> +inf for A > 1, vacuous otherwise
    assert B.eq8_t2_lower(100, 1000, 1.0, 0.01, 1.0, 0.0) == math.inf
    assert B.eq7_t2_lower(100, 1000, 1.0, 0.01, 1.0, 0.0, 1e-3, 1.0) == math.inf
    assert B.pre_taylor_t2_lower(100, 1000, 1.0, 0.01, 1.0, 0.0, 1e-3, 1.0) == math.inf
    assert B.eq8_t2_lower(100, 1000, 1e-3, 0.01, 1.0, 0.0) == -math.inf   # vacuous
    thr = C.nu2_vacuity_threshold(100, 1000, 0.01)
    assert B.eq8_t2_lower(100, 1000, 1e-3, 0.01, 1.0, np.array([0.0, 1e-4]))[0] < 0 < thr
    assert C.t2_point_estimate(100, 1000, 1.0, 0.01, 1.0, 0.0) == math.inf
    assert C.t2_point_estimate(100, 1000, 1e-6, 0.01, 1.0, 0.0) == 0.0
    # a vacuous Eq. (8) certifies grokking for no lam: lam* <= 0; with 14 m nu2 < eps the
    # formula divided two negative logs and claimed a positive lam* (now 0)
    assert C.lam_star(100, 1000, 1e-3, 0.01) < 0
    assert C.lam_star(100, 1000, 1e-8, 0.01) == 0.0


def test_delta_is_checked_wherever_it_is_taken():
    prob = sample_problem(n=10, m=100, seed=0)
    for bad in (2.0, 0.0, 1.0, -0.1):
        with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\)"):
            B.conditions(prob, lam=1e-3, eta=1.0, eps=0.01, c=0.01, delta=bad)
        with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\)"):
            bounds_report(prob, lam=1e-3, eta=1.0, eps=0.01, c=0.01, delta=bad)


def test_conditions_at_lam_zero_and_zero_features():
    # 1/(lam + lmax/n) with lam = 0 and Phi = 0 used to raise ZeroDivisionError
    prob = RidgeProblem(features=np.zeros((2, 5)), teacher=np.ones(5), init=np.ones(5))
    cond = B.conditions(prob, lam=0.0, eta=1.0, eps=0.01, c=0.01)
    assert cond["thm44_step_size"].satisfied and cond["thm44_step_size"].rhs == math.inf
    assert not cond["thm42_positive_weight_decay"].satisfied


def test_control_report_at_lam_zero():
    rep = control_report(sample_problem(seed=0), lam=0.0, eta=1.0, eps=0.01, c=0.01)
    assert rep.t2_point_estimate == math.inf
    assert rep.elasticities_exact["t2"]["lam"] is None
    assert any("lam = 0" in note for note in rep.notes)


def test_overflow_is_refused_as_a_value_error_too():
    # a bound beyond float64 (eta lam ~ 1e-320) is refused, not returned as inf; the error
    # is an OverflowError and a ValueError, so the CLI reports it in one line
    from theory._checks import RangeOverflowError

    with pytest.raises(RangeOverflowError, match="exceeds the float64 range") as info:
        B.eq8_t2_lower(100, 1000, 1.0, 0.01, 1.0, 1e-320)
    assert isinstance(info.value, OverflowError) and isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="float64"):
        C.t2_point_estimate(100, 1000, 1.0, 0.01, 1.0, 1e-320)
    # bounds_report turns it into a None value with the reason
    rep = bounds_report(sample_problem(n=10, m=100, seed=0), lam=1e-320, eta=0.5, eps=0.01,
                        c=0.01, warn=False)
    assert rep.t2_lower_eq8.value is None and "float64" in rep.t2_lower_eq8.reason
