"""AdamW written out once for every numpy trainer of the validation package.

One fused pass (numba) reads each parameter, its gradient and both moments
once and writes them once, where numpy needs ten passes over arrays that do
not fit in cache: on the toy model's 47k parameters per run this was a third
of a training step.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["adamw_fused", "adamw_step", "adamw_update"]


@njit(nogil=True, cache=True, error_model="numpy")
def _adamw_kernel(theta, grad, m, v, lr, decay, bounds, scale, b1, b2, eps):
    # 1-D row slices indexed from 0: numba then knows the index is never negative and the
    # loop vectorises (2-D indexing with a possibly negative index ran 5x slower)
    for r in range(theta.shape[0]):
        for g in range(bounds.shape[0] - 1):
            lo, hi = bounds[g], bounds[g + 1]
            tr, gr, mr, vr = theta[r, lo:hi], grad[r, lo:hi], m[r, lo:hi], v[r, lo:hi]
            dec, stp = decay[r, g], lr[r, g] * scale
            for i in range(tr.shape[0]):
                gi = gr[i]
                mi = b1 * mr[i] + gi
                vi = b2 * vr[i] + gi * gi
                mr[i] = mi
                vr[i] = vi
                tr[i] = tr[i] * dec - stp * (mi / (np.sqrt(vi) + eps))


def adamw_fused(theta, grad, m, v, lr, decay, bounds, t: int, betas, eps: float) -> None:
    """:func:`adamw_update` without the checks, with ``decay = 1 - lr wd`` given (hot loops).

    All arrays in the parameters' dtype and layout as checked by :func:`adamw_update`.
    """
    b1, b2 = betas
    k = float(np.sqrt((1.0 - b2) / (1.0 - b2 ** t)))
    dt = theta.dtype.type
    _adamw_kernel(theta, grad, m, v, lr, decay, bounds, dt((1.0 - b1) / ((1.0 - b1 ** t) * k)),
                  dt(b1), dt(b2), dt(eps / k))


def adamw_update(theta, grad, m, v, lr, wd, bounds, t: int, betas, eps: float) -> None:
    """One in-place AdamW step on flat per-run parameters.

    Parameters
    ----------
    theta, m, v : ndarray, shape (runs, P), C-contiguous
        Parameters and the moments stored rescaled, ``M = m / (1 - b1)`` and
        ``V = v / (1 - b2)`` (updated in place).
    grad : ndarray, shape (runs, P)
    lr, wd : ndarray, shape (runs, G)
        Learning rate and decoupled weight decay of each run and parameter group.
    bounds : ndarray of int, shape (G + 1,)
        Group ``g`` is ``theta[:, bounds[g]:bounds[g + 1]]``.
    t : int
        Update count, ``>= 1``.
    betas : (float, float)
    eps : float

    Notes
    -----
    ``theta <- theta (1 - lr wd)``, ``M <- b1 M + g``, ``V <- b2 V + g^2`` and
    ``theta <- theta - s M / (sqrt(V) + eps / k)`` with
    ``k = sqrt((1 - b2) / (1 - b2^t))`` and ``s = lr (1 - b1) / ((1 - b1^t) k)``:
    algebraically PyTorch's ``lr m_hat / (sqrt(v_hat) + eps)``, in one pass
    (arithmetic in the parameters' dtype).

    Examples
    --------
    >>> import numpy as np
    >>> from validation._optim import adamw_update
    >>> theta, g = np.ones((1, 2)), np.array([[0.5, -2.0]])
    >>> m, v = np.zeros((1, 2)), np.zeros((1, 2))
    >>> adamw_update(theta, g, m, v, np.full((1, 1), 0.1), np.zeros((1, 1)),
    ...              np.array([0, 2]), 1, (0.9, 0.999), 1e-8)
    >>> theta.round(6).tolist()      # the first step moves by lr * sign(g)
    [[0.9, 1.1]]
    """
    for name, a in (("theta", theta), ("m", m), ("v", v)):
        if a.ndim != 2 or not a.flags.c_contiguous:
            raise ValueError(f"{name} must be a C-contiguous (runs, P) array, got shape "
                             f"{a.shape}")
    if grad.shape != theta.shape:
        raise ValueError(f"grad must have shape {theta.shape}, got {grad.shape}")
    t = int(t)
    if t < 1:
        raise ValueError(f"t must be an integer >= 1, got {t}")
    lr = np.ascontiguousarray(lr, dtype=theta.dtype)
    decay = (1 - lr * np.asarray(wd, dtype=theta.dtype)).astype(theta.dtype)
    adamw_fused(theta, np.ascontiguousarray(grad), m, v, lr, decay,
                np.asarray(bounds, dtype=np.int64), t, betas, eps)


def adamw_step(params, grads, m, v, lrs, wds, t: int, betas, eps: float) -> None:
    """One in-place AdamW step (PyTorch's update order) on lists of per-run arrays.

    Parameters
    ----------
    params, grads, m, v : list of ndarray
        Parameters (C-contiguous, leading axis = runs), their gradients, and
        the moments stored rescaled (see :func:`adamw_update`).
    lrs, wds : list of ndarray
        Per-parameter learning rate and decoupled weight decay, one value per
        run (shape ``(runs,)`` or ``(runs, 1, ..., 1)``).
    t : int
        Update count, ``>= 1``.
    betas : (float, float)
    eps : float
    """
    bounds = np.array([0, 0], dtype=np.int64)
    for param, g, mom, var, lr, wd in zip(params, grads, m, v, lrs, wds):
        c = param.shape[0]
        if not param.flags.c_contiguous:
            raise ValueError(f"parameters must be C-contiguous, got strides {param.strides}")
        flat = param.reshape(c, -1)
        bounds[1] = flat.shape[1]
        adamw_update(flat, np.ascontiguousarray(g).reshape(c, -1), mom.reshape(c, -1),
                     var.reshape(c, -1), np.reshape(lr, (c, 1)), np.reshape(wd, (c, 1)),
                     bounds, t, betas, eps)
