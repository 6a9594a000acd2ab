"""The Langevin sampler of the Model B posterior: gradient, priors, readout posterior, DFT."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from theory.adaptive_kernel.model_b import ModelBConfig, modular_target, two_hot_inputs
from validation.adaptive_kernel.langevin_b import (
    ModelBState,
    langevin_model_b,
    mode_powers,
    potential_b,
    potential_gradient_b,
    relative_residual,
)


def test_gradient_equals_finite_differences():
    # potential_b evaluates U directly on the two-hot inputs (a second route to the
    # outer-sum features of the sampler) with the regulariser from numpy's FFT
    cfg = ModelBConfig(P=7, N=5, sigma_a2=0.3, gamma=0.7)
    rng = np.random.default_rng(0)
    state = ModelBState(*rng.standard_normal((3, 2, 5, 7)))
    sigma2 = [0.3, math.inf]
    grads, _ = potential_gradient_b(state, cfg, sigma2)
    for name, grad in zip(("w", "v", "alpha"), grads):
        arr = getattr(state, name)
        for _ in range(6):
            idx = tuple(int(rng.integers(0, s)) for s in arr.shape)
            old = arr[idx]
            h = 1e-6
            arr[idx] = old + h
            up = potential_b(state, cfg, sigma2)[idx[0]]
            arr[idx] = old - h
            down = potential_b(state, cfg, sigma2)[idx[0]]
            arr[idx] = old
            # float64 central differences: truncation ~h^2 U''', round-off ~1e-16 |U| / h
            assert grad[idx] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-6)


def test_float32_gradient_matches_float64():
    cfg = ModelBConfig(P=11, N=8, sigma_a2=1e-4, gamma=2.0)
    rng = np.random.default_rng(1)
    arrs = rng.standard_normal((3, 2, 8, 11))
    g64, _ = potential_gradient_b(ModelBState(*arrs), cfg, 1e-2)
    g32, _ = potential_gradient_b(ModelBState(*arrs.astype(np.float32)), cfg, 1e-2)
    for a, b in zip(g64, g32):
        # float32 sums of ~P^2 terms: relative rounding ~1e-6 of the largest term
        assert np.allclose(b, a, rtol=1e-4, atol=1e-4 * np.abs(a).max())


def test_no_data_limit_recovers_the_priors_with_the_regulariser():
    # sigma2 = inf: a ~ N(0, sigma_a2/N) and, for every complex Fourier mode, the density
    # of Phi = |w^_k|^2/P is exp(-P Phi - P gamma Phi^3/3) (flat measure in |w^_k|^2,
    # the (k, -k) pair carries the regulariser twice).  gamma = 20 at P = 7 moves <Phi>
    # 9% below the Gaussian prior's 1/P, so the test sees the regulariser.
    P, N, gamma = 7, 6, 20.0
    cfg = ModelBConfig(P=P, N=N, sigma_a2=0.5, gamma=gamma)
    h = 0.005
    tr = langevin_model_b(cfg, sigma2=math.inf, chains=8, step=h, steps=6000, thin=20,
                          seed=2, dtype="float64")

    def density_moment(k):
        return quad(lambda x: x ** k * math.exp(-P * x - P * gamma * x ** 3 / 3), 0, 5)[0]

    mean_phi = density_moment(1) / density_moment(0)
    assert mean_phi < 0.93 / P
    phi = np.concatenate([tr.phi.ravel(), tr.psi.ravel()]).astype(float)
    # 150 x 8 x 6 x 3 x 2 samples, autocorrelation ~ 1/h steps = 10 records: effective size
    # > 8000, SE of the mean ~ 1.1%; ULA bias O(h k) with k <= 1 + 8 gamma Phi^2 ~ 4: < 2%
    assert phi.mean() == pytest.approx(mean_phi, rel=0.05)
    mean_phi2 = density_moment(2) / density_moment(0)
    assert np.mean(phi ** 2) == pytest.approx(mean_phi2, rel=0.1)
    s_a2 = cfg.sigma_a2 / N
    a_var = np.var(tr.state.alpha) * s_a2
    # final states only: 8 x 6 x 7 = 336 draws, SE of a variance ~ 8%
    assert a_var == pytest.approx(s_a2 / (1 - h / 2), rel=0.3)
    # without data the readout has no preferred direction: |a| = 1 - <f, y>/|y|^2 -> 1
    assert abs(tr.abs_a.mean() - 1.0) < 0.05


def test_gaussian_posterior_of_the_readout():
    # With w, v held fixed the posterior of the whitened readout of output p is Gaussian:
    # precision I + s_a^2 F^T F / sigma2, mean s_a Cov F^T y_p / sigma2, F = (x W^T)^2.
    P, N, sigma2, sigma_a2 = 5, 3, 0.5, 2.0
    cfg = ModelBConfig(P=P, N=N, sigma_a2=sigma_a2, gamma=1.0)
    rng = np.random.default_rng(4)
    w, v = 0.7 * rng.standard_normal((2, 1, N, P))
    feat = (two_hot_inputs(P) @ np.concatenate([w[0], v[0]], axis=1).T) ** 2   # (P^2, N)
    s_a = math.sqrt(sigma_a2 / N)
    prec = np.eye(N) + s_a ** 2 * feat.T @ feat / sigma2
    cov = np.linalg.inv(prec)
    mean = cov @ (s_a * feat.T @ modular_target(P) / sigma2)             # (N, P)
    C = 16
    state = ModelBState(np.repeat(w, C, 0), np.repeat(v, C, 0), np.zeros((C, N, P)))
    h = 2e-3
    samples = []
    for t in range(5000):
        (_, _, g_a), _ = potential_gradient_b(state, cfg, sigma2)
        state.alpha += -h * g_a + math.sqrt(2 * h) * rng.standard_normal(state.alpha.shape)
        if t >= 1000 and t % 10 == 0:
            samples.append(state.alpha.copy())
    s = np.concatenate(samples)                                          # (6400, N, P)
    sd = np.sqrt(np.diag(cov))[:, None]
    # Euler-Maruyama on a Gaussian of precision A keeps the mean and has the stationary
    # covariance (A - h A^2/2)^-1 (solve S = (I - hA) S (I - hA) + 2h I); the stiffest
    # direction here has h k = 0.34, a 20% effect, so the test sees the step as well.
    ula = np.diag(np.linalg.inv(prec - h * prec @ prec / 2))
    # 6400 correlated draws (~400 effective per chain set): 5 SE on means, 10% on variances
    assert np.all(np.abs(s.mean(axis=0) - mean) < 5 * sd / math.sqrt(400))
    assert np.allclose(s.var(axis=0), np.repeat(ula[:, None], P, 1), rtol=0.1)


def test_fourier_observables_match_a_brute_force_dft():
    rng = np.random.default_rng(5)
    P, N = 11, 4
    w, v, a = rng.standard_normal((3, 2, N, P))
    n = np.arange(P)
    for k in range(1, (P + 1) // 2):
        coef = np.exp(-2j * np.pi * k * n / P) / math.sqrt(P)
        brute = np.abs((w * coef).sum(axis=-1)) ** 2 / P
        assert np.allclose(mode_powers(w)[..., k - 1], brute, rtol=1e-12)
    # relative residual vs f . y summed over all pairs and outputs
    feat = np.einsum("xd,knd->knx", two_hot_inputs(P), np.concatenate([w, v], axis=-1)) ** 2
    f = np.einsum("knx,knp->kxp", feat, a)
    y = modular_target(P)
    brute = 1.0 - np.einsum("kxp,xp->k", f, y) / np.sum(y * y)
    assert np.allclose(relative_residual(w, v, a), brute, rtol=1e-12, atol=1e-12)


def test_a_chain_does_not_depend_on_grouping_threads_or_step_layout():
    cfg = ModelBConfig(P=5, N=4, sigma_a2=1e-3, gamma=1.0)
    kw = dict(steps=60, thin=20, seed=3, dtype="float64")
    grid = langevin_model_b(cfg, sigma2=[0.01, 0.02], chains=3, step=[0.01, 0.02], workers=1,
                            **kw)
    threaded = langevin_model_b(cfg, sigma2=[0.01, 0.02], chains=3, step=[0.01, 0.02],
                                workers=2, **kw)
    assert np.array_equal(grid.abs_a, threaded.abs_a)
    assert np.array_equal(grid.phi, threaded.phi)
    # chain 3 of the grid (second level) alone: same stream, same step, same numbers
    alone = langevin_model_b(cfg, sigma2=0.01, chains=1, step=0.01, **kw)
    assert np.allclose(grid.abs_a[:, 0], alone.abs_a[:, 0], rtol=0, atol=1e-13)
    assert grid.step.tolist() == [0.01] * 3 + [0.02] * 3


def test_bad_input():
    cfg = ModelBConfig(P=5, N=4, sigma_a2=1e-3, gamma=1.0)
    with pytest.raises(ValueError, match="sigma2"):
        langevin_model_b(cfg, sigma2=0.0)
    with pytest.raises(ValueError, match="step"):
        langevin_model_b(cfg, sigma2=[0.1, 0.2], step=[0.01, 0.01, 0.01])
    with pytest.raises(ValueError, match="N must be an integer"):
        langevin_model_b(ModelBConfig(P=5, N=4.5, sigma_a2=1e-3, gamma=1.0), sigma2=0.1)
    with pytest.raises(ValueError, match="burn_in"):
        langevin_model_b(cfg, sigma2=0.1, steps=10, burn_in=10)
    with pytest.raises(ValueError, match="dtype"):
        langevin_model_b(cfg, sigma2=0.1, dtype="float16")
    with pytest.raises(ValueError, match="init"):
        langevin_model_b(cfg, sigma2=0.1, chains=2, init=ModelBState(*np.zeros((3, 1, 4, 5))))
    with pytest.raises(ValueError, match="GiB"):
        langevin_model_b(ModelBConfig(P=41, N=400, sigma_a2=1e-3, gamma=1.0), sigma2=0.1,
                         chains=64, steps=10 ** 7, thin=1)
    with pytest.raises(TypeError, match="ModelBConfig"):
        langevin_model_b({"P": 5}, sigma2=0.1)
