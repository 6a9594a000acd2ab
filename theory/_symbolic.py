"""What every symbolic layer shares: LaTeX in the paper's notation and one ``lambdify``.

:mod:`theory.ridge.symbolic`, :mod:`theory.effective.symbolic` and
:mod:`theory.adaptive_kernel.symbolic` each keep their symbols and their
LaTeX names; converting to numbers and to LaTeX is done here, once.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["numeric", "to_latex"]


def to_latex(expr, names: dict | None = None, **settings) -> str:
    r"""LaTeX source of ``expr`` (``sympy.latex``) with the module's symbol names.

    Parameters
    ----------
    expr : sympy.Expr or sympy.Matrix
    names : dict of Symbol to str, optional
        The notation of the paper; ``settings["symbol_names"]`` overrides it.
    **settings
        Passed on to :func:`sympy.latex` (e.g. ``ln_notation=True``).

    Returns
    -------
    str

    Examples
    --------
    >>> import sympy as sp
    >>> from theory._symbolic import to_latex
    >>> lam = sp.Symbol("lam")
    >>> to_latex(1 / lam, {lam: r"\lambda"})
    '\\frac{1}{\\lambda}'
    """
    merged = {**(names or {}), **settings.pop("symbol_names", {})}
    return sp.latex(expr, symbol_names=merged, **settings)


def numeric(expr, order=()):
    """Convert ``expr`` once (``sympy.lambdify``) to a numpy-vectorised function.

    Parameters
    ----------
    expr : sympy.Expr or sympy.Matrix
    order : sequence of Symbol
        Preferred positional order; symbols of ``expr`` not in it follow,
        sorted by name.

    Returns
    -------
    callable
        ``f(*args)`` or ``f(**kwargs)`` (every symbol of ``expr``, by name;
        all required).  Attributes: ``args`` (names in positional order) and
        ``expr``.  Lists and tuples are converted to arrays; arrays broadcast.

    Raises
    ------
    TypeError
        If ``expr`` is not a sympy expression or matrix (e.g. None, a string
        or a float: nothing to convert).

    Notes
    -----
    ``log(1 + x)`` is rewritten as ``log1p(x)`` first, so for example
    ``ln(1 - eta lam)`` keeps its digits for tiny ``eta lam``.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory._symbolic import numeric
    >>> x, y = sp.symbols("x y")
    >>> f = numeric(sp.log(1 + x) / y, order=[y])
    >>> f.args, float(f(y=2.0, x=1e-20))
    (('y', 'x'), 5e-21)
    """
    from sympy.codegen.rewriting import log1p_opt, optimize

    if not isinstance(expr, (sp.Basic, sp.MatrixBase)):
        raise TypeError(f"expr must be a sympy expression or matrix, got {type(expr).__name__}")
    free = expr.free_symbols
    symbols = [s for s in order if s in free]
    symbols += sorted(free - set(symbols), key=lambda s: s.name)
    # log(1 - eta lam) loses ~1e-16/(eta lam) relative accuracy; log1p does not
    compiled = sp.lambdify(symbols, optimize(expr, [log1p_opt]), modules="numpy")
    names = tuple(s.name for s in symbols)

    def f(*args, **kwargs):
        if args and kwargs:
            raise TypeError("pass the arguments either all by position or all by keyword")
        if args:
            if len(args) != len(names):
                raise TypeError(f"expected {len(names)} arguments {names}, got {len(args)}")
            return compiled(*(_as_array(a) for a in args))
        missing = set(names) - kwargs.keys()
        extra = kwargs.keys() - set(names)
        if missing or extra:
            raise TypeError(f"missing arguments: {sorted(missing)}; "
                            f"unexpected arguments: {sorted(extra)}")
        return compiled(*(_as_array(kwargs[k]) for k in names))

    f.args = names
    f.expr = expr
    return f


def _as_array(value):
    return np.asarray(value, dtype=float) if isinstance(value, (list, tuple)) else value
