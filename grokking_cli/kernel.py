"""``grokking kernel ...``: adaptive-kernel phase transition (Rubin, Seroussi, Ringel 2023)."""

from __future__ import annotations

import warnings

from grokking_cli.common import (
    add_figures_verb,
    add_out_file,
    config_stamp,
    figures_output,
    integer,
    real,
)

PAPER = "Rubin, Seroussi, Ringel 2023, arXiv 2310.03789"
ERRATA = ("Q11 carries 4/pi (not 2/pi); the GPR formula for (b, c) has the factor "
          "sigma2/n; the action has d |w|^2/(2 sigma_w2); the posterior is sampled, not "
          "the paper's Langevin temperature; "
          "Model B: 2g = 4 sigma_a2 a^2 P^2/(N sigma2^2); only a^2 enters (|a| reported)")
_MODEL_B_WIDTH = 1000.0


def kernel_config(command: str, params: dict) -> dict:
    """The ``config`` of every kernel command."""
    return config_stamp(f"grokking kernel {command}", "adaptive_kernel", PAPER, params,
                        errata_applied=ERRATA)


def model_a_config(args):
    from theory.adaptive_kernel import ModelAConfig

    return ModelAConfig(n=args.n, d=args.d, N=args.N, sigma_w2=args.sigma_w2,
                        sigma_a2=args.sigma_a2, eps=args.eps)


def model_b_config(args):
    """Model B configuration and the warnings its construction raised (non-prime P, ...)."""
    from theory.adaptive_kernel import ModelBConfig

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = ModelBConfig(P=args.P, N=args.N, sigma_a2=args.sigma_a2, gamma=args.gamma)
    return cfg, [str(w.message) for w in caught]


def critical(args) -> dict:
    """``kernel critical``: the first-order critical point of Model A."""
    from theory.adaptive_kernel import critical_point

    out = critical_point(model_a_config(args), method=args.method).to_dict()
    out["config"] = kernel_config("critical", {**out.pop("config", {}), "method": args.method})
    return out


def curve(args) -> dict:
    """``kernel curve``: order parameters vs sigma2 (Model A or B)."""
    import numpy as np

    from theory.adaptive_kernel import phase_diagram, self_consistent_curve

    lo, hi = args.sigma2_min, args.sigma2_max
    if not lo < hi:
        raise ValueError(f"--sigma2-min must be < --sigma2-max, got {lo:g} and {hi:g}")
    grid = np.linspace(lo, hi, args.points)
    if args.N is None:
        args.N = 700.0 if args.model == "cubic" else _MODEL_B_WIDTH
    if args.sigma_a2 is None:
        args.sigma_a2 = 8 / 700 if args.model == "cubic" else 0.002 / args.N
        if args.sigma_a2 == float("inf"):
            raise ValueError(f"--width {args.N:g}: the default --sigma-a2 = 0.002/N overflows; "
                             f"give --sigma-a2")
    warnings_ = []
    if args.model == "cubic":
        cfg = model_a_config(args)
        out = phase_diagram(cfg, grid).to_dict()
        params = {"n": cfg.n, "d": cfg.d, "N": cfg.N, "sigma_w2": cfg.sigma_w2,
                  "sigma_a2": cfg.sigma_a2, "eps": cfg.eps}
    else:
        cfg, warnings_ = model_b_config(args)
        out = self_consistent_curve(cfg, grid, normalisation=args.normalisation).to_dict()
        params = {"P": cfg.P, "N": cfg.N, "sigma_a2": cfg.sigma_a2, "gamma": cfg.gamma,
                  "normalisation": args.normalisation}
    out["warnings"] = warnings_
    out["config"] = kernel_config("curve", {"model": args.model, **params, "sigma2_min": lo,
                                            "sigma2_max": hi, "points": args.points})
    return out


def modular(args) -> dict:
    """``kernel modular``: Model B thresholds sigma2_I, sigma2_II and the spinodal."""
    from theory.adaptive_kernel import thresholds

    cfg, warnings_ = model_b_config(args)
    out = thresholds(cfg, normalisation=args.normalisation).to_dict()
    out["warnings"] = warnings_
    out["config"] = kernel_config("modular", {
        "P": cfg.P, "N": cfg.N, "sigma_a2": cfg.sigma_a2, "gamma": cfg.gamma,
        "normalisation": args.normalisation})
    return out


def figures(args) -> dict:
    """``kernel figures``: Langevin validation, Figs. 2-3 and the report."""
    from validation.adaptive_kernel import make_figures

    manifest = make_figures(args.out_dir, quick=args.quick, progress=args.progress)
    return figures_output(args, "kernel", manifest, errata_applied=ERRATA)


def _positive(flag):
    return real(flag, 0, lo_open=True)


def add_model_a(p, shared: bool = False) -> None:
    """Model A flags; ``--samples``/``--width`` are the names, ``--n``/``--N`` their aliases."""
    g = p.add_argument_group("Model A (defaults: the paper's base configuration)")
    g.add_argument("--samples", "--n", dest="n", type=_positive("--samples"), default=3000,
                   help="training samples n, > 0 (default 3000)")
    g.add_argument("--d", type=_positive("--d"), default=150,
                   help="input dimension, > 0 (default 150)")
    g.add_argument("--width", "--N", dest="N", type=_positive("--width"),
                   default=None if shared else 700,
                   help="hidden width N, > 0 (default 700; Model B: 1000)")
    g.add_argument("--sigma-w2", type=_positive("--sigma-w2"), default=0.5,
                   help="first-layer prior variance, > 0 (default 0.5)")
    g.add_argument("--sigma-a2", type=_positive("--sigma-a2"),
                   default=None if shared else 8 / 700,
                   help="readout prior variance, > 0 (default 8/700; Model B: 0.002/N)")
    g.add_argument("--eps", type=real("--eps"), default=-0.3,
                   help="cubic teacher weight (default -0.3)")


def add_model_b(p, group=None, with_width: bool = True) -> None:
    """Model B flags (defaults: the paper's Fig. 3)."""
    g = group or p.add_argument_group("Model B (defaults: the paper's Fig. 3)")
    g.add_argument("--modulus", "--P", dest="P", type=integer("--modulus", 2), default=401,
                   help="modulus P, an integer >= 2, prime for the theory (default 401)")
    if with_width:
        g.add_argument("--width", "--N", dest="N", type=_positive("--width"),
                       default=_MODEL_B_WIDTH, help="hidden width N, > 0 (default 1000)")
        g.add_argument("--sigma-a2", type=_positive("--sigma-a2"), default=0.002 / 1000,
                       help="readout prior variance, > 0 (default 0.002/N = 2e-6)")
    g.add_argument("--gamma", type=_positive("--gamma"), default=1e-4,
                   help="sextic regulariser, > 0 (default 1e-4)")
    g.add_argument("--normalisation", choices=("paper", "matrix"), default="paper",
                   help="Model B normalisation: paper (default) or the literal matrix one "
                        "(4 P^2 larger)")


def register(theories, parser_class) -> None:
    """Add ``grokking kernel`` and its verbs."""
    ker = theories.add_parser("kernel", help="adaptive-kernel phase transition "
                                             "(Rubin, Seroussi, Ringel 2023)")
    verbs = ker.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)

    p = verbs.add_parser("critical", help="first-order critical point of Model A")
    p.add_argument("--model", choices=("cubic",), default="cubic",
                   help="teacher (cubic = Model A; Model B: 'grokking kernel modular')")
    add_model_a(p)
    p.add_argument("--method", choices=("closed_form", "root"), default="closed_form",
                   help="closed form (default) or a numeric root of the critical condition")
    add_out_file(p)
    p.set_defaults(func=critical)

    p = verbs.add_parser("curve", help="order parameters vs sigma2 (cubic or modular)")
    p.add_argument("--model", choices=("cubic", "modular"), default="cubic",
                   help="cubic = Model A (default), modular = Model B")
    add_model_a(p, shared=True)
    g = p.add_argument_group("Model B only")
    add_model_b(p, group=g, with_width=False)
    p.add_argument("--sigma2-min", type=_positive("--sigma2-min"), default=0.1,
                   help="smallest noise level, > 0 (default 0.1)")
    p.add_argument("--sigma2-max", type=_positive("--sigma2-max"), default=0.3,
                   help="largest noise level, > --sigma2-min (default 0.3)")
    p.add_argument("--points", type=integer("--points", 2, 100_000), default=41,
                   help="grid points, integer in [2, 1e5] (default 41)")
    add_out_file(p)
    p.set_defaults(func=curve)

    p = verbs.add_parser("modular", help="Model B thresholds sigma2_I, sigma2_II, spinodal")
    add_model_b(p)
    add_out_file(p)
    p.set_defaults(func=modular)

    add_figures_verb(verbs, "Langevin validation of Models A and B, Figs. 2-3 and the report",
                     "about 20 s", figures)
