"""Early prediction of grokking from the spectrum of the early training loss.

Notsawo et al. (2023) observe that runs which eventually generalize show
oscillations of the training loss in the first few percent of training, and
quantify them by the Hjorth activity (spectral energy) of the early curve.
They give no decision rule.  Here the rule is explicit and calibrated:

1. score = one Hjorth feature of the preprocessed window (:class:`SpectralConfig`);
2. direction and threshold are fitted on labelled runs by ROC
   (:func:`~theory.spectral.roc.fit_threshold`), never assumed;
3. the rule is evaluated on *other* runs (:func:`evaluate`), with a bootstrap
   CI on the AUROC, and the compute saved is ``1 - window / budget``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from theory._checks import check_finite_array, check_positive_int
from theory._result import ResultMixin
from theory.spectral.hjorth import KERNELS, band_energies, hjorth_frequency
from theory.spectral.preprocess import (
    NORMALIZE_MODES,
    PREPROCESS_MODES,
    _check_cutoff,
    extract_window,
    preprocess_window,
)
from theory.spectral.roc import (
    AurocCI,
    ThresholdFit,
    _check_labels,
    bootstrap_auroc_ci,
    direction_sign,
    fit_threshold,
)

__all__ = [
    "score_curves",
    "FEATURES",
    "SpectralConfig",
    "SpectralFeatures",
    "SpectralPredictor",
    "Evaluation",
    "window_features",
    "fit_predictor",
    "evaluate",
    "compute_saved",
]

#: Scores a predictor can threshold.
FEATURES = ("activity", "mobility", "complexity", "complexity_paper", "band_energy")


@dataclass(frozen=True)
class SpectralConfig(ResultMixin):
    """How a curve becomes a window and the window becomes features.

    Attributes
    ----------
    window : int
        Number of leading steps used, ``>= 2`` (paper: 400 of 10,000).
    preprocess : {"mean", "none", "detrend", "linear", "highpass"}
        See :func:`~theory.spectral.preprocess.preprocess_window`.
    cutoff : float or None
        Fraction of Nyquist in ``(0, 1]``; required iff ``preprocess="highpass"``.
    log : bool
        Use ``log(loss)``.
    normalize : {"none", "initial", "std"}
        Scale of the window (``"initial"``: divide by the first value).
    kernel : {"omega", "difference"}
        Spectral weight of mobility and complexity (``"omega"`` = paper).
    band : tuple of float or None
        ``(low, high)`` fractions of Nyquist for the ``band_energy`` feature.
    """

    window: int = 400
    preprocess: str = "mean"
    cutoff: float | None = None
    log: bool = False
    normalize: str = "none"
    kernel: str = "omega"
    band: tuple[float, float] | None = None

    def __post_init__(self):
        if isinstance(self.window, bool) or not isinstance(self.window,
                                                           (numbers.Integral, np.integer)):
            raise TypeError(f"window must be an integer, got {self.window!r}")
        if self.window < 2:
            raise ValueError(f"window must be an integer >= 2, got {self.window}")
        object.__setattr__(self, "window", int(self.window))
        if self.preprocess not in PREPROCESS_MODES:
            raise ValueError(f"preprocess must be one of {list(PREPROCESS_MODES)}, "
                             f"got {self.preprocess!r}")
        if self.preprocess == "highpass":
            if self.cutoff is None:
                raise ValueError("cutoff must be given (in (0, 1], fraction of Nyquist) "
                                 "for preprocess='highpass'")
            object.__setattr__(self, "cutoff", _check_cutoff(self.cutoff))
        elif self.cutoff is not None:
            raise ValueError("cutoff is only used by preprocess='highpass', "
                             f"got preprocess={self.preprocess!r}")
        if not isinstance(self.log, (bool, np.bool_)):
            raise TypeError(f"log must be a bool, got {self.log!r}")
        object.__setattr__(self, "log", bool(self.log))
        if self.normalize not in NORMALIZE_MODES:
            raise ValueError(f"normalize must be one of {list(NORMALIZE_MODES)}, "
                             f"got {self.normalize!r}")
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {list(KERNELS)}, got {self.kernel!r}")
        if self.band is not None:
            band = tuple(float(b) for b in self.band)
            if len(band) != 2 or not (0.0 <= band[0] < band[1] <= 1.0):
                raise ValueError("band must be (low, high) with 0 <= low < high <= 1 "
                                 f"(fractions of Nyquist), got {self.band}")
            object.__setattr__(self, "band", band)


@dataclass(frozen=True)
class SpectralFeatures(ResultMixin):
    """Spectral features of one preprocessed window.

    Attributes
    ----------
    activity : float
        ``m0 = var(x~)``.
    mobility : float
        ``sqrt(m2 / m0)`` with the config's kernel.
    complexity : float
        Standard Hjorth ``sqrt(m4 m0) / m2``.
    complexity_paper : float
        The paper's printed ``sqrt(m4 / m2)``.
    band_energy : float or None
        Energy in ``config.band`` (None when no band is configured).
    """

    activity: float
    mobility: float
    complexity: float
    complexity_paper: float
    band_energy: float | None


def window_features(curve, config: SpectralConfig | None = None) -> SpectralFeatures:
    """Compute every spectral feature of the first ``config.window`` steps.

    Parameters
    ----------
    curve : array_like, shape (T,)
        Training loss per step, ``T >= config.window``.
    config : SpectralConfig, optional
        Defaults to ``SpectralConfig()`` (window 400, mean removal, paper kernel).

    Returns
    -------
    SpectralFeatures

    Raises
    ------
    ValueError
        If ``config.window`` is not in ``[2, len(curve)]`` or the window has
        non-finite values (or see :func:`~theory.spectral.preprocess.preprocess_window`).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.predictor import SpectralConfig, window_features
    >>> t = np.arange(100)
    >>> curve = 2.0 - 0.01 * t + 0.1 * np.cos(2 * np.pi * t / 10)  # ramp + oscillation
    >>> f = window_features(curve, SpectralConfig(window=100, preprocess="detrend"))
    >>> round(f.activity / (0.1**2 / 2), 2), round(f.complexity, 2)  # A^2 / 2; sinusoid: C = 1
    (1.0, 1.0)
    """
    config = SpectralConfig() if config is None else config
    if not isinstance(config, SpectralConfig):
        raise TypeError(f"config must be a SpectralConfig, got {type(config).__name__}")
    raw = extract_window(curve, config.window)
    x = preprocess_window(raw, preprocess=config.preprocess, cutoff=config.cutoff,
                          log=config.log, normalize=config.normalize)
    std = hjorth_frequency(x, kernel=config.kernel, complexity="standard")
    paper = hjorth_frequency(x, kernel=config.kernel, complexity="paper")
    band = None if config.band is None else float(band_energies(x, config.band)[0])
    return SpectralFeatures(std.activity, std.mobility, std.complexity, paper.complexity, band)


def _check_feature(feature: str, config: SpectralConfig) -> str:
    if feature not in FEATURES:
        raise ValueError(f"feature must be one of {list(FEATURES)}, got {feature!r}")
    if feature == "band_energy" and config.band is None:
        raise ValueError("feature='band_energy' needs config.band = (low, high) "
                         "fractions of Nyquist")
    return feature


def _score(curve, feature: str, config: SpectralConfig) -> float:
    return float(getattr(window_features(curve, config), feature))


def _score_many(curves, feature: str, config: SpectralConfig) -> np.ndarray:
    if isinstance(curves, np.ndarray) and curves.ndim == 2:
        curves = list(curves)
    return np.array([_score(c, feature, config) for c in curves], dtype=np.float64)


def score_curves(curves, config: SpectralConfig | None = None, feature: str = "activity"
                 ) -> np.ndarray:
    """One feature of the first ``config.window`` steps of each curve.

    Parameters
    ----------
    curves : sequence of array_like or 2-D array
        Training-loss curves (at least ``config.window`` steps each).
    config : SpectralConfig, optional
    feature : str, optional
        One of :data:`FEATURES`.

    Returns
    -------
    ndarray, shape (n_curves,)

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.predictor import SpectralConfig, score_curves
    >>> t = np.arange(8.0)
    >>> score_curves([np.ones(8), 1 + (-1) ** t], SpectralConfig(window=8)).tolist()
    [0.0, 1.0]
    """
    config = SpectralConfig() if config is None else config
    return _score_many(curves, _check_feature(feature, config), config)


def _source_from_fit(fit: ThresholdFit) -> str:
    rule = fit.method if fit.method == "youden" else f"target_fpr={fit.target_fpr:g}"
    return (
        f"roc:{rule}; direction {fit.direction_source}; "
        f"calibration n_pos={fit.n_pos}, n_neg={fit.n_neg}, auroc={fit.auroc:.4g}"
    )


@dataclass(frozen=True)
class SpectralPredictor(ResultMixin):
    """Threshold rule on one spectral feature of the early training loss.

    Attributes
    ----------
    threshold : float
        Decision threshold in the feature's units.
    feature : {"activity", "mobility", "complexity", "complexity_paper", "band_energy"}
    direction : {"higher", "lower"}
        ``"higher"``: predict grokking iff score >= threshold; ``"lower"``: iff
        score <= threshold.  Fitted from data by :func:`fit_predictor`.
    threshold_source : str
        Where the threshold came from (e.g. ``"roc:youden; direction fitted;
        calibration n_pos=..., ..."`` or ``"user"``).
    config : SpectralConfig
    fit : ThresholdFit or None
        The calibration record, when fitted.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.predictor import SpectralConfig, SpectralPredictor
    >>> cfg = SpectralConfig(window=50, preprocess="detrend")
    >>> p = SpectralPredictor(0.001, "activity", "higher", "user", cfg)
    >>> t = np.arange(200)
    >>> p.predict(np.exp(-t / 200) + 0.1 * np.sin(t)), p.predict(np.exp(-t / 200))
    (True, False)
    """

    threshold: float
    feature: str
    direction: str
    threshold_source: str
    config: SpectralConfig = field(default_factory=SpectralConfig)
    fit: ThresholdFit | None = None

    def __post_init__(self):
        real = (numbers.Real, np.floating, np.integer)
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, real):
            raise TypeError(f"threshold must be a real number, got {self.threshold!r}")
        if not math.isfinite(float(self.threshold)):
            raise ValueError(f"threshold must be finite, got {self.threshold}")
        object.__setattr__(self, "threshold", float(self.threshold))
        if not isinstance(self.config, SpectralConfig):
            raise TypeError(f"config must be a SpectralConfig, got {type(self.config).__name__}")
        _check_feature(self.feature, self.config)
        direction_sign(self.direction)
        if not isinstance(self.threshold_source, str) or not self.threshold_source:
            raise ValueError("threshold_source must be a non-empty string saying where the "
                             "threshold came from")

    @classmethod
    def from_fit(cls, fit: ThresholdFit, *, feature: str = "activity",
                 config: SpectralConfig | None = None):
        """Build the predictor of a :class:`~theory.spectral.roc.ThresholdFit`."""
        config = SpectralConfig() if config is None else config
        return cls(fit.threshold, feature, fit.direction, _source_from_fit(fit), config, fit)

    def score(self, curve) -> float:
        """The feature of the first ``config.window`` steps of ``curve``."""
        return _score(curve, self.feature, self.config)

    def score_many(self, curves) -> np.ndarray:
        """Scores of several curves (a sequence of 1-D curves or a 2-D array)."""
        return _score_many(curves, self.feature, self.config)

    def decide(self, scores) -> np.ndarray:
        """Decisions (True = will grok) for precomputed scores."""
        s = np.asarray(scores, dtype=np.float64)
        return s >= self.threshold if self.direction == "higher" else s <= self.threshold

    def predict(self, curve) -> bool:
        """True iff the rule predicts that the run will grok."""
        return bool(self.decide(self.score(curve)))

    def auroc(self, scores, labels) -> float:
        """AUROC of the rule on labelled runs, with the rule's direction applied.

        ``auroc(direction_sign * scores, labels)``: the number to print next to
        the rule.  On the runs it was fitted on this is ``fit.auroc`` (``>= 1/2``
        when the direction was fitted); the raw-score AUROC
        :func:`~theory.spectral.roc.auroc` ``(scores, labels)`` is its
        complement ``1 - AUROC`` when ``direction="lower"``.

        Parameters
        ----------
        scores : array_like, shape (n,)
            ``self.score_many(curves)`` of the runs.
        labels : array_like, shape (n,)
            Binary, both classes present.

        Examples
        --------
        >>> from theory.spectral.predictor import SpectralPredictor
        >>> p = SpectralPredictor(0.5, "activity", "lower", "user")
        >>> p.auroc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])  # low scores grok: a perfect rule
        1.0
        """
        from theory.spectral.roc import auroc

        return auroc(direction_sign(self.direction) * np.asarray(scores, dtype=np.float64),
                     labels)


def fit_predictor(
    curves,
    labels,
    config: SpectralConfig | None = None,
    *,
    feature: str = "activity",
    method: str = "youden",
    target_fpr: float | None = None,
    direction: str = "auto",
) -> SpectralPredictor:
    """Score labelled calibration runs and fit direction and threshold by ROC.

    Parameters
    ----------
    curves : sequence of array_like
        Training-loss curves of the calibration runs.
    labels : array_like
        1 if the run grokked within its budget, else 0.
    config : SpectralConfig, optional
    feature, method, target_fpr, direction
        See :class:`SpectralPredictor` and :func:`~theory.spectral.roc.fit_threshold`.

    Returns
    -------
    SpectralPredictor

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.predictor import SpectralConfig, fit_predictor
    >>> t = np.arange(64)
    >>> curves = [np.exp(-t / 30) + a * np.sin(t) for a in (0.0, 0.01, 0.2, 0.3)]
    >>> p = fit_predictor(curves, [0, 0, 1, 1], SpectralConfig(window=64, preprocess="detrend"))
    >>> p.direction, p.fit.tpr, p.fit.fpr
    ('higher', 1.0, 0.0)
    """
    config = SpectralConfig() if config is None else config
    _check_feature(feature, config)
    scores = _score_many(curves, feature, config)
    fit = fit_threshold(scores, labels, method, target_fpr, direction=direction)
    return SpectralPredictor.from_fit(fit, feature=feature, config=config)


@dataclass(frozen=True)
class Evaluation(ResultMixin):
    """Held-out performance of a :class:`SpectralPredictor`.

    Attributes
    ----------
    n, n_pos, n_neg, tp, fp, tn, fn : int
    precision : float
        ``tp / (tp + fp)``; NaN (``None`` in JSON) when nothing is predicted positive.
    recall : float
        ``tp / n_pos`` (true-positive rate).
    fpr : float
        ``fp / n_neg``.
    accuracy : float
    auroc : AurocCI
        AUROC of the signed score (direction applied) with bootstrap CI.
    threshold : float
    direction : str
    feature : str
    """

    n: int
    n_pos: int
    n_neg: int
    tp: int
    fp: int
    tn: int
    fn: int
    precision: float
    recall: float
    fpr: float
    accuracy: float
    auroc: AurocCI
    threshold: float
    direction: str
    feature: str


def evaluate(
    predictor: SpectralPredictor,
    scores,
    labels,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int | None = 0,
) -> Evaluation:
    """Confusion counts, rates and AUROC (with CI) of a predictor on labelled runs.

    Parameters
    ----------
    predictor : SpectralPredictor
    scores : array_like, shape (n,)
        ``predictor.score_many(curves)`` of runs *not* used to fit it.
    labels : array_like, shape (n,)
        Binary, both classes present.
    n_boot, level, seed
        See :func:`~theory.spectral.roc.bootstrap_auroc_ci`.

    Returns
    -------
    Evaluation

    Notes
    -----
    The AUROC is that of ``sign * score`` with the predictor's fitted
    direction, so a held-out AUROC below 1/2 means the direction learned on
    the calibration runs does not transfer.

    Examples
    --------
    >>> from theory.spectral.predictor import SpectralPredictor, evaluate
    >>> p = SpectralPredictor(0.5, "activity", "higher", "user")
    >>> ev = evaluate(p, [0.9, 0.6, 0.4, 0.7, 0.1], [1, 1, 1, 0, 0], n_boot=100)
    >>> ev.tp, ev.fp, ev.precision, ev.recall, ev.fpr, ev.accuracy
    (2, 1, 0.6666666666666666, 0.6666666666666666, 0.5, 0.6)
    """
    if not isinstance(predictor, SpectralPredictor):
        raise TypeError(f"predictor must be a SpectralPredictor, got {type(predictor).__name__}")
    s = check_finite_array("scores", scores, ndim=1)
    ci = bootstrap_auroc_ci(direction_sign(predictor.direction) * s,
                            labels, n_boot=n_boot, level=level, seed=seed)
    y = _check_labels(labels, s.size)
    pred = predictor.decide(s)
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    tn = int(np.sum(~pred & ~y))
    fn = int(np.sum(~pred & y))
    return Evaluation(
        n=int(s.size),
        n_pos=tp + fn,
        n_neg=fp + tn,
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        precision=tp / (tp + fp) if tp + fp > 0 else float("nan"),
        recall=tp / (tp + fn),
        fpr=fp / (fp + tn),
        accuracy=(tp + tn) / s.size,
        auroc=ci,
        threshold=predictor.threshold,
        direction=predictor.direction,
        feature=predictor.feature,
    )


def compute_saved(window: int, budget: int) -> float:
    """Fraction of the training budget saved by deciding after ``window`` steps.

    Parameters
    ----------
    window : int
        Steps needed by the predictor, ``1 <= window <= budget``.
    budget : int
        Steps of a full run.

    Returns
    -------
    float
        ``1 - window / budget``.

    Examples
    --------
    >>> from theory.spectral.predictor import compute_saved
    >>> compute_saved(400, 10_000)
    0.96
    """
    window = check_positive_int("window", window)
    budget = check_positive_int("budget", budget)
    if window > budget:
        raise ValueError(f"window must be <= budget ({budget}), got {window}")
    return 1.0 - window / budget
