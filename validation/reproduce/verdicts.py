"""Verdict rows: one prediction, its theory value, the measurement, a tolerance, a verdict.

A :class:`VerdictRow` stores numbers only; its :attr:`~VerdictRow.verdict` is
computed from them by :func:`decide` every time it is read, so a report can
never show a verdict that its own numbers do not support.  Each theory
contributes its rows through one small function of its validation report
(:mod:`validation.reproduce.rows`).

Verdicts:

* ``"agree"``: the measurement satisfies the rule within the tolerance;
* ``"outside tolerance"``: it does not;
* ``"undecided"``: the job ran but a number is missing (too few runs for an
  estimate, a crossing outside the grid ...); ``reason`` says why.  Undecided
  is not false;
* ``"not run"``: the job that measures it was not run (``--only``, or its
  module is not installed).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

__all__ = ["AGREE", "NOT_RUN", "OUTSIDE", "RULES", "UNDECIDED", "VerdictRow", "decide",
           "flip_threshold"]

#: Verdict: the rule holds within the tolerance.
AGREE = "agree"
#: Verdict: the rule fails.
OUTSIDE = "outside tolerance"
#: Verdict: a number could not be measured (the row gives the reason).
UNDECIDED = "undecided"
#: Verdict: the row's job did not run.
NOT_RUN = "not run"

#: How a measurement ``m`` is compared with the theory value ``t`` at tolerance ``tol``.
RULES = {
    "abs": "|m - t| <= tol",
    "at_most": "m <= t + tol",
    "at_least": "m >= t - tol",
    "above": "m > t + tol",
}


def _number(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None if x is None else float(x)
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def decide(rule: str, theory, measured, tolerance) -> str:
    """The verdict of one comparison: ``"agree"``, ``"outside tolerance"`` or ``"undecided"``.

    Parameters
    ----------
    rule : {"abs", "at_most", "at_least", "above"}
        See :data:`RULES`.
    theory, measured, tolerance : float or None
        A None or non-finite value gives ``"undecided"``.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For an unknown ``rule``.

    Examples
    --------
    >>> from validation.reproduce.verdicts import decide
    >>> decide("abs", -1.0, -1.000138, 1e-3), decide("abs", -1.0, -1.002, 1e-3)
    ('agree', 'outside tolerance')
    >>> decide("at_most", 0, 0, 0), decide("above", 0.5, 0.5, 0.0), decide("abs", 1, None, 1)
    ('agree', 'outside tolerance', 'undecided')
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    t, m, tol = _number(theory), _number(measured), _number(tolerance)
    if t is None or m is None or tol is None:
        return UNDECIDED
    ok = {"abs": abs(m - t) <= tol, "at_most": m <= t + tol, "at_least": m >= t - tol,
          "above": m > t + tol}[rule]
    return AGREE if ok else OUTSIDE


def flip_threshold(rule: str, theory: float, measured: float) -> float:
    """The tolerance at which the verdict of ``(rule, theory, measured)`` changes.

    ``"abs"``, ``"at_most"``, ``"at_least"``: agree for ``tol >=`` the value,
    outside below it; ``"above"``: agree for ``tol <`` the value.

    Examples
    --------
    >>> from validation.reproduce.verdicts import flip_threshold
    >>> flip_threshold("abs", 0.2, 0.215), flip_threshold("at_least", 0.5, 0.7)
    (0.015, -0.2)
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    t, m = float(theory), float(measured)
    return round({"abs": abs(m - t), "at_most": m - t, "at_least": t - m,
                  "above": m - t}[rule], 15)


@dataclass(frozen=True)
class VerdictRow:
    """One computed verdict of the reproduction report.

    Parameters
    ----------
    theory : str
        Section of the report (``"ridge"``, ``"effective"``, ...).
    key : str
        Stable identifier (snake_case), unique within the report.
    prediction : str
        What the theory predicts, in words, naming the measured quantity.
    theory_value : float or None
        The predicted value (the comparison's ``t``).
    measured : float or None
        The simulation's value (``m``); None when it could not be measured.
    tolerance : float or None
        ``tol`` of the rule.
    rule : str
        One of :data:`RULES`.
    tolerance_reason : str
        Why this tolerance (a derivation, a standard error, a count).
    source : str
        Where the theory value comes from (closed form, equation, solver).
    detail : str
        Context shown beside the measurement (standard error, counts, ...).
    figure : str or None
        Path of the figure that shows it, relative to the output directory.
    ran : bool
        False when the job was not run: the verdict is ``"not run"``.
    reason : str or None
        Why a number is missing (shown for ``"undecided"`` and ``"not run"``).
    """

    theory: str
    key: str
    prediction: str
    theory_value: float | None
    measured: float | None
    tolerance: float | None
    rule: str = "abs"
    tolerance_reason: str = ""
    source: str = ""
    detail: str = ""
    figure: str | None = None
    ran: bool = True
    reason: str | None = field(default=None)

    def __post_init__(self):
        if self.rule not in RULES:
            raise ValueError(f"rule must be one of {', '.join(RULES)}, got {self.rule!r}")

    @property
    def verdict(self) -> str:
        """Computed from the row's numbers by :func:`decide` (``"not run"`` if not ``ran``)."""
        if not self.ran:
            return NOT_RUN
        return decide(self.rule, self.theory_value, self.measured, self.tolerance)

    def to_dict(self) -> dict:
        """JSON-ready, with the computed ``verdict`` and the rule's formula."""
        d = asdict(self)
        for k in ("theory_value", "measured", "tolerance"):
            d[k] = _number(d[k])
        d["verdict"] = self.verdict
        d["rule_formula"] = RULES[self.rule]
        return d
