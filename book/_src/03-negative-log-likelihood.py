# %% [markdown]
# # Negative log-likelihood and maximum likelihood
#
# A model $q_\theta$ gives every possible outcome a probability. After we have looked at some data,
# the natural question is: **how probable did the model find the data we actually saw?** That
# number, seen as a function of the parameters $\theta$, is the {term}`likelihood`, and choosing the
# parameters that make it largest is {term}`maximum likelihood estimation` {cite:p}`fisher1922`. This
# chapter shows that minimising the {term}`negative log-likelihood` (NLL) of a sample is *the same
# thing* as minimising the {term}`cross-entropy` from the sample's {term}`empirical distribution`
# to the model, and that PyTorch's `cross_entropy` is nothing but `nll_loss` applied after a
# {term}`log-softmax`.
#
# **In this chapter** you will derive and check
#
# - the likelihood of a sample, grouped by outcome, and why its average negative logarithm is the
#   cross-entropy $H(\hat p, q_\theta)$ from the empirical distribution;
# - maximum likelihood = minimum cross-entropy = minimum relative entropy
#   ({prf:ref}`thm-mle-cross-entropy`), and the categorical MLE $\hat q = \hat p$;
# - `cross_entropy(z, y) = nll_loss(log_softmax(z), y)` ({prf:ref}`thm-ce-nll-log-softmax`), with
#   class weights and `ignore_index`;
# - why frameworks split the loss this way, the mistakes people make with the split, and fitting
#   a model by minimising the NLL.
#
# **You need** chapter 2 ({doc}`02-cross-entropy`): the cross-entropy, its split
# $H(p, q) = H(p) + D_{\mathrm{KL}}(p\,\|\,q)$ and the softmax; the relative entropy and Gibbs'
# inequality of chapter 1 ({ref}`sec-relative-entropy`); gradients.

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
# (sec-nll-intuition)=
# ## A coin, its likelihood and its negative log-likelihood
#
# Start with the smallest model: a coin that shows heads with probability $\theta$ (a
# {term}`Bernoulli distribution`). We toss it $N$ times. The cell below draws the tosses from a
# seeded generator and counts the heads.

# %%
tosses = (rng.random(20) < 0.6).astype(int)  # 1 = heads
n_tosses, n_heads = tosses.size, int(tosses.sum())
print("tosses:", tosses)
print(
    f"N = {n_tosses}, heads = {n_heads}, frequency of heads = {n_heads / n_tosses:.2f}"
)

# %% [markdown]
# Every toss is independent, so the probability of the whole sequence is the product of the
# probabilities of its tosses: $\theta$ for each head and $1-\theta$ for each tail, that is
# $L(\theta) = \theta^{k}(1-\theta)^{N-k}$ for $k$ heads. The left panel plots this likelihood;
# the right panel plots the negative log-likelihood *per toss*, $-\frac1N \log L(\theta)$, in
# {term}`nat`s. The logarithm turns the product into a sum and the minus sign turns the maximum into
# a minimum; because $\log$ is increasing, both curves have their optimum at the same $\theta$, the
# observed frequency of heads.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels against the coin's parameter theta from 0 to 1. Left: the likelihood of the 20 tosses, a tiny bump (of order one in a million) peaking at the empirical frequency of heads. Right: the negative log-likelihood per toss in nats, a convex valley whose minimum is at the same theta; a dashed vertical line marks the empirical frequency in both panels."}}
theta = np.linspace(0.01, 0.99, 491)
likelihood = theta**n_heads * (1 - theta) ** (n_tosses - n_heads)
nll_per_toss = (
    -(n_heads * np.log(theta) + (n_tosses - n_heads) * np.log1p(-theta)) / n_tosses
)
theta_hat = n_heads / n_tosses

fig, (ax_l, ax_n) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_l.plot(theta, likelihood * 1e6, color=lbplot.PALETTE[0], label=r"$L(\theta)$")
ax_l.set_xlabel(r"$\theta$ = probability of heads")
ax_l.set_ylabel(r"likelihood $L(\theta)$ ($\times 10^{-6}$, no unit)")
ax_n.plot(
    theta, nll_per_toss, color=lbplot.PALETTE[1], label=r"$-\frac{1}{N}\log L(\theta)$"
)
ax_n.set_xlabel(r"$\theta$ = probability of heads")
ax_n.set_ylabel("NLL per toss (nats)")
ax_n.set_ylim(0, 2.5)
for ax in (ax_l, ax_n):
    ax.axvline(
        theta_hat,
        color="0.4",
        linestyle="--",
        label=rf"$\hat\theta = k/N = {theta_hat:.2f}$",
    )
    ax.legend(loc="upper left" if ax is ax_l else "upper center")
ax_l.set_title("likelihood (maximise)")
ax_n.set_title("negative log-likelihood (minimise)")
plt.show()

# %%
print(f"argmax of L on the grid:   {theta[np.argmax(likelihood)]:.3f}")
print(f"argmin of NLL on the grid: {theta[np.argmin(nll_per_toss)]:.3f}")
print(f"largest likelihood:   {likelihood.max():.3e}")
print(f"smallest NLL per toss: {nll_per_toss.min():.6f} nats")

# %% [markdown]
# Two things are worth noticing already. The likelihood of even the best coin is a tiny number,
# and it shrinks geometrically with $N$: for 2000 tosses it is smaller than the smallest positive
# double, and the computed product is 0 (as the cell below prints), while the NLL per toss stays a
# modest number of nats. That is one practical reason to work with logarithms. The other is
# visible in the right panel: the NLL is a {term}`convex function` of $\theta$, a single valley,
# the shape that gradient descent likes.

# %%
for n in (20, 200, 2000):
    k = round(theta_hat * n)
    with np.errstate(under="ignore"):
        product = np.prod(np.r_[np.full(k, theta_hat), np.full(n - k, 1 - theta_hat)])
    per_toss = -(k * np.log(theta_hat) + (n - k) * np.log1p(-theta_hat)) / n
    print(
        f"N = {n:4d}: product of probabilities {product:.3e}, NLL per toss "
        f"{per_toss:.6f} nats"
    )

# %% [markdown]
# (sec-nll-likelihood)=
# ## The likelihood of a sample, grouped by outcome
#
# Now let the model be any distribution $q_\theta$ over $C$ outcomes $\{1, \dots, C\}$ (a
# {term}`categorical distribution`), and let $x_1, \dots, x_N$ be $N$ independent draws. Write
# $N_i = \#\{n : x_n = i\}$ for the number of draws that came out as $i$, so that
# $N_1 + \dots + N_C = N$, and
#
# $$
# \hat p(i) = \frac{N_i}{N}
# $$
#
# for the **empirical distribution** of the sample: each outcome's relative frequency. (The seed
# README calls this frequency $p(x=i)$; the hat is there to keep it apart from the unknown
# distribution that produced the data.) By independence the likelihood is a product over the
# *samples*; collecting equal factors turns it into a product over the *outcomes*:
#
# $$
# L(\theta) = \prod_{n=1}^{N} q_\theta(x_n) = \prod_{i=1}^{C} q_\theta(i)^{N_i}
#           = \prod_{i=1}^{C} q_\theta(i)^{N \hat p(i)} .
# $$
#
# Taking $-\frac1N \log$ of both sides gives the central identity of the chapter:
#
# $$
# -\frac{1}{N}\log L(\theta) = -\frac1N \sum_{n=1}^{N} \log q_\theta(x_n)
#    = -\sum_{i=1}^{C} \hat p(i)\log q_\theta(i) = H(\hat p, q_\theta).
# $$
#
# The average negative log-likelihood of the sample is the cross-entropy from the empirical
# distribution to the model ({doc}`02-cross-entropy`).
#
# ### Grouping, done by SymPy
#
# SymPy collects equal factors of a product automatically, which is exactly the grouping step. Take
# a concrete sample of $N = 12$ draws among $C = 3$ outcomes (numbered from 0, as in PyTorch) and
# multiply the model's probabilities of the draws. SymPy's symbols are numbered from 1, so
# outcome $i$ has probability $q_{i+1}$: the count of outcome 0 becomes the exponent of $q_1$,
# and so on (in the formulas of this section the outcomes are $1, \dots, C$).

# %%
C = 3
sample = rng.choice(C, size=12, p=[0.5, 0.3, 0.2])
counts = np.bincount(sample, minlength=C)
q = sym.probabilities(C, name="q")
likelihood_by_sample = sp.Mul(*[q[x] for x in sample])
print("sample:", sample, "| counts N_i:", counts)
likelihood_by_sample

# %% [markdown]
# The exponents SymPy found are the counts:

# %%
exponents = likelihood_by_sample.as_powers_dict()
assert [exponents[q[i]] for i in range(C)] == counts.tolist()
print("exponent of each q_i = N_i:", [int(exponents[q[i]]) for i in range(C)])

# %% [markdown]
# ### From the likelihood to the cross-entropy, on symbolic counts
#
# Now make the counts symbols $N_1, N_2, N_3$ (positive), set $N = N_1 + N_2 + N_3$ and
# $\hat p(i) = N_i / N$, and ask SymPy whether $-\frac1N\log\prod_i q_i^{N_i}$ equals the book's
# `sym.cross_entropy(p_hat, q)`. First the logarithm of the product, expanded into a sum:

# %%
N_sym = sp.symbols("N_1:4", positive=True)
L_grouped = sp.Mul(*[qi**Ni for qi, Ni in zip(q, N_sym)])
N_total = sum(N_sym)
nll_mean = -sp.expand_log(sp.log(L_grouped)) / N_total
nll_mean

# %%
p_hat = [Ni / N_total for Ni in N_sym]
cross_entropy_to_model = sym.cross_entropy(p_hat, q)
result = sym.check_identity(nll_mean, cross_entropy_to_model)
assert result, result
result

# %% [markdown]
# That proves it for three outcomes. For any number $C$ of outcomes, SymPy can work with an indexed
# product $\prod_{i=1}^{C} q_i^{N_i}$ whose upper limit is a symbol; `expand_log` turns its
# logarithm into a sum (the $q_i$ are positive), and the difference from
# $-\sum_i \frac{N_i}{N}\log q_i$ simplifies to zero:

# %%
C_sym = sp.Symbol("C", integer=True, positive=True)
i_idx = sp.Symbol("i", integer=True, positive=True)
qb, Nb = sp.IndexedBase("q", positive=True), sp.IndexedBase("N", positive=True)
N_tot = sp.Symbol("N", positive=True)  # stands for sum_i N_i
log_L_general = sp.expand_log(
    sp.log(sp.Product(qb[i_idx] ** Nb[i_idx], (i_idx, 1, C_sym)))
)
display(sp.Eq(sp.Symbol(r"\log L"), log_L_general))
H_general = -sp.Sum(Nb[i_idx] / N_tot * sp.log(qb[i_idx]), (i_idx, 1, C_sym))
assert sp.factor_terms(-log_L_general / N_tot - H_general) == 0
print("-(1/N) log prod_i q_i^N_i = -sum_i (N_i/N) log q_i  for symbolic C: proved")

# %% [markdown]
# ### Checked on the concrete sample
#
# Back to numbers. For a model $q$ and the sample above, the average NLL computed sample by sample,
# $-\frac1N\sum_n \log q(x_n)$, must equal `info.cross_entropy(p_hat, q)`. The sample-by-sample
# sum is exactly what `F.nll_loss` computes when every row of its input holds $\log q$: it picks the
# entry of each row at the target and averages with a minus sign.

# %%
p_hat_num = counts / counts.sum()
models = {
    "uniform": np.array([1 / 3, 1 / 3, 1 / 3]),
    "generating (0.5, 0.3, 0.2)": np.array([0.5, 0.3, 0.2]),
    "empirical p_hat": p_hat_num,
}
print(
    f"{'model q':28s} {'-(1/N) sum log q(x_n)':>22s} {'F.nll_loss':>11s} "
    f"{'H(p_hat, q)':>12s}"
)
for name, qm in models.items():
    by_sample = -np.mean(np.log(qm[sample]))
    by_nll_loss = float(F.nll_loss(np.tile(np.log(qm), (sample.size, 1)), sample))
    by_info = float(info.cross_entropy(p_hat_num, qm))
    assert np.allclose([by_sample, by_nll_loss], by_info, rtol=1e-12)
    print(f"{name:28s} {by_sample:22.6f} {by_nll_loss:11.6f} {by_info:12.6f}")

# %% [markdown]
# The three columns agree, and the empirical distribution itself has the smallest average NLL, even
# smaller than the distribution that generated the data. The next section explains why.
#
# (sec-nll-mle)=
# ## Maximum likelihood is minimum cross-entropy is minimum KL divergence
#
# Maximising $L(\theta)$, maximising $\log L(\theta)$, minimising $-\log L(\theta)$ and minimising
# $-\frac1N\log L(\theta) = H(\hat p, q_\theta)$ all select the same $\theta$: the logarithm is
# strictly increasing, and multiplying by $-1/N$ turns a maximum into a minimum without moving it. One more step
# connects the cross-entropy to the relative entropy, or {term}`KL divergence`
# ({ref}`sec-relative-entropy`):
#
# $$
# H(\hat p, q_\theta) = H(\hat p) + D_{\mathrm{KL}}(\hat p \,\|\, q_\theta),
# $$
#
# and the {term}`entropy` $H(\hat p)$ of the data does not depend on $\theta$.
#
# ```{prf:theorem} Maximum likelihood is minimum cross-entropy
# :label: thm-mle-cross-entropy
# For a sample with empirical distribution $\hat p$ and a family of models $q_\theta$ on a finite
# set of outcomes,
#
# $$
# \hat\theta_{\text{MLE}} = \arg\max_\theta L(\theta)
#   = \arg\min_\theta H(\hat p, q_\theta)
#   = \arg\min_\theta D_{\mathrm{KL}}(\hat p \,\|\, q_\theta) ,
# $$
#
# and, when the family contains every distribution, the maximiser is $q = \hat p$.
# ```
#
# ```{prf:proof}
# $-\frac1N\log L(\theta) = H(\hat p, q_\theta)$ ({ref}`sec-nll-likelihood`), and $-\frac1N\log$
# is strictly decreasing. $H(\hat p, q_\theta) = H(\hat p) + D_{\mathrm{KL}}(\hat p\,\|\,q_\theta)$
# ({prf:ref}`thm-ce-decomposition`) with $H(\hat p)$ independent of $\theta$. The divergence is
# $\ge 0$ and 0 only at $q = \hat p$ ({prf:ref}`thm-gibbs`).
# ```
#
# Maximum likelihood fits the model by minimising the {term}`forward KL` divergence from the data to
# the model (chapter 5, {doc}`05-kl-divergence`; {cite:p}`goodfellow2016`, section 5.5). SymPy
# checks the decomposition for three outcomes with the book's definitions:

# %%
p3 = sym.probabilities(3, name="p")
decomposition = sym.check_identity(
    sym.cross_entropy(p3, q), sym.entropy(p3) + sym.kl_divergence(p3, q)
)
assert decomposition, decomposition
decomposition

# %% [markdown]
# and `lossbook.info` confirms it on the sample for the same three models. The KL column is the
# part of the average NLL that a better model can remove; $H(\hat p)$ is the floor that no model
# can go below ({term}`Gibbs' inequality`, {prf:ref}`thm-gibbs`).

# %%
H_p_hat = float(info.entropy(p_hat_num))
print(f"{'model q':28s} {'H(p_hat, q)':>12s} {'H(p_hat)':>9s} {'KL(p_hat||q)':>13s}")
for name, qm in models.items():
    ce, kl = (
        float(info.cross_entropy(p_hat_num, qm)),
        float(info.kl_divergence(p_hat_num, qm)),
    )
    assert np.isclose(ce, H_p_hat + kl, rtol=1e-12)
    print(f"{name:28s} {ce:12.6f} {H_p_hat:9.6f} {kl:13.6f}")

# %% [markdown]
# (sec-nll-categorical-mle)=
# ### The categorical MLE is the empirical frequency
#
# If the model may be *any* distribution over the $C$ outcomes, which one maximises the likelihood?
# Maximise $\log L(q) = \sum_i N_i \log q_i$ subject to $\sum_i q_i = 1$ with a Lagrange
# multiplier $\lambda$:
#
# $$
# \mathcal{L}(q, \lambda) = \sum_{i=1}^{C} N_i \log q_i - \lambda\Big(\sum_{i=1}^{C} q_i - 1\Big).
# $$
#
# SymPy differentiates the indexed sum with respect to one $q_k$ (the Kronecker delta picks out the
# $k$-th term):

# %%
k_idx = sp.Symbol("k", integer=True, positive=True)
lam = sp.Symbol("lambda", positive=True)
lagrangian_general = sp.Sum(Nb[i_idx] * sp.log(qb[i_idx]), (i_idx, 1, C_sym)) - lam * (
    sp.Sum(qb[i_idx], (i_idx, 1, C_sym)) - 1
)
stationarity = sp.diff(lagrangian_general, qb[k_idx]).doit()
stationarity

# %% [markdown]
# For $1 \le k \le C$ this is $N_k/q_k - \lambda = 0$, so $q_k = N_k/\lambda$: every probability is
# proportional to its count. The constraint $\sum_k q_k = 1$ then forces $\lambda = \sum_k N_k = N$,
# and
#
# $$
# \hat q_k = \frac{N_k}{N} = \hat p(k).
# $$
#
# For fixed sizes SymPy solves the whole system, stationarity and constraint together, and finds
# the same answer for every $C$ it is given:

# %%
first_branch = stationarity.subs(
    k_idx, 1
)  # any k in 1..C selects the first Piecewise branch
assert sp.simplify(first_branch - (Nb[1] / qb[1] - lam)) == 0

for n_classes in (2, 3, 4, 5):
    counts_sym = sp.symbols(f"N_1:{n_classes + 1}", positive=True)
    q_n = sym.probabilities(n_classes, name="q")
    lagrangian = sum(
        Ni * sp.log(qi) for Ni, qi in zip(counts_sym, q_n)
    ) - lam * sym.simplex(q_n)
    equations = [sp.diff(lagrangian, qi) for qi in q_n] + [sym.simplex(q_n)]
    (solution,) = sp.solve(equations, [*q_n, lam], dict=True)
    assert sp.simplify(solution[lam] - sum(counts_sym)) == 0
    for Ni, qi in zip(counts_sym, q_n):
        assert sp.simplify(solution[qi] - Ni / sum(counts_sym)) == 0
    print(f"C = {n_classes}: q_i = N_i / N for every i, lambda = N  (solved)")
solution

# %% [markdown]
# The stationary point is a maximum: the {term}`Hessian` of $\log L$ is diagonal with entries
# $-N_i/q_i^2 < 0$, so $\log L$ is strictly concave on the simplex and the stationary point is the
# unique global maximum. `lossbook.symbolic` ships the same result, derived by SymPy, as
# `sym.derived.categorical_mle`; the cell below checks the Hessian and compares with it. One
# difference of convention: `sym.derived` writes the Lagrangian with $+\lambda(\sum_i q_i - 1)$,
# where this section has $-\lambda(\sum_i q_i - 1)$, so its multiplier is $-N = -\sum_j N_j$
# (checked below), the negative of our $\lambda = N$; the stationary point is the same.

# %%
hessian = sp.hessian(sum(Ni * sp.log(qi) for Ni, qi in zip(N_sym, q)), q)
display(hessian)
assert hessian.is_diagonal() and all(hessian[i, i].is_negative for i in range(C))
CATEGORICAL_MLE = sym.derived.categorical_mle(3)


def mle_at_counts(mle, count_values):
    """The C probabilities of `categorical_mle(C)` at concrete counts N_1, ..., N_C."""
    if isinstance(
        mle, dict
    ):  # {q_i: expression} (a multiplier, if present, is skipped)
        expressions = [e for k, e in mle.items() if "lambda" not in str(k)]
    else:  # a sequence of C expressions
        expressions = list(mle)
    free = set().union(*(sp.sympify(e).free_symbols for e in expressions))
    symbols = sorted(free, key=sp.default_sort_key)  # N_1, ..., N_C
    values = dict(zip(symbols, count_values))
    return np.array([float(sp.sympify(e).subs(values)) for e in expressions])


assert np.allclose(mle_at_counts(CATEGORICAL_MLE, [2, 7, 3]), np.array([2, 7, 3]) / 12)
mle_counts = CATEGORICAL_MLE["counts"]
sym.check_identity(CATEGORICAL_MLE["multiplier"], -sum(mle_counts)).assert_proved()
print("sym.derived's multiplier = -(N_1 + N_2 + N_3) = -(our lambda)")
CATEGORICAL_MLE

# %% [markdown]
# On the concrete sample, the maximum-likelihood model is the vector of frequencies, and no other
# model has a smaller average NLL: perturbing $\hat p$ along the simplex always costs nats.

# %%
perturbations = rng.normal(size=(1000, C))
perturbations -= perturbations.mean(axis=1, keepdims=True)  # stay on the simplex: sum 0
candidates = np.clip(p_hat_num + 0.05 * perturbations, 1e-9, None)
candidates /= candidates.sum(axis=1, keepdims=True)
nll_candidates = info.cross_entropy(p_hat_num, candidates)
print(f"p_hat = {p_hat_num}")
print(f"average NLL at p_hat:                 {H_p_hat:.6f} nats")
print(f"smallest average NLL of 1000 others:  {nll_candidates.min():.6f} nats")
assert np.all(nll_candidates >= H_p_hat)

# %% [markdown]
# (sec-nll-identity)=
# ## The identity: `nll_loss` after `log_softmax` is `cross_entropy`
#
# A classifier does not output a probability vector; it outputs {term}`logit`s $z \in \mathbb{R}^C$,
# and the model's distribution is $q = \operatorname{softmax}(z)$ (the {term}`softmax`). PyTorch offers two functions
# for the NLL of a class index $y$ {cite:p}`paszke2019`:
#
# - `nll_loss(input, y)` takes **log-probabilities** and does no arithmetic on them: per sample it
#   returns $\ell_n = -w_{y_n}\, \text{input}_{n, y_n}$ (with $w \equiv 1$ without class weights).
# - `cross_entropy(input, y)` takes **logits** and, for class-index targets (and no
#   {term}`label smoothing`, {doc}`02-cross-entropy`), is defined as `nll_loss(log_softmax(input, dim=1), y)`.
#
# The seed README puts it as "交叉熵损失函数 = 负对数似然函数 + softmax + log". Stated precisely:
#
# ```{prf:theorem} Cross-entropy is the NLL of the log-softmax
# :label: thm-ce-nll-log-softmax
# For every number of classes $C$, logits $z \in \mathbb{R}^C$ and class $y$,
# $\mathtt{cross\_entropy}(z, y) = \mathtt{nll\_loss}\big(\mathtt{log\_softmax}(z), y\big)
# = H\big(e_y, \operatorname{softmax}(z)\big) = \operatorname{logsumexp}(z) - z_y$ per sample;
# with class weights and `ignore_index` the two sides also agree for every reduction.
# ```
#
# ```{prf:proof}
# `nll_loss` returns $-\text{input}_y$, and
# $-\mathtt{log\_softmax}(z)_y = \operatorname{logsumexp}(z) - z_y = -\sum_c [c = y]
# \log\operatorname{softmax}(z)_c$. The general-$C$ derivation is below; the weights and
# `ignore_index` are applied to the per-sample values in the same way by both functions
# ({ref}`sec-nll-weights`, {ref}`sec-nll-ignore-index`).
# ```
#
# In formulas:
#
# $$
# \mathtt{cross\_entropy}(z, y) = \mathtt{nll\_loss}\big(\mathtt{log\_softmax}(z), y\big),
# $$
#
# $$
# \mathtt{log\_softmax}(z)_c = \log\operatorname{softmax}(z)_c = z_c - \operatorname{logsumexp}(z),
# $$
#
# with the log-softmax computed directly from the logits (stably, {ref}`sec-nll-why-split`), not as
# the logarithm of a softmax. Per sample both sides equal the cross-entropy from the
# {term}`one-hot encoding` $e_y$ of the target to the model's softmax:
#
# $$
# H\big(e_y, \operatorname{softmax}(z)\big) = -\sum_{c=1}^{C} [c = y]\,\log\operatorname{softmax}(z)_c
#   = \operatorname{logsumexp}(z) - z_y .
# $$
#
# ### The general form
#
# With $C$ a symbol, SymPy sums the Kronecker delta against the log-softmax and keeps the condition
# under which the target is a valid class (the maths numbers the classes $1, \dots, C$; PyTorch and
# the code cells number them from 0):

# %%
j_idx, y_sym = sp.Symbol("j", integer=True), sp.Symbol("y", integer=True)
zb = sp.IndexedBase("z", real=True)
softmax_general = sp.exp(zb[j_idx]) / sp.Sum(sp.exp(zb[i_idx]), (i_idx, 1, C_sym))
delta = sp.KroneckerDelta(j_idx, y_sym)
onehot_sum = sp.Sum(delta * sp.log(softmax_general), (j_idx, 1, C_sym)).doit()
onehot_ce_general = sp.piecewise_fold(-sp.expand_log(onehot_sum))
onehot_ce_general

# %%
(in_range_value, in_range_condition), (outside_value, _) = onehot_ce_general.args
nll_of_log_softmax_general = -(
    zb[y_sym] - sp.log(sp.Sum(sp.exp(zb[i_idx]), (i_idx, 1, C_sym)))
)
assert sp.simplify(in_range_value - nll_of_log_softmax_general) == 0
assert outside_value == 0 and all(  # the condition is 1 <= y <= C
    bool(in_range_condition.subs({y_sym: yv, C_sym: 4})) == (1 <= yv <= 4)
    for yv in range(-1, 7)
)
print("for 1 <= y <= C:  H(e_y, softmax(z)) = logsumexp(z) - z_y = -log_softmax(z)_y")
print("(symbolic C: proved)")

# %% [markdown]
# The condition is not decoration: a target outside the classes has no probability under the model,
# and PyTorch refuses it with an `IndexError` ("Target … is out of bounds"), unless it equals
# `ignore_index`.
#
# ### Fixed sizes, with the book's definitions
#
# The same identity, now with `sym.nll`, `sym.log_softmax`, `sym.softmax` and `sym.cross_entropy`
# for $C = 2, \dots, 6$ and every target $y$: SymPy proves each of the three sides equal.

# %%
proved = 0
for n_classes in range(2, 7):
    z_n = sym.logits(n_classes)
    for y in range(n_classes):
        onehot = [1 if c == y else 0 for c in range(n_classes)]
        nll_side = sym.nll(sym.log_softmax(z_n), y)
        ce_side = sym.cross_entropy(onehot, sym.softmax(z_n))
        lse_side = sym.logsumexp(z_n) - z_n[y]
        sym.check_identity(nll_side, ce_side).assert_proved()
        sym.check_identity(nll_side, lse_side).assert_proved()
        proved += 2
print(f"{proved} identities proved for C = 2..6, every target class")
print("displayed: y = 2, whose logit is SymPy's z_3 (SymPy numbers the logits from 1)")
z4 = sym.logits(4)
sym.nll(sym.log_softmax(z4), 2)

# %% [markdown]
# ### Checked on numbers against `lossbook`
#
# The derived per-sample formula $\operatorname{logsumexp}(z) - z_y$, lambdified, agrees with
# `F.cross_entropy(..., reduction='none')` and with `F.nll_loss(F.log_softmax(...))` on seeded random
# logits (here $C = 4$, $y = 2$):

# %%
derived_ce = sym.logsumexp(z4) - z4[2]


def ce_reference(z_values):
    batch = np.asarray(z_values, dtype=float)[None, :]  # shape (1, C)
    return F.cross_entropy(batch, np.array([2]), reduction="none")[0]


def nll_reference(z_values):
    log_probs = F.log_softmax(np.asarray(z_values, dtype=float)[None, :], dim=1)
    return F.nll_loss(log_probs, np.array([2]), reduction="none")[0]


cases = {
    "random logits": (rng.normal(size=4),),
    "spread logits": (5 * rng.normal(size=4),),
    "target is the largest": (np.array([0.0, 1.0, 9.0, -2.0]),),
    "target is the smallest": (np.array([3.0, 1.0, -9.0, 2.0]),),
}
display(sym.check_numeric(derived_ce, [z4], ce_reference, cases))
sym.check_numeric(derived_ce, [z4], nll_reference, cases)

# %% [markdown]
# The symbolic identity is per sample. The options of the two functions, `weight`, `ignore_index`
# and `reduction`, act on the per-sample values in exactly the same way (that is how
# `cross_entropy` is defined), so the identity carries over to every combination. The table checks
# it for the 1-D input `(C,)`, a batch `(N, C)` and the "K-dimensional" inputs `(N, C, d1)` and
# `(N, C, d1, d2)` of segmentation-style models, where the class dimension is always dimension 1
# (dimension 0 for 1-D input) and the target has the input's shape without it.


# %%
def random_problem(shape, ignore):
    logits = rng.normal(size=shape) * 2
    class_dim = 0 if len(shape) == 1 else 1
    n_classes = shape[class_dim]
    target_shape = shape[:class_dim] + shape[class_dim + 1 :]
    target = rng.integers(0, n_classes, size=target_shape)
    if ignore and target.ndim:
        target.flat[::3] = -100  # every third target ignored
    return logits, target, class_dim


print(
    f"{'input shape':14s} {'options':18s} {'sum':>11s} {'mean':>10s}  none/sum/mean "
    "agree"
)
for shape in [(5,), (6, 5), (4, 5, 3), (2, 5, 3, 2)]:
    for options in ("none", "weight+ignore"):
        logits, target, class_dim = random_problem(shape, ignore=options != "none")
        n_classes = shape[class_dim]
        kwargs = {}
        if options != "none":
            kwargs = {
                "weight": rng.uniform(0.2, 3.0, size=n_classes),
                "ignore_index": -100,
            }
        agree = True
        for reduction in ("none", "sum", "mean"):
            ce = F.cross_entropy(logits, target, reduction=reduction, **kwargs)
            log_probs = F.log_softmax(logits, dim=class_dim)
            nll = F.nll_loss(log_probs, target, reduction=reduction, **kwargs)
            agree &= ce.shape == nll.shape and bool(
                np.allclose(ce, nll, rtol=1e-12, atol=1e-12)
            )
        assert agree
        total = float(F.cross_entropy(logits, target, reduction="sum", **kwargs))
        mean = float(F.cross_entropy(logits, target, reduction="mean", **kwargs))
        print(f"{str(shape):14s} {options:18s} {total:11.6f} {mean:10.6f}  {agree}")

# %% [markdown]
# (sec-nll-weights)=
# ### Class weights: the weighted mean divides by the weights, not by $N$
#
# With a {term}`class weight` vector $w$, sample $n$ contributes $w_{y_n}\ell_n$, and the `'mean'`
# {term}`reduction` is a *weighted average*:
#
# $$
# \texttt{mean} = \frac{\sum_{n} w_{y_n}\,\big(-\log\operatorname{softmax}(z_n)_{y_n}\big)}{\sum_{n} w_{y_n}},
# $$
#
# the sum running over the samples whose target is not ignored. It is **not** the sum divided by
# the batch size. Four samples, three classes, weights $(1, 2, 5)$:

# %%
z_batch = np.array(
    [[2.0, 0.5, -1.0], [0.0, 1.0, 0.5], [1.5, -0.5, 0.3], [-1.0, 2.0, 0.0]]
)
y_batch = np.array([0, 2, 2, 1])
weight = np.array([1.0, 2.0, 5.0])
unweighted = F.cross_entropy(z_batch, y_batch, reduction="none")
weighted = F.cross_entropy(z_batch, y_batch, weight=weight, reduction="none")
print("-log softmax(z_n)[y_n]:     ", unweighted)
print("w[y_n]:                     ", weight[y_batch])
print("reduction='none' (weighted):", weighted)
total = float(F.cross_entropy(z_batch, y_batch, weight=weight, reduction="sum"))
print(f"reduction='sum':  {total:.6f}")
w_sum = weight[y_batch].sum()
print(f"sum / sum of w[y_n] = {total:.6f} / {w_sum:.0f} = {total / w_sum:.6f}")
print(
    f"sum / N             = {total:.6f} / {y_batch.size}  = {total / y_batch.size:.6f} "
    " (not PyTorch's)"
)
print(
    f"reduction='mean': {float(F.cross_entropy(z_batch, y_batch, weight=weight)):.6f}"
)

# %% [markdown]
# The weighted mean is therefore unchanged when all weights are multiplied by the same factor
# (only their ratios matter), while the `'sum'` scales with them; exercise {ref}`ex-nll-2` makes
# this precise.
#
# (sec-nll-ignore-index)=
# ### `ignore_index`: left out of the sum *and* of the denominator
#
# A target equal to `ignore_index` (default −100) contributes nothing: its `'none'` entry is 0, and
# it is left out of the count (or weight sum) that `'mean'` divides by. Padding tokens in a batch of
# sequences are the usual use. If *every* target of a batch is ignored, the mean is $0/0$: PyTorch
# returns `nan` (and `'sum'` returns 0), which then poisons the running average of a training loop
# unless it is skipped.

# %%
y_ignored = np.array([0, -100, 2, -100])
per_sample = F.cross_entropy(z_batch, y_ignored, reduction="none")
print("targets:", y_ignored, "| reduction='none':", per_sample)
mean_ignored = float(F.cross_entropy(z_batch, y_ignored))
print(
    f"mean: {mean_ignored:.6f} = sum / 2 = {per_sample.sum() / 2:.6f}"
    f"   (sum / 4 would be {per_sample.sum() / 4:.6f})"
)
print(
    f"weighted mean: {float(F.cross_entropy(z_batch, y_ignored, weight=weight)):.6f}"
    " = "
    f"{float(F.cross_entropy(z_batch, y_ignored, weight=weight, reduction='sum')):.6f}"
    f" / (w[0] + w[2] = {weight[0] + weight[2]:.0f})"
)
all_ignored = np.full(4, -100)
for reduction in ("mean", "sum"):
    ce = float(F.cross_entropy(z_batch, all_ignored, reduction=reduction))
    nll = float(
        F.nll_loss(F.log_softmax(z_batch, dim=1), all_ignored, reduction=reduction)
    )
    print(
        f"all targets ignored, {reduction!r}: cross_entropy = {ce}, "
        f"nll_loss(log_softmax) = {nll}"
    )

# %% [markdown]
# (sec-nll-why-split)=
# ## Why frameworks split it this way
#
# Splitting the loss into `log_softmax` followed by `nll_loss` puts all the numerical difficulty in
# one place. The log-softmax is computed once, stably, with the {term}`log-sum-exp` shift
#
# $$
# \log\operatorname{softmax}(z)_c = (z_c - m) - \log\sum_j e^{z_j - m}, \qquad m = \max_j z_j ,
# $$
#
# which only ever exponentiates non-positive numbers, so it neither overflows nor takes the
# logarithm of an underflowed zero. What is left, the NLL, is *indexing and averaging*: pick one
# entry per sample, multiply by its weight, sum, divide. The same split makes every model that
# already produces log-probabilities (a log-softmax layer, a mixture, a language model with an
# adaptive softmax) usable with the same `nll_loss`.
#
# Computing the logarithm of a softmax instead fails as soon as a probability underflows:

# %%
z_far = np.array([[0.0, -800.0, 5.0]])
y_far = np.array([1])
with np.errstate(divide="ignore"):
    textbook = F.nll_loss(np.log(F.softmax(z_far, dim=1)), y_far)
print("softmax(z):                        ", F.softmax(z_far, dim=1)[0])
print("nll_loss(log(softmax(z)), y):      ", float(textbook))
stable = F.nll_loss(F.log_softmax(z_far, dim=1), y_far)
print(f"nll_loss(log_softmax(z), y):        {float(stable):.6f}")
print(f"cross_entropy(z, y):                {float(F.cross_entropy(z_far, y_far)):.6f}")

# %% [markdown]
# The split also makes the {term}`gradient` simple. The gradient of `nll_loss` with respect to its
# input is zero except at the targets, where it is $-w_{y_n}$ divided by the `'mean'` denominator.
# Back-propagating it through the log-softmax, whose Jacobian is $I - \mathbf 1\,\operatorname{softmax}(z)^\top$
# per sample, gives the familiar $w_{y_n}(\operatorname{softmax}(z_n) - e_{y_n})/\textstyle\sum w$. The cell
# composes the two pieces by the chain rule and compares with `G.cross_entropy_grad` and with
# {term}`finite differences`, on a weighted batch with one ignored target:

# %%
y_mixed = np.array([0, 2, -100, 1])
g_nll = G.nll_loss_grad(F.log_softmax(z_batch, dim=1), y_mixed, weight=weight)
print("d nll_loss / d input (only the targets are non-zero):")
print(g_nll + 0.0)  # + 0.0 prints -0.0 as 0.0
softmax_batch = F.softmax(z_batch, dim=1)
g_chain = g_nll - softmax_batch * g_nll.sum(axis=1, keepdims=True)  # J^T g for each row
g_fused = G.cross_entropy_grad(z_batch, y_mixed, weight=weight)
g_fd = G.numerical_gradient(
    lambda zz: float(F.cross_entropy(zz, y_mixed, weight=weight)), z_batch
)
print(
    "chain rule == cross_entropy_grad:",
    bool(np.allclose(g_chain, g_fused, rtol=1e-12, atol=1e-14)),
)
print(
    "cross_entropy_grad == finite differences (|diff| < 1e-8):",
    bool(np.allclose(g_fused, g_fd, rtol=0, atol=1e-8)),
)
print(
    "rows of the gradient sum to zero:",
    bool(np.allclose(g_fused.sum(axis=1), 0, atol=1e-15)),
)

# %% [markdown]
# (sec-nll-mistakes)=
# ## In PyTorch: the call and the mistakes people make
#
# The correct calls are `F.cross_entropy(logits, y)`, or `F.nll_loss(F.log_softmax(logits, dim=1), y)`
# when the model ends in a `log_softmax` layer (`torch.nn.CrossEntropyLoss` and `torch.nn.NLLLoss`
# are the module forms). Each of the mistakes below runs without an error in most cases and returns a
# number; the number is wrong. One small batch serves for all of them.

# %%
logits = np.array(
    [[2.0, 0.5, -1.0], [0.2, 3.0, 0.1], [-0.5, 0.0, 1.5], [1.0, 1.2, 0.8]]
)
labels = np.array([0, 1, 2, 1])
correct = float(F.cross_entropy(logits, labels))
print(f"correct: cross_entropy(logits, y)            = {correct:.6f} nats")
split = float(F.nll_loss(F.log_softmax(logits, dim=1), labels))
print(f"         nll_loss(log_softmax(logits), y)    = {split:.6f} nats")

# %% [markdown]
# **Probabilities into `nll_loss`.** Given probabilities, `nll_loss` computes $-\frac1N\sum_n q_{n, y_n}$,
# a number between −1 and 0. A "loss" that is negative is the tell-tale sign. Minimising it does push
# $q_{y}$ up, but its gradient vanishes exactly where the model is confidently wrong (exercise
# {ref}`ex-nll-3`).

# %%
probabilities = F.softmax(logits, dim=1)
print(f"nll_loss(softmax(logits), y) = {float(F.nll_loss(probabilities, labels)):.6f}")
print(
    f"-mean of q[n, y_n]           = {-probabilities[np.arange(4), labels].mean():.6f}"
)

# %% [markdown]
# **Logits into `nll_loss`.** Then the "loss" is $-\frac1N\sum_n z_{n,y_n}$: no normalisation at all.
# It is unbounded below, and it changes when all logits of a sample are shifted by the same constant,
# which changes no prediction. The network can lower it forever by inflating the target logit.

# %%
shift = 10.0
print(f"nll_loss(logits, y)          = {float(F.nll_loss(logits, labels)):.6f}")
print(
    f"nll_loss(logits + {shift:.0f}, y)     = "
    f"{float(F.nll_loss(logits + shift, labels)):.6f}"
)
print(
    f"cross_entropy(logits + {shift:.0f}, y) = "
    f"{float(F.cross_entropy(logits + shift, labels)):.6f}"
)

# %% [markdown]
# **Softmax before `cross_entropy`.** `cross_entropy` applies its own log-softmax, so feeding it
# probabilities applies the softmax twice: $-\log\operatorname{softmax}(\operatorname{softmax}(z))_y$.
# Since the inner probabilities lie in $[0, 1]$, the outer softmax can never be confident, and the
# loss cannot fall below $\log\big(1 + (C-1)/e\big)$ even for a perfect model (exercise
# {ref}`ex-nll-5`). Training still runs, but with a compressed, misleading loss and small gradients.

# %%
confident = np.array(
    [[12.0, 0.0, 0.0], [0.0, 12.0, 0.0], [0.0, 0.0, 12.0], [0.0, 12.0, 0.0]]
)
for name, zz in (
    ("the batch above", logits),
    ("a confident, correct model", confident),
):
    right = float(F.cross_entropy(zz, labels))
    double = float(F.cross_entropy(F.softmax(zz, dim=1), labels))
    print(
        f"{name}:\n    cross_entropy(z) = {right:.6f}, cross_entropy(softmax(z)) = "
        f"{double:.6f}"
    )
print(f"floor log(1 + (C-1)/e) for C = 3: {math.log(1 + 2 / math.e):.6f}")

# %% [markdown]
# **The class dimension in the wrong place.** A sequence model (a tagger, a language model) outputs
# logits of shape $(N, L, C)$: batch, sequence position, class. The targets have shape $(N, L)$.
# PyTorch's losses want the classes in **dimension 1**, so they read $(N, L, C)$ as $L$ classes
# with one extra dimension of size $C$. When $L \neq C$ the shapes do not match and the call
# fails; when $L = C$ (or by bad luck the shapes otherwise fit) it silently computes a softmax over
# *time steps*. The fix is to move the class axis: `logits.permute(0, 2, 1)` (here `np.moveaxis`),
# or to flatten to $(N L, C)$ and $(N L)$.

# %%
N_seq, L_seq, C_seq = 2, 5, 3
seq_logits = rng.normal(size=(N_seq, L_seq, C_seq))
seq_labels = rng.integers(0, C_seq, size=(N_seq, L_seq))
try:
    F.cross_entropy(seq_logits, seq_labels)
except Exception as error:  # noqa: BLE001 - we want to show whatever is raised
    print(f"L != C, logits (N, L, C) = {seq_logits.shape}, targets {seq_labels.shape}:")
    print(f"    {type(error).__name__}: {error}")
fixed = float(F.cross_entropy(np.moveaxis(seq_logits, -1, 1), seq_labels))
flat = float(F.cross_entropy(seq_logits.reshape(-1, C_seq), seq_labels.reshape(-1)))
print(f"moved to (N, C, L): {fixed:.6f};  flattened to (N*L, C): {flat:.6f}")

square_logits = rng.normal(size=(2, 3, 3))  # L = C = 3: the shapes fit by accident
square_labels = rng.integers(0, 3, size=(2, 3))
wrong = float(F.cross_entropy(square_logits, square_labels))
right = float(F.cross_entropy(np.moveaxis(square_logits, -1, 1), square_labels))
print(
    f"L == C: no error; cross_entropy(logits) = {wrong:.6f}, the right value is "
    f"{right:.6f}"
)

# %% [markdown]
# The silent case is the dangerous one: the model trains and the loss goes down, but what it
# minimises is a softmax over *time steps*, evaluated at positions chosen by the class labels.
#
# (sec-nll-fitting)=
# ## Fitting by minimising the NLL
#
# Two small worked examples close the loop: minimise an NLL with gradient descent, using only
# `lossbook`'s losses and gradients, and check that the optimiser lands on the likelihood maximum.
#
# ### A categorical model
#
# Parametrise the categorical model by logits, $q = \operatorname{softmax}(\theta)$, $\theta \in \mathbb{R}^C$,
# so that no constraint is needed. Its average NLL on the sample is `cross_entropy` with the same
# $\theta$ in every row. Because $\theta$ is shared by the rows, its gradient is the sum over rows of
# `G.cross_entropy_grad`; SymPy shows that it is simply $\operatorname{softmax}(\theta) - \hat p$, so
# the only stationary point is $q = \hat p$, the maximum-likelihood estimate derived above.

# %%
theta_sym = sym.logits(3, name="theta")
ph_sym = sym.probabilities(3, name="phat")
objective = sym.cross_entropy(ph_sym, sym.softmax(theta_sym))
for k, (tk, qk, pk) in enumerate(zip(theta_sym, sym.softmax(theta_sym), ph_sym)):
    gradient_k = sp.diff(objective, tk)
    sym.check_identity(
        gradient_k, qk - pk, constraints=[sym.simplex(ph_sym)]
    ).assert_proved()
print("d H(p_hat, softmax(theta)) / d theta_k = softmax(theta)_k - p_hat_k")
print("(C = 3, p_hat on the simplex: proved)")


# %%
def categorical_nll(theta_values):
    rows = np.broadcast_to(theta_values, (sample.size, C))
    return float(F.cross_entropy(rows, sample))


def categorical_grad(theta_values):
    rows = np.broadcast_to(theta_values, (sample.size, C))
    return G.cross_entropy_grad(np.array(rows), sample).sum(axis=0)


theta_fit = np.zeros(C)
categorical_history = []
for step in range(100):
    categorical_history.append(categorical_nll(theta_fit))
    theta_fit = theta_fit - 2.0 * categorical_grad(theta_fit)
q_fit = F.softmax(theta_fit, dim=0)
fd_check = G.numerical_gradient(categorical_nll, theta_fit + 0.5)
assert np.allclose(categorical_grad(theta_fit + 0.5), fd_check, atol=1e-8)

closed_form = mle_at_counts(CATEGORICAL_MLE, counts.tolist())
print(f"fitted softmax(theta):        {q_fit}")
print(f"empirical frequencies N_i/N:  {p_hat_num}")
print(f"closed form (categorical_mle): {closed_form}")
print(
    f"final average NLL {categorical_nll(theta_fit):.6f} nats = H(p_hat) = "
    f"{H_p_hat:.6f} nats"
)
assert np.allclose(q_fit, p_hat_num, atol=1e-9) and np.allclose(closed_form, p_hat_num)

# %% [markdown]
# ### A softmax-regression model
#
# In {term}`softmax regression` each example has features $x_n \in \mathbb{R}^2$ and the logits are
# $z_n = x_n W + b$ with $W \in \mathbb{R}^{2 \times C}$, $b \in \mathbb{R}^C$
# ({cite:p}`bishop2006`, section 4.3.4; {cite:p}`murphy2022`, section 10.3). The data are drawn
# from a softmax-regression model with known parameters. The average NLL is
# `cross_entropy(X @ W + b, y)` and, by the chain rule, its gradients are $X^\top G$ and
# $\sum_n G_n$ with $G$ = `G.cross_entropy_grad(X @ W + b, y)`.

# %%
n_examples, n_features, n_classes_reg = 300, 2, 3
W_true = np.array([[2.0, -1.0, 0.0], [0.0, 1.5, -1.5]])
b_true = np.array([0.5, 0.0, -0.5])
X = rng.normal(size=(n_examples, n_features))
true_probabilities = F.softmax(X @ W_true + b_true, dim=1)
y_reg = np.array([rng.choice(n_classes_reg, p=row) for row in true_probabilities])


def unpack(params):
    n_w = n_features * n_classes_reg
    return params[:n_w].reshape(n_features, n_classes_reg), params[n_w:]


def regression_nll(params):
    W, b = unpack(params)
    return float(F.cross_entropy(X @ W + b, y_reg))


def regression_grad(params):
    W, b = unpack(params)
    g = G.cross_entropy_grad(X @ W + b, y_reg)
    return np.concatenate([(X.T @ g).ravel(), g.sum(axis=0)])


params = np.zeros(n_features * n_classes_reg + n_classes_reg)
fd_check = G.numerical_gradient(regression_nll, params + 0.3)
assert np.allclose(regression_grad(params + 0.3), fd_check, atol=1e-8)  # gradient check
regression_history = []
for step in range(1200):
    regression_history.append(regression_nll(params))
    params = params - 1.0 * regression_grad(params)
print(f"average NLL after gradient descent: {regression_nll(params):.6f} nats")
print(
    "norm of the gradient below 1e-9:",
    bool(np.linalg.norm(regression_grad(params)) < 1e-9),
)

# %% [markdown]
# There is no closed form for this maximum, so two independent checks stand in for it. First, the
# NLL of softmax regression is a convex function of $(W, b)$, so a point where the gradient
# vanishes is a global minimum; a quasi-Newton optimiser from SciPy, started elsewhere, reaches the
# same predicted probabilities. (The parameters themselves are not unique: adding the same vector
# to every column of $W$ and the same number to every $b_c$ shifts all logits equally and changes
# nothing, so we compare probabilities.) Second, at the maximum the gradient with respect to $b$,
# $\frac1N\sum_n(\operatorname{softmax}(z_n) - e_{y_n})$, is zero: **the model's average predicted
# probability of each class equals the empirical class frequency**, just as for the categorical
# model.

# %%
reference_fit = scipy.optimize.minimize(
    regression_nll,
    rng.normal(size=params.size),
    jac=regression_grad,
    method="BFGS",
    options={"gtol": 1e-10},
)
W_gd, b_gd = unpack(params)
W_ref, b_ref = unpack(reference_fit.x)
q_gd, q_ref = F.softmax(X @ W_gd + b_gd, dim=1), F.softmax(X @ W_ref + b_ref, dim=1)
print(f"average NLL, BFGS:             {reference_fit.fun:.6f} nats")
print(f"average NLL, gradient descent: {regression_nll(params):.6f} nats")
print(
    "predicted probabilities agree to 1e-6:", bool(np.allclose(q_gd, q_ref, atol=1e-6))
)
class_frequencies = np.bincount(y_reg, minlength=n_classes_reg) / n_examples
print(f"empirical class frequencies:        {class_frequencies}")
print(f"average predicted probabilities:    {q_gd.mean(axis=0)}")
print(f"true model's average probabilities: {true_probabilities.mean(axis=0)}")
assert np.allclose(q_gd.mean(axis=0), class_frequencies, atol=1e-8)

# %% [markdown]
# As with the categorical model, the fitted model matches the *sample* (its class frequencies), not
# the distribution that generated it; with more data the two get closer. The figure shows both fits
# approaching their optimum: the vertical axis is the gap between the NLL and its minimum, on a
# logarithmic scale.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Gap between the average NLL and its minimum, in nats on a logarithmic axis, against the gradient-descent step, for the categorical model and the softmax-regression model. Both curves fall roughly in straight lines, that is geometrically, by many orders of magnitude."}}
categorical_gap = np.array(categorical_history) - H_p_hat
regression_gap = np.array(regression_history) - reference_fit.fun
fig, ax = plt.subplots(figsize=(7, 3.8))
visible = lambda gap: np.where(gap > 1e-13, gap, np.nan)  # below that, rounding noise
ax.semilogy(
    visible(categorical_gap),
    color=lbplot.PALETTE[0],
    label=r"categorical: NLL $- H(\hat p)$",
)
ax.semilogy(
    visible(regression_gap),
    color=lbplot.PALETTE[1],
    label="softmax regression: NLL $-$ minimum",
)
ax.set_xlabel("gradient-descent step")
ax.set_ylabel("NLL minus its minimum (nats)")
ax.set_ylim(1e-13, 2)
ax.set_xlim(0, len(regression_history))
ax.legend()
plt.show()

# %% [markdown]
# (sec-nll-summary)=
# ## Summary
#
# - For $N$ independent samples, $L(\theta) = \prod_i q_\theta(i)^{N\hat p(i)}$ and
#   $-\frac1N\log L(\theta) = H(\hat p, q_\theta)$: the average NLL is the cross-entropy from the
#   empirical distribution to the model (SymPy: proved for symbolic $C$ and for $C = 3$).
# - Maximum likelihood = minimum cross-entropy to $\hat p$ = minimum $D_{\mathrm{KL}}(\hat p\,\|\,q_\theta)$.
#   For an unconstrained categorical model the maximum is $\hat q = \hat p$ (SymPy: Lagrange
#   conditions for symbolic $C$, full solution for $C = 2, \dots, 5$).
# - `cross_entropy(z, y)` is `nll_loss(log_softmax(z, dim=1), y)`, per sample
#   $\operatorname{logsumexp}(z) - z_y$ (SymPy: symbolic $C$, and $C = 2, \dots, 6$), for every
#   `reduction`, `weight` and `ignore_index` and any number of extra dimensions.
# - `'mean'` divides by the sum of the weights of the non-ignored targets; all ignored gives `nan`.
# - `nll_loss` wants log-probabilities, `cross_entropy` wants logits, and both want the classes in
#   dimension 1.
#
# ## Exercises
#
# ```{exercise} The coin's maximum-likelihood estimate
# :label: ex-nll-1
# A coin shows $k$ heads in $N$ tosses. Write its negative log-likelihood as a function of
# $\theta$, differentiate it, and show with SymPy that the only stationary point in $(0, 1)$ is
# $\hat\theta = k/N$ and that it is a minimum of the NLL. Then compute $\hat\theta$ and the NLL per
# toss at $\hat\theta$ for the tosses of {ref}`sec-nll-intuition`, and check that the latter equals
# the binary entropy of $\hat\theta$ computed by `info.entropy`.
# ```
#
# ```{solution-start} ex-nll-1
# :class: dropdown
# ```
#
# $\mathrm{NLL}(\theta) = -k\log\theta - (N-k)\log(1-\theta)$; its derivative
# $-k/\theta + (N-k)/(1-\theta)$ vanishes only at $\theta = k/N$, and the second derivative
# $k/\theta^2 + (N-k)/(1-\theta)^2$ is positive.

# %%
t_sym = sp.Symbol("theta", positive=True)
k_sym, n_sym = sp.symbols("k N", positive=True)
coin_nll = -k_sym * sp.log(t_sym) - (n_sym - k_sym) * sp.log(1 - t_sym)
stationary = sp.solve(sp.diff(coin_nll, t_sym), t_sym)
assert stationary == [k_sym / n_sym]
second = sp.simplify(sp.diff(coin_nll, t_sym, 2).subs(t_sym, k_sym / n_sym))
display(sp.Eq(sp.Symbol(r"\mathrm{NLL}''(k/N)"), second))
assert sp.simplify(
    second.subs(n_sym, k_sym + sp.Symbol("m", positive=True))
).is_positive  # N > k
coin_hat = n_heads / n_tosses
n_tails = n_tosses - n_heads
nll_at_hat = (
    -(n_heads * math.log(coin_hat) + n_tails * math.log(1 - coin_hat)) / n_tosses
)
print(
    f"theta_hat = {coin_hat:.2f};  NLL per toss = {nll_at_hat:.6f} nats;  "
    f"H(theta_hat) = {float(info.entropy(np.array([coin_hat, 1 - coin_hat]))):.6f} nats"
)

# %% [markdown]
# The second derivative at $k/N$ is $N^3/(k(N-k))$, positive whenever $0 < k < N$ (the cell writes
# $N = k + m$ with $m > 0$ to let SymPy decide the sign).
#
# ```{solution-end}
# ```
#
# ```{exercise} A weighted mean by hand
# :label: ex-nll-2
# For the logits `z_batch`, targets `y_batch` and weights $w = (1, 2, 5)$ of {ref}`sec-nll-weights`,
# compute the `'mean'` cross-entropy by hand from `F.log_softmax` and compare with `F.cross_entropy`.
# Then multiply all weights by 10: what happens to `'mean'` and to `'sum'`, and why? What does
# `'mean'` return when all weights are equal?
# ```
#
# ```{solution-start} ex-nll-2
# :class: dropdown
# ```
#
# The numerator and the denominator of the weighted mean both scale with the weights, so the mean
# only depends on their ratios; the sum scales by 10. Equal weights give back the plain mean.

# %%
logp = F.log_softmax(z_batch, dim=1)
picked = -logp[np.arange(4), y_batch]
by_hand = np.sum(weight[y_batch] * picked) / np.sum(weight[y_batch])
library = float(F.cross_entropy(z_batch, y_batch, weight=weight))
print(f"by hand: {by_hand:.6f};  F.cross_entropy: {library:.6f}")
for scale in (1.0, 10.0):
    w_s = scale * weight
    mean_s = float(F.cross_entropy(z_batch, y_batch, weight=w_s))
    sum_s = float(F.cross_entropy(z_batch, y_batch, weight=w_s, reduction="sum"))
    print(f"weights x {scale:4.1f}: mean = {mean_s:.6f}, sum = {sum_s:.6f}")
equal = float(F.cross_entropy(z_batch, y_batch, weight=np.full(3, 3.0)))
print(
    f"equal weights 3.0: mean = {equal:.6f}, unweighted mean = "
    f"{float(F.cross_entropy(z_batch, y_batch)):.6f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Why not feed probabilities to nll_loss?
# :label: ex-nll-3
# A model is confidently wrong: logits $z = (6, 0, 0)$ for the target $y = 1$. Compare the gradient
# with respect to $z$ of the correct loss `cross_entropy(z, y)` with the gradient of the mistaken
# loss `nll_loss(softmax(z), y)` $= -\operatorname{softmax}(z)_y$. Which one tells the model firmly
# to change, and why does the other one hardly move it?
# ```
#
# ```{solution-start} ex-nll-3
# :class: dropdown
# ```
#
# The correct gradient is $\operatorname{softmax}(z) - e_y$, whose entries are close to $\pm 1$ when
# the model is confidently wrong. The mistaken loss has gradient
# $-q_y(e_y - q)$, which carries the factor $q_y \approx 0$: the more wrong the model, the weaker
# the signal. The logarithm in the real NLL is what removes this factor.

# %%
z_wrong = np.array([[6.0, 0.0, 0.0]])
y_wrong = np.array([1])
g_right = G.cross_entropy_grad(z_wrong, y_wrong)


def mistaken_loss(zz):
    return float(F.nll_loss(F.softmax(zz, dim=1), y_wrong))


g_mistake = G.numerical_gradient(mistaken_loss, z_wrong)
q_wrong = F.softmax(z_wrong, dim=1)[0]
print(f"q = softmax(z) = {q_wrong}")
print(
    f"gradient of cross_entropy:          {g_right[0]}   (norm "
    f"{np.linalg.norm(g_right):.4f})"
)
print(
    f"gradient of nll_loss(softmax(z)):   {g_mistake[0]}   (norm "
    f"{np.linalg.norm(g_mistake):.4f})"
)
assert np.allclose(g_mistake[0], -q_wrong[1] * (np.eye(3)[1] - q_wrong), atol=1e-8)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} A class the sample never saw
# :label: ex-nll-4
# Draw $N = 10$ samples from the distribution $(0.85, 0.1, 0.05)$ with `np.random.default_rng(7)`.
# Fit the categorical model by maximum likelihood. Which class gets probability 0, and what is the
# average NLL of the fitted model on a test sample that contains that class? Repair the estimate
# with add-one (Laplace) smoothing, $\tilde q_i = (N_i + 1)/(N + C)$, and compare both models'
# average NLL on the training sample and on the test sample $(0, 1, 2)$.
# ```
#
# ```{solution-start} ex-nll-4
# :class: dropdown
# ```
#
# The MLE puts zero probability on an unseen class, so a single test occurrence of it has infinite
# NLL (cross-entropy is $+\infty$ where $p > 0$ and $q = 0$). Smoothing pays a little on the
# training sample, whose optimum it no longer is, to stay finite everywhere.

# %%
small = np.random.default_rng(7).choice(3, size=10, p=[0.85, 0.1, 0.05])
small_counts = np.bincount(small, minlength=3)
q_mle = small_counts / small_counts.sum()
q_laplace = (small_counts + 1) / (small_counts.sum() + 3)
test_p_hat = np.bincount(np.array([0, 1, 2]), minlength=3) / 3
print("sample:", small, "| counts:", small_counts)
print("classes never seen:", np.flatnonzero(small_counts == 0))
train_p_hat = small_counts / small_counts.sum()
for name, qm in (("MLE", q_mle), ("add-one", q_laplace)):
    print(
        f"{name:8s} q = {qm}: train NLL = "
        f"{float(info.cross_entropy(train_p_hat, qm)):.6f} nats,"
        f" test NLL = {float(info.cross_entropy(test_p_hat, qm)):.6f} nats"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} The floor of the double softmax
# :label: ex-nll-5
# Show that $-\log\operatorname{softmax}(u)_y \ge \log\big(1 + (C-1)/e\big)$ for every probability
# vector $u = \operatorname{softmax}(z)$, with the bound approached as $u \to e_y$. (Hint: $u_y \le 1$
# and $u_c \ge 0$.) Evaluate the floor for $C = 2, 10, 1000$ and compare with
# `F.cross_entropy(F.softmax(z), y)` for very confident, correct logits. What does this say about
# training a 1000-class model with the double softmax?
# ```
#
# ```{solution-start} ex-nll-5
# :class: dropdown
# ```
#
# $-\log\operatorname{softmax}(u)_y = \log\big(1 + \sum_{c\neq y} e^{u_c - u_y}\big)$, and every
# $u_c - u_y \ge 0 - 1 = -1$, so the sum is at least $(C-1)/e$, with equality when $u = e_y$.
# SymPy evaluates the loss at $u = e_y$ for symbolic $C$. The one step typed by hand is
# $e^{\delta} = 1 + (e - 1)\delta$ for the Kronecker delta $\delta \in \{0, 1\}$ (checked at
# both values); the sum $\sum_{j=1}^{C} e^{[j = y]}$ is then SymPy's, and the cell also derives the
# value from the book's definitions for $C = 2, \dots, 6$:

# %%
C_floor = sp.Symbol("C", integer=True, positive=True)
j_floor, y_floor = sp.symbols("j y", integer=True, positive=True)
assert all(
    sp.exp(d) == 1 + (sp.E - 1) * d for d in (0, 1)
)  # e^delta for delta in {0, 1}
denominator = sp.Sum(
    1 + (sp.E - 1) * sp.KroneckerDelta(j_floor, y_floor), (j_floor, 1, C_floor)
)
denominator = denominator.doit()  # Piecewise: (C - 1 + e) when 1 <= y <= C
(valid_denominator, valid_condition), _ = denominator.args
at_onehot = -sp.log(sp.E / valid_denominator)  # -log softmax(e_y)_y, with u_y = 1
display(sp.Eq(sp.Symbol(r"\sum_{j=1}^{C} e^{[j = y]}"), denominator))
assert (
    sp.simplify(sp.expand_log(at_onehot - sp.log(1 + (C_floor - 1) / sp.E), force=True))
    == 0
)
for n_classes in range(2, 7):  # the same value from the book's definitions
    onehot = [1] + [0] * (n_classes - 1)
    from_definitions = -sym.log_softmax(onehot)[0]
    assert sp.simplify(from_definitions - at_onehot.subs(C_floor, n_classes)) == 0
print(
    "-log softmax(e_y)_y = log(1 + (C - 1)/e): derived for symbolic C (1 <= y <= C), "
    "and from the definitions for C = 2..6"
)
for n_classes in (2, 10, 1000):
    z_conf = np.zeros((1, n_classes))
    z_conf[0, 0] = 50.0
    best = float(F.cross_entropy(F.softmax(z_conf, dim=1), np.array([0])))
    worst = float(
        F.cross_entropy(F.softmax(z_conf, dim=1), np.array([1]))
    )  # confidently wrong
    correct_loss = float(F.cross_entropy(z_conf, np.array([0])))
    floor = math.log(1 + (n_classes - 1) / math.e)
    print(
        f"C = {n_classes:4d}: floor {floor:.6f}, log C {math.log(n_classes):.6f} (nats)"
    )
    print(
        f"          cross_entropy(softmax(z)): perfect model {best:.6f}, confidently "
        f"wrong {worst:.6f}"
    )
    print(f"          cross_entropy(z): perfect model {correct_loss:.6f}")

# %% [markdown]
# With 1000 classes even a perfect model is charged almost 6 nats, and the double-softmax loss of
# *any* model lies between the floor and the value for a confidently wrong model, only one nat
# apart, as the cell prints (and close to the $\log C$ of a uniform guess): the gradients are tiny
# and the training signal is mostly gone.
#
# ```{solution-end}
# ```
#
# ```{exercise} Averaging over tokens or over sequences
# :label: ex-nll-6
# Two sequences have 2 and 6 real tokens; the first is padded to length 6 with `ignore_index`.
# With logits of shape $(2, C, 6)$, `F.cross_entropy` with `'mean'` averages over the 8 real tokens.
# Compute instead the mean over sequences of each sequence's mean token loss. Are they equal? Which
# sequence does each weigh more, and when would you prefer one or the other?
# ```
#
# ```{solution-start} ex-nll-6
# :class: dropdown
# ```
#
# The token mean gives each *token* the same weight, so the long sequence counts three times as
# much as the short one; the sequence mean gives each *sequence* the same weight. They agree only
# when all sequences have the same length (or the same mean loss). Language-model perplexity is a
# token mean; a per-document score is a sequence mean.

# %%
token_logits = np.random.default_rng(11).normal(size=(2, 4, 6))
token_targets = np.random.default_rng(12).integers(0, 4, size=(2, 6))
token_targets[0, 2:] = -100  # padding of the short sequence
token_mean = float(F.cross_entropy(token_logits, token_targets))
per_token = F.cross_entropy(token_logits, token_targets, reduction="none")
lengths = (token_targets != -100).sum(axis=1)
sequence_means = per_token.sum(axis=1) / lengths
print(f"lengths: {lengths};  per-sequence mean losses: {sequence_means}")
print(
    f"token mean ('mean'):  {token_mean:.6f} = {per_token.sum():.6f} / {lengths.sum()}"
)
print(f"mean of sequence means: {sequence_means.mean():.6f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`fisher1922` put estimation by maximum likelihood on its modern footing and gave the
#   likelihood its name.
# - {cite:t}`goodfellow2016`, sections 5.5 and 6.2.2, derive cross-entropy losses as maximum
#   likelihood and explain why the log-softmax is computed directly.
# - {cite:t}`bishop2006`, section 4.3.4, treats multiclass logistic (softmax) regression and its
#   gradient.
# - {cite:t}`murphy2022`, sections 4.2 and 10.3, covers maximum likelihood, the categorical MLE and
#   multinomial logistic regression.
# - {cite:t}`paszke2019` describe PyTorch, whose `nll_loss` and `cross_entropy` semantics
#   `lossbook.functional` reproduces.
