"""One-at-a-time hyperparameter sweeps of t1 and t2 (the paper's Fig. 2).

Each sweep changes one of ``lam``, ``eta``, ``nu2``, ``n``, ``m`` from the
paper's defaults, measures ``t1`` and ``t2`` by explicit GD on every seed
(or on a documented subset of seeds, the rest by the exact closed form, which
equals GD to the integer), compares every GD time with the closed form, and
evaluates the Eq. (8) bounds at each point.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from theory._json import jsonable
from theory.ridge import bounds as _B
from theory.ridge import bounds_report, grokking_times, sample_problem
from validation.ridge.gd import simulate_gd

__all__ = ["PAPER_DEFAULTS", "SWEEP_GRIDS", "SweepResult", "sweep", "loglog_slope"]

#: The paper's Sec. 5.1 defaults.
PAPER_DEFAULTS = dict(n=100, m=1000, nu2=1.0, lam=1e-4, eta=1.0, eps=0.01, c=0.01)

#: Swept values for the full figure job and for ``quick`` mode.  Every grid
#: keeps ``eta lam <= 2^-9 ~ 2e-3`` (``2^-10`` in the full job), so the
#: ``-eta lam / 2`` correction to the ``t2 ~ 1/(eta lam)`` slope stays below the
#: 1e-3 slope tolerance after the fit averages it over the grid.
SWEEP_GRIDS = {
    "full": {"lam": [float(2.0 ** -k) for k in range(10, 17)],
             "eta": [0.25, 0.5, 1.0, 2.0, 4.0],
             "nu2": [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
             "n": [25, 50, 100, 200, 400],
             "m": [500, 1000, 2000, 4000]},
    "quick": {"lam": [float(2.0 ** -k) for k in range(9, 13)],
              "eta": [2.0, 4.0, 8.0, 16.0],
              "nu2": [0.5, 2.0, 8.0],
              "n": [50, 100, 200],
              "m": [500, 1000, 2000]},
}

_SHARED = ("lam", "eta", "nu2")     # sweeps whose points share each seed's features


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Measured times over one swept parameter.

    Attributes
    ----------
    parameter : str
        ``"lam"``, ``"eta"``, ``"nu2"``, ``"n"`` or ``"m"``.
    values : ndarray, (V,)
    seeds : tuple of int
        Problem seeds (rows of the arrays).
    t1, t2 : ndarray of int, (S, V)
        Measured times: explicit GD where ``gd`` is True, else the exact closed
        form.  ``t1 = -1``: no overfitting phase; ``t2 = -1``: not reached.
    exact_t1, exact_t2 : ndarray of int, (S, V)
        Closed-form times (``-1`` for None).
    gd : ndarray of bool, (S, V)
        Which entries were simulated.
    bounds : dict of str to ndarray (V,)
        Eq. (8): ``t1`` upper bound with the sample ``lmin_plus`` (mean over
        seeds of the per-seed bound), with the Marchenko-Pastur ``lmin_plus``,
        and the ``t2`` lower bound.
    failed_conditions : tuple of tuple of str
        Per value, the assumptions of Eq. (8) that fail (seed ``seeds[0]``),
        e.g. the paper's ``eta = 1`` breaks ``thm42_step_size``.
    defaults : dict
        The fixed parameters.
    horizon : tuple of int
        GD horizon of each simulated batch.
    seconds : float
    """

    parameter: str
    values: np.ndarray
    seeds: tuple
    t1: np.ndarray
    t2: np.ndarray
    exact_t1: np.ndarray
    exact_t2: np.ndarray
    gd: np.ndarray
    bounds: dict
    failed_conditions: tuple
    defaults: dict
    horizon: tuple
    seconds: float

    @property
    def agreement(self) -> dict:
        """GD runs and how many equal the closed form (integer equality)."""
        g = self.gd
        return {"runs": int(g.sum()), "t1_equal": int((self.t1 == self.exact_t1)[g].sum()),
                "t2_equal": int((self.t2 == self.exact_t2)[g].sum())}

    @property
    def method(self) -> str:
        """How the plotted times were obtained, in words."""
        a = self.agreement
        total = self.gd.size
        if a["runs"] == total:
            return (f"explicit GD on all {total} runs; each compared with the exact closed "
                    f"form: t1 equal on {a['t1_equal']}/{total}, t2 on {a['t2_equal']}/{total}")
        gd_seeds = [s for s, row in zip(self.seeds, self.gd, strict=True) if row.all()]
        return (f"exact closed form (equal to GD to the integer) on {total - a['runs']} runs; "
                f"explicit GD on {a['runs']} runs (seeds {gd_seeds}, every value) with t1 equal "
                f"on {a['t1_equal']}/{a['runs']} and t2 on {a['t2_equal']}/{a['runs']}")

    def summary(self) -> dict:
        """Mean, standard deviation and count over seeds of ``t1`` and ``t2`` per value.

        Entries ``-1`` (no overfitting phase / not generalized within the
        horizon) are left out; a value with none defined gets NaN.
        """
        out = {}
        for key in ("t1", "t2"):
            data = getattr(self, key).astype(float)
            cols = [col[col >= 0] for col in data.T]      # -1: none / not reached
            out[f"{key}_mean"] = np.array([c.mean() if c.size else np.nan for c in cols])
            out[f"{key}_std"] = np.array([c.std() if c.size else np.nan for c in cols])
            out[f"{key}_defined"] = np.array([c.size for c in cols])
        return out

    def to_dict(self) -> dict:
        """JSON-ready (arrays as lists, -1 sentinels kept)."""
        return jsonable({"parameter": self.parameter, "values": self.values,
                         "seeds": self.seeds, "t1": self.t1, "t2": self.t2,
                         "exact_t1": self.exact_t1, "exact_t2": self.exact_t2,
                         "gd": self.gd, "method": self.method, "agreement": self.agreement,
                         "bounds": self.bounds, "summary": self.summary(),
                         "failed_conditions": self.failed_conditions,
                         "defaults": self.defaults, "horizon": self.horizon,
                         "seconds": self.seconds})


def _sentinel(t):
    return -1 if t is None else int(t)


def _gd_horizon(e1, e2):
    """Horizon showing every exact time in the block, with a 1% margin."""
    last = max(int(e1.max()), int(e2.max()), 1)
    return int(np.ceil(1.01 * last)) + 2


def _chunks(horizons, overhead=1.5):
    """Split grid columns into batched GD calls of least modelled cost.

    A call costs its largest horizon times ``(overhead + width)`` in units of
    one column-step (``overhead``: Python and BLAS call latency, measured
    about 1.5 column-steps for 2-5 seeds at n = 100, m = 1000).  Geometric
    horizons (``lam``, ``eta`` grids: t2 ~ 1/(eta lam)) end up in separate
    calls, similar ones (``nu2``) in one.  Dynamic programming over the
    columns sorted by horizon, ``O(V^2)``.
    """
    order = np.argsort(horizons, kind="stable")
    h = np.asarray(horizons, float)[order]
    V = h.size
    best = np.full(V + 1, np.inf)
    best[0] = 0.0
    cut = np.zeros(V + 1, int)
    for end in range(1, V + 1):
        for start in range(end):
            cost = best[start] + h[end - 1] * (overhead + end - start)
            if cost < best[end]:
                best[end], cut[end] = cost, start
    chunks, end = [], V
    while end > 0:
        chunks.append([int(k) for k in order[cut[end]:end]])
        end = cut[end]
    return chunks[::-1]


def sweep(parameter, values, seeds, *, gd_seeds=None, defaults=None, progress=False
          ) -> SweepResult:
    """Measure t1 and t2 over one parameter, others at ``defaults``.

    Parameters
    ----------
    parameter : {"lam", "eta", "nu2", "n", "m"}
    values : sequence of float
        Values of ``parameter``.
    seeds : sequence of int
        Problem seeds (``sample_problem(..., seed=s)``).
    gd_seeds : sequence of int, optional
        Seeds simulated by explicit GD (every value); the others use the
        exact closed form.  Default: all seeds.
    defaults : dict, optional
        Fixed parameters; :data:`PAPER_DEFAULTS` by default.
    progress : bool
        Progress bar over the values of ``n`` / ``m`` sweeps.

    Returns
    -------
    SweepResult

    Raises
    ------
    ValueError
        For an unknown ``parameter``, empty ``values`` or ``seeds``, or
        ``gd_seeds`` not among ``seeds``.

    Notes
    -----
    For ``lam``, ``eta`` and ``nu2`` every seed's problem is shared by the
    grid, so one batched GD call runs ``S x V'`` runs (matrix-matrix
    products; ``nu2`` rescales the same standard-normal draw, see
    :func:`theory.ridge.sample_problem`); grid points with very different
    horizons go to separate calls (the geometric ``lam`` and ``eta`` grids).
    ``n`` and ``m`` change the shape: one GD call per value.  The GD horizon
    is the largest exact time of the batch plus 1%, so GD sees every crossing
    the closed form predicts.  Cost ``O(S V n m)`` per step, compute-bound for
    shared grids and memory-bound across seeds; the full Fig. 2 set (5 seeds,
    every run GD) takes about 2.5 min on 2 cores.

    Examples
    --------
    >>> from validation.ridge.sweeps import sweep
    >>> sw = sweep("lam", [2.0 ** -9, 2.0 ** -10], seeds=[0],
    ...            defaults=dict(n=20, m=200, nu2=1.0, lam=1e-3, eta=1.0, eps=0.01, c=0.01))
    >>> sw.agreement
    {'runs': 2, 't1_equal': 2, 't2_equal': 2}
    >>> bool(sw.t2[0, 1] > sw.t2[0, 0])
    True
    """
    from tqdm import tqdm

    t_start = time.perf_counter()
    d = dict(PAPER_DEFAULTS if defaults is None else defaults)
    if parameter not in ("lam", "eta", "nu2", "n", "m"):
        raise ValueError(f"parameter must be one of lam, eta, nu2, n, m; got {parameter!r}")
    values = np.asarray(list(values), dtype=float)
    seeds = tuple(int(s) for s in seeds)
    if values.size == 0:
        raise ValueError("values must not be empty")
    if not seeds:
        raise ValueError("seeds must not be empty")
    gd_seeds = seeds if gd_seeds is None else tuple(int(s) for s in gd_seeds)
    if not set(gd_seeds) <= set(seeds):
        raise ValueError(f"gd_seeds {gd_seeds} must be a subset of seeds {seeds}")
    S, V = len(seeds), values.size
    gd_rows = np.array([s in gd_seeds for s in seeds])
    e1, e2 = np.zeros((S, V), np.int64), np.zeros((S, V), np.int64)
    lmin = np.zeros((S, V))
    failed = []

    def setting(v):
        p = dict(d)
        p[parameter] = int(v) if parameter in ("n", "m") else float(v)
        return p

    def problem(p, seed):
        return sample_problem(p["n"], p["m"], p["nu2"], seed=seed)

    probs = [[problem(setting(v), s) for v in values] for s in seeds]
    for j, v in enumerate(values):
        p = setting(v)
        for i in range(S):
            ex = grokking_times(probs[i][j], lam=p["lam"], eta=p["eta"], eps=p["eps"], c=p["c"])
            e1[i, j], e2[i, j] = _sentinel(ex.t1), _sentinel(ex.t2)
            lmin[i, j] = probs[i][j].spectrum.lmin_plus
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rep = bounds_report(probs[0][j], lam=p["lam"], eta=p["eta"], eps=p["eps"], c=p["c"],
                                warn=False)
        failed.append(rep.t2_lower_eq8.failed)
    t1, t2 = e1.copy(), e2.copy()
    horizons = []
    rows = np.flatnonzero(gd_rows)
    if rows.size:
        if parameter in _SHARED:
            base = [problem(d, seeds[i]) for i in rows]
            for cols in _chunks([_gd_horizon(e1[rows, j], e2[rows, j]) for j in range(V)]):
                grid = values[None, cols]
                h = _gd_horizon(e1[np.ix_(rows, cols)], e2[np.ix_(rows, cols)])
                res = simulate_gd(
                    base, lam=grid if parameter == "lam" else d["lam"],
                    eta=grid if parameter == "eta" else d["eta"],
                    init_scale=np.sqrt(grid / d["nu2"]) if parameter == "nu2" else 1.0,
                    eps=d["eps"], c=d["c"], horizon=h)
                t1[np.ix_(rows, cols)], t2[np.ix_(rows, cols)] = res.t1, res.t2
                horizons.append(h)
        else:
            for j in tqdm(range(V), desc=f"sweep {parameter} (GD)", disable=not progress):
                p = setting(values[j])
                h = _gd_horizon(e1[rows, j], e2[rows, j])
                res = simulate_gd([probs[i][j] for i in rows], lam=p["lam"], eta=p["eta"],
                                  eps=p["eps"], c=p["c"], horizon=h)
                t1[rows, j], t2[rows, j] = res.t1, res.t2
                horizons.append(h)
    gd = np.broadcast_to(gd_rows[:, None], (S, V)).copy()
    grid_p = {k: (values if k == parameter else np.full(V, float(d[k])))
              for k in ("n", "m", "nu2", "lam", "eta", "eps")}
    with np.errstate(divide="ignore", invalid="ignore"):
        per_seed = _B.eq8_t1_upper(grid_p["n"], grid_p["m"], grid_p["nu2"], grid_p["eps"],
                                   grid_p["eta"], lmin)
        bounds = {
            "Eq. (8) t1 upper (sample lmin)": per_seed.mean(axis=0),
            "Eq. (8) t1 upper (Marchenko-Pastur)": _B.eq8_t1_upper(
                grid_p["n"], grid_p["m"], grid_p["nu2"], grid_p["eps"], grid_p["eta"]),
            "Eq. (8) t2 lower": _B.eq8_t2_lower(grid_p["n"], grid_p["m"], grid_p["nu2"],
                                                grid_p["eps"], grid_p["eta"], grid_p["lam"]),
        }
    return SweepResult(parameter=parameter, values=values, seeds=seeds, t1=t1, t2=t2,
                       exact_t1=e1, exact_t2=e2, gd=gd,
                       bounds={k: np.asarray(v, float) for k, v in bounds.items()},
                       failed_conditions=tuple(failed), defaults=d, horizon=tuple(horizons),
                       seconds=time.perf_counter() - t_start)


def loglog_slope(x, y) -> float:
    """Least-squares slope of ``ln y`` against ``ln x``.

    Parameters
    ----------
    x, y : array of positive float

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For fewer than two points or non-positive values.

    Notes
    -----
    ``numpy.polyfit`` of degree 1 on ``(ln x, ln y)``; ``O(len(x))``.  Used for
    ``d ln t2 / d ln lam`` and ``d ln t2 / d ln eta`` (theory: -1).

    Examples
    --------
    >>> from validation.ridge.sweeps import loglog_slope
    >>> round(loglog_slope([1, 2, 4], [8, 4, 2]), 12)
    -1.0
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must have the same length >= 2, got {x.shape}, {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0) or not np.all(np.isfinite(x * y)):
        raise ValueError("x and y must be finite and > 0 for a log-log slope")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
