"""Thread settings shared by the numpy simulators."""

from __future__ import annotations

from contextlib import nullcontext

from threadpoolctl import threadpool_limits

__all__ = ["single_threaded_blas"]


def single_threaded_blas(active: bool = True):
    """Context manager holding BLAS to one thread (a no-op when ``active`` is false).

    The simulators run their own threads over blocks of small products; a
    multi-threaded BLAS inside each of them oversubscribes the cores (a
    (94 x 27) @ (27 x 308) sgemm is 5x slower on two BLAS threads than on one).
    """
    return threadpool_limits(limits=1, user_api="blas") if active else nullcontext()
