"""``grokking predict ...``: will it grok, and when?  One answer per theory.

A thin layer over :mod:`validation.predict`: the flags of each theory's own
verbs (the same names, ranges and defaults), one JSON answer with a plain
``summary`` sentence, the ``evidence`` it rests on and the full ``config``.
"""

from __future__ import annotations

from grokking_cli.common import (
    add_out_file,
    add_progress_flags,
    choice_flag,
    integer,
    parse_seeds,
    real,
)


def _stamped(out: dict, verb: str) -> dict:
    """The answer with ``config.command`` first, as every other verb's config."""
    out["config"] = {"command": f"grokking predict {verb}", **out["config"]}
    return out


def ridge(args) -> dict:
    """``predict ridge``: exact times, ``groks`` and Eq. (8) on the ridge flags."""
    from grokking_cli.ridge import check_size
    from validation.predict import predict_ridge

    seeds = parse_seeds(args.seeds)
    check_size(args, seeds)
    out = predict_ridge(n=args.n, m=args.m, nu2=args.nu2, lam=args.lam, eta=args.eta,
                        eps=args.eps, c=args.c, teacher_norm=args.teacher_norm,
                        delta=args.delta, seeds=seeds)
    return _stamped(out, "ridge")


def toy(args) -> dict:
    """``predict toy``: critical curve, n_h and the phase (theory, else simulation)."""
    from grokking_cli.effective import check_train_budget
    from theory.effective import ArithmeticTask
    from validation.predict import predict_toy, read_split

    seeds = parse_seeds(args.seeds)
    task = ArithmeticTask(args.p, modular=args.modular)
    split = None
    if args.split is not None:
        split = read_split(args.split, task)
        if args.train_size is not None and args.train_size != split.train_size:
            raise ValueError(f"--train-size {args.train_size} differs from the "
                             f"{split.train_size} pairs of --split {args.split}; give one")
        args.train_size = split.train_size
    elif args.train_size is None:
        raise ValueError("give --train-size N (random splits) or --split FILE (your pairs)")
    if args.train_size >= task.n_samples:
        raise ValueError(f"--train-size must be an integer in [1, {task.n_samples - 1}] "
                         f"(|D0| - 1 for --p {args.p}: a test sample must be left), got "
                         f"{args.train_size}")
    if args.simulate != "never":
        check_train_budget(args, len(seeds))
    out = predict_toy(args.train_size, p=args.p, modular=args.modular, loss=args.loss,
                      repr_lr=args.repr_lr, repr_wd=args.repr_wd, decoder_lr=args.decoder_lr,
                      decoder_wd=args.decoder_wd, split=split, seeds=seeds, steps=args.steps,
                      budget=args.budget, acc_threshold=args.acc_threshold, lag=args.lag,
                      simulate=args.simulate, trials=args.trials, seed=args.seed,
                      exact_limit=args.exact_limit, width=args.width, dtype=args.dtype,
                      progress=args.progress)
    if args.split is not None:
        out["config"]["parameters"]["split"] = args.split
    return _stamped(out, "toy")


def kernel(args) -> dict:
    """``predict kernel``: the adaptive-kernel phase at ``--sigma2``."""
    from grokking_cli.kernel import ERRATA
    from validation.predict import predict_kernel

    out = predict_kernel(args.sigma2, model=args.model, n=args.n, d=args.d, N=args.N,
                         sigma_w2=args.sigma_w2, sigma_a2=args.sigma_a2, eps=args.eps,
                         P=args.P, gamma=args.gamma, normalisation=args.normalisation)
    out["config"]["errata_applied"] = ERRATA
    return _stamped(out, "kernel")


def _early_model(name_or_path) -> bool:
    """True for a shipped early-curve model or model file (False: a threshold-rule MODEL.json)."""
    try:
        from validation.spectral.io import is_early_model
    except ImportError:                 # a build without the early-curve models
        return False
    return is_early_model(name_or_path)


def _threshold_rule(args) -> dict:
    """A MODEL.json of ``spectral calibrate``: its decision (a rule has no probability)."""
    import argparse
    import os

    from grokking_cli.spectral import score

    if not os.path.exists(args.model):
        raise ValueError(f"--model: {args.model!r} is neither a shipped early-curve model nor "
                         f"a file (give a model file, or a MODEL.json from 'grokking spectral "
                         f"calibrate')")
    out = score(argparse.Namespace(curve=args.curve, column=args.column, model=args.model))
    rule = (f"{out['feature']} {'>=' if out['direction'] == 'higher' else '<='} "
            f"{out['threshold']:.4g}")
    verdict = "will generalize" if out["prediction"] else "will not generalize"
    return {"probability": None, "prediction": out["prediction"],
            "generalizes": out["prediction"], "groks": None,
            "groks_reason": "a spectral threshold rule predicts whether the run generalizes, "
                            "not whether generalization is delayed; see generalizes",
            "score": out["score"], "threshold": out["threshold"], "feature": out["feature"],
            "direction": out["direction"], "threshold_source": out["threshold_source"],
            "summary": f"{verdict}: {out['feature']} = {out['score']:.4g} of the first "
                       f"{out['config']['parameters']['spectral']['window']} steps, rule "
                       f"{rule} (threshold rule from {args.model}; no probability)",
            "evidence": {"method": "spectral threshold rule (grokking spectral score --model)",
                         "features": {k: out[k] for k in ("activity", "mobility", "complexity")},
                         "simulation": None},
            "config": {"predict": "curve", "theory": "spectral",
                       "paper": "Notsawo et al. 2023, arXiv 2306.13253",
                       "parameters": {"curve": args.curve, "model": args.model,
                                      "column": args.column},
                       "answer": out["config"], "version": out["config"]["version"]}}


def curve(args) -> dict:
    """``predict curve``: the early-curve model's probability for one learning curve."""
    if not _early_model(args.model):
        if args.split is not None:
            raise ValueError("--split: a threshold rule uses the curve only; give an "
                             "early-curve model with split features (--model toy_split)")
        return _stamped(_threshold_rule(args), "curve")
    from validation.predict import predict_curve

    out = predict_curve(args.curve, model=args.model, column=args.column, split=args.split,
                        repr_lr=args.repr_lr)
    return _stamped(out, "curve")


def _add_toy_flags(p) -> None:
    from grokking_cli.effective import add_task, add_toy_training

    add_task(p)
    p.add_argument("--train-size", type=integer("--train-size", 1), default=None,
                   help="training samples, integer in [1, |D0| - 1] (random splits; required "
                        "unless --split)")
    p.add_argument("--split", metavar="FILE", default=None,
                   help="your training pairs instead of random splits: CSV 'a,b' per line "
                        "(optional header a,b) or JSON [[a, b], ...] / {\"train_pairs\": ...}")
    add_toy_training(p.add_argument_group("training and phases (defaults: the spec's toy "
                                          "model, Table 1)"), repr_lr_positive=True)
    g = p.add_argument_group("simulation")
    choice_flag(g, "--simulate", ("auto", "always", "never"), "auto",
                "auto: simulate only the seeds the theory does not decide")
    g.add_argument("--seeds", default="0-3", help="runs: count, range or list (default 0-3)")
    g.add_argument("--steps", type=integer("--steps", 1, 10 ** 7), default=10_000,
                   help="simulated steps per run, integer >= 1 (default 1e4; runs stop once "
                        "decided; fewer than --budget can leave a run censored)")
    add_progress_flags(p)
    g = p.add_argument_group("random-split statistics (as 'effective critical')")
    g.add_argument("--trials", type=integer("--trials", 1), default=1000,
                   help="Monte Carlo splits where enumeration is too large (default 1000)")
    g.add_argument("--seed", type=integer("--seed", 0), default=0,
                   help="Monte Carlo seed, integer >= 0 (default 0)")
    g.add_argument("--exact-limit", type=integer("--exact-limit", 1), default=20000,
                   help="enumerate all splits when there are at most this many (default 20000)")
    p.set_defaults(d_in=1)


def _add_kernel_flags(p) -> None:
    from grokking_cli.kernel import add_model_a, add_model_b

    choice_flag(p, "--model", ("cubic", "modular"), "cubic",
                "cubic = Model A, modular = Model B")
    p.add_argument("--sigma2", type=real("--sigma2", 0, lo_open=True), required=True,
                   help="noise level sigma2, > 0")
    add_model_a(p, shared=True)
    g = p.add_argument_group("Model B only")
    add_model_b(p, group=g, with_width=False)
    add_out_file(p)


def register(theories, parser_class) -> None:
    """Add ``grokking predict`` and its verbs."""
    from grokking_cli.ridge import add_parameters

    pred = theories.add_parser("predict", help="will it grok, and when? (one answer per theory)")
    verbs = pred.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)

    p = verbs.add_parser("ridge", help="ridge model: exact t1, t2, grokking time, Eq. (8)")
    add_parameters(p, "3")
    p.set_defaults(func=ridge)

    p = verbs.add_parser("toy", help="toy model: P(split forces the structure), n_h, phase")
    _add_toy_flags(p)
    p.set_defaults(func=toy)

    p = verbs.add_parser("kernel", help="adaptive kernel: feature learning or kernel regime")
    _add_kernel_flags(p)
    p.set_defaults(func=kernel)

    p = verbs.add_parser("curve", help="early learning curve: P(the run generalizes)")
    p.add_argument("curve", metavar="CURVE.csv",
                   help="CSV with columns step, train_loss (others ignored)")
    p.add_argument("--model", default="toy",
                   help="a shipped early-curve model name, an early-curve model FILE, or a "
                        "MODEL.json from 'grokking spectral calibrate' (default toy)")
    p.add_argument("--column", default="train_loss",
                   help="column to analyse (default train_loss)")
    p.add_argument("--split", metavar="FILE", default=None,
                   help="the run's training pairs (as predict toy --split), for a model that "
                        "uses the effective theory's verdict on them (toy_split)")
    p.add_argument("--repr-lr", type=real("--repr-lr", 0, lo_open=True), default=1e-3,
                   help="the run's embedding learning rate, for the split's n_h (default 1e-3)")
    add_out_file(p)
    p.set_defaults(func=curve)
