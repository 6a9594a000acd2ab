"""Writing figures and their JSON sidecars (shared by every theory's figure module)."""

from __future__ import annotations

import json
import os

from theory import __version__
from theory._json import jsonable

__all__ = ["make_out_dir", "save_figure", "write_json"]


def make_out_dir(out_dir) -> str:
    """Create ``out_dir`` (ValueError naming it if that fails) and return it as str."""
    out_dir = os.fspath(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"out_dir: cannot create directory {out_dir!r}: {exc.strerror}") \
            from None
    return out_dir


def write_json(out_dir, filename, data) -> str:
    """Write ``data`` as JSON (inf/nan -> null) to ``out_dir/filename``; return the path."""
    path = os.path.join(out_dir, filename)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(jsonable(data), fh, indent=1, allow_nan=False)
    return path


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
