"""Validation of early grokking prediction: run generators for a labelled corpus of curves.

:mod:`validation.spectral.modular` trains modular-addition MLPs (numpy, AdamW,
batched); the effective theory's toy model (:mod:`validation.effective.toy`)
is the second generator.
"""

from validation.spectral.modular import ModularConfig, ModularResult, train_modular
from validation.spectral.corpus import (
    Corpus,
    generate_corpus,
    label_curves,
    read_runs_dir,
    write_runs_dir,
)
from validation.spectral.evaluation import BASELINES, baseline_scores, evaluate_corpus
from validation.spectral.figures import make_figures

__all__ = ["BASELINES", "Corpus", "ModularConfig", "ModularResult", "baseline_scores",
           "evaluate_corpus", "generate_corpus", "label_curves", "make_figures",
           "read_runs_dir", "train_modular", "write_runs_dir"]
