"""lossbook.symbolic: definitions against numbers, the identity checker's three verdicts, the
numeric table, and the derived results (checked independently, by hand or numerically)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
import sympy as sp

import lossbook.symbolic as sym


def numeric(expr, values: dict) -> float:
    return float(sp.N(expr.subs(values), 30))


# ---- definitions ------------------------------------------------------------------------------
def test_symbols_carry_the_right_assumptions():
    p, z = sym.probabilities(3), sym.logits(3)
    assert [str(s) for s in p] == ["p_1", "p_2", "p_3"]
    assert all(s.is_positive for s in p) and all(s.is_real for s in z)
    assert sym.simplex(p) == p[0] + p[1] + p[2] - 1 and sym.prob.is_positive


def test_information_definitions_match_scipy_at_a_point():
    p, q = sym.probabilities(3), sym.probabilities(3, "q")
    pv, qv = np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.1, 0.3])
    values = {**dict(zip(p, pv)), **dict(zip(q, qv))}
    assert numeric(sym.entropy(p, base=2), values) == pytest.approx(scipy.stats.entropy(pv, base=2))
    assert numeric(sym.kl_divergence(p, q), values) == pytest.approx(scipy.stats.entropy(pv, qv))
    assert numeric(sym.cross_entropy(p, q), values) == pytest.approx(-np.sum(pv * np.log(qv)))
    js = scipy.spatial.distance.jensenshannon(pv, qv) ** 2
    assert numeric(sym.js_divergence(p, q), values) == pytest.approx(js)
    assert numeric(sym.self_information(p[0], base=2), values) == pytest.approx(-math.log2(0.2))


def test_activation_and_loss_definitions_match_scipy_at_a_point():
    z = sym.logits(3)
    zv = np.array([0.5, -1.0, 2.0])
    values = dict(zip(z, zv))
    np.testing.assert_allclose(
        [numeric(e, values) for e in sym.softmax(z)], scipy.special.softmax(zv)
    )
    np.testing.assert_allclose(
        [numeric(e, values) for e in sym.log_softmax(z)], scipy.special.log_softmax(zv)
    )
    assert numeric(sym.logsumexp(z), values) == pytest.approx(scipy.special.logsumexp(zv))
    assert numeric(sym.nll(sym.log_softmax(z), 2), values) == pytest.approx(
        -scipy.special.log_softmax(zv)[2]
    )
    x = sp.Symbol("x", real=True)
    assert numeric(sym.sigmoid(x), {x: 0.3}) == pytest.approx(scipy.special.expit(0.3))
    assert numeric(sym.softplus(x, beta=2), {x: 0.3}) == pytest.approx(
        math.log1p(math.exp(0.6)) / 2
    )
    assert numeric(sym.bce(sym.prob, 0.25), {sym.prob: 0.8}) == pytest.approx(
        -(0.25 * math.log(0.8) + 0.75 * math.log(0.2))
    )
    assert numeric(sym.bce_with_logits(x, 1), {x: 0.3}) == pytest.approx(math.log1p(math.exp(-0.3)))


def test_cosine_definitions_and_label_smoothing():
    assert sym.cosine_similarity([3, 4], [4, 3]) == sp.Rational(24, 25)
    assert sym.cosine_embedding_loss([3, 4], [4, 3], 1) == sp.Rational(1, 25)
    assert sym.cosine_embedding_loss([3, 4], [4, 3], -1, margin=sp.Rational(1, 2)) == sp.Rational(
        23, 50
    )
    assert sym.cosine_embedding_loss([3, 4], [4, 3], 0) == 0
    y = sp.Symbol("y")
    assert isinstance(sym.cosine_embedding_loss([3, 4], [4, 3], y), sp.Piecewise)
    eps = sp.Rational(1, 10)
    assert sym.label_smoothed_target(1, 4, eps) == [
        sp.Rational(1, 40),
        sp.Rational(37, 40),
        sp.Rational(1, 40),
        sp.Rational(1, 40),
    ]
    with pytest.raises(ValueError):
        sym.label_smoothed_target(4, 4, eps)


# ---- check_identity -----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 3, 5])
def test_proves_the_decomposition_of_cross_entropy(n):
    p, q = sym.probabilities(n), sym.probabilities(n, "q")
    result = sym.check_identity(sym.cross_entropy(p, q), sym.entropy(p) + sym.kl_divergence(p, q))
    assert result and result.verdict == "proved"
    assert result.assert_proved() is result


def test_refutes_symmetry_of_kl_with_a_counterexample_that_really_is_one():
    p, q = sym.probabilities(3), sym.probabilities(3, "q")
    result = sym.check_identity(sym.kl_divergence(p, q), sym.kl_divergence(q, p))
    assert not result and result.verdict == "refuted"
    point = dict(result.counterexample)
    values = {s: float(point[str(s)]) for s in p + q}
    assert abs(numeric(sym.kl_divergence(p, q) - sym.kl_divergence(q, p), values)) > 1e-6
    with pytest.raises(AssertionError, match="refuted"):
        result.assert_proved()


def test_refutes_a_logsumexp_shift_of_one_logit_only():
    z, c = sym.logits(3), sp.Symbol("c", real=True)
    lse = sym.logsumexp(z)
    assert sym.check_identity(lse.subs({zj: zj + c for zj in z}, simultaneous=True), c + lse)
    assert sym.check_identity(lse.subs(z[0], z[0] + c), c + lse).verdict == "refuted"


def test_undecided_is_falsy_and_says_so():
    # True (Lambert W satisfies w e^w = x) but none of the checker's simplifications shows it.
    x = sp.Symbol("x", positive=True)
    result = sym.check_identity(
        sp.LambertW(x) * sp.exp(sp.LambertW(x))
        + sp.Ei(x)
        - sp.Ei(x)
        + sp.gamma(x + 1)
        - x * sp.gamma(x),
        x,
    )
    if result.verdict == "proved":  # a future SymPy may prove it: then it must be right
        return
    assert result.verdict == "undecided" and not result
    assert "SymPy could not decide" in repr(result)
    with pytest.raises(AssertionError, match="could not decide"):
        result.assert_proved()


def test_constraints_are_used_and_false_statements_still_refuted():
    p = sym.probabilities(3)
    assert sym.check_identity(sum(p), 1, constraints=[sym.simplex(p)])
    assert sym.check_identity(sum(p), 1).verdict == "refuted"
    assert (
        sym.check_identity(p[0], p[1], constraints=[sp.Eq(p[0] + p[1] + p[2], 1)]).verdict
        == "refuted"
    )


def test_assumptions_argument_enables_log_expansion():
    x, y = sp.symbols("x y")
    result = sym.check_identity(
        sp.log(x * y), sp.log(x) + sp.log(y), assumptions={x: {"positive": True}, y: "positive"}
    )
    assert result
    assert not sym.check_identity(sp.log(x * y), sp.log(x) + sp.log(y))  # false for complex x, y


def test_general_n_indexed_sums():
    i, n = sp.Symbol("i", integer=True, positive=True), sp.Symbol("n", integer=True, positive=True)
    p, q = sym.indexed_probabilities("p"), sym.indexed_probabilities("q")
    ce, h, kl = (
        sym.cross_entropy_sum(p, q, i, n),
        sym.entropy_sum(p, i, n),
        sym.kl_divergence_sum(p, q, i, n),
    )
    assert sym.check_identity(ce, h + kl)
    assert sym.check_identity(kl, sym.kl_divergence_sum(q, p, i, n)).verdict == "refuted"
    z, j = sp.IndexedBase("z", real=True), sp.Symbol("j", integer=True, positive=True)
    assert sym.check_identity(sp.Sum(sym.softmax_sum(z, i, j, n), (i, 1, n)), 1)


def test_identity_result_display_is_compact_and_deterministic():
    p, q = sym.probabilities(2), sym.probabilities(2, "q")
    result = sym.check_identity(sym.kl_divergence(p, q), sym.kl_divergence(q, p))
    again = sym.check_identity(sym.kl_divergence(p, q), sym.kl_divergence(q, p))
    assert repr(result) == repr(again)
    page = result._repr_html_()
    assert "refuted" in page and "\\(" in page and "counterexample" in page
    assert len(page) < 2000


def test_matrices_and_lists_are_compared_entrywise():
    z = sym.logits(2)
    assert sym.check_identity(sym.log_softmax(z), [sp.log(s) for s in sym.softmax(z)])


# ---- check_numeric ------------------------------------------------------------------------
def test_check_numeric_table_rounds_up_and_raises_naming_the_case():
    z = sym.logits(3)
    cases = {"random": (np.array([0.3, -1.2, 2.0]),), "large": (np.array([300.0, 299.0, 0.0]),)}
    table = sym.check_numeric(sym.logsumexp(z), [z], scipy.special.logsumexp, cases)
    assert [row.case for row in table.rows] == ["random", "large"] and table
    text = repr(table)
    assert "< 1e-15" in text and "e-16" not in text and "e-17" not in text
    assert "<table" in table._repr_html_()
    with pytest.raises(AssertionError, match="'off'"):
        sym.check_numeric(
            sym.logsumexp(z),
            [z],
            lambda v: scipy.special.logsumexp(v) + 1e-6,
            {"off": cases["random"]},
        )


def test_check_numeric_accepts_matrices_scalars_and_grouped_variables():
    z, c = sym.logits(3), sp.Symbol("c", real=True)
    derived = sym.derived.softmax_cross_entropy_gradient(3).derived
    onehot = np.array([1.0, 0.0, 0.0])
    sym.check_numeric(
        derived,
        [z],
        lambda v: scipy.special.softmax(v) - onehot,
        {"a": (np.array([0.1, 0.2, 0.3]),)},
    )
    sym.check_numeric(
        c + sym.logsumexp(z),
        [z, c],
        lambda v, s: scipy.special.logsumexp(v) + s,
        {"shift": (np.array([1.0, 2.0, 3.0]), 0.5)},
    )


@pytest.mark.parametrize(
    "value, shown",
    [
        (0.0, "< 1e-15"),
        (2e-16, "< 1e-15"),
        (5e-13, "< 1e-12"),
        (3e-10, "< 1e-9"),
        (2e-4, "< 1e-3"),
        (3.0, ">= 1"),
    ],
)
def test_coarse_bound(value, shown):
    assert sym.coarse_bound(value) == shown


def test_random_cases_are_seeded_and_named():
    make = lambda r: (sym.random_simplex(r, 3), sym.random_logits(r, (2, 3)))
    first = sym.random_cases(np.random.default_rng(1), make, count=2)
    second = sym.random_cases(np.random.default_rng(1), make, count=2)
    assert list(first) == ["random 1", "random 2"]
    np.testing.assert_array_equal(first["random 2"][1], second["random 2"][1])
    assert all(abs(v.sum() - 1) < 1e-12 for v in sym.edge_simplex(4).values())
    assert set(sym.edge_logits(4)) >= {"equal", "large"}


# ---- derived results (checked against hand-worked or numerical values) ---------------------------
def finite_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_softmax_cross_entropy_gradient(n):
    result = sym.derived.softmax_cross_entropy_gradient(n, y=n - 1)
    z = result["logits"]
    zv = np.linspace(-1.0, 1.5, n)
    got = np.array([numeric(g, dict(zip(z, zv))) for g in result.derived], dtype=float)
    expected = scipy.special.softmax(zv) - np.eye(n)[n - 1]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert result and "general n" in result.scope


def test_bce_with_logits_gradient_and_hessian_by_finite_differences():
    gradient, hessian = (
        sym.derived.bce_with_logits_gradient(),
        sym.derived.bce_with_logits_hessian(),
    )
    z, y = gradient["z"], gradient["y"]
    loss = lambda zv: float(np.logaddexp(0, -zv) * 0.3 + np.logaddexp(0, zv) * 0.7)
    assert numeric(gradient.derived, {z: 0.4, y: 0.3}) == pytest.approx(
        finite_difference(loss, 0.4), rel=1e-6
    )
    s = scipy.special.expit(0.4)
    assert numeric(hessian.derived, {z: 0.4, y: 0.9}) == pytest.approx(s * (1 - s))


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_kl_gradient_and_simplex_optimum(n):
    result = sym.derived.kl_gradient_q(n)
    p, q = result["p"], result["q"]
    assert list(result.closed_form) == [-pi / qi for pi, qi in zip(p, q)]
    solution = result["stationary_point"]
    values = dict(zip(p, np.linspace(1, 2, n) / np.linspace(1, 2, n).sum()))
    np.testing.assert_allclose([numeric(solution[qi], values) for qi in q], list(values.values()))


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_cosine_similarity_gradient_by_finite_differences(n):
    result = sym.derived.cosine_similarity_gradient(n)
    a, b = result["a"], result["b"]
    av, bv = np.linspace(0.5, 2.0, n), np.cos(np.arange(n))
    cosine = lambda x: x @ bv / (np.linalg.norm(x) * np.linalg.norm(bv))
    values = {**dict(zip(a, av)), **dict(zip(b, bv))}
    for k in range(n):
        step = np.eye(n)[k]
        expected = finite_difference(lambda t: cosine(av + t * step), 0.0)
        assert numeric(result.derived[k], values) == pytest.approx(expected, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_label_smoothing_max_entropy_and_mle(n):
    smoothing = sym.derived.label_smoothing_optimum(n)
    eps = smoothing["epsilon"]
    target = [(1 - 0.1) * (c == 0) + 0.1 / n for c in range(n)]
    np.testing.assert_allclose([numeric(e, {eps: 0.1}) for e in smoothing.derived], target)
    assert numeric(smoothing["minimum"], {eps: 0.1}) == pytest.approx(scipy.stats.entropy(target))
    entropy = sym.derived.max_entropy(n)
    assert list(entropy.derived) == [sp.Rational(1, n)] * n
    assert float(entropy["value"]) == pytest.approx(math.log(n))
    mle = sym.derived.categorical_mle(n)
    counts = np.arange(1, n + 1)
    got = [numeric(e, dict(zip(mle["counts"], counts))) for e in mle.derived]
    np.testing.assert_allclose(got, counts / counts.sum())


def test_general_n_results():
    n = sp.Symbol("n", integer=True, positive=True)
    assert sym.derived.max_entropy(3)["general"] == 1 / n
    general = sym.derived.categorical_mle(3)["general"]
    counts = sp.IndexedBase("N", positive=True)
    assert general.has(sp.Sum) and general.has(counts[sp.Symbol("k", integer=True, positive=True)])


def test_derived_display_and_caching():
    result = sym.derived.max_entropy(3)
    assert sym.derived.max_entropy(3) is result
    assert "uniform" in repr(result) and "<table" in result._repr_html_()


def test_mpmath_agrees_with_the_derived_logsumexp_gradient_at_high_precision():
    result = sym.derived.softmax_cross_entropy_gradient(2, y=0)
    z = result["logits"]
    with mpmath.workdps(40):
        expected = mpmath.nstr(mpmath.exp(3) / (mpmath.exp(3) + mpmath.exp(-2)) - 1, 40)
    got = result.derived[0].subs({z[0]: 3, z[1]: -2}).evalf(40)
    assert abs(float(got - sp.Float(expected, 40))) < 1e-30


def test_derivation_iterates_over_its_derived_entries():
    mle = sym.derived.categorical_mle(3)
    counts = mle["counts"]
    assert list(mle) == [c / sum(counts) for c in counts]


# ---- conditional entropy and mutual information, symbolic (issue 20) ------------------------
def test_conditional_entropy_and_mutual_information_match_lossbook_info_at_a_point():
    import lossbook.info as info

    table = [sym.probabilities(3, "a"), sym.probabilities(3, "b")]
    values = np.array([[0.1, 0.25, 0.05], [0.3, 0.2, 0.1]])
    point = {s: v for row, vals in zip(table, values) for s, v in zip(row, vals)}
    assert numeric(sym.conditional_entropy(table), point) == pytest.approx(
        float(info.conditional_entropy(values)), rel=1e-14
    )
    assert numeric(sym.mutual_information(table, base=2), point) == pytest.approx(
        float(info.mutual_information(values, base=2)), rel=1e-14
    )
    with pytest.raises(ValueError, match="rectangular"):
        sym.conditional_entropy([[sym.prob], []])


@pytest.mark.parametrize("shape", [(2, 2), (2, 3)])
def test_chain_rule_and_mutual_information_identities_are_proved(shape):
    rows = [sym.probabilities(shape[1], name) for name in "abc"[: shape[0]]]
    flat = [t for row in rows for t in row]
    h_x = sym.entropy([sp.Add(*row) for row in rows])
    h_y = sym.entropy([sp.Add(*column) for column in zip(*rows)])
    sym.check_identity(sym.entropy(flat), h_x + sym.conditional_entropy(rows)).assert_proved()
    sym.check_identity(sym.mutual_information(rows), h_x + h_y - sym.entropy(flat)).assert_proved()


# ---- the simplex limitation of check_identity (issue 12 note) -------------------------------
def test_entropy_of_independent_2x2_table_is_additive_on_the_simplex():
    """Used to be undecided: after substituting p_2 = 1 - p_1, expand_log cannot split
    log(p_1 (1 - q_1)). Splitting the logarithms first (sound: all symbols positive) proves it."""
    p, q = sym.probabilities(2), sym.probabilities(2, "q")
    joint = [a * b for a in p for b in q]
    result = sym.check_identity(
        sym.entropy(joint),
        sym.entropy(p) + sym.entropy(q),
        constraints=[sym.simplex(p), sym.simplex(q)],
    )
    assert result.verdict == "proved"
    assert result.method.startswith("expand_log(force=False) before substituting")
    # and a false variant is still refuted on the simplex
    wrong = sym.check_identity(
        sym.entropy(joint),
        sym.entropy(p) + 2 * sym.entropy(q),
        constraints=[sym.simplex(p), sym.simplex(q)],
    )
    assert wrong.verdict == "refuted"


# ---- display: maths typeset, plain text readable (issue 14, items 12 and 17) ---------------
def test_identity_result_prints_plain_text_and_displays_maths():
    z = sp.Symbol("z", real=True)
    result = sym.check_identity(-sym.logsigmoid(z), sym.softplus(-z))
    assert str(result) == "proved: log(1 + exp(-z)) = log(1 + exp(-z))"
    assert result._repr_markdown_() == (
        r"**proved**: $\log{\left(1 + e^{- z} \right)} = \log{\left(1 + e^{- z} \right)}$"
        " (by automatic simplification)"
    )
    eps = sp.Symbol("epsilon", positive=True)
    smoothed = sym.check_identity(sym.label_smoothed_target(0, 2, eps)[0], 1 - eps / 2)
    assert str(smoothed) == "proved: 1 - ε/2 = 1 - ε/2"


def test_refuted_and_undecided_results_say_so_in_plain_text():
    p = sym.probabilities(2)
    refuted = sym.check_identity(sym.entropy(p), sp.log(2), constraints=[sym.simplex(p)])
    assert str(refuted).startswith("refuted: -p_1*log(p_1) - p_2*log(p_2) = log(2) given ")
    assert "lhs = " in str(refuted) and "counterexample" in refuted._repr_markdown_()


def test_plain_text_writes_greek_letters_and_drops_latex_braces():
    assert sym.plain_text(sp.Symbol("p^{\\varepsilon}") * sp.Symbol("lambda")) == "λ*p^ε"
    assert sym.plain_text(sp.Symbol("beta") + sp.Symbol("eta")) == "β + η"


def test_derivation_prints_plain_text_and_displays_maths():
    result = sym.derived.label_smoothing_optimum(3)
    assert str(result).startswith("argmin_q H(p^ε, q) over the simplex = p^ε")
    assert "(proved for n = 3;" in str(result)
    markdown = result._repr_markdown_()
    assert markdown.count("$") == 2 and "\\varepsilon" not in markdown.split("$")[0]
    assert result["p_eps"] is result["target"]
