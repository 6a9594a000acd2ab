"""Early-curve features: Hjorth parameters and the shape of the first ``W`` steps.

The inputs of the shipped early-curve models (:mod:`theory.spectral.model`).
Every feature is scale-free (computed on ``log(loss / loss[0])`` or on the loss
divided by its initial value), so the same definitions apply to an MSE and a
cross-entropy curve; their *values* still differ between families, which is
why every model states the family it was fitted on and checks its range.

With ``x`` the window (``W`` training losses, one per step), ``u = log(x /
x[0])`` and ``u~`` its least-squares detrended copy:

==========================  =========================================================
``log_activity``            ``log10`` Hjorth activity of ``x / x[0]``, mean removed
                            (the paper's score, made scale-free)
``log_activity_detrended``  ``log10 var(u~)``: oscillation energy around the trend
``mobility``                Hjorth mobility ``sqrt(m2 / m0)`` of ``u~`` (``|omega|``)
``complexity``              standard Hjorth complexity ``sqrt(m4 m0) / m2`` of ``u~``
``log_band_low``            ``log10`` energy of ``u~`` below 5 % of Nyquist
``log_band_high``           ``log10`` energy of ``u~`` above 5 % of Nyquist
``log_ratio_q25``           ``u`` at step ``W/4 - 1``
``log_ratio_q50``           ``u`` at step ``W/2 - 1``
``log_ratio_end``           ``u`` at step ``W - 1``
``slope_end``               least-squares slope of ``u`` over the last quarter of
                            the window, times ``W`` (log-loss per window)
``frac_up``                 fraction of steps at which the loss increases
==========================  =========================================================

``log10`` of an energy is floored at :data:`LOG_FLOOR` (a constant window has
energy 0).  A detrended residual at rounding level (every ``|u~|`` at most
:data:`RESIDUAL_ULPS` ulps of ``max(1, max|u|)``: an exactly exponential window)
carries no signal and is treated as exactly zero, like a constant window:
mobility and complexity 0, the three energies :data:`LOG_FLOOR`.  Computed from
rounding noise they would depend on the curve's scale.
"""

from __future__ import annotations

import numbers

import numpy as np

from theory.spectral.hjorth import band_energies, hjorth_frequency
from theory.spectral.preprocess import _as_float, preprocess_window

__all__ = [
    "EARLY_FEATURES",
    "FEATURE_DEFINITIONS",
    "LOG_FLOOR",
    "MIN_WINDOW",
    "RESIDUAL_ULPS",
    "early_features",
    "early_feature_matrix",
    "resample_unit_steps",
]

#: ``log10`` of an energy below ``10**LOG_FLOOR`` is reported as ``LOG_FLOOR``.
LOG_FLOOR = -20.0
#: Shortest window the features are defined on.
MIN_WINDOW = 16
#: Boundary between the low and high bands, fraction of Nyquist.
BAND_SPLIT = 0.05
#: A detrended residual within this many ulps of ``max(1, max|u|)`` is rounding noise.
#: An exactly exponential float64 window gives at most ~4 ulps; the shipped corpora's
#: curves lie above 1e14 ulps.
RESIDUAL_ULPS = 256

#: Definition of every early-curve feature (``u~`` is the window's ``log(loss/loss[0])``).
FEATURE_DEFINITIONS = {
    "log_activity": "log10 Hjorth activity (variance) of loss/loss[0] over the window, mean "
                    "removed (the paper's score, scale-free)",
    "log_activity_detrended": "log10 variance of u~ = log(loss/loss[0]) minus its "
                              "least-squares line",
    "mobility": "Hjorth mobility sqrt(m2/m0) of u~ (|omega| weight)",
    "complexity": "standard Hjorth complexity sqrt(m4 m0)/m2 of u~ (|omega| weight)",
    "log_band_low": f"log10 energy of u~ in (0, {BAND_SPLIT}) x Nyquist",
    "log_band_high": f"log10 energy of u~ in [{BAND_SPLIT}, 1] x Nyquist",
    "log_ratio_q25": "log(loss/loss[0]) at step W/4 - 1",
    "log_ratio_q50": "log(loss/loss[0]) at step W/2 - 1",
    "log_ratio_end": "log(loss/loss[0]) at step W - 1",
    "slope_end": "least-squares slope of log(loss) over the last quarter of the window, "
                 "times W",
    "frac_up": "fraction of the W - 1 steps at which the loss increases",
}
#: Names of the early-curve features, in a fixed order.
EARLY_FEATURES = tuple(FEATURE_DEFINITIONS)


def _log10(value: float) -> float:
    return float(np.log10(value)) if value > 10.0 ** LOG_FLOOR else LOG_FLOOR


def _check_window_arg(window) -> int:
    if isinstance(window, bool) or not isinstance(window, (numbers.Integral, np.integer)):
        raise TypeError(f"window must be an integer, got {window!r}")
    if window < MIN_WINDOW:
        raise ValueError(f"window must be an integer >= {MIN_WINDOW}, got {window}")
    return int(window)


def _rounding_level(u: np.ndarray) -> float:
    """The size below which a residual of ``u`` is rounding noise (:data:`RESIDUAL_ULPS`)."""
    return RESIDUAL_ULPS * float(np.finfo(np.float64).eps) * max(1.0, float(np.max(np.abs(u))))


def _slope(y: np.ndarray) -> float:
    t = np.arange(y.size) - (y.size - 1) / 2.0
    return float((y - y.mean()) @ t / (t @ t))


def early_features(curve, window: int) -> dict:
    """Every early-curve feature of the first ``window`` values of ``curve``.

    Parameters
    ----------
    curve : array_like, shape (T,)
        Training loss at unit steps (one value per step), ``T >= window``,
        finite and ``> 0`` over the window.
    window : int
        ``W >= MIN_WINDOW`` leading steps.

    Returns
    -------
    dict
        ``{name: float}`` for every name of :data:`EARLY_FEATURES`.

    Raises
    ------
    ValueError
        If the curve is shorter than the window, or the window holds a
        non-finite or non-positive loss.

    Notes
    -----
    A detrended residual ``u~`` below :data:`RESIDUAL_ULPS` ulps of
    ``max(1, max|u|)`` is set to zero (module docstring), so the features are
    scale-free also for an exactly exponential window.
    Cost: two FFTs of length ``W`` and a few passes over the window.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.early import early_features
    >>> t = np.arange(400)
    >>> f = early_features(np.exp(-t / 100), 400)  # pure exponential decay
    >>> round(f["log_ratio_end"], 6), round(f["slope_end"], 6), f["frac_up"]
    (-3.99, -4.0, 0.0)
    """
    window = _check_window_arg(window)
    arr = _as_float(curve)
    if arr.ndim != 1:
        raise ValueError(f"curve must be 1-dimensional, got shape {arr.shape}")
    if arr.size < window:
        raise ValueError(f"curve must have at least window={window} values, got {arr.size}")
    x = arr[:window]
    if not np.all(np.isfinite(x)):
        raise ValueError("curve must be finite over the window")
    if np.any(x <= 0):
        raise ValueError("curve (a loss) must be > 0 over the window")
    u = np.log(x / x[0])
    ud = preprocess_window(u, preprocess="detrend")
    if np.max(np.abs(ud)) <= _rounding_level(u):
        ud = np.zeros_like(ud)          # a straight line in log: no signal around the trend
    paper = hjorth_frequency(preprocess_window(x, preprocess="mean", normalize="initial"),
                             kernel="omega")
    h = hjorth_frequency(ud, kernel="omega")
    low, high = band_energies(ud, [0.0, BAND_SPLIT, 1.0])
    q = max(window // 4, 2)
    return {
        "log_activity": _log10(paper.activity),
        "log_activity_detrended": _log10(h.activity),
        "mobility": h.mobility,
        "complexity": h.complexity,
        "log_band_low": _log10(low),
        "log_band_high": _log10(high),
        "log_ratio_q25": float(u[window // 4 - 1]),
        "log_ratio_q50": float(u[window // 2 - 1]),
        "log_ratio_end": float(u[-1]),
        "slope_end": _slope(u[-q:]) * window,
        "frac_up": float(np.mean(np.diff(x) > 0)),
    }


def early_feature_matrix(curves, window: int, names=EARLY_FEATURES) -> np.ndarray:
    """Features ``names`` of several curves, shape ``(n_curves, len(names))``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.early import early_feature_matrix
    >>> t = np.arange(32)
    >>> early_feature_matrix([np.exp(-t / 8), 2 * np.exp(-t / 8)], 32, ["log_ratio_end"])
    array([[-3.875],
           [-3.875]])
    """
    names = list(names)
    bad = [n for n in names if n not in FEATURE_DEFINITIONS]
    if bad:
        raise ValueError(f"names must be among {list(EARLY_FEATURES)}, got {bad}")
    if isinstance(curves, np.ndarray) and curves.ndim == 2:
        curves = list(curves)
    rows = [early_features(c, window) for c in curves]
    return np.array([[r[n] for n in names] for r in rows], dtype=np.float64).reshape(
        len(rows), len(names))


def resample_unit_steps(steps, values) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """Linear interpolation of a curve logged at strided or uneven steps onto unit steps.

    Parameters
    ----------
    steps : array_like of int, shape (n,)
        Strictly increasing integer step numbers, ``n >= 2``.
    values : array_like, shape (n,)
        The logged values.

    Returns
    -------
    unit_steps : ndarray of int, shape (steps[-1] - steps[0] + 1,)
    unit_values : ndarray
        ``numpy.interp(unit_steps, steps, values)``; the input itself when the
        steps are already consecutive.
    note : dict or None
        None when nothing was resampled, else ``{"method", "n_logged",
        "stride", "uneven"}`` (``stride``: the median step difference).

    Notes
    -----
    Interpolation keeps the trend and removes the oscillations faster than
    the logging stride (a linear interpolant has no energy above the stride's
    Nyquist frequency beyond its kinks), so the Hjorth features of a strided
    curve are those of a smoothed curve; the models warn when the stride is
    coarse (:mod:`theory.spectral.model`).

    Examples
    --------
    >>> from theory.spectral.early import resample_unit_steps
    >>> s, v, note = resample_unit_steps([0, 2, 4], [1.0, 0.8, 0.4])
    >>> s.tolist(), v.tolist(), note["stride"]
    ([0, 1, 2, 3, 4], [1.0, 0.9, 0.8, 0.6000000000000001, 0.4], 2)
    """
    st = _as_float(steps, "steps")
    val = _as_float(values, "values")
    if st.ndim != 1 or val.ndim != 1 or st.size != val.size:
        raise ValueError(f"steps and values must be 1-D of equal length, got shapes {st.shape} "
                         f"and {val.shape}")
    if st.size < 2:
        raise ValueError(f"steps must hold at least 2 entries, got {st.size}")
    if not np.all(np.isfinite(st)) or np.any(st != np.round(st)):
        raise ValueError("steps must be finite integers")
    diffs = np.diff(st)
    if np.any(diffs <= 0):
        k = int(np.flatnonzero(diffs <= 0)[0])
        raise ValueError(f"steps must be strictly increasing: step {int(st[k])} is followed by "
                         f"{int(st[k + 1])}")
    unit = np.arange(int(st[0]), int(st[-1]) + 1, dtype=np.int64)
    if np.all(diffs == 1):
        return unit, val.copy(), None
    note = {"method": "linear interpolation onto unit steps (numpy.interp)",
            "n_logged": int(st.size), "stride": int(np.median(diffs)),
            "uneven": bool(np.any(diffs != diffs[0]))}
    return unit, np.interp(unit.astype(np.float64), st, val), note
