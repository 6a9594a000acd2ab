"""The ``grokking`` command line: an application layer over :mod:`theory` and :mod:`validation`.

``grokking <theory> <verb> [flags]``.  Every command prints one JSON document on
stdout (snake_case keys) and, for result verbs, writes it to ``--out FILE``;
figure jobs take ``--out DIR``.  Every document carries a ``config`` with all
parameters, seeds, definitions and the package version.  User errors print one
line on stderr naming the flag and its valid range and exit non-zero (2 for a
bad command line, 1 for values the computation rejects), never a traceback.

One module per theory (:mod:`grokking_cli.ridge`, ``effective``, ``spectral``,
``kernel``) plus :mod:`grokking_cli.common` (parser, typed flags, seeds,
atomic output, summaries), :mod:`grokking_cli.reproduce` (the main job) and
:mod:`grokking_cli.all` (its alias ``grokking all figures``).  Heavy
modules are imported inside the command functions so that ``grokking
--version`` stays fast.
"""

from __future__ import annotations

import sys
import warnings

from grokking_cli.common import (
    EXIT_INVALID,
    EXIT_USAGE,
    Parser,
    UsageError,
    emit,
    real,
    resolve_progress,
)
from theory._version import __version__

__all__ = ["build_parser", "main"]

_MODULES = ("ridge", "effective", "spectral", "kernel", "predict", "phase_diagram",
            "reproduce", "all")


def build_parser() -> Parser:
    """The full ``grokking`` parser (every theory's verbs)."""
    import importlib

    parser = Parser(prog="grokking", description="Predict whether and when a model groks.",
                    epilog="--max-memory GB (anywhere on the line, or GROKKING_MAX_MEMORY_GB) "
                           "caps the memory a command may plan to use (default: half of the "
                           "machine's RAM).")
    parser.add_argument("--version", action="version", version=f"grokking-theory {__version__}")
    theories = parser.add_subparsers(dest="theory", metavar="THEORY", parser_class=Parser)
    for name in _MODULES:
        importlib.import_module(f"grokking_cli.{name}").register(theories, Parser)
    return parser


#: The type of the global ``--max-memory GB`` flag (its range is introspectable).
_MAX_MEMORY = real("--max-memory", 0, lo_open=True)


def _pop_max_memory(argv: list[str]) -> tuple[list[str], float | None]:
    """Take ``--max-memory GB`` (or ``--max-memory=GB``) from anywhere in ``argv``."""
    parse = _MAX_MEMORY
    rest, value = [], None
    it = iter(range(len(argv)))
    for i in it:
        arg = argv[i]
        if arg == "--max-memory":
            if i + 1 >= len(argv):
                raise UsageError("grokking: --max-memory needs a number of GB > 0")
            value = parse(argv[i + 1])
            next(it, None)
        elif arg.startswith("--max-memory="):
            value = parse(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    return rest, value


def _with_warnings(result, caught) -> None:
    """Put the warnings a command raised into its JSON (``warnings``), never on stderr."""
    messages = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in messages:
            messages.append(text)
    if not messages or not isinstance(result, dict):
        return
    existing = result.get("warnings")
    if isinstance(existing, list):
        known = set(map(str, existing))
        result["warnings"] = existing + [m for m in messages
                                         if m.split(": ", 1)[-1] not in known and m not in known]
    elif existing is None:
        result["warnings"] = messages


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``grokking`` console script."""
    import contextlib

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        argv, max_memory = _pop_max_memory(argv)
        args = build_parser().parse_args(argv)
        if getattr(args, "func", None) is None:
            if args.theory is None:
                raise UsageError("grokking: choose a command (ridge, effective, spectral, "
                                 "kernel, predict, phase-diagram, boundary, reproduce, "
                                 "all); see grokking --help")
            raise UsageError(f"grokking {args.theory}: choose a verb; "
                             f"see grokking {args.theory} --help")
        resolve_progress(args)
        limit = contextlib.nullcontext()
        if max_memory is not None:
            from theory._budget import memory_limit

            limit = memory_limit(max_memory)
        with limit, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = args.func(args)
        _with_warnings(result, caught)
        emit(result, getattr(args, "out", None))
    except UsageError as exc:
        text = str(exc)
        sys.stderr.write(f"{text if text.startswith('grokking') else 'grokking: error: ' + text}\n")
        return EXIT_USAGE
    except ValueError as exc:
        sys.stderr.write(f"grokking: error: {exc}\n")
        return EXIT_INVALID
    except MemoryError:
        sys.stderr.write("grokking: error: out of memory; reduce the sizes (see --help) or "
                         "lower --max-memory so that the size check refuses earlier\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        sys.stderr.write("grokking: interrupted\n")
        return 130
    return 0
