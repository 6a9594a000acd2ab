r"""Langevin validation of Model B (modular addition): ``|a|`` and specialisation vs noise.

The posterior of the quadratic network on all ``P^2`` pairs
(:func:`~validation.adaptive_kernel.langevin_b.langevin_model_b`) is sampled
over a ``sigma2`` grid spanning GFL -> GMFL-I -> GMFL-II and compared with

* the theory at the simulated size
  (:func:`theory.adaptive_kernel.finite_p.finite_p_solution`: the exact mode
  density ``exp(-2 P S(Phi, Psi))``, mean field in ``N``), and
* the scaling limit at the simulated couplings
  (:func:`~theory.adaptive_kernel.finite_p.sharp_limit_a`, boundaries
  :func:`~theory.adaptive_kernel.model_b.thresholds`), both with the literal
  (``"matrix"``) kernel normalisation of the network as specified.

**Couplings** (:func:`simulation_config_b`).  The paper's ``gamma = 10^-4`` puts
the specialised mode at ``Phi = x_c = sqrt(3/gamma) = 173``, ``P x_c = 69 000``
prior units, behind a barrier of ``10^4`` nats: no sampler crosses it.  The
phase diagram depends on three dimensionless numbers: the reduced noise
``sigma2/sigma2_I``, the feedback ``r = 1 - sigma2_II/sigma2_I`` (how much the
specialised modes learn) and the sharpness ``kappa = P x_c`` (the action of a
specialised mode in prior units).  The simulation keeps the paper's ``r``
(0.2542) and reduced noise, so ``u x_c = 2 (sigma2_I/sigma2)^2`` and
``g/g_c`` take the paper's values at every reduced noise; it lowers
``kappa`` to 10 (barrier ``2 kappa 4/27 = 3`` nats at coexistence), which sets
``gamma = 3 (P/kappa)^2``, ``sigma2_I = r P/(4 N kappa)`` and
``sigma_a2 = N sigma2_I^2/(P kappa)``.  ``kappa`` plays the role of ``d`` in
Model A: the transition is rounded, and the finite-``P`` theory keeps it.

**Unit of replication.**  All ``P^2`` pairs are the training set: there is one
data set, and independent chains (own ``SeedSequence`` streams, started from
the prior) are the statistical unit.  Standard errors are over chains; the
onset bootstrap resamples chains independently at every noise level.

**Onset.**  In the scaling limit the learned component ``1 - |a|`` is linear in
``sigma2`` through GMFL-I and reaches 0 at ``sigma2_I``: the onset is where the
least-squares line through ``1 - |a|`` at ``sigma2/sigma2_I`` in
``ONSET_WINDOW_B`` reaches 0 (:func:`~validation.adaptive_kernel.transition.onset`),
applied alike to the simulation and both theories.  The specialised fraction
is linear too, reaching 1 at ``sigma2_II``: the same line fit gives ``onset_II``.

**Finite N.**  The mean field neglects, for every neuron, the factor
``1/(1 + d_i)`` on its data term and ``(P/2) log(1 + d_i)`` in its action,
``d_i = (sigma_a2/N) phi_i^T (K_{-i} + sigma2)^{-1} phi_i`` (Sherman-Morrison on
the marginal likelihood).  To first order a specialised mode then needs
``g = g_c (1 + d)``, so in GMFL-I ``|a|`` exceeds the mean field by
``|a| d/2``.  The scan measures ``d`` on the sampled states (``leverage``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import bootstrap

from theory._checks import check_positive, check_positive_int
from theory._json import jsonable
from theory.adaptive_kernel.finite_p import default_threshold, finite_p_solution, sharp_limit_a
from theory.adaptive_kernel.model_b import (
    BASE_MODEL_B,
    ModelBConfig,
    thresholds,
    two_hot_inputs,
)
from validation._stats import split_rhat
from validation.adaptive_kernel.langevin_b import langevin_model_b
from validation.adaptive_kernel.transition import onset

__all__ = ["PROFILES_B", "ONSET_WINDOW_B", "ModelBScan", "ModelBSweep", "simulation_config_b",
           "model_b_scan", "hysteresis_sweep_b", "onset_b", "leverages"]

#: Reduced noise ``sigma2/sigma2_I`` of the points in the onset line fits.
ONSET_WINDOW_B = (0.749, 0.96)
_HIST_BINS = 60

#: Simulation budgets (``reduced_sigma2`` = ``sigma2/sigma2_I``; one ``step`` per level).
PROFILES_B = {
    "quick": {"P": 11, "N": 64, "sharpness": 10.0,
              "reduced_sigma2": [0.7, 0.85, 0.95, 1.05, 1.25],
              "step": [0.003, 0.005, 0.005, 0.005, 0.005], "chains": 2, "steps": 5000,
              "thin": 40, "sweep_steps": 1000, "sweep_chains": 2},
    "full": {"P": 11, "N": 256, "sharpness": 10.0,
             "reduced_sigma2": [0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.1, 1.25],
             "step": [0.003, 0.003, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005],
             "chains": 4, "steps": 14_000, "thin": 100, "sweep_steps": 3000,
             "sweep_chains": 2},
    "paper": {"P": 11, "N": 512, "sharpness": 10.0,
              "reduced_sigma2": [0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25],
              "step": [0.003, 0.003, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005],
              "chains": 6, "steps": 30_000, "thin": 100, "sweep_steps": 8000,
              "sweep_chains": 4, "companion_N": 128},
}
#: The reproduction's default profile of the kernel job runs Model B's full budget.
PROFILES_B["standard"] = PROFILES_B["full"]


def simulation_config_b(P: int = 11, N: int = 256, sharpness: float = 10.0,
                        base: ModelBConfig = BASE_MODEL_B) -> ModelBConfig:
    r"""Couplings for a simulation at ``(P, N)`` with the phase diagram of ``base``.

    Parameters
    ----------
    P, N : int
        Simulated modulus (prime) and width.
    sharpness : float
        ``kappa = P x_c``, ``x_c = sqrt(3/gamma)``: the action of a specialised
        mode in prior units (the paper's is 69 000; 10 gives a 3-nat barrier).
    base : ModelBConfig
        Supplies the feedback ``r = 1 - sigma2_II/sigma2_I`` (paper normalisation:
        the paper's Fig. 3 reading).

    Returns
    -------
    ModelBConfig
        ``gamma = 3 (P/kappa)^2``, ``sigma_a2 = N sigma2_I^2/(P kappa)`` with
        ``sigma2_I = r P/(4 N kappa)``; its ``"matrix"`` thresholds have
        ``sigma2_II/sigma2_I = 1 - r``.

    Notes
    -----
    ``thresholds(config, "matrix")``: ``sigma2_I^2 = 2 sigma_a2 P^2/(N g_c)`` and
    ``sigma2_I - sigma2_II = 4 P^2 sigma_a2 x_c^2``; solving for ``sigma_a2`` and
    ``sigma2_I`` at given ``r`` and ``x_c`` gives the formulas above.  At a
    reduced noise ``s`` the couplings are ``u x_c = 2/s^2`` and
    ``g/g_c = (|a|/s)^2``, as in the paper.

    Examples
    --------
    >>> from theory.adaptive_kernel.model_b import thresholds
    >>> from validation.adaptive_kernel.scan_b import simulation_config_b
    >>> cfg = simulation_config_b(11, 256, 10.0)
    >>> t = thresholds(cfg, "matrix")
    >>> round(cfg.gamma, 4), round(t.sigma2_II / t.sigma2_I, 4), f"{t.sigma2_I:.4e}"
    (3.63, 0.7458, '2.7309e-04')
    """
    N = check_positive_int("N", N)
    kappa = check_positive("sharpness", sharpness)
    thr = thresholds(base, "paper")
    if thr.sigma2_II is None:
        raise ValueError("base has no GMFL-II (sigma2_II <= 0): no feedback ratio to keep")
    r = 1.0 - thr.sigma2_II / thr.sigma2_I
    x_c = kappa / check_positive_int("P", P)
    s_I = r * P / (4.0 * N * kappa)
    return ModelBConfig(P=P, N=float(N), sigma_a2=N * s_I * s_I / (P * kappa),
                        gamma=3.0 / (x_c * x_c))


def onset_b(sigma2, values, sigma2_I, *, window=ONSET_WINDOW_B):
    """Where the line through ``values`` at ``sigma2/sigma2_I`` in ``window`` reaches 0.

    ``values`` is the learned component ``1 - |a|`` (onset I) or ``w - 1`` with
    ``w`` the specialised fraction, passed with ``-sigma2`` (onset II: the line
    reaches 0 going down in noise).  Uses
    :func:`validation.adaptive_kernel.transition.onset`.

    Examples
    --------
    >>> from validation.adaptive_kernel.scan_b import onset_b
    >>> onset_b([0.6, 0.8, 0.9, 1.2], [0.45, 0.2, 0.1, 0.0], 1.0)    # 1 - s on the window
    1.0
    """
    s = np.asarray(sigma2, dtype=float)
    red = np.abs(s) / sigma2_I
    keep = (red >= window[0]) & (red <= window[1])
    if keep.sum() < 2:
        return math.nan
    return onset(s[keep], np.asarray(values, dtype=float)[keep], fit_below=float(s[keep].max()))


def leverages(w, v, config: ModelBConfig, sigma2) -> np.ndarray:
    r"""``d_i = c phi_i^T (K_{-i} + sigma2)^{-1} phi_i`` of every neuron of one state.

    Parameters
    ----------
    w, v : ndarray, shape (N, P)
        First-layer weights of one chain.
    config : ModelBConfig
    sigma2 : float

    Returns
    -------
    ndarray, shape (N,)

    Notes
    -----
    ``c = sigma_a2/N``, ``K = c sum_i phi_i phi_i^T`` on the ``P^2`` pairs.  With the
    full kernel the leverage is ``h_i = c phi_i^T (K + sigma2)^{-1} phi_i`` and
    Sherman-Morrison gives ``d_i = h_i/(1 - h_i)``; ``sum_i h_i`` is the number
    of directions the posterior mean fits (per output).  Cost: one ``P^2 x P^2``
    solve.
    """
    N = w.shape[0]
    feat = (two_hot_inputs(config.P) @ np.concatenate([w, v], axis=1).T.astype(float)) ** 2
    c = config.sigma_a2 / N
    kern = c * feat @ feat.T + sigma2 * np.eye(feat.shape[0])
    h = c * np.einsum("xi,xi->i", feat, np.linalg.solve(kern, feat))
    return h / (1.0 - h)


@dataclass(frozen=True)
class ModelBScan:
    """Equilibrium measurements over a noise grid, with both theory predictions.

    Arrays are aligned with ``sigma2``; ``*_se`` are standard errors over the
    independent chains of a noise level (the unit of replication).

    Attributes
    ----------
    config : dict
    sigma2, reduced_sigma2 : ndarray
        Noise and noise over the scaling-limit ``sigma2_I``.
    abs_a, abs_a_se : ndarray
        Relative residual ``|a|`` (posterior mean).
    specialised_mode, specialised_mode_se : ndarray
        Fraction of complex modes with ``sqrt(Phi Psi) > threshold``.
    specialised_neuron, specialised_neuron_se : ndarray
        Fraction of neurons with at least one such mode.
    phi_psi : ndarray
        ``<Phi Psi>`` per mode.
    rhat_abs_a : ndarray
        Gelman-Rubin R-hat of ``|a|`` across the chains of a level.
    drift_abs_a : ndarray
        t statistic over chains of (second-half minus first-half) mean of ``|a|``.
    leverage_specialised, leverage_mean, fitted_directions : ndarray
        From the final states: mean ``d_i`` over specialised modes (each counts its
        neuron's ``d``), mean ``d_i`` over neurons, and ``sum_i h_i``.
    chain_abs_a, chain_specialised : ndarray, shape (levels, chains)
        Per-chain means (for the bootstrap).
    hist_edges, hist_density : ndarray
        Density of ``Phi`` (``Phi`` and ``Psi`` pooled) per level.
    finite_p : list of dict
        :func:`~theory.adaptive_kernel.finite_p.finite_p_solution` per level.
    sharp_limit : list of dict
        :func:`~theory.adaptive_kernel.finite_p.sharp_limit_a` per level.
    """

    config: dict
    sigma2: np.ndarray
    reduced_sigma2: np.ndarray
    abs_a: np.ndarray
    abs_a_se: np.ndarray
    specialised_mode: np.ndarray
    specialised_mode_se: np.ndarray
    specialised_neuron: np.ndarray
    specialised_neuron_se: np.ndarray
    phi_psi: np.ndarray
    rhat_abs_a: np.ndarray
    drift_abs_a: np.ndarray
    leverage_specialised: np.ndarray
    leverage_mean: np.ndarray
    fitted_directions: np.ndarray
    chain_abs_a: np.ndarray
    chain_specialised: np.ndarray
    hist_edges: np.ndarray
    hist_density: np.ndarray
    finite_p: list
    sharp_limit: list

    def onsets(self, *, bootstrap_resamples: int = 2000, seed: int = 0) -> dict:
        """Onsets I and II of the simulation (bootstrap SE over chains) and of both theories."""
        s, s_I = self.sigma2, self.config["sigma2_I"]

        def on_I(learned):
            return onset_b(s, learned, s_I)

        def on_II(frac):
            return -onset_b(-s, np.asarray(frac) - 1.0, s_I)

        out = {}
        for name, fn, chains in (("I", on_I, 1.0 - self.chain_abs_a),
                                 ("II", on_II, self.chain_specialised)):
            sim = fn(chains.mean(axis=1))
            se = math.nan
            if chains.shape[1] >= 2 and bootstrap_resamples > 0 and np.isfinite(sim):
                res = bootstrap(tuple(chains), lambda *lv, fn=fn: fn([np.mean(x) for x in lv]),
                                n_resamples=bootstrap_resamples, vectorized=False,
                                method="percentile",
                                random_state=np.random.default_rng(np.random.SeedSequence(seed)))
                se = float(res.standard_error)
            theory = fn([1.0 - p["abs_a"] if name == "I" else p["specialised_mode_fraction"]
                         for p in self.finite_p])
            sharp = fn([p["learned"] if name == "I" else p["specialised_mode_fraction"]
                        for p in self.sharp_limit])
            out[name] = {"simulation": sim, "simulation_se": se, "finite_p_theory": theory,
                         "scaling_limit_theory": sharp}
        out["sigma2_I"] = s_I
        out["sigma2_II"] = self.config["sigma2_II"]
        out["bootstrap"] = {"resamples": int(bootstrap_resamples), "seed": seed,
                            "method": "scipy.stats.bootstrap, percentile; standard_error",
                            "unit": "chains, resampled independently at every noise level"}
        return out

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return jsonable(asdict(self))


def _per_level(trace, n_levels, chains, config, threshold, edges):
    """Per-noise statistics with the chain as the unit of replication."""
    out = {k: [] for k in ("abs_a", "abs_a_se", "mode", "mode_se", "neuron", "neuron_se",
                           "phi_psi", "rhat", "drift", "lev_spec", "lev_mean", "dof",
                           "chain_a", "chain_spec", "hist")}
    phi = trace.phi.astype(float)
    psi = trace.psi.astype(float)
    spec = np.sqrt(phi * psi) > threshold                       # (T, K, N, M)
    mode_frac = spec.mean(axis=(2, 3))                           # (T, K)
    neuron_frac = spec.any(axis=3).mean(axis=2)
    pp = (phi * psi).mean(axis=(2, 3))
    for g in range(n_levels):
        sl = slice(g * chains, (g + 1) * chains)
        C = chains
        for key, series in (("abs_a", trace.abs_a[:, sl]), ("mode", mode_frac[:, sl]),
                            ("neuron", neuron_frac[:, sl])):
            means = series.mean(axis=0)
            out[key].append(means.mean())
            out[key + "_se"].append(means.std(ddof=1) / math.sqrt(C) if C > 1 else math.nan)
        out["chain_a"].append(trace.abs_a[:, sl].mean(axis=0))
        out["chain_spec"].append(mode_frac[:, sl].mean(axis=0))
        out["phi_psi"].append(pp[:, sl].mean())
        out["rhat"].append(split_rhat(trace.abs_a[:, sl]))
        half = trace.abs_a.shape[0] // 2
        diffs = trace.abs_a[half:, sl].mean(axis=0) - trace.abs_a[:half, sl].mean(axis=0)
        sd = diffs.std(ddof=1) if C > 1 else 0.0
        out["drift"].append(diffs.mean() / (sd / math.sqrt(C)) if sd > 0 else math.nan)
        d_spec, d_all, dof = [], [], []
        last_spec = spec[-1, sl]                                 # (C, N, M)
        for k in range(C):
            st = trace.state
            d = leverages(st.w[sl][k], st.v[sl][k], config, float(trace.sigma2[sl][k]))
            d_all.append(d.mean())
            dof.append(np.sum(d / (1.0 + d)))
            d_spec.extend(np.repeat(d, last_spec[k].sum(axis=1)))
        out["lev_spec"].append(float(np.mean(d_spec)) if d_spec else math.nan)
        out["lev_mean"].append(float(np.mean(d_all)))
        out["dof"].append(float(np.mean(dof)))
        pooled = np.concatenate([phi[:, sl].ravel(), psi[:, sl].ravel()])
        counts, _ = np.histogram(pooled, bins=edges)
        out["hist"].append(counts / (pooled.size * np.diff(edges)))
    return {k: np.array(v) for k, v in out.items()}


def model_b_scan(config: ModelBConfig, sigma2, *, chains: int = 4, steps: int = 20_000,
                 step=0.004, thin: int = 100, seed: int = 0, start: str = "split",
                 workers: int = 2) -> ModelBScan:
    """Sample Model B at every noise level (independent chains) and compare with the theory.

    Parameters
    ----------
    config : ModelBConfig
        Integer ``N`` (see :func:`simulation_config_b`).
    sigma2 : sequence of float
    chains : int
        Independent chains per level (the unit of replication).
    steps, step, thin : int, float or sequence, int
        Sampler settings (burn-in: half the steps; ``step`` one value or one per level).
    seed : int
        ``SeedSequence(seed)``, spawned per chain.
    start : {"split", "prior"}
        ``"split"``: the even chains of a level start from the prior, the odd
        ones with every mode specialised (``langevin_model_b(start=...)``), so
        that R-hat compares chains coming from both sides; ``"prior"``: all
        from the prior.
    workers : int

    Returns
    -------
    ModelBScan

    Notes
    -----
    Cost: ``len(sigma2) * chains * steps`` chain-steps (see
    :func:`~validation.adaptive_kernel.langevin_b.langevin_model_b`), plus one
    finite-``P`` solve per level (~10 evaluations of a 2-D quadrature).
    """
    levels = [check_positive("sigma2", s) for s in sigma2]
    thr = thresholds(config, "matrix")
    if start not in ("split", "prior"):
        raise ValueError(f"start must be 'split' or 'prior', got {start!r}")
    starts = [("specialised" if (start == "split" and j % 2) else "prior")
              for _ in levels for j in range(chains)]
    tr = langevin_model_b(config, sigma2=levels, chains=chains, step=step, steps=steps,
                          thin=thin, seed=seed, start=starts, workers=workers)
    threshold = default_threshold(config.gamma)
    edges = np.linspace(0.0, 3.0 * math.sqrt(3.0 / config.gamma), _HIST_BINS + 1)
    st = _per_level(tr, len(levels), chains, config, threshold, edges)
    fp = [finite_p_solution(config, s).to_dict() for s in levels]
    sl = [sharp_limit_a(config, s) for s in levels]
    cfg = {"model": config.to_dict(), "sampler": tr.config, "normalisation": "matrix",
           "action_multiplier": 2.0, "sigma2_I": thr.sigma2_I, "sigma2_II": thr.sigma2_II,
           "sigma2_spinodal": thr.sigma2_spinodal, "threshold": threshold,
           "sharpness": config.P * math.sqrt(3.0 / config.gamma),
           "definitions": {
               "abs_a": "posterior mean of 1 - <f, y>/|y|^2 (relative residual on the target)",
               "specialised_mode": f"fraction of complex Fourier modes with sqrt(Phi Psi) > "
                                   f"{threshold:.6g} (the diagonal barrier at coexistence)",
               "specialised_neuron": "fraction of neurons with at least one specialised mode",
               "se": "standard error over independent chains (all P^2 pairs are the one "
                     "training set: the chain is the unit of replication)",
               "rhat": "Gelman-Rubin R-hat of |a| across the chains of a level (half of "
                       "them started with every mode specialised when start = split)",
               "drift": "t statistic over chains of (second-half minus first-half) mean |a|",
               "leverage": "d_i = c phi_i^T (K_-i + sigma2)^-1 phi_i on the final states; "
                           "the mean field sets d = 0",
               "onset": f"sigma2 where the least-squares line through 1 - |a| at "
                        f"sigma2/sigma2_I in {list(ONSET_WINDOW_B)} reaches 0"}}
    return ModelBScan(
        config=cfg, sigma2=np.array(levels), reduced_sigma2=np.array(levels) / thr.sigma2_I,
        abs_a=st["abs_a"], abs_a_se=st["abs_a_se"], specialised_mode=st["mode"],
        specialised_mode_se=st["mode_se"], specialised_neuron=st["neuron"],
        specialised_neuron_se=st["neuron_se"], phi_psi=st["phi_psi"], rhat_abs_a=st["rhat"],
        drift_abs_a=st["drift"], leverage_specialised=st["lev_spec"],
        leverage_mean=st["lev_mean"], fitted_directions=st["dof"],
        chain_abs_a=st["chain_a"], chain_specialised=st["chain_spec"], hist_edges=edges,
        hist_density=st["hist"], finite_p=fp, sharp_limit=sl)


@dataclass(frozen=True)
class ModelBSweep:
    """Chains carried down the noise grid and back up (each level continues the last state).

    Attributes
    ----------
    sigma2 : ndarray
        The grid, ascending.
    abs_a_down, abs_a_up, specialised_down, specialised_up : ndarray
        Second-half means of each segment, descending (from the prior at the
        largest noise) and ascending (continuing from the smallest).
    gap_in_se : ndarray
        ``(up - down)`` of ``|a|`` over its standard error across chains.
    config : dict
    """

    sigma2: np.ndarray
    abs_a_down: np.ndarray
    abs_a_up: np.ndarray
    specialised_down: np.ndarray
    specialised_up: np.ndarray
    gap_in_se: np.ndarray
    config: dict

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return jsonable(asdict(self))


def hysteresis_sweep_b(config: ModelBConfig, sigma2, *, chains: int = 2, steps: int = 3000,
                       step=0.002, thin: int = 50, seed: int = 0, workers: int = 2
                       ) -> ModelBSweep:
    """Descending then ascending ``sigma2`` sweep of the same chains.

    Notes
    -----
    Coming from large noise a mode must cross the barrier to specialise;
    coming from small noise a specialised mode must cross it back: with
    barriers of many nats the two branches differ (hysteresis).  ``step`` is
    one value or one per level of the ascending grid.  Cost:
    ``(2 len(sigma2) - 1) * chains * steps`` chain-steps.
    """
    order_idx = np.argsort(np.asarray(sigma2, dtype=float))
    levels = [check_positive("sigma2", float(np.asarray(sigma2)[i])) for i in order_idx]
    steps_lv = np.broadcast_to(np.asarray(step, dtype=float), (len(sigma2),))[order_idx]
    threshold = default_threshold(config.gamma)
    seeds = np.random.SeedSequence(seed).generate_state(2 * len(levels))
    state = None
    rec = {}
    n = len(levels)
    order = [("down", i) for i in range(n - 1, -1, -1)] + [("up", i) for i in range(1, n)]
    for j, (way, i) in enumerate(order):
        tr = langevin_model_b(config, sigma2=levels[i], chains=chains, step=float(steps_lv[i]),
                              steps=steps, thin=thin, seed=int(seeds[j]), init=state,
                              workers=workers)
        state = tr.state
        spec = (np.sqrt(tr.phi.astype(float) * tr.psi) > threshold).mean(axis=(2, 3))
        rec[(way, i)] = (tr.abs_a.mean(axis=0), spec.mean(axis=0))
    rec[("up", 0)] = rec[("down", 0)]
    ad = np.array([rec[("down", i)][0].mean() for i in range(n)])
    au = np.array([rec[("up", i)][0].mean() for i in range(n)])
    se = np.array([math.sqrt((rec[("down", i)][0].var(ddof=1) + rec[("up", i)][0].var(ddof=1))
                             / chains) if chains > 1 else math.nan for i in range(n)])
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(se > 0, (au - ad) / se, np.nan)
    return ModelBSweep(
        sigma2=np.array(levels), abs_a_down=ad, abs_a_up=au,
        specialised_down=np.array([rec[("down", i)][1].mean() for i in range(n)]),
        specialised_up=np.array([rec[("up", i)][1].mean() for i in range(n)]), gap_in_se=gap,
        config={"chains": chains, "steps_per_level": steps, "step": steps_lv.tolist(),
                "thin": thin, "seed": seed,
                "order": "descending from the prior at the largest sigma2, then ascending; "
                         "each level continues the previous state; measured over the second "
                         "half of each segment"})
