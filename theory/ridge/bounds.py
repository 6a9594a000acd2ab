"""Proven bounds on the overfitting and generalization times, with their assumptions.

Xu, Vardi & Safran (2026), Theorems 4.1 and 4.2, Eqs. (6)-(8).  Two layers:

* pure, numpy-vectorised formula functions (``eq6_t1_upper`` ...), the exact
  expressions of the paper, checked against :mod:`theory.ridge.symbolic`;
* :func:`bounds_report`, which evaluates every bound on a sampled problem and
  reports, per bound, which assumptions of its theorem hold.  A theorem used
  outside its assumptions still returns its number, with an
  :class:`~theory._checks.AssumptionWarning` and ``assumptions_hold=False``.

Conventions: ``lmin_plus`` is the smallest positive eigenvalue of
``Phi^T Phi`` (not divided by n); ``sigma_min = lambda_min(Sigma)``;
``b2 = b^2 >= ||phi(x)||^2``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from theory._checks import (
    AssumptionWarning,
    RangeOverflowError,
    check_greater,
    check_nonnegative,
    check_open_unit,
    check_positive,
    check_times,
    check_values,
    warn_assumption,
)
from theory._result import ResultMixin
from theory.ridge.dynamics import Spectrum, dynamics
from theory.ridge.problem import RidgeProblem

__all__ = [
    "Bound", "BoundsReport", "Condition", "bounds_report", "conditions",
    "eq6_t1_upper", "eq7_t2_lower", "eq8_t1_upper", "eq8_t2_lower",
    "marchenko_pastur_lmin", "pre_taylor_t1_upper", "pre_taylor_t2_lower",
    "thm41_norm_upper", "thm41_test_lower", "thm41_train_upper",
]


def _require_null_space(n, m):
    check_greater("m", m, "n", n, "the bound needs a null space of dimension m - n >= 1")


def _count(n):
    """A checked sample count, real ``> 0`` (the formulas are continuous in it)."""
    return check_values("n", n, gt=0)


def _sizes(n, m, null_space=True):
    """Checked sample and feature counts (real ``> 0``; ``m > n`` if asked).

    The bounds are continuous in ``n`` and ``m``, and boundaries in ``n``
    (:mod:`theory.ridge.boundary`) evaluate them between integers.
    """
    n = _count(n)
    m = check_values("m", m, gt=0)
    if null_space:
        _require_null_space(n, m)
    return n, m


def _pos(name, value):
    return check_values(name, value, gt=0)


def _result(value, what):
    """Return ``value`` (scalar as numpy float), refusing an overflow to +-inf."""
    out = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise RangeOverflowError(f"{what} exceeds the float64 range (|value| > 1.8e308); "
                            "the inputs are outside the representable regime")
    return out[()]


def _log_over(log_arg, rate, what):
    r"""``log_arg / rate`` for ``rate >= 0``, with the ``lam -> 0+`` limit at ``rate = 0``.

    At ``rate = 0`` the limit is ``+inf`` for ``log_arg > 0`` (the bound says
    "never"), ``-inf`` for ``log_arg < 0`` and 0 for ``log_arg = 0`` (both
    vacuous).  A positive rate that is so small that the quotient overflows
    raises :class:`OverflowError`.
    """
    log_arg, rate = np.broadcast_arrays(np.asarray(log_arg, dtype=np.float64),
                                        np.asarray(rate, dtype=np.float64))
    zero = rate == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = log_arg / np.where(zero, 1.0, rate)
    if not np.all(np.isfinite(out[~zero])):
        raise RangeOverflowError(f"{what} exceeds the float64 range (|value| > 1.8e308): "
                            "eta * lam is too small for a finite bound")
    limit = np.where(log_arg > 0, np.inf, np.where(log_arg < 0, -np.inf, 0.0))
    return np.where(zero, limit, out)[()]


def _eta_lam(eta, lam):
    eta = _pos("eta", eta)
    lam = check_values("lam", lam, ge=0)
    return eta, lam


def _shift_log(c, sigma_min, teacher_norm):
    """``2 ln(sqrt(c / sigma_min) + ||theta*||)``, no overflow for tiny sigma_min."""
    root = np.exp(0.5 * (np.log(c) - np.log(sigma_min)))
    return 2.0 * np.log(root + teacher_norm)


def _t2_args(n, m, nu2, c, eta, lam, sigma_min, teacher_norm):
    n, m = _sizes(n, m)
    nu2, c, sigma_min = _pos("nu2", nu2), _pos("c", c), _pos("sigma_min", sigma_min)
    teacher_norm = check_values("teacher_norm", teacher_norm, ge=0)
    eta, lam = _eta_lam(eta, lam)
    # ln((m - n) nu2 / 2) - 2 ln(sqrt(c / sigma_min) + ||theta*||), in log space
    log_arg = np.log(m - n) + np.log(nu2) - np.log(2.0) - _shift_log(c, sigma_min, teacher_norm)
    return eta, lam, log_arg


# --------------------------------------------------------------------------
# formula layer
# --------------------------------------------------------------------------
def eq6_t1_upper(n, eta, lmin_plus, b2, init_norm_sq, eps):
    r"""Eq. (6): ``t1 <= n ln(6 b^2 ||theta(0)||^2 / eps) / (2 eta lmin_plus)``.

    Parameters
    ----------
    n : int or array
        Training samples, ``> 0`` (real: the bound is continuous in it).
    eta : float or array
        Step size ``> 0``.
    lmin_plus : float or array
        Smallest positive eigenvalue of ``Phi^T Phi``, ``> 0``.
    b2 : float or array
        ``b^2 > 0``, a bound on ``||phi(x)||^2``.
    init_norm_sq : float or array
        ``||theta(0)||^2 > 0``.
    eps : float or array
        Training-loss threshold ``> 0``.

    Returns
    -------
    ndarray or float
        Negative when ``6 b^2 ||theta(0)||^2 < eps`` (then the bound says
        there is no overfitting phase).

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).
    OverflowError
        If the bound exceeds the float64 range.

    Notes
    -----
    Theorem 4.2 (probability >= 1 - delta), first-order Taylor form of
    :func:`pre_taylor_t1_upper` using ``-ln(rho) >= eta lmin_plus / n`` and
    ``Lbar <= b^2``:

    .. math:: t_1 \le \frac{n}{2\eta\lambda_{\min}^+}
              \ln\frac{6 b^2 \|\theta(0)\|^2}{\epsilon}

    The logarithm is a sum of logarithms (no overflow of the product).

    Examples
    --------
    >>> from theory.ridge.bounds import eq6_t1_upper
    >>> round(float(eq6_t1_upper(100, 1.0, 0.5, 1.0, 1000.0, 0.01)), 4)
    1330.4685
    """
    n = _count(n)
    eta, lmin_plus = _pos("eta", eta), _pos("lmin_plus", lmin_plus)
    b2, init_norm_sq, eps = _pos("b2", b2), _pos("init_norm_sq", init_norm_sq), _pos("eps", eps)
    log_arg = np.log(6.0) + np.log(b2) + np.log(init_norm_sq) - np.log(eps)
    with np.errstate(over="ignore", divide="ignore"):
        return _result(n * log_arg / (2.0 * eta) / lmin_plus, "the Eq. (6) bound")


def eq7_t2_lower(n, m, nu2, c, eta, lam, sigma_min, teacher_norm):
    r"""Eq. (7): lower bound on the generalization time t2.

    Parameters
    ----------
    n, m : int or array
        Samples and features, ``0 < n < m`` (real: continuous in them).
    nu2 : float or array
        Initialisation variance ``> 0``.
    c : float or array
        Population-loss threshold ``> 0``.
    eta, lam : float or array
        Step size ``> 0`` and weight decay ``>= 0``.
    sigma_min : float or array
        ``lambda_min(Sigma) > 0``.
    teacher_norm : float or array
        ``||theta*|| >= 0``.

    Returns
    -------
    ndarray or float
        Vacuous (``<= 0``) when the log argument is ``<= 1``.  At ``lam = 0``
        (no weight decay) the limit: ``+inf`` ("never generalizes": the
        null-space part of the initialisation never decays) when the log
        argument is ``> 1``, else ``-inf`` or 0 (vacuous).

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).
    OverflowError
        If ``lam > 0`` is so small that the bound exceeds the float64 range.

    Warns
    -----
    AssumptionWarning
        If ``eta lam > 1/2``, where the Taylor step ``-ln(1-x) <= 2x`` is not
        established (the value may then exceed the pre-Taylor bound).

    Notes
    -----
    Theorem 4.2, from :func:`pre_taylor_t2_lower` with ``-ln(1-x) <= 2x``:

    .. math:: t_2 \ge \frac{1}{4\eta\lambda}
       \ln\left(\frac{(m-n)\nu^2}{2}
       \left(\sqrt{c/\lambda_{\min}(\Sigma)} + \|\theta^*\|\right)^{-2}\right)

    Examples
    --------
    >>> from theory.ridge.bounds import eq7_t2_lower
    >>> round(float(eq7_t2_lower(100, 1000, 1.0, 0.01, 1.0, 1e-4, 1e-3, 1.0)), 2)
    8142.81
    >>> float(eq7_t2_lower(100, 1000, 1.0, 0.01, 1.0, 0.0, 1e-3, 1.0))   # lam = 0: never
    inf
    """
    eta, lam, log_arg = _t2_args(n, m, nu2, c, eta, lam, sigma_min, teacher_norm)
    if np.any(eta * lam > 0.5):
        warn_assumption("Eq. (7) uses -ln(1 - eta lam) <= 2 eta lam, established for "
                        "eta lam <= 1/2; here eta lam > 1/2")
    return _log_over(log_arg, 4.0 * eta * lam, "the Eq. (7) bound")


def pre_taylor_t1_upper(eps, lbar, init_norm_sq, rho):
    r"""Pre-Taylor (tighter) form of Eq. (6).

    Parameters
    ----------
    eps : float or array
        Training-loss threshold ``> 0``.
    lbar : float or array
        ``Lbar = ||Phi||_F^2 / n > 0``.
    init_norm_sq : float or array
        ``||theta(0)||^2 > 0``.
    rho : float or array
        ``1 - eta lmin_plus / n - eta lam``, in ``(0, 1)`` (a contraction).

    Returns
    -------
    ndarray or float
        Negative when ``eps > 6 Lbar ||theta(0)||^2``.

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).
    OverflowError
        If the bound exceeds the float64 range (``rho`` within ~1e-300 of 1).

    Notes
    -----
    Solves the envelope ``6 Lbar rho^(2t) ||theta(0)||^2 = eps`` for ``t``:

    .. math:: t_1 \le \frac{1}{2}\,
              \frac{\ln(\epsilon / (6 \bar L \|\theta(0)\|^2))}{\ln\rho}

    Examples
    --------
    >>> from theory.ridge.bounds import pre_taylor_t1_upper
    >>> round(float(pre_taylor_t1_upper(0.01, 1.0, 1000.0, 0.995)), 2)
    1327.14
    """
    eps, lbar, init_norm_sq = _pos("eps", eps), _pos("lbar", lbar), _pos("init_norm_sq",
                                                                        init_norm_sq)
    rho = check_values("rho", rho, gt=0, lt=1)
    log_arg = np.log(eps) - np.log(6.0) - np.log(lbar) - np.log(init_norm_sq)
    with np.errstate(over="ignore", divide="ignore"):
        return _result(0.5 * log_arg / np.log(rho), "the pre-Taylor t1 bound")


def pre_taylor_t2_lower(n, m, nu2, c, eta, lam, sigma_min, teacher_norm):
    r"""Pre-Taylor (tighter) form of Eq. (7).

    Parameters
    ----------
    n, m, nu2, c, eta, lam, sigma_min, teacher_norm
        As in :func:`eq7_t2_lower`; in addition ``eta lam < 1`` (the
        null-space factor ``1 - eta lam`` lies in ``(0, 1]``).

    Returns
    -------
    ndarray or float
        Vacuous (``<= 0``) when the log argument of Eq. (7) is ``<= 1``;
        ``+inf`` / vacuous at ``lam = 0`` as in :func:`eq7_t2_lower`.

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).
    OverflowError
        If ``lam > 0`` is so small that the bound exceeds the float64 range.

    Notes
    -----
    Solves ``sqrt(sigma_min) ((1-eta lam)^t sqrt((m-n) nu2/2) - ||theta*||) = sqrt(c)``:

    .. math:: t_2 \ge \frac{\ln\left(\sqrt{2/((m-n)\nu^2)}
              (\sqrt{c/\lambda_{\min}(\Sigma)} + \|\theta^*\|)\right)}{\ln(1-\eta\lambda)}

    ``ln(1 - eta lam)`` is evaluated with ``log1p``.

    Examples
    --------
    >>> from theory.ridge.bounds import pre_taylor_t2_lower
    >>> round(float(pre_taylor_t2_lower(100, 1000, 1.0, 0.01, 1.0, 1e-4, 1e-3, 1.0)), 2)
    16284.8
    """
    eta, lam, log_arg = _t2_args(n, m, nu2, c, eta, lam, sigma_min, teacher_norm)
    x = eta * lam
    if np.any(x >= 1):
        raise ValueError(f"eta * lam must be < 1 for the pre-Taylor t2 bound (the "
                         f"null-space factor 1 - eta lam in (0, 1]), got "
                         f"{float(np.max(x)):g}")
    # ln(arg) / ln(1 - x) = (log_arg / 2) / (-log1p(-x))
    return _log_over(0.5 * log_arg, -np.log1p(-x), "the pre-Taylor t2 bound")


def eq8_t1_upper(n, m, nu2, eps, eta, lmin_plus=None):
    r"""Eq. (8), t1 side: ``t1 <= n ln(14 m nu2 / eps) / (2 eta lmin_plus)``.

    Parameters
    ----------
    n, m : int or array
        ``> 0`` (real: continuous in them).
    nu2, eps, eta : float or array
        ``> 0``.
    lmin_plus : float, array or None
        ``> 0``; None uses the Marchenko-Pastur edge :func:`marchenko_pastur_lmin`
        (asymptotic in ``n, m -> inf`` at fixed ``n/m``; needs ``n != m``).

    Returns
    -------
    ndarray or float

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).
    OverflowError
        If the bound exceeds the float64 range.

    Notes
    -----
    Gaussian features ``N(0, I/m)``, ``c = eps``, ``eta lam <= 0.01``.

    Examples
    --------
    >>> from theory.ridge.bounds import eq8_t1_upper
    >>> round(float(eq8_t1_upper(100, 1000, 1.0, 0.01, 1.0)), 2)
    1513.44
    """
    n, m = _sizes(n, m, null_space=False)
    nu2, eps, eta = _pos("nu2", nu2), _pos("eps", eps), _pos("eta", eta)
    if lmin_plus is None:
        if np.any(np.asarray(n) == np.asarray(m)):
            raise ValueError("lmin_plus=None uses the Marchenko-Pastur edge "
                             "(1 - sqrt(n/m))^2, which is 0 for n = m: give lmin_plus > 0")
        lmin_plus = marchenko_pastur_lmin(n, m)
    lmin_plus = _pos("lmin_plus", lmin_plus)
    log_arg = np.log(14.0) + np.log(m) + np.log(nu2) - np.log(eps)
    with np.errstate(over="ignore", divide="ignore"):
        return _result(n * log_arg / (2.0 * eta) / lmin_plus, "the Eq. (8) t1 bound")


def eq8_t2_lower(n, m, nu2, eps, eta, lam):
    r"""Eq. (8), t2 side: ``t2 >= ln((m-n) nu2 / (8 m eps)) / (2.02 eta lam)``.

    Parameters
    ----------
    n, m : int or array
        ``0 < n < m`` (real: continuous in them).
    nu2, eps, eta : float or array
        ``> 0``.
    lam : float or array
        Weight decay ``>= 0``.

    Returns
    -------
    ndarray or float
        Vacuous (``<= 0``) for ``nu2 <= 8 m eps / (m - n)``.  At ``lam = 0``
        the limit: ``+inf`` ("never generalizes") above that threshold, else
        ``-inf`` or 0 (vacuous).

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).
    OverflowError
        If ``lam > 0`` is so small that the bound exceeds the float64 range.

    Warns
    -----
    AssumptionWarning
        If ``eta lam > 0.01`` (the Taylor step ``-ln(1-x) <= 1.01 x`` fails).

    Notes
    -----
    From :func:`pre_taylor_t2_lower` with ``c = eps``, ``sigma_min = 1/m``,
    ``||theta*|| = 1``, ``(sqrt(eps m) + 1)^2 <= 4 eps m`` and
    ``-ln(1 - x) <= 1.01 x`` for ``x = eta lam <= 0.01``.

    Examples
    --------
    >>> from theory.ridge.bounds import eq8_t2_lower
    >>> round(float(eq8_t2_lower(100, 1000, 1.0, 0.01, 1.0, 1e-4)), 2)
    11982.02
    """
    n, m = _sizes(n, m)
    nu2, eps = _pos("nu2", nu2), _pos("eps", eps)
    eta, lam = _eta_lam(eta, lam)
    if np.any(eta * lam > 0.01):
        warn_assumption("Eq. (8) needs eta lam <= 0.01 (-ln(1 - x) <= 1.01 x); "
                        "here eta lam > 0.01")
    log_arg = np.log(m - n) + np.log(nu2) - np.log(8.0) - np.log(m) - np.log(eps)
    return _log_over(log_arg, 2.02 * eta * lam, "the Eq. (8) t2 bound")


def marchenko_pastur_lmin(n, m):
    """Asymptotic ``lmin_plus ~ (1 - sqrt(n/m))^2`` for ``N(0, I/m)`` features.

    Marchenko-Pastur lower edge of the spectrum of ``Phi Phi^T``; exact only
    as ``n, m -> inf`` with ``n/m`` fixed (finite samples fluctuate around it
    on the scale ``m^(-2/3)``).  ``n, m > 0`` (real); for
    ``n > m`` the same expression is the edge of ``Phi^T Phi``, and it is 0 at
    ``n = m``.

    Notes
    -----
    Evaluated as ``((m - n) / (m + sqrt(n m)))^2``, which is exact for
    ``n`` close to ``m`` where ``1 - sqrt(n/m)`` cancels.

    Examples
    --------
    >>> from theory.ridge.bounds import marchenko_pastur_lmin
    >>> round(float(marchenko_pastur_lmin(100, 1000)), 4)
    0.4675
    """
    n, m = _sizes(n, m, null_space=False)
    return ((m - n) / (m + np.sqrt(n * m))) ** 2


# --------------------------------------------------------------------------
# Theorem 4.1 envelopes (zero teacher), every t, in log space
# --------------------------------------------------------------------------
def _log_abs_one_minus(x):
    """``ln|1 - x|`` accurate for tiny ``x`` (``-inf`` at ``x = 1``)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(x <= 1.0, np.log1p(-np.minimum(x, 1.0)),
                        np.log(np.maximum(x - 1.0, 0.0)))


def _envelope(log0, log_rate, t):
    """``exp(log0 + 2 t log_rate)`` with ``rate^0 = 1`` (also for a zero rate)."""
    with np.errstate(invalid="ignore", under="ignore"):
        expo = np.where(t == 0, 0.0, 2.0 * t * log_rate)
        return np.exp(log0 + expo)


def _thm41_args(spectrum, lam, eta, t):
    spec = _spectrum(spectrum, "spectrum")
    eta, lam = _eta_lam(eta, lam)
    t = check_times(t)
    x_row = eta * (spec.lmin_plus / spec.n + lam)
    worst = max(eta * (spec.lmax / spec.n + lam), eta * lam)
    if worst >= 2.0:
        raise ValueError(f"eta * (lambda_max(Phi^T Phi)/n + lam) must be < 2 (GD converges), "
                         f"got {worst:g}")
    failing = []
    if eta * (spec.lbar + 2.0 * lam) > 2.0:
        failing.append("thm41_step_size (eta <= 2/(Lbar + 2 lam))")
    if spec.teacher_norm_sq > 0:
        failing.append("thm41_zero_teacher (theta* = 0)")
    if failing:
        warn_assumption("Theorem 4.1 applied outside its assumptions; failing: "
                        + ", ".join(failing), stacklevel=4)
    return spec, eta, lam, t, x_row


def thm41_train_upper(spectrum, lam, eta, t):
    r"""Theorem 4.1: ``L_n(t) <= (Lbar/2) rho^(2t) ||theta(0)||^2`` (zero teacher).

    Parameters
    ----------
    spectrum : Spectrum or RidgeProblem
    lam : float
        Weight decay ``>= 0``.
    eta : float
        Step size ``> 0`` with ``eta (lambda_max/n + lam) < 2``.
    t : int or array of int
        Steps in ``[0, 2**63 - 1]``.

    Returns
    -------
    ndarray

    Warns
    -----
    AssumptionWarning
        If ``eta > 2/(Lbar + 2 lam)`` or the teacher is not zero.

    Notes
    -----
    Evaluated as ``exp(ln(Lbar ||theta(0)||^2 / 2) + 2 t ln|rho|)`` so that no
    power over- or underflows before the final ``exp``.

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.bounds import thm41_train_upper
    >>> prob = sample_problem(n=10, m=100, teacher_norm=0.0, seed=0)
    >>> bool(thm41_train_upper(prob, 1e-3, 1.0, 0) > 0)
    True
    """
    spec, eta, lam, t, x_row = _thm41_args(spectrum, lam, eta, t)
    if spec.init_norm_sq == 0 or spec.lbar == 0:
        return np.zeros(t.shape)
    log0 = np.log(spec.lbar) + np.log(spec.init_norm_sq) - np.log(2.0)
    return _envelope(log0, _log_abs_one_minus(x_row), t)


def thm41_test_lower(spectrum, lam, eta, t, nu2):
    r"""Theorem 4.1: ``L(t) >= lambda_min(Sigma) (1-eta lam)^(2t) (m-n) nu2 / 2``.

    Holds with probability ``>= 1 - 2 exp(-(m-n)/32)`` over the initialisation
    (zero teacher).

    Parameters
    ----------
    spectrum : Spectrum or RidgeProblem
        With ``m > n``.
    lam, eta : float
        As in :func:`thm41_train_upper`.
    t : int or array of int
    nu2 : float
        Initialisation variance ``>= 0``.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.bounds import thm41_test_lower
    >>> prob = sample_problem(n=10, m=100, teacher_norm=0.0, seed=0)
    >>> round(float(thm41_test_lower(prob, 1e-3, 1.0, 0, 1.0)), 3)
    0.45
    """
    spec, eta, lam, t, _ = _thm41_args(spectrum, lam, eta, t)
    _require_null_space(spec.n, spec.m)
    nu2 = check_nonnegative("nu2", nu2)
    if nu2 == 0:
        return np.zeros(t.shape)
    log0 = (np.log(spec.feature_variance) + np.log(spec.m - spec.n) + np.log(nu2)
            - np.log(2.0))
    return _envelope(log0, _log_abs_one_minus(eta * lam), t)


def thm41_norm_upper(spectrum, lam, eta, t):
    r"""Theorem 4.1: ``||theta(t)||^2 <= (1-eta lam)^(2t) ||theta(0)||^2`` (zero teacher).

    Parameters
    ----------
    spectrum : Spectrum or RidgeProblem
    lam, eta : float
        As in :func:`thm41_train_upper`.
    t : int or array of int

    Returns
    -------
    ndarray

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.bounds import thm41_norm_upper
    >>> prob = sample_problem(n=10, m=100, teacher_norm=0.0, seed=0)
    >>> bool(thm41_norm_upper(prob, 1e-3, 1.0, 10) < prob.spectrum.init_norm_sq)
    True
    """
    spec, eta, lam, t, _ = _thm41_args(spectrum, lam, eta, t)
    if spec.init_norm_sq == 0:
        return np.zeros(t.shape)
    return _envelope(np.log(spec.init_norm_sq), _log_abs_one_minus(eta * lam), t)


def _spectrum(obj, name: str = "problem") -> Spectrum:
    if isinstance(obj, RidgeProblem):
        return obj.spectrum
    if isinstance(obj, Spectrum):
        return obj
    raise TypeError(f"{name} must be a RidgeProblem or Spectrum, got {type(obj).__name__}")


# --------------------------------------------------------------------------
# assumptions and the problem-level report
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Condition(ResultMixin):
    """One assumption of one theorem, evaluated on a problem.

    Attributes
    ----------
    name : str
        Stable snake_case key (e.g. ``"thm42_step_size"``).
    theorem : str
        Where the assumption comes from (e.g. ``"Theorem 4.2"``).
    satisfied : bool
    lhs, rhs : float
        The two sides of the inequality ``lhs <relation> rhs``.
    relation : str
    description : str
    """

    name: str
    theorem: str
    satisfied: bool
    lhs: float
    rhs: float
    relation: str
    description: str


@dataclass(frozen=True)
class Bound(ResultMixin):
    """A bound's value and the status of the assumptions it rests on.

    Attributes
    ----------
    name : str
    equation : str
        Where it is in the paper.
    quantity : str
        ``"t1"``, ``"t2"`` or ``"grokking_time"``.
    kind : str
        ``"upper"`` or ``"lower"``.
    value : float or None
        None when the bound is undefined (no null space, a zero
        initialisation, or a value beyond float64); ``+inf`` for a t2 lower
        bound at ``lam = 0`` that certifies "never generalizes" (JSON: null,
        with ``reason``).
    vacuous : bool
        A lower bound ``<= 0`` (or ``-inf``) or an infinite upper bound says
        nothing.
    conditions : tuple of str
        Names of the assumptions in :class:`BoundsReport` ``.conditions``.
    assumptions_hold : bool
    failed : tuple of str
        The assumptions that fail.
    probability : str
        The probability with which the theorem holds.
    reason : str
        Why the value is None, infinite or vacuous ("" otherwise).
    """

    name: str
    equation: str
    quantity: str
    kind: str
    value: float | None
    vacuous: bool
    conditions: tuple
    assumptions_hold: bool
    failed: tuple
    probability: str
    reason: str = ""


@dataclass(frozen=True)
class BoundsReport(ResultMixin):
    """Every bound of the paper on one problem, with its assumptions.

    Attributes
    ----------
    t1_upper_eq6, t2_lower_eq7, t1_upper_pre_taylor, t2_lower_pre_taylor,
    t1_upper_eq8, t1_upper_eq8_marchenko_pastur, t2_lower_eq8,
    grokking_lower_eq67, grokking_lower_eq8 : Bound
    conditions : dict of str to Condition
    inputs : dict
        The sample statistics used (``lmin_plus``, ``b2``, ``lbar`` ...).
    """

    t1_upper_eq6: Bound
    t2_lower_eq7: Bound
    t1_upper_pre_taylor: Bound
    t2_lower_pre_taylor: Bound
    t1_upper_eq8: Bound
    t1_upper_eq8_marchenko_pastur: Bound
    t2_lower_eq8: Bound
    grokking_lower_eq67: Bound
    grokking_lower_eq8: Bound
    conditions: dict
    inputs: dict

    BOUND_NAMES = ("t1_upper_eq6", "t2_lower_eq7", "t1_upper_pre_taylor",
                   "t2_lower_pre_taylor", "t1_upper_eq8",
                   "t1_upper_eq8_marchenko_pastur", "t2_lower_eq8",
                   "grokking_lower_eq67", "grokking_lower_eq8")

    def bounds(self) -> dict:
        """``{name: Bound}`` for every bound."""
        return {name: getattr(self, name) for name in self.BOUND_NAMES}


def conditions(problem, *, lam, eta, eps, c, delta=0.05) -> dict:
    """Evaluate every theorem's assumptions on ``problem``.

    Parameters
    ----------
    problem : RidgeProblem or Spectrum
    lam : float
        Weight decay ``>= 0``.
    eta, eps, c : float
        Step size and thresholds, ``> 0``.
    delta : float
        Failure probability of Theorem 4.2, in (0, 1).

    Returns
    -------
    dict of str to Condition

    Notes
    -----
    Conditions (paper Sec. 4): Thm 4.1 ``eta <= 2/(Lbar + 2 lam)`` and zero
    teacher; Thm 4.4 ``eta < 1/(lam + lambda_max(Phi^T Phi)/n)``; Thm 4.5
    ``eta < 1/lam``; Thm 4.2 ``eta < 1/(lam + b^2)``,
    ``m >= n + max(32 ln(2/delta), 8||theta*||^2/nu2, 8c/(lambda_min(Sigma) nu2))``
    (the proof's form of Eq. (4); the paper also prints
    ``c^2/(lambda_min^2 nu2)``) and
    ``lam <= min(2 eps/(3||theta*||^2), sqrt(Lbar eps)/(sqrt6 ||theta*||))``;
    the t2 bounds also need ``lam > 0`` (``thm42_positive_weight_decay``);
    Eq. (8) additionally ``eta lam <= 0.01``, ``c = eps``, Gaussian
    ``N(0, I/m)`` features and ``||theta*||^2 <= eps m`` (its step
    ``(sqrt(eps m) + ||theta*||)^2 <= 4 eps m``; the paper leaves it implicit).
    ``b^2`` is the sample ``max_i ||phi(x_i)||^2`` (Gaussian features are
    unbounded).  The paper's own experiments
    (``eta = 1``) violate Thm 4.2's step-size condition while satisfying 4.1
    and 4.4.

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.bounds import conditions
    >>> cond = conditions(sample_problem(seed=0), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    >>> cond["thm44_step_size"].satisfied, cond["thm42_step_size"].satisfied
    (True, False)
    """
    spec = _spectrum(problem)
    lam = check_nonnegative("lam", lam)
    eta, eps, c = check_positive("eta", eta), check_positive("eps", eps), check_positive("c", c)
    delta = check_open_unit("delta", delta)
    n, m = spec.n, spec.m
    nu2 = problem.nu2 if isinstance(problem, RidgeProblem) and problem.nu2 is not None \
        else spec.init_norm_sq / m
    tn2 = spec.teacher_norm_sq
    tn = np.sqrt(tn2)
    sigma_min = spec.feature_variance
    b2 = spec.feature_norm_sq_max
    inf = float("inf")

    def cond(name, theorem, lhs, rel, rhs, desc):
        ok = {"<": lhs < rhs, "<=": lhs <= rhs, ">=": lhs >= rhs, "==": lhs == rhs,
              ">": lhs > rhs}[rel]
        return name, Condition(name, theorem, bool(ok), float(lhs), float(rhs), rel, desc)

    over = max(32.0 * np.log(2.0 / delta),
               8.0 * tn2 / nu2 if nu2 > 0 else inf,
               8.0 * c / sigma_min / nu2 if nu2 > 0 else inf)     # (no underflow to 0)
    wd = min(2.0 * eps / (3.0 * tn2) if tn2 > 0 else inf,
             np.sqrt(spec.lbar * eps) / (np.sqrt(6.0) * tn) if tn2 > 0 else inf)
    gaussian = isinstance(problem, RidgeProblem) and problem.feature_model == "gaussian" \
        and np.isclose(spec.feature_variance, 1.0 / m)
    items = [
        cond("null_space", "all", m - spec.rank, ">=", 1,
             "Phi has a null space (m > rank(Phi)); without it the mechanism is absent"),
        cond("thm41_step_size", "Theorem 4.1", eta, "<=", 2.0 * _inv(spec.lbar + 2.0 * lam),
             "eta <= 2/(Lbar + 2 lam)"),
        cond("thm41_zero_teacher", "Theorem 4.1", tn, "==", 0.0,
             "Theorem 4.1 is stated for the zero teacher theta* = 0"),
        cond("thm44_step_size", "Theorem 4.4", eta, "<", _inv(lam + spec.lmax / n),
             "eta < 1/(lam + lambda_max(Phi^T Phi)/n)"),
        cond("thm45_step_size", "Theorem 4.5", eta, "<", _inv(lam),
             "eta < 1/lam"),
        cond("thm42_step_size", "Theorem 4.2", eta, "<", _inv(lam + b2),
             "eta < 1/(lam + b^2), b^2 = max_i ||phi(x_i)||^2 (sample)"),
        cond("thm42_overparameterization", "Theorem 4.2", m, ">=", n + over,
             "m >= n + max(32 ln(2/delta), 8||theta*||^2/nu2, 8c/(lambda_min(Sigma) nu2))"),
        cond("thm42_weight_decay", "Theorem 4.2", lam, "<=", wd,
             "lam <= min(2 eps/(3||theta*||^2), sqrt(Lbar eps)/(sqrt(6)||theta*||))"),
        cond("thm42_positive_weight_decay", "Theorem 4.2", lam, ">", 0.0,
             "lam > 0: the t2 bounds are ln(.)/(k eta lam); at lam = 0 (no weight decay) "
             "they are their limit, +inf (never generalizes) or vacuous"),
        cond("eq8_small_step", "Eq. (8)", eta * lam, "<=", 0.01, "eta lam <= 0.01"),
        cond("eq8_c_equals_eps", "Eq. (8)", c, "==", eps, "c = eps"),
        cond("eq8_gaussian_features", "Eq. (8)", float(gaussian), "==", 1.0,
             "features i.i.d. N(0, I/m)"),
        cond("eq8_teacher_shift", "Eq. (8)", tn2, "<=", eps * m,
             "||theta*||^2 <= eps m, needed for (sqrt(eps m) + ||theta*||)^2 <= 4 eps m "
             "(eps m >= 1 for a unit teacher)"),
    ]
    return dict(items)


def _inv(x: float) -> float:
    """``1/x``, ``inf`` at ``x = 0`` (a step-size condition with nothing to bound it)."""
    return 1.0 / x if x > 0 else float("inf")


_THM42 = ("null_space", "thm42_step_size", "thm42_overparameterization", "thm42_weight_decay")
_EQ8 = _THM42 + ("eq8_small_step", "eq8_c_equals_eps", "eq8_gaussian_features",
                 "eq8_teacher_shift")
# the t2 (and grokking-time) bounds divide by lam
_THM42_T2 = _THM42 + ("thm42_positive_weight_decay",)
_EQ8_T2 = _EQ8 + ("thm42_positive_weight_decay",)


def bounds_report(problem: RidgeProblem, *, lam: float, eta: float, eps: float,
                  c: float, delta: float = 0.05, warn: bool = True) -> BoundsReport:
    """Evaluate every bound of the paper on a sampled problem.

    Parameters
    ----------
    problem : RidgeProblem
    lam : float
        Weight decay ``>= 0``.  The t2 bounds divide by it: at ``lam = 0`` they
        are their limit (``+inf``, "never generalizes", when the log argument
        is ``> 1``; vacuous otherwise), with ``thm42_positive_weight_decay``
        failing and a ``reason``.
    eta : float
        Step size ``> 0`` (GD must converge).
    eps, c : float
        Thresholds of the training and population losses, ``> 0``.
    delta : float
        Failure probability of Theorem 4.2, in ``(0, 1)``.
    warn : bool
        Emit an :class:`~theory._checks.AssumptionWarning` listing the
        bounds applied outside their assumptions.

    Returns
    -------
    BoundsReport

    Notes
    -----
    Sample statistics are used where the theorems use them (``lmin_plus``,
    ``Lbar``, ``||theta(0)||^2``, ``b^2 = max_i ||phi(x_i)||^2``); Eq. (8)
    uses the population quantities ``nu2`` and ``m`` and is also given with
    the Marchenko-Pastur ``lmin_plus`` (``t1_upper_eq8_marchenko_pastur``).
    The grokking-time lower bounds are ``(7) - (6)`` and ``(8) - (8)``.
    With ``m <= n`` every bound that needs the null space has
    ``value=None``; every None, infinite or vacuous value says why in its
    ``reason``.

    Examples
    --------
    >>> import warnings
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.bounds import bounds_report
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rep = bounds_report(sample_problem(seed=0), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    >>> round(rep.t2_lower_eq8.value, 2), rep.t2_lower_eq8.assumptions_hold
    (11982.02, False)
    >>> rep.t2_lower_eq8.failed
    ('thm42_step_size',)
    """
    if not isinstance(problem, RidgeProblem):
        raise TypeError(f"problem must be a RidgeProblem, got {type(problem).__name__}")
    lam = check_nonnegative("lam", lam)
    eta = check_positive("eta", eta)
    eps = check_positive("eps", eps)
    c = check_positive("c", c)
    delta = check_open_unit("delta", delta)
    dyn = dynamics(problem, lam=lam, eta=eta)      # raises if GD diverges
    spec = dyn.spectrum
    n, m = spec.n, spec.m
    nu2 = problem.nu2 if problem.nu2 is not None else spec.init_norm_sq / m
    check_nonnegative("nu2", nu2)
    cond = conditions(problem, lam=lam, eta=eta, eps=eps, c=c, delta=delta)
    tn = float(np.sqrt(spec.teacher_norm_sq))
    rho = dyn.row_rate
    lmin = spec.lmin_plus
    mp = float(marchenko_pastur_lmin(n, m))
    b2, init_sq, sigma = spec.feature_norm_sq_max, spec.init_norm_sq, spec.feature_variance

    def evaluate(formula, needs, *args):
        """``(value, reason)``; None with the reason when a requirement fails."""
        for ok, why in needs:
            if not ok:
                return None, why
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AssumptionWarning)   # reported via `failed`
                return float(formula(*args)), ""
        except OverflowError as exc:
            return None, str(exc)

    null = (m > n and spec.null_dim > 0, "no null space (m <= n or rank(Phi) = m): the "
                                         "t2 bounds are undefined")
    init = (init_sq > 0 and nu2 > 0, "theta(0) = 0 (nu2 = 0): the bound is undefined")
    row = (lmin > 0, "Phi = 0 has no positive eigenvalue")
    v6 = evaluate(eq6_t1_upper, (row, init), n, eta, lmin, b2, init_sq, eps)
    v6p = evaluate(pre_taylor_t1_upper, (init, (0 < rho < 1, f"rho = {rho:.6g} is not in "
                                                "(0, 1): the envelope does not contract")),
                   eps, spec.lbar, init_sq, rho)
    v8t1 = evaluate(eq8_t1_upper, (row, init), n, m, nu2, eps, eta, lmin)
    v8mp = evaluate(eq8_t1_upper, ((mp > 0, "n = m: the Marchenko-Pastur edge is 0"), init),
                    n, m, nu2, eps, eta, mp)
    v7 = evaluate(eq7_t2_lower, (null, init), n, m, nu2, c, eta, lam, sigma, tn)
    v7p = evaluate(pre_taylor_t2_lower, (null, init, (eta * lam < 1, "eta lam >= 1: the "
                                                      "null-space factor is not in (0, 1]")),
                   n, m, nu2, c, eta, lam, sigma, tn)
    v8t2 = evaluate(eq8_t2_lower, (null, init), n, m, nu2, eps, eta, lam)

    def difference(t2, t1):
        if t2[0] is None or t1[0] is None:
            return None, t2[1] or t1[1]
        if np.isinf(t2[0]) and t2[0] > 0:
            return t2[0], t2[1]
        return t2[0] - t1[0], ""

    def make(name, equation, quantity, kind, result, names, prob):
        value, reason = result
        failed = tuple(k for k in names if not cond[k].satisfied)
        vac = (value is None or (kind == "lower" and value <= 0)
               or (kind == "upper" and value == np.inf))
        if value is not None and lam == 0 and quantity != "t1" and not reason:
            reason = ("lam = 0: the null-space part of theta(0) never decays; "
                      + ("the bound certifies that L stays above c for ever (t2 = +inf, "
                         "never generalizes; null in JSON)" if value == np.inf else
                         "the bound is vacuous (its log argument is <= 1)"))
        elif vac and not reason:
            reason = ("vacuous: the log argument is <= 1" if kind == "lower"
                      else "vacuous: infinite")
        return Bound(name=name, equation=equation, quantity=quantity, kind=kind,
                     value=value, vacuous=bool(vac),
                     conditions=tuple(names), assumptions_hold=not failed,
                     failed=failed, probability=prob, reason=reason)

    p42 = f">= 1 - delta = {1 - delta:g}"
    b6 = make("t1_upper_eq6", "Theorem 4.2, Eq. (6)", "t1", "upper", v6, _THM42, p42)
    b7 = make("t2_lower_eq7", "Theorem 4.2, Eq. (7)", "t2", "lower", v7, _THM42_T2, p42)
    b6p = make("t1_upper_pre_taylor", "Theorem 4.2, pre-Taylor form of Eq. (6)", "t1",
               "upper", v6p, _THM42, p42)
    b7p = make("t2_lower_pre_taylor", "Theorem 4.2, pre-Taylor form of Eq. (7)", "t2",
               "lower", v7p, _THM42_T2, p42)
    b8t1 = make("t1_upper_eq8", "Eq. (8) with the sample lmin_plus", "t1", "upper",
                v8t1, _EQ8, p42)
    b8mp = make("t1_upper_eq8_marchenko_pastur",
                "Eq. (8) with lmin_plus = (1 - sqrt(n/m))^2 (asymptotic)", "t1", "upper",
                v8mp, _EQ8, p42 + " (asymptotically in n, m)")
    b8t2 = make("t2_lower_eq8", "Eq. (8)", "t2", "lower", v8t2, _EQ8_T2, p42)
    g67 = make("grokking_lower_eq67", "Eq. (7) - Eq. (6)", "grokking_time", "lower",
               difference(v7, v6), _THM42_T2, p42)
    g8 = make("grokking_lower_eq8", "Eq. (8): t2 bound - t1 bound", "grokking_time", "lower",
              difference(v8t2, v8t1), _EQ8_T2, p42)
    report = BoundsReport(
        t1_upper_eq6=b6, t2_lower_eq7=b7, t1_upper_pre_taylor=b6p,
        t2_lower_pre_taylor=b7p, t1_upper_eq8=b8t1, t1_upper_eq8_marchenko_pastur=b8mp,
        t2_lower_eq8=b8t2, grokking_lower_eq67=g67, grokking_lower_eq8=g8,
        conditions=cond,
        inputs={"n": n, "m": m, "nu2": nu2, "lam": lam, "eta": eta, "eps": eps, "c": c,
                "delta": delta, "lmin_plus": lmin, "lmin_plus_marchenko_pastur": mp,
                "lmax": spec.lmax, "lbar": spec.lbar, "b2": spec.feature_norm_sq_max,
                "init_norm_sq": spec.init_norm_sq, "teacher_norm": tn,
                "sigma_min": spec.feature_variance, "rho": rho})
    if warn:
        failed = sorted({f for b in report.bounds().values() for f in b.failed})
        if failed:
            warn_assumption("bounds applied outside their assumptions; failing: "
                            + ", ".join(failed) + " (see BoundsReport.conditions)")
    return report
