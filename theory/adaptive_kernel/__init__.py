"""Grokking as a first-order phase transition: the adaptive-kernel theory.

Rubin, Seroussi & Ringel (2023), "Grokking as a First Order Phase Transition
in Two Layer Networks", arXiv 2310.03789 (spec ``adaptive_kernel.md``), with
the printed errata corrected and every formula re-derived:

* :mod:`~theory.adaptive_kernel.integrals` -- Gaussian integrals of the erf neuron;
* :mod:`~theory.adaptive_kernel.model_a` -- cubic teacher, erf student: reduced
  action, GFL solution, first-order critical point and spinodal (closed form
  and root-finding), droplet phase, learned components vs noise;
* :mod:`~theory.adaptive_kernel.model_b` -- modular addition, quadratic student:
  NNGP spectrum, Fourier-mode action, self-consistent ``|a|(sigma2)``, phase
  boundaries;
* :mod:`~theory.adaptive_kernel.finite_d` -- Model A at finite input dimension:
  the overlap density ``exp(-d S~)`` solved self-consistently (what a
  simulation at ``d = 53`` should show);
* :mod:`~theory.adaptive_kernel.finite_p` -- Model B at finite modulus: the
  exact Fourier-mode density ``exp(-2 P S(Phi, Psi))`` solved self-consistently,
  and the sharp scaling limit at any couplings;
* :mod:`~theory.adaptive_kernel.finite_data` -- the general adaptive-kernel loop
  on a small data set;
* :mod:`~theory.adaptive_kernel.symbolic` -- sympy derivations (imported on
  demand; ``import theory.adaptive_kernel`` does not import sympy).
"""

from theory.adaptive_kernel.finite_d import FiniteDSolution, finite_d_solution, overlap_density
from theory.adaptive_kernel.finite_data import (
    AdaptiveKernelResult,
    adaptive_kernel_loop,
    hermite_projection,
)
from theory.adaptive_kernel.finite_p import (
    FinitePPoint,
    ModeMoments,
    finite_p_curve,
    finite_p_solution,
    mode_marginal,
    mode_moments,
    sharp_limit_a,
)
from theory.adaptive_kernel.integrals import (
    erf_erf_expectation,
    erf_h1_moment,
    erf_h3_moment,
    erf_z3_moment,
    hermite3,
)
from theory.adaptive_kernel.model_a import (
    BASE_MODEL_A,
    PAPER_SIGMA2_GRID,
    GFLSolution,
    ModelAConfig,
    ModelACriticalPoint,
    ModelAPhaseDiagram,
    ModelAPhasePoint,
    critical_line,
    critical_point,
    gfl_b,
    gfl_solution,
    gpr_coefficients,
    interaction_u,
    kappa,
    kernel_matrix,
    mixed_phase,
    phase_diagram,
    phase_point,
    reduced_action,
    reduced_action_derivatives,
    spinodal_line,
)
from theory.adaptive_kernel.model_b import (
    BASE_MODEL_B,
    NORMALISATIONS,
    ModelBConfig,
    ModelBCurve,
    ModelBPoint,
    ModelBThresholds,
    diagonal_action,
    fourier_target_overlap,
    is_prime,
    mode_action,
    modular_target,
    nngp_kernel_matrix,
    nngp_spectrum,
    phi_psi_mean,
    saddles,
    self_consistent_a,
    self_consistent_curve,
    specialised_fraction,
    thresholds,
    two_hot_inputs,
)

__all__ = [
    "FiniteDSolution", "finite_d_solution", "overlap_density",
    "FinitePPoint", "ModeMoments", "finite_p_curve", "finite_p_solution", "mode_marginal",
    "mode_moments", "sharp_limit_a",
    "erf_erf_expectation", "erf_h1_moment", "erf_h3_moment", "erf_z3_moment", "hermite3",
    "BASE_MODEL_A", "PAPER_SIGMA2_GRID", "GFLSolution", "ModelACriticalPoint", "ModelAConfig",
    "ModelAPhaseDiagram", "ModelAPhasePoint", "critical_line", "critical_point", "gfl_b",
    "gfl_solution", "gpr_coefficients", "interaction_u", "kappa", "kernel_matrix",
    "mixed_phase", "phase_diagram", "phase_point", "reduced_action",
    "reduced_action_derivatives", "spinodal_line",
    "BASE_MODEL_B", "NORMALISATIONS", "ModelBConfig", "ModelBCurve", "ModelBPoint",
    "ModelBThresholds", "diagonal_action", "fourier_target_overlap", "is_prime",
    "mode_action", "modular_target", "nngp_kernel_matrix", "nngp_spectrum", "phi_psi_mean",
    "saddles", "self_consistent_a", "self_consistent_curve", "specialised_fraction",
    "thresholds", "two_hot_inputs",
    "AdaptiveKernelResult", "adaptive_kernel_loop", "hermite_projection",
]
