"""Model B at finite P: exact mode density, self-consistency, scaling limit, normalisations."""

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.integrate import dblquad, quad

from theory.adaptive_kernel.finite_p import (
    default_threshold,
    finite_p_solution,
    mode_marginal,
    mode_moments,
    sharp_limit_a,
)
from theory.adaptive_kernel.model_b import (
    BASE_MODEL_B,
    ModelBConfig,
    nngp_spectrum,
    saddles,
    self_consistent_a,
    thresholds,
)

# P = 11, N = 64 with P x_c = 10 and the paper's sigma2_II/sigma2_I (the quick simulation)
SIM = ModelBConfig(P=11, N=64, sigma_a2=6.941348046875e-07, gamma=3.63)


@pytest.mark.parametrize("g, gamma, P", [(2.3, 3.63, 11), (2.0, 3.63, 11), (0.5, 1.0, 5),
                                         (2.6, 3.63, 11), (0.3, 0.2, 7)])
def test_mode_moments_match_dblquad(g, gamma, P):
    mom = mode_moments(g, gamma, P)

    def f(k):
        return lambda q, p: (p * q) ** k * math.exp(
            -2 * P * ((p + q) / 2 - g * p * q + gamma / 6 * (p ** 3 + q ** 3)))

    z = dblquad(f(0), 0, 8, 0, 8, epsabs=0, epsrel=1e-10)[0]
    assert mom.phi_psi == pytest.approx(dblquad(f(1), 0, 8, 0, 8, epsabs=0,
                                                epsrel=1e-10)[0] / z, rel=1e-8)
    thr = mom.threshold
    # the region sqrt(Phi Psi) > thr inside the box: Phi > thr^2/8, Psi > thr^2/Phi
    spec = dblquad(f(0), thr * thr / 8, 8, lambda p: thr * thr / p, 8, epsabs=1e-14 * z,
                   epsrel=1e-9)[0] / z
    # the indicator sqrt(Phi Psi) > thr is not smooth: the tensor rule is O(node spacing)
    assert mom.specialised == pytest.approx(spec, abs=2e-3)


@pytest.mark.parametrize("g, gamma, P", [(math.sqrt(3.63), 3.63, 11), (1e-2, 1e-4, 41),
                                         (0.0, 1e4, 2), (150.0, 1e4, 2)])
def test_mode_moments_at_the_spinodal_and_under_a_steep_cubic(g, gamma, P):
    # g^2 = gamma: x_+ appears with zero curvature (its Gaussian width was infinite and the
    # range overflowed); gamma >> (m P)^2: the cubic term, not e^{-mP Phi/2}, sets the corner
    # (panels of 3 decay lengths were 20 % off)
    mom = mode_moments(g, gamma, P)
    cut = 8.0 if gamma > 1e-3 else 400.0

    def f(k):
        return lambda q, p: (p * q) ** k * math.exp(
            -2 * P * ((p + q) / 2 - g * p * q + gamma / 6 * (p ** 3 + q ** 3)))

    z = dblquad(f(0), 0, cut, 0, cut, epsabs=0, epsrel=1e-10)[0]
    assert mom.phi_psi == pytest.approx(dblquad(f(1), 0, cut, 0, cut, epsabs=0,
                                                epsrel=1e-10)[0] / z, rel=1e-8)


def test_sharp_peaks_at_the_papers_size():
    # P = 401, gamma = 1e-4: m P S ~ 10^4, peaks of width 1e-5 (corner) and 1e-2 (x_+).
    gamma, P = 1e-4, 401
    g_c = 2 * math.sqrt(gamma / 3)
    above = mode_moments(1.01 * g_c, gamma, P)          # specialised saddle dominates
    x_plus = saddles(1.01 * g_c, gamma)[1]
    assert above.phi_psi == pytest.approx(x_plus ** 2, rel=1e-3)
    assert above.specialised == pytest.approx(1.0, abs=1e-12)
    below = mode_moments(0.99 * g_c, gamma, P)          # only the corner: <Phi> ~ 1/P
    assert below.phi == pytest.approx(1 / P, rel=0.05)
    assert below.specialised < 1e-12
    for mom in (above, below):
        fine = mode_moments(mom.g, gamma, P, order=16)
        assert fine.phi_psi == pytest.approx(mom.phi_psi, rel=1e-9)


def test_prior_limit_and_nngp_eigenvalue():
    # g = 0: the density factorises; <Phi> is a 1-D integral of exp(-P Phi - P gamma Phi^3/3)
    P, gamma = 7, 20.0
    mom = mode_moments(0.0, gamma, P)
    z = quad(lambda x: math.exp(-P * x - P * gamma * x ** 3 / 3), 0, 5)[0]
    mean = quad(lambda x: x * math.exp(-P * x - P * gamma * x ** 3 / 3), 0, 5)[0] / z
    assert mom.phi == pytest.approx(mean, rel=1e-10)
    assert mom.phi_psi == pytest.approx(mean ** 2, rel=1e-10)
    # gamma -> 0 and sigma2 -> inf (a -> 1, g = u -> 0): the kernel on the target is the
    # NNGP eigenvalue 4 sigma_a2 of the brute-force spectrum (m = 1 would give 16 sigma_a2)
    cfg = ModelBConfig(P=13, N=100, sigma_a2=0.01, gamma=1e-9)
    pt = finite_p_solution(cfg, 1e6)
    target = [s["eigenvalue"] for s in nngp_spectrum(13, 0.01) if s["contains_target"]][0]
    assert pt.kernel_eigenvalue == pytest.approx(target, rel=1e-5)
    wrong = finite_p_solution(cfg, 1e6, action_multiplier=1.0)
    assert wrong.kernel_eigenvalue == pytest.approx(4 * target, rel=1e-5)


def test_scaling_limit_at_the_papers_size():
    # At P = 401 the exact density is sharp: the finite-P solution, the saddle formula of
    # model_b (independent code) and the closed-form sharp limit agree.
    for s2 in (0.15, 0.18, 0.2, 0.22, 0.25):
        exact = finite_p_solution(BASE_MODEL_B, s2, normalisation="paper",
                                  action_multiplier=1.0).abs_a
        saddle = self_consistent_a(BASE_MODEL_B, s2).abs_a
        sharp = sharp_limit_a(BASE_MODEL_B, s2, normalisation="paper")["abs_a"]
        assert exact == pytest.approx(saddle, abs=1e-4)
        assert exact == pytest.approx(sharp, abs=1e-4)


def test_sharp_limit_phases():
    thr = thresholds(SIM, "matrix")
    s_I, s_II = thr.sigma2_I, thr.sigma2_II
    assert sharp_limit_a(SIM, 1.05 * s_I)["abs_a"] == 1.0
    mid = sharp_limit_a(SIM, 0.9 * s_I)
    assert mid["phase"] == "GMFL-I" and mid["abs_a"] == pytest.approx(0.9, rel=1e-12)
    # the specialised fraction is linear in GMFL-I: 0 at sigma2_I, 1 at sigma2_II
    assert mid["specialised_mode_fraction"] == pytest.approx((s_I - 0.9 * s_I) / (s_I - s_II))
    # continuous at sigma2_II, and below it every mode at x_+(u a^2) solves the GPR equation
    at_II = sharp_limit_a(SIM, s_II * (1 - 1e-9))
    assert at_II["abs_a"] == pytest.approx(thr.abs_a_II, rel=1e-6)
    deep = sharp_limit_a(SIM, 0.5 * s_I)
    a = deep["abs_a"]
    x_plus = saddles(SIM.u(0.5 * s_I) * a * a, SIM.gamma)[1]
    lam = 4 * SIM.P ** 2 * SIM.sigma_a2 * x_plus ** 2
    assert a == pytest.approx(0.5 * s_I / (lam + 0.5 * s_I), rel=1e-10)


def test_finite_p_rounds_the_transition():
    # at P x_c = 10 the exact density learns above sigma2_I and lags the sharp limit in
    # GMFL-I; deep in GMFL-II both put every mode at x_+
    s_I = thresholds(SIM, "matrix").sigma2_I
    above = finite_p_solution(SIM, 1.05 * s_I)
    assert 0.005 < above.learned < 0.05
    assert finite_p_solution(SIM, 0.9 * s_I).abs_a < sharp_limit_a(SIM, 0.9 * s_I)["abs_a"]
    deep = finite_p_solution(SIM, 0.5 * s_I)
    assert deep.specialised_mode_fraction > 0.99
    assert deep.abs_a == pytest.approx(sharp_limit_a(SIM, 0.5 * s_I)["abs_a"], abs=0.01)
    modes = (SIM.P - 1) // 2
    frac = finite_p_solution(SIM, s_I)
    assert frac.specialised_neuron_fraction == pytest.approx(
        1 - (1 - frac.specialised_mode_fraction) ** modes)


def test_paper_normalisation_is_the_matrix_one_at_rescaled_couplings():
    # the paper's equations at (sigma_a2, sigma2) are the literal ones at
    # (sigma_a2/(16 P^4), sigma2/(4 P^2)): u and lambda/sigma2 are unchanged
    cfg = ModelBConfig(P=11, N=64, sigma_a2=0.05, gamma=3.63)
    P = cfg.P
    lit = replace(cfg, sigma_a2=cfg.sigma_a2 / (16 * P ** 4))
    for s2 in (0.2, 0.3, 0.5):
        paper = finite_p_solution(cfg, s2, normalisation="paper")
        matrix = finite_p_solution(lit, s2 / (4 * P ** 2), normalisation="matrix")
        assert matrix.abs_a == pytest.approx(paper.abs_a, rel=1e-9)


def test_marginal_is_a_density_and_matches_a_histogram_of_exact_draws():
    # the prior (g = 0): Phi ~ density exp(-P Phi - P gamma Phi^3/3); inverse-CDF draws
    P, gamma = 5, 2.0
    edges = np.linspace(0, 1.5, 16)
    dens = mode_marginal(edges, 0.0, gamma, P)
    probs = [quad(lambda x: math.exp(-P * x - P * gamma * x ** 3 / 3), lo, hi)[0]
             for lo, hi in zip(edges[:-1], edges[1:])]
    z = quad(lambda x: math.exp(-P * x - P * gamma * x ** 3 / 3), 0, 10)[0]
    # bin masses from the interpolated cumulative of the node densities: O(spacing^2)
    assert np.allclose(dens * np.diff(edges), np.array(probs) / z, atol=2e-4)
    assert np.sum(dens * np.diff(edges)) == pytest.approx(sum(probs) / z, abs=1e-6)


def test_default_threshold_is_the_barrier_at_coexistence():
    gamma = 3.63
    g_c = 2 * math.sqrt(gamma / 3)
    assert default_threshold(gamma) == pytest.approx(saddles(g_c, gamma)[0], rel=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="g must"):
        mode_moments(-1.0, 1.0, 5)
    with pytest.raises(ValueError, match="gamma"):
        mode_moments(1.0, 0.0, 5)
    with pytest.raises(ValueError, match="sigma2"):
        finite_p_solution(SIM, -1.0)
    with pytest.raises(ValueError, match="normalisation"):
        finite_p_solution(SIM, 1e-3, normalisation="literal")
    with pytest.raises(ValueError, match="order"):
        mode_moments(1.0, 1.0, 5, order=0)
