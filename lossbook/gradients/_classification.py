"""Gradients of the classification losses."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    REDUCTIONS,
    as_array,
    as_floating,
    broadcast_to_shape,
    check_bool,
    check_int,
    check_reduction,
    check_same_shape,
)
from ..functional._activations import map_chunks, stable_sigmoid
from ..functional._classification import (
    check_bce_probabilities,
    checked_label_smoothing,
    checked_targets,
    checked_weight,
    class_dim_of,
    is_probability_target,
    sample_chunks,
)
from ._common import mean_scale, softmax_last, sum_to_shape

BCE_GRAD_EPSILON = float(np.float32(1e-12))
"""PyTorch's ``binary_cross_entropy`` backward divides by ``max(p(1 - p), 1e-12)``, its 1e-12 being
a float32 constant: 9.99999996e-13, also in float64 (so ``|p - y| = 1`` there gives ±1.000000004e12
before the reduction's scale)."""


def cross_entropy_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.cross_entropy` with respect to the logits ``input``.

    With :math:`p = \operatorname{softmax}(x_n)` along the class dimension (dim 1, or 0 for 1-D
    ``input``) and :math:`e_y` the one-hot vector of class :math:`y`:

    *Class indices* :math:`y_n`, label smoothing :math:`\varepsilon`, class weights :math:`w`:

    .. math:: \frac{\partial L}{\partial x_n} = s\Big[(1-\varepsilon)\, w_{y_n}(p - e_{y_n})
              + \frac{\varepsilon}{C}\big(p \textstyle\sum_c w_c - w\big)\Big],

    0 for an ignored sample; :math:`s = 1/\sum_{n\ \text{kept}} w_{y_n}` for 'mean' (the count of
    kept targets without ``weight``), 1 for 'sum' and 'none'. Every target ignored with 'mean'
    gives 0 (the loss itself is ``nan``), as PyTorch's autograd does; kept targets whose weights sum
    to 0 give ``nan`` in their rows.

    *Class probabilities* :math:`q_n` (``target`` of the shape of ``input``), smoothed to
    :math:`q \leftarrow (1-\varepsilon)q + \varepsilon/C`:

    .. math:: \frac{\partial L}{\partial x_n} = s\Big(p \sum_c w_c q_c - w \odot q\Big),

    with :math:`s = 1/(N d_1 \cdots d_k)` for 'mean'. Without weights and with
    :math:`\sum_c q_c = 1` this is the familiar :math:`p - q`.

    The entry :math:`p_y - 1` is computed as :math:`-\sum_{c \ne y} p_c`, so it keeps its relative
    accuracy when the model is confident (PyTorch's float64 autograd rounds it to 0 for logits
    ``[40, 0]``).

    Parameters
    ----------
    input : array_like, shape (C), (N, C) or (N, C, d1, ...)
        Logits.
    target : array_like
        Class indices, shape (), (N) or (N, d1, ...), integers in [0, C) or ``ignore_index``; or
        class probabilities, floating point, of the shape of ``input``.
    weight : array_like, shape (C), optional
        A weight per class; default all 1.
    ignore_index : int, default -100
        Class-index targets equal to it get a zero gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float, default 0.0
        A real number in [0, 1].

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``. For 'none', the gradient of the sum of the
        per-sample losses (each sample's own gradient).

    Raises
    ------
    TypeError
        Non-numeric arrays; floating class indices or integer probabilities; an option of the
        wrong type (``ignore_index`` not an int, ``label_smoothing`` not a real number).
    ValueError
        Ragged lists; shapes that do not fit; an unknown ``reduction``; ``label_smoothing``
        outside [0, 1]; a class index out of range
        (:class:`~lossbook.functional.TargetOutOfBoundsError`, also an :class:`IndexError`).

    See Also
    --------
    nll_loss_grad, lossbook.functional.cross_entropy

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.cross_entropy(x, target, weight, ignore_index=ignore_index,
    reduction=reduction, label_smoothing=label_smoothing).sum().backward()``.

    References
    ----------
    .. [1] I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016),
       section 6.2.2.3 (softmax units).
    .. [2] C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens and Z. Wojna, "Rethinking the Inception
       architecture for computer vision", *CVPR* (2016) (label smoothing).
       https://doi.org/10.1109/CVPR.2016.308

    Examples
    --------
    >>> cross_entropy_grad(np.array([[1.0, 2.0, 3.0]]), np.array([2]))   # softmax - one-hot
    array([[ 0.09003057,  0.24472847, -0.33475904]])
    >>> cross_entropy_grad(np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.0, 1.0]))   # same, p - q
    array([ 0.09003057,  0.24472847, -0.33475904])
    >>> cross_entropy_grad(np.zeros((2, 2)), np.array([0, -100]))   # the ignored row gets 0
    array([[-0.5,  0.5],
           [ 0. ,  0. ]])
    """
    check_reduction(reduction)
    ignore_index = check_int(ignore_index, "ignore_index")
    eps = checked_label_smoothing(label_smoothing)
    x = as_floating(input, "input")  # each chunk is converted to float64
    dtype = x.dtype
    class_dim = class_dim_of(x)
    n_classes = x.shape[class_dim]
    w = checked_weight(weight, n_classes, np.float64)
    w_vec = np.ones(n_classes) if w is None else w
    target_array = as_array(target, "target")
    out = np.empty(x.shape, dtype)
    if is_probability_target(x, target_array, ignore_index):
        scale = mean_scale(reduction, x.size // n_classes if n_classes else 0)
        for piece in sample_chunks(x):
            rows = _probability_grad_rows(x[piece], target_array[piece], w_vec, eps, scale)
            out[piece] = rows
        return out
    y = checked_targets(x, target_array, ignore_index)
    kept = y != ignore_index
    safe_y = np.where(kept, y, 0)
    w_y = np.where(kept, w_vec[safe_y] if n_classes else 0.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 1.0 if reduction != "mean" else 1.0 / np.sum(w_y)
    for piece in sample_chunks(x):
        rows = _index_grad_rows(x[piece], safe_y[piece], kept[piece], w_y[piece], w_vec, eps, scale)
        out[piece] = rows
    return out


def _probability_grad_rows(z, q, w_vec, eps: float, scale: float) -> np.ndarray:
    """``s (p sum_c w_c q_c - w q)`` for one chunk (classes on dim 0 or 1), in float64."""
    class_dim = 0 if z.ndim == 1 else 1
    n_classes = z.shape[class_dim]
    p, _, _ = softmax_last(np.moveaxis(z.astype(np.float64), class_dim, -1))
    q = np.moveaxis(q.astype(np.float64), class_dim, -1)
    if eps > 0 and n_classes:  # with no classes there is nothing to smooth
        q = q * (1 - eps) + eps / n_classes
    q *= w_vec
    with np.errstate(invalid="ignore", over="ignore"):
        p *= np.sum(q, axis=-1, keepdims=True)
        p -= q
        p *= scale
    return np.moveaxis(p, -1, class_dim)


def _index_grad_rows(z, y, kept, w_y, w_vec, eps: float, scale: float) -> np.ndarray:
    """``s [(1 - eps) w_y (p - e_y) + eps/C (p sum w - w)]`` for one chunk, 0 where ignored."""
    class_dim = 0 if z.ndim == 1 else 1
    n_classes = z.shape[class_dim]
    p, exps, total = softmax_last(np.moveaxis(z.astype(np.float64), class_dim, -1))
    is_target = np.arange(n_classes) == y[..., None]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        # p - e_y, with p_y - 1 = -(sum of the other classes' exps) / total: no cancellation.
        exps[is_target] = 0.0
        others = np.sum(exps, axis=-1, keepdims=True)
        grad = np.where(is_target, -others / total, p)
        grad *= (1 - eps) * (w_y[..., None] * scale)
        if eps > 0 and n_classes:
            grad += (eps / n_classes) * scale * (p * np.sum(w_vec) - w_vec)
    grad[~np.broadcast_to(kept[..., None], grad.shape)] = 0.0
    return np.moveaxis(grad, -1, class_dim)


def nll_loss_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.nll_loss` with respect to the log-probabilities.

    .. math:: \frac{\partial L}{\partial x_{n,c}} = -s\, w_{y_n}\, [c = y_n],

    0 for an ignored sample; :math:`s = 1/\sum_{n\ \text{kept}} w_{y_n}` for 'mean', 1 for 'sum'
    and 'none'. The loss is linear in ``input``, so the gradient does not depend on its values.
    Every target ignored with 'mean' gives 0 (the loss is ``nan``), as in PyTorch; kept targets
    whose weights sum to 0 give ``nan`` at their entries.

    Parameters
    ----------
    input : array_like, shape (C), (N, C) or (N, C, d1, ...)
        Log-probabilities (classes on dim 1, or 0 for 1-D input).
    target : array_like of int, shape (), (N) or (N, d1, ...)
        Class indices in [0, C), or ``ignore_index``.
    weight : array_like, shape (C), optional
        A weight per class; default all 1.
    ignore_index : int, default -100
        Targets equal to it get a zero gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        Non-numeric arrays; floating class indices; ``ignore_index`` not an int.
    ValueError
        Ragged lists; shapes that do not fit; an unknown ``reduction``; a class index out of
        range (:class:`~lossbook.functional.TargetOutOfBoundsError`, also an :class:`IndexError`).

    See Also
    --------
    cross_entropy_grad : the same composed with log-softmax.

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.nll_loss(x, target, weight, ignore_index=ignore_index,
    reduction=reduction).sum().backward()``.

    References
    ----------
    Goodfellow, Bengio and Courville (2016), section 5.5 (maximum likelihood).

    Examples
    --------
    >>> nll_loss_grad(np.log([[0.5, 0.5], [0.9, 0.1]]), np.array([0, 1]))
    array([[-0.5,  0. ],
           [ 0. , -0.5]])
    >>> nll_loss_grad(np.zeros((2, 2)), np.array([0, 1]), weight=np.array([1.0, 3.0]))
    array([[-0.25,  0.  ],
           [ 0.  , -0.75]])
    """
    check_reduction(reduction)
    ignore_index = check_int(ignore_index, "ignore_index")
    x = as_floating(input, "input")
    class_dim = class_dim_of(x)
    n_classes = x.shape[class_dim]
    y = checked_targets(x, target, ignore_index)
    w = checked_weight(weight, n_classes, np.float64)
    kept = y != ignore_index
    safe_y = np.where(kept, y, 0)
    w_y = np.where(kept, 1.0 if w is None else (w[safe_y] if n_classes else 0.0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_unit = -1.0 if reduction != "mean" else -1.0 / np.sum(w_y)  # PyTorch: -grad/total
        values = np.where(kept, w_y * per_unit, 0.0).astype(x.dtype)
    out = np.zeros(x.shape, x.dtype)
    if n_classes:
        np.put_along_axis(
            out,
            np.expand_dims(safe_y, class_dim),
            np.expand_dims(values, class_dim),
            axis=class_dim,
        )
    return out


# --------------------------------------------------------------------------------------------
# binary cross-entropy
# --------------------------------------------------------------------------------------------
def binary_cross_entropy_grad(
    input: ArrayLike, target: ArrayLike, weight: ArrayLike | None = None, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.binary_cross_entropy` in its probabilities.

    As PyTorch's backward computes it:

    .. math:: \frac{\partial L}{\partial p} = s\, w\, \frac{p - y}{\max(p(1 - p),\ 10^{-12})},

    :math:`s = 1/\text{input.size}` for 'mean', 1 otherwise. For :math:`0 < p < 1` (and
    :math:`p(1-p) \ge 10^{-12}`) this is the exact derivative of
    :math:`-w[y\log p + (1-y)\log(1-p)]`. At :math:`p \in \{0, 1\}` the loss is clamped (each log at
    -100, so it is flat there) but PyTorch's backward ignores the clamp: it returns about
    :math:`\pm 10^{12}\,s\,w` where :math:`p \ne y`, and 0 where :math:`p = y`. So does this
    function, with PyTorch's constant :data:`BCE_GRAD_EPSILON` (1e-12 rounded to float32).

    Parameters
    ----------
    input : array_like
        Probabilities in [0, 1].
    target : array_like, shape of ``input``
        Targets in [0, 1].
    weight : array_like, optional
        Per-element weights, broadcast to the shape of ``input``; default all 1.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        Arguments that are not real numeric arrays.
    ValueError
        Ragged lists; entries of ``input`` or ``target`` outside [0, 1] (nan included);
        different shapes; ``weight`` that does not broadcast; an unknown ``reduction``.

    See Also
    --------
    binary_cross_entropy_with_logits_grad : the stable choice for training.

    Notes
    -----
    PyTorch: ``p.grad`` after ``F.binary_cross_entropy(p, target, weight,
    reduction=reduction).sum().backward()``.

    References
    ----------
    C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006), section 4.3.2.

    Examples
    --------
    >>> binary_cross_entropy_grad(np.array([0.8, 0.5]), np.array([1.0, 0.0]), reduction='sum')
    array([-1.25,  2.  ])
    >>> binary_cross_entropy_grad(np.array([0.0, 0.0]), np.array([0.0, 1.0]), reduction='sum')
    array([ 0.00000000e+00, -1.00000000e+12])
    """
    check_reduction(reduction)
    p = as_floating(input, "input")
    y = as_floating(target, "target", p.dtype)
    check_same_shape(p, y, ("input", "target"))
    check_bce_probabilities(p, y)
    scale = mean_scale(reduction, p.size)
    arrays = [p, y] + _broadcast_weights(weight, None, y.shape)[:1]

    def terms(p_chunk, y_chunk, w_chunk=None):
        p_chunk = p_chunk.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            grad = (p_chunk - y_chunk) / np.maximum(p_chunk * (1 - p_chunk), BCE_GRAD_EPSILON)
            return grad * scale if w_chunk is None else grad * w_chunk * scale

    return map_chunks(terms, arrays, np.empty(p.shape, p.dtype))


def _broadcast_weights(weight, pos_weight, shape) -> list:
    """``weight`` and ``pos_weight`` (those given), each broadcast to ``shape`` as a view."""
    found = []
    for name, values in (("weight", weight), ("pos_weight", pos_weight)):
        if values is not None:
            found.append(broadcast_to_shape(as_floating(values, name), shape, name, "target"))
    return found


def binary_cross_entropy_with_logits_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
    pos_weight: ArrayLike | None = None,
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.binary_cross_entropy_with_logits` in the logits.

    .. math:: \frac{\partial L}{\partial x} = s\, w\,\big[\sigma(x)\,(1 + (p_w - 1)y) - p_w y\big]
              = s\, w\,\big[(1 - y)\,\sigma(x) - p_w\, y\, \sigma(-x)\big],

    :math:`s = 1/\text{input.size}` for 'mean', 1 otherwise; without ``pos_weight``
    (:math:`p_w = 1`) it is :math:`s\,w\,(\sigma(x) - y)`. The second form is the one evaluated:
    for :math:`y \in \{0, 1\}` it has a single term, so a confident correct prediction gets its
    small gradient :math:`-p_w\sigma(-x)` to full relative accuracy, where
    :math:`\sigma(x) - 1` would round to 0 (PyTorch's backward computes that difference).

    Parameters
    ----------
    input : array_like
        Logits.
    target : array_like, shape of ``input``
        Targets, usually in [0, 1] (not checked, as in PyTorch).
    weight : array_like, optional
        Per-element weights, broadcast to the shape of ``input``; default all 1.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    pos_weight : array_like, optional
        Weight of the positive term, broadcast against ``target`` (shape (C,) for (N, C));
        default 1.

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        Arguments that are not real numeric arrays.
    ValueError
        Ragged lists; different shapes; ``weight`` or ``pos_weight`` that do not broadcast; an
        unknown ``reduction``.

    See Also
    --------
    binary_cross_entropy_grad

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.binary_cross_entropy_with_logits(x, target, weight,
    reduction=reduction, pos_weight=pos_weight).sum().backward()``.

    References
    ----------
    Bishop (2006), section 4.3.2 (the gradient of the logistic regression error is
    :math:`(\sigma - y)\,\phi`).

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad(np.array([0.0, 0.0]), np.array([1.0, 0.0]),
    ...                                       reduction='sum')
    array([-0.5,  0.5])
    >>> binary_cross_entropy_with_logits_grad(np.array([0.0]), np.array([1.0]), reduction='sum',
    ...                                       pos_weight=np.array([3.0]))
    array([-1.5])
    >>> binary_cross_entropy_with_logits_grad(np.array([40.0]), np.array([1.0]), reduction='sum')
    array([-4.24835426e-18])
    """
    check_reduction(reduction)
    x = as_floating(input, "input")
    y = as_floating(target, "target", x.dtype)
    check_same_shape(x, y, ("input", "target"))
    scale = mean_scale(reduction, x.size)
    weights = _broadcast_weights(weight, pos_weight, y.shape)
    has_weight, has_pos_weight = weight is not None, pos_weight is not None

    def terms(x_chunk, y_chunk, *extra):
        x_chunk, y_chunk = x_chunk.astype(np.float64), y_chunk.astype(np.float64)
        w_chunk = extra[0] if has_weight else 1.0
        positive = extra[-1] if has_pos_weight else 1.0
        with np.errstate(invalid="ignore", over="ignore"):
            grad = (1 - y_chunk) * stable_sigmoid(x_chunk)
            grad -= positive * y_chunk * stable_sigmoid(-x_chunk)
            grad *= w_chunk
            grad *= scale
        return grad

    return map_chunks(terms, [x, y] + weights, np.empty(x.shape, x.dtype))


# --------------------------------------------------------------------------------------------
# KL divergence and squared error
# --------------------------------------------------------------------------------------------
def kl_div_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", log_target: bool = False
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.kl_div` with respect to ``input`` (= log q).

    The pointwise loss :math:`t\log t - t\,x` (or :math:`e^{t}(t - x)` with ``log_target``) is
    linear in :math:`x`:

    .. math:: \frac{\partial L}{\partial x} = -s\, t \quad\text{or}\quad -s\, e^{t},

    :math:`s = 1/\text{input.shape[0]}` for 'batchmean' (1 for 0-d input), :math:`1/\text{size}`
    for 'mean' (the size of the broadcast of ``input`` and ``target``), 1 for 'sum' and 'none'.
    It does not depend on ``input`` (not even where ``input`` is :math:`-\infty`), and it is not
    the gradient with respect to the *logits* of q: for :math:`x = \operatorname{log\_softmax}(z)`
    the chain rule gives :math:`s\,(q \textstyle\sum_c t_c - t)`, as for cross-entropy.

    ``target`` may broadcast against ``input``; where it is larger, the gradient is summed over the
    broadcast axes (as autograd does).

    Parameters
    ----------
    input : array_like
        Log-probabilities of the model.
    target : array_like, broadcastable with ``input``
        Probabilities of the data (log-probabilities with ``log_target=True``).
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
    log_target : bool, default False
        Whether ``target`` holds log-probabilities (a bool: the string 'False' is refused).

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        Non-numeric arrays; ``log_target`` not a bool.
    ValueError
        Ragged lists; shapes that do not broadcast; an unknown ``reduction``.

    See Also
    --------
    cross_entropy_grad

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.kl_div(x, target, reduction=reduction,
    log_target=log_target).sum().backward()``.

    References
    ----------
    .. [1] S. Kullback and R. A. Leibler, "On information and sufficiency", *Ann. Math.
       Statist.* 22 (1951), 79–86. https://doi.org/10.1214/aoms/1177729694

    Examples
    --------
    >>> kl_div_grad(np.log([[0.9, 0.1], [0.5, 0.5]]), np.array([[0.5, 0.5], [0.2, 0.8]]),
    ...             reduction='batchmean')
    array([[-0.25, -0.25],
           [-0.1 , -0.4 ]])
    >>> kl_div_grad(np.zeros(2), np.log([0.25, 0.75]), reduction='sum', log_target=True)
    array([-0.25, -0.75])
    """
    check_reduction(reduction, REDUCTIONS + ("batchmean",))
    log_target = check_bool(log_target, "log_target")
    x = as_floating(input, "input")
    t = as_floating(target, "target")
    try:
        shape = np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise ValueError(
            f"target of shape {t.shape} cannot be broadcast with input of shape {x.shape}"
        ) from None
    if reduction == "batchmean":
        scale = mean_scale("mean", x.shape[0]) if x.ndim else 1.0
    else:
        scale = mean_scale(reduction, int(np.prod(shape)))

    def terms(t_chunk):
        with np.errstate(over="ignore", invalid="ignore"):
            grad = (
                -np.exp(t_chunk.astype(np.float64)) if log_target else -t_chunk.astype(np.float64)
            )
            return grad * scale + 0.0

    if shape == x.shape:
        return map_chunks(terms, [np.broadcast_to(t, shape)], np.empty(x.shape, x.dtype))
    grad = sum_to_shape(np.broadcast_to(terms(t), shape), x.shape)
    return grad.reshape(x.shape).astype(x.dtype)
