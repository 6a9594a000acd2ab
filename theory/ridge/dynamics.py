"""Exact closed-form dynamics of gradient descent with weight decay.

Xu, Vardi & Safran (2026), Sec. 4: GD on
``L_n(theta) + (lam/2)||theta||^2`` is linear, so one eigendecomposition of
``Phi^T Phi`` gives ``theta(t)``, the training loss and the population loss at
every integer step ``t`` without iterating.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory._checks import RangeOverflowError, check_nonnegative, check_positive, check_times
from theory.ridge._expsum import ExpSquares
from theory.ridge.problem import RidgeProblem

__all__ = ["DivergenceError", "Spectrum", "RidgeDynamics", "compute_spectrum",
           "compute_spectra", "dynamics", "init_averaged_dynamics"]

#: Largest step the closed form evaluates (the int64 maximum, 2**63 - 1).
MAX_STEP = int(np.iinfo(np.int64).max)


def _check_steps(t) -> np.ndarray:
    """Integer steps ``0 <= t <= 2**63 - 1`` as int64, refusing values int64 cannot hold.

    ``numpy.asarray(10**19)`` is a uint64 and ``10**20`` an object array; both
    are range-checked here *before* any cast, so a huge step is a ValueError
    instead of a silent wrap-around to a negative int64.
    """
    arr = np.asarray(t)
    if arr.dtype == object:
        flat = arr.ravel().tolist()
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in flat):
            if any(v > MAX_STEP for v in flat):
                raise ValueError(f"t must be <= 2**63 - 1 = {MAX_STEP} steps (int64), "
                                 f"got {max(flat)}")
            arr = np.array(flat, dtype=np.int64).reshape(arr.shape)
    elif arr.dtype.kind in "iuf" and arr.size:
        with np.errstate(invalid="ignore"):
            too_big = np.any(arr >= 2.0 ** 63) if arr.dtype.kind == "f" else np.any(arr > MAX_STEP)
        if too_big:
            raise ValueError(f"t must be <= 2**63 - 1 = {MAX_STEP} steps (int64), "
                             f"got {arr.max()!s}")
    return check_times(arr)


@dataclass(frozen=True, eq=False)
class Spectrum:
    """Eigendecomposition of ``Phi^T Phi`` in the coordinates the dynamics need.

    Attributes
    ----------
    eigenvalues : ndarray, shape (r,)
        Positive eigenvalues ``s_i`` of ``Phi^T Phi`` (ascending; not divided by n).
    teacher_coords, init_coords : ndarray, shape (r,)
        ``b_i = <v_i, theta*>`` and ``a_i(0) = <v_i, theta(0)>``.
    null_init_sq, null_cross, null_teacher_sq : float
        ``||P theta(0)||^2``, ``<P theta(0), P theta*>`` and ``||P theta*||^2``
        with ``P`` the projector on the null space of ``Phi``.
    n, m : int
    feature_variance : float
        ``Sigma = feature_variance * I``.
    feature_norm_sq_max : float
        ``max_i ||phi(x_i)||^2`` (the sample value of ``b^2`` in Eq. (6)).
    frobenius_sq : float
        ``||Phi||_F^2``.
    init_norm_sq, teacher_norm_sq : float
    """

    eigenvalues: np.ndarray
    teacher_coords: np.ndarray
    init_coords: np.ndarray
    null_init_sq: float
    null_cross: float
    null_teacher_sq: float
    n: int
    m: int
    feature_variance: float
    feature_norm_sq_max: float
    frobenius_sq: float
    init_norm_sq: float
    teacher_norm_sq: float

    @property
    def rank(self) -> int:
        """Rank of ``Phi``."""
        return int(self.eigenvalues.size)

    @property
    def lmin_plus(self) -> float:
        """Smallest positive eigenvalue of ``Phi^T Phi`` (not divided by n)."""
        return float(self.eigenvalues[0]) if self.rank else 0.0

    @property
    def lmax(self) -> float:
        """Largest eigenvalue of ``Phi^T Phi``."""
        return float(self.eigenvalues[-1]) if self.rank else 0.0

    @property
    def lbar(self) -> float:
        """``Lbar = ||Phi||_F^2 / n`` (Theorem 4.1)."""
        return self.frobenius_sq / self.n

    @property
    def null_dim(self) -> int:
        """Dimension of the null space of ``Phi`` (``m - rank``)."""
        return self.m - self.rank


def compute_spectrum(problem: RidgeProblem) -> Spectrum:
    """Eigendecompose ``Phi^T Phi`` through the ``n x n`` Gram matrix.

    Parameters
    ----------
    problem : RidgeProblem

    Returns
    -------
    Spectrum

    Notes
    -----
    With ``Phi Phi^T = U diag(s) U^T`` the right singular vectors are
    ``v_i = Phi^T u_i / sqrt(s_i)``, so ``<v_i, x> = u_i^T (Phi x) / sqrt(s_i)``
    and only two matrix-vector products with ``Phi`` are needed besides the
    Gram matrix.  Cost ``O(n^2 m + n^3)``; for ``n > m`` the ``m x m`` matrix
    ``Phi^T Phi`` is decomposed instead.  Eigenvalues below
    ``max(n, m) * eps_machine * s_max`` count as zero.  This is
    :func:`compute_spectra` on one problem (same numbers bit for bit).

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> spec = sample_problem(n=5, m=20, seed=0).spectrum
    >>> spec.rank, spec.null_dim
    (5, 15)
    """
    return compute_spectra([problem])[0]


def compute_spectra(problems) -> list:
    """:func:`compute_spectrum` of many problems with one batched ``eigh`` per shape.

    Parameters
    ----------
    problems : sequence of RidgeProblem
        Any shapes; problems of the same ``(n, m)`` share one stacked
        ``numpy.linalg.eigh`` call.

    Returns
    -------
    list of Spectrum
        ``compute_spectra(ps)[i]`` equals ``compute_spectrum(ps[i])`` bit for
        bit (each Gram matrix is formed by the same product, and the batched
        LAPACK call decomposes each matrix independently).  Problems whose
        spectrum is already cached reuse it, and the result is cached on each
        problem (``problem.spectrum``).

    Notes
    -----
    Small problems (``n^2 m + 10 n^3`` below
    :data:`theory._threads.SMALL_FLOPS`) run on single-threaded BLAS: a
    100 x 100 ``eigh`` takes about 1 ms on one thread but 6-66 ms on two
    threads when another process keeps the cores busy.  Cost per problem
    ``O(n^2 m + n^3)`` (with ``n <-> m`` swapped when ``n > m``); memory one
    stack of ``B`` Gram matrices, ``8 B min(n, m)^2`` bytes.

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from theory.ridge.dynamics import compute_spectra
    >>> probs = [sample_problem(n=5, m=20, seed=s) for s in range(3)]
    >>> [s.rank for s in compute_spectra(probs)]
    [5, 5, 5]
    """
    from theory._threads import SMALL_FLOPS, single_threaded_blas

    problems = list(problems)
    for p in problems:
        if not isinstance(p, RidgeProblem):
            raise TypeError(f"problems must contain RidgeProblem objects, got {type(p).__name__}")
    out: list = [p.__dict__.get("spectrum") for p in problems]
    groups: dict = {}
    for i, p in enumerate(problems):
        if out[i] is None:
            groups.setdefault(p.features.shape, []).append(i)
    for (n, m), idx in groups.items():
        k = min(n, m)
        with single_threaded_blas(n * m * k + 10.0 * k ** 3 < SMALL_FLOPS):
            gram = np.empty((len(idx), k, k))
            for j, i in enumerate(idx):
                phi = problems[i].features
                np.matmul(phi, phi.T, out=gram[j]) if n <= m else np.matmul(phi.T, phi,
                                                                           out=gram[j])
            s_all, vec_all = np.linalg.eigh(gram)
            for j, i in enumerate(idx):
                spec = _spectrum_from_eigh(problems[i], s_all[j], vec_all[j])
                problems[i].__dict__["spectrum"] = spec       # the cached_property's slot
                out[i] = spec
    return out


def _spectrum_from_eigh(problem: RidgeProblem, s: np.ndarray, vec: np.ndarray) -> Spectrum:
    """The :class:`Spectrum` from the eigenpairs of the Gram matrix of ``problem``."""
    phi = problem.features
    n, m = phi.shape
    teacher, init = problem.teacher, problem.init
    tol = max(n, m) * np.finfo(float).eps * max(float(s[-1]), 0.0)
    keep = s > tol
    s, vec = s[keep], vec[:, keep]
    if n <= m:
        root = np.sqrt(s)
        b = (vec.T @ (phi @ teacher)) / root
        a0 = (vec.T @ (phi @ init)) / root
    else:
        b, a0 = vec.T @ teacher, vec.T @ init
    init_sq, teacher_sq = float(init @ init), float(teacher @ teacher)
    if not (math.isfinite(init_sq) and math.isfinite(teacher_sq)):
        raise RangeOverflowError(
            f"||theta(0)||^2 = {init_sq:g} or ||theta*||^2 = {teacher_sq:g} exceeds the float64 "
            f"range: the losses are not representable (the init variance nu2 or the "
            f"teacher_norm is too large)")
    if s.size == m:  # full column rank: no null space at all
        null_init = null_cross = null_teacher = 0.0
    else:
        null_init = max(init_sq - float(a0 @ a0), 0.0)
        null_teacher = max(teacher_sq - float(b @ b), 0.0)
        null_cross = float(init @ teacher) - float(a0 @ b)
    row_norms = np.einsum("ij,ij->i", phi, phi)
    return Spectrum(eigenvalues=s, teacher_coords=b, init_coords=a0,
                    null_init_sq=null_init, null_cross=null_cross,
                    null_teacher_sq=null_teacher, n=n, m=m,
                    feature_variance=problem.feature_variance,
                    feature_norm_sq_max=float(row_norms.max()),
                    frobenius_sq=float(row_norms.sum()),
                    init_norm_sq=init_sq, teacher_norm_sq=teacher_sq)


def _alpha(n, lam, b, s):
    """``a_inf - b = -n lam b / (s + n lam)``, also when ``n lam`` overflows (then ``-b``)."""
    n_lam = n * lam
    return -n_lam * b / (s + n_lam) if math.isfinite(n_lam) else -b


def _log_abs_rate(x: np.ndarray):
    """``log|1 - x|`` and the sign flag of ``1 - x``, accurate for tiny ``x``."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        small = np.log1p(-np.minimum(x, 1.0))
        large = np.log(np.maximum(x - 1.0, 0.0))
    return np.where(x <= 1.0, small, large), x > 1.0


class DivergenceError(ValueError):
    """The step size makes gradient descent diverge."""


@dataclass(frozen=True, eq=False)
class RidgeDynamics:
    """Closed-form GD trajectory for one problem and one ``(lam, eta)``.

    Build it with :func:`dynamics`.  Row-space coordinates evolve as
    ``a_i(t) = a_i(inf) + q_i^t (a_i(0) - a_i(inf))`` with
    ``a_i(inf) = s_i b_i / (s_i + n lam)`` and ``q_i = 1 - eta (s_i/n + lam)``;
    the null-space part decays as ``(1 - eta lam)^t theta_perp(0)`` (Sec. 4).

    Attributes
    ----------
    spectrum : Spectrum
    lam, eta : float
    train : ExpSquares
        ``L_n(t)`` in the exact-search form.
    population : ExpSquares
        ``L(t)`` in the exact-search form.
    """

    spectrum: Spectrum
    lam: float
    eta: float
    train: ExpSquares
    population: ExpSquares

    @property
    def row_rate(self) -> float:
        """``rho = 1 - eta lmin_plus / n - eta lam`` (slowest row-space mode)."""
        return 1.0 - self.eta * (self.spectrum.lmin_plus / self.spectrum.n + self.lam)

    @property
    def null_rate(self) -> float:
        """``1 - eta lam`` (null-space contraction per step)."""
        return 1.0 - self.eta * self.lam

    @property
    def oscillating(self) -> bool:
        """True when some mode has ``q_i < 0`` (``eta (s_max/n + lam) > 1``)."""
        return bool(self.train.negative.any())

    def train_loss(self, t) -> np.ndarray:
        """Training loss ``L_n(theta(t)) = (1/2n) sum_i s_i (a_i(t) - b_i)^2``.

        Parameters
        ----------
        t : int or array of int
            Steps ``0 <= t < 2**63``; any shape, vectorised.

        Returns
        -------
        ndarray
            Same shape as ``t``.

        Examples
        --------
        >>> from theory.ridge import sample_problem, dynamics
        >>> dyn = dynamics(sample_problem(n=20, m=200, seed=0), lam=1e-3, eta=1.0)
        >>> bool(dyn.train_loss(500) < dyn.train_loss(0))
        True
        """
        return self.train(_check_steps(t))

    def population_loss(self, t) -> np.ndarray:
        """Population loss ``L(theta(t)) = feature_variance * ||theta(t) - theta*||^2``.

        Parameters
        ----------
        t : int or array of int
            Steps ``0 <= t < 2**63``; any shape, vectorised.

        Returns
        -------
        ndarray
        """
        return self.population(_check_steps(t))

    def row_coords(self, t) -> np.ndarray:
        """Row-space coordinates ``a_i(t)``, shape ``t.shape + (r,)``."""
        t = _check_steps(t)
        spec = self.spectrum
        s, b, a0 = spec.eigenvalues, spec.teacher_coords, spec.init_coords
        a_inf = s * b / (s + spec.n * self.lam)
        z = self.train.powers(t.ravel()).reshape(t.shape + (s.size,))
        return a_inf + z * (a0 - a_inf)


def dynamics(problem, *, lam: float, eta: float) -> RidgeDynamics:
    """Closed-form dynamics of GD with weight decay on ``problem``.

    Parameters
    ----------
    problem : RidgeProblem or Spectrum
        The sampled problem (its cached spectrum is reused across calls).
    lam : float
        Weight decay ``lam >= 0``.
    eta : float
        Step size ``eta > 0``; GD must converge:
        ``eta (lambda_max(Phi^T Phi)/n + lam) < 2``.

    Returns
    -------
    RidgeDynamics

    Raises
    ------
    DivergenceError
        (a ValueError) if ``eta`` is so large that GD diverges.

    Notes
    -----
    Every power ``q^t`` is evaluated as ``exp(t log1p(-x))``, with relative
    error about ``|t log q| * 1e-16`` for ``t`` up to ``2**53`` and
    ``x = eta lam`` down to the smallest normal number; the naive
    ``(1 - x)**t`` loses all digits of the rate when ``x < 1e-16``.
    ``lam = 0`` (no weight decay) is the plain GD limit: the row-space modes
    still converge (``a_i(inf) = b_i``, so ``L_n -> 0``) while the null-space
    part of ``theta(0)`` never moves, so
    ``L(inf) = feature_variance ||P (theta(0) - theta*)||^2`` and ``t2`` is
    finite or decided to be None ("never") against that limit.  Modes with
    ``q_i < 0`` (``1 < eta(s_i/n + lam) < 2``) oscillate but converge and are
    handled exactly.

    Examples
    --------
    >>> from theory.ridge import sample_problem, dynamics
    >>> dyn = dynamics(sample_problem(seed=0), lam=1e-4, eta=1.0)
    >>> round(dyn.null_rate, 6)
    0.9999
    """
    lam = check_nonnegative("lam", lam)
    eta = check_positive("eta", eta)
    spec = problem.spectrum if isinstance(problem, RidgeProblem) else problem
    if not isinstance(spec, Spectrum):
        raise TypeError("problem must be a RidgeProblem or a Spectrum")
    n = spec.n
    s = spec.eigenvalues
    x_row = eta * (s / n + lam)
    x_null = eta * lam
    worst = max(float(x_row.max()) if s.size else 0.0, x_null)
    if worst >= 2.0:
        # the limit from the rate itself: worst / eta is inf once eta * rate overflows
        rate = max(float(s.max()) / n if s.size else 0.0, 0.0) + lam
        raise DivergenceError(
            f"eta={eta:g} makes gradient descent diverge: eta*(lambda_max(Phi^T Phi)/n + lam) = "
            f"{worst:.6g} must be < 2 (use eta < {2.0 / rate:.6g})")
    log_q, neg_q = _log_abs_rate(x_row)
    b, a0 = spec.teacher_coords, spec.init_coords
    # alpha = a_inf - b written without the cancellation that loses its digits
    # when n lam << s (alpha ~ n lam b / s)
    alpha = _alpha(n, lam, b, s)
    beta = a0 - b - alpha
    train = ExpSquares(constant=0.0, weight=s / (2.0 * n), alpha=alpha, beta=beta,
                       log_abs_rho=log_q, negative=neg_q)
    # null-space term: P00 x^2 - 2 P0s x + Pss with x = (1 - eta lam)^t, written as
    # (alpha + beta x)^2 + K with beta = sqrt(P00), alpha = -P0s / sqrt(P00).
    p00, p0s, pss = spec.null_init_sq, spec.null_cross, spec.null_teacher_sq
    log_g, neg_g = _log_abs_rate(np.array([x_null]))
    if p00 > 0:
        null_alpha, null_beta = -p0s / np.sqrt(p00), np.sqrt(p00)
        null_const = max(pss - p0s * p0s / p00, 0.0)
    else:
        null_alpha, null_beta, null_const = 0.0, 0.0, pss
    fv = spec.feature_variance
    population = ExpSquares(
        constant=fv * null_const,
        weight=fv * np.concatenate([np.ones_like(s), [1.0]]),
        alpha=np.concatenate([alpha, [null_alpha]]),
        beta=np.concatenate([beta, [null_beta]]),
        log_abs_rho=np.concatenate([log_q, log_g]),
        negative=np.concatenate([neg_q, neg_g]))
    return RidgeDynamics(spectrum=spec, lam=lam, eta=eta, train=train, population=population)


def init_averaged_dynamics(problem, *, lam: float, eta: float, nu2: float | None = None
                           ) -> RidgeDynamics:
    """Losses averaged over the initialisation ``theta(0) ~ N(0, nu2 I_m)``.

    For fixed features and teacher, ``E L_n(t)`` and ``E L(t)`` over the
    Gaussian initialisation are again sums of squared geometric sequences, so
    the same exact search gives the *typical* t1 and t2 (the times of the mean
    curves).

    Parameters
    ----------
    problem : RidgeProblem or Spectrum
    lam, eta : float
    nu2 : float or None
        Initialisation variance; None takes ``problem.nu2``.

    Returns
    -------
    RidgeDynamics
        Whose ``train_loss`` / ``population_loss`` are the expectations (its
        ``spectrum`` still holds the problem's own initial draw).

    Notes
    -----
    With ``a_i(0) ~ N(0, nu2)``: ``E[(c_i + (a_i(0) - a_i(inf)) q_i^t)^2] =
    (c_i - a_i(inf) q_i^t)^2 + nu2 q_i^(2t)``, and the null-space part gives
    ``E||g^t P theta(0) - P theta*||^2 = nu2 (m - r) g^(2t) + ||P theta*||^2``.

    Examples
    --------
    >>> from theory.ridge import sample_problem, init_averaged_dynamics, grokking_times
    >>> avg = init_averaged_dynamics(sample_problem(seed=0), lam=1e-4, eta=1.0)
    >>> 22000 < grokking_times(avg, eps=0.01, c=0.01).t2 < 24000
    True
    """
    base = dynamics(problem, lam=lam, eta=eta)
    spec = base.spectrum
    if nu2 is None:
        nu2 = getattr(problem, "nu2", None)
        if nu2 is None:
            raise TypeError("nu2 is required when the problem does not record it")
    nu2 = check_nonnegative("nu2", nu2)
    s, b, n = spec.eigenvalues, spec.teacher_coords, spec.n
    alpha = _alpha(n, lam, b, s)
    a_inf = b + alpha
    zeros, noise = np.zeros_like(s), np.full_like(s, np.sqrt(nu2))
    log_q, neg_q = base.train.log_abs_rho, base.train.negative
    # (alpha - a_inf z)^2 + (sqrt(nu2) z)^2, each a squared geometric term
    train = ExpSquares(constant=0.0, weight=np.tile(s / (2.0 * n), 2),
                       alpha=np.concatenate([alpha, zeros]),
                       beta=np.concatenate([-a_inf, noise]),
                       log_abs_rho=np.tile(log_q, 2), negative=np.tile(neg_q, 2))
    fv = spec.feature_variance
    log_g, neg_g = _log_abs_rate(np.array([base.eta * base.lam]))
    population = ExpSquares(
        constant=fv * spec.null_teacher_sq,
        weight=fv * np.ones(2 * s.size + 1),
        alpha=np.concatenate([alpha, zeros, [0.0]]),
        beta=np.concatenate([-a_inf, noise, [np.sqrt(nu2 * spec.null_dim)]]),
        log_abs_rho=np.concatenate([log_q, log_q, log_g]),
        negative=np.concatenate([neg_q, neg_q, neg_g]))
    return RidgeDynamics(spectrum=spec, lam=base.lam, eta=base.eta, train=train,
                         population=population)
