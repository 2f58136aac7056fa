"""The regression losses of lossbook.functional and their gradients in lossbook.gradients.

Independent references only: hand-worked values, SciPy's distributions (``norm.logpdf``,
``poisson.logpmf``, ``gammaln``), finite differences, and PyTorch itself (forward values over every
option and edge case, and autograd for the gradients). The PyTorch tests skip without it, unless
``LOSSBOOK_REQUIRE_TORCH=1`` (set by ``.ci/run``) makes its absence a failure.
"""

from __future__ import annotations

import math
import os
import tracemalloc
import warnings
import zlib

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from reference_torch import import_torch
from scipy import special, stats

import lossbook.functional as F
import lossbook.gradients as G

REDUCTIONS = ["none", "mean", "sum"]
DTYPES = [np.float64, np.float32, np.float16]
TOL = {
    np.float64: dict(rtol=1e-12, atol=1e-14),
    np.float32: dict(rtol=2e-6, atol=1e-6),
    np.float16: dict(rtol=2e-3, atol=1e-3),
}
ELEMENTWISE = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]
SEED = 20261130
pytestmark = pytest.mark.filterwarnings("error")  # nothing in lossbook warns


def rng_for(*params) -> np.random.Generator:
    return np.random.default_rng([SEED] + [zlib.crc32(repr(p).encode()) for p in params])


@pytest.fixture(scope="module")
def torch():
    return import_torch()


def torch_value(torch, name, *args, **kwargs):
    """PyTorch's ``torch.nn.functional.<name>`` on copies of NumPy arrays, as a NumPy array."""
    convert = lambda a: torch.from_numpy(np.array(a)) if isinstance(a, np.ndarray) else a
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        out = getattr(torch.nn.functional, name)(
            *map(convert, args), **{k: convert(v) for k, v in kwargs.items()}
        )
    return out.numpy()


def float16_by_float32(torch, name, *args, **kwargs):
    """PyTorch's composite formulas (Gaussian and Poisson NLL) run op by op in float16; the
    reference for lossbook's float16 (computed in float32, rounded once) is PyTorch in float32."""
    widen = lambda a: a.astype(np.float32) if isinstance(a, np.ndarray) else a
    with np.errstate(over="ignore"):
        return torch_value(torch, name, *map(widen, args), **kwargs).astype(np.float16)


def assert_same(ours, theirs, dtype, *, exact=False):
    """Same dtype and shape as PyTorch, and values within TOL (bit for bit when ``exact``)."""
    ours = np.asarray(ours)
    assert ours.dtype == np.dtype(dtype), f"dtype {ours.dtype}, expected {np.dtype(dtype)}"
    assert ours.shape == theirs.shape, f"shape {ours.shape}, PyTorch {theirs.shape}"
    if exact:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(
            ours.astype(np.float64), theirs.astype(np.float64), **TOL[dtype], equal_nan=True
        )


# ---- values against hand-worked examples and SciPy ----------------------------------------------
def test_elementwise_losses_on_a_hand_worked_example():
    x, y = np.array([0.0, 0.5, -3.0, 2.0]), np.array([0.0, 0.0, 0.0, 4.0])
    # residuals 0, 0.5, -3, -2
    np.testing.assert_array_equal(F.mse_loss(x, y, reduction="none"), [0, 0.25, 9, 4])
    np.testing.assert_array_equal(F.l1_loss(x, y, reduction="none"), [0, 0.5, 3, 2])
    np.testing.assert_array_equal(F.smooth_l1_loss(x, y, reduction="none"), [0, 0.125, 2.5, 1.5])
    np.testing.assert_array_equal(
        F.smooth_l1_loss(x, y, reduction="none", beta=4.0), [0, 0.03125, 1.125, 0.5]
    )
    np.testing.assert_array_equal(
        F.huber_loss(x, y, reduction="none", delta=2.0), [0, 0.125, 4.0, 2.0]
    )  # |r| = 2 is on the linear side: 2(2-1)
    assert F.mse_loss(x, y) == 13.25 / 4 and F.l1_loss(x, y, reduction="sum") == 5.5


def test_weighted_means_divide_as_pytorch_does():
    x, y, w = np.zeros(3), np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0])
    assert F.l1_loss(x, y, weight=w) == pytest.approx((1 + 4 + 12) / 6)
    assert F.mse_loss(x, y, weight=w) == pytest.approx((1 + 8 + 48) / 6)
    # huber_loss: the weighted sum over the element count, not over the sum of the weights
    assert F.huber_loss(x, y, weight=w) == pytest.approx((0.5 + 2 * 1.5 + 3 * 3.5) / 3)


@pytest.mark.parametrize("delta", [0.1, 1.0, 2.5, 30.0])
def test_huber_is_delta_times_smooth_l1(delta):
    r = rng_for("huber", delta).standard_normal(200) * 3 * delta
    np.testing.assert_allclose(
        F.huber_loss(r, np.zeros_like(r), reduction="none", delta=delta),
        delta * F.smooth_l1_loss(r, np.zeros_like(r), reduction="none", beta=delta),
        rtol=1e-15,
        atol=0,
    )


def test_smooth_l1_with_beta_zero_is_l1():
    r = rng_for("beta0").standard_normal(50)
    np.testing.assert_array_equal(F.smooth_l1_loss(r, 0 * r, beta=0.0, reduction="none"), np.abs(r))


def test_gaussian_nll_is_the_normal_log_density():
    rng = rng_for("gauss")
    mu, y, var = rng.standard_normal(30), rng.standard_normal(30), rng.random(30) * 3 + 0.01
    ours = F.gaussian_nll_loss(mu, y, var, full=True, reduction="none")
    np.testing.assert_allclose(ours, -stats.norm.logpdf(y, mu, np.sqrt(var)), rtol=1e-13)
    short = F.gaussian_nll_loss(mu, y, var, reduction="none")
    np.testing.assert_allclose(ours - short, 0.5 * math.log(2 * math.pi), rtol=1e-13)


def test_gaussian_nll_clamps_the_variance_at_eps():
    got = F.gaussian_nll_loss(
        np.array([0.0, 0.0]),
        np.array([1e-3, 1e-3]),
        np.array([0.0, 1e-9]),
        reduction="none",
        eps=1e-4,
    )
    expected = 0.5 * (math.log(1e-4) + 1e-6 / 1e-4)
    np.testing.assert_allclose(got, [expected, expected], rtol=1e-14)


@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_is_the_poisson_log_pmf_without_log_factorial(log_input):
    rng = rng_for("poisson", log_input)
    rate, y = rng.random(40) * 10 + 0.1, rng.integers(0, 20, 40).astype(float)
    x = np.log(rate) if log_input else rate
    ours = F.poisson_nll_loss(x, y, log_input=log_input, eps=0.0, reduction="none")
    np.testing.assert_allclose(
        ours, -stats.poisson.logpmf(y, rate) - special.gammaln(y + 1), rtol=1e-12, atol=1e-12
    )


def test_poisson_full_adds_stirling_only_where_the_target_exceeds_one():
    y = np.array([0.0, 0.5, 1.0, 1.5, 7.0, 100.0])
    full = F.poisson_nll_loss(np.zeros(6), y, full=True, reduction="none")
    plain = F.poisson_nll_loss(np.zeros(6), y, reduction="none")
    stirling = [0.0, 0.0, 0.0] + [
        t * math.log(t) - t + 0.5 * math.log(2 * math.pi * t) for t in (1.5, 7.0, 100.0)
    ]
    np.testing.assert_allclose(full - plain, stirling, rtol=1e-14, atol=0)
    # the term approximates log y!: the error is 1/(12y) to first order (independent: gammaln)
    np.testing.assert_allclose(special.gammaln(101.0) - stirling[-1], 1 / 1200, rtol=1e-3)


def test_poisson_log_of_a_rate_near_one_keeps_its_digits():
    """log(x + eps) near x = 1, read off exactly: with y = 2**900 the loss x - y log(x + eps) is
    -y * log(x + eps) (x is below half an ulp of it, and a power of two scales exactly)."""
    x, eps, y = np.array([1.0 - 2.0**-40]), 2.0**-42, 2.0**900
    loss = F.poisson_nll_loss(x, np.array([y]), log_input=False, eps=eps, reduction="none")
    got = -float(loss[0]) / y
    exact = float(mpmath.log(1 - 3 * mpmath.mpf(2) ** -42))  # 1 - 2**-40 + 2**-42, 50 digits
    assert abs(got - exact) <= 2 * np.spacing(abs(exact))


# ---- properties (Hypothesis, derandomized) ------------------------------------------------------
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("LOSSBOOK_EXAMPLES", 40)),
    deadline=None,
    derandomize=True,
    database=None,
)
RESIDUALS = arrays(
    np.float64,
    st.integers(1, 20),
    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
THRESHOLDS = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)


@PROPERTY_SETTINGS
@given(RESIDUALS, THRESHOLDS)
def test_property_huber_smooth_l1_and_their_bounds(r, t):
    zero = np.zeros_like(r)
    huber = F.huber_loss(r, zero, reduction="none", delta=t)
    smooth = F.smooth_l1_loss(r, zero, reduction="none", beta=t)
    np.testing.assert_allclose(huber, t * smooth, rtol=1e-15, atol=0)
    # quadratic below the threshold, within t/2 of |r| above: |r| - t/2 <= smooth <= |r|
    assert np.all(smooth <= np.abs(r) * (1 + 1e-15))
    assert np.all(smooth >= (np.abs(r) - t / 2) * (1 - 1e-15) - 1e-300)
    np.testing.assert_array_equal(
        G.huber_loss_grad(r, zero, reduction="sum", delta=t), np.clip(r, -t, t)
    )


@PROPERTY_SETTINGS
@given(RESIDUALS)
def test_property_gaussian_nll_is_smallest_at_the_squared_residual(r):
    """For each residual, var = r**2 (clamped at eps) minimises the loss over var."""
    zero = np.zeros_like(r)
    best = np.maximum(r**2, 1e-6)
    at_best = F.gaussian_nll_loss(r, zero, best, reduction="none")
    for factor in (0.5, 0.9, 1.1, 2.0):
        other = F.gaussian_nll_loss(r, zero, best * factor, reduction="none")
        assert np.all(at_best <= other + 1e-12 * np.abs(other))


# ---- shapes, dtypes, reductions -----------------------------------------------------------------
@pytest.mark.parametrize("name", ELEMENTWISE + ["gaussian_nll_loss", "poisson_nll_loss"])
def test_different_shapes_raise_unlike_pytorch(name):
    """A deliberate difference: PyTorch broadcasts (N, 1) against (N,) to an N x N loss."""
    extra = (1.0,) if name == "gaussian_nll_loss" else ()
    with pytest.raises(ValueError, match="target must have the same shape as input"):
        getattr(F, name)(np.zeros((3, 1)), np.zeros(3), *extra)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ELEMENTWISE + ["gaussian_nll_loss", "poisson_nll_loss"])
def test_results_keep_the_input_dtype_and_reductions_are_0d(name, dtype):
    extra = (np.ones(4, dtype),) if name == "gaussian_nll_loss" else ()
    x, y = np.linspace(-1, 1, 4).astype(dtype), np.arange(4).astype(dtype)
    for reduction in REDUCTIONS:
        out = getattr(F, name)(x, y, *extra, reduction=reduction)
        assert out.dtype == dtype and out.shape == ((4,) if reduction == "none" else ())


def test_float16_rounds_elementwise_as_pytorch_and_reduces_in_float32():
    """Hand-worked: in float16, 1 - 2**-12 is a tie between 1 - 2**-11 and 1 and rounds to 1, so
    PyTorch's squared error is 1 (a float32 residual would give 1 - 2**-11); Huber's float16
    kernel works in float32. 300**2 overflows float16 (largest 65504) element by element, as in
    PyTorch; the sum of 3000 x 30 = 90000 is accumulated in float32 and its mean is 30."""
    one, tiny = np.array([1.0], np.float16), np.array([2.0**-12], np.float16)
    assert F.mse_loss(one, tiny, reduction="none")[0] == 1.0
    assert F.smooth_l1_loss(one, tiny, reduction="none", beta=2.0)[0] == 0.25
    assert F.huber_loss(one, tiny, reduction="none", delta=2.0)[0] == np.float16(0.49975586)
    assert np.isinf(F.mse_loss(np.array([300.0, 100.0], np.float16), np.zeros(2, np.float16)))
    assert F.l1_loss(np.full(3000, 30.0, np.float16), np.zeros(3000, np.float16)) == 30.0
    assert G.mse_loss_grad(one, tiny).dtype == np.float16


@pytest.mark.parametrize(
    "dtypes",
    [
        (np.float32, np.float64),
        (np.float16, np.float32),
        (np.float64, np.float16),
        (np.float16, np.int64),
    ],
)
@pytest.mark.parametrize("name", ELEMENTWISE + ["gaussian_nll_loss", "poisson_nll_loss"])
def test_mixed_dtypes_promote_as_pytorch(torch, name, dtypes):
    """float32 input and float64 target give float64, as PyTorch's type promotion does; an
    integer array takes the other's dtype; huber_loss keeps the dtype of input (PyTorch's)."""
    x = np.linspace(-2, 3, 6).astype(dtypes[0])
    y = np.arange(6).astype(dtypes[1])
    var_dtype = dtypes[1] if np.dtype(dtypes[1]).kind == "f" else dtypes[0]
    extra = (np.linspace(0.5, 2, 6).astype(var_dtype),) if name == "gaussian_nll_loss" else ()
    theirs = torch_value(torch, name, x, y, *extra, reduction="none")
    ours = getattr(F, name)(x, y, *extra, reduction="none")
    if name in ("gaussian_nll_loss", "poisson_nll_loss"):
        # PyTorch runs these composites op by op, each op in its operands' dtype (exp of a
        # float16 input in float16); lossbook computes in the promoted dtype (float32 for
        # float16) and rounds once: the reference is PyTorch on arrays of the promoted dtype
        common = theirs.dtype
        widened = [a.astype(common) for a in (x, y, *extra)]
        theirs = (
            float16_by_float32(torch, name, *widened, reduction="none")
            if common == np.float16
            else torch_value(torch, name, *widened, reduction="none")
        )
        assert_same(ours, theirs, common.type)
    else:
        assert_same(ours, theirs, theirs.dtype.type, exact=True)
    if name in ("mse_loss", "l1_loss", "huber_loss"):  # a wider weight promotes too
        w = np.linspace(1, 2, 6)
        x32 = x.astype(np.float32)
        assert_same(
            getattr(F, name)(x32, x32 + 1, weight=w),
            torch_value(torch, name, x32, x32 + 1, weight=w),
            np.float64,
        )


def test_integer_arrays_only_give_float64_unlike_pytorch(torch):
    """A deliberate difference: PyTorch raises for mse_loss of two integer tensors (and for an
    integer var array in gaussian_nll_loss); lossbook computes in float64."""
    assert F.mse_loss(np.array([1, 2]), np.array([0, 0])).dtype == np.float64
    with pytest.raises(NotImplementedError):
        torch_value(torch, "mse_loss", np.array([1, 2]), np.array([0, 0]))
    x = np.zeros(2, np.float32)
    assert F.gaussian_nll_loss(x, x, np.array([1, 2])).dtype == np.float32
    with pytest.raises(RuntimeError):
        torch_value(torch, "gaussian_nll_loss", x, x, np.array([1, 2]))


@pytest.mark.parametrize("name", ELEMENTWISE + ["poisson_nll_loss"])
def test_zero_d_and_empty_inputs(name):
    assert getattr(F, name)(np.array(2.0), np.array(1.0)).shape == ()
    assert np.isnan(getattr(F, name)(np.zeros(0), np.zeros(0)))
    assert getattr(F, name)(np.zeros(0), np.zeros(0), reduction="sum") == 0


# ---- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad,error",
    [
        ("1.0", TypeError),
        (True, TypeError),
        (1j, TypeError),
        (None, TypeError),
        (-0.5, ValueError),
        (math.inf, ValueError),
        (math.nan, ValueError),
    ],
)
def test_beta_and_delta_are_checked_strictly(bad, error):
    with pytest.raises(error, match="beta"):
        F.smooth_l1_loss(np.zeros(2), np.zeros(2), beta=bad)
    with pytest.raises(error, match="delta"):
        F.huber_loss(np.zeros(2), np.zeros(2), delta=bad)
    with pytest.raises(error, match="beta"):
        G.smooth_l1_loss_grad(np.zeros(2), np.zeros(2), beta=bad)
    with pytest.raises(error, match="delta"):
        G.huber_loss_grad(np.zeros(2), np.zeros(2), delta=bad)


def test_delta_zero_is_rejected_and_beta_zero_is_not():
    with pytest.raises(ValueError, match="delta must be > 0"):
        F.huber_loss(np.zeros(2), np.zeros(2), delta=0.0)
    assert F.smooth_l1_loss(np.ones(2), np.zeros(2), beta=0) == 1.0


@pytest.mark.parametrize("option", ["full", "log_input"])
@pytest.mark.parametrize("bad", [1, 0, "False", None, np.array([True])])
def test_bool_options_are_checked_strictly(option, bad):
    with pytest.raises(TypeError, match=option):
        F.poisson_nll_loss(np.zeros(2), np.zeros(2), **{option: bad})
    with pytest.raises(TypeError, match=option):
        G.poisson_nll_loss_grad(np.zeros(2), np.zeros(2), **{option: bad})
    if option == "full":
        with pytest.raises(TypeError, match="full"):
            F.gaussian_nll_loss(np.zeros(2), np.zeros(2), 1.0, full=bad)


@pytest.mark.parametrize(
    "bad,error",
    [(-1e-6, ValueError), ("1e-6", TypeError), (math.inf, ValueError), (False, TypeError)],
)
def test_eps_is_checked(bad, error):
    with pytest.raises(error, match="eps"):
        F.gaussian_nll_loss(np.zeros(2), np.zeros(2), 1.0, eps=bad)
    with pytest.raises(error, match="eps"):
        F.poisson_nll_loss(np.zeros(2), np.zeros(2), eps=bad)


def test_bad_variances():
    x = np.zeros((3, 2))
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x, x, -1.0)
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x, x, np.array([[1.0, -1e-300]] * 3))
    with pytest.raises(TypeError, match="var"):
        F.gaussian_nll_loss(x, x, "1.0")
    with pytest.raises(TypeError, match="var"):
        F.gaussian_nll_loss(x, x, True)
    for shape in [(), (2,), (1, 1), (3, 2, 1), (2, 3)]:
        with pytest.raises(ValueError, match="var is of incorrect size"):
            F.gaussian_nll_loss(x, x, np.ones(shape))


def test_bad_reduction_weight_and_arrays():
    with pytest.raises(ValueError, match="reduction"):
        F.l1_loss(np.zeros(2), np.zeros(2), reduction="batchmean")
    with pytest.raises(ValueError, match="weight must have the shape of input"):
        F.mse_loss(np.zeros(2), np.zeros(2), weight=np.ones(3))
    with pytest.raises(TypeError, match="input"):
        F.huber_loss(np.array(["a", "b"]), np.zeros(2))
    with pytest.raises(TypeError, match="target"):
        F.poisson_nll_loss(np.zeros(2), np.array([1j, 2j]))


# ---- gradients against finite differences (no PyTorch needed) -----------------------------------
def finite_difference_cases():
    rng = rng_for("fd")
    x, y = rng.standard_normal((3, 4)) * 2, rng.standard_normal((3, 4)) * 2
    w = rng.random((3, 4)) + 0.5
    yield "mse", lambda a, r: F.mse_loss(a, y, r), lambda a, r: G.mse_loss_grad(a, y, r), x
    yield (
        "mse w",
        (lambda a, r: F.mse_loss(a, y, r, weight=w)),
        (lambda a, r: G.mse_loss_grad(a, y, r, weight=w)),
        x,
    )
    yield (
        "l1 w",
        (lambda a, r: F.l1_loss(a, y, r, weight=w)),
        (lambda a, r: G.l1_loss_grad(a, y, r, weight=w)),
        x,
    )
    for beta in (0.5, 2.0):
        yield (
            f"smooth_l1 {beta}",
            (lambda a, r, b=beta: F.smooth_l1_loss(a, y, r, beta=b)),
            (lambda a, r, b=beta: G.smooth_l1_loss_grad(a, y, r, beta=b)),
            x,
        )
        yield (
            f"huber {beta}",
            (lambda a, r, b=beta: F.huber_loss(a, y, r, delta=b, weight=w)),
            (lambda a, r, b=beta: G.huber_loss_grad(a, y, r, delta=b, weight=w)),
            x,
        )
    var = rng.random((3, 4)) + 0.2
    yield (
        "gaussian input",
        (lambda a, r: F.gaussian_nll_loss(a, y, var, reduction=r)),
        (lambda a, r: G.gaussian_nll_loss_grad(a, y, var, reduction=r)[0]),
        x,
    )
    var_rows = rng.random(3) + 0.2  # one variance per row: the gradient sums over the row
    yield (
        "gaussian var rows",
        (lambda v, r: F.gaussian_nll_loss(x, y, v, reduction=r)),
        (lambda v, r: G.gaussian_nll_loss_grad(x, y, v, reduction=r)[1]),
        var_rows,
    )
    yield (
        "gaussian var",
        (lambda v, r: F.gaussian_nll_loss(x, y, v, full=True, reduction=r)),
        (lambda v, r: G.gaussian_nll_loss_grad(x, y, v, full=True, reduction=r)[1]),
        var,
    )
    counts = rng.integers(0, 6, (3, 4)).astype(float)
    yield (
        "poisson log",
        (lambda a, r: F.poisson_nll_loss(a, counts, full=True, reduction=r)),
        (lambda a, r: G.poisson_nll_loss_grad(a, counts, full=True, reduction=r)),
        x / 2,
    )
    yield (
        "poisson rate",
        (lambda a, r: F.poisson_nll_loss(a, counts, log_input=False, reduction=r)),
        (lambda a, r: G.poisson_nll_loss_grad(a, counts, log_input=False, reduction=r)),
        np.abs(x) + 0.5,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", list(finite_difference_cases()), ids=lambda c: c[0])
def test_gradients_match_finite_differences(case, reduction):
    _, loss, grad, at = case
    numerical = G.numerical_gradient(lambda a: float(np.sum(loss(a, reduction))), at)
    np.testing.assert_allclose(grad(at, reduction), numerical, rtol=1e-6, atol=1e-8)


def test_scalar_variance_gradient_is_the_sum():
    x, y = np.array([1.0, 2.0]), np.zeros(2)
    _, gv = G.gaussian_nll_loss_grad(x, y, 1.0, reduction="sum")
    assert gv.shape == () and gv == pytest.approx(0.5 * ((1 - 1) + (1 - 4)))


# ---- memory: at most 3 x the input's size -------------------------------------------------------
@pytest.mark.parametrize(
    "name", ELEMENTWISE + ["gaussian_nll_loss", "poisson_nll_loss", "poisson_full", "poisson_rate"]
)
def test_peak_memory_is_at_most_three_times_the_input(name):
    rng = rng_for("memory")
    x, y = rng.standard_normal(200_000), rng.random(200_000) * 3
    var = y + 0.5
    calls = {
        "gaussian_nll_loss": lambda: F.gaussian_nll_loss(x, y, var, reduction="none"),
        "poisson_full": lambda: F.poisson_nll_loss(x, y, full=True, reduction="none"),
        "poisson_rate": lambda: F.poisson_nll_loss(y, y, log_input=False, reduction="none"),
    }
    call = calls.get(name, lambda: getattr(F, name)(x, y, reduction="none"))
    tracemalloc.start()
    try:
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 3.2 * x.nbytes, f"peak {peak / x.nbytes:.2f} x the input"


# ---- PyTorch: values over every option and edge case --------------------------------------------
def inputs(name, dtype, shape=(4, 3)):
    rng = rng_for(name, dtype, shape)
    x = (rng.standard_normal(shape) * 2).astype(dtype)
    y = (rng.standard_normal(shape) * 2).astype(dtype)
    return x, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_losses_match_pytorch(torch, name, reduction, dtype):
    x, y = inputs(name, dtype)
    options = {
        "smooth_l1_loss": [{"beta": b} for b in (0.0, 0.25, 1.0, 3.0)],
        "huber_loss": [{"delta": d} for d in (0.25, 1.0, 3.0)],
    }.get(name, [{}])
    exact = dtype == np.float16  # float16: PyTorch's roundings, bit for bit
    for kwargs in options:
        assert_same(
            getattr(F, name)(x, y, reduction=reduction, **kwargs),
            torch_value(torch, name, x, y, reduction=reduction, **kwargs),
            dtype,
            exact=exact,
        )
    if name != "smooth_l1_loss":
        w = rng_for("w", name).random(x.shape).astype(dtype)
        assert_same(
            getattr(F, name)(x, y, reduction=reduction, weight=w),
            torch_value(torch, name, x, y, reduction=reduction, weight=w),
            dtype,
            exact=exact,
        )


EDGE = np.array([0.0, -0.0, 1e-300, 5e-324, 1.0, 1e150, 1e200, -1e308, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_edge_cases_match_pytorch(torch, name, dtype):
    with np.errstate(over="ignore", under="ignore"):
        x = np.repeat(EDGE, EDGE.size).astype(dtype)
        y = np.tile(EDGE, EDGE.size).astype(dtype)
    for kwargs in (
        {},
        {"beta": 1e-3} if name == "smooth_l1_loss" else {},
        {"delta": 1e100} if name == "huber_loss" else {},
    ):
        assert_same(
            getattr(F, name)(x, y, reduction="none", **kwargs),
            torch_value(torch, name, x, y, reduction="none", **kwargs),
            dtype,
            exact=dtype == np.float16,
        )


@pytest.mark.parametrize("name", ELEMENTWISE + ["poisson_nll_loss"])
def test_zero_d_and_empty_match_pytorch(torch, name):
    for x, y in [
        (np.array(2.0), np.array(-1.0)),
        (np.zeros(0), np.zeros(0)),
        (np.zeros((2, 0)), np.zeros((2, 0))),
    ]:
        for reduction in REDUCTIONS:
            assert_same(
                getattr(F, name)(x, y, reduction=reduction),
                torch_value(torch, name, x, y, reduction=reduction),
                np.float64,
            )


VAR_SHAPES = [(4, 3), (4,), (4, 1), (1, 3), "float", "int"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", VAR_SHAPES)
def test_gaussian_nll_matches_pytorch(torch, var_shape, reduction, full, dtype):
    x, y = inputs("gaussian", dtype)
    rng = rng_for("var", var_shape, dtype)
    if var_shape in ("float", "int"):
        var = 2.5
        ours = F.gaussian_nll_loss(
            x, y, 2 if var_shape == "int" else var, full=full, reduction=reduction
        )
    else:
        var = (rng.random(var_shape) * 2).astype(dtype)
        var.flat[0] = 1e-9  # below the clamp
        ours = F.gaussian_nll_loss(x, y, var, full=full, reduction=reduction)
    if var_shape == "int":
        var = 2.0  # PyTorch raises TypeError for a Python int: a deliberate difference
    reference = float16_by_float32 if dtype == np.float16 else torch_value
    assert_same(
        ours,
        reference(torch, "gaussian_nll_loss", x, y, var, full=full, reduction=reduction),
        dtype,
    )


@pytest.mark.parametrize("eps", [0.0, 1e-6, 0.1])
def test_gaussian_nll_eps_and_edge_variances_match_pytorch(torch, eps):
    x = np.array([0.0, 1.0, 1.0, 0.0, np.nan, 1e200, 2.0])
    y = np.array([0.0, 0.0, 1.0, np.inf, 0.0, 0.0, 2.0])
    var = np.array([0.0, 0.0, 1e-300, 1.0, 1.0, 1e-3, np.inf])
    for reduction in REDUCTIONS:
        assert_same(
            F.gaussian_nll_loss(x, y, var, eps=eps, reduction=reduction),
            torch_value(torch, "gaussian_nll_loss", x, y, var, eps=eps, reduction=reduction),
            np.float64,
        )


def test_gaussian_nll_var_shape_rules_match_pytorch(torch):
    x = np.zeros((2, 3, 4))
    for shape in [
        (2, 3, 4),
        (2, 3),
        (2, 3, 1),
        (2, 1, 4),
        (1, 3, 4),
        (),
        (4,),
        (3, 4),
        (1, 1, 4),
        (2, 3, 4, 1),
        (2, 2, 4),
        (2, 3, 2),
    ]:
        var = np.ones(shape)
        try:
            theirs = torch_value(torch, "gaussian_nll_loss", x, x + 1, var, reduction="none")
        except ValueError as error:
            assert "incorrect size" in str(error)
            with pytest.raises(ValueError, match="var is of incorrect size"):
                F.gaussian_nll_loss(x, x + 1, var, reduction="none")
        else:
            assert_same(F.gaussian_nll_loss(x, x + 1, var, reduction="none"), theirs, np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_matches_pytorch(torch, log_input, full, reduction, dtype):
    rng = rng_for("poisson", log_input, full, reduction, dtype)
    y = rng.integers(0, 8, (5, 4)).astype(dtype)
    y[0, :] = [0.5, 1.0, 1.5, 3.0]  # around the Stirling threshold y > 1
    x = (rng.standard_normal((5, 4)) if log_input else rng.random((5, 4)) * 5).astype(dtype)
    x[1, 0] = 0 if not log_input else x[1, 0]  # a zero rate: log(eps)
    for eps in (1e-8, 0.5):
        kwargs = dict(log_input=log_input, full=full, eps=eps, reduction=reduction)
        reference = float16_by_float32 if dtype == np.float16 else torch_value
        assert_same(
            F.poisson_nll_loss(x, y, **kwargs),
            reference(torch, "poisson_nll_loss", x, y, **kwargs),
            dtype,
        )


def test_poisson_nll_edge_cases_match_pytorch(torch):
    x = np.array([0.0, 700.0, 710.0, -745.0, -1.0, np.nan, 1.0, 1.0, 1.0, 3.0, 1.0])
    y = np.array([0.0, 3.0, 1.0, 5.0, 2.0, 1.0, -2.0, np.nan, np.inf, 1e300, 0.0])
    for log_input in (True, False):
        for full in (False, True):
            kwargs = dict(log_input=log_input, full=full, reduction="none")
            assert_same(
                F.poisson_nll_loss(x, y, **kwargs),
                torch_value(torch, "poisson_nll_loss", x, y, **kwargs),
                np.float64,
            )


# ---- PyTorch: gradients by autograd -------------------------------------------------------------
def autograd(torch, name, x, y, var=None, **kwargs):
    xt = torch.tensor(x, requires_grad=True)
    args = [xt, torch.tensor(y)]
    vt = None
    if var is not None:
        vt = torch.tensor(var, requires_grad=True) if isinstance(var, np.ndarray) else var
        args.append(vt)
    kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(torch.nn.functional, name)(*args, **kwargs).sum().backward()
    grad_x = xt.grad.numpy()
    return grad_x if vt is None or not isinstance(var, np.ndarray) else (grad_x, vt.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradients_match_autograd(torch, reduction, dtype):
    x, y = inputs("grad", dtype)
    x[0, 0] = y[0, 0]  # a zero residual: sign(0) = 0
    x[0, 1] = y[0, 1] + 1.0  # exactly at beta = delta = 1
    w = rng_for("gw").random(x.shape).astype(dtype)
    checks = [
        ("mse_loss", G.mse_loss_grad, {}),
        ("mse_loss", G.mse_loss_grad, {"weight": w}),
        ("l1_loss", G.l1_loss_grad, {}),
        ("l1_loss", G.l1_loss_grad, {"weight": w}),
    ]
    checks += [("smooth_l1_loss", G.smooth_l1_loss_grad, {"beta": b}) for b in (0.0, 1.0, 2.5)]
    checks += [("huber_loss", G.huber_loss_grad, {"delta": d}) for d in (1.0, 2.5)]
    checks += [("huber_loss", G.huber_loss_grad, {"delta": 1.0, "weight": w})]
    for name, grad, kwargs in checks:
        assert_same(
            grad(x, y, reduction=reduction, **kwargs),
            autograd(torch, name, x, y, reduction=reduction, **kwargs),
            dtype,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
def test_gaussian_gradients_match_autograd_including_below_the_clamp(torch, var_shape, reduction):
    x, y = inputs("ggrad", np.float64)
    var = rng_for("gvar", var_shape).random(var_shape) + 0.1
    var.flat[0] = 1e-9  # below eps: PyTorch passes the gradient
    for full in (False, True):
        ours = G.gaussian_nll_loss_grad(x, y, var, full=full, reduction=reduction)
        theirs = autograd(torch, "gaussian_nll_loss", x, y, var, full=full, reduction=reduction)
        for a, b in zip(ours, theirs):
            assert_same(a, b, np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_gradient_matches_autograd(torch, log_input, reduction):
    rng = rng_for("pgrad", log_input)
    y = rng.integers(0, 8, 12).astype(float)
    x = rng.standard_normal(12) if log_input else rng.random(12) * 4
    for full in (False, True):
        kwargs = dict(log_input=log_input, full=full, reduction=reduction)
        assert_same(
            G.poisson_nll_loss_grad(x, y, **kwargs),
            autograd(torch, "poisson_nll_loss", x, y, **kwargs),
            np.float64,
        )


def test_pytorch_broadcast_mistake_is_2_cov(torch):
    """What lossbook refuses: PyTorch's mse of (N, 1) against (N,) exceeds the loss by 2 cov."""
    rng = rng_for("broadcast")
    y = rng.standard_normal(50)
    x = y + 0.3 * rng.standard_normal(50)
    wrong = torch_value(torch, "mse_loss", x[:, None], y)
    right = F.mse_loss(x, y)
    two_cov = 2 * np.mean((x - x.mean()) * (y - y.mean()))
    assert wrong - right == pytest.approx(two_cov, rel=1e-12)
