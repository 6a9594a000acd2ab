"""Explicit gradient descent with weight decay, vectorised over runs and grids.

This is the simulation the closed form of :mod:`theory.ridge` is checked
against: every step is the literal update

    theta <- theta - (eta/n) Phi^T Phi (theta - theta*) - eta lam theta

in float64 (implemented as ``(1 - eta lam) theta - (eta/n) Phi^T r`` with the
residual ``r = Phi (theta - theta*)``), with both losses measured on the
iterate *before* the update, so step ``t`` is the iterate after ``t`` updates
and ``t = 0`` is the initialisation.  Nothing is diagonalised: the spectrum is
used only to refuse step sizes for which GD diverges.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from theory.ridge import RidgeProblem

__all__ = ["GDResult", "simulate_gd", "gd_times", "default_horizon"]


@dataclass(frozen=True, eq=False)
class GDResult:
    """Times and recorded losses of a batch of explicit GD runs.

    ``shape`` is ``(B,)`` when every hyperparameter was a scalar or a
    per-problem vector, and ``(B, V)`` when one of them was a ``(B, V)`` grid.

    Attributes
    ----------
    t1 : ndarray of int64, shape ``shape``
        Last step ``t`` in ``[0, steps_run]`` with ``L_n(t) >= eps``; ``-1`` if
        there is none (no overfitting phase within the run).  ``t1 ==
        steps_run`` means ``L_n`` was still ``>= eps`` at the last step
        evaluated (censored).
    t2 : ndarray of int64, shape ``shape``
        First step with ``L(t) <= c``; ``-1`` if ``L`` did not reach ``c``
        within ``[0, steps_run]``.
    steps : ndarray of int64, shape (K,)
        Recorded steps (sorted, unique).
    train_loss, population_loss : ndarray, shape ``shape + (K,)``
        ``L_n`` and ``L`` at the recorded steps (NaN where the run stopped
        before the step).
    weight_norm_sq : ndarray, shape ``shape + (K,)``
        ``||theta(t)||^2`` at the recorded steps.
    final_train_loss, final_population_loss : ndarray, shape ``shape``
        Both losses at ``steps_run``.
    steps_run : int
        Last step evaluated (``horizon`` unless stopped early).
    horizon : int
        The requested horizon.
    lam, eta : ndarray, shape ``shape``
        The hyperparameters of each run.
    """

    t1: np.ndarray
    t2: np.ndarray
    steps: np.ndarray
    train_loss: np.ndarray
    population_loss: np.ndarray
    weight_norm_sq: np.ndarray
    final_train_loss: np.ndarray
    final_population_loss: np.ndarray
    steps_run: int
    horizon: int
    lam: np.ndarray
    eta: np.ndarray

    @property
    def shape(self) -> tuple:
        """Shape of the batch, ``(B,)`` or ``(B, V)``."""
        return self.t1.shape


def _as_grid(value, name, batch):
    """Hyperparameter as a float array aligned on the leading (problem) axis.

    Returns the array reshaped to ``(B or 1, V or 1)`` and whether it was a
    2-d grid.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or an array of them, got {value!r}") \
            from None
    if arr.ndim > 2:
        raise ValueError(f"{name} must be a scalar, a length-{batch} vector or a "
                         f"({batch}, V) grid, got shape {arr.shape}")
    if arr.ndim >= 1 and arr.shape[0] not in (1, batch):
        raise ValueError(f"{name} must have length {batch} (one value per problem) or 1 "
                         f"along its first axis, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr.reshape(arr.shape + (1,) * (2 - arr.ndim)), arr.ndim == 2


def _check_problems(problems):
    problems = list(problems) if not isinstance(problems, RidgeProblem) else [problems]
    if not problems:
        raise ValueError("problems must be a non-empty sequence of RidgeProblem")
    for p in problems:
        if not isinstance(p, RidgeProblem):
            raise TypeError(f"problems must contain RidgeProblem objects, got {type(p).__name__}")
    n, m = problems[0].n, problems[0].m
    if any((p.n, p.m) != (n, m) for p in problems):
        raise ValueError("problems must all have the same (n, m); got "
                         f"{sorted({(p.n, p.m) for p in problems})}")
    return problems


def _check_threshold(name, value):
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def _check_horizon(horizon):
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer, float, np.floating)) \
            or int(horizon) != horizon:
        raise ValueError(f"horizon must be an integer >= 0, got {horizon!r}")
    if horizon < 0:
        raise ValueError(f"horizon must be an integer >= 0, got {horizon!r}")
    return int(horizon)


def simulate_gd(problems, *, lam, eta, eps, c, horizon, init_scale=1.0, record=None,
                stop_when_generalized=False) -> GDResult:
    """Run explicit GD with weight decay on a batch of problems.

    Parameters
    ----------
    problems : sequence of RidgeProblem
        ``B`` problems with the same ``(n, m)``; their feature matrices are
        stacked to ``(B, n, m)``.
    lam, eta : float or array
        Weight decay ``>= 0`` and step size ``> 0``.  A scalar applies to every
        run, a length-``B`` vector gives one value per problem, and a
        ``(B, V)`` (or ``(1, V)``) array runs a grid of ``V`` settings on each
        problem (the ``V`` runs share the problem's features, so a grid costs
        a matrix-matrix product instead of ``V`` matrix-vector products).
    eps, c : float
        Thresholds of the training loss (``t1``) and population loss (``t2``).
    horizon : int
        Largest step evaluated: the loop performs ``horizon`` updates and
        evaluates both losses at ``t = 0, ..., horizon``.
    init_scale : float or array
        Multiplies each problem's ``init`` (same broadcasting as ``lam``); a
        paired sweep over ``nu2`` uses ``sqrt(nu2 / problem.nu2)``.
    record : array of int, optional
        Steps in ``[0, horizon]`` at which both losses and ``||theta||^2`` are
        stored, e.g. ``np.geomspace``-spaced; recorded during the same pass.
    stop_when_generalized : bool
        Stop after the first step at which every run has reached ``L <= c``.
        ``t1`` is then the last crossing *within the simulated steps*; a
        later return of ``L_n`` above ``eps`` would be missed, so callers that
        need ``t1`` exactly pass a horizon instead (the default, False).

    Returns
    -------
    GDResult

    Raises
    ------
    ValueError
        For problems of different shapes, a negative or non-integer
        ``horizon``, ``lam < 0``, ``eta <= 0``, ``eps`` or ``c <= 0``, recorded
        steps outside ``[0, horizon]``, hyperparameters that do not align
        with the problems, or an ``eta`` for which GD diverges:
        ``eta (lambda_max(Phi^T Phi)/n + lam) >= 2``.
    TypeError
        For something that is not a RidgeProblem.

    Notes
    -----
    Cost per step: two batched products with the stacked features, about
    ``4 B V n m`` flops, plus ``O(B V (n + m))``.  Distinct problems are
    batched matrix-vector products and memory-bound (every step streams the
    ``8 B n m`` bytes of features twice): about 4 ms per step for ``B = 50``,
    ``n = 100``, ``m = 1000`` on 2 cores, 0.5 ms for 5 problems x a
    7-point grid, and about 30 us of Python overhead per step for tiny
    batches.  Memory: ``8 B n m`` bytes of features plus ``O(B V (n + m + K))``.
    Both times are found in the same pass as the recorded curves (no second
    pass): ``t1`` is overwritten at every step with ``L_n >= eps``, ``t2`` is
    set once.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.ridge import sample_problem, grokking_times
    >>> from validation.ridge.gd import simulate_gd
    >>> probs = [sample_problem(n=20, m=200, seed=s) for s in range(2)]
    >>> res = simulate_gd(probs, lam=[1e-3, 2e-3], eta=1.0, eps=0.01, c=0.01, horizon=3000)
    >>> res.shape
    (2,)
    >>> exact = grokking_times(probs[1], lam=2e-3, eta=1.0, eps=0.01, c=0.01)
    >>> (int(res.t1[1]), int(res.t2[1])) == (exact.t1, exact.t2)
    True

    A grid of three weight decays on each problem:

    >>> grid = simulate_gd(probs, lam=np.array([[1e-3, 2e-3, 4e-3]]), eta=1.0,
    ...                    eps=0.01, c=0.01, horizon=3000)
    >>> grid.shape, bool(grid.t2[1, 1] == res.t2[1])
    ((2, 3), True)
    """
    problems = _check_problems(problems)
    horizon = _check_horizon(horizon)
    eps = _check_threshold("eps", eps)
    c = _check_threshold("c", c)
    B = len(problems)
    n = problems[0].n
    (lam_a, g1), (eta_a, g2), (scale_a, g3) = (
        _as_grid(v, name, B) for v, name in ((lam, "lam"), (eta, "eta"),
                                             (init_scale, "init_scale")))
    is_grid = g1 or g2 or g3
    try:
        V = np.broadcast_shapes(lam_a.shape, eta_a.shape, scale_a.shape, (B, 1))[1]
    except ValueError:
        raise ValueError(f"lam, eta and init_scale grids must have the same number of columns, "
                         f"got shapes {lam_a.shape}, {eta_a.shape}, {scale_a.shape}") from None
    lam_g = np.broadcast_to(lam_a, (B, V)).copy()
    eta_g = np.broadcast_to(eta_a, (B, V)).copy()
    scale_g = np.broadcast_to(scale_a, (B, V)).copy()
    if np.any(lam_g < 0):
        raise ValueError(f"lam must be >= 0, got min {lam_g.min():g}")
    if np.any(eta_g <= 0):
        raise ValueError(f"eta must be > 0, got min {eta_g.min():g}")
    if np.any(scale_g < 0):
        raise ValueError(f"init_scale must be >= 0, got min {scale_g.min():g}")
    lmax = np.array([p.spectrum.lmax for p in problems])[:, None]
    worst = eta_g * (lmax / n + lam_g)
    if np.any(worst >= 2):
        i = tuple(int(k) for k in np.unravel_index(np.argmax(worst), worst.shape))
        raise ValueError(
            f"eta too large: GD diverges where eta*(lambda_max(Phi^T Phi)/n + lam) >= 2; "
            f"problem {i[0]}, grid column {i[1]} has eta={eta_g[i]:g}, value {worst[i]:.6g} "
            f"(use eta < {2 / (lmax[i[0], 0] / n + lam_g[i]):.6g})")
    rec = np.asarray([] if record is None else record)
    if rec.size and (rec.dtype.kind not in "iu" and not np.all(rec == np.round(rec))):
        raise ValueError("record must contain whole step numbers")
    rec = np.unique(rec.astype(np.int64))
    if rec.size and (rec[0] < 0 or rec[-1] > horizon):
        raise ValueError(f"record steps must lie in [0, horizon={horizon}], "
                         f"got range [{rec[0]}, {rec[-1]}]")

    phi = np.stack([p.features for p in problems])                  # (B, n, m)
    phi_t = phi.transpose(0, 2, 1)                                   # view (B, m, n)
    teacher = np.stack([p.teacher for p in problems])[:, None, :]   # (B, 1, m)
    theta = np.stack([p.init for p in problems])[:, None, :] * scale_g[..., None]
    sigma = np.array([p.feature_variance for p in problems])[:, None]
    step = (eta_g / n)[..., None]
    decay = (1.0 - eta_g * lam_g)[..., None]
    err = np.empty_like(theta)
    resid = np.empty((B, V, n))
    grad = np.empty_like(theta)
    K = rec.size
    train_rec = np.full((B, V, K), np.nan)
    test_rec = np.full((B, V, K), np.nan)
    norm_rec = np.full((B, V, K), np.nan)
    t1 = np.full((B, V), -1, dtype=np.int64)
    t2 = np.full((B, V), -1, dtype=np.int64)
    next_k = 0
    next_rec = rec[0] if K else -1
    half_over_n = 0.5 / n
    t = 0
    for t in range(horizon + 1):
        np.subtract(theta, teacher, out=err)
        np.matmul(err, phi_t, out=resid)                             # r = Phi (theta - theta*)
        train = half_over_n * np.einsum("bvn,bvn->bv", resid, resid)
        test = sigma * np.einsum("bvm,bvm->bv", err, err)
        np.putmask(t1, train >= eps, t)
        np.putmask(t2, (t2 < 0) & (test <= c), t)
        if t == next_rec:
            train_rec[..., next_k], test_rec[..., next_k] = train, test
            norm_rec[..., next_k] = np.einsum("bvm,bvm->bv", theta, theta)
            next_k += 1
            next_rec = rec[next_k] if next_k < K else -1
        if t == horizon or (stop_when_generalized and np.all(t2 >= 0)):
            break
        # theta <- (1 - eta lam) theta - (eta/n) Phi^T r
        np.matmul(resid, phi, out=grad)
        grad *= step
        theta *= decay
        theta -= grad
    if not np.all(np.isfinite(train)):
        raise FloatingPointError("GD produced non-finite losses")   # pragma: no cover
    squeeze = (lambda a: a[:, 0]) if not is_grid else (lambda a: a)
    return GDResult(t1=squeeze(t1), t2=squeeze(t2), steps=rec, train_loss=squeeze(train_rec),
                    population_loss=squeeze(test_rec), weight_norm_sq=squeeze(norm_rec),
                    final_train_loss=squeeze(train), final_population_loss=squeeze(test),
                    steps_run=int(t), horizon=horizon, lam=squeeze(lam_g), eta=squeeze(eta_g))


def default_horizon(problem: RidgeProblem, *, lam, eta, c) -> int:
    """A GD horizon that comfortably covers t2: 1.5 x the t2 point estimate + 1000.

    Parameters
    ----------
    problem : RidgeProblem
    lam, eta, c : float

    Returns
    -------
    int

    Notes
    -----
    Uses :func:`theory.ridge.control.t2_point_estimate` (an estimate, not a
    bound); 100 000 when it is not finite (or above 10^9), when there is no
    null space, or when ``eta lam`` is not in ``(0, 1)`` (no weight decay, or a
    step size that the estimate does not cover).

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from validation.ridge.gd import default_horizon
    >>> default_horizon(sample_problem(seed=0), lam=1e-4, eta=1.0, c=0.01) > 22698
    True
    """
    from theory.ridge.control import t2_point_estimate

    # the estimate assumes a converging, non-oscillating null-space mode: 0 < eta lam < 1
    if problem.m > problem.n and 0 < eta * lam < 1:
        est = t2_point_estimate(problem.n, problem.m,
                                problem.nu2 if problem.nu2 else 1.0, c, eta, lam,
                                float(np.linalg.norm(problem.teacher)),
                                problem.feature_variance)
        if np.isfinite(est) and est < 1e9:
            return int(1.5 * est) + 1000
    return 100_000


def gd_times(problems, *, seeds, lam, eta, eps, c, horizon=None):
    """t1, t2 and grokking time per problem by explicit GD (the CLI's ``--method gd``).

    Parameters
    ----------
    problems : sequence of RidgeProblem
        Problems may differ in shape; each shape is one batched GD run.
    seeds : sequence of int
        The seed of each problem (recorded in the output).
    lam, eta, eps, c : float
    horizon : int, optional
        Largest simulated step; default :func:`default_horizon` (max over
        problems).

    Returns
    -------
    runs : list of dict
        ``seed``, ``t1``, ``t2``, ``grokking_time`` ... per problem, with the
        conventions of :data:`theory.ridge.TIME_DEFINITIONS` restricted to
        the simulated horizon (``t2 = None``: not reached within it;
        ``t1 = None``: ``L_n`` still ``>= eps`` at the horizon).  What the
        horizon leaves open is None, never False: ``generalizes``,
        ``overfitting_phase`` and ``groks`` are None when censored, and
        ``undecided`` maps each such key to the reason.  ``diverged``: True
        when ``eta (lambda_max(Phi^T Phi)/n + lam) >= 2``, for which GD
        diverges; such a run is not simulated (its iterates would overflow),
        its times and flags are None and ``undecided`` gives the reason.
    horizon : int

    Notes
    -----
    One :func:`simulate_gd` call per distinct ``(n, m)``; cost ``O(B n m)``
    per step up to ``horizon``.  ``lam = 0`` (no weight decay) is plain GD:
    the null-space part of ``theta(0)`` never moves, so ``t2`` is None when
    ``feature_variance ||P (theta(0) - theta*)||^2 > c``, as the closed form
    says ("never").

    Examples
    --------
    >>> from theory.ridge import sample_problem
    >>> from validation.ridge.gd import gd_times
    >>> runs, h = gd_times([sample_problem(n=20, m=200, seed=0)], seeds=[0], lam=1e-3,
    ...                    eta=1.0, eps=0.01, c=0.01)
    >>> runs[0]["t2"] is not None and runs[0]["t2"] < h
    True
    """
    problems = list(problems)
    seeds = list(seeds)
    if len(seeds) != len(problems):
        raise ValueError(f"seeds must have one entry per problem ({len(problems)}), "
                         f"got {len(seeds)}")
    eta = _check_threshold("eta", eta)
    if isinstance(lam, bool) or not isinstance(lam, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"lam must be a real number, got {lam!r}")
    lam = float(lam)
    if not (np.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam must be a finite number >= 0, got {lam}")
    growth = {i: eta * (p.spectrum.lmax / p.n + lam) for i, p in enumerate(problems)}
    stable = [i for i, g in growth.items() if g < 2.0]
    if horizon is None:
        horizon = max((default_horizon(problems[i], lam=lam, eta=eta, c=c) for i in stable),
                      default=100_000)
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"--horizon must be an integer >= 1, got {horizon!r}")
    horizon = int(horizon)
    by_shape: dict = {}
    for i in stable:
        p = problems[i]
        by_shape.setdefault((p.n, p.m), []).append(i)
    out: dict = {}
    for idx in by_shape.values():
        res = simulate_gd([problems[i] for i in idx], lam=lam, eta=eta, eps=eps, c=c,
                          horizon=horizon)
        for j, i in enumerate(idx):
            out[i] = (int(res.t1[j]), int(res.t2[j]))
    runs = []
    for i, seed in enumerate(seeds):
        if i not in out:
            p = problems[i]
            why = (f"GD diverges: eta*(lambda_max(Phi^T Phi)/n + lam) = {growth[i]:.6g} >= 2 "
                   f"(use eta < {2.0 / (p.spectrum.lmax / p.n + lam):.6g}); not simulated")
            runs.append({"seed": seed, "t1": None, "t2": None, "grokking_time": None,
                         "eps": eps, "c": c, "overfitting_phase": None, "generalizes": None,
                         "groks": None, "diverged": True,
                         "undecided": {k: why for k in ("t1", "t2", "grokking_time",
                                                         "overfitting_phase", "generalizes",
                                                         "groks")},
                         "notes": [why]})
            continue
        t1, t2 = out[i]
        notes, undecided = [], {}
        if t2 < 0:
            t2 = None
            undecided["t2"] = undecided["generalizes"] = (
                f"L did not reach c within the GD horizon of {horizon} steps: undecided, not "
                f"'never' (the exact method decides it)")
        if t1 == horizon:
            t1 = None
            undecided["t1"] = undecided["overfitting_phase"] = (
                f"L_n was still >= eps at the horizon ({horizon} steps): t1 lies beyond it or "
                f"is infinite")
        elif t1 == -1:
            notes.append("no overfitting phase: L_n < eps at every simulated step (t1 = -1)")
        grok = t2 - t1 if (t1 is not None and t1 >= 0 and t2 is not None) else None
        if grok is not None:
            groks = grok > 0
        elif t1 == -1:
            groks = False                    # no overfitting phase: nothing to grok
        else:
            groks = None
            undecided["groks"] = undecided["grokking_time"] = (
                "t1 or t2 lies beyond the GD horizon, so whether and when the run groks is "
                "not decided by this simulation")
        runs.append({"seed": seed, "t1": t1, "t2": t2, "grokking_time": grok,
                     "eps": eps, "c": c,
                     "overfitting_phase": None if "overfitting_phase" in undecided else t1 >= 0,
                     "generalizes": None if "generalizes" in undecided else True,
                     "groks": groks, "diverged": False, "undecided": undecided, "notes": notes})
    return runs, horizon
