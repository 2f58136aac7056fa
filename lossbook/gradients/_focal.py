"""Gradients of the focal losses."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..functional._classification import binary_cross_entropy_with_logits
from ..functional._focal import (
    sigmoid_focal_loss,
    sigmoid_parts,
    softmax_focal_loss,
    target_probability_parts,
)
from ._common import float64_input, mean_scale


def sigmoid_focal_loss_grad(
    inputs: ArrayLike,
    targets: ArrayLike,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.sigmoid_focal_loss` with respect to ``inputs``.

    With :math:`u = 1 - p_t = y\,\sigma(-x) + (1 - y)\,\sigma(x)` and the cross-entropy
    :math:`c = -y\log\sigma(x) - (1 - y)\log\sigma(-x)`,

    .. math::

        \frac{\partial \ell}{\partial x} = s\,\alpha_t \Big[(\sigma(x) - y)\,u^{\gamma}
            + \gamma\, c\, u^{\gamma}\,(1 - 2y)\,\frac{\sigma(x)\,\sigma(-x)}{u}\Big],

    :math:`s` = 1/``inputs.size`` for 'mean', 1 otherwise. The second term is the focusing
    term: for a correct, confident prediction both :math:`u^\gamma` and the first bracket vanish.

    Parameters
    ----------
    inputs, targets : array_like, same shape
        Logits and labels in [0, 1], as for the loss.
    alpha : float, default 0.25
        In [0, 1], or -1 for no class weighting.
    gamma : float, default 2.0
        Focusing exponent, at least 0.
    reduction : {'none', 'mean', 'sum'}, default 'none'

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``inputs`` (computed in float64).

    Raises
    ------
    TypeError, ValueError
        As :func:`lossbook.functional.sigmoid_focal_loss`.

    See Also
    --------
    lossbook.functional.sigmoid_focal_loss, binary_cross_entropy_with_logits_grad

    Notes
    -----
    PyTorch: ``x.grad`` after ``sigmoid_focal_loss(x, y, alpha, gamma, reduction).sum()
    .backward()`` with torchvision's function.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal loss for dense object detection", *ICCV* (2017),
       doi:10.1109/ICCV.2017.324.

    Examples
    --------
    >>> sigmoid_focal_loss_grad(np.array([0.0, 2.0]), np.array([1.0, 1.0]), alpha=-1)
    array([-0.2982868 , -0.00487094])
    """
    sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction)  # the loss's own checks
    x, dtype = float64_input(inputs, "inputs")
    y = float64_input(targets, "targets")[0]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        sig, sig_neg, _ = sigmoid_parts(x)
        u = y * sig_neg + (1 - y) * sig
        ce = binary_cross_entropy_with_logits(x, y, reduction="none")
        focused = u**gamma
        grad = (sig - y) * focused
        if gamma != 0:
            ratio = np.divide(sig * sig_neg, u, out=np.ones_like(u), where=u > 0)
            grad += gamma * ce * focused * (1 - 2 * y) * ratio
    if alpha != -1:
        grad *= alpha * y + (1 - alpha) * (1 - y)
    return (grad * mean_scale(reduction, x.size)).astype(dtype)


def softmax_focal_loss_grad(
    input: ArrayLike,
    target: ArrayLike,
    alpha: ArrayLike | None = None,
    gamma: float = 2.0,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.softmax_focal_loss` with respect to ``input``.

    With :math:`q = \operatorname{softmax}(x)`, :math:`u = 1 - q_y` and
    :math:`c = -\log q_y`,

    .. math::

        \frac{\partial \ell}{\partial x_j} = s\,\alpha_y\,(q_j - \delta_{jy})\,
            u^{\gamma}\Big(1 + \gamma\, q_y\,\frac{c}{u}\Big),

    which at :math:`\gamma = 0` is the weighted cross-entropy gradient
    :math:`s\,\alpha_y (q - e_y)`. :math:`s` is 1/:math:`\sum_n \alpha_{y_n}` for 'mean', 1
    otherwise; :math:`c/u \to 1` as :math:`u \to 0`.

    Parameters
    ----------
    input, target, alpha, gamma, ignore_index, reduction
        As :func:`lossbook.functional.softmax_focal_loss`.

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input`` (computed in float64).

    Raises
    ------
    TypeError, ValueError
        As :func:`lossbook.functional.softmax_focal_loss`.

    See Also
    --------
    lossbook.functional.softmax_focal_loss, cross_entropy_grad

    Notes
    -----
    PyTorch has no softmax focal loss: this is ``x.grad`` after ``loss.sum().backward()`` for the
    composition given in :func:`lossbook.functional.softmax_focal_loss`. :math:`u` and
    :math:`c` are that function's accurate values; :math:`c/u` is taken as 1 where :math:`u`
    underflows to 0. Computed in float64.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal loss for dense object detection", *ICCV* (2017),
       doi:10.1109/ICCV.2017.324.

    Examples
    --------
    >>> softmax_focal_loss_grad(np.array([[0.0, 0.0]]), np.array([0]), gamma=0.0)
    array([[-0.5,  0.5]])
    """
    softmax_focal_loss(input, target, alpha, gamma, ignore_index, reduction)  # the checks
    x, dtype = float64_input(input)
    y = np.asarray(target).astype(np.int64)
    class_dim = 0 if x.ndim == 1 else 1
    kept = y != ignore_index
    safe_y = np.where(kept, y, 0)
    weights = kept.astype(np.float64)
    if alpha is not None:
        weights = weights * np.asarray(alpha, dtype=np.float64)[safe_y]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        u, c = (part.astype(np.float64) for part in target_probability_parts(x, safe_y, class_dim))
        q = np.exp(x - np.max(x, axis=class_dim, keepdims=True))
        q /= np.sum(q, axis=class_dim, keepdims=True)
        q_y = 1 - u
        ratio = np.where(u > 0, c / np.where(u > 0, u, 1), 1.0)
        factor = u**gamma * (1 + gamma * q_y * ratio) * weights
    index = np.expand_dims(safe_y, class_dim)
    np.put_along_axis(q, index, -np.expand_dims(u, class_dim), axis=class_dim)
    grad = q * np.expand_dims(factor, class_dim)
    if reduction == "mean":
        total = np.sum(weights)
        grad = grad / total if total else np.zeros_like(grad)
    return grad.astype(dtype)
