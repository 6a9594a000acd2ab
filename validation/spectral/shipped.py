"""Held-out evaluation of early-curve models per family, and the model files shipped with them.

:func:`evaluate_family` measures, by leave-one-cell-out on a family corpus
(:mod:`validation.spectral.families`):

* ``early``: the early-curve model, feature set and ``C`` chosen by inner
  grouped CV inside every outer fold (:func:`validation.spectral.fit.held_out_predictions`);
* ``set:<name>``: each candidate feature set alone (``C`` still chosen inside),
  the ablation that says which features carry the signal;
* the baselines, each a one-feature logistic model fitted the same way:
  ``loss_at_end`` (loss at the last step of the window), ``loss_drop``
  (loss[0] - loss[W-1]), ``final_slope`` (least-squares slope over the last
  quarter), and the paper's ``activity`` (variance of the mean-removed
  window);
* toy family: ``split`` (the effective theory's verdict on the training split
  alone) and ``combined`` (curve and split features).

:func:`cross_family` fits on one family and scores the other;
:func:`build_model_file` fits the shipped model on the whole corpus and
writes it with its held-out metrics.  ``python -m validation.spectral.shipped``
rebuilds every shipped model from the stored corpora.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

import numpy as np

from theory import __version__
from theory._json import jsonable
from theory.spectral.early import FEATURE_DEFINITIONS
from theory.spectral.model import MODEL_FORMAT, SPLIT_FEATURES
from validation.spectral.evaluation import BASELINES, baseline_scores
from validation.spectral.families import FamilyCorpus, load_family_corpus
from validation.spectral.fit import (
    C_GRID,
    FEATURE_SETS,
    block_bootstrap,
    calibration_metrics,
    feature_table,
    held_out_predictions,
    select_and_fit,
)

__all__ = ["MODEL_NAMES", "build_model_file", "cross_family", "evaluate_family",
           "results_rst", "write_model_file"]

#: Shipped models: name -> (family, uses split features).
MODEL_NAMES = {"toy": ("toy", False), "modular": ("modular", False),
               "toy_split": ("toy", True)}
_MODELS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "theory", "spectral", "models")
THRESHOLD = 0.5


def _baseline_table(corpus: FamilyCorpus) -> dict:
    from theory.spectral import SpectralConfig, score_curves

    table = baseline_scores(corpus.early_loss, corpus.window)
    table["activity"] = np.log10(np.maximum(score_curves(
        corpus.early_loss, SpectralConfig(window=corpus.window)), 1e-300))
    return table


def _split_sets(with_curve: bool) -> dict:
    split = tuple(SPLIT_FEATURES)
    if not with_curve:
        return {"split": split}
    return {f"{k}+split": v + split for k, v in FEATURE_SETS.items()}


def _decisions(prob, y, threshold=THRESHOLD) -> dict:
    pred = prob >= threshold
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    fn = int(np.sum(~pred & y))
    tn = int(np.sum(~pred & ~y))
    return {"threshold": threshold, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + fn),
            "fpr": fp / (fp + tn), "accuracy": (tp + tn) / y.size}


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def evaluate_family(corpus: FamilyCorpus, *, n_boot: int = 2000, seed: int = 0, Cs=C_GRID,
                    n_inner: int = 5, ablations: bool = True, fixed: dict | None = None
                    ) -> dict:
    """Leave-one-cell-out AUROC (cell-bootstrap CI) of the early model, its parts and baselines.

    ``fixed = {"early": (feature_set, C), "combined": (feature_set, C)}`` skips
    the inner selection for those scores (the quick figure profile uses the
    shipped models' choices; optimistic by the selection step, and said so in
    ``config``).  The one-feature baselines use ``C = 1`` (their held-out
    ranking does not depend on ``C``, only on the fitted sign).

    Returns
    -------
    dict
        ``auroc`` (per score: estimate, low, high; ``_differences`` = early
        minus each other score), ``calibration`` (held-out Brier, ECE of the
        early model), ``decisions`` (at the model's threshold), ``chosen``
        (feature set and C picked in each outer fold), counts and ``config``.
    """
    t0 = time.perf_counter()
    y = corpus.label.astype(bool)
    groups = corpus.cell
    table = feature_table(corpus.early_loss, corpus.window, corpus.split)
    base = _baseline_table(corpus)
    logits, chosen = {}, {}
    fixed = fixed or {}

    def candidates(key, sets):
        if key in fixed:
            name, C = fixed[key]
            return {name: sets[name]}, (C,)
        return sets, Cs

    res = held_out_predictions(table, y, groups, *candidates("early", FEATURE_SETS), n_inner)
    logits["early"], chosen["early"] = res["logit"], res["chosen"]
    if ablations:
        for name, feats in FEATURE_SETS.items():
            logits[f"set:{name}"] = held_out_predictions(table, y, groups, {name: feats}, Cs,
                                                         n_inner)["logit"]
    for name in base:
        logits[name] = held_out_predictions({name: base[name]}, y, groups, {name: (name,)},
                                            (1.0,), n_inner)["logit"]
    if corpus.split:
        for key, with_curve in (("split", False), ("combined", True)):
            r = held_out_predictions(table, y, groups,
                                     *candidates(key, _split_sets(with_curve)), n_inner)
            logits[key], chosen[key] = r["logit"], r["chosen"]
    auc = block_bootstrap(logits, y, groups, n_boot=n_boot, seed=seed, reference="early")
    prob = _sigmoid(logits["early"])
    out = {"family": corpus.family, "n_runs": len(corpus), "n_generalize": int(y.sum()),
           "n_cells": int(np.unique(groups).size), "auroc": auc,
           "calibration": calibration_metrics(prob, y), "decisions": _decisions(prob, y),
           "chosen": {k: _count(v) for k, v in chosen.items()}}
    if "combined" in logits:
        comb = _sigmoid(logits["combined"])
        out["calibration_combined"] = calibration_metrics(comb, y)
        out["decisions_combined"] = _decisions(comb, y)
        out["combined_vs_parts"] = block_bootstrap(
            {k: logits[k] for k in ("combined", "early", "split")}, y, groups, n_boot=n_boot,
            seed=seed, reference="combined")["_differences"]
    how = ("leave-one-cell-out; feature set and C chosen by inner grouped CV "
           f"({n_inner} folds over cells) on the fitting cells only")
    if fixed:
        how += (f"; except {sorted(fixed)}: feature set and C fixed to the shipped models' "
                f"choices {fixed} (not re-selected per fold: slightly optimistic)")
    out["config"] = {"evaluation": how,
                     "Cs": list(Cs), "feature_sets": {k: list(v) for k, v in
                                                      FEATURE_SETS.items()},
                     "baselines": {**BASELINES, "activity": "log10 variance of the "
                                   "mean-removed window (the paper's score)"},
                     "window": corpus.window, "budget": corpus.budget,
                     "compute_saved": 1 - corpus.window / corpus.budget,
                     "probability": "logistic output (no extra calibration step)",
                     "seconds": time.perf_counter() - t0, "version": __version__}
    out["_logits"] = logits
    return out


def _count(chosen) -> dict:
    counts = {}
    for s, C in chosen:
        key = f"{s}, C={C:g}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def cross_family(train: FamilyCorpus, test: FamilyCorpus, *, n_boot: int = 2000, seed: int = 0,
                 Cs=C_GRID, n_inner: int = 5) -> dict:
    """Fit the early model on every run of ``train``, score every run of ``test``."""
    ytr = train.label.astype(bool)
    yte = test.label.astype(bool)
    fit = select_and_fit(feature_table(train.early_loss, train.window), ytr, train.cell,
                         FEATURE_SETS, Cs, n_inner)
    tab = feature_table(test.early_loss, test.window)
    logit = fit.logit(np.column_stack([tab[n] for n in fit.features]))
    auc = block_bootstrap({"early": logit}, yte, test.cell, n_boot=n_boot, seed=seed)
    return {"train": train.family, "test": test.family, "auroc": auc["early"],
            "bootstrap": auc["_bootstrap"], "feature_set": fit.feature_set, "C": fit.C,
            "calibration": calibration_metrics(_sigmoid(logit), yte),
            "decisions": _decisions(_sigmoid(logit), yte),
            "note": "windows are 4 % of each family's budget; features are scale-free"}


def _public(evaluation: dict) -> dict:
    return {k: v for k, v in evaluation.items() if not k.startswith("_")}


def build_model_file(corpus: FamilyCorpus, evaluation: dict, *, name: str,
                     with_split: bool = False, cross: dict | None = None, Cs=C_GRID,
                     n_inner: int = 5, n_reference: int = 6) -> dict:
    """Fit the shipped model on the whole corpus; its file as a dict (``MODEL_FORMAT``)."""
    y = corpus.label.astype(bool)
    table = feature_table(corpus.early_loss, corpus.window, corpus.split)
    sets = _split_sets(True) if with_split else FEATURE_SETS
    fit = select_and_fit(table, y, corpus.cell, sets, Cs, n_inner)
    X = np.column_stack([table[n] for n in fit.features])
    ref_idx = _reference_runs(y, n_reference)
    key = "combined" if with_split else "early"
    held = _public(evaluation)
    held_summary = {"auroc": held["auroc"][key], "bootstrap": held["auroc"]["_bootstrap"],
                    "baselines": {k: held["auroc"][k] for k in
                                  (*BASELINES, "activity")},
                    "calibration": held["calibration_combined" if with_split
                                        else "calibration"],
                    "decisions": held["decisions_combined" if with_split else "decisions"],
                    "evaluation": held["config"]["evaluation"],
                    "all_scores": {k: v for k, v in held["auroc"].items()
                                   if not k.startswith("_")}}
    if with_split:
        held_summary["combined_vs_parts"] = held["combined_vs_parts"]
    if cross is not None:
        held_summary["cross_family"] = cross
    definitions = {n: FEATURE_DEFINITIONS.get(n) or SPLIT_FEATURES[n] for n in fit.features}
    model = {
        "format": MODEL_FORMAT, "format_version": 1, "name": name, "version": "1",
        "package_version": __version__,
        "family": {"name": corpus.family, "budget": corpus.budget,
                   "label": corpus.config["label"], "model": corpus.config["model"],
                   "phases": corpus.config["phases"]},
        "window": corpus.window,
        "features": {"names": list(fit.features), "definitions": definitions,
                     "feature_set": fit.feature_set,
                     "split_features": [n for n in fit.features if n in SPLIT_FEATURES]},
        "logistic": {"mean": fit.mean, "scale": fit.scale, "coef": fit.coef,
                     "intercept": fit.intercept, "C": fit.C,
                     "fitter": "scikit-learn LogisticRegression (L2, lbfgs) on standardised "
                               "features; scale = population std"},
        "calibration": {"method": "none: the logistic output is the probability "
                                  "(held-out Brier and ECE below)", "a": 1.0, "c": 0.0},
        "threshold": {"value": THRESHOLD, "rule": "prediction = probability >= 0.5 (the more "
                                                  "likely outcome)"},
        "feature_range": {"min": X.min(axis=0), "max": X.max(axis=0),
                          "margin": "values outside [min - 0.1 w, max + 0.1 w], w = max - min, "
                                    "give no confident answer"},
        "selection": {"candidates": {k: list(v) for k, v in sets.items()}, "Cs": list(Cs),
                      **fit.inner},
        "corpus": {"n_runs": len(corpus), "n_generalize": int(y.sum()),
                   "n_cells": int(np.unique(corpus.cell).size),
                   "phases": {p: int(np.sum(corpus.phase == p)) for p in
                              sorted(set(corpus.phase.tolist()))},
                   "grid": corpus.config["grid"], "cell_axes": corpus.config["cell_axes"],
                   "seeds": corpus.config["seeds"], "command": corpus.config["command"]},
        "held_out": held_summary,
        "reference_runs": [{"run": int(i), "seed": int(corpus.seed[i]),
                            "label": bool(y[i]), "early_loss": corpus.early_loss[i],
                            "split": {k: float(v[i]) for k, v in corpus.split.items()}
                            if with_split else None,
                            "probability_sklearn": float(_sklearn_probability(fit, X[i]))}
                           for i in ref_idx],
    }
    return jsonable(model)


def _sklearn_probability(fit, row) -> float:
    # Independent of theory.spectral.model: scikit-learn's own predict_proba on the same fit.
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression()
    lr.classes_ = np.array([False, True])
    lr.coef_ = fit.coef[None, :]
    lr.intercept_ = np.array([fit.intercept])
    return lr.predict_proba(((row - fit.mean) / fit.scale)[None, :])[0, 1]


def _reference_runs(y: np.ndarray, n: int) -> list:
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
    k = n // 2
    pick = [pos[int(j)] for j in np.linspace(0, pos.size - 1, min(k, pos.size))] + \
        [neg[int(j)] for j in np.linspace(0, neg.size - 1, min(n - k, neg.size))]
    return sorted(set(int(i) for i in pick))


def write_model_file(model: dict, path) -> str:
    """Write a model dict as JSON atomically; return the path."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(model, fh, indent=1, allow_nan=False)
        fh.write("\n")
    os.chmod(tmp, 0o644)  # mkstemp makes it private; these are shipped files
    os.replace(tmp, path)
    return path


_LABELS = {"early": "early-curve model", "combined": "curve + split (combined)",
           "split": "split verdict alone (theory)", "activity": "activity alone (paper)",
           "loss_at_end": "loss at end of window", "loss_drop": "loss drop",
           "final_slope": "final slope", "set:paper": "features: paper (activity)",
           "set:hjorth": "features: hjorth", "set:shape": "features: shape",
           "set:all": "features: all"}


def _ci(a: dict) -> str:
    return f"{a['estimate']:.2f} [{a['low']:.2f}, {a['high']:.2f}]"


def results_rst(report: dict) -> str:
    """The held-out AUROC tables of a report (``main --report``) as reStructuredText."""
    fams = report["families"]
    lines = [".. list-table:: Held-out AUROC [95 % cell-bootstrap CI], leave-one-cell-out",
             "   :header-rows: 1", "", "   * - score"]
    lines += [f"     - {f} ({e['n_runs']} runs, {e['n_generalize']} generalize, "
              f"{e['n_cells']} cells)" for f, e in fams.items()]
    for key, text in _LABELS.items():
        if not any(key in e["auroc"] for e in fams.values()):
            continue
        lines.append(f"   * - {text}")
        lines += [f"     - {_ci(e['auroc'][key]) if key in e['auroc'] else 'n/a'}"
                  for e in fams.values()]
    lines += ["", ".. list-table:: Early-curve model minus each other score (paired cell "
                  "bootstrap; 95 % CI)", "   :header-rows: 1", "", "   * - other score"]
    lines += [f"     - {f}" for f in fams]
    keys = [k for k in _LABELS if k != "early"]
    for key in keys:
        if not any(key in e["auroc"]["_differences"] for e in fams.values()):
            continue
        lines.append(f"   * - {_LABELS[key]}")
        lines += [f"     - {_ci(e['auroc']['_differences'][key])}"
                  if key in e["auroc"]["_differences"] else "     - n/a" for e in fams.values()]
    lines += ["", ".. list-table:: Cross-family: fitted on every run of one family, scored on "
                  "every run of the other", "   :header-rows: 1", "",
              "   * - fitted on -> scored on", "     - AUROC [95 % CI]",
              "     - features chosen"]
    for cr in report["cross_family"].values():
        lines += [f"   * - {cr['train']} -> {cr['test']}", f"     - {_ci(cr['auroc'])}",
                  f"     - {cr['feature_set']}, C = {cr['C']:g}"]
    lines += ["", ".. list-table:: Probabilities of the early-curve model, held out",
              "   :header-rows: 1", "", "   * - family", "     - Brier (base rate)",
              "     - ECE (10 bins)", "     - precision / recall / FPR at 0.5"]
    for f, e in fams.items():
        c, d = e["calibration"], e["decisions"]
        prec = "n/a" if d["precision"] is None else f"{d['precision']:.2f}"
        lines += [f"   * - {f}", f"     - {c['brier']:.3f} ({c['brier_base_rate']:.3f})",
                  f"     - {c['ece']:.3f}", f"     - {prec} / {d['recall']:.2f} / "
                                            f"{d['fpr']:.2f}"]
        if "calibration_combined" in e:
            c, d = e["calibration_combined"], e["decisions_combined"]
            prec = "n/a" if d["precision"] is None else f"{d['precision']:.2f}"
            lines += [f"   * - {f} (combined)",
                      f"     - {c['brier']:.3f} ({c['brier_base_rate']:.3f})",
                      f"     - {c['ece']:.3f}", f"     - {prec} / {d['recall']:.2f} / "
                                                f"{d['fpr']:.2f}"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    """Rebuild the shipped models from the stored corpora.

    ``python -m validation.spectral.shipped [--out DIR] [--report JSON] [--rst FILE]``.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m validation.spectral.shipped")
    parser.add_argument("--out", default=_MODELS_DIR, help="directory for the model files")
    parser.add_argument("--report", default=None, help="also write the full evaluation JSON")
    parser.add_argument("--rst", default=None, help="also write the result tables (rst)")
    parser.add_argument("--n-boot", type=int, default=2000)
    args = parser.parse_args(argv)
    corpora = {f: load_family_corpus(f) for f in ("toy", "modular")}
    evals = {f: evaluate_family(c, n_boot=args.n_boot) for f, c in corpora.items()}
    # each model file stores how it does on the *other* family
    cross = {"toy": cross_family(corpora["toy"], corpora["modular"], n_boot=args.n_boot),
             "modular": cross_family(corpora["modular"], corpora["toy"], n_boot=args.n_boot)}
    paths = []
    for name, (family, with_split) in MODEL_NAMES.items():
        model = build_model_file(corpora[family], evals[family], name=name,
                                 with_split=with_split, cross=None if with_split
                                 else cross[family])
        paths.append(write_model_file(model, os.path.join(args.out, f"{name}.json")))
    report = jsonable({"families": {f: _public(e) for f, e in evals.items()},
                       "cross_family": cross})
    if args.report:
        write_model_file(report, args.report)
    if args.rst:
        with open(args.rst, "w", encoding="utf-8") as fh:
            fh.write(results_rst(report))
    print(json.dumps({"models": paths}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
