"""Thread settings shared by the numpy simulators (re-exported from :mod:`theory._threads`)."""

from __future__ import annotations

from theory._threads import SMALL_FLOPS, single_threaded_blas

__all__ = ["single_threaded_blas", "SMALL_FLOPS"]
