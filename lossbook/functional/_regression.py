r"""Regression losses: squared and absolute error, smooth L1 and Huber, Gaussian and Poisson NLL.

Shared conventions of this module (each docstring repeats what it needs):

* ``input`` and ``target`` must have the same shape. PyTorch broadcasts them (with a warning for
  ``mse_loss``, ``l1_loss``, ``smooth_l1_loss`` and ``huber_loss``, silently for the two NLLs), so
  that input (N, 1) against target (N,) silently computes an N x N loss; lossbook raises
  ``ValueError`` instead. This is a deliberate difference, pinned by ``tests/test_regression.py``.
* dtypes follow PyTorch's type promotion: float32 input with a float64 target (or weight, or
  var array) gives float64; an integer or bool array takes the floating dtype of the others
  (float64 when none is floating, where PyTorch raises or, for ``poisson_nll_loss``, gives
  float32: a deliberate difference). ``huber_loss`` keeps the dtype of ``input``, as PyTorch's.
* float16: ``mse_loss``, ``l1_loss`` and ``smooth_l1_loss`` round each operation to float16 as
  PyTorch's CPU kernels do (``x - y`` first), ``huber_loss`` works in float32 from the inputs as
  PyTorch's kernel does; the per-element losses are rounded to float16 and reduced in float32.
  These four equal PyTorch bit for bit in float16 (``tests/test_regression.py``). The two NLLs,
  which PyTorch evaluates op by op in float16, are computed in float32 and rounded once (a
  deliberate difference). float32 and float64 are computed in their own precision.
* Nothing warns: overflow gives ``inf`` and invalid operations ``nan``, quietly, where PyTorch
  gives them.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_array,
    as_floating,
    check_bool,
    check_real,
    check_reduction,
    check_same_shape,
    reduce_losses,
)

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
r"""The constant :math:`\tfrac12 \\log 2\\pi` that ``full=True`` adds to the Gaussian NLL."""


def working_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype the two NLLs compute in: float32 for float16, else the dtype itself."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def promoted_dtype(*arrays: np.ndarray) -> np.dtype:
    """PyTorch's type promotion: the widest floating dtype among ``arrays``; integer and bool
    arrays take it on without widening it; float64 when none is floating."""
    floating = [a.dtype for a in arrays if a.dtype.kind == "f"]
    return np.result_type(*floating) if floating else np.dtype(np.float64)


def checked_pair(input, target, *others: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    """``input`` and ``target`` as real arrays of one shape, cast to the dtype that they and
    ``others`` (arrays of the same call) promote to, and that dtype."""
    x, y = as_array(input, "input"), as_array(target, "target")
    check_same_shape(x, y, ("input", "target"))
    dtype = promoted_dtype(x, y, *others)
    return x.astype(dtype, copy=False), y.astype(dtype, copy=False), dtype


def residual(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x - y`` as a new array in the dtype of ``x`` (float16: rounded to float16, as PyTorch
    rounds it), a 0-d array for 0-d input where NumPy would give a scalar."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.subtract(x, y, out=np.empty_like(x))


def squared(z: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """``z * z`` as a new array (0-d stays an array), or in ``z`` itself."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return np.multiply(z, z, out=z if in_place else np.empty_like(z))


def finish(losses: np.ndarray, reduction: str, dtype) -> np.ndarray:
    """Reduce (float16: summed in float32, as PyTorch's CPU reductions do) and round once to the
    result's dtype, quietly."""
    if reduction != "none":
        losses = losses.astype(working_dtype(losses.dtype), copy=False)
    with np.errstate(over="ignore", invalid="ignore"):
        return reduce_losses(losses, reduction, dtype)


def checked_weight(weight, shape: tuple, dtype) -> np.ndarray | None:
    """Per-element ``weight`` of the input's shape (PyTorch: "Weights and input must have the same
    size"), or None."""
    if weight is None:
        return None
    w = as_floating(weight, "weight", dtype)
    if w.shape != shape:
        raise ValueError(f"weight must have the shape of input, {shape}, got {w.shape}")
    return w


def weighted_reduce(losses: np.ndarray, weight, reduction: str, *, divide_by_weight: bool):
    """Multiply by ``weight`` (if any; the product promotes as in PyTorch) and reduce. For 'mean'
    with a weight, PyTorch divides the sum by the sum of the weights in ``l1_loss`` and
    ``mse_loss`` and by the element count in ``huber_loss`` (``divide_by_weight``)."""
    if weight is None:
        return finish(losses, reduction, losses.dtype)
    dtype = promoted_dtype(losses, as_array(weight, "weight"))
    w = checked_weight(weight, losses.shape, dtype)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        losses = np.multiply(losses, w, out=losses if losses.dtype == dtype else None)
    if reduction != "mean" or not divide_by_weight:
        return finish(losses, reduction, dtype)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.asarray(finish(losses, "sum", dtype) / finish(w, "sum", dtype), dtype=dtype)


def mse_loss(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", weight: ArrayLike | None = None
) -> np.ndarray:
    r"""Squared error: :math:`\ell_n = w_n (x_n - y_n)^2`, reduced.

    .. math:: \operatorname{mse}(x, y) = \frac{1}{\sum_n w_n} \sum_n w_n (x_n - y_n)^2
       \quad (\text{'mean'};\ w_n = 1 \text{ without weight})

    Parameters
    ----------
    input : array_like
        Predictions, any shape (0-d included).
    target : array_like
        Targets, the same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'none' returns one loss per element; 'sum' their sum; 'mean' their mean, or with
        ``weight`` the weighted sum divided by the sum of the weights.
    weight : array_like or None, default None
        Per-element weights, the same shape as ``input``.

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the dtype that
        ``input``, ``target`` and ``weight`` promote to. 'mean' of an empty array is ``nan``.

    Raises
    ------
    ValueError
        If ``target`` (or ``weight``) does not have the shape of ``input``, or ``reduction`` is
        unknown.
    TypeError
        If an array is not real (complex, strings, objects).

    Notes
    -----
    PyTorch: ``torch.nn.functional.mse_loss(input, target, reduction=reduction, weight=weight)``.
    The squared error is the negative log-likelihood of a Gaussian with fixed variance, up to an
    additive and a multiplicative constant (chapter 10 of the book derives them).

    Deliberate difference: PyTorch broadcasts ``input`` against ``target`` (with a warning), so
    input (N, 1) and target (N,) give the mean over an N x N table of every prediction against
    every target; lossbook raises ``ValueError`` for any difference of shapes. That broadcast
    mean is :math:`\frac1N\sum_i (x_i - \bar y)^2 + \operatorname{var}(y)`: it ignores which
    prediction goes with which target, so it is minimised by predicting :math:`\bar y`
    everywhere (chapter 10 derives it).

    dtypes: promoted as in PyTorch (float32 input and float64 target or weight give float64).
    float16: :math:`x - y` and its square are each rounded to float16 and the mean is taken in
    float32, as PyTorch's CPU kernel does (so :math:`300^2` overflows to ``inf``); the result
    equals PyTorch's bit for bit.

    Accuracy: :math:`(x - y)^2` elementwise is within 3 rounding errors (below 4 ulp).

    References
    ----------
    C. F. Gauss, *Theoria motus corporum coelestium* (1809) (least squares as maximum likelihood).
    S. J. D. Prince, *Understanding Deep Learning*, MIT Press (2023), section 5.3.

    See Also
    --------
    l1_loss, huber_loss, gaussian_nll_loss, lossbook.gradients.mse_loss_grad

    Examples
    --------
    >>> mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    array(2.5)
    >>> mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0]), weight=np.array([3.0, 1.0]))
    array(1.75)
    """
    check_reduction(reduction)
    x, y, _ = checked_pair(input, target)
    losses = squared(residual(x, y), in_place=True)
    return weighted_reduce(losses, weight, reduction, divide_by_weight=True)


def l1_loss(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", weight: ArrayLike | None = None
) -> np.ndarray:
    r"""Absolute error: :math:`\ell_n = w_n |x_n - y_n|`, reduced.

    .. math:: \operatorname{l1}(x, y) = \frac{1}{\sum_n w_n} \sum_n w_n |x_n - y_n|
       \quad (\text{'mean'};\ w_n = 1 \text{ without weight})

    Parameters
    ----------
    input : array_like
        Predictions, any shape (0-d included).
    target : array_like
        Targets, the same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        As in :func:`mse_loss`: with ``weight``, 'mean' divides by the sum of the weights.
    weight : array_like or None, default None
        Per-element weights, the same shape as ``input``.

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the dtype that
        ``input`` and ``target`` promote to.

    Raises
    ------
    ValueError
        If ``target`` (or ``weight``) does not have the shape of ``input`` (PyTorch broadcasts
        with a warning: a deliberate difference), or ``reduction`` is unknown.
    TypeError
        If an array is not real.

    Notes
    -----
    PyTorch: ``torch.nn.functional.l1_loss(input, target, reduction=reduction, weight=weight)``.
    The absolute error is the negative log-likelihood of a Laplace distribution with fixed scale
    :math:`b`, up to the constants :math:`\log 2b` and :math:`1/b`; its minimiser over a constant
    prediction is a median. One rounding in :math:`x - y` (the absolute value is exact): within
    1 ulp. dtypes are promoted as in PyTorch; float16 equals PyTorch's bit for bit.

    References
    ----------
    P. S. Laplace, "Mémoire sur la probabilité des causes par les événements" (1774).
    S. J. D. Prince, *Understanding Deep Learning*, MIT Press (2023), chapter 5.

    See Also
    --------
    mse_loss, smooth_l1_loss, lossbook.gradients.l1_loss_grad

    Examples
    --------
    >>> l1_loss(np.array([1.0, -2.0]), np.array([0.0, 0.0]), reduction='none')
    array([1., 2.])
    >>> l1_loss(np.array([1.0, -2.0]), np.array([0.0, 0.0]))
    array(1.5)
    """
    check_reduction(reduction)
    x, y, _ = checked_pair(input, target)
    losses = residual(x, y)
    np.abs(losses, out=losses)
    return weighted_reduce(losses, weight, reduction, divide_by_weight=True)


def smooth_l1_loss(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", beta: float = 1.0
) -> np.ndarray:
    r"""Smooth L1 loss: quadratic for :math:`|x - y| < \beta`, linear (slope 1) beyond.

    .. math:: \ell_n = \begin{cases} \dfrac{(x_n - y_n)^2}{2\beta} & |x_n - y_n| < \beta \\[4pt]
       |x_n - y_n| - \dfrac{\beta}{2} & \text{otherwise} \end{cases}

    ``beta = 0`` is exactly :func:`l1_loss`. For :math:`\beta > 0`,
    ``huber_loss(x, y, delta=beta) == beta * smooth_l1_loss(x, y, beta=beta)``.

    Parameters
    ----------
    input : array_like
        Predictions, any shape.
    target : array_like
        Targets, the same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'none', the sum, or the mean over all elements.
    beta : float, default 1.0
        Where the quadratic piece meets the linear one; a finite real number >= 0.

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the dtype that
        ``input`` and ``target`` promote to.

    Raises
    ------
    ValueError
        If ``beta`` is negative, infinite or nan (PyTorch: RuntimeError "smooth_l1_loss does not
        support negative values for beta."; PyTorch accepts ``beta = inf`` and returns zeros, a
        meaningless loss that lossbook rejects), if the shapes differ (PyTorch broadcasts with a
        warning), or ``reduction`` is unknown.
    TypeError
        If ``beta`` is not a real number (a bool or a string is not), or an array is not real.

    Notes
    -----
    PyTorch: ``torch.nn.functional.smooth_l1_loss(input, target, reduction=reduction,
    beta=beta)``; the ATen kernel computes ``z < beta ? 0.5 * z * z / beta : z - 0.5 * beta``
    with ``z = |x - y|``; this function computes the same without branches, as
    ``(z - q/2) * (q/beta)`` with ``q = min(z, beta)`` (bit for bit PyTorch's value on the linear
    piece, within one rounding of it on the quadratic piece). The loss is the negative
    log-likelihood, up to a constant, of the density proportional to :math:`e^{-\ell}`
    (Gaussian centre, Laplace tails). Below 4 ulp on the quadratic piece; on the linear piece
    :math:`z - \beta/2 \ge z/2` cancels at most one bit. dtypes are promoted as in PyTorch.
    float16 follows PyTorch's kernel op by op (``beta`` and every intermediate rounded to
    float16), bit for bit.

    References
    ----------
    R. Girshick, "Fast R-CNN", *ICCV* (2015), doi:10.1109/ICCV.2015.169 (the name smooth L1).
    P. J. Huber, "Robust estimation of a location parameter", *Ann. Math. Statist.* 35 (1964),
    doi:10.1214/aoms/1177703732.

    See Also
    --------
    huber_loss, l1_loss, lossbook.gradients.smooth_l1_loss_grad

    Examples
    --------
    >>> smooth_l1_loss(np.array([0.5, 3.0]), np.array([0.0, 0.0]), reduction='none')
    array([0.125, 2.5  ])
    >>> smooth_l1_loss(np.array([0.5, 3.0]), np.array([0.0, 0.0]), beta=0.0, reduction='none')
    array([0.5, 3. ])
    """
    check_reduction(reduction)
    beta = check_real(beta, "beta", minimum=0.0)
    x, y, dtype = checked_pair(input, target)
    z = residual(x, y)
    np.abs(z, out=z)
    if beta == 0.0:
        return finish(z, reduction, dtype)
    if dtype == np.float16:
        return finish(float16_smooth_l1(z, beta), reduction, dtype)
    # Branch-free (a masked select is ten times slower): with q = min(z, beta),
    # (z - q/2) * (q/beta) is (z/2)(z/beta) below beta and exactly z - beta/2 above it.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        ratio = np.minimum(z, z.dtype.type(beta))
        ratio *= 0.5
        z -= ratio
        ratio *= 2
        ratio /= beta
        z *= ratio
    return finish(z, reduction, dtype)


def float16_smooth_l1(z: np.ndarray, beta: float) -> np.ndarray:
    """PyTorch's float16 kernel of smooth L1 on ``z = |x - y|`` (float16), op by op with each
    result rounded to float16 as c10::Half arithmetic rounds it, ``beta`` rounded to float16:
    ``z < beta ? 0.5 * z * z / beta : z - 0.5 * beta``."""
    b, half = np.float16(beta), np.float16(0.5)
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        return np.where(z < b, (half * z) * z / b, z - half * b)


def huber_loss(
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: ArrayLike | None = None,
) -> np.ndarray:
    r"""Huber loss: quadratic for :math:`|x - y| < \delta`, linear with slope :math:`\delta` beyond.

    .. math:: \ell_n = w_n \begin{cases} \tfrac12 (x_n - y_n)^2 & |x_n - y_n| < \delta \\[4pt]
       \delta\,\big(|x_n - y_n| - \tfrac12\delta\big) & \text{otherwise} \end{cases}

    Its derivative (the influence function) is the residual clipped to :math:`[-\delta, \delta]`;
    ``huber_loss(x, y, delta=d) == d * smooth_l1_loss(x, y, beta=d)``.

    Parameters
    ----------
    input : array_like
        Predictions, any shape.
    target : array_like
        Targets, the same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'none', the sum, or the mean over all elements (with ``weight`` too: PyTorch's
        ``huber_loss`` divides the weighted sum by the element count, not by the sum of the
        weights as ``l1_loss`` and ``mse_loss`` do).
    delta : float, default 1.0
        Where the quadratic piece meets the linear one; a finite real number > 0.
    weight : array_like or None, default None
        Per-element weights, the same shape as ``input``.

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the floating dtype
        of ``input`` (PyTorch's rule), promoted with that of ``weight``.

    Raises
    ------
    ValueError
        If ``delta`` is not > 0 and finite (PyTorch: RuntimeError "huber_loss does not support
        non-positive values for delta."), if the shapes differ (PyTorch broadcasts with a
        warning), or ``reduction`` is unknown.
    TypeError
        If ``delta`` is not a real number, or an array is not real.

    Notes
    -----
    PyTorch: ``torch.nn.functional.huber_loss(input, target, reduction=reduction, delta=delta,
    weight=weight)``; ATen: ``z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta)``. The loss is
    the negative log-likelihood, up to a constant, of the density proportional to
    :math:`e^{-\ell}`, Huber's least favourable distribution. Accuracy as
    :func:`smooth_l1_loss`.

    dtypes: the result has the dtype of ``input``, as PyTorch's ``huber_loss`` (a float64 target
    with float32 input is computed in float64 and rounded to float32); a ``weight`` promotes.
    float16: computed in float32 from the inputs, as PyTorch's float16 kernel, and equal to it
    bit for bit.

    References
    ----------
    P. J. Huber, "Robust estimation of a location parameter", *Ann. Math. Statist.* 35 (1964),
    73–101, doi:10.1214/aoms/1177703732.

    See Also
    --------
    smooth_l1_loss, mse_loss, l1_loss, lossbook.gradients.huber_loss_grad

    Examples
    --------
    >>> huber_loss(np.array([0.5, 3.0]), np.array([0.0, 0.0]), reduction='none', delta=2.0)
    array([0.125, 4.   ])
    """
    check_reduction(reduction)
    delta = check_real(delta, "delta", minimum=0.0, strict=True)
    x, y, dtype = checked_pair(input, target)
    # PyTorch's float16 Huber kernel works in float32 throughout (unlike its smooth L1 and MSE
    # kernels, which round x - y to float16 first)
    work = working_dtype(dtype)
    z = residual(x.astype(work, copy=False), y.astype(work, copy=False))
    np.abs(z, out=z)
    # Branch-free: with q = min(z, delta), q (z - q/2) is PyTorch's 0.5 z z below delta and
    # delta (z - delta/2) above it, rounded as PyTorch rounds them.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        clipped = np.minimum(z, z.dtype.type(delta))
        clipped *= 0.5
        z -= clipped
        clipped *= 2
        z *= clipped
    z = z.astype(dtype, copy=False)
    # PyTorch's huber_loss keeps the dtype of input (a target of a wider dtype is rounded away)
    input_dtype = np.asarray(input).dtype
    if input_dtype.kind == "f" and input_dtype != dtype:
        z = z.astype(input_dtype)
    return weighted_reduce(z, weight, reduction, divide_by_weight=False)


def checked_variance(var, input_shape: tuple, work) -> np.ndarray:
    """``var`` checked and shaped by PyTorch's rules for ``gaussian_nll_loss`` (see there)."""
    if isinstance(var, numbers.Number) and not isinstance(var, np.ndarray):
        value = check_real(var, "var", finite=False)
        if value < 0:
            raise ValueError(f"var has negative entry/entries: var must be >= 0, got {value}")
        return np.asarray(value, dtype=work)
    v = as_floating(var, "var", work)
    if np.any(v < 0):
        raise ValueError(
            "var has negative entry/entries: a variance must be >= 0 (pass the "
            "variance, not a log-variance)"
        )
    if v.shape == input_shape:
        return v
    if len(input_shape) >= 1 and input_shape[:-1] == v.shape:
        return v[..., np.newaxis]
    mismatched = [b for a, b in zip(input_shape, v.shape) if a != b]
    if len(input_shape) == v.ndim and sum(mismatched) == 1:
        return v
    raise ValueError(
        f"var is of incorrect size: var of shape {v.shape} for input of shape {input_shape} "
        f"(expected the shape of input, that shape without its last dimension, or that shape "
        f"with exactly one dimension set to 1)"
    )


def gaussian_nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    var: ArrayLike | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gaussian negative log-likelihood with predicted mean ``input`` and variance ``var``.

    .. math:: \ell_n = \frac12\left(\log \max(\sigma^2_n, \epsilon)
       + \frac{(x_n - y_n)^2}{\max(\sigma^2_n, \epsilon)}\right)
       \;\Big[ + \frac12 \log 2\pi \ \text{if full} \Big]

    which is :math:`-\log \mathcal N(y_n; x_n, \sigma^2_n)` when ``full`` (the constant is dropped
    otherwise) and :math:`\sigma^2_n \ge \epsilon`.

    Parameters
    ----------
    input : array_like
        Predicted means :math:`x`, any shape.
    target : array_like
        Observations :math:`y`, the same shape as ``input``.
    var : array_like or float
        Predicted variances :math:`\sigma^2 \ge 0` (not standard deviations, not log-variances).
        A real number is used for every element. An array must have the shape of ``input``; or
        that shape without its last dimension (one variance per row, unsqueezed); or the shape of
        ``input`` with exactly one dimension of size 1 (broadcast along it). A 0-d array follows
        the array rules (so it fits only 1-d input), as in PyTorch.
    full : bool, default False
        Add the constant :math:`\tfrac12\log 2\pi`.
    eps : float, default 1e-6
        The variance is clamped from below at ``eps`` (a finite real number >= 0).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'none' (shape of ``input``), the sum, or the mean over all elements.

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the dtype that
        ``input``, ``target`` and an array ``var`` promote to.

    Raises
    ------
    ValueError
        "var has negative entry/entries" if any variance is negative; "var is of incorrect size"
        if ``var`` fits none of the shape rules; if ``eps`` is negative or not finite, if the
        shapes of ``input`` and ``target`` differ, or ``reduction`` is unknown.
    TypeError
        If ``full`` is not a bool, ``eps`` or a scalar ``var`` not a real number, or an array is
        not real.

    Notes
    -----
    PyTorch: ``torch.nn.functional.gaussian_nll_loss(input, target, var, full=full, eps=eps,
    reduction=reduction)``. PyTorch clamps a *clone* of ``var`` in place under
    ``torch.no_grad()``: the value uses :math:`\max(\sigma^2, \epsilon)`, but the gradient
    reaching ``var`` is the gradient at the clamped value passed straight through (not 0 below
    the clamp); see :func:`lossbook.gradients.gaussian_nll_loss_grad`.

    dtypes: ``input``, ``target`` and an array ``var`` promote as in PyTorch (float32 input with
    a float64 target or var gives float64); a Python number ``var`` takes the others' dtype.

    Deliberate differences: PyTorch raises ``TypeError`` for a Python ``int`` variance (it only
    accepts a ``float`` or a tensor), lossbook accepts any real number; PyTorch raises
    ``RuntimeError`` for an integer ``var`` array, lossbook converts it; a nan variance given as
    a number raises here (an array with nan gives nan, as in PyTorch); a negative ``eps`` (which
    PyTorch accepts and which clamps nothing) raises; ``input`` and ``target`` of different
    shapes raise (PyTorch broadcasts them).

    float16 and mixed dtypes: PyTorch evaluates this composite formula op by op, each op in its
    operands' dtype (float16 ones in float16); lossbook computes in the promoted dtype (float32
    for float16) and rounds once (so ``eps = 1e-6``, a float16 subnormal in PyTorch, is used as
    1e-6 here).

    Numerics: when :math:`\log\sigma^2 < 0` the two terms have opposite signs and may cancel; the
    error is then within 4 ulp of the result plus 4 units of roundoff times the cancelled part
    (``tests/test_regression_accuracy.py``). Without cancellation, within 4 ulp.

    References
    ----------
    D. A. Nix and A. S. Weigend, "Estimating the mean and variance of the target probability
    distribution", *Proc. IEEE ICNN* (1994), doi:10.1109/ICNN.1994.374138.
    C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006), section 1.2.4.

    See Also
    --------
    mse_loss, poisson_nll_loss, lossbook.gradients.gaussian_nll_loss_grad

    Examples
    --------
    >>> gaussian_nll_loss(np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([1.0, 4.0]),
    ...                   reduction='none')
    array([0.5       , 0.69314718])
    >>> gaussian_nll_loss(np.array([0.0]), np.array([1.0]), 1.0, full=True)
    array(1.41893853)
    """
    check_reduction(reduction)
    full = check_bool(full, "full")
    eps = check_real(eps, "eps", minimum=0.0)
    scalar = isinstance(var, numbers.Number) and not isinstance(var, np.ndarray)
    x, y, dtype = checked_pair(input, target, *(() if scalar else (as_array(var, "var"),)))
    work = working_dtype(dtype)
    x, y = x.astype(work, copy=False), y.astype(work, copy=False)
    v = checked_variance(var, x.shape, work)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        clamped = np.maximum(v.astype(work, copy=False), work.type(eps), out=np.empty_like(v))
        losses = squared(residual(x, y), in_place=True)
        losses /= clamped
        losses += np.log(clamped, out=clamped)
        losses *= 0.5
        if full:
            losses += HALF_LOG_2PI
    return finish(losses, reduction, dtype)


def log_shifted(x: np.ndarray, eps: float) -> np.ndarray:
    """:math:`\\log(x + \\epsilon)`, as ``log1p((x - 1) + eps)`` for x in [0.5, 2] (where
    ``x - 1`` is exact and a rounded ``x + eps`` would lose the digits that matter)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.add(x, x.dtype.type(eps), out=np.empty_like(x))
        np.log(result, out=result)
        near_one = (x >= 0.5) & (x <= 2.0)
        if np.any(near_one):
            shifted = x[near_one]
            shifted -= 1
            shifted += x.dtype.type(eps)
            result[near_one] = np.log1p(shifted, out=shifted)
    return result


def add_stirling_term(losses: np.ndarray, y: np.ndarray) -> None:
    r"""Add :math:`y\log y - y + \tfrac12\log(2\pi y)` to ``losses`` where :math:`y > 1` (and
    where y is nan), PyTorch's ``full=True`` term of ``poisson_nll_loss``; in place."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_y = np.log(y, out=np.empty_like(y))
        term = np.subtract(log_y, 1, out=np.empty_like(y))
        term *= y
        log_y += math.log(2 * math.pi)
        log_y *= 0.5
        term += log_y
        del log_y
        term[y <= 1] = 0
        term[y == np.inf] = np.nan  # PyTorch's y log y - y is inf - inf there
        losses += term


def poisson_nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Poisson negative log-likelihood of counts ``target`` given a predicted rate.

    .. math:: \ell_n = \begin{cases} e^{x_n} - y_n x_n & \text{log\_input (} x = \log\lambda) \\
       x_n - y_n \log(x_n + \epsilon) & \text{otherwise (} x = \lambda) \end{cases}
       \;\Big[ + \big(y_n \log y_n - y_n + \tfrac12\log(2\pi y_n)\big)\,[y_n > 1]
       \ \text{if full} \Big]

    The Poisson NLL is :math:`\lambda - y\log\lambda + \log y!`; the loss drops
    :math:`\log y!`, and ``full`` adds back Stirling's approximation of it, only where
    :math:`y > 1` (0 elsewhere, as PyTorch).

    Parameters
    ----------
    input : array_like
        The log-rate :math:`\log\lambda` (``log_input=True``) or the rate :math:`\lambda \ge 0`.
    target : array_like
        Counts :math:`y` (any real numbers are accepted, as in PyTorch), the shape of ``input``.
    log_input : bool, default True
        Whether ``input`` is the log of the rate.
    full : bool, default False
        Add the Stirling term where :math:`y > 1`.
    eps : float, default 1e-8
        Added to the rate inside the log when ``log_input=False``; a finite real number >= 0.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'none' (shape of ``input``), the sum, or the mean over all elements.

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the dtype that
        ``input`` and ``target`` promote to. A negative rate with ``log_input=False`` gives
        ``nan``, and ``e^x`` beyond the format's range ``inf``, quietly, as in PyTorch.

    Raises
    ------
    ValueError
        If ``eps`` is negative or not finite (PyTorch accepts a negative ``eps``: a deliberate
        difference), if the shapes of ``input`` and ``target`` differ (PyTorch broadcasts
        silently), or ``reduction`` is unknown.
    TypeError
        If ``log_input`` or ``full`` is not a bool, ``eps`` not a real number, or an array is not
        real.

    Notes
    -----
    PyTorch: ``torch.nn.functional.poisson_nll_loss(input, target, log_input=log_input,
    full=full, eps=eps, reduction=reduction)``, whose ATen kernel is the formula above.
    ``log_input=True`` is the stable form: any real output is a valid log-rate, the loss is
    convex in it and its gradient :math:`e^{x} - y` never divides; with ``log_input=False`` the
    gradient :math:`1 - y/(x + \epsilon)` reaches :math:`-y/\epsilon` at a zero rate.

    dtypes: promoted as in PyTorch (float32 input and float64 target give float64). Deliberate
    differences: two integer arrays give float64 here and float32 in PyTorch; PyTorch evaluates
    the formula op by op, each op in its operands' dtype (``exp`` of a float16 input in
    float16), where in float16 ``eps = 1e-8`` rounds to 0 and a zero rate gives ``inf`` for a
    positive target and ``nan`` for a zero target (:math:`0 \cdot \log 0`); lossbook computes
    in the promoted dtype (float32 for float16) and rounds once.

    Numerics (a deliberate difference): :math:`\log(x + \epsilon)` is computed as
    ``log1p((x - 1) + eps)`` for :math:`x \in [0.5, 2]`, so it keeps its relative accuracy
    where PyTorch's ``log(x + eps)`` loses the digits of ``eps`` (visible only for huge targets:
    ``y = 1e300, x = 1`` differs from PyTorch in the 9th digit, in favour of lossbook). The
    terms have opposite signs and may cancel; the error is within 4 ulp of the result plus 4
    units of roundoff times the cancelled part (``tests/test_regression_accuracy.py``).

    References
    ----------
    P. McCullagh and J. A. Nelder, *Generalized Linear Models*, 2nd ed., Chapman & Hall (1989),
    doi:10.1201/9780203753736, chapter 6 (log-linear models for counts).

    See Also
    --------
    gaussian_nll_loss, lossbook.gradients.poisson_nll_loss_grad

    Examples
    --------
    >>> poisson_nll_loss(np.array([0.0, np.log(2.0)]), np.array([1.0, 2.0]), reduction='none')
    array([1.        , 0.61370564])
    >>> poisson_nll_loss(np.array([1.0, 2.0]), np.array([1.0, 2.0]), log_input=False, eps=0.0,
    ...                  reduction='none')
    array([1.        , 0.61370564])
    """
    check_reduction(reduction)
    log_input = check_bool(log_input, "log_input")
    full = check_bool(full, "full")
    eps = check_real(eps, "eps", minimum=0.0)
    x, y, dtype = checked_pair(input, target)
    work = working_dtype(dtype)
    x, y = x.astype(work, copy=False), y.astype(work, copy=False)
    with np.errstate(over="ignore", invalid="ignore"):
        if log_input:
            losses = np.exp(x, out=np.empty_like(x))
            product = y * x
            losses -= product
            del product
        else:
            losses = log_shifted(x, eps)
            losses *= y
            np.subtract(x, losses, out=losses)
        if full:
            add_stirling_term(losses, y)
    return finish(losses, reduction, dtype)
