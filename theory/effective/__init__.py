"""Effective theory of representation learning (Liu et al. 2022, arXiv 2205.10343).

The training set alone decides, through its parallelograms, whether the linear
representation is forced; the effective loss's Hessian sets how fast it is
learned.  Everything here is exact linear algebra on small integer matrices;
the symbolic layer (:mod:`theory.effective.symbolic`) is imported on demand.
"""

from theory.effective.critical import CriticalCurve, critical_curve, forcing_statistics
from theory.effective.flow import (
    EffectiveFlow,
    effective_flow,
    effective_gradient,
    effective_loss,
    euler_flow,
)
from theory.effective.phases import PHASES, PhaseDefinition, classify_phase
from theory.effective.representation import (
    RQI_CONVENTIONS,
    normalize_representation,
    parallelogram_defects,
    predicted_accuracy,
    representation_parallelograms,
    rqi,
)
from theory.effective.structure import (
    HESSIAN_NORMALISATIONS,
    SplitAnalysis,
    analyze_split,
    augmented_set,
    constraint_matrix,
    full_nullity,
    hessian_eigenvalues,
    implied_parallelograms,
    nullity,
)
from theory.effective.task import ArithmeticTask, TrainingSplit, random_split, split_from_pairs

__all__ = [
    "ArithmeticTask", "TrainingSplit", "random_split", "split_from_pairs",
    "HESSIAN_NORMALISATIONS", "SplitAnalysis", "analyze_split", "augmented_set",
    "constraint_matrix", "full_nullity", "hessian_eigenvalues", "implied_parallelograms",
    "nullity",
    "RQI_CONVENTIONS", "normalize_representation", "parallelogram_defects",
    "predicted_accuracy", "representation_parallelograms", "rqi",
    "EffectiveFlow", "effective_flow", "effective_gradient", "effective_loss", "euler_flow",
    "CriticalCurve", "critical_curve", "forcing_statistics",
    "PHASES", "PhaseDefinition", "classify_phase",
]
