"""The symbolic layer (derived in sympy) agrees with the numeric layer.

The numeric layer (:mod:`theory.ridge.bounds`, :mod:`theory.ridge.control`)
types each formula; the symbolic layer derives it from the dynamics.  They are
independent code paths, so agreement to 1e-12 relative is a real check.
"""

import inspect
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from theory.ridge import bounds as B
from theory.ridge import control as C
from theory.ridge import symbolic as Y

S = Y.SYMBOLS
RTOL = 1e-12


def _log_arguments(d):
    """Arguments of every logarithm in the bounds under test (plain numpy)."""
    shift = (np.sqrt(d["c"] / d["sigma_min"]) + d["teacher_norm"]) ** 2
    return [(d["m"] - d["n"]) * d["nu2"] / (8 * d["m"] * d["eps"]),
            (d["m"] - d["n"]) * d["nu2"] / 2 / shift,
            6 * d["b2"] * d["init_norm_sq"] / d["eps"],
            d["eps"] / (6 * d["lbar"] * d["init_norm_sq"])]


def _draws(k=400, seed=0):
    """Seeded random parameters, kept away from log arguments near 1.

    Near a vacuity boundary ``ln(arg) ~ 0`` and any float64 evaluation loses
    ``~1e-16/|ln arg|`` relative accuracy, whatever the order of operations;
    those draws say nothing about the formulas, so they are dropped.
    """
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 500, k).astype(float)

    def loguniform(lo, hi):
        return np.exp(rng.uniform(np.log(lo), np.log(hi), k))

    d = {"n": n, "m": np.round(n * rng.uniform(1.5, 30, k)), "nu2": loguniform(0.3, 20),
         "eps": loguniform(1e-3, 0.1), "c": loguniform(1e-3, 0.1),
         "eta": rng.uniform(0.05, 2.0, k), "lam": loguniform(1e-6, 1e-2),
         "sigma_min": loguniform(1e-4, 0.1), "teacher_norm": rng.uniform(0, 2, k),
         "lmin_plus": rng.uniform(0.05, 2, k), "b2": rng.uniform(0.5, 2, k),
         "init_norm_sq": loguniform(1, 3000), "lbar": rng.uniform(0.5, 2, k),
         "rho": rng.uniform(0.9, 0.9999, k)}
    keep = np.all([np.abs(np.log(a)) > 0.05 for a in _log_arguments(d)], axis=0)
    assert keep.sum() > k // 2
    return {key: v[keep] for key, v in d.items()}


DRAWS = _draws()


def _call(f, d):
    return f(**{k: d[k] for k in f.args})


# (symbolic, numeric function); the numeric one is called with the same keywords
PAIRS = [
    (Y.t2_lower_pre_taylor, B.pre_taylor_t2_lower),
    (Y.t2_lower_eq7, B.eq7_t2_lower),
    (Y.t2_lower_eq8, B.eq8_t2_lower),
    (Y.t1_upper_pre_taylor, B.pre_taylor_t1_upper),
    (Y.t1_upper_eq6, B.eq6_t1_upper),
    (Y.t1_upper_eq8, B.eq8_t1_upper),
    (Y.lam_star, C.lam_star),
    (Y.nu2_vacuity_threshold, C.nu2_vacuity_threshold),
]
IDS = [p[0].__name__ for p in PAIRS]


@pytest.fixture(scope="module")
def compiled():
    return {sym.__name__: Y.numeric(sym()) for sym, _ in PAIRS}


@pytest.mark.parametrize("symbolic,numeric", PAIRS, ids=IDS)
def test_symbolic_equals_numeric(symbolic, numeric, compiled):
    f = compiled[symbolic.__name__]
    # same parameters, by the numeric layer's own names
    assert set(f.args) == set(inspect.signature(numeric).parameters)
    kw = {k: DRAWS[k] for k in f.args}
    np.testing.assert_allclose(f(**kw), numeric(**kw), rtol=RTOL)


@pytest.mark.parametrize("symbolic,numeric", PAIRS, ids=IDS)
def test_positional_order_is_argument_order(symbolic, numeric, compiled):
    f = compiled[symbolic.__name__]
    order = [s.name for s in Y.ARGUMENT_ORDER]
    assert list(f.args) == sorted(f.args, key=order.index)
    signature = tuple(inspect.signature(numeric).parameters)
    if numeric is B.eq6_t1_upper:    # the documented exception: eps last in the numeric layer
        assert f.args == ("n", "eps", "eta", "lmin_plus", "b2", "init_norm_sq") != signature
        return
    assert f.args == signature
    args = [DRAWS[k] for k in f.args]
    np.testing.assert_allclose(f(*args), numeric(*args), rtol=RTOL)


def test_point_estimate_symbolic_equals_numeric():
    default = Y.numeric(Y.t2_point_estimate())          # sigma = 1/m
    general = Y.numeric(Y.t2_point_estimate(S.sigma))
    assert "sigma" not in default.args and "sigma" in general.args
    assert default.args == tuple(inspect.signature(C.t2_point_estimate).parameters)[:-1]
    cases = [(100, 1000, 1.0, 0.01, 1.0, 1e-4, 1.0), (50, 2000, 3.0, 0.02, 0.5, 1e-3, 0.5),
             (20, 100, 0.5, 0.01, 2.0, 1e-5, 0.0), (300, 3000, 2.0, 0.005, 1.0, 1e-6, 1.2)]
    for n, m, nu2, c, eta, lam, tn in cases:
        kw = {"n": n, "m": m, "nu2": nu2, "c": c, "eta": eta, "lam": lam, "teacher_norm": tn}
        num = C.t2_point_estimate(**kw)
        assert 0 < num < np.inf
        assert float(default(**kw)) == pytest.approx(num, rel=RTOL)
        for sigma in (0.5 / m, 2.0 / m):
            num = C.t2_point_estimate(**kw, sigma=sigma)
            assert float(general(**kw, sigma=sigma)) == pytest.approx(num, rel=RTOL)


def test_spec_targets_from_the_symbolic_side():
    vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: sp.Rational(1, 100), S.eta: 1}
    eq8 = Y.t2_lower_eq8().subs(vals)
    assert float(eq8.subs(S.lam, sp.Rational(1, 10 ** 4))) == pytest.approx(11982.02, abs=0.005)
    assert float(eq8.subs(S.lam, sp.Rational(1, 2 ** 15))) == pytest.approx(39262.68, abs=0.005)
    eq7 = Y.t2_lower_eq7().subs({S.n: 100, S.m: 1000, S.nu2: 1, S.c: sp.Rational(1, 100),
                                 S.eta: 1, S.lam: sp.Rational(1, 10 ** 4),
                                 S.sigma_min: sp.Rational(1, 1000), S.teacher_norm: 1})
    assert float(eq7) == pytest.approx(8142.81, abs=0.005)
    # the point estimate sits in the spec's exact-GD range of t2 at the defaults
    est = Y.t2_point_estimate().subs({S.n: 100, S.m: 1000, S.nu2: 1, S.c: sp.Rational(1, 100),
                                      S.eta: 1, S.lam: sp.Rational(1, 10 ** 4),
                                      S.teacher_norm: 1})
    assert 22_900 <= float(est) <= 23_100


def test_closed_forms_are_the_papers():
    # what sympy derives, compared with the paper's printed formulas (spec)
    n, m, nu2, eps, eta, lam, lmin = S.n, S.m, S.nu2, S.eps, S.eta, S.lam, S.lmin_plus
    paper = {
        Y.t2_lower_eq8: sp.log((m - n) * nu2 / (8 * m * eps))
        / (sp.Rational(202, 100) * eta * lam),
        Y.t1_upper_eq8: n * sp.log(14 * m * nu2 / eps) / (2 * eta * lmin),
        Y.t1_upper_eq6: n * sp.log(6 * S.b2 * S.init_norm_sq / eps) / (2 * eta * lmin),
        Y.t2_lower_eq7: sp.log((m - n) * nu2 / 2 * (sp.sqrt(S.c / S.sigma_min)
                                                    + S.teacher_norm) ** -2) / (4 * eta * lam),
        Y.t1_upper_pre_taylor: sp.log(eps / (6 * S.lbar * S.init_norm_sq)) / 2 / sp.log(S.rho),
        Y.t2_lower_pre_taylor: sp.log(sp.sqrt(2 / ((m - n) * nu2))
                                      * (sp.sqrt(S.c / S.sigma_min) + S.teacher_norm))
        / sp.log(1 - eta * lam),
        Y.lam_star: 2 * lmin * sp.log((m - n) * nu2 / (8 * m * eps))
        / (sp.Rational(202, 100) * n * sp.log(14 * m * nu2 / eps)),
        Y.nu2_vacuity_threshold: 8 * m * eps / (m - n),
    }
    for func, expected in paper.items():
        assert sp.simplify(sp.expand_log(func() - expected, force=True)) == 0, func.__name__


def test_bounds_solve_their_envelopes():
    # the pre-Taylor bounds are exactly where the envelopes cross the thresholds
    env = Y.envelope_test_loss().subs(S.t, Y.t2_lower_pre_taylor())
    assert sp.simplify(env - sp.sqrt(S.c)) == 0
    env = Y.envelope_train_loss().subs(S.t, Y.t1_upper_pre_taylor())
    assert sp.simplify(env - S.eps) == 0
    loss = (S.sigma * ((1 - S.eta * S.lam) ** (2 * S.t) * (S.m - S.n) * S.nu2
                       + (S.m - S.n) / S.m * S.teacher_norm ** 2))
    est = loss.subs(S.t, Y.t2_point_estimate(S.sigma))
    assert sp.simplify(est - S.c) == 0


def test_taylor_steps_go_the_right_way():
    # each relaxation must weaken the bound where its step is valid (seeded grid)
    d = DRAWS
    pre_t2 = Y.numeric(Y.t2_lower_pre_taylor())
    eq7 = Y.numeric(Y.t2_lower_eq7())
    pre = _call(pre_t2, d)
    ok = (d["eta"] * d["lam"] <= 0.5) & (pre > 0)
    assert ok.sum() > 50
    assert np.all(_call(eq7, d)[ok] <= pre[ok])

    gauss = dict(d, c=d["eps"], sigma_min=1 / d["m"], teacher_norm=np.ones_like(d["m"]))
    pre = _call(pre_t2, gauss)
    eq8 = _call(Y.numeric(Y.t2_lower_eq8()), d)
    ok = (d["eta"] * d["lam"] <= 0.01) & (d["eps"] * d["m"] >= 1) & (pre > 0)
    assert ok.sum() > 50
    assert np.all(eq8[ok] <= pre[ok])

    rho = 1 - d["eta"] * (d["lmin_plus"] / d["n"] + d["lam"])
    np.testing.assert_allclose(
        Y.numeric(Y.rho_definition())(**{k: d[k] for k in ("n", "eta", "lam", "lmin_plus")}),
        rho, rtol=RTOL)
    lbar = d["b2"] * np.minimum(d["lbar"] / d["b2"], 1)          # Lbar <= b^2
    pre = _call(Y.numeric(Y.t1_upper_pre_taylor()), dict(d, rho=rho, lbar=lbar))
    eq6 = _call(Y.numeric(Y.t1_upper_eq6()), d)
    ok = (rho > 0) & (d["eps"] < 6 * lbar * d["init_norm_sq"])
    assert ok.sum() > 50
    assert np.all(eq6[ok] >= pre[ok] * (1 - 1e-12))


def test_thresholds_are_exact_solutions():
    # lam* makes the two Eq. (8) bounds equal, whatever eta is
    diff = (Y.t2_lower_eq8() - Y.t1_upper_eq8()).subs(S.lam, Y.lam_star())
    assert sp.simplify(diff) == 0
    assert S.eta not in Y.lam_star().free_symbols
    assert sp.simplify(Y.t2_lower_eq8().subs(S.nu2, Y.nu2_vacuity_threshold())) == 0


def test_elasticities_exact_values():
    e = Y.elasticities()
    assert e["t2"]["lam"] == -1 and e["t2"]["eta"] == -1
    assert e["t1"]["lam"] == 0 and e["t1"]["eta"] == -1 and e["t1"]["n"] == 1
    assert sp.simplify(e["t2"]["n"] + e["t2"]["m"]) == 0      # t2 depends on n/m only


@pytest.mark.parametrize("model", ["fixed", "marchenko_pastur"])
def test_elasticities_match_numeric(model):
    lmin = None if model == "fixed" else Y.marchenko_pastur_lmin()
    e = Y.elasticities(lmin_plus=lmin)
    for n, m, nu2, eps in [(100, 1000, 1.0, 0.01), (30, 3000, 5.0, 0.001), (200, 500, 2.0, 0.05)]:
        vals = {S.n: n, S.m: m, S.nu2: nu2, S.eps: eps}
        num = C.eq8_elasticities(n, m, nu2, eps, lmin_model=model)
        for q in ("t1", "t2"):
            for p in ("eta", "lam", "nu2", "n", "m"):
                assert float(e[q][p].subs(vals)) == pytest.approx(num[q][p], rel=RTOL, abs=1e-15)


def test_taylor_validity_ranges():
    # -ln(1-x) <= k x holds on [0, x*] and fails just beyond
    for k in (2, 1.01):
        x = Y.taylor_validity(k)
        assert -np.log1p(-x * 0.999) <= k * x * 0.999
        assert -np.log1p(-x * 1.001) > k * x * 1.001
    assert Y.taylor_validity(2) > 0.5          # Eq. (7)'s eta lam <= 1/2 is inside
    assert Y.taylor_validity(1.01) > 0.01      # Eq. (8)'s eta lam <= 0.01 is inside


def test_solve_for_round_trip():
    expr = Y.t2_lower_eq7()
    vals = {S.n: 100, S.m: 1000, S.nu2: 2, S.c: sp.Rational(1, 100), S.eta: 1,
            S.sigma_min: sp.Rational(1, 1000), S.teacher_norm: 1}
    # which lam makes the Eq. (7) bound equal 1e5 steps?
    (lam,) = Y.solve_for(expr.subs(vals), "lam", target=10 ** 5)
    assert lam.is_positive
    assert float(expr.subs(vals).subs(S.lam, lam)) == pytest.approx(10 ** 5, rel=RTOL)
    # and numerically through the numeric layer
    kw = {k.name: float(v) for k, v in vals.items()}
    assert B.eq7_t2_lower(**kw, lam=float(lam)) == pytest.approx(10 ** 5, rel=RTOL)
    # nu2 for a given bound, then back
    at = {k: v for k, v in vals.items() if k is not S.nu2}
    fixed = expr.subs(at).subs(S.lam, sp.Rational(1, 10 ** 4))
    (nu2,) = Y.solve_for(fixed, S.nu2, 10_000)
    assert nu2.is_positive
    assert float(fixed.subs(S.nu2, nu2)) == pytest.approx(10_000, rel=RTOL)
    # fully symbolic: lam* is the lam at which Eq. (8)'s t2 bound reaches t1's
    (lam_sym,) = Y.solve_for(Y.t2_lower_eq8(), S.lam, Y.t1_upper_eq8())
    assert sp.simplify(lam_sym - Y.lam_star()) == 0


def test_latex_export():
    tex = Y.to_latex(Y.t2_lower_eq8())
    assert tex and r"\log" in tex and r"\nu^2" in tex and r"\epsilon" in tex
    assert r"\lambda" in tex and r"\eta" in tex
    assert Y.to_latex(Y.nu2_vacuity_threshold()) == r"\frac{8 \epsilon m}{m - n}"
    tex = Y.to_latex(Y.t2_lower_eq7(), ln_notation=True)
    assert r"\ln" in tex and r"\lambda_{\min}(\Sigma)" in tex and r"\|\theta^*\|" in tex
    assert r"\lambda_{\min}^+" in Y.to_latex(Y.lam_star())
    assert r"\bar L" in Y.to_latex(Y.t1_upper_pre_taylor())
    for func in (Y.t2_lower_pre_taylor, Y.t1_upper_eq6, Y.t1_upper_eq8, Y.t2_point_estimate):
        assert Y.to_latex(func())


def test_numeric_arguments():
    f = Y.lambdify_expr(Y.t2_lower_eq8())
    assert f.args == ("n", "m", "nu2", "eps", "eta", "lam")
    with pytest.raises(TypeError, match="missing"):
        f(n=100)
    with pytest.raises(TypeError, match="unexpected"):
        f(n=100, m=1000, nu2=1, eps=0.01, eta=1, lam=1e-4, c=0.01)
    with pytest.raises(TypeError, match="expected 6"):
        f(100, 1000)
    out = f(100, 1000, 1.0, 0.01, 1.0, [1e-4, 2 ** -15])
    np.testing.assert_allclose(out, [11982.0199, 39262.6828], atol=5e-3)


def test_package_does_not_import_sympy():
    code = ("import sys, theory.ridge; "
            "assert 'theory.ridge.symbolic' not in sys.modules; assert 'sympy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
