# %% [markdown]
# # Cosine similarity
#
# Two documents, two shopping baskets, two face embeddings: **do these two vectors point the same
# way, whatever their lengths?** The {term}`cosine similarity` answers exactly that question. It is
# the cosine of the angle between the vectors: 1 when they point the same way, 0 when they are
# perpendicular, $-1$ when they point in opposite directions. It was made popular by information
# retrieval, where documents are compared as vectors of word counts {cite:p}`salton1975`, and it is
# the similarity of most {term}`embedding` models in deep learning. Those models are mostly
# trained with a softmax cross-entropy over temperature-scaled cosines (the InfoNCE loss of
# contrastive learning {cite:p}`oord2018,chen2020`); PyTorch's pairwise `cosine_embedding_loss`,
# a cosine version of the margin-based {term}`contrastive loss` of {cite:t}`hadsell2006`, is the
# simplest loss built on the cosine, and the one this chapter studies.
#
# The seed README says that cosine similarity measures how different two vectors are by the
# cosine of their angle and that, compared with the {term}`Euclidean distance`, it suits vectors of
# different lengths. This chapter makes that precise: cosine similarity **ignores** length. That is
# what we want when length is a nuisance (a longer document about the same subject) and exactly
# what we do not want when length carries meaning (a rating of 5 stars against a rating of 1).
#
# **In this chapter** you will
#
# - prove that the cosine lies in $[-1, 1]$ (the {term}`Cauchy–Schwarz inequality`), for each
#   dimension by Lagrange's identity and for every dimension at once by a quadratic;
# - prove scale invariance, relate the cosine to the Euclidean distance between unit vectors, and
#   show that $1 - \cos$ is not a {term}`metric` while the angle is;
# - derive the {term}`gradient` of the cosine, its direction and its length, and check it by
#   finite differences;
# - reproduce PyTorch's `cosine_similarity` (its `dim`, broadcasting and `eps`) and
#   `cosine_embedding_loss` (its `margin` and its labels);
# - build a small search engine over a handful of documents.
#
# **You need**
#
# - vectors, dot products and norms in $\mathbb{R}^n$; partial derivatives;
# - the `reduction` argument of PyTorch's losses, from {doc}`02-cross-entropy`.

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
import re

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import display

import lossbook.functional as F
import lossbook.gradients as G
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=4, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(606)

# %% [markdown]
# (sec-cosine-angle)=
# ## An angle that ignores lengths
#
# Take $a = (3, 1)$ and $b = (1, 2)$ in the plane, and a stretched copy $2.5\,a$ of $a$. The cell
# computes their cosine similarities and Euclidean distances with `lossbook.functional`, which
# reproduces `torch.nn.functional` in NumPy (the book never imports PyTorch).

# %%
a_fig, b_fig, k_fig = np.array([3.0, 1.0]), np.array([1.0, 2.0]), 2.5
cos_ab = float(F.cosine_similarity(a_fig, b_fig, dim=0))
cos_kab = float(F.cosine_similarity(k_fig * a_fig, b_fig, dim=0))
angle_ab = math.degrees(math.acos(cos_ab))
print(f"cos(a, b)     = {cos_ab:.4f}   angle {angle_ab:.1f} degrees")
print(f"cos(2.5 a, b) = {cos_kab:.4f}")
print(f"|a - b|     = {np.linalg.norm(a_fig - b_fig):.4f}")
print(f"|2.5 a - b| = {np.linalg.norm(k_fig * a_fig - b_fig):.4f}")

# %% [markdown]
# Stretching $a$ moves its tip far away from $b$, so the Euclidean distance almost triples, but
# the angle (45°) and its cosine do not change. The figure shows the geometry. On the unit circle
# (right panel) the two directions are the unit vectors $\hat a = a/\lVert a\rVert$ and
# $\hat b = b/\lVert b\rVert$, and the cosine is the length of the shadow of $\hat b$ on the line
# through $\hat a$: the orthogonal projection $(\hat a\cdot\hat b)\,\hat a$ has length
# $\cos\theta$.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels. Left: the vectors a = (3, 1) and b = (1, 2) drawn as arrows from the origin, with the stretched vector 2.5 a = (7.5, 2.5) dashed along the same line as a; an arc marks the 45 degree angle between a and b, which is also the angle between 2.5 a and b. Right, a zoom on the unit circle: the unit vectors a-hat and b-hat, a dotted perpendicular from the tip of b-hat onto the line of a-hat, and the thick segment from the origin to its foot, of length cos theta = 0.71."}}
a_hat, b_hat = a_fig / np.linalg.norm(a_fig), b_fig / np.linalg.norm(b_fig)
foot = cos_ab * a_hat
fig, (ax, ax_unit) = plt.subplots(1, 2, figsize=(10, 3.9), width_ratios=[2.1, 1])


def arrow(axis, tip, colour, style="-"):
    axis.annotate(
        "",
        xy=tip,
        xytext=(0, 0),
        arrowprops=dict(
            arrowstyle="-|>", color=colour, lw=2, ls=style, shrinkA=0, shrinkB=0
        ),
    )


for tip, colour, style, text, offset in [
    (k_fig * a_fig, lbplot.PALETTE.sky_blue, "--", r"$2.5\,a$", (0.1, 0.05)),
    (a_fig, lbplot.PALETTE.blue, "-", r"$a = (3, 1)$", (-0.2, -0.45)),
    (b_fig, lbplot.PALETTE.vermillion, "-", r"$b = (1, 2)$", (0.1, 0.05)),
]:
    arrow(ax, tip, colour, style)
    ax.text(tip[0] + offset[0], tip[1] + offset[1], text, color=colour)
arc = np.linspace(math.atan2(a_fig[1], a_fig[0]), math.atan2(b_fig[1], b_fig[0]), 50)
ax.plot(1.2 * np.cos(arc), 1.2 * np.sin(arc), color=lbplot.PALETTE.black, lw=1)
ax.text(1.3, 0.75, rf"$\theta = {angle_ab:.0f}^\circ$")
ax.set_aspect("equal")
ax.set_xlim(-0.3, 8.4)
ax.set_ylim(-0.3, 2.8)
ax.set_xlabel(r"first coordinate $x_1$ (no unit)")
ax.set_ylabel(r"second coordinate $x_2$")
ax.set_title("Stretching a changes distances, not the angle")

circle = np.linspace(0, np.pi / 2, 200)
ax_unit.plot(np.cos(circle), np.sin(circle), color="0.6", lw=1, ls=":")
arrow(ax_unit, a_hat, lbplot.PALETTE.blue)
arrow(ax_unit, b_hat, lbplot.PALETTE.vermillion)
ax_unit.text(a_hat[0] + 0.03, a_hat[1] + 0.03, r"$\hat a$", color=lbplot.PALETTE.blue)
ax_unit.text(
    b_hat[0] + 0.03, b_hat[1] + 0.03, r"$\hat b$", color=lbplot.PALETTE.vermillion
)
ax_unit.plot(*zip(b_hat, foot), color="0.3", ls=":", lw=1.5)
ax_unit.plot(
    *zip((0, 0), foot),
    color=lbplot.PALETTE.bluish_green,
    lw=6,
    solid_capstyle="butt",
    alpha=0.8,
)
ax_unit.text(
    foot[0] / 2 + 0.02,
    foot[1] / 2 - 0.14,
    rf"$\cos\theta = {cos_ab:.2f}$",
    color=lbplot.PALETTE.bluish_green,
    rotation=math.degrees(math.atan2(*a_hat[::-1])),
)
ax_unit.set_aspect("equal")
ax_unit.set_xlim(-0.1, 1.15)
ax_unit.set_ylim(-0.1, 1.15)
ax_unit.set_xlabel(r"$x_1$ (no unit)")
ax_unit.set_ylabel(r"$x_2$")
ax_unit.set_title("On the unit circle")
plt.show()

# %% [markdown]
# (sec-cosine-definition)=
# ## Definition
#
# For two nonzero vectors $a, b \in \mathbb{R}^n$,
#
# $$
# \cos(a, b) = \frac{a \cdot b}{\lVert a\rVert\,\lVert b\rVert}
#   = \frac{\sum_{i=1}^{n} a_i b_i}{\sqrt{\sum_{i=1}^{n} a_i^2}\,\sqrt{\sum_{i=1}^{n} b_i^2}} ,
# $$
#
# and the {term}`cosine distance` is $1 - \cos(a, b)$. For a zero vector the formula is $0/0$;
# what PyTorch does then is the subject of {ref}`sec-cosine-eps`. The book's symbolic definition
# is `sym.cosine_similarity(a, b)`:

# %%
a3, b3 = sym.logits(3, name="a"), sym.logits(3, name="b")
cos3 = sym.cosine_similarity(a3, b3)
display(sp.Eq(sp.Symbol(r"\cos(a, b)"), cos3))

# %% [markdown]
# **Why "cosine".** In the plane, write $a = r(\cos\alpha, \sin\alpha)$ and
# $b = s(\cos\beta, \sin\beta)$ in polar coordinates, with lengths $r, s > 0$ and directions
# $\alpha, \beta$. SymPy proves that the formula above is then $\cos(\alpha - \beta)$, the cosine of
# the angle between the two directions, whatever the lengths $r$ and $s$ are. In $n$ dimensions the
# formula *defines* the angle $\theta = \arccos\cos(a, b) \in [0, \pi]$ (legitimately, because the
# value lies in $[-1, 1]$, as the next section proves), and the law of cosines of school geometry,
# $\lVert a - b\rVert^2 = \lVert a\rVert^2 + \lVert b\rVert^2 - 2\lVert a\rVert\lVert b\rVert
# \cos\theta$, holds with it: SymPy checks the expansion
# $\lVert a - b\rVert^2 = \lVert a\rVert^2 + \lVert b\rVert^2 - 2\,a\cdot b$ for $n = 3$.

# %%
r_len, s_len = sp.symbols("r s", positive=True)
alpha, beta = sp.symbols("alpha beta", real=True)
polar_a = [r_len * sp.cos(alpha), r_len * sp.sin(alpha)]
polar_b = [s_len * sp.cos(beta), s_len * sp.sin(beta)]
display(
    sym.check_identity(
        sym.cosine_similarity(polar_a, polar_b), sp.cos(alpha - beta)
    ).assert_proved()
)
norm_a3, norm_b3 = sp.sqrt(sum(x**2 for x in a3)), sp.sqrt(sum(x**2 for x in b3))
dot3 = sum(x * y for x, y in zip(a3, b3))
law_of_cosines = sym.check_identity(
    sum((x - y) ** 2 for x, y in zip(a3, b3)),
    norm_a3**2 + norm_b3**2 - 2 * norm_a3 * norm_b3 * cos3,
)
display(law_of_cosines.assert_proved())

# %% [markdown]
# The lambdified definition agrees with `F.cosine_similarity` on seeded random vectors and on the
# cases that matter: perpendicular, parallel and opposite vectors, lengths that differ by six
# orders of magnitude, and two nearly parallel vectors. Each case holds 500 pairs of vectors in
# $\mathbb{R}^3$, stored as the **columns** of $3 \times 500$ arrays (the lambdified formula takes
# the three coordinates as three rows), so the reference compares along `dim=0`.


# %%
def pairs(make_a, make_b=None):
    first = make_a(rng)
    return first, (make_b(rng, first) if make_b else rng.normal(size=first.shape))


def columns(n_pairs=500):
    return lambda r: r.normal(size=(3, n_pairs))


definition_cases = sym.random_cases(rng, lambda r: pairs(columns()), count=3)
definition_cases["perpendicular"] = (
    np.array([[1.0], [2.0], [0.0]]),
    np.array([[-2.0], [1.0], [5.0]]),
)
definition_cases["parallel (b = 7a)"] = pairs(columns(), lambda r, a: 7.0 * a)
definition_cases["opposite (b = -0.5a)"] = pairs(columns(), lambda r, a: -0.5 * a)
definition_cases["lengths 1e-3 and 1e3"] = pairs(
    lambda r: 1e-3 * r.normal(size=(3, 500)), lambda r, a: 1e3 * r.normal(size=a.shape)
)
definition_cases["nearly parallel"] = pairs(
    columns(), lambda r, a: a + 1e-6 * r.normal(size=a.shape)
)
sym.check_numeric(
    cos3, [a3, b3], lambda A, B: F.cosine_similarity(A, B, dim=0), definition_cases
)

# %% [markdown]
# (sec-cosine-cauchy-schwarz)=
# ## Why the cosine lies between −1 and 1
#
# The claim $-1 \le \cos(a, b) \le 1$ is the Cauchy–Schwarz inequality.
#
# ```{prf:theorem} Cauchy–Schwarz inequality
# :label: thm-cauchy-schwarz
# For all $a, b \in \mathbb{R}^n$, $|a\cdot b| \le \lVert a\rVert\,\lVert b\rVert$, with
# equality if and only if one of the vectors is a multiple of the other. Hence
# $-1 \le \cos(a, b) \le 1$ for nonzero $a$ and $b$, and $\cos(a, b) = \pm 1$ exactly when they
# are parallel.
# ```
#
# ```{prf:proof}
# If $b = 0$ both sides are 0. Otherwise write $A = \lVert a\rVert^2$, $B = \lVert b\rVert^2 > 0$
# and $D = a\cdot b$. For every real $t$, $0 \le \lVert a - t\,b\rVert^2 = A - 2tD + t^2B$. The
# minimum of this quadratic, at $t^* = D/B$, is $A - D^2/B$; it is $\ge 0$, so $D^2 \le AB$. It
# is 0, which is equality, exactly when $a = t^*b$. The cells of this section check each
# algebraic step with SymPy, and Lagrange's identity gives a second proof for each fixed $n$.
# ```
#
# A slick way to see it is **Lagrange's
# identity**, which writes the gap between the two sides, squared, as a sum of squares:
#
# $$
# \lVert a\rVert^2\lVert b\rVert^2 - (a\cdot b)^2
#   = \sum_{1 \le i < j \le n} (a_i b_j - a_j b_i)^2 \;\ge\; 0 .
# $$
#
# The right-hand side cannot be negative, so $(a \cdot b)^2 \le \lVert a\rVert^2\lVert b\rVert^2$.
# Equality holds exactly when every $2\times 2$ "cross term" $a_i b_j - a_j b_i$ vanishes, that is
# when $a$ and $b$ are parallel: the cosine is $\pm 1$ only for vectors pointing the same way or
# opposite ways. Lagrange's identity is a polynomial identity for each fixed $n$, so SymPy proves it
# by expanding both sides. It does so here for $n = 2, 3, 4$ (the $n = 3$ case is displayed):


# %%
def lagrange_identity(n):
    a_n, b_n = sym.logits(n, name="a"), sym.logits(n, name="b")
    gap = (
        sum(x**2 for x in a_n) * sum(y**2 for y in b_n)
        - sum(x * y for x, y in zip(a_n, b_n)) ** 2
    )
    squares = sum(
        (a_n[i] * b_n[j] - a_n[j] * b_n[i]) ** 2
        for i in range(n)
        for j in range(i + 1, n)
    )
    return sym.check_identity(gap, squares).assert_proved()


lagrange = {n: lagrange_identity(n) for n in (2, 3, 4)}
for n, result in lagrange.items():
    print(f"n = {n}: Lagrange's identity {result.reason}")
display(lagrange[3])

# %% [markdown]
# Lagrange's identity needs one SymPy proof per dimension. A second classical argument works for
# every $n$ at once, because it only uses three numbers: $A = \lVert a\rVert^2$,
# $B = \lVert b\rVert^2 > 0$ and $D = a\cdot b$. The squared length of $a - t\,b$ is never negative,
# and it is a quadratic in the real number $t$:
#
# $$
# 0 \le \lVert a - t\,b\rVert^2 = A - 2tD + t^2 B \quad\text{for every } t .
# $$
#
# SymPy finds its minimiser $t^* = D/B$ (the length of the projection of $a$ on $b$, in units of
# $\lVert b\rVert$), and the minimum value $A - D^2/B$, which must therefore be $\ge 0$: multiplied
# by $B > 0$, that is $D^2 \le AB$.

# %%
A_sq, B_sq = sp.symbols("A B", positive=True)
D_dot, t_scale = sp.symbols("D t", real=True)
quadratic = A_sq - 2 * t_scale * D_dot + t_scale**2 * B_sq
(t_star,) = sp.solve(sp.diff(quadratic, t_scale), t_scale)
minimum = quadratic.subs(t_scale, t_star)
assert sp.diff(quadratic, t_scale, 2) == 2 * B_sq  # positive: t_star is the minimum
sym.check_identity(B_sq * minimum, A_sq * B_sq - D_dot**2).assert_proved()
print(
    f"t* = {t_star},  minimum = {sp.simplify(minimum)},  B * minimum = "
    f"{sp.expand(B_sq * minimum)}"
)
# the quadratic is the squared length of a - t b, for n = 3
sym.check_identity(
    sum((x - t_scale * y) ** 2 for x, y in zip(a3, b3)),
    quadratic.subs({A_sq: norm_a3**2, B_sq: norm_b3**2, D_dot: dot3}),
).assert_proved()
print("|a - t b|^2 = A - 2tD + t^2 B: proved for n = 3 (bilinearity, for any n)")

# %% [markdown]
# On numbers, in a dimension far beyond what SymPy expands: 2000 random pairs in
# $\mathbb{R}^{1000}$, 2000 nearly parallel pairs and 2000 exactly parallel or opposite pairs, for
# which the cosine must be $\pm 1$. Random vectors in high dimension are nearly perpendicular
# ({ref}`ex-cosine-4` explains why), so the first set stays close to 0.

# %%
n_big = 1000
u_big = rng.normal(size=(2000, n_big))
sets = {
    "random pairs": (u_big, rng.normal(size=u_big.shape)),
    "nearly parallel": (u_big, u_big + 0.01 * rng.normal(size=u_big.shape)),
    "parallel or opposite": (
        u_big,
        rng.choice([-3.0, 0.2, 5.0], size=(2000, 1)) * u_big,
    ),
}
print(
    f"{'pairs in R^1000':22s} {'smallest cos':>13s} {'largest cos':>12s} "
    f"{'max |cos|':>10s}"
)
for name, (first, second) in sets.items():
    cos_big = F.cosine_similarity(first, second)
    assert np.all(np.abs(cos_big) <= 1.0)
    print(
        f"{name:22s} {cos_big.min():13.6f} {cos_big.max():12.6f} "
        f"{np.abs(cos_big).max():10.6f}"
    )
cos_parallel = F.cosine_similarity(*sets["parallel or opposite"])
assert np.allclose(np.abs(cos_parallel), 1.0, rtol=0, atol=1e-12)

# %% [markdown]
# No value leaves $[-1, 1]$, and the parallel pairs give $\pm 1$ up to rounding. (In floating
# point even this is not automatic: rounding can push a computed $a\cdot b/(\lVert a\rVert\lVert
# b\rVert)$ of parallel vectors an {term}`ulp` above 1, and then $\arccos$ returns `nan`. PyTorch's
# own result can exceed 1 by an ulp or two; `lossbook` keeps it inside.)
#
# (sec-cosine-scale)=
# ## Scale invariance: when it helps and when it hurts
#
# Multiplying a vector by a number $k \ne 0$ changes its length by $|k|$ and keeps or flips its
# direction:
#
# $$
# \cos(k\,a, b) = \operatorname{sign}(k)\,\cos(a, b) .
# $$
#
# The proof is one line, $\lVert k a\rVert = \sqrt{k^2}\,\lVert a\rVert = |k|\,\lVert a\rVert$, so
# $k/|k| = \operatorname{sign}(k)$ is all that remains. SymPy proves it separately for a positive and
# a negative $k$ (it needs to know the sign to simplify $\sqrt{k^2}$):

# %%
k_pos = sp.Symbol("k", positive=True)
k_neg = sp.Symbol("k", negative=True)
scale_pos = sym.check_identity(sym.cosine_similarity([k_pos * x for x in a3], b3), cos3)
scale_neg = sym.check_identity(
    sym.cosine_similarity([k_neg * x for x in a3], b3), -cos3
)
display(scale_pos.assert_proved(), scale_neg.assert_proved())

# %% [markdown]
# and on numbers, with $k$ from $-100$ to $10^6$ (the lambdified formula has $\sqrt{k^2}$ in it, so
# it is correct for either sign):

# %%
k_real = sp.Symbol("k", real=True)
cos_scaled = sym.cosine_similarity([k_real * x for x in a3], b3)
scale_cases = {
    f"k = {k:g}": (k, *pairs(columns())) for k in (2.5, 1e-3, 1e6, -1.0, -100.0)
}
sym.check_numeric(
    cos_scaled,
    [k_real, a3, b3],
    lambda k, A, B: np.sign(k) * F.cosine_similarity(A, B, dim=0),
    scale_cases,
)

# %% [markdown]
# So "cosine similarity suits vectors of different lengths" means: **it cannot see lengths at
# all.** Whether that is a virtue depends on what the length means.
#
# - *Length as a nuisance.* A text pasted three times into a form has every word count tripled.
#   It says the same thing, and its cosine with the original is 1, while the Euclidean distance
#   between the two count vectors is twice the length of the original's.
#   {ref}`sec-cosine-documents` builds a small search engine on this and computes both numbers.
# - *Length as meaning.* Three people rate three films on a scale from 1 to 5 stars. Ann gives every
#   film 1 star, Bob gives every film 5 stars, Cleo agrees with Bob except for one 4.

# %%
ratings = {
    "Ann": np.array([1.0, 1.0, 1.0]),
    "Bob": np.array([5.0, 5.0, 5.0]),
    "Cleo": np.array([5.0, 5.0, 4.0]),
}
for other in ("Ann", "Cleo"):
    c = float(F.cosine_similarity(ratings["Bob"], ratings[other], dim=0))
    d = float(np.linalg.norm(ratings["Bob"] - ratings[other]))
    print(f"Bob and {other:4s}: cosine {c:.4f}, Euclidean distance {d:.4f}")

# %% [markdown]
# Cosine similarity declares Ann, who hated every film, a *perfect* match for Bob, who loved them
# all, and ranks her above Cleo. The ratings of Ann and Bob point in the same direction
# $(1, 1, 1)$; what distinguishes them is exactly the length that the cosine throws away. Here the
# Euclidean distance gets the order right. (For ratings, the usual fix is to subtract each
# person's mean rating first; the cosine of the centred vectors is the Pearson correlation,
# {ref}`ex-cosine-1`.)
#
# (sec-cosine-euclidean)=
# ## Cosine similarity and Euclidean distance
#
# The law of cosines already ties the two together:
# $\lVert a - b\rVert^2 = \lVert a\rVert^2 + \lVert b\rVert^2 - 2\lVert a\rVert\lVert b\rVert
# \cos(a, b)$. The Euclidean distance mixes the angle with both lengths. Remove the lengths by
# normalising both vectors to unit length, and only the angle is left:
#
# $$
# \lVert \hat a - \hat b\rVert^2 = 2 - 2\cos(a, b), \qquad
# \hat a = \frac{a}{\lVert a\rVert},\ \hat b = \frac{b}{\lVert b\rVert} .
# $$
#
# So, for unit vectors, *ranking by cosine similarity and ranking by Euclidean distance are the
# same thing* (the distance is a decreasing function of the cosine). This is why nearest-neighbour
# search over embeddings often normalises the vectors once and then uses ordinary Euclidean
# distance. SymPy proves the identity for $n = 3$:

# %%
a3_hat, b3_hat = [x / norm_a3 for x in a3], [y / norm_b3 for y in b3]
unit_distance_sq = sum((x - y) ** 2 for x, y in zip(a3_hat, b3_hat))
display(sym.check_identity(unit_distance_sq, 2 - 2 * cos3).assert_proved())

# %% [markdown]
# The squared distance between the normalised vectors is a sum of squared differences, which is
# `F.mse_loss(..., reduction='sum')`; so `lossbook` gives an independent reference for
# $2 - 2\cos$:


# %%
def unit_squared_distance(A, B):
    return F.mse_loss(
        A / np.sqrt(np.sum(A**2)), B / np.sqrt(np.sum(B**2)), reduction="sum"
    )


distance_cases = sym.random_cases(
    rng, lambda r: (r.normal(size=3), r.normal(size=3)), count=4
)
distance_cases["lengths 1e-3 and 1e3"] = (
    1e-3 * rng.normal(size=3),
    1e3 * rng.normal(size=3),
)
distance_cases["opposite"] = (np.array([1.0, -2.0, 0.5]), np.array([-2.0, 4.0, -1.0]))
sym.check_numeric(2 - 2 * cos3, [a3, b3], unit_squared_distance, distance_cases)

# %% [markdown]
# (sec-cosine-metric)=
# ### The cosine distance is not a metric; the angle is
#
# A {term}`metric` $d$ must satisfy the triangle inequality $d(a, c) \le d(a, b) + d(b, c)$:
# going through $b$ is never shorter. The cosine distance $1 - \cos$ fails it. Take $a = e_1$,
# $c = e_2$ (perpendicular) and $b$ halfway between them:

# %%
e1, e2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
mid = (e1 + e2) / math.sqrt(2)


def cosine_distance(x, y):
    return 1.0 - float(F.cosine_similarity(x, y, dim=0))


def angle(x, y):
    return math.acos(float(F.cosine_similarity(x, y, dim=0)))


d_ab, d_bc, d_ac = (
    cosine_distance(e1, mid),
    cosine_distance(mid, e2),
    cosine_distance(e1, e2),
)
assert d_ab + d_bc < d_ac
print(
    f"cosine distance: d(a, b) + d(b, c) = {d_ab:.4f} + {d_bc:.4f} = {d_ab + d_bc:.4f} "
    f"< d(a, c) = {d_ac:.4f}"
)
t_ab, t_bc, t_ac = angle(e1, mid), angle(mid, e2), angle(e1, e2)
print(
    f"angle (degrees): {math.degrees(t_ab):.1f} + {math.degrees(t_bc):.1f} = "
    f"{math.degrees(t_ab + t_bc):.1f} >= {math.degrees(t_ac):.1f}"
)

# %% [markdown]
# The detour through $b$ is "shorter" than the direct route. The reason is the shape of
# $1 - \cos\theta \approx \theta^2/2$ for small angles: like a squared distance, it punishes one big
# step more than two small ones ({ref}`ex-cosine-3` makes this exact). The **angle** itself is a
# metric on directions: it is the length of the shortest arc between $\hat a$ and $\hat b$ on the
# unit sphere.
#
# ```{prf:theorem} The angle satisfies the triangle inequality
# :label: thm-angle-triangle
# For nonzero $a, b, c \in \mathbb{R}^n$ and $\theta(x, y) = \arccos\cos(x, y) \in [0, \pi]$,
# $\theta(a, c) \le \theta(a, b) + \theta(b, c)$.
# ```
#
# ```{prf:proof}
# Let $\theta_1 = \theta(a, b)$ and $\theta_2 = \theta(b, c)$ with
# $\theta_1 + \theta_2 \le \pi$ (otherwise there is nothing to prove, as no angle exceeds $\pi$).
# Split the unit vectors into their parts along $\hat b$ and perpendicular to it:
#
# $$
# \hat a = \cos\theta_1\,\hat b + \sin\theta_1\,u, \qquad
# \hat c = \cos\theta_2\,\hat b + \sin\theta_2\,v,
# $$
#
# with unit vectors $u, v \perp \hat b$. Expanding the dot product, and writing $w = u\cdot v \ge -1$
# (Cauchy–Schwarz again),
#
# $$
# \cos\theta(a, c) = \hat a\cdot\hat c = \cos\theta_1\cos\theta_2 + \sin\theta_1\sin\theta_2\, w
#   = \cos(\theta_1 + \theta_2) + \sin\theta_1\sin\theta_2\,(1 + w) \ \ge\ \cos(\theta_1 + \theta_2),
# $$
#
# because both sines are $\ge 0$ on $[0, \pi]$. Since $\cos$ is decreasing on $[0, \pi]$,
# $\theta(a, c) \le \theta_1 + \theta_2$.
# ```
#
# SymPy checks the two algebraic steps: the expansion (with
# the dot products of $\hat b, u, v$ as symbols, and $\hat b\cdot\hat b = u\cdot u = v\cdot v = 1$,
# $\hat b\cdot u = \hat b\cdot v = 0$) and the trigonometric rewriting.

# %%
theta_1, theta_2, w_uv = sp.symbols("theta_1 theta_2 w", real=True)
# a-hat and c-hat as coefficient vectors over (b-hat, u, v);
# Gram matrix of (b-hat, u, v)
a_coef = sp.Matrix([sp.cos(theta_1), sp.sin(theta_1), 0])
c_coef = sp.Matrix([sp.cos(theta_2), 0, sp.sin(theta_2)])
gram = sp.Matrix([[1, 0, 0], [0, 1, w_uv], [0, w_uv, 1]])
dot_ac = (a_coef.T * gram * c_coef)[0, 0]
sym.check_identity(
    (a_coef.T * gram * a_coef)[0, 0], 1
).assert_proved()  # a-hat is a unit vector
expansion = sym.check_identity(
    dot_ac, sp.cos(theta_1) * sp.cos(theta_2) + sp.sin(theta_1) * sp.sin(theta_2) * w_uv
).assert_proved()
rewriting = sym.check_identity(
    dot_ac - sp.cos(theta_1 + theta_2), sp.sin(theta_1) * sp.sin(theta_2) * (1 + w_uv)
).assert_proved()
display(expansion, rewriting)

# %% [markdown]
# On numbers: for 100 000 random triples of vectors in $\mathbb{R}^3$, the angle never violates the
# triangle inequality (beyond rounding), while the cosine distance violates it for a sizeable
# fraction of them.

# %%
tri = rng.normal(size=(3, 100_000, 3))
cos_ab_t = F.cosine_similarity(tri[0], tri[1])
cos_bc_t = F.cosine_similarity(tri[1], tri[2])
cos_ac_t = F.cosine_similarity(tri[0], tri[2])
dist_excess = (1 - cos_ac_t) - (1 - cos_ab_t) - (1 - cos_bc_t)
angle_excess = np.arccos(cos_ac_t) - np.arccos(cos_ab_t) - np.arccos(cos_bc_t)
assert angle_excess.max() < 1e-9
print(
    f"cosine distance violates the triangle inequality in "
    f"{100 * np.mean(dist_excess > 1e-9):.1f}% of the triples "
    f"(largest excess {dist_excess.max():.4f})"
)
print(
    f"the angle violates it in {100 * np.mean(angle_excess > 1e-9):.1f}% of the triples"
)

# %% [markdown]
# The Euclidean distance between the *normalised* vectors, $\sqrt{2 - 2\cos(a, b)}$, is
# also a metric (it is an ordinary distance between points on the unit sphere), and it orders pairs
# exactly as the cosine does. When an algorithm needs a true metric, for example a metric tree for
# fast search, use one of these two, not $1 - \cos$.
#
# (sec-cosine-gradient)=
# ## The gradient
#
# Embedding models are trained by moving vectors to increase or decrease their cosines, so the
# gradient of $\cos(a, b)$ with respect to $a$ is what the optimiser sees.
#
# ```{prf:theorem} Gradient of the cosine
# :label: thm-cosine-gradient
# For nonzero $a, b \in \mathbb{R}^n$ with angle $\theta$,
#
# $$
# \nabla_a \cos(a, b) = \frac{b}{\lVert a\rVert\,\lVert b\rVert} - \cos(a, b)\,\frac{a}{\lVert
# a\rVert^2} = \frac{1}{\lVert a\rVert}\Big(\hat b - \cos(a, b)\,\hat a\Big) ,
# $$
#
# which is orthogonal to $a$ and has length $\sin\theta/\lVert a\rVert$.
# ```
#
# ```{prf:proof}
# The first form is the quotient rule, with $\nabla_a\lVert a\rVert = \hat a$. The second form is
# $\hat b$ minus its projection on $\hat a$, so it is orthogonal to $a$, and its squared length is
# $(1 - 2\cos^2\theta + \cos^2\theta)/\lVert a\rVert^2 = \sin^2\theta/\lVert a\rVert^2$. The
# cells below check each step with SymPy.
# ```
#
# `sym.derived.cosine_similarity_gradient(n)` differentiates `sym.cosine_similarity` with SymPy,
# proves the result equal to this closed form entry by entry, and proves that it is orthogonal to
# $a$, $a\cdot\nabla_a\cos(a, b) = 0$ (here for $n = 3$):

# %%
cos_grad = sym.derived.cosine_similarity_gradient(3)
display(cos_grad)
print("a . grad = 0:", cos_grad.checks[-1].reason)

# %% [markdown]
# The second form explains the orthogonality: $\hat b - \cos(a, b)\,\hat a$ is $\hat b$ minus its
# projection on $\hat a$, the part of $\hat b$ perpendicular to $a$. It is also scale invariance
# seen through calculus: moving $a$ along itself (to $k\,a$) does not change the cosine, so the
# derivative along $a$, which is $a\cdot\nabla_a\cos$, must be 0. SymPy confirms this second route
# too, by differentiating $\cos(k\,a, b)$ with respect to $k$:

# %%
cos_k = sym.cosine_similarity([k_pos * x for x in a3], b3)
sym.check_identity(sp.diff(cos_k, k_pos), 0).assert_proved()
along_a = sum(x * g for x, g in zip(a3, cos_grad))
sym.check_identity(sp.diff(cos_k, k_pos).subs(k_pos, 1), along_a).assert_proved()
print("d/dk cos(k a, b) = 0, and at k = 1 it is a . grad_a cos: proved for n = 3")

# %% [markdown]
# Its length follows from the second form. The unit vectors $\hat a, \hat b$ have
# $\hat a\cdot\hat a = \hat b\cdot\hat b = 1$ and $\hat a\cdot\hat b = \cos\theta$, so
# $\lVert \hat b - \cos\theta\,\hat a\rVert^2 = 1 - 2\cos^2\theta + \cos^2\theta = \sin^2\theta$,
# in any dimension:
#
# $$
# \big\lVert \nabla_a \cos(a, b)\big\rVert = \frac{\sin\theta}{\lVert a\rVert} .
# $$
#
# SymPy checks the inner-product algebra with $\cos\theta$ as a symbol, and the whole statement,
# $\lVert\nabla_a\cos\rVert^2 = (1 - \cos^2)/\lVert a\rVert^2$, on the raw SymPy gradient for
# $n = 2$:

# %%
c_sym = sp.Symbol(r"c", real=True)  # cos(theta)
uu, vv, uv = 1, 1, c_sym  # a-hat . a-hat, b-hat . b-hat, a-hat . b-hat
sym.check_identity(vv - 2 * c_sym * uv + c_sym**2 * uu, 1 - c_sym**2).assert_proved()
grad_2 = sym.derived.cosine_similarity_gradient(2)
a2 = grad_2["a"]
cos2 = sym.cosine_similarity(grad_2["a"], grad_2["b"])
display(
    sym.check_identity(
        sum(g**2 for g in grad_2), (1 - cos2**2) / sum(x**2 for x in a2)
    ).assert_proved()
)

# %% [markdown]
# Three consequences for training:
#
# 1. **Gradient steps make vectors longer.** A step $a \to a + \eta\,g$ with $g \perp a$ has
#    $\lVert a + \eta g\rVert^2 = \lVert a\rVert^2 + \eta^2\lVert g\rVert^2$ (Pythagoras), so
#    every plain gradient step on a cosine-based loss lengthens the vector it moves.
# 2. **Long vectors learn slowly.** The gradient is divided by $\lVert a\rVert$: the same angle
#    gets a ten times smaller push on a ten times longer vector. Together with 1, the effective
#    step size shrinks as training goes on, unless something (weight decay, normalisation)
#    controls the lengths.
# 3. **Opposite vectors are stuck.** The gradient vanishes at $\theta = \pi$ as well as at
#    $\theta = 0$. A pair that should be similar but starts exactly opposite gets no signal, and a
#    nearly opposite pair only a weak one ($\sin\theta$ is small).
#
# The cell shows the first two with ten steps of gradient *ascent* on $\cos(a, b)$, and the third
# for an exactly opposite pair:

# %%
b_target = np.array([0.0, 1.0, 0.0])
a_walk = np.array([1.0, 0.1, 0.3])
eta = 0.5
print(f"{'step':>4s} {'|a|':>8s} {'cos(a, b)':>10s} {'|gradient|':>11s}")
for step in range(11):
    g_walk = G.cosine_similarity_grad(a_walk, b_target, dim=0)[0]
    cos_walk = float(F.cosine_similarity(a_walk, b_target, dim=0))
    if step % 2 == 0:
        print(
            f"{step:4d} {np.linalg.norm(a_walk):8.4f} {cos_walk:10.4f} "
            f"{np.linalg.norm(g_walk):11.4f}"
        )
    new_a = a_walk + eta * g_walk
    assert np.isclose(
        new_a @ new_a, a_walk @ a_walk + eta**2 * (g_walk @ g_walk), rtol=1e-12
    )
    a_walk = new_a
opposite = G.cosine_similarity_grad(-2.0 * b_target, b_target, dim=0)[0]
print(
    "exactly opposite pair: |gradient| "
    f"{sym.coarse_bound(float(np.linalg.norm(opposite)))}"
)

# %% [markdown]
# The cosine climbs towards 1 while $\lVert a\rVert$ grows at every step and the gradient dies
# away (both because $\sin\theta \to 0$ and because $\lVert a\rVert$ grows).
#
# **Checked on numbers.** The lambdified SymPy gradient agrees with `G.cosine_similarity_grad`,
# and both agree with {term}`finite differences` of `F.cosine_similarity` (computed by
# `G.numerical_gradient`). Central differences are accurate to about $10^{-9}$ here, so that is the
# scale of agreement to expect from them; the analytic formulas agree to rounding.


# %%
def random_lengths(r, n_pairs=100, low=4.0, high=8.0):
    """Columns in random directions with lengths drawn uniformly from [low, high]."""
    directions = r.normal(size=(3, n_pairs))
    return (
        directions
        / np.sqrt(np.sum(directions**2, axis=0))
        * r.uniform(low, high, n_pairs)
    )


rng_grad = np.random.default_rng(4)
grad_cases = sym.random_cases(
    rng_grad, lambda r: (random_lengths(r), random_lengths(r)), count=3
)
short_a = 1e-2 * rng_grad.normal(size=(3, 100))
grad_cases["lengths 1e-2 and 1e2"] = (
    short_a,
    1e2 * rng_grad.normal(size=short_a.shape),
)
some_a = random_lengths(rng_grad)
grad_cases["nearly opposite"] = (
    some_a,
    -some_a + 1e-2 * rng_grad.normal(size=some_a.shape),
)
display(
    sym.check_numeric(
        list(cos_grad),
        [a3, b3],
        lambda A, B: G.cosine_similarity_grad(A, B, dim=0)[0],
        grad_cases,
    )
)

print(f"{'n':>3s} {'analytic vs finite differences':>31s} {'a . gradient':>13s}")
for n_fd in (2, 5, 50):
    a_fd, b_fd = rng_grad.normal(size=n_fd), rng_grad.normal(size=n_fd)
    analytic = G.cosine_similarity_grad(a_fd, b_fd, dim=0)[0]
    numeric = G.numerical_gradient(
        lambda x: float(F.cosine_similarity(x, b_fd, dim=0)), a_fd
    )
    fd_error = float(np.max(np.abs(analytic - numeric)))
    assert fd_error < 1e-7
    print(
        f"{n_fd:3d} {sym.coarse_bound(fd_error):>31s} "
        f"{sym.coarse_bound(abs(float(a_fd @ analytic))):>13s}"
    )

# %% [markdown]
# (sec-cosine-pytorch)=
# ## In PyTorch
#
# (sec-cosine-similarity-call)=
# ### `F.cosine_similarity(x1, x2, dim=1, eps=1e-8)`
#
# PyTorch's `torch.nn.functional.cosine_similarity` computes the cosine along the dimension `dim`
# after broadcasting `x1` and `x2` to a common shape, and removes that dimension from the result.
# The default `dim=1` is made for a batch of shape $(N, D)$: one row per example, one cosine per
# row. Three things trip people up.
#
# **1-D vectors need `dim=0` (or `dim=-1`).** With the default, a pair of plain vectors raises an
# error, because a 1-D array has no dimension 1:

# %%
v1, v2 = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])
try:
    F.cosine_similarity(v1, v2)
except IndexError as error:
    print("IndexError:", error)
print(f"dim=0: {float(F.cosine_similarity(v1, v2, dim=0)):.4f}")

# %% [markdown]
# **The wrong `dim` on a batch is silent.** A batch of 4 embeddings of size 3 compared along
# `dim=0` gives 3 numbers, one per *feature*, each comparing a feature's values across the batch:
# a valid computation, and meaningless. Checking the result's shape catches it.

# %%
batch_1, batch_2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
per_example = F.cosine_similarity(batch_1, batch_2)  # dim=1: one cosine per row
per_feature = F.cosine_similarity(batch_1, batch_2, dim=0)  # one "cosine" per column
print(f"dim=1: shape {per_example.shape}, values {per_example}")
print(f"dim=0: shape {per_feature.shape}, values {per_feature}")

# %% [markdown]
# **Broadcasting gives all pairs at once.** Shapes $(N, 1, D)$ and $(1, M, D)$ broadcast to
# $(N, M, D)$, and `dim=-1` then gives the $N \times M$ matrix of cosines between every row of the
# first set and every row of the second; a single query of shape $(1, D)$ against a batch
# $(N, D)$ gives $N$ cosines. The all-pairs matrix is the Gram matrix of the normalised rows,
# $\hat X_1 \hat X_2^\top$:

# %%
queries, keys = rng.normal(size=(2, 3)), rng.normal(size=(5, 3))
all_pairs = F.cosine_similarity(queries[:, None, :], keys[None, :, :], dim=-1)
one_query = F.cosine_similarity(queries[:1], keys)
normalised_q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
normalised_k = keys / np.linalg.norm(keys, axis=1, keepdims=True)
assert np.allclose(all_pairs, normalised_q @ normalised_k.T, rtol=0, atol=1e-14)
assert np.allclose(one_query, all_pairs[0], rtol=0, atol=1e-14)
print("all pairs, shape", all_pairs.shape)
print(all_pairs)

# %% [markdown]
# (sec-cosine-eps)=
# ### The `eps` rule, at and near the zero vector
#
# The definition divides by zero for a zero vector. PyTorch's current rule clamps **each norm**
# from below at `eps` before dividing:
#
# $$
# \cos_{\varepsilon}(x_1, x_2) = \frac{x_1\cdot x_2}{\max(\lVert x_1\rVert, \varepsilon)\,
# \max(\lVert x_2\rVert, \varepsilon)}, \qquad \varepsilon = 10^{-8} \text{ by default} .
# $$
#
# Older versions clamped the *product* of the norms instead,
# $x_1\cdot x_2 / \max(\lVert x_1\rVert\lVert x_2\rVert, \varepsilon)$, and `cosine_embedding_loss`
# uses yet another rule: it adds $10^{-12}$ to each *squared* norm,
# $x_1\cdot x_2 / \sqrt{(\lVert x_1\rVert^2 + 10^{-12})(\lVert x_2\rVert^2 + 10^{-12})}$. All
# three agree for vectors of ordinary length and differ for short ones. The table takes two vectors
# at 60° (true cosine 0.5) and shrinks their lengths; the column for `cosine_embedding_loss` is
# read off the loss, $1 - \ell$ for a pair labelled $y = 1$.

# %%
unit_x1 = np.array([[1.0, 0.0]])
unit_x2 = np.array([[math.cos(math.pi / 3), math.sin(math.pi / 3)]])


def older_rule(x1, x2, eps=1e-8):
    """Older PyTorch: the product of the norms clamped at eps."""
    product = np.linalg.norm(x1, axis=1) * np.linalg.norm(x2, axis=1)
    return np.sum(x1 * x2, axis=1) / np.maximum(product, eps)


print(
    f"{'|x1|':>7s} {'|x2|':>7s} {'current rule':>13s} {'older rule':>11s} "
    f"{'embedding loss':>15s}"
)
eps_rows = {}
for len_1, len_2 in [(1.0, 1.0), (1e-5, 1e-5), (1e-9, 100.0), (1e-9, 1e-9), (0.0, 1.0)]:
    x1, x2 = len_1 * unit_x1, len_2 * unit_x2
    current = float(F.cosine_similarity(x1, x2)[0])
    older = float(older_rule(x1, x2)[0])
    embedding = 1.0 - float(
        F.cosine_embedding_loss(x1, x2, np.array([1]), reduction="none")[0]
    )
    eps_rows[(len_1, len_2)] = (current, older, embedding)
    print(f"{len_1:7.0e} {len_2:7.0e} {current:13.4e} {older:11.4e} {embedding:15.4e}")
assert eps_rows[(0.0, 1.0)] == (0.0, 0.0, 0.0)
zero_pair_loss = float(F.cosine_embedding_loss(0.0 * unit_x1, unit_x2, np.array([-1])))
print(
    "cosine_embedding_loss of a zero vector in a pair labelled -1 (margin 0): "
    f"{zero_pair_loss}"
)
assert math.isclose(eps_rows[(1e-9, 100.0)][0], 0.05, rel_tol=1e-9)
assert math.isclose(eps_rows[(1e-9, 100.0)][1], 0.5, rel_tol=1e-9)

# %% [markdown]
# Reading the rows:
#
# - A **zero vector** has cosine 0 with everything under every rule: no `nan`, but also no honest
#   answer. A zero embedding (a padding row, a dead unit) looks exactly "perpendicular" to all
#   others. In `cosine_embedding_loss` with $y = -1$ and margin 0 it costs nothing, as if it were
#   perfectly dissimilar.
# - Under the **current rule**, only a vector shorter than `eps` is affected, and its cosine
#   shrinks in proportion to its length: a vector of length $10^{-9}$ against a long one gets a
#   tenth of the true cosine. The older rule left that pair alone (the product of the lengths is
#   $10^{-7} > \varepsilon$) but already damped two vectors of length $10^{-5}$, which the current
#   rule computes exactly. Code that relies on tiny vectors therefore gives different numbers on
#   different PyTorch versions.
# - `cosine_embedding_loss` is the **most aggressive** of the three: its $10^{-12}$ is added to
#   squared norms, so it already changes the cosine of two vectors of length $10^{-5}$ by 1%, at a
#   thousand times the length where the current `eps` starts to act ({ref}`ex-cosine-5`).
#
# Chapter {doc}`07-numerical-stability` puts this `eps` next to the other guards of the book's
# losses. A negative `eps` is an error:

# %%
try:
    F.cosine_similarity(unit_x1, unit_x2, eps=-1e-8)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# (sec-cosine-embedding-loss)=
# ### `F.cosine_embedding_loss(input1, input2, target, margin=0.0, reduction='mean')`
#
# This loss trains embeddings from *pairs*: a pair labelled $y = 1$ should point the same way, a
# pair labelled $y = -1$ should not. For each pair $n$, with $c_n$ the cosine of its two vectors
# (computed with the $10^{-12}$ rule above),
#
# $$
# \ell_n = \begin{cases} 1 - c_n & \text{if } y_n = 1, \\
#   \max(0,\ c_n - \text{margin}) & \text{if } y_n = -1, \end{cases}
# $$
#
# and the {term}`reduction` `'mean'` (default), `'sum'` or `'none'` combines them. Similar pairs
# are pulled together until the cosine is 1; dissimilar pairs are pushed apart only until their
# cosine falls below the {term}`margin`, and then left alone. This is the structure of the
# {term}`contrastive loss` of {cite:t}`hadsell2006`, which pulls similar pairs together and pushes
# dissimilar pairs apart up to a margin, with the cosine in place of their Euclidean distance. The
# book's symbolic definition is `sym.cosine_embedding_loss(a, b, y, margin)`:

# %%
margin_sym = sp.Symbol("m", real=True)
loss_similar = sym.cosine_embedding_loss(a3, b3, 1)
loss_dissimilar = sym.cosine_embedding_loss(a3, b3, -1, margin=margin_sym)
display(
    sp.Eq(sp.Symbol(r"\ell_{y=1}"), loss_similar),
    sp.Eq(sp.Symbol(r"\ell_{y=-1}"), loss_dissimilar),
)
sym.check_identity(loss_similar, 1 - cos3).assert_proved()
print(
    "y = 1: loss = 1 - cos(a, b), proved;  y = -1:",
    loss_dissimilar.func.__name__,
    "of 0 and cos - m",
)

# %% [markdown]
# Lambdified, the two branches agree with `F.cosine_embedding_loss(..., reduction='none')` on
# random pairs for several margins. The agreement is close but not to rounding: the loss adds
# $10^{-12}$ to each squared norm and the definition does not, which changes the cosine by about
# $10^{-12}/\lVert x\rVert^2$, up to $10^{-9}$ for the shortest of these random vectors. The
# tolerance is set to match.


# %%
def embedding_loss(label, margin):
    def reference(A, B):
        target = np.full(A.shape[1], label)
        return F.cosine_embedding_loss(
            A.T, B.T, target, margin=margin, reduction="none"
        )

    return reference


embedding_checks = {}
for label, margin in [(1, 0.0), (-1, 0.0), (-1, 0.5), (-1, -0.5)]:
    expr = sym.cosine_embedding_loss(a3, b3, label, margin=sp.Float(margin))
    embedding_cases = sym.random_cases(rng, lambda r: pairs(columns(300)), count=2)
    embedding_cases["nearly parallel"] = pairs(
        columns(300), lambda r, a: a + 0.1 * r.normal(size=a.shape)
    )
    embedding_checks[(label, margin)] = sym.check_numeric(
        expr,
        [a3, b3],
        embedding_loss(label, margin),
        embedding_cases,
        rtol=1e-8,
        atol=1e-8,
    )
for (label, margin), table in embedding_checks.items():
    print(
        f"y = {label:2d}, margin = {margin:4.1f}:",
        "agree on",
        ", ".join(row.case for row in table.rows),
    )
display(embedding_checks[(-1, 0.5)])

# %% [markdown]
# The figure plots the loss of one pair against its cosine, for $y = 1$ and for $y = -1$ with
# three margins. Each point is computed by `F.cosine_embedding_loss` on a pair of vectors built to
# have the given cosine. The $y = 1$ line has slope $-1$ everywhere; each $y = -1$ curve is a hinge,
# flat (no gradient at all) below its margin and of slope 1 above it.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Cosine embedding loss of one pair against the cosine of its two vectors, from -1 to 1. For a similar pair (y = 1) the loss is the straight line 1 - cos, falling from 2 at cos = -1 to 0 at cos = 1. For a dissimilar pair (y = -1) the loss is a hinge max(0, cos - margin): zero up to the margin and rising with slope 1 after it, reaching 1 - margin at cos = 1; the three hinges have margins -0.5, 0 and 0.5, so the curve for margin -0.5 is highest and reaches 1.5."}}
cos_grid = np.linspace(-1.0, 1.0, 401)
pair_1 = np.tile([1.0, 0.0], (cos_grid.size, 1))
pair_2 = np.stack([cos_grid, np.sqrt(1.0 - cos_grid**2)], axis=1)
similar = np.ones(cos_grid.size, dtype=int)
curves = {
    r"similar pair, $y = 1$: $1 - \cos$": F.cosine_embedding_loss(
        pair_1, pair_2, similar, reduction="none"
    )
}
for margin in (-0.5, 0.0, 0.5):
    curves[rf"dissimilar, $y = -1$, margin ${margin:g}$"] = F.cosine_embedding_loss(
        pair_1, pair_2, -similar, margin=margin, reduction="none"
    )
fig, ax = plt.subplots(figsize=(7.5, 4.2))
lines = lbplot.loss_curve(
    ax, cos_grid, curves, r"cosine $\cos(x_1, x_2)$ of the pair", unit="dimensionless"
)
for line, style in zip(lines, ["-", "--", "-.", ":"]):
    line.set_linestyle(style)
ax.set_xlim(-1.02, 1.02)
ax.set_ylim(-0.05, 2.05)
ax.legend(loc="upper center")
ax.set_title("cosine_embedding_loss of one pair")
plt.show()

# %% [markdown]
# The loss is not in nats or bits: it is a difference of cosines, a pure number between 0 and 2.
# Two mistakes with it are common.
#
# **Labels 0 and 1 instead of −1 and 1.** The loss is defined for $y \in \{1, -1\}$ only.
# PyTorch gives **0** for any other label, without a warning, so a dataset with labels
# $\{0, 1\}$ (as for {doc}`04-binary-cross-entropy`) trains the similar pairs and silently
# ignores every dissimilar one, while `'mean'` still divides by the full number of pairs.
# `lossbook` refuses such labels instead; the cell shows its error and then reproduces what PyTorch
# computes, by giving every pair whose label is not $\pm 1$ a loss of 0.

# %%
x_left = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
x_right = np.array([[0.6, 0.8], [0.8, 0.6], [0.6, 0.8], [0.8, 0.6]])
labels_pm = np.array([1, -1, 1, -1])
labels_01 = np.array([1, 0, 1, 0])
try:
    F.cosine_embedding_loss(x_left, x_right, labels_01)
except ValueError as error:
    print("lossbook, labels 1/0: ValueError:", error)
per_pair_pm = F.cosine_embedding_loss(x_left, x_right, labels_pm, reduction="none")
as_if_similar = F.cosine_embedding_loss(
    x_left, x_right, np.ones(4, dtype=int), reduction="none"
)
per_pair_01 = np.where(
    labels_01 == 1, as_if_similar, 0.0
)  # PyTorch: 0 unless the label is 1 or -1
print("cosines of the pairs:               ", F.cosine_similarity(x_left, x_right))
print(
    "labels +1/-1, per pair:             ",
    per_pair_pm,
    f" mean {float(F.cosine_embedding_loss(x_left, x_right, labels_pm)):.4f}",
)
print(
    "labels  1/0,  per pair (PyTorch):   ",
    per_pair_01,
    f" mean {per_pair_01.mean():.4f}",
)

# %% [markdown]
# The dissimilar pairs, which have cosine 0.8 and should cost 0.8 each, cost nothing. Convert the
# labels with `2 * y - 1` before calling the loss.
#
# **A margin that switches the loss off.** The cosine never exceeds 1, so with `margin >= 1`
# every dissimilar pair costs 0 whatever the embeddings do. With a negative margin, on the other
# hand, a dissimilar pair is pushed until its cosine drops below that margin, towards pointing in
# *opposite* directions, which is rarely the intention for "unrelated" pairs. The documentation
# suggests margins between 0 and 0.5.

# %%
for margin in (1.0, 0.5, 0.0, -0.5):
    loss = float(
        F.cosine_embedding_loss(x_left, x_right, -np.ones(4, dtype=int), margin=margin)
    )
    print(f"margin {margin:4.1f}: mean loss of the four pairs labelled -1 = {loss:.4f}")

# %% [markdown]
# (sec-cosine-documents)=
# ## Application: comparing documents
#
# Salton's vector space model {cite:p}`salton1975` represents a document by a vector with one entry
# per word of the vocabulary, and compares documents by the cosine of their vectors. The simplest
# version, the {term}`bag-of-words` model, uses raw counts and forgets the order of the words.
# Here are six short documents; the last is the first one pasted three times.

# %%
documents = [
    "The cat sat on the mat.",
    "My cat sat on the warm mat, and the cat purred while the dog slept on the mat by "
    "the door.",
    "Stock markets fell.",
    "Investors sold shares as the stock market fell and the bank raised rates.",
    "Heavy rain is expected on Monday.",
    "The cat sat on the mat. " * 3,
]
tokens = [re.findall(r"[a-z]+", text.lower()) for text in documents]
vocabulary = sorted({word for words in tokens for word in words})
counts = np.array(
    [[words.count(word) for word in vocabulary] for words in tokens], dtype=float
)
print(f"{len(documents)} documents, vocabulary of {len(vocabulary)} words")
print("words of document 0:", [w for w, c in zip(vocabulary, counts[0]) if c > 0])
print(
    "counts of document 0:",
    counts[0][counts[0] > 0].astype(int),
    "| of document 5:",
    counts[5][counts[5] > 0].astype(int),
)

# %% [markdown]
# One call with broadcasting gives the whole $6 \times 6$ matrix of cosine similarities, and the
# Euclidean distances between the count vectors are computed alongside:

# %%
cos_docs = F.cosine_similarity(counts[:, None, :], counts[None, :, :], dim=-1)
dist_docs = np.linalg.norm(counts[:, None, :] - counts[None, :, :], axis=-1)


def show_matrix(matrix, title):
    print(title)
    print("      " + "".join(f"{j:>7d}" for j in range(len(documents))))
    for i, row in enumerate(matrix):
        print(f"doc {i} " + "".join(f"{v:7.3f}" for v in row))


show_matrix(cos_docs, "cosine similarity")
show_matrix(dist_docs, "Euclidean distance between count vectors")

# %% [markdown]
# Now search with document 0, "The cat sat on the mat.", as the query:

# %%
others = np.arange(1, len(documents))
by_cosine = others[np.argsort(-cos_docs[0, others], kind="stable")]
by_distance = others[np.argsort(dist_docs[0, others], kind="stable")]
print(
    f"{'rank':>4s}  {'by cosine (highest first)':<34s} "
    f"{'by Euclidean distance (nearest first)'}"
)
for rank, (i, j) in enumerate(zip(by_cosine, by_distance), start=1):
    print(
        f"{rank:4d}  doc {i}: cos {cos_docs[0, i]:.3f}{'':16s}"
        f"  doc {j}: distance {dist_docs[0, j]:.3f}"
    )
assert by_cosine[0] == 5 and by_distance[0] == 2 and by_distance[-1] == 5
assert cos_docs[0, 2] == 0.0
for i in (3, 4):
    shared = [w for w, x, y in zip(vocabulary, counts[0], counts[i]) if x > 0 and y > 0]
    print(f"words that doc {i} shares with the query: {shared}")
assert np.isclose(dist_docs[0, 5], 2 * np.linalg.norm(counts[0]), rtol=1e-12)

# %% [markdown]
# The two rankings disagree completely:
#
# - By cosine, the nearest document is the query itself pasted three times (cosine 1), then the
#   long document about a cat on a mat. The three documents on other subjects come last, and
#   "Stock markets fell.", which shares no word with the query, has cosine exactly 0.
# - By Euclidean distance, the *nearest* document is "Stock markets fell.": it shares no word with
#   the query, but it is short, so its count vector is close to the origin, and so is the query's.
#   The tripled query is the *farthest* of all, at a distance of exactly twice the length of the
#   query's vector ($\lVert 3x - x\rVert = 2\lVert x\rVert$).
#
# For word counts, length measures how long a text is, not what it is about: a nuisance, and the
# cosine is right to ignore it. Two refinements are standard in practice. Common words dominate
# raw counts: documents 3 and 4 owe their whole similarity to the query to "the" and to "on".
# Weighting each word by how rare it is across the collection ({term}`tf-idf`, as in
# {cite:t}`salton1975`) fixes that. And learned embeddings replace counts by dense vectors
# in which synonyms point the same way, compared by the same cosine.
#
# (sec-cosine-summary)=
# ## Summary
#
# - $\cos(a, b) = a\cdot b/(\lVert a\rVert\lVert b\rVert)$ is the cosine of the angle between $a$
#   and $b$; it lies in $[-1, 1]$ by the Cauchy–Schwarz inequality (Lagrange's identity for each
#   $n$, or the quadratic $\lVert a - tb\rVert^2 \ge 0$ for all $n$), with $\pm 1$ exactly for
#   parallel vectors.
# - It ignores lengths: $\cos(ka, b) = \operatorname{sign}(k)\cos(a, b)$. That is right when length
#   is a nuisance (document length) and wrong when it carries meaning (ratings).
# - For unit vectors, $\lVert \hat a - \hat b\rVert^2 = 2 - 2\cos(a, b)$. The cosine distance
#   $1 - \cos$ is not a metric; the angle and $\lVert\hat a - \hat b\rVert$ are.
# - $\nabla_a\cos(a, b) = (\hat b - \cos(a, b)\,\hat a)/\lVert a\rVert$: orthogonal to $a$, of
#   length $\sin\theta/\lVert a\rVert$. Gradient steps lengthen vectors, long vectors learn slowly,
#   and opposite vectors get no gradient.
# - `F.cosine_similarity(x1, x2, dim=1, eps=1e-8)` works along `dim` (mind 1-D inputs and the
#   silent wrong `dim`), broadcasts (all pairs from $(N, 1, D)$ and $(1, M, D)$), clamps each norm
#   at `eps`, and returns 0 for a zero vector.
# - `F.cosine_embedding_loss` is $1 - \cos$ for $y = 1$ and $\max(0, \cos - \text{margin})$ for
#   $y = -1$; PyTorch silently gives 0 for any other label (labels 0/1 are a common mistake;
#   `lossbook` raises). It uses its own $10^{-12}$ rule for short vectors.
#
# ## Exercises
#
# ```{exercise} Cosine of centred vectors
# :label: ex-cosine-1
# The Pearson correlation of two vectors $a, b \in \mathbb{R}^n$ is
# $r(a, b) = \sum_i (a_i - \bar a)(b_i - \bar b) \big/ \sqrt{\sum_i (a_i - \bar a)^2
# \sum_i (b_i - \bar b)^2}$, with $\bar a, \bar b$ the means of the entries.
# (a) Show that $r(a, b) = \cos(a - \bar a\mathbf{1}, b - \bar b\mathbf{1})$, and check it with SymPy
# for $n = 3$. (b) Dan rates three films $(1, 2, 1)$ and Eve $(5, 4, 5)$. Compute their cosine
# similarity and their Pearson correlation, and say which one describes their tastes.
# (c) What does `F.cosine_similarity` return for Ann's and Bob's ratings of
# {ref}`sec-cosine-scale` after centring, and what does that number mean (or not mean)?
# ```
#
# ```{solution-start} ex-cosine-1
# :class: dropdown
# ```
#
# (a) Substitute $a_i - \bar a$ and $b_i - \bar b$ into the definition of the cosine: the numerator
# and the two norms are exactly those of $r$. (b) The raw cosine is high, because all ratings are
# positive and so all rating vectors lie in the same corner of $\mathbb{R}^3$; after centring, Dan
# liked the film Eve liked least and the other way round, and the correlation is $-1$. (c) Both
# centred vectors are zero (each person rated every film the same), so the correlation is $0/0$,
# undefined. `F.cosine_similarity` returns 0 thanks to its `eps`, which reads as "uncorrelated"
# but only means "no information".

# %%
a_c, b_c = sym.logits(3, name="a"), sym.logits(3, name="b")
mean_a, mean_b = sum(a_c) / 3, sum(b_c) / 3
centred_a, centred_b = [x - mean_a for x in a_c], [y - mean_b for y in b_c]
pearson = sum(x * y for x, y in zip(centred_a, centred_b)) / sp.sqrt(
    sum(x**2 for x in centred_a) * sum(y**2 for y in centred_b)
)
sym.check_identity(pearson, sym.cosine_similarity(centred_a, centred_b)).assert_proved()
print("(a) Pearson r = cosine of the centred vectors: proved for n = 3")
dan, eve = np.array([1.0, 2.0, 1.0]), np.array([5.0, 4.0, 5.0])
cos_de = float(F.cosine_similarity(dan, eve, dim=0))
r_de = float(F.cosine_similarity(dan - dan.mean(), eve - eve.mean(), dim=0))
assert np.isclose(r_de, np.corrcoef(dan, eve)[0, 1], rtol=1e-12)
print(f"(b) cosine {cos_de:.4f}, Pearson correlation {r_de:.4f}")
ann_c, bob_c = (
    ratings["Ann"] - ratings["Ann"].mean(),
    ratings["Bob"] - ratings["Bob"].mean(),
)
print(
    f"(c) centred Ann {ann_c}, centred Bob {bob_c}: "
    f"F.cosine_similarity = {float(F.cosine_similarity(ann_c, bob_c, dim=0)):.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} The gradient of a dissimilar pair
# :label: ex-cosine-2
# For one pair with label $y = -1$ and margin $m$, the loss is $\ell(a) = \max(0, \cos(a, b) - m)$.
# (a) Write $\nabla_a \ell$ using the gradient of {ref}`sec-cosine-gradient`. Where is it zero?
# (b) For $a = (1, 1, 0)$, $b = (1, 0.2, 0.5)$ and $m = 0.2$, compare your formula with
# `G.numerical_gradient` of `F.cosine_embedding_loss` (with `reduction='sum'`).
# (c) Take one gradient-*descent* step with learning rate 0.5. By how much does the loss fall,
# and what happens to $\lVert a\rVert$?
# ```
#
# ```{solution-start} ex-cosine-2
# :class: dropdown
# ```
#
# (a) $\nabla_a\ell = \nabla_a\cos(a, b) = (\hat b - \cos(a, b)\,\hat a)/\lVert a\rVert$ where
# $\cos(a, b) > m$, and $0$ where $\cos(a, b) < m$: a pair that is already dissimilar enough
# gets no gradient at all (at $\cos = m$ the hinge has a kink). It is also zero when $a$ and $b$
# are parallel. (c) The step is orthogonal to $a$, so $\lVert a\rVert$ grows, as in
# {ref}`sec-cosine-gradient`, even though the aim is only to turn $a$ away from $b$.

# %%
a_ex, b_ex, m_ex = np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.2, 0.5]), 0.2


def dissimilar_loss(x):
    return float(
        F.cosine_embedding_loss(
            x[None, :], b_ex[None, :], np.array([-1]), margin=m_ex, reduction="sum"
        )
    )


cos_ex = float(F.cosine_similarity(a_ex, b_ex, dim=0))
formula_ex = (
    G.cosine_similarity_grad(a_ex, b_ex, dim=0)[0] if cos_ex > m_ex else np.zeros(3)
)
numeric_ex = G.numerical_gradient(dissimilar_loss, a_ex)
assert np.allclose(formula_ex, numeric_ex, atol=1e-7)
print(
    f"(b) cos(a, b) = {cos_ex:.4f} > m = {m_ex}: formula {formula_ex}, "
    f"finite differences {numeric_ex}"
)
a_next = a_ex - 0.5 * formula_ex
print(
    f"(c) loss {dissimilar_loss(a_ex):.4f} -> {dissimilar_loss(a_next):.4f}; "
    f"|a| {np.linalg.norm(a_ex):.4f} -> {np.linalg.norm(a_next):.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} How badly does the cosine distance fail?
# :label: ex-cosine-3
# Put three unit vectors in the plane at angles $0$, $\varphi$ and $2\varphi$, with
# $0 < \varphi \le \pi/2$, and let $d = 1 - \cos$.
# (a) Compute the ratio $\rho(\varphi) = d(a, c) / \big(d(a, b) + d(b, c)\big)$ with SymPy,
# simplify it, and find its limit as $\varphi \to 0$. For which $\varphi$ is the triangle
# inequality violated?
# (b) Do the same for $\sqrt{2 - 2\cos}$ and confirm that the ratio never exceeds 1.
# (c) Explain the limit in (a) with $1 - \cos\varphi \approx \varphi^2/2$.
# ```
#
# ```{solution-start} ex-cosine-3
# :class: dropdown
# ```
#
# (a) $d(a, b) = d(b, c) = 1 - \cos\varphi$ and $d(a, c) = 1 - \cos 2\varphi = 2\sin^2\varphi$,
# so $\rho = \sin^2\varphi / (1 - \cos\varphi) = 1 + \cos\varphi$, which is greater than 1 for
# every $\varphi < \pi/2$ and tends to 2. (b) $\sqrt{2 - 2\cos\theta} = 2\sin(\theta/2)$, so the ratio
# is $\sin\varphi / (2\sin(\varphi/2)) = \cos(\varphi/2) \le 1$: the chord is a metric.
# (c) For small angles $d \approx \theta^2/2$ behaves like a *squared* distance: halving a step
# quarters its cost, so two half steps cost half of one full step.

# %%
phi = sp.Symbol("varphi", positive=True)
unit = lambda angle_: [sp.cos(angle_), sp.sin(angle_)]  # noqa: E731
d_cos = lambda u, v: 1 - sym.cosine_similarity(u, v)  # noqa: E731
d_chord = lambda u, v: sp.sqrt(2 - 2 * sym.cosine_similarity(u, v))  # noqa: E731
pa, pb, pc = unit(0), unit(phi), unit(2 * phi)
rho_cos = d_cos(pa, pc) / (d_cos(pa, pb) + d_cos(pb, pc))
sym.check_identity(rho_cos, 1 + sp.cos(phi)).assert_proved()
limit_cos = sp.limit(rho_cos, phi, 0, "+")
assert limit_cos == 2
print(
    f"(a) rho = 1 + cos(varphi); limit as varphi -> 0: {limit_cos}; "
    f"rho(pi/2) = {sp.simplify(rho_cos.subs(phi, sp.pi / 2))}"
)
rho_chord = d_chord(pa, pc) / (d_chord(pa, pb) + d_chord(pb, pc))
phi_grid = np.linspace(1e-3, np.pi / 2, 500)
rho_values = sp.lambdify(phi, rho_chord, modules=["numpy"])(phi_grid)
assert (
    np.allclose(rho_values, np.cos(phi_grid / 2), rtol=1e-12) and rho_values.max() <= 1
)
print(
    f"(b) chord ratio = cos(varphi/2): between {rho_values.min():.4f} and "
    f"{rho_values.max():.4f} "
    f"on the grid"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Random vectors are nearly perpendicular
# :label: ex-cosine-4
# Draw $a$ and $b$ with independent standard normal entries in $\mathbb{R}^n$.
# (a) Argue that $\mathbb{E}[\cos(a, b)] = 0$ and $\mathbb{E}[\cos(a, b)^2] = 1/n$.
# (Hint: $\hat a$ is uniform on the sphere and independent of $b$; and
# $\sum_i \hat a_i^2 = 1$.)
# (b) Check it for $n = 2, 10, 100, 1000$ with 5000 pairs each (`np.random.default_rng(4)`).
# (c) A model reports a cosine of 0.2 between two 768-dimensional embeddings. Is that high?
# ```
#
# ```{solution-start} ex-cosine-4
# :class: dropdown
# ```
#
# (a) Given $b$, $\cos(a, b) = \hat a\cdot\hat b$, and by rotational symmetry we may take
# $\hat b = e_1$, so $\cos(a, b)$ has the distribution of $\hat a_1$. The sign of $\hat a_1$ is
# symmetric, so the mean is 0; all coordinates of $\hat a$ have the same distribution and
# $\sum_i \hat a_i^2 = 1$, so $\mathbb{E}[\hat a_1^2] = 1/n$. The typical size of the cosine of
# unrelated vectors is therefore $1/\sqrt n$. (c) For $n = 768$ that is about 0.036, so a cosine
# of 0.2 is more than five standard deviations above chance for *random* directions. Trained
# embeddings are not random (they usually share a common direction), so in practice compare
# with the cosines of known unrelated pairs.

# %%
rng_ex = np.random.default_rng(4)
print(f"{'n':>5s} {'mean cos':>9s} {'mean cos^2':>11s} {'1/n':>7s}")
for n_dim in (2, 10, 100, 1000):
    cos_rand = F.cosine_similarity(
        rng_ex.normal(size=(5000, n_dim)), rng_ex.normal(size=(5000, n_dim))
    )
    assert abs(np.mean(cos_rand**2) * n_dim - 1) < 0.1
    print(
        f"{n_dim:5d} {np.mean(cos_rand):9.4f} {np.mean(cos_rand**2):11.5f} "
        f"{1 / n_dim:7.4f}"
    )
print(
    f"(c) 1/sqrt(768) = {1 / math.sqrt(768):.4f}; 0.2 is {0.2 * math.sqrt(768):.1f} of "
    "these"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Where does the 1e-12 start to matter?
# :label: ex-cosine-5
# `cosine_embedding_loss` computes the cosine as
# $x_1\cdot x_2 / \sqrt{(\lVert x_1\rVert^2 + 10^{-12})(\lVert x_2\rVert^2 + 10^{-12})}$.
# (a) For two vectors of the same length $r$, find with SymPy the length at which this cosine is
# 1% smaller than the true cosine. (b) Check it with `F.cosine_embedding_loss` and
# `F.cosine_similarity`. (c) Below which length does `F.cosine_similarity` itself start to
# deviate from the true cosine, for two vectors of the same length?
# ```
#
# ```{solution-start} ex-cosine-5
# :class: dropdown
# ```
#
# (a) The ratio of the two cosines is $r^2/(r^2 + 10^{-12})$; setting it to $0.99$ gives
# $r^2 = 99\times 10^{-12}$, $r \approx 10^{-5}$. (c) `F.cosine_similarity` is exact until a norm
# drops below `eps` $= 10^{-8}$, three orders of magnitude later: for vectors of length between
# about $10^{-8}$ and $10^{-5}$ only the loss's cosine is off, and below $10^{-8}$ both are, by
# different amounts.

# %%
r_len_ex = sp.Symbol("r", positive=True)
(r_one_percent,) = sp.solve(
    sp.Eq(r_len_ex**2 / (r_len_ex**2 + sp.Rational(1, 10**12)), sp.Rational(99, 100)),
    r_len_ex,
)
r_value = float(r_one_percent)
x1_ex, x2_ex = r_value * unit_x1, r_value * unit_x2
cos_loss = 1.0 - float(
    F.cosine_embedding_loss(x1_ex, x2_ex, np.array([1]), reduction="none")[0]
)
cos_true = float(F.cosine_similarity(x1_ex, x2_ex)[0])
assert math.isclose(cos_loss / cos_true, 0.99, rel_tol=1e-9)
print(f"(a) r = {r_one_percent} = {r_value:.4e}")
print(
    f"(b) at that length: loss's cosine {cos_loss:.6f}, F.cosine_similarity "
    f"{cos_true:.6f}, "
    f"ratio {cos_loss / cos_true:.6f}"
)
print(
    f"(c) F.cosine_similarity is exact down to eps = 1e-8: at r = 2e-8 it gives "
    f"{float(F.cosine_similarity(2e-8 * unit_x1, 2e-8 * unit_x2)[0]):.6f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`salton1975` introduced the vector space model of information retrieval: documents
#   and queries as vectors of (weighted) term counts, compared by the cosine of their angle.
# - {cite:t}`hadsell2006` introduced the contrastive loss for learning embeddings from similar
#   and dissimilar pairs with a margin; `cosine_embedding_loss` has the same structure, with the
#   cosine in place of the Euclidean distance.
# - {cite:t}`paszke2019` describe PyTorch, whose `cosine_similarity` and `cosine_embedding_loss`
#   `lossbook.functional` reproduces.
