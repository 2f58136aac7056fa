r"""Results the chapters quote, derived by SymPy from the definitions (never typed in).

Each function differentiates or optimises a definition of :mod:`lossbook.symbolic.definitions`,
checks the outcome against the textbook closed form with
:func:`~lossbook.symbolic.checks.check_identity` (raising ``AssertionError`` if that is not
*proved*), and returns a :class:`Derivation`: what SymPy computed (``derived``), the closed form
(``closed_form``), the proofs (``checks``), the scope (``scope``: fixed ``n`` or general ``n``) and
named intermediate results (``result["lagrangian"]``, ``result["general"]``, ...; see each
docstring). Results are cached (``functools.lru_cache``), so a chapter may call them freely.

General ``n`` versus fixed ``n``
--------------------------------
SymPy works with sums of a *symbolic* length through ``Sum`` over an ``IndexedBase``. What it can
do there: differentiate a ``Sum`` with respect to one entry ``p[k]`` (the derivative of
``p[i]`` is ``KroneckerDelta(i, k)``, and ``Sum(f(i) * KroneckerDelta(i, k)).doit()`` picks the
``k``-th term — under the condition ``k <= n``, which we take since ``k`` is one of the
entries), expand logarithms inside the body of a sum, split a sum of a sum, pull factors that do
not depend on the index out of it, and sum a constant (``n`` times it). So these are proved **for
general n**:

* the gradient of softmax cross-entropy, :math:`\partial/\partial z_k\,(\operatorname{logsumexp}(z)
  - z_y) = \operatorname{softmax}(z)_k - \delta_{ky}`;
* the gradient of the KL divergence in :math:`q`, :math:`-p_k/q_k`;
* :math:`H(p, q) = H(p) + D_{KL}(p\|q)` (expanding ``log(p_i/q_i)`` inside the sum);
* the stationarity conditions of the maximum-entropy and categorical-MLE Lagrangians, and their
  solutions (uniform :math:`1/n`; :math:`N_k / \sum_i N_i`), because each condition involves one
  entry only and the constraint then becomes a sum of a constant or of the data.

What needs **fixed n** (checked for n = 2..5 and more by the tests): anything that asks SymPy to
*solve a system* in all the entries at once (``sp.solve`` needs finitely many unknowns), to
substitute the simplex constraint for the last variable :math:`p_n = 1 - \sum_{i<n} p_i` (there is
no "last variable" of an ``IndexedBase``), to simplify a rational function of the sum (the
gradient of cosine similarity, the Hessian of the loss), or to combine a logarithm with a sum of
exponentials under a shift (``log(Sum(exp(z_i + c)))``: proved in general by factoring, but
products of sums and ratios of sums are not canonicalised). Inequalities (Gibbs: :math:`D_{KL}
\ge 0`, :math:`H(p) \le \log n`) are not proved by SymPy at all: the book proves them with
Jensen's inequality in the text and checks them with Hypothesis property tests on numbers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sympy as sp

from . import definitions as d
from .checks import IdentityResult, check_identity

__all__ = [
    "Derivation",
    "softmax_cross_entropy_gradient",
    "bce_with_logits_gradient",
    "bce_with_logits_hessian",
    "kl_gradient_q",
    "cosine_similarity_gradient",
    "label_smoothing_optimum",
    "max_entropy",
    "categorical_mle",
]

_INDEX_I, _INDEX_K = sp.symbols("i k", integer=True, positive=True)
_N = sp.Symbol("n", integer=True, positive=True)
_LAMBDA = sp.Symbol("lambda")


@dataclass(frozen=True)
class Derivation:
    """A result derived by SymPy and proved equal to its closed form.

    Attributes
    ----------
    statement : str
        The result in words.
    derived : sympy.Basic
        What SymPy computed (a gradient, a minimiser, ...), usually a column ``Matrix``.
    closed_form : sympy.Basic
        The textbook form that ``derived`` was proved equal to.
    checks : tuple of IdentityResult
        The proofs (all *proved*; the function raises otherwise).
    scope : str
        For which sizes it is proved ("n = 3", or "n = 3; general n: ...").
    parts : mapping
        Named intermediate results; ``result["name"]`` reads one.

    See Also
    --------
    lossbook.symbolic.checks.check_identity : produces the proofs in ``checks``.

    Notes
    -----
    ``list(result)`` gives the entries of ``derived``; ``bool(result)`` is True (all checks
    proved). In a notebook it displays as a table with the maths typeset (``_repr_html_``, and
    ``_repr_markdown_`` with ``$...$``); ``str`` (``print``) is plain text without LaTeX.

    Examples
    --------
    >>> result = max_entropy(2)
    >>> print(result)
    argmax_p H(p) over the simplex = uniform; max H = log n
    (proved for n = 2; general n via indexed sums; 3 identities)
    >>> list(result)
    [1/2, 1/2]
    """

    statement: str
    derived: Any
    closed_form: Any
    checks: tuple
    scope: str
    parts: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.parts[name]

    def __iter__(self):
        """Iterate over the entries of ``derived`` (``list(result)``: the derived expressions)."""
        derived = self.derived
        return iter(
            list(derived) if isinstance(derived, (sp.MatrixBase, list, tuple)) else [derived]
        )

    def __bool__(self) -> bool:
        return all(self.checks)

    def __repr__(self) -> str:
        return f"Derivation({self.statement}; {self.scope}; {len(self.checks)} checks proved)"

    def __str__(self) -> str:
        """Plain text, no LaTeX: the statement, the scope and the number of proofs."""
        return f"{self.statement} (proved for {self.scope}; {len(self.checks)} identities)"

    def _repr_markdown_(self) -> str:
        """The statement, then ``derived = closed form`` typeset (``$...$``) and the scope."""
        identity = f"{sp.latex(self.derived)} = {sp.latex(self.closed_form)}"
        return (
            f"**{self.statement}**: ${identity}$ (proved for {self.scope}, "
            f"{len(self.checks)} identities)"
        )

    def _repr_html_(self) -> str:
        math = html.escape(f"{sp.latex(self.derived)} = {sp.latex(self.closed_form)}")
        rows = [
            ("result", html.escape(self.statement)),
            (
                "derived = closed form",
                f'<span class="math notranslate nohighlight">\\({math}\\)</span>',
            ),
            ("proved", html.escape(f"{self.scope} ({len(self.checks)} identities)")),
        ]
        body = "".join(
            f'<tr><th style="text-align:left">{k}</th><td style="text-align:left">{v}</td></tr>'
            for k, v in rows
        )
        return f'<table class="lossbook-derivation">{body}</table>'


def _prove_entries(derived, closed_form, **kwargs) -> tuple[IdentityResult, ...]:
    results = tuple(
        check_identity(a, b, **kwargs).assert_proved()
        for a, b in zip(sp.Matrix(derived), sp.Matrix(closed_form))
    )
    return results


def _for_existing_entry(expr: sp.Expr) -> sp.Expr:
    """Keep the ``k <= n`` branch of ``Piecewise`` results of ``Sum(... KroneckerDelta).doit()``."""

    def first_branch(piecewise):
        value, condition = piecewise.args[0]
        return value if condition == (_INDEX_K <= _N) else piecewise

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), first_branch)


def _lagrange(objective: sp.Expr, unknowns: list, constraint: sp.Expr) -> tuple[sp.Expr, dict]:
    lagrangian = objective + _LAMBDA * constraint
    equations = [sp.diff(lagrangian, u) for u in unknowns] + [constraint]
    solutions = sp.solve(equations, [*unknowns, _LAMBDA], dict=True)
    if len(solutions) != 1:
        raise AssertionError(f"expected one stationary point, SymPy found {len(solutions)}")
    return lagrangian, solutions[0]


def _sizes(n: int) -> None:
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")


# ---------------------------------------------------------------------------------------------
@cache
def softmax_cross_entropy_gradient(n: int, y: int = 0) -> Derivation:
    r"""Gradient of softmax cross-entropy in the logits: :math:`\operatorname{softmax}(z) - e_y`.

    Loss: :math:`H(e_y, \operatorname{softmax}(z))` from the definitions, for ``n`` classes and
    target class ``y`` (0-based). ``derived`` is the column of :math:`\partial L/\partial z_k`.

    Parts: ``"logits"``, ``"loss"``, ``"soft_target"`` (with a probability target :math:`t` on
    the simplex the gradient is :math:`\operatorname{softmax}(z) - t`, proved for this ``n``),
    ``"general"`` (component :math:`k` for general ``n`` with indexed sums,
    ``exp(z[k])/Sum(exp(z[i])) - KroneckerDelta(k, y)``, proved).

    Parameters
    ----------
    n : int
        The number of classes, at least 2.
    y : int, default 0
        The target class, 0-based.

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 2.

    See Also
    --------
    kl_gradient_q, lossbook.gradients.cross_entropy_grad

    Examples
    --------
    >>> result = softmax_cross_entropy_gradient(3)
    >>> result.derived.T
    Matrix([[-1 + exp(z_1)/(exp(z_1) + exp(z_2) + exp(z_3)),
             exp(z_2)/(exp(z_1) + exp(z_2) + exp(z_3)),
             exp(z_3)/(exp(z_1) + exp(z_2) + exp(z_3))]])
    >>> bool(result)
    True
    """
    _sizes(n)
    z = d.logits(n)
    onehot = [1 if c == y else 0 for c in range(n)]
    loss = d.cross_entropy(onehot, d.softmax(z))
    derived = sp.Matrix([sp.diff(sp.expand_log(loss, force=False), zk) for zk in z])
    closed = sp.Matrix(d.softmax(z)) - sp.Matrix(onehot)
    checks = _prove_entries(sp.Matrix([sp.diff(loss, zk) for zk in z]), closed)

    t = d.probabilities(n, "t")
    soft_loss = d.cross_entropy(t, d.softmax(z))
    soft_gradient = sp.Matrix([sp.diff(soft_loss, zk) for zk in z])
    soft_closed = sp.Matrix(d.softmax(z)) - sp.Matrix(t)
    checks += _prove_entries(soft_gradient, soft_closed, constraints=[d.simplex(t)])

    zi, yy = sp.IndexedBase("z", real=True), sp.Symbol("y", integer=True, positive=True)
    general_loss = d.logsumexp_sum(zi, _INDEX_I, _N) - zi[yy]
    general = _for_existing_entry(sp.diff(general_loss, zi[_INDEX_K]).doit())
    general_closed = d.softmax_sum(zi, _INDEX_K, _INDEX_I, _N) - sp.KroneckerDelta(_INDEX_K, yy)
    checks += (check_identity(general, general_closed).assert_proved(),)
    return Derivation(
        "d/dz H(e_y, softmax(z)) = softmax(z) - e_y",
        derived,
        closed,
        checks,
        f"n = {n}, every component; soft targets on the simplex for n = {n}; general n (indexed)",
        {"logits": z, "loss": loss, "soft_target": soft_gradient, "general": general},
    )


@cache
def bce_with_logits_gradient() -> Derivation:
    r"""Derivative of BCE with logits in the logit: :math:`\sigma(z) - y`.

    ``derived`` is ``simplify(diff(bce_with_logits(z, y), z))``. Parts: ``"z"``, ``"y"``,
    ``"loss"``, ``"stable_form"`` (the loss equals :math:`y\,\operatorname{softplus}(-z) +
    (1-y)\operatorname{softplus}(z)`, proved).

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    See Also
    --------
    bce_with_logits_hessian

    Examples
    --------
    >>> bce_with_logits_gradient().closed_form
    -y + 1/(1 + exp(-z))
    """
    z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
    loss = d.bce_with_logits(z, y)
    derived = sp.simplify(sp.diff(loss, z))
    closed = d.sigmoid(z) - y
    stable = y * d.softplus(-z) + (1 - y) * d.softplus(z)
    checks = (
        check_identity(derived, closed).assert_proved(),
        check_identity(loss, stable).assert_proved(),
    )
    return Derivation(
        "d/dz BCE(sigmoid(z), y) = sigmoid(z) - y",
        derived,
        closed,
        checks,
        "scalar (every real z, y)",
        {"z": z, "y": y, "loss": loss, "stable_form": stable},
    )


@cache
def bce_with_logits_hessian() -> Derivation:
    r"""Second derivative of BCE with logits: :math:`\sigma(z)(1 - \sigma(z))`, free of :math:`y`.

    Positive for every real :math:`z`, so the loss is convex in the logit. Parts: ``"z"``, ``"y"``.

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    See Also
    --------
    bce_with_logits_gradient

    Examples
    --------
    >>> bce_with_logits_hessian().closed_form
    (1 - 1/(1 + exp(-z)))/(1 + exp(-z))
    """
    gradient = bce_with_logits_gradient()
    z, y = gradient["z"], gradient["y"]
    derived = sp.simplify(sp.diff(gradient.derived, z))
    closed = d.sigmoid(z) * (1 - d.sigmoid(z))
    checks = (
        check_identity(derived, closed).assert_proved(),
        check_identity(sp.diff(derived, y), 0).assert_proved(),
    )
    return Derivation(
        "d2/dz2 BCE(sigmoid(z), y) = sigmoid(z) (1 - sigmoid(z))",
        derived,
        closed,
        checks,
        "scalar (every real z, y)",
        {"z": z, "y": y},
    )


@cache
def kl_gradient_q(n: int) -> Derivation:
    r"""Gradient of :math:`D_{KL}(p\|q)` in :math:`q`, :math:`-p_i / q_i`; on the simplex,
    :math:`q = p`.

    Parts: ``"p"``, ``"q"``, ``"lagrangian"`` (:math:`D_{KL} + \lambda(\sum q - 1)`),
    ``"stationary_point"`` (SymPy's solution: :math:`q_i = p_i / \sum_j p_j`,
    :math:`\lambda = \sum_j p_j`, i.e. :math:`q = p` and :math:`\lambda = 1` when :math:`p` is a
    distribution, proved), ``"general"`` (component :math:`k` for general ``n``: ``-p[k]/q[k]``).

    Parameters
    ----------
    n : int
        The number of outcomes, at least 2.

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 2.

    See Also
    --------
    softmax_cross_entropy_gradient

    Examples
    --------
    >>> kl_gradient_q(2).closed_form.T
    Matrix([[-p_1/q_1, -p_2/q_2]])
    """
    _sizes(n)
    p, q = d.probabilities(n, "p"), d.probabilities(n, "q")
    kl = d.kl_divergence(p, q)
    derived = sp.Matrix([sp.diff(kl, qi) for qi in q])
    closed = sp.Matrix([-pi / qi for pi, qi in zip(p, q)])
    checks = _prove_entries(derived, closed)
    lagrangian, solution = _lagrange(kl, q, d.simplex(q))
    checks += _prove_entries(
        [solution[qi] for qi in q] + [solution[_LAMBDA]], p + [1], constraints=[d.simplex(p)]
    )
    pi_, qi_ = d.indexed_probabilities("p"), d.indexed_probabilities("q")
    general = _for_existing_entry(
        sp.diff(d.kl_divergence_sum(pi_, qi_, _INDEX_I, _N), qi_[_INDEX_K]).doit()
    )
    checks += (check_identity(general, -pi_[_INDEX_K] / qi_[_INDEX_K]).assert_proved(),)
    return Derivation(
        "d/dq_i KL(p || q) = -p_i / q_i; on the simplex the minimiser is q = p",
        derived,
        closed,
        checks,
        f"n = {n}; the gradient also for general n",
        {
            "p": p,
            "q": q,
            "lagrangian": lagrangian,
            "stationary_point": solution,
            "general": general,
        },
    )


@cache
def cosine_similarity_gradient(n: int) -> Derivation:
    r"""Gradient of :math:`\cos(a, b)` in :math:`a`:
    :math:`b / (\|a\|\|b\|) - \cos(a, b)\, a / \|a\|^2`.

    It is orthogonal to :math:`a` (cosine similarity ignores the length of :math:`a`; proved as
    :math:`a \cdot \nabla_a \cos = 0`). Parts: ``"a"``, ``"b"``.

    Parameters
    ----------
    n : int
        The number of coordinates, at least 2.

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 2.

    See Also
    --------
    lossbook.symbolic.definitions.cosine_similarity

    Examples
    --------
    >>> bool(cosine_similarity_gradient(2))
    True
    """
    _sizes(n)
    a, b = d.logits(n, "a"), d.logits(n, "b")
    cos = d.cosine_similarity(a, b)
    norm_a, norm_b = sp.sqrt(sum(x**2 for x in a)), sp.sqrt(sum(x**2 for x in b))
    derived = sp.Matrix([sp.diff(cos, ai) for ai in a])
    closed = sp.Matrix(b) / (norm_a * norm_b) - cos * sp.Matrix(a) / norm_a**2
    checks = _prove_entries(derived, closed)
    checks += (check_identity((sp.Matrix(a).T * derived)[0, 0], 0).assert_proved(),)
    return Derivation(
        "d/da cos(a, b) = b/(|a||b|) - cos(a, b) a/|a|^2, orthogonal to a",
        derived,
        closed,
        checks,
        f"n = {n}",
        {"a": a, "b": b},
    )


@cache
def label_smoothing_optimum(n: int, y: int = 0) -> Derivation:
    r"""Minimiser of label-smoothed cross-entropy over the simplex: the smoothed target itself.

    Minimises :math:`H(p^{\varepsilon}, q)` over :math:`q` on the simplex with a Lagrange
    multiplier, where :math:`p^{\varepsilon} = (1-\varepsilon)e_y + \varepsilon/n` is the
    smoothed target (the book's one name for it); ``derived`` is the minimiser, ``closed_form``
    the smoothed target. Parts: ``"epsilon"``, ``"q"``, ``"target"`` (:math:`p^{\varepsilon}`;
    also under ``"p_eps"``), ``"lagrangian"``, ``"minimum"`` (:math:`H(p^{\varepsilon}, q^*)`,
    proved equal to :math:`H(p^{\varepsilon})`), ``"multiplier"`` (:math:`\lambda = 1`). It is a
    minimum: the Hessian :math:`\operatorname{diag}(p^{\varepsilon}_i / q_i^2)` is positive
    definite.

    Parameters
    ----------
    n : int
        The number of classes, at least 2.
    y : int, default 0
        The target class, 0-based.

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 2.

    See Also
    --------
    lossbook.symbolic.definitions.label_smoothed_target

    Examples
    --------
    >>> label_smoothing_optimum(3).derived.T
    Matrix([[1 - 2*epsilon/3, epsilon/3, epsilon/3]])
    """
    _sizes(n)
    epsilon = sp.Symbol("epsilon", positive=True)
    q = d.probabilities(n, "q")
    target = d.label_smoothed_target(y, n, epsilon)
    lagrangian, solution = _lagrange(d.cross_entropy(target, q), q, d.simplex(q))
    derived = sp.Matrix([solution[qi] for qi in q])
    closed = sp.Matrix(target)
    minimum = d.cross_entropy(target, list(derived))
    checks = _prove_entries(derived, closed)
    checks += (
        check_identity(minimum, d.entropy(target)).assert_proved(),
        check_identity(solution[_LAMBDA], 1).assert_proved(),
    )
    return Derivation(
        "argmin_q H(p^ε, q) over the simplex = p^ε; minimum H(p^ε)",
        derived,
        closed,
        checks,
        f"n = {n}",
        {
            "epsilon": epsilon,
            "q": q,
            "target": target,
            "p_eps": target,
            "lagrangian": lagrangian,
            "minimum": minimum,
            "multiplier": solution[_LAMBDA],
        },
    )


@cache
def max_entropy(n: int) -> Derivation:
    r"""The distribution of maximum entropy on ``n`` outcomes: uniform, with :math:`H = \log n`.

    Stationary point of :math:`H(p) + \lambda(\sum p - 1)`; ``derived`` is SymPy's solution,
    ``closed_form`` the uniform vector. Parts: ``"p"``, ``"lagrangian"``, ``"value"``
    (:math:`H` there, proved :math:`= \log n`), ``"hessian"`` (:math:`\operatorname{diag}(-1/p_i)`,
    negative definite: a maximum), ``"general"`` (general ``n``: the condition
    :math:`-\log p_k - 1 + \lambda = 0` gives the same :math:`p_k = e^{\lambda-1}` for every
    :math:`k`, and the constraint :math:`n e^{\lambda - 1} = 1` gives :math:`1/n`).

    Parameters
    ----------
    n : int
        The number of outcomes, at least 2.

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 2.

    See Also
    --------
    categorical_mle

    Examples
    --------
    >>> max_entropy(4).derived.T
    Matrix([[1/4, 1/4, 1/4, 1/4]])
    """
    _sizes(n)
    p = d.probabilities(n)
    lagrangian, solution = _lagrange(d.entropy(p), p, d.simplex(p))
    derived = sp.Matrix([solution[pi] for pi in p])
    closed = sp.Matrix([sp.Rational(1, n)] * n)
    value = d.entropy(list(derived))
    checks = _prove_entries(derived, closed)
    checks += (check_identity(value, sp.log(n)).assert_proved(),)
    hessian = sp.hessian(d.entropy(p), p)
    return Derivation(
        "argmax_p H(p) over the simplex = uniform; max H = log n",
        derived,
        closed,
        checks,
        f"n = {n}; general n via indexed sums",
        {
            "p": p,
            "lagrangian": lagrangian,
            "value": value,
            "hessian": hessian,
            "general": _general_max_entropy(),
        },
    )


@cache
def _general_max_entropy() -> sp.Expr:
    p = d.indexed_probabilities("p")
    lagrangian = d.entropy_sum(p, _INDEX_I, _N) + _LAMBDA * (
        sp.Sum(p[_INDEX_I], (_INDEX_I, 1, _N)) - 1
    )
    condition = _for_existing_entry(sp.diff(lagrangian, p[_INDEX_K]).doit())
    (entry,) = sp.solve(condition, p[_INDEX_K])  # exp(lambda - 1): the same for every k
    assert not entry.has(_INDEX_K)
    (common,) = sp.solve(sp.Sum(entry, (_INDEX_I, 1, _N)).doit() - 1, _LAMBDA)
    uniform = sp.simplify(entry.subs(_LAMBDA, common))
    check_identity(uniform, 1 / _N).assert_proved()
    return uniform


@cache
def categorical_mle(n: int) -> Derivation:
    r"""Maximum-likelihood estimate of a categorical distribution: the empirical frequencies.

    Maximises :math:`\sum_i N_i \log q_i` (counts :math:`N_i > 0`) over the simplex with a Lagrange
    multiplier; ``derived`` is the solution, ``closed_form`` :math:`N_i / \sum_j N_j`. Parts:
    ``"counts"``, ``"q"``, ``"lagrangian"``, ``"multiplier"`` (:math:`\lambda = -\sum_j N_j` for
    :math:`\sum_i N_i \log q_i + \lambda(\sum_i q_i - 1)`),
    ``"hessian"`` (:math:`\operatorname{diag}(-N_i/q_i^2)`: a maximum), ``"general"`` (general
    ``n``: :math:`q_k = -N_k/\lambda` and :math:`\sum_i q_i = 1` give
    :math:`\lambda = -\sum_i N_i`).

    Parameters
    ----------
    n : int
        The number of categories, at least 2.

    Returns
    -------
    Derivation
        Cached: repeated calls return the same object.

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 2.

    See Also
    --------
    max_entropy

    Examples
    --------
    >>> categorical_mle(2).derived.T
    Matrix([[N_1/(N_1 + N_2), N_2/(N_1 + N_2)]])
    """
    _sizes(n)
    counts, q = d.probabilities(n, "N"), d.probabilities(n, "q")
    log_likelihood = sp.Add(*[c * sp.log(qi) for c, qi in zip(counts, q)])
    lagrangian, solution = _lagrange(log_likelihood, q, d.simplex(q))
    derived = sp.Matrix([solution[qi] for qi in q])
    closed = sp.Matrix([c / sp.Add(*counts) for c in counts])
    checks = _prove_entries(derived, closed)
    checks += (check_identity(solution[_LAMBDA], -sp.Add(*counts)).assert_proved(),)
    return Derivation(
        "argmax_q sum_i N_i log q_i over the simplex = N_i / N",
        derived,
        closed,
        checks,
        f"n = {n}; general n via indexed sums",
        {
            "counts": counts,
            "q": q,
            "lagrangian": lagrangian,
            "multiplier": solution[_LAMBDA],
            "hessian": sp.hessian(log_likelihood, q),
            "general": _general_categorical_mle(),
        },
    )


@cache
def _general_categorical_mle() -> sp.Expr:
    counts, q = d.indexed_probabilities("N"), d.indexed_probabilities("q")
    constraint = sp.Sum(q[_INDEX_I], (_INDEX_I, 1, _N)) - 1
    lagrangian = (
        sp.Sum(counts[_INDEX_I] * sp.log(q[_INDEX_I]), (_INDEX_I, 1, _N)) + _LAMBDA * constraint
    )
    condition = _for_existing_entry(sp.diff(lagrangian, q[_INDEX_K]).doit())
    (entry,) = sp.solve(condition, q[_INDEX_K])  # -N[k]/lambda
    summed = sp.Sum(entry.subs(_INDEX_K, _INDEX_I), (_INDEX_I, 1, _N))
    summed = sp.factor_terms(summed)
    (multiplier,) = sp.solve(summed - 1, _LAMBDA)
    estimate = entry.subs(_LAMBDA, multiplier)
    check_identity(
        estimate, counts[_INDEX_K] / sp.Sum(counts[_INDEX_I], (_INDEX_I, 1, _N))
    ).assert_proved()
    return estimate
