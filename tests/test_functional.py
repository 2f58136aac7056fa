"""Unit tests of lossbook.functional: hand-worked values, options, dtypes and error messages.

References here are independent of the implementation: values worked by hand (written as the
formula they come from), Python's ``math`` module on scalars, or a direct loop over the definition.
PyTorch is compared in test_torch_crosscheck.py, mpmath in test_accuracy_mpmath.py.
"""

import math
import warnings

import numpy as np
import pytest

import lossbook.functional as F


def loop_cross_entropy(x, y, weight=None, ignore_index=-100):
    """Per-sample softmax cross-entropy of a (N, C) batch, from the definition with math.fsum."""
    losses, weights = [], []
    for row, target in zip(x, y):
        if target == ignore_index:
            losses.append(0.0)
            weights.append(0.0)
            continue
        w = 1.0 if weight is None else weight[target]
        log_norm = math.log(math.fsum(math.exp(v) for v in row))
        losses.append(w * (log_norm - row[target]))
        weights.append(w)
    return np.array(losses), np.array(weights)


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


# ------------------------------------------------------------------------------------------------
# softmax family
# ------------------------------------------------------------------------------------------------
def test_softmax_hand_example():
    got = F.softmax(np.array([math.log(1.0), math.log(2.0), math.log(5.0)]), dim=0)
    np.testing.assert_allclose(got, [1 / 8, 2 / 8, 5 / 8], rtol=1e-15)


def test_softmax_huge_logits_do_not_overflow():
    got = F.softmax(np.array([1000.0, 1000.0 + math.log(3.0)]), dim=0)
    np.testing.assert_allclose(got, [0.25, 0.75], rtol=1e-12)


def test_log_softmax_tiny_value_is_accurate():
    # log softmax([40, 0])_0 = -log(1 + e^-40) = -(e^-40 - e^-80/2 + ...)
    got = F.log_softmax(np.array([40.0, 0.0]), dim=0)
    assert got[0] == pytest.approx(-(math.exp(-40) - math.exp(-80) / 2), rel=1e-15)
    assert got[1] == pytest.approx(-40 - math.exp(-40), rel=1e-15)


def test_log_softmax_along_each_dim(rng):
    x = rng.normal(size=(3, 4, 5))
    for dim in range(3):
        want = np.log(np.exp(x) / np.exp(x).sum(axis=dim, keepdims=True))
        np.testing.assert_allclose(F.log_softmax(x, dim=dim), want, rtol=1e-13)
        np.testing.assert_allclose(F.softmax(x, dim=-3 + dim), np.exp(want), rtol=1e-13)


def test_logsumexp_matches_math_and_keepdim(rng):
    x = rng.normal(size=(2, 3)) * 10
    want = [math.log(math.fsum(math.exp(v) for v in row)) for row in x]
    np.testing.assert_allclose(F.logsumexp(x, dim=1), want, rtol=1e-14)
    assert F.logsumexp(x, dim=1, keepdim=True).shape == (2, 1)
    assert F.logsumexp(x, dim=(0, 1)).shape == ()
    np.testing.assert_allclose(
        F.logsumexp(x, dim=(0, 1)), math.log(math.fsum(math.exp(v) for v in x.ravel())), rtol=1e-14
    )


def test_logsumexp_infinities_and_empty():
    x = np.array([[-np.inf, -np.inf], [np.inf, 0.0], [-np.inf, 1.0]])
    got = F.logsumexp(x, dim=1)
    assert got[0] == -np.inf and got[1] == np.inf and got[2] == 1.0
    assert F.logsumexp(np.zeros((2, 0)), dim=1).tolist() == [-np.inf, -np.inf]


def test_log_softmax_nan_rows_like_pytorch():
    got = F.log_softmax(np.array([[np.inf, 0.0], [-np.inf, -np.inf]]), dim=1)
    assert np.isnan(got).all()


def test_sigmoid_family():
    x = np.array([-745.0, -30.0, 0.0, 2.0, 800.0])
    want = [1 / (1 + math.exp(-v)) if v > -700 else math.exp(v) for v in x[:-1]] + [1.0]
    np.testing.assert_allclose(F.sigmoid(x), want, rtol=1e-15)
    assert F.sigmoid(np.float32(-120.0)) == 0 and F.sigmoid(np.float32(-120.0)).dtype == np.float32
    np.testing.assert_allclose(
        F.logsigmoid(np.array([-800.0, 0.0, 40.0])),
        [-800.0, -math.log(2), -math.log1p(math.exp(-40))],
        rtol=1e-15,
    )


def test_softplus_threshold_returns_input_exactly():
    x = np.array([-50.0, 0.0, 19.0, 20.5, 1e300])
    got = F.softplus(x)
    assert got[3] == 20.5 and got[4] == 1e300
    np.testing.assert_allclose(got[:3], [math.log1p(math.exp(v)) for v in x[:3]], rtol=1e-15)
    np.testing.assert_allclose(
        F.softplus(np.array([1.0]), beta=2.0), [math.log1p(math.exp(2.0)) / 2], rtol=1e-15
    )
    assert F.softplus(np.array([3.0]), beta=2.0, threshold=5.0)[0] == 3.0


def test_one_hot():
    np.testing.assert_array_equal(F.one_hot(np.array([2, 0])), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="class values"):
        F.one_hot(np.array([3]), num_classes=3)
    with pytest.raises(TypeError, match="tensor"):
        F.one_hot(np.array([1.0]))


# ------------------------------------------------------------------------------------------------
# cross-entropy and NLL
# ------------------------------------------------------------------------------------------------
def test_cross_entropy_hand_example():
    # softmax([0, log 3]) = [1/4, 3/4]: losses log 4 and log(4/3), mean log(4)/2 + log(4/3)/2
    x = np.array([[0.0, math.log(3.0)], [0.0, math.log(3.0)]])
    y = np.array([0, 1])
    assert float(F.cross_entropy(x, y)) == pytest.approx(
        (math.log(4) + math.log(4 / 3)) / 2, rel=1e-15
    )
    np.testing.assert_allclose(
        F.cross_entropy(x, y, reduction="none"), [math.log(4), math.log(4 / 3)], rtol=1e-15
    )
    assert float(F.cross_entropy(x, y, reduction="sum")) == pytest.approx(
        math.log(16 / 3), rel=1e-15
    )


def test_cross_entropy_tiny_loss_keeps_relative_accuracy():
    # log(1 + e^-40) = e^-40 - e^-80/2 + ...: PyTorch and logsumexp(z) - z_y give 0 here
    got = float(F.cross_entropy(np.array([40.0, 0.0]), np.array(0)))
    assert got == pytest.approx(math.exp(-40) - math.exp(-80) / 2, rel=1e-15)
    got32 = F.cross_entropy(np.array([[20.0, 0.0]], dtype=np.float32), np.array([0]))
    assert got32.dtype == np.float32
    assert float(got32) == pytest.approx(math.exp(-20), rel=1e-6)


def test_cross_entropy_against_loop_with_weights_and_ignore(rng):
    x = rng.normal(size=(7, 4)) * 3
    y = rng.integers(0, 4, size=7)
    y[2] = -100
    w = rng.uniform(0.5, 2.0, size=4)
    losses, weights = loop_cross_entropy(x, y, w)
    np.testing.assert_allclose(
        F.cross_entropy(x, y, weight=w, reduction="none"), losses, rtol=1e-13
    )
    # the weighted mean divides by the sum of the kept targets' weights, not by N
    np.testing.assert_allclose(
        F.cross_entropy(x, y, weight=w), losses.sum() / weights.sum(), rtol=1e-13
    )
    assert not np.isclose(float(F.cross_entropy(x, y, weight=w)), losses.sum() / 7)


def test_cross_entropy_is_nll_after_log_softmax_for_k_dimensional_input(rng):
    x = rng.normal(size=(3, 5, 2, 4))
    y = rng.integers(0, 5, size=(3, 2, 4))
    for reduction in ("none", "mean", "sum"):
        np.testing.assert_allclose(
            F.cross_entropy(x, y, reduction=reduction),
            F.nll_loss(F.log_softmax(x, dim=1), y, reduction=reduction),
            rtol=1e-14,
        )
    moved = np.moveaxis(x, 1, -1).reshape(-1, 5)
    losses, _ = loop_cross_entropy(moved, y.reshape(-1))
    np.testing.assert_allclose(
        F.cross_entropy(x, y, reduction="none").reshape(-1), losses, rtol=1e-13
    )


def test_all_targets_ignored_gives_nan_mean_and_zero_sum():
    x = np.zeros((2, 3))
    y = np.array([-100, -100])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(F.cross_entropy(x, y))
        assert float(F.cross_entropy(x, y, reduction="sum")) == 0.0
        assert np.isnan(F.cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)))


def test_ignore_index_may_be_a_real_class():
    x = np.array([[1.0, 2.0], [3.0, 0.5]])
    got = F.nll_loss(x, np.array([0, 1]), ignore_index=1, reduction="none")
    np.testing.assert_array_equal(got, [-1.0, 0.0])


def test_probability_targets_equal_index_targets_for_one_hot(rng):
    x = rng.normal(size=(6, 3))
    y = rng.integers(0, 3, size=6)
    onehot = np.eye(3)[y]
    for reduction in ("none", "mean", "sum"):
        np.testing.assert_allclose(
            F.cross_entropy(x, onehot, reduction=reduction),
            F.cross_entropy(x, y, reduction=reduction),
            rtol=1e-14,
        )


def test_probability_targets_with_weights_divide_by_n(rng):
    x = rng.normal(size=(4, 3))
    p = rng.dirichlet(np.ones(3), size=4)
    w = np.array([1.0, 2.0, 3.0])
    logq = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    want = -(p * w * logq).sum(axis=1)
    np.testing.assert_allclose(F.cross_entropy(x, p, weight=w, reduction="none"), want, rtol=1e-13)
    np.testing.assert_allclose(F.cross_entropy(x, p, weight=w), want.mean(), rtol=1e-13)


def test_label_smoothing_matches_smoothed_target(rng):
    x = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=5)
    eps = 0.1
    smoothed = np.eye(4)[y] * (1 - eps) + eps / 4
    for reduction in ("none", "mean", "sum"):
        np.testing.assert_allclose(
            F.cross_entropy(x, y, label_smoothing=eps, reduction=reduction),
            F.cross_entropy(x, smoothed, reduction=reduction),
            rtol=1e-13,
        )
        np.testing.assert_allclose(
            F.cross_entropy(x, np.eye(4)[y], label_smoothing=eps, reduction=reduction),
            F.cross_entropy(x, smoothed, reduction=reduction),
            rtol=1e-13,
        )


def test_label_smoothing_with_weights_uses_the_same_weight_sum(rng):
    x = rng.normal(size=(5, 3))
    y = np.array([0, 1, 2, 1, -100])
    w = np.array([0.5, 1.0, 2.0])
    eps = 0.3
    logq = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    kept = y != -100
    nll = -np.array([w[t] * logq[i, t] if t != -100 else 0 for i, t in enumerate(y)])
    smooth = np.where(kept, -(logq * w).sum(axis=1), 0)
    weight_sum = w[y[kept]].sum()
    want = (1 - eps) * nll.sum() / weight_sum + eps / 3 * smooth.sum() / weight_sum
    np.testing.assert_allclose(
        F.cross_entropy(x, y, weight=w, label_smoothing=eps), want, rtol=1e-13
    )


def test_nll_loss_uses_input_as_given():
    probabilities = np.array([[0.7, 0.3]])
    assert float(F.nll_loss(probabilities, np.array([0]))) == -0.7


def test_float32_in_float32_out(rng):
    x = rng.normal(size=(4, 3)).astype(np.float32)
    y = np.array([0, 1, 2, 0])
    for value in (
        F.cross_entropy(x, y),
        F.nll_loss(x, y),
        F.log_softmax(x, dim=1),
        F.softmax(x, 1),
        F.logsumexp(x, 1),
        F.softplus(x),
        F.sigmoid(x),
        F.binary_cross_entropy_with_logits(x, np.ones_like(x)),
        F.kl_div(x, np.full_like(x, 0.25)),
        F.cosine_similarity(x, x),
        F.mse_loss(x, x),
    ):
        assert value.dtype == np.float32
    assert F.cross_entropy(x.astype(np.float64), y).dtype == np.float64


def test_reductions_return_zero_dimensional_arrays(rng):
    x = rng.normal(size=(4, 3))
    assert isinstance(F.cross_entropy(x, np.zeros(4, dtype=int)), np.ndarray)
    assert F.cross_entropy(x, np.zeros(4, dtype=int)).shape == ()


# ------------------------------------------------------------------------------------------------
# BCE
# ------------------------------------------------------------------------------------------------
def test_bce_hand_example_and_clamp():
    got = F.binary_cross_entropy(
        np.array([0.8, 0.25, 0.0, 1.0]), np.array([1.0, 0.0, 1.0, 1.0]), reduction="none"
    )
    np.testing.assert_allclose(got, [-math.log(0.8), -math.log(0.75), 100.0, 0.0], rtol=1e-15)


def test_bce_weight_broadcasts_and_mean_is_plain_mean():
    p = np.array([[0.5, 0.9], [0.2, 0.6]])
    y = np.array([[1.0, 1.0], [0.0, 1.0]])
    w = np.array([2.0, 1.0])
    plain = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(
        F.binary_cross_entropy(p, y, weight=w), (plain * w).mean(), rtol=1e-15
    )


def test_bce_with_logits_is_bce_of_sigmoid_and_never_overflows():
    z = np.array([-3.0, -0.5, 0.0, 2.0])
    y = np.array([1.0, 0.0, 0.3, 1.0])
    p = np.array([1 / (1 + math.exp(-v)) for v in z])
    want = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(z, y, reduction="none"), want, rtol=1e-14
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = F.binary_cross_entropy_with_logits(
            np.array([1e4, -1e4, 40.0]), np.array([0.0, 0.0, 1.0]), reduction="none"
        )
    assert big[0] == 1e4 and big[1] == 0.0
    assert big[2] == pytest.approx(math.exp(-40), rel=1e-15)  # log1p(e^-40), not 0


def test_bce_with_logits_pos_weight():
    z = np.array([[0.3, -1.2]])
    y = np.array([[1.0, 0.0]])
    pw = np.array([3.0, 5.0])
    log_sig = [math.log(1 / (1 + math.exp(-v))) for v in z[0]]
    log_sig_neg = [math.log(1 / (1 + math.exp(v))) for v in z[0]]
    want = [-(pw[c] * y[0, c] * log_sig[c] + (1 - y[0, c]) * log_sig_neg[c]) for c in range(2)]
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(z, y, pos_weight=pw, reduction="none")[0],
        want,
        rtol=1e-14,
    )


# ------------------------------------------------------------------------------------------------
# KL divergence, MSE
# ------------------------------------------------------------------------------------------------
def test_kl_div_reductions_and_conventions():
    p = np.array([[0.5, 0.5, 0.0], [0.25, 0.25, 0.5]])
    q = np.array([[0.25, 0.5, 0.25], [0.5, 0.25, 0.25]])
    kl_rows = [0.5 * math.log(2), 0.25 * math.log(0.5) + 0.5 * math.log(2)]
    log_q = np.log(q)
    assert float(F.kl_div(log_q, p, reduction="batchmean")) == pytest.approx(
        sum(kl_rows) / 2, rel=1e-14
    )
    assert float(F.kl_div(log_q, p, reduction="sum")) == pytest.approx(sum(kl_rows), rel=1e-14)
    assert float(F.kl_div(log_q, p, reduction="mean")) == pytest.approx(sum(kl_rows) / 6, rel=1e-14)
    np.testing.assert_allclose(
        F.kl_div(log_q[1], np.log(p[1]), reduction="sum", log_target=True), kl_rows[1], rtol=1e-14
    )
    # log_target=True computes exp(t) * (t - input): a log target of -inf gives 0 * inf = nan
    assert np.isnan(
        F.kl_div(np.array([-1.0]), np.array([-np.inf]), reduction="sum", log_target=True)
    )
    edge = F.kl_div(np.array([-np.inf, -np.inf, -1.0]), np.array([0.0, 0.5, 0.0]), reduction="none")
    assert np.isnan(edge[0]) and edge[1] == np.inf and edge[2] == 0.0


def test_mse_loss_and_shape_check():
    assert float(F.mse_loss(np.array([1.0, 3.0]), np.array([0.0, 1.0]))) == 2.5
    with pytest.raises(ValueError, match="same shape"):
        F.mse_loss(np.zeros((3, 1)), np.zeros(3))


# ------------------------------------------------------------------------------------------------
# cosine
# ------------------------------------------------------------------------------------------------
def test_cosine_similarity_values_broadcasting_and_zero_vector():
    a = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.0]])
    b = np.array([4.0, 3.0])
    np.testing.assert_allclose(F.cosine_similarity(a, b[None, :]), [24 / 25, 0.0, -0.8], rtol=1e-15)
    assert F.cosine_similarity(np.array([1.0, 1.0]), np.array([2.0, 2.0]), dim=0) == 1.0


def test_cosine_similarity_clamps_each_norm():
    a = np.array([[1e-9, 0.0]])
    b = np.array([[1.0, 0.0]])
    # max(1e-9, 1e-8) * max(1, 1e-8) = 1e-8: cos = 1e-9 / 1e-8 = 0.1 (the old product rule gives 1)
    assert float(F.cosine_similarity(a, b)[0]) == pytest.approx(0.1, rel=1e-14)


def test_cosine_similarity_huge_and_tiny_vectors_do_not_overflow():
    a = np.array([[1e200, 1e200]])
    assert float(F.cosine_similarity(a, a)[0]) == 1.0
    tiny = np.array([[3e-200, 4e-200]])
    assert float(F.cosine_similarity(tiny, tiny * 2, eps=0.0)[0]) == pytest.approx(1.0, rel=1e-15)


def test_cosine_embedding_loss():
    a = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    b = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    y = np.array([1, -1, -1])
    c = 1 / math.sqrt(2)
    np.testing.assert_allclose(
        F.cosine_embedding_loss(a, b, y, margin=0.5, reduction="none"),
        [1.0, c - 0.5, 0.5],
        rtol=1e-11,
    )


# ------------------------------------------------------------------------------------------------
# errors: named arguments, PyTorch's exception types where it has one
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
            IndexError,
            "Target 3 is out of bounds",
        ),
        (lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, -1])), ValueError, "out of bounds"),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])),
            TypeError,
            "integer class indices",
        ),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])),
            ValueError,
            "target has shape",
        ),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.zeros((2, 3), dtype=int)),
            TypeError,
            "floating point",
        ),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), reduction="avg"),
            ValueError,
            "reduction",
        ),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), label_smoothing=1.5),
            ValueError,
            "label_smoothing",
        ),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), label_smoothing=-0.1),
            ValueError,
            "label_smoothing",
        ),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), weight=np.ones(2)),
            ValueError,
            "weight",
        ),
        (
            lambda: F.cross_entropy(np.zeros((2, 3)), np.full((2, 3), 1 / 3), ignore_index=0),
            ValueError,
            "ignore_index",
        ),
        (lambda: F.cross_entropy(np.array(1.0), np.array(0)), ValueError, "class dimension"),
        (lambda: F.cross_entropy(np.array(["a"]), np.array(0)), TypeError, "input"),
        (lambda: F.nll_loss(np.zeros((2, 3)), np.array([5, 0])), IndexError, "out of bounds"),
        (lambda: F.binary_cross_entropy(np.array([1.2]), np.array([1.0])), ValueError, "input"),
        (lambda: F.binary_cross_entropy(np.array([0.2]), np.array([-1.0])), ValueError, "target"),
        (lambda: F.binary_cross_entropy(np.array([np.nan]), np.array([1.0])), ValueError, "input"),
        (
            lambda: F.binary_cross_entropy(np.array([0.2, 0.3]), np.array([1.0])),
            ValueError,
            "same shape",
        ),
        (
            lambda: F.binary_cross_entropy(np.array([0.2]), np.array([1.0]), weight=np.ones(3)),
            ValueError,
            "weight",
        ),
        (
            lambda: F.binary_cross_entropy_with_logits(
                np.zeros((2, 3)), np.zeros((2, 3)), pos_weight=np.ones(2)
            ),
            ValueError,
            "pos_weight",
        ),
        (lambda: F.kl_div(np.zeros(3), np.zeros(3), reduction="batch"), ValueError, "batchmean"),
        (lambda: F.kl_div(np.zeros(3), np.zeros(2)), ValueError, "broadcast"),
        (lambda: F.softmax(np.zeros((2, 3)), dim=2), IndexError, "dim=2"),
        (lambda: F.softmax(np.zeros((2, 3)), dim=1.0), TypeError, "dim"),
        (lambda: F.cosine_similarity(np.zeros((2, 3)), np.zeros((2, 4))), ValueError, "x1"),
        (lambda: F.cosine_similarity(np.zeros(3), np.zeros(3)), IndexError, "dim=1"),
        (
            lambda: F.cosine_similarity(np.zeros((1, 3)), np.zeros((1, 3)), eps=-1.0),
            ValueError,
            "eps",
        ),
        (
            lambda: F.cosine_embedding_loss(np.ones((2, 3)), np.ones((2, 3)), np.array([1, 0])),
            ValueError,
            "1 (similar pair) and -1",
        ),
        (
            lambda: F.cosine_embedding_loss(np.ones((2, 3)), np.ones((2, 3)), np.array([1])),
            ValueError,
            "target",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_out_of_bounds_error_is_both_value_and_index_error():
    assert issubclass(F.TargetOutOfBoundsError, ValueError)
    assert issubclass(F.TargetOutOfBoundsError, IndexError)


def test_no_warnings_on_edge_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.cross_entropy(
            np.array([[np.inf, 0.0], [-np.inf, -np.inf]]), np.array([0, 1]), reduction="none"
        )
        F.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
        F.kl_div(np.array([-np.inf]), np.array([0.0]))
        F.cosine_similarity(np.zeros((1, 3)), np.zeros((1, 3)))
        F.softplus(np.array([1e308, -1e308]))
        F.sigmoid(np.array([-1e308, np.nan]))
