"""Held-out evaluation of the spectral predictor and of simple baselines on a corpus.

The corpus is split once, stratified by (generator, label), into a
calibration half and an evaluation half (``SeedSequence(seed)``).  For every
group (each generator, and both pooled) and every score (the spectral
feature and the baselines), the direction and threshold are fitted by ROC on
the calibration half only, and AUROC (stratified bootstrap CI), precision and
recall are measured on the evaluation half.

Baselines, all computed on the same window of ``W`` steps:

* ``loss_at_end``: the training loss at step ``W - 1``;
* ``loss_drop``: ``loss[0] - loss[W - 1]``;
* ``final_slope``: least-squares slope of the loss over the window's last quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.spectral import (
    SpectralConfig,
    SpectralPredictor,
    compute_saved,
    evaluate,
    fit_threshold,
    score_curves,
)
from validation.spectral.corpus import Corpus

__all__ = ["BASELINES", "CorpusEvaluation", "baseline_scores", "evaluate_corpus", "split_corpus"]

#: The loss baselines every score is compared with, and their definitions.
BASELINES = {
    "loss_at_end": "training loss at the last step of the window",
    "loss_drop": "loss at step 0 minus loss at the last step of the window",
    "final_slope": "least-squares slope of the loss over the last quarter of the window",
}


def baseline_scores(curves: np.ndarray, window: int) -> dict:
    """The baseline scores of curves (B, T) over their first ``window`` steps."""
    x = np.asarray(curves, dtype=np.float64)[:, :window]
    q = max(window // 4, 2)
    tail = x[:, -q:]
    t = np.arange(q) - (q - 1) / 2
    slope = (tail - tail.mean(axis=1, keepdims=True)) @ t / np.sum(t * t)
    return {"loss_at_end": x[:, -1], "loss_drop": x[:, 0] - x[:, -1], "final_slope": slope}


def split_corpus(corpus: Corpus, seed: int = 0) -> np.ndarray:
    """Boolean mask of the calibration half, stratified by (generator, label)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    calib = np.zeros(len(corpus), dtype=bool)
    for gen in np.unique(corpus.generator):
        for lab in (False, True):
            idx = np.flatnonzero((corpus.generator == gen) & (corpus.label == lab))
            pick = rng.permutation(idx)[: (idx.size + 1) // 2]
            calib[pick] = True
    return calib


@dataclass(frozen=True)
class CorpusEvaluation:
    """Held-out results per group and score (``results[group][score]`` dicts).

    ``scores`` holds every run's value of each score (the spectral feature and
    the baselines), so plots need not recompute them.
    """

    results: dict
    calibration_mask: np.ndarray
    scores: dict
    config: dict

    def to_dict(self) -> dict:
        return {"results": self.results, "config": self.config}


def _one(scores_cal, y_cal, scores_ev, y_ev, name, config, n_boot, seed):
    if len(np.unique(y_cal)) < 2 or len(np.unique(y_ev)) < 2:
        return {"score": name, "skipped": "both classes are needed in calibration and "
                                          "evaluation runs"}
    fit = fit_threshold(scores_cal, y_cal)
    pred = SpectralPredictor.from_fit(fit, feature="activity", config=config)
    ev = evaluate(pred, scores_ev, y_ev, n_boot=n_boot, seed=seed)
    d = ev.to_dict()
    d.update(score=name, feature=name,
             calibration={"threshold": fit.threshold, "direction": fit.direction,
                          "auroc_in_sample": fit.auroc, "n_pos": fit.n_pos, "n_neg": fit.n_neg})
    return d


def evaluate_corpus(corpus: Corpus, config: SpectralConfig = SpectralConfig(window=240),
                    feature: str = "activity", seed: int = 0, n_boot: int = 2000
                    ) -> CorpusEvaluation:
    """Calibrate on half the runs, evaluate on the other half, per generator and pooled.

    Returns
    -------
    CorpusEvaluation
        ``results[group][score]`` with ``auroc`` (estimate, low, high), precision,
        recall, fpr, accuracy, the calibration threshold and direction;
        ``config`` records the split seed, the spectral configuration, the
        baselines and the compute saved ``1 - window / budget``.
    """
    calib = split_corpus(corpus, seed)
    budget = corpus.train_loss.shape[1] - 1
    window = config.window
    if window > corpus.train_loss.shape[1]:
        raise ValueError(f"window ({window}) is longer than the curves ({budget + 1} steps)")
    scores = {feature: score_curves(corpus.train_loss, config, feature),
              **baseline_scores(corpus.train_loss, window)}
    y = corpus.label.astype(int)
    results = {}
    groups = {str(g): corpus.generator == g for g in np.unique(corpus.generator)}
    groups["pooled"] = np.ones(len(corpus), dtype=bool)
    for gname, gmask in groups.items():
        results[gname] = {"n_calibration": int((gmask & calib).sum()),
                          "n_evaluation": int((gmask & ~calib).sum()),
                          "positives": int(y[gmask].sum())}
        for sname, s in scores.items():
            results[gname][sname] = _one(s[gmask & calib], y[gmask & calib], s[gmask & ~calib],
                                         y[gmask & ~calib], sname, config, n_boot, seed)
    cfg = {"spectral": config.to_dict(), "feature": feature, "split_seed": seed,
           "split": "stratified by (generator, label); calibration half, evaluation half",
           "baselines": BASELINES, "bootstrap": {"n_boot": n_boot, "level": 0.95},
           "budget": budget, "compute_saved": compute_saved(window, budget),
           "threshold_method": "ROC, Youden's J, direction fitted on the calibration half"}
    return CorpusEvaluation(results=results, calibration_mask=calib, scores=scores, config=cfg)
