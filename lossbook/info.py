r"""Information measures of discrete probability distributions.

Every function takes probability vectors laid out along ``axis`` (default ``-1``; other axes are
batch axes that broadcast) and a logarithm ``base``: ``2`` gives bits, ``math.e`` (the default)
nats, ``10`` bans (hartleys).

Conventions (the same as :func:`scipy.special.xlogy` and :func:`scipy.special.rel_entr`):

* :math:`0 \log 0 = 0` and :math:`0 \log(0/q) = 0`: an outcome of probability zero contributes
  nothing, whatever the model says about it.
* :math:`p \log(p/0) = +\infty` for :math:`p > 0`: a model that rules out an outcome which does
  occur pays an infinite price.

Validation: an argument that is not a probability vector (a negative or non-finite entry, or a sum
along ``axis`` that differs from 1 by more than ``1e-6`` relative) raises :class:`ValueError`
naming the argument. Integer input is computed in float64; float32 input gives a float32 result
(computed internally in float64 and rounded once at the end). Reductions return 0-d arrays.

References
----------
C. E. Shannon, "A mathematical theory of communication", *Bell System Technical Journal* 27
(1948), 379–423 and 623–656.

T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley (2006),
chapters 2 and 5.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = [
    "self_information",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "joint_entropy",
    "shannon_code_lengths",
    "expected_code_length",
    "canonical_prefix_code",
]

SUM_RTOL = 1e-6
"""Largest relative deviation of a probability vector's sum from 1 that is accepted."""

_SERIES_RADIUS = 0.1
_SERIES_TERMS = 18


# --------------------------------------------------------------------------------------------
# validation and small numerical kernels
# --------------------------------------------------------------------------------------------
def _result_dtype(*arrays: np.ndarray) -> np.dtype:
    """float32 only if every input is float32 (or narrower); otherwise float64."""
    return np.result_type(*(a.dtype for a in arrays), np.float32)


def _as_probabilities(values, name: str, axis: int | None) -> np.ndarray:
    """Return ``values`` as a float64 array, checking that it holds distributions along ``axis``.

    ``axis=None`` checks the whole array as one distribution; the check of the sum is skipped
    when ``axis`` is the string ``"elementwise"`` (entries in [0, 1] only).
    """
    array = np.asarray(values)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
            or array.dtype == np.bool_):
        raise ValueError(f"{name} must be a real array of probabilities, got dtype {array.dtype}")
    as_float = array.astype(np.float64)
    if not np.all(np.isfinite(as_float)):
        raise ValueError(f"{name} is not a probability vector: it has non-finite entries")
    if np.any(as_float < 0):
        raise ValueError(f"{name} is not a probability vector: it has negative entries")
    if axis == "elementwise":
        if np.any(as_float > 1):
            raise ValueError(f"{name} holds probabilities, but has entries greater than 1")
        return as_float
    if as_float.ndim == 0:
        raise ValueError(f"{name} must have at least one axis of probabilities, got a scalar")
    totals = np.sum(as_float, axis=axis)
    if np.any(np.abs(totals - 1.0) > SUM_RTOL):
        worst = float(np.max(np.abs(totals - 1.0)))
        raise ValueError(
            f"{name} is not a probability vector along axis {axis}: its sum differs from 1 "
            f"by {worst:.3g} (more than {SUM_RTOL:g})"
        )
    return as_float


def _validated_pair(p, q, axis: int) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    """Both arguments checked (``p`` and ``q`` named in errors), as float64, and the result dtype."""
    p_array, q_array = np.asarray(p), np.asarray(q)
    return (_as_probabilities(p_array, "p", axis), _as_probabilities(q_array, "q", axis),
            _result_dtype(p_array, q_array))


def _log_of_base(base: float) -> float:
    if not (np.isscalar(base) and np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be a positive number other than 1, got {base!r}")
    return math.log(base)


def _finish(value, dtype: np.dtype, base: float) -> np.ndarray:
    """Convert nats to the requested base and round once to the result dtype."""
    return np.asarray(np.asarray(value, dtype=np.float64) / _log_of_base(base), dtype=dtype)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)`` with ``0 * log(y) = 0`` for every ``y >= 0`` (SciPy's ``xlogy``)."""
    safe_y = np.where(x == 0, 1.0, y)
    with np.errstate(divide="ignore"):
        return np.where(x == 0, 0.0, x * np.log(safe_y))


def _kl_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    r"""The non-negative terms :math:`p \log(p/q) - p + q = q\,\varphi(r)`, for ``q > 0``.

    Here :math:`r = (p - q)/q` and :math:`\varphi(r) = (1 + r)\log(1 + r) - r`. For
    :math:`|r| < 0.1` the Taylor series :math:`\varphi(r) = \sum_{k \ge 2} (-1)^k r^k / (k(k-1))`
    (18 terms: truncation below 1e-17 relative) avoids the cancellation between
    :math:`(1+r)\log(1+r) \approx r` and :math:`r`; elsewhere the direct form
    :math:`p(\log p - \log q) - p + q` has no cancellation to fear (and no overflow of
    :math:`p/q` for subnormal :math:`q`). Where ``q == 0`` the result is 0 (handled by the caller).
    """
    positive_q = q > 0
    safe_q = np.where(positive_q, q, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        r = (p - q) / safe_q
    small = positive_q & (np.abs(r) < _SERIES_RADIUS)
    rs = np.where(small, r, 0.0)
    series = np.zeros_like(rs)
    for k in range(_SERIES_TERMS + 1, 1, -1):  # Horner from the highest power down to r**2
        series = series * rs + (-1.0) ** k / (k * (k - 1))
    series = safe_q * series * rs * rs
    direct = _xlogy(p, p) - _xlogy(p, safe_q) - p + q
    return np.where(positive_q, np.where(small, series, direct), 0.0)


# --------------------------------------------------------------------------------------------
# the measures
# --------------------------------------------------------------------------------------------
def self_information(p, base: float = math.e) -> np.ndarray:
    r"""Self-information (surprisal) of outcomes with probabilities ``p``, elementwise.

    .. math:: I(p) = -\log_b p, \qquad I(0) = +\infty.

    Parameters
    ----------
    p : array_like, any shape
        Probabilities in [0, 1] (they need not sum to one).
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, same shape as ``p``
        Non-negative information content; float32 for float32 input, else float64.

    See Also
    --------
    entropy : the expected self-information.

    Notes
    -----
    NumPy equivalent: ``-np.log(p) / np.log(base)``; PyTorch: ``-torch.log(p)``.

    References
    ----------
    Shannon (1948), section 6; Cover and Thomas (2006), section 2.1.

    Examples
    --------
    >>> self_information([0.5, 0.25, 1.0], base=2)
    array([1., 2., 0.])
    >>> float(self_information(0.0))
    inf
    """
    array = np.asarray(p)
    probabilities = _as_probabilities(array, "p", "elementwise")
    with np.errstate(divide="ignore"):
        nats = -np.log(probabilities)
    return _finish(nats + 0.0, _result_dtype(array), base)  # + 0.0 turns -0.0 into 0.0


def entropy(p, axis: int = -1, base: float = math.e) -> np.ndarray:
    r"""Shannon entropy of the distributions ``p`` along ``axis``.

    .. math:: H(p) = -\sum_x p(x) \log_b p(x), \qquad 0 \log 0 = 0.

    Parameters
    ----------
    p : array_like, shape ``(..., n, ...)``
        Probability vectors along ``axis``.
    axis : int
        The axis that holds the outcomes (default ``-1``).
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, shape of ``p`` without ``axis``
        :math:`0 \le H(p) \le \log_b n`.

    See Also
    --------
    cross_entropy, joint_entropy

    Notes
    -----
    SciPy equivalent: ``scipy.stats.entropy(p, base=base, axis=axis)`` (which also normalises its
    input; this function insists on a distribution instead). PyTorch:
    ``torch.distributions.Categorical(probs=p).entropy()`` (nats).

    References
    ----------
    Shannon (1948), section 6; Cover and Thomas (2006), section 2.1.

    Examples
    --------
    >>> float(entropy([0.5, 0.5], base=2))
    1.0
    >>> float(entropy([1.0, 0.0]))       # 0 log 0 = 0
    0.0
    >>> entropy([[0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0.0, 0.0]], base=2)   # one per row
    array([2., 1.])
    """
    array = np.asarray(p)
    probabilities = _as_probabilities(array, "p", axis)
    nats = -np.sum(_xlogy(probabilities, probabilities), axis=axis)
    return _finish(nats + 0.0, _result_dtype(array), base)


def cross_entropy(p, q, axis: int = -1, base: float = math.e) -> np.ndarray:
    r"""Cross-entropy of the model ``q`` relative to the data distribution ``p``.

    .. math:: H(p, q) = -\sum_x p(x) \log_b q(x),

    with :math:`0 \log q = 0` (also for :math:`q = 0`) and :math:`H = +\infty` as soon as some
    outcome has :math:`p(x) > 0 = q(x)`.

    Parameters
    ----------
    p, q : array_like, broadcastable shapes ``(..., n, ...)``
        Probability vectors along ``axis``: ``p`` the data (target), ``q`` the model.
    axis : int
        The axis that holds the outcomes (default ``-1``).
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, the broadcast shape without ``axis``
        :math:`H(p, q) \ge H(p)`, with equality exactly when :math:`q = p`.

    See Also
    --------
    entropy, kl_divergence : :math:`H(p, q) = H(p) + D_{KL}(p \| q)`.

    Notes
    -----
    SciPy: ``scipy.stats.entropy(p) + scipy.stats.entropy(p, q)``. PyTorch (nats, ``q`` given as
    logits ``z``): ``torch.nn.functional.cross_entropy(z, p, reduction='none')`` with ``q =
    softmax(z)``.

    References
    ----------
    Cover and Thomas (2006), section 5.4 (the cost of coding with the wrong distribution).

    Examples
    --------
    >>> float(cross_entropy([0.5, 0.5], [0.25, 0.75], base=2))     # (2 + 0.415...) / 2
    1.2075187496
    >>> float(cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0], base=2))  # p = q = 0: no cost
    1.0
    >>> float(cross_entropy([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    pp, qq, dtype = _validated_pair(p, q, axis)
    nats = -np.sum(_xlogy(*np.broadcast_arrays(pp, qq)), axis=axis)
    return _finish(nats + 0.0, dtype, base)


def kl_divergence(p, q, axis: int = -1, base: float = math.e) -> np.ndarray:
    r"""Kullback–Leibler divergence (relative entropy) of ``q`` from ``p``.

    .. math:: D_{KL}(p \| q) = \sum_x p(x) \log_b \frac{p(x)}{q(x)},

    with the conventions :math:`0 \log(0/q) = 0` and :math:`p \log(p/0) = +\infty` for
    :math:`p > 0`.

    Parameters
    ----------
    p, q : array_like, broadcastable shapes ``(..., n, ...)``
        Probability vectors along ``axis``.
    axis : int
        The axis that holds the outcomes (default ``-1``).
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, the broadcast shape without ``axis``
        :math:`D_{KL} \ge 0`, zero exactly when :math:`p = q`; not symmetric.

    See Also
    --------
    cross_entropy, js_divergence

    Notes
    -----
    Accuracy for near-equal distributions: with :math:`r = (p - q)/q`, each term is rewritten as
    :math:`p \log(p/q) = q\,\varphi(r) + (p - q)` with :math:`\varphi(r) = (1 + r)\log(1 + r) - r
    \ge 0`. The terms :math:`q\varphi(r)` are non-negative and :math:`\varphi` is evaluated by its
    Taylor series for :math:`|r| < 0.1`, so nothing cancels; the :math:`\sum (p - q)` (zero for
    exact distributions) is added once. The result keeps full relative precision where the naive
    sum of :math:`p \log(p/q)` (or of SciPy's ``rel_entr``) loses digits to cancellation.

    SciPy: ``scipy.special.rel_entr(p, q).sum(axis)`` or ``scipy.stats.entropy(p, q)``.
    PyTorch: ``torch.nn.functional.kl_div(q.log(), p, reduction='sum')`` (note the order: the
    *model's log-probabilities* first).

    References
    ----------
    S. Kullback and R. A. Leibler, "On information and sufficiency", *Ann. Math. Statist.* 22
    (1951), 79–86; Cover and Thomas (2006), section 2.3.

    Examples
    --------
    >>> float(kl_divergence([0.5, 0.5], [0.25, 0.75], base=2))
    0.2075187496
    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    >>> float(kl_divergence([0.5, 0.5], [1.0, 0.0]))
    inf
    >>> eps = 2.0 ** -30                   # p differs from q by 1e-9: KL = 2 eps**2 = 2**-59
    >>> print(f"{float(kl_divergence([0.5 + eps, 0.5 - eps], [0.5, 0.5])):.6e}")
    1.734723e-18
    """
    pp, qq, dtype = _validated_pair(p, q, axis)
    pp, qq = np.broadcast_arrays(pp, qq)
    impossible = (pp > 0) & (qq == 0)
    nats = np.sum(_kl_terms(pp, qq), axis=axis) + np.sum(np.where(qq == 0, 0.0, pp - qq), axis=axis)
    nats = np.where(np.any(impossible, axis=axis), np.inf, np.maximum(nats, 0.0))
    return _finish(nats, dtype, base)


def js_divergence(p, q, axis: int = -1, base: float = math.e) -> np.ndarray:
    r"""Jensen–Shannon divergence: the mean KL divergence of ``p`` and ``q`` from their midpoint.

    .. math:: JS(p, q) = \tfrac12 D_{KL}(p \| m) + \tfrac12 D_{KL}(q \| m),
              \qquad m = \tfrac12 (p + q).

    Parameters
    ----------
    p, q : array_like, broadcastable shapes ``(..., n, ...)``
        Probability vectors along ``axis``.
    axis : int
        The axis that holds the outcomes (default ``-1``).
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, the broadcast shape without ``axis``
        Symmetric, always finite, :math:`0 \le JS \le \log_b 2` (1 bit).

    See Also
    --------
    kl_divergence

    Notes
    -----
    SciPy: ``scipy.spatial.distance.jensenshannon(p, q, base=base) ** 2`` (SciPy returns the
    square root, a metric). PyTorch has no built-in.

    References
    ----------
    J. Lin, "Divergence measures based on the Shannon entropy", *IEEE Trans. Inf. Theory* 37
    (1991), 145–151.

    Examples
    --------
    >>> float(js_divergence([1.0, 0.0], [0.0, 1.0], base=2))     # disjoint supports: 1 bit
    1.0
    >>> float(js_divergence([0.3, 0.7], [0.3, 0.7]))
    0.0
    """
    pp, qq, dtype = _validated_pair(p, q, axis)
    middle = 0.5 * (pp + qq)
    # (p + q)/2 underflows to 0 when both are at most the smallest subnormal: keep it positive.
    middle = np.where((middle == 0) & ((pp > 0) | (qq > 0)), np.maximum(pp, qq), middle)
    nats = 0.5 * kl_divergence(pp, middle, axis=axis) + 0.5 * kl_divergence(qq, middle, axis=axis)
    return _finish(nats, dtype, base)


def joint_entropy(pxy, base: float = math.e) -> np.ndarray:
    r"""Entropy of a joint distribution given as a table over all its axes.

    .. math:: H(X, Y, \dots) = -\sum_{x, y, \dots} p(x, y, \dots) \log_b p(x, y, \dots).

    Parameters
    ----------
    pxy : array_like, shape ``(n_x, n_y, ...)``
        A joint probability table; all entries together sum to one.
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, shape ``()``
        :math:`\max(H(X), H(Y)) \le H(X, Y) \le H(X) + H(Y)`.

    See Also
    --------
    entropy

    Notes
    -----
    SciPy: ``scipy.stats.entropy(pxy.ravel(), base=base)``.

    References
    ----------
    Cover and Thomas (2006), section 2.2.

    Examples
    --------
    >>> float(joint_entropy([[0.25, 0.25], [0.25, 0.25]], base=2))   # two fair coins
    2.0
    >>> float(joint_entropy([[0.5, 0.0], [0.0, 0.5]], base=2))       # one coin seen twice
    1.0
    """
    array = np.asarray(pxy)
    table = _as_probabilities(array, "pxy", None)
    nats = -np.sum(_xlogy(table, table))
    return _finish(nats + 0.0, _result_dtype(array), base)


def shannon_code_lengths(p, axis: int = -1) -> np.ndarray:
    r"""Codeword lengths of a Shannon code for the distribution ``p``, in bits.

    .. math:: \ell(x) = \lceil -\log_2 p(x) \rceil .

    They satisfy Kraft's inequality :math:`\sum_x 2^{-\ell(x)} \le 1`, so a prefix code with these
    lengths exists, and its expected length :math:`L` obeys :math:`H_2(p) \le L < H_2(p) + 1`.

    Parameters
    ----------
    p : array_like, shape ``(..., n, ...)``
        Probability vectors along ``axis``, every entry positive (an outcome that never occurs
        gets no codeword: remove it first).
    axis : int
        The axis that holds the outcomes (default ``-1``).

    Returns
    -------
    ndarray of int64, same shape as ``p``

    Notes
    -----
    Rounding: :math:`-\log_2 p` is rounded up after subtracting ``1e-9``, so that a probability
    that is a power of two up to floating-point error (``1 - 0.75`` in a computed table, say) gets
    the exact length rather than one bit more.

    See Also
    --------
    expected_code_length

    References
    ----------
    Shannon (1948), section 9; Cover and Thomas (2006), section 5.4.

    Examples
    --------
    >>> shannon_code_lengths([0.5, 0.25, 0.125, 0.125])
    array([1, 2, 3, 3])
    >>> shannon_code_lengths([0.5, 0.3, 0.15, 0.05])
    array([1, 2, 3, 5])
    """
    probabilities = _as_probabilities(p, "p", axis)
    if np.any(probabilities == 0):
        raise ValueError("p has zero entries: an outcome that never occurs needs no codeword")
    return np.ceil(-np.log2(probabilities) - 1e-9).astype(np.int64)


def expected_code_length(p, lengths, axis: int = -1) -> np.ndarray:
    r"""Expected length, in bits, of a code with codeword ``lengths`` under the distribution ``p``.

    .. math:: L = \sum_x p(x)\, \ell(x).

    Parameters
    ----------
    p : array_like, shape ``(..., n, ...)``
        Probability vectors along ``axis``.
    lengths : array_like, broadcastable to ``p``
        Codeword lengths in bits (non-negative).
    axis : int
        The axis that holds the outcomes (default ``-1``).

    Returns
    -------
    ndarray, the broadcast shape without ``axis``
        With Shannon lengths for ``q``: :math:`H_2(p, q) \le L < H_2(p, q) + 1`.

    See Also
    --------
    shannon_code_lengths, cross_entropy

    References
    ----------
    Cover and Thomas (2006), sections 5.3–5.4.

    Examples
    --------
    >>> float(expected_code_length([0.5, 0.25, 0.25], [1, 2, 2]))
    1.5
    """
    p_array = np.asarray(p)
    probabilities = _as_probabilities(p_array, "p", axis)
    code_lengths = np.asarray(lengths, dtype=np.float64)
    if np.any(code_lengths < 0) or not np.all(np.isfinite(code_lengths)):
        raise ValueError("lengths must be finite and non-negative")
    bits = np.sum(probabilities * code_lengths, axis=axis)
    return np.asarray(bits, dtype=_result_dtype(p_array))


def canonical_prefix_code(lengths) -> list[str]:
    r"""Binary codewords with the given lengths: the canonical prefix code.

    Codewords are assigned in order of length, each the next free binary number extended to its
    length, so no codeword is the beginning of another. Such a code exists exactly when the lengths
    satisfy Kraft's inequality :math:`\sum_i 2^{-\ell_i} \le 1`; otherwise ``ValueError``.

    Parameters
    ----------
    lengths : sequence of positive int
        Codeword lengths in bits, e.g. from :func:`shannon_code_lengths`.

    Returns
    -------
    list of str
        ``codewords[i]`` has ``lengths[i]`` characters ``0``/``1``.

    References
    ----------
    Cover and Thomas (2006), sections 5.2 (Kraft's inequality) and 5.8.

    Examples
    --------
    >>> canonical_prefix_code([1, 2, 3, 3])
    ['0', '10', '110', '111']
    >>> canonical_prefix_code([2, 1, 2])
    ['10', '0', '11']
    """
    sizes = [int(length) for length in np.asarray(lengths).ravel()]
    if any(size < 1 for size in sizes) or not np.all(np.asarray(lengths) == np.asarray(sizes).reshape(
            np.shape(lengths))):
        raise ValueError(f"lengths must be positive integers, got {list(np.asarray(lengths).ravel())}")
    kraft_sum = math.fsum(2.0 ** -size for size in sizes)
    if kraft_sum > 1:
        raise ValueError(f"lengths violate Kraft's inequality: sum of 2**-length is {kraft_sum:g} > 1")
    codewords, next_code, previous = [""] * len(sizes), 0, 0
    for i in sorted(range(len(sizes)), key=lambda i: sizes[i]):
        next_code <<= sizes[i] - previous  # extend the next free number to the new length
        codewords[i] = format(next_code, f"0{sizes[i]}b")
        next_code, previous = next_code + 1, sizes[i]
    return codewords
