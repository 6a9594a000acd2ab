"""Validation of :mod:`theory.ridge` by explicit gradient descent, and the paper's figures.

* :mod:`~validation.ridge.gd`: plain-numpy GD with weight decay, vectorised
  over problems and hyperparameter grids;
* :mod:`~validation.ridge.agreement`: GD against the closed form (integer
  t1/t2, loss curves) on edge-case settings;
* :mod:`~validation.ridge.sweeps`: Fig. 2's one-at-a-time sweeps;
* :mod:`~validation.ridge.curves`: Fig. 1's loss curves;
* :mod:`~validation.ridge.bounds_check`: every bound on randomized settings
  that meet its assumptions, and the Theorem 4.1 envelopes;
* :mod:`~validation.ridge.report`: all of the above as one JSON-ready report;
* :mod:`~validation.ridge.figures`: the figures (imports matplotlib on use).
"""

from validation.ridge.gd import GDResult, gd_times, simulate_gd

__all__ = ["GDResult", "gd_times", "simulate_gd", "check_agreement", "sweep",
           "loss_curves", "bounds_grid", "thm41_check", "make_figures", "validation_report"]

_LAZY = {"make_figures": "figures", "plot_loss_curves": "figures", "plot_sweep": "figures",
         "validation_report": "report", "check_agreement": "agreement", "sweep": "sweeps",
         "loss_curves": "curves", "bounds_grid": "bounds_check", "thm41_check": "bounds_check"}


def __getattr__(name):
    # submodules load on first use (figures import matplotlib)
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"validation.ridge.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'validation.ridge' has no attribute {name!r}")
