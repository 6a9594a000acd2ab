"""Validation of the effective theory: the batched numpy toy model, comparisons, figures."""

from validation.effective.figures import SweepResult, fraction_sweep, make_figures
from validation.effective.toy import (
    RunBatch,
    ToyConfig,
    ToyResult,
    make_batch,
    run_split,
    train_toy,
)

__all__ = ["RunBatch", "SweepResult", "ToyConfig", "ToyResult", "fraction_sweep", "make_batch",
           "make_figures", "run_split", "train_toy"]
