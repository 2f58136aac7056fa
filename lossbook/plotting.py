"""The book's figure style in one place.

Call :func:`use_style` once at the top of a chapter, then draw with Matplotlib as usual or with
the helpers here. Sizes are chosen for the sphinx-book-theme content column (about 700 px wide):
a ``"single"`` figure is 6.4 × 4 in at 110 dpi (704 × 440 px), fonts are at least 11 pt.

Conventions every figure follows:

* **Units on the axes.** A loss or information axis says its unit: "loss (nats)", "H (bits)".
  :func:`label_axes` and :func:`loss_curve` add the unit for you.
* **Colour-blind-safe colours.** :data:`PALETTE` is the Okabe–Ito palette; index it
  (``PALETTE[0]``) or use the names (``PALETTE.vermillion``). It is also the colour cycle.
* **Alt text.** Every figure cell carries its alt text as cell metadata in the chapter source
  (``book/_src/NN-topic.py``)::

      # %% mystnb={"image": {"alt": "Cross-entropy H(p, q) over the 2-simplex: ..."}}

  The alt text says what the figure *shows* (the finding), not how it is drawn: "The loss
  falls from 2.3 nats to 0.1 nats; the smoothed curve levels off at 0.5 nats". ``tools/nb.py``
  copies it into the notebook and MyST-NB puts it on the ``<img>``.
* **Determinism.** ``svg.hashsalt`` is fixed; :func:`save` writes files without date or
  software metadata (Matplotlib has no rcParam for that), so saved figures are byte-for-byte
  reproducible. End each figure cell with ``plt.show()``.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib.tri import Triangulation

__all__ = ["PALETTE", "FIGSIZES", "use_style", "figure", "label_axes", "loss_curve",
           "simplex_heatmap", "barycentric_to_cartesian", "save"]

_Palette = namedtuple("_Palette", ["blue", "orange", "bluish_green", "vermillion",
                                   "reddish_purple", "sky_blue", "black", "yellow"])
PALETTE = _Palette("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
                   "#F0E442")
"""Okabe–Ito colours (Okabe and Ito 2008, "Color Universal Design"), indexable and named.

Yellow is last: it is hard to see on white, so use it for fills rather than lines.
"""

FIGSIZES = {"single": (6.4, 4.0), "wide": (9.0, 4.0), "square": (5.2, 5.2)}
"""Figure sizes in inches for :func:`figure`."""

STYLE = {
    "figure.figsize": FIGSIZES["single"],
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "grid.alpha": 0.8,
    "axes.axisbelow": True,
    "lines.linewidth": 2.0,
    "image.cmap": "viridis",
    "svg.hashsalt": "lossbook",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}


def use_style() -> None:
    """Apply the book's Matplotlib style (rcParams), including the Okabe–Ito colour cycle.

    >>> use_style()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["axes.spines.top"], mpl.rcParams["svg.hashsalt"]
    (False, 'lossbook')
    """
    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=list(PALETTE[:7]))


SAVEFIG_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                    "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}
"""Metadata that :func:`save` strips (Matplotlib has no rcParam for it)."""


def save(fig, path: str, format: str = "svg") -> None:
    """Save ``fig`` without dates or software versions in the file, so its bytes are reproducible.

    Together with the fixed ``svg.hashsalt`` of :func:`use_style`, saving the same figure twice
    gives identical files.
    """
    fig.savefig(path, format=format, metadata=SAVEFIG_METADATA.get(format, {}))


def figure(kind: str = "single", nrows: int = 1, ncols: int = 1, **kwargs):
    """A new figure of the book's size ``kind`` (``"single"``, ``"wide"`` or ``"square"``).

    Returns ``(fig, ax)`` like ``plt.subplots`` (``ax`` an array when ``nrows * ncols > 1``);
    other keyword arguments go to ``plt.subplots``.

    >>> fig, ax = figure("wide")
    >>> tuple(float(x) for x in fig.get_size_inches())
    (9.0, 4.0)
    >>> plt.close(fig)
    """
    if kind not in FIGSIZES:
        raise ValueError(f"kind must be one of {sorted(FIGSIZES)}, got {kind!r}")
    kwargs.setdefault("figsize", FIGSIZES[kind])
    return plt.subplots(nrows, ncols, **kwargs)


def _with_unit(label: str, unit: str | None) -> str:
    return label if unit is None else f"{label} ({unit})"


def label_axes(ax, xlabel: str, ylabel: str, unit: str | None = None):
    """Label both axes; ``unit`` (e.g. ``"nats"``, ``"bits"``) is appended to the y label.

    >>> fig, ax = plt.subplots()
    >>> _ = label_axes(ax, "q(x)", "information", unit="bits")
    >>> ax.get_ylabel()
    'information (bits)'
    >>> plt.close(fig)
    """
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_with_unit(ylabel, unit))
    return ax


def loss_curve(ax, x, curves: Mapping[str, Sequence[float]], xlabel: str, unit: str = "nats",
               ylabel: str = "loss", **plot_kwargs):
    """Plot several loss curves against ``x`` with Okabe–Ito colours and a legend.

    ``curves`` maps a legend label to y values. The y axis reads ``"loss (nats)"`` (or
    ``"(bits)"``, ...). Returns the list of ``Line2D``.

    >>> fig, ax = plt.subplots()
    >>> lines = loss_curve(ax, [0, 1, 2], {"train": [2.0, 1.0, 0.5]}, "epoch", unit="bits")
    >>> ax.get_ylabel(), lines[0].get_label()
    ('loss (bits)', 'train')
    >>> plt.close(fig)
    """
    lines = []
    for colour, (label, y) in zip(PALETTE, curves.items()):
        (line,) = ax.plot(x, y, color=colour, label=label, **plot_kwargs)
        lines.append(line)
    label_axes(ax, xlabel, ylabel, unit)
    if curves:
        ax.legend()
    return lines


_VERTICES = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def barycentric_to_cartesian(points) -> np.ndarray:
    """Map points of the 2-simplex, shape ``(..., 3)``, to the plane (equilateral triangle).

    Vertex ``e_1`` goes to (0, 0), ``e_2`` to (1, 0), ``e_3`` to (1/2, √3/2).

    >>> barycentric_to_cartesian([[1, 0, 0], [0, 1, 0], [1/3, 1/3, 1/3]]).round(4)
    array([[0.    , 0.    ],
           [1.    , 0.    ],
           [0.5   , 0.2887]])
    """
    return np.asarray(points, dtype=np.float64) @ _VERTICES


def _simplex_grid(resolution: int, margin: float) -> np.ndarray:
    """Barycentric grid points ``(i, j, k) / resolution`` pulled ``margin`` inside the simplex."""
    steps = [(i, j, resolution - i - j) for i in range(resolution + 1)
             for j in range(resolution + 1 - i)]
    grid = np.array(steps, dtype=np.float64) / resolution
    return (1 - 3 * margin) * grid + margin


def _evaluate_on(f: Callable, points: np.ndarray) -> np.ndarray:
    try:
        values = np.asarray(f(points), dtype=np.float64)
        if values.shape == (len(points),):
            return values
    except (ValueError, TypeError):
        pass
    return np.array([float(f(point)) for point in points])


def simplex_heatmap(ax, f: Callable, resolution: int = 120, margin: float = 1e-3,
                    vertex_labels: Sequence[str] = ("$e_1$", "$e_2$", "$e_3$"),
                    colorbar_label: str | None = "value (nats)", cmap: str = "viridis",
                    levels: int = 20, vmax: float | None = None, mark=None):
    r"""Draw a function of a probability vector over the 2-simplex as a filled triangle.

    The point :math:`q = (q_1, q_2, q_3)` is drawn at barycentric coordinates: the vertex labelled
    ``vertex_labels[i]`` is the one-hot vector :math:`e_{i+1}`. ``f`` is called with an array of
    shape ``(m, 3)`` and should return ``m`` values (if that fails, it is called on each point);
    the grid stays ``margin`` inside the triangle so that a logarithm never sees 0.

    Parameters
    ----------
    ax : matplotlib Axes
    f : callable
        ``f(q) -> values``, e.g. ``lambda q: info.cross_entropy(p, q)``.
    resolution : int
        Subdivisions per side (``resolution + 1`` points on each edge).
    margin : float
        How far inside the simplex the grid stays (barycentric units).
    vertex_labels : three str
    colorbar_label : str or None
        Label of the colour bar, with its unit ("H(p, q) (nats)"); None draws no colour bar.
    cmap, levels, vmax
        Colour map, number of contour levels, upper end of the colour scale.
    mark : array_like of shape (3,), optional
        A point to mark (for example the minimiser).

    Returns
    -------
    matplotlib.tri.TriContourSet
        The filled contours (``.colorbar`` holds the colour bar, if any).

    >>> import lossbook.info as info
    >>> fig, ax = plt.subplots()
    >>> contours = simplex_heatmap(ax, lambda q: info.entropy(q), colorbar_label="H(q) (nats)")
    >>> contours.colorbar.ax.get_ylabel()
    'H(q) (nats)'
    >>> plt.close(fig)
    """
    barycentric = _simplex_grid(resolution, margin)
    values = _evaluate_on(f, barycentric)
    xy = barycentric_to_cartesian(barycentric)
    triangulation = Triangulation(xy[:, 0], xy[:, 1])
    finite = values[np.isfinite(values)]
    top = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    bottom = float(finite.min()) if finite.size else 0.0
    contour_levels = np.linspace(bottom, top if top > bottom else bottom + 1.0, levels + 1)
    contours = ax.tricontourf(triangulation, np.clip(values, bottom, top), levels=contour_levels,
                              cmap=cmap)
    ax.plot(*np.vstack([_VERTICES, _VERTICES[:1]]).T, color="black", lw=1.0)
    offsets = [(-0.04, -0.05, "right"), (0.04, -0.05, "left"), (0.0, 0.04, "center")]
    for (x, y), (dx, dy, align), text in zip(_VERTICES, offsets, vertex_labels):
        ax.text(x + dx, y + dy, text, ha=align, va="center")
    if mark is not None:
        mx, my = barycentric_to_cartesian(mark)
        ax.plot(mx, my, marker="*", markersize=14, color=PALETTE.vermillion,
                markeredgecolor="white", linestyle="none")
    ax.set_aspect("equal")
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.1, np.sqrt(3) / 2 + 0.1)
    ax.axis("off")
    contours.colorbar = None
    if colorbar_label is not None:
        colorbar = ax.figure.colorbar(contours, ax=ax, shrink=0.8)
        # round ticks (the contour levels themselves fall on awkward numbers like 1.363)
        colorbar.set_ticks(MaxNLocator(nbins=6).tick_values(bottom, top))
        colorbar.ax.set_ylim(bottom, top)
        colorbar.set_label(colorbar_label)
        contours.colorbar = colorbar
    contours.simplex_values = values
    contours.simplex_points = barycentric
    return contours
