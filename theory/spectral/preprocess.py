"""Preprocessing of an early window of a training-loss curve.

The score of Notsawo et al. (2023) is a spectral energy of the *fluctuations*
of the early training loss; the slow decrease of the loss (its mean and trend)
would otherwise dominate every spectral quantity.  The paper does not say how
the constant and the trend are removed (its prose calls a filter that removes
them "low-pass"), so every step here is an explicit parameter.

Order of the steps (all applied to the first ``window`` values only):

1. optional ``log``: ``x = log(loss)`` (requires ``loss > 0``);
2. normalisation ``normalize``: ``"none"``, ``"initial"`` (divide by ``|x[0]|``)
   or ``"std"`` (divide by the population standard deviation of ``x``);
3. ``preprocess``: ``"none"``, ``"mean"``, ``"detrend"`` (alias ``"linear"``)
   or ``"highpass"``.

Steps 2 and 3 commute for ``"initial"`` (a fixed scale factor); for ``"std"``
the scale is the standard deviation of the window *before* step 3, so that,
e.g., ``activity`` after ``"detrend"`` is the fraction of the window's variance
not explained by a straight line.
"""

from __future__ import annotations

import numbers

import numpy as np

from theory._checks import RangeOverflowError, check_finite_array

__all__ = [
    "PREPROCESS_MODES",
    "NORMALIZE_MODES",
    "highpass_cutoff_bin",
    "extract_window",
    "preprocess_window",
]

#: Accepted values of ``preprocess`` (``"linear"`` is an alias of ``"detrend"``).
PREPROCESS_MODES = ("none", "mean", "detrend", "linear", "highpass")
#: Accepted values of ``normalize``.
NORMALIZE_MODES = ("none", "initial", "std")


def _check_choice(name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def _check_window(window, n: int | None = None) -> int:
    if isinstance(window, bool) or not isinstance(window, (numbers.Integral, np.integer)):
        raise TypeError(f"window must be an integer, got {window!r}")
    window = int(window)
    if window < 2:
        raise ValueError(f"window must be an integer >= 2, got {window}")
    if n is not None and window > n:
        raise ValueError(
            f"window must be <= len(curve) = {n} (valid range 2 <= window <= {n}), got {window}"
        )
    return window


def _check_cutoff(cutoff) -> float:
    if isinstance(cutoff, bool) or not isinstance(cutoff, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"cutoff must be a real number in (0, 1], got {cutoff!r}")
    cutoff = float(cutoff)
    if not (0.0 < cutoff <= 1.0):
        raise ValueError(f"cutoff must lie in (0, 1] (a fraction of Nyquist), got {cutoff}")
    return cutoff


def highpass_cutoff_bin(n: int, cutoff: float) -> int:
    """Index of the first DFT bin kept by the ``"highpass"`` preprocessing.

    Parameters
    ----------
    n : int
        Window length ``N >= 2``.
    cutoff : float
        Cutoff as a fraction of the Nyquist frequency, ``0 < cutoff <= 1``.

    Returns
    -------
    int
        ``k_cut``: bins ``0 <= k < k_cut`` of the one-sided spectrum are zeroed.

    Notes
    -----
    Bin ``k`` of an ``N``-point DFT has frequency ``k / N`` cycles per step, i.e.
    the fraction ``f_k = 2 k / N`` of the Nyquist frequency ``1/2``.  A bin is
    kept iff ``f_k >= cutoff``, with ``f_k`` computed as one correctly rounded
    division ``(2 k) / N`` (so a cutoff written as a decimal that falls on a bin,
    e.g. 0.1 with N = 40, keeps that bin).  Hence ``k_cut = ceil(cutoff N / 2)``
    in exact arithmetic, and at least 1 (the mean, ``k = 0``, is always
    removed).  ``k_cut = N // 2 + 1`` means every bin is removed and the filtered
    window is zero.

    Examples
    --------
    >>> from theory.spectral.preprocess import highpass_cutoff_bin
    >>> highpass_cutoff_bin(40, 0.1), highpass_cutoff_bin(40, 0.11), highpass_cutoff_bin(40, 0.01)
    (2, 3, 1)
    """
    n = _check_window(n)
    cutoff = _check_cutoff(cutoff)
    frac = 2 * np.arange(n // 2 + 1) / n
    return max(1, int(np.count_nonzero(frac < cutoff)))


def extract_window(curve, window: int) -> np.ndarray:
    """The first ``window`` values of a 1-D curve, as float64, after checks.

    Parameters
    ----------
    curve : array_like, shape (T,)
        Training loss logged once per step (step 0 first).
    window : int
        Number of leading steps to keep, ``2 <= window <= T``.

    Returns
    -------
    ndarray, shape (window,)

    Raises
    ------
    ValueError
        If ``curve`` is not 1-D, has non-finite values in the window, or
        ``window`` is outside ``[2, len(curve)]``.

    Examples
    --------
    >>> from theory.spectral.preprocess import extract_window
    >>> extract_window([3, 2, 1, 0.5], 3)
    array([3., 2., 1.])
    """
    arr = _as_float(curve)
    if arr.ndim != 1:
        raise ValueError(f"curve must be 1-dimensional, got shape {arr.shape}")
    window = _check_window(window, arr.size)
    return check_finite_array("curve", arr[:window], ndim=1).copy()


def _as_float(curve, name: str = "curve") -> np.ndarray:
    """``curve`` as float64 (non-finite values allowed: callers check what they read)."""
    if isinstance(curve, (str, bytes)) or curve is None:
        raise TypeError(f"{name} must be an array of real numbers, got {type(curve).__name__}")
    try:
        return np.asarray(curve, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers, got {curve!r:.80}") from exc


def _detrend(x: np.ndarray) -> np.ndarray:
    # residual of the least-squares line (scipy.signal.detrend, imported on first use)
    from scipy.signal import detrend

    return detrend(x, type="linear")


def _highpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    n = x.size
    spec = np.fft.rfft(x)
    spec[: highpass_cutoff_bin(n, cutoff)] = 0.0
    return np.fft.irfft(spec, n=n)


def preprocess_window(
    window,
    *,
    preprocess: str = "mean",
    cutoff: float | None = None,
    log: bool = False,
    normalize: str = "none",
) -> np.ndarray:
    """Preprocess one early window of a loss curve (log, normalise, filter).

    Parameters
    ----------
    window : array_like, shape (N,)
        The first ``N >= 2`` values of the training loss (finite).
    preprocess : {"mean", "none", "detrend", "linear", "highpass"}
        ``"none"``: unchanged.  ``"mean"``: subtract the mean.
        ``"detrend"`` (``"linear"``): subtract the least-squares straight line
        ``a + b t`` (as ``scipy.signal.detrend(type="linear")``).
        ``"highpass"``: zero the rfft bins ``0 <= k < k_cut`` with
        ``k_cut = highpass_cutoff_bin(N, cutoff)`` and invert (see Notes).
    cutoff : float, optional
        Required for ``"highpass"`` (and only allowed there): fraction of the
        Nyquist frequency in ``(0, 1]``.
    log : bool
        Take ``log(window)`` first; every value must then be ``> 0``.
    normalize : {"none", "initial", "std"}
        ``"initial"``: divide by ``|x[0]|`` (scale-free score; ``x[0] != 0``
        required).  ``"std"``: divide by the population std of ``x`` (a
        constant window is left unscaled).  Applied after ``log``, before
        ``preprocess``.

    Returns
    -------
    ndarray, shape (N,)
        The preprocessed window ``x~``.  A window whose values are all equal
        gives exact zeros for every mode except ``"none"``.

    Raises
    ------
    ValueError
        For an unknown mode, a missing or misplaced ``cutoff``, ``N < 2``,
        non-finite values, non-positive values with ``log=True``, or
        ``x[0] == 0`` with ``normalize="initial"``.

    Notes
    -----
    Every step is scale-covariant, so the window is rescaled by a power of two
    (exact) to unit amplitude before the mean, the standard deviation, the
    trend or the filter are computed: a window of amplitude ``1e300`` neither
    overflows (``sum`` of its values, ``var``) nor loses digits.

    ``"highpass"`` is an ideal (brick-wall) filter on the periodic extension of
    the window: with ``X_k = sum_n x_n exp(-2 pi i k n / N)`` the output is the
    inverse DFT of ``X_k 1[2 |k| / N >= cutoff]`` (``k`` folded to
    ``|k| <= N/2``), which always removes ``k = 0`` (the mean).  It does not
    remove a linear trend, whose DFT leaks into every bin; combine with care.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.preprocess import preprocess_window
    >>> preprocess_window([1.0, 2.0, 3.0], preprocess="mean")
    array([-1.,  0.,  1.])
    >>> bool(np.allclose(preprocess_window([1.0, 2.0, 3.0], preprocess="detrend"), 0))
    True
    >>> preprocess_window([2.0, 1.0, 2.0, 1.0], preprocess="highpass", cutoff=1.0)
    array([ 0.5, -0.5,  0.5, -0.5])
    """
    preprocess = _check_choice("preprocess", preprocess, PREPROCESS_MODES)
    normalize = _check_choice("normalize", normalize, NORMALIZE_MODES)
    if preprocess == "highpass":
        if cutoff is None:
            raise ValueError("cutoff must be given (in (0, 1], fraction of Nyquist) "
                             "for preprocess='highpass'")
        cutoff = _check_cutoff(cutoff)
    elif cutoff is not None:
        raise ValueError("cutoff is only used by preprocess='highpass', "
                         f"got preprocess={preprocess!r}")
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log must be a bool, got {log!r}")
    x = check_finite_array("window", window, ndim=1).copy()
    _check_window(x.size)
    if log:
        if np.any(x <= 0):
            raise ValueError("window must be > 0 everywhere when log=True")
        x = np.log(x)
    if normalize == "initial":
        if x[0] == 0:
            raise ValueError("window[0] (after log, if any) must be != 0 for normalize='initial'")
        with np.errstate(over="ignore"):
            x = x / abs(x[0])
        if not np.all(np.isfinite(x)):
            raise RangeOverflowError("window / |window[0]| exceeds the float64 range: window[0] "
                                "is too small against the rest for normalize='initial'")
    elif normalize == "std":
        scaled, e = _unit_amplitude(x)
        std = float(np.std(scaled))
        if std > 0:
            x = scaled / std          # x / std(x): the power of two cancels
    if preprocess == "none":
        return x
    if np.all(x == x[0]):
        return np.zeros_like(x)
    scaled, e = _unit_amplitude(x)
    if preprocess == "mean":
        out = scaled - scaled.mean()
    elif preprocess in ("detrend", "linear"):
        out = _detrend(scaled)
    else:
        out = _highpass(scaled, cutoff)
    with np.errstate(over="ignore"):
        out = np.ldexp(out, e)
    if not np.all(np.isfinite(out)):
        raise RangeOverflowError(f"the {preprocess!r}-filtered window exceeds the float64 range "
                            "(|window| near 1.8e308): rescale it (normalize='std')")
    return out


def _unit_amplitude(x: np.ndarray) -> tuple[np.ndarray, int]:
    """``(x 2^-e, e)`` with ``max|x 2^-e|`` in ``[0.5, 1)`` (exact power-of-two scaling)."""
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        return x, 0
    e = int(np.frexp(peak)[1])
    return np.ldexp(x, -e), e
