"""The symbolic layer (derived in sympy) agrees with the numeric layer."""

import numpy as np
import pytest
import sympy as sp

from theory.ridge import bounds as B
from theory.ridge import control as C
from theory.ridge import symbolic as Y

S = Y.SYMBOLS


def _draws(k=200, seed=0):
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 500, k).astype(float)
    return dict(
        n=n, m=n * rng.uniform(1.5, 30, k), nu2=np.exp(rng.uniform(-1, 3, k)),
        eps=np.exp(rng.uniform(np.log(1e-3), np.log(0.1), k)),
        c=np.exp(rng.uniform(np.log(1e-3), np.log(0.1), k)),
        eta=rng.uniform(0.05, 2.0, k), lam=np.exp(rng.uniform(np.log(1e-6), np.log(1e-3), k)),
        sigma_min=np.exp(rng.uniform(np.log(1e-4), np.log(1e-1), k)),
        teacher_norm=rng.uniform(0, 2, k), lmin_plus=rng.uniform(0.05, 2, k),
        b2=rng.uniform(0.5, 2, k), init_norm_sq=np.exp(rng.uniform(0, 8, k)),
        lbar=rng.uniform(0.5, 2, k), rho=rng.uniform(0.9, 0.9999, k))


def _call(f, d):
    return f(**{k: d[k] for k in f.args})


# numeric and symbolic are independent code paths (typed formula vs sympy derivation);
# agreement to 1e-10 relative is float64 rounding of logs of O(1e3) arguments
PAIRS = [
    (Y.t2_lower_pre_taylor, lambda d: B.pre_taylor_t2_lower(
        d["n"], d["m"], d["nu2"], d["c"], d["eta"], d["lam"], d["sigma_min"], d["teacher_norm"])),
    (Y.t2_lower_eq7, lambda d: B.eq7_t2_lower(
        d["n"], d["m"], d["nu2"], d["c"], d["eta"], d["lam"], d["sigma_min"], d["teacher_norm"])),
    (Y.t2_lower_eq8, lambda d: B.eq8_t2_lower(d["n"], d["m"], d["nu2"], d["eps"], d["eta"],
                                              d["lam"])),
    (Y.t1_upper_pre_taylor, lambda d: B.pre_taylor_t1_upper(d["eps"], d["lbar"],
                                                            d["init_norm_sq"], d["rho"])),
    (Y.t1_upper_eq6, lambda d: B.eq6_t1_upper(d["n"], d["eta"], d["lmin_plus"], d["b2"],
                                              d["init_norm_sq"], d["eps"])),
    (Y.t1_upper_eq8, lambda d: B.eq8_t1_upper(d["n"], d["m"], d["nu2"], d["eps"], d["eta"],
                                              d["lmin_plus"])),
    (Y.lam_star, lambda d: C.lam_star(d["n"], d["m"], d["nu2"], d["eps"], d["lmin_plus"])),
    (Y.nu2_vacuity_threshold, lambda d: C.nu2_vacuity_threshold(d["n"], d["m"], d["eps"])),
]


@pytest.mark.parametrize("symbolic,numeric", PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_symbolic_equals_numeric(symbolic, numeric):
    d = _draws()
    f = Y.numeric(symbolic())
    np.testing.assert_allclose(_call(f, d), numeric(d), rtol=1e-10)


def test_point_estimate_symbolic_equals_numeric():
    f = Y.numeric(Y.t2_point_estimate())
    for n, m, nu2, lam in [(100, 1000, 1.0, 1e-4), (50, 2000, 3.0, 1e-3), (20, 100, 0.5, 1e-5)]:
        num = C.t2_point_estimate(n, m, nu2, 0.01, 1.0, lam, 1.0, 1.0 / m)
        sym = f(n=n, m=m, nu2=nu2, c=0.01, eta=1.0, lam=lam, teacher_norm=1.0, sigma=1.0 / m)
        assert sym == pytest.approx(num, rel=1e-9)


def test_spec_targets_from_the_symbolic_side():
    vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: sp.Rational(1, 100), S.eta: 1}
    eq8 = Y.t2_lower_eq8().subs(vals)
    assert float(eq8.subs(S.lam, sp.Rational(1, 10 ** 4))) == pytest.approx(11982.02, abs=0.005)
    assert float(eq8.subs(S.lam, sp.Rational(1, 2 ** 15))) == pytest.approx(39262.68, abs=0.005)
    eq7 = Y.t2_lower_eq7().subs({S.n: 100, S.m: 1000, S.nu2: 1, S.c: sp.Rational(1, 100),
                                 S.eta: 1, S.lam: sp.Rational(1, 10 ** 4),
                                 S.sigma_min: sp.Rational(1, 1000), S.teacher_norm: 1})
    assert float(eq7) == pytest.approx(8142.81, abs=0.005)


def test_thresholds_are_exact_solutions():
    # lam* makes the two Eq. (8) bounds equal, whatever eta is
    diff = (Y.t2_lower_eq8() - Y.t1_upper_eq8()).subs(S.lam, Y.lam_star())
    assert sp.simplify(diff) == 0
    assert sp.simplify(Y.t2_lower_eq8().subs(S.nu2, Y.nu2_vacuity_threshold())) == 0


def test_elasticities_match_numeric_and_exact_values():
    e = Y.elasticities()
    assert e["t2"]["lam"] == -1 and e["t2"]["eta"] == -1
    assert e["t1"]["lam"] == 0 and e["t1"]["eta"] == -1
    vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: 0.01}
    num = C.eq8_elasticities(100, 1000, 1.0, 0.01, lmin_model="fixed")
    for q in ("t1", "t2"):
        for p in ("eta", "lam", "nu2", "n", "m"):
            assert float(e[q][p].subs(vals)) == pytest.approx(num[q][p], rel=1e-12, abs=1e-15)


def test_taylor_validity_ranges():
    # -ln(1-x) <= k x holds on [0, x*] and fails just beyond
    for k in (2, 1.01):
        x = Y.taylor_validity(k)
        assert -np.log1p(-x * 0.999) <= k * x * 0.999
        assert -np.log1p(-x * 1.001) > k * x * 1.001
    assert Y.taylor_validity(1.01) > 0.01     # Eq. (8)'s eta lam <= 0.01 is inside


def test_solve_for_round_trip():
    expr = Y.t2_lower_eq7()
    vals = {S.n: 100, S.m: 1000, S.nu2: 2, S.c: sp.Rational(1, 100), S.eta: 1,
            S.sigma_min: sp.Rational(1, 1000), S.teacher_norm: 1}
    (lam,) = Y.solve_for(expr.subs(vals), "lam", 50_000)
    assert float(expr.subs(vals).subs(S.lam, lam)) == pytest.approx(50_000, rel=1e-12)
    sols = Y.solve_for(expr.subs({k: v for k, v in vals.items() if k is not S.nu2})
                       .subs(S.lam, sp.Rational(1, 10 ** 4)), S.nu2, 10_000)
    assert len(sols) == 1 and sols[0].is_positive


def test_latex_export():
    tex = Y.to_latex(Y.t2_lower_eq8())
    assert r"\log" in tex and r"\nu^2" in tex and r"\epsilon" in tex and r"\lambda" in tex
    assert Y.to_latex(Y.nu2_vacuity_threshold()) == r"\frac{8 \epsilon m}{m - n}"


def test_numeric_requires_all_arguments():
    f = Y.numeric(Y.t2_lower_eq8())
    with pytest.raises(TypeError, match="missing"):
        f(n=100)
