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

from dataclasses import dataclass

import numpy as np

from theory._result import ResultMixin
from theory._checks import (
    check_nonnegative,
    check_open_unit,
    check_positive,
    check_times,
    warn_assumption,
)
from theory.ridge.dynamics import Spectrum, dynamics
from theory.ridge.problem import RidgeProblem

__all__ = [
    "Bound", "BoundsReport", "Condition", "bounds_report", "conditions",
    "eq6_t1_upper", "eq7_t2_lower", "eq8_t1_upper", "eq8_t2_lower",
    "marchenko_pastur_lmin", "pre_taylor_t1_upper", "pre_taylor_t2_lower",
    "thm41_norm_upper", "thm41_test_lower", "thm41_train_upper",
]


def _require_null_space(n, m):
    if np.any(np.asarray(m) <= np.asarray(n)):
        raise ValueError("m must be > n: the bounds need a null space of dimension m - n > 0")


# --------------------------------------------------------------------------
# formula layer
# --------------------------------------------------------------------------
def eq6_t1_upper(n, eta, lmin_plus, b2, init_norm_sq, eps):
    r"""Eq. (6): ``t1 <= n ln(6 b^2 ||theta(0)||^2 / eps) / (2 eta lmin_plus)``.

    Parameters
    ----------
    n : int or array
        Training samples.
    eta : float or array
        Step size.
    lmin_plus : float or array
        Smallest positive eigenvalue of ``Phi^T Phi``.
    b2 : float or array
        ``b^2``, a bound on ``||phi(x)||^2``.
    init_norm_sq : float or array
        ``||theta(0)||^2``.
    eps : float or array
        Training-loss threshold.

    Returns
    -------
    ndarray or float

    Notes
    -----
    Theorem 4.2 (probability >= 1 - delta), first-order Taylor form of
    :func:`pre_taylor_t1_upper` using ``-ln(rho) >= eta lmin_plus / n`` and
    ``Lbar <= b^2``:

    .. math:: t_1 \le \frac{n}{2\eta\lambda_{\min}^+}
              \ln\frac{6 b^2 \|\theta(0)\|^2}{\epsilon}

    Examples
    --------
    >>> from theory.ridge.bounds import eq6_t1_upper
    >>> round(float(eq6_t1_upper(100, 1.0, 0.5, 1.0, 1000.0, 0.01)), 4)
    1330.4685
    """
    return n * np.log(6.0 * b2 * init_norm_sq / eps) / (2.0 * eta * lmin_plus)


def eq7_t2_lower(n, m, nu2, c, eta, lam, sigma_min, teacher_norm):
    r"""Eq. (7): lower bound on the generalization time t2.

    Parameters
    ----------
    n, m : int or array
        Samples and features, ``m > n``.
    nu2 : float or array
        Initialisation variance.
    c : float or array
        Population-loss threshold.
    eta, lam : float or array
        Step size and weight decay.
    sigma_min : float or array
        ``lambda_min(Sigma)``.
    teacher_norm : float or array
        ``||theta*||``.

    Returns
    -------
    ndarray or float
        Vacuous (``<= 0``) when the log argument is ``<= 1``.

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
    """
    _require_null_space(n, m)
    shift = (np.sqrt(c / sigma_min) + teacher_norm) ** 2
    return np.log((m - n) * nu2 / 2.0 / shift) / (4.0 * eta * lam)


def pre_taylor_t1_upper(eps, lbar, init_norm_sq, rho):
    r"""Pre-Taylor (tighter) form of Eq. (6).

    Parameters
    ----------
    eps : float or array
        Training-loss threshold.
    lbar : float or array
        ``Lbar = ||Phi||_F^2 / n``.
    init_norm_sq : float or array
        ``||theta(0)||^2``.
    rho : float or array
        ``1 - eta lmin_plus / n - eta lam`` in ``(0, 1)``.

    Returns
    -------
    ndarray or float

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
    return 0.5 * np.log(eps / (6.0 * lbar * init_norm_sq)) / np.log(rho)


def pre_taylor_t2_lower(n, m, nu2, c, eta, lam, sigma_min, teacher_norm):
    r"""Pre-Taylor (tighter) form of Eq. (7).

    Parameters
    ----------
    n, m, nu2, c, eta, lam, sigma_min, teacher_norm
        As in :func:`eq7_t2_lower`.

    Returns
    -------
    ndarray or float

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
    _require_null_space(n, m)
    arg = np.sqrt(2.0 / ((m - n) * nu2)) * (np.sqrt(c / sigma_min) + teacher_norm)
    return np.log(arg) / np.log1p(-eta * lam)


def eq8_t1_upper(n, m, nu2, eps, eta, lmin_plus=None):
    r"""Eq. (8), t1 side: ``t1 <= n ln(14 m nu2 / eps) / (2 eta lmin_plus)``.

    Parameters
    ----------
    n, m : int or array
    nu2, eps, eta : float or array
    lmin_plus : float, array or None
        None uses the Marchenko-Pastur edge :func:`marchenko_pastur_lmin`
        (asymptotic in ``n, m -> inf`` at fixed ``n/m``).

    Returns
    -------
    ndarray or float

    Notes
    -----
    Gaussian features ``N(0, I/m)``, ``c = eps``, ``eta lam <= 0.01``.

    Examples
    --------
    >>> from theory.ridge.bounds import eq8_t1_upper
    >>> round(float(eq8_t1_upper(100, 1000, 1.0, 0.01, 1.0)), 2)
    1513.44
    """
    if lmin_plus is None:
        lmin_plus = marchenko_pastur_lmin(n, m)
    return n * np.log(14.0 * m * nu2 / eps) / (2.0 * eta * lmin_plus)


def eq8_t2_lower(n, m, nu2, eps, eta, lam):
    r"""Eq. (8), t2 side: ``t2 >= ln((m-n) nu2 / (8 m eps)) / (2.02 eta lam)``.

    Parameters
    ----------
    n, m : int or array
        ``m > n``.
    nu2, eps, eta, lam : float or array

    Returns
    -------
    ndarray or float
        Vacuous (``<= 0``) for ``nu2 <= 8 m eps / (m - n)``.

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
    _require_null_space(n, m)
    return np.log((m - n) * nu2 / (8.0 * m * eps)) / (2.02 * eta * lam)


def marchenko_pastur_lmin(n, m):
    """Asymptotic ``lmin_plus ~ (1 - sqrt(n/m))^2`` for ``N(0, I/m)`` features.

    Marchenko-Pastur lower edge of the spectrum of ``Phi Phi^T``; exact only
    as ``n, m -> inf`` with ``n/m`` fixed (finite samples fluctuate around it
    on the scale ``m^(-2/3)``).

    Examples
    --------
    >>> from theory.ridge.bounds import marchenko_pastur_lmin
    >>> round(float(marchenko_pastur_lmin(100, 1000)), 4)
    0.4675
    """
    return (1.0 - np.sqrt(np.asarray(n, dtype=float) / m)) ** 2


# --------------------------------------------------------------------------
# Theorem 4.1 envelopes (zero teacher), every t, in log space
# --------------------------------------------------------------------------
def _row_log_rate(spectrum: Spectrum, lam, eta):
    return np.log1p(-eta * (spectrum.lmin_plus / spectrum.n + lam))


def thm41_train_upper(spectrum, lam, eta, t):
    r"""Theorem 4.1: ``L_n(t) <= (Lbar/2) rho^(2t) ||theta(0)||^2`` (zero teacher).

    Parameters
    ----------
    spectrum : Spectrum or RidgeProblem
    lam, eta : float
    t : int or array of int

    Returns
    -------
    ndarray

    Notes
    -----
    Evaluated as ``exp(ln(Lbar ||theta(0)||^2 / 2) + 2 t ln rho)`` so that no
    power over- or underflows before the final ``exp``.

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.bounds import thm41_train_upper
    >>> prob = sample_problem(n=10, m=100, teacher_norm=0.0, seed=0)
    >>> bool(thm41_train_upper(prob, 1e-3, 1.0, 0) > 0)
    True
    """
    spec = _spectrum(spectrum)
    t = check_times(t)
    log0 = np.log(spec.lbar * spec.init_norm_sq / 2.0)
    return np.exp(log0 + 2.0 * t * _row_log_rate(spec, lam, eta))


def thm41_test_lower(spectrum, lam, eta, t, nu2):
    r"""Theorem 4.1: ``L(t) >= lambda_min(Sigma) (1-eta lam)^(2t) (m-n) nu2 / 2``.

    Holds with probability ``>= 1 - 2 exp(-(m-n)/32)`` over the initialisation
    (zero teacher).

    Parameters
    ----------
    spectrum : Spectrum or RidgeProblem
    lam, eta : float
    t : int or array of int
    nu2 : float
        Initialisation variance.

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
    spec = _spectrum(spectrum)
    _require_null_space(spec.n, spec.m)
    t = check_times(t)
    log0 = np.log(spec.feature_variance * (spec.m - spec.n) * nu2 / 2.0)
    return np.exp(log0 + 2.0 * t * np.log1p(-eta * lam))


def thm41_norm_upper(spectrum, lam, eta, t):
    r"""Theorem 4.1: ``||theta(t)||^2 <= (1-eta lam)^(2t) ||theta(0)||^2`` (zero teacher).

    Parameters
    ----------
    spectrum : Spectrum or RidgeProblem
    lam, eta : float
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
    spec = _spectrum(spectrum)
    t = check_times(t)
    return np.exp(np.log(spec.init_norm_sq) + 2.0 * t * np.log1p(-eta * lam))


def _spectrum(obj) -> Spectrum:
    if isinstance(obj, RidgeProblem):
        return obj.spectrum
    if isinstance(obj, Spectrum):
        return obj
    raise TypeError(f"expected a RidgeProblem or Spectrum, got {type(obj).__name__}")


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
        None only when the bound is undefined (no null space).
    vacuous : bool
        A lower bound ``<= 0`` says nothing.
    conditions : tuple of str
        Names of the assumptions in :class:`BoundsReport` ``.conditions``.
    assumptions_hold : bool
    failed : tuple of str
        The assumptions that fail.
    probability : str
        The probability with which the theorem holds.
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
    problem : RidgeProblem
    lam, eta, eps, c : float
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
    Eq. (8) additionally ``eta lam <= 0.01``, ``c = eps``, Gaussian
    ``N(0, I/m)`` features and ``||theta*||^2 <= eps m`` (its step
    ``(sqrt(eps m) + ||theta*||)^2 <= 4 eps m``; the paper leaves it implicit).  ``b^2`` is the sample ``max_i ||phi(x_i)||^2``
    (Gaussian features are unbounded).  The paper's own experiments
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
    n, m = spec.n, spec.m
    nu2 = problem.nu2 if isinstance(problem, RidgeProblem) and problem.nu2 is not None \
        else spec.init_norm_sq / m
    tn2 = spec.teacher_norm_sq
    tn = np.sqrt(tn2)
    sigma_min = spec.feature_variance
    b2 = spec.feature_norm_sq_max
    inf = float("inf")

    def cond(name, theorem, lhs, rel, rhs, desc):
        ok = {"<": lhs < rhs, "<=": lhs <= rhs, ">=": lhs >= rhs, "==": lhs == rhs}[rel]
        return name, Condition(name, theorem, bool(ok), float(lhs), float(rhs), rel, desc)

    over = max(32.0 * np.log(2.0 / delta),
               8.0 * tn2 / nu2 if nu2 > 0 else inf,
               8.0 * c / (sigma_min * nu2) if nu2 > 0 else inf)
    wd = min(2.0 * eps / (3.0 * tn2) if tn2 > 0 else inf,
             np.sqrt(spec.lbar * eps) / (np.sqrt(6.0) * tn) if tn2 > 0 else inf)
    gaussian = isinstance(problem, RidgeProblem) and problem.feature_model == "gaussian" \
        and np.isclose(spec.feature_variance, 1.0 / m)
    items = [
        cond("null_space", "all", m - spec.rank, ">=", 1,
             "Phi has a null space (m > rank(Phi)); without it the mechanism is absent"),
        cond("thm41_step_size", "Theorem 4.1", eta, "<=", 2.0 / (spec.lbar + 2.0 * lam),
             "eta <= 2/(Lbar + 2 lam)"),
        cond("thm41_zero_teacher", "Theorem 4.1", tn, "==", 0.0,
             "Theorem 4.1 is stated for the zero teacher theta* = 0"),
        cond("thm44_step_size", "Theorem 4.4", eta, "<", 1.0 / (lam + spec.lmax / n),
             "eta < 1/(lam + lambda_max(Phi^T Phi)/n)"),
        cond("thm45_step_size", "Theorem 4.5", eta, "<", 1.0 / lam if lam > 0 else inf,
             "eta < 1/lam"),
        cond("thm42_step_size", "Theorem 4.2", eta, "<", 1.0 / (lam + b2),
             "eta < 1/(lam + b^2), b^2 = max_i ||phi(x_i)||^2 (sample)"),
        cond("thm42_overparameterization", "Theorem 4.2", m, ">=", n + over,
             "m >= n + max(32 ln(2/delta), 8||theta*||^2/nu2, 8c/(lambda_min(Sigma) nu2))"),
        cond("thm42_weight_decay", "Theorem 4.2", lam, "<=", wd,
             "lam <= min(2 eps/(3||theta*||^2), sqrt(Lbar eps)/(sqrt(6)||theta*||))"),
        cond("eq8_small_step", "Eq. (8)", eta * lam, "<=", 0.01, "eta lam <= 0.01"),
        cond("eq8_c_equals_eps", "Eq. (8)", c, "==", eps, "c = eps"),
        cond("eq8_gaussian_features", "Eq. (8)", float(gaussian), "==", 1.0,
             "features i.i.d. N(0, I/m)"),
        cond("eq8_teacher_shift", "Eq. (8)", tn2, "<=", eps * m,
             "||theta*||^2 <= eps m, needed for (sqrt(eps m) + ||theta*||)^2 <= 4 eps m "
             "(eps m >= 1 for a unit teacher)"),
    ]
    return dict(items)


_THM42 = ("null_space", "thm42_step_size", "thm42_overparameterization", "thm42_weight_decay")
_EQ8 = _THM42 + ("eq8_small_step", "eq8_c_equals_eps", "eq8_gaussian_features",
                 "eq8_teacher_shift")


def bounds_report(problem: RidgeProblem, *, lam: float, eta: float, eps: float,
                  c: float, delta: float = 0.05, warn: bool = True) -> BoundsReport:
    """Evaluate every bound of the paper on a sampled problem.

    Parameters
    ----------
    problem : RidgeProblem
    lam : float
        Weight decay ``> 0`` (the t2 bounds divide by it).
    eta : float
        Step size.
    eps, c : float
        Thresholds of the training and population losses.
    delta : float
        Failure probability of Theorem 4.2.
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
    ``value=None``.

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
        raise TypeError("problem must be a RidgeProblem")
    lam = check_positive("lam", lam)
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
    has_null = m > n and spec.null_dim > 0 and nu2 > 0
    rho = dyn.row_rate
    lmin = spec.lmin_plus
    mp = float(marchenko_pastur_lmin(n, m)) if m > n else 0.0

    def make(name, equation, quantity, kind, value, names, prob):
        failed = tuple(k for k in names if not cond[k].satisfied)
        if value is not None and not np.isfinite(value):
            value = None
        vac = value is None or (kind == "lower" and value <= 0)
        return Bound(name=name, equation=equation, quantity=quantity, kind=kind,
                     value=None if value is None else float(value), vacuous=bool(vac),
                     conditions=tuple(names), assumptions_hold=not failed,
                     failed=failed, probability=prob)

    p42 = f">= 1 - delta = {1 - delta:g}"
    with np.errstate(divide="ignore", invalid="ignore"):
        v6 = eq6_t1_upper(n, eta, lmin, spec.feature_norm_sq_max, spec.init_norm_sq, eps) \
            if lmin > 0 else None
        v6p = pre_taylor_t1_upper(eps, spec.lbar, spec.init_norm_sq, rho) \
            if 0 < rho < 1 else None
        v8t1 = eq8_t1_upper(n, m, nu2, eps, eta, lmin) if lmin > 0 and nu2 > 0 else None
        v8mp = eq8_t1_upper(n, m, nu2, eps, eta, mp) if mp > 0 and nu2 > 0 else None
        if has_null:
            v7 = eq7_t2_lower(n, m, nu2, c, eta, lam, spec.feature_variance, tn)
            v7p = pre_taylor_t2_lower(n, m, nu2, c, eta, lam, spec.feature_variance, tn)
            v8t2 = eq8_t2_lower(n, m, nu2, eps, eta, lam)
        else:
            v7 = v7p = v8t2 = None
    b6 = make("t1_upper_eq6", "Theorem 4.2, Eq. (6)", "t1", "upper", v6, _THM42, p42)
    b7 = make("t2_lower_eq7", "Theorem 4.2, Eq. (7)", "t2", "lower", v7, _THM42, p42)
    b6p = make("t1_upper_pre_taylor", "Theorem 4.2, pre-Taylor form of Eq. (6)", "t1",
               "upper", v6p, _THM42, p42)
    b7p = make("t2_lower_pre_taylor", "Theorem 4.2, pre-Taylor form of Eq. (7)", "t2",
               "lower", v7p, _THM42, p42)
    b8t1 = make("t1_upper_eq8", "Eq. (8) with the sample lmin_plus", "t1", "upper",
                v8t1, _EQ8, p42)
    b8mp = make("t1_upper_eq8_marchenko_pastur",
                "Eq. (8) with lmin_plus = (1 - sqrt(n/m))^2 (asymptotic)", "t1", "upper",
                v8mp, _EQ8, p42 + " (asymptotically in n, m)")
    b8t2 = make("t2_lower_eq8", "Eq. (8)", "t2", "lower", v8t2, _EQ8, p42)
    g67 = make("grokking_lower_eq67", "Eq. (7) - Eq. (6)", "grokking_time", "lower",
               None if v7 is None or v6 is None else v7 - v6, _THM42, p42)
    g8 = make("grokking_lower_eq8", "Eq. (8): t2 bound - t1 bound", "grokking_time", "lower",
              None if v8t2 is None or v8t1 is None else v8t2 - v8t1, _EQ8, p42)
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
