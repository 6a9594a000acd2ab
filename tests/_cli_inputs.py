"""Shared by the CLI tests: the verbs of the real parser, and input files (a toy
learning curve and a labelled runs directory)."""

import argparse

import numpy as np


def cli_verbs(parser, prefix=()):
    """Yield ``("theory verb", subparser)`` for every leaf command of ``parser``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from cli_verbs(sub, prefix + (name,))
            return
    yield " ".join(prefix), parser


def write_cli_inputs(root) -> dict:
    """Write ``curve.csv`` (401 steps) and ``runs/`` (10 runs, labels.csv) under ``root``.

    Returns ``{"curve": path, "runs": path}`` (strings).
    """
    t = np.arange(401)
    curve = root / "curve.csv"
    loss = 0.05 + 0.3 * np.exp(-t / 150) + 0.002 * np.cos(t / 3)
    curve.write_text("step,train_loss\n" + "".join(f"{s},{float(v)!r}\n" for s, v in
                                                   zip(t, loss)))
    runs = root / "runs"
    runs.mkdir()
    rng = np.random.default_rng(0)
    rows = []
    for k in range(10):
        y = np.exp(-t[:60] / 30) + (0.0 if k % 2 else 0.1) * rng.standard_normal(60)
        (runs / f"r{k}.csv").write_text("step,train_loss\n" + "".join(
            f"{s},{float(v)!r}\n" for s, v in zip(t[:60], y)))
        rows.append(f"r{k},{k % 2}")
    (runs / "labels.csv").write_text("run,label\n" + "\n".join(rows) + "\n")
    return {"curve": str(curve), "runs": str(runs)}
