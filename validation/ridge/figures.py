"""The paper's Fig. 1 and Fig. 2, and the validation report, from real GD runs.

* Fig. 1: training vs population loss over many runs at the defaults, log
  time axis; the curves are the exact closed form (50 runs) and explicit GD
  runs are overlaid on a subset, with their largest deviation reported.
* Fig. 2: t1 and t2 measured by explicit GD over sweeps of lam, eta, nu2, n
  and m, with the Eq. (8) bounds overlaid.
* ``validation_report.json``: integer agreement of GD with the closed form on
  every sweep run, the log-log slopes of t2 in lam and eta, every bound
  checked on a randomized grid of settings that meet its assumptions (slack
  ratios), and the Theorem 4.1 envelopes.

Each figure is written as PNG + PDF with a JSON sidecar holding its full
config (parameters, seeds, definitions, version) and the plotted numbers.
"""

from __future__ import annotations

import json
import os
import time
import warnings

import numpy as np

from theory import __version__
from theory._json import jsonable as _jsonable
from theory.ridge import TIME_DEFINITIONS, dynamics, grokking_times, sample_problem
from theory.ridge import bounds as B
from validation.ridge.gd import simulate_gd

__all__ = ["DEFAULTS", "make_figures", "validation_report", "plot_loss_curves", "plot_sweep",
           "sweep", "bounds_grid", "thm41_check"]

DEFAULTS = dict(n=100, m=1000, nu2=1.0, lam=1e-4, eta=1.0, eps=0.01, c=0.01)

_SWEEPS = {
    False: {"lam": list(2.0 ** -np.arange(10, 17)), "eta": [0.125, 0.25, 0.5, 1.0],
            "nu2": [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0], "n": [25, 50, 100, 200, 400],
            "m": [500, 1000, 2000, 4000]},
    True: {"lam": list(2.0 ** -np.arange(10, 14)), "eta": [0.5, 1.0],
           "nu2": [0.5, 2.0, 8.0], "n": [50, 100, 200], "m": [500, 1000, 2000]},
}
_SEEDS = {False: 5, True: 2}
_FIG1 = {False: dict(runs=50, gd_runs=5, t_max=100_000), True: dict(runs=10, gd_runs=2,
                                                                    t_max=30_000)}
_GRID = {False: 40, True: 10}

_LABELS = {"lam": r"weight decay $\lambda$", "eta": r"step size $\eta$",
           "nu2": r"init variance $\nu^2$", "n": "training samples $n$", "m": "features $m$"}


# ---------------------------------------------------------------------------
# plotting (take an Axes, return artists)
# ---------------------------------------------------------------------------
def plot_loss_curves(ax, steps, train, test, *, t1=None, t2=None, gd=None, eps=None, c=None):
    """Median and 10-90% band of train and population loss over runs, log time axis.

    Parameters
    ----------
    ax : matplotlib Axes
    steps : array (K,)
        Steps (``0`` is drawn at 0.5 on the log axis).
    train, test : array (R, K)
        Losses of R runs.
    t1, t2 : array (R,), optional
        Times marked by vertical lines at their medians.
    gd : dict, optional
        ``{"steps", "train", "test"}`` of explicit GD runs, drawn as markers.
    eps, c : float, optional
        Thresholds drawn as horizontal lines.

    Returns
    -------
    list of Artist
    """
    x = np.where(np.asarray(steps) == 0, 0.5, steps)
    artists = []
    for data, color, label in ((train, "tab:blue", "train $L_n$"),
                               (test, "tab:red", "population $L$")):
        lo, med, hi = np.percentile(data, [10, 50, 90], axis=0)
        artists.append(ax.fill_between(x, lo, hi, color=color, alpha=0.25, linewidth=0))
        artists += ax.plot(x, med, color=color, label=f"{label} (closed form, median, 10-90%)")
    if gd is not None:
        gx = np.where(np.asarray(gd["steps"]) == 0, 0.5, gd["steps"])
        for k in range(len(gd["train"])):
            lab = "explicit GD runs" if k == 0 else None
            artists += ax.plot(gx, gd["train"][k], "o", ms=2.5, mfc="none", color="navy",
                               label=lab)
            artists += ax.plot(gx, gd["test"][k], "o", ms=2.5, mfc="none", color="darkred")
    for value, style, label in ((eps, ":", r"$\epsilon$"), (c, "--", "$c$")):
        if value is not None:
            artists.append(ax.axhline(value, color="gray", ls=style, lw=0.8, label=label))
    for times, color, label in ((t1, "tab:blue", "$t_1$"), (t2, "tab:red", "$t_2$")):
        if times is not None:
            artists.append(ax.axvline(np.median(times), color=color, ls="-.", lw=0.8,
                                      label=f"median {label}"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("GD step $t$")
    ax.set_ylabel("loss")
    return artists


def plot_sweep(ax, values, t1, t2, bounds, *, parameter, logx=True):
    """Measured t1, t2 (mean +- std over seeds) against a parameter, with bounds.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array (V,)
    t1, t2 : array (S, V)
        Measured times per seed.
    bounds : dict of str to array (V,)
        Curves to overlay (e.g. ``{"Eq. (8) t2 lower": ...}``).
    parameter : str
        Key of the swept parameter (axis label).
    logx : bool

    Returns
    -------
    list of Artist
    """
    artists = []
    for data, color, label in ((t1, "tab:blue", "measured $t_1$ (GD)"),
                               (t2, "tab:red", "measured $t_2$ (GD)")):
        data = np.asarray(data, dtype=float)
        artists.append(ax.errorbar(values, data.mean(axis=0), yerr=data.std(axis=0),
                                   fmt="o-", color=color, ms=4, capsize=2, label=label))
    styles = {"t1": ("tab:blue", "--"), "t2": ("tab:red", "--")}
    for name, curve in bounds.items():
        color, ls = styles["t1" if "t1" in name else "t2"]
        if "Marchenko" in name:
            ls = ":"
        artists += ax.plot(values, curve, ls=ls, color=color, lw=1.2, label=name)
    if logx:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(values)
        ax.set_xticklabels([f"{v:.3g}" for v in values], fontsize=7)
    ax.set_yscale("log")
    ax.set_xlabel(_LABELS.get(parameter, parameter))
    ax.set_ylabel("steps")
    return artists


# ---------------------------------------------------------------------------
# computations
# ---------------------------------------------------------------------------
def _setting(**overrides):
    s = dict(DEFAULTS)
    s.update(overrides)
    return s


def sweep(parameter, values, seeds, *, progress=False):
    """Measure t1, t2 by explicit GD over one parameter (others at the defaults).

    Each seed's problem is shared by the whole grid (one batched GD run per
    seed set); ``n`` and ``m`` change the problem's shape and are simulated
    one value at a time.  Every GD time is compared with the closed form.

    Returns
    -------
    dict
        ``values``, ``t1``/``t2`` (S, V) from GD, ``exact_t1``/``exact_t2``,
        ``bounds`` (Eq. (8) curves), ``agreement`` counts.
    """
    d = DEFAULTS
    values = list(values)
    S, V = len(seeds), len(values)
    t1, t2 = np.zeros((S, V), int), np.zeros((S, V), int)
    e1, e2 = np.zeros((S, V), int), np.zeros((S, V), int)
    lmins = np.zeros((S, V))
    if parameter in ("lam", "eta", "nu2"):
        base = [sample_problem(d["n"], d["m"], d["nu2"], seed=s) for s in seeds]
        grid = np.asarray(values, dtype=float)
        lam = grid if parameter == "lam" else d["lam"]
        eta = grid if parameter == "eta" else d["eta"]
        scale = np.sqrt(grid / d["nu2"]) if parameter == "nu2" else 1.0
        horizon = 0
        for i, s in enumerate(seeds):
            for j, v in enumerate(values):
                prob = base[i] if parameter != "nu2" else \
                    sample_problem(d["n"], d["m"], v, seed=s)
                ex = grokking_times(prob, lam=v if parameter == "lam" else d["lam"],
                                    eta=v if parameter == "eta" else d["eta"],
                                    eps=d["eps"], c=d["c"])
                e1[i, j], e2[i, j] = ex.t1, ex.t2
                lmins[i, j] = prob.spectrum.lmin_plus
                horizon = max(horizon, ex.t2 + 2)
        res = simulate_gd(base, lam=lam, eta=eta, eps=d["eps"], c=d["c"], horizon=horizon,
                          init_scale=scale, stop_when_generalized=True)
        t1, t2 = res.t1, res.t2
    else:
        for j, v in enumerate(values):
            probs = [sample_problem(**{"n": d["n"], "m": d["m"], parameter: v},
                                    nu2=d["nu2"], seed=s) for s in seeds]
            ex = [grokking_times(p, lam=d["lam"], eta=d["eta"], eps=d["eps"], c=d["c"])
                  for p in probs]
            e1[:, j] = [r.t1 for r in ex]
            e2[:, j] = [r.t2 for r in ex]
            lmins[:, j] = [p.spectrum.lmin_plus for p in probs]
            res = simulate_gd(probs, lam=d["lam"], eta=d["eta"], eps=d["eps"], c=d["c"],
                              horizon=int(e2[:, j].max()) + 2, stop_when_generalized=True)
            t1[:, j], t2[:, j] = res.t1[:, 0], res.t2[:, 0]
    grid = np.asarray(values, dtype=float)
    p = {k: (grid if k == parameter else d[k]) for k in ("n", "m", "nu2", "lam", "eta")}
    bounds = {
        "Eq. (8) t1 upper (sample lmin)": B.eq8_t1_upper(p["n"], p["m"], p["nu2"], d["eps"],
                                                         p["eta"], lmins.mean(axis=0)),
        "Eq. (8) t1 upper (Marchenko-Pastur)": B.eq8_t1_upper(p["n"], p["m"], p["nu2"],
                                                              d["eps"], p["eta"]),
        "Eq. (8) t2 lower": B.eq8_t2_lower(p["n"], p["m"], p["nu2"], d["eps"], p["eta"],
                                           p["lam"]),
    }
    bounds = {k: np.broadcast_to(v, grid.shape).astype(float) for k, v in bounds.items()}
    agree1, agree2 = (t1 == e1), (t2 == e2)
    return {"parameter": parameter, "values": values, "seeds": list(seeds),
            "t1": t1, "t2": t2, "exact_t1": e1, "exact_t2": e2, "bounds": bounds,
            "agreement": {"runs": int(t1.size), "t1_equal": int(agree1.sum()),
                          "t2_equal": int(agree2.sum())}}


def _slope(x, y):
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def bounds_grid(n_settings, *, n_seeds=3, rng_seed=2026):
    """Check every bound on random settings that meet its theorem's assumptions.

    Settings (and each setting's problem seeds) are drawn from a generator
    seeded by ``SeedSequence(rng_seed)``: ``n`` in [20, 150],
    ``m`` large enough for Thm 4.2's over-parameterization condition, ``nu2``
    in [0.5, 4], ``eps = c`` in [0.005, 0.05], ``lam`` below Thm 4.2's bound,
    ``eta`` below ``1/(lam + b^2)``.  Times are the exact closed form (equal
    to GD, see the sweeps).  Slack = bound/t1 for upper bounds and
    t2/bound (or grokking time / bound) for lower bounds: >= 1 means the bound
    holds.

    Returns
    -------
    dict
        Per bound: ``checked``, ``violations``, ``slack_min``,
        ``slack_median``, ``slack_max``; and the settings used.
    """
    rng = np.random.default_rng(np.random.SeedSequence(rng_seed))
    stats: dict = {}
    settings = []
    skipped = 0
    while len(settings) < n_settings:
        n = int(rng.integers(20, 151))
        nu2 = float(np.exp(rng.uniform(np.log(0.5), np.log(4.0))))
        eps = float(np.exp(rng.uniform(np.log(0.005), np.log(0.05))))
        need = (n + 32 * np.log(2 / 0.05)) / max(1e-3, 1 - 8 * eps / nu2)
        m = int(need * rng.uniform(1.2, 4.0)) + 1
        lam = float(np.exp(rng.uniform(np.log(1e-5), np.log(min(2 * eps / 3, 2e-3)))))
        eta = float(rng.uniform(0.1, 0.8))
        base_seed = int(rng.integers(2 ** 31))
        setting = dict(n=n, m=m, nu2=nu2, eps=eps, c=eps, lam=lam, eta=eta,
                       seeds=[base_seed + s for s in range(n_seeds)])
        rows = []
        ok = True
        for seed in setting["seeds"]:
            prob = sample_problem(n, m, nu2, seed=seed)
            rep = B.bounds_report(prob, lam=lam, eta=eta, eps=eps, c=eps, warn=False)
            if not all(b.assumptions_hold for b in rep.bounds().values()):
                ok = False
                break
            rows.append((prob, rep))
        if not ok:
            skipped += 1
            continue
        settings.append(setting)
        for prob, rep in rows:
            ex = grokking_times(prob, lam=lam, eta=eta, eps=eps, c=eps)
            for name, b in rep.bounds().items():
                if b.value is None or b.vacuous:
                    continue
                actual = {"t1": ex.t1, "t2": ex.t2, "grokking_time": ex.grokking_time}[b.quantity]
                slack = b.value / max(actual, 1) if b.kind == "upper" else actual / b.value
                st = stats.setdefault(name, {"checked": 0, "violations": 0, "slacks": []})
                st["checked"] += 1
                st["violations"] += int(slack < 1)
                st["slacks"].append(slack)
    out = {}
    for name, st in stats.items():
        sl = np.array(st["slacks"])
        out[name] = {"checked": st["checked"], "violations": st["violations"],
                     "slack_min": float(sl.min()), "slack_median": float(np.median(sl)),
                     "slack_max": float(sl.max())}
    return {"bounds": out, "settings": settings, "seeds_per_setting": n_seeds,
            "rng_seed": rng_seed,
            "rejected_draws": skipped,
            "slack_definition": "upper bound on t1: bound / t1; lower bound on t2 or on the "
                                "grokking time: actual / bound; >= 1 means the bound holds"}


def thm41_check(seeds=range(5), *, n=50, m=500, lam=1e-3, eta=1.0, nu2=1.0):
    """Theorem 4.1 envelopes (zero teacher) at 300 log-spaced steps per seed."""
    t = np.unique(np.geomspace(1, 50_000, 300).astype(np.int64))
    held = {"train_upper": 0, "test_lower": 0, "norm_upper": 0}
    total = 0
    for s in seeds:
        prob = sample_problem(n, m, nu2, teacher_norm=0.0, seed=s)
        dyn = dynamics(prob, lam=lam, eta=eta)
        spec = prob.spectrum
        norm_sq = (dyn.row_coords(t) ** 2).sum(axis=-1) + \
            np.exp(2 * t * np.log1p(-eta * lam)) * spec.null_init_sq
        held["train_upper"] += int(np.sum(dyn.train_loss(t) <= B.thm41_train_upper(prob, lam,
                                                                                  eta, t)))
        held["test_lower"] += int(np.sum(dyn.population_loss(t) >= B.thm41_test_lower(
            prob, lam, eta, t, nu2)))
        held["norm_upper"] += int(np.sum(norm_sq <= B.thm41_norm_upper(prob, lam, eta, t)
                                         * (1 + 1e-12)))
        total += t.size
    return {"points": total, "held": held,
            "setting": dict(n=n, m=m, lam=lam, eta=eta, nu2=nu2, teacher_norm=0.0,
                            seeds=list(seeds))}


def _fig1_data(quick):
    cfg = _FIG1[quick]
    d = DEFAULTS
    steps = np.unique(np.concatenate([[0], np.geomspace(1, cfg["t_max"], 300).astype(np.int64)]))
    train, test, t1, t2 = [], [], [], []
    for s in range(cfg["runs"]):
        dyn = dynamics(sample_problem(d["n"], d["m"], d["nu2"], seed=s), lam=d["lam"],
                       eta=d["eta"])
        train.append(dyn.train_loss(steps))
        test.append(dyn.population_loss(steps))
        r = grokking_times(dyn, eps=d["eps"], c=d["c"])
        t1.append(r.t1)
        t2.append(r.t2)
    gd_probs = [sample_problem(d["n"], d["m"], d["nu2"], seed=s) for s in range(cfg["gd_runs"])]
    gd_steps = steps[::6]
    res = simulate_gd(gd_probs, lam=d["lam"], eta=d["eta"], eps=d["eps"], c=d["c"],
                      horizon=int(gd_steps[-1]), record=gd_steps)
    gd = {"steps": gd_steps, "train": res.train_loss[:, 0], "test": res.population_loss[:, 0]}
    idx = np.searchsorted(steps, gd_steps)
    dev_train = np.max(np.abs(gd["train"] / np.array(train)[:cfg["gd_runs"]][:, idx] - 1))
    dev_test = np.max(np.abs(gd["test"] / np.array(test)[:cfg["gd_runs"]][:, idx] - 1))
    return {"steps": steps, "train": np.array(train), "test": np.array(test),
            "t1": np.array(t1), "t2": np.array(t2), "gd": gd,
            "gd_vs_closed_form_max_rel_dev": {"train": float(dev_train), "test": float(dev_test)},
            "runs": cfg["runs"], "gd_runs": cfg["gd_runs"], "t_max": cfg["t_max"]}


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------
def _config(quick, extra=None):
    cfg = {"theory": "ridge", "paper": "Xu, Vardi, Safran 2026, arXiv 2601.19791",
           "defaults": dict(DEFAULTS), "quick": quick, "version": __version__,
           "definitions": dict(TIME_DEFINITIONS),
           "model": "features x_i ~ N(0, I/m), Sigma = I/m; teacher uniform on the unit sphere; "
                    "theta(0) ~ N(0, nu2 I); explicit float64 GD with weight decay",
           "seed_streams": "numpy SeedSequence(seed).spawn(3) -> features, teacher, init"}
    cfg.update(extra or {})
    return cfg


def _save(fig, out_dir, name, sidecar):
    os.makedirs(out_dir, exist_ok=True)
    files = []
    for ext in ("png", "pdf"):
        path = os.path.join(out_dir, f"{name}.{ext}")
        fig.savefig(path, dpi=150, bbox_inches="tight",
                    metadata={"Creator": f"grokking-theory {__version__}"} if ext == "pdf" else None)
        files.append(path)
    path = os.path.join(out_dir, f"{name}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(_jsonable(sidecar), fh, indent=1)
    files.append(path)
    return files


def validation_report(*, quick=False, progress=False, _cache=None):
    """Run every GD-vs-theory check and return the report (JSON-ready dict).

    Parameters
    ----------
    quick : bool
        Fewer seeds, shorter sweeps, smaller bound grid (about a minute).
    progress : bool
        Show a progress bar (tqdm) on stderr.

    Returns
    -------
    dict
        ``agreement`` (GD == closed form, integer times), ``curves`` (largest
        relative deviation of GD losses from the closed form), ``slopes``
        (d ln t2 / d ln lam and / d ln eta from GD), ``bounds_grid``,
        ``thm41``, ``timings_s``, ``config``.
    """
    from tqdm import tqdm

    seeds = list(range(_SEEDS[quick]))
    timings = {}
    sweeps = {}
    items = list(_SWEEPS[quick].items())
    for parameter, values in tqdm(items, desc="ridge sweeps (GD)", disable=not progress):
        t0 = time.perf_counter()
        sweeps[parameter] = sweep(parameter, values, seeds)
        timings[f"sweep_{parameter}"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fig1 = _fig1_data(quick)
    timings["fig1"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = bounds_grid(_GRID[quick])
    timings["bounds_grid"] = time.perf_counter() - t0
    thm41 = thm41_check(range(2 if quick else 5))
    runs = sum(s["agreement"]["runs"] for s in sweeps.values())
    eq1 = sum(s["agreement"]["t1_equal"] for s in sweeps.values())
    eq2 = sum(s["agreement"]["t2_equal"] for s in sweeps.values())
    lam_s, eta_s = sweeps["lam"], sweeps["eta"]
    slopes = {"t2_vs_lam": _slope(lam_s["values"], lam_s["t2"].mean(axis=0)),
              "t2_vs_eta": _slope(eta_s["values"], eta_s["t2"].mean(axis=0)),
              "t1_vs_eta": _slope(eta_s["values"], eta_s["t1"].mean(axis=0)),
              "tolerance": 1e-3,
              "note": "least-squares slope of ln(mean GD t2 over seeds) vs ln(parameter); "
                      "the theory predicts -1 up to O(eta lam) corrections"}
    slopes["t2_slopes_within_tolerance"] = bool(
        abs(slopes["t2_vs_lam"] + 1) <= 1e-3 and abs(slopes["t2_vs_eta"] + 1) <= 1e-3)
    report = {
        "agreement": {"gd_runs": runs, "t1_equal": eq1, "t2_equal": eq2,
                      "all_equal": eq1 == runs and eq2 == runs,
                      "per_sweep": {k: v["agreement"] for k, v in sweeps.items()}},
        "curves": {"gd_runs": fig1["gd_runs"], "max_rel_dev": fig1["gd_vs_closed_form_max_rel_dev"],
                   "steps_compared": int(len(fig1["gd"]["steps"]))},
        "slopes": slopes,
        "bounds_grid": grid,
        "thm41": thm41,
        "timings_s": timings,
        "config": _config(quick, {"seeds": seeds, "sweeps": _SWEEPS[quick]}),
    }
    if _cache is not None:
        _cache.update(sweeps=sweeps, fig1=fig1)
    return _jsonable(report)


def make_figures(out_dir, *, quick=False, progress=False):
    """Write Fig. 1, Fig. 2 (PNG + PDF + JSON) and ``validation_report.json``.

    Parameters
    ----------
    out_dir : str or path
    quick : bool
        The fast version (about a minute): fewer seeds and sweep points.
    progress : bool

    Returns
    -------
    dict
        ``{"fig1_loss_curves": [files], "fig2_sweeps": [files],
        "validation_report": path, "summary": {...}, "config": {...}}``
        (the config of the validation run: defaults, seeds, sweeps,
        definitions, version).
    """
    from matplotlib.figure import Figure

    out_dir = os.fspath(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out: cannot create directory {out_dir!r}: {exc.strerror}") from None
    cache: dict = {}
    t0 = time.perf_counter()
    report = validation_report(quick=quick, progress=progress, _cache=cache)
    report["timings_s"]["total"] = time.perf_counter() - t0
    d = DEFAULTS
    f1 = cache["fig1"]
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    plot_loss_curves(ax, f1["steps"], f1["train"], f1["test"], t1=f1["t1"], t2=f1["t2"],
                     gd=f1["gd"], eps=d["eps"], c=d["c"])
    ax.set_title(f"Fig. 1: {f1['runs']} runs at the defaults "
                 f"(n={d['n']}, m={d['m']}, $\\lambda$={d['lam']:g})", fontsize=9)
    ax.legend(fontsize=6, loc="lower left")
    files1 = _save(fig, out_dir, "fig1_loss_curves", {
        "figure": "Fig. 1: train vs population loss", "config": _config(quick, {
            "seeds": list(range(f1["runs"])), "gd_seeds": list(range(f1["gd_runs"])),
            "method": "curves: exact closed form; markers: explicit GD"}),
        "data": {k: f1[k] for k in ("steps", "t1", "t2", "gd_vs_closed_form_max_rel_dev")},
        "median_train": np.median(f1["train"], axis=0), "median_test": np.median(f1["test"],
                                                                                 axis=0)})
    sweeps = cache["sweeps"]
    fig = Figure(figsize=(13, 7.5), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    for ax, (name, sw) in zip(axes, sweeps.items()):
        plot_sweep(ax, sw["values"], sw["t1"], sw["t2"], sw["bounds"], parameter=name)
        ax.set_title(f"sweep over {name}", fontsize=9)
    axes[0].legend(fontsize=6)
    ax = axes[-1]
    ax.axis("off")
    s = report["slopes"]
    a = report["agreement"]
    ax.text(0.0, 0.95, "\n".join([
        "Measured by explicit GD (mean +- std over seeds);",
        "dashed: Eq. (8) bounds (t1 upper, t2 lower);",
        "dotted: t1 bound with Marchenko-Pastur lmin_plus.",
        f"GD == closed form: t1 {a['t1_equal']}/{a['gd_runs']}, t2 {a['t2_equal']}/{a['gd_runs']}",
        f"slope d ln t2 / d ln lam = {s['t2_vs_lam']:.6f}",
        f"slope d ln t2 / d ln eta = {s['t2_vs_eta']:.6f}",
        f"grid: {report['config']['seeds'][-1] + 1} seeds, version {__version__}"]),
        va="top", fontsize=8, family="monospace", transform=ax.transAxes)
    fig.suptitle("Fig. 2: overfitting and generalization times vs hyperparameters", fontsize=10)
    files2 = _save(fig, out_dir, "fig2_sweeps", {
        "figure": "Fig. 2: t1, t2 sweeps with Eq. (8) bounds",
        "config": _config(quick, {"seeds": report["config"]["seeds"], "sweeps": _SWEEPS[quick],
                                  "method": "explicit GD, every run also checked against the "
                                            "closed form"}),
        "data": {k: {kk: sw[kk] for kk in ("values", "t1", "t2", "exact_t1", "exact_t2",
                                           "bounds", "agreement")}
                 for k, sw in sweeps.items()}})
    report_path = os.path.join(out_dir, "validation_report.json")
    with open(report_path, "w", encoding="utf-8") as fh:
        json.dump(_jsonable(report), fh, indent=1)
    summary = {"gd_equals_closed_form": report["agreement"]["all_equal"],
               "gd_runs_compared": report["agreement"]["gd_runs"],
               "slope_t2_vs_lam": s["t2_vs_lam"], "slope_t2_vs_eta": s["t2_vs_eta"],
               "bound_violations": sum(b["violations"]
                                       for b in report["bounds_grid"]["bounds"].values()),
               "seconds": report["timings_s"]["total"]}
    return {"fig1_loss_curves": files1, "fig2_sweeps": files2,
            "validation_report": report_path, "summary": summary,
            "config": report["config"]}
