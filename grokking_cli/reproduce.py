"""``grokking reproduce``: the README's main job (every theory, one report of computed verdicts).

Writes ``OUT/<job>/`` (figures as PNG + PDF with JSON sidecars, each job's
validation report), ``OUT/summary.json``, ``OUT/report.md`` and
``OUT/report.html``, and keeps a cache in ``OUT/.cache/`` so a rerun
recomputes only the jobs whose configuration, version or sources changed.
Progress: one line per job on stderr (with the time estimate at the start),
progress bars inside the jobs when stderr is a terminal; ``--quiet``
silences both.  stdout gets a short JSON document (paths, statuses, verdict
counts); the full summary is ``summary.json``.
"""

from __future__ import annotations

import sys

from grokking_cli.common import UsageError
from theory._version import __version__

_PROFILE_HELP = {"quick": "about 2 minutes on 2 idle cores (CI; many verdicts undecided)",
                 "default": "about 13 minutes on 2 idle cores",
                 "full": "the papers' budgets, about 24 minutes on 2 idle cores"}


def _only(text: str | None):
    from validation.reproduce import job_names

    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    valid = job_names()
    bad = [n for n in names if n not in valid]
    if not names or bad:
        raise UsageError(f"--only must be a comma-separated list of {', '.join(valid)}, "
                         f"got {text!r}")
    return names


def run(args) -> dict:
    """Run the reproduction; stdout gets paths, statuses and verdict counts."""
    from validation.reproduce import reproduce

    profile = "quick" if args.quick else "full" if args.full else "default"
    only = _only(args.only)
    quiet = bool(getattr(args, "quiet", False))
    bars = not quiet and (bool(args.progress) or sys.stderr.isatty())

    def log(line: str) -> None:
        if not quiet:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    res = reproduce(args.out_dir, profile=profile, only=only, use_cache=not args.no_cache,
                    log=log, bars=bars)
    summary = res["summary"]
    doc = {"paths": res["paths"],
           "jobs": {k: v["status"] for k, v in summary["theories"].items()},
           "verdicts": res["counts"],
           "config": {"command": "grokking reproduce",
                      "parameters": {"out": args.out_dir, "profile": profile, "only": only,
                                     "no_cache": args.no_cache},
                      "note": "summary.json holds every job's summary, files and config",
                      "version": __version__}}
    if res["failed"]:
        raise ValueError("job(s) failed: " + "; ".join(f"{k}: {v}"
                                                        for k, v in res["failed"].items())
                         + f" (the report is written: {res['paths']['report_html']})")
    return doc


def add_arguments(p) -> None:
    """The flags of ``grokking reproduce`` (shared with ``grokking all figures``)."""
    p.add_argument("--out", dest="out_dir", metavar="DIR", required=True,
                   help="output directory (created if missing): <job>/ figures and validation "
                        "reports, summary.json, report.md, report.html, .cache/")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help=f"smallest profile: {_PROFILE_HELP['quick']}")
    size.add_argument("--full", action="store_true",
                      help=f"full profile: {_PROFILE_HELP['full']} (default profile: "
                           f"{_PROFILE_HELP['default']})")
    p.add_argument("--only", metavar="THEORY,...", default=None,
                   help="run only these jobs (ridge, effective, spectral, kernel, phase); the "
                        "others are taken from the cache when present")
    p.add_argument("--no-cache", action="store_true",
                   help="recompute the selected jobs even when their cache entry is valid")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", action="store_true", default=False,
                   help="progress bars inside the jobs even when stderr is not a terminal")
    g.add_argument("--quiet", "--no-progress", action="store_true",
                   help="nothing on stderr (no job lines, no bars)")
    p.set_defaults(func=run, out=None)


def register(theories, parser_class) -> None:
    p = theories.add_parser("reproduce", help="the main job: every theory's figures and "
                                              "validations, report.md / report.html",
                            description="The main job: every theory's figures and "
                                        "validations, summary.json, report.md and report.html "
                                        "with a computed verdict per prediction; a cache in "
                                        "DIR/.cache makes a rerun recompute only what changed.")
    add_arguments(p)
