"""Representation quality: parallelograms of an embedding, RQI and predicted accuracy.

Two tolerance conventions are offered (spec, "Parallelograms, RQI"):

``"code"`` (default, the reference code's)
    normalise every embedding dimension to zero mean and unit standard
    deviation (ddof = 1), then count ``(i, j, m, n)`` when the mean over
    dimensions of the squared defect ``(E~_i + E~_j - E~_m - E~_n)^2`` is
    ``< delta`` (``delta = 0.01``).
``"literal"`` (the paper's definition)
    count it when ``|(E_i + E_j) - (E_m + E_n)| <= delta`` in the Euclidean
    norm of the *given* (unnormalised) embedding.
"""

from __future__ import annotations

import numpy as np

from theory._checks import check_finite_array, check_positive
from theory.effective.structure import augmented_set
from theory.effective.task import ArithmeticTask, TrainingSplit

__all__ = [
    "RQI_CONVENTIONS",
    "normalize_representation",
    "parallelogram_defects",
    "predicted_accuracy",
    "representation_parallelograms",
    "rqi",
]

#: The two readings of the RQI's parallelogram test (``convention`` of :func:`rqi`).
RQI_CONVENTIONS = {
    "code": "normalise each dimension (zero mean, unit std, ddof=1); count a quadruple "
            "if mean over dimensions of the squared defect < delta (default delta=0.01)",
    "literal": "count a quadruple if the Euclidean norm of E_i+E_j-E_m-E_n <= delta "
               "on the unnormalised embedding",
}


def _as_embedding(embedding, task: ArithmeticTask) -> np.ndarray:
    if not isinstance(task, ArithmeticTask):
        raise TypeError(f"task must be an ArithmeticTask, got {type(task).__name__}")
    e = check_finite_array("embedding", embedding)
    if e.ndim == 1:
        e = e[:, None]
    if e.ndim < 2 or e.shape[-2] != task.p:
        raise ValueError(f"embedding must have shape (p, d) or (..., p, d) with p={task.p}, "
                         f"got {np.shape(embedding)}")
    return e


def normalize_representation(embedding) -> np.ndarray:
    """Zero mean and unit standard deviation (ddof = 1) per dimension.

    A dimension with zero spread cannot be normalised; its entries become NaN,
    exactly as in the reference code, and no parallelogram is counted in it
    (a collapsed representation has RQI 0, not 1).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.effective import normalize_representation
    >>> e = normalize_representation(np.arange(10.0)[:, None])
    >>> round(float(e[0, 0]), 4), round(float((e ** 2).sum()), 10)
    (-1.4863, 9.0)
    """
    e = check_finite_array("embedding", embedding)
    if e.ndim < 2 or e.shape[-2] < 2:
        raise ValueError(f"embedding must have shape (..., p, d) with p >= 2, got {e.shape}")
    centred = e - e.mean(axis=-2, keepdims=True)
    std = e.std(axis=-2, ddof=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(std > 0, centred / np.where(std > 0, std, 1.0), np.nan)


def parallelogram_defects(embedding, task: ArithmeticTask, convention: str = "code"
                          ) -> np.ndarray:
    """Defect of every parallelogram of P0 in a representation.

    Returns, for ``convention="code"``, the mean over dimensions of the squared
    defect of the normalised embedding, and for ``"literal"`` the Euclidean
    norm of the defect of the given embedding.  Shape ``(..., |P0|)``; leading
    batch axes of ``embedding`` (shape ``(..., p, d)``) are kept.
    """
    if convention not in RQI_CONVENTIONS:
        raise ValueError(f"convention must be one of {sorted(RQI_CONVENTIONS)}, got {convention!r}")
    e = _as_embedding(embedding, task)
    q = task.quads
    if convention == "code":
        e = normalize_representation(e)
    d = e[..., q[:, 0], :] + e[..., q[:, 1], :] - e[..., q[:, 2], :] - e[..., q[:, 3], :]
    if convention == "code":
        return np.mean(d * d, axis=-1)
    return np.sqrt(np.sum(d * d, axis=-1))


def representation_parallelograms(embedding, task: ArithmeticTask, convention: str = "code",
                                  delta: float | None = None) -> np.ndarray:
    """Mask over P0 of P(R): the parallelograms the representation satisfies."""
    defects = parallelogram_defects(embedding, task, convention)
    delta = _check_delta(delta, convention)
    with np.errstate(invalid="ignore"):
        return defects < delta if convention == "code" else defects <= delta


def _check_delta(delta, convention):
    if delta is None:
        return 0.01
    return check_positive("delta", delta)


def rqi(embedding, task: ArithmeticTask, convention: str = "code",
        delta: float | None = None) -> np.ndarray | float:
    """Representation quality index ``RQI = |P(R)| / |P0|`` in [0, 1].

    Parameters
    ----------
    embedding : array_like, shape (p, d) or (..., p, d)
    task : ArithmeticTask
    convention : {"code", "literal"}, optional
        See :data:`RQI_CONVENTIONS`.
    delta : float, optional
        Tolerance (default 0.01).

    Notes
    -----
    Liu et al. (2022), Sec. 3.1, Eq. (3): ``RQI(R) = |P(R)| / |P0|``.  A linear
    representation ``E_k = a + k b`` closes every parallelogram of addition,
    so its RQI is 1; a random one closes almost none.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.effective import ArithmeticTask, rqi
    >>> task = ArithmeticTask(10)
    >>> float(rqi(3.0 + 0.5 * np.arange(10.0), task))
    1.0
    >>> bool(rqi(np.random.default_rng(0).uniform(-0.5, 0.5, 10), task) < 0.2)
    True
    """
    mask = representation_parallelograms(embedding, task, convention, delta)
    out = mask.sum(axis=-1) / max(task.n_parallelograms, 1)
    return float(out) if np.ndim(out) == 0 else out


def predicted_accuracy(embedding, split: TrainingSplit, convention: str = "code",
                       delta: float | None = None) -> tuple[float, float]:
    """Predicted accuracy ``Acc_hat = |Dbar(D, P(R))| / |D0|`` and its test-set version.

    Notes
    -----
    Liu et al. (2022), Sec. 3.1: a test sample ``(i, j)`` is predicted correctly
    when it forms a parallelogram of ``P(R)`` with some training sample
    ``(m, n)``, since then ``Dec(E_i + E_j) = Dec(E_m + E_n)`` which was
    trained to the right label.

    Returns
    -------
    acc_hat, acc_hat_test : float
        Over all of D0 and over the test set (``1.0`` if the test set is empty).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.effective import ArithmeticTask, random_split, predicted_accuracy
    >>> from theory.effective import analyze_split
    >>> split = random_split(ArithmeticTask(10), 45, seed=0)
    >>> predicted_accuracy(np.arange(10.0), split)[0] == analyze_split(split).acc_bar
    True
    """
    if not isinstance(split, TrainingSplit):
        raise TypeError(f"split must be a TrainingSplit, got {type(split).__name__}")
    mask = representation_parallelograms(embedding, split.task, convention, delta)
    if mask.ndim != 1:
        raise ValueError("predicted_accuracy takes one representation of shape (p, d)")
    dbar = augmented_set(split, mask)
    n_test = split.task.n_samples - split.train_size
    acc_test = float((dbar.sum() - split.train_size) / n_test) if n_test else 1.0
    return float(dbar.sum() / split.task.n_samples), acc_test
