"""Will a ridge model grok?  Exact times from the closed form, and Eq. (8)'s certificate."""

from __future__ import annotations

import warnings

from validation.predict._common import mean_defined, stamp

__all__ = ["predict_ridge"]

PAPER = "Xu, Vardi, Safran 2026, arXiv 2601.19791"

#: Plain names of the assumptions of Eq. (8) (``theory.ridge.bounds`` condition keys).
ASSUMPTION_NAMES = {
    "null_space": "null-space",
    "thm42_step_size": "step-size",
    "thm42_overparameterization": "overparameterization",
    "thm42_weight_decay": "weight-decay",
    "eq8_small_step": "small-step (eta lam <= 0.01)",
    "eq8_c_equals_eps": "c = eps",
    "eq8_gaussian_features": "Gaussian-feature",
    "eq8_teacher_shift": "teacher-norm",
}

_BOUNDS = (("t2_lower", "t2_lower_eq8"), ("t1_upper", "t1_upper_eq8"),
           ("grokking_time_lower", "grokking_lower_eq8"))


def _why(t) -> str:
    """One phrase: why a seed groks or does not (from its exact times)."""
    if t.groks:
        return f"overfits by step {t.t1} and generalizes at step {t.t2}"
    if t.t2 is None:
        return "never generalizes: the population loss stays above c"
    if t.t1 == -1:
        return "no overfitting phase: the training loss is below eps from step 0"
    if t.t1 is None:
        return "never overfits: the training loss stays >= eps"
    return f"generalizes (step {t.t2}) no later than it overfits (step {t.t1})"


def _times(problems, lam, eta, eps, c) -> list:
    """Exact times of each problem (batched); an undecidable problem gives its ArithmeticError."""
    from theory.ridge import grokking_times, grokking_times_many

    try:
        return grokking_times_many(problems, lam=lam, eta=eta, eps=eps, c=c)
    except ArithmeticError:
        out = []
        for problem in problems:                    # find which ones, keep the others
            try:
                out.append(grokking_times(problem, lam=lam, eta=eta, eps=eps, c=c))
            except ArithmeticError as exc:
                out.append(exc)
        return out


def _groks(runs, seeds) -> tuple:
    """All seeds agree -> (that verdict, reason); else (None, which seeds grok)."""
    verdicts = [r["groks"] for r in runs]
    if None in verdicts:
        bad = [r for r in runs if r["groks"] is None]
        return None, (f"seed {bad[0]['seed']} is undecidable: {bad[0]['why']}"
                      + (f" (and {len(bad) - 1} more seeds)" if len(bad) > 1 else ""))
    if all(verdicts) or not any(verdicts):
        whys = sorted({r["why"] for r in runs}) if not verdicts[0] else []
        return verdicts[0], ("exact times: every seed groks" if verdicts[0] else
                             "exact times: no seed groks (" + "; ".join(whys) + ")")
    yes = [s for s, v in zip(seeds, verdicts) if v]
    no = [s for s, v in zip(seeds, verdicts) if not v]
    return None, (f"seeds disagree: seeds {yes} grok, seeds {no} do not (the answer depends "
                  f"on the sampled data)")


def _eq8(reports, seeds, lam) -> dict:
    """Eq. (8)'s t2 lower / t1 upper bounds over seeds, with the assumptions that fail."""
    if reports is None:
        reason = ("lam = 0: Eq. (8)'s t2 bound divides by eta lam, and without weight decay "
                  "the null-space weights never decay")
        return {"equation": "Eq. (8)", "value": None, "reason": reason,
                **{key: None for key, _ in _BOUNDS},
                "assumptions_hold": None, "assumptions_failed": [], "certifies_grokking": None}
    out = {"equation": "Eq. (8) (Theorem 4.2 with Gaussian features, c = eps, eta lam <= 0.01)"}
    for key, name in _BOUNDS:
        per = [getattr(r, name) for r in reports]
        values = [b.value for b in per]
        out[key] = {**mean_defined(values, seeds), "values": values,
                    "vacuous": any(b.vacuous for b in per), "source": name}
    failed = sorted({f for r in reports for f in r.t2_lower_eq8.failed})
    conds = reports[0].conditions
    out["assumptions_hold"] = not failed
    out["assumptions_failed"] = failed
    out["assumptions_failed_text"] = {f: conds[f].description for f in failed}
    out["probability"] = reports[0].t2_lower_eq8.probability
    g = out["grokking_time_lower"]
    out["certifies_grokking"] = bool(not failed and not g["vacuous"]
                                     and all(v is not None and v > 0 for v in g["values"]))
    return out


def _bound_phrase(bound) -> str:
    t2 = bound.get("t2_lower")
    if t2 is None or t2["mean"] is None:
        if "null_space" in bound.get("assumptions_failed", []):
            return "Eq. (8) does not apply (no null space: m <= rank(Phi))"
        return f"Eq. (8) gives no bound ({bound.get('reason', 'undefined')})"
    value = f"t2 >= {t2['mean']:.0f}"
    if t2["vacuous"]:
        return f"Eq. (8) is vacuous here ({value})"
    failed = bound["assumptions_failed"]
    if failed:
        names = ", ".join(ASSUMPTION_NAMES.get(f, f) for f in failed)
        return (f"Eq. (8) would give {value}, but its {names} assumption"
                f"{'s fail' if len(failed) > 1 else ' fails'}, so it certifies nothing here")
    t1 = bound["t1_upper"]["mean"]
    if bound["certifies_grokking"]:
        return (f"Eq. (8) certifies grokking: {value} and t1 <= {t1:.0f} (probability "
                f"{bound['probability']})")
    return (f"Eq. (8) certifies {value} (probability {bound['probability']}) but not "
            f"grokking: its t1 bound ({t1:.0f}) is not below it on every seed")


def _summary(groks, reason, mean, n_seeds, bound, no_null_space) -> str:
    t1, t2, g = mean["t1"]["mean"], mean["t2"]["mean"], mean["grokking_time"]["mean"]
    if groks is None:
        head = f"undecided: {reason}"
    elif groks:
        where = "" if n_seeds == 1 else f" (means over {n_seeds} seeds)"
        head = (f"groks: overfits by step {t1:.0f}, generalizes at step {t2:.0f}, grokking "
                f"time {g:.0f}{where}")
    else:
        head = "does not grok: " + reason.split("(", 1)[1].rstrip(")")
    if groks and no_null_space:
        head += (" (no null space, so not the paper's mechanism: the delay comes from small "
                 "eigenvalues of Phi^T Phi)")
    return f"{head}; {_bound_phrase(bound)}"


def predict_ridge(*, n: int = 100, m: int = 1000, nu2: float = 1.0, lam: float = 1e-4,
                  eta: float = 1.0, eps: float = 0.01, c: float = 0.01,
                  teacher_norm: float = 1.0, delta: float = 0.05, seeds=(0, 1, 2)) -> dict:
    """Will the ridge model of Xu, Vardi & Safran grok, and when?

    Parameters
    ----------
    n, m, nu2, lam, eta, eps, c, teacher_norm : float
        The setting (defaults: the paper's Sec. 5.1), as in ``grokking ridge times``.
    delta : float
        Failure probability of Theorem 4.2 (the bound's confidence).
    seeds : sequence of int
        One sampled problem (features, teacher, initialisation) per seed.

    Returns
    -------
    dict
        ``t1``, ``t2``, ``grokking_time`` (means over the seeds where each is
        defined, with those seeds), ``groks`` (true/false when every seed
        agrees, null when they disagree; ``groks_reason`` says which), ``bound``
        (Eq. (8): t2 lower, t1 upper, grokking-time lower bound,
        ``assumptions_failed``), ``runs`` (per seed), ``summary``,
        ``evidence``, ``config``.

    Notes
    -----
    The times are the exact closed-form ones of :func:`theory.ridge.grokking_times`
    (the ``grokking ridge times`` numbers), so ``groks`` is decided on every
    seed: ``t2 - t1 > 0`` with an overfitting phase.  The means follow the
    same rule as ``ridge times`` (t1 over seeds with ``t1 >= 0``, t2 over
    finite t2, grokking time over seeds with both).  Cost per seed: one
    ``n x m`` Gaussian sample (about 1 ms at the defaults), a batched
    ``n x n`` ``eigh`` and, for the bound, the problem's spectrum again in
    :func:`theory.ridge.bounds_report`.

    Examples
    --------
    >>> from validation.predict import predict_ridge
    >>> out = predict_ridge(seeds=[0])
    >>> out["t1"]["mean"], out["t2"]["mean"], out["groks"]
    (208.0, 22698.0, True)
    >>> out["bound"]["assumptions_failed"]
    ['thm42_step_size']
    """
    from theory.ridge import TIME_DEFINITIONS, bounds_report, sample_problems

    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    runs, reports = [], [] if lam > 0 else None
    # batches of <= 64 MiB of features, as theory.ridge.times_for_seeds (the 'ridge times' path)
    chunk = max(1, (1 << 26) // (8 * max(1, int(n) * int(m))))
    for start in range(0, len(seeds), chunk):
        batch = seeds[start:start + chunk]
        problems = sample_problems(n, m, nu2, batch, teacher_norm=teacher_norm)
        for s, problem, t in zip(batch, problems, _times(problems, lam, eta, eps, c)):
            if isinstance(t, ArithmeticError):    # a loss limit equal to its threshold
                runs.append({"seed": s, "t1": None, "t2": None, "grokking_time": None,
                             "groks": None, "why": f"the exact times are undecidable in "
                                                   f"float64 ({t})", "notes": []})
            else:
                runs.append({"seed": s, "t1": t.t1, "t2": t.t2,
                             "grokking_time": t.grokking_time, "groks": t.groks,
                             "why": _why(t), "notes": list(t.notes)})
            if reports is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")     # the failing assumptions are in the JSON
                    reports.append(bounds_report(problem, lam=lam, eta=eta, eps=eps, c=c,
                                                 delta=delta, warn=False))
    t1 = [r["t1"] if r["t1"] is not None and r["t1"] >= 0 else None for r in runs]
    mean = {"t1": mean_defined(t1, seeds),
            "t2": mean_defined([r["t2"] for r in runs], seeds),
            "grokking_time": mean_defined([r["grokking_time"] for r in runs], seeds)}
    groks, reason = _groks(runs, seeds)
    bound = _eq8(reports, seeds, lam)
    params = {"n": n, "m": m, "nu2": nu2, "lam": lam, "eta": eta, "eps": eps, "c": c,
              "teacher_norm": teacher_norm, "delta": delta}
    return {
        **mean, "groks": groks, "groks_reason": reason, "bound": bound, "runs": runs,
        "summary": _summary(groks, reason, mean, len(seeds), bound,
                            any(note.startswith("no null space") for r in runs
                                for note in r["notes"])),
        "evidence": {
            "method": "theory: exact closed-form GD times (theory.ridge.grokking_times, the "
                      "numbers of 'grokking ridge times'); bound from theory.ridge.bounds_report",
            "simulation": None,
            "seeds": seeds},
        "config": stamp("ridge", "ridge", PAPER, params, seeds=seeds,
                        definitions={**TIME_DEFINITIONS,
                                     "groks": "grokking_time = t2 - t1 > 0 with an overfitting "
                                              "phase (t1 >= 0)",
                                     "mean": "over the seeds where the time is defined (t1 >= 0; "
                                             "t2 finite; both for grokking_time)"}),
    }
