"""lossbook.calibration: hand-worked values, propriety, the Brier partition, ECE and temperature.

References: hand-worked examples, SciPy's bounded scalar minimiser for the temperature, and
algebraic identities checked on random data (Hypothesis, derandomized).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st

import lossbook.calibration as cal

PROBABILITY_VECTORS = st.integers(2, 5).flatmap(
    lambda c: st.lists(st.floats(0.01, 1.0), min_size=c, max_size=c).map(
        lambda v: np.array(v) / np.sum(v)
    )
)


def test_brier_score_by_hand():
    q = np.array([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0]])
    # (0.3^2 + 0.2^2 + 0.1^2) = 0.14 and (0.5^2 + 0.5^2 + 1^2) = 1.5
    np.testing.assert_allclose(cal.brier_score(q, [0, 2], reduction="none"), [0.14, 1.5])
    assert cal.brier_score(q, [0, 2]) == pytest.approx(0.82)
    assert cal.brier_score(q, [0, 2], reduction="sum") == pytest.approx(1.64)


def test_brier_of_no_examples_is_nan_without_a_warning():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        assert np.isnan(cal.brier_score(np.zeros((0, 3)), np.zeros(0, dtype=int)))
        assert np.isnan(cal.binary_brier_score([], []))
        assert cal.brier_score(np.zeros((0, 3)), np.zeros(0, dtype=int), reduction="sum") == 0


def test_binary_brier_is_half_the_two_class_brier():
    p = np.array([0.9, 0.2, 0.5, 0.0])
    y = np.array([1, 1, 0, 0])
    two_class = cal.brier_score(np.stack([1 - p, p], axis=1), y)
    assert cal.binary_brier_score(p, y) == pytest.approx(two_class / 2, rel=1e-15)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(PROBABILITY_VECTORS, st.data())
def test_expected_brier_and_log_scores_are_minimised_at_the_truth(p, data):
    """Strict propriety: under labels drawn from p, forecasting q != p scores worse."""
    c = p.size
    q = data.draw(PROBABILITY_VECTORS.filter(lambda v: v.size == c))
    labels = np.arange(c)
    expected_brier = lambda f: p @ cal.brier_score(np.tile(f, (c, 1)), labels, reduction="none")
    expected_log = lambda f: -(p @ np.log(f))
    gap = np.sum((q - p) ** 2)
    assert expected_brier(q) - expected_brier(p) == pytest.approx(gap, abs=1e-12)
    assert expected_log(q) >= expected_log(p) - 1e-12


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.8, 1.0]), min_size=1, max_size=40), st.data()
)
def test_brier_partition_is_exact(forecasts, data):
    p = np.array(forecasts)
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=p.size, max_size=p.size)))
    d = cal.brier_decomposition(p, y)
    assert d.score == pytest.approx(cal.binary_brier_score(p, y), abs=1e-14)
    assert d.score == pytest.approx(d.calibration + d.refinement, abs=1e-14)
    assert d.refinement == pytest.approx(d.uncertainty - d.resolution, abs=1e-14)
    assert min(d.calibration, d.refinement, d.resolution, d.uncertainty) >= 0


def test_brier_decomposition_by_hand():
    d = cal.brier_decomposition([0.8, 0.8, 0.8, 0.2], [1, 1, 0, 0])
    # groups: f = 0.8 (n = 3, observed 2/3), f = 0.2 (n = 1, observed 0); base rate 1/2
    assert d.calibration == pytest.approx((3 * (0.8 - 2 / 3) ** 2 + 0.2**2) / 4)
    assert d.refinement == pytest.approx(3 * (2 / 3) * (1 / 3) / 4)
    assert d.resolution == pytest.approx((3 * (2 / 3 - 0.5) ** 2 + 0.5**2) / 4)
    assert d.uncertainty == pytest.approx(0.25)


def test_reliability_bins_and_ece_by_hand():
    confidence = [0.1, 0.3, 0.8, 0.9]
    correct = [False, True, True, True]
    bins = cal.reliability_bins(confidence, correct, n_bins=2)
    np.testing.assert_array_equal(bins.lower, [0.0, 0.5])
    np.testing.assert_array_equal(bins.upper, [0.5, 1.0])
    np.testing.assert_array_equal(bins.counts, [2, 2])
    np.testing.assert_allclose(bins.confidence, [0.2, 0.85])
    np.testing.assert_allclose(bins.accuracy, [0.5, 1.0])
    # 2/4 |0.5 - 0.2| + 2/4 |1 - 0.85| = 0.15 + 0.075
    assert cal.expected_calibration_error(confidence, correct, n_bins=2) == pytest.approx(0.225)
    # one bin: only |mean accuracy - mean confidence| = |0.75 - 0.525|
    assert cal.expected_calibration_error(confidence, correct, n_bins=1) == pytest.approx(0.225)


def test_bin_boundaries_belong_to_the_lower_bin():
    bins = cal.reliability_bins([0.0, 0.5, 0.5000001, 1.0], [1, 1, 1, 1], n_bins=2)
    np.testing.assert_array_equal(bins.counts, [2, 2])


def test_quantile_bins_keep_ties_together_and_a_zero_cut():
    bins = cal.reliability_bins([0.0, 0.0, 0.2, 0.4], [0, 0, 1, 1], 2, "quantile")
    np.testing.assert_array_equal(bins.counts, [2, 2])
    np.testing.assert_array_equal(bins.upper, [0.0, 1.0])
    tied = cal.reliability_bins([0.5] * 6 + [0.9, 0.95], [1] * 8, 4, "quantile")
    np.testing.assert_array_equal(tied.counts, [6, 2])  # the six ties share one bin


def test_empty_bins_are_dropped_with_their_edges():
    bins = cal.reliability_bins([0.05, 0.95], [0, 1], n_bins=10)
    np.testing.assert_allclose(bins.lower, [0.0, 0.9])
    np.testing.assert_allclose(bins.upper, [0.1, 1.0])


def test_quantile_bins_hold_equal_counts():
    rng = np.random.default_rng(0)
    confidence = rng.beta(5, 1, size=1000)
    bins = cal.reliability_bins(confidence, rng.random(1000) < confidence, 10, "quantile")
    np.testing.assert_array_equal(bins.counts, np.full(10, 100))
    uniform = cal.reliability_bins(confidence, rng.random(1000) < confidence, 10, "uniform")
    assert uniform.counts.max() > 200  # the mass piles up in the top bins


def test_ece_of_a_calibrated_model_is_only_sampling_noise():
    rng = np.random.default_rng(1)
    n = 20000
    confidence = rng.uniform(0.5, 1.0, n)
    correct = rng.random(n) < confidence  # calibrated by construction
    ece = cal.expected_calibration_error(confidence, correct, n_bins=15)
    assert 0 < ece < 3 * np.sqrt(15 / n)


def test_confidence_and_correct():
    confidence, correct = cal.confidence_and_correct(
        [[0.7, 0.3], [0.4, 0.6], [0.5, 0.5]], [0, 0, 0]
    )
    np.testing.assert_array_equal(confidence, [0.7, 0.6, 0.5])
    np.testing.assert_array_equal(correct, [True, False, True])


def _scipy_temperature(z, y):
    nll = lambda t: np.mean(scipy.special.logsumexp(z / t, axis=1) - z[np.arange(len(y)), y] / t)
    return scipy.optimize.minimize_scalar(
        nll, bounds=(0.05, 50), method="bounded", options={"xatol": 1e-10}
    ).x


@pytest.mark.parametrize("seed", range(4))
def test_fit_temperature_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    n, c = 300, 4
    y = rng.integers(0, c, n)
    z = rng.normal(size=(n, c)) + np.eye(c)[y] * rng.uniform(1.0, 3.0)
    t = cal.fit_temperature(z, y)
    assert t == pytest.approx(_scipy_temperature(z, y), rel=1e-7)


def test_fit_temperature_scales_with_the_logits():
    rng = np.random.default_rng(9)
    y = rng.integers(0, 3, 200)
    z = rng.normal(size=(200, 3)) + 1.5 * np.eye(3)[y]
    assert cal.fit_temperature(3.0 * z, y) == pytest.approx(
        3.0 * cal.fit_temperature(z, y), rel=1e-12
    )


def test_temperature_scaling_lowers_the_nll_and_the_ece_of_an_overconfident_model():
    rng = np.random.default_rng(4)
    n = 4000
    y = rng.integers(0, 3, n)
    z = 4.0 * (rng.normal(size=(n, 3)) + 1.0 * np.eye(3)[y])  # logits four times too large
    t = cal.fit_temperature(z, y)
    softmax = lambda v: scipy.special.softmax(v, axis=1)
    before = cal.expected_calibration_error(*cal.confidence_and_correct(softmax(z), y))
    after = cal.expected_calibration_error(*cal.confidence_and_correct(softmax(z / t), y))
    assert t == pytest.approx(4.0, rel=0.1)
    assert after < before / 3


def test_fit_temperature_is_scale_free_for_huge_logits():
    z = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    y = np.array([0, 0, 1, 1])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        huge = cal.fit_temperature(1e300 * z, y, bounds=(1e290, 1e305))
    assert huge == pytest.approx(1e300 * cal.fit_temperature(z, y), rel=1e-12)


BAD = [
    (lambda: cal.brier_score([[0.5, 0.5]], [0.0]), TypeError, "target"),
    (lambda: cal.brier_score([[0.5, 0.5]], [2]), ValueError, "target"),
    (lambda: cal.brier_score([0.5, 0.5], [0]), ValueError, "input"),
    (lambda: cal.brier_score([[1.5, -0.5]], [0]), ValueError, "input"),
    (lambda: cal.brier_score([[0.5, 0.5]], [0], reduction="avg"), ValueError, "reduction"),
    (lambda: cal.binary_brier_score([0.5], [2]), ValueError, "target"),
    (lambda: cal.binary_brier_score([0.5, 0.2], [1]), ValueError, "target"),
    (lambda: cal.binary_brier_score([[0.5]], [1]), ValueError, "input"),
    (lambda: cal.brier_decomposition([], []), ValueError, "input"),
    (lambda: cal.reliability_bins([0.5], [1], n_bins=0), ValueError, "n_bins"),
    (lambda: cal.reliability_bins([0.5], [1], n_bins=2.0), TypeError, "n_bins"),
    (lambda: cal.reliability_bins([0.5], [1], binning="equal"), ValueError, "binning"),
    (lambda: cal.reliability_bins([np.nan], [1]), ValueError, "confidence"),
    (lambda: cal.reliability_bins([0.5], [0.5]), ValueError, "correct"),
    (lambda: cal.reliability_bins("0.5", [1]), TypeError, "confidence"),
    (lambda: cal.fit_temperature([[1.0, 0.0]], [0], bounds=(0, 10)), ValueError, "bounds"),
    (lambda: cal.fit_temperature([[1.0, 0.0]], [0], bounds="wide"), TypeError, "bounds"),
    (lambda: cal.fit_temperature([[np.inf, 0.0]], [0]), ValueError, "input"),
    (lambda: cal.fit_temperature(np.zeros((0, 2)), []), ValueError, "input"),
    (lambda: cal.fit_temperature([[5.0, 0.0], [0.0, 5.0]], [0, 1]), ValueError, "no minimum"),
    (lambda: cal.fit_temperature([[0.0, 5.0]], [0]), ValueError, "no better than uniform"),
    (lambda: cal.fit_temperature([[1.0, 1.0]], [0]), ValueError, "no better than uniform"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
