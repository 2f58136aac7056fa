r"""SymPy definitions of the book's quantities, mirroring :mod:`lossbook.functional` and
:mod:`lossbook.info`.

Lists of symbols go in, SymPy expressions (or lists of them) come out. The symbols carry the
assumptions that make identities simplify: probabilities are ``positive`` (so that
``log(p*q) = log(p) + log(q)`` holds and SymPy may expand it), logits and targets are ``real``
(so that ``log(exp(z)) = z``). Symbols are numbered from 1, as in the text: ``p_1, ..., p_n``.
The smoothed target of label smoothing is written :math:`p^{\varepsilon}` throughout the book.

References
----------
T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley (2006),
doi:10.1002/047174882X, chapter 2.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

__all__ = [  # noqa: RUF022 (reading order)
    "prob", "probabilities", "logits", "simplex", "indexed_probabilities",
    "self_information", "entropy", "cross_entropy", "kl_divergence", "js_divergence",
    "conditional_entropy", "mutual_information",
    "softmax", "log_softmax", "logsumexp", "sigmoid", "logsigmoid", "softplus",
    "nll", "bce", "bce_with_logits", "cosine_similarity", "cosine_embedding_loss",
    "label_smoothed_target",
    "entropy_sum", "cross_entropy_sum", "kl_divergence_sum", "logsumexp_sum", "softmax_sum",
]  # fmt: skip

prob = sp.Symbol("p", positive=True)
"""A single probability: a positive symbol ``p``."""


# ---------------------------------------------------------------------------------------------
# symbols
# ---------------------------------------------------------------------------------------------
def probabilities(n: int, name: str = "p") -> list[sp.Symbol]:
    """``n`` positive symbols ``name_1, ..., name_n``: a probability vector.

    Parameters
    ----------
    n : int
        Number of outcomes, at least 1.
    name : str, default "p"
        Base name of the symbols.

    Returns
    -------
    list of sympy.Symbol
        Positive symbols; add the constraint :func:`simplex` to put them on the simplex.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.

    See Also
    --------
    simplex, logits, indexed_probabilities

    Notes
    -----
    Positivity (not just non-negativity) is what lets SymPy split ``log(p_1 p_2)``.

    Examples
    --------
    >>> probabilities(3)
    [p_1, p_2, p_3]
    >>> probabilities(2, name="q")[0].is_positive
    True
    """
    _check_size(n)
    return list(sp.symbols(f"{name}_1:{n + 1}", positive=True))


def logits(n: int, name: str = "z") -> list[sp.Symbol]:
    """``n`` real symbols ``name_1, ..., name_n``: logits, scores, real vectors.

    Parameters
    ----------
    n : int
        Length, at least 1.
    name : str, default "z"
        Base name of the symbols.

    Returns
    -------
    list of sympy.Symbol
        Real symbols.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.

    See Also
    --------
    probabilities, softmax

    Examples
    --------
    >>> logits(2)
    [z_1, z_2]
    """
    _check_size(n)
    return list(sp.symbols(f"{name}_1:{n + 1}", real=True))


def simplex(ps: Sequence[sp.Expr]) -> sp.Expr:
    r"""The simplex constraint :math:`\sum_i p_i - 1`, an expression that is zero on the simplex.

    Parameters
    ----------
    ps : sequence of sympy.Expr
        The entries of a probability vector.

    Returns
    -------
    sympy.Expr
        :math:`\sum_i p_i - 1`.

    See Also
    --------
    lossbook.symbolic.checks.check_identity : takes it as ``constraints=[simplex(ps)]``.

    Notes
    -----
    Add ``lambda * simplex(ps)`` to an objective for a Lagrangian.

    Examples
    --------
    >>> simplex(probabilities(3))
    p_1 + p_2 + p_3 - 1
    """
    return sp.Add(*ps) - 1


def indexed_probabilities(name: str = "p") -> sp.IndexedBase:
    """An ``IndexedBase`` whose entries ``name[i]`` are positive, for the general-``n`` forms.

    Parameters
    ----------
    name : str, default "p"
        The label.

    Returns
    -------
    sympy.IndexedBase

    See Also
    --------
    entropy_sum, cross_entropy_sum, kl_divergence_sum

    Examples
    --------
    >>> p = indexed_probabilities()
    >>> p[1].is_positive
    True
    """
    return sp.IndexedBase(name, positive=True)


def _check_size(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")


def _log(x: sp.Expr, base) -> sp.Expr:
    return sp.log(x) if base in (sp.E, None) else sp.log(x) / sp.log(base)


def _check_lengths(first: Sequence, second: Sequence, names: str) -> None:
    if len(first) != len(second):
        raise ValueError(f"{names} must have the same length, got {len(first)} and {len(second)}")


# ---------------------------------------------------------------------------------------------
# information measures (lossbook.info)
# ---------------------------------------------------------------------------------------------
def self_information(p: sp.Expr, base=sp.E) -> sp.Expr:
    r"""Self-information :math:`I(p) = -\log_b p`.

    Parameters
    ----------
    p : sympy.Expr
        A probability.
    base : sympy.Expr or int, default e
        Logarithm base: ``2`` bits, ``sp.E`` nats, ``10`` bans.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    lossbook.info.self_information : the numeric version.

    References
    ----------
    Cover and Thomas (2006), section 2.1.

    Examples
    --------
    >>> self_information(prob, base=2)
    -log(p)/log(2)
    """
    return -_log(p, base)


def entropy(ps: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Entropy :math:`H(p) = -\sum_i p_i \log_b p_i` of an explicit vector.

    Parameters
    ----------
    ps : sequence of sympy.Expr
        The probabilities (length ``len(ps)``).
    base : sympy.Expr or int, default e
        Logarithm base.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    entropy_sum : the same for a symbolic length ``n``.
    lossbook.info.entropy : the numeric version.

    References
    ----------
    Cover and Thomas (2006), section 2.1.

    Examples
    --------
    >>> entropy(probabilities(2))
    -p_1*log(p_1) - p_2*log(p_2)
    """
    return -sp.Add(*[p * _log(p, base) for p in ps])


def cross_entropy(ps: Sequence[sp.Expr], qs: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Cross-entropy :math:`H(p, q) = -\sum_i p_i \log_b q_i`.

    Parameters
    ----------
    ps, qs : sequence of sympy.Expr
        Target and model probabilities, of the same length.
    base : sympy.Expr or int, default e
        Logarithm base.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``ps`` and ``qs`` differ in length.

    See Also
    --------
    cross_entropy_sum, lossbook.info.cross_entropy

    References
    ----------
    Cover and Thomas (2006), section 5.4.

    Examples
    --------
    >>> cross_entropy(probabilities(2), probabilities(2, "q"))
    -p_1*log(q_1) - p_2*log(q_2)
    """
    _check_lengths(ps, qs, "ps and qs")
    return -sp.Add(*[p * _log(q, base) for p, q in zip(ps, qs)])


def kl_divergence(ps: Sequence[sp.Expr], qs: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Kullback–Leibler divergence :math:`D_{KL}(p\|q) = \sum_i p_i \log_b (p_i / q_i)`.

    Parameters
    ----------
    ps, qs : sequence of sympy.Expr
        Probabilities of the same length.
    base : sympy.Expr or int, default e
        Logarithm base.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``ps`` and ``qs`` differ in length.

    See Also
    --------
    kl_divergence_sum, lossbook.info.kl_divergence

    References
    ----------
    S. Kullback and R. A. Leibler, "On information and sufficiency", *Ann. Math. Statist.* 22
    (1951), 79–86, doi:10.1214/aoms/1177729694.

    Examples
    --------
    >>> kl_divergence(probabilities(2), probabilities(2, "q"))
    p_1*log(p_1/q_1) + p_2*log(p_2/q_2)
    """
    _check_lengths(ps, qs, "ps and qs")
    return sp.Add(*[p * _log(p / q, base) for p, q in zip(ps, qs)])


def js_divergence(ps: Sequence[sp.Expr], qs: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Jensen–Shannon divergence :math:`\tfrac12 D(p\|m) + \tfrac12 D(q\|m)`, :math:`m = (p+q)/2`.

    Parameters
    ----------
    ps, qs : sequence of sympy.Expr
        Probabilities of the same length.
    base : sympy.Expr or int, default e
        Logarithm base.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``ps`` and ``qs`` differ in length.

    See Also
    --------
    kl_divergence, lossbook.info.js_divergence

    References
    ----------
    J. Lin, "Divergence measures based on the Shannon entropy", *IEEE Trans. Inf. Theory* 37
    (1991), 145–151, doi:10.1109/18.61115.

    Examples
    --------
    >>> js_divergence([prob], [prob])
    0
    """
    _check_lengths(ps, qs, "ps and qs")
    middle = [(p + q) / 2 for p, q in zip(ps, qs)]
    return (kl_divergence(ps, middle, base) + kl_divergence(qs, middle, base)) / 2


def _table(pxy: Sequence[Sequence[sp.Expr]]) -> list[list[sp.Expr]]:
    rows = [list(row) for row in pxy]
    if not rows or any(len(row) != len(rows[0]) or not row for row in rows):
        raise ValueError("pxy must be a non-empty rectangular table (a list of equal-length rows)")
    return rows


def conditional_entropy(pxy: Sequence[Sequence[sp.Expr]], base=sp.E) -> sp.Expr:
    r"""Conditional entropy :math:`H(Y \mid X) = -\sum_{x,y} p(x,y) \log_b (p(x,y)/p(x))`.

    X indexes the rows (axis 0) and Y the columns, as in :func:`lossbook.info.conditional_entropy`.

    Parameters
    ----------
    pxy : sequence of sequences of sympy.Expr
        The joint table, rows ``x``, columns ``y``; positive entries (a literal 0 gives
        ``0 log 0 = nan`` in SymPy: leave such cells out of the model instead).
    base : sympy.Expr or int, default e
        Logarithm base.

    Returns
    -------
    sympy.Expr
        With :math:`p(x) = \sum_y p(x, y)` written out.

    Raises
    ------
    ValueError
        If ``pxy`` is not a non-empty rectangular table.

    See Also
    --------
    mutual_information, lossbook.info.conditional_entropy

    References
    ----------
    Cover and Thomas (2006), section 2.2.

    Examples
    --------
    >>> conditional_entropy([probabilities(2, "a")])       # one value of X
    -a_1*log(a_1/(a_1 + a_2)) - a_2*log(a_2/(a_1 + a_2))
    """
    rows = _table(pxy)
    return -sp.Add(*[t * _log(t / sp.Add(*row), base) for row in rows for t in row])


def mutual_information(pxy: Sequence[Sequence[sp.Expr]], base=sp.E) -> sp.Expr:
    r"""Mutual information :math:`I(X; Y) = \sum_{x,y} p(x,y) \log_b \frac{p(x,y)}{p(x)p(y)}`.

    Parameters
    ----------
    pxy : sequence of sequences of sympy.Expr
        The joint table, rows ``x``, columns ``y``.
    base : sympy.Expr or int, default e
        Logarithm base.

    Returns
    -------
    sympy.Expr
        With both marginals written out as sums of the table's entries.

    Raises
    ------
    ValueError
        If ``pxy`` is not a non-empty rectangular table.

    See Also
    --------
    conditional_entropy, kl_divergence, lossbook.info.mutual_information

    References
    ----------
    Cover and Thomas (2006), section 2.4.

    Examples
    --------
    >>> t = [[prob / 2, prob / 2], [(1 - prob) / 2, (1 - prob) / 2]]   # independent
    >>> sp.simplify(mutual_information(t))
    0
    """
    rows = _table(pxy)
    px = [sp.Add(*row) for row in rows]
    py = [sp.Add(*column) for column in zip(*rows)]
    return sp.Add(
        *[
            t * _log(t / (px[i] * py[j]), base)
            for i, row in enumerate(rows)
            for j, t in enumerate(row)
        ]
    )


# ---------------------------------------------------------------------------------------------
# activations and losses (lossbook.functional)
# ---------------------------------------------------------------------------------------------
def logsumexp(zs: Sequence[sp.Expr]) -> sp.Expr:
    r""":math:`\log \sum_j e^{z_j}`, the textbook form (``F.logsumexp`` computes it stably).

    Parameters
    ----------
    zs : sequence of sympy.Expr
        Logits.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    logsumexp_sum, softmax

    Examples
    --------
    >>> logsumexp(logits(2))
    log(exp(z_1) + exp(z_2))
    """
    return sp.log(sp.Add(*[sp.exp(z) for z in zs]))


def softmax(zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    r""":math:`\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}`, as a list.

    Parameters
    ----------
    zs : sequence of sympy.Expr
        Logits.

    Returns
    -------
    list of sympy.Expr

    See Also
    --------
    log_softmax, softmax_sum

    Examples
    --------
    >>> softmax(logits(2))[0]
    exp(z_1)/(exp(z_1) + exp(z_2))
    """
    total = sp.Add(*[sp.exp(z) for z in zs])
    return [sp.exp(z) / total for z in zs]


def log_softmax(zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    r""":math:`\log \operatorname{softmax}(z)_i = z_i - \operatorname{logsumexp}(z)`, as a list.

    Parameters
    ----------
    zs : sequence of sympy.Expr
        Logits.

    Returns
    -------
    list of sympy.Expr

    See Also
    --------
    softmax, nll

    Examples
    --------
    >>> log_softmax(logits(2))[1]
    z_2 - log(exp(z_1) + exp(z_2))
    """
    lse = logsumexp(zs)
    return [z - lse for z in zs]


def sigmoid(z: sp.Expr) -> sp.Expr:
    r"""The logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Parameters
    ----------
    z : sympy.Expr
        A logit.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    logsigmoid, bce_with_logits

    Examples
    --------
    >>> sigmoid(sp.Symbol("z", real=True))
    1/(1 + exp(-z))
    """
    return 1 / (1 + sp.exp(-z))


def logsigmoid(z: sp.Expr) -> sp.Expr:
    r""":math:`\log \sigma(z) = -\log(1 + e^{-z})`.

    Parameters
    ----------
    z : sympy.Expr
        A logit.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    sigmoid, softplus : :math:`\log\sigma(z) = -\operatorname{softplus}(-z)`.

    Examples
    --------
    >>> logsigmoid(sp.Symbol("z", real=True))
    -log(1 + exp(-z))
    """
    return -sp.log(1 + sp.exp(-z))


def softplus(z: sp.Expr, beta=1) -> sp.Expr:
    r""":math:`\operatorname{softplus}(z) = \frac{1}{\beta}\log(1 + e^{\beta z})`.

    Parameters
    ----------
    z : sympy.Expr
        The input.
    beta : sympy.Expr or number, default 1
        PyTorch's ``beta``.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    logsigmoid

    Notes
    -----
    PyTorch's ``threshold`` (linear above it) is a numerical device, not part of the definition.

    Examples
    --------
    >>> softplus(sp.Symbol("z", real=True))
    log(exp(z) + 1)
    """
    return sp.log(1 + sp.exp(beta * z)) / beta


def nll(log_probs: Sequence[sp.Expr], y: int) -> sp.Expr:
    r"""Negative log-likelihood of class ``y`` (0-based, as in PyTorch): :math:`-\ell_y`.

    Parameters
    ----------
    log_probs : sequence of sympy.Expr
        Log-probabilities (e.g. ``log_softmax(z)``), used as given, like ``F.nll_loss``.
    y : int
        The class index, 0-based.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    log_softmax

    Examples
    --------
    >>> nll(log_softmax(logits(2)), 0)
    -z_1 + log(exp(z_1) + exp(z_2))
    """
    return -log_probs[y]


def bce(p: sp.Expr, y: sp.Expr) -> sp.Expr:
    r"""Binary cross-entropy :math:`-(y \log p + (1 - y)\log(1 - p))`.

    Parameters
    ----------
    p : sympy.Expr
        The predicted probability of class 1.
    y : sympy.Expr or number
        The target in [0, 1].

    Returns
    -------
    sympy.Expr

    See Also
    --------
    bce_with_logits

    Notes
    -----
    ``F.binary_cross_entropy`` without its clamp of the logarithms at -100.

    Examples
    --------
    >>> bce(prob, 1)
    -log(p)
    """
    return -(y * sp.log(p) + (1 - y) * sp.log(1 - p))


def bce_with_logits(z: sp.Expr, y: sp.Expr) -> sp.Expr:
    r"""BCE of the logit ``z``: the BCE of the probability :math:`\sigma(z)`.

    :math:`-(y\log\sigma(z) + (1-y)\log(1-\sigma(z)))`.

    Parameters
    ----------
    z : sympy.Expr
        The logit.
    y : sympy.Expr or number
        The target in [0, 1].

    Returns
    -------
    sympy.Expr
        The definition, not the stable form.

    See Also
    --------
    bce, softplus

    Notes
    -----
    SymPy proves it equals
    :math:`y\,\operatorname{softplus}(-z) + (1-y)\operatorname{softplus}(z)`, the form
    ``F.binary_cross_entropy_with_logits`` evaluates.

    Examples
    --------
    >>> bce_with_logits(sp.Symbol("z", real=True), 1)
    -log(1/(1 + exp(-z)))
    """
    return bce(sigmoid(z), y)


def cosine_similarity(a: Sequence[sp.Expr], b: Sequence[sp.Expr]) -> sp.Expr:
    r""":math:`\cos(a, b) = a \cdot b / (\|a\|\,\|b\|)`.

    Parameters
    ----------
    a, b : sequence of sympy.Expr
        Vectors of the same length.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``a`` and ``b`` differ in length.

    See Also
    --------
    cosine_embedding_loss

    Notes
    -----
    ``F.cosine_similarity`` without its ``eps`` clamp of the norms.

    Examples
    --------
    >>> cosine_similarity([1, 0], [1, 1])
    sqrt(2)/2
    """
    _check_lengths(a, b, "a and b")
    dot = sp.Add(*[x * y for x, y in zip(a, b)])
    return dot / (sp.sqrt(sp.Add(*[x**2 for x in a])) * sp.sqrt(sp.Add(*[y**2 for y in b])))


def cosine_embedding_loss(a, b, y, margin=0) -> sp.Expr:
    r"""``F.cosine_embedding_loss`` for one pair of vectors.

    :math:`1 - \cos` if :math:`y = 1`, :math:`\max(0, \cos - \text{margin})` if
    :math:`y = -1`, else 0.

    Parameters
    ----------
    a, b : sequence of sympy.Expr
        Vectors of the same length.
    y : int or sympy.Expr
        ``1`` (similar), ``-1`` (dissimilar), or a symbol (the result is then a ``Piecewise``).
    margin : sympy.Expr or number, default 0
        The margin for dissimilar pairs.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``a`` and ``b`` differ in length.

    See Also
    --------
    cosine_similarity

    Examples
    --------
    >>> cosine_embedding_loss([1, 0], [0, 1], -1)
    0
    """
    cos = cosine_similarity(a, b)
    similar, dissimilar = 1 - cos, sp.Max(0, cos - margin)
    if y == 1:
        return similar
    if y == -1:
        return dissimilar
    if isinstance(y, (int, sp.Integer)):
        return sp.Integer(0)
    return sp.Piecewise((similar, sp.Eq(y, 1)), (dissimilar, sp.Eq(y, -1)), (0, True))


def label_smoothed_target(y: int, n_classes: int, epsilon) -> list[sp.Expr]:
    r"""The smoothed target :math:`p^{\varepsilon} = (1 - \varepsilon)\,e_y + \varepsilon / C`.

    Parameters
    ----------
    y : int
        The class index, 0-based (as in PyTorch).
    n_classes : int
        The number of classes :math:`C`.
    epsilon : sympy.Expr or number
        The smoothing :math:`\varepsilon` (PyTorch's ``label_smoothing``).

    Returns
    -------
    list of sympy.Expr
        :math:`p^{\varepsilon}`, the target that ``F.cross_entropy(..., label_smoothing=ε)``
        uses.

    Raises
    ------
    ValueError
        If ``n_classes`` is not a positive integer or ``y`` is not in ``[0, n_classes)``.

    See Also
    --------
    lossbook.symbolic.derived.label_smoothing_optimum

    References
    ----------
    C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens and Z. Wojna, "Rethinking the Inception
    architecture for computer vision", CVPR (2016), doi:10.1109/CVPR.2016.308.

    Examples
    --------
    >>> label_smoothed_target(0, 3, sp.Symbol("epsilon"))
    [1 - 2*epsilon/3, epsilon/3, epsilon/3]
    """
    _check_size(n_classes)
    if not 0 <= y < n_classes:
        raise ValueError(f"y must be a class index in [0, {n_classes}), got {y}")
    return [(1 - epsilon) * (1 if c == y else 0) + epsilon / n_classes for c in range(n_classes)]


# ---------------------------------------------------------------------------------------------
# indexed-sum forms (general n): p an IndexedBase, i an integer symbol, n a symbol
# ---------------------------------------------------------------------------------------------


def entropy_sum(p: sp.IndexedBase, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`-\sum_{i=1}^{n} p_i \log p_i` as a ``Sum`` (nats), for a symbolic length ``n``.

    Parameters
    ----------
    p : sympy.IndexedBase
        The probabilities, e.g. :func:`indexed_probabilities`.
    i : sympy.Symbol
        The summation index (integer, positive).
    n : sympy.Expr
        The length, usually a positive integer symbol.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    entropy

    Examples
    --------
    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> entropy_sum(indexed_probabilities(), i, n)
    -Sum(log(p[i])*p[i], (i, 1, n))
    """
    return -sp.Sum(p[i] * sp.log(p[i]), (i, 1, n))


def cross_entropy_sum(p: sp.IndexedBase, q: sp.IndexedBase, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`-\sum_{i=1}^{n} p_i \log q_i` as a ``Sum`` (nats), for a symbolic length ``n``.

    Parameters
    ----------
    p, q : sympy.IndexedBase
        Target and model probabilities.
    i : sympy.Symbol
        The summation index (integer, positive).
    n : sympy.Expr
        The length, usually a positive integer symbol.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    cross_entropy

    Examples
    --------
    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> cross_entropy_sum(indexed_probabilities(), indexed_probabilities("q"), i, n)
    -Sum(log(q[i])*p[i], (i, 1, n))
    """
    return -sp.Sum(p[i] * sp.log(q[i]), (i, 1, n))


def kl_divergence_sum(p: sp.IndexedBase, q: sp.IndexedBase, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`\sum_{i=1}^{n} p_i \log(p_i / q_i)` as a ``Sum`` (nats), for a symbolic ``n``.

    Parameters
    ----------
    p, q : sympy.IndexedBase
        Probabilities.
    i : sympy.Symbol
        The summation index (integer, positive).
    n : sympy.Expr
        The length, usually a positive integer symbol.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    kl_divergence

    Examples
    --------
    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> kl_divergence_sum(indexed_probabilities(), indexed_probabilities("q"), i, n)
    Sum(log(p[i]/q[i])*p[i], (i, 1, n))
    """
    return sp.Sum(p[i] * sp.log(p[i] / q[i]), (i, 1, n))


def logsumexp_sum(z: sp.IndexedBase, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`\log \sum_{i=1}^{n} e^{z_i}` as the logarithm of a ``Sum``.

    Parameters
    ----------
    z : sympy.IndexedBase
        The logits (real).
    i : sympy.Symbol
        The summation index (integer, positive).
    n : sympy.Expr
        The length, usually a positive integer symbol.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    logsumexp, softmax_sum

    Examples
    --------
    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> logsumexp_sum(sp.IndexedBase("z", real=True), i, n)
    log(Sum(exp(z[i]), (i, 1, n)))
    """
    return sp.log(sp.Sum(sp.exp(z[i]), (i, 1, n)))


def softmax_sum(z: sp.IndexedBase, k, i: sp.Symbol, n) -> sp.Expr:
    r"""Component ``k`` of the softmax, :math:`e^{z_k} / \sum_{i=1}^{n} e^{z_i}`, general ``n``.

    Parameters
    ----------
    z : sympy.IndexedBase
        The logits (real).
    k : sympy.Symbol or int
        The component.
    i : sympy.Symbol
        The summation index (integer, positive).
    n : sympy.Expr
        The length, usually a positive integer symbol.

    Returns
    -------
    sympy.Expr

    See Also
    --------
    softmax, logsumexp_sum

    Examples
    --------
    >>> i, k, n = sp.symbols("i k n", integer=True, positive=True)
    >>> softmax_sum(sp.IndexedBase("z", real=True), k, i, n)
    exp(z[k])/Sum(exp(z[i]), (i, 1, n))
    """
    return sp.exp(z[k]) / sp.Sum(sp.exp(z[i]), (i, 1, n))
