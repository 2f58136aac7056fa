r"""Contrastive and margin losses: distances, triplets, rankings and InfoNCE.

``pairwise_distance``, ``triplet_margin_loss`` and ``margin_ranking_loss`` have PyTorch's names,
defaults and semantics; ``info_nce`` is not a PyTorch function (PyTorch has no InfoNCE loss): it is
the cross-entropy over temperature-scaled cosine similarities that CLIP and SimCLR train with, with
its conventions written in its docstring.

Every function computes in float64 and rounds once to the floating dtype of its inputs (float16 and
float32 included), so float32 and float16 results are at least as accurate as PyTorch's (whose
CPU kernels compute float16 in float32).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_floating,
    check_bool,
    check_real,
    check_reduction,
    reduce_losses,
)

INFO_NCE_VARIANTS = ("info_nce", "clip", "nt_xent")
"""The values of ``info_nce``'s ``variant``."""


# ---- helpers -----------------------------------------------------------------------------------
def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype PyTorch's type promotion gives ``arrays`` (all floating)."""
    return np.result_type(*arrays)


def broadcast_named(arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
    """``np.broadcast_arrays`` of the values, with an error naming the arguments and shapes."""
    try:
        return np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{name} of shape {a.shape}" for name, a in arrays.items())
        raise ValueError(f"cannot broadcast {shapes} together") from None


def check_same_ndim(arrays: dict[str, np.ndarray], function: str) -> None:
    """PyTorch's rule for the triplet and ranking losses: all inputs have one number of dims."""
    if len({a.ndim for a in arrays.values()}) > 1:
        dims = ", ".join(f"{name} {a.ndim}-d" for name, a in arrays.items())
        raise ValueError(
            f"{function} expects inputs with the same number of dimensions, got {dims}"
        )


def two_sum(x: np.ndarray, y) -> tuple[np.ndarray, np.ndarray]:
    """``s = fl(x + y)`` and the rounding error ``e``: ``s + e == x + y`` exactly (Knuth)."""
    s = x + y
    z = s - x
    return s, (x - (s - z)) + (y - z)


def exact_difference_plus(x1: np.ndarray, x2: np.ndarray, eps: float) -> np.ndarray:
    """``x1 - x2 + eps`` (float64) with one rounding instead of two (error-free sums)."""
    with np.errstate(invalid="ignore", over="ignore"):
        difference, difference_error = two_sum(x1, -x2)
        total, total_error = two_sum(difference, eps)
        refined = total + (difference_error + total_error)
        return np.where(np.isfinite(refined), refined, (x1 - x2) + eps)


def power_of_two_scale(a: np.ndarray) -> np.ndarray:
    """A power of two near the largest entry of ``a >= 0`` along the last axis (kept); 1 where
    that is 0, inf or nan. Dividing by it is exact and keeps powers from overflowing."""
    largest = np.max(a, axis=-1, keepdims=True) if a.shape[-1] else np.ones(a.shape[:-1] + (1,))
    usable = np.isfinite(largest) & (largest > 0)
    _, exponent = np.frexp(np.where(usable, largest, 1.0))
    return np.ldexp(1.0, exponent - 1)  # <= the largest entry: finite even near the max float


def vector_norm_last(d: np.ndarray, p: float) -> np.ndarray:
    """The p-norm of ``d`` (float64) along its last axis, as ``torch.linalg.vector_norm``."""
    a = np.abs(d)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        if p == 0:
            return np.sum(a != 0, axis=-1).astype(np.float64)
        if a.shape[-1] == 0:
            return np.zeros(a.shape[:-1])
        if p == np.inf:
            return np.max(a, axis=-1)
        if p == -np.inf:
            return np.min(a, axis=-1)
        if p == 1:
            return np.sum(a, axis=-1)
        scale = power_of_two_scale(a)
        scaled = a / scale
        if p == 2:
            total = np.sqrt(np.sum(scaled * scaled, axis=-1))
        else:
            total = np.sum(scaled**p, axis=-1) ** (1.0 / p)
        return total * scale[..., 0]


def checked_p(p) -> float:
    return check_real(p, "p", finite=False)


def ranking_margin(x1: np.ndarray, x2: np.ndarray, y: np.ndarray, margin: float) -> np.ndarray:
    """``margin - y (x1 - x2)`` (float64), with one rounding when ``y`` is 1 or -1.

    The difference and the sum are error-free transformations, so the result keeps its relative
    accuracy when the margin almost cancels the score gap; for other ``y`` the product rounds
    once more."""
    with np.errstate(invalid="ignore", over="ignore"):
        gap, gap_error = two_sum(x1, -x2)
        total, total_error = two_sum(np.full_like(gap, margin), -y * gap)
        refined = total + (total_error - y * gap_error)
        return np.where(np.isfinite(refined), refined, margin - y * (x1 - x2))


# ---- PyTorch's functions -----------------------------------------------------------------------
def pairwise_distance(
    x1: ArrayLike, x2: ArrayLike, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> np.ndarray:
    r"""p-norm distance between the vectors of ``x1`` and ``x2`` along the last dimension.

    .. math:: d(x_1, x_2) = \lVert x_1 - x_2 + \epsilon \rVert_p
              = \Bigl(\sum_k \lvert x_{1,k} - x_{2,k} + \epsilon \rvert^p\Bigr)^{1/p}

    ``eps`` is added to every entry of the *difference* (it keeps the norm, and its gradient,
    away from 0 for identical vectors); it is not a clamp.

    Parameters
    ----------
    x1, x2 : array_like
        Arrays that broadcast together; the vectors lie along the last dimension of the broadcast
        shape. 0-d and 1-d inputs are allowed (a 0-d array is a vector of length 1).
    p : float, default 2.0
        The order of the norm: any real number, ``inf`` or ``-inf``. ``p = 0`` counts the
        non-zero entries, ``inf`` takes the largest ``|entry|``, ``-inf`` the smallest.
    eps : float, default 1e-6
        Added to each entry of ``x1 - x2`` (any finite real, as in PyTorch).
    keepdim : bool, default False
        Keep the last dimension (with size 1). A 0-d result stays 0-d, as in PyTorch.

    Returns
    -------
    np.ndarray
        The broadcast shape without its last dimension (or with it, of size 1, if ``keepdim``);
        the floating dtype of the inputs (integers give float64).

    Raises
    ------
    TypeError
        If an input is not a real array, or ``p``/``eps`` is not a real number, or ``keepdim``
        is not a bool.
    ValueError
        If the inputs do not broadcast, ``p`` is nan, ``eps`` is not finite, or ``p`` is
        infinite or negative and the vectors are empty (PyTorch: ``RuntimeError``).

    Notes
    -----
    PyTorch: ``torch.nn.functional.pairwise_distance(x1, x2, p=p, eps=eps, keepdim=keepdim)``,
    which is ``torch.linalg.vector_norm(x1 - x2 + eps, p, dim=-1, keepdim=keepdim)`` on the
    broadcast inputs (ATen ``Distance.cpp``).

    Numerics: ``x1 - x2 + eps`` is formed with a single rounding (error-free transformations), and
    the norm is taken of the entries divided by a power of two near the largest one, so it neither
    overflows nor underflows: within 4 ulp of the exact value for p = 1, 2, 3 and inf
    (``tests/test_contrastive_accuracy.py``). PyTorch rounds twice and computes float16
    differences in float16.

    Deliberate differences: a ``nan`` ``p`` raises (PyTorch returns nan), and ``p``, ``eps`` and
    ``keepdim`` are checked strictly (PyTorch takes ``eps=True`` as 1).

    References
    ----------
    R. Hadsell, S. Chopra and Y. LeCun, "Dimensionality reduction by learning an invariant
    mapping", *CVPR* (2006). https://doi.org/10.1109/CVPR.2006.100

    See Also
    --------
    triplet_margin_loss : compares two such distances.
    cosine_similarity : the angle instead of the distance.

    Examples
    --------
    >>> pairwise_distance(np.array([[3.0, 4.0]]), np.array([[0.0, 0.0]]), eps=0.0)
    array([5.])
    >>> pairwise_distance(np.array([1.0, 2.0]), np.array([1.0, 2.0]))   # sqrt(2) * eps
    array(1.41421356e-06)
    """
    a = as_floating(x1, "x1")
    b = as_floating(x2, "x2")
    dtype = result_dtype(a, b)
    p = checked_p(p)
    eps = check_real(eps, "eps")
    keepdim = check_bool(keepdim, "keepdim")
    a, b = broadcast_named({"x1": a, "x2": b})
    if a.ndim and a.shape[-1] == 0 and (p == np.inf or p < 0):
        raise ValueError(f"the p={p} norm of empty vectors (last dimension of size 0) is undefined")
    zero_dim = a.ndim == 0
    a64 = a.astype(np.float64).reshape(a.shape or (1,))
    b64 = b.astype(np.float64).reshape(b.shape or (1,))
    distance = vector_norm_last(exact_difference_plus(a64, b64, eps), p)
    if zero_dim:
        distance = distance.reshape(())
    elif keepdim:
        distance = distance[..., np.newaxis]
    return np.asarray(distance).astype(dtype)


def triplet_margin_loss(
    anchor: ArrayLike,
    positive: ArrayLike,
    negative: ArrayLike,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Triplet margin loss: the anchor nearer its positive than its negative, by a margin.

    The anchor should be nearer the positive than the negative by ``margin``.

    .. math:: \ell = \max\bigl(d(a, p) - d(a, n) + \text{margin},\ 0\bigr),

    with :math:`d` the :func:`pairwise_distance` (``p``, ``eps``). With ``swap`` the negative's
    distance is :math:`\min(d(a, n), d(p, n))`: the positive is used as the anchor when it is
    nearer the negative (Balntas et al., 2016).

    Parameters
    ----------
    anchor, positive, negative : array_like
        Arrays with the same number of dimensions that broadcast together, the vectors along the
        last dimension: (N, D) or (D,) (a 0-d array is a vector of length 1).
    margin : float, default 1.0
        The margin; must be > 0 (``inf`` allowed, as in PyTorch).
    p : float, default 2.0
        The order of the norm (see :func:`pairwise_distance`).
    eps : float, default 1e-6
        Added to each entry of the differences (see :func:`pairwise_distance`).
    swap : bool, default False
        Use :math:`\min(d(a, n), d(p, n))` for the negative's distance.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'none' returns one loss per triplet (the broadcast shape without its last dimension).

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum' ('mean' of no triplets is nan), else the per-triplet losses; the
        floating dtype of the inputs.

    Raises
    ------
    TypeError
        If an input is not a real array, ``margin``, ``p`` or ``eps`` is not a real number, or
        ``swap`` is not a bool.
    ValueError
        If the inputs have different numbers of dimensions or do not broadcast, ``margin <= 0``,
        ``p`` is nan, or ``reduction`` is unknown.

    Notes
    -----
    PyTorch: ``torch.nn.functional.triplet_margin_loss(anchor, positive, negative,
    margin=margin, p=p, eps=eps, swap=swap, reduction=reduction)`` (ATen ``Loss.cpp``; the
    check ``margin > 0`` is in ``torch/nn/functional.py``). PyTorch raises ``RuntimeError`` for
    different numbers of dimensions; ``lossbook`` raises ``ValueError``. A nan margin raises here
    (PyTorch returns nan).

    Numerics: for p = 1, 2 and inf the distances are formed in double-double arithmetic and
    :math:`\text{margin} + d(a,p) - d(a,n)` is rounded once, so the loss is within 4 ulp of the
    exact value (about 0.5 ulp measured) even for triplets on the margin, where that sum cancels;
    PyTorch rounds each distance first. Other p use the float64 distances.

    The hinge makes the loss exactly 0 for triplets already separated by the margin: they give
    no gradient. Margins are in units of distance: a margin chosen for distances is the wrong
    size for *squared* distances.

    References
    ----------
    F. Schroff, D. Kalenichenko and J. Philbin, "FaceNet: a unified embedding for face
    recognition and clustering", *CVPR* (2015). https://doi.org/10.1109/CVPR.2015.7298682

    V. Balntas, E. Riba, D. Ponsa and K. Mikolajczyk, "Learning local feature descriptors with
    triplets and shallow convolutional neural networks", *BMVC* (2016) (the swap).

    See Also
    --------
    pairwise_distance : the distance used.
    margin_ranking_loss : the same hinge on two scores.
    info_nce : a softmax over many negatives instead of a hinge on one.

    Examples
    --------
    >>> a, pos, neg = np.array([[0.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([[3.0, 0.0]])
    >>> triplet_margin_loss(a, pos, neg, eps=0.0)              # 1 - 3 + 1 < 0
    array(0.)
    >>> triplet_margin_loss(a, pos, neg, margin=2.5, eps=0.0)  # 1 - 3 + 2.5
    array(0.5)
    """
    check_reduction(reduction)
    arrays = {
        "anchor": as_floating(anchor, "anchor"),
        "positive": as_floating(positive, "positive"),
        "negative": as_floating(negative, "negative"),
    }
    margin = check_real(margin, "margin", minimum=0.0, strict=True, finite=False)
    p = checked_p(p)
    eps = check_real(eps, "eps")
    swap = check_bool(swap, "swap")
    check_same_ndim(arrays, "triplet_margin_loss")
    dtype = result_dtype(*arrays.values())
    a, pos, neg = (x.astype(np.float64) for x in broadcast_named(arrays))
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = np.minimum(d_neg, pairwise_distance(pos, neg, p, eps))
    with np.errstate(invalid="ignore", over="ignore"):
        losses = margin + d_pos - d_neg
        if p in (1.0, 2.0, np.inf) and a.ndim and a.shape[-1]:
            accurate = _dd_triplet_argument(a, pos, neg, margin, p, eps, swap)
            losses = np.where(np.isfinite(accurate) & np.isfinite(losses), accurate, losses)
        losses = np.maximum(losses, 0.0)
    return reduce_losses(np.asarray(losses), reduction, dtype)


def margin_ranking_loss(
    input1: ArrayLike,
    input2: ArrayLike,
    target: ArrayLike,
    margin: float = 0.0,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Margin ranking loss of pairs of scores.

    ``input1`` should be ranked above ``input2`` where ``target`` is 1 (below where it is -1),
    by at least ``margin``.

    .. math:: \ell = \max\bigl(0,\ -y\,(x_1 - x_2) + \text{margin}\bigr)

    Parameters
    ----------
    input1, input2 : array_like
        Scores, arrays with the same number of dimensions as ``target`` that broadcast with it.
    target : array_like
        :math:`y`, usually 1 or -1; any real value is used as it is in the formula, as in
        PyTorch. Integer targets take the dtype of the inputs; booleans are refused.
    margin : float, default 0.0
        Any real number but nan; negative margins and :math:`\pm\infty` are allowed, as in
        PyTorch (an infinite margin gives :math:`\pm\infty`, or nan where it meets an infinite
        score gap of the other sign).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', else the broadcast shape; the promoted floating dtype of the
        inputs and a floating target.

    Raises
    ------
    TypeError
        If an input is not a real array, ``target`` is boolean, or ``margin`` is not a real number.
    ValueError
        If the arrays have different numbers of dimensions or do not broadcast, ``margin`` is
        nan, or ``reduction`` is unknown.

    Notes
    -----
    PyTorch: ``torch.nn.functional.margin_ranking_loss(input1, input2, target, margin=margin,
    reduction=reduction)``, i.e. ``(-target * (input1 - input2) + margin).clamp_min(0)`` reduced
    (ATen ``Loss.cpp``). PyTorch raises ``RuntimeError`` for different numbers of dimensions;
    ``lossbook`` raises ``ValueError``; a nan margin, which PyTorch turns into nan losses, raises
    here.

    Numerics: for targets 1 and -1 the hinge's argument is computed with a single rounding
    (error-free sums), so a loss that is small because the margin almost cancels the score gap
    keeps its relative accuracy (within 4 ulp); PyTorch rounds twice.

    With :math:`x_1 = d(a, n)` and :math:`x_2 = d(a, p)` and :math:`y = 1` this is the triplet
    loss; with :math:`x_1 = \cos(a, p)`, :math:`x_2 = \cos(a, n)` it is a cosine triplet loss.

    References
    ----------
    R. Herbrich, T. Graepel and K. Obermayer, "Large margin rank boundaries for ordinal
    regression", in *Advances in Large Margin Classifiers*, MIT Press (2000).

    See Also
    --------
    triplet_margin_loss : the same hinge on two distances.
    cosine_embedding_loss : a hinge on one cosine.

    Examples
    --------
    >>> margin_ranking_loss(np.array([2.0, 0.5]), np.array([1.0, 1.0]), np.array([1, 1]),
    ...                     reduction="none")
    array([0. , 0.5])
    >>> margin_ranking_loss(np.array([2.0, 0.5]), np.array([1.0, 1.0]), np.array([1, 1]),
    ...                     margin=1.0, reduction="none")
    array([0. , 1.5])
    """
    check_reduction(reduction)
    x1 = as_floating(input1, "input1")
    x2 = as_floating(input2, "input2")
    y = np.asarray(target)
    if y.dtype.kind == "b":
        raise TypeError("target must be a numeric array (usually of 1 and -1), got dtype bool")
    y = as_floating(y, "target", None if y.dtype.kind == "f" else result_dtype(x1, x2))
    margin = check_real(margin, "margin", finite=False)
    arrays = {"input1": x1, "input2": x2, "target": y}
    check_same_ndim(arrays, "margin_ranking_loss")
    dtype = result_dtype(x1, x2, y)
    a, b, t = (x.astype(np.float64) for x in broadcast_named(arrays))
    return reduce_losses(np.maximum(ranking_margin(a, b, t, margin), 0.0), reduction, dtype)


# ---- double-double arithmetic (InfoNCE, triplets) ---------------------------------------------
# A double-double is a pair (hi, lo) of float64 arrays, hi + lo, |lo| <= ulp(hi) / 2: about 106
# bits. The cosines and their differences are formed in it, so that dividing them by a small
# temperature does not amplify the rounding of the cosines (see info_nce's Notes); the triplet
# loss forms its distances in it, so that margin + d(a, p) - d(a, n) rounds once.
_SPLITTER = 134217729.0  # 2**27 + 1 (Dekker)


def _quick_two_sum(a, b):
    s = a + b
    return s, b - (s - a)


def _two_product(a, b):
    """``p = fl(a * b)`` and its error ``e``: ``p + e == a * b`` exactly (Dekker)."""
    p = a * b
    big_a, big_b = _SPLITTER * a, _SPLITTER * b
    a_hi, b_hi = big_a - (big_a - a), big_b - (big_b - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _dd_mul(a, b):
    p, e = _two_product(a[0], b[0])
    return _quick_two_sum(p, e + (a[0] * b[1] + a[1] * b[0]))


def _dd_div(a, b):
    q = a[0] / b[0]
    p, e = _two_product(q, b[0])
    return _quick_two_sum(q, (((a[0] - p) - e + a[1]) - q * b[1]) / b[0])


def _dd_sqrt(a):
    root = np.sqrt(a[0])
    p, e = _two_product(root, root)
    safe = np.where(root > 0, 2 * root, 1.0)
    return _quick_two_sum(root, np.where(root > 0, ((a[0] - p) - e + a[1]) / safe, 0.0))


def _dd_sub(a, b):
    s, e = two_sum(a[0], -b[0])
    return _quick_two_sum(s, e + (a[1] - b[1]))


def _slices(y: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``y = first + second + rest`` for entries in (-2, 2): ``first`` on the grid 2**(1-bits),
    ``second`` on the grid 2**(1-2 bits). Sums of products of such slices are exact."""
    step = 2.0 ** (1 - bits)
    first = np.rint(y / step) * step
    step2 = step * 2.0**-bits
    second = np.rint((y - first) / step2) * step2
    return first, second, (y - first) - second


def _dd_products(y1: np.ndarray, y2: np.ndarray, product) -> tuple[np.ndarray, np.ndarray]:
    """``product(y1, y2)`` (a matrix product or row-wise dot products) as a double-double, for
    entries of magnitude below 2 (Ozaki's error-free splitting).

    With slices of ``bits`` bits, each product of two slices has at most 2 ``bits`` significant
    bits on a common grid, so the first two partial results are exact whatever the order of
    summation (even inside BLAS); the remainder is 2**-(2 bits) smaller and only it is rounded."""
    bits = (53 - int(np.ceil(np.log2(max(2 * y1.shape[1], 2))))) // 2
    a1, a2, a3 = _slices(y1, bits)
    b1, b2, b3 = _slices(y2, bits)
    exact_first = product(a1, b1)
    exact_second = product(np.hstack([a1, a2]), np.hstack([b2, b1]))
    remainder = product(np.hstack([a1, a2, a3]), np.hstack([b3, b2 + b3, y2]))
    s, e = two_sum(exact_first, exact_second)
    return _quick_two_sum(s, e + remainder)


def _dd_add(a, b):
    s, e = two_sum(a[0], b[0])
    return _quick_two_sum(s, e + (a[1] + b[1]))


def _dd_less(a, b):
    return (a[0] < b[0]) | ((a[0] == b[0]) & (a[1] < b[1]))


def _dd_distance(x: np.ndarray, y: np.ndarray, p: float, eps: float):
    """``||x - y + eps||_p`` along the last axis as a double-double, for p = 1, 2 and inf
    (float64 inputs of one shape, last dimension not empty)."""
    s, e1 = two_sum(x, -y)
    t, e2 = two_sum(s, eps)
    hi, lo = _quick_two_sum(t, e1 + e2)  # x - y + eps to about 106 bits
    sign = np.where(hi < 0, -1.0, 1.0)
    hi, lo = hi * sign, lo * sign  # |x - y + eps|
    if p == np.inf:
        top = np.argmax(hi, axis=-1)[..., None]
        return np.take_along_axis(hi, top, -1)[..., 0], np.take_along_axis(lo, top, -1)[..., 0]
    scale = power_of_two_scale(hi) if p == 2 else np.ones(hi.shape[:-1] + (1,))
    hi, lo = hi / scale, lo / scale
    if p == 2:
        square, square_error = _two_product(hi, hi)
        hi, lo = square, square_error + 2 * hi * lo
    total = (np.zeros(hi.shape[:-1]), np.zeros(hi.shape[:-1]))
    for k in range(hi.shape[-1]):
        total = _dd_add(total, (hi[..., k], lo[..., k]))
    if p == 2:
        total = _dd_sqrt(total)
    return total[0] * scale[..., 0], total[1] * scale[..., 0]


def _dd_triplet_argument(a, pos, neg, margin: float, p: float, eps: float, swap: bool):
    """``margin + d(a, pos) - d(a, neg)`` rounded once from double-double distances."""
    d_pos = _dd_distance(a, pos, p, eps)
    d_neg = _dd_distance(a, neg, p, eps)
    if swap:
        d_swap = _dd_distance(pos, neg, p, eps)
        nearer = _dd_less(d_swap, d_neg)
        d_neg = (np.where(nearer, d_swap[0], d_neg[0]), np.where(nearer, d_swap[1], d_neg[1]))
    total = _dd_add((np.full_like(d_pos[0], margin), 0.0), _dd_sub(d_pos, d_neg))
    return total[0]


def _matrix_product(a, b):
    return a @ b.T


def _row_products(a, b):
    return np.sum(a * b, axis=1)


def _dd_cosines(x1: np.ndarray, x2: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    r"""All cosines :math:`x_{1,i}\cdot x_{2,j} / (\max(\lVert x_{1,i}\rVert, \epsilon)
    \max(\lVert x_{2,j}\rVert, \epsilon))` as a double-double (float64 (N, D) inputs).

    Each row is first divided by a power of two that brings its largest entry into [1, 2)
    (exact); the powers cancel in the cosine except where a norm is clamped at ``eps``."""
    scale1 = power_of_two_scale(np.abs(x1))
    scale2 = power_of_two_scale(np.abs(x2))
    y1, y2 = x1 / scale1, x2 / scale2
    radius = []
    for y, scale in ((y1, scale1[:, 0]), (y2, scale2[:, 0])):
        root = _dd_sqrt(_dd_products(y, y, _row_products))
        clamped = root[0] * scale < eps  # ||x|| = scale * root < eps: use eps / scale instead
        radius.append((np.where(clamped, eps / scale, root[0]), np.where(clamped, 0.0, root[1])))
    dots = _dd_products(y1, y2, _matrix_product)
    outer = _dd_mul(
        (radius[0][0][:, None], radius[0][1][:, None]),
        (radius[1][0][None, :], radius[1][1][None, :]),
    )
    zero = outer[0] == 0  # a zero vector with eps = 0: PyTorch's 0/0
    return _dd_div(dots, (np.where(zero, np.nan, outer[0]), outer[1]))


def _dd_cross_entropy_rows(
    cosines: tuple[np.ndarray, np.ndarray], targets: np.ndarray, temperature: float, mask: bool
) -> np.ndarray:
    r"""Row losses :math:`\log \sum_j e^{(c_{ij} - c_{it_i})/\tau}` from double-double cosines,
    with the diagonal left out when ``mask`` (NT-Xent).

    The gaps :math:`x_{ij} = (c_{ij} - c_{it_i})/\tau` are double-doubles (:math:`x_{it_i} = 0`
    exactly); with :math:`m` the largest, the loss is :math:`m + \operatorname{log1p}(\sum_{j \ne
    k} e^{x_{ij} - m})`, each exponential taken as :math:`e^{h}(1 + l)` of the pair
    :math:`(h, l)`: a tiny loss keeps its relative accuracy."""
    rows = np.arange(len(targets))
    target = (cosines[0][rows, targets][:, None], cosines[1][rows, targets][:, None])
    gap = _dd_div(_dd_sub(cosines, target), (np.full_like(cosines[0], temperature), 0.0))
    if mask:
        np.fill_diagonal(gap[0], -np.inf)
        np.fill_diagonal(gap[1], 0.0)
    top = np.argmax(gap[0], axis=1)
    largest = (gap[0][rows, top][:, None], gap[1][rows, top][:, None])
    shifted = _dd_sub(gap, largest)
    terms = np.where(np.isneginf(gap[0]), 0.0, np.exp(shifted[0]) * (1 + shifted[1]))
    terms[rows, top] = 0.0
    total = np.sum(terms, axis=1)
    return largest[0][:, 0] + (largest[1][:, 0] + np.log1p(total))


def info_nce_losses(
    x1: np.ndarray, x2: np.ndarray, temperature: float, variant: str, eps: float
) -> np.ndarray:
    """Per-pair (per-view for 'nt_xent') losses of :func:`info_nce`, float64 (N >= 1 rows)."""
    n = x1.shape[0]
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        if variant == "nt_xent":
            z = np.concatenate([x1, x2])
            twins = (np.arange(2 * n) + n) % (2 * n)
            return _dd_cross_entropy_rows(_dd_cosines(z, z, eps), twins, temperature, True)
        cosines = _dd_cosines(x1, x2, eps)
        losses = _dd_cross_entropy_rows(cosines, np.arange(n), temperature, False)
        if variant == "clip":
            transposed = (cosines[0].T.copy(), cosines[1].T.copy())
            columns = _dd_cross_entropy_rows(transposed, np.arange(n), temperature, False)
            losses = 0.5 * (losses + columns)
        return losses


def info_nce(
    x1: ArrayLike,
    x2: ArrayLike,
    temperature: float = 0.1,
    variant: str = "info_nce",
    reduction: str = "mean",
    eps: float = 1e-8,
) -> np.ndarray:
    r"""InfoNCE: softmax cross-entropy over temperature-scaled cosine similarities.

    Not a PyTorch function: its conventions are given below.

    Row :math:`i` of ``x1`` and row :math:`i` of ``x2`` are a positive pair; every other row of
    the batch is a negative. With :math:`s_{ij} = \cos(x_{1,i}, x_{2,j}) / \tau`:

    .. math:: \ell_i = -\log \frac{e^{s_{ii}}}{\sum_{j=1}^{N} e^{s_{ij}}}
              = \texttt{cross\_entropy}(S, [0, 1, \dots, N-1])_i .

    ``variant`` chooses the convention:

    * ``'info_nce'``: the one-way loss above (van den Oord et al., 2018): each ``x1`` row
      against all ``x2`` rows; ``'none'`` gives :math:`N` losses.
    * ``'clip'``: the symmetric loss of CLIP (Radford et al., 2021), the mean of the row loss and
      the column loss, :math:`\tfrac12[\ell^{\text{row}}_i + \ell^{\text{col}}_i]` with
      :math:`\ell^{\text{col}} = \texttt{cross\_entropy}(S^\top, [0, \dots, N-1])`; ``'none'``
      gives these :math:`N` averages.
    * ``'nt_xent'``: SimCLR's NT-Xent (Chen et al., 2020). The :math:`2N` views
      :math:`z = [x_1; x_2]` are compared with each other, :math:`s_{kl} = \cos(z_k, z_l)/\tau`;
      each view's similarity with *itself* is masked out (set to :math:`-\infty`), and view
      :math:`k`'s positive is view :math:`k + N \bmod 2N`:
      :math:`\ell_k = -\log\bigl(e^{s_{k,k\pm N}} / \sum_{l \ne k} e^{s_{kl}}\bigr)`;
      ``'none'`` gives :math:`2N` losses (the ``x1`` views first).

    Parameters
    ----------
    x1, x2 : array_like, shape (N, D)
        Embeddings: the pairs lie along axis 0 (row :math:`i` of ``x1`` goes with row
        :math:`i` of ``x2``), the features along axis 1. They need not be normalised: the
        cosines normalise them.
    temperature : float, default 0.1
        :math:`\tau > 0`, dividing every cosine. CLIP learns it (initial value 0.07); SimCLR
        uses 0.1 to 0.5.
    variant : {'info_nce', 'clip', 'nt_xent'}, default 'info_nce'
        See above.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        Of the per-pair (per-view for 'nt_xent') losses.
    eps : float, default 1e-8
        Lower bound of each norm in the cosines (as in :func:`cosine_similarity`); >= 0.

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum'; shape (N,) (``(2N,)`` for 'nt_xent') for 'none'. The floating
        dtype of the inputs; the arithmetic is float64.

    Raises
    ------
    TypeError
        If an input is not a real array, or ``temperature`` or ``eps`` is not a real number.
    ValueError
        If ``x1`` and ``x2`` are not 2-d arrays of one shape, ``temperature <= 0``, ``eps < 0``,
        or ``variant`` or ``reduction`` is unknown.

    Notes
    -----
    PyTorch has no InfoNCE function; the same numbers come from ::

        S = F.cosine_similarity(x1[:, None], x2[None], dim=-1) / tau
        labels = torch.arange(len(x1))
        F.cross_entropy(S, labels)                                    # 'info_nce'
        (F.cross_entropy(S, labels) + F.cross_entropy(S.T, labels)) / 2   # 'clip'

    and for 'nt_xent' ``S`` of ``z = torch.cat([x1, x2])`` with itself, its diagonal filled with
    ``-inf``, and labels ``(arange(2N) + N) % 2N``.

    Numerics: the loss is ill-conditioned at small :math:`\tau`: an error :math:`\delta` in a
    cosine moves it by up to :math:`\lvert p_{ij} - [i=j]\rvert\,\delta/\tau`, so cosines merely
    rounded to float64 (as in the PyTorch composition) cost hundreds of ulps at
    :math:`\tau = 0.01`. Here the dot products and norms are computed exactly enough in
    double-double arithmetic (Ozaki's error-free splitting of the matrix product, Dekker's
    products), the gaps :math:`(c_{ij} - c_{ii})/\tau` are formed in it, and the loss is
    :math:`m + \operatorname{log1p}(\sum e^{x_{ij} - m})` of those gaps, which keeps tiny losses
    accurate. The float64 result is within 4 ulp of the exact value (about 2 ulp measured) on the
    stress grid of ``tests/test_contrastive_accuracy.py`` (temperatures down to 0.01,
    near-identical and collapsed batches, norms from 1e-150 to 1e150). The cost is three matrix
    products of the inputs' size and some :math:`O(N^2)` arithmetic; ``bench/bench_contrastive.py``
    times it against PyTorch.

    The loss is at least :math:`\log(1 + (N-1)e^{-2/\tau})` ('info_nce', 'clip'): with cosines in
    [-1, 1] a large temperature puts a floor under it (chapter 11 of the book derives this).

    References
    ----------
    A. van den Oord, Y. Li and O. Vinyals, "Representation learning with contrastive predictive
    coding", arXiv:1807.03748 (2018). https://doi.org/10.48550/arXiv.1807.03748

    T. Chen, S. Kornblith, M. Norouzi and G. Hinton, "A simple framework for contrastive learning
    of visual representations", *ICML* (2020). https://doi.org/10.48550/arXiv.2002.05709

    A. Radford et al., "Learning transferable visual models from natural language supervision",
    *ICML* (2021). https://doi.org/10.48550/arXiv.2103.00020

    See Also
    --------
    cross_entropy : the loss InfoNCE is.
    cosine_similarity : the similarity it uses.
    triplet_margin_loss : one negative and a hinge instead of a softmax.

    Examples
    --------
    >>> x1 = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> info_nce(x1, x1, temperature=1.0)               # log(1 + e**-1)
    array(0.31326169)
    >>> info_nce(x1, x1, temperature=1.0, variant="nt_xent", reduction="none")
    array([0.55144471, 0.55144471, 0.55144471, 0.55144471])
    """
    check_reduction(reduction)
    if variant not in INFO_NCE_VARIANTS:
        names = ", ".join(repr(v) for v in INFO_NCE_VARIANTS)
        raise ValueError(f"variant must be one of {names}, got {variant!r}")
    a = as_floating(x1, "x1")
    b = as_floating(x2, "x2")
    temperature = check_real(temperature, "temperature", minimum=0.0, strict=True)
    eps = check_real(eps, "eps", minimum=0.0)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(
            f"x1 and x2 must be 2-d arrays of one shape (N, D), got x1 of shape "
            f"{a.shape} and x2 of shape {b.shape}"
        )
    dtype = result_dtype(a, b)
    a, b = a.astype(np.float64), b.astype(np.float64)
    if a.shape[0] == 0:
        return reduce_losses(np.zeros(0), reduction, dtype)
    return reduce_losses(info_nce_losses(a, b, temperature, variant, eps), reduction, dtype)
