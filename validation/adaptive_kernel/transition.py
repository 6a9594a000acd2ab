"""Langevin validation of the Model A phase transition (the paper's Fig. 2 data).

At the cheap scaling (``beta = 1/8``: ``n = 375, d = 53, N = 88``) the posterior
of the two-layer erf network is sampled by :func:`langevin_model_a` over a
``sigma2`` grid (one program for the whole grid) and compared with two
predictions of the same mean-field theory:

* the scaling limit (:func:`theory.adaptive_kernel.phase_point`): a sharp
  first-order transition at ``sigma2_c``, droplets of neurons at ``+-q*``
  below it;
* the same equations at the simulated ``d``
  (:func:`theory.adaptive_kernel.finite_d.finite_d_solution`), which keep the
  whole overlap density ``exp(-d S~(q))``.

Measured per noise level: the histogram of ``q = w.w*`` (``-log p`` against
``d S~``), the exact ``He_1`` and ``He_3`` components of the network function
(the projections on infinitely many fresh test points), the fraction of
neurons with ``|q| > 0.4``; equilibration diagnostics (Gelman-Rubin R-hat
across the chains of a training set, first-half vs second-half drift) and descending/ascending
``sigma2`` sweeps that continue the chains (hysteresis).

Where the transition is: the *onset* is the noise at which the straight line
through the cubic component at the lowest noise levels (``sigma2 <= 0.16``)
reaches zero.  In the scaling limit the cubic component is exactly linear in
``sigma2`` below ``sigma2_c``, so the estimator returns ``sigma2_c``; the same
estimator is applied to the simulation (with a bootstrap over training sets) and to
the finite-``d`` theory.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from theory._checks import check_positive, check_positive_int
from theory._json import jsonable
from theory.adaptive_kernel.finite_d import finite_d_solution, overlap_density
from theory.adaptive_kernel.model_a import (
    BASE_MODEL_A,
    ModelAConfig,
    critical_point,
    phase_point,
)
from validation._stats import split_rhat
from validation.adaptive_kernel.langevin import langevin_model_a, model_a_data

__all__ = ["PROFILES", "TransitionScan", "HysteresisSweep", "simulation_config",
           "transition_scan", "hysteresis_sweep", "onset", "droplet_peak", "density_curves",
           "ONSET_FIT_BELOW", "TAIL_THRESHOLD"]

#: ``|q|`` above which a neuron counts as specialised.
TAIL_THRESHOLD = 0.4
#: The onset line is fitted to the cubic component at ``sigma2 <=`` this value.
ONSET_FIT_BELOW = 0.16
_HIST_EDGES = np.linspace(0.0, 1.6, 65)

#: Simulation budgets of the figure job (``step`` in whitened units; see langevin_model_a).
PROFILES = {
    "full": {"betas": [1 / 32, 1 / 8], "sigma2": [0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3],
             "datasets": 8, "chains": 2, "steps": 12_000, "step": 0.01, "thin": 40,
             "sweep_steps": 6000, "sweep_chains": 4},
    # the reproduction's default: the main size only, 6 sets, shorter chains
    "standard": {"betas": [1 / 8], "sigma2": [0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3],
                 "datasets": 6, "chains": 2, "steps": 8000, "step": 0.01, "thin": 40,
                 "sweep_steps": 3000, "sweep_chains": 4},
    "quick": {"betas": [1 / 8], "sigma2": [0.1, 0.15, 0.2, 0.3], "datasets": 2, "chains": 2,
              "steps": 2500, "step": 0.01, "thin": 20, "sweep_steps": 800, "sweep_chains": 2},
}


def simulation_config(beta, base: ModelAConfig = BASE_MODEL_A) -> ModelAConfig:
    """The scaled copy ``base.scaled(beta)`` with ``n, d, N`` rounded to integers.

    The theory is then evaluated at exactly the simulated sizes (``u`` moves by
    0.6% at ``beta = 1/8``: ``d = 53.03 -> 53``, ``N = 87.5 -> 88``).

    Examples
    --------
    >>> from validation.adaptive_kernel.transition import simulation_config
    >>> cfg = simulation_config(1 / 8)
    >>> cfg.n, cfg.d, cfg.N, round(cfg.sigma_a2, 5)
    (375.0, 53.0, 88.0, 0.03232)
    """
    s = base.scaled(beta)
    return ModelAConfig(n=round(s.n), d=round(s.d), N=round(s.N), sigma_w2=s.sigma_w2,
                        sigma_a2=s.sigma_a2, eps=s.eps)


def onset(sigma2, cubic, *, fit_below: float = ONSET_FIT_BELOW):
    """Noise at which the line through the cubic component (``sigma2 <= fit_below``) hits 0.

    Parameters
    ----------
    sigma2, cubic : array_like
        Noise levels and the learned ``He_3`` coefficient there.
    fit_below : float
        Only points with ``sigma2 <= fit_below`` enter the least-squares line.

    Returns
    -------
    float
        The onset, or ``nan`` when fewer than two points qualify or the line
        does not approach zero as ``sigma2`` grows.

    Examples
    --------
    >>> from validation.adaptive_kernel.transition import onset
    >>> onset([0.1, 0.15, 0.3], [-0.06, -0.03, 0.0])     # line -0.06 + 0.6 (s - 0.1)
    0.2
    """
    s = np.asarray(sigma2, dtype=float)
    c = np.asarray(cubic, dtype=float)
    keep = s <= fit_below + 1e-12
    if keep.sum() < 2:
        return math.nan
    slope, icpt = np.polyfit(s[keep], c[keep], 1)
    mean_c = c[keep].mean()
    if slope == 0 or np.sign(slope) == np.sign(mean_c) or mean_c == 0:
        return math.nan                       # |cubic| does not shrink with sigma2
    return round(float(-icpt / slope), 12)


#: R-hat of (T, C) series: the rank-normalised split R-hat (Vehtari et al. 2021), see
#: :func:`validation._stats.split_rhat` (the name ``_rhat`` is kept for callers).
_rhat = split_rhat


def _onset_bootstrap(sigma2, set_cubic, *, resamples: int, seed: int) -> dict:
    """Bootstrap of the simulated onset over training sets (paired over noise levels).

    Returns ``se``, a 95% interval (BCa when defined, see
    :func:`theory._bootstrap.bootstrap_interval`), the interval's ``method``
    and ``failed``: the resamples whose onset is undefined (no sign change of
    the fitted line), counted instead of silently dropped; ``se`` and the
    interval use the others.
    """
    from theory._bootstrap import bootstrap_interval

    S = set_cubic.shape[1]
    if S < 2 or resamples < 1:
        return {"se": math.nan, "ci_low": None, "ci_high": None, "failed": 0,
                "method": "none: fewer than two training sets" if S < 2 else "none: no resample"}

    def stat(idx):
        return onset(sigma2, set_cubic[:, idx.astype(np.int64)].mean(axis=1))

    ci = bootstrap_interval((np.arange(S),), stat, n_resamples=resamples, level=0.95, seed=seed)
    return {"se": math.nan if ci.se is None else ci.se, "ci_low": ci.low, "ci_high": ci.high,
            "failed": ci.failed, "method": ci.method}


@dataclass(frozen=True)
class TransitionScan:
    """Equilibrium measurements over a noise grid, with both theory predictions.

    Arrays are aligned with ``sigma2``; ``*_se`` are standard errors over
    independent training sets (each set's chains averaged first).

    Attributes
    ----------
    config : dict
        Sizes, priors, sampler settings, seeds and definitions.
    sigma2 : ndarray
    linear, linear_se, cubic, cubic_se : ndarray
        ``He_1`` and ``He_3`` coefficients of the network function.
    tail_fraction, tail_se : ndarray
        Fraction of neurons with ``|q| > TAIL_THRESHOLD``.
    q_rms : ndarray
    train_mse : ndarray
    rhat_cubic : ndarray
        Rank-normalised split R-hat (Vehtari et al. 2021) of the cubic
        component across the chains of one training set, worst set (1 = mixed).
    drift_cubic : ndarray
        t statistic over training sets of the second-half minus first-half
        mean of the cubic component (0 = stationary).
    hist_edges : ndarray
        Bin edges of ``|q|``.
    hist_density : ndarray, shape (len(sigma2), bins)
        Normalised density of ``q`` (even, so per unit ``q`` on one side / 2).
    set_cubic : ndarray, shape (len(sigma2), datasets)
        Per-training-set means (for the bootstrap of the onset); set ``k`` is
        the same at every noise level.
    scaling_limit : list of dict
        :func:`phase_point` at each noise.
    finite_d : list of dict
        :func:`finite_d_solution` at each noise.
    """

    config: dict
    sigma2: np.ndarray
    linear: np.ndarray
    linear_se: np.ndarray
    cubic: np.ndarray
    cubic_se: np.ndarray
    tail_fraction: np.ndarray
    tail_se: np.ndarray
    q_rms: np.ndarray
    train_mse: np.ndarray
    rhat_cubic: np.ndarray
    drift_cubic: np.ndarray
    hist_edges: np.ndarray
    hist_density: np.ndarray
    set_cubic: np.ndarray
    scaling_limit: list
    finite_d: list

    def onsets(self, *, bootstrap: int = 2000, seed: int = 0) -> dict:
        """Onset (see :func:`onset`) of the simulation (bootstrap SE and BCa interval) and of
        the theories.

        ``bootstrap.failed_resamples`` counts the resamples with no defined
        onset; they are left out of the SE and the interval, and reported.
        """
        sim = onset(self.sigma2, self.cubic)
        # the same sets at every noise level (paired)
        boot = _onset_bootstrap(self.sigma2, self.set_cubic, resamples=int(bootstrap), seed=seed)
        return {"simulation": sim,
                "simulation_se": boot["se"],
                "simulation_ci": [boot["ci_low"], boot["ci_high"]],
                "finite_d_theory": onset(self.sigma2, [p["cubic_learned"] for p in self.finite_d]),
                "scaling_limit_theory": onset(self.sigma2,
                                              [p["cubic_learned"] for p in self.scaling_limit]),
                "bootstrap": {"resamples": int(bootstrap), "seed": seed,
                              "failed_resamples": boot["failed"], "interval": boot["method"],
                              "unit": "training sets, resampled jointly over noise levels"}}

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return jsonable(asdict(self))


def _dataset_stats(traces, n_levels, chains):
    """Per-noise statistics; the unit of replication is the training set.

    ``traces[k]`` is the trace of training set ``k`` (chains ordered by noise
    level).  Chains on one set share its disorder, so they are averaged first and
    the standard errors come from the spread over sets.
    """
    out = {k: [] for k in ("linear", "linear_se", "cubic", "cubic_se", "tail", "tail_se",
                           "q_rms", "mse", "rhat", "drift", "hist", "set_cubic")}
    for g in range(n_levels):
        sl = slice(g * chains, (g + 1) * chains)
        q = np.stack([tr.overlap[:, sl] for tr in traces])         # (S, T, C, N)
        lin = np.stack([tr.linear[:, sl] for tr in traces])        # (S, T, C)
        cub = np.stack([tr.cubic[:, sl] for tr in traces])
        mse = np.stack([tr.train_mse[:, sl] for tr in traces])
        tail = (np.abs(q) > TAIL_THRESHOLD).mean(axis=3)
        S = cub.shape[0]
        for key, series in (("linear", lin), ("cubic", cub), ("tail", tail)):
            means = series.mean(axis=(1, 2))                       # one value per set
            out[key].append(means.mean())
            out[key + "_se"].append(means.std(ddof=1) / math.sqrt(S) if S > 1 else math.nan)
        out["set_cubic"].append(cub.mean(axis=(1, 2)))
        out["q_rms"].append(math.sqrt(float(np.mean(q * q))))
        out["mse"].append(mse.mean())
        # R-hat across the chains of each training set (same posterior), worst set
        rhats = [r for r in (_rhat(c) for c in cub) if np.isfinite(r)]
        out["rhat"].append(max(rhats) if rhats else math.nan)
        # paired drift: second-half minus first-half mean per set, t statistic over sets
        half = cub.shape[1] // 2
        diffs = cub[:, half:].mean(axis=(1, 2)) - cub[:, :half].mean(axis=(1, 2))
        sd = diffs.std(ddof=1) if S > 1 else 0.0
        out["drift"].append(diffs.mean() / (sd / math.sqrt(S)) if sd > 0 else math.nan)
        counts, _ = np.histogram(np.abs(q), bins=_HIST_EDGES)
        width = np.diff(_HIST_EDGES)
        out["hist"].append(counts / (2.0 * q.size * width))   # density of q (both signs)
    return {k: np.array(v) for k, v in out.items()}


def transition_scan(config: ModelAConfig, sigma2, *, datasets: int = 4, chains: int = 2,
                    steps: int = 16_000, step: float = 0.01, thin: int = 40, seed: int = 0,
                    data_seed: int = 0, workers: int = 2, progress=None) -> TransitionScan:
    """Sample Model A at every noise level (independent chains from the prior) and compare.

    Parameters
    ----------
    config : ModelAConfig
        Integer ``n, d, N`` (see :func:`simulation_config`).
    sigma2 : sequence of float
    datasets : int
        Independent training sets (the theory predicts the average over them;
        at ``n = 375`` the linear component varies by about 0.05 between sets,
        far more than between chains on one set).
    chains : int
        Chains per training set and noise level.
    steps, step, thin : int, float, int
        Sampler settings (burn-in: half the steps).
    seed, data_seed : int
        Training set ``k`` is drawn from ``SeedSequence(data_seed + k)`` and
        sampled with ``SeedSequence(seed + k)`` (spawned per chain).
    workers : int
        Threads.
    progress : callable, optional
        Called with the chain-steps done after each training set
        (``len(sigma2) * chains * steps``), e.g. a tqdm bar's ``update``.

    Returns
    -------
    TransitionScan
        Standard errors and the onset bootstrap use the training sets as the
        unit of replication.

    Notes
    -----
    Cost: ``datasets * len(sigma2) * chains * steps`` chain-steps, about
    0.25 ms each at ``beta = 1/8`` on two cores (float32); the full profile
    (8 x 7 x 2 x 12 000) takes about 6 minutes.
    """
    levels = [check_positive("sigma2", s) for s in sigma2]
    traces = []
    for k in range(check_positive_int("datasets", datasets)):
        data = model_a_data(int(config.n), int(config.d), eps=config.eps, seed=data_seed + k)
        traces.append(langevin_model_a(data, N=int(config.N), sigma2=levels,
                                       sigma_a2=config.sigma_a2, sigma_w2=config.sigma_w2,
                                       chains=chains, step=step, steps=steps, thin=thin,
                                       seed=seed + k, dtype="float32", workers=workers))
        if progress is not None:
            progress(len(levels) * chains * steps)
    st = _dataset_stats(traces, len(levels), chains)
    crit = critical_point(config)
    sl = [phase_point(config, s, critical=crit).to_dict() for s in levels]
    fd = [finite_d_solution(config, s, tail_threshold=TAIL_THRESHOLD).to_dict() for s in levels]
    sampler = dict(traces[0].config)
    sampler.update(seed=[seed + k for k in range(datasets)],
                   data_seed=[data_seed + k for k in range(datasets)], datasets=datasets)
    cfg = {"model": config.to_dict(), "sampler": sampler,
           "definitions": {
               "tail_fraction": f"fraction of neurons with |w.w*| > {TAIL_THRESHOLD}",
               "linear, cubic": "exact He_1 and He_3/6-normalised coefficients of the network "
                                "function over x ~ N(0, I_d) (theory: 1 - b and eps - c)",
               "onset": f"sigma2 where the least-squares line through the cubic component at "
                        f"sigma2 <= {ONSET_FIT_BELOW} reaches 0",
               "se": "standard error over independent training sets (chains on one set "
                     "averaged first): the theory predicts the average over data",
               "rhat": "Gelman-Rubin R-hat of the cubic component across the chains of one "
                       "training set (worst set)",
               "drift": "t statistic of (second-half minus first-half mean) of the cubic "
                        "component over training sets"},
           "sigma2_c": crit.sigma2_c, "sigma2_spinodal": crit.sigma2_spinodal}
    return TransitionScan(config=cfg, sigma2=np.array(levels), linear=st["linear"],
                          linear_se=st["linear_se"], cubic=st["cubic"], cubic_se=st["cubic_se"],
                          tail_fraction=st["tail"], tail_se=st["tail_se"], q_rms=st["q_rms"],
                          train_mse=st["mse"], rhat_cubic=st["rhat"], drift_cubic=st["drift"],
                          hist_edges=_HIST_EDGES.copy(), hist_density=st["hist"],
                          set_cubic=st["set_cubic"], scaling_limit=sl, finite_d=fd)


@dataclass(frozen=True)
class HysteresisSweep:
    """Chains carried down the noise grid and back up (each level starts from the last state).

    Attributes
    ----------
    sigma2 : ndarray
        The grid, ascending.
    cubic_down, cubic_up, tail_down, tail_up : ndarray
        Measurements in the second half of each level's segment, descending
        (from the prior at the largest noise) and ascending (continuing from
        the smallest noise).
    gap_in_se : ndarray
        ``(up - down)`` of the cubic component in units of its standard error.
    config : dict
    """

    sigma2: np.ndarray
    cubic_down: np.ndarray
    cubic_up: np.ndarray
    tail_down: np.ndarray
    tail_up: np.ndarray
    gap_in_se: np.ndarray
    config: dict

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return jsonable(asdict(self))


def hysteresis_sweep(config: ModelAConfig, sigma2, *, chains: int = 4, steps: int = 6000,
                     step: float = 0.01, thin: int = 40, seed: int = 0, data_seed: int = 0,
                     workers: int = 2, progress=None) -> HysteresisSweep:
    """Descending then ascending ``sigma2`` sweep of the same chains.

    Notes
    -----
    A first-order transition with barriers of many ``kT`` shows hysteresis:
    coming from large noise the neurons stay at ``q = 0`` below ``sigma2_c``;
    coming from small noise the droplets survive up to the spinodal.  The cost
    is ``(2 len(sigma2) - 1) * chains * steps`` chain-steps.  ``progress``,
    if given, is called with ``chains * steps`` after each level.
    """
    levels = sorted(check_positive("sigma2", s) for s in sigma2)
    data = model_a_data(int(config.n), int(config.d), eps=config.eps, seed=data_seed)
    seeds = np.random.SeedSequence(seed).generate_state(2 * len(levels))
    state = None
    rec = {}
    order = [("down", s) for s in levels[::-1]] + [("up", s) for s in levels[1:]]
    for i, (way, s) in enumerate(order):
        tr = langevin_model_a(data, N=int(config.N), sigma2=s, sigma_a2=config.sigma_a2,
                              sigma_w2=config.sigma_w2, chains=chains, step=step, steps=steps,
                              thin=thin, seed=int(seeds[i]), init=state, dtype="float32",
                              workers=workers)
        state = tr.state
        if progress is not None:
            progress(chains * steps)
        tail = (np.abs(tr.overlap) > TAIL_THRESHOLD).mean(axis=2)
        rec[(way, s)] = (tr.cubic.mean(axis=0), tail.mean(axis=0))
    rec[("up", levels[0])] = rec[("down", levels[0])]           # the turning point
    cd = np.array([rec[("down", s)][0].mean() for s in levels])
    cu = np.array([rec[("up", s)][0].mean() for s in levels])
    se = np.array([math.sqrt((rec[("down", s)][0].var(ddof=1) + rec[("up", s)][0].var(ddof=1))
                             / chains) if chains > 1 else math.nan for s in levels])
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(se > 0, (cu - cd) / se, np.nan)
    return HysteresisSweep(
        sigma2=np.array(levels), cubic_down=cd, cubic_up=cu,
        tail_down=np.array([rec[("down", s)][1].mean() for s in levels]),
        tail_up=np.array([rec[("up", s)][1].mean() for s in levels]), gap_in_se=gap,
        config={"chains": chains, "steps_per_level": steps, "step": step, "thin": thin,
                "seed": seed, "data_seed": data_seed,
                "order": "descending from the prior at the largest sigma2, then ascending; "
                         "each level continues the previous state; measured over the second "
                         "half of each segment"})


def density_curves(config: ModelAConfig, sigma2, q, *, b, c):
    """``-log p(q)`` of the overlap density at given ``(b, c)`` (finite-d normalisation)."""
    dens = overlap_density(q, config, sigma2, b, c)
    with np.errstate(divide="ignore"):
        return -np.log(dens)


def droplet_peak(edges, density, *, q_min: float = 0.3, depth: float = 0.05):
    """Location of the droplet minimum of ``-log p(|q|)`` beyond the barrier, or None.

    Parameters
    ----------
    edges : ndarray
        Bin edges of ``|q|``.
    density : ndarray
        Density per bin (histogram or theory evaluated at the bin centres).
    q_min : float
        Search for the barrier beyond this overlap.
    depth : float
        The minimum must lie at least this far (in nats) below the barrier.

    Returns
    -------
    float or None
        The bin centre of the lowest ``-log p`` after the first barrier (first
        local maximum of ``-log p`` at ``|q| > q_min``, three-bin moving
        average), or None without a barrier of ``depth`` (GFL: ``-log p``
        only rises).

    Examples
    --------
    >>> import numpy as np
    >>> from validation.adaptive_kernel.transition import droplet_peak
    >>> edges = np.linspace(0, 1.6, 33)
    >>> mids = 0.5 * (edges[1:] + edges[:-1])
    >>> droplet_peak(edges, np.exp(-mids**2 / 0.02) + 0.1 * np.exp(-(mids - 0.9)**2 / 0.01))
    0.875
    >>> droplet_peak(edges, np.exp(-mids**2 / 0.02)) is None
    True
    """
    mids = 0.5 * (np.asarray(edges)[1:] + np.asarray(edges)[:-1])
    dens = np.asarray(density, dtype=float)
    ok = dens > 0
    mids, dens = mids[ok], dens[ok]
    if mids.size < 5:
        return None
    f = -np.log(dens)
    f = np.convolve(np.pad(f, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    for b in range(1, f.size - 1):
        if mids[b] > q_min and f[b] >= f[b - 1] and f[b] > f[b + 1]:
            m = b + 1 + int(np.argmin(f[b + 1:]))
            if m < f.size - 1 and f[m] < f[b] - depth:
                return round(float(mids[m]), 12)
            return None
    return None
