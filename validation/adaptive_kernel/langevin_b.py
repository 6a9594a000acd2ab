r"""Unadjusted Langevin sampling of the Model B posterior (modular addition), over chains.

Model B (spec ``adaptive_kernel.md``): two-hot inputs ``x_{nm} = e_n (+) e_m``
on all ``P^2`` pairs, targets ``y_p(n, m) = delta_{p,(n+m) mod P} - 1/P``, the
quadratic student ``f_p(x) = sum_i a_{pi} (w_i.x)^2`` with ``w_i = (w_i, v_i)``
(the two halves of the first-layer vector) and priors ``w ~ N(0, I_{2P})``,
``a ~ N(0, sigma_a2/N)``.  The posterior sampled is

.. math:: p(a, w, v) \propto e^{-\mathrm{SSE}/(2\sigma^2)}\,
          e^{-|w|^2/2 - |v|^2/2 - R(w) - R(v)}\, e^{-N|a|^2/(2\sigma_a^2)},
          \qquad R(w) = \frac{\gamma}{6P^2}\sum_{k=0}^{P-1}|\hat w_k|^6,

with ``w^_k = P^{-1/2} sum_n w_n e^{-2 pi i kn/P}``.  ``R`` is the regulariser
of the theory's mode action: with ``Phi_k = |w^_k|^2/P`` it is
``P (gamma/6) sum_k Phi_k^3``, the ``(gamma/6) Phi^3`` of
``S_k/P`` (:func:`theory.adaptive_kernel.model_b.mode_action`) for every Fourier
index, so theory and simulation describe the same distribution.

Parameters are whitened (``a = sqrt(sigma_a2/N) alpha``; ``w, v`` already
have unit prior variance) and advanced by the Euler-Maruyama step shared with
the Model A sampler (:mod:`validation.adaptive_kernel._integrator`): one
random stream per chain, float64 noise, cache-sized blocks of chains on
threads with single-threaded BLAS, one noise level (and step) per chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from theory.adaptive_kernel.model_b import ModelBConfig, modular_target
from validation.adaptive_kernel._integrator import (
    chain_blocks,
    chain_streams,
    check_schedule,
    euler_maruyama,
    prior_draws,
    run_blocks,
    stack_records,
)

__all__ = ["ModelBState", "ModelBTrace", "langevin_model_b", "potential_gradient_b",
           "potential_b", "mode_powers", "relative_residual"]

_TRACE_LIMIT_BYTES = 2 << 30


@dataclass
class ModelBState:
    """Whitened parameters of ``K`` chains: ``w``, ``v`` (K, N, P), ``alpha`` (K, N, P).

    ``alpha[k, i, p]`` is the read-out of neuron ``i`` to output ``p``.
    """

    w: np.ndarray
    v: np.ndarray
    alpha: np.ndarray


@dataclass(frozen=True)
class ModelBTrace:
    """Samples recorded every ``thin`` steps after ``burn_in``.

    Chains are ordered by noise level (``chains`` per level); ``K`` chains,
    ``T`` samples, ``M = (P - 1)/2`` complex Fourier modes per half.

    Attributes
    ----------
    sigma2, step : ndarray, shape (K,)
        Noise level and Euler-Maruyama step of each chain.
    abs_a : ndarray, shape (T, K)
        Relative residual on the target, ``1 - <f, y>/|y|^2`` (:func:`relative_residual`);
        its posterior mean is the theory's ``|a|``.
    phi, psi : ndarray, shape (T, K, N, M), float32
        ``Phi_k = |w^_k|^2/P`` and ``Psi_k = |v^_k|^2/P`` for ``k = 1..M``
        (:func:`mode_powers`; ``k`` and ``P - k`` are equal for real weights).
    relative_sse : ndarray, shape (T, K)
        ``SSE/|y|^2`` along the chain.
    state : ModelBState
        The final state (to continue the chains, e.g. in a hysteresis sweep).
    config : dict
    """

    sigma2: np.ndarray
    step: np.ndarray
    abs_a: np.ndarray
    phi: np.ndarray
    psi: np.ndarray
    relative_sse: np.ndarray
    state: ModelBState
    config: dict = field(default_factory=dict)


def mode_powers(w) -> np.ndarray:
    """``Phi_k = |w^_k|^2/P`` for ``k = 1..(P-1)/2`` (unitary DFT over the last axis).

    Examples
    --------
    >>> import numpy as np
    >>> from validation.adaptive_kernel.langevin_b import mode_powers
    >>> n = np.arange(7)
    >>> np.round(mode_powers(np.cos(2 * np.pi * 2 * n / 7)), 6).tolist()  # |w^_2|^2 = 7/4
    [0.0, 0.25, 0.0]
    """
    w = np.asarray(w, dtype=float)
    P = w.shape[-1]
    wh = np.fft.fft(w, axis=-1)[..., 1:(P + 1) // 2]
    return (wh.real ** 2 + wh.imag ** 2) / (P * P)


def relative_residual(w, v, a) -> np.ndarray:
    r"""``1 - <f, y>/|y|^2`` of ``f_p = sum_i a_{pi} (w_i.x)^2``, from Fourier modes.

    Parameters
    ----------
    w, v : array_like, shape (..., N, P)
        The two halves of the first-layer weights.
    a : array_like, shape (..., N, P)
        Read-outs (not whitened), ``a[..., i, p]``.

    Returns
    -------
    ndarray, shape (...)

    Notes
    -----
    ``sum_{n,m} y_p(n,m) (w_n + v_m)^2 = 2 sum_{k != 0} w^_k v^_k e^{2 pi i kp/P}``
    (:func:`theory.adaptive_kernel.model_b.fourier_target_overlap`) and
    ``|y|^2 = P (P - 1)``.  ``sigma2 t = a y`` in the theory makes the
    posterior-mean output ``(1 - a) y``: this is ``a`` for one sample, and its
    posterior mean is the theory's ``|a|``.

    Examples
    --------
    >>> import numpy as np
    >>> from validation.adaptive_kernel.langevin_b import relative_residual
    >>> float(relative_residual(np.ones((2, 5)), np.ones((2, 5)), np.ones((2, 5))))  # constant f
    1.0
    """
    w = np.asarray(w, dtype=float)
    P = w.shape[-1]
    prod = np.fft.fft(w, axis=-1) * np.fft.fft(np.asarray(v, dtype=float), axis=-1) / P
    prod[..., 0] = 0.0
    overlap = 2.0 * np.real(np.fft.ifft(prod, axis=-1)) * P           # (..., N, p)
    proj = np.sum(np.asarray(a, dtype=float) * overlap, axis=(-2, -1))
    return 1.0 - proj / (P * (P - 1))


def _dft_matrix(P, dtype):
    """``[cos | -sin](2 pi k n/P)/sqrt(P)``, shape (P, 2P): ``w @ T`` = (Re, Im) of w^."""
    ang = 2.0 * np.pi * np.outer(np.arange(P), np.arange(P)) / P
    return (np.concatenate([np.cos(ang), -np.sin(ang)], axis=1) / math.sqrt(P)).astype(dtype)


@dataclass(frozen=True)
class _Problem:
    """Data and constants of one dtype (cast once per block)."""

    y: np.ndarray          # (P^2, P) targets, row n P + m
    dft: np.ndarray        # (P, 2P)
    s_a: float
    reg: float             # gamma / P^2
    ones: np.ndarray       # (P,)


def _problem(config: ModelBConfig, N: int, dt) -> _Problem:
    P = config.P
    return _Problem(y=modular_target(P).astype(dt), dft=_dft_matrix(P, dt),
                    s_a=dt.type(math.sqrt(config.sigma_a2 / N)),
                    reg=dt.type(config.gamma / P ** 2), ones=np.ones(P, dtype=dt))


def _gradient(w, v, alpha, prob: _Problem, inv_s2):
    """``grad U`` for (w, v, alpha) and the per-chain SSE (dtype of the arrays)."""
    K, N, P = w.shape
    a = prob.s_a * alpha
    h = w[..., :, None] + v[..., None, :]                       # (K, N, n, m) = w.x
    feat = (h * h).reshape(K, N, P * P)                          # (w.x)^2
    resid = np.matmul(feat.transpose(0, 2, 1), a)               # f: (K, nm, p)
    resid -= prob.y
    sse = np.einsum("kxp,kxp->k", resid, resid)
    resid *= inv_s2[:, None, None]                               # d(SSE/2 sigma2)/df
    g_a = np.matmul(feat, resid)                                 # (K, N, p)
    g_a *= prob.s_a
    g_a += alpha
    # d/dh: 2 h sum_p a_p resid_p (a contiguous (K, N, n, m) array), then the sums over
    # m (for w) and n (for v)
    e = np.matmul(a, resid.transpose(0, 2, 1)).reshape(K, N, P, P)
    e *= h
    e *= 2.0
    # sums over m and n as products with a ones vector (5x faster than .sum on short axes)
    g_w = (e.reshape(-1, P) @ prob.ones).reshape(K, N, P)
    g_v = prob.ones @ e
    # regulariser (gamma/(6P^2)) sum_k |w^_k|^6: gradient (gamma/P^2) sum_k s_k^2 d(s_k/2)/dw,
    # for w and v in one product
    x = np.concatenate([w, v], axis=1)                          # (K, 2N, P)
    z = (x @ prob.dft).reshape(K, 2 * N, 2, P)                   # (Re, Im) of w^
    s = z[:, :, 0] * z[:, :, 0]
    s += z[:, :, 1] * z[:, :, 1]
    s *= s
    s *= prob.reg
    z *= s[:, :, None, :]
    x += z.reshape(K, 2 * N, 2 * P) @ prob.dft.T                 # prior + regulariser
    g_w += x[:, :N]
    g_v += x[:, N:]
    return (g_w, g_v, g_a), sse


def potential_gradient_b(state: ModelBState, config: ModelBConfig, sigma2):
    """``grad U`` w.r.t. ``(w, v, alpha)`` and the per-chain SSE.

    ``U = SSE/(2 sigma2) + (|w|^2 + |v|^2 + |alpha|^2)/2 + R(w) + R(v)``
    (module docstring); ``sigma2`` is a scalar or one value per chain, ``inf``
    leaves the prior.  Computed in the dtype of ``state``.

    Notes
    -----
    Cost per chain: three products of size ``P^2 x N x P`` (the output, the
    read-out gradient, the back-propagated error) plus ``O(N P^2)``
    element-wise work and two ``N x P x 2P`` products for ``R``.
    """
    w, v, alpha = state.w, state.v, state.alpha
    dt = w.dtype
    K, N, _ = w.shape
    prob = _problem(config, N, dt)
    inv_s2 = (1.0 / np.broadcast_to(np.asarray(sigma2, dtype=float), (K,))).astype(dt)
    grads, sse = _gradient(w, v, alpha, prob, inv_s2)
    return grads, sse.astype(float)


def potential_b(state: ModelBState, config: ModelBConfig, sigma2) -> np.ndarray:
    """``U`` per chain in float64, evaluated directly on the two-hot inputs (for checks).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.adaptive_kernel.model_b import ModelBConfig
    >>> from validation.adaptive_kernel.langevin_b import ModelBState, potential_b
    >>> z = np.zeros((1, 2, 3))
    >>> cfg = ModelBConfig(P=3, N=2, sigma_a2=1.0, gamma=1.0)
    >>> float(potential_b(ModelBState(z, z, z), cfg, 0.5)[0])   # |y|^2/(2 sigma2) = 6
    6.0
    """
    from theory.adaptive_kernel.model_b import two_hot_inputs

    w, v, alpha = (np.asarray(x, dtype=float) for x in (state.w, state.v, state.alpha))
    K, N, P = w.shape
    x = two_hot_inputs(P)                                       # (P^2, 2P)
    full = np.concatenate([w, v], axis=-1)                      # (K, N, 2P)
    feat = np.einsum("xd,knd->knx", x, full) ** 2
    f = np.einsum("knx,knp->kxp", feat, math.sqrt(config.sigma_a2 / N) * alpha)
    sse = np.sum((f - modular_target(P)) ** 2, axis=(1, 2))
    reg = sum(np.sum(np.abs(np.fft.fft(u, axis=-1) / math.sqrt(P)) ** 6, axis=(1, 2))
              for u in (w, v)) * config.gamma / (6.0 * P * P)
    prior = 0.5 * sum(np.sum(u * u, axis=(1, 2)) for u in (w, v, alpha))
    data = sse / (2.0 * np.broadcast_to(np.asarray(sigma2, dtype=float), (K,)))
    return data + prior + reg


def _run_chunk(w, v, alpha, rngs, config, sigma2, step, steps, burn_in, thin):
    """Advance one block of chains in place; return the recorded statistics."""
    dt = w.dtype
    N = w.shape[1]
    prob = _problem(config, N, dt)
    inv_s2 = (1.0 / sigma2).astype(dt)
    s_a = math.sqrt(config.sigma_a2 / N)
    y_norm2 = config.P * (config.P - 1)

    def gradient(params):
        return _gradient(*params, prob, inv_s2)

    def record(params, sse):
        w, v, alpha = params
        return {"abs_a": relative_residual(w, v, s_a * alpha.astype(float)),
                "phi": mode_powers(w).astype(np.float32),
                "psi": mode_powers(v).astype(np.float32),
                "relative_sse": sse.astype(float) / y_norm2}

    return euler_maruyama([w, v, alpha], rngs, gradient, step=step, steps=steps,
                          burn_in=burn_in, thin=thin, record=record)


def _levels(name, value, n_levels=None):
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    if arr.ndim != 1 or arr.size == 0 or not np.all(arr > 0) or np.any(np.isnan(arr)):
        raise ValueError(f"{name} must be > 0 (a number or a 1-D list), got {value!r}")
    if n_levels is not None and arr.size not in (1, n_levels):
        raise ValueError(f"{name} must be one number or one per sigma2 level ({n_levels}), "
                         f"got {arr.size} values")
    return arr


def _specialised_start(w, v, rng, gamma):
    """Overwrite ``w, v`` (one chain) with every complex mode at ``Phi = Psi = sqrt(3/gamma)``.

    Uniform random phases from ``rng``; the ``k = 0`` mode keeps its prior draw.
    """
    N, P = w.shape
    n = np.arange(P)
    amp = 2.0 * (3.0 / gamma) ** 0.25            # |w^_k|^2 = P amp^2/4 = P x_c
    for x in (w, v):
        phases = rng.uniform(0.0, 2.0 * np.pi, size=(N, (P - 1) // 2, 1))
        k = np.arange(1, (P + 1) // 2)[None, :, None]
        waves = np.cos(2.0 * np.pi * k * n[None, None, :] / P + phases).sum(axis=1)
        x[...] = x.mean(axis=1, keepdims=True) + amp * waves


def langevin_model_b(config: ModelBConfig, *, sigma2, chains: int = 4, step=2e-3,
                     steps: int = 10_000, burn_in: int | None = None, thin: int = 100,
                     seed: int = 0, init: ModelBState | None = None, start="prior",
                     dtype="float32", workers: int = 1) -> ModelBTrace:
    """Sample the Model B posterior with unadjusted Langevin dynamics.

    Parameters
    ----------
    config : ModelBConfig
        ``P`` (prime), integer ``N``, ``sigma_a2`` and the regulariser ``gamma``
        (see :func:`validation.adaptive_kernel.scan_b.simulation_config_b` for
        couplings that a laptop can equilibrate).
    sigma2 : float or array_like
        Noise variance(s) ``> 0`` (``inf``: the prior); ``chains`` chains run at
        every value in one program.
    chains : int
        Independent chains per noise level.
    step : float or array_like
        Euler-Maruyama step ``h`` (whitened units), one value or one per noise
        level.  The stiffest direction is the radial one of a specialised mode,
        curvature about ``8 gamma Phi^2`` (24 at the coexistence point
        ``Phi = sqrt(3/gamma)``, more beyond it), and the constant output mode
        when many modes are specialised; ``h k`` must stay well below 2.
    steps, burn_in, thin : int
        Total steps, discarded steps (default ``steps // 2``) and recording interval.
    seed : int
        ``SeedSequence(seed)`` is spawned into one stream per chain (initial
        state from the Gaussian part of the prior, then the noise).
    init : ModelBState, optional
        Continue from this state (shape ``(K, N, P)`` each, ``K`` = all chains).
    start : {"prior", "specialised"} or sequence of them
        Without ``init``: draw each chain from the Gaussian part of the prior,
        or then move every complex mode of every neuron to the specialised
        saddle at coexistence, ``Phi = Psi = sqrt(3/gamma)``, with random phases
        (an overdispersed start: chains from both sides of the transition make
        R-hat a test of equilibration).  One value, or one per chain.
    dtype : {"float32", "float64"}
    workers : int
        Threads, each advancing blocks of chains (results do not depend on it).

    Returns
    -------
    ModelBTrace

    Notes
    -----
    Cost per chain-step: three ``P^2 x N x P`` products, ``O(N P^2)``
    element-wise work and ``3 N P`` normal draws (a third of the time at
    ``P = 11``); about 0.2 ms at ``P = 11, N = 256`` in float32 on two
    cores, 0.65-0.95 of a Model A chain-step at ``beta = 1/8`` measured in one
    run (``benchmarks/kernel_speed.py``), growing as ``N P^3``.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import ModelBConfig
    >>> from validation.adaptive_kernel.langevin_b import langevin_model_b
    >>> cfg = ModelBConfig(P=5, N=4, sigma_a2=1e-4, gamma=1.0)
    >>> tr = langevin_model_b(cfg, sigma2=[1e-3, 1e-2], chains=2, steps=100, thin=25)
    >>> tr.abs_a.shape, tr.phi.shape
    ((2, 4), (2, 4, 4, 2))
    """
    if not isinstance(config, ModelBConfig):
        raise TypeError(f"config must be a ModelBConfig, got {type(config).__name__}")
    if not float(config.N).is_integer():
        raise ValueError(f"config.N must be an integer width to simulate, got {config.N}")
    N = int(config.N)
    P = config.P
    levels = _levels("sigma2", sigma2)
    steps_per_level = _levels("step", step, levels.size)
    chains, steps, burn_in, thin, workers, dt = check_schedule(chains, steps, burn_in, thin,
                                                               workers, dtype)
    per_chain = np.repeat(levels, chains)
    K = per_chain.size
    per_step = (np.repeat(steps_per_level, chains) if steps_per_level.size > 1
                else np.full(K, steps_per_level[0]))
    M = (P - 1) // 2
    n_rec = len(range(burn_in, steps, thin))
    trace_bytes = n_rec * K * N * M * 2 * 4
    if trace_bytes > _TRACE_LIMIT_BYTES:
        raise ValueError(f"the trace would take {trace_bytes / 2**30:.1f} GiB "
                         f"({n_rec} samples x {K} chains x {N} neurons x {M} modes x 2): "
                         "raise thin or lower steps")
    starts = [start] * K if isinstance(start, str) else list(start)
    if len(starts) != K or any(x not in ("prior", "specialised") for x in starts):
        raise ValueError(f"start must be 'prior', 'specialised' or one of them per chain "
                         f"({K}), got {start!r}")
    rngs = chain_streams(seed, K)
    if init is None:
        w, v, alpha = prior_draws(rngs, [(N, P)] * 3, np.float64)
        for k, how in enumerate(starts):
            if how == "specialised":
                _specialised_start(w[k], v[k], rngs[k], config.gamma)
        w, v, alpha = (x.astype(dt) for x in (w, v, alpha))
    else:
        if any(x.shape != (K, N, P) for x in (init.w, init.v, init.alpha)):
            raise ValueError(f"init has shape {init.w.shape}, expected {(K, N, P)}")
        w, v, alpha = (x.astype(dt) for x in (init.w, init.v, init.alpha))
    groups = chain_blocks(K, N * P * P, workers)
    scalar_step = steps_per_level.size == 1

    def run(sl):
        return _run_chunk(w[sl], v[sl], alpha[sl], rngs[sl], config, per_chain[sl],
                          float(steps_per_level[0]) if scalar_step else per_step[sl],
                          steps, burn_in, thin)

    rec = stack_records(run_blocks(run, groups, workers))
    if not all(np.all(np.isfinite(x)) for x in (w, v, alpha)):
        raise FloatingPointError("the Langevin chain diverged: reduce step")
    return ModelBTrace(
        sigma2=per_chain, step=per_step, abs_a=rec["abs_a"], phi=rec["phi"], psi=rec["psi"],
        relative_sse=rec["relative_sse"], state=ModelBState(w, v, alpha),
        config={"model": config.to_dict(), "sigma2": levels.tolist(),
                "step": steps_per_level.tolist(), "chains_per_sigma2": chains,
                "steps": steps, "burn_in": burn_in, "thin": thin, "seed": seed,
                "dtype": dtype, "continued": init is not None,
                "start": "continued" if init is not None else starts,
                "scheme": "unadjusted Langevin (Euler-Maruyama) on whitened parameters; "
                          "posterior exp(-SSE/(2 sigma2)) x priors x exp(-R(w) - R(v))",
                "regulariser": "R(w) = gamma/(6 P^2) sum_k |w^_k|^6 (unitary DFT, all k)",
                "data": "all P^2 pairs (one data set: the chain is the unit of replication)"})
