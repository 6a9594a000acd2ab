"""Fused loops of the toy trainer (numba), one pass where numpy would make several.

Layout, per run ``r`` of a chunk (leading axis): activations are
feature-major, ``(features, samples)``, the first ``n_max`` samples being the
training rows (padded with zero-weight rows); weights are stored
``(out, in)``.  Every kernel works on each run's own slices, so a run's
numbers do not depend on the other runs of its chunk.  ``tanh`` and the
matrix products stay in numpy / BLAS (vectorised, faster than any loop here).

The kernels release the GIL, so chunks train in parallel on Python threads.
Reductions are allowed to be reassociated (``fastmath`` "reassoc") so that
they vectorise; no flag assumes finite values, so a diverging run still shows
as a non-finite loss.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_FLAGS = dict(nogil=True, cache=True, error_model="numpy")
_FAST = dict(_FLAGS, fastmath={"reassoc", "contract", "nsz"})


@njit(**_FAST)
def layer1_forward(E, ia, ib, V1, b1, xT, z1T):
    """``x = E[a] + E[b]`` (feature-major) and ``z1 = V1 x + b1`` for every sample."""
    c, _, d = E.shape
    w = V1.shape[1]
    for r in range(c):
        Er, iar, ibr = E[r], ia[r], ib[r]
        for k in range(d):
            xr = xT[r, k]
            for n in range(xr.shape[0]):
                xr[n] = Er[iar[n], k] + Er[ibr[n], k]
        for i in range(w):
            zr = z1T[r, i]
            bi = b1[r, i, 0]
            for n in range(zr.shape[0]):
                zr[n] = bi
            for k in range(d):
                vik = V1[r, i, k]
                xr = xT[r, k]
                for n in range(zr.shape[0]):
                    zr[n] += vik * xr[n]


@njit(**_FLAGS)
def _finish_stats(stats, r, sums, n_train, n_test, norm):
    """Per-run metrics from the sums of :func:`output_mse` / :func:`output_ce`."""
    stats[r, 0] = sums[0] / (n_train * norm)
    stats[r, 1] = sums[1] / (n_test * norm) if n_test > 0 else np.nan
    stats[r, 2] = sums[2] / n_train
    stats[r, 3] = sums[3] / n_test if n_test > 0 else np.nan
    stats[r, 4] = (sums[2] + sums[3]) / (n_train + n_test)


@njit(**_FAST)
def output_mse(outT, b3, templates, labels, n_train, row_weight, gradT, gb3, stats):
    """MSE head: bias, loss and nearest-template prediction per sample, output gradient.

    ``outT`` (c, n_out, S) gets the bias added in place.  ``gradT`` (c, n_out, n_max)
    receives ``2 w_s (out_s - Y_label)`` with the row weights ``w_s``, ``gb3``
    its sum over samples.  ``stats[r]`` = (train loss, test loss, train
    accuracy, test accuracy, accuracy over all samples); the loss is the mean
    over samples and outputs, NaN without test samples.  Ties go to the
    lowest class, as in ``argmin``.
    """
    c, n_out, S = outT.shape
    C = templates.shape[1]
    n_max = gradT.shape[2]
    dist = np.empty(S)
    best_d = np.empty(S)
    loss = np.empty(S)
    best = np.empty(S, dtype=np.int64)
    sums = np.empty(4)
    for r in range(c):
        tpl, out, lab = templates[r], outT[r], labels[r]
        for o in range(n_out):                      # sample index innermost: contiguous
            out[o] += b3[r, o, 0]
        best_d[:] = np.inf
        for cls in range(C):
            dist[:] = 0
            for o in range(n_out):
                t, row = tpl[cls, o], out[o]
                for n in range(S):
                    diff = row[n] - t
                    dist[n] += diff * diff
            for n in range(S):
                if dist[n] < best_d[n]:
                    best_d[n] = dist[n]
                    best[n] = cls
                if lab[n] == cls:
                    loss[n] = dist[n]
        sums[:] = 0
        for n in range(S):
            part = 0 if n < n_train[r] else 1
            sums[part] += loss[n]
            sums[2 + part] += best[n] == lab[n]
        for o in range(n_out):
            row, grad = out[o], gradT[r, o]
            g_sum = 0.0
            for n in range(n_max):
                g = 2 * row_weight[r, n] * (row[n] - tpl[lab[n], o])
                grad[n] = g
                g_sum += g
            gb3[r, o, 0] = g_sum
        _finish_stats(stats, r, sums, n_train[r], S - n_train[r], n_out)


@njit(**_FLAGS)
def output_ce(outT, b3, labels, n_train, row_weight, gradT, gb3, stats):
    """Cross-entropy head: as :func:`output_mse` with logits, argmax and softmax - onehot."""
    c, n_out, S = outT.shape
    n_max = gradT.shape[2]
    col = np.empty(n_out, dtype=outT.dtype)
    sums = np.empty(4)
    for r in range(c):
        gb, out, grad = gb3[r, :, 0], outT[r], gradT[r]
        gb[:] = 0
        sums[:] = 0
        for n in range(S):
            best = 0
            mx = -np.inf
            for o in range(n_out):
                col[o] = out[o, n] + b3[r, o, 0]
                out[o, n] = col[o]
                if col[o] > mx:
                    mx = col[o]
                    best = o
            if not mx > -np.inf:          # NaN logits: keep them visible in the loss
                mx = col[0]
            tot = 0.0
            for o in range(n_out):
                tot += math.exp(col[o] - mx)
            lab = labels[r, n]
            part = 0 if n < n_train[r] else 1
            sums[part] += math.log(tot) - (col[lab] - mx)
            sums[2 + part] += best == lab
            if n < n_max:
                wgt = row_weight[r, n]
                for o in range(n_out):
                    g = math.exp(col[o] - mx) / tot
                    if o == lab:
                        g -= 1
                    g *= wgt
                    grad[o, n] = g
                    gb[o] += g
        _finish_stats(stats, r, sums, n_train[r], S - n_train[r], 1)


@njit(inline="always", **_FAST)
def _tanh_grad(dz, h):
    """``dz *= 1 - h^2`` over ``dz`` (h = tanh z); returns ``sum(dz)``.

    Written ``dz - dz h h`` so that float32 stays float32 (a literal 1 would promote).
    """
    s = 0.0
    for j in range(dz.shape[0]):
        val = dz[j] - dz[j] * h[j] * h[j]
        dz[j] = val
        s += val
    return s


@njit(**_FAST)
def tanh_backward(dzT, hT, gb):
    """``dz *= 1 - h^2`` (h = tanh z, first ``n`` samples) and ``gb = sum_n dz``, in place."""
    c, w, n = dzT.shape
    for r in range(c):
        for i in range(w):
            gb[r, i, 0] = _tanh_grad(dzT[r, i], hT[r, i, :n])


@njit(**_FAST)
def layer1_backward(dz1T, h1T, xT, V1, ia, ib, gV1, gb1, gE, dxT):
    """Through the first tanh layer and the embedding sum: gradients of V1, b1 and E.

    ``dz1T`` (c, w, n) is overwritten with the pre-activation gradient;
    ``dxT`` (c, d, n) is scratch.
    """
    c, w, n = dz1T.shape
    d = xT.shape[1]
    for r in range(c):
        for k in range(d):
            dxT[r, k] = 0
        for i in range(w):
            dr = dz1T[r, i]
            gb1[r, i, 0] = _tanh_grad(dr, h1T[r, i, :n])
            for k in range(d):           # two loops, not one: each vectorises on its own
                xr = xT[r, k, :n]
                acc = 0.0
                for j in range(n):
                    acc += dr[j] * xr[j]
                gV1[r, i, k] = acc
            for k in range(d):
                vik = V1[r, i, k]
                dxr = dxT[r, k]
                for j in range(n):
                    dxr[j] += vik * dr[j]
        gEr, iar, ibr = gE[r], ia[r], ib[r]
        gEr[:] = 0
        for k in range(d):
            dxr = dxT[r, k]
            for j in range(n):
                gEr[iar[j], k] += dxr[j]
                gEr[ibr[j], k] += dxr[j]


@njit(**_FLAGS)
def rqi(E, quads, delta):
    """RQI ("code" convention) of every run's embedding, in float64."""
    c, p, d = E.shape
    out = np.empty(c)
    z = np.empty((p, d))
    nq = quads.shape[0]
    for r in range(c):
        for k in range(d):
            mean = 0.0
            for a in range(p):
                mean += E[r, a, k]
            mean /= p
            var = 0.0
            for a in range(p):
                z[a, k] = E[r, a, k] - mean
                var += z[a, k] * z[a, k]
            std = math.sqrt(var / (p - 1))
            for a in range(p):
                z[a, k] /= std
        count = 0
        for q in range(nq):
            i, j, m, n = quads[q, 0], quads[q, 1], quads[q, 2], quads[q, 3]
            s = 0.0
            for k in range(d):
                dd = z[i, k] + z[j, k] - z[m, k] - z[n, k]
                s += dd * dd
            if s / d < delta:
                count += 1
        out[r] = count / max(nq, 1)
    return out


@njit(**_FLAGS)
def update_thresholds(stats, rqi, t, thresholds, it_train, it_test, it_rqi, div_step, stop):
    """Record the first step ``t`` at which each threshold is reached; flag decided runs.

    ``thresholds`` = (train accuracy, test accuracy, RQI); accuracies count
    from ``>=``, RQI from ``>``, divergence from a non-finite training loss.
    ``stop[r]`` says whether run r's phase is decided (both accuracies
    reached) or it diverged; returns the number of such runs.
    """
    n_stop = 0
    for r in range(stats.shape[0]):
        if it_train[r] < 0 and stats[r, 2] >= thresholds[0]:
            it_train[r] = t
        if it_test[r] < 0 and stats[r, 3] >= thresholds[1]:
            it_test[r] = t
        if it_rqi[r] < 0 and rqi[r] > thresholds[2]:
            it_rqi[r] = t
        if div_step[r] < 0 and not np.isfinite(stats[r, 0]):
            div_step[r] = t
        stop[r] = (it_train[r] >= 0 and it_test[r] >= 0) or div_step[r] >= 0
        n_stop += stop[r]
    return n_stop
