"""Memory budget checked before a large allocation.

A computation whose size follows from its arguments estimates the bytes it will
hold and calls :func:`check_allocation` *before* allocating, so that an
impossible request is refused with a clear ``ValueError`` (naming the
parameters that set the size and how to raise the limit) instead of a
``MemoryError`` traceback or the process being killed.

The limit is, in order: the innermost :func:`memory_limit` context, the
environment variable ``GROKKING_MAX_MEMORY_GB``, or half of the machine's
physical memory.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["MemoryBudgetError", "check_allocation", "format_bytes", "memory_limit",
           "memory_limit_bytes"]

_OVERRIDE: list[float] = []


class MemoryBudgetError(ValueError):
    """A computation would need more memory than the configured limit."""


def _physical_memory() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):     # pragma: no cover - non-POSIX
        return 8 * 2.0 ** 30


def memory_limit_bytes() -> float:
    """The memory limit in force, in bytes (see the module docstring)."""
    if _OVERRIDE:
        return _OVERRIDE[-1]
    env = os.environ.get("GROKKING_MAX_MEMORY_GB")
    if env:
        try:
            value = float(env)
        except ValueError:
            raise ValueError(f"GROKKING_MAX_MEMORY_GB must be a number of GB > 0, "
                             f"got {env!r}") from None
        if not value > 0:
            raise ValueError(f"GROKKING_MAX_MEMORY_GB must be a number of GB > 0, got {env!r}")
        return value * 2.0 ** 30
    return 0.5 * _physical_memory()


@contextlib.contextmanager
def memory_limit(gigabytes: float):
    """Context manager setting the memory limit to ``gigabytes`` GiB.

    Examples
    --------
    >>> from theory._budget import memory_limit, memory_limit_bytes
    >>> with memory_limit(2):
    ...     memory_limit_bytes() == 2 * 2 ** 30
    True
    """
    gigabytes = float(gigabytes)
    if not gigabytes > 0:
        raise ValueError(f"the memory limit must be > 0 GB, got {gigabytes}")
    _OVERRIDE.append(gigabytes * 2.0 ** 30)
    try:
        yield
    finally:
        _OVERRIDE.pop()


def format_bytes(nbytes: float) -> str:
    """``1.5e9`` -> ``'1.4 GiB'``."""
    for unit, scale in (("TiB", 2.0 ** 40), ("GiB", 2.0 ** 30), ("MiB", 2.0 ** 20)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes / 1024:.1f} KiB"


def check_allocation(nbytes: float, what: str) -> None:
    """Refuse (``MemoryBudgetError``) when ``nbytes`` exceeds the memory limit.

    Parameters
    ----------
    nbytes : float
        Estimated peak bytes of the computation.
    what : str
        What is being computed and which parameters set its size, e.g.
        ``"the features of one problem (n=100, m=100000000)"``.

    Examples
    --------
    >>> from theory._budget import check_allocation, memory_limit
    >>> with memory_limit(1):
    ...     check_allocation(8e9, "a test array (n=10**9)")
    Traceback (most recent call last):
    ...
    theory._budget.MemoryBudgetError: a test array (n=10**9) needs about 7.5 GiB of memory, \
above the limit of 1.0 GiB; reduce the sizes, or raise the limit (--max-memory GB on the \
command line, GROKKING_MAX_MEMORY_GB in the environment)
    """
    limit = memory_limit_bytes()
    if nbytes > limit:
        raise MemoryBudgetError(
            f"{what} needs about {format_bytes(nbytes)} of memory, above the limit of "
            f"{format_bytes(limit)}; reduce the sizes, or raise the limit (--max-memory GB "
            f"on the command line, GROKKING_MAX_MEMORY_GB in the environment)")
