r"""Gradients of the contrastive and margin losses (:mod:`lossbook.functional._contrastive`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_bool
from ..functional import info_nce, margin_ranking_loss, pairwise_distance, triplet_margin_loss
from ._classification import cross_entropy_grad
from ._common import float64_input, sum_to_shape


def _broadcast(arrays: list[np.ndarray], names: list[str]) -> list[np.ndarray]:
    try:
        return np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{n} of shape {a.shape}" for n, a in zip(names, arrays))
        raise ValueError(f"cannot broadcast {shapes} together") from None


def _tied_extremes(a: np.ndarray, largest: bool) -> np.ndarray:
    """Weights (last axis) that split 1 evenly over the entries of ``a`` tied at its largest
    (or smallest) value, as PyTorch's ``amax``/``amin`` backward does for the inf-norms."""
    extreme = np.max(a, axis=-1, keepdims=True) if largest else np.min(a, axis=-1, keepdims=True)
    ties = (a == extreme).astype(np.float64)
    return ties / ties.sum(axis=-1, keepdims=True)


def _distance_direction(x1: np.ndarray, x2: np.ndarray, p: float, eps: float) -> np.ndarray:
    r""":math:`\partial \lVert d \rVert_p / \partial d` with :math:`d = x_1 - x_2 + \epsilon`
    along the last axis (float64, at least 1-d, same shapes). 0 where the norm or the entry is
    0, as in PyTorch's backward."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = (x1 - x2) + eps
    norm = pairwise_distance(x1, x2, p=p, eps=eps, keepdim=True)
    a = np.abs(d)
    if p == 0 or d.shape[-1] == 0:
        return np.zeros_like(d)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
        if p == np.inf:
            g = np.sign(d) * _tied_extremes(a, largest=True)
        elif p == -np.inf:
            g = np.sign(d) * _tied_extremes(a, largest=False)
        elif p == 1:
            g = np.sign(d)
        elif p == 2:
            g = d / norm
        else:
            g = np.sign(d) * (a / norm) ** (p - 1)
        return np.where((norm == 0) | (d == 0), 0.0, g)


def _reduction_scale(reduction: str, count: int) -> float:
    if reduction != "mean":
        return 1.0
    return 1.0 / count if count else np.nan


def pairwise_distance_grad(
    x1: ArrayLike, x2: ArrayLike, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of ``pairwise_distance(x1, x2, p, eps, keepdim).sum()`` in ``x1``, ``x2``.

    With :math:`d = x_1 - x_2 + \epsilon` and :math:`n = \lVert d \rVert_p`:

    .. math:: \frac{\partial n}{\partial x_1} = -\frac{\partial n}{\partial x_2}
              = \operatorname{sign}(d) \odot \Bigl(\frac{\lvert d\rvert}{n}\Bigr)^{p-1},

    which is :math:`d/n` for :math:`p = 2` and :math:`\operatorname{sign}(d)` for
    :math:`p = 1`; for :math:`p = \pm\infty` it is :math:`\operatorname{sign}(d_k)` on the entries
    of largest (smallest) :math:`\lvert d_k \rvert`, split evenly among tied entries (as PyTorch's
    ``amax``/``amin`` backward), and 0 elsewhere; for :math:`p = 0` it is 0.

    Parameters
    ----------
    x1, x2 : array_like
        As in :func:`lossbook.functional.pairwise_distance`.
    p : float, default 2.0
    eps : float, default 1e-6
    keepdim : bool, default False
        Accepted for symmetry with the loss; it does not change the gradient.

    Returns
    -------
    (np.ndarray, np.ndarray)
        The gradients, with the shapes and floating dtypes of ``x1`` and ``x2`` (summed over
        the axes along which an input was broadcast).

    Raises
    ------
    TypeError, ValueError
        As :func:`lossbook.functional.pairwise_distance`.

    Notes
    -----
    PyTorch: ``(a.grad, b.grad)`` after ``F.pairwise_distance(a, b, p, eps).sum().backward()``.
    Where the norm is 0, or an entry of :math:`d` is 0, the gradient is 0 as in PyTorch's backward
    (the norm is not differentiable there for :math:`p \le 1`).

    References
    ----------
    G. H. Golub and C. F. Van Loan, *Matrix Computations*, 4th ed., Johns Hopkins (2013),
    section 2.2 (vector norms).

    See Also
    --------
    triplet_margin_loss_grad : uses these directions.

    Examples
    --------
    >>> g1, g2 = pairwise_distance_grad(np.array([[3.0, 4.0]]), np.zeros((1, 2)), eps=0.0)
    >>> g1
    array([[0.6, 0.8]])
    >>> g2
    array([[-0.6, -0.8]])
    """
    pairwise_distance(x1, x2, p, eps, keepdim)  # the loss's checks
    check_bool(keepdim, "keepdim")
    a, dtype1 = float64_input(x1, "x1")
    b, dtype2 = float64_input(x2, "x2")
    p, eps = float(p), float(eps)
    aa, bb = _broadcast([a, b], ["x1", "x2"])
    shape = aa.shape
    g = _distance_direction(aa.reshape(shape or (1,)), bb.reshape(shape or (1,)), p, eps)
    g = g.reshape(shape)
    return (
        sum_to_shape(g, a.shape).reshape(a.shape).astype(dtype1),
        sum_to_shape(-g, b.shape).reshape(b.shape).astype(dtype2),
    )


def triplet_margin_loss_grad(
    anchor: ArrayLike,
    positive: ArrayLike,
    negative: ArrayLike,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradients of :func:`lossbook.functional.triplet_margin_loss` in its three inputs.

    With respect to the anchor, the positive and the negative.

    Where the hinge is active (:math:`\text{margin} + d(a,p) - d(a,n) \ge 0`, the boundary
    included, as PyTorch's ``clamp_min`` backward), with :math:`g_{xy} = \partial d(x,y)/
    \partial x` (see :func:`pairwise_distance_grad`):

    .. math:: \frac{\partial \ell}{\partial a} = g_{ap} - g_{an}, \qquad
              \frac{\partial \ell}{\partial p} = -g_{ap}, \qquad
              \frac{\partial \ell}{\partial n} = g_{an};

    elsewhere 0: the positive is pulled towards the anchor and the negative pushed away. With
    ``swap``, the negative's distance is the smaller of :math:`d(a,n)` and :math:`d(p,n)`, and
    the gradient goes through that one (half through each on a tie, as PyTorch's ``min``).

    Parameters
    ----------
    anchor, positive, negative, margin, p, eps, swap, reduction
        As in :func:`lossbook.functional.triplet_margin_loss`.

    Returns
    -------
    (np.ndarray, np.ndarray, np.ndarray)
        The gradients with the shapes and floating dtypes of the three inputs. With
        ``reduction='none'`` they are the gradients of the sum of the losses.

    Raises
    ------
    TypeError, ValueError
        As :func:`lossbook.functional.triplet_margin_loss`.

    Notes
    -----
    PyTorch: the ``.grad`` of the three tensors after
    ``F.triplet_margin_loss(a, p, n, margin, p, eps, swap, reduction=reduction).sum().backward()``.

    References
    ----------
    F. Schroff, D. Kalenichenko and J. Philbin, "FaceNet: a unified embedding for face
    recognition and clustering", *CVPR* (2015). https://doi.org/10.1109/CVPR.2015.7298682

    See Also
    --------
    pairwise_distance_grad, margin_ranking_loss_grad

    Examples
    --------
    >>> a, pos, neg = np.array([[0.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([[2.0, 0.0]])
    >>> ga, gp, gn = triplet_margin_loss_grad(a, pos, neg, margin=2.0, eps=0.0)
    >>> ga, gp, gn
    (array([[ 1., -1.]]), array([[-0.,  1.]]), array([[-1.,  0.]]))
    """
    triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)
    a, dtype_a = float64_input(anchor, "anchor")
    pos, dtype_p = float64_input(positive, "positive")
    neg, dtype_n = float64_input(negative, "negative")
    margin, p, eps = float(margin), float(p), float(eps)
    aa, pp, nn = _broadcast([a, pos, neg], ["anchor", "positive", "negative"])
    shape = aa.shape
    aa, pp, nn = (x.reshape(shape or (1,)) for x in (aa, pp, nn))
    d_ap = pairwise_distance(aa, pp, p, eps, keepdim=True)
    d_an = pairwise_distance(aa, nn, p, eps, keepdim=True)
    w_an = np.ones_like(d_an)
    w_pn = np.zeros_like(d_an)
    if swap:
        d_pn = pairwise_distance(pp, nn, p, eps, keepdim=True)
        w_an = np.where(d_an < d_pn, 1.0, np.where(d_an == d_pn, 0.5, 0.0))
        w_pn = 1.0 - w_an
        d_an = np.minimum(d_an, d_pn)
    with np.errstate(invalid="ignore"):
        active = (margin + d_ap - d_an) >= 0
    scale = _reduction_scale(reduction, int(np.prod(shape[:-1])) if shape else 1)
    weight = np.where(active, scale, 0.0)
    g_ap = _distance_direction(aa, pp, p, eps)
    g_an = _distance_direction(aa, nn, p, eps)
    g_pn = _distance_direction(pp, nn, p, eps) if swap else np.zeros_like(g_an)
    grads = (
        weight * (g_ap - w_an * g_an),
        weight * (-g_ap - w_pn * g_pn),
        weight * (w_an * g_an + w_pn * g_pn),
    )
    return tuple(
        sum_to_shape(g.reshape(shape), x.shape).reshape(x.shape).astype(dt)
        for g, x, dt in zip(grads, (a, pos, neg), (dtype_a, dtype_p, dtype_n))
    )


def margin_ranking_loss_grad(
    input1: ArrayLike,
    input2: ArrayLike,
    target: ArrayLike,
    margin: float = 0.0,
    reduction: str = "mean",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of :func:`lossbook.functional.margin_ranking_loss` in ``input1``, ``input2``.

    .. math:: \frac{\partial \ell}{\partial x_1} = -\frac{\partial \ell}{\partial x_2}
              = -y\,[\,-y(x_1 - x_2) + \text{margin} \ge 0\,]

    (the boundary included, as PyTorch's ``clamp_min`` backward), times :math:`1/N` for 'mean'.

    Parameters
    ----------
    input1, input2, target, margin, reduction
        As in :func:`lossbook.functional.margin_ranking_loss`.

    Returns
    -------
    (np.ndarray, np.ndarray)
        The gradients with the shapes and floating dtypes of ``input1`` and ``input2``.

    Raises
    ------
    TypeError, ValueError
        As :func:`lossbook.functional.margin_ranking_loss`.

    Notes
    -----
    PyTorch: ``(x1.grad, x2.grad)`` after
    ``F.margin_ranking_loss(x1, x2, y, margin, reduction=reduction).sum().backward()``.

    References
    ----------
    R. Herbrich, T. Graepel and K. Obermayer, "Large margin rank boundaries for ordinal
    regression", in *Advances in Large Margin Classifiers*, MIT Press (2000).

    See Also
    --------
    triplet_margin_loss_grad

    Examples
    --------
    >>> margin_ranking_loss_grad(np.array([2.0, 0.5]), np.array([1.0, 1.0]), np.array([1, 1]))
    (array([ 0. , -0.5]), array([0. , 0.5]))
    """
    margin_ranking_loss(input1, input2, target, margin, reduction)
    x1, dtype1 = float64_input(input1, "input1")
    x2, dtype2 = float64_input(input2, "input2")
    y = np.asarray(target).astype(np.float64)
    a, b, t = _broadcast([x1, x2, y], ["input1", "input2", "target"])
    with np.errstate(invalid="ignore"):
        active = (-t * (a - b) + float(margin)) >= 0
    scale = _reduction_scale(reduction, a.size)
    g1 = np.where(active, -t * scale, 0.0)
    g2 = np.where(active, t * scale, 0.0)
    return (
        sum_to_shape(g1, x1.shape).reshape(x1.shape).astype(dtype1),
        sum_to_shape(g2, x2.shape).reshape(x2.shape).astype(dtype2),
    )


def _unit_rows_backward(x: np.ndarray, g_unit: np.ndarray, eps: float) -> np.ndarray:
    r"""Back through :math:`u = x / \max(\lVert x \rVert, \epsilon)` row-wise:
    :math:`(g - (g\cdot u)u)/\lVert x\rVert` where the norm is at least ``eps``, else
    :math:`g/\epsilon`."""
    norm = _norms(x)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        d = np.maximum(norm, eps)
        u = x / d
        radial = np.sum(g_unit * u, axis=1, keepdims=True) * u
        return np.where(norm >= eps, g_unit - radial, g_unit) / d


def info_nce_grad(
    x1: ArrayLike,
    x2: ArrayLike,
    temperature: float = 0.1,
    variant: str = "info_nce",
    reduction: str = "mean",
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of :func:`lossbook.functional.info_nce` with respect to ``x1`` and ``x2``.

    With :math:`s_{ij} = u_i\cdot v_j/\tau` (:math:`u, v` the rows divided by their norms) and
    :math:`G = \partial L/\partial S` the cross-entropy's gradient,
    :math:`G_{ij} = c\,(\operatorname{softmax}(s_i)_j - [i = j])` (:math:`c = 1/N` for 'mean'):

    .. math:: \frac{\partial L}{\partial u_i} = \frac{1}{\tau}\Bigl(
              \sum_{j} p_{ij} v_j - v_i\Bigr) c
              = \frac{c}{\tau}\Bigl(-(1 - p_{ii})\, v_i + \sum_{j \ne i} p_{ij} v_j\Bigr):

    the positive :math:`v_i` pulls :math:`u_i` with weight :math:`1 - p_{ii}`, each negative
    pushes it away with weight :math:`p_{ij}`, its softmax probability. In matrices
    :math:`\partial L/\partial U = G V/\tau`, :math:`\partial L/\partial V = G^\top U/\tau`
    ('clip' averages the row and column :math:`G`; 'nt_xent' uses :math:`(G + G^\top)Z/\tau`
    for the stacked views). Then back through the normalisation:
    :math:`\partial L/\partial x = (g - (g\cdot u)u)/\lVert x\rVert`, the component of :math:`g`
    orthogonal to :math:`x`.

    Parameters
    ----------
    x1, x2, temperature, variant, reduction, eps
        As in :func:`lossbook.functional.info_nce`.

    Returns
    -------
    (np.ndarray, np.ndarray)
        The gradients with the shapes (N, D) and floating dtypes of ``x1`` and ``x2``; with
        ``reduction='none'``, those of the sum of the losses.

    Raises
    ------
    TypeError, ValueError
        As :func:`lossbook.functional.info_nce`.

    Notes
    -----
    PyTorch: the ``.grad`` of ``x1`` and ``x2`` after the composition in
    :func:`lossbook.functional.info_nce`'s notes, ``.sum().backward()``. For a row with norm in
    :math:`(0, \epsilon)` PyTorch's ``cosine_similarity`` backward differentiates the unclamped
    norm (see :func:`cosine_similarity_grad`); this function differentiates the clamped one.

    References
    ----------
    A. van den Oord, Y. Li and O. Vinyals, "Representation learning with contrastive predictive
    coding", arXiv:1807.03748 (2018). https://doi.org/10.48550/arXiv.1807.03748

    See Also
    --------
    cross_entropy_grad : the gradient with respect to the logits.
    cosine_similarity_grad : the gradient of one cosine.

    Examples
    --------
    >>> g1, g2 = info_nce_grad(np.eye(2), np.eye(2), temperature=1.0)
    >>> g1   # towards the negative, orthogonal to x1: descent turns each row away from it
    array([[0.        , 0.13447071],
           [0.13447071, 0.        ]])
    """
    info_nce(x1, x2, temperature, variant, reduction, eps)  # the loss's checks
    a, dtype1 = float64_input(x1, "x1")
    b, dtype2 = float64_input(x2, "x2")
    tau, eps = float(temperature), float(eps)
    n = a.shape[0]
    if n == 0:
        return np.zeros_like(a, dtype=dtype1), np.zeros_like(b, dtype=dtype2)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        return _info_nce_grad_float64(a, b, tau, variant, reduction, eps, dtype1, dtype2)


def _info_nce_grad_float64(a, b, tau, variant, reduction, eps, dtype1, dtype2):
    """The body of :func:`info_nce_grad`, on checked float64 arrays with at least one row."""
    n = a.shape[0]
    u, v = (x / np.maximum(_norms(x), eps) for x in (a, b))
    if variant == "nt_xent":
        z = np.concatenate([u, v])
        logits = np.clip(z @ z.T, -1.0, 1.0) / tau
        np.fill_diagonal(logits, -np.inf)
        targets = (np.arange(2 * n) + n) % (2 * n)
        g = cross_entropy_grad(logits, targets, reduction=reduction)
        g_z = (g + g.T) @ z / tau
        g_u, g_v = g_z[:n], g_z[n:]
    else:
        logits = np.clip(u @ v.T, -1.0, 1.0) / tau
        targets = np.arange(n)
        g = cross_entropy_grad(logits, targets, reduction=reduction)
        if variant == "clip":
            g = 0.5 * (g + cross_entropy_grad(logits.T, targets, reduction=reduction).T)
        g_u, g_v = g @ v / tau, g.T @ u / tau
    return (
        _unit_rows_backward(a, g_u, eps).astype(dtype1),
        _unit_rows_backward(b, g_v, eps).astype(dtype2),
    )


def _norms(x: np.ndarray) -> np.ndarray:
    """Row norms (kept) of ``x``, from rows scaled by their largest entry: no overflow."""
    largest = np.max(np.abs(x), axis=1, keepdims=True) if x.shape[1] else np.ones((len(x), 1))
    safe = np.where((largest > 0) & np.isfinite(largest), largest, 1.0)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        return safe * np.sqrt(np.sum((x / safe) ** 2, axis=1, keepdims=True))
