"""Classification losses: NLL, cross-entropy, binary cross-entropy, KL divergence."""
from __future__ import annotations

import numbers

import numpy as np

from .._validation import REDUCTIONS, TargetOutOfBoundsError, as_floating, as_class_indices, check_reduction, reduce_losses, check_same_shape, broadcast_to_shape
from ._activations import log_partition_parts, logsigmoid, log_softmax, softmax

BCE_LOG_CLAMP = -100.0
"""PyTorch's ``binary_cross_entropy`` clamps each log-probability at -100 (a loss term of at most 100)."""


def check_bce_probabilities(p: np.ndarray, y: np.ndarray) -> None:
    """PyTorch's check for ``binary_cross_entropy``: input and target in [0, 1] (nan fails)."""
    for name, values in (("input", p), ("target", y)):
        if not np.all((values >= 0) & (values <= 1)):
            raise ValueError(f"all elements of {name} should be between 0 and 1 "
                             f"(binary_cross_entropy takes probabilities)")



def class_dim_of(x: np.ndarray, name: str = "input") -> int:
    if x.ndim == 0:
        raise ValueError(f"{name} must have a class dimension: expected shape (C), (N, C) or "
                         f"(N, C, d1, ...), got a scalar")
    return 0 if x.ndim == 1 else 1


def checked_targets(x: np.ndarray, target, ignore_index: int) -> np.ndarray:
    """Class-index targets of the right shape and range for input ``x`` (class dim 0 or 1)."""
    y = as_class_indices(target)
    class_dim = class_dim_of(x)
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


def checked_weight(weight, n_classes: int, dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = as_floating(weight, "weight", dtype)
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
    check_reduction(reduction)
    x = as_floating(input, "input")
    y = checked_targets(x, target, ignore_index)
    w = checked_weight(weight, x.shape[class_dim_of(x)], x.dtype)
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
    check_reduction(reduction)
    x = as_floating(input, "input")
    class_dim = class_dim_of(x)
    n_classes = x.shape[class_dim]
    if not (isinstance(label_smoothing, numbers.Real) and 0.0 <= label_smoothing <= 1.0):
        raise ValueError(f"label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    w = checked_weight(weight, n_classes, x.dtype)
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

    y = checked_targets(x, target_array, ignore_index)
    kept = y != ignore_index
    # -log softmax(x)_y = (log1p(rest) - (x_y - m)) - error_y: non-negative terms, no cancellation
    m, shifted, error, log1p_rest = log_partition_parts(x, class_dim)
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
    check_reduction(reduction)
    p = as_floating(input, "input")
    y = as_floating(target, "target", p.dtype)
    check_same_shape(p, y, ("input", "target"))
    check_bce_probabilities(p, y)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), BCE_LOG_CLAMP)
        log_not_p = np.maximum(np.log1p(-p), BCE_LOG_CLAMP)
    losses = -(y * log_p + (1 - y) * log_not_p)
    if weight is not None:
        losses = losses * broadcast_to_shape(as_floating(weight, "weight", p.dtype), y.shape, "weight", "target")
    return reduce_losses(losses.astype(p.dtype, copy=False), reduction, p.dtype)


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
    check_reduction(reduction)
    x = as_floating(input, "input")
    y = as_floating(target, "target", x.dtype)
    check_same_shape(x, y, ("input", "target"))
    tail = np.log1p(np.exp(-np.abs(x)))
    with np.errstate(invalid="ignore", over="ignore"):
        if pos_weight is None:
            coefficient, positive_weight = 1, 1
        else:
            positive_weight = broadcast_to_shape(as_floating(pos_weight, "pos_weight", x.dtype), y.shape,
                                            "pos_weight", "target")
            coefficient = 1 + (positive_weight - 1) * y
        linear = np.where(x >= 0, (1 - y) * x, positive_weight * y * -x)
        losses = linear + coefficient * tail
        # infinite logits: exactly what PyTorch's (1 - y) x - c logsigmoid(x) gives (inf or nan)
        pytorch_form = (1 - y) * x - coefficient * (np.minimum(x, 0) - tail)
        losses = np.where(np.isfinite(x), losses, pytorch_form)
        if weight is not None:
            losses = losses * broadcast_to_shape(as_floating(weight, "weight", x.dtype), y.shape, "weight",
                                            "target")
    return reduce_losses(np.asarray(losses, dtype=x.dtype), reduction, x.dtype)


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
    check_reduction(reduction, REDUCTIONS + ("batchmean",))
    log_q = as_floating(input, "input")
    batch = log_q.shape[0] if log_q.ndim else 1  # 'batchmean' uses input's own first dimension
    t = as_floating(target, "target", log_q.dtype)
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
    return reduce_losses(terms, reduction, log_q.dtype)


