"""Reading a user's training split (pairs ``(a, b)``) from a CSV or JSON file.

Formats (the file's extension decides; ``.json`` is JSON, anything else CSV):

* **CSV**: one training pair per line, two integers ``a,b`` in ``[0, p-1]``;
  an optional header line ``a,b``; blank lines and lines starting with ``#``
  are skipped.  Rows are numbered as lines of the file (1 = first line).
* **JSON**: a list of pairs ``[[a, b], ...]``, or an object with a
  ``train_pairs`` list (the output of ``grokking effective analyze`` or of
  ``grokking predict toy`` can be fed back).  Rows are numbered from 1.

Pairs are unordered (``(a, b)`` and ``(b, a)`` are the same sample of
``D0 = {(i, j): i <= j}``); every pair must be in range and appear once.
"""

from __future__ import annotations

import csv
import json
import os

__all__ = ["SPLIT_FORMAT", "read_split"]

#: The accepted formats of a training-split file (``--split FILE``).
SPLIT_FORMAT = ("CSV: one pair 'a,b' of integers in [0, p-1] per line (optional header 'a,b', "
                "'#' comments); JSON: [[a, b], ...] or {\"train_pairs\": [[a, b], ...]}; pairs "
                "are unordered and must be unique")


def _int(text, name: str, row: int):
    if isinstance(text, bool):
        raise ValueError(f"{name}: row {row}: {text!r} is not an integer")
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"{name}: row {row}: {str(text).strip()!r} is not an integer") from None
    if not value.is_integer():
        raise ValueError(f"{name}: row {row}: {text} is not an integer")
    return int(value)


def _csv_rows(path: str, name: str):
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            lines = list(csv.reader(fh))
    except OSError as exc:
        raise ValueError(f"{name}: cannot read the file ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{name}: not a readable CSV file ({exc})") from None
    rows = []
    for number, cells in enumerate(lines, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not rows and [c.lower() for c in cells] == ["a", "b"]:
            continue                                    # the optional header
        rows.append((number, cells))
    return rows


def _json_rows(path: str, name: str):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ValueError(f"{name}: cannot read the file ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{name}: not valid JSON ({exc})") from None
    if isinstance(data, dict):
        if "train_pairs" not in data:
            raise ValueError(f"{name}: a JSON object must have a 'train_pairs' list")
        data = data["train_pairs"]
    if not isinstance(data, list):
        raise ValueError(f"{name}: expected a list of [a, b] pairs, got {type(data).__name__}")
    return [(k, pair if isinstance(pair, list) else [pair]) for k, pair in
            enumerate(data, start=1)]


def read_split(path, task):
    """The training split of ``task`` listed in ``path`` (see the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
    task : theory.effective.ArithmeticTask

    Returns
    -------
    theory.effective.TrainingSplit

    Raises
    ------
    ValueError
        Naming the file and the offending row: unreadable file, a row that is
        not two integers, a symbol outside ``[0, p-1]``, a pair given twice
        (in either order), an empty split, or a split with no test sample left.

    Examples
    --------
    >>> import os, tempfile
    >>> from theory.effective import ArithmeticTask
    >>> from validation.predict import read_split
    >>> path = os.path.join(tempfile.mkdtemp(), "split.csv")
    >>> _ = open(path, "w").write("a,b\\n0,2\\n1,1\\n3,0\\n")
    >>> read_split(path, ArithmeticTask(4)).train.tolist()
    [2, 3, 4]
    """
    from theory.effective import split_from_pairs

    path = os.fspath(path)
    name = os.path.basename(path) or path
    rows = _json_rows(path, name) if path.lower().endswith(".json") else _csv_rows(path, name)
    if not rows:
        raise ValueError(f"{name}: no training pairs found ({SPLIT_FORMAT})")
    p = task.p
    seen = {}
    pairs = []
    for number, cells in rows:
        if len(cells) != 2:
            raise ValueError(f"{name}: row {number}: expected two integers a,b, got "
                             f"{len(cells)} value(s)")
        a, b = (_int(v, name, number) for v in cells)
        if not (0 <= a < p and 0 <= b < p):
            raise ValueError(f"{name}: row {number}: ({a}, {b}) is out of range: symbols must "
                             f"be integers in [0, {p - 1}] for p = {p}")
        key = (min(a, b), max(a, b))
        if key in seen:
            raise ValueError(f"{name}: row {number}: ({a}, {b}) repeats row {seen[key]} "
                             f"(pairs are unordered: (a, b) and (b, a) are one sample)")
        seen[key] = number
        pairs.append(key)
    if len(pairs) >= task.n_samples:
        raise ValueError(f"{name}: the split holds all {task.n_samples} samples of D0 for "
                         f"p = {p}: no test sample is left to generalize to")
    return split_from_pairs(task, pairs)
