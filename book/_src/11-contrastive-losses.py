# %% [markdown]
# # Contrastive losses
#
# CLIP matches images with their captions, SimCLR matches two crops of one photograph, and
# sentence-embedding models match a question with its answer. None of them has class labels:
# this is {term}`contrastive learning`, which learns from **pairs**. In a batch of $N$ pairs,
# each item should be more similar to its own partner than to the $N - 1$ other items. The loss
# that does this, InfoNCE
# {cite:p}`oord2018` ({term}`NT-Xent` in SimCLR {cite:p}`chen2020`, the symmetric loss of CLIP
# {cite:p}`radford2021`), turns out to be an old friend: it is the softmax
# {term}`cross-entropy` of {doc}`02-cross-entropy`, taken over the temperature-scaled cosine
# similarities of {doc}`06-cosine-similarity`, with the pair's index as the class label. This
# chapter joins the two halves of the book at that point.
#
# **In this chapter** you will
#
# - derive that InfoNCE is `cross_entropy(S, arange(N))` for the matrix $S$ of cosines divided
#   by a {term}`temperature`, and check it, with CLIP's symmetric loss and SimCLR's NT-Xent with
#   its self-similarity mask;
# - derive its gradient: the positive pulls with weight $1 - p_{ii}$, each
#   {term}`negative sample` pushes with its softmax weight $p_{ij}$; and show the limits
#   $\tau \to 0$ (only the hardest negative counts) and $\tau \to \infty$ (all count equally);
# - prove the temperature floor $\log(1 + (N-1)e^{-2/\tau})$ of each pair and the tight floor
#   $\log(1 + (N-1)e^{-N/((N-1)\tau)})$ of the batch, attained exactly by a regular simplex,
#   and tabulate them: they are why $\tau = 1$ "does not train";
# - prove that $\log N - L$ bounds the {term}`mutual information` from below, and check it on
#   correlated Gaussians where the mutual information is known exactly;
# - compare InfoNCE with the margin losses `triplet_margin_loss` and `margin_ranking_loss`;
# - reproduce four mistakes and their numeric fingerprints.
#
# **You need**
#
# - softmax cross-entropy with class indices and its gradient, from {doc}`02-cross-entropy`;
# - cosine similarity, its `eps` and `cosine_embedding_loss`, from {doc}`06-cosine-similarity`;
# - entropy, conditional entropy and mutual information, from
#   {doc}`01-information-and-entropy` and {doc}`05-kl-divergence`.

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
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=4, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(1111)

# %% [markdown]
# (sec-contrastive-batch)=
# ## A batch of pairs
#
# Take $N = 8$ pairs of 16-dimensional embeddings: $u_i$ (say, an image) and $v_i$ (its
# caption), where each $v_i$ is a noisy copy of $u_i$. Every $u_i$ is compared with every
# $v_j$ by their cosine $c_{ij} = \cos(u_i, v_j)$, giving an $N \times N$ matrix whose diagonal
# holds the {term}`positive pair`s and whose other entries are negatives. Dividing by a
# temperature $\tau$ and taking a softmax along each row turns row $i$ into a guess of which
# $v_j$ belongs to $u_i$.

# %%
n_pairs, dim, tau = 8, 16, 0.1
u = rng.standard_normal((n_pairs, dim))
v = u + 0.9 * rng.standard_normal((n_pairs, dim))
cosines = F.cosine_similarity(u[:, None, :], v[None, :, :], dim=-1)
probs = F.softmax(cosines / tau, 1)
print(
    f"mean cosine of the positives {np.mean(np.diag(cosines)):.3f}, "
    f"of the negatives {np.mean(cosines[~np.eye(n_pairs, dtype=bool)]):.3f}"
)
print(
    f"mean softmax weight of the positive at tau = {tau}: {np.mean(np.diag(probs)):.3f}"
)

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two 8 by 8 heat maps. Left: the cosine similarities between 8 embeddings u_i (rows) and 8 embeddings v_j (columns); the diagonal, the positive pairs, is clearly lighter (cosines around 0.7) than the off-diagonal entries (around 0). Right: the softmax of each row after dividing by the temperature 0.1; most of each row's probability sits on the diagonal (0.89 on average)."}}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, matrix, title, label in [
    (axes[0], cosines, r"cosines $c_{ij} = \cos(u_i, v_j)$", "cosine (no unit)"),
    (axes[1], probs, rf"softmax of row $i$ of $c/\tau$, $\tau = {tau}$", "probability"),
]:
    image = ax.imshow(
        matrix, cmap="viridis", vmin=-1 if matrix is cosines else 0, vmax=1
    )
    ax.set_xlabel("column $j$ (embedding $v_j$)")
    ax.set_ylabel("row $i$ (embedding $u_i$)")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label=label, shrink=0.85)
plt.show()

# %% [markdown]
# (sec-contrastive-infonce)=
# ## InfoNCE is cross-entropy
#
# With $s_{ij} = c_{ij}/\tau$, the {term}`InfoNCE` loss of pair $i$ is the negative log of the
# softmax weight of its positive,
#
# $$
# \ell_i = -\log \frac{e^{s_{ii}}}{\sum_{j=1}^{N} e^{s_{ij}}},
# \qquad L = \frac1N \sum_{i=1}^{N} \ell_i .
# $$
#
# Read row $i$ of $S$ as the {term}`logits <logit>` of a classifier over $N$ "classes", the columns.
# The correct class of row $i$ is column $i$, so the targets are $0, 1, \dots, N-1$.
#
# ```{prf:theorem} InfoNCE is cross-entropy
# :label: thm-infonce-ce
# For any $N \times N$ matrix $S$,
# $\ell_i = \operatorname{logsumexp}_j(s_{ij}) - s_{ii}$, which is the softmax cross-entropy of
# the logits $s_{i\cdot}$ with class index $i$. Hence
# $L = \texttt{cross\_entropy}(S, [0, 1, \dots, N-1])$ with the default `'mean'` reduction.
# ```
#
# ```{prf:proof}
# $-\log(e^{s_{ii}}/\sum_j e^{s_{ij}}) = \log\sum_j e^{s_{ij}} - s_{ii}$, and
# {doc}`02-cross-entropy` shows that `cross_entropy` of logits $z$ with class $y$ is
# $\operatorname{logsumexp}(z) - z_y$. The mean over rows is the `'mean'` reduction.
# ```
#
# SymPy proves the identity for $N \times N$ matrices of symbols, entry by entry, for
# $N = 2, 3, 4, 5$ (the proof above covers every $N$), and shows the $3 \times 3$ case.


# %%
def info_nce_and_cross_entropy(n):
    S_n = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"s_{{{i}{j}}}", real=True))
    rows = [
        -sp.log(sp.exp(S_n[i, i]) / sum(sp.exp(S_n[i, j]) for j in range(n)))
        for i in range(n)
    ]
    return S_n, rows, [sym.logsumexp(list(S_n.row(i))) - S_n[i, i] for i in range(n)]


for n in (2, 3, 4, 5):
    _, rows_n, cross_entropy_n = info_nce_and_cross_entropy(n)
    sym.check_identity(rows_n, cross_entropy_n).assert_proved()
S_sym, info_nce_sym, as_cross_entropy = info_nce_and_cross_entropy(3)
display(sym.check_identity(info_nce_sym, as_cross_entropy))

# %% [markdown]
# On numbers, the SymPy definition (lambdified) agrees with lossbook's `F.cross_entropy` with
# targets `arange(3)`, on random and on extreme logits:


# %%
def cross_entropy_rows(S):
    return F.cross_entropy(S, np.arange(len(S)), reduction="none")


cases = sym.random_cases(rng, lambda g: (3 * g.standard_normal((3, 3)),), count=3)
cases["cosines over tau = 0.1"] = (rng.uniform(-1, 1, (3, 3)) / 0.1,)
display(sym.check_numeric(info_nce_sym, [S_sym.tolist()], cross_entropy_rows, cases))

# %% [markdown]
# And on embeddings: `F.info_nce` (lossbook's InfoNCE, which PyTorch does not have) equals the
# composition of `F.cosine_similarity` and `F.cross_entropy` for the batch above, for each of
# its three conventions. CLIP's loss is **symmetric**: it also classifies each caption $v_j$
# among the images, which is the cross-entropy of the transpose $S^\top$, and averages the two
# directions.

# %%
labels = np.arange(n_pairs)
S = cosines / tau
composed = {
    "info_nce": F.cross_entropy(S, labels),
    "clip": (F.cross_entropy(S, labels) + F.cross_entropy(S.T, labels)) / 2,
}
for variant, value in composed.items():
    ours = float(F.info_nce(u, v, temperature=tau, variant=variant))
    assert math.isclose(ours, float(value), rel_tol=1e-12)
    print(f"{variant:>8}: F.info_nce = {ours:.6f}   composition = {float(value):.6f}")

# %% [markdown]
# SimCLR's **NT-Xent** ("normalised temperature-scaled cross-entropy") puts the two views of
# each image into one batch of $2N$ embeddings $z = [u; v]$ and compares each view with all the
# others. View $k$'s positive is its twin $k \pm N$; its negatives are the other $2N - 2$ views.
# Its similarity with **itself** ($\cos = 1$, the largest possible logit) must be removed from
# its softmax: NT-Xent sets the diagonal of $S$ to $-\infty$, so that $e^{s_{kk}} = 0$.

# %%
z = np.concatenate([u, v])
S_views = F.cosine_similarity(z[:, None, :], z[None, :, :], dim=-1) / tau
np.fill_diagonal(S_views, -np.inf)
twin = (np.arange(2 * n_pairs) + n_pairs) % (2 * n_pairs)
nt_xent_composed = float(F.cross_entropy(S_views, twin))
nt_xent = float(F.info_nce(u, v, temperature=tau, variant="nt_xent"))
assert math.isclose(nt_xent, nt_xent_composed, rel_tol=1e-12)
print(
    f"NT-Xent over {2 * n_pairs} views: F.info_nce = {nt_xent:.6f}   "
    f"composition = {nt_xent_composed:.6f}"
)

# %% [markdown]
# (sec-contrastive-gradient)=
# ## The gradient: pull the positive, push the negatives
#
# ```{prf:theorem} Gradient of InfoNCE
# :label: thm-infonce-gradient
# With $p_{ij} = \operatorname{softmax}(s_{i\cdot})_j$,
# $\partial \ell_i / \partial s_{ij} = p_{ij} - [i = j]$. For unit vectors $u_i, v_j$ and
# $s_{ij} = u_i \cdot v_j / \tau$,
#
# $$
# \frac{\partial \ell_i}{\partial u_i}
# = \frac{1}{\tau}\Bigl(-(1 - p_{ii})\, v_i + \sum_{j \ne i} p_{ij}\, v_j\Bigr).
# $$
# ```
#
# ```{prf:proof}
# The first part is the softmax cross-entropy gradient of {doc}`02-cross-entropy` with class
# $i$. By the chain rule, $\partial \ell_i/\partial u_i = \sum_j (p_{ij} - [i=j])\, v_j/\tau$,
# and $\sum_j p_{ij} v_j - v_i = -(1 - p_{ii}) v_i + \sum_{j\ne i} p_{ij} v_j$.
# ```
#
# Gradient descent moves $u_i$ along minus this vector: **towards** its positive $v_i$ with
# weight $1 - p_{ii}$, and **away from** each negative $v_j$ with weight $p_{ij}$, its softmax
# probability. The weights balance: $\sum_{j\ne i} p_{ij} = 1 - p_{ii}$. A negative that is
# already far away (small $p_{ij}$) is barely pushed; a {term}`hard negative` takes most of the
# push. SymPy checks the first part for $N = 3, 4, 5$:


# %%
def info_nce_row_gradient_holds(n):
    s = sp.symbols(f"s0:{n}", real=True)
    loss = sym.logsumexp(list(s)) - s[0]
    softmax = sym.softmax(list(s))
    derived = [sp.diff(loss, s_j) for s_j in s]
    stated = [softmax[j] - (1 if j == 0 else 0) for j in range(n)]
    return sym.check_identity(derived, stated)


for n in (3, 4, 5):
    info_nce_row_gradient_holds(n).assert_proved()
print("d l_i / d s_ij = p_ij - [i = j] proved for N = 3, 4, 5")

# %% [markdown]
# For unit-length embeddings, lossbook's analytic gradient `G.info_nce_grad` (which also
# differentiates the normalisation, so it keeps only the part of the vector above that is
# orthogonal to $u_i$) agrees with the formula; the table lists the pull and push weights of
# the first anchor.

# %%
unit_u = u / np.linalg.norm(u, axis=1, keepdims=True)
unit_v = v / np.linalg.norm(v, axis=1, keepdims=True)
p_unit = F.softmax(unit_u @ unit_v.T / tau, 1)
formula = (p_unit @ unit_v - unit_v) / tau
tangent = formula - np.sum(formula * unit_u, axis=1, keepdims=True) * unit_u
analytic, _ = G.info_nce_grad(unit_u, unit_v, temperature=tau, reduction="sum")
assert np.allclose(analytic, tangent, rtol=1e-10, atol=1e-12)
print("anchor 0:  pull of its positive 1 - p_00 =", f"{1 - p_unit[0, 0]:.4f}")
print("           push of each negative p_0j     =", np.round(p_unit[0, 1:], 4))
print(f"           sum of the pushes             = {p_unit[0, 1:].sum():.4f}")

# %% [markdown]
# **The temperature decides who pushes.** Among the negatives, the push is shared out by the
# weights $w_j = p_{ij}/(1 - p_{ii}) = \operatorname{softmax}_{j \ne i}(c_{ij}/\tau)$. As
# $\tau \to 0$ they concentrate on the hardest negative (the largest $c_{ij}$), and the loss
# itself, times $\tau$, tends to a hinge on the hardest negative:
# $\tau\,\ell_i \to \max(0, \max_{j\ne i} c_{ij} - c_{ii})$. As $\tau \to \infty$ every
# negative gets the same weight $1/(N - 1)$. SymPy computes these limits for an anchor with
# three negatives of cosines $\tfrac12, \tfrac15, -\tfrac{3}{10}$:

# %%
tau_sym = sp.Symbol("tau", positive=True)
negatives = [sp.Rational(1, 2), sp.Rational(1, 5), sp.Rational(-3, 10)]
weights = [
    sp.exp(c / tau_sym) / sum(sp.exp(d / tau_sym) for d in negatives) for c in negatives
]
cold = [sp.limit(w, tau_sym, 0, "+") for w in weights]
hot = [sp.limit(w, tau_sym, sp.oo) for w in weights]
assert cold == [1, 0, 0] and hot == [sp.Rational(1, 3)] * 3
limits_of_loss = {}
for positive in (sp.Rational(7, 10), sp.Rational(2, 5)):
    loss = sp.log(sum(sp.exp((c - positive) / tau_sym) for c in [positive, *negatives]))
    limits_of_loss[positive] = sp.limit(tau_sym * loss, tau_sym, 0, "+")
    assert limits_of_loss[positive] == max(0, max(negatives) - positive)
display(
    Math(
        r"\lim_{\tau\to0^+} w_j = "
        + sp.latex(tuple(cold))
        + r",\quad \lim_{\tau\to\infty} w_j = "
        + sp.latex(tuple(hot))
    )
)
display(
    Math(
        r"\lim_{\tau\to0^+}\tau\,\ell = "
        + r",\ ".join(
            rf"{sp.latex(v)}\ (c_{{ii}} = {sp.latex(k)})"
            for k, v in limits_of_loss.items()
        )
    )
)

# %% tags=["hide-input"] mystnb={"image": {"alt": "Line plot of the share of the push received by each of 7 negatives of one anchor against the temperature, from 0.01 to 100 on a logarithmic axis. At small temperatures the hardest negative (highest cosine) receives a share near 1 and the others near 0; as the temperature grows the curves converge to the dashed line at 1/7, equal shares."}}
taus = np.logspace(-2, 2, 200)
anchor_negatives = np.sort(cosines[0, 1:])[::-1]
shares = F.softmax(anchor_negatives[None, :] / taus[:, None], 1)
fig, ax = lbplot.figure()
for k in range(len(anchor_negatives)):
    ax.plot(taus, shares[:, k], label=f"cos = {anchor_negatives[k]:+.2f}")
ax.axhline(1 / len(anchor_negatives), color="0.4", ls="--", lw=1, label="1/(N-1)")
ax.set_xscale("log")
ax.set_xlabel(r"temperature $\tau$ (no unit)")
ax.set_ylabel(r"share of the push $w_j$")
ax.set_title("Small temperatures push the hardest negative")
ax.legend(fontsize=8, ncol=2)
plt.show()

# %% [markdown]
# (sec-contrastive-floor)=
# ## The temperature floor
#
# Cosines live in $[-1, 1]$, so the logits $s_{ij} = c_{ij}/\tau$ live in $[-1/\tau, 1/\tau]$:
# a large temperature keeps every softmax close to uniform, however good the embeddings are.
#
# ```{prf:theorem} Temperature floor
# :label: thm-temperature-floor
# For every batch of $N$ pairs and every $\tau > 0$, each InfoNCE loss (one-way or CLIP)
# satisfies $\ell_i \ge \log\bigl(1 + (N-1)\,e^{-2/\tau}\bigr)$.
# ```
#
# ```{prf:proof}
# $\ell_i = \log\bigl(1 + \sum_{j \ne i} e^{(c_{ij} - c_{ii})/\tau}\bigr)$. Each term increases
# with $c_{ij}$ and decreases with $c_{ii}$, so the sum is smallest at $c_{ij} = -1$ and
# $c_{ii} = 1$, where each of the $N - 1$ terms is $e^{-2/\tau}$. The CLIP loss is a mean of two
# such losses.
# ```
#
# SymPy checks the monotonicity and the value at the corner with $N$ a symbol ($N - 1$
# negatives of the same cosine $c$, positive of cosine $c_+$), and then for $N = 4$ with three
# distinct negative cosines $c_1, c_2, c_3$:

# %%
N_sym = sp.Symbol("N", integer=True, positive=True)
c_neg, c_pos = sp.symbols("c c_{+}", real=True)
ell = sp.log(1 + (N_sym - 1) * sp.exp((c_neg - c_pos) / tau_sym))
more_negatives = N_sym - 1
slope_neg = sp.simplify(
    sp.diff(ell, c_neg)
    * (1 + more_negatives * sp.exp((c_neg - c_pos) / tau_sym))
    * tau_sym
    / sp.exp((c_neg - c_pos) / tau_sym)
)
slope_pos = sp.simplify(sp.diff(ell, c_pos) + sp.diff(ell, c_neg))
assert (
    sp.simplify(slope_neg - (N_sym - 1)) == 0
)  # d ell / dc has the sign of N - 1 >= 0
assert slope_pos == 0  # and d ell / dc_+ = -d ell / dc
floor = ell.subs({c_neg: -1, c_pos: 1})
floor_stated = sp.log(1 + (N_sym - 1) * sp.exp(-2 / tau_sym))
assert sp.simplify(floor - floor_stated) == 0

negative_cosines = sp.symbols("c_1:4", real=True)
exponentials = [sp.exp((c - c_pos) / tau_sym) for c in negative_cosines]
ell_4 = sp.log(1 + sum(exponentials))
for c, e in zip(
    negative_cosines, exponentials
):  # d ell / dc_j = e_j / (tau (1 + sum e)) > 0
    assert sp.simplify(sp.diff(ell_4, c) - e / (tau_sym * (1 + sum(exponentials)))) == 0
assert (
    sp.simplify(
        sp.diff(ell_4, c_pos) + sum(sp.diff(ell_4, c) for c in negative_cosines)
    )
    == 0
)
corner_4 = ell_4.subs({**{c: -1 for c in negative_cosines}, c_pos: 1})
assert sp.simplify(corner_4 - floor_stated.subs(N_sym, 4)) == 0
display(Math(r"\ell_i \ge " + sp.latex(floor_stated)))

# %% [markdown]
# The table gives the floor beside $\log N$, the loss of embeddings that tell nothing apart
# (all cosines equal), and the largest probability the positive of one row can ever get,
# $1/(1 + (N-1)e^{-2/\tau})$.


# %%
def temperature_floor(n, t):
    return math.log1p((n - 1) * math.exp(-2 / t))


table_taus = [0.01, 0.05, 0.1, 0.5, 1.0, 2.0]
table_ns = [2, 16, 256, 4096, 32768]
print("floor of the InfoNCE loss, in nats (log N in the last row)")
print("   tau " + "".join(f"{f'N = {n}':>12}" for n in table_ns))
for t in table_taus:
    print(f"{t:6.2f} " + "".join(f"{temperature_floor(n, t):12.4g}" for n in table_ns))
print(" log N " + "".join(f"{math.log(n):12.4f}" for n in table_ns))
print("\nlargest probability of the positive in one row, N = 256")
for t in table_taus:
    print(f"  tau = {t:5.2f}: {1 / (1 + 255 * math.exp(-2 / t)):.4f}")

# %% [markdown]
# The floor is attained only for $N = 2$: for $N \ge 3$ the negatives cannot all be antipodal
# to the anchor. Averaging over the batch gives a tighter bound, attained whenever the
# dimension allows it.
#
# ```{prf:theorem} Tight floor of the batch loss
# :label: thm-tight-floor
# For unit vectors $u_1, \dots, u_N$ and $v_1, \dots, v_N$ ($N \ge 2$) and every $\tau > 0$, the
# mean InfoNCE loss (one-way or CLIP) satisfies
#
# $$
# L \ge \log\bigl(1 + (N-1)\,e^{-N/((N-1)\tau)}\bigr),
# $$
#
# with equality if and only if $u_i = v_i$ for every $i$ and the $u_i$ form a regular simplex
# centred at 0 ($c_{ij} = -1/(N-1)$ for $i \ne j$). Such a simplex exists in $\mathbb{R}^D$ if
# and only if $N \le D + 1$; for larger batches the inequality is strict.
# ```
#
# ```{prf:proof}
# Let $\varphi(m) = \log(1 + (N-1)e^{m/\tau})$, which is increasing and strictly convex, and
# $m_i = \frac{1}{N-1}\sum_{j \ne i}(c_{ij} - c_{ii})$. (1) The exponential is convex, so
# (Jensen) $\sum_{j\ne i} e^{(c_{ij} - c_{ii})/\tau} \ge (N-1)e^{m_i/\tau}$, that is
# $\ell_i \ge \varphi(m_i)$. (2) $\varphi$ is convex, so $L = \frac1N\sum_i \ell_i \ge
# \varphi(\bar m)$ with $\bar m = \frac1N\sum_i m_i = \frac{1}{N(N-1)}\sum_{i \ne j}(c_{ij} -
# c_{ii})$. (3) With $U = \sum_i u_i$ and $V = \sum_i v_i$,
# $\sum_{i\ne j}(c_{ij} - c_{ii}) = U\cdot V - N\sum_i c_{ii}$ and
# $\sum_{i,j}(u_i - u_j)\cdot(v_i - v_j) = 2N\sum_i c_{ii} - 2\,U\cdot V$. By Cauchy–Schwarz the
# left side is at most $\bigl(\sum_{i,j}\lVert u_i - u_j\rVert^2\bigr)^{1/2}
# \bigl(\sum_{i,j}\lVert v_i - v_j\rVert^2\bigr)^{1/2}$, and
# $\sum_{i,j}\lVert u_i - u_j\rVert^2 = 2N^2 - 2\lVert U\rVert^2 \le 2N^2$ (likewise for $v$).
# Hence $U\cdot V - N\sum_i c_{ii} \ge -N^2$, $\bar m \ge -N/(N-1)$, and
# $L \ge \varphi(-N/(N-1))$, the stated bound. CLIP's second direction is the same loss with
# $u$ and $v$ exchanged, so the mean of the two obeys the same bound.
#
# Equality in (3) needs $U = V = 0$ and equality in Cauchy–Schwarz between two vectors of the
# same length, so $u_i - u_j = v_i - v_j$ for all $i, j$, hence $u_i = v_i$ (sum over $j$) and
# $c_{ii} = 1$. Equality in (1) and (2), with strictly convex functions, needs every
# $c_{ij} - c_{ii}$, $i \ne j$, to be the same number, so $c_{ij} = c$ for $i \ne j$; then
# $0 = \lVert U \rVert^2 = N + N(N-1)c$ gives $c = -1/(N-1)$: a regular simplex centred at 0.
# Conversely the simplex makes every step an equality (checked on numbers below). Its $N$
# vertices have a Gram matrix $\frac{N}{N-1}(I - \frac1N \mathbf{1}\mathbf{1}^\top)$ of rank
# $N - 1$, so they fit in $\mathbb{R}^D$ if and only if $N - 1 \le D$.
# ```
#
# SymPy checks the two sum identities of step (3) on vectors of symbols in the plane for
# $N = 2, 3, 4$, the convexity of $\varphi$ and the value of $\varphi(-N/(N-1))$:

# %%
m_sym = sp.Symbol("m", real=True)
phi = sp.log(1 + (N_sym - 1) * sp.exp(m_sym / tau_sym))
phi_second = (
    (N_sym - 1)
    * sp.exp(m_sym / tau_sym)
    / (tau_sym**2 * (1 + (N_sym - 1) * sp.exp(m_sym / tau_sym)) ** 2)
)
assert sp.simplify(sp.diff(phi, m_sym, 2) - phi_second) == 0  # > 0 for N >= 2
assert (
    sp.simplify(
        sp.diff(phi, m_sym) * tau_sym * (1 + (N_sym - 1) * sp.exp(m_sym / tau_sym))
        - (N_sym - 1) * sp.exp(m_sym / tau_sym)
    )
    == 0
)  # phi' > 0
tight_stated = sp.log(1 + (N_sym - 1) * sp.exp(-N_sym / ((N_sym - 1) * tau_sym)))
assert sp.simplify(phi.subs(m_sym, -N_sym / (N_sym - 1)) - tight_stated) == 0
for n in (2, 3, 4):
    us = [sp.Matrix(sp.symbols(f"u_{{{i}1}} u_{{{i}2}}", real=True)) for i in range(n)]
    vs = [sp.Matrix(sp.symbols(f"v_{{{i}1}} v_{{{i}2}}", real=True)) for i in range(n)]
    U, V = sum(us, sp.zeros(2, 1)), sum(vs, sp.zeros(2, 1))
    c_m = [[us[i].dot(vs[j]) for j in range(n)] for i in range(n)]
    trace = sum(c_m[i][i] for i in range(n))
    off_diagonal = sum(
        c_m[i][j] - c_m[i][i] for i in range(n) for j in range(n) if i != j
    )
    assert sp.expand(off_diagonal - (U.dot(V) - n * trace)) == 0
    cross = sum((us[i] - us[j]).dot(vs[i] - vs[j]) for i in range(n) for j in range(n))
    assert sp.expand(cross - (2 * n * trace - 2 * U.dot(V))) == 0
    spread = sum((us[i] - us[j]).dot(us[i] - us[j]) for i in range(n) for j in range(n))
    squared_norms = sum(x.dot(x) for x in us)
    assert sp.expand(spread - (2 * n * squared_norms - 2 * U.dot(U))) == 0
display(Math(r"L \ge " + sp.latex(tight_stated)))

# %% [markdown]
# On numbers: the regular simplex (built in $\mathbb{R}^N$, with $u_i = v_i$) attains the bound,
# and random unit embeddings, with batches larger than $D + 1$ among them, never beat it.


# %%
def regular_simplex(n):
    centred = np.eye(n) - 1 / n
    return centred / np.linalg.norm(centred, axis=1, keepdims=True)


def tight_floor(n, t):
    return math.log1p((n - 1) * math.exp(-n / ((n - 1) * t)))


for n, t in [(2, 0.5), (4, 0.1), (8, 1.0), (16, 0.5)]:
    vertices = regular_simplex(n)
    attained = float(F.info_nce(vertices, vertices, temperature=t))
    assert math.isclose(attained, tight_floor(n, t), rel_tol=1e-12)
    assert attained >= temperature_floor(n, t)
    print(
        f"N = {n:2d}, tau = {t}: simplex {attained:.4e}   "
        f"tight {tight_floor(n, t):.4e}   "
        f"floor {temperature_floor(n, t):.4e}"
    )
bound_rng = np.random.default_rng(3)
smallest_gap = math.inf
for _ in range(300):
    n, d = int(bound_rng.integers(2, 12)), int(bound_rng.integers(2, 8))
    t = float(bound_rng.choice([0.1, 0.5, 1.0, 2.0]))
    x1 = bound_rng.standard_normal((n, d))
    x2 = x1 + bound_rng.uniform(0, 1) * bound_rng.standard_normal((n, d))
    for variant in ("info_nce", "clip"):
        gap_to_bound = float(F.info_nce(x1, x2, t, variant)) - tight_floor(n, t)
        smallest_gap = min(smallest_gap, gap_to_bound)
assert smallest_gap >= 0
print(f"300 random batches, one-way and CLIP: smallest L - bound = {smallest_gap:.3g}")

# %% [markdown]
# The loss is a mean of $-\log p_{ii}$, so $e^{-L}$ is the geometric mean of the positives'
# probabilities: the tight floor caps it at $e^{-\text{bound}}$, while a single row can reach
# the $1/(1 + (N-1)e^{-2/\tau})$ of the table above. For a batch of 256:

# %%
print("N = 256: tight floor, cap on the geometric mean of p_ii, cap on one p_ii")
for t in table_taus:
    print(
        f"  tau = {t:5.2f}: {tight_floor(256, t):7.4f}   "
        f"{math.exp(-tight_floor(256, t)):.4f}   "
        f"{1 / (1 + 255 * math.exp(-2 / t)):.4f}"
    )
assert round(tight_floor(256, 1.0), 2) == 4.55
assert round(100 * math.exp(-tight_floor(256, 1.0)), 2) == 1.06

# %% [markdown]
# At $\tau = 1$ with a batch of 256 the loss can only go from $\log 256 \approx 5.55$ down to
# about 4.55, and the positives get on average (geometrically) at most 1.06% of the
# probability: the softmax cannot become confident, so the loss plateaus high and its
# gradients stay spread over all the negatives. That is the sense in which $\tau = 1$ "does not
# train"; CLIP initialises $\tau = 0.07$ and learns it, SimCLR uses 0.1 to 0.5.

# %% [markdown]
# (sec-contrastive-mi)=
# ## A lower bound on mutual information
#
# InfoNCE was introduced as an estimator {cite:p}`oord2018,poole2019`: whatever the critic
# $f(x, y)$ that scores pairs (above, $f = \cos/\tau$), its expected loss gives a lower bound on
# the {term}`mutual information` between the two views.
#
# ```{prf:theorem} InfoNCE bounds mutual information
# :label: thm-infonce-mi
# Draw $(X, Y_1) \sim p_{XY}$ and $Y_2, \dots, Y_N \sim p_Y$ independently, and let
# $L = \mathbb{E}\bigl[-\log \bigl(e^{f(X, Y_1)} / \sum_j e^{f(X, Y_j)}\bigr)\bigr]$. Then for
# every critic $f$, $I(X; Y) \ge \log N - L$.
# ```
#
# ```{prf:proof}
# Put the true partner at a uniformly random position $C$ among $Y_1, \dots, Y_N$. The softmax
# of $f$ is a guess $q(c \mid X, Y_{1:N})$ of $C$, and $L$ is its expected cross-entropy, which
# is at least the conditional entropy (Gibbs' inequality):
# $L \ge H(C \mid X, Y_{1:N}) = \log N - I(C; X, Y_{1:N})$. Since $C$ is independent of $X$,
# $I(C; X, Y_{1:N}) = I(C; Y_{1:N} \mid X)$. By the chain rule,
# $I(C; Y_{1:N} \mid X) = I(X; Y_{1:N} \mid C) + I(C; Y_{1:N}) - I(X; Y_{1:N})
# \le I(X; Y_{1:N} \mid C) = I(X; Y)$, because $I(C; Y_{1:N}) = 0$ (whatever $C$, the $Y_j$ are
# independent draws from $p_Y$) and, given $C$, only $Y_C$ depends on $X$.
# ```
#
# Two consequences: the bound can never exceed $\log N$ (as $L \ge 0$), so certifying $k$ nats
# of information takes batches of at least $e^k$; and the best critic is the log density ratio
# $f^*(x, y) = \log p(y \mid x) / p(y)$ (up to a function of $x$), because by Bayes' rule its
# softmax $p(Y_c \mid X)/p(Y_c) \big/ \sum_j p(Y_j \mid X)/p(Y_j)$ *is* the posterior of $C$
# given $X, Y_{1:N}$, which makes the Gibbs step of the proof an equality. Correlated
# standard Gaussians with correlation $\rho$ make an exact test case: SymPy derives their
# mutual information $h(Y) - h(Y \mid X)$ and the optimal critic.

# %%
rho, x_s, y_s = (
    sp.Symbol("rho", positive=True),
    sp.Symbol("x", real=True),
    sp.Symbol("y", real=True),
)
entropy_y = sp.log(2 * sp.pi * sp.E) / 2  # Y ~ N(0, 1)
entropy_y_given_x = (
    sp.log(2 * sp.pi * sp.E * (1 - rho**2)) / 2
)  # Y | X ~ N(rho x, 1 - rho^2)
mutual_information = sp.simplify(
    sp.expand_log(entropy_y - entropy_y_given_x, force=True)
)
assert sp.simplify(mutual_information + sp.log(1 - rho**2) / 2) == 0
density_y = sp.exp(-(y_s**2) / 2) / sp.sqrt(2 * sp.pi)
density_y_given_x = sp.exp(-((y_s - rho * x_s) ** 2) / (2 * (1 - rho**2))) / sp.sqrt(
    2 * sp.pi * (1 - rho**2)
)
critic = sp.expand_log(sp.log(density_y_given_x / density_y), force=True)
critic_stated = (
    y_s**2 / 2 - (y_s - rho * x_s) ** 2 / (2 * (1 - rho**2)) - sp.log(1 - rho**2) / 2
)
assert sp.simplify(critic - critic_stated) == 0
display(
    Math(
        r"I(X;Y) = "
        + sp.latex(-sp.log(1 - rho**2) / 2)
        + r",\qquad f^*(x, y) = "
        + sp.latex(critic_stated)
    )
)

# %% [markdown]
# The cell estimates $\log N - L$ by Monte Carlo with the optimal critic: each batch draws $N$
# pairs, the critic matrix $F_{ij} = f^*(x_i, y_j)$ plays the role of $S$, and $L$ is
# `F.cross_entropy(F, arange(N))`, exactly as for InfoNCE. Each estimate is a mean over
# batches, so it carries Monte Carlo noise: the bound holds for the *expected* value of
# $\log N - L$, and an estimate may land above $I$ by a few standard errors (printed after
# $\pm$, and drawn as error bars; at most 0.014 nats, they hide behind the markers): for
# $\rho = 0.5$ the estimate at $N = 64$, $0.150 \pm 0.005$, is just above $I = 0.144$.

# %%
critic_numeric = sp.lambdify((x_s, y_s, rho), critic_stated, "numpy")
rhos = [0.5, 0.9, 0.99, 0.9999]
batch_sizes = 2 ** np.arange(1, 11)
mc_rng = np.random.default_rng(20261130)
bound = {}
for r in rhos:
    exact_mi = -0.5 * math.log(1 - r**2)
    estimates = []
    for n in batch_sizes:
        repeats = max(4, 8192 // n)
        x = mc_rng.standard_normal((repeats, n))
        y = r * x + math.sqrt(1 - r**2) * mc_rng.standard_normal((repeats, n))
        scores = critic_numeric(x[:, :, None], y[:, None, :], r).reshape(-1, n)
        losses = F.cross_entropy(
            scores, np.tile(np.arange(n), repeats), reduction="none"
        )
        per_batch = math.log(n) - losses.reshape(repeats, n).mean(axis=1)
        assert np.all(per_batch <= math.log(n) + 1e-12)  # L >= 0: never above log N
        standard_error = per_batch.std(ddof=1) / math.sqrt(repeats)
        assert per_batch.mean() <= exact_mi + 4 * standard_error + 1e-9
        estimates.append((per_batch.mean(), standard_error))
    bound[r] = np.array(estimates)
    print(
        f"rho = {r}: I = {exact_mi:.3f} nats; log N - L at N = 2, 64, 1024: "
        + ", ".join(f"{estimates[k][0]:.3f} ± {estimates[k][1]:.3f}" for k in (0, 5, 9))
    )
largest_error = max(float(bound[r][:, 1].max()) for r in rhos)
print(f"largest standard error over all rho and N: {largest_error:.3f} nats")
# for rho = 0.5 a batch of 1024 makes the bound tight: within 4 standard errors of I
final_estimate, final_error = bound[0.5][-1]
assert abs(final_estimate - (-0.5 * math.log(1 - 0.5**2))) <= 4 * final_error

# %% tags=["hide-input"] mystnb={"image": {"alt": "Line plot of the InfoNCE lower bound log N minus L, in nats, against the batch size N from 2 to 1024 on a logarithmic axis, for four correlations rho = 0.5, 0.9, 0.99 and 0.9999, each point with its Monte Carlo standard error as an error bar (at most 0.014 nats, hidden by the markers), with the exact mutual information of each as a dashed horizontal line and the line log N in black. For rho = 0.5 the bound is close to its mutual information (0.14 nats) for all but the smallest batches. For rho = 0.9999 (4.26 nats) the bound stays close below the log N line for small batches and approaches its mutual information only for the largest batches."}}
fig, ax = lbplot.figure()
ax.plot(
    batch_sizes,
    np.log(batch_sizes),
    color=lbplot.PALETTE.black,
    lw=1.5,
    label=r"$\log N$",
)
for k, r in enumerate(rhos):
    colour = lbplot.PALETTE[k + 1]
    ax.errorbar(
        batch_sizes,
        bound[r][:, 0],
        yerr=bound[r][:, 1],
        fmt="o-",
        ms=3,
        capsize=2,
        color=colour,
        label=rf"$\rho = {r}$",
    )
    ax.axhline(-0.5 * math.log(1 - r**2), color=colour, ls="--", lw=1)
ax.set_xscale("log", base=2)
ax.set_xlabel("batch size $N$")
ax.set_ylabel(r"$\log N - L$ (nats)")
ax.set_title("The InfoNCE bound saturates at log N")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The bound is tight only when $\log N$ comfortably exceeds the mutual information: for
# $\rho = 0.9999$ (4.26 nats) the bound is held under $\log N$ by small batches, and even a
# batch of 1024 leaves part of the information uncertified. Estimating large mutual
# informations with InfoNCE needs exponentially large batches; this is one reason contrastive
# methods like large batches {cite:p}`poole2019`.
#
# (sec-contrastive-margins)=
# ## Margin losses, for comparison
#
# Before InfoNCE, embeddings were trained with margins. PyTorch has two such losses, and the
# distance function the triplet loss is built on; lossbook reproduces all three (the
# test-suite compares them with PyTorch on every option).
#
# - `F.pairwise_distance(x1, x2, p=2.0, eps=1e-6)` is $\lVert x_1 - x_2 + \epsilon\rVert_p$
#   along the last dimension: `eps` is added to every entry of the **difference**, so identical
#   vectors are $\sqrt{D}\,\epsilon$ apart, not 0.
# - `F.triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False)`
#   is the {term}`triplet loss` $\max(d(a, p) - d(a, n) + \text{margin}, 0)$
#   {cite:p}`schroff2015`; with `swap=True` the negative's distance is
#   $\min(d(a, n), d(p, n))$ {cite:p}`balntas2016`.
# - `F.margin_ranking_loss(x1, x2, y, margin=0.0)` is the {term}`margin ranking loss`
#   $\max(0, -y(x_1 - x_2) + \text{margin})$.
#
# The triplet loss is the ranking loss of two distances, $x_1 = d(a, n)$, $x_2 = d(a, p)$,
# $y = 1$:

# %%
anchor, positive, negative = rng.standard_normal((3, 6, 4))
d_ap = F.pairwise_distance(anchor, positive)
d_an = F.pairwise_distance(anchor, negative)
for swap in (False, True):
    d_neg = np.minimum(d_an, F.pairwise_distance(positive, negative)) if swap else d_an
    triplet = F.triplet_margin_loss(
        anchor, positive, negative, margin=0.5, swap=swap, reduction="none"
    )
    ranking = F.margin_ranking_loss(
        d_neg, d_ap, np.ones(6), margin=0.5, reduction="none"
    )
    assert np.allclose(triplet, ranking, rtol=1e-14, atol=0)
    print(f"swap={swap!s:5}: triplet = ranking of distances:", np.round(triplet, 4))
print(
    "eps is added to the difference:",
    f"d(x, x) = {float(F.pairwise_distance(np.ones(4), np.ones(4))):.2e} = 2 * 1e-6",
)

# %% [markdown]
# How do they relate to InfoNCE? With **one** negative, InfoNCE is a softplus of the cosine
# gap: $\ell = \log(1 + e^{(c_n - c_p)/\tau})$, and $\tau\,\ell \to \max(0, c_n - c_p)$ as
# $\tau \to 0$: the ranking loss of the two cosines with margin 0. InfoNCE is a smooth,
# many-negative margin loss: the softmax replaces the hinge's all-or-nothing weights by
# $p_{ij}$, and every negative in the batch takes part. `cosine_embedding_loss`
# ({doc}`06-cosine-similarity`) goes the other way: it pulls positive pairs ($1 - \cos$) and
# pushes negative pairs ($\max(0, \cos - \text{margin})$) **independently**, without comparing
# a positive with a negative at all, as in the contrastive loss of {cite:t}`hadsell2006`.

# %%
gap = sp.Symbol("g", positive=True)  # |c_n - c_p|
soft_hinge = tau_sym * sp.log(1 + sp.exp(c_neg / tau_sym))
assert sp.limit(soft_hinge.subs(c_neg, gap), tau_sym, 0, "+") == gap
assert sp.limit(soft_hinge.subs(c_neg, -gap), tau_sym, 0, "+") == 0
c_p, c_n = np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.35, 0.5])
hinge = F.margin_ranking_loss(c_p, c_n, np.ones(3), reduction="none")
for t in (1.0, 0.1, 0.01):
    one_negative = np.array(
        [
            float(F.cross_entropy(np.array([cp, cn]) / t, np.array(0)))
            for cp, cn in zip(c_p, c_n)
        ]
    )
    print(
        f"tau = {t:4}: tau * InfoNCE with one negative {np.round(t * one_negative, 4)}"
    )
print(f"margin_ranking_loss(c_p, c_n, 1)          {np.round(hinge, 4)}")

# %% [markdown]
# ## In PyTorch
#
# PyTorch has no InfoNCE function: everyone writes it with `cross_entropy`. For CLIP, with
# `image` and `text` embeddings of shape `(N, D)` and a learned `logit_scale` $= 1/\tau$:
#
# ```python
# image = F.normalize(image, dim=-1)
# text = F.normalize(text, dim=-1)
# logits = logit_scale.exp() * image @ text.T          # S = cos / tau, (N, N)
# labels = torch.arange(len(image))
# loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
# ```
#
# and for SimCLR's NT-Xent, `z = torch.cat([z1, z2])`, `logits = z @ z.T / tau` with
# `logits.fill_diagonal_(float("-inf"))` and labels `(torch.arange(2 * N) + N) % (2 * N)`.
# `lossbook.functional.info_nce(x1, x2, temperature, variant="info_nce" | "clip" | "nt_xent")`
# computes the same numbers ({prf:ref}`thm-infonce-ce`). The margin losses are
# `F.pairwise_distance`, `F.triplet_margin_loss` and `F.margin_ranking_loss`, with the
# arguments and defaults shown above; `triplet_margin_loss` refuses `margin <= 0`.
#
# (sec-contrastive-mistakes)=
# ## Mistakes and their fingerprints
#
# (sec-contrastive-mistake-temperature)=
# ### A forgotten temperature
#
# Dividing by $\tau = 1$ (or forgetting to divide) leaves the logits in $[-1, 1]$. Training
# then converges to the best loss it can reach, which {prf:ref}`thm-tight-floor` keeps far
# from 0. The cell trains free unit embeddings for 32 pairs in 16 dimensions by gradient
# descent with `G.info_nce_grad`, once with $\tau = 1$ and once with $\tau = 0.1$.


# %%
def train_embeddings(t, steps=300, learning_rate=0.5, n=32, d=16, seed=7):
    g = np.random.default_rng(seed)
    a = g.standard_normal((n, d))
    b = a + g.standard_normal((n, d))
    for _ in range(steps):
        grad_a, grad_b = G.info_nce_grad(a, b, temperature=t)
        a = a - learning_rate * t * n * grad_a  # steps scaled by tau: a fair comparison
        b = b - learning_rate * t * n * grad_b
        a /= np.linalg.norm(a, axis=1, keepdims=True)
        b /= np.linalg.norm(b, axis=1, keepdims=True)
    return float(F.info_nce(a, b, temperature=t)), a, b


for t in (1.0, 0.1):
    final, a_t, b_t = train_embeddings(t)
    positive_probability = np.diag(
        F.softmax(F.cosine_similarity(a_t[:, None], b_t[None], dim=-1) / t, 1)
    ).mean()
    assert final >= tight_floor(32, t)
    print(
        f"tau = {t}: final loss {final:.4f}   tight floor {tight_floor(32, t):.4f}   "
        f"floor {temperature_floor(32, t):.4f}   log N {math.log(32):.4f}   "
        f"mean p(positive) {positive_probability:.3f}"
    )
    if t == 1.0:
        assert final - tight_floor(32, t) < 0.02

# %% [markdown]
# Fingerprint: with $\tau = 1$ the loss plateaus far from 0, at about 2.50, within 0.013 of
# the tight floor $\log(1 + (N-1)e^{-N/((N-1)\tau)}) \approx 2.49$ of
# {prf:ref}`thm-tight-floor`, which no batch can beat (and 32 vectors in 16 dimensions cannot
# quite reach, as $N > D + 1$). Training has not stalled: it has converged to within 0.013 of
# the best possible loss, and that loss is high. The mean probability of the positive stays
# below 0.1, while the same descent with $\tau = 0.1$ reaches a loss near 0 and probabilities
# near 1.
#
# (sec-contrastive-mistake-mask)=
# ### NT-Xent without the self-mask
#
# Each view's similarity with itself is 1, the largest possible; left in the softmax it
# competes with the true positive. Its logit is the constant $1/\tau$ whatever the embedding
# ($\cos(z, z) = 1$, so its gradient is 0), and it is at least the twin's logit $c/\tau$, so
# the twin gets $p_\text{twin} \le e^{c/\tau}/(e^{1/\tau} + e^{c/\tau}) \le \tfrac12$ and
# $\ell \ge \log 2$ for every embedding. Even perfect views ($v_i = u_i$) cannot go lower: the
# view and its twin tie. The cell checks this on perfect views and on random ones.

# %%
perfect = regular_simplex(16)
masked = float(F.info_nce(perfect, perfect, temperature=0.1, variant="nt_xent"))
z_perfect = np.concatenate([perfect, perfect])
unmasked_logits = F.cosine_similarity(z_perfect[:, None], z_perfect[None], dim=-1) / 0.1
twin16 = (np.arange(32) + 16) % 32
unmasked = float(F.cross_entropy(unmasked_logits, twin16))
assert unmasked > math.log(2) > masked
print(
    f"perfect views, tau = 0.1: with the mask {masked:.6f}, without {unmasked:.6f}  "
    f"(log 2 = {math.log(2):.6f})"
)
largest_twin_probability = 0.0
for t in (0.05, 0.5, 2.0):
    z_random = rng.standard_normal((32, 8))
    z_random[16:] = z_random[:16] + 0.1 * rng.standard_normal((16, 8))
    logits_random = F.cosine_similarity(z_random[:, None], z_random[None], dim=-1) / t
    p_twin = F.softmax(logits_random, 1)[np.arange(32), twin16]
    largest_twin_probability = max(largest_twin_probability, float(p_twin.max()))
    assert float(F.cross_entropy(logits_random, twin16)) >= math.log(2)
assert largest_twin_probability <= 0.5
print(f"random views, no mask: largest p(twin) {largest_twin_probability:.4f} <= 1/2")

# %% [markdown]
# Fingerprint: the loss never falls below $\log 2 \approx 0.693$, even for perfect views.
#
# (sec-contrastive-mistake-sharded)=
# ### CLIP labels not shifted on a sharded batch
#
# With $K$ devices, each holding $n$ pairs, every
# device compares its $n$ images with all $Kn$ gathered captions: its logits are $n \times Kn$,
# and the positives of device $r$ sit in columns $rn, \dots, rn + n - 1$. Using `arange(n)` as
# labels on every device is right only on device 0.

# %%
shards, per_shard = 4, 8
gathered = regular_simplex(shards * per_shard)
wrong_losses = []
for rank in range(shards):
    local = gathered[rank * per_shard : (rank + 1) * per_shard]
    logits = F.cosine_similarity(local[:, None], gathered[None], dim=-1) / 0.07
    right = float(F.cross_entropy(logits, rank * per_shard + np.arange(per_shard)))
    wrong = float(F.cross_entropy(logits, np.arange(per_shard)))
    wrong_losses.append(wrong)
    print(f"device {rank}: correct labels {right:8.4f}   labels arange(n) {wrong:8.4f}")
predicted = (1 + 1 / (shards * per_shard - 1)) / 0.07
print(
    f"(1 + 1/(Kn - 1))/tau = {predicted:.4f}; "
    f"mean over devices {np.mean(wrong_losses):.4f}"
    f" = {np.mean(wrong_losses) / predicted:.4f} of it, "
    f"(K - 1)/K = {(shards - 1) / shards}"
)
assert math.isclose(
    np.mean(wrong_losses) / predicted, (shards - 1) / shards, rel_tol=0.01
)

# %% [markdown]
# Fingerprint: with perfect embeddings, device 0 reports a near-zero loss and every other
# device about $(1 + 1/(Kn - 1))/\tau$ (here about 14.7): the wrong label points at a negative.
# Averaged over devices, the loss is stuck near $(K-1)/K$ of that value.
#
# (sec-contrastive-mistake-squared)=
# ### Triplet loss on squared distances with a margin meant for distances
#
# FaceNet's loss
# {cite:p}`schroff2015` uses squared distances; PyTorch's uses distances. A margin tuned for
# one is the wrong size for the other: $d_p^2 - d_n^2 + m = (d_p - d_n)(d_p + d_n) + m$, so on
# squared distances the margin in units of distance is $m/(d_p + d_n)$: too large for nearby
# points, too small for distant ones. The gradient changes too: $\partial d^2/\partial a =
# 2(a - p)$ vanishes as the points come together, where $\partial d/\partial a$ has length 1.
# The cell takes unit embeddings, positives and (harder) negatives at three noise levels
# $\sigma$, and the margin $m = 0.2$ meant for distances.


# %%
def unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


tri_rng = np.random.default_rng(42)
margin = 0.2
print(
    "sigma | mean d_p  d_n | active: d    d^2 | mean loss: d    d^2 "
    "| mean |grad_a|: d  d^2"
)
for sigma in (0.02, 0.1, 0.3):
    a_t = unit(tri_rng.standard_normal((2000, 8)))
    p_t = unit(a_t + sigma * tri_rng.standard_normal((2000, 8)))
    n_t = unit(a_t + 1.5 * sigma * tri_rng.standard_normal((2000, 8)))
    d_p, d_n = F.pairwise_distance(a_t, p_t), F.pairwise_distance(a_t, n_t)
    loss_d = F.triplet_margin_loss(a_t, p_t, n_t, margin=margin, reduction="none")
    grad_d = G.triplet_margin_loss_grad(a_t, p_t, n_t, margin=margin, reduction="sum")[
        0
    ]
    loss_s = np.maximum(d_p**2 - d_n**2 + margin, 0)
    grad_s = 2 * (n_t - p_t) * (loss_s > 0)[:, None]  # d/da of |a-p|^2 - |a-n|^2
    print(
        f"{sigma:5} | {d_p.mean():8.3f} {d_n.mean():5.3f} | {np.mean(loss_d > 0):9.3f} "
        f"{np.mean(loss_s > 0):6.3f} | {loss_d.mean():12.4f} {loss_s.mean():6.4f} | "
        f"{np.linalg.norm(grad_d, axis=1).mean():14.3f} "
        f"{np.linalg.norm(grad_s, axis=1).mean():5.3f}"
    )

# %% [markdown]
# Fingerprint: when the embeddings are close together (small $\sigma$), the squared-distance
# loss sits at about the margin $m$ for every triplet while its gradient is several times
# smaller than the distance loss's, so training creeps; when they are spread out, fewer
# triplets count as violated than the margin intends. The cure is to choose the margin for the
# quantity the loss actually compares (or to use PyTorch's distances, with
# `triplet_margin_loss`).
#
# ## Summary
#
# - InfoNCE is `cross_entropy(S, arange(N))` with $S$ the cosines over $\tau$
#   ({prf:ref}`thm-infonce-ce`); CLIP averages it with the loss of $S^\top$; NT-Xent compares
#   $2N$ views and masks each view's similarity with itself.
# - Its gradient pulls the positive with weight $1 - p_{ii}$ and pushes each negative with
#   weight $p_{ij}$ ({prf:ref}`thm-infonce-gradient`); small $\tau$ focuses on the hardest
#   negative, large $\tau$ spreads the push evenly.
# - No pair beats $\log(1 + (N-1)e^{-2/\tau})$ ({prf:ref}`thm-temperature-floor`) and no batch
#   beats $\log(1 + (N-1)e^{-N/((N-1)\tau)})$, reached only by a regular simplex
#   ({prf:ref}`thm-tight-floor`);
#   $\log N - L$ is a lower bound on mutual information that cannot exceed $\log N$
#   ({prf:ref}`thm-infonce-mi`).
# - Triplet and ranking losses are hinges on one comparison; InfoNCE is a smooth hinge over all
#   the negatives of the batch.
#
# ## Exercises
#
# ```{exercise} The cold limit of InfoNCE
# :label: ex-contrastive-1
# Show that $\tau\,\ell_i \to \max(0, \max_{j\ne i} c_{ij} - c_{ii})$ as $\tau \to 0^+$, and
# check it numerically with `F.info_nce` for the batch $u, v$ of this chapter at
# $\tau = 10^{-1}, 10^{-2}, 10^{-3}$.
# ```
#
# ```{solution-start} ex-contrastive-1
# :class: dropdown
# ```
#
# With $m = \max_j c_{ij}$, $\tau\,\ell_i = m - c_{ii} + \tau \log \sum_j e^{(c_{ij}-m)/\tau}$.
# The sum lies between 1 and $N$, so the last term is between 0 and $\tau \log N \to 0$, and
# $m - c_{ii} = \max(0, \max_{j \ne i} c_{ij} - c_{ii})$ because $m \ge c_{ii}$. The cell
# compares $\tau\,\ell_i$ with the hinge for each pair.

# %%
hinge_limit = np.maximum(
    0,
    np.max(np.where(np.eye(n_pairs, dtype=bool), -np.inf, cosines), axis=1)
    - np.diag(cosines),
)
for t in (1e-1, 1e-2, 1e-3):
    scaled = t * F.info_nce(u, v, temperature=t, reduction="none")
    gap_to_limit = np.max(np.abs(scaled - hinge_limit))
    assert gap_to_limit <= t * math.log(n_pairs) + 1e-12
    print(
        f"tau = {t:g}: max |tau * l_i - hinge| = {gap_to_limit:.2e} "
        f"<= tau log N = {t * math.log(n_pairs):.2e}"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} How large a batch to certify the information?
# :label: ex-contrastive-2
# (a) Using {prf:ref}`thm-infonce-mi`, what is the smallest batch with which InfoNCE can
# possibly certify 5 nats of mutual information? (b) For which correlation $\rho$ do two
# standard Gaussians share exactly 5 nats? (c) Estimate $\log N - L$ with the optimal critic
# for that $\rho$ and $N = 256$ and compare with $\log 256$.
# ```
#
# ```{solution-start} ex-contrastive-2
# :class: dropdown
# ```
#
# (a) $\log N \ge 5$ requires $N \ge e^5 \approx 148.4$, so $N \ge 149$. (b)
# $-\frac12\log(1-\rho^2) = 5$ gives $\rho = \sqrt{1 - e^{-10}}$. (c) The estimate stays below
# both $\log 256 \approx 5.55$ and 5.

# %%
smallest_batch = math.ceil(math.exp(5))
rho_five = math.sqrt(1 - math.exp(-10))
ex_rng = np.random.default_rng(5)
x = ex_rng.standard_normal((32, 256))
y = rho_five * x + math.sqrt(1 - rho_five**2) * ex_rng.standard_normal((32, 256))
scores = critic_numeric(x[:, :, None], y[:, None, :], rho_five).reshape(-1, 256)
estimate = math.log(256) - float(F.cross_entropy(scores, np.tile(np.arange(256), 32)))
assert estimate < 5 < math.log(256)
print(
    f"(a) N >= {smallest_batch}   (b) rho = {rho_five:.8f}   "
    f"(c) log N - L = {estimate:.3f} (log 256 = {math.log(256):.3f})"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} The tight floor of a simplex
# :label: ex-contrastive-3
# For $N$ unit vectors with $u_i = v_i$ and all cosines between distinct items equal to $c$,
# write $\ell_i$ as a function of $c$. Why is $c = -1/(N-1)$ the smallest possible common
# value (hint: $\lVert \sum_i u_i\rVert^2 \ge 0$)? Compute the loss of that configuration for
# $N = 4$ and $\tau = 0.1$ and compare with the floor of {prf:ref}`thm-temperature-floor`.
# ```
#
# ```{solution-start} ex-contrastive-3
# :class: dropdown
# ```
#
# $\ell_i = \log(1 + (N-1)e^{(c-1)/\tau})$, increasing in $c$. And
# $0 \le \lVert\sum_i u_i\rVert^2 = N + N(N-1)c$ gives $c \ge -1/(N-1)$, reached by the
# regular simplex (the centred basis vectors, normalised).

# %%
c_common = sp.Symbol("c", real=True)
n_ex = 4
norm_of_sum = n_ex + n_ex * (n_ex - 1) * c_common
(smallest_c,) = sp.solve(sp.Eq(norm_of_sum, 0), c_common)
assert smallest_c == sp.Rational(-1, n_ex - 1)
simplex_loss = float(
    F.info_nce(regular_simplex(n_ex), regular_simplex(n_ex), temperature=0.1)
)
formula_loss = math.log1p((n_ex - 1) * math.exp((float(smallest_c) - 1) / 0.1))
assert math.isclose(simplex_loss, formula_loss, rel_tol=1e-12)
print(
    f"smallest c = {smallest_c}; simplex loss {simplex_loss:.4e}, "
    f"floor {temperature_floor(n_ex, 0.1):.4e}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Where does the push go?
# :label: ex-contrastive-4
# For the first anchor of this chapter's batch, compute with `G.info_nce_grad` the gradient of
# its own loss $\ell_0$ with respect to $u_0$ at $\tau = 0.05$ and $\tau = 5$. Which negative
# contributes most to it in each case, and what share of the total push does it get?
# ```
#
# ```{solution-start} ex-contrastive-4
# :class: dropdown
# ```
#
# The push of negative $j$ is $p_{0j}/\tau$ times $v_j$; its share of the push is
# $w_j = p_{0j}/(1 - p_{00})$. At $\tau = 0.05$ the hardest negative takes most of it; at
# $\tau = 5$ the shares are close to $1/7$. In the one-way loss $u_0$ appears only in row 0 of
# $S$, so row 0 of `G.info_nce_grad(..., reduction="none")` (the gradient of the sum of the
# losses) is the gradient of $\ell_0$ alone.

# %%
for t in (0.05, 5.0):
    row = F.softmax(unit_u[0] @ unit_v.T / t, 0)
    share = row[1:] / (1 - row[0])
    full, _ = G.info_nce_grad(unit_u, unit_v, temperature=t, reduction="none")
    direction = (row @ unit_v - unit_v[0]) / t
    direction -= (direction @ unit_u[0]) * unit_u[0]
    assert np.allclose(full[0], direction, rtol=1e-10, atol=1e-12)
    hardest = int(np.argmax(share)) + 1
    print(
        f"tau = {t}: hardest negative j = {hardest} (cosine "
        f"{unit_u[0] @ unit_v[hardest]:+.3f}) takes {share.max():.3f} of the push; "
        f"|grad| = {np.linalg.norm(full[0]):.3f}"
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Swap in the triplet loss
# :label: ex-contrastive-5
# Find an anchor, positive and negative in the plane for which `swap=True` changes the triplet
# loss, explain why, and check that `F.triplet_margin_loss` with `swap=True` equals
# `F.margin_ranking_loss` of $\min(d(a,n), d(p,n))$ and $d(a,p)$.
# ```
#
# ```{solution-start} ex-contrastive-5
# :class: dropdown
# ```
#
# The swap uses the positive as the anchor when the positive is nearer the negative than the
# anchor is: with $a = (0, 0)$, $p = (0, 1)$, $n = (0, 1.5)$, $d(a, n) = 1.5$ but
# $d(p, n) = 0.5$, so the negative is a harder negative for $p$ than for $a$.

# %%
a_s, p_s, n_s = np.array([[0.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([[0.0, 1.5]])
plain = float(F.triplet_margin_loss(a_s, p_s, n_s, eps=0.0))
swapped = float(F.triplet_margin_loss(a_s, p_s, n_s, eps=0.0, swap=True))
d_min = np.minimum(
    F.pairwise_distance(a_s, n_s, eps=0.0), F.pairwise_distance(p_s, n_s, eps=0.0)
)
ranked = float(
    F.margin_ranking_loss(
        d_min, F.pairwise_distance(a_s, p_s, eps=0.0), np.ones(1), margin=1.0
    )
)
assert swapped == ranked and swapped > plain
print(
    f"without swap {plain:.2f}, with swap {swapped:.2f}, "
    f"ranking of min distance {ranked:.2f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`oord2018` introduced InfoNCE (contrastive predictive coding) and its
#   mutual-information bound.
# - {cite:t}`chen2020` (SimCLR) trained image representations with NT-Xent over two
#   augmented views, and studied the temperature.
# - {cite:t}`radford2021` (CLIP) trained image and text encoders with the symmetric loss and a
#   learned temperature.
# - {cite:t}`poole2019` compared variational bounds on mutual information and showed that the
#   InfoNCE bound cannot exceed $\log N$.
# - {cite:t}`wang2020hypersphere` explained contrastive losses as alignment of positives plus
#   uniformity of the embeddings on the sphere.
# - {cite:t}`schroff2015` (FaceNet) trained face embeddings with the triplet loss on squared
#   distances; {cite:t}`balntas2016` introduced the swap.
# - {cite:t}`hadsell2006` introduced the margin-based contrastive loss on pairs.
