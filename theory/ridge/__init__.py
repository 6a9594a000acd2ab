"""Grokking in ridge regression (Xu, Vardi & Safran 2026, arXiv 2601.19791).

Exact closed-form GD dynamics, exact overfitting / generalization times,
every proven bound with its assumptions, hyperparameter control and a
symbolic layer (:mod:`theory.ridge.symbolic`, imported on demand).
"""

from theory.ridge.problem import RidgeProblem, sample_problem, sample_problems, seed_sequence
from theory.ridge.dynamics import (
    DivergenceError,
    RidgeDynamics,
    Spectrum,
    compute_spectra,
    compute_spectrum,
    dynamics,
    init_averaged_dynamics,
)
from theory.ridge.bounds import Bound, BoundsReport, Condition, bounds_report
from theory.ridge.control import ControlReport, control_report
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
