"""The paper's Fig. 1 and Fig. 2 from explicit GD runs, and the validation report.

* Fig. 1: training vs population loss of many GD runs at the defaults
  (median and 10-90% band, log time axis) with the closed-form median
  overlaid and the thresholds and median t1, t2 marked.
* Fig. 2: t1 and t2 measured over sweeps of ``lam``, ``eta``, ``nu2``, ``n``
  and ``m`` (mean +- std over seeds) with the Eq. (8) bounds overlaid.
* ``validation_report.json``: :func:`validation.ridge.report.validation_report`
  of the same run.

Each figure is written as PNG + PDF with a JSON sidecar holding its full
config (parameters, seeds, definitions, method, version) and the plotted
numbers.  Plot functions draw on a given Axes and return the artists; no
global pyplot state is used (``matplotlib.figure.Figure`` with the Agg canvas).
"""

from __future__ import annotations

import time

import numpy as np

from theory import __version__
from validation._io import make_out_dir, write_json
from validation._io import save_figure as _save
from validation.ridge.report import report_with_results, validation_report
from validation.ridge.sweeps import PAPER_DEFAULTS

__all__ = ["plot_loss_curves", "plot_sweep", "make_figures", "validation_report"]

_LABELS = {"lam": r"weight decay $\lambda$", "eta": r"step size $\eta$",
           "nu2": r"init variance $\nu^2$", "n": "training samples $n$", "m": "features $m$"}


def _log_x(steps):
    """Steps on a log axis: step 0 is drawn at 0.5."""
    steps = np.asarray(steps, dtype=float)
    return np.where(steps == 0, 0.5, steps)


def plot_loss_curves(ax, steps, train, test, *, t1=None, t2=None, eps=None, c=None,
                     reference=None, band=(10, 90)):
    """Median and quantile band of train and population loss over runs, log time axis.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    steps : array of int, (K,)
        Recorded steps (step 0 is drawn at 0.5 on the log axis).
    train, test : array, (R, K)
        Losses of ``R`` runs (explicit GD).
    t1, t2 : array (R,), optional
        Times; their medians are marked by vertical lines (entries < 0,
        the "none" sentinel, are ignored).
    eps, c : float, optional
        Thresholds drawn as horizontal lines (blue and red, with interleaved
        dashes so that both stay visible when ``eps == c``).
    reference : dict, optional
        ``{"train": (K,), "test": (K,)}`` curves drawn dashed on top (e.g.
        the closed-form medians).
    band : (float, float)
        Percentiles of the shaded band.

    Returns
    -------
    list of matplotlib.artist.Artist

    Notes
    -----
    Draws only on ``ax`` (no pyplot state); sets log scales and labels.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from validation.ridge.figures import plot_loss_curves
    >>> ax = Figure().add_subplot()
    >>> steps = np.array([0, 1, 10, 100])
    >>> arts = plot_loss_curves(ax, steps, np.ones((3, 4)), np.ones((3, 4)), eps=0.5)
    >>> len(arts) > 0, ax.get_xscale()
    (True, 'log')
    """
    x = _log_x(steps)
    artists = []
    for data, color, name in ((np.asarray(train), "tab:blue", "train $L_n$"),
                              (np.asarray(test), "tab:red", "population $L$")):
        lo, med, hi = np.percentile(data, [band[0], 50, band[1]], axis=0)
        artists.append(ax.fill_between(x, lo, hi, color=color, alpha=0.25, linewidth=0))
        artists += ax.plot(x, med, color=color, lw=1.6,
                           label=f"{name}: GD median, {band[0]}-{band[1]}% band")
    if reference is not None:
        for key, color in (("train", "navy"), ("test", "darkred")):
            artists += ax.plot(x, reference[key], ls=(0, (4, 3)), color=color, lw=0.9,
                               label="closed-form median" if key == "train" else None)
    # eps (train threshold, blue) and c (population threshold, red) use interleaved
    # dashes: at the paper's defaults eps = c and the two lines coincide, and each
    # stays visible in the gaps of the other
    same = eps is not None and c is not None and eps == c
    for value, color, phase, label, note in (
            (eps, "tab:blue", 0, r"$\epsilon$ (train threshold)", ""),
            (c, "tab:red", 4, "$c$ (population threshold)",
             r", on the $\epsilon$ line (alternating dashes)" if same else "")):
        if value is not None:
            artists.append(ax.axhline(value, color=color, ls=(phase, (4, 4)), lw=1.1,
                                      label=f"{label} = {value:g}{note}"))
    for times, color, label in ((t1, "tab:blue", "$t_1$"), (t2, "tab:red", "$t_2$")):
        if times is not None:
            times = np.asarray(times)
            times = times[times >= 0]
            if times.size:
                med = float(np.median(times))
                artists.append(ax.axvline(max(med, 0.5), color=color, ls="-.", lw=0.9,
                                          label=f"median {label} = {med:g}"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("GD step $t$ (step 0 drawn at 0.5)")
    ax.set_ylabel("loss")
    return artists


def plot_sweep(ax, values, t1, t2, bounds, *, parameter, logx=True):
    """Measured t1, t2 (mean +- std over seeds) against a parameter, with bounds.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : array, (V,)
    t1, t2 : array of int, (S, V)
        Measured times per seed; ``-1`` entries ("none") are left out.
    bounds : dict of str to array (V,)
        Curves to overlay; names containing ``t1`` are drawn blue, others red,
        ``Marchenko`` dotted.  Non-positive (vacuous) values are not drawn.
    parameter : str
        Swept parameter (axis label).
    logx : bool

    Returns
    -------
    list of matplotlib.artist.Artist

    Notes
    -----
    Draws only on ``ax`` (no pyplot state); sets log scales and labels.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from validation.ridge.figures import plot_sweep
    >>> ax = Figure().add_subplot()
    >>> arts = plot_sweep(ax, [1.0, 2.0], np.array([[10, 20]]), np.array([[100, 50]]),
    ...                   {"t2 lower": np.array([50.0, 25.0])}, parameter="eta")
    >>> len(arts)
    3
    """
    values = np.asarray(values, dtype=float)
    artists = []
    for data, color, label in ((t1, "tab:blue", "measured $t_1$"),
                               (t2, "tab:red", "measured $t_2$")):
        data = np.asarray(data, dtype=float)
        data = np.where(data < 0, np.nan, data)
        ok = np.isfinite(data).any(axis=0)
        mean = np.full(values.size, np.nan)
        std = np.full(values.size, np.nan)
        mean[ok] = np.nanmean(data[:, ok], axis=0)
        std[ok] = np.nanstd(data[:, ok], axis=0)
        artists.append(ax.errorbar(values, mean, yerr=std, fmt="o-", color=color, ms=4,
                                   capsize=2, lw=1.4, label=label))
    for name, curve in bounds.items():
        curve = np.asarray(curve, dtype=float)
        curve = np.where(curve > 0, curve, np.nan)
        color = "tab:blue" if "t1" in name else "tab:red"
        ls = ":" if "Marchenko" in name else "--"
        artists += ax.plot(values, curve, ls=ls, color=color, lw=1.2, label=name)
    if logx:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(values)
        ax.set_xticklabels([_tick(v, parameter) for v in values], fontsize=7)
    ax.set_yscale("log")
    ax.set_xlabel(_LABELS.get(parameter, parameter))
    ax.set_ylabel("steps")
    return artists


def _tick(v, parameter):
    if parameter == "lam":
        k = -np.log2(v)
        if abs(k - round(k)) < 1e-12:
            return f"$2^{{-{int(round(k))}}}$"
    return f"{v:g}"


def _fig1(curves):
    from matplotlib.figure import Figure

    d = PAPER_DEFAULTS
    fig = Figure(figsize=(6.6, 4.4), layout="constrained")
    ax = fig.add_subplot()
    plot_loss_curves(ax, curves.steps, curves.train, curves.test, t1=curves.t1, t2=curves.t2,
                     eps=d["eps"], c=d["c"],
                     reference={"train": np.median(curves.train_exact, axis=0),
                                "test": np.median(curves.test_exact, axis=0)})
    ax.set_title(f"Fig. 1: {curves.t1.size} explicit GD runs at the defaults (n={d['n']}, "
                 f"m={d['m']}, $\\nu^2$={d['nu2']:g}, $\\lambda$={d['lam']:g}, "
                 f"$\\eta$={d['eta']:g})", fontsize=8.5)
    ax.legend(fontsize=6.5, loc="lower left", framealpha=0.9)
    return fig


def _fig2(sweeps, report):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 7.6), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    for ax, (name, sw) in zip(axes, sweeps.items(), strict=False):
        plot_sweep(ax, sw.values, sw.t1, sw.t2, sw.bounds, parameter=name)
        others = ", ".join(f"{k}={v:g}" for k, v in sw.defaults.items()
                           if k in ("n", "m", "nu2", "lam", "eta") and k != name)
        if sw.gd.all():
            how = "all runs explicit GD"
        else:
            gd_seeds = [s for s, row in zip(sw.seeds, sw.gd, strict=True) if row.all()]
            how = f"GD on seeds {gd_seeds}, the others closed form (equal to GD)"
        ax.set_title(f"sweep over {name} ({others})\n{how}", fontsize=8)
    ax = axes[-1]
    ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    ax.legend(handles, labels, fontsize=7.5, loc="lower left", frameon=False)
    s, a = report["slopes"], report["agreement"]
    failed = sorted({c for sw in sweeps.values() for f in sw.failed_conditions for c in f})
    g = report["bounds_grid"]
    ax.text(0.0, 0.98, "\n".join([
        "Points: mean +- std over seeds " + str(report["config"]["seeds"]) + ".",
        "Dashed: Eq. (8) bounds (t1 upper, sample lmin_plus;",
        "        t2 lower); dotted: t1 bound with the",
        "        Marchenko-Pastur lmin_plus (asymptotic).",
        "Eq. (8) assumptions failing on these grids",
        "(applied anyway, as in the paper): " + (", ".join(failed) or "none") + ".",
        "",
        f"GD == closed form (integers): t1 {a['t1_equal']}/{a['gd_runs']}, "
        f"t2 {a['t2_equal']}/{a['gd_runs']}",
        f"d ln t2 / d ln lam = {s['t2_vs_lam']:.6f}",
        f"d ln t2 / d ln eta = {s['t2_vs_eta']:.6f}",
        f"bound grid: {len(g['settings'])} settings, {g['total_violations']} violations",
        f"grokking-theory {__version__}"]),
        va="top", fontsize=8, family="monospace", transform=ax.transAxes)
    fig.suptitle("Fig. 2: overfitting time $t_1$ and generalization time $t_2$ vs "
                 "hyperparameters", fontsize=10)
    return fig


def make_figures(out_dir, *, quick=False, progress=False, profile=None) -> dict:
    """Write Fig. 1, Fig. 2 (PNG + PDF + JSON each) and ``validation_report.json``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Created if missing.
    quick : bool
        The quick profile (about 20 s) instead of the full one (about 5 min
        on 2 cores); see :data:`validation.ridge.report.PROFILES`.
    progress : bool
        A progress bar on stderr.
    profile : str, optional
        A key of :data:`validation.ridge.report.PROFILES`; overrides ``quick``
        (``"standard"``: the reproduction's default, 3 seeds and 20 Fig. 1 runs).

    Returns
    -------
    dict
        ``fig1_loss_curves`` and ``fig2_sweeps`` (lists of written files),
        ``validation_report`` (path), ``summary`` (agreement, slopes, bound
        violations, seconds) and ``config`` (the run's defaults, seeds,
        sweeps, definitions, version).

    Raises
    ------
    ValueError
        If ``out_dir`` cannot be created.

    Notes
    -----
    One run of :func:`validation.ridge.report.validation_report`'s checks
    feeds both figures and the report.  Measured on 2 cores: full profile
    about 4 min 45 s (of which Fig. 1's 50 GD runs x 30 000 steps take 2 min
    and the sweeps 2.5 min, every run explicit GD), quick profile about 20 s.
    Figures use ``matplotlib.figure.Figure`` with the Agg canvas (no pyplot).

    Examples
    --------
    >>> from validation.ridge import make_figures
    >>> manifest = make_figures("results/ridge", quick=True)   # doctest: +SKIP
    >>> sorted(manifest)                                        # doctest: +SKIP
    ['config', 'fig1_loss_curves', 'fig2_sweeps', 'summary', 'validation_report']
    """
    out_dir = make_out_dir(out_dir)
    t0 = time.perf_counter()
    report, sweeps, curves = report_with_results(quick=quick, progress=progress,
                                                 profile=profile)
    config = report["config"]
    t_draw = time.perf_counter()
    files1 = _save(_fig1(curves), out_dir, "fig1_loss_curves", {
        "figure": "Fig. 1: training vs population loss over GD steps",
        "config": {**config, "seeds": list(curves.seeds), "horizon": curves.horizon,
                   "method": "explicit GD (all runs); dashed: closed-form median at the same "
                             f"steps (largest relative deviation {curves.max_rel_dev})"},
        "data": curves.to_dict()})
    files2 = _save(_fig2(sweeps, report), out_dir, "fig2_sweeps", {
        "figure": "Fig. 2: t1, t2 sweeps with Eq. (8) bounds",
        "config": {**config, "method": {k: sw.method for k, sw in sweeps.items()}},
        "data": {k: sw.to_dict() for k, sw in sweeps.items()}})
    report["timings_s"]["figures_drawing"] = time.perf_counter() - t_draw
    report["timings_s"]["make_figures_total"] = time.perf_counter() - t0
    report_path = write_json(out_dir, "validation_report.json", report)
    summary = {"gd_equals_closed_form": report["agreement"]["all_equal"],
               "gd_runs_compared": report["agreement"]["gd_runs"],
               "slope_t2_vs_lam": report["slopes"]["t2_vs_lam"],
               "slope_t2_vs_eta": report["slopes"]["t2_vs_eta"],
               "bound_violations": report["bounds_grid"]["total_violations"],
               "thm41_envelopes_held": report["thm41"]["all_held"],
               "seconds": report["timings_s"]["make_figures_total"]}
    return {"fig1_loss_curves": files1, "fig2_sweeps": files2,
            "validation_report": report_path, "summary": summary, "config": config}
