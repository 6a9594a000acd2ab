"""Command-line interface: ``grokking <theory> <verb> [flags]``.

A thin layer over the Python API.  Every command prints one JSON document on
stdout (snake_case keys) and writes it to ``--out FILE`` when given; every
document carries a ``config`` with all parameters, seeds, definitions and the
package version.  User errors print one line on stderr and exit non-zero
(2 for bad flags, 1 for invalid values), never a traceback.

Heavy modules (numpy, scipy, matplotlib, sympy) are imported inside the
command functions so that ``grokking --version`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings

from theory._version import __version__

EXIT_USAGE = 2
EXIT_INVALID = 1


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: {message}")


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------
def parse_seeds(text: str) -> list[int]:
    """``"3"`` -> [0, 1, 2]; ``"0-7"`` -> 0..7 inclusive; ``"1,4,9"`` -> that list.

    A single seed ``s`` is written ``"s-s"`` or ``"s,"``.
    """
    text = text.strip()
    try:
        if "," in text:
            seeds = [int(s) for s in text.split(",") if s.strip()]
        elif "-" in text:
            lo, hi = (int(s) for s in text.split("-", 1))
            if hi < lo:
                raise ValueError
            seeds = list(range(lo, hi + 1))
        else:
            count = int(text)
            if count < 1:
                raise ValueError
            seeds = list(range(count))
    except ValueError:
        raise ValueError(f"--seeds must be a count (3), an inclusive range (0-7) or a list "
                         f"(1,4,9) of non-negative integers, got {text!r}") from None
    if not seeds or min(seeds) < 0:
        raise ValueError(f"--seeds must name at least one non-negative seed, got {text!r}")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds has duplicates: {text!r}")
    return seeds


def _emit(result: dict, out: str | None) -> None:
    from theory._json import jsonable

    text = json.dumps(jsonable(result), indent=2, allow_nan=False)
    if out:
        try:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        except OSError as exc:
            raise ValueError(f"--out: cannot write {out!r}: {exc.strerror}") from None
    sys.stdout.write(text + "\n")


def _mean_std(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None, None
    mean = sum(vals) / len(vals)
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0.0
    return mean, std


# ---------------------------------------------------------------------------
# ridge
# ---------------------------------------------------------------------------
_RIDGE_MODEL = ("features x_i ~ N(0, I/m) (identity feature map), Sigma = I/m; teacher uniform "
                "on the sphere of radius teacher_norm; theta(0) ~ N(0, nu2 I_m); "
                "GD: theta <- theta - (eta/n) Phi^T Phi (theta - theta*) - eta lam theta")
_SEED_STREAMS = ("numpy SeedSequence(seed).spawn(3) -> features, teacher direction, "
                 "init standard-normal draw (independent streams: nu2 rescales the same draw)")


def _ridge_config(args, command: str, seeds: list[int], extra: dict | None = None) -> dict:
    from theory.ridge import TIME_DEFINITIONS

    params = {k: getattr(args, k) for k in
              ("n", "m", "nu2", "lam", "eta", "eps", "c", "teacher_norm", "delta")}
    params.update(extra or {})
    return {"command": f"grokking ridge {command}", "theory": "ridge",
            "paper": "Xu, Vardi, Safran 2026, arXiv 2601.19791",
            "parameters": params, "seeds": seeds, "model": _RIDGE_MODEL,
            "seed_streams": _SEED_STREAMS, "definitions": dict(TIME_DEFINITIONS),
            "version": __version__}


def _ridge_problems(args, seeds):
    from theory.ridge import sample_problem

    return [sample_problem(args.n, args.m, args.nu2, teacher_norm=args.teacher_norm, seed=s)
            for s in seeds]


def _ridge_times(args) -> dict:
    from theory.ridge import grokking_times

    seeds = parse_seeds(args.seeds)
    problems = _ridge_problems(args, seeds)
    extra = {"method": args.method}
    if args.method == "exact":
        results = [grokking_times(p, lam=args.lam, eta=args.eta, eps=args.eps, c=args.c)
                   for p in problems]
        runs = [dict(seed=s, **r.to_dict()) for s, r in zip(seeds, results)]
    else:
        from validation.ridge import gd_times

        runs, horizon = gd_times(problems, seeds=seeds, lam=args.lam, eta=args.eta,
                                 eps=args.eps, c=args.c, horizon=args.horizon)
        extra["horizon"] = horizon
    summary = {k: _mean_std([r[k] for r in runs]) for k in ("t1", "t2", "grokking_time")}
    defined = {k: sum(r[k] is not None and (k != "t1" or r[k] >= 0) for r in runs)
               for k in summary}
    return {"runs": runs,
            "mean": {k: v[0] for k, v in summary.items()},
            "std": {k: v[1] for k, v in summary.items()},
            "n_defined": defined,
            "config": _ridge_config(args, "times", seeds, extra)}


def _ridge_bounds(args) -> dict:
    from theory.ridge import BoundsReport, bounds_report, grokking_times

    seeds = parse_seeds(args.seeds)
    runs = []
    reports = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # the failing assumptions are in the JSON
        for s, p in zip(seeds, _ridge_problems(args, seeds)):
            rep = bounds_report(p, lam=args.lam, eta=args.eta, eps=args.eps, c=args.c,
                                delta=args.delta, warn=False)
            times = grokking_times(p, lam=args.lam, eta=args.eta, eps=args.eps, c=args.c)
            reports.append(rep)
            runs.append({"seed": s, "t1": times.t1, "t2": times.t2,
                         "grokking_time": times.grokking_time,
                         "bounds": {k: b.value for k, b in rep.bounds().items()},
                         "inputs": rep.inputs})
    out = {}
    for name in BoundsReport.BOUND_NAMES:
        per = [getattr(r, name) for r in reports]
        first = per[0].to_dict()
        values = [b.value for b in per]
        first.update(value=_mean_std(values)[0], values=values,
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
    out["config"] = _ridge_config(args, "bounds", seeds, {
        "bound_values": "value = mean over seeds of the bound on each sampled problem; "
                        "values = per seed; sample statistics (lmin_plus, b^2 = max_i "
                        "||phi(x_i)||^2, Lbar, ||theta(0)||^2) come from each problem"})
    return out


def _ridge_control(args) -> dict:
    from theory.ridge import control_report

    seeds = parse_seeds(args.seeds)
    reports = [control_report(p, lam=args.lam, eta=args.eta, eps=args.eps, c=args.c).to_dict()
               for p in _ridge_problems(args, seeds)]
    keys = ("lam_star", "lam_star_marchenko_pastur", "nu2_vacuity_threshold",
            "nu2_onset_exact", "t2_point_estimate")
    out = {k: _mean_std([r[k] for r in reports])[0] for k in keys}
    out["elasticities_eq8"] = reports[0]["elasticities_eq8"]
    out["runs"] = [dict(seed=s, **r) for s, r in zip(seeds, reports)]
    out["config"] = _ridge_config(args, "control", seeds, {
        "definitions_control": {
            "lam_star": "lam solving Eq. (8) t2 lower bound = Eq. (8) t1 upper bound "
                        "(sample lmin_plus; mean over seeds); below it the bounds certify grokking",
            "lam_star_marchenko_pastur": "same with lmin_plus = (1 - sqrt(n/m))^2",
            "nu2_vacuity_threshold": "8 m eps/(m - n): at or below it Eq. (8) certifies nothing",
            "nu2_onset_exact": "smallest nu2 (same initial draw, rescaled) at which the exact "
                               "dynamics have an overfitting phase and t2 > t1",
            "t2_point_estimate": "estimate (not a bound) solving "
                                 "sigma[(1-eta lam)^(2t)(m-n)nu2 + (m-n)/m ||theta*||^2] = c",
            "elasticities": "d ln t / d ln parameter"}})
    return out


def _ridge_curves(args) -> dict:
    import numpy as np

    from theory.ridge import dynamics, grokking_times

    seeds = parse_seeds(args.seeds)
    if args.points < 2:
        raise ValueError(f"--points must be >= 2, got {args.points}")
    problems = _ridge_problems(args, seeds)
    dyns = [dynamics(p, lam=args.lam, eta=args.eta) for p in problems]
    times = [grokking_times(d, eps=args.eps, c=args.c) for d in dyns]
    t_max = args.t_max
    if t_max is None:
        reached = [r.t2 for r in times if r.t2 is not None]
        t_max = 4 * max(reached) if reached else 10 ** 6
    if t_max < 1:
        raise ValueError(f"--t-max must be >= 1, got {t_max}")
    steps = np.unique(np.concatenate(
        [[0], np.round(np.geomspace(1, t_max, args.points - 1)).astype(np.int64)]))
    runs = [{"seed": s, "t1": r.t1, "t2": r.t2, "train_loss": d.train_loss(steps),
             "population_loss": d.population_loss(steps)}
            for s, d, r in zip(seeds, dyns, times)]
    return {"steps": steps, "runs": runs,
            "config": _ridge_config(args, "curves", seeds, {"t_max": int(t_max),
                                                            "points": args.points,
                                                            "method": "exact closed form"})}


def _ridge_figures(args) -> dict:
    from validation.ridge import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress)
    config = manifest.pop("config")
    config.update(command="grokking ridge figures",
                  parameters={"out": args.out_dir, "quick": args.quick},
                  note="each figure also has a JSON sidecar with its full config and data")
    return {"figures": manifest, "config": config}


def _add_ridge_parameters(p: argparse.ArgumentParser, seeds_default: str) -> None:
    g = p.add_argument_group("setting (defaults: the paper's Sec. 5.1)")
    g.add_argument("--n", type=int, default=100, help="training samples (default 100)")
    g.add_argument("--m", type=int, default=1000, help="features (default 1000)")
    g.add_argument("--nu2", type=float, default=1.0, help="init variance (default 1)")
    g.add_argument("--lam", type=float, default=1e-4, help="weight decay (default 1e-4)")
    g.add_argument("--eta", type=float, default=1.0, help="step size (default 1)")
    g.add_argument("--eps", type=float, default=0.01, help="train-loss threshold of t1 (0.01)")
    g.add_argument("--c", type=float, default=0.01, help="test-loss threshold of t2 (0.01)")
    g.add_argument("--teacher-norm", type=float, default=1.0, help="||theta*|| (default 1)")
    g.add_argument("--delta", type=float, default=0.05,
                   help="failure probability of Theorem 4.2 (default 0.05)")
    g.add_argument("--seeds", default=seeds_default,
                   help=f"count (3), range (0-7) or list (1,4,9) (default {seeds_default})")
    p.add_argument("--out", help="also write the JSON to this file")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="grokking", description="Predict whether and when a model groks.")
    parser.add_argument("--version", action="version", version=f"grokking-theory {__version__}")
    theories = parser.add_subparsers(dest="theory", metavar="THEORY", parser_class=_Parser)
    ridge = theories.add_parser("ridge", help="ridge regression (Xu, Vardi, Safran 2026)")
    verbs = ridge.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)

    p = verbs.add_parser("times", help="exact t1, t2 and grokking time per seed")
    _add_ridge_parameters(p, "3")
    p.add_argument("--method", choices=("exact", "gd"), default="exact",
                   help="closed form (default) or an explicit GD loop")
    p.add_argument("--horizon", type=int, default=None,
                   help="GD steps for --method gd (default: 1.5 x the t2 point estimate + 1000)")
    p.set_defaults(func=_ridge_times)

    p = verbs.add_parser("bounds", help="every proven bound and which assumptions hold")
    _add_ridge_parameters(p, "3")
    p.set_defaults(func=_ridge_bounds)

    p = verbs.add_parser("control", help="lam*, the nu2 thresholds, sensitivities")
    _add_ridge_parameters(p, "3")
    p.set_defaults(func=_ridge_control)

    p = verbs.add_parser("curves", help="exact train and population loss at log-spaced steps")
    _add_ridge_parameters(p, "1")
    p.add_argument("--points", type=int, default=200, help="log-spaced steps (default 200)")
    p.add_argument("--t-max", type=int, default=None,
                   help="last step (default 4 x the largest t2, or 1e6)")
    p.set_defaults(func=_ridge_curves)

    p = verbs.add_parser("figures", help="reproduce Fig. 1 and Fig. 2 and the validation report")
    p.add_argument("--out", dest="out_dir", required=True, help="output directory")
    p.add_argument("--quick", action="store_true", help="small, fast version (about a minute)")
    p.add_argument("--progress", action="store_true", help="progress bars on stderr")
    p.set_defaults(func=_ridge_figures, out=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``grokking`` console script."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            if args.theory is None:
                raise _UsageError("grokking: choose a theory (ridge); see grokking --help")
            raise _UsageError(f"grokking {args.theory}: choose a verb; "
                              f"see grokking {args.theory} --help")
        result = args.func(args)
        _emit(result, getattr(args, "out", None))
    except _UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_USAGE
    except (ValueError, TypeError, ArithmeticError) as exc:
        sys.stderr.write(f"grokking: error: {exc}\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        sys.stderr.write("grokking: interrupted\n")
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
