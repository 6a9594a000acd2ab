"""What every ``predict`` answer shares: its config stamp, means over defined runs, majorities."""

from __future__ import annotations

import math
from collections import Counter

from theory._version import __version__

__all__ = ["majority", "mean_defined", "stamp", "undecided"]


def stamp(verb: str, theory: str, paper: str, parameters: dict, **extra) -> dict:
    """The ``config`` of a ``predict`` answer: verb, theory, paper, parameters, ..., version."""
    return {"predict": verb, "theory": theory, "paper": paper, "parameters": parameters,
            **extra, "version": __version__}


def mean_defined(values, seeds) -> dict:
    """Mean over the runs whose value is not None, and which seeds those are.

    The sum is ``math.fsum`` divided by the count, the rule of every mean of
    the toolkit's JSON, so two verbs that average the same runs print the
    same number.

    Examples
    --------
    >>> from validation.predict._common import mean_defined
    >>> mean_defined([3, None, 4], [0, 1, 2])
    {'mean': 3.5, 'n': 2, 'seeds': [0, 2]}
    """
    pairs = [(float(v), s) for v, s in zip(values, seeds) if v is not None]
    if not pairs:
        return {"mean": None, "n": 0, "seeds": []}
    return {"mean": math.fsum(v for v, _ in pairs) / len(pairs), "n": len(pairs),
            "seeds": [s for _, s in pairs]}


def majority(values):
    """The value held by more than half of ``values`` (None entries count against), else None.

    Examples
    --------
    >>> from validation.predict._common import majority
    >>> majority(["a", "a", None]), majority(["a", "b"]), majority([False, False, True])
    ('a', None, False)
    """
    values = list(values)
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    value, count = counts.most_common(1)[0]
    return value if 2 * count > len(values) else None


def undecided(reason: str) -> dict:
    """``{"value": None, "reason": ...}``: an answer the evidence does not decide."""
    return {"value": None, "reason": reason}
