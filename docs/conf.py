"""Sphinx configuration for grokking-theory.

Build (as CI does; warnings are errors)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The build never runs simulations: the gallery page shows the figures of a
``grokking reproduce`` output (``results/`` or ``$GROKKING_RESULTS``) when there
is one, else whatever PNGs exist in ``docs/_static/gallery/``, else how to
produce them (see :func:`_gallery_rst`).
"""

import dataclasses
import functools
import importlib
import inspect
import os
import pkgutil
import sys

from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))   # the repository root, for an uninstalled checkout

from theory import __version__  # noqa: E402

project = "grokking-theory"
author = "grokking-theory developers"
copyright = "2026, grokking-theory developers"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

# autodoc / autosummary: the API pages are written by hand (docs/api/*.rst);
# autosummary only renders summary tables, it generates no stub files.
# An import failure of a documented module is a warning, hence fails the -W build.
autosummary_generate = False
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"            # numpydoc "Parameters" sections carry the types

# autosummary cuts a summary at the first ". "; our docstrings cite "Sec. 5.1",
# "Eq. (8)", "Fig. 1".  Guarded: the tuple is a Sphinx internal.
try:
    import sphinx.ext.autosummary as _autosummary

    _autosummary.WELL_KNOWN_ABBREVIATIONS = tuple(
        _autosummary.WELL_KNOWN_ABBREVIATIONS) + ("Sec.", "Eq.", "Eqs.", "Fig.", "Thm.")
except (ImportError, AttributeError):  # pragma: no cover
    pass

# numpydoc
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

exclude_patterns = ["_build", "README.md", "Thumbs.db", ".DS_Store"]

html_theme = "alabaster"
html_static_path = ["_static"]
html_theme_options = {"description": "Theories of grokking as software", "fixed_sidebar": True}

# Dataclass fields are described in their class's numpydoc "Parameters" or
# "Attributes" section; autodoc would also list each one as an empty entry.
# Sphinx 9 does not tell autodoc-skip-member which class a member belongs to,
# so we skip, in any class, plain-data members named like a dataclass field of
# our packages, unless some class documents that name with a ``#:`` comment.
DOCUMENTED_PACKAGES = ("theory", "validation")
_field_index = {}


def _dataclass_field_names():
    if not _field_index:
        fields, attr_documented = set(), set()
        for pkg_name in DOCUMENTED_PACKAGES:
            pkg = importlib.import_module(pkg_name)
            subs = pkgutil.walk_packages(pkg.__path__, pkg_name + ".")
            names = [pkg_name] + [m.name for m in subs]
            for mod_name in names:
                try:
                    mod = importlib.import_module(mod_name)
                except Exception:      # an unimportable module is reported by autodoc itself
                    continue
                for obj in vars(mod).values():
                    if dataclasses.is_dataclass(obj) and getattr(obj, "__module__", "") == mod_name:
                        fields.update(f.name for f in dataclasses.fields(obj))
                try:
                    attr_documented.update(name for _, name in
                                           ModuleAnalyzer.for_module(mod_name).find_attr_docs())
                except PycodeError:
                    pass
        _field_index["skip"] = frozenset(fields - attr_documented)
    return _field_index["skip"]


def _skip_dataclass_fields(app, what, name, obj, skip, options):
    """Skip undocumented dataclass fields (documented in the class docstring instead)."""
    if what not in ("class", "exception") or name not in _dataclass_field_names():
        return None
    if callable(obj) or inspect.isdatadescriptor(obj) or isinstance(obj, functools.cached_property):
        return None                  # methods and properties are real members
    return True


GALLERY_DIR = os.path.join(HERE, "_static", "gallery")

# Where ``grokking reproduce --out results`` writes (the README's main job); another
# output directory can be named by GROKKING_RESULTS.
RESULTS_DIR = os.environ.get("GROKKING_RESULTS") or os.path.join(os.path.dirname(HERE), "results")

# How to produce the figures, shown when none are found.
GALLERY_HOWTO = [
    "grokking reproduce --out results            # every theory, ~11 min on 2 cores",
    "grokking reproduce --out results --quick    # the same in ~2 min (small profiles)",
    "python -m sphinx -W --keep-going -b html docs docs/_build/html",
]

# Captions of the figures ``grokking ridge figures`` writes; other PNGs get their file name.
GALLERY_CAPTIONS = {
    "fig1_loss_curves.png": "Fig. 1 (ridge): training and population loss at the paper's "
                            "defaults, median and 10-90% band over explicit GD runs, log "
                            "time axis; the closed-form median dashed.",
    "fig2_sweeps.png": "Fig. 2 (ridge): t1 and t2 measured by explicit GD over sweeps of "
                       "lam, eta, nu2, n and m, with the Eq. (8) bounds overlaid.",
    "fig2_model_a.png": "Fig. 2 (adaptive kernel): Model A at n = 375, d = 53, N = 88. "
                        "(a) -log p(q) of the first-layer overlaps before and after the "
                        "transition, Langevin vs the finite-d mean field and the scaling "
                        "limit; (b) learned cubic and (c) linear components vs sigma2.",
    "fig3_model_b.png": "Fig. 3 (adaptive kernel): Model B action profiles along "
                        "Phi = Psi and the learned target component 1 - |a| vs sigma2.",
    "toy_phase_diagram.png": "Toy model phase diagram (grokking phase-diagram toy): "
                             "comprehension, grokking, memorization and confusion (Table 1) "
                             "over decoder lr x decoder weight decay; hatched cells are "
                             "censored (a threshold unreached at the budget).",
    "ridge_phase_lam_nu2.png": "Ridge phase diagram: exact grokking time over lam x nu2, "
                               "the Eq. (8) certified region hatched, lam* and the nu2 "
                               "vacuity threshold drawn over it.",
    "ridge_phase_lam_n.png": "Ridge phase diagram: exact grokking time over lam x n with "
                             "the Eq. (8) certified region and lam*(n).",
    "kernel_phase_diagram.png": "Adaptive kernel, Model A: mean-field phases over sigma2 x n "
                                "with the critical line and the spinodal.",
}


def _figure(path: str, caption: str) -> list:
    """A ``.. figure::`` block; ``path`` relative to this directory (Sphinx copies it)."""
    rel = os.path.relpath(path, HERE).replace(os.sep, "/")
    stem = os.path.splitext(os.path.basename(path))[0]
    return [f".. figure:: {rel}", "   :width: 100%", f"   :alt: {stem}", "",
            f"   {caption}", ""]


def _results_gallery(results: str) -> list:
    """Figures of a ``grokking reproduce`` output, per theory, with the report's captions."""
    import json

    with open(os.path.join(results, "summary.json"), encoding="utf-8") as fh:
        summary = json.load(fh)
    cfg = summary.get("config", {})
    counts = ", ".join(f"{n} {k}" for k, n in summary.get("counts", {}).items())
    lines = ["", f"These figures come from ``grokking reproduce`` (profile "
             f"``{cfg.get('profile')}``, grokking-theory {cfg.get('version')}): "
             f"{len(summary.get('verdicts', []))} computed verdicts, {counts}.  The report "
             "with every verdict is ``report.html`` in the output directory.", ""]
    for name, entry in summary.get("theories", {}).items():
        captions = entry.get("captions") or {}
        pngs = [p for p in captions if os.path.exists(os.path.join(results, p))]
        if not pngs:
            continue
        title = str(entry.get("title", name))
        lines += [title, "-" * len(title), ""]
        for png in pngs:
            stem = png[:-4]
            sidecar = (f"  JSON sidecar: ``{os.path.basename(stem)}.json``."
                       if os.path.exists(os.path.join(results, stem + ".json")) else "")
            lines += _figure(os.path.join(results, png), captions[png] + "." + sidecar)
    return lines


def _gallery_rst() -> str:
    """reST for the gallery: the reproduce outputs, else ``_static/gallery``, else how-to."""
    if os.path.exists(os.path.join(RESULTS_DIR, "summary.json")):
        return "\n".join(_results_gallery(RESULTS_DIR))
    pngs = sorted(f for f in os.listdir(GALLERY_DIR) if f.lower().endswith(".png")) \
        if os.path.isdir(GALLERY_DIR) else []
    if not pngs:
        return "\n".join([
            "", ".. note::", "",
            "   No figures are bundled with this build of the documentation.  Produce",
            "   them with the main job (every theory: ridge, effective, spectral,",
            "   kernel), then rebuild; the gallery picks up ``results/`` (or the",
            "   directory named by ``GROKKING_RESULTS``)::", "",
            *[f"      {c}" for c in GALLERY_HOWTO], ""])
    lines = [""]
    for png in pngs:
        stem = png[:-4]
        caption = GALLERY_CAPTIONS.get(png, f"``{png}``")
        sidecar = f" JSON sidecar: ``{stem}.json``." \
            if os.path.exists(os.path.join(GALLERY_DIR, stem + ".json")) else ""
        lines += _figure(os.path.join(GALLERY_DIR, png), caption + sidecar)
    return "\n".join(lines)


def _on_source_read(app, docname, source):
    """Append the generated gallery listing to ``gallery.rst`` (no file is written)."""
    if docname == "gallery":
        source[0] = source[0].rstrip("\n") + "\n" + _gallery_rst()


def _always_reread_gallery(app, env, added, changed, removed):
    """The gallery depends on files Sphinx does not track: re-read it on every build."""
    return ["gallery"] if "gallery" in env.found_docs else []


def setup(app):
    app.connect("autodoc-skip-member", _skip_dataclass_fields)
    app.connect("source-read", _on_source_read)
    app.connect("env-get-outdated", _always_reread_gallery)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
