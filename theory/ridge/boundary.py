"""The boundary where Eq. (8) stops certifying grokking, solved for ``lam``, ``nu2`` or ``n``.

Eq. (8) of Xu, Vardi & Safran (2026) gives a lower bound on ``t2`` and an
upper bound on ``t1``; grokking (``t2 > t1``) is certified where the first
exceeds the second.  The boundary is the equation

.. math:: \\frac{\\ln\\frac{(m-n)\\nu^2}{8m\\epsilon}}{2.02\\,\\eta\\lambda}
          = \\frac{n\\ln\\frac{14m\\nu^2}{\\epsilon}}{2\\eta\\lambda^+_{\\min}},

built from :func:`theory.ridge.symbolic.t2_lower_eq8` and
:func:`~theory.ridge.symbolic.t1_upper_eq8`, and solved here:

* for ``lam``: :func:`theory.ridge.symbolic.lam_star`;
* for ``nu2``: the equation is linear in ``ln nu2`` (both sides are
  ``a ln(A nu2) = b ln(B nu2)``), solved after ``nu2 = exp(L)``;
* for ``n`` (``lmin_plus`` held fixed): with ``u = m - n`` it reads
  ``ln u + alpha u + beta = 0``, whose root is ``u = W(alpha e^-beta)/alpha``
  (Lambert W, principal branch: ``alpha > 0`` makes the root unique).

Every function returns a :class:`sympy.Expr`; :func:`boundary_report` gives
the JSON of ``grokking boundary ridge``.  This module imports sympy.
"""

from __future__ import annotations

import functools

import sympy as sp

from theory._version import __version__
from theory.ridge.symbolic import (
    SYMBOLS,
    lam_star,
    marchenko_pastur_lmin,
    nu2_vacuity_threshold,
    t1_upper_eq8,
    t2_lower_eq8,
    to_latex,
)

__all__ = ["SOLVE_FOR", "boundary_equation", "boundary_expression", "boundary_report"]

_S = SYMBOLS

#: Parameters the boundary can be solved for.
SOLVE_FOR = ("lam", "nu2", "n")

_ASSUMPTIONS = (
    "Eq. (8) of Xu, Vardi & Safran (2026): Gaussian features x ~ N(0, I/m), c = eps, "
    "||theta*|| = 1, eta*lam <= 0.01, eps*m >= 1, m > n",
    "grokking is certified where the Eq. (8) lower bound on t2 exceeds its upper bound on t1 "
    "(t2_lower > t1_upper); the boundary is where they are equal",
    "the bounds hold with high probability over the features and the initialisation "
    "(Theorem 4.2); the boundary is a statement about bounds, not about the exact times",
    "lmin_plus is the smallest positive eigenvalue of Phi^T Phi of the sample; the "
    "Marchenko-Pastur edge (1 - sqrt(n/m))^2 approximates it asymptotically",
    "symbols are positive reals (sympy assumptions); eta cancels from the boundary",
)


def boundary_equation() -> sp.Equality:
    """``t2_lower_eq8 = t1_upper_eq8`` as a :class:`sympy.Eq`.

    Examples
    --------
    >>> from theory.ridge.boundary import boundary_equation
    >>> print(boundary_equation())
    Eq(50*log(nu2*(m - n)/(8*eps*m))/(101*eta*lam), n*log(14*m*nu2/eps)/(2*eta*lmin_plus))
    """
    return sp.Eq(t2_lower_eq8(), t1_upper_eq8())


def _difference() -> sp.Expr:
    eq = boundary_equation()
    return eq.lhs - eq.rhs


def _solve_nu2() -> sp.Expr:
    big_l = sp.Symbol("L", real=True)                  # L = ln nu2
    f = sp.expand_log(_difference().subs(_S.nu2, sp.exp(big_l)), force=True)
    f = sp.expand(f)
    if sp.diff(f, big_l, 2) != 0:
        raise ArithmeticError(f"boundary is not linear in ln(nu2): {f}")
    slope, offset = sp.diff(f, big_l), f.subs(big_l, 0)
    return sp.exp(sp.factor_terms(sp.cancel(-offset / slope)))


def _solve_n() -> sp.Expr:
    u = sp.Symbol("u", positive=True)                  # u = m - n, the null-space dimension
    f = sp.expand(sp.expand_log(_difference().subs(_S.n, _S.m - u), force=True))
    k = f.coeff(sp.log(u))
    if k == 0:
        raise ArithmeticError(f"no ln(m - n) term in the boundary: {f}")
    g = sp.expand(f / k)                               # = ln u + alpha u + beta
    rest = sp.expand(g - sp.log(u))
    if rest.has(sp.log(u)) or sp.diff(rest, u, 2) != 0:
        raise ArithmeticError(f"boundary is not of the form ln u + alpha u + beta: {g}")
    slope = sp.expand(sp.diff(rest, u))                # = coefficient * ln(14 m nu2 / eps)
    coeff = slope.coeff(sp.log(_S.nu2))
    alpha = coeff * sp.logcombine(sp.expand(slope / coeff), force=True)
    beta = rest.subs(u, 0)
    # beta = ln(X) - alpha m: keep e^-beta = e^(alpha m) / X readable
    log_x = sp.logcombine(sp.expand(beta + alpha * _S.m), force=True)
    return _S.m - sp.LambertW(alpha * sp.exp(alpha * _S.m) * sp.exp(-log_x)) / alpha


@functools.cache
def _cached(solve_for: str) -> sp.Expr:
    # sympy expressions are immutable: one derivation per process serves every caller
    if solve_for == "lam":
        return lam_star()
    if solve_for == "nu2":
        return _solve_nu2()
    return _solve_n()


def boundary_expression(solve_for: str = "lam") -> sp.Expr:
    """The Eq. (8) certification boundary solved for one parameter.

    Parameters
    ----------
    solve_for : {"lam", "nu2", "n"}

    Returns
    -------
    sympy.Expr
        In the symbols of :data:`theory.ridge.symbolic.SYMBOLS`.  Certified
        grokking lies at ``lam`` below the boundary, at ``nu2`` above it and
        at ``n`` below it.

    Notes
    -----
    ``nu2``: with :math:`a = 1/(2.02\\eta\\lambda)`, :math:`b = n/(2\\eta\\lambda^+_{\\min})`,
    :math:`A = (m-n)/(8m\\epsilon)`, :math:`B = 14m/\\epsilon`:
    :math:`\\nu^2 = \\exp\\frac{b\\ln B - a\\ln A}{a - b}` (needs :math:`a > b`,
    i.e. :math:`\\lambda < \\lambda^*`-like ordering; otherwise no ``nu2``
    certifies grokking).  ``n``: :math:`n = m - W(\\alpha e^{-\\beta})/\\alpha` with
    :math:`\\alpha = 2.02\\lambda\\ln(14m\\nu^2/\\epsilon)/(2\\lambda^+_{\\min})`,
    :math:`\\beta = \\ln\\frac{\\nu^2}{8m\\epsilon} - \\alpha m`.

    Examples
    --------
    >>> from theory.ridge.boundary import boundary_expression
    >>> from theory.ridge.symbolic import SYMBOLS as S
    >>> vals = {S.n: 100, S.m: 1000, S.nu2: 1, S.eps: 0.01, S.lmin_plus: 0.5}
    >>> lam = float(boundary_expression("lam").subs(vals))
    >>> round(lam, 8)
    0.00084667
    >>> round(float(boundary_expression("n").subs({**vals, S.lam: lam})), 6)
    100.0
    """
    if solve_for not in SOLVE_FOR:
        raise ValueError(f"solve_for must be one of {SOLVE_FOR}, got {solve_for!r}")
    return _cached(solve_for)


def boundary_report(solve_for: str = "lam", latex: bool = True) -> dict:
    """JSON of the symbolic boundary (the ``grokking boundary ridge`` output).

    Parameters
    ----------
    solve_for : {"lam", "nu2", "n"}
    latex : bool
        Include the LaTeX form (None otherwise).

    Returns
    -------
    dict
        ``solve_for``, ``expression`` (sympy string), ``latex``,
        ``equation``, ``certified_side``, ``marchenko_pastur`` (the
        expression with ``lmin_plus = (1 - sqrt(n/m))^2``; None for ``n``,
        where ``lmin_plus`` depends on the unknown), ``vacuous_when``,
        ``assumptions`` and ``config``.

    Examples
    --------
    >>> from theory.ridge.boundary import boundary_report
    >>> rep = boundary_report("lam")
    >>> rep["expression"]
    '100*lmin_plus*log(nu2*(m - n)/(8*eps*m))/(101*n*log(14*m*nu2/eps))'
    """
    expr = boundary_expression(solve_for)
    side = {"lam": "lam < boundary", "nu2": "nu2 > boundary", "n": "n < boundary"}[solve_for]
    mp = None
    if solve_for != "n":
        mp = str(expr.subs(_S.lmin_plus, marchenko_pastur_lmin()))
    assumptions = list(_ASSUMPTIONS)
    if solve_for == "n":
        assumptions.append("lmin_plus is held fixed while n varies (the Marchenko-Pastur "
                           "edge would make the equation transcendental in n); principal "
                           "branch W_0 of Lambert W")
    vac = nu2_vacuity_threshold()
    return {
        "solve_for": solve_for,
        "expression": str(expr),
        "latex": to_latex(expr, ln_notation=True) if latex else None,
        "equation": str(boundary_equation()),
        "certified_side": side,
        "marchenko_pastur": mp,
        "vacuous_when": f"nu2 <= {vac} (the Eq. (8) t2 bound is <= 0: nothing is certified)",
        "assumptions": assumptions,
        "config": {"theory": "ridge", "equation": "Eq. (8), Xu, Vardi & Safran (2026)",
                   "solve_for": solve_for, "latex": bool(latex),
                   "symbols": sorted(s.name for s in expr.free_symbols),
                   "version": __version__},
    }
