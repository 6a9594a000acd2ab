"""Module-level chunk functions for the sweep tests (picklable for processes and Dask)."""

import os
import time

import numpy as np


def noisy_grid(points):
    """Deterministic per point: a draw from SeedSequence(seed, cell) plus the coordinates."""
    a, b, seed = points["a"], points["b"], points["seed"]
    draws = np.array([np.random.default_rng([int(s), int(round(x * 1000)), int(y)]).random()
                      for s, x, y in zip(seed, a, b)])
    return {"value": a * 100 + b + draws, "seed_echo": seed.astype(np.int64),
            "pair": np.stack([a, b], axis=1)}


def slow_noisy_grid(points):
    """:func:`noisy_grid` that also sleeps, and logs each call (for the kill test)."""
    log = os.environ.get("SWEEP_TEST_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{int(points['seed'][0])},{points['a'][0]},{points['b'][0]}\n")
    time.sleep(float(os.environ.get("SWEEP_TEST_SLEEP", "0.3")))
    return noisy_grid(points)
