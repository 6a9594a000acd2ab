"""Model A at finite input dimension: the overlap density ``exp(-d S~(q))``, self-consistent.

The scaling-limit theory (:mod:`theory.adaptive_kernel.model_a`) keeps only the
global minima of the reduced action: neurons sit at ``q = 0`` (Gaussian
fluctuations of width ``O(d^-1/2)``) or at ``+-q*``.  At the validation size
(``beta = 1/8``, ``d = 53``) the barrier between the minima is only
``d dS~ ~ 1-3``: the density ``p(q) ~ exp(-d S~(q))`` is a single broad
distribution with a shoulder, and the transition is a crossover.  This module
keeps the whole density: the kernel is its average and ``(b, c)`` solve the GPR
equation with it.  As ``d -> infinity`` at fixed invariants ``u, kappa`` (the
paper's scaled copies) it reduces to the scaling-limit solution; at the
simulated ``d`` it is the mean-field prediction to compare a Langevin
histogram with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import root

from theory._checks import (
    RangeOverflowError,
    _real,
    check_positive,
    check_positive_int,
    check_values,
)
from theory._result import ResultMixin
from theory.adaptive_kernel.model_a import (
    ModelAConfig,
    _check_config,
    gfl_solution,
    gpr_coefficients,
    phase_point,
    reduced_action,
)

__all__ = ["FiniteDSolution", "finite_d_solution", "overlap_density"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _q_grid(config: ModelAConfig, d: float, points: int) -> np.ndarray:
    # The prior part d q^2/(2 sigma_w2) dominates beyond q ~ 3; the interaction is bounded
    # by (2u/pi)(1/2)(|b| + |c|)^2 (r < 1/2), so 40 prior standard deviations or q = 4
    # (whichever is larger) leave a weight below exp(-200) outside.
    q_max = max(4.0, 40.0 * math.sqrt(config.sigma_w2 / d))
    return np.linspace(0.0, q_max, points)


def overlap_density(q, config: ModelAConfig, sigma2, b, c, d=None, points: int = 4001):
    r"""Normalised density ``p(q) = exp(-d S~(q)) / Z`` of one neuron's overlap.

    Parameters
    ----------
    q : array_like
        Where to evaluate (finite).
    config : ModelAConfig
    sigma2 : float
        ``> 0``.
    b, c : float
        Discrepancy coefficients (finite).
    d : float, optional
        Input dimension in the exponent (default ``config.d``), ``> 0``.
    points : int
        Grid for the normalisation ``Z = int exp(-d S~) dq`` over the real line,
        ``>= 2``.

    Returns
    -------
    ndarray

    Notes
    -----
    Spec, "Reduced action": :math:`p(q)\propto e^{-d\tilde S(q)}` with
    :math:`\tilde S` of :func:`~theory.adaptive_kernel.model_a.reduced_action`
    (paper Eq. 9 with errata 1 and 3).  The density is even in ``q``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.adaptive_kernel.model_a import ModelAConfig
    >>> from theory.adaptive_kernel.finite_d import overlap_density
    >>> cfg = ModelAConfig(n=375, d=53, N=88, sigma_a2=0.0323)
    >>> q = np.linspace(-3, 3, 6001)
    >>> round(float(np.trapezoid(overlap_density(q, cfg, 0.2, 0.33, -0.3), q)), 6)
    1.0
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    b, c = _real("b", b), _real("c", c)
    q = check_values("q", q)
    d = config.d if d is None else check_positive("d", d)
    grid = _q_grid(config, d, _check_points(points))
    u = config.u(sigma2)
    s_grid = _scaled_action(d, grid, u, b, c, config.sigma_w2)
    shift = s_grid.min()
    z = 2.0 * np.trapezoid(np.exp(-(s_grid - shift)), grid)
    s_q = _scaled_action(d, np.abs(np.asarray(q, dtype=float)), u, b, c, config.sigma_w2)
    with np.errstate(under="ignore"):
        return np.exp(-(s_q - shift)) / z


def _check_points(points) -> int:
    points = check_positive_int("points", points)
    if points < 2:
        raise ValueError(f"points must be an integer >= 2 (a trapezoid grid), got {points}")
    return points


def _scaled_action(d, q, u, b, c, sigma_w2):
    """``d S~(q)``, refusing an overflow (the density is then not representable)."""
    with np.errstate(over="ignore"):
        out = d * reduced_action(q, u, b, c, sigma_w2)
    if not np.all(np.isfinite(out)):
        raise RangeOverflowError("d S~(q) exceeds the float64 range")
    return out


@dataclass(frozen=True)
class FiniteDSolution(ResultMixin):
    """Self-consistent Model A solution with the full overlap density at finite ``d``.

    Attributes
    ----------
    sigma2, d, u, kappa : float
    b, c : float
        ``sigma2 t = b He_1 + c He_3``.
    linear_learned, cubic_learned, test_error : float
        ``1 - b``, ``eps - c``, ``b^2 + 6 c^2``.
    q_rms : float
        ``sqrt(<q^2>)`` under the density.
    tail_threshold : float
        The ``|q|`` threshold of ``tail_fraction``.
    tail_fraction : float
        ``P(|q| > tail_threshold)``: the fraction of neurons counted as
        specialised with that threshold (compare with a histogram).
    converged : bool
        Whether the root finder met ``tol``.
    start : str
        Which start gave this root (``"gfl"`` or ``"scaling_limit"``).
    other_root : tuple or None
        ``(b, c)`` of a different root found from the other start (both are
        self-consistent; the module does not compare their free energies).
    """

    sigma2: float
    d: float
    u: float
    kappa: float
    b: float
    c: float
    linear_learned: float
    cubic_learned: float
    test_error: float
    q_rms: float
    tail_threshold: float
    tail_fraction: float
    converged: bool
    start: str
    other_root: tuple | None


def _moments(config, sigma2, b, c, d, grid):
    """Kernel (2x2, basis He_1, He_3/sqrt6), <q^2> and the log-weights on ``grid``."""
    s = _scaled_action(d, grid, config.u(sigma2), b, c, config.sigma_w2)
    with np.errstate(under="ignore"):
        w = np.exp(-(s - s.min()))
    w /= np.trapezoid(w, grid)
    dd = 1.0 + 2.0 * config.sigma_w2 + 2.0 * grid * grid
    r = grid * grid / dd
    c1 = _TWO_OVER_SQRT_PI * np.sqrt(r)
    c3 = -c1 * 2.0 * r / math.sqrt(6.0)
    feats = np.stack([c1, c3])
    kernel = config.sigma_a2 * np.trapezoid(w * feats[:, None] * feats[None], grid, axis=-1)
    return kernel, float(np.trapezoid(w * grid * grid, grid)), w


def finite_d_solution(config: ModelAConfig, sigma2, *, d=None, tail_threshold: float = 0.4,
                      points: int = 2001, tol: float = 1e-12) -> FiniteDSolution:
    r"""Solve the Model A mean-field equations keeping the whole density ``exp(-d S~(q))``.

    Parameters
    ----------
    config : ModelAConfig
        ``n, N, sigma_a2, sigma_w2, eps`` and (unless ``d`` is given) ``d``.
    sigma2 : float
        Noise, ``> 0``.
    d : float, optional
        Dimension in the exponent (default ``config.d``), ``> 0``; ``u`` and
        ``kappa`` always come from ``config``.
    tail_threshold : float
        ``|q|`` above which a neuron counts as specialised in ``tail_fraction``
        (``> 0``).
    points : int
        Trapezoid grid on ``q >= 0`` (the density is even), ``>= 2``.  The
        integrands are smooth and decay like Gaussians, so the rule converges
        fast: 1001 and 4001 points agree to 1e-15 at ``d = 53``.
    tol : float
        Tolerance on ``(b, c)``, ``> 0``.

    Returns
    -------
    FiniteDSolution

    Raises
    ------
    ValueError
        For an argument outside its range, or when neither start converges
        to a self-consistent solution.

    Notes
    -----
    Unknowns ``(b, c)``; equations
    :math:`Q = \sigma_a^2\int p(q)\,\mathbf c(q)\mathbf c(q)^T dq`,
    :math:`\mathbf c = \frac{2}{\sqrt\pi}\sqrt{r}\,(1, -2r/\sqrt6)`,
    :math:`r = q^2/D`, :math:`p\propto e^{-d\tilde S(q;b,c)}`, and the GPR
    equation
    :math:`(b,\sqrt6 c) = \frac{\sigma^2}{n}[Q + \frac{\sigma^2}{n}]^{-1}(1,\sqrt6\epsilon)`
    (:func:`~theory.adaptive_kernel.model_a.gpr_coefficients`, erratum 2).  In
    the GFL regime the density is Gaussian with ``<q^2> = sigma_w2/(d(1 - A b^2))``
    and this is the scaling-limit kernel
    (:func:`~theory.adaptive_kernel.model_a.kernel_matrix`); with two
    degenerate minima it puts weight ``p`` at ``+-q*``.  Solved by Powell's
    hybrid method from the GFL solution and from the scaling-limit solution;
    a second, different root is reported in ``other_root``.  Cost: a few
    dozen evaluations of ``S~`` on ``points`` grid points, about 7 ms per
    noise level.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_a import ModelAConfig, gfl_solution
    >>> from theory.adaptive_kernel.finite_d import finite_d_solution
    >>> cfg = ModelAConfig().scaled(512)          # d = 3394: close to the scaling limit
    >>> sol = finite_d_solution(cfg, 0.3)
    >>> round(sol.b, 3), round(gfl_solution(cfg, 0.3).b, 3)
    (0.475, 0.475)
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    d = config.d if d is None else check_positive("d", d)
    tail_threshold = check_positive("tail_threshold", tail_threshold)
    tol = check_positive("tol", tol)
    grid = _q_grid(config, d, _check_points(points))

    def resid(v):
        kernel, _, _ = _moments(config, sigma2, v[0], v[1], d, grid)
        b, c = gpr_coefficients(kernel, config.n, sigma2, config.eps)
        return [b - v[0], c - v[1]]

    starts = {"gfl": (gfl_solution(config, sigma2).b, config.eps)}
    try:
        pt = phase_point(config, sigma2)
        starts["scaling_limit"] = (pt.b, pt.c)
    except ValueError:                       # no scaling-limit solution: GFL start only
        pass
    roots = []
    for name, x0 in starts.items():
        try:
            sol = root(resid, x0, method="hybr", tol=tol)
        except OverflowError:                # the iteration left the representable range
            continue
        if sol.success and np.all(np.isfinite(sol.x)):
            roots.append((name, float(sol.x[0]), float(sol.x[1]), bool(sol.success)))
    if not roots:
        raise ValueError(f"no self-consistent finite-d solution found at sigma2 = {sigma2}")
    name, b, c, ok = roots[0]
    other = None
    for _, b2, c2, _ in roots[1:]:
        if abs(b2 - b) + abs(c2 - c) > 1e-6:
            other = (b2, c2)
    _, q2, w = _moments(config, sigma2, b, c, d, grid)
    tail = float(np.trapezoid(np.where(grid > tail_threshold, w, 0.0), grid))
    return FiniteDSolution(sigma2=sigma2, d=float(d), u=config.u(sigma2),
                           kappa=config.kappa(sigma2), b=b, c=c, linear_learned=1.0 - b,
                           cubic_learned=config.eps - c, test_error=b * b + 6.0 * c * c,
                           q_rms=math.sqrt(q2), tail_threshold=tail_threshold,
                           tail_fraction=tail, converged=ok, start=name, other_root=other)
