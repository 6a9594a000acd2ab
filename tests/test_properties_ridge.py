"""Property tests of ``theory.ridge`` (see ``test_properties_registry.py``)."""

import importlib
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties_registry import (
    assert_finite,
    bad_choice,
    bad_count,
    bad_nonnegative,
    bad_positive,
    bad_unit,
    covers,
    make_invalid_test,
    make_valid_test,
    positive,
    rejects,
)

from theory.ridge import boundary as BD
from theory.ridge import bounds as B
from theory.ridge import control as C
from theory.ridge import problem as P
from theory.ridge import symbolic as Y
from theory.ridge import times as T

D = importlib.import_module("theory.ridge.dynamics")   # the package exports dynamics()

pytestmark = pytest.mark.filterwarnings("ignore::theory._checks.AssumptionWarning")

counts = st.integers(1, 10 ** 5)
weight_decay = st.one_of(st.just(0.0), st.floats(1e-8, 1e-2))


@st.composite
def sizes(draw, null_space=True):
    """(n, m): integers, or reals (the formulas are continuous in them)."""
    if draw(st.booleans()):
        n = draw(st.integers(1, 10 ** 4))
        return n, n + draw(st.integers(1 if null_space else -n + 1, 10 ** 4))
    n = draw(st.floats(1e-6, 1e4))
    return n, n + draw(st.floats(1e-3, 1e4))


@st.composite
def t2_args(draw, pre_taylor=False):
    n, m = draw(sizes())
    eta = draw(st.floats(1e-3, 10.0))
    lam = draw(weight_decay)
    if pre_taylor:
        lam = min(lam, 0.99 / eta)
    return {"n": n, "m": m, "nu2": draw(positive), "c": draw(st.floats(1e-4, 1.0)),
            "eta": eta, "lam": lam, "sigma_min": draw(st.floats(1e-6, 1.0)),
            "teacher_norm": draw(st.floats(0.0, 10.0))}


def _t2_check(out, lam, **kw):
    # documented: at lam = 0 the limit +inf ("never"), or -inf / 0 (vacuous)
    if lam == 0:
        assert out in (math.inf, -math.inf, 0.0)
    else:
        assert math.isfinite(out)


T2_BAD = {"n": bad_positive, "m": bad_positive, "nu2": bad_positive, "c": bad_positive,
          "eta": bad_positive, "lam": bad_nonnegative, "sigma_min": bad_positive,
          "teacher_norm": bad_nonnegative}

# --------------------------------------------------------------------------- formulas
eq6_valid = st.fixed_dictionaries({
    "n": counts, "eta": st.floats(1e-3, 10.0), "lmin_plus": st.floats(1e-3, 10.0),
    "b2": st.floats(1e-3, 10.0), "init_norm_sq": st.floats(1e-3, 1e4),
    "eps": st.floats(1e-4, 1.0)})


def _eq6_scaling(out, **kw):
    # every time scales as 1/eta (an exact property of the bound)
    half = B.eq6_t1_upper(**{**kw, "eta": kw["eta"] / 2})
    assert half == pytest.approx(2 * out, rel=1e-12, abs=1e-300)


test_valid_eq6 = make_valid_test(B.eq6_t1_upper, eq6_valid, _eq6_scaling,
                                 call=lambda **kw: float(B.eq6_t1_upper(**kw)))
test_invalid_eq6 = make_invalid_test(B.eq6_t1_upper, eq6_valid, {
    "n": bad_positive, "eta": bad_positive, "lmin_plus": bad_positive, "b2": bad_positive,
    "init_norm_sq": bad_positive, "eps": bad_positive})

test_valid_eq7 = make_valid_test(B.eq7_t2_lower, t2_args(), _t2_check,
                                 call=lambda **kw: float(B.eq7_t2_lower(**kw)),
                                 allow=("result",))
test_invalid_eq7 = make_invalid_test(B.eq7_t2_lower, t2_args(), T2_BAD)
test_valid_pre_t2 = make_valid_test(B.pre_taylor_t2_lower, t2_args(True), _t2_check,
                                    call=lambda **kw: float(B.pre_taylor_t2_lower(**kw)),
                                    allow=("result",))
test_invalid_pre_t2 = make_invalid_test(B.pre_taylor_t2_lower, t2_args(True), T2_BAD)

pre_t1_valid = st.fixed_dictionaries({
    "eps": st.floats(1e-4, 1.0), "lbar": st.floats(1e-3, 10.0),
    "init_norm_sq": st.floats(1e-3, 1e4), "rho": st.floats(1e-3, 1 - 1e-9)})
test_valid_pre_t1 = make_valid_test(B.pre_taylor_t1_upper, pre_t1_valid)
test_invalid_pre_t1 = make_invalid_test(B.pre_taylor_t1_upper, pre_t1_valid, {
    "eps": bad_positive, "lbar": bad_positive, "init_norm_sq": bad_positive,
    "rho": st.sampled_from([0.0, 1.0, 1.5, -0.5, float("nan"), None, "0.5"])})


@st.composite
def eq8_t1_args(draw):
    n, m = draw(sizes())
    return {"n": n, "m": m, "nu2": draw(positive), "eps": draw(st.floats(1e-4, 1.0)),
            "eta": draw(st.floats(1e-3, 10.0)),
            "lmin_plus": draw(st.one_of(st.none(), st.floats(1e-3, 10.0)))}


test_valid_eq8_t1 = make_valid_test(B.eq8_t1_upper, eq8_t1_args())
test_invalid_eq8_t1 = make_invalid_test(B.eq8_t1_upper, eq8_t1_args(), {
    "n": bad_positive, "m": bad_positive, "nu2": bad_positive, "eps": bad_positive,
    "eta": bad_positive, "lmin_plus": bad_positive.filter(lambda v: v is not None)})


@st.composite
def eq8_t2_args(draw):
    a = draw(t2_args())
    return {k: a[k] for k in ("n", "m", "nu2", "eta", "lam")} | {"eps": a["c"]}


test_valid_eq8_t2 = make_valid_test(B.eq8_t2_lower, eq8_t2_args(), _t2_check,
                                    call=lambda **kw: float(B.eq8_t2_lower(**kw)),
                                    allow=("result",))
test_invalid_eq8_t2 = make_invalid_test(B.eq8_t2_lower, eq8_t2_args(), {
    "n": bad_positive, "m": bad_positive, "nu2": bad_positive, "eps": bad_positive,
    "eta": bad_positive, "lam": bad_nonnegative})

mp_valid = st.one_of(st.fixed_dictionaries({"n": counts, "m": counts}),
                     st.fixed_dictionaries({"n": positive, "m": positive}))
test_valid_mp = make_valid_test(
    B.marchenko_pastur_lmin, mp_valid,
    lambda out, n, m: out >= 0 and (out == 0) == (n == m))
test_invalid_mp = make_invalid_test(B.marchenko_pastur_lmin, mp_valid,
                                    {"n": bad_positive, "m": bad_positive})


@settings(max_examples=40)
@covers(B.eq8_t2_lower, B.eq8_t1_upper)
@given(args=t2_args(), k=st.integers(2, 5))
def test_vectorised_formulas_equal_their_scalar_calls(args, k):
    # an array argument gives elementwise the scalar results (and checks every entry)
    lam = np.linspace(args["lam"], args["lam"] + 1e-3, k)
    vec = B.eq8_t2_lower(args["n"], args["m"], args["nu2"], args["c"], args["eta"], lam)
    for j in range(k):
        assert vec[j] == B.eq8_t2_lower(args["n"], args["m"], args["nu2"], args["c"],
                                        args["eta"], float(lam[j]))
    bad = lam.copy()
    bad[-1] = -1.0
    rejects(lambda: B.eq8_t2_lower(args["n"], args["m"], args["nu2"], args["c"],
                                   args["eta"], bad), "lam")


# --------------------------------------------------------------------------- problems
@st.composite
def problems(draw, null_space=False, zero_teacher=None):
    n = draw(st.integers(1, 12))
    m = n + draw(st.integers(1, 30)) if null_space else draw(st.integers(1, 40))
    tn = 0.0 if zero_teacher else draw(st.floats(0.0, 2.0))
    return P.sample_problem(n=n, m=m, nu2=draw(st.floats(0.05, 4.0)), teacher_norm=tn,
                            seed=draw(st.integers(0, 2 ** 20)))


@st.composite
def settings_for(draw, prob, lam=None):
    """A converging (lam, eta) for ``prob``."""
    lam = draw(weight_decay) if lam is None else lam
    lmax = prob.spectrum.lmax / prob.n
    eta = draw(st.floats(0.05, 0.95)) * 2.0 / (lmax + lam + 1e-12)
    eta = min(eta, 0.9 * 2.0 / lam) if lam > 0 else eta
    return lam, eta


@st.composite
def report_args(draw, null_space=False, positive_lam=False):
    prob = draw(problems(null_space=null_space))
    lam, eta = draw(settings_for(prob, lam=draw(st.floats(1e-6, 1e-2)) if positive_lam
                                 else None))
    return {"problem": prob, "lam": lam, "eta": eta, "eps": draw(st.floats(1e-3, 0.5)),
            "c": draw(st.floats(1e-3, 0.5))}


def _report_check(rep, lam, **kw):
    for b in rep.bounds().values():
        if b.value is None:
            assert b.reason, b.name                      # None always says why
        elif not math.isfinite(b.value):
            # documented: only the t2-side bounds at lam = 0, with the assumption named
            assert lam == 0 and b.quantity != "t1" and "thm42_positive_weight_decay" in b.failed
            assert b.reason
    for c in rep.conditions.values():
        assert isinstance(c.satisfied, bool)


@st.composite
def bounds_args(draw):
    args = draw(report_args())
    return args | {"delta": draw(st.floats(1e-6, 1 - 1e-6)), "warn": draw(st.booleans())}


test_valid_bounds_report = make_valid_test(B.bounds_report, bounds_args(), _report_check,
                                           allow=("result",), max_examples=25)
test_invalid_bounds_report = make_invalid_test(B.bounds_report, bounds_args(), {
    "lam": bad_nonnegative, "eta": bad_positive, "eps": bad_positive, "c": bad_positive,
    "delta": bad_unit, "problem": st.sampled_from([None, 3.0, "problem"])})

conditions_args = report_args().map(lambda a: a | {"delta": 0.05})
test_valid_conditions = make_valid_test(B.conditions, conditions_args, allow=(
    "result.thm44_step_size.rhs", "result.thm45_step_size.rhs", "result.thm41_step_size.rhs",
    "result.thm42_step_size.rhs", "result.thm42_overparameterization.rhs",
    "result.thm42_weight_decay.rhs"))
test_invalid_conditions = make_invalid_test(B.conditions, conditions_args, {
    "lam": bad_nonnegative, "eta": bad_positive, "eps": bad_positive, "c": bad_positive,
    "delta": bad_unit, "problem": st.sampled_from([None, 1.0])})


@st.composite
def thm41_args(draw, with_nu2=False):
    prob = draw(problems(null_space=True, zero_teacher=True))
    lam, eta = draw(settings_for(prob))
    out = {"spectrum": prob, "lam": lam, "eta": eta,
           "t": draw(st.lists(st.integers(0, 10 ** 12), min_size=1, max_size=5))}
    if with_nu2:
        out["nu2"] = draw(st.floats(0.0, 4.0))
    return out


THM41_BAD = {"lam": bad_nonnegative, "eta": bad_positive,
             "t": st.sampled_from([-1, 2.5, 10 ** 19, "t", [1, -2]]),
             "spectrum": st.sampled_from([None, 1.0])}
for _f, _nu2 in ((B.thm41_train_upper, False), (B.thm41_norm_upper, False),
                 (B.thm41_test_lower, True)):
    _bad = THM41_BAD | ({"nu2": bad_nonnegative} if _nu2 else {})
    globals()[f"test_valid_{_f.__name__}"] = make_valid_test(
        _f, thm41_args(_nu2), lambda out, **kw: np.all(out >= 0), max_examples=20)
    globals()[f"test_invalid_{_f.__name__}"] = make_invalid_test(_f, thm41_args(_nu2), _bad)


# --------------------------------------------------------------------------- control
@st.composite
def control_formula_args(draw):
    n, m = draw(sizes())
    return {"n": n, "m": m, "nu2": draw(positive), "eps": draw(st.floats(1e-4, 1.0)),
            "lmin_plus": draw(st.one_of(st.none(), st.floats(1e-3, 10.0)))}


test_valid_lam_star = make_valid_test(C.lam_star, control_formula_args())
test_invalid_lam_star = make_invalid_test(C.lam_star, control_formula_args(), {
    "n": bad_positive, "m": bad_positive, "nu2": bad_positive, "eps": bad_positive,
    "lmin_plus": bad_positive.filter(lambda v: v is not None)})

vac_args = control_formula_args().map(lambda a: {k: a[k] for k in ("n", "m", "eps")})
test_valid_vacuity = make_valid_test(
    C.nu2_vacuity_threshold, vac_args,
    lambda out, n, m, eps: B.eq8_t2_lower(n, m, out, eps, 1.0, 1e-4) == pytest.approx(
        0, abs=1e-6 * max(1.0, 1 / 1e-4)))
test_invalid_vacuity = make_invalid_test(C.nu2_vacuity_threshold, vac_args,
                                         {"n": bad_positive, "m": bad_positive,
                                          "eps": bad_positive})


@st.composite
def estimate_args(draw):
    a = draw(t2_args(pre_taylor=True))
    return {"n": a["n"], "m": a["m"], "nu2": a["nu2"], "c": a["c"], "eta": a["eta"],
            "lam": a["lam"], "teacher_norm": a["teacher_norm"],
            "sigma": draw(st.one_of(st.none(), st.floats(1e-6, 1.0)))}


def _estimate_check(out, lam, **kw):
    # documented: inf ("never") when the floor is at or above c, or lam = 0 below the start
    assert out >= 0 and (math.isfinite(out) or out == math.inf)


test_valid_estimate = make_valid_test(C.t2_point_estimate, estimate_args(), _estimate_check,
                                      allow=("result",))
test_invalid_estimate = make_invalid_test(C.t2_point_estimate, estimate_args(), {
    "n": bad_positive, "m": bad_positive, "nu2": bad_positive, "c": bad_positive,
    "eta": bad_positive, "lam": bad_nonnegative, "teacher_norm": bad_nonnegative,
    "sigma": bad_positive})

elast_args = control_formula_args().map(
    lambda a: {k: a[k] for k in ("n", "m", "nu2", "eps")} | {"lmin_model": "fixed"})
test_valid_elasticities = make_valid_test(C.eq8_elasticities, elast_args)
test_invalid_elasticities = make_invalid_test(C.eq8_elasticities, elast_args, {
    "n": bad_positive, "m": bad_positive, "nu2": bad_positive, "eps": bad_positive,
    "lmin_model": bad_choice})

CONTROL_BAD = {"lam": bad_nonnegative, "eta": bad_positive, "eps": bad_positive,
               "c": bad_positive, "problem": st.sampled_from([None, 2.0])}
slow_args = report_args(null_space=True, positive_lam=True)
test_valid_exact_elasticities = make_valid_test(C.exact_elasticities, slow_args,
                                                max_examples=4)
test_invalid_exact_elasticities = make_invalid_test(C.exact_elasticities, slow_args,
                                                    CONTROL_BAD | {"rel_step": bad_positive},
                                                    max_examples=15)
test_valid_onset = make_valid_test(C.grokking_onset_nu2, slow_args, max_examples=3)
test_invalid_onset = make_invalid_test(C.grokking_onset_nu2, slow_args, CONTROL_BAD | {
    "lower": bad_positive, "upper": bad_positive, "rtol": bad_positive}, max_examples=15)
test_valid_control = make_valid_test(C.control_report, slow_args, max_examples=3,
                                     allow=("result.t2_point_estimate",))
test_invalid_control = make_invalid_test(C.control_report, slow_args, CONTROL_BAD,
                                         max_examples=15)


# --------------------------------------------------------------------------- dynamics
def _losses_finite(dyn, **kw):
    t = np.array([0, 1, 10, 1000, 10 ** 6, 10 ** 12])
    assert_finite(dyn.train_loss(t))
    assert_finite(dyn.population_loss(t))
    assert np.all(dyn.train_loss(t) >= 0) and np.all(dyn.population_loss(t) >= 0)


@st.composite
def dyn_args(draw, positive_lam=True):
    prob = draw(problems())
    lam, eta = draw(settings_for(prob, lam=draw(st.floats(1e-6, 1e-2)) if positive_lam
                                 else None))
    return {"problem": prob, "lam": lam, "eta": eta}


test_valid_dynamics = make_valid_test(D.dynamics, dyn_args(False), _losses_finite,
                                      allow=("result",))
test_invalid_dynamics = make_invalid_test(D.dynamics, dyn_args(), {
    "lam": bad_nonnegative, "eta": bad_positive, "problem": st.sampled_from([None, "p"])})
avg_args = dyn_args().map(lambda a: a | {"nu2": 0.5})
test_valid_averaged = make_valid_test(D.init_averaged_dynamics, avg_args, _losses_finite,
                                      allow=("result",))
test_invalid_averaged = make_invalid_test(D.init_averaged_dynamics, avg_args, {
    "lam": bad_nonnegative, "eta": bad_positive,
    "nu2": bad_nonnegative.filter(lambda v: v is not None)})   # None: the problem's nu2


@settings(max_examples=30)
@covers(D.compute_spectrum)
@given(prob=problems())
def test_compute_spectrum_properties(prob):
    spec = D.compute_spectrum(prob)
    assert_finite(spec)
    # ||theta(0)||^2 splits into row and null parts (Pythagoras), up to rounding
    total = float(spec.init_coords @ spec.init_coords) + spec.null_init_sq
    assert total == pytest.approx(spec.init_norm_sq, rel=1e-9, abs=1e-12)
    assert spec.rank <= min(prob.n, prob.m) and np.all(spec.eigenvalues > 0)
    rejects(lambda: D.compute_spectrum(None), "problem")


@settings(max_examples=15)
@covers(D.compute_spectra)
@given(probs=st.lists(problems(), min_size=1, max_size=4))
def test_compute_spectra_equals_one_by_one(probs):
    fresh = [P.RidgeProblem(features=p.features, teacher=p.teacher, init=p.init,
                            feature_variance=p.feature_variance) for p in probs]
    for batched, p in zip(D.compute_spectra(fresh), probs):
        one = D.compute_spectrum(p)
        assert_finite(batched)
        np.testing.assert_array_equal(batched.eigenvalues, one.eigenvalues)
    rejects(lambda: D.compute_spectra([None]), "problem")


# --------------------------------------------------------------------------- problem
sample_args = st.fixed_dictionaries({
    "n": st.integers(1, 20), "m": st.integers(1, 50), "nu2": st.floats(0.0, 4.0),
    "teacher_norm": st.floats(0.0, 3.0), "seed": st.integers(0, 2 ** 31)})
many_args = st.tuples(sample_args, st.lists(st.integers(0, 2 ** 31), min_size=1,
                                            max_size=4)).map(
    lambda a: {k: v for k, v in a[0].items() if k != "seed"} | {"seeds": a[1]})
test_valid_sample_many = make_valid_test(
    P.sample_problems, many_args,
    lambda ps, seeds, **kw: all(np.array_equal(
        p.init, P.sample_problem(seed=s, **kw).init) for p, s in zip(ps, seeds)))
test_invalid_sample_many = make_invalid_test(P.sample_problems, many_args, {
    "n": bad_count, "m": bad_count, "nu2": bad_nonnegative, "teacher_norm": bad_nonnegative,
    "seeds": st.sampled_from([[], [-1], [2.5], "0", None])}, aliases={"seeds": "seed"})
test_valid_sample = make_valid_test(P.sample_problem, sample_args)
test_invalid_sample = make_invalid_test(P.sample_problem, sample_args, {
    "n": bad_count, "m": bad_count, "nu2": bad_nonnegative, "teacher_norm": bad_nonnegative,
    "seed": st.sampled_from([-1, 2.5, "0", True])})


@st.composite
def problem_kwargs(draw):
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    return {"features": rng.normal(size=(n, m)), "teacher": rng.normal(size=m),
            "init": rng.normal(size=m),
            "feature_variance": draw(st.one_of(st.none(), st.floats(1e-3, 2.0))),
            "feature_model": draw(st.sampled_from(["gaussian", "custom"]))}


test_valid_ridge_problem = make_valid_test(P.RidgeProblem, problem_kwargs(),
                                           lambda p, **kw: assert_finite(p.spectrum))
test_invalid_ridge_problem = make_invalid_test(P.RidgeProblem, problem_kwargs(), {
    "features": st.sampled_from([[[np.nan]], [1.0, 2.0], "x"]),
    "teacher": st.sampled_from([[np.inf], [[1.0]], [1.0] * 99]),
    "init": st.sampled_from([[np.nan], [1.0] * 99]),
    "feature_variance": bad_positive, "feature_model": bad_choice})


@settings(max_examples=30)
@covers(P.seed_sequence)
@given(seed=st.one_of(st.none(), st.integers(0, 2 ** 64)))
def test_seed_sequence(seed):
    ss = P.seed_sequence(seed)
    assert P.seed_sequence(ss) is ss
    if seed is not None:
        assert ss.entropy == seed
    for bad in (-1, 1.5, "3", True):
        rejects(lambda bad=bad: P.seed_sequence(bad), "seed")


# --------------------------------------------------------------------------- times
@st.composite
def times_args(draw):
    a = draw(dyn_args(positive_lam=False))            # lam = 0 included
    return a | {"eps": draw(st.floats(1e-3, 0.5)), "c": draw(st.floats(1e-3, 0.5))}


def _times_check(res, **kw):
    assert res.t1 is None or res.t1 >= -1
    assert res.t2 is None or res.t2 >= 0


TIMES_BAD = {"lam": bad_nonnegative, "eta": bad_positive, "eps": bad_positive,
             "c": bad_positive}
test_valid_times = make_valid_test(T.grokking_times, times_args(), _times_check,
                                   max_examples=20)


@st.composite
def many_times_args(draw):
    a = draw(times_args())
    prob = a.pop("problem")
    others = [P.sample_problem(n=prob.n, m=prob.m, nu2=prob.nu2 or 1.0, seed=s)
              for s in draw(st.lists(st.integers(0, 2 ** 20), max_size=3))]
    probs = [prob] + others
    # one eta that converges for every problem of the batch
    worst = max(p.spectrum.lmax / p.n for p in probs) + a["lam"]
    return a | {"problems": probs, "eta": min(a["eta"], 1.9 / worst)}


def _many_check(res, problems, **kw):
    # equal to the one-by-one results
    for r, p in zip(res, problems):
        assert r == T.grokking_times(p, **kw)


test_valid_times_many = make_valid_test(T.grokking_times_many, many_times_args(),
                                        _many_check, max_examples=15)
test_invalid_times_many = make_invalid_test(T.grokking_times_many, many_times_args(), {
    **TIMES_BAD, "problems": st.sampled_from([[None], [1.0], None, "p"])},
    aliases={"problems": "problem"})


@st.composite
def seeds_times_args(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 40))
    prob = P.sample_problem(n=n, m=m, nu2=1.0, seed=0)
    lam, eta = draw(settings_for(prob))
    return {"n": n, "m": m, "nu2": 1.0, "seeds": draw(st.lists(st.integers(0, 99),
                                                               min_size=1, max_size=3)),
            "lam": lam, "eta": 0.5 * eta, "eps": draw(st.floats(1e-3, 0.5)),
            "c": draw(st.floats(1e-3, 0.5))}


test_valid_times_seeds = make_valid_test(
    T.times_for_seeds, seeds_times_args(), lambda res, seeds, **kw: len(res) == len(seeds),
    max_examples=10)
test_invalid_times_seeds = make_invalid_test(T.times_for_seeds, seeds_times_args(), {
    **TIMES_BAD, "n": bad_count, "m": bad_count, "nu2": bad_nonnegative,
    "seeds": st.sampled_from([[], [-1], "0", None])}, aliases={"seeds": "seed"})
test_invalid_times = make_invalid_test(T.grokking_times, times_args(), TIMES_BAD)

def _only(*keys):
    return times_args().map(lambda a: {k: a[k] for k in keys})


test_valid_t1 = make_valid_test(T.overfitting_time, _only("problem", "lam", "eta", "eps"),
                                max_examples=15)
test_invalid_t1 = make_invalid_test(T.overfitting_time, _only("problem", "lam", "eta", "eps"),
                                    {k: TIMES_BAD[k] for k in ("lam", "eta", "eps")})
test_valid_t2 = make_valid_test(T.generalization_time, _only("problem", "lam", "eta", "c"),
                                max_examples=15)
test_invalid_t2 = make_invalid_test(T.generalization_time, _only("problem", "lam", "eta", "c"),
                                    {k: TIMES_BAD[k] for k in ("lam", "eta", "c")})


# --------------------------------------------------------------------------- symbolic
EXPRESSIONS = [Y.envelope_test_loss, Y.envelope_train_loss, Y.lam_star, Y.marchenko_pastur_lmin,
               Y.nu2_vacuity_threshold, Y.rho_definition, Y.t1_upper_eq6, Y.t1_upper_eq8,
               Y.t1_upper_pre_taylor, Y.t2_lower_eq7, Y.t2_lower_eq8, Y.t2_lower_pre_taylor,
               Y.t2_point_estimate]


@covers(*EXPRESSIONS)
@pytest.mark.parametrize("func", EXPRESSIONS, ids=lambda f: f.__name__)
def test_symbolic_expressions_are_finite(func):
    expr = func()
    assert isinstance(expr, sp.Expr)
    assert not expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo)
    # the LaTeX and the numeric form exist for every expression
    assert Y.to_latex(expr)
    f = Y.numeric(expr)
    vals = {"n": 100.0, "m": 1000.0, "nu2": 1.0, "eps": 0.01, "c": 0.01, "eta": 1.0,
            "lam": 1e-4, "lmin_plus": 0.45, "b2": 1.1, "init_norm_sq": 1000.0,
            "sigma_min": 1e-3, "teacher_norm": 1.0, "lbar": 1.0, "rho": 0.995, "t": 10.0}
    assert math.isfinite(float(f(**{k: vals[k] for k in f.args})))


@covers(Y.to_latex, Y.numeric)
def test_symbolic_helpers():
    assert "ln" in Y.to_latex(Y.lam_star(), ln_notation=True)
    f = Y.numeric(Y.nu2_vacuity_threshold())
    assert f(n=100, m=1000, eps=0.01) == pytest.approx(8 * 1000 * 0.01 / 900, rel=1e-15)


def test_symbolic_numeric_refuses_a_non_expression():
    rejects(lambda: Y.numeric(None), "expr")


@settings(max_examples=10)
@covers(Y.taylor_validity)
@given(k=st.floats(1.001, 4.0))
def test_taylor_validity(k):
    x = Y.taylor_validity(k)
    assert 0 < x < 1 and -math.log1p(-x * 0.999) <= k * x * 0.999 + 1e-15


@covers(Y.solve_for, Y.elasticities)
def test_solve_for_and_elasticities():
    (sol,) = Y.solve_for(Y.nu2_vacuity_threshold(), "eps", 1)
    assert sp.simplify(Y.nu2_vacuity_threshold().subs(Y.SYMBOLS.eps, sol) - 1) == 0
    e = Y.elasticities(("eta", "lam"))
    assert e["t2"]["lam"] == -1 and e["t1"]["lam"] == 0


# --------------------------------------------------------------------------- boundary
@covers(BD.boundary_equation, BD.boundary_expression, BD.boundary_report)
@pytest.mark.parametrize("solve_for", BD.SOLVE_FOR)
def test_boundary(solve_for):
    eq = BD.boundary_equation()
    assert isinstance(eq, sp.Equality) and not eq.has(sp.zoo, sp.nan)
    expr = BD.boundary_expression(solve_for)
    assert isinstance(expr, sp.Expr) and not expr.has(sp.zoo, sp.nan)
    rep = BD.boundary_report(solve_for, latex=False)
    assert rep["solve_for"] == solve_for and rep["latex"] is None
    assert_finite(rep)
    if solve_for == "lam":
        # second method: the boundary in lam is Eq. (8) t2 bound = t1 bound (lam_star)
        f = Y.numeric(expr)
        kw = {"n": 100.0, "m": 1000.0, "nu2": 1.0, "eps": 0.01, "lmin_plus": 0.45}
        assert float(f(**{k: kw[k] for k in f.args})) == pytest.approx(
            C.lam_star(100, 1000, 1.0, 0.01, 0.45), rel=1e-12)
    for bad in ("eta", None, 3):
        rejects(lambda bad=bad: BD.boundary_expression(bad), "solve_for")
