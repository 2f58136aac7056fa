# %% [markdown]
# # A gallery of mistakes
#
# This chapter is for the day training misbehaves. The loss is usually the first number people
# look at, and often the only one. The mistakes collected here have two things in common: almost
# none of them raises an error, and each one leaves a recognisable mark on the numbers. The
# loss stalls at a value that depends only on the number of classes, or takes a sign it cannot
# have, or differs from your own computation by a factor that is exactly the number of classes.
# We call such a mark the mistake's **fingerprint**. A fingerprint can be checked in a minute,
# with the numbers you already have.
#
# Every entry has the same four parts:
#
# - **Symptom**: what you see in a training run;
# - **Fingerprint**: the number that identifies the mistake, computed here with
#   `lossbook.functional`, which reproduces `torch.nn.functional` (the calls in this chapter are
#   the ones you would write after `import torch.nn.functional as F`);
# - **Why**: where the number comes from, derived with SymPy and checked against `lossbook`;
# - **Fix**: the correct call, and the same numbers once it is fixed.
#
# Several of these mistakes first appear in the chapters that introduce each loss, where they
# help explain how the loss works: chapters {doc}`02-cross-entropy`,
# {doc}`03-negative-log-likelihood`, {doc}`04-binary-cross-entropy`, {doc}`05-kl-divergence`,
# {doc}`06-cosine-similarity` and {doc}`07-numerical-stability`. This chapter is the reference
# you consult when something goes wrong. Each entry links back to the fuller explanation.
#
# **In this chapter** you will
#
# - find a symptom in one table and go to its entry;
# - compute the fingerprint of each mistake (the double softmax, probabilities or logits in
#   `nll_loss`, `kl_div` with probabilities, swapped arguments or `reduction='mean'`,
#   distillation without its $T^2$, the label-smoothing floor, weighted and ignored targets, the
#   class dimension, swapped or doubled sigmoids in BCE, and zero vectors in cosine losses) and
#   derive it with SymPy;
# - turn the fingerprints into cheap checks for a training loop.
#
# **You need**
#
# - the losses of {doc}`02-cross-entropy` to {doc}`06-cosine-similarity`, and their PyTorch
#   options (`reduction`, `weight`, `ignore_index`, `label_smoothing`, `log_target`, `eps`).

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
import sympy as sp
from IPython.display import Math, display

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
# (sec-mistakes-table)=
# ## Find your symptom
#
# $C$ is the number of classes, $N$ the number of examples in the batch, $\varepsilon$ the
# label-smoothing parameter and $\sigma$ the sigmoid.
#
# | What you see | Suspect | Entry |
# |---|---|---|
# | The loss starts near $\log C$, falls a little and stalls well above 0 | a softmax before `cross_entropy` | {ref}`sec-mistake-double-softmax` |
# | A negative loss, never below $-1$ | probabilities given to `nll_loss` | {ref}`sec-mistake-nll-probabilities` |
# | A negative loss that keeps falling without bound | logits given to `nll_loss` | {ref}`sec-mistake-nll-probabilities` |
# | A negative KL divergence | `kl_div` given probabilities as `input` | {ref}`sec-mistake-kl-arguments` |
# | A KL divergence of `inf` with one-hot or sparse targets, or `nan` | `kl_div` with its arguments swapped, or log-targets without `log_target=True` | {ref}`sec-mistake-kl-arguments` |
# | A KL divergence $C$ times smaller than your own computation, or a warning about `'mean'` | `kl_div(..., reduction='mean')` | {ref}`sec-mistake-kl-mean` |
# | A distillation term that shrinks like $1/T^2$ as the temperature rises, or is $C$ times too small; a distillation loss that disagrees with the reference at $T = 1$ but not at high $T$ | `* T**2` missing, `reduction='mean'`, or student and teacher swapped in `kl_div` | {ref}`sec-mistake-distillation` |
# | With `label_smoothing`, the loss stays above a positive value even though training accuracy is perfect | the smoothing floor $H(p^{\varepsilon})$ (expected behaviour, not a bug) | {ref}`sec-mistake-label-smoothing-floor` |
# | A weighted loss that differs from your own computation, or does not change when all weights are scaled | the weighted mean divides by the sum of the weights | {ref}`sec-mistake-weighted-mean` |
# | `nan` in some batches only | every target of the batch ignored | {ref}`sec-mistake-all-ignored` |
# | The loss and its gradient depend on the logit of a class you "ignored" | `ignore_index` does not remove a class from the softmax | {ref}`sec-mistake-ignored-class` |
# | A shape error for a sequence model, or a loss that changes when a constant is added to every class logit at one position | the class dimension is not dimension 1 | {ref}`sec-mistake-class-dim` |
# | BCE equal to 100 times the absolute error; negative BCE with logits; exactly $\log 2$ on every negative example | BCE with its arguments swapped | {ref}`sec-mistake-bce-swapped` |
# | BCE stalls at $\operatorname{softplus}(-1)$ and $\log 2$; "probabilities" confined to $(\sigma(0), \sigma(1))$; every prediction positive | a sigmoid applied twice | {ref}`sec-mistake-sigmoid-twice` |
# | Cosine similarity exactly 0; the cosine embedding loss equals the share of similar pairs; a gradient of norm $1/\texttt{eps} = 10^8$ (`cosine_similarity`) or about $10^6$ (`cosine_embedding_loss`) | a zero vector | {ref}`sec-mistake-zero-vector` |
# | An MSE of about twice the variance of the targets for a good model, and a warning about the target size | `mse_loss` of an (N, 1) prediction and an (N,) target, broadcast to N × N | {ref}`sec-regression-mistakes` (chapter 10) |
# | Predicted "standard deviations" that are the squares of the empirical ones | a standard deviation passed as `var` to `gaussian_nll_loss` | {ref}`sec-regression-mistakes` (chapter 10) |
# | Predicted counts that are the logarithms (or the exponentials) of the observed ones | `poisson_nll_loss` with `log_input` set wrongly | {ref}`sec-regression-mistakes` (chapter 10) |
# | InfoNCE converges to about $\log(1 + (N-1)e^{-N/((N-1)\tau)})$, far from 0, at $\tau = 1$ | a forgotten temperature ($\tau = 1$) | {ref}`sec-contrastive-mistake-temperature` (chapter 11) |
# | NT-Xent never falls below $\log 2$ | the self-similarity not masked out of the softmax | {ref}`sec-contrastive-mistake-mask` (chapter 11) |
# | With a sharded batch, device 0 reports a near-zero loss and every other device a large one | CLIP labels `arange(n)` instead of shifted by the device's offset | {ref}`sec-contrastive-mistake-sharded` (chapter 11) |
# | A triplet loss that sits at the margin and trains slowly | squared distances with a margin meant for distances | {ref}`sec-contrastive-mistake-squared` (chapter 11) |
# | An ECE near 0 with one bin, but large with 15 bins | the ECE computed on a single bin | {ref}`sec-calibration-mistakes` (chapter 12) |
# | A fitted temperature of 1.000 | the temperature fitted on the training set | {ref}`sec-calibration-mistakes` (chapter 12) |
# | The positives' share of a focal loss jumps, their weight ratio to the negatives ninefold at $\alpha = 0.25$ | $\alpha$ applied to the negative class | {ref}`sec-calibration-mistakes` (chapter 12) |
#
# The last ten rows are mistakes with the losses of chapters 10 to 12; each is reproduced with
# its numbers in that chapter's section "Mistakes and their fingerprints".
#
# ### Numbers to compare a stalled loss with
#
# Several fingerprints are values that a loss cannot go below. The cell computes them with
# `lossbook` for a few class counts. Each floor is the loss of a perfect model, one with a very
# large logit margin for the correct class. The "confidently wrong" column is the largest value
# the double-softmax loss can take. A classification run, with or without a mistake, starts
# near $\log C$, the loss of a uniform prediction. With one of these mistakes the loss falls
# towards the floor instead of towards 0. The entries below derive every column.


# %%
def fmt(x, digits=6):
    """A float with a fixed number of decimals, and never '-0.000000'."""
    return f"{round(float(x), digits) + 0.0:.{digits}f}"


def confident_logits(n_classes, target=0, margin=50.0):
    """One row of logits: `margin` for the target class, 0 for the others."""
    z = np.zeros((1, n_classes))
    z[0, target] = margin
    return z


def smoothed_target(n_classes, epsilon, target=0):
    """PyTorch's label-smoothed one-hot vector (1 - eps) e_y + eps / C."""
    return (1 - epsilon) * np.eye(n_classes)[target] + epsilon / n_classes


print(
    f"{'C':>5s} {'log C':>9s} {'softmax before cross_entropy':>30s} "
    f"{'label_smoothing=0.1':>20s} {'=0.2':>9s}"
)
print(
    f"{'':5s} {'(start)':>9s} {'floor':>14s} {'confidently wrong':>18s} {'floor':>20s} "
    f"{'floor':>9s}"
)
card = {}
for n_classes in (2, 3, 10, 100, 1000):
    z_right = confident_logits(n_classes, target=0)
    target = np.array([0])
    double_floor = float(F.cross_entropy(F.softmax(z_right, dim=1), target))
    double_ceiling = float(F.cross_entropy(F.softmax(z_right, dim=1), np.array([1])))
    smoothing = [
        float(info.entropy(smoothed_target(n_classes, eps))) for eps in (0.1, 0.2)
    ]
    card[n_classes] = (double_floor, double_ceiling, *smoothing)
    print(
        f"{n_classes:5d} {math.log(n_classes):9.4f} {double_floor:14.4f} "
        f"{double_ceiling:18.4f} "
        f"{smoothing[0]:20.4f} {smoothing[1]:9.4f}"
    )
bce_positive = float(
    F.binary_cross_entropy_with_logits(F.sigmoid(np.array([50.0])), np.ones(1))
)
bce_negative = float(
    F.binary_cross_entropy_with_logits(F.sigmoid(np.array([-50.0])), np.zeros(1))
)
print(
    f"\nsigmoid twice, BCE floors: positive example {bce_positive:.4f}, "
    f"negative example {bce_negative:.4f} nats"
)
print("probabilities into nll_loss: the loss lies in [-1, 0]; a perfect model gives -1")

# %% [markdown]
# The first figure shows the same fingerprints as curves. A ten-class model has logits
# $z = (m, 0, \dots, 0)$ and the target is class 0. Its {term}`logit` margin $m$ grows as training
# proceeds, from left to right. The correct {term}`cross-entropy` falls towards 0. Each mistaken
# loss either levels off at its own value or falls below zero.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Loss in nats against the logit margin m of the true class, from -4 to 12, for a ten-class model. All classification losses equal log 10, about 2.30 nats, at m = 0. The correct cross_entropy(z, y) falls steeply towards 0. The double softmax, cross_entropy(softmax(z), y), stays between 2.46 and its floor of about 1.46 nats (dotted line), which it reaches from m of about 6. With label_smoothing=0.1 the loss has a minimum of about 0.50 nats at a margin near 4.5, then rises again. nll_loss(softmax(z), y) is negative and approaches -1. kl_div with reduction 'mean' is the correct curve divided by 10."}}
C_fig = 10
margins = np.linspace(-4.0, 12.0, 321)
Z_fig = np.zeros((margins.size, C_fig))
Z_fig[:, 0] = margins
Y_fig = np.zeros(margins.size, dtype=int)
onehot_fig = F.one_hot(Y_fig, num_classes=C_fig).astype(float)
curves = {
    "cross_entropy(z, y)  (correct)": F.cross_entropy(Z_fig, Y_fig, reduction="none"),
    "cross_entropy(softmax(z), y)": F.cross_entropy(
        F.softmax(Z_fig, dim=1), Y_fig, reduction="none"
    ),
    "cross_entropy(z, y, label_smoothing=0.1)": F.cross_entropy(
        Z_fig, Y_fig, reduction="none", label_smoothing=0.1
    ),
    "nll_loss(softmax(z), y)": F.nll_loss(
        F.softmax(Z_fig, dim=1), Y_fig, reduction="none"
    ),
    "kl_div(log_softmax(z), one-hot), 'mean'": F.kl_div(
        F.log_softmax(Z_fig, dim=1), onehot_fig, reduction="none"
    ).mean(axis=1),
}
fig, ax = plt.subplots(figsize=(8, 4.6))
styles = ["-", "-", "-", "-", "--"]
for (label, values), colour, style in zip(curves.items(), lbplot.PALETTE, styles):
    ax.plot(margins, values, style, color=colour, lw=2, label=label)
for level, colour in (
    (card[C_fig][0], lbplot.PALETTE[1]),
    (card[C_fig][2], lbplot.PALETTE[2]),
    (-1.0, lbplot.PALETTE[3]),
):
    ax.axhline(level, color=colour, ls=":", lw=1.2)
ax.axhline(0.0, color="0.5", lw=0.8)
ax.set_xlabel(f"logit margin $m$ of the true class (C = {C_fig} classes)")
ax.set_ylabel("loss (nats)")
ax.set_ylim(-1.3, 4.0)
ax.set_xlim(margins[0], margins[-1])
ax.legend(loc="upper right", fontsize=9)
ax.set_title("Fingerprints: where each loss goes as the model becomes confident")
plt.show()

# %% tags=["hide-input"]
row = np.argmin(np.abs(margins - 12.0))
for label, values in curves.items():
    print(f"{label:42s} at m = 12: {fmt(values[row], 4):>8s} nats")

# %% [markdown]
# The second figure plots the starting point $\log C$ against the number of classes, together with
# the floors of the two classification mistakes that stall. The double softmax never leaves a band
# exactly one nat wide, whose lower edge is its floor. For large $C$ the floor is almost exactly
# one nat below $\log C$, so a run with this mistake can lower its loss by less than one nat.
# The label-smoothing floor grows with $C$ as well, but slowly.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Loss in nats against the number of classes C from 2 to 1000 on a logarithmic axis. The line log C, where every classification run starts, rises from 0.69 to 6.91 nats. The double-softmax loss lives in a shaded band one nat wide whose lower edge is the floor log(1 + (C - 1)/e); for large C the floor is almost exactly one nat below log C, which is near the top of the band. The label-smoothing floors for epsilon 0.1 and 0.2 rise slowly with C, staying between about 0.2 and 1.9 nats."}}
C_grid = np.unique(np.round(np.logspace(np.log10(2), 3, 60)).astype(int))
floor_grid = np.array(
    [
        float(F.cross_entropy(F.softmax(confident_logits(c), dim=1), np.array([0])))
        for c in C_grid
    ]
)
fig, ax = plt.subplots(figsize=(7.5, 4.2))
ax.plot(
    C_grid,
    np.log(C_grid),
    color=lbplot.PALETTE.black,
    lw=2,
    label=r"$\log C$ (start of every run)",
)
ax.fill_between(
    C_grid,
    floor_grid,
    floor_grid + 1,
    color=lbplot.PALETTE.orange,
    alpha=0.35,
    label="double softmax: all values it can take",
)
ax.plot(C_grid, floor_grid, color=lbplot.PALETTE.orange, lw=2)
for eps, colour in ((0.1, lbplot.PALETTE.bluish_green), (0.2, lbplot.PALETTE.blue)):
    ax.plot(
        C_grid,
        [float(info.entropy(smoothed_target(c, eps))) for c in C_grid],
        color=colour,
        lw=2,
        label=rf"label-smoothing floor, $\varepsilon = {eps}$",
    )
ax.set_xscale("log")
ax.set_xlabel("number of classes $C$")
ax.set_ylabel("loss (nats)")
ax.legend(loc="upper left", fontsize=9)
ax.set_title("Where a classification loss starts, and where two mistakes stall")
plt.show()

# %% [markdown]
# (sec-mistake-double-softmax)=
# ## A softmax before `cross_entropy`
#
# **Symptom.** The model ends in a {term}`softmax` (an `nn.Softmax` layer, or `.softmax(dim=-1)`
# in `forward`) and is trained with `F.cross_entropy` or `nn.CrossEntropyLoss`. The loss starts
# near $\log C$, as in any run, falls for a while and then stalls at a value that depends only
# on $C$. Training is slow even when accuracy improves.
#
# **Fingerprint.** The `input` to `cross_entropy` has non-negative rows that sum to 1, and the
# loss never leaves the interval $[\log(1 + (C-1)/e),\ \log(e + C - 1)]$, exactly one {term}`nat`
# wide. The cell checks both on a batch of confident logits, correct for half of the rows and
# wrong for the rest, for three class counts:


# %%
def confident_batch(n_classes, n_rows=6, margin=40.0):
    """Logits with one large entry per row; targets right for even rows, else wrong."""
    predicted = rng.integers(0, n_classes, size=n_rows)
    z = rng.normal(scale=0.01, size=(n_rows, n_classes))
    z[np.arange(n_rows), predicted] += margin
    targets = np.where(
        np.arange(n_rows) % 2 == 0, predicted, (predicted + 1) % n_classes
    )
    return z, targets


print(
    f"{'C':>5s} {'rows sum to 1':>14s} {'smallest loss':>14s} {'largest loss':>13s} "
    f"{'floor':>9s} {'floor + 1':>10s} {'correct loss, right rows':>25s}"
)
for n_classes in (3, 10, 100):
    z_batch, y_batch = confident_batch(n_classes)
    model_output = F.softmax(z_batch, dim=1)  # what a model ending in a softmax returns
    rows_sum_to_one = bool(
        np.allclose(model_output.sum(axis=1), 1) and model_output.min() >= 0
    )
    mistaken = F.cross_entropy(model_output, y_batch, reduction="none")
    floor = math.log(1 + (n_classes - 1) / math.e)
    assert floor - 1e-9 <= mistaken.min() and mistaken.max() <= floor + 1 + 1e-9
    right_rows = F.cross_entropy(z_batch, y_batch, reduction="none")[::2]
    print(
        f"{n_classes:5d} {str(rows_sum_to_one):>14s} {mistaken.min():14.6f} "
        f"{mistaken.max():13.6f} "
        f"{floor:9.6f} {floor + 1:10.6f} {right_rows.max():25.2e}"
    )

# %% [markdown]
# **Why.** `cross_entropy` applies its own {term}`log-softmax`, so it computes
# $-\log\operatorname{softmax}(u)_y$ with $u = \operatorname{softmax}(z)$ already on the simplex.
# Written out,
#
# $$
# \ell(u) = -\log\operatorname{softmax}(u)_y = \log\Big(1 + \sum_{c \ne y} e^{\,u_c - u_y}\Big).
# $$
#
# Because $0 \le u_c \le 1$, every exponent $u_c - u_y$ is at least $-1$. The smallest value is
# therefore reached at $u = e_y$, where all $C - 1$ exponents equal $-1$. The function $\ell$ is
# convex (a log-sum-exp minus a linear function), so on the simplex its largest value is at a
# vertex, $u = e_c$ with $c \ne y$. SymPy checks the rewriting for $C = 3$, evaluates both
# vertices with the book's definitions for $C = 2, \dots, 6$, and proves for symbolic $C$ that
# the two values differ by exactly one nat. Chapter {doc}`02-cross-entropy` derives the same
# floor as a limit and shows that the gradient fades as well ({ref}`sec-ce-double-softmax`);
# exercise {ref}`ex-nll-5` proves the floor as a bound. The seed README's summary,
# "交叉熵损失函数 = 负对数似然函数 + softmax + log", describes what `cross_entropy` does
# *inside*. Read as a recipe for the model's last layer, it produces exactly this mistake.

# %%
u3 = sym.probabilities(3, name="u")
rewritten = sp.log(1 + sp.exp(u3[1] - u3[0]) + sp.exp(u3[2] - u3[0]))
sym.check_identity(-sym.log_softmax(u3)[0], rewritten).assert_proved()

C = sp.Symbol("C", integer=True, positive=True)
floor_C = sp.log(1 + (C - 1) / sp.E)  # at u = e_y: C - 1 terms exp(0 - 1)
ceiling_C = sp.log(sp.E + C - 1)  # at u = e_c: one term exp(1 - 0), C - 2 terms exp(0)
for n in range(2, 7):
    vertex_y = [1] + [0] * (n - 1)
    vertex_c = [0, 1] + [0] * (n - 2)
    assert sp.simplify(-sym.log_softmax(vertex_y)[0] - floor_C.subs(C, n)) == 0
    assert sp.simplify(-sym.log_softmax(vertex_c)[0] - ceiling_C.subs(C, n)) == 0
width = sp.expand_log(ceiling_C - sp.log(sp.together(1 + (C - 1) / sp.E)), force=True)
assert sp.simplify(width - 1) == 0
display(
    sp.Eq(sp.Symbol(r"\ell(e_{y})"), floor_C),
    sp.Eq(sp.Symbol(r"\ell(e_{c})"), ceiling_C),
)
print("vertex values checked for C = 2..6; ceiling - floor = 1 nat for symbolic C")

# %% [markdown]
# The formula, lambdified, agrees with `F.cross_entropy(F.softmax(z), y)` on random logits and on
# the edge cases of `sym.edge_logits`:

# %%
z3 = sym.logits(3)
double_softmax_formula = -sym.log_softmax(sym.softmax(z3))[0]


def double_softmax_lossbook(z):
    return F.cross_entropy(
        F.softmax(z[None, :], dim=1), np.array([0]), reduction="none"
    )[0]


cases = sym.random_cases(rng, lambda r: (sym.random_logits(r, 3),), count=3)
cases.update({name: (z,) for name, z in sym.edge_logits(3).items()})
sym.check_numeric(double_softmax_formula, [z3], double_softmax_lossbook, cases)

# %% [markdown]
# **Fix.** Give `cross_entropy` the logits and apply the softmax only where probabilities are
# needed (reporting, sampling, calibration plots). On a ten-class batch like the ones above, the
# correct loss tells a right answer (practically 0) from a confident mistake (about 40 nats). The
# mistaken loss squeezes both into the same one-nat band. A `log_softmax` before
# `cross_entropy` is harmless, because it leaves log-probabilities unchanged
# ({ref}`sec-ce-double-softmax`). Only the plain softmax does damage:

# %%
z_batch, y_batch = confident_batch(10)
mistaken = F.cross_entropy(F.softmax(z_batch, dim=1), y_batch, reduction="none")
correct = F.cross_entropy(z_batch, y_batch, reduction="none")
after_log_softmax = F.cross_entropy(
    F.log_softmax(z_batch, dim=1), y_batch, reduction="none"
)
assert np.allclose(after_log_softmax, correct, rtol=1e-9, atol=1e-15)
print(
    f"{'row':>3s} {'prediction':>10s} {'cross_entropy(softmax(z), y)':>29s} "
    f"{'cross_entropy(z, y)':>20s} {'cross_entropy(log_softmax(z), y)':>33s}"
)
for n in range(y_batch.size):
    verdict = "right" if n % 2 == 0 else "wrong"
    print(
        f"{n:3d} {verdict:>10s} {mistaken[n]:29.6f} {correct[n]:20.4g} "
        f"{after_log_softmax[n]:33.4g}"
    )

# %% [markdown]
# (sec-mistake-nll-probabilities)=
# ## Probabilities (or logits) given to `nll_loss`
#
# **Symptom.** The loss is negative. When probabilities are passed, it lies between $-1$ and 0
# and creeps towards $-1$ as the model improves. When logits are passed, it falls without bound
# while the logits keep growing.
#
# **Fingerprint.** `nll_loss` does no arithmetic on its input: it picks the target entry of each
# row and averages with a minus sign. Given probabilities, minus the loss is therefore the
# model's average probability of the true class. Given logits, adding the same constant to every
# logit, which changes no prediction, shifts the loss by exactly that constant:

# %%
z_small = np.array(
    [[2.0, 0.5, -1.0], [0.2, 3.0, 0.1], [-0.5, 0.0, 1.5], [1.0, 1.2, 0.8]]
)
y_small = np.array([0, 1, 2, 1])
q_small = F.softmax(z_small, dim=1)
with_probabilities = float(F.nll_loss(q_small, y_small))
print(
    f"nll_loss(softmax(z), y) = {fmt(with_probabilities)}; "
    f"mean probability of the true class = {fmt(q_small[np.arange(4), y_small].mean())}"
)
for shift in (0.0, 10.0, 100.0):
    print(
        f"nll_loss(z + {shift:5.1f}, y) = "
        f"{fmt(F.nll_loss(z_small + shift, y_small)):>12s}   "
        f"cross_entropy(z + {shift:5.1f}, y) = "
        f"{fmt(F.cross_entropy(z_small + shift, y_small))}"
    )
assert -1 <= with_probabilities <= 0

# %% [markdown]
# **Why.** Per example, `nll_loss` returns $-x_{y}$ for whatever $x$ it is given (the book's
# `sym.nll`). With $x = \log q$ that is the {term}`negative log-likelihood`. With $x = q$ it is
# $-q_y \in [-1, 0]$, a loss whose gradient with respect to the logits,
#
# $$
# \frac{\partial(-q_y)}{\partial z_k} = -q_y\,\big([k = y] - q_k\big),
# $$
#
# carries the factor $q_y$: the more confidently wrong the model, the weaker the signal. With
# $x = z$ it is $-z_y$, unbounded below. SymPy derives the gradient for $C = 3$, and the formula
# $-\operatorname{softmax}(z)_y$ agrees with `lossbook`:

# %%
q3 = sym.softmax(z3)
for k in range(3):
    sym.check_identity(
        sp.diff(sym.nll(q3, 0), z3[k]), -q3[0] * ((1 if k == 0 else 0) - q3[k])
    ).assert_proved()
print("d(-q_y)/dz_k = -q_y ([k = y] - q_k): proved for C = 3, y = 0")


def nll_of_probabilities(z):
    return F.nll_loss(F.softmax(z[None, :], dim=1), np.array([0]), reduction="none")[0]


sym.check_numeric(sym.nll(q3, 0), [z3], nll_of_probabilities, cases)

# %% [markdown]
# **Fix.** Use `F.nll_loss(F.log_softmax(z, dim=1), y)` when the model ends in a `log_softmax`,
# and `F.cross_entropy(z, y)` when it returns logits. The two are the same loss
# ({ref}`sec-nll-identity`), and both are positive:

# %%
fixed_nll = float(F.nll_loss(F.log_softmax(z_small, dim=1), y_small))
fixed_ce = float(F.cross_entropy(z_small, y_small))
assert np.isclose(fixed_nll, fixed_ce, rtol=1e-12) and fixed_ce > 0
print(
    f"nll_loss(log_softmax(z), y) = {fmt(fixed_nll)} = cross_entropy(z, y) = "
    f"{fmt(fixed_ce)}"
)

# %% [markdown]
# Chapter {doc}`03-negative-log-likelihood` reproduces both variants
# ({ref}`sec-nll-mistakes`), and exercise {ref}`ex-nll-3` compares their gradients with the
# correct one.
#
# (sec-mistake-kl-arguments)=
# ## `kl_div` with probabilities, or with its arguments swapped
#
# `F.kl_div(input, target)` expects **`input` = log-probabilities of the model** $\log q$ and
# **`target` = probabilities of the data** $p$, and computes the {term}`KL divergence`
# $D_{\mathrm{KL}}(p\,\|\,q) = \sum_c p_c(\log p_c - \log q_c)$ term by term
# ({doc}`05-kl-divergence`). The order is the reverse of the mathematical notation, and the
# first argument is a log. Three mistakes follow from this.
#
# **Symptom.** (a) A negative "KL divergence", which decreases further as the model becomes more
# confident. (b) `inf` as soon as the targets contain zeros ({term}`one-hot encoding`s, sparse
# distributions). For dense targets the value is finite but does not match $D_{\mathrm{KL}}(p\,\|\,q)$.
# (c) `nan` everywhere.
#
# **Fingerprint.** (a) `kl_div(q, p)` with probabilities as `input` is never positive. (b)
# `kl_div(log p, q)` equals `info.kl_divergence(q, p)`, the {term}`reverse KL`, and is `inf` when
# $p$ has a zero where $q$ has mass. (c) A `target` given as log-probabilities (negative numbers)
# without `log_target=True` makes every term `nan`:

# %%
p_data = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
z_model = np.array([[1.0, 0.5, -0.5], [0.0, -0.3, 0.9]])
q_model = F.softmax(z_model, dim=1)
log_q = F.log_softmax(z_model, dim=1)
onehot_data = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
right = float(F.kl_div(log_q, p_data, reduction="batchmean"))
print(
    f"right:       kl_div(log q, p)  = {fmt(right)}  "
    f"(mean KL(p||q) = {fmt(info.kl_divergence(p_data, q_model).mean())})"
)
print(
    "(a) probs:   kl_div(q, p)      = "
    f"{fmt(F.kl_div(q_model, p_data, reduction='batchmean'))}"
)
print(
    "(b) swapped: kl_div(log p, q)  = "
    f"{fmt(F.kl_div(np.log(p_data), q_model, reduction='batchmean'))}"
    f"  (mean KL(q||p) = {fmt(info.kl_divergence(q_model, p_data).mean())})"
)
with np.errstate(divide="ignore"):
    log_onehot = np.log(onehot_data)
print(
    f"(b) swapped, one-hot p: kl_div(log p, q) = "
    f"{float(F.kl_div(log_onehot, q_model, reduction='batchmean'))}"
)
print(
    f"(c) log-target: kl_div(log q, log p) = "
    f"{float(F.kl_div(log_q, np.log(p_data), reduction='batchmean'))}"
)

# %% [markdown]
# **Why.** Elementwise, `kl_div` computes $t\,(\log t - x)$ for `input` $x$ and `target` $t$. With
# $x = q$ instead of $\log q$ the sum over classes is
#
# $$
# \sum_c p_c(\log p_c - q_c) = -H(p) - \sum_c p_c q_c \;\le\; 0 ,
# $$
#
# since both the {term}`entropy` $H(p)$ and the inner product $\langle p, q\rangle$ are
# non-negative. Minimising this quantity does not pull $q$ towards $p$. It pushes all of $q$'s
# mass onto the most probable class of $p$ (exercise {ref}`ex-mistakes-2`). With the arguments
# swapped, $x = \log p$ and $t = q$, the sum is $\sum_c q_c(\log q_c - \log p_c) =
# D_{\mathrm{KL}}(q\,\|\,p)$. That is the other direction, and it is infinite when $p_c = 0 < q_c$.
# With $t = \log p < 0$ the term $t \log t$ takes the logarithm of a negative number. SymPy proves
# the first two identities for $C = 3$:

# %%
p3, qq3 = sym.probabilities(3, name="p"), sym.probabilities(3, name="q")


def kl_div_terms(x, t):
    """What F.kl_div(x, t, reduction='sum') computes: sum of t (log t - x)."""
    return sp.Add(*[ti * (sp.log(ti) - xi) for xi, ti in zip(x, t)])


probabilities_as_input = kl_div_terms(qq3, p3)
sym.check_identity(
    probabilities_as_input, -sym.entropy(p3) - sum(pi * qi for pi, qi in zip(p3, qq3))
).assert_proved()
swapped = kl_div_terms([sp.log(pi) for pi in p3], qq3)
sym.check_identity(swapped, sym.kl_divergence(qq3, p3)).assert_proved()
print(
    "kl_div(q, p) = -H(p) - <p, q> and kl_div(log p, q) = KL(q || p): proved for C = 3"
)

kl_cases = sym.random_cases(
    rng, lambda r: (sym.random_simplex(r, 3), sym.random_simplex(r, 3))
)
kl_cases.update(
    {
        f"p {name}": (p, sym.random_simplex(rng, 3))
        for name, p in sym.edge_simplex(3).items()
    }
)
display(
    sym.check_numeric(
        probabilities_as_input,
        [p3, qq3],
        lambda p, q: F.kl_div(q, p, reduction="sum"),
        kl_cases,
    )
)
sym.check_numeric(
    sym.kl_divergence(qq3, p3),
    [p3, qq3],
    lambda p, q: F.kl_div(np.log(p), q, reduction="sum"),
    kl_cases,
)

# %% [markdown]
# **Fix.** `F.kl_div(F.log_softmax(z, dim=1), p, reduction='batchmean')` computes the mean of
# $D_{\mathrm{KL}}(p_n\,\|\,q_n)$ over the batch, the {term}`forward KL` that matches
# `cross_entropy` training. If the targets are stored as log-probabilities, say so with
# `log_target=True`. A KL divergence computed this way is never negative, and it is 0 exactly
# when the model matches the data. Chapter {doc}`05-kl-divergence` explains the argument order
# and reproduces these calls ({ref}`sec-kl-mistakes`).

# %%
fixed = float(F.kl_div(log_q, p_data, reduction="batchmean"))
log_target = float(
    F.kl_div(log_q, np.log(p_data), reduction="batchmean", log_target=True)
)
at_match = float(F.kl_div(np.log(p_data), p_data, reduction="batchmean"))
assert np.isclose(fixed, info.kl_divergence(p_data, q_model).mean(), rtol=1e-12)
assert np.isclose(fixed, log_target, rtol=1e-12) and abs(at_match) < 1e-15
print(f"kl_div(log_softmax(z), p, 'batchmean')                 = {fmt(fixed)}")
print(f"kl_div(log_softmax(z), log p, 'batchmean', log_target) = {fmt(log_target)}")
print(f"kl_div(log p, p, 'batchmean')  (model equal to data)    = {fmt(at_match)}")
print(
    f"one-hot targets: kl_div(log_softmax(z), onehot)         = "
    f"{fmt(F.kl_div(log_q, onehot_data, reduction='batchmean'))} "
    f"= cross_entropy(z, y) = {fmt(F.cross_entropy(z_model, np.array([0, 2])))}"
)

# %% [markdown]
# (sec-mistake-kl-mean)=
# ## `kl_div` with `reduction='mean'`
#
# **Symptom.** A distillation term {cite:p}`hinton2015`, or any other KL term, is $C$ times
# smaller than your own computation (or than the paper's), so its weight in the total loss has
# to be tuned again whenever the number of classes changes. PyTorch prints a warning that `'mean'` "divides the total loss by both the
# batch size and the support size" (`lossbook` never warns, and returns the same number).
#
# **Fingerprint.** The ratio of `'batchmean'` to `'mean'` is exactly the number of classes $C$
# (more generally, the number of elements per example), whatever the data:

# %%
print(f"{'C':>5s} {'batchmean':>10s} {'mean':>10s} {'ratio':>8s}")
for n_classes in (3, 10, 100):
    p_rows = sym.random_simplex(rng, n_classes, size=4)
    log_q_rows = F.log_softmax(sym.random_logits(rng, (4, n_classes)), dim=1)
    batchmean = float(F.kl_div(log_q_rows, p_rows, reduction="batchmean"))
    mean = float(F.kl_div(log_q_rows, p_rows, reduction="mean"))
    assert np.isclose(batchmean / mean, n_classes, rtol=1e-12)
    print(f"{n_classes:5d} {batchmean:10.6f} {mean:10.6f} {batchmean / mean:8.3f}")

# %% [markdown]
# **Why.** The {term}`reduction` `'mean'` averages over all $N \cdot C$ elements of the elementwise output, and
# `'batchmean'` divides the same sum by $N$ only. The KL divergence of one example is a sum over
# its $C$ classes, so `'mean'` is the batch average of the KL divergence divided by $C$. The
# {term}`gradient` is divided by $C$ too. Written with an indexed table of elementwise terms
# $t_{n,c}$ (plain arithmetic, shown here as an illustration rather than proved), `'mean'` is
# $\frac1C$ times the `'batchmean'` sum over $n$; the check that could fail is the numeric one:
# the formula $D_{\mathrm{KL}}(p\,\|\,q)/C$ agrees with `lossbook` for single examples.

# %%
N_sym = sp.Symbol("N", integer=True, positive=True)
n_idx, c_idx = sp.symbols("n c", integer=True, positive=True)
terms = sp.IndexedBase("t")
total = sp.Sum(terms[n_idx, c_idx], (c_idx, 1, C), (n_idx, 1, N_sym))
display(
    sp.Eq(sp.Symbol(r"\mathtt{mean}"), sp.Mul(1 / C, total / N_sym, evaluate=False))
)


def kl_div_mean_one_row(p, q):
    return F.kl_div(np.log(q)[None, :], p[None, :], reduction="mean")


sym.check_numeric(
    sym.kl_divergence(p3, qq3) / 3, [p3, qq3], kl_div_mean_one_row, kl_cases
)

# %% [markdown]
# **Fix.** Use `reduction='batchmean'` (or `'sum'` divided by whatever you want to average over).
# One more trap: `'batchmean'` divides by `input.shape[0]`, which for a single distribution of
# shape $(C,)$ is $C$ again. For one distribution use `'sum'`, or give it a batch dimension
# (exercise {ref}`ex-mistakes-3`). With `'batchmean'`, the value and the gradient
# (`G.kl_div_grad`) no longer depend on how many classes there are:

# %%
p_rows = sym.random_simplex(rng, 10, size=4)
log_q_rows = F.log_softmax(sym.random_logits(rng, (4, 10)), dim=1)
grad_mean = G.kl_div_grad(log_q_rows, p_rows, reduction="mean")
grad_batchmean = G.kl_div_grad(log_q_rows, p_rows, reduction="batchmean")
assert np.allclose(grad_batchmean, 10 * grad_mean, rtol=1e-12)
print(
    f"'batchmean' = {fmt(F.kl_div(log_q_rows, p_rows, reduction='batchmean'))} = mean "
    "KL(p||q) = "
    f"{fmt(info.kl_divergence(p_rows, F.softmax(log_q_rows, dim=1)).mean())}"
)
print(
    f"gradient norm: 'mean' {np.linalg.norm(grad_mean):.6f}, "
    f"'batchmean' {np.linalg.norm(grad_batchmean):.6f} (ratio C = 10)"
)

# %% [markdown]
# (sec-mistake-distillation)=
# ## Distillation: a missing $T^2$, `reduction='mean'`, swapped arguments
#
# The distillation loss of {ref}`sec-kl-distillation` is
# `F.kl_div(F.log_softmax(z / T, dim=1), F.softmax(v / T, dim=1), reduction='batchmean') * T**2`,
# with $z$ the student's logits, $v$ the teacher's and $T$ the temperature. Each of its three
# parts can go wrong without an error.
#
# **Symptom.** (a) Raising the temperature seems to switch the teacher off: the distillation
# term and its gradient shrink as $T$ grows, and the student learns only from the hard labels.
# (b) The term is $C$ times smaller than the paper's (and `'mean'` warns in PyTorch). (c) The
# loss differs from a reference implementation at $T = 1$ but agrees with it at high temperature;
# it becomes `inf` when the teacher masks a class with a logit of $-\infty$.
#
# **Fingerprint.** Against the correct value: (a) without `* T**2` the ratio is exactly $T^2$;
# (b) with `'mean'` it is exactly $C$ (or $CT^2$ with both mistakes); (c) with the student and
# the teacher swapped the ratio is not a constant, and it tends to 1 as $T$ grows. On a seeded
# batch of 4 examples over $C = 10$ classes:

# %%
N_kd, C_kd = 4, 10
teacher_kd = sym.random_logits(rng, (N_kd, C_kd), scale=3.0)
student_kd = sym.random_logits(rng, (N_kd, C_kd), scale=1.0)


def distill(z, v, T, reduction="batchmean", times_T2=True, swapped=False):
    """The distillation idiom and its three mistakes (swapped: teacher as input)."""
    first, second = (v, z) if swapped else (z, v)
    value = F.kl_div(
        F.log_softmax(first / T, dim=1),
        F.softmax(second / T, dim=1),
        reduction=reduction,
    )
    return float(value) * (T**2 if times_T2 else 1.0)


print(
    f"{'T':>5s} {'correct':>9s} {'ratio: no T^2':>14s} {'ratio: mean':>12s} "
    f"{'ratio: both':>12s} {'swapped / correct':>18s}"
)
swap_ratio = {}
for T in (1.0, 2.0, 4.0, 10.0, 100.0):
    right = distill(student_kd, teacher_kd, T)
    no_t2 = distill(student_kd, teacher_kd, T, times_T2=False)
    mean = distill(student_kd, teacher_kd, T, reduction="mean")
    both = distill(student_kd, teacher_kd, T, reduction="mean", times_T2=False)
    swap_ratio[T] = distill(student_kd, teacher_kd, T, swapped=True) / right
    assert np.isclose(right / no_t2, T**2, rtol=1e-12)
    assert np.isclose(right / mean, C_kd, rtol=1e-12)
    assert np.isclose(right / both, C_kd * T**2, rtol=1e-12)
    print(
        f"{T:5.0f} {right:9.4f} {right / no_t2:14.1f} {right / mean:12.1f} "
        f"{right / both:12.1f} {swap_ratio[T]:18.4f}"
    )
assert abs(swap_ratio[1.0] - 1) > 0.1 and abs(swap_ratio[100.0] - 1) < 0.05
masked_teacher = teacher_kd.copy()
masked_teacher[:, -1] = -np.inf
print(
    "teacher with a masked class: correct "
    f"{distill(student_kd, masked_teacher, 4.0):.4f}, "
    f"swapped {distill(student_kd, masked_teacher, 4.0, swapped=True)}"
)

# %% [markdown]
# **Why.** (a) and (b) are plain rescalings: `'mean'` divides by $NC$ instead of $N$
# ({ref}`sec-mistake-kl-mean`), and the gradient of $D_{\mathrm{KL}}(p_T\,\|\,q_T)$ with respect to
# $z$ is $(q_T - p_T)/T$, which for zero-mean logits behaves like $(z - v)/(CT^2)$
# ({prf:ref}`thm-kl-distillation`): without the $T^2$, every doubling of the temperature divides
# the teacher's pull by four. (c) With the arguments swapped the call computes
# $D_{\mathrm{KL}}(q_T\,\|\,p_T)$, the reverse KL, and the gradient reaches the student through
# the *target* argument. The two directions share their second-order term: for zero-mean logits
# both $T^2 D_{\mathrm{KL}}(p_T\,\|\,q_T)$ and $T^2 D_{\mathrm{KL}}(q_T\,\|\,p_T)$ tend to
# $\lVert z - v\rVert^2/(2C)$, which is why the mistake hides at high temperature. SymPy computes
# the Taylor coefficients of the swapped loss in $h = 1/T$ for $C = 3$:

# %%
h_kd = sp.Symbol("h", positive=True)
z_free, v_free = sp.symbols("z_1 z_2", real=True), sp.symbols("v_1 v_2", real=True)
z_c3 = [*z_free, -sum(z_free)]
v_c3 = [*v_free, -sum(v_free)]
swapped_kl = sym.kl_divergence(
    sym.softmax([h_kd * z for z in z_c3]), sym.softmax([h_kd * v for v in v_c3])
)
taylor_swapped = [
    sp.diff(swapped_kl, h_kd, k).subs(h_kd, 0) / sp.factorial(k) for k in range(3)
]
limit_c3 = sum((a - b) ** 2 for a, b in zip(z_c3, v_c3)) / 6
assert sp.simplify(taylor_swapped[0]) == 0 and sp.simplify(taylor_swapped[1]) == 0
assert sp.simplify(taylor_swapped[2] - limit_c3) == 0
display(
    Math(
        r"T^2 D_{\mathrm{KL}}(q_T\,\|\,p_T) \to \frac{\lVert z - v\rVert^2}{6} = "
        + sp.latex(sp.factor(limit_c3))
        + r"\quad (C = 3,\ z_3 = -z_1 - z_2,\ v_3 = -v_1 - v_2)"
    )
)

# %% [markdown]
# **Fix.** Multiply by `T**2`, use `reduction='batchmean'`, and put the student's
# `log_softmax(z / T)` first and the teacher's `softmax(v / T)` second (or the teacher's
# `log_softmax(v / T)` with `log_target=True`). The usual total loss adds the hard-label
# cross-entropy, `alpha * distill + (1 - alpha) * F.cross_entropy(z, y)`, and the $T^2$ keeps
# `alpha` meaningful across temperatures: the correct term's gradient stays of order 1 while the
# one without $T^2$ vanishes.

# %%
print(f"{'T':>5s} {'|grad| correct':>15s} {'|grad| without T^2':>19s}")
for T in (1.0, 4.0, 16.0, 64.0):
    grad = (
        T * (F.softmax(student_kd / T, dim=1) - F.softmax(teacher_kd / T, dim=1)) / N_kd
    )
    numeric = G.numerical_gradient(lambda z, T=T: distill(z, teacher_kd, T), student_kd)
    assert np.allclose(numeric, grad, rtol=0, atol=1e-10 * T**2)
    print(f"{T:5.0f} {np.linalg.norm(grad):15.4f} {np.linalg.norm(grad) / T**2:19.2e}")

# %% [markdown]
# (sec-mistake-label-smoothing-floor)=
# ## Label smoothing's floor read as a bug
#
# This entry is not a bug in the code. The mistake is in reading the number. With
# {term}`label smoothing` the target of an example of class $y$ is no longer $e_y$ but
# $p^{\varepsilon} = (1-\varepsilon)\,e_y + \varepsilon/C$, and the loss cannot fall below the entropy of
# that target ({ref}`sec-ce-label-smoothing`).
#
# **Symptom.** With `label_smoothing=ε`, the training loss stops decreasing at a positive value
# although training accuracy is 100%. Someone then trains longer, raises the learning rate, or
# compares the loss with that of a run without smoothing and concludes that the smoothed model
# is worse.
#
# **Fingerprint.** The plateau equals $H(p^{\varepsilon})$, which depends only on $C$ and
# $\varepsilon$. The logit margin between the true class and the others stops growing at
# $\log\big(1 + C(1-\varepsilon)/\varepsilon\big)$, and the loss rises again beyond it:

# %%
print(
    f"{'C':>5s} {'eps':>5s} {'H(p^eps)':>9s} {'best margin':>12s} {'loss there':>11s} "
    f"{'at margin + 5':>14s} {'at margin 50':>13s}"
)
for n_classes, epsilon in ((10, 0.1), (100, 0.1), (1000, 0.1), (1000, 0.2)):
    floor = float(info.entropy(smoothed_target(n_classes, epsilon)))
    best_margin = math.log(1 + n_classes * (1 - epsilon) / epsilon)
    losses = [
        float(
            F.cross_entropy(
                confident_logits(n_classes, margin=m),
                np.array([0]),
                label_smoothing=epsilon,
            )
        )
        for m in (best_margin, best_margin + 5, 50.0)
    ]
    assert np.isclose(losses[0], floor, rtol=1e-12) and min(losses[1:]) > floor
    print(
        f"{n_classes:5d} {epsilon:5.2f} {floor:9.6f} {best_margin:12.4f} "
        f"{losses[0]:11.6f} "
        f"{losses[1]:14.6f} {losses[2]:13.6f}"
    )

# %% [markdown]
# **Why.** By {term}`Gibbs' inequality` the cross-entropy $H(p^{\varepsilon}, q)$ is smallest at
# $q = p^{\varepsilon}$, where it equals $H(p^{\varepsilon})$. The smoothed target has one entry
# $a = 1 - \varepsilon + \varepsilon/C$ and $C - 1$ entries $b = \varepsilon/C$, so
#
# $$
# H(p^{\varepsilon}) = -a\log a - (C - 1)\, b \log b, \qquad a = 1 - \varepsilon + \frac{\varepsilon}{C},
# \quad b = \frac{\varepsilon}{C} .
# $$
#
# SymPy proves that this closed form, with symbolic $\varepsilon$, is the entropy of
# `sym.label_smoothed_target` for $C = 2, \dots, 6$. It also proves that it equals the minimum
# that `sym.derived.label_smoothing_optimum` finds with a Lagrange multiplier for $C = 4$. The
# lambdified closed form agrees with `F.cross_entropy(..., label_smoothing=ε)` at the optimal
# margin for ten classes:

# %%
eps = sp.Symbol("epsilon", positive=True)
a_C, b_C = 1 - eps + eps / C, eps / C
smoothing_floor = -a_C * sp.log(a_C) - (C - 1) * b_C * sp.log(b_C)
for n in range(2, 7):
    sym.check_identity(
        sym.entropy(sym.label_smoothed_target(0, n, eps)), smoothing_floor.subs(C, n)
    ).assert_proved()
optimum4 = sym.derived.label_smoothing_optimum(4)
sym.check_identity(
    optimum4["minimum"], smoothing_floor.subs({C: 4, eps: optimum4["epsilon"]})
).assert_proved()
display(sp.Eq(sp.Symbol(r"H(p^{\varepsilon})"), smoothing_floor))


def smoothed_loss_at_best_margin(epsilon):
    epsilon = float(epsilon)
    best = math.log(1 + 10 * (1 - epsilon) / epsilon)
    return F.cross_entropy(
        confident_logits(10, margin=best), np.array([0]), label_smoothing=epsilon
    )


sym.check_numeric(
    smoothing_floor.subs(C, 10),
    [eps],
    smoothed_loss_at_best_margin,
    {f"eps = {e}": (e,) for e in (0.01, 0.05, 0.1, 0.2, 0.5, 0.9)},
)

# %% [markdown]
# **Fix.** Read the smoothed loss against its floor. The part that measures the fit is the
# excess $H(p^{\varepsilon}, q) - H(p^{\varepsilon}) = D_{\mathrm{KL}}(p^{\varepsilon}\,\|\,q)$, which does go to 0.
# To compare runs with different $\varepsilon$, evaluate all of them without smoothing
# (`label_smoothing=0.0` on the validation set). For a ten-class model at the optimal margin:

# %%
epsilon = 0.1
best_margin = math.log(1 + 10 * (1 - epsilon) / epsilon)
z_best = confident_logits(10, margin=best_margin)
smoothed = float(F.cross_entropy(z_best, np.array([0]), label_smoothing=epsilon))
floor10 = float(info.entropy(smoothed_target(10, epsilon)))
excess = float(
    info.kl_divergence(smoothed_target(10, epsilon), F.softmax(z_best, dim=1)[0])
)
assert abs(smoothed - floor10 - excess) < 1e-12 and excess < 1e-12
print(
    f"training loss with label_smoothing=0.1: {fmt(smoothed)} nats (floor "
    f"{fmt(floor10)})"
)
print(f"excess over the floor = KL(p^eps || q): {fmt(excess)} nats")
print(
    "validation loss without smoothing:      "
    f"{fmt(F.cross_entropy(z_best, np.array([0])))} nats"
)

# %% [markdown]
# (sec-mistake-weighted-mean)=
# ## The weighted mean divides by the sum of the weights
#
# **Symptom.** With {term}`class weight`s, `F.cross_entropy(z, y, weight=w)` differs from
# $\frac1N\sum_n w_{y_n}\ell_n$ computed by hand. Multiplying all weights by 10 "to make the
# rare class count more" changes nothing. One-hot probability targets give a different value
# from class indices. Averaging the batch losses over an epoch does not give the loss on the
# whole data set.
#
# **Fingerprint.** With class-index targets and `reduction='mean'`, the ratio between PyTorch's
# value and the hand computation is $N / \sum_n w_{y_n}$, and scaling $w$ leaves the value
# unchanged:

# %%
z_w = np.array(
    [
        [2.0, 0.5, -1.0],
        [0.0, 1.0, 0.5],
        [1.5, -0.5, 0.3],
        [-1.0, 2.0, 0.0],
        [0.3, 0.2, 0.1],
    ]
)
y_w = np.array([0, 2, 2, 1, 0])
w = np.array([1.0, 2.0, 5.0])
per_example = F.cross_entropy(z_w, y_w, reduction="none")
library = float(F.cross_entropy(z_w, y_w, weight=w))
by_hand = float(np.sum(w[y_w] * per_example) / y_w.size)
assert np.isclose(library / by_hand, y_w.size / w[y_w].sum(), rtol=1e-12)
print(f"F.cross_entropy(weight=w)          = {fmt(library)}")
print(f"sum(w[y] * loss) / N   (by hand)   = {fmt(by_hand)}")
print(
    f"ratio = {library / by_hand:.6f} = N / sum(w[y]) = {y_w.size} / {w[y_w].sum():.0f}"
)
print(
    "F.cross_entropy(weight=10 * w)     = "
    f"{fmt(F.cross_entropy(z_w, y_w, weight=10 * w))}"
)
print(
    f"one-hot probability targets        = "
    f"{fmt(F.cross_entropy(z_w, np.eye(3)[y_w], weight=w))}"
    f"  (divides by N)"
)

# %% [markdown]
# **Why.** For class indices, `'mean'` is the weighted average
# $\sum_n w_{y_n}\ell_n \big/ \sum_n w_{y_n}$ ({ref}`sec-ce-weight`, {ref}`sec-nll-weights`).
# It is homogeneous of degree 0 in $w$, so only the ratios of the weights matter. For
# probability targets PyTorch divides by $N$ instead. SymPy proves the scale invariance for a
# symbolic factor, and the formula, written with the logits of three examples of classes
# 0, 1 and 2, agrees with `lossbook` on random logits and weights:

# %%
lam = sp.Symbol("lambda", positive=True)
w_sym = sym.probabilities(3, name="w")  # positive weights (they need not sum to 1)
Z_sym = [sym.logits(3, name=f"z{n + 1}") for n in range(3)]
y_sym = (0, 1, 2)
losses_sym = [sym.logsumexp(Z_sym[n]) - Z_sym[n][y_sym[n]] for n in range(3)]


def weighted_mean(weights):
    return sum(weights[y_sym[n]] * losses_sym[n] for n in range(3)) / sum(
        weights[y_sym[n]] for n in range(3)
    )


sym.check_identity(
    weighted_mean([lam * wi for wi in w_sym]), weighted_mean(w_sym)
).assert_proved()
print("mean(lambda w) = mean(w): proved")


def weighted_cross_entropy(z_flat, weights):
    return F.cross_entropy(np.reshape(z_flat, (3, 3)), np.array(y_sym), weight=weights)


weighted_cases = sym.random_cases(
    rng, lambda r: (sym.random_logits(r, 9), r.uniform(0.1, 5.0, size=3)), count=4
)
sym.check_numeric(
    weighted_mean(w_sym),
    [sum(Z_sym, []), w_sym],
    weighted_cross_entropy,
    weighted_cases,
)

# %% [markdown]
# **Fix.** Decide which average you want and ask for it. The weighted average is usually the
# right one, because it stays on the scale of an unweighted loss. If you want
# $\frac1N\sum_n w_{y_n}\ell_n$, use `reduction='sum'` and divide by $N$. To make a class count
# more, change the *ratios* of the weights. For a whole epoch, accumulate the weighted sums and
# the weight sums and divide at the end. A mean of batch means weighs every batch equally,
# whatever its total weight:

# %%
batches = np.array_split(np.arange(y_w.size), [1, 3])  # batches of 1, 2 and 2 examples
sums = [
    float(F.cross_entropy(z_w[b], y_w[b], weight=w, reduction="sum")) for b in batches
]
weight_sums = [float(w[y_w[b]].sum()) for b in batches]
means = [float(F.cross_entropy(z_w[b], y_w[b], weight=w)) for b in batches]
accumulated = sum(sums) / sum(weight_sums)
assert np.isclose(accumulated, library, rtol=1e-12)
print(f"mean of the batch means:                   {fmt(np.mean(means))}")
print(f"sum of batch sums / sum of batch weights:  {fmt(accumulated)}")
print(f"F.cross_entropy on the whole data set:     {fmt(library)}")
print(
    f"'sum' / N, if that is what you want:       "
    f"{fmt(F.cross_entropy(z_w, y_w, weight=w, reduction='sum') / y_w.size)}"
)

# %% [markdown]
# (sec-mistake-all-ignored)=
# ## Every target ignored: `nan`
#
# A target equal to the loss's {term}`ignore_index` (default $-100$) is left out of the loss
# and out of the count that `'mean'` divides by.
#
# **Symptom.** The loss is `nan` in some batches but not in others. A running average of the
# loss becomes `nan` and stays `nan`. This typically happens with batches made only of padding,
# image crops in which every pixel is labelled "void", or a last batch that happens to contain
# only ignored targets.
#
# **Fingerprint.** In the bad batches, `'mean'` is `nan` while `'sum'` is 0, and the number of
# targets different from `ignore_index` is 0. The same happens when every selected class weight
# is 0. The two cases differ in the gradient. With every target ignored, PyTorch's gradient of the
# `nan` mean is 0, so only the *reported* loss breaks, together with anything computed from it:
# a sum with another loss term, a running average, an early-stopping test. With zero weights
# the gradient is `nan` as well, and one optimiser step turns the parameters into `nan`.
# `lossbook.gradients` reproduces both:

# %%
z_tokens = sym.random_logits(rng, (4, 5), scale=1.0)
batches_y = {
    "some targets": np.array([3, -100, 1, -100]),
    "all ignored": np.full(4, -100),
    "weights of present classes 0": np.array([3, 3, 3, 3]),
}
zero_for_3 = np.array([1.0, 1.0, 1.0, 0.0, 1.0])
print(
    f"{'batch':30s} {'targets counted':>15s} {'mean':>10s} {'sum':>10s} "
    f"{'grad of mean':>14s}"
)
for name, y_b in batches_y.items():
    weight_b = zero_for_3 if name.startswith("weights") else None
    counted = int(np.sum(y_b != -100))
    mean = float(F.cross_entropy(z_tokens, y_b, weight=weight_b))
    total = float(F.cross_entropy(z_tokens, y_b, weight=weight_b, reduction="sum"))
    grad = G.cross_entropy_grad(z_tokens, y_b, weight=weight_b)
    grad_text = "nan" if np.isnan(grad).any() else f"{np.abs(grad).max():.4f}"
    print(
        f"{name:30s} {counted:15d} {fmt(mean, 4) if np.isfinite(mean) else 'nan':>10s} "
        f"{fmt(total, 4):>10s} {grad_text:>14s}"
    )

# %% [markdown]
# **Why.** The mean is a ratio $S/W$: the weighted sum of the losses of the counted targets, over
# their weight sum (their number, without weights). When nothing is counted, both are empty sums,
# and $0/0$ has no value; in SymPy, too, the quotient of the two empty sums is undefined (an
# illustration of the convention, not a proof):

# %%
empty_sum = sp.Sum(sp.IndexedBase("ell")[n_idx], (n_idx, 1, 0)).doit()
empty_count = sp.Sum(1, (n_idx, 1, 0)).doit()
ratio = empty_sum / empty_count
print(f"S = {empty_sum}, W = {empty_count}, S / W = {ratio}")

# %% [markdown]
# **Fix.** Skip batches with nothing to count, or guard the denominator. For logging, accumulate
# sums and counts instead of averaging means. The guarded mean below agrees with
# `F.cross_entropy` whenever something is counted, and returns 0 otherwise:


# %%
def guarded_mean(z, y, weight=None, ignore_index=-100):
    """F.cross_entropy(..., reduction='mean'), but 0, not nan, if nothing counts."""
    counted = y != ignore_index
    weights = np.ones(z.shape[1]) if weight is None else weight
    denominator = float(weights[y[counted]].sum())
    total = float(
        F.cross_entropy(z, y, weight=weight, ignore_index=ignore_index, reduction="sum")
    )
    return total / denominator if denominator > 0 else 0.0


for name, y_b in batches_y.items():
    weight_b = zero_for_3 if name.startswith("weights") else None
    guarded = guarded_mean(z_tokens, y_b, weight=weight_b)
    library_mean = float(F.cross_entropy(z_tokens, y_b, weight=weight_b))
    assert np.isnan(library_mean) or np.isclose(guarded, library_mean, rtol=1e-12)
    print(f"{name:30s} guarded mean {fmt(guarded)}")

# %% [markdown]
# Chapter {doc}`03-negative-log-likelihood` shows how `ignore_index` enters the mean
# ({ref}`sec-nll-ignore-index`). Exercise {ref}`ex-mistakes-4` carries the accumulation through
# an epoch.
#
# (sec-mistake-ignored-class)=
# ## An ignored class still in the softmax denominator
#
# A common setup in sequence models: the vocabulary contains a padding class, here class 0 of
# $C = 5$. The targets are padded with it, and the loss is called with `ignore_index=0`. This
# does remove the padded *positions* from the loss. It does not remove the padding *class* from the softmax that every other position is
# scored with.
#
# **Symptom.** The loss and the gradient at real positions depend on the padding logit. The
# model spends part of its training pushing that logit down. With label smoothing, it is trained
# to give the padding class the probability $\varepsilon/C$ at every real position. Any
# perplexity reported "over real tokens" includes the mass lost to padding.
#
# **Fingerprint.** The column of the padding class in `G.cross_entropy_grad` is not zero at real
# positions. Removing the class from the logits lowers the loss by the mean of
# $-\log(1 - q_{\text{pad}})$:

# %%
PAD = 0
z_seq = sym.random_logits(rng, (6, 5), scale=1.5)
y_seq = np.array([3, 1, 4, 2, PAD, PAD])  # two padded positions
real = y_seq != PAD
with_pad = float(F.cross_entropy(z_seq, y_seq, ignore_index=PAD))
real_classes_only = float(
    F.cross_entropy(z_seq[:, 1:], y_seq - 1, ignore_index=PAD - 1)
)
q_pad = F.softmax(z_seq, dim=1)[:, PAD]
grad_seq = G.cross_entropy_grad(z_seq, y_seq, ignore_index=PAD)
print("padding column of the gradient:", grad_seq[:, PAD])
print(
    f"= q_pad / (number of real positions) at real positions: "
    f"{bool(np.allclose(grad_seq[real, PAD], q_pad[real] / real.sum(), rtol=1e-12))}"
)
print(f"loss with the padding class in the softmax:  {fmt(with_pad)}")
print(f"loss over the real classes only:             {fmt(real_classes_only)}")
print(
    f"difference {fmt(with_pad - real_classes_only)} = mean of -log(1 - q_pad) over "
    "real "
    f"positions = {fmt(np.mean(-np.log1p(-q_pad[real])))}"
)

# %% [markdown]
# **Why.** With $S = \sum_{c} e^{z_c}$ over all classes and $S' = S - e^{z_{\text{pad}}}$ over
# the real ones, the two losses are $\log S - z_y$ and $\log S' - z_y$. Their difference is
# $\log(S/S') = -\log(1 - q_{\text{pad}})$, and the derivative of the full loss with respect to
# the padding logit is $q_{\text{pad}}$, never 0. SymPy proves both for $C = 4$ (padding class
# first), and the formula agrees with `lossbook`:

# %%
z4 = sym.logits(4)
q4 = sym.softmax(z4)
full_loss = sym.logsumexp(z4) - z4[2]
real_loss = sym.logsumexp(z4[1:]) - z4[2]
sym.check_identity(full_loss - real_loss, -sp.log(1 - q4[0])).assert_proved()
sym.check_identity(sp.diff(full_loss, z4[0]), q4[0]).assert_proved()
print("loss gap = -log(1 - q_pad) and d loss / d z_pad = q_pad: proved for C = 4")


def pad_gap(z):
    row = z[None, :]
    return (
        F.cross_entropy(row, np.array([2]), reduction="none")[0]
        - F.cross_entropy(row[:, 1:], np.array([1]), reduction="none")[0]
    )


sym.check_numeric(
    -sp.log(1 - q4[0]),
    [z4],
    pad_gap,
    sym.random_cases(rng, lambda r: (sym.random_logits(r, 4),), count=4),
)

# %% [markdown]
# **Fix.** If the padding class can never be a correct prediction, take it out of the softmax.
# Either slice it away (the targets shift by one, and the padding target becomes
# `ignore_index=-1`), or set its logit to $-\infty$. Both give the loss over the real classes,
# and the padding logit then receives no gradient. With label smoothing only slicing works: the
# smoothing term sums $-\log q_c$ over *all* classes, so a $-\infty$ logit makes the loss infinite:

# %%
z_masked = z_seq.copy()
z_masked[:, PAD] = -np.inf
for epsilon in (0.0, 0.1):
    sliced = float(
        F.cross_entropy(
            z_seq[:, 1:], y_seq - 1, ignore_index=-1, label_smoothing=epsilon
        )
    )
    masked = float(
        F.cross_entropy(z_masked, y_seq, ignore_index=PAD, label_smoothing=epsilon)
    )
    print(
        f"label_smoothing={epsilon}: sliced {fmt(sliced)}, -inf mask "
        f"{fmt(masked) if np.isfinite(masked) else masked}"
    )
grad_sliced = G.cross_entropy_grad(z_seq[:, 1:], y_seq - 1, ignore_index=-1)
grad_masked = G.cross_entropy_grad(z_masked, y_seq, ignore_index=PAD)
assert (
    np.allclose(grad_masked[:, 1:], grad_sliced, rtol=1e-12)
    and not grad_masked[:, PAD].any()
)
print("gradient of the padding logit after masking:", grad_masked[:, PAD] + 0.0)

# %% [markdown]
# (sec-mistake-class-dim)=
# ## The class dimension not at position 1
#
# PyTorch's classification losses look for the classes in **dimension 1** (dimension 0 for a
# single example of shape $(C,)$). The remaining dimensions are read as extra positions: a
# segmentation model's output $(N, C, H, W)$ or a tagger's $(N, C, L)$. Sequence models usually
# produce $(N, L, C)$, with the classes last.
#
# **Symptom.** For $(N, L, C)$ logits and $(N, L)$ targets: an error about the target's shape when
# $L \ne C$, and a silent, wrong loss when $L = C$. With *probability* targets of shape
# $(N, L, C)$ the shapes always match, so the mistake is silent for every $L$ and $C$.
#
# **Fingerprint.** The shift test. Adding one constant to all $C$ logits of a position changes no
# prediction, so a correctly called loss does not change. A loss that reads the classes from the
# wrong axis changes:


# %%
def shift_test(loss, logits_nlc):
    """Change of loss(logits) when a random constant is added at each position."""
    shifts = rng.normal(scale=3.0, size=logits_nlc.shape[:-1] + (1,))
    return float(loss(logits_nlc + shifts)) - float(loss(logits_nlc))


logits_nlc = sym.random_logits(rng, (2, 4, 3), scale=1.0)  # N = 2, L = 4, C = 3
labels_nl = rng.integers(0, 3, size=(2, 4))
try:
    F.cross_entropy(logits_nlc, labels_nl)
except (ValueError, IndexError) as error:
    print(f"L != C: {type(error).__name__}: {error}")
square = sym.random_logits(rng, (2, 3, 3), scale=1.0)  # L = C = 3
labels_square = rng.integers(0, 3, size=(2, 3))
soft_nlc = F.softmax(
    sym.random_logits(rng, (2, 4, 3)), dim=2
)  # probability targets (N, L, C)
tests = {
    "L = C, class indices": (
        lambda z: F.cross_entropy(z, labels_square),
        lambda z: F.cross_entropy(np.moveaxis(z, -1, 1), labels_square),
        square,
    ),
    "probability targets (N, L, C)": (
        lambda z: F.cross_entropy(z, soft_nlc),
        lambda z: F.cross_entropy(np.moveaxis(z, -1, 1), np.moveaxis(soft_nlc, -1, 1)),
        logits_nlc,
    ),
}
print(
    f"{'':30s} {'wrong axis: loss':>17s} {'change':>9s} {'moved axis: loss':>17s} "
    f"{'|change| < 1e-12':>17s}"
)
for name, (wrong, right, z) in tests.items():
    wrong_change, right_change = shift_test(wrong, z), shift_test(right, z)
    assert abs(wrong_change) > 1e-3 and abs(right_change) < 1e-12
    print(
        f"{name:30s} {fmt(wrong(z)):>17s} {fmt(wrong_change, 4):>9s} "
        f"{fmt(right(z)):>17s} "
        f"{str(abs(right_change) < 1e-12):>17s}"
    )

# %% [markdown]
# **Why.** The loss of one position is $\operatorname{logsumexp}(z) - z_y$, and
# $\operatorname{logsumexp}(z + c) = \operatorname{logsumexp}(z) + c$, so the shift cancels.
# Read along the wrong axis, the same call takes a log-sum-exp over the $L$ *positions* of one
# class column, and the target label of position $j$ picks a row. For one sequence with
# $L = C = 2$, logits $x_{l,c}$ and labels $(y_1, y_2) = (1, 0)$ (in PyTorch's 0-based indices),
#
# $$
# \text{loss} = \tfrac12\Big[\big(\log(e^{x_{1,1}} + e^{x_{2,1}}) - x_{2,1}\big)
#   + \big(\log(e^{x_{1,2}} + e^{x_{2,2}}) - x_{1,2}\big)\Big],
# $$
#
# where a shift that differs between positions does not cancel. SymPy proves the shift invariance
# for $C = 3$, and the formula above agrees with `lossbook`:

# %%
shift = sp.Symbol("c", real=True)
sym.check_identity(
    sym.logsumexp([zi + shift for zi in z3]) - (z3[1] + shift),
    sym.logsumexp(z3) - z3[1],
).assert_proved()
print("logsumexp(z + c) - (z_y + c) = logsumexp(z) - z_y: proved for C = 3")
x = sp.Matrix(2, 2, lambda row, c: sp.Symbol(f"x_{row + 1}{c + 1}", real=True))
labels_2 = (1, 0)
misread = (
    sum(sym.logsumexp([x[0, j], x[1, j]]) - x[labels_2[j], j] for j in range(2)) / 2
)
x_flat = list(x)


def misread_lossbook(values):
    return F.cross_entropy(np.reshape(values, (1, 2, 2)), np.array([labels_2]))


sym.check_numeric(
    misread,
    [x_flat],
    misread_lossbook,
    sym.random_cases(rng, lambda r: (sym.random_logits(r, 4),), count=4),
)

# %% [markdown]
# **Fix.** Move the class axis to position 1 (`logits.permute(0, 2, 1)` in PyTorch,
# `np.moveaxis(logits, -1, 1)` here), or flatten positions into the batch: logits to
# $(N L, C)$, targets to $(N L)$. Both give the same loss. Chapter
# {doc}`03-negative-log-likelihood` shows the error message and the silent case
# ({ref}`sec-nll-mistakes`).

# %%
moved = float(F.cross_entropy(np.moveaxis(logits_nlc, -1, 1), labels_nl))
flattened = float(F.cross_entropy(logits_nlc.reshape(-1, 3), labels_nl.reshape(-1)))
assert np.isclose(moved, flattened, rtol=1e-12)
print(f"moved to (N, C, L): {fmt(moved)};  flattened to (N L, C): {fmt(flattened)}")

# %% [markdown]
# (sec-mistake-bce-swapped)=
# ## Binary cross-entropy with its arguments swapped
#
# `binary_cross_entropy(input, target)` and `binary_cross_entropy_with_logits(input, target)`,
# the two forms of the {term}`binary cross-entropy`, take the prediction first. `binary_cross_entropy` only checks that both arguments lie in
# $[0, 1]$, and the logit version checks nothing, so a swapped call usually runs.
#
# **Symptom.** With probabilities, the loss is 100 times the mean absolute error: large, and
# proportional to $|y - p|$ instead of growing like $-\log p$. With logits, the loss is exactly
# $\log 2$ on every negative example whatever the model says, becomes negative on positive
# examples with large logits, and keeps falling as the logits grow.
#
# **Fingerprint.**

# %%
p_pred = np.array([0.9, 0.6, 0.2, 0.05, 0.7])
y_true = np.array([1.0, 1.0, 0.0, 0.0, 0.0])
z_pred = np.log(p_pred / (1 - p_pred))  # the logits of p_pred
swapped = F.binary_cross_entropy(y_true, p_pred, reduction="none")
swapped_logits = F.binary_cross_entropy_with_logits(y_true, z_pred, reduction="none")
print("binary_cross_entropy(y, p)            :", swapped)
print("  ... / |y - p|                       :", swapped / np.abs(y_true - p_pred))
print("binary_cross_entropy_with_logits(y, z):", swapped_logits)
print(
    f"  on the negatives: log 2 = {math.log(2):.6f}; on the positives: log(1 + e) - z "
    "= "
    f"{np.log1p(np.e) - z_pred[:2]}"
)
try:
    F.binary_cross_entropy(y_true, z_pred)
except ValueError as error:
    print(f"binary_cross_entropy(y, z) raises ValueError: {error}")

# %% [markdown]
# **Why.** Swapped, the 0/1 label plays the probability, and each logarithm of it is either 0 or
# $\log 0$, which PyTorch clamps at $-100$ ({ref}`sec-bce-clamp`). For label 1 the loss is
# $-(1-p)(-100) = 100(1-p)$, and for label 0 it is $100p$, that is, $100\,|y - p|$. With logits,
# the label becomes the logit $\in \{0, 1\}$ and the prediction becomes the target:
# $\operatorname{softplus}(y) - y z$, which is $\log 2$ for $y = 0$ and
# $\operatorname{softplus}(1) - z$ for $y = 1$, unbounded below. SymPy derives both, with the
# clamp written out, and the formulas agree with `lossbook`:

# %%
p_sym = sp.Symbol("p", positive=True)
z_sym = sp.Symbol("z", real=True)


def clamped_log(v):
    """PyTorch's max(log v, -100), with log 0 = -oo."""
    return sp.Max(-sp.oo if v == 0 else sp.log(v), -100)


for label, expected in ((1, 100 * (1 - p_sym)), (0, 100 * p_sym)):
    swapped_expr = -(p_sym * clamped_log(label) + (1 - p_sym) * clamped_log(1 - label))
    assert sp.simplify(swapped_expr - expected) == 0
    logits_expr = sym.bce_with_logits(sp.Integer(label), z_sym)
    sym.check_identity(logits_expr, sym.softplus(label) - label * z_sym).assert_proved()
print(
    "binary_cross_entropy(y, p) = 100 |y - p| and "
    "binary_cross_entropy_with_logits(y, z) = softplus(y) - y z, for y in {0, 1}: "
    "derived"
)

y_sym = sp.Symbol("y", real=True)
bce_cases = {
    f"random {k}": (
        rng.integers(0, 2, size=6).astype(float),
        rng.uniform(0.01, 0.99, 6),
    )
    for k in range(1, 4)
}
display(
    sym.check_numeric(
        100 * sp.Abs(y_sym - p_sym),
        [y_sym, p_sym],
        lambda y, p: F.binary_cross_entropy(y, p, reduction="none"),
        bce_cases,
    )
)
logit_cases = {
    f"random {k}": (rng.integers(0, 2, size=6).astype(float), rng.normal(0, 5, 6))
    for k in range(1, 4)
}
sym.check_numeric(
    sym.softplus(y_sym) - y_sym * z_sym,
    [y_sym, z_sym],
    lambda y, z: F.binary_cross_entropy_with_logits(y, z, reduction="none"),
    logit_cases,
)

# %% [markdown]
# **Fix.** Prediction first, target second. The correct values are positive, grow like
# $-\log p$ for confident mistakes, and agree between the two functions.
# Chapter {doc}`04-binary-cross-entropy` reproduces the same calls ({ref}`sec-bce-mistakes`).

# %%
right_p = F.binary_cross_entropy(p_pred, y_true, reduction="none")
right_z = F.binary_cross_entropy_with_logits(z_pred, y_true, reduction="none")
assert np.allclose(right_p, right_z, rtol=1e-12) and right_p.min() > 0
print("binary_cross_entropy(p, y)            :", right_p)
print("binary_cross_entropy_with_logits(z, y):", right_z)

# %% [markdown]
# (sec-mistake-sigmoid-twice)=
# ## A sigmoid applied twice
#
# **Symptom.** In training, a model that ends in a {term}`sigmoid` (`nn.Sigmoid`) is trained with
# `binary_cross_entropy_with_logits` (or `nn.BCEWithLogitsLoss`). The loss stalls well above 0,
# and the probabilities the loss works with, $\sigma(\text{output})$, never leave
# $(\sigma(0), \sigma(1))$. At prediction time, a sigmoid is applied to outputs that are already
# probabilities and then thresholded at $\frac12$: every example is predicted positive, and the
# accuracy equals the share of positive examples.
#
# **Fingerprint.** For a share $\pi$ of positive examples, the mean loss cannot fall below
# $\pi\operatorname{softplus}(-1) + (1 - \pi)\log 2$. A nearly perfect model, with seeded labels
# and logits, sits right at that value:

# %%
n_examples = 1000
y_bin = (rng.random(n_examples) < 0.3).astype(float)
z_bin = np.where(y_bin == 1, 1.0, -1.0) * rng.uniform(
    4.0, 12.0, n_examples
)  # a good model
share = float(y_bin.mean())
double_loss = float(F.binary_cross_entropy_with_logits(F.sigmoid(z_bin), y_bin))
floor_mix = share * float(F.softplus(np.array(-1.0))) + (1 - share) * math.log(2)
squashed = F.sigmoid(F.sigmoid(z_bin))
print(f"share of positives pi = {share:.3f}")
print(f"BCE with logits of sigmoid(z): {fmt(double_loss)}   floor: {fmt(floor_mix)}")
print(
    f"sigmoid(sigmoid(z)) ranges over [{squashed.min():.4f}, {squashed.max():.4f}]; "
    f"sigma(0) = 0.5, sigma(1) = {float(F.sigmoid(np.array(1.0))):.4f}"
)
print(
    "accuracy, sigmoid(z) > 0.5:          "
    f"{np.mean((F.sigmoid(z_bin) > 0.5) == (y_bin == 1)):.3f}"
)
print(
    "accuracy, sigmoid(sigmoid(z)) > 0.5: "
    f"{np.mean((squashed > 0.5) == (y_bin == 1)):.3f} "
    f"(share of positives {share:.3f})"
)

# %% [markdown]
# **Why.** $\sigma(\sigma(z))$ is increasing in $z$ (its derivative is a product of two
# positive sigmoid derivatives) and runs from $\sigma(0) = \frac12$ to $\sigma(1)$. The loss of
# a positive example, $\operatorname{softplus}(-\sigma(z))$, therefore decreases towards
# $\operatorname{softplus}(-1)$. The loss of a negative example, $\operatorname{softplus}(\sigma(z))$,
# decreases towards $\operatorname{softplus}(0) = \log 2$. Averaging over the data gives the floor
# above. The positive floor $\operatorname{softplus}(-1) = \log(1 + 1/e)$ is the double-softmax
# floor of {ref}`sec-mistake-double-softmax` for $C = 2$: a two-class softmax is a sigmoid
# ({ref}`sec-bce-two-class`). SymPy derives the limits and the coincidence, and the per-example
# formula agrees with `lossbook`:

# %%
squash = sym.sigmoid(sym.sigmoid(z_sym))
assert (
    sp.simplify(
        sp.diff(squash, z_sym)
        - sp.diff(sym.sigmoid(z_sym), z_sym).subs(z_sym, sym.sigmoid(z_sym))
        * sp.diff(sym.sigmoid(z_sym), z_sym)
    )
    == 0
)
assert sp.limit(squash, z_sym, -sp.oo) == sp.Rational(1, 2)
assert sp.simplify(sp.limit(squash, z_sym, sp.oo) - sym.sigmoid(1)) == 0
floor_positive = sp.limit(sym.bce_with_logits(sym.sigmoid(z_sym), 1), z_sym, sp.oo)
floor_negative = sp.limit(sym.bce_with_logits(sym.sigmoid(z_sym), 0), z_sym, -sp.oo)
sym.check_identity(floor_positive, sym.softplus(-1)).assert_proved()
sym.check_identity(floor_positive, floor_C.subs(C, 2)).assert_proved()
assert sp.simplify(floor_negative - sp.log(2)) == 0
display(
    sp.Eq(sp.Symbol("floor_{y=1}"), floor_positive),
    sp.Eq(sp.Symbol("floor_{y=0}"), floor_negative),
)

twice_cases = {
    f"random {k}": (rng.normal(0, 8, 6), rng.integers(0, 2, size=6).astype(float))
    for k in range(1, 4)
}
twice_cases["saturated"] = (
    np.array([40.0, -40.0, 700.0, -700.0]),
    np.array([1.0, 0.0, 1.0, 0.0]),
)
sym.check_numeric(
    sym.bce_with_logits(sym.sigmoid(z_sym), y_sym),
    [z_sym, y_sym],
    lambda z, y: F.binary_cross_entropy_with_logits(F.sigmoid(z), y, reduction="none"),
    twice_cases,
)

# %% [markdown]
# **Fix.** The model returns logits, the loss is `binary_cross_entropy_with_logits(logits, y)`,
# and a sigmoid is applied once, outside the loss, where a probability is wanted. For the model
# above:

# %%
fixed_loss = float(F.binary_cross_entropy_with_logits(z_bin, y_bin))
print(f"BCE with logits of z: {fixed_loss:.3e} nats (instead of {fmt(double_loss, 4)})")
print(
    "accuracy with sigmoid(z) > 0.5: "
    f"{np.mean((F.sigmoid(z_bin) > 0.5) == (y_bin == 1)):.3f}"
)

# %% [markdown]
# Chapter {doc}`04-binary-cross-entropy` shows both forms of the mistake on a trained logistic
# regression ({ref}`sec-bce-mistakes`).
#
# (sec-mistake-zero-vector)=
# ## Cosine similarity of a zero vector
#
# **Symptom.** Some {term}`cosine similarity` values are exactly 0. The cosine embedding loss
# of similar pairs is stuck at exactly 1, while dissimilar pairs score a perfect 0 (with the
# default margin 0). A batch whose embeddings have collapsed to zero therefore has a loss equal
# to the share of similar pairs, and looks halfway decent. The gradient with respect to a zero
# vector is huge, and its size tells the two functions apart: its norm is
# $1/\texttt{eps} = 10^{8}$ for `cosine_similarity`, and about $1/\sqrt{10^{-12}} = 10^{6}$ for
# `cosine_embedding_loss`.
#
# **Fingerprint.** The norms of the embeddings. Every exact 0 in the similarities belongs to a
# zero vector:

# %%
a_emb = sym.random_logits(rng, (6, 4), scale=1.0)
b_emb = sym.random_logits(rng, (6, 4), scale=1.0)
pairs = np.array([1, 1, -1, 1, -1, -1])  # 1: similar, -1: dissimilar
a_emb[[1, 4]] = 0.0  # two collapsed (or padding) rows
print("norms of a:        ", np.linalg.norm(a_emb, axis=1))
print("cosine_similarity: ", F.cosine_similarity(a_emb, b_emb))
print(
    "cosine_embedding_loss per pair:",
    F.cosine_embedding_loss(a_emb, b_emb, pairs, reduction="none"),
)
collapsed = float(F.cosine_embedding_loss(np.zeros_like(a_emb), b_emb, pairs))
print(
    f"all of a collapsed: mean loss {fmt(collapsed)} = share of similar pairs "
    f"{fmt(np.mean(pairs == 1))}"
)
grad_a, _ = G.cosine_similarity_grad(a_emb, b_emb)
print(
    "gradient norms with respect to a:",
    "  ".join(f"{v:.3e}" for v in np.linalg.norm(grad_a, axis=1)),
)

# %% [markdown]
# **Why.** PyTorch clamps each norm at `eps` ({ref}`sec-cosine-eps`, {ref}`sec-stability-pytorch`):
#
# $$
# \cos_{\epsilon}(a, b) = \frac{a \cdot b}{\max(\lVert a\rVert, \epsilon)\,\max(\lVert b\rVert, \epsilon)} .
# $$
#
# For $\lVert a\rVert < \epsilon$ the first clamp is active, and $\cos_\epsilon(a, b) =
# a \cdot b / (\epsilon \lVert b\rVert)$ is *linear* in $a$. At $a = 0$ it is 0, and its gradient
# $b / (\epsilon\lVert b\rVert)$ has norm $1/\epsilon$ for any $b$ with $\lVert b\rVert \ge
# \epsilon$. The cosine embedding loss adds $\delta = 10^{-12}$ to each squared norm instead,
#
# $$
# c_\delta(a, b) = \frac{a\cdot b}{\sqrt{(\lVert a\rVert^2 + \delta)(\lVert b\rVert^2 + \delta)}} ,
# $$
#
# which gives the same 0 at $a = 0$ but a different gradient there:
# $b/\big(\sqrt{\delta}\,\sqrt{\lVert b\rVert^2 + \delta}\big)$, of norm about
# $1/\sqrt\delta = 10^{6}$. SymPy derives both gradients, the clamped formula agrees with
# `F.cosine_similarity`, zero and tiny vectors included, and the analytic gradient agrees with
# {term}`finite differences` taken with a step smaller than `eps`:

# %%
eps_sym = sp.Symbol("epsilon", positive=True)
a3, b3 = sym.logits(3, name="a"), sym.logits(3, name="b")
norm_a, norm_b = sp.sqrt(sum(v**2 for v in a3)), sp.sqrt(sum(v**2 for v in b3))
dot = sum(u * v for u, v in zip(a3, b3))
clamped_cos = dot / (sp.Max(norm_a, eps_sym) * sp.Max(norm_b, eps_sym))
inside = dot / (eps_sym * norm_b)  # ||a|| < eps <= ||b||
gradient_inside = sp.Matrix([sp.diff(inside, v) for v in a3])
assert sp.simplify(gradient_inside - sp.Matrix(b3) / (eps_sym * norm_b)) == sp.zeros(
    3, 1
)
assert sp.simplify(sp.sqrt(sum(g**2 for g in gradient_inside)) - 1 / eps_sym) == 0
print("inside the clamp: d cos / d a = b / (eps |b|), of norm 1/eps")
delta_sym = sp.Symbol("delta", positive=True)
cos_delta = dot / sp.sqrt((norm_a**2 + delta_sym) * (norm_b**2 + delta_sym))
at_zero = {v: 0 for v in a3}
gradient_delta = sp.Matrix([sp.diff(cos_delta, v).subs(at_zero) for v in a3])
expected_delta = sp.Matrix(b3) / (sp.sqrt(delta_sym) * sp.sqrt(norm_b**2 + delta_sym))
assert sp.simplify(gradient_delta - expected_delta) == sp.zeros(3, 1)
print(
    "cosine_embedding_loss's cosine at a = 0: d c / d a = b / (sqrt(delta) sqrt(|b|^2 "
    "+ delta))"
)

cos_cases = {
    "random": (rng.normal(size=3), rng.normal(size=3)),
    "a = 0": (np.zeros(3), rng.normal(size=3)),
    "a tiny": (1e-10 * rng.normal(size=3), rng.normal(size=3)),
    "both tiny": (1e-9 * rng.normal(size=3), 1e-9 * rng.normal(size=3)),
}
display(
    sym.check_numeric(
        clamped_cos.subs(eps_sym, sp.Float(1e-8)),
        [a3, b3],
        lambda a, b: F.cosine_similarity(a[None, :], b[None, :])[0],
        cos_cases,
    )
)
b_row = b_emb[1]
finite = G.numerical_gradient(
    lambda v: F.cosine_similarity(v[None, :], b_row[None, :])[0], np.zeros(4), h=1e-10
)
assert np.allclose(finite, grad_a[1], rtol=1e-6)
print(
    f"cosine_similarity, finite differences at a = 0 (step 1e-10): "
    f"norm {np.linalg.norm(finite):.3e}"
)
similar = np.array([1])
finite_loss = G.numerical_gradient(
    lambda v: F.cosine_embedding_loss(v[None, :], b_row[None, :], similar),
    np.zeros(4),
    h=1e-10,
)
formula_loss = -b_row / (1e-6 * math.sqrt(b_row @ b_row + 1e-12))  # loss = 1 - c_delta
assert np.allclose(finite_loss, formula_loss, rtol=1e-6)
print(
    f"cosine_embedding_loss (y = 1), finite differences at a = 0: "
    f"norm {np.linalg.norm(finite_loss):.3e}; formula "
    f"{np.linalg.norm(formula_loss):.3e}"
)

# %% [markdown]
# **Fix.** Find out why the vectors are zero (a dead layer, padding rows, an all-zero input),
# and leave such rows out of the loss with a mask. A norm threshold well above `eps`, here
# $10^{-6}$, also catches vectors that are merely tiny. On the rows that remain, the loss and
# the gradients are ordinary:

# %%
valid = np.linalg.norm(a_emb, axis=1) > 1e-6
masked_loss = float(F.cosine_embedding_loss(a_emb[valid], b_emb[valid], pairs[valid]))
grad_valid, _ = G.cosine_similarity_grad(a_emb[valid], b_emb[valid])
print(f"rows kept: {np.flatnonzero(valid)}; loss on them: {fmt(masked_loss)}")
print(f"largest gradient norm on them: {np.linalg.norm(grad_valid, axis=1).max():.4f}")

# %% [markdown]
# (sec-mistakes-checklist)=
# ## Summary: checks worth putting in a training loop
#
# Most fingerprints can be turned into a cheap assertion that runs on every batch, or on the
# first few:
#
# - The `input` of `cross_entropy` does **not** have non-negative rows summing to 1
#   ({ref}`sec-mistake-double-softmax`). The input of `nll_loss` is $\le 0$ (log-probabilities),
#   and every cross-entropy, NLL, KL and BCE value is $\ge 0$ ({ref}`sec-mistake-nll-probabilities`,
#   {ref}`sec-mistake-kl-arguments`, {ref}`sec-mistake-bce-swapped`).
# - `kl_div` is called with `reduction='batchmean'` on `(N, C)` input
#   ({ref}`sec-mistake-kl-mean`). A distillation term is
#   `kl_div(log_softmax(z / T), softmax(v / T), reduction='batchmean') * T**2`, student first
#   ({ref}`sec-mistake-distillation`).
# - A smoothed loss is read against $H(p^{\varepsilon})$ ({ref}`sec-mistake-label-smoothing-floor`).
#   Weighted and ignored targets are averaged the way you intend: accumulate sums and weight sums,
#   and guard the all-ignored batch ({ref}`sec-mistake-weighted-mean`,
#   {ref}`sec-mistake-all-ignored`).
# - A class that is never a valid answer is removed from the logits, not only from the targets
#   ({ref}`sec-mistake-ignored-class`).
# - Adding a constant to all class logits of one position, along the axis your model uses for
#   the classes, leaves the loss unchanged ({ref}`sec-mistake-class-dim`).
# - A sigmoid is applied exactly once, outside the loss ({ref}`sec-mistake-sigmoid-twice`). The
#   embeddings fed to a cosine loss have norms well above `eps` ({ref}`sec-mistake-zero-vector`).
#
# The cell below packs the first checks into one function and runs it on a correct call and on
# three mistaken ones:


# %%
def check_classification_call(loss, inputs, target):
    """Fingerprint checks for loss(inputs, target) with class-index targets."""
    problems = []
    rows = np.moveaxis(inputs, 1, -1) if inputs.ndim > 1 else inputs  # classes last
    if np.all(rows >= 0) and np.allclose(rows.sum(axis=-1), 1):
        problems.append("input rows are probabilities (a softmax before the loss?)")
    value = float(loss(inputs, target))
    if np.isnan(value):
        problems.append("loss is nan (every target ignored?)")
    elif value < 0:
        problems.append("loss is negative (probabilities or logits given to nll_loss?)")
    return problems or ["no fingerprint found"]


calls = {
    "cross_entropy(z, y)": (F.cross_entropy, z_small, y_small),
    "cross_entropy(softmax(z), y)": (
        F.cross_entropy,
        F.softmax(z_small, dim=1),
        y_small,
    ),
    "nll_loss(softmax(z), y)": (F.nll_loss, F.softmax(z_small, dim=1), y_small),
    "cross_entropy(z, y), all ignored": (F.cross_entropy, z_small, np.full(4, -100)),
}
for name, (loss, inputs, target) in calls.items():
    print(f"{name:34s} -> {'; '.join(check_classification_call(loss, inputs, target))}")

# %% [markdown]
# ## Exercises
#
# The first exercise uses five training runs whose last recorded losses the next cell prints
# (seeded, with a little noise, as real logs have).

# %%
plateau_rng = np.random.default_rng(8)
softplus_minus_1 = float(F.softplus(np.array(-1.0)))
runs = {
    "A": ("10 classes, F.cross_entropy", card[10][0]),
    "B": ("100 classes, F.cross_entropy, label_smoothing=0.1", card[100][2]),
    "C": ("1000 classes, F.nll_loss", -0.98),
    "D": (
        "8 labels, 25% positive, F.binary_cross_entropy_with_logits",
        0.25 * softplus_minus_1 + 0.75 * math.log(2),
    ),
    "E": ("10 classes, F.cross_entropy, label_smoothing=0.1", card[10][2] + 0.3),
}
final_loss = {
    run: round(value + plateau_rng.uniform(0.0005, 0.002), 4)
    for run, (_, value) in runs.items()
}
for run, (setup, _) in runs.items():
    print(f"run {run}: {setup:60s} last loss {final_loss[run]:.4f}")

# %% [markdown]
# ```{exercise} Read the plateau
# :label: ex-mistakes-1
# Each run printed above stopped improving at the loss shown, with training accuracy close to
# 100%. For each run, say which entry of this chapter explains the value, or that none does.
# Support each answer with the number the entry predicts. Which runs contain a bug, and which
# are behaving as designed?
# ```
#
# ```{solution-start} ex-mistakes-1
# :class: dropdown
# ```
#
# Compare each value with the floors of the entries. A: the double-softmax floor
# $\log(1 + 9/e)$, so the model ends in a softmax (a bug). B: the label-smoothing floor
# $H(p^{\varepsilon})$ for $C = 100$, $\varepsilon = 0.1$, the expected behaviour. C: a negative value
# close to $-1$, so probabilities are going into `nll_loss` (a bug), and minus the loss is the
# mean probability of the true class. D: $\frac14\operatorname{softplus}(-1) + \frac34\log 2$,
# a sigmoid applied before the with-logits loss (a bug). E: well above its smoothing floor, so
# none of the fingerprints matches. The excess over the floor, $D_{\mathrm{KL}}(p^{\varepsilon}\,\|\,q)$,
# is what remains to be learnt, or what the model cannot fit.

# %%
predicted = {
    "A": ("double softmax floor, C = 10", card[10][0]),
    "B": ("label-smoothing floor, C = 100, eps = 0.1", card[100][2]),
    "C": ("nll_loss of probabilities: between -1 and 0", -1.0),
    "D": ("sigmoid twice, 25% positive", 0.25 * softplus_minus_1 + 0.75 * math.log(2)),
    "E": ("label-smoothing floor, C = 10, eps = 0.1", card[10][2]),
}
for run, (explanation, value) in predicted.items():
    print(
        f"run {run}: last loss {final_loss[run]:8.4f}   {explanation:45s} {value:8.4f} "
        "  "
        f"difference {final_loss[run] - value:7.4f}"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} What a model learns from kl_div(q, p)
# :label: ex-mistakes-2
# Suppose a model is trained with the mistaken loss `F.kl_div(F.softmax(z), p, reduction='sum')`
# of {ref}`sec-mistake-kl-arguments`, for a fixed target $p = (0.5, 0.3, 0.2)$.
# (a) Show that, as a function of $q = \operatorname{softmax}(z)$, the loss is linear, and find
# where on the simplex it is smallest.
# (b) Starting from $z = 0$, run 2000 steps of gradient descent with step size 1 on the mistaken
# loss and on the correct `F.kl_div(F.log_softmax(z), p, reduction='sum')`. Use
# `G.kl_div_grad` and the chain rule through the softmax (or log-softmax). Print
# $\operatorname{softmax}(z)$ for both.
# (c) Which training target does the mistaken loss really have?
# ```
#
# ```{solution-start} ex-mistakes-2
# :class: dropdown
# ```
#
# (a) The loss is $-H(p) - \sum_c p_c q_c$. The first term does not depend on $q$, and the second
# is linear in $q$, so the Hessian is zero. A linear function on the simplex is smallest at a
# vertex, here $q = e_c$ with value $-H(p) - p_c$, so at the most probable class of $p$.
# (b) The gradient with respect to `input` is $-p$ in both cases. Through the softmax, whose
# Jacobian is $\operatorname{diag}(q) - qq^\top$, it becomes $q \odot (g - q^\top g)$. Through the
# log-softmax it becomes $g - q\sum_c g_c$. (c) The mistaken loss trains the model towards the
# one-hot vector of the mode of $p$, discarding the rest of the target: a hard label recovered
# from a soft one. Its gradient also fades as $q$ approaches that vertex.

# %%
L_mistaken = kl_div_terms(qq3, p3)
assert sp.hessian(L_mistaken, qq3) == sp.zeros(3, 3)
for c in range(3):
    vertex = {qi: (1 if i == c else 0) for i, qi in enumerate(qq3)}
    assert sp.simplify(L_mistaken.subs(vertex) - (-sym.entropy(p3) - p3[c])) == 0
print("(a) Hessian in q is zero; value at vertex e_c is -H(p) - p_c")
p_ex = np.array([0.5, 0.3, 0.2])
z_mistaken, z_correct = np.zeros(3), np.zeros(3)
for step in range(2000):
    q_m = F.softmax(z_mistaken, dim=0)
    g_q = G.kl_div_grad(q_m, p_ex, reduction="sum")
    z_mistaken = z_mistaken - q_m * (g_q - np.dot(q_m, g_q))
    g_log = G.kl_div_grad(F.log_softmax(z_correct, dim=0), p_ex, reduction="sum")
    z_correct = z_correct - (g_log - F.softmax(z_correct, dim=0) * g_log.sum())
q_mistaken, q_correct = F.softmax(z_mistaken, dim=0), F.softmax(z_correct, dim=0)
assert q_mistaken[0] > 0.99 and np.allclose(q_correct, p_ex, atol=1e-9)
print(f"(b) mistaken loss: softmax(z) = {q_mistaken}")
print(f"    correct loss:  softmax(z) = {q_correct}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} 'batchmean' for a single distribution
# :label: ex-mistakes-3
# For $p = (0.7, 0.2, 0.1)$ and $q = (0.4, 0.4, 0.2)$, compute $D_{\mathrm{KL}}(p\,\|\,q)$ with
# `info.kl_divergence`. Then compute `F.kl_div(log q, p)` with `reduction='batchmean'` and
# `reduction='sum'` for the 1-D arrays, and `'batchmean'` again after adding a batch dimension
# (`log_q[None]`, `p[None]`). Which calls return the KL divergence, and why does one of them not?
# ```
#
# ```{solution-start} ex-mistakes-3
# :class: dropdown
# ```
#
# `'batchmean'` divides the sum by `input.shape[0]`. For a batch of shape $(N, C)$ that is $N$,
# but for a single distribution of shape $(C,)$ it is $C$. The 1-D `'batchmean'` is therefore the
# KL divided by 3, while `'sum'` and the batched `'batchmean'` are the KL divergence.

# %%
p_one, q_one = np.array([0.7, 0.2, 0.1]), np.array([0.4, 0.4, 0.2])
kl_one = float(info.kl_divergence(p_one, q_one))
one_d_batchmean = float(F.kl_div(np.log(q_one), p_one, reduction="batchmean"))
one_d_sum = float(F.kl_div(np.log(q_one), p_one, reduction="sum"))
batched = float(F.kl_div(np.log(q_one)[None], p_one[None], reduction="batchmean"))
assert np.isclose(one_d_batchmean * 3, kl_one) and np.allclose(
    [one_d_sum, batched], kl_one
)
print(f"KL(p || q) = {fmt(kl_one)}")
print(
    f"1-D 'batchmean' = {fmt(one_d_batchmean)} (= KL / 3);  1-D 'sum' = "
    f"{fmt(one_d_sum)};  "
    f"(1, C) 'batchmean' = {fmt(batched)}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} An honest epoch average
# :label: ex-mistakes-4
# A tagger sees five batches of three sequences each. Every sequence has 4 positions and there
# are 5 classes, and the padded positions have target $-100$. The cell in the solution draws the
# logits (shape $(3, 5, 4)$ per batch) and the sequence lengths with
# `np.random.default_rng(4)`. The fourth batch happens to contain only padding.
# (a) What is the mean of the five batch losses (`reduction='mean'`)?
# (b) What is the mean of the batch losses that are not `nan`?
# (c) Compute the per-token loss of the epoch by accumulating sums and counts, and check it
# against one `F.cross_entropy` call on all batches concatenated. Why does (b) differ from (c)?
# ```
#
# ```{solution-start} ex-mistakes-4
# :class: dropdown
# ```
#
# (a) is `nan`, because one batch mean is $0/0$. (b) gives every batch the same weight, however
# many real tokens it has. (c) gives every *token* the same weight, which is what "the loss per
# token" means. The two agree only if all batches have the same number of real tokens.

# %%
epoch_rng = np.random.default_rng(4)
epoch_logits, epoch_targets = [], []
for batch in range(5):
    logits_b = epoch_rng.normal(size=(3, 5, 4))
    targets_b = epoch_rng.integers(0, 5, size=(3, 4))
    lengths_b = (
        np.zeros(3, dtype=int) if batch == 3 else epoch_rng.integers(1, 5, size=3)
    )
    targets_b[np.arange(4)[None, :] >= lengths_b[:, None]] = -100
    epoch_logits.append(logits_b)
    epoch_targets.append(targets_b)
batch_means = np.array(
    [float(F.cross_entropy(zb, yb)) for zb, yb in zip(epoch_logits, epoch_targets)]
)
token_sum = sum(
    float(F.cross_entropy(zb, yb, reduction="sum"))
    for zb, yb in zip(epoch_logits, epoch_targets)
)
token_count = sum(int(np.sum(yb != -100)) for yb in epoch_targets)
everything = float(
    F.cross_entropy(np.concatenate(epoch_logits), np.concatenate(epoch_targets))
)
assert np.isclose(token_sum / token_count, everything, rtol=1e-12)
print("real tokens per batch:", [int(np.sum(yb != -100)) for yb in epoch_targets])
print("batch means:", np.array2string(batch_means, precision=4, floatmode="fixed"))
print(f"(a) mean of batch means: {np.mean(batch_means)}")
print(f"(b) mean of the non-nan batch means: {fmt(np.nanmean(batch_means))}")
print(
    f"(c) accumulated sum / count: {fmt(token_sum / token_count)} "
    f"({token_count} tokens); one call on everything: {fmt(everything)}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Label smoothing and the padding class
# :label: ex-mistakes-5
# A vocabulary has $C = 5$ classes, class 0 being the padding class, and the model is trained
# with `F.cross_entropy(z, y, ignore_index=0, label_smoothing=0.1)` as in
# {ref}`sec-mistake-ignored-class`.
# (a) At a real position with target 3, what distribution minimises the loss, and what
# probability does it give the padding class? What is the smallest loss?
# (b) Confirm (a) by minimising the loss of one position over its five logits numerically
# (for example with `scipy.optimize.minimize`, using `G.cross_entropy_grad` as the gradient).
# (c) Compare with the floor when the padding class is sliced away. If text is generated by
# sampling from the trained model, how many padding tokens does a 50-token sequence contain on
# average?
# ```
#
# ```{solution-start} ex-mistakes-5
# :class: dropdown
# ```
#
# (a) The smoothing term of PyTorch's loss sums over all $C$ classes, padding included, so the
# optimum is the smoothed target $(1 - \varepsilon)e_3 + \varepsilon/5$, with $\varepsilon/5$ on
# the padding class, and the floor is its entropy. (c) Sliced, the target is smoothed over 4
# classes and the padding class never appears. Unsliced, the model is *trained* to produce
# padding with probability $\varepsilon/C$ at every position, so sampling produces
# $50\,\varepsilon/C$ padding tokens per 50-token sequence on average.

# %%
import scipy.optimize

eps_pad, y_pad = 0.1, np.array([3])


def pad_loss(z_row):
    return float(
        F.cross_entropy(z_row[None, :], y_pad, ignore_index=0, label_smoothing=eps_pad)
    )


def pad_grad(z_row):
    return G.cross_entropy_grad(
        z_row[None, :], y_pad, ignore_index=0, label_smoothing=eps_pad
    )[0]


found = scipy.optimize.minimize(
    pad_loss, np.zeros(5), jac=pad_grad, method="BFGS", options={"gtol": 1e-10}
)
q_found = F.softmax(found.x, dim=0)
target_5 = smoothed_target(5, eps_pad, target=3)
floor_5, floor_4 = (
    float(info.entropy(target_5)),
    float(info.entropy(smoothed_target(4, eps_pad, 2))),
)
assert np.allclose(q_found, target_5, atol=1e-6) and abs(found.fun - floor_5) < 1e-9
print(
    f"(a) optimum q = {target_5}, padding gets {target_5[0]:.3f}; floor {fmt(floor_5)} "
    "nats"
)
print(
    f"(b) numerical optimum softmax(z) = {np.round(q_found, 6) + 0.0}, loss "
    f"{fmt(found.fun)}"
)
print(
    f"(c) floor with the padding class sliced away: {fmt(floor_4)} nats; padding "
    "tokens per "
    f"50 sampled tokens: {50 * target_5[0]:.1f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`paszke2019` describe PyTorch. The semantics reproduced in this chapter (argument
#   order, reductions, `ignore_index`, clamps and `eps`) are those of its `torch.nn.functional`,
#   which `lossbook.functional` mirrors.
# - {cite:t}`kullback1951` define the divergence that `kl_div` computes, with the data
#   distribution first, the opposite of `kl_div`'s argument order.
# - {cite:t}`cover2006`, chapter 2, prove Gibbs' inequality, which gives the floor of every
#   cross-entropy loss, the label-smoothing floor included.
# - {cite:t}`szegedy2016` introduced label smoothing, and {cite:t}`muller2019` study what it does
#   to the logits, including the finite optimal margin behind its floor.
# - {cite:t}`hinton2015` train a student network on a teacher's softened outputs, the typical use
#   of `kl_div` between two models.
# - {cite:t}`goodfellow2016`, section 6.2.2, explain why softmax and sigmoid outputs are trained
#   with log-likelihood losses of the logits, which is the common root of the double-softmax and
#   double-sigmoid mistakes.
