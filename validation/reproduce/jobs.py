"""The jobs of ``grokking reproduce``: one per theory, each a figure job plus its verdict rows.

A :class:`Job` names the figure function it runs, the theory profile used for
each reproduction profile, the settings that key its cache entry, the
validation report its verdict rows read, and its expected run time.  Adding a
theory (the phase diagrams, Model B, a new predictor) is one more entry in
:data:`JOBS` with its rows function in :mod:`validation.reproduce.rows`.

Reproduction profiles:

* ``quick``: every job's quick profile (CI's smoke test; too small for most
  verdicts, which then say *undecided*);
* ``default``: the README's main job, sized to finish in about 13 minutes on
  two idle cores while keeping every verdict decidable;
* ``full``: the papers' budgets.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field

from validation.reproduce import rows as _rows

__all__ = ["JOBS", "PROFILES", "Job", "job_names"]

#: Reproduction profiles, in order of cost.
PROFILES = ("quick", "default", "full")


@dataclass(frozen=True)
class Job:
    """One job of the reproduction.

    Parameters
    ----------
    name : str
        Directory under the output directory and the ``--only`` name.
    title, paper : str
        Section heading of the report.
    module : str
        Module whose ``make_figures(out_dir, profile=..., progress=...)`` runs the job.
    report_file : str
        The validation report (JSON) inside the job's directory that ``rows`` reads.
    rows : callable
        ``rows(report_or_None, base) -> list[VerdictRow]``; the report is the
        job's JSON validation report with the manifest's ``summary`` added as
        ``manifest_summary``.
    profiles : dict
        Reproduction profile -> the theory's own profile name.
    settings : str
        ``"module:NAME"`` of the theory's profile table (a dict of dicts): the
        cache key hashes ``table[profile]``.
    sources : tuple of str
        Modules or packages whose source files are hashed into the cache key.
    estimate_s : dict
        Reproduction profile -> expected wall time in seconds on two idle cores: half
        the CPU time per job (measured on a loaded machine: the quick profile and
        the ridge, effective and kernel defaults measured; spectral and the phase
        diagrams from their modules' documented costs; the full profile from the
        documented idle runs).
    notes : dict
        Reproduction profile -> what a reduced profile changes in the figures.
    """

    name: str
    title: str
    paper: str
    module: str
    report_file: str
    rows: Callable
    profiles: dict
    settings: str
    sources: tuple
    estimate_s: dict
    notes: dict = field(default_factory=dict)

    def available(self) -> bool:
        """Whether the job's module and sources exist in this installation."""
        return all(importlib.util.find_spec(m) is not None
                   for m in (self.module, *self.sources))

    def theory_profile(self, profile: str) -> str:
        """The theory's profile name for a reproduction profile."""
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
        return self.profiles[profile]

    def profile_settings(self, profile: str) -> dict:
        """The settings table entry of ``profile`` (hashed into the cache key)."""
        mod, name = self.settings.split(":")
        return getattr(importlib.import_module(mod), name)[self.theory_profile(profile)]

    def run(self, out_dir: str, profile: str, progress: bool) -> dict:
        """Run the figure job into ``out_dir``; return its manifest."""
        make = importlib.import_module(self.module).make_figures
        return make(out_dir, profile=self.theory_profile(profile), progress=progress)


_SHARED = ("theory._json", "theory._checks", "theory._version", "validation._io",
           "validation._threads", "validation._optim", "validation._progress")

#: Every job of the reproduction, in the report's order.
JOBS = (
    Job(name="ridge", title="Ridge regression", paper="Xu, Vardi, Safran 2026, arXiv 2601.19791",
        module="validation.ridge.figures", report_file="validation_report.json",
        rows=_rows.ridge_rows,
        profiles={"quick": "quick", "default": "standard", "full": "full"},
        settings="validation.ridge.report:PROFILES",
        sources=("theory.ridge", "validation.ridge", *_SHARED),
        estimate_s={"quick": 25, "default": 105, "full": 285},
        notes={"quick": "2 seeds, 5 Fig. 1 runs, short sweeps: Fig. 2's error bars are over "
                        "two seeds",
               "default": "3 seeds and 20 Fig. 1 runs on the paper's grids (explicit GD on "
                          "every run of the lam and eta sweeps, on seed 0 elsewhere)"}),
    Job(name="effective", title="Effective theory of representation learning",
        paper="Liu et al. 2022, arXiv 2205.10343", module="validation.effective.figures",
        report_file="effective_validation_report.json", rows=_rows.effective_rows,
        profiles={"quick": "quick", "default": "standard", "full": "full"},
        settings="validation.effective.figures:PROFILES",
        sources=("theory.effective", "validation.effective", *_SHARED),
        estimate_s={"quick": 15, "default": 165, "full": 240},
        notes={"quick": "4 sizes x 4 seeds x 3000 steps: most runs do not reach the linear "
                        "structure within the budget (Fig. 4 says so)",
               "default": "9 sizes x 6 seeds x 10 000 steps (full: 12 seeds)"}),
    Job(name="spectral", title="Early prediction from learning-curve spectra",
        paper="Notsawo et al. 2023, arXiv 2306.13253", module="validation.spectral.figures",
        report_file="spectral_validation_report.json", rows=_rows.spectral_rows,
        profiles={"quick": "quick", "default": "full", "full": "full"},
        settings="validation.spectral.figures:PROFILES",
        sources=("theory.spectral", "validation.spectral", *_SHARED),
        estimate_s={"quick": 15, "default": 120, "full": 120},
        notes={"quick": "200 bootstrap replicates and the shipped models' feature sets (no "
                        "nested selection, no ablations): intervals are coarser"}),
    Job(name="kernel", title="Adaptive-kernel phase transition",
        paper="Rubin, Seroussi, Ringel 2023, arXiv 2310.03789",
        module="validation.adaptive_kernel.figures",
        report_file="kernel_validation_report.json", rows=_rows.kernel_rows,
        profiles={"quick": "quick", "default": "standard", "full": "full"},
        settings="validation.adaptive_kernel.transition:PROFILES",
        sources=("theory.adaptive_kernel", "validation.adaptive_kernel", *_SHARED),
        estimate_s={"quick": 20, "default": 350, "full": 720},
        notes={"quick": "2 training sets x 2500 steps: standard errors from 2 sets are not "
                        "error estimates, so the verdicts are undecided",
               "default": "beta = 1/8 only, 6 training sets x 8000 steps (full: also beta = "
                          "1/32, for the finite-size shift; 8 sets x 12 000 steps)"}),
    Job(name="phase", title="Phase diagrams", paper="Liu et al. 2022 (Fig. 6b, toy model); "
        "Xu, Vardi, Safran 2026 (Eq. (8) region, ridge)",
        module="validation.reproduce.phase_job", report_file="phase_diagram_report.json",
        rows=_rows.phase_rows,
        profiles={"quick": "quick", "default": "standard", "full": "full"},
        settings="validation.reproduce.phase_job:PROFILES",
        sources=("validation.reproduce.phase_job", "validation.effective.phase_diagram",
                 "validation.ridge.phase_diagram", "validation.sweep", "validation._phase_plot",
                 "validation.effective.toy", "theory.effective", "theory.ridge", *_SHARED),
        estimate_s={"quick": 60, "default": 60, "full": 60},
        notes={"quick": "the toy grid is the quick 5 x 5 grid at 1.2e4 steps, one seed, in "
                        "every profile (the paper's 11 x 11 grid at 1e5 steps takes hours)"}),
)


def job_names() -> tuple:
    """Names accepted by ``--only``.

    Examples
    --------
    >>> from validation.reproduce.jobs import job_names
    >>> job_names()
    ('ridge', 'effective', 'spectral', 'kernel', 'phase')
    """
    return tuple(j.name for j in JOBS)
