"""Softmax, log-softmax, log-sum-exp, sigmoid, softplus and one-hot, as in
``torch.nn.functional``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    TargetOutOfBoundsError,
    as_class_indices,
    as_floating,
    check_bool,
    check_int,
    check_real,
    chunks,
    normalise_dim,
    normalise_dims,
    working_dtype,
)


# ---- shared numerics (package-private, imported by the loss modules) --------------------------
class Workspace:
    """Scratch arrays reused by the chunks of one call.

    Allocating a chunk's temporaries afresh for every chunk lets the C library return them to
    the system and fault them in again each time, which made chunked code several times slower
    in a fresh process; one set of buffers, reused, costs one allocation per call.
    """

    def __init__(self, count: int):
        self._buffers: list[np.ndarray | None] = [None] * count

    def arrays(self, shape: tuple, dtype) -> list[np.ndarray]:
        """``count`` uninitialised C-contiguous arrays of ``shape`` and ``dtype``."""
        size = int(np.prod(shape))
        arrays = []
        for i, buffer in enumerate(self._buffers):
            if buffer is None or buffer.size < size or buffer.dtype != dtype:
                buffer = self._buffers[i] = np.empty(size, dtype)
            arrays.append(buffer[:size].reshape(shape))
        return arrays


def two_difference(
    a: np.ndarray, b: np.ndarray, out: list[np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``d = fl(a - b)`` and its rounding error ``e``, so that ``a - b = d + e`` exactly (Knuth's
    TwoSum, written in place to spare memory traffic); ``e`` is 0 where ``d`` is infinite or
    nan. ``out``: three arrays of the broadcast shape for ``d``, ``e`` and a scratch term."""
    d, e, part = out if out is not None else (None, None, None)
    d = np.subtract(a, b, out=d)
    part = np.add(d, b, out=part)
    with np.errstate(invalid="ignore"):
        e = np.subtract(a, part, out=e)
        part -= d
        part -= b
        e += part
    if not np.isfinite(np.sum(e)):  # an infinite input: its error term is nan, make it 0
        np.copyto(e, 0, where=~np.isfinite(e))
    return d, e


def log_partition_parts(x: np.ndarray, axis: int, workspace: Workspace | None = None):
    r"""The pieces of :math:`\log \sum_j e^{x_j}` along ``axis``, accurate to a few ulps.

    Returns ``m`` (the max, axis kept), ``shifted``, ``error`` (with :math:`x - m` = ``shifted +
    error`` exactly) and ``log1p_rest`` = :math:`\operatorname{log1p}(\sum_{j \ne k} e^{x_j -
    m})`, :math:`k` the argmax, axis kept; :math:`\log\sum_j e^{x_j} = m +
    \operatorname{log1p}(\ldots)`.

    Two details keep the relative accuracy when the result is tiny: the largest term (exactly 1)
    is left out of the sum, where ``log(1 + s)`` would round ``s`` away; and the rounding error of
    :math:`x_j - m`, which ``exp`` would multiply by :math:`|x_j - m|`, is added back to first
    order (:math:`\sum_j e^{d_j + e_j} \approx \sum_j e^{d_j} + \sum_j e^{d_j} e_j`).

    With a ``workspace`` (of three buffers), ``shifted`` and ``error`` are views of its buffers,
    valid until its next use.
    """
    m = np.max(x, axis=axis, keepdims=True)
    buffers = None if workspace is None else workspace.arrays(x.shape, x.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        shifted, error = two_difference(x, m, buffers)
        exps = np.exp(shifted, out=None if buffers is None else buffers[2])
        np.put_along_axis(exps, np.argmax(x, axis=axis, keepdims=True), 0.0, axis=axis)
        rest = np.sum(exps, axis=axis, keepdims=True)
        rest += np.expand_dims(np.vecdot(exps, error, axis=axis), axis)
    return m, shifted, error, np.log1p(rest)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(x)`, as :math:`e^{x}/(1 + e^{x})` for :math:`x < 0`: nothing overflows."""
    e = np.exp(-np.abs(x))
    with np.errstate(invalid="ignore"):
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def elementwise(
    function: Callable[[np.ndarray], np.ndarray], x: np.ndarray, out_dtype=None
) -> np.ndarray:
    """``function`` applied in chunks of fixed size, in the working dtype of ``x`` (float32 for
    float16), into one output array: the temporaries never exceed a chunk."""
    out = np.empty(x.shape, dtype=x.dtype if out_dtype is None else out_dtype)
    flat_x, flat_out = x.reshape(-1), out.reshape(-1)
    work = working_dtype(x.dtype)
    for piece in chunks(flat_x.size):
        flat_out[piece] = function(flat_x[piece].astype(work, copy=False))
    return out


def along_rows(function: Callable[..., np.ndarray], arrays, axis: int, out: np.ndarray):
    """``out[i] = function(*(a[i] for a in arrays))`` for chunks ``i`` of the first axis that is
    not ``axis`` (the whole arrays when there is none), so that a row-wise computation along
    ``axis`` needs temporaries of one chunk only.

    ``arrays`` is one array or a list of arrays of the same shape (broadcast views are fine);
    ``function`` gets each chunk in its working dtype (float32 for float16). ``out`` has that
    shape, or the shape without ``axis`` when ``function`` reduces it.
    """
    arrays = [arrays] if isinstance(arrays, np.ndarray) else list(arrays)
    x = arrays[0]
    others = [i for i in range(x.ndim) if i != axis]
    if not others:
        out[...] = function(*(a.astype(working_dtype(a.dtype), copy=False) for a in arrays))
        return out
    first = others[0]
    row_elements = x.size // max(x.shape[first], 1)
    index = [slice(None)] * x.ndim
    for piece in chunks(x.shape[first], row_elements):
        index[first] = piece
        target = index if out.ndim == x.ndim else index[:axis] + index[axis + 1 :]
        parts = (a[tuple(index)] for a in arrays)
        out[tuple(target)] = function(
            *(a.astype(working_dtype(a.dtype), copy=False) for a in parts)
        )
    return out


def map_chunks(function: Callable[..., np.ndarray], arrays, out: np.ndarray) -> np.ndarray:
    """``out[i] = function(*(a[i] for a in arrays))`` for chunks ``i`` of the first dim, each
    array of the shape of ``out`` (broadcast views are fine) and given in its working dtype:
    an elementwise computation whose temporaries never exceed one chunk (one row at least)."""
    if out.ndim == 0:
        out[...] = function(*(a.astype(working_dtype(a.dtype), copy=False) for a in arrays))
        return out
    if out.ndim > 1 and out.shape[0] < 8 and all(a.flags.c_contiguous for a in arrays):
        flat = [a.reshape(-1) for a in arrays]  # few long rows: chunk the flat views
        map_chunks(function, flat, out.reshape(-1))
        return out
    for piece in chunks(out.shape[0], out.size // max(out.shape[0], 1)):
        parts = (a[piece] for a in arrays)
        out[piece] = function(*(a.astype(working_dtype(a.dtype), copy=False) for a in parts))
    return out


# ---- public functions --------------------------------------------------------------------------
def softmax(input: ArrayLike, dim: int) -> np.ndarray:
    r"""Softmax along ``dim``.

    .. math:: \operatorname{softmax}(z)_i = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}},
              \qquad m = \max_j z_j,

    the shift by :math:`m` changes nothing mathematically and prevents overflow.

    Parameters
    ----------
    input : array_like
        Logits, any shape (0-d included); integers and bools are converted to float64.
    dim : int
        The axis to normalise along (negative counts from the end; 0 and -1 for 0-d input).

    Returns
    -------
    np.ndarray
        Probabilities of the shape and floating dtype of ``input``, summing to 1 along ``dim``.

    Raises
    ------
    TypeError
        ``input`` is not a real numeric array, or ``dim`` is not an integer.
    ValueError
        ``input`` is a ragged list; ``dim`` is out of range (:class:`DimensionOutOfRangeError`,
        also an :class:`IndexError`).

    See Also
    --------
    log_softmax : its logarithm, accurate where softmax underflows.

    Notes
    -----
    PyTorch: ``torch.softmax(input, dim)``. A slice holding ``+inf`` or only ``-inf`` gives
    ``nan``, as in PyTorch; an empty slice gives an empty result. float16 is computed in float32
    and rounded once. Works in chunks of rows: the extra memory is about one output array.

    References
    ----------
    .. [1] J. S. Bridle, "Probabilistic interpretation of feedforward classification network
       outputs, with relationships to statistical pattern recognition", *Neurocomputing*,
       Springer (1990). https://doi.org/10.1007/978-3-642-76153-9_28

    Examples
    --------
    >>> softmax(np.array([0.0, np.log(3.0)]), dim=0)
    array([0.25, 0.75])
    """
    x = as_floating(input, "input")
    axis = normalise_dim(dim, x.ndim)
    shape = x.shape
    x = x.reshape(1) if x.ndim == 0 else x
    if x.shape[axis] == 0:
        return x.copy().reshape(shape)

    def rows(z: np.ndarray) -> np.ndarray:
        m = np.max(z, axis=axis, keepdims=True)
        with np.errstate(invalid="ignore", over="ignore"):
            exps = np.exp(z - m)
            exps /= np.sum(exps, axis=axis, keepdims=True)
        return exps

    return along_rows(rows, x, axis, np.empty(x.shape, x.dtype)).reshape(shape)


def _log_softmax_rows(z: np.ndarray, axis: int, workspace: Workspace | None = None) -> np.ndarray:
    m, shifted, error, log1p_rest = log_partition_parts(z, axis, workspace)
    with np.errstate(invalid="ignore"):
        shifted -= log1p_rest
        shifted += error
    shifted[np.broadcast_to(~np.isfinite(m), shifted.shape)] = np.nan
    return shifted


def log_softmax(input: ArrayLike, dim: int) -> np.ndarray:
    r"""Log-softmax along ``dim``, accurate even where the result is tiny.

    .. math:: \log\operatorname{softmax}(z)_i = (z_i - m)
              - \operatorname{log1p}\Big(\sum_{j \ne k} e^{z_j - m}\Big),
              \qquad m = z_k = \max_j z_j,

    a difference of two non-positive numbers, so no cancellation.

    Parameters
    ----------
    input : array_like
        Logits, any shape (0-d included).
    dim : int
        The axis to normalise along.

    Returns
    -------
    np.ndarray
        Log-probabilities of the shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        ``input`` is not a real numeric array, or ``dim`` is not an integer.
    ValueError
        ``input`` is ragged, or ``dim`` is out of range (:class:`DimensionOutOfRangeError`).

    See Also
    --------
    softmax, logsumexp

    Notes
    -----
    PyTorch: ``torch.log_softmax(input, dim)``. A slice holding ``+inf`` or only ``-inf`` gives
    ``nan``, as in PyTorch. Where PyTorch rounds a tiny result to 0 (``[40, 0]``: -4.2e-18)
    lossbook keeps it (within 4 ulp of the exact value, see ``tests/test_accuracy_mpmath.py``).
    float16 is computed in float32. Works in chunks of rows.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing the log-sum-exp and
       softmax functions", *IMA J. Numer. Anal.* 41 (2021). https://doi.org/10.1093/imanum/draa038

    Examples
    --------
    >>> log_softmax(np.array([40.0, 0.0]), dim=0)
    array([-4.24835426e-18, -4.00000000e+01])
    """
    x = as_floating(input, "input")
    axis = normalise_dim(dim, x.ndim)
    shape = x.shape
    x = x.reshape(1) if x.ndim == 0 else x
    if x.shape[axis] == 0:
        return x.copy().reshape(shape)
    out, workspace = np.empty(x.shape, x.dtype), Workspace(3)
    return along_rows(lambda z: _log_softmax_rows(z, axis, workspace), x, axis, out).reshape(shape)


def _logsumexp_last(flat: np.ndarray, workspace: Workspace | None = None) -> np.ndarray:
    """``logsumexp`` along the last axis of a non-empty array, PyTorch's rule at infinities."""
    m, _, _, log1p_rest = log_partition_parts(flat, -1, workspace)
    m, log1p_rest = m[..., 0], log1p_rest[..., 0]
    finite = np.isfinite(m)
    out = m + log1p_rest
    if not np.all(finite):  # PyTorch: an infinite max is replaced by 0 before shifting
        safe_m = np.where(finite, m, 0.0).astype(flat.dtype)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            plain = safe_m + np.log(np.sum(np.exp(flat - safe_m[..., None]), axis=-1))
        out = np.where(finite, out, plain)
    return out


def logsumexp(input: ArrayLike, dim, keepdim: bool = False) -> np.ndarray:
    r"""Log-sum-exp along ``dim``, accurate to a few ulps.

    .. math:: \log \sum_i e^{x_i} = m + \operatorname{log1p}\Big(\sum_{i \ne k} e^{x_i - m}\Big),
              \qquad m = x_k = \max_i x_i.

    Parameters
    ----------
    input : array_like
        Any shape (0-d included).
    dim : int or tuple of ints
        The dims to reduce. As in PyTorch, an empty tuple reduces every dim, and a dim may not
        appear twice.
    keepdim : bool, default False
        Keep the reduced dims with size 1 (a 0-d input stays 0-d).

    Returns
    -------
    np.ndarray
        The floating dtype of ``input``; its shape without the reduced dims (or with size 1).

    Raises
    ------
    TypeError
        ``input`` is not a real numeric array; ``dim`` is not an int or a tuple of ints;
        ``keepdim`` is not a bool.
    ValueError
        ``input`` is ragged; a dim is out of range (:class:`DimensionOutOfRangeError`) or
        repeated.

    See Also
    --------
    log_softmax

    Notes
    -----
    PyTorch: ``torch.logsumexp(input, dim, keepdim)``: an infinite maximum is replaced by 0 before
    shifting, so a slice of only ``-inf`` gives ``-inf``, one with ``+inf`` gives ``+inf``, and an
    empty slice gives ``-inf``. PyTorch 2.13 raises a RuntimeError for ``dim=()`` on inputs of
    more than one element (an output-shape bug; on other inputs it reduces every dim, as ``sum``
    does); lossbook reduces every dim. float16 is computed in float32.

    References
    ----------
    .. [1] P. Blanchard, D. J. Higham and N. J. Higham, "Accurately computing the log-sum-exp and
       softmax functions", *IMA J. Numer. Anal.* 41 (2021). https://doi.org/10.1093/imanum/draa038

    Examples
    --------
    >>> logsumexp(np.array([[1000.0, 1000.0], [-np.inf, -np.inf]]), dim=1)   # 1000 + log 2
    array([1000.69314718,         -inf])
    >>> logsumexp(np.zeros((2, 2)), dim=())                                  # log 4
    array(1.38629436)
    """
    x = as_floating(input, "input")  # float16: converted to float32 chunk by chunk
    dtype = x.dtype
    if not (isinstance(dim, (tuple, list)) or np.ndim(dim) == 0):
        raise TypeError(f"dim must be an int or a tuple of ints, got {dim!r}")
    axes = normalise_dims(dim, x.ndim)
    keepdim = check_bool(keepdim, "keepdim")
    if x.ndim == 0:
        return x.astype(dtype)  # log e^x = x, nan and infinities included
    kept_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    rest = [i for i in range(x.ndim) if i not in axes]
    reduced_size = int(np.prod([x.shape[i] for i in axes]))
    flat = np.transpose(x, rest + list(axes)).reshape([x.shape[i] for i in rest] + [reduced_size])
    work = working_dtype(dtype)
    if reduced_size == 0:
        out = np.full(flat.shape[:-1], -np.inf, dtype=work)
    elif flat.size == 0:
        out = np.zeros(flat.shape[:-1], dtype=work)
    elif flat.ndim == 1:
        out = _logsumexp_last(flat.astype(work, copy=False))
    else:
        workspace = Workspace(3)
        out = along_rows(
            lambda z: _logsumexp_last(z, workspace),
            flat,
            flat.ndim - 1,
            np.empty(flat.shape[:-1], work),
        )
    out = np.asarray(out).astype(dtype)
    if keepdim:
        return out.reshape(kept_shape)
    return out.reshape([n for i, n in enumerate(kept_shape) if i not in axes])


def sigmoid(input: ArrayLike) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(x) = 1/(1 + e^{-x})`.

    Evaluated as :math:`e^{x}/(1 + e^{x})` for :math:`x < 0`, so no exponential overflows.

    Parameters
    ----------
    input : array_like
        Any shape.

    Returns
    -------
    np.ndarray
        Values in [0, 1], the shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        ``input`` is not a real numeric array.
    ValueError
        ``input`` is ragged.

    See Also
    --------
    logsigmoid, softplus

    Notes
    -----
    PyTorch: ``torch.sigmoid(input)``. float16 is computed in float32; works in chunks.

    References
    ----------
    .. [1] C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006), section 4.2.

    Examples
    --------
    >>> sigmoid(np.array([-np.inf, 0.0, np.inf]))
    array([0. , 0.5, 1. ])
    """
    return elementwise(stable_sigmoid, as_floating(input, "input"))


def _logsigmoid(x: np.ndarray) -> np.ndarray:
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def logsigmoid(input: ArrayLike) -> np.ndarray:
    r"""Log-sigmoid :math:`\log\sigma(x) = \min(x, 0) - \operatorname{log1p}(e^{-|x|})`.

    Parameters
    ----------
    input : array_like
        Any shape.

    Returns
    -------
    np.ndarray
        Non-positive values, the shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        ``input`` is not a real numeric array.
    ValueError
        ``input`` is ragged.

    See Also
    --------
    sigmoid, softplus : :math:`\log\sigma(x) = -\operatorname{softplus}(-x)`.

    Notes
    -----
    PyTorch: ``torch.nn.functional.logsigmoid(input)`` (the same formula). float16 is computed in
    float32; works in chunks.

    References
    ----------
    .. [1] C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006), section 4.3.

    Examples
    --------
    >>> logsigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([-1.00000000e+03, -6.93147181e-01, -0.00000000e+00])
    """
    return elementwise(_logsigmoid, as_floating(input, "input"))


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


def _softplus(x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    limit = np.finfo(x.dtype).max / 2.0**30  # keeps the splitting in _two_product finite
    with np.errstate(over="ignore", invalid="ignore"):
        huge = ~(np.abs(x) < limit / max(beta, 1.0))  # nan counts as huge here
        scaled, error = _two_product(np.where(huge, 0, x).astype(x.dtype, copy=False), beta)
        exps = np.exp(np.minimum(scaled, threshold))
        correction = np.where(np.isinf(exps), 0, exps * error)  # threshold=inf: no inf * 0
        smooth = np.log1p(exps + correction) / x.dtype.type(beta)
    tail = np.where(x < 0, 0, x).astype(x.dtype, copy=False)  # e^{beta x} is 0 or inf (nan stays)
    return np.where(huge, tail, np.where(scaled > threshold, x, smooth))


def softplus(input: ArrayLike, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, linear above a threshold.

    Where :math:`\beta x > \text{threshold}` the result is ``x`` itself.

    Parameters
    ----------
    input : array_like
        Any shape.
    beta : float, default 1.0
        A finite positive real number.
    threshold : float, default 20.0
        Above :math:`\beta x` = ``threshold`` the result is ``x`` (there the two differ by less
        than :math:`e^{-\text{threshold}}/\beta`); a real number, ``±inf`` allowed, not nan.

    Returns
    -------
    np.ndarray
        Positive values, the shape and floating dtype of ``input``.

    Raises
    ------
    TypeError
        ``input`` is not a real numeric array; ``beta`` or ``threshold`` is not a real number
        (a string or a bool is not).
    ValueError
        ``input`` is ragged; ``beta`` is not finite and positive; ``threshold`` is nan.

    See Also
    --------
    logsigmoid

    Notes
    -----
    PyTorch: ``torch.nn.functional.softplus(input, beta, threshold)``. The rounding error of
    :math:`\beta x`, which ``exp`` would multiply by :math:`|\beta x|`, is added back
    (:math:`e^{s + e} \approx e^{s}(1 + e)`), so the negative tail keeps full relative accuracy
    for any ``beta`` (PyTorch loses up to a few dozen ulps there when ``beta`` is not a power of
    two). float16 is computed in float32 and rounded once (computing the threshold test in
    float16 would overflow and return ReLU). Works in chunks: extra memory is one output array.

    Deliberate difference: PyTorch accepts ``beta <= 0`` (0 gives ``inf``, a negative ``beta`` a
    negative concave function, neither a softplus); lossbook raises :class:`ValueError`.

    References
    ----------
    .. [1] C. Dugas, Y. Bengio, F. Bélisle, C. Nadeau and R. Garcia, "Incorporating second-order
       functional knowledge for better option pricing", *NeurIPS* 13 (2000).

    Examples
    --------
    >>> softplus(np.array([0.0, 30.0]))
    array([ 0.69314718, 30.        ])
    >>> softplus(np.array([-1.0, 0.5, 2.0], dtype=np.float16))
    array([0.3132, 0.974 , 2.127 ], dtype=float16)
    """
    x = as_floating(input, "input")
    beta = check_real(beta, "beta", minimum=0.0, strict=True)
    threshold = check_real(threshold, "threshold", finite=False)
    return elementwise(lambda v: _softplus(v, beta, threshold), x)


def one_hot(tensor: ArrayLike, num_classes: int = -1) -> np.ndarray:
    """One-hot encoding: an int64 array of shape ``tensor.shape + (num_classes,)``.

    Parameters
    ----------
    tensor : array_like of int
        Class indices in ``[0, num_classes)``, any shape (0-d included).
    num_classes : int, default -1
        The number of classes; -1 means ``tensor.max() + 1`` (``tensor`` must then be
        non-empty).

    Returns
    -------
    np.ndarray of int64
        Shape ``tensor.shape + (num_classes,)``.

    Raises
    ------
    TypeError
        ``tensor`` does not hold integers; ``num_classes`` is not an integer.
    ValueError
        ``num_classes`` is below -1, or 0 with a non-empty ``tensor``, or -1 with an empty one;
        a class index is out of range (:class:`TargetOutOfBoundsError`, also an
        :class:`IndexError`).

    See Also
    --------
    cross_entropy : takes class indices directly.

    Notes
    -----
    PyTorch: ``torch.nn.functional.one_hot(tensor, num_classes)``. PyTorch raises a
    RuntimeError for an empty ``tensor`` with ``num_classes=0``; lossbook returns the empty
    array of shape ``tensor.shape + (0,)`` (there is nothing to encode).

    References
    ----------
    .. [1] I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016),
       section 6.2.2.3 (a one-hot target for the softmax output).

    Examples
    --------
    >>> one_hot(np.array([0, 2]), num_classes=3)
    array([[1, 0, 0],
           [0, 0, 1]])
    """
    indices = as_class_indices(tensor, "tensor")
    num_classes = check_int(num_classes, "num_classes", minimum=-1)
    if num_classes == -1:
        if indices.size == 0:
            raise ValueError("tensor is empty: num_classes must be given (it cannot be inferred)")
        num_classes = int(indices.max()) + 1
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        raise TargetOutOfBoundsError(
            f"tensor: class values must be in [0, {num_classes}), got values in "
            f"[{indices.min()}, {indices.max()}]"
        )
    return (indices[..., None] == np.arange(num_classes)).astype(np.int64)
