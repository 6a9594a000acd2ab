"""A tiny stand-in figure job for the reproduce tests (a real PNG, a report, a call log).

``make_figures`` writes one matplotlib figure (PNG + PDF + sidecar) and a
validation report whose numbers come from :data:`PROFILES`, so a test can
change a profile's settings and see the cache recompute.  ``CALLS`` records
every run; ``FAIL`` makes the next run raise.
"""

from __future__ import annotations

import os

from validation._io import make_out_dir, save_figure, write_json
from validation.reproduce.jobs import Job
from validation.reproduce.verdicts import VerdictRow

PROFILES = {"quick": {"measured": 0.5, "points": 3}, "standard": {"measured": 0.98, "points": 5},
            "full": {"measured": 1.0, "points": 8}}
CALLS: list = []
FAIL: dict = {}


def make_figures(out_dir, *, profile, progress=False):
    from matplotlib.figure import Figure

    CALLS.append((os.path.basename(os.fspath(out_dir)), profile))
    if FAIL.get("error"):
        raise FAIL["error"]
    out_dir = make_out_dir(out_dir)
    prof = PROFILES[profile]
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot(range(prof["points"]), "o-")
    files = save_figure(fig, out_dir, "fig_demo", {"figure": "Demo figure", "config": prof})
    report = {"measured": prof["measured"], "config": {"profile": profile, **prof}}
    path = write_json(out_dir, "demo_report.json", report)
    return {"fig_demo": files, "validation_report": path, "summary": {"measured": prof["measured"],
                                                                     "seconds": 0.01},
            "config": report["config"]}


def demo_rows(report, base):
    """Two rows: theory 1 +- 0.05 (abs) and measured above 0.9."""
    m = None if report is None else report.get("measured")
    common = dict(theory=base, measured=m, ran=report is not None,
                  figure=f"{base}/fig_demo.png", tolerance_reason="test", source="test")
    return [VerdictRow(key="demo_abs", prediction="demo equals 1", theory_value=1.0,
                       tolerance=0.05, rule="abs", **common),
            VerdictRow(key="demo_above", prediction="demo above 0.9", theory_value=0.9,
                       tolerance=0.0, rule="above", **common)]


def job(name="demo"):
    return Job(name=name, title=f"Demo job {name}", paper="nobody 2026", module=__name__,
               report_file="demo_report.json", rows=demo_rows,
               profiles={"quick": "quick", "default": "standard", "full": "full"},
               settings=f"{__name__}:PROFILES", sources=("validation.reproduce",),
               estimate_s={"quick": 1, "default": 2, "full": 3},
               notes={"quick": "three points only"})
