"""One plotting path for every phase diagram: categorical maps, value maps, boundaries.

Cells are drawn with ``pcolormesh`` on edges placed halfway between grid
values (geometrically on a log axis), so analytic boundaries drawn over a map
(``lam*``, the critical line) sit in the same data coordinates as the cells.
Every function takes an ``ax`` and returns its artists.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PHASE_COLORS", "cell_edges", "grid_title", "plot_boundary", "plot_phase_map",
           "plot_value_map", "save_map_figure"]

#: Colours of the learning phases (Liu et al. 2022, Fig. 6 palette) and of the kernel phases.
PHASE_COLORS = {
    "comprehension": "#a0da39", "grokking": "#fde725", "memorization": "#46327e",
    "confusion": "#1e1e1e", "diverged": "#bdbdbd",
    "GFL": "#3b528b", "GMFL-I": "#21918c", "GMFL-II": "#fde725",
}


def cell_edges(values, scale="linear") -> np.ndarray:
    """Edges of the cells centred on ``values`` (midpoints; geometric on a log scale).

    Examples
    --------
    >>> from validation._phase_plot import cell_edges
    >>> cell_edges([0, 1, 2]).tolist()
    [-0.5, 0.5, 1.5, 2.5]
    >>> [round(float(v), 6) for v in cell_edges([1e-4, 1e-3], "log")]
    [3.2e-05, 0.000316, 0.003162]
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError("values must be a non-empty 1-D sequence")
    if scale == "log":
        if np.any(v <= 0):
            raise ValueError("log-scaled values must be > 0")
        return np.exp(cell_edges(np.log(v), "linear"))
    if v.size == 1:
        half = 0.5 * abs(v[0]) if v[0] != 0 else 0.5
        return np.array([v[0] - half, v[0] + half])
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def _axes_setup(ax, x_scale, y_scale, xlabel, ylabel, xe, ye):
    """Scales, labels, and limits fixed to the cells (boundaries drawn later do not widen them)."""
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log" if x_scale == "log" else "linear")
    ax.set_yscale("log" if y_scale == "log" else "linear")
    for axis, scale in ((ax.xaxis, x_scale), (ax.yaxis, y_scale)):
        if scale == "log":
            axis.set_minor_formatter(NullFormatter())
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    ax.set_autoscale_on(False)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)


def plot_phase_map(ax, x, y, labels, *, categories, x_scale="linear", y_scale="linear",
                   hatched=None, hatch_label="censored", xlabel=None, ylabel=None,
                   legend=True) -> dict:
    """Colour each cell of a grid by its category (phase name).

    Parameters
    ----------
    ax : matplotlib Axes
    x, y : sequence of float
        Grid values (``len(x)`` columns, ``len(y)`` rows).
    labels : array-like of str, shape (len(y), len(x))
        Category of each cell (None: no data, left blank).
    categories : sequence of str
        Legend order; each needs a colour in :data:`PHASE_COLORS`.
    x_scale, y_scale : {"linear", "log"}
    hatched : array-like of bool, optional
        Cells to hatch (e.g. censored outcomes).
    legend : bool

    Returns
    -------
    dict
        ``mesh``, ``hatch`` (or None), ``legend`` (or None).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from validation._phase_plot import plot_phase_map
    >>> ax = Figure().add_subplot()
    >>> art = plot_phase_map(ax, [1, 2], [0, 1], [["grokking", "memorization"],
    ...                      ["comprehension", "confusion"]],
    ...                      categories=["comprehension", "grokking", "memorization", "confusion"])
    >>> sorted(art)
    ['hatch', 'legend', 'mesh']
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    categories = list(categories)
    missing = [c for c in categories if c not in PHASE_COLORS]
    if missing:
        raise ValueError(f"no colour for categories {missing}")
    lab = np.asarray(labels, dtype=object)
    if lab.shape != (len(y), len(x)):
        raise ValueError(f"labels must have shape (len(y), len(x)) = ({len(y)}, {len(x)}), "
                         f"got {lab.shape}")
    unknown = {v for v in lab.ravel() if v is not None and v not in categories}
    if unknown:
        raise ValueError(f"labels {sorted(unknown)} are not among categories {categories}")
    codes = np.ma.masked_invalid(np.array(
        [[np.nan if v is None else categories.index(v) for v in row] for row in lab], float))
    cmap = ListedColormap([PHASE_COLORS[c] for c in categories])
    norm = BoundaryNorm(np.arange(len(categories) + 1) - 0.5, len(categories))
    xe, ye = cell_edges(x, x_scale), cell_edges(y, y_scale)
    mesh = ax.pcolormesh(xe, ye, codes, cmap=cmap, norm=norm, edgecolors="white",
                         linewidth=0.3)
    handles = [Patch(facecolor=PHASE_COLORS[c], edgecolor="0.5", label=c) for c in categories
               if np.any(lab == c)]
    hatch = _hatch(ax, xe, ye, hatched, lab.shape, hatch_label, handles)
    _axes_setup(ax, x_scale, y_scale, xlabel, ylabel, xe, ye)
    leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    fontsize="small", frameon=False) if legend and handles else None
    return {"mesh": mesh, "hatch": hatch, "legend": leg}


def _hatch(ax, xe, ye, hatched, shape, label, handles):
    """Hatch the cells where ``hatched`` is true; append a legend patch to ``handles``."""
    from matplotlib.patches import Patch

    if hatched is None:
        return None
    mask = np.asarray(hatched, dtype=bool)
    if mask.shape != tuple(shape):
        raise ValueError(f"hatched must have shape {tuple(shape)}, got {mask.shape}")
    if not mask.any():
        return None
    from matplotlib.patches import Rectangle

    art = []
    for i, j in zip(*np.nonzero(mask)):             # one unfilled hatched rectangle per cell
        art.append(ax.add_patch(Rectangle((xe[j], ye[i]), xe[j + 1] - xe[j], ye[i + 1] - ye[i],
                                          fill=False, hatch="///", edgecolor="0.65",
                                          linewidth=0)))
    handles.append(Patch(facecolor="white", edgecolor="0.4", hatch="///", label=label))
    return art


def plot_value_map(ax, x, y, values, *, x_scale="linear", y_scale="linear", log_values=True,
                   label=None, xlabel=None, ylabel=None, cmap="viridis",
                   missing_label="undefined", hatched=None, hatch_label="hatched") -> dict:
    """Colour each cell by a number (log10 colour scale by default); NaN cells grey.

    Parameters
    ----------
    ax : matplotlib Axes
    x, y : sequence of float
    values : array-like, shape (len(y), len(x))
        NaN (or None) marks an undefined cell.
    log_values : bool
        Colour by ``log10(value)`` (values ``<= 0`` count as undefined).
    label : str, optional
        Colour-bar label.

    hatched : array-like of bool, optional
        Cells to hatch (e.g. where a bound certifies the phase).

    Returns
    -------
    dict
        ``mesh``, ``colorbar``, ``hatch`` and ``handles`` (legend patches for
        the undefined and hatched cells).

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from validation._phase_plot import plot_value_map
    >>> ax = Figure().add_subplot()
    >>> art = plot_value_map(ax, [1, 10], [1, 2], np.array([[10.0, np.nan], [100.0, 1e3]]),
    ...                      x_scale="log")
    >>> int(art["mesh"].get_array().count())
    3
    """
    from matplotlib.patches import Patch

    z = np.array(values, dtype=float)
    if z.shape != (len(y), len(x)):
        raise ValueError(f"values must have shape ({len(y)}, {len(x)}), got {z.shape}")
    if log_values:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(z > 0, np.log10(z), np.nan)
    zm = np.ma.masked_invalid(z)
    xe, ye = cell_edges(x, x_scale), cell_edges(y, y_scale)
    ax.set_facecolor("0.85")
    mesh = ax.pcolormesh(xe, ye, zm, cmap=cmap, shading="flat")
    cb = ax.figure.colorbar(mesh, ax=ax, pad=0.02)
    if label:
        cb.set_label(f"log10 {label}" if log_values else label)
    handles = [Patch(facecolor="0.85", edgecolor="0.5", label=missing_label)] \
        if zm.mask.any() else []
    hatch = _hatch(ax, xe, ye, hatched, z.shape, hatch_label, handles)
    _axes_setup(ax, x_scale, y_scale, xlabel, ylabel, xe, ye)
    return {"mesh": mesh, "colorbar": cb, "hatch": hatch, "handles": handles}


def plot_boundary(ax, x, y, *, label, color="white", linestyle="-", **kwargs):
    """Draw an analytic boundary ``y(x)`` (NaN breaks the line) over a map; return the line.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from validation._phase_plot import plot_boundary
    >>> ax = Figure().add_subplot()
    >>> plot_boundary(ax, [1, 2], [3, 4], label="b").get_label()
    'b'
    """
    (line,) = ax.plot(np.asarray(x, float), np.asarray(y, float), color=color,
                      linestyle=linestyle, linewidth=kwargs.pop("linewidth", 2.0),
                      label=label, **kwargs)
    return line


def grid_title(x: dict, y: dict, extra="") -> str:
    """``"NX x NY grid"`` plus ``extra``, for a figure title."""
    text = f"{len(x['values'])} x {len(y['values'])} grid"
    return f"{text}, {extra}" if extra else text


def save_map_figure(draw, out_dir, name, sidecar, *, size=(7.0, 5.0)) -> list:
    """Make a one-panel figure, let ``draw(ax)`` fill it, save PNG, PDF and JSON sidecar.

    Returns the written paths (:func:`validation._io.save_figure`).
    """
    from matplotlib.figure import Figure

    from validation._io import make_out_dir, save_figure

    fig = Figure(figsize=size, layout="constrained")
    draw(fig.add_subplot())
    return save_figure(fig, make_out_dir(out_dir), name, sidecar)
