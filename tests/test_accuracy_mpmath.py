"""lossbook.functional against exact values (mpmath, 50 digits) on the stress grid.

The grid, the exact references and the error measure live in ``bench/_reference.py`` (shared with
``bench/bench_accuracy.py``, which prints the same errors beside PyTorch's and the textbook
formulas'); this file asserts the targets of the numeric core:

* float64: within 4 ulp of the exact value wherever that value is finite and in the normal range,
  including the confident-prediction regime where cross-entropy is tiny (logits [40, 0], target 0:
  4.2e-18, which PyTorch and ``logsumexp(z) - z[y]`` round to 0).
* float32 and float64: no inf or nan where the exact value is finite.

Where a function's definition itself subtracts nearly equal quantities, 4 ulp of the *result* is not
reachable by any evaluation in the working format, and the case carries a documented allowance
(``Case.slack``): the error that merely rounding the cancelling intermediate to the format causes.
They are (see the builders in ``bench/_reference.py``):

* ``logsumexp`` with a negative maximum m and a result near 0: m + log1p(S') cancels; allowance 2
  ulps of log1p(S').
* ``kl_div`` term p (log p - log q) when log q is near log p (near-equal distributions) or both are
  tiny: allowance 2 ulps of log p, times p.
* ``cosine_similarity`` of near-orthogonal vectors (the dot product cancels): allowance (n + 2) u
  times sum |a_i b_i| / (|a| |b|).

Everything else is held to 4 ulp with no allowance. Both this file's tests and the benchmark print
the input, the exact value and the result for every violation.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import mpmath
import numpy as np
import pytest

import lossbook.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _reference as R  # noqa: E402  (bench/ is not a package: see the module docstring there)

ULP_BOUND = 4.0
FUNCTIONS = list(R.BUILDERS)


@cache
def outcome(function: str, dtype) -> R.Outcome:
    return R.measure(function, F, dtype, bound=ULP_BOUND)


def report(failures, limit=12) -> str:
    worst = sorted(failures, key=lambda f: -f[3])[:limit]
    lines = [
        f"  {where}\n      exact {exact}\n      got   {got}  ({ulps:.3g} ulp; "
        f"allowed {allowed:.3g})"
        for where, exact, got, ulps, allowed in worst
    ]
    more = f"\n  ... and {len(failures) - limit} more" if len(failures) > limit else ""
    return f"{len(failures)} result(s) beyond {ULP_BOUND:g} ulp:\n" + "\n".join(lines) + more


@pytest.mark.parametrize("function", FUNCTIONS)
def test_float64_is_within_4_ulp_of_the_exact_value(function):
    result = outcome(function, np.float64)
    assert result.checked > 0, "the grid must have representable exact values"
    if result.failures:
        pytest.fail(f"{function}, float64: " + report(result.failures), pytrace=False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_inf_or_nan_where_the_exact_value_is_finite(function, dtype):
    result = outcome(function, dtype)
    if result.nonfinite:
        pytest.fail(
            f"{function}, {np.dtype(dtype)}: inf or nan where the exact value is finite:\n  "
            + "\n  ".join(result.nonfinite_cases[:12]),
            pytrace=False,
        )


def test_the_headline_case_of_the_issue():
    """CE([40, 0], target 0) = log1p(e**-40) = 4.2483542552915889863e-18 (mpmath), within 4 ulp."""
    with mpmath.workdps(R.DPS):
        exact = mpmath.log1p(mpmath.exp(-40))
        got = F.cross_entropy(np.array([40.0, 0.0]), np.array(0))
        assert R.error_in_ulps(got, exact, np.float64) <= ULP_BOUND
        assert got.dtype == np.float64 and got.shape == ()


def test_exact_infinities_are_reproduced():
    """Where the exact loss is +inf (the target's logit is -inf) lossbook returns +inf."""
    for case in R.cases("cross_entropy", np.float64):
        if mpmath.isinf(case.exact[0]):
            assert float(R.run(case, F)[0]) == np.inf, case.label


def test_the_error_measure():
    """The yardstick itself: a correctly rounded float64 is within 0.5 ulp, its neighbour about 1
    ulp further; float32 ulps are 2**29 times larger."""
    with mpmath.workdps(R.DPS):
        exact = mpmath.log(2)
        nearest = float(exact)
        assert R.error_in_ulps(nearest, exact, np.float64) <= 0.5
        assert 0.5 < R.error_in_ulps(np.nextafter(nearest, 1.0), exact, np.float64) <= 1.5
        assert R.error_in_ulps(np.float32(exact), exact, np.float32) <= 0.5
        assert R.representable(mpmath.mpf("1e-300"), np.float64)
        assert not R.representable(mpmath.mpf("1e-310"), np.float64)  # subnormal
        assert not R.representable(mpmath.mpf("1e-300"), np.float32)


def test_the_grid_covers_the_stress_regimes():
    """Logits up to +-1e4, probabilities down to 1e-300, near-equal distributions, near-parallel
    vectors, and tiny confident-prediction losses: all present in the grid."""
    ce = R.cases("cross_entropy", np.float64)
    assert max(float(np.max(np.abs(c.args[0][np.isfinite(c.args[0])]))) for c in ce) >= 1e4
    assert any(c.exact[0] < mpmath.mpf("1e-100") and c.exact[0] > 0 for c in ce)
    kl = R.cases("kl_div", np.float64)
    assert (
        min(float(np.min(c.args[1][c.args[1] > 0])) for c in kl if np.any(c.args[1] > 0)) <= 1e-300
    )
    assert any("near-equal" in c.label for c in kl)
    assert any("near-parallel" in c.label for c in R.cases("cosine_similarity", np.float64))
