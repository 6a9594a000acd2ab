"""Reading learning curves from CSV files (the ``grokking spectral`` contract).

A curve file has a header row; the columns ``step`` and ``train_loss`` are
required, ``train_acc`` and ``val_acc`` are optional, others are ignored.
Steps must be integers, strictly increasing (no duplicates) and consecutive
when the curve is analysed spectrally (a window assumes a uniform step).
"""

from __future__ import annotations

import csv
import math

import numpy as np

__all__ = ["read_curve_csv"]


def read_curve_csv(path, columns=("train_loss",), optional=("train_acc", "val_acc")) -> dict:
    """Read ``step`` and the requested columns of a curve CSV as float arrays.

    Raises
    ------
    ValueError
        With the file name and the problem: unreadable or empty file, a missing
        column, a non-numeric or non-finite value (with its row), duplicated or
        non-increasing steps, or steps that are not consecutive integers.

    Examples
    --------
    >>> import os, tempfile
    >>> from validation.spectral.io import read_curve_csv
    >>> path = os.path.join(tempfile.mkdtemp(), "c.csv")
    >>> _ = open(path, "w").write("step,train_loss,lr\\n0,2.0,1\\n1,1.5,1\\n2,1.2,1\\n")
    >>> read_curve_csv(path)["train_loss"].tolist()
    [2.0, 1.5, 1.2]
    """
    name = str(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames
            rows = list(reader)
    except OSError as exc:
        raise ValueError(f"{name}: cannot read the file ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{name}: not a readable CSV file ({exc})") from None
    if not header:
        raise ValueError(f"{name}: the file is empty (expected a header with step,train_loss)")
    header = [h.strip() for h in header]
    for col in ("step",) + tuple(columns):
        if col not in header:
            raise ValueError(f"{name}: missing column {col!r} (columns found: "
                             f"{', '.join(header)})")
    if not rows:
        raise ValueError(f"{name}: the file has a header but no data rows")
    wanted = ["step"] + list(columns) + [c for c in optional if c in header]
    out = {c: np.empty(len(rows)) for c in wanted}
    for i, row in enumerate(rows):
        row = {(k or "").strip(): v for k, v in row.items()}
        for col in wanted:
            text = (row.get(col) or "").strip()
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{name}: row {i + 2}, column {col!r}: not a number "
                                 f"({text!r})") from None
            if not math.isfinite(value):
                raise ValueError(f"{name}: row {i + 2}, column {col!r}: non-finite value "
                                 f"({text})")
            out[col][i] = value
    steps = out["step"]
    if np.any(steps != np.round(steps)):
        raise ValueError(f"{name}: column 'step' must hold integers")
    diffs = np.diff(steps)
    if np.any(diffs == 0):
        k = int(np.flatnonzero(diffs == 0)[0])
        raise ValueError(f"{name}: duplicated step {int(steps[k])} (rows {k + 2} and {k + 3})")
    if np.any(diffs < 0):
        k = int(np.flatnonzero(diffs < 0)[0])
        raise ValueError(f"{name}: steps are not increasing ({int(steps[k])} then "
                         f"{int(steps[k + 1])}, rows {k + 2}-{k + 3})")
    if np.any(diffs != 1):
        k = int(np.flatnonzero(diffs != 1)[0])
        raise ValueError(f"{name}: steps must be consecutive (one row per step): "
                         f"{int(steps[k])} is followed by {int(steps[k + 1])}")
    out["step"] = steps.astype(np.int64)
    return out
