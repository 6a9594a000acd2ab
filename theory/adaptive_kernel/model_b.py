r"""Model B: modular-addition teacher, quadratic student, in the adaptive-kernel mean field.

Inputs are the ``P^2`` two-hot vectors ``x_{nm} = e_n (+) e_m`` in ``R^{2P}``,
the target ``y_p(n, m) = delta_{p, (n+m) mod P} - 1/P`` (``P`` outputs),
the student ``f_p(x) = sum_i a_{pi} (w_i.x)^2`` with ``w ~ N(0, I_{2P})`` and
``a ~ N(0, sigma_a2/N)``, trained on all ``P^2`` pairs (Rubin, Seroussi &
Ringel 2023, Sec. 5 and App. C; spec ``adaptive_kernel.md``).

Derivation used here (checked by brute force at small ``P`` in
``tests/test_kernel_theory.py``).  Write ``w = (w_n, v_m)`` and the unitary
DFT ``w^_k = P^{-1/2} sum_n w_n e^{-2 pi i k n/P}``.  Since the target rows and
columns sum to zero, only the cross term ``2 w_n v_m`` of ``(w.x)^2`` overlaps
it, and

.. math:: \sum_{n,m} y_p(n,m)(w\cdot x_{nm})^2 = 2\sum_{k\ne0}\hat w_k\hat v_k e^{2\pi ikp/P}.

With ``sigma2 t^p = a y^p`` and Parseval over ``p`` the data term of the
per-neuron action is ``-(2 sigma_a2 a^2 P/(N sigma2^2)) sum_{k != 0} |w^_k|^2 |v^_k|^2``.
In ``Phi = |w^_k|^2/P``, ``Psi = |v^_k|^2/P`` the action of one Fourier index
``k`` is

.. math:: S_k/P = (\Phi+\Psi)/2 - u a^2\,\Phi\Psi,\qquad u = \frac{2\sigma_a^2P^2}{N\sigma^4},

to which the paper adds a sextic regulariser ``(gamma/6)(Phi^3 + Psi^3)``
(a modelling choice, not the Langevin weight decay).  The coefficient fixes
erratum 5 of the spec (``2 g = 4 sigma_a2 a^2 P^2/(N sigma2^2)`` with
``g = u a^2``).  ``a`` is printed negative in the paper (erratum 6); only
``a^2`` enters, and this module reports ``|a|``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, log_expit

from theory._checks import (
    RangeOverflowError,
    check_choice,
    check_finite_array,
    check_nonnegative,
    check_positive,
    check_positive_int,
    check_values,
    warn_assumption,
)
from theory._result import ResultMixin

__all__ = [
    "BASE_MODEL_B",
    "NORMALISATIONS",
    "ModelBConfig",
    "ModelBCurve",
    "ModelBPoint",
    "ModelBThresholds",
    "diagonal_action",
    "fourier_target_overlap",
    "is_prime",
    "mode_action",
    "modular_target",
    "nngp_kernel_matrix",
    "nngp_spectrum",
    "phi_psi_mean",
    "saddles",
    "self_consistent_a",
    "self_consistent_curve",
    "specialised_fraction",
    "thresholds",
    "two_hot_inputs",
]

NORMALISATIONS = ("paper", "matrix")
"""``"paper"``: ``lambda = sigma_a2 <Phi Psi>`` (reproduces the paper's Fig. 3);
``"matrix"``: the literal kernel eigenvalue on the target, ``4 P^2`` larger."""


#: Largest array (bytes) the data and kernel constructors allocate.
_MAX_BYTES = 2 ** 30
_TINY = float(np.finfo(np.float64).tiny)


def is_prime(P) -> bool:
    """Whether the integer ``P`` is prime (trial division, ``O(sqrt P)``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import is_prime
    >>> [p for p in range(20) if is_prime(p)]
    [2, 3, 5, 7, 11, 13, 17, 19]
    """
    if isinstance(P, (bool, np.bool_)) or not isinstance(P, (numbers.Integral, np.integer)):
        raise TypeError(f"P must be an integer, got {P!r}")
    P = int(P)
    if P < 2:
        return False
    return all(P % k for k in range(2, math.isqrt(P) + 1))


def _check_p(P) -> int:
    P = check_positive_int("P", P)
    if P < 2:
        raise ValueError(f"P must be >= 2, got {P}")
    if not is_prime(P):
        warn_assumption(f"P = {P} is not prime: the Fourier analysis of modular addition "
                        "assumes a prime modulus (Z_P a field); results are not the "
                        "paper's", stacklevel=4)
    return P


def _check_alloc(P: int, elements: int, what: str) -> None:
    """Refuse an allocation above :data:`_MAX_BYTES` before making it."""
    size = 8 * elements
    if size > _MAX_BYTES:
        raise ValueError(f"P = {P} needs {size / 2 ** 30:.3g} GiB for {what} (limit "
                         f"{_MAX_BYTES / 2 ** 30:g} GiB): use a smaller P or the closed forms "
                         "(nngp_spectrum, fourier_target_overlap)")


def _check_gamma(gamma, allow_zero: bool = False) -> float:
    """``gamma > 0`` and a normal float64 (a subnormal gamma has lost its digits)."""
    if allow_zero and check_nonnegative("gamma", gamma) == 0:
        return 0.0
    gamma = check_positive("gamma", gamma)
    if gamma < _TINY:
        raise ValueError(f"gamma must be >= {_TINY:.6g} (the smallest normal float64), "
                         f"got {gamma:g}")
    return gamma


def _finite(value, what: str):
    out = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise RangeOverflowError(f"{what} exceeds the float64 range (|value| > 1.8e308)")
    return out[()]


# ---------------------------------------------------------------------------
# data, kernel and spectrum
# ---------------------------------------------------------------------------

def two_hot_inputs(P) -> np.ndarray:
    """All ``P^2`` inputs ``x_{nm} = e_n (+) e_m``, rows ordered ``n * P + m``.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import two_hot_inputs
    >>> two_hot_inputs(2).astype(int).tolist()
    [[1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 0, 1]]
    """
    P = _check_p(P)
    _check_alloc(P, 2 * P ** 3, "the P^2 x 2P inputs")
    x = np.zeros((P * P, 2 * P))
    idx = np.arange(P * P)
    x[idx, idx // P] = 1.0
    x[idx, P + idx % P] = 1.0
    return x


def modular_target(P) -> np.ndarray:
    """Targets ``y[n*P + m, p] = delta_{p, (n+m) mod P} - 1/P``, shape ``(P^2, P)``.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import modular_target
    >>> y = modular_target(3)
    >>> y.shape, bool(abs(y.sum()) < 1e-12)
    ((9, 3), True)
    """
    P = _check_p(P)
    _check_alloc(P, P ** 3, "the P^2 x P targets")
    idx = np.arange(P * P)
    y = np.full((P * P, P), -1.0 / P)
    y[idx, (idx // P + idx % P) % P] += 1.0
    return y


def nngp_kernel_matrix(P, sigma_a2=1.0) -> np.ndarray:
    r"""NNGP kernel ``Q(x, x') = sigma_a2 [K(x,x) K(x',x') + 2 K(x,x')^2]`` on all pairs.

    Parameters
    ----------
    P : int
    sigma_a2 : float, optional

    Returns
    -------
    ndarray, shape (P^2, P^2)

    Notes
    -----
    For ``w ~ N(0, I)``, ``(w.x, w.x')`` is Gaussian with covariance
    ``K = x.x'`` (``= delta_{nn'} + delta_{mm'}``), and Isserlis' theorem gives
    :math:`\mathbb E[(w\cdot x)^2(w\cdot x')^2] = K(x,x)K(x',x') + 2K(x,x')^2`.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import nngp_kernel_matrix
    >>> nngp_kernel_matrix(3)[0, :3].tolist()   # same n: K = 2, 1, 1
    [12.0, 6.0, 6.0]
    """
    sigma_a2 = check_positive("sigma_a2", sigma_a2)
    P = _check_p(P)
    _check_alloc(P, 4 * P ** 4, "the P^2 x P^2 kernel and its intermediates")
    x = two_hot_inputs(P)
    k = x @ x.T
    diag = np.diag(k)
    return sigma_a2 * (np.outer(diag, diag) + 2.0 * k * k)


def nngp_spectrum(P, sigma_a2=1.0) -> list[dict]:
    r"""Closed-form eigenvalues of :func:`nngp_kernel_matrix` with multiplicities.

    Parameters
    ----------
    P : int
    sigma_a2 : float, optional

    Returns
    -------
    list of dict
        ``eigenvalue``, ``multiplicity``, ``subspace``, ``contains_target``.

    Notes
    -----
    ``Q/sigma_a2 = 4 J + 2 (I (x) J + J (x) I) + 4 I`` (``J`` all-ones):
    constants ``4P^2 + 4P + 4`` (x1); zero-mean functions of ``n`` only or
    ``m`` only ``2P + 4`` (x ``2(P-1)``); the rest, which contains the target
    (its rows and columns sum to 0), ``4`` (x ``(P-1)^2``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import nngp_spectrum
    >>> [(s["eigenvalue"], s["multiplicity"]) for s in nngp_spectrum(7)]
    [(228.0, 1), (18.0, 12), (4.0, 36)]
    """
    P = _check_p(P)
    sigma_a2 = check_positive("sigma_a2", sigma_a2)
    return [
        {"eigenvalue": sigma_a2 * (4 * P * P + 4 * P + 4), "multiplicity": 1,
         "subspace": "constant", "contains_target": False},
        {"eigenvalue": sigma_a2 * (2 * P + 4), "multiplicity": 2 * (P - 1),
         "subspace": "one-argument", "contains_target": False},
        {"eigenvalue": sigma_a2 * 4.0, "multiplicity": (P - 1) ** 2,
         "subspace": "interaction", "contains_target": True},
    ]


def fourier_target_overlap(w, v) -> np.ndarray:
    r"""``sum_{n,m} y_p(n,m) (w_n + v_m)^2`` for every output ``p``, via Fourier modes.

    Parameters
    ----------
    w, v : array_like, shape (P,)
        The two halves of a first-layer weight vector (finite, same length
        ``P >= 1``).

    Returns
    -------
    ndarray, shape (P,)
        ``2 sum_{k != 0} w^_k v^_k exp(2 pi i k p/P)`` (real).

    Notes
    -----
    ``sum_n w_n v_{p-n} = sum_k w^_k v^_k e^{2 pi i kp/P}`` (convolution
    theorem, unitary DFT) and the ``k = 0`` term is the ``-1/P`` part of
    the target.  Hence (Parseval)
    ``sum_p overlap_p^2 = 4 P sum_{k != 0} |w^_k|^2 |v^_k|^2``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.adaptive_kernel.model_b import fourier_target_overlap, modular_target
    >>> rng = np.random.default_rng(0); w, v = rng.normal(size=(2, 5))
    >>> direct = modular_target(5).T @ (w[:, None] + v[None, :]).ravel() ** 2
    >>> bool(np.allclose(fourier_target_overlap(w, v), direct))
    True
    """
    w = check_finite_array("w", w, ndim=1)
    v = check_finite_array("v", v, ndim=1)
    if w.size < 1 or v.shape != w.shape:
        raise ValueError(f"w and v must be non-empty with the same length, got {w.size} "
                         f"and {v.size}")
    P = w.size
    wh = np.fft.fft(w) / math.sqrt(P)
    vh = np.fft.fft(v) / math.sqrt(P)
    prod = wh * vh
    prod[0] = 0.0
    return 2.0 * np.real(np.fft.ifft(prod) * P)


# ---------------------------------------------------------------------------
# per-mode action
# ---------------------------------------------------------------------------

def mode_action(phi, psi, g, gamma):
    r"""Per-mode action ``S_k/P = (Phi + Psi)/2 - g Phi Psi + (gamma/6)(Phi^3 + Psi^3)``.

    Parameters
    ----------
    phi, psi : array_like
        ``|w^_k|^2/P`` and ``|v^_k|^2/P``, finite and ``>= 0``.
    g : float
        ``u a^2 >= 0``.
    gamma : float
        Sextic regulariser, ``>= 0``.

    Returns
    -------
    ndarray

    Raises
    ------
    OverflowError
        If the action exceeds the float64 range.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import mode_action
    >>> float(mode_action(1.0, 1.0, 0.5, 0.0))
    0.5
    """
    phi = np.asarray(check_values("phi", phi, ge=0), dtype=float)
    psi = np.asarray(check_values("psi", psi, ge=0), dtype=float)
    g, gamma = check_nonnegative("g", g), _check_gamma(gamma, allow_zero=True)
    with np.errstate(over="ignore", invalid="ignore"):
        out = 0.5 * (phi + psi) - g * phi * psi + gamma / 6.0 * (phi ** 3 + psi ** 3)
    return _finite(out, "the mode action")


def diagonal_action(x, g, gamma):
    """``S~(x) = x - g x^2 + (gamma/3) x^3``: :func:`mode_action` at ``Phi = Psi = x``.

    ``x >= 0``, ``g >= 0``, ``gamma >= 0``; :class:`OverflowError` if the value
    exceeds the float64 range.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import diagonal_action, mode_action
    >>> bool(diagonal_action(2.0, 0.3, 0.01) == mode_action(2.0, 2.0, 0.3, 0.01))
    True
    """
    x = np.asarray(check_values("x", x, ge=0), dtype=float)
    g, gamma = check_nonnegative("g", g), _check_gamma(gamma, allow_zero=True)
    with np.errstate(over="ignore", invalid="ignore"):
        out = x - g * x * x + gamma / 3.0 * x ** 3
    return _finite(out, "the diagonal action")


def saddles(g, gamma):
    r"""Nonzero diagonal saddles ``(x_-, x_+)`` of :func:`diagonal_action`, or None.

    Parameters
    ----------
    g : float
        ``u a^2 >= 0``.
    gamma : float
        ``> 0`` (a normal float64).

    Returns
    -------
    tuple of float or None
        ``x_+- = (g +- sqrt(g^2 - gamma))/gamma``; None if ``g^2 < gamma``
        (only ``Phi = Psi = 0``).

    Raises
    ------
    OverflowError
        If ``x_+`` exceeds the float64 range (``gamma`` tiny against ``g``).

    Notes
    -----
    ``dS~/dx = 1 - 2 g x + gamma x^2``.  ``x_+`` is the local minimum (also of
    the two-dimensional :func:`mode_action`: Hessian ``[[g', -g], [-g, g']]``
    with ``g' = gamma x_+ > g``), ``x_-`` the barrier.  ``x_-`` is computed as ``1/(gamma x_+)``
    (no cancellation).  Internally ``x_+ = X/sqrt(gamma)`` with
    ``X = G + sqrt(G^2 - 1) >= 1``, ``G = g/sqrt(gamma)`` (no overflow of
    ``g^2``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import saddles
    >>> saddles(0.5, 0.01) is not None, saddles(0.05, 0.01)
    (True, None)
    """
    g, gamma = check_nonnegative("g", g), _check_gamma(gamma)
    big_x = _scaled_saddle(g, gamma)
    if big_x is None:
        return None
    root = math.sqrt(gamma)
    x_plus = big_x / root
    if not math.isfinite(x_plus):
        raise RangeOverflowError(f"x_+ = X/sqrt(gamma) exceeds the float64 range "
                            f"(g = {g:g}, gamma = {gamma:g})")
    return 1.0 / (root * big_x), x_plus


def _scaled_saddle(g: float, gamma: float):
    """``X = sqrt(gamma) x_+ = G + sqrt(G^2 - 1)``, ``G = g/sqrt(gamma)``; None if ``G < 1``."""
    big_g = g / math.sqrt(gamma)
    if big_g < 1.0:
        return None
    return big_g + math.sqrt(big_g - 1.0) * math.sqrt(big_g + 1.0)


def _log_weight(g, gamma, P, degeneracy, action_multiplier):
    """``(log w, log x_+)`` of the specialised saddle (``(-inf, None)`` without one).

    Uses ``S~(x_+) = X (3 - X^2)/(6 sqrt(gamma))`` (the saddle condition
    ``gamma x^2 = 2 g x - 1`` removes the cubic), which can overflow to
    ``-inf`` but never gives NaN; ``expit`` of an infinite log-odds is exact.
    """
    big_x = _scaled_saddle(g, gamma)
    if big_x is None:
        return -math.inf, None
    with np.errstate(over="ignore"):
        s_tilde = big_x * (3.0 - big_x * big_x) / (6.0 * math.sqrt(gamma))
        action = action_multiplier * P * s_tilde
    log_w = float(log_expit(math.log(degeneracy) - action))
    return log_w, math.log(big_x) - 0.5 * math.log(gamma)


def _saddle_args(g, gamma, P, degeneracy, action_multiplier):
    return (check_nonnegative("g", g), _check_gamma(gamma), check_positive_int("P", P),
            check_positive("degeneracy", degeneracy),
            check_positive("action_multiplier", action_multiplier))


def specialised_fraction(g, gamma, P, degeneracy=4.0, action_multiplier=1.0) -> float:
    r"""Weight ``w = D e^{-S} / (1 + D e^{-S})`` of the specialised saddle, ``S = m P S~(x_+)``.

    Parameters
    ----------
    g : float
        ``u a^2 >= 0``.
    gamma : float
        ``> 0``.
    P : int
        ``>= 1``.
    degeneracy : float, optional
        ``D``: number of equivalent nonzero saddles (paper: 4, the sign
        choices of the two mode amplitudes).
    action_multiplier : float, optional
        ``m``: 1 follows the paper (the action of one Fourier index ``k``);
        2 is the action of the real pair ``(k, -k)``, which the derivation
        in the module docstring gives for one complex mode.

    Returns
    -------
    float
        0 if there is no ``x_+`` saddle.

    Notes
    -----
    Evaluated as ``expit(ln D - S)`` (log space: ``S`` is ``O(P)``, e.g.
    ``10^4`` at the paper's parameters) with
    ``S~(x_+) = X (3 - X^2)/(6 sqrt(gamma))``, ``X = sqrt(gamma) x_+`` (the
    saddle condition removes the cubic term), so that a tiny ``gamma``
    gives the exact limits 0 or 1 instead of ``inf - inf``.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import specialised_fraction
    >>> g_c = 2 * (1e-4 / 3) ** 0.5
    >>> round(specialised_fraction(g_c, 1e-4, 401), 6)   # S~(x+) = 0 at g_c: 4/5
    0.8
    """
    log_w, _ = _log_weight(*_saddle_args(g, gamma, P, degeneracy, action_multiplier))
    return math.exp(log_w)


def phi_psi_mean(g, gamma, P, degeneracy=4.0, action_multiplier=1.0) -> float:
    """``<Phi Psi> = x_+^2 w`` (paper's mixture; see :func:`specialised_fraction`).

    Evaluated as ``exp(2 ln x_+ + ln w)``; :class:`OverflowError` if it exceeds
    the float64 range.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import phi_psi_mean
    >>> phi_psi_mean(0.001, 1e-4, 401)    # no specialised saddle
    0.0
    """
    log_w, log_x = _log_weight(*_saddle_args(g, gamma, P, degeneracy, action_multiplier))
    if log_x is None or log_w == -math.inf:
        return 0.0
    with np.errstate(over="ignore"):
        return float(_finite(np.exp(2.0 * log_x + log_w), "<Phi Psi>"))


# ---------------------------------------------------------------------------
# configuration, self-consistency, thresholds
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelBConfig(ResultMixin):
    """Parameters of Model B (defaults: the paper's Fig. 3).

    Attributes
    ----------
    P : int
        Modulus (prime; a non-prime warns).
    N : float
        Hidden width.
    sigma_a2 : float
        Read-out prior ``a ~ N(0, sigma_a2/N)`` (paper: ``0.002/N``).
    gamma : float
        Sextic regulariser of the mode action.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import ModelBConfig
    >>> round(ModelBConfig().u(0.2), 6)
    0.01608
    """

    P: int = 401
    N: float = 1000.0
    sigma_a2: float = 0.002 / 1000.0
    gamma: float = 1e-4

    def __post_init__(self):
        object.__setattr__(self, "P", _check_p(self.P))
        for name in ("N", "sigma_a2"):
            object.__setattr__(self, name, check_positive(name, getattr(self, name)))
        object.__setattr__(self, "gamma", _check_gamma(self.gamma))

    def u(self, sigma2) -> float:
        """``u = 2 sigma_a2 P^2/(N sigma2^2)`` (OverflowError if it exceeds float64)."""
        sigma2 = check_positive("sigma2", sigma2)
        u = 2.0 * self.sigma_a2 * self.P ** 2 / self.N / sigma2 / sigma2
        if not math.isfinite(u):
            raise RangeOverflowError(f"u = 2 sigma_a2 P^2/(N sigma2^2) overflows at "
                                f"sigma2 = {sigma2:g}")
        return u


BASE_MODEL_B = ModelBConfig()
"""The paper's Fig. 3 parameters (N = 1000, P = 401, sigma_a2 = 0.002/N, gamma = 1e-4)."""


def _norm_factor(config: ModelBConfig, normalisation: str) -> float:
    check_choice("normalisation", normalisation, NORMALISATIONS)
    return 1.0 if normalisation == "paper" else 4.0 * config.P ** 2


@dataclass(frozen=True)
class ModelBPoint(ResultMixin):
    """Self-consistent Model B solution at one noise level.

    Attributes
    ----------
    sigma2 : float
    abs_a : float
        ``|a|``, the relative residual on the target (``sigma2 t = a y``).
    learned : float
        ``1 - |a|``, the fraction of the target learned.
    g : float
        ``u a^2``.
    weight : float
        Fraction of the ``Phi = Psi = x_+`` saddle.
    kernel_eigenvalue : float
        ``lambda`` on the target.
    phase : str
        ``"GFL"`` if ``g < g_c (1 - 10^-3)`` (not pinned at coexistence),
        ``"GMFL-II"`` if ``weight > 0.99``, else ``"GMFL-I"`` (``g`` pinned
        at ``g_c = 2 sqrt(gamma/3)``).
    """

    sigma2: float
    abs_a: float
    learned: float
    g: float
    weight: float
    kernel_eigenvalue: float
    phase: str


def self_consistent_a(config: ModelBConfig, sigma2, normalisation: str = "paper",
                      degeneracy=4.0, action_multiplier=1.0) -> ModelBPoint:
    r"""Solve ``|a| = sigma2 / (lambda(a) + sigma2)`` with ``lambda = sigma_a2 <Phi Psi>``.

    Parameters
    ----------
    config : ModelBConfig
    sigma2 : float
    normalisation : {"paper", "matrix"}
        See :data:`NORMALISATIONS`.
    degeneracy, action_multiplier : float
        See :func:`specialised_fraction`.

    Returns
    -------
    ModelBPoint

    Notes
    -----
    GPR on a kernel eigenvector: ``sigma2 t = sigma2 (Q + sigma2)^{-1} y``
    gives ``a = sigma2/(lambda + sigma2)``.  ``lambda(a)`` is non-decreasing in
    ``|a|`` (``g = u a^2`` grows, ``S~(x_+)`` falls since
    ``dS~(x_+)/dg = -x_+^2``, ``x_+`` grows), so
    ``F(a) = a - sigma2/(lambda(a) + sigma2)`` is strictly increasing with
    ``F(0) = -1``, ``F(1) >= 0``: the root is unique and brentq follows the
    only branch through coexistence (no hysteresis in this mean field).

    The root is found in ``ln a`` on ``[ln a_sp, 0]`` (``a_sp``: the spinodal
    ``u a^2 = sqrt(gamma)``, below which ``lambda = 0``) with ``lambda`` in log
    space, so a tiny ``gamma`` (huge ``x_+``) neither overflows nor loses the
    relative precision of a tiny ``|a|``.  The reported ``weight`` and
    ``kernel_eigenvalue`` come from the GPR relation at the root,
    ``lambda = sigma2 (1 - a)/a`` and ``w = lambda/(n_f sigma_a2 x_+^2)``: equal
    to ``w(a)`` at an exact root, and still exact when the coexistence
    crossover (relative width ``~ sqrt(gamma)/P`` in ``g``) is narrower than
    float64 resolves, where ``w(a)`` jumps between adjacent floats.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import self_consistent_a, BASE_MODEL_B
    >>> pt = self_consistent_a(BASE_MODEL_B, 0.2)
    >>> pt.phase, round(pt.abs_a, 4)
    ('GMFL-I', 0.8474)
    """
    if not isinstance(config, ModelBConfig):
        raise TypeError(f"config must be a ModelBConfig, got {type(config).__name__}")
    sigma2 = check_positive("sigma2", sigma2)
    norm = _norm_factor(config, normalisation)
    degeneracy = check_positive("degeneracy", degeneracy)
    action_multiplier = check_positive("action_multiplier", action_multiplier)
    gamma, u = config.gamma, config.u(sigma2)
    log_scale = math.log(norm * config.sigma_a2)
    log_s2 = math.log(sigma2)

    def log_lambda(log_a):
        log_w, log_x = _log_weight(u * math.exp(2.0 * log_a), gamma, config.P, degeneracy,
                                   action_multiplier)
        return -math.inf if log_x is None else log_scale + 2.0 * log_x + log_w

    def resid(log_a):
        # a - sigma2/(lambda + sigma2) = a - expit(ln sigma2 - ln lambda)
        return math.exp(log_a) - float(expit(log_s2 - log_lambda(log_a)))

    # a_sp: the saddle exists only for u a^2 >= sqrt(gamma)
    # (u underflows to 0 at a huge sigma2: no interaction, the kernel regime a = 1)
    log_a_sp = 0.5 * (0.5 * math.log(gamma) - math.log(u)) if u > 0.0 else math.inf
    if log_a_sp >= 0.0 or resid(0.0) <= 0.0:
        log_a = 0.0
    elif resid(log_a_sp) >= 0.0:          # lambda jumps at the spinodal: the root is there
        log_a = log_a_sp
    else:
        log_a = brentq(resid, log_a_sp, 0.0, xtol=1e-15, rtol=4 * np.finfo(float).eps,
                       maxiter=500)
    a = math.exp(log_a)
    g = u * a * a
    # lambda and w from the GPR relation at the root (exact also when w(a) is unresolved)
    log_lam = log_s2 + math.log1p(-a) - log_a if a < 1.0 else -math.inf
    log_x = _log_weight(g, gamma, config.P, degeneracy, action_multiplier)[1]
    weight = 0.0 if log_x is None or log_lam == -math.inf else \
        min(1.0, math.exp(log_lam - log_scale - 2.0 * log_x))
    with np.errstate(over="ignore"):
        lam = float(_finite(np.exp(log_lam), "the kernel eigenvalue"))
    g_c = 2.0 * math.sqrt(gamma / 3.0)
    phase = ("GFL" if g < g_c * (1.0 - 1e-3) else
             "GMFL-II" if weight > 0.99 else "GMFL-I")
    return ModelBPoint(sigma2, a, 1.0 - a, g, weight, lam, phase)


@dataclass(frozen=True)
class ModelBCurve(ResultMixin):
    """``|a|(sigma2)`` over a grid (arrays aligned with ``sigma2``)."""

    sigma2: np.ndarray
    abs_a: np.ndarray
    learned: np.ndarray
    g: np.ndarray
    weight: np.ndarray
    phase: tuple
    normalisation: str


def self_consistent_curve(config: ModelBConfig = BASE_MODEL_B, sigma2=None,
                          normalisation: str = "paper", degeneracy=4.0,
                          action_multiplier=1.0) -> ModelBCurve:
    """:func:`self_consistent_a` over a noise grid (default 0.1 to 0.3, 41 points).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import self_consistent_curve
    >>> c = self_consistent_curve(sigma2=[0.15, 0.2, 0.25])
    >>> c.phase
    ('GMFL-II', 'GMFL-I', 'GFL')
    """
    grid = np.linspace(0.1, 0.3, 41) if sigma2 is None else np.atleast_1d(sigma2)
    pts = [self_consistent_a(config, s, normalisation, degeneracy, action_multiplier)
           for s in grid]
    return ModelBCurve(np.array([p.sigma2 for p in pts]), np.array([p.abs_a for p in pts]),
                       np.array([p.learned for p in pts]), np.array([p.g for p in pts]),
                       np.array([p.weight for p in pts]), tuple(p.phase for p in pts),
                       normalisation)


@dataclass(frozen=True)
class ModelBThresholds(ResultMixin):
    """Closed-form phase boundaries of Model B (scaling limit, sharp coexistence).

    Attributes
    ----------
    g_c, g_spinodal : float
        ``2 sqrt(gamma/3)`` and ``sqrt(gamma)``.
    sigma2_I : float
        GFL -> GMFL-I (``|a| = 1`` and ``u = g_c``).
    sigma2_II : float or None
        GMFL-I -> GMFL-II (all neurons specialised); None if not positive.
    sigma2_spinodal : float
        The ``x_+`` saddle first exists (``u = sqrt(gamma)`` at ``|a| = 1``).
    abs_a_II : float or None
        ``|a|`` at ``sigma2_II``.
    slope : float
        ``|a| = slope * sigma2`` in GMFL-I.
    normalisation : str
    """

    g_c: float
    g_spinodal: float
    sigma2_I: float
    sigma2_II: float | None
    sigma2_spinodal: float
    abs_a_II: float | None
    slope: float
    normalisation: str


def thresholds(config: ModelBConfig = BASE_MODEL_B, normalisation: str = "paper"
               ) -> ModelBThresholds:
    r"""``sigma2_I``, ``sigma2_II`` and the spinodal in closed form.

    Parameters
    ----------
    config : ModelBConfig
    normalisation : {"paper", "matrix"}

    Returns
    -------
    ModelBThresholds

    Notes
    -----
    Coexistence ``S~(x) = S~'(x) = 0`` gives ``g x = 2`` and
    ``g_c = 2 sqrt(gamma/3)``, ``x_+ = 2/g_c = sqrt(3/gamma)``; the spinodal
    ``g^2 = gamma``.  In GMFL-I ``u a^2 = g_c``:
    ``|a| = sigma2 K``, ``K = sqrt(g_c N/(2 sigma_a2 P^2))`` (linear in
    sigma2).  With ``|a| = sigma2/(lambda + sigma2)``, ``lambda`` runs from 0
    (``sigma2_I = 1/K``) to ``n_f sigma_a2 x_+^2`` (all specialised,
    ``sigma2_II = 1/K - n_f sigma_a2 (3/gamma)``), ``n_f`` the
    normalisation factor.  Derived in sympy by
    :func:`theory.adaptive_kernel.symbolic.model_b_thresholds`.
    Paper's Fig. 3: GMFL-I near 0.227, GMFL-II near 0.175, ``|a| ~ 0.7``;
    here ``0.2360``, ``0.1760``, ``0.7457``.  ``sigma2_I ~ gamma^(-1/4)``: a
    tiny ``gamma`` moves every boundary to a huge noise, and the closed forms
    (square roots and one difference, no overflow) stay exact there.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import thresholds
    >>> t = thresholds()
    >>> round(t.sigma2_I, 4), round(t.sigma2_II, 4), round(t.sigma2_spinodal, 4)
    (0.236, 0.176, 0.2536)
    """
    if not isinstance(config, ModelBConfig):
        raise TypeError(f"config must be a ModelBConfig, got {type(config).__name__}")
    norm = _norm_factor(config, normalisation)
    gamma = config.gamma
    g_c = 2.0 * math.sqrt(gamma / 3.0)
    g_sp = math.sqrt(gamma)
    coef = 2.0 * config.sigma_a2 * config.P ** 2 / config.N      # u sigma2^2
    if not 0.0 < coef < math.inf:
        raise RangeOverflowError(f"u sigma2^2 = 2 sigma_a2 P^2/N = {coef:g} (sigma_a2="
                                 f"{config.sigma_a2:g}, P={config.P}, N={config.N:g}) leaves "
                                 f"the float64 range: the thresholds are not representable")
    slope = math.sqrt(g_c / coef)
    s_I = 1.0 / slope
    # lambda of the all-specialised state, n_f sigma_a2 x_+^2 = n_f sigma_a2 3/gamma, may
    # exceed float64 for a tiny gamma: then sigma2_II = s_I - lambda is certainly negative
    lam_all = norm * config.sigma_a2 * 3.0 / gamma
    s_II = s_I - lam_all if math.isfinite(lam_all) else -math.inf
    s_II = s_II if s_II > 0 else None
    return ModelBThresholds(g_c, g_sp, s_I, s_II, math.sqrt(coef / g_sp),
                            None if s_II is None else slope * s_II, slope, normalisation)
