"""Exact overfitting time t1, generalization time t2 and grokking time.

Definitions (Xu, Vardi & Safran 2026, Sec. 3):

* ``t1(eps) = max{t >= 0 : L_n(theta(t)) >= eps}``: the last step that is not
  yet overfit;
* ``t2(c) = min{t >= 0 : L(theta(t)) <= c}``: the first step that generalizes;
* grokking time ``t2 - t1``.

Conventions where the paper is silent (recorded in every result):

* ``L_n(theta(0)) < eps`` and never above ``eps`` later: the set is empty,
  ``t1 = -1`` and ``overfitting_phase = False`` ("no overfitting phase");
* ``L_n`` stays ``>= eps`` for ever (``L_n(inf) >= eps``): ``t1 = None``
  ("never overfits");
* ``L`` never reaches ``c``: ``t2 = None`` ("never generalizes");
* ``grokking_time = t2 - t1`` only when ``t1 >= 0`` and ``t2`` exists; it may
  be negative (the model generalized before it overfit: no grokking).
"""

from __future__ import annotations

from dataclasses import dataclass

from theory._checks import check_positive, check_positive_int
from theory._result import ResultMixin
from theory.ridge.dynamics import RidgeDynamics, dynamics

__all__ = ["GrokkingTimes", "TIME_DEFINITIONS", "overfitting_time",
           "generalization_time", "grokking_times", "grokking_times_many", "times_for_seeds"]

#: Definitions of the times and losses, echoed in every output's ``config``.
TIME_DEFINITIONS = {
    "t1": "max{t >= 0 : L_n(theta(t)) >= eps}; -1 if empty (no overfitting phase); "
          "null if L_n(t) >= eps for all t (never overfits)",
    "t2": "min{t >= 0 : L(theta(t)) <= c}; null if L never reaches c",
    "grokking_time": "t2 - t1 when t1 >= 0 and t2 exists, else null; negative means no grokking",
    "train_loss": "L_n(theta) = (1/2n) sum_i <theta - theta*, phi(x_i)>^2",
    "population_loss": "L(theta) = (theta - theta*)^T Sigma (theta - theta*), "
                       "Sigma = feature_variance * I",
    "step": "t counts GD updates; t = 0 is the initialisation",
}


@dataclass(frozen=True)
class GrokkingTimes(ResultMixin):
    """Exact times for one problem and one setting.

    Attributes
    ----------
    t1 : int or None
        Overfitting time (see module conventions: -1 or None in edge cases).
    t2 : int or None
        Generalization time (None: never generalizes).
    grokking_time : int or None
        ``t2 - t1`` (see conventions).
    eps, c : float
        Thresholds of the training and population losses.
    overfitting_phase : bool
        ``t1 >= 0``.
    generalizes : bool
        ``t2`` exists.
    groks : bool
        ``grokking_time > 0``.
    notes : tuple of str
        Human-readable statements about edge cases (no null space, ...).
    """

    t1: int | None
    t2: int | None
    grokking_time: int | None
    eps: float
    c: float
    overfitting_phase: bool
    generalizes: bool
    groks: bool
    notes: tuple = ()


def _as_dynamics(problem, lam, eta) -> RidgeDynamics:
    if isinstance(problem, RidgeDynamics):
        if lam is not None or eta is not None:
            raise TypeError("lam and eta are taken from the RidgeDynamics; do not pass them")
        return problem
    if lam is None or eta is None:
        raise TypeError("lam and eta are required when problem is not a RidgeDynamics")
    return dynamics(problem, lam=lam, eta=eta)


def overfitting_time(problem, eps: float, *, lam: float | None = None,
                     eta: float | None = None) -> int | None:
    """Exact ``t1(eps) = max{t : L_n(theta(t)) >= eps}`` without running GD.

    Parameters
    ----------
    problem : RidgeProblem, Spectrum or RidgeDynamics
    eps : float
        Training-loss threshold, ``> 0``.
    lam, eta : float
        Weight decay and step size (omit when ``problem`` is a RidgeDynamics).

    Returns
    -------
    int or None
        ``-1`` if ``L_n`` is below ``eps`` at every step; None if it never
        falls below ``eps``.

    Notes
    -----
    ``L_n(t) = (1/2n) sum_i s_i (c_i + d_i q_i^t)^2`` is a sum of squared
    geometric sequences (paper Sec. 4).  A bracketing pass proposes the last
    crossing and rigorous interval bounds of every term certify that no later
    step reaches ``eps``; uncertified cases fall back to branch-and-bound.
    Cost ``O(r log t1)`` exponentials, ``r = rank(Phi)``.

    Examples
    --------
    >>> from theory.ridge import sample_problem, overfitting_time
    >>> overfitting_time(sample_problem(seed=0), 0.01, lam=1e-4, eta=1.0)
    208
    """
    eps = check_positive("eps", eps)
    return _as_dynamics(problem, lam, eta).train.last_at_or_above(eps)


def generalization_time(problem, c: float, *, lam: float | None = None,
                        eta: float | None = None) -> int | None:
    """Exact ``t2(c) = min{t : L(theta(t)) <= c}`` without running GD.

    Parameters
    ----------
    problem : RidgeProblem, Spectrum or RidgeDynamics
    c : float
        Population-loss threshold, ``> 0``.
    lam, eta : float
        Weight decay and step size (omit when ``problem`` is a RidgeDynamics).

    Returns
    -------
    int or None
        None if ``L`` never reaches ``c``.

    Notes
    -----
    Same certified search as :func:`overfitting_time` on
    ``L(t) = sigma [sum_i (c_i + d_i q_i^t)^2 + ||g^t P theta(0) - P theta*||^2]``
    with ``g = 1 - eta lam``.

    Examples
    --------
    >>> from theory.ridge import sample_problem, generalization_time
    >>> generalization_time(sample_problem(seed=0), 0.01, lam=1e-4, eta=1.0)
    22698
    """
    c = check_positive("c", c)
    return _as_dynamics(problem, lam, eta).population.first_at_or_below(c)


def grokking_times(problem, *, eps: float, c: float, lam: float | None = None,
                   eta: float | None = None) -> GrokkingTimes:
    """Exact t1, t2 and grokking time ``t2 - t1`` from the closed form.

    Parameters
    ----------
    problem : RidgeProblem, Spectrum or RidgeDynamics
    eps, c : float
        Thresholds of the training loss (t1) and population loss (t2).
    lam, eta : float
        Weight decay and step size (omit when ``problem`` is a RidgeDynamics).

    Returns
    -------
    GrokkingTimes

    Notes
    -----
    Conventions for the edge cases are in :data:`TIME_DEFINITIONS`.  When
    ``m <= rank(Phi)`` there is no null space: the data see every weight, the
    slow ``(1 - eta lam)^t`` mode does not exist and grokking cannot occur;
    the exact times are returned anyway with a note.

    Examples
    --------
    >>> from theory.ridge import sample_problem, grokking_times
    >>> res = grokking_times(sample_problem(seed=0), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    >>> res.t1, res.t2, res.grokking_time
    (208, 22698, 22490)
    """
    eps = check_positive("eps", eps)
    c = check_positive("c", c)
    dyn = _as_dynamics(problem, lam, eta)
    return _times_result(dyn, dyn.train.last_at_or_above(eps),
                         dyn.population.first_at_or_below(c), eps, c)


def _times_result(dyn: RidgeDynamics, t1, t2, eps: float, c: float) -> GrokkingTimes:
    """The :class:`GrokkingTimes` (with its notes) of exact ``t1`` and ``t2``."""
    notes = []
    spec = dyn.spectrum
    if spec.null_dim == 0:
        notes.append(
            f"no null space (rank(Phi) = m = {spec.m}): the paper's mechanism "
            "(slow (1 - eta lam)^t decay of the weights the data never see) is absent and "
            "its theory predicts no grokking; "
            "any delay t2 - t1 in these exact times comes from small eigenvalues of Phi^T Phi "
            f"(here lmin_plus/n = {spec.lmin_plus / spec.n:.3g}), which the bounds do not cover")
    elif dyn.lam == 0:
        notes.append(
            "no weight decay (lam = 0): the null-space part of theta(0) - theta* never decays, so "
            f"L(t) -> {dyn.population.limit():.6g} = feature_variance ||P (theta(0) - theta*)||^2 "
            "and t2 exists only if that limit is <= c")
    if t1 == -1:
        notes.append(f"no overfitting phase: L_n(theta(t)) < eps = {eps:g} at every step (t1 = -1)")
    elif t1 is None:
        notes.append(f"never overfits: L_n stays >= eps = {eps:g} for ever "
                     f"(limit {dyn.train.limit():.6g}); t1 is infinite (null)")
    if t2 is None:
        notes.append(f"never generalizes: L stays > c = {c:g} (limit {dyn.population.limit():.6g})")
    if dyn.oscillating:
        notes.append("some GD modes oscillate (q_i < 0: eta*(s_i/n + lam) > 1); the losses are not "
                     "monotone, the times are still exact")
    grok = t2 - t1 if (t1 is not None and t1 >= 0 and t2 is not None) else None
    return GrokkingTimes(t1=t1, t2=t2, grokking_time=grok, eps=eps, c=c,
                         overfitting_phase=t1 is None or t1 >= 0,
                         generalizes=t2 is not None,
                         groks=grok is not None and grok > 0,
                         notes=tuple(notes))


def grokking_times_many(problems, *, lam: float, eta: float, eps: float, c: float) -> list:
    """:func:`grokking_times` of many problems, batched.

    Parameters
    ----------
    problems : sequence of RidgeProblem
    lam, eta, eps, c : float
        One setting for every problem.

    Returns
    -------
    list of GrokkingTimes
        Equal to ``[grokking_times(p, lam=lam, eta=eta, eps=eps, c=c) for p in
        problems]`` (same integers, same notes).

    Notes
    -----
    The Gram matrices of problems of one shape are decomposed by one batched
    ``eigh`` on single-threaded BLAS (:func:`theory.ridge.dynamics.compute_spectra`)
    and the certified searches of all problems run together
    (:func:`theory.ridge._expsum.first_at_or_below_many`), so the per-call
    Python overhead is paid once per batch.  Cost per problem
    ``O(n^2 m + n^3)`` for the decomposition plus ``O(r log t)`` exponentials.

    Examples
    --------
    >>> from theory.ridge import sample_problems, grokking_times_many
    >>> res = grokking_times_many(sample_problems(100, 1000, 1.0, [0, 1]), lam=1e-4, eta=1.0,
    ...                           eps=0.01, c=0.01)
    >>> [(r.t1, r.t2) for r in res][0]
    (208, 22698)
    """
    from theory.ridge._expsum import first_at_or_below_many, last_at_or_above_many
    from theory.ridge.dynamics import compute_spectra

    eps = check_positive("eps", eps)
    c = check_positive("c", c)
    _check_sequence("problems", problems)
    spectra = compute_spectra(problems)
    dyns = [dynamics(s, lam=lam, eta=eta) for s in spectra]
    t1 = last_at_or_above_many([d.train for d in dyns], eps)
    t2 = first_at_or_below_many([d.population for d in dyns], c)
    return [_times_result(d, a, b, eps, c) for d, a, b in zip(dyns, t1, t2)]


def times_for_seeds(n: int, m: int, nu2: float, seeds, *, lam: float, eta: float, eps: float,
                    c: float, teacher_norm: float = 1.0) -> list:
    """Exact times of the sampled problem for every seed (the CLI's ``ridge times``).

    Parameters
    ----------
    n, m, nu2, teacher_norm :
        As in :func:`theory.ridge.sample_problem`.
    seeds : sequence of int
    lam, eta, eps, c : float

    Returns
    -------
    list of GrokkingTimes
        One per seed, equal to ``grokking_times(sample_problem(n, m, nu2,
        teacher_norm=teacher_norm, seed=s), lam=lam, eta=eta, eps=eps, c=c)``.

    Notes
    -----
    :func:`theory.ridge.sample_problems` then :func:`grokking_times_many`, in
    batches of at most 64 MiB of features (memory does not grow with the
    number of seeds).  At the paper defaults (n = 100, m = 1000) the cost per seed is dominated by
    drawing the 10^5 Gaussian features (about 1 ms), then the 100 x 100
    ``eigh``; see ``benchmarks/ridge_exact_vs_gd.py`` for measured ratios.

    Examples
    --------
    >>> from theory.ridge import times_for_seeds
    >>> [r.t2 for r in times_for_seeds(100, 1000, 1.0, [0], lam=1e-4, eta=1.0, eps=0.01,
    ...                                c=0.01)]
    [22698]
    """
    from theory.ridge.problem import sample_problems

    n, m = check_positive_int("n", n), check_positive_int("m", m)
    seeds = list(_check_sequence("seeds", seeds))
    # batches of <= 64 MiB of features: the batching gains nothing beyond a few dozen
    # problems, and memory stays bounded for any number of seeds
    chunk = max(1, (1 << 26) // (8 * max(1, int(n) * int(m))))
    out: list = []
    for start in range(0, max(len(seeds), 1), chunk):
        problems = sample_problems(n, m, nu2, seeds[start:start + chunk],
                                   teacher_norm=teacher_norm)
        out += grokking_times_many(problems, lam=lam, eta=eta, eps=eps, c=c)
    return out


def _check_sequence(name: str, value):
    """A sequence (not a string), or a TypeError naming the parameter."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a sequence, got {type(value).__name__}")
    return value
