"""Analytic phase diagrams: the symbolic ridge boundary, the ridge map and the kernel map."""

import math

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from theory.adaptive_kernel.model_a import BASE_MODEL_A, critical_point
from theory.ridge import sample_problem
from theory.ridge.boundary import boundary_expression, boundary_report
from theory.ridge.bounds import eq8_t1_upper, eq8_t2_lower
from theory.ridge.control import lam_star
from theory.ridge.symbolic import SYMBOLS as S
from validation.adaptive_kernel.phase_diagram import kernel_phase_diagram
from validation.ridge.gd import simulate_gd
from validation.ridge.phase_diagram import ridge_phase_diagram

# (n, m, nu2, eps, lmin_plus, lam): settings where Eq. (8) is not vacuous
_SETTINGS = [(100, 1000, 1.0, 0.01, 0.47, 1e-4), (50, 2000, 4.0, 0.005, 0.8, 3e-5),
             (200, 800, 2.0, 0.02, 0.25, 2e-4)]


def _subs(expr, n, m, nu2, eps, lmin, lam):
    vals = {S.n: n, S.m: m, S.nu2: nu2, S.eps: eps, S.lmin_plus: lmin, S.lam: lam, S.eta: 1}
    return float(sp.N(expr.subs({k: v for k, v in vals.items() if k in expr.free_symbols}), 30))


@pytest.mark.parametrize("n, m, nu2, eps, lmin, lam", _SETTINGS)
def test_lam_boundary_equals_the_numeric_layer(n, m, nu2, eps, lmin, lam):
    sym = _subs(boundary_expression("lam"), n, m, nu2, eps, lmin, lam)
    assert sym == pytest.approx(float(lam_star(n, m, nu2, eps, lmin)), rel=1e-12)


@pytest.mark.parametrize("n, m, nu2, eps, lmin, lam", _SETTINGS)
def test_nu2_boundary_makes_the_numeric_bounds_equal(n, m, nu2, eps, lmin, lam):
    nu2_b = _subs(boundary_expression("nu2"), n, m, nu2, eps, lmin, lam)
    t2 = float(eq8_t2_lower(n, m, nu2_b, eps, 1.0, lam))
    t1 = float(eq8_t1_upper(n, m, nu2_b, eps, 1.0, lmin))
    assert t2 == pytest.approx(t1, rel=1e-9)
    # certified side: above the boundary t2_lower > t1_upper
    up = 1.5 * nu2_b
    assert eq8_t2_lower(n, m, up, eps, 1.0, lam) > eq8_t1_upper(n, m, up, eps, 1.0, lmin)


@pytest.mark.parametrize("n, m, nu2, eps, lmin, lam", _SETTINGS)
def test_n_boundary_is_the_root_found_by_bisection(n, m, nu2, eps, lmin, lam):
    """Lambert-W closed form vs brentq on the numeric Eq. (8) bounds (lmin_plus fixed)."""
    def gap(nn):
        return float(eq8_t2_lower(nn, m, nu2, eps, 1.0, lam)
                     - eq8_t1_upper(nn, m, nu2, eps, 1.0, lmin))

    top = m * (1 - 1e-12) - 8 * m * eps / nu2             # beyond it Eq. (8) is vacuous
    root = brentq(gap, 1e-6, top, xtol=1e-12)
    sym = _subs(boundary_expression("n"), n, m, nu2, eps, lmin, lam)
    assert sym == pytest.approx(root, rel=1e-9)
    assert gap(0.5 * sym) > 0 > gap(0.5 * (sym + top))    # certified below the boundary


def test_boundary_report_is_sympy_parsable_and_names_its_assumptions():
    rep = boundary_report("nu2", latex=True)
    expr = sp.sympify(rep["expression"], locals={s.name: s for s in vars(S).values()})
    for setting in _SETTINGS:
        assert _subs(expr, *setting) == pytest.approx(
            _subs(boundary_expression("nu2"), *setting), rel=1e-12)
    assert rep["latex"].startswith("e^{") and any("Eq. (8)" in a for a in rep["assumptions"])
    assert boundary_report("lam", latex=False)["latex"] is None
    with pytest.raises(ValueError, match="solve_for"):
        boundary_expression("eta")


# ----------------------------------------------------------------------------- ridge map
@pytest.fixture(scope="module")
def ridge_map():
    return ridge_phase_diagram("lam=1e-4,1e-3,4e-3", "nu2=0.05,1,20", executor="serial",
                               progress=False)


def test_certified_region_is_bounded_by_the_symbolic_lam_star(ridge_map):
    """Numeric Eq. (8) per cell vs the symbolic lam*(nu2) at the sample lmin_plus."""
    lam = ridge_map["x"]["values"]
    for i, ls in enumerate(ridge_map["boundary"]["lam_star"]):
        expected = [ls is not None and v < ls for v in lam]
        assert ridge_map["certified"][i] == expected
    assert ridge_map["certified"][0] == [False] * 3        # nu2 = 0.05 < 8 m eps/(m - n)
    assert ridge_map["nu2_vacuity"] == pytest.approx(8 * 1000 * 0.01 / 900)


def test_cell_times_equal_explicit_gradient_descent(ridge_map):
    cell = next(c for c in ridge_map["cells"] if c["lam"] == 1e-3 and c["nu2"] == 1.0)
    prob = sample_problem(100, 1000, 1.0, seed=0)
    gd = simulate_gd([prob], lam=1e-3, eta=1.0, eps=0.01, c=0.01,
                     horizon=int(1.05 * cell["t2"]) + 2)
    assert (int(gd.t1[0]), int(gd.t2[0])) == (cell["t1"], cell["t2"])
    assert cell["grokking_time"] == cell["t2"] - cell["t1"]
    # t2 ~ 1/lam along the row at fixed nu2 (the paper's mechanism)
    row = [c for c in ridge_map["cells"] if c["nu2"] == 1.0]
    t2 = {c["lam"]: c["t2"] for c in row}
    assert t2[1e-4] / t2[1e-3] == pytest.approx(10, rel=0.05)


# ----------------------------------------------------------------------------- kernel map
def test_kernel_critical_line_scales_linearly_with_n_and_separates_the_phases():
    out = kernel_phase_diagram("sigma2=0.1,0.16,0.2,0.3", "n=1500,3000,6000", line_points=5,
                               executor="serial", progress=False)
    ln = out["lines"]
    s_c3000 = critical_point(BASE_MODEL_A).sigma2_c
    # u ~ n^2/sigma2^2 and kappa ~ n/sigma2 at fixed kappa^2/u: sigma2_c = s_c(3000) n / 3000
    np.testing.assert_allclose(ln["sigma2_c"], s_c3000 * np.asarray(ln["n"]) / 3000, rtol=1e-7)
    assert all(sp_ > sc for sp_, sc in zip(ln["sigma2_spinodal"], ln["sigma2_c"]))
    for n, row in zip(out["y"]["values"], out["phases"]):
        s_c = s_c3000 * n / 3000
        for s2, phase in zip(out["x"]["values"], row):
            assert (phase == "GFL") == (s2 >= s_c), (n, s2, phase)
    assert math.isclose(s_c3000, 0.1787, abs_tol=1e-4)
