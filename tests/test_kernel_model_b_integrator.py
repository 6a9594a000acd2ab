"""The Euler-Maruyama machinery shared by the Model A and Model B samplers.

Model A's trajectories must be the ones of the sampler before the integrator was factored
out: the reference below is that loop written out (prior draws chain by chain, per-chain
float64 noise, the update in the parameters' dtype), run on the same streams.
"""

import math

import numpy as np
import pytest

from validation.adaptive_kernel._integrator import chain_blocks, euler_maruyama
from validation.adaptive_kernel.langevin import (
    LangevinState,
    langevin_model_a,
    model_a_data,
    potential_gradient,
)


def _reference_model_a(data, N, levels, chains, sigma_a2, sigma_w2, step, steps, burn_in, thin,
                       seed, dtype):
    dt = np.dtype(dtype)
    per_chain = np.repeat(levels, chains)
    K = per_chain.size
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(K)]
    omega = np.stack([r.standard_normal((N, data.d)) for r in rngs]).astype(dt)
    alpha = np.stack([r.standard_normal(N) for r in rngs]).astype(dt)
    x, y = data.x.astype(dt), data.y.astype(dt)
    from validation.adaptive_kernel.langevin import ModelAData

    cast = ModelAData(x=x, y=y, eps=data.eps, seed=data.seed)
    h, noise = dt.type(step), dt.type(math.sqrt(2 * step))
    q = []
    for t in range(steps):
        g_o, g_a, _ = potential_gradient(LangevinState(omega, alpha), cast, per_chain,
                                         sigma_w2, sigma_a2)
        xi_o = np.empty(omega.shape)
        xi_a = np.empty(alpha.shape)
        for k, rng in enumerate(rngs):
            rng.standard_normal(out=xi_o[k])
            rng.standard_normal(out=xi_a[k])
        omega += -h * g_o + noise * xi_o.astype(dt)
        alpha += -h * g_a + noise * xi_a.astype(dt)
        if t >= burn_in and (t - burn_in) % thin == 0:
            q.append(math.sqrt(sigma_w2 / data.d) * omega.astype(float)[..., 0])
    return np.array(q), omega, alpha


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("workers", [1, 2])
def test_model_a_trajectories_are_bit_identical_to_the_written_out_loop(dtype, workers):
    data = model_a_data(40, 6, seed=4)
    kw = dict(N=7, sigma_a2=0.3, sigma_w2=0.5, step=0.01, steps=80, burn_in=20, thin=15,
              seed=9)
    tr = langevin_model_a(data, sigma2=[0.1, 0.4], chains=3, dtype=dtype, workers=workers,
                          **kw)
    q, omega, alpha = _reference_model_a(data, levels=np.array([0.1, 0.4]), chains=3,
                                         dtype=dtype, **kw)
    assert np.array_equal(tr.overlap, q)          # w* = e_1: the overlap is w[..., 0]
    assert np.array_equal(tr.state.omega, omega)
    assert np.array_equal(tr.state.alpha, alpha)


def test_per_chain_steps_equal_separate_runs():
    # U = |x|^2/2 per chain: a step array must act like each chain's scalar step
    def run(step, seeds):
        rngs = [np.random.default_rng(s) for s in seeds]
        x = np.ones((len(seeds), 3))
        rec = euler_maruyama([x], rngs, lambda p: ([p[0].copy()], None), step=step, steps=50,
                             burn_in=0, thin=10, record=lambda p, _: {"x": p[0].copy()})
        return rec["x"]

    both = run(np.array([0.01, 0.2]), [1, 2])
    assert np.allclose(both[:, 0], run(0.01, [1])[:, 0], rtol=0, atol=1e-15)
    assert np.allclose(both[:, 1], run(0.2, [2])[:, 0], rtol=0, atol=1e-15)


def test_euler_maruyama_stationary_variance_of_a_gaussian():
    # ULA on U = k x^2/2 has the stationary variance 1/(k (1 - h k/2)) exactly
    k, h = 4.0, 0.05
    rngs = [np.random.default_rng(s) for s in range(20)]
    x = np.zeros((20, 50))
    rec = euler_maruyama([x], rngs, lambda p: ([k * p[0]], None), step=h, steps=4000,
                         burn_in=500, thin=5, record=lambda p, _: {"x": p[0].copy()})
    var = rec["x"].var()
    # 700 x 1000 draws with autocorrelation time ~1/(h k) = 5 steps: SE ~ 0.3%
    assert var == pytest.approx(1 / (k * (1 - h * k / 2)), rel=0.02)
    assert abs(var - 1 / k) > 0.05 / k                 # the O(h) bias is resolved


def test_chain_blocks_fill_every_worker():
    assert chain_blocks(10, 1000, 2, block_entries=4000) == [slice(0, 4), slice(4, 8),
                                                             slice(8, 10)]
    assert chain_blocks(4, 1, 2, block_entries=4000) == [slice(0, 2), slice(2, 4)]
    assert chain_blocks(3, 10 ** 6, 1, block_entries=4000) == [slice(0, 1), slice(1, 2),
                                                               slice(2, 3)]
