"""Writing figures and their JSON sidecars (shared by every theory's figure module)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile

from theory import __version__
from theory._json import jsonable

__all__ = ["TIMING_KEYS", "atomic_path", "make_out_dir", "save_figure", "split_timings",
           "write_json", "write_text"]

#: Keys whose values are wall-clock measurements.  They differ between two runs
#: with the same seeds, so no JSON result carries them: :func:`write_json` moves
#: them to a ``.times`` file beside the JSON, the CLI prints them on stderr.
TIMING_KEYS = frozenset({
    "seconds", "timings_s", "timing", "gd_step_ms", "ms_per_step", "fig1_batch_ms_per_step",
    "run_steps_per_s", "throughput_run_steps_per_s", "seconds_per_chain_step", "wall_s",
    "setup_s", "train_s",
})


def make_out_dir(out_dir) -> str:
    """Create ``out_dir`` (ValueError naming it if that fails) and return it as str."""
    out_dir = os.fspath(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"out_dir: cannot create directory {out_dir!r}: {exc.strerror}") \
            from None
    return out_dir


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    Every output of the package is written this way, so an interrupted job
    (Ctrl-C, a crash, a full disk) leaves the previous file or none, never a
    partial one: ``os.replace`` is atomic on POSIX and Windows.

    Examples
    --------
    >>> import os, tempfile
    >>> from validation._io import atomic_path
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_path(target) as tmp:
    ...     _ = open(tmp, "w").write("done")
    >>> open(target).read()
    'done'
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=directory)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())     # mkstemp's 0600 -> the mode open() would give
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(out_dir, filename, text: str) -> str:
    """Write ``text`` to ``out_dir/filename`` atomically; return the path."""
    path = os.path.join(out_dir, filename)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def split_timings(node, _path: str = ""):
    """``(node without the TIMING_KEYS entries, {dotted path: removed value})``.

    Examples
    --------
    >>> from validation._io import split_timings
    >>> split_timings({"a": 1, "seconds": 2.5, "b": [{"timing": {"wall_s": 1}}, 3]})
    ({'a': 1, 'b': [{}, 3]}, {'seconds': 2.5, 'b.0.timing': {'wall_s': 1}})
    """
    removed = {}
    if isinstance(node, dict):
        clean = {}
        for k, v in node.items():
            path = f"{_path}.{k}" if _path else str(k)
            if k in TIMING_KEYS:
                removed[path] = v
            else:
                clean[k], sub = split_timings(v, path)
                removed.update(sub)
        return clean, removed
    if isinstance(node, (list, tuple)):
        clean = []
        for i, v in enumerate(node):
            c, sub = split_timings(v, f"{_path}.{i}" if _path else str(i))
            clean.append(c)
            removed.update(sub)
        return clean, removed
    return node, removed


def write_json(out_dir, filename, data) -> str:
    """Write ``data`` as JSON (inf/nan -> null) to ``out_dir/filename`` atomically.

    Wall times (:data:`TIMING_KEYS`) are left out of the JSON, so the same seeds
    give the same bytes; they go to ``out_dir/<stem>.times`` (JSON text, keyed
    by dotted path) when there are any.  Returns the path of the JSON file.
    """
    clean, timings = split_timings(jsonable(data))
    path = write_text(out_dir, filename, json.dumps(clean, indent=1, allow_nan=False))
    if timings:
        stem = filename[:-5] if filename.endswith(".json") else filename
        write_text(out_dir, f"{stem}.times", json.dumps(timings, indent=1, allow_nan=False))
    return path


def save_figure(fig, out_dir, name, sidecar):
    """Write ``fig`` as PNG and PDF plus ``name.json`` (its config and data), each atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    files = []
    for ext, meta in (("png", {"Software": f"grokking-theory {__version__}"}),
                      ("pdf", {"Creator": f"grokking-theory {__version__}",
                               "CreationDate": None})):
        path = os.path.join(out_dir, f"{name}.{ext}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, dpi=150, metadata=meta)
        files.append(path)
    files.append(write_json(out_dir, f"{name}.json", sidecar))
    return files
