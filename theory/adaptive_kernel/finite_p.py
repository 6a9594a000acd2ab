r"""Model B at finite ``P``: the exact Fourier-mode density, solved self-consistently.

The scaling-limit theory (:mod:`theory.adaptive_kernel.model_b`) keeps the
saddles of the mode action: a Fourier mode of a neuron is either at
``Phi = Psi = 0`` or at the specialised saddle ``x_+``, and the weight of the
latter is ``4 e^{-S}/(1 + 4 e^{-S})``.  At sizes that can be simulated
(``P ~ 11..41``) the action ``P S~`` is only a few units, and what decides the
fraction of specialised modes is the whole density, not its saddles.  This
module integrates it exactly.

**The density of one mode** (derivation).  For real ``w`` the unitary DFT has
``w^_{-k} = conj(w^_k)``, so the ``P - 1`` nonzero indices form ``(P - 1)/2``
complex modes.  The per-neuron action (module docstring of
:mod:`~theory.adaptive_kernel.model_b`) is a sum over indices ``k != 0`` of
``P [(Phi_k + Psi_k)/2 - g Phi_k Psi_k + (gamma/6)(Phi_k^3 + Psi_k^3)]``; the
pair ``(k, -k)`` carries it twice.  In polar coordinates
``d^2 w^_k = (1/2) d|w^_k|^2 d theta`` the measure is flat in
``Phi = |w^_k|^2/P``, hence

.. math:: p(\Phi, \Psi) \propto e^{-mP\,S(\Phi,\Psi)},\quad
          S = \frac{\Phi+\Psi}{2} - g\Phi\Psi + \frac{\gamma}{6}(\Phi^3+\Psi^3),
          \quad \Phi, \Psi \ge 0,

with ``m = 2`` (``action_multiplier``; the paper's saddle formula uses ``m = 1``
and a degeneracy 4).  Check: at ``g = gamma = 0`` it gives ``<Phi> = 1/P``,
the prior's ``E|w^_k|^2 = 1``, and the NNGP eigenvalue ``4 sigma_a2`` on the
target (``m = 1`` would give ``16 sigma_a2``).

**Kernel and self-consistency.**  The target ``y^p`` spans the diagonal
Fourier modes ``(k, k)`` of the input pairs, on which the mean kernel has the
eigenvalue ``lambda = n_f sigma_a2 <Phi Psi>`` with ``n_f = 4 P^2`` (the
literal kernel: ``normalisation="matrix"``, the default here) or ``n_f = 1``
(the paper's normalisation).  GPR on that eigenvector gives
``|a| = sigma2/(lambda(a) + sigma2)`` with ``g = u a^2``; ``<Phi Psi>`` grows
with ``g`` (its derivative is ``m P Var(Phi Psi)``), so the root is unique.

The paper's normalisation is the literal model at rescaled couplings: its
equations at ``(sigma_a2, sigma2)`` are the ``"matrix"`` equations at
``(sigma_a2/(16 P^4), sigma2/(4 P^2))`` (``u`` and ``lambda/sigma2`` are
unchanged).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import brentq

from theory._budget import check_allocation
from theory._checks import (
    check_finite_array,
    check_nonnegative,
    check_positive,
    check_positive_int,
    warn_assumption,
)
from theory._json import jsonable
from theory.adaptive_kernel.model_b import (
    ModelBConfig,
    _norm_factor,
    diagonal_action,
    saddles,
    thresholds,
)

__all__ = ["ModeMoments", "FinitePPoint", "mode_moments", "mode_marginal",
           "finite_p_solution", "finite_p_curve", "sharp_limit_a", "default_threshold"]

_TAIL = 60.0        # nats: the density is cut where it has fallen by e^-60


def default_threshold(gamma) -> float:
    """``1/sqrt(3 gamma)``: the barrier ``x_-`` of the diagonal action at coexistence.

    A mode counts as specialised when ``sqrt(Phi Psi)`` exceeds it.

    Raises
    ------
    TypeError, ValueError
        If ``gamma`` is not a finite real number ``> 0``.

    Examples
    --------
    >>> from theory.adaptive_kernel.finite_p import default_threshold
    >>> round(default_threshold(1e-4), 4)     # x_c/3 with x_c = sqrt(3/gamma) = 173.2
    57.735
    """
    gamma = check_positive("gamma", gamma)
    if 3.0 * gamma < math.inf:
        return 1.0 / math.sqrt(3.0 * gamma)
    return 1.0 / (math.sqrt(3.0) * math.sqrt(gamma))       # 3 gamma overflows


def _check_rule(action_multiplier, threshold, order):
    """Checked ``(m, threshold or None, order)`` of the mode density's quadrature."""
    m = check_positive("action_multiplier", action_multiplier)
    thr = None if threshold is None else check_positive("threshold", threshold)
    return m, thr, check_positive_int("order", order)


def _check_config(config):
    if not isinstance(config, ModelBConfig):
        raise TypeError(f"config must be a ModelBConfig, got {type(config).__name__}")
    return config


def _regions(g, gamma, mP):
    """Where the mode density lives, as ``(start, end, panel width)``, and its cut-off ``L``.

    The unspecialised corner, the specialised saddle ``x_+ +- 14`` widths
    (panels of 2), and the whole range up to ``L`` (40 panels), ``L`` where the
    diagonal action has risen by 60 nats beyond its features.  A length is
    where ``mP`` times the action has changed by one nat.  The single mode's
    ``-mP(x/2 + gamma x^3/6)`` has the decay length ``l = 2/(mP)`` and the cubic
    length ``c = (6/(mP gamma))^(1/3)``: the corner is ``[0, 60 l]`` in panels of
    ``3 l`` when ``3 l <= c``, else ``[0, min(60 l, 20 c)]`` in panels of ``c``.
    At ``x_+`` the width is that of the quadratic term ``mP (gamma x_+ - g) d^2``
    or, when shorter (near the spinodal, where it vanishes), of the cubic one
    ``mP gamma d^3/3``.
    """
    lin, cub = 2.0 / mP, (6.0 / (mP * gamma)) ** (1.0 / 3.0)
    if 3.0 * lin <= cub:        # e^{-mP Phi/2} decays first: panels of 3 decay lengths
        top, panel = _TAIL * lin, 3.0 * lin
    else:                       # e^{-mP gamma Phi^3/6}: 20 panels of one cubic length
        top, panel = min(_TAIL * lin, 20.0 * cub), cub
    regions = [(0.0, top, panel)]
    s = saddles(g, gamma)
    s_min = 0.0
    if s is not None:
        x_plus = s[1]
        curvature = mP * (gamma * x_plus - g)
        cubic = (3.0 / (mP * gamma)) ** (1.0 / 3.0)
        width = cubic if curvature * cubic * cubic <= 1.0 else 1.0 / math.sqrt(curvature)
        lo, hi = max(0.0, x_plus - 14.0 * width), x_plus + 14.0 * width
        regions.append((lo, hi, 2.0 * width))
        top = max(top, hi)
        s_min = min(0.0, float(diagonal_action(x_plus, g, gamma)))
    end = max(top, math.sqrt(3.0 / gamma))
    while mP * (float(diagonal_action(end, g, gamma)) - s_min) < _TAIL or \
            1.0 - 2.0 * g * end + gamma * end * end <= 0.0:
        end *= 1.5
    regions.append((0.0, end, end / 40.0))
    return regions, end


def _gauss_legendre(breaks, regions, order):
    """Composite Gauss-Legendre rule on consecutive ``breaks``, panels from ``regions``.

    Returns nodes, weights and, per node, the index of its interval in ``breaks``.
    """
    panels = []
    for j, (c, d) in enumerate(zip(breaks[:-1], breaks[1:])):
        if d > c:
            width = min([w for a, b, w in regions if a <= c and d <= b] or [d - c])
            panels.append((j, c, d, int(math.ceil((d - c) / width - 1e-9))))
    total = order * sum(p[3] for p in panels)
    # leggauss solves an order x order eigenproblem; nodes, weights, owner: 3 per node
    check_allocation(8.0 * (2 * order * order + 3 * total),
                     f"the Gauss-Legendre rule of {total} nodes (order={order})")
    t, tw = np.polynomial.legendre.leggauss(order)
    nodes, weights, owner = [], [], []
    for j, c, d, n in panels:
        edges = np.linspace(c, d, n + 1)
        half = 0.5 * np.diff(edges)
        mid = 0.5 * (edges[1:] + edges[:-1])
        nodes.append((mid[:, None] + half[:, None] * t[None]).ravel())
        weights.append((half[:, None] * tw[None]).ravel())
        owner.append(np.full(n * order, j))
    return np.concatenate(nodes), np.concatenate(weights), np.concatenate(owner)


def _nodes(g, gamma, mP, order):
    """Nodes and weights on ``[0, L]`` for the density of :func:`mode_moments`.

    The callers hold a few ``n x n`` arrays on them: refused beyond the memory budget.
    """
    regions, end = _regions(g, gamma, mP)
    breaks = sorted({min(max(e, 0.0), end) for r in regions for e in r[:2]})
    x, w, _ = _gauss_legendre(breaks, regions, order)
    keep = w > 0.0          # a peak narrower than float64 resolves at x_+ collapses its panels
    check_allocation(8.0 * 5 * keep.sum() ** 2,
                     f"the mode density on {keep.sum()}^2 nodes (order={order})")
    return x[keep], w[keep]


def _log_single(x, gamma, mP):
    return -mP * (0.5 * x + gamma / 6.0 * x ** 3)


@dataclass(frozen=True)
class ModeMoments:
    """Moments of the density ``exp(-m P S(Phi, Psi))`` of one complex Fourier mode.

    Attributes
    ----------
    g, gamma, P, action_multiplier : float
    phi_psi : float
        ``<Phi Psi>``.
    phi : float
        ``<Phi>`` (= ``<Psi>``).
    specialised : float
        ``P(sqrt(Phi Psi) > threshold)``.
    threshold : float
    nodes, marginal : ndarray
        Quadrature nodes in ``Phi`` and the marginal density of ``Phi`` there.
    """

    g: float
    gamma: float
    P: float
    action_multiplier: float
    phi_psi: float
    phi: float
    specialised: float
    threshold: float
    nodes: np.ndarray
    marginal: np.ndarray

    def to_dict(self) -> dict:
        """JSON-ready dictionary (without the node arrays)."""
        d = asdict(self)
        d.pop("nodes")
        d.pop("marginal")
        return jsonable(d)


def mode_moments(g, gamma, P, *, action_multiplier=2.0, threshold=None,
                 order: int = 8) -> ModeMoments:
    r"""Exact moments of ``p(Phi, Psi) ~ exp(-m P S(Phi, Psi))`` on ``Phi, Psi >= 0``.

    Parameters
    ----------
    g : float
        ``u a^2`` (``>= 0``).
    gamma : float
        Sextic regulariser (``> 0``).
    P : float
        Modulus (sets the scale ``m P`` of the action).
    action_multiplier : float
        ``m``: 2 for a complex mode (module docstring), 1 for the paper's count.
    threshold : float, optional
        ``sqrt(Phi Psi)`` above which a mode counts as specialised (default
        :func:`default_threshold`).
    order : int
        Gauss-Legendre nodes per panel.

    Returns
    -------
    ModeMoments

    Raises
    ------
    TypeError, ValueError
        For a parameter that is not a finite real number in its range (``g``
        ``>= 0``; ``gamma``, ``P``, ``action_multiplier``, ``threshold`` ``> 0``;
        ``order`` an integer ``>= 1``), or a subnormal ``gamma``.
    RangeOverflowError
        (A ValueError.)  If the action on the density's range exceeds the
        float64 range: the range reaches past ``sqrt(3/gamma)`` and ``x_+``,
        whose cubes overflow beyond about ``5e102`` (``gamma`` below about
        ``1e-205``, or ``x_+ ~ 2 g/gamma`` that large).
    MemoryBudgetError
        (A ValueError.)  If the ``n x n`` node arrays (``n`` about ``45 order``)
        exceed the memory limit of :mod:`theory._budget`.

    Notes
    -----
    Tensor-product Gauss-Legendre rule on panels sized to where the density
    lives: the corner ``Phi, Psi < 120/(m P)`` (the unspecialised mode,
    ``e^{-mP Phi/2}``; finer where the cubic term decays faster, ``gamma >
    (mP)^2/36``), ``x_+ +- 14`` standard deviations (the specialised saddle,
    :func:`~theory.adaptive_kernel.model_b.saddles`; near the spinodal, where
    the curvature vanishes, its cubic width) and the range up to where the
    diagonal action has risen by 60 nats.  The exponent is
    shifted by its maximum (no overflow at ``m P S ~ 10^4``).  Checked against
    ``scipy.integrate.dblquad`` and by doubling ``order`` in
    ``tests/test_kernel_model_b_finite_p.py``.  Cost: a few hundred thousand
    exponentials, about 10 ms.

    Examples
    --------
    >>> from theory.adaptive_kernel.finite_p import mode_moments
    >>> m = mode_moments(0.0, 1e-12, 11)        # no coupling: the prior, <Phi> = 1/P
    >>> round(m.phi * 11, 6), round(m.phi_psi * 121, 6)
    (1.0, 1.0)
    """
    g = check_nonnegative("g", g)
    gamma = check_positive("gamma", gamma)
    P = check_positive("P", P)
    m, thr, order = _check_rule(action_multiplier, threshold, order)
    thr = default_threshold(gamma) if thr is None else thr
    mP = m * P
    x, wt = _nodes(g, gamma, mP, order)
    single = _log_single(x, gamma, mP) + np.log(wt)
    expo = single[:, None] + single[None, :] + mP * g * np.outer(x, x)
    expo -= expo.max()
    dens = np.exp(expo)
    z = dens.sum()
    pp = np.outer(x, x)
    marg = dens.sum(axis=1) / (z * wt)               # density of Phi at the nodes
    return ModeMoments(g=g, gamma=gamma, P=P, action_multiplier=m,
                       phi_psi=float((dens * pp).sum() / z),
                       phi=float(dens.sum(axis=1) @ x / z),
                       # (a partial sum can round 1 ulp above the total: clipped)
                       specialised=min(1.0, float(dens[pp > thr * thr].sum() / z)),
                       threshold=thr, nodes=x, marginal=marg)


def mode_marginal(edges, g, gamma, P, *, action_multiplier=2.0, order: int = 8):
    r"""Mean density of ``Phi`` in each bin of ``edges`` (compare a histogram of modes).

    Parameters
    ----------
    edges : array_like
        Increasing bin edges, ``>= 0``.
    g, gamma, P, action_multiplier, order
        As in :func:`mode_moments`.

    Returns
    -------
    ndarray
        ``P(edges[i] <= Phi < edges[i+1]) / width`` for every bin (0 beyond the
        density's cut-off, where it has fallen by ``e^-60``).

    Raises
    ------
    TypeError, ValueError
        For ``edges`` that are not finite, increasing, ``>= 0`` and at least 2,
        and for the parameters of :func:`mode_moments`.
    RangeOverflowError, MemoryBudgetError
        As in :func:`mode_moments` (the budget counts bins times nodes).

    Notes
    -----
    :math:`p(\Phi) = e^{s(\Phi)}\int e^{s(\Psi) + mPg\Phi\Psi}d\Psi / Z` with
    :math:`s(x) = -mP(x/2 + \gamma x^3/6)`, the inner integral on the nodes of
    :func:`mode_moments`, each bin integrated by Gauss-Legendre on panels no
    wider than the density's local scale (log space throughout).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.adaptive_kernel.finite_p import mode_marginal
    >>> edges = np.linspace(0, 3, 31)
    >>> dens = mode_marginal(edges, 0.0, 1e-9, 5)          # prior: Phi ~ Exp(mean 1/5)
    >>> bool(np.allclose(dens[:3], 5 * np.exp(-5 * edges[:3]) * (1 - np.exp(-0.5)) / 0.5))
    True
    """
    g = check_nonnegative("g", g)
    gamma = check_positive("gamma", gamma)
    m, _, order = _check_rule(action_multiplier, None, order)
    mP = m * check_positive("P", P)
    edges = check_finite_array("edges", edges, ndim=1)
    if edges.size < 2 or np.any(np.diff(edges) <= 0) or edges[0] < 0:
        raise ValueError("edges must be an increasing 1-D array of at least 2 values >= 0")
    y, wy = _nodes(g, gamma, mP, order)
    inner_log = _log_single(y, gamma, mP) + np.log(wy)
    expo = inner_log[:, None] + inner_log[None, :] + mP * g * np.outer(y, y)
    log_z = float(np.logaddexp.reduce(expo, axis=None))
    regions, end = _regions(g, gamma, mP)
    inside = [e for r in regions for e in r[:2] if edges[0] < e < edges[-1]]
    breaks = np.unique(np.concatenate([edges, inside]))
    x, wx, owner = _gauss_legendre(list(breaks), regions, order)
    check_allocation(8.0 * 3 * x.size * y.size, f"the marginal on {x.size} x {y.size} nodes "
                                                f"({edges.size - 1} bins, order={order})")
    log_p = np.full(x.size, -np.inf)         # beyond the cut-off: 0 (and no overflow)
    x_in = x[x <= end]
    log_p[x <= end] = (_log_single(x_in, gamma, mP)
                       + np.logaddexp.reduce(inner_log[None, :] + mP * g * np.outer(x_in, y),
                                             axis=1)
                       - log_z)
    mass = np.bincount(owner, weights=wx * np.exp(log_p), minlength=breaks.size - 1)
    per_bin = np.add.reduceat(mass, np.searchsorted(breaks, edges[:-1]))
    return per_bin / np.diff(edges)


@dataclass(frozen=True)
class FinitePPoint:
    """Self-consistent Model B solution with the exact mode density.

    Attributes
    ----------
    sigma2 : float
    abs_a, learned : float
        ``|a|`` and ``1 - |a|``.
    g : float
        ``u a^2``.
    coupling_ratio : float
        ``g/g_c`` with ``g_c = 2 sqrt(gamma/3)`` (1 at coexistence).
    kernel_eigenvalue : float
        ``lambda = n_f sigma_a2 <Phi Psi>``.
    phi_psi, phi : float
        ``<Phi Psi>`` and ``<Phi>``.
    specialised_mode_fraction : float
        ``P(sqrt(Phi Psi) > threshold)`` per complex mode.
    specialised_neuron_fraction : float
        ``1 - (1 - mode fraction)^((P-1)/2)``: a neuron with at least one
        specialised mode (modes are independent in the mean field); 0 at
        ``P = 2``, which has no complex mode (see :func:`finite_p_solution`).
    threshold : float
    normalisation : str
    action_multiplier : float
    """

    sigma2: float
    abs_a: float
    learned: float
    g: float
    coupling_ratio: float
    kernel_eigenvalue: float
    phi_psi: float
    phi: float
    specialised_mode_fraction: float
    specialised_neuron_fraction: float
    threshold: float
    normalisation: str
    action_multiplier: float

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return jsonable(asdict(self))


def finite_p_solution(config: ModelBConfig, sigma2, *, normalisation: str = "matrix",
                      action_multiplier=2.0, threshold=None, order: int = 8
                      ) -> FinitePPoint:
    r"""Solve ``|a| = sigma2/(lambda(a) + sigma2)`` with the exact mode density at ``P``.

    Parameters
    ----------
    config : ModelBConfig
    sigma2 : float
        Noise, ``> 0``.
    normalisation : {"matrix", "paper"}
        ``"matrix"`` (default): ``lambda = 4 P^2 sigma_a2 <Phi Psi>``, the kernel
        of the network as specified (what a simulation of it samples);
        ``"paper"``: ``lambda = sigma_a2 <Phi Psi>``.
    action_multiplier : float
        ``m`` of :func:`mode_moments` (2 for the network as specified).
    threshold : float, optional
        Specialisation threshold on ``sqrt(Phi Psi)`` (default
        :func:`default_threshold`).
    order : int
        Gauss-Legendre nodes per panel (:func:`mode_moments`).

    Returns
    -------
    FinitePPoint

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`~theory.adaptive_kernel.model_b.ModelBConfig`.
    TypeError, ValueError
        For ``sigma2`` not finite and ``> 0``, an unknown ``normalisation``, and
        the quadrature parameters of :func:`mode_moments`.
    RangeOverflowError, MemoryBudgetError
        As in :func:`mode_moments`; ``RangeOverflowError`` also when ``u``
        overflows (:meth:`~theory.adaptive_kernel.model_b.ModelBConfig.u`).

    Warns
    -----
    AssumptionWarning
        At ``P = 2``: its one nonzero Fourier index is its own conjugate, a
        real mode, not the complex modes the density is derived for.

    Notes
    -----
    ``F(a) = a - sigma2/(lambda(a) + sigma2)`` is increasing with ``F(0) < 0 <
    F(1)``; brentq to ``1e-12``.  Cost: about 40 evaluations of
    :func:`mode_moments`, 0.2 s.  As ``P -> infinity`` at fixed couplings the
    density concentrates on the saddles and the solution becomes
    :func:`sharp_limit_a` (tested at the paper's ``P = 401``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import ModelBConfig
    >>> from theory.adaptive_kernel.finite_p import finite_p_solution
    >>> cfg = ModelBConfig(P=11, N=64, sigma_a2=6.94e-7, gamma=3.63)
    >>> pt = finite_p_solution(cfg, 0.9e-3)
    >>> round(pt.abs_a, 3), round(pt.coupling_ratio, 3)
    (0.818, 0.985)
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    norm = _norm_factor(config, normalisation)
    action_multiplier, threshold, order = _check_rule(action_multiplier, threshold, order)
    if config.P == 2:
        warn_assumption("P = 2 has no complex Fourier mode (its nonzero index k = 1 is its "
                        "own conjugate): the complex-mode density of finite_p does not apply")
    u = config.u(sigma2)
    kw = dict(action_multiplier=action_multiplier, threshold=threshold, order=order)

    def lam(a):
        return norm * config.sigma_a2 * mode_moments(u * a * a, config.gamma, config.P,
                                                     **kw).phi_psi

    a = brentq(lambda a: a - sigma2 / (lam(a) + sigma2), 0.0, 1.0, xtol=1e-12, rtol=1e-12)
    g = u * a * a
    mom = mode_moments(g, config.gamma, config.P, **kw)
    frac = mom.specialised
    modes = (config.P - 1) // 2
    return FinitePPoint(sigma2=sigma2, abs_a=a, learned=1.0 - a, g=g,
                        coupling_ratio=g / (2.0 * math.sqrt(config.gamma / 3.0)),
                        kernel_eigenvalue=norm * config.sigma_a2 * mom.phi_psi,
                        phi_psi=mom.phi_psi, phi=mom.phi, specialised_mode_fraction=frac,
                        # 1 - (1 - frac)^modes without the cancellation that gave 0 for
                        # a tiny frac (below the mode fraction itself)
                        specialised_neuron_fraction=1.0 if frac >= 1.0 else
                        -math.expm1(modes * math.log1p(-frac)),
                        threshold=mom.threshold, normalisation=normalisation,
                        action_multiplier=action_multiplier)


def finite_p_curve(config: ModelBConfig, sigma2, **kwargs) -> list:
    """:func:`finite_p_solution` at every noise level of ``sigma2`` (list of points).

    Parameters
    ----------
    config : ModelBConfig
    sigma2 : float or array_like
        Noise levels, each ``> 0``.
    **kwargs
        Keyword arguments of :func:`finite_p_solution`.

    Returns
    -------
    list of FinitePPoint

    Raises
    ------
    TypeError, ValueError
        As :func:`finite_p_solution` (also for an empty ``sigma2``).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import ModelBConfig
    >>> from theory.adaptive_kernel.finite_p import finite_p_curve
    >>> cfg = ModelBConfig(P=11, N=64, sigma_a2=6.94e-7, gamma=3.63)
    >>> [round(p.abs_a, 3) for p in finite_p_curve(cfg, [0.5e-3, 0.9e-3, 1.2e-3])]
    [0.501, 0.818, 0.987]
    """
    config = _check_config(config)
    levels = np.atleast_1d(sigma2)
    if levels.size == 0:
        raise ValueError("sigma2 must hold at least one noise level")
    return [finite_p_solution(config, s, **kwargs) for s in levels]


def sharp_limit_a(config: ModelBConfig, sigma2, *, normalisation: str = "matrix") -> dict:
    r"""``|a|`` of the scaling limit (sharp coexistence) at the couplings of ``config``.

    Parameters
    ----------
    config : ModelBConfig
    sigma2 : float
        Noise, ``> 0``.
    normalisation : {"matrix", "paper"}

    Returns
    -------
    dict
        ``sigma2, abs_a, learned, specialised_mode_fraction, phase``.

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`~theory.adaptive_kernel.model_b.ModelBConfig`.
    TypeError, ValueError
        For ``sigma2`` not finite and ``> 0`` or an unknown ``normalisation``.
    RangeOverflowError
        (A ValueError.)  In GMFL-II, if ``u`` or ``x_+`` exceeds the float64 range.

    Notes
    -----
    With the boundaries of :func:`~theory.adaptive_kernel.model_b.thresholds`:
    GFL above ``sigma2_I`` (``|a| = 1``, no specialised mode); GMFL-I between
    ``sigma2_II`` and ``sigma2_I``: ``u a^2`` pinned at ``g_c``, ``|a| = sigma2/sigma2_I``
    and a fraction ``w = lambda/lambda_max`` of modes at ``x_+ = sqrt(3/gamma)``;
    GMFL-II below ``sigma2_II``: every mode at ``x_+(g)``,
    ``a = sigma2/(n_f sigma_a2 x_+(u a^2)^2 + sigma2)`` (brentq).

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import BASE_MODEL_B
    >>> from theory.adaptive_kernel.finite_p import sharp_limit_a
    >>> r = sharp_limit_a(BASE_MODEL_B, 0.2, normalisation="paper")
    >>> r["phase"], round(r["abs_a"], 4)
    ('GMFL-I', 0.8474)
    """
    config = _check_config(config)
    sigma2 = check_positive("sigma2", sigma2)
    norm = _norm_factor(config, normalisation)
    thr = thresholds(config, normalisation)
    lam_max = norm * config.sigma_a2 * 3.0 / config.gamma
    if sigma2 >= thr.sigma2_I:
        a, w, phase = 1.0, 0.0, "GFL"
    elif thr.sigma2_II is None or sigma2 >= thr.sigma2_II:
        a = sigma2 * thr.slope
        w, phase = sigma2 * (1.0 / a - 1.0) / lam_max, "GMFL-I"
    else:
        u = config.u(sigma2)

        def resid(a):
            x_plus = saddles(max(u * a * a, math.sqrt(config.gamma)), config.gamma)[1]
            return a - sigma2 / (norm * config.sigma_a2 * x_plus ** 2 + sigma2)

        a = brentq(resid, 0.0, thr.abs_a_II, xtol=1e-14, rtol=1e-14)
        w, phase = 1.0, "GMFL-II"
    return {"sigma2": sigma2, "abs_a": a, "learned": 1.0 - a,
            "specialised_mode_fraction": w, "phase": phase}
