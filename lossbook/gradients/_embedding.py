"""Gradients of cosine similarity."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_floating, check_real, chunks, normalise_dim
from ._common import sum_to_shape


def norm_kept(x: np.ndarray, axis: int) -> np.ndarray:
    """Euclidean norm along ``axis`` (kept, size 1), scaled: it neither overflows nor underflows."""
    scale = np.max(np.abs(x), axis=axis, keepdims=True)
    safe = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        return safe * np.sqrt(np.sum((x / safe) ** 2, axis=axis, keepdims=True))


def cosine_similarity_grad(
    x1: ArrayLike, x2: ArrayLike, dim: int = 1, eps: float = 1e-8
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of :func:`lossbook.functional.cosine_similarity` in ``x1`` and ``x2``.

    With :math:`c = x_1\cdot x_2 / (d_1 d_2)`, :math:`d_i = \max(\|x_i\|, \epsilon)` and the unit
    vectors :math:`u_i = x_i / d_i`:

    .. math:: \frac{\partial c}{\partial x_1} = \frac{u_2 - c\, u_1}{d_1}
              \quad (\|x_1\| \ge \epsilon), \qquad
              \frac{\partial c}{\partial x_1} = \frac{u_2}{d_1} = \frac{x_2}{\epsilon\, d_2}
              \quad (\|x_1\| < \epsilon),

    and symmetrically for :math:`x_2`. Where a norm is clamped, :math:`d_i = \epsilon` is a
    constant and its derivative term vanishes. The first form is orthogonal to :math:`x_1`:
    scaling a vector does not change its cosine.

    Each output element depends only on its own pair of vectors, so the gradients are those of
    ``cosine_similarity(x1, x2, dim, eps).sum()``. When ``x1`` and ``x2`` broadcast, a vector
    shared by several pairs gets the sum of its gradients (as in autograd); the results always have
    the shapes of ``x1`` and ``x2``.

    **PyTorch differs for** :math:`0 < \|x_i\| < \epsilon`: it clamps the norm in place under
    ``no_grad``, so its autograd still differentiates the unclamped norm and returns
    :math:`u_2/d_1 - c\, x_1/(\epsilon \|x_1\|)`, which is not the derivative of the function it
    computes (this function agrees with finite differences there). For a zero vector and for norms
    of at least ``eps`` the two agree.

    Parameters
    ----------
    x1, x2 : array_like, broadcastable shapes
    dim : int, default 1
        The axis holding the vectors (of the broadcast shape).
    eps : float, default 1e-8
        Lower bound of each norm: a finite real number >= 0.

    Returns
    -------
    tuple of np.ndarray
        The gradients with respect to ``x1`` and ``x2``: the shapes and floating dtypes of
        ``x1`` and ``x2``.

    Raises
    ------
    TypeError
        Non-numeric arrays; ``dim`` not an integer; ``eps`` not a real number.
    ValueError
        Ragged lists; shapes that do not broadcast; ``dim`` out of range
        (:class:`~lossbook.functional.DimensionOutOfRangeError`); a negative or non-finite ``eps``.

    See Also
    --------
    lossbook.functional.cosine_similarity

    Notes
    -----
    PyTorch: ``(a.grad, b.grad)`` after ``F.cosine_similarity(a, b, dim, eps).sum().backward()``.

    Memory: when ``x1`` and ``x2`` have the same shape the work is done in chunks of rows (peak
    extra memory about 2 inputs: the two results); broadcast inputs are processed whole.

    References
    ----------
    .. [1] G. Salton, A. Wong and C. S. Yang, "A vector space model for automatic indexing",
       *Comm. ACM* 18 (1975), 613–620. https://doi.org/10.1145/361219.361220

    Examples
    --------
    >>> g1, g2 = cosine_similarity_grad(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]]))
    >>> g1       # orthogonal to x1 = (1, 0): only turning x1 changes the cosine
    array([[0.        , 0.70710678]])
    >>> g2
    array([[ 0.35355339, -0.35355339]])
    """
    a = as_floating(x1, "x1")
    b = as_floating(x2, "x2")
    eps = check_real(eps, "eps", minimum=0.0)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"x1 of shape {a.shape} and x2 of shape {b.shape} cannot be broadcast together"
        ) from None
    axis = normalise_dim(dim, len(shape))
    full = shape if shape else (1,)
    aa = np.broadcast_to(a, shape).reshape(full)
    bb = np.broadcast_to(b, shape).reshape(full)
    if full[axis] == 0:  # vectors of length 0: the cosine is a constant 0
        return np.zeros(a.shape, a.dtype), np.zeros(b.shape, b.dtype)
    if a.shape == shape and b.shape == shape:  # no broadcasting: chunks of rows, in place
        g1, g2 = np.empty(full, a.dtype), np.empty(full, b.dtype)
        for index in _row_chunks(full, axis):
            g1[index], g2[index] = _cosine_grad_rows(aa[index], bb[index], axis, eps)
        return g1.reshape(a.shape), g2.reshape(b.shape)
    g1, g2 = _cosine_grad_rows(aa, bb, axis, eps)
    g1 = sum_to_shape(g1.reshape(shape), a.shape).reshape(a.shape)
    g2 = sum_to_shape(g2.reshape(shape), b.shape).reshape(b.shape)
    return g1.astype(a.dtype), g2.astype(b.dtype)


def _row_chunks(shape: tuple, axis: int) -> list:
    """Index tuples cutting the first axis that is not ``axis`` into chunks of fixed size."""
    others = [i for i in range(len(shape)) if i != axis]
    if not others:
        return [(Ellipsis,)]
    first = others[0]
    size = int(np.prod(shape))
    result = []
    for piece in chunks(shape[first], size // max(shape[first], 1)):
        index = [slice(None)] * len(shape)
        index[first] = piece
        result.append(tuple(index))
    return result


def _cosine_grad_rows(a: np.ndarray, b: np.ndarray, axis: int, eps: float):
    """Both gradients for vectors along ``axis`` of one chunk, in float64."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        n1, n2 = norm_kept(a, axis), norm_kept(b, axis)
        d1, d2 = np.maximum(n1, eps), np.maximum(n2, eps)
        a /= d1  # u1
        b /= d2  # u2
        cos = np.sum(a * b, axis=axis, keepdims=True)
        g1 = (b - np.where(n1 >= eps, cos, 0.0) * a) / d1
        a -= np.where(n2 >= eps, cos, 0.0) * b
        a /= d2
    return g1, a
