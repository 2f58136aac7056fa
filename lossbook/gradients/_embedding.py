"""Gradients of cosine similarity."""
from __future__ import annotations

import numbers

import numpy as np

from .._validation import normalise_dim
from ._common import float64_input, sum_to_shape


def norm_kept(x: np.ndarray, axis: int) -> np.ndarray:
    """Euclidean norm along ``axis`` (kept, size 1), scaled: it neither overflows nor underflows."""
    scale = np.max(np.abs(x), axis=axis, keepdims=True)
    safe = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        return safe * np.sqrt(np.sum((x / safe) ** 2, axis=axis, keepdims=True))


def cosine_similarity_grad(x1, x2, dim: int = 1,
                           eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of :func:`lossbook.functional.cosine_similarity` with respect to ``x1`` and
    ``x2``.

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
    dim : int
        The axis holding the vectors (of the broadcast shape).
    eps : float
        Lower bound of each norm (non-negative).

    Returns
    -------
    (ndarray, ndarray)
        The gradients with respect to ``x1`` and ``x2``: the shapes and dtypes of ``x1`` and ``x2``.

    Notes
    -----
    PyTorch: ``(a.grad, b.grad)`` after ``F.cosine_similarity(a, b, dim, eps).sum().backward()``.

    References
    ----------
    G. Salton, A. Wong and C. S. Yang, "A vector space model for automatic indexing", *Comm. ACM*
    18 (1975), 613–620.

    Examples
    --------
    >>> g1, g2 = cosine_similarity_grad(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]]))
    >>> g1       # orthogonal to x1 = (1, 0): only turning x1 changes the cosine
    array([[0.        , 0.70710678]])
    >>> g2
    array([[ 0.35355339, -0.35355339]])
    """
    a, dtype1 = float64_input(x1, "x1")
    b, dtype2 = float64_input(x2, "x2")
    if not (isinstance(eps, numbers.Real) and eps >= 0):
        raise ValueError(f"eps must be a non-negative number, got {eps!r}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"x1 of shape {a.shape} and x2 of shape {b.shape} cannot be broadcast "
                         f"together") from None
    axis = normalise_dim(dim, len(shape))
    full_shape = shape if shape else (1,)
    aa = np.broadcast_to(a, shape).reshape(full_shape)
    bb = np.broadcast_to(b, shape).reshape(full_shape)
    eps = float(eps)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        n1, n2 = norm_kept(aa, axis), norm_kept(bb, axis)
        d1, d2 = np.maximum(n1, eps), np.maximum(n2, eps)
        u1, u2 = aa / d1, bb / d2
        cos = np.sum(u1 * u2, axis=axis, keepdims=True)
        g1 = (u2 - np.where(n1 >= eps, cos, 0.0) * u1) / d1
        g2 = (u1 - np.where(n2 >= eps, cos, 0.0) * u2) / d2
    g1 = sum_to_shape(g1.reshape(shape), a.shape).reshape(a.shape)
    g2 = sum_to_shape(g2.reshape(shape), b.shape).reshape(b.shape)
    return g1.astype(dtype1), g2.astype(dtype2)


