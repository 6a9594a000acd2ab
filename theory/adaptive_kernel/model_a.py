r"""Model A: cubic single-index teacher, erf student, in the adaptive-kernel mean field.

Teacher ``y = He_1(z) + eps He_3(z)`` with ``z = w*.x``; student
``f(x) = sum_i a_i erf(w_i.x)`` with priors ``w ~ N(0, sigma_w2/d I)``,
``a ~ N(0, sigma_a2/N)``; posterior ``exp(-SSE/(2 sigma2))`` x priors
(Rubin, Seroussi & Ringel 2023, arXiv 2310.03789, Sec. 4 and App. B; spec
``adaptive_kernel.md``).

The discrepancy ansatz ``sigma2 t(x) = b He_1(z) + c He_3(z)`` reduces the
per-neuron action to one overlap ``q = w.w*`` (:func:`reduced_action`):

.. math:: \tilde S(q) = \frac{q^2}{2\sigma_w^2} - \frac{2u}{\pi}\frac{q^2}{D}
          \Big(b - \frac{2cq^2}{D}\Big)^2,\qquad D = 1 + 2\sigma_w^2 + 2q^2,

and ``p(q) ~ exp(-d S~(q))``.  Everything below is written in the variable
``r = q^2/D`` in ``[0, 1/2)``, where ``q^2 = r D0/(1 - 2r)``
(``D0 = 1 + 2 sigma_w2``) and

.. math:: \tilde S = \frac{D_0}{2\sigma_w^2}\Big[\frac{r}{1-2r} - A\,r\,(b-2cr)^2\Big],
          \qquad A = \frac{4\sigma_w^2 u}{\pi D_0}.

Phases: GFL (only ``q = 0``), GMFL-I (a fraction ``p`` of the neurons at
``+-q*``, the rest at 0, with ``S~(q*) = S~(0) = 0``), GMFL-II (all neurons
at ``+-q*``).

Corrections to the printed paper (spec errata 1-3), all re-derived here and
checked against Monte Carlo / brute force in ``tests/test_kernel_theory.py``:
``Q11`` carries ``4/pi`` (not ``2/pi``); the GPR formula for ``(b, c)`` has
the leading factor ``sigma2/n``; the action has ``d |w|^2/(2 sigma_w2)``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from theory._checks import (
    RangeOverflowError,
    _real,
    check_choice,
    check_finite_array,
    check_nonnegative,
    check_positive,
    check_values,
)
from theory._result import ResultMixin

__all__ = [
    "BASE_MODEL_A",
    "PAPER_SIGMA2_GRID",
    "GFLSolution",
    "ModelACriticalPoint",
    "ModelAConfig",
    "ModelAPhaseDiagram",
    "ModelAPhasePoint",
    "critical_line",
    "critical_point",
    "gfl_b",
    "gfl_solution",
    "gpr_coefficients",
    "interaction_u",
    "kappa",
    "kernel_matrix",
    "mixed_phase",
    "phase_diagram",
    "phase_point",
    "reduced_action",
    "reduced_action_derivatives",
    "spinodal_line",
]

PAPER_SIGMA2_GRID = (0.1, 0.15, 0.2, 0.25, 0.3)
"""The paper's noise grid for Model A."""

_R_MAX = 0.5          # r = q^2/D < 1/2
_GRID = 4001          # r-grid used to bracket interior extrema


# ---------------------------------------------------------------------------
# configuration and invariants
# ---------------------------------------------------------------------------

def interaction_u(n, d, N, sigma_a2, sigma2) -> float:
    r"""Effective interaction ``u = n^2 sigma_a2 / (sigma2^2 d N)``.

    Parameters
    ----------
    n, d, N : float
        Samples, input dimension, hidden width (``> 0``; the theory is
        continuous in them).
    sigma_a2, sigma2 : float
        Read-out prior variance (``a ~ N(0, sigma_a2/N)``) and noise (``> 0``).

    Returns
    -------
    float

    Notes
    -----
    The data term of the per-neuron action is
    :math:`\frac{\sigma_a^2}{2N}\big(\sum_\mu t_\mu\phi_\mu\big)^2
    \approx \frac{\sigma_a^2 n^2}{2N\sigma^4}\,\mathbb E[\sigma^2 t\,\phi]^2
    = d\,\frac{u}{2}\,\mathbb E[\sigma^2 t\,\phi]^2`; ``u`` is invariant under
    the paper's scaling ``N, n -> beta N, beta n``, ``d -> sqrt(beta) d``,
    ``sigma_a2 -> sigma_a2/sqrt(beta)``.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import interaction_u
    >>> round(interaction_u(3000, 150, 700, 8 / 700, 0.18), 3)
    30.234
    """
    n, d, N = (check_positive(k, v) for k, v in (("n", n), ("d", d), ("N", N)))
    sigma_a2 = check_positive("sigma_a2", sigma_a2)
    sigma2 = check_positive("sigma2", sigma2)
    return _finite(n / sigma2 * (n / sigma2) * sigma_a2 / d / N,
                   f"u = n^2 sigma_a2/(sigma2^2 d N) (n={n:g}, d={d:g}, N={N:g}, "
                   f"sigma_a2={sigma_a2:g}, sigma2={sigma2:g})")


def kappa(n, d, sigma_a2, sigma_w2, sigma2) -> float:
    r"""NNGP signal-to-noise ``kappa = (4/pi) n sigma_a2 sigma_w2 / (sigma2 d (1 + 2 sigma_w2))``.

    Parameters
    ----------
    n, d : float
    sigma_a2, sigma_w2, sigma2 : float

    Returns
    -------
    float

    Notes
    -----
    ``n/sigma2`` times the NNGP kernel eigenvalue of the linear teacher
    direction, :math:`\sigma_a^2\,\frac{4}{\pi D_0}\langle q^2\rangle_{\rm prior}`
    with :math:`\langle q^2\rangle = \sigma_w^2/d` (erratum 1: ``4/pi``).
    In the NNGP limit (``u -> 0``) the linear residual is ``b = 1/(1 + kappa)``.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import kappa
    >>> round(kappa(3000, 150, 8 / 700, 0.5, 0.18), 4)
    0.4042
    """
    n, d = check_positive("n", n), check_positive("d", d)
    sigma_a2 = check_positive("sigma_a2", sigma_a2)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    sigma2 = check_positive("sigma2", sigma2)
    value = 4.0 / math.pi * n * sigma_a2 * sigma_w2 / sigma2 / d / (1.0 + 2.0 * sigma_w2)
    what = (f"kappa = (4/pi) n sigma_a2 sigma_w2/(sigma2 d D0) (n={n:g}, d={d:g}, "
            f"sigma_a2={sigma_a2:g}, sigma_w2={sigma_w2:g}, sigma2={sigma2:g})")
    if value == 0.0:        # every factor > 0: an underflow, not the NNGP-free limit
        raise RangeOverflowError(f"{what} underflows to 0: the inputs are outside the "
                                 f"representable regime")
    return _finite(value, what)


def _finite(value, what: str) -> float:
    """``value`` as a float, refusing an overflow (extreme but valid inputs)."""
    value = float(value)
    if not math.isfinite(value):
        raise RangeOverflowError(f"{what} exceeds the float64 range (|value| > 1.8e308): the "
                            "inputs are outside the representable regime")
    return value


def _exp_finite(log_value: float, what: str) -> float:
    """``exp(log_value)`` of a positive quantity, refusing an over- or underflow."""
    if not -708.0 < log_value < 709.0:
        raise RangeOverflowError(f"{what} = exp({log_value:.6g}) leaves the float64 range: the "
                                 f"inputs are outside the representable regime")
    return math.exp(log_value)


def _check_config(config) -> ModelAConfig:
    if not isinstance(config, ModelAConfig):
        raise TypeError(f"config must be a ModelAConfig, got {type(config).__name__}")
    return config


@dataclass(frozen=True)
class ModelAConfig(ResultMixin):
    """Parameters of Model A (defaults: the paper's base configuration).

    Attributes
    ----------
    n, d, N : float
        Samples, input dimension, hidden width (real ``> 0``: the theory is
        continuous in them; a simulation rounds them).
    sigma_w2 : float
        Input-weight prior ``w ~ N(0, sigma_w2/d I)``.
    sigma_a2 : float
        Read-out prior ``a ~ N(0, sigma_a2/N)``.
    eps : float
        Cubic teacher coefficient (``y = He_1 + eps He_3``; paper ``-0.3``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import ModelAConfig
    >>> cfg = ModelAConfig()
    >>> round(cfg.u(0.18), 3), round(cfg.scaled(0.125).u(0.18), 3)
    (30.234, 30.234)
    """

    n: float = 3000.0
    d: float = 150.0
    N: float = 700.0
    sigma_w2: float = 0.5
    sigma_a2: float = 8.0 / 700.0
    eps: float = -0.3

    def __post_init__(self):
        for name in ("n", "d", "N", "sigma_w2", "sigma_a2"):
            object.__setattr__(self, name, check_positive(name, getattr(self, name)))
        object.__setattr__(self, "eps", _real("eps", self.eps))

    @property
    def d0(self) -> float:
        """``D0 = 1 + 2 sigma_w2``."""
        return 1.0 + 2.0 * self.sigma_w2

    def u(self, sigma2) -> float:
        """Effective interaction :func:`interaction_u` at noise ``sigma2``."""
        return interaction_u(self.n, self.d, self.N, self.sigma_a2, sigma2)

    def kappa(self, sigma2) -> float:
        """NNGP signal-to-noise :func:`kappa` at noise ``sigma2``."""
        return kappa(self.n, self.d, self.sigma_a2, self.sigma_w2, sigma2)

    def coupling_a(self, sigma2) -> float:
        """``A = 4 sigma_w2 u / (pi D0)`` (the GFL instability is ``A b^2 = 1``)."""
        return 4.0 * self.sigma_w2 * self.u(sigma2) / (math.pi * self.d0)

    @property
    def kappa2_over_u(self) -> float:
        """``kappa^2/u``, independent of ``sigma2``: it fixes where the config crosses lines."""
        return _exp_finite(self._log_kappa2_over_u, "kappa^2/u = (4/pi)^2 sigma_a2 "
                           f"sigma_w2^2 N/(d D0^2) ({self._inputs()})")

    @property
    def _log_kappa2_over_u(self) -> float:
        # (4/pi)^2 sigma_a2 sigma_w2^2 N / (d D0^2) in logs: n and sigma2 cancel, and no
        # factor under- or overflows on the way (kappa(1)^2 / u(1) did for extreme inputs)
        return (2.0 * math.log(4.0 / math.pi) + math.log(self.sigma_a2) + math.log(self.N)
                + 2.0 * math.log(self.sigma_w2) - math.log(self.d) - 2.0 * _log_d0(self.sigma_w2))

    def sigma2_at_u(self, u) -> float:
        """The noise at which the interaction equals ``u`` (``u ~ 1/sigma2^2``)."""
        log_u1 = 2.0 * math.log(self.n) + math.log(self.sigma_a2) - math.log(self.d) \
            - math.log(self.N)                                   # log u(sigma2 = 1)
        return _exp_finite(0.5 * (log_u1 - math.log(check_positive("u", u))),
                           f"sigma2 = sqrt(n^2 sigma_a2/(d N u)) ({self._inputs()}, u={u:g})")

    def _inputs(self) -> str:
        return ", ".join(f"{k}={getattr(self, k):g}" for k in ("n", "d", "N", "sigma_w2",
                                                               "sigma_a2"))

    def scaled(self, beta) -> ModelAConfig:
        """The paper's scaled copy: ``N, n -> beta N, beta n``, ``d -> sqrt(beta) d``,
        ``sigma_a2 -> sigma_a2/sqrt(beta)`` (``u`` and ``kappa`` unchanged)."""
        beta = check_positive("beta", beta)
        return ModelAConfig(n=beta * self.n, d=math.sqrt(beta) * self.d, N=beta * self.N,
                            sigma_w2=self.sigma_w2, sigma_a2=self.sigma_a2 / math.sqrt(beta),
                            eps=self.eps)


BASE_MODEL_A = ModelAConfig()
"""The paper's base configuration (N = 700, n = 3000, d = 150, sigma_w2 = 0.5,
sigma_a2 = 8/700, eps = -0.3)."""


# ---------------------------------------------------------------------------
# reduced action
# ---------------------------------------------------------------------------

def reduced_action(q, u, b, c, sigma_w2):
    r"""Reduced per-neuron action ``S~(q)`` (``p(q) ~ exp(-d S~(q))``).

    Parameters
    ----------
    q : array_like
        Overlap ``w.w*`` (finite).
    u : float
        Interaction :func:`interaction_u`, ``>= 0``.
    b, c : float
        Discrepancy coefficients, ``sigma2 t = b He_1 + c He_3`` (finite).
    sigma_w2 : float
        ``> 0``.

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        For an argument outside its range (named in the message).
    OverflowError
        If the action exceeds the float64 range (``|q|`` beyond ~1e154).

    Notes
    -----
    With ``|w_perp|^2 -> sigma_w2`` (concentration, ``d -> infinity``)
    :math:`1 + 2|w|^2 = D = 1 + 2\sigma_w^2 + 2q^2` and, by
    :mod:`~theory.adaptive_kernel.integrals`,
    :math:`\mathbb E[\sigma^2 t\,\mathrm{erf}(w\cdot x)]
    = \frac{2}{\sqrt\pi}\frac{q}{\sqrt D}\big(b - \frac{2cq^2}{D}\big)`.
    Inserting in :math:`S[w] = \frac{d|w|^2}{2\sigma_w^2} - \frac{\sigma_a^2}{2N}
    (\sum_\mu t_\mu\phi_\mu)^2` (erratum 3: the factor ``d``) and dividing by
    ``d`` gives the spec's (and paper's) form
    :math:`\tilde S = \frac{q^2}{2\sigma_w^2} - \frac{2u}{\pi}\frac{q^2}{D}(b - \frac{2cq^2}{D})^2`.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import reduced_action
    >>> float(reduced_action(0.0, 30.0, 0.3, -0.3, 0.5))
    0.0
    >>> round(float(reduced_action(1.0, 30.0, 0.3, -0.3, 0.5)), 4)
    0.0331
    """
    q, u, b, c, sigma_w2 = _action_args(q, u, b, c, sigma_w2)
    with np.errstate(over="ignore", invalid="ignore"):
        dd = 1.0 + 2.0 * sigma_w2 + 2.0 * q * q
        r = q * q / dd
        out = q * q / (2.0 * sigma_w2) - (2.0 * u / math.pi) * r * (b - 2.0 * c * r) ** 2
    return _finite_array(out, "the reduced action")


def _action_args(q, u, b, c, sigma_w2):
    q = np.asarray(check_values("q", q), dtype=float)
    return (q, check_nonnegative("u", u), _real("b", b), _real("c", c),
            check_positive("sigma_w2", sigma_w2))


def _finite_array(value, what: str):
    if not np.all(np.isfinite(value)):
        raise RangeOverflowError(f"{what} exceeds the float64 range (|value| > 1.8e308)")
    return value


def reduced_action_derivatives(q, u, b, c, sigma_w2):
    r"""First and second derivatives ``(dS~/dq, d^2S~/dq^2)`` of :func:`reduced_action`.

    Parameters
    ----------
    q, u, b, c, sigma_w2
        As in :func:`reduced_action` (same checks, same OverflowError).

    Returns
    -------
    tuple of ndarray

    Notes
    -----
    With ``s = q^2`` and ``r = s/(D0 + 2s)`` (``r' = D0/(D0+2s)^2``,
    ``r'' = -4 D0/(D0+2s)^3``):
    :math:`\partial_s\tilde S = \frac{1}{2\sigma_w^2} - \frac{2u}{\pi}(b-2cr)(b-6cr)r'`,
    :math:`\partial_s^2\tilde S = -\frac{2u}{\pi}\big[8c(3cr-b)r'^2 + (b-2cr)(b-6cr)r''\big]`,
    then :math:`\partial_q = 2q\partial_s` and
    :math:`\partial_q^2 = 2\partial_s + 4q^2\partial_s^2`.  Checked against
    sympy (:mod:`theory.adaptive_kernel.symbolic`).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import reduced_action_derivatives
    >>> d1, d2 = reduced_action_derivatives(0.0, 30.0, 0.3, -0.3, 0.5)
    >>> float(d1), round(float(d2), 4)   # 1/sigma_w2 - (4u/pi) b^2/D0
    (0.0, 0.2811)
    """
    q, u, b, c, sigma_w2 = _action_args(q, u, b, c, sigma_w2)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        s = q * q
        d0 = 1.0 + 2.0 * sigma_w2
        dd = d0 + 2.0 * s
        r = s / dd
        r1 = d0 / dd ** 2
        r2 = -4.0 * d0 / dd ** 3
        k = 2.0 * u / math.pi
        ds = 1.0 / (2.0 * sigma_w2) - k * (b - 2 * c * r) * (b - 6 * c * r) * r1
        dss = -k * (8.0 * c * (3.0 * c * r - b) * r1 ** 2
                    + (b - 2 * c * r) * (b - 6 * c * r) * r2)
        d1, d2 = 2.0 * q * ds, 2.0 * ds + 4.0 * s * dss
    return _finite_array(d1, "dS~/dq"), _finite_array(d2, "d^2S~/dq^2")


def _log_d0(sigma_w2):
    """``log D0 = log(1 + 2 sigma_w2)``, also where ``2 sigma_w2`` overflows."""
    if sigma_w2 < 1.0:
        return math.log1p(2.0 * sigma_w2)
    return math.log(sigma_w2) + math.log(2.0 + 1.0 / sigma_w2)


def _q2_from_r(r, d0):
    return r * d0 / (1.0 - 2.0 * r)


def _action_r(r, a_coef, b, c):
    """``S~ * 2 sigma_w2 / D0`` as a function of ``r = q^2/D``."""
    return r / (1.0 - 2.0 * r) - a_coef * r * (b - 2.0 * c * r) ** 2


# ---------------------------------------------------------------------------
# kernel and GPR
# ---------------------------------------------------------------------------

def _feature(q2, sigma_w2):
    """``(E[z phi], E[He3 phi]/sqrt6)`` at ``|w|^2 = sigma_w2 + q^2`` (q >= 0 branch)."""
    dd = 1.0 + 2.0 * sigma_w2 + 2.0 * q2
    r = q2 / dd
    amp = 2.0 / math.sqrt(math.pi) * math.sqrt(r)
    return np.array([amp, -amp * 2.0 * r / math.sqrt(6.0)])


def kernel_matrix(config: ModelAConfig, sigma2, b, p=0.0, q_star=0.0) -> np.ndarray:
    r"""The 2x2 kernel ``Q`` in the orthonormal basis ``(He_1, He_3/sqrt6)``.

    Parameters
    ----------
    config : ModelAConfig
    sigma2 : float
        ``> 0``.
    b : float
        Linear discrepancy (sets the fluctuations of the ``q = 0`` neurons);
        ``A b^2 < 1`` required.
    p : float, optional
        Fraction of neurons at ``+-q_star``, in ``[0, 1]`` (0: GFL).
    q_star : float, optional
        Finite.

    Returns
    -------
    ndarray, shape (2, 2)

    Notes
    -----
    :math:`Q_{kl} = \sigma_a^2\langle c_k c_l\rangle` with
    :math:`c_1 = \frac{2}{\sqrt\pi}\frac{q}{\sqrt D}`,
    :math:`c_3 = -\frac{4}{\sqrt{6\pi}}\frac{q^3}{D^{3/2}}`, i.e. the spec's
    ``Q11 = sigma_a2 <4q^2/(pi D)>`` (erratum 1: ``4/pi``),
    ``Q13 = -sigma_a2 <8q^4/(sqrt6 pi D^2)>``, ``Q33 = sigma_a2 <8q^6/(3 pi D^3)>``.
    The ``q = 0`` neurons fluctuate with
    :math:`\langle q^2\rangle = \sigma_w^2/(d(1 - Ab^2))` (Gaussian, from the
    curvature of ``d S~`` at 0); their ``O(1/d^2)`` contributions to ``Q13``,
    ``Q33`` are dropped.  The droplet neurons contribute at ``q*`` (their
    ``O(1/d)`` fluctuations are dropped).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import kernel_matrix, BASE_MODEL_A
    >>> Q = kernel_matrix(BASE_MODEL_A, 0.2, b=0.3)   # A b^2 = 0.70 < 1
    >>> bool(Q[0, 1] == 0.0 and Q[1, 1] == 0.0 and Q[0, 0] > 0)
    True
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    b = _real("b", b)
    p = check_values("p", p, ge=0, le=1)
    q_star = _real("q_star", q_star)
    a_coef = config.coupling_a(sigma2)
    if a_coef * b * b >= 1.0:
        raise ValueError(f"q = 0 is unstable (A b^2 = {a_coef * b * b:.4g} >= 1): "
                         "the Gaussian fluctuation kernel does not exist")
    q2_fluct = config.sigma_w2 / (config.d * (1.0 - a_coef * b * b))
    out = np.zeros((2, 2))
    out[0, 0] = (1.0 - p) * 4.0 * q2_fluct / (math.pi * config.d0)
    if p > 0:
        v = _feature(q_star * q_star, config.sigma_w2)
        out += p * np.outer(v, v)
    return config.sigma_a2 * out


def gpr_coefficients(kernel, n, sigma2, eps) -> tuple[float, float]:
    r"""``(b, c)`` from the population GPR equation.

    Parameters
    ----------
    kernel : array_like, shape (2, 2)
        :func:`kernel_matrix`: symmetric positive semi-definite, finite.
    n : float
        Samples, ``> 0``.
    sigma2 : float
        Noise, ``> 0``.
    eps : float
        Cubic teacher coefficient (finite).

    Returns
    -------
    (float, float)

    Notes
    -----
    :math:`(b, \sqrt6 c) = \frac{\sigma^2}{n}\big[Q + \frac{\sigma^2}{n}I\big]^{-1}
    (1, \sqrt6\epsilon)`
    (erratum 2: the printed formula lacks the leading ``sigma2/n``).  Derivation:
    on the sample, :math:`Q_{\mu\nu} = \sum_{kl} e_k(x_\mu)\Lambda_{kl}e_l(x_\nu)`
    with :math:`E^TE \approx nI`, so
    :math:`(Q+\sigma^2)^{-1}E = E(n\Lambda+\sigma^2)^{-1}`.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.adaptive_kernel.model_a import gpr_coefficients
    >>> gpr_coefficients(np.zeros((2, 2)), 100, 0.2, -0.3)   # nothing learned
    (1.0, -0.3)
    """
    kernel = check_finite_array("kernel", kernel, ndim=2)
    if kernel.shape != (2, 2):
        raise ValueError(f"kernel must have shape (2, 2), got {kernel.shape}")
    scale = max(float(np.abs(kernel).max()), np.finfo(float).tiny)
    if abs(kernel[0, 1] - kernel[1, 0]) > 1e-12 * scale or \
            np.linalg.eigvalsh(kernel).min() < -1e-12 * scale:
        raise ValueError("kernel must be symmetric positive semi-definite (a kernel matrix), "
                         f"got {kernel.tolist()}")
    n, sigma2, eps = check_positive("n", n), check_positive("sigma2", sigma2), _real("eps", eps)
    lam = kernel * (n / sigma2)
    if not np.all(np.isfinite(lam)):
        raise RangeOverflowError("n kernel / sigma2 exceeds the float64 range")
    sol = np.linalg.solve(lam + np.eye(2), np.array([1.0, math.sqrt(6.0) * eps]))
    return float(sol[0]), float(sol[1] / math.sqrt(6.0))


# ---------------------------------------------------------------------------
# GFL phase
# ---------------------------------------------------------------------------

def _gfl_cubic(b, a_coef, kap):
    return a_coef * b ** 3 - a_coef * b ** 2 - (1.0 + kap) * b + 1.0


def gfl_b(u, kappa_value, sigma_w2) -> float:
    r"""Linear discrepancy ``b`` of the GFL phase: root of ``A b^3 - A b^2 - (1+kappa) b + 1``.

    Parameters
    ----------
    u : float
        Interaction (``>= 0``).
    kappa_value : float
        NNGP signal-to-noise (``> 0``).
    sigma_w2 : float

    Returns
    -------
    float
        The unique root with ``0 < b < min(1, A^(-1/2))``.

    Notes
    -----
    Only ``q = 0`` is occupied; ``<q^2> = sigma_w2/(d (1 - A b^2))``, so
    ``n Q11/sigma2 = kappa/(1 - A b^2)`` and the GPR equation
    ``1/b = 1 + kappa/(1 - A b^2)`` is the cubic (spec; ``c = eps`` since
    ``Q13, Q33 = O(1/d^2)``).  Uniqueness: the cubic is 1 at ``b = 0``,
    ``-kappa/sqrt(A) < 0`` at ``A b^2 = 1``, and strictly decreasing on
    the branch (``p'(b) < -kappa``), so brentq on that bracket is safe.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import gfl_b
    >>> round(gfl_b(0.0, 1.0, 0.5), 12)   # NNGP limit 1/(1 + kappa)
    0.5
    >>> round(gfl_b(30.234, 0.4042, 0.5), 4)
    0.294
    """
    u = _real("u", u)
    if u < 0:
        raise ValueError(f"u must be >= 0, got {u}")
    kap = check_positive("kappa_value", kappa_value)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    a_coef = _finite(4.0 * sigma_w2 / (math.pi * (1.0 + 2.0 * sigma_w2)) * u, "A")
    hi = 1.0 if a_coef <= 1.0 else 1.0 / math.sqrt(a_coef)
    return brentq(_gfl_cubic, 0.0, hi, args=(a_coef, kap), xtol=1e-15, rtol=1e-15)


@dataclass(frozen=True)
class GFLSolution(ResultMixin):
    """GFL (lazy, ``q = 0`` only) solution of Model A at one noise level.

    Attributes
    ----------
    sigma2, u, kappa, coupling_a : float
    b, c : float
        ``sigma2 t = b He_1 + c He_3``; ``c = eps``.
    stability : float
        ``1 - A b^2`` (``> 0``: ``q = 0`` is a local minimum).
    linear_learned, cubic_learned, test_error : float
        ``1 - b``, ``eps - c`` (= 0) and ``b^2 + 6 c^2``.
    """

    sigma2: float
    u: float
    kappa: float
    coupling_a: float
    b: float
    c: float
    stability: float
    linear_learned: float
    cubic_learned: float
    test_error: float


def gfl_solution(config: ModelAConfig, sigma2) -> GFLSolution:
    """The GFL solution at noise ``sigma2`` (see :func:`gfl_b`).

    Parameters
    ----------
    config : ModelAConfig
    sigma2 : float

    Returns
    -------
    GFLSolution

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import gfl_solution, BASE_MODEL_A
    >>> s = gfl_solution(BASE_MODEL_A, 0.3)
    >>> round(s.b, 4), s.c
    (0.4747, -0.3)
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    u, kap, a_coef = config.u(sigma2), config.kappa(sigma2), config.coupling_a(sigma2)
    b = gfl_b(u, kap, config.sigma_w2)
    c = config.eps
    return GFLSolution(sigma2, u, kap, a_coef, b, c, 1.0 - a_coef * b * b, 1.0 - b, 0.0,
                       b * b + 6.0 * c * c)


# ---------------------------------------------------------------------------
# critical point and spinodal
# ---------------------------------------------------------------------------

def _kappa_on_gfl(b, a_coef):
    """The kappa at which ``b`` is the GFL root for coupling ``A`` (cubic solved for kappa)."""
    return (a_coef * b ** 3 - a_coef * b ** 2 + 1.0) / b - 1.0


def _transition_r(b, c):
    """Interior maximiser ``r* = (b + 2c)/(6c)`` of ``g(r) = (1-2r)(b-2cr)^2`` (or None)."""
    if c == 0.0:
        return None
    r = (b + 2.0 * c) / (6.0 * c)
    if not 0.0 < r < _R_MAX:
        return None
    g_star = -4.0 * (b - c) * (b - c) * (b - c) / (27.0 * c)     # (no ** : it raises)
    return r if g_star > b * b else None


def _spinodal_r(b, c):
    """Interior maximiser of ``k(r) = (1-2r)^2 (b-2cr)(b-6cr)`` beating ``k(0) = b^2`` (or None)."""
    if c == 0.0:
        return None
    # in kk = b/c the quadratic is 24 r^2 - (12 kk + 6) r + kk^2 + 2 kk = 0 and the test
    # k(r) > b^2 is (1-2r)^2 (kk - 2r)(kk - 6r) > kk^2: no c^2 that underflows
    kk = b / c
    if not abs(kk) < 1e100:                  # |b/c| huge: the roots are far from (0, 1/2)
        return None
    disc = 12.0 * (4.0 * kk * kk - 4.0 * kk + 3.0)
    best = None
    for sign in (1.0, -1.0):
        r = (12.0 * kk + 6.0 + sign * math.sqrt(disc)) / 48.0
        if 0.0 < r < _R_MAX:
            k = (1 - 2 * r) ** 2 * (kk - 2 * r) * (kk - 6 * r)
            if k > kk * kk and (best is None or k > best[1]):
                best = (r, k)
    return None if best is None else best[0]


def _line_args(b, eps, sigma_w2):
    """Checked ``(b, eps, sigma_w2)`` of the critical and spinodal lines, ``0 < b < 1``."""
    b = _real("b", b)
    eps = _real("eps", eps)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    if not 0.0 < b < 1.0:
        raise ValueError(f"b must lie in (0, 1), got {b}")
    return b, eps, sigma_w2


def critical_line(b, eps, sigma_w2) -> dict:
    r"""Closed-form first-order critical line, parametrised by the GFL residual ``b_c``.

    Parameters
    ----------
    b : float
        ``b_c`` in ``(0, 1)``.
    eps : float
        Cubic teacher coefficient (``c = eps`` on the GFL side).
    sigma_w2 : float

    Returns
    -------
    dict
        ``u_c``, ``coupling_a``, ``kappa_c``, ``r_star``, ``q_star``; or
        ``None`` when no interior minimum can become degenerate with ``q = 0``
        at this ``b`` (e.g. ``eps = 0``, or ``b >= 2|eps|``).

    Notes
    -----
    :math:`\tilde S = s\,[\frac{1}{2\sigma_w^2} - \frac{2u}{\pi}h(s)]`,
    :math:`h = (b - 2cr)^2/D = (1-2r)(b-2cr)^2/D_0`; a nonzero global minimum
    appears when :math:`A\max_r g(r) = 1`, :math:`g = (1-2r)(b-2cr)^2`.
    :math:`g'(r) = -2(b-2cr)(b+2c-6cr)` gives
    :math:`r^* = (b+2c)/(6c)`, :math:`g(r^*) = -4(b-c)^3/(27c)`; for
    ``c = -|eps|``:

    .. math:: u_c = \frac{27\pi|\epsilon|(1+2\sigma_w^2)}{16\sigma_w^2(b_c+|\epsilon|)^3},\qquad
              q^{*2} = \frac{(1+2\sigma_w^2)(2|\epsilon|-b_c)}{2(b_c+|\epsilon|)}

    (the spec's forms, re-derived in :func:`theory.adaptive_kernel.symbolic.critical_conditions`).
    ``kappa_c`` solves the GFL cubic at ``(u_c, b_c)`` for kappa:
    :math:`\kappa_c = (A b^3 - A b^2 + 1)/b - 1` with ``A = 27|eps|/(4 (b+|eps|)^3)``.
    Interior iff ``b < 2|eps|``; for ``eps > 0`` the formula
    ``r* = (b + 2c)/(6c)`` needs ``b < eps`` and ``g(r*) > b^2``.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import critical_line
    >>> line = critical_line(0.3, -0.3, 0.5)
    >>> round(line["u_c"], 4), round(line["q_star"] ** 2, 4)
    (29.4524, 0.5)
    >>> critical_line(0.3, 0.0, 0.5) is None
    True
    """
    b, eps, sigma_w2 = _line_args(b, eps, sigma_w2)
    r = _transition_r(b, eps)
    if r is None:
        return None
    d0 = 1.0 + 2.0 * sigma_w2
    a_coef = 1.0 / ((1.0 - 2.0 * r) * (b - 2.0 * eps * r) * (b - 2.0 * eps * r))
    u_c = a_coef * math.pi * d0 / (4.0 * sigma_w2)
    return {"u_c": u_c, "coupling_a": a_coef, "kappa_c": _kappa_on_gfl(b, a_coef),
            "r_star": r, "q_star": math.sqrt(_q2_from_r(r, d0))}


def spinodal_line(b, eps, sigma_w2) -> dict:
    r"""Closed-form spinodal line (a nonzero *local* minimum of ``S~`` appears).

    Parameters
    ----------
    b, eps, sigma_w2 : float
        As in :func:`critical_line`.

    Returns
    -------
    dict or None
        ``u_spinodal``, ``coupling_a``, ``kappa_sp``, ``r_star``, ``q_star``
        (the inflection point where the minimum is born).

    Notes
    -----
    In ``r``, :math:`\partial_r[\frac{r}{1-2r} - A r(b-2cr)^2]
    = (1-2r)^{-2} - A(b-2cr)(b-6cr)`, which is ``1 - A b^2 > 0`` at ``r = 0``
    (GFL) and ``+inf`` at ``r = 1/2``; a local minimum exists iff it dips
    below 0, i.e. iff :math:`A\max_r k(r) > 1`,
    :math:`k = (1-2r)^2(b-2cr)(b-6cr)`.  :math:`k'(r) = 0` is the quadratic
    :math:`24c^2r^2 - (12bc + 6c^2)r + b^2 + 2bc = 0` (derived in sympy,
    :func:`theory.adaptive_kernel.symbolic.spinodal_conditions`).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import spinodal_line, critical_line
    >>> sp, cr = spinodal_line(0.3, -0.3, 0.5), critical_line(0.3, -0.3, 0.5)
    >>> bool(sp["u_spinodal"] < cr["u_c"])
    True
    """
    b, eps, sigma_w2 = _line_args(b, eps, sigma_w2)
    r = _spinodal_r(b, eps)
    if r is None:
        return None
    d0 = 1.0 + 2.0 * sigma_w2
    a_coef = 1.0 / ((1 - 2 * r) ** 2 * (b - 2 * eps * r) * (b - 6 * eps * r))
    return {"u_spinodal": a_coef * math.pi * d0 / (4.0 * sigma_w2), "coupling_a": a_coef,
            "kappa_sp": _kappa_on_gfl(b, a_coef), "r_star": r,
            "q_star": math.sqrt(_q2_from_r(r, d0))}


@dataclass(frozen=True)
class ModelACriticalPoint(ResultMixin):
    """First-order critical point and spinodal of a Model A configuration.

    Attributes
    ----------
    first_order : bool
        False when no first-order transition exists (then the critical
        fields are None and ``reason`` says why).
    u_c, sigma2_c, kappa_c : float or None
        Interaction, noise and NNGP signal-to-noise at the transition.
    b_c : float or None
        GFL linear residual at the transition.
    q_star : float or None
        Overlap of the nonzero minimum born degenerate with ``q = 0``.
    u_spinodal, sigma2_spinodal, b_spinodal, q_spinodal : float or None
        Where the nonzero local minimum first appears (``u_spinodal < u_c``).
    method : str
        ``"closed_form"`` or ``"root"``.
    reason : str
    """

    first_order: bool
    u_c: float | None
    sigma2_c: float | None
    kappa_c: float | None
    b_c: float | None
    q_star: float | None
    u_spinodal: float | None
    sigma2_spinodal: float | None
    b_spinodal: float | None
    q_spinodal: float | None
    method: str
    reason: str
    config: ModelAConfig = field(default_factory=ModelAConfig)


def _line_root(config: ModelAConfig, line, key_u: str, key_k: str):
    """Solve ``kappa_line(b)^2/u_line(b) = kappa^2/u`` of the config on a b-grid + brentq.

    Returns ``(b, line_dict)`` of the root with the smallest ``u`` (first met as sigma2
    decreases), or None.
    """
    log_target = config._log_kappa2_over_u

    def resid(b):
        val = line(b, config.eps, config.sigma_w2)
        if val is None or not (0.0 < val[key_k] < math.inf and 0.0 < val[key_u] < math.inf):
            return None         # (also where the line's u or kappa leaves the float64 range)
        return 2.0 * math.log(val[key_k]) - math.log(val[key_u]) - log_target

    grid = np.linspace(1e-6, 1.0 - 1e-6, 2001)
    roots = [(line(b, config.eps, config.sigma_w2)[key_u], b)
             for b in _sign_changes(resid, grid)]
    if not roots:
        return None
    _, b = min(roots)
    return b, line(b, config.eps, config.sigma_w2)


class _Undefined(Exception):
    """Raised inside brentq when the bracketed function is undefined at a point."""


def _sign_changes(func, grid, depth: int = 2) -> list:
    """Roots of ``func`` (which may return None: undefined) bracketed on ``grid``.

    brentq only sees a total function: when it steps on an undefined point the
    bracket is re-scanned on a 64-point sub-grid (``depth`` levels), so a hole
    in the domain inside a grid cell is skipped instead of crashing brentq.
    """
    def total(x):
        value = func(x)
        if value is None:
            raise _Undefined
        return value

    vals = [func(x) for x in grid]
    roots = []
    for (b0, f0), (b1, f1) in zip(zip(grid[:-1], vals[:-1]), zip(grid[1:], vals[1:])):
        if f0 is None or f1 is None or not (f0 == 0.0 or f0 * f1 < 0):
            continue
        if f0 == 0.0:
            roots.append(float(b0))
            continue
        try:
            roots.append(brentq(total, b0, b1, xtol=1e-15, rtol=1e-14))
        except _Undefined:
            if depth > 0:
                roots.extend(_sign_changes(func, np.linspace(b0, b1, 65), depth - 1))
    return roots


def _max_on_r(func):
    """Global maximum of ``func(r)`` on ``[0, 1/2)``: dense grid, then bounded refinement."""
    grid = np.linspace(0.0, _R_MAX * (1 - 1e-9), _GRID)
    vals = func(grid)
    i = int(np.argmax(vals))
    if i == 0:
        return 0.0, float(vals[0])
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, _GRID - 1)]
    res = minimize_scalar(lambda r: -func(np.array([r]))[0], bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-14})
    return float(res.x), float(-res.fun)


def _gfl_excess(config: ModelAConfig, sigma2: float, which: str):
    """``A max_r g(r) - 1`` (transition) or ``A max_r k(r) - 1`` (spinodal) on the GFL branch."""
    g = gfl_solution(config, sigma2)
    b, c = g.b, g.c
    if which == "transition":
        r, m = _max_on_r(lambda r: (1 - 2 * r) * (b - 2 * c * r) ** 2)
    else:
        r, m = _max_on_r(lambda r: (1 - 2 * r) ** 2 * (b - 2 * c * r) * (b - 6 * c * r))
    return g.coupling_a * m - 1.0, r, g


def _root_in_sigma2(config: ModelAConfig, which: str):
    """Largest sigma2 where the excess crosses 0 from below (an interior r), by brentq."""
    u1 = config.u(1.0)
    scale = math.sqrt(u1) if u1 > 0.0 else config.sigma2_at_u(1.0)    # (u1 underflowed: logs)
    grid = np.geomspace(50.0, 1e-3, 400) * scale                       # u from 4e-4 to 1e6
    prev = None
    for s2 in grid:
        ex, r, _ = _gfl_excess(config, s2, which)
        if prev is not None and prev[1] < 0 <= ex and r > 0:
            root = brentq(lambda x: _gfl_excess(config, x, which)[0], s2, prev[0],
                          xtol=1e-14, rtol=1e-13)
            # (own names: the scan goes on from (s2, ex) when the root has r = 0; reusing
            # ex here made the next bracket's sign wrong and brentq raised)
            _, r_root, g = _gfl_excess(config, root, which)
            if r_root > 0:
                return root, r_root, g
        prev = (s2, ex)
    return None


def critical_point(config: ModelAConfig = BASE_MODEL_A, method: str = "closed_form"
                   ) -> ModelACriticalPoint:
    r"""First-order critical point ``(u_c, sigma2_c, b_c, q*)`` and spinodal of a configuration.

    Parameters
    ----------
    config : ModelAConfig
    method : {"closed_form", "root"}
        ``"closed_form"``: the critical / spinodal lines of
        :func:`critical_line` / :func:`spinodal_line`, parametrised by ``b``,
        intersected with the configuration (``kappa^2/u`` is independent of
        ``sigma2``) by brentq in ``b``.  ``"root"``: brentq in ``sigma2`` on
        the GFL branch of ``A max_r g(r) - 1`` with ``max_r`` found
        numerically (independent of the closed forms).

    Returns
    -------
    ModelACriticalPoint
        ``first_order=False`` (critical fields None) if there is no
        first-order transition, e.g. ``eps = 0``: then ``g(r) = (1-2r) b^2``
        is maximal at ``r = 0`` and ``q = 0`` never loses global stability
        (the GFL cubic keeps ``A b^2 < 1`` for every ``u``).

    Notes
    -----
    Along a noise sweep, ``u = U/sigma2^2`` and ``kappa = K/sigma2``; the
    first ``sigma2`` (coming from large noise) where the GFL solution meets
    the critical line is the transition.  With the corrected Q11 (erratum 1)
    the base configuration gives ``u_c = 30.67``, ``sigma2_c = 0.1787``
    (paper: ``u_c ~ 30.2``, ``sigma2 ~ 0.18``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import critical_point, ModelAConfig
    >>> cp = critical_point()
    >>> round(cp.u_c, 2), round(cp.sigma2_c, 4), round(cp.b_c, 4), round(cp.q_star, 4)
    (30.67, 0.1787, 0.292, 0.7214)
    >>> critical_point(ModelAConfig(eps=0.0)).first_order
    False
    """
    check_choice("method", method, ("closed_form", "root"))
    return _critical_point_cached(_check_config(config), method)


@functools.lru_cache(maxsize=256)
def _critical_point_cached(config: ModelAConfig, method: str) -> ModelACriticalPoint:
    # ModelAConfig and ModelACriticalPoint are frozen: sharing a cached result is safe, and
    # a noise sweep (phase_point, finite_d_solution) then finds the critical point once.
    if config.eps == 0.0:
        return _no_transition(config, method, "eps = 0: S~(q) = q^2 [1/(2 sigma_w2) - "
                              "(2u/pi) b^2/D] has no interior extremum, so there is no "
                              "first-order transition")
    if method == "closed_form":
        crit = _line_root(config, critical_line, "u_c", "kappa_c")
        spin = _line_root(config, spinodal_line, "u_spinodal", "kappa_sp")
        if crit is None:
            return _no_transition(config, method, "the GFL branch never meets the "
                                  "first-order critical line (no interior degenerate minimum)")
        b_c, line = crit
        u_c, q_star, kap_c = line["u_c"], line["q_star"], line["kappa_c"]
        sp_vals = (None,) * 4 if spin is None else (
            spin[1]["u_spinodal"], config.sigma2_at_u(spin[1]["u_spinodal"]), spin[0],
            spin[1]["q_star"])
    else:
        crit = _root_in_sigma2(config, "transition")
        if crit is None:
            return _no_transition(config, method, "no sigma2 where an interior minimum of "
                                  "S~ becomes degenerate with q = 0")
        s2, r, g = crit
        u_c, b_c, kap_c = g.u, g.b, g.kappa
        q_star = math.sqrt(_q2_from_r(r, config.d0))
        spin = _root_in_sigma2(config, "spinodal")
        sp_vals = (None,) * 4 if spin is None else (
            spin[2].u, spin[0], spin[2].b, math.sqrt(_q2_from_r(spin[1], config.d0)))
    return ModelACriticalPoint(True, u_c, config.sigma2_at_u(u_c), kap_c, b_c, q_star,
                               *sp_vals, method=method, reason="first-order transition",
                               config=config)


def _no_transition(config, method, reason):
    return ModelACriticalPoint(False, None, None, None, None, None, None, None, None, None,
                               method=method, reason=reason, config=config)


# ---------------------------------------------------------------------------
# mixed (droplet) phase and phase diagram
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelAPhasePoint(ResultMixin):
    """Model A mean-field solution at one noise level.

    Attributes
    ----------
    sigma2, u, kappa : float
    phase : str
        ``"GFL"``, ``"GMFL-I"`` (coexistence, droplets) or ``"GMFL-II"``.
    b, c : float
        ``sigma2 t = b He_1 + c He_3``.
    p : float
        Fraction of neurons at ``+-q*`` (0 in GFL, 1 in GMFL-II).
    n_specialised : float
        ``p N``: expected number of specialised neurons.
    q_star : float
        Overlap of the specialised neurons (0 in GFL).
    linear_learned, cubic_learned : float
        Coefficients of ``He_1`` and ``He_3`` in the mean predictor,
        ``1 - b`` and ``eps - c``.
    test_error : float
        ``b^2 + 6 c^2`` (EK-limit MSE of the mean predictor, noise-free target).
    """

    sigma2: float
    u: float
    kappa: float
    phase: str
    b: float
    c: float
    p: float
    n_specialised: float
    q_star: float
    linear_learned: float
    cubic_learned: float
    test_error: float


def _point(config, sigma2, phase, b, c, p, q_star):
    return ModelAPhasePoint(sigma2, config.u(sigma2), config.kappa(sigma2), phase, b, c, p,
                            p * config.N, q_star, 1.0 - b, config.eps - c,
                            b * b + 6.0 * c * c)


def _mixed_constants(config, sigma2):
    """Per-noise constants of the GMFL-I equations: (A, kappa, n sigma_a2/sigma2, eps).

    Computed once per noise level; the r-scan evaluates the residual thousands of times.
    """
    return (config.coupling_a(sigma2), config.kappa(sigma2),
            config.n * config.sigma_a2 / sigma2, config.eps)


def _mixed_state(r, consts):
    """GMFL-I unknowns as functions of r (scalar or array): (residual, b, c, p)."""
    a_coef, kap, signal, eps = consts
    with np.errstate(divide="ignore", invalid="ignore"):
        t = 1.0 / np.sqrt(a_coef * (1.0 - 2.0 * r))       # b - 2 c r  (degeneracy)
        c = -t / (2.0 * (1.0 - 2.0 * r))                  # from r = (b + 2c)/(6c)
        b = t * (1.0 - 3.0 * r) / (1.0 - 2.0 * r)
        mu = 3.0 * (c - eps) / (r * t)                    # cubic GPR row
        p = mu * math.pi / (4.0 * r * signal)
        stab = 1.0 - a_coef * b * b
        lam0 = np.where(stab > 0, (1.0 - p) * kap / np.where(stab > 0, stab, 1.0), np.inf)
        resid = (1.0 + lam0) * b + mu * t - 1.0
    if np.ndim(r) == 0:
        return float(resid), float(b), float(c), float(p)
    return resid, b, c, p


def mixed_phase(config: ModelAConfig, sigma2):
    r"""GMFL-I (droplet) solution ``(b, c, p, q*)`` at noise ``sigma2``, or None.

    Parameters
    ----------
    config : ModelAConfig
    sigma2 : float

    Returns
    -------
    ModelAPhasePoint or None
        None when no solution with ``0 <= p <= 1`` and ``A b^2 < 1`` exists
        (then the system is GFL or GMFL-II).

    Notes
    -----
    Unknowns ``(b, c, p, q*)``; equations: the two GPR rows with
    ``Q = sigma_a2 [(1-p) Q_0 + p Q_{q*}]`` (:func:`kernel_matrix`),
    ``S~(q*) = 0`` and ``S~'(q*) = 0`` (Maxwell coexistence).  In ``r = q*^2/D``
    the last two give ``r = (b+2c)/(6c)`` and ``A (1-2r)(b-2cr)^2 = 1``, hence
    ``t = b - 2cr = (A(1-2r))^{-1/2}``, ``c = -t/(2(1-2r))``,
    ``b = t(1-3r)/(1-2r)``; the cubic GPR row gives
    :math:`\mu = np\sigma_a^2\frac{4r}{\pi\sigma^2} = 3(c-\epsilon)/(rt)`; the
    linear row :math:`(1 + \frac{(1-p)\kappa}{1-Ab^2})b + \mu t = 1` is solved
    for ``r`` by brentq after a grid scan (the root with ``0 <= p <= 1``
    closest to ``p = 0``).  Since ``n sigma_a2/sigma2 = O(d)``, ``p`` is
    ``O(1/d)``: a few droplet neurons carry the cubic feature.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import mixed_phase, BASE_MODEL_A
    >>> mixed_phase(BASE_MODEL_A, 0.25) is None   # GFL side of sigma2_c = 0.1797
    True
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    consts = _mixed_constants(config, sigma2)
    grid = np.linspace(1e-6, _R_MAX - 1e-6, 4001)
    vals = _mixed_state(grid, consts)[0]
    fin = np.isfinite(vals)
    brackets = np.flatnonzero(fin[:-1] & fin[1:] & (vals[:-1] * vals[1:] <= 0))
    found = []
    for i in brackets:
        r = brentq(lambda x: _mixed_state(x, consts)[0], grid[i], grid[i + 1],
                   xtol=1e-15, rtol=1e-14)
        _, b, c, p = _mixed_state(r, consts)
        if -1e-12 <= p <= 1.0 and 1.0 - config.coupling_a(sigma2) * b * b > 0:
            found.append((p, r, b, c))
    if not found:
        return None
    p, r, b, c = min(found)
    return _point(config, sigma2, "GMFL-I", b, c, max(p, 0.0),
                  math.sqrt(_q2_from_r(r, config.d0)))


def _ordered_state(r, config, sigma2):
    """GMFL-II (p = 1): (b, c) from the linear GPR rows at given r, and dS~/dr."""
    a_coef = config.coupling_a(sigma2)
    mu = config.n * config.sigma_a2 / sigma2 * 4.0 * r / math.pi
    mat = np.array([[1.0 + mu, -2.0 * r * mu], [-mu * r / 3.0, 1.0 + 2.0 * mu * r * r / 3.0]])
    b, c = np.linalg.solve(mat, np.array([1.0, config.eps]))
    slope = 1.0 / (1.0 - 2.0 * r) ** 2 - a_coef * (b - 2 * c * r) * (b - 6 * c * r)
    return slope, float(b), float(c), a_coef


def _ordered_phase(config, sigma2):
    grid = np.linspace(1e-6, _R_MAX - 1e-6, 3001)
    vals = [_ordered_state(r, config, sigma2)[0] for r in grid]
    for i in range(len(grid) - 1):
        if vals[i] < 0 <= vals[i + 1]:            # dS~/dr from - to +: a minimum
            r = brentq(lambda x: _ordered_state(x, config, sigma2)[0], grid[i], grid[i + 1],
                       xtol=1e-15, rtol=1e-14)
            _, b, c, a_coef = _ordered_state(r, config, sigma2)
            rr = np.linspace(0.0, _R_MAX * (1 - 1e-9), _GRID)
            s_all = _action_r(rr, a_coef, b, c)
            s_r = _action_r(r, a_coef, b, c)
            if s_r < 0 and s_r <= s_all.min() + 1e-12:
                return _point(config, sigma2, "GMFL-II", b, c, 1.0,
                              math.sqrt(_q2_from_r(r, config.d0)))
    return None


def phase_point(config: ModelAConfig, sigma2, critical: ModelACriticalPoint | None = None
                ) -> ModelAPhasePoint:
    """The globally stable mean-field solution at noise ``sigma2``.

    Parameters
    ----------
    config : ModelAConfig
    sigma2 : float
    critical : ModelACriticalPoint, optional
        Precomputed :func:`critical_point` of ``config``.

    Returns
    -------
    ModelAPhasePoint

    Raises
    ------
    ValueError
        If below ``sigma2_c`` neither a GMFL-I nor a GMFL-II solution exists.

    Notes
    -----
    ``sigma2 >= sigma2_c``: GFL (:func:`gfl_solution`).  Below: GMFL-I
    (:func:`mixed_phase`) while ``p <= 1``, else GMFL-II (all neurons at the
    global minimum ``q*`` of ``S~``, ``S~(q*) < 0``, GPR with ``p = 1``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import phase_point, BASE_MODEL_A
    >>> pt = phase_point(BASE_MODEL_A, 0.15)
    >>> pt.phase, round(pt.p * BASE_MODEL_A.N, 1), round(pt.cubic_learned, 3)
    ('GMFL-I', 10.7, -0.019)
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    if critical is not None and (not isinstance(critical, ModelACriticalPoint)
                                 or critical.config != config):
        raise TypeError("critical must be the ModelACriticalPoint of this config "
                        "(critical_point(config))")
    crit = critical_point(config) if critical is None else critical
    if not crit.first_order or sigma2 >= crit.sigma2_c:
        g = gfl_solution(config, sigma2)
        return _point(config, sigma2, "GFL", g.b, g.c, 0.0, 0.0)
    mixed = mixed_phase(config, sigma2)
    if mixed is not None:
        return mixed
    ordered = _ordered_phase(config, sigma2)
    if ordered is None:
        raise ValueError(f"no GMFL-I or GMFL-II solution at sigma2 = {sigma2} "
                         f"(below sigma2_c = {crit.sigma2_c:.6g})")
    return ordered


@dataclass(frozen=True)
class ModelAPhaseDiagram(ResultMixin):
    """Model A solutions over a noise grid (arrays aligned with ``sigma2``).

    Attributes
    ----------
    sigma2, u, kappa, b, c, p, q_star, linear_learned, cubic_learned, test_error : ndarray
    phase : tuple of str
    critical : ModelACriticalPoint
    """

    sigma2: np.ndarray
    u: np.ndarray
    kappa: np.ndarray
    phase: tuple
    b: np.ndarray
    c: np.ndarray
    p: np.ndarray
    q_star: np.ndarray
    linear_learned: np.ndarray
    cubic_learned: np.ndarray
    test_error: np.ndarray
    critical: ModelACriticalPoint

    _dict_fields = ("sigma2", "u", "kappa", "phase", "b", "c", "p", "q_star", "linear_learned",
                    "cubic_learned", "test_error", "critical")


def phase_diagram(config: ModelAConfig = BASE_MODEL_A, sigma2=PAPER_SIGMA2_GRID
                  ) -> ModelAPhaseDiagram:
    """:func:`phase_point` over a noise grid (learned components and test error vs sigma2).

    Parameters
    ----------
    config : ModelAConfig
    sigma2 : sequence of float

    Returns
    -------
    ModelAPhaseDiagram

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import phase_diagram
    >>> pd = phase_diagram()
    >>> pd.phase
    ('GMFL-I', 'GMFL-I', 'GFL', 'GFL', 'GFL')
    """
    config = _check_config(config)
    grid = [check_positive("sigma2", s) for s in np.atleast_1d(sigma2)]
    if not grid:
        raise ValueError("sigma2 must hold at least one noise level")
    crit = critical_point(config)
    pts = [phase_point(config, s, crit) for s in grid]

    def col(name):
        return np.array([getattr(p, name) for p in pts])

    return ModelAPhaseDiagram(np.array(grid), col("u"), col("kappa"),
                              tuple(p.phase for p in pts), col("b"), col("c"), col("p"),
                              col("q_star"), col("linear_learned"), col("cubic_learned"),
                              col("test_error"), crit)
