"""Modular addition with a one-hidden-layer ReLU MLP, full batch AdamW, batched over runs.

The second run generator of the spectral-prediction corpus (the first is the
effective theory's toy model, :mod:`validation.effective.toy`).  Task: all
ordered pairs ``(a, b)`` of ``Z_P``, label ``(a + b) mod P``; input the two
one-hot vectors (``2P``), hidden ReLU layer of ``width`` units, ``P`` logits,
cross-entropy on a random training fraction.  The first layer acting on
one-hot inputs is a row gather, so the forward pass costs one
``S x width x P`` product per run.

Each run draws its split and initialisation from ``SeedSequence(seed)``
(children: split, init), so a run gives the same numbers alone or in a batch.
Metrics at step ``t`` are those of the parameters after ``t`` updates, from the
forward pass that also yields the gradient (the training loss is thus logged
before each update, as in the paper).

Cost per run-step: about ``S w P + 2 n w P + 2P n w`` multiply-adds
(``S = P^2`` samples, ``n`` of them for training, width ``w``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from theory._checks import check_positive, check_positive_int
from validation._optim import adamw_step
from validation._threads import single_threaded_blas

__all__ = ["ModularConfig", "ModularResult", "train_modular"]


@dataclass(frozen=True)
class ModularConfig:
    """Settings shared by a batch of modular-addition runs.

    Parameters
    ----------
    modulus : int
        P (a prime is customary; any P >= 2 works).
    width : int
        Hidden ReLU units.
    steps : int
        Full-batch AdamW updates.
    init_scale : float
        Multiplies PyTorch's default ``nn.Linear`` initialisation.
    betas, adam_eps : AdamW constants.
    dtype : {"float32", "float64"}
    """

    modulus: int = 23
    width: int = 128
    steps: int = 5000
    init_scale: float = 1.0
    betas: tuple = (0.9, 0.98)
    adam_eps: float = 1e-8
    dtype: str = "float32"

    def __post_init__(self):
        for name in ("modulus", "width", "steps"):
            object.__setattr__(self, name, check_positive_int(name, getattr(self, name)))
        if self.modulus < 2:
            raise ValueError(f"modulus must be an integer >= 2, got {self.modulus}")
        check_positive("init_scale", self.init_scale)
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["task"] = ("(a + b) mod P on all ordered pairs; one-hot(a) ++ one-hot(b) -> ReLU "
                     "-> P logits")
        d["step_definition"] = "metrics at step t use the parameters after t updates"
        return d


@dataclass(frozen=True)
class ModularResult:
    """Per-run curves (B, steps + 1) and settings of a batch."""

    config: ModularConfig
    seed: np.ndarray
    lr: np.ndarray
    weight_decay: np.ndarray
    train_fraction: np.ndarray
    train_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    diverged: np.ndarray


class _Runs:
    def __init__(self, cfg: ModularConfig, seeds, lrs, wds, fracs):
        P, w = cfg.modulus, cfg.width
        dt = np.float32 if cfg.dtype == "float32" else np.float64
        S = P * P
        a, b = np.divmod(np.arange(S), P)
        labels = (a + b) % P
        c = len(seeds)
        self.n_train = np.array([max(1, int(round(f * S))) for f in fracs])
        order, w1, b1, w2, b2 = [], [], [], [], []
        for s in seeds:
            s_split, s_init = np.random.SeedSequence(int(s)).spawn(2)
            order.append(np.random.default_rng(s_split).permutation(S))
            rng = np.random.default_rng(s_init)
            lim1, lim2 = cfg.init_scale / np.sqrt(2 * P), cfg.init_scale / np.sqrt(w)
            w1.append(rng.uniform(-lim1, lim1, (2 * P, w)))
            b1.append(rng.uniform(-lim1, lim1, (1, w)))
            w2.append(rng.uniform(-lim2, lim2, (w, P)))
            b2.append(rng.uniform(-lim2, lim2, (1, P)))
        order = np.stack(order)
        self.n_max = int(self.n_train.max())
        offs = (np.arange(c) * 2 * P)[:, None]
        self.rows_a = (a[order] + offs).ravel()
        self.rows_b = (P + b[order] + offs).ravel()
        self.labels = labels[order]
        self.train_mask = np.arange(S)[None, :] < self.n_train[:, None]
        self.n_val = S - self.n_train
        self.weight = np.where(self.train_mask[:, :self.n_max], 1.0 / self.n_train[:, None],
                               0.0).astype(dt)
        onehot_t = np.zeros((c, 2 * P, self.n_max), dtype=dt)
        for k in range(c):
            cols = np.arange(self.n_max)
            np.add.at(onehot_t[k], (a[order[k, :self.n_max]], cols), 1)
            np.add.at(onehot_t[k], (P + b[order[k, :self.n_max]], cols), 1)
        self.scatter = onehot_t
        self.params = [np.stack(v).astype(dt) for v in (w1, b1, w2, b2)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.lr = np.asarray(lrs, dtype=dt).reshape(c, 1, 1)
        self.wd = np.asarray(wds, dtype=dt).reshape(c, 1, 1)
        self.cfg, self.c, self.S, self.P = cfg, c, S, P

    def step(self, t: int):
        """Metrics at step t, then (if t < steps) update t + 1."""
        loss, tr_acc, va_acc, grads = self.forward_backward(with_grad=t < self.cfg.steps)
        if grads is not None:
            self._adamw(grads, t + 1)
        return loss, tr_acc, va_acc

    def forward_backward(self, with_grad: bool = True):
        """Training loss, accuracies and the gradients [W1, b1, W2, b2] of the loss."""
        W1, b1, W2, b2 = self.params
        c, S, n = self.c, self.S, self.n_max
        flat = W1.reshape(-1, W1.shape[2])
        z1 = (flat[self.rows_a] + flat[self.rows_b]).reshape(c, S, -1)
        z1 += b1
        h = np.maximum(z1, 0, out=z1)
        logits = h @ W2
        logits += b2
        shifted = logits - logits.max(axis=2, keepdims=True)
        expd = np.exp(shifted)
        tot = expd.sum(axis=2, keepdims=True)
        nll = np.log(tot[..., 0]) - np.take_along_axis(shifted, self.labels[:, :, None], 2)[..., 0]
        correct = np.argmax(logits, axis=2) == self.labels
        loss = (nll * self.train_mask).sum(axis=1) / self.n_train
        tr_acc = (correct & self.train_mask).sum(axis=1) / self.n_train
        with np.errstate(invalid="ignore", divide="ignore"):
            va_acc = (correct & ~self.train_mask).sum(axis=1) / self.n_val
        grads = None
        if with_grad:
            d = expd[:, :n] / tot[:, :n]
            np.put_along_axis(d, self.labels[:, :n, None],
                              np.take_along_axis(d, self.labels[:, :n, None], 2) - 1, 2)
            d *= self.weight[:, :, None]
            hn = h[:, :n]
            g_w2 = hn.transpose(0, 2, 1) @ d
            g_b2 = d.sum(axis=1, keepdims=True)
            dz = d @ W2.transpose(0, 2, 1)
            dz *= hn > 0
            g_w1 = self.scatter @ dz
            g_b1 = dz.sum(axis=1, keepdims=True)
            grads = [g_w1, g_b1, g_w2, g_b2]
        return loss, tr_acc, va_acc, grads

    def _adamw(self, grads, t):
        n = len(self.params)
        adamw_step(self.params, grads, self.m, self.v, [self.lr] * n, [self.wd] * n, t,
                   self.cfg.betas, self.cfg.adam_eps)


def train_modular(config: ModularConfig = ModularConfig(), seed=(0,), lr=(1e-3,),
                  weight_decay=(1.0,), train_fraction=(0.5,), *, chunk_size: int | None = None,
                  n_threads: int | None = None) -> ModularResult:
    """Train a batch of modular-addition MLPs; per-run arrays must have equal length.

    Returns per-step training loss, training and validation accuracy,
    shape ``(B, steps + 1)``.  AdamW as in PyTorch (decoupled weight decay),
    with the moments stored rescaled as in :mod:`validation.effective.toy`.

    Examples
    --------
    >>> from validation.spectral.modular import ModularConfig, train_modular
    >>> res = train_modular(ModularConfig(modulus=7, width=16, steps=30), seed=[0, 1],
    ...                     lr=[1e-2, 1e-2], weight_decay=[1.0, 1.0], train_fraction=[0.5, 0.5])
    >>> res.train_loss.shape, bool(res.train_loss[0, -1] < res.train_loss[0, 0])
    ((2, 31), True)
    """
    arrays = [np.atleast_1d(np.asarray(v)) for v in (seed, lr, weight_decay, train_fraction)]
    B = arrays[0].size
    if any(a.size != B for a in arrays):
        raise ValueError("seed, lr, weight_decay and train_fraction must have equal lengths")
    seeds, lrs, wds, fracs = arrays
    if np.any(seeds < 0) or seeds.dtype.kind not in "iu":
        raise ValueError("seed must be non-negative integers")
    if np.any(~np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError("lr must be finite and > 0")
    if np.any(~np.isfinite(wds)) or np.any(wds < 0):
        raise ValueError("weight_decay must be finite and >= 0")
    if np.any(~(fracs > 0)) or np.any(fracs >= 1):
        raise ValueError("train_fraction must lie in (0, 1)")
    cores = os.cpu_count() or 1
    chunk_size = min(16, -(-B // cores)) if chunk_size is None else chunk_size
    chunks = [np.arange(s, min(s + chunk_size, B)) for s in range(0, B, chunk_size)]
    n_threads = min(cores, len(chunks)) if n_threads is None else n_threads
    T = config.steps + 1
    out = {k: np.full((B, T), np.nan) for k in ("loss", "tr", "va")}

    def work(idx):
        runs = _Runs(config, seeds[idx], lrs[idx], wds[idx], fracs[idx])
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(T):
                loss, tr, va = runs.step(t)
                out["loss"][idx, t] = loss
                out["tr"][idx, t] = tr
                out["va"][idx, t] = va

    with single_threaded_blas(n_threads > 1):
        if n_threads == 1:
            for idx in chunks:
                work(idx)
        else:
            with ThreadPoolExecutor(n_threads) as ex:
                for f in [ex.submit(work, idx) for idx in chunks]:
                    f.result()
    diverged = ~np.all(np.isfinite(out["loss"]), axis=1)
    return ModularResult(config=config, seed=seeds, lr=lrs, weight_decay=wds,
                         train_fraction=fracs, train_loss=out["loss"], train_acc=out["tr"],
                         val_acc=out["va"], diverged=diverged)
