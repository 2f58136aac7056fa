# %% [markdown]
# # Binary cross-entropy
#
# Many questions a network answers are yes-or-no questions: is this e-mail spam, does this
# X-ray show a fracture, is this pixel part of the road? The network outputs one number per
# question, a probability $p$ that the answer is *yes*, or a {term}`logit` $z$ that a
# {term}`sigmoid` turns into $p = \sigma(z)$. **How should we charge the network for a prediction
# $p$ when the true answer is $y \in \{0, 1\}$?** The answer of this chapter is the
# {term}`binary cross-entropy` (BCE),
#
# $$
# \ell(p, y) = -\big[y \log p + (1 - y)\log(1 - p)\big],
# $$
#
# and we shall see that it is not one choice among many: it is the {term}`negative log-likelihood`
# of a {term}`Bernoulli distribution` (chapter {doc}`03-negative-log-likelihood`), the two-class
# case of the {term}`cross-entropy` of chapter {doc}`02-cross-entropy`, a {term}`convex function`
# of the logit, and the loss whose {term}`gradient` stays large exactly when the network is
# confidently wrong. Then we turn to PyTorch's two functions, their options `pos_weight` and
# `weight`, labels that are not mutually exclusive, and the mistakes people make.
#
# **In this chapter** you will derive and check
#
# - BCE as the negative log-likelihood of a Bernoulli variable and as the two-class cross-entropy
#   ({prf:ref}`thm-bce-bernoulli`); a two-class softmax is a sigmoid;
# - the overflow-free form $\max(z, 0) - yz + \log(1 + e^{-|z|})$ of BCE with logits, and how
#   far the textbook recipe is from it in float64 and float32;
# - the gradient $\sigma(z) - y$ and the strict convexity in the logit
#   ({prf:ref}`thm-bce-logit-gradient`), and why squared error on a sigmoid trains badly;
# - PyTorch's `binary_cross_entropy` (with its $-100$ clamp) and
#   `binary_cross_entropy_with_logits` (with `pos_weight` and `weight`), multi-label
#   classification, and the common mistakes with their numeric fingerprints.
#
# **You need** chapters 2 and 3 ({doc}`02-cross-entropy`, {doc}`03-negative-log-likelihood`): the
# cross-entropy, the softmax and its gradient, and maximum likelihood; the sigmoid
# $\sigma(z) = 1/(1 + e^{-z})$.

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
import scipy.optimize
import sympy as sp
from IPython.display import Math, display
from sympy.codegen.cfunctions import log1p as sp_log1p

import lossbook.functional as F
import lossbook.gradients as G
import lossbook.info as info
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=6, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(404)
mpmath.mp.dps = 50

# %% [markdown]
# (sec-bce-intuition)=
# ## One probability, two curves
#
# Only one of the two terms is ever active: for a positive example ($y = 1$) the loss is
# $-\log p$, for a negative one ($y = 0$) it is $-\log(1 - p)$. Both are 0 for a perfect prediction
# and grow without bound as the prediction approaches the wrong certainty. The left panel plots
# them against the probability $p$; the right panel against the logit $z$, where they become the
# two {term}`softplus` curves $\log(1 + e^{-z})$ and $\log(1 + e^{z})$: nearly straight lines of
# slope $\mp 1$ for confident mistakes and nearly 0 for confident correct answers. Both panels are
# computed by `lossbook.functional`, which mirrors `torch.nn.functional`.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels. Left: binary cross-entropy in nats against the predicted probability p from 0 to 1; the curve for y = 1, minus log p, falls from large values at p near 0 to 0 at p = 1, and the curve for y = 0, minus log(1 - p), is its mirror image; they cross at p = 0.5 at log 2. Right: the same two losses against the logit z from -6 to 6; for y = 1 the loss is a softplus curve that is almost the line -z for negative z and almost 0 for positive z, and the y = 0 curve is its mirror image; they cross at z = 0."}}
p_grid = np.linspace(0.002, 0.998, 499)
z_grid = np.linspace(-6, 6, 481)
ones_p, zeros_p = np.ones_like(p_grid), np.zeros_like(p_grid)
ones_z, zeros_z = np.ones_like(z_grid), np.zeros_like(z_grid)

fig, (ax_p, ax_z) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_p.plot(
    p_grid,
    F.binary_cross_entropy(p_grid, ones_p, reduction="none"),
    color=lbplot.PALETTE[0],
    label=r"$y = 1$: $-\log p$",
)
ax_p.plot(
    p_grid,
    F.binary_cross_entropy(p_grid, zeros_p, reduction="none"),
    color=lbplot.PALETTE[1],
    linestyle="--",
    label=r"$y = 0$: $-\log(1 - p)$",
)
ax_p.set_xlabel(r"predicted probability $p = P(y = 1)$")
ax_p.set_ylabel("loss (nats)")
ax_p.set_ylim(0, 5)
ax_p.set_title("BCE over the probability")
ax_z.plot(
    z_grid,
    F.binary_cross_entropy_with_logits(z_grid, ones_z, reduction="none"),
    color=lbplot.PALETTE[0],
    label=r"$y = 1$: $\log(1 + e^{-z})$",
)
ax_z.plot(
    z_grid,
    F.binary_cross_entropy_with_logits(z_grid, zeros_z, reduction="none"),
    color=lbplot.PALETTE[1],
    linestyle="--",
    label=r"$y = 0$: $\log(1 + e^{z})$",
)
ax_z.set_xlabel(r"logit $z$, with $p = \sigma(z)$")
ax_z.set_ylabel("loss (nats)")
ax_z.set_ylim(0, 6.5)
ax_z.set_title("BCE over the logit")
for ax in (ax_p, ax_z):
    ax.legend(loc="upper center")
plt.show()

# %% [markdown]
# A few values make the scale concrete. A shrug ($p = 0.5$) costs $\log 2$ nats whatever the
# answer; a confident correct answer costs almost nothing; a confident mistake costs a lot:

# %%
print(f"{'p':>6s} {'loss if y = 1':>14s} {'loss if y = 0':>14s}   (nats)")
for p_value in (0.5, 0.9, 0.99, 0.01):
    p_arr = np.array([p_value])
    loss_1 = float(F.binary_cross_entropy(p_arr, np.array([1.0])))
    loss_0 = float(F.binary_cross_entropy(p_arr, np.array([0.0])))
    print(f"{p_value:6.2f} {loss_1:14.6f} {loss_0:14.6f}")
print(f"log 2 = {math.log(2):.6f} nats")

# %% [markdown]
# (sec-bce-bernoulli)=
# ## BCE is the negative log-likelihood of a Bernoulli variable
#
# A model that predicts $p = P(Y = 1)$ describes the answer as a Bernoulli random variable. Its
# probability of the observed answer $y \in \{0, 1\}$ fits in one formula, because exactly one of
# the two factors is not 1:
#
# $$
# P(Y = y) = p^{y}(1 - p)^{1 - y}, \qquad
# -\log P(Y = y) = -\big[y\log p + (1 - y)\log(1 - p)\big] = \ell(p, y).
# $$
#
# For $N$ independent examples with predictions $p_n$ the likelihood is the product of these
# probabilities, and its negative logarithm divided by $N$ is the average BCE: minimising the mean
# BCE *is* {term}`maximum likelihood estimation` for a model of binary outcomes
# {cite:p}`bishop2006,goodfellow2016`.
#
# ```{prf:theorem} BCE is the Bernoulli negative log-likelihood
# :label: thm-bce-bernoulli
# For $p \in (0, 1)$ and $y \in \{0, 1\}$, $\ell(p, y) = -\log\big(p^{y}(1-p)^{1-y}\big)$, the
# negative log-likelihood of the Bernoulli($p$) distribution at $y$. For every $y \in [0, 1]$,
# $\ell(p, y) = H\big((1 - y, y), (1 - p, p)\big)$, the cross-entropy of two distributions on
# $\{0, 1\}$.
# ```
#
# ```{prf:proof}
# $-\log\big(p^{y}(1-p)^{1-y}\big) = -y\log p - (1 - y)\log(1 - p)$ because $p, 1 - p > 0$; and
# the cross-entropy of the two distributions has exactly these two terms.
# ```
#
# The cells prove both with SymPy. SymPy takes the negative log of the Bernoulli probability
# (`expand_log(..., force=True)` splits the logarithm of the product, valid because
# $0 < p < 1$) and compares it with the book's definition `sym.bce`:

# %%
p, y = sym.prob, sp.Symbol("y", real=True)
bernoulli_pmf = p**y * (1 - p) ** (1 - y)
assert bernoulli_pmf.subs(y, 1) == p and bernoulli_pmf.subs(y, 0) == 1 - p
bernoulli_nll = -sp.expand_log(sp.log(bernoulli_pmf), force=True)
display(sp.Eq(sp.Symbol(r"-\log P(Y = y)"), bernoulli_nll, evaluate=False))
bernoulli_is_bce = sym.check_identity(bernoulli_nll, sym.bce(p, y))
assert bernoulli_is_bce, bernoulli_is_bce
bernoulli_is_bce

# %% [markdown]
# The same expression is the cross-entropy $H(\mathbf{y}, \mathbf{p})$ between two distributions on
# the two outcomes $\{0, 1\}$: the target $\mathbf{y} = (1 - y, y)$ and the prediction
# $\mathbf{p} = (1 - p, p)$. BCE is cross-entropy with two classes, the "0-1 case", as the seed
# README puts it:

# %%
bce_is_two_class_ce = sym.check_identity(
    sym.cross_entropy([1 - y, y], [1 - p, p]), sym.bce(p, y)
)
assert bce_is_two_class_ce, bce_is_two_class_ce
bce_is_two_class_ce

# %% [markdown]
# One word of care about names. In PyTorch, `nll_loss` expects a *row of log-probabilities per
# example*, one per class, not a single probability. To get BCE out of it you give it the two
# columns $\log(1 - p)$ and $\log p$ and the class index $y$. On a seeded batch the three
# computations agree: `F.binary_cross_entropy`, `F.nll_loss` on the two-column log-probabilities,
# and the cross-entropy of the two-outcome distributions computed by `lossbook.info`:

# %%
p_batch = rng.uniform(0.02, 0.98, size=6)
y_batch = rng.integers(0, 2, size=6)
two_columns = np.stack([1 - p_batch, p_batch], axis=1)  # P(class 0), P(class 1)
via_bce = F.binary_cross_entropy(p_batch, y_batch.astype(float), reduction="none")
via_nll = F.nll_loss(np.log(two_columns), y_batch, reduction="none")
via_info = info.cross_entropy(
    np.stack([1 - y_batch, y_batch], axis=1).astype(float), two_columns
)
assert np.allclose(via_bce, via_nll, rtol=1e-12) and np.allclose(
    via_bce, via_info, rtol=1e-12
)
print(
    f"{'p':>8s} {'y':>2s} {'F.binary_cross_entropy':>23s} {'F.nll_loss':>11s} "
    f"{'info.cross_entropy':>19s}"
)
for row in zip(p_batch, y_batch, via_bce, via_nll, via_info):
    print(f"{row[0]:8.4f} {row[1]:2d} {row[2]:23.6f} {row[3]:11.6f} {row[4]:19.6f}")

# %% [markdown]
# The target does not have to be 0 or 1. With a *soft* target $y \in [0, 1]$ (an averaged label,
# a teacher's probability) the same formula is the cross-entropy from the Bernoulli($y$)
# distribution to the Bernoulli($p$) one; its minimum is at $p = y$ and equals the binary
# entropy of $y$, not 0 ({ref}`ex-bce-1`).
#
# (sec-bce-two-class)=
# ## A two-class softmax is a sigmoid
#
# A binary classifier can be built in two ways: one logit and a sigmoid, or two logits and a
# {term}`softmax`. They are the same model. The softmax of the two logits $(z, 0)$ is
# $\big(\sigma(z), \sigma(-z)\big) = \big(\sigma(z), 1 - \sigma(z)\big)$, and more generally the
# softmax of $(z_1, z_2)$ depends only on the difference $z_1 - z_2$; SymPy proves both with the
# book's definitions:

# %%
z = sp.Symbol("z", real=True)
z1, z2 = sym.logits(2)
display(
    sp.Eq(
        sp.Symbol(r"\operatorname{softmax}(z, 0)"),
        sp.Matrix(sym.softmax([z, 0])).T,
        evaluate=False,
    )
)
softmax_is_sigmoid = sym.check_identity(
    sym.softmax([z, 0]), [sym.sigmoid(z), sym.sigmoid(-z)]
)
softmax_difference = sym.check_identity(
    sym.softmax([z1, z2]), [sym.sigmoid(z1 - z2), sym.sigmoid(z2 - z1)]
)
sym.check_identity(sym.sigmoid(-z), 1 - sym.sigmoid(z)).assert_proved()
assert softmax_is_sigmoid and softmax_difference
display(softmax_is_sigmoid, softmax_difference)

# %% [markdown]
# So the two-class cross-entropy of the logits $(z, 0)$ is BCE with the logit $z$, once the
# classes are matched: the first entry is the probability of the positive outcome, so the
# positive outcome is class 0 and the class index is $1 - y$. (Put the logit second, $(0, z)$, and
# the class index is $y$ itself.) SymPy checks both target values, and the soft-target form in
# which the target row is $(y, 1 - y)$ for a symbolic $y$:

# %%
log_probs_z0 = sym.log_softmax([z, 0])
for y_value in (0, 1):
    sym.check_identity(
        sym.nll(log_probs_z0, 1 - y_value), sym.bce_with_logits(z, y_value)
    ).assert_proved()
soft_two_class = -(y * log_probs_z0[0] + (1 - y) * log_probs_z0[1])
two_class_is_bce = sym.check_identity(soft_two_class, sym.bce_with_logits(z, y))
assert two_class_is_bce, two_class_is_bce
two_class_is_bce

# %% [markdown]
# On numbers: `F.cross_entropy` with logits $(z, 0)$ and class indices $1 - y$, and with the
# probability targets $(y, 1 - y)$, against `F.binary_cross_entropy_with_logits`, on seeded
# logits and a few soft targets. The table of `check_numeric` compares the lambdified SymPy
# definition with each `lossbook` computation.


# %%
def two_class_ce_indices(z_values, y_values):
    logits_2 = np.stack([z_values, np.zeros_like(z_values)], axis=1)
    return F.cross_entropy(logits_2, (1 - y_values).astype(int), reduction="none")


def two_class_ce_probabilities(z_values, y_values):
    logits_2 = np.stack([z_values, np.zeros_like(z_values)], axis=1)
    return F.cross_entropy(
        logits_2, np.stack([y_values, 1 - y_values], axis=1), reduction="none"
    )


def bce_logits_none(z_values, y_values):
    return F.binary_cross_entropy_with_logits(z_values, y_values, reduction="none")


hard_cases = sym.random_cases(
    rng, lambda r: (sym.random_logits(r, 8), r.integers(0, 2, 8).astype(float)), count=3
)
soft_cases = {
    "soft targets": (
        np.array([-2.0, -0.3, 0.0, 0.7, 4.0]),
        np.array([0.1, 0.5, 0.25, 0.9, 0.6]),
    )
}
for reference in (two_class_ce_indices, bce_logits_none):
    display(sym.check_numeric(sym.bce_with_logits(z, y), [z, y], reference, hard_cases))
display(
    sym.check_numeric(
        sym.bce_with_logits(z, y),
        [z, y],
        two_class_ce_probabilities,
        {**hard_cases, **soft_cases},
    )
)

# %% [markdown]
# A single sigmoid output is therefore not an approximation of a two-class softmax: it *is* one,
# with the second logit fixed at 0. The sigmoid version saves one output and states the model's
# one degree of freedom honestly.
#
# (sec-bce-logits)=
# ## BCE with logits and its overflow-free form
#
# Networks output logits, and the loss is best written as a function of $z$ directly. Two facts
# about the sigmoid do all the work:
#
# $$
# -\log\sigma(z) = \log(1 + e^{-z}) = \operatorname{softplus}(-z), \qquad
# -\log\big(1 - \sigma(z)\big) = \operatorname{softplus}(z), \qquad
# \operatorname{softplus}(-z) = \operatorname{softplus}(z) - z .
# $$
#
# Substituting them into the definition gives the compact form
#
# $$
# \ell(z, y) = y\operatorname{softplus}(-z) + (1 - y)\operatorname{softplus}(z)
#            = \operatorname{softplus}(z) - y z .
# $$
#
# SymPy proves each step:

# %%
steps = {
    r"-\log\sigma(z) = \operatorname{softplus}(-z)": (
        -sp.log(sym.sigmoid(z)),
        sym.softplus(-z),
    ),
    r"-\log(1-\sigma(z)) = \operatorname{softplus}(z)": (
        -sp.log(1 - sym.sigmoid(z)),
        sym.softplus(z),
    ),
    r"\operatorname{softplus}(-z) = \operatorname{softplus}(z) - z": (
        sym.softplus(-z),
        sym.softplus(z) - z,
    ),
    r"\ell(z, y) = \operatorname{softplus}(z) - yz": (
        sym.bce_with_logits(z, y),
        sym.softplus(z) - y * z,
    ),
}
for name, (lhs, rhs) in steps.items():
    sym.check_identity(lhs, rhs).assert_proved()
    display(Math(name + r"\qquad\text{(proved)}"))
bce_compact = sym.softplus(z) - y * z
display(Math(r"\ell(z, y) = " + sp.latex(bce_compact)))

# %% [markdown]
# The compact form still contains $e^{z}$, which {term}`overflow`s for $z > 709.78$ in float64
# ($z > 88.7$ in float32). Splitting $\operatorname{softplus}(z) = \max(z, 0) + \log(1 + e^{-|z|})$
# keeps every exponent non-positive, and gives the form that libraries compute:
#
# $$
# \ell(z, y) = \max(z, 0) - y z + \log\big(1 + e^{-|z|}\big)
#  = \begin{cases}
#      (1 - y)\,z + \log(1 + e^{-z}), & z \ge 0, \\
#      -y z + \log(1 + e^{z}), & z < 0 .
#    \end{cases}
# $$
#
# The maximum and the absolute value make this a piecewise function, so SymPy proves it on each
# piece: with a positive symbol, a negative symbol and at $z = 0$, where `Max` and `Abs` evaluate
# and the identity with $\operatorname{softplus}(z) - yz$ becomes ordinary algebra.


# %%
def bce_max_form(v, target):
    return sp.Max(v, 0) - target * v + sp.log(1 + sp.exp(-sp.Abs(v)))


bce_piecewise = sp.Piecewise(
    ((1 - y) * z + sp.log(1 + sp.exp(-z)), z >= 0),
    (-y * z + sp.log(1 + sp.exp(z)), True),
)
display(Math(r"\ell(z, y) = " + sp.latex(bce_piecewise)))
z_pos, z_neg = sp.Symbol("z", positive=True), sp.Symbol("z", negative=True)
for branch, label in ((z_pos, "z > 0"), (z_neg, "z < 0")):
    sym.check_identity(
        bce_max_form(branch, y), sym.softplus(branch) - y * branch
    ).assert_proved()
    sym.check_identity(
        bce_piecewise.subs(z, branch), sym.bce_with_logits(branch, y)
    ).assert_proved()
    print(
        f"{label}: max form == piecewise form == softplus(z) - y z == BCE(sigmoid(z), "
        "y)"
    )
assert (
    sp.simplify(bce_max_form(sp.Integer(0), y) - sym.bce_with_logits(sp.Integer(0), y))
    == 0
)
print(
    "z = 0: both equal log 2:", sp.simplify(bce_max_form(sp.Integer(0), y)) == sp.log(2)
)

# %% [markdown]
# In floating point the *order* of the operations matters too. For a confident correct positive
# ($z = 40$, $y = 1$) the loss is about $4.2\times10^{-18}$; the piecewise form computes
# $(1 - y)z = 0$ exactly and then adds the tiny $\log(1 + e^{-40})$, whereas adding $-yz$,
# $\log(1 + e^{-40})$ and $\max(z, 0)$ left to right would lose the tiny term to rounding
# ({ref}`sec-stability-tiny` has the full story). So for the numeric check we lambdify the
# piecewise form, with SymPy's `log1p` for $\log(1 + \cdot)$ (SymPy proves the rewrite), and
# compare it with `F.binary_cross_entropy_with_logits` on seeded logits and on the edge cases that
# break the textbook formula:

# %%
bce_numeric = sp.Piecewise(
    ((1 - y) * z + sp_log1p(sp.exp(-z)), z >= 0), (-y * z + sp_log1p(sp.exp(z)), True)
)
assert sp.simplify(bce_numeric.rewrite(sp.log) - bce_piecewise) == 0
edge_cases = {
    "z = +-40, y = 1": (np.array([40.0, -40.0]), np.array([1.0, 1.0])),
    "z = +-40, y = 0": (np.array([40.0, -40.0]), np.array([0.0, 0.0])),
    "z = +-800, y = 0 and 1": (
        np.array([800.0, -800.0, 800.0, -800.0]),
        np.array([0.0, 0.0, 1.0, 1.0]),
    ),
    "z = 0": (np.array([0.0, 0.0]), np.array([0.0, 1.0])),
}
sym.check_numeric(
    bce_numeric, [z, y], bce_logits_none, {**hard_cases, **edge_cases, **soft_cases}
)

# %% [markdown]
# The textbook recipe, first $p = \sigma(z) = 1/(1 + e^{-z})$ and then the logarithms, fails on
# the same edge cases. The cell evaluates it in float64 next to the stable function and the exact
# value (50-digit `mpmath`): at $z = -800$ the exponential overflows and the loss becomes `inf`
# instead of 800; at $z = 40$, $\sigma(z)$ rounds to exactly 1 and a confident *mistake* with
# $y = 0$, which should cost 40 nats, costs `inf`; and a confident correct answer costs exactly 0.


# %%
def textbook_bce(z_values, y_values):
    """The textbook recipe, for comparison only: sigmoid first, then two logarithms.

    A term whose coefficient is 0 counts as 0, so that y = 1 does not turn
    log(1 - p) = -inf into nan.
    """
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        p_values = 1 / (1 + np.exp(-z_values))
        positive = np.where(y_values != 0, y_values * np.log(p_values), 0)
        negative = np.where(y_values != 1, (1 - y_values) * np.log(1 - p_values), 0)
        return -(positive + negative)


def exact_bce(z_value, y_value):
    z_mp = mpmath.mpf(float(z_value))
    return y_value * mpmath.log1p(mpmath.exp(-z_mp)) + (1 - y_value) * mpmath.log1p(
        mpmath.exp(z_mp)
    )


print(f"{'z':>6s} {'y':>2s} {'textbook':>12s} {'lossbook':>12s} {'exact':>12s}")
for z_value, y_value in [(-800.0, 1), (-40.0, 1), (40.0, 1), (40.0, 0), (800.0, 0)]:
    z_arr, y_arr = np.array([z_value]), np.array([float(y_value)])
    naive = textbook_bce(z_arr, y_arr)[0]
    stable = float(bce_logits_none(z_arr, y_arr)[0])
    print(
        f"{z_value:6.0f} {y_value:2d} {naive:12.4e} {stable:12.4e} "
        f"{float(exact_bce(z_value, y_value)):12.4e}"
    )

# %% [markdown]
# The figure measures the damage over a whole range of logits, for $y = 1$ (for $y = 0$ mirror
# the axis: $\ell(z, 0) = \ell(-z, 1)$): the relative error of each computation against the exact
# value, in float64 (left) and float32 (right). The textbook recipe is accurate for moderately
# negative $z$, loses relative accuracy steadily as $z$ grows (it computes the small loss
# $\approx e^{-z}$ as $-\log$ of a number close to 1: {term}`catastrophic cancellation`), returns
# exactly 0 once $\sigma(z)$ rounds to 1, and returns `inf` once $e^{-z}$ overflows. The stable
# function stays at the level of rounding everywhere (where its error is exactly 0, the open
# markers sit on the line labelled "exactly 0"). The horizontal axis is linear near $z = 0$ and
# logarithmic beyond, so that the cancellation regime of positive $z$ is not squeezed by the long
# negative range.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels of relative error (log scale, from 1e-17 to 1e2) against the logit z for the target y = 1, on a horizontal axis that is linear near 0 and logarithmic further out, so that the region of positive z gets as much room as the long negative range. Left, float64, z from -800 to 60: the stable lossbook function stays at or below about 1e-16 everywhere, and where its error is exactly 0 it is drawn as open markers on a floor line labelled 'exactly 0'; the textbook recipe is as accurate for negative z down to about -709, where it returns infinity (triangles at the top edge), and for positive z its error rises steadily until z is about 37, after which it is 100 percent (the computed loss is 0). Right, float32, z from -120 to 30: the same picture with the thresholds at about -88 and 17 and the stable error near 1e-7."}}
FLOOR = 1e-17  # relative errors of exactly 0 are drawn on this line


def relative_errors(z_values, dtype):
    z_typed = z_values.astype(dtype)
    y_typed = np.ones_like(z_typed)
    exact = np.array([float(exact_bce(v, 1)) for v in z_typed.astype(np.float64)])
    curves = {
        "textbook": textbook_bce(z_typed, y_typed),
        "lossbook": bce_logits_none(z_typed, y_typed),
    }
    errors = {}
    for name, got in curves.items():
        with np.errstate(invalid="ignore"):
            rel = np.abs(got.astype(np.float64) - exact) / exact
        errors[name] = np.where(np.isfinite(rel) & (rel > 0), rel, np.nan)
        errors[name + " zero"] = rel == 0
        errors[name + " inf"] = ~np.isfinite(got)
    return errors


panels = [
    (
        np.float64,
        np.linspace(-800, 60, 861),
        40.0,
        [-800, -100, -20, 0, 20, 40],
    ),
    (
        np.float32,
        np.linspace(-120, 30, 601),
        20.0,
        [-120, -20, -10, 0, 10, 20],
    ),
]
fig, axes = plt.subplots(1, 2, figsize=(10, 4.8))
for ax, (dtype, z_values, linear_width, ticks) in zip(axes, panels):
    errors = relative_errors(z_values, dtype)
    textbook_colour, lossbook_colour = lbplot.PALETTE[1], lbplot.PALETTE[0]
    ax.semilogy(
        z_values,
        errors["textbook"],
        color=textbook_colour,
        label=r"textbook: $-\log\sigma(z)$",
    )
    ax.semilogy(
        z_values[errors["textbook inf"]],
        np.full(errors["textbook inf"].sum(), 50.0),
        linestyle="none",
        marker="^",
        markersize=3,
        color=textbook_colour,
        label="textbook returns inf",
    )
    ax.semilogy(
        z_values,
        errors["lossbook"],
        color=lossbook_colour,
        label="F.binary_cross_entropy_with_logits",
    )
    for name, colour, marker, size in (
        ("textbook", textbook_colour, "|", 7),
        ("lossbook", lossbook_colour, "o", 3),
    ):
        zero = errors[name + " zero"] & (np.arange(z_values.size) % 4 == 0)
        ax.semilogy(
            z_values[zero],
            np.full(zero.sum(), FLOOR),
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor="none",
            color=colour,
            label=f"{name} error exactly 0 (every 4th point)",
        )
    ax.axhline(FLOOR, color="0.6", lw=0.6)
    ax.set_xscale("symlog", linthresh=linear_width, linscale=1.5)
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_ylim(FLOOR / 3, 1e2)
    ax.text(z_values[0], FLOOR * 1.8, "exactly 0", fontsize=8, color="0.35")
    ax.set_xlabel(
        rf"logit $z$ (target $y = 1$; linear for $|z| < {linear_width:.0f}$, log "
        r"beyond)"
    )
    ax.set_ylabel("relative error of the loss (no unit)")
    ax.set_title(np.dtype(dtype).name)
fig.legend(
    *axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8
)
plt.show()

# %% [markdown]
# The thresholds in the figure are where $e^{-z}$ overflows and where $\sigma(z)$ rounds to 1,
# which the cell computes for both formats:

# %%
for dtype in (np.float64, np.float32):
    z_scan = np.linspace(-1000, 100, 110001).astype(dtype)
    naive = textbook_bce(z_scan, np.ones_like(z_scan))
    first_finite = float(z_scan[np.isfinite(naive)].min())
    first_zero = float(z_scan[naive == 0].min())
    print(
        f"{np.dtype(dtype).name}: textbook loss is inf for z below about "
        f"{first_finite:.2f} "
        f"and exactly 0 from about z = {first_zero:.2f}"
    )

# %% [markdown]
# (sec-bce-gradient)=
# ## The gradient $\sigma(z) - y$ and convexity
#
# Differentiating the compact form is one line, because the derivative of softplus is the sigmoid:
#
# $$
# \frac{\partial \ell}{\partial z} = \sigma(z) - y, \qquad
# \frac{\partial^2 \ell}{\partial z^2} = \sigma(z)\big(1 - \sigma(z)\big) > 0 .
# $$
#
# ```{prf:theorem} Gradient and convexity of BCE with logits
# :label: thm-bce-logit-gradient
# For every target $y \in [0, 1]$, $\ell(z, y) = \operatorname{softplus}(z) - yz$ has
# $\partial\ell/\partial z = \sigma(z) - y$ and
# $\partial^2\ell/\partial z^2 = \sigma(z)\big(1 - \sigma(z)\big) > 0$: it is strictly convex in
# the logit.
# ```
#
# ```{prf:proof}
# $\operatorname{softplus}'(z) = e^{z}/(1 + e^{z}) = \sigma(z)$ and $\sigma' = \sigma(1 - \sigma)$,
# which is positive because $0 < \sigma(z) < 1$.
# ```
#
# The gradient is "prediction minus target", exactly as for softmax cross-entropy
# ({prf:ref}`thm-softmax-ce-gradient`); it lies in $(-1, 1)$ and is largest in size when the model is
# confidently wrong. The second derivative does not depend on $y$ and is positive for every $z$:
# the loss is strictly convex in the logit. `lossbook.symbolic.derived` computes both by
# differentiating the *definition* $-[y\log\sigma(z) + (1-y)\log(1-\sigma(z))]$ and proves them
# equal to the closed forms:

# %%
bce_gradient = sym.derived.bce_with_logits_gradient()
bce_hessian = sym.derived.bce_with_logits_hessian()
zg, yg = bce_gradient["z"], bce_gradient["y"]
display(Math(r"\frac{\partial\ell}{\partial z} = " + sp.latex(bce_gradient.derived)))
display(
    Math(r"\frac{\partial^{2}\ell}{\partial z^{2}} = " + sp.latex(bce_hessian.derived))
)
print("gradient:", bce_gradient.statement, "|", bce_gradient.scope)
print("Hessian: ", bce_hessian.statement, "|", bce_hessian.scope)
assert all(bool(check) for check in bce_gradient.checks + bce_hessian.checks)
assert sp.diff(bce_hessian.derived, yg) == 0

# %% [markdown]
# Positivity and the largest curvature, in SymPy: $\sigma(1-\sigma)$ equals
# $e^{-z}/(1 + e^{-z})^2$, which SymPy knows to be positive for real $z$, and its only stationary
# point is $z = 0$, where the curvature is $1/4$. The derivative through the probability shows why
# the logit form is so clean: $\partial\ell/\partial p = (p - y)/\big(p(1 - p)\big)$ blows up near
# $p = 0$ and $p = 1$, and the chain rule multiplies it by $\sigma'(z) = p(1 - p)$, which cancels
# the denominator exactly.

# %%
curvature = bce_hessian.closed_form
curvature_positive = sp.exp(-zg) / (1 + sp.exp(-zg)) ** 2
sym.check_identity(curvature, curvature_positive).assert_proved()
assert curvature_positive.is_positive
stationary = sp.solve(sp.diff(curvature_positive, zg), zg)
assert stationary == [0] and curvature.subs(zg, 0) == sp.Rational(1, 4)
print(
    f"sigma(1 - sigma) > 0 for every real z; stationary at z = {stationary}, "
    f"value {curvature.subs(zg, 0)}"
)
d_loss_d_p = sp.simplify(sp.diff(sym.bce(p, y), p))
display(Math(r"\frac{\partial\ell}{\partial p} = " + sp.latex(d_loss_d_p)))
chain = d_loss_d_p.subs(p, sym.sigmoid(z)) * sp.diff(sym.sigmoid(z), z)
sym.check_identity(chain, sym.sigmoid(z) - y).assert_proved()
print("d loss/dp * dsigma/dz == sigma(z) - y: proved")

# %% [markdown]
# For logistic regression, $z_n = w^\top x_n + b$ is affine in the parameters, so the mean BCE has
# the Hessian $\frac1N\sum_n \sigma(z_n)(1 - \sigma(z_n))\,\tilde x_n \tilde x_n^\top$ with
# $\tilde x_n = (x_n, 1)$: a positive combination of outer products, positive semidefinite. The
# loss is convex in $(w, b)$, every stationary point is a global minimum {cite:p}`bishop2006`
# ({ref}`ex-bce-4`).
#
# ### Checked on numbers
#
# The lambdified derived gradient and Hessian against `lossbook.gradients` (with `reduction="sum"`,
# whose gradient is the per-element derivative), then `lossbook.gradients` against central
# {term}`finite differences` of `lossbook.functional` for the `'mean'` reduction, with the options
# of the next sections and for the probability version `binary_cross_entropy`:


# %%
def bce_logits_grad_sum(z_values, y_values):
    return G.binary_cross_entropy_with_logits_grad(z_values, y_values, reduction="sum")


def bce_logits_curvature(
    z_values, y_values
):  # derivative of the gradient, by central differences
    return G.numerical_gradient(
        lambda v: float(np.sum(bce_logits_grad_sum(v, y_values))), z_values
    )


gradient_cases = {
    **hard_cases,
    **soft_cases,
    "z = +-30": (np.array([30.0, -30.0, 30.0]), np.array([1.0, 1.0, 0.0])),
}
display(
    sym.check_numeric(
        bce_gradient.derived, [zg, yg], bce_logits_grad_sum, gradient_cases
    )
)
display(
    sym.check_numeric(
        bce_hessian.derived,
        [zg, yg],
        bce_logits_curvature,
        hard_cases,
        rtol=1e-6,
        atol=1e-8,
    )
)

# %%
z_fd = rng.normal(0, 2, size=(4, 3))
y_fd = rng.integers(0, 2, size=(4, 3)).astype(float)
p_fd = F.sigmoid(z_fd)
w_fd = rng.uniform(0.5, 2.0, size=(4, 3))
pw_fd = np.array([1.0, 3.0, 0.5])
fd_checks = {
    "with_logits, mean": (
        lambda v: float(F.binary_cross_entropy_with_logits(v, y_fd)),
        G.binary_cross_entropy_with_logits_grad(z_fd, y_fd),
        z_fd,
    ),
    "with_logits, sum, weight, pos_weight": (
        lambda v: float(
            F.binary_cross_entropy_with_logits(
                v, y_fd, weight=w_fd, reduction="sum", pos_weight=pw_fd
            )
        ),
        G.binary_cross_entropy_with_logits_grad(
            z_fd, y_fd, weight=w_fd, reduction="sum", pos_weight=pw_fd
        ),
        z_fd,
    ),
    "binary_cross_entropy (probabilities), mean": (
        lambda v: float(F.binary_cross_entropy(v, y_fd)),
        G.binary_cross_entropy_grad(p_fd, y_fd),
        p_fd,
    ),
}
for name, (loss_fn, analytic, at) in fd_checks.items():
    numeric = G.numerical_gradient(loss_fn, at)
    agree = np.allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    assert agree, name
    print(f"{name:45s} analytic == finite differences (rtol 1e-6): {agree}")

# %% [markdown]
# (sec-bce-vs-mse)=
# ## Why not squared error on a sigmoid?
#
# A natural first idea for a probability output is the squared error $(\sigma(z) - y)^2$. It is a
# perfectly good measure of the *distance* between prediction and target, but a poor loss to
# train with. Its gradient in the logit carries the factor $\sigma'(z) = \sigma(z)(1 - \sigma(z))$,
# which the logarithm of BCE cancels and the square does not:
#
# $$
# \frac{\partial}{\partial z}\big(\sigma(z) - y\big)^2 = 2\big(\sigma(z) - y\big)\,\sigma(z)\big(1 - \sigma(z)\big).
# $$
#
# When the model is confidently wrong ($y = 1$, $z \to -\infty$) the factor $\sigma(z)$ sends this
# gradient to 0: the worse the mistake, the weaker the signal to fix it. BCE's gradient tends to
# $-1$ instead {cite:p}`goodfellow2016`. SymPy derives both limits:

# %%
squared_error = (sym.sigmoid(z) - y) ** 2
squared_error_gradient = sp.diff(squared_error, z)
sym.check_identity(
    squared_error_gradient,
    2 * (sym.sigmoid(z) - y) * sym.sigmoid(z) * (1 - sym.sigmoid(z)),
).assert_proved()
display(
    Math(
        r"\frac{\partial}{\partial z}\big(\sigma(z) - y\big)^{2} = "
        + sp.latex(squared_error_gradient)
    )
)
limit_squared = sp.limit(squared_error_gradient.subs(y, 1), z, -sp.oo)
limit_bce = sp.limit((sym.sigmoid(z) - y).subs(y, 1), z, -sp.oo)
assert limit_squared == 0 and limit_bce == -1
print(
    f"y = 1, z -> -oo: squared-error gradient -> {limit_squared}, BCE gradient -> "
    f"{limit_bce}"
)
curvature_squared = sp.diff(squared_error.subs(y, 1), z, 2)
print(
    "second derivative of the squared error at z = -3, y = 1: "
    f"{float(curvature_squared.subs(z, -3)):.6f}"
    " (negative: not convex)"
)
assert curvature_squared.subs(z, -3).evalf() < 0

# %% [markdown]
# The figure shows both gradients for a positive example, computed with `lossbook.gradients` (the
# squared error's through the chain rule: `mse_loss_grad` at $p = \sigma(z)$ times $\sigma'(z)$).
# On the left, where the model says "no" with confidence, BCE pushes with almost unit force and the
# squared error hardly at all.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Gradient of the loss with respect to the logit z, for a positive example, against z from -10 to 10. The BCE gradient sigma(z) - 1 is close to -1 for negative z and rises smoothly to 0. The squared-error gradient 2(sigma - 1) sigma (1 - sigma) is close to 0 for very negative z, reaches its most negative value of about -0.3 near z = -1, and returns to 0: it vanishes exactly where the model is confidently wrong, in the shaded region."}}
z_line = np.linspace(-10, 10, 401)
y_line = np.ones_like(z_line)
p_line = F.sigmoid(z_line)
grad_bce_line = G.binary_cross_entropy_with_logits_grad(z_line, y_line, reduction="sum")
grad_sq_line = G.mse_loss_grad(p_line, y_line, reduction="sum") * p_line * (1 - p_line)

fig, ax = plt.subplots(figsize=(7, 3.8))
ax.axvspan(-10, -3, color="0.92", label=r"confidently wrong ($\sigma(z) < 0.05$)")
ax.plot(z_line, grad_bce_line, color=lbplot.PALETTE[0], label=r"BCE: $\sigma(z) - 1$")
ax.plot(
    z_line,
    grad_sq_line,
    color=lbplot.PALETTE[1],
    linestyle="--",
    label=r"squared error: $2(\sigma - 1)\,\sigma(1 - \sigma)$",
)
ax.axhline(0, color="0.5", linewidth=0.8)
ax.set_xlabel(r"logit $z$ (target $y = 1$)")
ax.set_ylabel(r"$\partial \ell / \partial z$ (nats per unit logit)")
ax.set_xlim(-10, 10)
ax.legend(loc="lower right")
plt.show()

# %%
print(
    f"{'z':>5s} {'sigma(z)':>10s} {'BCE gradient':>13s} {'squared-error gradient':>23s}"
)
for z_value in (-10.0, -5.0, -2.0, 0.0):
    k = int(np.argmin(np.abs(z_line - z_value)))
    print(
        f"{z_value:5.0f} {p_line[k]:10.6f} {grad_bce_line[k]:13.6f} "
        f"{grad_sq_line[k]:23.6f}"
    )

# %% [markdown]
# How much does it matter in training? A small experiment: logistic regression on 200 seeded
# one-dimensional examples (two Gaussian clusters at $\pm 1.5$), started from a *confidently wrong*
# weight $w = -6$, so that almost every example begins deep in the flat region. Plain gradient
# descent with the same learning rate minimises either the mean BCE or the mean squared error of
# $\sigma(z)$; the table reports accuracy and the mean BCE of both runs as training proceeds.

# %%
n_train = 200
y_train = (rng.random(n_train) < 0.5).astype(float)
x_train = rng.normal(np.where(y_train == 1, 1.5, -1.5), 1.0)
X_train = np.stack([x_train, np.ones(n_train)], axis=1)  # feature and bias
learning_rate, n_steps = 1.0, 3000


def train(loss_kind, start, n_iterations):
    params_t = start.copy()
    history = []
    for _ in range(n_iterations + 1):
        logits_t = X_train @ params_t
        accuracy = float(np.mean((logits_t > 0) == (y_train == 1)))
        history.append(
            (accuracy, float(F.binary_cross_entropy_with_logits(logits_t, y_train)))
        )
        if loss_kind == "BCE":
            grad_z = G.binary_cross_entropy_with_logits_grad(logits_t, y_train)
        else:  # squared error of the probability, through the chain rule
            probs_t = F.sigmoid(logits_t)
            grad_z = G.mse_loss_grad(probs_t, y_train) * probs_t * (1 - probs_t)
        params_t = params_t - learning_rate * X_train.T @ grad_z
    return history, params_t


start = np.array([-6.0, 0.0])
trained = {kind: train(kind, start, n_steps) for kind in ("BCE", "squared error")}
runs = {kind: history for kind, (history, _) in trained.items()}
print(
    f"{'step':>5s} | {'BCE run: acc':>12s} {'BCE':>8s} | "
    f"{'squared-error run: acc':>22s} {'BCE':>8s}"
)
for step in (0, 5, 10, 100, 300, 1000, 3000):
    (a_b, l_b), (a_s, l_s) = runs["BCE"][step], runs["squared error"][step]
    print(f"{step:5d} | {a_b:12.3f} {l_b:8.4f} | {a_s:22.3f} {l_s:8.4f}")
final_accuracy = runs["BCE"][-1][0]
for kind, history in runs.items():
    first = next(
        t for t, (acc, _) in enumerate(history) if acc >= final_accuracy - 0.02
    )
    print(
        f"{kind:14s}: first step within 2 points of the final accuracy "
        f"{final_accuracy:.3f}: {first}"
    )

# %% [markdown]
# Both runs end with about the same accuracy and mean BCE, but the squared-error run spends
# hundreds of steps on the plateau where its gradient is almost zero, while BCE escapes within a
# handful of steps. The same effect, at scale, is why squared-error training of sigmoid and softmax outputs from a random
# initialisation tends to be slower and to get stuck, as {cite:t}`golik2013` found in a careful
# comparison on speech recognition. Squared error is not *wrong* as a measure of calibration (it
# is the Brier score); it is a poor training signal for a saturating output.
#
# (sec-bce-pytorch)=
# ## In PyTorch
#
# PyTorch offers the loss twice {cite:p}`paszke2019`:
#
# | function (module) | `input` | options | computes, per element |
# |---|---|---|---|
# | `binary_cross_entropy` (`nn.BCELoss`) | probabilities in $[0, 1]$ | `weight`, `reduction` | $-w\,[y\max(\log p, -100) + (1-y)\max(\log(1-p), -100)]$ |
# | `binary_cross_entropy_with_logits` (`nn.BCEWithLogitsLoss`) | logits | `weight`, `reduction`, `pos_weight` | $-w\,[\mathrm{pw}\cdot y\log\sigma(z) + (1-y)\log(1-\sigma(z))]$ |
#
# Both take `target` of the same shape as `input`, as floats, and both accept soft targets. The
# default {term}`reduction` `'mean'` averages over *all* elements. The recommendation is simple:
# **give logits to `binary_cross_entropy_with_logits`**, and remove the final sigmoid from the
# model (apply it only when you need probabilities). The rest of this section shows why with numbers.
#
# (sec-bce-clamp)=
# ### The $-100$ clamp of `binary_cross_entropy`
#
# `binary_cross_entropy` receives $p$ and never sees $z$. When $p$ is exactly 0 or 1 the true loss
# is infinite, so PyTorch clamps each logarithm at $-100$ and the loss of one element is at most
# 100 nats. That keeps training from producing `inf`, but it also caps the loss of a mistake that
# deserves more. Take $z = -200$ and $y = 1$: the true loss is $\operatorname{softplus}(200)
# \approx 200$ nats. In float64 $\sigma(-200) \approx 1.4\times10^{-87}$ is representable, its
# logarithm is $-200$, and the clamp turns it into $-100$; in float32 $\sigma(-200)$ underflows to 0
# and the clamp again reports 100.

# %%
print(
    f"{'z':>6s} {'dtype':>8s} {'sigma(z)':>11s} "
    f"{'binary_cross_entropy(sigmoid(z), 1)':>36s} "
    f"{'..._with_logits(z, 1)':>22s}"
)
for dtype in (np.float64, np.float32):
    for z_value in (-20.0, -50.0, -100.0, -200.0, -800.0):
        z_arr = np.array([z_value], dtype=dtype)
        one = np.ones_like(z_arr)
        prob = F.sigmoid(z_arr)
        clamped = float(F.binary_cross_entropy(prob, one))
        with_logits = float(F.binary_cross_entropy_with_logits(z_arr, one))
        print(
            f"{z_value:6.0f} {np.dtype(dtype).name:>8s} {float(prob[0]):11.3e} "
            f"{clamped:36.6f} "
            f"{with_logits:22.6f}"
        )
z200 = np.array([-200.0])
assert float(F.binary_cross_entropy(F.sigmoid(z200), np.ones(1))) == 100.0
assert np.isclose(float(F.binary_cross_entropy_with_logits(z200, np.ones(1))), 200.0)

# %% [markdown]
# The gradient tells the same story. Through the probability, the gradient with respect to $z$ is
# $\partial\ell/\partial p \cdot \sigma'(z)$, and with $p \approx 10^{-87}$ the factor $\sigma'(z)$
# makes it vanish (PyTorch's backward formula divides by $\max(p(1-p), 10^{-12})$, so the
# cancellation of {ref}`sec-bce-gradient` cannot happen); with logits it is $\sigma(z) - 1 \approx
# -1$:

# %%
p200 = F.sigmoid(z200)
grad_via_p = G.binary_cross_entropy_grad(p200, np.ones(1)) * p200 * (1 - p200)
grad_via_z = G.binary_cross_entropy_with_logits_grad(z200, np.ones(1))
print(
    "z = -200, y = 1: d loss/dz through binary_cross_entropy(sigmoid(z)): "
    f"{float(grad_via_p[0]):.3e}"
)
print(
    "                 d loss/dz of binary_cross_entropy_with_logits(z):    "
    f"{float(grad_via_z[0]):.6f}"
)

# %% [markdown]
# So `binary_cross_entropy_with_logits` is preferred for four reasons: its loss is exact far beyond
# 100 nats, it never overflows or underflows on the way (the stable form above), its gradient
# $\sigma(z) - y$ is computed without dividing by a vanishing $p(1-p)$, and it is one fused
# operation. (PyTorch evaluates it as $(1 - y)z - \log\sigma(z)$ with a stable $\log\sigma$, equal
# to the piecewise form; chapter {doc}`07-numerical-stability` compares their rounding in
# {ref}`sec-stability-tiny`.)
#
# (sec-bce-pos-weight)=
# ### `pos_weight` for imbalanced data
#
# When positives are rare, say 5% of the data, a model can reach a low mean BCE by predicting
# small probabilities everywhere. The {term}`pos_weight` option multiplies the loss of every
# *positive* element by a factor $\mathrm{pw}$:
#
# $$
# \ell(z, y) = -\big[\mathrm{pw}\cdot y\log\sigma(z) + (1 - y)\log\big(1 - \sigma(z)\big)\big],
# \qquad
# \frac{\partial\ell}{\partial z} = (1 - y)\,\sigma(z) - \mathrm{pw}\cdot y\,\big(1 - \sigma(z)\big).
# $$
#
# What balance does it strike? Consider the simplest model, one constant logit $z$ for a data set
# of $n_+$ positives and $n_-$ negatives. The total loss is
# $\mathrm{pw}\,n_+\operatorname{softplus}(-z) + n_-\operatorname{softplus}(z)$; SymPy finds its
# minimiser:

# %%
n_pos, n_neg, pw = sp.symbols("n_+ n_- pw", positive=True)
total_loss = pw * n_pos * sym.softplus(-z) + n_neg * sym.softplus(z)
(z_star,) = sp.solve(sp.diff(total_loss, z), z)
display(Math(r"z^{*} = " + sp.latex(z_star)))
p_star = sp.simplify(sym.sigmoid(z_star))
display(Math(r"\sigma(z^{*}) = " + sp.latex(p_star)))
assert sp.simplify(p_star - pw * n_pos / (pw * n_pos + n_neg)) == 0
assert sp.diff(total_loss, z, 2).subs(z, z_star).simplify().is_positive
balanced = sp.simplify(p_star.subs(pw, n_neg / n_pos))
assert balanced == sp.Rational(1, 2)
print("with pw = n_-/n_+ the best constant prediction is", balanced)

# %% [markdown]
# Without the weight ($\mathrm{pw} = 1$) the best constant prediction is the base rate
# $n_+/(n_+ + n_-)$, as maximum likelihood should give. With $\mathrm{pw} = n_-/n_+$ it is $1/2$:
# the positives now carry the same total weight as the negatives. At $z = 0$ each positive pulls
# with $-\mathrm{pw}/2$ and each negative with $+1/2$, so the two classes' total gradients are
# $-\mathrm{pw}\,n_+/2$ and $n_-/2$, equal exactly when $\mathrm{pw} = n_-/n_+$. The price is
# calibration: the model now estimates odds multiplied by $\mathrm{pw}$, and $\sigma(z - \log
# \mathrm{pw})$ recovers a probability ({ref}`ex-bce-2`).
#
# On an imbalanced example (1000 seeded points, about 5% positive, one feature), we fit logistic
# regression to convergence with and without `pos_weight`, using `lossbook` for the loss and its
# gradient, and compare:

# %%
n_imb = 1000
y_imb = (rng.random(n_imb) < 0.05).astype(float)
x_imb = rng.normal(np.where(y_imb == 1, 1.5, -0.5), 1.0)
X_imb = np.stack([x_imb, np.ones(n_imb)], axis=1)
n_pos_value, n_neg_value = int(y_imb.sum()), int(n_imb - y_imb.sum())
pos_weight_value = n_neg_value / n_pos_value


def fit_logistic(pos_weight):
    pw_arr = None if pos_weight is None else np.array(pos_weight)

    def loss_and_grad(params_f):
        logits_f = X_imb @ params_f
        loss = float(
            F.binary_cross_entropy_with_logits(logits_f, y_imb, pos_weight=pw_arr)
        )
        grad = X_imb.T @ G.binary_cross_entropy_with_logits_grad(
            logits_f, y_imb, pos_weight=pw_arr
        )
        return loss, grad

    fit = scipy.optimize.minimize(
        loss_and_grad, np.zeros(2), jac=True, method="BFGS", options={"gtol": 1e-10}
    )
    return X_imb @ fit.x


print(
    f"positives: {n_pos_value}, negatives: {n_neg_value}, "
    f"pos_weight = n_neg/n_pos = {pos_weight_value:.3f}"
)
at_zero = G.binary_cross_entropy_with_logits_grad(
    np.zeros(n_imb), y_imb, reduction="sum", pos_weight=np.array(pos_weight_value)
)
print(
    f"at z = 0: total gradient of the positives {at_zero[y_imb == 1].sum():.3f}, "
    f"of the negatives {at_zero[y_imb == 0].sum():.3f}"
)
print(
    f"{'':22s} {'mean sigma(z)':>13s} {'recall':>7s} {'precision':>9s} "
    f"{'accuracy':>8s} "
    f"{'mean sigma(z - log pw)':>22s}"
)
for name, pos_weight in (
    ("no pos_weight", None),
    ("pos_weight = n-/n+", pos_weight_value),
):
    logits_fit = fit_logistic(pos_weight)
    predicted = logits_fit > 0
    recall = float(np.mean(predicted[y_imb == 1]))
    precision = (
        float(np.mean(y_imb[predicted] == 1)) if predicted.any() else float("nan")
    )
    accuracy = float(np.mean(predicted == (y_imb == 1)))
    shift = 0.0 if pos_weight is None else math.log(pos_weight)
    print(
        f"{name:22s} {float(F.sigmoid(logits_fit).mean()):13.4f} {recall:7.3f} "
        f"{precision:9.3f} {accuracy:8.3f} "
        f"{float(F.sigmoid(logits_fit - shift).mean()):22.4f}"
    )
print(f"base rate n_+/N = {n_pos_value / n_imb:.4f}")

# %% [markdown]
# Without the weight the model is calibrated (its mean predicted probability matches the base
# rate, the property of maximum likelihood with a bias term met in chapter
# {doc}`03-negative-log-likelihood`) but at the threshold 0.5 it misses most positives. With
# `pos_weight` it finds most of them, at the cost of many false alarms and a mean prediction far
# above the base rate; shifting the logit by $\log\mathrm{pw}$ brings the probabilities back near
# the base rate. Whether that trade is right depends on what a missed positive costs; moving the
# decision threshold of the unweighted model is often an equally good alternative, and the focal
# loss {cite:p}`lin2017` is another. For multi-label data `pos_weight` has one entry per label
# (shape $(C,)$, broadcast over the batch), typically $n_{-,c}/n_{+,c}$ for label $c$.
#
# (sec-bce-weight)=
# ### `weight`: one factor per element
#
# `weight` multiplies each element's loss, broadcasting against the input: a tensor of the input's
# shape weighs examples, a tensor of shape $(C,)$ for an $(N, C)$ input weighs labels. Unlike the
# class weights of `cross_entropy` ({ref}`sec-ce-weight`), the `'mean'` reduction is the plain
# mean of the weighted losses: it divides by the number of elements, not by the sum of the
# weights. The cell shows the difference on four examples, one of them switched off with weight 0:

# %%
z_w = np.array([1.2, -0.4, 2.5, -3.0])
y_w = np.array([1.0, 1.0, 0.0, 0.0])
weight_w = np.array([1.0, 2.0, 5.0, 0.0])
per_element = bce_logits_none(z_w, y_w)
weighted_mean = float(F.binary_cross_entropy_with_logits(z_w, y_w, weight=weight_w))
assert np.isclose(weighted_mean, np.mean(weight_w * per_element), rtol=1e-12)
print(f"per-element losses:          {per_element}")
print(f"F...(weight=w), 'mean':      {weighted_mean:.6f}")
print(f"mean of w * loss:            {np.mean(weight_w * per_element):.6f}")
print(
    "sum(w * loss) / sum(w):      "
    f"{np.sum(weight_w * per_element) / weight_w.sum():.6f}  (not what 'mean' does)"
)

# %% [markdown]
# (sec-bce-multilabel)=
# ## Multi-label classification: one sigmoid per label
#
# In {term}`multi-label classification` an example can carry several labels at once, or none: a
# photo may show a cat *and* a dog *and* be taken outdoors. The model outputs one logit per label,
# and each label is its own yes-or-no question with its own sigmoid and BCE. The labels are modelled
# as independent given the input, so the negative log-likelihood of a whole label vector is the sum
# of the per-label BCEs. `binary_cross_entropy_with_logits` on an $(N, C)$ input does exactly this,
# with `'mean'` averaging over all $N \cdot C$ elements (so it is the mean of the per-example sums,
# divided by $C$):

# %%
labels = ["cat", "dog", "outdoor"]
Y_multi = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 0], [0, 1, 1]], dtype=float)
Z_multi = np.round(rng.normal(0, 2, size=(4, 3)), 2)
mean_all = float(F.binary_cross_entropy_with_logits(Z_multi, Y_multi))
per_example = bce_logits_none(Z_multi, Y_multi).sum(axis=1)
per_label = [
    float(F.binary_cross_entropy_with_logits(Z_multi[:, c], Y_multi[:, c]))
    for c in range(3)
]
assert np.isclose(mean_all, per_example.mean() / 3) and np.isclose(
    mean_all, np.mean(per_label)
)
print("targets (cat, dog, outdoor):\n", Y_multi)
print("predicted probabilities sigma(z):\n", F.sigmoid(Z_multi))
print(f"'mean' over the 12 elements: {mean_all:.6f}")
print(f"mean over examples of the per-example sum / 3: {per_example.mean() / 3:.6f}")
print(f"mean of the three per-label BCEs: {np.mean(per_label):.6f}")

# %% [markdown]
# Why not one softmax over the three labels? A softmax makes the probabilities compete: they sum to
# 1, so the model cannot say "cat: 0.95 *and* dog: 0.95", and it has no way to say "none of them".
# If we normalise the multi-hot target $(1, 1, 0)$ to $(\frac12, \frac12, 0)$, the best a softmax
# can do is predict exactly that, at a cross-entropy of $\log 2$; the sigmoids can drive every
# label's loss towards 0:

# %%
target_two = np.array([[0.5, 0.5, 0.0]])
confident = np.array([[6.0, 6.0, -6.0]])
best_softmax = float(info.entropy(target_two[0]))
softmax_at_best = float(
    F.cross_entropy(np.log(np.array([[0.5, 0.5, 1e-300]])), target_two)
)
sigmoid_confident = float(
    F.binary_cross_entropy_with_logits(
        confident, np.array([[1.0, 1.0, 0.0]]), reduction="sum"
    )
)
print(
    f"softmax + cross-entropy, target (1/2, 1/2, 0): best possible {best_softmax:.6f} "
    "nats "
    f"(reached: {softmax_at_best:.6f})"
)
print(
    f"sigmoids + BCE, logits (6, 6, -6), target (1, 1, 0): {sigmoid_confident:.6f} "
    "nats (sum over labels)"
)
print(
    f"sum of the sigmoid probabilities: {float(F.sigmoid(confident).sum()):.4f} (not a "
    "distribution)"
)

# %% [markdown]
# When is each right?
#
# - **Exactly one class is true** (mutually exclusive, exhaustive classes: digits, species, the next
#   word): one softmax with cross-entropy. The probabilities form a distribution, raising one
#   lowers the others through the shared normaliser, and the argmax is the decision.
# - **Any subset of the labels may be true**, including none (tags, attributes, diseases on one
#   scan, objects present in an image): one sigmoid per label with BCE. Each label gets its own
#   calibrated probability and its own decision threshold; `pos_weight` and `weight` may differ per
#   label.
# - **Two classes**: either, since a one-logit sigmoid and a two-logit softmax are the same model
#   ({ref}`sec-bce-two-class`).
#
# Independent sigmoids on exclusive classes are not a disaster (each still estimates "is it this
# class?"), but their probabilities need not sum to 1, as the cell above shows; a softmax on
# multi-label data is a modelling error that no amount of training fixes.
#
# (sec-bce-mistakes)=
# ## Mistakes, reproduced
#
# ### Swapped arguments
#
# The signature is `binary_cross_entropy(input, target)`: prediction first. Swapping them,
# `binary_cross_entropy(y, p)`, raises no error when both are in $[0, 1]$. The 0/1 labels become the
# "probabilities", whose logarithms are $0$ or $\log 0$ clamped at $-100$, so the loss becomes
# $100\,|y - p|$ per element: a scaled absolute error, not BCE. If the model outputs logits and the
# call is `binary_cross_entropy(y, z)`, the logits land in `target` and values outside $[0, 1]$ are
# rejected. With `binary_cross_entropy_with_logits(y, z)` nothing is checked, the labels act as
# logits, and the "loss" can even be negative:

# %%
p_swap = np.array([0.9, 0.6, 0.2, 0.05])
y_swap = np.array([1.0, 1.0, 0.0, 0.0])
right = F.binary_cross_entropy(p_swap, y_swap, reduction="none")
swapped = F.binary_cross_entropy(y_swap, p_swap, reduction="none")
assert np.allclose(swapped, 100 * np.abs(y_swap - p_swap))
print(f"p = {p_swap}, y = {y_swap}")
print(f"binary_cross_entropy(p, y): {right}")
print(f"binary_cross_entropy(y, p): {swapped}   = 100 |y - p|")
z_swap = np.array([2.0, -1.0, 3.0, -2.5])
try:
    F.binary_cross_entropy(y_swap, z_swap)
    print("binary_cross_entropy(y, z): no error")
except (ValueError, RuntimeError) as error:
    print(f"binary_cross_entropy(y, z) raises {type(error).__name__}: {error}")
swapped_logits = F.binary_cross_entropy_with_logits(y_swap, z_swap, reduction="none")
print(f"binary_cross_entropy_with_logits(y, z), per element: {swapped_logits}")
assert swapped_logits.min() < 0

# %% [markdown]
# A negative BCE, or a loss that is a multiple of 100 or stuck near one, is worth a look at the
# argument order.
#
# ### Probabilities given to the with-logits function
#
# A model that ends in `nn.Sigmoid` and is trained with `nn.BCEWithLogitsLoss` applies the sigmoid
# twice: the loss sees $\sigma(p)$ with $p = \sigma(z) \in (0, 1)$, so its "probability" is confined
# to $(\sigma(0), \sigma(1)) = (0.5, 0.731)$. No prediction can be confidently negative, and the
# loss has a floor: $-\log\sigma(1) = \operatorname{softplus}(-1)$ for a positive and $\log 2$ for a
# negative, however good the model. SymPy computes the two limits, `lossbook` confirms them with
# saturated logits, and the floor for a data set is the mixture of the two:

# %%
floor_pos = sp.limit(sym.bce_with_logits(sym.sigmoid(z), 1), z, sp.oo)
floor_neg = sp.limit(sym.bce_with_logits(sym.sigmoid(z), 0), z, -sp.oo)
assert sp.simplify(floor_pos - sym.softplus(-1)) == 0 and floor_neg == sp.log(2)
display(
    Math(r"\text{floor}_{y=1} = " + sp.latex(floor_pos)),
    Math(r"\text{floor}_{y=0} = " + sp.latex(floor_neg)),
)
z_sat = np.array([40.0, -40.0])
double = bce_logits_none(F.sigmoid(z_sat), np.array([1.0, 0.0]))
print(
    f"perfect logits (+40 for y = 1, -40 for y = 0): loss {double} "
    f"(floors {float(floor_pos):.6f}, {float(floor_neg):.6f})"
)
print(
    "sigma(sigma(z)) ranges over "
    f"({float(F.sigmoid(F.sigmoid(np.array([-40.0])))[0]):.4f}, "
    f"{float(F.sigmoid(F.sigmoid(np.array([40.0])))[0]):.4f})"
)
for share in (0.5, 0.05):
    print(
        f"floor of the mean loss with {share:.0%} positives: "
        f"{share * float(floor_pos) + (1 - share) * float(floor_neg):.6f} nats"
    )

# %% [markdown]
# Worse than the floor, the gradient $\big(\sigma(\sigma(z)) - y\big)\,\sigma'(z)$ carries the
# factor $\sigma'(z)$ again, so confident mistakes are hardly corrected, as with squared error; and
# a correct, confident negative keeps being pushed, since its loss can never drop below $\log 2$.
# Training often "works" (the ranking of the examples can still be learnt), which makes the
# mistake easy to miss; the loss stalls at the floor, and the sigmoid outputs are not
# probabilities.
#
# ### A sigmoid applied twice at prediction time
#
# The same double sigmoid also appears at inference: the model already returns probabilities and
# the evaluation code applies `torch.sigmoid` once more before thresholding at 0.5. Since
# $\sigma(p) > 0.5$ for every $p > 0$, **every** example is then classified as positive, and the
# accuracy equals the share of positives. On the logistic regression trained with BCE above:

# %%
logits_trained = X_train @ trained["BCE"][1]
probabilities_trained = F.sigmoid(logits_trained)
double_sigmoid = F.sigmoid(probabilities_trained)
print(
    "accuracy with sigmoid(z) > 0.5:          "
    f"{np.mean((probabilities_trained > 0.5) == (y_train == 1)):.3f}"
)
print(
    "accuracy with sigmoid(sigmoid(z)) > 0.5: "
    f"{np.mean((double_sigmoid > 0.5) == (y_train == 1)):.3f}"
)
print(f"share of positives in the data:          {y_train.mean():.3f}")
print(
    f"range of sigmoid(sigmoid(z)) on the data: [{double_sigmoid.min():.4f}, "
    f"{double_sigmoid.max():.4f}]"
)
print(
    "mean BCE of the right probabilities: "
    f"{float(F.binary_cross_entropy(probabilities_trained, y_train)):.6f}, "
    "of the doubly squashed ones: "
    f"{float(F.binary_cross_entropy(double_sigmoid, y_train)):.6f} nats"
)

# %% [markdown]
# A rule of thumb avoids all three mistakes: the model returns logits, the loss is
# `binary_cross_entropy_with_logits(logits, targets)`, and a sigmoid is applied exactly once,
# outside the loss, only where a probability is wanted.
#
# (sec-bce-summary)=
# ## Summary
#
# - BCE $= -[y\log p + (1-y)\log(1-p)]$ is the negative log-likelihood of a Bernoulli variable and
#   the cross-entropy between the two-outcome distributions $(1-y, y)$ and $(1-p, p)$ (SymPy:
#   proved for symbolic $p$ and $y$).
# - $\operatorname{softmax}(z, 0) = (\sigma(z), \sigma(-z))$, so a two-class softmax with
#   cross-entropy is a sigmoid with BCE (proved symbolically, checked with `F.cross_entropy`).
# - With logits, $\ell = \operatorname{softplus}(z) - yz = \max(z, 0) - yz + \log(1 + e^{-|z|})$
#   (proved on each branch $z > 0$, $z < 0$ and at $z = 0$); the textbook recipe overflows, and
#   returns 0 or `inf` where it should not.
# - $\partial\ell/\partial z = \sigma(z) - y$ and $\partial^2\ell/\partial z^2 = \sigma(z)(1 -
#   \sigma(z)) \in (0, \frac14]$: convex in the logit (derived by `sym.derived`, checked by finite
#   differences). Squared error on a sigmoid has the extra factor $\sigma(1 - \sigma)$ and stalls on
#   confident mistakes.
# - Prefer `binary_cross_entropy_with_logits`: `binary_cross_entropy` clamps each log at $-100$
#   (100 nats instead of 200 at $z = -200$) and its gradient vanishes there.
# - `pos_weight` $= n_-/n_+$ balances the total pull of positives and negatives (the best constant
#   prediction becomes $1/2$) at the cost of calibration; `weight` scales elements and `'mean'`
#   still divides by their number.
# - Multi-label: one sigmoid and BCE per label; exclusive classes: one softmax and cross-entropy.
#
# ## Exercises
#
# ```{exercise} Soft targets
# :label: ex-bce-1
# Let the target be a probability $y \in (0, 1)$. Show with SymPy that $\ell(p, y) = -[y\log p +
# (1-y)\log(1-p)]$ has its only stationary point in $(0, 1)$ at $p = y$, that it is a minimum, and
# that the minimum value is the binary entropy $H_b(y) = -y\log y - (1-y)\log(1-y)$. Show that the
# excess $\ell(p, y) - H_b(y)$ is the KL divergence between Bernoulli($y$) and Bernoulli($p$).
# Compute the minimum for $y = 0.9$ and $y = 0.5$ and check it with `F.binary_cross_entropy` and
# `info.entropy`. Why does a training loss with soft targets never reach 0?
# ```
#
# ```{solution-start} ex-bce-1
# :class: dropdown
# ```
#
# $\partial\ell/\partial p = (p - y)/(p(1-p))$ vanishes only at $p = y$, and the second derivative
# $y/p^2 + (1-y)/(1-p)^2$ is positive. Substituting $p = y$ gives $H_b(y)$, and $\ell(p, y) -
# H_b(y) = y\log\frac{y}{p} + (1-y)\log\frac{1-y}{1-p} = D_{\mathrm{KL}}$ {cite:p}`cover2006`.

# %%
y_soft = sp.Symbol("y", positive=True)
loss_soft = sym.bce(p, y_soft)
assert sp.solve(sp.diff(loss_soft, p), p) == [y_soft]
second_soft = sp.diff(loss_soft, p, 2)
sym.check_identity(
    second_soft, y_soft / p**2 + (1 - y_soft) / (1 - p) ** 2
).assert_proved()
binary_entropy = sym.entropy([y_soft, 1 - y_soft])
sym.check_identity(loss_soft.subs(p, y_soft), binary_entropy).assert_proved()
# Splitting the logs (force=True) is valid here: p, y, 1 - p and 1 - y are all
# positive on (0, 1).
excess = sp.expand_log(loss_soft - binary_entropy, force=True)
kl_bernoulli = sp.expand_log(
    sym.kl_divergence([y_soft, 1 - y_soft], [p, 1 - p]), force=True
)
sym.check_identity(excess, kl_bernoulli).assert_proved()
print("stationary point p = y; minimum H_b(y); excess = KL(Bern(y) || Bern(p)): proved")
for y_value in (0.9, 0.5):
    at_minimum = float(F.binary_cross_entropy(np.array([y_value]), np.array([y_value])))
    entropy_value = float(info.entropy(np.array([y_value, 1 - y_value])))
    print(
        f"y = {y_value}: min BCE = {at_minimum:.6f} nats, H_b(y) = {entropy_value:.6f} "
        "nats"
    )

# %% [markdown]
# The loss with soft targets bottoms out at the entropy of the targets: only the KL part can be
# trained away. Monitor $\ell - H_b(y)$ if you want a quantity that goes to 0.
#
# ```{solution-end}
# ```
#
# ```{exercise} Undoing pos_weight
# :label: ex-bce-2
# A data set has 30 positives and 970 negatives. (a) What is the best constant predicted
# probability for the plain mean BCE, and for `pos_weight` $= n_-/n_+$? Confirm both by minimising
# `F.binary_cross_entropy_with_logits` over a constant logit with `scipy.optimize.minimize_scalar`.
# (b) Show that a model trained with `pos_weight` $= \mathrm{pw}$ estimates the odds multiplied by
# $\mathrm{pw}$, so that $\sigma(z - \log\mathrm{pw})$ is the calibrated probability, and check it on
# the constant model.
# ```
#
# ```{solution-start} ex-bce-2
# :class: dropdown
# ```
#
# From {ref}`sec-bce-pos-weight`, $\sigma(z^*) = \mathrm{pw}\,n_+/(\mathrm{pw}\,n_+ + n_-)$, so
# the odds are $\sigma(z^*)/(1 - \sigma(z^*)) = e^{z^*} = \mathrm{pw}\cdot n_+/n_-$: pw times the
# true odds. Dividing the odds by pw means subtracting $\log\mathrm{pw}$ from the logit. The same
# holds pointwise for a flexible model, whose optimum at each input is the weighted constant
# optimum of the examples there.

# %%
y_const = np.r_[np.ones(30), np.zeros(970)]
for pw_value in (1.0, 970 / 30):
    best = scipy.optimize.minimize_scalar(
        lambda c: float(
            F.binary_cross_entropy_with_logits(
                np.full(y_const.size, c), y_const, pos_weight=np.array(pw_value)
            )
        ),
        bounds=(-10, 10),
        method="bounded",
        options={"xatol": 1e-10},
    )
    formula = pw_value * 30 / (pw_value * 30 + 970)
    calibrated = float(F.sigmoid(np.array([best.x - math.log(pw_value)]))[0])
    print(
        f"pw = {pw_value:7.3f}: best sigma(z) = "
        f"{float(F.sigmoid(np.array([best.x]))[0]):.6f} "
        f"(formula {formula:.6f}); sigma(z - log pw) = {calibrated:.6f}"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Where does the clamp start?
# :label: ex-bce-3
# For $y = 1$, find (to 0.01) the logit below which `F.binary_cross_entropy(F.sigmoid(z), y)`
# stops agreeing with `F.binary_cross_entropy_with_logits(z, y)`, in float64 and in float32.
# Explain each threshold: which of the clamp at $-100$ and the underflow of $\sigma(z)$ acts
# first in each format? Which of the two is the relevant limit for a model trained in float16,
# whose smallest positive number is about $6\times10^{-8}$?
# ```
#
# ```{solution-start} ex-bce-3
# :class: dropdown
# ```
#
# In float64, $\sigma(z) \approx e^{z}$ stays representable far below $z = -100$ (down to about
# $-745$), so the clamp is what bites, at $\log\sigma(z) = -100$, i.e. $z \approx -100$. In
# float32, $\sigma(z)$ becomes subnormal below about $z = -87.3$ and loses relative accuracy, and
# becomes 0 below about $z = -103.3$; the clamp at $-100$ acts in between, near $z = -100$. In
# float16, $\sigma(z)$ underflows already near $z = -17$, long before the clamp: the loss saturates
# at 100 there (PyTorch's CUDA autocast therefore refuses `binary_cross_entropy` and asks for the
# logit version).

# %%
for dtype in (np.float64, np.float32):
    z_scan = np.arange(-120, -80, 0.01).astype(dtype)
    ones_scan = np.ones_like(z_scan)
    clamped = F.binary_cross_entropy(
        F.sigmoid(z_scan), ones_scan, reduction="none"
    ).astype(np.float64)
    exact_scan = F.binary_cross_entropy_with_logits(
        z_scan, ones_scan, reduction="none"
    ).astype(np.float64)
    differs = np.abs(clamped - exact_scan) > 1e-3 * exact_scan
    threshold = float(z_scan[~differs].min())
    print(
        f"{np.dtype(dtype).name}: agreement (to 0.1%) down to z = {threshold:.2f}; "
        f"loss there {exact_scan[~differs][0]:.3f} nats; smallest positive normal "
        "sigma reached at "
        f"z = {float(np.log(np.finfo(dtype).tiny)):.2f}"
    )
print(
    "float16: log of the smallest positive subnormal = "
    f"{float(np.log(np.float64(2.0**-24))):.2f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Logistic regression is convex
# :label: ex-bce-4
# For logistic regression, $z_n = \tilde x_n^\top \theta$ with $\tilde x_n = (x_n, 1)$, show that
# the Hessian of the mean BCE with respect to $\theta$ is
# $H = \frac1N\sum_n \sigma(z_n)(1 - \sigma(z_n))\,\tilde x_n\tilde x_n^\top$, that it is positive
# semidefinite, and that its largest eigenvalue is at most $\frac14\lambda_{\max}\big(\frac1N
# \sum_n \tilde x_n\tilde x_n^\top\big)$. Compute $H$ at $\theta = (1, 0)$ for the training data
# of {ref}`sec-bce-vs-mse`, check it against finite differences of `G.binary_cross_entropy_with_logits_grad`,
# and print its eigenvalues and the bound. What does the bound say about a safe learning rate for
# gradient descent?
# ```
#
# ```{solution-start} ex-bce-4
# :class: dropdown
# ```
#
# By the chain rule, $\nabla_\theta = \frac1N\sum_n(\sigma(z_n) - y_n)\tilde x_n$ and
# $\nabla^2_\theta = \frac1N\sum_n\sigma'(z_n)\tilde x_n\tilde x_n^\top$. For any vector $v$,
# $v^\top H v = \frac1N\sum_n\sigma'(z_n)(\tilde x_n^\top v)^2 \ge 0$, and $\sigma' \le \frac14$
# gives $v^\top H v \le \frac14 v^\top(\frac1N\sum_n\tilde x_n\tilde x_n^\top)v$. Gradient descent
# on a function whose curvature is at most $L$ is stable for learning rates below $2/L$; the bound
# gives such an $L$ without computing any Hessian.

# %%
theta = np.array([1.0, 0.0])
z_theta = X_train @ theta
s_theta = F.sigmoid(z_theta)
hessian = (X_train * (s_theta * (1 - s_theta))[:, None]).T @ X_train / n_train


def mean_bce_grad(theta_value):
    return X_train.T @ G.binary_cross_entropy_with_logits_grad(
        X_train @ theta_value, y_train
    )


hessian_fd = np.stack(
    [
        G.numerical_gradient(lambda t: float(mean_bce_grad(t)[j]), theta)
        for j in range(2)
    ]
)
assert np.allclose(hessian, hessian_fd, rtol=1e-5, atol=1e-8)
eigenvalues = np.linalg.eigvalsh(hessian)
bound = 0.25 * np.linalg.eigvalsh(X_train.T @ X_train / n_train).max()
print("Hessian:\n", hessian)
print(
    f"agrees with finite differences: True;  eigenvalues {eigenvalues};  bound "
    f"{bound:.6f}"
)
print(
    f"learning rates below 2 / bound = {2 / bound:.3f} are safe for the whole training "
    "run"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} How many labels can a softmax express?
# :label: ex-bce-5
# An example carries $k$ of $C$ labels. (a) If the multi-hot target is normalised to put $1/k$ on
# each of its labels, what is the smallest cross-entropy a softmax model can reach, and for which
# prediction? Compute it for $k = 1, 2, 5$. (b) What is the smallest sum of per-label BCEs that
# sigmoids can reach? (c) A model trained with the softmax predicts $(0.5, 0.5, 0)$ for an image with a
# cat and a dog. Can you tell this prediction apart from "either a cat or a dog, not sure which"?
# What does that mean for deciding which labels to output?
# ```
#
# ```{solution-start} ex-bce-5
# :class: dropdown
# ```
#
# (a) By Gibbs' inequality the cross-entropy is smallest when the prediction equals the normalised
# target, and the minimum is its entropy, $\log k$. (b) 0, approached as each logit goes to
# $\pm\infty$ in the right direction. (c) No: the softmax output is the same for "both" and
# "one of the two", so a softmax cannot separate co-occurrence from uncertainty, and no single
# threshold turns its probabilities into label sets; sigmoids give each label its own probability.

# %%
for k in (1, 2, 5):
    target_k = np.r_[np.full(k, 1 / k), np.zeros(6 - k)][None, :]
    best_logits = np.log(np.where(target_k > 0, target_k, 1e-300))
    print(
        f"k = {k}: best softmax cross-entropy "
        f"{float(F.cross_entropy(best_logits, target_k)):.6f} "
        f"nats, log k = {math.log(k):.6f}"
    )
logits_k = np.array([[20.0, 20.0, -20.0]])
bce_sum_k = float(
    F.binary_cross_entropy_with_logits(
        logits_k, np.array([[1.0, 1.0, 0.0]]), reduction="sum"
    )
)
print(f"sigmoids, logits (20, 20, -20): sum of BCEs = {bce_sum_k:.3e} nats")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} The swapped loss is an absolute error
# :label: ex-bce-6
# Prove that `binary_cross_entropy(y, p)`, with the labels $y \in \{0, 1\}$ as input and the
# predictions $p \in [0, 1]$ as target, equals $100\,|y - p|$. What does minimising this loss
# over $p$ do for a group of examples with the same input, a fraction $\pi$ of which are positive,
# compared with the correct BCE?
# ```
#
# ```{solution-start} ex-bce-6
# :class: dropdown
# ```
#
# With input $y = 1$: $-(p\log 1 + (1-p)\max(\log 0, -100)) = 100(1-p)$; with input $y = 0$:
# $-(p\max(\log 0, -100) + (1-p)\log 1) = 100p$. Both are $100|y - p|$. For a group with a
# fraction $\pi$ of positives the mean swapped loss is $100[\pi(1 - p) + (1 - \pi)p]$, linear in
# $p$: its minimum is at $p = 1$ if $\pi > \frac12$ and $p = 0$ if $\pi < \frac12$. The swapped loss
# pushes predictions to 0 or 1 (a median, not a mean), while BCE's minimum is $p = \pi$, a
# calibrated probability.

# %%
pi_value = 0.3
p_grid_swap = np.linspace(0, 1, 101)
group = np.r_[np.ones(3), np.zeros(7)]
swapped_group = [
    float(F.binary_cross_entropy(group, np.full(10, pv))) for pv in p_grid_swap
]
right_group = [
    float(F.binary_cross_entropy(np.full(10, pv), group)) for pv in p_grid_swap
]
print(
    f"pi = {pi_value}: swapped loss minimised at p = "
    f"{p_grid_swap[np.argmin(swapped_group)]:.2f}; "
    f"BCE minimised at p = {p_grid_swap[np.argmin(right_group)]:.2f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`goodfellow2016`, section 6.2.2.2, derive the sigmoid output unit with the Bernoulli
#   log-likelihood and explain why the logarithm undoes the saturation of the sigmoid.
# - {cite:t}`bishop2006`, sections 4.3.2 and 4.3.3, treat logistic regression, its gradient
#   $\sum_n(\sigma_n - y_n)x_n$ and its positive semidefinite Hessian.
# - {cite:t}`golik2013` compare cross-entropy and squared-error training of neural networks, in
#   theory and in experiments.
# - {cite:t}`cover2006`, chapter 2, define the binary entropy and the relative entropy used in the
#   exercises.
# - {cite:t}`lin2017` propose the focal loss, a modified BCE for extreme class imbalance.
# - {cite:t}`paszke2019` describe PyTorch, whose `binary_cross_entropy` and
#   `binary_cross_entropy_with_logits` semantics `lossbook.functional` reproduces.
