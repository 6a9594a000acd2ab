r"""Symbolic layer: the adaptive-kernel formulas derived in sympy.

Nothing here is a typed-in final formula.  The chain is

* :func:`erf_hermite_moment` -- ``E[He_k(z) erf(w.x)]`` by Stein's lemma and
  a sympy Gaussian integral;
* :func:`reduced_action` -- ``S~(q)`` assembled from those moments and the
  per-neuron action (``d S~ = d|w|^2/(2 sigma_w2) - (sigma_a2/2N)(sum t phi)^2``);
* :func:`gfl_cubic` -- the GFL self-consistency from the GPR equation;
* :func:`critical_conditions` -- ``r*``, ``u_c``, ``q*^2``, ``kappa_c`` from the
  degeneracy ``S~(q*) = S~'(q*) = 0`` (the spec's closed forms come out);
* :func:`spinodal_conditions` -- the inflection condition;
* :func:`model_b_thresholds` -- ``g_c``, the spinodal, ``sigma2_I``, ``sigma2_II``.

Every function returns :class:`sympy.Expr` (or a dict of them) in the symbols
of :data:`SYMBOLS`; :func:`numeric` lambdifies one expression once and
:func:`to_latex` exports it.  The numeric layer
(:mod:`theory.adaptive_kernel.model_a`, :mod:`~theory.adaptive_kernel.model_b`,
:mod:`~theory.adaptive_kernel.integrals`) agrees with these expressions to
rounding (``tests/test_kernel_theory.py``).  This is the only module of the
sub-package that imports sympy; ``import theory.adaptive_kernel`` does not.
"""

from __future__ import annotations

import numbers
from types import SimpleNamespace

import sympy as sp

from theory import _symbolic

__all__ = [
    "SYMBOLS",
    "critical_conditions",
    "erf_hermite_moment",
    "gfl_cubic",
    "model_b_thresholds",
    "numeric",
    "reduced_action",
    "reduced_action_r",
    "spinodal_conditions",
    "to_latex",
]

_pos = {"positive": True, "real": True}
SYMBOLS = SimpleNamespace(
    q=sp.Symbol("q", real=True), r=sp.Symbol("r", **_pos), b=sp.Symbol("b", real=True),
    c=sp.Symbol("c", real=True), u=sp.Symbol("u", **_pos), kappa=sp.Symbol("kappa", **_pos),
    A=sp.Symbol("A", **_pos), sigma_w2=sp.Symbol("sigma_w2", **_pos),
    abs_eps=sp.Symbol("abs_eps", **_pos), w_norm2=sp.Symbol("w_norm2", **_pos),
    v=sp.Symbol("v", real=True), g=sp.Symbol("g", **_pos), gamma=sp.Symbol("gamma", **_pos),
    x=sp.Symbol("x", **_pos), P=sp.Symbol("P", **_pos), N=sp.Symbol("N", **_pos),
    sigma_a2=sp.Symbol("sigma_a2", **_pos), sigma2=sp.Symbol("sigma2", **_pos),
    norm=sp.Symbol("n_f", **_pos))
"""Symbols: ``q`` overlap, ``r = q^2/D``, ``b, c`` discrepancy coefficients,
``u``, ``kappa``, ``A = 4 sigma_w2 u/(pi D0)``, ``abs_eps = |eps|`` (``eps < 0``),
``w_norm2 = |w|^2``; Model B: ``g = u a^2``, ``gamma``, ``x`` (diagonal mode
power), ``P``, ``N``, ``sigma_a2``, ``sigma2``, ``n_f`` (normalisation factor)."""

_S = SYMBOLS


def erf_hermite_moment(k: int) -> sp.Expr:
    r"""``E[He_k(z) erf(w.x)]`` in ``q`` and ``w_norm2``, derived by sympy.

    Parameters
    ----------
    k : int
        Hermite order (``>= 0``; ``k = 0`` gives ``E[erf(w.x)] = 0``).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    TypeError
        If ``k`` is not an integer.
    ValueError
        If ``k < 0``.

    Notes
    -----
    Stein / Hermite: :math:`\mathbb E[\mathrm{He}_k(z)g(v)] = q^k\mathbb E[g^{(k)}(v)]`
    for ``(z, v)`` jointly Gaussian with ``Var z = 1``, ``Cov = q``; the
    remaining one-dimensional Gaussian integral over ``v ~ N(0, |w|^2)`` is
    done by ``sympy.integrate``.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import erf_hermite_moment
    >>> print(erf_hermite_moment(1))
    2*q/(sqrt(pi)*sqrt(2*w_norm2 + 1))
    >>> print(erf_hermite_moment(3))
    -4*q**3/(sqrt(pi)*(2*w_norm2 + 1)**(3/2))
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be an integer >= 0, got {k!r}")
    if k < 0:
        raise ValueError(f"k must be an integer >= 0, got {k}")
    k = int(k)
    v, s = _S.v, _S.w_norm2
    density = sp.exp(-v ** 2 / (2 * s)) / sp.sqrt(2 * sp.pi * s)
    integral = sp.integrate(sp.diff(sp.erf(v), v, k) * density, (v, -sp.oo, sp.oo))
    return sp.simplify(_S.q ** k * integral)


def reduced_action() -> sp.Expr:
    r"""``S~(q)``: the per-neuron action per unit ``d``, built from :func:`erf_hermite_moment`.

    Returns
    -------
    sympy.Expr
        In ``q, u, b, c, sigma_w2``.

    Notes
    -----
    With ``sigma2 t = b He_1 + c He_3`` and ``|w|^2 = sigma_w2 + q^2``,
    :math:`\frac{1}{d}\frac{\sigma_a^2}{2N}(\sum_\mu t_\mu\phi_\mu)^2
    = \frac{u}{2}\big(b\,\mathbb E[z\phi] + c\,\mathbb E[\mathrm{He}_3\phi]\big)^2`
    (``u = n^2 sigma_a2/(sigma2^2 d N)``).  The perpendicular part of
    ``|w|^2/(2 sigma_w2)`` is a constant and is dropped.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import reduced_action, SYMBOLS as S
    >>> expr = reduced_action().subs({S.u: 30, S.b: 0.3, S.c: -0.3, S.sigma_w2: 0.5})
    >>> round(float(expr.subs(S.q, 1)), 4)
    0.0331
    """
    ov = (_S.b * erf_hermite_moment(1) + _S.c * erf_hermite_moment(3)).subs(
        _S.w_norm2, _S.sigma_w2 + _S.q ** 2)
    return _S.q ** 2 / (2 * _S.sigma_w2) - _S.u / 2 * ov ** 2


def reduced_action_r() -> sp.Expr:
    r"""``S~`` in ``r = q^2/D`` times ``2 sigma_w2/D0``: ``r/(1-2r) - A r (b - 2cr)^2``.

    Returns
    -------
    sympy.Expr
        In ``r, A, b, c``.

    Notes
    -----
    Obtained from :func:`reduced_action` by substituting
    ``q^2 = r D0/(1-2r)`` and ``u = pi D0 A/(4 sigma_w2)``; the test of this
    function is that ``sigma_w2`` cancels.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import reduced_action_r
    >>> print(reduced_action_r())
    -A*r*(b - 2*c*r)**2 - r/(2*r - 1)
    """
    d0 = 1 + 2 * _S.sigma_w2
    expr = reduced_action().subs(_S.u, sp.pi * d0 * _S.A / (4 * _S.sigma_w2))
    expr = expr.subs(_S.q, sp.sqrt(_S.r * d0 / (1 - 2 * _S.r)))
    derived = expr * 2 * _S.sigma_w2 / d0
    if derived.has(_S.sigma_w2) and sp.simplify(sp.diff(derived, _S.sigma_w2)) != 0:
        raise ArithmeticError(f"sigma_w2 did not cancel: {derived}")
    canonical = -_S.A * _S.r * (_S.b - 2 * _S.c * _S.r) ** 2 - _S.r / (2 * _S.r - 1)
    if sp.simplify(derived - canonical) != 0:
        raise ArithmeticError(f"unexpected reduced action in r: {sp.simplify(derived)}")
    return canonical


def gfl_cubic() -> sp.Expr:
    r"""GFL self-consistency as a polynomial in ``b`` (``= 0``).

    Returns
    -------
    sympy.Expr
        ``A b^3 - A b^2 - (kappa + 1) b + 1``.

    Notes
    -----
    The GPR row ``b = 1/(1 + n Q11/sigma2)`` with
    ``n Q11/sigma2 = kappa/(1 - A b^2)`` (``<q^2> = sigma_w2/(d (1 - A b^2))``
    from the curvature of ``d S~`` at 0); the numerator of
    ``b - 1/(1 + kappa/(1 - A b^2))``.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import gfl_cubic
    >>> print(gfl_cubic())
    A*b**3 - A*b**2 - b*kappa - b + 1
    """
    b, a_, k = _S.b, _S.A, _S.kappa
    num, _ = sp.fraction(sp.together(b - 1 / (1 + k / (1 - a_ * b ** 2))))
    poly = sp.expand(num)
    return sp.expand(poly * sp.sign(poly.coeff(b, 0)))


def critical_conditions() -> dict:
    r"""Closed forms of the first-order critical line for ``eps = -abs_eps < 0``.

    Returns
    -------
    dict of sympy.Expr
        ``r_star``, ``coupling_a`` (``A_c``), ``u_c``, ``q_star2``, ``kappa_c``,
        all in ``b, abs_eps, sigma_w2``.

    Notes
    -----
    Degeneracy ``S~(q*) = 0 = S~'(q*)`` at ``q* > 0`` is
    ``A max_r g(r) = 1`` with ``g = (1-2r)(b-2cr)^2``; sympy solves
    ``g'(r) = 0`` (roots ``b/(2c)``, a zero of ``g``, and the maximiser
    ``(b+2c)/(6c)``).  Results (``c = -|eps|``):
    :math:`u_c = \frac{27\pi|\epsilon|(1+2\sigma_w^2)}{16\sigma_w^2(b+|\epsilon|)^3}`,
    :math:`q^{*2} = \frac{(1+2\sigma_w^2)(2|\epsilon|-b)}{2(b+|\epsilon|)}`
    (both as in the spec) and ``kappa_c`` from :func:`gfl_cubic`.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import critical_conditions
    >>> cc = critical_conditions()
    >>> print(cc["u_c"])
    27*pi*abs_eps*(2*sigma_w2 + 1)/(16*sigma_w2*(abs_eps + b)**3)
    >>> print(cc["q_star2"])
    -(-2*abs_eps + b)*(2*sigma_w2 + 1)/(2*(abs_eps + b))
    """
    r, b, c = _S.r, _S.b, _S.c
    g = (1 - 2 * r) * (b - 2 * c * r) ** 2
    roots = [x for x in sp.solve(sp.diff(g, r), r) if sp.simplify(g.subs(r, x)) != 0]
    if len(roots) != 1:
        raise ArithmeticError(f"expected one interior stationary point, got {roots}")
    sub = {c: -_S.abs_eps}
    r_star = sp.simplify(roots[0].subs(sub))
    a_c = sp.simplify(1 / g.subs(r, roots[0]).subs(sub))
    d0 = 1 + 2 * _S.sigma_w2
    u_c = sp.factor(sp.simplify(a_c * sp.pi * d0 / (4 * _S.sigma_w2)))
    q2 = sp.factor(sp.simplify(r_star * d0 / (1 - 2 * r_star)))
    kap = sp.solve(gfl_cubic(), _S.kappa)[0].subs(_S.A, a_c)
    return {"r_star": r_star, "coupling_a": a_c, "u_c": u_c, "q_star2": q2,
            "kappa_c": sp.simplify(kap)}


def spinodal_conditions() -> dict:
    r"""Spinodal: where a nonzero local minimum of ``S~`` is born (inflection point).

    Returns
    -------
    dict
        ``quadratic`` (``= 0`` at the birth point ``r``), ``roots`` (its two
        roots), ``coupling_a`` (``A`` as a function of ``r, b, c``).

    Notes
    -----
    ``S~_r = (1-2r)^{-2} - A(b-2cr)(b-6cr) = 0`` and ``S~_rr = 0``;
    eliminating ``A`` is ``k'(r) = 0`` with ``k = (1-2r)^2(b-2cr)(b-6cr)``,
    whose non-trivial factor is
    :math:`24c^2r^2 - (12bc+6c^2)r + b^2 + 2bc`.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import spinodal_conditions
    >>> print(spinodal_conditions()["quadratic"])
    b**2 - 12*b*c*r + 2*b*c + 24*c**2*r**2 - 6*c**2*r
    """
    r, c, a_ = _S.r, _S.c, _S.A
    slope = sp.diff(reduced_action_r(), r)
    a_sol = sp.solve(slope, a_)[0]
    curvature = sp.diff(slope, r).subs(a_, a_sol)
    num, _ = sp.fraction(sp.factor(sp.together(curvature)))
    factors = [f for f, _m in sp.factor_list(num)[1] if f.has(c) and sp.degree(f, r) == 2]
    if len(factors) != 1:
        raise ArithmeticError(f"expected one quadratic factor, got {sp.factor_list(num)}")
    quad = sp.expand(factors[0])
    quad = sp.expand(quad * sp.sign(quad.coeff(r, 2).subs({c: 1})))
    return {"quadratic": quad, "roots": sp.solve(quad, r),
            "coupling_a": sp.factor(sp.simplify(a_sol))}


def model_b_thresholds() -> dict:
    r"""Model B coexistence, spinodal and phase boundaries, derived in sympy.

    Returns
    -------
    dict of sympy.Expr
        ``g_c``, ``x_c`` (``x_+`` at coexistence), ``g_spinodal``,
        ``slope`` (``|a| = slope sigma2`` in GMFL-I), ``sigma2_I``, ``sigma2_II``.

    Notes
    -----
    ``S~(x) = x - g x^2 + (gamma/3) x^3``: coexistence ``S~ = S~' = 0`` at
    ``x > 0``; spinodal: the discriminant of ``S~'`` vanishes.  GMFL-I keeps
    ``u a^2 = g_c`` with ``u = 2 sigma_a2 P^2/(N sigma2^2)``; the
    self-consistency ``|a| = sigma2/(lambda + sigma2)`` at ``lambda = 0`` and
    ``lambda = n_f sigma_a2 x_c^2`` gives ``sigma2_I`` and ``sigma2_II``.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import model_b_thresholds
    >>> t = model_b_thresholds()
    >>> print(t["g_c"], t["g_spinodal"])
    2*sqrt(3)*sqrt(gamma)/3 sqrt(gamma)
    """
    x, g, gam = _S.x, _S.g, _S.gamma
    act = x - g * x ** 2 + gam / 3 * x ** 3
    sols = sp.solve([act / x, sp.diff(act, x)], [x, g], dict=True)
    sols = [s for s in sols if s[g].is_positive and s[x].is_positive]
    if len(sols) != 1:
        raise ArithmeticError(f"expected one coexistence point, got {sols}")
    g_c, x_c = sp.simplify(sols[0][g]), sp.simplify(sols[0][x])
    disc = sp.discriminant(sp.diff(act, x), x)
    g_sp = [s for s in sp.solve(disc, g) if s.is_positive][0]
    a_abs = sp.Symbol("abs_a", positive=True)
    u = 2 * _S.sigma_a2 * _S.P ** 2 / (_S.N * _S.sigma2 ** 2)
    a_pinned = sp.solve(sp.Eq(u * a_abs ** 2, g_c), a_abs)[0]
    slope = sp.simplify(a_pinned / _S.sigma2)
    lam = sp.Symbol("lam", nonnegative=True)
    sig = sp.solve(sp.Eq(a_pinned, _S.sigma2 / (lam + _S.sigma2)), _S.sigma2)[0]
    return {"g_c": g_c, "x_c": x_c, "g_spinodal": g_sp, "slope": slope,
            "sigma2_I": sp.simplify(sig.subs(lam, 0)),
            "sigma2_II": sp.simplify(sig.subs(lam, _S.norm * _S.sigma_a2 * x_c ** 2))}


_LATEX_NAMES = {_S.sigma_w2: r"\sigma_w^2", _S.abs_eps: r"|\epsilon|", _S.kappa: r"\kappa",
                _S.gamma: r"\gamma", _S.sigma_a2: r"\sigma_a^2", _S.sigma2: r"\sigma^2",
                _S.norm: r"n_f", _S.w_norm2: r"|w|^2"}


def to_latex(expr: sp.Expr, **settings) -> str:
    r"""LaTeX source of ``expr`` in the paper's notation (``sympy.latex``).

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import to_latex, model_b_thresholds
    >>> print(to_latex(model_b_thresholds()["g_spinodal"]))
    \sqrt{\gamma}
    """
    return _symbolic.to_latex(expr, _LATEX_NAMES, **settings)


def numeric(expr: sp.Expr):
    """Lambdify ``expr`` once (:func:`theory._symbolic.numeric`; names as :data:`SYMBOLS`).

    Returns
    -------
    callable
        ``f(**kwargs)`` or ``f(*args)`` in the order of ``f.args`` (sorted by
        name); attribute ``args`` lists the required names.

    Examples
    --------
    >>> from theory.adaptive_kernel.symbolic import numeric, critical_conditions
    >>> f = numeric(critical_conditions()["u_c"])
    >>> f.args
    ('abs_eps', 'b', 'sigma_w2')
    >>> round(float(f(abs_eps=0.3, b=0.3, sigma_w2=0.5)), 4)
    29.4524
    """
    return _symbolic.numeric(expr)
