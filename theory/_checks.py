"""Argument checks shared by every theory module.

Each check raises ``TypeError`` for a wrong type and ``ValueError`` naming the
parameter and its valid range for a bad value, so that bad input never becomes
a NaN or a silently wrong answer further down.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

__all__ = ["AssumptionWarning", "MAX_STEP", "RangeOverflowError", "check_choice",
           "check_finite_array", "check_greater", "check_nonnegative", "check_open_unit",
           "check_positive", "check_positive_int", "check_real", "check_times", "check_values",
           "warn_assumption"]

#: Largest step index accepted by :func:`check_times` (the int64 range).
MAX_STEP = 2 ** 63 - 1


class AssumptionWarning(UserWarning):
    """A theorem was applied outside one of its assumptions.

    The number is still returned; the warning (and the ``conditions`` field of
    the result) says which assumption fails.
    """


class RangeOverflowError(OverflowError, ValueError):
    """A valid input whose result lies beyond the float64 range, refused instead of inf.

    An :class:`OverflowError` (what it is) and a :class:`ValueError` (so that
    callers reporting bad input, like the CLI, report it in one line too).
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


def check_real(name: str, value) -> float:
    """Return ``value`` as a finite float (any sign).

    Examples
    --------
    >>> from theory._checks import check_real
    >>> check_real("eps", -0.3)
    -0.3
    """
    return _real(name, value)


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
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:      # strings, ragged lists, complex
        raise TypeError(f"{name} must be an array of real numbers, got {value!r:.80}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values")
    return arr


def check_times(value, name: str = "t") -> np.ndarray:
    """Return integer step indices ``0 <= t <= MAX_STEP`` as an int64 array.

    Floats are accepted when they are whole numbers.  Values beyond the int64
    range are refused (a cast would wrap them to negative steps).

    Examples
    --------
    >>> from theory._checks import check_times
    >>> check_times([0, 3.0]).tolist()
    [0, 3]
    >>> check_times(10 ** 19)
    Traceback (most recent call last):
    ...
    ValueError: t must be whole numbers of steps in [0, 2**63 - 1], got 10000000000000000000
    """
    arr = np.asarray(value)
    bad_range = f"{name} must be whole numbers of steps in [0, 2**63 - 1]"
    if arr.dtype == object:                    # Python ints beyond 64 bits
        flat = arr.ravel().tolist()
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                   for v in flat):
            raise TypeError(f"{name} must be an integer array, got {value!r}")
        for v in flat:
            if not 0 <= v <= MAX_STEP:
                raise ValueError(f"{bad_range}, got {v}")
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must contain whole numbers of steps")
        # 2**63 is the first float64 above MAX_STEP
        out = (arr < 0) | (arr >= 2.0 ** 63)
        if np.any(out):
            raise ValueError(f"{bad_range}, got {_first(arr, out, True)}")
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype}")
    if arr.dtype.kind == "u":
        out = arr > MAX_STEP
        if np.any(out):
            raise ValueError(f"{bad_range}, got {_first(arr, out, True)}")
    elif np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (steps of gradient descent), "
                         f"got {_first(arr, arr < 0, True)}")
    return arr.astype(np.int64)


def _first(arr: np.ndarray, mask: np.ndarray, steps: bool = False):
    """The first entry of ``arr`` where ``mask`` holds, as a plain Python number."""
    value = arr[mask].ravel()[0]
    value = value.item() if hasattr(value, "item") else value
    if steps and isinstance(value, float) and value.is_integer() and abs(value) < 2.0 ** 64:
        return int(value)
    return value


def _range_text(gt, ge, lt, le) -> str:
    low = (f"({gt:g}" if gt is not None else f"[{ge:g}" if ge is not None else None)
    high = (f"{lt:g})" if lt is not None else f"{le:g}]" if le is not None else None)
    if low is not None and high is not None:
        return f"in {low}, {high}"
    if low is not None:
        return f"> {gt:g}" if gt is not None else f">= {ge:g}"
    if high is not None:
        return f"< {lt:g}" if lt is not None else f"<= {le:g}"
    return "finite"


def check_values(name: str, value, *, gt=None, ge=None, lt=None, le=None,
                 integer: bool = False):
    """Check a real scalar or array elementwise against a range.

    Parameters
    ----------
    name : str
        Parameter name used in the messages.
    value : real scalar or array_like
    gt, ge, lt, le : float, optional
        Bounds: ``value > gt``, ``value >= ge``, ``value < lt``, ``value <= le``.
    integer : bool
        Require whole numbers.

    Returns
    -------
    float or ndarray
        A Python float for scalar input, else a float64 array.

    Raises
    ------
    TypeError
        For booleans, strings, complex numbers, None and object arrays.
    ValueError
        For a non-finite entry, a non-integer entry (``integer=True``) or an
        entry outside the range; the message names the parameter, the range
        and the first offending value.

    Examples
    --------
    >>> from theory._checks import check_values
    >>> check_values("nu2", 2)
    2.0
    >>> check_values("nu2", [1.0, -1.0], gt=0)
    Traceback (most recent call last):
    ...
    ValueError: nu2 must be > 0, got -1.0
    """
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or array, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a real number or array, got {value!r}") from exc
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number or array, got "
                        f"{type(value).__name__} of dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    rng = _range_text(gt, ge, lt, le)
    scalar = arr.ndim == 0

    def fail(mask, what):
        raise ValueError(f"{name} must be {what}, got {_first(arr, mask)}")

    if not np.all(np.isfinite(arr)):
        fail(~np.isfinite(arr), "finite" if rng == "finite" else f"finite and {rng}")
    if integer and np.any(arr != np.round(arr)):
        fail(arr != np.round(arr), "a whole number" + ("" if rng == "finite" else f" {rng}"))
    bad = np.zeros(arr.shape, dtype=bool)
    if gt is not None:
        bad |= ~(arr > gt)
    if ge is not None:
        bad |= ~(arr >= ge)
    if lt is not None:
        bad |= ~(arr < lt)
    if le is not None:
        bad |= ~(arr <= le)
    if np.any(bad):
        fail(bad, rng)
    return float(arr) if scalar else arr


def check_greater(name_hi: str, hi, name_lo: str, lo, why: str = ""):
    """Require ``hi > lo`` elementwise (e.g. ``m > n``), naming both parameters.

    Examples
    --------
    >>> from theory._checks import check_greater
    >>> check_greater("m", 50, "n", 100, "a null space")
    Traceback (most recent call last):
    ...
    ValueError: m must be > n (a null space), got n=100, m=50
    """
    bad = ~(np.asarray(hi) > np.asarray(lo))
    if np.any(bad):
        hi_b = np.broadcast_to(np.asarray(hi), bad.shape)
        lo_b = np.broadcast_to(np.asarray(lo), bad.shape)
        reason = f" ({why})" if why else ""
        raise ValueError(f"{name_hi} must be > {name_lo}{reason}, got {name_lo}="
                         f"{_first(lo_b, bad)}, {name_hi}={_first(hi_b, bad)}")


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of the strings ``choices``.

    Examples
    --------
    >>> from theory._checks import check_choice
    >>> check_choice("method", "root", ("closed_form", "root"))
    'root'
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value
