"""The job cache of ``grokking reproduce``: a rerun recomputes only the jobs whose key changed.

A job's key is the SHA-256 of its name, its theory profile and that profile's
settings, the package version and the source files of the modules it runs
(so an edited simulation is rerun even before the version changes).  The
entry ``OUT/.cache/<job>.json`` holds the key and the job's manifest; it is a
hit only when the key matches and every file the manifest lists exists.
Entries are written atomically after the job's outputs are in place.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os

from theory._json import jsonable
from theory._version import __version__
from validation._io import make_out_dir, write_json

__all__ = ["CACHE_DIR", "job_key", "lookup", "manifest_files", "source_digest", "store"]

#: Directory of the cache entries, inside the output directory.
CACHE_DIR = ".cache"


def source_digest(modules) -> str:
    """SHA-256 over the code and data files of the given modules or packages (sorted by path).

    A package contributes its ``.py`` files and shipped data (``.npz``, ``.json``).

    Examples
    --------
    >>> from validation.reproduce.cache import source_digest
    >>> len(source_digest(["validation.reproduce.cache"]))
    64
    """
    files = []
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(f"sources: no module named {name!r}")
        if spec.submodule_search_locations:            # a package: all its .py files
            for root in spec.submodule_search_locations:
                for dirpath, dirnames, filenames in os.walk(root):
                    dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                    files += [os.path.join(dirpath, f) for f in filenames
                              if f.endswith((".py", ".npz", ".json"))]   # code and shipped data
        else:
            files.append(spec.origin)
    h = hashlib.sha256()
    for path in sorted(set(files)):
        h.update(os.path.basename(path).encode())
        with open(path, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def job_key(job, profile: str) -> dict:
    """The key material of ``job`` at ``profile`` and its ``hash``."""
    material = {"job": job.name, "theory_profile": job.theory_profile(profile),
                "settings": jsonable(job.profile_settings(profile)), "version": __version__,
                "sources": source_digest(job.sources)}
    text = json.dumps(material, sort_keys=True, allow_nan=False)
    return {**material, "hash": hashlib.sha256(text.encode()).hexdigest()}


def manifest_files(manifest) -> list[str]:
    """Every output file a manifest lists (its ``config`` and ``summary`` are not searched)."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("config", "summary"):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and os.path.splitext(node)[1] in (".png", ".pdf", ".json",
                                                                     ".csv"):
            out.append(node)

    walk(manifest)
    return out


def lookup(out_dir: str, name: str, key_hash: str):
    """The cached entry of job ``name`` if its key is ``key_hash`` and its files exist."""
    path = os.path.join(out_dir, CACHE_DIR, f"{name}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            entry = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key", {}).get("hash") != key_hash:
        return None
    files = manifest_files(entry.get("manifest", {}))
    if not files or not all(os.path.exists(os.path.join(out_dir, f)) for f in files):
        return None
    return entry


def store(out_dir: str, name: str, entry: dict) -> str:
    """Write the entry of job ``name`` atomically; return its path."""
    return write_json(make_out_dir(os.path.join(out_dir, CACHE_DIR)), f"{name}.json", entry)
