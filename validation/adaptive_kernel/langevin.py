"""Unadjusted Langevin sampling of the Model A posterior, vectorized over chains.

Model A (spec ``adaptive_kernel.md``): student ``f(x) = sum_i a_i erf(w_i . x)``
with priors ``w_i ~ N(0, sigma_w2/d I)``, ``a_i ~ N(0, sigma_a2/N)`` and the
posterior ``p(a, W | D) ~ exp(-SSE / (2 sigma2)) x priors`` (SSE = sum of
squared errors, no 1/2, no 1/n).  We sample this posterior directly (the
paper's literal Langevin equation has a temperature off by a factor 2,
erratum 4).

Parameters are whitened, ``w_i = sqrt(sigma_w2/d) omega_i`` and
``a_i = sqrt(sigma_a2/N) alpha_i``, so the prior is standard normal and the
potential is ``U = SSE/(2 sigma2) + |omega|^2/2 + |alpha|^2/2``; the
Euler-Maruyama (unadjusted Langevin) step is
``theta <- theta - h grad U + sqrt(2h) xi``.  Its stationary law differs from
the posterior by O(h); the tests check it on the no-data limit (priors) and on
a Gaussian case with a known posterior.

All chains share the data; each chain has its own noise level ``sigma2`` (a
whole ``sigma2`` grid runs as one program) and its own random stream
(``SeedSequence(seed).spawn``), so a chain's trajectory does not depend on how
the chains are grouped.  The chains' first-layer weights are stacked into one
``d x (K N)`` matrix: forward and backward passes are single matrix products.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import erf

from theory._checks import check_positive, check_positive_int
from validation.adaptive_kernel._integrator import (
    chain_blocks,
    chain_streams,
    check_schedule,
    euler_maruyama,
    prior_draws,
    run_blocks,
    stack_records,
)

__all__ = ["ModelAData", "LangevinState", "LangevinTrace", "langevin_model_a", "model_a_data",
           "teacher_direction", "fast_erf", "hermite_components"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# Abramowitz & Stegun 7.1.26: |erf - approx| <= 1.5e-7 for all real x.
_AS_P = 0.3275911
_AS_COEF = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def fast_erf(x):
    """``(erf(x), exp(-x^2))`` from one exponential (Abramowitz & Stegun 7.1.26).

    Parameters
    ----------
    x : ndarray
        float32 or float64.

    Returns
    -------
    (ndarray, ndarray)
        ``erf(x)`` to an absolute error below ``1.5e-7`` (plus rounding of the
        dtype) and ``exp(-x^2)``, which the gradient needs anyway
        (``erf' = (2/sqrt(pi)) exp(-x^2)``).

    Notes
    -----
    ``erf(x) = sign(x) (1 - t P(t) exp(-x^2))``, ``t = 1/(1 + p|x|)``, with the
    degree-4 polynomial of A&S 7.1.26.  Sharing ``exp(-x^2)`` between ``erf``
    and its derivative and computing it in float32 (vectorized ``exp``) makes
    the activation 6x cheaper than ``scipy.special.erf`` plus ``numpy.exp`` in
    float64 (``benchmarks/kernel_speed.py``).  An error of ``1.5e-7`` in the
    activation is far below the O(step) bias of the sampler.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.special import erf
    >>> from validation.adaptive_kernel.langevin import fast_erf
    >>> x = np.linspace(-4, 4, 101)
    >>> bool(np.abs(fast_erf(x)[0] - erf(x)).max() < 1.5e-7)
    True
    """
    dt = x.dtype.type
    gauss = np.exp(-(x * x))
    t = 1.0 / (1.0 + dt(_AS_P) * np.abs(x))
    a1, a2, a3, a4, a5 = (dt(c) for c in _AS_COEF)
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    poly *= gauss
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly), gauss


def teacher_direction(d: int) -> np.ndarray:
    """The teacher ``w* = e_1`` (any unit vector; the ensemble is rotation invariant)."""
    w = np.zeros(d)
    w[0] = 1.0
    return w


@dataclass(frozen=True)
class ModelAData:
    """Training inputs ``x ~ N(0, I_d)`` and targets ``y = H1(z) + eps H3(z)``, ``z = w*.x``."""

    x: np.ndarray
    y: np.ndarray
    eps: float
    seed: int

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def d(self) -> int:
        return self.x.shape[1]


def model_a_data(n: int, d: int, eps: float = -0.3, seed: int = 0) -> ModelAData:
    """Draw a Model A training set from ``SeedSequence(seed)``.

    Examples
    --------
    >>> from validation.adaptive_kernel.langevin import model_a_data
    >>> data = model_a_data(100, 10, seed=1)
    >>> data.x.shape, data.y.shape
    ((100, 10), (100,))
    """
    n = check_positive_int("n", n)
    d = check_positive_int("d", d)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    x = rng.standard_normal((n, d))
    z = x @ teacher_direction(d)
    y = z + eps * (z**3 - 3 * z)
    return ModelAData(x=x, y=y, eps=float(eps), seed=int(seed))


@dataclass
class LangevinState:
    """Whitened parameters of ``K`` chains: ``omega`` (K, N, d), ``alpha`` (K, N)."""

    omega: np.ndarray
    alpha: np.ndarray


@dataclass(frozen=True)
class LangevinTrace:
    """Samples recorded every ``thin`` steps after ``burn_in``.

    ``K`` is the number of chains: ``chains`` per noise level, noise levels in
    the order given (chain ``k`` has noise ``sigma2[k]``).

    Attributes
    ----------
    sigma2 : ndarray, shape (K,)
        Noise level of each chain.
    overlap : ndarray, shape (T, K, N)
        ``q_i = w_i . w*`` of every neuron.
    w_norm2 : ndarray, shape (T, K, N)
        ``|w_i|^2``.
    a : ndarray, shape (T, K, N)
        Read-out weights.
    linear : ndarray, shape (T, K)
        Coefficient of ``He_1`` in the network function, exactly over the input
        distribution: ``sum_i a_i (2/sqrt(pi)) q_i / sqrt(1 + 2|w_i|^2)``.
    cubic : ndarray, shape (T, K)
        Coefficient of ``He_3``: ``E[f He_3]/6``, with
        ``E[He_3 erf(w.x)] = -(2/sqrt(pi)) 2 q^3 / (1 + 2|w|^2)^(3/2)``.
    train_mse : ndarray, shape (T, K)
        ``SSE / n`` along the chain.
    state : LangevinState
        The final state (to continue a chain, e.g. in a hysteresis sweep).
    config : dict
    """

    sigma2: np.ndarray
    overlap: np.ndarray
    w_norm2: np.ndarray
    a: np.ndarray
    linear: np.ndarray
    cubic: np.ndarray
    train_mse: np.ndarray
    state: LangevinState
    config: dict = field(default_factory=dict)


def hermite_components(q, w_norm2, a):
    r"""Exact ``He_1`` and ``He_3`` coefficients of ``f = sum_i a_i erf(w_i.x)``.

    Parameters
    ----------
    q, w_norm2, a : ndarray, shape (..., N)
        Overlaps, squared norms and read-out weights of the neurons.

    Returns
    -------
    (ndarray, ndarray)
        ``E[f z]`` and ``E[f He_3]/6`` over ``x ~ N(0, I_d)``, shape ``(...)``.

    Notes
    -----
    Stein's lemma (:mod:`theory.adaptive_kernel.integrals`):
    ``E[z erf(v)] = (2/sqrt(pi)) q / sqrt(D)`` and
    ``E[He_3 erf(v)] = q^3 E[erf'''(v)] = -(2/sqrt(pi)) 2 q^3 / D^(3/2)`` with
    ``D = 1 + 2|w|^2``.  These are the projections "on fresh test points" with
    infinitely many points: no test-set noise.  ``tests/test_kernel_langevin.py``
    checks them against a Monte Carlo test set.

    Examples
    --------
    >>> import numpy as np
    >>> from validation.adaptive_kernel.langevin import hermite_components
    >>> lin, cub = hermite_components(np.array([0.5]), np.array([0.75]), np.array([2.0]))
    >>> # D = 2.5: lin = 2 (2/sqrt(pi)) 0.5/sqrt(D); cub = lin (-2 q^2/D)/6 = lin (-0.2/6)
    >>> round(float(lin), 5), round(float(cub), 6)
    (0.71365, -0.023788)
    """
    dd = 1.0 + 2.0 * w_norm2
    h1 = _TWO_OVER_SQRT_PI * q / np.sqrt(dd)
    lin = np.sum(a * h1, axis=-1)
    cub = np.sum(a * h1 * (-2.0 * q * q / dd), axis=-1) / 6.0
    return lin, cub


def _forward(omega, alpha, x, s_w, s_a):
    K, N, d = omega.shape
    pre = x @ (s_w * omega).reshape(K * N, d).T           # (n, K N)
    if pre.dtype == np.float32:
        act, gauss = fast_erf(pre)
    else:                                                  # exact, for float64 checks
        act, gauss = erf(pre), np.exp(-(pre * pre))
    f = np.einsum("nkj,kj->nk", act.reshape(-1, K, N), s_a * alpha)   # (n, K)
    return act, gauss, f


def potential_gradient(state: LangevinState, data: ModelAData, sigma2, sigma_w2: float,
                       sigma_a2: float):
    """``grad U`` w.r.t. (omega, alpha), and the per-chain SSE.

    ``U = SSE/(2 sigma2) + |omega|^2/2 + |alpha|^2/2``.  ``sigma2`` is a scalar
    or one value per chain; ``inf`` (no data) leaves the prior.  Computed in the
    dtype of ``state`` (the data are cast to it).

    Notes
    -----
    Cost: three ``n x d x (K N)`` products and ``O(n K N)`` element-wise work.
    """
    omega, alpha = state.omega, state.alpha
    K, N, d = omega.shape
    dt = omega.dtype
    x = data.x.astype(dt, copy=False)
    s_w = dt.type(math.sqrt(sigma_w2 / d))
    s_a = dt.type(math.sqrt(sigma_a2 / N))
    act, gauss, f = _forward(omega, alpha, x, s_w, s_a)
    resid = f - data.y.astype(dt, copy=False)[:, None]    # (n, K)
    sse = np.einsum("nk,nk->k", resid, resid)
    inv_s2 = (1.0 / np.broadcast_to(np.asarray(sigma2, dtype=float), (K,))).astype(dt)
    coef = resid * inv_s2                                 # d(SSE/2sigma2)/df = resid/sigma2
    g_alpha = s_a * np.einsum("nkj,nk->kj", act.reshape(-1, K, N), coef)
    gauss *= dt.type(_TWO_OVER_SQRT_PI)                   # erf'
    weight = gauss.reshape(-1, K, N)
    weight *= coef[:, :, None] * (s_a * alpha)[None]
    g_omega = s_w * (weight.reshape(-1, K * N).T @ x).reshape(K, N, d)
    return g_omega + omega, g_alpha + alpha, sse.astype(float)


def _run_chunk(omega, alpha, rngs, data, sigma2, sigma_w2, sigma_a2, step, steps, burn_in,
               thin, w_star):
    """Advance one group of chains in place; return the recorded statistics."""
    K, N, d = omega.shape
    dt = omega.dtype
    s_w = math.sqrt(sigma_w2 / d)
    s_a = math.sqrt(sigma_a2 / N)
    # cast the data once: potential_gradient's astype(dt, copy=False) is then free
    data = ModelAData(x=data.x.astype(dt), y=data.y.astype(dt), eps=data.eps, seed=data.seed)

    def gradient(params):
        g_o, g_a, sse = potential_gradient(LangevinState(*params), data, sigma2, sigma_w2,
                                           sigma_a2)
        return (g_o, g_a), sse

    def record(params, sse):
        w = s_w * params[0].astype(float)
        return {"q": w @ w_star, "w2": np.einsum("knd,knd->kn", w, w),
                "a": s_a * params[1].astype(float), "mse": sse / data.n}

    return euler_maruyama([omega, alpha], rngs, gradient, step=step, steps=steps,
                          burn_in=burn_in, thin=thin, record=record)


def langevin_model_a(data: ModelAData, *, N: int, sigma2, sigma_a2: float,
                     sigma_w2: float = 0.5, chains: int = 4, step: float = 1e-3,
                     steps: int = 10_000, burn_in: int | None = None, thin: int = 100,
                     seed: int = 0, init: LangevinState | None = None,
                     dtype="float64", workers: int = 1) -> LangevinTrace:
    """Sample the Model A posterior with unadjusted Langevin dynamics.

    Parameters
    ----------
    data : ModelAData
    N : int
        Hidden width.
    sigma2 : float or array_like
        Noise variance(s) of the likelihood, ``> 0`` (``inf``: the prior).  An
        array runs ``chains`` chains at every value in one program.
    sigma_a2, sigma_w2 : float
        Prior variances (base configuration: ``sigma_a2 = 8/700`` at ``N = 700``,
        ``sigma_a2 / sqrt(beta)`` in the scaled copies; ``sigma_w2 = 0.5``).
    chains : int
        Independent chains per noise level.
    step : float
        Euler-Maruyama step ``h`` in whitened units.
    steps, burn_in, thin : int
        Total steps, discarded steps (default ``steps // 2``) and recording interval.
    seed : int
        ``SeedSequence(seed)`` is spawned into one stream per chain; each stream
        draws that chain's initial state (from the prior) and its noise.
    init : LangevinState, optional
        Start from this state (a continued chain, e.g. a hysteresis sweep)
        instead of the prior; shape ``(K, N, d)`` with ``K`` the total number
        of chains.
    dtype : {"float64", "float32"}
        Arithmetic precision.  float64 uses ``scipy.special.erf`` (exact
        gradient, for checks); float32 uses :func:`fast_erf` (erf to 1.5e-7,
        vectorized ``exp``), several times faster; both errors are far below the
        O(step) bias.
    workers : int
        Threads; each advances blocks of chains (about 66 000 activations per
        block: two chains at ``n = 375, N = 88``) through all ``steps`` (BLAS
        is held to one thread meanwhile).  Results do not depend on
        ``workers``.

    Returns
    -------
    LangevinTrace

    Notes
    -----
    Cost per step and chain: three products of size ``n x d x N`` plus
    ``O(n N)`` element-wise work (one float ``exp`` per entry, :func:`fast_erf`) and
    ``N (d + 1)`` normal draws; about 0.5 ms per chain-step in float32 at
    ``n = 375, d = 53, N = 88`` on one core.  The discretisation bias is O(step): halve the
    step to check it.  The stiffest direction of ``U`` has curvature
    ``1 + O(n sigma_a2 / (N sigma2))``, about 2 for the beta = 1/8 validation
    at ``sigma2 = 0.1``, so ``step = 0.01`` has a bias of about 1%.

    Examples
    --------
    >>> import math
    >>> from validation.adaptive_kernel.langevin import langevin_model_a, model_a_data
    >>> data = model_a_data(50, 6, seed=0)
    >>> tr = langevin_model_a(data, N=5, sigma2=[0.1, 0.3], sigma_a2=0.1, chains=2,
    ...                       step=0.01, steps=200, thin=50)
    >>> tr.overlap.shape, tr.sigma2.tolist()
    ((2, 4, 5), [0.1, 0.1, 0.3, 0.3])
    """
    levels = np.atleast_1d(np.asarray(sigma2, dtype=float))
    if levels.ndim != 1 or levels.size == 0 or not np.all(levels > 0):
        raise ValueError(f"sigma2 must be > 0 (a number or a 1-D list), got {sigma2!r}")
    N = check_positive_int("N", N)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    sigma_a2 = check_positive("sigma_a2", sigma_a2)
    step = check_positive("step", step)
    chains, steps, burn_in, thin, workers, dt = check_schedule(chains, steps, burn_in, thin,
                                                               workers, dtype)
    per_chain = np.repeat(levels, chains)
    K = per_chain.size
    d = data.d
    rngs = chain_streams(seed, K)
    if init is None:
        omega, alpha = prior_draws(rngs, [(N, d), (N,)], dt)
    else:
        if init.omega.shape != (K, N, d) or init.alpha.shape != (K, N):
            raise ValueError(f"init has shape {init.omega.shape}, expected {(K, N, d)}")
        omega, alpha = init.omega.astype(dt), init.alpha.astype(dt)
    w_star = teacher_direction(d)
    # Blocks of chains run their whole trajectories one after another (chains are
    # independent): a block's (n, block N) activations stay in cache, 3x faster per
    # chain-step than one (n, K N) program for K = 28 at beta = 1/8.
    groups = chain_blocks(K, data.n * N, workers)

    def run(sl):
        return _run_chunk(omega[sl], alpha[sl], rngs[sl], data, per_chain[sl], sigma_w2,
                          sigma_a2, step, steps, burn_in, thin, w_star)

    rec = stack_records(run_blocks(run, groups, workers))
    if not (np.all(np.isfinite(omega)) and np.all(np.isfinite(alpha))):
        raise FloatingPointError("the Langevin chain diverged: reduce step")
    linear, cubic = hermite_components(rec["q"], rec["w2"], rec["a"])
    return LangevinTrace(
        sigma2=per_chain, overlap=rec["q"], w_norm2=rec["w2"], a=rec["a"], linear=linear,
        cubic=cubic, train_mse=rec["mse"], state=LangevinState(omega, alpha),
        config={"N": N, "d": d, "n": data.n, "sigma2": levels.tolist(),
                "sigma_w2": sigma_w2, "sigma_a2": sigma_a2, "chains_per_sigma2": chains,
                "step": step, "steps": steps, "burn_in": burn_in, "thin": thin,
                "seed": seed, "data_seed": data.seed, "eps": data.eps, "dtype": dtype,
                "continued": init is not None,
                "scheme": "unadjusted Langevin (Euler-Maruyama) on whitened parameters; "
                          "posterior exp(-SSE/(2 sigma2)) x priors",
                "components": "exact He_1, He_3 coefficients of f over x ~ N(0, I_d)"})
