"""Helpers shared by the gradient modules."""

from __future__ import annotations

import numpy as np

from .._validation import as_floating


def float64_input(values, name: str = "input") -> tuple[np.ndarray, np.dtype]:
    """``values`` as float64 for the arithmetic, and the dtype of the result."""
    array = as_floating(values, name)
    return array.astype(np.float64, copy=False), array.dtype


def mean_scale(reduction: str, count: int) -> float:
    """1 for 'sum' and 'none' (the gradient of the sum), 1/count for 'mean' (inf if count is 0)."""
    if reduction != "mean":
        return 1.0
    return 1.0 / count if count else np.inf


def sum_to_shape(values: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``values`` over the axes along which an array of ``shape`` was broadcast to its shape."""
    extra = values.ndim - len(shape)
    values = np.sum(values, axis=tuple(range(extra))) if extra else values
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and values.shape[i] != 1)
    return np.sum(values, axis=stretched, keepdims=True) if stretched else values


def softmax_last(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Softmax along the last axis, with its pieces ``exps = exp(z - max)`` and their ``total``.

    A row holding ``+inf`` or only ``-inf`` gives ``nan`` (as PyTorch's ``log_softmax``).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.max(z, axis=-1, keepdims=True) if z.shape[-1] else np.zeros(z.shape[:-1] + (1,))
        exps = np.exp(z - m)
        total = np.sum(exps, axis=-1, keepdims=True)
        return exps / total, exps, total
