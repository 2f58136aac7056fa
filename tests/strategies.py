"""Hypothesis strategies shared by the property tests (imported as ``strategies``)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


def finite(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def distributions(draw, n=None, allow_zeros=True):
    """A probability vector of length ``n`` (1 to 8 if not given); entries >= 1e-3 before
    normalisation when ``allow_zeros`` is false."""
    size = n if n is not None else draw(st.integers(1, 8))
    low = 0.0 if allow_zeros else 1e-3
    weights = draw(arrays(np.float64, size, elements=finite(low, 1.0)))
    if weights.sum() == 0:
        weights[0] = 1.0
    return weights / weights.sum()
