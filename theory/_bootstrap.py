"""Bootstrap confidence intervals through :func:`scipy.stats.bootstrap` (BCa), shared.

One wrapper for every bootstrap of the package: it seeds scipy from a
``numpy.random.SeedSequence``, keeps scipy's warnings from leaking, counts the
replicates whose statistic is not finite (instead of dropping them silently)
and says which interval it returns when BCa is undefined.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass

import numpy as np

from theory._result import ResultMixin

__all__ = ["BootstrapInterval", "bootstrap_interval"]


@dataclass(frozen=True)
class BootstrapInterval(ResultMixin):
    """A bootstrap interval and how it was obtained.

    Attributes
    ----------
    low, high : float or None
        The interval; None when no replicate is finite (see ``method``).
    se : float or None
        Standard deviation of the finite replicates (None with fewer than two).
    method : str
        ``"BCa"``, or ``"percentile"`` with the reason BCa was not used.
    n_resamples, failed : int
        Replicates drawn, and how many gave a non-finite statistic.
    level : float
    """

    low: float | None
    high: float | None
    se: float | None
    method: str
    n_resamples: int
    failed: int
    level: float


def _rng_kwargs(rng):
    from scipy.stats import bootstrap

    return {"rng": rng} if "rng" in inspect.signature(bootstrap).parameters \
        else {"random_state": rng}


def bootstrap_interval(data, statistic, *, n_resamples: int, level: float, seed,
                       vectorized: bool = False) -> BootstrapInterval:
    """BCa interval of ``statistic`` over ``data`` (a tuple of samples resampled independently).

    Parameters
    ----------
    data : tuple of array_like
        Independent samples (``scipy.stats.bootstrap`` resamples each within
        itself, so a tuple ``(positives, negatives)`` is a stratified bootstrap).
    statistic : callable
        ``statistic(*samples)`` (``axis=-1`` keyword too if ``vectorized``).
    n_resamples : int
    level : float
        Confidence level in (0, 1).
    seed : int, SeedSequence or None
        Root of the resampling stream; the same seed gives the same interval.
    vectorized : bool

    Returns
    -------
    BootstrapInterval
        BCa (Efron 1987) when every replicate is finite and the jackknife
        acceleration is defined; otherwise the percentile interval of the
        finite replicates, with the reason in ``method``; None endpoints when
        no replicate is finite.

    Examples
    --------
    >>> import numpy as np
    >>> from theory._bootstrap import bootstrap_interval
    >>> x = np.random.default_rng(0).normal(size=40)
    >>> ci = bootstrap_interval((x,), np.mean, n_resamples=999, level=0.95, seed=1)
    >>> ci.method, ci.failed, bool(ci.low < x.mean() < ci.high)
    ('BCa', 0, True)
    """
    from scipy.stats import bootstrap

    rng = np.random.default_rng(seed if isinstance(seed, np.random.SeedSequence)
                                else np.random.SeedSequence(seed))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")              # scipy's DegenerateDataWarning etc.
        res = bootstrap(tuple(data), statistic, n_resamples=int(n_resamples),
                        confidence_level=level, method="BCa", vectorized=vectorized,
                        **_rng_kwargs(rng))
    dist = np.asarray(res.bootstrap_distribution, dtype=float)
    finite = dist[np.isfinite(dist)]
    failed = int(dist.size - finite.size)
    se = float(finite.std(ddof=1)) if finite.size > 1 else None
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if failed == 0 and np.isfinite(low) and np.isfinite(high):
        return BootstrapInterval(low, high, se, "BCa", int(n_resamples), 0, level)
    if finite.size == 0:
        return BootstrapInterval(None, None, se, "none: no finite replicate",
                                 int(n_resamples), failed, level)
    why = (f"{failed} replicates with a non-finite statistic" if failed
           else "the BCa acceleration is undefined (degenerate bootstrap distribution)")
    lo, hi = np.quantile(finite, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return BootstrapInterval(float(lo), float(hi), se, f"percentile ({why})",
                             int(n_resamples), failed, level)
