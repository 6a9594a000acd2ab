"""The critical training fraction: probability that a random training set forces the structure.

For each training-set size the probability ``P(n0 = n0_full)`` over uniformly
random training sets is computed exactly by enumerating all
``C(|D0|, size)`` subsets when there are at most ``exact_limit`` of them, and
otherwise by Monte Carlo over ``trials`` random subsets with the binomial
standard error ``sqrt(q (1 - q) / trials)``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from theory._checks import check_positive_int
from theory._result import ResultMixin
from theory.effective.structure import _clean_eigenvalues, full_nullity
from theory.effective.task import ArithmeticTask, _check_train_size, check_nonnegative_int

__all__ = ["CriticalCurve", "critical_curve", "forcing_statistics"]

#: Largest block of training-set masks (bytes, with their random keys) held at once.
_MAX_BYTES = 2 ** 30


def _subset_eigenvalues(task: ArithmeticTask, masks: np.ndarray, chunk: int = 20000
                        ) -> np.ndarray:
    """Ascending eigenvalues of A(P0(D))^T A(P0(D)) for a stack of sample masks (T, N)."""
    rows = task.constraint_rows.astype(np.float64)
    if 8 * rows.shape[0] * task.p ** 2 > _MAX_BYTES:
        raise ValueError(f"p = {task.p}: the outer products of its {rows.shape[0]} "
                         f"parallelograms need {8 * rows.shape[0] * task.p ** 2 / 2 ** 30:.3g} "
                         f"GiB (limit {_MAX_BYTES / 2 ** 30:g} GiB): use a smaller p")
    outer = np.einsum("mi,mj->mij", rows, rows).reshape(rows.shape[0], task.p * task.p)
    par = task.parallelograms
    out = np.empty((masks.shape[0], task.p))
    for start in range(0, masks.shape[0], chunk):
        m = masks[start:start + chunk]
        present = (m[:, par[:, 0]] & m[:, par[:, 1]]).astype(np.float64)
        gram = (present @ outer).reshape(-1, task.p, task.p)
        out[start:start + chunk] = _clean_eigenvalues(np.linalg.eigvalsh(gram))
    return out


def forcing_statistics(task: ArithmeticTask, masks: np.ndarray, d_in: int = 1
                       ) -> tuple[np.ndarray, np.ndarray]:
    """For a stack of training-set masks ``(T, |D0|)``: (forced, lambda3) per set.

    ``lambda3`` is the third-smallest eigenvalue of ``H = 2 A^T A / Z0`` with
    ``Z0 = d_in (p - 1)`` (0 where the set does not force the structure).
    """
    d_in = check_positive_int("d_in", d_in)
    masks = np.asarray(masks)
    if masks.ndim != 2 or masks.shape[1] != task.n_samples or masks.dtype != bool:
        raise ValueError(f"masks must be a boolean array of shape (T, {task.n_samples}), got "
                         f"{masks.dtype} {masks.shape}")
    ev = _subset_eigenvalues(task, masks)
    full = full_nullity(task)
    n0 = np.sum(ev == 0.0, axis=1)
    forced = n0 == full
    lam = np.where(forced, ev[:, min(full, task.p - 1)], 0.0) * 2.0 / (d_in * (task.p - 1))
    return forced, lam


@dataclass(frozen=True)
class CriticalCurve(ResultMixin):
    """Probability of forcing vs training-set size.

    Attributes
    ----------
    train_size, fraction : ndarray
    p_forced : ndarray
        Probability that a uniformly random training set of that size forces
        the structure.
    stderr : ndarray
        Its standard error: 0 where the value is exact, the binomial
        ``sqrt(q (1 - q) / trials)`` for Monte Carlo (a q of 0 or 1 from
        Monte Carlo gets the stderr of one event, ``1 / trials``, not 0).
    ci_low, ci_high : ndarray
        95% Wilson score interval of ``p_forced`` (Wilson 1927;
        ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``): unlike
        ``p +- 1.96 stderr`` it stays inside [0, 1] and does not collapse at
        ``q = 0`` or 1.  Equal to ``p_forced`` where the value is exact.
    exact : ndarray of bool
        Whether each point was computed by full enumeration.
    n_evaluated : ndarray of int
        Number of training sets evaluated.
    lambda3_median, lambda3_q25, lambda3_q75 : ndarray
        Quantiles of lambda_3 over the *forcing* training sets (NaN if none).
    r_half : float
        Training fraction where ``p_forced`` crosses 1/2 (linear interpolation),
        NaN if it does not cross.
    """

    task: ArithmeticTask
    train_size: np.ndarray
    fraction: np.ndarray
    p_forced: np.ndarray
    stderr: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    exact: np.ndarray
    n_evaluated: np.ndarray
    lambda3_median: np.ndarray
    lambda3_q25: np.ndarray
    lambda3_q75: np.ndarray
    r_half: float
    config: dict = field(default_factory=dict)

    _dict_fields = ("train_size", "fraction", "p_forced", "stderr", "ci_low", "ci_high",
                    "exact", "n_evaluated",
                    "lambda3_median", "lambda3_q25", "lambda3_q75", "r_half")


def _wilson(k: int, trials: int, level: float = 0.95) -> tuple:
    """Wilson score interval of a binomial proportion ``k / trials``."""
    from scipy.stats import binomtest

    ci = binomtest(k, trials).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def _checked_size(task: ArithmeticTask, size) -> int:
    try:
        return _check_train_size(task, size)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"train_sizes: {exc}") from None


def _crossing(x: np.ndarray, y: np.ndarray, level: float = 0.5) -> float:
    above = y >= level
    idx = np.flatnonzero(~above[:-1] & above[1:])
    if idx.size == 0:
        return float("nan")
    k = idx[0]
    return float(x[k] + (level - y[k]) * (x[k + 1] - x[k]) / (y[k + 1] - y[k]))


def critical_curve(task: ArithmeticTask, train_sizes=None, trials: int = 1000, seed: int = 0,
                   exact_limit: int = 20000, d_in: int = 1) -> CriticalCurve:
    """Probability that a random training set forces the structure, per size.

    Parameters
    ----------
    task : ArithmeticTask
    train_sizes : sequence of int, optional
        Sizes in ``[1, |D0|]``; default all of them.
    trials : int, optional
        Monte Carlo training sets per size where enumeration is too large.
    seed : int, optional
        Seed of the Monte Carlo draws; the stream of size ``k`` is
        ``SeedSequence(seed).spawn`` child ``k``, so a point does not depend on
        which other sizes are requested.
    exact_limit : int, optional
        Enumerate all ``C(|D0|, k)`` subsets when there are at most this many.
    d_in : int, optional
        Embedding dimension, for the lambda_3 scale ``Z0 = d_in (p - 1)``.

    Notes
    -----
    Liu et al. (2022), Sec. 3.2 and Fig. 4(a): ``P(n0 = 2)`` rises from ~0 to
    ~1 around ``r_c ~ 0.4`` for ``p = 10``.  Cost: one batched ``p x p``
    eigendecomposition per evaluated set.

    Examples
    --------
    >>> from theory.effective import ArithmeticTask, critical_curve
    >>> curve = critical_curve(ArithmeticTask(4))
    >>> curve.exact.all(), curve.p_forced[0], curve.p_forced[-1]
    (np.True_, np.float64(0.0), np.float64(1.0))
    """
    if not isinstance(task, ArithmeticTask):
        raise TypeError(f"task must be an ArithmeticTask, got {type(task).__name__}")
    trials = check_positive_int("trials", trials)
    seed = check_nonnegative_int("seed", seed)
    exact_limit = check_positive_int("exact_limit", exact_limit)
    d_in = check_positive_int("d_in", d_in)
    if 16 * max(trials, exact_limit) * task.n_samples > _MAX_BYTES:
        raise ValueError(f"trials/exact_limit = {max(trials, exact_limit)} training sets of "
                         f"{task.n_samples} samples need more than {_MAX_BYTES / 2 ** 30:g} GiB "
                         "at once: lower them")
    sizes = (np.arange(1, task.n_samples + 1) if train_sizes is None
             else np.array([_checked_size(task, k) for k in np.atleast_1d(train_sizes)]))
    n = task.n_samples
    children = np.random.SeedSequence(seed).spawn(n + 1)
    out = {k: [] for k in ("p", "se", "exact", "n", "med", "q25", "q75", "lo", "hi")}
    for k in sizes.tolist():
        total = math.comb(n, k)
        if total <= exact_limit:
            combos = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64)
            masks = np.zeros((total, n), dtype=bool)
            np.put_along_axis(masks, combos, True, axis=1)
            exact = True
        else:
            rng = np.random.default_rng(children[k])
            keys = rng.random((trials, n))
            masks = np.zeros((trials, n), dtype=bool)
            np.put_along_axis(masks, np.argpartition(keys, k - 1, axis=1)[:, :k], True, axis=1)
            exact = False
        forced, lam = forcing_statistics(task, masks, d_in=d_in)
        q = float(forced.mean())
        se = 0.0 if exact else max(math.sqrt(q * (1 - q) / masks.shape[0]), 1.0 / masks.shape[0]
                                   if q in (0.0, 1.0) else 0.0)
        lo, hi = (q, q) if exact else _wilson(int(forced.sum()), masks.shape[0])
        lf = lam[forced]
        qs = np.quantile(lf, [0.25, 0.5, 0.75]) if lf.size else np.full(3, np.nan)
        for key, val in zip(out, (q, se, exact, masks.shape[0], qs[1], qs[0], qs[2], lo, hi)):
            out[key].append(val)
    p_forced = np.array(out["p"])
    return CriticalCurve(
        task=task, train_size=sizes, fraction=sizes / n, p_forced=p_forced,
        stderr=np.array(out["se"]), ci_low=np.array(out["lo"]), ci_high=np.array(out["hi"]),
        exact=np.array(out["exact"]),
        n_evaluated=np.array(out["n"]), lambda3_median=np.array(out["med"]),
        lambda3_q25=np.array(out["q25"]), lambda3_q75=np.array(out["q75"]),
        r_half=_crossing(sizes / n, p_forced),
        config={"p": task.p, "modular": task.modular, "trials": trials, "seed": seed,
                "exact_limit": exact_limit, "d_in": d_in,
                "interval": "95% Wilson score interval of p_forced for Monte Carlo points; "
                            "the exact value where enumerated",
                "definition": "forced: nullity of A(P0(D)) equals that of A(P0); lambda3: third "
                              "eigenvalue of H = 2 A^T A / Z0, Z0 = d_in (p - 1)"},
    )
