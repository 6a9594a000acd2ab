"""Shipped early-curve models: features of the first ``W`` steps -> calibrated probability.

A model is a JSON file (no pickles): feature names (defined in
:mod:`theory.spectral.early`, plus optional *split* features given by the
caller), standardisation, logistic coefficients, calibration, decision
threshold, the feature range of its training corpus, the corpus it was fitted
on (configuration and seeds, and the command that regenerates it) and its
held-out metrics.  Applying one needs numpy only; fitting lives in
:mod:`validation.spectral.fit` (Newton's method in numpy, checked against
scikit-learn in the tests).

The probability is

.. math::

   z_i = (f_i - \\mu_i) / \\sigma_i, \\qquad
   \\eta = b + \\sum_i w_i z_i, \\qquad
   p = 1 / (1 + e^{-(a \\eta + c)}),

with ``(a, c) = (1, 0)`` when the logistic output is used as it is, or the
Platt constants fitted out of fold.  ``w_i z_i`` is feature ``i``'s
*contribution* to the log-odds relative to an average training run (the
``evidence``).  ``prediction = p >= threshold``.

No confident answer (``probability`` and ``prediction`` None, the reasons in
``warnings``) when the curve is too short for the window, the window holds a
non-finite or non-positive loss, the loss is flat over the window (it never
learns), the logging is too coarse, or a feature lies outside the training
corpus' range widened by :data:`RANGE_MARGIN` of its width (the model would
extrapolate; the extrapolated value is kept as ``raw_probability``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field

import numpy as np

from theory._json import jsonable
from theory.spectral.early import (
    FEATURE_DEFINITIONS,
    MIN_WINDOW,
    early_features,
    resample_unit_steps,
)

__all__ = ["CurvePrediction", "EarlyCurveModel", "MODEL_FORMAT", "RANGE_MARGIN",
           "SPLIT_FEATURES", "available_models", "load_model"]

#: ``format`` field of every model file.
MODEL_FORMAT = "grokking-theory early-curve model"
#: Fraction of a feature's training range by which a value may lie outside it.
RANGE_MARGIN = 0.1
#: The loss range over the window below which a curve counts as flat (log-loss units).
FLAT_LOG_RANGE = 1e-3
#: Fewest logged points inside the window for a confident answer.
MIN_LOGGED_POINTS = 20

#: Features a caller supplies (the effective theory's verdict on the training split).
SPLIT_FEATURES = {
    "split_forced": "1 if the training split forces the linear structure (n0 = 2), else 0",
    "split_acc_bar": "ideal accuracy |Dbar(D)| / |D0| of the training split",
    "split_log10_n_h": "log10 of n_h = 1/(lambda3 eta) in steps, capped at 6 (not forced: 6)",
}

_MODELS_DIR = os.path.join(os.path.dirname(__file__), "models")


@dataclass(frozen=True)
class CurvePrediction:
    """The answer of an early-curve model for one curve.

    Attributes
    ----------
    probability : float or None
        Calibrated P(the run generalizes within the family's budget); None
        when there is no confident answer (see ``warnings``).
    prediction : bool or None
        ``probability >= threshold``; None with ``probability``.
    threshold : float
    raw_probability : float or None
        The model's output even when not confident (None if the features
        could not be computed).
    evidence : dict
        ``{feature: {"value", "standardized", "contribution"}}``;
        contributions are in log-odds and sum with ``intercept`` to ``logit``.
    intercept, logit : float or None
    warnings : tuple of str
    window : int
        Steps used (from the curve's first step).
    resampled : dict or None
        How the curve was brought to unit steps (None: it already was).
    family, model, model_version : str
    """

    probability: float | None
    prediction: bool | None
    threshold: float
    raw_probability: float | None
    evidence: dict
    intercept: float | None
    logit: float | None
    warnings: tuple
    window: int
    resampled: dict | None
    family: str
    model: str
    model_version: str

    @property
    def confident(self) -> bool:
        """True when the model gives an answer (``probability`` is not None)."""
        return self.probability is not None

    def to_dict(self) -> dict:
        """JSON-ready dict with snake_case keys."""
        d = jsonable(asdict(self))
        d["confident"] = self.confident
        return d


def _floats(name: str, values, n: int) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"model field {name!r} must hold {n} finite numbers, got {values!r}")
    return arr


@dataclass(frozen=True)
class EarlyCurveModel:
    """A logistic model on early-curve (and optionally split) features.

    Build one with :func:`load_model` or :meth:`from_dict`; see the module
    docstring for the formula.  ``spec`` is the whole model file (corpus,
    held-out metrics, ...), kept for reports.
    """

    name: str
    version: str
    family: str
    window: int
    features: tuple
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibration: tuple = (1.0, 0.0)
    threshold: float = 0.5
    feature_min: np.ndarray | None = None
    feature_max: np.ndarray | None = None
    spec: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.window, int) or self.window < MIN_WINDOW:
            raise ValueError(f"window must be an integer >= {MIN_WINDOW}, got {self.window!r}")
        feats = tuple(self.features)
        bad = [f for f in feats if f not in FEATURE_DEFINITIONS and f not in SPLIT_FEATURES]
        if bad or not feats:
            raise ValueError(f"features must be non-empty names among "
                             f"{list(FEATURE_DEFINITIONS) + list(SPLIT_FEATURES)}, got {bad}")
        n = len(feats)
        object.__setattr__(self, "features", feats)
        for name in ("mean", "scale", "coef"):
            object.__setattr__(self, name, _floats(name, getattr(self, name), n))
        if np.any(self.scale <= 0):
            raise ValueError("model field 'scale' must be > 0")
        for name in ("feature_min", "feature_max"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _floats(name, getattr(self, name), n))
        cal = tuple(float(v) for v in self.calibration)
        if len(cal) != 2 or not all(math.isfinite(v) for v in cal):
            raise ValueError(f"calibration must be two finite numbers (a, c), got "
                             f"{self.calibration!r}")
        object.__setattr__(self, "calibration", cal)
        if not (0.0 < float(self.threshold) < 1.0):
            raise ValueError(f"threshold must lie in (0, 1), got {self.threshold!r}")
        object.__setattr__(self, "threshold", float(self.threshold))
        object.__setattr__(self, "intercept", float(self.intercept))

    # ------------------------------------------------------------------ io
    @classmethod
    def from_dict(cls, data: dict) -> EarlyCurveModel:
        """Build a model from the dict of a model file (``MODEL_FORMAT``)."""
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not an early-curve model file (expected format "
                             f"{MODEL_FORMAT!r})")
        try:
            lm = data["logistic"]
            rng = data.get("feature_range") or {}
            return cls(name=str(data["name"]), version=str(data["version"]),
                       family=str(data["family"]["name"]), window=int(data["window"]),
                       features=tuple(data["features"]["names"]), mean=lm["mean"],
                       scale=lm["scale"], coef=lm["coef"], intercept=lm["intercept"],
                       calibration=(data["calibration"]["a"], data["calibration"]["c"]),
                       threshold=data["threshold"]["value"], feature_min=rng.get("min"),
                       feature_max=rng.get("max"), spec=data)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"model file is missing a field or has a wrong type ({exc!r})"
                             ) from None

    @property
    def split_features(self) -> tuple:
        """The features the caller must supply (``split=`` of :meth:`predict`)."""
        return tuple(f for f in self.features if f in SPLIT_FEATURES)

    # ------------------------------------------------------------------ maths
    def standardize(self, values) -> np.ndarray:
        """``(f - mean) / scale`` of a feature vector or matrix (columns = ``features``)."""
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.scale

    def logit(self, values) -> np.ndarray:
        """Uncalibrated log-odds ``b + w . z`` of feature vectors (last axis = features)."""
        return self.intercept + self.standardize(values) @ self.coef

    def probability(self, values) -> np.ndarray:
        """Calibrated probability of feature vectors (last axis = ``features``).

        Examples
        --------
        >>> from theory.spectral.model import EarlyCurveModel
        >>> m = EarlyCurveModel("demo", "1", "demo", 32, ("frac_up",), [0.5], [0.1], [2.0], 0.0)
        >>> round(float(m.probability([0.55])), 12)  # z = 0.5, logit = 1: 1 / (1 + e^-1)
        0.73105857863
        """
        a, c = self.calibration
        eta = a * self.logit(values) + c
        return 0.5 * (1.0 + np.tanh(0.5 * eta))  # = 1 / (1 + exp(-eta)), no overflow

    def _out_of_range(self, values: np.ndarray) -> list[str]:
        if self.feature_min is None or self.feature_max is None:
            return []
        width = self.feature_max - self.feature_min
        lo = self.feature_min - RANGE_MARGIN * width
        hi = self.feature_max + RANGE_MARGIN * width
        return [f"{n} = {v:.4g} is outside the training range [{a:.4g}, {b:.4g}] "
                f"(+-{RANGE_MARGIN:g} of its width)" for n, v, a, b, lo_, hi_ in
                zip(self.features, values, self.feature_min, self.feature_max, lo, hi)
                if not lo_ <= v <= hi_]

    # ------------------------------------------------------------------ apply
    def predict(self, curve, steps=None, split=None) -> CurvePrediction:
        """Probability that the run generalizes, from its early training loss.

        Parameters
        ----------
        curve : array_like, shape (n,)
            Training loss, one value per logged step.
        steps : array_like of int, shape (n,), optional
            Step numbers (strictly increasing).  Default: unit steps from 0.
            Strided or uneven steps are linearly interpolated onto unit steps
            (stated in ``resampled``); the window is the ``W`` steps from the
            first logged one.
        split : dict, optional
            Values of the model's :attr:`split_features` (models that combine
            the curve with the effective theory's verdict on the training split).

        Returns
        -------
        CurvePrediction

        Raises
        ------
        ValueError
            For malformed steps, or a missing split feature.
        """
        values = np.asarray(curve, dtype=np.float64)
        if values.ndim != 1 or values.size < 1:
            raise ValueError(f"curve must be a non-empty 1-D array, got shape {values.shape}")
        split = self._check_split(split)
        warnings, resampled = [], None
        if steps is None:
            first, unit = 0, values
        else:
            unit_steps, unit, resampled = resample_unit_steps(steps, values) if \
                np.asarray(steps).size >= 2 else (np.asarray(steps, int), values, None)
            first = int(unit_steps[0])
        W = self.window
        n_logged = W if resampled is None else int(np.sum(np.asarray(steps) < first + W))
        if resampled is not None:
            warnings.append(f"resampled: logged every ~{resampled['stride']} steps, linearly "
                            f"interpolated onto unit steps; oscillations faster than the "
                            f"stride are lost")
        if first > 1:
            warnings.append(f"the curve starts at step {first}; the model's window is steps "
                            f"0..{W - 1} of a run")
        base = dict(threshold=self.threshold, window=W, resampled=resampled,
                    family=self.family, model=self.name, model_version=self.version)
        no_answer = dict(probability=None, prediction=None, raw_probability=None, evidence={},
                         intercept=None, logit=None)
        if unit.size < W:
            warnings.append(f"too short: the curve covers {unit.size} steps, the model needs "
                            f"the first {W} (of a {self._budget_text()} budget)")
            return CurvePrediction(**no_answer, warnings=tuple(warnings), **base)
        x = unit[:W]
        if not np.all(np.isfinite(x)) or np.any(x <= 0):
            warnings.append("the window holds a non-finite or non-positive loss (diverged, or "
                            "not a loss): no answer")
            return CurvePrediction(**no_answer, warnings=tuple(warnings), **base)
        confident = True
        if np.ptp(np.log(x)) < FLAT_LOG_RANGE:
            warnings.append(f"flat: the loss changes by less than {FLAT_LOG_RANGE:g} in log over "
                            f"the window (the run does not learn): no confident answer")
            confident = False
        if n_logged < MIN_LOGGED_POINTS:
            warnings.append(f"too coarse: {n_logged} logged points in the window (at least "
                            f"{MIN_LOGGED_POINTS} needed): no confident answer")
            confident = False
        if first > max(1, W // 20):
            confident = False
        feats = early_features(x, W)
        row = np.array([feats[f] if f in feats else split[f] for f in self.features])
        outside = self._out_of_range(row)
        if outside:
            warnings += [f"out of range: {s}; the curve is unlike the '{self.family}' family: "
                         f"no confident answer" for s in outside]
            confident = False
        z = self.standardize(row)
        contrib = self.coef * z
        logit = float(self.intercept + contrib.sum())
        p = float(self.probability(row))
        evidence = {f: {"value": float(v), "standardized": float(s), "contribution": float(c)}
                    for f, v, s, c in zip(self.features, row, z, contrib)}
        return CurvePrediction(probability=p if confident else None,
                               prediction=(p >= self.threshold) if confident else None,
                               raw_probability=p, evidence=evidence,
                               intercept=self.intercept, logit=logit,
                               warnings=tuple(warnings), **base)

    def _check_split(self, split) -> dict:
        need = self.split_features
        if not need:
            if split:
                raise ValueError(f"split: model {self.name!r} uses no split features, got "
                                 f"{sorted(split)}")
            return {}
        if not isinstance(split, dict):
            raise ValueError(f"split: model {self.name!r} needs {list(need)} (a dict)")
        missing = [f for f in need if f not in split]
        if missing:
            raise ValueError(f"split: model {self.name!r} needs {list(need)}, missing {missing}")
        out = {}
        for f in need:
            v = float(split[f])
            if not math.isfinite(v):
                raise ValueError(f"split[{f!r}] must be finite, got {split[f]!r}")
            out[f] = v
        return out

    def _budget_text(self) -> str:
        budget = (self.spec.get("family") or {}).get("budget")
        return f"{budget}-step" if budget else "full"

    def held_out(self) -> dict:
        """The held-out metrics stored with the model (empty if none)."""
        return dict(self.spec.get("held_out") or {})


def available_models() -> list[str]:
    """Names of the models shipped with the package.

    Examples
    --------
    >>> from theory.spectral.model import available_models
    >>> "toy" in available_models()
    True
    """
    if not os.path.isdir(_MODELS_DIR):
        return []
    return sorted(f[:-5] for f in os.listdir(_MODELS_DIR) if f.endswith(".json"))


def load_model(name_or_path) -> EarlyCurveModel:
    """A shipped model by name (``"toy"``, ``"modular"``, ...) or a model file by path.

    Raises
    ------
    ValueError
        For an unknown name, an unreadable file, or a file that is not a model.

    Examples
    --------
    >>> from theory.spectral import load_model
    >>> m = load_model("toy")
    >>> m.family, m.window
    ('toy', 400)
    """
    text = os.fspath(name_or_path)
    shipped = available_models()
    if text in shipped:
        path = os.path.join(_MODELS_DIR, text + ".json")
    elif os.path.exists(text):
        path = text
    else:
        raise ValueError(f"model must be a shipped model name ({', '.join(shipped) or 'none'}) "
                         f"or a path to a model file, got {text!r}")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ValueError(f"model: cannot read {path!r} ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"model: {path!r} is not JSON ({exc})") from None
    return EarlyCurveModel.from_dict(data)
