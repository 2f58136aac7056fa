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
from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.axes
import matplotlib.contour
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib.tri import Triangulation
from numpy.typing import ArrayLike

__all__ = [
    "PALETTE",
    "FIGSIZES",
    "use_style",
    "figure",
    "label_axes",
    "loss_curve",
    "simplex_heatmap",
    "barycentric_to_cartesian",
    "save",
]

_Palette = namedtuple(
    "_Palette",
    [
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "black",
        "yellow",
    ],
)
PALETTE = _Palette(
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"
)
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

    Returns
    -------
    None
        The style is global: it applies to every figure drawn afterwards.

    See Also
    --------
    figure : a new figure of one of the book's sizes.

    Notes
    -----
    The settings are ``STYLE``; the colour cycle is the first seven colours of
    :data:`PALETTE` (yellow is left out: it is hard to see on white).

    References
    ----------
    M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and presentations
    that are friendly to colorblind people" (2008), https://jfly.uni-koeln.de/color/.

    Examples
    --------
    >>> use_style()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["axes.spines.top"], mpl.rcParams["svg.hashsalt"]
    (False, 'lossbook')
    """
    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=list(PALETTE[:7]))


SAVEFIG_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}
"""Metadata that :func:`save` strips (Matplotlib has no rcParam for it)."""


def save(fig: mpl.figure.Figure, path: str, format: str = "svg") -> None:
    """Save ``fig`` without dates or software versions in the file, so its bytes are reproducible.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str
        Where to write it.
    format : str, default "svg"
        ``"svg"``, ``"png"`` or ``"pdf"`` (any format Matplotlib writes; only these three have
        metadata to strip).

    Returns
    -------
    None

    See Also
    --------
    use_style : fixes ``svg.hashsalt``, the other source of differences between saves.

    Notes
    -----
    Together with the fixed ``svg.hashsalt`` of :func:`use_style`, saving the same figure twice
    gives identical files.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> use_style()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = [pathlib.Path(folder) / name for name in ("a.svg", "b.svg")]
    ...     for path in paths:
    ...         save(fig, str(path))
    ...     contents = [path.read_bytes() for path in paths]
    >>> contents[0] == contents[1]
    True
    >>> plt.close(fig)
    """
    fig.savefig(path, format=format, metadata=SAVEFIG_METADATA.get(format, {}))


def figure(
    kind: str = "single", nrows: int = 1, ncols: int = 1, **kwargs
) -> tuple[mpl.figure.Figure, mpl.axes.Axes | np.ndarray]:
    """A new figure of the book's size ``kind``, like ``plt.subplots``.

    Parameters
    ----------
    kind : {"single", "wide", "square"}, default "single"
        The size, from :data:`FIGSIZES` (inches).
    nrows, ncols : int, default 1
        The grid of axes.
    **kwargs
        Passed to ``plt.subplots`` (an explicit ``figsize`` wins over ``kind``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes or numpy.ndarray of them
        An array when ``nrows * ncols > 1``.

    Raises
    ------
    ValueError
        If ``kind`` is not one of the sizes.

    See Also
    --------
    use_style

    Examples
    --------
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


def label_axes(
    ax: mpl.axes.Axes, xlabel: str, ylabel: str, unit: str | None = None
) -> mpl.axes.Axes:
    """Label both axes; ``unit`` (e.g. ``"nats"``, ``"bits"``) is appended to the y label.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    xlabel, ylabel : str
        The labels (put the x axis's unit in ``xlabel`` yourself).
    unit : str, optional
        The y axis's unit, shown as ``"ylabel (unit)"``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    See Also
    --------
    loss_curve

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = label_axes(ax, "q(x)", "information", unit="bits")
    >>> ax.get_ylabel()
    'information (bits)'
    >>> plt.close(fig)
    """
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_with_unit(ylabel, unit))
    return ax


def loss_curve(
    ax: mpl.axes.Axes,
    x: ArrayLike,
    curves: Mapping[str, Sequence[float]],
    xlabel: str,
    unit: str = "nats",
    ylabel: str = "loss",
    **plot_kwargs,
) -> list:
    """Plot several loss curves against ``x`` with Okabe–Ito colours and a legend.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    x : array_like
        The common x values.
    curves : mapping of str to sequence of float
        Legend label -> y values, in drawing order (at most 8: one colour each).
    xlabel : str
        The x axis's label, with its unit.
    unit : str, default "nats"
        The y axis's unit.
    ylabel : str, default "loss"
        The y axis's label, before the unit.
    **plot_kwargs
        Passed to ``ax.plot`` for every curve.

    Returns
    -------
    list of matplotlib.lines.Line2D
        One line per curve.

    See Also
    --------
    label_axes

    Examples
    --------
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


def barycentric_to_cartesian(points: ArrayLike) -> np.ndarray:
    r"""Map points of the 2-simplex, shape ``(..., 3)``, to the plane (an equilateral triangle).

    .. math:: (x, y) = q_1 v_1 + q_2 v_2 + q_3 v_3, \quad v_1 = (0, 0),\ v_2 = (1, 0),\
              v_3 = (1/2, \sqrt3/2).

    Parameters
    ----------
    points : array_like, shape ``(..., 3)``
        Barycentric coordinates (probability vectors).

    Returns
    -------
    numpy.ndarray, shape ``(..., 2)``
        Cartesian coordinates.

    See Also
    --------
    simplex_heatmap

    Examples
    --------
    >>> barycentric_to_cartesian([[1, 0, 0], [0, 1, 0], [1/3, 1/3, 1/3]]).round(4)
    array([[0.    , 0.    ],
           [1.    , 0.    ],
           [0.5   , 0.2887]])
    """
    return np.asarray(points, dtype=np.float64) @ _VERTICES


def _simplex_grid(resolution: int, margin: float) -> np.ndarray:
    """Barycentric grid points ``(i, j, k) / resolution`` pulled ``margin`` inside the simplex."""
    steps = [
        (i, j, resolution - i - j) for i in range(resolution + 1) for j in range(resolution + 1 - i)
    ]
    grid = np.array(steps, dtype=np.float64) / resolution
    return (1 - 3 * margin) * grid + margin


def _evaluate_on(f: Callable, points: np.ndarray) -> np.ndarray:
    """``f`` on all points at once if it accepts an ``(m, 3)`` array, else point by point."""
    try:
        values = np.asarray(f(points), dtype=np.float64)
        if values.shape == (len(points),):
            return values
    except (ValueError, TypeError):
        pass
    return np.array([float(f(point)) for point in points])


def _colour_range(values: np.ndarray, vmax: float | None) -> tuple[float, float]:
    """The colour scale: from the smallest finite value to ``vmax`` (default: the largest)."""
    finite = values[np.isfinite(values)]
    top = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    bottom = float(finite.min()) if finite.size else 0.0
    return bottom, top


def _draw_triangle(ax: mpl.axes.Axes, vertex_labels: Sequence[str]) -> None:
    """The simplex's outline and its vertex labels."""
    ax.plot(*np.vstack([_VERTICES, _VERTICES[:1]]).T, color="black", lw=1.0)
    offsets = [(-0.04, -0.05, "right"), (0.04, -0.05, "left"), (0.0, 0.04, "center")]
    for (x, y), (dx, dy, align), text in zip(_VERTICES, offsets, vertex_labels):
        ax.text(x + dx, y + dy, text, ha=align, va="center")


def _mark_point(ax: mpl.axes.Axes, point: ArrayLike) -> None:
    mx, my = barycentric_to_cartesian(point)
    ax.plot(
        mx, my, marker="*", markersize=14, color=PALETTE.vermillion, markeredgecolor="white",
        linestyle="none",
    )  # fmt: skip


def _frame_triangle(ax: mpl.axes.Axes) -> None:
    ax.set_aspect("equal")
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.1, np.sqrt(3) / 2 + 0.1)
    ax.axis("off")


def _add_colorbar(ax: mpl.axes.Axes, contours, bottom: float, top: float, label: str):
    colorbar = ax.figure.colorbar(contours, ax=ax, shrink=0.8)
    # round ticks (the contour levels themselves fall on awkward numbers like 1.363)
    colorbar.set_ticks(MaxNLocator(nbins=6).tick_values(bottom, top))
    colorbar.ax.set_ylim(bottom, top)
    colorbar.set_label(label)
    return colorbar


def simplex_heatmap(
    ax: mpl.axes.Axes,
    f: Callable,
    resolution: int = 120,
    margin: float = 1e-3,
    vertex_labels: Sequence[str] = ("$e_1$", "$e_2$", "$e_3$"),
    colorbar_label: str | None = "value (nats)",
    cmap: str = "viridis",
    levels: int = 20,
    vmax: float | None = None,
    mark: ArrayLike | None = None,
) -> mpl.contour.ContourSet:
    r"""Draw a function of a probability vector over the 2-simplex as a filled triangle.

    The point :math:`q = (q_1, q_2, q_3)` is drawn at barycentric coordinates: the vertex
    labelled ``vertex_labels[i]`` is the one-hot vector :math:`e_{i+1}`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes (its frame is switched off).
    f : callable
        ``f(q) -> values``, e.g. ``lambda q: info.cross_entropy(p, q)``. It is called with an
        array of shape ``(m, 3)`` and should return ``m`` values; if that fails, it is called on
        each point.
    resolution : int, default 120
        Subdivisions per side (``resolution + 1`` points on each edge).
    margin : float, default 1e-3
        How far inside the simplex the grid stays (barycentric units), so that a logarithm
        never sees 0.
    vertex_labels : sequence of three str, default ("$e_1$", "$e_2$", "$e_3$")
        Labels of the vertices.
    colorbar_label : str or None, default "value (nats)"
        Label of the colour bar, with its unit ("H(p, q) (nats)"); None draws no colour bar.
    cmap : str, default "viridis"
        Colour map.
    levels : int, default 20
        Number of contour levels.
    vmax : float, optional
        Upper end of the colour scale (default: the largest finite value); larger values are
        clipped to it.
    mark : array_like of shape (3,), optional
        A point to mark with a star (for example the minimiser).

    Returns
    -------
    matplotlib.tri.TriContourSet
        The filled contours; ``.colorbar`` holds the colour bar (or None),
        ``.simplex_values`` and ``.simplex_points`` the values and the grid.

    See Also
    --------
    barycentric_to_cartesian

    Notes
    -----
    Non-finite values (an infinite cross-entropy at the boundary, say) are clipped into the
    colour range rather than left blank.

    Examples
    --------
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
    bottom, top = _colour_range(values, vmax)
    contour_levels = np.linspace(bottom, top if top > bottom else bottom + 1.0, levels + 1)
    contours = ax.tricontourf(
        Triangulation(xy[:, 0], xy[:, 1]), np.clip(values, bottom, top), levels=contour_levels,
        cmap=cmap,
    )  # fmt: skip
    _draw_triangle(ax, vertex_labels)
    if mark is not None:
        _mark_point(ax, mark)
    _frame_triangle(ax)
    contours.colorbar = None
    if colorbar_label is not None:
        contours.colorbar = _add_colorbar(ax, contours, bottom, top, colorbar_label)
    contours.simplex_values = values
    contours.simplex_points = barycentric
    return contours
