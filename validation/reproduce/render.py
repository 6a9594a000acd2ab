"""``report.md`` and ``report.html``: per theory a table of computed verdicts and its figures.

Both are rendered from the ``summary.json`` document alone.  The HTML is one
self-contained page: inline CSS, no script, no external resource; figures are
linked relatively (``ridge/fig1_loss_curves.png``), so the output directory
can be moved or zipped and read offline.  Math is written as text
(``sigma2``, ``lam``, ``|Acc - Acc_hat|``).

Each table row shows the theory value ``t``, the measurement ``m`` and the
tolerance written as the rule itself (``|m - t| <= 0.001``), so a reader can
recompute every verdict from the row.
"""

from __future__ import annotations

import html
import math
import os

__all__ = ["fmt_number", "render_html", "render_markdown", "tolerance_text"]

_SYMBOL = {"abs": "|m - t| <= {tol}", "at_most": "m <= t + {tol}", "at_least": "m >= t - {tol}",
           "above": "m > t + {tol}"}
_STATUS_TEXT = {"ran": "ran", "cached": "cached (configuration unchanged)",
                "not run": "not run", "failed": "failed"}


def fmt_number(x) -> str:
    """A number as the report prints it: integers exactly, floats to 6 significant digits.

    Examples
    --------
    >>> from validation.reproduce.render import fmt_number
    >>> fmt_number(0), fmt_number(-1.000138), fmt_number(1e-9), fmt_number(None)
    ('0', '-1.00014', '1e-09', 'n/a')
    """
    if x is None or isinstance(x, bool):
        return "n/a"
    v = float(x)
    if not math.isfinite(v):
        return "n/a"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


def tolerance_text(rule: str, tolerance) -> str:
    """The rule with its tolerance filled in, e.g. ``"|m - t| <= 0.001"``.

    Examples
    --------
    >>> from validation.reproduce.render import tolerance_text
    >>> tolerance_text("above", 0.07)
    'm > t + 0.07'
    """
    return _SYMBOL[rule].format(tol=fmt_number(tolerance))


def _row_id(theory_index: int, row_index: int) -> str:
    return f"{theory_index}.{row_index}"


def _figures(theory: dict) -> list[tuple[str, str]]:
    """(relative png path, caption) of a job's figures, in manifest order."""
    pngs = []

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and node.endswith(".png") and node not in pngs:
            pngs.append(node)

    walk(theory.get("files", {}))
    return [(p, theory.get("captions", {}).get(p, os.path.basename(p))) for p in pngs]


def _grouped(summary, jobs):
    """(job, theory entry, its rows) per job, in job order."""
    rows = summary["verdicts"]
    return [(job, summary["theories"].get(job.name, {}),
             [r for r in rows if r["theory"] == job.name]) for job in jobs]


def _counts_text(counts: dict) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items())


def _overview(summary, jobs):
    """(job, status, wall-time text, verdict counts text) per job."""
    for job, entry, rows in _grouped(summary, jobs):
        c = {}
        for r in rows:
            c[r["verdict"]] = c.get(r["verdict"], 0) + 1
        secs = entry.get("seconds")
        yield (job, str(entry.get("status")), "n/a" if secs is None else f"{secs:.0f} s",
               _counts_text(c))


def _status_line(entry: dict) -> str:
    status = _STATUS_TEXT.get(entry.get("status"), str(entry.get("status")))
    parts = [f"Status: {status}"]
    if entry.get("seconds") is not None:
        parts.append(f"computed in {entry['seconds']:.0f} s wall, "
                     f"{entry.get('cpu_seconds') or 0:.0f} s CPU")
    parts.append(f"theory profile `{entry.get('theory_profile')}`")
    return "; ".join(parts) + "."


# ---------------------------------------------------------------------------- markdown
def _md_cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(summary: dict, jobs) -> str:
    """The Markdown report (GitHub-flavoured tables, relative links to the figures)."""
    cfg = summary["config"]
    counts = summary["counts"]
    out = [f"# Reproduction report (grokking-theory {cfg['version']})", "",
           f"Profile **{cfg['profile']}**.  {len(summary['verdicts'])} verdicts: "
           f"{_counts_text(counts)}.", "",
           "Every verdict is computed from the numbers in its row: the theory value t, the "
           "measurement m and the rule with its tolerance (agree when the rule holds; "
           "*undecided* when a number could not be measured, *not run* when its job did not "
           "run).  Each tolerance's reason is listed under its table.", "",
           "| theory | status | wall time | verdicts |", "|---|---|---|---|"]
    for job, status, secs, counts_text in _overview(summary, jobs):
        out.append(f"| [{job.title}](#{job.name}) | {status} | {secs} | {counts_text} |")
    for ti, (job, entry, rows) in enumerate(_grouped(summary, jobs), 1):
        out += ["", f"<a id=\"{job.name}\"></a>", "", f"## {ti}. {job.title}", "",
                f"{job.paper}.  {_status_line(entry)}"]
        if entry.get("note"):
            out += ["", f"Profile note: {entry['note']}."]
        if entry.get("error"):
            out += ["", f"Error: `{entry['error']}`"]
        out += ["", "| # | prediction | theory t | measured m | tolerance | verdict |",
                "|---|---|---|---|---|---|"]
        for ri, r in enumerate(rows, 1):
            out.append("| " + " | ".join(_md_cell(c) for c in (
                _row_id(ti, ri), r["prediction"], fmt_number(r["theory_value"]),
                fmt_number(r["measured"]), tolerance_text(r["rule"], r["tolerance"]),
                r["verdict"])) + " |")
        out += [""]
        for ri, r in enumerate(rows, 1):
            extra = f" {r['verdict'].capitalize()}: {r['reason']}." if r.get("reason") and \
                r["verdict"] in ("undecided", "not run") else ""
            fig = f" Figure: [{os.path.basename(r['figure'])}]({r['figure']})." \
                if r.get("figure") else ""
            out.append(f"- **{_row_id(ti, ri)}** Theory: {r['source']}.  Measured: "
                       f"{r['detail']}.  Tolerance: {r['tolerance_reason']}.{extra}{fig}")
        figs = _figures(entry)
        if figs:
            out += ["", "Figures:", ""]
            for png, caption in figs:
                stem = png[:-4]
                out += [f"![{caption}]({png})", "",
                        f"*{caption}* ([PNG]({png}), [PDF]({stem}.pdf), "
                        f"[JSON sidecar]({stem}.json))", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------- html
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 72em; padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef; } td.num { font-family: ui-monospace, monospace; white-space: nowrap; }
td.agree { background: #d9f2d9; } td.outside { background: #f8d7d3; }
td.undecided { background: #fff3c4; } td.notrun { background: #e6e6e6; }
ul.notes { font-size: 0.88em; } ul.notes li { margin-bottom: 0.3em; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.88em; color: #333; } .note { background: #fff8e1; padding: 0.4em; }
"""


def _cls(verdict: str) -> str:
    return {"agree": "agree", "outside tolerance": "outside", "undecided": "undecided",
            "not run": "notrun"}.get(verdict, "")


def render_html(summary: dict, jobs) -> str:
    """The HTML report: one page, inline CSS, figures linked relatively, no script."""
    e = html.escape
    cfg = summary["config"]
    counts = summary["counts"]
    body = [f"<h1>Reproduction report (grokking-theory {e(cfg['version'])})</h1>",
            f"<p>Profile <b>{e(cfg['profile'])}</b>. {len(summary['verdicts'])} verdicts: "
            f"{e(_counts_text(counts))}.</p>",
            "<p>Every verdict is computed from the numbers in its row: the theory value t, "
            "the measurement m and the rule with its tolerance. <i>Undecided</i>: a number "
            "could not be measured; <i>not run</i>: its job did not run.</p>",
            "<table id=\"overview\"><thead><tr><th>theory</th><th>status</th><th>wall time</th>"
            "<th>verdicts</th></tr></thead><tbody>"]
    for job, status, secs, counts_text in _overview(summary, jobs):
        body.append(f"<tr><td><a href=\"#{e(job.name)}\">{e(job.title)}</a></td>"
                    f"<td>{e(status)}</td><td class=\"num\">{secs}</td>"
                    f"<td>{e(counts_text)}</td></tr>")
    body.append("</tbody></table>")
    for ti, (job, entry, rows) in enumerate(_grouped(summary, jobs), 1):
        body += [f"<h2 id=\"{e(job.name)}\">{ti}. {e(job.title)}</h2>",
                 f"<p>{e(job.paper)}. {e(_status_line(entry).replace('`', ''))}</p>"]
        if entry.get("note"):
            body.append(f"<p class=\"note\">Profile note: {e(entry['note'])}.</p>")
        if entry.get("error"):
            body.append(f"<p class=\"note\">Error: <code>{e(entry['error'])}</code></p>")
        body.append("<table class=\"verdicts\"><thead><tr><th>#</th><th>prediction</th>"
                    "<th>theory t</th><th>measured m</th><th>tolerance</th><th>verdict</th>"
                    "</tr></thead><tbody>")
        for ri, r in enumerate(rows, 1):
            body.append(
                f"<tr id=\"{e(r['key'])}\"><td>{_row_id(ti, ri)}</td><td>{e(r['prediction'])}"
                f"</td><td class=\"num\">{e(fmt_number(r['theory_value']))}</td>"
                f"<td class=\"num\">{e(fmt_number(r['measured']))}</td>"
                f"<td class=\"num\">{e(tolerance_text(r['rule'], r['tolerance']))}</td>"
                f"<td class=\"{_cls(r['verdict'])}\">{e(r['verdict'])}</td></tr>")
        body.append("</tbody></table><ul class=\"notes\">")
        for ri, r in enumerate(rows, 1):
            extra = (f" <b>{e(r['verdict'].capitalize())}:</b> {e(r['reason'])}."
                     if r.get("reason") and r["verdict"] in ("undecided", "not run") else "")
            fig = (f" Figure: <a href=\"{e(r['figure'])}\">{e(os.path.basename(r['figure']))}"
                   f"</a>." if r.get("figure") else "")
            body.append(f"<li><b>{_row_id(ti, ri)}</b> Theory: {e(r['source'])}. Measured: "
                        f"{e(r['detail'])}. Tolerance: {e(r['tolerance_reason'])}.{extra}{fig}"
                        "</li>")
        body.append("</ul>")
        for png, caption in _figures(entry):
            stem = png[:-4]
            body.append(f"<figure><a href=\"{e(png)}\"><img src=\"{e(png)}\" alt=\"{e(caption)}"
                        f"\"></a><figcaption>{e(caption)} "
                        f"(<a href=\"{e(stem)}.pdf\">PDF</a>, <a href=\"{e(stem)}.json\">JSON "
                        "sidecar</a>)</figcaption></figure>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>grokking-theory reproduction report</title><style>{_CSS}</style></head>"
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")
