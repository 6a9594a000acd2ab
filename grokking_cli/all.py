"""``grokking all figures``: an alias of ``grokking reproduce`` (the README's main job)."""

from __future__ import annotations

from grokking_cli.reproduce import add_arguments


def register(theories, parser_class) -> None:
    every = theories.add_parser("all", help="every theory at once (alias: grokking reproduce)")
    verbs = every.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)
    p = verbs.add_parser("figures", help="alias of grokking reproduce",
                         description="Alias of grokking reproduce: every theory's figures and "
                                     "validations, summary.json, report.md, report.html.")
    add_arguments(p)
