"""The paper's Figs. 3, 4 and 5 from batched numpy toy-model runs, and a validation report.

One sweep over training-set sizes x seeds (one :func:`train_toy` batch) feeds
every panel:

* Fig. 3: final accuracy Acc and predicted accuracy Acc_hat vs training
  fraction (mean over seeds), and Acc vs Acc_hat per run;
* Fig. 4: probability of the linear structure vs fraction (theory: exact /
  Monte Carlo forcing probability; network: fraction of runs with final
  RQI > 0.95), steps to RQI > 0.95 vs fraction, and one run's normalised 1-D
  embedding trajectory next to the exact effective-theory flow from the same
  start, with ``3 n_h`` marked;
* Fig. 5: lambda_3 vs fraction, and predicted ``n_h = 1/(lambda_3 eta)`` vs
  the measured steps to RQI > 0.95.

Plot functions draw on a given Axes and return the artists; figures are
``matplotlib.figure.Figure`` objects on the Agg canvas (no pyplot state).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from theory import __version__
from theory.effective import (
    ArithmeticTask,
    analyze_split,
    critical_curve,
    effective_flow,
    normalize_representation,
)
from theory.effective.task import TrainingSplit
from validation._io import make_out_dir, save_figure, write_json
from validation._profile import resolve_profile
from validation._progress import progress_bar
from validation.effective.toy import ToyConfig, ToyResult, make_batch, train_toy

__all__ = ["PROFILES", "SweepResult", "fraction_sweep", "make_figures",
           "plot_accuracy_vs_fraction", "plot_probability_vs_fraction",
           "plot_steps_vs_fraction", "plot_trajectories"]

#: Sweep sizes of the figure job (``standard``: the reproduction's default).
PROFILES = {
    "full": {"train_sizes": [15, 20, 23, 26, 30, 35, 40, 45, 50], "seeds": list(range(12)),
             "steps": 10_000, "critical_trials": 2000},
    "standard": {"train_sizes": [15, 20, 23, 26, 30, 35, 40, 45, 50], "seeds": list(range(6)),
                 "steps": 10_000, "critical_trials": 1000},
    "quick": {"train_sizes": [20, 30, 40, 45], "seeds": list(range(4)), "steps": 3000,
              "critical_trials": 300},
}


@dataclass(frozen=True)
class SweepResult:
    """A training-fraction sweep: the toy runs and the theory for each run's split."""

    result: ToyResult
    forced: np.ndarray
    lambda3: np.ndarray
    n_h: np.ndarray
    acc_bar: np.ndarray

    @property
    def fraction(self) -> np.ndarray:
        return self.result.batch.train_size / self.result.config.task.n_samples

    def to_dict(self) -> dict:
        r = self.result
        runs = [dict(r.run(k), forced=bool(self.forced[k]), lambda3=float(self.lambda3[k]),
                     n_h=float(self.n_h[k]), acc_bar=float(self.acc_bar[k]))
                for k in range(len(r.batch))]
        return {"runs": runs, "history_step": r.history["step"]}


def fraction_sweep(train_sizes, seeds, config: ToyConfig = ToyConfig(), **kwargs
                   ) -> SweepResult:
    """Train every (train size, seed) pair in one batch and analyse each run's split.

    ``kwargs`` go to :func:`validation.effective.make_batch` (learning rates,
    weight decays).  Cost: ``len(train_sizes) * len(seeds) * config.steps``
    run-steps (about 5 000 per second on 2 cores in float32).
    """
    batch = make_batch(seeds, train_size=list(train_sizes), **kwargs)
    res = train_toy(config, batch)
    task = config.task
    analyses = [analyze_split(TrainingSplit(task, tr), eta=float(batch.repr_lr[k]),
                              d_in=config.d_in)
                for k, tr in enumerate(res.train_sets)]
    return SweepResult(result=res,
                       forced=np.array([a.forced for a in analyses]),
                       lambda3=np.array([a.lambda3 for a in analyses]),
                       n_h=np.array([a.n_h for a in analyses]),
                       acc_bar=np.array([a.acc_bar for a in analyses]))


def _by_size(sizes, values):
    """Mean, std and count of ``values`` grouped by the unique sizes (NaN ignored)."""
    u = np.unique(sizes)
    mean, std, count = [], [], []
    for s in u:
        v = values[(sizes == s) & np.isfinite(values)]
        mean.append(v.mean() if v.size else np.nan)
        std.append(v.std(ddof=1) if v.size > 1 else 0.0 if v.size else np.nan)
        count.append(v.size)
    return u, np.array(mean), np.array(std), np.array(count)


# ----------------------------------------------------------------------------- plots
def plot_accuracy_vs_fraction(ax, fraction, acc, acc_hat, *, acc_bar=None):
    """Mean +- std over seeds of Acc and Acc_hat (and Acc_bar) vs training fraction."""
    artists = []
    for values, label, kw in ((acc, "Acc (network)", dict(marker="o", color="C0")),
                              (acc_hat, r"$\widehat{\rm Acc}$ (from the representation)",
                               dict(marker="s", color="C1", ls="--")),
                              (acc_bar, r"$\overline{\rm Acc}$ (ideal, from D)",
                               dict(marker="", color="k", ls=":"))):
        if values is None:
            continue
        x, m, s, _ = _by_size(fraction, np.asarray(values, float))
        artists.append(ax.errorbar(x, m, yerr=s, label=label, capsize=2, ms=4, **kw))
    ax.set_xlabel("training fraction r")
    ax.set_ylabel("accuracy on D0")
    ax.set_ylim(0, 1.05)
    return artists


def plot_probability_vs_fraction(ax, curve, fraction=None, reached=None):
    """Theory P(structure forced) vs fraction, with the network's rate of RQI > threshold."""
    artists = [ax.plot(curve.fraction, curve.p_forced, color="k",
                       label="theory: P(training set forces linear structure)")[0]]
    artists.append(ax.fill_between(curve.fraction, curve.p_forced - 2 * curve.stderr,
                                   curve.p_forced + 2 * curve.stderr, color="k", alpha=0.15,
                                   lw=0))
    if fraction is not None:
        x, m, _, n = _by_size(fraction, np.asarray(reached, float))
        se = np.sqrt(np.clip(m * (1 - m), 0, None) / np.maximum(n, 1))
        artists.append(ax.errorbar(x, m, yerr=se, marker="o", ls="none", color="C3", capsize=2,
                                   label="network: fraction of runs with final RQI > 0.95"))
    ax.set_xlabel("training fraction r")
    ax.set_ylabel("probability")
    return artists


def plot_steps_vs_fraction(ax, fraction, steps, *, predicted=None, label="measured"):
    """Steps to a threshold vs fraction (median and quartiles over runs that reached it)."""
    artists = []
    for values, lab, kw in ((steps, label, dict(marker="o", color="C2")),
                            (predicted, r"predicted $3 n_h = 3/(\lambda_3 \eta)$",
                             dict(marker="^", color="C4", ls="--"))):
        if values is None:
            continue
        v = np.asarray(values, float)
        u = np.unique(fraction)
        med = [np.median(v[(fraction == f) & np.isfinite(v)]) if np.any(
            (fraction == f) & np.isfinite(v)) else np.nan for f in u]
        lo = [np.quantile(v[(fraction == f) & np.isfinite(v)], 0.25) if np.any(
            (fraction == f) & np.isfinite(v)) else np.nan for f in u]
        hi = [np.quantile(v[(fraction == f) & np.isfinite(v)], 0.75) if np.any(
            (fraction == f) & np.isfinite(v)) else np.nan for f in u]
        med, lo, hi = map(np.array, (med, lo, hi))
        artists.append(ax.errorbar(u, med, yerr=[med - lo, hi - med], label=lab, capsize=2,
                                   ms=4, **kw))
    ax.set_yscale("log")
    ax.set_xlabel("training fraction r")
    ax.set_ylabel("steps")
    return artists


def plot_trajectories(ax, steps, network, theory, *, n_h=None):
    """Normalised 1-D embeddings of a network (solid) and the effective flow (dashed)."""
    artists = []
    for k in range(network.shape[1]):
        artists += ax.plot(steps, network[:, k], color=f"C{k % 10}", lw=1.2)
        artists += ax.plot(steps, theory[:, k], color=f"C{k % 10}", lw=1, ls="--")
    if n_h is not None and np.isfinite(n_h):
        artists.append(ax.axvline(3 * n_h, color="k", ls=":", lw=1))
    ax.set_xlabel("step")
    ax.set_ylabel(r"normalised embedding $\tilde E_k$")
    return artists


# ----------------------------------------------------------------------------- report
def crossing(x, y, level: float = 0.5):
    """First upward crossing of ``level`` by the piecewise-linear ``y(x)`` (``x`` ascending).

    Returns
    -------
    (float or None, float or None, str or None)
        The crossing, the spacing of the two grid points that bracket it (the
        grid's resolution there) and, when there is no crossing, why.

    Examples
    --------
    >>> from validation.effective.figures import crossing
    >>> crossing([0.2, 0.4, 0.6], [0.0, 0.25, 0.75])
    (0.5, 0.2, None)
    >>> crossing([0.2, 0.4], [0.0, 0.25])[2]
    'stays below 1/2 on the whole grid'
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if y.size and y[0] >= level:
        return None, None, "already at or above 1/2 at the smallest fraction"
    for i in range(1, y.size):
        if y[i] >= level > y[i - 1]:
            t = (level - y[i - 1]) / (y[i] - y[i - 1])
            return (round(float(x[i - 1] + t * (x[i] - x[i - 1])), 12),
                    round(float(x[i] - x[i - 1]), 12), None)
    return None, None, "stays below 1/2 on the whole grid"


def _report(sweep: SweepResult, curve, config: dict) -> dict:
    r = sweep.result
    ok = ~r.diverged
    gap = np.abs(r.acc - r.acc_hat)[ok]
    gap_test = np.abs(r.test_acc - r.acc_hat_test)[ok & np.isfinite(r.test_acc)]
    sizes = r.batch.train_size
    it = np.where(r.iter_rqi >= 0, r.iter_rqi, np.nan).astype(float)
    per_size = []
    for s in np.unique(sizes):
        sel = sizes == s
        reached = it[sel][np.isfinite(it[sel])]
        per_size.append({
            "train_size": int(s), "fraction": s / r.config.task.n_samples, "runs": int(sel.sum()),
            "p_forced_theory": float(curve.p_forced[curve.train_size == s][0]),
            "forced_splits": int(sweep.forced[sel].sum()),
            "rqi_reached": int(reached.size),
            "median_iter_rqi": float(np.median(reached)) if reached.size else None,
            "median_n_h": float(np.median(sweep.n_h[sel][np.isfinite(sweep.n_h[sel])]))
            if np.any(np.isfinite(sweep.n_h[sel])) else None,
            "mean_acc": float(np.mean(r.acc[sel])), "mean_acc_hat": float(np.mean(r.acc_hat[sel])),
            "mean_acc_bar": float(np.mean(sweep.acc_bar[sel])),
            "final_rqi_above": int(np.sum(r.rqi[sel] > r.config.rqi_threshold)),
        })
    both = np.isfinite(it) & np.isfinite(sweep.n_h)
    corr = float(np.corrcoef(np.log(sweep.n_h[both]), np.log(it[both]))[0, 1]) \
        if both.sum() > 2 else None
    ratio = float(np.median(it[both] / sweep.n_h[both])) if both.any() else None
    r_net, r_res, r_why = crossing([d["fraction"] for d in per_size],
                                   [d["final_rqi_above"] / d["runs"] for d in per_size])
    return {
        "acc_vs_acc_hat": {"mean_abs_gap": float(gap.mean()), "max_abs_gap": float(gap.max()),
                           "mean_abs_gap_test": float(gap_test.mean()) if gap_test.size else None,
                           "runs": int(ok.sum()),
                           "definition": "|Acc - Acc_hat| over D0 at the end of training; "
                                         "_test: on the test set"},
        "critical_fraction": {"r_half_theory": curve.r_half,
                              "r_half_network": r_net, "r_half_network_resolution": r_res,
                              "r_half_network_reason": None if r_why is None else
                              f"the network's rate of final RQI > {r.config.rqi_threshold} "
                              f"{r_why} (budget {r.config.steps} steps)",
                              "definition": "fraction where P(forced) crosses 1/2; network: "
                                            "first upward 1/2 crossing of the fraction of "
                                            "runs with final RQI > threshold, linear "
                                            "interpolation between training sizes"},
        "steps_to_rqi": {"per_size": per_size,
                         "log_correlation_n_h_vs_iter_rqi": corr,
                         "n_runs_correlation": int(both.sum()),
                         "median_ratio_iter_rqi_over_n_h": ratio},
        "diverged_runs": int(r.diverged.sum()),
        "throughput_run_steps_per_s": r.timing["run_steps_per_s"],
        "config": config,
    }


# ----------------------------------------------------------------------------- figures
def _fig3(sweep):
    from matplotlib.figure import Figure

    r = sweep.result
    fig = Figure(figsize=(10, 4), layout="constrained")
    a, b = fig.subplots(1, 2)
    plot_accuracy_vs_fraction(a, sweep.fraction, r.acc, r.acc_hat, acc_bar=sweep.acc_bar)
    a.legend(fontsize=7)
    a.set_title("(a) accuracy vs training fraction (mean $\\pm$ sd over seeds)", fontsize=9)
    sc = b.scatter(r.acc_hat, r.acc, c=sweep.fraction, cmap="viridis", s=16)
    b.plot([0, 1], [0, 1], "k:", lw=1)
    b.set_xlabel(r"predicted accuracy $\widehat{\rm Acc}$")
    b.set_ylabel("network accuracy Acc")
    fig.colorbar(sc, ax=b, label="training fraction")
    gap = np.nanmean(np.abs(r.acc - r.acc_hat))
    b.set_title(f"(b) per run: mean |Acc - Acc_hat| = {gap:.3f}", fontsize=9)
    fig.suptitle(f"Fig. 3: toy model p={r.config.p}, {len(r.batch)} runs x {r.config.steps} "
                 f"steps (grokking-theory {__version__})", fontsize=10)
    return fig


def _trajectory(sweep, train_size=45):
    """Network vs effective-theory trajectory for the first forced run at ``train_size``."""
    r = sweep.result
    cand = np.flatnonzero((r.batch.train_size == train_size) & sweep.forced & ~r.diverged)
    if cand.size == 0:
        cand = np.flatnonzero(sweep.forced & ~r.diverged)
    if cand.size == 0:
        return None
    k = int(cand[0])
    steps = r.history["step"]
    net = normalize_representation(r.history["embedding"][k].astype(float))[..., 0]
    split = TrainingSplit(r.config.task, r.train_sets[k])
    eta = float(r.batch.repr_lr[k])
    flow = effective_flow(split, net[0], eta * steps)
    theory = normalize_representation(flow.embedding)[..., 0]
    # the sign of a 1-D representation is arbitrary: align theory with the network's end state
    if np.dot(theory[-1], net[-1]) < 0:
        theory = -theory
    return {"run": k, "seed": int(r.batch.seed[k]), "train_size": int(r.batch.train_size[k]),
            "steps": steps, "network": net, "theory": theory, "n_h": float(sweep.n_h[k]),
            "iter_rqi": int(r.iter_rqi[k])}


def _budget_note(sweep, full_steps) -> str:
    """What the budget does to panel (a): runs on forcing splits that missed the structure."""
    r = sweep.result
    forced = sweep.forced & ~r.diverged
    missed = int(np.sum(forced & (r.rqi <= r.config.rqi_threshold)))
    text = (f"{missed} of {int(forced.sum())} runs on forcing splits end with RQI <= "
            f"{r.config.rqi_threshold} after {r.config.steps} steps")
    if full_steps is not None and r.config.steps < full_steps:
        text += (f":\nreduced budget ({r.config.steps} of the full {full_steps} steps), so "
                 "the network's rate\nsits below the theory partly because runs are cut short")
    return text


def _fig4(sweep, curve, traj, report=None, full_steps=None):
    from matplotlib.figure import Figure

    r = sweep.result
    fig = Figure(figsize=(14, 4.6), layout="constrained")
    a, b, c = fig.subplots(1, 3)
    plot_probability_vs_fraction(a, curve, sweep.fraction, r.rqi > r.config.rqi_threshold)
    # legend and budget note go below the axes: inside, every corner holds part of the
    # curve or of the network's points
    leg = a.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                   frameon=False, title=_budget_note(sweep, full_steps), title_fontsize=6.5)
    leg.get_title().set_color("C3")
    a.set_ylim(-0.05, 1.05)
    crit = (report or {}).get("critical_fraction", {})
    net = crit.get("r_half_network")
    a.set_title(f"(a) theory crosses 1/2 at r = {curve.r_half:.3f}; network "
                + (f"at r = {net:.3f}" if net is not None else "never within the budget"),
                fontsize=9)
    it = np.where(r.iter_rqi >= 0, r.iter_rqi, np.nan).astype(float)
    plot_steps_vs_fraction(b, sweep.fraction, it, label="steps to RQI > 0.95 (median, IQR)")
    never = _by_size(sweep.fraction, (r.iter_rqi < 0).astype(float))
    lo, hi = b.get_ylim()
    b.set_ylim(lo, hi * (hi / lo) ** 0.25)            # headroom for the "never" labels
    for x, m in zip(never[0], never[1]):
        if m > 0:
            b.annotate(f"{m:.0%}\nnever", (x, b.get_ylim()[1]), fontsize=6, ha="center",
                       va="top")
    b.legend(fontsize=7)
    b.set_title(f"(b) steps to RQI > 0.95 (budget {r.config.steps})", fontsize=9)
    if traj is not None:
        plot_trajectories(c, traj["steps"], traj["network"], traj["theory"], n_h=traj["n_h"])
        c.set_title(f"(c) seed {traj['seed']}, |D| = {traj['train_size']}: network (solid),\n"
                    f"effective theory (dashed), 3 $n_h$ (dotted)", fontsize=8)
        c.set_xlim(0, min(traj["steps"][-1], max(6 * traj["n_h"], 2 * max(traj["iter_rqi"], 1))))
    fig.suptitle("Fig. 4: the linear structure: when it is forced, how fast it is learned",
                 fontsize=10)
    return fig


def _fig5(sweep, curve):
    from matplotlib.figure import Figure

    r = sweep.result
    fig = Figure(figsize=(10, 4), layout="constrained")
    a, b = fig.subplots(1, 2)
    ok = np.isfinite(curve.lambda3_median)
    a.plot(curve.fraction[ok], curve.lambda3_median[ok], "k-", label="median over forcing sets")
    a.fill_between(curve.fraction[ok], curve.lambda3_q25[ok], curve.lambda3_q75[ok], color="k",
                   alpha=0.15, lw=0, label="quartiles")
    a.scatter(sweep.fraction[sweep.forced], sweep.lambda3[sweep.forced], s=10, color="C0",
              label="the sweep's training sets")
    a.set_yscale("log")
    a.set_xlabel("training fraction r")
    a.set_ylabel(r"$\lambda_3$ of $H = 2A^TA/Z_0$")
    a.legend(fontsize=7)
    a.set_title(r"(a) grokking rate $\lambda_3$ vs training fraction", fontsize=9)
    it = np.where(r.iter_rqi >= 0, r.iter_rqi, np.nan).astype(float)
    both = np.isfinite(it) & np.isfinite(sweep.n_h)
    sc = b.scatter(sweep.n_h[both], it[both], c=sweep.fraction[both], cmap="viridis", s=16)
    if both.any():
        lo = min(sweep.n_h[both].min(), it[both].min())
        hi = max(sweep.n_h[both].max(), it[both].max())
        b.plot([lo, hi], [lo, hi], "k:", lw=1, label="y = x")
        b.plot([lo, hi], [3 * lo, 3 * hi], "k--", lw=1, label="y = 3x")
    b.set_xscale("log")
    b.set_yscale("log")
    b.set_xlabel(r"predicted $n_h = 1/(\lambda_3 \eta)$")
    b.set_ylabel("measured steps to RQI > 0.95")
    b.legend(fontsize=7)
    fig.colorbar(sc, ax=b, label="training fraction")
    b.set_title("(b) prediction vs measurement (runs that reached RQI > 0.95)", fontsize=9)
    fig.suptitle("Fig. 5: the effective theory's grokking rate", fontsize=10)
    return fig


def make_figures(out_dir, *, quick=False, progress=False, profile=None) -> dict:
    """Write Figs. 3-5 (PNG + PDF + JSON each) and ``effective_validation_report.json``.

    Parameters
    ----------
    out_dir : str or os.PathLike
    quick : bool
        The quick profile (4 sizes x 4 seeds x 3000 steps, ~15 s) instead of the
        full one (9 sizes x 12 seeds x 10 000 steps, ~4 min on 2 cores).
    progress : bool
        A progress bar on stderr.
    profile : str, optional
        A key of :data:`PROFILES`; overrides ``quick`` (``"standard"``, the
        reproduction's default: 9 sizes x 6 seeds x 10 000 steps, ~2 min).

    Returns
    -------
    dict
        Written files per figure, the report path, a ``summary`` and the ``config``.

    Examples
    --------
    >>> from validation.effective import make_figures
    >>> manifest = make_figures("results/effective", quick=True)   # doctest: +SKIP
    """
    out_dir = make_out_dir(out_dir)
    name = resolve_profile(profile, quick, PROFILES)
    prof = PROFILES[name]
    cfg = ToyConfig(steps=prof["steps"], record_every=max(prof["steps"] // 200, 1))
    t0 = time.perf_counter()
    batch = make_batch(prof["seeds"], train_size=prof["train_sizes"])
    with progress_bar(len(batch) * cfg.steps, "effective: toy runs", enabled=progress,
                      unit="run-step") as bar:
        res = train_toy(cfg, batch, progress=bar.update)
    task = cfg.task
    analyses = [analyze_split(TrainingSplit(task, tr), eta=float(batch.repr_lr[k]))
                for k, tr in enumerate(res.train_sets)]
    sweep = SweepResult(result=res, forced=np.array([a.forced for a in analyses]),
                        lambda3=np.array([a.lambda3 for a in analyses]),
                        n_h=np.array([a.n_h for a in analyses]),
                        acc_bar=np.array([a.acc_bar for a in analyses]))
    t_train = time.perf_counter() - t0
    curve = critical_curve(ArithmeticTask(cfg.p), trials=prof["critical_trials"], seed=0)
    config = {"theory": "effective", "paper": "Liu et al. 2022, arXiv 2205.10343",
              "profile": name, "full_profile_steps": PROFILES["full"]["steps"],
              "n_samples": task.n_samples, "toy": cfg.to_dict(),
              "train_sizes": prof["train_sizes"], "seeds": prof["seeds"],
              "hyperparameters": {"repr_lr": 1e-3, "decoder_lr": 1e-4, "decoder_wd": 0.0,
                                  "repr_wd": 0.0},
              "seed_streams": "SeedSequence(seed).spawn(4) -> templates, split, embedding "
                              "init, decoder init",
              "critical_curve": curve.config, "version": __version__}
    report = _report(sweep, curve, config)
    traj = _trajectory(sweep)
    files = {}
    files["fig3_accuracy"] = save_figure(_fig3(sweep), out_dir, "fig3_accuracy", {
        "figure": "Fig. 3: Acc and Acc_hat vs training fraction; Acc vs Acc_hat",
        "config": config, "data": sweep.to_dict()})
    fig4 = _fig4(sweep, curve, traj, report, PROFILES["full"]["steps"])
    files["fig4_structure"] = save_figure(fig4, out_dir, "fig4_structure", {
        "figure": "Fig. 4: P(linear structure) vs fraction; steps to RQI > 0.95; trajectories",
        "config": config, "critical_curve": curve.to_dict(),
        "trajectory": traj, "data": sweep.to_dict()})
    files["fig5_rate"] = save_figure(_fig5(sweep, curve), out_dir, "fig5_rate", {
        "figure": "Fig. 5: lambda_3 vs fraction; predicted n_h vs measured steps",
        "config": config, "critical_curve": curve.to_dict(), "data": sweep.to_dict()})
    report["timings_s"] = {"training": t_train, "total": time.perf_counter() - t0}
    path = write_json(out_dir, "effective_validation_report.json", report)
    summary = {"mean_abs_gap_acc_vs_acc_hat": report["acc_vs_acc_hat"]["mean_abs_gap"],
               "r_half_theory": curve.r_half,
               "log_correlation_n_h_vs_iter_rqi":
                   report["steps_to_rqi"]["log_correlation_n_h_vs_iter_rqi"],
               "run_steps_per_s": res.timing["run_steps_per_s"],
               "seconds": report["timings_s"]["total"]}
    return {**files, "validation_report": path, "summary": summary, "config": config}
