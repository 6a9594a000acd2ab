"""A theory-agnostic sweep engine: named axes x seeds, evaluated chunk by chunk.

A :class:`Sweep` is the outer product of named :class:`Axis` values and a
list of seeds, cut into chunks of points.  :func:`run_sweep` evaluates a
function once per chunk, on any executor with the standard
:class:`concurrent.futures.Executor` interface (threads, processes, or a Dask
``distributed`` cluster through ``Client.get_executor()``), persists each
chunk's result atomically (temporary file + :func:`os.replace`) and assembles
one labelled :class:`SweepResult` (an array per variable with one dimension
per axis plus ``seed``; :meth:`SweepResult.to_xarray` gives an
``xarray.Dataset``).

Rerunning a sweep on the same store computes only the chunks that are
missing and returns an identical result: a chunk's values depend only on its
points, never on which worker ran it or when.

The chunk function receives the points of one chunk as a dict of 1-D arrays
(one entry per axis name and ``"seed"``) and returns a dict of arrays whose
first dimension is the number of points.  It must be a picklable module-level
callable (bind parameters with :func:`functools.partial`) for process and
Dask executors.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from concurrent.futures import BrokenExecutor, Executor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from theory._json import jsonable
from theory._version import __version__
from validation._io import atomic_path

__all__ = ["Axis", "Sweep", "SweepResult", "make_executor", "parse_axis", "run_sweep"]

_SCALES = ("linear", "log", "values")
_EXECUTORS = ("serial", "threads", "processes")


# ----------------------------------------------------------------------------- axes
@dataclass(frozen=True)
class Axis:
    """One named sweep axis.

    Parameters
    ----------
    name : str
        Axis name (a dimension of the result).
    values : sequence of float or int
        The values, in sweep order (at least one, all finite, no repeats).
    scale : {"linear", "log", "values"}
        How the values were made (a plot uses a log axis for ``"log"``).

    Examples
    --------
    >>> from validation.sweep import Axis
    >>> Axis.from_range("lr", 1e-4, 1e-2, 3, log=True).values
    (0.0001, 0.001, 0.01)
    >>> Axis("wd", [0, 5, 10]).values
    (0, 5, 10)
    """

    name: str
    values: tuple
    scale: str = "values"

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or self.name == "seed":
            raise ValueError(f"axis name must be a non-empty string other than 'seed', "
                             f"got {self.name!r}")
        if self.scale not in _SCALES:
            raise ValueError(f"scale must be one of {_SCALES}, got {self.scale!r}")
        vals = np.atleast_1d(np.asarray(self.values))
        if vals.ndim != 1 or vals.size == 0:
            raise ValueError(f"axis {self.name!r} needs a 1-D list of at least one value")
        if vals.dtype.kind not in "iuf" or not np.all(np.isfinite(vals)):
            raise ValueError(f"axis {self.name!r} values must be finite numbers, got "
                             f"{list(self.values)!r}")
        if np.unique(vals).size != vals.size:
            raise ValueError(f"axis {self.name!r} values must be distinct")
        if self.scale == "log" and np.any(vals <= 0):
            raise ValueError(f"log axis {self.name!r} needs values > 0")
        conv = int if vals.dtype.kind in "iu" else float
        object.__setattr__(self, "values", tuple(conv(v) for v in vals))

    @classmethod
    def from_range(cls, name, start, stop, num, log=False) -> Axis:
        """``num`` values from ``start`` to ``stop`` (inclusive), evenly in log space if ``log``."""
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
            raise ValueError(f"axis {name!r}: NUM must be an integer >= 1, got {num!r}")
        start, stop = float(start), float(stop)
        if log:
            if start <= 0 or stop <= 0:
                raise ValueError(f"log axis {name!r} needs START, STOP > 0")
            vals = np.geomspace(start, stop, int(num))
        else:
            vals = np.linspace(start, stop, int(num))
        vals = [float(f"{v:.12g}") for v in vals]   # 1e-4 stays 1e-4, not 9.999999999999999e-05
        return cls(name, vals, "log" if log else "linear")

    def to_dict(self) -> dict:
        return {"name": self.name, "values": list(self.values), "scale": self.scale}


def _number(text, name):
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"axis {name!r}: {text!r} is not a number") from None


def parse_axis(text: str, defaults=None, names=None, integer=()) -> Axis:
    """Parse ``NAME``, ``NAME=START:STOP:NUM[:log]`` or ``NAME=v1,v2,...``.

    Parameters
    ----------
    text : str
    defaults : mapping of str to Axis, optional
        The axis used for a bare ``NAME``.
    names : sequence of str, optional
        Allowed names (default: any).
    integer : sequence of str
        Names whose values must be integers.

    Returns
    -------
    Axis

    Examples
    --------
    >>> from validation.sweep import parse_axis
    >>> parse_axis("decoder-lr=1e-4:1e-2:3:log").values
    (0.0001, 0.001, 0.01)
    >>> parse_axis("wd=0,2.5,5").values
    (0.0, 2.5, 5.0)
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("an axis must be NAME, NAME=START:STOP:NUM[:log] or NAME=v1,v2,...")
    name, sep, spec = text.strip().partition("=")
    name = name.strip()
    if names is not None and name not in names:
        raise ValueError(f"unknown axis {name!r}; choose one of {', '.join(names)}")
    if not sep:
        if defaults is None or name not in defaults:
            raise ValueError(f"axis {name!r} has no default range; give NAME=START:STOP:NUM")
        return defaults[name]
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) in (3, 4) and "," not in spec:
        log = False
        if len(parts) == 4:
            if parts[3] not in ("log", "lin", "linear"):
                raise ValueError(f"axis {name!r}: the 4th field must be 'log', got {parts[3]!r}")
            log = parts[3] == "log"
        try:
            num = int(parts[2])
        except ValueError:
            raise ValueError(f"axis {name!r}: NUM must be an integer, got {parts[2]!r}") from None
        axis = Axis.from_range(name, _number(parts[0], name), _number(parts[1], name), num, log)
    elif len(parts) == 1:
        vals = [_number(v, name) for v in spec.split(",") if v.strip()]
        axis = Axis(name, vals, "values")
    else:
        raise ValueError(f"axis {name!r}: expected START:STOP:NUM[:log] or v1,v2,..., "
                         f"got {spec!r}")
    if name in integer:
        if any(float(v) != int(v) for v in axis.values):
            raise ValueError(f"axis {name!r} takes integers, got {list(axis.values)}")
        axis = Axis(name, [int(v) for v in axis.values], axis.scale)
    return axis


# ----------------------------------------------------------------------------- sweep
@dataclass(frozen=True)
class Sweep:
    """The grid ``axes x seeds`` cut into chunks of ``chunk_size`` points.

    Parameters
    ----------
    axes : sequence of Axis
    seeds : sequence of int
    chunk_size : int
        Points per chunk (one function call, one persisted file).
    config : dict
        Everything else that determines the values (JSON-able); it enters
        the :meth:`fingerprint` that guards a resumed store.

    Notes
    -----
    Points are ordered C-style over ``(*axes, seed)``: the seed varies
    fastest, so a chunk holds every seed of a few cells.

    Examples
    --------
    >>> from validation.sweep import Axis, Sweep
    >>> s = Sweep([Axis("a", [1, 2]), Axis("b", [10, 20, 30])], seeds=[0, 1], chunk_size=5)
    >>> s.shape, s.n_points, s.n_chunks
    ((2, 3, 2), 12, 3)
    >>> s.points(0)["b"].tolist(), s.points(0)["seed"].tolist()
    ([10, 10, 20, 20, 30], [0, 1, 0, 1, 0])
    """

    axes: tuple
    seeds: tuple = (0,)
    chunk_size: int = 16
    config: dict = field(default_factory=dict)

    def __post_init__(self):
        axes = tuple(self.axes)
        if not axes or not all(isinstance(a, Axis) for a in axes):
            raise TypeError("axes must be a non-empty sequence of Axis")
        names = [a.name for a in axes]
        if len(set(names)) != len(names):
            raise ValueError(f"axis names must be distinct, got {names}")
        seeds = tuple(int(s) for s in np.atleast_1d(np.asarray(self.seeds)))
        if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
            raise ValueError("seeds must be distinct integers >= 0 (at least one)")
        cs = self.chunk_size
        if isinstance(cs, bool) or not isinstance(cs, (int, np.integer)) or cs < 1:
            raise ValueError(f"chunk_size must be an integer >= 1, got {cs!r}")
        try:
            json.dumps(jsonable(self.config), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"config must be JSON-able: {exc}") from None
        object.__setattr__(self, "axes", axes)
        object.__setattr__(self, "seeds", seeds)
        object.__setattr__(self, "chunk_size", int(cs))

    @property
    def dims(self) -> tuple:
        return tuple(a.name for a in self.axes) + ("seed",)

    @property
    def shape(self) -> tuple:
        return tuple(len(a.values) for a in self.axes) + (len(self.seeds),)

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape))

    @property
    def n_chunks(self) -> int:
        return -(-self.n_points // self.chunk_size)

    def chunk_slice(self, k: int) -> slice:
        if not 0 <= k < self.n_chunks:
            raise IndexError(f"chunk {k} out of range 0..{self.n_chunks - 1}")
        return slice(k * self.chunk_size, min((k + 1) * self.chunk_size, self.n_points))

    def points(self, k: int) -> dict:
        """The points of chunk ``k``: a dict of 1-D arrays (axis names and ``"seed"``)."""
        sl = self.chunk_slice(k)
        idx = np.unravel_index(np.arange(sl.start, sl.stop), self.shape)
        out = {a.name: np.asarray(a.values)[i] for a, i in zip(self.axes, idx[:-1])}
        out["seed"] = np.asarray(self.seeds, dtype=np.int64)[idx[-1]]
        return out

    def to_dict(self) -> dict:
        return jsonable({"axes": [a.to_dict() for a in self.axes], "seeds": list(self.seeds),
                         "chunk_size": self.chunk_size, "config": self.config})

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of axes, seeds, chunk size and config."""
        text = json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class SweepResult:
    """Labelled result of a sweep: one array per variable over ``dims``.

    Attributes
    ----------
    dims : tuple of str
        Axis names then ``"seed"``.
    coords : dict of str to ndarray
        Values along each dimension.
    data : dict of str to ndarray
        Each of shape ``tuple(len(coords[d]) for d in dims) + extra``.
    attrs : dict
        JSON metadata: the sweep (axes, seeds, chunk size, config), its
        fingerprint and the toolkit version.
    stats : dict
        How this call got the result: ``chunks_total``, ``chunks_computed``,
        ``chunks_reused``, ``seconds`` (not part of the labelled data).
    """

    dims: tuple
    coords: dict
    data: dict
    attrs: dict
    stats: dict = field(default_factory=dict)

    def __getitem__(self, name) -> np.ndarray:
        return self.data[name]

    def to_xarray(self):
        """The result as an ``xarray.Dataset`` (needs the optional ``xarray``).

        Extra trailing dimensions of a variable are named ``{name}_dim{i}``.
        """
        try:
            import xarray as xr
        except ImportError:
            raise ImportError("to_xarray needs xarray: pip install 'grokking-theory[xarray]'") \
                from None
        nd = len(self.dims)
        data_vars = {k: (self.dims + tuple(f"{k}_dim{i}" for i in range(v.ndim - nd)), v)
                     for k, v in self.data.items()}
        return xr.Dataset(data_vars, coords=dict(self.coords),
                          attrs={"sweep": json.dumps(jsonable(self.attrs), sort_keys=True)})

    def save(self, path) -> str:
        """Write ``path`` (``.npz``: arrays + JSON attrs) atomically; return the path."""
        arrays = {f"data__{k}": v for k, v in self.data.items()}
        arrays.update({f"coord__{k}": np.asarray(v) for k, v in self.coords.items()})
        meta = json.dumps(jsonable({"dims": list(self.dims), "attrs": self.attrs}),
                          sort_keys=True, allow_nan=False)
        arrays["meta__json"] = np.frombuffer(meta.encode(), dtype=np.uint8)
        return _atomic_savez(os.fspath(path), arrays)

    @classmethod
    def load(cls, path) -> SweepResult:
        """Read a file written by :meth:`save`."""
        with np.load(os.fspath(path), allow_pickle=False) as f:
            meta = json.loads(bytes(f["meta__json"]).decode())
            data = {k[6:]: f[k] for k in f.files if k.startswith("data__")}
            coords = {k[7:]: f[k] for k in f.files if k.startswith("coord__")}
        return cls(tuple(meta["dims"]), coords, data, meta["attrs"])


# ----------------------------------------------------------------------------- storage
def _atomic_savez(path: str, arrays: dict) -> str:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:          # a file object: np.savez adds no ".npz" suffix
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
    return path


def _atomic_write_text(path: str, text: str) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)


class _Store:
    """A directory of chunk files ``chunk_000000.npz`` guarded by ``manifest.json``."""

    def __init__(self, root, sweep: Sweep):
        self.root = os.fspath(root)
        try:
            os.makedirs(self.root, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"store: cannot create directory {self.root!r}: {exc.strerror}") \
                from None
        manifest = os.path.join(self.root, "manifest.json")
        fp = sweep.fingerprint()
        if os.path.exists(manifest):
            with open(manifest, encoding="utf-8") as fh:
                old = json.load(fh)
            if old.get("fingerprint") != fp:
                raise ValueError(f"store {self.root!r} holds a different sweep (fingerprint "
                                 f"{str(old.get('fingerprint'))[:12]} vs {fp[:12]}): use a new "
                                 "directory or delete this one")
        else:
            _atomic_write_text(manifest, json.dumps(
                {"fingerprint": fp, "sweep": sweep.to_dict(), "version": __version__},
                indent=1, sort_keys=True))

    def path(self, k: int) -> str:
        return os.path.join(self.root, f"chunk_{k:06d}.npz")

    def load(self, k: int):
        p = self.path(k)
        if not os.path.exists(p):
            return None
        with np.load(p, allow_pickle=False) as f:
            return {name: f[name] for name in f.files}

    def save(self, k: int, values: dict) -> None:
        _atomic_savez(self.path(k), values)


# ----------------------------------------------------------------------------- execution
def make_executor(executor=None, *, scheduler=None, max_workers=None, connect_timeout=10.0):
    """An executor and a close function for ``executor`` / ``scheduler``.

    Parameters
    ----------
    executor : None, {"serial", "threads", "processes"} or concurrent.futures.Executor
        None is the local default, ``"processes"`` (spawned; on the batched
        toy model 35x faster than threads and 1.4x faster than serial on a
        loaded 2-core machine: ``benchmarks/sweep_speed.py``).  Threads suit
        chunk functions that spend their time in GIL-free code.
    scheduler : str, optional
        Address of a running Dask ``distributed`` scheduler
        (``tcp://host:8786``); needs the optional extra ``[distributed]``.
    max_workers : int, optional
        Local workers (default ``os.cpu_count()``).
    connect_timeout : float
        Seconds to wait for the scheduler.

    Returns
    -------
    (executor or None, close, description)
        ``None`` means serial evaluation in the calling thread.
    """
    if scheduler is not None:
        if executor is not None:
            raise ValueError("pass either executor or scheduler, not both")
        try:
            from distributed import Client
        except ImportError:
            raise ImportError("--scheduler needs Dask distributed: pip install "
                              "'grokking-theory[distributed]'") from None
        try:
            client = Client(scheduler, timeout=f"{float(connect_timeout)}s")
        except OSError as exc:
            raise ValueError(f"scheduler: cannot connect to {scheduler!r}: {exc}") from None
        return client.get_executor(), client.close, f"dask distributed at {scheduler}"
    if isinstance(executor, Executor):
        return executor, lambda: None, type(executor).__name__
    if executor is None:
        executor = "processes"
    if executor not in _EXECUTORS:
        raise ValueError(f"executor must be one of {_EXECUTORS}, an Executor or None, "
                         f"got {executor!r}")
    workers = max_workers or os.cpu_count() or 1
    if executor == "serial" or workers == 1:
        return None, lambda: None, "serial"
    if executor == "threads":
        ex = ThreadPoolExecutor(workers)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")   # no forked BLAS / thread state
        ex = ProcessPoolExecutor(workers, mp_context=ctx)
    return ex, lambda: ex.shutdown(wait=True, cancel_futures=True), f"{executor} x {workers}"


def _check_chunk(values, n, k):
    if not isinstance(values, dict) or not values:
        raise TypeError(f"the chunk function must return a non-empty dict of arrays "
                        f"(chunk {k} returned {type(values).__name__})")
    out = {}
    for name, v in values.items():
        arr = np.asarray(v)
        if arr.ndim == 0 or arr.shape[0] != n:
            raise ValueError(f"chunk {k}: variable {name!r} has shape {arr.shape}, its first "
                             f"dimension must be the {n} points of the chunk")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"chunk {k}: variable {name!r} must be numeric or bool, "
                            f"got dtype {arr.dtype}")
        out[str(name)] = arr
    return out


def _progress_bar(progress, total):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="pt", file=sys.stderr, desc="sweep", dynamic_ncols=True)


def run_sweep(sweep: Sweep, func, *, store=None, executor=None, scheduler=None,
              max_workers=None, progress=None) -> SweepResult:
    """Evaluate ``func`` on every chunk of ``sweep`` (resumable) and label the result.

    Parameters
    ----------
    sweep : Sweep
    func : callable
        ``func(points) -> dict of arrays`` (see the module docstring).
    store : path, optional
        Directory for the per-chunk results.  Chunks already there (from an
        interrupted or earlier run of the same sweep) are read, not
        recomputed; a store of a different sweep is refused.
    executor, scheduler, max_workers
        See :func:`make_executor`.
    progress : bool or None
        tqdm bar on stderr; None shows it when stderr is a terminal.

    Returns
    -------
    SweepResult
        ``stats`` records how many chunks were computed and reused.

    Notes
    -----
    Every chunk is written (temp file + ``os.replace``) as soon as it is
    done, by the calling process: killing a sweep loses at most the chunks in
    flight.  Results are assembled in chunk order, so the arrays do not
    depend on the executor or the completion order.

    Examples
    --------
    >>> import numpy as np
    >>> from validation.sweep import Axis, Sweep, run_sweep
    >>> def f(points):
    ...     return {"y": points["a"] * 10 + points["seed"]}
    >>> res = run_sweep(Sweep([Axis("a", [1, 2, 3])], seeds=[0, 1], chunk_size=4), f,
    ...                 executor="serial", progress=False)
    >>> res["y"].tolist()
    [[10, 11], [20, 21], [30, 31]]
    """
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep must be a Sweep, got {type(sweep).__name__}")
    if not callable(func):
        raise TypeError("func must be callable")
    t0 = time.perf_counter()
    st = _Store(store, sweep) if store is not None else None
    results = [None] * sweep.n_chunks
    if st is not None:
        for k in range(sweep.n_chunks):
            results[k] = st.load(k)
    missing = [k for k, r in enumerate(results) if r is None]
    reused = sweep.n_chunks - len(missing)
    bar = _progress_bar(progress, sweep.n_points)

    def finish(k, values):
        sl = sweep.chunk_slice(k)
        values = _check_chunk(values, sl.stop - sl.start, k)
        if st is not None:
            st.save(k, values)
        results[k] = values
        if bar is not None:
            bar.update(sl.stop - sl.start)

    if bar is not None and reused:
        bar.update(sum(sweep.chunk_slice(k).stop - sweep.chunk_slice(k).start
                       for k in range(sweep.n_chunks) if results[k] is not None))
    ex, close, description = (None, lambda: None, "none") if not missing else \
        make_executor(executor, scheduler=scheduler, max_workers=max_workers)
    try:
        if ex is None:
            for k in missing:
                finish(k, func(sweep.points(k)))
        else:
            futures = {ex.submit(func, sweep.points(k)): k for k in missing}
            try:
                for fut in as_completed(futures):
                    finish(futures[fut], fut.result())
            except BrokenExecutor as exc:
                raise RuntimeError(
                    f"a sweep worker died ({type(exc).__name__}); with the process executor "
                    "a script must call the sweep under `if __name__ == \"__main__\":` "
                    "(spawned workers re-import the main module), or pass "
                    "executor='serial'; finished chunks are kept in the store") from exc
    finally:
        close()
        if bar is not None:
            bar.close()
    return _assemble(sweep, results, {"chunks_total": sweep.n_chunks,
                                      "chunks_computed": len(missing), "chunks_reused": reused,
                                      "executor": description,
                                      "seconds": time.perf_counter() - t0})


def _assemble(sweep: Sweep, results: list, stats: dict) -> SweepResult:
    names = list(results[0])
    for k, r in enumerate(results):
        if sorted(r) != sorted(names):
            raise ValueError(f"chunk {k} returned variables {sorted(r)}, chunk 0 {sorted(names)}")
    data = {}
    for name in names:
        flat = np.concatenate([r[name] for r in results], axis=0)
        data[name] = flat.reshape(sweep.shape + flat.shape[1:])
    coords = {a.name: np.asarray(a.values) for a in sweep.axes}
    coords["seed"] = np.asarray(sweep.seeds, dtype=np.int64)
    attrs = {"sweep": sweep.to_dict(), "fingerprint": sweep.fingerprint(),
             "version": __version__}
    return SweepResult(sweep.dims, coords, data, attrs, stats)


# ----------------------------------------------------------------------------- BLAS guard
_BLAS_LOCK = threading.Lock()
_BLAS_USERS = [0, None]


@contextmanager
def one_blas_thread():
    """Hold BLAS to one thread while any chunk in this process runs (reference-counted).

    Sweep workers run chunks side by side; a multi-threaded BLAS inside each
    oversubscribes the cores (the toy model ran 17x slower on a loaded
    2-core machine).  Unlike a plain ``threadpool_limits`` block, concurrent
    chunks in one process share the limit and the last one out restores it.
    """
    from threadpoolctl import threadpool_limits

    with _BLAS_LOCK:
        if _BLAS_USERS[0] == 0:
            _BLAS_USERS[1] = threadpool_limits(limits=1, user_api="blas")
        _BLAS_USERS[0] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS_USERS[0] -= 1
            if _BLAS_USERS[0] == 0:
                _BLAS_USERS[1].restore_original_limits()
                _BLAS_USERS[1] = None
