"""Argument checks shared by every module of :mod:`lossbook`.

Each check converts one argument, or rejects it with a :class:`ValueError` or :class:`TypeError`
whose message names the argument and says what was expected. The modules of ``lossbook`` import
these public names; nothing here is part of the public API.
"""
from __future__ import annotations

import numbers

import numpy as np

REDUCTIONS = ("none", "mean", "sum")


class TargetOutOfBoundsError(ValueError, IndexError):
    """A class index outside ``[0, C)`` that is not ``ignore_index`` (PyTorch: IndexError)."""


class DimensionOutOfRangeError(ValueError, IndexError):
    """A ``dim`` outside the array's dimensions (PyTorch: IndexError "Dimension out of range")."""



def as_floating(values, name: str, dtype=None) -> np.ndarray:
    """``values`` as a floating array (cast to ``dtype`` when given); integers become float64."""
    array = np.asarray(values)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(f"{name} must be a real floating-point array, got dtype {array.dtype}")
    return array if dtype is None else array.astype(dtype, copy=False)


def as_class_indices(values, name: str = "target") -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must hold integer class indices, got dtype {array.dtype} (for class "
            f"probabilities pass a float array with the same shape as input)"
        )
    return array.astype(np.int64, copy=False)


def check_reduction(reduction, allowed=REDUCTIONS) -> None:
    if reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"reduction must be one of {names}, got {reduction!r}")


def normalise_dim(dim, ndim: int, name: str = "dim") -> int:
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {dim!r}")
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not low <= dim <= high:
        raise DimensionOutOfRangeError(
            f"{name}={dim} is out of range for an array with {ndim} dimension(s) "
            f"(expected a value in [{low}, {high}])"
        )
    return int(dim) % max(ndim, 1)


def reduce_losses(losses: np.ndarray, reduction: str, dtype) -> np.ndarray:
    if reduction == "none":
        return losses.astype(dtype, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.sum(losses) if reduction == "sum" else np.sum(losses) / losses.size
    return np.asarray(value, dtype=dtype)


def check_same_shape(first: np.ndarray, second: np.ndarray, names: tuple[str, str]) -> None:
    if first.shape != second.shape:
        raise ValueError(
            f"{names[1]} must have the same shape as {names[0]}: got {names[1]} of shape "
            f"{second.shape} and {names[0]} of shape {first.shape}"
        )


def broadcast_to_shape(values: np.ndarray, shape: tuple, name: str, other: str) -> np.ndarray:
    try:
        return np.broadcast_to(values, shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {values.shape} cannot be broadcast to the shape of {other}, {shape}"
        ) from None




def check_bool(value, name: str) -> bool:
    """``value`` if it is a bool (Python or NumPy); a truthy object or the string 'False' is not."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool (True or False), got {value!r} of type {type(value).__name__}")
    return bool(value)


def check_int(value, name: str, *, minimum: int | None = None) -> int:
    """``value`` as an int: an integer (not a bool, a float or a string), at least ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_real(value, name: str, *, minimum: float | None = None, strict: bool = False,
               finite: bool = True) -> float:
    """``value`` as a float: a real number (not a bool, a complex or a string), finite unless
    ``finite=False``, and ``>= minimum`` (``> minimum`` when ``strict``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if np.isnan(value) or (finite and not np.isfinite(value)):
        raise ValueError(f"{name} must be a finite real number, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be {relation} {minimum}, got {value}")
    return value
