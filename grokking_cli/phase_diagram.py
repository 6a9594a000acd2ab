"""``grokking phase-diagram toy|ridge|kernel`` and ``grokking boundary ridge``.

Phase diagrams are figure jobs (``--out DIR``: PNG, PDF, JSON sidecar, and the
resumable chunk store ``DIR/<figure name>_store``; rerunning the same command
resumes an interrupted sweep).  ``--scheduler ADDRESS`` runs the grid on an existing
Dask cluster (optional extra ``[distributed]``).
"""

from __future__ import annotations

import os

from grokking_cli.common import (
    UsageError,
    add_out_file,
    add_progress_flags,
    choice_flag,
    config_stamp,
    integer,
    parse_seeds,
)

PAPERS = {"toy": "Liu et al. 2022, arXiv 2205.10343",
          "ridge": "Xu, Vardi, Safran 2026, arXiv 2601.19791",
          "kernel": "Rubin, Seroussi, Ringel 2023, arXiv 2310.03789"}
_THEORY = {"toy": "effective", "ridge": "ridge", "kernel": "adaptive_kernel"}


def _run_options(args, name: str) -> dict:
    return {"store": os.path.join(args.out_dir, f"{name}_store"), "scheduler": args.scheduler,
            "max_workers": args.workers, "progress": args.progress}


def _finish(args, kind: str, result: dict, files: list, parameters: dict) -> dict:
    inner = result.pop("config")
    result["files"] = files
    result["config"] = config_stamp(f"grokking phase-diagram {kind}", _THEORY[kind],
                                    PAPERS[kind], parameters, sweep=inner)
    return result


def toy(args) -> dict:
    """``phase-diagram toy``: train and classify a toy-model grid (Fig. 6)."""
    from validation.effective.phase_diagram import save_toy_phase_figure, toy_phase_diagram

    given = [f for f, v in (("--x", args.x), ("--y", args.y), ("--steps", args.steps),
                            ("--seeds", args.seeds)) if v is not None]
    if args.quick and given:
        raise UsageError(f"grokking phase-diagram toy: --quick sets the grid, budget and seed; "
                         f"drop {', '.join(given)}")
    seeds = parse_seeds(args.seeds) if args.seeds is not None else [0]
    steps = 100_000 if args.steps is None else args.steps
    result = toy_phase_diagram(args.x or "decoder-lr", args.y or "decoder-wd", steps=steps,
                               seeds=seeds, loss=args.loss, quick=args.quick,
                               chunk_size=args.chunk_size,
                               **_run_options(args, "toy_phase_diagram"))
    files = save_toy_phase_figure(result, args.out_dir)
    return _finish(args, "toy", result, files, {
        "x": args.x, "y": args.y, "steps": result["config"]["steps"],
        "seeds": result["config"]["seeds"], "loss": args.loss, "quick": args.quick,
        "scheduler": args.scheduler, "out": args.out_dir, "chunk_size": args.chunk_size})


def ridge(args) -> dict:
    """``phase-diagram ridge``: exact grokking time with the Eq. (8) region and lam*."""
    from validation.ridge.phase_diagram import ridge_phase_diagram, save_ridge_phase_figure

    seeds = parse_seeds(args.seeds) if args.seeds is not None else [0]
    name = "ridge_phase_{}_{}".format(*(a.partition("=")[0].strip() for a in (args.x, args.y)))
    result = ridge_phase_diagram(args.x, args.y, seeds=seeds, **_run_options(args, name))
    files = save_ridge_phase_figure(result, args.out_dir, name)
    return _finish(args, "ridge", result, files, {"x": args.x, "y": args.y, "seeds": seeds,
                                                  "scheduler": args.scheduler,
                                                  "out": args.out_dir})


def kernel(args) -> dict:
    """``phase-diagram kernel``: Model A phases over sigma2 x n, critical line, spinodal."""
    from validation.adaptive_kernel.phase_diagram import (
        kernel_phase_diagram,
        save_kernel_phase_figure,
    )

    result = kernel_phase_diagram(args.x, args.y, **_run_options(args, "kernel_phase_diagram"))
    files = save_kernel_phase_figure(result, args.out_dir)
    return _finish(args, "kernel", result, files, {"x": args.x, "y": args.y,
                                                   "scheduler": args.scheduler,
                                                   "out": args.out_dir})


def boundary(args) -> dict:
    """``boundary ridge``: the symbolic Eq. (8) boundary solved for lam, nu2 or n."""
    from theory.ridge.boundary import boundary_report

    out = boundary_report(args.solve_for, latex=args.latex)
    inner = out.pop("config")
    out["config"] = config_stamp("grokking boundary ridge", "ridge", PAPERS["ridge"],
                                 {"solve_for": args.solve_for, "latex": args.latex},
                                 symbols=inner["symbols"], equation=inner["equation"])
    return out


def _common(p, name: str) -> None:
    p.add_argument("--out", dest="out_dir", metavar="DIR", required=True,
                   help="output directory (created if missing): the figure (PNG, PDF), its "
                        f"JSON sidecar and the resumable chunk store DIR/{name}_store "
                        "(rerun the same command to resume)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="address of a running Dask scheduler (tcp://host:8786); needs "
                        "pip install 'grokking-theory[distributed]' (default: local processes)")
    p.add_argument("--workers", type=integer("--workers", 1), default=None,
                   help="local worker processes, integer >= 1 (default: one per core; 1 runs "
                        "in the calling process)")
    add_progress_flags(p)
    p.set_defaults(out=None)


def _xy(p, x, y) -> None:
    """``--x`` and ``--y`` with their defaults: each a ``(default, help)`` pair."""
    for flag, (default, text) in (("--x", x), ("--y", y)):
        p.add_argument(flag, metavar="AXIS", default=default, help=f"{text} (default {default})")


def register(theories, parser_class) -> None:
    """Add ``grokking phase-diagram`` and ``grokking boundary``."""
    pd = theories.add_parser("phase-diagram", help="phase diagrams over hyperparameters "
                                                   "(toy model, ridge, adaptive kernel)")
    verbs = pd.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)

    axis_help = ("NAME (the paper's range), NAME=START:STOP:NUM[:log] or NAME=v1,v2,...; NAME "
                 "one of decoder-lr, decoder-wd, repr-lr, repr-wd, train-size")
    p = verbs.add_parser("toy", help="toy-model phases (Liu et al. 2022, Fig. 6)")
    p.add_argument("--x", metavar="AXIS", default=None,
                   help=f"x axis: {axis_help} (default decoder-lr)")
    p.add_argument("--y", metavar="AXIS", default=None,
                   help="y axis, as --x (default decoder-wd)")
    p.add_argument("--steps", type=integer("--steps", 1), default=None,
                   help="budget in steps, integer >= 1 (default 1e5, Table 1)")
    p.add_argument("--seeds", default=None,
                   help="seeds: a count (3), a range (0-7) or a list (1,4,9) (default 1)")
    choice_flag(p, "--loss", ("mse", "ce"), "mse", "loss")
    p.add_argument("--quick", action="store_true",
                   help="5 x 5 decoder-lr x decoder-wd grid at 1.2e4 steps, one seed (a few "
                        "minutes on two cores; all four phases)")
    p.add_argument("--chunk-size", type=integer("--chunk-size", 1), default=4,
                   help="runs per stored chunk, integer >= 1 (default 4)")
    _common(p, "toy_phase_diagram")
    p.set_defaults(func=toy)

    p = verbs.add_parser("ridge", help="ridge: exact grokking time, Eq. (8) region, lam*")
    _xy(p, ("lam", "x axis: lam, nu2, n, m or eta, as NAME, NAME=START:STOP:NUM[:log] or "
                   "NAME=v1,..."), ("nu2", "y axis, as --x"))
    p.add_argument("--seeds", default=None, help="problem seeds (default 1)")
    _common(p, "ridge_phase_X_Y")
    p.set_defaults(func=ridge)

    p = verbs.add_parser("kernel", help="adaptive kernel, Model A: sigma2 x n phases")
    _xy(p, ("sigma2", "noise axis: sigma2 (0.02..0.5, 17 log steps) or "
                      "sigma2=START:STOP:NUM[:log]"),
        ("n", "sample-size axis: n (300..12000) or n=START:STOP:NUM[:log]"))
    _common(p, "kernel_phase_diagram")
    p.set_defaults(func=kernel)

    b = theories.add_parser("boundary", help="symbolic boundaries of the theories")
    bverbs = b.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)
    p = bverbs.add_parser("ridge", help="where Eq. (8) stops certifying grokking")
    choice_flag(p, "--solve-for", ("lam", "nu2", "n"), "lam", "parameter to solve for")
    p.add_argument("--latex", action="store_true", help="include the LaTeX form")
    add_out_file(p)
    p.set_defaults(func=boundary)
