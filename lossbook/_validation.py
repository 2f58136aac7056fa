"""Argument checks shared by every module of :mod:`lossbook`.

Each check converts one argument, or rejects it with a :class:`ValueError` or :class:`TypeError`
whose message names the argument and says what was expected. The modules of ``lossbook`` import
these public names; nothing here is part of the public API.

:func:`as_array` is the boundary: every array argument of every public function passes through it
(directly or through :func:`as_floating`, :func:`as_class_indices`), so a ragged list, a string or
a complex array is reported with the argument's name instead of a NumPy message from deep inside.
"""

from __future__ import annotations

import functools
import numbers
import warnings

import numpy as np

REDUCTIONS = ("none", "mean", "sum")
CHUNK_ELEMENTS = 1 << 16
"""Elements processed at a time by the functions that work in chunks to bound their memory."""


class TargetOutOfBoundsError(ValueError, IndexError):
    """A class index outside ``[0, C)`` that is not ``ignore_index`` (PyTorch: IndexError)."""


class DimensionOutOfRangeError(ValueError, IndexError):
    """A ``dim`` outside the array's dimensions (PyTorch: IndexError "Dimension out of range")."""


def as_array(values, name: str) -> np.ndarray:
    """``values`` as a real numeric array (bool, integer or floating), or an error naming ``name``.

    A ragged nested list, an object, string or complex array raise :class:`ValueError` or
    :class:`TypeError` with the argument's name and what was expected.
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got the string {values!r}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(values)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{name} must be a rectangular array of real numbers (a ragged nested list has "
            f"rows of different lengths): {error}"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be an array of real numbers (bool, integer or floating point), "
            f"got dtype {array.dtype}"
        )
    return array


def as_floating(values, name: str, dtype=None) -> np.ndarray:
    """``values`` as a floating array (cast to ``dtype`` when given); bool and integers become
    float64."""
    array = as_array(values, name)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if dtype is None:
        return array
    # A value beyond the target dtype's range becomes inf, as in PyTorch, and the function's own
    # checks then judge it; the cast itself must not warn.
    with np.errstate(over="ignore", invalid="ignore"):
        return array.astype(dtype, copy=False)


def working_dtype(dtype) -> np.dtype:
    """The dtype to compute in: float32 for float16 (as PyTorch's CPU kernels do), else
    ``dtype``."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def as_working(values, name: str) -> tuple[np.ndarray, np.dtype]:
    """``values`` as a floating array in its working dtype, and the dtype of the result.

    float16 is computed in float32 and the result rounded back to float16 once.
    """
    array = as_floating(values, name)
    return array.astype(working_dtype(array.dtype), copy=False), array.dtype


def as_class_indices(values, name: str = "target") -> np.ndarray:
    """``values`` as an int64 array of class indices; floating or bool values raise
    :class:`TypeError`."""
    array = as_array(values, name)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must hold integer class indices, got dtype {array.dtype} (for class "
            f"probabilities pass a float array with the same shape as input)"
        )
    if array.dtype == np.uint64 and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} holds class indices too large for int64: {array.max()}")
    return array.astype(np.int64, copy=False)


def check_reduction(reduction, allowed=REDUCTIONS) -> None:
    """Raise :class:`ValueError` unless ``reduction`` is one of the strings ``allowed``."""
    if not isinstance(reduction, str) or reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"reduction must be one of {names}, got {reduction!r}")


def normalise_dim(dim, ndim: int, name: str = "dim") -> int:
    """``dim`` as an axis in ``[0, max(ndim, 1))``; PyTorch's rule: a 0-d array has dims 0 and
    -1."""
    dim = check_int(dim, name)
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not low <= dim <= high:
        raise DimensionOutOfRangeError(
            f"{name}={dim} is out of range for an array with {ndim} dimension(s) "
            f"(expected a value in [{low}, {high}])"
        )
    return dim % max(ndim, 1)


def normalise_dims(dim, ndim: int, name: str = "dim") -> tuple[int, ...]:
    """An int or a tuple/list of ints as sorted axes, PyTorch's rules: an empty tuple means every
    dim, a repeated dim raises :class:`ValueError`, a 0-d array has dims 0 and -1."""
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = [normalise_dim(d, ndim, name) for d in dim]
        repeated = sorted({a for a in axes if axes.count(a) > 1})
        if repeated:
            raise ValueError(f"{name}: dim {repeated[0]} appears multiple times in {tuple(dim)}")
        return tuple(sorted(a for a in axes if a < ndim))
    axis = normalise_dim(dim, ndim, name)
    return (axis,) if ndim else ()


def reduce_losses(losses: np.ndarray, reduction: str, dtype) -> np.ndarray:
    """Apply ``reduction`` ('none', 'mean' or 'sum') and cast to ``dtype``; the mean of no
    losses is ``nan``, as in PyTorch."""
    if reduction == "none":
        return losses.astype(dtype, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.sum(losses) if reduction == "sum" else np.sum(losses) / losses.size
    return np.asarray(value).astype(dtype)


def check_same_shape(first: np.ndarray, second: np.ndarray, names: tuple[str, str]) -> None:
    """Raise :class:`ValueError` unless the two arrays have the same shape."""
    if first.shape != second.shape:
        raise ValueError(
            f"{names[1]} must have the same shape as {names[0]}: got {names[1]} of shape "
            f"{second.shape} and {names[0]} of shape {first.shape}"
        )


def broadcast_to_shape(values: np.ndarray, shape: tuple, name: str, other: str) -> np.ndarray:
    """``values`` broadcast to ``shape`` (a read-only view), or an error naming both
    arguments."""
    try:
        return np.broadcast_to(values, shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {values.shape} cannot be broadcast to the shape of {other}, {shape}"
        ) from None


def check_bool(value, name: str) -> bool:
    """``value`` if it is a bool (Python or NumPy); a truthy object or the string 'False' is
    not."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be a bool (True or False), got {value!r} of type {type(value).__name__}"
        )
    return bool(value)


def check_int(value, name: str, *, minimum: int | None = None) -> int:
    """``value`` as an int: an integer (not a bool, a float or a string), at least
    ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_real(
    value,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    finite: bool = True,
) -> float:
    """``value`` as a float: a real number (not a bool, a complex or a string), never nan,
    finite unless ``finite=False``, ``>= minimum`` (``> minimum`` when ``strict``) and
    ``<= maximum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
        )
    value = float(value)
    if np.isnan(value) or (finite and not np.isfinite(value)):
        raise ValueError(f"{name} must be a finite real number, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be {relation} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def chunks(length: int, row_elements: int = 1):
    """Slices covering ``range(length)`` in pieces of about :data:`CHUNK_ELEMENTS` elements,
    when one row holds ``row_elements`` elements."""
    step = max(1, CHUNK_ELEMENTS // max(row_elements, 1))
    return [slice(start, min(start + step, length)) for start in range(0, length, step)] or [
        slice(0, 0)
    ]


def quiet(function):
    """``function`` run under ``np.errstate(all="ignore")``: lossbook never warns.

    Where PyTorch returns ``inf`` or ``nan`` (an overflow, an infinite logit, a value beyond
    float16's range), lossbook returns the same quietly; NumPy's floating-point warnings along
    the way say nothing the result does not. The public functions of :mod:`lossbook.functional`
    and :mod:`lossbook.gradients` are wrapped by their package.
    """

    @functools.wraps(function)
    def quietly(*args, **kwargs):
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)

    return quietly
