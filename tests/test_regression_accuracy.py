"""The regression losses against exact values (mpmath, 50 digits) on a stress grid.

The grid and the exact references live in ``bench/bench_regression.py`` (shared with its accuracy
table, which prints the same errors beside PyTorch's and the textbook formulas'). The grid has
tiny residuals (1 ulp of 1, 1e-150), huge ones (1e150, 1e300), residuals at and beside the
quadratic/linear threshold of smooth L1 and Huber (beta, delta from 1e-8 to 1e8), variances
below, at and just above the clamp ``eps``, log-rates up to 709 (``exp`` near overflow), rates near
0 and 1 and counts around the Stirling threshold y = 1.

The bound, in float64, wherever the exact value is finite and in the normal range:

* within 4 ulp of the exact value, with no allowance, wherever the definition's terms have one
  sign (every point of mse, l1, smooth L1 and Huber; the Gaussian NLL with variance >= 1; ...);
* where the definition itself adds terms of opposite signs that cancel (the Gaussian NLL's
  ``log var < 0`` against its squared term; the Poisson NLL's ``e^x`` against ``y x``, and its
  Stirling term), 4 ulp plus 4 units of roundoff (2**-53) times the cancelled amount
  ``S - |exact|``, ``S`` the sum of the terms' magnitudes: the error that rounding the terms
  themselves causes, which no evaluation in float64 avoids.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import lossbook.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import bench_regression as R  # noqa: E402  (bench/ is not a package)


@pytest.mark.parametrize("function", R.FUNCTIONS)
def test_float64_within_4_ulp_plus_the_cancellation_allowance(function):
    points = [p for p in R.grid() if p.function == function]
    checked, failures = 0, []
    for point in points:
        if not R.representable(point.exact, np.float64):
            continue
        checked += 1
        outcome = R.check(F, point)
        if outcome is not None:
            ulps, allowed, got = outcome
            failures.append(
                f"{point.describe()}: exact {float(point.exact)!r}, got {got!r} "
                f"({ulps:.3g} ulp, allowed {allowed:.3g})"
            )
    assert checked >= 40, f"only {checked} representable points for {function}"
    assert not failures, f"{len(failures)} point(s) beyond the bound:\n" + "\n".join(failures[:15])


@pytest.mark.parametrize("function", R.FUNCTIONS)
def test_no_cancellation_means_no_allowance(function):
    """The allowance is zero where the terms have one sign: the plain 4-ulp bound applies."""
    same_sign = [
        p
        for p in R.grid()
        if p.function == function and p.cancelled == 0 and R.representable(p.exact, np.float64)
    ]
    assert same_sign, "every function has points without cancellation"
    bad = [p.describe() for p in same_sign if R.check(F, p) is not None]
    assert not bad, "\n".join(bad[:15])


def test_the_hard_regimes_are_in_the_grid():
    points = R.grid()
    assert any(
        p.function == "gaussian_nll_loss" and p.args[2] < dict(p.kwargs)["eps"] for p in points
    ), "variance below the clamp"
    assert any(p.function == "poisson_nll_loss" and p.args[0] >= 700 for p in points)
    assert any(
        p.function == "mse_loss" and 0 < abs(p.args[0] - p.args[1]) < 1e-15 for p in points
    ), "tiny residuals"
    assert any(p.function == "l1_loss" and abs(p.args[0] - p.args[1]) > 1e299 for p in points)


def test_float32_has_no_inf_or_nan_where_float64_is_finite():
    for point in R.grid():
        exact = float(point.exact)
        values = point.args + tuple(v for _, v in point.kwargs if not isinstance(v, bool))
        if (
            not np.isfinite(exact)
            or abs(exact) > 1e37
            or any(abs(a) > 1e37 or 0 < abs(a) < 1e-37 for a in values)
        ):
            continue  # inputs or result outside float32's normal range
        args = [np.array([a], np.float32) for a in point.args]
        with np.errstate(all="ignore"):
            got = getattr(F, point.function)(*args, reduction="none", **dict(point.kwargs))
        if point.function == "poisson_nll_loss" and abs(point.args[0]) > 80:
            continue  # e**x beyond float32's range
        assert np.isfinite(got[0]), point.describe()
