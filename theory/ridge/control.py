"""Hyperparameter control: how to amplify or eliminate grokking.

Xu, Vardi & Safran (2026), Sec. 4.3 and 5: the grokking delay grows as the
weight decay falls (``t2 ~ 1/lam`` with ``t1`` unchanged), every time scales
as ``1/eta``, a larger initialisation amplifies grokking and a small one
eliminates it.  This module turns those statements into numbers: threshold
values, elasticities, and a point estimate of ``t2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from theory._checks import (
    RangeOverflowError,
    check_choice,
    check_nonnegative,
    check_positive,
    check_values,
)
from theory._result import ResultMixin
from theory.ridge.bounds import _sizes, marchenko_pastur_lmin
from theory.ridge.dynamics import dynamics
from theory.ridge.problem import RidgeProblem
from theory.ridge.times import grokking_times

__all__ = ["ControlReport", "control_report", "eq8_elasticities", "exact_elasticities",
           "grokking_onset_nu2", "lam_star", "nu2_vacuity_threshold", "t2_point_estimate"]


def lam_star(n, m, nu2, eps, lmin_plus=None):
    r"""Weight decay above which Eq. (8) stops certifying grokking.

    Parameters
    ----------
    n, m : int or array
        ``0 < n < m`` (real: continuous in them).
    nu2, eps : float or array
        ``> 0``.
    lmin_plus : float, array or None
        ``> 0``; None uses the Marchenko-Pastur edge ``(1 - sqrt(n/m))^2``.

    Returns
    -------
    ndarray or float
        ``lam*``; for ``0 < lam < lam*`` the Eq. (8) lower bound on ``t2``
        exceeds the upper bound on ``t1``.  ``<= 0`` when Eq. (8) is vacuous
        for every ``lam`` (``nu2 <= 8 m eps/(m - n)``): the formula's negative
        value, and 0 where even the t1 log argument is ``<= 1``
        (``nu2 <= eps/(14 m)``, where the formula would divide by a
        non-positive ``ln(14 m nu2/eps)``).

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).

    Notes
    -----
    Solves ``ln((m-n) nu2/(8 m eps)) / (2.02 eta lam) =
    n ln(14 m nu2/eps) / (2 eta lmin_plus)`` for ``lam``; ``eta`` cancels:

    .. math:: \lambda^* = \frac{2\lambda_{\min}^+ \ln\frac{(m-n)\nu^2}{8 m\epsilon}}
                               {2.02\, n \ln\frac{14 m \nu^2}{\epsilon}}

    Examples
    --------
    >>> from theory.ridge.control import lam_star
    >>> float(lam_star(100, 1000, 1.0, 0.01)) > 1e-4
    True
    """
    n, m = _sizes(n, m)
    nu2, eps = check_values("nu2", nu2, gt=0), check_values("eps", eps, gt=0)
    lmin_plus = marchenko_pastur_lmin(n, m) if lmin_plus is None else lmin_plus
    lmin_plus = check_values("lmin_plus", lmin_plus, gt=0)
    log_a = np.log(m - n) + np.log(nu2) - np.log(8.0) - np.log(m) - np.log(eps)
    log_b = np.log(14.0) + np.log(m) + np.log(nu2) - np.log(eps)
    # log_b > log_a always (the t1 log argument is the larger one), so log_b <= 0 only
    # when Eq. (8) is vacuous anyway
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 2.0 * lmin_plus * log_a / (2.02 * n * log_b)
    return np.where(log_b > 0, value, 0.0)[()]


def nu2_vacuity_threshold(n, m, eps):
    r"""Initialisation variance at and below which Eq. (8)'s t2 bound is vacuous.

    ``nu2 <= 8 m eps / (m - n)`` makes the log argument ``<= 1``: the theory no
    longer certifies any generalization delay (grokking can be eliminated by
    a small initialisation).  ``0 < n < m`` (real)
    and ``eps > 0``.

    Examples
    --------
    >>> from theory.ridge.control import nu2_vacuity_threshold
    >>> round(float(nu2_vacuity_threshold(100, 1000, 0.01)), 6)
    0.088889
    """
    n, m = _sizes(n, m)
    eps = check_values("eps", eps, gt=0)
    return 8.0 * m * eps / (m - n)


def t2_point_estimate(n, m, nu2, c, eta, lam, teacher_norm=1.0, sigma=None):
    r"""Point estimate of ``t2`` (an estimate, not a bound).

    Parameters
    ----------
    n, m : int
        ``0 < n < m`` (real: continuous in them).
    nu2 : float
        Initialisation variance ``> 0``.
    c, eta : float
        ``> 0``.
    lam : float
        Weight decay ``>= 0`` with ``eta lam < 1``.
    teacher_norm : float
        ``||theta*|| >= 0``.
    sigma : float or None
        Isotropic population covariance ``Sigma = sigma I`` (``> 0``); None is
        ``1/m``.

    Returns
    -------
    float
        ``inf`` ("never generalizes") when the estimated loss floor
        ``sigma (m-n)/m ||theta*||^2`` is already at or above ``c``, or when
        ``lam = 0`` and ``c`` is below the initial estimated loss (the null
        space never decays); 0 when ``c`` is at or above the initial
        estimated loss.

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).

    Notes
    -----
    Once the row space has converged,
    ``L(t) ~ sigma [(1 - eta lam)^(2t) (m-n) nu2 + ||P theta*||^2]`` with
    ``E||P theta*||^2 = (m-n)/m ||theta*||^2`` (spec, hyperparameter control).
    Solving ``L = c``:

    .. math:: \hat t_2 = \frac{\ln\left((c/\sigma - \frac{m-n}{m}\|\theta^*\|^2)
                                   / ((m-n)\nu^2)\right)}{2\ln(1-\eta\lambda)}

    Examples
    --------
    >>> from theory.ridge.control import t2_point_estimate
    >>> 22000 < t2_point_estimate(100, 1000, 1.0, 0.01, 1.0, 1e-4) < 24000
    True
    """
    n, m = _sizes(n, m)
    nu2, c, eta = check_positive("nu2", nu2), check_positive("c", c), check_positive("eta", eta)
    lam = check_nonnegative("lam", lam)
    teacher_norm = check_nonnegative("teacher_norm", teacher_norm)
    sigma = 1.0 / m if sigma is None else check_positive("sigma", sigma)
    if eta * lam >= 1:
        raise ValueError(f"eta * lam must be < 1 (the null-space factor 1 - eta lam in "
                         f"(0, 1]), got {eta * lam:g}")
    floor = (m - n) / m * teacher_norm ** 2
    head = c / sigma - floor
    if head <= 0:
        return float("inf")
    # ln(head / ((m - n) nu2)) in log space
    log_ratio = math.log(head) - math.log(m - n) - math.log(nu2)
    if log_ratio >= 0:
        return 0.0
    if lam == 0:
        return float("inf")
    rate = math.log1p(-eta * lam)              # 0 when eta * lam underflows
    value = log_ratio / (2.0 * rate) if rate else math.inf
    if not math.isfinite(value):
        raise RangeOverflowError("the t2 estimate exceeds the float64 range: eta * lam is too "
                            "small for a finite step count")
    return value


def eq8_elasticities(n, m, nu2, eps, lmin_model="marchenko_pastur") -> dict:
    r"""Elasticities ``d ln t / d ln p`` of the Eq. (8) bounds.

    Parameters
    ----------
    n, m : int
        ``0 < n < m`` (real: continuous in them).
    nu2, eps : float
        ``> 0``.
    lmin_model : {"marchenko_pastur", "fixed"}
        How ``lmin_plus`` moves with ``n`` and ``m``: along the
        Marchenko-Pastur edge ``(1 - sqrt(n/m))^2``, or held fixed.

    Returns
    -------
    dict
        ``{"t1": {p: e}, "t2": {p: e}}`` for ``p`` in eta, lam, nu2, n, m.
        The ``nu2``, ``n`` and ``m`` entries are None when the bound's log
        argument is ``<= 1`` (the bound is vacuous, ``<= 0``, and its
        elasticity undefined).

    Notes
    -----
    With ``A = (m-n) nu2/(8 m eps)``, ``B = 14 m nu2/eps`` and
    ``r = sqrt(n/m)``: t2 has elasticities -1 (eta), -1 (lam),
    ``1/ln A`` (nu2), ``-n/((m-n) ln A)`` (n), ``n/((m-n) ln A)`` (m); t1 has
    -1 (eta), 0 (lam), ``1/ln B`` (nu2), ``1 + r/(1-r)`` (n) and
    ``1/ln B - r/(1-r)`` (m) with the Marchenko-Pastur edge (drop the
    ``r/(1-r)`` terms for a fixed ``lmin_plus``).  A larger ``nu2``
    lengthens t2 faster than t1 in absolute steps (``dt/d ln nu2`` is
    ``1/(2.02 eta lam)`` vs ``n/(2 eta lmin_plus)``): it amplifies grokking.

    Examples
    --------
    >>> from theory.ridge.control import eq8_elasticities
    >>> e = eq8_elasticities(100, 1000, 1.0, 0.01)
    >>> e["t2"]["lam"], e["t1"]["lam"], e["t2"]["eta"]
    (-1.0, 0.0, -1.0)
    """
    lmin_model = check_choice("lmin_model", lmin_model, ("marchenko_pastur", "fixed"))
    n, m = _sizes(n, m)
    nu2, eps = check_positive("nu2", nu2), check_positive("eps", eps)
    log_a = math.log(m - n) + math.log(nu2) - math.log(8.0) - math.log(m) - math.log(eps)
    log_b = math.log(14.0) + math.log(m) + math.log(nu2) - math.log(eps)
    # r/(1 - r) with r = sqrt(n/m), written without the cancellation of 1 - r
    mp = math.sqrt(n * m) * (m + math.sqrt(n * m)) / (m * (m - n)) \
        if lmin_model == "marchenko_pastur" else 0.0

    def defined(log_arg, value):
        return float(value(log_arg)) if log_arg > 0 else None

    return {
        "t2": {"eta": -1.0, "lam": -1.0, "nu2": defined(log_a, lambda x: 1.0 / x),
               "n": defined(log_a, lambda x: -n / ((m - n) * x)),
               "m": defined(log_a, lambda x: n / ((m - n) * x))},
        "t1": {"eta": -1.0, "lam": 0.0, "nu2": defined(log_b, lambda x: 1.0 / x),
               "n": defined(log_b, lambda x: 1.0 + mp),
               "m": defined(log_b, lambda x: 1.0 / x - mp)},
    }


def _check_problem(problem) -> RidgeProblem:
    """A RidgeProblem sampled with a known ``nu2 > 0`` (its init can be rescaled)."""
    if not isinstance(problem, RidgeProblem):
        raise TypeError(f"problem must be a RidgeProblem, got {type(problem).__name__}")
    if problem.nu2 is None:
        raise TypeError("problem must record the nu2 its init was sampled with "
                        "(use sample_problem)")
    check_positive("nu2", problem.nu2)
    return problem


def _check_setting(lam, eta, eps, c):
    return (check_nonnegative("lam", lam), check_positive("eta", eta),
            check_positive("eps", eps), check_positive("c", c))


def _rescaled_init(problem: RidgeProblem, nu2: float) -> RidgeProblem:
    """The same problem with its initialisation rescaled to variance ``nu2``."""
    if problem.nu2 is None or problem.nu2 <= 0:
        raise ValueError("the problem's init must have been sampled with nu2 > 0 to be rescaled")
    k = np.sqrt(nu2 / problem.nu2)
    scaled = replace(problem, init=problem.init * k, nu2=nu2)
    spec = problem.spectrum
    # the spectrum is linear in the init: rescale it instead of recomputing
    scaled.__dict__["spectrum"] = replace(
        spec, init_coords=spec.init_coords * k, null_init_sq=spec.null_init_sq * k * k,
        null_cross=spec.null_cross * k, init_norm_sq=spec.init_norm_sq * k * k)
    return scaled


def exact_elasticities(problem: RidgeProblem, *, lam, eta, eps, c, rel_step=0.02) -> dict:
    """Measured elasticities of the exact t1, t2 in ``eta``, ``lam`` and ``nu2``.

    Central differences in log space of the exact integer times on the same
    sampled problem (``nu2`` rescales the same initial draw).

    Parameters
    ----------
    problem : RidgeProblem
    lam : float
        Weight decay ``>= 0``.
    eta, eps, c : float
        ``> 0``.
    rel_step : float
        Relative step of the parameter, ``> 0`` (integer rounding of the times
        adds an error of about ``1 / (t * rel_step)``).

    Returns
    -------
    dict
        ``{"t1": {p: e}, "t2": {p: e}}``; None where a time is undefined, and
        for ``lam`` when ``lam = 0`` (no relative step away from 0).

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.control import exact_elasticities
    >>> e = exact_elasticities(sample_problem(seed=0), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    >>> abs(e["t2"]["lam"] + 1) < 0.01
    True
    """
    problem = _check_problem(problem)
    lam, eta, eps, c = _check_setting(lam, eta, eps, c)
    rel_step = check_positive("rel_step", rel_step)
    up, down = 1.0 + rel_step, 1.0 / (1.0 + rel_step)

    def times(p, lam_, eta_):
        r = grokking_times(p, lam=lam_, eta=eta_, eps=eps, c=c)
        return r.t1, r.t2

    out = {"t1": {}, "t2": {}}
    variants = {
        "lam": ((problem, lam * up, eta), (problem, lam * down, eta)),
        "eta": ((problem, lam, eta * up), (problem, lam, eta * down)),
    }
    if lam == 0:
        del variants["lam"]
        out["t1"]["lam"] = out["t2"]["lam"] = None
    if problem.nu2 is not None and problem.nu2 > 0:
        variants["nu2"] = ((_rescaled_init(problem, problem.nu2 * up), lam, eta),
                           (_rescaled_init(problem, problem.nu2 * down), lam, eta))
    for name, (hi, lo) in variants.items():
        t_hi, t_lo = times(*hi), times(*lo)
        for k, key in enumerate(("t1", "t2")):
            a, b = t_hi[k], t_lo[k]
            ok = a is not None and b is not None and a > 0 and b > 0
            out[key][name] = float(np.log(a / b) / np.log(up / down)) if ok else None
    return out


def grokking_onset_nu2(problem: RidgeProblem, *, lam, eta, eps, c, lower=1e-8, upper=1e4,
                       rtol=1e-6):
    """Smallest initialisation variance at which the exact dynamics grok.

    Rescales the problem's initial draw (same direction) and bisects in
    ``log nu2`` on the predicate "overfitting phase exists and
    ``t2 - t1 > 0``" using the exact times.

    Parameters
    ----------
    problem : RidgeProblem
        Sampled with ``nu2 > 0``.
    lam : float
        Weight decay ``>= 0``.
    eta, eps, c : float
        ``> 0``.
    lower, upper : float
        Search bracket for ``nu2``, ``0 < lower < upper``.
    rtol : float
        Relative tolerance on the threshold, ``> 0``.

    Returns
    -------
    float or None
        None when the predicate does not change sign on the bracket (or is
        not monotone at its ends): grokking at every ``nu2`` or at none.

    Notes
    -----
    The predicate is monotone in ``nu2`` for the problems we have checked,
    but this is not proven; the result is the bracketed sign change.  Cost:
    ``O(log(log(upper/lower)/rtol))`` exact-time evaluations, about 1 ms each.

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.control import grokking_onset_nu2
    >>> nu2 = grokking_onset_nu2(sample_problem(seed=0), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    >>> 0.001 < nu2 < 0.1
    True
    """
    problem = _check_problem(problem)
    lam, eta, eps, c = _check_setting(lam, eta, eps, c)
    lower, upper = check_positive("lower", lower), check_positive("upper", upper)
    if not lower < upper:
        raise ValueError(f"upper must be > lower, got lower={lower}, upper={upper}")
    rtol = check_positive("rtol", rtol)

    def groks(nu2):
        r = grokking_times(_rescaled_init(problem, nu2), lam=lam, eta=eta, eps=eps, c=c)
        return r.groks

    lo, hi = np.log(lower), np.log(upper)
    if groks(lower) or not groks(upper):
        return None
    while hi - lo > rtol:
        mid = 0.5 * (lo + hi)
        if groks(np.exp(mid)):
            hi = mid
        else:
            lo = mid
    return float(np.exp(hi))


@dataclass(frozen=True)
class ControlReport(ResultMixin):
    """Thresholds and sensitivities for one setting (see :func:`control_report`)."""

    lam_star: float
    lam_star_marchenko_pastur: float
    nu2_vacuity_threshold: float
    nu2_onset_exact: float | None
    t2_point_estimate: float
    elasticities_eq8: dict
    elasticities_exact: dict
    notes: tuple = ()


def control_report(problem: RidgeProblem, *, lam, eta, eps, c) -> ControlReport:
    """All control quantities for a sampled problem and setting.

    Parameters
    ----------
    problem : RidgeProblem
        Sampled with ``nu2 > 0`` and ``m > n``.
    lam : float
        Weight decay ``>= 0``; ``lam = 0`` (no weight decay) gives the
        ``lam``-independent thresholds, an infinite t2 estimate unless ``c`` is
        above the initial loss, and no elasticities in ``lam`` (with a note).
    eta, eps, c : float
        ``> 0``.

    Returns
    -------
    ControlReport
        ``lam_star`` (Eq. (8) with the sample ``lmin_plus``) and its
        Marchenko-Pastur version; the
        ``nu2`` below which Eq. (8) is vacuous and the exact ``nu2`` at which
        grokking starts; the ``t2`` point estimate; elasticities of the Eq. (8)
        bounds and of the exact times.

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.control import control_report
    >>> rep = control_report(sample_problem(seed=0), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    >>> rep.nu2_onset_exact < rep.nu2_vacuity_threshold
    True
    """
    lam, eta, eps, c = _check_setting(lam, eta, eps, c)
    problem = _check_problem(problem)
    n, m, nu2 = problem.n, problem.m, problem.nu2
    if m <= n:
        raise ValueError(f"m must be > n for the control thresholds (got n={n}, m={m}): "
                         "without a null space the theory predicts no grokking")
    dynamics(problem, lam=lam, eta=eta)   # raises a clear error if GD diverges
    spec = problem.spectrum
    notes = []
    if eps != c:
        notes.append("Eq. (8) assumes c = eps; lam_star and the nu2 threshold use eps")
    if lam == 0:
        notes.append("lam = 0 (no weight decay): the null-space part of theta(0) never decays, "
                     "so the t2 estimate is inf (never) unless c is above the initial loss; "
                     "elasticities in lam are undefined (null)")
    return ControlReport(
        lam_star=float(lam_star(n, m, nu2, eps, spec.lmin_plus)),
        lam_star_marchenko_pastur=float(lam_star(n, m, nu2, eps)),
        nu2_vacuity_threshold=float(nu2_vacuity_threshold(n, m, eps)),
        nu2_onset_exact=grokking_onset_nu2(problem, lam=lam, eta=eta, eps=eps, c=c),
        t2_point_estimate=t2_point_estimate(n, m, nu2, c, eta, lam,
                                            float(np.sqrt(spec.teacher_norm_sq)),
                                            spec.feature_variance),
        elasticities_eq8=eq8_elasticities(n, m, nu2, eps),
        elasticities_exact=exact_elasticities(problem, lam=lam, eta=eta, eps=eps, c=c),
        notes=tuple(notes))
