"""Argument checks shared by every theory module.

Each check raises ``TypeError`` for a wrong type and ``ValueError`` naming the
parameter and its valid range for a bad value, so that bad input never becomes
a NaN or a silently wrong answer further down.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

__all__ = ["AssumptionWarning", "warn_assumption"]


class AssumptionWarning(UserWarning):
    """A theorem was applied outside one of its assumptions.

    The number is still returned; the warning (and the ``conditions`` field of
    the result) says which assumption fails.
    """


def warn_assumption(message: str, stacklevel: int = 3) -> None:
    """Emit an :class:`AssumptionWarning`."""
    warnings.warn(message, AssumptionWarning, stacklevel=stacklevel)


def _real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_positive(name: str, value) -> float:
    """Return ``value`` as float, requiring ``0 < value < inf``."""
    value = _real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as float, requiring ``0 <= value < inf``."""
    value = _real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_open_unit(name: str, value) -> float:
    """Return ``value`` as float, requiring ``0 < value < 1``."""
    value = _real(name, value)
    if not 0 < value < 1:
        raise ValueError(f"{name} must lie in (0, 1), got {value}")
    return value


def check_positive_int(name: str, value) -> int:
    """Return ``value`` as int, requiring an integer ``>= 1``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value}")
    return value


def check_finite_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, requiring finite entries."""
    arr = np.asarray(value, dtype=np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values")
    return arr


def check_times(value) -> np.ndarray:
    """Return integer step indices ``t >= 0`` as an int64 array."""
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError("t must contain whole numbers of steps")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"t must be an integer array, got dtype {arr.dtype}")
    if np.any(arr < 0):
        raise ValueError("t must be >= 0 (steps of gradient descent)")
    return arr.astype(np.int64)
