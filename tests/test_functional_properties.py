"""Identities that lossbook.functional must satisfy for every input (Hypothesis).

Deterministic: ``derandomize=True`` derives the examples from each test's source, and no example
database is written. ``LOSSBOOK_EXAMPLES`` (default 40) sets the number of examples per test.
Tolerances are stated per property, in units of the float64 epsilon where the identity is exact in
real arithmetic and only rounding separates the two sides.
"""

from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import distributions, finite

import lossbook.functional as F
import lossbook.info as info

SETTINGS = settings(
    max_examples=int(os.environ.get("LOSSBOOK_EXAMPLES", 40)),
    deadline=None,
    derandomize=True,
    database=None,
)
EPS = float(np.finfo(np.float64).eps)


# ---- strategies -------------------------------------------------------------------------------
@st.composite
def logit_batches(draw, scale=50.0, max_classes=6):
    """(logits (N, C), class targets (N,)), logits in [-scale, scale]."""
    n = draw(st.integers(1, 5))
    c = draw(st.integers(2, max_classes))
    z = draw(arrays(np.float64, (n, c), elements=finite(-scale, scale)))
    y = draw(arrays(np.int64, n, elements=st.integers(0, c - 1)))
    return z, y


@st.composite
def pairs(draw, allow_zeros_in_p=True):
    """(p, q), q strictly positive (so log q is finite)."""
    n = draw(st.integers(2, 8))
    return draw(distributions(n, allow_zeros_in_p)), draw(distributions(n, allow_zeros=False))


@st.composite
def vector_pairs(draw):
    n = draw(st.integers(1, 8))
    element = finite(-1e3, 1e3)
    return (
        draw(arrays(np.float64, (3, n), elements=element)),
        draw(arrays(np.float64, (3, n), elements=element)),
    )


# ---- softmax and cross-entropy ----------------------------------------------------------------
@SETTINGS
@given(logit_batches(), finite(-1e3, 1e3))
def test_softmax_cross_entropy_is_shift_invariant(batch, shift):
    """CE(z + c, y) = CE(z, y): the loss depends on logit differences only. Adding c rounds each
    logit by up to half an ulp of |z| + |c|, which moves the loss by at most about that much."""
    z, y = batch
    ce = F.cross_entropy(z, y, reduction="none")
    shifted = F.cross_entropy(z + shift, y, reduction="none")
    tolerance = 4 * EPS * (np.max(np.abs(z)) + abs(shift) + 1)
    np.testing.assert_allclose(shifted, ce, rtol=4 * EPS, atol=tolerance)


@SETTINGS
@given(
    arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 9)), elements=finite(-800, 800))
)
def test_softmax_is_a_distribution(z):
    """Entries in [0, 1], summing to 1 within C rounding errors, for logits up to +-800; and
    exp(log_softmax) = softmax (exp turns the half-ulp error of a log-probability l into a relative
    error of about |l| eps / 2, hence the tolerance)."""
    s = F.softmax(z, 1)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=0, atol=(z.shape[1] + 1) * EPS)
    log_s = F.log_softmax(z, 1)
    assert np.all(np.abs(np.exp(log_s) - s) <= (np.abs(log_s) + 4) * EPS * s + 1e-300)


@SETTINGS
@given(
    logit_batches(scale=100.0),
    st.sampled_from(["none", "mean", "sum"]),
    st.booleans(),
    st.sampled_from([-100, 0, 1]),
)
def test_nll_of_log_softmax_is_cross_entropy(batch, reduction, weighted, ignore_index):
    """nll_loss(log_softmax(z), y) = cross_entropy(z, y) for every reduction, weight and
    ignore_index (PyTorch defines cross_entropy this way)."""
    z, y = batch
    weight = np.linspace(0.5, 2.0, z.shape[1]) if weighted else None
    ce = F.cross_entropy(z, y, weight=weight, ignore_index=ignore_index, reduction=reduction)
    nll = F.nll_loss(
        F.log_softmax(z, 1), y, weight=weight, ignore_index=ignore_index, reduction=reduction
    )
    np.testing.assert_allclose(ce, nll, rtol=8 * EPS, atol=1e-300, equal_nan=True)


@SETTINGS
@given(logit_batches(scale=100.0))
def test_class_index_and_one_hot_probability_targets_agree(batch):
    z, y = batch
    one_hot = F.one_hot(y, z.shape[1]).astype(np.float64)
    np.testing.assert_allclose(
        F.cross_entropy(z, one_hot, reduction="none"),
        F.cross_entropy(z, y, reduction="none"),
        rtol=8 * EPS,
        atol=1e-300,
    )


# ---- information identities -------------------------------------------------------------------
@SETTINGS
@given(pairs())
def test_kl_is_non_negative_and_zero_only_for_equal_distributions(pq):
    p, q = pq
    kl = float(F.kl_div(np.log(q), p, reduction="sum"))
    assert kl >= -4 * EPS
    assert abs(float(F.kl_div(np.log(p[p > 0]), p[p > 0], reduction="sum"))) <= 4 * EPS
    if np.max(np.abs(p - q)) > 1e-3:
        assert kl > 0


@SETTINGS
@given(pairs())
def test_cross_entropy_is_at_least_the_entropy(pq):
    """H(p, q) >= H(p), with F.cross_entropy on logits log q and probability target p."""
    p, q = pq
    ce = float(F.cross_entropy(np.log(q)[None, :], p[None, :], reduction="sum"))
    assert ce >= float(info.entropy(p)) - 8 * EPS * (1 + ce)


@SETTINGS
@given(pairs())
def test_kl_is_cross_entropy_minus_entropy(pq):
    """KL(p || q) = H(p, q) - H(p): lossbook.info against F.kl_div(log q, p, 'sum'). The right side
    subtracts two numbers up to log(n); allow a few ulps of them."""
    p, q = pq
    kl = float(F.kl_div(np.log(q), p, reduction="sum"))
    h_pq, h_p = float(info.cross_entropy(p, q)), float(info.entropy(p))
    assert math.isclose(kl, h_pq - h_p, rel_tol=1e-12, abs_tol=16 * EPS * (1 + h_pq))
    # also with log_target=True and as the 'batchmean' of a batch of one
    log_p = np.log(np.where(p > 0, p, 1.0))
    kl_log_target = float(
        F.kl_div(np.log(q)[p > 0], log_p[p > 0], reduction="sum", log_target=True)
    )
    assert math.isclose(kl_log_target, kl, rel_tol=1e-12, abs_tol=16 * EPS)
    assert math.isclose(
        float(F.kl_div(np.log(q)[None, :], p[None, :], reduction="batchmean")),
        kl,
        rel_tol=4 * EPS,
        abs_tol=1e-300,
    )


# ---- cosine similarity ------------------------------------------------------------------------
@SETTINGS
@given(vector_pairs(), st.integers(-60, 60), finite(1e-3, 1e3))
def test_cosine_is_in_minus_one_one_and_scale_invariant(vectors, power, factor):
    """|cos| <= 1 always; cos(2^k a, b) = cos(a, b) exactly while the norms stay above eps (a power
    of two scales without rounding), and within a few ulps for any positive factor; cos(-a, b) =
    -cos(a, b)."""
    a, b = vectors
    cos = F.cosine_similarity(a, b, dim=1)
    assert np.all(np.abs(cos) <= 1.0)
    norms_ok = (np.linalg.norm(a, axis=1) * min(2.0**power, factor, 1.0) > 1e-6) & (
        np.linalg.norm(b, axis=1) > 1e-6
    )
    scaled = F.cosine_similarity(np.ldexp(a, power), b, dim=1)
    np.testing.assert_allclose(scaled[norms_ok], cos[norms_ok], rtol=0, atol=4 * EPS)
    stretched = F.cosine_similarity(a * factor, b, dim=1)
    np.testing.assert_allclose(stretched[norms_ok], cos[norms_ok], rtol=0, atol=16 * EPS)
    np.testing.assert_array_equal(F.cosine_similarity(-a, b, dim=1), -cos)


# ---- binary cross-entropy ---------------------------------------------------------------------
@SETTINGS
@given(arrays(np.float64, st.integers(1, 10), elements=finite(-30, 30)), st.data())
def test_bce_with_logits_is_bce_of_the_sigmoid(x, data):
    """binary_cross_entropy_with_logits(x, y) = binary_cross_entropy(sigmoid(x), y) where both are
    finite and the clamp at -100 is inactive (|x| <= 30). The right side loses accuracy computing
    log(1 - sigmoid(x)) from a rounded sigmoid: sigma's half-ulp error eps*sigma/2 becomes a
    relative error of eps*sigma/(2(1 - sigma)) in 1 - sigma; the tolerance follows that (log sigma
    itself only gets an absolute error of about eps)."""
    y = data.draw(arrays(np.float64, x.shape, elements=finite(0, 1)))
    with_logits = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    s = F.sigmoid(x)
    of_sigmoid = F.binary_cross_entropy(s, y, reduction="none")
    tolerance = 4 * EPS * (1 + with_logits + (1 - y) * s / (1 - s))
    assert np.all(np.isfinite(with_logits)) and np.all(np.isfinite(of_sigmoid))
    assert np.all(np.abs(with_logits - of_sigmoid) <= tolerance), (x, y, with_logits, of_sigmoid)


@SETTINGS
@given(arrays(np.float64, st.integers(1, 10), elements=finite(-1e4, 1e4)))
def test_bce_with_logits_never_overflows_and_is_softplus(x):
    """For targets 0 and 1 the loss is softplus(x) and softplus(-x): finite and >= 0 for any finite
    logit (no exp overflow), and equal to lossbook's softplus wherever its threshold is not used."""
    zeros, ones = np.zeros_like(x), np.ones_like(x)
    loss0 = F.binary_cross_entropy_with_logits(x, zeros, reduction="none")
    loss1 = F.binary_cross_entropy_with_logits(x, ones, reduction="none")
    assert np.all(np.isfinite(loss0) & np.isfinite(loss1) & (loss0 >= 0) & (loss1 >= 0))
    small = np.abs(x) <= 20
    np.testing.assert_allclose(loss0[small], F.softplus(x[small]), rtol=4 * EPS, atol=1e-300)
    np.testing.assert_allclose(loss1[small], F.softplus(-x[small]), rtol=4 * EPS, atol=1e-300)
    np.testing.assert_allclose(loss1, -F.logsigmoid(x), rtol=4 * EPS, atol=1e-300)
