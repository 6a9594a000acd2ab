"""The paper's Figs. 2 (Model A, Langevin vs theory) and 3 (Model B), and the validation report.

* Fig. 2: (a) ``-log p(q)`` of the first-layer overlaps before (large noise,
  GFL) and after (small noise, droplets) the transition: Langevin histogram,
  the finite-``d`` mean-field density and the scaling-limit ``d S~(q)``;
  (b) the learned cubic component vs ``sigma2`` (simulation with standard
  errors, both theories, hysteresis sweeps, onsets); (c) the linear component.
* Fig. 3: (a) Model B diagonal action profiles ``S~(x) = x - g x^2 + (gamma/3) x^3``
  at several noise levels (``g = u a^2`` from the self-consistent solution);
  (b) the learned target component ``1 - |a|`` vs ``sigma2`` with
  ``sigma2_I``, ``sigma2_II`` and the spinodal (the paper's parameters);
  (c) the Langevin simulation of the network (:mod:`~validation.adaptive_kernel.scan_b`):
  ``1 - |a|`` vs ``sigma2/sigma2_I`` against the theory at the simulated size
  (exact mode density, :mod:`theory.adaptive_kernel.finite_p`) and the scaling
  limit at the simulated couplings, with the hysteresis sweep; (d) the
  histogram of the Fourier-mode power ``Phi`` against the theory's density.

Plot functions draw on a given Axes and return the artists; figures are
``matplotlib.figure.Figure`` objects on the Agg canvas (no pyplot state).
"""

from __future__ import annotations

import math
import time

import numpy as np

from theory import __version__
from theory.adaptive_kernel.finite_d import finite_d_solution, overlap_density
from theory.adaptive_kernel.finite_p import mode_marginal
from theory.adaptive_kernel.model_a import (
    ModelAConfig,
    critical_point,
    phase_diagram,
    reduced_action,
)
from theory.adaptive_kernel.model_b import (
    BASE_MODEL_B,
    diagonal_action,
    self_consistent_a,
    self_consistent_curve,
    thresholds,
)
from validation._io import make_out_dir, save_figure, write_json
from validation._profile import resolve_profile
from validation._progress import progress_bar
from validation.adaptive_kernel.report_b import model_b_report, run_model_b
from validation.adaptive_kernel.scan_b import PROFILES_B
from validation.adaptive_kernel.transition import (
    PROFILES,
    TAIL_THRESHOLD,
    density_curves,
    droplet_peak,
    hysteresis_sweep,
    simulation_config,
    transition_scan,
)

__all__ = ["make_figures", "plot_overlap_action", "plot_component_vs_sigma2",
           "plot_model_b_actions", "plot_model_b_learned", "plot_model_b_simulation",
           "plot_model_b_modes", "model_b_figure"]


def _neg_log_histogram(edges, density):
    """Bin centres, nonempty bins, ``-log density`` and its first-bin value (the zero)."""
    mids = 0.5 * (edges[1:] + edges[:-1])
    with np.errstate(divide="ignore"):
        neg_log = -np.log(density)
    return mids, density > 0, neg_log, neg_log[0]


def plot_overlap_action(ax, scan, index, *, color="C0", label=None):
    """``-log p(q)`` at ``scan.sigma2[index]``: histogram, finite-d and scaling-limit curves.

    All three are normalised densities of ``q``, shifted so that the simulated
    value in the first bin is zero.
    """
    cfg = ModelAConfig(**scan.config["model"])
    s2 = float(scan.sigma2[index])
    edges = scan.hist_edges
    mids, keep, sim, ref = _neg_log_histogram(edges, scan.hist_density[index])
    q = np.linspace(0.0, edges[-1], 400)
    fd = scan.finite_d[index]
    sl = scan.scaling_limit[index]
    name = label or f"$\\sigma^2$={s2:g}"
    artists = [ax.plot(mids[keep], sim[keep] - ref, "o", ms=3, color=color,
                       label=f"{name}: Langevin")[0]]
    fd_curve = density_curves(cfg, s2, q, b=fd["b"], c=fd["c"])
    artists.append(ax.plot(q, fd_curve - ref, "-", color=color, lw=1.2,
                           label=f"{name}: mean field at d={cfg.d:g}")[0])
    sl_curve = cfg.d * reduced_action(q, cfg.u(s2), sl["b"], sl["c"], cfg.sigma_w2)
    artists.append(ax.plot(q, sl_curve + (fd_curve[0] - ref), ":", color=color, lw=1.2,
                           label=f"{name}: $d\\tilde S(q)$, scaling limit")[0])
    ax.set_xlabel(r"overlap $|q| = |w\cdot w^*|$")
    ax.set_ylabel(r"$-\log p(q)$ + const")
    return artists


def plot_component_vs_sigma2(ax, scans, key, theory_curves, *, sweeps=None):
    """A learned component (``"cubic"`` or ``"linear"``) vs noise: simulations and theories."""
    artists = []
    for i, (beta, scan) in enumerate(scans.items()):
        cfg = scan.config["model"]
        artists.append(ax.errorbar(scan.sigma2, getattr(scan, key), yerr=getattr(scan, key + "_se"),
                                   fmt="o", ms=4, capsize=2, color=f"C{i}",
                                   label=f"Langevin d={cfg['d']:g}, N={cfg['N']:g}"))
        curve = theory_curves[beta]
        artists.append(ax.plot(curve["sigma2"], curve[key], "-", color=f"C{i}", lw=1,
                               label=f"mean field at d={cfg['d']:g}")[0])
    sl = theory_curves["scaling_limit"]
    artists.append(ax.plot(sl["sigma2"], sl[key], "k--", lw=1.2, label="scaling limit")[0])
    if sweeps is not None and key == "cubic":
        for sw in sweeps.values():
            artists.append(ax.plot(sw.sigma2, sw.cubic_down, "v", mfc="none", color="C3", ms=6,
                                   label="sweep, one training set: descending $\\sigma^2$")[0])
            artists.append(ax.plot(sw.sigma2, sw.cubic_up, "^", mfc="none", color="C4", ms=6,
                                   label="sweep, one training set: ascending $\\sigma^2$")[0])
    artists.append(ax.axvline(sl["sigma2_c"], color="k", lw=0.8, ls=":"))
    ax.set_xlabel(r"noise $\sigma^2$")
    ax.set_ylabel({"cubic": r"learned $He_3$ coefficient ($\epsilon - c$)",
                   "linear": r"learned $He_1$ coefficient ($1 - b$)"}[key])
    return artists


def plot_model_b_actions(ax, curve, gamma, sigma2_values):
    """Diagonal action ``S~(x)`` at ``g = u a^2`` of the self-consistent solution per noise."""
    artists = []
    xs = np.linspace(0.0, 1.25 * math.sqrt(3.0 / gamma), 400)
    for i, s2 in enumerate(sigma2_values):
        k = int(np.argmin(np.abs(curve.sigma2 - s2)))
        g = curve.g[k]
        artists.append(ax.plot(xs, diagonal_action(xs, g, gamma), color=f"C{i}",
                               label=f"$\\sigma^2$={curve.sigma2[k]:.3g} ({curve.phase[k]}, "
                                     f"g={g:.4f})")[0])
    artists.append(ax.axhline(0.0, color="k", lw=0.6))
    ax.set_xlabel(r"$x = \Phi = \Psi$ (Fourier-mode power of a neuron)")
    ax.set_ylabel(r"$\tilde S(x) = x - g x^2 + (\gamma/3) x^3$")
    return artists


def plot_model_b_learned(ax, curve, thr):
    """``1 - |a|`` vs noise with the closed-form phase boundaries."""
    artists = [ax.plot(curve.sigma2, curve.learned, "C0-", lw=1.5,
                       label=r"$1 - |a|$ (self-consistent)")[0]]
    for value, name, ls in ((thr.sigma2_I, r"$\sigma^2_{I}$", "--"),
                            (thr.sigma2_II, r"$\sigma^2_{II}$", "-."),
                            (thr.sigma2_spinodal, "spinodal", ":")):
        if value is not None:
            artists.append(ax.axvline(value, color="k", ls=ls, lw=0.9,
                                      label=f"{name} = {value:.4f}"))
    ax.set_xlabel(r"noise $\sigma^2$")
    ax.set_ylabel("target component learned, $1 - |a|$")
    return artists


def _theory_curves(scans, fine):
    out = {}
    for beta, scan in scans.items():
        cfg = ModelAConfig(**scan.config["model"])
        sols = [finite_d_solution(cfg, s, tail_threshold=TAIL_THRESHOLD) for s in fine]
        out[beta] = {"sigma2": fine, "cubic": np.array([p.cubic_learned for p in sols]),
                     "linear": np.array([p.linear_learned for p in sols]),
                     "tail_fraction": np.array([p.tail_fraction for p in sols])}
    # the scaling limit depends on the sizes only through u and kappa (equal for all betas
    # up to the rounding of n, d, N): draw it for the largest simulated size
    cfg = ModelAConfig(**scans[max(scans)].config["model"])
    diag = phase_diagram(cfg, fine)
    out["scaling_limit"] = {"sigma2": fine, "cubic": diag.cubic_learned,
                            "linear": diag.linear_learned,
                            "sigma2_c": critical_point(cfg).sigma2_c}
    return out


def _fig2(scans, sweeps, curves, onsets):
    from matplotlib.figure import Figure

    main_beta = max(scans)
    scan = scans[main_beta]
    fig = Figure(figsize=(14, 4.4), layout="constrained")
    a, b, c = fig.subplots(1, 3)
    lo, hi = int(np.argmin(scan.sigma2)), int(np.argmax(scan.sigma2))
    plot_overlap_action(a, scan, hi, color="C0", label=f"$\\sigma^2$={scan.sigma2[hi]:g} (before)")
    plot_overlap_action(a, scan, lo, color="C3", label=f"$\\sigma^2$={scan.sigma2[lo]:g} (after)")
    a.set_ylim(-1, 30)
    a.legend(fontsize=6)
    a.set_title("(a) overlap distribution before / after", fontsize=9)
    plot_component_vs_sigma2(b, scans, "cubic", curves, sweeps=sweeps)
    on = onsets[main_beta]
    b.set_title(f"(b) cubic learned; onset: sim {on['simulation']:.3f}, "
                f"mean field {on['finite_d_theory']:.3f}, "
                f"$\\sigma^2_c$ = {curves['scaling_limit']['sigma2_c']:.3f}", fontsize=8)
    handles, labels = b.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    b.legend(uniq.values(), uniq.keys(), fontsize=6)
    plot_component_vs_sigma2(c, scans, "linear", curves)
    c.set_title("(c) linear component learned", fontsize=9)
    c.legend(fontsize=6)
    fig.suptitle("Fig. 2: Model A (cubic teacher, eps = -0.3), Langevin posterior samples vs "
                 f"adaptive-kernel theory (grokking-theory {__version__})", fontsize=10)
    return fig


def plot_model_b_simulation(ax, scan, theory, *, sweep=None):
    """``1 - |a|`` vs ``sigma2/sigma2_I``: simulation, theory at the simulated size, limit.

    ``theory`` holds fine-grid curves: ``reduced_sigma2``, ``finite_p`` and
    ``scaling_limit`` (learned components).
    """
    cfg = scan.config["model"]
    s_I = scan.config["sigma2_I"]
    artists = [ax.errorbar(scan.reduced_sigma2, 1.0 - scan.abs_a, yerr=scan.abs_a_se, fmt="o",
                           ms=4, capsize=2, color="C0",
                           label=f"Langevin P={cfg['P']}, N={cfg['N']:g} (SE over chains)"),
               ax.plot(theory["reduced_sigma2"], theory["finite_p"], "-", color="C0", lw=1.2,
                       label=f"mean field at P={cfg['P']} (exact mode density)")[0],
               ax.plot(theory["reduced_sigma2"], theory["scaling_limit"], "k--", lw=1.2,
                       label="scaling limit (sharp coexistence)")[0]]
    if sweep is not None:
        artists.append(ax.plot(sweep.sigma2 / s_I, 1.0 - sweep.abs_a_down, "v", mfc="none",
                               color="C3", ms=6, label="sweep: descending $\\sigma^2$")[0])
        artists.append(ax.plot(sweep.sigma2 / s_I, 1.0 - sweep.abs_a_up, "^", mfc="none",
                               color="C4", ms=6, label="sweep: ascending $\\sigma^2$")[0])
    artists.append(ax.axvline(1.0, color="k", lw=0.8, ls=":"))
    if scan.config["sigma2_II"] is not None:
        artists.append(ax.axvline(scan.config["sigma2_II"] / s_I, color="k", lw=0.8, ls="-."))
    ax.set_xlabel(r"$\sigma^2/\sigma^2_{I}$ ($\sigma^2_{I}$ of the simulated couplings)")
    ax.set_ylabel("target component learned, $1 - |a|$")
    return artists


def plot_model_b_modes(ax, scan, index, *, color="C0", label=None):
    """``-log p(Phi)`` at ``scan.sigma2[index]``: histogram and the theory's marginal density.

    The theory is the mode density of the self-consistent finite-``P`` solution;
    both are shifted so that the simulated first bin is zero.
    """
    cfg = scan.config["model"]
    edges = scan.hist_edges
    mids, keep, sim, ref = _neg_log_histogram(edges, scan.hist_density[index])
    fp = scan.finite_p[index]
    theory = mode_marginal(edges, fp["g"], cfg["gamma"], cfg["P"])
    with np.errstate(divide="ignore"):
        th = -np.log(theory)
    name = label or f"$\\sigma^2/\\sigma^2_I$={scan.reduced_sigma2[index]:.3g}"
    ok = np.isfinite(th)
    return [ax.plot(mids[keep], sim[keep] - ref, "o", ms=3, color=color,
                    label=f"{name}: Langevin")[0],
            ax.plot(mids[ok], th[ok] - ref, "-", color=color, lw=1.2,
                    label=f"{name}: mean field, $e^{{-2PS}}$ marginal")[0]]


def _fig3(curve, thr, gamma, model_b=None):
    from matplotlib.figure import Figure

    rows = 1 if model_b is None else 2
    fig = Figure(figsize=(11, 4.2 * rows), layout="constrained")
    axes = fig.subplots(rows, 2, squeeze=False)
    a, b = axes[0]
    picks = [0.26, thr.sigma2_I + 0.002, 0.5 * (thr.sigma2_I + thr.sigma2_II), 0.15]
    lines = plot_model_b_actions(a, curve, gamma, picks)
    ys = np.concatenate([ln.get_ydata() for ln in lines[:-1]])
    pad = 0.05 * (ys.max() - ys.min())
    a.set_ylim(ys.min() - pad, ys.max() + pad)           # the plotted range, no dead space
    a.legend(fontsize=7)
    a.set_title("(a) action profiles along $\\Phi = \\Psi$", fontsize=9)
    plot_model_b_learned(b, curve, thr)
    b.legend(fontsize=7)
    b.set_title(f"(b) target component vs noise (paper: P = {BASE_MODEL_B.P}, "
                f"N = {BASE_MODEL_B.N:g})", fontsize=9)
    if model_b is not None:
        scan, on = model_b["scan"], model_b["onsets"]["I"]
        c, d = axes[1]
        plot_model_b_simulation(c, scan, model_b["theory_curves"], sweep=model_b["sweep"])
        c.legend(fontsize=6)
        c.set_title(f"(c) Langevin vs mean field; onset $\\sigma^2/\\sigma^2_I$: sim "
                    f"{on['simulation'] / on['scaling_limit_theory']:.3f}, mean field at P "
                    f"{on['finite_p_theory'] / on['scaling_limit_theory']:.3f}", fontsize=8)
        hi = int(np.argmax(scan.sigma2))
        mid = int(np.argmin(np.abs(scan.reduced_sigma2 - 0.85)))
        plot_model_b_modes(d, scan, hi, color="C0")
        plot_model_b_modes(d, scan, mid, color="C3")
        d.set_ylim(-1, 25)
        d.set_xlabel(r"Fourier-mode power $\Phi = |\hat w_k|^2/P$ ($\Phi$ and $\Psi$ pooled)")
        d.set_ylabel(r"$-\log p(\Phi)$ + const")
        d.legend(fontsize=6)
        d.set_title("(d) mode power: histogram vs exact mode density", fontsize=9)
    fig.suptitle(f"Fig. 3: Model B (modular addition), adaptive-kernel theory"
                 f"{'' if model_b is None else ' and Langevin posterior samples'} "
                 f"(grokking-theory {__version__})", fontsize=10)
    return fig


def _report(scans, sweeps, onsets, config):
    sizes = {}
    for beta, scan in scans.items():
        on = onsets[beta]
        sigma2_c = scan.config["sigma2_c"]
        rows = []
        for i, s2 in enumerate(scan.sigma2):
            fd, sl = scan.finite_d[i], scan.scaling_limit[i]
            rows.append({"sigma2": s2, "phase_scaling_limit": sl["phase"],
                         "cubic_sim": scan.cubic[i], "cubic_se": scan.cubic_se[i],
                         "cubic_finite_d": fd["cubic_learned"],
                         "cubic_scaling_limit": sl["cubic_learned"],
                         "linear_sim": scan.linear[i], "linear_se": scan.linear_se[i],
                         "linear_finite_d": fd["linear_learned"],
                         "linear_scaling_limit": sl["linear_learned"],
                         "tail_fraction_sim": scan.tail_fraction[i],
                         "tail_fraction_finite_d": fd["tail_fraction"],
                         "specialised_fraction_scaling_limit": sl["p"],
                         "q_rms_sim": scan.q_rms[i], "q_rms_finite_d": fd["q_rms"],
                         "droplet_peak_sim": droplet_peak(scan.hist_edges,
                                                          scan.hist_density[i]),
                         "droplet_peak_finite_d": droplet_peak(
                             scan.hist_edges, overlap_density(
                                 0.5 * (scan.hist_edges[1:] + scan.hist_edges[:-1]),
                                 ModelAConfig(**scan.config["model"]), s2, fd["b"], fd["c"])),
                         "q_star_scaling_limit": sl["q_star"],
                         "train_mse_sim": scan.train_mse[i],
                         "rhat_cubic": scan.rhat_cubic[i], "drift_cubic_in_se":
                             scan.drift_cubic[i]})
        entry = {"sizes": scan.config["model"], "per_sigma2": rows,
                 "transition": {"sigma2_c_scaling_limit": sigma2_c,
                                "sigma2_spinodal_scaling_limit": scan.config["sigma2_spinodal"],
                                "onset_simulation": on["simulation"],
                                "onset_simulation_se": on["simulation_se"],
                                "onset_finite_d_theory": on["finite_d_theory"],
                                "onset_scaling_limit_theory": on["scaling_limit_theory"],
                                "gap_simulation_minus_sigma2_c": on["simulation"] - sigma2_c,
                                "gap_simulation_minus_finite_d": on["simulation"]
                                - on["finite_d_theory"]},
                 "equilibration": {"max_rhat_cubic": float(np.nanmax(scan.rhat_cubic)),
                                   "max_abs_drift_cubic_in_se":
                                       float(np.nanmax(np.abs(scan.drift_cubic)))}}
        if beta in sweeps:
            sw = sweeps[beta]
            entry["hysteresis"] = {**sw.to_dict(),
                                   "max_abs_gap_in_se": float(np.nanmax(np.abs(sw.gap_in_se)))}
        sizes[f"beta={beta:g}"] = entry
    return {"theory": "adaptive_kernel", "paper": "Rubin, Seroussi, Ringel 2023, arXiv 2310.03789",
            "model_a": sizes, "config": config}


def model_b_figure(out_dir, *, profile: str = "paper", progress: bool = False) -> dict:
    """Run :func:`run_model_b` with ``profile`` and write Fig. 3 and its report alone.

    The larger ``"paper"`` profile does not fit the figure job's budget; run it
    with ``python -c "from validation.adaptive_kernel.figures import model_b_figure;
    model_b_figure('results/kernel_b')"``.

    Returns
    -------
    dict
        Written files and the Model B report.
    """
    out_dir = make_out_dir(out_dir)
    mb = run_model_b(profile, progress=progress)
    report = model_b_report(mb)
    config = {"theory": "adaptive_kernel", "paper": "Rubin, Seroussi, Ringel 2023, "
              "arXiv 2310.03789", "model_b_profile": profile, "version": __version__}
    files = _write_fig3(out_dir, config, mb, report)
    path = write_json(out_dir, "kernel_model_b_report.json", {"model_b_simulation": report,
                                                              "config": config})
    return {"fig3_model_b": files, "report": path, "model_b_simulation": report}


def _write_fig3(out_dir, config, mb, report):
    mb_curve = self_consistent_curve(BASE_MODEL_B, sigma2=np.linspace(0.12, 0.3, 181))
    thr = thresholds(BASE_MODEL_B)
    sidecar = {"figure": "Fig. 3: Model B action profiles and target component vs sigma2; "
                         "Langevin simulation vs the mean field at the simulated size",
               "config": {**config, "model_b": BASE_MODEL_B.to_dict(), "normalisation": "paper"},
               "curve": mb_curve.to_dict(), "thresholds": thr.to_dict()}
    if mb is not None:
        # no timings in the sidecar: the same seeds give the same bytes
        sidecar["simulation"] = {"config": mb["config"].to_dict(), "normalisation": "matrix",
                                 "scan": mb["scan"].to_dict(), "sweep": mb["sweep"].to_dict(),
                                 "theory_curves": mb["theory_curves"],
                                 "report": {k: v for k, v in report.items() if k != "cost"}}
    return save_figure(_fig3(mb_curve, thr, BASE_MODEL_B.gamma, mb), out_dir, "fig3_model_b",
                       sidecar)


def make_figures(out_dir, *, quick=False, progress=False, profile=None) -> dict:
    """Write Figs. 2 and 3 (PNG + PDF + JSON each) and ``kernel_validation_report.json``.

    Parameters
    ----------
    out_dir : str or os.PathLike
    quick : bool
        The quick profile (Model A: beta = 1/8, 4 noise levels x 2 training
        sets x 2 chains x 2500 steps, ~20 s) instead of the full one (beta =
        1/32 and 1/8, 7 levels x 8 sets x 2 chains x 12 000 steps plus a
        hysteresis sweep, ~9.5 min on 2 cores); see ``transition.PROFILES``.
        Model B adds the profile of the same name of ``scan_b.PROFILES_B``.
    progress : bool
        A progress bar over the chain-steps on stderr.
    profile : str, optional
        A key of ``transition.PROFILES``; overrides ``quick`` (``"standard"``:
        the reproduction's default, beta = 1/8 only, 6 sets x 8000 steps).

    Returns
    -------
    dict
        Written files per figure, the report path, a ``summary`` and the ``config``.
        ``summary`` has the Model A onset and, for Model B,
        ``model_b_onset_simulation`` (``_se``: bootstrap over chains),
        ``model_b_onset_theory`` (the mean field at the simulated ``P``) and
        the scaling-limit ``model_b_sigma2_I``, ``model_b_sigma2_II`` at the
        simulated couplings (literal kernel normalisation).

    Examples
    --------
    >>> from validation.adaptive_kernel import make_figures
    >>> manifest = make_figures("results/kernel", quick=True)   # doctest: +SKIP
    """
    out_dir = make_out_dir(out_dir)
    name = resolve_profile(profile, quick, PROFILES)
    prof = PROFILES[name]
    t0 = time.perf_counter()
    scans, sweeps, onsets = {}, {}, {}
    levels = len(prof["sigma2"])
    total = (len(prof["betas"]) * prof["datasets"] * levels * prof["chains"] * prof["steps"]
             + (2 * levels - 1) * prof["sweep_chains"] * prof["sweep_steps"])
    bar = progress_bar(total, "kernel: Langevin", enabled=progress, unit="chain-step")
    for i, beta in enumerate(prof["betas"]):
        cfg = simulation_config(beta)
        scans[beta] = transition_scan(cfg, prof["sigma2"], datasets=prof["datasets"],
                                      chains=prof["chains"], steps=prof["steps"],
                                      step=prof["step"], thin=prof["thin"], seed=100 * (i + 1),
                                      data_seed=100 * (i + 1), progress=bar.update)
        onsets[beta] = scans[beta].onsets()
    main_beta = max(prof["betas"])
    sweeps[main_beta] = hysteresis_sweep(simulation_config(main_beta), prof["sigma2"],
                                         chains=prof["sweep_chains"], steps=prof["sweep_steps"],
                                         step=prof["step"], thin=prof["thin"], seed=999,
                                         data_seed=100 * len(prof["betas"]),
                                         progress=bar.update)
    bar.close()
    t_sim = time.perf_counter() - t0
    fine = np.linspace(min(prof["sigma2"]), max(prof["sigma2"]), 41)
    curves = _theory_curves(scans, fine)
    config = {"theory": "adaptive_kernel",
              "paper": "Rubin, Seroussi, Ringel 2023, arXiv 2310.03789",
              "profile": name, "profile_settings": prof,
              "scans": {f"beta={b:g}": s.config for b, s in scans.items()},
              "model_b_profile_settings": PROFILES_B[name],
              "seed_streams": "size i (1-based), training set k: data SeedSequence(100 i + k), "
                              "sampler SeedSequence(100 i + k) spawned per chain; hysteresis "
                              "sweep: sampler SeedSequence(999), data = the main size's first "
                              "set; Model B: scan SeedSequence(700) spawned per chain, sweep "
                              "SeedSequence(701)",
              "version": __version__}
    report = _report(scans, sweeps, onsets, config)
    files = {}
    files["fig2_model_a"] = save_figure(_fig2(scans, sweeps, curves, onsets), out_dir,
                                        "fig2_model_a", {
        "figure": "Fig. 2: overlap distribution before/after; learned cubic and linear "
                  "components vs sigma2 (Langevin vs mean field)",
        "config": config, "theory_curves": curves,
        "scans": {f"beta={b:g}": s.to_dict() for b, s in scans.items()},
        "sweeps": {f"beta={b:g}": s.to_dict() for b, s in sweeps.items()}})
    t_b = time.perf_counter()
    mb = run_model_b(name, progress=progress)
    t_sim += time.perf_counter() - t_b
    mb_report = model_b_report(mb)
    files["fig3_model_b"] = _write_fig3(out_dir, config, mb, mb_report)
    report["model_b"] = {"thresholds": thresholds(BASE_MODEL_B).to_dict(),
                         "abs_a_at_0.15": self_consistent_a(BASE_MODEL_B, 0.15).abs_a,
                         "simulation": mb_report}
    report["timings_s"] = {"simulation": t_sim, "model_b": mb["seconds"],
                           "total": time.perf_counter() - t0}
    path = write_json(out_dir, "kernel_validation_report.json", report)
    main = report["model_a"][f"beta={main_beta:g}"]["transition"]
    summary = {"sigma2_c_scaling_limit": main["sigma2_c_scaling_limit"],
               "onset_simulation": main["onset_simulation"],
               "onset_simulation_se": main["onset_simulation_se"],
               "onset_finite_d_theory": main["onset_finite_d_theory"],
               "gap_simulation_minus_sigma2_c": main["gap_simulation_minus_sigma2_c"],
               "model_b_onset_simulation": mb["onsets"]["I"]["simulation"],
               "model_b_onset_simulation_se": mb["onsets"]["I"]["simulation_se"],
               "model_b_onset_theory": mb["onsets"]["I"]["finite_p_theory"],
               "model_b_sigma2_I": mb["onsets"]["sigma2_I"],
               "model_b_sigma2_II": mb["onsets"]["sigma2_II"],
               "seconds": report["timings_s"]["total"]}
    return {**files, "validation_report": path, "summary": summary, "config": config}
