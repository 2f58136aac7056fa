"""Focal losses: values, options, errors, gradients and accuracy.

References: torchvision's ``sigmoid_focal_loss`` (0.28, transcribed below from its source because
torchvision's compiled operators do not load beside the CPU build of torch 2.13), a PyTorch
composition of ``log_softmax`` for the softmax focal loss, torch autograd, finite differences and
mpmath at 50 digits.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from reference_torch import import_torch

import lossbook.functional as F
import lossbook.gradients as G

ALPHAS = [0.25, 0.0, 1.0, 0.5, -1]
GAMMAS = [0.0, 0.5, 1.0, 2.0, 3.5]
REDUCTIONS = ["none", "mean", "sum"]


def _torch():
    return import_torch()


def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, version 0.28, line by line."""
    torch = _torch()
    functional = torch.nn.functional
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(f"Invalid alpha value: {alpha}.")
    p = torch.sigmoid(inputs)
    ce_loss = functional.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def torch_softmax_focal_loss(x, y, alpha=None, gamma=2.0, ignore_index=-100, reduction="mean"):
    torch = _torch()
    class_dim = 0 if x.ndim == 1 else 1
    kept = y != ignore_index
    safe = torch.where(kept, y, 0)
    log_q = torch.log_softmax(x, class_dim).gather(class_dim, safe.unsqueeze(class_dim))
    log_q = log_q.squeeze(class_dim)
    w = kept.to(x.dtype) if alpha is None else alpha[safe] * kept
    losses = -w * (1 - log_q.exp()) ** gamma * log_q
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / w.sum()


@pytest.fixture(scope="module")
def binary_data():
    rng = np.random.default_rng(21)
    # |x| <= 6: torchvision's 1 - p_t loses digits as p_t -> 1 (accuracy is tested against mpmath)
    x = np.clip(rng.normal(scale=3.0, size=(6, 5)), -6, 6)
    x[0, :3] = [0.0, 6.0, -6.0]
    y = (rng.random((6, 5)) < 0.4).astype(np.float64)
    y[1] = rng.random(5)  # soft labels
    return x, y


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_focal_loss_matches_torchvision(binary_data, alpha, gamma, reduction):
    torch = _torch()
    x, y = binary_data
    expected = torchvision_sigmoid_focal_loss(
        torch.tensor(x), torch.tensor(y), alpha, gamma, reduction
    )
    got = F.sigmoid_focal_loss(x, y, alpha, gamma, reduction)
    assert got.shape == tuple(expected.shape) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_sigmoid_focal_loss_low_precision_dtypes(binary_data, dtype):
    torch = _torch()
    x, y = (a.astype(dtype) for a in binary_data)
    got = F.sigmoid_focal_loss(x, y)
    reference = torchvision_sigmoid_focal_loss(
        torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    )
    assert got.dtype == np.dtype(dtype)
    tolerance = {"float32": 1e-5, "float16": 2e-3}[dtype]
    np.testing.assert_allclose(got.astype(np.float64), reference.numpy(), rtol=tolerance, atol=1e-6)


@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3, 2)])
def test_sigmoid_focal_loss_shapes(shape):
    torch = _torch()
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=shape), (rng.random(shape) < 0.5).astype(np.float64)
    for reduction in REDUCTIONS:
        got = F.sigmoid_focal_loss(x, y, reduction=reduction)
        expected = torchvision_sigmoid_focal_loss(
            torch.tensor(x), torch.tensor(y), reduction=reduction
        )
        assert got.shape == tuple(expected.shape)
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-12)


def test_sigmoid_focal_loss_infinite_logits_match_torchvision():
    torch = _torch()
    x = np.array([np.inf, -np.inf, np.inf, -np.inf, np.inf, -np.inf, np.nan])
    y = np.array([1.0, 1.0, 0.0, 0.0, 0.5, 0.5, 1.0])
    for alpha, gamma in [(0.25, 2.0), (-1, 0.0), (0.5, 1.5)]:
        got = F.sigmoid_focal_loss(x, y, alpha, gamma)
        expected = torchvision_sigmoid_focal_loss(torch.tensor(x), torch.tensor(y), alpha, gamma)
        np.testing.assert_array_equal(got, expected.numpy())


def test_sigmoid_focal_loss_at_gamma_zero_is_bce_with_logits(binary_data):
    x, y = binary_data
    np.testing.assert_allclose(
        F.sigmoid_focal_loss(x, y, alpha=-1, gamma=0.0, reduction="mean"),
        F.binary_cross_entropy_with_logits(x, y),
        rtol=1e-15,
    )


def test_sigmoid_focal_loss_keeps_digits_where_torchvision_gives_zero():
    torch = _torch()
    x, y = np.array([40.0]), np.array([1.0])
    torchvision = torchvision_sigmoid_focal_loss(torch.tensor(x), torch.tensor(y), alpha=-1)
    assert torchvision.item() == 0.0  # 1 - p_t with p_t = sigmoid(40) rounded to 1
    with mpmath.workdps(50):
        exact = mpmath.log1p(mpmath.exp(-40)) * (1 / (1 + mpmath.exp(40))) ** 2
    assert F.sigmoid_focal_loss(x, y, alpha=-1)[0] == pytest.approx(float(exact), rel=1e-15)


@pytest.fixture(scope="module")
def class_data():
    rng = np.random.default_rng(5)
    x = rng.normal(scale=3.0, size=(7, 4))
    x[0] = [30.0, 0.0, -1.0, 2.0]  # q_y close to 1
    y = rng.integers(0, 4, size=7)
    y[0], y[3] = 0, -100
    return x, y


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_focal_loss_matches_torch_composition(class_data, gamma, reduction, weighted):
    torch = _torch()
    x, y = class_data
    alpha = np.array([0.5, 1.0, 2.0, 0.25]) if weighted else None
    expected = torch_softmax_focal_loss(
        torch.tensor(x),
        torch.tensor(y),
        None if alpha is None else torch.tensor(alpha),
        gamma,
        reduction=reduction,
    )
    got = F.softmax_focal_loss(x, y, alpha, gamma, reduction=reduction)
    # The torch composition loses digits in 1 - exp(log q) for row 0; compare the rest tightly.
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-9, atol=1e-12)


def test_softmax_focal_loss_at_gamma_zero_is_weighted_cross_entropy(class_data):
    x, y = class_data
    alpha = np.array([0.5, 1.0, 2.0, 0.25])
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(
            F.softmax_focal_loss(x, y, alpha, gamma=0.0, reduction=reduction),
            F.cross_entropy(x, y, weight=alpha, reduction=reduction),
            rtol=1e-15,
        )


def test_softmax_focal_loss_one_sample_and_spatial():
    rng = np.random.default_rng(8)
    single = rng.normal(size=3)
    assert F.softmax_focal_loss(single, np.array(1), reduction="none").shape == ()
    image = rng.normal(size=(2, 3, 4, 4))
    labels = rng.integers(0, 3, size=(2, 4, 4))
    assert F.softmax_focal_loss(image, labels, reduction="none").shape == (2, 4, 4)
    torch = _torch()
    np.testing.assert_allclose(
        F.softmax_focal_loss(image, labels, gamma=1.5),
        torch_softmax_focal_loss(torch.tensor(image), torch.tensor(labels), gamma=1.5).numpy(),
        rtol=1e-12,
    )


# ---- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.25, -1])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_focal_loss_grad_matches_autograd(binary_data, alpha, gamma, reduction):
    torch = _torch()
    x, y = binary_data
    tx = torch.tensor(x, requires_grad=True)
    torchvision_sigmoid_focal_loss(tx, torch.tensor(y), alpha, gamma, reduction).sum().backward()
    got = G.sigmoid_focal_loss_grad(x, y, alpha, gamma, reduction)
    np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_softmax_focal_loss_grad_matches_autograd(class_data, gamma, reduction):
    torch = _torch()
    x, y = class_data
    alpha = np.array([0.5, 1.0, 2.0, 0.25])
    tx = torch.tensor(x, requires_grad=True)
    torch_softmax_focal_loss(
        tx, torch.tensor(y), torch.tensor(alpha), gamma, reduction=reduction
    ).sum().backward()
    got = G.softmax_focal_loss_grad(x, y, alpha, gamma, reduction=reduction)
    np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-8, atol=1e-14)


def test_sigmoid_focal_loss_grad_for_logits_beyond_underflow():
    torch = _torch()
    x = np.array([800.0, -800.0, 800.0, -800.0, 745.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    tx = torch.tensor(x, requires_grad=True)
    torchvision_sigmoid_focal_loss(tx, torch.tensor(y)).sum().backward()
    got = G.sigmoid_focal_loss_grad(x, y)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-12, atol=0)


def test_focal_gradients_match_finite_differences():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=5), np.array([1.0, 0.0, 1.0, 0.3, 0.0])
    numeric = G.numerical_gradient(lambda v: F.sigmoid_focal_loss(v, y, reduction="sum"), x)
    np.testing.assert_allclose(
        G.sigmoid_focal_loss_grad(x, y, reduction="sum"), numeric, rtol=1e-7, atol=1e-10
    )
    z, labels = rng.normal(size=(3, 4)), np.array([0, 3, 1])
    numeric = G.numerical_gradient(lambda v: F.softmax_focal_loss(v, labels, gamma=1.5), z)
    np.testing.assert_allclose(
        G.softmax_focal_loss_grad(z, labels, gamma=1.5), numeric, rtol=1e-7, atol=1e-10
    )


# ---- accuracy ----------------------------------------------------------------------------------
def _ulps(got: float, exact) -> float:
    exact = float(exact)
    return abs(got - exact) / np.spacing(abs(exact)) if exact else abs(got) / np.spacing(0.0)


def _exact_sigmoid_focal(x, y, alpha, gamma):
    x, y = mpmath.mpf(x), mpmath.mpf(y)
    sig, sig_neg = 1 / (1 + mpmath.exp(-x)), 1 / (1 + mpmath.exp(x))
    ce = y * mpmath.log1p(mpmath.exp(-x)) + (1 - y) * mpmath.log1p(mpmath.exp(x))
    loss = ce * (y * sig_neg + (1 - y) * sig) ** gamma
    return loss if alpha == -1 else loss * (alpha * y + (1 - alpha) * (1 - y))


STRESS_LOGITS = [
    -700.0,
    -60.0,
    -37.5,
    -20.0,
    -3.0,
    -1e-8,
    0.0,
    1e-8,
    0.5,
    3.0,
    20.0,
    37.5,
    60.0,
    700.0,
]


EXTENDED = pytest.mark.skipif(
    np.finfo(np.longdouble).nmant < 63,
    reason="the 1-ulp accuracy relies on an 80-bit np.longdouble (see the docstring)",
)


@EXTENDED
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_sigmoid_focal_loss_within_4_ulp_of_mpmath(gamma):
    worst = 0.0
    with mpmath.workdps(50):
        for x in STRESS_LOGITS:
            for y in (0.0, 1.0, 0.25):
                got = F.sigmoid_focal_loss(np.array([x]), np.array([y]), alpha=0.25, gamma=gamma)[0]
                worst = max(worst, _ulps(got, _exact_sigmoid_focal(x, y, 0.25, gamma)))
    assert worst <= 4, f"worst error {worst:.2f} ulp"


@EXTENDED
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_softmax_focal_loss_within_4_ulp_of_mpmath(gamma):
    rows = [
        [40.0, 0.0, -3.0],
        [0.0, 0.0, 0.0],
        [1.0, 1.0 + 1e-9, -2.0],
        [-5.0, 10.0, 300.0],
        [700.0, 0.0, 699.0],
        [1e-8, 0.0, -1e-8],
    ]
    worst = 0.0
    with mpmath.workdps(50):
        for row in rows:
            for target in range(3):
                got = F.softmax_focal_loss(
                    np.array([row]), np.array([target]), gamma=gamma, reduction="sum"
                )
                # r = sum_{j != y} e^{x_j - x_y}: 1 - q_y = r / (1 + r), -log q_y = log1p(r)
                r = sum(
                    mpmath.exp(mpmath.mpf(v) - mpmath.mpf(row[target]))
                    for j, v in enumerate(row)
                    if j != target
                )
                exact = (r / (1 + r)) ** gamma * mpmath.log1p(r)
                worst = max(worst, _ulps(float(got), exact))
    assert worst <= 4, f"worst error {worst:.2f} ulp"


# ---- bad input ---------------------------------------------------------------------------------
BAD_SIGMOID = [
    (dict(alpha="0.25"), TypeError, "alpha"),
    (dict(alpha=True), TypeError, "alpha"),
    (dict(alpha=1.5), ValueError, "alpha"),
    (dict(alpha=-0.5), ValueError, "alpha"),
    (dict(alpha=float("nan")), ValueError, "alpha"),
    (dict(gamma="2"), TypeError, "gamma"),
    (dict(gamma=None), TypeError, "gamma"),
    (dict(gamma=-1.0), ValueError, "gamma"),
    (dict(gamma=float("inf")), ValueError, "gamma"),
    (dict(reduction="avg"), ValueError, "reduction"),
    (dict(reduction=None), ValueError, "reduction"),
]


@pytest.mark.parametrize(("options", "error", "name"), BAD_SIGMOID)
def test_sigmoid_focal_loss_rejects_bad_options(options, error, name):
    with pytest.raises(error, match=name):
        F.sigmoid_focal_loss(np.zeros(3), np.ones(3), **options)
    with pytest.raises(error, match=name):
        G.sigmoid_focal_loss_grad(np.zeros(3), np.ones(3), **options)


@pytest.mark.parametrize(
    ("inputs", "targets", "error", "name"),
    [
        (np.zeros(3), np.ones(4), ValueError, "targets"),
        ([[0.0, 1.0], [2.0]], np.ones(2), ValueError, "inputs"),
        ("abc", np.ones(3), TypeError, "inputs"),
        (np.zeros(3), np.array(["a", "b", "c"]), TypeError, "targets"),
    ],
)
def test_sigmoid_focal_loss_rejects_bad_arrays(inputs, targets, error, name):
    with pytest.raises(error, match=name):
        F.sigmoid_focal_loss(inputs, targets)


@pytest.mark.parametrize(
    ("target", "options", "error", "name"),
    [
        (np.array([0.0, 1.0]), {}, TypeError, "target"),
        (np.array([0, 3]), {}, IndexError, "out of bounds"),
        (np.array([0, 1, 2]), {}, ValueError, "target"),
        (np.array([0, 1]), dict(alpha=np.ones(2)), ValueError, "alpha"),
        (np.array([0, 1]), dict(alpha=np.array([1.0, -1.0, 1.0])), ValueError, "alpha"),
        (np.array([0, 1]), dict(alpha=np.array([1.0, np.nan, 1.0])), ValueError, "alpha"),
        (np.array([0, 1]), dict(gamma="1"), TypeError, "gamma"),
        (np.array([0, 1]), dict(gamma=-0.5), ValueError, "gamma"),
        (np.array([0, 1]), dict(reduction="batchmean"), ValueError, "reduction"),
        (np.array([0, 1]), dict(ignore_index=1.5), TypeError, "ignore_index"),
    ],
)
def test_softmax_focal_loss_rejects_bad_input(target, options, error, name):
    with pytest.raises(error, match=name):
        F.softmax_focal_loss(np.zeros((2, 3)), target, **options)
    with pytest.raises(error, match=name):
        G.softmax_focal_loss_grad(np.zeros((2, 3)), target, **options)
