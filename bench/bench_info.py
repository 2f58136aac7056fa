"""lossbook.info: accuracy against mpmath, peak extra memory and time at 10**7 elements.

Three tables (``python bench/bench_info.py``, part of ``make bench``; nothing here is asserted):

1. **Accuracy**: the largest error, in float64 ulps of the exact value, of every information
   measure on the stress grid below, beside the textbook formula. The exact values come from
   mpmath at 50 significant digits from the exact float inputs. ``tests/test_info_accuracy.py``
   asserts the bounds on the same grid (it imports this module).
2. **Memory**: peak extra memory during one call (``tracemalloc``, which sees NumPy's buffers),
   as a multiple of the input's size, at 10**7 elements, float64 and float32.
3. **Time**: the best of 3 calls at 10**7 elements beside the textbook formula.

The stress grid: distributions with tiny (down to 1e-300) and subnormal entries, near-degenerate
ones (``1 - 1e-12``), near-equal pairs ``p = q (1 + delta u)`` at ``delta`` from 0.3 down to 1e-9
(the hard regime of KL and JS, both sides of the series' radius), pairs with a ratio ``p/q`` near
1/3 and 3 (the switch between series and direct form), and joint tables that are nearly
independent (mutual information) or nearly deterministic (conditional entropy).
"""

from __future__ import annotations

import math
import sys
import tracemalloc
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import _timing  # first: one thread for NumPy
import mpmath
import numpy as np

DPS = 50
SEED = 20261130


# ---------------------------------------------------------------------------------------------
# exact references (mpmath) and the error measure
# ---------------------------------------------------------------------------------------------
def as_mpf(values) -> list:
    return [mpmath.mpf(float(v)) for v in np.asarray(values, dtype=np.float64).ravel()]


def _xlogy(x, y):
    return mpmath.mpf(0) if x == 0 else x * mpmath.log(y)


def exact_entropy(p) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        return -mpmath.fsum(_xlogy(x, x) for x in as_mpf(p))


def exact_cross_entropy(p, q) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        pairs = [(a, b) for a, b in zip(as_mpf(p), as_mpf(q)) if a > 0]
        if any(b == 0 for _, b in pairs):
            return mpmath.inf
        return -mpmath.fsum(a * mpmath.log(b) for a, b in pairs)


def _clamped(value: mpmath.mpf) -> mpmath.mpf:
    """A non-negative measure's exact value, with a negative one (possible when the inputs' sums
    differ from 1 by rounding) clamped to 0, as the functions document."""
    return max(value, mpmath.mpf(0))


def exact_kl(p, q) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        pairs = [(a, b) for a, b in zip(as_mpf(p), as_mpf(q)) if a > 0]
        if any(b == 0 for _, b in pairs):
            return mpmath.inf
        return _clamped(mpmath.fsum(a * mpmath.log(a / b) for a, b in pairs))


def exact_js(p, q) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        total = mpmath.mpf(0)
        for a, b in zip(as_mpf(p), as_mpf(q)):
            m = (a + b) / 2
            if a > 0:
                total += a * mpmath.log(a / m) / 2
            if b > 0:
                total += b * mpmath.log(b / m) / 2
        return _clamped(total)


def _marginals(table):
    rows = [as_mpf(row) for row in np.asarray(table)]
    px = [mpmath.fsum(row) for row in rows]
    py = [mpmath.fsum(column) for column in zip(*rows)]
    return rows, px, py


def exact_conditional_entropy(table) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        rows, px, _ = _marginals(table)
        return -mpmath.fsum(
            t * mpmath.log(t / px[i]) for i, row in enumerate(rows) for t in row if t > 0
        )


def exact_mutual_information(table) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        rows, px, py = _marginals(table)
        return _clamped(
            mpmath.fsum(
                t * mpmath.log(t / (px[i] * py[j]))
                for i, row in enumerate(rows)
                for j, t in enumerate(row)
                if t > 0
            )
        )


def exact_perplexity(p, q=None) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        return mpmath.exp(exact_entropy(p) if q is None else exact_cross_entropy(p, q))


def ulps(got, exact) -> float:
    """``|got - exact|`` in float64 ulps of ``exact`` (an ulp of the smallest normal below it)."""
    got = float(got)
    if not math.isfinite(got) or not mpmath.isfinite(exact):
        return 0.0 if got == exact else math.inf
    with mpmath.workdps(DPS):
        if exact == 0:
            return 0.0 if got == 0 else math.inf
        _, exponent = mpmath.frexp(exact)
        unit = mpmath.ldexp(1, max(int(exponent), -1021) - 53)
        return float(abs(mpmath.mpf(got) - exact) / unit)


# ---------------------------------------------------------------------------------------------
# the stress grid
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    function: str  # name in lossbook.info
    label: str
    args: tuple


def normalised(weights) -> np.ndarray:
    p = np.array(weights, dtype=np.float64)
    p = p / math.fsum(p.ravel())
    p.flat[np.argmax(p)] += 1.0 - math.fsum(p.ravel())  # sum as close to 1 as float64 allows
    return p


def near(q, delta, rng) -> np.ndarray:
    """``q (1 + delta u)`` with a zero-mean direction ``u`` of unit max norm, renormalised."""
    u = rng.normal(size=q.size)
    u -= np.dot(u, q)
    u /= np.max(np.abs(u))
    return normalised(q * (1 + delta * u))


DISTANCES = (0.3, 0.1, 0.03, 1e-2, 1e-3, 1e-6, 1e-9)


def _distributions(rng) -> list[tuple[str, np.ndarray]]:
    return [
        ("uniform n=7", np.full(7, 1 / 7)),
        ("dirichlet(1) n=10", normalised(rng.dirichlet(np.ones(10)))),
        ("dirichlet(0.1) n=30 (spiky)", normalised(rng.dirichlet(np.full(30, 0.1)))),
        ("near-degenerate 1-1e-12", normalised([1 - 1e-12, 6e-13, 4e-13])),
        ("tiny entries 1e-300", normalised([0.5, 0.5 - 2e-300, 1e-300, 1e-300])),
        ("subnormal entry", normalised([0.7, 0.3, 5e-320])),
        ("with zeros", normalised([0.2, 0.0, 0.5, 0.3, 0.0])),
        ("dirichlet(1) n=200", normalised(rng.dirichlet(np.ones(200)))),
    ]


def _pairs(rng) -> list[tuple[str, np.ndarray, np.ndarray]]:
    pairs = []
    for n in (3, 12):
        q = normalised(rng.dirichlet(np.ones(n)))
        for delta in DISTANCES:
            pairs.append((f"near-equal n={n} delta={delta:g}", near(q, delta, rng), q))
    base = normalised(np.ones(6))
    for ratio in (1 / 3, 0.34, 2.9, 3.0, 3.1):  # either side of the series' radius
        p = base.copy()
        p[0] = base[0] * ratio
        p[1:] *= (1 - p[0]) / (1 - base[0])
        pairs.append((f"ratio p/q = {ratio:.3g} in one entry", normalised(p), base))
    pairs += [
        (
            "dirichlet(1) n=10",
            normalised(rng.dirichlet(np.ones(10))),
            normalised(rng.dirichlet(np.ones(10))),
        ),
        (
            "dirichlet(0.1) n=30",
            normalised(rng.dirichlet(np.full(30, 0.1))),
            normalised(rng.dirichlet(np.full(30, 0.1))),
        ),
        (
            "tiny q entries",
            normalised([0.5, 0.3, 0.2]),
            normalised([1 - 2e-300, 1e-300, 1e-300]),
        ),
        ("subnormal q entry", normalised([0.5, 0.5]), normalised([1.0, 5e-320])),
        ("zeros in p", normalised([0.5, 0.0, 0.5]), normalised([0.2, 0.3, 0.5])),
        ("disjoint supports", normalised([1.0, 0.0]), normalised([0.0, 1.0])),
    ]
    return pairs


def _tables(rng) -> list[tuple[str, np.ndarray]]:
    tables = []
    px, py = (
        normalised(rng.dirichlet(np.ones(4))),
        normalised(rng.dirichlet(np.ones(5))),
    )
    independent = np.outer(px, py)
    for delta in DISTANCES:
        table = near(independent.ravel(), delta, rng).reshape(independent.shape)
        tables.append((f"near-independent 4x5 delta={delta:g}", table))
    deterministic = np.zeros((3, 3))
    deterministic[[0, 1, 2], [2, 0, 1]] = [0.2, 0.3, 0.5]
    tables += [
        ("dirichlet(1) 6x4", normalised(rng.dirichlet(np.ones(24))).reshape(6, 4)),
        (
            "dirichlet(0.1) 8x8",
            normalised(rng.dirichlet(np.full(64, 0.1))).reshape(8, 8),
        ),
        ("Y = f(X)", deterministic),
        ("nearly Y = f(X): 1e-9 off", normalised(deterministic + 1e-9 * np.eye(3))),
        ("a zero row", normalised([[0.1, 0.4], [0.0, 0.0], [0.3, 0.2]])),
        ("one row", normalised([[0.25, 0.5, 0.25]])),
    ]
    return tables


@cache
def cases() -> tuple[tuple[Case, mpmath.mpf], ...]:
    """Every (case, exact value) of the grid."""
    rng = np.random.default_rng(SEED)
    distributions, pairs, tables = _distributions(rng), _pairs(rng), _tables(rng)
    out = []
    for label, p in distributions:
        out.append((Case("entropy", label, (p,)), exact_entropy(p)))
        out.append((Case("perplexity", label, (p,)), exact_perplexity(p)))
        out.append((Case("joint_entropy", label, (p.reshape(1, -1),)), exact_entropy(p)))
    for label, p, q in pairs:
        out.append((Case("kl_divergence", label, (p, q)), exact_kl(p, q)))
        out.append((Case("js_divergence", label, (p, q)), exact_js(p, q)))
        out.append((Case("cross_entropy", label, (p, q)), exact_cross_entropy(p, q)))
    for label, table in tables:
        out.append(
            (
                Case("mutual_information", label, (table,)),
                exact_mutual_information(table),
            )
        )
        out.append(
            (
                Case("conditional_entropy", label, (table,)),
                exact_conditional_entropy(table),
            )
        )
        out.append((Case("joint_entropy", label, (table,)), exact_entropy(table)))
    return tuple(out)


def self_information_cases() -> list[tuple[float, mpmath.mpf]]:
    """Elementwise grid for ``self_information``: near 1, tiny, subnormal, powers of two."""
    points = [
        1 - 2.0**-52,
        1 - 1e-10,
        0.999,
        0.5,
        0.3,
        1e-10,
        1e-300,
        5e-324,
        2.0**-1074,
        0.75,
        1.0,
    ]
    with mpmath.workdps(DPS):
        return [(x, -mpmath.log(mpmath.mpf(x))) for x in points]


# ---------------------------------------------------------------------------------------------
# textbook formulas (what a first implementation writes)
# ---------------------------------------------------------------------------------------------
class Textbook:
    @staticmethod
    def entropy(p):
        with np.errstate(all="ignore"):
            return -np.nansum(p * np.log(p), axis=-1)

    @staticmethod
    def cross_entropy(p, q):
        with np.errstate(all="ignore"):
            return -np.nansum(p * np.log(q), axis=-1)

    @staticmethod
    def kl_divergence(p, q):
        with np.errstate(all="ignore"):
            return np.nansum(p * np.log(p / q), axis=-1)

    @staticmethod
    def js_divergence(p, q):
        m = 0.5 * (p + q)
        return 0.5 * Textbook.kl_divergence(p, m) + 0.5 * Textbook.kl_divergence(q, m)

    @staticmethod
    def perplexity(p):
        return np.exp(Textbook.entropy(p))

    @staticmethod
    def joint_entropy(pxy):
        return Textbook.entropy(np.ravel(pxy))

    @staticmethod
    def conditional_entropy(pxy):
        return Textbook.joint_entropy(pxy) - Textbook.entropy(np.sum(pxy, axis=1))

    @staticmethod
    def mutual_information(pxy):
        px, py = np.sum(pxy, axis=1), np.sum(pxy, axis=0)
        return Textbook.entropy(px) + Textbook.entropy(py) - Textbook.joint_entropy(pxy)


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------
def accuracy_rows(module) -> dict[str, tuple[float, str]]:
    """Worst ulp error and where, per function, of ``module`` (lossbook.info or Textbook)."""
    worst: dict[str, tuple[float, str]] = {}
    for case, exact in cases():
        function = getattr(module, case.function, None)
        if function is None:
            continue
        error = ulps(function(*case.args), exact)
        if error >= worst.get(case.function, (-1.0, ""))[0]:
            worst[case.function] = (error, case.label)
    return worst


def peak_extra_memory(call) -> int:
    """Peak bytes allocated during ``call()`` beyond what was allocated before it."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


def large_inputs(dtype, n: int = 10**7):
    rng = np.random.default_rng(SEED)
    p = rng.random(n)
    q = rng.random(n)
    p, q = (p / p.sum()).astype(dtype), (q / q.sum()).astype(dtype)
    side = math.isqrt(n)
    table = (rng.random((side, side))).astype(np.float64)
    table = (table / table.sum()).astype(dtype)
    return p, q, table


def scale_calls(info, p, q, table) -> dict[str, tuple]:
    """name -> (call of ``info``'s function, textbook call, input bytes), for the functions that
    ``info`` has."""
    calls = {
        "entropy": (lambda: info.entropy(p), lambda: Textbook.entropy(p), p.nbytes),
        "cross_entropy": (
            lambda: info.cross_entropy(p, q),
            lambda: Textbook.cross_entropy(p, q),
            p.nbytes + q.nbytes,
        ),
        "kl_divergence": (
            lambda: info.kl_divergence(p, q),
            lambda: Textbook.kl_divergence(p, q),
            p.nbytes + q.nbytes,
        ),
        "js_divergence": (
            lambda: info.js_divergence(p, q),
            lambda: Textbook.js_divergence(p, q),
            p.nbytes + q.nbytes,
        ),
        "perplexity": (
            lambda: info.perplexity(p),
            lambda: Textbook.perplexity(p),
            p.nbytes,
        ),
        "self_information": (
            lambda: info.self_information(p),
            lambda: -np.log(p),
            p.nbytes,
        ),
        "joint_entropy": (
            lambda: info.joint_entropy(table),
            lambda: Textbook.joint_entropy(table),
            table.nbytes,
        ),
        "conditional_entropy": (
            lambda: info.conditional_entropy(table),
            lambda: Textbook.conditional_entropy(table),
            table.nbytes,
        ),
        "mutual_information": (
            lambda: info.mutual_information(table),
            lambda: Textbook.mutual_information(table),
            table.nbytes,
        ),
    }
    lengths = np.ceil(-np.log2(p.astype(np.float64)) - 1e-9).astype(np.int64)
    calls["shannon_code_lengths"] = (
        lambda: info.shannon_code_lengths(p),
        lambda: np.ceil(-np.log2(p)).astype(np.int64),
        p.nbytes,
    )
    calls["expected_code_length"] = (
        lambda: info.expected_code_length(p, lengths),
        lambda: np.sum(p * lengths),
        p.nbytes + lengths.nbytes,
    )
    return {name: call for name, call in calls.items() if hasattr(info, name)}


def _load(path: str):
    """A version of ``lossbook.info`` from a file (for a before/after comparison)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("info_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accuracy_table(modules: dict) -> None:
    print("Worst error in float64 ulps on the stress grid (mpmath, 50 digits)\n")
    worst = {name: accuracy_rows(module) for name, module in modules.items()}
    print(
        f"{'function':22}"
        + "".join(f" {name:>10}" for name in modules)
        + "  worst case (first column)"
    )
    first = next(iter(worst.values()))
    for function, (_, label) in first.items():
        errors = "".join(f" {worst[name].get(function, (math.nan,))[0]:10.3g}" for name in worst)
        print(f"{function:22}{errors}  {label}")


def scale_table(modules: dict, n: int) -> None:
    print(f"\nPeak extra memory / input size (tracemalloc) and best time (s), n = {n:.0e}\n")
    names = [name for name in modules if name != "textbook"]
    header = "".join(f" {'mem ' + name:>14}" for name in [*names, "textbook"])
    header += "".join(f" {'s ' + name:>12}" for name in [*names, "textbook"])
    print(f"{'function':22} {'dtype':8}{header}")
    for dtype in (np.float64, np.float32):
        p, q, table = large_inputs(dtype, n)
        calls = {name: scale_calls(modules[name], p, q, table) for name in names}
        for function in calls[names[0]]:
            row = [calls[name].get(function, (None,))[0] for name in names]
            plain, nbytes = calls[names[0]][function][1], calls[names[0]][function][2]
            memory = [_measured(peak_extra_memory, call, nbytes) for call in row]
            memory.append(_measured(peak_extra_memory, plain, nbytes))
            seconds = [_measured(_timing.best_time, call) for call in [*row, plain]]
            print(
                f"{function:22} {np.dtype(dtype).name:8}"
                + "".join(f" {m:>14}" for m in memory)
                + "".join(f" {t:>12}" for t in seconds)
            )


def _measured(measure, call, scale: float | None = None) -> str:
    """``measure(call)`` formatted (divided by ``scale``), or ``n/a`` for a missing function."""
    if call is None:
        return "n/a"
    value = measure(call)
    return f"{value / scale:.2f}" if scale else f"{value:.3f}"


def main(argv: list[str]) -> None:
    """``bench_info.py [--before PATH_TO_OLD_INFO_PY] [--n N]``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from lossbook import info

    modules = {"lossbook": info}
    if "--before" in argv:
        modules["before"] = _load(argv[argv.index("--before") + 1])
    n = int(float(argv[argv.index("--n") + 1])) if "--n" in argv else 10**7
    accuracy_table({**modules, "textbook": Textbook})
    selfinfo = max(ulps(info.self_information(x), e) for x, e in self_information_cases())
    print(f"{'self_information':22} {selfinfo:10.3g}")
    scale_table({**modules, "textbook": Textbook}, n)


if __name__ == "__main__":
    main(sys.argv[1:])
