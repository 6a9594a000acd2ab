"""Single-threaded BLAS for small linear algebra, shared by theory and validation.

On the project's 2-core machines a multi-threaded BLAS call on a small matrix
costs more in thread hand-off than it saves, and far more when another process
keeps the cores busy: a 100 x 100 ``eigh`` takes about 1 ms on one thread and
6-66 ms on two under contention.  :func:`single_threaded_blas` holds every
loaded BLAS to one thread for the duration of a ``with`` block.

``threadpoolctl.threadpool_limits`` rescans the loaded shared libraries on
every call (0.3-0.6 ms, as much as the small problem it protects), so the
:class:`threadpoolctl.ThreadpoolController` is built once and rebuilt only
when a module has been imported since (a new import may have loaded another
BLAS, e.g. scipy's); entering the limit then costs about 10 us.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext

__all__ = ["single_threaded_blas", "SMALL_FLOPS"]

#: Work (in floating-point operations) below which a BLAS/LAPACK call is
#: "small" and runs on one thread.  A 100 x 1000 Gram matrix plus a 100 x 100
#: ``eigh`` is ~2e7; at 1e10 a single core already needs a second or so.
SMALL_FLOPS = 1e10

_CACHE: list = [None, None]        # [len(sys.modules) when built, controller]


def _controller():
    from threadpoolctl import ThreadpoolController

    key = len(sys.modules)
    if _CACHE[0] != key:
        _CACHE[0], _CACHE[1] = key, ThreadpoolController()
    return _CACHE[1]


def single_threaded_blas(active: bool = True):
    """Context manager holding BLAS to one thread (a no-op when ``active`` is false).

    Parameters
    ----------
    active : bool
        False returns a :func:`contextlib.nullcontext`, so callers can write
        ``with single_threaded_blas(flops < SMALL_FLOPS):``.

    Returns
    -------
    context manager

    Notes
    -----
    Small products and decompositions run faster on one thread, and callers
    that run their own threads over blocks of small products oversubscribe
    the cores with a multi-threaded BLAS inside each (a (94 x 27) @ (27 x 308)
    sgemm is 5x slower on two BLAS threads than on one).  The previous limits
    are restored on exit.

    Examples
    --------
    >>> import numpy as np
    >>> from theory._threads import single_threaded_blas
    >>> with single_threaded_blas():
    ...     w = np.linalg.eigvalsh(np.eye(3))
    >>> w.tolist()
    [1.0, 1.0, 1.0]
    """
    return _controller().limit(limits=1, user_api="blas") if active else nullcontext()
