"""Labelled corpora of the two model families the shipped early-curve models are fitted on.

* ``"toy"``: the effective theory's toy model (:mod:`validation.effective.toy`)
  with the paper's default settings (MSE to random templates, decoder
  1-200-200-30 tanh, embeddings Adam lr 1e-3, decoder AdamW), budget 10 000
  steps, over a grid of decoder learning rate x decoder weight decay x
  training size;
* ``"modular"``: modular addition with a one-hidden-layer ReLU MLP
  (:mod:`validation.spectral.modular`), over learning rate x weight decay x
  training fraction.

Each grid *cell* (one hyperparameter setting) holds ``n_seeds`` runs, and
every run of the corpus has its own seed (``seed_base + cell * n_seeds +
replicate``), so a held-out cell differs from the fitted ones in seed *and*
hyperparameters.  Labels come from the shared phase classifier
(:func:`theory.effective.classify_phase`): 1 = comprehension or grokking within
the budget.  Only the first ``window`` (4 % of the budget) training losses are
kept, with the labels, phases, cells, per-run settings and, for the toy
family, the effective theory's verdict on each run's training split
(:func:`validation.spectral.combined.split_features`).

Corpora are saved as ``.npz`` (no pickles; the configuration as a JSON
string) by :func:`save_family_corpus`; the package ships the full corpora in
``validation/spectral/data/`` and :func:`load_family_corpus` reads them.
Regenerate one with ``python -m validation.spectral.families toy --out DIR``
(the CLI verb ``grokking spectral corpus --family toy --out DIR`` wraps
:func:`corpus_dict`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

from theory import __version__
from theory.effective import PhaseDefinition, classify_phase

__all__ = ["FAMILIES", "FamilyCorpus", "corpus_dict", "corpus_path", "family_grid",
           "generate_family_corpus",
           "load_family_corpus", "save_family_corpus"]

#: Grids of each family; ``"reduced"`` is the slow test's, ``"quick"`` the quick figure job's.
FAMILIES = {
    "toy": {
        "full": {"budget": 10_000, "window": 400, "decoder_lr": [3e-5, 1e-4, 3e-4],
                 "decoder_wd": [0.0, 1.0, 3.0, 6.0], "train_size": [35, 40, 45],
                 "n_seeds": 5, "seed_base": 100_000, "acc_threshold": 0.9},
        "reduced": {"budget": 10_000, "window": 400, "decoder_lr": [1e-4, 3e-4],
                    "decoder_wd": [1.0, 3.0], "train_size": [40, 45], "n_seeds": 4,
                    "seed_base": 200_000, "acc_threshold": 0.9},
    },
    "modular": {
        "full": {"budget": 6000, "window": 240, "modulus": 23, "width": 128,
                 "lr": [1e-3, 3e-3, 1e-2], "weight_decay": [0.3, 1.0, 3.0],
                 "train_fraction": [0.5, 0.6, 0.7], "n_seeds": 3, "seed_base": 300_000,
                 "acc_threshold": 0.95},
        "reduced": {"budget": 3000, "window": 120, "modulus": 17, "width": 96,
                    "lr": [3e-3, 1e-2], "weight_decay": [0.3, 1.0],
                    "train_fraction": [0.5, 0.8], "n_seeds": 4, "seed_base": 400_000,
                    "acc_threshold": 0.95},
    },
}

_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def family_grid(family: str, profile: str = "full") -> dict:
    """The grid of ``family`` (``"toy"`` or ``"modular"``) in ``profile``."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {family!r}")
    if profile not in FAMILIES[family]:
        raise ValueError(f"profile must be one of {sorted(FAMILIES[family])}, got {profile!r}")
    return dict(FAMILIES[family][profile])


@dataclass(frozen=True)
class FamilyCorpus:
    """Early windows, labels and cells of one family's runs.

    Attributes
    ----------
    family : str
    early_loss : ndarray, shape (B, window)
        Training loss at steps ``0..window-1`` (before each update).
    label : ndarray of bool
        Generalizes (comprehension or grokking) within the budget.
    phase : ndarray of str
    cell : ndarray of int
        Hyperparameter cell (the block of leave-one-block-out evaluation).
    seed : ndarray of int
    settings : dict of ndarray
        Per-run hyperparameters.
    split : dict of ndarray
        Split features (toy family; empty otherwise).
    final_val_acc : ndarray
    config : dict
        Grid, budget, window, phase definition, model settings, command, version.
    """

    family: str
    early_loss: np.ndarray
    label: np.ndarray
    phase: np.ndarray
    cell: np.ndarray
    seed: np.ndarray
    settings: dict
    split: dict
    final_val_acc: np.ndarray
    config: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.label.size)

    @property
    def window(self) -> int:
        return int(self.config["window"])

    @property
    def budget(self) -> int:
        return int(self.config["budget"])


def _grid_runs(grid: dict, axes: tuple, only=None):
    # Cells = itertools.product over the axes; runs: n_seeds per cell, one seed per run.
    import itertools

    cells = list(itertools.product(*(grid[a] for a in axes)))
    k = grid["n_seeds"]
    cell = np.repeat(np.arange(len(cells)), k)
    seed = grid["seed_base"] + np.arange(len(cells) * k)
    if only is not None:
        keep = np.isin(cell, np.asarray(only, dtype=np.int64))
        cell, seed = cell[keep], seed[keep]
    settings = {a: np.array([cells[c][i] for c in cell]) for i, a in enumerate(axes)}
    return cell, seed, settings


def _labels(iter_train, iter_val, definition, diverged):
    phases = [classify_phase(None if a < 0 else int(a), None if b < 0 else int(b), definition,
                             diverged=bool(d))["phase"]
              for a, b, d in zip(iter_train, iter_val, diverged)]
    return np.array(phases), np.isin(phases, ("comprehension", "grokking"))


def _first_reach(acc: np.ndarray, threshold: float) -> np.ndarray:
    hit = acc >= threshold
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


def _toy(grid: dict, progress=None, only=None, chunk: int = 64):
    from theory.effective import ArithmeticTask, TrainingSplit
    from validation.effective import RunBatch, ToyConfig, train_toy
    from validation.spectral.combined import split_features

    axes = ("decoder_lr", "decoder_wd", "train_size")
    cell, seeds, settings = _grid_runs(grid, axes, only)
    lr, wd = settings["decoder_lr"], settings["decoder_wd"]
    n = settings["train_size"].astype(np.int64)
    cfg = ToyConfig(steps=grid["budget"], record_every=grid["budget"], record_loss_curve=True,
                    train_acc_threshold=grid["acc_threshold"],
                    test_acc_threshold=grid["acc_threshold"])
    W = grid["window"]
    early = np.empty((seeds.size, W))
    out = {k: np.empty(seeds.size, dtype=np.int64) for k in ("it_tr", "it_te")}
    div = np.empty(seeds.size, dtype=bool)
    final = np.empty(seeds.size)
    train_sets = []
    for s in range(0, seeds.size, chunk):
        idx = np.arange(s, min(s + chunk, seeds.size))
        batch = RunBatch(seed=seeds[idx], train_size=n[idx], repr_lr=np.full(idx.size, 1e-3),
                         repr_wd=np.zeros(idx.size), decoder_lr=lr[idx], decoder_wd=wd[idx])
        res = train_toy(cfg, batch, progress=progress)
        early[idx] = res.loss_curve[:, :W]
        out["it_tr"][idx], out["it_te"][idx] = res.iter_train, res.iter_test
        div[idx], final[idx] = res.diverged, res.test_acc
        train_sets += list(res.train_sets)
    task = ArithmeticTask(cfg.p)
    feats = [split_features(TrainingSplit(task, np.sort(t)), eta=1e-3) for t in train_sets]
    split = {k: np.array([f[k] for f in feats]) for k in feats[0]}
    definition = PhaseDefinition(budget=grid["budget"] + 1, acc_threshold=grid["acc_threshold"],
                                 lag=grid["budget"] // 10)
    phase, label = _labels(out["it_tr"], out["it_te"], definition, div)
    model = cfg.to_dict()
    model.update(repr_lr=1e-3, repr_wd=0.0)
    return early, label, phase, cell, seeds, settings, split, final, definition, model, axes


def _modular(grid: dict, progress=None, only=None, chunk: int = 48):
    from validation.spectral.modular import ModularConfig, train_modular

    axes = ("lr", "weight_decay", "train_fraction")
    cell, seeds, settings = _grid_runs(grid, axes, only)
    lr, wd, frac = settings["lr"], settings["weight_decay"], settings["train_fraction"]
    cfg = ModularConfig(modulus=grid["modulus"], width=grid["width"], steps=grid["budget"])
    W = grid["window"]
    early = np.empty((seeds.size, W))
    it_tr = np.empty(seeds.size, dtype=np.int64)
    it_va = np.empty(seeds.size, dtype=np.int64)
    div = np.empty(seeds.size, dtype=bool)
    final = np.empty(seeds.size)
    for s in range(0, seeds.size, chunk):
        idx = np.arange(s, min(s + chunk, seeds.size))
        res = train_modular(cfg, seeds[idx], lr[idx], wd[idx], frac[idx])
        early[idx] = res.train_loss[:, :W]
        it_tr[idx] = _first_reach(res.train_acc, grid["acc_threshold"])
        it_va[idx] = _first_reach(res.val_acc, grid["acc_threshold"])
        div[idx], final[idx] = res.diverged, res.val_acc[:, -1]
        if progress is not None:
            progress(idx.size * grid["budget"])
    definition = PhaseDefinition(budget=grid["budget"] + 1, acc_threshold=grid["acc_threshold"],
                                 lag=grid["budget"] // 10)
    phase, label = _labels(it_tr, it_va, definition, div)
    return early, label, phase, cell, seeds, settings, {}, final, definition, cfg.to_dict(), axes


def generate_family_corpus(family: str, profile: str = "full", progress=None, cells=None
                           ) -> FamilyCorpus:
    """Train every run of a family's grid and label it.

    Parameters
    ----------
    family : {"toy", "modular"}
    profile : {"full", "reduced"}
    progress : callable, optional
        Called with numbers of completed run-steps.
    cells : sequence of int, optional
        Train only these cells (indices into the grid's cells, in the order
        of ``itertools.product`` over ``cell_axes``); their runs are
        identical to those of the whole grid.

    Returns
    -------
    FamilyCorpus

    Notes
    -----
    Cost (2 cores, about 5000 toy run-steps/s when idle): the full toy grid is
    36 cells x 5 seeds = 180 runs x 10 000 steps (1.8 M run-steps, ~6 min
    idle); the full modular grid 27 cells x 3 seeds = 81 runs x 6000 steps.
    Measured on a heavily loaded machine (load 12-18 on 2 cores): see the
    corpus ``config["seconds"]``.  Same profile, same numbers: every run's
    randomness comes from its own seed.
    """
    grid = family_grid(family, profile)
    t0 = time.perf_counter()
    make = _toy if family == "toy" else _modular
    early, label, phase, cell, seeds, settings, split, final, definition, model, axes = \
        make(grid, progress, cells)
    config = {"family": family, "profile": profile, "grid": grid,
              "cells": None if cells is None else [int(c) for c in cells], "cell_axes": list(axes),
              "budget": grid["budget"], "window": grid["window"], "model": model,
              "phases": definition.to_dict(),
              "label": "1 = phase in {comprehension, grokking} within the budget "
                       "(theory.effective.classify_phase)",
              "seeds": f"run seed = {grid['seed_base']} + cell * {grid['n_seeds']} + replicate",
              "command": f"python -m validation.spectral.families {family} --profile {profile} "
                         f"--out DIR",
              "seconds": time.perf_counter() - t0, "version": __version__}
    return FamilyCorpus(family, early, label, phase, cell, seeds, settings, split, final, config)


def save_family_corpus(corpus: FamilyCorpus, path) -> str:
    """Write a corpus as ``.npz`` (float32 losses, no pickles), atomically; return the path."""
    path = os.fspath(path)
    arrays = {"early_loss": corpus.early_loss.astype(np.float32), "label": corpus.label,
              "phase": corpus.phase.astype("U16"), "cell": corpus.cell, "seed": corpus.seed,
              "final_val_acc": corpus.final_val_acc,
              "config_json": np.array(json.dumps(_jsonable(corpus.config)))}
    arrays.update({f"settings__{k}": v for k, v in corpus.settings.items()})
    arrays.update({f"split__{k}": v for k, v in corpus.split.items()})
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(buf.getvalue())
    os.chmod(tmp, 0o644)  # mkstemp makes it private; these are shipped files
    os.replace(tmp, path)
    return path


def _jsonable(obj):
    from theory._json import jsonable

    return jsonable(obj)


def corpus_path(family: str) -> str:
    """Path of the corpus shipped with the package for ``family``."""
    family_grid(family)
    return os.path.join(_DATA_DIR, f"{family}_corpus.npz")


def load_family_corpus(path_or_family) -> FamilyCorpus:
    """Read a corpus written by :func:`save_family_corpus`, or the shipped one of a family."""
    text = os.fspath(path_or_family)
    path = corpus_path(text) if text in FAMILIES else text
    try:
        data = np.load(path, allow_pickle=False)
    except OSError as exc:
        raise ValueError(f"corpus: cannot read {path!r} ({exc})") from None
    config = json.loads(str(data["config_json"]))
    return FamilyCorpus(
        family=config["family"], early_loss=data["early_loss"].astype(np.float64),
        label=data["label"].astype(bool), phase=data["phase"], cell=data["cell"],
        seed=data["seed"],
        settings={k.split("__", 1)[1]: data[k] for k in data.files if k.startswith("settings__")},
        split={k.split("__", 1)[1]: data[k] for k in data.files if k.startswith("split__")},
        final_val_acc=data["final_val_acc"], config=config)


def corpus_dict(family: str, out_dir, profile: str = "full", progress=None) -> dict:
    """Regenerate a family's corpus into ``out_dir/FAMILY_corpus.npz``; the JSON-able summary.

    The logic of ``grokking spectral corpus --family FAMILY --out DIR``.
    """
    from validation._io import make_out_dir

    out_dir = make_out_dir(out_dir)     # a bad --out fails now, not after the training
    corpus = generate_family_corpus(family, profile, progress)
    path = save_family_corpus(corpus, os.path.join(out_dir, f"{family}_corpus.npz"))
    return {"corpus": path, "family": family, "profile": profile, "n_runs": len(corpus),
            "n_generalize": int(corpus.label.sum()), "n_cells": int(np.unique(corpus.cell).size),
            "phases": {p: int(np.sum(corpus.phase == p)) for p in sorted(set(corpus.phase))},
            "seconds": corpus.config["seconds"],
            "config": _jsonable({k: v for k, v in corpus.config.items() if k != "seconds"})}


def main(argv=None) -> int:
    """``python -m validation.spectral.families FAMILY --out DIR``: regenerate a corpus."""
    parser = argparse.ArgumentParser(prog="python -m validation.spectral.families",
                                     description="Regenerate a family's labelled corpus.")
    parser.add_argument("family", choices=sorted(FAMILIES))
    parser.add_argument("--profile", default="full", choices=("full", "reduced"))
    parser.add_argument("--out", required=True, help="directory for FAMILY_corpus.npz")
    args = parser.parse_args(argv)
    print(json.dumps(corpus_dict(args.family, args.out, args.profile), indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
