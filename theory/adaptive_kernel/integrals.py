"""Gaussian integrals of the erf neuron used by Model A.

All expectations are over ``x ~ N(0, I_d)``.  With ``z = w*.x`` (``|w*| = 1``)
and ``v = w.x``, the pair ``(z, v)`` is bivariate normal with ``Var z = 1``,
``Var v = |w|^2`` and ``Cov(z, v) = q = w.w*``.  Every closed form below
follows from Stein's lemma / the Hermite expansion

.. math:: \\mathbb E[\\mathrm{He}_k(z)\\, g(v)] = q^k\\, \\mathbb E[g^{(k)}(v)],

applied to ``g = erf`` with ``erf'(v) = (2/sqrt(pi)) exp(-v^2)`` and
``E[exp(-v^2)] = (1 + 2|w|^2)^(-1/2)``.  They are checked against Monte Carlo
in ``tests/test_kernel_theory.py`` and re-derived in sympy by
:func:`theory.adaptive_kernel.symbolic.erf_hermite_moment`.
"""

from __future__ import annotations

import numpy as np

from theory._checks import RangeOverflowError, check_values

__all__ = [
    "erf_erf_expectation",
    "erf_h1_moment",
    "erf_h3_moment",
    "erf_z3_moment",
    "hermite3",
]

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)


def hermite3(z):
    """Probabilists' Hermite polynomial ``He_3(z) = z^3 - 3 z`` (``E[He_3^2] = 6``).

    Examples
    --------
    >>> from theory.adaptive_kernel.integrals import hermite3
    >>> float(hermite3(2.0))
    2.0
    """
    z = np.asarray(check_values("z", z), dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite(z ** 3 - 3.0 * z, "He_3(z)")


def _finite(value, what: str):
    """Refuse an overflow (``|z|`` or ``|q|`` beyond ~1e102) instead of returning inf."""
    if not np.all(np.isfinite(value)):
        raise RangeOverflowError(f"{what} exceeds the float64 range (|value| > 1.8e308)")
    return value


def _overlap(q) -> np.ndarray:
    return np.asarray(check_values("q", q), dtype=float)


def _norm2(w_norm2) -> np.ndarray:
    return np.asarray(check_values("w_norm2", w_norm2, ge=0), dtype=float)


def erf_h1_moment(q, w_norm2):
    r"""``E[z erf(w.x)] = (2/sqrt(pi)) q / sqrt(1 + 2|w|^2)``.

    Parameters
    ----------
    q : array_like
        Overlap ``w.w*``.
    w_norm2 : array_like
        ``|w|^2`` (``>= q^2``; not checked, the formula only needs the
        variance of ``w.x``).

    Returns
    -------
    ndarray

    Notes
    -----
    Stein's lemma, :math:`\mathbb E[z\,\mathrm{erf}(v)] = q\,\mathbb E[\mathrm{erf}'(v)]
    = q\,\frac{2}{\sqrt\pi}(1+2|w|^2)^{-1/2}` (spec, Model A "Gaussian
    integrals"; paper Sec. 4).

    Examples
    --------
    >>> from theory.adaptive_kernel.integrals import erf_h1_moment
    >>> round(float(erf_h1_moment(0.5, 1.5)), 6)   # (2/sqrt(pi)) * 0.5 / 2
    0.282095
    """
    q = _overlap(q)
    return _TWO_OVER_SQRT_PI * q / np.sqrt(1.0 + 2.0 * _norm2(w_norm2))


def erf_h3_moment(q, w_norm2):
    r"""``E[He_3(z) erf(w.x)] = -(4/sqrt(pi)) q^3 / (1 + 2|w|^2)^(3/2)``.

    Parameters
    ----------
    q, w_norm2 : array_like
        As in :func:`erf_h1_moment`.

    Returns
    -------
    ndarray

    Notes
    -----
    :math:`\mathbb E[\mathrm{He}_3(z)\mathrm{erf}(v)] = q^3\,\mathbb E[\mathrm{erf}'''(v)]`
    with :math:`\mathrm{erf}'''(v) = \frac{2}{\sqrt\pi}(4v^2-2)e^{-v^2}` and
    :math:`\mathbb E[(4v^2-2)e^{-v^2}] = -2(1+2|w|^2)^{-3/2}`.  The cubic
    coefficient is *negative*: with ``c < 0`` (``eps < 0``) the two Hermite
    terms of the overlap add up, which is what makes the transition first
    order.

    Examples
    --------
    >>> from theory.adaptive_kernel.integrals import erf_h3_moment
    >>> round(float(erf_h3_moment(0.5, 1.5)), 6)   # -(4/sqrt(pi)) * 0.125 / 8
    -0.035262
    """
    q = _overlap(q)
    # q (q / sqrt(1 + 2|w|^2))^2 / sqrt(1 + 2|w|^2): no overflow of q^3 when |w|^2 >= q^2
    root = np.sqrt(1.0 + 2.0 * _norm2(w_norm2))
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = q / root
        out = -2.0 * _TWO_OVER_SQRT_PI * ratio * ratio * ratio
    return _finite(out, "E[He_3(z) erf(w.x)]")


def erf_z3_moment(q, w_norm2):
    r"""``E[z^3 erf(w.x)] = E[z erf(w.x)] (3 - 2 q^2 / (1 + 2|w|^2))``.

    Parameters
    ----------
    q, w_norm2 : array_like
        As in :func:`erf_h1_moment`.

    Returns
    -------
    ndarray

    Notes
    -----
    :math:`z^3 = \mathrm{He}_3(z) + 3z`, so this is
    :func:`erf_h3_moment` + 3 :func:`erf_h1_moment` (the spec's form).

    Examples
    --------
    >>> from theory.adaptive_kernel.integrals import erf_z3_moment, erf_h1_moment
    >>> bool(abs(erf_z3_moment(0.5, 1.5) - erf_h1_moment(0.5, 1.5) * (3 - 0.5 / 4)) < 1e-15)
    True
    """
    return erf_h3_moment(q, w_norm2) + 3.0 * erf_h1_moment(q, w_norm2)


def erf_erf_expectation(var_u, var_v, cov):
    r"""``E[erf(u) erf(v)] = (2/pi) arcsin(2 cov / sqrt((1 + 2 var_u)(1 + 2 var_v)))``.

    Parameters
    ----------
    var_u, var_v : array_like
        Variances of the centred jointly Gaussian ``u``, ``v`` (``>= 0``).
    cov : array_like
        Their covariance (``cov^2 <= var_u var_v``).

    Returns
    -------
    ndarray

    Notes
    -----
    The arcsine (Williams 1997) kernel.  Derivation: with
    :math:`F(\rho) = \mathbb E[\mathrm{erf}(u)\mathrm{erf}(v)]` as a function
    of the covariance, Price's theorem gives
    :math:`F'(c) = \mathbb E[\mathrm{erf}'(u)\mathrm{erf}'(v)]
    = \frac{4}{\pi}\det(I + 2\Sigma)^{-1/2}`, and integrating from ``c = 0``
    (where ``F = 0``) gives the arcsine.  It is the NNGP kernel of the erf
    student, ``E_w[erf(w.x) erf(w.x')]`` with ``w ~ N(0, sigma_w2/d I)``.

    Examples
    --------
    >>> from theory.adaptive_kernel.integrals import erf_erf_expectation
    >>> round(float(erf_erf_expectation(0.5, 0.5, 0.5)), 6)   # (2/pi) arcsin(1/2) = 1/3
    0.333333
    """
    var_u = np.asarray(check_values("var_u", var_u, ge=0), dtype=float)
    var_v = np.asarray(check_values("var_v", var_v, ge=0), dtype=float)
    cov = np.asarray(check_values("cov", cov), dtype=float)
    if np.any(cov ** 2 > var_u * var_v * (1 + 1e-12) + 1e-300):
        raise ValueError("cov must satisfy cov^2 <= var_u * var_v")
    arg = 2.0 * cov / np.sqrt(1.0 + 2.0 * var_u) / np.sqrt(1.0 + 2.0 * var_v)
    return (2.0 / np.pi) * np.arcsin(np.clip(arg, -1.0, 1.0))
