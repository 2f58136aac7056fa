"""Cosine similarity and the cosine embedding loss."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_array,
    as_floating,
    check_real,
    check_reduction,
    check_same_shape,
    normalise_dim,
    reduce_losses,
    working_dtype,
)
from ._activations import along_rows

COSINE_EMBEDDING_EPS = 1e-12
"""Added to each squared norm by PyTorch's ``cosine_embedding_loss``."""


def _power_of_two_scale(x: np.ndarray, axis: int) -> np.ndarray:
    """A power of two near the largest ``|x|`` along ``axis`` (kept), 1 for zero or non-finite
    slices: dividing by it is exact and keeps sums of squares from overflowing or underflowing."""
    largest = np.max(np.abs(x), axis=axis, keepdims=True)
    _, exponent = np.frexp(np.where(np.isfinite(largest), largest, 1))
    return np.ldexp(np.ones_like(largest), exponent)


def _cosine_rows(a: np.ndarray, b: np.ndarray, axis: int, eps: float) -> np.ndarray:
    """The clamped cosine along ``axis`` of one chunk (not empty along ``axis``)."""
    eps_value = a.dtype.type(eps)
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        scale_a, scale_b = _power_of_two_scale(a, axis), _power_of_two_scale(b, axis)
        scaled_a, scaled_b = a / scale_a, b / scale_b
        dot = np.vecdot(scaled_a, scaled_b, axis=axis)
        squares_a = np.vecdot(scaled_a, scaled_a, axis=axis)
        squares_b = np.vecdot(scaled_b, scaled_b, axis=axis)
        scale_a, scale_b = np.squeeze(scale_a, axis), np.squeeze(scale_b, axis)
        norm_a, norm_b = scale_a * np.sqrt(squares_a), scale_b * np.sqrt(squares_b)
        clamped = (norm_a < eps_value) | (norm_b < eps_value)
        # one square root when no norm is clamped: fewer roundings near cos = 1
        denominator = np.maximum(norm_a, eps_value) * np.maximum(norm_b, eps_value)
        cos = np.where(
            clamped,
            dot * (scale_a * scale_b) / denominator,
            dot / np.sqrt(squares_a * squares_b),
        )
    return np.clip(cos, -1, 1)


def cosine_similarity(x1: ArrayLike, x2: ArrayLike, dim: int = 1, eps: float = 1e-8) -> np.ndarray:
    r"""Cosine of the angle between ``x1`` and ``x2`` along ``dim``.

    .. math:: \cos(x_1, x_2) = \frac{x_1 \cdot x_2}{\max(\|x_1\|, \epsilon)\,
              \max(\|x_2\|, \epsilon)}.

    Parameters
    ----------
    x1, x2 : array_like, broadcastable shapes
        The vectors lie along ``dim`` of the broadcast shape.
    dim : int, default 1
        The axis holding the vectors (of the broadcast shape; 0 and -1 for 0-d).
    eps : float, default 1e-8
        Lower bound of each norm: a finite real number >= 0.

    Returns
    -------
    np.ndarray
        Values in [-1, 1]; the broadcast shape without ``dim``; the common floating dtype.

    Raises
    ------
    TypeError
        Non-numeric arrays; ``dim`` not an integer; ``eps`` not a real number.
    ValueError
        Ragged lists; shapes that do not broadcast; ``dim`` out of range
        (:class:`DimensionOutOfRangeError`); a negative or non-finite ``eps``.

    See Also
    --------
    cosine_embedding_loss, lossbook.gradients.cosine_similarity_grad

    Notes
    -----
    PyTorch: ``torch.nn.functional.cosine_similarity(x1, x2, dim=dim, eps=eps)``. Each norm is
    clamped at ``eps`` separately (PyTorch's rule since 1.12), so a zero vector gives 0, and
    with ``eps=0`` it gives ``nan`` (0/0), as in PyTorch; vectors of length 0 give 0 (an empty
    sum). Each vector is first scaled by a power of two (exact), so norms of vectors with entries
    near 1e200 or 1e-200 neither overflow nor underflow; the result is clipped to [-1, 1].
    float16 is computed in float32 (PyTorch rounds its intermediate norms to float16, so its
    float16 results can be 2 ulps lower). Deliberate difference in float16: PyTorch's ``eps``
    (1e-8) underflows to 0 there, so a zero vector gives ``nan``; lossbook keeps ``eps`` and
    gives 0. Works in chunks of rows.

    References
    ----------
    .. [1] G. Salton, A. Wong and C. S. Yang, "A vector space model for automatic indexing",
       *Comm. ACM* 18 (1975). https://doi.org/10.1145/361219.361220

    Examples
    --------
    >>> cosine_similarity(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]]))
    array([0.70710678])
    """
    a = as_floating(x1, "x1")
    b = as_floating(x2, "x2")
    dtype = np.result_type(a, b)
    eps = check_real(eps, "eps", minimum=0.0)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"x1 of shape {a.shape} and x2 of shape {b.shape} cannot be broadcast together"
        ) from None
    axis = normalise_dim(dim, len(shape))
    full = shape if shape else (1,)
    a = np.broadcast_to(a.astype(dtype, copy=False), shape).reshape(full)
    b = np.broadcast_to(b.astype(dtype, copy=False), shape).reshape(full)
    out_shape = full[:axis] + full[axis + 1 :]
    if full[axis] == 0:
        return np.zeros(out_shape, dtype)
    work = np.empty(out_shape, working_dtype(dtype))
    cos = along_rows(lambda u, v: _cosine_rows(u, v, axis, eps), [a, b], axis, work)
    return cos.astype(dtype, copy=False)


def _embedding_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        dot = np.vecdot(a, b, axis=-1)
        squared_norms = (np.vecdot(a, a, axis=-1) + COSINE_EMBEDDING_EPS) * (
            np.vecdot(b, b, axis=-1) + COSINE_EMBEDDING_EPS
        )
        return dot / np.sqrt(squared_norms)


def _checked_pair_targets(target, a: np.ndarray) -> np.ndarray:
    y = as_array(target, "target")
    if y.dtype.kind not in "iuf":
        raise TypeError(f"target must be a numeric array of 1 and -1, got dtype {y.dtype}")
    if a.ndim not in (1, 2) or y.ndim != a.ndim - 1 or (a.ndim == 2 and y.shape[0] != a.shape[0]):
        raise ValueError(
            f"expected input1/input2 of shape (N, D) with target (N), or (D) with a 0-d target; "
            f"got inputs {a.shape} and target {y.shape}"
        )
    if not np.all((y == 1) | (y == -1)):
        raise ValueError("target must hold only 1 (similar pair) and -1 (dissimilar pair)")
    return y


def cosine_embedding_loss(
    input1: ArrayLike,
    input2: ArrayLike,
    target: ArrayLike,
    margin: float = 0.0,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Cosine embedding loss of pairs labelled similar (1) or dissimilar (-1).

    .. math:: \ell = \begin{cases} 1 - \cos(x_1, x_2) & y = 1,\\
              \max(0, \cos(x_1, x_2) - \text{margin}) & y = -1, \end{cases}
              \qquad \cos = \frac{x_1\cdot x_2}{\sqrt{(\|x_1\|^2 + 10^{-12})
              (\|x_2\|^2 + 10^{-12})}}.

    Parameters
    ----------
    input1, input2 : array_like, shape (N, D) or (D)
        The two embeddings of each pair.
    target : array_like, shape (N) or ()
        1 or -1 per pair.
    margin : float, default 0.0
        A finite real number (PyTorch suggests [-1, 1]).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', shape (N) or () for 'none'; the floating dtype of ``input1``.

    Raises
    ------
    TypeError
        Non-numeric arrays; ``margin`` not a real number (a string is not).
    ValueError
        Ragged lists; shapes that do not fit; a target other than 1 or -1; a non-finite
        ``margin``; an unknown ``reduction``.

    See Also
    --------
    cosine_similarity

    Notes
    -----
    PyTorch: ``torch.nn.functional.cosine_embedding_loss(input1, input2, target,
    margin=margin, reduction=reduction)``; :data:`COSINE_EMBEDDING_EPS` = 1e-12 is PyTorch's
    constant. Deliberate difference: PyTorch returns 0 for a target other than 1 or -1; lossbook
    raises :class:`ValueError`. Vectors of length 0 have cosine 0 (loss 1 for target 1, as in
    PyTorch). float16 is computed in float32; PyTorch's 1e-12 underflows to 0 in float16, so
    for a zero vector (or D = 0) it gives ``nan`` there, where lossbook gives the loss of cosine
    0 (a documented difference).

    References
    ----------
    .. [1] R. Hadsell, S. Chopra and Y. LeCun, "Dimensionality reduction by learning an invariant
       mapping", *CVPR* (2006). https://doi.org/10.1109/CVPR.2006.100

    Examples
    --------
    >>> cosine_embedding_loss(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([1]))
    array(1.)
    """
    check_reduction(reduction)
    margin = check_real(margin, "margin")
    a = as_floating(input1, "input1")
    dtype = a.dtype
    b = as_floating(input2, "input2", dtype)
    check_same_shape(a, b, ("input1", "input2"))
    y = _checked_pair_targets(target, a)
    work = working_dtype(dtype)
    cos = along_rows(_embedding_cosines, [a, b], a.ndim - 1, np.empty(y.shape, work))
    with np.errstate(invalid="ignore"):
        losses = np.where(y == 1, 1 - cos, np.maximum(cos - work.type(margin), 0))
    return reduce_losses(np.asarray(losses, dtype=work), reduction, dtype)
