"""Model B simulation runs and their report: one profile of ``PROFILES_B``, both theories.

:func:`run_model_b` samples a profile (scan, hysteresis sweep, optional
companion width) and evaluates the theory curves; :func:`model_b_report` turns
the result into the JSON section of ``kernel_validation_report.json``
(``model_b.simulation``).  The figure is drawn by
:mod:`validation.adaptive_kernel.figures`.
"""

from __future__ import annotations

import time

import numpy as np

from theory.adaptive_kernel.finite_p import finite_p_curve, sharp_limit_a
from theory.adaptive_kernel.model_b import thresholds
from validation.adaptive_kernel.scan_b import (
    PROFILES_B,
    hysteresis_sweep_b,
    model_b_scan,
    simulation_config_b,
)

__all__ = ["run_model_b", "model_b_report"]


def run_model_b(profile: str = "full", *, seed: int = 700, workers: int = 2,
                progress: bool = False) -> dict:
    """Simulate Model B with a profile of ``PROFILES_B`` and evaluate both theories.

    Parameters
    ----------
    profile : {"quick", "full", "paper"}
        See :data:`validation.adaptive_kernel.scan_b.PROFILES_B`.
    seed : int
        The scan uses ``SeedSequence(seed)`` (spawned per chain), the sweep
        ``SeedSequence(seed + 1)``, the companion width ``seed + 2``.
    workers : int
    progress : bool

    Returns
    -------
    dict
        ``config`` (the simulated couplings), ``scan``, ``sweep``, optional
        ``companion`` (a scan at ``companion_N``, the finite-N trend),
        ``onsets``, ``theory_curves``, ``chain_steps``, ``seconds`` and
        ``seconds_per_chain_step`` (wall time on ``workers`` threads).
    """
    import sys

    if profile not in PROFILES_B:
        raise ValueError(f"profile must be one of {sorted(PROFILES_B)}, got {profile!r}")
    prof = PROFILES_B[profile]
    cfg = simulation_config_b(prof["P"], prof["N"], prof["sharpness"])
    s_I = thresholds(cfg, "matrix").sigma2_I
    levels = [s * s_I for s in prof["reduced_sigma2"]]
    if progress:
        print(f"kernel: Model B Langevin scan (P={prof['P']}, N={prof['N']}, profile "
              f"{profile})", file=sys.stderr)
    t0 = time.perf_counter()
    scan = model_b_scan(cfg, levels, chains=prof["chains"], steps=prof["steps"],
                        step=prof["step"], thin=prof["thin"], seed=seed, workers=workers)
    t_scan = time.perf_counter() - t0
    sweep = hysteresis_sweep_b(cfg, levels, chains=prof["sweep_chains"],
                               steps=prof["sweep_steps"], step=prof["step"],
                               thin=max(1, prof["sweep_steps"] // 40), seed=seed + 1,
                               workers=workers)
    chain_steps = len(levels) * prof["chains"] * prof["steps"] \
        + (2 * len(levels) - 1) * prof["sweep_chains"] * prof["sweep_steps"]
    companion = None
    if "companion_N" in prof:
        small = simulation_config_b(prof["P"], prof["companion_N"], prof["sharpness"])
        s_small = thresholds(small, "matrix").sigma2_I
        companion = model_b_scan(small, [s * s_small for s in prof["reduced_sigma2"]],
                                 chains=prof["chains"], steps=prof["steps"], step=prof["step"],
                                 thin=prof["thin"], seed=seed + 2, workers=workers)
    fine = np.linspace(min(prof["reduced_sigma2"]), max(prof["reduced_sigma2"]), 25)
    curves = {"reduced_sigma2": fine,
              "finite_p": np.array([p.learned for p in finite_p_curve(cfg, fine * s_I)]),
              "scaling_limit": np.array([sharp_limit_a(cfg, x * s_I)["learned"]
                                         for x in fine])}
    return {"config": cfg, "profile": profile, "profile_settings": prof, "scan": scan,
            "sweep": sweep, "companion": companion, "onsets": scan.onsets(),
            "theory_curves": curves, "chain_steps": chain_steps,
            "seconds": time.perf_counter() - t0,
            "seconds_per_chain_step": t_scan / (len(levels) * prof["chains"] * prof["steps"]),
            "workers": workers}


def model_b_report(mb) -> dict:
    """The ``model_b.simulation`` section of the kernel report, from :func:`run_model_b`."""
    scan, on = mb["scan"], mb["onsets"]
    rows = []
    for i, s2 in enumerate(scan.sigma2):
        fp, sl = scan.finite_p[i], scan.sharp_limit[i]
        se = scan.abs_a_se[i]
        lev = scan.leverage_specialised[i]
        rows.append({"sigma2": s2, "reduced_sigma2": scan.reduced_sigma2[i],
                     "phase_scaling_limit": sl["phase"],
                     "abs_a_sim": scan.abs_a[i], "abs_a_se": se,
                     "abs_a_finite_p": fp["abs_a"], "abs_a_scaling_limit": sl["abs_a"],
                     "gap_sim_minus_finite_p_in_se": (scan.abs_a[i] - fp["abs_a"]) / se
                     if se > 0 else None,
                     "leverage_specialised": lev,
                     "abs_a_finite_p_first_order_finite_n": fp["abs_a"] * (1 + lev / 2)
                     if np.isfinite(lev) else None,
                     "specialised_mode_sim": scan.specialised_mode[i],
                     "specialised_mode_se": scan.specialised_mode_se[i],
                     "specialised_mode_finite_p": fp["specialised_mode_fraction"],
                     "specialised_mode_scaling_limit": sl["specialised_mode_fraction"],
                     "specialised_neuron_sim": scan.specialised_neuron[i],
                     "specialised_neuron_finite_p": fp["specialised_neuron_fraction"],
                     "phi_psi_sim": scan.phi_psi[i], "phi_psi_finite_p": fp["phi_psi"],
                     "fitted_directions": scan.fitted_directions[i],
                     "rhat_abs_a": scan.rhat_abs_a[i], "drift_abs_a_in_se": scan.drift_abs_a[i]})
    sw = mb["sweep"]
    out = {"profile": mb["profile"], "profile_settings": mb["profile_settings"],
           "sizes": scan.config["model"], "sharpness": scan.config["sharpness"],
           "per_sigma2": rows,
           "transition": {"sigma2_I_scaling_limit": on["sigma2_I"],
                          "sigma2_II_scaling_limit": on["sigma2_II"],
                          "onset_I": on["I"], "onset_II": on["II"],
                          "bootstrap": on["bootstrap"]},
           "equilibration": {"max_rhat_abs_a": float(np.nanmax(scan.rhat_abs_a)),
                             "max_abs_drift_abs_a_in_se":
                                 float(np.nanmax(np.abs(scan.drift_abs_a)))},
           "hysteresis": {**sw.to_dict(),
                          "max_abs_gap_in_se": float(np.nanmax(np.abs(sw.gap_in_se)))},
           "cost": {"chain_steps": mb["chain_steps"], "seconds": mb["seconds"],
                    "seconds_per_chain_step": mb["seconds_per_chain_step"],
                    "workers": mb["workers"],
                    "definition": "wall time of the scan over its chain-steps, float32, "
                                  "BLAS single-threaded on each worker thread"},
           "sampler": scan.config["sampler"], "definitions": scan.config["definitions"]}
    if mb["companion"] is not None:
        comp = mb["companion"]
        out["companion"] = {"sizes": comp.config["model"], "abs_a_sim": comp.abs_a,
                            "abs_a_se": comp.abs_a_se,
                            "abs_a_finite_p": [p["abs_a"] for p in comp.finite_p],
                            "leverage_specialised": comp.leverage_specialised}
    return out
