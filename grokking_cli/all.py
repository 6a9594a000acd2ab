"""``grokking all figures``: every theory's figures and reports (the README's main job)."""

from __future__ import annotations

import os

from grokking_cli.common import add_figures_verb
from theory._version import __version__

THEORIES = ("ridge", "effective", "spectral", "kernel")


def _makers():
    from validation.adaptive_kernel import make_figures as kernel_figures
    from validation.effective import make_figures as effective_figures
    from validation.ridge import make_figures as ridge_figures
    from validation.spectral import make_figures as spectral_figures

    return {"ridge": ridge_figures, "effective": effective_figures,
            "spectral": spectral_figures, "kernel": kernel_figures}


def all_figures(args) -> dict:
    """Run every theory's figure job into ``OUT/<theory>/``."""
    makers = _makers()
    out = {name: makers[name](os.path.join(args.out_dir, name), quick=args.quick,
                              progress=args.progress)
           for name in THEORIES}
    return {"theories": out,
            "config": {"command": "grokking all figures",
                       "parameters": {"out": args.out_dir, "quick": args.quick},
                       "note": "each theory's manifest carries its own full config",
                       "version": __version__}}


def register(theories, parser_class) -> None:
    every = theories.add_parser("all", help="every theory at once")
    verbs = every.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)
    add_figures_verb(verbs, "the main job: every theory's figures and reports",
                     "about a minute", all_figures)
