# %% [markdown]
# # How to read this book
#
# This book is about the losses that deep-learning models minimise: what each one measures, where
# its formula comes from, how PyTorch computes it, and how it goes wrong. It is written for
# students meeting these losses for the first time and for practitioners who use them every day
# and want to know exactly what `F.cross_entropy` returns when some targets are ignored. This
# preface is not numbered: chapter 1 is {doc}`01-information-and-entropy`, and the number of every
# chapter is the number in its file name.
#
# **In this chapter** (an unnumbered preface)
#
# - the rhythm of every chapter, *define → derive → assert → check*, carried out on one identity:
#   the log-sum-exp of shifted logits;
# - the notation that all chapters share;
# - how to run the notebooks yourself.
#
# **You need**
#
# - the logarithm and the exponential, and a derivative or two;
# - reading knowledge of Python and NumPy. No SymPy or PyTorch is assumed.
#
# Every chapter is a Jupyter notebook. You can read it here, or download it (the download button
# at the top of each page) and run it: the only requirements are NumPy, SymPy, Matplotlib and the
# small `lossbook` package that lives next to the book. PyTorch is **not** needed to run the book:
# `lossbook.functional` reproduces PyTorch's losses in NumPy, option for option, and the book's
# test-suite checks it against PyTorch.

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
import numpy as np
import sympy as sp

import lossbook.functional as F
import lossbook.symbolic as sym

# %%
rng = np.random.default_rng(0)

# %% [markdown]
# (sec-how-to-read-rhythm)=
# ## The rhythm of every chapter: define → derive → assert → check
#
# A formula in this book is never just stated. Each chapter
#
# 1. **defines** a quantity in displayed mathematics and, in the same words, in SymPy;
# 2. **derives** its properties symbolically, one visible step at a time;
# 3. **asserts** the result, so that the notebook fails if the derivation is wrong;
# 4. **checks** the derived formula on numbers against `lossbook`, on random inputs and on the
#    edge cases that matter, and shows the agreement in a small table.
#
# Because the notebooks are executed by the test-suite and compared, output for output, with what
# you are reading, every number on these pages was computed by the code next to it.
#
# Here is the rhythm on the smallest useful example. The {term}`log-sum-exp` of a vector of
# {term}`logit`s,
#
# $$
# \operatorname{logsumexp}(z) = \log \sum_{j=1}^{n} e^{z_j},
# $$
#
# is unchanged, apart from an added constant, when every logit is shifted by the same constant $c$:
#
# $$
# \operatorname{logsumexp}(z + c) = c + \operatorname{logsumexp}(z).
# $$
#
# This identity is the reason a {term}`softmax` does not care about a common shift of its inputs,
# and it is the trick (choose $c = -\max_j z_j$) that keeps computers from overflowing
# ({doc}`07-numerical-stability`). The reason is one line: $\sum_j e^{z_j + c} = e^c \sum_j e^{z_j}$,
# and the logarithm of a product of positive numbers is the sum of their logarithms. Chapter 7
# states the identity as a numbered theorem, {prf:ref}`thm-logsumexp-shift`, the form in which
# every chapter states its main results so that a course can cite them, and proves it there for
# any number of logits.
#
# Below, SymPy carries out the same steps for $n = 3$ logits, as a first example of the rhythm.
# The proof for a symbolic number of logits, with SymPy's indexed sums, is in
# {ref}`sec-stability-lse` of chapter 7.

# %% [markdown]
# ### Define
#
# `lossbook.symbolic` holds the book's SymPy definitions. Logits are real symbols; the definitions
# mirror the numeric functions of `lossbook.functional`.

# %%
z = sym.logits(3)
c = sp.Symbol("c", real=True)
lse = sym.logsumexp(z)
lse

# %% [markdown]
# ### Derive and assert
#
# Substitute $z_j \to z_j + c$ and ask SymPy whether the result equals $c + \operatorname{logsumexp}(z)$.
# `check_identity` tries the simplifications that apply (expanding and combining logarithms under
# the symbols' assumptions, factoring) and reports whether SymPy *proved* the identity. A result
# that SymPy cannot decide counts as a failure, never as a pass.

# %%
shifted = lse.subs({zj: zj + c for zj in z}, simultaneous=True)
result = sym.check_identity(shifted, c + lse)
assert result, result
result

# %% [markdown]
# The checker also refuses what is false. Shifting by $c$ does **not** leave the log-sum-exp
# unchanged:

# %%
wrong = sym.check_identity(shifted, lse)
assert not wrong
wrong

# %% [markdown]
# ### Check on numbers
#
# Finally the derived formula meets `lossbook`. `check_numeric` turns the SymPy expression into a
# NumPy function and compares it with `F.logsumexp` on seeded random logits and on an edge case:
# logits $z$ near 700 shifted by $c = 300$, so that $z + c$ is near 1000, where the textbook
# formula $\log\sum_j e^{z_j + c}$ overflows (next cell). The derived right-hand side only
# exponentiates $z$ and stays finite. The table shows the largest differences, rounded *up* to a
# coarse bound.

# %%
derived = c + lse


def reference(z_values, shift):
    return F.logsumexp(np.asarray(z_values) + shift, dim=-1)


cases = {
    "random logits": (rng.normal(size=3), 0.7),
    "negative shift": (rng.normal(size=3), -5.0),
    "z near 700, z + c near 1000": (np.array([700.0, 699.0, 698.0]), 300.0),
}
sym.check_numeric(derived, [z, c], reference, cases)

# %% [markdown]
# The reason for the identity shows on the logits $z + c = (1000, 999, 998)$ of the last case:
# $e^{1000}$ overflows in double precision (the largest float64 is about $e^{709.78}$), so the
# textbook formula returns infinity, while the shifted form does not.

# %%
large = np.array([1000.0, 999.0, 998.0])
with np.errstate(over="ignore"):
    textbook = np.log(np.sum(np.exp(large)))
assert np.isinf(textbook)
print("textbook log(sum(exp(z))):", f"{textbook:.6f}")
print("lossbook F.logsumexp(z):  ", f"{float(F.logsumexp(large, dim=0)):.6f}")

# %% [markdown]
# ## Notation
#
# | symbol | meaning |
# |---|---|
# | $p$, $q$ | probability vectors (distributions over $C$ classes); $p$ is the data or target, $q$ the model |
# | $z \in \mathbb{R}^C$ | {term}`logit`s, the unnormalised scores a network outputs |
# | $y$ | a class index in $\{0, \dots, C-1\}$ (PyTorch counts from 0), or a binary label in $\{0, 1\}$ |
# | $e_y$ | the {term}`one-hot encoding` of class $y$: 1 at position $y$, 0 elsewhere |
# | $p^{\varepsilon}$ | the label-smoothed target $(1-\varepsilon)\,e_y + \varepsilon/C$ ({doc}`02-cross-entropy`) |
# | $\sigma(z)$ | the {term}`sigmoid` $1/(1+e^{-z})$ |
# | $\log$ | the natural logarithm; information is then in {term}`nat`s. $\log_2$ gives {term}`bit`s |
# | $H(p)$, $H(p, q)$ | {term}`entropy` and {term}`cross-entropy` |
# | $D_{\mathrm{KL}}(p\,\|\,q)$ | the relative entropy ({term}`KL divergence`) of $q$ from $p$, defined in {ref}`sec-relative-entropy` |
# | $N$, $C$ | batch size and number of classes, as in PyTorch's shape $(N, C)$ |
#
# Class indices count from 0 everywhere, in the text as in the code: the "first class" is $y = 0$.
# Where a formula is easier to read with indices $1, \dots, C$ (sums $\sum_{i=1}^{n}$, SymPy's
# symbols $p_1, \dots, p_n$), the chapter says so, and class $y$ is then entry $y + 1$.
#
# Code follows PyTorch's names: `F` is `lossbook.functional`, used exactly like
# `torch.nn.functional`, and its arguments (`reduction`, `weight`, `ignore_index`,
# `label_smoothing`, `pos_weight`, `log_target`, `eps`) mean what they mean in PyTorch.
#
# ## Running the notebooks yourself
#
# Clone the repository and run `make book` (it creates a virtual environment, installs the pinned
# requirements and builds this site) or `make lab` to open the notebooks in JupyterLab. Each chapter
# also has download, Binder and Colab buttons at the top of its page. Exercises close every chapter;
# their solutions are hidden until you click, and the {doc}`exercises` page lists them all.
#
# ## Where this book comes from
#
# It grew from a short Chinese README on five losses. The chapters keep its order
# ({doc}`01-information-and-entropy` and {doc}`02-cross-entropy`,
# {doc}`03-negative-log-likelihood`, {doc}`04-binary-cross-entropy`, {doc}`05-kl-divergence`,
# {doc}`06-cosine-similarity`) and its claims, each derived and checked, and go beyond it with
# the six chapters that follow. The information theory follows {cite:t}`shannon1948` and
# {cite:t}`cover2006`; the deep-learning view follows {cite:t}`goodfellow2016`; the PyTorch
# semantics are those of {cite:t}`paszke2019`'s library, read from its sources.
#
# ## Two editions: English and Chinese
#
# Because the book began in Chinese, it has a Chinese edition (中文版), and every page links to
# its twin at the top. The two editions are built from the same notebooks: the code, its outputs
# and the figures are shared, so the figures keep their English labels and legends in both, and
# only the prose is translated (through the catalogues in `locales/zh_CN/`, which the test-suite
# keeps complete). The API reference is generated from the docstrings of `lossbook`, which stay in
# English in both editions.
#
# ## Exercises
#
# ```{exercise} Shift by the maximum
# :label: ex-how-to-read-1
# Take $z = (1000, 999, 998)$. Compute $\operatorname{logsumexp}(z)$ by hand using the shift
# identity with $c = -\max_j z_j$, to six decimals, and compare with `F.logsumexp`.
# ```
#
# ```{solution-start} ex-how-to-read-1
# :class: dropdown
# ```
#
# With $c = -1000$ the shifted logits are $(0, -1, -2)$, so
# $\operatorname{logsumexp}(z) = 1000 + \log(1 + e^{-1} + e^{-2})$.

# %%
by_hand = 1000 + np.log(1 + np.exp(-1) + np.exp(-2))
print(f"by hand:  {by_hand:.6f}")
print(f"lossbook: {float(F.logsumexp(np.array([1000.0, 999.0, 998.0]), dim=0)):.6f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Softmax ignores a common shift
# :label: ex-how-to-read-2
# Use the identity of this chapter to show that $\operatorname{softmax}(z + c) = \operatorname{softmax}(z)$
# for every real $c$, then let SymPy confirm it for three logits.
# ```
#
# ```{solution-start} ex-how-to-read-2
# :class: dropdown
# ```
#
# $\operatorname{softmax}(z)_i = \exp(z_i - \operatorname{logsumexp}(z))$, and shifting adds $c$
# to both $z_i$ and the log-sum-exp, which cancel.

# %%
softmax_shifted = [
    s.subs({zj: zj + c for zj in z}, simultaneous=True) for s in sym.softmax(z)
]
for before, after in zip(sym.softmax(z), softmax_shifted):
    sym.check_identity(after, before).assert_proved()
print("softmax(z + c) = softmax(z) for each of the 3 components: proved")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} A shift that is not common
# :label: ex-how-to-read-3
# Shift only the first logit: $z_1 \to z_1 + c$. Is $\operatorname{logsumexp}$ then shifted by $c$?
# Decide with `check_identity`, and give a numeric counterexample.
# ```
#
# ```{solution-start} ex-how-to-read-3
# :class: dropdown
# ```
#
# No: only the first term of the sum is multiplied by $e^c$.

# %%
only_first = lse.subs(z[0], z[0] + c)
first_only = sym.check_identity(only_first, c + lse)
assert not first_only
print("proved:", bool(first_only))
values = {z[0]: 0.0, z[1]: 0.0, z[2]: 0.0, c: 1.0}
print(f"left:  {float(only_first.subs(values)):.6f}")
print(f"right: {float((c + lse).subs(values)):.6f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Where does the textbook formula overflow?
# :label: ex-how-to-read-4
# For float64, find the largest logit $z$ for which `np.exp(z)` is still finite, and explain why
# $\log\sum_j e^{z_j}$ computed naively fails for logits a little above it while `F.logsumexp`
# does not.
# ```
#
# ```{solution-start} ex-how-to-read-4
# :class: dropdown
# ```
#
# The largest double is about $1.8 \times 10^{308}$, whose logarithm is about 709.78; beyond it
# `np.exp` returns infinity. The shifted form only exponentiates $z_j - \max_j z_j \le 0$.

# %%
limit = np.log(np.finfo(np.float64).max)
print(f"log(largest float64) = {limit:.6f}")
with np.errstate(over="ignore"):
    print(
        "exp(709.7) finite:",
        bool(np.isfinite(np.exp(709.7))),
        "| exp(709.8) finite:",
        bool(np.isfinite(np.exp(709.8))),
    )

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`shannon1948` founded information theory; entropy and coding start there.
# - {cite:t}`cover2006` is the standard textbook of information theory used throughout.
# - {cite:t}`goodfellow2016`, chapters 5 and 6, treat these losses as maximum likelihood.
# - {cite:t}`paszke2019` describe PyTorch, whose loss semantics `lossbook` reproduces.
