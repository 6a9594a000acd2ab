"""Validation of :mod:`theory.ridge` by explicit gradient descent, and the paper's figures."""

from validation.ridge.gd import GDResult, gd_times, simulate_gd

__all__ = ["GDResult", "gd_times", "simulate_gd", "make_figures", "validation_report"]


def __getattr__(name):
    # figures import matplotlib: load them only when asked for
    if name in ("make_figures", "validation_report"):
        from validation.ridge import figures

        return getattr(figures, name)
    raise AttributeError(name)
