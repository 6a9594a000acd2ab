"""Statistics shared by the validations: the rank-normalised split R-hat."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["split_rhat"]


def _basic_rhat(x: np.ndarray) -> float:
    """Gelman-Rubin ``sqrt(((T-1)/T W + B/T) / W)`` of (T, C) chains; NaN if ``W = 0``."""
    T = x.shape[0]
    w = x.var(axis=0, ddof=1).mean()
    b = T * x.mean(axis=0).var(ddof=1)
    if not w > 0:
        return math.nan
    return float(math.sqrt(((T - 1) / T * w + b / T) / w))


def _split(x: np.ndarray) -> np.ndarray:
    """Each chain's first and last halves as separate chains (the middle draw of odd T dropped)."""
    half = x.shape[0] // 2
    return np.concatenate([x[:half], x[x.shape[0] - half:]], axis=1)


def _z_scale(x: np.ndarray) -> np.ndarray:
    """Rank-normalise: ``Phi^-1((r - 3/8) / (S + 1/4))`` of the pooled average ranks."""
    from scipy.special import ndtri
    from scipy.stats import rankdata

    r = rankdata(x, method="average").reshape(x.shape)
    return ndtri((r - 0.375) / (x.size + 0.25))


def split_rhat(chains) -> float:
    """Rank-normalised split R-hat (Vehtari, Gelman, Simpson, Carpenter & Buerkner 2021).

    Parameters
    ----------
    chains : array_like, shape (T, C)
        ``C >= 2`` chains of ``T >= 4`` draws of one scalar.

    Returns
    -------
    float
        ``max(bulk, tail)``: the classic R-hat of the split, rank-normalised
        chains and of their folded version ``|x - median(x)|``; about 1 when
        the chains have mixed (the paper recommends < 1.01).  NaN when it is
        undefined (``T < 4``, ``C < 2`` as in the reference implementation
        ArviZ, non-finite draws, or constant chains).

    Notes
    -----
    Splitting each chain in halves (the middle draw of an odd ``T``
    dropped) detects trends within a chain; rank normalisation makes it robust to heavy tails and
    infinite variance; the folded R-hat detects chains that differ in scale
    but not in location (Vehtari et al. 2021, Sec. 4.2, Eqs. 3-4).

    Examples
    --------
    >>> import numpy as np
    >>> from validation._stats import split_rhat
    >>> x = np.random.default_rng(0).normal(size=(1000, 4))
    >>> bool(abs(split_rhat(x) - 1) < 0.01)
    True
    >>> stuck = x + np.array([0.0, 0.0, 0.0, 3.0])          # one chain elsewhere
    >>> bool(split_rhat(stuck) > 1.1)
    True
    """
    x = np.asarray(chains, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"chains must be a (T, C) array, got shape {x.shape}")
    if x.shape[0] < 4 or x.shape[1] < 2 or not np.all(np.isfinite(x)):
        return math.nan
    halves = _split(x)
    bulk = _basic_rhat(_z_scale(halves))
    tail = _basic_rhat(_z_scale(np.abs(halves - np.median(halves))))
    return max(bulk, tail) if not (math.isnan(bulk) or math.isnan(tail)) else math.nan
