"""Exact integer-time search on sums of squared geometric sequences.

Every loss of the ridge dynamics has the form

    f(t) = K + sum_k w_k (alpha_k + beta_k * rho_k**t),   t = 0, 1, 2, ...

(squared inside the sum), with ``|rho_k| < 1``.  Each term depends on ``t``
only through its own ``z_k = rho_k**t``, so over an interval of times the
exact range of every term is known (a quadratic in ``z_k`` on an interval),
which gives rigorous lower and upper bounds of ``f`` on any interval of
integer times.  The searches below use a fast bracketing pass to find a
candidate and these interval bounds to *certify* it; where the certificate
fails they fall back to branch-and-bound, which is exact by construction.
Powers are computed in log space, ``rho**t = exp(t * log|rho|)``, with
``log|rho|`` formed by ``log1p`` upstream, so ``t`` up to ``2**53`` neither
overflows nor loses the rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_MAX_T = 2 ** 53          # exact integers in float64
_SCAN = 256               # intervals this short are scanned point by point
_GRID = 64                # points per bracketing pass
_CHUNK = 1 << 18          # elements per vectorised evaluation block


def _grid(lo: int, hi: int) -> np.ndarray:
    """``_GRID + 1`` distinct increasing integers from ``lo`` to ``hi``."""
    pts = np.linspace(lo, hi, _GRID + 1).round().astype(np.int64)
    return pts[np.concatenate(([True], np.diff(pts) > 0))]


@dataclass(frozen=True, eq=False)
class ExpSquares:
    """``f(t) = K + sum_k w_k (alpha_k + beta_k rho_k^t)^2`` with exact search.

    ``log_abs_rho`` holds ``log|rho_k|`` (``-inf`` for ``rho_k = 0``) and
    ``negative`` marks ``rho_k < 0`` (oscillating GD modes).
    """

    constant: float
    weight: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    log_abs_rho: np.ndarray
    negative: np.ndarray

    # -- evaluation ---------------------------------------------------------
    def powers(self, t: np.ndarray) -> np.ndarray:
        """``rho_k ** t`` for int64 ``t`` of shape (T,), as (T, K)."""
        tf = t.astype(np.float64)[:, None]
        with np.errstate(invalid="ignore", under="ignore"):
            z = np.exp(tf * self.log_abs_rho[None, :])
        z[t == 0, :] = 1.0           # 0 * log(0) -> 1 for rho = 0
        if self.negative.any():
            odd = (t % 2 == 1)[:, None]
            z = np.where(odd & self.negative[None, :], -z, z)
        return z

    def __call__(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=np.int64)
        shape = t.shape
        flat = t.ravel()
        out = np.empty(flat.shape, dtype=np.float64)
        step = max(1, _CHUNK // max(1, self.weight.size))
        for start in range(0, flat.size, step):
            tt = flat[start:start + step]
            r = self.alpha[None, :] + self.beta[None, :] * self.powers(tt)
            out[start:start + step] = self.constant + (r * r) @ self.weight
        return out.reshape(shape)

    def limit(self) -> float:
        """``f(inf)``."""
        return float(self.constant + self.weight @ (self.alpha ** 2))

    # -- interval bounds ----------------------------------------------------
    def _z_range(self, a: int, b: float):
        """Exact range of ``rho^t`` over integer ``t`` in ``[a, b]`` (b may be inf)."""
        za = np.exp(a * self.log_abs_rho) if a > 0 else np.ones_like(self.log_abs_rho)
        if np.isinf(b):
            zb = np.zeros_like(za)
        else:
            zb = np.exp(b * self.log_abs_rho) if b > 0 else np.ones_like(za)
        lo, hi = zb.copy(), za.copy()
        if self.negative.any():
            neg = self.negative
            if a == b:
                sign = -1.0 if a % 2 == 1 else 1.0
                lo[neg] = hi[neg] = sign * za[neg]
            else:
                lo[neg], hi[neg] = -za[neg], za[neg]
        return lo, hi

    def bounds(self, a: int, b: float) -> tuple[float, float]:
        """Rigorous ``(min, max)`` bounds of ``f`` over integer ``t in [a, b]``."""
        lo, hi = self._z_range(a, b)
        r_lo = self.alpha + self.beta * lo
        r_hi = self.alpha + self.beta * hi
        f_lo = self.weight * r_lo ** 2
        f_hi = self.weight * r_hi ** 2
        upper = np.maximum(f_lo, f_hi)
        # the linear residual alpha + beta z changes sign on [lo, hi] iff the
        # square touches zero there
        crosses = np.sign(r_lo) * np.sign(r_hi) <= 0
        lower = np.where(crosses, 0.0, np.minimum(f_lo, f_hi))
        return float(self.constant + lower.sum()), float(self.constant + upper.sum())

    # -- searches -----------------------------------------------------------
    def _tail_bounds(self, starts: np.ndarray):
        """Vectorised bounds of ``f`` over ``[T, inf)`` for every ``T`` in ``starts``."""
        with np.errstate(under="ignore"):
            zt = np.exp(starts.astype(np.float64)[:, None] * self.log_abs_rho[None, :])
        zt[starts == 0, :] = 1.0
        # z ranges over [0, rho^T] (rho >= 0) or [-|rho|^T, |rho|^T] (rho < 0)
        lo = np.where(self.negative, -zt, 0.0)
        r_lo = self.alpha + self.beta * lo
        r_hi = self.alpha + self.beta * zt
        f_lo, f_hi = self.weight * r_lo ** 2, self.weight * r_hi ** 2
        crosses = np.sign(r_lo) * np.sign(r_hi) <= 0
        lower = np.where(crosses, 0.0, np.minimum(f_lo, f_hi)).sum(axis=1)
        upper = np.maximum(f_lo, f_hi).sum(axis=1)
        return self.constant + lower, self.constant + upper

    def _horizon(self, threshold: float, hit_below: bool):
        """Smallest power of two ``T`` beyond which the answer is decided.

        Returns ``(T, tail_state)`` with ``tail_state`` one of ``"hit"`` (every
        ``t >= T`` satisfies the predicate), ``"miss"`` (none does) or
        ``"undecided"`` (the limit equals the threshold to rounding).
        """
        starts = 2 ** np.arange(54, dtype=np.int64)        # 1 .. 2**53
        lower, upper = self._tail_bounds(starts)
        if hit_below:
            hit, miss = upper <= threshold, lower > threshold
        else:
            hit, miss = lower >= threshold, upper < threshold
        decided = np.flatnonzero(hit | miss)
        if decided.size == 0:
            return _MAX_T, "undecided"
        k = decided[0]
        return int(starts[k]), ("hit" if hit[k] else "miss")

    def first_at_or_below(self, threshold: float):
        """``min{t >= 0 : f(t) <= threshold}``; None if there is none.

        Raises
        ------
        ArithmeticError
            If ``f(inf)`` equals ``threshold`` to rounding, so the answer is
            not decidable in float64.
        """
        if self(np.array([0]))[0] <= threshold:
            return 0
        T, tail = self._horizon(threshold, hit_below=True)
        if tail == "undecided":
            raise ArithmeticError("the limit of the loss equals the threshold to rounding")
        hi = T if tail == "hit" else T - 1
        candidate = self._bracket_first(threshold, 0, hi)
        end = hi if candidate is None else candidate - 1
        if end >= 1 and self.bounds(1, end)[0] <= threshold:
            earlier = self._bnb_first(threshold, 1, end)
            if earlier is not None:
                return earlier
        return candidate

    def last_at_or_above(self, threshold: float):
        """``max{t >= 0 : f(t) >= threshold}``.

        Returns -1 if the set is empty and None if it is unbounded
        (``f`` stays at or above the threshold for ever).
        """
        T, tail = self._horizon(threshold, hit_below=False)
        if tail == "hit":
            return None
        if tail == "undecided":
            raise ArithmeticError("the limit of the loss equals the threshold to rounding")
        hi = T - 1
        candidate = self._bracket_last(threshold, 0, hi)
        start = 0 if candidate is None else candidate + 1
        if start <= hi and self.bounds(start, hi)[1] >= threshold:
            later = self._bnb_last(threshold, start, hi)
            if later is not None:
                return later
        return -1 if candidate is None else candidate

    def _bracket_first(self, threshold, lo, hi):
        """Candidate first hit by successive grid refinement (not certified)."""
        while hi - lo > _SCAN:
            pts = _grid(lo, hi)
            hits = np.flatnonzero(self(pts) <= threshold)
            if hits.size == 0:
                return None
            j = hits[0]
            if j == 0:
                return int(pts[0])
            lo, hi = int(pts[j - 1]) + 1, int(pts[j])
        pts = np.arange(lo, hi + 1, dtype=np.int64)
        hits = np.flatnonzero(self(pts) <= threshold)
        return int(pts[hits[0]]) if hits.size else None

    def _bracket_last(self, threshold, lo, hi):
        """Candidate last hit by successive grid refinement (not certified)."""
        while hi - lo > _SCAN:
            pts = _grid(lo, hi)
            hits = np.flatnonzero(self(pts) >= threshold)
            if hits.size == 0:
                return None
            j = hits[-1]
            if j == pts.size - 1:
                return int(pts[-1])
            lo, hi = int(pts[j]), int(pts[j + 1]) - 1
        pts = np.arange(lo, hi + 1, dtype=np.int64)
        hits = np.flatnonzero(self(pts) >= threshold)
        return int(pts[hits[-1]]) if hits.size else None

    def _bnb_first(self, threshold, lo, hi):
        """Exact first hit in ``[lo, hi]`` by branch-and-bound (left first)."""
        stack = [(lo, hi)]
        while stack:
            a, b = stack.pop()
            if self.bounds(a, b)[0] > threshold:
                continue
            if b - a <= _SCAN:
                pts = np.arange(a, b + 1, dtype=np.int64)
                hits = np.flatnonzero(self(pts) <= threshold)
                if hits.size:
                    return int(pts[hits[0]])
                continue
            mid = (a + b) // 2
            stack.append((mid + 1, b))
            stack.append((a, mid))
        return None

    def _bnb_last(self, threshold, lo, hi):
        """Exact last hit in ``[lo, hi]`` by branch-and-bound (right first)."""
        stack = [(lo, hi)]
        while stack:
            a, b = stack.pop()
            if self.bounds(a, b)[1] < threshold:
                continue
            if b - a <= _SCAN:
                pts = np.arange(a, b + 1, dtype=np.int64)
                hits = np.flatnonzero(self(pts) >= threshold)
                if hits.size:
                    return int(pts[hits[-1]])
                continue
            mid = (a + b) // 2
            stack.append((a, mid))
            stack.append((mid + 1, b))
        return None
