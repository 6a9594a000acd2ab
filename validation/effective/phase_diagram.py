"""Phase diagrams of the toy model (Liu et al. 2022, Fig. 6) over any two hyperparameters.

Every cell of a grid over two of ``decoder-lr, decoder-wd, repr-lr, repr-wd,
train-size`` (the others fixed) is trained for each seed with
:func:`~validation.effective.toy.train_toy` and classified with the shared
Table-1 classifier :func:`theory.effective.classify_phase`.  Runs stop as soon
as their phase is decided (both accuracy thresholds reached, or divergence)
and leave the batch, so comprehension and grokking cells cost only the steps
they need; memorization and confusion cells run the whole budget.

The grid is a :class:`validation.sweep.Sweep`: it runs locally or on a Dask
cluster and resumes from its chunk store.

Paper grids (:data:`PAPER_GRIDS`): Fig. 6a (representation lr x decoder lr,
weight decay 0) and Fig. 6b/6c (decoder lr x decoder weight decay, MSE /
cross-entropy).  The decoder-lr range of Fig. 6b/6c, ``1e-4..1e-2`` in 11
log steps, is the one of the authors' stored grid (repository
``ejmichaud/grokking-squared``, ``phase_diagram_plot/``); the spec's
``1e-5..1e-2`` is the range of Fig. 6a.
"""

from __future__ import annotations

import functools
import time
from collections import Counter

import numpy as np

from theory._json import jsonable
from theory._version import __version__
from theory.effective.phases import PHASES, PhaseDefinition, classify_phase
from validation.effective.toy import RunBatch, ToyConfig, train_toy
from validation.sweep import Axis, Sweep, one_blas_thread, parse_axis, run_sweep

__all__ = ["AXIS_NAMES", "FIXED_DEFAULTS", "PAPER_GRIDS", "QUICK", "PHASE_ORDER", "toy_axes",
           "toy_phase_diagram", "toy_phase_sweep", "plot_toy_phase_diagram",
           "save_toy_phase_figure"]

#: Axis names of the CLI and the RunBatch field each one sets.
AXIS_NAMES = {"decoder-lr": "decoder_lr", "decoder-wd": "decoder_wd", "repr-lr": "repr_lr",
              "repr-wd": "repr_wd", "train-size": "train_size"}

#: Values of the parameters that are not swept (the spec's toy model).
FIXED_DEFAULTS = {"decoder_lr": 1e-4, "decoder_wd": 0.0, "repr_lr": 1e-3, "repr_wd": 0.0,
                  "train_size": 45}

#: Phases in legend order (ties of the per-cell mode go to the earlier one).
PHASE_ORDER = PHASES + ("diverged",)

_LOG = functools.partial(Axis.from_range, log=True)

#: The paper's grids.  ``fig6b``/``fig6c``: the authors' stored 11 x 11 grid
#: (decoder lr ``10**linspace(-4, -2, 11)``, weight decay 0..10; 0..20 for the
#: classification panel); ``fig6a``: representation and decoder lr
#: ``1e-5..1e-2`` (the grid of the authors' ``toy/results/fig5a`` files).
PAPER_GRIDS = {
    "fig6a": {"x": _LOG("repr-lr", 1e-5, 1e-2, 10), "y": _LOG("decoder-lr", 1e-5, 1e-2, 10),
              "loss": "mse"},
    "fig6b": {"x": _LOG("decoder-lr", 1e-4, 1e-2, 11),
              "y": Axis.from_range("decoder-wd", 0, 10, 11), "loss": "mse"},
    "fig6c": {"x": _LOG("decoder-lr", 1e-4, 1e-2, 11),
              "y": Axis.from_range("decoder-wd", 0, 20, 11), "loss": "ce"},
}

_DEFAULT_AXES = {
    "decoder-wd": Axis.from_range("decoder-wd", 0, 10, 11),
    "repr-lr": _LOG("repr-lr", 1e-5, 1e-2, 10),
    "repr-wd": Axis.from_range("repr-wd", 0, 10, 11),
    "train-size": Axis("train-size", list(range(10, 55, 5))),
}

#: The quick diagram: 5 x 5 cells of Fig. 6b at a budget of 1.2e4 steps, one seed.  The
#: budget is the smallest that resolves the grokking cell (decoder lr 1e-4, wd 7.5: test
#: accuracy at step 11006, training at 3829); docs/phase_diagrams.rst has its run time.
QUICK = {"x": _LOG("decoder-lr", 1e-4, 1e-2, 5),
         "y": Axis.from_range("decoder-wd", 0, 10, 5), "steps": 12_000, "seeds": (0,)}


def _default_axis(name, other, loss):
    if name == "decoder-lr":
        return PAPER_GRIDS["fig6a" if other == "repr-lr" else "fig6b"]["y" if other ==
                                                                          "repr-lr" else "x"]
    if name == "decoder-wd" and loss == "ce":
        return PAPER_GRIDS["fig6c"]["y"]
    return _DEFAULT_AXES[name]


def toy_axes(x, y, loss="mse") -> tuple:
    """Parse the two axis arguments (``NAME``, ``NAME=START:STOP:NUM[:log]`` or ``NAME=v,...``).

    A bare ``NAME`` takes the paper's range for it: decoder lr ``1e-4..1e-2``
    (11 log steps; ``1e-5..1e-2`` in 10 against ``repr-lr``, Fig. 6a),
    decoder wd ``0..10`` (``0..20`` for ``loss="ce"``), repr lr
    ``1e-5..1e-2``, repr wd ``0..10``, train size ``10..50``.

    Examples
    --------
    >>> from validation.effective.phase_diagram import toy_axes
    >>> ax, ay = toy_axes("decoder-lr", "decoder-wd=0,5")
    >>> len(ax.values), ax.values[0], ay.values
    (11, 0.0001, (0.0, 5.0))
    """
    names = tuple(AXIS_NAMES)
    if isinstance(x, Axis) and isinstance(y, Axis):
        axes = (x, y)
    else:
        nx = x.partition("=")[0].strip() if isinstance(x, str) else getattr(x, "name", None)
        ny = y.partition("=")[0].strip() if isinstance(y, str) else getattr(y, "name", None)
        axes = []
        for text, other in ((x, ny), (y, nx)):
            if isinstance(text, Axis):
                axes.append(text)
                continue
            name = text.partition("=")[0].strip() if isinstance(text, str) else None
            defaults = {name: _default_axis(name, other, loss)} if name in names else None
            axes.append(parse_axis(text, defaults=defaults, names=names,
                                   integer=("train-size",)))
        axes = tuple(axes)
    for a in axes:
        if a.name not in AXIS_NAMES:
            raise ValueError(f"unknown axis {a.name!r}; choose one of {', '.join(names)}")
        if a.name != "train-size" and min(a.values) < 0:
            raise ValueError(f"axis {a.name!r} needs values >= 0, got {list(a.values)}")
        if a.name == "train-size" and not all(1 <= v <= 54 for v in a.values):
            raise ValueError(f"axis 'train-size' needs integers in [1, 54] (|D0| = 55 for "
                             f"p = 10 leaves a test set), got {list(a.values)}")
    if axes[0].name == axes[1].name:
        raise ValueError(f"x and y must be different axes, both are {axes[0].name!r}")
    return axes


def _toy_chunk(points, *, toy_config: dict, fixed: dict) -> dict:
    """Train one chunk of grid points (module level: picklable for processes and Dask)."""
    params = dict(fixed)
    for name, field_ in AXIS_NAMES.items():
        if name in points:
            params[field_] = points[name]
    n = len(points["seed"])
    batch = RunBatch(seed=points["seed"].astype(np.int64),
                     train_size=np.broadcast_to(params["train_size"], n).astype(np.int64),
                     **{k: np.broadcast_to(np.asarray(params[k], float), n)
                        for k in ("repr_lr", "repr_wd", "decoder_lr", "decoder_wd")})
    with one_blas_thread():
        res = train_toy(ToyConfig(**toy_config), batch, n_threads=1)
    return {"iter_train": res.iter_train.astype(np.int64),
            "iter_test": res.iter_test.astype(np.int64),
            "diverged": res.diverged.astype(bool),
            "stop_step": np.asarray(res.stop_step, dtype=np.int64)}


def toy_phase_sweep(x, y, *, steps=100_000, seeds=(0,), loss="mse",
                    definition: PhaseDefinition | None = None, fixed=None, chunk_size=4,
                    toy_options=None) -> tuple:
    """The :class:`~validation.sweep.Sweep` and chunk function of a toy phase diagram.

    Returns ``(sweep, func)``; see :func:`toy_phase_diagram` for the parameters.
    """
    ax, ay = toy_axes(x, y, loss)
    steps = int(steps)
    definition = PhaseDefinition(budget=steps) if definition is None else definition
    if definition.budget != steps:
        raise ValueError(f"definition.budget ({definition.budget}) must equal steps ({steps})")
    fixed_all = dict(FIXED_DEFAULTS)
    for k, v in (fixed or {}).items():
        key = AXIS_NAMES.get(k, k)
        if key not in FIXED_DEFAULTS:
            raise ValueError(f"fixed: unknown parameter {k!r}; choose from {sorted(AXIS_NAMES)}")
        fixed_all[key] = v
    for a in (ax, ay):
        fixed_all.pop(AXIS_NAMES[a.name])
    toy_config = {**(toy_options or {}), "steps": steps, "loss": loss,
                  "train_acc_threshold": definition.acc_threshold,
                  "test_acc_threshold": definition.acc_threshold,
                  "record_every": steps, "stop_when_decided": True}
    ToyConfig(**toy_config)     # validate now, not in a worker
    sweep = Sweep([ay, ax], seeds=seeds, chunk_size=chunk_size,
                  config={"kind": "toy_phase_diagram", "toy_config": toy_config,
                          "fixed": fixed_all, "definition": definition.to_dict()})
    return sweep, functools.partial(_toy_chunk, toy_config=toy_config, fixed=fixed_all)


def _mode(phases):
    counts = Counter(phases)
    best = max(counts.values())
    return next(p for p in PHASE_ORDER if counts.get(p) == best)


def toy_phase_diagram(x="decoder-lr", y="decoder-wd", *, steps=100_000, seeds=(0,),
                      loss="mse", definition: PhaseDefinition | None = None, fixed=None,
                      quick=False, chunk_size=4, toy_options=None, store=None, executor=None,
                      scheduler=None, max_workers=None, progress=None) -> dict:
    """Train and classify a toy-model phase diagram over two hyperparameters.

    Parameters
    ----------
    x, y : str or Axis
        ``NAME`` (the paper's range), ``NAME=START:STOP:NUM[:log]`` or
        ``NAME=v1,v2,...``; names ``decoder-lr, decoder-wd, repr-lr, repr-wd,
        train-size``.  See :func:`toy_axes`.
    steps : int
        Budget (Table 1: ``10**5``); also the definition's budget.
    seeds : sequence of int
    loss : {"mse", "ce"}
    definition : PhaseDefinition, optional
        Threshold and lag (default 0.9 and 1000, budget ``steps``).
    fixed : dict, optional
        Values of the parameters that are not swept (default
        :data:`FIXED_DEFAULTS`: decoder lr 1e-4, repr lr 1e-3, weight decays 0,
        45 training samples).
    quick : bool
        :data:`QUICK`: a 5 x 5 decoder-lr x decoder-wd grid at ``1.2e4``
        steps, one seed (overrides ``x``, ``y``, ``steps``, ``seeds``).
    chunk_size : int
        Runs per chunk (one ``train_toy`` call, one stored file).
    toy_options : dict, optional
        Other :class:`~validation.effective.ToyConfig` fields (``width``, ``p``, ...).
    store, executor, scheduler, max_workers, progress
        See :func:`validation.sweep.run_sweep` (``scheduler``: a Dask address).

    Returns
    -------
    dict
        ``x``, ``y`` (``{"name", "values", "scale"}``), ``phases`` (one row per
        y value, the most common phase over seeds per x value, ties to the
        earlier of comprehension, grokking, memorization, confusion,
        diverged), ``censored`` (per cell: some seed hit the budget with a
        threshold unreached), ``counts``, ``cells`` (per cell and seed:
        ``iter_train``, ``iter_test``, ``phase``, ``lag``, ``censored``,
        ``diverged``, ``steps_run``), ``config`` and ``timing`` (the only
        field that changes between identical runs).

    Notes
    -----
    Cost: ``sum(steps_run)`` run-steps of about ``(S + 2n) w^2`` multiply-adds
    each (5.8 M for the defaults); only memorization / confusion runs cost the
    whole budget.  Censored means right-censored: a threshold was not reached
    within the budget, so a longer run may change the phase.

    Examples
    --------
    >>> from validation.effective.phase_diagram import toy_phase_diagram
    >>> out = toy_phase_diagram("decoder-lr=1e-3,1e-2", "decoder-wd=0", steps=60,
    ...                         toy_options={"width": 8}, executor="serial", progress=False)
    >>> out["x"]["values"], len(out["phases"]), out["cells"][0]["phase"]
    ([0.001, 0.01], 1, 'confusion')
    """
    if quick:
        x, y, steps, seeds = QUICK["x"], QUICK["y"], QUICK["steps"], QUICK["seeds"]
    sweep, func = toy_phase_sweep(x, y, steps=steps, seeds=seeds, loss=loss,
                                  definition=definition, fixed=fixed, chunk_size=chunk_size,
                                  toy_options=toy_options)
    definition = PhaseDefinition(**{k: v for k, v in sweep.config["definition"].items()
                                    if k != "rule"})
    t0 = time.perf_counter()
    res = run_sweep(sweep, func, store=store, executor=executor, scheduler=scheduler,
                    max_workers=max_workers, progress=progress)
    wall = time.perf_counter() - t0
    ay, ax = sweep.axes
    it_t, it_v, div, run = (res[k] for k in ("iter_train", "iter_test", "diverged",
                                            "stop_step"))
    cells, phases, censored = [], [], []
    for i, yv in enumerate(ay.values):
        row, crow = [], []
        for j, xv in enumerate(ax.values):
            ph_seeds, cens_any = [], False
            for k, s in enumerate(sweep.seeds):
                a, b = int(it_t[i, j, k]), int(it_v[i, j, k])
                c = classify_phase(None if a < 0 else a, None if b < 0 else b, definition,
                                   diverged=bool(div[i, j, k]))
                cens = c["phase"] in ("memorization", "confusion")
                cens_any |= cens
                ph_seeds.append(c["phase"])
                cells.append({"x": xv, "y": yv, "seed": s,
                              "iter_train": None if a < 0 else a,
                              "iter_test": None if b < 0 else b, "phase": c["phase"],
                              "lag": c["lag"], "censored": cens,
                              "val_without_train": c["val_without_train"],
                              "diverged": bool(div[i, j, k]), "steps_run": int(run[i, j, k])})
            row.append(_mode(ph_seeds))
            crow.append(cens_any)
        phases.append(row)
        censored.append(crow)
    run_steps = int(run.sum())
    counts = Counter(p for row in phases for p in row)
    config = {**sweep.config, "x": ax.to_dict(), "y": ay.to_dict(), "seeds": list(sweep.seeds),
              "steps": steps, "quick": bool(quick), "chunk_size": sweep.chunk_size,
              "fingerprint": sweep.fingerprint(), "version": __version__,
              "definitions": {
                  "phases": "Table 1 of Liu et al. (2022), theory.effective.classify_phase",
                  "censored": "the run reached the budget with a threshold unreached "
                              "(memorization or confusion): Table 1 decides the phase "
                              "relative to the budget, the unreached time is right-censored "
                              "(a longer budget may change the phase); steps == budget here, "
                              "so no phase is left undecided (null)",
                  "steps_run": "updates the run took before it stopped (phase decided, "
                               "diverged or budget)",
                  "iter_train/iter_test": "first step with train / test accuracy >= "
                                          "acc_threshold (null: never within the budget)"}}
    return jsonable({
        "x": ax.to_dict(), "y": ay.to_dict(), "phases": phases, "censored": censored,
        "counts": {p: counts.get(p, 0) for p in PHASE_ORDER}, "cells": cells,
        "config": config,
        "timing": {"wall_s": wall, "run_steps": run_steps,
                   "run_steps_per_s": run_steps / wall if wall > 0 else None,
                   "full_budget_run_steps": int(len(cells) * steps),
                   **{k: res.stats[k] for k in ("chunks_total", "chunks_computed",
                                                "chunks_reused", "executor")}},
    })


# ----------------------------------------------------------------------------- figure
_LABELS = {"decoder-lr": "decoder learning rate", "decoder-wd": "decoder weight decay",
           "repr-lr": "representation learning rate", "repr-wd": "representation weight decay",
           "train-size": "training samples |D|"}


def plot_toy_phase_diagram(ax, result: dict) -> dict:
    """Draw a :func:`toy_phase_diagram` result: four phases, censored cells hatched.

    Parameters
    ----------
    ax : matplotlib Axes
    result : dict
        The output of :func:`toy_phase_diagram`.

    Returns
    -------
    dict
        The artists of :func:`validation._phase_plot.plot_phase_map`.
    """
    from validation._phase_plot import grid_title, plot_phase_map

    x, y = result["x"], result["y"]
    art = plot_phase_map(ax, x["values"], y["values"], result["phases"],
                         categories=PHASE_ORDER, x_scale=x["scale"], y_scale=y["scale"],
                         hatched=result["censored"],
                         hatch_label="censored (a threshold unreached at the budget)",
                         xlabel=_LABELS[x["name"]], ylabel=_LABELS[y["name"]])
    cfg = result["config"].get("sweep", result["config"])    # the CLI nests it under "sweep"
    ax.set_title(f"toy model ({cfg['toy_config']['loss']}): "
                 + grid_title(x, y, f"{len(cfg['seeds'])} seed(s), budget {cfg['steps']:g} "
                                    "steps"), fontsize="medium")
    return art


def save_toy_phase_figure(result: dict, out_dir, name="toy_phase_diagram") -> list:
    """Write the figure (PNG, PDF) and its JSON sidecar (the whole result); return the paths."""
    from validation._phase_plot import save_map_figure

    return save_map_figure(lambda ax: plot_toy_phase_diagram(ax, result), out_dir, name,
                           result, size=(7.5, 4.8))
