"""ROC analysis of a scalar score against binary labels (numpy only).

Convention: a run is *predicted positive* (predicted to grok) when its signed
score is ``>= threshold``.  Scores are never assumed to point one way: the
direction (whether high or low scores mean "groks") is fitted from the
training labels by :func:`fit_threshold` and recorded.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from theory._checks import AssumptionWarning, check_finite_array, check_open_unit
from theory._result import ResultMixin

__all__ = [
    "DIRECTIONS",
    "AurocCI",
    "ThresholdFit",
    "roc_curve",
    "auroc",
    "bootstrap_auroc_ci",
    "fit_threshold",
    "direction_sign",
]

#: ``"higher"``: score >= threshold predicts grokking; ``"lower"``: score <= threshold.
DIRECTIONS = ("higher", "lower")


def direction_sign(direction: str) -> float:
    """+1 for ``"higher"``, -1 for ``"lower"`` (``signed score = sign * score``).

    Examples
    --------
    >>> from theory.spectral.roc import direction_sign
    >>> direction_sign("lower")
    -1.0
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {list(DIRECTIONS)}, got {direction!r}")
    return 1.0 if direction == "higher" else -1.0


def _check_labels(labels, n: int | None = None) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-dimensional, got shape {arr.shape}")
    if arr.dtype.kind == "b":
        out = arr.astype(bool)
    elif arr.dtype.kind in "iuf":
        if not np.all(np.isin(arr, (0, 1))):
            bad = np.unique(arr[~np.isin(arr, (0, 1))])[:5].tolist()
            raise ValueError(f"labels must be binary (0/1 or bool), got values {bad}")
        out = arr.astype(bool)
    else:
        raise ValueError(f"labels must be binary (0/1 or bool), got dtype {arr.dtype}")
    if n is not None and out.size != n:
        raise ValueError(f"labels must have the same length as scores ({n}), got {out.size}")
    return out


def _scores_labels(scores, labels, *, both_classes: bool = True) -> tuple[np.ndarray, np.ndarray]:
    s = check_finite_array("scores", scores, ndim=1)
    if s.size == 0:
        raise ValueError("scores must be non-empty")
    y = _check_labels(labels, s.size)
    n_pos = int(y.sum())
    if both_classes and (n_pos == 0 or n_pos == y.size):
        raise ValueError(
            "labels must contain both classes (at least one 0 and one 1) for ROC/AUROC; "
            f"got n_pos={n_pos}, n_neg={y.size - n_pos}"
        )
    return s, y


def roc_curve(scores, labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic of the rule ``score >= threshold``.

    Parameters
    ----------
    scores : array_like, shape (n,)
        Finite scores; higher means "more likely positive".
    labels : array_like, shape (n,)
        Binary labels (0/1 or bool) with both classes present.

    Returns
    -------
    fpr, tpr : ndarray, shape (m + 1,)
        False- and true-positive rates, non-decreasing, from (0, 0) to (1, 1).
    thresholds : ndarray, shape (m + 1,)
        ``inf`` (nothing predicted positive) followed by the ``m`` distinct
        scores in decreasing order; point ``i`` is the rule
        ``score >= thresholds[i]``.

    Notes
    -----
    Tied scores form one point, so a tie between a positive and a negative is
    a diagonal segment of the curve, and the trapezoidal area under the curve
    equals the Mann-Whitney AUROC with ties counted 1/2 (:func:`auroc`).

    Examples
    --------
    >>> from theory.spectral.roc import roc_curve
    >>> fpr, tpr, thr = roc_curve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])
    >>> fpr.tolist(), tpr.tolist(), thr.tolist()
    ([0.0, 0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 1.0], [inf, 0.9, 0.5, 0.1])
    """
    s, y = _scores_labels(scores, labels)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    last_of_value = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), s.size - 1]
    tps = np.cumsum(y_sorted)[last_of_value]
    fps = (last_of_value + 1) - tps
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    fpr = np.r_[0.0, fps / n_neg]
    tpr = np.r_[0.0, tps / n_pos]
    thresholds = np.r_[np.inf, s_sorted[last_of_value]]
    return fpr, tpr, thresholds


def _auroc_ranks(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    # scores (..., n), labels (n,) in {0., 1.}: Mann-Whitney AUROC along the last axis.
    ranks = rankdata(scores, axis=-1)  # average ranks: ties count 1/2
    n_pos = float(labels.sum())
    n_neg = labels.size - n_pos
    rank_sum = ranks @ labels
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def auroc(scores, labels) -> float:
    """Area under the ROC curve = Mann-Whitney probability ``P(s+ > s-) + P(=)/2``.

    Parameters
    ----------
    scores : array_like, shape (n,)
    labels : array_like, shape (n,)
        Binary, both classes present.

    Returns
    -------
    float
        In ``[0, 1]``; 0.5 is chance.  ``auroc(-s, y) == 1 - auroc(s, y)``.

    Notes
    -----
    ``AUROC = (R+ - n+ (n+ + 1) / 2) / (n+ n-)`` with ``R+`` the sum of the
    average ranks of the positive scores (Mann & Whitney 1947; Hanley & McNeil
    1982).  It equals the trapezoidal area under :func:`roc_curve`.

    Examples
    --------
    >>> from theory.spectral.roc import auroc
    >>> auroc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])
    0.875
    """
    s, y = _scores_labels(scores, labels)
    return float(_auroc_ranks(s, y.astype(np.float64)))


@dataclass(frozen=True)
class AurocCI(ResultMixin):
    """AUROC with a stratified bootstrap (BCa) confidence interval.

    Attributes
    ----------
    estimate : float
        AUROC on the full sample.
    low, high : float
        Bootstrap interval of the AUROC at ``level`` (BCa unless ``method``
        says otherwise).
    level : float
    n_boot : int
    seed : int or None
        Entropy given to ``numpy.random.SeedSequence``.
    n_pos, n_neg : int
    method : str
    """

    estimate: float
    low: float
    high: float
    level: float
    n_boot: int
    seed: int | None
    n_pos: int
    n_neg: int
    method: str = "stratified bootstrap, BCa"


def bootstrap_auroc_ci(scores, labels, n_boot: int = 2000, level: float = 0.95,
                       seed: int | None = 0) -> AurocCI:
    """AUROC and a stratified bootstrap (BCa) confidence interval.

    Parameters
    ----------
    scores : array_like, shape (n,)
    labels : array_like, shape (n,)
        Binary, at least two runs of each class (the BCa jackknife needs them).
    n_boot : int
        Number of bootstrap replicates, ``>= 1``.
    level : float
        Confidence level in ``(0, 1)``.
    seed : int or None
        Entropy of ``numpy.random.SeedSequence`` (``None``: fresh OS entropy,
        not reproducible).  The same seed gives the same interval.

    Returns
    -------
    AurocCI

    Notes
    -----
    Each replicate draws ``n+`` positives and ``n-`` negatives with
    replacement *within* each class (stratified, so every replicate has both
    classes and the class balance of the sample), and computes the
    Mann-Whitney AUROC (:func:`scipy.stats.bootstrap` with the two classes as
    independent samples).  The interval is the bias-corrected and accelerated
    (BCa) one (Efron 1987; Efron & Tibshirani 1993, ch. 14), whose jackknife
    acceleration corrects the skew the percentile interval has near AUROC = 1.
    Where BCa is undefined (e.g. a perfectly separated sample: every
    replicate is 1) the percentile interval is returned and ``method`` says
    so.  With few runs any bootstrap interval is optimistic; report ``n_pos``
    and ``n_neg`` with it.  Cost ``O(n_boot n log n)``, memory ``8 n_boot n``
    bytes.

    Examples
    --------
    >>> from theory.spectral.roc import bootstrap_auroc_ci
    >>> ci = bootstrap_auroc_ci([5, 4, 3, 2.5, 2, 1], [1, 1, 0, 1, 0, 0], n_boot=200, seed=1)
    >>> ci.estimate, ci.low <= ci.estimate <= ci.high, ci.high <= 1.0
    (0.8888888888888888, True, True)
    """
    s, y = _scores_labels(scores, labels)
    integer = (numbers.Integral, np.integer)
    if isinstance(n_boot, bool) or not isinstance(n_boot, integer) or n_boot < 1:
        raise ValueError(f"n_boot must be an integer >= 1, got {n_boot!r}")
    level = check_open_unit("level", level)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, integer) or seed < 0):
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    from theory._bootstrap import bootstrap_interval

    pos, neg = s[y], s[~y]
    if min(pos.size, neg.size) < 2:
        raise ValueError("labels must hold at least two runs of each class for the stratified "
                         f"bootstrap, got n_pos={pos.size}, n_neg={neg.size}")
    ci = bootstrap_interval((pos, neg), _auroc_two_samples, n_resamples=int(n_boot), level=level,
                            seed=seed, vectorized=True)
    return AurocCI(
        estimate=float(_auroc_ranks(s, y.astype(np.float64))),
        low=ci.low,
        high=ci.high,
        level=level,
        n_boot=int(n_boot),
        seed=None if seed is None else int(seed),
        n_pos=int(pos.size),
        n_neg=int(neg.size),
        method=f"stratified bootstrap, {ci.method}",
    )


def _auroc_two_samples(pos, neg, axis=-1):
    """Mann-Whitney AUROC of positives ``pos`` vs negatives ``neg`` along ``axis``."""
    pos, neg = np.moveaxis(pos, axis, -1), np.moveaxis(neg, axis, -1)
    shape = np.broadcast_shapes(pos.shape[:-1], neg.shape[:-1])
    both = np.concatenate([np.broadcast_to(pos, shape + pos.shape[-1:]),
                           np.broadcast_to(neg, shape + neg.shape[-1:])], axis=-1)
    labels = np.r_[np.ones(pos.shape[-1]), np.zeros(neg.shape[-1])]
    return _auroc_ranks(both, labels)


@dataclass(frozen=True)
class ThresholdFit(ResultMixin):
    """A decision threshold chosen on labelled runs, and how.

    Attributes
    ----------
    threshold : float
        In the units of the raw score.  ``direction="higher"``: predict
        grokking iff ``score >= threshold``; ``"lower"``: iff ``score <= threshold``.
    direction : {"higher", "lower"}
    direction_source : str
        ``"fitted"`` (from the sign of AUROC - 1/2 on these runs) or ``"given"``.
    method : {"youden", "target_fpr"}
    target_fpr : float or None
    fpr, tpr : float
        Operating point on the fitting runs.
    youden_j : float
        ``tpr - fpr`` at that point.
    auroc : float
        AUROC of the signed score on the fitting runs (``>= 0.5`` when the
        direction is fitted).
    n_pos, n_neg : int
    """

    threshold: float
    direction: str
    direction_source: str
    method: str
    target_fpr: float | None
    fpr: float
    tpr: float
    youden_j: float
    auroc: float
    n_pos: int
    n_neg: int


def _midpoint(a: float, b: float) -> float:
    return a / 2.0 + b / 2.0  # no overflow for huge finite a, b


def fit_threshold(
    scores,
    labels,
    method: str = "youden",
    target_fpr: float | None = None,
    *,
    direction: str = "auto",
) -> ThresholdFit:
    """Choose a decision threshold (and the direction) from the ROC curve.

    Parameters
    ----------
    scores : array_like, shape (n,)
        Scores of labelled calibration runs.
    labels : array_like, shape (n,)
        1 = the run grokked, 0 = it did not; both classes present.
    method : {"youden", "target_fpr"}
        ``"youden"``: maximise ``J = tpr - fpr``.  ``"target_fpr"``: maximise
        ``tpr`` subject to ``fpr <= target_fpr``.
    target_fpr : float, optional
        Required for (and only for) ``"target_fpr"``, in ``(0, 1)``.
    direction : {"auto", "higher", "lower"}
        ``"auto"`` (default) fits it: ``"higher"`` iff ``auroc(scores) >= 1/2``.

    Returns
    -------
    ThresholdFit

    Raises
    ------
    ValueError
        For non-binary or single-class labels, non-finite scores, a bad
        ``method`` / ``direction`` / ``target_fpr``, or a ``target_fpr`` below
        every false-positive rate reachable by a finite threshold.

    Warns
    -----
    AssumptionWarning
        If the best operating point has ``J <= 0`` (the score does not
        separate the classes on these runs).

    Notes
    -----
    Candidates are the finite ROC thresholds (the distinct signed scores); ties
    in the objective go to the highest threshold (fewest positive
    predictions).  The returned threshold is the midpoint between the chosen
    score and the next lower distinct score (or the chosen score when it is
    the lowest), so that the decisions on the fitting runs are exactly those of
    the ROC point, with a symmetric margin for new runs.  The paper gives no
    threshold; Youden (1950) is the default because it weighs both errors
    equally.

    Examples
    --------
    >>> from theory.spectral.roc import fit_threshold
    >>> fit = fit_threshold([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])
    >>> fit.direction, fit.threshold, fit.tpr, fit.fpr
    ('lower', 0.5, 1.0, 0.0)
    """
    s, y = _scores_labels(scores, labels)
    if method not in ("youden", "target_fpr"):
        raise ValueError(f"method must be one of ['youden', 'target_fpr'], got {method!r}")
    if method == "target_fpr":
        if target_fpr is None:
            raise ValueError("target_fpr must be given (in (0, 1)) for method='target_fpr'")
        target_fpr = check_open_unit("target_fpr", target_fpr)
    elif target_fpr is not None:
        raise ValueError("target_fpr is only used by method='target_fpr'")
    if direction == "auto":
        direction = "higher" if auroc(s, y) >= 0.5 else "lower"
        source = "fitted"
    elif direction in DIRECTIONS:
        source = "given"
    else:
        raise ValueError(f"direction must be one of ['auto', 'higher', 'lower'], got {direction!r}")
    sign = direction_sign(direction)
    signed = sign * s
    fpr, tpr, thr = roc_curve(signed, y)
    fpr, tpr, thr = fpr[1:], tpr[1:], thr[1:]  # finite thresholds only
    j = tpr - fpr
    if method == "youden":
        best = int(np.argmax(j))  # first maximum = highest threshold
    else:
        ok = np.flatnonzero(fpr <= target_fpr + 1e-12 * target_fpr)
        if ok.size == 0:
            raise ValueError(
                f"target_fpr must be >= {fpr[0]:.6g}, the smallest false-positive rate "
                f"reachable by a finite threshold on these runs (n_neg={int((~y).sum())}), "
                f"got {target_fpr}"
            )
        best = int(ok[np.argmax(tpr[ok])])
    if j[best] <= 0:
        warnings.warn(
            "the score does not separate the classes on these runs "
            f"(best Youden J = {j[best]:.3g})",
            AssumptionWarning,
            stacklevel=2,
        )
    cut = thr[best] if best == thr.size - 1 else _midpoint(thr[best], thr[best + 1])
    return ThresholdFit(
        threshold=float(sign * cut),
        direction=direction,
        direction_source=source,
        method=method,
        target_fpr=target_fpr,
        fpr=float(fpr[best]),
        tpr=float(tpr[best]),
        youden_j=float(j[best]),
        auroc=auroc(signed, y),
        n_pos=int(y.sum()),
        n_neg=int((~y).sum()),
    )
