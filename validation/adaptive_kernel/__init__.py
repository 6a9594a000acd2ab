"""Validation of the adaptive-kernel theory: Langevin sampling of the Model A and Model B
posteriors, the transition scans with the theory predictions, and the paper's Figs. 2 and 3."""

from validation.adaptive_kernel.figures import make_figures, model_b_figure
from validation.adaptive_kernel.langevin import (
    LangevinState,
    LangevinTrace,
    ModelAData,
    langevin_model_a,
    model_a_data,
)
from validation.adaptive_kernel.langevin_b import ModelBState, ModelBTrace, langevin_model_b
from validation.adaptive_kernel.report_b import model_b_report, run_model_b
from validation.adaptive_kernel.scan_b import (
    PROFILES_B,
    ModelBScan,
    ModelBSweep,
    hysteresis_sweep_b,
    model_b_scan,
    simulation_config_b,
)
from validation.adaptive_kernel.transition import (
    HysteresisSweep,
    TransitionScan,
    hysteresis_sweep,
    onset,
    simulation_config,
    transition_scan,
)

__all__ = ["HysteresisSweep", "LangevinState", "LangevinTrace", "ModelAData", "ModelBScan",
           "ModelBState", "ModelBSweep", "ModelBTrace", "PROFILES_B", "TransitionScan",
           "hysteresis_sweep", "hysteresis_sweep_b", "langevin_model_a", "langevin_model_b",
           "make_figures", "model_a_data", "model_b_figure", "model_b_report", "model_b_scan",
           "onset",
           "run_model_b", "simulation_config", "simulation_config_b", "transition_scan"]
