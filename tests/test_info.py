"""lossbook.info against hand-worked values, SciPy and mpmath (independent references)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats

import lossbook.info as info

RNG = np.random.default_rng(20240601)
BASES = [2, math.e, 10]


def dirichlet(n, size=None, alpha=1.0):
    return RNG.dirichlet(np.full(n, alpha), size=size)


# ---- hand-worked values -------------------------------------------------------------------
def test_fair_coin_is_one_bit_and_four_outcomes_two_bits():
    assert float(info.entropy([0.5, 0.5], base=2)) == 1.0
    assert float(info.entropy(np.full(4, 0.25), base=2)) == 2.0
    assert math.isclose(float(info.entropy([0.5, 0.5])), math.log(2))


def test_self_information_by_hand():
    np.testing.assert_allclose(info.self_information([1.0, 0.5, 0.125], base=2), [0.0, 1.0, 3.0])
    assert float(info.self_information(0.0)) == math.inf
    assert math.isclose(float(info.self_information(0.1, base=10)), 1.0)


def test_cross_entropy_and_kl_by_hand():
    # H(p, q) = -(0.5 log2 0.25 + 0.5 log2 0.75) = 1 + 0.5 (2 - log2 3)
    expected = 0.5 * 2 + 0.5 * (2 - math.log2(3))
    assert math.isclose(float(info.cross_entropy([0.5, 0.5], [0.25, 0.75], base=2)), expected)
    assert math.isclose(float(info.kl_divergence([0.5, 0.5], [0.25, 0.75], base=2)), expected - 1)


def test_conventions_zero_log_zero_and_infinity():
    assert float(info.entropy([1.0, 0.0])) == 0.0
    assert float(info.cross_entropy([1.0, 0.0], [1.0, 0.0])) == 0.0
    assert float(info.kl_divergence([1.0, 0.0], [0.5, 0.5])) == pytest.approx(math.log(2))
    assert float(info.kl_divergence([0.5, 0.5], [1.0, 0.0])) == math.inf
    assert float(info.cross_entropy([0.5, 0.5], [1.0, 0.0])) == math.inf
    assert float(info.js_divergence([1.0, 0.0], [0.0, 1.0], base=2)) == pytest.approx(1.0)


def test_joint_entropy_and_shannon_code():
    assert float(info.joint_entropy(np.full((2, 2), 0.25), base=2)) == pytest.approx(2.0)
    assert float(info.joint_entropy([[0.5, 0.0], [0.0, 0.5]], base=2)) == pytest.approx(1.0)
    lengths = info.shannon_code_lengths([0.5, 0.3, 0.15, 0.05])
    np.testing.assert_array_equal(lengths, [1, 2, 3, 5])  # ceil of 1, 1.74, 2.74, 4.32
    assert lengths.dtype == np.int64
    assert float(info.expected_code_length([0.5, 0.3, 0.15, 0.05], lengths)) == pytest.approx(1.8)


def test_shannon_code_satisfies_kraft_and_the_entropy_bound():
    for p in dirichlet(6, size=20):
        lengths = info.shannon_code_lengths(p)
        assert np.sum(2.0**-lengths) <= 1 + 1e-12
        h = float(info.entropy(p, base=2))
        assert h <= float(info.expected_code_length(p, lengths)) < h + 1


# ---- SciPy ----------------------------------------------------------------------------------
@pytest.mark.parametrize("base", BASES)
def test_entropy_cross_entropy_kl_match_scipy(base):
    p, q = dirichlet(5, size=(4, 3)), dirichlet(5, size=(4, 3))
    np.testing.assert_allclose(
        info.entropy(p, base=base), scipy.stats.entropy(p, base=base, axis=-1), rtol=1e-13
    )
    np.testing.assert_allclose(
        info.kl_divergence(p, q, base=base),
        scipy.stats.entropy(p, q, base=base, axis=-1),
        rtol=1e-12,
    )
    ce = scipy.stats.entropy(p, base=base, axis=-1) + scipy.stats.entropy(p, q, base=base, axis=-1)
    np.testing.assert_allclose(info.cross_entropy(p, q, base=base), ce, rtol=1e-12)
    np.testing.assert_allclose(
        info.js_divergence(p, q, base=base),
        scipy.spatial.distance.jensenshannon(p, q, base=base, axis=-1) ** 2,
        rtol=1e-10,
    )


def test_other_axis_and_broadcasting():
    p = dirichlet(4, size=3).T  # distributions along axis 0
    q = dirichlet(4)
    np.testing.assert_allclose(info.entropy(p, axis=0), scipy.stats.entropy(p, axis=0))
    np.testing.assert_allclose(
        info.kl_divergence(p, q[:, None], axis=0),
        scipy.special.rel_entr(p, q[:, None]).sum(axis=0),
        rtol=1e-12,
    )


def test_kl_with_zeros_matches_rel_entr():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert float(info.kl_divergence(p, q)) == pytest.approx(scipy.special.rel_entr(p, q).sum())


# ---- mpmath -----------------------------------------------------------------------------------
def kl_mpmath(p, q):
    with mpmath.workdps(60):
        return float(
            sum(
                mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
                for a, b in zip(p, q)
                if a > 0
            )
        )


@pytest.mark.parametrize("scale", [1e-3, 1e-6, 1e-9])
def test_kl_keeps_relative_precision_for_near_equal_distributions(scale):
    q = dirichlet(8)
    direction = RNG.normal(size=8)
    direction -= direction.mean()
    p = q * (1 + scale * direction)
    p[-1] = 1.0 - p[:-1].sum()
    reference = kl_mpmath(p, q)
    assert float(info.kl_divergence(p, q)) == pytest.approx(reference, rel=1e-9)


def test_entropy_matches_mpmath():
    p = dirichlet(10)
    with mpmath.workdps(50):
        reference = float(-sum(mpmath.mpf(x) * mpmath.log(mpmath.mpf(x)) for x in p))
    assert float(info.entropy(p)) == pytest.approx(reference, rel=1e-14)


# ---- dtypes, shapes, validation ---------------------------------------------------------------
def test_float32_in_float32_out_and_integers_become_float64():
    p = np.array([0.2, 0.3, 0.5], dtype=np.float32)
    for value in (
        info.entropy(p),
        info.cross_entropy(p, p),
        info.kl_divergence(p, p[::-1]),
        info.js_divergence(p, p),
        info.self_information(p),
        info.joint_entropy(p),
    ):
        assert value.dtype == np.float32
    assert info.entropy(np.array([0, 1])).dtype == np.float64
    assert info.entropy(p).shape == ()


@pytest.mark.parametrize(
    "bad, message", [([0.5, 0.6], "sum"), ([1.5, -0.5], "negative"), ([np.nan, 1.0], "non-finite")]
)
def test_non_distributions_raise_value_error_naming_the_argument(bad, message):
    with pytest.raises(ValueError, match=f"^p .*{message}"):
        info.entropy(bad)
    with pytest.raises(ValueError, match=f"^q .*{message}"):
        info.kl_divergence([0.5, 0.5], bad)
    with pytest.raises(ValueError, match="pxy"):
        info.joint_entropy(np.array([[0.5, 0.6]]))


def test_sum_tolerance_and_bad_base():
    info.entropy([0.5, 0.5 + 5e-7])  # within 1e-6: accepted
    with pytest.raises(ValueError, match="base"):
        info.entropy([0.5, 0.5], base=1)
    with pytest.raises(ValueError, match="zero"):
        info.shannon_code_lengths([1.0, 0.0])


def test_canonical_prefix_code_is_prefix_free_with_the_requested_lengths():
    lengths = [3, 1, 4, 2, 4]
    codes = info.canonical_prefix_code(lengths)
    assert [len(code) for code in codes] == lengths
    assert not any(a != b and b.startswith(a) for a in codes for b in codes)
    # worked by hand: lengths 1, 2, 3, 4, 4 take 0, 10, 110, 1110, 1111
    assert codes == ["110", "0", "1110", "10", "1111"]


def test_canonical_prefix_code_rejects_lengths_violating_kraft():
    with pytest.raises(ValueError, match="Kraft"):
        info.canonical_prefix_code([1, 1, 2])
    with pytest.raises(ValueError, match="positive integers"):
        info.canonical_prefix_code([1.5, 2])


# ---- conditional entropy, mutual information, perplexity (issue 20) --------------------------
# Cover and Thomas (2006), example 2.2.1: rows are y = 1..4, columns x = 1..4. Worked there by
# hand: H(X) = 7/4, H(Y) = 2, H(X|Y) = 11/8, H(Y|X) = 13/8, I(X;Y) = 3/8 bits.
COVER_THOMAS = np.array(
    [
        [1 / 8, 1 / 16, 1 / 32, 1 / 32],
        [1 / 16, 1 / 8, 1 / 32, 1 / 32],
        [1 / 16, 1 / 16, 1 / 16, 1 / 16],
        [1 / 4, 0.0, 0.0, 0.0],
    ]
)


def test_cover_and_thomas_example_2_2_1():
    y_on_axis_0 = COVER_THOMAS
    assert float(info.conditional_entropy(y_on_axis_0, base=2)) == pytest.approx(11 / 8, rel=1e-15)
    assert float(info.conditional_entropy(y_on_axis_0.T, base=2)) == pytest.approx(
        13 / 8, rel=1e-15
    )
    assert float(info.mutual_information(y_on_axis_0, base=2)) == pytest.approx(3 / 8, rel=1e-15)
    assert float(info.mutual_information(y_on_axis_0.T, base=2)) == pytest.approx(3 / 8, rel=1e-15)
    assert float(info.joint_entropy(y_on_axis_0, base=2)) == pytest.approx(27 / 8, rel=1e-15)


def test_conditional_entropy_convention_x_on_axis_0_by_hand():
    # x = 0: Y is a fair coin (1 bit), x = 1: Y is certain; each x has probability 1/2
    table = [[0.25, 0.25], [0.5, 0.0]]
    assert float(info.conditional_entropy(table, base=2)) == 0.5
    # the other way round: y = 0 has p = 3/4 and X | y=0 is (1/3, 2/3); y = 1 forces x = 0
    h = 0.75 * (-(1 / 3) * math.log2(1 / 3) - (2 / 3) * math.log2(2 / 3))
    assert float(info.conditional_entropy(np.transpose(table), base=2)) == pytest.approx(h)


def test_mutual_information_by_hand_and_against_scipy():
    table = np.array([[0.25, 0.25], [0.5, 0.0]])  # H(Y) - H(Y|X) = h(1/4) - 1/2 bits
    h_y = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    assert float(info.mutual_information(table, base=2)) == pytest.approx(h_y - 0.5, rel=1e-14)
    for _ in range(5):
        pxy = dirichlet(12).reshape(3, 4)
        product = np.outer(pxy.sum(axis=1), pxy.sum(axis=0))
        np.testing.assert_allclose(
            info.mutual_information(pxy),
            scipy.stats.entropy(pxy.ravel(), product.ravel()),
            rtol=1e-12,
        )


def test_independent_and_deterministic_tables():
    px, py = np.array([0.5, 0.25, 0.25]), np.array([0.125, 0.875])
    table = np.outer(px, py)  # exact in binary: independence exactly
    assert float(info.mutual_information(table)) == 0.0
    assert float(info.conditional_entropy(table)) == pytest.approx(
        float(info.entropy(py)), rel=1e-15
    )
    copy = np.diag(px)  # Y = X: I = H(X), H(Y|X) = 0
    assert float(info.mutual_information(copy, base=2)) == pytest.approx(1.5, rel=1e-15)
    assert float(info.conditional_entropy(copy)) == 0.0


def test_mutual_information_keeps_relative_precision_near_independence():
    px, py = np.array([0.3, 0.7]), np.array([0.6, 0.4])
    for eps in (1e-4, 1e-8):
        table = np.outer(px, py) + eps * np.array([[1.0, -1.0], [-1.0, 1.0]])
        with mpmath.workdps(60):
            t = [[mpmath.mpf(x) for x in row] for row in table]
            rows = [mpmath.fsum(row) for row in t]
            cols = [mpmath.fsum(col) for col in zip(*t)]
            exact = float(
                mpmath.fsum(
                    t[i][j] * mpmath.log(t[i][j] / (rows[i] * cols[j]))
                    for i in range(2)
                    for j in range(2)
                )
            )
        assert float(info.mutual_information(table)) == pytest.approx(exact, rel=1e-14)


def test_perplexity_by_hand():
    assert float(info.perplexity(np.full(8, 1 / 8))) == pytest.approx(8.0, rel=1e-15)
    assert float(info.perplexity([0.5, 0.25, 0.25])) == pytest.approx(2**1.5, rel=1e-15)
    assert float(info.perplexity([0.0, 1.0, 0.0], [0.2, 0.5, 0.3])) == pytest.approx(2.0)
    # per row, and the model's perplexity is at least the data's
    p, q = dirichlet(5, size=4), dirichlet(5, size=4)
    assert info.perplexity(p, q).shape == (4,)
    assert np.all(info.perplexity(p, q) >= info.perplexity(p))


def test_perplexity_from_loss_in_nats_and_bits():
    assert float(info.perplexity_from_loss(math.log(50.0))) == pytest.approx(50.0, rel=1e-15)
    assert float(info.perplexity_from_loss(3.0, base=2)) == 8.0
    assert float(info.perplexity_from_loss(2.0, base=10)) == pytest.approx(100.0, rel=1e-15)
    losses = np.array([0.0, 1.0, 2.5], dtype=np.float32)
    value = info.perplexity_from_loss(losses)
    assert value.dtype == np.float32
    np.testing.assert_allclose(value, np.exp([0.0, 1.0, 2.5]), rtol=1e-7)


def test_new_measures_keep_float32_and_return_0d():
    table = np.full((2, 2), 0.25, dtype=np.float32)
    for value in (
        info.conditional_entropy(table),
        info.mutual_information(table),
        info.perplexity(table[0] * 2),
    ):
        assert value.dtype == np.float32
        assert value.shape == ()


def test_chunked_evaluation_matches_unchunked_for_large_inputs():
    """Inputs longer than one chunk (rows cut into column blocks, many row blocks)."""
    n = info.CHUNK_ELEMENTS * 3 + 17
    p, q = dirichlet(n), dirichlet(n)
    reference = float(scipy.stats.entropy(p, q))
    assert float(info.kl_divergence(p, q)) == pytest.approx(reference, rel=1e-12)
    many = dirichlet(3, size=info.CHUNK_ELEMENTS)  # 65536 rows of 3: several row blocks
    np.testing.assert_allclose(info.entropy(many), scipy.stats.entropy(many, axis=-1), rtol=1e-13)
