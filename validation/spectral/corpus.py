"""A labelled corpus of learning curves from our own numpy training runs.

Two generators, each over a grid of learning rate x weight decay x training
fraction x seed:

* ``"modular"``: modular addition with a one-hidden-layer ReLU MLP, full
  batch AdamW (:mod:`validation.spectral.modular`);
* ``"toy"``: the effective theory's toy model (:mod:`validation.effective.toy`),
  grid over the decoder's learning rate and weight decay.

Every run is labelled by the shared phase classifier
(:func:`theory.effective.classify_phase`): it *generalizes* if its phase is
comprehension or grokking within the budget.  The training loss is logged at
every step before the update (full batch: step = epoch), as in the paper.

Runs directories (the ``grokking spectral calibrate RUNS_DIR`` contract): one
CSV per run with columns ``step``, ``train_loss`` and, for labelling,
``train_acc`` and ``val_acc``; an optional ``labels.csv`` (columns ``run``,
``label`` with 1 = generalizes) overrides the labels derived from the
accuracies.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

import numpy as np

from theory.effective import PhaseDefinition, classify_phase

__all__ = ["Corpus", "PROFILES", "generate_corpus", "label_curves", "read_runs_dir",
           "write_runs_dir"]

#: Grids of the corpus.  Budgets are in steps; the spectral window is a few % of it.
PROFILES = {
    "full": {
        "modular": {"modulus": 23, "width": 128, "steps": 6000, "lr": [1e-3, 3e-3, 1e-2],
                    "weight_decay": [0.0, 0.3, 1.0, 3.0], "train_fraction": [0.5, 0.6, 0.7, 0.8],
                    "seeds": [0, 1], "acc_threshold": 0.95},
        "toy": {"steps": 6000, "decoder_lr": [1e-4, 3e-4, 1e-3, 3e-3],
                "decoder_wd": [0.0, 1.0, 3.0], "train_size": [30, 40, 45], "seeds": [0, 1, 2],
                "acc_threshold": 0.9},
    },
    "quick": {
        "modular": {"modulus": 17, "width": 96, "steps": 2500, "lr": [3e-3, 1e-2],
                    "weight_decay": [0.3, 1.0], "train_fraction": [0.5, 0.8], "seeds": [0, 1],
                    "acc_threshold": 0.95},
        "toy": {"steps": 2500, "decoder_lr": [1e-4, 1e-3], "decoder_wd": [0.0, 1.0],
                "train_size": [30, 45], "seeds": [0, 1, 2], "acc_threshold": 0.9},
    },
}


@dataclass(frozen=True)
class Corpus:
    """Learning curves with labels.

    Attributes
    ----------
    train_loss, train_acc, val_acc : ndarray, shape (B, budget + 1)
        Per-step curves (step 0 = before the first update).
    label : ndarray of bool
        True if the run generalizes (comprehension or grokking).
    phase : list of str
    generator : ndarray of str
        "modular" or "toy" per run.
    settings : list of dict
        Per-run hyperparameters and seed.
    config : dict
        Grids, phase definitions, version.
    """

    train_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    label: np.ndarray
    phase: list
    generator: np.ndarray
    settings: list
    config: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.label.size)

    def subset(self, mask) -> Corpus:
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        return Corpus(self.train_loss[idx], self.train_acc[idx], self.val_acc[idx],
                      self.label[idx], [self.phase[i] for i in idx], self.generator[idx],
                      [self.settings[i] for i in idx], self.config)


def _first(curve: np.ndarray, threshold: float):
    hit = np.flatnonzero(curve >= threshold)
    return int(hit[0]) if hit.size else None


def label_curves(train_acc, val_acc, definition: PhaseDefinition, diverged=None):
    """Phase and label (generalizes) of each run from its accuracy curves.

    Step ``t`` of a curve is the step index; the budget of ``definition`` caps it.
    """
    train_acc = np.atleast_2d(train_acc)
    val_acc = np.atleast_2d(val_acc)
    phases = []
    for k in range(train_acc.shape[0]):
        div = bool(diverged[k]) if diverged is not None else False
        res = classify_phase(_first(train_acc[k], definition.acc_threshold),
                             _first(val_acc[k], definition.acc_threshold), definition,
                             diverged=div)
        phases.append(res["phase"])
    label = np.array([p in ("comprehension", "grokking") for p in phases])
    return phases, label


def _modular_runs(grid: dict, progress=None):
    from validation.spectral.modular import ModularConfig, train_modular

    combos = [(s, lr, wd, f) for lr in grid["lr"] for wd in grid["weight_decay"]
              for f in grid["train_fraction"] for s in grid["seeds"]]
    seeds, lrs, wds, fracs = (np.array(v) for v in zip(*combos))
    cfg = ModularConfig(modulus=grid["modulus"], width=grid["width"], steps=grid["steps"])
    res = train_modular(cfg, seeds, lrs, wds, fracs)
    definition = PhaseDefinition(budget=grid["steps"] + 1, acc_threshold=grid["acc_threshold"],
                                 lag=max(grid["steps"] // 10, 1))
    phases, label = label_curves(res.train_acc, res.val_acc, definition, res.diverged)
    settings = [{"generator": "modular", "seed": int(s), "lr": float(lr),
                 "weight_decay": float(wd), "train_fraction": float(f)}
                for s, lr, wd, f in combos]
    return res.train_loss, res.train_acc, res.val_acc, phases, label, settings, \
        {"model": cfg.to_dict(), "grid": grid, "phases": definition.to_dict()}


def _toy_runs(grid: dict, progress=None):
    from validation.effective import ToyConfig, make_batch, train_toy

    cfg = ToyConfig(steps=grid["steps"], record_every=1, record_loss_curve=True)
    batch = make_batch(grid["seeds"], train_size=grid["train_size"],
                       decoder_lr=grid["decoder_lr"], decoder_wd=grid["decoder_wd"])
    res = train_toy(cfg, batch, progress=progress)
    definition = PhaseDefinition(budget=grid["steps"] + 1, acc_threshold=grid["acc_threshold"],
                                 lag=max(grid["steps"] // 10, 1))
    phases, label = label_curves(res.history["train_acc"], res.history["test_acc"], definition,
                                 res.diverged)
    settings = [{"generator": "toy", **{k: v for k, v in res.run(k).items()
                                        if k in ("seed", "train_size", "decoder_lr",
                                                 "decoder_wd", "repr_lr")}}
                for k in range(len(batch))]
    return res.loss_curve, res.history["train_acc"], res.history["test_acc"], phases, label, \
        settings, {"model": cfg.to_dict(), "grid": grid, "phases": definition.to_dict()}


def generate_corpus(profile: str = "full", generators=("modular", "toy"), progress=None
                    ) -> Corpus:
    """Train every run of the profile's grids and label it.

    Cost (2 cores): the full profile is 192 modular runs x 6000 steps and
    108 toy runs x 6000 steps, a few minutes; ``"quick"`` well under a minute.
    The two generators have different budgets only if the profile says so;
    curves are stacked, so they must share ``steps``.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}")
    parts = []
    cfgs = {}
    for name in generators:
        grid = PROFILES[profile][name]
        make = {"modular": _modular_runs, "toy": _toy_runs}.get(name)
        if make is None:
            raise ValueError(f"generators must be among ('modular', 'toy'), got {name!r}")
        *arrays, cfg = make(grid, progress)
        parts.append((name, arrays))
        cfgs[name] = cfg
    steps = {a[0].shape[1] for _, a in parts}
    if len(steps) != 1:
        raise ValueError("generators of one corpus must share the number of steps")
    cat = lambda i: np.concatenate([a[i] for _, a in parts])  # noqa: E731
    return Corpus(train_loss=cat(0), train_acc=cat(1), val_acc=cat(2),
                  label=np.concatenate([a[4] for _, a in parts]),
                  phase=[p for _, a in parts for p in a[3]],
                  generator=np.concatenate([[n] * a[0].shape[0] for n, a in parts]),
                  settings=[s for _, a in parts for s in a[5]],
                  config={"profile": profile, "generators": cfgs,
                          "label": "generalizes = phase in {comprehension, grokking} "
                                   "(theory.effective.classify_phase)"})


def write_runs_dir(corpus: Corpus, out_dir, digits: int = 7) -> list[str]:
    """Write one CSV per run (step, train_loss, train_acc, val_acc) and ``labels.csv``."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    steps = np.arange(corpus.train_loss.shape[1])
    for k in range(len(corpus)):
        path = os.path.join(out_dir, f"run_{k:04d}.csv")
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["step", "train_loss", "train_acc", "val_acc"])
            for row in zip(steps, corpus.train_loss[k], corpus.train_acc[k], corpus.val_acc[k]):
                w.writerow([row[0]] + [f"{v:.{digits}g}" for v in row[1:]])
        paths.append(path)
    with open(os.path.join(out_dir, "labels.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["run", "label", "phase", "generator"])
        for k in range(len(corpus)):
            w.writerow([f"run_{k:04d}", int(corpus.label[k]), corpus.phase[k],
                        corpus.generator[k]])
    return paths


def _read_labels(path) -> dict:
    """``labels.csv`` (columns ``run``, ``label`` in {0, 1}) -> {run: bool}; errors name the row."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("run", "label") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"RUNS_DIR: {path} must have the columns 'run' and 'label' "
                             f"(missing: {', '.join(missing)}; found: "
                             f"{', '.join(reader.fieldnames or []) or 'none'})")
        given = {}
        for line, row in enumerate(reader, start=2):
            text = (row["label"] or "").strip()
            if text not in ("0", "1"):
                raise ValueError(f"RUNS_DIR: {path} row {line}: label must be 0 or 1, "
                                 f"got {text!r}")
            given[row["run"]] = text == "1"
    return given


def read_runs_dir(runs_dir, definition: PhaseDefinition | None = None):
    """Read a runs directory: (names, train-loss curves, labels, label source).

    Curves may have different lengths (a list is returned).  Labels come from
    ``labels.csv`` if present, else from the ``train_acc`` / ``val_acc``
    columns through the phase classifier (``definition``, default budget =
    the curve's length, threshold 0.9, lag 10 % of the budget).
    """
    from validation.spectral.io import read_curve_csv

    if not os.path.isdir(runs_dir):
        raise ValueError(f"RUNS_DIR: {runs_dir!r} is not a directory")
    names = sorted(f[:-4] for f in os.listdir(runs_dir)
                   if f.endswith(".csv") and f != "labels.csv")
    if not names:
        raise ValueError(f"RUNS_DIR: no run CSV files in {runs_dir!r}")
    given = {}
    label_path = os.path.join(runs_dir, "labels.csv")
    if os.path.exists(label_path):
        given = _read_labels(label_path)
    curves, labels = [], []
    for name in names:
        table = read_curve_csv(os.path.join(runs_dir, name + ".csv"),
                               columns=("train_loss",),
                               optional=("train_acc", "val_acc"))
        curves.append(table["train_loss"])
        if name in given:
            labels.append(given[name])
            continue
        if "val_acc" not in table or "train_acc" not in table:
            raise ValueError(f"RUNS_DIR: {name}.csv has no train_acc/val_acc columns and "
                             f"labels.csv does not label it")
        d = definition or PhaseDefinition(budget=len(table["train_loss"]),
                                          lag=max(len(table["train_loss"]) // 10, 1))
        labels.append(bool(label_curves(table["train_acc"], table["val_acc"], d)[1][0]))
    source = "labels.csv" if given else "phase classifier on train_acc/val_acc"
    return names, curves, np.array(labels), source
