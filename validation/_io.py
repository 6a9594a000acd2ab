"""Writing figures and their JSON sidecars (shared by every theory's figure module)."""

from __future__ import annotations

import json
import os

from theory import __version__
from theory._json import jsonable

__all__ = ["make_out_dir", "save_figure"]


def make_out_dir(out_dir) -> str:
    """Create ``out_dir`` (ValueError naming it if that fails) and return it as str."""
    out_dir = os.fspath(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"out_dir: cannot create directory {out_dir!r}: {exc.strerror}") \
            from None
    return out_dir


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
    path = os.path.join(out_dir, f"{name}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(jsonable(sidecar), fh, indent=1, allow_nan=False)
    files.append(path)
    return files
