"""Strict-JSON conversion shared by results, the CLI and figure sidecars."""

from __future__ import annotations

import math

import numpy as np


def jsonable(obj):
    """Convert ``obj`` for ``json.dumps(..., allow_nan=False)``.

    Numpy scalars and arrays become Python numbers and lists, tuples become
    lists, dict keys become strings, and non-finite floats become None (JSON
    has no inf or NaN; every field that can be infinite documents what None
    means there).

    Examples
    --------
    >>> import numpy as np
    >>> from theory._json import jsonable
    >>> jsonable({"a": np.arange(2), "b": (np.float64(np.inf), np.True_)})
    {'a': [0, 1], 'b': [None, True]}
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    return obj
