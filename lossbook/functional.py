r"""PyTorch's activations and losses (``torch.nn.functional``) in NumPy.

Import it as ``F``, like ``torch.nn.functional``::

    import lossbook.functional as F

Every function has PyTorch's name, argument names, defaults and semantics (read from PyTorch's
sources; see the notes in each docstring): ``F.cross_entropy(input, target, weight=None,
ignore_index=-100, reduction='mean', label_smoothing=0.0)`` here returns what
``torch.nn.functional.cross_entropy`` returns for the same arrays as tensors.

Conventions
-----------
* Arrays in, arrays out. Results keep the floating dtype of ``input`` (float32 in, float32 out);
  integer or boolean ``input`` and float targets given as integers are converted to float64 (PyTorch
  would refuse them: a convenience for small examples). Class-index targets must be integers.
* Reductions (``'mean'``, ``'sum'``) return 0-d arrays; ``'none'`` returns one loss per sample.
* Nothing here warns. Where PyTorch's answer is ``nan`` or ``inf`` (every target ignored, an
  infinite logit), the same ``nan`` or ``inf`` is returned quietly.
* Bad input raises :class:`ValueError` or :class:`TypeError` naming the argument. Where PyTorch raises
  an ``IndexError`` (class index or dimension out of range) the exception is also an ``IndexError``.
  In three places PyTorch silently returns a meaningless number and ``lossbook`` raises instead:
  a negative ``label_smoothing`` (PyTorch treats it as 0), a ``cosine_embedding_loss`` target other
  than 1 or -1 (PyTorch's loss is 0 there), and ``mse_loss`` of arrays of different shapes (PyTorch
  broadcasts with a warning).

Accuracy
--------
Softmax cross-entropy is computed as :math:`(m - z_y) + \operatorname{log1p}(\sum_{j \ne k}
e^{z_j - m})` with :math:`m = z_k = \max_j z_j`: both terms are non-negative, so the loss keeps its
relative accuracy even when it is tiny (logits ``[40, 0]``, target 0: about ``4.25e-18``, where
``logsumexp(z) - z[y]`` and PyTorch give 0). BCE with logits is computed as a sum of non-negative
terms for the same reason. ``bench/bench_accuracy.py`` measures the errors against mpmath.

References
----------
A. Paszke et al., "PyTorch: an imperative style, high-performance deep learning library",
*NeurIPS* (2019); the documentation of ``torch.nn.functional``.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "TargetOutOfBoundsError",
    "DimensionOutOfRangeError",
    "softmax",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "logsigmoid",
    "softplus",
    "one_hot",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "mse_loss",
    "cosine_similarity",
    "cosine_embedding_loss",
]

BCE_LOG_CLAMP = -100.0
"""PyTorch's ``binary_cross_entropy`` clamps each log-probability at -100 (a loss term of at most 100)."""

COSINE_EMBEDDING_EPS = 1e-12
"""Added to each squared norm by PyTorch's ``cosine_embedding_loss``."""

_REDUCTIONS = ("none", "mean", "sum")


class TargetOutOfBoundsError(ValueError, IndexError):
    """A class index outside ``[0, C)`` that is not ``ignore_index`` (PyTorch: IndexError)."""


class DimensionOutOfRangeError(ValueError, IndexError):
    """A ``dim`` outside the array's dimensions (PyTorch: IndexError "Dimension out of range")."""


# --------------------------------------------------------------------------------------------
# argument checking
# --------------------------------------------------------------------------------------------
def _floating(values, name: str, dtype=None) -> np.ndarray:
    """``values`` as a floating array (cast to ``dtype`` when given); integers become float64."""
    array = np.asarray(values)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(f"{name} must be a real floating-point array, got dtype {array.dtype}")
    return array if dtype is None else array.astype(dtype, copy=False)


def _class_indices(values, name: str = "target") -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must hold integer class indices, got dtype {array.dtype} (for class "
            f"probabilities pass a float array with the same shape as input)"
        )
    return array.astype(np.int64, copy=False)


def _check_reduction(reduction, allowed=_REDUCTIONS) -> None:
    if reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"reduction must be one of {names}, got {reduction!r}")


def _normalise_dim(dim, ndim: int, name: str = "dim") -> int:
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {dim!r}")
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not low <= dim <= high:
        raise DimensionOutOfRangeError(
            f"{name}={dim} is out of range for an array with {ndim} dimension(s) "
            f"(expected a value in [{low}, {high}])"
        )
    return int(dim) % max(ndim, 1)


def _reduce(losses: np.ndarray, reduction: str, dtype) -> np.ndarray:
    if reduction == "none":
        return losses.astype(dtype, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.sum(losses) if reduction == "sum" else np.sum(losses) / losses.size
    return np.asarray(value, dtype=dtype)


def _same_shape(first: np.ndarray, second: np.ndarray, names: tuple[str, str]) -> None:
    if first.shape != second.shape:
        raise ValueError(
            f"{names[1]} must have the same shape as {names[0]}: got {names[1]} of shape "
            f"{second.shape} and {names[0]} of shape {first.shape}"
        )


def _check_bce_probabilities(p: np.ndarray, y: np.ndarray) -> None:
    """PyTorch's check for ``binary_cross_entropy``: input and target in [0, 1] (nan fails)."""
    for name, values in (("input", p), ("target", y)):
        if not np.all((values >= 0) & (values <= 1)):
            raise ValueError(f"all elements of {name} should be between 0 and 1 "
                             f"(binary_cross_entropy takes probabilities)")


def _broadcast_to(values: np.ndarray, shape: tuple, name: str, other: str) -> np.ndarray:
    try:
        return np.broadcast_to(values, shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {values.shape} cannot be broadcast to the shape of {other}, {shape}"
        ) from None


# --------------------------------------------------------------------------------------------
# softmax family
# --------------------------------------------------------------------------------------------
def _two_difference(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _log_partition_parts(x: np.ndarray, axis: int):
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
        shifted, error = _two_difference(x, m)
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
    x = _floating(input, "input")
    axis = _normalise_dim(dim, x.ndim)
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
    x = _floating(input, "input")
    axis = _normalise_dim(dim, x.ndim)
    shape = x.shape
    if x.ndim == 0:
        x = x.reshape(1)
    if x.shape[axis] == 0:
        return x.copy()
    m, shifted, error, log1p_rest = _log_partition_parts(x, axis)
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
    x = _floating(input, "input")
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if x.ndim == 0:
        x = x.reshape(1)
    axes = tuple(sorted({_normalise_dim(d, x.ndim) for d in dims}))
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
        m, _, _, log1p_rest = _log_partition_parts(flat, -1)
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
    x = _floating(input, "input")
    e = np.exp(-np.abs(x))
    with np.errstate(invalid="ignore"):
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def logsigmoid(input) -> np.ndarray:
    r""":math:`\log\sigma(x) = \min(x, 0) - \operatorname{log1p}(e^{-|x|})`.

    PyTorch: ``torch.nn.functional.logsigmoid(input)`` (same formula).

    >>> logsigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([-1.00000000e+03, -6.93147181e-01, -0.00000000e+00])
    """
    x = _floating(input, "input")
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
    x = _floating(input, "input")
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
    indices = _class_indices(tensor, "tensor")
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


# --------------------------------------------------------------------------------------------
# negative log-likelihood and cross-entropy
# --------------------------------------------------------------------------------------------
def _class_dim(x: np.ndarray, name: str = "input") -> int:
    if x.ndim == 0:
        raise ValueError(f"{name} must have a class dimension: expected shape (C), (N, C) or "
                         f"(N, C, d1, ...), got a scalar")
    return 0 if x.ndim == 1 else 1


def _checked_targets(x: np.ndarray, target, ignore_index: int) -> np.ndarray:
    """Class-index targets of the right shape and range for input ``x`` (class dim 0 or 1)."""
    y = _class_indices(target)
    class_dim = _class_dim(x)
    expected = x.shape[:class_dim] + x.shape[class_dim + 1:]
    if y.shape != expected:
        raise ValueError(
            f"target has shape {y.shape}, but input of shape {x.shape} needs class-index targets "
            f"of shape {expected} (the input without its class dimension {class_dim})"
        )
    n_classes = x.shape[class_dim]
    bad = (y != ignore_index) & ((y < 0) | (y >= n_classes))
    if np.any(bad):
        value = int(y[bad].flat[0])
        raise TargetOutOfBoundsError(
            f"Target {value} is out of bounds: target must hold class indices in "
            f"[0, {n_classes}) or ignore_index={ignore_index}"
        )
    return y


def _checked_weight(weight, n_classes: int, dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = _floating(weight, "weight", dtype)
    if w.shape != (n_classes,):
        raise ValueError(f"weight must have shape ({n_classes},), one entry per class, got {w.shape}")
    return w


def _gather_classes(values: np.ndarray, y: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """``values[n, y_n, ...]`` along the class dim (0 or 1); class 0 stands in where not kept."""
    class_dim = 0 if values.ndim == 1 else 1
    indices = np.expand_dims(np.where(kept, y, 0), class_dim)
    return np.squeeze(np.take_along_axis(values, indices, class_dim), axis=class_dim)


def _weighted_terms(neg_log_likelihood: np.ndarray, y: np.ndarray, weight, kept: np.ndarray):
    """Per-sample losses ``w_{y_n} * nll_n`` (0 where ignored) and the weights ``w_{y_n}``."""
    dtype = neg_log_likelihood.dtype
    w = kept.astype(dtype) if weight is None else np.where(kept, weight[np.where(kept, y, 0)], 0)
    w = w.astype(dtype, copy=False)
    with np.errstate(invalid="ignore"):
        losses = np.where(kept, w * neg_log_likelihood, 0).astype(dtype, copy=False)
    return losses, w


def _nll(log_probs: np.ndarray, y: np.ndarray, weight, ignore_index: int):
    """Per-sample NLL terms (classes on dim 0 or 1) and the weights of the kept targets."""
    kept = y != ignore_index
    return _weighted_terms(-_gather_classes(log_probs, y, kept), y, weight, kept)


def _weighted_reduce(losses, weights, reduction, dtype):
    if reduction == "none":
        return losses
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.sum(losses)
        return np.asarray(total if reduction == "sum" else total / np.sum(weights), dtype=dtype)


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    r"""Negative log-likelihood of class indices given log-probabilities.

    :math:`\ell_n = -w_{y_n}\, x_{n, y_n}` (0 where :math:`y_n` is ``ignore_index``);
    ``'mean'`` divides :math:`\sum_n \ell_n` by :math:`\sum_n w_{y_n}` over the kept targets (their
    count without ``weight``), so every target ignored gives ``nan``; ``'sum'`` gives 0 then.

    Shapes: ``input`` (C), (N, C) or (N, C, d1, ...) (classes on dim 1, or 0 for 1-D input);
    ``target`` (), (N) or (N, d1, ...) integers in [0, C) or ``ignore_index`` (any integer, even a
    real class). ``input`` is used as given: pass ``log_softmax`` output, not probabilities.

    PyTorch: ``torch.nn.functional.nll_loss(input, target, weight, ignore_index=ignore_index,
    reduction=reduction)``.

    >>> nll_loss(np.log(np.array([[0.5, 0.5], [0.9, 0.1]])), np.array([0, 0]))
    array(0.39925385)

    Reference: I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning* (2016), section 5.5.
    """
    _check_reduction(reduction)
    x = _floating(input, "input")
    y = _checked_targets(x, target, ignore_index)
    w = _checked_weight(weight, x.shape[_class_dim(x)], x.dtype)
    losses, weights = _nll(x, y, w, ignore_index)
    return _weighted_reduce(losses, weights, reduction, x.dtype)


def cross_entropy(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0):
    r"""Cross-entropy between logits ``input`` and class indices or class probabilities ``target``.

    *Class indices* (``target`` integer, shape of ``input`` without the class dim):
    ``nll_loss(log_softmax(input, class_dim), target, weight, ignore_index, reduction)``, i.e.
    :math:`\ell_n = w_{y_n}(\log\sum_c e^{x_{n,c}} - x_{n,y_n})`, 'mean' dividing by the sum of the
    kept targets' weights. With ``label_smoothing`` :math:`\varepsilon`:
    :math:`(1-\varepsilon)\,\ell^{\text{nll}} + \frac{\varepsilon}{C}\,\ell^{\text{smooth}}`,
    :math:`\ell^{\text{smooth}}_n = -\sum_c w_c \log\operatorname{softmax}(x_n)_c` (0 if ignored),
    reduced the same way (divided by the same weight sum for 'mean').

    *Class probabilities* (``target`` float, same shape as ``input``):
    :math:`\ell_n = -\sum_c w_c\, y_{n,c} \log\operatorname{softmax}(x_n)_c` with
    :math:`y \leftarrow (1-\varepsilon)y + \varepsilon/C`; 'mean' divides by the number of samples
    :math:`N d_1 \cdots d_k` (never by weights). ``ignore_index`` must then be negative.

    The two target kinds agree without weights; with weights their 'mean' values differ (PyTorch
    issue 61309). Classes are on dim 1 (dim 0 for 1-D ``input``).

    PyTorch: ``torch.nn.functional.cross_entropy(input, target, weight, ignore_index=ignore_index,
    reduction=reduction, label_smoothing=label_smoothing)``.

    >>> cross_entropy(np.array([[2.0, 0.0, -1.0]]), np.array([0]))
    array(0.16984602)
    >>> cross_entropy(np.array([40.0, 0.0]), np.array(0))   # PyTorch rounds this to 0
    array(4.24835426e-18)

    References: C. E. Shannon (1948); C. Szegedy et al., "Rethinking the Inception architecture for
    computer vision", *CVPR* (2016) (label smoothing).
    """
    _check_reduction(reduction)
    x = _floating(input, "input")
    class_dim = _class_dim(x)
    n_classes = x.shape[class_dim]
    if not (isinstance(label_smoothing, numbers.Real) and 0.0 <= label_smoothing <= 1.0):
        raise ValueError(f"label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    w = _checked_weight(weight, n_classes, x.dtype)
    target_array = np.asarray(target)
    w_shape = (n_classes,) + (1,) * (x.ndim - class_dim - 1)

    if target_array.shape == x.shape and target_array.dtype.kind != "f":
        raise TypeError(
            f"target has the shape of input, so it is read as class probabilities, which must be "
            f"floating point; got dtype {target_array.dtype}"
        )
    if target_array.shape == x.shape:
        if ignore_index >= 0:
            raise ValueError(f"ignore_index={ignore_index} is not supported for class-probability "
                             f"targets (it must be negative)")
        log_probs = log_softmax(x, class_dim)
        probs = target_array.astype(x.dtype, copy=False)
        if label_smoothing > 0:
            probs = probs * x.dtype.type(1 - label_smoothing) + x.dtype.type(label_smoothing / n_classes)
        weighted = probs if w is None else probs * w.reshape(w_shape)
        with np.errstate(invalid="ignore"):
            terms = np.where(weighted == 0, 0, weighted * log_probs)  # 0 * log 0 = 0
        losses = -np.sum(terms, axis=class_dim)
        if reduction == "none":
            return losses.astype(x.dtype, copy=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.sum(losses)
            return np.asarray(total if reduction == "sum" else total / losses.size, dtype=x.dtype)

    y = _checked_targets(x, target_array, ignore_index)
    kept = y != ignore_index
    # -log softmax(x)_y = (log1p(rest) - (x_y - m)) - error_y: non-negative terms, no cancellation
    m, shifted, error, log1p_rest = _log_partition_parts(x, class_dim)
    with np.errstate(invalid="ignore"):
        per_sample = (np.squeeze(log1p_rest, class_dim) - _gather_classes(shifted, y, kept)) \
            - _gather_classes(error, y, kept)
    per_sample = np.where(np.isfinite(np.squeeze(m, class_dim)), per_sample, np.nan)
    losses, weights = _weighted_terms(per_sample.astype(x.dtype, copy=False), y, w, kept)
    nll = _weighted_reduce(losses, weights, reduction, x.dtype)
    if label_smoothing == 0:
        return nll
    log_probs = log_softmax(x, class_dim)
    weighted_log_probs = log_probs if w is None else log_probs * w.reshape(w_shape)
    smooth = np.where(kept, -np.sum(weighted_log_probs, axis=class_dim), 0)
    smooth = _weighted_reduce(smooth.astype(x.dtype, copy=False), weights, reduction, x.dtype)
    eps = x.dtype.type(label_smoothing)
    return np.asarray((1 - eps) * nll + smooth * (eps / n_classes), dtype=x.dtype)


# --------------------------------------------------------------------------------------------
# binary cross-entropy
# --------------------------------------------------------------------------------------------
def binary_cross_entropy(input, target, weight=None, reduction: str = "mean"):
    r"""Binary cross-entropy of probabilities ``input`` against targets in [0, 1].

    :math:`\ell = -w\,[\,y \max(\log p, -100) + (1-y)\max(\log(1-p), -100)\,]` elementwise; each
    log is clamped at -100 as PyTorch does, so a term is at most 100 (and ``p`` = 0 or 1 is never
    ``inf``). ``weight`` broadcasts to the shape of ``target``; 'mean' is the plain mean.

    Raises ``ValueError`` if ``input`` or ``target`` has entries outside [0, 1] (nan included) or the
    shapes differ.

    PyTorch: ``torch.nn.functional.binary_cross_entropy(input, target, weight, reduction=reduction)``.

    >>> binary_cross_entropy(np.array([0.9, 0.2]), np.array([1.0, 0.0]), reduction='none')
    array([0.10536052, 0.22314355])

    Reference: C. M. Bishop, *Pattern Recognition and Machine Learning* (2006), section 4.3.2.
    """
    _check_reduction(reduction)
    p = _floating(input, "input")
    y = _floating(target, "target", p.dtype)
    _same_shape(p, y, ("input", "target"))
    _check_bce_probabilities(p, y)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), BCE_LOG_CLAMP)
        log_not_p = np.maximum(np.log1p(-p), BCE_LOG_CLAMP)
    losses = -(y * log_p + (1 - y) * log_not_p)
    if weight is not None:
        losses = losses * _broadcast_to(_floating(weight, "weight", p.dtype), y.shape, "weight", "target")
    return _reduce(losses.astype(p.dtype, copy=False), reduction, p.dtype)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean",
                                     pos_weight=None):
    r"""Binary cross-entropy of logits: :math:`-w\,[\,p_w\, y \log\sigma(x) + (1-y)\log\sigma(-x)\,]`.

    Computed without overflow as a sum of non-negative terms (for :math:`y \in [0, 1]`):
    :math:`(1-y)x + c\,L` for :math:`x \ge 0` and :math:`p_w\, y\,|x| + c\,L` for :math:`x < 0`, with
    :math:`L = \operatorname{log1p}(e^{-|x|})` and :math:`c = 1 + (p_w - 1)y`; without ``pos_weight``
    this is :math:`\max(x, 0) - xy + \operatorname{log1p}(e^{-|x|})`. ``weight`` broadcasts to
    ``target``; ``pos_weight`` (e.g. shape (C,) for (N, C)) broadcasts against it. As in PyTorch the
    target's range is not checked, and an infinite logit gives what PyTorch's formula
    :math:`(1 - y)x - c\log\sigma(x)` gives there (``inf``, or ``nan`` from :math:`\infty - \infty`
    or :math:`0 \cdot \infty`).

    PyTorch: ``torch.nn.functional.binary_cross_entropy_with_logits(input, target, weight,
    reduction=reduction, pos_weight=pos_weight)``.

    >>> binary_cross_entropy_with_logits(np.array([1000.0, -1000.0]), np.array([0.0, 0.0]),
    ...                                  reduction='none')
    array([1000.,    0.])
    """
    _check_reduction(reduction)
    x = _floating(input, "input")
    y = _floating(target, "target", x.dtype)
    _same_shape(x, y, ("input", "target"))
    tail = np.log1p(np.exp(-np.abs(x)))
    with np.errstate(invalid="ignore", over="ignore"):
        if pos_weight is None:
            coefficient, positive_weight = 1, 1
        else:
            positive_weight = _broadcast_to(_floating(pos_weight, "pos_weight", x.dtype), y.shape,
                                            "pos_weight", "target")
            coefficient = 1 + (positive_weight - 1) * y
        linear = np.where(x >= 0, (1 - y) * x, positive_weight * y * -x)
        losses = linear + coefficient * tail
        # infinite logits: exactly what PyTorch's (1 - y) x - c logsigmoid(x) gives (inf or nan)
        pytorch_form = (1 - y) * x - coefficient * (np.minimum(x, 0) - tail)
        losses = np.where(np.isfinite(x), losses, pytorch_form)
        if weight is not None:
            losses = losses * _broadcast_to(_floating(weight, "weight", x.dtype), y.shape, "weight",
                                            "target")
    return _reduce(np.asarray(losses, dtype=x.dtype), reduction, x.dtype)


# --------------------------------------------------------------------------------------------
# KL divergence and squared error
# --------------------------------------------------------------------------------------------
def kl_div(input, target, reduction: str = "mean", log_target: bool = False):
    r"""Pointwise KL divergence terms :math:`p\,(\log p - \log q)` with ``input`` = log q (the model,
    as log-probabilities) and ``target`` = p (the data), or log p when ``log_target=True``:
    :math:`e^{t}(t - \log q)`.

    Conventions (PyTorch's ``xlogy``): a term with :math:`p = 0` is 0 (``nan`` if :math:`\log q` is
    infinite); :math:`p > 0` with :math:`\log q = -\infty` gives ``+inf``; a negative ``target``
    gives ``nan``. ``target`` broadcasts against ``input``. Reductions: ``'batchmean'`` =
    sum / ``input.shape[0]`` (of ``input`` itself, before broadcasting: the KL per sample for
    (N, C) input), ``'sum'``, ``'none'`` and ``'mean'`` = sum / ``input.size``, which is the KL
    divided by C as well as N: rarely what is wanted (PyTorch warns about it).

    PyTorch: ``torch.nn.functional.kl_div(input, target, reduction=reduction, log_target=log_target)``.

    >>> p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    >>> kl_div(np.log(q), p, reduction='sum')
    array(0.51082562)

    Reference: S. Kullback and R. A. Leibler, "On information and sufficiency", *Ann. Math. Statist.*
    22 (1951).
    """
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    log_q = _floating(input, "input")
    batch = log_q.shape[0] if log_q.ndim else 1  # 'batchmean' uses input's own first dimension
    t = _floating(target, "target", log_q.dtype)
    try:
        log_q, t = np.broadcast_arrays(log_q, t)
    except ValueError:
        raise ValueError(f"target of shape {t.shape} cannot be broadcast with input of shape "
                         f"{log_q.shape}") from None
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if log_target:
            terms = np.exp(t) * (t - log_q)
        else:
            positive = np.where(t > 0, t, 1)
            terms = np.where(t > 0, t * (np.log(positive) - log_q),
                             np.where(t == 0, 0 - t * log_q, np.nan))
    terms = np.asarray(terms, dtype=log_q.dtype)
    if reduction == "batchmean":
        total = np.sum(terms)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / batch, dtype=log_q.dtype)
    return _reduce(terms, reduction, log_q.dtype)


def mse_loss(input, target, reduction: str = "mean"):
    r"""Squared error :math:`(x - y)^2` elementwise, reduced.

    Unlike PyTorch (which broadcasts with a warning), arrays of different shapes raise
    ``ValueError``: broadcasting (N, 1) against (N) silently computes an N×N loss.

    PyTorch: ``torch.nn.functional.mse_loss(input, target, reduction=reduction)``.

    >>> mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    array(2.5)
    """
    _check_reduction(reduction)
    x = _floating(input, "input")
    y = _floating(target, "target", x.dtype)
    _same_shape(x, y, ("input", "target"))
    return _reduce((x - y) ** 2, reduction, x.dtype)


# --------------------------------------------------------------------------------------------
# cosine similarity
# --------------------------------------------------------------------------------------------
def _power_of_two_scale(x: np.ndarray, axis: int) -> np.ndarray:
    """A power of two near the largest ``|x|`` along ``axis`` (kept), 1 for zero or non-finite
    slices: dividing by it is exact and keeps sums of squares from overflowing or underflowing."""
    if x.shape[axis] == 0:
        return np.ones(x.shape[:axis] + (1,) + x.shape[axis + 1:], dtype=x.dtype)
    largest = np.max(np.abs(x), axis=axis, keepdims=True)
    _, exponent = np.frexp(np.where(np.isfinite(largest), largest, 1))
    return np.ldexp(np.ones_like(largest), exponent)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> np.ndarray:
    r"""Cosine of the angle between ``x1`` and ``x2`` along ``dim``:
    :math:`\dfrac{x_1 \cdot x_2}{\max(\|x_1\|, \epsilon)\,\max(\|x_2\|, \epsilon)}`.

    Each norm is clamped at ``eps`` separately (PyTorch's current rule; versions before 1.12 clamped
    the product), so a zero vector gives 0. The inputs broadcast; ``dim`` is removed from the
    result. Each vector is first scaled by a power of two (exact), so norms of vectors with entries
    near 1e200 or 1e-200 neither overflow nor underflow; the result is clipped to [-1, 1].

    PyTorch: ``torch.nn.functional.cosine_similarity(x1, x2, dim=dim, eps=eps)``.

    >>> cosine_similarity(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]]))
    array([0.70710678])

    Reference: G. Salton, A. Wong and C. S. Yang, "A vector space model for automatic indexing",
    *Comm. ACM* 18 (1975).
    """
    a = _floating(x1, "x1")
    b = _floating(x2, "x2")
    dtype = np.result_type(a, b)
    if not (isinstance(eps, numbers.Real) and eps >= 0):
        raise ValueError(f"eps must be a non-negative number, got {eps!r}")
    try:
        a, b = np.broadcast_arrays(a.astype(dtype, copy=False), b.astype(dtype, copy=False))
    except ValueError:
        raise ValueError(f"x1 of shape {np.shape(x1)} and x2 of shape {np.shape(x2)} cannot be "
                         f"broadcast together") from None
    axis = _normalise_dim(dim, a.ndim)
    if a.ndim == 0:
        a, b = a.reshape(1), b.reshape(1)
    eps_value = dtype.type(eps)
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        scale_a, scale_b = _power_of_two_scale(a, axis), _power_of_two_scale(b, axis)
        scaled_a, scaled_b = a / scale_a, b / scale_b
        dot = np.sum(scaled_a * scaled_b, axis=axis)
        squares_a = np.sum(scaled_a * scaled_a, axis=axis)
        squares_b = np.sum(scaled_b * scaled_b, axis=axis)
        scale_a, scale_b = np.squeeze(scale_a, axis), np.squeeze(scale_b, axis)
        norm_a, norm_b = scale_a * np.sqrt(squares_a), scale_b * np.sqrt(squares_b)
        clamped = (norm_a < eps_value) | (norm_b < eps_value)
        # one square root when no norm is clamped: fewer roundings near cos = 1
        cos = np.where(clamped,
                       dot * (scale_a * scale_b) / (np.maximum(norm_a, eps_value) * np.maximum(norm_b, eps_value)),
                       dot / np.sqrt(squares_a * squares_b))
    return np.clip(cos, -1, 1).astype(dtype, copy=False)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction: str = "mean"):
    r"""Cosine embedding loss: :math:`1 - \cos(x_1, x_2)` for target 1 and
    :math:`\max(0, \cos(x_1, x_2) - \text{margin})` for target -1.

    Here :math:`\cos = x_1\cdot x_2 / \sqrt{(\|x_1\|^2 + 10^{-12})(\|x_2\|^2 + 10^{-12})}`, as in
    PyTorch. Shapes: ``input1``, ``input2`` (N, D) with ``target`` (N), or (D) with a 0-d target.
    PyTorch returns 0 for a target other than 1 or -1; ``lossbook`` raises ``ValueError`` instead.

    PyTorch: ``torch.nn.functional.cosine_embedding_loss(input1, input2, target, margin=margin,
    reduction=reduction)``.

    >>> cosine_embedding_loss(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([1]))
    array(1.)

    Reference: R. Hadsell, S. Chopra and Y. LeCun, "Dimensionality reduction by learning an invariant
    mapping", *CVPR* (2006).
    """
    _check_reduction(reduction)
    a = _floating(input1, "input1")
    b = _floating(input2, "input2", a.dtype)
    _same_shape(a, b, ("input1", "input2"))
    y = np.asarray(target)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"target must be a numeric array of 1 and -1, got dtype {y.dtype}")
    if a.ndim not in (1, 2) or y.ndim != a.ndim - 1 or (a.ndim == 2 and y.shape[0] != a.shape[0]):
        raise ValueError(
            f"expected input1/input2 of shape (N, D) with target (N), or (D) with a 0-d target; got "
            f"inputs {a.shape} and target {y.shape}"
        )
    if not np.all((y == 1) | (y == -1)):
        raise ValueError("target must hold only 1 (similar pair) and -1 (dissimilar pair)")
    axis = a.ndim - 1
    with np.errstate(invalid="ignore", over="ignore"):
        dot = np.sum(a * b, axis=axis)
        squared_norms = (np.sum(a * a, axis=axis) + COSINE_EMBEDDING_EPS) * (
            np.sum(b * b, axis=axis) + COSINE_EMBEDDING_EPS)
        cos = dot / np.sqrt(squared_norms)
    losses = np.where(y == 1, 1 - cos, np.maximum(cos - a.dtype.type(margin), 0))
    return _reduce(np.asarray(losses, dtype=a.dtype), reduction, a.dtype)
