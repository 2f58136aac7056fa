r"""Analytic gradients of the losses of :mod:`lossbook.functional`, and a numerical gradient.

Each ``<loss>_grad`` function takes the arguments of the loss in :mod:`lossbook.functional` (the
same names, defaults and checks) and returns :math:`\partial L / \partial\, \text{input}`, where
:math:`L` is the loss *with the same reduction*: an array of the shape of ``input``. It is what
PyTorch's autograd leaves in ``input.grad`` after ``loss.backward()``::

    x = torch.tensor(input, requires_grad=True)
    F.cross_entropy(x, target, reduction=reduction).sum().backward()
    x.grad          # == cross_entropy_grad(input, target, reduction=reduction)

Conventions
-----------
* ``reduction='none'``: the loss is an array, and its "gradient" is that of ``loss.sum()``. Each
  sample's loss depends only on its own entries of ``input`` (its row, or its pixel for
  (N, C, d1, ...) input), so entry :math:`n` of the result is the gradient of sample :math:`n`'s
  own loss: the per-sample gradients, all in one array.
* dtype: the result has the floating dtype of ``input`` (float32 in, float32 out; integer input
  gives float64). The arithmetic is done in float64 and rounded once at the end.
* Where PyTorch's gradient is ``nan`` or 0 in an edge case, so is this one, quietly (nothing here
  warns). In particular, with ``reduction='mean'`` and *every* target ignored the loss is ``nan``
  (0/0) but PyTorch's gradient is **0**: the backward pass writes only the entries of kept targets.
* Arguments are checked as in :mod:`lossbook.functional` (the same helpers and messages): an
  unknown ``reduction`` or mismatched shapes raise :class:`ValueError`, float class indices
  :class:`TypeError`, a class index outside ``[0, C)``
  :class:`~lossbook.functional.TargetOutOfBoundsError` (both a :class:`ValueError` and an
  :class:`IndexError`: "Target 4 is out of bounds").

Formulas (:math:`p = \operatorname{softmax}(x)`, :math:`\sigma` the logistic sigmoid, :math:`s`
the reduction's scale: 1 for 'sum' and 'none', 1/(what 'mean' divides by) for 'mean'):

=====================================  ====================================================
loss                                   :math:`\partial L / \partial x` (one sample)
=====================================  ====================================================
cross-entropy, class index :math:`y`   :math:`s\, w_y\, (p - e_y)`
cross-entropy, probabilities :math:`q` :math:`s\, (p \sum_c w_c q_c - w \odot q)`
NLL                                    :math:`-s\, w_y\, e_y`
BCE (of probabilities)                 :math:`s\, w\, (p - y) / \max(p(1-p), 10^{-12})`
BCE with logits                        :math:`s\, w\, [(1-y)\sigma(x) - p_w\, y\, \sigma(-x)]`
KL divergence                          :math:`-s\, t` (or :math:`-s\, e^{t}` with ``log_target``)
MSE                                    :math:`2 s\, (x - y)`
=====================================  ====================================================

References
----------
I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016), sections 6.2.2 and
6.5 (output units and back-propagation).

J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer (2006), section 8.1
(finite-difference derivative approximations).
"""
from __future__ import annotations

import numbers

import numpy as np

from .functional import (
    DimensionOutOfRangeError,
    TargetOutOfBoundsError,
    _broadcast_to,
    _check_bce_probabilities,
    _check_reduction,
    _checked_targets,
    _checked_weight,
    _class_dim,
    _floating,
    _normalise_dim,
    _REDUCTIONS,
    _same_shape,
)

__all__ = [
    "cross_entropy_grad",
    "nll_loss_grad",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits_grad",
    "kl_div_grad",
    "mse_loss_grad",
    "cosine_similarity_grad",
    "numerical_gradient",
    "TargetOutOfBoundsError",
    "DimensionOutOfRangeError",
]

BCE_GRAD_EPSILON = float(np.float32(1e-12))
"""PyTorch's ``binary_cross_entropy`` backward divides by ``max(p(1 - p), 1e-12)``, its 1e-12 being
a float32 constant: 9.99999996e-13, also in float64 (so |p - y| = 1 there gives ±1.000000004e12
before the reduction's scale)."""


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def _input(values, name: str = "input") -> tuple[np.ndarray, np.dtype]:
    """``values`` as float64 for the arithmetic, and the dtype of the result."""
    array = _floating(values, name)
    return array.astype(np.float64, copy=False), array.dtype


def _mean_scale(reduction: str, count: int) -> float:
    """1 for 'sum' and 'none' (the gradient of the sum), 1/count for 'mean' (inf if count is 0)."""
    if reduction != "mean":
        return 1.0
    return 1.0 / count if count else np.inf


def _sum_to_shape(values: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``values`` over the axes along which an array of ``shape`` was broadcast to its shape."""
    extra = values.ndim - len(shape)
    values = np.sum(values, axis=tuple(range(extra))) if extra else values
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and values.shape[i] != 1)
    return np.sum(values, axis=stretched, keepdims=True) if stretched else values


def _softmax_last(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Softmax along the last axis, with its pieces ``exps = exp(z - max)`` and their ``total``.

    A row holding ``+inf`` or only ``-inf`` gives ``nan`` (as PyTorch's ``log_softmax``).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.max(z, axis=-1, keepdims=True) if z.shape[-1] else np.zeros(z.shape[:-1] + (1,))
        exps = np.exp(z - m)
        total = np.sum(exps, axis=-1, keepdims=True)
        return exps / total, exps, total


def _sigmoid(x: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(x)`, as :math:`e^{x}/(1 + e^{x})` for :math:`x < 0`: nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# --------------------------------------------------------------------------------------------
# cross-entropy and NLL
# --------------------------------------------------------------------------------------------
def cross_entropy_grad(input, target, weight=None, ignore_index: int = -100,
                       reduction: str = "mean", label_smoothing: float = 0.0) -> np.ndarray:
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
    weight, ignore_index, reduction, label_smoothing
        As in :func:`lossbook.functional.cross_entropy`.

    Returns
    -------
    ndarray, shape and dtype of ``input``
        For 'none', the gradient of the sum of the per-sample losses (each sample's own gradient).

    See Also
    --------
    nll_loss_grad, lossbook.functional.cross_entropy

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.cross_entropy(x, target, weight, ignore_index=ignore_index,
    reduction=reduction, label_smoothing=label_smoothing).sum().backward()``.

    References
    ----------
    Goodfellow, Bengio and Courville (2016), section 6.2.2.3 (softmax units); C. Szegedy et al.,
    "Rethinking the Inception architecture for computer vision", *CVPR* (2016) (label smoothing).

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
    _check_reduction(reduction)
    x, dtype = _input(input)
    class_dim = _class_dim(x)
    n_classes = x.shape[class_dim]
    if not (isinstance(label_smoothing, numbers.Real) and 0.0 <= label_smoothing <= 1.0):
        raise ValueError(f"label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    eps = float(label_smoothing)
    w = _checked_weight(weight, n_classes, np.float64)
    w_vec = np.ones(n_classes) if w is None else w
    target_array = np.asarray(target)
    p, exps, total = _softmax_last(np.moveaxis(x, class_dim, -1))   # classes last: (..., C)

    if target_array.shape == x.shape:                       # class probabilities
        if target_array.dtype.kind != "f":
            raise TypeError(
                f"target has the shape of input, so it is read as class probabilities, which must "
                f"be floating point; got dtype {target_array.dtype}"
            )
        if ignore_index >= 0:
            raise ValueError(f"ignore_index={ignore_index} is not supported for class-probability "
                             f"targets (it must be negative)")
        q = np.moveaxis(target_array.astype(np.float64), class_dim, -1)
        if eps > 0:
            q = q * (1 - eps) + eps / n_classes
        wq = w_vec * q
        scale = _mean_scale(reduction, x.size // n_classes if n_classes else 0)
        with np.errstate(invalid="ignore", over="ignore"):
            grad = scale * (p * np.sum(wq, axis=-1, keepdims=True) - wq)
        return np.moveaxis(grad, -1, class_dim).astype(dtype)

    y = _checked_targets(x, target_array, ignore_index)
    kept = y != ignore_index
    safe_y = np.where(kept, y, 0)[..., None]                # (..., 1)
    is_target = np.arange(n_classes) == safe_y               # (..., C)
    w_y = np.where(kept, w_vec[safe_y[..., 0]] if n_classes else 0.0, 0.0)[..., None]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        # p - e_y, with p_y - 1 = -(sum of the other classes' exps) / total: no cancellation.
        others = np.sum(np.where(is_target, 0.0, exps), axis=-1, keepdims=True)
        p_minus_e = np.where(is_target, -others / total, p)
        scale = 1.0 if reduction != "mean" else 1.0 / np.sum(w_y)
        grad = (1 - eps) * (w_y * scale) * p_minus_e
        if eps > 0:
            grad = grad + (eps / n_classes) * scale * (p * np.sum(w_vec) - w_vec)
    grad = np.where(kept[..., None], grad, 0.0)
    return np.moveaxis(grad, -1, class_dim).astype(dtype)


def nll_loss_grad(input, target, weight=None, ignore_index: int = -100,
                  reduction: str = "mean") -> np.ndarray:
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
    weight, ignore_index, reduction
        As in :func:`lossbook.functional.nll_loss`.

    Returns
    -------
    ndarray, shape and dtype of ``input``

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
    _check_reduction(reduction)
    x, dtype = _input(input)
    class_dim = _class_dim(x)
    n_classes = x.shape[class_dim]
    y = _checked_targets(x, target, ignore_index)
    w = _checked_weight(weight, n_classes, np.float64)
    kept = y != ignore_index
    safe_y = np.where(kept, y, 0)
    w_y = np.where(kept, 1.0 if w is None else (w[safe_y] if n_classes else 0.0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_unit = -1.0 if reduction != "mean" else -1.0 / np.sum(w_y)   # PyTorch: -grad/total
        values = np.where(kept, w_y * per_unit, 0.0)
    is_target = np.arange(n_classes) == safe_y[..., None]
    grad = np.where(is_target & kept[..., None], values[..., None], 0.0)
    return np.moveaxis(grad, -1, class_dim).astype(dtype)


# --------------------------------------------------------------------------------------------
# binary cross-entropy
# --------------------------------------------------------------------------------------------
def binary_cross_entropy_grad(input, target, weight=None, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.binary_cross_entropy` with respect to the
    probabilities ``input``, as PyTorch's backward computes it:

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
        Per-element weights, broadcast to the shape of ``input``.
    reduction : {'mean', 'sum', 'none'}

    Returns
    -------
    ndarray, shape and dtype of ``input``

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
    _check_reduction(reduction)
    p, dtype = _input(input)
    y = _floating(target, "target", np.float64)
    _same_shape(p, y, ("input", "target"))
    _check_bce_probabilities(p, y)
    grad = (p - y) / np.maximum(p * (1 - p), BCE_GRAD_EPSILON)
    if weight is not None:
        grad = grad * _broadcast_to(_floating(weight, "weight", np.float64), y.shape, "weight",
                                    "target")
    return (grad * _mean_scale(reduction, p.size)).astype(dtype)


def binary_cross_entropy_with_logits_grad(input, target, weight=None, reduction: str = "mean",
                                          pos_weight=None) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.binary_cross_entropy_with_logits` with respect to
    the logits ``input``:

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
        Per-element weights, broadcast to the shape of ``input``.
    reduction : {'mean', 'sum', 'none'}
    pos_weight : array_like, optional
        Weight of the positive term, broadcast against ``target`` (shape (C,) for (N, C)).

    Returns
    -------
    ndarray, shape and dtype of ``input``

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
    _check_reduction(reduction)
    x, dtype = _input(input)
    y = _floating(target, "target", np.float64)
    _same_shape(x, y, ("input", "target"))
    if pos_weight is None:
        positive_weight = 1.0
    else:
        positive_weight = _broadcast_to(_floating(pos_weight, "pos_weight", np.float64), y.shape,
                                        "pos_weight", "target")
    with np.errstate(invalid="ignore", over="ignore"):
        grad = (1 - y) * _sigmoid(x) - positive_weight * y * _sigmoid(-x)
        if weight is not None:
            grad = grad * _broadcast_to(_floating(weight, "weight", np.float64), y.shape, "weight",
                                        "target")
    return (grad * _mean_scale(reduction, x.size)).astype(dtype)


# --------------------------------------------------------------------------------------------
# KL divergence and squared error
# --------------------------------------------------------------------------------------------
def kl_div_grad(input, target, reduction: str = "mean", log_target: bool = False) -> np.ndarray:
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
    reduction : {'mean', 'batchmean', 'sum', 'none'}
    log_target : bool

    Returns
    -------
    ndarray, shape and dtype of ``input``

    See Also
    --------
    cross_entropy_grad

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.kl_div(x, target, reduction=reduction,
    log_target=log_target).sum().backward()``.

    References
    ----------
    S. Kullback and R. A. Leibler, "On information and sufficiency", *Ann. Math. Statist.* 22
    (1951), 79–86.

    Examples
    --------
    >>> kl_div_grad(np.log([[0.9, 0.1], [0.5, 0.5]]), np.array([[0.5, 0.5], [0.2, 0.8]]),
    ...             reduction='batchmean')
    array([[-0.25, -0.25],
           [-0.1 , -0.4 ]])
    >>> kl_div_grad(np.zeros(2), np.log([0.25, 0.75]), reduction='sum', log_target=True)
    array([-0.25, -0.75])
    """
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    x, dtype = _input(input)
    t = _floating(target, "target", np.float64)
    try:
        shape = np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise ValueError(f"target of shape {t.shape} cannot be broadcast with input of shape "
                         f"{x.shape}") from None
    with np.errstate(over="ignore"):
        grad = -np.exp(t) if log_target else -t
    grad = _sum_to_shape(np.broadcast_to(grad, shape), x.shape)
    if reduction == "batchmean":
        scale = _mean_scale("mean", x.shape[0]) if x.ndim else 1.0
    else:
        scale = _mean_scale(reduction, int(np.prod(shape)))
    return (grad * scale + 0.0).reshape(x.shape).astype(dtype)


def mse_loss_grad(input, target, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.mse_loss` with respect to ``input``:

    .. math:: \frac{\partial L}{\partial x} = 2\, s\, (x - y),

    :math:`s = 1/\text{input.size}` for 'mean', 1 for 'sum' and 'none'. As in
    :func:`lossbook.functional.mse_loss`, ``target`` must have the shape of ``input``.

    Parameters
    ----------
    input, target : array_like, same shape
    reduction : {'mean', 'sum', 'none'}

    Returns
    -------
    ndarray, shape and dtype of ``input``

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.mse_loss(x, target, reduction=reduction).sum().backward()``.

    References
    ----------
    Goodfellow, Bengio and Courville (2016), section 5.5.1 (squared error as Gaussian NLL).

    Examples
    --------
    >>> mse_loss_grad(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    array([1., 2.])
    """
    _check_reduction(reduction)
    x, dtype = _input(input)
    y = _floating(target, "target", np.float64)
    _same_shape(x, y, ("input", "target"))
    return (2 * _mean_scale(reduction, x.size) * (x - y)).astype(dtype)


# --------------------------------------------------------------------------------------------
# cosine similarity
# --------------------------------------------------------------------------------------------
def _norm_kept(x: np.ndarray, axis: int) -> np.ndarray:
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
    a, dtype1 = _input(x1, "x1")
    b, dtype2 = _input(x2, "x2")
    if not (isinstance(eps, numbers.Real) and eps >= 0):
        raise ValueError(f"eps must be a non-negative number, got {eps!r}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"x1 of shape {a.shape} and x2 of shape {b.shape} cannot be broadcast "
                         f"together") from None
    axis = _normalise_dim(dim, len(shape))
    full_shape = shape if shape else (1,)
    aa = np.broadcast_to(a, shape).reshape(full_shape)
    bb = np.broadcast_to(b, shape).reshape(full_shape)
    eps = float(eps)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        n1, n2 = _norm_kept(aa, axis), _norm_kept(bb, axis)
        d1, d2 = np.maximum(n1, eps), np.maximum(n2, eps)
        u1, u2 = aa / d1, bb / d2
        cos = np.sum(u1 * u2, axis=axis, keepdims=True)
        g1 = (u2 - np.where(n1 >= eps, cos, 0.0) * u1) / d1
        g2 = (u1 - np.where(n2 >= eps, cos, 0.0) * u2) / d2
    g1 = _sum_to_shape(g1.reshape(shape), a.shape).reshape(a.shape)
    g2 = _sum_to_shape(g2.reshape(shape), b.shape).reshape(b.shape)
    return g1.astype(dtype1), g2.astype(dtype2)


# --------------------------------------------------------------------------------------------
# numerical gradient
# --------------------------------------------------------------------------------------------
def numerical_gradient(f, x, h=None) -> np.ndarray:
    r"""Central-difference gradient of a scalar function ``f`` at the point ``x``.

    .. math:: \frac{\partial f}{\partial x_i} \approx
              \frac{f(x + h_i e_i) - f(x - h_i e_i)}{2 h_i},

    with :math:`h_i = \sqrt[3]{\varepsilon}\,\max(1, |x_i|) \approx 6.06 \times 10^{-6}
    \max(1, |x_i|)` by default (:math:`\varepsilon = 2^{-52}`): the step that balances the
    truncation error :math:`O(h^2 f''')` against the rounding error :math:`O(\varepsilon f / h)`,
    leaving a relative error of about :math:`\varepsilon^{2/3} \approx 4 \times 10^{-11}` for a
    smooth, well-scaled ``f``. The divisor is the step actually taken,
    :math:`(x_i + h_i) - (x_i - h_i)` in floating point.

    ``f`` is called :math:`2n` times (``n = x.size``) with float64 arrays of the shape of ``x``
    (a float32 ``x`` is converted: differences of float32 values would be too coarse) and must
    return a scalar (a number or a 0-d array). Meant for checking gradients on small arrays.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``.
    x : array_like of real numbers
        The point; any shape, 0-d included.
    h : float or array_like, optional
        Step(s), positive, broadcast to the shape of ``x``.

    Returns
    -------
    ndarray of float64, shape of ``x``

    References
    ----------
    Nocedal and Wright (2006), section 8.1.

    Examples
    --------
    >>> x = np.array([1.0, -2.0, 0.5])
    >>> numerical_gradient(lambda v: np.sum(v ** 3), x)        # 3 x**2
    array([ 3.  , 12.  ,  0.75])
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    point = _floating(x, "x", np.float64).copy()
    if not np.all(np.isfinite(point)):
        raise ValueError("x must be finite")
    if h is None:
        step = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(point))
    else:
        step = _broadcast_to(_floating(h, "h", np.float64), point.shape, "h", "x")
        if not np.all((step > 0) & np.isfinite(step)):
            raise ValueError("h must be positive and finite")

    def value(at: np.ndarray) -> float:
        result = np.asarray(f(at))
        if result.ndim != 0:
            raise ValueError(f"f must return a scalar, got an array of shape {result.shape}")
        return float(result)

    grad = np.empty(point.shape)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + step[index]
        forward, upper = value(point), point[index]
        point[index] = original - step[index]
        backward, lower = value(point), point[index]
        point[index] = original
        grad[index] = (forward - backward) / (upper - lower)
    return grad
