"""The toy model of Liu et al. (2022) in plain numpy, batched over independent runs.

Model: ``(a, b) -> Dec(E_a + E_b)`` with trainable embeddings ``E`` (``p x d_in``)
and a tanh MLP decoder ``d_in - width - width - out_dim``, trained full batch
with Adam on the embeddings and AdamW on the decoder, by MSE to fixed random
templates (prediction = nearest template) or by cross-entropy on ``n_classes``
logits.  Forward pass, backward pass and both optimisers are written out here
(checked against finite differences and hand-computed steps in the tests).

Batched: a :class:`RunBatch` of ``B`` runs (seeds x hyperparameters x training
sizes) is one array program.  The runs are cut into chunks of ``chunk_size``
runs whose state stays in a core's cache; chunks are independent, so they are
trained on ``n_threads`` threads (numpy, BLAS and the numba kernels of
:mod:`validation.effective._toy_kernels` release the GIL) with BLAS itself
single-threaded.  Every run draws its randomness from its own
``SeedSequence(seed)``, and every operation acts on its own slice, so a run
gives the same numbers alone or inside any batch (up to the summation order
of zero-weighted padding rows when the batch's largest training set differs).

Metrics at step ``t`` are those of the parameters after ``t`` updates, taken
from the forward pass that also computes the gradient of update ``t + 1``:
no second forward pass.  One extra forward after the last update gives the
metrics at ``t = steps``.  ``iter_*`` is the first such ``t`` at which a
threshold is reached, or -1 if never.

Cost per run-step (``S = |D0|`` samples, ``n`` training samples, width ``w``):
``(S + 2 n) w^2`` multiply-adds in three BLAS products (about 5.8 M for the
defaults), one fused AdamW pass over the ``w^2 + O(w)`` parameters, and
``O((S + n) w)`` in the fused numba kernels.  Profile of a 4-run chunk on the
shared 2-core development machine (CPU time, ~290 us per run-step): the three
``w x w`` products ~53%, AdamW ~18% (memory-bound: 28 bytes per parameter),
the three ``w x 30`` products ~10%, the numba kernels ~12%, numpy ``tanh`` and
bias ~5%, Python ~3%.  A batch of 64 runs x 2000 steps ran at ~900 run-steps/s
wall-clock (~6,300 per CPU-second x 2) under a load average of ~18, 10.2x the
authors' PyTorch code measured alongside (``benchmarks/effective_toy_throughput.py``).
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np

from theory._checks import check_positive, check_positive_int
from theory._version import __version__
from theory.effective.task import ArithmeticTask, TrainingSplit, random_split
from validation._optim import adamw_fused
from validation._threads import single_threaded_blas
from validation.effective import _toy_kernels as _k

__all__ = ["RunBatch", "ToyConfig", "ToyResult", "make_batch", "run_split", "train_toy"]

_LOSSES = ("mse", "ce")
_DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass(frozen=True)
class ToyConfig:
    """Settings shared by every run of a batch (defaults: the spec's toy model).

    Parameters
    ----------
    p : int
        Symbols ``0..p-1`` (addition; ``modular=True`` for modular addition).
    d_in : int
        Embedding dimension (1 for the quantitative results).
    width : int
        Hidden width of the two tanh layers.
    out_dim : int
        Template dimension for the MSE loss (ignored for ``loss="ce"``, whose
        output has ``n_classes`` logits).
    loss : {"mse", "ce"}
    steps : int
        Number of full-batch updates.
    betas, adam_eps : Adam constants (PyTorch defaults).
    init_scale_repr : float
        Embeddings start ``U[-1/2, 1/2] * init_scale_repr``.
    init_scale_decoder : float
        Multiplies PyTorch's default ``nn.Linear`` initialisation
        ``U[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.
    label_scale : float
        Templates are ``N(0, I) * label_scale``.
    train_acc_threshold, test_acc_threshold : float in (0, 1]
        Accuracy at which ``iter_train`` / ``iter_test`` are recorded (``>=``).
    rqi_threshold : float in (0, 1]
        RQI at which ``iter_rqi`` is recorded (``>``, as in the reference code).
    rqi_delta : float
        Parallelogram tolerance of the RQI ("code" convention, see
        :data:`theory.effective.RQI_CONVENTIONS`).
    record_every : int
        Interval of the recorded histories (the thresholds are checked every step).
    record_loss_curve : bool
        Also keep the training loss at every step (for spectral analysis).
    dtype : {"float32", "float64"}
    stop_when_decided : bool
        Stop each run at the first step at which both ``iter_train`` and
        ``iter_test`` have been reached (its phase under Table 1 is then
        decided: comprehension or grokking) or at which it diverged; see
        :func:`train_toy`.  Its final metrics are those of that step, its
        histories are NaN after it, and thresholds not reached by then (e.g.
        ``iter_rqi``) stay -1: censored at ``stop_step``, not "never".
    """

    p: int = 10
    modular: bool = False
    d_in: int = 1
    width: int = 200
    out_dim: int = 30
    loss: str = "mse"
    steps: int = 10_000
    betas: tuple = (0.9, 0.999)
    adam_eps: float = 1e-8
    init_scale_repr: float = 1.0
    init_scale_decoder: float = 1.0
    label_scale: float = 1.0
    train_acc_threshold: float = 0.9
    test_acc_threshold: float = 0.9
    rqi_threshold: float = 0.95
    rqi_delta: float = 0.01
    record_every: int = 100
    record_loss_curve: bool = False
    dtype: str = "float32"
    stop_when_decided: bool = False

    def __post_init__(self):
        for name in ("p", "d_in", "width", "out_dim", "steps", "record_every"):
            object.__setattr__(self, name, check_positive_int(name, getattr(self, name)))
        if self.p < 2:
            raise ValueError(f"p must be an integer >= 2, got {self.p}")
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {self.loss!r}")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {tuple(_DTYPES)}, got {self.dtype!r}")
        for name in ("train_acc_threshold", "test_acc_threshold", "rqi_threshold"):
            v = check_positive(name, getattr(self, name))
            if v > 1:
                raise ValueError(f"{name} must lie in (0, 1], got {v}")
        b1, b2 = (float(b) for b in self.betas)
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"betas must lie in [0, 1), got {self.betas}")
        object.__setattr__(self, "betas", (b1, b2))
        if not isinstance(self.stop_when_decided, (bool, np.bool_)):
            raise TypeError(f"stop_when_decided must be a bool, got "
                            f"{type(self.stop_when_decided).__name__}")
        object.__setattr__(self, "stop_when_decided", bool(self.stop_when_decided))
        for name in ("adam_eps", "init_scale_repr", "init_scale_decoder", "label_scale",
                     "rqi_delta"):
            check_positive(name, getattr(self, name))

    @property
    def task(self) -> ArithmeticTask:
        return ArithmeticTask(self.p, self.modular)

    @property
    def n_outputs(self) -> int:
        return self.task.n_classes if self.loss == "ce" else self.out_dim

    def to_dict(self) -> dict:
        d = asdict(self)
        d["definitions"] = {
            "step": "metrics at step t use the parameters after t updates (t = 0..steps)",
            "iter_train": f"first t with train accuracy >= {self.train_acc_threshold} (-1: never)",
            "iter_test": f"first t with test accuracy >= {self.test_acc_threshold} (-1: never)",
            "iter_rqi": f"first t with RQI > {self.rqi_threshold} (-1: never); RQI in the "
                        f"'code' convention, delta = {self.rqi_delta}",
            "accuracy": "nearest template (mse) or argmax logit (ce); acc is over all of D0",
            "acc_hat": "|Dbar(D, P(R))| / |D0| for the final representation",
            "stop_step": "updates applied to the run (= steps unless it stopped early)",
        }
        if self.stop_when_decided:
            d["definitions"]["stop_when_decided"] = (
                "a run stops at the first t at which iter_train and iter_test are both reached "
                "or its training loss is non-finite; final metrics are those at t, histories "
                "after t are NaN, thresholds not reached by t are -1 (censored at stop_step)")
        return d


@dataclass(frozen=True)
class RunBatch:
    """Per-run settings of a batch: one entry per run.

    Build one with :func:`make_batch` (a grid) or directly from equal-length arrays.
    """

    seed: np.ndarray
    train_size: np.ndarray
    repr_lr: np.ndarray
    repr_wd: np.ndarray
    decoder_lr: np.ndarray
    decoder_wd: np.ndarray

    def __post_init__(self):
        n = None
        for name in ("seed", "train_size", "repr_lr", "repr_wd", "decoder_lr", "decoder_wd"):
            arr = np.atleast_1d(np.asarray(getattr(self, name)))
            if arr.ndim != 1:
                raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
            if n is None:
                n = arr.size
            elif arr.size != n:
                raise ValueError(f"every RunBatch field needs {n} entries; {name} has {arr.size}")
            if name in ("seed", "train_size"):
                if arr.dtype.kind not in "iu":
                    raise TypeError(f"{name} must be integers, got dtype {arr.dtype}")
                if np.any(arr < (1 if name == "train_size" else 0)):
                    raise ValueError(f"{name} must be >= {1 if name == 'train_size' else 0}")
                arr = arr.astype(np.int64)
            else:
                arr = arr.astype(np.float64)
                if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                    raise ValueError(f"{name} must be finite and >= 0")
            object.__setattr__(self, name, arr)
        if n == 0:
            raise ValueError("a RunBatch needs at least one run")

    def __len__(self) -> int:
        return int(self.seed.size)

    def subset(self, index) -> RunBatch:
        return RunBatch(**{k: np.atleast_1d(getattr(self, k)[index]) for k in _BATCH_FIELDS})

    def to_dict(self) -> dict:
        return {k: getattr(self, k).tolist() for k in _BATCH_FIELDS}


_BATCH_FIELDS = ("seed", "train_size", "repr_lr", "repr_wd", "decoder_lr", "decoder_wd")


def make_batch(seeds, train_size=45, repr_lr=1e-3, repr_wd=0.0, decoder_lr=1e-4,
               decoder_wd=0.0) -> RunBatch:
    """The full grid (outer product) of the given values, seeds varying fastest.

    Examples
    --------
    >>> from validation.effective import make_batch
    >>> b = make_batch(range(2), train_size=[30, 45])
    >>> len(b), b.train_size.tolist(), b.seed.tolist()
    (4, [30, 30, 45, 45], [0, 1, 0, 1])
    """
    axes = [np.atleast_1d(np.asarray(v)) for v in
            (train_size, repr_lr, repr_wd, decoder_lr, decoder_wd, list(seeds))]
    grids = np.meshgrid(*axes, indexing="ij")
    flat = [g.ravel() for g in grids]
    return RunBatch(seed=flat[5].astype(np.int64), train_size=flat[0].astype(np.int64),
                    repr_lr=flat[1], repr_wd=flat[2], decoder_lr=flat[3], decoder_wd=flat[4])


@dataclass(frozen=True)
class ToyResult:
    """Outcome of a batch of toy-model runs (arrays have one row per run).

    Attributes
    ----------
    iter_train, iter_test, iter_rqi : ndarray of int
        First step at which each threshold was reached (-1: never).
    acc, test_acc, train_acc, rqi : ndarray
        Final metrics (after ``stop_step`` updates).
    acc_hat, acc_hat_test : ndarray
        Predicted accuracy of the final representation (over D0 / test set).
    diverged : ndarray of bool
        The training loss became non-finite (``diverged_step`` says when).
    history : dict of ndarray
        ``step`` (T,), and ``train_loss``, ``test_loss``, ``train_acc``,
        ``test_acc``, ``rqi`` (B, T), ``embedding`` (B, T, p, d_in).
    loss_curve : ndarray or None
        Training loss at every step (B, steps + 1) if requested.
    embedding : ndarray
        Final embeddings (B, p, d_in).
    train_sets : list of ndarray
        Training-sample indices of each run (into ``task.pairs``).
    stop_step : ndarray of int
        Updates applied to each run: ``steps`` unless it stopped early
        (``config.stop_when_decided``).
    """

    config: ToyConfig
    batch: RunBatch
    iter_train: np.ndarray
    iter_test: np.ndarray
    iter_rqi: np.ndarray
    acc: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    rqi: np.ndarray
    acc_hat: np.ndarray
    acc_hat_test: np.ndarray
    diverged: np.ndarray
    diverged_step: np.ndarray
    history: dict
    embedding: np.ndarray
    train_sets: list
    loss_curve: np.ndarray | None = None
    stop_step: np.ndarray | None = None
    timing: dict = field(default_factory=dict)

    def run(self, k: int) -> dict:
        """Summary of run ``k`` (JSON-able)."""
        def it(v):
            return None if v < 0 else int(v)
        return {
            "seed": int(self.batch.seed[k]), "train_size": int(self.batch.train_size[k]),
            "repr_lr": float(self.batch.repr_lr[k]), "repr_wd": float(self.batch.repr_wd[k]),
            "decoder_lr": float(self.batch.decoder_lr[k]),
            "decoder_wd": float(self.batch.decoder_wd[k]),
            "iter_train": it(self.iter_train[k]), "iter_test": it(self.iter_test[k]),
            "iter_rqi": it(self.iter_rqi[k]), "acc": float(self.acc[k]),
            "train_acc": float(self.train_acc[k]), "test_acc": float(self.test_acc[k]),
            "acc_hat": float(self.acc_hat[k]), "acc_hat_test": float(self.acc_hat_test[k]),
            "rqi": float(self.rqi[k]), "diverged": bool(self.diverged[k]),
            "diverged_step": it(self.diverged_step[k]),
            "stop_step": None if self.stop_step is None else int(self.stop_step[k]),
        }


# ----------------------------------------------------------------------------- setup
def _linear_init(rng, fan_in, shape, scale):
    bound = scale / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape)


def run_split(config: ToyConfig, seed: int, train_size: int) -> TrainingSplit:
    """The training split that run ``seed`` of :func:`train_toy` draws (before training).

    Stream ``SeedSequence(seed).spawn(4)[1]``; the split depends on ``(p, train_size,
    seed)`` only, so the theory of a run's split can be read before the run is trained.

    Examples
    --------
    >>> from validation.effective import ToyConfig, make_batch, run_split, train_toy
    >>> cfg = ToyConfig(steps=1, width=4)
    >>> res = train_toy(cfg, make_batch([3], train_size=20))
    >>> run_split(cfg, 3, 20).train.tolist() == res.train_sets[0].tolist()
    True
    """
    return random_split(config.task, train_size, np.random.SeedSequence(seed).spawn(4)[1])


def _init_run(config: ToyConfig, seed: int, train_size: int, split: TrainingSplit | None = None):
    """Templates, split, embeddings and decoder of one run from SeedSequence(seed).

    ``split`` replaces the run's own random split (its stream is still drawn, unused).
    """
    task = config.task
    s_templates, s_split, s_embed, s_decoder = np.random.SeedSequence(seed).spawn(4)
    templates = (np.random.default_rng(s_templates).standard_normal((task.n_classes,
                                                                     config.out_dim))
                 * config.label_scale)
    if split is None:
        split = random_split(task, train_size, s_split)
    emb = (np.random.default_rng(s_embed).random((task.p, config.d_in)) - 0.5) \
        * config.init_scale_repr
    rng = np.random.default_rng(s_decoder)
    w, d, o = config.width, config.d_in, config.n_outputs
    dec = [_linear_init(rng, d, (d, w), config.init_scale_decoder),
           _linear_init(rng, d, (1, w), config.init_scale_decoder),
           _linear_init(rng, w, (w, w), config.init_scale_decoder),
           _linear_init(rng, w, (1, w), config.init_scale_decoder),
           _linear_init(rng, w, (w, o), config.init_scale_decoder),
           _linear_init(rng, w, (1, o), config.init_scale_decoder)]
    return templates, split, emb, dec


class _Chunk:
    """State of a chunk of runs: parameters, Adam moments, data, recorders, scratch.

    Every array has one leading row per run, and every operation acts on each
    run's own slices, so runs can be removed (:meth:`select`) or chunks joined
    (:meth:`concat`) between steps without changing any run's numbers, as
    long as the padded training length ``n_max`` stays the same.

    Layout (per run): all parameters in one flat vector ``theta`` (so that
    AdamW is one fused pass), viewed as ``E (p, d)``, ``V1 (w, d)``,
    ``b1 (w, 1)``, ``V2 (w, w)``, ``b2 (w, 1)``, ``V3 (o, w)``, ``b3 (o, 1)``
    (weights stored ``(out, in)``, i.e. ``V = W^T`` of ``z = x W + b``);
    activations feature-major, ``(features, samples)``, training samples
    first.  With this layout the three ``w x w`` products of a step,
    ``V2 @ H1``, ``V2^T @ dZ2`` and ``dZ2 @ H1^T``, are the fastest BLAS
    variants measured here (``dZ2 @ W2^T`` on sample-major rows was ~1.6x slower).
    """

    #: Arrays with one leading row per run (None where unused by the loss).
    _ROWS = ("index", "n_train", "n_test", "ia", "ib", "labels", "row_weight", "templates",
             "lr", "wd", "theta", "m", "v", "grad", "it_train", "it_test", "it_rqi", "div_step",
             "xT", "h1T", "h2T", "outT", "gradT", "stats")

    def __init__(self, config: ToyConfig, batch: RunBatch, index: np.ndarray, n_max: int,
                 splits=None):
        self.config = config
        self.index = index
        task = config.task
        dt = _DTYPES[config.dtype]
        c = index.size
        S = task.n_samples
        inits = [_init_run(config, int(batch.seed[k]), int(batch.train_size[k]),
                           None if splits is None else splits[k]) for k in index]
        self.splits = [it[1] for it in inits]
        order = np.stack([np.concatenate([s.train, s.test]) for s in self.splits])  # (c, S)
        self.n_train = batch.train_size[index].astype(np.int64)
        self.n_test = S - self.n_train
        self.n_max = n_max
        pairs = task.pairs[order]                                                   # (c, S, 2)
        self.ia = np.ascontiguousarray(pairs[..., 0])
        self.ib = np.ascontiguousarray(pairs[..., 1])
        self.labels = task.labels[order]                                            # (c, S)
        out_scale = config.n_outputs if config.loss == "mse" else 1
        self.row_weight = np.where(np.arange(n_max)[None, :] < self.n_train[:, None],
                                   1.0 / (self.n_train[:, None] * out_scale), 0.0).astype(dt)
        self.templates = (np.stack([it[0] for it in inits]).astype(dt)             # (c, C, O)
                          if config.loss == "mse" else None)
        # parameters drawn as PyTorch's (in, out) matrices W, stored transposed
        parts = [np.stack([it[2] for it in inits])] + [
            np.stack([it[3][q].T for it in inits]) for q in range(6)]
        self._shapes = [a.shape[1:] for a in parts]
        self._sizes = np.cumsum([0] + [int(np.prod(s)) for s in self._shapes])
        self.theta = np.concatenate([a.reshape(c, -1) for a in parts], axis=1).astype(dt)
        self.m = np.zeros_like(self.theta)
        self.v = np.zeros_like(self.theta)
        self.grad = np.zeros_like(self.theta)      # forward writes gb3 already: carried along
        self.bounds = np.array([0, self._sizes[1], self._sizes[-1]], dtype=np.int64)
        self.lr = np.stack([batch.repr_lr[index], batch.decoder_lr[index]], axis=1).astype(dt)
        self.wd = np.stack([batch.repr_wd[index], batch.decoder_wd[index]], axis=1).astype(dt)
        self.quads = task.quads
        for name in ("it_train", "it_test", "it_rqi", "div_step"):
            setattr(self, name, np.full(c, -1, dtype=np.int64))
        w, o, d = config.width, config.n_outputs, config.d_in
        self.xT = np.zeros((c, d, S), dt)
        self.h1T = np.zeros((c, w, S), dt)
        self.h2T = np.zeros((c, w, S), dt)
        self.outT = np.zeros((c, o, S), dt)
        self.gradT = np.zeros((c, o, n_max), dt)
        self.stats = np.zeros((c, 5))
        self._bind()

    def _views(self, flat):
        c = flat.shape[0]
        views = [flat[:, a:b].reshape((c,) + s)
                 for a, b, s in zip(self._sizes[:-1], self._sizes[1:], self._shapes)]
        assert flat.size == 0 or all(np.shares_memory(v, flat) for v in views)
        return views

    def _bind(self):
        """Parameter and gradient views, and the backward scratch, for the current rows."""
        c, w, n, d = len(self), self.config.width, self.n_max, self.config.d_in
        self.E, *self.params = self._views(self.theta)
        self.grads = self._views(self.grad)
        self.dz2T = np.empty((c, w, n), self.theta.dtype)
        self.dz1T = np.empty((c, w, n), self.theta.dtype)
        self.dxT = np.empty((c, d, n), self.theta.dtype)
        V2, V3 = self.params[2], self.params[4]         # transposed views, made once
        self._T = (self.h2T[:, :, :n].transpose(0, 2, 1), V3.transpose(0, 2, 1),
                   self.h1T[:, :, :n].transpose(0, 2, 1), V2.transpose(0, 2, 1))

    def __len__(self) -> int:
        return int(self.index.size)

    def select(self, rows) -> _Chunk:
        """A new chunk with the runs ``rows`` (integer positions or a boolean mask), copied."""
        rows = np.asarray(rows)
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.intp)
        new = object.__new__(_Chunk)
        new.__dict__.update(self.__dict__)
        for name in self._ROWS:
            a = getattr(self, name)
            setattr(new, name, None if a is None else a[rows])
        new.splits = [self.splits[k] for k in rows]
        new._bind()
        return new

    @staticmethod
    def concat(chunks) -> _Chunk:
        """One chunk holding the runs of ``chunks`` in order (all at the same step)."""
        new = object.__new__(_Chunk)
        new.__dict__.update(chunks[0].__dict__)
        for name in _Chunk._ROWS:
            parts = [getattr(ch, name) for ch in chunks]
            setattr(new, name, None if parts[0] is None else np.concatenate(parts))
        new.splits = [s for ch in chunks for s in ch.splits]
        new._bind()
        return new

    # ------------------------------------------------------------------ passes
    def forward(self) -> None:
        """Forward pass on all samples: activations, output gradient and loss/accuracy sums."""
        V1, b1, V2, b2, V3, b3 = self.params
        _k.layer1_forward(self.E, self.ia, self.ib, V1, b1, self.xT, self.h1T)
        np.tanh(self.h1T, out=self.h1T)
        np.matmul(V2, self.h1T, out=self.h2T)
        self.h2T += b2
        np.tanh(self.h2T, out=self.h2T)
        np.matmul(V3, self.h2T, out=self.outT)
        if self.config.loss == "mse":
            _k.output_mse(self.outT, b3, self.templates, self.labels, self.n_train,
                          self.row_weight, self.gradT, self.grads[6], self.stats)
        else:
            _k.output_ce(self.outT, b3, self.labels, self.n_train, self.row_weight,
                         self.gradT, self.grads[6], self.stats)

    def backward(self) -> list:
        """Gradients of the training loss w.r.t. [E, V1, b1, V2, b2, V3, b3] (views of grad)."""
        gE, gV1, gb1, gV2, gb2, gV3, _ = self.grads
        h2n_t, V3_t, h1n_t, V2_t = self._T
        np.matmul(self.gradT, h2n_t, out=gV3)
        np.matmul(V3_t, self.gradT, out=self.dz2T)
        _k.tanh_backward(self.dz2T, self.h2T, gb2)
        np.matmul(self.dz2T, h1n_t, out=gV2)
        np.matmul(V2_t, self.dz2T, out=self.dz1T)
        _k.layer1_backward(self.dz1T, self.h1T, self.xT, self.params[0], self.ia, self.ib, gV1,
                           gb1, gE, self.dxT)
        return self.grads

    def adam_step(self, t: int):
        """One AdamW step (decoupled weight decay, PyTorch's update order), step count t >= 1.

        See :func:`validation._optim.adamw_update` (one fused pass, moments stored rescaled).
        """
        adamw_fused(self.theta, self.grad, self.m, self.v, self.lr, 1 - self.lr * self.wd,
                    self.bounds, t, self.config.betas, self.config.adam_eps)

    def metrics(self) -> dict:
        """Losses, accuracies and RQI of the current parameters (one value per run)."""
        st = self.stats
        return {"train_loss": st[:, 0], "test_loss": st[:, 1], "train_acc": st[:, 2],
                "test_acc": st[:, 3], "acc": st[:, 4],
                "rqi": _k.rqi(self.E, self.quads, self.config.rqi_delta)}


_HISTORY_KEYS = ("train_loss", "test_loss", "train_acc", "test_acc", "rqi")
_RECORDERS = {"iter_train": "it_train", "iter_test": "it_test", "iter_rqi": "it_rqi",
              "diverged_step": "div_step"}


def _finish(chunk: _Chunk, out: dict, metrics: dict, t: int, rows) -> None:
    """Write the final numbers of the runs ``rows`` of ``chunk``, stopped after ``t`` updates."""
    g = chunk.index[rows]
    for key, name in _RECORDERS.items():
        out[key][g] = getattr(chunk, name)[rows]
    for key in ("train_acc", "test_acc", "acc", "rqi"):
        out[key][g] = metrics[key][rows]
    out["embedding"][g] = chunk.E[rows]
    out["stop_step"][g] = t


def _advance(chunk: _Chunk, t0: int, t1: int, out: dict, progress=None) -> _Chunk:
    """Train ``chunk`` from step ``t0`` to ``t1``: metrics at t, then update t + 1.

    At ``t1 == steps`` the final metrics are taken too.  With
    ``stop_when_decided`` a run whose phase is decided at step t is finished
    there and removed from the chunk; the returned chunk holds the live runs.
    """
    cfg = chunk.config
    steps = cfg.steps
    hist = out["history"]
    done_steps = 0
    thresholds = np.array([cfg.train_acc_threshold, cfg.test_acc_threshold, cfg.rqi_threshold])
    stop = np.zeros(len(chunk), dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(t0, t1 + 1 if t1 == steps else t1):
            chunk.forward()
            mt = chunk.metrics()
            n_stop = _k.update_thresholds(chunk.stats, mt["rqi"], t, thresholds, chunk.it_train,
                                          chunk.it_test, chunk.it_rqi, chunk.div_step, stop)
            rows = chunk.index
            if out["loss_curve"] is not None:
                out["loss_curve"][rows, t] = mt["train_loss"]
            if t % cfg.record_every == 0 or t == steps:
                rec = t // cfg.record_every if t % cfg.record_every == 0 else -1
                for key in _HISTORY_KEYS:
                    hist[key][rows, rec] = mt[key]
                hist["embedding"][rows, rec] = chunk.E
            if t == steps:
                _finish(chunk, out, mt, t, np.arange(len(chunk)))
                chunk = chunk.select([])
                break
            if cfg.stop_when_decided and n_stop:
                stop = stop[:len(chunk)]
                _finish(chunk, out, mt, t, stop)
                done_steps += int(n_stop) * (steps - t)       # the budget they skip
                chunk = chunk.select(~stop)
                if not len(chunk):
                    break
            chunk.backward()
            chunk.adam_step(t + 1)
            done_steps += len(chunk)
    if progress is not None and done_steps:
        progress(done_steps)
    return chunk


#: Steps between two re-balancings of the chunks (runs stop within a segment at once).
_SEGMENT = 100


def _n_chunks(live: int, chunk_size: int, n_threads: int) -> int:
    return max(-(-live // chunk_size), min(n_threads, live))


def _rebalance(chunks, chunk_size: int, n_threads: int):
    """Live runs re-cut into balanced chunks, if the current cut is unbalanced."""
    chunks = [ch for ch in chunks if len(ch)]
    if not chunks:
        return chunks
    sizes = [len(ch) for ch in chunks]
    n = _n_chunks(sum(sizes), chunk_size, n_threads)
    if n == len(chunks) and max(sizes) - min(sizes) <= 1:
        return chunks
    merged = _Chunk.concat(chunks) if len(chunks) > 1 else chunks[0]
    return [merged.select(part) for part in np.array_split(np.arange(len(merged)), n)]


def _train_all(chunks, out, chunk_size: int, n_threads: int, progress=None) -> None:
    """Train every chunk over the whole budget, segment by segment, compacting as runs stop."""
    steps = chunks[0].config.steps
    ex = ThreadPoolExecutor(n_threads) if n_threads > 1 else None
    try:
        t0 = 0
        while chunks:
            t1 = min(t0 + _SEGMENT, steps)
            if ex is None:
                chunks = [_advance(ch, t0, t1, out, progress) for ch in chunks]
            else:
                step = functools.partial(_advance, t0=t0, t1=t1, out=out, progress=progress)
                chunks = list(ex.map(step, chunks))
            if t1 == steps:
                break
            t0 = t1
            chunks = _rebalance(chunks, chunk_size, n_threads)
    finally:
        if ex is not None:
            ex.shutdown()


def _check_splits(splits, task: ArithmeticTask, batch: RunBatch) -> list:
    """Given splits: one TrainingSplit of ``task`` per run, of the run's training size."""
    splits = list(splits)
    if len(splits) != len(batch):
        raise ValueError(f"splits must hold one TrainingSplit per run ({len(batch)}), "
                         f"got {len(splits)}")
    for k, sp in enumerate(splits):
        if not isinstance(sp, TrainingSplit) or sp.task != task:
            raise TypeError(f"splits[{k}] must be a TrainingSplit of the configured task "
                            f"(p={task.p}, modular={task.modular})")
        if sp.train_size != int(batch.train_size[k]):
            raise ValueError(f"splits[{k}] has {sp.train_size} training samples but run {k} "
                             f"has train_size {int(batch.train_size[k])}")
    return splits


def train_toy(config: ToyConfig = ToyConfig(), batch: RunBatch | None = None, *,
              chunk_size: int | None = None, n_threads: int | None = None, progress=None,
              splits=None) -> ToyResult:
    """Train a batch of independent toy models (one array program).

    Parameters
    ----------
    config : ToyConfig
        Settings shared by all runs.
    batch : RunBatch, optional
        Per-run seeds, training sizes and learning rates / weight decays
        (default: seed 0, the spec's defaults).
    chunk_size : int, optional
        Largest number of runs per chunk; default ``min(4, ceil(B / cores))``
        (chunks of 1-4 runs, ~1-3 MB of state, stay in a core's L2 cache and
        measured ~25% faster than 16 on a 2-core machine; smaller batches are
        split so that every core has a chunk).
    n_threads : int, optional
        Threads working on chunks (default ``min(os.cpu_count(), number of
        chunks)``).  BLAS is limited to one thread meanwhile, also when
        ``n_threads`` is 1: a multi-threaded BLAS on these small products made
        a single run 5-20x slower here.
    progress : callable, optional
        Called with a number of run-steps from time to time; the calls add up
        to ``B * steps`` (a run that stops early reports the budget it skips).
    splits : sequence of TrainingSplit, optional
        One training split per run (of ``config.task``, of the run's
        ``train_size``) replacing the run's random split; default: each run
        draws its own (:func:`run_split`).

    Returns
    -------
    ToyResult

    Notes
    -----
    Optimisers (PyTorch's, written out): with ``g`` the gradient, ``t`` the
    update count, ``lambda`` the weight decay,
    ``theta <- theta (1 - lr lambda)`` (AdamW's decoupled decay), then
    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2`` and
    ``theta <- theta - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.
    The embeddings use the same update with ``repr_wd`` (0 = plain Adam).

    Early stopping (``config.stop_when_decided``): at the first step t at which
    a run has reached both accuracy thresholds, or its training loss is
    non-finite, its final metrics are taken from the forward pass at t (after
    t updates, ``stop_step = t``) and the run leaves its chunk's arrays.  Every
    ``100`` steps the live runs are re-cut into balanced chunks over the
    threads.  A run's arithmetic is the same with or without stopping (its own
    slices only, the same padded training length), so ``iter_train``,
    ``iter_test`` and everything up to ``stop_step`` equal those of the
    uncensored run.

    Cost: ``sum(stop_step)`` run-steps (``B * steps`` without stopping), at
    about 5.8 M multiply-adds each for the defaults; removing a run copies its
    chunk (``~0.5 MB`` per run at width 200 in float32), at most once per
    stopping step, and re-cutting copies the live state at most once per
    100 steps, both far below the training cost of those steps.

    Examples
    --------
    >>> from validation.effective import ToyConfig, make_batch, train_toy
    >>> res = train_toy(ToyConfig(steps=20, width=16), make_batch([0, 1]))
    >>> res.iter_train.shape, bool(res.diverged.any()), res.stop_step.tolist()
    ((2,), False, [20, 20])
    """
    import time

    batch = make_batch([0]) if batch is None else batch
    if not isinstance(batch, RunBatch):
        raise TypeError(f"batch must be a RunBatch, got {type(batch).__name__}")
    task = config.task
    if np.any(batch.train_size > task.n_samples):
        raise ValueError(f"train_size must lie in [1, {task.n_samples}] (= |D0| for "
                         f"p={task.p}), got max {batch.train_size.max()}")
    B = len(batch)
    if splits is not None:
        splits = _check_splits(splits, task, batch)
    cores = os.cpu_count() or 1
    chunk_size = (min(4, -(-B // cores)) if chunk_size is None
                  else check_positive_int("chunk_size", chunk_size))
    n_chunks = -(-B // chunk_size)
    n_threads = min(cores, n_chunks) if n_threads is None else \
        check_positive_int("n_threads", n_threads)
    n_max = int(batch.train_size.max())
    T = len(range(0, config.steps + 1, config.record_every))
    T += 0 if config.steps % config.record_every == 0 else 1
    dt = _DTYPES[config.dtype]
    out = {
        "history": {k: np.full((B, T), np.nan) for k in _HISTORY_KEYS},
        "loss_curve": np.full((B, config.steps + 1), np.nan) if config.record_loss_curve
        else None,
        **{k: np.full(B, -1, dtype=np.int64) for k in
           ("iter_train", "iter_test", "iter_rqi", "diverged_step", "stop_step")},
        **{k: np.full(B, np.nan) for k in ("train_acc", "test_acc", "acc", "rqi")},
        "embedding": np.empty((B, task.p, config.d_in), dtype=dt),
    }
    out["history"]["embedding"] = np.full((B, T, task.p, config.d_in), np.nan, dtype=dt)
    steps_axis = np.unique(np.r_[np.arange(0, config.steps + 1, config.record_every),
                                 config.steps])
    t0 = time.perf_counter()
    chunks = [_Chunk(config, batch, np.arange(s, min(s + chunk_size, B)), n_max, splits)
              for s in range(0, B, chunk_size)]
    splits = [s for ch in chunks for s in ch.splits]
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    with single_threaded_blas():          # also for one thread: see the docstring
        _train_all(chunks, out, chunk_size, n_threads, progress)
    t_train = time.perf_counter() - t0
    from theory.effective.representation import predicted_accuracy

    acc_hat = np.full(B, np.nan)
    acc_hat_test = np.full(B, np.nan)
    diverged = out["diverged_step"] >= 0
    for k in range(B):
        emb = out["embedding"][k].astype(np.float64)
        if np.all(np.isfinite(emb)):
            acc_hat[k], acc_hat_test[k] = predicted_accuracy(emb, splits[k],
                                                             delta=config.rqi_delta)
    history = dict(out["history"])
    history["step"] = steps_axis
    run_steps = int(out["stop_step"].sum())
    return ToyResult(
        config=config, batch=batch, iter_train=out["iter_train"], iter_test=out["iter_test"],
        iter_rqi=out["iter_rqi"], acc=out["acc"], train_acc=out["train_acc"],
        test_acc=out["test_acc"], rqi=out["rqi"], acc_hat=acc_hat, acc_hat_test=acc_hat_test,
        diverged=diverged, diverged_step=out["diverged_step"], history=history,
        embedding=out["embedding"], train_sets=[s.train for s in splits],
        loss_curve=out["loss_curve"], stop_step=out["stop_step"],
        timing={"setup_s": t_setup, "train_s": t_train, "run_steps": run_steps,
                "run_steps_per_s": run_steps / t_train if t_train > 0 else float("inf"),
                "n_threads": n_threads, "chunk_size": chunk_size, "version": __version__},
    )
