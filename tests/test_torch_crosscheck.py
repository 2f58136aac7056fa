"""lossbook.functional against PyTorch itself, option by option and edge case by edge case.

PyTorch is the reference here (the version installed by ``pip install torch==2.13.0``); it is a test
extra, never a chapter dependency. Without it these tests are skipped with that hint, unless
``LOSSBOOK_REQUIRE_TORCH=1`` (set by ``.ci/run``) makes its absence a failure.

Tolerances: float64 ``rtol=1e-12, atol=1e-15``; float32 ``rtol=1e-5, atol=1e-6``. The ``atol`` is
where lossbook is deliberately *more* accurate than PyTorch: tiny losses such as
``cross_entropy([40, 0], 0) = 4.25e-18`` (PyTorch: 0) or ``binary_cross_entropy_with_logits(30, 1)``
(PyTorch evaluates ``log(1 + e**-30)`` without ``log1p``). Accuracy itself is tested against mpmath
in ``test_accuracy_mpmath.py``; this file checks semantics: shapes, options, reductions, dtypes,
nan/inf where PyTorch has them, and errors for the same bad inputs.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from reference_torch import import_torch

import lossbook.functional as F

torch = import_torch(module_level=True)
TF = torch.nn.functional
# PyTorch warns that kl_div's 'mean' is not the KL; lossbook reproduces it quietly, as documented.
pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")

DTYPES = [np.float64, np.float32]
# float16 (issue 16): lossbook computes in float32 and rounds once; PyTorch's CPU kernels do the
# same for most functions but round some intermediates to float16, hence up to 8 float16 ulps
# (BCE with logits, x = -4.39, y = 0.33: exact 1.2694, lossbook 1.270, PyTorch 1.276).
WITH_HALF = DTYPES + [np.float16]
TOL = {
    np.float64: dict(rtol=1e-12, atol=1e-15),
    np.float32: dict(rtol=1e-5, atol=1e-6),
    np.float16: dict(rtol=8e-3, atol=1e-3),
}
REDUCTIONS = ["none", "mean", "sum"]
SEED = 20240612


# ---- helpers ----------------------------------------------------------------------------------
def rng_for(*params) -> np.random.Generator:
    """A generator seeded by the test's parameters (deterministic, different per case)."""
    return np.random.default_rng([SEED] + [zlib.crc32(repr(p).encode()) for p in params])


def tensor(value):
    return torch.from_numpy(value.copy()) if isinstance(value, np.ndarray) else value


def both(name: str, *args, **kwargs):
    """Call lossbook's and PyTorch's ``name`` with the same arguments (NumPy arrays -> tensors)."""
    ours = getattr(F, name)(*args, **kwargs)
    reference_fn = torch.logsumexp if name == "logsumexp" else getattr(TF, name)
    with torch.no_grad():
        theirs = reference_fn(
            *(tensor(a) for a in args), **{k: tensor(v) for k, v in kwargs.items()}
        )
    return ours, theirs.numpy()


def assert_matches(ours, theirs, dtype, **tolerance):
    ours = np.asarray(ours)
    assert ours.dtype == np.dtype(dtype), f"dtype {ours.dtype}, expected {np.dtype(dtype)}"
    assert ours.shape == theirs.shape, f"shape {ours.shape}, PyTorch {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, **{**TOL[dtype], **tolerance}, equal_nan=True)


def check(name, dtype, *args, **kwargs):
    ours, theirs = both(name, *args, **kwargs)
    assert_matches(ours, theirs, dtype)
    return ours, theirs


def logits(rng, shape, dtype, scale=3.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


def probabilities(rng, shape, dtype, axis):
    p = rng.random(shape) ** 3  # some entries near 0
    return (p / p.sum(axis=axis, keepdims=True)).astype(dtype)


# ---- softmax family ---------------------------------------------------------------------------
SOFTMAX_SHAPES = [
    ((5,), 0),
    ((4, 5), 1),
    ((4, 5), 0),
    ((4, 5), -1),
    ((3, 4, 5), 1),
    ((3, 4, 5), -1),
]


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("shape,dim", SOFTMAX_SHAPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_and_log_softmax(name, shape, dim, dtype):
    check(name, dtype, logits(rng_for(name, shape, dim), shape, dtype), dim)


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(
    "shape,dim", SOFTMAX_SHAPES + [((3, 4, 5), (0, 2)), ((3, 4, 5), (-1, 0, 1))]
)
def test_logsumexp(shape, dim, keepdim, dtype):
    check(
        "logsumexp",
        dtype,
        logits(rng_for(shape, dim), shape, dtype, scale=30.0),
        dim,
        keepdim=keepdim,
    )


EXTREME_ROWS = [
    [np.inf, 1.0, 0.0],
    [-np.inf, -np.inf, -np.inf],
    [np.inf, -np.inf, 0.0],
    [-np.inf, 1.0, 2.0],
    [1e4, -1e4, 0.0],
    [-1e4, -1e4, -1e4],
    [1e4, 1e4, 1e4],
    [1e4, 1e4 - 40, 0.0],
    [40.0, 0.0, 0.0],
    [-1e4, 0.0, 1e4],
]


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_at_infinities_and_huge_logits(name, dtype):
    rows = np.array(EXTREME_ROWS, dtype=dtype)
    ours, theirs = both(name, rows, 1)
    # log_softmax([40, 0, 0])[0] = -8.5e-18: lossbook keeps it, PyTorch rounds it to 0 (atol).
    assert_matches(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_family_on_empty_arrays(dtype):
    empty_rows = np.zeros((0, 5), dtype=dtype)
    for name in ("softmax", "log_softmax"):
        check(name, dtype, empty_rows, 1)
    check("logsumexp", dtype, empty_rows, 1)
    check("logsumexp", dtype, np.zeros((3, 0), dtype=dtype), 1)  # empty slices: -inf
    check("logsumexp", dtype, np.zeros((3, 0), dtype=dtype), 1, keepdim=True)


# ---- sigmoid, logsigmoid, softplus ------------------------------------------------------------
def elementwise_grid(dtype):
    values = [
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        0.5,
        -0.5,
        1.0,
        -1.0,
        5.0,
        -5.0,
        19.99,
        20.0,
        20.01,
        -20.0,
        30.0,
        -30.0,
        40.0,
        -40.0,
        88.0,
        -88.0,
        104.0,
        -104.0,
        710.0,
        -710.0,
        800.0,
        -800.0,
        1e4,
        -1e4,
        np.inf,
        -np.inf,
    ]
    with np.errstate(over="ignore", under="ignore"):
        grid = np.array(values, dtype=np.float64).astype(dtype)
    return np.concatenate([grid, logits(rng_for("elementwise"), 20, dtype, scale=10.0)])


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("name", ["sigmoid", "logsigmoid"])
def test_sigmoid_and_logsigmoid(name, dtype):
    check(name, dtype, elementwise_grid(dtype))


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize(
    "beta,threshold", [(1.0, 20.0), (2.0, 20.0), (0.5, 20.0), (1.0, 5.0), (3.0, 1.0)]
)
def test_softplus_with_beta_and_threshold(beta, threshold, dtype):
    check("softplus", dtype, elementwise_grid(dtype), beta=beta, threshold=threshold)


def test_one_hot():
    target = np.array([[0, 2], [1, 1]])
    for num_classes in (-1, 3, 5):
        ours, theirs = both("one_hot", target, num_classes)
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == np.int64


# ---- cross_entropy and nll_loss ---------------------------------------------------------------
CLASS_SHAPES = {"(C)": (5,), "(N,C)": (6, 5), "(N,C,d1,d2)": (3, 5, 2, 4)}
IGNORE = {
    "none-ignored": -100,  # the default, no target equal to it
    "ignore-a-class": 1,  # a real class, present among the targets
    "ignore-negative": -1,  # a negative index, present among the targets
}


def class_targets(rng, shape, ignore_index):
    """Integer targets for input ``shape``, some equal to ``ignore_index`` if it is not -100."""
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = rng.integers(0, shape[0 if len(shape) == 1 else 1], size=target_shape)
    if ignore_index != -100:
        flat = target.reshape(-1)
        flat[::2] = ignore_index
        if target.ndim == 0:
            target = np.array(ignore_index)
    return np.asarray(target, dtype=np.int64)


def class_weight(rng, shape, dtype, weighted):
    n_classes = shape[0 if len(shape) == 1 else 1]
    return rng.uniform(0.2, 2.0, n_classes).astype(dtype) if weighted else None


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("ignore", IGNORE)
@pytest.mark.parametrize("shape_name", CLASS_SHAPES)
def test_cross_entropy_with_class_indices(
    shape_name, ignore, weighted, reduction, label_smoothing, dtype
):
    rng = rng_for("ce-index", shape_name, ignore, weighted, reduction, label_smoothing, dtype)
    shape, ignore_index = CLASS_SHAPES[shape_name], IGNORE[ignore]
    check(
        "cross_entropy",
        dtype,
        logits(rng, shape, dtype),
        class_targets(rng, shape, ignore_index),
        weight=class_weight(rng, shape, dtype, weighted),
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25, 1.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape_name", CLASS_SHAPES)
def test_cross_entropy_with_class_probabilities(
    shape_name, weighted, reduction, label_smoothing, dtype
):
    rng = rng_for("ce-probs", shape_name, weighted, reduction, label_smoothing, dtype)
    shape = CLASS_SHAPES[shape_name]
    class_dim = 0 if len(shape) == 1 else 1
    check(
        "cross_entropy",
        dtype,
        logits(rng, shape, dtype),
        probabilities(rng, shape, dtype, class_dim),
        weight=class_weight(rng, shape, dtype, weighted),
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_cross_entropy_with_every_target_ignored(weighted, reduction, label_smoothing, dtype):
    """'mean' is nan (0/0), 'sum' is 0, 'none' all zeros: as PyTorch."""
    rng = rng_for("ce-all-ignored", weighted, reduction, label_smoothing, dtype)
    x = logits(rng, (4, 3), dtype)
    ours, _ = check(
        "cross_entropy",
        dtype,
        x,
        np.full(4, 2, dtype=np.int64),
        weight=class_weight(rng, (4, 3), dtype, weighted),
        ignore_index=2,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    expected = {"mean": np.nan, "sum": 0.0, "none": np.zeros(4)}[reduction]
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["indices", "probabilities"])
@pytest.mark.parametrize("shape", [(0, 4), (0, 4, 3)])
def test_cross_entropy_on_an_empty_batch(shape, kind, reduction, dtype):
    x = np.zeros(shape, dtype=dtype)
    target = (
        np.zeros((0,) + shape[2:], dtype=np.int64)
        if kind == "indices"
        else np.zeros(shape, dtype=dtype)
    )
    check("cross_entropy", dtype, x, target, reduction=reduction)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_at_infinite_and_huge_logits(label_smoothing, dtype):
    """Rows of EXTREME_ROWS with every target: a target on a -inf logit gives inf, a +inf logit or
    an all -inf row gives nan, +-1e4 logits stay finite."""
    rows = np.array(EXTREME_ROWS, dtype=dtype)
    for target in range(rows.shape[1]):
        y = np.full(rows.shape[0], target, dtype=np.int64)
        check("cross_entropy", dtype, rows, y, reduction="none", label_smoothing=label_smoothing)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_of_a_confident_prediction_is_tiny_not_zero(dtype):
    """Deliberately more accurate than PyTorch: CE([40, 0], 0) = log1p(e**-40)
    = 4.2483542552915890e-18. PyTorch (logsumexp(z) - z[y]) returns 0; the comparison above
    passes through atol."""
    ours, theirs = both("cross_entropy", np.array([40.0, 0.0], dtype=dtype), np.array(0))
    assert float(theirs) == 0.0
    assert float(ours) == pytest.approx(4.2483542552915890e-18, rel=4 * float(np.finfo(dtype).eps))


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("ignore", IGNORE)
@pytest.mark.parametrize("shape_name", CLASS_SHAPES)
def test_nll_loss(shape_name, ignore, weighted, reduction, dtype):
    rng = rng_for("nll", shape_name, ignore, weighted, reduction, dtype)
    shape, ignore_index = CLASS_SHAPES[shape_name], IGNORE[ignore]
    check(
        "nll_loss",
        dtype,
        logits(rng, shape, dtype),
        class_targets(rng, shape, ignore_index),
        weight=class_weight(rng, shape, dtype, weighted),
        ignore_index=ignore_index,
        reduction=reduction,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_edge_cases(reduction, dtype):
    with np.errstate(divide="ignore"):
        x = np.log(np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], dtype=dtype))
    y = np.array([0, 1, 2], dtype=np.int64)
    check("nll_loss", dtype, x, y, reduction=reduction)  # -log 0 = inf
    check("nll_loss", dtype, x[1:], y[1:], weight=np.zeros(3, dtype=dtype), reduction=reduction)
    check("nll_loss", dtype, x[1:], np.array([1, 1]), ignore_index=1, reduction=reduction)
    check(
        "nll_loss",
        dtype,
        np.zeros((0, 3), dtype=dtype),
        np.zeros(0, dtype=np.int64),
        reduction=reduction,
    )
    check("nll_loss", dtype, x[1], np.array(2), reduction=reduction)  # (C) input, () target


# ---- binary cross-entropy ---------------------------------------------------------------------
BCE_WEIGHTS = {"none": None, "(C)": (3,), "(N,1)": (4, 1), "(N,C)": (4, 3)}


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", BCE_WEIGHTS)
def test_binary_cross_entropy_with_the_minus_100_clamp(weight, reduction, dtype):
    """p = 0 and p = 1 exactly: each log is clamped at -100, so the terms are 100, not inf."""
    rng = rng_for("bce", weight, reduction, dtype)
    p = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1e-30], [0.3, 0.9, 1 - 1e-7], [0.7, 1e-45, 0.2]])
    y = np.array([[1.0, 0.0, 0.3], [1.0, 0.0, 1.0], [0.0, 1.0, 0.5], [1.0, 0.25, 0.0]])
    w = (
        None
        if BCE_WEIGHTS[weight] is None
        else rng.uniform(0.5, 2, BCE_WEIGHTS[weight]).astype(dtype)
    )
    ours, _ = check(
        "binary_cross_entropy",
        dtype,
        p.astype(dtype),
        y.astype(dtype),
        weight=w,
        reduction=reduction,
    )
    if reduction == "none" and w is None:
        assert float(ours[0, 0]) == 100.0 and float(ours[0, 1]) == 100.0


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", ["none", "(C)", "(1)", "(N,C)"])
@pytest.mark.parametrize("weight", ["none", "(C)", "(N,1)", "(N,C)"])
def test_binary_cross_entropy_with_logits(weight, pos_weight, reduction, dtype):
    rng = rng_for("bcel", weight, pos_weight, reduction, dtype)
    x = np.array([[1e4, -1e4, 0.0], [30.0, -30.0, 2.5], [800.0, -800.0, 40.0], [-0.3, 7.0, -40.0]])
    x = np.concatenate([x, rng.standard_normal((4, 3)) * 5]).astype(dtype)
    y = np.concatenate(
        [
            np.array([[1.0, 0.0, 0.5], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.2, 0.0, 1.0]]),
            rng.random((4, 3)),
        ]
    ).astype(dtype)
    shape_of = {"none": None, "(C)": (3,), "(1)": (1,), "(N,1)": (8, 1), "(N,C)": (8, 3)}
    w = None if weight == "none" else rng.uniform(0.5, 2, shape_of[weight]).astype(dtype)
    pw = None if pos_weight == "none" else rng.uniform(0.2, 3, shape_of[pos_weight]).astype(dtype)
    check(
        "binary_cross_entropy_with_logits",
        dtype,
        x,
        y,
        weight=w,
        reduction=reduction,
        pos_weight=pw,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pos_weight", [None, 2.0])
def test_binary_cross_entropy_with_infinite_logits(pos_weight, dtype):
    """PyTorch gives nan or inf at x = +-inf (nan even where the limit is 0, at x = +inf, y = 1);
    lossbook follows it. (x = -inf, y = 0.5 is left to the test below.)"""
    x = np.array([np.inf, np.inf, np.inf, -np.inf, -np.inf], dtype=dtype)
    y = np.array([1.0, 0.0, 0.5, 1.0, 0.0], dtype=dtype)
    pw = None if pos_weight is None else np.full(5, pos_weight, dtype=dtype)
    check("binary_cross_entropy_with_logits", dtype, x, y, reduction="none", pos_weight=pw)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_with_logits_at_minus_inf_and_a_soft_label(dtype):
    """PyTorch's (1 - y) x - logsigmoid(x) is -inf + inf = nan here; lossbook gives the same."""
    check(
        "binary_cross_entropy_with_logits",
        dtype,
        np.array([-np.inf], dtype=dtype),
        np.array([0.5], dtype=dtype),
        reduction="none",
    )


# ---- KL divergence, MSE -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 4)], ids=str)
def test_kl_div(shape, reduction, log_target, dtype):
    rng = rng_for("kl", shape, reduction, log_target, dtype)
    log_q = np.log(probabilities(rng, shape, np.float64, -1)).astype(dtype)
    p = probabilities(rng, shape, np.float64, -1)
    if not log_target:
        p.reshape(-1)[::3] = 0.0  # 0 log 0 = 0
    target = (np.log(p) if log_target else p).astype(dtype)
    check("kl_div", dtype, log_q, target, reduction=reduction, log_target=log_target)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
def test_kl_div_broadcasts_the_target(reduction, dtype):
    rng = rng_for("kl-broadcast", reduction, dtype)
    log_q = np.log(probabilities(rng, (4, 3), np.float64, -1)).astype(dtype)
    check("kl_div", dtype, log_q, probabilities(rng, (3,), dtype, -1), reduction=reduction)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_div_conventions_at_zero_and_infinity(dtype):
    """p = 0 with finite log q -> 0; p = 0 with log q = -inf -> nan; p > 0 with -inf -> inf."""
    log_q = np.array([0.0, -np.inf, -np.inf, -1.0, -1e4], dtype=dtype)
    p = np.array([0.0, 0.0, 0.5, 0.0, 1.0], dtype=dtype)
    ours, _ = check("kl_div", dtype, log_q, p, reduction="none")
    np.testing.assert_array_equal(ours[:4], [0.0, np.nan, np.inf, 0.0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
def test_kl_div_on_an_empty_batch(reduction, dtype):
    check(
        "kl_div",
        dtype,
        np.zeros((0, 4), dtype=dtype),
        np.zeros((0, 4), dtype=dtype),
        reduction=reduction,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction, dtype):
    rng = rng_for("mse", reduction, dtype)
    check(
        "mse_loss",
        dtype,
        logits(rng, (4, 3), dtype),
        logits(rng, (4, 3), dtype),
        reduction=reduction,
    )


# ---- cosine similarity and the cosine embedding loss ------------------------------------------
COSINE_SHAPES = [
    ((4, 5), (4, 5), 1),
    ((4, 5), (4, 5), 0),
    ((3, 4, 5), (3, 4, 5), -1),
    ((4, 1, 5), (3, 5), -1),
    ((2, 5), (5,), 1),
    ((5,), (5,), 0),
]


@pytest.mark.parametrize("dtype", WITH_HALF)
@pytest.mark.parametrize("eps", [1e-8, 1e-3])
@pytest.mark.parametrize("shape1,shape2,dim", COSINE_SHAPES, ids=str)
def test_cosine_similarity_with_dim_and_broadcasting(shape1, shape2, dim, eps, dtype):
    rng = rng_for("cos", shape1, shape2, dim, eps, dtype)
    check(
        "cosine_similarity",
        dtype,
        logits(rng, shape1, dtype),
        logits(rng, shape2, dtype),
        dim=dim,
        eps=eps,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eps", [1e-8, 1e-3])
def test_cosine_similarity_of_zero_tiny_and_large_vectors(eps, dtype):
    """Zero vector -> 0; vectors with a norm below eps are divided by eps (each norm clamped)."""
    rng = rng_for("cos-edge", eps, dtype)
    a = logits(rng, (6, 4), dtype)
    b = logits(rng, (6, 4), dtype)
    a[0] = 0.0
    a[1:3] *= dtype(1e-10)  # norm below eps
    b[2] *= dtype(1e-10)  # both below eps
    a[3], b[3] = a[3] * dtype(1e-6), b[3]  # around eps = 1e-8 * a few
    a[4] = b[4] * dtype(7.0)  # parallel: PyTorch may exceed 1 by an ulp
    a[5] *= dtype(1e15)
    ours, _ = check("cosine_similarity", dtype, a, b, dim=1, eps=eps)
    assert float(ours[0]) == 0.0
    assert np.all(np.abs(ours) <= 1.0)


def test_cosine_similarity_of_huge_vectors_is_finite_where_pytorch_fails():
    """Deliberately better than PyTorch 2.13, which returns 0 for vectors with entries 1e200 (its
    norm overflows): the exact cosines here are 1 and 1/3."""
    a = np.full((2, 3), 1e200)
    b = a.copy()
    b[1, 1] = -1e200
    ours, theirs = both("cosine_similarity", a, b)
    np.testing.assert_allclose(ours, [1.0, 1.0 / 3.0], rtol=4e-16)
    assert not np.allclose(theirs, [1.0, 1.0 / 3.0])  # if this fails, PyTorch was fixed: tighten


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5, -0.3])
def test_cosine_embedding_loss(margin, reduction, dtype):
    rng = rng_for("cel", margin, reduction, dtype)
    a, b = logits(rng, (8, 5), dtype), logits(rng, (8, 5), dtype)
    a[0] = 0.0  # zero vector: cos = 0 (1e-12 rule)
    b[1] = a[1] * dtype(2.0)  # parallel
    y = np.array([1, -1, 1, -1, 1, -1, -1, 1], dtype=np.int64)
    check("cosine_embedding_loss", dtype, a, b, y, margin=margin, reduction=reduction)
    check(
        "cosine_embedding_loss", dtype, a[2], b[2], np.array(-1), margin=margin, reduction=reduction
    )  # (D) inputs with a 0-d target


# ---- bad input: both raise --------------------------------------------------------------------
X34 = np.zeros((3, 4))
Y3 = np.array([0, 1, 2])
P2 = np.array([0.5, 0.5])

BAD_INPUTS = {
    # name: (call with lossbook / torch API F, exception types lossbook must raise)
    "ce class index 4 of 4": (
        lambda F, a: F.cross_entropy(a(X34), a(np.array([0, 1, 4]))),
        IndexError,
    ),
    "ce class index -1": (
        lambda F, a: F.cross_entropy(a(X34), a(np.array([0, -1, 1]))),
        IndexError,
    ),
    "ce float class targets": (
        lambda F, a: F.cross_entropy(a(X34), a(np.array([0.0, 1.0, 2.0]))),
        (TypeError, ValueError),
    ),
    "ce batch-size mismatch": (
        lambda F, a: F.cross_entropy(a(X34), a(np.array([0, 1]))),
        ValueError,
    ),
    "ce target of wrong rank": (
        lambda F, a: F.cross_entropy(a(np.zeros((2, 3))), a(np.array([[0, 1]]))),
        ValueError,
    ),
    "ce weight of wrong length": (
        lambda F, a: F.cross_entropy(a(X34), a(Y3), weight=a(np.ones(3))),
        ValueError,
    ),
    "ce unknown reduction": (
        lambda F, a: F.cross_entropy(a(X34), a(Y3), reduction="avg"),
        ValueError,
    ),
    "ce label_smoothing > 1": (
        lambda F, a: F.cross_entropy(a(X34), a(Y3), label_smoothing=1.5),
        ValueError,
    ),
    "ce probabilities with ignore_index >= 0": (
        lambda F, a: F.cross_entropy(a(X34), a(np.full((3, 4), 0.25)), ignore_index=1),
        ValueError,
    ),
    "ce integer targets of input's shape": (
        lambda F, a: F.cross_entropy(a(X34), a(np.zeros((3, 4), dtype=np.int64))),
        (TypeError, ValueError),
    ),
    "nll class index out of range": (
        lambda F, a: F.nll_loss(a(X34), a(np.array([0, 1, 9]))),
        IndexError,
    ),
    "nll weight of wrong length": (
        lambda F, a: F.nll_loss(a(X34), a(Y3), weight=a(np.ones(5))),
        ValueError,
    ),
    "nll batch-size mismatch": (lambda F, a: F.nll_loss(a(X34), a(np.array([0]))), ValueError),
    "nll unknown reduction": (
        lambda F, a: F.nll_loss(a(X34), a(Y3), reduction="batchmean"),
        ValueError,
    ),
    "bce input above 1": (
        lambda F, a: F.binary_cross_entropy(a(np.array([0.5, 1.5])), a(P2)),
        ValueError,
    ),
    "bce input below 0": (
        lambda F, a: F.binary_cross_entropy(a(np.array([-0.1, 0.5])), a(P2)),
        ValueError,
    ),
    "bce target above 1": (
        lambda F, a: F.binary_cross_entropy(a(P2), a(np.array([0.0, 1.5]))),
        ValueError,
    ),
    "bce shape mismatch": (
        lambda F, a: F.binary_cross_entropy(a(P2), a(np.full(3, 0.5))),
        ValueError,
    ),
    "bce weight not broadcastable": (
        lambda F, a: F.binary_cross_entropy(
            a(np.full((2, 3), 0.5)), a(np.zeros((2, 3))), weight=a(np.ones(2))
        ),
        ValueError,
    ),
    "bce-logits shape mismatch": (
        lambda F, a: F.binary_cross_entropy_with_logits(a(P2), a(np.zeros(3))),
        ValueError,
    ),
    "bce-logits pos_weight not broadcastable": (
        lambda F, a: F.binary_cross_entropy_with_logits(
            a(np.zeros((2, 3))), a(np.zeros((2, 3))), pos_weight=a(np.ones(2))
        ),
        ValueError,
    ),
    "bce-logits unknown reduction": (
        lambda F, a: F.binary_cross_entropy_with_logits(a(P2), a(P2), reduction="batchmean"),
        ValueError,
    ),
    "kl_div unknown reduction": (
        lambda F, a: F.kl_div(a(X34), a(X34), reduction="avg"),
        ValueError,
    ),
    "kl_div shapes not broadcastable": (
        lambda F, a: F.kl_div(a(X34), a(np.zeros((2, 4))), reduction="sum"),
        ValueError,
    ),
    "cosine negative eps": (lambda F, a: F.cosine_similarity(a(X34), a(X34), eps=-1.0), ValueError),
    "cosine shapes not broadcastable": (
        lambda F, a: F.cosine_similarity(a(X34), a(np.zeros((2, 4)))),
        ValueError,
    ),
    "cosine dim out of range": (
        lambda F, a: F.cosine_similarity(a(X34), a(X34), dim=2),
        IndexError,
    ),
    "cosine embedding shape mismatch": (
        lambda F, a: F.cosine_embedding_loss(a(X34), a(np.zeros((2, 4))), a(np.ones(3))),
        ValueError,
    ),
    "softmax dim out of range": (lambda F, a: F.softmax(a(np.zeros(3)), 1), IndexError),
    "log_softmax dim out of range": (lambda F, a: F.log_softmax(a(X34), -3), IndexError),
    "one_hot class too large": (lambda F, a: F.one_hot(a(np.array([0, 3])), 3), IndexError),
    "one_hot of an empty tensor, num_classes=-1": (
        lambda F, a: F.one_hot(a(np.zeros(0, dtype=np.int64))),
        ValueError,
    ),
}


class _TorchAPI:
    """``torch.nn.functional`` with ``logsumexp`` added."""

    def __getattr__(self, name):
        return torch.logsumexp if name == "logsumexp" else getattr(TF, name)


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_both_raise_for_the_same_bad_input(case):
    call, expected = BAD_INPUTS[case]
    with pytest.raises((RuntimeError, IndexError, TypeError, ValueError)):
        call(_TorchAPI(), lambda v: torch.from_numpy(np.asarray(v)))
    with pytest.raises(expected) as info:
        call(F, np.asarray)
    # lossbook's errors are ValueError or TypeError; PyTorch's IndexError cases are both.
    assert isinstance(info.value, (ValueError, TypeError)), type(info.value).__mro__
    assert str(info.value), "the message must name the argument and what was expected"


STRICTER_THAN_PYTORCH = {
    # PyTorch silently returns a number; lossbook raises ValueError (documented in its docstrings).
    "negative label_smoothing (PyTorch treats it as 0)": (
        lambda F, a: F.cross_entropy(a(X34), a(Y3), label_smoothing=-0.1)
    ),
    "cosine_embedding_loss target 0 (PyTorch: loss 0)": (
        lambda F, a: F.cosine_embedding_loss(a(X34), a(X34), a(np.array([1, 0, -1])))
    ),
    "mse_loss of (3, 1) against (3,) (PyTorch broadcasts to (3, 3) with a warning)": (
        lambda F, a: F.mse_loss(a(np.zeros((3, 1))), a(np.zeros(3)))
    ),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", STRICTER_THAN_PYTORCH)
def test_lossbook_raises_where_pytorch_is_silently_meaningless(case):
    call = STRICTER_THAN_PYTORCH[case]
    call(_TorchAPI(), lambda v: torch.from_numpy(np.asarray(v)))  # no error in PyTorch
    with pytest.raises(ValueError):
        call(F, np.asarray)
