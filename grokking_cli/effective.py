"""``grokking effective ...``: effective theory of representation learning (Liu et al. 2022)."""

from __future__ import annotations

from grokking_cli.common import (
    add_figures_verb,
    add_out_file,
    add_progress_flags,
    config_stamp,
    figures_output,
    integer,
    parse_seeds,
    real,
)

PAPER = "Liu et al. 2022, arXiv 2205.10343"


def effective_config(args, command: str, params: dict, extra: dict | None = None) -> dict:
    """The ``config`` of every effective-theory command."""
    from theory.effective import HESSIAN_NORMALISATIONS, RQI_CONVENTIONS

    definitions = {
        "forced": "nullity n0 of A(P0(D)) equals that of A(P0) (2 for addition): the "
                  "training set forces the linear representation",
        "lambda3": "third-smallest eigenvalue of the effective Hessian, "
                   + HESSIAN_NORMALISATIONS["z0"] + ", Z0 = d_in (p - 1)",
        "n_h": "1 / (lambda3 eta_repr) steps (null when lambda3 = 0)",
        "rqi": RQI_CONVENTIONS["code"],
        "parallelograms": "P0: unordered pairs of distinct samples (i<=j) with equal "
                          "labels (counts 3/13/70 for p = 4/6/10)"}
    return config_stamp(f"grokking effective {command}", "effective", PAPER, params,
                        definitions=definitions, **(extra or {}))


def task_of(args):
    from theory.effective import ArithmeticTask

    return ArithmeticTask(args.p, modular=args.modular)


def _check_critical_size(args, n_sizes: int) -> None:
    """Refuse before enumerating when the parallelogram sets would not fit in memory."""
    from theory._budget import check_allocation

    p = args.p
    n_samples = p * (p + 1) // 2
    n_par = p ** 3 / 4                       # |P0| grows like p^3/4 (70 at p = 10)
    per_size = args.trials * (n_samples + n_par + 8.0 * p * p)
    check_allocation(per_size, f"the training-set masks and parallelogram constraints of one "
                               f"size (--p {p}, --trials {args.trials})")
    if n_sizes * per_size > 1e13:
        raise ValueError(f"--p {p} with {n_sizes} training sizes x --trials {args.trials} "
                         f"needs about {n_sizes * per_size:.1e} operations (hours); give "
                         f"fewer --train-sizes or fewer --trials")


def critical(args) -> dict:
    """``effective critical``: P(random training set forces the structure) vs size."""
    from theory.effective import critical_curve

    sizes = None
    if args.train_sizes:
        parse = integer("--train-sizes", 1)
        sizes = [parse(v) for v in args.train_sizes.split(",") if v.strip()]
    n_samples = args.p * (args.p + 1) // 2
    _check_critical_size(args, len(sizes) if sizes else n_samples)
    curve = critical_curve(task_of(args), sizes, trials=args.trials, seed=args.seed,
                           exact_limit=args.exact_limit)
    out = curve.to_dict()
    out["config"] = effective_config(args, "critical", {
        "p": args.p, "modular": args.modular, "trials": args.trials, "seed": args.seed,
        "exact_limit": args.exact_limit, "train_sizes": sizes}, {
        "method": "exact enumeration where C(|D0|, size) <= exact_limit, else Monte Carlo "
                  "(stderr = binomial sqrt(q(1-q)/trials); 1/trials when q is 0 or 1)",
        "seed_streams": "SeedSequence(seed).spawn(|D0|+1)[size] draws the sets of each size"})
    return out


def analyze(args) -> dict:
    """``effective analyze``: what one training split predicts (n0, lambda3, acc_bar, ...)."""
    from theory.effective import analyze_split, random_split

    split = random_split(task_of(args), args.train_size, args.seed)
    a = analyze_split(split, eta=args.eta, normalisation=args.normalisation)
    out = a.to_dict()
    out["train_pairs"] = split.train_pairs
    out["config"] = effective_config(args, "analyze", {
        "p": args.p, "modular": args.modular, "train_size": args.train_size, "seed": args.seed,
        "eta": args.eta, "normalisation": args.normalisation}, {
        "seed_streams": "numpy default_rng(SeedSequence(seed)).choice(|D0|, train_size)"})
    return out


def check_train_budget(args, n_runs: int) -> None:
    """Refuse before training when ``n_runs`` toy runs would not fit in memory or take hours."""
    from theory._budget import check_allocation

    p = args.p
    n_samples = p * (p + 1) // 2
    w = args.width
    per_run = 4.0 * (6 * w * w + 4 * n_samples * w + args.steps // max(args.steps // 100, 1)
                     * (p * args.d_in + 8))
    check_allocation(n_runs * per_run, f"{n_runs} toy-model runs (--p {p}, --width {w})")
    work = n_runs * args.steps * (n_samples + 2 * args.train_size) * w * w * 2.0
    if work > 3.6e14:
        raise ValueError(f"{n_runs} runs x --steps {args.steps} at --width {w} need about "
                         f"{work:.1e} floating-point operations (hours); use fewer seeds or "
                         f"steps")


def train(args) -> dict:
    """``effective train``: the numpy toy model, all seeds in one batch, and their phases."""
    from theory.effective import PhaseDefinition, classify_phase
    from validation.effective import ToyConfig, make_batch, train_toy

    seeds = parse_seeds(args.seeds)
    n_samples = args.p * (args.p + 1) // 2
    if args.train_size > n_samples:
        raise ValueError(f"--train-size must be an integer in [1, {n_samples}] (= |D0| for "
                         f"--p {args.p}), got {args.train_size}")
    check_train_budget(args, len(seeds))
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
        censored = (not run["diverged"] and args.steps < args.budget
                    and (run["iter_train"] is None or run["iter_test"] is None))
        run.update(phase=None if censored else ph["phase"], lag=ph["lag"],
                   val_without_train=ph["val_without_train"], censored=censored,
                   phase_within_steps=ph["phase"])
        if censored:
            run["undecided"] = (f"a threshold was not reached within --steps {args.steps} < "
                                f"--budget {args.budget}: the phase may change with a longer "
                                f"run (phase_within_steps is the phase if training stopped here)")
        runs.append(run)
    params = {k: getattr(args, k) for k in
              ("p", "modular", "train_size", "steps", "repr_lr", "repr_wd", "decoder_lr",
               "decoder_wd", "loss", "dtype", "width", "d_in")}
    rate = res.timing["run_steps_per_s"]
    if args.progress:
        import sys

        print(f"effective train: {len(batch)} runs x {args.steps} steps, {rate:,.0f} "
              f"run-steps/s", file=sys.stderr)
    timing = {"throughput_run_steps_per_s": rate} if args.timing else {}
    return {"runs": runs, **timing,
            "config": effective_config(args, "train", params, {
                "seeds": seeds, "toy": cfg.to_dict(), "phases": phases.to_dict(),
                "censored": "true when steps < budget and a threshold was not reached: the "
                            "phase may change with a longer run, so phase is null",
                "seed_streams": "SeedSequence(seed).spawn(4) -> templates, split, embedding "
                                "init, decoder init"})}


def figures(args) -> dict:
    """``effective figures``: Figs. 3-5 and the validation report."""
    from validation.effective import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress)
    return figures_output(args, "effective", manifest)


def add_task(p) -> None:
    p.add_argument("--p", type=integer("--p", 2, 10 ** 6), default=10,
                   help="symbols 0..p-1, integer >= 2 (default 10)")
    p.add_argument("--modular", action="store_true", help="modular addition instead of addition")
    add_out_file(p)


def _unit(flag):
    return real(flag, 0, 1, lo_open=True)


def add_toy_training(p, repr_lr_positive: bool = False) -> None:
    """The toy model's training and phase flags (``effective train``, ``predict toy``).

    ``repr_lr_positive``: ``--repr-lr`` must be > 0 (``predict toy``: n_h = 1/(lambda3 eta)).
    """
    p.add_argument("--repr-lr", type=real("--repr-lr", 0, lo_open=repr_lr_positive),
                   default=1e-3, help=f"embedding Adam learning rate, "
                                      f"{'>' if repr_lr_positive else '>='} 0 (default 1e-3)")
    p.add_argument("--repr-wd", type=real("--repr-wd", 0), default=0.0,
                   help="embedding weight decay, >= 0 (default 0)")
    p.add_argument("--decoder-lr", type=real("--decoder-lr", 0), default=1e-4,
                   help="decoder AdamW learning rate, >= 0 (default 1e-4)")
    p.add_argument("--decoder-wd", type=real("--decoder-wd", 0), default=0.0,
                   help="decoder weight decay, >= 0 (default 0)")
    p.add_argument("--loss", choices=("mse", "ce"), default="mse",
                   help="mse to random templates (default) or cross-entropy")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="floating-point type of the simulation (default float32)")
    p.add_argument("--width", type=integer("--width", 1), default=200,
                   help="decoder width, integer >= 1 (default 200)")
    p.add_argument("--acc-threshold", type=_unit("--acc-threshold"), default=0.9,
                   help="accuracy threshold of iter_train/iter_test, in (0, 1] (default 0.9)")
    p.add_argument("--budget", type=integer("--budget", 1), default=100000,
                   help="phase budget in steps, integer >= 1 (default 1e5)")
    p.add_argument("--lag", type=integer("--lag", 0), default=1000,
                   help="comprehension lag in steps, integer >= 0 (default 1000)")


def register(theories, parser_class) -> None:
    """Add ``grokking effective`` and its verbs."""
    eff = theories.add_parser("effective", help="effective theory of representation learning "
                                                "(Liu et al. 2022)")
    verbs = eff.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)

    p = verbs.add_parser("critical", help="P(training set forces the structure) vs size")
    add_task(p)
    p.add_argument("--trials", type=integer("--trials", 1), default=1000,
                   help="Monte Carlo sets per size, integer >= 1 (default 1000)")
    p.add_argument("--seed", type=integer("--seed", 0), default=0,
                   help="Monte Carlo seed, integer >= 0 (default 0)")
    p.add_argument("--exact-limit", type=integer("--exact-limit", 1), default=20000,
                   help="enumerate all sets when there are at most this many (default 20000)")
    p.add_argument("--train-sizes", default=None,
                   help="comma-separated training-set sizes (default: every size 1..|D0|)")
    p.set_defaults(func=critical)

    p = verbs.add_parser("analyze", help="what one training split predicts (n0, lambda3, ...)")
    add_task(p)
    p.add_argument("--train-size", type=integer("--train-size", 1), default=45,
                   help="training samples, integer in [1, |D0|] (default 45)")
    p.add_argument("--seed", type=integer("--seed", 0), default=0,
                   help="split seed, integer >= 0 (default 0)")
    p.add_argument("--eta", type=real("--eta", 0, lo_open=True), default=1e-3,
                   help="representation learning rate for n_h, > 0 (default 1e-3)")
    p.add_argument("--normalisation", choices=("z0", "paper"), default="z0",
                   help="Hessian normalisation: z0 = 2 A^T A / Z0 (default), paper = also / "
                        "|P0(D)|")
    p.set_defaults(func=analyze)

    p = verbs.add_parser("train", help="train the numpy toy model (batched over seeds)")
    add_task(p)
    p.add_argument("--train-size", type=integer("--train-size", 1), default=45,
                   help="training samples, integer in [1, |D0|] (default 45)")
    p.add_argument("--seeds", default="0-7", help="count, range or list (default 0-7)")
    p.add_argument("--steps", type=integer("--steps", 1), default=10000,
                   help="full-batch updates, integer >= 1 (default 10000)")
    add_toy_training(p)
    p.add_argument("--d-in", type=integer("--d-in", 1), default=1,
                   help="embedding dimension, integer >= 1 (default 1)")
    p.add_argument("--rqi-threshold", type=_unit("--rqi-threshold"), default=0.95,
                   help="RQI threshold of iter_rqi, in (0, 1] (default 0.95)")
    p.add_argument("--timing", action="store_true",
                   help="add throughput_run_steps_per_s to the JSON (it varies from run to run, "
                        "so it is left out by default: the same seeds give identical JSON)")
    add_progress_flags(p)
    p.set_defaults(func=train)

    add_figures_verb(verbs, "reproduce Figs. 3-5 and the validation report", "about 20 s",
                     figures)
