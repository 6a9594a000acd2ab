"""Reading learning curves (the ``grokking spectral`` / ``grokking predict`` contract).

A curve CSV has a header row; the columns ``step`` and ``train_loss`` (or the
column named by the caller) are required, ``train_acc`` and ``val_acc`` are
optional, others are ignored.  Steps must be integers, strictly increasing
(no duplicates).  :func:`read_curve_csv` requires consecutive steps by
default (a spectral window assumes a uniform step); :func:`read_curve`
accepts strided or uneven steps, and TensorBoard event files when the
optional ``tbparse`` package is installed (``pip install tbparse``), and
:func:`predict_curve_dict` applies a shipped early-curve model to a file.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass

import numpy as np

__all__ = ["UserCurve", "is_early_model", "predict_curve_dict", "read_curve", "read_curve_csv"]


def read_curve_csv(path, columns=("train_loss",), optional=("train_acc", "val_acc"), *,
                   consecutive: bool = True) -> dict:
    """Read ``step`` and the requested columns of a curve CSV as float arrays.

    ``consecutive=False`` accepts strided or uneven (strictly increasing)
    steps, e.g. a loss logged every 10 steps; :func:`read_curve` then
    resamples them.

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
    if consecutive and np.any(diffs != 1):
        k = int(np.flatnonzero(diffs != 1)[0])
        raise ValueError(f"{name}: steps must be consecutive (one row per step): "
                         f"{int(steps[k])} is followed by {int(steps[k + 1])}")
    out["step"] = steps.astype(np.int64)
    return out


@dataclass(frozen=True)
class UserCurve:
    """A curve read from a user's file: logged steps and values, and where they came from."""

    steps: np.ndarray
    values: np.ndarray
    column: str
    source: str
    fmt: str


def _is_tensorboard(path: str) -> bool:
    return os.path.isdir(path) or "tfevents" in os.path.basename(path)


def _read_tensorboard(path: str, column: str) -> UserCurve:
    try:
        from tbparse import SummaryReader
    except ImportError:
        raise ValueError(f"{path}: reading TensorBoard event files needs the optional package "
                         f"tbparse (pip install tbparse), or export the curve as a CSV with "
                         f"columns step,{column}") from None
    frame = SummaryReader(path, pivot=False).scalars
    if frame is None or len(frame) == 0:
        raise ValueError(f"{path}: no scalar summaries found in the event file(s)")
    tags = sorted(set(frame["tag"]))
    if column not in tags:
        raise ValueError(f"{path}: no scalar tag {column!r} (tags found: {', '.join(tags)}); "
                         f"pass the tag as the column")
    sel = frame[frame["tag"] == column].sort_values("step", kind="stable")
    steps = np.asarray(sel["step"], dtype=np.float64)
    values = np.asarray(sel["value"], dtype=np.float64)
    if np.any(np.diff(steps) == 0):
        raise ValueError(f"{path}: tag {column!r} has several values at one step (several runs "
                         f"or a restarted run in one directory?); point to one event file")
    return UserCurve(steps.astype(np.int64), values, column, path, "tensorboard (tbparse)")


def read_curve(path, column: str = "train_loss") -> UserCurve:
    """Read one training-loss curve from a CSV or a TensorBoard event file.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV with a header (``step`` and ``column``; other columns ignored;
        strided or uneven steps allowed), or a TensorBoard event file or
        directory (needs ``tbparse``; ``column`` is then the scalar tag).
    column : str
        The loss column or tag (default ``"train_loss"``).

    Returns
    -------
    UserCurve
        Steps as logged; resampling onto unit steps is done (and stated) by
        :meth:`theory.spectral.model.EarlyCurveModel.predict`.

    Raises
    ------
    ValueError
        With the file name and the problem (see :func:`read_curve_csv`).

    Examples
    --------
    >>> import os, tempfile
    >>> from validation.spectral.io import read_curve
    >>> path = os.path.join(tempfile.mkdtemp(), "c.csv")
    >>> _ = open(path, "w").write("step,lr,train_loss\\n0,1,2.0\\n10,1,1.5\\n20,1,1.2\\n")
    >>> c = read_curve(path)
    >>> c.steps.tolist(), c.values.tolist(), c.fmt
    ([0, 10, 20], [2.0, 1.5, 1.2], 'csv')
    """
    text = os.fspath(path)
    if not isinstance(column, str) or not column:
        raise ValueError(f"column must be a non-empty string, got {column!r}")
    if _is_tensorboard(text):
        return _read_tensorboard(text, column)
    table = read_curve_csv(text, columns=(column,), optional=(), consecutive=False)
    return UserCurve(table["step"], table[column], column, text, "csv")


def is_early_model(name_or_path) -> bool:
    """True if ``name_or_path`` is a shipped early-curve model name or an early-curve model file.

    For ``grokking spectral score --model``: a calibrated threshold rule from
    ``grokking spectral calibrate`` gives False.

    Examples
    --------
    >>> from validation.spectral.io import is_early_model
    >>> is_early_model("toy"), is_early_model("no/such/file.json")
    (True, False)
    """
    import json

    from theory.spectral.model import MODEL_FORMAT, available_models

    text = os.fspath(name_or_path)
    if text in available_models():
        return True
    try:
        with open(text, encoding="utf-8") as fh:
            return json.load(fh).get("format") == MODEL_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def predict_curve_dict(path, model="toy", column: str = "train_loss", split=None) -> dict:
    """Apply an early-curve model to a curve file: the JSON-able answer of ``predict curve``.

    Parameters
    ----------
    path : str or os.PathLike
        See :func:`read_curve`.
    model : str or os.PathLike or EarlyCurveModel
        A shipped model name (``"toy"``, ``"modular"``, ...), a model file,
        or a loaded model.
    column : str
    split : dict, optional
        Split features, for models that use them (see
        :func:`validation.spectral.combined.split_features`).

    Returns
    -------
    dict
        ``probability``, ``prediction``, ``threshold``, ``evidence``,
        ``warnings``, ``window``, ``resampled``, ``family``, ``model``,
        ``model_version``, ``confident``, the model's stored ``held_out``
        metrics and a ``config`` echoing the inputs.
    """
    from theory import __version__
    from theory.spectral.model import EarlyCurveModel, load_model

    m = model if isinstance(model, EarlyCurveModel) else load_model(model)
    curve = read_curve(path, column)
    pred = m.predict(curve.values, steps=curve.steps, split=split)
    out = pred.to_dict()
    out["held_out"] = m.held_out()
    out["config"] = {"curve": curve.source, "column": column, "format": curve.fmt,
                     "model": m.name, "model_version": m.version, "family": m.family,
                     "window": m.window, "logged_points": int(curve.steps.size),
                     "first_step": int(curve.steps[0]), "last_step": int(curve.steps[-1]),
                     "split": split, "definitions": {
                         "probability": "calibrated P(the run generalizes within the family's "
                                        "budget); null = no confident answer (see warnings)",
                         "prediction": "probability >= threshold",
                         "contribution": "the feature's term w_i z_i of the log-odds"},
                     "version": __version__}
    return out
