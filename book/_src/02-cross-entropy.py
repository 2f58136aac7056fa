# %% [markdown]
# # Cross-entropy
#
# The {term}`entropy` $H(p)$ (chapter {doc}`01-information-and-entropy`) is the average number of
# {term}`bit`s per outcome below which no code for a source $p$ can go (and which the best
# codes approach). But a code is always built from a
# *belief* about the source, and beliefs are often wrong. **How many bits do we pay, on average,
# when outcomes drawn from $p$ are encoded with a code built for another distribution $q$?** The
# answer is the {term}`cross-entropy` $H(p, q)$ {cite:p}`shannon1948,cover2006`. Read with $p$ as
# the data and $q$ as a model, the same number is the loss that trains almost every classifier in
# deep learning: the model pays $-\log q(x)$ for every outcome $x$ the data shows it.
#
# **In this chapter** you will derive and check
#
# - the cross-entropy as the cost of coding with the wrong code, and its split
#   $H(p, q) = H(p) + D_{\mathrm{KL}}(p\,\|\,q)$ ({prf:ref}`thm-ce-decomposition`): the right
#   code is the cheapest;
# - the classifier's loss $\operatorname{logsumexp}(z) - z_y$ for one-hot targets and logits, and
#   its gradient $\operatorname{softmax}(z) - e_y$ ({prf:ref}`thm-softmax-ce-gradient`);
# - {term}`label smoothing` and the positive floor it puts under the loss;
# - {term}`perplexity` and bits per character, the units in which language models report their
#   cross-entropy;
# - PyTorch's `cross_entropy`, its options, and the mistake of a softmax before it.
#
# **You need** chapter 1 ({doc}`01-information-and-entropy`): entropy, Shannon codes, the relative
# entropy $D_{\mathrm{KL}}$ and Gibbs' inequality ({prf:ref}`thm-gibbs`); derivatives of
# $\log$ and $\exp$.

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
import numpy as np
import scipy.optimize
import sympy as sp
from IPython.display import display

import lossbook.functional as F
import lossbook.gradients as G
import lossbook.info as info
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=6, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(2026)

# %% [markdown]
# (sec-ce-coding)=
# ## Coding the weather with somebody else's code
#
# A weather station in a dry valley reports one of four conditions every day. Over the years the
# frequencies have been
#
# | | sun | clouds | rain | snow |
# |---|---|---|---|---|
# | valley, $p$ | 0.50 | 0.30 | 0.15 | 0.05 |
# | mountain, $q$ | 0.10 | 0.20 | 0.30 | 0.40 |
#
# The reports are sent as bits. The valley was given the codebook of a mountain station, built
# for the mountain's frequencies $q$, where snow is the most common report. A {term}`Shannon code`
# gives an outcome of probability $r$ a codeword of $\lceil -\log_2 r \rceil$ bits (chapter
# {doc}`01-information-and-entropy`); `info.shannon_code_lengths` computes these lengths. The cell
# below builds both codebooks with `info.canonical_prefix_code` (canonical prefix codes: no
# codeword is the beginning of another, so a stream of bits decodes without separators) and
# prints them.

# %%
weather = ["sun", "clouds", "rain", "snow"]
p_valley = np.array([0.50, 0.30, 0.15, 0.05])
q_mountain = np.array([0.10, 0.20, 0.30, 0.40])


len_valley = info.shannon_code_lengths(p_valley)
len_mountain = info.shannon_code_lengths(q_mountain)
code_valley = info.canonical_prefix_code(len_valley)
code_mountain = info.canonical_prefix_code(len_mountain)
print(f"{'':7s} {'p':>5s} {'q':>5s}   {'valley code':>11s} {'mountain code':>13s}")
for i, name in enumerate(weather):
    print(
        f"{name:7s} {p_valley[i]:5.2f} {q_mountain[i]:5.2f}   {code_valley[i]:>11s} "
        f"{code_mountain[i]:>13s}"
    )

# %% [markdown]
# Now let the valley's weather run for a while, drawn from $p$ with a seeded generator, and encode
# it with both codebooks. The mountain codebook works (every report decodes correctly), but it is
# longer: it spends its short codewords on rain and snow, which the valley rarely sees.

# %%
days = rng.choice(4, size=10_000, p=p_valley)
first_week = days[:7]
print("first week:     ", " ".join(weather[d] for d in first_week))
print("valley code:    ", "".join(code_valley[d] for d in first_week))
print("mountain code:  ", "".join(code_mountain[d] for d in first_week))
bits_valley = np.mean(len_valley[days])
bits_mountain = np.mean(len_mountain[days])
print(
    f"bits per day over {days.size} days: valley code {bits_valley:.4f}, "
    f"mountain code {bits_mountain:.4f}"
)

# %% [markdown]
# The long-run average of the mountain code's length is its expected length under the *valley's*
# distribution, $\sum_x p(x)\,\ell_q(x)$ with $\ell_q(x) = \lceil -\log_2 q(x)\rceil$. Without the
# rounding to whole bits, the ideal code for $q$ spends $-\log_2 q(x)$ bits on $x$, and its average
# length under $p$ is the cross-entropy:
#
# $$
# H(p, q) = -\sum_x p(x)\log q(x) .
# $$
#
# Since $-\log_2 q(x) \le \ell_q(x) < -\log_2 q(x) + 1$ for every $x$, averaging over $p$ gives
# $H(p, q) \le \sum_x p(x)\ell_q(x) < H(p, q) + 1$ bits: the Shannon code for $q$ is within one bit
# of the cross-entropy, just as the code for $p$ is within one bit of the entropy $H(p)$. The
# cell below computes all four numbers with `lossbook.info` and checks both sandwiches.

# %%
L_valley = info.expected_code_length(p_valley, len_valley)
L_mountain = info.expected_code_length(p_valley, len_mountain)
H_p_bits = float(info.entropy(p_valley, base=2))
H_pq_bits = float(info.cross_entropy(p_valley, q_mountain, base=2))
assert H_p_bits <= L_valley < H_p_bits + 1
assert H_pq_bits <= L_mountain < H_pq_bits + 1
assert abs(bits_valley - L_valley) < 0.05 and abs(bits_mountain - L_mountain) < 0.05
print(f"{'':28s} {'ideal (bits)':>12s} {'Shannon code (bits)':>20s}")
print(f"{'own code,      H(p)':28s} {H_p_bits:12.4f} {L_valley:20.4f}")
print(f"{'mountain code, H(p, q)':28s} {H_pq_bits:12.4f} {L_mountain:20.4f}")
print(
    f"{'extra bits per report':28s} {H_pq_bits - H_p_bits:12.4f} "
    f"{L_mountain - L_valley:20.4f}"
)

# %% [markdown]
# The seed README describes the cross-entropy as the average number of bits needed to identify an
# event when coding with an "非自然" (unnatural, i.e. wrong) distribution $q$ instead of the true
# $p$. The table makes that precise: the ideal code for $q$ needs $H(p, q)$ bits per report, a
# real prefix code needs a little more (at most one bit), and the **extra** cost of the wrong code
# is, ideally, the difference $H(p, q) - H(p)$. That difference is the relative entropy, or
# {term}`KL divergence`, $D_{\mathrm{KL}}(p\,\|\,q)$ defined in {ref}`sec-relative-entropy`
# (chapter 1), as {ref}`sec-ce-gibbs` shows.
#
# ### Each outcome's price: $-\log q$
#
# The cross-entropy is an average of prices: the code for $q$ charges $-\log q(x)$ (the
# {term}`self-information` of $x$ *under $q$*) for an outcome $x$, and the data decide how often
# each price is paid. The figure shows the price as a function of $q(x)$, in bits on the left axis
# and {term}`nat`s on the right ($1\ \text{nat} = 1/\ln 2 \approx 1.443$ bits; PyTorch's losses
# are in nats), with the Shannon code's whole-bit lengths as a staircase above it. The four
# mountain probabilities are marked: the price is small for outcomes $q$ finds likely and grows
# without bound as $q(x) \to 0$. A model that gives probability 0 to something that happens pays
# an infinite price.

# %% tags=["hide-input"] mystnb={"image": {"alt": "The price -log q of an outcome against its probability q under the code, for q from 0.005 to 1. A smooth decreasing curve, -log2 q in bits, goes from about 7.6 bits at the left to 0 at q = 1; a staircase of whole numbers lies on or above it (the Shannon code length). Four dots mark the mountain code's probabilities 0.1, 0.2, 0.3 and 0.4, labelled sun, clouds, rain and snow, with prices of about 3.3, 2.3, 1.7 and 1.3 bits. A secondary axis on the right gives the same price in nats."}}
q_grid = np.linspace(0.005, 1.0, 1000)
fig, ax = plt.subplots(figsize=(7.5, 4.2))
ax.plot(
    q_grid,
    -np.log2(q_grid),
    color=lbplot.PALETTE[0],
    lw=2,
    label=r"ideal price $-\log_2 q$",
)
ax.step(
    q_grid,
    np.ceil(-np.log2(q_grid) - 1e-12),
    where="post",
    color=lbplot.PALETTE[1],
    lw=1.2,
    label=r"Shannon code length $\lceil -\log_2 q \rceil$",
)
for i, name in enumerate(weather):
    ax.plot(q_mountain[i], -np.log2(q_mountain[i]), "o", color=lbplot.PALETTE[2])
    ax.annotate(
        name,
        (q_mountain[i], -np.log2(q_mountain[i])),
        textcoords="offset points",
        xytext=(6, 6),
    )
ax.set_xlabel(r"probability $q(x)$ that the code assigns to the outcome")
ax.set_ylabel(r"price of the outcome (bits)")
ax.set_ylim(0, 8)
ax.set_xlim(0, 1.02)
nats_axis = ax.secondary_yaxis(
    "right", functions=(lambda bits: bits * np.log(2), lambda nats: nats / np.log(2))
)
nats_axis.set_ylabel(r"price $-\ln q$ (nats)")
ax.legend(loc="upper right")
ax.set_title("What a code built for q charges for an outcome")
plt.show()

# %% [markdown]
# (sec-ce-definition)=
# ## Definition
#
# For two distributions $p$ and $q$ on the same finite set of outcomes,
#
# $$
# H(p, q) = -\sum_{x} p(x)\log q(x) = \mathbb{E}_{x\sim p}\big[-\log q(x)\big],
# $$
#
# in bits with $\log_2$ and in nats with $\ln$. The expectation is over the **first** argument;
# the logarithm is of the **second**. Two conventions make the formula total: a term with
# $p(x) = 0$ is 0 whatever $q(x)$ is (outcomes that never happen cost nothing), and a term with
# $p(x) > 0 = q(x)$ is $+\infty$. `lossbook.info.cross_entropy(p, q, base=...)` follows both; the
# book's symbolic definition is `sym.cross_entropy(ps, qs)`:

# %%
p3 = sym.probabilities(3, name="p")
q3 = sym.probabilities(3, name="q")
H_pq_sym = sym.cross_entropy(p3, q3)
display(sp.Eq(sp.Symbol("H(p, q)"), H_pq_sym))

# %% [markdown]
# The lambdified symbolic definition agrees with `info.cross_entropy` on seeded random pairs of
# distributions and on edge cases (a point mass $p$, a $q$ equal to $p$, and nearly degenerate
# $q$):

# %%
cases = {
    f"random {k}": (sym.random_simplex(rng, 3), sym.random_simplex(rng, 3))
    for k in range(5)
}
cases["p point mass"] = (np.array([1.0, 0.0, 0.0]), np.array([0.2, 0.3, 0.5]))
cases["q = p"] = (np.array([0.6, 0.3, 0.1]), np.array([0.6, 0.3, 0.1]))
cases["q nearly degenerate"] = (
    np.array([0.2, 0.3, 0.5]),
    np.array([1 - 2e-9, 1e-9, 1e-9]),
)
sym.check_numeric(H_pq_sym, [p3, q3], info.cross_entropy, cases)

# %% [markdown]
# Cross-entropy is **not symmetric**: $H(p, q)$ and $H(q, p)$ answer different questions (coding
# the valley's weather with the mountain's code, and the other way round), and they differ:

# %%
H_qp_bits = float(info.cross_entropy(q_mountain, p_valley, base=2))
print(f"H(p, q) = {H_pq_bits:.4f} bits   (valley weather, mountain code)")
print(f"H(q, p) = {H_qp_bits:.4f} bits   (mountain weather, valley code)")

# %% [markdown]
# (sec-ce-gibbs)=
# ## The right code is the cheapest
#
# Which code is best for the valley? Intuitively, the one built for the valley's own frequencies.
# The relative entropy of chapter 1 ({ref}`sec-relative-entropy`) makes that exact.
#
# ```{prf:theorem} Cross-entropy is entropy plus relative entropy
# :label: thm-ce-decomposition
# For distributions $p, q$ on a finite set,
# $H(p, q) = H(p) + D_{\mathrm{KL}}(p\,\|\,q)$. Consequently $H(p, q) \ge H(p)$ for every $q$,
# with equality if and only if $q = p$.
# ```
#
# ```{prf:proof}
# For each outcome with $p(x) > 0$,
# $-p(x)\log q(x) = -p(x)\log p(x) + p(x)\log\frac{p(x)}{q(x)}$ (both sides $+\infty$ when
# $q(x) = 0$); outcomes with $p(x) = 0$ contribute 0 to all three quantities. Sum over $x$. The
# inequality and its equality case are {term}`Gibbs' inequality`, {prf:ref}`thm-gibbs`.
# ```
#
# So the extra cost of the wrong code is exactly the relative entropy, and no code beats the
# right one. SymPy proves the split from the book's definitions for $n = 2, \dots, 5$ outcomes (the
# proof above covers every $n$), and `lossbook.info` confirms it for the valley and the mountain:

# %%
for n in (2, 3, 4, 5):
    p_n, q_n = sym.probabilities(n, name="p"), sym.probabilities(n, name="q")
    sym.check_identity(
        sym.cross_entropy(p_n, q_n), sym.entropy(p_n) + sym.kl_divergence(p_n, q_n)
    ).assert_proved()
print("H(p, q) = H(p) + KL(p || q): proved for n = 2..5")
KL_pq_bits = float(info.kl_divergence(p_valley, q_mountain, base=2))
assert np.isclose(H_pq_bits, H_p_bits + KL_pq_bits, rtol=1e-14)
print(
    f"H(p, q) = {H_pq_bits:.4f} bits = H(p) {H_p_bits:.4f} + KL(p || q) "
    f"{KL_pq_bits:.4f} bits"
)

# %% [markdown]
# ### The minimum over the simplex, with a Lagrange multiplier
#
# The theorem names the minimiser; a Lagrange multiplier finds it without knowing it in advance.
# Fix $p$ and minimise $H(p, q)$ over the probability simplex $\{q : q_i > 0, \sum_i q_i = 1\}$.
# The Lagrangian is
#
# $$
# \mathcal{L}(q, \lambda) = -\sum_{i=1}^{n} p_i \log q_i + \lambda\Big(\sum_{i=1}^{n} q_i - 1\Big).
# $$
#
# Setting $\partial\mathcal{L}/\partial q_i = -p_i/q_i + \lambda = 0$ gives $q_i = p_i/\lambda$,
# and the constraint fixes $\lambda = \sum_i p_i$. SymPy solves the whole system for
# $n = 2, \dots, 5$; it finds $q_i = p_i/(p_1 + \dots + p_n)$, which is $p_i$ once $p$ is itself a
# distribution:

# %%
lam = sp.Symbol("lambda", positive=True)
report = []
for n in (2, 3, 4, 5):
    p_n, q_n = sym.probabilities(n, name="p"), sym.probabilities(n, name="q")
    lagrangian = sym.cross_entropy(p_n, q_n) + lam * sym.simplex(q_n)
    equations = [sp.diff(lagrangian, qi) for qi in q_n] + [sym.simplex(q_n)]
    (stationary,) = sp.solve(equations, [*q_n, lam], dict=True)
    assert sp.simplify(stationary[lam] - sum(p_n)) == 0
    on_simplex = {
        p_n[-1]: 1 - sum(p_n[:-1])
    }  # p is a distribution: p_n = 1 - p_1 - ... - p_{n-1}
    for pi, qi in zip(p_n, q_n):
        assert sp.simplify((stationary[qi] - pi).subs(on_simplex)) == 0
    report.append(f"n = {n}: the only stationary point is q = p (lambda = 1)")
print("\n".join(report))
stationary

# %% [markdown]
# The stationary point is the minimum: the {term}`Hessian` of $H(p, q)$ in $q$ is diagonal with
# entries $p_i/q_i^2 > 0$, so $H(p, \cdot)$ is a strictly {term}`convex function` on the simplex and
# its only stationary point is its global minimum. At $q = p$ the cross-entropy *is* the entropy:

# %%
hessian = sp.hessian(H_pq_sym, q3)
display(hessian)
assert hessian.is_diagonal() and all(hessian[i, i].is_positive for i in range(3))
assert sp.simplify(H_pq_sym.subs(dict(zip(q3, p3))) - sym.entropy(p3)) == 0
print("Hessian diagonal and positive definite; H(p, p) = H(p): proved for n = 3")

# %% [markdown]
# ### Checked on numbers, and seen on the simplex
#
# For the valley, $H(p) \le H(p, q)$ must hold for every $q$. The cell draws 100 000 random
# distributions $q$ and confirms that none beats the valley's own $p$:

# %%
many_q = rng.dirichlet(np.ones(4), size=100_000)
ce_many = info.cross_entropy(p_valley, many_q, base=2)
assert np.all(ce_many >= H_p_bits)
best = np.argmin(ce_many)
print(f"H(p)                            = {H_p_bits:.6f} bits")
print(
    f"smallest H(p, q) of 100000 q's  = {ce_many[best]:.6f} bits, at q = {many_q[best]}"
)

# %% [markdown]
# With three outcomes every $q$ is a point of a triangle (the simplex), and $H(p, q)$ can be drawn
# as a heat map over it. The figure does this for $p = (0.6, 0.3, 0.1)$: the lowest point of the
# landscape is at $q = p$ (the star), where the cross-entropy equals $H(p)$. It rises steeply
# towards every edge where a class that $p$ gives positive probability gets $q_c \to 0$, most of
# all towards the edge $q_1 \to 0$ (opposite the corner $e_1$), because $p_1 = 0.6$ is the largest
# weight on a price that grows without bound. (The colour scale is cut at 4 nats.)

# %% tags=["hide-input"] mystnb={"image": {"alt": "A triangular heat map of the cross-entropy H(p, q) in nats over all three-class predictions q, for the target p = (0.6, 0.3, 0.1). The corners are the one-hot predictions q = e1 (bottom left), e2 (bottom right) and e3 (top). Filled contour bands form a dark basin around the point q = p, marked by a star, where the value is H(p) = 0.898 nats; the colour brightens towards the edges, most steeply towards the right edge, where q1 goes to 0. The colour bar runs from 0.898 to 4 nats."}}
p_target = np.array([0.6, 0.3, 0.1])
H_target = float(info.entropy(p_target))
fig, ax = plt.subplots(figsize=(6.2, 5.2))
lbplot.simplex_heatmap(
    ax,
    lambda q: info.cross_entropy(p_target, q),
    colorbar_label="cross-entropy H(p, q) (nats)",
    vertex_labels=("$q = e_1$", "$q = e_2$", "$q = e_3$"),
    vmax=4.0,
    mark=p_target,
)
ax.set_title(f"H(p, q) over the simplex; minimum H(p) = {H_target:.3f} nats at q = p")
plt.show()

# %%
print(f"H(p) for p = {p_target}: {H_target:.6f} nats")

# %% [markdown]
# ### Cross-entropy measures cost, KL measures difference
#
# The seed README says that cross-entropy "measures the difference between two probability
# distributions" (交叉熵用于衡量两个概率分布之间的差异性信息). That is true only in a relative
# sense: for a fixed $p$, the cross-entropy and the mismatch between $q$ and $p$ rise and fall
# together, so minimising the cross-entropy over $q$ does pull $q$ towards $p$. But the cross-entropy itself is not a measure of difference: a
# distribution is not at distance 0 from itself,
#
# $$
# H(p, p) = H(p) \ne 0 \quad\text{unless } p \text{ is a point mass},
# $$
#
# and the same value of $H(p, q)$ can mean a perfect fit for one $p$ and a poor fit for another.
# The part of $H(p, q)$ that does measure the mismatch is what is left after subtracting the floor
# $H(p)$, the KL divergence $D_{\mathrm{KL}}(p\,\|\,q) = H(p, q) - H(p) \ge 0$, which is 0
# exactly when $q = p$ ({prf:ref}`thm-ce-decomposition`; chapter 5, {doc}`05-kl-divergence`,
# studies it as a loss). The cell computes both for the valley and for a uniform three-class $p$
# compared with itself.

# %%
uniform3 = np.full(3, 1 / 3)
for name, pp, qq in (
    ("valley p vs mountain q", p_valley, q_mountain),
    ("valley p vs itself", p_valley, p_valley),
    ("uniform p vs itself", uniform3, uniform3),
):
    ce = float(info.cross_entropy(pp, qq, base=2))
    kl = float(info.kl_divergence(pp, qq, base=2))
    assert np.isclose(ce, float(info.entropy(pp, base=2)) + kl)
    print(f"{name:24s}: H(p, q) = {ce:.4f} bits, KL(p || q) = {kl:.4f} bits")

# %% [markdown]
# In training this distinction rarely matters, because the data's $H(p)$ does not depend on the
# model: minimising the cross-entropy and minimising the KL divergence move the model the same way
# ({doc}`03-negative-log-likelihood`). It matters as soon as the numbers are *read*: a validation
# cross-entropy of 0.5 nats says nothing about the fit until one knows its floor. With one-hot
# labels each example's own $H(e_y)$ is 0, but that is not the floor: the labels are noisy given
# the inputs, and no classifier's expected loss goes below the {term}`conditional entropy`
# $H(Y \mid X)$ of the labels given the inputs ({prf:ref}`thm-conditional-entropy-floor` in
# chapter 1). Chapter 9 ({doc}`09-end-to-end`) measures this floor and a trained model's excess
# over it.
#
# (sec-ce-onehot)=
# ## One-hot targets and softmax classifiers
#
# In classification the data distribution for one example is usually a {term}`one-hot encoding`:
# the example belongs to class $y$, so $p = e_y$, the vector with 1 at position $y$ and 0
# elsewhere. Then only one term of the sum survives:
#
# $$
# H(e_y, q) = -\sum_{c} [c = y]\log q_c = -\log q_y .
# $$
#
# Because $H(e_y) = 0$, this is also $D_{\mathrm{KL}}(e_y\,\|\,q)$: with one-hot targets the
# cross-entropy and the KL divergence coincide, and the loss can reach 0 (when $q_y = 1$).
#
# A network does not output $q$ directly but a vector of {term}`logit`s $z \in \mathbb{R}^C$,
# turned into probabilities by the softmax {cite:p}`bridle1990`,
# $q_c = \operatorname{softmax}(z)_c = e^{z_c}/\sum_j e^{z_j}$. Substituting,
#
# $$
# H\big(e_y, \operatorname{softmax}(z)\big) = -\log\frac{e^{z_y}}{\sum_j e^{z_j}}
#   = \underbrace{\log\sum_{j} e^{z_j}}_{\operatorname{logsumexp}(z)} - z_y .
# $$
#
# The derivation is one `expand_log`, and it holds for any number of classes: write $S$ for the
# (positive) sum $\sum_j e^{z_j}$.

# %%
z_y, S = sp.Symbol("z_y", real=True), sp.Symbol("S", positive=True)
minus_log_softmax = -sp.log(sp.exp(z_y) / S)
expanded = sp.expand_log(minus_log_softmax, force=True)
display(sp.Eq(minus_log_softmax, expanded))
assert sp.simplify(expanded - (sp.log(S) - z_y)) == 0

# %% [markdown]
# With the book's definitions (`sym.softmax`, `sym.logsumexp`, `sym.cross_entropy`) SymPy proves
# the identity for every target class, for $C = 2, \dots, 6$ classes. (SymPy's logits are
# numbered $z_1, \dots, z_C$, while classes count from 0 as in PyTorch: class $y$ is the logit
# $z_{y+1}$, and the displayed case $y = 0$ is $z_1$.)

# %%
for n in range(2, 7):
    z_n = sym.logits(n)
    for y in range(n):
        onehot = [1 if c == y else 0 for c in range(n)]
        sym.check_identity(
            sym.cross_entropy(onehot, sym.softmax(z_n)), sym.logsumexp(z_n) - z_n[y]
        ).assert_proved()
print("H(e_y, softmax(z)) = logsumexp(z) - z_y: proved for C = 2..6 and every y")
z4 = sym.logits(4)
display(
    sp.Eq(sp.Symbol(r"H(e_{0}, \operatorname{softmax}(z))"), sym.logsumexp(z4) - z4[0])
)

# %% [markdown]
# The form $\operatorname{logsumexp}(z) - z_y$ is how the loss is computed in practice: the
# {term}`log-sum-exp` has a stable evaluation (subtract $\max_j z_j$ first), while forming the
# softmax and then its logarithm can {term}`underflow` to $\log 0$ (chapter
# {doc}`07-numerical-stability`). `F.cross_entropy` computes exactly this from logits and class
# indices; the cell compares it with the formula and with `info.cross_entropy` on one-hot targets.

# %%
z_batch = rng.normal(scale=2.0, size=(5, 4))
y_batch = np.array([0, 3, 1, 1, 2])
per_sample = F.cross_entropy(z_batch, y_batch, reduction="none")
formula = F.logsumexp(z_batch, dim=1) - z_batch[np.arange(5), y_batch]
via_info = info.cross_entropy(
    F.one_hot(y_batch, num_classes=4), F.softmax(z_batch, dim=1)
)
assert np.allclose(per_sample, formula, rtol=1e-12)
assert np.allclose(per_sample, via_info, rtol=1e-12)
print(
    f"{'y':>2s} {'F.cross_entropy':>16s} {'logsumexp - z_y':>16s} "
    f"{'H(e_y, softmax z)':>18s}"
)
for n in range(5):
    print(
        f"{y_batch[n]:2d} {per_sample[n]:16.6f} {formula[n]:16.6f} {via_info[n]:18.6f}"
    )

# %% [markdown]
# (sec-ce-gradient)=
# ## The gradient: prediction minus target
#
# Differentiate $\ell(z) = \operatorname{logsumexp}(z) - z_y$ with respect to a logit $z_k$. The
# derivative of the log-sum-exp is the softmax, and the derivative of $z_y$ is $[k = y]$:
#
# $$
# \frac{\partial \ell}{\partial z_k} = \frac{e^{z_k}}{\sum_j e^{z_j}} - [k = y]
#   = \operatorname{softmax}(z)_k - (e_y)_k ,
# $$
#
# that is:
#
# ```{prf:theorem} Gradient of softmax cross-entropy
# :label: thm-softmax-ce-gradient
# For every number of classes $C$, logits $z \in \mathbb{R}^C$ and class $y$, the loss
# $\ell(z) = H\big(e_y, \operatorname{softmax}(z)\big) = \operatorname{logsumexp}(z) - z_y$ has
# the gradient $\nabla_z \ell = \operatorname{softmax}(z) - e_y$.
# ```
#
# ```{prf:proof}
# $\partial_{z_k}\log\sum_j e^{z_j} = e^{z_k}/\sum_j e^{z_j} = \operatorname{softmax}(z)_k$, and
# $\partial_{z_k} z_y = [k = y]$.
# ```
#
# SymPy does this for a symbolic number of classes $C$ with indexed logits (indices $1, \dots, C$
# in this derivation); the `Piecewise` only says that $z_k$ must be one of the $C$ logits.

# %%
C_sym = sp.Symbol("C", integer=True, positive=True)
j_idx, k_idx = sp.symbols("j k", integer=True, positive=True)
y_idx = sp.Symbol("y", integer=True, positive=True)
z_idx = sp.IndexedBase("z", real=True)
loss_general = sp.log(sp.Sum(sp.exp(z_idx[j_idx]), (j_idx, 1, C_sym))) - z_idx[y_idx]
gradient_general = sp.diff(loss_general, z_idx[k_idx]).doit()
display(sp.Eq(sp.Symbol(r"\partial \ell / \partial z_k"), gradient_general))
inside = gradient_general.replace(  # keep the branch for 1 <= k <= C
    lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0]
)
softmax_k = sp.exp(z_idx[k_idx]) / sp.Sum(sp.exp(z_idx[j_idx]), (j_idx, 1, C_sym))
assert sp.simplify(inside - (softmax_k - sp.KroneckerDelta(k_idx, y_idx))) == 0
print("d/dz_k [logsumexp(z) - z_y] = softmax(z)_k - [k = y]   (symbolic C)")

# %% [markdown]
# With the book's definitions, for fixed sizes: the gradient of `sym.logsumexp(z) - z[y]` equals
# `sym.softmax(z)` minus the one-hot vector, for $C = 2, \dots, 5$ and every $y$, and it matches the
# gradient that `lossbook.symbolic` derives and ships as
# `sym.derived.softmax_cross_entropy_gradient`.

# %%
for n in range(2, 6):
    z_n = sym.logits(n)
    softmax_n = sym.softmax(z_n)
    for y in range(n):
        loss_n = sym.logsumexp(z_n) - z_n[y]
        for k in range(n):
            sym.check_identity(
                sp.diff(loss_n, z_n[k]), softmax_n[k] - (1 if k == y else 0)
            ).assert_proved()
print("gradient = softmax(z) - e_y: proved for C = 2..5 and every y")
SOFTMAX_CE_GRADIENT = sym.derived.softmax_cross_entropy_gradient(3, y=0)
z3_ = sym.logits(3)
expected_gradient = sp.Matrix(sym.softmax(z3_)) - sp.Matrix([1, 0, 0])
assert sp.simplify(SOFTMAX_CE_GRADIENT.derived - expected_gradient) == sp.zeros(3, 1)
SOFTMAX_CE_GRADIENT

# %% [markdown]
# On numbers, the analytic gradient `G.cross_entropy_grad` (with `reduction='sum'`, so that each
# row is one example's gradient), the formula $\operatorname{softmax}(z) - e_y$ and central
# {term}`finite differences` of `F.cross_entropy` (`G.numerical_gradient`) agree on the batch
# above:


# %%
def summed_loss(logits):
    return float(F.cross_entropy(logits, y_batch, reduction="sum"))


grad_analytic = G.cross_entropy_grad(z_batch, y_batch, reduction="sum")
grad_formula = F.softmax(z_batch, dim=1) - F.one_hot(y_batch, num_classes=4)
grad_numeric = G.numerical_gradient(summed_loss, z_batch)
assert np.allclose(grad_analytic, grad_formula, atol=1e-12)
assert np.allclose(grad_analytic, grad_numeric, atol=1e-7)
print("softmax(z) - onehot(y):\n", grad_formula)
print(
    f"max |analytic - finite differences| < 1e-7: "
    f"{np.max(np.abs(grad_analytic - grad_numeric)) < 1e-7}"
)

# %% [markdown]
# ### Why this gradient is so well behaved
#
# The formula $\nabla_z\ell = q - e_y$ (with $q = \operatorname{softmax}(z)$) explains much of
# why softmax with cross-entropy trains so reliably:
#
# - **It is bounded.** Every entry lies in $[-1, 1]$: the target entry is $q_y - 1 \in (-1, 0]$
#   and the others are $q_c \in [0, 1)$ (in floating point the bound $-1$ is reached when $q_y$
#   underflows to 0). However extreme the logits, one example can never produce
#   an exploding gradient; its norm is at most $\sqrt 2$, because
#   $\|q - e_y\|^2 = (1 - q_y)^2 + \sum_{c \ne y} q_c^2 \le 2(1 - q_y)^2$ (a sum of squares of
#   non-negative numbers is at most the square of their sum, here $1 - q_y$).
# - **It sums to zero.** $\sum_k (q_k - [k = y]) = 1 - 1 = 0$. Adding the same constant to every
#   logit does not change the softmax, so the loss is flat in that direction and the gradient has
#   no component along it. The update redistributes probability between classes: it pushes $z_y$
#   up by exactly as much as it pushes the others down in total.
# - **It is proportional to the error.** The size of the push on the correct class is
#   $1 - q_y$, the probability the model is missing. A confidently *wrong* prediction ($q_y \approx
#   0$) gets a gradient of size close to 1, not close to 0: the logarithm in the loss cancels the
#   exponential in the softmax, so there is no saturation of the kind that makes a squared error
#   on sigmoid outputs learn slowly ({cite:t}`goodfellow2016`, section 6.2.2). A correct, confident
#   prediction gets a gradient close to 0.
#
# The cell checks the three properties on 20 000 random examples with logits of all scales, up to
# $\pm 1000$, where the softmax saturates completely.

# %%
n_examples, n_classes = 20_000, 10
scales = 10.0 ** rng.uniform(-2, 3, size=(n_examples, 1))
z_many = rng.normal(size=(n_examples, n_classes)) * scales
y_many = rng.integers(0, n_classes, size=n_examples)
g_many = G.cross_entropy_grad(z_many, y_many, reduction="sum")
q_y_many = F.softmax(z_many, dim=1)[np.arange(n_examples), y_many]
assert np.all(np.abs(g_many) <= 1)
assert np.all(np.linalg.norm(g_many, axis=1) <= math.sqrt(2) * (1 + 1e-12))
assert np.allclose(g_many.sum(axis=1), 0, atol=1e-12)
assert np.allclose(-g_many[np.arange(n_examples), y_many], 1 - q_y_many, atol=1e-12)
print(f"largest |entry|:        {np.max(np.abs(g_many)):.6f}  (bound 1)")
print(
    f"largest norm:           {np.max(np.linalg.norm(g_many, axis=1)):.6f}  (bound "
    "sqrt 2 = "
    f"{math.sqrt(2):.6f})"
)
print(f"largest |sum of entries| < 1e-12: {np.max(np.abs(g_many.sum(axis=1))) < 1e-12}")

# %% [markdown]
# The same computation works for any target distribution $p$ in place of $e_y$: as long as $p$
# sums to 1, $\nabla_z H(p, \operatorname{softmax}(z)) = \operatorname{softmax}(z) - p$ (exercise
# {ref}`ex-cross-entropy-3` asks what happens when it does not).
#
# (sec-ce-label-smoothing)=
# ## Soft targets and label smoothing
#
# Nothing in $H(p, q)$ requires $p$ to be one-hot. *Soft targets* are probability vectors: the
# averaged opinions of several annotators, the output of a teacher network in distillation, or a
# deliberately softened one-hot vector. The best known softening is **label smoothing**
# {cite:p}`szegedy2016`: mix the one-hot target with the uniform distribution,
#
# $$
# p^{\varepsilon} = (1 - \varepsilon)\, e_y + \frac{\varepsilon}{C}\,\mathbf 1,
# \qquad
# p^{\varepsilon}_c = \begin{cases} 1 - \varepsilon + \varepsilon/C & c = y,\\
#   \varepsilon/C & c \ne y, \end{cases}
# $$
#
# which is PyTorch's `label_smoothing=ε` (the $\varepsilon/C$ goes to *every* class, the true one
# included). By linearity of $H(\cdot, q)$ in its first argument, the smoothed loss is a mix of
# the usual loss and the average price of all classes:
#
# $$
# H(p^{\varepsilon}, q) = (1 - \varepsilon)\,\big(-\log q_y\big)
#   + \frac{\varepsilon}{C}\sum_{c=1}^{C}\big(-\log q_c\big) .
# $$

# %%
eps = sp.Symbol("epsilon", positive=True)
n = 4
q4 = sym.probabilities(n, name="q")
smoothed_target = sym.label_smoothed_target(0, n, eps)
print(f"smoothed target for C = {n}, y = 0 (the first class):")
display(sp.Matrix(smoothed_target).T)
mixed_form = (1 - eps) * (-sp.log(q4[0])) + eps / n * sum(-sp.log(qc) for qc in q4)
sym.check_identity(sym.cross_entropy(smoothed_target, q4), mixed_form).assert_proved()
print("H(p_eps, q) = (1 - eps)(-log q_y) + (eps/C) sum_c (-log q_c): proved for C = 4")

# %% [markdown]
# ### The loss never reaches zero
#
# Without smoothing, the loss $-\log q_y$ tends to 0 as $q_y \to 1$, which requires
# $z_y - z_c \to \infty$: the model is always rewarded for growing its logits a little more.
# With smoothing the target is no longer a point mass, and Gibbs' inequality tells us at once
# where the minimum is: at $q = p^{\varepsilon}$, with value $H(p^{\varepsilon})$,
#
# $$
# \min_q H(p^{\varepsilon}, q) = H(p^{\varepsilon})
#   = -\Big(1 - \varepsilon + \frac{\varepsilon}{C}\Big)\log\Big(1 - \varepsilon + \frac{\varepsilon}{C}\Big)
#     - (C - 1)\,\frac{\varepsilon}{C}\log\frac{\varepsilon}{C} \;>\; 0
#   \quad (0 < \varepsilon \le 1) .
# $$
#
# SymPy redoes the Lagrange computation for the smoothed target with a symbolic $\varepsilon$
# (for $C = 3, 4, 5$), and checks the minimum value against `sym.derived.label_smoothing_optimum`:

# %%
report = []
for n in (3, 4, 5):
    q_n = sym.probabilities(n, name="q")
    target_n = sym.label_smoothed_target(0, n, eps)
    lagrangian = sym.cross_entropy(target_n, q_n) + sp.Symbol("lambda") * sym.simplex(
        q_n
    )
    equations = [sp.diff(lagrangian, qi) for qi in q_n] + [sym.simplex(q_n)]
    (optimum,) = sp.solve(equations, [*q_n, sp.Symbol("lambda")], dict=True)
    assert all(sp.simplify(optimum[qi] - tc) == 0 for qi, tc in zip(q_n, target_n))
    min_value = sym.cross_entropy(target_n, [optimum[qi] for qi in q_n])
    sym.check_identity(min_value, sym.entropy(target_n)).assert_proved()
    report.append(
        f"C = {n}: optimum q = p_eps = {[optimum[qi] for qi in q_n]}, minimum = "
        "H(p_eps)"
    )
print("\n".join(report))
LABEL_SMOOTHING_OPTIMUM = sym.derived.label_smoothing_optimum(3, y=0)
target_3 = LABEL_SMOOTHING_OPTIMUM["target"]
sym.check_identity(
    LABEL_SMOOTHING_OPTIMUM["minimum"], sym.entropy(target_3)
).assert_proved()
LABEL_SMOOTHING_OPTIMUM

# %% [markdown]
# Every term of $H(p^{\varepsilon})$ is of the form $-t\log t$ with $0 < t < 1$, hence positive:
# for $0 < \varepsilon \le 1$ the smoothed loss has a strictly positive floor. The optimal
# logits are finite, too: $q = p^{\varepsilon}$ means
#
# $$
# z_y - z_c = \log\frac{1 - \varepsilon + \varepsilon/C}{\varepsilon/C}
#   = \log\Big(1 + \frac{C(1 - \varepsilon)}{\varepsilon}\Big) \quad (c \ne y),
# $$
#
# a fixed *margin* between the true class and the rest, after which the loss *rises* again. This
# is the mechanism behind the calibration and clustering effects of label smoothing studied by
# {cite:t}`muller2019`. The figure plots the loss against the margin $m$ for logits
# $z = (m, 0, \dots, 0)$ with $C = 10$ classes and target class 0, computed with
# `F.cross_entropy(..., label_smoothing=ε)`.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Cross-entropy in nats against the logit margin m of the true class over nine other classes, for m from -2 to 14, with C = 10 classes. Three curves: without label smoothing the loss decreases towards 0 as m grows; with epsilon 0.1 and 0.2 the curves have a minimum at a finite margin (marked with dots) and then rise again, with dashed horizontal lines at their positive minima, the entropies of the smoothed targets."}}
C_ls = 10
margins = np.linspace(-2, 14, 400)
logits_m = np.zeros((margins.size, C_ls))
logits_m[:, 0] = margins
targets_m = np.zeros(margins.size, dtype=int)
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for colour, epsilon in zip(lbplot.PALETTE, (0.0, 0.1, 0.2)):
    losses = F.cross_entropy(
        logits_m, targets_m, reduction="none", label_smoothing=epsilon
    )
    ax.plot(margins, losses, color=colour, lw=2, label=rf"$\varepsilon = {epsilon}$")
    if epsilon > 0:
        best_margin = math.log(1 + C_ls * (1 - epsilon) / epsilon)
        floor = float(info.entropy((1 - epsilon) * np.eye(C_ls)[0] + epsilon / C_ls))
        ax.axhline(floor, color=colour, ls="--", lw=1)
        ax.plot(best_margin, floor, "o", color=colour)
ax.set_xlabel(r"logit margin $m = z_y - z_c$ of the true class")
ax.set_ylabel("loss (nats)")
ax.set_ylim(0, 3)
ax.legend(title="label smoothing")
ax.set_title(f"Label smoothing puts the minimum at a finite margin (C = {C_ls})")
plt.show()

# %% [markdown]
# The table confirms the picture for a few values of $\varepsilon$ and $C$: at the optimal margin
# `F.cross_entropy` with `label_smoothing` returns exactly $H(p^{\varepsilon})$, a little less than
# at a margin one unit larger or smaller, and well above 0.

# %%
print(
    f"{'C':>5s} {'eps':>5s} {'best margin':>12s} {'H(p_eps)':>10s} "
    f"{'loss at best':>13s} "
    f"{'at best - 1':>12s} {'at best + 1':>12s}"
)
for n_cls in (3, 10, 1000):
    for epsilon in (0.05, 0.1, 0.2):
        target_eps = (1 - epsilon) * np.eye(n_cls)[0] + epsilon / n_cls
        best_margin = math.log(1 + n_cls * (1 - epsilon) / epsilon)
        row = []
        for m in (best_margin, best_margin - 1, best_margin + 1):
            z_row = np.zeros((1, n_cls))
            z_row[0, 0] = m
            row.append(
                float(F.cross_entropy(z_row, np.array([0]), label_smoothing=epsilon))
            )
        h_eps = float(info.entropy(target_eps))
        assert (
            np.isclose(row[0], h_eps, rtol=1e-12)
            and row[0] < min(row[1:])
            and h_eps > 0
        )
        print(
            f"{n_cls:5d} {epsilon:5.2f} {best_margin:12.4f} {h_eps:10.6f} "
            f"{row[0]:13.6f} "
            f"{row[1]:12.6f} {row[2]:12.6f}"
        )

# %% [markdown]
# A practical consequence: with label smoothing, a training loss that stops decreasing above 0 is
# the expected behaviour, not a sign of trouble, and the number to compare it with is
# $H(p^{\varepsilon})$; the excess $H(p^{\varepsilon}, q) - H(p^{\varepsilon}) =
# D_{\mathrm{KL}}(p^{\varepsilon}\,\|\,q)$ measures the fit to the smoothed target. Neither the
# smoothed losses nor these excesses are comparable between runs with different $\varepsilon$:
# each run is measured against a different target. Compare runs on the same yardstick, the
# unsmoothed validation loss (`label_smoothing=0.0` on the validation set) or the accuracy, as
# chapter 8 ({doc}`08-gallery-of-mistakes`) recommends.

# %% [markdown]
# (sec-ce-perplexity)=
# ## Perplexity and bits per character
#
# Language models report their cross-entropy per token, and often as a **{term}`perplexity`**
# {cite:p}`jelinek1977`. The perplexity of a distribution $p$ is
#
# $$
# \mathrm{PP}(p) = e^{H(p)} = 2^{H_2(p)} ,
# $$
#
# with $H$ in nats in the first form and $H_2$ in bits in the second; the base cancels, because
# $H_2 = H/\ln 2$. A uniform distribution over $k$ outcomes has $H = \log k$, so its perplexity is
# $k$: perplexity is the **effective number of equally likely choices**. The same holds for a model
# $q$ of data $p$: $\mathrm{PP}(p, q) = e^{H(p, q)}$, and a language model with perplexity 20 on
# a text is, on average, as uncertain about the next token as a uniform choice among 20 tokens.
# By {prf:ref}`thm-ce-decomposition`, $\mathrm{PP}(p, q) = \mathrm{PP}(p)\,e^{D_{\mathrm{KL}}(p\|q)}
# \ge \mathrm{PP}(p)$. SymPy proves the base-independence for $n = 3$ and the uniform case for a
# symbolic $k$:

# %%
p3_pp = sym.probabilities(3, name="p")
sym.check_identity(
    2 ** sym.entropy(p3_pp, base=2), sp.exp(sym.entropy(p3_pp))
).assert_proved()
k_sym = sp.Symbol("k", integer=True, positive=True)
H_uniform_k = -k_sym * (1 / k_sym) * sp.log(1 / k_sym)  # k equal terms -(1/k) log(1/k)
assert sp.simplify(sp.exp(H_uniform_k) - k_sym) == 0
print(
    "2^(H in bits) = e^(H in nats): proved for n = 3; PP(uniform on k) = k for "
    "symbolic k"
)
pp_valley = float(info.perplexity(p_valley))
pp_valley_mountain = float(info.perplexity(p_valley, q_mountain))
assert np.isclose(pp_valley, 2**H_p_bits) and np.isclose(
    pp_valley_mountain, 2**H_pq_bits
)
assert np.isclose(float(info.perplexity(np.full(8, 1 / 8))), 8.0, rtol=1e-15)
print(
    f"valley weather: PP(p) = {pp_valley:.4f} choices; with the mountain code "
    f"PP(p, q) = {pp_valley_mountain:.4f} choices"
)

# %% [markdown]
# A language model predicts each token $x_t$ of a text from the tokens before it, and its
# reported loss is the mean cross-entropy per token, in nats (PyTorch's `F.cross_entropy` over
# the $T$ positions with `reduction='mean'`):
#
# $$
# \bar\ell = -\frac1T\sum_{t=1}^{T}\log q(x_t \mid x_{<t}), \qquad
# \mathrm{PP} = e^{\bar\ell}, \qquad
# \text{bits per token} = \frac{\bar\ell}{\ln 2}, \qquad
# \text{bits per character} = \frac{T\,\bar\ell}{n_{\text{char}}\ln 2} .
# $$
#
# {term}`Bits per character <bits per character>` divide the text's total bits by its number of characters, so they
# compare models with different tokenisers, whose per-token numbers do not. Perplexity is the
# exponential of the *mean log*: the geometric mean of the $1/q(x_t \mid x_{<t})$, which is
# smaller than their arithmetic mean. The cell checks all of this on a seeded toy "text" of
# 20 000 tokens from a 50-word vocabulary, predicted by a model $q$ that is not the true
# distribution $p$ (and that ignores the context: every position gets the same logits):

# %%
vocabulary = 50
p_words = 1 / np.arange(1, vocabulary + 1) ** 1.1  # Zipf-like word frequencies
p_words /= p_words.sum()
q_words = 0.7 * p_words + 0.3 / vocabulary  # a model that over-spreads its mass
tokens = rng.choice(vocabulary, size=20_000, p=p_words)
logits_lm = np.tile(np.log(q_words), (tokens.size, 1))
loss_lm = float(F.cross_entropy(logits_lm, tokens))
pp_from_loss = float(info.perplexity_from_loss(loss_lm))
pp_expected = float(info.perplexity(p_words, q_words))
inverse_q = 1 / q_words[tokens]
assert np.isclose(pp_from_loss, math.exp(np.mean(np.log(inverse_q))), rtol=1e-12)
assert np.mean(inverse_q) > pp_from_loss
assert abs(pp_from_loss / pp_expected - 1) < 0.02
print(
    f"mean loss {loss_lm:.4f} nats/token -> perplexity {pp_from_loss:.4f} "
    f"(expected under p: PP(p, q) = {pp_expected:.4f}; the model's floor PP(p) = "
    f"{float(info.perplexity(p_words)):.4f})"
)
print(f"arithmetic mean of 1/q(x_t): {np.mean(inverse_q):.4f}  (not the perplexity)")

# %% [markdown]
# Converting a reported loss takes three lines. Suppose, as an example, that a model's validation
# loss is 2.2 nats per token on a text of $10^6$ tokens and $4.3 \times 10^6$ characters (these
# are made-up inputs, not a real model's numbers):

# %%
reported_loss, n_tokens, n_characters = 2.2, 1_000_000, 4_300_000
bits_per_token = reported_loss / math.log(2)
bits_per_character = bits_per_token * n_tokens / n_characters
perplexity_reported = float(info.perplexity_from_loss(reported_loss))
assert np.isclose(perplexity_reported, 2**bits_per_token)
print(
    f"perplexity {perplexity_reported:.2f}, {bits_per_token:.3f} bits per token, "
    f"{bits_per_character:.3f} bits per character"
)

# %% [markdown]
# (sec-ce-pytorch)=
# ## In PyTorch
#
# `torch.nn.functional.cross_entropy(input, target, weight=None, ignore_index=-100,
# reduction='mean', label_smoothing=0.0)` (and the module `nn.CrossEntropyLoss`) always takes
# **logits** as `input`, of shape $(N, C)$ (or $(C,)$, or $(N, C, d_1, \dots)$ for per-pixel or
# per-token losses) {cite:p}`paszke2019`. What it computes depends on the `target`:
#
# - **class indices**, an integer array of shape $(N,)$: $\ell_n = \operatorname{logsumexp}(z_n) -
#   z_{n, y_n}$, as derived above;
# - **class probabilities**, a float array of the same shape as `input`: $\ell_n = -\sum_c
#   p_{n,c}\log\operatorname{softmax}(z_n)_c = H(p_n, \operatorname{softmax}(z_n))$.
#
# `lossbook.functional.cross_entropy` has the same signature and semantics, so the calls below are
# what you would write with `import torch.nn.functional as F`. With one-hot probabilities the two
# target kinds give the same loss; with soft targets the probability form computes the
# cross-entropy from the soft target:

# %%
z_demo = np.array(
    [[2.0, 0.5, -1.0], [0.0, 1.0, 3.0], [1.5, 1.5, 0.0], [-0.5, 2.5, 0.5]]
)
y_demo = np.array([0, 2, 1, 1])
onehot_demo = F.one_hot(y_demo, num_classes=3).astype(float)
soft_demo = np.array(
    [[0.7, 0.2, 0.1], [0.0, 0.1, 0.9], [0.5, 0.5, 0.0], [0.1, 0.8, 0.1]]
)
by_index = float(F.cross_entropy(z_demo, y_demo))
by_onehot = float(F.cross_entropy(z_demo, onehot_demo))
by_soft = float(F.cross_entropy(z_demo, soft_demo))
soft_info = float(np.mean(info.cross_entropy(soft_demo, F.softmax(z_demo, dim=1))))
assert np.isclose(by_index, by_onehot, rtol=1e-12) and np.isclose(
    by_soft, soft_info, rtol=1e-12
)
print(f"class indices:            {by_index:.6f} nats")
print(f"one-hot probabilities:    {by_onehot:.6f} nats")
print(f"soft probabilities:       {by_soft:.6f} nats")
print(f"mean of H(p_n, softmax(z_n)) with lossbook.info: {soft_info:.6f} nats")

# %% [markdown]
# ### `label_smoothing`
#
# `label_smoothing=ε` replaces each target by $(1 - \varepsilon)\,(\text{target}) + \varepsilon/C$
# before taking the cross-entropy, for both target kinds. With class indices and no weights it
# equals the probability form with the smoothed one-hot target, as the next cell shows. ($\varepsilon$
# must lie in $[0, 1]$; PyTorch raises for $\varepsilon > 1$, and $\varepsilon = 1$ trains towards
# the uniform distribution and ignores the labels.)

# %%
epsilon = 0.1
smoothed_index = float(F.cross_entropy(z_demo, y_demo, label_smoothing=epsilon))
smoothed_probs = float(
    F.cross_entropy(z_demo, (1 - epsilon) * onehot_demo + epsilon / 3)
)
smoothed_info = float(
    np.mean(
        info.cross_entropy(
            (1 - epsilon) * onehot_demo + epsilon / 3, F.softmax(z_demo, dim=1)
        )
    )
)
assert np.allclose([smoothed_index, smoothed_probs], smoothed_info, rtol=1e-12)
soft_smoothed = float(F.cross_entropy(z_demo, soft_demo, label_smoothing=epsilon))
soft_by_hand = float(F.cross_entropy(z_demo, (1 - epsilon) * soft_demo + epsilon / 3))
assert np.isclose(soft_smoothed, soft_by_hand, rtol=1e-12)
print(f"label_smoothing=0.1 with indices:          {smoothed_index:.6f} nats")
print(f"smoothed one-hot probabilities, eps = 0:   {smoothed_probs:.6f} nats")
print(f"mean H(p_eps, softmax(z)) with lossbook:   {smoothed_info:.6f} nats")
print(
    f"soft targets, label_smoothing=0.1:         {soft_smoothed:.6f} nats "
    f"(smoothed by hand: {soft_by_hand:.6f})"
)

# %% [markdown]
# (sec-ce-weight)=
# ### `weight`: the weighted mean divides by the selected weights
#
# A {term}`class weight` vector $w \in \mathbb{R}^C$ multiplies each example's loss by the weight
# of its class, $\ell_n \mapsto w_{y_n}\ell_n$. With `reduction='mean'` and class-index targets
# the {term}`reduction` is a *weighted* mean: it divides by the sum of the weights that were
# selected, not by $N$,
#
# $$
# \text{loss} = \frac{\sum_{n} w_{y_n}\,\ell_n}{\sum_{n} w_{y_n}} .
# $$
#
# Scaling all weights by a constant therefore changes nothing in `'mean'` (but everything in
# `'sum'`). With **probability** targets the weight multiplies each class's term,
# $\ell_n = -\sum_c w_c\,p_{n,c}\log q_{n,c}$, and `'mean'` divides by $N$: one-hot
# probabilities and class indices then give *different* results. The cell computes both by hand
# and with `F.cross_entropy`.

# %%
weight = np.array([0.2, 1.0, 3.0])
nll_rows = F.logsumexp(z_demo, dim=1) - z_demo[np.arange(4), y_demo]
selected = weight[y_demo]
mean_index = float(F.cross_entropy(z_demo, y_demo, weight=weight))
mean_onehot = float(F.cross_entropy(z_demo, onehot_demo, weight=weight))
by_hand_index = np.sum(selected * nll_rows) / np.sum(selected)
by_hand_onehot = np.sum(selected * nll_rows) / 4
assert np.isclose(mean_index, by_hand_index, rtol=1e-12)
assert np.isclose(mean_onehot, by_hand_onehot, rtol=1e-12)
print("selected weights w_{y_n}:", selected, "| sum:", selected.sum())
print(f"class indices,  'mean' = sum w ell / sum w = {mean_index:.6f}")
print(f"one-hot probs,  'mean' = sum w ell / N     = {mean_onehot:.6f}")
print(
    f"weights x 10, class indices, 'mean':        "
    f"{float(F.cross_entropy(z_demo, y_demo, weight=10 * weight)):.6f}"
)

# %% [markdown]
# (sec-ce-double-softmax)=
# ### The mistake: a softmax before `cross_entropy`
#
# `cross_entropy` applies the (log-)softmax itself. A model whose last layer already applies
# `softmax` therefore gets a *second* softmax inside the loss, which computes
# $-\log\operatorname{softmax}(u)_y$ of the probabilities $u = \operatorname{softmax}(z)$. Nothing
# raises an error, and the loss even decreases during training; but it can no longer approach 0.
# The entries of $u$ lie in $[0, 1]$, so the second softmax can never become confident. The best
# case is a perfectly confident, correct first softmax, $u = e_y$:
#
# $$
# -\log\operatorname{softmax}(e_y)_y = -\log\frac{e}{e + (C - 1)} = \log\Big(1 + \frac{C-1}{e}\Big).
# $$
#
# This is a floor for *every* $u$: $-\log\operatorname{softmax}(u)_y = \log\big(1 + \sum_{c\ne y}
# e^{u_c - u_y}\big)$ and each $u_c - u_y \ge -1$. SymPy computes the floor as a limit: take
# logits $z = (t, 0, \dots, 0)$ and target $y = 0$ (the first class), so the first softmax is
# $u_y = e^t/(e^t + C - 1)$
# and $u_c = 1/(e^t + C - 1)$ for the $C - 1$ others, and let $t \to \infty$, for a symbolic number
# of classes $C$:

# %%
t = sp.Symbol("t", real=True)
u_true = sp.exp(t) / (sp.exp(t) + C_sym - 1)
u_other = 1 / (sp.exp(t) + C_sym - 1)
double_softmax_loss = sp.log(sp.exp(u_true) + (C_sym - 1) * sp.exp(u_other)) - u_true
floor_limit = sp.limit(double_softmax_loss, t, sp.oo)
display(sp.Eq(sp.Limit(sp.Symbol("loss"), t, sp.oo), floor_limit))
assert sp.simplify(floor_limit - sp.log(1 + (C_sym - 1) / sp.E)) == 0
for n in (2, 3, 4):  # the loss written above is the book's -log_softmax(softmax(z))_y
    z_n = [t] + [0] * (n - 1)
    second = -sym.log_softmax(sym.softmax(z_n))[0]
    assert sp.simplify(second - double_softmax_loss.subs(C_sym, n)) == 0
print(
    "limit = log(1 + (C - 1)/e)   (symbolic C; the loss expression checked for C = 2, "
    "3, 4)"
)

# %% [markdown]
# `lossbook.functional` reproduces the floor. For very confident, correct logits, the correct call
# `F.cross_entropy(z, y)` is essentially 0, while `F.cross_entropy(F.softmax(z), y)` sits at
# $\log(1 + (C-1)/e) = \log(e + C - 1) - 1$, which for many classes is less than one nat below the
# $\log C$ of a uniform guess. The last column is the double-softmax loss of a confidently *wrong*
# model, $\log(e + C - 1)$ in the limit: the whole range the mistaken loss can move in, from a
# perfect model to a hopeless one, is one nat, as the table shows.

# %%
print(
    f"{'C':>5s} {'right loss':>11s} {'double softmax':>15s} {'floor':>9s} "
    f"{'log C':>9s} "
    f"{'wrong, double':>14s}"
)
for n_cls in (2, 10, 100, 1000):
    z_conf = np.zeros((1, n_cls))
    z_conf[0, 0] = 50.0
    right = float(F.cross_entropy(z_conf, np.array([0])))
    double = float(F.cross_entropy(F.softmax(z_conf, dim=1), np.array([0])))
    double_wrong = float(F.cross_entropy(F.softmax(z_conf, dim=1), np.array([1])))
    floor = math.log(1 + (n_cls - 1) / math.e)
    assert np.isclose(double, floor, rtol=1e-12) and right < 1e-12
    print(
        f"{n_cls:5d} {right:11.6f} {double:15.6f} {floor:9.6f} {math.log(n_cls):9.6f} "
        f"{double_wrong:14.6f}"
    )

# %% [markdown]
# The gradient suffers too. With respect to $u$ it is $\operatorname{softmax}(u) - e_y$, which
# never vanishes (even for a perfect model it keeps pushing), but the chain rule through the first
# softmax multiplies it by the Jacobian $\operatorname{diag}(u) - uu^\top$, which vanishes as $u$
# becomes confident. A confidently *wrong* model, which needs the strongest correction, gets almost
# none. The cell compares the gradients with respect to the logits $z = (-4, 4, 0)$ for the
# target $y = 0$ (finite differences of both losses):

# %%
z_wrong = np.array([[-4.0, 4.0, 0.0]])
y_wrong = np.array([0])


def double_softmax_loss_num(logits):
    return float(F.cross_entropy(F.softmax(logits, dim=1), y_wrong))


def right_loss_num(logits):
    return float(F.cross_entropy(logits, y_wrong))


grad_right = G.numerical_gradient(right_loss_num, z_wrong)
grad_double = G.numerical_gradient(double_softmax_loss_num, z_wrong)
assert np.allclose(grad_right, G.cross_entropy_grad(z_wrong, y_wrong), atol=1e-7)
print(f"softmax(z) = {F.softmax(z_wrong, dim=1)[0]}")
print(
    f"cross_entropy(z):          loss {right_loss_num(z_wrong):.6f}, gradient "
    f"{grad_right[0]}, "
    f"norm {np.linalg.norm(grad_right):.6f}"
)
print(
    f"cross_entropy(softmax(z)): loss {double_softmax_loss_num(z_wrong):.6f}, "
    f"gradient {grad_double[0]}, norm {np.linalg.norm(grad_double):.6f}"
)

# %% [markdown]
# The model learns slowly or not at all, and a "good" loss value no longer means what it should.
# The fix is to pass the logits and to apply `softmax` only where probabilities are needed (for
# reporting or sampling). By contrast, a `log_softmax` before `cross_entropy` is harmless, because
# the log-softmax of log-probabilities changes nothing ($\operatorname{logsumexp}$ of a
# log-probability vector is $\log 1 = 0$):

# %%
twice = float(F.cross_entropy(F.log_softmax(z_demo, dim=1), y_demo))
assert np.isclose(twice, by_index, rtol=1e-12)
print(
    f"cross_entropy(log_softmax(z)) = {twice:.6f} = cross_entropy(z) = {by_index:.6f}"
)

# %% [markdown]
# Related pitfalls, such as feeding probabilities instead of log-probabilities to `nll_loss`, are
# in chapters {doc}`03-negative-log-likelihood` and {doc}`08-gallery-of-mistakes`.
#
# (sec-ce-summary)=
# ## Summary
#
# - $H(p, q) = -\sum_x p(x)\log q(x)$ is the average code length when outcomes from $p$ are coded
#   with a code built for $q$; a real prefix (Shannon) code for $q$ needs less than one bit more.
# - $H(p, q) = H(p) + D_{\mathrm{KL}}(p\,\|\,q)$, so by Gibbs' inequality $H(p, q) \ge H(p)$ with
#   equality exactly at $q = p$. The cross-entropy is a *cost* with floor $H(p)$, not a
#   difference; the difference is $D_{\mathrm{KL}}(p\,\|\,q)$.
# - With a one-hot target and logits, the loss is $\operatorname{logsumexp}(z) - z_y$ and its
#   gradient is $\operatorname{softmax}(z) - e_y$: bounded, summing to zero, proportional to the
#   error.
# - Label smoothing trains against $(1-\varepsilon)e_y + \varepsilon/C$; the loss is then bounded
#   below by $H(p^{\varepsilon}) > 0$, reached at a finite logit margin. Runs with different
#   $\varepsilon$ are compared on the unsmoothed validation loss or on accuracy.
# - Perplexity $e^{H} = 2^{H_2}$ is the effective number of equally likely choices; a language
#   model's loss $\bar\ell$ in nats per token gives perplexity $e^{\bar\ell}$, $\bar\ell/\ln 2$
#   bits per token, and bits per character after dividing the total bits by the characters.
# - `F.cross_entropy` takes logits, with class indices or probabilities as targets; a weighted
#   `'mean'` divides by the sum of the selected weights (for index targets); a softmax before it
#   puts a floor of $\log(1 + (C-1)/e)$ under the loss.
#
# ## Exercises
#
# ```{exercise} Which way round?
# :label: ex-cross-entropy-1
# (a) For the valley $p$ and the mountain $q$ of {ref}`sec-ce-coding`, compute $H(p, q)$ and
# $H(q, p)$ in bits, and say in words what each one is the cost of.
# (b) The valley now decides to build a code for its own weather but, to save effort, uses a
# uniform code of 2 bits per report. How many bits per report does this cost compared with
# $H(p)$? Which cross-entropy is this?
# (c) Suppose the mountain code had no codeword for "sun" at all ($q_{\text{sun}} = 0$). What is
# $H(p, q)$? What would the corresponding statement be for a classifier?
# ```
#
# ```{solution-start} ex-cross-entropy-1
# :class: dropdown
# ```
#
# (a) $H(p, q)$ is the average length when the valley's weather is coded with the mountain's
# code; $H(q, p)$ is the average length when the mountain's weather is coded with the valley's
# code. They are different numbers. (b) A uniform 2-bit code is the Shannon code for the uniform
# $u$, and its average length under $p$ is $H(p, u) = \log_2 4 = 2$ bits whatever $p$ is; the
# excess over $H(p)$ is $D_{\mathrm{KL}}(p\,\|\,u) = \log_2 4 - H(p)$. (c) A symbol without a
# codeword cannot be sent at all: $H(p, q) = +\infty$. A classifier that gives probability 0 to a
# class that occurs in the data has an infinite loss on that example (in floating point, a
# `log_softmax` of $-\infty$).

# %%
uniform4 = np.full(4, 0.25)
print(
    f"(a) H(p, q) = {float(info.cross_entropy(p_valley, q_mountain, base=2)):.4f} "
    "bits, "
    f"H(q, p) = {float(info.cross_entropy(q_mountain, p_valley, base=2)):.4f} bits"
)
extra_uniform = float(info.kl_divergence(p_valley, uniform4, base=2))
print(
    f"(b) H(p, uniform) = {float(info.cross_entropy(p_valley, uniform4, base=2)):.4f} "
    "bits, "
    f"H(p) = {H_p_bits:.4f} bits, extra = {extra_uniform:.4f} bits"
)
q_no_sun = np.array([0.0, 0.25, 0.35, 0.40])
print(
    "(c) H(p, q without sun) = "
    f"{float(info.cross_entropy(p_valley, q_no_sun, base=2))} bits"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Rounding costs at most one bit
# :label: ex-cross-entropy-2
# (a) Show that the Shannon code for $q$, with lengths $\ell_i = \lceil -\log_2 q_i\rceil$, has an
# average length under $p$ that satisfies $H(p, q) \le \sum_i p_i\ell_i < H(p, q) + 1$ (in bits).
# (b) Check the two bounds on 10 000 random pairs $(p, q)$ of distributions over 6 outcomes
# (`np.random.default_rng(5)`, Dirichlet with all parameters 1). What is the largest rounding
# overhead $\sum_i p_i\ell_i - H(p, q)$ you find, and the smallest?
# ```
#
# ```{solution-start} ex-cross-entropy-2
# :class: dropdown
# ```
#
# (a) For each $i$, $-\log_2 q_i \le \ell_i < -\log_2 q_i + 1$ by the definition of the ceiling.
# Multiply by $p_i \ge 0$ and add: $H(p, q) \le \sum_i p_i\ell_i < H(p, q) + \sum_i p_i =
# H(p, q) + 1$. (The strict inequality needs some $p_i > 0$, which holds for a distribution.)
# (b) The overhead stays in $[0, 1)$, and it depends only on how far each $-\log_2 q_i$ is from the
# next integer, weighted by $p$.

# %%
rng_ex = np.random.default_rng(5)
p_ex = rng_ex.dirichlet(np.ones(6), size=10_000)
q_ex = rng_ex.dirichlet(np.ones(6), size=10_000)
lengths_ex = info.shannon_code_lengths(q_ex)
average_ex = np.sum(p_ex * lengths_ex, axis=1)
ce_ex = info.cross_entropy(p_ex, q_ex, base=2)
overhead = average_ex - ce_ex
assert np.all(overhead >= 0) and np.all(overhead < 1)
print(
    f"rounding overhead: smallest {overhead.min():.4f} bits, largest "
    f"{overhead.max():.4f} bits"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Soft targets that do not sum to one
# :label: ex-cross-entropy-3
# Let $p \in \mathbb{R}^C$ have non-negative entries with sum $s = \sum_c p_c$ (not necessarily
# 1), and $\ell(z) = -\sum_c p_c \log\operatorname{softmax}(z)_c$.
# (a) Derive $\nabla_z\ell = s\,\operatorname{softmax}(z) - p$ with SymPy for $C = 3$.
# (b) Check it against `G.numerical_gradient` of `F.cross_entropy` with probability targets for
# $p = (0.6, 0.3, 0.3)$ and $z = (1, 0, -1)$.
# (c) What is the sum of the gradient's entries? What does gradient descent do to the logits when
# $s \ne 1$, and where (if anywhere) is the minimum of $\ell$?
# ```
#
# ```{solution-start} ex-cross-entropy-3
# :class: dropdown
# ```
#
# (a) $\ell(z) = \sum_c p_c\big(\operatorname{logsumexp}(z) - z_c\big)
# = s\operatorname{logsumexp}(z) - \sum_c p_c z_c$, and the derivative of the log-sum-exp is the softmax. (c) The entries sum to
# $s - s = 0$, so the loss is still invariant to shifting all logits, and the minimum is still at
# $\operatorname{softmax}(z) = p/s$: a soft target that does not sum to 1 is silently
# renormalised by the optimum, while the loss *values* are scaled by $s$ (and its floor is
# $s\,H(p/s)$, not $H(p)$). PyTorch does not check that probability targets sum to 1.

# %%
z3 = sym.logits(3)
p_s = sp.symbols("p_1:4", nonnegative=True)
loss_soft = -sum(pc * lc for pc, lc in zip(p_s, sym.log_softmax(z3)))
for k in range(3):
    sym.check_identity(
        sp.diff(loss_soft, z3[k]), sum(p_s) * sym.softmax(z3)[k] - p_s[k]
    ).assert_proved()
print("(a) d loss / d z_k = s softmax(z)_k - p_k: proved for C = 3")
p_bad = np.array([[0.6, 0.3, 0.3]])
z_point = np.array([[1.0, 0.0, -1.0]])


def loss_bad(zz):
    return float(F.cross_entropy(zz, p_bad, reduction="sum"))


numeric = G.numerical_gradient(loss_bad, z_point)
formula = p_bad.sum() * F.softmax(z_point, dim=1) - p_bad
assert np.allclose(numeric, formula, atol=1e-7)
print("(b) finite differences:", numeric[0], "| formula:", formula[0])
z_opt = np.log(p_bad / p_bad.sum())
floor_bad = float(F.cross_entropy(z_opt, p_bad, reduction="sum"))
assert abs(float(formula.sum())) < 1e-12
print(
    f"(c) sum of entries 0 (up to rounding); optimum softmax(z) = p/s = "
    f"{(p_bad / p_bad.sum())[0]}; loss there {floor_bad:.6f} = "
    f"s H(p/s) = {p_bad.sum() * float(info.entropy(p_bad[0] / p_bad.sum())):.6f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} How confident may a smoothed model be?
# :label: ex-cross-entropy-4
# An ImageNet-style model has $C = 1000$ classes and is trained with `label_smoothing=0.1`.
# (a) What probability does the optimal model give to the true class, and what is the optimal
# logit margin $z_y - z_c$? (b) What is the smallest possible training loss, in nats?
# (c) Confirm (a) and (b) by minimising `F.cross_entropy(z(m), y, label_smoothing=0.1)` over the
# margin $m$ numerically (for example with `scipy.optimize.minimize_scalar`).
# (d) A colleague reports a training loss of 1.2 nats for this setup and worries that the model
# is underfitting. What would you tell them?
# ```
#
# ```{solution-start} ex-cross-entropy-4
# :class: dropdown
# ```
#
# (a) The optimum is $q = p^{\varepsilon}$, so $q_y = 1 - \varepsilon + \varepsilon/C$ and the
# margin is $\log(1 + C(1-\varepsilon)/\varepsilon)$. (b) $H(p^{\varepsilon})$. (d) The floor is
# above 1 nat, so 1.2 nats is less than 0.2 nats from the best possible loss: compare with
# $H(p^{\varepsilon})$ (or report the KL divergence), not with 0.

# %%
C_big, eps_big = 1000, 0.1
target_big = (1 - eps_big) * np.eye(C_big)[0] + eps_big / C_big
margin_big = math.log(1 + C_big * (1 - eps_big) / eps_big)
floor_big = float(info.entropy(target_big))


def smoothed_loss(m):
    z_row = np.zeros((1, C_big))
    z_row[0, 0] = m
    return float(F.cross_entropy(z_row, np.array([0]), label_smoothing=eps_big))


found = scipy.optimize.minimize_scalar(smoothed_loss, bracket=(0.0, 20.0), tol=1e-10)
assert abs(found.x - margin_big) < 1e-4 and abs(found.fun - floor_big) < 1e-9
print(f"(a) q_y = {target_big[0]:.4f}, margin = {margin_big:.4f}")
print(f"(b) smallest loss H(p_eps) = {floor_big:.4f} nats")
print(f"(c) numerical minimum at m = {found.x:.4f}, loss {found.fun:.4f} nats")
print(f"(d) 1.2 nats is {1.2 - floor_big:.4f} nats above the floor")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Weighted means with the two kinds of target
# :label: ex-cross-entropy-5
# Take the logits `z_demo`, targets `y_demo` and class weights $w = (0.2, 1, 3)$ of
# {ref}`sec-ce-weight`.
# (a) Explain why `F.cross_entropy(z_demo, y_demo, weight=w)` and
# `F.cross_entropy(z_demo, one_hot(y_demo).float(), weight=w)` differ, and find the factor between
# them. (b) Run A was trained without weights and predicts `z_demo`; run B was trained with the
# weights $w$ and predicts `z_demo + (0, 0, 0.5)`. Its author reports B's weighted validation
# loss next to A's unweighted one. What is wrong with that comparison, and how should the two
# runs be compared? (c) Is the class-index version with weights still a cross-entropy
# $H(\tilde p, q)$ for some target distribution $\tilde p$ over the *batch*?
# ```
#
# ```{solution-start} ex-cross-entropy-5
# :class: dropdown
# ```
#
# (a) Both sum $w_{y_n}\ell_n$; indices divide by $\sum_n w_{y_n}$, probabilities by $N$; the factor
# is $N/\sum_n w_{y_n}$. (b) The weighted mean and the unweighted mean are two different
# objectives, so their values cannot be compared: on these numbers B's weighted loss is below
# A's unweighted one, while on the same unweighted loss A is better. Evaluate both runs with the
# *same* loss, the unweighted `F.cross_entropy(z, y)` (or with the same metric, such as the
# accuracy), whatever each was trained with. (c) Yes: it is the
# average of $-\log q_{n, y_n}$ under the distribution over examples that gives example $n$
# probability $w_{y_n}/\sum_m w_{y_m}$, a re-weighted empirical distribution.

# %%
ratio = mean_index / mean_onehot
print(
    f"index mean {mean_index:.6f}, one-hot mean {mean_onehot:.6f}, ratio {ratio:.6f}, "
    f"N / sum w = {4 / selected.sum():.6f}"
)
example_weights = selected / selected.sum()
assert np.isclose(np.sum(example_weights * nll_rows), mean_index, rtol=1e-12)
print(
    "example distribution:",
    example_weights,
    "| its average loss:",
    f"{np.sum(example_weights * nll_rows):.6f}",
)
z_run_b = z_demo + np.array([0.0, 0.0, 0.5])
a_unweighted = float(F.cross_entropy(z_demo, y_demo))
b_weighted = float(F.cross_entropy(z_run_b, y_demo, weight=weight))
b_unweighted = float(F.cross_entropy(z_run_b, y_demo))
assert b_weighted < a_unweighted < b_unweighted
print(
    f"(b) reported: A unweighted {a_unweighted:.4f} vs B weighted {b_weighted:.4f} "
    "nats "
    "(B looks better)"
)
print(
    f"    same unweighted loss: A {a_unweighted:.4f} vs B {b_unweighted:.4f} nats "
    "(A is better)"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Comparing language models
# :label: ex-cross-entropy-6
# (a) Show that a model that predicts the uniform distribution over a vocabulary of $V$ tokens
# has perplexity exactly $V$ on every text, and check it with `F.cross_entropy` on the toy text
# of {ref}`sec-ce-perplexity` ($V = 50$).
# (b) Model A reports a validation loss of 2.6 nats per token with a tokeniser that produces, on
# the validation text, one token per 3.6 characters. Model B reports 1.1 bits per character on
# the same text with a different tokeniser. Which model predicts the text better? Why can their
# perplexities not be compared directly?
# (c) On the toy text, compare the perplexity with the arithmetic mean of $1/q(x_t)$ and with
# the harmonic mean. Which inequality between the three always holds, and why?
# ```
#
# ```{solution-start} ex-cross-entropy-6
# :class: dropdown
# ```
#
# (a) Every token gets $q = 1/V$, so the mean loss is $\log V$ and the perplexity $e^{\log V} = V$.
# (b) Convert both to bits per character: A has $2.6/\ln 2/3.6 \approx 1.04$ bits per character,
# below B's 1.1, so A predicts the text better. Perplexities are per *token*, and the two tokenisers cut
# the text into different numbers of tokens; bits per character divide by the same number, the
# characters of the text. (c) The perplexity is the geometric mean of the $1/q(x_t)$, and for
# positive numbers harmonic mean $\le$ geometric mean $\le$ arithmetic mean (with equality only
# when all are equal).

# %%
uniform_logits = np.zeros((tokens.size, vocabulary))
pp_uniform = float(info.perplexity_from_loss(F.cross_entropy(uniform_logits, tokens)))
assert np.isclose(pp_uniform, vocabulary, rtol=1e-12)
print(f"(a) uniform model: perplexity {pp_uniform:.6f} = V = {vocabulary}")
bpc_a = 2.6 / math.log(2) / 3.6
bpc_b = 1.1
assert bpc_a < bpc_b
print(f"(b) model A: {bpc_a:.4f} bits per character; model B: {bpc_b:.4f}: A is better")
harmonic = 1 / np.mean(q_words[tokens])
arithmetic = float(np.mean(inverse_q))
assert harmonic <= pp_from_loss <= arithmetic
print(
    f"(c) harmonic {harmonic:.4f} <= perplexity (geometric) {pp_from_loss:.4f} "
    f"<= arithmetic {arithmetic:.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`shannon1948` founded information theory; the code with lengths
#   $\lceil -\log_2 p\rceil$ and the bound $H \le L < H + 1$ first appear there.
# - {cite:t}`cover2006`, chapters 2 and 5, prove Gibbs' inequality (as $D(p\,\|\,q) \ge 0$) and
#   give the cost of coding with the wrong distribution, $H(p) + D(p\,\|\,q)$.
# - {cite:t}`bridle1990` introduced the softmax ("normalised exponential") output and its reading
#   as class probabilities, trained by maximising their likelihood.
# - {cite:t}`goodfellow2016`, sections 3.13 and 6.2.2, define cross-entropy in deep learning and
#   explain why softmax outputs are trained with it rather than with squared error.
# - {cite:t}`szegedy2016`, section 7, introduced label smoothing.
# - {cite:t}`muller2019` analyse when label smoothing helps: calibration, and the tighter clusters
#   of penultimate-layer features.
# - {cite:t}`paszke2019` describe PyTorch, whose `cross_entropy` semantics `lossbook.functional`
#   reproduces.
# - {cite:t}`jelinek1977` introduced perplexity as the measure of the difficulty of a speech
#   recognition task, the number language models still report.
