"""Symbolic layer: the bounds and thresholds derived in sympy from the dynamics.

Nothing here is a typed-in final formula.  Each bound starts from an envelope
of the closed-form dynamics (Xu, Vardi & Safran 2026, Sec. 4), is solved for
``t`` by sympy, and the paper's inequality steps are applied as explicit
substitutions on that solution (the validity range of each Taylor step is
itself computed, :func:`taylor_validity`).  The chain is

* test side: :func:`envelope_test_loss` -> :func:`t2_lower_pre_taylor`
  -> Eq. (7) :func:`t2_lower_eq7`; pre-Taylor -> Eq. (8) :func:`t2_lower_eq8`;
* train side: :func:`envelope_train_loss` -> :func:`t1_upper_pre_taylor`
  -> Eq. (6) :func:`t1_upper_eq6` -> Eq. (8) :func:`t1_upper_eq8`;
* thresholds: :func:`lam_star`, :func:`nu2_vacuity_threshold`,
  :func:`t2_point_estimate` (an estimate, not a bound), :func:`elasticities`.

Every function returns a :class:`sympy.Expr` in the symbols of
:data:`SYMBOLS`; :func:`solve_for` solves any of them for any parameter,
:func:`to_latex` exports one, and :func:`numeric` converts one *once* with
:func:`sympy.lambdify` (positional order :data:`ARGUMENT_ORDER`).

The numeric layer (:mod:`theory.ridge.bounds`, :mod:`theory.ridge.control`)
agrees with these expressions to rounding (``tests/test_ridge_symbolic.py``).
This module imports sympy and is not imported by ``import theory.ridge``.
"""

from __future__ import annotations

from types import SimpleNamespace

import sympy as sp

from theory import _symbolic

__all__ = [
    "ARGUMENT_ORDER",
    "SYMBOLS",
    "elasticities",
    "envelope_test_loss",
    "envelope_train_loss",
    "lam_star",
    "lambdify_expr",
    "marchenko_pastur_lmin",
    "nu2_vacuity_threshold",
    "numeric",
    "rho_definition",
    "solve_for",
    "t1_upper_eq6",
    "t1_upper_eq8",
    "t1_upper_pre_taylor",
    "t2_lower_eq7",
    "t2_lower_eq8",
    "t2_lower_pre_taylor",
    "t2_point_estimate",
    "taylor_validity",
    "to_latex",
]

_pos = {"positive": True, "real": True}
SYMBOLS = SimpleNamespace(
    n=sp.Symbol("n", **_pos), m=sp.Symbol("m", **_pos), nu2=sp.Symbol("nu2", **_pos),
    lam=sp.Symbol("lam", **_pos), eta=sp.Symbol("eta", **_pos), eps=sp.Symbol("eps", **_pos),
    c=sp.Symbol("c", **_pos), sigma_min=sp.Symbol("sigma_min", **_pos),
    teacher_norm=sp.Symbol("teacher_norm", nonnegative=True, real=True),
    lmin_plus=sp.Symbol("lmin_plus", **_pos), b2=sp.Symbol("b2", **_pos),
    init_norm_sq=sp.Symbol("init_norm_sq", **_pos), lbar=sp.Symbol("lbar", **_pos),
    rho=sp.Symbol("rho", **_pos), t=sp.Symbol("t", nonnegative=True, real=True),
    sigma=sp.Symbol("sigma", **_pos))
"""The symbols (attributes of a namespace, e.g. ``SYMBOLS.lam``).

All are positive reals except ``teacher_norm`` and ``t`` (non-negative).
``n``, ``m``: samples and features; ``nu2``: init variance; ``lam``: weight
decay; ``eta``: step size; ``eps``, ``c``: train / test loss thresholds;
``sigma_min = lambda_min(Sigma)``; ``teacher_norm = ||theta*||``;
``lmin_plus``: smallest positive eigenvalue of ``Phi^T Phi``; ``b2 = b^2``
with ``b >= ||phi(x)||``; ``init_norm_sq = ||theta(0)||^2``;
``lbar = ||Phi||_F^2/n``; ``rho``: row-space rate (see
:func:`rho_definition`); ``t``: step; ``sigma``: isotropic covariance
``Sigma = sigma I`` of the point estimate.
"""

_S = SYMBOLS

ARGUMENT_ORDER = (_S.n, _S.m, _S.nu2, _S.c, _S.eps, _S.eta, _S.lam, _S.sigma_min,
                  _S.teacher_norm, _S.sigma, _S.lmin_plus, _S.b2, _S.lbar, _S.init_norm_sq,
                  _S.rho, _S.t)
"""Positional argument order of the functions made by :func:`numeric`.

A compiled expression takes the symbols it contains in this order (symbols it
does not contain are skipped).  The order matches the signatures of the
numeric layer (:mod:`theory.ridge.bounds`, :mod:`theory.ridge.control`)
except :func:`theory.ridge.bounds.eq6_t1_upper`, whose ``eps`` comes last;
call by keyword to be safe.
"""

_x = sp.Symbol("x", positive=True)   # a power g^t or rho^t, solved for first
_g = 1 - _S.eta * _S.lam             # null-space rate


def rho_definition() -> sp.Expr:
    r"""The row-space rate ``rho = 1 - eta lmin_plus/n - eta lam`` as an expression.

    :func:`envelope_train_loss` keeps ``rho`` as the symbol ``SYMBOLS.rho``
    (the numeric pre-Taylor bound takes it as an input); :func:`t1_upper_eq6`
    uses this definition for its logarithm step.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> from theory.ridge.symbolic import rho_definition
    >>> print(rho_definition())
    -eta*lam - eta*lmin_plus/n + 1
    """
    return 1 - _S.eta * _S.lmin_plus / _S.n - _S.eta * _S.lam


def envelope_test_loss() -> sp.Expr:
    r"""Lower envelope of ``sqrt(L(t))`` from the null-space dynamics.

    Returns
    -------
    sympy.Expr
        ``sqrt(sigma_min) ((1 - eta lam)^t sqrt((m-n) nu2/2) - ||theta*||)``.

    Notes
    -----
    The data never see the null space, where
    :math:`\theta_\perp(t) = g^t\theta_\perp(0)` with :math:`g = 1-\eta\lambda`,
    so :math:`\|\theta_\perp(t)\|^2 = g^{2t}\|\theta_\perp(0)\|^2`, and
    :math:`\|\theta_\perp(0)\|^2 \ge (m-n)\nu^2/2` with probability
    :math:`\ge 1-2e^{-(m-n)/32}` (Theorem 4.1).  With
    :math:`L \ge \lambda_{\min}(\Sigma)\|\theta-\theta^*\|^2` and the triangle
    inequality (Theorem 4.2's proof):

    .. math:: \sqrt{L(t)} \ge \sqrt{\lambda_{\min}(\Sigma)}
              \left(g^t\sqrt{(m-n)\nu^2/2} - \|\theta^*\|\right)

    Examples
    --------
    >>> from theory.ridge.symbolic import envelope_test_loss
    >>> print(envelope_test_loss())
    sqrt(sigma_min)*(sqrt(2)*sqrt(nu2)*sqrt(m - n)*(-eta*lam + 1)**t/2 - teacher_norm)
    """
    return sp.sqrt(_S.sigma_min) * (_g ** _S.t * sp.sqrt((_S.m - _S.n) * _S.nu2 / 2)
                                    - _S.teacher_norm)


def envelope_train_loss() -> sp.Expr:
    r"""Upper envelope of the training loss: ``6 Lbar rho^(2t) ||theta(0)||^2``.

    Returns
    -------
    sympy.Expr

    Notes
    -----
    :math:`L_n(t) \le 6\bar L\rho^{2t}\|\theta(0)\|^2` with
    :math:`\rho = 1-\eta\lambda^+_{\min}/n-\eta\lambda` the slowest row-space
    rate (Theorem 4.2's proof; Theorem 4.1 has :math:`\bar L/2` for the zero
    teacher).  ``rho`` is kept as a symbol; see :func:`rho_definition`.

    Examples
    --------
    >>> from theory.ridge.symbolic import envelope_train_loss
    >>> print(envelope_train_loss())
    6*init_norm_sq*lbar*rho**(2*t)
    """
    return 6 * _S.lbar * _S.rho ** (2 * _S.t) * _S.init_norm_sq


def _crossing_power(envelope: sp.Expr, base: sp.Expr, target: sp.Expr) -> sp.Expr:
    """The positive root ``x = base^t`` of ``envelope(t) = target`` (solved by sympy)."""
    in_x = envelope.subs(base ** _S.t, _x).subs(base ** (2 * _S.t), _x ** 2)
    if in_x.has(_S.t):
        raise ArithmeticError(f"envelope is not a polynomial in {base}**t: {envelope}")
    # keep the root that is positive whenever it is real (drop the mirrored -root)
    roots = [r for r in sp.solve(sp.Eq(in_x, target), _x)
             if r.is_positive is not False and not r.could_extract_minus_sign()]
    if len(roots) != 1:
        raise ArithmeticError(f"expected one positive root, got {roots}")
    return roots[0]


def _solve_envelope_for_t(envelope: sp.Expr, base: sp.Expr, target: sp.Expr) -> sp.Expr:
    """``t = ln X / ln(base)`` with ``X = base^t`` the crossing of ``envelope = target``."""
    return sp.log(_crossing_power(envelope, base, target)) / sp.log(base)


def _map_log_arguments(expr: sp.Expr, func, keep=()) -> sp.Expr:
    """Apply ``func`` to the argument of every ``log`` in ``expr`` except those in ``keep``."""
    return expr.replace(lambda e: isinstance(e, sp.log) and e not in keep,
                        lambda e: sp.log(func(e.args[0])))


def _in_paper_form(expr: sp.Expr) -> sp.Expr:
    """Rewrite ``ln X`` as ``-ln(X^-2)/2`` so the bound reads ``ln(positive)/(...)``."""
    return expr.replace(lambda e: isinstance(e, sp.log),
                        lambda e: -sp.log(sp.simplify(e.args[0] ** -2)) / 2)


def _taylor_step(pre_taylor: sp.Expr, log_rate: sp.Expr, replacement: sp.Expr) -> sp.Expr:
    """Replace ``log_rate`` (a ``log(rate)``) in the pre-Taylor bound by ``replacement``."""
    if not pre_taylor.has(log_rate):
        raise ArithmeticError(f"{log_rate} does not occur in {pre_taylor}")
    return _in_paper_form(pre_taylor.subs(log_rate, replacement))


def t2_lower_pre_taylor() -> sp.Expr:
    r"""Pre-Taylor lower bound on t2: the test envelope solved at ``sqrt(c)``.

    Returns
    -------
    sympy.Expr
        In ``n, m, nu2, c, eta, lam, sigma_min, teacher_norm``.

    Notes
    -----
    Before :math:`t_2` the loss is above :math:`c`, so :math:`t_2` is at
    least the step at which the lower envelope of :math:`\sqrt{L}`
    (:func:`envelope_test_loss`) reaches :math:`\sqrt c`.  Sympy solves the
    envelope for :math:`X = g^t`, then :math:`t = \ln X/\ln g`:

    .. math:: t_2 \ge \frac{\ln\left(\sqrt{2/((m-n)\nu^2)}\,
              (\sqrt{c/\lambda_{\min}(\Sigma)} + \|\theta^*\|)\right)}{\ln(1-\eta\lambda)}

    (spec: pre-Taylor form of Eq. (7)).  Valid while :math:`X < 1` (else the
    bound is negative: vacuous).

    Examples
    --------
    >>> from theory.ridge.symbolic import t2_lower_pre_taylor, SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.c: 0.01, S.eta: 1, S.lam: 1e-4,
    ...         S.sigma_min: 1e-3, S.teacher_norm: 1}
    >>> round(float(t2_lower_pre_taylor().subs(vals)), 1)
    16284.8
    """
    return _solve_envelope_for_t(envelope_test_loss(), _g, sp.sqrt(_S.c))


def t2_lower_eq7() -> sp.Expr:
    r"""Eq. (7): the pre-Taylor t2 bound with ``-ln(1 - x) <= 2x``.

    Returns
    -------
    sympy.Expr
        In ``n, m, nu2, c, eta, lam, sigma_min, teacher_norm``.

    Notes
    -----
    In :func:`t2_lower_pre_taylor` both :math:`\ln X` and
    :math:`\ln(1-\eta\lambda)` are negative (non-vacuous case), so replacing
    :math:`\ln(1-\eta\lambda)` by :math:`-2\eta\lambda \le \ln(1-\eta\lambda)`
    (valid for :math:`\eta\lambda \le 1/2`; exactly, up to 0.797, see
    :func:`taylor_validity`) lowers the bound and keeps it valid:

    .. math:: t_2 \ge \frac{1}{4\eta\lambda}\ln\frac{(m-n)\nu^2/2}
              {(\sqrt{c/\lambda_{\min}(\Sigma)} + \|\theta^*\|)^2}

    Examples
    --------
    >>> from theory.ridge.symbolic import t2_lower_eq7, SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.c: 0.01, S.eta: 1, S.lam: 1e-4,
    ...         S.sigma_min: 1e-3, S.teacher_norm: 1}
    >>> round(float(t2_lower_eq7().subs(vals)), 2)
    8142.81
    """
    return _taylor_step(t2_lower_pre_taylor(), sp.log(_g), -2 * _S.eta * _S.lam)


def t2_lower_eq8() -> sp.Expr:
    r"""Eq. (8), t2 side, derived from the pre-Taylor t2 bound.

    Returns
    -------
    sympy.Expr
        In ``n, m, nu2, eps, eta, lam``.

    Notes
    -----
    Steps applied to :func:`t2_lower_pre_taylor`, in order:

    1. Gaussian features :math:`N(0, I/m)`: :math:`c = \epsilon`,
       :math:`\lambda_{\min}(\Sigma) = 1/m`, :math:`\|\theta^*\| = 1`;
    2. :math:`\sqrt{\epsilon m} + 1 \le 2\sqrt{\epsilon m}`, i.e.
       :math:`(\sqrt{\epsilon m}+1)^2 \le 4\epsilon m` (valid for
       :math:`\epsilon m \ge 1`), which raises the crossing :math:`X` and so
       lowers the bound;
    3. :math:`-\ln(1-x) \le 1.01x` for :math:`x = \eta\lambda \le 0.01`
       (exactly, up to 0.0197, see :func:`taylor_validity`):

    .. math:: t_2 \ge \frac{\ln\frac{(m-n)\nu^2}{8 m \epsilon}}{2.02\,\eta\lambda}

    Examples
    --------
    >>> from theory.ridge.symbolic import t2_lower_eq8, SYMBOLS as S
    >>> print(t2_lower_eq8())
    50*log(nu2*(m - n)/(8*eps*m))/(101*eta*lam)
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: 0.01, S.eta: 1, S.lam: 1e-4}
    >>> round(float(t2_lower_eq8().subs(vals)), 2)
    11982.02
    """
    log_g = sp.log(_g)
    gaussian = t2_lower_pre_taylor().subs({_S.c: _S.eps, _S.sigma_min: 1 / _S.m,
                                           _S.teacher_norm: 1})
    raised = _map_log_arguments(gaussian, _replace_root_plus_one, keep=(log_g,))
    return _taylor_step(raised, log_g, -sp.Rational(101, 100) * _S.eta * _S.lam)


def _replace_root_plus_one(crossing: sp.Expr) -> sp.Expr:
    """Eq. (8)'s step ``sqrt(eps m) + 1 -> 2 sqrt(eps m)`` in the crossing ``X``."""
    r = sp.Symbol("r", positive=True)                  # r = sqrt(eps m)
    in_r = sp.factor(sp.simplify(crossing.subs(_S.eps, r ** 2 / _S.m)))
    stepped = in_r.subs(r + 1, 2 * r)
    if stepped == in_r:
        raise ArithmeticError(f"factor sqrt(eps m) + 1 not found in {crossing}")
    return sp.simplify(stepped.subs(r, sp.sqrt(_S.eps * _S.m)))


def t1_upper_pre_taylor() -> sp.Expr:
    r"""Pre-Taylor upper bound on t1: the training envelope solved at ``eps``.

    Returns
    -------
    sympy.Expr
        In ``eps, lbar, init_norm_sq, rho``.

    Notes
    -----
    After the step at which :func:`envelope_train_loss` reaches
    :math:`\epsilon`, the training loss is below :math:`\epsilon`, so
    :math:`t_1` is at most that step.  Sympy solves for :math:`X = \rho^t`:

    .. math:: t_1 \le \frac{1}{2}\,\frac{\ln(\epsilon/(6\bar L\|\theta(0)\|^2))}{\ln\rho}

    Examples
    --------
    >>> from theory.ridge.symbolic import t1_upper_pre_taylor, SYMBOLS as S
    >>> vals = {S.eps: 0.01, S.lbar: 1, S.init_norm_sq: 1000, S.rho: 0.995}
    >>> round(float(t1_upper_pre_taylor().subs(vals)), 2)
    1327.14
    """
    return _solve_envelope_for_t(envelope_train_loss(), _S.rho, _S.eps)


def t1_upper_eq6() -> sp.Expr:
    r"""Eq. (6): the pre-Taylor t1 bound with ``ln(rho) <= -eta lmin_plus/n``, ``Lbar <= b^2``.

    Returns
    -------
    sympy.Expr
        In ``n, eta, lmin_plus, b2, init_norm_sq, eps``.

    Notes
    -----
    In :func:`t1_upper_pre_taylor` the numerator :math:`\ln X` is negative
    (:math:`\epsilon < 6\bar L\|\theta(0)\|^2`) and
    :math:`\ln\rho \le \rho - 1 = -\eta(\lambda^+_{\min}/n + \lambda) \le
    -\eta\lambda^+_{\min}/n` (:func:`rho_definition`, dropping
    :math:`\lambda \ge 0`), so the replacement can only raise the upper bound;
    then :math:`\bar L \le b^2` (:math:`b \ge \|\phi(x)\|`):

    .. math:: t_1 \le \frac{n}{2\eta\lambda_{\min}^+}\ln\frac{6 b^2\|\theta(0)\|^2}{\epsilon}

    Examples
    --------
    >>> from theory.ridge.symbolic import t1_upper_eq6, SYMBOLS as S
    >>> print(t1_upper_eq6())
    n*log(6*b2*init_norm_sq/eps)/(2*eta*lmin_plus)
    >>> vals = {S.n: 100, S.eta: 1, S.lmin_plus: 0.5, S.b2: 1, S.init_norm_sq: 1000,
    ...         S.eps: 0.01}
    >>> round(float(t1_upper_eq6().subs(vals)), 2)
    1330.47
    """
    log_rho_upper = (rho_definition() - 1).subs(_S.lam, 0)   # ln(rho) <= rho - 1 <= this
    return _taylor_step(t1_upper_pre_taylor(), sp.log(_S.rho), log_rho_upper).subs(
        _S.lbar, _S.b2)


def t1_upper_eq8() -> sp.Expr:
    r"""Eq. (8), t1 side: Eq. (6) with ``6 b^2 ||theta(0)||^2 <= 14 m nu2``.

    Returns
    -------
    sympy.Expr
        In ``n, m, nu2, eps, eta, lmin_plus``.

    Notes
    -----
    Only the product :math:`6b^2\|\theta(0)\|^2` enters Eq. (6); for
    :math:`N(0, I/m)` features the paper bounds it by :math:`14m\nu^2` with
    high probability (one reading: :math:`b^2 \le 7/6` and
    :math:`\|\theta(0)\|^2 \le 2m\nu^2`).

    .. math:: t_1 \le \frac{n}{2\eta\lambda_{\min}^+}\ln\frac{14 m\nu^2}{\epsilon}

    Without a sampled :math:`\Phi`, ``lmin_plus`` may be set to the
    (asymptotic) Marchenko-Pastur edge :math:`(1-\sqrt{n/m})^2`.

    Examples
    --------
    >>> from theory.ridge.symbolic import t1_upper_eq8, SYMBOLS as S
    >>> print(t1_upper_eq8())
    n*log(14*m*nu2/eps)/(2*eta*lmin_plus)
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: 0.01, S.eta: 1, S.lmin_plus: 0.5}
    >>> round(float(t1_upper_eq8().subs(vals)), 2)
    1415.2
    """
    eq6 = t1_upper_eq6()
    out = eq6.subs(_S.b2 * _S.init_norm_sq, sp.Rational(14, 6) * _S.m * _S.nu2)
    if out.has(_S.b2) or out.has(_S.init_norm_sq):
        raise ArithmeticError(f"product b2*init_norm_sq not found in {eq6}")
    return out


def lam_star() -> sp.Expr:
    r"""The weight decay at which Eq. (8)'s t2 lower bound equals its t1 upper bound.

    Returns
    -------
    sympy.Expr
        In ``n, m, nu2, eps, lmin_plus`` (``eta`` cancels).

    Notes
    -----
    ``sympy.solve`` of :func:`t2_lower_eq8` = :func:`t1_upper_eq8` for
    :math:`\lambda`:

    .. math:: \lambda^* = \frac{2\lambda_{\min}^+ \ln\frac{(m-n)\nu^2}{8 m\epsilon}}
                               {2.02\, n \ln\frac{14 m \nu^2}{\epsilon}}

    For :math:`\lambda < \lambda^*` the bounds certify grokking
    (:math:`t_2 > t_1`); negative when Eq. (8) is vacuous for every
    :math:`\lambda` (see :func:`nu2_vacuity_threshold`).

    Examples
    --------
    >>> from theory.ridge.symbolic import lam_star
    >>> print(lam_star())
    100*lmin_plus*log(nu2*(m - n)/(8*eps*m))/(101*n*log(14*m*nu2/eps))
    """
    sols = sp.solve(sp.Eq(t2_lower_eq8(), t1_upper_eq8()), _S.lam)
    if len(sols) != 1:
        raise ArithmeticError(f"expected one solution for lam*, got {sols}")
    return sp.simplify(sols[0])


def nu2_vacuity_threshold() -> sp.Expr:
    r"""The ``nu2`` at and below which Eq. (8)'s t2 bound is vacuous.

    Returns
    -------
    sympy.Expr
        ``8 m eps / (m - n)``.

    Notes
    -----
    ``sympy.solve`` of :func:`t2_lower_eq8` = 0 for :math:`\nu^2` (the log
    argument equals 1).  Below it the bound is negative; a small init
    variance eliminates the certified delay.

    Examples
    --------
    >>> from theory.ridge.symbolic import nu2_vacuity_threshold
    >>> print(nu2_vacuity_threshold())
    8*eps*m/(m - n)
    """
    sols = sp.solve(sp.Eq(t2_lower_eq8(), 0), _S.nu2)
    if len(sols) != 1:
        raise ArithmeticError(f"expected one threshold, got {sols}")
    return sp.factor(sols[0])


def t2_point_estimate(sigma=None) -> sp.Expr:
    r"""Point estimate of t2 (an *estimate*, not a bound).

    Parameters
    ----------
    sigma : sympy.Expr, number or None
        Isotropic population covariance ``Sigma = sigma I``.  None (default)
        is ``1/m`` (Gaussian features ``N(0, I/m)``); pass ``SYMBOLS.sigma``
        for the general expression.

    Returns
    -------
    sympy.Expr
        In ``n, m, nu2, c, eta, lam, teacher_norm`` (and ``sigma`` if given
        as a symbol).

    Notes
    -----
    Once the row space has converged, the mean null-space loss is
    :math:`L(t) \approx \sigma[g^{2t}(m-n)\nu^2 + \frac{m-n}{m}\|\theta^*\|^2]`
    with :math:`g = 1-\eta\lambda` (:math:`\mathbb E\|\theta_\perp(0)\|^2 = (m-n)\nu^2`,
    :math:`\mathbb E\|P_\perp\theta^*\|^2 = \frac{m-n}{m}\|\theta^*\|^2`).
    Sympy solves :math:`L = c` for :math:`t`:

    .. math:: \hat t_2 = \frac{\ln\left((c/\sigma - \frac{m-n}{m}\|\theta^*\|^2)
              / ((m-n)\nu^2)\right)}{2\ln(1-\eta\lambda)}

    Not real (no crossing) when the floor :math:`\sigma\frac{m-n}{m}\|\theta^*\|^2`
    is above :math:`c`.

    Examples
    --------
    >>> from theory.ridge.symbolic import t2_point_estimate, SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.c: 0.01, S.eta: 1, S.lam: 1e-4,
    ...         S.teacher_norm: 1}
    >>> round(float(t2_point_estimate().subs(vals)))
    22969
    >>> round(float(t2_point_estimate(S.sigma).subs(vals).subs(S.sigma, 1e-3)))
    22969
    """
    sigma = 1 / _S.m if sigma is None else sp.sympify(sigma)
    loss = sigma * (_g ** (2 * _S.t) * (_S.m - _S.n) * _S.nu2
                    + (_S.m - _S.n) / _S.m * _S.teacher_norm ** 2)
    return _solve_envelope_for_t(loss, _g, _S.c)


def elasticities(params=("eta", "lam", "nu2", "n", "m"), lmin_plus=None) -> dict:
    r"""Elasticities ``d ln(bound) / d ln(p)`` of the Eq. (8) bounds.

    Parameters
    ----------
    params : sequence of str
        Names in :data:`SYMBOLS`.
    lmin_plus : sympy.Expr or None
        None holds ``lmin_plus`` fixed (a sampled spectrum); an expression is
        substituted before differentiating, e.g. :func:`marchenko_pastur_lmin`.

    Returns
    -------
    dict
        ``{"t1": {name: Expr}, "t2": {name: Expr}}`` for
        :func:`t1_upper_eq8` and :func:`t2_lower_eq8`.

    Notes
    -----
    :math:`p\,\partial_p \ln T` by ``sympy.diff``.  By default
    ``lmin_plus`` is held fixed (compare
    :func:`theory.ridge.control.eq8_elasticities` with ``lmin_model="fixed"``;
    with ``lmin_plus=marchenko_pastur_lmin()``, ``lmin_model="marchenko_pastur"``).
    ``t2`` scales exactly as :math:`1/\lambda` and :math:`1/\eta`; ``t1`` as
    :math:`1/\eta`, :math:`n` and not with :math:`\lambda`; the :math:`\nu^2`
    elasticities are :math:`1/\ln(\cdot)` of each bound's log argument.

    Examples
    --------
    >>> from theory.ridge.symbolic import elasticities
    >>> e = elasticities()
    >>> e["t2"]["lam"], e["t2"]["eta"], e["t1"]["lam"], e["t1"]["n"]
    (-1, -1, 0, 1)
    >>> print(e["t2"]["nu2"])
    1/log(nu2*(m - n)/(8*eps*m))
    >>> from theory.ridge.symbolic import marchenko_pastur_lmin, SYMBOLS as S
    >>> mp = elasticities(lmin_plus=marchenko_pastur_lmin())
    >>> round(float(mp["t1"]["n"].subs({S.n: 100, S.m: 1000})), 4)
    1.4625
    """
    out = {}
    bounds = {"t1": t1_upper_eq8(), "t2": t2_lower_eq8()}
    if lmin_plus is not None:
        bounds = {k: v.subs(_S.lmin_plus, lmin_plus) for k, v in bounds.items()}
    for key, expr in bounds.items():
        out[key] = {name: sp.simplify(sp.diff(sp.log(expr), getattr(_S, name))
                                      * getattr(_S, name))
                    for name in params}
    return out


def marchenko_pastur_lmin() -> sp.Expr:
    r"""Marchenko-Pastur edge ``(1 - sqrt(n/m))^2`` for ``lmin_plus`` (asymptotic).

    Returns
    -------
    sympy.Expr

    Notes
    -----
    For i.i.d. feature entries of variance :math:`1/m`, the smallest
    positive eigenvalue of :math:`\Phi^T\Phi` tends to
    :math:`(\sqrt m - \sqrt n)^2/m` as :math:`n, m\to\infty` at a fixed
    ratio: an approximation, not a bound.

    Examples
    --------
    >>> from theory.ridge.symbolic import marchenko_pastur_lmin
    >>> print(marchenko_pastur_lmin())
    (1 - sqrt(n)/sqrt(m))**2
    """
    return (1 - sp.sqrt(_S.n / _S.m)) ** 2


def taylor_validity(coefficient) -> float:
    r"""Largest ``x`` with ``-ln(1 - x) <= coefficient * x`` on ``[0, x]``.

    Parameters
    ----------
    coefficient : number
        Greater than 1.

    Returns
    -------
    float

    Notes
    -----
    :math:`f(x) = kx + \ln(1-x)` starts at 0, rises while
    :math:`x < 1 - 1/k` and falls after; the answer is its positive root.
    :math:`k = 2` gives 0.797 (Eq. (7) uses the step for
    :math:`\eta\lambda \le 1/2`); :math:`k = 1.01` gives 0.0197, so Eq. (8)'s
    :math:`\eta\lambda \le 0.01` is safely inside.

    Examples
    --------
    >>> from theory.ridge.symbolic import taylor_validity
    >>> round(taylor_validity(2), 4), round(taylor_validity(1.01), 4)
    (0.7968, 0.0197)
    """
    coefficient = sp.nsimplify(coefficient)
    f = coefficient * _x + sp.log(1 - _x)
    peak = sp.solve(sp.diff(f, _x), _x)[0]
    import mpmath

    with mpmath.workdps(30):   # independent of the caller's global mpmath precision
        return float(sp.nsolve(f, _x, (peak, sp.Float("0.9999999999")), solver="bisect"))


def _symbol(symbol):
    return getattr(_S, symbol) if isinstance(symbol, str) else symbol


def solve_for(expr: sp.Expr, symbol, target=0) -> list:
    """All solutions of ``expr = target`` for ``symbol`` (``sympy.solve``).

    Parameters
    ----------
    expr : sympy.Expr
        E.g. a bound with some parameters substituted.
    symbol : sympy.Symbol or str
        A symbol, or its name in :data:`SYMBOLS`.
    target : sympy.Expr or number, default 0

    Returns
    -------
    list of sympy.Expr

    Examples
    --------
    Which weight decay makes the Eq. (7) bound 1e5 steps at the paper defaults?

    >>> from theory.ridge.symbolic import solve_for, t2_lower_eq7, SYMBOLS as S
    >>> expr = t2_lower_eq7().subs({S.n: 100, S.m: 1000, S.nu2: 1, S.c: 0.01, S.eta: 1,
    ...                             S.sigma_min: 0.001, S.teacher_norm: 1})
    >>> [f"{float(s):.4g}" for s in solve_for(expr, "lam", target=10**5)]
    ['8.143e-06']

    Symbolically, Eq. (8)'s ``t2`` bound solved for ``nu2``:

    >>> from theory.ridge.symbolic import t2_lower_eq8
    >>> print(solve_for(t2_lower_eq8(), S.nu2, S.t))
    [8*eps*m*exp(101*eta*lam*t/50)/(m - n)]
    """
    return sp.solve(sp.Eq(expr, target), _symbol(symbol))


_LATEX_NAMES = {_S.eps: r"\epsilon", _S.nu2: r"\nu^2", _S.lam: r"\lambda", _S.eta: r"\eta",
                _S.lmin_plus: r"\lambda_{\min}^+", _S.sigma_min: r"\lambda_{\min}(\Sigma)",
                _S.teacher_norm: r"\|\theta^*\|", _S.init_norm_sq: r"\|\theta(0)\|^2",
                _S.lbar: r"\bar L", _S.b2: "b^2", _S.rho: r"\rho", _S.sigma: r"\sigma"}


def to_latex(expr: sp.Expr, **settings) -> str:
    r"""LaTeX source of ``expr`` in the paper's notation (``sympy.latex``).

    Parameters
    ----------
    expr : sympy.Expr
    **settings
        Passed on to :func:`sympy.latex` (e.g. ``ln_notation=True``).

    Returns
    -------
    str

    Examples
    --------
    >>> from theory.ridge.symbolic import to_latex, nu2_vacuity_threshold, t1_upper_eq8
    >>> print(to_latex(nu2_vacuity_threshold()))
    \frac{8 \epsilon m}{m - n}
    >>> print(to_latex(t1_upper_eq8(), ln_notation=True))
    \frac{n \ln{\left(\frac{14 m \nu^2}{\epsilon} \right)}}{2 \eta \lambda_{\min}^+}
    """
    return _symbolic.to_latex(expr, _LATEX_NAMES, **settings)


def numeric(expr: sp.Expr):
    """Convert ``expr`` once (``sympy.lambdify``) to a numpy-vectorised function.

    Parameters
    ----------
    expr : sympy.Expr

    Returns
    -------
    callable
        ``f(*args)`` or ``f(**kwargs)`` (names of :data:`SYMBOLS`; all
        required).  Positional order: the symbols of ``expr`` in
        :data:`ARGUMENT_ORDER` (any other symbols follow, sorted by name).
        Attributes: ``args`` (tuple of names in positional order) and
        ``expr``.  Lists and tuples are converted to arrays; arrays
        broadcast.

    Raises
    ------
    TypeError
        If ``expr`` is not a sympy expression.

    Notes
    -----
    ``log(1 + x)`` is rewritten as ``log1p(x)`` first, so
    ``ln(1 - eta lam)`` keeps its digits for tiny ``eta lam``.

    Examples
    --------
    >>> from theory.ridge.symbolic import numeric, t2_lower_eq8
    >>> f = numeric(t2_lower_eq8())
    >>> f.args
    ('n', 'm', 'nu2', 'eps', 'eta', 'lam')
    >>> round(float(f(n=100, m=1000, nu2=1.0, eps=0.01, eta=1.0, lam=1e-4)), 2)
    11982.02
    >>> [round(float(v)) for v in f(100, 1000, 1.0, 0.01, 1.0, [1e-4, 2e-4])]
    [11982, 5991]
    """
    return _symbolic.numeric(expr, ARGUMENT_ORDER)


lambdify_expr = numeric
"""Alias of :func:`numeric`."""
