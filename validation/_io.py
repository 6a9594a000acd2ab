"""Writing figures and their JSON sidecars (shared by every theory's figure module)."""

from __future__ import annotations

import json
import os
import tempfile

from theory import __version__
from theory._json import jsonable

__all__ = ["make_out_dir", "save_figure", "write_json", "write_text"]


def make_out_dir(out_dir) -> str:
    """Create ``out_dir`` (ValueError naming it if that fails) and return it as str."""
    out_dir = os.fspath(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"out_dir: cannot create directory {out_dir!r}: {exc.strerror}") \
            from None
    return out_dir


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(out_dir, filename, text: str) -> str:
    """Write ``text`` to ``out_dir/filename`` atomically (temp file + ``os.replace``).

    An interrupted write leaves the previous file or none, never a partial one.
    Returns the path.
    """
    path = os.path.join(out_dir, filename)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())        # mkstemp's 0600 -> what open() would give
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def write_json(out_dir, filename, data) -> str:
    """Write ``data`` as JSON (inf/nan -> null) to ``out_dir/filename`` atomically.

    Returns the path.
    """
    return write_text(out_dir, filename, json.dumps(jsonable(data), indent=1, allow_nan=False))


def save_figure(fig, out_dir, name, sidecar):
    """Write ``fig`` as PNG and PDF plus ``name.json`` (its config and data); return the paths."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    files = []
    for ext, meta in (("png", {"Software": f"grokking-theory {__version__}"}),
                      ("pdf", {"Creator": f"grokking-theory {__version__}",
                               "CreationDate": None})):
        path = os.path.join(out_dir, f"{name}.{ext}")
        fig.savefig(path, dpi=150, metadata=meta)
        files.append(path)
    files.append(write_json(out_dir, f"{name}.json", sidecar))
    return files
