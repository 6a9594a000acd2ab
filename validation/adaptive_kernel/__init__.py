"""Validation of the adaptive-kernel theory: Langevin sampling of the Model A posterior,
the transition scan with both theory predictions, and the paper's Figs. 2 and 3."""

from validation.adaptive_kernel.figures import make_figures
from validation.adaptive_kernel.langevin import (
    LangevinState,
    LangevinTrace,
    ModelAData,
    langevin_model_a,
    model_a_data,
)
from validation.adaptive_kernel.transition import (
    HysteresisSweep,
    TransitionScan,
    hysteresis_sweep,
    onset,
    simulation_config,
    transition_scan,
)

__all__ = ["HysteresisSweep", "LangevinState", "LangevinTrace", "ModelAData", "TransitionScan",
           "hysteresis_sweep", "langevin_model_a", "make_figures", "model_a_data", "onset",
           "simulation_config", "transition_scan"]
