r"""Gradients of the regression losses.

Each function takes the arguments of its loss in :mod:`lossbook.functional` (the same checks and
messages) and returns :math:`\partial L/\partial x` for the loss with the same reduction, where
:math:`s` is the reduction's scale: 1 for 'sum' and 'none', 1/N for 'mean' (1/\sum w for the
weighted 'mean' of ``mse_loss`` and ``l1_loss``). The arithmetic is done in float64 and the result
rounded to the dtype of ``input``.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_floating,
    check_bool,
    check_real,
    check_reduction,
    check_same_shape,
)
from ..functional._regression import checked_variance, checked_weight
from ._common import float64_input, mean_scale, sum_to_shape


def float64_pair(input, target) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    """``input`` and ``target`` in float64, one shape, and the dtype of the result."""
    x, dtype = float64_input(input)
    y = as_floating(target, "target", np.float64)
    check_same_shape(x, y, ("input", "target"))
    return x, y, dtype


def scaled_by_weight(grad: np.ndarray, weight, reduction: str, *, divide_by_weight: bool):
    """``grad`` times the weight (if any) and the reduction's scale."""
    w = checked_weight(weight, grad.shape, np.float64)
    if w is not None:
        grad = grad * w
    if w is not None and divide_by_weight and reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / np.sum(w)
    return grad * mean_scale(reduction, grad.size)


def mse_loss_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", weight: ArrayLike | None = None
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.mse_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_n} = 2\, s\, w_n\, (x_n - y_n)

    Parameters
    ----------
    input : array_like
        Predictions, any shape.
    target : array_like
        Targets, the shape of ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The reduction of the loss; :math:`s = 1/N` for 'mean' (:math:`1/\sum_n w_n` with
        ``weight``), 1 otherwise ('none': the gradient of the sum).
    weight : array_like or None, default None
        Per-element weights, the shape of ``input``.

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    ValueError
        If the shapes differ or ``reduction`` is unknown.
    TypeError
        If an array is not real.

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.mse_loss(x, target, reduction=reduction,
    weight=weight).sum().backward()``.

    References
    ----------
    I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016), section 5.5.1.

    See Also
    --------
    lossbook.functional.mse_loss, l1_loss_grad

    Examples
    --------
    >>> mse_loss_grad(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    array([1., 2.])
    """
    check_reduction(reduction)
    x, y, dtype = float64_pair(input, target)
    grad = scaled_by_weight(2 * (x - y), weight, reduction, divide_by_weight=True)
    return grad.astype(dtype)


def l1_loss_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", weight: ArrayLike | None = None
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.l1_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_n} = s\, w_n \operatorname{sign}(x_n - y_n)

    with :math:`\operatorname{sign}(0) = 0`: of the subgradients :math:`[-1, 1]` of
    :math:`|r|` at 0, PyTorch (and this function) picks 0.

    Parameters
    ----------
    input : array_like
        Predictions, any shape.
    target : array_like
        Targets, the shape of ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        As in :func:`mse_loss_grad`.
    weight : array_like or None, default None
        Per-element weights, the shape of ``input``.

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    ValueError
        If the shapes differ or ``reduction`` is unknown.
    TypeError
        If an array is not real.

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.l1_loss(x, target, reduction=reduction,
    weight=weight).sum().backward()``.

    References
    ----------
    R. T. Rockafellar, *Convex Analysis*, Princeton (1970), section 23 (subgradients).

    See Also
    --------
    lossbook.functional.l1_loss, smooth_l1_loss_grad

    Examples
    --------
    >>> l1_loss_grad(np.array([1.0, 0.0, -3.0]), np.zeros(3), reduction='sum')
    array([ 1.,  0., -1.])
    """
    check_reduction(reduction)
    x, y, dtype = float64_pair(input, target)
    grad = scaled_by_weight(np.sign(x - y), weight, reduction, divide_by_weight=True)
    return grad.astype(dtype)


def smooth_l1_loss_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", beta: float = 1.0
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.smooth_l1_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_n}
       = s\,\operatorname{clip}\!\Big(\frac{x_n - y_n}{\beta}, -1, 1\Big) \quad (\beta > 0),
       \qquad s\operatorname{sign}(x_n - y_n) \quad (\beta = 0)

    Parameters
    ----------
    input : array_like
        Predictions, any shape.
    target : array_like
        Targets, the shape of ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The reduction of the loss (:math:`s = 1/N` for 'mean', else 1).
    beta : float, default 1.0
        As in the loss: a finite real number >= 0.

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    ValueError
        If ``beta`` is negative or not finite, the shapes differ, or ``reduction`` is unknown.
    TypeError
        If ``beta`` is not a real number or an array is not real.

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.smooth_l1_loss(x, target, reduction=reduction,
    beta=beta).sum().backward()``; ATen's backward is ``r < -beta ? -1 : r > beta ? 1 : r/beta``.

    References
    ----------
    R. Girshick, "Fast R-CNN", *ICCV* (2015), doi:10.1109/ICCV.2015.169.

    See Also
    --------
    lossbook.functional.smooth_l1_loss, huber_loss_grad

    Examples
    --------
    >>> smooth_l1_loss_grad(np.array([0.5, 3.0]), np.zeros(2), reduction='sum')
    array([0.5, 1. ])
    """
    check_reduction(reduction)
    beta = check_real(beta, "beta", minimum=0.0)
    x, y, dtype = float64_pair(input, target)
    r = x - y
    slope = np.sign(r) if beta == 0 else np.clip(r / beta, -1.0, 1.0)
    return (slope * mean_scale(reduction, r.size)).astype(dtype)


def huber_loss_grad(
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: ArrayLike | None = None,
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.huber_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_n} = s\, w_n \operatorname{clip}(x_n - y_n,
       -\delta, \delta)

    the influence function of the Huber loss: the residual, clipped at :math:`\pm\delta`.

    Parameters
    ----------
    input : array_like
        Predictions, any shape.
    target : array_like
        Targets, the shape of ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The reduction of the loss (:math:`s = 1/N` for 'mean', with or without weight).
    delta : float, default 1.0
        As in the loss: a finite real number > 0.
    weight : array_like or None, default None
        Per-element weights, the shape of ``input``.

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    ValueError
        If ``delta`` is not > 0 and finite, the shapes differ, or ``reduction`` is unknown.
    TypeError
        If ``delta`` is not a real number or an array is not real.

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.huber_loss(x, target, reduction=reduction, delta=delta,
    weight=weight).sum().backward()``.

    References
    ----------
    F. R. Hampel, "The influence curve and its role in robust estimation", *J. Amer. Statist.
    Assoc.* 69 (1974), doi:10.1080/01621459.1974.10482962.

    See Also
    --------
    lossbook.functional.huber_loss, smooth_l1_loss_grad

    Examples
    --------
    >>> huber_loss_grad(np.array([0.5, 3.0, -7.0]), np.zeros(3), reduction='sum', delta=2.0)
    array([ 0.5,  2. , -2. ])
    """
    check_reduction(reduction)
    delta = check_real(delta, "delta", minimum=0.0, strict=True)
    x, y, dtype = float64_pair(input, target)
    grad = scaled_by_weight(
        np.clip(x - y, -delta, delta), weight, reduction, divide_by_weight=False
    )
    return grad.astype(dtype)


def gaussian_nll_loss_grad(
    input: ArrayLike,
    target: ArrayLike,
    var: ArrayLike | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of :func:`lossbook.functional.gaussian_nll_loss` in ``input`` and ``var``.

    With :math:`v_n = \max(\sigma^2_n, \epsilon)` and :math:`r_n = x_n - y_n`:

    .. math:: \frac{\partial L}{\partial x_n} = s\,\frac{r_n}{v_n}, \qquad
       \frac{\partial L}{\partial \sigma^2_n} = \frac{s}{2}\left(\frac{1}{v_n}
       - \frac{r_n^2}{v_n^2}\right),

    the second summed over the elements that share one variance (``var`` broadcast along a
    dimension). Below the clamp (:math:`\sigma^2 < \epsilon`) the variance gradient is **not**
    0: PyTorch clamps a clone in place under ``no_grad``, so the gradient at :math:`v = \epsilon`
    passes straight through to ``var``. This function reproduces that.

    Parameters
    ----------
    input, target, var, full, eps, reduction
        As in :func:`lossbook.functional.gaussian_nll_loss` (the same checks).

    Returns
    -------
    grad_input : np.ndarray
        The shape and floating dtype of ``input``.
    grad_var : np.ndarray
        The shape of ``var`` (0-d for a number; PyTorch has no gradient for a Python number, this
        is the derivative with respect to it) and its floating dtype (that of ``input`` for a
        number).

    Raises
    ------
    ValueError, TypeError
        As :func:`lossbook.functional.gaussian_nll_loss`.

    Notes
    -----
    PyTorch: ``(x.grad, v.grad)`` after ``F.gaussian_nll_loss(x, target, v, full=full, eps=eps,
    reduction=reduction).sum().backward()`` with ``x`` and ``v`` requiring gradients. ``full``
    adds a constant and does not change either gradient. Setting :math:`\partial L/\partial
    \sigma^2 = 0` gives the maximum-likelihood variance :math:`\sigma^2 = r^2`.

    References
    ----------
    D. A. Nix and A. S. Weigend, "Estimating the mean and variance of the target probability
    distribution", *Proc. IEEE ICNN* (1994), doi:10.1109/ICNN.1994.374138.

    See Also
    --------
    lossbook.functional.gaussian_nll_loss, mse_loss_grad

    Examples
    --------
    >>> gx, gv = gaussian_nll_loss_grad(np.array([1.0, 2.0]), np.zeros(2), np.array([1.0, 1.0]),
    ...                                 reduction='sum')
    >>> gx, gv
    (array([1., 2.]), array([ 0. , -1.5]))
    """
    check_reduction(reduction)
    check_bool(full, "full")
    eps = check_real(eps, "eps", minimum=0.0)
    x, y, dtype = float64_pair(input, target)
    scalar = isinstance(var, numbers.Number) and not isinstance(var, np.ndarray)
    var_dtype = dtype if scalar else as_floating(var, "var").dtype
    v = checked_variance(var, x.shape, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        clamped = np.maximum(v, eps)
        r = x - y
        scale = mean_scale(reduction, r.size)
        grad_input = scale * r / clamped
        grad_var = 0.5 * scale * (1 / clamped - (r / clamped) ** 2)
    grad_var = np.broadcast_to(grad_var, r.shape)
    if scalar:
        grad_var = np.sum(grad_var)
    else:
        grad_var = sum_to_shape(grad_var, v.shape).reshape(np.shape(var))
    return grad_input.astype(dtype), np.asarray(grad_var).astype(var_dtype)


def poisson_nll_loss_grad(
    input: ArrayLike,
    target: ArrayLike,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`lossbook.functional.poisson_nll_loss` with respect to ``input``.

    .. math:: \frac{\partial L}{\partial x_n} = s\,(e^{x_n} - y_n) \ \ (\text{log\_input}),
       \qquad s\Big(1 - \frac{y_n}{x_n + \epsilon}\Big) \ \ (\text{otherwise})

    ``full`` adds a term that depends on the target only, so it changes nothing here.

    Parameters
    ----------
    input, target, log_input, full, eps, reduction
        As in :func:`lossbook.functional.poisson_nll_loss` (the same checks).

    Returns
    -------
    np.ndarray
        The shape and floating dtype of ``input``.

    Raises
    ------
    ValueError, TypeError
        As :func:`lossbook.functional.poisson_nll_loss`.

    Notes
    -----
    PyTorch: ``x.grad`` after ``F.poisson_nll_loss(x, target, log_input=log_input, full=full,
    eps=eps, reduction=reduction).sum().backward()``. With ``log_input=True`` the gradient is
    bounded below by :math:`-y` and vanishes at the rate :math:`e^{x} = y`; with
    ``log_input=False`` it is :math:`-y/\epsilon` at a zero rate.

    References
    ----------
    P. McCullagh and J. A. Nelder, *Generalized Linear Models*, 2nd ed., Chapman & Hall (1989),
    doi:10.1201/9780203753736.

    See Also
    --------
    lossbook.functional.poisson_nll_loss, gaussian_nll_loss_grad

    Examples
    --------
    >>> poisson_nll_loss_grad(np.array([0.0, np.log(3.0)]), np.array([1.0, 1.0]), reduction='sum')
    array([0., 2.])
    """
    check_reduction(reduction)
    log_input = check_bool(log_input, "log_input")
    check_bool(full, "full")
    eps = check_real(eps, "eps", minimum=0.0)
    x, y, dtype = float64_pair(input, target)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grad = np.exp(x) - y if log_input else 1 - y / (x + eps)
    return (grad * mean_scale(reduction, grad.size)).astype(dtype)
