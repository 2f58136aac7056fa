"""A central-difference numerical gradient, for checking analytic ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_floating, broadcast_to_shape


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, h: ArrayLike | None = None
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function ``f`` at the point ``x``.

    .. math:: \frac{\partial f}{\partial x_i} \approx
              \frac{f(x + h_i e_i) - f(x - h_i e_i)}{2 h_i},

    with :math:`h_i = \sqrt[3]{\varepsilon}\,\max(1, |x_i|) \approx 6.06 \times 10^{-6}
    \max(1, |x_i|)` by default (:math:`\varepsilon = 2^{-52}`): the step that balances the
    truncation error :math:`O(h^2 f''')` against the rounding error :math:`O(\varepsilon f / h)`,
    leaving a relative error of about :math:`\varepsilon^{2/3} \approx 4 \times 10^{-11}` for a
    smooth, well-scaled ``f``. The divisor is the step actually taken,
    :math:`(x_i + h_i) - (x_i - h_i)` in floating point.

    ``f`` is called :math:`2n` times (``n = x.size``) with float64 arrays of the shape of ``x``
    (a float32 ``x`` is converted: differences of float32 values would be too coarse) and must
    return a scalar (a number or a 0-d array). Meant for checking gradients on small arrays.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``.
    x : array_like of real numbers
        The point; any shape, 0-d included.
    h : float or array_like, optional
        Step(s), positive and finite, broadcast to the shape of ``x``; default
        :math:`\sqrt[3]{\varepsilon}\max(1, |x_i|)`.

    Returns
    -------
    np.ndarray
        float64, the shape of ``x``.

    Raises
    ------
    TypeError
        ``f`` is not callable; ``x`` or ``h`` is not a real numeric array.
    ValueError
        ``x`` is not finite; ``h`` is not positive and finite or does not broadcast; ``f`` does
        not return a scalar.

    See Also
    --------
    cross_entropy_grad, binary_cross_entropy_with_logits_grad : analytic gradients it checks.

    Notes
    -----
    Not a PyTorch function: ``torch.autograd.gradcheck`` plays the same role there.

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer (2006),
       section 8.1. https://doi.org/10.1007/978-0-387-40065-5

    Examples
    --------
    >>> x = np.array([1.0, -2.0, 0.5])
    >>> numerical_gradient(lambda v: np.sum(v ** 3), x)        # 3 x**2
    array([ 3.  , 12.  ,  0.75])
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    point = as_floating(x, "x", np.float64).copy()
    if not np.all(np.isfinite(point)):
        raise ValueError("x must be finite")
    if h is None:
        step = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(point))
    else:
        step = broadcast_to_shape(as_floating(h, "h", np.float64), point.shape, "h", "x")
        if not np.all((step > 0) & np.isfinite(step)):
            raise ValueError("h must be positive and finite")

    def value(at: np.ndarray) -> float:
        result = np.asarray(f(at))
        if result.ndim != 0:
            raise ValueError(f"f must return a scalar, got an array of shape {result.shape}")
        return float(result)

    grad = np.empty(point.shape)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + step[index]
        forward, upper = value(point), point[index]
        point[index] = original - step[index]
        backward, lower = value(point), point[index]
        point[index] = original
        grad[index] = (forward - backward) / (upper - lower)
    return grad
