"""AdamW written out once for every numpy trainer of the validation package."""

from __future__ import annotations

import numpy as np

__all__ = ["adamw_step"]


def adamw_step(params, grads, m, v, lrs, wds, t: int, betas, eps: float) -> None:
    """One in-place AdamW step (PyTorch's update order) on lists of arrays.

    Parameters
    ----------
    params, grads, m, v : list of ndarray
        Parameters, their gradients (overwritten: used as scratch), and the
        moments stored rescaled, ``M = m / (1 - b1)`` and ``V = v / (1 - b2)``.
    lrs, wds : list of ndarray
        Per-parameter learning rate and decoupled weight decay, broadcastable
        to the parameter (e.g. ``(runs, 1, 1)`` for one value per run).
    t : int
        Update count, ``>= 1``.
    betas : (float, float)
    eps : float

    Notes
    -----
    ``theta <- theta (1 - lr wd)`` (skipped when every ``wd`` is 0), then
    ``M <- b1 M + g``, ``V <- b2 V + g^2`` and
    ``theta <- theta - s M / (sqrt(V) + eps / k)`` with
    ``k = sqrt((1 - b2) / (1 - b2^t))`` and ``s = lr (1 - b1) / ((1 - b1^t) k)``:
    algebraically PyTorch's ``lr m_hat / (sqrt(v_hat) + eps)``, in 10 array
    passes instead of 13.
    """
    b1, b2 = betas
    k = float(np.sqrt((1.0 - b2) / (1.0 - b2 ** t)))
    scale = (1.0 - b1) / ((1.0 - b1 ** t) * k)
    eps = eps / k
    for param, g, mom, var, lr, wd in zip(params, grads, m, v, lrs, wds):
        if np.any(wd):
            param *= 1 - lr * wd
        mom *= b1
        mom += g
        g *= g
        var *= b2
        var += g
        denom = np.sqrt(var, out=g)
        denom += eps
        np.divide(mom, denom, out=denom)
        denom *= lr * scale
        param -= denom
