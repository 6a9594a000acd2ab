"""The arithmetic task, its full dataset D0, training splits and parallelograms.

Conventions follow the spec (``shared/spec/effective.md``) and the reference
code of Liu et al. (2022): samples are *unordered* pairs ``(i, j)`` with
``0 <= i <= j < p``, so ``|D0| = p (p + 1) / 2``; a parallelogram is an
unordered pair of *distinct* samples with the same label.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from theory._checks import check_positive_int
from theory._result import ResultMixin

#: Largest number of parallelograms a task enumerates (~ p^3 / 12 for addition).
_MAX_PARALLELOGRAMS = 5 * 10 ** 6
#: Largest constraint matrix (entries of int64) a task builds: 1 GiB.
_MAX_ROW_ENTRIES = 2 ** 27

__all__ = ["ArithmeticTask", "TrainingSplit", "random_split", "split_from_pairs"]


@dataclass(frozen=True)
class ArithmeticTask(ResultMixin):
    """Addition on ``{0, ..., p-1}`` (default) or modular addition.

    Parameters
    ----------
    p : int
        Number of symbols, ``p >= 2``.
    modular : bool, optional
        If True the label of ``(i, j)`` is ``(i + j) mod p`` (``p`` classes);
        otherwise it is ``i + j`` (``2p - 1`` classes).

    Attributes
    ----------
    pairs : ndarray, shape (N, 2)
        The samples of D0, ``i <= j``, in lexicographic order.
    labels : ndarray, shape (N,)
        The label of each sample.
    parallelograms : ndarray, shape (M, 2)
        Index pairs ``(s, s')``, ``s < s'``, of distinct samples with equal labels:
        the set P0.
    quads : ndarray, shape (M, 4)
        The same parallelograms as symbol quadruples ``(i, j, m, n)`` with
        ``(i, j) = pairs[s]`` and ``(m, n) = pairs[s']``.
    constraint_rows : ndarray, shape (M, p)
        The matrix A: row ``+1`` at ``i`` and ``j``, ``-1`` at ``m`` and ``n``
        (a repeated symbol gives ``+-2``), so that ``A E = 0`` says every
        parallelogram closes.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask
    >>> [ArithmeticTask(p).n_parallelograms for p in (4, 6, 10)]
    [3, 13, 70]
    >>> ArithmeticTask(10).n_samples
    55
    """

    p: int
    modular: bool = False

    def __post_init__(self):
        p = check_positive_int("p", self.p)
        if p < 2:
            raise ValueError(f"p must be an integer >= 2, got {p}")
        if not isinstance(self.modular, (bool, np.bool_)):
            raise TypeError(f"modular must be a bool, got {self.modular!r}")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "modular", bool(self.modular))

    @cached_property
    def pairs(self) -> np.ndarray:
        i, j = np.triu_indices(self.p)
        pairs = np.stack([i, j], axis=1).astype(np.int64)
        pairs.setflags(write=False)
        return pairs

    @cached_property
    def labels(self) -> np.ndarray:
        s = self.pairs.sum(axis=1)
        labels = s % self.p if self.modular else s
        labels.setflags(write=False)
        return labels

    @property
    def n_samples(self) -> int:
        """``|D0| = p (p + 1) / 2``."""
        return self.p * (self.p + 1) // 2

    @property
    def n_classes(self) -> int:
        """Number of labels: ``2p - 1`` for addition, ``p`` for modular addition."""
        return self.p if self.modular else 2 * self.p - 1

    @cached_property
    def parallelograms(self) -> np.ndarray:
        counts = np.bincount(self.labels, minlength=self.n_classes)
        total = int(np.sum(counts * (counts - 1) // 2))
        if total > _MAX_PARALLELOGRAMS:
            raise ValueError(f"p = {self.p} has {total} parallelograms (limit "
                             f"{_MAX_PARALLELOGRAMS}, ~{16 * total / 2 ** 30:.2g} GiB): use a "
                             "smaller p")
        first, second = [], []
        for label in range(self.n_classes):
            members = np.flatnonzero(self.labels == label)
            a, b = np.triu_indices(members.size, k=1)
            first.append(members[a])
            second.append(members[b])
        par = np.stack([np.concatenate(first), np.concatenate(second)], axis=1).astype(np.int64)
        par = par[np.lexsort((par[:, 1], par[:, 0]))]
        par.setflags(write=False)
        return par

    @property
    def n_parallelograms(self) -> int:
        """``|P0|``."""
        return int(self.parallelograms.shape[0])

    @cached_property
    def quads(self) -> np.ndarray:
        q = np.concatenate([self.pairs[self.parallelograms[:, 0]],
                            self.pairs[self.parallelograms[:, 1]]], axis=1)
        q.setflags(write=False)
        return q

    @cached_property
    def constraint_rows(self) -> np.ndarray:
        if self.n_parallelograms * self.p > _MAX_ROW_ENTRIES:
            raise ValueError(f"p = {self.p}: the {self.n_parallelograms} x {self.p} constraint "
                             f"matrix needs {8 * self.n_parallelograms * self.p / 2 ** 30:.3g} GiB "
                             f"(limit {8 * _MAX_ROW_ENTRIES / 2 ** 30:g} GiB): use a smaller p")
        q = self.quads
        rows = np.zeros((q.shape[0], self.p), dtype=np.int64)
        r = np.arange(q.shape[0])
        np.add.at(rows, (r, q[:, 0]), 1)
        np.add.at(rows, (r, q[:, 1]), 1)
        np.add.at(rows, (r, q[:, 2]), -1)
        np.add.at(rows, (r, q[:, 3]), -1)
        rows.setflags(write=False)
        return rows

    def sample_index(self, i: int, j: int) -> int:
        """Index in D0 of the unordered pair ``{i, j}`` (integer symbols in ``[0, p)``)."""
        for name, value in (("i", i), ("j", j)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(
                    value, (numbers.Integral, np.integer)):
                raise TypeError(f"symbol {name} must be an integer, got {value!r}")
        i, j = int(i), int(j)
        if not (0 <= i < self.p and 0 <= j < self.p):
            raise ValueError(f"symbols must lie in [0, {self.p - 1}], got ({i}, {j})")
        i, j = min(i, j), max(i, j)
        return i * self.p - i * (i - 1) // 2 + (j - i)

    _dict_fields = ("p", "modular", "n_samples", "n_classes", "n_parallelograms")


@dataclass(frozen=True)
class TrainingSplit(ResultMixin):
    """A training set D (and its complement, the test set) of a task.

    Attributes
    ----------
    task : ArithmeticTask
    train : ndarray of int
        Sorted indices into ``task.pairs`` of the training samples.
    seed : int or None
        The seed that drew the split (None for a hand-given split).
    """

    task: ArithmeticTask
    train: np.ndarray
    seed: int | None = None

    def __post_init__(self):
        if not isinstance(self.task, ArithmeticTask):
            raise TypeError(f"task must be an ArithmeticTask, got {type(self.task).__name__}")
        train = np.asarray(self.train)
        if train.ndim != 1 or (train.size and train.dtype.kind not in "iu"):
            raise TypeError(f"train must be a 1-D integer array of sample indices, got "
                            f"shape {train.shape} dtype {train.dtype}")
        train = train.astype(np.int64)
        n = self.task.n_samples
        if train.size and (train.min() < 0 or train.max() >= n
                           or np.any(np.diff(train) <= 0)):
            raise ValueError(f"train must hold strictly increasing sample indices in "
                             f"[0, {n - 1}]")
        train.setflags(write=False)
        object.__setattr__(self, "train", train)

    @property
    def train_size(self) -> int:
        return int(self.train.size)

    @property
    def fraction(self) -> float:
        """Training fraction ``r = |D| / |D0|``."""
        return self.train_size / self.task.n_samples

    @cached_property
    def mask(self) -> np.ndarray:
        m = np.zeros(self.task.n_samples, dtype=bool)
        m[self.train] = True
        m.setflags(write=False)
        return m

    @cached_property
    def test(self) -> np.ndarray:
        t = np.flatnonzero(~self.mask)
        t.setflags(write=False)
        return t

    @cached_property
    def parallelogram_mask(self) -> np.ndarray:
        """Which parallelograms of P0 lie in P0(D) (both samples in D)."""
        par = self.task.parallelograms
        m = self.mask[par[:, 0]] & self.mask[par[:, 1]]
        m.setflags(write=False)
        return m

    @property
    def train_pairs(self) -> np.ndarray:
        return self.task.pairs[self.train]

    _dict_fields = ("train_size", "fraction", "seed", "train_pairs")


def _check_train_size(task: ArithmeticTask, train_size) -> int:
    size = check_positive_int("train_size", train_size)
    if size > task.n_samples:
        raise ValueError(f"train_size must lie in [1, {task.n_samples}] (= |D0| for "
                         f"p={task.p}), got {size}")
    return size


def random_split(task: ArithmeticTask, train_size: int, seed: int | np.random.SeedSequence = 0
                 ) -> TrainingSplit:
    """Draw a training set of ``train_size`` samples uniformly without replacement.

    The draw uses ``numpy.random.default_rng(SeedSequence(seed))``, so a split
    depends only on ``(p, train_size, seed)``.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, random_split
    >>> split = random_split(ArithmeticTask(10), 45, seed=0)
    >>> split.train_size, round(split.fraction, 4), split.test.size
    (45, 0.8182, 10)
    """
    if not isinstance(task, ArithmeticTask):
        raise TypeError(f"task must be an ArithmeticTask, got {type(task).__name__}")
    size = _check_train_size(task, train_size)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(
        check_nonnegative_int("seed", seed))
    rng = np.random.default_rng(ss)
    train = np.sort(rng.choice(task.n_samples, size=size, replace=False))
    train.setflags(write=False)
    # an integer seed is echoed on the split; a SeedSequence has no JSON form
    return TrainingSplit(task, train,
                         None if isinstance(seed, np.random.SeedSequence) else int(seed))


def split_from_pairs(task: ArithmeticTask, pairs) -> TrainingSplit:
    """A training split given as a list of ``(i, j)`` pairs (order inside a pair is free).

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, split_from_pairs
    >>> split_from_pairs(ArithmeticTask(4), [(0, 2), (1, 1), (3, 0)]).train.tolist()
    [2, 3, 4]
    """
    if not isinstance(task, ArithmeticTask):
        raise TypeError(f"task must be an ArithmeticTask, got {type(task).__name__}")
    pairs = np.asarray(pairs)
    if pairs.ndim == 2 and pairs.size and pairs.dtype.kind not in "iu":
        raise TypeError(f"pairs must hold integer symbols, got dtype {pairs.dtype}")
    if pairs.ndim != 2 or pairs.shape[1] != 2 or pairs.shape[0] == 0:
        raise ValueError(f"pairs must be a non-empty list of (i, j) pairs, got shape {pairs.shape}")
    if pairs.min() < 0 or pairs.max() >= task.p:
        raise ValueError(f"pairs must hold symbols in [0, {task.p - 1}], got "
                         f"{int(pairs.min())}..{int(pairs.max())}")
    idx = sorted({task.sample_index(i, j) for i, j in pairs.tolist()})
    if len(idx) != pairs.shape[0]:
        raise ValueError("pairs contains the same unordered sample twice")
    train = np.asarray(idx, dtype=np.int64)
    train.setflags(write=False)
    return TrainingSplit(task, train, None)


def check_nonnegative_int(name: str, value) -> int:
    """Return ``value`` as an int ``>= 0`` (seeds)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a non-negative integer, got {value!r}")
    value = int(value)
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value}")
    return value


def n_splits(task: ArithmeticTask, train_size: int) -> int:
    """Number of distinct training sets of a given size, ``C(|D0|, train_size)``."""
    return math.comb(task.n_samples, _check_train_size(task, train_size))
