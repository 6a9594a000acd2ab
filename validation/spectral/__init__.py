"""Validation of early grokking prediction: run generators for a labelled corpus of curves.

:mod:`validation.spectral.modular` trains modular-addition MLPs (numpy, AdamW,
batched); the effective theory's toy model (:mod:`validation.effective.toy`)
is the second generator.
"""

from validation.spectral.modular import ModularConfig, ModularResult, train_modular

__all__ = ["ModularConfig", "ModularResult", "train_modular"]
