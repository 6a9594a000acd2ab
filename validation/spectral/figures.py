"""Figures and report of the spectral early-prediction validation.

* ``fig_heatmaps``: the paper's Fig. 2/8 in our setting: early activity
  (log10, mean over seeds) next to final validation accuracy over the
  (learning rate, weight decay) grid of the modular-addition runs, one row
  per training fraction;
* ``fig_scatter``: activity vs final validation accuracy for every run, per
  generator, coloured by label;
* ``fig_roc``: held-out ROC curves of the spectral score and the baselines;
* ``spectral_validation_report.json``: held-out AUROC (bootstrap CI),
  precision and recall of every score, per generator and pooled.
"""

from __future__ import annotations

import os
import time

import numpy as np

from theory import __version__
from theory.spectral import SpectralConfig, roc_curve
from validation._io import make_out_dir, save_figure, write_json
from validation._profile import resolve_profile
from validation._progress import progress_bar
from validation.spectral.corpus import PROFILES as CORPUS_PROFILES
from validation.spectral.corpus import corpus_run_steps, generate_corpus, write_runs_dir
from validation.spectral.evaluation import evaluate_corpus

__all__ = ["make_figures", "plot_heatmap", "plot_roc", "plot_scatter"]


def plot_heatmap(ax, values, xticks, yticks, *, cmap="viridis", fmt="{:.2f}"):
    """A labelled heat map of ``values[i, j]`` (rows: ``yticks``, columns: ``xticks``)."""
    im = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(xticks)), [f"{v:g}" for v in xticks])
    ax.set_yticks(range(len(yticks)), [f"{v:g}" for v in yticks])
    texts = []
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]):
                texts.append(ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center",
                                     fontsize=6, color="w"))
    return [im, *texts]


def plot_scatter(ax, activity, final_acc, label):
    """Early activity (log axis) vs final validation accuracy, generalizing runs in colour."""
    a = np.asarray(activity, float)
    lab = np.asarray(label, bool)
    return [ax.scatter(a[~lab], final_acc[~lab], s=12, color="0.5", label="does not generalize"),
            ax.scatter(a[lab], final_acc[lab], s=14, color="C3", label="generalizes")]


def plot_roc(ax, scores: dict, labels, directions: dict):
    """ROC curves of several scores (each signed by its fitted direction)."""
    artists = []
    for name, s in scores.items():
        sign = 1.0 if directions.get(name, "higher") == "higher" else -1.0
        fpr, tpr, _ = roc_curve(sign * np.asarray(s, float), labels)
        artists += ax.plot(fpr, tpr, label=name, lw=1.5 if name == "activity" else 1)
    artists += ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")
    return artists


def _fig_heatmaps(corpus, activity):
    from matplotlib.figure import Figure

    mod = corpus.generator == "modular"
    sett = [s for s, m in zip(corpus.settings, mod) if m]
    lrs = sorted({s["lr"] for s in sett})
    wds = sorted({s["weight_decay"] for s in sett})
    fracs = sorted({s["train_fraction"] for s in sett})
    final = corpus.val_acc[mod, -1]
    act = activity[mod]
    fig = Figure(figsize=(8, 2.6 * len(fracs)), layout="constrained")
    axes = fig.subplots(len(fracs), 2, squeeze=False)
    for row, f in enumerate(fracs):
        a_grid = np.full((len(wds), len(lrs)), np.nan)
        v_grid = np.full((len(wds), len(lrs)), np.nan)
        for i, wd in enumerate(wds):
            for j, lr in enumerate(lrs):
                sel = np.array([s["lr"] == lr and s["weight_decay"] == wd
                                and s["train_fraction"] == f for s in sett])
                if sel.any():
                    a_grid[i, j] = np.log10(np.mean(act[sel]))
                    v_grid[i, j] = np.mean(final[sel])
        plot_heatmap(axes[row, 0], a_grid, lrs, wds, cmap="magma")
        plot_heatmap(axes[row, 1], v_grid, lrs, wds, cmap="viridis")
        axes[row, 0].set_title(f"log10 early activity, fraction {f:g}", fontsize=8)
        axes[row, 1].set_title(f"final validation accuracy, fraction {f:g}", fontsize=8)
        for ax in axes[row]:
            ax.set_xlabel("learning rate", fontsize=7)
            ax.set_ylabel("weight decay", fontsize=7)
    fig.suptitle("Early activity vs final validation accuracy (modular addition MLP)",
                 fontsize=9)
    return fig


def _fig_scatter(corpus, activity):
    from matplotlib.figure import Figure

    gens = list(np.unique(corpus.generator))
    fig = Figure(figsize=(5 * len(gens), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(gens)))
    for ax, g in zip(axes, gens):
        m = corpus.generator == g
        plot_scatter(ax, activity[m], corpus.val_acc[m, -1], corpus.label[m])
        ax.set_xscale("log")
        ax.set_xlabel("early activity (variance of the preprocessed window)")
        ax.set_ylabel("final validation accuracy")
        ax.set_title(f"generator: {g}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Activity vs final accuracy (paper's Fig. 2 scatter)", fontsize=10)
    return fig


def _fig_roc(corpus, scores, evaluation):
    from matplotlib.figure import Figure

    calib = evaluation.calibration_mask
    groups = list(evaluation.results)
    fig = Figure(figsize=(4.2 * len(groups), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(groups)))
    for ax, g in zip(axes, groups):
        m = ~calib & (np.ones(len(corpus), bool) if g == "pooled" else corpus.generator == g)
        res = evaluation.results[g]
        dirs = {k: v.get("direction", "higher") for k, v in res.items() if isinstance(v, dict)}
        y = corpus.label[m].astype(int)
        if len(np.unique(y)) < 2:
            ax.set_title(f"{g}: one class only", fontsize=9)
            continue
        plot_roc(ax, {k: v[m] for k, v in scores.items()}, y, dirs)
        lines = [f"{k}: {res[k]['auroc']['estimate']:.2f} [{res[k]['auroc']['low']:.2f}, "
                 f"{res[k]['auroc']['high']:.2f}]" for k in scores if "auroc" in res[k]]
        ax.legend(fontsize=6, loc="lower right", title="held-out AUROC [95% CI]",
                  title_fontsize=6, labels=[*lines, "chance"])
        ax.set_title(f"{g}: {int(m.sum())} held-out runs, {int(y.sum())} generalize", fontsize=9)
    fig.suptitle("Held-out ROC: spectral activity vs baselines (direction and threshold fitted "
                 "on the calibration half)", fontsize=9)
    return fig


def make_figures(out_dir, *, quick=False, progress=False, write_runs=False, profile=None
                 ) -> dict:
    """Generate the corpus, evaluate held-out, write figures and the report.

    Parameters
    ----------
    out_dir : str or os.PathLike
    quick : bool
        The quick corpus (small grids, ~20 s; too few generalizing runs for
        meaningful accuracy figures: the report says so) instead of the full
        one (300 runs, about 7 minutes on 2 cores).
    progress : bool
        A progress bar over the corpus's run-steps on stderr.
    write_runs : bool
        Also write the corpus as a runs directory (``out_dir/runs``, one CSV
        per run) usable by ``grokking spectral calibrate``.
    profile : str, optional
        A key of :data:`validation.spectral.corpus.PROFILES`; overrides ``quick``.
    """
    out_dir = make_out_dir(out_dir)
    t0 = time.perf_counter()
    profile = resolve_profile(profile, quick, CORPUS_PROFILES)
    with progress_bar(corpus_run_steps(profile), "spectral: corpus", enabled=progress,
                      unit="run-step") as bar:
        corpus = generate_corpus(profile, progress=bar.update)
    budget = corpus.train_loss.shape[1] - 1
    config = SpectralConfig(window=max(2, int(round(0.04 * budget))))
    evaluation = evaluate_corpus(corpus, config, n_boot=500 if profile == "quick" else 2000)
    scores = evaluation.scores
    activity = scores["activity"]
    cfg = {"theory": "spectral", "paper": "Notsawo et al. 2023, arXiv 2306.13253",
           "profile": profile, "corpus": corpus.config, **evaluation.config,
           "window_rule": "4% of the budget, as in the paper (400 of 10,000 steps)",
           "version": __version__}
    data = {"settings": corpus.settings, "phase": corpus.phase, "label": corpus.label,
            "generator": corpus.generator, "activity": activity,
            "final_val_acc": corpus.val_acc[:, -1]}
    files = {}
    if np.any(corpus.generator == "modular"):
        files["fig_heatmaps"] = save_figure(_fig_heatmaps(corpus, activity), out_dir,
                                            "fig_spectral_heatmaps",
                                            {"figure": "activity and final accuracy heat maps",
                                             "config": cfg, "data": data})
    files["fig_scatter"] = save_figure(_fig_scatter(corpus, activity), out_dir,
                                       "fig_spectral_scatter",
                                       {"figure": "activity vs final accuracy", "config": cfg,
                                        "data": data})
    files["fig_roc"] = save_figure(_fig_roc(corpus, scores, evaluation), out_dir,
                                   "fig_spectral_roc", {"figure": "held-out ROC curves",
                                                        "config": cfg,
                                                        "results": evaluation.results})
    if write_runs:
        write_runs_dir(corpus, os.path.join(out_dir, "runs"))
    report = {"results": evaluation.results, "n_runs": len(corpus),
              "n_generalize": int(corpus.label.sum()),
              "phases": {p: corpus.phase.count(p) for p in sorted(set(corpus.phase))},
              "seconds": time.perf_counter() - t0, "config": cfg}
    path = write_json(out_dir, "spectral_validation_report.json", report)
    summary = {g: {k: v["auroc"]["estimate"] for k, v in res.items()
                   if isinstance(v, dict) and "auroc" in v}
               for g, res in evaluation.results.items()}
    return {**files, "validation_report": path,
            "summary": {"held_out_auroc": summary, "n_runs": len(corpus),
                        "n_generalize": int(corpus.label.sum()),
                        "seconds": report["seconds"]},
            "config": cfg}
