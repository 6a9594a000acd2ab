"""Will a two-layer network learn the feature at this noise?  The adaptive-kernel phase.

Rubin, Seroussi & Ringel (2023): grokking is a first-order phase transition
of the Bayesian posterior.  Above the critical noise the network is in the
kernel (Gaussian-process) regime, GFL, and does not learn the teacher's
feature; below it, neurons specialise (GMFL-I: a mixed "droplet" phase with
a fraction of specialised neurons; GMFL-II: all).  Between the critical
point and the spinodal a feature-learning minimum exists but is only
metastable (hysteresis is possible; at equilibrium the network stays GFL).
"""

from __future__ import annotations

from validation.predict._common import stamp

__all__ = ["MODEL_B_WIDTH", "predict_kernel"]

PAPER = "Rubin, Seroussi, Ringel 2023, arXiv 2310.03789"
#: Model B's default width (the paper's Fig. 3), and its read-out prior ``0.002 / N``.
MODEL_B_WIDTH = 1000.0

REGIMES = {
    "kernel": "GFL: Gaussian-process (kernel) regime, the teacher's feature is not learned",
    "metastable": "GFL is the equilibrium, but a feature-learning minimum exists (between the "
                  "critical point and the spinodal): a run started learned can stay learned",
    "feature_learning": "GMFL: neurons specialise on the teacher's feature (GMFL-I: a "
                        "fraction, the mixed phase; GMFL-II: all)",
}


def _regime(phase: str, metastable: bool) -> str:
    if phase != "GFL":
        return "feature_learning"
    return "metastable" if metastable else "kernel"


def _model_a(sigma2, n, d, N, sigma_w2, sigma_a2, eps) -> dict:
    from theory.adaptive_kernel import ModelAConfig, critical_point, phase_point

    cfg = ModelAConfig(n=n, d=d, N=N, sigma_w2=sigma_w2, sigma_a2=sigma_a2, eps=eps)
    crit = critical_point(cfg)
    pt = phase_point(cfg, sigma2, critical=crit)
    cp = crit.to_dict()
    cp.pop("config", None)
    out = {"model": "cubic", "phase": pt.phase, "state": pt.to_dict(), "critical_point": cp}
    if not crit.first_order:
        out.update(regime="kernel", metastable=False, feature_learning=False,
                   distance=None, samples=None, windows=None,
                   reason=f"no first-order transition: {crit.reason}")
        return out
    s_c, s_sp = crit.sigma2_c, crit.sigma2_spinodal
    metastable = s_sp is not None and s_c <= sigma2 < s_sp
    out.update(
        regime=_regime(pt.phase, metastable), metastable=metastable,
        feature_learning=pt.phase != "GFL",
        distance={"sigma2_minus_sigma2_c": sigma2 - s_c,
                  "relative_to_sigma2_c": (sigma2 - s_c) / s_c,
                  "sigma2_minus_sigma2_spinodal": None if s_sp is None else sigma2 - s_sp},
        windows={"feature_learning": [0.0, s_c], "metastable": [s_c, s_sp],
                 "kernel": [s_sp if s_sp is not None else s_c, None]},
        samples={"n": n, "n_critical": n * sigma2 / s_c,
                 "n_spinodal": None if s_sp is None else n * sigma2 / s_sp,
                 "definition": "u = n^2 sigma_a2/(sigma2^2 d N) and kappa^2/u does not depend "
                               "on n or sigma2, so u_c is fixed and the transition at this "
                               "noise is at n_critical = n sigma2/sigma2_c (more samples: "
                               "feature learning); n_spinodal likewise"},
        reason=None)
    return out


def _model_b(sigma2, P, N, sigma_a2, gamma, normalisation) -> tuple:
    import warnings

    from theory.adaptive_kernel import ModelBConfig, self_consistent_a, thresholds

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = ModelBConfig(P=P, N=N, sigma_a2=sigma_a2, gamma=gamma)
    th = thresholds(cfg, normalisation=normalisation)
    pt = self_consistent_a(cfg, sigma2, normalisation=normalisation)
    s_i, s_ii, s_sp = th.sigma2_I, th.sigma2_II, th.sigma2_spinodal
    limit = ("GFL" if sigma2 >= s_i else
             "GMFL-I" if s_ii is None or sigma2 > s_ii else "GMFL-II")
    metastable = s_i <= sigma2 < s_sp
    out = {"model": "modular", "phase": pt.phase, "phase_scaling_limit": limit,
           "abs_a": pt.abs_a, "learned": pt.learned, "state": pt.to_dict(),
           "thresholds": th.to_dict(),
           "regime": _regime(pt.phase, metastable), "metastable": metastable,
           "feature_learning": pt.phase != "GFL",
           "distance": {"sigma2_minus_sigma2_I": sigma2 - s_i,
                        "relative_to_sigma2_I": (sigma2 - s_i) / s_i,
                        "sigma2_minus_sigma2_II": None if s_ii is None else sigma2 - s_ii,
                        "sigma2_minus_sigma2_spinodal": sigma2 - s_sp},
           "windows": {"feature_learning": [0.0, s_i], "mixed_phase": [s_ii or 0.0, s_i],
                       "metastable": [s_i, s_sp], "kernel": [s_sp, None]},
           "samples": {"n": P * P, "definition": "Model B trains on all P^2 pairs"},
           "reason": None}
    if limit != pt.phase:
        out["reason"] = (f"the finite-P solution ({pt.phase}) and the sharp scaling-limit "
                         f"thresholds ({limit}) differ this close to a boundary")
    return out, [str(w.message) for w in caught]


def _summary(out, sigma2) -> str:
    phase = out["phase"]
    if out["model"] == "cubic":
        if out["distance"] is None:
            return f"kernel regime (GFL) at sigma2 = {sigma2:g}: {out['reason']}"
        s_c = out["critical_point"]["sigma2_c"]
        s_sp = out["critical_point"]["sigma2_spinodal"]
        n_c = out["samples"]["n_critical"]
        crit = f"sigma2_c = {s_c:.4g}, spinodal {s_sp:.4g}" if s_sp else f"sigma2_c = {s_c:.4g}"
        more = (f"; at this noise feature learning needs n > {n_c:.4g} samples (n = "
                f"{out['samples']['n']:g})")
    else:
        th = out["thresholds"]
        s_c = th["sigma2_I"]
        crit = (f"sigma2_I = {s_c:.4g}, sigma2_II = {th['sigma2_II']:.4g}, spinodal "
                f"{th['sigma2_spinodal']:.4g}" if th["sigma2_II"] else
                f"sigma2_I = {s_c:.4g}, spinodal {th['sigma2_spinodal']:.4g}")
        more = f"; |a| = {out['abs_a']:.3f} (fraction of the target learned {out['learned']:.3f})"
    rel = f"{abs(sigma2 - s_c) / s_c:.1%} {'below' if sigma2 < s_c else 'above'} the critical noise"
    if out["regime"] == "feature_learning":
        head = (f"learns the feature ({phase}{', mixed phase' if phase == 'GMFL-I' else ''}): "
                f"sigma2 = {sigma2:g} is {rel}")
        st = out["state"]
        if out["model"] == "cubic" and out["parameters_eps"]:
            more += (f"; {st['n_specialised']:.1f} specialised neurons carry "
                     f"{st['cubic_learned'] / out['parameters_eps']:.0%} of the cubic term")
    elif out["regime"] == "metastable":
        head = (f"kernel regime (GFL) at equilibrium, in the metastable window: sigma2 = "
                f"{sigma2:g} is {rel}, below the spinodal")
    else:
        head = f"kernel regime (GFL), no feature learning: sigma2 = {sigma2:g} is {rel}"
    return f"{head} ({crit}){more}"


def predict_kernel(sigma2: float, *, model: str = "cubic", n: float = 3000.0,
                   d: float = 150.0, N: float | None = None, sigma_w2: float = 0.5,
                   sigma_a2: float | None = None, eps: float = -0.3, P: int = 401,
                   gamma: float = 1e-4, normalisation: str = "paper") -> dict:
    """The adaptive-kernel phase at noise ``sigma2``: feature learning or kernel regime.

    Parameters
    ----------
    sigma2 : float
        Noise level (posterior temperature), ``> 0``.
    model : {"cubic", "modular"}
        Model A (cubic single-index teacher) or Model B (modular addition).
    n, d, N, sigma_w2, sigma_a2, eps :
        Model A's setting (defaults: the paper's base configuration; ``N``
        defaults to 700 (A) or 1000 (B), ``sigma_a2`` to 8/700 (A) or 0.002/N (B)).
    P, gamma, normalisation :
        Model B's modulus, sextic regulariser and normalisation.

    Returns
    -------
    dict
        ``phase`` (GFL / GMFL-I / GMFL-II), ``regime`` (kernel, metastable,
        feature_learning), ``groks`` (the feature is learned), ``distance``
        to the critical point and spinodal, ``windows``, ``samples`` (Model A:
        the sample count at which this noise is critical), ``summary``,
        ``evidence``, ``config``.

    Notes
    -----
    Model A: :func:`theory.adaptive_kernel.critical_point` (closed form) and
    :func:`~theory.adaptive_kernel.phase_point`; Model B:
    :func:`~theory.adaptive_kernel.thresholds` (scaling limit) and
    :func:`~theory.adaptive_kernel.self_consistent_a` (finite ``P``).  Mean
    field in the scaling limit; the Langevin validation finds the onset at
    ``sigma2 = 0.215 +- 0.004`` for ``beta = 1/8`` against ``sigma2_c = 0.179``
    (finite-d theory 0.201), so trust the phase less within ~20 % of ``sigma2_c``
    at small ``d``.  Cost: milliseconds.

    Examples
    --------
    >>> from validation.predict import predict_kernel
    >>> [predict_kernel(s)["phase"] for s in (0.17, 0.185, 0.2)]
    ['GMFL-I', 'GFL', 'GFL']
    >>> [predict_kernel(s)["regime"] for s in (0.17, 0.185, 0.2)]
    ['feature_learning', 'metastable', 'kernel']
    """
    from theory._checks import check_positive

    sigma2 = check_positive("sigma2", sigma2)
    if model not in ("cubic", "modular"):
        raise ValueError(f"model must be 'cubic' or 'modular', got {model!r}")
    warnings_ = []
    if model == "cubic":
        N = 700.0 if N is None else N
        sigma_a2 = 8.0 / 700.0 if sigma_a2 is None else sigma_a2
        out = _model_a(sigma2, n, d, N, sigma_w2, sigma_a2, eps)
        params = {"model": model, "sigma2": sigma2, "n": n, "d": d, "N": N,
                  "sigma_w2": sigma_w2, "sigma_a2": sigma_a2, "eps": eps}
        source = ("theory.adaptive_kernel.critical_point (closed-form critical and spinodal "
                  "lines) and phase_point (GFL / GMFL-I / GMFL-II mean field)")
    else:
        N = MODEL_B_WIDTH if N is None else N
        if sigma_a2 is None:
            sigma_a2 = 0.002 / check_positive("N", N)
            if sigma_a2 == float("inf"):       # a subnormal N: say which default failed
                raise ValueError(f"the default sigma_a2 = 0.002/N overflows at N = {N:g}; "
                                 f"give sigma_a2")
        out, warnings_ = _model_b(sigma2, P, N, sigma_a2, gamma, normalisation)
        params = {"model": model, "sigma2": sigma2, "P": P, "N": N, "sigma_a2": sigma_a2,
                  "gamma": gamma, "normalisation": normalisation}
        source = ("theory.adaptive_kernel.thresholds (closed-form sigma2_I, sigma2_II, "
                  "spinodal) and self_consistent_a (finite-P |a|)")
    out["groks"] = out["feature_learning"]
    out["summary"] = _summary({**out, "parameters_eps": eps if model == "cubic" else None},
                              sigma2)
    out["evidence"] = {"method": "theory: adaptive-kernel mean field (scaling limit)",
                       "source": source, "simulation": None}
    out["warnings"] = warnings_
    out["config"] = stamp("kernel", "adaptive_kernel", PAPER, params, definitions={
        "regimes": REGIMES,
        "groks": "the network learns the teacher's feature (GMFL) at equilibrium",
        "distance": "sigma2 minus each threshold (negative: below it, on the learning side)"})
    return out
