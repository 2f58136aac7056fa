"""lossbook.plotting: the style applies, helpers label axes with units, the simplex heat map puts
each vertex where barycentric coordinates say (Agg backend)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lossbook.plotting as lbplot  # noqa: E402


@pytest.fixture(autouse=True)
def clean_style():
    with mpl.rc_context():
        yield
    plt.close("all")


def test_use_style_sets_sizes_fonts_spines_and_determinism():
    lbplot.use_style()
    assert tuple(mpl.rcParams["figure.figsize"]) == (6.4, 4.0)
    assert mpl.rcParams["figure.dpi"] == 110
    assert mpl.rcParams["font.size"] >= 11 and mpl.rcParams["xtick.labelsize"] >= 11
    assert not mpl.rcParams["axes.spines.top"] and not mpl.rcParams["axes.spines.right"]
    assert mpl.rcParams["axes.grid"]
    assert mpl.rcParams["svg.hashsalt"] == "lossbook"
    colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    assert colours[0].lower() == lbplot.PALETTE[0].lower() == "#0072b2"


def test_palette_is_okabe_ito_indexable_and_named():
    okabe_ito = {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert set(lbplot.PALETTE) == okabe_ito and len(lbplot.PALETTE) == 8
    assert lbplot.PALETTE.vermillion == "#D55E00" and lbplot.PALETTE[6] == "#000000"


def test_figure_kinds():
    for kind, size in [("single", (6.4, 4.0)), ("wide", (9.0, 4.0)), ("square", (5.2, 5.2))]:
        fig, _ = lbplot.figure(kind)
        assert tuple(fig.get_size_inches()) == pytest.approx(size)
    with pytest.raises(ValueError, match="kind"):
        lbplot.figure("huge")


def test_label_axes_and_loss_curve_put_units_on_the_axis():
    fig, ax = plt.subplots()
    lbplot.label_axes(ax, "q", "entropy", unit="bits")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("q", "entropy (bits)")
    lbplot.label_axes(ax, "x", "count")
    assert ax.get_ylabel() == "count"
    fig, ax = plt.subplots()
    lines = lbplot.loss_curve(ax, np.arange(3), {"a": [3, 2, 1], "b": [1, 1, 1]}, "step")
    assert ax.get_ylabel() == "loss (nats)" and ax.get_xlabel() == "step"
    assert [line.get_color() for line in lines] == list(lbplot.PALETTE[:2])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_barycentric_vertices():
    xy = lbplot.barycentric_to_cartesian(np.eye(3))
    np.testing.assert_allclose(xy, [[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])


def test_simplex_heatmap_is_correct_at_the_vertices_and_labels_its_colour_bar():
    fig, ax = plt.subplots()
    first = lambda q: np.asarray(q)[..., 0]  # 1 at e_1, 0 at e_2 and e_3
    contours = lbplot.simplex_heatmap(
        ax, first, resolution=20, margin=0.0, colorbar_label="q_1 (probability)"
    )
    points, values = contours.simplex_points, contours.simplex_values
    for vertex, expected in zip(np.eye(3), [1.0, 0.0, 0.0]):
        index = np.flatnonzero(np.all(np.isclose(points, vertex), axis=1))
        assert index.size == 1 and values[index[0]] == pytest.approx(expected)
    assert contours.colorbar.ax.get_ylabel() == "q_1 (probability)"
    texts = {t.get_text(): t.get_position() for t in ax.texts}
    assert texts["$e_2$"][0] > texts["$e_1$"][0] and texts["$e_3$"][1] > texts["$e_1$"][1]


def test_simplex_heatmap_falls_back_to_pointwise_calls_and_keeps_away_from_the_edges():
    fig, ax = plt.subplots()
    calls = []

    def scalar_only(q):
        q = np.asarray(q)
        if q.ndim != 1:
            raise ValueError("one point at a time")
        calls.append(q)
        return -np.sum(q * np.log(q))

    contours = lbplot.simplex_heatmap(ax, scalar_only, resolution=6, colorbar_label=None)
    assert len(calls) == 28 and contours.colorbar is None
    assert np.all(contours.simplex_points > 0) and np.all(np.isfinite(contours.simplex_values))


def test_saved_svg_is_reproducible():
    lbplot.use_style()
    outputs = []
    for _ in range(2):
        fig, ax = lbplot.figure()
        ax.plot([0, 1], [1, 0])
        buffer = io.BytesIO()
        lbplot.save(fig, buffer, format="svg")
        outputs.append(buffer.getvalue())
        plt.close(fig)
    assert outputs[0] == outputs[1] and b"<dc:date>" not in outputs[0]
