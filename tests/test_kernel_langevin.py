"""The Langevin sampler of the Model A posterior: gradient, priors, a Gaussian posterior."""

import math

import numpy as np
import pytest

from validation.adaptive_kernel.langevin import (
    LangevinState,
    fast_erf,
    hermite_components,
    langevin_model_a,
    model_a_data,
    potential_gradient,
)


def _potential(state, data, sigma2, sigma_w2, sigma_a2):
    _, _, sse = potential_gradient(state, data, sigma2, sigma_w2, sigma_a2)
    return sse / (2 * sigma2) + 0.5 * np.sum(state.omega**2, axis=(1, 2)) \
        + 0.5 * np.sum(state.alpha**2, axis=1)


def test_gradient_equals_finite_differences():
    data = model_a_data(30, 5, seed=2)
    rng = np.random.default_rng(0)
    state = LangevinState(rng.standard_normal((2, 4, 5)), rng.standard_normal((2, 4)))
    g_o, g_a, _ = potential_gradient(state, data, 0.2, 0.5, 0.1)
    for arr, grad in ((state.omega, g_o), (state.alpha, g_a)):
        for _ in range(8):
            idx = tuple(rng.integers(0, s) for s in arr.shape)
            old = arr[idx]
            h = 1e-6
            arr[idx] = old + h
            up = _potential(state, data, 0.2, 0.5, 0.1)[idx[0]]
            arr[idx] = old - h
            down = _potential(state, data, 0.2, 0.5, 0.1)[idx[0]]
            arr[idx] = old
            # float64 central differences: truncation ~h^2, round-off ~1e-16 |U| / h
            assert grad[idx] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-6)


def test_no_data_limit_recovers_the_priors():
    # sigma2 = inf: U is the prior; w_i ~ N(0, sigma_w2/d I) and a_i ~ N(0, sigma_a2/N).
    data = model_a_data(10, 8, seed=0)
    tr = langevin_model_a(data, N=20, sigma2=math.inf, sigma_w2=0.5, sigma_a2=0.4,
                          chains=8, step=0.05, steps=4000, thin=20, seed=1)
    # ULA on a standard normal with step h has stationary variance 1/(1 - h/2) = 1.026
    bias = 1 / (1 - 0.05 / 2)
    q_var = tr.overlap.var()
    a_var = tr.a.var()
    # 100 x 8 x 20 correlated samples: effective size > 2000, so 10% is > 4 standard errors
    assert q_var == pytest.approx(0.5 / 8 * bias, rel=0.1)
    assert a_var == pytest.approx(0.4 / 20 * bias, rel=0.1)
    assert tr.w_norm2.mean() == pytest.approx(0.5 * bias, rel=0.05)


def test_gaussian_posterior_of_the_readout():
    # With the first layer held fixed, the posterior of the whitened readout alpha is exactly
    # Gaussian: precision I + s_a^2 Phi^T Phi / sigma2, Phi = erf(x W^T).
    data = model_a_data(40, 3, seed=3)
    rng = np.random.default_rng(4)
    N, sigma2, sigma_a2 = 3, 0.5, 1.0
    omega = rng.standard_normal((1, N, 3))
    s_a = math.sqrt(sigma_a2 / N)
    from scipy.special import erf

    phi = erf(data.x @ (math.sqrt(0.5 / 3) * omega[0]).T)
    prec = np.eye(N) + s_a**2 * phi.T @ phi / sigma2
    cov = np.linalg.inv(prec)
    mean = cov @ (s_a * phi.T @ data.y / sigma2)
    # run the sampler on alpha only, omega held fixed by re-setting it every step
    state = LangevinState(np.repeat(omega, 16, axis=0), np.zeros((16, N)))
    h = 2e-3
    samples = []
    for t in range(6000):
        _, g_a, _ = potential_gradient(state, data, sigma2, 0.5, sigma_a2)
        state.alpha += -h * g_a + math.sqrt(2 * h) * rng.standard_normal(state.alpha.shape)
        if t >= 2000 and t % 10 == 0:
            samples.append(state.alpha.copy())
    s = np.concatenate(samples)
    # 6400 correlated draws; tolerance ~5 standard errors of the mean / 10% on variances
    assert np.allclose(s.mean(axis=0), mean, atol=5 * np.sqrt(np.diag(cov) / 400))
    assert np.allclose(s.var(axis=0), np.diag(cov), rtol=0.15)


def test_bad_input():
    data = model_a_data(10, 4)
    with pytest.raises(ValueError, match="sigma2"):
        langevin_model_a(data, N=3, sigma2=0.0, sigma_a2=0.1)
    with pytest.raises(ValueError, match="burn_in"):
        langevin_model_a(data, N=3, sigma2=0.1, sigma_a2=0.1, steps=10, burn_in=10)
    with pytest.raises(ValueError, match="N must"):
        langevin_model_a(data, N=0, sigma2=0.1, sigma_a2=0.1)
    with pytest.raises(ValueError, match="sigma2"):
        langevin_model_a(data, N=3, sigma2=[0.1, -0.2], sigma_a2=0.1)
    with pytest.raises(ValueError, match="dtype"):
        langevin_model_a(data, N=3, sigma2=0.1, sigma_a2=0.1, dtype="float16")
    with pytest.raises(ValueError, match="init"):
        langevin_model_a(data, N=3, sigma2=[0.1, 0.2], sigma_a2=0.1, chains=1,
                         init=LangevinState(np.zeros((1, 3, 4)), np.zeros((1, 3))))


def test_fast_erf_matches_scipy_in_both_precisions():
    from scipy.special import erf

    x = np.concatenate([np.linspace(-12, 12, 20001), [0.0, -0.0, 1e-30]])
    # float32: exp(-x^2) inherits the rounding of x^2, relative 2 x^2 * 6e-8 = 2e-5 at |x| = 12
    for dtype, tol, rtol in ((np.float64, 1.5e-7, 1e-12), (np.float32, 1.5e-7 + 6e-7, 3e-5)):
        val, gauss = fast_erf(x.astype(dtype))
        assert val.dtype == dtype
        # A&S 7.1.26 bound 1.5e-7; float32 adds a few ulps of 1 (6e-8 each)
        assert np.abs(val - erf(x)).max() < tol
        assert np.allclose(gauss, np.exp(-x * x), rtol=rtol, atol=2e-38)   # float32 underflow


def test_hermite_components_equal_projections_on_fresh_test_points():
    # f = sum_i a_i erf(w_i.x): exact He_1 and He_3/6 coefficients vs a large test set
    rng = np.random.default_rng(5)
    d, N = 6, 4
    w = rng.standard_normal((N, d)) * 0.6
    a = rng.standard_normal(N)
    x = rng.standard_normal((400_000, d))
    from scipy.special import erf

    f = erf(x @ w.T) @ a
    z = x[:, 0]
    mc_lin = np.mean(f * z)
    mc_cub = np.mean(f * (z**3 - 3 * z)) / 6
    lin, cub = hermite_components(w[:, 0], np.sum(w * w, axis=1), a)
    # Monte Carlo standard errors: std(f z)/sqrt(4e5) ~ 3e-3 and std(f He3)/6/sqrt(4e5) ~ 1.5e-3
    se_lin = np.std(f * z) / np.sqrt(z.size)
    se_cub = np.std(f * (z**3 - 3 * z)) / 6 / np.sqrt(z.size)
    assert abs(lin - mc_lin) < 4 * se_lin
    assert abs(cub - mc_cub) < 4 * se_cub


def test_a_chain_does_not_depend_on_grouping_or_threads():
    # Per-chain SeedSequence streams: chain 0 of a sigma2 grid run == a run of that chain
    # alone, and two worker threads give the same numbers as one.
    data = model_a_data(40, 5, seed=1)
    kw = dict(N=6, sigma_a2=0.2, step=0.01, steps=60, thin=20, seed=3, dtype="float64")
    grid = langevin_model_a(data, sigma2=[0.2, 0.4], chains=3, workers=1, **kw)
    threaded = langevin_model_a(data, sigma2=[0.2, 0.4], chains=3, workers=2, **kw)
    alone = langevin_model_a(data, sigma2=0.2, chains=1, **kw)
    assert np.array_equal(grid.overlap, threaded.overlap)
    assert np.array_equal(grid.cubic, threaded.cubic)
    assert np.allclose(grid.overlap[:, 0], alone.overlap[:, 0], rtol=0, atol=1e-14)
    assert grid.sigma2.tolist() == [0.2, 0.2, 0.2, 0.4, 0.4, 0.4]


def test_float32_sampler_agrees_with_float64_over_a_short_run():
    # Same streams (noise is drawn in float64), same start: the float32 trajectory (A&S erf,
    # rounding 6e-8 per operation) stays within 1e-3 of the float64 one over 200 steps; the
    # dynamics contracts (prior curvature 1), so rounding does not grow.
    data = model_a_data(60, 5, seed=1)
    kw = dict(N=6, sigma2=0.3, sigma_a2=0.2, step=0.01, steps=200, thin=50, seed=4, chains=2)
    lo = langevin_model_a(data, dtype="float32", **kw)
    hi = langevin_model_a(data, dtype="float64", **kw)
    assert np.allclose(lo.overlap, hi.overlap, atol=1e-3)
    assert np.allclose(lo.train_mse, hi.train_mse, rtol=1e-3)
