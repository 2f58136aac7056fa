"""lossbook.gradients against PyTorch's autograd, and against central differences of lossbook's own
losses (independent of PyTorch); numerical_gradient on functions with known derivatives.

PyTorch is optional: without it the autograd cross-checks skip with a hint, unless
LOSSBOOK_REQUIRE_TORCH=1 (CI), which makes its absence a failure.
"""

from __future__ import annotations

import itertools
import warnings
import zlib

import mpmath
import numpy as np
import pytest
from reference_torch import import_torch

import lossbook.functional as F
import lossbook.gradients as G

SEED = 20240611
IGNORE = -100
DTYPES = [np.float64, np.float32]
REDUCTIONS = ["none", "mean", "sum"]
# Autograd comparisons: relative tolerance, plus an absolute one relative to the largest entry (for
# entries near 0, where both sides carry the rounding error of a difference of larger terms).
RTOL = {np.float64: 1e-12, np.float32: 1e-5}
ATOL = {np.float64: 1e-14, np.float32: 1e-6}
# Central differences with the default step: about 1e-10 relative for smooth, well-scaled losses.
NUMERIC_RTOL, NUMERIC_ATOL = 1e-7, 1e-9


def rng_for(*key) -> np.random.Generator:
    """A generator seeded by the test's parameters: every case draws the same numbers every run."""
    return np.random.default_rng([SEED, zlib.crc32(repr(key).encode())])


def options(**axes):
    """Every combination of the given option values, as dicts (the loops inside a test)."""
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*axes.values())]


def require_torch():
    return import_torch()


@pytest.fixture(scope="module")
def torch():
    torch = require_torch()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only cost time (a lot on a busy machine)
    yield torch
    torch.set_num_threads(threads)


def autograd(torch, loss, input, *args, **kwargs):
    """``input.grad`` after ``loss(input, *args, **kwargs).sum().backward()`` (NumPy in and out)."""

    def tensor(value):
        if isinstance(value, (np.ndarray, np.generic)):
            return torch.from_numpy(np.array(value))
        return value

    x = torch.tensor(np.asarray(input), requires_grad=True)
    with warnings.catch_warnings():  # kl_div with reduction='mean' warns that it is not the KL
        warnings.filterwarnings("ignore", message="reduction: 'mean' divides", category=UserWarning)
        out = loss(x, *map(tensor, args), **{k: tensor(v) for k, v in kwargs.items()})
    out.sum().backward()
    return x.grad.numpy()


def assert_grad_close(actual, expected, dtype, case=""):
    assert actual.dtype == dtype, (actual.dtype, dtype, case)
    assert actual.shape == expected.shape, (actual.shape, expected.shape, case)
    finite = np.abs(expected[np.isfinite(expected)])
    scale = float(finite.max()) if finite.size else 0.0
    np.testing.assert_allclose(
        actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype] * scale, err_msg=str(case)
    )


def assert_numeric_close(actual, loss_of_input, x, case=""):
    expected = G.numerical_gradient(loss_of_input, x)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(
        actual, expected, rtol=NUMERIC_RTOL, atol=NUMERIC_ATOL * max(scale, 1e-3), err_msg=str(case)
    )


def total(loss):
    """The scalar that the gradients differentiate: the loss, summed when reduction='none'."""
    return lambda *args, **kwargs: float(np.sum(loss(*args, **kwargs)))


# --------------------------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------------------------
INDEX_SHAPES = [(5,), (6, 4), (3, 4, 5), (2, 3, 2, 3)]  # (C), (N, C), K = 1, K = 2
PROB_SHAPES = [(5,), (6, 4), (2, 3, 2, 3)]


def class_dim(shape):
    return 0 if len(shape) == 1 else 1


def make_logits(rng, shape, dtype=np.float64):
    return rng.normal(scale=2.0, size=shape).astype(dtype)


def make_class_targets(rng, shape, ignore):
    """Class indices for input ``shape``; with ``ignore`` some (for 1-D input: the only one) are
    ``IGNORE``, and for batches at least one is kept and one ignored."""
    dim = class_dim(shape)
    target_shape = shape[:dim] + shape[dim + 1 :]
    t = np.asarray(rng.integers(0, shape[dim], size=target_shape), dtype=np.int64)
    if ignore:
        if t.ndim == 0:
            return np.asarray(IGNORE, dtype=np.int64)
        mask = rng.random(target_shape) < 0.4
        mask.flat[0], mask.flat[-1] = False, True
        t = np.where(mask, IGNORE, t)
    return t


def make_class_weight(rng, shape, weighted, dtype=np.float64):
    return rng.uniform(0.2, 2.0, size=shape[class_dim(shape)]).astype(dtype) if weighted else None


def make_probabilities(rng, shape, dtype=np.float64):
    q = rng.uniform(0.05, 1.0, size=shape)
    return (q / q.sum(axis=class_dim(shape), keepdims=True)).astype(dtype)


# --------------------------------------------------------------------------------------------
# numerical_gradient itself
# --------------------------------------------------------------------------------------------
def test_numerical_gradient_of_sum_of_cubes_is_three_x_squared():
    x = rng_for("cubes").normal(size=(3, 4)) * 3
    g = G.numerical_gradient(lambda v: np.sum(v**3), x)
    assert g.shape == x.shape and g.dtype == np.float64
    # rounding error ~ eps |f| / h: relative to the largest entry, not to each one
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-9, atol=1e-9 * np.max(3 * x**2))


def test_numerical_gradient_of_a_linear_function_and_of_a_scalar_point():
    a = rng_for("linear").normal(size=(2, 3))
    np.testing.assert_allclose(
        G.numerical_gradient(lambda v: np.sum(a * v), np.zeros((2, 3))), a, rtol=1e-10
    )
    g = G.numerical_gradient(np.exp, np.float64(1.5))  # 0-d in, 0-d out
    assert g.shape == () and abs(float(g) - np.exp(1.5)) < 1e-9


def test_numerical_gradient_default_step_scales_with_x():
    x = np.array([1e6, -3.0, 0.5])
    steps = []

    def f(v):
        steps.append(np.abs(v - x).max())
        return np.sum(np.log(np.abs(v)))

    g = G.numerical_gradient(f, x)
    expected_steps = np.cbrt(np.finfo(np.float64).eps) * np.array([1e6, 3.0, 1.0])
    np.testing.assert_allclose(steps[::2], expected_steps, rtol=1e-9)
    np.testing.assert_allclose(g, 1 / x, rtol=1e-9)  # a fixed step 6e-6 would leave ~1e-4 at 1e6


def test_numerical_gradient_calls_f_with_float64_arrays():
    seen = []
    g = G.numerical_gradient(
        lambda v: seen.append(v.dtype) or np.sum(v**2), np.array([0.1, 3.0], dtype=np.float32)
    )
    assert g.dtype == np.float64 and set(seen) == {np.dtype(np.float64)}
    np.testing.assert_allclose(
        g, 2 * np.array([0.1, 3.0], dtype=np.float32).astype(np.float64), rtol=1e-10
    )


def test_numerical_gradient_with_explicit_steps():
    x = np.array([0.3, 0.7])
    coarse = G.numerical_gradient(lambda v: np.sum(v**3), x, h=0.1)  # exact up to h**2 * f'''/6
    np.testing.assert_allclose(coarse, 3 * x**2 + 0.1**2, rtol=1e-12)
    per_entry = G.numerical_gradient(lambda v: np.sum(v**3), x, h=np.array([0.1, 0.2]))
    np.testing.assert_allclose(per_entry, 3 * x**2 + np.array([0.1, 0.2]) ** 2, rtol=1e-12)


def test_numerical_gradient_rejects_bad_arguments():
    with pytest.raises(ValueError, match="scalar"):
        G.numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(TypeError, match="f must be callable"):
        G.numerical_gradient(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="h must be positive"):
        G.numerical_gradient(np.sum, np.ones(2), h=0.0)
    with pytest.raises(ValueError, match="x must be finite"):
        G.numerical_gradient(np.sum, np.array([1.0, np.nan]))


# --------------------------------------------------------------------------------------------
# cross-entropy
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ignore", [False, True], ids=["kept", "ignored"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", INDEX_SHAPES, ids=str)
def test_cross_entropy_grad_class_indices_match_autograd(torch, shape, weighted, ignore):
    for case in options(dtype=DTYPES, reduction=REDUCTIONS, label_smoothing=[0.0, 0.2]):
        rng = rng_for("ce", shape, weighted, ignore, case)
        dtype = case["dtype"]
        x, t = make_logits(rng, shape, dtype), make_class_targets(rng, shape, ignore)
        kwargs = dict(
            weight=make_class_weight(rng, shape, weighted, dtype),
            ignore_index=IGNORE,
            reduction=case["reduction"],
            label_smoothing=case["label_smoothing"],
        )
        expected = autograd(torch, torch.nn.functional.cross_entropy, x, t, **kwargs)
        assert_grad_close(G.cross_entropy_grad(x, t, **kwargs), expected, dtype, case)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", PROB_SHAPES, ids=str)
def test_cross_entropy_grad_class_probabilities_match_autograd(torch, shape, weighted):
    for case in options(dtype=DTYPES, reduction=REDUCTIONS, label_smoothing=[0.0, 0.3]):
        rng = rng_for("ce-prob", shape, weighted, case)
        dtype = case["dtype"]
        x, q = make_logits(rng, shape, dtype), make_probabilities(rng, shape, dtype)
        kwargs = dict(
            weight=make_class_weight(rng, shape, weighted, dtype),
            reduction=case["reduction"],
            label_smoothing=case["label_smoothing"],
        )
        expected = autograd(torch, torch.nn.functional.cross_entropy, x, q, **kwargs)
        assert_grad_close(G.cross_entropy_grad(x, q, **kwargs), expected, dtype, case)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", [(5,), (6, 4), (2, 3, 2, 3)], ids=str)
def test_cross_entropy_grad_every_target_ignored(torch, shape, weighted, label_smoothing):
    """The 'mean' loss is 0/0 = nan, but PyTorch's gradient is 0: only kept targets are written."""
    rng = rng_for("ce-all-ignored", shape, weighted, label_smoothing)
    x = make_logits(rng, shape)
    t = np.full(shape[: class_dim(shape)] + shape[class_dim(shape) + 1 :], IGNORE, dtype=np.int64)
    w = make_class_weight(rng, shape, weighted)
    for reduction in REDUCTIONS:
        kwargs = dict(weight=w, reduction=reduction, label_smoothing=label_smoothing)
        expected = autograd(torch, torch.nn.functional.cross_entropy, x, t, **kwargs)
        grad = G.cross_entropy_grad(x, t, **kwargs)
        assert_grad_close(grad, expected, np.float64)
        np.testing.assert_array_equal(grad, np.zeros(shape))
    assert np.isnan(F.cross_entropy(x, t, weight=w, label_smoothing=label_smoothing))


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_grad_kept_weights_summing_to_zero_give_nan_rows(torch, label_smoothing):
    x = make_logits(rng_for("ce-zero-weight"), (3, 4))
    t, w = np.array([0, 0, IGNORE]), np.array([0.0, 1.0, 1.0, 1.0])
    kwargs = dict(weight=w, label_smoothing=label_smoothing)
    grad = G.cross_entropy_grad(x, t, **kwargs)
    assert_grad_close(
        grad, autograd(torch, torch.nn.functional.cross_entropy, x, t, **kwargs), np.float64
    )
    assert np.all(np.isnan(grad[:2])) and np.all(grad[2] == 0)


def test_cross_entropy_grad_ignore_index_may_be_a_real_class(torch):
    rng = rng_for("ce-ignore-class")
    x, t = make_logits(rng, (8, 3)), np.array([0, 1, 2, 1, 0, 2, 1, 1])
    for reduction in REDUCTIONS:
        expected = autograd(
            torch,
            torch.nn.functional.cross_entropy,
            x,
            t,
            ignore_index=1,
            reduction=reduction,
            label_smoothing=0.1,
        )
        grad = G.cross_entropy_grad(x, t, ignore_index=1, reduction=reduction, label_smoothing=0.1)
        assert_grad_close(grad, expected, np.float64)
        assert np.all(grad[t == 1] == 0)


def test_cross_entropy_grad_confident_target_keeps_relative_accuracy(torch):
    """p_y - 1 for logits [40, 0, 0] is -2e^-40/(1 + 2e^-40): computed without cancellation."""
    x, t = np.array([[40.0, 0.0, 0.0]]), np.array([0])
    grad = G.cross_entropy_grad(x, t)
    exact = -2 * mpmath.exp(-40) / (1 + 2 * mpmath.exp(-40))
    assert abs(grad[0, 0] - float(exact)) <= 1e-15 * abs(float(exact))
    other = float(mpmath.exp(-40) / (1 + 2 * mpmath.exp(-40)))
    assert abs(grad[0, 1] - other) <= 1e-15 * other
    # PyTorch computes p_y - 1 as a difference and gets 0: equal up to the rounding of O(1) numbers.
    expected = autograd(torch, torch.nn.functional.cross_entropy, x, t)
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("kind", ["indices", "probabilities"])
@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 2, 2)], ids=str)
def test_cross_entropy_grad_matches_central_differences(shape, kind):
    cases = options(weighted=[True], label_smoothing=[0.2], reduction=REDUCTIONS)
    cases += [dict(weighted=False, label_smoothing=0.0, reduction="mean")]
    for case in cases:
        rng = rng_for("ce-numeric", shape, kind, case)
        x = make_logits(rng, shape)
        if kind == "indices":
            t = make_class_targets(rng, shape, ignore=len(shape) > 1)
        else:
            t = make_probabilities(rng, shape)
        kwargs = dict(
            weight=make_class_weight(rng, shape, case["weighted"]),
            reduction=case["reduction"],
            label_smoothing=case["label_smoothing"],
        )
        assert_numeric_close(
            G.cross_entropy_grad(x, t, **kwargs),
            lambda v: total(F.cross_entropy)(v, t, **kwargs),
            x,
            case,
        )


def test_cross_entropy_grad_none_gives_each_samples_own_gradient():
    rng = rng_for("ce-none")
    x, t = make_logits(rng, (4, 3)), np.array([2, 0, 1, 1])
    grad = G.cross_entropy_grad(x, t, reduction="none", label_smoothing=0.1)
    for n in range(4):
        own = G.numerical_gradient(
            lambda v: F.cross_entropy(v, t, reduction="none", label_smoothing=0.1)[n], x
        )
        np.testing.assert_allclose(grad[n], own[n], rtol=NUMERIC_RTOL)
        assert np.all(np.delete(own, n, axis=0) == 0)


def test_cross_entropy_grad_identities():
    """Rows of p - e_y sum to 0; probabilities give p - q; 'mean' divides by the kept count."""
    rng = rng_for("ce-identities")
    x, t = make_logits(rng, (7, 5)), make_class_targets(rng, (7, 5), ignore=True)
    grad = G.cross_entropy_grad(x, t, reduction="sum")
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    kept = t != IGNORE
    np.testing.assert_allclose(grad[kept], p[kept] - np.eye(5)[t[kept]], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(G.cross_entropy_grad(x, t), grad / kept.sum(), rtol=1e-15)
    q = make_probabilities(rng, (7, 5))
    np.testing.assert_allclose(
        G.cross_entropy_grad(x, q, reduction="sum"), p - q, rtol=1e-12, atol=1e-16
    )


# --------------------------------------------------------------------------------------------
# NLL
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ignore", [False, True], ids=["kept", "ignored"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", INDEX_SHAPES, ids=str)
def test_nll_loss_grad_matches_autograd(torch, shape, weighted, ignore):
    for case in options(dtype=DTYPES, reduction=REDUCTIONS):
        rng = rng_for("nll", shape, weighted, ignore, case)
        dtype = case["dtype"]
        x, t = make_logits(rng, shape, dtype), make_class_targets(rng, shape, ignore)
        kwargs = dict(
            weight=make_class_weight(rng, shape, weighted, dtype),
            ignore_index=IGNORE,
            reduction=case["reduction"],
        )
        expected = autograd(torch, torch.nn.functional.nll_loss, x, t, **kwargs)
        assert_grad_close(G.nll_loss_grad(x, t, **kwargs), expected, dtype, case)


def test_nll_loss_grad_edge_cases_match_autograd(torch):
    x = make_logits(rng_for("nll-edge"), (3, 4))
    cases = [  # every target ignored; kept weights summing to 0; ignore_index a real class
        (np.full(3, IGNORE), dict(weight=None)),
        (np.array([0, 0, IGNORE]), dict(weight=np.array([0.0, 1.0, 1.0, 1.0]))),
        (np.array([0, 1, 2]), dict(weight=None, ignore_index=1)),
    ]
    for t, kwargs in cases:
        for reduction in REDUCTIONS:
            kwargs = dict(kwargs, reduction=reduction)
            expected = autograd(torch, torch.nn.functional.nll_loss, x, t, **kwargs)
            assert_grad_close(G.nll_loss_grad(x, t, **kwargs), expected, np.float64, kwargs)


@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 2, 2)], ids=str)
def test_nll_loss_grad_matches_central_differences(shape):
    for reduction in REDUCTIONS:
        rng = rng_for("nll-numeric", shape, reduction)
        x, t = make_logits(rng, shape), make_class_targets(rng, shape, ignore=len(shape) > 1)
        w = make_class_weight(rng, shape, True)
        assert_numeric_close(
            G.nll_loss_grad(x, t, weight=w, reduction=reduction),
            lambda v: total(F.nll_loss)(v, t, weight=w, reduction=reduction),
            x,
            reduction,
        )


# --------------------------------------------------------------------------------------------
# binary cross-entropy
# --------------------------------------------------------------------------------------------
BCE_WEIGHTS = ["none", "elementwise", "broadcast"]


def make_bce_weight(rng, shape, kind, dtype):
    if kind == "none":
        return None
    return rng.uniform(0.2, 2.0, size=shape if kind == "elementwise" else shape[-1:]).astype(dtype)


@pytest.mark.parametrize("shape", [(7,), (3, 4)], ids=str)
def test_binary_cross_entropy_grad_matches_autograd(torch, shape):
    for case in options(dtype=DTYPES, reduction=REDUCTIONS, weight=BCE_WEIGHTS):
        rng = rng_for("bce", shape, case)
        dtype = case["dtype"]
        p = rng.uniform(0.02, 0.98, size=shape).astype(dtype)
        y = rng.uniform(0, 1, size=shape).astype(dtype)
        kwargs = dict(
            weight=make_bce_weight(rng, shape, case["weight"], dtype), reduction=case["reduction"]
        )
        expected = autograd(torch, torch.nn.functional.binary_cross_entropy, p, y, **kwargs)
        assert_grad_close(G.binary_cross_entropy_grad(p, y, **kwargs), expected, dtype, case)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_binary_cross_entropy_grad_at_probabilities_zero_and_one(torch, dtype):
    """PyTorch's backward divides by max(p(1-p), 1e-12): ±1e12 where p is 0 or 1 and y is not."""
    p = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 1e-13, 0.5], dtype=dtype)
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1.0, 0.5], dtype=dtype)
    for reduction in REDUCTIONS:
        expected = autograd(
            torch, torch.nn.functional.binary_cross_entropy, p, y, reduction=reduction
        )
        grad = G.binary_cross_entropy_grad(p, y, reduction=reduction)
        assert_grad_close(grad, expected, dtype)
    np.testing.assert_allclose(
        G.binary_cross_entropy_grad(p, y, reduction="sum")[:4], [0.0, -1e12, 1e12, 0.0], rtol=1e-8
    )


def test_binary_cross_entropy_grad_matches_central_differences():
    for case in options(weight=BCE_WEIGHTS, reduction=REDUCTIONS):
        rng = rng_for("bce-numeric", case)
        p, y = rng.uniform(0.05, 0.95, size=(3, 4)), rng.uniform(0, 1, size=(3, 4))
        kwargs = dict(
            weight=make_bce_weight(rng, (3, 4), case["weight"], np.float64),
            reduction=case["reduction"],
        )
        assert_numeric_close(
            G.binary_cross_entropy_grad(p, y, **kwargs),
            lambda v: total(F.binary_cross_entropy)(v, y, **kwargs),
            p,
            case,
        )


@pytest.mark.parametrize("pos_weight", [False, True], ids=["no-pos-weight", "pos-weight"])
def test_binary_cross_entropy_with_logits_grad_matches_autograd(torch, pos_weight):
    for case in options(dtype=DTYPES, reduction=REDUCTIONS, weight=BCE_WEIGHTS):
        rng = rng_for("bce-logits", pos_weight, case)
        dtype = case["dtype"]
        x = make_logits(rng, (5, 4), dtype)
        soft = rng.random((5, 4)) < 0.3  # mostly 0/1 targets, some soft
        y = np.where(soft, rng.uniform(0, 1, (5, 4)), rng.integers(0, 2, (5, 4))).astype(dtype)
        kwargs = dict(
            weight=make_bce_weight(rng, (5, 4), case["weight"], dtype),
            reduction=case["reduction"],
            pos_weight=rng.uniform(0.5, 4, size=4).astype(dtype) if pos_weight else None,
        )
        loss = torch.nn.functional.binary_cross_entropy_with_logits
        expected = autograd(torch, loss, x, y, **kwargs)
        assert_grad_close(
            G.binary_cross_entropy_with_logits_grad(x, y, **kwargs), expected, dtype, case
        )


def test_binary_cross_entropy_with_logits_grad_extreme_logits(torch):
    x = np.array([40.0, -40.0, 40.0, -40.0, 800.0, -800.0, np.inf, -np.inf])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    pw = np.array(2.5)
    grad = G.binary_cross_entropy_with_logits_grad(x, y, reduction="sum", pos_weight=pw)
    expected = autograd(
        torch,
        torch.nn.functional.binary_cross_entropy_with_logits,
        x,
        y,
        reduction="sum",
        pos_weight=pw,
    )
    assert_grad_close(grad, expected, np.float64)
    # Where PyTorch's sigma(x) - 1 rounds to 0, the stable form keeps -pw * sigma(-x):
    exact = -2.5 / (1 + mpmath.exp(40))
    assert abs(grad[0] - float(exact)) <= 1e-15 * abs(float(exact))
    assert np.array_equal(grad[4:], [0.0, 0.0, 0.0, 0.0]) and np.all(np.isfinite(grad))


def test_binary_cross_entropy_with_logits_grad_matches_central_differences():
    for case in options(pos_weight=[False, True], reduction=REDUCTIONS):
        rng = rng_for("bce-logits-numeric", case)
        x, y = make_logits(rng, (3, 4)), rng.uniform(0, 1, size=(3, 4))
        kwargs = dict(
            weight=rng.uniform(0.5, 2, size=(3, 4)),
            reduction=case["reduction"],
            pos_weight=rng.uniform(0.5, 4.0, size=4) if case["pos_weight"] else None,
        )
        assert_numeric_close(
            G.binary_cross_entropy_with_logits_grad(x, y, **kwargs),
            lambda v: total(F.binary_cross_entropy_with_logits)(v, y, **kwargs),
            x,
            case,
        )


# --------------------------------------------------------------------------------------------
# KL divergence and MSE
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)], ids=str)
def test_kl_div_grad_matches_autograd(torch, shape):
    for case in options(
        dtype=DTYPES, reduction=REDUCTIONS + ["batchmean"], log_target=[False, True]
    ):
        rng = rng_for("kl", shape, case)
        dtype = case["dtype"]
        log_q = np.log(make_probabilities(rng, shape)).astype(dtype)
        p = make_probabilities(rng, shape)
        p.flat[0] = 0.0  # a zero target: gradient 0
        with np.errstate(divide="ignore"):
            t = (np.log(p) if case["log_target"] else p).astype(dtype)
        kwargs = dict(reduction=case["reduction"], log_target=case["log_target"])
        expected = autograd(torch, torch.nn.functional.kl_div, log_q, t, **kwargs)
        assert_grad_close(G.kl_div_grad(log_q, t, **kwargs), expected, dtype, case)


def test_kl_div_grad_broadcast_target_and_infinite_input(torch):
    for reduction in REDUCTIONS + ["batchmean"]:
        rng = rng_for("kl-broadcast", reduction)
        log_q, p = np.log(make_probabilities(rng, (4,))), make_probabilities(rng, (3, 4))
        log_q[1] = -np.inf  # the gradient is still -t
        expected = autograd(torch, torch.nn.functional.kl_div, log_q, p, reduction=reduction)
        assert_grad_close(
            G.kl_div_grad(log_q, p, reduction=reduction), expected, np.float64, reduction
        )


def test_kl_div_grad_matches_central_differences():
    for case in options(reduction=REDUCTIONS + ["batchmean"], log_target=[False, True]):
        rng = rng_for("kl-numeric", case)
        log_q, p = np.log(make_probabilities(rng, (3, 4))), make_probabilities(rng, (3, 4))
        t = np.log(p) if case["log_target"] else p
        assert_numeric_close(
            G.kl_div_grad(log_q, t, **case), lambda v: total(F.kl_div)(v, t, **case), log_q, case
        )


@pytest.mark.parametrize("shape", [(), (5,), (3, 4)], ids=str)
def test_mse_loss_grad_matches_autograd(torch, shape):
    for case in options(dtype=DTYPES, reduction=REDUCTIONS):
        rng = rng_for("mse", shape, case)
        dtype, reduction = case["dtype"], case["reduction"]
        x, y = rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
        expected = autograd(torch, torch.nn.functional.mse_loss, x, y, reduction=reduction)
        assert_grad_close(G.mse_loss_grad(x, y, reduction=reduction), expected, dtype, case)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4)], ids=str)
def test_mse_loss_grad_matches_central_differences(shape):
    rng = rng_for("mse-numeric", shape)
    x, y = rng.normal(size=shape), rng.normal(size=shape)
    for reduction in REDUCTIONS:
        assert_numeric_close(
            G.mse_loss_grad(x, y, reduction=reduction),
            lambda v: total(F.mse_loss)(v, y, reduction=reduction),
            x,
            reduction,
        )


# --------------------------------------------------------------------------------------------
# cosine similarity
# --------------------------------------------------------------------------------------------
COSINE_CASES = {  # name: (shape of x1, shape of x2, dim)
    "rows": ((4, 5), (4, 5), 1),
    "columns": ((4, 5), (4, 5), 0),
    "last-of-3d": ((2, 3, 4), (2, 3, 4), -1),
    "vectors": ((6,), (6,), 0),
    "broadcast-row": ((1, 5), (4, 5), 1),
    "broadcast-rank": ((5,), (3, 5), -1),
    "broadcast-both": ((4, 1, 3), (1, 2, 3), 2),
}


@pytest.mark.parametrize("case", COSINE_CASES)
def test_cosine_similarity_grad_matches_autograd(torch, case):
    shape1, shape2, dim = COSINE_CASES[case]
    for dtype in DTYPES:
        rng = rng_for("cos", case, dtype)
        a, b = rng.normal(size=shape1).astype(dtype), rng.normal(size=shape2).astype(dtype)
        ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        torch.nn.functional.cosine_similarity(ta, tb, dim=dim).sum().backward()
        g1, g2 = G.cosine_similarity_grad(a, b, dim=dim)
        assert_grad_close(g1, ta.grad.numpy(), dtype, dtype)
        assert_grad_close(g2, tb.grad.numpy(), dtype, dtype)


@pytest.mark.parametrize("case", COSINE_CASES)
def test_cosine_similarity_grad_matches_central_differences(case):
    shape1, shape2, dim = COSINE_CASES[case]
    rng = rng_for("cos-numeric", case)
    a, b = rng.normal(size=shape1), rng.normal(size=shape2)
    g1, g2 = G.cosine_similarity_grad(a, b, dim=dim)
    assert_numeric_close(g1, lambda v: total(F.cosine_similarity)(v, b, dim=dim), a)
    assert_numeric_close(g2, lambda v: total(F.cosine_similarity)(a, v, dim=dim), b)
    # Scaling a vector leaves its cosine unchanged: the gradient is orthogonal to it (same shapes).
    if shape1 == shape2:
        np.testing.assert_allclose(np.sum(g1 * a, axis=dim), 0, atol=1e-14)


def test_cosine_similarity_grad_where_a_norm_is_clamped():
    """Below eps the norm is the constant eps: the gradient is x2/(eps d2), as differences show."""
    a = np.array([[0.18, -0.24, 0.0], [1.0, 2.0, -0.5], [0.0, 0.0, 0.0]])  # norms 0.3, 2.3, 0
    b = np.array([[1.0, 2.0, 0.5], [0.1, 0.05, -0.2], [0.3, -0.2, 0.1]])  # norms 2.3, 0.23, 0.37
    g1, g2 = G.cosine_similarity_grad(a, b, eps=0.5)
    assert_numeric_close(g1, lambda v: total(F.cosine_similarity)(v, b, eps=0.5), a)
    assert_numeric_close(g2, lambda v: total(F.cosine_similarity)(a, v, eps=0.5), b)
    d2 = np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 0.5)
    np.testing.assert_allclose(g1[[0, 2]], (b / (0.5 * d2))[[0, 2]], rtol=1e-14)


def test_cosine_similarity_grad_where_pytorch_differs(torch):
    """PyTorch clamps the norms in place under no_grad, so for 0 < |x1| < eps its autograd keeps the
    unclamped norm's derivative term -cos x1 / (eps |x1|). A zero vector gives the same in both."""
    a, b = np.array([[3e-9, 4e-9], [0.0, 0.0]]), np.array([[1.0, 2.0], [1.0, 2.0]])
    ta = torch.tensor(a, requires_grad=True)
    torch.nn.functional.cosine_similarity(ta, torch.tensor(b)).sum().backward()
    g1, _ = G.cosine_similarity_grad(a, b)
    u2 = b / np.linalg.norm(b, axis=1, keepdims=True)
    np.testing.assert_allclose(g1, u2 / 1e-8, rtol=1e-14)
    cos = np.sum(a[0] * u2[0]) / 1e-8
    np.testing.assert_allclose(ta.grad.numpy()[0], g1[0] - cos * a[0] / (1e-8 * 5e-9), rtol=1e-12)
    assert_grad_close(g1[1:], ta.grad.numpy()[1:], np.float64)
    # Finite differences need a step far below |x1| = 5e-9 (the default is about 6e-6):
    numeric = G.numerical_gradient(
        lambda v: float(F.cosine_similarity(v, b[:1])[0]), a[:1], h=1e-12
    )
    np.testing.assert_allclose(g1[:1], numeric, rtol=1e-6)


# --------------------------------------------------------------------------------------------
# dtypes and argument checking (no PyTorch)
# --------------------------------------------------------------------------------------------
def all_gradients(dtype, compute=None):
    x = np.array([[0.2, 0.7], [0.4, 0.1]], dtype=dtype)
    if compute is not None:
        x = x.astype(compute)
    return {
        "cross_entropy": G.cross_entropy_grad(x, np.array([0, 1])),
        "cross_entropy_probs": G.cross_entropy_grad(x, np.array([[0.5, 0.5], [1.0, 0.0]])),
        "nll_loss": G.nll_loss_grad(x, np.array([0, 1])),
        "bce": G.binary_cross_entropy_grad(x, x[::-1]),
        "bce_logits": G.binary_cross_entropy_with_logits_grad(x, x[::-1], pos_weight=np.ones(2)),
        "kl_div": G.kl_div_grad(x, x[::-1], reduction="batchmean"),
        "mse": G.mse_loss_grad(x, x[::-1]),
        "cosine_x1": G.cosine_similarity_grad(x, x[::-1])[0],
        "cosine_x2": G.cosine_similarity_grad(x, x[::-1])[1],
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_gradients_keep_the_floating_dtype_of_input(dtype):
    expected = np.float64 if dtype == np.int64 else dtype
    for name, grad in all_gradients(dtype).items():
        assert grad.dtype == expected and grad.shape == (2, 2), name


def test_float32_gradients_are_the_float64_ones_rounded():
    """float32 input is computed in float64 and rounded once: the float64 result, to float32."""
    single = all_gradients(np.float32)
    double = all_gradients(np.float32, compute=np.float64)  # the same float32 values, as float64
    for name in single:
        np.testing.assert_array_equal(single[name], double[name].astype(np.float32), err_msg=name)


GRAD_FUNCTIONS = {
    "cross_entropy": lambda **kw: G.cross_entropy_grad(np.zeros((2, 3)), np.array([0, 1]), **kw),
    "nll_loss": lambda **kw: G.nll_loss_grad(np.zeros((2, 3)), np.array([0, 1]), **kw),
    "bce": lambda **kw: G.binary_cross_entropy_grad(np.full(2, 0.5), np.ones(2), **kw),
    "bce_logits": lambda **kw: G.binary_cross_entropy_with_logits_grad(
        np.zeros(2), np.ones(2), **kw
    ),
    "kl_div": lambda **kw: G.kl_div_grad(np.zeros(2), np.full(2, 0.5), **kw),
    "mse": lambda **kw: G.mse_loss_grad(np.zeros(2), np.ones(2), **kw),
}


@pytest.mark.parametrize("name", GRAD_FUNCTIONS)
def test_unknown_reduction_raises(name):
    with pytest.raises(ValueError, match="reduction must be one of"):
        GRAD_FUNCTIONS[name](reduction="average")
    if name != "kl_div":
        with pytest.raises(ValueError, match="reduction"):
            GRAD_FUNCTIONS[name](reduction="batchmean")


def test_class_index_targets_are_checked():
    x = np.zeros((2, 3))
    for grad in (G.cross_entropy_grad, G.nll_loss_grad):
        with pytest.raises(F.TargetOutOfBoundsError, match="out of bounds") as raised:
            grad(x, np.array([0, 3]))
        assert isinstance(raised.value, ValueError) and isinstance(raised.value, IndexError)
        with pytest.raises(ValueError, match="out of bounds"):
            grad(x, np.array([-1, 0]))
        with pytest.raises(TypeError, match="target"):
            grad(x, np.array([0.0, 1.0]))
        with pytest.raises(ValueError, match="target has shape"):
            grad(x, np.array([0, 1, 2]))
        with pytest.raises(ValueError, match="weight"):
            grad(x, np.array([0, 1]), weight=np.ones(2))
        with pytest.raises(ValueError, match="input"):
            grad(np.float64(1.0), np.array(0))


def test_cross_entropy_specific_arguments_are_checked():
    x = np.zeros((2, 3))
    with pytest.raises(TypeError, match="class probabilities"):
        G.cross_entropy_grad(x, np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="ignore_index"):
        G.cross_entropy_grad(x, np.full((2, 3), 1 / 3), ignore_index=0)
    for bad in (1.5, -0.1):
        with pytest.raises(ValueError, match="label_smoothing"):
            G.cross_entropy_grad(x, np.array([0, 1]), label_smoothing=bad)


def test_elementwise_loss_arguments_are_checked():
    with pytest.raises(ValueError, match="target must have the same shape as input"):
        G.binary_cross_entropy_grad(np.full(3, 0.5), np.ones(2))
    with pytest.raises(ValueError, match="input should be between 0 and 1"):
        G.binary_cross_entropy_grad(np.array([1.5]), np.ones(1))
    with pytest.raises(ValueError, match="target should be between 0 and 1"):
        G.binary_cross_entropy_grad(np.array([0.5]), np.array([2.0]))
    with pytest.raises(ValueError, match="weight"):
        G.binary_cross_entropy_grad(np.full((2, 3), 0.5), np.ones((2, 3)), weight=np.ones(2))
    with pytest.raises(ValueError, match="target must have the same shape"):
        G.binary_cross_entropy_with_logits_grad(np.zeros(3), np.ones(2))
    with pytest.raises(ValueError, match="pos_weight"):
        G.binary_cross_entropy_with_logits_grad(
            np.zeros((2, 3)), np.ones((2, 3)), pos_weight=np.ones(2)
        )
    with pytest.raises(ValueError, match="target of shape"):
        G.kl_div_grad(np.zeros(3), np.ones(2))
    with pytest.raises(ValueError, match="target must have the same shape"):
        G.mse_loss_grad(np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(TypeError, match="input"):
        G.mse_loss_grad(np.array(["a"]), np.zeros(1))


def test_cosine_similarity_grad_arguments_are_checked():
    with pytest.raises(ValueError, match="eps"):
        G.cosine_similarity_grad(np.ones((2, 3)), np.ones((2, 3)), eps=-1.0)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        G.cosine_similarity_grad(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(F.DimensionOutOfRangeError, match="dim"):
        G.cosine_similarity_grad(np.ones((2, 3)), np.ones((2, 3)), dim=2)
