"""The effective theory's verdict on a training split, as features for a combined model.

For the toy family the training split alone says whether the run *can*
generalize (Liu et al. 2022, Sec. 3): if the split forces the linear
structure (nullity ``n0 = 2``), the ideal accuracy ``Acc_bar`` is reached by
every representation the effective loss drives to, at a rate ``lambda_3``
(``n_h = 1 / (lambda_3 eta)`` steps per e-fold).  These numbers come from
:func:`theory.effective.analyze_split`; the combined model
(``load_model("toy_split")``) adds them to the early-curve features.
"""

from __future__ import annotations

import math

import numpy as np

from theory.effective import ArithmeticTask, TrainingSplit, analyze_split

__all__ = ["N_H_CAP_LOG10", "split_features", "split_features_from_pairs"]

#: ``log10 n_h`` is capped here (and set here when the split does not force the structure).
N_H_CAP_LOG10 = 6.0


def split_features(split: TrainingSplit, eta: float = 1e-3) -> dict:
    """``split_forced``, ``split_acc_bar``, ``split_log10_n_h`` of a training split.

    Parameters
    ----------
    split : TrainingSplit
    eta : float
        Representation learning rate (the toy family's embedding Adam lr, 1e-3).

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, random_split
    >>> from validation.spectral.combined import split_features
    >>> f = split_features(random_split(ArithmeticTask(10), 55, seed=0))
    >>> f["split_forced"], f["split_acc_bar"], round(f["split_log10_n_h"], 4)  # 1/(30*2/9*1e-3)
    (1.0, 1.0, 2.1761)
    """
    a = analyze_split(split, eta=eta)
    log_nh = math.log10(a.n_h) if math.isfinite(a.n_h) and a.n_h > 0 else N_H_CAP_LOG10
    return {"split_forced": float(a.forced), "split_acc_bar": float(a.acc_bar),
            "split_log10_n_h": min(log_nh, N_H_CAP_LOG10)}


def split_features_from_pairs(train_pairs, p: int = 10, eta: float = 1e-3) -> dict:
    """:func:`split_features` of the training pairs ``[(i, j), ...]`` (``0 <= i <= j < p``).

    Examples
    --------
    >>> from validation.spectral.combined import split_features_from_pairs
    >>> split_features_from_pairs([(0, 1), (2, 3)])["split_forced"]
    0.0
    """
    task = ArithmeticTask(p)
    pairs = np.asarray(train_pairs, dtype=np.int64)
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        raise ValueError(f"train_pairs must be a list of (i, j) pairs, got shape {pairs.shape}")
    idx = []
    for i, j in pairs:
        i, j = (int(i), int(j)) if i <= j else (int(j), int(i))
        if not 0 <= i <= j < p:
            raise ValueError(f"train_pairs must hold symbols in 0..{p - 1}, got ({i}, {j})")
        idx.append(task.sample_index(i, j))
    if len(set(idx)) != len(idx):
        raise ValueError("train_pairs must not repeat a pair")
    return split_features(TrainingSplit(task, np.sort(np.array(idx, dtype=np.int64))), eta)
