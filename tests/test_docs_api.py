"""Every public name is in the API reference (``docs/api/*.rst``).

The public API is the ``__all__`` of every module of ``theory`` and
``validation`` whose dotted path has no component starting with ``_`` (plus
the ``__all__`` of the :mod:`grokking_cli` package).  A name counts as
documented when an API page gives it an entry of its own, under its own path,
a re-export's path or the path of its definition:

* ``.. automodule:: M`` documents ``M`` and, as autodoc does with this
  project's settings (``members`` on, ``undoc-members`` off), every name of
  ``M.__all__`` (or of ``:members: a, b``; with ``:ignore-module-all:`` the
  names defined in ``M``) that has a docstring, or, for data, a ``#:``
  comment in ``M``'s source; ``:no-members:`` documents the module only;
* ``.. autofunction::``, ``autoclass``, ``autoexception``, ``autodata`` and
  the ``py:`` directives document their argument (autodoc reads a dotted
  name as absolute, the ``py:`` directives as relative to the current module).

An ``autosummary`` table only links to entries, so each of its names must be
documented under exactly that path (else the link is silently dead).  The
reST is parsed; the build is not run (CI builds it with ``-W``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
import textwrap
from pathlib import Path

import pytest

# the optional docs extra (pip install -e ".[docs]"; CI installs it): Sphinx's own
# reader of "#:" comments, so the check sees the data docs exactly as autodoc does
pycode = pytest.importorskip("sphinx.pycode", reason="needs the docs extra (Sphinx)")
PycodeError = pytest.importorskip("sphinx.errors").PycodeError

DOCS = Path(__file__).resolve().parents[1] / "docs"
API_PAGES = sorted((DOCS / "api").glob("*.rst"))
PACKAGES = ("theory", "validation")
PACKAGE_ONLY = ("grokking_cli",)        # its package __all__; the verb modules are the CLI

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w:-]+)::\s*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
_ENTRY_DIRECTIVES = {
    f"{prefix}{kind}" for prefix in ("auto", "py:")
    for kind in ("function", "class", "exception", "data", "attribute", "method", "decorator")
}


def public_modules() -> list:
    """Dotted names of the public modules (no ``_`` component) of :data:`PACKAGES`."""
    names = []
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.append(pkg_name)
        names += [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg_name + ".")]
    return [n for n in names if not any(part.startswith("_") for part in n.split("."))]


def parse_directives(text: str) -> list:
    """``(directive, argument, options, content lines, current module)`` per directive."""
    lines = text.splitlines()
    out, current = [], None
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m["indent"])
        name, arg = m["name"], m["arg"]
        options, content = {}, []
        i += 1
        in_options = True
        while i < len(lines):
            line = lines[i]
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break                                   # the directive's block has ended
            opt = _OPTION.match(line) if in_options else None
            if opt:
                options[opt["key"]] = opt["value"]
            elif line.strip():
                in_options = False
                content.append(line.strip())
            elif options or content:
                in_options = False
            i += 1
        if name in ("currentmodule", "module", "py:module", "py:currentmodule", "automodule"):
            current = None if arg == "None" else arg
        out.append((name, arg, options, content, current))
    return out


def _qualify(name: str, current) -> str:
    name = name.lstrip("~!")
    return name if "." in name or current is None else f"{current}.{name}"


def _attr_docs(modname: str) -> set:
    """Names documented by a ``#:`` comment (or a string after them) in ``modname``'s source."""
    try:
        return {name for (ns, name) in pycode.ModuleAnalyzer.for_module(modname).find_attr_docs()
                if ns == ""}
    except PycodeError:
        return set()


def _is_code(obj) -> bool:
    return inspect.isclass(obj) or inspect.isroutine(obj)


def automodule_members(modname: str, options: dict) -> set:
    """Full names autodoc documents for ``.. automodule:: modname`` with ``options``."""
    if "no-members" in options:
        return set()
    mod = importlib.import_module(modname)
    attr_docs = _attr_docs(modname)
    if options.get("members"):
        names = [n.strip() for n in options["members"].split(",") if n.strip()]
    elif "ignore-module-all" in options or not hasattr(mod, "__all__"):
        names = [n for n, obj in vars(mod).items() if not n.startswith("_")
                 and ((_is_code(obj) and getattr(obj, "__module__", None) == modname)
                      or n in attr_docs)]
    else:
        names = list(mod.__all__)
    if "undoc-members" not in options:
        names = [n for n in names if n in attr_docs
                 or (_is_code(getattr(mod, n, None)) and inspect.getdoc(getattr(mod, n)))]
    return {f"{modname}.{n}" for n in names}


def documented(texts) -> tuple:
    """``(documented full names, autosummary entries)`` of the given reST sources."""
    names, summaries = set(), []
    for text in texts:
        for name, arg, options, content, current in parse_directives(text):
            if name == "automodule":
                names.add(arg)
                names |= automodule_members(arg, options)
            elif name in _ENTRY_DIRECTIVES:
                target = arg.split("(")[0].strip()
                if name.startswith("py:"):      # py: names are relative to their module
                    module = options.get("module", current)
                    names.add(f"{module}.{target}" if module else target)
                else:                           # autodoc: a dotted name is absolute
                    names.add(_qualify(target, current))
            elif name == "autosummary":
                summaries += [_qualify(entry, current) for entry in content]
    return names, summaries


def public_names(modules) -> dict:
    """``{module.name: every path the object is documented under if documented}``."""
    mods = {m: importlib.import_module(m) for m in modules}
    exported = {m: list(getattr(mod, "__all__", ())) for m, mod in mods.items()}
    out = {}
    for m, names in exported.items():
        for name in names:
            obj = getattr(mods[m], name)
            paths = {f"{m2}.{name}" for m2, names2 in exported.items()
                     if name in names2 and getattr(mods[m2], name) is obj}
            if _is_code(obj) and hasattr(obj, "__qualname__"):
                paths.add(f"{obj.__module__}.{obj.__qualname__}")
            out[f"{m}.{name}"] = paths
    return out


def missing(texts, modules) -> list:
    """Public modules and names with no entry in ``texts``."""
    names, _ = documented(texts)
    gaps = [m for m in modules if m not in names]
    gaps += [full for full, paths in public_names(modules).items() if not paths & names]
    return sorted(gaps)


@pytest.fixture(scope="module")
def api_texts():
    assert API_PAGES, f"no API pages under {DOCS / 'api'}"
    return [p.read_text(encoding="utf-8") for p in API_PAGES]


def test_every_public_name_is_documented(api_texts):
    gaps = missing(api_texts, public_modules())
    assert not gaps, ("missing from docs/api/*.rst (add an automodule, or a docstring / "
                      "#: comment so autodoc keeps it):\n  " + "\n  ".join(gaps))


def test_cli_entry_points_are_documented(api_texts):
    names, _ = documented(api_texts)
    for pkg in PACKAGE_ONLY:
        mod = importlib.import_module(pkg)
        gaps = [f"{pkg}.{n}" for n in mod.__all__ if f"{pkg}.{n}" not in names]
        assert not gaps, f"missing from docs/api/*.rst: {gaps}"


def test_autosummary_entries_link_to_an_entry(api_texts):
    names, summaries = documented(api_texts)
    assert summaries, "the API pages have no autosummary table"
    dead = sorted(set(summaries) - names)
    assert not dead, f"autosummary entries with no entry of their own (dead links): {dead}"


# ------------------------------------------------------------ the checker itself
@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """A throw-away module: a documented and an undocumented function, data with and without #:."""
    (tmp_path / "fake_api_mod.py").write_text(textwrap.dedent('''
        __all__ = ["documented", "bare", "NOTED", "PLAIN"]

        #: A constant with a doc comment.
        NOTED = (1, 2)

        PLAIN = (3, 4)


        def documented():
            """Has a docstring."""


        def bare():
            pass
    '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fake_api_mod"
    sys.modules.pop("fake_api_mod", None)


def test_checker_reports_undocumented_names(fake_module):
    page = f".. automodule:: {fake_module}\n"
    assert missing([page], [fake_module]) == [f"{fake_module}.PLAIN", f"{fake_module}.bare"]
    # an explicit entry documents a name autodoc would skip
    page += f"\n.. autofunction:: {fake_module}.bare\n\n.. autodata:: {fake_module}.PLAIN\n"
    assert missing([page], [fake_module]) == []


def test_checker_honours_no_members_and_members(fake_module):
    page = f".. automodule:: {fake_module}\n   :no-members:\n"
    assert missing([page], [fake_module]) == sorted(
        f"{fake_module}.{n}" for n in ("NOTED", "PLAIN", "bare", "documented"))
    page = f".. automodule:: {fake_module}\n   :members: documented\n"
    assert f"{fake_module}.NOTED" in missing([page], [fake_module])
    assert missing([""], [fake_module])[0] == fake_module        # the module itself


def test_checker_resolves_autosummary_relative_to_currentmodule(fake_module):
    page = textwrap.dedent(f"""
        .. currentmodule:: {fake_module}

        .. autosummary::

           documented
           bare

        .. autofunction:: documented
    """)
    names, summaries = documented([page])
    assert summaries == [f"{fake_module}.documented", f"{fake_module}.bare"]
    assert set(summaries) - names == {f"{fake_module}.bare"}


def test_checker_reads_py_directives_relative_to_their_module(fake_module):
    page = f".. automodule:: {fake_module}\n   :no-members:\n\n.. py:data:: PLAIN\n"
    assert f"{fake_module}.PLAIN" in documented([page])[0]
    page = f".. automodule:: {fake_module}\n   :no-members:\n\n.. py:data:: {fake_module}.PLAIN\n"
    assert f"{fake_module}.PLAIN" not in documented([page])[0]      # {module}.{module}.PLAIN
    page = f".. py:data:: PLAIN\n   :module: {fake_module}\n"
    assert f"{fake_module}.PLAIN" in documented([page])[0]
