"""A catalogue of bad inputs to every public function of lossbook.info (issue 16).

Each row: a call, the exception it must raise (ValueError or TypeError, or the documented
``DimensionOutOfRangeError``, a ValueError and IndexError), and a pattern its message must
match; the message always names the argument. A second table lists edge inputs that are *valid*
and their documented answers. Nothing may warn (the suite runs with ``-W error`` for lossbook).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import lossbook.info as I
from lossbook._validation import DimensionOutOfRangeError

P = [0.5, 0.5]
Q = [0.25, 0.75]
T = [[0.25, 0.25], [0.5, 0.0]]
RAGGED = [[0.5, 0.5], [1.0]]

BAD = [
    # ---- not an array of real numbers -----------------------------------------------------
    (
        "entropy string",
        lambda: I.entropy("abc"),
        TypeError,
        r"^p must be an array of real",
    ),
    ("entropy strings", lambda: I.entropy(["a", "b"]), TypeError, r"^p .*real numbers"),
    (
        "entropy complex",
        lambda: I.entropy([0.5 + 0j, 0.5]),
        TypeError,
        r"^p .*dtype complex",
    ),
    ("entropy object", lambda: I.entropy([None, 1.0]), TypeError, r"^p .*dtype object"),
    (
        "entropy ragged",
        lambda: I.entropy(RAGGED),
        ValueError,
        r"^p must be a rectangular",
    ),
    (
        "cross_entropy ragged q",
        lambda: I.cross_entropy(P, RAGGED),
        ValueError,
        r"^q .*ragged",
    ),
    ("kl string p", lambda: I.kl_divergence("0.5", Q), TypeError, r"^p "),
    ("kl complex q", lambda: I.kl_divergence(P, [0.25j, 0.75]), TypeError, r"^q "),
    ("js ragged p", lambda: I.js_divergence(RAGGED, Q), ValueError, r"^p .*ragged"),
    ("joint string", lambda: I.joint_entropy("T"), TypeError, r"^pxy "),
    ("conditional ragged", lambda: I.conditional_entropy(RAGGED), ValueError, r"^pxy "),
    ("mutual object", lambda: I.mutual_information([[None]]), TypeError, r"^pxy "),
    ("self_information string", lambda: I.self_information("0.5"), TypeError, r"^p "),
    ("perplexity complex", lambda: I.perplexity([1j]), TypeError, r"^p "),
    ("perplexity ragged q", lambda: I.perplexity(P, RAGGED), ValueError, r"^q "),
    (
        "perplexity_from_loss string",
        lambda: I.perplexity_from_loss("2.0"),
        TypeError,
        r"^loss ",
    ),
    ("shannon string", lambda: I.shannon_code_lengths("p"), TypeError, r"^p "),
    (
        "expected lengths string",
        lambda: I.expected_code_length(P, ["1", "1"]),
        TypeError,
        r"^lengths ",
    ),
    (
        "prefix strings",
        lambda: I.canonical_prefix_code(["1", "2"]),
        TypeError,
        r"^lengths ",
    ),
    (
        "prefix bools",
        lambda: I.canonical_prefix_code([True, True]),
        TypeError,
        r"^lengths ",
    ),
    # ---- not a distribution ---------------------------------------------------------------
    (
        "entropy sum",
        lambda: I.entropy([0.5, 0.6]),
        ValueError,
        r"^p .*sum differs from 1",
    ),
    ("entropy negative", lambda: I.entropy([1.5, -0.5]), ValueError, r"^p .*negative"),
    ("entropy nan", lambda: I.entropy([np.nan, 1.0]), ValueError, r"^p .*non-finite"),
    ("entropy inf", lambda: I.entropy([np.inf, 1.0]), ValueError, r"^p .*non-finite"),
    ("entropy -inf", lambda: I.entropy([-np.inf, 1.0]), ValueError, r"^p .*non-finite"),
    (
        "entropy scalar",
        lambda: I.entropy(1.0),
        ValueError,
        r"^p must have at least one axis",
    ),
    ("entropy empty", lambda: I.entropy([]), ValueError, r"^p .*sum differs"),
    (
        "entropy row sums",
        lambda: I.entropy([[0.5, 0.5], [0.9, 0.0]]),
        ValueError,
        r"^p .*along axis 1",
    ),
    (
        "entropy axis 0 sums",
        lambda: I.entropy([[0.5, 0.5], [0.6, 0.5]], axis=0),
        ValueError,
        r"^p .*along axis 0",
    ),
    (
        "cross_entropy q sum",
        lambda: I.cross_entropy(P, [0.3, 0.3]),
        ValueError,
        r"^q .*sum",
    ),
    (
        "cross_entropy p negative",
        lambda: I.cross_entropy([-0.5, 1.5], Q),
        ValueError,
        r"^p ",
    ),
    (
        "kl q nan",
        lambda: I.kl_divergence(P, [np.nan, 1.0]),
        ValueError,
        r"^q .*non-finite",
    ),
    ("kl p sum", lambda: I.kl_divergence([0.2, 0.2], Q), ValueError, r"^p .*sum"),
    (
        "js q negative",
        lambda: I.js_divergence(P, [1.25, -0.25]),
        ValueError,
        r"^q .*negative",
    ),
    (
        "js p inf",
        lambda: I.js_divergence([np.inf, 0.0], Q),
        ValueError,
        r"^p .*non-finite",
    ),
    (
        "joint sum",
        lambda: I.joint_entropy([[0.5, 0.6]]),
        ValueError,
        r"^pxy .*in total",
    ),
    (
        "joint negative",
        lambda: I.joint_entropy([[1.5, -0.5]]),
        ValueError,
        r"^pxy .*negative",
    ),
    (
        "conditional sum",
        lambda: I.conditional_entropy([[0.5, 0.5], [0.5, 0.5]]),
        ValueError,
        r"^pxy .*sum",
    ),
    (
        "conditional 1-d",
        lambda: I.conditional_entropy(P),
        ValueError,
        r"^pxy .*two-dimensional",
    ),
    (
        "conditional 3-d",
        lambda: I.conditional_entropy(np.full((2, 2, 2), 0.125)),
        ValueError,
        r"^pxy .*two-dimensional",
    ),
    (
        "conditional nan",
        lambda: I.conditional_entropy([[np.nan, 1.0]]),
        ValueError,
        r"^pxy .*non-finite",
    ),
    ("mutual 1-d", lambda: I.mutual_information(P), ValueError, r"^pxy .*shape \(2,\)"),
    (
        "mutual scalar",
        lambda: I.mutual_information(1.0),
        ValueError,
        r"^pxy .*two-dimensional",
    ),
    (
        "mutual negative",
        lambda: I.mutual_information([[1.5, -0.5]]),
        ValueError,
        r"^pxy .*negative",
    ),
    (
        "self_information above 1",
        lambda: I.self_information([1.5]),
        ValueError,
        r"^p .*greater than 1",
    ),
    (
        "self_information negative",
        lambda: I.self_information(-0.1),
        ValueError,
        r"^p .*negative",
    ),
    (
        "self_information nan",
        lambda: I.self_information(np.nan),
        ValueError,
        r"^p .*non-finite",
    ),
    ("perplexity sum", lambda: I.perplexity([0.5, 0.7]), ValueError, r"^p .*sum"),
    ("perplexity q negative", lambda: I.perplexity(P, [1.5, -0.5]), ValueError, r"^q "),
    (
        "perplexity_from_loss negative",
        lambda: I.perplexity_from_loss(-1.0),
        ValueError,
        r"^loss .*non-negative",
    ),
    (
        "perplexity_from_loss nan",
        lambda: I.perplexity_from_loss([1.0, np.nan]),
        ValueError,
        r"^loss ",
    ),
    (
        "shannon zero entry",
        lambda: I.shannon_code_lengths([1.0, 0.0]),
        ValueError,
        r"^p has zero entries",
    ),
    (
        "shannon sum",
        lambda: I.shannon_code_lengths([0.2, 0.2]),
        ValueError,
        r"^p .*sum",
    ),
    (
        "expected negative length",
        lambda: I.expected_code_length(P, [1, -1]),
        ValueError,
        r"^lengths .*non-negative",
    ),
    (
        "expected inf length",
        lambda: I.expected_code_length(P, [1, np.inf]),
        ValueError,
        r"^lengths ",
    ),
    (
        "expected p sum",
        lambda: I.expected_code_length([0.9, 0.9], [1, 1]),
        ValueError,
        r"^p ",
    ),
    (
        "prefix infinite length",
        lambda: I.canonical_prefix_code([1, np.inf]),
        ValueError,
        r"^lengths must be positive integers",
    ),
    (
        "prefix nan length",
        lambda: I.canonical_prefix_code([np.nan]),
        ValueError,
        r"^lengths ",
    ),
    (
        "prefix fractional",
        lambda: I.canonical_prefix_code([1.5, 2]),
        ValueError,
        r"^lengths must be positive integers",
    ),
    ("prefix zero", lambda: I.canonical_prefix_code([0, 1]), ValueError, r"^lengths "),
    (
        "prefix negative",
        lambda: I.canonical_prefix_code([-1]),
        ValueError,
        r"^lengths ",
    ),
    (
        "prefix 2-d",
        lambda: I.canonical_prefix_code([[1, 2]]),
        ValueError,
        r"^lengths .*one-dimensional",
    ),
    (
        "prefix scalar",
        lambda: I.canonical_prefix_code(3),
        ValueError,
        r"^lengths .*one-dim",
    ),
    ("prefix Kraft", lambda: I.canonical_prefix_code([1, 1, 2]), ValueError, r"Kraft"),
    # ---- shapes ---------------------------------------------------------------------------
    (
        "cross_entropy shapes",
        lambda: I.cross_entropy(P, [0.2, 0.3, 0.5]),
        ValueError,
        r"^p and q must have broadcastable shapes, got p of shape \(2,\) and q of shape \(3,\)",
    ),
    (
        "kl shapes",
        lambda: I.kl_divergence(np.full((2, 3), 1 / 3), np.full((4, 3), 1 / 3)),
        ValueError,
        r"^p and q .*\(2, 3\).*\(4, 3\)",
    ),
    (
        "js shapes",
        lambda: I.js_divergence(P, [[0.2, 0.3, 0.5]]),
        ValueError,
        r"^p and q ",
    ),
    (
        "perplexity shapes",
        lambda: I.perplexity(P, [1.0]),
        ValueError,
        r"^p and q .*outcomes",
    ),
    (
        "expected shapes",
        lambda: I.expected_code_length(P, [1, 2, 3]),
        ValueError,
        r"^lengths of shape \(3,\) must broadcast",
    ),
    (
        "kl scalars",
        lambda: I.kl_divergence(1.0, 1.0),
        ValueError,
        r"^p must have at least one axis",
    ),
    ("js scalar q", lambda: I.js_divergence(0.5, 0.5), ValueError, r"^p must have at least one"),
    # ---- axis -----------------------------------------------------------------------------
    (
        "entropy float axis",
        lambda: I.entropy(P, axis=0.0),
        TypeError,
        r"^axis must be an int",
    ),
    ("entropy string axis", lambda: I.entropy(P, axis="-1"), TypeError, r"^axis "),
    ("entropy bool axis", lambda: I.entropy(P, axis=True), TypeError, r"^axis "),
    ("entropy None axis", lambda: I.entropy(P, axis=None), TypeError, r"^axis "),
    (
        "entropy axis range",
        lambda: I.entropy(P, axis=1),
        DimensionOutOfRangeError,
        r"^axis=1 is out of range",
    ),
    (
        "kl axis range",
        lambda: I.kl_divergence(P, Q, axis=-2),
        DimensionOutOfRangeError,
        r"^axis=-2",
    ),
    ("kl float axis", lambda: I.kl_divergence(P, Q, axis=-1.0), TypeError, r"^axis "),
    (
        "cross_entropy tuple axis",
        lambda: I.cross_entropy(P, Q, axis=(0,)),
        TypeError,
        r"^axis ",
    ),
    ("js float axis", lambda: I.js_divergence(P, Q, axis=0.5), TypeError, r"^axis "),
    ("perplexity float axis", lambda: I.perplexity(P, axis=1.0), TypeError, r"^axis "),
    (
        "shannon axis range",
        lambda: I.shannon_code_lengths(P, axis=3),
        DimensionOutOfRangeError,
        r"^axis=3",
    ),
    (
        "expected float axis",
        lambda: I.expected_code_length(P, [1, 1], axis=0.0),
        TypeError,
        r"^axis ",
    ),
    # ---- base -----------------------------------------------------------------------------
    (
        "entropy string base",
        lambda: I.entropy(P, base="2"),
        TypeError,
        r"^base must be a real",
    ),
    (
        "entropy base 1",
        lambda: I.entropy(P, base=1),
        ValueError,
        r"^base .*other than 1",
    ),
    ("entropy base 0", lambda: I.entropy(P, base=0), ValueError, r"^base must be > 0"),
    ("entropy base negative", lambda: I.entropy(P, base=-2), ValueError, r"^base "),
    (
        "entropy base nan",
        lambda: I.entropy(P, base=math.nan),
        ValueError,
        r"^base .*finite",
    ),
    (
        "entropy base inf",
        lambda: I.entropy(P, base=math.inf),
        ValueError,
        r"^base .*finite",
    ),
    ("entropy base bool", lambda: I.entropy(P, base=True), TypeError, r"^base "),
    ("entropy base complex", lambda: I.entropy(P, base=2j), TypeError, r"^base "),
    (
        "entropy base array",
        lambda: I.entropy(P, base=np.array([2.0, 10.0])),
        TypeError,
        r"^base ",
    ),
    (
        "cross_entropy string base",
        lambda: I.cross_entropy(P, Q, base="e"),
        TypeError,
        r"^base ",
    ),
    ("kl base 1", lambda: I.kl_divergence(P, Q, base=1.0), ValueError, r"^base "),
    ("js base None", lambda: I.js_divergence(P, Q, base=None), TypeError, r"^base "),
    ("joint base string", lambda: I.joint_entropy(T, base="2"), TypeError, r"^base "),
    (
        "conditional base 0",
        lambda: I.conditional_entropy(T, base=0.0),
        ValueError,
        r"^base ",
    ),
    (
        "mutual base string",
        lambda: I.mutual_information(T, base="bits"),
        TypeError,
        r"^base ",
    ),
    (
        "self_information base 1",
        lambda: I.self_information(0.5, base=1),
        ValueError,
        r"^base ",
    ),
    (
        "perplexity_from_loss base 1",
        lambda: I.perplexity_from_loss(1.0, base=1),
        ValueError,
        r"^base ",
    ),
    (
        "perplexity_from_loss base str",
        lambda: I.perplexity_from_loss(1.0, base="2"),
        TypeError,
        r"^base ",
    ),
    # ---- the bad base is found even when the other arguments are also bad -----------------
    (
        "entropy base checked first",
        lambda: I.entropy([0.5, 0.7], base="2"),
        TypeError,
        r"^base ",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "pattern"), [row[1:] for row in BAD], ids=[row[0] for row in BAD]
)
def test_bad_input_raises_a_clear_error_naming_the_argument(call, error, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=pattern) as raised:
            call()
    assert isinstance(raised.value, (ValueError, TypeError))


def test_the_catalogue_is_large_and_covers_every_public_function():
    assert len(BAD) >= 60
    called = " ".join(row[0] for row in BAD)
    for short in (
        "entropy",
        "cross_entropy",
        "kl",
        "js",
        "joint",
        "conditional",
        "mutual",
        "self_information",
        "perplexity",
        "perplexity_from_loss",
        "shannon",
        "expected",
        "prefix",
    ):
        assert short in called, short


# ---- edge inputs that are valid, with their documented answers ------------------------------
EDGE = [
    ("one outcome", lambda: I.entropy([1.0]), 0.0),
    ("integers", lambda: I.entropy([0, 1]), 0.0),
    ("booleans", lambda: I.entropy([True, False]), 0.0),
    (
        "sum within 1e-6",
        lambda: I.entropy([0.5, 0.5 + 5e-7]),
        pytest.approx(math.log(2), 1e-6),
    ),
    ("p = q = 0 entry", lambda: I.kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]), 0.0),
    ("q rules out an outcome", lambda: I.kl_divergence(P, [1.0, 0.0]), math.inf),
    ("cross-entropy inf", lambda: I.cross_entropy(P, [1.0, 0.0]), math.inf),
    ("perplexity inf", lambda: I.perplexity(P, [1.0, 0.0]), math.inf),
    ("js disjoint", lambda: I.js_divergence([1.0, 0.0], [0.0, 1.0], base=2), 1.0),
    (
        "js subnormal both",
        lambda: I.js_divergence([1.0, 0.0, 5e-324], [1.0, 5e-324, 0.0]),
        pytest.approx(5e-324 * math.log(2), abs=5e-324),
    ),
    ("zero row", lambda: I.conditional_entropy([[0.5, 0.5], [0.0, 0.0]], base=2), 1.0),
    # 0.3 + 0.7 is 1 - 2**-54 exactly, so I = -S log S = 5.55e-17, not 0
    ("one column", lambda: I.mutual_information([[0.3], [0.7]]), 2.0**-54),
    ("self-information of 0", lambda: I.self_information(0.0), math.inf),
    ("loss 0", lambda: I.perplexity_from_loss(0.0), 1.0),
    ("loss inf", lambda: I.perplexity_from_loss(np.inf), math.inf),
    ("empty batch", lambda: I.entropy(np.zeros((0, 3))).shape, (0,)),
    ("empty code", lambda: I.canonical_prefix_code([]), []),
    (
        "numpy integer axis",
        lambda: I.entropy(P, axis=np.int64(0)),
        pytest.approx(math.log(2)),
    ),
    ("numpy float base", lambda: I.entropy(P, base=np.float64(2.0)), 1.0),
]


@pytest.mark.parametrize(
    ("call", "expected"), [row[1:] for row in EDGE], ids=[row[0] for row in EDGE]
)
def test_valid_edge_input_gives_the_documented_answer(call, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = call()
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = float(got)
    assert got == expected


def test_float16_is_accepted_with_its_own_tolerance_and_returned_as_float16():
    p = np.array([0.1, 0.2, 0.7], dtype=np.float16)  # sums to 1.00012 in float16
    value = I.entropy(p)
    assert value.dtype == np.float16
    exact = -sum(float(x) * math.log(float(x)) for x in p)
    assert value == np.float16(exact)


def test_inputs_are_not_mutated_and_read_only_views_work():
    rng = np.random.default_rng(11)
    p, q = rng.dirichlet(np.ones(5), size=4), rng.dirichlet(np.ones(5), size=4)
    table = rng.dirichlet(np.ones(12)).reshape(3, 4)
    copies = [a.copy() for a in (p, q, table)]
    for array in (p, q, table):
        array.setflags(write=False)
    I.kl_divergence(p, q)
    I.js_divergence(p[:, ::-1], q)  # a strided view
    I.entropy(p.T, axis=0)
    I.mutual_information(table)
    I.conditional_entropy(table.T)
    I.self_information(p)
    for array, copy in zip((p, q, table), copies):
        np.testing.assert_array_equal(array, copy)
