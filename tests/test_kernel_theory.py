"""Adaptive-kernel theory (Rubin, Seroussi & Ringel 2023): integrals, Model A, Model B.

Every expected value is computed independently of the code under test: by
Monte Carlo (tolerance = K_SE standard errors), by brute force over a grid or a
matrix, by finite differences, or by the sympy derivation (an independent code
path).  Seeds are fixed, so the Monte Carlo tests are deterministic; with
K_SE = 5 a correct formula would fail with probability < 1e-6 per check.
"""

import json
import math
import subprocess
import sys
import warnings

import mpmath
import numpy as np
import pytest
from scipy.special import erf
from test_extremes import mp_model_a_critical  # tests/ is on sys.path

from theory._checks import AssumptionWarning
from theory.adaptive_kernel import finite_data as F
from theory.adaptive_kernel import integrals as I
from theory.adaptive_kernel import model_a as A
from theory.adaptive_kernel import model_b as B

K_SE = 5.0


def _mc_close(samples, expected, k=K_SE):
    """Mean of ``samples`` within ``k`` standard errors of ``expected``."""
    samples = np.asarray(samples)
    se = samples.std(ddof=1) / math.sqrt(samples.size)
    assert abs(samples.mean() - expected) < k * se + 1e-12, (samples.mean(), expected, se)


# ---------------------------------------------------------------------------
# Gaussian integrals
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("w", [[0.5, 0.3, -0.2, 0.1, 0.0], [1.2, -0.7, 0.4, 0.9, 0.3],
                               [-0.3, 0.1, 0.1, -0.2, 0.5]])
def test_erf_hermite_moments_monte_carlo(w):
    # x ~ N(0, I_5), w* = e_1: the formulas need only (q, |w|^2)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400_000, 5))
    w = np.asarray(w)
    z, act = x[:, 0], erf(x @ w)
    q, n2 = w[0], w @ w
    _mc_close(z * act, I.erf_h1_moment(q, n2))
    _mc_close((z ** 3 - 3 * z) * act, I.erf_h3_moment(q, n2))
    _mc_close(z ** 3 * act, I.erf_z3_moment(q, n2))


@pytest.mark.parametrize("var_u,var_v,rho", [(0.5, 0.5, 0.9), (2.0, 0.3, -0.6), (0.1, 1.5, 0.2)])
def test_arcsin_identity_monte_carlo(var_u, var_v, rho):
    rng = np.random.default_rng(2)
    cov = rho * math.sqrt(var_u * var_v)
    uv = rng.multivariate_normal([0, 0], [[var_u, cov], [cov, var_v]], size=400_000)
    _mc_close(erf(uv[:, 0]) * erf(uv[:, 1]), I.erf_erf_expectation(var_u, var_v, cov))


def test_arcsin_identity_is_nngp_kernel_and_limits():
    # E_w[erf(w.x) erf(w.x')] for w ~ N(0, s/d I): variances s|x|^2/d, covariance s x.x'/d
    rng = np.random.default_rng(3)
    d, s = 4, 0.5
    xa, xb = rng.standard_normal((2, d))
    w = rng.standard_normal((400_000, d)) * math.sqrt(s / d)
    _mc_close(erf(w @ xa) * erf(w @ xb),
              I.erf_erf_expectation(s * xa @ xa / d, s * xb @ xb / d, s * xa @ xb / d))
    # exact limits: independent -> 0; u = v with var -> inf -> E[sign^2] = 1
    assert I.erf_erf_expectation(1.0, 2.0, 0.0) == 0.0
    assert abs(I.erf_erf_expectation(1e12, 1e12, 1e12) - 1.0) < 1e-5
    with pytest.raises(ValueError):
        I.erf_erf_expectation(1.0, 1.0, 2.0)


# ---------------------------------------------------------------------------
# Model A: reduced action, GFL, kernel
# ---------------------------------------------------------------------------

def test_reduced_action_matches_moments_and_finite_differences():
    # S~ = q^2/(2 s) - (u/2) (b E[z phi] + c E[He3 phi])^2 at |w|^2 = s + q^2
    q = np.linspace(-2, 2, 41)
    u, b, c, s = 27.0, 0.35, -0.3, 0.7
    ov = b * I.erf_h1_moment(q, s + q ** 2) + c * I.erf_h3_moment(q, s + q ** 2)
    expected = q ** 2 / (2 * s) - u / 2 * ov ** 2
    assert np.allclose(A.reduced_action(q, u, b, c, s), expected, rtol=1e-13, atol=1e-15)
    # derivatives: central differences, error O(h^2 S''') ~ 1e-8
    h = 1e-4
    d1, d2 = A.reduced_action_derivatives(q, u, b, c, s)
    f = lambda x: A.reduced_action(x, u, b, c, s)  # noqa: E731
    assert np.allclose(d1, (f(q + h) - f(q - h)) / (2 * h), atol=1e-7)
    assert np.allclose(d2, (f(q + h) - 2 * f(q) + f(q - h)) / h ** 2, atol=1e-5)


def test_gfl_root_is_gpr_fixed_point_and_nngp_limit():
    cfg = A.BASE_MODEL_A
    for s2 in (0.3, 0.2, 0.179):
        g = A.gfl_solution(cfg, s2)
        assert 0 < g.stability <= 1
        b, c = A.gpr_coefficients(A.kernel_matrix(cfg, s2, g.b), cfg.n, s2, cfg.eps)
        assert abs(b - g.b) < 1e-12 and abs(c - cfg.eps) < 1e-15
    # u -> 0: b = 1/(1 + kappa)
    assert abs(A.gfl_b(0.0, 0.37, 0.5) - 1 / 1.37) < 1e-14


def _reduced_q2(cfg, sigma2, seed=4):
    """<q^2> under p(q) ~ exp(-d S~(q)) with the GFL (b, c), by importance sampling from a
    Gaussian 1.5x wider than the prediction; returns (estimate, prediction, standard error)."""
    g = A.gfl_solution(cfg, sigma2)
    pred = cfg.sigma_w2 / (cfg.d * g.stability)
    q = np.random.default_rng(seed).standard_normal(400_000) * math.sqrt(1.5 * pred)
    logw = -cfg.d * A.reduced_action(q, g.u, g.b, g.c, cfg.sigma_w2) + q ** 2 / (3 * pred)
    wn = np.exp(logw - logw.max())
    wn /= wn.sum()
    est = np.sum(wn * q ** 2)
    return est, pred, math.sqrt(np.sum(wn ** 2 * (q ** 2 - est) ** 2))


def test_gfl_fluctuation_matches_reduced_measure_as_d_grows():
    # Q11 of the q = 0 neurons uses <q^2> = sigma_w2/(d(1 - A b^2)) (Gaussian); the exact
    # measure exp(-d S~) has quartic corrections O(1/d) relative (20% at d = 150, A b^2 = 0.8)
    dev = {}
    for beta in (1.0, 16.0, 256.0):
        cfg = A.BASE_MODEL_A.scaled(beta)
        est, pred, se = _reduced_q2(cfg, 0.25)
        dev[cfg.d] = (est / pred - 1, se / pred)
    d_small, d_mid, d_big = sorted(dev)
    assert abs(dev[d_big][0]) < 0.02 + K_SE * dev[d_big][1]
    ratio = dev[d_small][0] / dev[d_mid][0]                # 1/d scaling: d ratio is 4
    assert 3.0 < ratio < 5.0


# ---------------------------------------------------------------------------
# Model A: critical point and spinodal
# ---------------------------------------------------------------------------

def _brute_transition_sigma2(cfg, lo, hi, local=False):
    """Largest sigma2 where S~ (with the GFL b) has a negative value (or any interior
    local minimum, ``local=True``) on a q grid: bisection, independent of the closed forms."""
    q = np.linspace(1e-3, 6.0, 12001)

    def has_it(s2):
        g = A.gfl_solution(cfg, s2)
        val = A.reduced_action(q, g.u, g.b, g.c, cfg.sigma_w2)
        if not local:
            return val.min() < 0
        return bool(np.any((val[1:-1] < val[:-2]) & (val[1:-1] < val[2:])))

    assert has_it(lo) and not has_it(hi)
    for _ in range(50):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if has_it(mid) else (lo, mid)
    return lo


@pytest.mark.parametrize("cfg", [A.BASE_MODEL_A,
                                 A.ModelAConfig(eps=-0.5, sigma_w2=1.0),
                                 A.ModelAConfig(eps=-0.15, sigma_w2=0.25, n=2000)])
def test_closed_form_critical_point_equals_brute_force(cfg):
    cf = A.critical_point(cfg, "closed_form")
    rt = A.critical_point(cfg, "root")
    assert cf.first_order and rt.first_order
    for key in ("u_c", "sigma2_c", "b_c", "q_star", "u_spinodal", "sigma2_spinodal"):
        assert abs(getattr(cf, key) / getattr(rt, key) - 1) < 1e-7, key
    # brute force over a q-grid: the grid only resolves S~ < 0 once S~ is below the
    # grid's discretisation error, relative ~1e-6 in sigma2
    # (the bracket [lo, hi] only needs to contain the answer; it is checked inside)
    lo, hi = 0.7 * cf.sigma2_c, 1.5 * cf.sigma2_spinodal
    assert abs(_brute_transition_sigma2(cfg, lo, hi) / cf.sigma2_c - 1) < 1e-4
    assert abs(_brute_transition_sigma2(cfg, lo, hi, local=True) / cf.sigma2_spinodal - 1) < 1e-3
    assert cf.u_spinodal < cf.u_c
    # at u_c the minimum at q* is degenerate with 0 and stationary
    g = A.gfl_solution(cfg, cf.sigma2_c)
    assert abs(A.reduced_action(cf.q_star, g.u, g.b, g.c, cfg.sigma_w2)) < 1e-9
    assert abs(A.reduced_action_derivatives(cf.q_star, g.u, g.b, g.c, cfg.sigma_w2)[0]) < 1e-7


def test_base_configuration_critical_point_and_scaling_invariance():
    # reference: the spec's closed forms solved in mpmath (tests/test_extremes.py), not the
    # paper's headline (u_c ~ 30.2, sigma2 ~ 0.18: it is 30.67 and 0.1787 here, see the
    # critical_point docstring)
    cp = A.critical_point()
    ref = mp_model_a_critical(A.BASE_MODEL_A)
    assert cp.u_c == pytest.approx(float(ref["u"]), rel=1e-12)
    assert cp.sigma2_c == pytest.approx(float(ref["sigma2"]), rel=1e-12)
    for beta in (0.125, 0.5, 2.0):
        assert abs(A.critical_point(A.BASE_MODEL_A.scaled(beta)).u_c / cp.u_c - 1) < 1e-10


def test_critical_line_spec_closed_form():
    # spec: u_c = 27 pi |eps| (1+2s)/(16 s (b+|eps|)^3), q*^2 = (1+2s)(2|eps|-b)/(2(b+|eps|))
    for b, e, s in [(0.3, 0.3, 0.5), (0.1, 0.5, 1.0), (0.05, 0.2, 2.0)]:
        line = A.critical_line(b, -e, s)
        u_c = 27 * math.pi * e * (1 + 2 * s) / (16 * s * (b + e) ** 3)
        assert abs(line["u_c"] / u_c - 1) < 1e-13
        assert abs(line["q_star"] ** 2 / ((1 + 2 * s) * (2 * e - b) / (2 * (b + e))) - 1) < 1e-13
    assert A.critical_line(0.7, -0.3, 0.5) is None      # b >= 2|eps|: no interior minimum


def test_mixed_phase_solves_its_equations():
    cfg = A.BASE_MODEL_A
    cp = A.critical_point(cfg)
    for s2 in (0.17, 0.15, 0.1):
        pt = A.phase_point(cfg, s2, cp)
        assert pt.phase == "GMFL-I" and 0 < pt.p < 1
        # GPR with the droplet kernel reproduces (b, c)
        b, c = A.gpr_coefficients(A.kernel_matrix(cfg, s2, pt.b, pt.p, pt.q_star), cfg.n, s2,
                                  cfg.eps)
        assert abs(b - pt.b) < 1e-9 and abs(c - pt.c) < 1e-9
        # Maxwell coexistence: S~(q*) = 0 = S~'(q*) and S~ >= 0 everywhere (global minima)
        q = np.linspace(0, 4, 40001)
        assert abs(A.reduced_action(pt.q_star, pt.u, pt.b, pt.c, cfg.sigma_w2)) < 1e-10
        slope = A.reduced_action_derivatives(pt.q_star, pt.u, pt.b, pt.c, cfg.sigma_w2)[0]
        assert abs(slope) < 1e-8
        assert A.reduced_action(q, pt.u, pt.b, pt.c, cfg.sigma_w2).min() > -1e-10
    # continuity at the transition: p -> 0, (b, c) -> GFL values
    just_below = A.phase_point(cfg, cp.sigma2_c * (1 - 1e-7), cp)
    assert just_below.p < 1e-5 and abs(just_below.b - cp.b_c) < 1e-5
    assert abs(just_below.q_star - cp.q_star) < 1e-4


def test_phase_diagram_learned_components():
    pd = A.phase_diagram()
    assert pd.phase[2:] == ("GFL",) * 3
    # GFL: nothing of the cubic learned
    assert np.all(pd.cubic_learned[2:] == 0)
    # the test error is the MSE E_z[(y - f)^2] of the mean predictor on the noise-free
    # target y = He_1 + eps He_3, f = (1 - b) He_1 + (eps - c) He_3: Gauss-Hermite
    # quadrature (exact for this degree-6 polynomial)
    z, wq = np.polynomial.hermite_e.hermegauss(8)
    wq = wq / wq.sum()
    for k in range(len(pd.sigma2)):
        y = z + A.BASE_MODEL_A.eps * (z ** 3 - 3 * z)
        f = pd.linear_learned[k] * z + pd.cubic_learned[k] * (z ** 3 - 3 * z)
        assert pd.test_error[k] == pytest.approx(np.sum(wq * (y - f) ** 2), rel=1e-13)
    # less noise: more learned, lower error (monotone on the grid)
    assert np.all(np.diff(pd.test_error) > 0) and np.all(np.diff(pd.linear_learned) < 0)


# ---------------------------------------------------------------------------
# Model B
# ---------------------------------------------------------------------------

def test_nngp_kernel_entries_monte_carlo():
    rng = np.random.default_rng(5)
    P = 7
    x = B.two_hot_inputs(P)
    w = rng.standard_normal((400_000, 2 * P))
    Q = B.nngp_kernel_matrix(P)
    for i, j in [(0, 0), (0, 1), (0, 8), (3, 40)]:      # same pair, same n, both, neither
        _mc_close((w @ x[i]) ** 2 * (w @ x[j]) ** 2, Q[i, j])


def test_nngp_spectrum_brute_force_p7():
    P, sa2 = 7, 0.3
    Q = B.nngp_kernel_matrix(P, sa2)
    ev = np.sort(np.linalg.eigvalsh(Q))
    expected = np.sort(np.concatenate([np.full(s["multiplicity"], s["eigenvalue"])
                                       for s in B.nngp_spectrum(P, sa2)]))
    assert np.allclose(ev, expected, rtol=1e-12, atol=1e-10)
    y = B.modular_target(P)
    assert np.allclose(Q @ y, 4 * sa2 * y, atol=1e-11)     # target in the 4 sigma_a2 space


def test_fourier_identities_p7():
    P = 7
    rng = np.random.default_rng(6)
    w, v = rng.standard_normal((2, P))
    phi = (w[:, None] + v[None, :]).ravel() ** 2
    direct = B.modular_target(P).T @ phi
    assert np.allclose(B.fourier_target_overlap(w, v), direct, atol=1e-12)
    wh, vh = np.fft.fft(w) / math.sqrt(P), np.fft.fft(v) / math.sqrt(P)
    pw = np.abs(wh[1:]) ** 2 * np.abs(vh[1:]) ** 2
    assert abs(np.sum(direct ** 2) - 4 * P * pw.sum()) < 1e-10
    # per-neuron data term (sigma_a2/2N) sum_p (t^p.phi)^2 with sigma2 t = a y equals
    # P u a^2 sum_{k != 0} Phi_k Psi_k, Phi = |w^_k|^2/P (erratum 5: g = u a^2)
    cfg = B.ModelBConfig(P=P, N=50, sigma_a2=0.2, gamma=1e-3)
    a, s2 = 0.8, 0.3
    data_term = cfg.sigma_a2 / (2 * cfg.N) * np.sum((a / s2 * direct) ** 2)
    assert abs(data_term / (P * cfg.u(s2) * a ** 2 * np.sum(pw / P ** 2)) - 1) < 1e-12


def test_model_b_saddles_and_coexistence():
    gamma = 1e-4
    th = B.thresholds()
    g = th.g_c
    xm, xp = B.saddles(g, gamma)
    dS = lambda x, gg: 1 - 2 * gg * x + gamma * x * x  # noqa: E731
    assert abs(dS(xp, g)) < 1e-12 and abs(dS(xm, g)) < 1e-12
    assert abs(B.diagonal_action(xp, g, gamma)) < 1e-10             # coexistence
    # x_+ is a local minimum of the 2D mode action (Hessian positive definite)
    h = 1e-3 * xp
    f = lambda a, b: B.mode_action(a, b, g, gamma)  # noqa: E731
    hxx = (f(xp + h, xp) - 2 * f(xp, xp) + f(xp - h, xp)) / h ** 2
    hxy = (f(xp + h, xp + h) - f(xp + h, xp - h)
           - f(xp - h, xp + h) + f(xp - h, xp - h)) / (4 * h * h)
    assert hxx > 0 and hxx ** 2 - hxy ** 2 > 0
    assert B.saddles(0.999 * th.g_spinodal, gamma) is None
    assert B.saddles(1.001 * th.g_spinodal, gamma) is not None


def test_model_b_curve_branches_and_thresholds():
    cfg = B.BASE_MODEL_B
    th = B.thresholds(cfg)
    # the closed forms of the spec evaluated in mpmath (paper Fig. 3, read off the figure:
    # GMFL-I from ~0.227, GMFL-II ~0.175, |a| down to ~0.7; here 0.2360, 0.1760, 0.7457)
    with mpmath.workdps(50):
        g_c = 2 * mpmath.sqrt(mpmath.mpf(cfg.gamma) / 3)
        coef = 2 * mpmath.mpf(cfg.sigma_a2) * cfg.P ** 2 / cfg.N
        s_I = mpmath.sqrt(coef / g_c)
        s_II = s_I - mpmath.mpf(cfg.sigma_a2) * 3 / mpmath.mpf(cfg.gamma)
    assert th.sigma2_I == pytest.approx(float(s_I), rel=1e-14)
    assert th.sigma2_II == pytest.approx(float(s_II), rel=1e-13)
    assert th.abs_a_II == pytest.approx(float(s_II / s_I), rel=1e-13)   # |a| = sigma2/s_I
    s2 = np.linspace(0.15, 0.3, 31)
    curve = B.self_consistent_curve(cfg, s2)
    # each point solves |a| = sigma2/(lambda + sigma2)
    # (F(a) = a - sigma2/(lambda(a) + sigma2) is very steep near coexistence, so check that
    # F changes sign within 1e-12 of the returned root rather than |F(a)| itself)
    def resid(a, s):
        return a - s / (cfg.sigma_a2 * B.phi_psi_mean(cfg.u(s) * a * a, cfg.gamma, cfg.P) + s)

    for a, s in zip(curve.abs_a, s2):
        assert resid(a + 1e-12, s) >= 0 and (a == 1.0 or resid(a - 1e-12, s) <= 0)
    assert np.all(np.diff(curve.abs_a) >= 0)              # monotone: one branch
    assert np.all(curve.abs_a[s2 > th.sigma2_I + 0.002] == 1.0)
    inside = (s2 < th.sigma2_I - 0.003) & (s2 > th.sigma2_II + 0.003)
    # coexistence pins u a^2 = g_c: |a| linear in sigma2 (the finite-P width of the
    # crossover is ~ 1/(P x_+^2) relative in g, i.e. < 1e-4 here)
    assert np.allclose(curve.abs_a[inside], th.slope * s2[inside], rtol=1e-4)
    assert set(curve.phase) == {"GFL", "GMFL-I", "GMFL-II"}


def test_model_b_matrix_normalisation_is_the_literal_kernel_eigenvalue():
    # "matrix" = the literal eigenvalue of the kernel on the target.  Its ratio to the
    # paper's sigma_a2 <Phi Psi> is fixed by the prior, where both are known independently:
    # the brute-force eigenvalue of the NNGP matrix on the target, and <Phi Psi> by Monte
    # Carlo over w ~ N(0, I) of the DFT powers Phi = |w^_1|^2/P, Psi = |v^_1|^2/P
    P, sa2 = 7, 0.3
    Q, y = B.nngp_kernel_matrix(P, sa2), B.modular_target(P)[:, 0]
    lam_brute = (y @ Q @ y) / (y @ y)
    assert np.allclose(Q @ y, lam_brute * y, atol=1e-12)          # an eigenvector
    w = np.random.default_rng(8).standard_normal((400_000, 2 * P))
    ph = np.abs(np.fft.fft(w[:, :P], axis=1)[:, 1]) ** 2 / P / P
    ps = np.abs(np.fft.fft(w[:, P:], axis=1)[:, 1]) ** 2 / P / P
    _mc_close(ph * ps, 1.0 / P ** 2)                  # E[Phi Psi] = 1/P^2 under the prior
    factor = lam_brute / (sa2 / P ** 2)               # literal / paper eigenvalue
    # the code's matrix solution solves |a| = sigma2/(lambda + sigma2) with that factor
    cfg = B.ModelBConfig(P=P, N=50.0, sigma_a2=2e-3, gamma=1e-3)
    for s2 in (0.05, 0.1, 0.3):
        pt = B.self_consistent_a(cfg, s2, normalisation="matrix")
        lam = factor * cfg.sigma_a2 * B.phi_psi_mean(cfg.u(s2) * pt.abs_a ** 2, cfg.gamma, P)
        assert pt.kernel_eigenvalue == pytest.approx(lam, rel=1e-6, abs=1e-300)
        assert pt.abs_a == pytest.approx(s2 / (lam + s2), rel=1e-6)
    with pytest.raises(ValueError, match="normalisation"):
        B.self_consistent_a(cfg, 0.2, normalisation="bogus")


# ---------------------------------------------------------------------------
# finite-data loop
# ---------------------------------------------------------------------------

def _model_a_data(n, d, seed=1, eps=-0.3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    z = x[:, 0]
    return x, z + eps * (z ** 3 - 3 * z), z


def test_finite_data_nngp_limit_is_arcsin_kernel():
    x, y, _ = _model_a_data(30, 4)
    sw2, sa2, M = 0.5, 0.7, 20_000
    res = F.adaptive_kernel_loop(x, y, 0.2, sa2, sw2, N=1e15, n_samples=M, seed=3)
    assert res.converged
    sq = np.sum(x * x, axis=1) * sw2 / 4
    exact = sa2 * I.erf_erf_expectation(sq[:, None], sq[None, :], sw2 * x @ x.T / 4)
    # antithetic pairs give identical products: M/2 independent terms; SE of entry (i, j)
    rng = np.random.default_rng(3)
    w = rng.standard_normal((M // 2, 4)) * math.sqrt(sw2 / 4)
    feats = erf(w @ x.T)
    se = sa2 * np.std(feats[:, :, None] * feats[:, None, :], axis=0) / math.sqrt(M // 2)
    assert np.all(np.abs(res.kernel - exact) < K_SE * se + 1e-12)


def test_finite_data_loop_agrees_with_reduced_gfl_equations():
    # GFL regime (u = 3.2, A b^2 ~ 0.33, q = 0 only); n = 400 >> d = 20 >> 1
    n, d, sw2, sa2, s2, N = 400, 20, 0.5, 0.04, 0.5, 400.0
    x, y, z = _model_a_data(n, d)
    cfg = A.ModelAConfig(n=n, d=d, N=N, sigma_w2=sw2, sigma_a2=sa2, eps=-0.3)
    g = A.gfl_solution(cfg, s2)
    b_nngp_red = 1 / (1 + g.kappa)
    # tol 1e-4 on t moves b by < 1e-4, far below the tolerances below
    inter = F.adaptive_kernel_loop(x, y, s2, sa2, sw2, N, n_samples=1000, seed=2, tol=1e-4)
    free = F.adaptive_kernel_loop(x, y, s2, sa2, sw2, 1e15, n_samples=1000, seed=2, tol=1e-4)
    assert inter.converged and free.converged and inter.ess > 500
    b_int = F.hermite_projection(s2 * inter.t, z)[0]
    b_free = F.hermite_projection(s2 * free.t, z)[0]
    # the adaptive (feature-learning) reduction of b, relative to the NNGP on the same data:
    # finite-size corrections O(1/d) + O(sqrt(d/n)/sqrt(n)) are ~5% of b; the predicted effect
    # is 14%, so require agreement within 20% of the effect
    ratio_red, ratio_loop = g.b / b_nngp_red, b_int / b_free
    assert abs(ratio_loop - ratio_red) < 0.2 * (1 - ratio_red)
    # the w.w* variance is enhanced by 1/(1 - A b^2) (prior: 1), same tolerance logic
    enh = inter.proposal_cov[0, 0] * d / sw2
    assert abs(enh - 1 / g.stability) < 0.2 * (1 / g.stability - 1)
    # the perpendicular directions keep the prior variance
    perp = np.diag(inter.proposal_cov)[1:] * d / sw2
    assert abs(perp.mean() - 1) < 0.05


# ---------------------------------------------------------------------------
# symbolic layer
# ---------------------------------------------------------------------------

def test_symbolic_matches_numeric():
    from theory.adaptive_kernel import symbolic as Y  # sympy is a hard dependency

    S = Y.SYMBOLS
    q = np.linspace(-1.5, 1.5, 13)
    f1 = Y.numeric(Y.erf_hermite_moment(1))
    f3 = Y.numeric(Y.erf_hermite_moment(3))
    assert np.allclose(f1(q=q, w_norm2=0.7 + q ** 2), I.erf_h1_moment(q, 0.7 + q ** 2), rtol=1e-13)
    assert np.allclose(f3(q=q, w_norm2=0.7 + q ** 2), I.erf_h3_moment(q, 0.7 + q ** 2), rtol=1e-13)
    fS = Y.numeric(Y.reduced_action())
    assert np.allclose(fS(q=q, u=27.0, b=0.3, c=-0.2, sigma_w2=0.7),
                       A.reduced_action(q, 27.0, 0.3, -0.2, 0.7), rtol=1e-12, atol=1e-14)
    cc = {k: Y.numeric(v) for k, v in Y.critical_conditions().items()}
    for b, e, s in [(0.3, 0.3, 0.5), (0.12, 0.45, 1.3)]:
        line = A.critical_line(b, -e, s)
        kw = {"b": b, "abs_eps": e, "sigma_w2": s}
        assert abs(cc["u_c"](**kw) / line["u_c"] - 1) < 1e-13
        assert abs(cc["q_star2"](**kw) / line["q_star"] ** 2 - 1) < 1e-13
        assert abs(cc["kappa_c"](b=b, abs_eps=e) / line["kappa_c"] - 1) < 1e-12
        sp_line = A.spinodal_line(b, -e, s)
        roots = [complex(r.subs({S.b: b, S.c: -e})).real for r in Y.spinodal_conditions()["roots"]]
        assert min(abs(r - sp_line["r_star"]) for r in roots) < 1e-13
    tb = {k: Y.numeric(v) for k, v in Y.model_b_thresholds().items()}
    cfg = B.BASE_MODEL_B
    th = B.thresholds(cfg)
    kw = {"P": cfg.P, "N": cfg.N, "sigma_a2": cfg.sigma_a2, "gamma": cfg.gamma}
    assert abs(tb["sigma2_I"](**kw) / th.sigma2_I - 1) < 1e-13
    assert abs(tb["sigma2_II"](**kw, n_f=1.0) / th.sigma2_II - 1) < 1e-13
    assert abs(tb["g_c"](gamma=cfg.gamma) / th.g_c - 1) < 1e-13
    assert "\\sigma_w^2" in Y.to_latex(Y.critical_conditions()["u_c"])


def test_import_is_light():
    code = "import sys, theory.adaptive_kernel; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------
# bad input and JSON
# ---------------------------------------------------------------------------

def test_eps_zero_has_no_first_order_transition():
    for method in ("closed_form", "root"):
        cp = A.critical_point(A.ModelAConfig(eps=0.0), method)
        assert cp.first_order is False and cp.u_c is None and "eps = 0" in cp.reason
        d = cp.to_dict()
        assert d["u_c"] is None and d["sigma2_c"] is None
    # and the GFL phase is returned at every noise level
    assert A.phase_point(A.ModelAConfig(eps=0.0), 0.05).phase == "GFL"


@pytest.mark.parametrize("bad", [0.0, -0.1])
def test_nonpositive_sigma2_raises_naming_it(bad):
    calls = [lambda: A.BASE_MODEL_A.u(bad), lambda: A.gfl_solution(A.BASE_MODEL_A, bad),
             lambda: A.phase_point(A.BASE_MODEL_A, bad), lambda: A.mixed_phase(A.BASE_MODEL_A, bad),
             lambda: B.self_consistent_a(B.BASE_MODEL_B, bad), lambda: B.BASE_MODEL_B.u(bad),
             lambda: A.interaction_u(1, 1, 1, 1, bad)]
    for call in calls:
        with pytest.raises(ValueError, match="sigma2"):
            call()


def test_non_prime_p_warns_and_other_checks():
    with pytest.warns(AssumptionWarning, match="not prime"):
        B.ModelBConfig(P=9)
    with pytest.warns(AssumptionWarning):
        B.nngp_spectrum(8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        B.ModelBConfig(P=7)
    with pytest.raises(ValueError, match="sigma_w2"):
        A.ModelAConfig(sigma_w2=0.0)
    with pytest.raises(ValueError, match="method"):
        A.critical_point(method="newton")
    with pytest.raises(ValueError, match="u must be"):
        A.gfl_b(-1.0, 0.3, 0.5)
    with pytest.raises(ValueError, match="unstable"):
        A.kernel_matrix(A.BASE_MODEL_A, 0.1, b=1.0)


def test_to_dict_values_for_cli():
    # the JSON values are the mpmath references (tests/test_extremes.py), through a strict
    # JSON round trip
    cp = json.loads(json.dumps(A.critical_point().to_dict(), allow_nan=False))
    crit = mp_model_a_critical(A.BASE_MODEL_A)
    spin = mp_model_a_critical(A.BASE_MODEL_A, "spinodal")
    for key, ref in (("u_c", crit["u"]), ("sigma2_c", crit["sigma2"]), ("b_c", crit["b"]),
                     ("q_star", crit["q_star"]), ("u_spinodal", spin["u"])):
        assert cp[key] == pytest.approx(float(ref), rel=1e-10), key
    # the matrix normalisation has no GMFL-II: sigma2_I - 4 P^2 sigma_a2 3/gamma < 0
    cfg = B.BASE_MODEL_B
    with mpmath.workdps(50):
        s_I = mpmath.sqrt(2 * mpmath.mpf(cfg.sigma_a2) * cfg.P ** 2 / cfg.N
                          / (2 * mpmath.sqrt(mpmath.mpf(cfg.gamma) / 3)))
        assert s_I - 4 * cfg.P ** 2 * mpmath.mpf(cfg.sigma_a2) * 3 / cfg.gamma < 0
    th = json.loads(json.dumps(B.thresholds(normalisation="matrix").to_dict(), allow_nan=False))
    assert th["sigma2_II"] is None and th["sigma2_I"] == pytest.approx(float(s_I), rel=1e-14)


# ---------------------------------------------------------------------------
# hardening (issue 10): input checks, extreme but valid inputs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: A.reduced_action(1.0, 30.0, 0.3, -0.3, -0.5), r"sigma_w2 must be > 0"),
    (lambda: A.reduced_action(np.nan, 30.0, 0.3, -0.3, 0.5), r"q must be finite"),
    (lambda: A.reduced_action_derivatives(1.0, -1.0, 0.3, -0.3, 0.5), r"u must be >= 0"),
    (lambda: A.gpr_coefficients(np.zeros((2, 2)), 0, 0.2, -0.3), r"n must be > 0"),
    (lambda: A.gpr_coefficients(np.array([[1.0, 2.0], [2.0, 1.0]]), 10, 0.2, -0.3),
     r"kernel must be symmetric positive semi-definite"),
    (lambda: A.gpr_coefficients(np.zeros(2), 10, 0.2, -0.3), r"kernel must be 2-dimensional"),
    (lambda: A.kernel_matrix(A.BASE_MODEL_A, 0.2, 0.3, p=1.5), r"p must be in \[0, 1\]"),
    (lambda: A.gfl_b(30.0, -1.0, 0.5), r"kappa_value must be > 0"),
    (lambda: I.erf_h1_moment(np.nan, 1.0), r"q must be finite"),
    (lambda: I.hermite3([1.0, np.inf]), r"z must be finite"),
    (lambda: B.mode_action(-1.0, 1.0, 0.5, 0.0), r"phi must be >= 0"),
    (lambda: B.saddles(0.5, 1e-320), r"gamma must be >= 2.22507e-308"),
    (lambda: B.fourier_target_overlap([1.0, 2.0], [1.0]), r"w and v must be non-empty"),
    (lambda: F.hermite_projection([1.0, 2.0], [1.0, -1.0]), r"two distinct non-zero \|z\|"),
])
def test_kernel_formulas_reject_bad_input_naming_the_parameter(call, match):
    # before: a finite number for sigma_w2 < 0, NaN for q = NaN, (1, -0.3) for n = 0 ...
    with pytest.raises(ValueError, match=match):
        call()


def test_kernel_type_checks():
    with pytest.raises(TypeError, match="P must be an integer"):
        B.is_prime("7")
    with pytest.raises(TypeError, match="config must be a ModelAConfig"):
        A.gfl_solution(B.BASE_MODEL_B, 0.2)
    with pytest.raises(TypeError, match="config must be a ModelBConfig"):
        B.self_consistent_a(A.BASE_MODEL_A, 0.2)


def test_line_root_survives_a_line_undefined_inside_a_bracket():
    # brentq used to be handed resid(), which returns None where the closed-form line is
    # undefined; a hole in the line's domain inside a grid cell made brentq raise TypeError
    cfg = A.BASE_MODEL_A
    b_c = A._line_root(cfg, A.critical_line, "u_c", "kappa_c")[0]

    def holed(b, eps, sigma_w2):
        return None if abs(b - b_c) < 1e-5 else A.critical_line(b, eps, sigma_w2)

    assert A._line_root(cfg, holed, "u_c", "kappa_c") is None   # the root sits in the hole
    # a hole where brentq's first step lands (not on the root): the sub-grid rescan finds
    # the root of f = x^4 - 0.31^4 bracketed by [0.3, 0.4]; brentq's first step is 0.30649
    def f(x):
        return None if 0.3060 < x < 0.3070 else x ** 4 - 0.31 ** 4

    assert A._sign_changes(f, np.linspace(0.0, 1.0, 11)) == [pytest.approx(0.31, abs=1e-9)]


def test_finite_data_loop_rejects_too_few_samples():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match=r"n_samples must be >= 2 d = 6"):
        F.adaptive_kernel_loop(x, x[:, 0], 0.1, 1.0, 1.0, N=10.0, n_samples=2)


def test_model_b_allocation_is_refused_before_it_is_made():
    # P = 10007 would need 16 TB for the P^2 x 2P inputs (numpy used to try)
    with pytest.raises(ValueError, match=r"P = 10007 needs .* GiB"):
        B.two_hot_inputs(10007)
    with pytest.raises(ValueError, match=r"GiB"):
        B.nngp_kernel_matrix(10007)
    # the closed form needs no allocation
    assert B.nngp_spectrum(10007)[2]["multiplicity"] == 10006 ** 2


@pytest.mark.parametrize("gamma", [1e-30, 1e-300])
def test_model_b_tiny_gamma_thresholds_and_solution(gamma):
    # thresholds against the closed forms evaluated in mpmath (50 digits):
    # g_c = 2 sqrt(gamma/3), sigma2_I = sqrt(2 sigma_a2 P^2/(N g_c)), sigma2_sp = ... sqrt(gamma)
    cfg = B.ModelBConfig(gamma=gamma)
    th = B.thresholds(cfg)
    with mpmath.workdps(50):
        g = mpmath.mpf(gamma)
        coef = 2 * mpmath.mpf(cfg.sigma_a2) * cfg.P ** 2 / cfg.N
        s_I = mpmath.sqrt(coef / (2 * mpmath.sqrt(g / 3)))
        s_sp = mpmath.sqrt(coef / mpmath.sqrt(g))
        s_II = s_I - mpmath.mpf(cfg.sigma_a2) * 3 / g
    assert th.sigma2_I == pytest.approx(float(s_I), rel=1e-14)
    assert th.sigma2_spinodal == pytest.approx(float(s_sp), rel=1e-14)
    assert s_II < 0 and th.sigma2_II is None
    # the self-consistent solution inside GMFL-I: |a| = slope sigma2 (u a^2 pinned at g_c)
    # and lambda = sigma2 (1 - a)/a carried by a fraction w = lambda/(sigma_a2 x_+^2) of the
    # neurons; this used to overflow (gamma = 1e-300) or report w = 1 / GMFL-II (1e-30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for frac in (1e-6, 0.5, 0.9):
            s2 = frac * th.sigma2_I
            pt = B.self_consistent_a(cfg, s2)
            a_exp = th.slope * s2
            assert pt.phase == "GMFL-I" and pt.abs_a == pytest.approx(a_exp, rel=1e-12)
            with mpmath.workdps(50):
                lam = mpmath.mpf(s2) * (1 - mpmath.mpf(a_exp)) / mpmath.mpf(a_exp)
                w = lam * mpmath.mpf(gamma) / (3 * mpmath.mpf(cfg.sigma_a2))
            assert pt.weight == pytest.approx(float(w), rel=1e-9)
        assert B.self_consistent_a(cfg, 1.1 * th.sigma2_I).phase == "GFL"


def test_model_b_saddle_quantities_at_tiny_gamma():
    # S~(x_+) at g = 2 g_c: mpmath from the definition vs the cubic-free closed form used
    gamma = 1e-200
    g = 4 * math.sqrt(gamma / 3)
    with mpmath.workdps(80):
        gm, gg = mpmath.mpf(gamma), mpmath.mpf(g)
        xp = (gg + mpmath.sqrt(gg * gg - gm)) / gm
        action = 401 * (xp - gg * xp ** 2 + gm / 3 * xp ** 3)
        weight = 1 / (1 + mpmath.exp(action) / 4)
    assert B.saddles(g, gamma)[1] == pytest.approx(float(xp), rel=1e-14)
    assert B.specialised_fraction(g, gamma, 401) == pytest.approx(float(weight), rel=1e-12)
    with pytest.raises(OverflowError, match="<Phi Psi>"):
        B.phi_psi_mean(1.0, 1e-300, 401)      # x_+^2 = 4e600: not representable
