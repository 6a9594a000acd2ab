"""Ridge-regression phase diagrams: exact grokking time over (lam, nu2) or (lam, n).

Each cell samples the paper's problem (Sec. 5.1: ``x ~ N(0, I/m)``, unit
teacher, init ``N(0, nu2 I)``) for each seed and computes the exact ``t1``,
``t2`` and grokking time ``t2 - t1`` from the closed-form dynamics
(:func:`theory.ridge.grokking_times`, no GD loop), and whether Eq. (8)
certifies grokking (its ``t2`` lower bound above its ``t1`` upper bound, with
the sample's ``lmin_plus``).  Over the map it draws the symbolic boundary
``lam*`` (:func:`theory.ridge.boundary.boundary_expression`, evaluated at the
same ``lmin_plus``, so it is the edge of the certified region) and, on a
``nu2`` axis, the vacuity threshold ``nu2 = 8 m eps / (m - n)``.

The grid runs through :func:`validation.sweep.run_sweep` like every other
phase diagram.
"""

from __future__ import annotations

import functools

import numpy as np

from theory._json import jsonable
from theory._version import __version__
from theory.ridge import TIME_DEFINITIONS, grokking_times, sample_problem
from theory.ridge.bounds import eq8_t1_upper, eq8_t2_lower
from validation.sweep import Axis, Sweep, one_blas_thread, parse_axis, run_sweep

__all__ = ["RIDGE_AXES", "RIDGE_DEFAULTS", "ridge_axes", "ridge_phase_diagram",
           "plot_ridge_phase_diagram", "save_ridge_phase_figure"]

#: Fixed parameters (the paper's Sec. 5.1 defaults).
RIDGE_DEFAULTS = {"n": 100, "m": 1000, "nu2": 1.0, "lam": 1e-4, "eta": 1.0, "eps": 0.01,
                  "c": 0.01}

#: Default ranges of the axes (``eta lam <= 0.01`` on the whole lam axis).
RIDGE_AXES = {
    "lam": Axis.from_range("lam", 1e-5, 1e-2, 13, log=True),
    "nu2": Axis.from_range("nu2", 1e-2, 1e2, 13, log=True),
    "n": Axis("n", [10, 20, 40, 60, 100, 150, 200, 300, 400, 600, 800], "values"),
    "m": Axis("m", [200, 300, 500, 1000, 2000, 4000], "values"),
    "eta": Axis.from_range("eta", 0.125, 4.0, 6, log=True),
}
_INTEGER = ("n", "m")


def ridge_axes(x="lam", y="nu2") -> tuple:
    """Parse two ridge axes (``NAME``, ``NAME=START:STOP:NUM[:log]`` or ``NAME=v,...``).

    Examples
    --------
    >>> from validation.ridge.phase_diagram import ridge_axes
    >>> ax, ay = ridge_axes("lam", "n=50,100")
    >>> len(ax.values), ay.values
    (13, (50, 100))
    """
    axes = tuple(a if isinstance(a, Axis) else
                 parse_axis(a, defaults=RIDGE_AXES, names=tuple(RIDGE_AXES), integer=_INTEGER)
                 for a in (x, y))
    if axes[0].name == axes[1].name:
        raise ValueError(f"x and y must be different parameters, both are {axes[0].name!r}")
    for a in axes:
        if min(a.values) <= 0:
            raise ValueError(f"axis {a.name!r} needs values > 0, got {list(a.values)}")
    return axes


def _ridge_chunk(points, *, fixed: dict) -> dict:
    """Exact times and Eq. (8) bounds of one chunk of (parameters, seed) points."""
    n_pts = len(points["seed"])
    cols = {k: np.broadcast_to(points.get(k, fixed.get(k)), n_pts) for k in
            ("n", "m", "nu2", "lam", "eta")}
    out = {k: np.full(n_pts, -2, dtype=np.int64) for k in ("t1", "t2")}
    out.update({k: np.full(n_pts, np.nan) for k in ("t1_upper_eq8", "t2_lower_eq8",
                                                    "lmin_plus")})
    cache = {}
    with one_blas_thread():
        for i in range(n_pts):
            n, m = int(cols["n"][i]), int(cols["m"][i])
            nu2, lam, eta = (float(cols[k][i]) for k in ("nu2", "lam", "eta"))
            key = (n, m, nu2, int(points["seed"][i]))
            if key not in cache:
                cache = {key: sample_problem(n, m, nu2, seed=key[3])}   # keep one problem
            prob = cache[key]
            g = grokking_times(prob, lam=lam, eta=eta, eps=fixed["eps"], c=fixed["c"])
            out["t1"][i] = -2 if g.t1 is None else g.t1        # -2: never overfits
            out["t2"][i] = -1 if g.t2 is None else g.t2        # -1: never generalizes
            lmin = prob.spectrum.lmin_plus
            out["lmin_plus"][i] = lmin
            if m > n:
                out["t1_upper_eq8"][i] = eq8_t1_upper(n, m, nu2, fixed["eps"], eta, lmin)
                out["t2_lower_eq8"][i] = eq8_t2_lower(n, m, nu2, fixed["eps"], eta, lam)
    return out


def _boundary_curve(ax_lam, other: Axis, fixed: dict, lmin_plus) -> dict | None:
    """``lam*`` along the other axis, from the symbolic boundary at the sample ``lmin_plus``."""
    from theory.ridge.boundary import boundary_expression, boundary_report
    from theory.ridge.symbolic import SYMBOLS, numeric

    if other.name not in ("nu2", "n"):
        return None
    expr = boundary_expression("lam")
    f = numeric(expr)
    vals = np.asarray(other.values, dtype=float)
    kw = {k: fixed.get(k) for k in ("n", "m", "nu2", "eps")}
    kw[other.name] = vals
    kw["lmin_plus"] = lmin_plus
    with np.errstate(invalid="ignore", divide="ignore"):
        lam_star = np.asarray(f(**{k: kw[k] for k in f.args}), dtype=float)
    lam_star = np.where(lam_star > 0, lam_star, np.nan)     # <= 0: Eq. (8) vacuous
    mp = numeric(expr.subs(SYMBOLS.lmin_plus, (1 - (SYMBOLS.n / SYMBOLS.m) ** 0.5) ** 2))
    kw_mp = {k: kw[k] for k in mp.args}
    with np.errstate(invalid="ignore", divide="ignore"):
        lam_mp = np.asarray(mp(**kw_mp), dtype=float) * np.ones_like(vals)
    rep = boundary_report("lam", latex=True)
    return {"along": other.name, "values": vals, "lam_star": lam_star,
            "lam_star_marchenko_pastur": np.where(lam_mp > 0, lam_mp, np.nan),
            "expression": rep["expression"], "latex": rep["latex"],
            "lmin_plus": np.broadcast_to(lmin_plus, vals.shape)}


def ridge_phase_diagram(x="lam", y="nu2", *, seeds=(0,), fixed=None, chunk_size=16,
                        store=None, executor=None, scheduler=None, max_workers=None,
                        progress=None) -> dict:
    """Exact grokking time and the Eq. (8) certified region over two ridge parameters.

    Parameters
    ----------
    x, y : str or Axis
        ``lam``, ``nu2``, ``n``, ``m`` or ``eta``, as ``NAME`` (default range,
        :data:`RIDGE_AXES`), ``NAME=START:STOP:NUM[:log]`` or ``NAME=v1,...``.
    seeds : sequence of int
        Problem seeds (features, teacher, init); a ``nu2`` axis rescales the
        same draw.
    fixed : dict, optional
        Overrides of :data:`RIDGE_DEFAULTS` for the parameters not swept.
    chunk_size, store, executor, scheduler, max_workers, progress
        See :func:`validation.sweep.run_sweep`.

    Returns
    -------
    dict
        ``x``, ``y``; per cell (rows = y): ``grokking_time`` (median over
        seeds of ``t2 - t1``; None where no seed groks), ``certified`` (Eq. (8)
        certifies grokking on every seed), ``cells`` (per seed: ``t1``,
        ``t2``, ``grokking_time``, ``t1_upper_eq8``, ``t2_lower_eq8``,
        ``certified``, ``lmin_plus``); ``boundary`` (``lam*`` along the other
        axis when one axis is ``lam`` and the other ``nu2`` or ``n``);
        ``nu2_vacuity`` and ``config``.

    Notes
    -----
    Cost: one exact-time solve (about 1 ms) per cell and seed plus one
    ``O(n^2 m)`` spectrum per sampled problem.

    Examples
    --------
    >>> from validation.ridge.phase_diagram import ridge_phase_diagram
    >>> out = ridge_phase_diagram("lam=1e-4,1e-2", "nu2=1", executor="serial", progress=False)
    >>> out["certified"], out["grokking_time"][0][0] > 10 * out["grokking_time"][0][1]
    ([[True, False]], True)
    """
    ax, ay = ridge_axes(x, y)
    fixed_all = dict(RIDGE_DEFAULTS)
    for k, v in (fixed or {}).items():
        if k not in RIDGE_DEFAULTS:
            raise ValueError(f"fixed: unknown parameter {k!r}; choose from "
                             f"{sorted(RIDGE_DEFAULTS)}")
        fixed_all[k] = v
    for a in (ax, ay):
        fixed_all.pop(a.name)
    sweep = Sweep([ay, ax], seeds=seeds, chunk_size=chunk_size,
                  config={"kind": "ridge_phase_diagram", "fixed": fixed_all})
    res = run_sweep(sweep, functools.partial(_ridge_chunk, fixed=fixed_all), store=store,
                    executor=executor, scheduler=scheduler, max_workers=max_workers,
                    progress=progress)
    t1, t2 = res["t1"], res["t2"]
    grok = np.where((t1 >= 0) & (t2 >= 0), t2 - t1, np.nan).astype(float)
    grok[grok <= 0] = np.nan                                # no delay: no grokking
    up, low = res["t1_upper_eq8"], res["t2_lower_eq8"]
    with np.errstate(invalid="ignore"):
        cert = np.isfinite(low) & (low > 0) & (low > up)
    med = np.full(grok.shape[:-1], np.nan)
    some = np.isfinite(grok).any(axis=-1)
    med[some] = np.nanmedian(grok[some], axis=-1)
    cells = []
    for i, yv in enumerate(ay.values):
        for j, xv in enumerate(ax.values):
            for k, s in enumerate(sweep.seeds):
                cells.append({
                    ax.name: xv, ay.name: yv, "seed": s,
                    "t1": None if t1[i, j, k] == -2 else int(t1[i, j, k]),
                    "t2": None if t2[i, j, k] == -1 else int(t2[i, j, k]),
                    "grokking_time": None if not np.isfinite(grok[i, j, k])
                    else int(grok[i, j, k]),
                    "t1_upper_eq8": up[i, j, k], "t2_lower_eq8": low[i, j, k],
                    "certified": bool(cert[i, j, k]), "lmin_plus": res["lmin_plus"][i, j, k]})
    boundary = None
    lam_axis = "x" if ax.name == "lam" else "y" if ay.name == "lam" else None
    if lam_axis is not None:
        other = ay if lam_axis == "x" else ax
        lmin = res["lmin_plus"].mean(axis=(1, 2) if lam_axis == "x" else (0, 2))
        boundary = _boundary_curve(ax if lam_axis == "x" else ay, other, fixed_all, lmin)
    nu2_vac = None
    if "nu2" in (ax.name, ay.name):
        n_, m_ = fixed_all.get("n"), fixed_all.get("m")
        if n_ is not None and m_ is not None and m_ > n_:
            nu2_vac = 8.0 * m_ * fixed_all["eps"] / (m_ - n_)
    return jsonable({
        "x": ax.to_dict(), "y": ay.to_dict(), "grokking_time": med,
        "certified": cert.all(axis=-1), "cells": cells, "boundary": boundary,
        "nu2_vacuity": nu2_vac,
        "config": {**sweep.config, "x": ax.to_dict(), "y": ay.to_dict(),
                   "seeds": list(sweep.seeds), "fingerprint": sweep.fingerprint(),
                   "definitions": {**TIME_DEFINITIONS,
                                   "certified": "Eq. (8): t2_lower_eq8 > t1_upper_eq8 with the "
                                                "sample lmin_plus (and t2_lower_eq8 > 0)",
                                   "grokking_time_cell": "median over seeds of t2 - t1 where "
                                                         "> 0; null: no seed groks"},
                   "version": __version__},
        "timing": {k: res.stats[k] for k in ("seconds", "chunks_computed", "chunks_reused",
                                             "executor")},
    })


# ----------------------------------------------------------------------------- figure
_LABELS = {"lam": r"weight decay $\lambda$", "nu2": r"init variance $\nu^2$",
           "n": "training samples n", "m": "features m", "eta": r"step size $\eta$"}


def plot_ridge_phase_diagram(ax, result: dict) -> dict:
    """Draw a :func:`ridge_phase_diagram` result: grokking time, certified cells, boundary.

    Returns the artists of :func:`validation._phase_plot.plot_value_map` plus
    ``boundary`` lines and the ``legend``.
    """
    from validation._phase_plot import grid_title, plot_boundary, plot_value_map

    x, y = result["x"], result["y"]
    art = plot_value_map(ax, x["values"], y["values"], result["grokking_time"],
                         x_scale="log" if x["scale"] == "log" else "linear",
                         y_scale="log" if y["scale"] in ("log",) or y["name"] == "n"
                         else "linear",
                         label="exact grokking time t2 - t1 (steps)", xlabel=_LABELS[x["name"]],
                         ylabel=_LABELS[y["name"]], missing_label="no grokking (t2 <= t1)",
                         hatched=result["certified"],
                         hatch_label="Eq. (8) certifies grokking")
    lines = []
    b = result.get("boundary")
    if b is not None:
        lam_on_x = x["name"] == "lam"
        for key, style, label in (("lam_star", "-", r"$\lambda^*$ (sample $\lambda^+_{\min}$)"),
                                  ("lam_star_marchenko_pastur", "--",
                                   r"$\lambda^*$ (Marchenko-Pastur)")):
            lam = np.array([np.nan if v is None else v for v in b[key]], float)
            xs, ys = (lam, b["values"]) if lam_on_x else (b["values"], lam)
            lines.append(plot_boundary(ax, xs, ys, label=label, linestyle=style,
                                       color="crimson" if style == "-" else "white"))
    if result.get("nu2_vacuity") is not None:
        v = result["nu2_vacuity"]
        line = ax.axhline(v, color="orange", linestyle=":", linewidth=2) if y["name"] == "nu2" \
            else ax.axvline(v, color="orange", linestyle=":", linewidth=2)
        line.set_label(r"$\nu^2 = 8m\epsilon/(m-n)$: Eq. (8) vacuous below")
        lines.append(line)
    handles = lines + art["handles"]
    leg = ax.legend(handles=handles, loc="lower left", fontsize="x-small", framealpha=0.85)
    cfg = result["config"].get("sweep", result["config"])    # the CLI nests it under "sweep"
    ax.set_title("ridge regression: " + grid_title(x, y, f"{len(cfg['seeds'])} seed(s)"),
                 fontsize="medium")
    return {**art, "boundary": lines, "legend": leg}


def save_ridge_phase_figure(result: dict, out_dir, name=None) -> list:
    """Write the figure (PNG, PDF) and JSON sidecar; return the paths."""
    from validation._phase_plot import save_map_figure

    name = name or f"ridge_phase_{result['x']['name']}_{result['y']['name']}"
    return save_map_figure(lambda ax: plot_ridge_phase_diagram(ax, result), out_dir, name,
                           result)
