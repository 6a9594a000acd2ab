"""Will the toy model of Liu et al. (2022) grok?  Theory where it decides, else a short simulation.

Three kinds of evidence, cheapest first:

1. **Counting (a proof).**  A test sample whose label never occurs in the
   training set can only be classified right by chance: no training target
   ever pulls the decoder towards its template (MSE) or class (CE).  If fewer
   than ``acc_threshold`` of the test samples have a label seen in training,
   test accuracy cannot reach the threshold: the run neither comprehends nor
   groks (it memorizes or is confused).
2. **The effective theory (a prediction).**  If the split does not force the
   linear structure (``n0 > n0(D0)``) and the parallelograms it implies give
   an ideal test accuracy ``acc_bar_test`` below the threshold, the effective
   theory predicts no generalization: a ground state of the effective loss
   reached from a generic initialisation satisfies only the implied
   parallelograms.  Not a proof (accidental near-parallelograms and the
   decoder's interpolation can add accuracy); on 10 such splits of size 24
   (p = 10, 8000 steps) no run reached 0.9 test accuracy (at most 0.16).
3. **Simulation.**  Otherwise the numpy toy model is trained on the seeds
   the theory leaves open, batched, stopping each run once its phase is
   decided; a run not decided within ``steps < budget`` is censored and its
   phase is null, with the phases still possible.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from theory._checks import RangeOverflowError
from validation.predict._common import majority, stamp

__all__ = ["label_coverage", "max_label_coverage", "phase_candidates", "predict_toy"]

PAPER = "Liu et al. 2022, arXiv 2205.10343"

#: The evidence a toy answer can rest on, strongest first (echoed in every config).
EVIDENCE_LEVELS = {
    "proof": "fewer than acc_threshold of the test samples have a label seen in training: "
             "test accuracy cannot reach the threshold (no comprehension, no grokking)",
    "prediction": "the split does not force the linear structure and the parallelograms it "
                  "implies give acc_bar_test < acc_threshold: the effective theory predicts "
                  "no generalization (not a proof)",
    "simulation": "otherwise: the numpy toy model trained on the seed, stopped once its phase "
                  "is decided; a run undecided within steps < budget is censored (null)",
}
_ALL_PHASES = ("comprehension", "grokking", "memorization", "confusion")
_NO_GENERALIZATION = ["memorization", "confusion"]


def label_coverage(split) -> float:
    """Fraction of the test samples whose label occurs in the training set.

    The test accuracy of any decoder trained on the split is at most this
    (plus chance hits on labels it was never trained towards).

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, split_from_pairs
    >>> from validation.predict.toy import label_coverage
    >>> # training labels {2, 3}; of the 7 test samples only (1, 2) has one of them
    >>> label_coverage(split_from_pairs(ArithmeticTask(4), [(0, 2), (1, 1), (0, 3)])) == 1 / 7
    True
    """
    labels = split.task.labels
    test = split.test
    if test.size == 0:
        return 1.0
    return float(np.isin(labels[test], labels[split.train]).mean())


def max_label_coverage(task, train_size: int) -> float:
    """Largest :func:`label_coverage` of any split of ``train_size`` samples.

    Notes
    -----
    A split that covers the label set ``L`` covers ``sum_{l in L} c_l - k``
    test samples (``c_l`` samples have label ``l``, ``k`` are in training), so
    the best split takes one sample of each of the ``k`` most frequent labels;
    with ``k >=`` the number of labels every test label can be covered.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask
    >>> from validation.predict.toy import max_label_coverage
    >>> [round(max_label_coverage(ArithmeticTask(10), k), 3) for k in (10, 14, 15, 19)]
    [0.667, 0.854, 0.9, 1.0]
    """
    n = task.n_samples
    if not 1 <= train_size < n:
        raise ValueError(f"train_size must be an integer in [1, {n - 1}] (|D0| - 1 for "
                         f"p = {task.p}), got {train_size}")
    counts = np.sort(np.bincount(task.labels, minlength=task.n_classes))[::-1]
    if train_size >= counts.size:
        return 1.0
    return float((counts[:train_size].sum() - train_size) / (n - train_size))


def _coverage_probability(task, train_size, threshold, trials, seed, exact_limit) -> dict:
    """P(random split of this size has test-label coverage >= threshold), exact or Monte Carlo."""
    n, labels = task.n_samples, task.labels
    total = math.comb(n, train_size)
    if total <= exact_limit:
        idx = np.array(list(itertools.combinations(range(n), train_size)), dtype=np.int64)
        exact = True
    else:
        rng = np.random.default_rng(np.random.SeedSequence([seed, train_size, 1]))
        idx = np.argpartition(rng.random((trials, n)), train_size - 1, axis=1)[:, :train_size]
        exact = False
    rows = np.arange(idx.shape[0])[:, None]
    present = np.zeros((idx.shape[0], task.n_classes), dtype=bool)
    present[rows, labels[idx]] = True
    in_train = np.zeros((idx.shape[0], n), dtype=bool)
    in_train[rows, idx] = True
    covered = (present[:, labels] & ~in_train).sum(axis=1) / (n - train_size)
    q = float(np.mean(covered >= threshold))
    se = 0.0 if exact else max(math.sqrt(q * (1 - q) / idx.shape[0]),
                               1.0 / idx.shape[0] if q in (0.0, 1.0) else 0.0)
    return {"value": q, "stderr": se, "exact": exact, "n_evaluated": int(idx.shape[0])}


def phase_candidates(iter_train, iter_test, steps: int, definition, diverged: bool = False
                     ) -> list:
    """The phases (Table 1) still possible for a run observed for ``steps`` updates.

    Parameters
    ----------
    iter_train, iter_test : int or None
        First step at which train / test accuracy reached the threshold (None: not by ``steps``).
    steps : int
        Updates observed; thresholds were checked at steps ``0..steps``.
    definition : theory.effective.PhaseDefinition
    diverged : bool

    Returns
    -------
    list of str
        One phase when decided, else every phase some continuation up to the
        budget could give.

    Notes
    -----
    With ``T = steps`` and budget ``B``, a threshold not reached by ``T``
    may be reached at any step in ``(T, B)`` or never.  Train reached at
    ``a``, test not: comprehension needs ``T + 1 - a <= lag``, grokking
    ``B - 1 - a > lag``, memorization is always possible.  Test reached,
    train not: comprehension (train later) or confusion.  Neither: all four
    (grokking if ``B - T - 2 > lag``).

    Examples
    --------
    >>> from theory.effective import PhaseDefinition
    >>> from validation.predict.toy import phase_candidates
    >>> d = PhaseDefinition(budget=100_000, lag=1000)
    >>> phase_candidates(300, 900, 5000, d), phase_candidates(300, None, 5000, d)
    (['comprehension'], ['grokking', 'memorization'])
    """
    from theory.effective import classify_phase

    if diverged:
        return ["diverged"]
    budget, lag = definition.budget, definition.lag
    within = [v is not None and v < budget for v in (iter_train, iter_test)]
    if steps >= budget - 1 or all(within):
        return [classify_phase(iter_train, iter_test, definition)["phase"]]
    a, b = iter_train if within[0] else None, iter_test if within[1] else None
    if a is not None:
        out = ["comprehension"] if steps + 1 - a <= lag else []
        return out + (["grokking"] if budget - 1 - a > lag else []) + ["memorization"]
    if b is not None:
        return ["comprehension", "confusion"]
    return [ph for ph in _ALL_PHASES if ph != "grokking" or budget - steps - 2 > lag]


def _groks_of(candidates) -> bool | None:
    if candidates == ["grokking"]:
        return True
    return False if "grokking" not in candidates else None


def _split_theory(split, eta, threshold) -> dict:
    """What the theory says about one split, and whether it decides the phase."""
    from theory.effective import analyze_split

    try:
        a = analyze_split(split, eta=eta)
    except RangeOverflowError as exc:          # eta is the run's repr_lr: say so
        raise RangeOverflowError(f"repr_lr = {eta:g}: {exc}") from None
    cover = label_coverage(split)
    out = {"train_size": split.train_size, "n0": a.n0, "forced": a.forced,
           "lambda3": a.lambda3, "n_h": a.n_h, "acc_bar_test": a.acc_bar_test,
           "test_label_coverage": cover, "train_pairs": split.train_pairs.tolist()}
    if cover < threshold:
        certainty, short, reason = "proof", (
            f"only {cover:.0%} of its test samples have a label seen in training, so test "
            f"accuracy cannot reach {threshold:g}"), (
            f"only {cover:.0%} of the test samples have a label that occurs in training (< "
            f"{threshold:g}): the others can be right only by chance, so test accuracy cannot "
            f"reach {threshold:g}: no comprehension, no grokking")
    elif not a.forced and a.acc_bar_test < threshold:
        certainty, short, reason = "prediction", (
            f"it does not force the linear structure and predicts test accuracy "
            f"{a.acc_bar_test:.2f}"), (
            f"the split does not force the linear structure (n0 = {a.n0}) and the "
            f"parallelograms it implies predict test accuracy {a.acc_bar_test:.2f} < "
            f"{threshold:g} (effective theory; not a proof)")
    else:
        certainty, short, reason = None, None, (
            "the theory allows generalization here (test labels covered"
            + (", structure forced" if a.forced else "") + "); whether and when it happens "
            "depends on the decoder: simulated")
    out.update(decided=certainty is not None, certainty=certainty, short=short, reason=reason)
    return out


def _simulate(seeds, splits, p, modular, loss, train_size, lrs, steps, threshold, width, dtype,
              progress):
    """Train the toy model on (seed, split) pairs, batched, stopping runs once decided."""
    from validation.effective import ToyConfig, train_toy
    from validation.effective.toy import RunBatch

    cfg = ToyConfig(p=p, modular=modular, loss=loss, steps=steps, width=width, dtype=dtype,
                    train_acc_threshold=threshold, test_acc_threshold=threshold,
                    record_every=steps, stop_when_decided=True)
    k = len(seeds)
    batch = RunBatch(seed=np.asarray(seeds, dtype=np.int64),
                     train_size=np.full(k, train_size, dtype=np.int64),
                     **{name: np.full(k, float(v)) for name, v in lrs.items()})
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=k * steps, unit="run-step", desc="predict toy (simulation)")
    try:
        res = train_toy(cfg, batch, splits=splits,
                        progress=None if bar is None else bar.update)
    finally:
        if bar is not None:
            bar.close()
    return [res.run(i) for i in range(k)], cfg


def _seed_result(seed, theory, sim, definition, steps) -> dict:
    out = {"seed": seed, "split": theory, "simulation": None}
    if sim is None:
        cands = list(_NO_GENERALIZATION)
        out.update(method=f"theory ({theory['certainty']})", reason=theory["reason"])
    else:
        cands = phase_candidates(sim["iter_train"], sim["iter_test"], steps, definition,
                                 sim["diverged"])
        contradiction = False
        if theory["decided"]:             # the theory rules out generalization: intersect
            both = [c for c in cands if c in _NO_GENERALIZATION]
            contradiction = not both
            cands = both or cands
        censored = len(cands) > 1
        out["simulation"] = {k: sim[k] for k in ("iter_train", "iter_test", "stop_step",
                                                  "train_acc", "test_acc", "diverged")}
        out["simulation"]["censored"] = censored
        method = "simulation" if not theory["decided"] else "theory + simulation"
        reason = (f"not decided within {steps} steps (budget {definition.budget}): still "
                  f"possible {', '.join(cands)}" if censored else
                  f"simulated: train acc reached at step {sim['iter_train']}, test acc at step "
                  f"{sim['iter_test']}")
        if contradiction:
            reason += f"; the simulation contradicts the theory ({theory['reason']})"
        elif theory["decided"]:
            reason += f"; theory: {theory['short']}"
        out.update(method=method, reason=reason)
    out.update(phase=cands[0] if len(cands) == 1 else None, candidates=cands,
               groks=_groks_of(cands))
    return out


def _phase_summary(per_seed, definition, steps) -> dict:
    k = len(per_seed)
    phase = majority(r["phase"] for r in per_seed)
    groks = majority(r["groks"] for r in per_seed)
    counts = {}
    for r in per_seed:
        key = r["phase"] or "undecided"
        counts[key] = counts.get(key, 0) + 1
    cands = sorted({c for r in per_seed for c in r["candidates"]}, key=_order)
    reason = None
    if phase is None:
        parts = [f"{v} {key}" for key, v in counts.items() if key != "undecided"]
        open_ = {}
        for r in per_seed:
            if r["phase"] is None:
                key = " or ".join(r["candidates"])
                open_[key] = open_.get(key, 0) + 1
        parts += [f"{v} undecided ({key})" for key, v in open_.items()]
        reason = "no phase holds on more than half of the seeds: " + ", ".join(parts)
        skipped = sum(r["method"] == "none" for r in per_seed)
        if skipped:
            reason += (f"; the theory does not decide {skipped} seed(s) and simulate='never' "
                       f"skips their simulation")
        if any(r["simulation"] is not None and r["simulation"]["censored"] for r in per_seed):
            reason += (f"; censored runs were stopped at {steps} steps of the "
                       f"{definition.budget}-step budget (more --steps decides them)")
        if all(r["phase"] is None and r["candidates"] == _NO_GENERALIZATION for r in per_seed):
            reason = ("the theory rules out comprehension and grokking on every seed; "
                      "memorization vs confusion is not decided (--simulate always trains them)")
    return {"phase": phase, "groks": groks, "candidates": cands, "counts": counts,
            "n_seeds": k, "reason": reason, "definition": definition.to_dict(),
            "steps": steps}


def _order(phase):
    order = (*_ALL_PHASES, "diverged")
    return order.index(phase) if phase in order else len(order)


def predict_toy(train_size: int | None = None, *, p: int = 10, modular: bool = False,
                loss: str = "mse", repr_lr: float = 1e-3, decoder_lr: float = 1e-4,
                decoder_wd: float = 0.0, repr_wd: float = 0.0, split=None,
                seeds=(0, 1, 2, 3), steps: int = 10_000, budget: int = 100_000,
                acc_threshold: float = 0.9, lag: int = 1000, simulate: str = "auto",
                trials: int = 1000, seed: int = 0, exact_limit: int = 20000,
                width: int = 200, dtype: str = "float32", progress: bool = False) -> dict:
    """Will the toy model grok with this training size (or split) and these learning rates?

    Parameters
    ----------
    train_size : int, optional
        Training samples (random splits); required unless ``split`` is given.
    p, modular, loss : task and loss of the toy model.
    repr_lr, decoder_lr, decoder_wd, repr_wd : float
        Embedding Adam rate, decoder AdamW rate and weight decays.
    split : TrainingSplit, optional
        The user's exact training split (:func:`validation.predict.read_split`).
    seeds : sequence of int
        Runs: with random splits each seed draws its own split
        (:func:`validation.effective.run_split`); with ``split`` the seeds vary
        the initialisation only.
    steps, budget, acc_threshold, lag :
        Simulation length and the phase definition (Table 1; budget 1e5).
    simulate : {"auto", "always", "never"}
        ``auto``: simulate the seeds the theory does not decide; ``always``:
        every seed; ``never``: theory only (undecided seeds stay null).
    trials, seed, exact_limit : the random-split statistics (as ``effective critical``).
    width, dtype : simulation settings.
    progress : bool
        A progress bar (tqdm, stderr) while simulating.

    Returns
    -------
    dict
        ``p_generalizable``, ``predicted_representation_steps``,
        ``p_test_labels_covered``, ``max_label_coverage``, ``phase``
        (majority phase, per-seed answers, candidates), ``groks``,
        ``summary``, ``evidence``, ``config``.

    Notes
    -----
    ``p_generalizable`` is :func:`theory.effective.critical_curve` at this size
    (exact enumeration or Monte Carlo with its stderr): the probability that a
    random split forces the linear structure.  ``predicted_representation_steps``
    is ``n_h = 1/(lambda3 eta_repr)`` over the forcing splits (the paper's
    Sec. 3.2; convergence takes about ``3 n_h``), taken from the curve's
    lambda3 quartiles (``n_h`` quartile = ``1/(eta lambda3`` quartile), exact up
    to the interpolation between two neighbouring splits).  The toy model
    uses Adam, whose step is not ``eta`` times the gradient, so ``n_h`` is the
    theory's time scale, not a step count to the digit.  Simulation cost:
    at most ``len(seeds) * steps`` run-steps of about 6 M multiply-adds; runs
    stop when decided (the defaults at 45 of 55 samples: 23 772 run-steps,
    10 s of CPU, measured).

    Examples
    --------
    >>> from validation.predict import predict_toy
    >>> out = predict_toy(12, simulate="never")
    >>> out["phase"]["groks"], out["phase"]["candidates"]
    (False, ['memorization', 'confusion'])
    """
    from theory.effective import ArithmeticTask, PhaseDefinition, critical_curve
    from validation.effective import ToyConfig, run_split

    if simulate not in ("auto", "always", "never"):
        raise ValueError(f"simulate must be 'auto', 'always' or 'never', got {simulate!r}")
    task = ArithmeticTask(p, modular=modular) if split is None else split.task
    if split is not None:
        if train_size is not None and train_size != split.train_size:
            raise ValueError(f"train_size ({train_size}) differs from the split's size "
                             f"({split.train_size})")
        train_size = split.train_size
    if train_size is None:
        raise ValueError("give train_size (random splits) or split (your training pairs)")
    max_cover = max_label_coverage(task, train_size)
    definition = PhaseDefinition(budget=budget, acc_threshold=acc_threshold, lag=lag)
    ToyConfig(p=task.p, modular=task.modular, loss=loss, steps=steps, width=width,
              dtype=dtype)                                   # checks the settings early
    seeds = [int(s) for s in seeds]
    lrs = {"repr_lr": repr_lr, "repr_wd": repr_wd, "decoder_lr": decoder_lr,
           "decoder_wd": decoder_wd}
    cfg_for_split = ToyConfig(p=task.p, modular=task.modular)
    splits = [split if split is not None else run_split(cfg_for_split, s, train_size)
              for s in seeds]
    theory = [_split_theory(sp, repr_lr, acc_threshold) for sp in splits]
    todo = [i for i, th in enumerate(theory)
            if simulate == "always" or (simulate == "auto" and not th["decided"])]
    sims = [None] * len(seeds)
    sim_info = None
    if todo:
        runs, cfg = _simulate([seeds[i] for i in todo],
                              None if split is None else [split] * len(todo), task.p,
                              task.modular, loss, train_size, lrs, steps, acc_threshold, width,
                              dtype, progress)
        for i, run in zip(todo, runs):
            sims[i] = run
        sim_info = {"seeds": [seeds[i] for i in todo], "steps": steps, "budget": budget,
                    "stop_when_decided": True,
                    "run_steps": int(sum(r["stop_step"] for r in runs)),
                    "toy": cfg.to_dict()}
    per_seed = []
    for s, th, sim in zip(seeds, theory, sims):
        if sim is None and not th["decided"]:
            per_seed.append({"seed": s, "split": th, "simulation": None, "method": "none",
                             "phase": None, "candidates": list(_ALL_PHASES), "groks": None,
                             "reason": "the theory does not decide this split and "
                                       "simulate='never'"})
        else:
            per_seed.append(_seed_result(s, th, sim, definition, steps))
    if sim_info is not None:
        sim_info["censored_seeds"] = [r["seed"] for r in per_seed
                                      if r["simulation"] is not None
                                      and r["simulation"]["censored"]]
    phase = _phase_summary(per_seed, definition, steps)
    phase["per_seed"] = per_seed
    phase["simulation"] = sim_info

    if split is None:
        curve = critical_curve(task, [train_size], trials=trials, seed=seed,
                               exact_limit=exact_limit)
        pg = {"value": float(curve.p_forced[0]), "stderr": float(curve.stderr[0]),
              "exact": bool(curve.exact[0]), "n_evaluated": int(curve.n_evaluated[0]),
              "over": f"random training sets of {train_size} samples"}
        lam = {"median": curve.lambda3_median[0], "q25": curve.lambda3_q25[0],
               "q75": curve.lambda3_q75[0]}
        coverage = _coverage_probability(task, train_size, acc_threshold, trials, seed,
                                         exact_limit)
    else:
        th = theory[0]
        pg = {"value": float(th["forced"]), "stderr": 0.0, "exact": True, "n_evaluated": 1,
              "over": "the given split (1 if it forces the structure, else 0)"}
        lam = dict.fromkeys(("median", "q25", "q75"), th["lambda3"] if th["forced"] else np.nan)
        coverage = {"value": float(th["test_label_coverage"] >= acc_threshold), "stderr": 0.0,
                    "exact": True, "n_evaluated": 1}
    nh = {"median": _n_h(lam["median"], repr_lr), "q25": _n_h(lam["q75"], repr_lr),
          "q75": _n_h(lam["q25"], repr_lr),
          "fraction_lambda3_zero": 1.0 - pg["value"], "eta": repr_lr,
          "lambda3": {k: (None if not np.isfinite(v) else float(v)) for k, v in lam.items()},
          "definition": "n_h = 1/(lambda3 eta_repr) steps over the splits that force the "
                        "structure (lambda3 > 0); convergence ~3 n_h; the fraction with "
                        "lambda3 = 0 has no finite prediction"}
    if nh["median"] is None:
        nh["reason"] = "no split of this size forces the structure: lambda3 = 0, n_h infinite"

    params = {"p": task.p, "modular": task.modular, "loss": loss, "train_size": train_size,
              **lrs, "split": None if split is None else "given (see phase.per_seed.split)",
              "seeds": seeds, "steps": steps, "budget": budget, "acc_threshold": acc_threshold,
              "lag": lag, "simulate": simulate, "trials": trials, "seed": seed,
              "exact_limit": exact_limit, "width": width, "dtype": dtype}
    out = {
        "p_generalizable": pg,
        "predicted_representation_steps": nh,
        "p_test_labels_covered": {**coverage, "threshold": acc_threshold, "definition": (
            f"probability that at least {acc_threshold:g} of the test samples have a label "
            f"seen in training (necessary for test accuracy >= {acc_threshold:g})")},
        "max_label_coverage": max_cover,
        "phase": phase,
        "groks": phase["groks"],
        "summary": _summary(phase, pg, nh, train_size, split is not None),
        "evidence": _evidence(per_seed, sim_info),
        "config": stamp("toy", "effective", PAPER, params, definitions={
            "p_generalizable": "P(n0 of A(P0(D)) equals that of A(P0)): the split forces the "
                               "linear structure (theory.effective.critical_curve)",
            "phase": "Table 1 of the paper with PhaseDefinition (budget, acc_threshold, lag); "
                     "null when undecided (censored run, or seeds without a majority)",
            "groks": "true if the phase is grokking, false if grokking is ruled out, null if "
                     "still possible; the answer is the majority over seeds",
            "evidence_levels": EVIDENCE_LEVELS,
            "seed_streams": "random splits: SeedSequence(seed).spawn(4)[1] per run "
                            "(validation.effective.run_split); p_test_labels_covered Monte "
                            "Carlo: SeedSequence([seed, train_size, 1])"}),
    }
    return out


def _n_h(lambda3, eta):
    if not np.isfinite(lambda3) or lambda3 <= 0:
        return None
    n_h = float(1.0 / lambda3 / eta)           # (lambda3 * eta could underflow to 0)
    if n_h == math.inf:
        raise RangeOverflowError(f"n_h = 1/(lambda3 repr_lr) exceeds the float64 range "
                                 f"(lambda3 = {lambda3:g}, repr_lr = {eta:g}): repr_lr is too "
                                 f"small")
    return n_h


def _evidence(per_seed, sim_info) -> dict:
    methods = sorted({r["method"] for r in per_seed})
    return {"method": methods, "theory": "theory.effective: analyze_split per seed's split, "
                                         "critical_curve for random splits",
            "simulation": None if sim_info is None else {
                k: sim_info[k] for k in ("seeds", "steps", "budget", "stop_when_decided",
                                         "run_steps", "censored_seeds")}}


def _summary(phase, pg, nh, train_size, given) -> str:
    k = phase["n_seeds"]
    counts = phase["counts"]
    if phase["phase"] is not None:
        ph = phase["phase"]
        n = counts[ph]
        how = sorted({r["method"] for r in phase["per_seed"] if r["phase"] == ph})
        verdict = {"grokking": "groks", "comprehension": "generalizes without delay "
                                                          "(comprehension, not grokking)",
                   "memorization": "memorizes (no grokking)",
                   "confusion": "does not fit its training set (confusion)",
                   "diverged": "diverges"}[ph]
        head = f"{verdict} on {n} of {k} seeds ({'; '.join(how)})"
    elif phase["groks"] is False:
        per = phase["per_seed"]
        ruled = [r for r in per if r["groks"] is False]
        by_theory = [r for r in ruled if r["simulation"] is None]
        head = f"does not grok: grokking is ruled out on {len(ruled)} of {k} seeds"
        if by_theory:
            r = by_theory[0]
            head += (f" (theory, {r['split']['certainty']}: e.g. seed {r['seed']}'s split: "
                     f"{r['split']['short']}; memorization or confusion)")
    else:
        head = f"undecided: {phase['reason']}"
    where = "this split" if given else f"random splits of {train_size} samples"
    med = nh["median"]
    tail = (f"p_generalizable = {pg['value']:.2f} ({where} forcing the linear structure)"
            + (f", representation in ~{med:.0f} steps (median n_h)" if med is not None else
               ", no finite representation time (lambda3 = 0)"))
    return f"{head}; {tail}"
