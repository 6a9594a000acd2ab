"""Adaptive-kernel phase diagram (Model A): noise sigma2 x sample size n.

Each cell is the globally stable mean-field phase of Model A
(:func:`theory.adaptive_kernel.model_a.phase_point`: GFL, GMFL-I droplets or
GMFL-II) at that ``(sigma2, n)``, the other parameters at the paper's base
configuration.  Over it: the first-order critical line ``sigma2_c(n)`` and
the spinodal ``sigma2_sp(n)`` (where a nonzero local minimum of the reduced
action first appears) from :func:`~theory.adaptive_kernel.model_a.critical_point`.
The grid runs through :func:`validation.sweep.run_sweep` (one point per cell;
the theory is deterministic, the seed axis has one entry).
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from theory._json import jsonable
from theory._version import __version__
from theory.adaptive_kernel.model_a import BASE_MODEL_A, ModelAConfig, critical_point, phase_point
from validation.sweep import Axis, Sweep, parse_axis, run_sweep

__all__ = ["KERNEL_AXES", "KERNEL_PHASES", "kernel_phase_diagram", "plot_kernel_phase_diagram",
           "save_kernel_phase_figure"]

#: Model A's mean-field phases, in the order of the colour scale.
KERNEL_PHASES = ("GFL", "GMFL-I", "GMFL-II")

#: Default axes: sigma2 around the base configuration's transition (0.179 at n = 3000).
KERNEL_AXES = {
    "sigma2": Axis.from_range("sigma2", 0.02, 0.5, 17, log=True),
    "n": Axis.from_range("n", 300, 12000, 15, log=True),
}


def _kernel_chunk(points, *, base: dict) -> dict:
    cfg0 = ModelAConfig(**base)
    out = {"phase": np.zeros(len(points["seed"]), dtype=np.int64),
           **{k: np.full(len(points["seed"]), np.nan) for k in
              ("test_error", "cubic_learned", "p", "q_star")}}
    for i, (s2, n) in enumerate(zip(points["sigma2"], points["n"])):
        pt = phase_point(replace(cfg0, n=float(n)), float(s2))
        out["phase"][i] = KERNEL_PHASES.index(pt.phase)
        for k in ("test_error", "cubic_learned", "p", "q_star"):
            out[k][i] = getattr(pt, k)
    return out


def _lines(base: ModelAConfig, n_values) -> dict:
    crit, spin = [], []
    for n in n_values:
        cp = critical_point(replace(base, n=float(n)))
        crit.append(cp.sigma2_c if cp.first_order else np.nan)
        spin.append(cp.sigma2_spinodal if cp.first_order and cp.sigma2_spinodal else np.nan)
    return {"n": np.asarray(n_values, float), "sigma2_c": np.asarray(crit, float),
            "sigma2_spinodal": np.asarray(spin, float)}


def kernel_phase_diagram(sigma2="sigma2", n="n", *, config: ModelAConfig = BASE_MODEL_A,
                         line_points=60, chunk_size=16, store=None, executor=None,
                         scheduler=None, max_workers=None, progress=None) -> dict:
    """Model A phases over ``sigma2`` (x) and ``n`` (y), with the critical line and spinodal.

    Parameters
    ----------
    sigma2, n : str or Axis
        ``NAME`` (default range, :data:`KERNEL_AXES`), ``NAME=START:STOP:NUM[:log]``
        or ``NAME=v1,...``.
    config : ModelAConfig
        Fixed parameters (default: the paper's base configuration; its ``n``
        is replaced along the axis).
    line_points : int
        Points of the critical and spinodal lines (log-spaced over the ``n`` range).
    chunk_size, store, executor, scheduler, max_workers, progress
        See :func:`validation.sweep.run_sweep`.

    Returns
    -------
    dict
        ``x`` (sigma2), ``y`` (n), ``phases`` (rows = n), ``test_error``,
        ``cubic_learned``, ``lines`` (``n``, ``sigma2_c``, ``sigma2_spinodal``)
        and ``config``.

    Notes
    -----
    ``u ~ n^2/sigma2^2`` and ``kappa ~ n/sigma2`` make ``kappa^2/u``
    independent of both, so the critical line is ``sigma2_c ~ n``: a straight
    line of slope 1 on log axes.  Cost: one mean-field solve per cell
    (about 1 ms, 25 ms near the droplet boundary) plus one critical point per
    line point.

    Examples
    --------
    >>> from validation.adaptive_kernel.phase_diagram import kernel_phase_diagram
    >>> out = kernel_phase_diagram("sigma2=0.1,0.3", "n=3000", line_points=2,
    ...                            executor="serial", progress=False)
    >>> out["phases"]
    [['GMFL-I', 'GFL']]
    """
    if not isinstance(config, ModelAConfig):
        raise TypeError(f"config must be a ModelAConfig, got {type(config).__name__}")
    axes = tuple(a if isinstance(a, Axis) else
                 parse_axis(a, defaults=KERNEL_AXES, names=("sigma2", "n"))
                 for a in (sigma2, n))
    ax, ay = axes
    if (ax.name, ay.name) != ("sigma2", "n"):
        raise ValueError(f"the kernel diagram is sigma2 (x) by n (y), got "
                         f"{ax.name!r} by {ay.name!r}")
    for a in axes:
        if min(a.values) <= 0:
            raise ValueError(f"axis {a.name!r} needs values > 0")
    base = {k: getattr(config, k) for k in ("n", "d", "N", "sigma_w2", "sigma_a2", "eps")}
    sweep = Sweep([ay, ax], seeds=(0,), chunk_size=chunk_size,
                  config={"kind": "kernel_phase_diagram", "model": "A", "base": base})
    res = run_sweep(sweep, functools.partial(_kernel_chunk, base=base), store=store,
                    executor=executor, scheduler=scheduler, max_workers=max_workers,
                    progress=progress)
    codes = res["phase"][..., 0]
    lines = _lines(config, np.geomspace(min(ay.values), max(ay.values), int(line_points)))
    return jsonable({
        "x": ax.to_dict(), "y": ay.to_dict(),
        "phases": [[KERNEL_PHASES[c] for c in row] for row in codes],
        "test_error": res["test_error"][..., 0], "cubic_learned": res["cubic_learned"][..., 0],
        "lines": lines,
        "config": {**sweep.config, "x": ax.to_dict(), "y": ay.to_dict(),
                   "fingerprint": sweep.fingerprint(),
                   "definitions": {
                       "phases": "globally stable mean-field solution (phase_point): GFL "
                                 "(only q = 0), GMFL-I (droplets: a fraction p of neurons at "
                                 "q*), GMFL-II (all neurons specialised)",
                       "sigma2_c": "first-order transition (critical_point, closed form)",
                       "sigma2_spinodal": "a nonzero local minimum of S~ first appears"},
                   "version": __version__},
        "timing": {k: res.stats[k] for k in ("seconds", "chunks_computed", "chunks_reused",
                                             "executor")},
    })


# ----------------------------------------------------------------------------- figure
def plot_kernel_phase_diagram(ax, result: dict) -> dict:
    """Draw a :func:`kernel_phase_diagram` result: phases, critical line and spinodal."""
    from validation._phase_plot import grid_title, plot_boundary, plot_phase_map

    x, y = result["x"], result["y"]
    art = plot_phase_map(ax, x["values"], y["values"], result["phases"],
                         categories=KERNEL_PHASES, x_scale="log" if x["scale"] == "log"
                         else "linear", y_scale="log" if y["scale"] == "log" else "linear",
                         xlabel=r"noise $\sigma^2$", ylabel="training samples n",
                         legend=False)
    ln = result["lines"]
    crit = plot_boundary(ax, ln["sigma2_c"], ln["n"], label=r"critical line $\sigma^2_c(n)$",
                         color="crimson")
    spin = plot_boundary(ax, ln["sigma2_spinodal"], ln["n"], label=r"spinodal $\sigma^2_{sp}(n)$",
                         color="orange", linestyle="--")
    from matplotlib.patches import Patch

    from validation._phase_plot import PHASE_COLORS

    handles = [Patch(facecolor=PHASE_COLORS[p], edgecolor="0.5", label=p) for p in KERNEL_PHASES
               if any(p in row for row in result["phases"])] + [crit, spin]
    leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    fontsize="small", frameon=False)
    ax.set_title("adaptive kernel, Model A: " + grid_title(x, y), fontsize="medium")
    return {**art, "lines": [crit, spin], "legend": leg}


def save_kernel_phase_figure(result: dict, out_dir, name="kernel_phase_diagram") -> list:
    """Write the figure (PNG, PDF) and JSON sidecar; return the paths."""
    from validation._phase_plot import save_map_figure

    return save_map_figure(lambda ax: plot_kernel_phase_diagram(ax, result), out_dir, name,
                           result, size=(7.5, 4.8))
