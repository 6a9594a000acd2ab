"""Validation of the adaptive-kernel theory: Langevin sampling of the Model A posterior."""

from validation.adaptive_kernel.langevin import (
    LangevinState,
    LangevinTrace,
    ModelAData,
    langevin_model_a,
    model_a_data,
)

__all__ = ["LangevinState", "LangevinTrace", "ModelAData", "langevin_model_a", "model_a_data"]
