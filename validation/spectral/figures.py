"""Figures and report of the early-prediction validation (spectral activity and early-curve model).

Everything is measured on the family corpora (:mod:`validation.spectral.families`),
shipped with the package; regenerating them is a separate command
(``python -m validation.spectral.families FAMILY --out DIR``).

* ``fig_spectral_heatmaps`` / ``fig_spectral_heatmaps_toy``: the paper's
  Fig. 2/8 in our setting: early activity (log10, mean over seeds) next to
  final validation accuracy over the grid, one row per training fraction /
  size; one colour scale (and colourbar) per quantity and figure;
* ``fig_spectral_scatter``: activity vs final validation accuracy per family;
* ``fig_spectral_roc``: leave-one-cell-out ROC of the early-curve model, the
  paper's activity and the baselines (and, toy family, the split's verdict and
  the combined model), with the class counts; no CI with fewer than 5 runs
  in a class;
* ``fig_spectral_early``: held-out AUROC with cell-bootstrap CIs of every
  score per family, cross-family transfer, and the reliability of the early
  model's probabilities;
* ``spectral_validation_report.json``: all numbers.
"""

from __future__ import annotations

import os
import time

import numpy as np

from theory import __version__
from theory.spectral import roc_curve
from validation._io import make_out_dir, save_figure, write_json
from validation._profile import resolve_profile

__all__ = ["make_figures", "plot_heatmap", "plot_reliability", "plot_roc", "plot_scatter"]

#: Fewer runs than this in a class: no confidence interval is drawn or printed.
MIN_CLASS_FOR_CI = 5


def _text_colour(cmap, norm, value) -> str:
    r, g, b, _ = cmap(norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def plot_heatmap(ax, values, xticks, yticks, *, cmap="viridis", fmt="{:.2f}", vmin=None,
                 vmax=None, fontsize=7):
    """A labelled heat map of ``values[i, j]`` (rows: ``yticks``, columns: ``xticks``).

    ``vmin``/``vmax`` fix the colour scale (pass the same to every panel of a
    figure); each cell's text is black or white, whichever contrasts with it.
    """
    import matplotlib as mpl
    from matplotlib.colors import Normalize

    cm = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    finite = values[np.isfinite(values)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    norm = Normalize(lo, hi if hi > lo else lo + 1.0)
    im = ax.imshow(values, origin="lower", aspect="auto", cmap=cm, norm=norm)
    ax.set_xticks(range(len(xticks)), [f"{v:g}" for v in xticks], fontsize=fontsize)
    ax.set_yticks(range(len(yticks)), [f"{v:g}" for v in yticks], fontsize=fontsize)
    texts = []
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]):
                texts.append(ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center",
                                     fontsize=fontsize,
                                     color=_text_colour(cm, norm, values[i, j])))
    return [im, *texts]


def plot_scatter(ax, activity, final_acc, label):
    """Early activity (log axis) vs final validation accuracy, generalizing runs in colour."""
    a = np.asarray(activity, float)
    acc = np.asarray(final_acc, float)
    lab = np.asarray(label, bool)
    return [ax.scatter(a[~lab], acc[~lab], s=12, color="0.5",
                       label=f"does not generalize ({int((~lab).sum())})"),
            ax.scatter(a[lab], acc[lab], s=14, color="C3",
                       label=f"generalizes ({int(lab.sum())})")]


def plot_roc(ax, scores: dict, labels, directions: dict | None = None, *, labels_text=None,
             highlight=("early",)):
    """ROC curves of several scores (each signed by its direction, default ``"higher"``)."""
    directions = directions or {}
    artists = []
    for name, s in scores.items():
        sign = 1.0 if directions.get(name, "higher") == "higher" else -1.0
        fpr, tpr, _ = roc_curve(sign * np.asarray(s, float), labels)
        text = (labels_text or {}).get(name, name)
        artists += ax.plot(fpr, tpr, label=text, lw=2.0 if name in highlight else 1.0)
    artists += ax.plot([0, 1], [0, 1], "k:", lw=0.8, label="chance")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")
    return artists


def plot_reliability(ax, prob, outcome, n_bins: int = 10, **kw):
    """Observed frequency vs mean predicted probability in equal-width bins (sizes as markers).

    ``outcome`` holds the labels (1 = generalizes); ``kw`` go to the line (e.g. ``label``).
    """
    p = np.asarray(prob, float)
    y = np.asarray(outcome, float)
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    xs, ys, ns = [], [], []
    for b in range(n_bins):
        m = bins == b
        if m.any():
            xs.append(p[m].mean())
            ys.append(y[m].mean())
            ns.append(int(m.sum()))
    artists = ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    artists += ax.plot(xs, ys, "-", lw=1, **kw)
    artists.append(ax.scatter(xs, ys, s=[10 + 3 * n for n in ns], zorder=3,
                              color=artists[-1].get_color()))
    ax.set_xlabel("predicted probability (held out)")
    ax.set_ylabel("observed fraction that generalizes")
    return artists


def _ci_text(a: dict, n_pos: int, n_neg: int) -> str:
    if min(n_pos, n_neg) < MIN_CLASS_FOR_CI:
        return f"{a['estimate']:.2f} (no CI)"
    return f"{a['estimate']:.2f} [{a['low']:.2f}, {a['high']:.2f}]"


# ----------------------------------------------------------------------------- figures
_AXIS_LABELS = {"lr": "learning rate", "weight_decay": "weight decay",
                "train_fraction": "training fraction", "decoder_lr": "decoder learning rate",
                "decoder_wd": "decoder weight decay", "train_size": "training size"}


def _fig_heatmaps(corpus, activity):
    from matplotlib.figure import Figure

    xa, ya, ra = corpus.config["cell_axes"]
    st = corpus.settings
    xs, ys, rs = (sorted(set(np.asarray(st[a]).tolist())) for a in (xa, ya, ra))
    log_act = np.log10(np.maximum(activity, 1e-300))
    grids = []
    for r in rs:
        a_grid = np.full((len(ys), len(xs)), np.nan)
        v_grid = np.full((len(ys), len(xs)), np.nan)
        for i, yv in enumerate(ys):
            for j, xv in enumerate(xs):
                sel = (st[xa] == xv) & (st[ya] == yv) & (st[ra] == r)
                if sel.any():
                    a_grid[i, j] = np.log10(np.mean(activity[sel]))
                    v_grid[i, j] = np.mean(corpus.final_val_acc[sel])
        grids.append((a_grid, v_grid))
    a_lo, a_hi = float(np.nanmin(log_act)), float(np.nanmax(log_act))
    fig = Figure(figsize=(8.5, 2.5 * len(rs) + 0.6), layout="constrained")
    axes = fig.subplots(len(rs), 2, squeeze=False)
    ims = [None, None]
    for row, (r, (a_grid, v_grid)) in enumerate(zip(rs, grids)):
        ims[0] = plot_heatmap(axes[row, 0], a_grid, xs, ys, cmap="magma", vmin=a_lo,
                              vmax=a_hi)[0]
        ims[1] = plot_heatmap(axes[row, 1], v_grid, xs, ys, cmap="viridis", vmin=0.0,
                              vmax=1.0)[0]
        axes[row, 0].set_title(f"log10 early activity, {_AXIS_LABELS[ra]} {r:g}", fontsize=9)
        axes[row, 1].set_title(f"final validation accuracy, {_AXIS_LABELS[ra]} {r:g}",
                               fontsize=9)
        for ax in axes[row]:
            ax.set_xlabel(_AXIS_LABELS[xa], fontsize=8)
            ax.set_ylabel(_AXIS_LABELS[ya], fontsize=8)
    fig.colorbar(ims[0], ax=axes[:, 0], label="log10 activity (mean over seeds)", shrink=0.8)
    fig.colorbar(ims[1], ax=axes[:, 1], label="final validation accuracy (mean over seeds)",
                 shrink=0.8)
    fig.suptitle(f"Early activity (first {corpus.window} of {corpus.budget} steps) vs final "
                 f"validation accuracy: {corpus.family} family, {len(corpus)} runs",
                 fontsize=10)
    return fig


def _fig_scatter(corpora, activities):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5 * len(corpora), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(corpora)))
    for ax, (fam, c) in zip(axes, corpora.items()):
        plot_scatter(ax, activities[fam], c.final_val_acc, c.label)
        ax.set_xscale("log")
        ax.set_xlabel(f"early activity (variance of the first {c.window} steps)")
        ax.set_ylabel("final validation accuracy")
        ax.set_title(f"{fam} family", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Activity vs final accuracy (the paper's Fig. 2 scatter)", fontsize=10)
    return fig


_ROC_SCORES = {"early": "early-curve model", "activity": "activity (paper)",
               "loss_at_end": "loss at end of window", "loss_drop": "loss drop",
               "final_slope": "final slope", "split": "split verdict (theory)",
               "combined": "curve + split"}


def _fig_roc(corpora, evaluations):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6 * len(corpora), 4.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(corpora)))
    for ax, (fam, c) in zip(axes, corpora.items()):
        ev = evaluations[fam]
        y = c.label.astype(int)
        n_pos, n_neg = int(y.sum()), int(y.size - y.sum())
        scores = {k: ev["_logits"][k] for k in _ROC_SCORES if k in ev["_logits"]}
        texts = {k: f"{_ROC_SCORES[k]}: {_ci_text(ev['auroc'][k], n_pos, n_neg)}"
                 for k in scores}
        if n_pos == 0 or n_neg == 0:
            ax.set_title(f"{fam}: one class only", fontsize=9)
            continue
        plot_roc(ax, scores, y, labels_text=texts, highlight=("early", "combined"))
        title = "held-out AUROC [95% CI, cell bootstrap]"
        if min(n_pos, n_neg) < MIN_CLASS_FOR_CI:
            title = f"held-out AUROC (fewer than {MIN_CLASS_FOR_CI} runs in a class: no CI)"
        ax.legend(fontsize=6, loc="lower right", title=title, title_fontsize=6)
        ax.set_title(f"{fam}: {y.size} runs, {n_pos} generalize, {n_neg} do not "
                     f"({ev['n_cells']} cells)", fontsize=9)
    fig.suptitle("Leave-one-cell-out ROC (window = 4 % of the budget; every score fitted "
                 "without the held-out cell)", fontsize=9)
    return fig


def _fig_early(corpora, evaluations, cross):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.6), layout="constrained")
    ax_auc, ax_rel = fig.subplots(1, 2, width_ratios=[1.6, 1])
    rows = []
    for fam, ev in evaluations.items():
        n_pos, n_neg = ev["n_generalize"], ev["n_runs"] - ev["n_generalize"]
        for k in ("combined", "split", "early", "set:all", "set:shape", "set:hjorth",
                  "set:paper", "activity", "loss_at_end", "loss_drop", "final_slope"):
            if k in ev["auroc"]:
                rows.append((f"{fam}: {_ROC_SCORES.get(k, k)}", ev["auroc"][k],
                             min(n_pos, n_neg) >= MIN_CLASS_FOR_CI, k in ("early", "combined")))
    for cr in cross.values():
        ok = min(cr["bootstrap"]["n_pos"], cr["bootstrap"]["n_neg"]) >= MIN_CLASS_FOR_CI
        rows.append((f"fit {cr['train']} -> test {cr['test']}", cr["auroc"], ok, True))
    yk = np.arange(len(rows))[::-1]
    for yy, (_label, a, ok, bold) in zip(yk, rows):
        colour = "C3" if bold else "C0"
        if ok:
            ax_auc.errorbar(a["estimate"], yy, xerr=[[a["estimate"] - a["low"]],
                                                     [a["high"] - a["estimate"]]],
                            fmt="o", color=colour, ms=4, capsize=2)
        else:
            ax_auc.plot(a["estimate"], yy, "o", color=colour, ms=4, mfc="none")
    ax_auc.axvline(0.5, color="k", ls=":", lw=0.8)
    ax_auc.axvline(0.9, color="0.6", ls="--", lw=0.8)
    ax_auc.set_yticks(yk, [r[0] for r in rows], fontsize=7)
    ax_auc.set_xlim(0, 1)
    ax_auc.set_xlabel("held-out AUROC (leave-one-cell-out; 95% cell-bootstrap CI; "
                      "dashed: goal 0.9)", fontsize=8)
    for fam, c in corpora.items():
        ev = evaluations[fam]
        prob = 0.5 * (1 + np.tanh(0.5 * ev["_logits"]["early"]))
        cal = ev["calibration"]
        plot_reliability(ax_rel, prob, c.label,
                         label=f"{fam}: Brier {cal['brier']:.3f} (base rate "
                               f"{cal['brier_base_rate']:.3f}), ECE {cal['ece']:.3f}")
    ax_rel.legend(fontsize=6, loc="upper left")
    ax_rel.set_title("reliability of the early-curve model (held out)", fontsize=9)
    fig.suptitle("Early-curve model vs its parts and baselines, per family and across "
                 "families", fontsize=10)
    return fig


def _write_runs(corpora, out_dir):
    import csv

    os.makedirs(out_dir, exist_ok=True)
    names = []
    for fam, c in corpora.items():
        for k in range(len(c)):
            name = f"{fam}_{k:04d}"
            with open(os.path.join(out_dir, name + ".csv"), "w", newline="",
                      encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["step", "train_loss"])
                for t, v in enumerate(c.early_loss[k]):
                    w.writerow([t, f"{v:.9g}"])
            names.append((name, int(c.label[k]), str(c.phase[k]), fam))
    with open(os.path.join(out_dir, "labels.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["run", "label", "phase", "generator"])
        w.writerows(names)


def _shipped_choices(family: str, quick: bool) -> dict | None:
    # quick profile: the feature set and C of the shipped models, no nested selection
    if not quick:
        return None
    from theory.spectral import load_model

    out = {}
    for key, name in (("early", family), ("combined", f"{family}_split")):
        try:
            spec = load_model(name).spec
        except ValueError:
            continue
        out[key] = (spec["features"]["feature_set"], spec["logistic"]["C"])
    return out


#: Evaluation settings of the figure job's profiles (``full``: the reproduction's default too).
PROFILES = {"quick": {"n_boot": 200, "Cs": (0.1, 1.0, 10.0), "n_inner": 3, "ablations": False},
            "full": {"n_boot": 2000, "ablations": True}}


def make_figures(out_dir, *, quick=False, progress=False, write_runs=False, profile=None
                 ) -> dict:
    """Held-out evaluation on the stored family corpora, figures and the report.

    Parameters
    ----------
    out_dir : str or os.PathLike
    quick : bool
        Fewer bootstrap replicates (200), the shipped models' feature sets and
        ``C`` instead of the nested selection, no feature-set ablation, and a
        3-value ``C`` grid for the split-only score.
    progress : bool
        Unused (kept for the common figures interface).
    write_runs : bool
        Also write the corpora's early windows as a runs directory
        (``out_dir/runs``: one CSV per run and ``labels.csv``) usable by
        ``grokking spectral calibrate``.
    profile : {"quick", "full"}, optional
        A key of :data:`PROFILES`; overrides ``quick``.
    """
    from theory.spectral import SpectralConfig, score_curves
    from validation.spectral.families import load_family_corpus
    from validation.spectral.shipped import cross_family, evaluate_family

    out_dir = make_out_dir(out_dir)
    quick = resolve_profile(profile, quick, PROFILES) == "quick"
    t0 = time.perf_counter()
    corpora = {f: load_family_corpus(f) for f in ("modular", "toy")}
    opts = {k: v for k, v in PROFILES["quick" if quick else "full"].items() if k != "ablations"}
    evaluations = {f: evaluate_family(c, ablations=not quick, fixed=_shipped_choices(f, quick),
                                      **opts) for f, c in corpora.items()}
    cross = {"toy->modular": cross_family(corpora["toy"], corpora["modular"], **opts),
             "modular->toy": cross_family(corpora["modular"], corpora["toy"], **opts)}
    activities = {f: score_curves(c.early_loss, SpectralConfig(window=c.window))
                  for f, c in corpora.items()}
    cfg = {"theory": "spectral", "paper": "Notsawo et al. 2023, arXiv 2306.13253",
           "profile": "quick" if quick else "full",
           "corpora": {f: c.config for f, c in corpora.items()},
           "evaluation": {f: e["config"] for f, e in evaluations.items()},
           "window_rule": "4% of the budget, as in the paper (400 of 10,000 steps)",
           "ci_rule": f"no CI shown with fewer than {MIN_CLASS_FOR_CI} runs in a class",
           "version": __version__}
    public = {f: {k: v for k, v in e.items() if not k.startswith("_")}
              for f, e in evaluations.items()}
    data = {f: {"settings": c.settings, "label": c.label, "phase": c.phase,
                "activity": activities[f], "final_val_acc": c.final_val_acc}
            for f, c in corpora.items()}
    files = {}
    files["fig_heatmaps"] = save_figure(
        _fig_heatmaps(corpora["modular"], activities["modular"]), out_dir,
        "fig_spectral_heatmaps", {"figure": "activity and final accuracy heat maps, modular",
                                  "config": cfg, "data": data["modular"]})
    files["fig_heatmaps_toy"] = save_figure(
        _fig_heatmaps(corpora["toy"], activities["toy"]), out_dir, "fig_spectral_heatmaps_toy",
        {"figure": "activity and final accuracy heat maps, toy", "config": cfg,
         "data": data["toy"]})
    files["fig_scatter"] = save_figure(_fig_scatter(corpora, activities), out_dir,
                                       "fig_spectral_scatter",
                                       {"figure": "activity vs final accuracy", "config": cfg,
                                        "data": data})
    files["fig_roc"] = save_figure(_fig_roc(corpora, evaluations), out_dir, "fig_spectral_roc",
                                   {"figure": "held-out ROC curves", "config": cfg,
                                    "results": public})
    files["fig_early"] = save_figure(_fig_early(corpora, evaluations, cross), out_dir,
                                     "fig_spectral_early",
                                     {"figure": "held-out AUROC and reliability", "config": cfg,
                                      "results": public, "cross_family": cross})
    if write_runs:
        _write_runs(corpora, os.path.join(out_dir, "runs"))
    report = {"families": public, "cross_family": cross,
              "n_runs": {f: len(c) for f, c in corpora.items()},
              "seconds": time.perf_counter() - t0, "config": cfg}
    path = write_json(out_dir, "spectral_validation_report.json", report)
    summary = {f: {k: v["estimate"] for k, v in e["auroc"].items() if not k.startswith("_")}
               for f, e in public.items()}
    summary["cross_family"] = {k: v["auroc"]["estimate"] for k, v in cross.items()}
    return {**files, "validation_report": path,
            "summary": {"held_out_auroc": summary,
                        "n_runs": {f: len(c) for f, c in corpora.items()},
                        "n_generalize": {f: int(c.label.sum()) for f, c in corpora.items()},
                        "seconds": report["seconds"]},
            "config": cfg}
