"""Every proven bound checked on randomized settings that meet its assumptions.

* :func:`bounds_grid`: Theorem 4.2 (Eqs. (6), (7), their pre-Taylor forms,
  the grokking-time bound (7) - (6)) and Eq. (8) (t1 with the sample and the
  Marchenko-Pastur ``lmin_plus``, t2, grokking time) against the exact t1/t2.
* :func:`thm41_check`: the three Theorem 4.1 envelopes (zero teacher) at
  many steps, on the closed form and on explicit GD.

Whether a bound's assumptions hold is decided by the
:class:`~theory.ridge.Condition` flags of :func:`theory.ridge.bounds_report`,
per problem (a bound is checked on a seed only when all its conditions hold
there); nothing here re-derives them.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from theory._json import jsonable
from theory.ridge import bounds as _B
from theory.ridge import bounds_report, dynamics, grokking_times, sample_problem
from theory.ridge.bounds import conditions as _conditions
from validation.ridge.gd import simulate_gd

__all__ = ["BoundsGridResult", "Thm41Result", "bounds_grid", "thm41_check", "SLACK_DEFINITION"]

#: How the slack ratios of the bounds grid are defined.
SLACK_DEFINITION = ("upper bound on t1: bound / t1; lower bound on t2 or on the grokking "
                    "time: actual / bound; >= 1 means the bound holds")

#: Relative tolerance for the Theorem 4.1 envelopes.  The norm envelope is an
#: equality at ``t = 0`` (``||theta(0)||^2`` on both sides) and the two sides
#: are summed in different orders, so a float64 comparison needs a few ulps of
#: slack; 1e-12 is ~1e4 ulps and far below any real violation.
THM41_RTOL = 1e-12

#: Explicit GD computes the residual ``Phi (theta - theta*)`` from O(||theta||)
#: numbers, so its absolute error is ~1e-16 ||Phi|| ||theta|| and the GD
#: training loss stops decaying at ~1e-31 x L_n(0) (measured: 1e-30 .. 1e-48
#: absolute), while the envelope keeps falling.  GD points are therefore
#: checked against the training envelope only where the closed-form loss is
#: above ``THM41_GD_FLOOR`` x L_n(0); the closed form is checked everywhere.
THM41_GD_FLOOR = 1e-20


@dataclass(frozen=True, eq=False)
class BoundsGridResult:
    """Outcome of :func:`bounds_grid`.

    Attributes
    ----------
    bounds : dict
        Per bound name (as in :class:`theory.ridge.BoundsReport`):
        ``checked`` (seeds where its assumptions hold and it is not vacuous),
        ``violations``, ``slack_min``, ``slack_median``, ``slack_max``,
        ``trivial`` (t1 = -1 for an upper bound, t2 never reached for a lower
        bound: holds, no finite slack), ``skipped_assumptions``,
        ``skipped_vacuous``, ``skipped_undefined`` (grokking time undefined:
        ``t1 = -1`` or never overfits), ``probability``.
    settings : tuple of dict
        The sampled settings (with their seeds).
    violations : tuple of dict
        Every (setting, seed, bound) that failed.
    rejected_draws : int
        Draws discarded because Theorem 4.2's assumptions failed on a seed.
    seed : int
        Root seed of the draw.
    seconds : float
    """

    bounds: dict
    settings: tuple
    violations: tuple
    rejected_draws: int
    seed: int
    seconds: float

    @property
    def total_violations(self) -> int:
        """Violations summed over bounds."""
        return int(sum(b["violations"] for b in self.bounds.values()))

    def to_dict(self) -> dict:
        """JSON-ready."""
        return jsonable({"bounds": self.bounds, "settings": list(self.settings),
                         "violations": list(self.violations),
                         "total_violations": self.total_violations,
                         "rejected_draws": self.rejected_draws, "seed": self.seed,
                         "seeds_per_setting": len(self.settings[0]["seeds"]) if self.settings
                         else 0,
                         "slack_definition": SLACK_DEFINITION, "seconds": self.seconds})


def _draw_setting(rng, n_seeds):
    """One setting built to meet Theorem 4.2 / Eq. (8) (checked afterwards)."""
    n = int(rng.integers(10, 151))
    nu2 = float(np.exp(rng.uniform(np.log(0.3), np.log(8.0))))
    eps = float(np.exp(rng.uniform(np.log(0.003), np.log(0.05))))
    teacher_norm = 1.0 if rng.random() < 0.6 else float(rng.uniform(0.0, 2.0))
    # m >= n + max(32 ln(2/delta), 8||theta*||^2/nu2, 8 c m / nu2)  (sigma = 1/m, c = eps)
    frac = 1.0 - 8.0 * eps / nu2
    if frac <= 0.05:
        nu2 = 16.0 * eps / 0.95 + nu2
        frac = 1.0 - 8.0 * eps / nu2
    need = (n + max(32.0 * np.log(2 / 0.05), 8.0 * teacher_norm ** 2 / nu2)) / frac
    m = int(need * rng.uniform(1.0, 4.0)) + 1
    lam_cap = min(2.0 * eps / (3.0 * max(teacher_norm, 1e-12) ** 2),
                  np.sqrt(0.9 * eps) / (np.sqrt(6.0) * max(teacher_norm, 1e-12)), 5e-3)
    lam = float(np.exp(rng.uniform(np.log(1e-6), np.log(lam_cap))))
    # eta < 1/(lam + b^2) with b^2 = max_i ||phi_i||^2 ~ 1 + O(sqrt(ln n / m)); draws
    # close to the limit are sometimes rejected, which is the point: probe the edge
    eta = float(rng.uniform(0.05, 1.0)) / (lam + 1.0)
    base = int(rng.integers(2 ** 31))
    return dict(n=n, m=m, nu2=nu2, teacher_norm=teacher_norm, eps=eps, c=eps, lam=lam,
                eta=eta, seeds=[base + k for k in range(n_seeds)])


def bounds_grid(n_settings, *, seeds_per_setting=3, seed=2026, delta=0.05,
                max_draws=None) -> BoundsGridResult:
    """Check every Theorem 4.2 / Eq. (8) bound on random settings.

    Parameters
    ----------
    n_settings : int
        Settings to keep (each with ``seeds_per_setting`` problem seeds).
    seeds_per_setting : int
    seed : int
        Root of the ``numpy.random.SeedSequence`` that draws the settings and
        their problem seeds.
    delta : float
        Failure probability of Theorem 4.2 (enters its conditions).
    max_draws : int, optional
        Give up after this many draws (default ``20 * n_settings``).

    Returns
    -------
    BoundsGridResult

    Notes
    -----
    Draws ``n`` in [10, 150], ``nu2`` log-uniform in [0.3, 8], ``eps = c``
    log-uniform in [0.003, 0.05], ``||theta*||`` = 1 (60%) or uniform in
    [0, 2], ``m`` from 1x to 4x Theorem 4.2's over-parameterization
    requirement, ``lam`` log-uniform from 1e-6 up to its weight-decay
    condition (and 5e-3), ``eta`` up to about ``1/(lam + b^2)``, so that
    settings close to each assumption's edge are drawn.  A draw is kept only if every
    seed satisfies Theorem 4.2's conditions (then Eq. (8)'s hold too:
    ``eta lam <= 0.01``, ``c = eps``, Gaussian features); each bound is
    still checked only where its own :class:`~theory.ridge.Condition` flags
    all hold.  Times are the exact closed form (equal to explicit GD to the
    integer, see :mod:`validation.ridge.agreement`).  Eq. (6)-(8) hold with
    probability ``>= 1 - delta`` over the draw of the problem, so a rare
    violation is allowed by the theorem; none has been observed.  Cost:
    one ``O(n^2 m)`` spectrum and one exact search per seed (about 10 ms).

    Examples
    --------
    >>> from validation.ridge.bounds_check import bounds_grid
    >>> res = bounds_grid(3, seeds_per_setting=2)
    >>> res.total_violations, res.bounds["t2_lower_eq8"]["checked"] > 0
    (0, True)
    """
    if isinstance(n_settings, bool) or not isinstance(n_settings, (int, np.integer)) \
            or n_settings < 1:
        raise ValueError(f"n_settings must be an integer >= 1, got {n_settings!r}")
    if isinstance(seeds_per_setting, bool) or not isinstance(seeds_per_setting, (int, np.integer)) \
            or seeds_per_setting < 1:
        raise ValueError(f"seeds_per_setting must be an integer >= 1, got {seeds_per_setting!r}")
    t_start = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    max_draws = 20 * n_settings if max_draws is None else int(max_draws)
    stats: dict = {}
    settings, violations = [], []
    rejected = draws = 0
    thm42 = ("null_space", "thm42_step_size", "thm42_overparameterization", "thm42_weight_decay")
    while len(settings) < n_settings:
        if draws >= max_draws:
            raise RuntimeError(f"only {len(settings)} of {n_settings} settings met Theorem 4.2's "
                               f"assumptions in {max_draws} draws")
        draws += 1
        s = _draw_setting(rng, seeds_per_setting)
        rows = []
        for pseed in s["seeds"]:
            prob = sample_problem(s["n"], s["m"], s["nu2"], teacher_norm=s["teacher_norm"],
                                  seed=pseed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rep = bounds_report(prob, lam=s["lam"], eta=s["eta"], eps=s["eps"], c=s["c"],
                                    delta=delta, warn=False)
            if not all(rep.conditions[k].satisfied for k in thm42):
                break
            rows.append((pseed, prob, rep))
        else:
            settings.append(s)
            for pseed, prob, rep in rows:
                ex = grokking_times(prob, lam=s["lam"], eta=s["eta"], eps=s["eps"], c=s["c"])
                actual = {"t1": ex.t1, "t2": ex.t2, "grokking_time": ex.grokking_time}
                for name, b in rep.bounds().items():
                    st = stats.setdefault(name, {
                        "checked": 0, "violations": 0, "trivial": 0,
                        "skipped_assumptions": 0, "skipped_vacuous": 0, "skipped_undefined": 0,
                        "slacks": [],
                        "equation": b.equation, "kind": b.kind, "quantity": b.quantity,
                        "probability": b.probability})
                    if not b.assumptions_hold:
                        st["skipped_assumptions"] += 1
                        continue
                    if b.value is None or b.vacuous:
                        st["skipped_vacuous"] += 1
                        continue
                    st["checked"] += 1
                    a = actual[b.quantity]
                    if b.kind == "upper":
                        if a is None:               # never overfits: an upper bound fails
                            ok, slack = False, 0.0
                        elif a <= 0:
                            ok, slack = True, None  # t1 = -1 / 0: holds trivially
                        else:
                            slack = b.value / a
                            ok = slack >= 1
                    else:
                        if b.quantity == "grokking_time" and a is None:
                            if ex.t2 is None and ex.t1 is not None and ex.t1 >= 0:
                                ok, slack = True, None  # never generalizes: infinite delay
                            else:                   # t1 = -1 or never overfits: undefined
                                st["checked"] -= 1
                                st["skipped_undefined"] = st.get("skipped_undefined", 0) + 1
                                continue
                        elif a is None:             # t2 never reached: a lower bound holds
                            ok, slack = True, None
                        else:
                            slack = a / b.value
                            ok = slack >= 1
                    if slack is None:
                        st["trivial"] += 1
                    else:
                        st["slacks"].append(slack)
                    if not ok:
                        st["violations"] += 1
                        violations.append({"bound": name, "seed": pseed, "value": b.value,
                                           "actual": a, **{k: v for k, v in s.items()
                                                           if k != "seeds"}})
            continue
        rejected += 1
    out = {}
    for name, st in stats.items():
        sl = np.array(st.pop("slacks"))
        st.update(slack_min=float(sl.min()) if sl.size else None,
                  slack_median=float(np.median(sl)) if sl.size else None,
                  slack_max=float(sl.max()) if sl.size else None)
        out[name] = st
    return BoundsGridResult(bounds=out, settings=tuple(settings), violations=tuple(violations),
                            rejected_draws=rejected, seed=seed,
                            seconds=time.perf_counter() - t_start)


@dataclass(frozen=True, eq=False)
class Thm41Result:
    """Outcome of :func:`thm41_check`.

    Attributes
    ----------
    points : int
        (seed, step) pairs checked per envelope (closed form and GD together).
    excluded_gd_train_points : int
        GD points left out of the training envelope because the loss is
        below the float64 floor (``THM41_GD_FLOOR``).
    held : dict
        Per envelope (``train_upper``, ``test_lower``, ``norm_upper``), how
        many points satisfied it.
    min_slack : dict
        Per envelope, the smallest ``bound / value`` (upper) or
        ``value / bound`` (lower) seen.
    settings : tuple of dict
    failure_probability_max : float
        Largest ``2 exp(-(m - n)/32)`` over the settings (the test envelope
        holds with probability at least one minus this).
    seconds : float
    """

    points: int
    held: dict
    min_slack: dict
    excluded_gd_train_points: int
    settings: tuple
    failure_probability_max: float
    seconds: float

    @property
    def all_held(self) -> bool:
        """Every envelope held at every point."""
        return all(v == self.points - (self.excluded_gd_train_points
                                       if k == "train_upper" else 0)
                   for k, v in self.held.items())

    def to_dict(self) -> dict:
        """JSON-ready."""
        return jsonable({"points": self.points, "held": self.held, "all_held": self.all_held,
                         "excluded_gd_train_points": self.excluded_gd_train_points,
                         "gd_floor": THM41_GD_FLOOR,
                         "min_slack": self.min_slack, "settings": list(self.settings),
                         "failure_probability_max": self.failure_probability_max,
                         "rtol": THM41_RTOL, "seconds": self.seconds})


def thm41_check(n_settings=6, *, seeds_per_setting=3, seed=41, steps=300, gd_steps=2000,
                gd_points=40) -> Thm41Result:
    """Theorem 4.1's envelopes (zero teacher) at many steps on random settings.

    Parameters
    ----------
    n_settings : int
        Random settings: ``n`` in [10, 120], ``m - n`` in [200, 1200], ``nu2``
        log-uniform in [0.1, 10], ``lam`` log-uniform in [1e-5, 1e-2], ``eta``
        uniform in (5%, 99%) of Theorem 4.1's limit ``2/(Lbar + 2 lam)``.
    seeds_per_setting : int
    seed : int
    steps : int
        Log-spaced steps per seed for the closed form, up to ``10/(eta lam)``
        (where ``(1 - eta lam)^(2t) ~ e^-20``).
    gd_steps, gd_points : int
        Explicit GD horizon and recorded steps per seed.

    Returns
    -------
    Thm41Result

    Notes
    -----
    Checks ``L_n(t) <= (Lbar/2) rho^(2t) ||theta(0)||^2``,
    ``L(t) >= lambda_min(Sigma) (1 - eta lam)^(2t) (m - n) nu2 / 2`` and
    ``||theta(t)||^2 <= (1 - eta lam)^(2t) ||theta(0)||^2`` with a relative
    tolerance ``THM41_RTOL`` (float64 rounding of two differently ordered
    sums).  GD training losses below ``THM41_GD_FLOOR`` times their initial
    value are excluded (round-off floor of explicit GD, see the constant).
    The test-loss envelope holds with probability at least
    ``1 - 2 exp(-(m - n)/32)``; ``m - n >= 200`` makes that ``> 0.996``.
    Settings are skipped (redrawn) if Theorem 4.1's step-size condition
    fails on a seed.

    Examples
    --------
    >>> from validation.ridge.bounds_check import thm41_check
    >>> thm41_check(1, seeds_per_setting=1, steps=50, gd_steps=200).all_held
    True
    """
    t_start = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    held = {"train_upper": 0, "test_lower": 0, "norm_upper": 0}
    slack = {k: np.inf for k in held}
    total = 0
    excluded = 0
    settings = []
    fail_p = 0.0
    tol = 1.0 + THM41_RTOL

    def tally(key, ok, ratio):
        held[key] += int(np.sum(ok))
        finite = ratio[np.isfinite(ratio)]
        if finite.size:
            slack[key] = min(slack[key], float(finite.min()))

    while len(settings) < n_settings:
        n = int(rng.integers(10, 121))
        m = n + int(rng.integers(200, 1201))
        nu2 = float(np.exp(rng.uniform(np.log(0.1), np.log(10.0))))
        lam = float(np.exp(rng.uniform(np.log(1e-5), np.log(1e-2))))
        frac = float(rng.uniform(0.05, 0.99))
        base = int(rng.integers(2 ** 31))
        seeds = [base + k for k in range(seeds_per_setting)]
        probs = [sample_problem(n, m, nu2, teacher_norm=0.0, seed=s) for s in seeds]
        eta = frac * 2.0 / (max(p.spectrum.lbar for p in probs) + 2.0 * lam)
        conds = [_conditions(p, lam=lam, eta=eta, eps=0.01, c=0.01) for p in probs]
        if not all(c[k].satisfied for c in conds
                   for k in ("null_space", "thm41_step_size", "thm41_zero_teacher")):
            continue
        settings.append(dict(n=n, m=m, nu2=nu2, lam=lam, eta=eta, teacher_norm=0.0, seeds=seeds))
        fail_p = max(fail_p, 2.0 * np.exp(-(m - n) / 32.0))
        t_cf = np.unique(np.concatenate([[0], np.geomspace(1, 10.0 / (eta * lam), steps)
                                         .astype(np.int64)]))
        rec = np.unique(np.concatenate([[0], np.geomspace(1, gd_steps, gd_points)
                                        .astype(np.int64)]))
        res = simulate_gd(probs, lam=lam, eta=eta, eps=1.0, c=1.0, horizon=gd_steps, record=rec)
        for j, p in enumerate(probs):
            dyn = dynamics(p, lam=lam, eta=eta)
            spec = p.spectrum
            g2t = np.exp(2 * t_cf * np.log1p(-eta * lam))
            norm_cf = (dyn.row_coords(t_cf) ** 2).sum(axis=-1) + g2t * spec.null_init_sq
            gd_train_ok = dyn.train_loss(rec) >= THM41_GD_FLOOR * dyn.train_loss(0)
            excluded += int((~gd_train_ok).sum())
            for t, train, test, norm, keep in (
                    (t_cf, dyn.train_loss(t_cf), dyn.population_loss(t_cf), norm_cf,
                     np.ones(t_cf.size, bool)),
                    (rec, res.train_loss[j], res.population_loss[j], res.weight_norm_sq[j],
                     gd_train_ok)):
                up = _B.thm41_train_upper(p, lam, eta, t)
                lo = _B.thm41_test_lower(p, lam, eta, t, nu2)
                nu = _B.thm41_norm_upper(p, lam, eta, t)
                with np.errstate(divide="ignore", invalid="ignore"):
                    tr, ub = train[keep], up[keep]
                    tally("train_upper", tr <= ub * tol, ub / tr)
                    tally("test_lower", test * tol >= lo, test / lo)
                    tally("norm_upper", norm <= nu * tol, nu / norm)
                total += t.size
    return Thm41Result(points=total, held=held, min_slack=slack,
                       excluded_gd_train_points=excluded, settings=tuple(settings),
                       failure_probability_max=float(fail_p),
                       seconds=time.perf_counter() - t_start)
