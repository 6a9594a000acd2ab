"""What every ``grokking`` command shares: the parser, typed flags, seeds, output, errors.

Heavy modules (numpy, scipy, matplotlib, sympy) are imported inside the
command functions, never here, so that ``grokking --version`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys

from theory._version import __version__

__all__ = ["EXIT_INVALID", "EXIT_USAGE", "UsageError", "Parser", "add_figures_verb",
           "add_out_file", "atomic_write_text", "choice_flag", "config_stamp", "emit",
           "figures_output", "integer", "parse_seeds", "real", "resolve_progress", "summarize",
           "add_progress_flags"]

EXIT_USAGE = 2
EXIT_INVALID = 1

# argparse reads "-1e-3" or "-inf" as an option (its negative-number pattern has no
# exponent), so a negative value in scientific notation gave "expected one argument"
# instead of a message about the value.  Every parser here knows the full float syntax.
_NEGATIVE_NUMBER = re.compile(   # (float() also accepts trailing whitespace)
    r"^-(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf(inity)?|nan)\s*$", re.IGNORECASE)


class UsageError(Exception):
    """A bad command line: printed as one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and which reads ``-1e-3`` as a value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


# ---------------------------------------------------------------------------- typed flags
def _range_text(lo, hi, lo_open, hi_open) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi:g}")
    return " and ".join(parts)


def real(flag: str, lo: float | None = None, hi: float | None = None, *,
         lo_open: bool = False, hi_open: bool = False, finite: bool = True):
    """An argparse ``type`` for a float flag with a valid range.

    A bad value raises :class:`UsageError` naming the flag and its range,
    e.g. ``--lam must be a number >= 0, got -0.001``.
    """
    rng = _range_text(lo, hi, lo_open, hi_open)
    want = f"a {'finite ' if finite else ''}number" + (f" {rng}" if rng else "")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise UsageError(f"{flag} must be {want}, got {text!r}") from None
        bad = (finite and not math.isfinite(value)) or math.isnan(value)
        if lo is not None:
            bad |= value <= lo if lo_open else value < lo
        if hi is not None:
            bad |= value >= hi if hi_open else value > hi
        if bad:     # (text parsed as a number: only surrounding whitespace to drop)
            raise UsageError(f"{flag} must be {want}, got {text.strip()}")
        return value

    parse.__name__ = "number"
    # the range, for introspection (help text, property tests that walk the parser)
    vars(parse).update(flag=flag, kind="real", lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open,
                       finite=finite)
    return parse


def integer(flag: str, lo: int | None = None, hi: int | None = None):
    """An argparse ``type`` for an integer flag; accepts ``1e4`` and ``10000.0``."""
    rng = _range_text(lo, hi, False, False)
    want = "an integer" + (f" {rng}" if rng else "")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise UsageError(f"{flag} must be {want}, got {text!r}") from None
            if not (math.isfinite(as_float) and as_float.is_integer()):
                raise UsageError(f"{flag} must be {want}, got {text.strip()}") from None
            value = int(as_float)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise UsageError(f"{flag} must be {want}, got {text.strip()}")
        return value

    parse.__name__ = "integer"
    vars(parse).update(flag=flag, kind="integer", lo=lo, hi=hi, lo_open=False, hi_open=False,
                       finite=True)
    return parse


def choice_flag(p, flag: str, choices, default, help_text: str):
    """A flag with a fixed set of values; its help lists them and the default."""
    return p.add_argument(flag, choices=choices, default=default,
                          help=f"{help_text} ({', '.join(choices)}; default {default})")


# ---------------------------------------------------------------------------- seeds
def parse_seeds(text: str, flag: str = "--seeds") -> list[int]:
    """``"3"`` -> [0, 1, 2]; ``"0-7"`` -> 0..7 inclusive; ``"1,4,9"`` -> that list.

    A single seed ``s`` is written ``"s-s"`` or ``"s,"``.  Seeds are below ``2**63``
    (sweeps and toy-model batches store them as int64), and a count or range is checked
    against the memory limit before its list is built.

    Examples
    --------
    >>> from grokking_cli.common import parse_seeds
    >>> parse_seeds("3"), parse_seeds("2-4"), parse_seeds("7,")
    ([0, 1, 2], [2, 3, 4], [7])
    """
    text = str(text).strip()
    try:
        if "," in text:
            seeds = [int(s) for s in text.split(",") if s.strip()]
        elif "-" in text[1:]:
            lo, hi = (int(s) for s in text.split("-", 1))
            if hi < lo:
                raise ValueError
            seeds = range(lo, hi + 1)
        else:
            count = int(text)
            if count < 1:
                raise ValueError
            seeds = range(count)
    except ValueError:
        raise UsageError(f"{flag} must be a count (3), an inclusive range (0-7) or a list "
                         f"(1,4,9) of non-negative integers, got {text!r}") from None
    low, high = (seeds[0], seeds[-1]) if isinstance(seeds, range) and seeds else \
        (min(seeds, default=-1), max(seeds, default=-1))      # (a range's ends: O(1))
    if not seeds or low < 0:
        raise UsageError(f"{flag} must name at least one non-negative seed, got {text!r}")
    if high >= 2 ** 63:
        raise UsageError(f"{flag}: seeds must be below 2**63 (stored as int64), got {text!r}")
    if isinstance(seeds, range):        # "10**12" seeds: refused before the list is built
        from theory._budget import check_allocation

        check_allocation(36.0 * len(seeds), f"{flag} {text} ({len(seeds)} seeds)")
        seeds = list(seeds)
    if len(set(seeds)) != len(seeds):
        raise UsageError(f"{flag} has duplicates: {text!r}")
    return seeds


# ---------------------------------------------------------------------------- output
def atomic_write_text(path, text: str, flag: str = "--out") -> None:
    """Write ``text`` to ``path`` atomically (:func:`validation._io.atomic_path`).

    An interrupted write leaves either the old file or none, never a partial one.
    """
    from validation._io import atomic_path

    path = os.fspath(path)
    try:
        with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise ValueError(f"{flag}: cannot write {path!r}: {exc.strerror}") from None


def emit(result: dict, out: str | None) -> None:
    """Print ``result`` as strict JSON on stdout and, with ``--out FILE``, write it there."""
    from theory._json import jsonable

    text = json.dumps(jsonable(result), indent=2, allow_nan=False) + "\n"
    if out:
        atomic_write_text(out, text)
    sys.stdout.write(text)


def add_out_file(p) -> None:
    """``--out FILE``: result verbs write their JSON document there (as well as to stdout)."""
    p.add_argument("--out", metavar="FILE",
                   help="also write the JSON document to FILE (written atomically)")


def config_stamp(command: str, theory: str, paper: str, parameters: dict, **extra) -> dict:
    """The ``config`` every result carries: command, theory, paper, parameters, ..., version."""
    return {"command": command, "theory": theory, "paper": paper, "parameters": parameters,
            **extra, "version": __version__}


def summarize(values, flag_undefined=None) -> dict:
    """Mean, sample std and count over the entries that are defined.

    ``values`` holds one entry per run; ``None`` (and whatever ``flag_undefined``
    returns True for, e.g. the ``-1`` marker of t1) is left out.  The result says
    how many runs the mean is over, so a mean is never silently taken over a
    different set of runs than the reader assumes.

    Examples
    --------
    >>> from grokking_cli.common import summarize
    >>> summarize([-1, 2, 0, 1], flag_undefined=lambda v: v < 0)
    {'mean': 1.0, 'std': 1.0, 'n': 3, 'index': [1, 2, 3]}
    """
    index = [i for i, v in enumerate(values)
             if v is not None and not (flag_undefined is not None and flag_undefined(v))]
    vals = [float(values[i]) for i in index]
    if not vals:
        return {"mean": None, "std": None, "n": 0, "index": []}
    mean = math.fsum(vals) / len(vals)
    std = (math.sqrt(math.fsum((v - mean) ** 2 for v in vals) / (len(vals) - 1))
           if len(vals) > 1 else 0.0)
    return {"mean": mean, "std": std, "n": len(vals), "index": index}


# ---------------------------------------------------------------------------- figure jobs
def figures_output(args, theory: str, manifest: dict, **extra) -> dict:
    """The ``figures`` verbs' JSON: the manifest plus its config, stamped with the command.

    Wall times leave the JSON (the same seeds give the same bytes); with
    progress on they are printed on stderr, and the job's files keep them in
    ``<report>.times`` beside the report.
    """
    from validation._io import split_timings

    config = manifest.pop("config")
    config.update(command=f"grokking {theory} figures",
                  parameters={"out": args.out_dir, "quick": args.quick}, **extra)
    manifest, timings = split_timings(manifest)
    config, config_timings = split_timings(config)
    timings.update({f"config.{k}": v for k, v in config_timings.items()})
    if getattr(args, "progress", False) and timings:
        shown = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()
                          if isinstance(v, (int, float)) and k.endswith("seconds"))
        if shown:
            print(f"grokking {theory} figures: {shown}", file=sys.stderr)
    return {"figures": manifest, "config": config}


def add_figures_verb(verbs, help_text: str, quick_time: str, func):
    """The ``figures`` verb shared by every theory: ``--out DIR``, ``--quick``, ``--progress``."""
    p = verbs.add_parser("figures", help=help_text, description=help_text)
    p.add_argument("--out", dest="out_dir", metavar="DIR", required=True,
                   help="output directory (created if missing): figures (PNG, PDF, JSON "
                        "sidecars) and the validation report")
    p.add_argument("--quick", action="store_true", help=f"small, fast version ({quick_time})")
    add_progress_flags(p)
    p.set_defaults(func=func, out=None)
    return p


def add_progress_flags(p) -> None:
    """``--progress`` / ``--quiet`` (alias ``--no-progress``): progress on stderr.

    The default (neither flag) shows progress when stderr is a terminal; the
    parser leaves ``progress`` as None and :func:`resolve_progress` decides.
    """
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show progress on stderr (default: only when stderr is a terminal)")
    g.add_argument("--quiet", "--no-progress", dest="progress", action="store_false",
                   help="no progress output on stderr")


def resolve_progress(args) -> None:
    """Replace an unset ``args.progress`` by whether stderr is a terminal."""
    if getattr(args, "progress", False) is None:
        args.progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
