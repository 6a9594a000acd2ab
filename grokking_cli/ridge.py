"""``grokking ridge ...``: ridge regression (Xu, Vardi, Safran 2026)."""

from __future__ import annotations

import warnings

from grokking_cli.common import (
    add_figures_verb,
    add_out_file,
    config_stamp,
    figures_output,
    integer,
    parse_seeds,
    real,
    summarize,
)

PAPER = "Xu, Vardi, Safran 2026, arXiv 2601.19791"
MODEL = ("features x_i ~ N(0, I/m) (identity feature map), Sigma = I/m; teacher uniform "
         "on the sphere of radius teacher_norm; theta(0) ~ N(0, nu2 I_m); "
         "GD: theta <- theta - (eta/n) Phi^T Phi (theta - theta*) - eta lam theta")
SEED_STREAMS = ("numpy SeedSequence(seed).spawn(3) -> features, teacher direction, "
                "init standard-normal draw (independent streams: nu2 rescales the same draw)")
_PARAMETERS = ("n", "m", "nu2", "lam", "eta", "eps", "c", "teacher_norm", "delta")

#: Which runs each mean of ``ridge times`` is taken over.
MEAN_RULES = {
    "t1": "runs with an overfitting phase and a finite t1 (t1 >= 0; the -1 marker 'no "
          "overfitting phase' and null are left out)",
    "t2": "runs with a finite t2 (null = never generalizes, or with --method gd: not within "
          "the horizon)",
    "grokking_time": "runs where both t1 >= 0 and t2 are finite (a subset of the t1 and t2 "
                     "runs, so it need not equal mean t2 - mean t1)",
}


def ridge_config(args, command: str, seeds: list[int], extra: dict | None = None) -> dict:
    """The ``config`` of every ridge command."""
    from theory.ridge import TIME_DEFINITIONS

    params = {k: getattr(args, k) for k in _PARAMETERS}
    params.update(extra or {})
    return config_stamp(f"grokking ridge {command}", "ridge", PAPER, params, seeds=seeds,
                        model=MODEL, seed_streams=SEED_STREAMS,
                        definitions=dict(TIME_DEFINITIONS))


def check_size(args, seeds) -> None:
    """Refuse before sampling when one problem would not fit in memory."""
    from theory._budget import check_allocation

    n, m = args.n, args.m
    k = min(n, m)
    per_problem = 8.0 * (2 * n * m + 3 * k * k + 6 * max(n, m))
    check_allocation(per_problem, f"one ridge problem (--n {n}, --m {m}: the n x m features "
                                  f"and the {k} x {k} Gram matrix)")
    flops = len(seeds) * (2.0 * n * m * k + 10.0 * k ** 3)
    if flops > 3.6e14:     # about an hour at 1e11 flop/s
        raise ValueError(f"--seeds {len(seeds)} x (--n {n}, --m {m}) needs about "
                         f"{flops:.1e} floating-point operations (hours on a workstation); "
                         f"use fewer seeds or smaller --n/--m")


def problems(args, seeds):
    """The sampled problems, one at a time (memory is one problem, not one per seed)."""
    from theory.ridge import sample_problem

    check_size(args, seeds)
    for s in seeds:
        yield sample_problem(args.n, args.m, args.nu2, teacher_norm=args.teacher_norm, seed=s)


def times(args) -> dict:
    """``ridge times``: exact (or GD) t1, t2, grokking time per seed and their means."""
    from theory.ridge import times_for_seeds

    seeds = parse_seeds(args.seeds)
    extra = {"method": args.method}
    if args.method == "exact":
        check_size(args, seeds)
        found = times_for_seeds(args.n, args.m, args.nu2, seeds, lam=args.lam, eta=args.eta,
                                eps=args.eps, c=args.c, teacher_norm=args.teacher_norm)
        runs = [dict(seed=s, **r.to_dict()) for s, r in zip(seeds, found)]
    else:
        from validation.ridge import gd_times

        if args.horizon is not None:
            flops = 4.0 * args.n * args.m * args.horizon * len(seeds)
            if flops > 3.6e14:
                raise ValueError(f"--horizon {args.horizon} x --seeds {len(seeds)} of GD on "
                                 f"(--n {args.n}, --m {args.m}) needs about {flops:.1e} "
                                 f"floating-point operations (hours); use the exact method "
                                 f"(--method exact) or a shorter --horizon")

        runs, horizon = gd_times(list(problems(args, seeds)), seeds=seeds, lam=args.lam,
                                 eta=args.eta, eps=args.eps, c=args.c, horizon=args.horizon)
        diverged = [r for r in runs if r.get("diverged")]
        if diverged:          # the same answer as --method exact: a step size GD cannot take
            raise ValueError(f"--eta {args.eta:g}: {diverged[0]['notes'][0]} "
                             f"(seed {diverged[0]['seed']})")
        extra["horizon"] = horizon
    stats = {"t1": summarize([r["t1"] for r in runs], lambda v: v < 0),
             "t2": summarize([r["t2"] for r in runs]),
             "grokking_time": summarize([r["grokking_time"] for r in runs])}
    return {"runs": runs,
            "mean": {k: s["mean"] for k, s in stats.items()},
            "std": {k: s["std"] for k, s in stats.items()},
            "n_defined": {k: s["n"] for k, s in stats.items()},
            "mean_over": {k: {"seeds": [seeds[i] for i in s["index"]], "rule": MEAN_RULES[k]}
                          for k, s in stats.items()},
            "config": ridge_config(args, "times", seeds, extra)}


def bounds(args) -> dict:
    """``ridge bounds``: every proven bound, per seed and averaged, and the assumptions."""
    from theory.ridge import BoundsReport, bounds_report, grokking_times

    seeds = parse_seeds(args.seeds)
    runs = []
    reports = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # the failing assumptions are in the JSON
        for s, p in zip(seeds, problems(args, seeds)):
            rep = bounds_report(p, lam=args.lam, eta=args.eta, eps=args.eps, c=args.c,
                                delta=args.delta, warn=False)
            t = grokking_times(p, lam=args.lam, eta=args.eta, eps=args.eps, c=args.c)
            reports.append(rep)
            runs.append({"seed": s, "t1": t.t1, "t2": t.t2, "grokking_time": t.grokking_time,
                         "bounds": {k: b.value for k, b in rep.bounds().items()},
                         "inputs": rep.inputs})
    out = {}
    for name in BoundsReport.BOUND_NAMES:
        per = [getattr(r, name) for r in reports]
        first = per[0].to_dict()
        values = [b.value for b in per]
        first.update(value=summarize(values)["mean"], values=values,
                     vacuous=any(b.vacuous for b in per),
                     assumptions_hold=all(b.assumptions_hold for b in per),
                     failed=sorted({f for b in per for f in b.failed}))
        out[name] = first
    conditions = {}
    for key, cond in reports[0].conditions.items():
        d = cond.to_dict()
        d["satisfied_per_seed"] = [r.conditions[key].satisfied for r in reports]
        d["satisfied"] = all(d["satisfied_per_seed"])
        conditions[key] = d
    out["conditions"] = conditions
    out["runs"] = runs
    out["config"] = ridge_config(args, "bounds", seeds, {
        "bound_values": "value = mean over seeds of the bound on each sampled problem (over "
                        "the seeds where it is finite); values = per seed; sample statistics "
                        "(lmin_plus, b^2 = max_i ||phi(x_i)||^2, Lbar, ||theta(0)||^2) come "
                        "from each problem"})
    return out


_CONTROL_KEYS = ("lam_star", "lam_star_marchenko_pastur", "nu2_vacuity_threshold",
                 "nu2_onset_exact", "t2_point_estimate")


def control(args) -> dict:
    """``ridge control``: lam*, the nu2 thresholds and the elasticities."""
    from theory.ridge import control_report

    seeds = parse_seeds(args.seeds)
    reports = [control_report(p, lam=args.lam, eta=args.eta, eps=args.eps, c=args.c).to_dict()
               for p in problems(args, seeds)]
    out = {k: summarize([r[k] for r in reports])["mean"] for k in _CONTROL_KEYS}
    out["elasticities_eq8"] = reports[0]["elasticities_eq8"]
    out["runs"] = [dict(seed=s, **r) for s, r in zip(seeds, reports)]
    out["config"] = ridge_config(args, "control", seeds, {
        "definitions_control": {
            "lam_star": "lam solving Eq. (8) t2 lower bound = Eq. (8) t1 upper bound "
                        "(sample lmin_plus; mean over seeds); below it the bounds certify grokking",
            "lam_star_marchenko_pastur": "same with lmin_plus = (1 - sqrt(n/m))^2",
            "nu2_vacuity_threshold": "8 m eps/(m - n): at or below it Eq. (8) certifies nothing",
            "nu2_onset_exact": "smallest nu2 (same initial draw, rescaled) at which the exact "
                               "dynamics have an overfitting phase and t2 > t1",
            "t2_point_estimate": "estimate (not a bound) solving "
                                 "sigma[(1-eta lam)^(2t)(m-n)nu2 + (m-n)/m ||theta*||^2] = c",
            "elasticities": "d ln t / d ln parameter",
            "means": "each mean is over the seeds where the quantity is finite"}})
    return out


def curves(args) -> dict:
    """``ridge curves``: exact train and population losses at log-spaced steps."""
    import numpy as np

    from theory.ridge import dynamics, grokking_times

    seeds = parse_seeds(args.seeds)
    dyns = [dynamics(p, lam=args.lam, eta=args.eta) for p in problems(args, seeds)]
    found = [grokking_times(d, eps=args.eps, c=args.c) for d in dyns]
    t_max = args.t_max
    if t_max is None:
        reached = [r.t2 for r in found if r.t2 is not None]
        # (all t2 = 0, the loss below c from the start: 4 x 0 is no horizon either)
        t_max = 4 * max(reached) if reached and max(reached) > 0 else 10 ** 6
    steps = np.unique(np.concatenate(
        [[0], np.round(np.geomspace(1, t_max, args.points - 1)).astype(np.int64)]))
    runs = [{"seed": s, "t1": r.t1, "t2": r.t2, "train_loss": d.train_loss(steps),
             "population_loss": d.population_loss(steps)}
            for s, d, r in zip(seeds, dyns, found)]
    return {"steps": steps, "runs": runs,
            "config": ridge_config(args, "curves", seeds, {"t_max": int(t_max),
                                                           "points": args.points,
                                                           "method": "exact closed form"})}


def figures(args) -> dict:
    """``ridge figures``: Figs. 1 and 2 and the validation report."""
    from validation.ridge import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress)
    return figures_output(args, "ridge", manifest,
                          note="each figure also has a JSON sidecar with its full config and data")


def add_parameters(p, seeds_default: str) -> None:
    """The ridge setting flags (defaults: the paper's Sec. 5.1)."""
    g = p.add_argument_group("setting (defaults: the paper's Sec. 5.1)")
    g.add_argument("--n", type=integer("--n", 1), default=100,
                   help="training samples, integer >= 1 (default 100)")
    g.add_argument("--m", type=integer("--m", 1), default=1000,
                   help="features, integer >= 1 (default 1000)")
    g.add_argument("--nu2", type=real("--nu2", 0), default=1.0,
                   help="init variance, >= 0 (default 1)")
    g.add_argument("--lam", type=real("--lam", 0), default=1e-4,
                   help="weight decay, >= 0; 0 = no weight decay (default 1e-4)")
    g.add_argument("--eta", type=real("--eta", 0, lo_open=True), default=1.0,
                   help="step size, > 0 (default 1)")
    g.add_argument("--eps", type=real("--eps", 0, lo_open=True), default=0.01,
                   help="train-loss threshold of t1, > 0 (default 0.01)")
    g.add_argument("--c", type=real("--c", 0, lo_open=True), default=0.01,
                   help="test-loss threshold of t2, > 0 (default 0.01)")
    g.add_argument("--teacher-norm", type=real("--teacher-norm", 0), default=1.0,
                   help="||theta*||, >= 0 (default 1)")
    g.add_argument("--delta", type=real("--delta", 0, 1, lo_open=True, hi_open=True),
                   default=0.05, help="failure probability of Theorem 4.2, in (0, 1) "
                                      "(default 0.05)")
    g.add_argument("--seeds", default=seeds_default,
                   help=f"count (3), range (0-7) or list (1,4,9) (default {seeds_default})")
    add_out_file(p)


def register(theories, parser_class) -> None:
    """Add ``grokking ridge`` and its verbs."""
    ridge = theories.add_parser("ridge", help="ridge regression (Xu, Vardi, Safran 2026)")
    verbs = ridge.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)

    p = verbs.add_parser("times", help="exact t1, t2 and grokking time per seed")
    add_parameters(p, "3")
    p.add_argument("--method", choices=("exact", "gd"), default="exact",
                   help="closed form (default) or an explicit GD loop")
    p.add_argument("--horizon", type=integer("--horizon", 1), default=None,
                   help="GD steps for --method gd, integer >= 1 (default: 1.5 x the t2 point "
                        "estimate + 1000)")
    p.set_defaults(func=times)

    p = verbs.add_parser("bounds", help="every proven bound and which assumptions hold")
    add_parameters(p, "3")
    p.set_defaults(func=bounds)

    p = verbs.add_parser("control", help="lam*, the nu2 thresholds, sensitivities")
    add_parameters(p, "3")
    p.set_defaults(func=control)

    p = verbs.add_parser("curves", help="exact train and population loss at log-spaced steps")
    add_parameters(p, "1")
    p.add_argument("--points", type=integer("--points", 2), default=200,
                   help="log-spaced steps, integer >= 2 (default 200)")
    p.add_argument("--t-max", type=integer("--t-max", 1, 10 ** 15), default=None,
                   help="last step, integer in [1, 1e15] (default 4 x the largest t2, or 1e6)")
    p.set_defaults(func=curves)

    add_figures_verb(verbs, "reproduce Fig. 1 and Fig. 2 and the validation report",
                     "about a minute", figures)
