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

All chains share the data; the chains' first-layer weights are stacked into
one ``d x (C N)`` matrix, so the forward and backward passes are single large
matrix products (``O(n d C N)`` per step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import erf

from theory._checks import check_nonnegative, check_positive, check_positive_int

__all__ = ["ModelAData", "LangevinState", "LangevinTrace", "langevin_model_a", "model_a_data",
           "teacher_direction"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


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
    """Whitened parameters of ``C`` chains: ``omega`` (C, N, d), ``alpha`` (C, N)."""

    omega: np.ndarray
    alpha: np.ndarray


@dataclass(frozen=True)
class LangevinTrace:
    """Samples recorded every ``thin`` steps after ``burn_in``.

    Attributes
    ----------
    overlap : ndarray, shape (T, C, N)
        ``q_i = w_i . w*`` of every neuron.
    w_norm2 : ndarray, shape (T, C, N)
        ``|w_i|^2``.
    a : ndarray, shape (T, C, N)
        Read-out weights.
    train_mse : ndarray, shape (T, C)
        ``SSE / n`` along the chain.
    state : LangevinState
        The final state (to continue a chain, e.g. in a hysteresis sweep).
    """

    overlap: np.ndarray
    w_norm2: np.ndarray
    a: np.ndarray
    train_mse: np.ndarray
    state: LangevinState
    config: dict = field(default_factory=dict)


def _forward(omega, alpha, x, s_w, s_a):
    C, N, d = omega.shape
    pre = x @ (s_w * omega).reshape(C * N, d).T           # (n, C N)
    act = erf(pre)
    f = np.einsum("ncj,cj->nc", act.reshape(-1, C, N), s_a * alpha)   # (n, C)
    return pre, act, f


def potential_gradient(state: LangevinState, data: ModelAData, sigma2: float, sigma_w2: float,
                       sigma_a2: float):
    """``grad U`` w.r.t. (omega, alpha), and the per-chain SSE.

    ``U = SSE/(2 sigma2) + |omega|^2/2 + |alpha|^2/2``; ``sigma2 = inf`` (no data)
    is allowed and leaves the prior.
    """
    omega, alpha = state.omega, state.alpha
    C, N, d = omega.shape
    s_w = math.sqrt(sigma_w2 / d)
    s_a = math.sqrt(sigma_a2 / N)
    pre, act, f = _forward(omega, alpha, data.x, s_w, s_a)
    resid = f - data.y[:, None]                           # (n, C)
    sse = np.sum(resid * resid, axis=0)
    if math.isinf(sigma2):
        return omega.copy(), alpha.copy(), sse
    coef = resid / sigma2                                 # d(SSE/2sigma2)/df = resid/sigma2
    g_alpha = s_a * np.einsum("ncj,nc->cj", act.reshape(-1, C, N), coef)
    dact = _TWO_OVER_SQRT_PI * np.exp(-pre * pre)         # erf'
    weight = dact.reshape(-1, C, N) * (coef[:, :, None] * (s_a * alpha)[None])
    g_omega = s_w * (weight.reshape(-1, C * N).T @ data.x).reshape(C, N, d)
    return g_omega + omega, g_alpha + alpha, sse


def langevin_model_a(data: ModelAData, *, N: int, sigma2: float, sigma_a2: float,
                     sigma_w2: float = 0.5, chains: int = 4, step: float = 1e-3,
                     steps: int = 10_000, burn_in: int | None = None, thin: int = 100,
                     seed: int = 0, init: LangevinState | None = None) -> LangevinTrace:
    """Sample the Model A posterior with unadjusted Langevin dynamics.

    Parameters
    ----------
    data : ModelAData
    N : int
        Hidden width.
    sigma2 : float
        Noise variance of the likelihood, ``> 0`` (``inf``: the prior).
    sigma_a2, sigma_w2 : float
        Prior variances (base configuration: ``sigma_a2 = 8/700`` at ``N = 700``,
        ``sigma_a2 / sqrt(beta)`` in the scaled copies; ``sigma_w2 = 0.5``).
    chains : int
        Independent chains (one array program).
    step : float
        Euler-Maruyama step ``h`` in whitened units.
    steps, burn_in, thin : int
        Total steps, discarded steps (default ``steps // 2``) and recording interval.
    seed : int
        ``SeedSequence(seed)`` drives the initial state and the noise.
    init : LangevinState, optional
        Start from this state (a continued chain) instead of the prior.

    Notes
    -----
    Cost per step: three products of size ``n x d x (chains N)``.  The
    discretisation bias is O(step); halve the step to check it.
    """
    sigma2 = float(sigma2)
    if not (sigma2 > 0):
        raise ValueError(f"sigma2 must be > 0, got {sigma2}")
    N = check_positive_int("N", N)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    sigma_a2 = check_positive("sigma_a2", sigma_a2)
    chains = check_positive_int("chains", chains)
    step = check_positive("step", step)
    steps = check_positive_int("steps", steps)
    thin = check_positive_int("thin", thin)
    burn_in = steps // 2 if burn_in is None else int(check_nonnegative("burn_in", burn_in))
    if burn_in >= steps:
        raise ValueError(f"burn_in must be < steps ({steps}), got {burn_in}")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    d = data.d
    if init is None:
        state = LangevinState(rng.standard_normal((chains, N, d)),
                              rng.standard_normal((chains, N)))
    else:
        state = LangevinState(init.omega.copy(), init.alpha.copy())
        if state.omega.shape != (chains, N, d):
            raise ValueError(f"init has shape {state.omega.shape}, expected {(chains, N, d)}")
    w_star = teacher_direction(d)
    s_w = math.sqrt(sigma_w2 / d)
    s_a = math.sqrt(sigma_a2 / N)
    noise = math.sqrt(2 * step)
    rec_q, rec_w2, rec_a, rec_mse = [], [], [], []
    for t in range(steps):
        g_o, g_a, sse = potential_gradient(state, data, sigma2, sigma_w2, sigma_a2)
        state.omega += -step * g_o + noise * rng.standard_normal(state.omega.shape)
        state.alpha += -step * g_a + noise * rng.standard_normal(state.alpha.shape)
        if t >= burn_in and (t - burn_in) % thin == 0:
            w = s_w * state.omega
            rec_q.append(w @ w_star)
            rec_w2.append(np.sum(w * w, axis=2))
            rec_a.append(s_a * state.alpha.copy())
            rec_mse.append(sse / data.n)
    if not np.all(np.isfinite(state.omega)):
        raise FloatingPointError("the Langevin chain diverged: reduce step")
    return LangevinTrace(overlap=np.array(rec_q), w_norm2=np.array(rec_w2), a=np.array(rec_a),
                         train_mse=np.array(rec_mse), state=state,
                         config={"N": N, "d": d, "n": data.n, "sigma2": sigma2,
                                 "sigma_w2": sigma_w2, "sigma_a2": sigma_a2, "chains": chains,
                                 "step": step, "steps": steps, "burn_in": burn_in,
                                 "thin": thin, "seed": seed, "data_seed": data.seed,
                                 "eps": data.eps,
                                 "scheme": "unadjusted Langevin (Euler-Maruyama) on whitened "
                                           "parameters; posterior exp(-SSE/(2 sigma2)) x priors"})
