"""Model A at finite d: the self-consistent overlap density (theory.adaptive_kernel.finite_d)."""

import math

import numpy as np
import pytest

from theory.adaptive_kernel.finite_d import finite_d_solution, overlap_density
from theory.adaptive_kernel.model_a import BASE_MODEL_A, ModelAConfig, phase_point

BETA8 = ModelAConfig(n=375, d=53, N=88, sigma_a2=8 / 700 * math.sqrt(8))


@pytest.mark.parametrize("sigma2", [0.1, 0.15, 0.3])   # GMFL-I, GMFL-I, GFL
def test_reduces_to_the_scaling_limit_as_d_grows(sigma2):
    # Scaled copies keep u and kappa; only d (in exp(-d S~)) grows, as sqrt(beta).
    gaps = []
    for beta in (1, 8, 64, 512):
        cfg = BASE_MODEL_A.scaled(beta)
        sol, ref = finite_d_solution(cfg, sigma2), phase_point(cfg, sigma2)
        assert sol.converged
        gaps.append(abs(sol.b - ref.b) + abs(sol.c - ref.c))
    # finite-d corrections shrink with every 8x in beta (2.8x in d) ...
    assert all(g1 < g0 for g0, g1 in zip(gaps, gaps[1:]))
    # ... and at d = 3394 the mean field of the full density is the saddle point to 1e-3
    # (measured 4e-4 in b at sigma2 = 0.1, where the two minima make convergence slowest)
    assert gaps[-1] < 1e-3


def test_gfl_density_is_the_gaussian_of_the_scaling_limit():
    # Far in GFL the density is Gaussian with <q^2> = sigma_w2 / (d (1 - A b^2)).
    cfg = BASE_MODEL_A.scaled(512)
    sol = finite_d_solution(cfg, 0.3)
    a_coef = cfg.coupling_a(0.3)
    expected = cfg.sigma_w2 / (cfg.d * (1 - a_coef * sol.b**2))
    # the quartic part of S~ shifts <q^2> by O(1/d) relative (1.0% at d = 1200, 0.4% at 3400)
    assert sol.q_rms**2 == pytest.approx(expected, rel=1e-2)


def test_density_is_normalised_and_even():
    q = np.linspace(-4, 4, 16001)
    dens = overlap_density(q, BETA8, 0.15, 0.22, -0.27)
    assert np.trapezoid(dens, q) == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(dens, dens[::-1], rtol=1e-12)


def test_beta8_is_a_crossover_with_the_cubic_component_growing_as_sigma2_falls():
    # At d = 53 the barrier d dS~ is below 3: the cubic feature is partly learned on both
    # sides of sigma2_c, monotonically in sigma2, and more than the scaling limit above it.
    grid = [0.1, 0.15, 0.2, 0.25, 0.3]
    cubic = [finite_d_solution(BETA8, s).cubic_learned for s in grid]
    assert all(c < 0 for c in cubic)                       # same sign as eps
    assert all(abs(c0) > abs(c1) for c0, c1 in zip(cubic, cubic[1:]))
    assert phase_point(BETA8, 0.25).cubic_learned == 0.0   # scaling limit: nothing learned


def test_bad_input():
    with pytest.raises(ValueError, match="sigma2"):
        finite_d_solution(BETA8, 0.0)
    with pytest.raises(ValueError, match="tail_threshold"):
        finite_d_solution(BETA8, 0.2, tail_threshold=-1)
    with pytest.raises(ValueError, match="d must"):
        finite_d_solution(BETA8, 0.2, d=0)
