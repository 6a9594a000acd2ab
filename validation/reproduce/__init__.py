"""``grokking reproduce``: every theory's figures and validations, one report of computed verdicts.

* :mod:`~validation.reproduce.verdicts`: :class:`VerdictRow` and :func:`decide`
  (a verdict is a function of the row's numbers);
* :mod:`~validation.reproduce.rows`: one function per theory turning its
  validation report into verdict rows;
* :mod:`~validation.reproduce.jobs`: the jobs, their profiles and time estimates;
* :mod:`~validation.reproduce.cache`: keys (configuration, version, sources) and entries;
* :mod:`~validation.reproduce.render`: ``report.md`` and ``report.html``;
* :mod:`~validation.reproduce.runner`: :func:`reproduce`, which runs it all.
"""

from validation.reproduce.jobs import JOBS, PROFILES, Job, job_names
from validation.reproduce.runner import reproduce
from validation.reproduce.verdicts import RULES, VerdictRow, decide

__all__ = ["JOBS", "PROFILES", "RULES", "Job", "VerdictRow", "decide", "job_names", "reproduce"]
