r"""SymPy definitions of the book's quantities, mirroring :mod:`lossbook.functional` and
:mod:`lossbook.info`.

Lists of symbols go in, SymPy expressions (or lists of them) come out. The symbols carry the
assumptions that make identities simplify: probabilities are ``positive`` (so that
``log(p*q) = log(p) + log(q)`` holds and SymPy may expand it), logits and targets are ``real``
(so that ``log(exp(z)) = z``). Symbols are numbered from 1, as in the text: ``p_1, ..., p_n``.
"""
from __future__ import annotations

from typing import Sequence

import sympy as sp

__all__ = [
    "prob", "probabilities", "logits", "simplex", "indexed_probabilities",
    "self_information", "entropy", "cross_entropy", "kl_divergence", "js_divergence",
    "softmax", "log_softmax", "logsumexp", "sigmoid", "logsigmoid", "softplus",
    "nll", "bce", "bce_with_logits", "cosine_similarity", "cosine_embedding_loss",
    "label_smoothed_target",
    "entropy_sum", "cross_entropy_sum", "kl_divergence_sum", "logsumexp_sum", "softmax_sum",
]

prob = sp.Symbol("p", positive=True)
"""A single probability: a positive symbol ``p``."""


def probabilities(n: int, name: str = "p") -> list[sp.Symbol]:
    """``n`` positive symbols ``name_1, ..., name_n`` (a probability vector; see :func:`simplex`).

    >>> probabilities(3)
    [p_1, p_2, p_3]
    >>> probabilities(2, name="q")[0].is_positive
    True
    """
    _check_size(n)
    return list(sp.symbols(f"{name}_1:{n + 1}", positive=True))


def logits(n: int, name: str = "z") -> list[sp.Symbol]:
    """``n`` real symbols ``name_1, ..., name_n`` (logits, scores, real vectors).

    >>> logits(2)
    [z_1, z_2]
    """
    _check_size(n)
    return list(sp.symbols(f"{name}_1:{n + 1}", real=True))


def simplex(ps: Sequence[sp.Expr]) -> sp.Expr:
    r"""The simplex constraint :math:`\sum_i p_i - 1` as an expression (zero on the simplex).

    Pass it to ``check_identity(..., constraints=[simplex(ps)])`` or add ``lambda * simplex(ps)``
    to a Lagrangian.

    >>> simplex(probabilities(3))
    p_1 + p_2 + p_3 - 1
    """
    return sp.Add(*ps) - 1


def indexed_probabilities(name: str = "p") -> sp.IndexedBase:
    """An ``IndexedBase`` whose entries ``name[i]`` are positive (for the indexed-sum forms).

    >>> p = indexed_probabilities()
    >>> p[1].is_positive
    True
    """
    return sp.IndexedBase(name, positive=True)


def _check_size(n: int) -> None:
    if not isinstance(n, int) or n < 1:
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
    r"""Self-information :math:`-\log_b p`.

    >>> self_information(prob, base=2)
    -log(p)/log(2)
    """
    return -_log(p, base)


def entropy(ps: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Entropy :math:`H(p) = -\sum_i p_i \log_b p_i` (explicit length ``len(ps)``).

    >>> entropy(probabilities(2))
    -p_1*log(p_1) - p_2*log(p_2)
    """
    return -sp.Add(*[p * _log(p, base) for p in ps])


def cross_entropy(ps: Sequence[sp.Expr], qs: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Cross-entropy :math:`H(p, q) = -\sum_i p_i \log_b q_i`.

    >>> cross_entropy(probabilities(2), probabilities(2, "q"))
    -p_1*log(q_1) - p_2*log(q_2)
    """
    _check_lengths(ps, qs, "ps and qs")
    return -sp.Add(*[p * _log(q, base) for p, q in zip(ps, qs)])


def kl_divergence(ps: Sequence[sp.Expr], qs: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Kullback–Leibler divergence :math:`D_{KL}(p\|q) = \sum_i p_i \log_b (p_i / q_i)`.

    >>> kl_divergence(probabilities(2), probabilities(2, "q"))
    p_1*log(p_1/q_1) + p_2*log(p_2/q_2)
    """
    _check_lengths(ps, qs, "ps and qs")
    return sp.Add(*[p * _log(p / q, base) for p, q in zip(ps, qs)])


def js_divergence(ps: Sequence[sp.Expr], qs: Sequence[sp.Expr], base=sp.E) -> sp.Expr:
    r"""Jensen–Shannon divergence :math:`\tfrac12 D(p\|m) + \tfrac12 D(q\|m)`, :math:`m = (p+q)/2`.

    >>> js_divergence([prob], [prob])
    0
    """
    _check_lengths(ps, qs, "ps and qs")
    middle = [(p + q) / 2 for p, q in zip(ps, qs)]
    return (kl_divergence(ps, middle, base) + kl_divergence(qs, middle, base)) / 2


# ---------------------------------------------------------------------------------------------
# activations and losses (lossbook.functional)
# ---------------------------------------------------------------------------------------------
def logsumexp(zs: Sequence[sp.Expr]) -> sp.Expr:
    r""":math:`\log \sum_j e^{z_j}` (the textbook form; ``F.logsumexp`` computes it stably).

    >>> logsumexp(logits(2))
    log(exp(z_1) + exp(z_2))
    """
    return sp.log(sp.Add(*[sp.exp(z) for z in zs]))


def softmax(zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    r""":math:`\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}` as a list.

    >>> softmax(logits(2))[0]
    exp(z_1)/(exp(z_1) + exp(z_2))
    """
    total = sp.Add(*[sp.exp(z) for z in zs])
    return [sp.exp(z) / total for z in zs]


def log_softmax(zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    r""":math:`\log \operatorname{softmax}(z)_i = z_i - \operatorname{logsumexp}(z)` as a list.

    >>> log_softmax(logits(2))[1]
    z_2 - log(exp(z_1) + exp(z_2))
    """
    lse = logsumexp(zs)
    return [z - lse for z in zs]


def sigmoid(z: sp.Expr) -> sp.Expr:
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`.

    >>> sigmoid(sp.Symbol("z", real=True))
    1/(1 + exp(-z))
    """
    return 1 / (1 + sp.exp(-z))


def logsigmoid(z: sp.Expr) -> sp.Expr:
    r""":math:`\log \sigma(z) = -\log(1 + e^{-z})`.

    >>> logsigmoid(sp.Symbol("z", real=True))
    -log(1 + exp(-z))
    """
    return -sp.log(1 + sp.exp(-z))


def softplus(z: sp.Expr, beta=1) -> sp.Expr:
    r""":math:`\operatorname{softplus}(z) = \frac{1}{\beta}\log(1 + e^{\beta z})` (PyTorch's ``beta``).

    >>> softplus(sp.Symbol("z", real=True))
    log(exp(z) + 1)
    """
    return sp.log(1 + sp.exp(beta * z)) / beta


def nll(log_probs: Sequence[sp.Expr], y: int) -> sp.Expr:
    r"""Negative log-likelihood of class ``y`` (0-based, as in PyTorch): :math:`-\ell_y`.

    ``log_probs`` are log-probabilities (``log_softmax(z)``), used as given, like ``F.nll_loss``.

    >>> nll(log_softmax(logits(2)), 0)
    -z_1 + log(exp(z_1) + exp(z_2))
    """
    return -log_probs[y]


def bce(p: sp.Expr, y: sp.Expr) -> sp.Expr:
    r"""Binary cross-entropy :math:`-(y \log p + (1 - y)\log(1 - p))` (``F.binary_cross_entropy``
    without its clamp of the logarithms at -100).

    >>> bce(prob, 1)
    -log(p)
    """
    return -(y * sp.log(p) + (1 - y) * sp.log(1 - p))


def bce_with_logits(z: sp.Expr, y: sp.Expr) -> sp.Expr:
    r"""BCE of the probability :math:`\sigma(z)`: :math:`-(y\log\sigma(z) + (1-y)\log(1-\sigma(z)))`.

    The definition, not the stable form; SymPy proves it equals
    :math:`y\,\operatorname{softplus}(-z) + (1-y)\operatorname{softplus}(z)`.

    >>> bce_with_logits(sp.Symbol("z", real=True), 1)
    -log(1/(1 + exp(-z)))
    """
    return bce(sigmoid(z), y)


def cosine_similarity(a: Sequence[sp.Expr], b: Sequence[sp.Expr]) -> sp.Expr:
    r""":math:`\cos(a, b) = a \cdot b / (\|a\|\,\|b\|)` (``F.cosine_similarity`` without ``eps``).

    >>> cosine_similarity([1, 0], [1, 1])
    sqrt(2)/2
    """
    _check_lengths(a, b, "a and b")
    dot = sp.Add(*[x * y for x, y in zip(a, b)])
    return dot / (sp.sqrt(sp.Add(*[x**2 for x in a])) * sp.sqrt(sp.Add(*[y**2 for y in b])))


def cosine_embedding_loss(a, b, y, margin=0) -> sp.Expr:
    r"""``F.cosine_embedding_loss`` for one pair: :math:`1 - \cos` if :math:`y = 1`,
    :math:`\max(0, \cos - \text{margin})` if :math:`y = -1`, else 0.

    With a symbolic ``y`` the result is a ``Piecewise``.

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
    r"""PyTorch's label-smoothed target for class ``y`` (0-based):
    :math:`(1 - \varepsilon)\,e_y + \varepsilon / C`.

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
    r""":math:`-\sum_{i=1}^{n} p_i \log p_i` as a ``Sum`` (nats).

    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> entropy_sum(indexed_probabilities(), i, n)
    -Sum(log(p[i])*p[i], (i, 1, n))
    """
    return -sp.Sum(p[i] * sp.log(p[i]), (i, 1, n))


def cross_entropy_sum(p: sp.IndexedBase, q: sp.IndexedBase, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`-\sum_{i=1}^{n} p_i \log q_i` as a ``Sum`` (nats)."""
    return -sp.Sum(p[i] * sp.log(q[i]), (i, 1, n))


def kl_divergence_sum(p: sp.IndexedBase, q: sp.IndexedBase, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`\sum_{i=1}^{n} p_i \log(p_i / q_i)` as a ``Sum`` (nats)."""
    return sp.Sum(p[i] * sp.log(p[i] / q[i]), (i, 1, n))


def logsumexp_sum(z: sp.IndexedBase, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`\log \sum_{i=1}^{n} e^{z_i}` as the log of a ``Sum``."""
    return sp.log(sp.Sum(sp.exp(z[i]), (i, 1, n)))


def softmax_sum(z: sp.IndexedBase, k, i: sp.Symbol, n) -> sp.Expr:
    r""":math:`e^{z_k} / \sum_{i=1}^{n} e^{z_i}`, component ``k`` of the softmax, general ``n``."""
    return sp.exp(z[k]) / sp.Sum(sp.exp(z[i]), (i, 1, n))
