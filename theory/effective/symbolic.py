"""Symbolic layer: the effective Hessian, its null space and the closed-form dynamics.

Everything is exact rational arithmetic in sympy, meant for small ``p``
(``p <= 6`` is instant; the eigen-decomposition of a ``p x p`` rational matrix
grows quickly beyond that).  Functions return ``sympy.Matrix`` / ``sympy.Expr``;
convert once with :func:`numeric` for numbers.
"""

from __future__ import annotations

import sympy as sp

from theory import _symbolic
from theory.effective.structure import constraint_matrix
from theory.effective.task import TrainingSplit

__all__ = [
    "constraint_matrix_symbolic",
    "effective_dynamics",
    "ground_states",
    "hessian",
    "linearised_dynamics",
    "numeric",
    "to_latex",
]

#: Symbols used by this module.
t = sp.Symbol("t", nonnegative=True)
Z0 = sp.Symbol("Z_0", positive=True)


def constraint_matrix_symbolic(split: TrainingSplit) -> sp.Matrix:
    """A(P0(D)) as an integer ``sympy.Matrix``.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, split_from_pairs
    >>> from theory.effective.symbolic import constraint_matrix_symbolic
    >>> constraint_matrix_symbolic(split_from_pairs(ArithmeticTask(4), [(0, 3), (1, 2)]))
    Matrix([[1, -1, -1, 1]])
    """
    rows = constraint_matrix(split)
    return sp.Matrix(rows.shape[0], rows.shape[1], [int(v) for v in rows.ravel()])


def hessian(split: TrainingSplit, z0: sp.Expr = Z0, normalisation: str = "z0") -> sp.Matrix:
    """``H = 2 A^T A / Z0`` (``/ |P0(D)|`` too for ``normalisation="paper"``).

    Notes
    -----
    Liu et al. (2022), Sec. 3.2: at a ground state (``l0 = 0``) the Hessian of
    ``l_eff = l0 / Z0`` is ``2 A^T A / Z0``; the terms from differentiating
    ``1 / Z0`` multiply ``l0`` or its gradient, both zero there.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory.effective import ArithmeticTask, random_split
    >>> from theory.effective.symbolic import hessian
    >>> h = hessian(random_split(ArithmeticTask(4), 10, seed=0), z0=3)
    >>> sorted(h.eigenvals().items())
    [(0, 2), (4, 1), (20/3, 1)]
    """
    a = constraint_matrix_symbolic(split)
    scale = sp.Integer(2) / z0
    if normalisation == "paper":
        scale = scale / max(a.rows, 1)
    elif normalisation != "z0":
        raise ValueError(f"normalisation must be 'z0' or 'paper', got {normalisation!r}")
    return scale * (a.T * a)


def ground_states(split: TrainingSplit) -> list[sp.Matrix]:
    """A rational basis of the null space of A(P0(D)) (the ground states).

    For addition the null space always contains the translation ``1`` and the
    line ``k``; the training set forces the linear structure iff these two span it.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory.effective import ArithmeticTask, random_split
    >>> from theory.effective.symbolic import ground_states
    >>> basis = ground_states(random_split(ArithmeticTask(4), 10, seed=0))
    >>> ones, line = sp.ones(4, 1), sp.Matrix([0, 1, 2, 3])
    >>> len(basis), sp.Matrix.hstack(*basis, ones, line).rank()   # span{1, k} exactly
    (2, 2)
    """
    a = constraint_matrix_symbolic(split)
    if a.rows == 0:
        return [sp.Matrix.eye(split.task.p)[:, k] for k in range(split.task.p)]
    return a.nullspace()


def linearised_dynamics(split: TrainingSplit, z0: sp.Expr = Z0, normalisation: str = "z0"
                        ) -> sp.Matrix:
    """Closed-form solution ``R(t) = exp(-H t) R(0)`` of the linearised flow.

    Returns a ``p x 1`` matrix of expressions in ``t`` and the initial values
    ``R0_0, ..., R0_{p-1}``.  ``H`` is diagonalised exactly, so each component
    is a finite sum of ``exp(-lambda_i t)`` terms with ``lambda_1 = lambda_2 = 0``.
    """
    h = hessian(split, z0, normalisation)
    r0 = sp.Matrix(sp.symbols(f"R0_0:{split.task.p}"))
    return sp.simplify((-h * t).exp() * r0)


def effective_dynamics(split: TrainingSplit, e0, normalisation: str = "z0") -> sp.Matrix:
    """Closed-form exact effective flow from a given numeric start ``e0`` (1-D embedding).

    ``E(t) = sqrt(Z0) exp(-M t) E(0) / |exp(-M t) E(0)|`` with ``M = 2 A^T A / Z0``
    and ``Z0 = |E(0)|^2`` (conserved), see :mod:`theory.effective.flow`.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory.effective import ArithmeticTask, random_split
    >>> from theory.effective.symbolic import effective_dynamics, t
    >>> e = effective_dynamics(random_split(ArithmeticTask(4), 10, seed=0), [-1, 2, 0, -1])
    >>> sp.simplify(sum(c ** 2 for c in e))
    6
    """
    e0 = sp.Matrix([sp.nsimplify(v) for v in e0])
    z0 = sum(v**2 for v in e0)
    if z0 == 0:
        raise ValueError("e0 must not be identically zero")
    m = hessian(split, z0, normalisation)
    y = (-m * t).exp() * e0
    norm = sp.sqrt(sum(c**2 for c in y))
    return sp.sqrt(z0) * y / norm


def to_latex(expr, **settings) -> str:
    r"""LaTeX of any expression or matrix from this module (``sympy.latex``).

    Examples
    --------
    >>> from theory.effective.symbolic import Z0, t, to_latex
    >>> print(to_latex(Z0 * t))
    Z_{0} t
    """
    return _symbolic.to_latex(expr, **settings)


def numeric(expr):
    """Lambdify ``expr`` once (:func:`theory._symbolic.numeric`).

    Returns
    -------
    callable
        ``f(**kwargs)`` or ``f(*args)`` in the order of ``f.args`` (sorted by
        name); a matrix expression gives an array.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory.effective.symbolic import Z0, t, numeric
    >>> f = numeric(sp.exp(-t) * Z0)
    >>> f.args, float(f(t=0.0, Z_0=2.0))
    (('Z_0', 't'), 2.0)
    """
    return _symbolic.numeric(expr)
