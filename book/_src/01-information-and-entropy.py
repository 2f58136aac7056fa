# %% [markdown]
# # Information and entropy
#
# Every loss in this book measures information in one way or another. Before any model appears,
# this chapter asks two simpler questions: **how much information does one observation carry, and
# how much does a source of observations carry on average?** The answers are the
# {term}`self-information` $-\log p(x)$ of an outcome and the {term}`entropy` $H(p)$ of a
# distribution, both due to {cite:t}`shannon1948`. Entropy turns out to be a very concrete number:
# the average length, in bits per outcome, below which no code for the source can go and which
# the best codes approach. Chapter {doc}`02-cross-entropy`
# builds on it: the {term}`cross-entropy` is the average length of a code built for the *wrong*
# distribution, and that is the loss that trains classifiers.
#
# **In this chapter** you will derive and check
#
# - why information is measured by a logarithm (from four requirements, not postulated), and the
#   units bits, nats and bans;
# - the entropy $H(p)$, its maximum $\log n$ at the uniform distribution and its minimum 0 at a
#   point mass ({prf:ref}`thm-max-entropy`);
# - the relative entropy $D_{\mathrm{KL}}(p\,\|\,q)$ and Gibbs' inequality
#   ({prf:ref}`thm-gibbs`), which every later chapter uses;
# - entropy as the length of the best code (Shannon codes, the source coding bound);
# - joint and conditional entropy, the chain rule $H(X, Y) = H(X) + H(Y \mid X)$, and the mutual
#   information $I(X; Y)$, with the floor $H(Y \mid X)$ that no classifier can beat.
#
# **You need** logarithms and derivatives, finite sums, and the idea of a probability
# distribution on finitely many outcomes. The conventions of the book are in the preface
# {doc}`00-how-to-read`.

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
import heapq
import math

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize
import sympy as sp
from IPython.display import display

import lossbook.info as info
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=6, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(2001)

# %% [markdown]
# (sec-entropy-surprise)=
# ## How surprising is a weather report?
#
# A weather station on a foggy coast sends one report a day: sun, clouds, rain or fog. Over the
# years the four reports have had the frequencies $p$ below. A report of sun, the most common
# one, tells the harbour master little she did not expect; a report of fog is news. The cell
# computes, for each report, the quantity this chapter is about, $-\log_2 p(x)$ (the surprise, in
# {term}`bit`s), and its average over the days.

# %%
reports = ["sun", "clouds", "rain", "fog"]
p_coast = np.array([0.45, 0.25, 0.20, 0.10])
surprise_bits = info.self_information(p_coast, base=2)
H_coast_bits = float(info.entropy(p_coast, base=2))
assert np.isclose(H_coast_bits, np.sum(p_coast * surprise_bits))
print(f"{'report':8s} {'p(x)':>6s} {'-log2 p(x) (bits)':>18s}")
for name, px, bits in zip(reports, p_coast, surprise_bits):
    print(f"{name:8s} {px:6.2f} {bits:18.4f}")
print(f"average over the days, H(p) = {H_coast_bits:.4f} bits")

# %% [markdown]
# The figure shows the two sides of the story: on the left how often each report comes, on the
# right how much each one tells. Rare reports are informative, common ones are not, and the
# average surprise, weighted by how often each report arrives, is the entropy (the dashed line).

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two bar charts for the four coastal weather reports. Left: their probabilities, 0.45 for sun, 0.25 for clouds, 0.20 for rain and 0.10 for fog. Right: their self-information in bits, about 1.15 for sun, 2 for clouds, 2.32 for rain and 3.32 for fog, rising as the probability falls; a dashed horizontal line at 1.815 bits marks the entropy, the probability-weighted average of the bars."}}
fig, (ax_p, ax_i) = lbplot.figure("wide", ncols=2)
colours = [lbplot.PALETTE[k] for k in range(4)]
ax_p.bar(reports, p_coast, color=colours)
lbplot.label_axes(ax_p, "report x", "probability p(x)")
ax_p.set_title("How often")
ax_i.bar(reports, surprise_bits, color=colours)
ax_i.axhline(
    H_coast_bits,
    color=lbplot.PALETTE.black,
    ls="--",
    lw=1.5,
    label=f"entropy H(p) = {H_coast_bits:.3f} bits",
)
lbplot.label_axes(ax_i, "report x", r"self-information $-\log_2 p(x)$", unit="bits")
ax_i.set_title("How informative")
ax_i.legend(loc="upper left")
plt.show()

# %% [markdown]
# The seed README says that the more probable an event is, the less information it carries, and
# attributes this to the entropy (概率越大，信息熵越小). The first half is exactly right for the
# *self-information* of a single outcome; the entropy, as the sections below show, is a property
# of the whole distribution, and it is largest when all outcomes are equally likely.
#
# (sec-entropy-self-information)=
# ## Self-information: why a logarithm?
#
# What should the information $I(x)$ gained by observing an outcome $x$ of probability $p$ be?
# Ask for four things:
#
# 1. it depends only on the probability: $I(x) = f(p)$;
# 2. a certain event tells nothing, $f(1) = 0$, and a less probable event tells more: $f$ is
#    decreasing;
# 3. information from **independent** events adds up: if $x$ and $y$ are independent, observing both
#    (probability $pq$) tells as much as observing them one after the other:
#    $f(pq) = f(p) + f(q)$ for all $p, q \in (0, 1]$;
# 4. $f$ is smooth (differentiable; continuity is in fact enough).
#
# Requirement 3 does almost all the work. Differentiate it with respect to $q$, then set $q = 1$:
# $p\,f'(p) = f'(1)$. Call the constant $f'(1) = -k$ (negative, since $f$ decreases). This is an
# ordinary differential equation, and requirement 3 with $p = q = 1$ gives its initial condition
# $f(1) = 2f(1)$, that is $f(1) = 0$. SymPy carries out each step:

# %%
p, q = sp.symbols("p q", positive=True)
k = sp.Symbol("k", positive=True)
f = sp.Function("f")

additivity = f(p * q) - f(p) - f(q)  # = 0 for all p, q
step_1 = sp.diff(additivity, q)  # differentiate with respect to q ...
step_2 = step_1.subs(q, 1).doit()  # ... and set q = 1
display(sp.Eq(step_1, 0), sp.Eq(step_2, 0))
(slope_at_1,) = step_2.atoms(sp.Subs)  # the constant f'(1), the derivative at q = 1
ode = step_2.subs(slope_at_1, -k)
assert ode.free_symbols == {p, k}  # an equation in p alone: p f'(p) = f'(1) = -k
solution = sp.dsolve(sp.Eq(ode, 0), f(p), ics={f(1): 0})
display(solution)
assert sp.simplify(solution.rhs - (-k * sp.log(p))) == 0

# %% [markdown]
# The only candidates are $f(p) = -k\log p$ with $k > 0$. Conversely, every such function meets
# all four requirements. That the logarithm turns products into sums is the whole reason it
# appears: other decreasing functions with $f(1) = 0$, such as $1 - p$ or $1/p - 1$, are not
# additive, and SymPy refutes them with a counterexample:

# %%
I_log = -k * sp.log(p)
proof_log = sym.check_identity(I_log.subs(p, p * q), I_log + I_log.subs(p, q))
refute_linear = sym.check_identity(1 - p * q, (1 - p) + (1 - q))
refute_inverse = sym.check_identity(1 / (p * q) - 1, (1 / p - 1) + (1 / q - 1))
assert proof_log.verdict == "proved"
assert refute_linear.verdict == "refuted" and refute_inverse.verdict == "refuted"
decreasing = sp.diff(I_log, p)
assert decreasing.is_negative and I_log.subs(p, 1) == 0
display(proof_log, refute_linear, refute_inverse)
print(
    "d/dp (-k log p) =",
    decreasing,
    "< 0: a more probable outcome carries strictly less information; I(1) = 0",
)

# %% [markdown]
# This is the precise form of the seed's sentence: the self-information
#
# $$
# I(x) = -\log p(x)
# $$
#
# is a strictly decreasing function of the probability, it is 0 for a certain event, and it
# grows without bound as $p(x) \to 0$. The constant $k$ is not determined by the requirements: it
# only chooses the unit.
#
# (sec-entropy-units)=
# ### Units: bits, nats and bans
#
# Choosing $k$ is choosing the base of the logarithm, $-k\log p = -\log_b p$ with
# $k = 1/\ln b$:
#
# - base 2: **bits** ({term}`bit`). One bit is the information in a fair coin toss, $-\log_2\frac12$.
# - base $e$: **nats** ({term}`nat`). The natural unit of calculus, and the unit of every loss in
#   PyTorch.
# - base 10: **bans** ({term}`ban`), also called hartleys after {cite:t}`hartley1928`, who
#   measured information by a logarithm twenty years before Shannon. One ban is the information
#   in one uniformly random decimal digit.
#
# Changing the unit multiplies by a constant: $\log_b p = \ln p / \ln b$, so
# $I_{\text{bits}} = I_{\text{nats}}/\ln 2$ and $I_{\text{bits}} = I_{\text{bans}}\log_2 10$. The
# book's symbolic definition `sym.self_information(p, base)` uses exactly this, and SymPy proves
# the conversions:

# %%
I_bits, I_nats, I_bans = (sym.self_information(p, base=b) for b in (2, sp.E, 10))
display(
    sp.Eq(sp.Symbol("I_{bits}"), I_bits),
    sp.Eq(sp.Symbol("I_{nats}"), I_nats),
    sp.Eq(sp.Symbol("I_{bans}"), I_bans),
)
sym.check_identity(I_bits, I_nats / sp.log(2)).assert_proved()
sym.check_identity(I_bits, I_bans * sp.log(10, 2)).assert_proved()
sym.check_identity(I_nats, I_bans * sp.log(10)).assert_proved()
bits_per_nat, bits_per_ban, nats_per_ban = 1 / math.log(2), math.log2(10), math.log(10)
print(
    f"1 nat = {bits_per_nat:.4f} bits, 1 ban = {bits_per_ban:.4f} bits = "
    f"{nats_per_ban:.4f} nats"
)

# %% [markdown]
# On numbers, the lambdified definition agrees with `info.self_information(p, base=...)` in all
# three units, on seeded random probabilities and on the edges: a certain event ($p = 1$, no
# information), a probability so small that it is near the end of the floating-point range, and
# an impossible event ($p = 0$, infinite self-information in both).

# %%
edge_p = np.array([1.0, 0.5, 1e-300, 0.0])
for unit, base in (("bits", 2), ("nats", math.e), ("bans", 10)):
    cases = sym.random_cases(rng, lambda r: (r.uniform(0.0, 1.0, size=6),))
    cases["p = 1, 1/2, 1e-300, 0"] = (edge_p,)
    print(f"self-information in {unit}:")
    display(
        sym.check_numeric(
            sym.self_information(p, base=sp.E if base == math.e else base),
            [p],
            lambda x, b=base: info.self_information(x, base=b),
            cases,
        )
    )

# %% [markdown]
# (sec-entropy-definition)=
# ## Entropy: the average surprise
#
# A source that emits outcome $x$ with probability $p(x)$ delivers, per outcome, the information
# $-\log p(x)$ on average over many outcomes. That expectation is the **entropy** of $p$
# {cite:p}`shannon1948`:
#
# $$
# H(p) = \mathbb{E}_{x\sim p}\big[-\log p(x)\big] = -\sum_x p(x)\log p(x) .
# $$
#
# It is in bits with $\log_2$, in nats with $\ln$, and it depends only on the probabilities, not
# on what the outcomes are called or in which order they are listed. The book's symbolic
# definition `sym.entropy(ps)` is the same expected value:

# %%
p4 = sym.probabilities(4)
H4 = sym.entropy(p4)
display(sp.Eq(sp.Symbol("H(p)"), H4))
expected_surprise = sum(pi * sym.self_information(pi) for pi in p4)
sym.check_identity(H4, expected_surprise).assert_proved()
sym.check_identity(sym.entropy(p4, base=2), H4 / sp.log(2)).assert_proved()
print("H(p) = sum_x p(x) I(x), and H in bits = H in nats / ln 2: proved for n = 4")

# %% [markdown]
# An outcome of probability 0 never happens, so it should contribute nothing, but its term
# $0 \cdot \log 0$ is not defined. The convention $0\log 0 = 0$ is the limit of $p\log p$ as
# $p \to 0^+$, so entropy is continuous when a probability shrinks to zero:

# %%
limit_at_zero = sp.limit(p * sp.log(p), p, 0, "+")
assert limit_at_zero == 0
print(f"lim_(p -> 0+) p log p = {limit_at_zero}")

# %% [markdown]
# `info.entropy` follows that convention. The formula, lambdified, agrees with it on seeded random
# distributions and on the edge cases of `sym.edge_simplex` (uniform, nearly one-hot, one tiny
# entry). The lambdified formula cannot take an exact 0 (NumPy computes $0 \cdot (-\infty)$ as
# `nan`), which is why `info.entropy` handles zeros separately; the point-mass case is checked in
# {ref}`sec-entropy-extremes`.

# %%
cases = sym.random_cases(rng, lambda r: (sym.random_simplex(r, 4),), count=4)
cases.update({name: (vector,) for name, vector in sym.edge_simplex(4).items()})
sym.check_numeric(H4, [p4], info.entropy, cases)

# %% [markdown]
# For the coastal station the entropy is, in the three units,

# %%
H_coast = {
    unit: float(info.entropy(p_coast, base=b))
    for unit, b in (("bits", 2), ("nats", math.e), ("bans", 10))
}
assert np.isclose(H_coast["bits"], H_coast["nats"] * bits_per_nat)
assert np.isclose(H_coast["bits"], H_coast["bans"] * bits_per_ban)
print(", ".join(f"{value:.4f} {unit}" for unit, value in H_coast.items()))

# %% [markdown]
# (sec-entropy-bernoulli)=
# ## Two outcomes: the entropy of a coin
#
# The simplest source has two outcomes, 1 with probability $p$ and 0 with probability $1 - p$ (a
# {term}`Bernoulli distribution`). Its entropy, the *binary entropy function*, is
#
# $$
# h(p) = -p\log p - (1-p)\log(1-p) .
# $$
#
# Where is it largest? Its derivative is $h'(p) = \log\frac{1-p}{p}$, which is positive for
# $p < \frac12$, zero at $p = \frac12$ and negative after, and its second derivative
# $h''(p) = -\frac{1}{p(1-p)}$ is negative on the whole interval $(0, 1)$: $h$ is strictly
# concave, and its only stationary point is the global maximum, $h(\tfrac12) = \log 2$, one bit.
# SymPy derives each step from the book's definition:

# %%
h = sym.entropy([p, 1 - p])
h_prime = sp.simplify(sp.diff(h, p))
h_second = sp.factor(sp.simplify(sp.diff(h, p, 2)))
display(
    sp.Eq(sp.Symbol("h(p)"), h),
    sp.Eq(sp.Symbol("h'(p)"), h_prime),
    sp.Eq(sp.Symbol("h''(p)"), h_second),
)
sym.check_identity(h_prime, sp.log((1 - p) / p)).assert_proved()
sym.check_identity(h_second, -1 / (p * (1 - p))).assert_proved()
critical = sp.solve(h_prime, p)
assert critical == [sp.Rational(1, 2)]
assert (
    sp.solveset(h_second >= 0, p, sp.Interval.open(0, 1)) == sp.EmptySet
)  # h'' < 0 on (0, 1)
h_max = sp.simplify(h.subs(p, sp.Rational(1, 2)))
assert h_max == sp.log(2)
print(
    f"h'(p) = 0 only at p = {critical[0]}; h'' < 0 on (0, 1); h(1/2) = {h_max} nats = "
    f"{float(h_max / sp.log(2)):.0f} bit"
)

# %% [markdown]
# Both $h$ and $h'$ agree with `lossbook.info` on numbers: $h$ with `info.entropy` of the vector
# $(p, 1-p)$, and $h'$ with central finite differences of that function (step $10^{-6}$). Finite
# differences are only approximations: they agree to about $10^{-9}$ in the middle of the
# interval and less well near the ends, where the higher derivatives of $h$ are large, so the
# second table uses a relative tolerance of $10^{-6}$.


# %%
def binary_entropy(p_values):
    """h(p) in nats with lossbook.info: the entropy of (p, 1 - p) for each p."""
    return info.entropy(np.stack([p_values, 1 - p_values], axis=-1))


def binary_entropy_slope(p_values, step=1e-6):
    """Central finite differences of binary_entropy."""
    return (binary_entropy(p_values + step) - binary_entropy(p_values - step)) / (
        2 * step
    )


cases = sym.random_cases(rng, lambda r: (r.uniform(0.02, 0.98, size=5),))
cases["near 0"] = (np.array([1e-3, 1e-2, 0.05]),)
cases["near 1"] = (np.array([0.95, 0.99, 0.999]),)
display(sym.check_numeric(h, [p], binary_entropy, cases))
display(
    sym.check_numeric(h_prime, [p], binary_entropy_slope, cases, rtol=1e-6, atol=1e-9)
)

# %% [markdown]
# The figure shows $h$ in bits and its slope. A fair coin is the most uncertain two-outcome source;
# a coin that always lands the same way has entropy 0. The slope is unbounded at both ends:
# making a certain event very slightly uncertain adds entropy faster than any linear rate.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Left: the binary entropy h(p) in bits for p from 0 to 1, an arch that is 0 at both ends, symmetric about p = 1/2, where a dot marks its maximum of exactly 1 bit. Right: its derivative h'(p) in bits per unit of p, a decreasing curve that falls from large positive values near p = 0 through zero at p = 1/2 (marked) to large negative values near p = 1."}}
p_grid = np.linspace(1e-4, 1 - 1e-4, 801)
h_bits = binary_entropy(p_grid) / math.log(2)
slope_bits = sp.lambdify(p, h_prime / sp.log(2), "numpy")(p_grid)
fig, (ax_h, ax_d) = lbplot.figure("wide", ncols=2)
ax_h.plot(p_grid, h_bits, color=lbplot.PALETTE.blue)
ax_h.plot(
    [0.5],
    [1.0],
    "o",
    color=lbplot.PALETTE.vermillion,
    label="maximum: 1 bit at p = 1/2",
)
lbplot.label_axes(ax_h, "p = P(X = 1)", "entropy h(p)", unit="bits")
ax_h.set_ylim(0, 1.1)
ax_h.legend(loc="lower center")
ax_d.plot(p_grid, slope_bits, color=lbplot.PALETTE.bluish_green)
ax_d.axhline(0.0, color=lbplot.PALETTE.black, lw=0.8)
ax_d.plot([0.5], [0.0], "o", color=lbplot.PALETTE.vermillion, label="h'(1/2) = 0")
lbplot.label_axes(ax_d, "p = P(X = 1)", "slope h'(p)", unit="bits per unit p")
ax_d.set_ylim(-8, 8)
ax_d.legend(loc="upper right")
plt.show()

# %% [markdown]
# (sec-relative-entropy)=
# ## Relative entropy and Gibbs' inequality
#
# The rest of the chapter compares a distribution $p$ with another one: with the uniform
# distribution, with the distribution implied by a code, with the product of two marginals. The
# tool for such comparisons is the {term}`relative entropy` of $p$ with respect to $q$, better known
# in machine learning as the {term}`KL divergence`, after {cite:t}`kullback1951`. For two
# distributions $p$ and $q$ on the same finite set,
#
# $$
# D_{\mathrm{KL}}(p\,\|\,q) = \sum_x p(x)\log\frac{p(x)}{q(x)}
#   = \mathbb{E}_{x\sim p}\big[(-\log q(x)) - (-\log p(x))\big] :
# $$
#
# the average, over outcomes drawn from $p$, of how much more surprising each outcome is under
# $q$ than under $p$. Two conventions make it total, the same as for entropy: a term with
# $p(x) = 0$ is 0, and a term with $p(x) > 0 = q(x)$ is $+\infty$. `info.kl_divergence(p, q)`
# follows both, and `sym.kl_divergence(ps, qs)` is the symbolic definition. The divergence is not
# symmetric in $p$ and $q$. Chapter 2 ({doc}`02-cross-entropy`) reads it as the extra code length
# paid for coding $p$ with a code built for $q$, and chapter 5 ({doc}`05-kl-divergence`) studies it
# as a loss. Everything here rests on one fact about it.
#
# ```{prf:theorem} Gibbs' inequality
# :label: thm-gibbs
# For distributions $p, q$ on a finite set, $D_{\mathrm{KL}}(p\,\|\,q) \ge 0$, with equality
# if and only if $p = q$.
# ```
#
# ```{prf:proof}
# For $x > 0$, $\ln x \le x - 1$, with equality only at $x = 1$ (SymPy proves it below). Apply it
# with $x = q_i/p_i$ to each outcome with $p_i > 0$, weight by $p_i$ and add:
#
# $$
# -D_{\mathrm{KL}}(p\,\|\,q) = \sum_{i:\,p_i>0} p_i \ln\frac{q_i}{p_i}
#   \le \sum_{i:\,p_i>0} p_i\Big(\frac{q_i}{p_i} - 1\Big) = \sum_{i:\,p_i>0} q_i - 1 \le 0 .
# $$
#
# (A term with $q_i = 0 < p_i$ makes the divergence $+\infty$, and the claim holds.) Equality in
# the first step needs $q_i = p_i$ wherever $p_i > 0$; in the second, $q$ must put all its mass
# where $p_i > 0$. Together: $q = p$. In base $b$ the divergence is the one in nats divided by
# $\ln b > 0$, so the sign does not depend on the unit.
# ```
#
# The one-variable inequality is the whole proof, so SymPy proves it: $f(x) = x - 1 - \ln x$ has
# the single critical point $x = 1$, where $f = 0$, and $f''(x) = 1/x^2 > 0$, so $f$ is strictly
# convex and $x = 1$ is its unique global minimum on $(0, \infty)$.

# %%
x = sp.Symbol("x", positive=True)
f_x = x - 1 - sp.log(x)
critical_points = sp.solve(sp.diff(f_x, x), x)
f_second = sp.diff(f_x, x, 2)
assert critical_points == [1] and f_x.subs(x, 1) == 0
assert f_second.is_positive
display(sp.Eq(sp.Symbol("f(x)"), f_x), sp.Eq(sp.Symbol("f''(x)"), f_second))
print(
    "critical points of x - 1 - ln x:",
    critical_points,
    "| f(1) = 0 | f'' > 0 on (0, oo)",
)

# %% [markdown]
# On numbers, the symbolic definition agrees with `info.kl_divergence` (seeded random pairs and
# the edge cases of `sym.edge_simplex` for $p$), and 100 000 random pairs of distributions on four
# outcomes confirm the inequality: the smallest divergence found is positive, and the divergence
# of a distribution from itself is 0.

# %%
q4 = sym.probabilities(4, name="q")
KL4 = sym.kl_divergence(p4, q4)
display(sp.Eq(sp.Symbol(r"D_{\mathrm{KL}}(p \| q)"), KL4))
cases = sym.random_cases(
    rng, lambda r: (sym.random_simplex(r, 4), sym.random_simplex(r, 4)), count=3
)
for name, vector in sym.edge_simplex(4).items():
    cases[f"p {name}"] = (vector, sym.random_simplex(rng, 4))
display(sym.check_numeric(KL4, [p4, q4], info.kl_divergence, cases))
p_many = rng.dirichlet(np.ones(4), size=100_000)
q_many = rng.dirichlet(np.ones(4), size=100_000)
kl_many = info.kl_divergence(p_many, q_many)
kl_self = info.kl_divergence(p_many, p_many)
assert np.all(kl_many > 0) and np.all(kl_self == 0)
print(f"smallest KL(p || q) over 100000 random pairs: {kl_many.min():.2e} nats")
print(f"largest KL(p || p):                           {kl_self.max():.1f} nats")

# %% [markdown]
# (sec-entropy-extremes)=
# ## The largest and the smallest entropy
#
# ```{prf:theorem} Extreme values of the entropy
# :label: thm-max-entropy
# For every distribution $p$ on $n$ outcomes, $0 \le H(p) \le \log n$. The maximum $\log n$ is
# attained exactly at the uniform distribution, and the minimum 0 exactly at the point masses.
# ```
#
# ```{prf:proof}
# Upper bound: $\log n - H(p) = D_{\mathrm{KL}}(p\,\|\,u)$ with $u$ uniform (proved below), which
# is $\ge 0$ with equality only at $p = u$ by {prf:ref}`thm-gibbs`. Lower bound: each term
# $-p_i\log p_i$ is $\ge 0$ on $[0, 1]$ and is 0 only at $p_i \in \{0, 1\}$.
# ```
#
# This section derives both halves, and first finds the maximiser without knowing it in advance.
#
# ### The maximum: $\log n$, at the uniform distribution
#
# With $n$ outcomes, which distribution is the most uncertain? Maximise $H(p)$ over the simplex
# $\{p : p_i > 0,\ \sum_i p_i = 1\}$ with a Lagrange multiplier $\lambda$ for the constraint:
#
# $$
# \mathcal{L}(p, \lambda) = -\sum_{i=1}^{n} p_i\log p_i + \lambda\Big(\sum_{i=1}^{n} p_i - 1\Big),
# \qquad
# \frac{\partial\mathcal{L}}{\partial p_k} = -\log p_k - 1 + \lambda = 0 .
# $$
#
# The condition for $p_k$ involves $p_k$ alone, and it gives the same value $p_k = e^{\lambda - 1}$
# for every $k$; the constraint then forces $n e^{\lambda-1} = 1$, so $p_k = 1/n$. This argument
# works for **every** $n$, and `sym.derived.max_entropy(n)` carries it out with SymPy's indexed
# sums (part `"general"`). For fixed $n$ it also solves the full system of $n + 1$ equations,
# proves that the value there is $\log n$, and returns the {term}`Hessian` of $H$, which is
# diagonal with entries $-1/p_i < 0$: $H$ is strictly concave, so the stationary point is the
# unique global maximum. First the stationarity condition, from the definition:

# %%
lam = sp.Symbol("lambda")
lagrangian = H4 + lam * sym.simplex(p4)
condition = sp.diff(lagrangian, p4[0])
(p_k,) = sp.solve(condition, p4[0])
display(
    sp.Eq(sp.Symbol(r"\partial\mathcal{L}/\partial p_1"), condition), sp.Eq(p4[0], p_k)
)
assert not p_k.has(*p4)  # the same value for every entry

# %% [markdown]
# Then the derivation in `lossbook.symbolic`, for $n = 2, 3, 4$ and in general (solving the
# system takes SymPy longer with every extra unknown; the general-$n$ argument covers the rest):

# %%
report = []
for n in (2, 3, 4):
    max_H = sym.derived.max_entropy(n)
    assert bool(max_H) and list(max_H.derived) == [sp.Rational(1, n)] * n
    sym.check_identity(max_H["value"], sp.log(n)).assert_proved()
    hessian = max_H["hessian"]
    assert hessian.is_diagonal() and all(hessian[i, i].is_negative for i in range(n))
    report.append(
        f"n = {n}: argmax p = {list(max_H.derived)}, max H = {max_H['value']}, "
        "Hessian diagonal and negative definite"
    )
assert max_H["general"] == 1 / sp.Symbol("n", integer=True, positive=True)
report.append(f"general n: p_k = {max_H['general']}")
print("\n".join(report))
max_H

# %% [markdown]
# SymPy proves equalities, not inequalities, so the statement $H(p) \le \log n$ for **every** $p$
# needs one more step. The gap to the maximum is a divergence from the uniform distribution
# $u = (1/n, \dots, 1/n)$:
#
# $$
# \log n - H(p) = \sum_i p_i\log\frac{p_i}{1/n} = D_{\mathrm{KL}}(p\,\|\,u) \ge 0 ,
# $$
#
# and the relative entropy is non-negative, zero only at $p = u$, by {term}`Gibbs' inequality`
# ({prf:ref}`thm-gibbs`). SymPy proves the identity on
# the simplex for several $n$, and 100 000 random distributions on four outcomes confirm that
# none exceeds $\log_2 4 = 2$ bits:

# %%
for n in (2, 3, 4, 5):
    p_n = sym.probabilities(n)
    uniform_n = [sp.Rational(1, n)] * n
    sym.check_identity(
        sp.log(n) - sym.entropy(p_n),
        sym.kl_divergence(p_n, uniform_n),
        constraints=[sym.simplex(p_n)],
    ).assert_proved()
print("log n - H(p) = KL(p || uniform) on the simplex: proved for n = 2..5")
many_p = rng.dirichlet(np.ones(4), size=100_000)
H_many = info.entropy(many_p, base=2)
assert np.all(H_many <= 2.0 + 1e-12)
assert np.allclose(2.0 - H_many, info.kl_divergence(many_p, np.full(4, 0.25), base=2))
print(
    f"largest of 100000 random H(p): {H_many.max():.6f} bits, at p = "
    f"{many_p[H_many.argmax()]}"
)
print(f"H(uniform) = {float(info.entropy(np.full(4, 0.25), base=2)):.6f} bits")

# %% [markdown]
# ### The minimum: 0, at a point mass
#
# Each term $-p_i\log p_i$ is non-negative for $p_i \in [0, 1]$ (a logarithm of a number at most
# 1 is at most 0), and it is zero only at $p_i = 0$ and $p_i = 1$. So $H(p) \ge 0$, with equality
# exactly when every $p_i$ is 0 or 1: when $p$ is a point mass, and the outcome is certain.

# %%
negative_term = sp.solveset(-p * sp.log(p) < 0, p, sp.Interval.Lopen(0, 1))
zero_term = sp.solveset(sp.Eq(-p * sp.log(p), 0), p, sp.Interval.Lopen(0, 1))
assert negative_term == sp.EmptySet and zero_term == sp.FiniteSet(1)
print(
    "-p log p < 0 on (0, 1]:",
    negative_term,
    "| -p log p = 0 on (0, 1]:",
    zero_term,
    "| limit at 0:",
    limit_at_zero,
)
for point_mass in np.eye(4):
    assert float(info.entropy(point_mass)) == 0.0
print(
    "H(point mass) =",
    float(info.entropy(np.array([0.0, 0.0, 1.0, 0.0]), base=2)),
    "bits",
)

# %% [markdown]
# With three outcomes every distribution is a point of a triangle, and the entropy can be drawn
# over it. The corners are the point masses (entropy 0), the centre is the uniform distribution
# (the star, $\log_2 3$ bits), and the entropy rises from every corner and every edge towards
# the centre. This is the corrected form of the seed's claim: the more the probability is
# concentrated on few outcomes, the smaller the entropy.

# %% tags=["hide-input"] mystnb={"image": {"alt": "A triangular heat map of the entropy H(p) in bits over all distributions p on three outcomes. The corners, labelled with the point masses e1, e2 and e3, are dark (entropy 0); the colour brightens towards the centre, where a star marks the uniform distribution with the maximum entropy log2 3, about 1.585 bits. The contour bands are symmetric under exchanging the outcomes."}}
uniform3 = np.full(3, 1 / 3)
H_max3 = float(info.entropy(uniform3, base=2))
fig, ax = plt.subplots(figsize=(6.2, 5.2))
lbplot.simplex_heatmap(
    ax,
    lambda pts: info.entropy(pts, base=2),
    colorbar_label="entropy H(p) (bits)",
    vertex_labels=("$p = e_1$", "$p = e_2$", "$p = e_3$"),
    mark=uniform3,
)
ax.set_title(
    f"H(p) over the simplex; maximum log2 3 = {H_max3:.3f} bits at p = uniform"
)
plt.show()

# %% [markdown]
# (sec-entropy-coding)=
# ## Entropy as the length of the best code
#
# Why call an average surprise "a number of bits"? Because no binary code for the source has a
# shorter average length, and coding long blocks of outcomes comes as close to it as we like
# (this section and {ref}`sec-entropy-joint`). The coastal station sends its reports as bits,
# and it wants a short average message. A {term}`prefix code` (no codeword is the beginning of
# another) can be decoded without separators. A {term}`Shannon code` gives an outcome of
# probability $p(x)$ a codeword of
#
# $$
# \ell(x) = \big\lceil -\log_2 p(x) \big\rceil \ \text{bits},
# $$
#
# its self-information rounded up to a whole number of bits {cite:p}`shannon1948`. Such a prefix
# code exists because these lengths satisfy {term}`Kraft's inequality`
# $\sum_x 2^{-\ell(x)} \le 1$ {cite:p}`cover2006`: from $\ell(x) \ge -\log_2 p(x)$ we get
# $2^{-\ell(x)} \le p(x)$, and the $p(x)$ add up to 1. `info.shannon_code_lengths` computes the
# lengths; the cell builds the code (codewords assigned in order of length, each the next free
# binary number) and checks the prefix property.


# %%
def prefix_code(lengths):
    (
        """Binary codewords with the given lengths (a canonical prefix code).

    The lengths must satisfy Kraft's inequality.
    """
        ""
    )
    lengths = [int(length) for length in lengths]
    assert sum(2.0**-length for length in lengths) <= 1, (
        "lengths violate Kraft's inequality"
    )
    codewords, next_code, previous = [""] * len(lengths), 0, 0
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        next_code <<= (
            lengths[i] - previous
        )  # extend the next free number to the new length
        codewords[i] = format(next_code, f"0{lengths[i]}b")
        next_code, previous = next_code + 1, lengths[i]
    return codewords


len_coast = info.shannon_code_lengths(p_coast)
code_coast = prefix_code(len_coast)
assert code_coast == info.canonical_prefix_code(
    len_coast
)  # the same code, as later chapters build it
assert not any(a != b and b.startswith(a) for a in code_coast for b in code_coast)
kraft_coast = float(np.sum(2.0**-len_coast))
print(f"{'report':8s} {'p(x)':>5s} {'-log2 p':>8s} {'length':>7s} {'codeword':>9s}")
for i, name in enumerate(reports):
    print(
        f"{name:8s} {p_coast[i]:5.2f} {surprise_bits[i]:8.4f} {len_coast[i]:7d} "
        f"{code_coast[i]:>9s}"
    )
print(f"Kraft sum: {kraft_coast:.4f} <= 1")

# %% [markdown]
# A week of seeded coastal weather, encoded and decoded again: the bit stream has no separators,
# and reading it left to right recovers the reports, because no codeword is the start of another.

# %%
days = rng.choice(4, size=20_000, p=p_coast)
week = days[:7]
stream = "".join(code_coast[d] for d in week)
decoded, word = [], ""
for bit in stream:
    word += bit
    if word in code_coast:
        decoded.append(code_coast.index(word))
        word = ""
assert decoded == list(week) and word == ""
print("week:   ", " ".join(reports[d] for d in week))
print("bits:   ", stream, f"({len(stream)} bits)")
print("decoded:", " ".join(reports[d] for d in decoded))

# %% [markdown]
# The expected length of the code is $L = \sum_x p(x)\ell(x)$. Because
# $-\log_2 p(x) \le \ell(x) < -\log_2 p(x) + 1$ for every $x$, averaging over $p$ gives
#
# $$
# H(p) \le L < H(p) + 1 \quad \text{bits}.
# $$
#
# The upper bound is the cost of rounding up to whole bits. When every probability is a power of
# $\frac12$ (a *dyadic* distribution) nothing is rounded and $L = H(p)$ exactly. The cell checks
# the sandwich for the coast, for a desert station with dyadic frequencies, and for the long run
# of 20 000 simulated coastal days.

# %%
p_desert = np.array([0.5, 0.25, 0.125, 0.125])
len_desert = info.shannon_code_lengths(p_desert)
L_coast = float(info.expected_code_length(p_coast, len_coast))
L_desert = float(info.expected_code_length(p_desert, len_desert))
H_desert_bits = float(info.entropy(p_desert, base=2))
assert H_coast_bits <= L_coast < H_coast_bits + 1
assert np.isclose(L_desert, H_desert_bits, rtol=1e-14)  # dyadic: no rounding at all
bits_per_day = float(np.mean(len_coast[days]))
assert abs(bits_per_day - L_coast) < 0.05
print(f"{'station':8s} {'H (bits)':>9s} {'L (bits)':>9s} {'L - H':>7s}   lengths")
print(
    f"{'coast':8s} {H_coast_bits:9.4f} {L_coast:9.4f} {L_coast - H_coast_bits:7.4f}   "
    f"{len_coast}"
)
print(
    f"{'desert':8s} {H_desert_bits:9.4f} {L_desert:9.4f} "
    f"{L_desert - H_desert_bits:7.4f}   "
    f"{len_desert}"
)
print(f"coast, 20000 simulated days: {bits_per_day:.4f} bits per day")

# %% [markdown]
# ### No prefix code beats the entropy
#
# The Shannon code is within one bit of $H(p)$; could a cleverer code go *below* it? No. For any
# prefix code with lengths $\ell_i$, put $K = \sum_i 2^{-\ell_i} \le 1$ (Kraft) and
# $r_i = 2^{-\ell_i}/K$, a probability distribution. Then, on the simplex,
#
# $$
# L - H(p) = \sum_i p_i\ell_i + \sum_i p_i\log_2 p_i
#   = D_{\mathrm{KL}}(p\,\|\,r) - \log_2 K \ \ge\ 0 ,
# $$
#
# because the divergence is non-negative ({prf:ref}`thm-gibbs`) and $\log_2 K \le 0$. Equality needs $K = 1$
# and $p = r$, that is $p_i = 2^{-\ell_i}$: a dyadic distribution. This is the lower bound of
# Shannon's {term}`source coding theorem` {cite:p}`shannon1948,cover2006`. SymPy proves the
# identity for $n = 4$ with symbolic lengths:

# %%
ells = sp.symbols("ell_1:5", real=True)
K = sum(2**-ell for ell in ells)
r = [2**-ell / K for ell in ells]
L_sym = sum(pi * ell for pi, ell in zip(p4, ells))
coding_gap = sym.check_identity(
    L_sym - sym.entropy(p4, base=2),
    sym.kl_divergence(p4, r, base=2) - sp.log(K, 2),
    constraints=[sym.simplex(p4)],
)
coding_gap.assert_proved()
coding_gap

# %% [markdown]
# and on the coast's numbers the two sides agree, with the two non-negative parts shown:

# %%
K_coast = float(np.sum(2.0**-len_coast))
r_coast = 2.0**-len_coast / K_coast
kl_part = float(info.kl_divergence(p_coast, r_coast, base=2))
assert np.isclose(L_coast - H_coast_bits, kl_part - math.log2(K_coast))
print(
    f"L - H = {L_coast - H_coast_bits:.4f} bits = KL(p || r) {kl_part:.4f} "
    f"+ (-log2 K) {-math.log2(K_coast):.4f}"
)

# %% [markdown]
# The Shannon code for the coast wastes code space (its Kraft sum is below 1), so a better code
# exists; the optimal one is Huffman's {cite:p}`huffman1952` (exercise {ref}`ex-entropy-3`). The
# remaining gap of up to one bit disappears when many outcomes are coded together, as the next
# section shows.
#
# (sec-entropy-joint)=
# ## Joint entropy and independence
#
# Two random variables $X$ and $Y$ with joint distribution $p(x, y)$ have the {term}`joint entropy`
#
# $$
# H(X, Y) = -\sum_{x, y} p(x, y)\log p(x, y),
# $$
#
# the entropy of the pair seen as one outcome; `info.joint_entropy` takes the table $p(x, y)$.
# When $X$ and $Y$ are **independent**, $p(x, y) = p(x)\,q(y)$, and the self-information of a pair
# is the sum of the two self-informations (requirement 3 above). Averaging gives
#
# $$
# H(X, Y) = H(X) + H(Y) \qquad (X, Y \text{ independent}).
# $$
#
# The derivation is worth seeing step by step, because it shows exactly where the fact that
# both marginals sum to 1 enters. SymPy does it for any numbers of outcomes $n$ and $m$, with
# indexed sums: expand the logarithm of the product, split the double sum, and pull out of each
# inner sum what does not depend on its index.

# %%
i, j = sp.symbols("i j", integer=True, positive=True)
n_sym, m_sym = sp.symbols("n m", integer=True, positive=True)
P, Q = sym.indexed_probabilities("p"), sym.indexed_probabilities("q")


def pull_out(total):
    """Sum(a * b(index)) -> a * Sum(b(index)), for factors a free of the index."""
    body, limits = total.function, total.limits
    free, depends = body.as_independent(limits[0][0], as_Add=False)
    return free * sp.Sum(depends, *limits)


body = sp.expand(sp.expand_log(-P[i] * Q[j] * sp.log(P[i] * Q[j])))
inner = sp.Add(*[pull_out(sp.Sum(term, (j, 1, m_sym))) for term in body.args])
joint_general = sp.Add(
    *[pull_out(sp.Sum(term, (i, 1, n_sym))) for term in sp.expand(inner).args]
)
display(sp.Eq(-P[i] * Q[j] * sp.log(P[i] * Q[j]), body, evaluate=False))
display(sp.Eq(sp.Symbol("H(X, Y)"), joint_general))
sum_p, sum_q = sp.Sum(P[i], (i, 1, n_sym)), sp.Sum(Q[j], (j, 1, m_sym))
H_p_general, H_q_general = sym.entropy_sum(P, i, n_sym), sym.entropy_sum(Q, j, m_sym)
assert sp.expand(joint_general - (H_p_general * sum_q + H_q_general * sum_p)) == 0
on_simplex = joint_general.subs({sum_p: 1, sum_q: 1})
assert sp.expand(on_simplex - (H_p_general + H_q_general)) == 0
display(sp.Eq(sp.Symbol("H(X, Y)"), on_simplex))

# %% [markdown]
# Before the last step, $H(X, Y) = H(X)\sum_j q_j + H(Y)\sum_i p_i$: each entropy is multiplied
# by the total probability of the *other* variable, which is 1. On numbers, the symbolic joint
# entropy of a $3 \times 4$ product table agrees with `info.joint_entropy`, and so does
# $H(p) + H(q)$ computed with `info.entropy`:

# %%
p3_sym, q4_sym = sym.probabilities(3), sym.probabilities(4, name="q")
H_joint_sym = sym.entropy([pi * qj for pi in p3_sym for qj in q4_sym])


def joint_of_product(p_vec, q_vec):
    return info.joint_entropy(np.outer(p_vec, q_vec))


cases = sym.random_cases(
    rng, lambda r: (sym.random_simplex(r, 3), sym.random_simplex(r, 4))
)
cases["uniform x uniform"] = (np.full(3, 1 / 3), np.full(4, 0.25))
cases["near one-hot x coast"] = (sym.edge_simplex(3)["near one-hot"], p_coast)
display(sym.check_numeric(H_joint_sym, [p3_sym, q4_sym], joint_of_product, cases))
display(
    sym.check_numeric(
        sym.entropy(p3_sym) + sym.entropy(q4_sym),
        [p3_sym, q4_sym],
        joint_of_product,
        cases,
    )
)

# %% [markdown]
# ### Dependent variables share information
#
# Without independence the sum is only an upper bound: $H(X, Y) \le H(X) + H(Y)$, with equality
# exactly for independent variables. The gap is a divergence again: for any joint table
# $r(x, y)$ with marginals $r_X$ and $r_Y$,
#
# $$
# H(X) + H(Y) - H(X, Y) = D_{\mathrm{KL}}\big(r \,\|\, r_X \otimes r_Y\big) \ \ge\ 0 ,
# $$
#
# the divergence of the joint distribution from the product of its marginals, non-negative by
# Gibbs' inequality ({prf:ref}`thm-gibbs`) and zero exactly when $r = r_X \otimes r_Y$. (This gap
# is the *mutual information* of $X$ and $Y$, {ref}`sec-entropy-mutual-information` below.) SymPy
# proves the identity for
# tables of several sizes:

# %%
report = []
for rows, cols in ((2, 2), (2, 3), (3, 3)):
    r_table = [
        [sp.Symbol(f"r_{a + 1}{b + 1}", positive=True) for b in range(cols)]
        for a in range(rows)
    ]
    r_flat = [entry for row in r_table for entry in row]
    r_x = [sum(row) for row in r_table]
    r_y = [sum(r_table[a][b] for a in range(rows)) for b in range(cols)]
    product = [r_x[a] * r_y[b] for a in range(rows) for b in range(cols)]
    sym.check_identity(
        sym.entropy(r_x) + sym.entropy(r_y) - sym.entropy(r_flat),
        sym.kl_divergence(r_flat, product),
    ).assert_proved()
    report.append(
        f"{rows} x {cols} tables: H(X) + H(Y) - H(X, Y) = KL(r || r_X r_Y), proved"
    )
print("\n".join(report))

# %% [markdown]
# Weather is persistent. Let $X$ be today's report at the coast and $Y$ tomorrow's, and suppose
# that with probability $0.6$ tomorrow repeats today and otherwise is a fresh draw from $p$. Both
# days have the same distribution $p$, but the pair carries less than twice the information of one
# day, because tomorrow is partly predictable from today:

# %%
stay = 0.6
two_days = stay * np.diag(p_coast) + (1 - stay) * np.outer(p_coast, p_coast)
assert np.allclose(two_days.sum(axis=1), p_coast) and np.allclose(
    two_days.sum(axis=0), p_coast
)
H_two_days = float(info.joint_entropy(two_days, base=2))
H_independent = float(info.joint_entropy(np.outer(p_coast, p_coast), base=2))
assert np.isclose(H_independent, 2 * H_coast_bits) and H_two_days < 2 * H_coast_bits
shared = float(
    info.kl_divergence(two_days.ravel(), np.outer(p_coast, p_coast).ravel(), base=2)
)
assert np.isclose(2 * H_coast_bits - H_two_days, shared)
print(f"H(X) + H(Y)                = {2 * H_coast_bits:.4f} bits")
print(f"H(X, Y), independent days  = {H_independent:.4f} bits")
print(
    f"H(X, Y), persistent days   = {H_two_days:.4f} bits "
    f"(gap: {2 * H_coast_bits - H_two_days:.4f} bits = KL {shared:.4f} bits)"
)

# %% [markdown]
# ### Independent samples: sums of logarithms
#
# Additivity extends to any number of independent variables: $k$ independent draws from $p$ have
# joint entropy $k\,H(p)$, and the self-information of a whole sample $x_1, \dots, x_N$ is the
# **sum** $-\sum_{t} \log p(x_t)$. This is the form that likelihoods take in chapter
# {doc}`03-negative-log-likelihood`: the {term}`negative log-likelihood` of independent samples is a sum
# over samples. Its average over a long sample approaches $H(p)$ by the law of large numbers, as
# the 20 000 simulated coastal days show:

# %% tags=["hide-input"]
sample_information = info.self_information(p_coast[days], base=2)
for N in (10, 100, 1_000, 20_000):
    print(
        f"N = {N:6d}: average self-information {sample_information[:N].mean():.4f} "
        "bits "
        f"(H = {H_coast_bits:.4f})"
    )

# %% [markdown]
# The same additivity closes the gap of the Shannon code. Code blocks of $k$ days at once: a
# block is one outcome of the product distribution, whose entropy is $k\,H(p)$, so its Shannon
# code has an expected length between $k\,H(p)$ and $k\,H(p) + 1$ bits, and per day between
# $H(p)$ and $H(p) + 1/k$. The cell builds the product table for $k = 1, \dots, 8$ (up to
# $4^8 = 65\,536$ blocks), checks the joint entropy and the sandwich, and the figure shows the
# per-day length closing in on the entropy: this is Shannon's source coding theorem at work.

# %%
block_sizes = np.arange(1, 9)
per_day_length = []
table = np.array([1.0])
for block in block_sizes:
    table = np.multiply.outer(table, p_coast) if block > 1 else p_coast.copy()
    H_block = float(info.joint_entropy(table, base=2))
    assert np.isclose(H_block, block * H_coast_bits)
    flat = table.ravel()
    L_block = float(info.expected_code_length(flat, info.shannon_code_lengths(flat)))
    assert H_block <= L_block < H_block + 1
    per_day_length.append(L_block / block)
per_day_length = np.array(per_day_length)
for block, length in zip(block_sizes, per_day_length):
    print(
        f"k = {block}: {length:.4f} bits per day (bound H + 1/k = "
        f"{H_coast_bits + 1 / block:.4f})"
    )

# %% tags=["hide-input"] mystnb={"image": {"alt": "Expected Shannon-code length per day, in bits, when the coastal weather is coded in blocks of k = 1 to 8 days. The points start at 2.4 bits for single days and fall towards the entropy, a horizontal line at 1.815 bits; they always lie between that line and the upper bound H + 1/k, a curve that decreases towards the entropy."}}
fig, ax = lbplot.figure("single")
ks_fine = np.linspace(1, 8, 200)
ax.fill_between(
    ks_fine,
    H_coast_bits,
    H_coast_bits + 1 / ks_fine,
    color=lbplot.PALETTE.sky_blue,
    alpha=0.3,
    label="guaranteed range [H, H + 1/k)",
)
ax.axhline(
    H_coast_bits,
    color=lbplot.PALETTE.black,
    ls="--",
    lw=1.5,
    label=f"entropy H(p) = {H_coast_bits:.3f} bits",
)
ax.plot(
    block_sizes,
    per_day_length,
    "o-",
    color=lbplot.PALETTE.vermillion,
    label="Shannon code for blocks of k days",
)
lbplot.label_axes(
    ax, "block length k (days coded together)", "expected length per day", unit="bits"
)
ax.set_xticks(block_sizes)
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# (sec-entropy-conditional)=
# ## Conditional entropy, the chain rule and mutual information
#
# Persistent weather makes tomorrow partly predictable from today. How much uncertainty about $Y$
# is left once $X$ is known? For each value $x$ with $p(x) > 0$, the conditional distribution
# $p(y \mid x) = p(x, y)/p(x)$ has an entropy $H(Y \mid X = x)$; its average over $x$ is the
# {term}`conditional entropy`
#
# $$
# H(Y \mid X) = \sum_x p(x)\, H(Y \mid X = x) = -\sum_{x, y} p(x, y)\log p(y \mid x) .
# $$
#
# ```{prf:theorem} Chain rule for entropy
# :label: thm-chain-rule
# For every joint distribution of two random variables $X, Y$ with finitely many values,
# $H(X, Y) = H(X) + H(Y \mid X)$.
# ```
#
# ```{prf:proof}
# Wherever $p(x, y) > 0$, $\log p(x, y) = \log p(x) + \log p(y \mid x)$. Multiply by $-p(x, y)$
# and sum over all pairs; the first part sums over $y$ to $-\sum_x p(x)\log p(x) = H(X)$, because
# the conditional probabilities of each row add up to 1. Pairs with $p(x, y) = 0$ contribute 0 to
# every sum.
# ```
#
# In words, the {term}`chain rule` says: learning the pair costs learning $X$, then learning $Y$
# with $X$ known. SymPy derives it for a table of **any** size $n \times m$: write the joint table
# as $p_i\,w_{ij}$, with $p_i = p(x_i)$ and $w_{ij} = p(y_j \mid x_i)$, expand the logarithm of
# the product, pull out of each inner sum what does not depend on $j$, and use that every row of
# $w$ sums to 1 (the same steps as for independent variables above, where $w_{ij} = q_j$).

# %%
W = sp.IndexedBase("w", positive=True)  # w[i, j] = p(y_j | x_i), each row sums to 1
joint_ij = P[i] * W[i, j]
body = sp.expand(sp.expand_log(-joint_ij * sp.log(joint_ij)))
inner = sp.Add(*[pull_out(sp.Sum(term, (j, 1, m_sym))) for term in body.args])
row_sums_are_one = {sp.Sum(W[i, j], (j, 1, m_sym)): 1}
chain_general = sp.Add(
    *[
        sp.Sum(term, (i, 1, n_sym))
        for term in sp.expand(inner.subs(row_sums_are_one)).args
    ]
)
H_row = -sp.Sum(W[i, j] * sp.log(W[i, j]), (j, 1, m_sym))  # H(Y | X = x_i)
H_y_given_x_general = sp.Sum(P[i] * H_row, (i, 1, n_sym))
display(sp.Eq(sp.Symbol("H(X, Y)"), chain_general))
assert sp.simplify(chain_general - (H_p_general + H_y_given_x_general)) == 0
print("H(X, Y) = H(X) + H(Y | X): derived for n x m tables (symbolic n, m)")

# %% [markdown]
# For the persistent coastal weather, the cell computes $H(Y \mid X)$ from its definition (the
# entropy of each row of the conditional table, averaged over today's report), compares it with
# `info.conditional_entropy` (which takes the joint table, $X$ on the rows), and checks the chain
# rule against the joint entropy. Knowing today's report leaves less than the $H(p)$ bits of
# uncertainty about tomorrow:

# %%
p_today = two_days.sum(axis=1)
tomorrow_given_today = two_days / p_today[:, None]  # row x: p(y | x)
H_rows = info.entropy(tomorrow_given_today, base=2)
H_tomorrow_given_today = float(np.sum(p_today * H_rows))
assert np.isclose(
    H_tomorrow_given_today, float(info.conditional_entropy(two_days, base=2))
)
assert np.isclose(H_two_days, H_coast_bits + H_tomorrow_given_today)
print(f"{'today':8s} {'H(Y | X = x) (bits)':>20s}")
for name, value in zip(reports, H_rows):
    print(f"{name:8s} {value:20.4f}")
print(f"H(Y | X) = {H_tomorrow_given_today:.4f} bits < H(Y) = {H_coast_bits:.4f} bits")
print(
    f"H(X) + H(Y | X) = {H_coast_bits + H_tomorrow_given_today:.4f} = "
    f"H(X, Y) = {H_two_days:.4f} bits"
)

# %% [markdown]
# (sec-entropy-mutual-information)=
# ### Mutual information
#
# The uncertainty about $Y$ that knowing $X$ removes is the {term}`mutual information`
#
# $$
# I(X; Y) = H(Y) - H(Y \mid X) .
# $$
#
# ```{prf:theorem} Mutual information
# :label: thm-mutual-information
# For every joint distribution $p_{XY}$ of $X, Y$ on finite sets, with marginals $p_X, p_Y$,
#
# $$
# I(X; Y) = H(Y) - H(Y \mid X) = H(X) - H(X \mid Y) = H(X) + H(Y) - H(X, Y)
#   = D_{\mathrm{KL}}\big(p_{XY} \,\|\, p_X \otimes p_Y\big) \ \ge\ 0 ,
# $$
#
# with $I(X; Y) = 0$ if and only if $X$ and $Y$ are independent.
# ```
#
# ```{prf:proof}
# The chain rule in both orders, $H(X, Y) = H(X) + H(Y \mid X) = H(Y) + H(X \mid Y)$, turns both
# differences into $H(X) + H(Y) - H(X, Y)$. That equals the divergence: its terms are
# $p(x, y)\big(\log p(x, y) - \log p(x) - \log p(y)\big)$, and summing the last two parts over
# the other variable gives $-H(X) - H(Y)$ (SymPy checked this identity for tables of several sizes
# in {ref}`sec-entropy-joint`). By {prf:ref}`thm-gibbs` the divergence is $\ge 0$, and it is 0
# exactly when $p_{XY} = p_X \otimes p_Y$, which is the definition of independence.
# ```
#
# Mutual information is symmetric: $X$ tells as much about $Y$ as $Y$ tells about $X$. For the
# coastal weather, all four expressions give the same number as `info.mutual_information` (which
# takes the joint table); two independent days share nothing, and a second day that repeats the
# first shares all of it, $I = H(p)$:

# %%
p_tomorrow = two_days.sum(axis=0)
today_given_tomorrow = two_days / p_tomorrow[None, :]  # column y: p(x | y)
H_today_given_tomorrow = float(
    np.sum(p_tomorrow * info.entropy(today_given_tomorrow.T, base=2))
)
forms = {
    "H(Y) - H(Y | X)": float(info.entropy(p_tomorrow, base=2)) - H_tomorrow_given_today,
    "H(X) - H(X | Y)": float(info.entropy(p_today, base=2)) - H_today_given_tomorrow,
    "H(X) + H(Y) - H(X, Y)": 2 * H_coast_bits - H_two_days,
    "KL(p_XY || p_X p_Y)": shared,
}
mi_two_days = float(info.mutual_information(two_days, base=2))
assert np.allclose(list(forms.values()), mi_two_days, rtol=1e-12)
assert np.isclose(float(info.mutual_information(two_days.T, base=2)), mi_two_days)
mi_independent = float(info.mutual_information(np.outer(p_coast, p_coast), base=2))
mi_repeat = float(info.mutual_information(np.diag(p_coast), base=2))
assert abs(mi_independent) < 1e-15 and np.isclose(mi_repeat, H_coast_bits)
for name, value in forms.items():
    print(f"{name:24s} = {value:.4f} bits")
print(f"{'info.mutual_information':24s} = {mi_two_days:.4f} bits")
print(
    f"independent days: I(X; Y) = {mi_independent:.4f} bits; "
    f"tomorrow = today: I(X; Y) = {mi_repeat:.4f} bits = H(p)"
)

# %% [markdown]
# (sec-entropy-floor)=
# ### The floor of a classifier's loss
#
# A classifier sees an input $x$ and predicts a distribution $q(\cdot \mid x)$ over the labels
# $y$; its expected loss is the cross-entropy (chapter 2, {doc}`02-cross-entropy`) averaged over
# the inputs, $\mathbb{E}_x\, H\big(p(\cdot \mid x), q(\cdot \mid x)\big)$, where
# $H(p, q) = -\sum_y p(y)\log q(y)$.
#
# ```{prf:theorem} The conditional entropy is the floor of the expected loss
# :label: thm-conditional-entropy-floor
# For every predictor $q(\cdot \mid x)$,
#
# $$
# \mathbb{E}_x\, H\big(p(\cdot \mid x), q(\cdot \mid x)\big)
#   = H(Y \mid X) + \mathbb{E}_x\, D_{\mathrm{KL}}\big(p(\cdot \mid x)\,\|\,q(\cdot \mid x)\big)
#   \ \ge\ H(Y \mid X),
# $$
#
# with equality exactly when $q(\cdot \mid x) = p(\cdot \mid x)$ for every $x$ with $p(x) > 0$.
# ```
#
# ```{prf:proof}
# For each $x$, $-\log q(y \mid x) = -\log p(y \mid x) + \log\frac{p(y \mid x)}{q(y \mid x)}$;
# averaging over $y \sim p(\cdot \mid x)$ gives $H(p, q) = H(p) + D_{\mathrm{KL}}(p\,\|\,q)$ for
# that row. Average over $x$, and apply {prf:ref}`thm-gibbs` to each row.
# ```
#
# So no model, however large, can bring the expected loss below $H(Y \mid X)$: the labels are
# noisy given the input, and that noise is the floor. A model that ignores the input can at best
# predict the label frequencies $p(y)$, and pays $H(Y) = H(Y \mid X) + I(X; Y)$: the mutual
# information is what the input is worth to the classifier. The cell checks the row identity with
# SymPy for three labels, then plays forecaster for the coast: predicting tomorrow from today with
# the true conditional table, with the climatology $p$ alone, and with 1 000 random tables.

# %%
w3, q3 = sym.probabilities(3, name="w"), sym.probabilities(3, name="q")
sym.check_identity(
    sym.cross_entropy(w3, q3), sym.entropy(w3) + sym.kl_divergence(w3, q3)
).assert_proved()
print("H(w, q) = H(w) + KL(w || q): proved for 3 labels")


def expected_loss_bits(forecast):
    """E_x H(p(. | x), forecast(. | x)) in bits; forecast rows are today's reports."""
    return float(
        np.sum(p_today * info.cross_entropy(tomorrow_given_today, forecast, base=2))
    )


loss_true = expected_loss_bits(tomorrow_given_today)
loss_climate = expected_loss_bits(np.tile(p_coast, (4, 1)))
random_forecasts = rng.dirichlet(np.ones(4), size=(1_000, 4))
loss_random = np.array([expected_loss_bits(table) for table in random_forecasts])
assert np.isclose(loss_true, H_tomorrow_given_today)
assert np.isclose(loss_climate, H_tomorrow_given_today + shared)
assert np.all(loss_random > loss_true)
print(f"{'forecaster':34s} {'expected loss (bits)':>21s}")
print(f"{'true p(y | x): the floor H(Y | X)':34s} {loss_true:21.4f}")
print(f"{'climatology p(y): H(Y | X) + I':34s} {loss_climate:21.4f}")
print(f"{'best of 1000 random tables':34s} {loss_random.min():21.4f}")

# %% [markdown]
# On a finite sample the average loss of the true forecaster fluctuates around the floor, just as
# the average self-information approached $H(p)$ above; chapter 9 ({doc}`09-end-to-end`) measures
# this floor and a trained model's excess over it for a real classifier.

# %% [markdown]
# (sec-entropy-pytorch)=
# ## In PyTorch
#
# PyTorch has no `entropy` function in `torch.nn.functional`; entropies of predicted distributions
# (used as regularisers, for example in reinforcement learning, or to measure a model's
# uncertainty) come from `torch.distributions` or are written by hand. All of them are in
# **nats**.
#
# | quantity | PyTorch | `lossbook` |
# |---|---|---|
# | $H(p)$ of probability rows | `Categorical(probs=p).entropy()` | `info.entropy(p)` |
# | $H$ of a softmax over logits | `Categorical(logits=z).entropy()` | `info.entropy(softmax(z))` |
# | binary entropy $h(p)$ | `Bernoulli(probs=p).entropy()` | `info.entropy([p, 1 - p])` |
# | terms $-p\log p$ (with $0\log 0 = 0$) | `torch.special.entr(p)`, `-torch.xlogy(p, p)` | `-p * log p`, zeros handled |
# | self-information | `-torch.log(p)` | `info.self_information(p)` |
#
# Three mistakes come up again and again.
#
# **Writing $-\sum p\log p$ literally.** `-(p * torch.log(p)).sum()` returns `nan` as soon as one
# probability is exactly 0 (a one-hot target, a masked class, a softmax that underflowed): `torch.log(0)`
# is $-\infty$, and in floating point $0 \cdot (-\infty)$ is `nan`, not 0. The fix is a function
# that implements the convention $0\log 0 = 0$: `torch.special.entr` or `torch.xlogy`, as
# `info.entropy` does. The cell reproduces the arithmetic with Python floats.

# %%
p_with_zero = [0.5, 0.5, 0.0]
log_p = [
    math.log(x) if x > 0 else -math.inf for x in p_with_zero
]  # what torch.log returns
naive = -sum(x * lx for x, lx in zip(p_with_zero, log_p))
print(f"log p = {log_p}; 0 * (-inf) = {0.0 * -math.inf}")
print(
    f"naive -sum p log p = {naive}; info.entropy = "
    f"{float(info.entropy(p_with_zero)):.6f} nats"
)
assert math.isnan(naive)

# %% [markdown]
# **Passing {term}`logit`s where probabilities are expected.** The first positional argument of
# `Categorical` is `probs`, so `Categorical(z)` with non-negative scores $z$ treats them as
# unnormalised probabilities and **silently divides by their sum** (negative scores raise an
# error). The entropy of the model's softmax needs `Categorical(logits=z)`. The same silent
# normalisation hides an unnormalised probability vector; `lossbook.info` refuses one instead:

# %%
z_scores = np.array([2.0, 1.0, 0.1])
softmax_z = np.exp(z_scores - z_scores.max()) / np.exp(z_scores - z_scores.max()).sum()
H_logits = float(info.entropy(softmax_z))
H_as_probs = float(info.entropy(z_scores / z_scores.sum()))
print(f"Categorical(logits=z).entropy() -> {H_logits:.4f} nats   (right)")
print(
    f"Categorical(z).entropy()        -> {H_as_probs:.4f} nats   (z normalised as if "
    "probabilities)"
)
try:
    info.entropy([0.2, 0.3])
except ValueError as error:
    print("info.entropy([0.2, 0.3]) raises ValueError:", error)

# %% [markdown]
# **Mixing up units.** Textbooks and coding arguments use bits, PyTorch uses nats. A fair coin has
# an entropy of 1 bit, and `Bernoulli(probs=0.5).entropy()` returns about 0.6931: divide nats by
# $\ln 2$ to get bits. The numbers of chapter {doc}`02-cross-entropy` and later chapters are in nats
# unless they say otherwise.

# %%
coin_nats = float(info.entropy([0.5, 0.5]))
print(f"fair coin: {coin_nats:.4f} nats = {coin_nats / math.log(2):.4f} bits")
print(f"coast: {H_coast['nats']:.4f} nats = {H_coast['nats'] / math.log(2):.4f} bits")

# %% [markdown]
# (sec-entropy-summary)=
# ## Summary
#
# - The self-information $-\log p(x)$ is the only smooth measure of the information in an outcome
#   that depends only on its probability, adds up over independent events and decreases as the
#   probability grows: additivity alone allows every multiple $-k\log p$ (and forces $f(1) = 0$),
#   and the decrease makes $k > 0$. The base of the logarithm sets the unit (bits, nats, bans),
#   and units convert by constant factors.
# - A more probable outcome carries strictly less information; a certain one carries none.
# - The entropy $H(p) = -\sum_x p(x)\log p(x)$ is the expected self-information, with
#   $0\log 0 = 0$. It satisfies $0 \le H(p) \le \log n$: 0 exactly at point masses, $\log n$
#   exactly at the uniform distribution (Lagrange multiplier; the gap is $D_{\mathrm{KL}}(p\,\|\,u)$).
#   A fair coin has the largest two-outcome entropy, 1 bit.
# - The relative entropy $D_{\mathrm{KL}}(p\,\|\,q) = \sum_x p(x)\log\frac{p(x)}{q(x)}$ is
#   $\ge 0$, with equality only at $q = p$ (Gibbs' inequality, {prf:ref}`thm-gibbs`).
# - The Shannon code with lengths $\lceil -\log_2 p(x)\rceil$ has expected length in
#   $[H(p), H(p) + 1)$ bits, and no prefix code does better than $H(p)$; coding blocks of $k$
#   outcomes brings the cost per outcome within $1/k$ of $H(p)$.
# - For independent variables $H(X, Y) = H(X) + H(Y)$; dependence can only lower the joint
#   entropy. Additivity is why the information (and, later, the negative log-likelihood) of
#   independent samples is a sum.
# - Chain rule: $H(X, Y) = H(X) + H(Y \mid X)$ for every joint table. The mutual information
#   $I(X; Y) = H(Y) - H(Y \mid X) = D_{\mathrm{KL}}(p_{XY}\,\|\,p_X \otimes p_Y)$ is $\ge 0$, and
#   0 exactly for independent variables. No classifier's expected cross-entropy goes below
#   $H(Y \mid X)$.
#
# ## Exercises
#
# ```{exercise} Dice, digits and units
# :label: ex-entropy-1
# (a) How much information is in the roll of a fair six-sided die, in bits, nats and bans?
# (b) A four-digit PIN is chosen uniformly at random. How much information does it carry, in bans
# and in bits? Why is the number of bans a whole number?
# (c) Show with SymPy that for any two bases $a, b > 1$ the entropy in base $b$ is the entropy in
# base $a$ times $\log_b a$ (check it for $n = 3$ outcomes), and compute the factor that turns
# bans into nats.
# ```
#
# ```{solution-start} ex-entropy-1
# :class: dropdown
# ```
#
# (a) A uniform distribution on $n$ outcomes has entropy $\log n$: here $\log_2 6$ bits,
# $\ln 6$ nats, $\log_{10} 6$ bans. (b) $10^4$ equally likely PINs: $\log_{10} 10^4 = 4$ bans,
# one ban per decimal digit, because a ban is the information of one uniformly random decimal
# digit; in bits it is $4\log_2 10$. (c) $\log_b x = \log_a x \cdot \log_b a$ term by term; the
# factor from bans to nats is $\ln 10$.

# %%
die = np.full(6, 1 / 6)
print(
    "(a) die:",
    ", ".join(
        f"{float(info.entropy(die, base=b)):.4f} {unit}"
        for unit, b in (("bits", 2), ("nats", math.e), ("bans", 10))
    ),
)
pin_bans = float(info.entropy(np.full(10_000, 1e-4), base=10))
pin_bits = float(info.entropy(np.full(10_000, 1e-4), base=2))
print(f"(b) PIN: {pin_bans:.4f} bans = {pin_bits:.4f} bits")
a_base, b_base = sp.symbols("a b", positive=True)
p3_ex = sym.probabilities(3)
sym.check_identity(
    sym.entropy(p3_ex, base=b_base),
    sym.entropy(p3_ex, base=a_base) * sp.log(a_base) / sp.log(b_base),
).assert_proved()
print(
    f"(c) H_b = H_a log_b a: proved for n = 3; bans -> nats: multiply by ln 10 = "
    f"{math.log(10):.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Half a bit
# :label: ex-entropy-2
# (a) Prove with SymPy that the binary entropy is symmetric, $h(p) = h(1 - p)$, and explain the
# symmetry in words.
# (b) Find the two probabilities $p$ for which a biased coin has an entropy of exactly half a bit
# (numerically, for example with `scipy.optimize.brentq`).
# (c) Compute $h(0.01)$ and $h(0.001)$ in bits and the ratios $h(p)/p$. What does the unbounded
# slope of $h$ at 0 mean for a very rare event?
# ```
#
# ```{solution-start} ex-entropy-2
# :class: dropdown
# ```
#
# (a) Exchanging the labels of the two outcomes does not change the set of probabilities, and
# entropy depends only on that set. (b) $h$ increases on $(0, \frac12)$ and decreases on
# $(\frac12, 1)$, so each half contains one solution, and they are symmetric: $p^*$ and $1 - p^*$.
# (c) $h(p) \approx p\log_2(1/p) + p\log_2 e$ for small $p$, so $h(p)/p$ grows like $\log_2(1/p)$:
# a rare event contributes little entropy in total, but far more than its probability, because
# the surprise it brings when it does occur is large.

# %%
sym.check_identity(h, h.subs(p, 1 - p)).assert_proved()
print("(a) h(p) = h(1 - p): proved")


def half_bit_gap(x):
    return float(binary_entropy(np.array(x))) / math.log(2) - 0.5


p_low = scipy.optimize.brentq(half_bit_gap, 1e-6, 0.5, xtol=1e-14)
p_high = scipy.optimize.brentq(half_bit_gap, 0.5, 1 - 1e-6, xtol=1e-14)
assert abs(p_low + p_high - 1) < 1e-10
print(f"(b) h(p) = 0.5 bit at p = {p_low:.6f} and p = {p_high:.6f}")
for small in (0.01, 0.001):
    h_small = float(binary_entropy(np.array(small))) / math.log(2)
    print(
        f"(c) h({small}) = {h_small:.4f} bits, h(p)/p = {h_small / small:.2f}, "
        f"log2(1/p) = {math.log2(1 / small):.2f}"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Shannon versus Huffman
# :label: ex-entropy-3
# {cite:t}`huffman1952` found the prefix code of smallest expected length: repeatedly merge the
# two least probable outcomes into one, until one is left; each merge adds one bit to the
# codewords of everything merged.
# (a) Compute the Huffman code lengths for the coastal station and their expected length, and
# compare with $H(p)$ and with the Shannon code. Is $H \le L_{\text{Huffman}} \le
# L_{\text{Shannon}}$?
# (b) Do the same for a smoke detector that reports "fine" with probability 0.99 and "smoke" with
# probability 0.01. How far is each code from the entropy, and what would you do to get closer?
# ```
#
# ```{solution-start} ex-entropy-3
# :class: dropdown
# ```
#
# (a) Huffman's code uses the code space fully (Kraft sum 1) and is shorter than Shannon's on the
# coast, but both stay above $H(p)$. (b) With two outcomes every prefix code needs at least 1 bit
# per report, and the Shannon code even gives "smoke" 7 bits; the entropy is far below 1 bit.
# Coding blocks of many reports together (previous section) brings the cost per report down
# towards $H(p)$.


# %%
def huffman_lengths(probabilities):
    """Codeword lengths of a Huffman code (ties broken by order of creation)."""
    heap = [(float(px), index, [index]) for index, px in enumerate(probabilities)]
    heapq.heapify(heap)
    lengths, counter = [0] * len(probabilities), len(probabilities)
    while len(heap) > 1:
        p_a, _, members_a = heapq.heappop(heap)
        p_b, _, members_b = heapq.heappop(heap)
        for member in members_a + members_b:
            lengths[member] += 1
        heapq.heappush(heap, (p_a + p_b, counter, members_a + members_b))
        counter += 1
    return np.array(lengths)


for label, dist in (("coast", p_coast), ("smoke detector", np.array([0.99, 0.01]))):
    huffman = huffman_lengths(dist)
    shannon = info.shannon_code_lengths(dist)
    L_h = float(info.expected_code_length(dist, huffman))
    L_s = float(info.expected_code_length(dist, shannon))
    H_d = float(info.entropy(dist, base=2))
    assert H_d <= L_h <= L_s and np.sum(2.0**-huffman) == 1.0
    print(
        f"{label}: H = {H_d:.4f} bits; Huffman {huffman} -> {L_h:.4f} bits; "
        f"Shannon {shannon} -> {L_s:.4f} bits"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Grouping outcomes
# :label: ex-entropy-4
# Merge two outcomes of a three-outcome distribution $p = (p_1, p_2, p_3)$ into one, with
# probability $s = p_1 + p_2$.
# (a) Prove with SymPy the *grouping rule*
# $H(p_1, p_2, p_3) = H(s, p_3) + s\,H\big(\tfrac{p_1}{s}, \tfrac{p_2}{s}\big)$ and read it in
# words: first learn which group, then, if needed, which member.
# (b) The harbour master only cares whether it is "wet" (rain or fog) or "dry" (sun or clouds).
# Compute the entropy of her two-report version of the coast station and how much information the
# full report adds on top of it. Check that the pieces add up to $H(p)$.
# (c) Conclude that merging outcomes never increases the entropy.
# ```
#
# ```{solution-start} ex-entropy-4
# :class: dropdown
# ```
#
# (a) Expand the logarithms: $-p_1\log\frac{p_1}{s} - p_2\log\frac{p_2}{s} = -p_1\log p_1 -
# p_2\log p_2 + s\log s$, which turns $H(s, p_3)$ into $H(p)$. (b) Apply the rule with two groups:
# the full entropy is the entropy of "wet or dry" plus, weighted by the probability of each
# group, the entropy of the report within the group. (c) The correction term
# $s\,H(p_1/s, p_2/s)$ is a probability times an entropy, so it is non-negative.

# %%
p3_group = sym.probabilities(3)
s_group = p3_group[0] + p3_group[1]
grouping = sym.entropy([s_group, p3_group[2]]) + s_group * sym.entropy(
    [p3_group[0] / s_group, p3_group[1] / s_group]
)
sym.check_identity(sym.entropy(p3_group), grouping).assert_proved()
print("(a) grouping rule: proved for n = 3")
dry, wet = p_coast[:2].sum(), p_coast[2:].sum()
H_wet_dry = float(info.entropy([dry, wet], base=2))
within = dry * float(info.entropy(p_coast[:2] / dry, base=2)) + wet * float(
    info.entropy(p_coast[2:] / wet, base=2)
)
assert np.isclose(H_wet_dry + within, H_coast_bits)
print(
    f"(b) H(dry, wet) = {H_wet_dry:.4f} bits; the full report adds {within:.4f} bits; "
    f"sum {H_wet_dry + within:.4f} = H(p) = {H_coast_bits:.4f} bits"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Two dice and their sum
# :label: ex-entropy-5
# Two fair dice are rolled independently.
# (a) Compute $H(X_1, X_2)$ with `info.joint_entropy` and compare with $H(X_1) + H(X_2)$.
# (b) Compute the entropy of the sum $S = X_1 + X_2$. Why is it smaller than $H(X_1, X_2)$, and
# how could you have predicted that without computing it?
# (c) Is the pair $(S, X_1)$ as informative as $(X_1, X_2)$? Compute $H(S, X_1)$.
# ```
#
# ```{solution-start} ex-entropy-5
# :class: dropdown
# ```
#
# (a) Independence gives $H(X_1, X_2) = 2\log_2 6$ bits. (b) $S$ is a function of the pair, and
# several pairs share a sum ($(1, 6), (2, 5), \dots$ all give 7): a function of a variable is a
# grouping of its outcomes, so by {ref}`ex-entropy-4` its entropy can only be smaller.
# (c) Yes: $X_2 = S - X_1$, so $(S, X_1)$ determines $(X_1, X_2)$ and vice versa, and the two pairs
# have the same joint entropy.

# %%
pair = np.outer(die, die)
H_pair = float(info.joint_entropy(pair, base=2))
assert np.isclose(H_pair, 2 * float(info.entropy(die, base=2)))
p_sum = np.array(
    [np.trace(np.fliplr(pair), offset=offset) for offset in range(5, -6, -1)]
)
assert np.isclose(p_sum.sum(), 1.0) and np.isclose(
    p_sum[5], 6 / 36
)  # S = 7 has 6 pairs
H_sum = float(info.entropy(p_sum, base=2))
sum_and_first = np.zeros((11, 6))  # rows S = 2..12, columns X_1 = 1..6
for x1 in range(6):
    for x2 in range(6):
        sum_and_first[x1 + x2, x1] += pair[x1, x2]
H_sum_first = float(info.joint_entropy(sum_and_first, base=2))
assert np.isclose(H_sum_first, H_pair)
print(f"(a) H(X1, X2) = {H_pair:.4f} bits = 2 log2 6 = {2 * math.log2(6):.4f} bits")
print(
    f"(b) H(S) = {H_sum:.4f} bits < {H_pair:.4f} bits; P(S = 2..12) * 36 = {p_sum * 36}"
)
print(f"(c) H(S, X1) = {H_sum_first:.4f} bits = H(X1, X2)")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} A noisy channel
# :label: ex-entropy-6
# A sender transmits a fair bit $X$; the receiver sees $Y$, which equals $X$ except that it is
# flipped with probability $f$ (a *binary symmetric channel*).
# (a) Write the joint table of $(X, Y)$ and show that $H(Y \mid X) = h(f)$, the binary entropy,
# and $I(X; Y) = 1 - h(f)$ bits.
# (b) Compute $I(X; Y)$ in bits for $f = 0, 0.01, 0.1, 0.5$ with `info.mutual_information`, and
# check it against $1 - h(f)$.
# (c) A classifier must guess $X$ from $Y$. What is the smallest expected cross-entropy it can
# reach, in bits, when $f = 0.1$? Which predictor reaches it?
# ```
#
# ```{solution-start} ex-entropy-6
# :class: dropdown
# ```
#
# (a) The table is $\tfrac12\begin{pmatrix}1-f & f\\ f & 1-f\end{pmatrix}$. Given $X = x$, $Y$ is
# $x$ with probability $1 - f$, so every row of the conditional table is $(1 - f, f)$ in some
# order and $H(Y \mid X) = h(f)$; $Y$ is a fair bit, so $H(Y) = 1$ bit and
# $I(X; Y) = H(Y) - H(Y \mid X) = 1 - h(f)$. (b) The channel carries a whole bit at $f = 0$ and
# nothing at $f = 0.5$. (c) By {prf:ref}`thm-conditional-entropy-floor` (with the roles of the
# variables exchanged: the input is $Y$, the label $X$) the floor is $H(X \mid Y)$, which by the
# symmetry of the table is also $h(f)$; it is reached by predicting the true posterior
# $p(x \mid y)$: $X = y$ with probability $1 - f$.

# %%
for flip in (0.0, 0.01, 0.1, 0.5):
    channel = 0.5 * np.array([[1 - flip, flip], [flip, 1 - flip]])
    mi_bits = float(info.mutual_information(channel, base=2))
    h_flip = float(info.entropy([1 - flip, flip], base=2))
    assert np.isclose(mi_bits, 1 - h_flip, atol=1e-15)
    assert np.isclose(
        float(info.conditional_entropy(channel, base=2)), h_flip, atol=1e-15
    )
    print(
        f"f = {flip:4.2f}: I(X; Y) = {mi_bits:.4f} bits, 1 - h(f) = {1 - h_flip:.4f} "
        "bits"
    )
channel = 0.5 * np.array([[0.9, 0.1], [0.1, 0.9]])
posterior = channel.T / channel.sum(axis=0)[:, None]  # row y: p(x | y)
floor_bits = float(
    np.sum(channel.sum(axis=0) * info.cross_entropy(posterior, posterior, base=2))
)
assert np.isclose(floor_bits, float(info.conditional_entropy(channel.T, base=2)))
print(f"(c) f = 0.1: floor H(X | Y) = {floor_bits:.4f} bits, reached by p(x | y)")

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`shannon1948` defines entropy as the measure of information, derives its form from a
#   few requirements (his appendix 2), and proves that codes can approach but not beat it; the
#   Shannon code and the bound $H \le L < H + 1$ are from this paper.
# - {cite:t}`hartley1928` measured information by the logarithm of the number of possible messages
#   (equally likely ones, in today's terms); the ban (hartley) is named after him.
# - {cite:t}`cover2006`, chapters 2 and 5, is the standard textbook treatment of entropy, joint
#   and conditional entropy, the chain rule, mutual information, relative entropy and Gibbs'
#   inequality (their theorem 2.6.3), Kraft's inequality and the source coding theorem.
# - {cite:t}`kullback1951` introduced the relative entropy as a measure of discrimination
#   between two distributions.
# - {cite:t}`mackay2003`, chapters 2, 4 and 5, gives the same material with many worked examples,
#   including the weighing and guessing games that motivate the bit.
# - {cite:t}`huffman1952` constructs the optimal prefix code of exercise {ref}`ex-entropy-3`.
# - {cite:t}`jaynes1957` turned "choose the distribution of maximum entropy" into a principle of
#   inference, of which the uniform distribution of {ref}`sec-entropy-extremes` is the simplest case.
