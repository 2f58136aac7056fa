"""Properties of the information measures that hold for every distribution (Hypothesis)."""

from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import distributions

import lossbook.info as info

# Deterministic, like test_functional_properties: examples derived from each test's source.
SETTINGS = settings(
    max_examples=int(os.environ.get("LOSSBOOK_EXAMPLES", 150)),
    deadline=None,
    derandomize=True,
    database=None,
)


@st.composite
def pairs(draw, allow_zeros=True):
    n = draw(st.integers(1, 8))
    return draw(distributions(n, allow_zeros)), draw(distributions(n, allow_zeros))


@SETTINGS
@given(pairs())
def test_kl_is_non_negative_and_zero_for_equal_arguments(pq):
    p, q = pq
    assert float(info.kl_divergence(p, q)) >= 0
    assert float(info.kl_divergence(p, p)) <= 1e-15


@SETTINGS
@given(pairs(allow_zeros=False))
def test_kl_is_positive_when_the_distributions_differ(pq):
    p, q = pq
    if np.max(np.abs(p - q)) > 1e-3:
        assert float(info.kl_divergence(p, q)) > 0


@SETTINGS
@given(pairs())
def test_cross_entropy_is_entropy_plus_kl_and_at_least_entropy(pq):
    p, q = pq
    h, ce, kl = (
        float(v) for v in (info.entropy(p), info.cross_entropy(p, q), info.kl_divergence(p, q))
    )
    assert ce >= h - 1e-12
    if math.isfinite(ce):
        assert math.isclose(kl, ce - h, rel_tol=1e-9, abs_tol=1e-12)
    else:
        assert kl == math.inf


@SETTINGS
@given(pairs())
def test_js_is_symmetric_and_at_most_log_2(pq):
    p, q = pq
    js = float(info.js_divergence(p, q))
    assert -1e-15 <= js <= math.log(2) + 1e-12
    assert math.isclose(js, float(info.js_divergence(q, p)), rel_tol=1e-12, abs_tol=1e-15)


@SETTINGS
@given(distributions())
def test_entropy_is_between_zero_and_log_n(p):
    assert -1e-15 <= float(info.entropy(p)) <= math.log(p.size) + 1e-12


@SETTINGS
@given(pairs(), st.sampled_from([2, 10, 3.5]))
def test_change_of_base_divides_by_log_of_the_base(pq, base):
    p, q = pq
    for measure in (info.entropy, info.js_divergence):
        arguments = (p,) if measure is info.entropy else (p, q)
        nats = float(measure(*arguments))
        assert math.isclose(
            float(measure(*arguments, base=base)),
            nats / math.log(base),
            rel_tol=1e-12,
            abs_tol=1e-15,
        )


@SETTINGS
@given(distributions(allow_zeros=False), distributions(allow_zeros=False))
def test_joint_entropy_of_independent_variables_is_additive(px, py):
    joint = np.outer(px, py)
    joint /= joint.sum()
    assert math.isclose(
        float(info.joint_entropy(joint)),
        float(info.entropy(px)) + float(info.entropy(py)),
        rel_tol=1e-9,
        abs_tol=1e-12,
    )


# ---- conditional entropy and mutual information (issue 20) ----------------------------------
@st.composite
def tables(draw, allow_zeros=True):
    n_x, n_y = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return draw(distributions(n_x * n_y, allow_zeros)).reshape(n_x, n_y)


@SETTINGS
@given(tables())
def test_mutual_information_is_non_negative_symmetric_and_at_most_each_entropy(pxy):
    mi = float(info.mutual_information(pxy))
    assert mi >= 0
    assert math.isclose(mi, float(info.mutual_information(pxy.T)), rel_tol=1e-12, abs_tol=1e-15)
    h_x, h_y = float(info.entropy(pxy.sum(axis=1))), float(info.entropy(pxy.sum(axis=0)))
    assert mi <= min(h_x, h_y) + 1e-12


@SETTINGS
@given(distributions(allow_zeros=True), distributions(allow_zeros=True))
def test_mutual_information_of_an_independent_table_is_zero(px, py):
    # np.outer rounds each product, so the table is independent only up to rounding: I is then of
    # the order of the rounding squared (relative 1e-32), far below any dependence
    assert float(info.mutual_information(np.outer(px, py))) <= 1e-15


@SETTINGS
@given(tables())
def test_chain_rule_joint_is_marginal_plus_conditional(pxy):
    h_xy = float(info.joint_entropy(pxy))
    h_x = float(info.entropy(pxy.sum(axis=1)))
    h_y_given_x = float(info.conditional_entropy(pxy))
    assert math.isclose(h_xy, h_x + h_y_given_x, rel_tol=1e-12, abs_tol=1e-14)
    assert -1e-15 <= h_y_given_x <= float(info.entropy(pxy.sum(axis=0))) + 1e-12


@SETTINGS
@given(tables())
def test_mutual_information_is_kl_from_the_product_of_marginals(pxy):
    product = np.outer(pxy.sum(axis=1), pxy.sum(axis=0))
    mi = float(info.mutual_information(pxy))
    if np.all(product[pxy > 0] >= np.finfo(float).tiny):  # else the float product underflows
        kl = float(info.kl_divergence(pxy.ravel(), product.ravel() / product.sum()))
        assert math.isclose(mi, kl, rel_tol=1e-9, abs_tol=1e-14)
    h_y = float(info.entropy(pxy.sum(axis=0)))
    assert math.isclose(mi, h_y - float(info.conditional_entropy(pxy)), rel_tol=1e-9, abs_tol=1e-13)


@SETTINGS
@given(pairs())
def test_perplexity_is_between_one_and_n_and_grows_with_the_wrong_model(pq):
    p, q = pq
    perplexity = float(info.perplexity(p))
    assert 1 - 1e-12 <= perplexity <= p.size * (1 + 1e-12)
    assert float(info.perplexity(p, q)) >= perplexity * (1 - 1e-12)
    assert math.isclose(perplexity, 2.0 ** float(info.entropy(p, base=2)), rel_tol=1e-13)
