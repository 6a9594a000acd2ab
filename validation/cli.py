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
    return _figures_output(args, "ridge", manifest,
                           note="each figure also has a JSON sidecar with its full config and data")


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


# ---------------------------------------------------------------------------
# effective theory
# ---------------------------------------------------------------------------
def _effective_config(args, command: str, params: dict, extra: dict | None = None) -> dict:
    from theory.effective import HESSIAN_NORMALISATIONS, RQI_CONVENTIONS

    return {"command": f"grokking effective {command}", "theory": "effective",
            "paper": "Liu et al. 2022, arXiv 2205.10343", "parameters": params,
            "definitions": {
                "forced": "nullity n0 of A(P0(D)) equals that of A(P0) (2 for addition): the "
                          "training set forces the linear representation",
                "lambda3": "third-smallest eigenvalue of the effective Hessian, "
                           + HESSIAN_NORMALISATIONS["z0"] + ", Z0 = d_in (p - 1)",
                "n_h": "1 / (lambda3 eta_repr) steps (null when lambda3 = 0)",
                "rqi": RQI_CONVENTIONS["code"],
                "parallelograms": "P0: unordered pairs of distinct samples (i<=j) with equal "
                                  "labels (counts 3/13/70 for p = 4/6/10)"},
            **(extra or {}), "version": __version__}


def _effective_task(args):
    from theory.effective import ArithmeticTask

    return ArithmeticTask(args.p, modular=args.modular)


def _effective_critical(args) -> dict:
    from theory.effective import critical_curve

    task = _effective_task(args)
    sizes = None
    if args.train_sizes:
        try:
            sizes = [int(v) for v in args.train_sizes.split(",") if v.strip()]
        except ValueError:
            raise ValueError(f"--train-sizes must be a comma-separated list of integers, "
                             f"got {args.train_sizes!r}") from None
    curve = critical_curve(task, sizes, trials=args.trials, seed=args.seed,
                           exact_limit=args.exact_limit)
    out = curve.to_dict()
    out["config"] = _effective_config(args, "critical", {
        "p": args.p, "modular": args.modular, "trials": args.trials, "seed": args.seed,
        "exact_limit": args.exact_limit, "train_sizes": sizes}, {
        "method": "exact enumeration where C(|D0|, size) <= exact_limit, else Monte Carlo "
                  "(stderr = binomial sqrt(q(1-q)/trials); 1/trials when q is 0 or 1)",
        "seed_streams": "SeedSequence(seed).spawn(|D0|+1)[size] draws the sets of each size"})
    return out


def _effective_analyze(args) -> dict:
    from theory.effective import analyze_split, random_split

    task = _effective_task(args)
    split = random_split(task, args.train_size, args.seed)
    a = analyze_split(split, eta=args.eta, normalisation=args.normalisation)
    out = a.to_dict()
    out["train_pairs"] = split.train_pairs
    out["config"] = _effective_config(args, "analyze", {
        "p": args.p, "modular": args.modular, "train_size": args.train_size, "seed": args.seed,
        "eta": args.eta, "normalisation": args.normalisation}, {
        "seed_streams": "numpy default_rng(SeedSequence(seed)).choice(|D0|, train_size)"})
    return out


def _effective_train(args) -> dict:
    from theory.effective import PhaseDefinition, classify_phase
    from validation.effective import ToyConfig, make_batch, train_toy

    seeds = parse_seeds(args.seeds)
    cfg = ToyConfig(p=args.p, modular=args.modular, d_in=args.d_in, width=args.width,
                    loss=args.loss, steps=args.steps, dtype=args.dtype,
                    train_acc_threshold=args.acc_threshold, test_acc_threshold=args.acc_threshold,
                    rqi_threshold=args.rqi_threshold,
                    record_every=max(args.steps // 100, 1))
    phases = PhaseDefinition(budget=args.budget, acc_threshold=args.acc_threshold, lag=args.lag)
    batch = make_batch(seeds, train_size=args.train_size, repr_lr=args.repr_lr,
                       repr_wd=args.repr_wd, decoder_lr=args.decoder_lr,
                       decoder_wd=args.decoder_wd)
    res = train_toy(cfg, batch)
    runs = []
    for k in range(len(batch)):
        run = res.run(k)
        ph = classify_phase(run["iter_train"], run["iter_test"], phases,
                            diverged=run["diverged"])
        run.update(phase=ph["phase"], lag=ph["lag"], val_without_train=ph["val_without_train"],
                   censored=(not run["diverged"] and args.steps < args.budget
                             and (run["iter_train"] is None or run["iter_test"] is None)))
        runs.append(run)
    params = {k: getattr(args, k) for k in
              ("p", "modular", "train_size", "steps", "repr_lr", "repr_wd", "decoder_lr",
               "decoder_wd", "loss", "dtype", "width", "d_in")}
    return {"runs": runs,
            "throughput_run_steps_per_s": res.timing["run_steps_per_s"],
            "config": _effective_config(args, "train", params, {
                "seeds": seeds, "toy": cfg.to_dict(), "phases": phases.to_dict(),
                "censored": "true when steps < budget and a threshold was not reached: the "
                            "phase may change with a longer run",
                "seed_streams": "SeedSequence(seed).spawn(4) -> templates, split, embedding "
                                "init, decoder init"})}


def _effective_figures(args) -> dict:
    from validation.effective import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress)
    return _figures_output(args, "effective", manifest)


def _add_effective_task(p: argparse.ArgumentParser) -> None:
    p.add_argument("--p", type=int, default=10, help="symbols 0..p-1 (default 10)")
    p.add_argument("--modular", action="store_true", help="modular addition instead of addition")
    p.add_argument("--out", help="also write the JSON to this file")


def _build_effective(theories) -> None:
    eff = theories.add_parser("effective", help="effective theory of representation learning "
                                                "(Liu et al. 2022)")
    verbs = eff.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)

    p = verbs.add_parser("critical", help="P(training set forces the structure) vs size")
    _add_effective_task(p)
    p.add_argument("--trials", type=int, default=1000, help="Monte Carlo sets per size (1000)")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default 0)")
    p.add_argument("--exact-limit", type=int, default=20000,
                   help="enumerate all sets when there are at most this many (20000)")
    p.add_argument("--train-sizes", default=None, help="comma-separated sizes (default: all)")
    p.set_defaults(func=_effective_critical)

    p = verbs.add_parser("analyze", help="what one training split predicts (n0, lambda3, ...)")
    _add_effective_task(p)
    p.add_argument("--train-size", type=int, default=45, help="training samples (default 45)")
    p.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    p.add_argument("--eta", type=float, default=1e-3, help="representation lr for n_h (1e-3)")
    p.add_argument("--normalisation", choices=("z0", "paper"), default="z0",
                   help="Hessian normalisation (default z0: 2 A^T A / Z0)")
    p.set_defaults(func=_effective_analyze)

    p = verbs.add_parser("train", help="train the numpy toy model (batched over seeds)")
    _add_effective_task(p)
    p.add_argument("--train-size", type=int, default=45, help="training samples (default 45)")
    p.add_argument("--seeds", default="0-7", help="count, range or list (default 0-7)")
    p.add_argument("--steps", type=int, default=10000, help="full-batch updates (10000)")
    p.add_argument("--repr-lr", type=float, default=1e-3, help="embedding Adam lr (1e-3)")
    p.add_argument("--repr-wd", type=float, default=0.0, help="embedding weight decay (0)")
    p.add_argument("--decoder-lr", type=float, default=1e-4, help="decoder AdamW lr (1e-4)")
    p.add_argument("--decoder-wd", type=float, default=0.0, help="decoder weight decay (0)")
    p.add_argument("--loss", choices=("mse", "ce"), default="mse", help="loss (default mse)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--width", type=int, default=200, help="decoder width (default 200)")
    p.add_argument("--d-in", type=int, default=1, help="embedding dimension (default 1)")
    p.add_argument("--acc-threshold", type=float, default=0.9, help="accuracy threshold (0.9)")
    p.add_argument("--rqi-threshold", type=float, default=0.95, help="RQI threshold (0.95)")
    p.add_argument("--budget", type=int, default=100000, help="phase budget in steps (1e5)")
    p.add_argument("--lag", type=int, default=1000, help="comprehension lag in steps (1000)")
    p.set_defaults(func=_effective_train)

    _add_figures_verb(verbs, "reproduce Figs. 3-5 and the validation report", "about 20 s",
                      _effective_figures)


def _figures_output(args, theory: str, manifest: dict, **extra) -> dict:
    """The ``figures`` verbs' JSON: the manifest plus its config, stamped with the command."""
    config = manifest.pop("config")
    config.update(command=f"grokking {theory} figures",
                  parameters={"out": args.out_dir, "quick": args.quick}, **extra)
    return {"figures": manifest, "config": config}


def _add_figures_verb(verbs, help_text: str, quick_time: str, func) -> None:
    """The ``figures`` verb shared by every theory: --out DIR, --quick, --progress."""
    p = verbs.add_parser("figures", help=help_text)
    p.add_argument("--out", dest="out_dir", required=True, help="output directory")
    p.add_argument("--quick", action="store_true", help=f"small, fast version ({quick_time})")
    p.add_argument("--progress", action="store_true", help="progress bars on stderr")
    p.set_defaults(func=func, out=None)


# ---------------------------------------------------------------------------
# spectral early prediction
# ---------------------------------------------------------------------------
def _spectral_config(args):
    from theory.spectral import SpectralConfig

    band = None
    if getattr(args, "band", None):
        try:
            band = tuple(float(v) for v in args.band.split(","))
        except ValueError:
            raise ValueError(f"--band must be 'low,high' (fractions of Nyquist), got "
                             f"{args.band!r}") from None
    return SpectralConfig(window=args.window, preprocess=args.preprocess, cutoff=args.cutoff,
                          log=args.log, normalize=args.normalize, band=band)


def _spectral_common(args, command: str, params: dict) -> dict:
    return {"command": f"grokking spectral {command}", "theory": "spectral",
            "paper": "Notsawo et al. 2023, arXiv 2306.13253", "parameters": params,
            "definitions": {
                "activity": "variance of the preprocessed window = spectral energy m0 (Parseval)",
                "mobility": "sqrt(m2/m0), spectral moments with weight |omega_k|^j",
                "complexity": "standard Hjorth sqrt(m4 m0)/m2 (complexity_paper: the paper's "
                              "printed sqrt(m4/m2))",
                "prediction": "true = the run is predicted to generalize (grok) within its "
                              "budget"},
            "version": __version__}


def _load_model(path: str):
    from theory.spectral import SpectralConfig, SpectralPredictor

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        model = data.get("model", data)
        cfg = SpectralConfig(**{k: (tuple(v) if k == "band" and v is not None else v)
                                for k, v in model["config"].items()})
        return SpectralPredictor(model["threshold"], model["feature"], model["direction"],
                                 model["threshold_source"] + f" (loaded from {path})", cfg)
    except OSError as exc:
        raise ValueError(f"--model: cannot read {path!r}: {exc.strerror}") from None
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"--model: {path!r} is not a model written by "
                         f"'grokking spectral calibrate' ({exc})") from None


def _spectral_score(args) -> dict:
    from theory.spectral import SpectralPredictor, window_features
    from validation.spectral.io import read_curve_csv

    table = read_curve_csv(args.curve, columns=(args.column,), optional=())
    curve = table[args.column]
    if args.model:
        predictor = _load_model(args.model)
        config = predictor.config
    else:
        config = _spectral_config(args)
        predictor = None
        if args.threshold is not None:
            predictor = SpectralPredictor(args.threshold, args.feature, args.direction,
                                          "user (--threshold)", config)
    if len(curve) < config.window:
        raise ValueError(f"{args.curve}: the curve has {len(curve)} steps, shorter than the "
                         f"window ({config.window})")
    feats = window_features(curve, config).to_dict()
    out = dict(feats)
    if predictor is None:
        out.update(prediction=None, threshold=None, feature=args.feature,
                   threshold_source="none: pass --model MODEL.json (from 'grokking spectral "
                                    "calibrate') or --threshold to get a prediction")
    else:
        score = predictor.score(curve)
        out.update(prediction=bool(predictor.decide(score)), score=score,
                   threshold=predictor.threshold, feature=predictor.feature,
                   direction=predictor.direction, threshold_source=predictor.threshold_source)
    out["config"] = _spectral_common(args, "score", {
        "curve": args.curve, "column": args.column, "model": args.model,
        "spectral": config.to_dict(), "steps_in_file": len(curve)})
    return out


def _spectral_calibrate(args) -> dict:
    from theory.spectral import auroc, fit_predictor
    from validation.spectral.corpus import read_runs_dir

    config = _spectral_config(args)
    names, curves, labels, source = read_runs_dir(args.runs_dir)
    short = [n for n, c in zip(names, curves) if len(c) < config.window]
    if short:
        raise ValueError(f"RUNS_DIR: {len(short)} curve(s) are shorter than the window "
                         f"({config.window}), e.g. {short[0]}.csv")
    if labels.all() or not labels.any():
        raise ValueError(f"RUNS_DIR: calibration needs runs of both classes; all {len(labels)} "
                         f"runs are labelled {int(labels[0])}")
    method = args.method.replace("-", "_")
    predictor = fit_predictor(curves, labels.astype(int), config, feature=args.feature,
                              method=method, target_fpr=args.target_fpr)
    scores = predictor.score_many(curves)
    model = predictor.to_dict()
    result = {"model": model, "threshold": predictor.threshold,
              "direction": predictor.direction, "threshold_source": predictor.threshold_source,
              "n_runs": len(names), "n_positive": int(labels.sum()), "label_source": source,
              "auroc_in_sample": auroc(scores, labels.astype(int)),
              "note": "in-sample figures: evaluate on held-out runs before trusting the rule",
              "config": _spectral_common(args, "calibrate", {
                  "runs_dir": args.runs_dir, "method": method, "target_fpr": args.target_fpr,
                  "feature": args.feature, "spectral": config.to_dict()})}
    return result


def _spectral_figures(args) -> dict:
    from validation.spectral import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress,
                            write_runs=args.write_runs)
    return _figures_output(args, "spectral", manifest)


def _add_spectral_window(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("window and preprocessing")
    g.add_argument("--window", type=int, default=400, help="leading steps used (default 400)")
    g.add_argument("--preprocess", choices=("mean", "none", "detrend", "linear", "highpass"),
                   default="mean", help="trend removal (default mean)")
    g.add_argument("--cutoff", type=float, default=None,
                   help="high-pass cutoff, fraction of Nyquist (with --preprocess highpass)")
    g.add_argument("--log", action="store_true", help="use log(loss)")
    g.add_argument("--normalize", choices=("none", "initial", "std"), default="none",
                   help="scale of the window (default none)")
    g.add_argument("--band", default=None, help="'low,high' band for the band_energy feature")
    g.add_argument("--feature", default="activity",
                   choices=("activity", "mobility", "complexity", "complexity_paper",
                            "band_energy"), help="score to threshold (default activity)")


def _build_spectral(theories) -> None:
    spec = theories.add_parser("spectral", help="early prediction from learning-curve spectra "
                                                "(Notsawo et al. 2023)")
    verbs = spec.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)

    p = verbs.add_parser("score", help="spectral signature of one curve (CSV) and a prediction")
    p.add_argument("curve", help="CSV with columns step, train_loss (others ignored)")
    p.add_argument("--column", default="train_loss", help="column to analyse (train_loss)")
    p.add_argument("--model", default=None, help="MODEL.json from 'grokking spectral calibrate'")
    p.add_argument("--threshold", type=float, default=None, help="a threshold of your own")
    p.add_argument("--direction", choices=("higher", "lower"), default="higher",
                   help="with --threshold: predict grokking when the score is higher (default)")
    _add_spectral_window(p)
    p.add_argument("--out", help="also write the JSON to this file")
    p.set_defaults(func=_spectral_score)

    p = verbs.add_parser("calibrate", help="fit the threshold on a directory of labelled runs")
    p.add_argument("runs_dir", metavar="RUNS_DIR",
                   help="one CSV per run (step, train_loss, train_acc, val_acc) and optional "
                        "labels.csv (run, label)")
    p.add_argument("--method", choices=("youden", "target-fpr"), default="youden")
    p.add_argument("--target-fpr", type=float, default=None, help="with --method target-fpr")
    _add_spectral_window(p)
    p.add_argument("--out", required=True, help="MODEL.json to write")
    p.set_defaults(func=_spectral_calibrate)

    _add_figures_verb(verbs, "corpus, held-out evaluation, figures and report",
                      "about 25 s", _spectral_figures)
    verbs.choices["figures"].add_argument("--write-runs", action="store_true",
                                          help="also write the corpus as a runs directory")


# ---------------------------------------------------------------------------
# adaptive kernel
# ---------------------------------------------------------------------------
_KERNEL_ERRATA = ("Q11 carries 4/pi (not 2/pi); the GPR formula for (b, c) has the factor "
                  "sigma2/n; the action has d |w|^2/(2 sigma_w2); the posterior is sampled, not "
                  "the paper's Langevin temperature; "
                  "Model B: 2g = 4 sigma_a2 a^2 P^2/(N sigma2^2); only a^2 enters (|a| reported)")


def _kernel_config(args, command: str, params: dict) -> dict:
    return {"command": f"grokking kernel {command}", "theory": "adaptive_kernel",
            "paper": "Rubin, Seroussi, Ringel 2023, arXiv 2310.03789", "parameters": params,
            "errata_applied": _KERNEL_ERRATA, "version": __version__}


def _model_a_config(args):
    from theory.adaptive_kernel import ModelAConfig

    return ModelAConfig(n=args.n, d=args.d, N=args.N, sigma_w2=args.sigma_w2,
                        sigma_a2=args.sigma_a2, eps=args.eps)


def _model_b_config(args):
    import warnings as _w

    from theory.adaptive_kernel import ModelBConfig

    with _w.catch_warnings(record=True) as caught:
        _w.simplefilter("always")
        cfg = ModelBConfig(P=args.P, N=args.N, sigma_a2=args.sigma_a2, gamma=args.gamma)
    return cfg, [str(w.message) for w in caught]


def _kernel_critical(args) -> dict:
    from theory.adaptive_kernel import critical_point

    if args.model != "cubic":
        raise ValueError("--model: the critical point is defined for the cubic teacher; use "
                         "'grokking kernel modular' for Model B")
    cfg = _model_a_config(args)
    out = critical_point(cfg, method=args.method).to_dict()
    out["config"] = _kernel_config(args, "critical", {**out.pop("config", {}),
                                                      "method": args.method})
    return out


def _kernel_curve(args) -> dict:
    import numpy as np

    from theory.adaptive_kernel import phase_diagram, self_consistent_curve

    lo, hi = args.sigma2_min, args.sigma2_max
    if not (0 < lo < hi):
        raise ValueError(f"--sigma2-min and --sigma2-max must satisfy 0 < min < max, got "
                         f"{lo}, {hi}")
    if args.points < 2:
        raise ValueError(f"--points must be >= 2, got {args.points}")
    grid = np.linspace(lo, hi, args.points)
    if args.N is None:
        args.N = 700.0 if args.model == "cubic" else 1000.0
    if args.sigma_a2 is None:
        args.sigma_a2 = 8 / 700 if args.model == "cubic" else 0.002 / args.N
    if args.model == "cubic":
        cfg = _model_a_config(args)
        out = phase_diagram(cfg, grid).to_dict()
        params = {"n": cfg.n, "d": cfg.d, "N": cfg.N, "sigma_w2": cfg.sigma_w2,
                  "sigma_a2": cfg.sigma_a2, "eps": cfg.eps}
        warnings_ = []
    else:
        cfg, warnings_ = _model_b_config(args)
        out = self_consistent_curve(cfg, grid, normalisation=args.normalisation).to_dict()
        params = {"P": cfg.P, "N": cfg.N, "sigma_a2": cfg.sigma_a2, "gamma": cfg.gamma,
                  "normalisation": args.normalisation}
    out["warnings"] = warnings_
    out["config"] = _kernel_config(args, "curve", {"model": args.model, **params,
                                                   "sigma2_min": lo, "sigma2_max": hi,
                                                   "points": args.points})
    return out


def _kernel_modular(args) -> dict:
    from theory.adaptive_kernel import thresholds

    cfg, warnings_ = _model_b_config(args)
    out = thresholds(cfg, normalisation=args.normalisation).to_dict()
    out["warnings"] = warnings_
    out["config"] = _kernel_config(args, "modular", {
        "P": cfg.P, "N": cfg.N, "sigma_a2": cfg.sigma_a2, "gamma": cfg.gamma,
        "normalisation": args.normalisation})
    return out


def _add_model_a(p, shared: bool = False) -> None:
    g = p.add_argument_group("Model A (defaults: the paper's base configuration)")
    g.add_argument("--n", type=float, default=3000, help="training samples (3000)")
    g.add_argument("--d", type=float, default=150, help="input dimension (150)")
    g.add_argument("--N", type=float, default=None if shared else 700,
                   help="hidden width (700; Model B: 1000)")
    g.add_argument("--sigma-w2", type=float, default=0.5, help="first-layer prior variance (0.5)")
    g.add_argument("--sigma-a2", type=float, default=None if shared else 8 / 700,
                   help="readout prior (8/700; Model B: 0.002/N)")
    g.add_argument("--eps", type=float, default=-0.3, help="cubic teacher weight (-0.3)")


def _add_model_b(p) -> None:
    g = p.add_argument_group("Model B (defaults: the paper's Fig. 3)")
    g.add_argument("--P", type=int, default=401, help="modulus P (401)")
    g.add_argument("--N", type=float, default=1000, help="hidden width (1000)")
    g.add_argument("--sigma-a2", type=float, default=0.002 / 1000, help="readout prior (2e-6)")
    g.add_argument("--gamma", type=float, default=1e-4, help="sextic regulariser (1e-4)")
    g.add_argument("--normalisation", choices=("paper", "matrix"), default="paper",
                   help="Model B normalisation (default paper)")


def _build_kernel(theories) -> None:
    ker = theories.add_parser("kernel", help="adaptive-kernel phase transition "
                                             "(Rubin, Seroussi, Ringel 2023)")
    verbs = ker.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)

    p = verbs.add_parser("critical", help="first-order critical point of Model A")
    p.add_argument("--model", choices=("cubic",), default="cubic")
    _add_model_a(p)
    p.add_argument("--method", choices=("closed_form", "root"), default="closed_form")
    p.add_argument("--out", help="also write the JSON to this file")
    p.set_defaults(func=_kernel_critical)

    p = verbs.add_parser("curve", help="order parameters vs sigma2 (cubic or modular)")
    p.add_argument("--model", choices=("cubic", "modular"), default="cubic")
    _add_model_a(p, shared=True)
    p.add_argument("--P", type=int, default=401, help="Model B modulus (401)")
    p.add_argument("--gamma", type=float, default=1e-4, help="Model B regulariser (1e-4)")
    p.add_argument("--normalisation", choices=("paper", "matrix"), default="paper")
    p.add_argument("--sigma2-min", type=float, default=0.1)
    p.add_argument("--sigma2-max", type=float, default=0.3)
    p.add_argument("--points", type=int, default=41)
    p.add_argument("--out", help="also write the JSON to this file")
    p.set_defaults(func=_kernel_curve)

    p = verbs.add_parser("modular", help="Model B thresholds sigma2_I, sigma2_II, spinodal")
    _add_model_b(p)
    p.add_argument("--out", help="also write the JSON to this file")
    p.set_defaults(func=_kernel_modular)

    _add_figures_verb(verbs, "Langevin validation of Model A, Figs. 2-3 and the report",
                      "about 20 s", _kernel_figures)


def _kernel_figures(args) -> dict:
    from validation.adaptive_kernel import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress)
    return _figures_output(args, "kernel", manifest, errata_applied=_KERNEL_ERRATA)


def _all_figures(args) -> dict:
    import os

    from validation.adaptive_kernel import make_figures as kernel_figures
    from validation.effective import make_figures as effective_figures
    from validation.ridge import make_figures as ridge_figures
    from validation.spectral import make_figures as spectral_figures

    out = {}
    for name, make in (("ridge", ridge_figures), ("effective", effective_figures),
                       ("spectral", spectral_figures), ("kernel", kernel_figures)):
        manifest = make(os.path.join(args.out_dir, name), quick=args.quick,
                        progress=args.progress)
        out[name] = manifest
    return {"theories": out,
            "config": {"command": "grokking all figures",
                       "parameters": {"out": args.out_dir, "quick": args.quick},
                       "note": "each theory's manifest carries its own full config",
                       "version": __version__}}


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

    _add_figures_verb(verbs, "reproduce Fig. 1 and Fig. 2 and the validation report",
                      "about a minute", _ridge_figures)

    _build_effective(theories)
    _build_spectral(theories)
    _build_kernel(theories)

    every = theories.add_parser("all", help="every theory at once")
    verbs = every.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    _add_figures_verb(verbs, "the main job: every theory's figures and reports",
                      "about a minute", _all_figures)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``grokking`` console script."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            if args.theory is None:
                raise _UsageError("grokking: choose a theory (ridge, effective, spectral, kernel, "
                                  "all); see grokking --help")
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
