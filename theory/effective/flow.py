"""The effective loss and its exact gradient flow.

Liu et al. (2022), Sec. 3.2: ``l_eff = l0 / Z0`` with
``l0 = sum_{P0(D)} |E_i + E_j - E_m - E_n|^2 = tr(E^T A^T A E)`` and
``Z0 = sum_k |E_k|^2``.  With ``M = 2 A^T A / Z0`` (``/ |P0(D)|`` too in the
paper's normalisation) the flow ``dE/dt = -grad l_eff`` reads::

    dE/dt = -M E + (2 l0 / Z0^2) E        (paper option: l0 / |P0(D)| instead of l0)

This is the projected (Oja) flow of a Rayleigh quotient on the sphere ``|E|^2 = Z0``.
It conserves ``Z0`` exactly and its solution is closed-form::

    E(t) = sqrt(Z0) exp(-M t) E(0) / |exp(-M t) E(0)|_F

The sum ``C = sum_k E_k`` is *not* conserved in general: since ``A 1 = 0``,
``dC/dt = (2 l0 / Z0^2) C``.  The paper's claim that C is conserved drops this
term; it holds only when ``C(0) = 0`` (e.g. for normalised, zero-mean
embeddings, the reference code's starting point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory._checks import check_finite_array, check_nonnegative, check_positive_int
from theory.effective.structure import HESSIAN_NORMALISATIONS, constraint_matrix
from theory.effective.task import TrainingSplit

__all__ = ["EffectiveFlow", "effective_flow", "effective_gradient", "effective_loss", "euler_flow"]

#: Largest trajectory (bytes) :func:`euler_flow` stores.
_MAX_BYTES = 2 ** 30


def _prepare(split_or_rows, embedding, normalisation):
    if normalisation not in HESSIAN_NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {sorted(HESSIAN_NORMALISATIONS)}, "
                         f"got {normalisation!r}")
    rows = (constraint_matrix(split_or_rows).astype(np.float64)
            if isinstance(split_or_rows, TrainingSplit)
            else check_finite_array("split_or_rows", split_or_rows, ndim=2))
    e = check_finite_array("embedding", embedding)
    if e.ndim == 1:
        e = e[:, None]
    if e.ndim != 2 or e.shape[0] != rows.shape[1]:
        raise ValueError(f"embedding must have shape (p, d) with p={rows.shape[1]}, got {e.shape}")
    z0 = float(np.sum(e * e))
    if z0 == 0:
        raise ValueError("embedding must not be identically zero (Z0 = 0)")
    count = rows.shape[0] if normalisation == "paper" else 1
    return rows, e, z0, max(count, 1)


def effective_loss(split_or_rows, embedding, normalisation: str = "z0") -> float:
    """``l_eff = l0 / Z0`` (``/ |P0(D)|`` too with ``normalisation="paper"``).

    Parameters
    ----------
    split_or_rows : TrainingSplit or array_like, shape (M, p)
        The training split (its P0(D) is used) or an explicit constraint matrix A.
    embedding : array_like, shape (p,) or (p, d)

    Notes
    -----
    Liu et al. (2022), Eq. (5).  The loss is invariant under a common scale of
    E, which is why the flow stays on the sphere ``|E|^2 = Z0``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.effective import ArithmeticTask, random_split, effective_loss
    >>> split = random_split(ArithmeticTask(10), 55, seed=0)
    >>> # linear: every parallelogram closes
    >>> effective_loss(split, 2.0 + 0.3 * np.arange(10.0)) < 1e-28
    True
    """
    rows, e, z0, count = _prepare(split_or_rows, embedding, normalisation)
    r = rows @ e
    return float(np.sum(r * r) / (z0 * count))


def effective_gradient(split_or_rows, embedding, normalisation: str = "z0") -> np.ndarray:
    """Gradient of :func:`effective_loss` w.r.t. the embedding, shape ``(p, d)``.

    ``grad = (2 / Z0) A^T A E - (2 l0 / Z0^2) E`` (each term ``/ |P0(D)|`` in the
    ``paper`` normalisation).
    """
    rows, e, z0, count = _prepare(split_or_rows, embedding, normalisation)
    r = rows @ e
    l0 = float(np.sum(r * r))
    return (2.0 / z0 * (rows.T @ r) - 2.0 * l0 / z0**2 * e) / count


@dataclass(frozen=True)
class EffectiveFlow:
    """Closed-form solution of the effective gradient flow.

    Attributes
    ----------
    t : ndarray, shape (T,)
        Times (in units of the flow; multiply by the learning rate for steps).
    embedding : ndarray, shape (T, p, d)
    loss : ndarray, shape (T,)
        ``l_eff`` along the flow.
    z0 : float
        The conserved ``Z0``.
    centre_sum : ndarray, shape (T, d)
        ``C(t) = sum_k E_k(t)``.
    eigenvalues : ndarray, shape (p,)
        Eigenvalues of ``M`` (the effective Hessian at a ground state).
    """

    t: np.ndarray
    embedding: np.ndarray
    loss: np.ndarray
    z0: float
    centre_sum: np.ndarray
    eigenvalues: np.ndarray


def effective_flow(split_or_rows, embedding, t, normalisation: str = "z0") -> EffectiveFlow:
    """Exact solution of ``dE/dt = -grad l_eff`` at the times ``t``.

    Parameters
    ----------
    split_or_rows : TrainingSplit or array_like, shape (M, p)
    embedding : array_like, shape (p,) or (p, d)
        Initial embedding ``E(0)`` (any, normalised or not).
    t : array_like of float >= 0
        Flow times.  A learning rate ``eta`` maps step ``n`` to ``t = eta n``.
    normalisation : {"z0", "paper"}

    Notes
    -----
    With ``M = V diag(mu) V^T`` and ``c = V^T E(0)``, the unnormalised
    solution ``y(t) = exp(-M t) E(0)`` has coefficients ``exp(-mu_i t) c_i``.
    They are rescaled by ``exp(mu_min t)`` (``mu_min`` the smallest eigenvalue
    with a non-zero coefficient) before normalising, so that nothing
    underflows at large t.  Cost: one ``p x p`` eigendecomposition plus
    ``O(T p^2 d)``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.effective import ArithmeticTask, random_split, effective_flow
    >>> split = random_split(ArithmeticTask(10), 55, seed=0)
    >>> e0 = np.random.default_rng(1).uniform(-0.5, 0.5, 10)
    >>> flow = effective_flow(split, e0 - e0.mean(), [0.0, 1.0, 10.0])
    >>> bool(np.allclose((flow.embedding ** 2).sum(axis=(1, 2)), flow.z0))
    True
    >>> bool(flow.loss[-1] < 1e-20)
    True
    """
    rows, e, z0, count = _prepare(split_or_rows, embedding, normalisation)
    times = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if times.ndim != 1 or not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ValueError("t must be a 1-D array of finite times >= 0")
    m = 2.0 * rows.T @ rows / (z0 * count)
    mu, v = np.linalg.eigh(m)
    mu = np.where(np.abs(mu) <= 1e-12 * max(1.0, mu[-1]), 0.0, mu)
    c = v.T @ e                                            # (p, d)
    present = np.any(np.abs(c) > 1e-15 * np.abs(c).max(), axis=1)
    mu_min = mu[present].min()
    decay = np.exp(-np.outer(times, mu - mu_min))          # (T, p), <= 1 on present modes
    y = np.einsum("ij,tj,jd->tid", v, decay, c)            # (T, p, d)
    norm = np.sqrt(np.sum(y * y, axis=(1, 2)))
    emb = np.sqrt(z0) * y / norm[:, None, None]
    r = np.einsum("mp,tpd->tmd", rows, emb)
    loss = np.sum(r * r, axis=(1, 2)) / (z0 * count)
    return EffectiveFlow(t=times, embedding=emb, loss=loss, z0=z0,
                         centre_sum=emb.sum(axis=1), eigenvalues=mu)


def euler_flow(split_or_rows, embedding, eta: float, steps: int,
               normalisation: str = "z0") -> np.ndarray:
    """Explicit Euler steps ``E <- E - eta grad l_eff`` (the reference code's integrator).

    Returns the trajectory, shape ``(steps + 1, p, d)``.  Euler does not
    conserve Z0 exactly (it grows by ``O(eta^2)`` per step); compare with
    :func:`effective_flow` for the exact flow.
    """
    eta = check_nonnegative("eta", eta)
    steps = check_positive_int("steps", steps)
    e = check_finite_array("embedding", embedding)
    e = e[:, None] if e.ndim == 1 else e
    if 8 * (steps + 1) * e.size > _MAX_BYTES:
        raise ValueError(f"steps = {steps} would store {8 * (steps + 1) * e.size / 2 ** 30:.3g}"
                         f" GiB of trajectory (limit {_MAX_BYTES / 2 ** 30:g} GiB)")
    out = np.empty((steps + 1,) + e.shape)
    out[0] = e
    for k in range(steps):
        out[k + 1] = out[k] - eta * effective_gradient(split_or_rows, out[k], normalisation)
    return out
