"""Exact references (mpmath, 50 significant digits) and the stress grid for lossbook's accuracy.

Shared by ``tests/test_accuracy_mpmath.py`` (which asserts the error bounds) and
``bench/bench_accuracy.py`` (which prints them for lossbook beside PyTorch and the textbook
formulas). Neither ``lossbook`` nor ``torch`` is imported here, so this module is an independent
oracle; the tests reach it with ``sys.path.insert(0, str(ROOT / "bench"))`` (``bench/`` is not a
package and is not collected by pytest).

What is here
------------
* Exact values: every function is evaluated in mpmath with 50 significant digits from the *exact*
  float inputs (a float32 or float64 input is converted to an ``mpf`` without rounding, and
  differences of inputs are formed exactly), so the reference is correct to far more digits than
  any float64 result can have. The references follow PyTorch's *definitions* (softplus's threshold,
  binary cross-entropy's clamp of each log at -100, cosine similarity's clamp of each norm at eps),
  not its rounding.
* The stress grid: logits up to ±1e4 and the confident-prediction regime where the loss is tiny
  (``[40, 0]`` with target 0 is 4.2e-18), probabilities down to 1e-300, near-equal distributions
  for KL, near-parallel vectors (and tiny, huge and zero vectors) for cosine similarity. Each
  :class:`Case` is one call; ``CALLS[case.function](F, *case.args)`` runs it with any module that
  has ``torch.nn.functional``'s API (lossbook.functional, a torch adapter, :class:`Textbook`).
* Error measure: ``|got - exact| / ulp(exact)``, the ulp being that of the format (float64 or
  float32) in the binade of the exact value, counted only where the exact value is finite and in
  the format's normal range (:func:`error_in_ulps`). A correctly rounded result is within 0.5 ulp.
* ``slack``: for points where the function's own definition subtracts nearly equal quantities
  (inherent cancellation), an absolute allowance beyond 4 ulp equal to the error that merely
  *rounding an intermediate quantity* of the definition to the working format causes (see each
  builder). It is 0 everywhere else, where the 4-ulp target applies unchanged.
* :class:`Textbook`: the formulas a textbook (or a first implementation) writes in NumPy, used by
  both benchmarks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import mpmath
import numpy as np

DPS = 50
"""Significant decimal digits of the references."""

SEED = 20240611

_PRECISION = {np.dtype(np.float64): 53, np.dtype(np.float32): 24}


# ---------------------------------------------------------------------------------------------
# ulps
# ---------------------------------------------------------------------------------------------
def ulp(exact, dtype) -> mpmath.mpf:
    """The unit in the last place of ``dtype`` in the binade of ``exact`` (not 0, finite)."""
    _, exponent = mpmath.frexp(exact)  # |exact| = m 2**e, 1/2 <= m < 1
    return mpmath.ldexp(mpmath.mpf(1), int(exponent) - _PRECISION[np.dtype(dtype)])


def representable(exact, dtype) -> bool:
    """Finite, non-zero and inside the normal range of ``dtype`` (so an ulp error is meaningful)."""
    info = np.finfo(dtype)
    return (
        mpmath.isfinite(exact)
        and exact != 0
        and mpmath.mpf(float(info.tiny)) <= abs(exact) <= mpmath.mpf(float(info.max))
    )


def error_in_ulps(got, exact, dtype) -> float:
    """``|got - exact|`` in ulps of ``exact`` (inf if ``got`` is inf or nan)."""
    got = float(got)
    if not math.isfinite(got):
        return math.inf
    with mpmath.workdps(DPS):
        return float(abs(mpmath.mpf(got) - exact) / ulp(exact, dtype))


# ---------------------------------------------------------------------------------------------
# the grid's cases
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One call of one function on stress inputs, with the exact value of each output element."""

    function: str  # key of CALLS
    label: str  # what the inputs are, for messages
    args: tuple  # inputs as numpy arrays of the grid's dtype (or Python scalars)
    exact: tuple  # mpf per output element (flattened)
    slack: tuple = field(
        default=()
    )  # absolute allowance beyond 4 ulp per element (mpf), () = all 0
    group: str = "stress"  # "stress", or the name of an inherently ill-conditioned subset
    inputs: tuple = field(default=())  # per-element description of the inputs (str), () = label

    def slack_of(self, i: int):
        return self.slack[i] if self.slack else mpmath.mpf(0)

    def describe(self, i: int) -> str:
        return f"{self.label}: {self.inputs[i]}" if self.inputs else f"{self.label} [element {i}]"


def _mpf(value) -> mpmath.mpf:
    return mpmath.mpf(float(value))  # exact for float32 and float64 values


def _sub(a, b) -> mpmath.mpf:
    return mpmath.fsub(a, b, exact=True)


def _fmt(value) -> str:
    return (
        np.format_float_positional(value, trim="-")
        if abs(float(value)) in (0.0, 1.0)
        else repr(float(value))
    )


# ---------------------------------------------------------------------------------------------
# exact references (call inside mpmath.workdps(DPS))
# ---------------------------------------------------------------------------------------------
def _log_partition(xs):
    """(m, k, S') with m = max, k its index and S' = sum over i != k of exp(x_i - m), exactly
    shifted.

    log sum exp(x) = m + log1p(S'); keeping the largest term (exactly 1) out of the sum keeps S'
    relatively accurate when it is tiny.
    """
    m = max(xs)
    k = xs.index(m)
    rest = mpmath.fsum(mpmath.exp(_sub(x, m)) for i, x in enumerate(xs) if i != k)
    return m, k, rest


def log_softmax_exact(row) -> list:
    xs = [_mpf(v) for v in row]
    if any(mpmath.isnan(x) for x in xs) or not mpmath.isfinite(max(xs)):
        return [mpmath.nan] * len(xs)  # +inf present or all -inf: undefined (PyTorch: nan)
    m, _, rest = _log_partition(xs)
    log_rest = mpmath.log1p(rest)
    return [_sub(x, m) - log_rest for x in xs]


def logsumexp_exact(row):
    xs = [_mpf(v) for v in row]
    if not xs:
        return mpmath.mpf("-inf")
    m = max(xs)
    if not mpmath.isfinite(m):
        return m
    m, _, rest = _log_partition(xs)
    return m + mpmath.log1p(rest)


def cross_entropy_exact(row, target: int):
    return -log_softmax_exact(row)[target]


def cross_entropy_probs_exact(row, probs):
    logp = log_softmax_exact(row)
    return -mpmath.fsum(_mpf(p) * lp for p, lp in zip(probs, logp) if p != 0)


def softplus_exact(x, beta=1.0, threshold=20.0, dtype=np.float64):
    """PyTorch's softplus: x where beta*x > threshold (compared in the input's format, as PyTorch
    does), log1p(exp(beta x)) / beta otherwise (computed exactly)."""
    dtype = np.dtype(dtype)
    if dtype.type(x) * dtype.type(beta) > threshold:
        return _mpf(x)
    return mpmath.log1p(mpmath.exp(_mpf(beta) * _mpf(x))) / _mpf(beta)


def sigmoid_exact(x):
    return 1 / (1 + mpmath.exp(-_mpf(x)))


def logsigmoid_exact(x):
    return -mpmath.log1p(mpmath.exp(-_mpf(x)))


def bce_with_logits_exact(x, y, pos_weight=1.0):
    """-(pw y log sigma(x) + (1 - y) log sigma(-x)) = pw y softplus(-x) + (1 - y) softplus(x)."""
    x, y, pw = _mpf(x), _mpf(y), _mpf(pos_weight)
    return pw * y * mpmath.log1p(mpmath.exp(-x)) + (1 - y) * mpmath.log1p(mpmath.exp(x))


def bce_exact(p, y):
    """-(y max(log p, -100) + (1 - y) max(log(1 - p), -100)), PyTorch's clamp included."""
    p, y = _mpf(p), _mpf(y)
    log_p = max(mpmath.log(p), mpmath.mpf(-100)) if p > 0 else mpmath.mpf(-100)
    log_not_p = max(mpmath.log1p(-p), mpmath.mpf(-100)) if p < 1 else mpmath.mpf(-100)
    return -(y * log_p + (1 - y) * log_not_p)


def kl_div_exact(log_q, p, log_target=False):
    """PyTorch's pointwise KL term: p (log p - log q), or exp(t) (t - log q) for log_target."""
    log_q, p = _mpf(log_q), _mpf(p)
    if log_target:
        return mpmath.exp(p) * _sub(p, log_q)
    if p == 0:
        return mpmath.mpf(0) if mpmath.isfinite(log_q) else mpmath.nan
    return p * (mpmath.log(p) - log_q)


def cosine_similarity_exact(a, b, eps=1e-8, dtype=np.float64):
    """a.b / (max(|a|, eps) max(|b|, eps)), eps rounded to the inputs' format (as PyTorch does)."""
    eps = _mpf(np.dtype(dtype).type(eps))
    a, b = [_mpf(v) for v in a], [_mpf(v) for v in b]
    dot = mpmath.fsum(x * y for x, y in zip(a, b))
    norm_a = mpmath.sqrt(mpmath.fsum(x * x for x in a))
    norm_b = mpmath.sqrt(mpmath.fsum(y * y for y in b))
    return dot / (max(norm_a, eps) * max(norm_b, eps))


# ---------------------------------------------------------------------------------------------
# the stress grid (float64 values; cast to the grid's dtype before the exact value is computed)
# ---------------------------------------------------------------------------------------------
GAPS = [1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 36.0, 37.0, 40.0, 50.0, 100.0, 300.0, 700.0, 740.0, 1e4]
"""Margins of a confident correct prediction: the loss is about exp(-gap)."""

SCALARS = sorted(
    {
        s * v
        for s in (1.0, -1.0)
        for v in (
            0.0,
            5e-324,
            1e-300,
            1e-20,
            1e-10,
            1e-5,
            0.1,
            0.5,
            1.0,
            2.0,
            5.0,
            10.0,
            15.0,
            19.99,
            20.0,
            20.01,
            30.0,
            36.0,
            37.0,
            40.0,
            50.0,
            100.0,
            300.0,
            700.0,
            709.0,
            710.0,
            745.0,
            746.0,
            800.0,
            1e3,
            1e4,
        )
    }
    | {0.3, -0.7, 2.5, -3.3, 13.7, -17.1, 33.3, -44.4, 123.456, -654.321}
)
"""Logits for the elementwise functions: zero, tiny, moderate, the softplus threshold, the
float64 exp overflow/underflow edges (709, 745) and ±1e4."""


def softmax_rows() -> list[np.ndarray]:
    """Rows of logits for log_softmax, logsumexp and cross-entropy."""
    rng = np.random.default_rng(SEED)
    rows = []
    for gap in GAPS:
        rows.append([gap, 0.0])  # exact logit differences: [40, 0] and kin
        rows.append([gap + 0.3, 0.1])  # inexact differences (x_1 - x_0 rounds)
        rows.append([gap, 0.0, 0.0, -gap])
        rows.append([1e4, 1e4 - gap])  # the same margins at large logits
    rows += [
        [1e4, -1e4],
        [-1e4, 1e4],
        [1e4, 1e4],
        [-1e4, -1e4],
        [1e4, 9999.999999999998],
        [-1e4, -1e4 + 30.0],
        [0.0, 0.0],
        [3.0, 3.0, 3.0],
        [1e-300, 0.0],
        [1e-10, 0.0, -1e-10],
        [5e-324, 0.0],
        [0.0, -np.inf],
        [40.0, -np.inf, 0.0],
        [-np.inf, 3.0, 2.0],
        [-math.log(2), -math.log(2)],
        [-math.log(3)] * 3,
        [-0.5, -1.5, -2.5],
    ]
    for c in (2, 3, 10, 100):
        for scale in (1.0, 10.0, 100.0, 1e4):
            rows += list(rng.standard_normal((2, c)) * scale)
    for scale in (1.0, 1e4):
        rows.append(rng.standard_normal(1000) * scale)
    for c in (2, 10, 1000):  # confident predictions with random logits
        for margin in (30.0, 40.0, 200.0):
            row = rng.standard_normal(c)
            row[rng.integers(c)] += margin
            rows.append(row)
    return [np.asarray(r, dtype=np.float64) for r in rows]


def _targets(row: np.ndarray) -> list[int]:
    finite = np.where(np.isfinite(row), row, np.inf)
    return sorted({int(np.argmax(row)), int(np.argmin(finite)), 0, row.size - 1})


def _binary_labels() -> list[float]:
    return [0.0, 1.0, 0.5, 0.3, 0.999, 1e-300, 1.0 - 2.0**-30]


def _kl_points() -> list[tuple[float, float, str]]:
    """(log q, p, description) pairs: separated, near-equal and tiny probabilities."""
    rng = np.random.default_rng(SEED + 1)
    points = []
    for p in (1e-300, 1e-100, 1e-20, 1e-5, 0.1, 0.5, 0.9, 1.0):
        for ratio in (1.0, 1 + 1e-10, 1 - 1e-10, 1 + 1e-5, 1 - 1e-5, 2.0, 0.5, 1e-10):
            q = min(p * ratio, 1.0)
            points.append((math.log(q), p, f"q = p*{ratio:g}"))
        for q in (0.5, 1.0, 1e-300):
            points.append((math.log(q), p, f"q = {q:g}"))
    for log_q in (0.0, -1e4, -50.0, 3.0):
        points.append((log_q, 0.0, "p = 0"))
    for delta in (1e-3, 1e-8, 1e-12):  # near-equal distributions over 10 classes
        p = rng.dirichlet(np.ones(10))
        q = p * (1 + delta * rng.standard_normal(10))
        q /= q.sum()
        points += [
            (float(lq), float(pi), f"near-equal, delta={delta:g}") for lq, pi in zip(np.log(q), p)
        ]
    for alpha in (0.1, 1.0):  # random pairs
        p, q = rng.dirichlet(np.full(10, alpha), size=2)
        points += [
            (float(lq), float(pi), f"dirichlet({alpha:g}) pair")
            for lq, pi in zip(np.log(q), p)
            if q.min() > 0
        ]
    return points


def _cosine_pairs() -> list[tuple[np.ndarray, np.ndarray, str]]:
    rng = np.random.default_rng(SEED + 2)
    pairs = []
    for n in (2, 3, 10, 100):
        a = rng.standard_normal(n)
        for delta in (1e-2, 1e-4, 1e-8, 1e-12, 1e-15):
            pairs.append(
                (a, a + delta * rng.standard_normal(n), f"near-parallel n={n} delta={delta:g}")
            )
        pairs.append((a, 3 * a, f"parallel n={n}"))
        pairs.append((a, -a, f"anti-parallel n={n}"))
        pairs.append((a, rng.standard_normal(n), f"random n={n}"))
        b = rng.standard_normal(n)
        b -= (b @ a) / (a @ a) * a  # nearly orthogonal: the dot product cancels
        pairs.append((a, b, f"near-orthogonal n={n}"))
        for scale in (1e150, 1e200, 1e-150, 1e-5, 1e-10):
            pairs.append(
                (
                    a * scale,
                    (a + 1e-3 * rng.standard_normal(n)) * scale,
                    f"near-parallel n={n} scaled by {scale:g}",
                )
            )
        pairs.append((a * 1e-10, a, f"tiny (below eps) and normal n={n}"))
        pairs.append((np.zeros(n), a, f"zero vector n={n}"))
    positive = np.abs(rng.standard_normal(10)) + 0.1
    pairs.append((positive, positive + 1e-9 * rng.random(10), "positive near-parallel n=10"))
    return pairs


# ---------------------------------------------------------------------------------------------
# builders: the cases of each function for a dtype
# ---------------------------------------------------------------------------------------------
def _cast(values, dtype) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(values, dtype=np.float64).astype(dtype)


def _row_label(row: np.ndarray) -> str:
    if row.size <= 4:
        return "[" + ", ".join(repr(float(v)) for v in row) + "]"
    return f"row of {row.size} logits (max {float(np.max(row)):.4g}, min {float(np.min(row)):.4g})"


def _build_cross_entropy(dtype):
    cases = []
    for row in softmax_rows():
        r = _cast(row, dtype)
        logp = log_softmax_exact(r)
        for y in _targets(r):
            cases.append(
                Case("cross_entropy", f"logits {_row_label(r)}, target {y}", (r, y), (-logp[y],))
            )
    return cases


def _build_cross_entropy_probs(dtype):
    rng = np.random.default_rng(SEED + 3)
    cases = []
    for row in softmax_rows():
        r = _cast(row, dtype)
        if not np.all(np.isfinite(r)) or r.size > 100:
            continue
        onehot = np.zeros_like(r)
        onehot[np.argmax(r)] = 1
        tiny = onehot.copy()
        tiny[np.argmin(r)] = 1e-300 if r.size > 1 else 0.0
        for name, p in (
            ("one-hot on the max", onehot),
            ("one-hot and 1e-300", _cast(tiny, dtype)),
            ("dirichlet", _cast(rng.dirichlet(np.ones(r.size)), dtype)),
        ):
            cases.append(
                Case(
                    "cross_entropy_probs",
                    f"logits {_row_label(r)}, target {name}",
                    (r, p),
                    (cross_entropy_probs_exact(r, p),),
                )
            )
    return cases


def _build_log_softmax(dtype):
    cases = []
    for row in softmax_rows():
        r = _cast(row, dtype)
        cases.append(
            Case(
                "log_softmax",
                f"logits {_row_label(r)}",
                (r,),
                tuple(log_softmax_exact(r)),
                inputs=tuple(f"entry {j} = {float(r[j])!r}" for j in range(r.size)),
            )
        )
    return cases


def _build_logsumexp(dtype):
    """Slack: where the max m is negative and log1p(S') cancels it (the result is near 0), the
    definition m + log1p(S') subtracts nearly equal numbers; rounding log1p(S') to the format
    (half an ulp of it) is then already a large relative error. Allowance: 2 ulps of log1p(S')."""
    cases = []
    for row in softmax_rows():
        r = _cast(row, dtype)
        exact = logsumexp_exact(r)
        xs = [_mpf(v) for v in r]
        slack, group = mpmath.mpf(0), "stress"
        if mpmath.isfinite(max(xs)):
            m, _, rest = _log_partition(xs)
            log_rest = mpmath.log1p(rest)
            if (
                m < 0 < log_rest
                and representable(log_rest, dtype)
                and exact != 0
                and abs(exact) < (abs(m) + log_rest) / 2
            ):  # they cancel
                slack, group = 2 * ulp(log_rest, dtype), "cancellation: max < 0, result near 0"
        cases.append(Case("logsumexp", f"logits {_row_label(r)}", (r,), (exact,), (slack,), group))
    return cases


def _elementwise_case(function, label, args, exact, inputs, slack=(), group="stress"):
    return Case(function, label, args, tuple(exact), tuple(slack), group, tuple(inputs))


def _build_scalar(function, reference):
    def build(dtype):
        x = _cast(SCALARS, dtype)
        return [
            _elementwise_case(
                function,
                "logits",
                (x,),
                [reference(v) for v in x],
                [f"x = {float(v)!r}" for v in x],
            )
        ]

    return build


def _build_softplus(dtype):
    cases = []
    for beta, threshold in ((1.0, 20.0), (2.0, 20.0), (0.5, 20.0), (3.0, 20.0), (1.0, 5.0)):
        x = _cast(SCALARS, dtype)
        cases.append(
            _elementwise_case(
                "softplus",
                f"beta={beta:g}, threshold={threshold:g}",
                (x, beta, threshold),
                [softplus_exact(v, beta, threshold, dtype) for v in x],
                [f"x = {float(v)!r}" for v in x],
            )
        )
    return cases


def _build_bce_with_logits(dtype):
    cases = []
    x_values = [v for v in SCALARS if abs(v) <= 1e4]
    for pos_weight in (None, 2.5, 0.5):
        xs, ys = np.meshgrid(x_values, _binary_labels(), indexing="ij")
        x, y = _cast(xs.ravel(), dtype), _cast(ys.ravel(), dtype)
        pw = None if pos_weight is None else np.full_like(x, pos_weight)
        cases.append(
            _elementwise_case(
                "binary_cross_entropy_with_logits",
                f"pos_weight={pos_weight}",
                (x, y, pw),
                [
                    bce_with_logits_exact(a, b, 1.0 if pos_weight is None else pos_weight)
                    for a, b in zip(x, y)
                ],
                [f"x = {float(a)!r}, y = {float(b)!r}" for a, b in zip(x, y)],
            )
        )
    return cases


def _build_bce(dtype):
    probs = [
        0.0,
        5e-324,
        1e-300,
        1e-100,
        1e-44,
        1e-20,
        1e-10,
        1e-5,
        0.1,
        0.5,
        0.9,
        1 - 1e-10,
        1 - 2.0**-53,
        1.0,
    ]
    ps, ys = np.meshgrid(probs, [0.0, 1.0, 0.5, 0.3, 1e-300], indexing="ij")
    p, y = _cast(ps.ravel(), dtype), _cast(ys.ravel(), dtype)
    return [
        _elementwise_case(
            "binary_cross_entropy",
            "probabilities",
            (p, y),
            [bce_exact(a, b) for a, b in zip(p, y)],
            [f"p = {float(a)!r}, y = {float(b)!r}" for a, b in zip(p, y)],
        )
    ]


def _build_kl_div(dtype):
    """Slack: t (log t - log q) subtracts nearly equal numbers when log q is close to log t, i.e.
    q close to t (near-equal distributions) or both tiny (log 1e-300 = -690.8, log(1e-300 / 2) =
    -691.5): rounding log t to the format (half an ulp of log t) is then a large relative error of
    the term, and any evaluation that starts from ``input = log q`` must form log t. Where the two
    logs cancel (|log t - log q| < (|log t| + |log q|) / 2) the allowance is 2 ulps of log t, times
    t; elsewhere none."""
    points = _kl_points()
    cases = {}
    for log_q, p, label in points:
        lq, t = _cast([log_q], dtype)[0], _cast([p], dtype)[0]
        exact = kl_div_exact(lq, t)
        slack, group = mpmath.mpf(0), "stress"
        if 0 < t < 1 and np.isfinite(lq):
            log_t = mpmath.log(_mpf(t))
            if abs(log_t - _mpf(lq)) < (abs(log_t) + abs(_mpf(lq))) / 2:  # they cancel
                slack = 2 * _mpf(t) * ulp(log_t, dtype)
                group = "cancellation: log q near log p (near-equal, or both tiny)"
        cases.setdefault((label, group), []).append((lq, t, exact, slack))
    out = []
    for (label, group), items in cases.items():
        lq = np.array([i[0] for i in items], dtype=dtype)
        t = np.array([i[1] for i in items], dtype=dtype)
        out.append(
            _elementwise_case(
                "kl_div",
                label,
                (lq, t),
                [i[2] for i in items],
                [f"input = log q = {float(a)!r}, target = p = {float(b)!r}" for a, b in zip(lq, t)],
                [i[3] for i in items],
                group,
            )
        )
    return out


def _build_kl_div_log_target(dtype):
    points = [(lq, p) for lq, p, _ in _kl_points() if p > 0]
    lq = _cast([a for a, _ in points], dtype)
    t = _cast([math.log(b) for _, b in points], dtype)
    return [
        _elementwise_case(
            "kl_div_log_target",
            "log q, log p",
            (lq, t),
            [kl_div_exact(a, b, log_target=True) for a, b in zip(lq, t)],
            [f"input = {float(a)!r}, target = log p = {float(b)!r}" for a, b in zip(lq, t)],
        )
    ]


def _build_cosine(dtype):
    """Slack: where the products a_i b_i have both signs the dot product cancels (near-orthogonal
    vectors): rounding the products of the normalised vectors to the format already gives an
    absolute error of about u * sum |a_i b_i| / (|a| |b|). Allowance: (n + 2) u times that sum."""
    cases = []
    u = mpmath.ldexp(mpmath.mpf(1), -_PRECISION[np.dtype(dtype)])
    for a, b, label in _cosine_pairs():
        a, b = _cast(a, dtype), _cast(b, dtype)
        exact = cosine_similarity_exact(a, b, dtype=dtype)
        products = [_mpf(x) * _mpf(y) for x, y in zip(a, b)]
        slack, group = mpmath.mpf(0), "stress"
        if any(p > 0 for p in products) and any(p < 0 for p in products):
            eps = _mpf(np.dtype(dtype).type(1e-8))
            na = max(mpmath.sqrt(mpmath.fsum(_mpf(x) ** 2 for x in a)), eps)
            nb = max(mpmath.sqrt(mpmath.fsum(_mpf(x) ** 2 for x in b)), eps)
            magnitude = mpmath.fsum(abs(p) for p in products) / (na * nb)
            if magnitude > 2 * abs(exact):
                slack, group = (a.size + 2) * u * magnitude, "cancellation: near-orthogonal"
        cases.append(Case("cosine_similarity", label, (a, b), (exact,), (slack,), group))
    return cases


BUILDERS = {
    "cross_entropy": _build_cross_entropy,
    "cross_entropy_probs": _build_cross_entropy_probs,
    "log_softmax": _build_log_softmax,
    "logsumexp": _build_logsumexp,
    "sigmoid": _build_scalar("sigmoid", sigmoid_exact),
    "logsigmoid": _build_scalar("logsigmoid", logsigmoid_exact),
    "softplus": _build_softplus,
    "binary_cross_entropy": _build_bce,
    "binary_cross_entropy_with_logits": _build_bce_with_logits,
    "kl_div": _build_kl_div,
    "kl_div_log_target": _build_kl_div_log_target,
    "cosine_similarity": _build_cosine,
}
"""Function name -> builder(dtype) -> list of Case."""


@cache
def cases(function: str, dtype=np.float64) -> tuple[Case, ...]:
    """The stress cases of ``function`` in ``dtype``, exact values included (cached)."""
    with mpmath.workdps(DPS):
        return tuple(BUILDERS[function](np.dtype(dtype)))


# ---------------------------------------------------------------------------------------------
# running a case with any torch.nn.functional-like API
# ---------------------------------------------------------------------------------------------
CALLS = {
    "cross_entropy": lambda F, row, y: F.cross_entropy(
        row[None, :], np.array([y]), reduction="none"
    ),
    "cross_entropy_probs": lambda F, row, p: F.cross_entropy(
        row[None, :], p[None, :], reduction="none"
    ),
    "log_softmax": lambda F, row: F.log_softmax(row, 0),
    "logsumexp": lambda F, row: F.logsumexp(row, 0),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "softplus": lambda F, x, beta, threshold: F.softplus(x, beta=beta, threshold=threshold),
    "binary_cross_entropy": lambda F, p, y: F.binary_cross_entropy(p, y, reduction="none"),
    "binary_cross_entropy_with_logits": lambda F, x, y, pw: F.binary_cross_entropy_with_logits(
        x, y, reduction="none", pos_weight=pw
    ),
    "kl_div": lambda F, log_q, p: F.kl_div(log_q, p, reduction="none"),
    "kl_div_log_target": lambda F, log_q, log_p: F.kl_div(
        log_q, log_p, reduction="none", log_target=True
    ),
    "cosine_similarity": lambda F, a, b: F.cosine_similarity(a, b, dim=0),
}
"""Function name -> call(F, *case.args) -> array of the case's output elements."""


def run(case: Case, F) -> np.ndarray:
    """The outputs of ``case`` computed by the API ``F``, flattened."""
    with np.errstate(all="ignore"):
        out = np.asarray(CALLS[case.function](F, *case.args), dtype=np.float64).ravel()
    if out.size != len(case.exact):
        raise AssertionError(
            f"{case.function} on {case.label}: {out.size} outputs, expected {len(case.exact)}"
        )
    return out


@dataclass
class Outcome:
    """Errors of one implementation on one function's cases."""

    worst_ulps: float = 0.0  # over representable exact values, slack not applied
    worst_case: str = ""
    worst_excess: float = 0.0  # max of (|err| - slack) / ulp: compare with the 4-ulp target
    worst_excess_case: str = ""
    nonfinite: int = 0  # inf or nan where the exact value is finite
    nonfinite_cases: list = field(default_factory=list)
    checked: int = 0  # elements with a representable exact value
    failures: list = field(default_factory=list)  # (description, exact, got, ulps, allowed)


def groups(function: str, dtype=np.float64) -> list[str]:
    """The groups of ``function``'s cases ("stress" first, then the ill-conditioned subsets)."""
    return sorted({c.group for c in cases(function, dtype)}, key=lambda g: (g != "stress", g))


def measure(
    function: str, F, dtype=np.float64, bound: float = 4.0, group: str | None = None
) -> Outcome:
    """Run every case of ``function`` (or those of one ``group``) with ``F``; compare with the exact
    values. ``failures`` lists the elements whose error beyond their slack exceeds ``bound``
    ulps."""
    dtype = np.dtype(dtype)
    outcome = Outcome()
    with mpmath.workdps(DPS):
        for case in cases(function, dtype):
            if group is not None and case.group != group:
                continue
            got = run(case, F)
            for i, (value, exact) in enumerate(zip(got, case.exact)):
                if mpmath.isnan(exact) or mpmath.isinf(exact):
                    continue
                where = case.describe(i)
                if not math.isfinite(value):
                    if abs(exact) <= mpmath.mpf(float(np.finfo(dtype).max)):
                        outcome.nonfinite += 1
                        outcome.nonfinite_cases.append(
                            f"{where}: exact {mpmath.nstr(exact, 17)}, got {value!r}"
                        )
                    continue
                if not representable(exact, dtype):
                    continue
                outcome.checked += 1
                error = abs(mpmath.mpf(value) - exact)
                unit = ulp(exact, dtype)
                ulps = float(error / unit)
                excess = float(max(error - case.slack_of(i), 0) / unit)
                if ulps > outcome.worst_ulps:
                    outcome.worst_ulps, outcome.worst_case = ulps, where
                if excess > outcome.worst_excess:
                    outcome.worst_excess, outcome.worst_excess_case = excess, where
                if excess > bound:
                    allowed = bound + float(case.slack_of(i) / unit)
                    outcome.failures.append(
                        (where, mpmath.nstr(exact, 20), repr(float(value)), ulps, allowed)
                    )
    return outcome


# ---------------------------------------------------------------------------------------------
# textbook formulas
# ---------------------------------------------------------------------------------------------
class Textbook:
    """The formulas as a textbook writes them in NumPy (with the usual max shift for logsumexp),
    with ``torch.nn.functional``'s names and argument order. Reference points for the benchmarks,
    not implementations to use: each is what lossbook improves on."""

    @staticmethod
    def logsumexp(z, dim, keepdim=False):
        m = np.max(z, axis=dim, keepdims=True)
        out = m + np.log(np.sum(np.exp(z - m), axis=dim, keepdims=True))
        return out if keepdim else np.squeeze(out, axis=dim)

    @staticmethod
    def log_softmax(z, dim):
        m = np.max(z, axis=dim, keepdims=True)
        return z - m - np.log(np.sum(np.exp(z - m), axis=dim, keepdims=True))

    @staticmethod
    def cross_entropy(z, target, reduction="mean"):
        """logsumexp(z) - z[y] (class indices, classes on dim 1), or -sum p log_softmax(z)."""
        if target.shape == z.shape:
            losses = -np.sum(target * Textbook.log_softmax(z, 1), axis=1)
        else:
            picked = np.take_along_axis(z, target[:, None], axis=1)[:, 0]
            losses = Textbook.logsumexp(z, 1) - picked
        return losses if reduction == "none" else np.mean(losses)

    @staticmethod
    def nll_loss(logp, target, reduction="mean"):
        losses = -np.take_along_axis(logp, target[:, None], axis=1)[:, 0]
        return losses if reduction == "none" else np.mean(losses)

    @staticmethod
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def logsigmoid(x):
        return -np.log1p(np.exp(-x))

    @staticmethod
    def softplus(x, beta=1.0, threshold=20.0):
        return np.where(x * beta > threshold, x, np.log1p(np.exp(beta * x)) / beta)

    @staticmethod
    def binary_cross_entropy(p, y, reduction="mean"):
        losses = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100))
        return losses if reduction == "none" else np.mean(losses)

    @staticmethod
    def binary_cross_entropy_with_logits(x, y, reduction="mean", pos_weight=None):
        if pos_weight is None:
            losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        else:
            losses = (1 - y) * x + (1 + (pos_weight - 1) * y) * (
                np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
            )
        return losses if reduction == "none" else np.mean(losses)

    @staticmethod
    def kl_div(log_q, p, reduction="mean", log_target=False):
        if log_target:
            terms = np.exp(p) * (p - log_q)
        else:
            terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1)) - log_q), 0)
        if reduction == "none":
            return terms
        return np.sum(terms) / (log_q.shape[0] if reduction == "batchmean" else 1)

    @staticmethod
    def cosine_similarity(a, b, dim=1, eps=1e-8):
        norms = np.maximum(np.linalg.norm(a, axis=dim), eps) * np.maximum(
            np.linalg.norm(b, axis=dim), eps
        )
        return np.sum(a * b, axis=dim) / norms
