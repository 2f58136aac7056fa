"""Classification losses: NLL, cross-entropy, binary cross-entropy, KL divergence."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    REDUCTIONS,
    TargetOutOfBoundsError,
    as_array,
    as_class_indices,
    as_floating,
    broadcast_to_shape,
    check_bool,
    check_int,
    check_real,
    check_reduction,
    check_same_shape,
    chunks,
    reduce_losses,
    working_dtype,
)
from ._activations import Workspace, log_partition_parts, map_chunks

BCE_LOG_CLAMP = -100.0
"""PyTorch's ``binary_cross_entropy`` clamps each log-probability at -100 (a loss term of at
most 100)."""


# ---- checks shared with lossbook.gradients (package-private, public names) ---------------------
def check_bce_probabilities(p: np.ndarray, y: np.ndarray) -> None:
    """PyTorch's check for ``binary_cross_entropy``: input and target in [0, 1] (nan fails)."""
    for name, values in (("input", p), ("target", y)):
        if not np.all((values >= 0) & (values <= 1)):
            raise ValueError(
                f"all elements of {name} should be between 0 and 1 "
                f"(binary_cross_entropy takes probabilities)"
            )


def class_dim_of(x: np.ndarray, name: str = "input") -> int:
    """The class dimension: 0 for 1-D ``x``, else 1; a 0-d ``x`` raises :class:`ValueError`."""
    if x.ndim == 0:
        raise ValueError(
            f"{name} must have a class dimension: expected shape (C), (N, C) or "
            f"(N, C, d1, ...), got a scalar"
        )
    return 0 if x.ndim == 1 else 1


def checked_targets(x: np.ndarray, target, ignore_index: int) -> np.ndarray:
    """Class-index targets of the right shape and range for input ``x`` (class dim 0 or 1)."""
    y = as_class_indices(target)
    class_dim = class_dim_of(x)
    expected = x.shape[:class_dim] + x.shape[class_dim + 1 :]
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


def checked_weight(weight, n_classes: int, dtype) -> np.ndarray | None:
    """``weight`` as an array of shape ``(n_classes,)`` in ``dtype``, or None."""
    if weight is None:
        return None
    w = as_floating(weight, "weight", dtype)
    if w.shape != (n_classes,):
        raise ValueError(
            f"weight must have shape ({n_classes},), one entry per class, got {w.shape}"
        )
    return w


def checked_label_smoothing(label_smoothing) -> float:
    """A real number in [0, 1] (PyTorch raises for > 1 and treats a negative value as 0)."""
    return check_real(label_smoothing, "label_smoothing", minimum=0.0, maximum=1.0)


def is_probability_target(x: np.ndarray, target: np.ndarray, ignore_index: int) -> bool:
    """True when ``target`` has the shape of ``x`` (class probabilities), after checking that it
    is then floating point and that ``ignore_index`` is negative."""
    if target.shape != x.shape:
        return False
    if target.dtype.kind != "f":
        raise TypeError(
            f"target has the shape of input, so it is read as class probabilities, which must be "
            f"floating point; got dtype {target.dtype}"
        )
    if ignore_index >= 0:
        raise ValueError(
            f"ignore_index={ignore_index} is not supported for class-probability "
            f"targets (it must be negative)"
        )
    return True


# ---- private helpers ---------------------------------------------------------------------------
def _gather_classes(values: np.ndarray, y: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """``values[n, y_n, ...]`` along the class dim (0 or 1); class 0 stands in where not kept."""
    class_dim = 0 if values.ndim == 1 else 1
    if values.shape[class_dim] == 0:  # C = 0: only ignored targets reach here
        return np.zeros(y.shape, values.dtype)
    indices = np.expand_dims(np.where(kept, y, 0), class_dim)
    return np.squeeze(np.take_along_axis(values, indices, class_dim), axis=class_dim)


def _target_weights(y: np.ndarray, weight, kept: np.ndarray, dtype) -> np.ndarray:
    """``w_{y_n}`` for kept targets, 0 for ignored ones (1 for every class without weight)."""
    if weight is None:
        return kept.astype(dtype)
    if weight.size == 0:
        return np.zeros(y.shape, dtype)
    return np.where(kept, weight[np.where(kept, y, 0)], 0).astype(dtype, copy=False)


def _weighted_reduce(losses: np.ndarray, weights: np.ndarray, reduction: str, dtype):
    """'none': the losses; 'sum': their sum; 'mean': the sum over the sum of the weights."""
    if reduction == "none":
        return losses.astype(dtype, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.sum(losses)
        value = total if reduction == "sum" else total / np.sum(weights)
    return np.asarray(value).astype(dtype)


def _times_weights(values: np.ndarray, weights: np.ndarray, kept: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(kept, weights * values, 0).astype(values.dtype, copy=False)


# ---- NLL and cross-entropy ---------------------------------------------------------------------
def nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Negative log-likelihood of class indices given log-probabilities.

    .. math:: \ell_n = -w_{y_n}\, x_{n, y_n} \quad (0 \text{ where } y_n = \text{ignore\_index}),
              \qquad \text{'mean'}: \frac{\sum_n \ell_n}{\sum_{n \text{ kept}} w_{y_n}}.

    Parameters
    ----------
    input : array_like, shape (C), (N, C) or (N, C, d1, ...)
        Log-probabilities, classes on dim 1 (dim 0 for 1-D input). Used as given: pass
        ``log_softmax`` output, not probabilities.
    target : array_like of int, shape (), (N) or (N, d1, ...)
        Class indices in [0, C), or ``ignore_index``.
    weight : array_like, shape (C), optional
        A weight per class; default all 1.
    ignore_index : int, default -100
        Targets equal to it contribute nothing (any integer, even a real class).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum'; the shape of ``target`` for 'none'; the floating dtype of
        ``input``.

    Raises
    ------
    TypeError
        ``input`` or ``weight`` not real numeric arrays; ``target`` not integers; ``ignore_index``
        not an integer.
    ValueError
        Ragged lists; shapes that do not fit; an unknown ``reduction``; a class index out of range
        (:class:`TargetOutOfBoundsError`, also an :class:`IndexError`).

    See Also
    --------
    cross_entropy : ``nll_loss(log_softmax(z, 1), y)``, computed more accurately.

    Notes
    -----
    PyTorch: ``torch.nn.functional.nll_loss(input, target, weight, ignore_index=ignore_index,
    reduction=reduction)``. Every target ignored gives ``nan`` for 'mean' (0/0) and 0 for
    'sum', as in PyTorch. float16 is computed in float32.

    References
    ----------
    .. [1] I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016),
       section 5.5.

    Examples
    --------
    >>> nll_loss(np.log(np.array([[0.5, 0.5], [0.9, 0.1]])), np.array([0, 0]))
    array(0.39925385)
    """
    check_reduction(reduction)
    ignore_index = check_int(ignore_index, "ignore_index")
    x = as_floating(input, "input")
    work = working_dtype(x.dtype)
    y = checked_targets(x, target, ignore_index)
    w = checked_weight(weight, x.shape[class_dim_of(x)], work)
    kept = y != ignore_index
    weights = _target_weights(y, w, kept, work)
    gathered = _gather_classes(x, y, kept).astype(work)  # float16 -> float32 is exact
    losses = _times_weights(-gathered, weights, kept)
    return _weighted_reduce(losses, weights, reduction, x.dtype)


def _index_terms(z: np.ndarray, y: np.ndarray, w, smoothing: bool, workspace=None):
    """For one chunk (classes on dim 0 or 1): ``-log softmax(z)_y`` per sample, and the smoothing
    term ``-sum_c w_c log softmax(z)_c`` per sample (None if not ``smoothing``)."""
    class_dim = 0 if z.ndim == 1 else 1
    kept = np.ones(y.shape, bool)
    m, shifted, error, log1p_rest = log_partition_parts(z, class_dim, workspace)
    finite = np.isfinite(np.squeeze(m, class_dim))
    with np.errstate(invalid="ignore"):
        # -log softmax(z)_y = (log1p(rest) - (z_y - m)) - error_y: non-negative, no cancellation
        nll = (np.squeeze(log1p_rest, class_dim) - _gather_classes(shifted, y, kept)) - (
            _gather_classes(error, y, kept)
        )
        nll = np.where(finite, nll, np.nan)
        if not smoothing:
            return nll, None
        shifted += error
        shifted -= log1p_rest  # now log softmax(z)
        if w is not None:
            shifted *= w.reshape((-1,) + (1,) * (z.ndim - class_dim - 1))
        smooth = np.where(finite, -np.sum(shifted, axis=class_dim), np.nan)
    return nll, smooth


def sample_chunks(x: np.ndarray) -> list:
    """Slices of the batch dim (dim 0) of an (N, C, ...) array, a fixed number of elements
    each; one slice covering everything for 1-D input (a single sample)."""
    if x.ndim < 2:
        return [Ellipsis]
    return chunks(x.shape[0], x.size // max(x.shape[0], 1))


def _cross_entropy_indices(x, y, w, ignore_index, reduction, label_smoothing, dtype):
    """Cross-entropy with class-index targets ``y`` (checked), in chunks of samples."""
    n_classes = x.shape[class_dim_of(x)]
    work = working_dtype(x.dtype)
    kept = y != ignore_index
    safe_y = np.where(kept, y, 0)
    nll = np.empty(y.shape, work)
    smooth = np.zeros(y.shape, work) if label_smoothing > 0 else None
    if n_classes == 0:
        nll.fill(0.0)  # C = 0: only reachable when every target is ignored
    else:
        workspace = Workspace(3)
        for piece in sample_chunks(x):
            chunk = x[piece].astype(work, copy=False)
            first, second = _index_terms(chunk, safe_y[piece], w, smooth is not None, workspace)
            nll[piece] = first
            if smooth is not None:
                smooth[piece] = second
    weights = _target_weights(y, w, kept, work)
    losses = _weighted_reduce(_times_weights(nll, weights, kept), weights, reduction, work)
    if smooth is None:
        return losses.astype(dtype)
    smooth = _weighted_reduce(np.where(kept, smooth, 0), weights, reduction, work)
    if n_classes == 0:  # PyTorch: 0 * (eps / C) = 0 * inf = nan
        return np.full(np.shape(losses), np.nan, dtype)
    eps = work.type(label_smoothing)
    return np.asarray((1 - eps) * losses + smooth * (eps / n_classes)).astype(dtype)


def _probability_terms(
    z: np.ndarray, q: np.ndarray, w, label_smoothing: float, workspace=None
) -> np.ndarray:
    """``-sum_c w_c q_c log softmax(z)_c`` per sample of one chunk, ``q`` smoothed first; a term
    with ``w_c q_c = 0`` is 0 even where ``log softmax`` is ``-inf``."""
    class_dim = 0 if z.ndim == 1 else 1
    n_classes = z.shape[class_dim]
    m, shifted, error, log1p_rest = log_partition_parts(z, class_dim, workspace)
    with np.errstate(invalid="ignore"):
        shifted += error
        shifted -= log1p_rest  # log softmax(z)
        shifted[np.broadcast_to(~np.isfinite(m), shifted.shape)] = np.nan
        q = q.astype(z.dtype, copy=True)
        if label_smoothing > 0 and n_classes:  # with no classes there is nothing to smooth
            q *= z.dtype.type(1 - label_smoothing)
            q += z.dtype.type(label_smoothing / n_classes)
        if w is not None:
            q *= w.reshape((-1,) + (1,) * (z.ndim - class_dim - 1))
        shifted *= q
        shifted[q == 0] = 0  # 0 log 0 = 0
    return -np.sum(shifted, axis=class_dim)


def _cross_entropy_probabilities(x, q, w, reduction, label_smoothing, dtype):
    """Cross-entropy with class-probability targets ``q`` (the shape of ``x``), in chunks."""
    class_dim = class_dim_of(x)
    work = working_dtype(x.dtype)
    losses = np.empty(x.shape[:class_dim] + x.shape[class_dim + 1 :], work)
    if x.shape[class_dim] == 0:
        losses.fill(0.0)
    else:
        workspace = Workspace(3)
        for piece in sample_chunks(x):
            chunk = x[piece].astype(work, copy=False)
            losses[piece] = _probability_terms(chunk, q[piece], w, label_smoothing, workspace)
    if reduction == "mean" and x.shape[class_dim] == 0:
        return np.asarray(np.nan, dtype)  # PyTorch divides by input.numel() / C = 0 / 0
    return reduce_losses(losses, reduction, dtype)


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Cross-entropy between logits and class indices or class probabilities.

    *Class indices* :math:`y_n` (``target`` integer, the shape of ``input`` without the class
    dim), with label smoothing :math:`\varepsilon`:

    .. math:: \ell_n = (1-\varepsilon)\, w_{y_n}\big(\log\textstyle\sum_c e^{x_{n,c}}
              - x_{n,y_n}\big) - \frac{\varepsilon}{C} \sum_c w_c \log\operatorname{softmax}(x_n)_c,

    0 for an ignored sample; 'mean' divides the sum by :math:`\sum_{n \text{ kept}} w_{y_n}`.

    *Class probabilities* :math:`q_n` (``target`` floating, the shape of ``input``), smoothed to
    :math:`q \leftarrow (1-\varepsilon)q + \varepsilon/C`:

    .. math:: \ell_n = -\sum_c w_c\, q_{n,c} \log\operatorname{softmax}(x_n)_c,

    'mean' divides by the number of samples :math:`N d_1 \cdots d_k` (never by weights).

    Parameters
    ----------
    input : array_like, shape (C), (N, C) or (N, C, d1, ...)
        Logits; classes on dim 1 (dim 0 for 1-D input).
    target : array_like
        Class indices (integers in [0, C) or ``ignore_index``; shape (), (N) or (N, d1, ...)),
        or class probabilities (floating, the shape of ``input``).
    weight : array_like, shape (C), optional
        A weight per class; default all 1.
    ignore_index : int, default -100
        Class-index targets equal to it contribute nothing; must be negative for probability
        targets.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float, default 0.0
        :math:`\varepsilon`, a real number in [0, 1].

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum'; one loss per sample for 'none'; the floating dtype of
        ``input``.

    Raises
    ------
    TypeError
        Non-numeric arrays; integer probability targets or floating class indices;
        ``ignore_index`` not an integer; ``label_smoothing`` not a real number.
    ValueError
        Ragged lists; shapes that do not fit; an unknown ``reduction``; ``label_smoothing``
        outside [0, 1] or nan; a class index out of range (:class:`TargetOutOfBoundsError`).

    See Also
    --------
    nll_loss, log_softmax, lossbook.gradients.cross_entropy_grad

    Notes
    -----
    PyTorch: ``torch.nn.functional.cross_entropy(input, target, weight,
    ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)``.

    Numerics: :math:`-\log\operatorname{softmax}(x)_y` is evaluated as
    :math:`\operatorname{log1p}(\sum_{j \ne k} e^{x_j - m}) - (x_y - m)`, non-negative terms, so a
    tiny loss keeps its relative accuracy (logits ``[40, 0]``, target 0: 4.25e-18, where PyTorch
    gives 0). float16 is computed in float32. Works in chunks of samples.

    The two target kinds agree without weights; with weights their 'mean' values differ
    (PyTorch issue 61309). Deliberate differences: a probability target of 0 where the logit is
    ``-inf`` contributes 0 (:math:`0 \log 0 = 0`; PyTorch: ``nan``); a negative
    ``label_smoothing`` raises (PyTorch treats it as 0).

    References
    ----------
    .. [1] C. E. Shannon, "A mathematical theory of communication", *Bell Syst. Tech. J.* 27
       (1948). https://doi.org/10.1002/j.1538-7305.1948.tb01338.x
    .. [2] C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens and Z. Wojna, "Rethinking the Inception
       architecture for computer vision", *CVPR* (2016). https://doi.org/10.1109/CVPR.2016.308

    Examples
    --------
    >>> cross_entropy(np.array([[2.0, 0.0, -1.0]]), np.array([0]))
    array(0.16984602)
    >>> cross_entropy(np.array([40.0, 0.0]), np.array(0))   # PyTorch rounds this to 0
    array(4.24835426e-18)
    >>> cross_entropy(np.array([-np.inf, 0.0]), np.array([0.0, 1.0]))   # PyTorch: nan
    array(0.)
    """
    check_reduction(reduction)
    ignore_index = check_int(ignore_index, "ignore_index")
    label_smoothing = checked_label_smoothing(label_smoothing)
    x = as_floating(input, "input")  # float16 is converted to float32 chunk by chunk
    dtype = x.dtype
    n_classes = x.shape[class_dim_of(x)]
    w = checked_weight(weight, n_classes, working_dtype(dtype))
    target_array = as_array(target, "target")
    if is_probability_target(x, target_array, ignore_index):
        return _cross_entropy_probabilities(x, target_array, w, reduction, label_smoothing, dtype)
    y = checked_targets(x, target_array, ignore_index)
    return _cross_entropy_indices(x, y, w, ignore_index, reduction, label_smoothing, dtype)


# ---- binary cross-entropy ----------------------------------------------------------------------
def _bce_terms(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), BCE_LOG_CLAMP)
        log_not_p = np.maximum(np.log1p(-p), BCE_LOG_CLAMP)
    log_p *= y
    log_not_p *= 1 - y
    log_p += log_not_p
    return np.negative(log_p, out=log_p)


def elementwise_loss(terms, arrays: list, weight, reduction: str, dtype) -> np.ndarray:
    """``terms(*arrays) * weight``, reduced: computed in chunks in the working dtype (float32 for
    float16), stored in ``dtype`` for 'none' and in the working dtype for the sums."""
    shape = arrays[0].shape
    count = len(arrays)
    if weight is not None:
        w = as_floating(weight, "weight", dtype)
        arrays = arrays + [broadcast_to_shape(w, shape, "weight", "target")]

    def weighted(*parts):
        values = terms(*parts[:count])
        if len(parts) > count:
            with np.errstate(invalid="ignore", over="ignore"):
                values = values * parts[count]
        return values

    out = np.empty(shape, dtype if reduction == "none" else working_dtype(dtype))
    with np.errstate(invalid="ignore", over="ignore"):
        map_chunks(weighted, arrays, out)
    return reduce_losses(out, reduction, dtype)


def binary_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Binary cross-entropy of probabilities ``input`` against targets in [0, 1].

    .. math:: \ell = -w\,\big[\,y \max(\log p, -100) + (1-y)\max(\log(1-p), -100)\,\big]

    elementwise: each log is clamped at -100 as PyTorch does, so a term is at most 100.

    Parameters
    ----------
    input : array_like
        Probabilities :math:`p` in [0, 1], any shape.
    target : array_like, shape of ``input``
        Targets :math:`y` in [0, 1].
    weight : array_like, optional
        Broadcast to the shape of ``target``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the floating dtype of
        ``input``.

    Raises
    ------
    TypeError
        Arguments that are not real numeric arrays.
    ValueError
        Entries of ``input`` or ``target`` outside [0, 1] (nan included); different shapes;
        ``weight`` that does not broadcast; an unknown ``reduction``.

    See Also
    --------
    binary_cross_entropy_with_logits : the same from logits, without the clamp.

    Notes
    -----
    PyTorch: ``torch.nn.functional.binary_cross_entropy(input, target, weight,
    reduction=reduction)``. float16 is computed in float32. Works in chunks.

    References
    ----------
    .. [1] C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006),
       section 4.3.2.

    Examples
    --------
    >>> binary_cross_entropy(np.array([0.9, 0.2]), np.array([1.0, 0.0]), reduction='none')
    array([0.10536052, 0.22314355])
    >>> binary_cross_entropy(np.array([0.0]), np.array([1.0]))      # the clamp: 100, not inf
    array(100.)
    """
    check_reduction(reduction)
    p = as_floating(input, "input")
    y = as_floating(target, "target", p.dtype)
    check_same_shape(p, y, ("input", "target"))
    check_bce_probabilities(p, y)
    return elementwise_loss(_bce_terms, [p, y], weight, reduction, p.dtype)


def _bce_logit_terms(x: np.ndarray, y: np.ndarray, positive_weight=None) -> np.ndarray:
    r""":math:`(1-y)x + cL` for :math:`x \ge 0`, :math:`p_w y |x| + cL` for :math:`x < 0`,
    :math:`L = \operatorname{log1p}(e^{-|x|})`, :math:`c = 1 + (p_w - 1)y`; PyTorch's own
    formula where ``x`` is infinite."""
    tail = np.log1p(np.exp(-np.abs(x)))
    with np.errstate(invalid="ignore", over="ignore"):
        if positive_weight is None:
            coefficient, positive_weight = 1, 1
        else:
            coefficient = 1 + (positive_weight - 1) * y
        linear = np.where(x >= 0, (1 - y) * x, positive_weight * y * -x)
        losses = linear + coefficient * tail
        infinite = ~np.isfinite(x)
        if np.any(infinite):  # what PyTorch's (1 - y) x - c logsigmoid(x) gives (inf or nan)
            pytorch_form = (1 - y) * x - coefficient * (np.minimum(x, 0) - tail)
            losses = np.where(infinite, pytorch_form, losses)
    return losses


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
    pos_weight: ArrayLike | None = None,
) -> np.ndarray:
    r"""Binary cross-entropy of logits.

    .. math:: \ell = -w\,\big[\,p_w\, y \log\sigma(x) + (1-y)\log\sigma(-x)\,\big],

    computed without overflow as a sum of non-negative terms (for :math:`y \in [0, 1]`):
    :math:`(1-y)x + c\,L` for :math:`x \ge 0` and :math:`p_w\, y\,|x| + c\,L` for :math:`x < 0`,
    with :math:`L = \operatorname{log1p}(e^{-|x|})` and :math:`c = 1 + (p_w - 1)y`.

    Parameters
    ----------
    input : array_like
        Logits, any shape.
    target : array_like, shape of ``input``
        Targets, usually in [0, 1] (not checked, as in PyTorch).
    weight : array_like, optional
        Broadcast to the shape of ``target``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    pos_weight : array_like, optional
        Weight :math:`p_w` of the positive term, broadcast against ``target`` (shape (C,) for
        (N, C)).

    Returns
    -------
    np.ndarray
        0-d for 'mean' and 'sum', the shape of ``input`` for 'none'; the floating dtype of
        ``input``.

    Raises
    ------
    TypeError
        Arguments that are not real numeric arrays.
    ValueError
        Ragged lists; different shapes; ``weight`` or ``pos_weight`` that do not broadcast; an
        unknown ``reduction``.

    See Also
    --------
    binary_cross_entropy, logsigmoid, lossbook.gradients.binary_cross_entropy_with_logits_grad

    Notes
    -----
    PyTorch: ``torch.nn.functional.binary_cross_entropy_with_logits(input, target, weight,
    reduction=reduction, pos_weight=pos_weight)``. An infinite logit gives what PyTorch's formula
    :math:`(1 - y)x - c\log\sigma(x)` gives there (``inf``, or ``nan`` from
    :math:`\infty - \infty` or :math:`0 \cdot \infty`). PyTorch evaluates :math:`L` without
    ``log1p``, so lossbook is more accurate for large :math:`|x|`. float16 is computed in
    float32. Works in chunks.

    References
    ----------
    .. [1] C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006),
       section 4.3.2.

    Examples
    --------
    >>> binary_cross_entropy_with_logits(np.array([1000.0, -1000.0]), np.array([0.0, 0.0]),
    ...                                  reduction='none')
    array([1000.,    0.])
    """
    check_reduction(reduction)
    x = as_floating(input, "input")
    y = as_floating(target, "target", x.dtype)
    check_same_shape(x, y, ("input", "target"))
    arrays = [x, y]
    if pos_weight is not None:
        positive = as_floating(pos_weight, "pos_weight", x.dtype)
        arrays.append(broadcast_to_shape(positive, y.shape, "pos_weight", "target"))
    return elementwise_loss(_bce_logit_terms, arrays, weight, reduction, x.dtype)


# ---- KL divergence -----------------------------------------------------------------------------
def _kl_terms(log_q: np.ndarray, t: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        positive = np.where(t > 0, t, 1)
        terms = np.where(
            t > 0, t * (np.log(positive) - log_q), np.where(t == 0, 0 - t * log_q, np.nan)
        )
        infinite = t == np.inf
        if np.any(infinite):  # PyTorch's xlogy(t, t) - t * log_q there
            terms = np.where(infinite, t * np.log(positive) - t * log_q, terms)
    return terms


def _kl_log_terms(log_q: np.ndarray, t: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        return np.exp(t) * (t - log_q)


def kl_div(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", log_target: bool = False
) -> np.ndarray:
    r"""Pointwise KL divergence terms, reduced.

    .. math:: \ell = p\,(\log p - \log q) \quad\text{or, with log\_target,}\quad
              e^{t}\,(t - \log q),

    ``input`` = :math:`\log q` (the model, as log-probabilities), ``target`` = :math:`p` (the
    data), or :math:`t = \log p` when ``log_target=True``.

    Parameters
    ----------
    input : array_like
        Log-probabilities :math:`\log q`.
    target : array_like, broadcastable with ``input``
        Probabilities :math:`p` (log-probabilities with ``log_target``).
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        'batchmean' = sum / ``input.shape[0]`` (of ``input`` itself: the KL per sample for
        (N, C) input); 'mean' = sum / number of terms, which divides by C as well as N.
    log_target : bool, default False
        Whether ``target`` holds log-probabilities.

    Returns
    -------
    np.ndarray
        0-d unless 'none' (then the broadcast shape); the floating dtype of ``input``.

    Raises
    ------
    TypeError
        Non-numeric arrays; ``log_target`` not a bool (the string 'False' is not).
    ValueError
        Ragged lists; shapes that do not broadcast; an unknown ``reduction``.

    See Also
    --------
    cross_entropy, lossbook.info.kl_divergence

    Notes
    -----
    PyTorch: ``torch.nn.functional.kl_div(input, target, reduction=reduction,
    log_target=log_target)``. Conventions of PyTorch's ``xlogy``: a term with :math:`p = 0` is 0
    (``nan`` if :math:`\log q` is infinite); :math:`p > 0` with :math:`\log q = -\infty` gives
    ``+inf``; a negative ``target`` gives ``nan``; :math:`p = +\infty` gives
    :math:`\infty - \infty\log q` (``inf`` for :math:`\log q < 0`, ``nan`` otherwise), as in
    PyTorch. Where PyTorch warns that 'mean' is not the KL, lossbook stays quiet. float16 is
    computed in float32.

    References
    ----------
    .. [1] S. Kullback and R. A. Leibler, "On information and sufficiency", *Ann. Math.
       Statist.* 22 (1951). https://doi.org/10.1214/aoms/1177729694

    Examples
    --------
    >>> p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    >>> kl_div(np.log(q), p, reduction='sum')
    array(0.51082562)
    """
    check_reduction(reduction, REDUCTIONS + ("batchmean",))
    log_target = check_bool(log_target, "log_target")
    log_q = as_floating(input, "input")
    dtype = log_q.dtype
    batch = log_q.shape[0] if log_q.ndim else 1  # 'batchmean' uses input's own first dimension
    t = as_floating(target, "target", log_q.dtype)
    try:
        shape = np.broadcast_shapes(log_q.shape, t.shape)
    except ValueError:
        raise ValueError(
            f"target of shape {t.shape} cannot be broadcast with input of shape {log_q.shape}"
        ) from None
    arrays = [np.broadcast_to(log_q, shape), np.broadcast_to(t, shape)]
    terms = _kl_log_terms if log_target else _kl_terms
    if reduction != "batchmean":
        return elementwise_loss(terms, arrays, None, reduction, dtype)
    total = elementwise_loss(terms, arrays, None, "sum", working_dtype(dtype))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / batch).astype(dtype)
