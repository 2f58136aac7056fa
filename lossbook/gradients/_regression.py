"""Gradients of the regression losses."""
from __future__ import annotations

import numpy as np

from .._validation import as_floating, check_reduction, check_same_shape
from ._common import float64_input, mean_scale


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
    check_reduction(reduction)
    x, dtype = float64_input(input)
    y = as_floating(target, "target", np.float64)
    check_same_shape(x, y, ("input", "target"))
    return (2 * mean_scale(reduction, x.size) * (x - y)).astype(dtype)


