r"""Focal losses: the sigmoid focal loss of torchvision and a softmax focal loss for classes.

The focal loss of Lin et al. (2017) multiplies the cross-entropy of each example by
:math:`(1 - p_t)^\gamma`, where :math:`p_t` is the probability the model gives to the true class:
confident correct predictions (``p_t`` near 1) are down-weighted, hard ones keep their weight.
Both functions compute :math:`1 - p_t` from the logits, never as ``1 - p``, which would lose every
digit when :math:`p_t` is close to 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_floating,
    as_working,
    check_int,
    check_real,
    check_reduction,
    check_same_shape,
    reduce_losses,
)
from ._activations import map_chunks
from ._classification import binary_cross_entropy_with_logits, checked_targets, class_dim_of


def _check_alpha(alpha) -> float:
    """torchvision's rule: ``alpha`` in [0, 1], or exactly -1 to switch the weighting off."""
    alpha = check_real(alpha, "alpha")
    if alpha != -1 and not 0 <= alpha <= 1:
        raise ValueError(
            f"alpha must be in [0, 1], or -1 to switch the class weighting off, got {alpha}"
        )
    return alpha


def wide_dtype(dtype) -> np.dtype:
    r"""float64 is computed in ``np.longdouble`` (80-bit on x86-64), float32 in float64: the
    power :math:`u^\gamma` multiplies the relative error of :math:`u` by :math:`\gamma`."""
    return np.dtype(np.longdouble) if np.dtype(dtype) == np.float64 else np.dtype(np.float64)


def sigmoid_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r""":math:`\sigma(x)`, :math:`\sigma(-x)` and :math:`\operatorname{log1p}(e^{-|x|})`,
    each to full relative accuracy (no ``1 - p``)."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-np.abs(x))
        small, large = e / (1 + e), 1 / (1 + e)
        positive = x >= 0
        return np.where(positive, large, small), np.where(positive, small, large), np.log1p(e)


def one_minus_pt(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r""":math:`1 - p_t = y\,\sigma(-x) + (1 - y)\,\sigma(x)`, a sum of non-negative terms (for
    :math:`y \in [0, 1]`): accurate where :math:`p_t \to 1`, unlike ``1 - p_t``."""
    sig, sig_neg, _ = sigmoid_parts(x)
    return y * sig_neg + (1 - y) * sig


def _sigmoid_focal_terms(x: np.ndarray, y: np.ndarray, alpha: float, gamma: float) -> np.ndarray:
    wide = wide_dtype(x.dtype)
    x, y = x.astype(wide), y.astype(wide)
    sig, sig_neg, log1p_term = sigmoid_parts(x)
    with np.errstate(over="ignore", invalid="ignore"):
        # cross-entropy softplus(x) - y x as non-negative terms for y in [0, 1]
        ce = np.where(x >= 0, (1 - y) * x, -y * x) + log1p_term
        losses = ce * (y * sig_neg + (1 - y) * sig) ** gamma
        if alpha != -1:
            losses *= alpha * y + (1 - alpha) * (1 - y)
    infinite = ~np.isfinite(x)
    if np.any(infinite):
        losses[infinite] = _torchvision_terms(x[infinite], y[infinite], alpha, gamma)
    return losses


def _torchvision_terms(x: np.ndarray, y: np.ndarray, alpha: float, gamma: float) -> np.ndarray:
    """torchvision's own steps, used for infinite logits so that their ``nan`` and ``inf``
    match torchvision's (``1 - p_t`` is exactly 0 or 1 there, so nothing is lost)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ce = binary_cross_entropy_with_logits(x, y, reduction="none")
        p = 1 / (1 + np.exp(-x))
        losses = ce * (1 - (p * y + (1 - p) * (1 - y))) ** gamma
        if alpha != -1:
            losses = losses * (alpha * y + (1 - alpha) * (1 - y))
    return losses


def target_probability_parts(x: np.ndarray, y: np.ndarray, class_dim: int):
    r""":math:`1 - q_y` and :math:`-\log q_y` along ``class_dim``, in the wide dtype.

    With :math:`r = \sum_{j \ne y} e^{x_j - m}` and :math:`t = e^{x_y - m}`:
    :math:`1 - q_y = r / (r + t)` and :math:`-\log q_y = \operatorname{log1p}(r / t)`, sums of
    non-negative terms only, so both keep their relative accuracy as :math:`q_y \to 1`.
    """
    z = x.astype(wide_dtype(x.dtype))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        exps = np.exp(z - np.max(z, axis=class_dim, keepdims=True))
        target = np.expand_dims(y, class_dim)
        target_term = np.squeeze(np.take_along_axis(exps, target, axis=class_dim), class_dim)
        np.put_along_axis(exps, target, 0.0, axis=class_dim)
        rest = np.sum(exps, axis=class_dim)
        return rest / (rest + target_term), np.log1p(rest / target_term)


def sigmoid_focal_loss(
    inputs: ArrayLike,
    targets: ArrayLike,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> np.ndarray:
    r"""Sigmoid focal loss of logits, as ``torchvision.ops.sigmoid_focal_loss``.

    .. math::

        \ell = \alpha_t\,(1 - p_t)^{\gamma}\,
               \big[-y \log\sigma(x) - (1 - y)\log\sigma(-x)\big],

    with :math:`p_t = y\,\sigma(x) + (1 - y)\,\sigma(-x)` and
    :math:`\alpha_t = \alpha y + (1 - \alpha)(1 - y)` (no factor when ``alpha == -1``).
    At :math:`\gamma = 0` and ``alpha=-1`` it is
    ``binary_cross_entropy_with_logits(inputs, targets, reduction=reduction)``.

    Parameters
    ----------
    inputs : array_like
        Logits :math:`x`, any shape.
    targets : array_like, shape of ``inputs``
        Binary labels (0 or 1), or soft labels in [0, 1].
    alpha : float, default 0.25
        Weight of the positive class, in [0, 1]; ``-1`` switches the weighting off.
    gamma : float, default 2.0
        Focusing exponent :math:`\gamma \ge 0`.
    reduction : {'none', 'mean', 'sum'}, default 'none'
        Note torchvision's default, 'none' (PyTorch's losses default to 'mean').

    Returns
    -------
    np.ndarray
        The shape of ``inputs`` for 'none', 0-d otherwise; the floating dtype of ``inputs``
        (float16 is computed in float32).

    Raises
    ------
    TypeError
        Non-numeric arrays; ``alpha`` or ``gamma`` that are not real numbers (a string, a bool).
    ValueError
        Different shapes; ``alpha`` outside [0, 1] other than -1; a negative or non-finite
        ``gamma``; an unknown ``reduction``.

    See Also
    --------
    softmax_focal_loss, binary_cross_entropy_with_logits,
    lossbook.gradients.sigmoid_focal_loss_grad

    Notes
    -----
    torchvision (0.28): ``torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha=alpha,
    gamma=gamma, reduction=reduction)``, which computes ``p = sigmoid(x)``,
    ``p_t = p*y + (1-p)*(1-y)`` and ``(1 - p_t)**gamma``. Here :math:`1 - p_t` is computed as
    :math:`y\,\sigma(-x) + (1 - y)\,\sigma(x)`, a sum of non-negative terms, so the loss keeps its
    relative accuracy where :math:`p_t \to 1` (torchvision's result is 0 there once
    :math:`\sigma(x)` rounds to 1, from :math:`x \approx 37` in float64).
    Deliberate difference: a negative ``gamma`` raises (torchvision computes :math:`0^{\gamma}
    = \infty`). Infinite logits give torchvision's ``nan``/``inf`` (its formula is used there).
    float64 is computed in ``np.longdouble``: within 1 ulp of the exact loss where that type has
    64 mantissa bits (x86-64 Linux); where it is plain float64 (Windows, macOS on Arm) the error
    grows to about :math:`1 + \gamma` ulp.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollár, "Focal loss for dense object
       detection", *ICCV* (2017), doi:10.1109/ICCV.2017.324.

    Examples
    --------
    >>> x = np.array([3.0, -1.0, 40.0])
    >>> y = np.array([1.0, 1.0, 1.0])
    >>> sigmoid_focal_loss(x, y, alpha=-1)   # the confident x = 40 still has a tiny loss
    array([1.09283324e-04, 7.01868303e-01, 7.66764807e-53])
    """
    check_reduction(reduction)
    alpha = _check_alpha(alpha)
    gamma = check_real(gamma, "gamma", minimum=0.0)
    x, dtype = as_working(inputs, "inputs")
    y = as_floating(targets, "targets", x.dtype)
    check_same_shape(x, y, ("inputs", "targets"))
    losses = map_chunks(
        lambda xs, ys: _sigmoid_focal_terms(xs, ys, alpha, gamma),
        [x, y],
        np.empty(x.shape, x.dtype),
    )
    return reduce_losses(losses, reduction, dtype)


def softmax_focal_loss(
    input: ArrayLike,
    target: ArrayLike,
    alpha: ArrayLike | None = None,
    gamma: float = 2.0,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Softmax focal loss of logits and class indices (not a PyTorch function).

    .. math::

        \ell_n = -\alpha_{y_n}\,(1 - q_{n, y_n})^{\gamma} \log q_{n, y_n},
        \qquad q_n = \operatorname{softmax}(x_n),

    0 where :math:`y_n` is ``ignore_index``. 'mean' divides :math:`\sum_n \ell_n` by
    :math:`\sum_n \alpha_{y_n}` over the kept targets (their count without ``alpha``), the rule of
    ``cross_entropy``'s ``weight``: at :math:`\gamma = 0` this function **is**
    ``cross_entropy(input, target, weight=alpha, ignore_index=ignore_index,
    reduction=reduction)``.

    Parameters
    ----------
    input : array_like
        Logits, shape (C,), (N, C) or (N, C, d1, ...): classes on dim 0 for 1-D input, else 1.
    target : array_like of int
        Class indices, the shape of ``input`` without its class dim.
    alpha : array_like, shape (C,), optional
        Per-class weights :math:`\alpha_c \ge 0` (``cross_entropy``'s ``weight``); none by default.
    gamma : float, default 2.0
        Focusing exponent :math:`\gamma \ge 0`.
    ignore_index : int, default -100
        Targets equal to it contribute nothing.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        One loss per sample for 'none', 0-d otherwise; the floating dtype of ``input``.

    Raises
    ------
    TypeError
        Float class indices; ``gamma`` that is not a real number; ``ignore_index`` that is not an
        integer.
    ValueError
        Wrong target shape, ``alpha`` not of shape (C,), a negative ``gamma``, an unknown
        ``reduction``; a class index out of range (also an ``IndexError``).

    See Also
    --------
    sigmoid_focal_loss, cross_entropy, lossbook.gradients.softmax_focal_loss_grad

    Notes
    -----
    PyTorch has no softmax focal loss. The usual composition is
    ``logp = F.log_softmax(x, 1).gather(1, y[:, None])[:, 0]`` then
    ``-(alpha[y] * (1 - logp.exp())**gamma * logp)`` and a reduction; its ``1 - exp(logp)``
    loses every digit as :math:`q_y \to 1`. Here :math:`1 - q_y` is computed as
    :math:`\sum_{j \ne y} e^{x_j - m} / \sum_j e^{x_j - m}` (non-negative terms), and
    :math:`-\log q_y = \operatorname{log1p}(\sum_{j \ne y} e^{x_j - x_y})`; both are computed in
    ``np.longdouble`` for float64 input (float64 for float32 and float16) and rounded once.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal loss for dense object detection", *ICCV* (2017),
       doi:10.1109/ICCV.2017.324.
    .. [2] J. Mukhoti et al., "Calibrating deep neural networks using focal loss", *NeurIPS*
       (2020), arXiv:2002.09437.

    Examples
    --------
    >>> x = np.array([[4.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> softmax_focal_loss(x, np.array([0, 1]), reduction='none')
    array([4.49233373e-05, 9.90818742e-02])
    """
    check_reduction(reduction)
    gamma = check_real(gamma, "gamma", minimum=0.0)
    ignore_index = check_int(ignore_index, "ignore_index")
    x, dtype = as_working(input, "input")
    y = checked_targets(x, target, ignore_index)
    class_dim = class_dim_of(x)
    kept = y != ignore_index
    one_minus_qy, nll = target_probability_parts(x, np.where(kept, y, 0), class_dim)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.where(kept, nll * one_minus_qy**gamma, 0.0).astype(x.dtype)
    if alpha is None:
        weights = kept.astype(x.dtype)
    else:
        alpha = as_floating(alpha, "alpha", x.dtype)
        if alpha.shape != (x.shape[class_dim],):
            raise ValueError(
                f"alpha must have shape ({x.shape[class_dim]},), one weight per class, "
                f"got {alpha.shape}"
            )
        if not np.all((alpha >= 0) & np.isfinite(alpha)):
            raise ValueError("alpha must hold finite, non-negative class weights")
        weights = np.where(kept, alpha[np.where(kept, y, 0)], 0.0).astype(x.dtype, copy=False)
        losses = losses * weights
    if reduction == "none":
        return losses.astype(dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.sum(losses)
        value = total if reduction == "sum" else total / np.sum(weights)
    return np.asarray(value).astype(dtype)
