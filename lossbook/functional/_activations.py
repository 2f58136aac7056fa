"""Softmax, log-softmax, log-sum-exp, sigmoid, softplus and one-hot, as in ``torch.nn.functional``."""
from __future__ import annotations

import numbers

import numpy as np

from .._validation import TargetOutOfBoundsError, as_floating, as_class_indices, normalise_dim


def two_difference(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``d = fl(a - b)`` and its rounding error ``e``, so that ``a - b = d + e`` exactly (Knuth's
    TwoSum, written in place to spare memory traffic); ``e`` is 0 where ``d`` is infinite or nan."""
    d = a - b
    part = d + b
    with np.errstate(invalid="ignore"):
        e = a - part
        part -= d
        part -= b
        e += part
    if not np.isfinite(np.sum(e)):  # an infinite input: its error term is nan, make it 0
        np.copyto(e, 0, where=~np.isfinite(e))
    return d, e


def log_partition_parts(x: np.ndarray, axis: int):
    r"""The pieces of :math:`\log \sum_j e^{x_j}` along ``axis``, accurate to a few ulps.

    Returns ``m`` (the max, axis kept), ``shifted``, ``error`` (with :math:`x - m` = ``shifted +
    error`` exactly) and ``log1p_rest`` = :math:`\operatorname{log1p}(\sum_{j \ne k} e^{x_j - m})`,
    :math:`k` the argmax, axis kept; :math:`\log\sum_j e^{x_j} = m + \operatorname{log1p}(\ldots)`.

    Two details keep the relative accuracy when the result is tiny: the largest term (exactly 1)
    is left out of the sum, where ``log(1 + s)`` would round ``s`` away; and the rounding error of
    :math:`x_j - m`, which ``exp`` would multiply by :math:`|x_j - m|`, is added back to first order
    (:math:`\sum_j e^{d_j + e_j} \approx \sum_j e^{d_j} + \sum_j e^{d_j} e_j`).
    """
    m = np.max(x, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        shifted, error = two_difference(x, m)
        exps = np.exp(shifted)
        np.put_along_axis(exps, np.argmax(x, axis=axis, keepdims=True), 0.0, axis=axis)
        rest = np.sum(exps, axis=axis, keepdims=True)
        rest += np.expand_dims(np.vecdot(exps, error, axis=axis), axis)
    return m, shifted, error, np.log1p(rest)


def softmax(input, dim: int) -> np.ndarray:
    r"""Softmax along ``dim``: :math:`\operatorname{softmax}(z)_i = e^{z_i - m} / \sum_j e^{z_j - m}`,
    :math:`m = \max_j z_j` (the shift changes nothing mathematically and prevents overflow).

    PyTorch: ``torch.softmax(input, dim)``. A slice holding ``+inf`` or only ``-inf`` gives ``nan``.

    >>> softmax(np.array([0.0, np.log(3.0)]), dim=0)
    array([0.25, 0.75])

    Reference: J. S. Bridle, "Probabilistic interpretation of feedforward classification network
    outputs", *Neurocomputing* (1990).
    """
    x = as_floating(input, "input")
    axis = normalise_dim(dim, x.ndim)
    if x.ndim == 0:
        x = x.reshape(1)
    if x.shape[axis] == 0:
        return x.copy()
    m = np.max(x, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        exps = np.exp(x - m)
        return (exps / np.sum(exps, axis=axis, keepdims=True)).reshape(np.shape(input))


def log_softmax(input, dim: int) -> np.ndarray:
    r"""Log-softmax along ``dim``: :math:`z_i - m - \log\sum_j e^{z_j - m}`, computed as
    :math:`(z_i - m) - \operatorname{log1p}(\sum_{j \ne k} e^{z_j - m})` (:math:`k` the argmax), a
    difference of two non-positive numbers: accurate even where the result is tiny.

    PyTorch: ``torch.log_softmax(input, dim)``. A slice holding ``+inf`` or only ``-inf`` gives
    ``nan``, as in PyTorch.

    >>> log_softmax(np.array([40.0, 0.0]), dim=0)
    array([-4.24835426e-18, -4.00000000e+01])

    Reference: I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning* (2016), section 6.2.2.3.
    """
    x = as_floating(input, "input")
    axis = normalise_dim(dim, x.ndim)
    shape = x.shape
    if x.ndim == 0:
        x = x.reshape(1)
    if x.shape[axis] == 0:
        return x.copy()
    m, shifted, error, log1p_rest = log_partition_parts(x, axis)
    with np.errstate(invalid="ignore"):
        out = (shifted - log1p_rest) + error
    out[np.broadcast_to(~np.isfinite(m), out.shape)] = np.nan
    return out.reshape(shape)


def logsumexp(input, dim, keepdim: bool = False) -> np.ndarray:
    r""":math:`\log \sum_i e^{x_i}` along ``dim`` (an int or a tuple of ints), computed as
    :math:`m + \operatorname{log1p}(\sum_{i \ne k} e^{x_i - m})` with :math:`m = x_k = \max_i x_i`.

    PyTorch: ``torch.logsumexp(input, dim, keepdim)``: an infinite maximum is replaced by 0 before
    shifting, so a slice of only ``-inf`` gives ``-inf``, one with ``+inf`` gives ``+inf``, and an
    empty slice gives ``-inf``.

    >>> logsumexp(np.array([[1000.0, 1000.0], [-np.inf, -np.inf]]), dim=1)   # 1000 + log 2
    array([1000.69314718,         -inf])

    Reference: N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed. (2002);
    P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing the log-sum-exp and softmax
    functions", *IMA J. Numer. Anal.* (2021).
    """
    x = as_floating(input, "input")
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if x.ndim == 0:
        x = x.reshape(1)
    axes = tuple(sorted({normalise_dim(d, x.ndim) for d in dims}))
    kept_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    # Gather the reduced axes into one trailing axis.
    rest = [i for i in range(x.ndim) if i not in axes]
    reduced_size = int(np.prod([x.shape[i] for i in axes]))
    flat = np.transpose(x, rest + list(axes)).reshape([x.shape[i] for i in rest] + [reduced_size])
    if reduced_size == 0:
        out = np.full(flat.shape[:-1], -np.inf, dtype=x.dtype)
    elif flat.size == 0:
        out = np.zeros(flat.shape[:-1], dtype=x.dtype)
    else:
        m, _, _, log1p_rest = log_partition_parts(flat, -1)
        m, log1p_rest = m[..., 0], log1p_rest[..., 0]
        finite = np.isfinite(m)
        out = m + log1p_rest
        if not np.all(finite):  # PyTorch: an infinite max is replaced by 0 before shifting
            safe_m = np.where(finite, m, 0.0).astype(x.dtype)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                plain = safe_m + np.log(np.sum(np.exp(flat - safe_m[..., None]), axis=-1))
            out = np.where(finite, out, plain)
    out = np.asarray(out, dtype=x.dtype)
    if keepdim:
        return out.reshape(kept_shape)
    return out.reshape([n for i, n in enumerate(kept_shape) if i not in axes])


def sigmoid(input) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(x) = 1/(1 + e^{-x})`, evaluated as :math:`e^{x}/(1 + e^{x})`
    for :math:`x < 0` so that no exponential overflows.

    PyTorch: ``torch.sigmoid(input)``.

    >>> sigmoid(np.array([-np.inf, 0.0, np.inf]))
    array([0. , 0.5, 1. ])

    Reference: C. M. Bishop, *Pattern Recognition and Machine Learning* (2006), section 4.2.
    """
    x = as_floating(input, "input")
    e = np.exp(-np.abs(x))
    with np.errstate(invalid="ignore"):
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def logsigmoid(input) -> np.ndarray:
    r""":math:`\log\sigma(x) = \min(x, 0) - \operatorname{log1p}(e^{-|x|})`.

    PyTorch: ``torch.nn.functional.logsigmoid(input)`` (same formula).

    >>> logsigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([-1.00000000e+03, -6.93147181e-01, -0.00000000e+00])
    """
    x = as_floating(input, "input")
    return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)


def _two_product(a: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """``p = fl(a * b)`` and its rounding error ``e`` (``a * b = p + e`` exactly, Dekker's
    TwoProduct with Veltkamp splitting); ``a`` must be far from overflow (``|a * b| < 1e300``)."""
    dtype = a.dtype
    splitter = dtype.type(2.0 ** ((np.finfo(dtype).nmant + 2) // 2) + 1)
    b = dtype.type(b)

    def split(v):
        scaled = splitter * v
        high = scaled - (scaled - v)
        return high, v - high

    a_high, a_low = split(a)
    b_high, b_low = split(b)
    p = a * b
    e = ((a_high * b_high - p) + a_high * b_low + a_low * b_high) + a_low * b_low
    return p, e


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, and ``x`` itself where
    :math:`\beta x > \text{threshold}` (there the two differ by less than :math:`e^{-20}/\beta`).

    The rounding error of :math:`\beta x`, which ``exp`` would multiply by :math:`|\beta x|`, is
    added back (:math:`e^{s + e} \approx e^{s}(1 + e)`), so the negative tail keeps full relative
    accuracy for any ``beta`` (PyTorch loses up to a few dozen ulps there when ``beta`` is not a
    power of two).

    PyTorch: ``torch.nn.functional.softplus(input, beta, threshold)``.

    >>> softplus(np.array([0.0, 30.0]))
    array([ 0.69314718, 30.        ])
    """
    x = as_floating(input, "input")
    if not (isinstance(beta, numbers.Real) and beta > 0):
        raise ValueError(f"beta must be a positive number, got {beta!r}")
    limit = np.finfo(x.dtype).max / 2.0 ** 30  # keeps the splitting in _two_product finite
    with np.errstate(over="ignore", invalid="ignore"):
        huge = ~(np.abs(x) < limit / max(beta, 1.0))  # nan counts as huge here
        scaled, error = _two_product(np.where(huge, 0, x).astype(x.dtype, copy=False), beta)
        exps = np.exp(np.minimum(scaled, threshold))
        smooth = np.log1p(exps + exps * error) / x.dtype.type(beta)
    tail = np.where(x < 0, 0, x).astype(x.dtype, copy=False)  # e^{beta x} is 0 or inf (nan stays)
    return np.where(huge, tail, np.where(scaled > threshold, x, smooth)).astype(x.dtype, copy=False)


def one_hot(tensor, num_classes: int = -1) -> np.ndarray:
    """One-hot encoding: an integer array of shape ``tensor.shape + (num_classes,)``.

    PyTorch: ``torch.nn.functional.one_hot(tensor, num_classes)``; ``num_classes=-1`` means
    ``tensor.max() + 1``. Returns int64.

    >>> one_hot(np.array([0, 2]), num_classes=3)
    array([[1, 0, 0],
           [0, 0, 1]])
    """
    indices = as_class_indices(tensor, "tensor")
    if num_classes == -1:
        if indices.size == 0:
            raise ValueError("tensor is empty: num_classes must be given (it cannot be inferred)")
        num_classes = int(indices.max()) + 1
    if not isinstance(num_classes, numbers.Integral) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer or -1, got {num_classes!r}")
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        raise TargetOutOfBoundsError(
            f"tensor: class values must be in [0, {num_classes}), got values in "
            f"[{indices.min()}, {indices.max()}]"
        )
    return (indices[..., None] == np.arange(num_classes)).astype(np.int64)


