"""What a training set alone implies: nullity, forcing, P(D), RQI_bar, Acc_bar, lambda_3.

Liu et al. (2022), Sec. 3: every parallelogram of P0(D) is a linear equation
``A E = 0`` on the embeddings.  The ground states of the effective loss are the
null space of ``A = A(P0(D))``; it always contains the translation ``1`` and,
for addition, the line ``k = (0, ..., p-1)``, so its dimension ``n0 >= 2``.
``n0 = 2`` means the training set *forces* the linear representation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory._checks import (
    RangeOverflowError,
    check_choice,
    check_finite_array,
    check_positive,
    check_positive_int,
)
from theory._result import ResultMixin
from theory.effective.task import ArithmeticTask, TrainingSplit

__all__ = [
    "HESSIAN_NORMALISATIONS",
    "SplitAnalysis",
    "analyze_split",
    "augmented_set",
    "constraint_matrix",
    "full_nullity",
    "gram_eigenvalues",
    "hessian_eigenvalues",
    "implied_parallelograms",
    "nullity",
]

#: Normalisations of the effective Hessian ``H = 2 A^T A / Z0 [/ |P0(D)|]``.
HESSIAN_NORMALISATIONS = {
    "z0": "H = 2 A^T A / Z0 (gradient of l0/Z0; the reference code's effective loss)",
    "paper": "H = 2 A^T A / (Z0 |P0(D)|) (the paper's l_eff also divides by |P0(D)|)",
}

_RANK_TOL = 1e-9


def _split(split) -> TrainingSplit:
    if not isinstance(split, TrainingSplit):
        raise TypeError(f"split must be a TrainingSplit, got {type(split).__name__}")
    return split


def constraint_matrix(split: TrainingSplit) -> np.ndarray:
    """The rows of A for the parallelograms of P0(D), shape ``(|P0(D)|, p)``.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, split_from_pairs, constraint_matrix
    >>> constraint_matrix(split_from_pairs(ArithmeticTask(4), [(0, 3), (1, 2)])).tolist()
    [[1, -1, -1, 1]]
    """
    split = _split(split)
    return split.task.constraint_rows[split.parallelogram_mask]


def gram_eigenvalues(rows: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of ``A^T A`` for a constraint matrix ``A`` of shape ``(M, p)``.

    Eigenvalues below ``1e-9 * max(1, largest eigenvalue)`` are set to exactly
    0: ``A`` is an integer matrix, so true zero eigenvalues come out at
    round-off level (~1e-14) and true non-zero ones are far above the cut.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask
    >>> from theory.effective.structure import gram_eigenvalues
    >>> gram_eigenvalues(ArithmeticTask(10).constraint_rows)[:3].round(9).tolist()
    [0.0, 0.0, 30.0]
    """
    rows = check_finite_array("rows", rows, ndim=2)
    if rows.shape[1] < 1:
        raise ValueError(f"rows must have at least one column (p >= 1), got shape {rows.shape}")
    gram = rows.T @ rows
    return _clean_eigenvalues(np.linalg.eigvalsh(gram))


def _clean_eigenvalues(ev: np.ndarray) -> np.ndarray:
    scale = np.maximum(1.0, ev[..., -1:])
    return np.where(np.abs(ev) <= _RANK_TOL * scale, 0.0, ev)


def nullity(split: TrainingSplit) -> int:
    """``n0 = dim null(A(P0(D)))``: ground-state dimensions of the effective loss.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, random_split, nullity
    >>> task = ArithmeticTask(10)
    >>> nullity(random_split(task, 55, seed=0))
    2
    """
    return int(np.sum(gram_eigenvalues(constraint_matrix(split)) == 0.0))


def full_nullity(task: ArithmeticTask) -> int:
    """Nullity with every parallelogram of P0: 2 for addition, 1 for modular addition.

    Notes
    -----
    For addition the null space of A(P0) is spanned by ``1`` and ``k``.  For
    modular addition ``f(k) = E_k - E_0`` must be an additive map Z_p -> R,
    which is 0, so only translations remain.
    """
    if not isinstance(task, ArithmeticTask):
        raise TypeError(f"task must be an ArithmeticTask, got {type(task).__name__}")
    return int(np.sum(gram_eigenvalues(task.constraint_rows) == 0.0))


def implied_parallelograms(split: TrainingSplit) -> np.ndarray:
    """Mask over P0 of P(D): P0(D) plus every parallelogram that is a linear
    consequence of it (its row lies in the row space of A(P0(D))).

    Notes
    -----
    The reference code tests each candidate by recomputing a rank; the
    equivalent test used here projects each row of A on the null space ``N``
    of ``A(P0(D))``: ``a`` is implied iff ``a N = 0``.
    """
    rows = constraint_matrix(_split(split)).astype(np.float64)
    p = split.task.p
    if rows.shape[0] == 0:
        null_basis = np.eye(p)
    else:
        _, s, vt = np.linalg.svd(rows, full_matrices=True)
        rank = int(np.sum(s > _RANK_TOL * max(1.0, s[0])))
        null_basis = vt[rank:].T
    resid = np.abs(split.task.constraint_rows @ null_basis).max(axis=1, initial=0.0)
    return (resid <= 1e-8) | split.parallelogram_mask


def augmented_set(split: TrainingSplit, parallelogram_mask: np.ndarray) -> np.ndarray:
    """Mask over D0 of Dbar(D, P): D plus every test sample that forms a
    parallelogram of P with a training sample (the paper's Eq. for Dbar).

    Parameters
    ----------
    split : TrainingSplit
    parallelogram_mask : ndarray of bool, shape (``|P0|``,)
        Which parallelograms of P0 are in P.
    """
    split = _split(split)
    mask_p = np.asarray(parallelogram_mask)
    if mask_p.shape != (split.task.n_parallelograms,) or mask_p.dtype != bool:
        raise ValueError(f"parallelogram_mask must be a boolean array of shape "
                         f"({split.task.n_parallelograms},), got {mask_p.dtype} {mask_p.shape}")
    par = split.task.parallelograms[mask_p]
    mask = split.mask.copy()
    a, b = par[:, 0], par[:, 1]
    mask[b[split.mask[a]]] = True
    mask[a[split.mask[b]]] = True
    return mask


def hessian_eigenvalues(split: TrainingSplit, d_in: int = 1,
                        normalisation: str = "z0") -> np.ndarray:
    """Ascending eigenvalues of the effective Hessian at a normalised ground state.

    ``H = 2 A^T A / Z0`` with ``Z0 = d_in (p - 1)``: every representation
    normalised to zero mean and unit (ddof = 1) standard deviation per
    dimension has ``Z0 = sum_k |E~_k|^2 = d_in (p - 1)`` (``Z0 = 9`` for
    ``p = 10``, as in the spec).  ``normalisation="paper"`` also divides by
    ``|P0(D)|``.  Each embedding dimension is a copy of the same block, so the
    ``p`` eigenvalues of one block are returned.
    """
    check_choice("normalisation", normalisation, sorted(HESSIAN_NORMALISATIONS))
    d_in = check_positive_int("d_in", d_in)
    rows = constraint_matrix(split)
    z0 = d_in * (split.task.p - 1)
    scale = 2.0 / z0
    if normalisation == "paper":
        scale /= max(rows.shape[0], 1)
    return scale * gram_eigenvalues(rows)


@dataclass(frozen=True)
class SplitAnalysis(ResultMixin):
    """Everything the training set alone predicts (no training needed).

    Attributes
    ----------
    n0 : int
        Nullity of A(P0(D)).
    forced : bool
        True iff ``n0`` equals the full-data nullity (2 for addition): the
        training set forces the (linear, for addition) structure.
    n_parallelograms_train : int
        ``|P0(D)|``.
    lambda3 : float
        Third-smallest eigenvalue of the effective Hessian (0 when not forced;
        for modular addition, where the full nullity is 1, the second).
    n_h : float
        ``1 / (lambda3 * eta)``: steps per e-fold of the slowest structured
        mode (inf when ``lambda3 = 0``).
    rqi_bar, acc_bar, acc_bar_test : float
        Ideal RQI ``|P(D)| / |P0|`` and ideal accuracies ``|Dbar(D)| / |D0|`` and on
        the test set.
    hessian_eigenvalues : ndarray
    """

    task: ArithmeticTask
    split: TrainingSplit
    n0: int
    forced: bool
    n_parallelograms_train: int
    lambda3: float
    n_h: float
    eta: float
    rqi_bar: float
    acc_bar: float
    acc_bar_test: float
    hessian_eigenvalues: np.ndarray
    normalisation: str

    _dict_fields = ("n0", "forced", "n_parallelograms_train", "lambda3", "n_h", "rqi_bar",
                    "acc_bar", "acc_bar_test", "hessian_eigenvalues", "train_size", "fraction")

    def _dict_extra(self) -> dict:
        return {"train_size": self.split.train_size, "fraction": self.split.fraction}


def _n_h(lam3: float, eta: float) -> float:
    """``1 / (lambda3 eta)``: inf when ``lambda3 = 0``, refused when the product underflows."""
    if lam3 <= 0:
        return float("inf")
    n_h = 1.0 / lam3 / eta
    if n_h == float("inf"):
        raise RangeOverflowError(f"n_h = 1/(lambda3 eta) exceeds the float64 range (lambda3 = "
                                 f"{lam3:g}, eta = {eta:g}): eta is too small")
    return n_h


def analyze_split(split: TrainingSplit, eta: float = 1e-3, d_in: int = 1,
                  normalisation: str = "z0") -> SplitAnalysis:
    """Forcing test, lambda_3, n_h, RQI_bar and Acc_bar of one training split.

    Parameters
    ----------
    split : TrainingSplit
    eta : float, optional
        Representation learning rate used to convert ``lambda3`` to steps,
        ``n_h = 1 / (lambda3 eta)``.
    d_in : int, optional
        Embedding dimension (sets ``Z0 = d_in (p - 1)``).
    normalisation : {"z0", "paper"}, optional
        See :data:`HESSIAN_NORMALISATIONS`.

    Notes
    -----
    Sec. 3.2 of the paper: the linearised effective flow is ``dR/dt = -H R``;
    the structured modes decay as ``exp(-lambda_i t)``, and ``lambda_3`` (the
    smallest non-trivial eigenvalue) is the grokking rate; convergence to the
    linear structure takes about ``3 n_h`` steps.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, random_split, analyze_split
    >>> a = analyze_split(random_split(ArithmeticTask(10), 55, seed=0))
    >>> a.n0, a.forced, round(a.lambda3 * 9 / 2, 6), a.rqi_bar, a.acc_bar
    (2, True, 30.0, 1.0, 1.0)
    """
    eta = check_positive("eta", eta)
    task = _split(split).task
    ev = hessian_eigenvalues(split, d_in=d_in, normalisation=normalisation)
    n0 = int(np.sum(ev == 0.0))
    full = full_nullity(task)
    forced = n0 == full
    lam3 = float(ev[full]) if full < ev.size else 0.0
    if not forced:
        lam3 = 0.0
    implied = implied_parallelograms(split)
    dbar = augmented_set(split, implied)
    n_test = task.n_samples - split.train_size
    acc_test = float((dbar.sum() - split.train_size) / n_test) if n_test else 1.0
    return SplitAnalysis(
        task=task, split=split, n0=n0, forced=bool(forced),
        n_parallelograms_train=int(split.parallelogram_mask.sum()),
        lambda3=lam3, n_h=_n_h(lam3, eta), eta=eta,
        rqi_bar=float(implied.sum() / task.n_parallelograms) if task.n_parallelograms else 1.0,
        acc_bar=float(dbar.sum() / task.n_samples), acc_bar_test=acc_test,
        hessian_eigenvalues=ev, normalisation=normalisation,
    )
