# %% [markdown]
# # Numerical stability
#
# Every loss in this book is a formula about real numbers. A computer evaluates it in
# floating-point arithmetic, where numbers have about 7 (float32) or 16 (float64) significant
# digits and a limited range. Most of the time the difference does not matter. But the losses of
# deep learning are built from $\exp$ and $\log$, the two functions that leave the range of the
# format fastest, and they are evaluated at the extremes on purpose: a well-trained classifier is
# *confident*, its logits are large, and its loss on the examples it gets right is tiny. **When
# does the formula on the page give the wrong number in floating point, and how do the stable
# formulas of `lossbook` and PyTorch avoid it?**
#
# **In this chapter** you will
#
# - see the finite range and the relative precision of float32 and float64, and measure errors
#   in {term}`ulp`s against 50-digit references from mpmath;
# - prove the log-sum-exp shift identity for every number of classes
#   ({prf:ref}`thm-logsumexp-shift`) and see why the shift by the maximum is the safe choice;
# - learn why `log_softmax(z)` must replace `log(softmax(z))`, and how `log1p`, `expm1` and the
#   stable {term}`softplus` make binary cross-entropy safe;
# - follow the tiny-loss regime of a confident, correct prediction, where even PyTorch's formula
#   returns 0, and measure the relative error of every loss across logit magnitudes;
# - weigh PyTorch's deliberate numerical choices: the $-100$ clamp of `binary_cross_entropy`, the
#   threshold of `softplus`, and the `eps` of `cosine_similarity`, with its gradient.
#
# **You need**
#
# - cross-entropy on logits and log-softmax, from {doc}`02-cross-entropy` and
#   {doc}`03-negative-log-likelihood`;
# - binary cross-entropy with logits, from {doc}`04-binary-cross-entropy`;
# - cosine similarity and its `eps`, from {doc}`06-cosine-similarity`.

# %% tags=["remove-cell"]
# Where lossbook is missing (Colab, a fresh environment), install this book's version of it.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("lossbook") is None:
    requirement = os.environ.get(
        "LOSSBOOK_REQUIREMENT",
        "lossbook @ git+https://github.com/lossbook/lossbook@v0.2.0",
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", requirement], check=True
    )

# %%
import math

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import sympy as sp
from IPython.display import display

import lossbook.functional as F
import lossbook.gradients as G
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=6, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(2026)
mpmath.mp.dps = 50  # 50 significant digits for every reference value in this chapter

# %% [markdown]
# The figure below shows the question in one picture. It is the {term}`cross-entropy` of a
# two-class prediction with {term}`logit`s $z = (t, 0)$ and target class 0, as a function of the
# margin $t$. The exact loss is $\log(1 + e^{-t})$: about $|t|$ {term}`nat`s when the model is
# confidently wrong ($t \ll 0$) and about $e^{-t}$ when it is confidently right. Three ways of
# computing it in float64 are compared with the exact value (computed with 50 significant digits
# by mpmath):
#
# - the **textbook formula**, the definition typed in literally: {term}`softmax`, then log, then
#   $-\sum_c y_c \log q_c$ with a {term}`one-hot encoding` $y$;
# - **PyTorch's formula** for `log_softmax`, $z - m - \log\sum_j e^{z_j - m}$ with
#   $m = \max_j z_j$ (written out here in NumPy: a chapter of this book never imports PyTorch);
# - **`lossbook`**, `F.cross_entropy`, which uses the formulas this chapter derives.
#
# The three methods and the 50-digit reference, as code:


# %%
def textbook_softmax(z):
    """softmax(z) exactly as defined: exp, then divide by the sum (no shift)."""
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


def textbook_cross_entropy(z, y):
    """-sum_c onehot_c * log softmax(z)_c, the definition typed in literally."""
    onehot = np.zeros_like(z)
    onehot[..., y] = 1
    return -np.sum(onehot * np.log(textbook_softmax(z)), axis=-1)


def pytorch_formula_log_softmax(z):
    """PyTorch's log_softmax: z - m - log(sum(exp(z - m))) with m the maximum."""
    m = np.max(z, axis=-1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def exact_cross_entropy(z, y):
    """-log softmax(z)_y with 50 digits, from the float inputs taken exactly."""
    zs = [mpmath.mpf(float(v)) for v in np.ravel(z)]
    # log(sum_j exp(z_j - z_y)), with log1p so that tiny losses keep all their digits
    return mpmath.log1p(
        mpmath.fsum(mpmath.exp(v - zs[y]) for j, v in enumerate(zs) if j != y)
    )


# %% tags=["hide-input"] mystnb={"image": {"alt": "Base-10 logarithm of the cross-entropy of logits (t, 0) with target 0, against the margin t from -800 to 800, in float64. The exact loss (grey) is a straight line of slope about -0.43 for t above 0, reaching 10 to the -347 at t = 800, and grows like log10 of |t| for negative t. The lossbook values (dots) follow it down to the smallest float64 number near 10 to the -323 (t about 745) and are 0 beyond. PyTorch's formula gives exactly 0 for every t above about 37 (markers on the bottom row). The textbook formula also gives 0 from t about 37, returns nan for t above 709.8 and inf for t below -745 (markers on the top row)."}}
t_margin = np.linspace(-800.0, 800.0, 161)
z_margin = np.stack([t_margin, np.zeros_like(t_margin)], axis=1)
exact_log10 = np.array(
    [float(mpmath.log10(exact_cross_entropy(z, 0))) for z in z_margin]
)
with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
    by_textbook = textbook_cross_entropy(z_margin, 0)
by_pytorch_formula = -pytorch_formula_log_softmax(z_margin)[:, 0]
by_lossbook = F.cross_entropy(
    z_margin, np.zeros(len(t_margin), dtype=int), reduction="none"
)

TOP, BOTTOM = (
    30.0,
    -380.0,
)  # rows where inf/nan (top) and exact zeros (bottom) are drawn
fig, ax = plt.subplots(figsize=(9, 4.8))
ax.plot(t_margin, exact_log10, color="0.6", lw=5, label="exact (mpmath, 50 digits)")
methods = [
    ("textbook formula", by_textbook, lbplot.PALETTE.vermillion, "s", 7),
    ("PyTorch's formula", by_pytorch_formula, lbplot.PALETTE.blue, "^", 6),
    ("lossbook F.cross_entropy", by_lossbook, lbplot.PALETTE.black, "o", 3),
]
for k, (label, values, colour, marker, size) in enumerate(methods):
    positive = np.isfinite(values) & (values > 0)
    ax.plot(
        t_margin[positive],
        np.log10(values[positive]),
        marker,
        ms=size,
        color=colour,
        ls="none",
        label=label,
        alpha=0.85,
    )
    zero, bad = values == 0, ~np.isfinite(values)
    ax.plot(
        t_margin[zero],
        np.full(zero.sum(), BOTTOM + 8 * k),
        marker,
        ms=size,
        color=colour,
        ls="none",
        mfc="none",
    )
    ax.plot(
        t_margin[bad],
        np.full(bad.sum(), TOP - 8 * k),
        marker,
        ms=size,
        color=colour,
        ls="none",
        mfc="none",
    )
ax.axhline(np.log10(np.finfo(np.float64).smallest_subnormal), color="0.3", ls=":", lw=1)
ax.text(
    -790,
    np.log10(np.finfo(np.float64).smallest_subnormal) + 6,
    "smallest positive float64",
    fontsize=9,
    color="0.3",
)
ax.text(-790, TOP - 22, "open markers at the top: inf or nan", fontsize=9)
ax.text(-790, BOTTOM + 26, "open markers at the bottom: exactly 0", fontsize=9)
ax.set_ylim(BOTTOM - 10, TOP + 10)
ax.set_xlabel("margin $t$ of the logits $(t, 0)$, target class 0")
ax.set_ylabel(r"$\log_{10}$ of the loss (loss in nats)")
ax.set_title("Cross-entropy of a two-class prediction in float64")
ax.legend(loc="center left", fontsize=9)
plt.show()

# %% [markdown]
# Three different failures are visible, and this chapter explains each of them:
#
# - for $t > 709.78$ the textbook formula returns **nan**: $e^t$ {term}`overflow`s to `inf`, and
#   `inf / inf` is `nan` (the thresholds are computed in {ref}`sec-stability-float`);
# - for $t < -745.13$ it returns **inf**: $e^t$ {term}`underflow`s to 0, and $\log 0 = -\infty$;
# - for $t$ above about 37 ({ref}`ex-stability-4` computes the exact margin) the textbook
#   formula *and* PyTorch's formula return **exactly 0**, although the true loss, about $e^{-t}$,
#   is a perfectly representable positive number all the way to $t \approx 745$. Here nothing
#   overflows: the digits are lost to rounding, when $1 + e^{-t}$ is rounded to 1.
#
# `lossbook` follows the exact curve until the loss itself is smaller than the smallest positive
# float64 number, where 0 is the best answer the format has. The first two failures are the
# famous ones, and every framework avoids them. The third is quieter: a loss of 0 instead of
# $10^{-20}$ rarely changes training (the {term}`gradient` is computed separately and, as we will
# see, is accurate), but it is a real loss of *relative* accuracy, and the tools that avoid it
# (`log1p` and its relatives) are the same ones that make {term}`binary cross-entropy` and
# {term}`softplus` stable.
#
# (sec-stability-float)=
# ## Floating point in one page
#
# A floating-point number is $\pm\, d_0.d_1 d_2 \dots d_{p-1} \times 2^e$: a *significand* of $p$
# binary digits and an *exponent* $e$ in a fixed range {cite:p}`goldberg1991,higham2002`. IEEE
# float32 has $p = 24$, float64 has $p = 53$. Two consequences matter for losses.
#
# **The range is finite.** Above the largest finite number lies `inf`; below the smallest
# *normal* number the significand loses leading digits (the *subnormal* numbers, with less and
# less relative precision), and below half the smallest subnormal a result rounds to 0. `np.finfo`
# knows all of these numbers. For the exponential function, the thresholds are their logarithms:
# $e^x$ overflows for $x > \log(\text{max})$ and underflows to 0 for $x$ below
# $\log(\text{smallest subnormal}/2)$.


# %%
def format_table():
    rows = [
        ("significand bits p", lambda f: f"{f.nmant + 1}"),
        ("machine epsilon 2^(1-p)", lambda f: f"{float(f.eps):.4e}"),
        ("unit roundoff u = eps/2", lambda f: f"{float(f.eps) / 2:.4e}"),
        ("largest finite number", lambda f: f"{float(f.max):.4e}"),
        ("smallest normal number", lambda f: f"{float(f.smallest_normal):.4e}"),
        ("smallest subnormal number", lambda f: f"{float(f.smallest_subnormal):.4e}"),
        ("exp(x) overflows for x >", lambda f: f"{math.log(float(f.max)):.4f}"),
        (
            "exp(x) is subnormal for x <",
            lambda f: f"{math.log(float(f.smallest_normal)):.4f}",
        ),
        (
            "exp(x) underflows to 0 for x <",
            lambda f: f"{math.log(float(f.smallest_subnormal)) - math.log(2):.4f}",
        ),
    ]
    f32, f64 = np.finfo(np.float32), np.finfo(np.float64)
    print(f"{'':32s} {'float32':>12s} {'float64':>12s}")
    for name, fmt in rows:
        print(f"{name:32s} {fmt(f32):>12s} {fmt(f64):>12s}")


format_table()

# %% [markdown]
# The thresholds are easy to confirm: the cell evaluates $e^x$ just inside and just outside each
# of them (inside a `np.errstate` block, because the overflow is deliberate).

# %%
with np.errstate(over="ignore", under="ignore"):
    for dtype, inside_hi, outside_hi, inside_lo, outside_lo in [
        (np.float32, 88.5, 89.0, -103.0, -104.5),
        (np.float64, 709.5, 710.0, -744.5, -745.5),
    ]:
        e_in, e_out = np.exp(dtype(inside_hi)), np.exp(dtype(outside_hi))
        t_in, t_out = np.exp(dtype(inside_lo)), np.exp(dtype(outside_lo))
        assert np.isfinite(e_in) and np.isinf(e_out) and t_in > 0 and t_out == 0
        print(
            f"{dtype.__name__}: exp({inside_hi}) = {float(e_in):.4e}, "
            f"exp({outside_hi}) = "
            f"{float(e_out)};  exp({inside_lo}) = {float(t_in):.4e}, exp({outside_lo}) "
            "= "
            f"{float(t_out)}"
        )

# %% [markdown]
# A logit of 89 is not exotic: in float32 (the default of deep learning) a single
# `torch.exp(logits)` of such a logit is already `inf`. In float16, the format of mixed-precision
# training, the threshold is about 11 ({ref}`ex-stability-1`).
#
# **The precision is relative.** Between two consecutive powers of two there are $2^{p-1}$ equally
# spaced numbers, so the gap between neighbouring floats grows with their size. The gap between
# $x$ and the next float away from zero is one {term}`ulp` of $x$ (unit in the last place);
# `np.spacing(x)` returns it. The ulp of 1 is the {term}`machine epsilon`
# $\varepsilon = 2^{1-p}$, and every rounding to nearest makes a relative error of at most the
# *unit roundoff* $u = \varepsilon/2$. That is the standard model of floating-point arithmetic
# {cite:p}`higham2002`: each basic operation returns the exact result times $(1 + \delta)$ with
# $|\delta| \le u$,
#
# $$
# \operatorname{fl}(x \circ y) = (x \circ y)(1 + \delta), \qquad |\delta| \le u,
# \qquad \circ \in \{+, -, \times, /\},
# $$
#
# and good library implementations of $\exp$, $\log$ and $\log1p$ come close to the same bound.

# %%
print(
    f"{'x':>10s} {'ulp of x in float32':>20s} {'ulp of x in float64':>20s} "
    f"{'ulp/x (float64)':>16s}"
)
for x in [1e-18, 1.0, 2.0, 40.0, 1e4]:
    s32, s64 = np.spacing(np.float32(x)), np.spacing(np.float64(x))
    print(f"{x:10.0e} {float(s32):20.4e} {float(s64):20.4e} {float(s64) / x:16.4e}")
eps64 = np.finfo(np.float64).eps
print(f"1 + eps > 1: {1.0 + eps64 > 1.0};   1 + eps/2 == 1: {1.0 + eps64 / 2 == 1.0}")
print(f"40 + 4.2e-18 == 40: {40.0 + 4.2e-18 == 40.0}")

# %% [markdown]
# The last line is the whole story of the quiet failure in the opening figure. One ulp of 40 is
# about $7 \times 10^{-15}$, so $40 + 4.2 \times 10^{-18}$ *is* 40 in float64: a loss computed as
# "log-sum-exp minus the true logit", $(40 + 4.2\times 10^{-18}) - 40$, is 0 whatever care went
# into the first term. Subtracting two nearly equal numbers is exact, but it exposes the rounding
# errors they already carried; relative to the small difference those errors are huge. That is
# {term}`catastrophic cancellation` {cite:p}`goldberg1991`.
#
# (sec-stability-condition)=
# ### Whose fault is an error? Condition numbers
#
# To judge a formula we need a yardstick: how accurate *can* a result be, given that the inputs
# are themselves rounded? The relative **condition number** of a function $f$ at $x$,
#
# $$
# \kappa_f(x) = \left|\frac{x\, f'(x)}{f(x)}\right| ,
# $$
#
# is the factor by which a small relative change of the input is amplified in the output
# {cite:p}`higham2002`. Rounding the input alone already costs a relative error of about
# $\kappa_f(x)\,u$, so an algorithm whose error stays within a modest multiple of $\kappa_f u$ is
# as good as can be expected. SymPy computes the condition numbers of the functions we need:

# %%
x = sp.Symbol("x", real=True)
y_pos = sp.Symbol("y", positive=True)


def condition_number(f, var):
    return sp.simplify(sp.Abs(var * sp.diff(f, var) / f))


kappa_exp = condition_number(sp.exp(x), x)
kappa_log = condition_number(sp.log(y_pos), y_pos)
kappa_log1p = condition_number(sp.log(1 + y_pos), y_pos)
display(
    sp.Eq(sp.Symbol(r"\kappa_{\exp}(x)"), kappa_exp),
    sp.Eq(sp.Symbol(r"\kappa_{\log}(y)"), kappa_log),
    sp.Eq(sp.Symbol(r"\kappa_{\log(1+\cdot)}(y)"), kappa_log1p),
)
assert sp.simplify(kappa_exp - sp.Abs(x)) == 0
assert sp.simplify(kappa_log - 1 / sp.Abs(sp.log(y_pos))) == 0
assert sp.limit(kappa_log1p, y_pos, 0, "+") == 1
print(
    "limit of the condition number of log(1 + y) as y -> 0+:",
    sp.limit(kappa_log1p, y_pos, 0, "+"),
)

# %% [markdown]
# Three lessons, each used below:
#
# - $\kappa_{\exp}(x) = |x|$: the exponential of a large argument is *intrinsically* sensitive. A
#   logit of $10^4$ carries a rounding error of $10^4 u$ relative to $e^{z}$ before any
#   computation happens. Errors that grow in proportion to the logits are not a defect of the
#   algorithm.
# - $\kappa_{\log}(y) = 1/|\log y|$ blows up near $y = 1$: the logarithm of a number close to 1
#   amplifies any error in that number.
# - But $y \mapsto \log(1 + y)$ has condition number tending to **1** as $y \to 0$: the *function*
#   $\log(1 + y)$ is perfectly well conditioned for small $y$. If a program computes it badly, it
#   is the program's fault: it formed $1 + y$ first, rounded it, and then took the logarithm of a
#   number near 1. The cure is a function that never forms $1 + y$.
#
# (sec-stability-log1p)=
# ## `log1p` and `expm1`
#
# `np.log1p(y)` computes $\log(1 + y)$ and `np.expm1(x)` computes $e^x - 1$ without forming the
# rounded intermediate, so both are accurate to about an ulp even for tiny arguments. The naive
# versions lose about $u/|y|$ in relative accuracy (the rounding of $1 + y$, or of $e^x$, is an
# absolute error of up to $u$, which is a relative error of $u/|y|$ in a result of size $|y|$), and
# return exactly 0 once $|y| < u$. The table compares both with mpmath in float64; errors are
# shown in ulps, rounded up to a coarse bucket ($\le 4$, $\le 64$, $\le 1024$ or $> 1024$ ulps:
# the last bits of an error depend on the CPU's implementation of `exp` and `log`, so the book
# never prints them).


# %%
def ulp_error(computed, exact, dtype):
    """|computed - exact| in ulps of the exact value in `dtype` (inf for inf, nan)."""
    c = float(computed)
    if not math.isfinite(c):
        return math.inf
    spacing = float(np.spacing(np.abs(dtype(float(exact)))))
    return float(abs(mpmath.mpf(c) - exact) / spacing)


def bucket(ulps, buckets=(4, 64, 1024), unit="ulp"):
    """A coarse label for an error: a bucket far wider than CPU-to-CPU differences."""
    if not math.isfinite(ulps):
        return "inf/nan"
    for b in buckets:
        if ulps <= b:
            return f"<= {b} {unit}"
    return f"> {buckets[-1]} {unit}"


print(
    f"{'y':>7s} {'log(1 + y)':>12s} {'log1p(y)':>12s}   {'x':>7s} {'exp(x) - 1':>12s} "
    f"{'expm1(x)':>12s}"
)
for v in [1e-3, 1e-8, 1e-12, 1e-17]:
    exact_l, exact_e = mpmath.log1p(mpmath.mpf(v)), mpmath.expm1(mpmath.mpf(v))
    naive_l, good_l = np.log(1 + v), np.log1p(v)
    naive_e, good_e = np.exp(v) - 1, np.expm1(v)
    assert ulp_error(good_l, exact_l, np.float64) <= 2
    assert ulp_error(good_e, exact_e, np.float64) <= 2
    print(
        f"{v:7.0e} {bucket(ulp_error(naive_l, exact_l, np.float64)):>12s} "
        f"{bucket(ulp_error(good_l, exact_l, np.float64)):>12s}   {v:7.0e} "
        f"{bucket(ulp_error(naive_e, exact_e, np.float64)):>12s} "
        f"{bucket(ulp_error(good_e, exact_e, np.float64)):>12s}"
    )
print(f"log(1 + 1e-17) = {np.log(1 + 1e-17)},  log1p(1e-17) = {np.log1p(1e-17):.6e}")
rel_naive = float(
    abs(
        (mpmath.mpf(float(np.log(1 + 1e-10))) - mpmath.log1p(mpmath.mpf(1e-10)))
        / mpmath.log1p(mpmath.mpf(1e-10))
    )
)
print(
    "relative error of log(1 + y) at y = 1e-10: about "
    f"10^{math.floor(math.log10(rel_naive))}"
    f" (the bound u/y is {np.finfo(np.float64).eps / 2 / 1e-10:.1e})"
)

# %% [markdown]
# `log(1 + 1e-10)` keeps only about half of its sixteen digits (the rounding of $1 + 10^{-10}$
# happens to be smaller than the worst case $u/y$ here), and `log(1 + 1e-17)` is 0. The two
# functions are the building blocks of every
# stable loss below: whenever a formula contains $\log(1 + \text{something small})$ or
# $e^{\text{something small}} - 1$, it should call `log1p` or `expm1`.
#
# (sec-stability-lse)=
# ## The log-sum-exp trick
#
# The cross-entropy of logits $z \in \mathbb{R}^C$ with target class $y$ is
# $\operatorname{logsumexp}(z) - z_y$ (chapter {doc}`02-cross-entropy`), where the
# {term}`log-sum-exp` is
#
# $$
# \operatorname{logsumexp}(z) = \log\sum_{j=1}^{C} e^{z_j} .
# $$
#
# Typed in literally, it overflows as soon as one logit exceeds 88.72 (float32) or 709.78
# (float64), although its value is then only slightly larger than $\max_j z_j$, a perfectly
# ordinary number. The trick is an identity.
#
# ```{prf:theorem} The log-sum-exp shift
# :label: thm-logsumexp-shift
# For every $n \ge 1$, every $z \in \mathbb{R}^n$ and every real $m$,
#
# $$
# \operatorname{logsumexp}(z) = m + \operatorname{logsumexp}(z - m) ,
# $$
#
# where $z - m$ subtracts $m$ from every entry. With $m = \max_j z_j$ every term
# $e^{z_j - m}$ lies in $(0, 1]$ and one of them is 1, so
# $\max_j z_j \le \operatorname{logsumexp}(z) \le \max_j z_j + \log n$.
# ```
#
# ```{prf:proof}
# $\sum_j e^{z_j} = \sum_j e^{m} e^{z_j - m} = e^{m}\sum_j e^{z_j - m}$, and the logarithm of a
# product of positive numbers is the sum of their logarithms. With $m = \max_j z_j$ the sum
# $\sum_j e^{z_j - m}$ lies in $[1, n]$, and its logarithm in $[0, \log n]$.
# ```
#
# SymPy derives the identity for a symbolic number of classes $n$ (an indexed sum, not a fixed
# $C$), one visible step at a time: factor $e^{-m}$ out of every term, pull it out of the sum,
# and split the logarithm of the product. The bounds are checked on numbers below.

# %%
n_sym = sp.Symbol("n", integer=True, positive=True)
j_idx = sp.Symbol("j", integer=True)
z_ix = sp.IndexedBase("z", real=True)
m_shift = sp.Symbol("m", real=True)

lse_shifted = m_shift + sp.log(sp.Sum(sp.exp(z_ix[j_idx] - m_shift), (j_idx, 1, n_sym)))
step_1 = m_shift + sp.log(
    sp.Sum(sp.expand(sp.exp(z_ix[j_idx] - m_shift)), (j_idx, 1, n_sym))
)
step_2 = m_shift + sp.log(sp.factor_terms(step_1.args[1].args[0]))
step_3 = sp.expand_log(
    step_2
)  # log(a * b) = log a + log b, valid because both are positive
for step in (lse_shifted, step_1, step_2, step_3):
    display(step)
lse_general = sp.log(sp.Sum(sp.exp(z_ix[j_idx]), (j_idx, 1, n_sym)))
assert sp.simplify(step_3 - lse_general) == 0
print("m + logsumexp(z - m) == logsumexp(z): proved for every n and every real m")
for n_check in (1, 2, 10, 1000):
    z_check = rng.normal(scale=50.0, size=(200, n_check))
    lse_check = F.logsumexp(z_check, dim=1)
    z_max = z_check.max(axis=1)
    assert np.all(z_max <= lse_check) and np.all(
        lse_check <= z_max + math.log(n_check) + 1e-12
    )
print("max z <= logsumexp(z) <= max z + log n: on 200 random z for n = 1, 2, 10, 1000")

# %% [markdown]
# The `expand_log` step needs no `force=True`: SymPy knows that $e^{-m} > 0$ and that a sum of
# exponentials is positive, so $\log(ab) = \log a + \log b$ is valid. The book's symbolic
# definition `sym.logsumexp` states the same identity for a fixed number of classes; the cell
# checks it for $C = 2, \dots, 6$ with `sym.check_identity`:

# %%
display(sp.Eq(sp.Function("logsumexp")(*sym.logits(3)), sym.logsumexp(sym.logits(3))))
for C in range(2, 7):
    zs = sym.logits(C)
    shifted = m_shift + sym.logsumexp([z - m_shift for z in zs])
    sym.check_identity(shifted, sym.logsumexp(zs)).assert_proved()
print("sym.logsumexp: identity proved for C = 2, ..., 6")
display(
    sym.check_identity(
        m_shift + sym.logsumexp([z - m_shift for z in sym.logits(3)]),
        sym.logsumexp(sym.logits(3)),
    )
)

# %% [markdown]
# Mathematically any $m$ works; numerically, $m = \max_j z_j$ is the choice that makes the
# computation safe, for two reasons:
#
# 1. every shifted exponent $z_j - m$ is $\le 0$, so no $e^{z_j - m}$ can overflow;
# 2. the largest term is exactly $e^0 = 1$, so the sum lies in $[1, C]$: it cannot underflow to 0
#    and its logarithm is finite, even when every $e^{z_j}$ on its own would underflow.
#
# A shift by the mean, for instance, keeps the largest term at least 1 (so the sum cannot
# underflow) but does not prevent overflow ({ref}`ex-stability-2`).
#
# ### How accurate is it?
#
# Avoiding overflow is not the same as being accurate. {cite:t}`blanchard2021` give the rounding
# error analysis of the unshifted and shifted algorithms; in words, their conclusions are:
#
# - **The problem's own sensitivity.** The condition number of log-sum-exp is
#   $\kappa(z) = \sum_i |z_i|\,\operatorname{softmax}(z)_i \,/\, |\operatorname{logsumexp}(z)|$,
#   at most $\max_i |z_i| / |\operatorname{logsumexp}(z)|$. It is large only when the result is
#   much closer to 0 than the logits are (two logits both near $-\log 2$, say, whose log-sum-exp
#   is near 0); then no method can deliver high relative accuracy.
# - **The shifted formula is as accurate as the unshifted one** where the unshifted one does not
#   overflow: the error bounds of both are a small multiple of $\kappa(z)\,u$ plus a term of order
#   $C u / |\operatorname{logsumexp}(z)|$ from the summation and the logarithm. The subtractions
#   $z_j - m$ can cancel, but the errors they make are of the same size as the errors that
#   rounding the inputs makes anyway (the $\kappa u$ term), so the shift costs nothing and buys
#   the range. Their recommendation, which `lossbook` follows, is to shift.
# - **Softmax should divide, not subtract logarithms.** Computing softmax as
#   $e^{z_i - m}/\sum_j e^{z_j - m}$ is accurate; the "division-free" variant
#   $\exp(z_i - \operatorname{logsumexp}(z))$ can lose accuracy, because the error of
#   $\operatorname{logsumexp}(z)$ (absolute, about $u$ times its size) becomes a *relative* error
#   of the exponential, amplified by $|\operatorname{logsumexp}(z)|$.
# - They also analyse a variant that separates the largest term: with $k$ the index of the
#   maximum, $\operatorname{logsumexp}(z) = m + \mathrm{log1p}\big(\sum_{j \ne k}
#   e^{z_j - m}\big)$, which avoids rounding $1 + s$ when the other terms $s$ are small. That
#   form is the key to the tiny-loss regime below.
#
# (sec-stability-log-softmax)=
# ## `log_softmax` versus `log(softmax)`
#
# The {term}`log-softmax` is what cross-entropy needs. Subtracting $\operatorname{logsumexp}(z)$
# from each logit gives it directly,
#
# $$
# \log\operatorname{softmax}(z)_c = z_c - \operatorname{logsumexp}(z) ,
# $$
#
# an identity SymPy confirms from the book's definitions of `sym.softmax` and `sym.logsumexp`
# (for $C = 2, \dots, 5$):

# %%
for C in range(2, 6):
    zs = sym.logits(C)
    for c in range(C):
        sym.check_identity(
            sp.log(sym.softmax(zs)[c]), zs[c] - sym.logsumexp(zs)
        ).assert_proved()
print("log softmax(z)_c == z_c - logsumexp(z): proved for every c, C = 2, ..., 5")

# %% [markdown]
# Computing `np.log(softmax(z))` instead, in two steps, is a trap even with a perfectly
# stabilised softmax: a class whose probability is below the smallest subnormal number gets
# probability exactly 0, and its log-probability becomes $-\infty$, although the exact value,
# $z_c - \operatorname{logsumexp}(z)$, is an ordinary number like $-800$. Every loss on that class
# is then `inf`, and every gradient through it `nan`. The cell compares the two on logits
# $(0, -800, -30)$ and float32 logits $(0, -120, -30)$:

# %%
for dtype, z_list in [
    (np.float64, [0.0, -800.0, -30.0]),
    (np.float32, [0.0, -120.0, -30.0]),
]:
    z_demo = np.array(z_list, dtype=dtype)
    with np.errstate(divide="ignore"):
        two_steps = np.log(F.softmax(z_demo, dim=0))
    one_step = F.log_softmax(z_demo, dim=0)
    print(
        f"{dtype.__name__}: log(softmax(z)) = {two_steps},  log_softmax(z) = {one_step}"
    )
    assert np.isneginf(two_steps[1]) and np.all(np.isfinite(one_step))

# %% [markdown]
# (sec-stability-softplus)=
# ## Softplus, log-sigmoid and binary cross-entropy
#
# The two-class version of all this is the {term}`sigmoid` $\sigma(z) = 1/(1 + e^{-z})$ and its
# companions. The {term}`binary cross-entropy` of a logit $z$ with target $y \in \{0, 1\}$ is
# $-y\log\sigma(z) - (1 - y)\log(1 - \sigma(z))$ (chapter {doc}`04-binary-cross-entropy`), and
# both logarithms are {term}`softplus` functions in disguise:
#
# $$
# -\log\sigma(z) = \log(1 + e^{-z}) = \operatorname{softplus}(-z), \qquad
# -\log(1 - \sigma(z)) = \operatorname{softplus}(z) .
# $$
#
# $\operatorname{softplus}(z) = \log(1 + e^z)$ is a two-term log-sum-exp, $\operatorname{logsumexp}
# (0, z)$, so the shift by the maximum applies, and the remaining sum is $1 + (\text{something
# in } (0, 1])$, which is exactly what `log1p` is for:
#
# $$
# \operatorname{softplus}(z) = \max(z, 0) + \mathrm{log1p}\big(e^{-|z|}\big) .
# $$
#
# SymPy proves the identity on each branch (a positive and a negative symbol), and the two
# relations with the sigmoid:

# %%
z_real = sp.Symbol("z", real=True)
z_plus = sp.Symbol("z", positive=True)
z_minus = sp.Symbol("z", negative=True)


def stable_softplus(v):
    return sp.Max(v, 0) + sp.log(1 + sp.exp(-sp.Abs(v)))


for branch in (z_plus, z_minus):
    sym.check_identity(stable_softplus(branch), sym.softplus(branch)).assert_proved()
sym.check_identity(-sp.log(sym.sigmoid(z_real)), sym.softplus(-z_real)).assert_proved()
sym.check_identity(
    -sp.log(1 - sym.sigmoid(z_real)), sym.softplus(z_real)
).assert_proved()
display(sp.Eq(sym.softplus(z_real), stable_softplus(z_real), evaluate=False))
print(
    "softplus(z) == max(z, 0) + log1p(exp(-|z|)) on both branches; "
    "-log sigmoid(z) == softplus(-z); -log(1 - sigmoid(z)) == softplus(z)"
)

# %% [markdown]
# Written this way, the exponential only ever sees a non-positive argument, `log1p` keeps the
# small second term accurate, and the binary cross-entropy with logits becomes
#
# $$
# \ell(z, y) = \max(z, 0) - y z + \mathrm{log1p}\big(e^{-|z|}\big),
# $$
#
# the loss that PyTorch's `binary_cross_entropy_with_logits` computes (in an equal form whose
# rounding differs, see {ref}`sec-stability-tiny`). With $y = 1$ it is
# $\operatorname{softplus}(-z)$ and with $y = 0$ it is $\operatorname{softplus}(z)$. The
# lambdified symbolic definitions agree with `lossbook` on seeded random logits, on large ones and
# on a soft target. One row deserves a look: for $z = 30$, $y = 1$ the two agree only in absolute
# terms (the tolerance is $|\Delta| \le 10^{-12} + 10^{-10}|\text{ref}|$), and their *relative*
# difference is large. The lambdified SymPy expression is the textbook $\log(1 + e^{-30})$, and its
# inaccuracy for a loss of $10^{-13}$ is precisely the subject of {ref}`sec-stability-tiny`.


# %%
def bce_logits_reference(z_value, y_value):
    return F.binary_cross_entropy_with_logits(np.array([z_value]), np.array([y_value]))


y_sym = sp.Symbol("y", real=True)
bce_sym = y_sym * sym.softplus(-z_real) + (1 - y_sym) * sym.softplus(z_real)
bce_cases = {
    f"random {k}": (float(rng.normal(0, 4)), float(rng.integers(0, 2)))
    for k in range(4)
}
bce_cases.update(
    {
        "z = 30, y = 1": (30.0, 1.0),
        "z = -30, y = 1": (-30.0, 1.0),
        "z = 30, y = 0": (30.0, 0.0),
        "z = 0.5, y = 0.3 (soft target)": (0.5, 0.3),
    }
)
sym.check_numeric(bce_sym, [z_real, y_sym], bce_logits_reference, bce_cases)

# %% [markdown]
# (sec-stability-tiny)=
# ## The tiny-loss regime of a confident, correct prediction
#
# Back to the quiet failure of the opening figure. Take logits $z = (40, 0)$ and target class 0.
# The model gives the right class a probability of $1/(1 + e^{-40})$, and the loss is
#
# $$
# -\log\frac{e^{40}}{e^{40} + e^{0}} = \log\big(1 + e^{-40}\big) = \mathrm{log1p}(e^{-40})
# \approx e^{-40} \approx 4.2 \times 10^{-18} \text{ nats}.
# $$
#
# SymPy gives the expansion for small $s = e^{-t}$: $\log(1 + s) = s - s^2/2 + O(s^3)$, so the
# loss is $e^{-t}$ to a relative accuracy of $e^{-t}/2$; at $t = 40$ that is far below float64's
# precision.

# %%
s_small = sp.Symbol("s", positive=True)
expansion = sp.series(sp.log(1 + s_small), s_small, 0, 3)
display(sp.Eq(sp.log(1 + s_small), expansion))
assert expansion.removeO() == s_small - s_small**2 / 2
loss_40_exact = exact_cross_entropy(np.array([40.0, 0.0]), 0)
print(f"exact loss for logits (40, 0), target 0: {mpmath.nstr(loss_40_exact, 12)} nats")

# %% [markdown]
# Each way of computing it:

# %%
z40 = np.array([[40.0, 0.0]])
candidates = {
    "textbook  -sum onehot * log(softmax)": textbook_cross_entropy(z40[0], 0),
    "PyTorch's formula  -(z - m - log sum exp(z - m))": -pytorch_formula_log_softmax(
        z40[0]
    )[0],
    "logsumexp(z) - z_y  (F.logsumexp)": F.logsumexp(z40[0], dim=0) - z40[0, 0],
    "lossbook  F.cross_entropy": F.cross_entropy(z40, np.array([0])),
    "log1p(exp(-40))": np.log1p(np.exp(-40.0)),
}
for name, value in candidates.items():
    print(
        f"{name:50s} {float(value) + 0.0:.6e}   "  # + 0.0 prints -0.0 as 0.0
        f"{bucket(ulp_error(value, loss_40_exact, np.float64))}"
    )
assert float(candidates["textbook  -sum onehot * log(softmax)"]) == 0.0
assert float(candidates["PyTorch's formula  -(z - m - log sum exp(z - m))"]) == 0.0
assert (
    ulp_error(candidates["lossbook  F.cross_entropy"], loss_40_exact, np.float64) <= 4
)

# %% [markdown]
# The textbook formula computes the probability $1/(1 + 4.2\times 10^{-18})$, which rounds to 1,
# and $\log 1 = 0$. PyTorch's formula shifts correctly but then computes
# $\log(1 + 4.2 \times 10^{-18})$ with `log` rather than `log1p`: the same rounding. And
# $\operatorname{logsumexp}(z) - z_y$ is the cancellation of {ref}`sec-stability-float`, $40 - 40 = 0$,
# even though `F.logsumexp` returns the best float64 approximation of $40 + 4.2 \times 10^{-18}$.
#
# `lossbook` keeps the relative accuracy by never forming a number that has to carry the tiny loss
# next to a large one. With $m = \max_j z_j$ at index $k$ and $s = \sum_{j \ne k} e^{z_j - m}$
# (the sum without its largest term, which is exactly 1),
#
# $$
# -\log\operatorname{softmax}(z)_y = (m - z_y) + \mathrm{log1p}(s) .
# $$
#
# When the target is the largest logit, $m - z_y = 0$ exactly and the loss is
# $\mathrm{log1p}(s)$, accurate to a few ulps once the rounding of the differences $z_j - m$ is
# taken care of ({ref}`sec-stability-measured`); when it is not, $m - z_y \ge 0$ and
# $\mathrm{log1p}(s) \ge 0$ are added, two non-negative numbers, without cancellation. SymPy
# checks the identity for every target class and $C = 2, \dots, 5$ (with $k$ the first class, a
# choice that loses no generality because the identity holds whichever index is split off):

# %%
for C in range(2, 6):
    zs = sym.logits(C)
    split = 0  # the index whose term e^{z_k - m} = 1 is kept outside the log1p
    s_rest = sum(sp.exp(zs[j] - zs[split]) for j in range(C) if j != split)
    total = sum(sp.exp(z) for z in zs)
    # step 1: 1 + s = e^{-z_k} * sum_j e^{z_j}  (multiply out)
    assert sp.expand(1 + s_rest - sp.exp(-zs[split]) * total) == 0
    for y_target in range(C):
        stable_form = (zs[split] - zs[y_target]) + sp.log(1 + s_rest)
        # step 2: log(e^{-z_k} * sum) = -z_k + log(sum); both factors are positive
        rewritten = sp.expand_log(
            (zs[split] - zs[y_target]) + sp.log(sp.exp(-zs[split]) * total)
        )
        if C == 3 and y_target == 1:
            display(sp.Eq(stable_form, rewritten))
        sym.check_identity(rewritten, -sym.log_softmax(zs)[y_target]).assert_proved()
print(
    "-log_softmax(z)_y == (z_k - z_y) + log1p(sum_{j != k} exp(z_j - z_k)): "
    "proved for all y, C = 2, ..., 5"
)

# %% [markdown]
# The binary case has the same trap in a less obvious place. The two forms of the
# binary-cross-entropy-with-logits loss,
#
# $$
# \ell(z, y) = \max(z, 0) - yz + \mathrm{log1p}\big(e^{-|z|}\big)
# \qquad\text{and}\qquad
# \ell(z, y) = (1 - y)\,z - \log\sigma(z) ,
# $$
#
# are equal as real numbers, and both avoid overflow. But for a confident correct *negative*
# ($y = 0$, $z = -40$) the second subtracts $\log\sigma(-40) = -40 - 4.2\times 10^{-18}$, which
# rounds to $-40$, from $-40$: the tiny loss is lost to cancellation again. In the first form the
# large parts, $\max(z, 0) - yz$, cancel *exactly* (they are 0 here) before the small `log1p` term
# is added. PyTorch computes the second form (see the notes on `binary_cross_entropy_with_logits`
# in chapter {doc}`04-binary-cross-entropy`); the cell evaluates both forms, with `F.logsigmoid`
# for $\log\sigma$, and `lossbook`'s function, at a confident correct positive and negative:


# %%
def bce_max_form(z, y):
    return np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))


def bce_logsigmoid_form(z, y):  # the form PyTorch evaluates
    return (1 - y) * z - F.logsigmoid(z)


print(f"{'case':22s} {'max form':>22s} {'(1-y)z - logsigmoid':>22s} {'lossbook':>22s}")
bce_tiny = {}
for z_value, y_value in [(40.0, 1.0), (-40.0, 0.0)]:
    z_arr, y_arr = np.array([z_value]), np.array([y_value])
    exact = mpmath.log1p(mpmath.exp(-abs(mpmath.mpf(z_value))))
    values = [
        bce_max_form(z_arr, y_arr)[0],
        bce_logsigmoid_form(z_arr, y_arr)[0],
        F.binary_cross_entropy_with_logits(z_arr, y_arr),
    ]
    bce_tiny[z_value] = [ulp_error(v, exact, np.float64) for v in values]
    cells = [
        f"{float(v) + 0.0:.3e} ({bucket(e)})" for v, e in zip(values, bce_tiny[z_value])
    ]
    print(
        f"{f'z = {z_value:.0f}, y = {y_value:.0f}':22s} {cells[0]:>22s} "
        f"{cells[1]:>22s} "
        f"{cells[2]:>22s}"
    )
assert bce_tiny[40.0][0] <= 4 and bce_tiny[-40.0][0] <= 4 and bce_tiny[-40.0][1] > 1024

# %% [markdown]
# Does the lost loss matter? For the *gradient*, hardly. The gradient of cross-entropy is
# $\operatorname{softmax}(z) - e_y$ (chapter {doc}`02-cross-entropy`). Its entries for the other
# classes are probabilities, computed without cancellation:
# $\partial\ell/\partial z_1 = \operatorname{softmax}(z)_1 \approx 4.2\times 10^{-18}$ is an
# ordinary, accurately computed number. The target's entry, $\operatorname{softmax}(z)_0 - 1 =
# -\operatorname{softmax}(z)_1$, does suffer the same cancellation as the loss when it is computed
# as "probability minus one", but its *absolute* error is below one ulp of 1, about $10^{-16}$,
# which is negligible beside the gradients of the examples the model has not learned yet. The
# cell compares `G.cross_entropy_grad` with mpmath at $z = (40, 0)$, and with
# {term}`finite differences` at a moderate seeded input (finite differences cannot resolve a
# gradient of $10^{-18}$):

# %%
grad_40 = G.cross_entropy_grad(z40, np.array([0]))
p1_exact = 1 / (1 + mpmath.exp(40))
print(
    f"d loss/d z_1 at (40, 0): {float(grad_40[0, 1]):.6e}  (exact "
    f"{mpmath.nstr(p1_exact, 7)}, "
    f"error {bucket(ulp_error(grad_40[0, 1], p1_exact, np.float64))})"
)
target_entry_error = float(abs(mpmath.mpf(float(grad_40[0, 0])) + p1_exact))
print(
    "d loss/d z_0 at (40, 0): absolute error below one ulp of 1: "
    f"{target_entry_error < eps64}"
)
assert (
    ulp_error(grad_40[0, 1], p1_exact, np.float64) <= 4 and target_entry_error < eps64
)
z_moderate = rng.normal(0, 3, size=(3, 4))
y_moderate = np.array([0, 3, 1])
numeric = G.numerical_gradient(
    lambda v: float(F.cross_entropy(v, y_moderate)), z_moderate
)
analytic = G.cross_entropy_grad(z_moderate, y_moderate)
assert np.allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
print(
    "finite differences agree with G.cross_entropy_grad at a seeded moderate input:",
    np.allclose(analytic, numeric, rtol=1e-6, atol=1e-9),
)

# %% [markdown]
# The value of the loss matters where it is used as a *number*: summed over a large, confidently
# classified dataset (ten million examples each with loss $10^{-17}$ add up to $10^{-10}$, not 0),
# compared between models, turned into a likelihood ratio, or divided by another tiny loss. And
# the same rounding that loses $10^{-18}$ in float64 loses $10^{-8}$ in float32, where it is no
# longer negligible: in float32 the textbook loss is 0 for every margin above about 16.6
# ({ref}`ex-stability-4`).
#
# (sec-stability-measured)=
# ## Measured, not claimed: relative error across logit magnitudes
#
# The claims so far were made on single examples. This section measures them. Five problems, each
# evaluated at 49 scales $s$ between 1 and $10^4$ (log-spaced), in float32 and in float64, by the
# textbook formula and by `lossbook`, and compared with mpmath at 50 digits. The reference is
# computed from the *rounded* inputs (the float32 or float64 numbers the functions actually
# receive), so it measures the error of the computation, not of the input rounding.
#
# | problem | inputs | exact value | textbook formula | `lossbook` |
# |---|---|---|---|---|
# | log-sum-exp | $z = s\,v$ | $\approx s$ | `log(sum(exp(z)))` | `F.logsumexp` |
# | CE, wrong class | $z = s\,v$, target $\arg\min v$ | $\approx 2s$ | $-\sum_c y_c\log\operatorname{softmax}(z)_c$ | `F.cross_entropy` |
# | CE, right class | $z = s\,v$, target $\arg\max v$ | $\approx e^{-0.65 s}$ | same | same |
# | BCE, wrong | $z = -s$, $y = 1$ | $\approx s$ | $-[y\log\sigma + (1-y)\log(1-\sigma)]$ | `F.binary_cross_entropy_with_logits` |
# | BCE, right | $z = s$, $y = 1$ | $\approx e^{-s}$ | same | same |
#
# with the fixed direction $v = (1, 0.35, -0.2, -0.7, -1)$ for the five-class problems. The BCE
# panels also show PyTorch's `binary_cross_entropy` applied to the probability $\sigma(z)$
# (`F.binary_cross_entropy(F.sigmoid(z), y)`), the common alternative to the logit version,
# whose $-100$ clamp is discussed in {ref}`sec-stability-pytorch`.

# %%
direction = np.array([1.0, 0.35, -0.2, -0.7, -1.0])
scales = np.logspace(0, 4, 49)
DTYPES = (np.float32, np.float64)


def textbook_bce(z, y):
    p = 1 / (1 + np.exp(-z))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def exact_lse(z):
    zs = [mpmath.mpf(float(v)) for v in z]
    k = int(np.argmax(z))
    rest = mpmath.fsum(mpmath.exp(v - zs[k]) for j, v in enumerate(zs) if j != k)
    return zs[k] + mpmath.log1p(rest)


def exact_bce_y1(z):
    return mpmath.log1p(mpmath.exp(-mpmath.mpf(float(z))))


def condition_lse(z):
    """kappa = sum_i |z_i| softmax_i / |logsumexp(z)| (Blanchard et al.), 50 digits."""
    zs = [mpmath.mpf(float(v)) for v in z]
    weights = [mpmath.exp(v - max(zs)) for v in zs]
    total = mpmath.fsum(weights)
    return mpmath.fsum(abs(v) * w / total for v, w in zip(zs, weights)) / abs(
        exact_lse(z)
    )


def condition_cross_entropy(z, y):
    """kappa = sum_i |z_i d loss/d z_i| / loss; d loss/d z_i = softmax_i - [i = y]."""
    zs = [mpmath.mpf(float(v)) for v in z]
    weights = [mpmath.exp(v - max(zs)) for v in zs]
    total = mpmath.fsum(weights)
    others = (
        mpmath.fsum(w for i, w in enumerate(weights) if i != y) / total
    )  # 1 - softmax_y
    grads = [(-others if i == y else w / total) for i, w in enumerate(weights)]
    return mpmath.fsum(abs(v * g) for v, g in zip(zs, grads)) / exact_cross_entropy(
        z, y
    )


def condition_bce_y1(z):
    """loss = softplus(-z), so kappa = |z| sigmoid(-z) / softplus(-z)."""
    zm = mpmath.mpf(float(z))
    return abs(zm) / (1 + mpmath.exp(zm)) / exact_bce_y1(z)


WRONG, RIGHT = int(np.argmin(direction)), int(np.argmax(direction))
PROBLEMS = {
    "log-sum-exp": dict(
        inputs=lambda s, dt: (s * direction).astype(dt),
        exact=exact_lse,
        condition=condition_lse,
        textbook=lambda z: np.log(np.sum(np.exp(z))),
        lossbook=lambda z: F.logsumexp(z, dim=0),
    ),
    "CE, wrong class": dict(
        inputs=lambda s, dt: (s * direction).astype(dt),
        exact=lambda z: exact_cross_entropy(z, WRONG),
        condition=lambda z: condition_cross_entropy(z, WRONG),
        textbook=lambda z: textbook_cross_entropy(z, WRONG),
        lossbook=lambda z: F.cross_entropy(z[None], np.array([WRONG])),
    ),
    "CE, right class": dict(
        inputs=lambda s, dt: (s * direction).astype(dt),
        exact=lambda z: exact_cross_entropy(z, RIGHT),
        condition=lambda z: condition_cross_entropy(z, RIGHT),
        textbook=lambda z: textbook_cross_entropy(z, RIGHT),
        lossbook=lambda z: F.cross_entropy(z[None], np.array([RIGHT])),
    ),
    "BCE, wrong (z = -s, y = 1)": dict(
        inputs=lambda s, dt: np.array([-s], dtype=dt),
        exact=lambda z: exact_bce_y1(z[0]),
        condition=lambda z: condition_bce_y1(z[0]),
        textbook=lambda z: textbook_bce(z[0], 1),
        lossbook=lambda z: F.binary_cross_entropy_with_logits(z, np.ones_like(z)),
        clamped=lambda z: F.binary_cross_entropy(F.sigmoid(z), np.ones_like(z)),
    ),
    "BCE, right (z = s, y = 1)": dict(
        inputs=lambda s, dt: np.array([s], dtype=dt),
        exact=lambda z: exact_bce_y1(z[0]),
        condition=lambda z: condition_bce_y1(z[0]),
        textbook=lambda z: textbook_bce(z[0], 1),
        lossbook=lambda z: F.binary_cross_entropy_with_logits(z, np.ones_like(z)),
        clamped=lambda z: F.binary_cross_entropy(F.sigmoid(z), np.ones_like(z)),
    ),
}


def relative_error(computed, exact):
    c = float(computed)
    return c if not math.isfinite(c) else float(abs(mpmath.mpf(c) - exact) / abs(exact))


results = {}  # (problem, method, dtype name) -> dict of arrays over the scales
for name, problem in PROBLEMS.items():
    methods_here = [m for m in ("textbook", "lossbook", "clamped") if m in problem]
    for dtype in DTYPES:
        records = {m: {"rel": [], "ulp": [], "value": []} for m in methods_here}
        exact_values, conditions = [], []
        for s in scales:
            z = problem["inputs"](s, dtype)
            exact = problem["exact"](z)
            exact_values.append(exact)
            conditions.append(float(problem["condition"](z)))
            for method in methods_here:
                with np.errstate(
                    over="ignore", under="ignore", divide="ignore", invalid="ignore"
                ):
                    value = problem[method](z)
                if method != "textbook":
                    assert np.asarray(value).dtype == dtype, (
                        name,
                        method,
                        np.asarray(value).dtype,
                    )
                records[method]["value"].append(float(value))
                records[method]["rel"].append(relative_error(value, exact))
                records[method]["ulp"].append(ulp_error(value, exact, dtype))
        for method in methods_here:
            results[name, method, dtype.__name__] = {
                k: np.array(v) for k, v in records[method].items()
            }
        results[name, "exact", dtype.__name__] = exact_values
        results[name, "condition", dtype.__name__] = np.array(conditions)
print(
    f"{len(PROBLEMS)} problems x {len(scales)} scales x {len(DTYPES)} formats evaluated"
)

# %% [markdown]
# The figure plots the relative error $|\hat\ell - \ell|/|\ell|$ on a logarithmic axis. Errors of
# exactly 0 are drawn on the bottom edge; results that are `inf` or `nan` are drawn as markers in
# the band at the top. The thin grey lines are the yardstick of {ref}`sec-stability-condition`:
# $\max(\kappa, 1)\,u$, the condition number of the problem at these inputs times the unit
# roundoff of the format. An error near or below that line is as small as can be expected.
# The shaded regions of the two "right" panels mark scales where the *exact* loss is smaller than
# the smallest normal number of the format: there even a perfect algorithm loses relative
# accuracy (subnormal results), and eventually the correctly rounded answer is 0, a relative error
# of 1.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Five panels of relative error (log scale, 1e-18 to 1) against the logit scale s from 1 to 10^4 (log scale), for float32 (dashed) and float64 (solid). Log-sum-exp and cross-entropy with a wrong class: lossbook stays at or below the unit roundoff everywhere. The textbook log-sum-exp is equally accurate until exp overflows, at s about 89 (float32) and 710 (float64), and returns inf beyond; the textbook cross-entropy is equally accurate until a probability underflows to 0, at s about 52 (float32) and 373 (float64), and then returns inf and, further on, nan. Inf and nan are drawn as markers in a band at the top. Cross-entropy with the right class: the textbook error grows from 1e-16 to 1 (the loss rounds to 0) by s of about 60 in float64 and 25 in float32, then returns nan; lossbook stays near the unit roundoff until the exact loss becomes subnormal (shaded), then rises to 1. BCE wrong: textbook accurate until inf at s about 89 / 710; PyTorch's binary_cross_entropy on sigmoid probabilities becomes wrong at s = 100, where its -100 clamp caps the loss, while lossbook stays accurate. BCE right: the textbook formula loses accuracy from s about 5 and returns nan from s about 17 (float32) and 37 (float64); binary_cross_entropy on probabilities gives 0 there; lossbook stays accurate until the exact loss underflows (shaded)."}}
FLOOR, INF_ROW, NAN_ROW = 1e-18, 1e3, 1e5
colours = {
    "textbook": lbplot.PALETTE.vermillion,
    "lossbook": lbplot.PALETTE.black,
    "clamped": lbplot.PALETTE.sky_blue,
}
labels = {
    "textbook": "textbook formula",
    "lossbook": "lossbook",
    "clamped": "F.binary_cross_entropy(F.sigmoid(z))",
}
styles = {"float64": "-", "float32": "--"}
fig, axes = plt.subplots(2, 3, figsize=(13, 8), sharex=True, sharey=True)
for ax, name in zip(axes.flat, PROBLEMS):
    for dtype in DTYPES:
        dname = dtype.__name__
        if (
            "right" in name
        ):  # shade where the exact loss is below the smallest normal number
            exact = np.array([float(v) for v in results[name, "exact", dname]])
            tiny_region = scales[exact < float(np.finfo(dtype).smallest_normal)]
            if tiny_region.size:
                shade = "0.85" if dname == "float32" else "0.7"
                ax.axvspan(tiny_region[0], scales[-1], color=shade, alpha=0.5, lw=0)
        for method in ("textbook", "clamped", "lossbook"):
            if (name, method, dname) not in results:
                continue
            rel = results[name, method, dname]["rel"]
            finite = np.isfinite(rel)
            ax.plot(
                scales[finite],
                np.maximum(rel[finite], FLOOR),
                styles[dname],
                color=colours[method],
                lw=1.6,
                alpha=0.9,
            )
            is_inf, is_nan = np.isinf(rel), np.isnan(rel)
            offset = 1.0 if dname == "float64" else 3.0
            ax.plot(
                scales[is_inf],
                np.full(is_inf.sum(), INF_ROW * offset),
                "^",
                ms=4,
                color=colours[method],
                mfc="none" if dname == "float32" else colours[method],
            )
            ax.plot(
                scales[is_nan],
                np.full(is_nan.sum(), NAN_ROW * offset),
                "x",
                ms=4,
                color=colours[method],
            )
    for dtype in DTYPES:  # the yardstick: max(kappa, 1) times the unit roundoff
        yardstick = np.maximum(results[name, "condition", dtype.__name__], 1.0)
        ax.plot(
            scales,
            yardstick * float(np.finfo(dtype).eps) / 2,
            styles[dtype.__name__],
            color="0.55",
            lw=1.0,
        )
    ax.axhspan(3e2, 1e6, color=lbplot.PALETTE.yellow, alpha=0.2, lw=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 3, 1e6)
    ax.set_yticks([1e-18, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1, INF_ROW, NAN_ROW])
    ax.set_yticklabels(
        ["0 or 1e-18", "1e-15", "1e-12", "1e-9", "1e-6", "1e-3", "1", "inf", "nan"]
    )
    ax.set_title(name, fontsize=11)
for ax in axes[-1]:
    ax.set_xlabel("logit scale $s$")
for ax in axes[:, 0]:
    ax.set_ylabel("relative error of the loss (nats/nats)")
legend_ax = axes.flat[-1]
legend_ax.axis("off")
handles = [plt.Line2D([], [], color=colours[m], lw=2, label=labels[m]) for m in colours]
handles += [plt.Line2D([], [], color="0.3", ls=styles[d], label=d) for d in styles]
handles += [
    plt.Line2D([], [], color="0.55", lw=1, label=r"yardstick $\max(\kappa, 1)\,u$"),
    plt.Rectangle(
        (0, 0),
        1,
        1,
        color="0.85",
        alpha=0.5,
        label="exact loss below smallest normal (float32)",
    ),
    plt.Rectangle(
        (0, 0),
        1,
        1,
        color="0.7",
        alpha=0.8,
        label="... and below smallest normal (float64)",
    ),
]
legend_ax.legend(handles=handles, loc="center", fontsize=10, frameon=False)
axes[0, 2].tick_params(labelbottom=True)  # no panel below it
axes[0, 2].set_xlabel("logit scale $s$")
fig.suptitle(
    "Relative error against mpmath (50 digits), 49 log-spaced logit scales", fontsize=12
)
plt.show()

# %% [markdown]
# Where exactly do the textbook formulas break? The next table lists, for each problem and
# format, the first scale of the grid at which the textbook formula returns `inf` and the first at
# which it returns `nan`, next to the threshold predicted from the format's limits, with
# $L_{\max} = \log(\text{largest number})$ (overflow of $e^x$), $L_0 = -\log(\text{smallest
# subnormal}/2)$ (underflow of $e^{-x}$ to 0) and $u$ the unit roundoff. Underflow, not overflow,
# comes first for the five-class cross-entropy: a probability $\approx e^{-2s}$ becomes 0 at
# $s = L_0/2$, and then either $\log 0 = -\infty$ (if it is the target's) or
# $0\cdot\log 0 = $ `nan` (if it is another class's, in the one-hot sum). `lossbook` returns a
# finite number at every point (the cell asserts it).


# %%
def first_scale(mask):
    return float(scales[np.argmax(mask)]) if mask.any() else math.inf


def predicted_thresholds(name, dtype):
    """(scale of the first inf, of the first nan, cause) from the format's limits."""
    fi = np.finfo(dtype)
    L_max = math.log(float(fi.max))
    L_0 = -(math.log(float(fi.smallest_subnormal)) - math.log(2))
    u = float(fi.eps) / 2
    gap_other = (
        1 - direction[3]
    )  # the other class with the largest gap below the maximum: -0.7
    return {
        "log-sum-exp": (L_max, math.inf, "exp(s) overflows: L_max"),
        "CE, wrong class": (
            L_0 / 2,
            L_0 / gap_other,
            "target prob e^-2s -> 0: L_0/2; other prob e^-1.7s -> 0: L_0/1.7",
        ),
        "CE, right class": (math.inf, L_0 / 2, "prob e^-2s of class 4 -> 0: L_0/2"),
        "BCE, wrong (z = -s, y = 1)": (L_max, math.inf, "exp(s) overflows: L_max"),
        "BCE, right (z = s, y = 1)": (
            math.inf,
            math.log(1 / u),
            "sigmoid(s) rounds to 1: log(1/u)",
        ),
    }[name]


def show(value):
    return "never" if math.isinf(value) else f"{value:.4g}"


print(
    f"{'problem':28s} {'format':8s} {'first inf':>9s} {'predicted':>9s} "
    f"{'first nan':>9s} "
    f"{'predicted':>9s}   cause"
)
for name in PROBLEMS:
    for dtype in DTYPES:
        dname = dtype.__name__
        values = results[name, "textbook", dname]["value"]
        assert np.all(np.isfinite(results[name, "lossbook", dname]["value"]))
        inf_at, nan_at = first_scale(np.isinf(values)), first_scale(np.isnan(values))
        inf_pred, nan_pred, cause = predicted_thresholds(name, dtype)
        for seen, pred in [(inf_at, inf_pred), (nan_at, nan_pred)]:
            # the first failing grid point lies at or after the predicted threshold,
            # and the grid point before it lies before it (or another failure first)
            assert math.isinf(seen) == math.isinf(pred) and (
                math.isinf(seen) or seen >= pred
            )
            assert math.isinf(seen) or scales[np.searchsorted(scales, seen) - 1] < pred
        print(
            f"{name:28s} {dname:8s} {show(inf_at):>9s} {show(inf_pred):>9s} "
            f"{show(nan_at):>9s} "
            f"{show(nan_pred):>9s}   {cause}"
        )

# %% [markdown]
# And how large are the errors where the results are finite? The table gives, for each problem,
# format and method, the largest error over the grid, measured two ways: **in ulps** of the exact
# value, and **in units of the yardstick** $\max(\kappa, 1)\,u$, both rounded up to a coarse
# bucket as before. Only scales where the exact value is a
# normal number of the format count; the last column counts the grid points where the method
# returned `inf` or `nan`.


# %%
def yardstick_bucket(ratio):
    return bucket(ratio, buckets=(16, 1024), unit="").strip()


def summary_row(name, method, dtype):
    dname = dtype.__name__
    res = results[name, method, dname]
    exact = np.array([abs(float(v)) for v in results[name, "exact", dname]])
    normal = exact >= float(np.finfo(dtype).smallest_normal)
    finite = np.isfinite(res["rel"]) & normal
    yardstick = (
        np.maximum(results[name, "condition", dname], 1.0)
        * float(np.finfo(dtype).eps)
        / 2
    )
    worst_ulp = bucket(float(np.max(res["ulp"][finite]))) if finite.any() else "-"
    worst_yard = (
        yardstick_bucket(float(np.max(res["rel"][finite] / yardstick[finite])))
        if finite.any()
        else "-"
    )
    bad = int(np.sum(~np.isfinite(res["value"]) & normal))
    return worst_ulp, worst_yard, bad


print(
    f"{'problem':28s} {'format':8s} {'method':13s} {'max error':>11s} "
    f"{'in yardsticks':>14s} "
    f"{'inf/nan':>8s}"
)
summary = {}
for name in PROBLEMS:
    for dtype in DTYPES:
        for method in ("textbook", "lossbook", "clamped"):
            if (name, method, dtype.__name__) not in results:
                continue
            row = summary[name, method, dtype.__name__] = summary_row(
                name, method, dtype
            )
            label = "BCE(sigmoid)" if method == "clamped" else method
            print(
                f"{name:28s} {dtype.__name__:8s} {label:13s} {row[0]:>11s} "
                f"{row[1]:>14s} "
                f"{row[2]:8d}"
            )
for (name, method, dname), (worst_ulp, worst_yard, bad) in summary.items():
    if method == "lossbook":
        assert bad == 0 and worst_yard == "<= 16", (name, dname, worst_yard)

# %% [markdown]
# Reading the figure and the tables together:
#
# - **Overflow and underflow are the loud failures.** Log-sum-exp and the wrong BCE are accurate
#   with either formula until $e^{s}$ overflows, at $s \approx 88.7$ in float32 and $709.8$ in
#   float64, and the textbook formulas return `inf` beyond. The five-class wrong-class
#   cross-entropy fails earlier, by underflow: from $s = L_0/2$ (about 52 and 373) the target's
#   probability is 0 and the loss `inf`, and later another class's $0 \cdot \log 0$ in the one-hot
#   sum gives `nan`. The shifted formulas continue at the level of an ulp.
# - **Cancellation is the quiet one.** The right-class losses are small numbers computed from large
#   ones. The textbook formula's error grows like $u/\ell$ (the rounding of $1 + \ell$) until the
#   loss is lost entirely, long before anything overflows, and the BCE textbook formula even
#   returns `nan` there ($0 \cdot \log 0$ when $\sigma(z)$ rounds to 1). Its errors exceed the
#   yardstick by more than a factor of a thousand: the algorithm, not the problem, is to blame.
# - **`lossbook` stays within a few yardsticks everywhere** (the cell asserts at most 16), and
#   within a few ulps. That second part takes one more idea for the right-class cross-entropy. The
#   shifted differences $z_j - m$ are rounded, an absolute error of up to $u\,|z_j - m|$, which the
#   exponential turns into a relative error of the same size ($\kappa_{\exp}(x) = |x|$): a plain
#   shifted formula is backward stable in the language of {cite:t}`higham2002` (its error is what
#   rounding the logits themselves would cause) but its error in ulps grows with $s$, to hundreds
#   of ulps in float64. `lossbook` recovers the rounding error $e_j$ of each difference exactly
#   (Knuth's TwoSum: $z_j - m = d_j + e_j$ with both parts floating-point numbers) and puts it back
#   to first order, $e^{d_j + e_j} \approx e^{d_j}(1 + e_j)$; that is why its rows read
#   $\le 4$ ulp. The BCE panels never had the growth, because their single input needs no
#   subtraction.
# - **The clamped BCE on probabilities** is a different story: it is accurate for moderate wrong
#   predictions, then its loss stops at 100 nats (a relative error growing towards 1), and for right
#   predictions it returns 0 as soon as $\sigma(z)$ rounds to 1. The next section explains this
#   choice.
#
# (sec-stability-pytorch)=
# ## In PyTorch: deliberate numerical choices and their costs
#
# PyTorch's loss functions contain a few constants that are not in the mathematics. They are
# deliberate trade-offs, and knowing them explains behaviour that otherwise looks like a bug.
# `lossbook.functional` reproduces them, so the book can show their effect with numbers.
#
# | function | PyTorch's choice, and what it buys | what it costs |
# |---|---|---|
# | `log_softmax`, `cross_entropy` | shift by the maximum: no overflow | nothing, except that losses below about $u$ round to 0 ({ref}`sec-stability-tiny`) |
# | `binary_cross_entropy_with_logits` | $(1-y)z - \log\sigma(z)$ with a stable $\log\sigma$: no overflow | tiny losses with $y = 0$ round to 0 ({ref}`sec-stability-tiny`) |
# | `binary_cross_entropy` | each log clamped at $-100$: a finite loss for $p = 0$ or 1 | losses above 100 nats are wrong; gradients vanish |
# | `softplus(threshold=20)` | returns $z$ when $\beta z > 20$: cheaper | a relative error up to about $10^{-10}$ |
# | `cosine_similarity(eps=1e-8)` | each norm clamped at `eps`: no division by 0 | wrong cosines for vectors shorter than `eps` |
#
# ### The $-100$ clamp in `binary_cross_entropy`
#
# `F.binary_cross_entropy(p, y)` takes probabilities. Computing $-\log p$ for $p = 0$ would give
# `inf`, and one infinite loss poisons a whole batch (its mean is `inf`, its gradient `nan`). So
# PyTorch computes each term as $\max(\log p, -100)$ and $\max(\log(1 - p), -100)$: the loss of
# one element is at most 100 nats.
#
# **What it caps.** The clamp changes the result only for $p < e^{-100}$ (or $1 - p$ that small);
# the cell below prints $e^{-100} \approx 3.7 \times 10^{-44}$. In float32 that is below the
# smallest normal number: only subnormal probabilities and 0 are affected. In float64,
# probabilities down to $5 \times 10^{-324}$ exist, with $-\log p$ up to about 744, and all of
# those losses are capped at 100. The
# cap bites far more often than that suggests when $p$ comes from a sigmoid, because $\sigma(z)$
# *rounds to 1* for moderate logits: for $z > \log(1/u)$, that is $z > 16.6$ in float32 and
# $z > 36.7$ in float64. Then $\log(1 - p) = \log 0$, and the loss of a confident wrong
# prediction becomes exactly 100, whatever the logit. (Even before that, $1 - p$ is computed from
# a rounded $p$ and has few correct digits.) The cell compares, for target $y = 0$, the exact loss
# $\operatorname{softplus}(z)$, the logit version, and the probability version with its clamp:

# %%
print(
    f"e^-100 = {math.exp(-100):.4e};  -log(smallest float64) = "
    f"{-math.log(float(np.finfo(np.float64).smallest_subnormal)):.2f}"
)
print(
    f"{'logit z':>8s} {'exact':>10s} {'with_logits f32':>16s} "
    f"{'BCE(sigmoid) f32':>17s} "
    f"{'BCE(sigmoid) f64':>17s}"
)
clamp_rows = {}
for z_value in [5.0, 15.0, 17.0, 30.0, 60.0, 150.0, 500.0]:
    exact = float(mpmath.log1p(mpmath.exp(z_value)))
    z32, z64 = np.array([z_value], np.float32), np.array([z_value])
    logits32 = float(F.binary_cross_entropy_with_logits(z32, np.zeros_like(z32)))
    probs32 = float(F.binary_cross_entropy(F.sigmoid(z32), np.zeros_like(z32)))
    probs64 = float(F.binary_cross_entropy(F.sigmoid(z64), np.zeros_like(z64)))
    clamp_rows[z_value] = (exact, logits32, probs32, probs64)
    print(
        f"{z_value:8.1f} {exact:10.4f} {logits32:16.4f} {probs32:17.4f} {probs64:17.4f}"
    )
assert clamp_rows[30.0][2] == 100.0 and clamp_rows[60.0][3] == 100.0
assert abs(clamp_rows[15.0][2] - 15.0) > 0.05
assert abs(clamp_rows[500.0][1] - 500.0) < 1e-3

# %% [markdown]
# At $z = 15$ the float32 probability version is already off in the first decimal (the
# rounding of $p$); at $z = 30$ it reports 100 nats for a loss of 30, and at $z = 500$ it reports
# 100 for a loss of 500 in both formats. The logit version is right everywhere.
#
# **What it costs: the gradient.** Below the clamp, the clamped loss $-\max(\log p, -100)$ is
# *constant*, so its derivative with respect to $p$ is 0: a prediction that is as wrong as it can
# be receives no gradient at all. PyTorch's backward pass does not differentiate the clamp
# literally; it computes $\partial\ell/\partial p = (p - y)/\max\big(p(1 - p), 10^{-12}\big)$,
# another clamp, which caps the gradient at about $10^{12}$ instead of dividing by 0. Through the
# sigmoid, the chain rule multiplies by $\sigma'(z) = p(1 - p)$, and the logit gets
#
# $$
# \frac{\partial \ell}{\partial z} = \frac{(p - y)\,p(1-p)}{\max\big(p(1-p), 10^{-12}\big)} ,
# $$
#
# which equals the correct $p - y$ while $p(1 - p) \ge 10^{-12}$ and **vanishes** like
# $p(1-p)/10^{-12}$ beyond, once $|z| > -\log 10^{-12} \approx 27.6$ or so
# ({ref}`ex-stability-5` locates the point where half the gradient is lost). Once $p$ rounds to
# exactly 0 or 1, the factor $p(1 - p)$ is 0 and the gradient is exactly 0. The logit version has
# the gradient
# $\sigma(z) - y$, which tends to $\pm 1$ for a confident wrong prediction: the strongest push where
# it is needed most. The cell computes both gradients with `lossbook.gradients` (for the
# probability version, `G.binary_cross_entropy_grad` times $\sigma'(z)$, as autograd would), and
# checks both against finite differences at moderate seeded inputs, where no clamp is active:

# %%
print(
    f"{'logit z':>8s} {'format':>8s} {'d/dz via probabilities':>24s} "
    f"{'d/dz with logits':>18s}"
)
vanishing = {}
for dtype in DTYPES:
    for z_value in [-10.0, -25.0, -30.0, -40.0, -120.0]:
        z_arr = np.array([z_value], dtype=dtype)
        target = np.ones_like(
            z_arr
        )  # a positive example, predicted confidently negative
        p = F.sigmoid(z_arr)
        via_probs = G.binary_cross_entropy_grad(p, target) * p * (1 - p)
        via_logits = G.binary_cross_entropy_with_logits_grad(z_arr, target)
        vanishing[dtype.__name__, z_value] = (float(via_probs[0]), float(via_logits[0]))
        print(
            f"{z_value:8.1f} {dtype.__name__:>8s} {float(via_probs[0]) + 0.0:24.6e} "
            f"{float(via_logits[0]):18.6f}"
        )
assert (
    abs(vanishing["float64", -40.0][0]) < 1e-4
    and vanishing["float64", -40.0][1] < -0.99
)
assert vanishing["float32", -120.0][0] == 0.0
# where no clamp is active, both analytic gradients agree with finite differences
p_moderate, y_moderate_b = rng.uniform(0.05, 0.95, size=5), rng.uniform(0, 1, size=5)
z_moderate_b = rng.normal(0, 3, size=5)
assert np.allclose(
    G.binary_cross_entropy_grad(p_moderate, y_moderate_b),
    G.numerical_gradient(
        lambda v: float(F.binary_cross_entropy(v, y_moderate_b)), p_moderate
    ),
    rtol=1e-6,
    atol=1e-9,
)
assert np.allclose(
    G.binary_cross_entropy_with_logits_grad(z_moderate_b, y_moderate_b),
    G.numerical_gradient(
        lambda v: float(F.binary_cross_entropy_with_logits(v, y_moderate_b)),
        z_moderate_b,
    ),
    rtol=1e-6,
    atol=1e-9,
)
print("away from the clamps, both gradients agree with finite differences: True")

# %% [markdown]
# At $z = -40$ the gradient through the probabilities is about $-4 \times 10^{-6}$ instead of
# $-1$; at $z = -120$ in float32, where $\sigma(z)$ underflows to 0, it is exactly 0. A positive
# example that the model has confidently learned to call negative stays there. This is the
# strongest practical reason to prefer `binary_cross_entropy_with_logits` (and `cross_entropy` on
# logits) over a sigmoid or softmax followed by a loss on probabilities.
#
# ### `softplus` returns its input above a threshold
#
# `F.softplus(z, beta=1, threshold=20)` returns $z$ itself when $\beta z > 20$, skipping the
# exponential. The neglected term is $\log(1 + e^{-z}) \approx e^{-z}$, about $2 \times 10^{-9}$
# just above $z = 20$: a relative error of about $10^{-10}$, invisible in float32 (whose unit
# roundoff is $6\times 10^{-8}$) but hundreds of thousands of ulps in float64.

# %%
for z_value in [20.5, 25.0, 30.0]:
    value = F.softplus(np.array([z_value]))[0]
    exact = mpmath.log1p(mpmath.exp(z_value))
    assert (
        float(value) == z_value
    )  # above the threshold the input is returned unchanged
    rel = float((exact - z_value) / exact)
    print(
        f"softplus({z_value}) = {float(value):.1f}, exact {mpmath.nstr(exact, 16)}, "
        f"relative error {rel:.1e} = about {rel / (float(eps64) / 2):.0e} units of u "
        "(float64)"
    )

# %% [markdown]
# `binary_cross_entropy_with_logits` does not use `softplus` and has no such threshold.
#
# ### The `eps` in `cosine_similarity`
#
# The {term}`cosine similarity` divides by the product of two norms, which is 0 for a zero vector.
# PyTorch's `F.cosine_similarity(x1, x2, dim=1, eps=1e-8)` clamps **each norm** from below at
# `eps`:
#
# $$
# \cos_\varepsilon(a, b) = \frac{a \cdot b}{\max(\lVert a\rVert, \varepsilon)\,
# \max(\lVert b\rVert, \varepsilon)} .
# $$
#
# A zero vector then has cosine 0 with everything, instead of `nan`. The cost is that the
# clamped cosine is no longer invariant to scaling. For vectors shorter than `eps` the true cosine
# is unchanged, but the clamped one shrinks in proportion to the product of the lengths, towards 0.
# (Older PyTorch versions clamped the *product* of the norms instead, so tiny vectors give
# different results across versions.) The cell scales two vectors at 45° by a common factor $t$:

# %%
a_vec, b_vec = np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])
print(
    f"{'scale t':>8s} {'|a|':>10s} {'|b|':>10s} {'cos (eps = 1e-8)':>18s} "
    f"{'true cos':>9s}"
)
cos_rows = {}
for t_scale in [1.0, 1e-6, 1e-8, 1e-9, 1e-12, 0.0]:
    value = float(F.cosine_similarity(t_scale * a_vec, t_scale * b_vec)[0])
    cos_rows[t_scale] = value
    true_cos = "nan (0/0)" if t_scale == 0 else f"{1 / math.sqrt(2):.6f}"
    print(
        f"{t_scale:8.0e} {t_scale:10.1e} {t_scale * math.sqrt(2):10.3e} {value:18.6f} "
        f"{true_cos:>9s}"
    )
assert (
    math.isclose(cos_rows[1e-9], 1e-18 / (1e-8 * 1e-8), rel_tol=1e-9)
    and cos_rows[0.0] == 0.0
)

# %% [markdown]
# For $t = 10^{-9}$ both vectors are shorter than `eps`, both norms are replaced by $10^{-8}$, and
# the cosine is $10^{-18}/10^{-16} = 0.01$ instead of $0.7071$. In practice embeddings are rarely
# that short unless something has collapsed (a dead layer, an all-zero padding row); when a
# cosine-based loss stalls, checking the norms of the embeddings is the first diagnostic.
#
# The *gradient* is another matter. Inside the clamp the cosine is
# $(t a)\cdot(t b)/\varepsilon^2$, linear in the first vector $x_1 = t a$, so its gradient with
# respect to $x_1$ is $x_2/\varepsilon^2 = t\,b/\varepsilon^2$, of norm $t\lVert b\rVert/\varepsilon^2$:
# about $1.4 \times 10^{7}$ at $t = 10^{-9}$, far larger than the $\sin\theta/\lVert a\rVert =
# 0.71$ of the unscaled pair. Above the clamp the gradient is $\sin\theta/(t\lVert a\rVert)$
# ({prf:ref}`thm-cosine-gradient`), which also grows as $t$ shrinks. Only an exactly zero pair gets a
# zero gradient. The table compares `G.cosine_similarity_grad` with these formulas and with
# central {term}`finite differences` (with a step of $10^{-4}\,t$, small enough to stay inside the
# clamp):

# %%
print(
    f"{'scale t':>8s} {'|grad x1|, lossbook':>20s} {'formula':>10s} "
    f"{'finite diff.':>13s}"
)
grad_rows = {}
for t_scale in [1.0, 1e-6, 1e-9, 1e-12, 0.0]:
    x1, x2 = t_scale * a_vec, t_scale * b_vec
    analytic = G.cosine_similarity_grad(x1, x2)[0]
    norm_a, norm_b = np.linalg.norm(x1), np.linalg.norm(x2)
    if norm_a >= 1e-8 and norm_b >= 1e-8:
        formula = (1 / math.sqrt(2)) / norm_a  # sin(45 degrees) / |x1|
    else:
        formula = norm_b / (max(norm_a, 1e-8) * max(norm_b, 1e-8))
    step = 1e-4 * t_scale if t_scale > 0 else 1e-20
    numeric = G.numerical_gradient(
        lambda x: float(F.cosine_similarity(x, x2)[0]), x1, h=step
    )
    grad_rows[t_scale] = float(np.linalg.norm(analytic))
    assert math.isclose(grad_rows[t_scale], formula, rel_tol=1e-6, abs_tol=1e-300)
    assert np.allclose(numeric, analytic, rtol=1e-6, atol=1e-6 * formula)
    print(
        f"{t_scale:8.0e} {grad_rows[t_scale]:20.4e} {formula:10.4e} "
        f"{float(np.linalg.norm(numeric)):13.4e}"
    )
assert grad_rows[0.0] == 0.0 and grad_rows[1e-9] > 1e7
zero_vs_b = float(np.linalg.norm(G.cosine_similarity_grad(0.0 * a_vec, b_vec)[0]))
assert math.isclose(zero_vs_b, 1e8, rel_tol=1e-9)
print(f"zero x1 against x2 = (1, 1): |grad x1| = {zero_vs_b:.4e} = 1/eps")

# %% [markdown]
# So a collapsed pair that is merely tiny gets a huge push, which an optimiser with a fixed
# learning rate turns into a huge step; only an exactly zero pair is stuck, because the gradient
# with respect to one vector is proportional to the other. A zero vector paired with a vector of
# ordinary length is not stuck either: its gradient has norm $1/\varepsilon = 10^{8}$.
# {doc}`08-gallery-of-mistakes` shows the same numbers from the side of the losses
# ({ref}`sec-mistake-zero-vector`).
#
# ## Summary
#
# - Floating point has a finite range ($e^x$ overflows above 88.72 in float32 and 709.78 in
#   float64) and a relative precision of $u = 2^{-24}$ or $2^{-53}$ per operation; an ulp is the
#   gap between neighbouring floats, `np.spacing(x)`.
# - The log-sum-exp trick, $\operatorname{logsumexp}(z) = m + \operatorname{logsumexp}(z - m)$
#   with $m = \max_j z_j$, removes overflow and harmful underflow at no cost in accuracy
#   {cite:p}`blanchard2021`. Always compute `log_softmax(z)`, never `log(softmax(z))`.
# - $\log(1 + y)$ is well conditioned; computing it as `log(1 + y)` is not. Use `log1p`, `expm1`,
#   and the stable $\operatorname{softplus}(z) = \max(z, 0) + \mathrm{log1p}(e^{-|z|})$.
# - A confident correct prediction has a tiny loss, which the textbook formula and PyTorch's
#   `log_softmax` round to 0; `lossbook` computes $(m - z_y) + \mathrm{log1p}(s)$ and keeps a
#   few-ulp relative accuracy until the loss leaves the range of the format. The gradient is
#   accurate either way.
# - PyTorch's $-100$ clamp in `binary_cross_entropy` caps the loss at 100 nats and makes the
#   gradient vanish for confident wrong predictions; the logit version has neither problem. The
#   `eps` of `cosine_similarity` makes tiny vectors look dissimilar, and gives them huge
#   gradients; only an exactly zero pair gets none.
#
# ## Exercises
#
# ```{exercise} Half precision
# :label: ex-stability-1
# Mixed-precision training stores activations in float16 (IEEE half precision).
# (a) Use `np.finfo(np.float16)` to find its machine epsilon, largest number and smallest normal
# and subnormal numbers.
# (b) Above which logit does $e^{z}$ overflow in float16? Below which does it underflow to 0?
# (c) A float16 model has logits $(12, 3, -2)$. What does the textbook softmax return, and what
# does the shifted softmax return (compute both in float16)?
# ```
#
# ```{solution-start} ex-stability-1
# :class: dropdown
# ```
#
# (a), (b) The cell prints the numbers; $e^z$ overflows above $\log(65504) \approx 11.09$, which is
# why mixed-precision frameworks compute softmax and losses in float32. (c) $e^{12}$ is `inf` in
# float16, so the textbook softmax returns `nan` for the first class (`inf/inf`) and 0 for the
# others; the shifted softmax returns the correct probabilities (to float16 precision).

# %%
f16 = np.finfo(np.float16)
print(
    f"eps {float(f16.eps):.4e}, max {float(f16.max):.1f}, smallest normal "
    f"{float(f16.smallest_normal):.4e}, smallest subnormal "
    f"{float(f16.smallest_subnormal):.4e}"
)
print(
    f"exp overflows above {math.log(float(f16.max)):.4f}, underflows to 0 below "
    f"{math.log(float(f16.smallest_subnormal)) - math.log(2):.4f}"
)
z16 = np.array([12.0, 3.0, -2.0], dtype=np.float16)
with np.errstate(over="ignore", invalid="ignore"):
    naive16 = textbook_softmax(z16)
shifted16 = np.exp(z16 - z16.max()) / np.sum(np.exp(z16 - z16.max()))
print("textbook softmax in float16:", naive16)
print("shifted softmax in float16: ", shifted16, "| dtype", shifted16.dtype)
assert np.isnan(naive16[0]) and np.isclose(float(shifted16.sum()), 1.0, atol=1e-3)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Which shift?
# :label: ex-stability-2
# (a) The identity $\operatorname{logsumexp}(z) = m + \operatorname{logsumexp}(z - m)$ holds for
# every real $m$. Show with SymPy that it also holds for the shift by the mean,
# $m = \bar z = \frac1C\sum_j z_j$, for $C = 3$.
# (b) Evaluate both shifted formulas (by the maximum and by the mean) in float64 for
# $z = (1000, 0, -1000)$ and for $z = (-1000, -1001, -1002)$. Which fails, and why?
# (c) Explain in one sentence why the maximum guarantees both "no overflow" and "no log of 0",
# whatever the logits, while the mean does not.
# ```
#
# ```{solution-start} ex-stability-2
# :class: dropdown
# ```
#
# (a) It is a special case of the general identity (which holds for any $m$); SymPy confirms it.
# (b) For $(1000, 0, -1000)$ the mean is 0, so the mean-shifted formula computes $e^{1000}$ and
# returns `inf`. For $(-1000, -1001, -1002)$ the mean is $-1001$ and the shifted exponents are
# $1, 0, -1$: the mean shift works here, but it is a coincidence of the spread, not a guarantee.
# The maximum shift works for both. (c) With $m = \max_j z_j$ every exponent is $\le 0$ (no
# overflow) and one of them is exactly 0, so the sum is at least 1 (no underflow to 0); a smaller
# shift, such as the mean, risks the first, and a much larger one the second.

# %%
z3 = sym.logits(3)
mean_shift = sum(z3) / 3
sym.check_identity(
    mean_shift + sym.logsumexp([z - mean_shift for z in z3]), sym.logsumexp(z3)
).assert_proved()
print("(a) the mean-shifted identity is proved for C = 3")


def shifted_lse(z, m):
    return m + np.log(np.sum(np.exp(z - m)))


for z_case in [np.array([1000.0, 0.0, -1000.0]), np.array([-1000.0, -1001.0, -1002.0])]:
    with np.errstate(over="ignore"):
        by_mean = shifted_lse(z_case, z_case.mean())
    by_max = shifted_lse(z_case, z_case.max())
    print(
        f"(b) z = {z_case}: shift by mean {by_mean:.6f}, shift by max {by_max:.6f}, "
        f"F.logsumexp {float(F.logsumexp(z_case, dim=0)):.6f}"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} A stable log-sigmoid
# :label: ex-stability-3
# (a) Derive $\log\sigma(z) = \min(z, 0) - \mathrm{log1p}(e^{-|z|})$ and prove it with
# SymPy on both branches ($z > 0$ and $z < 0$).
# (b) Evaluate the naive `np.log(1 / (1 + np.exp(-z)))`, the stable form, and `F.logsigmoid`
# in float64 at $z = -800, -40, 0, 40, 800$, and compare with mpmath (in ulps, bucketed).
# (c) Which of the five naive results are wrong, and which of the two failure modes of this
# chapter (overflow, or rounding of $1 + $ something small) causes each?
# ```
#
# ```{solution-start} ex-stability-3
# :class: dropdown
# ```
#
# (a) $\log\sigma(z) = -\operatorname{softplus}(-z)$, and the stable softplus gives
# $-\max(-z, 0) - \mathrm{log1p}(e^{-|z|}) = \min(z, 0) - \mathrm{log1p}(e^{-|z|})$.
# (b) The cell prints the table. (c) At $z = -800$, $e^{800}$ overflows and the naive result is
# $\log(1/\infty) = -\infty$ (the exact value is $-800$). At $z = 40$ and $z = 800$ the naive
# result is 0 because $1 + e^{-z}$ rounds to 1 (the exact values are about $-4.2\times10^{-18}$
# and $-e^{-800}$, the latter below the float64 range, so 0 is then the correctly rounded answer).


# %%
def stable_logsigmoid(v):
    return sp.Min(v, 0) - sp.log(1 + sp.exp(-sp.Abs(v)))


for branch in (z_plus, z_minus):
    sym.check_identity(
        stable_logsigmoid(branch), sp.log(sym.sigmoid(branch))
    ).assert_proved()
print("(a) log sigmoid(z) == min(z, 0) - log1p(exp(-|z|)) proved on both branches")
print(f"{'z':>6s} {'naive':>12s} {'stable':>12s} {'F.logsigmoid':>14s}")
for z_value in [-800.0, -40.0, 0.0, 40.0, 800.0]:
    exact = -mpmath.log1p(mpmath.exp(-mpmath.mpf(z_value)))
    with np.errstate(over="ignore", divide="ignore"):
        naive = np.log(1 / (1 + np.exp(-z_value)))
    stable = min(z_value, 0.0) - np.log1p(np.exp(-abs(z_value)))
    lb = F.logsigmoid(np.array([z_value]))[0]
    print(
        f"{z_value:6.0f} {bucket(ulp_error(naive, exact, np.float64)):>12s} "
        f"{bucket(ulp_error(stable, exact, np.float64)):>12s} "
        f"{bucket(ulp_error(lb, exact, np.float64)):>14s}"
    )
    assert ulp_error(lb, exact, np.float64) <= 4

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} When does a correct prediction stop costing anything?
# :label: ex-stability-4
# Take logits $(t, 0)$ with target class 0.
# (a) Show that the textbook probability $1/(1 + e^{-t})$ rounds to exactly 1 once $e^{-t}$ is
# below about the unit roundoff $u$, that is for $t > \log(1/u)$. Compute this margin in float32
# and float64 and check it numerically with the textbook formula.
# (b) Up to which margin does `F.cross_entropy` return a positive loss in each format? Relate the
# answer to the table of {ref}`sec-stability-float`.
# (c) A float32 classifier reaches a margin of 20 on every one of its $10^6$ training examples.
# What total loss does the textbook formula report, and what is the true total?
# ```
#
# ```{solution-start} ex-stability-4
# :class: dropdown
# ```
#
# (a) $1/(1 + \delta)$ is within half an ulp of 1 (ulps just below 1 are $u$) once $\delta$ is
# below about $u$: $t > \log(1/u)$, about 16.6 in float32 and 36.7 in float64. (b) The loss
# $\mathrm{log1p}(e^{-t}) \approx e^{-t}$ stays positive until $e^{-t}$ underflows to 0,
# at $t \approx 103.97$ (float32) and $745.13$ (float64), the underflow thresholds of $\exp$.
# (c) The textbook total is 0; the true total is $10^6\,\mathrm{log1p}(e^{-20}) \approx
# 2.1\times 10^{-3}$ nats.

# %%
for dtype in DTYPES:
    u = float(np.finfo(dtype).eps) / 2
    predicted_margin = math.log(1 / u)
    grid = np.arange(1.0, 60.0, 0.25)
    zgrid = np.stack([grid, np.zeros_like(grid)], axis=1).astype(dtype)
    textbook_zero = grid[textbook_cross_entropy(zgrid, 0) == 0]
    print(
        f"(a) {dtype.__name__}: predicted log(1/u) = {predicted_margin:.2f}, textbook "
        "loss first "
        f"0 at t = {textbook_zero[0]:.2f} (grid step 0.25)"
    )
    assert abs(textbook_zero[0] - predicted_margin) < 1.0
for dtype, grid in [
    (np.float32, np.arange(90.0, 110.0, 0.25)),
    (np.float64, np.arange(735.0, 755.0, 0.25)),
]:
    zgrid = np.stack([grid, np.zeros_like(grid)], axis=1).astype(dtype)
    with np.errstate(under="ignore"):
        losses = F.cross_entropy(
            zgrid, np.zeros(len(grid), dtype=int), reduction="none"
        )
    print(
        f"(b) {dtype.__name__}: F.cross_entropy > 0 up to t = "
        f"{grid[losses > 0][-1]:.2f}, "
        f"0 from t = {grid[losses == 0][0]:.2f}"
    )
z20 = np.array([[20.0, 0.0]], dtype=np.float32)
print(
    f"(c) textbook total: {1e6 * float(textbook_cross_entropy(z20[0], 0)) + 0.0:.3e} "
    "nats, "
    f"lossbook total: {1e6 * float(F.cross_entropy(z20, np.array([0]))):.4e} nats, "
    f"exact: {mpmath.nstr(1e6 * mpmath.log1p(mpmath.exp(-20)), 5)} nats"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} The cost of the clamp
# :label: ex-stability-5
# A positive example ($y = 1$) has logit $z$, and the model is trained with
# `F.binary_cross_entropy(F.sigmoid(z), y)`.
# (a) In float64, for which logits is the loss exactly 100? Give the threshold in terms of the
# clamp and check it numerically.
# (b) In the same setting, for which logits is the gradient with respect to $z$ (through the
# sigmoid, with PyTorch's backward formula) smaller than half its correct value $\sigma(z) - 1$?
# Derive the threshold from $p(1-p) = 10^{-12}$, then check it with `lossbook.gradients`.
# (c) In one sentence: why is a vanishing gradient for *confidently wrong* predictions worse than
# one for confidently right ones?
# ```
#
# ```{solution-start} ex-stability-5
# :class: dropdown
# ```
#
# (a) The loss is $-\max(\log\sigma(z), -100)$, which is 100 when $\sigma(z) \le e^{-100}$, i.e.
# about $z \le -100$ (since $\sigma(z) \approx e^{z}$ there). (b) For $z \ll 0$, $p(1-p) \approx
# e^{z}$, and the gradient is $(p - 1)\,p(1-p)/10^{-12}$ once $p(1-p) < 10^{-12}$; it is below half
# of $p - 1$ once $p(1-p) < \frac12 10^{-12}$, that is $z < \log(\frac12 10^{-12}) \approx -28.3$.
# (c) A confidently wrong prediction is the one the loss most needs to correct; with a vanishing
# gradient it stays wrong, whereas a confidently right prediction needs no correction anyway.

# %%
z_grid = -np.arange(90.0, 110.0, 0.5)
loss_grid = F.binary_cross_entropy(
    F.sigmoid(z_grid), np.ones_like(z_grid), reduction="none"
)
print(
    f"(a) loss is exactly 100 from z = {z_grid[loss_grid == 100.0][0]:.1f} downwards; "
    "at "
    f"z = -99.5 it is {float(loss_grid[z_grid == -99.5][0]):.4f}"
)
threshold = math.log(0.5e-12)
z_fine = -np.arange(20.0, 40.0, 0.05)
p_fine = F.sigmoid(z_fine)
grad_probs = (
    G.binary_cross_entropy_grad(p_fine, np.ones_like(z_fine), reduction="none")
    * p_fine
    * (1 - p_fine)
)
correct = p_fine - 1
first_half = z_fine[np.abs(grad_probs) < 0.5 * np.abs(correct)][0]
print(
    f"(b) predicted threshold log(0.5e-12) = {threshold:.3f}; first grid point with "
    "less than "
    f"half the gradient: z = {first_half:.2f}"
)
assert abs(first_half - threshold) < 0.1

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`goldberg1991` is the classic tutorial on floating-point arithmetic: formats, ulps,
#   rounding, and cancellation, with the examples ($\log(1 + x)$ among them) this chapter builds on.
# - {cite:t}`higham2002`, chapters 1 and 2, define the standard model of floating-point arithmetic,
#   condition numbers and backward stability, the yardstick used here to judge an error.
# - {cite:t}`blanchard2021` analyse the rounding errors of log-sum-exp and softmax, shifted and
#   unshifted, and conclude that shifting is safe and that softmax should be computed by division.
# - {cite:t}`paszke2019` describe PyTorch, whose numerical choices (the shift in `log_softmax`, the
#   $-100$ clamp, the `eps` of `cosine_similarity`) `lossbook.functional` reproduces.
