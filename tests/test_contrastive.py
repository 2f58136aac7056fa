"""Contrastive and margin losses: values, options, errors, gradients, and PyTorch cross-checks.

References are independent of the code under test: hand-worked values, the composition of
lossbook's ``cosine_similarity`` and ``cross_entropy`` (the definition of InfoNCE), finite
differences, and PyTorch (``torch.nn.functional`` and autograd). The PyTorch tests are skipped
without PyTorch unless ``LOSSBOOK_REQUIRE_TORCH=1`` (as in ``test_torch_crosscheck.py``).
"""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import pytest
from reference_torch import import_torch

import lossbook.functional as F
import lossbook.gradients as G

SEED = 20261130
DTYPES = [np.float64, np.float32, np.float16]
TOL = {
    np.float64: dict(rtol=1e-12, atol=1e-14),
    np.float32: dict(rtol=2e-5, atol=2e-6),
    np.float16: dict(rtol=4e-3, atol=4e-3),
}
REDUCTIONS = ["none", "mean", "sum"]
VARIANTS = ["info_nce", "clip", "nt_xent"]
P_VALUES = [2.0, 1.0, 3.0, 0.5, 1.5, 0.0, np.inf, -np.inf, -1.0]


def case_id(value) -> str:
    return np.dtype(value).name if isinstance(value, type) else str(value)


def rng_for(*params) -> np.random.Generator:
    return np.random.default_rng([SEED] + [zlib.crc32(repr(p).encode()) for p in params])


@pytest.fixture(scope="module")
def torch():
    return import_torch()


def quietly(function, *args, **kwargs):
    """Call ``function`` with every warning turned into an error: lossbook never warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args, **kwargs)


def tensor(torch, value, requires_grad=False):
    t = torch.from_numpy(np.array(value, copy=True))
    return t.requires_grad_(requires_grad) if requires_grad else t


def assert_matches(ours, theirs, dtype, **tolerance):
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    assert ours.dtype == np.dtype(dtype), f"dtype {ours.dtype}, expected {np.dtype(dtype)}"
    assert ours.shape == theirs.shape, f"shape {ours.shape}, PyTorch {theirs.shape}"
    np.testing.assert_allclose(
        ours.astype(np.float64),
        theirs.astype(np.float64),
        **{**TOL[dtype], **tolerance},
        equal_nan=True,
    )


# ---- hand-worked values ------------------------------------------------------------------------
def test_pairwise_distance_hand_worked():
    assert quietly(F.pairwise_distance, np.array([[3.0, 4.0]]), np.zeros((1, 2)), eps=0.0) == 5.0
    # eps is added to the difference, not to the norm: identical vectors are sqrt(D) * eps apart
    d = F.pairwise_distance(np.ones(4), np.ones(4), eps=1e-3)
    assert d.shape == () and math.isclose(float(d), 2e-3, rel_tol=1e-15)
    # p = 1, inf, 0 on the difference [2, -3, 0] (eps = 0)
    x, y = np.array([2.0, -3.0, 0.0]), np.zeros(3)
    assert F.pairwise_distance(x, y, p=1, eps=0.0) == 5.0
    assert F.pairwise_distance(x, y, p=np.inf, eps=0.0) == 3.0
    assert F.pairwise_distance(x, y, p=-np.inf, eps=0.0) == 0.0
    assert F.pairwise_distance(x, y, p=0, eps=0.0) == 2.0


def test_pairwise_distance_does_not_overflow_or_underflow():
    big = np.array([[3e200, 4e200]])
    assert math.isclose(float(F.pairwise_distance(big, 0 * big, eps=0.0)[0]), 5e200, rel_tol=1e-15)
    tiny = np.array([[3e-200, 4e-200]])
    assert math.isclose(
        float(F.pairwise_distance(tiny, 0 * tiny, eps=0.0)[0]), 5e-200, rel_tol=1e-15
    )


def test_triplet_and_ranking_hand_worked():
    a, pos, neg = np.array([[0.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([[3.0, 0.0]])
    assert F.triplet_margin_loss(a, pos, neg, margin=2.5, eps=0.0) == 0.5
    assert F.triplet_margin_loss(a, pos, neg, eps=0.0) == 0.0
    # swap: the positive (0, 1) is nearer the negative (0, 1.5) than the anchor is
    neg = np.array([[0.0, 1.5]])
    assert F.triplet_margin_loss(a, pos, neg, eps=0.0) == 0.5  # 1 - 1.5 + 1
    assert F.triplet_margin_loss(a, pos, neg, eps=0.0, swap=True) == 1.5  # 1 - 0.5 + 1
    x1, x2, y = np.array([2.0, 0.5, 1.0]), np.array([1.0, 1.0, 3.0]), np.array([1, 1, -1])
    np.testing.assert_array_equal(
        F.margin_ranking_loss(x1, x2, y, margin=1.0, reduction="none"), [0.0, 1.5, 0.0]
    )
    assert F.margin_ranking_loss(x1, x2, y, margin=1.0) == 0.5


def test_info_nce_hand_worked():
    eye = np.eye(3)
    # cosines 1 on the diagonal, 0 elsewhere: each row is log(1 + 2 e^{-1/tau})
    for tau in (1.0, 0.5, 0.1):
        expected = math.log1p(2 * math.exp(-1 / tau))
        for variant in ("info_nce", "clip"):
            got = quietly(F.info_nce, eye, eye, temperature=tau, variant=variant)
            assert math.isclose(float(got), expected, rel_tol=1e-15)
        # NT-Xent: 6 views; view k sees its twin (cos 1) and 4 others (cos 0), itself masked
        got = F.info_nce(eye, eye, temperature=tau, variant="nt_xent", reduction="none")
        assert got.shape == (6,)
        np.testing.assert_allclose(got, math.log1p(4 * math.exp(-1 / tau)), rtol=1e-15)


def test_info_nce_is_scale_invariant_and_symmetric_in_clip():
    rng = rng_for("scale")
    x1, x2 = rng.standard_normal((2, 5, 4))
    base = F.info_nce(x1, x2, 0.2, reduction="none")
    np.testing.assert_allclose(
        F.info_nce(3.0 * x1, 0.5 * x2, 0.2, reduction="none"), base, rtol=1e-13
    )
    np.testing.assert_allclose(
        F.info_nce(x1, x2, 0.2, "clip"), F.info_nce(x2, x1, 0.2, "clip"), rtol=1e-14
    )


def test_info_nce_floor():
    """Every cosine is in [-1, 1], so each loss is at least log(1 + (N-1) e^{-2/tau})."""
    rng = rng_for("floor")
    for n, tau in [(4, 1.0), (16, 0.5), (64, 2.0)]:
        x = rng.standard_normal((n, 3))
        floor = math.log1p((n - 1) * math.exp(-2 / tau))
        assert np.all(F.info_nce(x, x, tau, reduction="none") >= floor * (1 - 1e-14))
        # attained by the simplex with antipodal negatives (n = 2)
    x = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert math.isclose(float(F.info_nce(x, x, 0.5)), math.log1p(math.exp(-4.0)), rel_tol=1e-14)


# ---- InfoNCE is cross-entropy over cosine similarities ----------------------------------------
def composed_info_nce(x1, x2, tau, variant, reduction):
    """The definition, from lossbook's cosine_similarity and cross_entropy."""
    n = len(x1)
    if variant == "nt_xent":
        z = np.concatenate([x1, x2])
        s = F.cosine_similarity(z[:, None, :], z[None, :, :], dim=-1) / tau
        np.fill_diagonal(s, -np.inf)
        return F.cross_entropy(s, (np.arange(2 * n) + n) % (2 * n), reduction=reduction)
    s = F.cosine_similarity(x1[:, None, :], x2[None, :, :], dim=-1) / tau
    rows = F.cross_entropy(s, np.arange(n), reduction=reduction)
    if variant == "info_nce":
        return rows
    return (rows + F.cross_entropy(s.T, np.arange(n), reduction=reduction)) / 2


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("tau", [0.01, 0.07, 0.5, 5.0])
def test_info_nce_equals_cross_entropy_of_cosines(tau, variant, reduction):
    rng = rng_for(tau, variant, reduction)
    x1 = rng.standard_normal((6, 5))
    x2 = x1 + 0.3 * rng.standard_normal((6, 5))
    ours = quietly(F.info_nce, x1, x2, tau, variant, reduction)
    np.testing.assert_allclose(
        ours, composed_info_nce(x1, x2, tau, variant, reduction), rtol=1e-12, atol=1e-300
    )


def test_info_nce_dtypes_and_shapes():
    rng = rng_for("dtypes")
    x = rng.standard_normal((4, 3))
    for dtype in DTYPES:
        got = F.info_nce(x.astype(dtype), x.astype(dtype), 0.5)
        assert got.dtype == dtype and got.shape == ()
        assert math.isclose(
            float(got),
            float(
                F.info_nce(
                    x.astype(dtype).astype(np.float64), x.astype(dtype).astype(np.float64), 0.5
                )
            ),
            rel_tol=np.finfo(dtype).eps,
        )
    assert F.info_nce(x, x, variant="nt_xent", reduction="none").shape == (8,)
    assert F.info_nce(x[:1], x[:1]) == 0.0  # one pair: no negatives
    assert np.isnan(F.info_nce(np.zeros((0, 3)), np.zeros((0, 3))))
    assert F.info_nce(np.zeros((0, 3)), np.zeros((0, 3)), reduction="sum") == 0.0
    assert F.info_nce(np.ones((2, 3), dtype=int), np.eye(2, 3, dtype=int)).dtype == np.float64
    # a zero row: its cosines are 0 (norm clamped at eps), as cosine_similarity
    z = np.array([[0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(
        F.info_nce(z, z, 1.0, reduction="none"),
        [math.log(2.0), math.log1p(math.exp(-1.0))],
        rtol=1e-15,
    )


# ---- options and errors ------------------------------------------------------------------------
GOOD = dict(x=np.ones((2, 3)), y=np.zeros((2, 3)))


@pytest.mark.parametrize(
    "call,error,words",
    [
        (lambda: F.pairwise_distance(GOOD["x"], GOOD["y"], p="2"), TypeError, "p must be a real"),
        (lambda: F.pairwise_distance(GOOD["x"], GOOD["y"], p=np.nan), ValueError, "p must be"),
        (lambda: F.pairwise_distance(GOOD["x"], GOOD["y"], eps=True), TypeError, "eps"),
        (lambda: F.pairwise_distance(GOOD["x"], GOOD["y"], eps=np.inf), ValueError, "eps"),
        (lambda: F.pairwise_distance(GOOD["x"], GOOD["y"], keepdim=1), TypeError, "keepdim"),
        (lambda: F.pairwise_distance(GOOD["x"], np.ones(4)), ValueError, "x1 of shape"),
        (lambda: F.pairwise_distance(np.array(["a"]), np.ones(1)), TypeError, "x1"),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], GOOD["y"], margin=0.0),
            ValueError,
            "margin must be > 0",
        ),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], GOOD["y"], margin=-1),
            ValueError,
            "margin",
        ),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], GOOD["y"], margin="1"),
            TypeError,
            "margin",
        ),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], GOOD["y"], margin=np.nan),
            ValueError,
            "margin",
        ),
        (lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], GOOD["y"], swap=1), TypeError, "swap"),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], GOOD["y"], swap="False"),
            TypeError,
            "swap",
        ),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], np.ones(3)),
            ValueError,
            "same number of dimensions",
        ),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], np.ones((3, 3))),
            ValueError,
            "cannot broadcast",
        ),
        (
            lambda: F.triplet_margin_loss(GOOD["x"], GOOD["y"], GOOD["y"], reduction="avg"),
            ValueError,
            "reduction",
        ),
        (
            lambda: F.margin_ranking_loss(np.ones(2), np.ones(2), np.ones(())),
            ValueError,
            "same number of dimensions",
        ),
        (
            lambda: F.margin_ranking_loss(np.ones(2), np.ones(2), np.array([True, False])),
            TypeError,
            "target",
        ),
        (
            lambda: F.margin_ranking_loss(np.ones(2), np.ones(2), np.ones(2), margin=None),
            TypeError,
            "margin",
        ),
        (
            lambda: F.margin_ranking_loss(np.ones(2), np.ones(2), np.ones(2), margin=np.nan),
            ValueError,
            "margin",
        ),
        (
            lambda: F.margin_ranking_loss(np.ones(2), np.ones(3), np.ones(2)),
            ValueError,
            "cannot broadcast",
        ),
        (
            lambda: F.margin_ranking_loss(
                np.ones(2), np.ones(2), np.ones(2), reduction="batchmean"
            ),
            ValueError,
            "reduction",
        ),
        (lambda: F.info_nce(GOOD["x"], GOOD["y"], temperature=0.0), ValueError, "temperature"),
        (lambda: F.info_nce(GOOD["x"], GOOD["y"], temperature=-0.1), ValueError, "temperature"),
        (lambda: F.info_nce(GOOD["x"], GOOD["y"], temperature="0.1"), TypeError, "temperature"),
        (lambda: F.info_nce(GOOD["x"], GOOD["y"], temperature=np.inf), ValueError, "temperature"),
        (lambda: F.info_nce(GOOD["x"], GOOD["y"], variant="simclr"), ValueError, "variant"),
        (lambda: F.info_nce(GOOD["x"], GOOD["y"], eps=-1.0), ValueError, "eps"),
        (lambda: F.info_nce(GOOD["x"], GOOD["y"], reduction="batchmean"), ValueError, "reduction"),
        (lambda: F.info_nce(np.ones(3), np.ones(3)), ValueError, "2-d arrays"),
        (lambda: F.info_nce(np.ones((2, 3)), np.ones((3, 3))), ValueError, "x2 of shape"),
        (lambda: F.info_nce(np.ones((2, 3), dtype=complex), np.ones((2, 3))), TypeError, "x1"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        quietly(call)


@pytest.mark.parametrize(
    "call",
    [
        lambda: G.pairwise_distance_grad(GOOD["x"], GOOD["y"], p="2"),
        lambda: G.triplet_margin_loss_grad(GOOD["x"], GOOD["y"], GOOD["y"], margin=0.0),
        lambda: G.margin_ranking_loss_grad(np.ones(2), np.ones(2), np.ones(())),
        lambda: G.info_nce_grad(GOOD["x"], GOOD["y"], temperature=0.0),
    ],
)
def test_gradients_check_arguments_like_the_losses(call):
    with pytest.raises((TypeError, ValueError)):
        call()


# ---- gradients against finite differences ------------------------------------------------------
def numerical(loss, arrays, index, **kwargs):
    def f(value):
        args = list(arrays)
        args[index] = value
        return float(np.sum(loss(*args, **kwargs)))

    return G.numerical_gradient(f, arrays[index])


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 1.5, np.inf])
def test_pairwise_distance_grad_vs_finite_differences(p):
    rng = rng_for("pd-fd", p)
    x1, x2 = rng.standard_normal((2, 4, 5))
    grads = quietly(G.pairwise_distance_grad, x1, x2, p=p)
    for i in range(2):
        np.testing.assert_allclose(
            grads[i], numerical(F.pairwise_distance, [x1, x2], i, p=p), rtol=1e-6, atol=1e-8
        )


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_grad_vs_finite_differences(reduction, swap):
    rng = rng_for("tr-fd", reduction, swap)
    a, pos, neg = rng.standard_normal((3, 6, 4))
    grads = quietly(
        G.triplet_margin_loss_grad, a, pos, neg, margin=2.0, swap=swap, reduction=reduction
    )
    assert any(np.any(g != 0) for g in grads)
    for i in range(3):
        np.testing.assert_allclose(
            grads[i],
            numerical(
                F.triplet_margin_loss, [a, pos, neg], i, margin=2.0, swap=swap, reduction=reduction
            ),
            rtol=1e-6,
            atol=1e-8,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_grad_vs_finite_differences(reduction):
    rng = rng_for("mr-fd", reduction)
    x1, x2 = rng.standard_normal((2, 7))
    y = rng.choice([-1.0, 1.0], 7)
    grads = G.margin_ranking_loss_grad(x1, x2, y, margin=0.3, reduction=reduction)
    for i in range(2):
        np.testing.assert_allclose(
            grads[i],
            numerical(F.margin_ranking_loss, [x1, x2, y], i, margin=0.3, reduction=reduction),
            rtol=1e-6,
            atol=1e-8,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("tau", [0.1, 1.0])
def test_info_nce_grad_vs_finite_differences(tau, variant, reduction):
    rng = rng_for("nce-fd", tau, variant, reduction)
    x1, x2 = rng.standard_normal((2, 5, 3))
    grads = quietly(G.info_nce_grad, x1, x2, tau, variant, reduction)
    for i in range(2):
        np.testing.assert_allclose(
            grads[i],
            numerical(
                F.info_nce, [x1, x2], i, temperature=tau, variant=variant, reduction=reduction
            ),
            rtol=1e-6,
            atol=1e-8,
        )


def test_info_nce_grad_pulls_the_positive_and_pushes_negatives_by_softmax_weight():
    """dL/du_i = (sum_j p_ij v_j - v_i) / (N tau) for unit rows (the chapter's formula)."""
    rng = rng_for("pull-push")
    u = rng.standard_normal((4, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v = u + 0.2 * rng.standard_normal((4, 3))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    tau = 0.3
    p = F.softmax(u @ v.T / tau, 1)
    g_unit = (p @ v - v) / (4 * tau)
    radial = np.sum(g_unit * u, axis=1, keepdims=True) * u
    np.testing.assert_allclose(
        G.info_nce_grad(u, v, tau)[0], g_unit - radial, rtol=1e-12, atol=1e-15
    )


# ---- PyTorch: values over every option and edge case -------------------------------------------
PD_SHAPES = [
    ((), ()),
    ((5,), (5,)),
    ((4, 5), (4, 5)),
    ((4, 5), (5,)),
    ((1, 5), (4, 5)),
    ((2, 3, 4), (3, 1)),
    ((3, 0), (3, 0)),
    ((), (5,)),
]


# every shape in float64; float32 and float16 (computed in float32) on two shapes
PD_CASES = [(shapes, np.float64) for shapes in PD_SHAPES] + [
    (PD_SHAPES[i], dtype) for i in (2, 5) for dtype in (np.float32, np.float16)
]


@pytest.mark.parametrize("shapes,dtype", PD_CASES, ids=case_id)
@pytest.mark.parametrize("p", P_VALUES)
def test_pairwise_distance_matches_torch(torch, p, shapes, dtype):
    rng = rng_for("pd", p, shapes, dtype)
    x1 = rng.standard_normal(shapes[0]).astype(dtype)
    x2 = rng.standard_normal(shapes[1]).astype(dtype)
    if (p == np.inf or p < 0) and 0 in shapes[0]:  # these norms of nothing are undefined
        with pytest.raises(RuntimeError):
            torch.nn.functional.pairwise_distance(tensor(torch, x1), tensor(torch, x2), p=p)
        with pytest.raises(ValueError, match="empty"):
            F.pairwise_distance(x1, x2, p=p)
        return
    for keepdim in (False, True):
        ours = quietly(F.pairwise_distance, x1, x2, p=p, keepdim=keepdim)
        theirs = torch.nn.functional.pairwise_distance(
            tensor(torch, x1), tensor(torch, x2), p=p, keepdim=keepdim
        ).numpy()
        assert_matches(ours, theirs, dtype)


@pytest.mark.parametrize("eps", [0.0, 1e-6, 0.5, -0.25])
def test_pairwise_distance_eps_and_near_identical_vectors_match_torch(torch, eps):
    rng = rng_for("pd-eps", eps)
    x1 = rng.standard_normal((6, 4))
    x2 = x1 + rng.choice([0.0, 1e-9, -3e-7], (6, 4))
    ours = F.pairwise_distance(x1, x2, eps=eps)
    theirs = torch.nn.functional.pairwise_distance(tensor(torch, x1), tensor(torch, x2), eps=eps)
    assert_matches(ours, theirs.numpy(), np.float64, rtol=1e-9)


@pytest.mark.parametrize("p", [2.0, 1.0, np.inf, 0.5])
def test_pairwise_distance_infinities_and_nan_match_torch(torch, p):
    x1 = np.array([[np.inf, 0.0], [np.nan, 1.0], [-np.inf, np.inf], [1e308, 1e308], [1.0, 2.0]])
    x2 = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [-1e308, 0.0], [np.inf, np.inf]])
    ours = quietly(F.pairwise_distance, x1, x2, p=p)
    theirs = torch.nn.functional.pairwise_distance(tensor(torch, x1), tensor(torch, x2), p=p)
    # (1e308 - (-1e308)) overflows in PyTorch's difference; lossbook's too (no scaling before it)
    assert_matches(ours, theirs.numpy(), np.float64)


TRIPLET_SHAPES = [
    ((6, 4),) * 3,
    ((4,),) * 3,
    ((),) * 3,
    ((6, 4), (1, 4), (6, 4)),
    ((0, 4),) * 3,
    ((2, 3, 4),) * 3,
]


# every shape and reduction in float64; float32 and float16 with two shapes and 'none'
TRIPLET_CASES = [
    (shapes, reduction, np.float64) for shapes in TRIPLET_SHAPES for reduction in REDUCTIONS
] + [(TRIPLET_SHAPES[i], "none", dtype) for i in (0, 3) for dtype in (np.float32, np.float16)]


@pytest.mark.parametrize("shapes,reduction,dtype", TRIPLET_CASES, ids=case_id)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_loss_matches_torch(torch, shapes, swap, reduction, dtype):
    rng = rng_for("tr", shapes, swap, reduction, dtype)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    for margin, p, eps in [
        (1.0, 2.0, 1e-6),
        (0.3, 1.0, 0.0),
        (2.0, 3.0, 1e-3),
        (np.inf, 2.0, 1e-6),
        (0.5, np.inf, 1e-6),
    ]:
        ours = quietly(
            F.triplet_margin_loss,
            *arrays,
            margin=margin,
            p=p,
            eps=eps,
            swap=swap,
            reduction=reduction,
        )
        theirs = torch.nn.functional.triplet_margin_loss(
            *(tensor(torch, a) for a in arrays),
            margin=margin,
            p=p,
            eps=eps,
            swap=swap,
            reduction=reduction,
        )
        assert_matches(ours, theirs.numpy(), dtype)


MR_SHAPES = [((7,),) * 3, ((),) * 3, ((3, 1), (1, 4), (3, 4)), ((0,),) * 3, ((7,), (7,), (1,))]


# every shape in float64; float32 and float16 on the shape that broadcasts all three
MR_CASES = [(shapes, np.float64) for shapes in MR_SHAPES] + [
    (MR_SHAPES[2], dtype) for dtype in (np.float32, np.float16)
]


@pytest.mark.parametrize("shapes,dtype", MR_CASES, ids=case_id)
@pytest.mark.parametrize("margin", [0.0, 0.5, -0.5])
def test_margin_ranking_loss_matches_torch(torch, margin, shapes, dtype):
    rng = rng_for("mr", margin, shapes, dtype)
    x1 = rng.standard_normal(shapes[0]).astype(dtype)
    x2 = rng.standard_normal(shapes[1]).astype(dtype)
    for y in (rng.choice([-1, 1], shapes[2]), rng.choice([-1.0, 0.0, 1.0, 2.5], shapes[2])):
        y = np.asarray(y).astype(dtype if y.dtype.kind == "f" else np.int64)
        for reduction in REDUCTIONS:
            ours = quietly(F.margin_ranking_loss, x1, x2, y, margin=margin, reduction=reduction)
            theirs = torch.nn.functional.margin_ranking_loss(
                tensor(torch, x1),
                tensor(torch, x2),
                tensor(torch, y),
                margin=margin,
                reduction=reduction,
            )
            assert_matches(ours, theirs.numpy(), dtype)


@pytest.mark.parametrize("margin", [np.inf, -np.inf])
def test_margin_ranking_loss_infinite_margin_matches_torch(torch, margin):
    """PyTorch accepts an infinite margin; so does lossbook (inf - inf gives nan in both)."""
    x1 = np.array([1.0, 2.0, 3.0, np.inf, np.nan, -np.inf])
    x2 = np.array([2.0, 1.0, 3.0, 0.0, 0.0, 0.0])
    for y in (np.array([1.0, -1.0, 0.0, 1.0, 1.0, 1.0]), np.array([1.0, 1, 1, -1, 1, -1])):
        for reduction in REDUCTIONS:
            ours = quietly(F.margin_ranking_loss, x1, x2, y, margin=margin, reduction=reduction)
            theirs = torch.nn.functional.margin_ranking_loss(
                tensor(torch, x1),
                tensor(torch, x2),
                tensor(torch, y),
                margin=margin,
                reduction=reduction,
            )
            assert_matches(ours, theirs.numpy(), np.float64)
        finite = slice(0, 3)
        ours = quietly(G.margin_ranking_loss_grad, x1[finite], x2[finite], y[finite], margin)
        theirs = autograd(
            torch,
            lambda a, b: torch.nn.functional.margin_ranking_loss(
                a, b, tensor(torch, y[finite]), margin=margin
            ),
            [x1[finite], x2[finite]],
        )
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o, t)


def test_margin_ranking_loss_infinities_match_torch(torch):
    x1 = np.array([np.inf, np.inf, -np.inf, np.nan, 1.0])
    x2 = np.array([np.inf, 0.0, 0.0, 0.0, 1.0])
    y = np.array([1.0, -1.0, 1.0, 1.0, -1.0])
    ours = F.margin_ranking_loss(x1, x2, y, reduction="none")
    theirs = torch.nn.functional.margin_ranking_loss(
        tensor(torch, x1), tensor(torch, x2), tensor(torch, y), reduction="none"
    )
    assert_matches(ours, theirs.numpy(), np.float64)


def torch_info_nce(torch, x1, x2, tau, variant, reduction):
    """InfoNCE built from PyTorch's cosine_similarity and cross_entropy."""
    TF = torch.nn.functional
    a, b = tensor(torch, x1), tensor(torch, x2)
    n = len(x1)
    if variant == "nt_xent":
        z = torch.cat([a, b])
        s = TF.cosine_similarity(z[:, None], z[None], dim=-1) / tau
        s = s.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
        return TF.cross_entropy(s, (torch.arange(2 * n) + n) % (2 * n), reduction=reduction)
    s = TF.cosine_similarity(a[:, None], b[None], dim=-1) / tau
    labels = torch.arange(n)
    rows = TF.cross_entropy(s, labels, reduction=reduction)
    if variant == "info_nce":
        return rows
    return (rows + TF.cross_entropy(s.T, labels, reduction=reduction)) / 2


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("tau", [0.01, 0.07, 0.5, 3.0])
def test_info_nce_matches_torch_cross_entropy_of_cosines(torch, tau, variant, dtype):
    rng = rng_for("nce", tau, variant, dtype)
    x1 = rng.standard_normal((8, 6))
    x2 = (x1 + 0.5 * rng.standard_normal((8, 6))).astype(dtype)
    x1 = x1.astype(dtype)
    # float32: PyTorch rounds each cosine to float32 before dividing by tau (error ~ 1e-7 / tau)
    tolerance = dict(rtol=max(2e-5, 4e-6 / tau)) if dtype == np.float32 else {}
    for reduction in REDUCTIONS:
        ours = quietly(F.info_nce, x1, x2, tau, variant, reduction)
        theirs = torch_info_nce(torch, x1, x2, tau, variant, reduction).numpy()
        assert_matches(ours, theirs, dtype, **tolerance)


# ---- PyTorch: gradients (autograd) -------------------------------------------------------------
def autograd(torch, function, arrays, **kwargs):
    tensors = [tensor(torch, a, requires_grad=True) for a in arrays]
    function(*tensors, **kwargs).sum().backward()
    return [t.grad.numpy() for t in tensors]


@pytest.mark.parametrize("shapes", PD_SHAPES[:7])
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, np.inf, -np.inf])
def test_pairwise_distance_grad_matches_autograd(torch, p, shapes):
    rng = rng_for("pd-grad", p, shapes)
    arrays = [rng.standard_normal(s) for s in shapes]
    if np.isinf(p) and 0 in shapes[0]:  # PyTorch raises too (test_pairwise_distance_matches_torch)
        with pytest.raises(ValueError, match="norm of empty vectors"):
            G.pairwise_distance_grad(*arrays, p=p)
        return
    ours = G.pairwise_distance_grad(*arrays, p=p)
    theirs = autograd(torch, torch.nn.functional.pairwise_distance, arrays, p=p)
    for o, t, a in zip(ours, theirs, arrays):
        assert o.shape == a.shape
        np.testing.assert_allclose(o, t, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("p", [np.inf, -np.inf])
def test_pairwise_distance_grad_splits_ties_like_autograd(torch, p):
    """For p = +-inf, entries tied at the largest (smallest) |d| share the gradient evenly."""
    x = np.array([[1.0, -1.0, 0.5], [3.0, 3.0, -3.0], [0.5, 2.0, -0.5]])
    y = np.zeros((3, 3))
    ours = quietly(G.pairwise_distance_grad, x, y, p=p, eps=0.0)
    theirs = autograd(torch, torch.nn.functional.pairwise_distance, [x, y], p=p, eps=0.0)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-15, atol=0)
    if p == np.inf:  # by hand: sign(d) / (number of ties) on the tied entries
        np.testing.assert_allclose(ours[0][:2], [[0.5, -0.5, 0.0], [1 / 3, 1 / 3, -1 / 3]])


def test_triplet_grad_splits_ties_like_autograd(torch):
    a = np.array([[0.0, 0.0], [1.0, 1.0]])
    pos = np.array([[1.0, -1.0], [2.0, 2.0]])
    neg = np.array([[5.0, 0.0], [-2.0, 4.0]])
    for swap in (False, True):
        kwargs = dict(p=np.inf, margin=10.0, eps=0.0, swap=swap)
        ours = quietly(G.triplet_margin_loss_grad, a, pos, neg, **kwargs)
        theirs = autograd(torch, torch.nn.functional.triplet_margin_loss, [a, pos, neg], **kwargs)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o, t, rtol=1e-15, atol=0)


def test_pairwise_distance_grad_at_zero_difference_matches_autograd(torch):
    x = np.array([[1.0, 2.0], [0.0, 5.0]])
    y = np.array([[1.0, 2.0], [0.0, 3.0]])
    for p in (2.0, 1.0, 0.5, 3.0, np.inf, -1.0):
        ours = G.pairwise_distance_grad(x, y, p=p, eps=0.0)
        theirs = autograd(torch, torch.nn.functional.pairwise_distance, [x, y], p=p, eps=0.0)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o, t, rtol=1e-12, atol=0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("shapes", TRIPLET_SHAPES[:4] + TRIPLET_SHAPES[5:])
def test_triplet_grad_matches_autograd(torch, shapes, swap, reduction):
    rng = rng_for("tr-grad", shapes, swap, reduction)
    arrays = [rng.standard_normal(s) for s in shapes]
    for margin, p in [(1.0, 2.0), (2.0, 1.0), (1.5, 3.0)]:
        ours = G.triplet_margin_loss_grad(
            *arrays, margin=margin, p=p, swap=swap, reduction=reduction
        )
        theirs = autograd(
            torch,
            torch.nn.functional.triplet_margin_loss,
            arrays,
            margin=margin,
            p=p,
            swap=swap,
            reduction=reduction,
        )
        for o, t, a in zip(ours, theirs, arrays):
            assert o.shape == a.shape
            np.testing.assert_allclose(o, t, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", MR_SHAPES[:3] + MR_SHAPES[4:])
def test_margin_ranking_grad_matches_autograd(torch, shapes, reduction):
    rng = rng_for("mr-grad", shapes, reduction)
    x1, x2 = (rng.standard_normal(s) for s in shapes[:2])
    y = rng.choice([-1.0, 1.0], shapes[2])
    ours = G.margin_ranking_loss_grad(x1, x2, y, margin=0.2, reduction=reduction)
    t1, t2 = tensor(torch, x1, True), tensor(torch, x2, True)
    torch.nn.functional.margin_ranking_loss(
        t1, t2, tensor(torch, y), margin=0.2, reduction=reduction
    ).sum().backward()
    np.testing.assert_allclose(ours[0], t1.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours[1], t2.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_margin_ranking_grad_at_the_kink_matches_autograd(torch):
    """At -y (x1 - x2) + margin = 0 PyTorch's clamp_min passes the gradient; so does lossbook."""
    x1, x2, y = np.array([1.0, 2.0]), np.array([1.0, 3.0]), np.array([1.0, 1.0])
    ours = G.margin_ranking_loss_grad(x1, x2, y, reduction="sum")
    np.testing.assert_array_equal(ours[0], [-1.0, -1.0])
    theirs = autograd(
        torch,
        lambda a, b: torch.nn.functional.margin_ranking_loss(
            a, b, tensor(torch, y), reduction="sum"
        ),
        [x1, x2],
    )
    np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("tau", [0.05, 0.5])
def test_info_nce_grad_matches_autograd(torch, tau, variant, reduction):
    rng = rng_for("nce-grad", tau, variant, reduction)
    x1, x2 = rng.standard_normal((2, 6, 4))
    ours = G.info_nce_grad(x1, x2, tau, variant, reduction)
    theirs = autograd(
        torch, lambda a, b: torch_info_nce_tensors(torch, a, b, tau, variant, reduction), [x1, x2]
    )
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("variant", VARIANTS)
def test_info_nce_grad_at_low_tau_and_near_identical_rows_matches_autograd(torch, variant):
    """tau = 0.01 (a nearly one-hot softmax) and positives within 1e-7 of their anchors."""
    rng = rng_for("nce-grad-hard", variant)
    x1 = rng.standard_normal((5, 4))
    for x2, tau in ((rng.standard_normal((5, 4)), 0.01), (x1 + 1e-7 * x1[::-1], 0.01)):
        ours = quietly(G.info_nce_grad, x1, x2, tau, variant, "sum")
        theirs = autograd(
            torch, lambda a, b: torch_info_nce_tensors(torch, a, b, tau, variant, "sum"), [x1, x2]
        )
        scale = max(np.max(np.abs(t)) for t in theirs)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o, t, rtol=1e-8, atol=1e-12 * scale)


def test_triplet_and_distance_grads_on_near_identical_vectors_match_autograd(torch):
    rng = rng_for("near-identical")
    a = rng.standard_normal((4, 3))
    pos = a + 1e-9 * rng.standard_normal((4, 3))
    neg = a + 1e-8 * rng.standard_normal((4, 3))
    for p in (2.0, 1.0, 3.0, np.inf):
        ours = quietly(G.pairwise_distance_grad, a, pos, p=p, eps=0.0)
        theirs = autograd(torch, torch.nn.functional.pairwise_distance, [a, pos], p=p, eps=0.0)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o, t, rtol=1e-6, atol=1e-12)
        kwargs = dict(p=p, margin=2e-8, eps=0.0, reduction="sum")
        ours = quietly(G.triplet_margin_loss_grad, a, pos, neg, **kwargs)
        assert np.any(ours[0] != 0)
        theirs = autograd(torch, torch.nn.functional.triplet_margin_loss, [a, pos, neg], **kwargs)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o, t, rtol=1e-6, atol=1e-12)


def torch_info_nce_tensors(torch, a, b, tau, variant, reduction):
    TF = torch.nn.functional
    n = len(a)
    if variant == "nt_xent":
        z = torch.cat([a, b])
        s = TF.cosine_similarity(z[:, None], z[None], dim=-1) / tau
        s = s.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
        return TF.cross_entropy(s, (torch.arange(2 * n) + n) % (2 * n), reduction=reduction)
    s = TF.cosine_similarity(a[:, None], b[None], dim=-1) / tau
    labels = torch.arange(n)
    rows = TF.cross_entropy(s, labels, reduction=reduction)
    return (
        rows
        if variant == "info_nce"
        else (rows + TF.cross_entropy(s.T, labels, reduction=reduction)) / 2
    )


# ---- PyTorch raises for the same bad inputs ----------------------------------------------------
def test_torch_also_rejects_what_lossbook_rejects(torch):
    TF = torch.nn.functional
    x = torch.ones(2, 3)
    with pytest.raises(ValueError):
        TF.triplet_margin_loss(x, x, x, margin=0.0)
    with pytest.raises(RuntimeError):
        TF.triplet_margin_loss(x, x, torch.ones(3))
    with pytest.raises(RuntimeError):
        TF.margin_ranking_loss(torch.ones(2), torch.ones(2), torch.ones(()))
    with pytest.raises(TypeError):
        TF.triplet_margin_loss(x, x, x, swap=1)
    with pytest.raises(ValueError):
        TF.triplet_margin_loss(x, x, x, reduction="avg")


def test_documented_differences_from_torch(torch):
    """Where PyTorch returns a number for a meaningless option, lossbook raises (docstrings)."""
    TF = torch.nn.functional
    x = torch.ones(2, 3)
    assert torch.isnan(TF.triplet_margin_loss(x, x, x, margin=float("nan")))
    assert torch.isnan(TF.pairwise_distance(x, x, p=float("nan"))).all()
    assert TF.pairwise_distance(x, x, eps=True).allclose(TF.pairwise_distance(x, x, eps=1.0))
    with pytest.raises(ValueError):
        F.triplet_margin_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), margin=np.nan)
    with pytest.raises(ValueError):
        F.pairwise_distance(np.ones((2, 3)), np.ones((2, 3)), p=np.nan)
    with pytest.raises(TypeError):
        F.pairwise_distance(np.ones((2, 3)), np.ones((2, 3)), eps=True)


EXTREME_ROWS = [
    np.array([[np.inf, 1.0], [0.0, 1.0]]),
    np.array([[np.nan, 1.0], [0.0, 1.0]]),
    np.zeros((2, 2)),
    np.array([[1e308, 1e308], [1.0, 0.0]]),
    np.array([[1e-320, 0.0], [1.0, 0.0]]),
    np.array([[-np.inf, np.inf], [1.0, 0.0]]),
]


@pytest.mark.parametrize("x", EXTREME_ROWS, ids=lambda x: repr(x.tolist()))
def test_nothing_warns_on_extreme_inputs(x):
    for variant in VARIANTS:
        quietly(F.info_nce, x, np.eye(2), 0.1, variant)
        quietly(G.info_nce_grad, x, np.eye(2), 0.1, variant)
    for p in (2.0, 1.0, 0.5, np.inf, -1.0, 3.0):
        quietly(F.pairwise_distance, x, np.eye(2), p=p)
        quietly(G.pairwise_distance_grad, x, np.eye(2), p=p)
    for swap in (False, True):
        quietly(F.triplet_margin_loss, x, np.eye(2), -x, swap=swap)
        quietly(G.triplet_margin_loss_grad, x, np.eye(2), -x, swap=swap)
    quietly(F.margin_ranking_loss, x[0], x[1], np.array([1.0, -1.0]))
    quietly(G.margin_ranking_loss_grad, x[0], x[1], np.array([1.0, -1.0]))


def test_huge_entries_do_not_overflow():
    big = np.array([[1e308, 1e308]])
    assert np.isclose(F.pairwise_distance(big, np.zeros((1, 2)), eps=0.0)[0], math.sqrt(2) * 1e308)
    np.testing.assert_allclose(
        F.info_nce(np.array([[1e308, 1e308], [1.0, 0.0]]), np.eye(2), 1.0, reduction="none"),
        [math.log(2.0), math.log1p(math.e)],  # row 1: cos 0 with its positive, 1 with row 0
        rtol=1e-14,
    )
