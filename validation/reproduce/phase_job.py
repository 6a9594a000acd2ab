"""The phase-diagram job of ``grokking reproduce``: the toy model's quick grid and the ridge map.

* toy model (Liu et al. 2022, Fig. 6b): the quick 5 x 5 decoder-lr x
  decoder-wd grid of :func:`validation.effective.phase_diagram.toy_phase_diagram`
  (1.2e4 steps, one seed, runs stop once their phase is decided);
* ridge regression: the exact grokking time over (lam, nu2) with the Eq. (8)
  certified region (:func:`validation.ridge.phase_diagram.ridge_phase_diagram`).

Both sweeps keep their resumable chunk stores in the job's directory.  The
report (``phase_diagram_report.json``) holds what the verdict rows read: the
phase counts of the toy grid and, on the ridge map, every (cell, seed) that
Eq. (8) certifies with its exact grokking time and the certified lower bound.
"""

from __future__ import annotations

import os
import time

from theory._version import __version__
from validation._io import make_out_dir, write_json
from validation._profile import resolve_profile

__all__ = ["PROFILES", "make_figures", "ridge_certified_check"]

#: What each profile runs (the same for every profile: the quick toy grid already costs
#: about a minute on 2 cores; the paper's 11 x 11 grid at 1e5 steps takes hours).
PROFILES = {name: {"toy": {"quick": True},
                   "ridge": {"x": "lam", "y": "nu2", "seeds": [0]}}
            for name in ("quick", "standard", "full")}

TABLE1_PHASES = ("comprehension", "grokking", "memorization", "confusion")


def ridge_certified_check(cells) -> dict:
    """Certified (cell, seed) pairs and those whose exact grokking time is below the bound.

    Eq. (8) certifies grokking when its lower bound on t2 exceeds its upper
    bound on t1; the certified grokking time is then at least
    ``t2_lower - t1_upper``.  A pair violates it when the exact ``t2 - t1``
    is smaller (or there is no grokking at all).

    Examples
    --------
    >>> from validation.reproduce.phase_job import ridge_certified_check
    >>> cells = [{"certified": True, "grokking_time": 50, "t2_lower_eq8": 80.0,
    ...           "t1_upper_eq8": 40.0},
    ...          {"certified": True, "grokking_time": 30, "t2_lower_eq8": 80.0,
    ...           "t1_upper_eq8": 40.0},
    ...          {"certified": False, "grokking_time": None}]
    >>> ridge_certified_check(cells)["violations"]
    1
    """
    cert = [c for c in cells if c.get("certified")]
    bad = [c for c in cert if c.get("grokking_time") is None
           or c["grokking_time"] < c["t2_lower_eq8"] - c["t1_upper_eq8"]]
    return {"certified": len(cert), "violations": len(bad), "cells": len(cells),
            "definition": "certified: Eq. (8) t2 lower bound > t1 upper bound; violation: "
                          "exact t2 - t1 below t2_lower - t1_upper, or no grokking"}


def make_figures(out_dir, *, quick=False, progress=False, profile=None) -> dict:
    """Run both phase diagrams into ``out_dir``; write their figures and the report.

    Returns the manifest (files per figure, ``validation_report``,
    ``summary``, ``config``).  Cost: the toy grid's ~280 000 run-steps (about a
    minute on 2 cores) plus 169 exact ridge solves (seconds).
    """
    from validation.effective.phase_diagram import save_toy_phase_figure, toy_phase_diagram
    from validation.ridge.phase_diagram import ridge_phase_diagram, save_ridge_phase_figure

    out_dir = make_out_dir(out_dir)
    name = resolve_profile(profile, quick, PROFILES)
    prof = PROFILES[name]
    t0 = time.perf_counter()
    toy = toy_phase_diagram(store=os.path.join(out_dir, "toy_store"), progress=progress,
                            **prof["toy"])
    files = {"toy_phase_diagram": save_toy_phase_figure(toy, out_dir)}
    r = prof["ridge"]
    ridge = ridge_phase_diagram(r["x"], r["y"], seeds=r["seeds"],
                                store=os.path.join(out_dir, "ridge_store"), progress=progress)
    files["ridge_phase_diagram"] = save_ridge_phase_figure(ridge, out_dir)
    counts = toy["counts"]
    config = {"theory": "phase_diagrams", "profile": name, "profile_settings": prof,
              "toy": toy["config"], "ridge": ridge["config"], "version": __version__}
    report = {"toy": {"counts": counts,
                      "table1_phases_present": sum(counts.get(p, 0) > 0 for p in TABLE1_PHASES),
                      "censored_cells": sum(map(sum, toy["censored"])),
                      "cells": sum(map(len, toy["phases"]))},
              "ridge": ridge_certified_check(ridge["cells"]),
              "seconds": time.perf_counter() - t0, "config": config}
    path = write_json(out_dir, "phase_diagram_report.json", report)
    summary = {"toy_counts": counts, "ridge_certified": report["ridge"]["certified"],
               "ridge_certified_violations": report["ridge"]["violations"],
               "seconds": report["seconds"]}
    return {**files, "validation_report": path, "summary": summary, "config": config}
