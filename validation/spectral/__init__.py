"""Validation of early grokking prediction: labelled corpora, fitted models, held-out evaluation.

:mod:`validation.spectral.modular` trains modular-addition MLPs (numpy, AdamW,
batched); the effective theory's toy model (:mod:`validation.effective.toy`)
is the second generator.  :mod:`validation.spectral.families` builds the
labelled family corpora the shipped early-curve models are fitted on
(:mod:`validation.spectral.fit`, :mod:`validation.spectral.shipped`);
:mod:`validation.spectral.io` reads users' curves and applies a model.
"""

from validation.spectral.corpus import (
    Corpus,
    generate_corpus,
    label_curves,
    read_runs_dir,
    write_runs_dir,
)
from validation.spectral.evaluation import BASELINES, baseline_scores, evaluate_corpus
from validation.spectral.families import (
    FAMILIES,
    FamilyCorpus,
    corpus_dict,
    generate_family_corpus,
    load_family_corpus,
)
from validation.spectral.figures import make_figures
from validation.spectral.io import predict_curve_dict, read_curve
from validation.spectral.modular import ModularConfig, ModularResult, train_modular

__all__ = ["BASELINES", "Corpus", "FAMILIES", "FamilyCorpus", "ModularConfig", "ModularResult",
           "baseline_scores", "corpus_dict", "evaluate_corpus", "generate_corpus",
           "generate_family_corpus", "label_curves", "load_family_corpus", "make_figures",
           "predict_curve_dict", "read_curve", "read_runs_dir", "train_modular",
           "write_runs_dir"]
