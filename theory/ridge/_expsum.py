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

from theory._checks import RangeOverflowError

_MAX_T = 2 ** 53          # exact integers in float64
_SCAN = 256               # intervals this short are scanned point by point
_GRID = 64                # points per bracketing pass
_CHUNK = 1 << 18          # elements per vectorised evaluation block
_BLOCK = 1 << 21          # elements per temporary of the row-batched searches
_STARTS = 2 ** np.arange(54, dtype=np.int64)        # horizon candidates 1 .. 2**53
_COARSE = np.array([0, 8, 16, 24, 32, 40, 48, 53])  # first pass over k of T = 2**k


def _values(const, w, a, b, lg, neg, t):
    """``f_i(t_ip)`` for stacked sums: params (B, K), ``t`` int64 (B, P) -> (B, P).

    Every element is computed by the same elementwise operations and one
    reduction along the contiguous last axis, so a row's values do not depend
    on which other rows are in the batch (the scalar and the batched searches
    agree bit for bit).  One (B, P, K) buffer, updated in place.
    """
    z = np.multiply(t.astype(np.float64)[..., None], lg[:, None, :])
    with np.errstate(invalid="ignore", under="ignore"):
        np.exp(z, out=z)
    z[t == 0] = 1.0                                     # 0 * log(0) -> 1 for rho = 0
    if neg.any():
        np.negative(z, out=z, where=((t % 2) == 1)[..., None] & neg[:, None, :])
    z *= b[:, None, :]
    z += a[:, None, :]
    np.square(z, out=z)
    z *= w[:, None, :]
    return const[:, None] + z.sum(axis=-1)


@dataclass(frozen=True, eq=False)
class _Rows:
    """A stack of ``B`` sums with the same number of terms ``K`` (arrays (B, K))."""

    const: np.ndarray
    w: np.ndarray
    a: np.ndarray
    b: np.ndarray
    lg: np.ndarray
    neg: np.ndarray

    @classmethod
    def of(cls, fs):
        return cls(np.array([f.constant for f in fs], dtype=np.float64),
                   *(np.stack([getattr(f, k) for f in fs])
                     for k in ("weight", "alpha", "beta", "log_abs_rho", "negative")))

    def take(self, idx):
        return _Rows(self.const[idx], self.w[idx], self.a[idx], self.b[idx], self.lg[idx],
                     self.neg[idx])

    def __call__(self, t):
        return _values(self.const, self.w, self.a, self.b, self.lg, self.neg, t)

    def _terms(self, lo, hi):
        """Per-term bounds of ``w (a + b z)^2`` for ``z`` in ``[lo, hi]`` (broadcast)."""
        shape = lo.shape
        ex = (slice(None),) + (None,) * (len(shape) - 2) + (slice(None),)
        a, b, w = self.a[ex], self.b[ex], self.w[ex]
        r_lo, r_hi = a + b * lo, a + b * hi
        f_lo, f_hi = w * r_lo ** 2, w * r_hi ** 2
        # the linear residual a + b z changes sign on [lo, hi] iff the square touches 0
        crosses = np.sign(r_lo) * np.sign(r_hi) <= 0
        lower = np.where(crosses, 0.0, np.minimum(f_lo, f_hi)).sum(axis=-1)
        upper = np.maximum(f_lo, f_hi).sum(axis=-1)
        c = self.const[(slice(None),) + (None,) * (len(shape) - 2)]
        return c + lower, c + upper

    def bounds(self, a, b):
        """Rigorous bounds of ``f_i`` over integer ``t in [a_i, b_i]`` (b may be inf)."""
        a = np.asarray(a, dtype=np.float64)[:, None]
        b = np.asarray(b, dtype=np.float64)[:, None]
        with np.errstate(invalid="ignore", under="ignore"):
            za = np.where(a > 0, np.exp(a * self.lg), 1.0)
            zb = np.where(np.isinf(b), 0.0, np.where(b > 0, np.exp(b * self.lg), 1.0))
        lo, hi = zb, za
        if self.neg.any():
            single = (a == b) & self.neg
            sign = np.where(a % 2 == 1, -1.0, 1.0)
            lo = np.where(single, sign * za, np.where(self.neg, -za, lo))
            hi = np.where(single, sign * za, hi)
        return self._terms(lo, hi)

    def tail_bounds(self, starts):
        """Bounds of ``f_i`` over ``[T, inf)`` for ``T`` in ``starts`` (B, S): (B, S) each."""
        with np.errstate(under="ignore"):
            zt = np.exp(starts.astype(np.float64)[:, :, None] * self.lg[:, None, :])
        # z ranges over [0, rho^T] (rho >= 0) or [-|rho|^T, |rho|^T] (rho < 0)
        lo = np.where(self.neg[:, None, :], -zt, 0.0)
        return self._terms(lo, zt)

    def _decided(self, k, thr, hit_below):
        """``(decided, hit)`` of the tail bounds at ``T = 2**k`` (k int array (B, S))."""
        lower, upper = self.tail_bounds(_STARTS[k])
        thr = thr[:, None]
        if hit_below:
            hit, miss = upper <= thr, lower > thr
        else:
            hit, miss = lower >= thr, upper < thr
        return hit | miss, hit

    def horizon(self, thr, hit_below):
        """Smallest power of two ``T_i`` beyond which each answer is decided.

        Returns ``(T, state)`` with state 1 (every ``t >= T`` satisfies the
        predicate), 0 (none does) or -1 (undecided in float64).

        Notes
        -----
        The tail ranges of ``z = rho^t`` over ``[T, inf)`` shrink as ``T``
        grows and rounding is monotone, so the computed lower bound never
        decreases and the upper bound never increases with ``T``: "decided"
        is monotone in ``T``, and a coarse pass over ``T = 2^0, 2^8, ...,
        2^53`` followed by the (at most 8) powers below the first decided one
        finds the same ``T`` as trying all 54 (and any decided ``T`` is a valid
        certificate, so the answer would not change even where it were not).
        """
        B = thr.size
        coarse = _COARSE
        dec, _ = self._decided(np.broadcast_to(coarse, (B, coarse.size)), thr, hit_below)
        first = np.argmax(dec, axis=1)
        ok = dec[np.arange(B), first]
        prev = np.where(first > 0, coarse[np.maximum(first - 1, 0)] + 1, 0)
        k = np.minimum(prev[:, None] + np.arange(8), coarse[first][:, None])
        dec, hit = self._decided(k, thr, hit_below)
        j = np.argmax(dec, axis=1)
        rows = np.arange(B)
        state = np.where(ok & dec[rows, j], hit[rows, j].astype(np.int64), -1)
        return np.where(state >= 0, _STARTS[k[rows, j]], _MAX_T), state

    def bracket(self, thr, lo, hi, first):
        """Candidate first (last) hit in ``[lo_i, hi_i]`` by grid refinement; -1 if none.

        Not certified: a hit between grid points can be missed; the callers
        certify the candidate with :meth:`bounds`.
        """
        out = np.full(lo.shape, -1, dtype=np.int64)
        lo, hi = lo.astype(np.int64), hi.astype(np.int64)
        live = np.flatnonzero(hi >= lo)
        cmp = np.less_equal if first else np.greater_equal
        while live.size:
            wide = live[hi[live] - lo[live] > _SCAN]
            if wide.size == 0:
                break
            frac = np.arange(_GRID + 1, dtype=np.float64) / _GRID
            span = (hi[wide] - lo[wide]).astype(np.float64)
            pts = (lo[wide, None] + np.round(span[:, None] * frac)).astype(np.int64)
            pts[:, -1] = hi[wide]
            hits = cmp(self.take(wide)(pts), thr[wide, None])
            anyhit = hits.any(axis=1)
            j = np.argmax(hits, axis=1) if first else _GRID - np.argmax(hits[:, ::-1], axis=1)
            r = np.arange(wide.size)
            at_end = anyhit & (j == 0 if first else j == _GRID)
            out[wide[at_end]] = pts[r[at_end], j[at_end]]
            go = anyhit & ~at_end
            g, jg = wide[go], j[go]
            if first:
                lo[g], hi[g] = pts[r[go], jg - 1] + 1, pts[r[go], jg]
            else:
                lo[g], hi[g] = pts[r[go], jg], pts[r[go], jg + 1] - 1
            keep = np.ones(lo.shape, dtype=bool)      # (np.setdiff1d would import numpy.ma)
            keep[wide[~go]] = False
            live = live[keep[live]]
        if live.size:
            width = int((hi[live] - lo[live]).max()) + 1          # <= _SCAN + 1
            pts = lo[live, None] + np.arange(width, dtype=np.int64)
            valid = pts <= hi[live, None]
            pts = np.minimum(pts, hi[live, None])
            hits = cmp(self.take(live)(pts), thr[live, None]) & valid
            anyhit = hits.any(axis=1)
            j = (np.argmax(hits, axis=1) if first
                 else width - 1 - np.argmax(hits[:, ::-1], axis=1))
            r = np.flatnonzero(anyhit)
            out[live[r]] = pts[r, j[r]]
        return out


def _undecided(f, threshold, index=None):
    where = "" if index is None else f" (problem {index})"
    slowest = float(np.max(f.log_abs_rho)) if f.log_abs_rho.size else 0.0
    # an ArithmeticError (OverflowError) and a ValueError: refused in one line by the CLI
    return RangeOverflowError(
        f"undecidable in float64{where}: the limit of the loss ({f.limit():.17g}) equals the "
        f"threshold ({threshold:.17g}) to rounding, or it is crossed only after more than "
        f"2**53 steps (slowest mode |rho| = exp({slowest:.3g})); a threshold (eps for t1, c "
        f"for t2) farther from the limit, or a larger eta or lam, makes it decidable")


def _by_size(fs):
    """Indices of ``fs`` grouped by term count, in blocks of bounded memory."""
    groups: dict = {}
    for i, f in enumerate(fs):
        groups.setdefault(f.weight.size, []).append(i)
    for k, idx in groups.items():
        per = max(1, _BLOCK // ((_SCAN + 1) * max(k, 1)))
        for s in range(0, len(idx), per):
            yield np.array(idx[s:s + per])


def _thresholds(threshold, count):
    thr = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (count,))
    return np.array(thr)


def first_at_or_below_many(fs, threshold) -> list:
    """``min{t >= 0 : f(t) <= threshold}`` for every sum in ``fs`` (None: there is none).

    Parameters
    ----------
    fs : sequence of ExpSquares
    threshold : float or array, shape (len(fs),)

    Returns
    -------
    list of int or None
        Equal, element by element, to ``[f.first_at_or_below(thr) for f in fs]``
        (the scalar method is this function on one sum).

    Raises
    ------
    RangeOverflowError
        (an ArithmeticError and a ValueError) If some ``f(inf)`` equals its
        threshold to rounding (or the crossing lies beyond ``2**53`` steps), so
        the answer is not decidable in float64.

    Notes
    -----
    Sums with the same number of terms are searched together: each pass of
    the bracketing evaluates all of them at once, so the Python overhead is
    paid once per pass instead of once per sum.
    """
    fs = list(fs)
    thr_all = _thresholds(threshold, len(fs))
    out: list = [None] * len(fs)
    for idx in _by_size(fs):
        rows, thr = _Rows.of([fs[i] for i in idx]), thr_all[idx]
        res = np.full(idx.size, -1, dtype=np.int64)
        at0 = rows(np.zeros((idx.size, 1), dtype=np.int64))[:, 0] <= thr
        res[at0] = 0
        todo = np.flatnonzero(~at0)
        if todo.size:
            sub, st = rows.take(todo), thr[todo]
            T, tail = sub.horizon(st, hit_below=True)
            if np.any(tail < 0):
                k = int(np.flatnonzero(tail < 0)[0])
                raise _undecided(fs[idx[todo[k]]], float(st[k]),
                                 None if len(fs) == 1 else int(idx[todo[k]]))
            hi = np.where(tail == 1, T, T - 1)
            cand = sub.bracket(st, np.zeros_like(hi), hi, first=True)
            end = np.where(cand < 0, hi, cand - 1)
            check = np.flatnonzero(end >= 1)
            if check.size:
                lower, _ = sub.take(check).bounds(np.ones(check.size), end[check])
                for k in check[lower <= st[check]]:
                    earlier = fs[idx[todo[k]]]._bnb_first(float(st[k]), 1, int(end[k]))
                    if earlier is not None:
                        cand[k] = earlier
            res[todo] = cand
        for j, i in enumerate(idx):
            out[i] = None if res[j] < 0 else int(res[j])
    return out


def last_at_or_above_many(fs, threshold) -> list:
    """``max{t >= 0 : f(t) >= threshold}`` for every sum in ``fs``.

    Each entry is -1 if the set is empty and None if it is unbounded (``f``
    stays at or above the threshold for ever); equal, element by element, to
    ``[f.last_at_or_above(thr) for f in fs]``.  Raises ArithmeticError as
    :func:`first_at_or_below_many`.
    """
    fs = list(fs)
    thr_all = _thresholds(threshold, len(fs))
    out: list = [None] * len(fs)
    for idx in _by_size(fs):
        rows, thr = _Rows.of([fs[i] for i in idx]), thr_all[idx]
        T, tail = rows.horizon(thr, hit_below=False)
        if np.any(tail < 0):
            k = int(np.flatnonzero(tail < 0)[0])
            raise _undecided(fs[idx[k]], float(thr[k]), None if len(fs) == 1 else int(idx[k]))
        hi = T - 1
        cand = rows.bracket(thr, np.zeros_like(hi), hi, first=False)
        start = np.where(cand < 0, 0, cand + 1)
        check = np.flatnonzero((tail == 0) & (start <= hi))
        if check.size:
            _, upper = rows.take(check).bounds(start[check], hi[check])
            for k in check[upper >= thr[check]]:
                later = fs[idx[k]]._bnb_last(float(thr[k]), int(start[k]), int(hi[k]))
                if later is not None:
                    cand[k] = later
        for j, i in enumerate(idx):
            out[i] = None if tail[j] == 1 else int(cand[j])
    return out


@dataclass(frozen=True, eq=False)
class ExpSquares:
    """``f(t) = K + sum_k w_k (alpha_k + beta_k rho_k^t)^2`` with exact search.

    ``log_abs_rho`` holds ``log|rho_k|`` (``-inf`` for ``rho_k = 0``) and
    ``negative`` marks ``rho_k < 0`` (oscillating GD modes).  Terms with
    ``rho_k = 1`` (``log_abs_rho = 0``, not negative: a mode that never
    decays, e.g. the null space without weight decay) are constant and are
    folded into ``constant`` on construction.
    """

    constant: float
    weight: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    log_abs_rho: np.ndarray
    negative: np.ndarray

    def __post_init__(self):
        arrays = [np.ascontiguousarray(getattr(self, k), dtype=np.float64)
                  for k in ("weight", "alpha", "beta", "log_abs_rho")]
        neg = np.ascontiguousarray(self.negative, dtype=bool)
        if np.any(arrays[3] > 0):
            raise ValueError("every |rho_k| must be <= 1 (log_abs_rho <= 0)")
        const = float(self.constant)
        frozen = (arrays[3] == 0) & ~neg
        if frozen.any():
            w, a, b = (x[frozen] for x in arrays[:3])
            const += float(np.sum(w * (a + b) ** 2))
            keep = ~frozen
            arrays, neg = [x[keep] for x in arrays], neg[keep]
        object.__setattr__(self, "constant", const)
        for k, x in zip(("weight", "alpha", "beta", "log_abs_rho"), arrays):
            object.__setattr__(self, k, x)
        object.__setattr__(self, "negative", neg)

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

    def _rows(self) -> _Rows:
        return _Rows.of([self])

    def __call__(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=np.int64)
        shape = t.shape
        flat = t.ravel()
        out = np.empty(flat.shape, dtype=np.float64)
        rows = self._rows()
        step = max(1, _CHUNK // max(1, self.weight.size))
        for start in range(0, flat.size, step):
            out[start:start + step] = rows(flat[None, start:start + step])[0]
        return out.reshape(shape)

    def limit(self) -> float:
        """``f(inf)``."""
        return float(self.constant + self.weight @ (self.alpha ** 2))

    # -- interval bounds ----------------------------------------------------
    def bounds(self, a: int, b: float) -> tuple[float, float]:
        """Rigorous ``(min, max)`` bounds of ``f`` over integer ``t in [a, b]``."""
        lo, hi = self._rows().bounds([a], [b])
        return float(lo[0]), float(hi[0])

    # -- searches -----------------------------------------------------------
    def first_at_or_below(self, threshold: float):
        """``min{t >= 0 : f(t) <= threshold}``; None if there is none.

        Raises
        ------
        ArithmeticError
            If ``f(inf)`` equals ``threshold`` to rounding, so the answer is
            not decidable in float64.
        """
        return first_at_or_below_many([self], threshold)[0]

    def last_at_or_above(self, threshold: float):
        """``max{t >= 0 : f(t) >= threshold}``.

        Returns -1 if the set is empty and None if it is unbounded
        (``f`` stays at or above the threshold for ever).
        """
        return last_at_or_above_many([self], threshold)[0]

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
