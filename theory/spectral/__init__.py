"""Early prediction of grokking from the spectrum of the training loss.

Pure-math part of the method of Tikeng Notsawo, Zhou, Pezeshki, Rish & Dumas,
"Predicting Grokking Long Before it Happens" (2023, arXiv 2306.13253):

* :mod:`theory.spectral.preprocess` -- window extraction, log, normalisation,
  mean / linear-trend / high-pass removal;
* :mod:`theory.spectral.hjorth` -- Hjorth activity, mobility, complexity
  (standard finite-difference and spectral-moment forms, the paper's variant),
  power spectrum and band energies;
* :mod:`theory.spectral.roc` -- ROC curve, AUROC, stratified bootstrap CI and
  ROC-based threshold (and direction) fitting;
* :mod:`theory.spectral.predictor` -- the calibrated decision rule
  :class:`SpectralPredictor`, its evaluation and the compute saved;
* :mod:`theory.spectral.early` -- scale-free features of the early curve
  (Hjorth parameters, band energies, loss ratios, slope) and resampling of
  strided logs;
* :mod:`theory.spectral.model` -- the shipped early-curve models
  (:func:`load_model`, :class:`EarlyCurveModel`, :class:`CurvePrediction`):
  a calibrated probability of generalizing from the first 4 % of a run.
"""

from theory.spectral.early import (
    EARLY_FEATURES,
    FEATURE_DEFINITIONS,
    early_feature_matrix,
    early_features,
    resample_unit_steps,
)
from theory.spectral.hjorth import (
    KERNELS,
    HjorthParameters,
    band_energies,
    hjorth_frequency,
    hjorth_paper,
    hjorth_time,
    low_frequency_energy,
    power_spectrum,
    spectral_moments,
)
from theory.spectral.model import (
    SPLIT_FEATURES,
    CurvePrediction,
    EarlyCurveModel,
    available_models,
    load_model,
)
from theory.spectral.predictor import (
    FEATURES,
    Evaluation,
    SpectralConfig,
    SpectralFeatures,
    SpectralPredictor,
    compute_saved,
    evaluate,
    fit_predictor,
    score_curves,
    window_features,
)
from theory.spectral.preprocess import (
    NORMALIZE_MODES,
    PREPROCESS_MODES,
    extract_window,
    highpass_cutoff_bin,
    preprocess_window,
)
from theory.spectral.roc import (
    DIRECTIONS,
    AurocCI,
    ThresholdFit,
    auroc,
    bootstrap_auroc_ci,
    direction_sign,
    fit_threshold,
    roc_curve,
)

__all__ = [
    "NORMALIZE_MODES",
    "PREPROCESS_MODES",
    "extract_window",
    "highpass_cutoff_bin",
    "preprocess_window",
    "KERNELS",
    "HjorthParameters",
    "band_energies",
    "hjorth_frequency",
    "hjorth_paper",
    "hjorth_time",
    "low_frequency_energy",
    "power_spectrum",
    "spectral_moments",
    "DIRECTIONS",
    "AurocCI",
    "ThresholdFit",
    "auroc",
    "bootstrap_auroc_ci",
    "direction_sign",
    "fit_threshold",
    "roc_curve",
    "FEATURES",
    "Evaluation",
    "SpectralConfig",
    "SpectralFeatures",
    "SpectralPredictor",
    "compute_saved",
    "evaluate",
    "fit_predictor",
    "score_curves",
    "window_features",
    "EARLY_FEATURES",
    "FEATURE_DEFINITIONS",
    "early_feature_matrix",
    "early_features",
    "resample_unit_steps",
    "SPLIT_FEATURES",
    "CurvePrediction",
    "EarlyCurveModel",
    "available_models",
    "load_model",
]
