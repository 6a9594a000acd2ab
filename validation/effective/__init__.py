"""Validation of the effective theory: the batched numpy toy model, comparisons, figures."""

from validation.effective.toy import RunBatch, ToyConfig, ToyResult, make_batch, train_toy

__all__ = ["RunBatch", "ToyConfig", "ToyResult", "make_batch", "train_toy"]
