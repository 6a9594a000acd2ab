"""Symbolic layer: the bounds and thresholds derived in sympy from the dynamics.

Nothing here is a typed-in final formula.  Each bound starts from an envelope
of the closed-form dynamics (Xu, Vardi & Safran 2026, Sec. 4), is solved for
``t`` by sympy, and the Taylor steps of the paper are applied as explicit
substitutions whose validity range is itself computed
(:func:`taylor_validity`).  Every function returns a :class:`sympy.Expr`;
:func:`numeric` converts one once with :func:`sympy.lambdify`.

The numeric layer (:mod:`theory.ridge.bounds`, :mod:`theory.ridge.control`)
agrees with these expressions to rounding (tested).
"""

from __future__ import annotations

from types import SimpleNamespace

import sympy as sp

__all__ = ["SYMBOLS", "envelope_test_loss", "envelope_train_loss", "t2_lower_pre_taylor",
           "t2_lower_eq7", "t2_lower_eq8", "t1_upper_pre_taylor", "t1_upper_eq6",
           "t1_upper_eq8", "lam_star", "nu2_vacuity_threshold", "t2_point_estimate",
           "elasticities", "taylor_validity", "solve_for", "to_latex", "numeric"]

_pos = dict(positive=True, real=True)
SYMBOLS = SimpleNamespace(
    n=sp.Symbol("n", **_pos), m=sp.Symbol("m", **_pos), nu2=sp.Symbol("nu2", **_pos),
    lam=sp.Symbol("lam", **_pos), eta=sp.Symbol("eta", **_pos), eps=sp.Symbol("eps", **_pos),
    c=sp.Symbol("c", **_pos), sigma_min=sp.Symbol("sigma_min", **_pos),
    teacher_norm=sp.Symbol("teacher_norm", nonnegative=True, real=True),
    lmin_plus=sp.Symbol("lmin_plus", **_pos), b2=sp.Symbol("b2", **_pos),
    init_norm_sq=sp.Symbol("init_norm_sq", **_pos), lbar=sp.Symbol("lbar", **_pos),
    rho=sp.Symbol("rho", **_pos), t=sp.Symbol("t", nonnegative=True, real=True),
    sigma=sp.Symbol("sigma", **_pos))
"""Positive real symbols; ``sigma_min = lambda_min(Sigma)``, ``b2 = b^2``,
``init_norm_sq = ||theta(0)||^2``, ``lbar = ||Phi||_F^2/n``, ``sigma`` the
isotropic covariance of the point estimate."""

_S = SYMBOLS
_x = sp.Symbol("x", positive=True)   # a power g^t or rho^t, solved for first


def envelope_test_loss() -> sp.Expr:
    r"""Lower envelope of ``sqrt(L(t))`` from the null-space dynamics.

    The data never see the null space, where ``theta_perp(t) = g^t theta_perp(0)``
    with ``g = 1 - eta lam``; ``||theta_perp(0)||^2 >= (m-n) nu2/2`` with
    probability ``>= 1 - 2 exp(-(m-n)/32)``; the teacher removes at most
    ``||theta*||``.  Returns ``sqrt(sigma_min) (g^t sqrt((m-n) nu2/2) - ||theta*||)``.

    Examples
    --------
    >>> from theory.ridge.symbolic import envelope_test_loss
    >>> envelope_test_loss().has(envelope_test_loss().free_symbols.pop())
    True
    """
    g = 1 - _S.eta * _S.lam
    return sp.sqrt(_S.sigma_min) * (g ** _S.t * sp.sqrt((_S.m - _S.n) * _S.nu2 / 2)
                                    - _S.teacher_norm)


def envelope_train_loss() -> sp.Expr:
    r"""Upper envelope of the training loss: ``6 Lbar rho^(2t) ||theta(0)||^2``.

    ``rho = 1 - eta lmin_plus/n - eta lam`` is the slowest row-space rate
    (Theorem 4.2's proof; Theorem 4.1 has ``Lbar/2`` for the zero teacher).

    Examples
    --------
    >>> from theory.ridge.symbolic import envelope_train_loss
    >>> print(envelope_train_loss())
    6*init_norm_sq*lbar*rho**(2*t)
    """
    return 6 * _S.lbar * _S.rho ** (2 * _S.t) * _S.init_norm_sq


def _crossing_power(envelope: sp.Expr, base: sp.Expr, target: sp.Expr) -> sp.Expr:
    """The positive root ``x = base^t`` of ``envelope(t) = target``."""
    in_x = envelope.subs(base ** _S.t, _x).subs(base ** (2 * _S.t), _x ** 2)
    # keep the root that is positive whenever it is real (drop the mirrored -root)
    roots = [r for r in sp.solve(sp.Eq(in_x, target), _x)
             if r.is_positive is not False and not r.could_extract_minus_sign()]
    if len(roots) != 1:
        raise ArithmeticError(f"expected one positive root, got {roots}")
    return roots[0]


def _t2_crossing() -> sp.Expr:
    """``X = g^t`` at which the test-loss envelope reaches ``sqrt(c)``."""
    return _crossing_power(envelope_test_loss(), 1 - _S.eta * _S.lam, sp.sqrt(_S.c))


def t2_lower_pre_taylor() -> sp.Expr:
    r"""Pre-Taylor lower bound on t2: the envelope of ``sqrt(L)`` solved at ``sqrt(c)``.

    Notes
    -----
    With ``X = g^t`` at the crossing, ``t = ln X / ln(1 - eta lam)``:

    .. math:: t_2 \ge \frac{\ln\left(\sqrt{2/((m-n)\nu^2)}\,
              (\sqrt{c/\lambda_{\min}(\Sigma)} + \|\theta^*\|)\right)}{\ln(1-\eta\lambda)}

    Examples
    --------
    >>> from theory.ridge.symbolic import t2_lower_pre_taylor, SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.c: 0.01, S.eta: 1, S.lam: 1e-4,
    ...         S.sigma_min: 1e-3, S.teacher_norm: 1}
    >>> round(float(t2_lower_pre_taylor().subs(vals)), 1)
    16284.8
    """
    return sp.log(_t2_crossing()) / sp.log(1 - _S.eta * _S.lam)


def _t1_crossing() -> sp.Expr:
    """``X = rho^t`` at which the training envelope reaches ``eps``."""
    return _crossing_power(envelope_train_loss(), _S.rho, _S.eps)


def _taylor_t2(crossing: sp.Expr, coefficient) -> sp.Expr:
    """``ln X / ln(1 - x)`` with ``-ln(1 - x) <= k x``: ``ln(X^-2) / (2 k eta lam)``.

    Valid as a lower bound when ``X < 1`` (a non-vacuous bound: ``ln X < 0``).
    """
    return sp.log(sp.simplify(crossing ** -2)) / (2 * coefficient * _S.eta * _S.lam)


def taylor_validity(coefficient) -> float:
    r"""Largest ``x`` with ``-ln(1 - x) <= coefficient * x`` on ``[0, x]``.

    ``f(x) = coefficient x + ln(1 - x)`` starts at 0, rises while
    ``x < 1 - 1/coefficient`` and falls after; the answer is its positive root.
    ``coefficient = 2`` gives 0.797 (Eq. (7) uses the step for
    ``eta lam <= 1/2``); ``1.01`` gives 0.0197, so Eq. (8)'s
    ``eta lam <= 0.01`` is safely inside.

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


def t2_lower_eq7() -> sp.Expr:
    r"""Eq. (7): the pre-Taylor bound with ``-ln(1 - x) <= 2x``.

    Notes
    -----
    For a non-vacuous bound the numerator ``ln X`` is negative, so a
    smaller denominator ``2 eta lam >= -ln(1 - eta lam)`` gives a smaller,
    still valid, lower bound:

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
    return _taylor_t2(_t2_crossing(), 2)


def t2_lower_eq8() -> sp.Expr:
    r"""Eq. (8), t2 side, from the pre-Taylor bound.

    Substitutions: ``c = eps``, ``sigma_min = 1/m``, ``||theta*|| = 1``; then
    ``sqrt(eps m) + 1 <= 2 sqrt(eps m)`` (valid for ``eps m >= 1``), which can
    only raise the crossing ``X`` and so lower the bound, and
    ``-ln(1 - x) <= 1.01 x`` (valid for ``x <= 0.0197``, see
    :func:`taylor_validity`):

    .. math:: t_2 \ge \frac{\ln\frac{(m-n)\nu^2}{8 m \epsilon}}{2.02\,\eta\lambda}

    Examples
    --------
    >>> from theory.ridge.symbolic import t2_lower_eq8, SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: 0.01, S.eta: 1, S.lam: 1e-4}
    >>> round(float(t2_lower_eq8().subs(vals)), 2)
    11982.02
    """
    crossing = _t2_crossing().subs({_S.c: _S.eps, _S.sigma_min: 1 / _S.m, _S.teacher_norm: 1})
    root = sp.sqrt(_S.eps * _S.m)
    raised = crossing * (2 * root) / (root + 1)      # the step (root + 1) -> 2 root
    return _taylor_t2(sp.simplify(raised), sp.Rational(101, 100))


def t1_upper_pre_taylor() -> sp.Expr:
    r"""Pre-Taylor upper bound on t1: the training envelope solved at ``eps``.

    .. math:: t_1 \le \frac{1}{2}\,\frac{\ln(\epsilon/(6\bar L\|\theta(0)\|^2))}{\ln\rho}

    Examples
    --------
    >>> from theory.ridge.symbolic import t1_upper_pre_taylor, SYMBOLS as S
    >>> vals = {S.eps: 0.01, S.lbar: 1, S.init_norm_sq: 1000, S.rho: 0.995}
    >>> round(float(t1_upper_pre_taylor().subs(vals)), 2)
    1327.14
    """
    return sp.log(_t1_crossing()) / sp.log(_S.rho)


def t1_upper_eq6() -> sp.Expr:
    r"""Eq. (6): ``-ln(rho) >= eta lmin_plus / n`` and ``Lbar <= b^2``.

    .. math:: t_1 \le \frac{n}{2\eta\lambda_{\min}^+}\ln\frac{6 b^2\|\theta(0)\|^2}{\epsilon}

    Examples
    --------
    >>> from theory.ridge.symbolic import t1_upper_eq6, SYMBOLS as S
    >>> vals = {S.n: 100, S.eta: 1, S.lmin_plus: 0.5, S.b2: 1, S.init_norm_sq: 1000,
    ...         S.eps: 0.01}
    >>> round(float(t1_upper_eq6().subs(vals)), 2)
    1330.47
    """
    # t1 <= ln X / ln(rho) with ln X < 0 and ln(rho) <= -eta lmin_plus/n < 0: replacing
    # ln(rho) by -eta lmin_plus/n can only increase the bound; then Lbar <= b^2
    crossing_sq = sp.simplify(_t1_crossing() ** -2).subs(_S.lbar, _S.b2)
    return _S.n * sp.log(crossing_sq) / (2 * _S.eta * _S.lmin_plus)


def t1_upper_eq8() -> sp.Expr:
    r"""Eq. (8), t1 side: Eq. (6) with ``6 b^2 ||theta(0)||^2 <= 14 m nu2``.

    Our reading of the constant: ``b^2 <= 7/6`` and ``||theta(0)||^2 <= 2 m nu2``
    with high probability for ``N(0, I/m)`` features (``6 * 7/6 * 2 = 14``).

    .. math:: t_1 \le \frac{n}{2\eta\lambda_{\min}^+}\ln\frac{14 m\nu^2}{\epsilon}

    Examples
    --------
    >>> from theory.ridge.symbolic import t1_upper_eq8, SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: 0.01, S.eta: 1, S.lmin_plus: 0.5}
    >>> round(float(t1_upper_eq8().subs(vals)), 2)
    1415.2
    """
    return t1_upper_eq6().subs({_S.b2: sp.Rational(7, 6), _S.init_norm_sq: 2 * _S.m * _S.nu2})


def lam_star() -> sp.Expr:
    r"""The weight decay at which Eq. (8)'s t2 lower bound equals its t1 upper bound.

    Solved by sympy; ``eta`` cancels.

    Examples
    --------
    >>> from theory.ridge.symbolic import lam_star
    >>> sorted(str(s) for s in lam_star().free_symbols)
    ['eps', 'lmin_plus', 'm', 'n', 'nu2']
    """
    sols = sp.solve(sp.Eq(t2_lower_eq8(), t1_upper_eq8()), _S.lam)
    if len(sols) != 1:
        raise ArithmeticError(f"expected one solution for lam*, got {sols}")
    return sp.simplify(sols[0])


def nu2_vacuity_threshold() -> sp.Expr:
    r"""``nu2`` at which Eq. (8)'s t2 bound is zero (log argument 1): ``8 m eps/(m-n)``.

    Examples
    --------
    >>> from theory.ridge.symbolic import nu2_vacuity_threshold
    >>> print(nu2_vacuity_threshold())
    8*eps*m/(m - n)
    """
    arg = [a for a in sp.preorder_traversal(t2_lower_eq8()) if isinstance(a, sp.log)][0].args[0]
    sols = sp.solve(sp.Eq(arg, 1), _S.nu2)
    if len(sols) != 1:
        raise ArithmeticError(f"expected one threshold, got {sols}")
    return sp.factor(sols[0])


def t2_point_estimate() -> sp.Expr:
    r"""Point estimate of t2 (an estimate, not a bound).

    Solves ``sigma [g^(2t) (m-n) nu2 + (m-n)/m ||theta*||^2] = c`` for ``t``,
    the mean null-space loss once the row space has converged.

    Examples
    --------
    >>> from theory.ridge.symbolic import t2_point_estimate, SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.c: 0.01, S.eta: 1, S.lam: 1e-4,
    ...         S.teacher_norm: 1, S.sigma: 1e-3}
    >>> 22000 < float(t2_point_estimate().subs(vals)) < 24000
    True
    """
    g = 1 - _S.eta * _S.lam
    loss = _S.sigma * (g ** (2 * _S.t) * (_S.m - _S.n) * _S.nu2
                       + (_S.m - _S.n) / _S.m * _S.teacher_norm ** 2)
    return sp.log(_crossing_power(loss, g, _S.c)) / sp.log(g)


def elasticities() -> dict:
    r"""``d ln t / d ln p`` of the Eq. (8) bounds for ``p`` in eta, lam, nu2, n, m.

    ``lmin_plus`` is held fixed (compare with
    :func:`theory.ridge.control.eq8_elasticities` with ``lmin_model="fixed"``).

    Returns
    -------
    dict
        ``{"t1": {name: Expr}, "t2": {name: Expr}}``.

    Examples
    --------
    >>> from theory.ridge.symbolic import elasticities
    >>> e = elasticities()
    >>> e["t2"]["lam"], e["t2"]["eta"], e["t1"]["lam"]
    (-1, -1, 0)
    """
    out = {}
    for key, expr in (("t1", t1_upper_eq8()), ("t2", t2_lower_eq8())):
        out[key] = {name: sp.simplify(sp.diff(sp.log(expr), getattr(_S, name))
                                      * getattr(_S, name))
                    for name in ("eta", "lam", "nu2", "n", "m")}
    return out


def solve_for(expr: sp.Expr, symbol, target) -> list:
    """All solutions of ``expr = target`` for ``symbol``.

    Examples
    --------
    >>> from theory.ridge.symbolic import solve_for, t2_lower_eq8, SYMBOLS as S
    >>> expr = t2_lower_eq8().subs({S.n: 100, S.m: 1000, S.nu2: 1, S.eps: 0.01, S.eta: 1})
    >>> [f"{float(s):.4g}" for s in solve_for(expr, S.lam, 10**5)]  # lam for a 1e5-step bound
    ['1.198e-05']
    """
    if isinstance(symbol, str):
        symbol = getattr(_S, symbol)
    return sp.solve(sp.Eq(expr, target), symbol)


def to_latex(expr: sp.Expr) -> str:
    """LaTeX source of ``expr`` (``sympy.latex``).

    Examples
    --------
    >>> from theory.ridge.symbolic import to_latex, nu2_vacuity_threshold
    >>> to_latex(nu2_vacuity_threshold())
    '\\\\frac{8 \\\\epsilon m}{m - n}'
    """
    return sp.latex(expr, symbol_names={_S.eps: r"\epsilon", _S.nu2: r"\nu^2",
                                        _S.lam: r"\lambda", _S.eta: r"\eta",
                                        _S.lmin_plus: r"\lambda_{\min}^+",
                                        _S.sigma_min: r"\lambda_{\min}(\Sigma)",
                                        _S.teacher_norm: r"\|\theta^*\|",
                                        _S.init_norm_sq: r"\|\theta(0)\|^2",
                                        _S.lbar: r"\bar L", _S.b2: "b^2"})


def numeric(expr: sp.Expr):
    """Convert ``expr`` once to a numpy function taking its symbols by keyword.

    ``log(1 + x)`` is rewritten as ``log1p(x)`` first, so tiny ``eta lam`` keep
    their digits.

    The returned function has an ``args`` attribute: the symbol names in
    positional order (sorted by name).

    Examples
    --------
    >>> from theory.ridge.symbolic import numeric, t2_lower_eq8
    >>> f = numeric(t2_lower_eq8())
    >>> f.args
    ('eps', 'eta', 'lam', 'm', 'n', 'nu2')
    >>> round(float(f(n=100, m=1000, nu2=1.0, eps=0.01, eta=1.0, lam=1e-4)), 2)
    11982.02
    """
    from sympy.codegen.rewriting import log1p_opt, optimize

    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    # log(1 - eta lam) loses ~1e-16/(eta lam) relative accuracy; log1p does not
    compiled = sp.lambdify(symbols, optimize(expr, [log1p_opt]), modules="numpy")
    names = tuple(s.name for s in symbols)

    def f(*args, **kwargs):
        if args:
            return compiled(*args)
        missing = set(names) - kwargs.keys()
        if missing:
            raise TypeError(f"missing arguments: {sorted(missing)}")
        return compiled(*(kwargs[k] for k in names))

    f.args = names
    f.expr = expr
    return f
