"""Cosine similarity and the cosine embedding loss."""
from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_floating, check_reduction, normalise_dim, reduce_losses, check_same_shape

COSINE_EMBEDDING_EPS = 1e-12
"""Added to each squared norm by PyTorch's ``cosine_embedding_loss``."""


def _power_of_two_scale(x: np.ndarray, axis: int) -> np.ndarray:
    """A power of two near the largest ``|x|`` along ``axis`` (kept), 1 for zero or non-finite
    slices: dividing by it is exact and keeps sums of squares from overflowing or underflowing."""
    if x.shape[axis] == 0:
        return np.ones(x.shape[:axis] + (1,) + x.shape[axis + 1:], dtype=x.dtype)
    largest = np.max(np.abs(x), axis=axis, keepdims=True)
    _, exponent = np.frexp(np.where(np.isfinite(largest), largest, 1))
    return np.ldexp(np.ones_like(largest), exponent)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> np.ndarray:
    r"""Cosine of the angle between ``x1`` and ``x2`` along ``dim``:
    :math:`\dfrac{x_1 \cdot x_2}{\max(\|x_1\|, \epsilon)\,\max(\|x_2\|, \epsilon)}`.

    Each norm is clamped at ``eps`` separately (PyTorch's current rule; versions before 1.12 clamped
    the product), so a zero vector gives 0. The inputs broadcast; ``dim`` is removed from the
    result. Each vector is first scaled by a power of two (exact), so norms of vectors with entries
    near 1e200 or 1e-200 neither overflow nor underflow; the result is clipped to [-1, 1].

    PyTorch: ``torch.nn.functional.cosine_similarity(x1, x2, dim=dim, eps=eps)``.

    >>> cosine_similarity(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]]))
    array([0.70710678])

    Reference: G. Salton, A. Wong and C. S. Yang, "A vector space model for automatic indexing",
    *Comm. ACM* 18 (1975).
    """
    a = as_floating(x1, "x1")
    b = as_floating(x2, "x2")
    dtype = np.result_type(a, b)
    if not (isinstance(eps, numbers.Real) and eps >= 0):
        raise ValueError(f"eps must be a non-negative number, got {eps!r}")
    try:
        a, b = np.broadcast_arrays(a.astype(dtype, copy=False), b.astype(dtype, copy=False))
    except ValueError:
        raise ValueError(f"x1 of shape {np.shape(x1)} and x2 of shape {np.shape(x2)} cannot be "
                         f"broadcast together") from None
    axis = normalise_dim(dim, a.ndim)
    if a.ndim == 0:
        a, b = a.reshape(1), b.reshape(1)
    eps_value = dtype.type(eps)
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        scale_a, scale_b = _power_of_two_scale(a, axis), _power_of_two_scale(b, axis)
        scaled_a, scaled_b = a / scale_a, b / scale_b
        dot = np.sum(scaled_a * scaled_b, axis=axis)
        squares_a = np.sum(scaled_a * scaled_a, axis=axis)
        squares_b = np.sum(scaled_b * scaled_b, axis=axis)
        scale_a, scale_b = np.squeeze(scale_a, axis), np.squeeze(scale_b, axis)
        norm_a, norm_b = scale_a * np.sqrt(squares_a), scale_b * np.sqrt(squares_b)
        clamped = (norm_a < eps_value) | (norm_b < eps_value)
        # one square root when no norm is clamped: fewer roundings near cos = 1
        cos = np.where(clamped,
                       dot * (scale_a * scale_b) / (np.maximum(norm_a, eps_value) * np.maximum(norm_b, eps_value)),
                       dot / np.sqrt(squares_a * squares_b))
    return np.clip(cos, -1, 1).astype(dtype, copy=False)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction: str = "mean"):
    r"""Cosine embedding loss: :math:`1 - \cos(x_1, x_2)` for target 1 and
    :math:`\max(0, \cos(x_1, x_2) - \text{margin})` for target -1.

    Here :math:`\cos = x_1\cdot x_2 / \sqrt{(\|x_1\|^2 + 10^{-12})(\|x_2\|^2 + 10^{-12})}`, as in
    PyTorch. Shapes: ``input1``, ``input2`` (N, D) with ``target`` (N), or (D) with a 0-d target.
    PyTorch returns 0 for a target other than 1 or -1; ``lossbook`` raises ``ValueError`` instead.

    PyTorch: ``torch.nn.functional.cosine_embedding_loss(input1, input2, target, margin=margin,
    reduction=reduction)``.

    >>> cosine_embedding_loss(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([1]))
    array(1.)

    Reference: R. Hadsell, S. Chopra and Y. LeCun, "Dimensionality reduction by learning an invariant
    mapping", *CVPR* (2006).
    """
    check_reduction(reduction)
    a = as_floating(input1, "input1")
    b = as_floating(input2, "input2", a.dtype)
    check_same_shape(a, b, ("input1", "input2"))
    y = np.asarray(target)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"target must be a numeric array of 1 and -1, got dtype {y.dtype}")
    if a.ndim not in (1, 2) or y.ndim != a.ndim - 1 or (a.ndim == 2 and y.shape[0] != a.shape[0]):
        raise ValueError(
            f"expected input1/input2 of shape (N, D) with target (N), or (D) with a 0-d target; got "
            f"inputs {a.shape} and target {y.shape}"
        )
    if not np.all((y == 1) | (y == -1)):
        raise ValueError("target must hold only 1 (similar pair) and -1 (dissimilar pair)")
    axis = a.ndim - 1
    with np.errstate(invalid="ignore", over="ignore"):
        dot = np.sum(a * b, axis=axis)
        squared_norms = (np.sum(a * a, axis=axis) + COSINE_EMBEDDING_EPS) * (
            np.sum(b * b, axis=axis) + COSINE_EMBEDDING_EPS)
        cos = dot / np.sqrt(squared_norms)
    losses = np.where(y == 1, 1 - cos, np.maximum(cos - a.dtype.type(margin), 0))
    return reduce_losses(np.asarray(losses, dtype=a.dtype), reduction, a.dtype)
