"""Properties of the information measures that hold for every distribution (Hypothesis)."""
from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import given, settings, strategies as st

import lossbook.info as info
from strategies import distributions

# Deterministic, like test_functional_properties: examples derived from each test's source.
SETTINGS = settings(max_examples=int(os.environ.get("LOSSBOOK_EXAMPLES", 150)), deadline=None,
                    derandomize=True, database=None)


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
    h, ce, kl = (float(v) for v in (info.entropy(p), info.cross_entropy(p, q),
                                    info.kl_divergence(p, q)))
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
        assert math.isclose(float(measure(*arguments, base=base)), nats / math.log(base),
                            rel_tol=1e-12, abs_tol=1e-15)


@SETTINGS
@given(distributions(allow_zeros=False), distributions(allow_zeros=False))
def test_joint_entropy_of_independent_variables_is_additive(px, py):
    joint = np.outer(px, py)
    joint /= joint.sum()
    assert math.isclose(float(info.joint_entropy(joint)),
                        float(info.entropy(px)) + float(info.entropy(py)),
                        rel_tol=1e-9, abs_tol=1e-12)
