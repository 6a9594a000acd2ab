"""Hjorth parameters and band energies of a (preprocessed) loss window.

Two families of definitions are provided, and both in two domains:

* **Standard Hjorth (1970)** with derivatives replaced by first differences,
  in the time domain (:func:`hjorth_time`):

  - activity ``A = var(x)``,
  - mobility ``M(x) = sqrt(var(x') / var(x))``,
  - complexity ``C = M(x') / M(x) = sqrt(var(x'') var(x)) / var(x')``,

  with ``x'`` the first difference, either ``"linear"`` (``np.diff``, length
  ``N - 1``, the textbook choice) or ``"circular"`` (``x_n - x_{n-1 mod N}``,
  length ``N``).  All variances are population variances (``ddof=0``).

* **Spectral moments** (:func:`spectral_moments`), the form used by Notsawo
  et al. (2023, section on the spectral signature; see
  ``shared/spec/spectral.md``): with ``X_k`` the DFT of the window and
  ``omega_k = 2 pi k / N`` folded to ``|omega_k| <= pi``,

  ``m_j = sum_{k != 0} w_k^j |X_k|^2 / N^2``,

  ``A = m0``, ``M = sqrt(m2 / m0)``, standard ``C = sqrt(m4 m0) / m2`` and the
  paper's printed complexity ``C_paper = sqrt(m4 / m2)`` (the mobility of the
  derivative, *not* divided by ``M``; ``C_paper = C * M``).  The weight is
  ``w_k = |omega_k|`` (``kernel="omega"``, the paper's continuous-derivative
  moments) or ``w_k = |1 - exp(-i omega_k)| = 2 |sin(omega_k / 2)|``
  (``kernel="difference"``, the exact symbol of the circular first
  difference).

Identities (tested to round-off): ``m0 == var(x)`` (Parseval), and with
``kernel="difference"`` ``m2 == var(x')``, ``m4 == var(x'')`` for circular
differences, so :func:`hjorth_frequency` with ``kernel="difference"`` equals
:func:`hjorth_time` with ``difference="circular"``.  With ``kernel="omega"``
the two agree only for smooth signals: ``4 sin^2(w/2) = w^2 (1 - w^2/12 + ...)``,
so ``m2`` differs by a relative ``<= omega_max^2 / 12``.

Degenerate windows never give NaN: a window whose values are all equal has
``activity = mobility = complexity = 0``; any ratio whose denominator is zero
(e.g. the mobility of the constant first difference of a ramp) is defined as 0.

Every quantity is computed on the window rescaled by a power of two (exact) to
unit amplitude: mobility and complexity are scale-invariant and the energies
scale as the amplitude squared, so windows of amplitude ``1e-200`` or
``1e200`` give the same mobility and complexity as at amplitude 1.  An energy
beyond the float64 range (amplitude above ~1e154) raises OverflowError; one
below it underflows to the nearest float (0).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from theory._checks import RangeOverflowError, check_finite_array
from theory._result import ResultMixin
from theory.spectral.preprocess import _unit_amplitude

__all__ = [
    "KERNELS",
    "HjorthParameters",
    "power_spectrum",
    "spectral_moments",
    "hjorth_time",
    "hjorth_frequency",
    "hjorth_paper",
    "band_energies",
    "low_frequency_energy",
]

#: Spectral weights of :func:`spectral_moments`.
KERNELS = ("omega", "difference")
_DIFFERENCES = ("linear", "circular")
_COMPLEXITIES = ("standard", "paper")


@dataclass(frozen=True)
class HjorthParameters(ResultMixin):
    """Hjorth activity, mobility and complexity of one window.

    Attributes
    ----------
    activity : float
        Variance of the window (``m0``), ``>= 0``.
    mobility : float
        ``sqrt(var(x') / var(x))`` or ``sqrt(m2 / m0)``, radians per step; 0 for
        a constant window.
    complexity : float
        Standard ``M(x') / M(x)`` (1 for a pure sinusoid) or, when
        ``definition`` ends in ``"paper"``, the paper's ``sqrt(m4 / m2)``.
    definition : str
        How they were computed, e.g. ``"time/linear"``,
        ``"frequency/omega/standard"``, ``"frequency/omega/paper"``.
    """

    activity: float
    mobility: float
    complexity: float
    definition: str


def _window(x) -> np.ndarray:
    arr = check_finite_array("x", x, ndim=1)
    if arr.size < 2:
        raise ValueError(f"x must have length >= 2 (valid range: N >= 2), got length {arr.size}")
    return arr


def _unscale(value, e: int, what: str):
    """An energy of the rescaled window times ``2^(2e)``, refusing an overflow."""
    with np.errstate(over="ignore", under="ignore"):
        out = np.ldexp(value, 2 * e)
    if not np.all(np.isfinite(out)):
        raise RangeOverflowError(f"{what} exceeds the float64 range (window amplitude ~2^{e}): "
                            "rescale the window first (e.g. normalize='std')")
    return out


def _choice(name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def _sqrt_ratio(num: float, den: float) -> float:
    # sqrt(num / den), defined as 0 when den == 0 (degenerate window, no NaN).
    return float(np.sqrt(num / den)) if den > 0 else 0.0


def _var(y: np.ndarray) -> float:
    # Population variance; 0 for an empty or constant array.
    if y.size == 0 or np.all(y == y[0]):
        return 0.0
    return float(np.var(y))


def _difference(y: np.ndarray, kind: str) -> np.ndarray:
    return y - np.roll(y, 1) if kind == "circular" else np.diff(y)


def _one_sided_power(x: np.ndarray) -> np.ndarray:
    n = x.size
    spec = np.fft.rfft(x)
    power = (spec.real**2 + spec.imag**2) / float(n) ** 2
    power[1 : (n + 1) // 2] *= 2.0  # bins k and N - k; Nyquist (N even) once
    return power


def _frequencies(n: int) -> np.ndarray:
    # pi * (2k / N): the Nyquist bin is exactly pi (2 pi k / N can round above it)
    return np.pi * (2 * np.arange(n // 2 + 1) / n)


def power_spectrum(x) -> tuple[np.ndarray, np.ndarray]:
    """One-sided power spectrum normalised so that it sums to ``mean(x**2)``.

    Parameters
    ----------
    x : array_like, shape (N,)
        A window, ``N >= 2``.

    Returns
    -------
    omega : ndarray, shape (N // 2 + 1,)
        Angular frequencies ``2 pi k / N`` (radians per step), ``0..pi``.
    power : ndarray, shape (N // 2 + 1,)
        ``P_0 = |X_0|^2 / N^2 = mean(x)^2``, ``P_k = 2 |X_k|^2 / N^2`` for
        ``0 < k < N/2`` (bins ``k`` and ``N - k`` folded) and
        ``P_{N/2} = |X_{N/2}|^2 / N^2`` for even ``N``.

    Notes
    -----
    Parseval: ``sum_k |X_k|^2 = N sum_n x_n^2``, hence ``sum(power) = mean(x**2)``
    and ``sum(power[1:]) = var(x)`` (the activity).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.hjorth import power_spectrum
    >>> omega, power = power_spectrum(np.cos(2 * np.pi * np.arange(8) / 4))
    >>> np.round(power, 12)
    array([0. , 0. , 0.5, 0. , 0. ])
    """
    x, e = _unit_amplitude(_window(x))
    return _frequencies(x.size), _unscale(_one_sided_power(x), e, "the power spectrum")


def spectral_moments(x, orders=(0, 2, 4), *, kernel: str = "omega") -> np.ndarray:
    """Spectral moments ``m_j = sum_{k != 0} w_k^j |X_k|^2 / N^2``.

    Parameters
    ----------
    x : array_like, shape (N,)
        The (preprocessed) window, ``N >= 2``.
    orders : sequence of int
        Moment orders ``j >= 0``.
    kernel : {"omega", "difference"}
        ``w_k = |omega_k|`` (paper) or ``w_k = 2 |sin(omega_k / 2)|`` (symbol of
        the circular first difference).

    Returns
    -------
    ndarray
        ``m_j`` for each order.

    Notes
    -----
    ``omega_k = 2 pi k / N`` with ``k`` folded into ``-N/2 < k <= N/2``
    (``numpy.fft.fftfreq``), so ``|omega_k| <= pi``; the unfolded reading
    ``k = 0..N-1`` would weight bin ``N - 1`` (frequency ``-2 pi / N``) as if it
    were near ``2 pi`` and ``m2`` would no longer approximate ``var(x')``.
    ``m0 = var(x)`` whatever the kernel (Parseval).  The DC bin is excluded, so
    the moments do not depend on the mean of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.hjorth import spectral_moments
    >>> x = np.sin(2 * np.pi * np.arange(16) / 8)  # omega = pi / 4
    >>> m0, m2 = spectral_moments(x, (0, 2))
    >>> round(float(m0), 12), round(float(np.sqrt(m2 / m0) / (np.pi / 4)), 12)
    (0.5, 1.0)
    """
    x = _window(x)
    kernel = _choice("kernel", kernel, KERNELS)
    orders = np.atleast_1d(np.asarray(orders))
    if orders.dtype.kind not in "iu" or np.any(orders < 0):
        raise ValueError(f"orders must be integers >= 0, got {orders.tolist()}")
    return _unscale(_moments(x, orders, kernel), _unit_amplitude(x)[1], "a spectral moment")


def _moments(x: np.ndarray, orders, kernel: str) -> np.ndarray:
    """Spectral moments of the window rescaled to unit amplitude."""
    xs, _ = _unit_amplitude(x)
    omega = _frequencies(xs.size)
    weight = omega if kernel == "omega" else 2.0 * np.sin(omega / 2.0)
    power = _one_sided_power(xs)[1:]
    weight = weight[1:]
    with np.errstate(over="ignore", under="ignore"):
        return np.array([float(np.sum(power * weight ** int(j))) for j in orders])


def _is_constant(x: np.ndarray) -> bool:
    return bool(np.all(x == x[0]))


def hjorth_time(x, *, difference: str = "linear") -> HjorthParameters:
    """Standard Hjorth parameters from finite differences (time domain).

    Parameters
    ----------
    x : array_like, shape (N,)
        The (preprocessed) window, ``N >= 2``.
    difference : {"linear", "circular"}
        ``"linear"``: ``x'_n = x_{n+1} - x_n`` (``np.diff``, length ``N - 1``).
        ``"circular"``: ``x'_n = x_n - x_{n-1 mod N}`` (length ``N``), the exact
        time-domain counterpart of ``hjorth_frequency(kernel="difference")``.

    Returns
    -------
    HjorthParameters

    Notes
    -----
    Hjorth (1970): ``A = var(x)``, ``M = sqrt(var(x') / var(x))``,
    ``C = M(x') / M(x)``.  Each ratio with a zero denominator is 0 (so a ramp
    with linear differences has ``M > 0`` only if its differences vary).  With
    linear differences and ``N = 2`` the second difference is empty and its
    variance is taken as 0.

    Examples
    --------
    >>> from theory.spectral.hjorth import hjorth_time
    >>> h = hjorth_time([0.0, 1.0, 0.0, -1.0], difference="circular")
    >>> round(h.activity, 12), round(h.mobility ** 2, 12), round(h.complexity, 12)
    (0.5, 2.0, 1.0)
    """
    x = _window(x)
    difference = _choice("difference", difference, _DIFFERENCES)
    label = f"time/{difference}"
    if _is_constant(x):
        return HjorthParameters(0.0, 0.0, 0.0, label)
    xs, e = _unit_amplitude(x)      # scale-covariant: differences of x 2^-e cannot overflow
    d1 = _difference(xs, difference)
    d2 = _difference(d1, difference)
    v0, v1, v2 = _var(xs), _var(d1), _var(d2)
    mobility = _sqrt_ratio(v1, v0)
    mobility_d1 = _sqrt_ratio(v2, v1)
    complexity = mobility_d1 / mobility if mobility > 0 else 0.0
    return HjorthParameters(float(_unscale(v0, e, "the activity")), mobility, complexity, label)


def _from_moments(m0: float, m2: float, m4: float, complexity: str) -> tuple[float, float, float]:
    mobility = _sqrt_ratio(m2, m0)
    mobility_d1 = _sqrt_ratio(m4, m2)
    if complexity == "paper":
        return m0, mobility, mobility_d1
    return m0, mobility, (mobility_d1 / mobility if mobility > 0 else 0.0)


def hjorth_frequency(x, *, kernel: str = "difference",
                     complexity: str = "standard") -> HjorthParameters:
    """Hjorth parameters from the spectral moments ``m0, m2, m4``.

    Parameters
    ----------
    x : array_like, shape (N,)
        The (preprocessed) window, ``N >= 2``.
    kernel : {"difference", "omega"}
        Spectral weight, see :func:`spectral_moments`.
    complexity : {"standard", "paper"}
        ``"standard"``: ``sqrt(m4 m0) / m2`` (Hjorth); ``"paper"``:
        ``sqrt(m4 / m2)`` as printed by Notsawo et al. (2023).

    Returns
    -------
    HjorthParameters

    Notes
    -----
    ``A = m0``, ``M = sqrt(m2 / m0)``.  With ``kernel="difference"`` and
    ``complexity="standard"`` this equals ``hjorth_time(x, difference="circular")``
    exactly (Parseval applied to ``x``, ``x'`` and ``x''``, whose DFTs are
    ``X_k``, ``(1 - e^{-i omega_k}) X_k`` and ``(1 - e^{-i omega_k})^2 X_k``).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.hjorth import hjorth_frequency, hjorth_time
    >>> x = np.random.default_rng(0).normal(size=32)
    >>> f = hjorth_frequency(x, kernel="difference")
    >>> t = hjorth_time(x, difference="circular")
    >>> bool(np.allclose([f.activity, f.mobility, f.complexity],
    ...                  [t.activity, t.mobility, t.complexity], rtol=1e-12, atol=0))
    True
    """
    x = _window(x)
    kernel = _choice("kernel", kernel, KERNELS)
    complexity = _choice("complexity", complexity, _COMPLEXITIES)
    label = f"frequency/{kernel}/{complexity}"
    if _is_constant(x):
        return HjorthParameters(0.0, 0.0, 0.0, label)
    m0, m2, m4 = (float(m) for m in _moments(x, (0, 2, 4), kernel))   # unit amplitude
    _, mobility, comp = _from_moments(m0, m2, m4, complexity)
    activity = float(_unscale(m0, _unit_amplitude(x)[1], "the activity"))
    return HjorthParameters(activity, mobility, comp, label)


def hjorth_paper(x) -> HjorthParameters:
    """The paper's variant: ``omega`` moments, complexity ``sqrt(m4 / m2)``.

    Parameters
    ----------
    x : array_like, shape (N,)
        The (preprocessed) window, ``N >= 2``.

    Returns
    -------
    HjorthParameters
        ``activity = m0``, ``mobility = sqrt(m2 / m0)``,
        ``complexity = sqrt(m4 / m2)`` with ``w_k = |omega_k|``.

    Notes
    -----
    Shorthand for ``hjorth_frequency(x, kernel="omega", complexity="paper")``.
    For a pure sinusoid of angular frequency ``w`` (integer number of periods)
    mobility and paper complexity both equal ``w``, whereas the standard
    complexity is 1.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.hjorth import hjorth_paper
    >>> h = hjorth_paper(3.0 * np.cos(2 * np.pi * np.arange(20) / 10))
    >>> [round(v, 12) for v in (h.activity, h.mobility / (np.pi / 5), h.complexity / (np.pi / 5))]
    [4.5, 1.0, 1.0]
    """
    return hjorth_frequency(x, kernel="omega", complexity="paper")


def _check_edges(edges) -> np.ndarray:
    arr = check_finite_array("edges", edges, ndim=1)
    if arr.size < 2 or np.any(np.diff(arr) <= 0) or arr[0] < 0 or arr[-1] > 1:
        raise ValueError(
            "edges must be a strictly increasing sequence of >= 2 fractions of Nyquist "
            f"in [0, 1], got {arr.tolist()}"
        )
    return arr


def band_energies(x, edges) -> np.ndarray:
    """Energy of the window in frequency bands (fractions of Nyquist).

    Parameters
    ----------
    x : array_like, shape (N,)
        The (preprocessed) window, ``N >= 2``.
    edges : sequence of float
        Strictly increasing band edges in ``[0, 1]`` as fractions of the
        Nyquist frequency.

    Returns
    -------
    ndarray, shape (len(edges) - 1,)
        ``E_b = sum_{k >= 1: e_b <= 2k/N < e_{b+1}} P_k`` with ``P_k`` from
        :func:`power_spectrum`; the last band also includes ``2k/N = e_last``.

    Notes
    -----
    The DC bin is never counted, so with ``edges = [0, ..., 1]`` the bands
    partition the activity: ``sum(E) == var(x)`` (Parseval).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.hjorth import band_energies
    >>> n = np.arange(16)
    >>> x = np.cos(2 * np.pi * n / 16) + 2 * np.cos(2 * np.pi * 6 * n / 16)
    >>> np.round(band_energies(x, [0.0, 0.5, 1.0]), 12)
    array([0.5, 2. ])
    """
    x, e = _unit_amplitude(_window(x))
    edges = _check_edges(edges)
    n = x.size
    frac = 2 * np.arange(n // 2 + 1) / n
    power = _one_sided_power(x)
    band = np.searchsorted(edges, frac, side="right") - 1
    band[frac == edges[-1]] = edges.size - 2
    keep = (np.arange(frac.size) >= 1) & (band >= 0) & (band <= edges.size - 2)
    energies = np.bincount(band[keep], weights=power[keep], minlength=edges.size - 1)
    return _unscale(energies, e, "a band energy")


def low_frequency_energy(x, k_max: int) -> float:
    """Energy in the lowest ``k_max`` DFT bins, ``sum_{1 <= |k| <= K} |X_k|^2 / N^2``.

    Parameters
    ----------
    x : array_like, shape (N,)
        The (preprocessed) window, ``N >= 2``.
    k_max : int
        ``K >= 1``; bins beyond ``N // 2`` do not exist, so ``K >= N // 2``
        gives the whole activity.

    Returns
    -------
    float

    Notes
    -----
    The abstract's "amplitude of low-frequency components" (spec: ``E_low(K)``).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral.hjorth import low_frequency_energy
    >>> n = np.arange(16)
    >>> x = np.cos(2 * np.pi * n / 16) + 2 * np.cos(2 * np.pi * 6 * n / 16)
    >>> round(low_frequency_energy(x, 1), 12), round(low_frequency_energy(x, 8), 12)
    (0.5, 2.5)
    """
    x, e = _unit_amplitude(_window(x))
    if isinstance(k_max, bool) or not isinstance(k_max, (numbers.Integral, np.integer)):
        raise TypeError(f"k_max must be an integer >= 1, got {k_max!r}")
    if k_max < 1:
        raise ValueError(f"k_max must be an integer >= 1, got {k_max!r}")
    energy = float(np.sum(_one_sided_power(x)[1 : int(k_max) + 1]))
    return float(_unscale(energy, e, "the low-frequency energy"))
