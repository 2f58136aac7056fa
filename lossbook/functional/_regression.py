"""Regression losses."""
from __future__ import annotations

import numpy as np

from .._validation import as_floating, check_reduction, reduce_losses, check_same_shape


def mse_loss(input, target, reduction: str = "mean"):
    r"""Squared error :math:`(x - y)^2` elementwise, reduced.

    Unlike PyTorch (which broadcasts with a warning), arrays of different shapes raise
    ``ValueError``: broadcasting (N, 1) against (N) silently computes an N×N loss.

    PyTorch: ``torch.nn.functional.mse_loss(input, target, reduction=reduction)``.

    >>> mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    array(2.5)
    """
    check_reduction(reduction)
    x = as_floating(input, "input")
    y = as_floating(target, "target", x.dtype)
    check_same_shape(x, y, ("input", "target"))
    return reduce_losses((x - y) ** 2, reduction, x.dtype)


