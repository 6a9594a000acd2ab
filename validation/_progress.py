"""One progress bar for every long job (ridge, effective, spectral, kernel, reproduce).

:func:`progress_bar` is a tqdm bar on stderr when ``enabled`` and a silent
object with the same ``update`` / ``close`` / context-manager interface
otherwise, so the jobs call it unconditionally.  The CLI decides ``enabled``:
by default progress is shown when stderr is a terminal (see
:func:`grokking_cli.common.resolve_progress`); ``--quiet`` turns it off.
"""

from __future__ import annotations

import sys

__all__ = ["progress_bar"]


def progress_bar(total, desc: str, *, enabled: bool, unit: str = "it"):
    """A tqdm bar on stderr (``leave=False``: it disappears when closed) or a no-op.

    Parameters
    ----------
    total : int or float or None
        Units of work (None: unknown, the bar only counts).
    desc : str
        Shown before the bar, e.g. ``"kernel: Langevin"``.
    enabled : bool
        False gives a bar that prints nothing (tqdm's ``disable``).
    unit : str

    Returns
    -------
    tqdm.tqdm
        Use ``bar.update(n)`` and ``bar.close()``, or ``with progress_bar(...) as bar``.

    Examples
    --------
    >>> from validation._progress import progress_bar
    >>> with progress_bar(3, "demo", enabled=False) as bar:
    ...     for _ in range(3):
    ...         _ = bar.update(1)
    >>> bar.disable
    True
    """
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, file=sys.stderr,
                leave=False, dynamic_ncols=True, mininterval=0.5)
