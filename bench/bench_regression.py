"""Regression losses: accuracy against mpmath and speed beside PyTorch and the textbook formulas.

Two tables for ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``huber_loss``, ``gaussian_nll_loss``
and ``poisson_nll_loss``:

1. accuracy: on the stress grid below (tiny and huge residuals, residuals at the quadratic/linear
   threshold, variances at and below the clamp, log-rates up to 709, rates near 1 and 0, counts
   around the Stirling threshold), the largest error in float64 ulps of lossbook, PyTorch and the
   textbook formula, against the exact value (mpmath, 50 digits) of PyTorch's *definition*;
2. speed: best time per call on 10**6 elements (float32 and float64, one thread each), with the
   ratios lossbook/PyTorch and lossbook/textbook.

The grid and the exact values are also used by ``tests/test_regression_accuracy.py``, which asserts
the bound: within 4 ulp, plus, where the definition's terms have opposite signs and cancel, an
allowance of 4 units of roundoff (2**-53) times the cancelled amount ``S - |exact|`` (``S`` the sum
of the terms' magnitudes). Without cancellation the allowance is 0. This module imports neither
lossbook nor PyTorch at import time.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_regression.py``); about 30 s.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import _timing  # first: one thread for NumPy and PyTorch
import mpmath
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _reference import error_in_ulps, representable, ulp  # noqa: E402

DPS = 50
UNIT_ROUNDOFF = mpmath.mpf(2) ** -53
CANCELLATION_FACTOR = 4
SEED = 20261130
FUNCTIONS = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "gaussian_nll_loss",
    "poisson_nll_loss",
]


@dataclass(frozen=True)
class Point:
    """One elementwise evaluation: the call's arguments (float64 scalars) and its exact value."""

    function: str
    args: tuple  # positional array arguments, as Python floats
    kwargs: tuple  # sorted (name, value) options
    exact: mpmath.mpf
    cancelled: mpmath.mpf  # S - |exact|: 0 when the terms do not cancel

    def allowance(self) -> mpmath.mpf:
        return CANCELLATION_FACTOR * UNIT_ROUNDOFF * self.cancelled

    def describe(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.kwargs)
        arguments = ", ".join([repr(a) for a in self.args] + ([options] if options else []))
        return f"{self.function}({arguments})"


def mp(value) -> mpmath.mpf:
    return mpmath.mpf(float(value))  # exact: every float64 is an mpf


def terms_point(function, args, kwargs, terms) -> Point:
    exact = mpmath.fsum(terms)
    size = mpmath.fsum(abs(t) for t in terms)
    return Point(
        function,
        tuple(float(a) for a in args),
        tuple(sorted(kwargs.items())),
        exact,
        size - abs(exact),
    )


# ---- exact definitions (PyTorch's formulas, evaluated exactly) ----------------------------------
def exact_elementwise(function, x, y, option):
    z = abs(mp(x) - mp(y))
    if function == "mse_loss":
        return [z * z]
    if function == "l1_loss":
        return [z]
    t = mp(option)
    if function == "smooth_l1_loss":
        return [z * z / (2 * t)] if z < t else [z, -t / 2]
    return [z * z / 2] if z < t else [t * z, -t * t / 2]  # huber_loss


def exact_gaussian(x, y, var, eps, full):
    v = max(mp(var), mp(eps))
    r = mp(x) - mp(y)
    terms = [mpmath.log(v) / 2, r * r / (2 * v)]
    return terms + ([mpmath.log(2 * mpmath.pi) / 2] if full else [])


def exact_poisson(x, y, log_input, eps, full):
    xm, ym = mp(x), mp(y)
    terms = [mpmath.exp(xm), -ym * xm] if log_input else [xm, -ym * mpmath.log(xm + mp(eps))]
    if full and ym > 1:
        terms += [ym * mpmath.log(ym), -ym, mpmath.log(2 * mpmath.pi * ym) / 2]
    return terms


# ---- the grid -----------------------------------------------------------------------------------
def residual_pairs(rng) -> list[tuple[float, float]]:
    one_ulp = 2.0**-52
    pairs = [
        (1.0 + one_ulp, 1.0),
        (1.0 + 7 * one_ulp, 1.0 - one_ulp),
        (1e-150, -3e-151),
        (3e-160, 1e-160),
        (1e150, -1e150),
        (1e154, 0.0),
        (-1e154, 3e153),
        (1e300, -1e300),
        (0.1, 0.3),
        (1e8 + 0.1, 1e8),
        (2.5, 0.0),
        (0.0, 0.0),
    ]
    for scale in 10.0 ** np.arange(-40, 41, 4):
        a, b = rng.standard_normal(2) * scale
        pairs.append((float(a), float(b)))
        pairs.append((float(a), float(a * (1 + 1e-9))))  # tiny relative residual
    return pairs


def threshold_pairs(threshold: float) -> list[tuple[float, float]]:
    """Residuals at, just below and just above the quadratic/linear threshold."""
    out = []
    for z in (
        threshold,
        np.nextafter(threshold, 0),
        np.nextafter(threshold, np.inf),
        threshold * 0.999,
        threshold * 1.001,
        threshold / 2,
        threshold * 2,
    ):
        out += [(float(z), 0.0), (0.0, float(z)), (float(1 + z), 1.0)]
    return out


@cache
def grid() -> tuple[Point, ...]:
    rng = np.random.default_rng(SEED)
    points = []
    with mpmath.workdps(DPS):
        pairs = residual_pairs(rng)
        for function in ("mse_loss", "l1_loss"):
            points += [
                terms_point(function, (x, y), {}, exact_elementwise(function, x, y, None))
                for x, y in pairs
            ]
        for function, name in (("smooth_l1_loss", "beta"), ("huber_loss", "delta")):
            for t in (1.0, 0.1, 3.0, 1e-8, 1e8):
                for x, y in pairs + threshold_pairs(t):
                    points.append(
                        terms_point(
                            function, (x, y), {name: t}, exact_elementwise(function, x, y, t)
                        )
                    )
        variances = [
            0.0,
            1e-9,
            1e-6,
            float(np.nextafter(1e-6, 1)),
            1e-3,
            0.3,
            0.5,
            float(np.nextafter(1.0, 0)),
            1.0,
            float(np.nextafter(1.0, 2)),
            2.0,
            1e3,
            1e300,
        ]
        residuals = [
            (0.0, 0.0),
            (1e-4, 0.0),
            (1e-9, 0.0),
            (0.6, 0.1),
            (1.0, -1.0),
            (3.0, 0.5),
            (1e150, 0.0),
            (1.0 + 2.0**-52, 1.0),
        ]
        for var in variances:
            for x, y in residuals:
                for eps in (1e-6, 1e-3):
                    for full in (False, True):
                        points.append(
                            terms_point(
                                "gaussian_nll_loss",
                                (x, y, var),
                                {"eps": eps, "full": full},
                                exact_gaussian(x, y, var, eps, full),
                            )
                        )
        counts = [0.0, 0.5, 1.0, float(np.nextafter(1.0, 2)), 2.0, 3.7, 10.0, 1e3, 1e6]
        log_rates = [
            -745.0,
            -50.0,
            -1.0,
            -1e-10,
            0.0,
            1e-10,
            0.5,
            1.0,
            2.302585092994046,
            5.0,
            50.0,
            300.0,
            700.0,
            709.0,
        ]
        rates = [
            0.0,
            1e-300,
            1e-9,
            1e-8,
            0.5,
            1 - 1e-8,
            float(np.nextafter(1.0, 0)),
            1.0,
            float(np.nextafter(1.0, 2)),
            1.5,
            2.0,
            10.0,
            1e10,
            1e300,
        ]
        for full in (False, True):
            for y in counts:
                for x in log_rates:
                    points.append(
                        terms_point(
                            "poisson_nll_loss",
                            (x, y),
                            {"log_input": True, "full": full},
                            exact_poisson(x, y, True, 1e-8, full),
                        )
                    )
                for x in rates:
                    for eps in (1e-8, 0.0):
                        if x == 0.0 and eps == 0.0:
                            continue  # log 0: infinite loss
                        points.append(
                            terms_point(
                                "poisson_nll_loss",
                                (x, y),
                                {"log_input": False, "full": full, "eps": eps},
                                exact_poisson(x, y, False, eps, full),
                            )
                        )
    return tuple(points)


# ---- measuring ----------------------------------------------------------------------------------
def evaluate(module, point: Point) -> float:
    """``module.<function>`` (lossbook.functional, torch.nn.functional adapter or Textbook) at one
    point, reduction 'none', float64."""
    args = [np.array([a]) for a in point.args]
    return float(getattr(module, point.function)(*args, reduction="none", **dict(point.kwargs))[0])


def check(module, point: Point, bound: float = 4.0):
    """None if ``module`` is within ``bound`` ulp (plus the cancellation allowance) at ``point``;
    else (error in ulps, allowance in ulps, value)."""
    if not representable(point.exact, np.float64):
        return None
    got = evaluate(module, point)
    with mpmath.workdps(DPS):
        ulps = error_in_ulps(got, point.exact, np.float64)
        allowed = bound + float(point.allowance() / ulp(point.exact, np.float64))
    return None if ulps <= allowed else (ulps, allowed, got)


def worst(module, function: str) -> tuple[float, int, int]:
    """(largest error in ulps at points without cancellation, points beyond the bound, points
    checked)."""
    largest, violations, checked = 0.0, 0, 0
    for point in grid():
        if point.function != function or not representable(point.exact, np.float64):
            continue
        checked += 1
        try:
            got = evaluate(module, point)
        except Exception:  # noqa: BLE001 (a column, not a test)
            got = math.nan
        with mpmath.workdps(DPS):
            ulps = error_in_ulps(got, point.exact, np.float64)
            allowed = 4.0 + float(point.allowance() / ulp(point.exact, np.float64))
        largest = max(largest, ulps if point.cancelled == 0 else 0.0)
        violations += ulps > allowed
    return largest, violations, checked


class Textbook:
    """The formulas as a first implementation writes them in NumPy (no clamps beyond PyTorch's)."""

    @staticmethod
    def _reduce(losses, reduction):
        return (
            losses
            if reduction == "none"
            else (losses.mean() if reduction == "mean" else losses.sum())
        )

    def mse_loss(self, x, y, reduction="mean"):
        return self._reduce((x - y) ** 2, reduction)

    def l1_loss(self, x, y, reduction="mean"):
        return self._reduce(np.abs(x - y), reduction)

    def smooth_l1_loss(self, x, y, reduction="mean", beta=1.0):
        z = np.abs(x - y)
        return self._reduce(np.where(z < beta, 0.5 * z**2 / beta, z - 0.5 * beta), reduction)

    def huber_loss(self, x, y, reduction="mean", delta=1.0):
        z = np.abs(x - y)
        return self._reduce(np.where(z < delta, 0.5 * z**2, delta * (z - 0.5 * delta)), reduction)

    def gaussian_nll_loss(self, x, y, var, reduction="mean", eps=1e-6, full=False):
        v = np.maximum(var, eps)
        loss = 0.5 * (np.log(v) + (x - y) ** 2 / v) + (0.5 * np.log(2 * np.pi) if full else 0)
        return self._reduce(loss, reduction)

    def poisson_nll_loss(self, x, y, reduction="mean", log_input=True, full=False, eps=1e-8):
        loss = np.exp(x) - y * x if log_input else x - y * np.log(x + eps)
        if full:
            stirling = y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y)
            loss = loss + np.where(y > 1, stirling, 0)
        return self._reduce(loss, reduction)


class TorchAdapter:
    """``torch.nn.functional`` with NumPy arrays in and out."""

    def __init__(self, torch):
        self.torch = torch

    def __getattr__(self, name):
        def call(*args, **kwargs):
            tensors = [self.torch.from_numpy(np.asarray(a)) for a in args]
            with self.torch.no_grad():
                return getattr(self.torch.nn.functional, name)(*tensors, **kwargs).numpy()

        return call


# ---- tables -------------------------------------------------------------------------------------
def workloads(dtype, n=1_000_000):
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(n).astype(dtype)
    y = rng.standard_normal(n).astype(dtype)
    var = (rng.random(n) + 0.1).astype(dtype)
    counts = rng.poisson(3.0, n).astype(dtype)
    return [
        ("mse_loss", (x, y), {}),
        ("l1_loss", (x, y), {}),
        ("smooth_l1_loss", (x, y), {"beta": 0.5}),
        ("huber_loss", (x, y), {"delta": 0.5}),
        ("gaussian_nll_loss", (x, y, var), {}),
        ("poisson_nll_loss", (x, counts), {"full": True}),
    ]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    np.seterr(all="ignore")  # the textbook column overflows on the grid
    import lossbook.functional as F

    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(1)
    columns = [("lossbook", F), ("textbook", Textbook())]
    if torch is not None:
        columns.insert(1, ("PyTorch", TorchAdapter(torch)))

    print("Table R1: accuracy in float64 ulps on the stress grid (largest error where the terms")
    print("do not cancel; 'beyond' counts points outside 4 ulp + the cancellation allowance)\n")
    header = f"{'function':<20}{'points':>8}" + "".join(
        f"{name + ' max':>16}{'beyond':>8}" for name, _ in columns
    )
    print(header)
    print("-" * len(header))
    for function in FUNCTIONS:
        row, checked = "", 0
        for _, module in columns:
            largest, violations, checked = worst(module, function)
            row += f"{largest:>16.3g}{violations:>8d}"
        print(f"{function:<20}{checked:>8d}" + row)

    print("\nTable R2: best time per call, 10**6 elements, reduction 'mean', one thread\n")
    names = [name for name, _ in columns]
    header = f"{'function':<20}{'dtype':<9}" + "".join(f"{n + ' (ms)':>16}" for n in names)
    header += "".join(f"{'lossbook/' + n:>20}" for n in names[1:])
    print(header)
    print("-" * len(header))
    for dtype in (np.float32, np.float64):
        for function, args, kwargs in workloads(dtype):
            times = []
            for name, module in columns:
                if name == "PyTorch":
                    tensors = [torch.from_numpy(a) for a in args]
                    fn = getattr(torch.nn.functional, function)
                    times.append(_timing.best_time(lambda: fn(*tensors, **kwargs)))
                else:
                    fn = getattr(module, function)
                    times.append(_timing.best_time(lambda: fn(*args, **kwargs)))
            row = f"{function:<20}{np.dtype(dtype).name:<9}"
            row += "".join(f"{1e3 * t:>16.2f}" for t in times)
            row += "".join(f"{times[0] / t:>20.2f}" for t in times[1:])
            print(row)


if __name__ == "__main__":
    main()
