"""``grokking spectral ...``: early prediction from learning-curve spectra (Notsawo et al. 2023)."""

from __future__ import annotations

import json

from grokking_cli.common import (
    add_figures_verb,
    add_out_file,
    add_progress_flags,
    config_stamp,
    figures_output,
    integer,
    real,
)

PAPER = "Notsawo et al. 2023, arXiv 2306.13253"
DEFINITIONS = {
    "activity": "variance of the preprocessed window = spectral energy m0 (Parseval)",
    "mobility": "sqrt(m2/m0), spectral moments with weight |omega_k|^j",
    "complexity": "standard Hjorth sqrt(m4 m0)/m2 (complexity_paper: the paper's "
                  "printed sqrt(m4/m2))",
    "prediction": "true = the run is predicted to generalize (grok) within its budget"}


def spectral_config(args):
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


def spectral_stamp(command: str, params: dict) -> dict:
    """The ``config`` of every spectral command."""
    return config_stamp(f"grokking spectral {command}", "spectral", PAPER, params,
                        definitions=dict(DEFINITIONS))


def load_threshold_model(path: str):
    """A MODEL.json written by ``grokking spectral calibrate``."""
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
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"--model: {path!r} is not a model written by "
                         f"'grokking spectral calibrate' ({exc})") from None


def early_model_answer(args, command: str) -> dict:
    """An early-curve model (shipped or a file) applied to ``args.curve``: probability, evidence."""
    from validation.spectral.io import predict_curve_dict

    if args.model == "toy_split" and getattr(args, "split", None) is None:
        raise ValueError("--model: toy_split also needs the run's training pairs: use "
                         "'grokking predict curve CURVE.csv --model toy_split --split FILE', "
                         "or --model toy for the curve alone")
    out = predict_curve_dict(args.curve, model=args.model, column=args.column)
    out["config"] = spectral_stamp(command, {"curve": args.curve, "column": args.column,
                                             "model": args.model, **out["config"]})
    return out


def score(args) -> dict:
    """``spectral score``: the spectral signature of one curve and, with a model, a prediction."""
    from theory.spectral import SpectralPredictor, window_features
    from validation.spectral.io import is_early_model, read_curve_csv

    if args.model and is_early_model(args.model):
        return early_model_answer(args, "score")
    table = read_curve_csv(args.curve, columns=(args.column,), optional=())
    curve = table[args.column]
    if args.model:
        predictor = load_threshold_model(args.model)
        config = predictor.config
    else:
        config = spectral_config(args)
        predictor = None
        if args.threshold is not None:
            predictor = SpectralPredictor(args.threshold, args.feature, args.direction,
                                          "user (--threshold)", config)
    if len(curve) < config.window:
        raise ValueError(f"{args.curve}: the curve has {len(curve)} steps, shorter than "
                         f"--window ({config.window})")
    out = dict(window_features(curve, config).to_dict())
    if predictor is None:
        out.update(prediction=None, threshold=None, feature=args.feature,
                   threshold_source="none: pass --model MODEL.json (from 'grokking spectral "
                                    "calibrate') or --threshold to get a prediction")
    else:
        value = predictor.score(curve)
        out.update(prediction=bool(predictor.decide(value)), score=value,
                   threshold=predictor.threshold, feature=predictor.feature,
                   direction=predictor.direction, threshold_source=predictor.threshold_source)
    out["config"] = spectral_stamp("score", {
        "curve": args.curve, "column": args.column, "model": args.model,
        "spectral": config.to_dict(), "steps_in_file": len(curve)})
    return out


def calibrate(args) -> dict:
    """``spectral calibrate``: fit the threshold rule on a directory of labelled runs."""
    from theory.spectral import fit_predictor
    from validation.spectral.corpus import read_runs_dir

    config = spectral_config(args)
    names, curves, labels, source = read_runs_dir(args.runs_dir)
    short = [n for n, c in zip(names, curves) if len(c) < config.window]
    if short:
        raise ValueError(f"RUNS_DIR: {len(short)} curve(s) are shorter than --window "
                         f"({config.window}), e.g. {short[0]}.csv")
    if labels.all() or not labels.any():
        raise ValueError(f"RUNS_DIR: calibration needs runs of both classes; all {len(labels)} "
                         f"runs are labelled {int(labels[0])}")
    method = args.method.replace("-", "_")
    predictor = fit_predictor(curves, labels.astype(int), config, feature=args.feature,
                              method=method, target_fpr=args.target_fpr)
    scores = predictor.score_many(curves)
    return {"model": predictor.to_dict(), "threshold": predictor.threshold,
            "direction": predictor.direction, "threshold_source": predictor.threshold_source,
            "n_runs": len(names), "n_positive": int(labels.sum()), "label_source": source,
            "auroc_in_sample": predictor.auroc(scores, labels.astype(int)),
            "note": "in-sample figures (auroc_in_sample uses the fitted direction): evaluate "
                    "on held-out runs before trusting the rule",
            "config": spectral_stamp("calibrate", {
                "runs_dir": args.runs_dir, "method": method, "target_fpr": args.target_fpr,
                "feature": args.feature, "spectral": config.to_dict()})}


def figures(args) -> dict:
    """``spectral figures``: corpus, held-out evaluation, figures and report."""
    from validation.spectral import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress,
                            write_runs=args.write_runs)
    return figures_output(args, "spectral", manifest)


def corpus(args) -> dict:
    """``spectral corpus``: regenerate a family's labelled corpus (the shipped models' data)."""
    from validation._progress import progress_bar
    from validation.spectral.families import corpus_dict

    # corpus_dict takes a callable (run-steps done), not the --progress bool
    with progress_bar(None, f"spectral corpus ({args.family})", enabled=bool(args.progress),
                      unit="run-step") as bar:
        out = corpus_dict(args.family, args.out_dir, profile=args.profile, progress=bar.update)
    seconds = out.pop("seconds", None)
    if args.progress and seconds is not None:
        import sys

        print(f"spectral corpus: {out['n_runs']} runs in {seconds:.0f} s", file=sys.stderr)
    out["config"] = spectral_stamp("corpus", {"family": args.family, "profile": args.profile,
                                              "out": args.out_dir, **out["config"]})
    return out


def add_window(p) -> None:
    g = p.add_argument_group("window and preprocessing")
    g.add_argument("--window", type=integer("--window", 2), default=400,
                   help="leading steps used, integer >= 2 (default 400)")
    g.add_argument("--preprocess", choices=("mean", "none", "detrend", "linear", "highpass"),
                   default="mean", help="trend removal (default mean)")
    g.add_argument("--cutoff", type=real("--cutoff", 0, 1, lo_open=True, hi_open=True),
                   default=None,
                   help="high-pass cutoff, fraction of Nyquist in (0, 1) (with --preprocess "
                        "highpass)")
    g.add_argument("--log", action="store_true", help="use log(loss)")
    g.add_argument("--normalize", choices=("none", "initial", "std"), default="none",
                   help="scale of the window (default none)")
    g.add_argument("--band", default=None,
                   help="'low,high' band (fractions of Nyquist) for the band_energy feature")
    g.add_argument("--feature", default="activity",
                   choices=("activity", "mobility", "complexity", "complexity_paper",
                            "band_energy"), help="score to threshold (default activity)")


def register(theories, parser_class) -> None:
    """Add ``grokking spectral`` and its verbs."""
    spec = theories.add_parser("spectral", help="early prediction from learning-curve spectra "
                                                "(Notsawo et al. 2023)")
    verbs = spec.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)

    p = verbs.add_parser("score", help="spectral signature of one curve (CSV) and a prediction")
    p.add_argument("curve", help="CSV with columns step, train_loss (others ignored)")
    p.add_argument("--column", default="train_loss",
                   help="column to analyse (default train_loss)")
    p.add_argument("--model", default=None,
                   help="a shipped early-curve model (toy, modular), an early-curve model file, "
                        "or a MODEL.json threshold rule from 'grokking spectral calibrate'")
    p.add_argument("--threshold", type=real("--threshold"), default=None,
                   help="a threshold of your own, in the feature's units")
    p.add_argument("--direction", choices=("higher", "lower"), default="higher",
                   help="with --threshold: predict grokking when the score is higher (default) "
                        "or lower")
    add_window(p)
    add_out_file(p)
    p.set_defaults(func=score)

    p = verbs.add_parser("calibrate", help="fit the threshold on a directory of labelled runs")
    p.add_argument("runs_dir", metavar="RUNS_DIR",
                   help="one CSV per run (step, train_loss, train_acc, val_acc) and optional "
                        "labels.csv (run, label)")
    p.add_argument("--method", choices=("youden", "target-fpr"), default="youden",
                   help="threshold rule: Youden's J (default) or a target false-positive rate")
    p.add_argument("--target-fpr", type=real("--target-fpr", 0, 1, lo_open=True, hi_open=True),
                   default=None, help="with --method target-fpr: the rate, in (0, 1)")
    add_window(p)
    p.add_argument("--out", metavar="FILE", required=True,
                   help="MODEL.json to write (written atomically)")
    p.set_defaults(func=calibrate)

    p = verbs.add_parser("corpus", help="regenerate a family's labelled corpus (the shipped "
                                        "models' training data)")
    p.add_argument("--family", choices=("toy", "modular"), required=True,
                   help="toy: the effective-theory toy model; modular: the modular-addition MLP")
    p.add_argument("--profile", choices=("full", "reduced"), default="full",
                   help="full: the shipped models' grid (about an hour of 2 cores for toy); "
                        "reduced: a small grid for a quick check")
    p.add_argument("--out", dest="out_dir", metavar="DIR", required=True,
                   help="directory for FAMILY_corpus.npz")
    add_progress_flags(p)
    p.set_defaults(func=corpus, out=None)

    p = add_figures_verb(verbs, "corpus, held-out evaluation, figures and report",
                         "about 25 s", figures)
    p.add_argument("--write-runs", action="store_true",
                   help="also write the corpus as a runs directory (one CSV per run)")
