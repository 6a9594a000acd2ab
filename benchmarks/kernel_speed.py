"""Benchmark: adaptive-kernel theory solves and the Langevin sampler.

Prints

* the wall time of the Model A critical point plus a 200-point sigma2 curve
  (scaling limit), and of the Model B self-consistent curve on 200 points,
  against the issue's 1 s target (ratio = target / time, > 1 is good);
* the finite-d mean-field curve (200 points), which the validation figure uses;
* Langevin chain-steps per second at the validation size (beta = 1/8:
  n = 375, d = 53, N = 88) for the straightforward sampler (float64,
  scipy erf, all chains in one program, one thread) and the shipped one
  (float32 with the fused erf, blocks of two chains, two threads), and the
  ratio; and the activation alone (scipy erf + exp vs fast_erf);
* Model B chain-steps per second at the full profile's size (P = 11, N = 256)
  for the straightforward sampler (float64, all chains in one program, one
  thread) and the shipped one (float32, cache-sized blocks, two threads), the
  ratio, and the shipped Model B chain-step in units of the Model A one (both
  measured in this run: the ratio survives a loaded machine).

Run:  python benchmarks/kernel_speed.py
"""

from __future__ import annotations

import time

import numpy as np
from scipy.special import erf

from theory.adaptive_kernel import (
    BASE_MODEL_A,
    BASE_MODEL_B,
    critical_point,
    model_a,
    phase_diagram,
)
from theory.adaptive_kernel.finite_d import finite_d_solution
from theory.adaptive_kernel.model_b import self_consistent_curve, thresholds
from validation.adaptive_kernel.langevin import (
    LangevinState,
    fast_erf,
    langevin_model_a,
    model_a_data,
    potential_gradient,
)
from validation.adaptive_kernel.langevin_b import (
    ModelBState,
    langevin_model_b,
    potential_gradient_b,
)
from validation.adaptive_kernel.scan_b import simulation_config_b
from validation.adaptive_kernel.transition import simulation_config


def _best(func, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def _naive_chain_steps_per_s(data, cfg, chains, steps):
    """All chains in one (n, K N) float64 program with scipy erf, one thread."""
    rng = np.random.default_rng(0)
    state = LangevinState(rng.standard_normal((chains, int(cfg.N), data.d)),
                          rng.standard_normal((chains, int(cfg.N))))
    h = 0.01
    t0 = time.perf_counter()
    for _ in range(steps):
        g_o, g_a, _ = potential_gradient(state, data, 0.1, cfg.sigma_w2, cfg.sigma_a2)
        state.omega += -h * g_o + np.sqrt(2 * h) * rng.standard_normal(state.omega.shape)
        state.alpha += -h * g_a + np.sqrt(2 * h) * rng.standard_normal(state.alpha.shape)
    return chains * steps / (time.perf_counter() - t0)


def _naive_model_b_chain_steps_per_s(cfg, chains, steps, sigma2):
    """All chains in one float64 program, one thread."""
    rng = np.random.default_rng(0)
    N, P = int(cfg.N), cfg.P
    state = ModelBState(*rng.standard_normal((3, chains, N, P)))
    h = 0.004
    t0 = time.perf_counter()
    for _ in range(steps):
        grads, _ = potential_gradient_b(state, cfg, sigma2)
        for arr, g in zip((state.w, state.v, state.alpha), grads):
            arr += -h * g + np.sqrt(2 * h) * rng.standard_normal(arr.shape)
    return chains * steps / (time.perf_counter() - t0)


def main():
    grid = np.linspace(0.1, 0.3, 200)
    def model_a_curve():
        model_a._critical_point_cached.cache_clear()     # time it cold, cache included
        critical_point(BASE_MODEL_A)
        phase_diagram(BASE_MODEL_A, grid)

    t_a = _best(model_a_curve)
    t_b = _best(lambda: self_consistent_curve(BASE_MODEL_B, sigma2=grid))
    cfg = simulation_config(1 / 8)
    t_fd = _best(lambda: [finite_d_solution(cfg, s) for s in grid])
    print("theory (target: under 1 s each; ratio = 1 s / time)")
    print(f"  Model A critical point + 200-point curve : {t_a:7.3f} s   ratio {1 / t_a:6.1f}")
    print(f"  Model B 200-point curve                  : {t_b:7.3f} s   ratio {1 / t_b:6.1f}")
    print(f"  finite-d mean field, 200 points (d = 53)  : {t_fd:7.3f} s   ratio {1 / t_fd:6.1f}")

    data = model_a_data(int(cfg.n), int(cfg.d), seed=0)
    x = np.random.default_rng(1).standard_normal((375, 2 * 88)) * 0.7
    t_scipy = _best(lambda: [(erf(x), np.exp(-x * x)) for _ in range(200)])
    x32 = x.astype(np.float32)
    t_fast = _best(lambda: [fast_erf(x32) for _ in range(200)])
    print("activation (375 x 176 entries, erf and exp(-x^2)), 200 calls")
    print(f"  scipy erf + exp, float64 : {t_scipy:7.3f} s")
    print(f"  fast_erf, float32        : {t_fast:7.3f} s   ratio {t_scipy / t_fast:5.1f}")

    chains, steps = 28, 400
    naive = _naive_chain_steps_per_s(data, cfg, chains, steps)
    t0 = time.perf_counter()
    langevin_model_a(data, N=int(cfg.N), sigma2=[0.1] * 7, sigma_a2=cfg.sigma_a2, chains=4,
                     step=0.01, steps=steps, thin=steps, dtype="float32", workers=2)
    shipped = chains * steps / (time.perf_counter() - t0)
    print(f"Langevin at beta = 1/8 (n = 375, d = 53, N = 88), {chains} chains x {steps} steps")
    print(f"  float64, one (n, K N) program, 1 thread : {naive:8.0f} chain-steps/s")
    print(f"  float32 fused erf, 2-chain blocks, 2 thr : {shipped:8.0f} chain-steps/s   "
          f"ratio {shipped / naive:5.1f}")

    cfg_b = simulation_config_b(11, 256, 10.0)
    s2 = 0.9 * thresholds(cfg_b, "matrix").sigma2_I
    chains_b, steps_b = 16, 300
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):
        naive_b = _naive_model_b_chain_steps_per_s(cfg_b, chains_b, steps_b, s2)
    t0 = time.perf_counter()
    langevin_model_b(cfg_b, sigma2=[s2] * 4, chains=4, step=0.004, steps=steps_b,
                     thin=steps_b, dtype="float32", workers=2)
    shipped_b = chains_b * steps_b / (time.perf_counter() - t0)
    print(f"Model B Langevin (P = 11, N = 256), {chains_b} chains x {steps_b} steps")
    print(f"  float64, one program, 1 thread         : {naive_b:8.0f} chain-steps/s")
    print(f"  float32, cache-sized blocks, 2 threads : {shipped_b:8.0f} chain-steps/s   "
          f"ratio {shipped_b / naive_b:5.1f}")
    print(f"  Model B chain-step / Model A chain-step (beta = 1/8, both shipped): "
          f"{shipped / shipped_b:5.2f}")


if __name__ == "__main__":
    main()
