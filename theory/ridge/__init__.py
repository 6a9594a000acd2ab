"""Grokking in ridge regression (Xu, Vardi & Safran 2026, arXiv 2601.19791).

Exact closed-form GD dynamics, exact overfitting / generalization times,
every proven bound with its assumptions, hyperparameter control and a
symbolic layer (:mod:`theory.ridge.symbolic`, imported on demand).

The bounds and control names (``bounds_report``, ``control_report``, ...)
are imported on first use, so ``grokking ridge times`` does not pay for
:mod:`theory.ridge.bounds` and :mod:`theory.ridge.control`.
"""

import importlib

from theory.ridge.dynamics import (
    DivergenceError,
    RidgeDynamics,
    Spectrum,
    compute_spectra,
    compute_spectrum,
    dynamics,
    init_averaged_dynamics,
)
from theory.ridge.problem import RidgeProblem, sample_problem, sample_problems, seed_sequence
from theory.ridge.times import (
    TIME_DEFINITIONS,
    GrokkingTimes,
    generalization_time,
    grokking_times,
    grokking_times_many,
    overfitting_time,
    times_for_seeds,
)

__all__ = [
    "Bound",
    "BoundsReport",
    "Condition",
    "ControlReport",
    "bounds_report",
    "control_report",
    "TIME_DEFINITIONS",
    "GrokkingTimes",
    "generalization_time",
    "grokking_times",
    "grokking_times_many",
    "overfitting_time",
    "times_for_seeds",
    "DivergenceError",
    "RidgeDynamics",
    "RidgeProblem",
    "Spectrum",
    "compute_spectra",
    "compute_spectrum",
    "dynamics",
    "init_averaged_dynamics",
    "sample_problem",
    "sample_problems",
    "seed_sequence",
]

_LAZY = {"Bound": "bounds", "BoundsReport": "bounds", "Condition": "bounds",
         "bounds_report": "bounds", "ControlReport": "control", "control_report": "control"}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"theory.ridge.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'theory.ridge' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
