"""The four learning phases of Liu et al. (2022), Table 1, as a shared classifier.

A run is summarised by the first step at which its training accuracy and its
validation accuracy reach the threshold (None if never within the budget).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from theory._checks import check_positive, check_positive_int
from theory._result import ResultMixin

__all__ = ["PHASES", "PhaseDefinition", "classify_phase"]

#: The four phases of Table 1, in the order used for ties and plots.
PHASES = ("comprehension", "grokking", "memorization", "confusion")


@dataclass(frozen=True)
class PhaseDefinition(ResultMixin):
    """Budget, accuracy threshold and lag that define the phases.

    Parameters
    ----------
    budget : int
        Steps within which a threshold must be reached (default ``10**5``).
    acc_threshold : float
        Accuracy in ``(0, 1]`` that counts as "reached" (default 0.9).
    lag : int
        Validation may trail training by at most this many steps and still
        count as comprehension (default 1000).

    Notes
    -----
    Table 1 of the paper, with the two cases it leaves open made explicit:

    * comprehension: both reached and ``iter_val - iter_train <= lag`` (a lag
      of exactly ``lag`` steps, or validation before training, is comprehension);
    * grokking: both reached and ``iter_val - iter_train > lag``;
    * memorization: training reached, validation never;
    * confusion: training never reached, *whether or not validation was*
      (validation without training is flagged ``val_without_train`` in
      :func:`classify_phase`'s result: the decoder never fits its own training set).
    """

    budget: int = 100_000
    acc_threshold: float = 0.9
    lag: int = 1000

    def __post_init__(self):
        object.__setattr__(self, "budget", check_positive_int("budget", self.budget))
        thr = check_positive("acc_threshold", self.acc_threshold)
        if thr > 1:
            raise ValueError(f"acc_threshold must lie in (0, 1], got {thr}")
        object.__setattr__(self, "acc_threshold", thr)
        lag = self.lag
        if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
            raise ValueError(f"lag must be an integer >= 0, got {lag!r}")

    def _dict_extra(self) -> dict:
        return {"rule": "comprehension: train and val reach acc_threshold, val at most `lag` "
                        "steps after train; grokking: val more than `lag` steps after train; "
                        "memorization: train reached, val never; confusion: train never "
                        "reached (even if val was); steps are counted within `budget`"}


def classify_phase(iter_train: int | None, iter_val: int | None,
                   definition: PhaseDefinition = PhaseDefinition(),
                   diverged: bool = False) -> dict:
    """Classify one run into comprehension / grokking / memorization / confusion.

    Parameters
    ----------
    iter_train, iter_val : int or None
        First step at which training / validation accuracy reached the
        threshold; None if never.  Steps ``>= definition.budget`` count as never.
    definition : PhaseDefinition, optional
    diverged : bool, optional
        A run whose loss became non-finite is ``"diverged"``, never one of the four.

    Returns
    -------
    dict
        ``phase``, ``lag`` (``iter_val - iter_train`` or None) and
        ``val_without_train``.

    Examples
    --------
    >>> from theory.effective import classify_phase
    >>> classify_phase(300, 5000)["phase"], classify_phase(300, 1300)["phase"]
    ('grokking', 'comprehension')
    >>> classify_phase(300, None)["phase"], classify_phase(None, 200)
    ('memorization', {'phase': 'confusion', 'lag': None, 'val_without_train': True})
    """
    if not isinstance(definition, PhaseDefinition):
        raise TypeError(f"definition must be a PhaseDefinition, got {type(definition).__name__}")
    if not isinstance(diverged, (bool, np.bool_)):
        raise TypeError(f"diverged must be a bool, got {diverged!r}")
    if diverged:
        return {"phase": "diverged", "lag": None, "val_without_train": False}

    def within(it, name):
        if it is None:
            return None
        if isinstance(it, (bool, np.bool_)) or not isinstance(it, (numbers.Real, np.number)):
            raise TypeError(f"{name}: iteration counts must be integers >= 0 or None, "
                            f"got {it!r}")
        if not math.isfinite(it) or int(it) != it or it < 0:
            raise ValueError(f"{name}: iteration counts must be integers >= 0 or None, "
                             f"got {it!r}")
        return int(it) if it < definition.budget else None

    it_t, it_v = within(iter_train, "iter_train"), within(iter_val, "iter_val")
    if it_t is None:
        return {"phase": "confusion", "lag": None, "val_without_train": it_v is not None}
    if it_v is None:
        return {"phase": "memorization", "lag": None, "val_without_train": False}
    lag = it_v - it_t
    phase = "comprehension" if lag <= definition.lag else "grokking"
    return {"phase": phase, "lag": lag, "val_without_train": False}
