"""Run the reproduction: every job (or the cached result), then summary.json and the reports.

:func:`reproduce` runs each selected :class:`~validation.reproduce.jobs.Job`
into a private directory ``OUT/.partial-<job>`` and moves it to ``OUT/<job>``
only when the job has finished, so an interrupted job never leaves a mix of
old and new files; the cache entry is written last.  A job that fails is
reported (its rows say *not run*, with the error) and the others still run.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from theory._json import jsonable
from theory._version import __version__
from validation._io import make_out_dir, split_timings, write_json, write_text
from validation.reproduce import cache
from validation.reproduce.jobs import JOBS, PROFILES
from validation.reproduce.render import render_html, render_markdown
from validation.reproduce.verdicts import AGREE, NOT_RUN, OUTSIDE, UNDECIDED

__all__ = ["format_seconds", "reproduce"]


def format_seconds(s: float) -> str:
    """``75.2 -> "1 min 15 s"``, ``4.04 -> "4.0 s"``.

    Examples
    --------
    >>> from validation.reproduce.runner import format_seconds
    >>> format_seconds(75.2), format_seconds(4.04), format_seconds(3600)
    ('1 min 15 s', '4.0 s', '60 min 0 s')
    """
    if s < 60:
        return f"{s:.1f} s"
    m, sec = divmod(int(round(s)), 60)
    return f"{m} min {sec} s"


def _relocate(node, old: str, new: str):
    """Replace the path prefix ``old`` by ``new`` in every string of a manifest."""
    if isinstance(node, dict):
        return {k: _relocate(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_relocate(v, old, new) for v in node]
    if isinstance(node, str) and (node == old or node.startswith(old + os.sep)):
        return new + node[len(old):]
    return node


def _swap_in(partial: str, final: str) -> None:
    """Replace directory ``final`` by ``partial`` (the old one is removed afterwards)."""
    old = None
    if os.path.exists(final):
        old = f"{final}.old-{os.getpid()}"
        os.replace(final, old)
    os.replace(partial, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _load_report(out_dir: str, job) -> dict | None:
    path = os.path.join(out_dir, job.name, job.report_file)
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _run_job(job, out_dir, profile, key, bars):
    """Run one job; return its cache entry (manifest with paths relative to ``out_dir``)."""
    partial = os.path.join(out_dir, f".partial-{job.name}")
    marker = os.path.join(partial, ".key")
    try:                                  # reuse an interrupted run's directory (resumable
        with open(marker, encoding="utf-8") as fh:      # stores) only under the same key
            same = fh.read().strip() == key["hash"]
    except OSError:
        same = False
    if not same:
        shutil.rmtree(partial, ignore_errors=True)
    make_out_dir(partial)
    write_text(partial, ".key", key["hash"])
    wall0, cpu0 = time.perf_counter(), _cpu_seconds()
    manifest = job.run(partial, profile, bars)
    wall, cpu = time.perf_counter() - wall0, _cpu_seconds() - cpu0
    os.unlink(marker)
    _swap_in(partial, os.path.join(out_dir, job.name))
    manifest = _relocate(jsonable(manifest), partial, job.name)
    # "<job>.cost", not "<job>.times": write_json puts the wall times found in the
    # cache entry <job>.json into <job>.times
    write_text(make_out_dir(os.path.join(out_dir, cache.CACHE_DIR)), f"{job.name}.cost",
               f"{wall:.3f} {cpu:.3f}\n")
    return {"key": key, "manifest": manifest, "profile": profile,
            "theory_profile": job.theory_profile(profile), "wall_s": wall, "cpu_s": cpu}


def _times(out_dir, name):
    """(wall, cpu) seconds of the job's last computation (kept outside the JSON files)."""
    try:
        with open(os.path.join(out_dir, cache.CACHE_DIR, f"{name}.cost"),
                  encoding="utf-8") as fh:
            wall, cpu = (float(v) for v in fh.read().split())
        return wall, cpu
    except (OSError, ValueError):
        return None, None


def _without_timings(node):
    """A manifest summary without its wall times (JSON outputs are byte-identical per seed)."""
    return split_timings(node)[0]


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (sweep workers)."""
    try:
        import resource

        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + ch.ru_utime + ch.ru_stime
    except (ImportError, OSError):            # no resource module (Windows)
        return time.process_time()


def _counts(rows) -> dict:
    out = {v: 0 for v in (AGREE, OUTSIDE, UNDECIDED, NOT_RUN)}
    for r in rows:
        out[r.verdict] += 1
    return out


def reproduce(out_dir, *, profile: str = "default", only=None, use_cache: bool = True,
              log=None, bars: bool = False, jobs=JOBS) -> dict:
    """Run every job (or take it from the cache) and write the reports.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Created if missing.  Receives ``<job>/`` per job, ``summary.json``,
        ``report.md``, ``report.html`` and the cache ``.cache/``.
    profile : {"quick", "default", "full"}
    only : iterable of str, optional
        Job names to run; the others are taken from the cache when their key
        matches, else reported as *not run*.
    use_cache : bool
        False recomputes every selected job.
    log : callable, optional
        ``log(line)`` receives one line per job started / finished and the
        time estimate (the CLI prints them on stderr).
    bars : bool
        Progress bars inside the jobs.
    jobs : sequence of Job

    Returns
    -------
    dict
        ``summary`` (the content of ``summary.json``), ``paths``, ``counts``
        and ``failed`` (job name -> error message).

    Notes
    -----
    The run time is that of the jobs run (see ``Job.estimate_s``); cached
    jobs cost the time to check their key (hashing the sources, ~10 ms).
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    names = [j.name for j in jobs]
    only = list(names if only is None else only)
    unknown = [n for n in only if n not in names]
    if unknown:
        raise ValueError(f"only: unknown job(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(names)}")
    log = log or (lambda line: None)
    out_dir = make_out_dir(out_dir)
    missing = {j.name for j in jobs if not j.available()}
    keys = {j.name: cache.job_key(j, profile) for j in jobs if j.name not in missing}
    hits = {j.name: cache.lookup(out_dir, j.name, keys[j.name]["hash"])
            for j in jobs if j.name in keys and (use_cache or j.name not in only)}
    todo = [j for j in jobs if j.name in only and j.name in keys and not hits.get(j.name)]
    estimate = sum(j.estimate_s[profile] for j in todo)
    log(f"reproduce: profile {profile}, {len(todo)} of {len(jobs)} jobs to run "
        f"({', '.join(j.name for j in todo) or 'none'}); estimated {format_seconds(estimate)} "
        f"on 2 idle cores" + _load_note())
    t0 = time.perf_counter()
    entries, status, failed = {}, {}, {}
    for i, job in enumerate(jobs, 1):
        tag = f"[{i}/{len(jobs)}] {job.name}"
        if job.name in missing:
            status[job.name] = "not available"
            log(f"{tag}: not available (its module is not part of this installation)")
            continue
        hit = hits.get(job.name)
        if hit:
            hit["wall_s"], hit["cpu_s"] = _times(out_dir, job.name)
            entries[job.name], status[job.name] = hit, "cached"
            took = "" if hit["wall_s"] is None else \
                f", computed in {format_seconds(hit['wall_s'])}"
            log(f"{tag}: cached (key {hit['key']['hash'][:12]}{took})")
            continue
        if job.name not in only:
            status[job.name] = "not run"
            log(f"{tag}: not run (not selected, no cached result for this profile)")
            continue
        log(f"{tag}: started (estimated {format_seconds(job.estimate_s[profile])})")
        try:
            entry = _run_job(job, out_dir, profile, keys[job.name], bars)
        except Exception as exc:       # noqa: BLE001 -- one broken job must not hide the rest
            failed[job.name] = f"{type(exc).__name__}: {exc}"
            status[job.name] = "failed"
            log(f"{tag}: FAILED ({failed[job.name]})")
            continue
        cache.store(out_dir, job.name, {k: v for k, v in entry.items()
                                        if k not in ("wall_s", "cpu_s")})
        entries[job.name], status[job.name] = entry, "ran"
        log(f"{tag}: finished in {format_seconds(entry['wall_s'])} "
            f"(CPU {format_seconds(entry['cpu_s'])})")
    rows, theories = [], {}
    for job in jobs:
        entry = entries.get(job.name)
        report = _load_report(out_dir, job) if entry else None
        man = (entry or {}).get("manifest", {})
        if report is not None:                  # rows may also read the manifest's summary
            report = {**report, "manifest_summary": man.get("summary") or {}}
        job_rows = job.rows(report, job.name)
        if job.name in failed:
            job_rows = [_failed(r, f"the job failed: {failed[job.name]}") for r in job_rows]
        elif job.name in missing:
            job_rows = [_failed(r, f"{job.module} is not part of this installation")
                        for r in job_rows]
        rows += job_rows
        theories[job.name] = {
            "title": job.title, "paper": job.paper, "status": status[job.name],
            "profile": profile, "theory_profile": job.theory_profile(profile),
            "note": job.notes.get(profile), "error": failed.get(job.name),
            "key": keys.get(job.name, {}).get("hash"),
            "summary": _without_timings(man.get("summary")),
            "files": {k: v for k, v in man.items() if k not in ("summary", "config")},
            "captions": _captions(out_dir, man, job.notes.get(profile)),
            "config": man.get("config")}
    counts = _counts(rows)
    summary = {"theories": theories, "verdicts": [r.to_dict() for r in rows], "counts": counts,
               "config": {"command": "grokking reproduce", "profile": profile, "only": only,
                          "use_cache": use_cache, "jobs": names, "version": __version__,
                          "verdict_rules": "see each row's rule_formula; every verdict is "
                                           "computed from theory_value, measured, tolerance"},
               "note": "wall and CPU times are in report.md / report.html and on stderr, not "
                       "in the JSON files (same seeds, byte-identical JSON)"}
    view = {**summary, "theories": {
        k: {**v, "seconds": (entries.get(k) or {}).get("wall_s"),
            "cpu_seconds": (entries.get(k) or {}).get("cpu_s")}
        for k, v in summary["theories"].items()}}
    paths = {"summary_json": write_json(out_dir, "summary.json", summary),
             "report_md": write_text(out_dir, "report.md", render_markdown(view, jobs)),
             "report_html": write_text(out_dir, "report.html", render_html(view, jobs))}
    seconds = time.perf_counter() - t0
    log(f"reproduce: done in {format_seconds(seconds)}; "
        + ", ".join(f"{v} {k}" for k, v in counts.items()) + f"; report: {paths['report_html']}")
    return {"summary": summary, "paths": paths, "counts": counts, "failed": failed,
            "seconds": seconds}


def _captions(out_dir, manifest, note) -> dict:
    """Each PNG's caption: its sidecar's ``figure`` title, plus the profile's note."""
    out = {}
    for f in cache.manifest_files(manifest):
        if not f.endswith(".png"):
            continue
        try:
            with open(os.path.join(out_dir, f[:-4] + ".json"), encoding="utf-8") as fh:
                title = json.load(fh).get("figure") or os.path.basename(f)
        except (OSError, ValueError, AttributeError):
            title = os.path.basename(f)
        out[f] = title + (f" (reduced profile: {note})" if note else "")
    return out


def _failed(row, reason):
    from dataclasses import replace

    return replace(row, ran=False, reason=reason)


def _load_note() -> str:
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return ""
    cores = os.cpu_count() or 1
    return (f" (this machine: {cores} cores, load {load:.1f}: expect longer)"
            if load > cores else "")

