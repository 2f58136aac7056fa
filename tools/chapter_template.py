# %% [markdown]
# # The mean minimises the squared error
#
# <!-- TEMPLATE: copy this file to book/_src/NN-topic.py and follow CHAPTER.md step by step.
#      Replace the example topic (the constant that minimises the mean squared error) by yours;
#      rename every label "template" (sec-template-..., thm-template-..., ex-template-N) after
#      your topic; delete these TEMPLATE comments. -->
#
# One or two paragraphs of overview: the question this chapter answers, in plain words, and why
# a reader of a deep-learning book should care. Here: **which single number $c$ predicts a list
# of measurements best, when "best" means the smallest mean squared error?** Link the first use
# of each glossary term, e.g. the {term}`gradient`, and cite primary sources from
# `book/references.bib`, e.g. {cite:t}`bishop2006`.
#
# **In this chapter** you will derive and check
#
# - that the mean squared error of a constant prediction is minimised by the mean
#   ({prf:ref}`thm-template-mean`), by SymPy for several sample sizes;
# - that `lossbook.functional.mse_loss` agrees with the derived formula on numbers;
# - which PyTorch call computes it, and one mistake with its numeric fingerprint.
#
# **You need** derivatives of polynomials and the conventions of the preface
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
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

import lossbook.functional as F
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=6, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(2026)  # TEMPLATE: one seed per chapter, e.g. 20NN

# %% [markdown]
# (sec-template-define)=
# ## Define
#
# The definition in displayed maths: for measurements $x_1, \dots, x_n$ and a constant
# prediction $c$, the mean squared error is
#
# $$
# L(c) = \frac{1}{n} \sum_{i=1}^{n} (x_i - c)^2 .
# $$
#
# Then the same definition in SymPy, for a fixed $n$ (say which $n$).


# %%
def mse_of_constant(n: int) -> tuple[list[sp.Symbol], sp.Symbol, sp.Expr]:
    """The symbols x_1..x_n, c and L(c) for n measurements."""
    xs = list(sp.symbols(f"x_{{1:{n + 1}}}", real=True))
    c = sp.Symbol("c", real=True)
    return xs, c, sum((x - c) ** 2 for x in xs) / n


xs, c, loss = mse_of_constant(3)
display(Math(r"L(c) = " + sp.latex(loss)))

# %% [markdown]
# (sec-template-derive)=
# ## Derive
#
# State the main result as a numbered, labelled theorem that a course can cite, with its proof.
#
# ```{prf:theorem} The mean minimises the squared error
# :label: thm-template-mean
# For real $x_1, \dots, x_n$, $L(c)$ has exactly one minimiser, $c^* = \bar x = \frac1n\sum_i x_i$.
# ```
#
# ```{prf:proof}
# $L'(c) = -\frac{2}{n}\sum_i (x_i - c)$ vanishes only at $c = \bar x$, and $L''(c) = 2 > 0$.
# ```
#
# The cell lets SymPy find the stationary point and asserts that it is the mean; SymPy proves it
# for one $n$ at a time, so the loop checks several (say so in the prose: never claim general $n$
# from $n = 3$).

# %%
for n in (1, 2, 3, 5, 8):
    xs_n, c_n, loss_n = mse_of_constant(n)
    (c_star,) = sp.solve(sp.diff(loss_n, c_n), c_n)
    assert sp.simplify(c_star - sum(xs_n) / n) == 0, n
    assert sp.diff(loss_n, c_n, 2) == 2, n
display(Math(r"c^{*} = " + sp.latex(c_star) + r"\quad (n = 8)"))

# %% [markdown]
# (sec-template-check)=
# ## Check on numbers
#
# The derived formula, lambdified, against `lossbook` on seeded random inputs and on the edge
# cases that matter; `sym.check_numeric` prints a small table and raises on disagreement.


# %%
def lossbook_mse_of_constant(x1, x2, x3, c):
    x = np.array([x1, x2, x3])
    return float(F.mse_loss(x, np.full_like(x, c)))


cases = sym.random_cases(rng, lambda r: (*r.normal(size=3), r.normal()), count=3)
cases["c at the mean"] = (1.0, 2.0, 6.0, 3.0)
sym.check_numeric(loss, [*xs, c], lossbook_mse_of_constant, cases)

# %% [markdown]
# A figure: made after `lbplot.use_style()`, axes labelled with units, alt text in the cell
# metadata, the input hidden (`hide-input`), and `plt.show()` at the end.

# %% tags=["hide-input"] mystnb={"image": {"alt": "A parabola: the mean squared error of a constant prediction c for the measurements 1, 2 and 6, lowest at c = 3, the mean, marked by a dot."}}
x_example = np.array([1.0, 2.0, 6.0])
grid = np.linspace(-1.0, 7.0, 161)
curve = [float(F.mse_loss(x_example, np.full(3, g))) for g in grid]
fig, ax = lbplot.figure("single")
ax.plot(grid, curve, color=lbplot.PALETTE[0])
ax.plot([x_example.mean()], [float(F.mse_loss(x_example, np.full(3, 3.0)))], "o")
lbplot.label_axes(ax, "constant prediction c", "mean squared error (squared units)")
plt.show()

# %% [markdown]
# (sec-template-pytorch)=
# ## In PyTorch
#
# The PyTorch call that computes the same thing, `torch.nn.functional.mse_loss(input, target)`,
# its options (`reduction`), and the mistakes people make, each reproduced with numbers by
# `lossbook` (the book never imports PyTorch). A mistake and its numeric fingerprint:
# `reduction='sum'` is $n$ times the mean.

# %%
x_batch = rng.normal(size=4)
mean_loss = F.mse_loss(x_batch, np.zeros(4))
sum_loss = F.mse_loss(x_batch, np.zeros(4), reduction="sum")
print(f"sum / mean = {float(sum_loss / mean_loss):.6f}  (n = {x_batch.size})")

# %% [markdown]
# ## Summary
#
# - A few bullets: what was derived (with the theorem's reference), what was checked and how.
#
# ## Exercises
#
# At least four, mixing derivation, computation and interpretation, each labelled
# `ex-<topic>-<n>`, each followed by a gated solution whose numbers are computed in cells.
#
# ```{exercise} The median and the absolute error
# :label: ex-template-1
# Which constant minimises the mean absolute error $\frac1n\sum_i |x_i - c|$ of the measurements
# $1, 2, 6$? Compare it with the mean, on numbers.
# ```
#
# ```{solution-start} ex-template-1
# :class: dropdown
# ```
#
# The median, 2: for $c$ between 2 and 6 the loss grows with $c$, below 2 it falls. The cell
# evaluates both candidates with `F.l1_loss`.

# %%
for name, candidate in (("median", 2.0), ("mean", 3.0)):
    value = float(F.l1_loss(x_example, np.full(3, candidate)))
    print(f"{name}: c = {candidate}, mean absolute error = {value:.6f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# (exercises 2, 3 and 4 follow the same pattern)
#
# ## References
#
# A short list of {cite:t}`key` items, each saying what the work is for; every key is in
# `book/references.bib`. No `{bibliography}` directive here: `book/bibliography.md` has the one.
#
# - {cite:t}`bishop2006`, section 1.5.5: the squared loss and its minimiser, the mean.
