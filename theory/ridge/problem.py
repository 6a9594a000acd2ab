"""Sampled ridge-regression problems: features, teacher and initialisation.

Setting of Xu, Vardi & Safran (2026), Sec. 3: an over-parameterized linear
student ``N(x; theta) = <theta, phi(x)>`` with ``m`` features, ``n`` training
samples, a realizable teacher ``theta*`` and a Gaussian initialisation
``theta(0) ~ N(0, nu2 I_m)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from theory._checks import (
    RangeOverflowError,
    check_finite_array,
    check_nonnegative,
    check_positive,
    check_positive_int,
)

__all__ = ["RidgeProblem", "sample_problem", "sample_problems", "seed_sequence"]


def seed_sequence(seed=None) -> np.random.SeedSequence:
    """Return a :class:`numpy.random.SeedSequence` for ``seed``.

    ``seed`` may be an int, a SeedSequence or None (fresh OS entropy, whose
    value is recorded in ``.entropy`` so the run can be replayed).
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, a numpy SeedSequence or None, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.SeedSequence(int(seed))


@dataclass(frozen=True, eq=False)
class RidgeProblem:
    """One realisation of the ridge-regression grokking problem.

    Parameters
    ----------
    features : ndarray, shape (n, m)
        Feature matrix ``Phi`` whose rows are ``phi(x_i)``.
    teacher : ndarray, shape (m,)
        Teacher ``theta*`` (zeros for the zero-teacher case of Theorem 4.1).
    init : ndarray, shape (m,)
        Initial weights ``theta(0)``.
    feature_variance : float, optional
        Population covariance ``Sigma = feature_variance * I_m``; defaults to
        ``1/m`` (features ``N(0, I/m)``).  ``lambda_min(Sigma)`` equals it.
    nu2 : float or None
        Initialisation variance the ``init`` was drawn with (None if given).
    seed : int or None
        Entropy of the SeedSequence the problem was sampled from.
    feature_model : str
        ``"gaussian"`` for i.i.d. ``N(0, feature_variance)`` entries (the
        assumption of Eq. (8)); ``"custom"`` otherwise.

    Notes
    -----
    The population loss is ``L(theta) = (theta - theta*)^T Sigma (theta - theta*)``
    (no factor 1/2) and the training loss
    ``L_n(theta) = (1/2n) ||Phi (theta - theta*)||^2`` (paper, Sec. 3).
    Only isotropic ``Sigma`` is supported; a user-supplied ``features`` with
    another covariance still gets an exact training loss, but its population
    loss is the isotropic one with the given ``feature_variance``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.ridge import RidgeProblem
    >>> prob = RidgeProblem(features=np.eye(2, 4), teacher=np.ones(4) / 2,
    ...                     init=np.zeros(4))
    >>> prob.n, prob.m, prob.feature_variance
    (2, 4, 0.25)
    """

    features: np.ndarray
    teacher: np.ndarray
    init: np.ndarray
    feature_variance: float | None = None
    nu2: float | None = None
    seed: int | None = None
    feature_model: str = "custom"

    def __post_init__(self):
        phi = check_finite_array("features", self.features, ndim=2)
        n, m = phi.shape
        if n < 1 or m < 1:
            raise ValueError("features must have at least one row and column, "
                             f"got shape {phi.shape}")
        teacher = check_finite_array("teacher", self.teacher, ndim=1)
        init = check_finite_array("init", self.init, ndim=1)
        for name, vec in (("teacher", teacher), ("init", init)):
            if vec.shape != (m,):
                raise ValueError(f"{name} must have shape ({m},) to match features, "
                                 f"got {vec.shape}")
        fv = 1.0 / m if self.feature_variance is None else check_positive(
            "feature_variance", self.feature_variance)
        if self.feature_model not in ("gaussian", "custom"):
            raise ValueError("feature_model must be 'gaussian' or 'custom', "
                             f"got {self.feature_model!r}")
        for arr in (phi, teacher, init):
            arr.setflags(write=False)
        object.__setattr__(self, "features", phi)
        object.__setattr__(self, "teacher", teacher)
        object.__setattr__(self, "init", init)
        object.__setattr__(self, "feature_variance", fv)

    @property
    def n(self) -> int:
        """Number of training samples."""
        return self.features.shape[0]

    @property
    def m(self) -> int:
        """Number of features (parameters)."""
        return self.features.shape[1]

    @cached_property
    def spectrum(self):
        """The eigendecomposition of ``Phi^T Phi`` (computed once, cached).

        See :func:`theory.ridge.dynamics.compute_spectrum`.
        """
        from theory.ridge.dynamics import compute_spectrum

        return compute_spectrum(self)

    def describe(self) -> dict:
        """Sizes, seeds and sample statistics, JSON-ready."""
        return {
            "n": self.n,
            "m": self.m,
            "nu2": self.nu2,
            "seed": self.seed,
            "feature_model": self.feature_model,
            "feature_variance": self.feature_variance,
            "teacher_norm": float(np.linalg.norm(self.teacher)),
            "init_norm_sq": float(self.init @ self.init),
        }


def sample_problem(n: int = 100, m: int = 1000, nu2: float = 1.0, *,
                   teacher_norm: float = 1.0, seed=0) -> RidgeProblem:
    """Sample the paper's Sec. 5.1 problem.

    Parameters
    ----------
    n, m : int
        Training samples and features (``m > n`` for grokking).
    nu2 : float
        Variance of the initialisation ``theta(0) ~ N(0, nu2 I_m)``.
    teacher_norm : float
        ``||theta*||``; the teacher direction is uniform on the sphere.
        ``0`` gives the zero teacher of Theorem 4.1.
    seed : int, SeedSequence or None
        Root of the random streams.  Features, teacher direction and the
        standard-normal draw of the initialisation use three independent child
        streams, so changing ``nu2`` (or ``teacher_norm``) with the same seed
        rescales the same draws: sweeps over ``nu2`` are paired.

    Returns
    -------
    RidgeProblem
        Features ``x_i ~ N(0, I/m)`` (identity feature map), so
        ``Sigma = I/m``.

    Notes
    -----
    Cost: ``O(n m)`` random numbers.

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> prob = sample_problem(n=10, m=50, seed=1)
    >>> prob.features.shape, round(float((prob.teacher ** 2).sum()), 12)
    ((10, 50), 1.0)
    """
    n = check_positive_int("n", n)
    m = check_positive_int("m", m)
    nu2 = check_nonnegative("nu2", nu2)
    teacher_norm = check_nonnegative("teacher_norm", teacher_norm)
    return _draw(n, m, nu2, teacher_norm, seed_sequence(seed))


def _draw(n: int, m: int, nu2: float, teacher_norm: float, root) -> RidgeProblem:
    """The problem of :func:`sample_problem` from checked arguments."""
    if not math.isfinite(teacher_norm * teacher_norm):
        raise RangeOverflowError(f"teacher_norm = {teacher_norm:g}: ||theta*||^2 exceeds the "
                                 f"float64 range (the losses carry it); use teacher_norm < 1e154")
    feat_ss, teach_ss, init_ss = root.spawn(3)
    features = np.random.default_rng(feat_ss).standard_normal((n, m))
    features /= np.sqrt(m)               # the same rounding as draw / sqrt(m)
    direction = np.random.default_rng(teach_ss).standard_normal(m)
    teacher = teacher_norm * direction / np.linalg.norm(direction)
    init = np.sqrt(nu2) * np.random.default_rng(init_ss).standard_normal(m)
    # record the seed only when it alone reproduces the streams
    entropy = root.entropy if isinstance(root.entropy, int) and not root.spawn_key else None
    return RidgeProblem(features=features, teacher=teacher, init=init,
                        feature_variance=1.0 / m, nu2=nu2, seed=entropy,
                        feature_model="gaussian")


def sample_problems(n: int, m: int, nu2: float, seeds, *, teacher_norm: float = 1.0) -> list:
    """:func:`sample_problem` for every seed, with the arguments checked once.

    Parameters
    ----------
    n, m, nu2, teacher_norm :
        As in :func:`sample_problem`.
    seeds : sequence of int or SeedSequence
        Non-empty.

    Returns
    -------
    list of RidgeProblem
        ``sample_problems(n, m, nu2, seeds)[i]`` equals
        ``sample_problem(n, m, nu2, seed=seeds[i])`` bit for bit.

    Notes
    -----
    Drawing the ``n m`` Gaussian features dominates (about 1 ms for
    ``n m = 10^5``); each seed has its own stream, so the draws themselves
    cannot be merged without changing the problems.

    Examples
    --------
    >>> from theory.ridge import sample_problem, sample_problems
    >>> a, b = sample_problems(10, 50, 1.0, [3, 4])
    >>> bool((b.features == sample_problem(10, 50, 1.0, seed=4).features).all())
    True
    """
    n = check_positive_int("n", n)
    m = check_positive_int("m", m)
    nu2 = check_nonnegative("nu2", nu2)
    teacher_norm = check_nonnegative("teacher_norm", teacher_norm)
    if isinstance(seeds, (int, np.integer, np.random.SeedSequence)) or seeds is None:
        raise TypeError(f"seeds must be a sequence of seeds, got {seeds!r}")
    roots = [seed_sequence(s) for s in seeds]
    if not roots:
        raise ValueError("seeds must name at least one seed")
    return [_draw(n, m, nu2, teacher_norm, r) for r in roots]
