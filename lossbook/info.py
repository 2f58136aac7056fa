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
along ``axis`` that differs from 1 by more than ``1e-6``; ``8 eps`` for float16) raises
:class:`ValueError` naming the argument; so do shapes that do not broadcast and an ``axis`` out of
range. A string, complex or object array, a float ``axis`` or a non-numeric ``base`` raise
:class:`TypeError` naming the argument. Bool and integer input is computed in float64; floating
input keeps its dtype (float16 and float32 are computed in float64 and rounded once at the end).
Reductions return 0-d arrays.

Accuracy: every measure is within 4 ulp (float64) of the exact value of its definition on the
stress grid of ``bench/bench_info.py`` (near-equal and near-independent distributions, tiny and
subnormal entries), asserted by ``tests/test_info_accuracy.py``. The terms that would cancel are
evaluated by series (see :func:`kl_divergence`) and summed with compensated (TwoSum) sums. The
exception is :func:`perplexity`, an exponential: its relative error is the absolute error of the
entropy, about ``H`` ulps (``exp`` has condition number ``H``). The limit is the definition
itself where rounded inputs do not sum to 1 exactly and the result is tiny (see
:func:`mutual_information`). float32 and float16 results take a cheaper path (plain float64
sums, series to 2**-40), still correctly rounded to within half an ulp of their format.

Memory: inputs are processed in chunks of :data:`CHUNK_ELEMENTS` elements, so the peak extra
memory is a small multiple of one chunk, plus the output, whatever the input's size (measured by
``bench/bench_info.py`` at 10**7 elements).

References
----------
C. E. Shannon, "A mathematical theory of communication", *Bell System Technical Journal* 27
(1948), 379–423 and 623–656, doi:10.1002/j.1538-7305.1948.tb01338.x.

T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley (2006),
chapters 2 and 5, doi:10.1002/047174882X.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_array, check_real, normalise_dim

__all__ = [  # noqa: RUF022 (reading order)
    "self_information",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "perplexity",
    "perplexity_from_loss",
    "shannon_code_lengths",
    "expected_code_length",
    "canonical_prefix_code",
]

SUM_RTOL = 1e-6
"""Largest relative deviation of a probability vector's sum from 1 that is accepted."""

SERIES_RADIUS = 0.5
r"""Terms with :math:`|\delta| = |p - q|/(p + q)` at most this use a series (no cancellation)."""

CHUNK_ELEMENTS = 1 << 16
"""Elements processed at a time, so that temporaries stay small (bounded extra memory)."""


def _series_coefficients(coefficient: Callable[[int], float], bits: int) -> tuple[float, ...]:
    """Coefficients ``c_k`` of a power series in ``w = delta**2``, up to where
    ``c_k * SERIES_RADIUS**(2k)`` drops below ``2**-bits`` relative to ``c_0``: 56 bits (a quarter
    of a float64 ulp) for float64 results, 40 for float32 and float16 ones."""
    w, terms = SERIES_RADIUS**2, []
    while not terms or terms[-1] * w ** (len(terms) - 1) > 2.0**-bits:
        terms.append(coefficient(len(terms)))
    return tuple(terms)


# q phi(p/q) = (p + q) delta^2 (A(w) + delta B(w)), delta = (p - q)/(p + q), w = delta^2;
# the two JS terms: (p + q)/4 delta^2 C(w). Keyed by "precise" (a float64 result).
_KL_A = {
    precise: _series_coefficients(lambda k: 1.0 / (2 * k + 1), 56 if precise else 40)
    for precise in (True, False)
}
_KL_B = {
    precise: _series_coefficients(lambda k: 1.0 / (2 * k + 3), 56 if precise else 40)
    for precise in (True, False)
}
_JS_C = {
    precise: _series_coefficients(lambda k: 1.0 / ((k + 1) * (2 * k + 1)), 56 if precise else 40)
    for precise in (True, False)
}


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
def _result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The inputs' common floating dtype; float64 as soon as one is bool or integer."""
    if all(a.dtype.kind == "f" for a in arrays):
        return np.result_type(*arrays)
    return np.dtype(np.float64)


def _sum_tolerance(dtype: np.dtype) -> float:
    """:data:`SUM_RTOL`, widened for float16 (whose spacing near 1 is 1e-3)."""
    if dtype.kind != "f":
        return SUM_RTOL
    return max(SUM_RTOL, 8 * float(np.finfo(dtype).eps))


def _check_entries(array: np.ndarray, name: str) -> None:
    """Finite and non-negative entries (``min``/``max`` need no temporary arrays)."""
    if array.size == 0:
        return
    low, high = float(np.min(array)), float(np.max(array))
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{name} is not a probability vector: it has non-finite entries")
    if low < 0:
        raise ValueError(f"{name} is not a probability vector: it has negative entries")


def _check_sums(array: np.ndarray, name: str, axis: int | None) -> None:
    if array.ndim == 0:
        raise ValueError(f"{name} must have at least one axis of probabilities, got a scalar")
    totals = np.sum(array, axis=axis, dtype=np.float64)
    tolerance = _sum_tolerance(array.dtype)
    if np.any(np.abs(totals - 1.0) > tolerance):
        worst = float(np.max(np.abs(totals - 1.0)))
        where = "in total" if axis is None else f"along axis {axis}"
        raise ValueError(
            f"{name} is not a probability vector {where}: its sum differs from 1 by "
            f"{worst:.3g} (more than {tolerance:g})"
        )


def _probabilities(values: ArrayLike, name: str, axis="elementwise") -> np.ndarray:
    """``values`` as a real array (its own dtype) holding distributions along ``axis``.

    ``axis=None`` checks the whole array as one distribution; ``axis="elementwise"`` checks
    entries in [0, 1] only.
    """
    array = as_array(values, name)
    _check_entries(array, name)
    if axis == "elementwise":
        if array.size and np.max(array) > 1:
            raise ValueError(f"{name} holds probabilities, but has entries greater than 1")
    else:
        _check_sums(array, name, axis)
    return array


def _axis(axis, ndim: int) -> int:
    """``axis`` as a non-negative int for an array with ``ndim`` dimensions (at least one)."""
    if ndim == 0:
        return 0
    return normalise_dim(axis, ndim, "axis")


def _distributions(p: ArrayLike, axis) -> tuple[np.ndarray, int]:
    array = as_array(p, "p")
    axis = _axis(axis, array.ndim)
    return _probabilities(array, "p", axis if array.ndim else 0), axis


def _pair(p: ArrayLike, q: ArrayLike, axis) -> tuple[np.ndarray, np.ndarray, int, np.dtype]:
    """``p`` and ``q`` checked, broadcast to one shape (views), the axis, the result dtype."""
    p_array, q_array = as_array(p, "p"), as_array(q, "q")
    try:
        shape = np.broadcast_shapes(p_array.shape, q_array.shape)
    except ValueError:
        raise ValueError(
            f"p and q must have broadcastable shapes, got p of shape {p_array.shape} and q of "
            f"shape {q_array.shape}"
        ) from None
    axis = _axis(axis, len(shape))
    if shape:
        _check_outcomes(p_array.shape, q_array.shape, axis - len(shape))
    checked = [
        _probabilities(np.broadcast_to(array, shape), name, axis if shape else 0)
        for array, name in ((p_array, "p"), (q_array, "q"))
    ]
    return checked[0], checked[1], axis, _result_dtype(p_array, q_array)


def _check_outcomes(p_shape: tuple, q_shape: tuple, axis: int) -> None:
    """Same number of outcomes in ``p`` and ``q`` along the (negative) ``axis``: broadcasting
    is for batch axes, never for the outcomes."""
    sizes = [shape[axis] if -len(shape) <= axis else None for shape in (p_shape, q_shape)]
    if len(p_shape) and len(q_shape) and sizes[0] != sizes[1]:
        raise ValueError(
            f"p and q must have the same number of outcomes along axis {axis}, got p of shape "
            f"{p_shape} and q of shape {q_shape}"
        )


def _log_of_base(base) -> float:
    value = check_real(base, "base", minimum=0.0, strict=True)
    if value == 1:
        raise ValueError("base must be a positive number other than 1, got 1")
    return math.log(value)


def _finish(value, dtype: np.dtype, base) -> np.ndarray:
    """Convert nats to the requested base and round once to the result dtype."""
    return np.asarray(np.asarray(value, dtype=np.float64) / _log_of_base(base), dtype=dtype)


# --------------------------------------------------------------------------------------------
# chunked, compensated sums
# --------------------------------------------------------------------------------------------
def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a + b = s + e`` exactly (Knuth's TwoSum)."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _compensated_sum(terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum along the last axis as ``hi + lo``, accurate to about ``eps**2 * sum(|terms|)``.

    Pairwise TwoSum: each level adds the two halves and keeps the rounding errors, which are
    summed plainly (they are tiny). Non-finite sums fall back to the plain sum.
    """
    x = terms
    lo = np.zeros(terms.shape[:-1])
    with np.errstate(invalid="ignore"):  # inf - inf in the error terms of an infinite sum
        while x.shape[-1] > 1:
            half = x.shape[-1] // 2
            s, e = _two_sum(x[..., :half], x[..., half : 2 * half])
            lo += np.sum(e, axis=-1)
            x = np.concatenate([s, x[..., 2 * half :]], axis=-1) if x.shape[-1] % 2 else s
        hi = x[..., 0] if x.shape[-1] else np.zeros(terms.shape[:-1])
        hi, lo = _two_sum(hi, lo)
    finite = np.isfinite(hi)
    return np.where(finite, hi, np.sum(terms, axis=-1)), np.where(finite, lo, 0.0)


def _as_rows(array: np.ndarray, axis: int) -> np.ndarray:
    """The array with ``axis`` last and the other axes flattened: shape ``(rows, n)``."""
    moved = np.moveaxis(array, axis, -1)
    return moved.reshape(-1, moved.shape[-1]) if moved.ndim else moved.reshape(1, 1)


def _chunked_sum(
    kernel: Callable,
    arrays: Sequence[np.ndarray],
    axis: int,
    split: bool = False,
    precise: bool = True,
):
    """``sum(kernel(*chunks), axis)`` for same-shape ``arrays``, a chunk of rows at a time.

    ``kernel`` gets float64 blocks of shape ``(rows, columns)`` and returns a tuple of term
    blocks; each is summed with :func:`_compensated_sum` (a plain float64 sum when not
    ``precise``: enough for a float32 result) and the sums are accumulated in double-double.
    Rows longer
    than :data:`CHUNK_ELEMENTS` are cut into column blocks whose sums are accumulated. With
    ``split=True`` the result is the pair ``(hi, lo)`` of double-double sums.
    """
    shape = arrays[0].shape
    rows = [_as_rows(a, axis) for a in arrays]
    n_rows, n = rows[0].shape
    hi, lo = np.zeros(n_rows), np.zeros(n_rows)
    step_rows = max(1, CHUNK_ELEMENTS // max(n, 1))
    step_cols = max(1, min(n, CHUNK_ELEMENTS))
    for r0 in range(0, n_rows, step_rows):
        r = slice(r0, r0 + step_rows)
        for c0 in range(0, max(n, 1), step_cols):
            blocks = [np.asarray(a[r, c0 : c0 + step_cols], dtype=np.float64) for a in rows]
            for terms in kernel(*blocks):
                s, e = _compensated_sum(terms) if precise else (np.sum(terms, axis=-1), 0.0)
                with np.errstate(invalid="ignore"):
                    hi[r], carry = _two_sum(hi[r], s)
                lo[r] += e + np.where(np.isfinite(carry), carry, 0.0)
    out_shape = shape[:axis] + shape[axis + 1 :]
    if split:
        return hi.reshape(out_shape), lo.reshape(out_shape)
    with np.errstate(invalid="ignore"):
        total = np.where(np.isfinite(hi), hi + lo, hi)
    return total.reshape(out_shape)


# --------------------------------------------------------------------------------------------
# the terms of each measure (float64 blocks in, non-negative float64 terms out)
# --------------------------------------------------------------------------------------------
def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)`` with ``0 * log(y) = 0`` for every ``y >= 0`` (SciPy's ``xlogy``)."""
    safe_y = np.where(x == 0, 1.0, y)
    with np.errstate(divide="ignore"):
        return np.where(x == 0, 0.0, x * np.log(safe_y))


def _series_indices(delta: np.ndarray) -> np.ndarray:
    """Flat indices of the entries with ``|delta| <= SERIES_RADIUS`` (``take``/``put`` are
    cheaper than boolean masks; the direct form is computed everywhere and overwritten)."""
    return np.flatnonzero(np.abs(delta) <= SERIES_RADIUS)


def _horner(coefficients: Sequence[float], w: np.ndarray) -> np.ndarray:
    result = np.full_like(w, coefficients[-1])
    for c in coefficients[-2::-1]:
        result *= w
        result += c
    return result


def _log_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``log(p/q)`` for ``p, q > 0``, also where ``p/q`` overflows or underflows."""
    with np.errstate(over="ignore", under="ignore"):
        ratio = p / q
    normal = (ratio >= np.finfo(np.float64).tiny) & (ratio <= np.finfo(np.float64).max)
    with np.errstate(divide="ignore"):
        return np.where(normal, np.log(np.where(normal, ratio, 1.0)), np.log(p) - np.log(q))


def _kl_phi_terms(p: np.ndarray, q: np.ndarray, d: np.ndarray, precise: bool = True) -> np.ndarray:
    r"""The non-negative terms :math:`p \log(p/q) - p + q = q\,\varphi(p/q)`, for ``q > 0``.

    ``d`` is :math:`p - q` (passed separately so that a caller with a more precise difference
    can use it). With :math:`\delta = (p - q)/(p + q)` and :math:`w = \delta^2`,

    .. math:: q\,\varphi(p/q) = (p + q)\,\delta^2 \big(A(w) + \delta B(w)\big),\quad
              A = \sum_k \frac{w^k}{2k + 1},\quad B = \sum_k \frac{w^k}{2k + 3},

    which follows from :math:`\log(p/q) = 2\operatorname{artanh}\delta`. For
    :math:`|\delta| \le 1/2` (:math:`1/3 \le p/q \le 3`) the series has no cancellation; outside
    it the direct form loses at most a factor 2.5. Where ``q == 0`` the term is 0 if ``p == 0``,
    else ``inf``.
    """
    total = p + q
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        delta = d / total
        log_ratio = _log_ratio(np.where(p > 0, p, 1.0), np.where(q > 0, q, 1.0))
        direct = np.where(p > 0, p * log_ratio - d, q)
    terms = np.where(q > 0, direct, np.where(p > 0, np.inf, 0.0))
    near = _series_indices(delta)
    dn = delta.take(near)
    w = dn * dn
    series = _horner(_KL_A[precise], w) + dn * _horner(_KL_B[precise], w)
    terms.put(near, total.take(near) * w * series)
    return terms


def _kl_kernel(p: np.ndarray, q: np.ndarray, precise: bool = True) -> tuple[np.ndarray, ...]:
    d = p - q
    return _kl_phi_terms(p, q, d, precise), np.where(q > 0, d, 0.0)


def _js_kernel(p: np.ndarray, q: np.ndarray, precise: bool = True) -> tuple[np.ndarray]:
    r"""The terms :math:`\tfrac12 [p \log(p/m) + q \log(q/m)] = \tfrac14 (p + q)\,\delta^2 C(w)`,
    :math:`C(w) = \sum_k w^k / ((k + 1)(2k + 1))`, by series for :math:`|\delta| \le 1/2`."""
    total = p + q
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = (p - q) / total
        terms = 0.5 * (_xlogy(p, 2.0 * p / total) + _xlogy(q, 2.0 * q / total))
    near = _series_indices(delta)
    w = delta.take(near) ** 2
    terms.put(near, 0.25 * total.take(near) * w * _horner(_JS_C[precise], w))
    return (terms,)


def _entropy_kernel(p: np.ndarray) -> tuple[np.ndarray]:
    return (-_xlogy(p, p),)


def _cross_entropy_kernel(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray]:
    return (-_xlogy(p, q),)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a = hi + lo`` with 26-bit halves (Veltkamp's splitting), for exact products."""
    c = 134217729.0 * a
    hi = c - (c - a)
    return hi, a - hi


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a * b = p + e`` exactly (Dekker's TwoProduct, barring underflow)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _marginal(table: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The sums of ``table`` along ``axis`` as ``hi + lo`` (double-double)."""
    return _chunked_sum(lambda t: (t,), [table], axis, split=True)


def _total(hi: np.ndarray, lo: np.ndarray) -> float:
    """``sum(hi + lo)`` of per-row double-double sums, compensated."""
    if hi.size == 0:
        return 0.0
    s, e = _compensated_sum(hi.reshape(1, -1))
    return float(s[0] + (e[0] + np.sum(lo)))


def _mutual_information_kernel(t, px_hi, px_lo, py_hi, py_lo):
    r"""The non-negative terms :math:`t \log(t/q) - t + q`, :math:`q = p(x)p(y)`, with the product
    and the difference :math:`t - q` formed in double-double precision (for :math:`\delta`)."""
    q, q_err = _two_product(px_hi, py_hi)
    q_lo = q_err + (px_hi * py_lo + px_lo * py_hi)
    terms = _kl_phi_terms(t, q, (t - q) - q_lo)  # t - q is exact where it cancels (Sterbenz)
    # p(x) p(y) below the normal range (even 0 by underflow): logs of the factors instead
    tiny = np.flatnonzero((q < np.finfo(np.float64).tiny) & (px_hi > 0) & (py_hi > 0))
    if tiny.size:
        tt, x, y = t.take(tiny), px_hi.take(tiny), py_hi.take(tiny)
        with np.errstate(divide="ignore"):
            logs = np.where(tt > 0, np.log(np.where(tt > 0, tt, 1.0)) - np.log(x) - np.log(y), 0)
        terms.put(tiny, tt * logs - tt + q.take(tiny))
    return (terms,)


def _sum_minus_square(row_hi: np.ndarray, row_lo: np.ndarray) -> float:
    r""":math:`\sum_{x,y} (p(x,y) - p(x)p(y)) = S - S^2 = S(1 - S)` for the table's total
    :math:`S`, from the rows' double-double sums: exact algebra instead of a sum of rounded
    differences (whose errors, :math:`\varepsilon^2 p(x)p(y)` each, would dominate a tiny I)."""
    s, e = _compensated_sum(row_hi.reshape(1, -1))
    total_hi, total_lo = _two_sum(s[0], e[0] + np.sum(row_lo))
    return float(total_hi * ((1.0 - total_hi) - total_lo))


def _conditional_entropy_kernel(t, px_hi, px_lo):
    r"""Terms :math:`p(x, y) \log(1 + s/p(x, y))` with :math:`s = p(x) - p(x, y)` the rest of the
    row, formed as ``(px_hi - t) + px_lo`` (exact where it would cancel, by Sterbenz's lemma)."""
    rest = np.maximum((px_hi - t) + px_lo, 0.0)
    positive = t > 0
    safe = np.where(positive, t, 1.0)
    with np.errstate(over="ignore", divide="ignore"):
        ratio = rest / safe
        log_ratio = np.where(
            np.isfinite(ratio), np.log1p(ratio), np.log(rest + safe) - np.log(safe)
        )
    return (np.where(positive, t * log_ratio, 0.0),)


# --------------------------------------------------------------------------------------------
# the measures
# --------------------------------------------------------------------------------------------
def self_information(p: ArrayLike, base: float = math.e) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``p`` has an entry outside [0, 1] or a nan, or ``base`` is not a positive number
        other than 1.
    TypeError
        If ``p`` is not a real array or ``base`` is not a real number.

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
    log_base = _log_of_base(base)
    probabilities = _probabilities(p, "p")
    flat = probabilities.reshape(-1)
    out = np.empty(flat.shape, dtype=_result_dtype(probabilities))
    for start in range(0, flat.size, CHUNK_ELEMENTS):  # chunks: bounded temporaries
        block = flat[start : start + CHUNK_ELEMENTS].astype(np.float64)
        with np.errstate(divide="ignore"):
            out[start : start + CHUNK_ELEMENTS] = -np.log(block) / log_base + 0.0  # no -0.0
    return out.reshape(probabilities.shape)


def entropy(p: ArrayLike, axis: int = -1, base: float = math.e) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``p`` is not a probability vector along ``axis`` (a negative or non-finite entry, or a
        sum that differs from 1), ``axis`` is out of range, or ``base`` is not a positive
        number other than 1.
    TypeError
        If ``p`` is not a real array, ``axis`` is not an integer, or ``base`` is not a real
        number.

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
    _log_of_base(base)
    probabilities, axis = _distributions(p, axis)
    precise = _result_dtype(probabilities).itemsize >= 8
    nats = _chunked_sum(_entropy_kernel, [probabilities], axis, precise=precise)
    return _finish(nats + 0.0, _result_dtype(probabilities), base)


def cross_entropy(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float = math.e) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a probability vector along ``axis`` (a negative or
        non-finite entry, or a sum that differs from 1), their shapes do not broadcast or
        differ along ``axis``, ``axis`` is out of range, or ``base`` is not a positive number
        other than 1.
    TypeError
        If ``p`` or ``q`` is not a real array, ``axis`` is not an integer, or ``base`` is not a real
        number.

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
    _log_of_base(base)
    pp, qq, axis, dtype = _pair(p, q, axis)
    nats = _chunked_sum(_cross_entropy_kernel, [pp, qq], axis, precise=dtype.itemsize >= 8)
    return _finish(nats + 0.0, dtype, base)


def kl_divergence(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float = math.e) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a probability vector along ``axis`` (a negative or
        non-finite entry, or a sum that differs from 1), their shapes do not broadcast or
        differ along ``axis``, ``axis`` is out of range, or ``base`` is not a positive number
        other than 1.
    TypeError
        If ``p`` or ``q`` is not a real array, ``axis`` is not an integer, or ``base`` is not a real
        number.

    See Also
    --------
    cross_entropy, js_divergence

    Notes
    -----
    Accuracy for near-equal distributions: each term is split as :math:`p \log(p/q) =
    q\,\varphi(p/q) + (p - q)` with :math:`\varphi(t) = t \log t - t + 1 \ge 0`. With
    :math:`\delta = (p - q)/(p + q)` and :math:`w = \delta^2`, since :math:`\log(p/q) =
    2\operatorname{artanh}\delta`,

    .. math:: q\,\varphi(p/q) = (p + q)\,\delta^2 \Big(\sum_{k \ge 0} \frac{w^k}{2k + 1}
              + \delta \sum_{k \ge 0} \frac{w^k}{2k + 3}\Big),

    a series without cancellation, used for :math:`|\delta| \le 1/2` (:math:`1/3 \le p/q \le 3`,
    26 terms); outside it the direct form loses at most a factor 2.5. The non-negative terms
    and the differences :math:`p - q` (exact where they cancel) are summed separately with
    compensated sums. The result is within 4 ulp of the exact value on near-equal pairs at
    every distance (``tests/test_info_accuracy.py``), where the naive sum of
    :math:`p \log(p/q)` (or of SciPy's ``rel_entr``) loses digits to cancellation. When the
    inputs' sums differ by rounding, :math:`\sum (p - q) \ne 0` is part of the definition and
    can cancel against the other terms (the error then grows by the ratio of the two to the
    result); a negative exact value is returned as 0.

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
    _log_of_base(base)
    pp, qq, axis, dtype = _pair(p, q, axis)
    precise = dtype.itemsize >= 8
    kernel = functools.partial(_kl_kernel, precise=precise)
    nats = _chunked_sum(kernel, [pp, qq], axis, precise=precise)
    return _finish(np.maximum(nats, 0.0), dtype, base)


def js_divergence(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float = math.e) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a probability vector along ``axis`` (a negative or
        non-finite entry, or a sum that differs from 1), their shapes do not broadcast or
        differ along ``axis``, ``axis`` is out of range, or ``base`` is not a positive number
        other than 1.
    TypeError
        If ``p`` or ``q`` is not a real array, ``axis`` is not an integer, or ``base`` is not a real
        number.

    See Also
    --------
    kl_divergence

    Notes
    -----
    Each pair of terms is :math:`\tfrac12 [p \log(p/m) + q \log(q/m)] = \tfrac14 (p + q)\,
    \delta^2 \sum_{k \ge 0} w^k / ((k + 1)(2k + 1))` with :math:`\delta = (p - q)/(p + q)`,
    :math:`w = \delta^2`; the series (23 terms) is used for :math:`|\delta| \le 1/2`, the
    direct form elsewhere, and the terms are summed with a compensated sum: within 4 ulp on
    near-equal pairs. The midpoint :math:`m` is never formed, so it cannot underflow.

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
    _log_of_base(base)
    pp, qq, axis, dtype = _pair(p, q, axis)
    precise = dtype.itemsize >= 8
    kernel = functools.partial(_js_kernel, precise=precise)
    nats = _chunked_sum(kernel, [pp, qq], axis, precise=precise)
    return _finish(np.maximum(nats, 0.0), dtype, base)


def joint_entropy(pxy: ArrayLike, base: float = math.e) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``pxy`` is not a probability table (a negative or non-finite entry, or a total that
        differs from 1), or ``base`` is not a positive number other than 1.
    TypeError
        If ``pxy`` is not a real array or ``base`` is not a real number.

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
    _log_of_base(base)
    table = _probabilities(pxy, "pxy", None)
    flat = table.reshape(1, -1)
    nats = _total(*_chunked_sum(_entropy_kernel, [flat], 1, split=True))
    return _finish(nats + 0.0, _result_dtype(table), base)


def _joint_table(pxy: ArrayLike) -> np.ndarray:
    """A two-dimensional joint probability table (X on axis 0, Y on axis 1), checked."""
    array = as_array(pxy, "pxy")
    if array.ndim != 2:
        raise ValueError(
            f"pxy must be a two-dimensional joint table (X on axis 0, Y on axis 1), "
            f"got an array of shape {array.shape}"
        )
    return _probabilities(array, "pxy", None)


def conditional_entropy(pxy: ArrayLike, base: float = math.e) -> np.ndarray:
    r"""Conditional entropy :math:`H(Y \mid X)` of a joint table with X on axis 0, Y on axis 1.

    .. math:: H(Y \mid X) = -\sum_{x, y} p(x, y) \log_b \frac{p(x, y)}{p(x)}
              = H(X, Y) - H(X), \qquad p(x) = \sum_y p(x, y).

    Parameters
    ----------
    pxy : array_like, shape ``(n_x, n_y)``
        A joint probability table: rows are the values of X (the variable conditioned on),
        columns the values of Y; all entries together sum to one.
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, shape ``()``
        :math:`0 \le H(Y \mid X) \le H(Y)`; zero exactly when Y is a function of X. For
        :math:`H(X \mid Y)` pass the transpose, ``pxy.T``.

    Raises
    ------
    ValueError
        If ``pxy`` is not two-dimensional, or not a probability table, or ``base`` is not a
        positive number other than 1.

    See Also
    --------
    joint_entropy, mutual_information

    Notes
    -----
    Each term is evaluated as :math:`p(x, y)\,\log(1 + s/p(x, y))`, where :math:`s` is the sum of
    the *other* entries of the row, accumulated without subtraction; so a row dominated by one
    entry (Y almost determined by X) keeps its relative precision, which
    :math:`H(X, Y) - H(X)` would lose to cancellation. Rows of zeros (values of X that never
    occur) contribute nothing.

    References
    ----------
    Cover and Thomas (2006), section 2.2 (conditional entropy and the chain rule).

    Examples
    --------
    >>> float(conditional_entropy([[0.25, 0.25], [0.5, 0.0]], base=2))   # x=0: a fair coin
    0.5
    >>> float(conditional_entropy([[0.5, 0.0], [0.0, 0.5]]))             # Y = X
    0.0
    >>> float(conditional_entropy(np.full((2, 4), 1 / 8), base=2))       # independent: H(Y)
    2.0
    """
    _log_of_base(base)
    table = _joint_table(pxy)
    px_hi, px_lo = _marginal(table, axis=1)
    shape = table.shape
    columns = [
        np.broadcast_to(px_hi[:, None], shape),
        np.broadcast_to(px_lo[:, None], shape),
    ]
    nats = _total(*_chunked_sum(_conditional_entropy_kernel, [table, *columns], 1, split=True))
    return _finish(nats + 0.0, _result_dtype(table), base)


def mutual_information(pxy: ArrayLike, base: float = math.e) -> np.ndarray:
    r"""Mutual information :math:`I(X; Y)` of a joint table with X on axis 0, Y on axis 1.

    .. math:: I(X; Y) = \sum_{x, y} p(x, y) \log_b \frac{p(x, y)}{p(x)\, p(y)}
              = D_{KL}(p_{XY} \,\|\, p_X \otimes p_Y) = H(Y) - H(Y \mid X).

    Parameters
    ----------
    pxy : array_like, shape ``(n_x, n_y)``
        A joint probability table: rows are the values of X, columns the values of Y; all
        entries together sum to one.
    base : float
        Logarithm base: 2 (bits), ``math.e`` (nats, default), 10 (bans).

    Returns
    -------
    ndarray, shape ``()``
        :math:`0 \le I(X; Y) \le \min(H(X), H(Y))`; zero exactly when X and Y are independent.
        Symmetric: ``mutual_information(pxy.T)`` is the same number.

    Raises
    ------
    ValueError
        If ``pxy`` is not two-dimensional, or not a probability table, or ``base`` is not a
        positive number other than 1.

    See Also
    --------
    kl_divergence, conditional_entropy, joint_entropy

    Notes
    -----
    Computed as the KL divergence of the table from the product of its marginals, with the
    same cancellation-free terms as :func:`kl_divergence`, so nearly independent tables keep
    their relative precision (:math:`H(X) + H(Y) - H(X, Y)` would lose it). The marginals
    and their products are carried in double-double precision (compensated sums and exact
    products), so that the rounding of :math:`p(x)\,p(y)` does not dominate a small result,
    and :math:`\sum (p(x,y) - p(x)p(y)) = S(1 - S)` (:math:`S` the table's total) is added
    exactly.

    Accuracy limit: within 4 ulp of the definition when the entries sum to 1 exactly. When the
    rounded entries sum to :math:`S \ne 1`, the definition itself is a difference,
    :math:`I = \sum q\,\varphi + S(1 - S)` with :math:`|S(1 - S)| \approx 10^{-16}`, and the
    relative error can grow to about :math:`2\,(I + |S(1 - S)|)/I` ulp: 20 ulp for a
    nearly independent table with :math:`I \approx 5 \cdot 10^{-18}` nats, a dependence far
    below what the rounded entries can express.

    References
    ----------
    Cover and Thomas (2006), section 2.4.

    Examples
    --------
    >>> float(mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2))   # Y = X: one bit
    1.0
    >>> float(mutual_information(np.outer([0.2, 0.8], [0.5, 0.25, 0.25])))   # independent
    0.0
    >>> float(mutual_information([[0.25, 0.25], [0.5, 0.0]], base=2))  # H(Y) - H(Y|X)
    0.31127812445
    """
    _log_of_base(base)
    table = _joint_table(pxy)
    shape = table.shape
    px, py = _marginal(table, axis=1), _marginal(table, axis=0)
    marginals = [
        np.broadcast_to(px[0][:, None], shape),
        np.broadcast_to(px[1][:, None], shape),
        np.broadcast_to(py[0][None, :], shape),
        np.broadcast_to(py[1][None, :], shape),
    ]
    phi_terms = _chunked_sum(_mutual_information_kernel, [table, *marginals], 1, split=True)
    nats = _total(*phi_terms) + _sum_minus_square(*px)
    return _finish(max(nats, 0.0), _result_dtype(table), base)


def perplexity(p: ArrayLike, q: ArrayLike | None = None, axis: int = -1) -> np.ndarray:
    r"""Perplexity: the exponential of the entropy of ``p``, or of the cross-entropy ``H(p, q)``.

    .. math:: \mathrm{PP}(p) = e^{H(p)} = 2^{H_2(p)}, \qquad
              \mathrm{PP}(p, q) = e^{H(p, q)} = 2^{H_2(p, q)}.

    The "effective number of equally likely choices": a uniform distribution over :math:`n`
    outcomes has perplexity :math:`n`. The value does not depend on the logarithm's base
    (:math:`b^{H_b} = e^{H}`), so there is no ``base`` argument; for a loss already reported
    in some base use :func:`perplexity_from_loss`.

    Parameters
    ----------
    p : array_like, shape ``(..., n, ...)``
        Probability vectors along ``axis``: the data (target) distribution.
    q : array_like, broadcastable to ``p``, optional
        The model's probability vectors. ``None`` (default) gives the perplexity of ``p``
        itself, :math:`e^{H(p)}`.
    axis : int
        The axis that holds the outcomes (default ``-1``).

    Returns
    -------
    ndarray, the (broadcast) shape without ``axis``
        :math:`1 \le \mathrm{PP}(p) \le n`, and :math:`\mathrm{PP}(p, q) \ge \mathrm{PP}(p)`
        (``inf`` when ``q`` rules out an outcome that ``p`` gives mass to).

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a probability vector along ``axis``, or their shapes do not
        broadcast.

    See Also
    --------
    entropy, cross_entropy, perplexity_from_loss

    Notes
    -----
    A language model's perplexity on a text is :math:`\exp` of its mean cross-entropy loss per
    token in nats: ``perplexity_from_loss(loss)``. With one-hot targets ``p`` (the observed
    tokens) and model distributions ``q``, ``perplexity(p, q)`` gives each position's
    :math:`1/q(\text{observed token})`; the text's perplexity is the exponential of the *mean*
    of the logs, not the mean of these numbers.

    References
    ----------
    F. Jelinek, R. L. Mercer, L. R. Bahl and J. K. Baker, "Perplexity—a measure of the
    difficulty of speech recognition tasks", *J. Acoust. Soc. Am.* 62 (1977), S63,
    doi:10.1121/1.2016299. Cover and Thomas (2006), section 2.1.

    Examples
    --------
    >>> float(perplexity(np.full(8, 1 / 8)))              # a fair 8-sided die
    8.0
    >>> float(perplexity([0.5, 0.25, 0.25]))              # 2 ** 1.5 choices
    2.8284271247
    >>> float(perplexity([1.0, 0.0], [0.25, 0.75]))       # 1 / q(observed)
    4.0
    """
    nats = entropy(p, axis=axis) if q is None else cross_entropy(p, q, axis=axis)
    with np.errstate(over="ignore"):
        return np.exp(nats)


def perplexity_from_loss(loss: ArrayLike, base: float = math.e) -> np.ndarray:
    r"""Perplexity from a mean cross-entropy loss per token, :math:`b^{\text{loss}}`.

    .. math:: \mathrm{PP} = b^{\,\bar\ell}, \qquad
              \bar\ell = -\frac1N \sum_{t=1}^N \log_b q(x_t \mid x_{<t}).

    Parameters
    ----------
    loss : array_like
        Mean cross-entropy per token (for example ``F.cross_entropy(logits, targets)``,
        which is in nats), non-negative.
    base : float
        The base in which ``loss`` is measured: ``math.e`` (nats, default, PyTorch's losses),
        2 (bits per token), 10.

    Returns
    -------
    ndarray, same shape as ``loss``
        The perplexity, at least 1; float32 for float32 input, else float64.

    Raises
    ------
    ValueError
        If ``loss`` has a negative or nan entry, or ``base`` is not a positive number other
        than 1.
    TypeError
        If ``loss`` is not real or ``base`` is not a real number.

    See Also
    --------
    perplexity

    Notes
    -----
    Bits per token are ``loss / log(2)`` for a loss in nats; bits per *character* divide the
    total bits by the number of characters rather than tokens.

    References
    ----------
    Jelinek et al. (1977), doi:10.1121/1.2016299.

    Examples
    --------
    >>> float(perplexity_from_loss(np.log(50.0)))      # a loss of log 50 nats: 50 choices
    50.0
    >>> float(perplexity_from_loss(3.0, base=2))       # 3 bits per token: 8 choices
    8.0
    """
    array = as_array(loss, "loss")
    _log_of_base(base)
    values = array.astype(np.float64, copy=False)
    if np.any(np.isnan(values)) or np.any(values < 0):
        raise ValueError("loss must hold non-negative numbers (a mean cross-entropy per token)")
    with np.errstate(over="ignore"):
        # exp for nats (math.e is not e exactly); a power is correctly rounded for bits: 2**3 = 8
        value = np.exp(values) if base == math.e else np.power(float(base), values)
    return np.asarray(value, dtype=_result_dtype(array))


def shannon_code_lengths(p: ArrayLike, axis: int = -1) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``p`` is not a probability vector along ``axis``, has a zero entry, or ``axis`` is
        out of range.
    TypeError
        If ``p`` is not a real array or ``axis`` is not an integer.

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
    probabilities, axis = _distributions(p, axis)
    if probabilities.size and np.min(probabilities) == 0:
        raise ValueError("p has zero entries: an outcome that never occurs needs no codeword")
    flat = probabilities.reshape(-1)
    lengths = np.empty(flat.shape, dtype=np.int64)
    for start in range(0, flat.size, CHUNK_ELEMENTS):  # chunks: bounded temporaries
        block = flat[start : start + CHUNK_ELEMENTS].astype(np.float64)
        lengths[start : start + CHUNK_ELEMENTS] = np.ceil(-np.log2(block) - 1e-9)
    return lengths.reshape(probabilities.shape)


def expected_code_length(p: ArrayLike, lengths: ArrayLike, axis: int = -1) -> np.ndarray:
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

    Raises
    ------
    ValueError
        If ``p`` is not a probability vector along ``axis``, ``lengths`` has a negative or
        non-finite entry or does not broadcast to ``p``, or ``axis`` is out of range.
    TypeError
        If ``p`` or ``lengths`` is not a real array, or ``axis`` is not an integer.

    See Also
    --------
    shannon_code_lengths, cross_entropy

    Notes
    -----
    A plain sum of non-negative terms (no cancellation); ``lengths`` need not be integers, so
    ``-log2 q`` itself gives the ideal code length and :math:`L = H_2(p, q)`.

    References
    ----------
    Cover and Thomas (2006), sections 5.3–5.4.

    Examples
    --------
    >>> float(expected_code_length([0.5, 0.25, 0.25], [1, 2, 2]))
    1.5
    """
    probabilities, axis = _distributions(p, axis)
    code_lengths = as_array(lengths, "lengths").astype(np.float64)
    if np.any(code_lengths < 0) or not np.all(np.isfinite(code_lengths)):
        raise ValueError("lengths must be finite and non-negative")
    try:
        products = probabilities * code_lengths
    except ValueError:
        raise ValueError(
            f"lengths of shape {code_lengths.shape} must broadcast to p's shape "
            f"{probabilities.shape}"
        ) from None
    bits = np.sum(products, axis=axis)
    return np.asarray(bits, dtype=_result_dtype(probabilities))


def _code_lengths(lengths: ArrayLike) -> list[int]:
    """``lengths`` as a list of positive Python ints, or an error naming ``lengths``."""
    array = as_array(lengths, "lengths")
    if array.dtype.kind == "b":
        raise TypeError("lengths must be positive integers, got booleans")
    if array.ndim != 1:
        raise ValueError(f"lengths must be a one-dimensional sequence, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 1) or np.any(array != np.round(array)):
        raise ValueError(f"lengths must be positive integers, got {array.tolist()}")
    return [int(length) for length in array]


def canonical_prefix_code(lengths: ArrayLike) -> list[str]:
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

    Raises
    ------
    ValueError
        If ``lengths`` is not one-dimensional, has an entry that is not a positive integer
        (``inf`` and ``1.5`` included), or violates Kraft's inequality.
    TypeError
        If ``lengths`` is not a real array (strings, booleans).

    See Also
    --------
    shannon_code_lengths, expected_code_length

    Notes
    -----
    Lengths are Python integers, so codewords of any length are exact (no overflow of
    ``2**length``); the Kraft sum is computed with :func:`math.fsum`.

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
    sizes = _code_lengths(lengths)
    kraft_sum = math.fsum(2.0**-size for size in sizes)
    if kraft_sum > 1:
        raise ValueError(
            f"lengths violate Kraft's inequality: sum of 2**-length is {kraft_sum:g} > 1"
        )
    codewords, next_code, previous = [""] * len(sizes), 0, 0
    for i in sorted(range(len(sizes)), key=lambda i: sizes[i]):
        next_code <<= sizes[i] - previous  # extend the next free number to the new length
        codewords[i] = format(next_code, f"0{sizes[i]}b")
        next_code, previous = next_code + 1, sizes[i]
    return codewords
