"""Writing figures and their JSON sidecars (shared by every theory's figure module)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile

from theory import __version__
from theory._json import jsonable

__all__ = ["atomic_path", "make_out_dir", "save_figure", "write_json"]


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
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(out_dir, filename, data) -> str:
    """Write ``data`` as JSON (inf/nan -> null) to ``out_dir/filename`` atomically.

    Returns the path.
    """
    path = os.path.join(out_dir, filename)
    text = json.dumps(jsonable(data), indent=1, allow_nan=False)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
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
