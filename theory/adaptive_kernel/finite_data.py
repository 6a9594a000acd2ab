r"""The adaptive-kernel self-consistency loop on a small finite data set.

For a two-layer network ``f(x) = sum_i a_i phi(w_i.x)`` with priors
``w ~ N(0, sigma_w2/d I)``, ``a ~ N(0, sigma_a2/N)`` and the posterior
``exp(-SSE/(2 sigma2))`` x priors, the mean-field (adaptive-kernel) equations
of Seroussi, Naveh & Ringel (2023) are

.. math:: S[w] = \frac{d|w|^2}{2\sigma_w^2} - \frac{\sigma_a^2}{2N}
          \Big(\sum_\mu t_\mu\phi(w\cdot x_\mu)\Big)^2,\qquad
          Q_{\mu\nu} = \sigma_a^2\langle\phi_\mu\phi_\nu\rangle_{S},\qquad
          t = (Q + \sigma^2 I)^{-1}y,

(spec, "Mean-field equations").  Derivation: integrating out ``a`` gives a GP
with kernel ``(sigma_a2/N) sum_i phi_i phi_i^T``; one neuron changes
``-y^T (K + sigma2)^{-1} y/2`` by ``+(sigma_a2/2N)(t.phi_i)^2`` to first
order in ``1/N`` (the log-determinant term is smaller by ``sigma2/n`` and is
dropped, as in the paper).

:func:`adaptive_kernel_loop` solves these by damped fixed-point iteration,
with ``<.>_S`` estimated by self-normalised importance sampling from a
Gaussian proposal that is re-fitted to the weighted second moment of ``w``
at every iteration (adaptive importance sampling, common random numbers so
the map is deterministic).  The estimate is reliable when the per-neuron
measure is close to Gaussian -- the GFL regime; the effective sample size is
reported so that failure is visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.special import erf, logsumexp

from theory._checks import (
    RangeOverflowError,
    check_finite_array,
    check_nonnegative,
    check_open_unit,
    check_positive,
    check_positive_int,
)
from theory._result import ResultMixin

__all__ = ["AdaptiveKernelResult", "adaptive_kernel_loop", "hermite_projection"]


@dataclass(frozen=True)
class AdaptiveKernelResult(ResultMixin):
    """Solution of the finite-data adaptive-kernel equations.

    Attributes
    ----------
    t : ndarray, shape (n,)
        ``(Q + sigma2 I)^{-1} y``.
    f_mean : ndarray, shape (n,)
        Mean predictor on the training points, ``y - sigma2 t``.
    kernel : ndarray, shape (n, n)
        Self-consistent ``Q``.
    proposal_cov : ndarray, shape (d, d)
        Final second moment of ``w`` under the per-neuron measure.
    iterations : int
    converged : bool
    residual : float
        Last relative change ``|t_new - t|/|t|``.
    ess : float
        Effective sample size of the last importance weights (of ``n_samples``).
    """

    t: np.ndarray
    f_mean: np.ndarray
    kernel: np.ndarray
    proposal_cov: np.ndarray
    iterations: int
    converged: bool
    residual: float
    ess: float

    _dict_fields = ("n", "iterations", "converged", "residual", "ess")

    def _dict_extra(self) -> dict:
        """The summary: the arrays are reduced to their size."""
        return {"n": self.t.size}


def _gpr_t(kernel, sigma2, y):
    return cho_solve(cho_factor(kernel + sigma2 * np.eye(y.size)), y)


def _weighted_features(x, y, t, chol, z, sigma_w2, sigma_a2, n_width, phi):
    """Importance weights and features for the proposal ``w = z chol^T``."""
    d = x.shape[1]
    w = z @ chol.T
    feats = phi(w @ x.T)                                   # (M, n)
    # log prior - log proposal (common normalisation constants cancel after normalising)
    log_prior = -0.5 * d / sigma_w2 * np.einsum("ij,ij->i", w, w)
    log_prop = -0.5 * np.einsum("ij,ij->i", z, z)
    log_w = log_prior - log_prop + 0.5 * sigma_a2 / n_width * (feats @ t) ** 2
    weights = np.exp(log_w - logsumexp(log_w))
    return weights, feats, w


def adaptive_kernel_loop(x, y, sigma2, sigma_a2, sigma_w2, N, n_samples=4000, damping=0.5,
                         max_iter=200, tol=1e-7, seed=0, activation=None
                         ) -> AdaptiveKernelResult:
    r"""Solve the adaptive-kernel equations on the data ``(x, y)``.

    Parameters
    ----------
    x : array_like, shape (n, d)
        Finite inputs, ``n >= 1``, ``d >= 1``.
    y : array_like, shape (n,)
        Finite targets.
    sigma2 : float
        Noise of the posterior (``> 0``).
    sigma_a2, sigma_w2 : float
        Prior variances (``a ~ N(0, sigma_a2/N)``, ``w ~ N(0, sigma_w2/d I)``).
    N : float
        Width (``N -> infinity`` is the NNGP limit: the interaction vanishes).
    n_samples : int, optional
        Importance samples of ``w`` (used as ``n_samples/2`` antithetic pairs),
        at least ``2 d`` so that the whitened sample spans ``R^d``.
    damping : float, optional
        Mixing ``t <- t + damping (t_new - t)``, in ``(0, 1]``.
    max_iter : int, optional
        ``>= 1``.
    tol : float, optional
        Stop when ``|t_new - t|/|t| < tol`` (``> 0``).
    seed : int, optional
        Seed (``>= 0``) of the common random numbers.
    activation : callable, optional
        ``phi``; default ``erf``.  Must map an array to a finite array of the
        same shape.

    Returns
    -------
    AdaptiveKernelResult

    Notes
    -----
    Proposal ``w = C^{1/2} z`` with fixed ``z ~ N(0, I)`` (antithetic and
    whitened to unit sample covariance) and ``C`` re-fitted
    each iteration to ``sum_j omega_j w_j w_j^T`` (starting from the prior
    ``sigma_w2/d I``); weights
    :math:`\omega_j \propto \frac{p_0(w_j)}{q(w_j)} e^{\frac{\sigma_a^2}{2N}(t\cdot\phi_j)^2}`
    normalised in log space.  ``Q = sigma_a2 sum_j omega_j phi_j phi_j^T``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.adaptive_kernel.finite_data import adaptive_kernel_loop
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(20, 3)); y = x[:, 0]
    >>> res = adaptive_kernel_loop(x, y, 0.1, 1.0, 1.0, N=1e12, n_samples=500)
    >>> res.converged, res.iterations <= 3
    (True, True)
    """
    x = check_finite_array("x", x, ndim=2)
    y = check_finite_array("y", y, ndim=1)
    if y.size != x.shape[0]:
        raise ValueError(f"y must have one entry per row of x, got {y.size} and {x.shape[0]}")
    sigma2 = check_positive("sigma2", sigma2)
    sigma_a2 = check_positive("sigma_a2", sigma_a2)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    n_width = check_positive("N", N)
    d = x.shape[1]
    if x.shape[0] < 1 or d < 1:
        raise ValueError(f"x must have at least one row and column, got shape {x.shape}")
    n_samples = check_positive_int("n_samples", n_samples)
    if n_samples < 2 * d:
        raise ValueError(f"n_samples must be >= 2 d = {2 * d} (antithetic pairs spanning "
                         f"R^d), got {n_samples}")
    half = n_samples // 2
    damping = 1.0 if damping == 1 and not isinstance(damping, bool) else \
        check_open_unit("damping", damping)
    max_iter = check_positive_int("max_iter", max_iter)
    tol = check_positive("tol", tol)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer >= 0, got {seed!r}")
    check_nonnegative("seed", seed)
    if activation is not None and not callable(activation):
        raise TypeError(f"activation must be callable, got {type(activation).__name__}")
    phi = erf if activation is None else activation
    z = np.random.default_rng(seed).standard_normal((half, d))
    z = np.concatenate([z, -z])
    # whiten: the sample second moment of z is exactly I, so uniform weights
    # reproduce the proposal covariance and the refit cannot drift
    evals, evecs = np.linalg.eigh(z.T @ z / z.shape[0])
    z = z @ (evecs / np.sqrt(evals)) @ evecs.T
    cov = np.eye(d) * sigma_w2 / d
    t = None
    residual = math.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (it: the iteration count returned below)
        chol = np.linalg.cholesky(cov)
        weights, feats, w = _weighted_features(x, y, np.zeros(y.size) if t is None else t,
                                               chol, z, sigma_w2, sigma_a2, n_width, phi)
        kernel = sigma_a2 * (feats.T * weights) @ feats
        t_new = _gpr_t(kernel, sigma2, y)
        if t is None:
            t, residual = t_new, math.inf
        else:
            residual = float(np.linalg.norm(t_new - t) / np.linalg.norm(t))
            t = t + damping * (t_new - t)
        cov_new = (w.T * weights) @ w
        cov = cov + damping * (0.5 * (cov_new + cov_new.T) - cov)
        if residual < tol:
            break
    ess = float(1.0 / np.sum(weights ** 2))
    return AdaptiveKernelResult(t, y - sigma2 * t, kernel, cov, it, residual < tol, residual,
                                ess)


def hermite_projection(values, z) -> tuple[float, float]:
    """Least-squares coefficients ``(b, c)`` of ``values ~ b He_1(z) + c He_3(z)`` on a sample.

    ``values`` and ``z`` are finite 1-D arrays of the same length, with at
    least two distinct non-zero ``|z|`` (else the two columns are collinear).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.adaptive_kernel.finite_data import hermite_projection
    >>> z = np.linspace(-2, 2, 9)
    >>> [round(v, 12) for v in hermite_projection(0.5 * z - 0.2 * (z ** 3 - 3 * z), z)]
    [0.5, -0.2]
    """
    z = check_finite_array("z", z, ndim=1)
    values = check_finite_array("values", values, ndim=1)
    if values.shape != z.shape:
        raise ValueError(f"values and z must have the same length, got {values.size} and "
                         f"{z.size}")
    if np.unique(np.abs(z[z != 0])).size < 2:
        raise ValueError("z must hold at least two distinct non-zero |z| values (He_1 and "
                         "He_3 are otherwise not separable)")
    with np.errstate(over="ignore", invalid="ignore"):
        basis = np.stack([z, z ** 3 - 3 * z], axis=1)
    if not np.all(np.isfinite(basis)):
        raise RangeOverflowError("He_3(z) exceeds the float64 range (|z| beyond ~1e102)")
    sv = np.linalg.svd(basis, compute_uv=False)
    if sv[-1] <= 1e-12 * sv[0]:
        raise ValueError(f"z does not separate He_1 from He_3 in float64 (condition number "
                         f"{sv[0] / sv[-1]:.3g} of the basis): spread the sample")
    coef, *_ = np.linalg.lstsq(basis, values, rcond=None)
    return float(coef[0]), float(coef[1])
