# %% [markdown]
# # KL divergence
#
# Chapter {doc}`02-cross-entropy` put a price on a wrong belief: outcomes drawn from $p$ but
# encoded with a code built for $q$ cost $H(p, q)$ bits each on average, never less than the
# {term}`entropy` $H(p)$ of the right code. The difference is the {term}`KL divergence`
# $D_{\mathrm{KL}}(p\,\|\,q)$ of Kullback and Leibler, the *relative entropy*
# {cite:p}`kullback1951,cover2006`, defined in {ref}`sec-relative-entropy`, where
# {prf:ref}`thm-gibbs` shows that it is zero exactly when $q = p$ and positive otherwise. This
# chapter builds on that definition: it measures how far a model $q$ is from the data $p$, but it
# is not a distance, and its two directions behave very differently when a simple model is fitted
# to a complicated distribution. In deep learning it is a training loss in its own right (in
# {term}`knowledge distillation` {cite:p}`hinton2015`), the regulariser of a variational
# autoencoder {cite:p}`kingma2014`, and, hidden, the part of every cross-entropy loss that
# training can actually remove.
#
# **In this chapter** you will
#
# - read $D_{\mathrm{KL}}(p\,\|\,q)$ as extra bits of the wrong code, exactly for ideal code lengths
#   and in the limit of long blocks for real codes;
# - prove $D_{\mathrm{KL}}(p\,\|\,q) = H(p, q) - H(p)$ for a symbolic number of outcomes, and
#   extend $D_{\mathrm{KL}} \ge 0$ from finite sets to densities with Jensen's inequality;
# - derive the KL divergence between two Gaussians by integration and check it by quadrature;
# - fit one Gaussian to a two-peaked distribution with the forward and with the reverse KL;
# - derive the ELBO identity of variational inference and the KL term of a variational
#   autoencoder, checked by quadrature and by Monte Carlo;
# - show that KL and cross-entropy have the same gradients, and meet Jensen–Shannon;
# - reproduce PyTorch's `kl_div`: its argument order, `reduction='batchmean'`, `log_target`, and
#   three mistakes with their numbers;
# - derive distillation with a temperature: its gradient, why it is multiplied by $T^2$, and its
#   limit for high temperatures.
#
# **You need**
#
# - entropy and cross-entropy as code lengths, from {doc}`01-information-and-entropy` and
#   {doc}`02-cross-entropy`, and relative entropy with Gibbs' inequality
#   ({ref}`sec-relative-entropy`);
# - maximum likelihood as minimum cross-entropy, from {doc}`03-negative-log-likelihood`;
# - the normal density and integrals of polynomials against it.

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
import scipy.integrate
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
# (sec-kl-coding)=
# ## The price of the wrong code
#
# A source emits four symbols with probabilities $p$. Someone who believed the frequencies were
# $q$ built the code:
#
# | | A | B | C | D |
# |---|---|---|---|---|
# | source, $p$ | 1/2 | 1/4 | 1/8 | 1/8 |
# | belief, $q$ | 1/8 | 1/2 | 1/4 | 1/8 |
#
# All eight probabilities are powers of two, so the {term}`Shannon code` lengths
# $\lceil -\log_2 r\rceil$ (`info.shannon_code_lengths`) are exactly $-\log_2 r$: no rounding gets
# in the way. The cell builds both codebooks as prefix codes and prints, for each symbol, how many
# bits the wrong code spends *more* than the right one, $\ell_q(x) - \ell_p(x)$.


# %%
symbols4 = ["A", "B", "C", "D"]
p4 = np.array([1 / 2, 1 / 4, 1 / 8, 1 / 8])
q4 = np.array([1 / 8, 1 / 2, 1 / 4, 1 / 8])


len_p, len_q = info.shannon_code_lengths(p4), info.shannon_code_lengths(q4)
assert np.array_equal(len_p, -np.log2(p4)) and np.array_equal(len_q, -np.log2(q4))
code_p, code_q = info.canonical_prefix_code(len_p), info.canonical_prefix_code(len_q)
extra_bits = len_q - len_p
print(
    f"{'':3s} {'p':>6s} {'q':>6s} {'code for p':>11s} {'code for q':>11s} "
    f"{'extra bits':>11s}"
)
for i, s in enumerate(symbols4):
    print(
        f"{s:3s} {p4[i]:6.3f} {q4[i]:6.3f} {code_p[i]:>11s} {code_q[i]:>11s} "
        f"{extra_bits[i]:+11d}"
    )

# %% [markdown]
# The wrong code is not worse on every symbol: it is 2 bits longer for A, but *shorter* for B and
# C, which the belief $q$ overrates. What matters is the average under the true source, where A
# comes up half of the time. A seeded stream of 100 000 symbols, encoded both ways:

# %%
stream = rng.choice(4, size=100_000, p=p4)
bits_right = np.mean(len_p[stream])
bits_wrong = np.mean(len_q[stream])
L_p = float(info.expected_code_length(p4, len_p))
L_q = float(info.expected_code_length(p4, len_q))
KL_bits = float(info.kl_divergence(p4, q4, base=2))
assert L_q - L_p == float(np.sum(p4 * extra_bits)) and np.isclose(
    KL_bits, L_q - L_p, rtol=1e-14
)
assert abs((bits_wrong - bits_right) - KL_bits) < 0.02
print(f"first symbols:     {' '.join(symbols4[s] for s in stream[:8])}")
print(f"right code:        {''.join(code_p[s] for s in stream[:8])}")
print(f"wrong code:        {''.join(code_q[s] for s in stream[:8])}")
print(
    f"bits per symbol over {stream.size} symbols: right code {bits_right:.4f}, "
    f"wrong code {bits_wrong:.4f}, extra {bits_wrong - bits_right:.4f}"
)
print(
    f"expected lengths: L_p = {L_p:.4f}, L_q = {L_q:.4f}; "
    f"L_q - L_p = {L_q - L_p:.4f} bits = KL(p || q) = {KL_bits:.4f} bits"
)

# %% [markdown]
# On average the wrong code costs exactly $\sum_x p(x)\,\big(\ell_q(x) - \ell_p(x)\big)$ extra
# bits, and with ideal lengths $\ell_r(x) = -\log_2 r(x)$ that average is
#
# $$
# \sum_x p(x)\Big(\log_2\frac{1}{q(x)} - \log_2\frac{1}{p(x)}\Big)
#   = \sum_x p(x)\log_2\frac{p(x)}{q(x)} = D_{\mathrm{KL}}(p\,\|\,q) .
# $$
#
# The figure shows the two ingredients: on the left the two distributions, on the right the extra
# bits per symbol, $\log_2(p(x)/q(x))$, which are negative wherever $q$ overrates a symbol. The
# horizontal line is their average weighted by $p$ (the bar widths): the KL divergence.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels. Left: grouped bars of the source distribution p = (1/2, 1/4, 1/8, 1/8) and the belief q = (1/8, 1/2, 1/4, 1/8) over the symbols A to D. Right: the extra bits per symbol that the code for q spends compared with the code for p, log2 p/q: +2 bits for A, -1 for B, -1 for C and 0 for D, drawn as bars whose widths are proportional to p(x); a horizontal line marks their p-weighted average, the KL divergence of 0.625 bits."}}
fig, (ax_d, ax_x) = plt.subplots(1, 2, figsize=(10, 3.9))
positions = np.arange(4)
ax_d.bar(positions - 0.2, p4, width=0.4, color=lbplot.PALETTE.blue, label="source $p$")
ax_d.bar(
    positions + 0.2, q4, width=0.4, color=lbplot.PALETTE.orange, label="belief $q$"
)
ax_d.set_xticks(positions, symbols4)
lbplot.label_axes(ax_d, "symbol $x$", "probability (no unit)")
ax_d.legend()
ax_d.set_title("two distributions")
colours = [
    lbplot.PALETTE.vermillion if e > 0 else lbplot.PALETTE.bluish_green
    for e in extra_bits
]
ax_x.bar(positions, np.log2(p4 / q4), width=0.9 * p4 / p4.max(), color=colours)
ax_x.axhline(0, color="black", lw=0.8)
ax_x.axhline(
    KL_bits,
    color=lbplot.PALETTE.black,
    ls="--",
    lw=1.5,
    label=rf"$D_{{\mathrm{{KL}}}}(p\,\|\,q) = {KL_bits:.3f}$ bits",
)
for position, e in zip(positions, extra_bits):
    ax_x.annotate(
        f"{e:+d} bit{'s' if abs(e) != 1 else ''}" if e else "0 bits",
        (position, e),
        textcoords="offset points",
        xytext=(0, 6 if e >= 0 else -16),
        ha="center",
    )
ax_x.set_ylim(-1.4, 2.4)
ax_x.set_xticks(positions, symbols4)
lbplot.label_axes(
    ax_x,
    "symbol $x$ (bar width $\\propto p(x)$)",
    r"extra length $\log_2 p(x)/q(x)$",
    unit="bits",
)
ax_x.legend(loc="upper right")
ax_x.set_title("extra bits per symbol, and their average under p")
plt.show()

# %% [markdown]
# ### When code lengths are whole numbers
#
# The seed README defines the KL divergence as the number of extra bits needed to encode samples of
# $p$ with a code based on $q$ (基于 q 分布的编码来编码来自 p 分布的样本所需要的额外的 bit 个数).
# That is exact for the *ideal* code lengths $-\log_2 q(x)$, and for real codes whenever the
# probabilities are powers of two, as above. A real prefix code has whole-bit lengths, and then the
# extra cost of a particular pair of codes can differ from $D_{\mathrm{KL}}$ by up to a bit either
# way; it can even be negative. For a coin with $p = (0.6, 0.4)$ the Shannon code has lengths 1 and
# 2, while the code built for a fair coin $q = (0.5, 0.5)$ spends 1 bit on each toss and is
# *shorter* on average.
#
# The statement becomes exact again for long messages. Encode blocks of $k$ tosses with the Shannon
# code of the block distribution $p^{\otimes k}$ (and of $q^{\otimes k}$). Since $H(p^{\otimes k}) =
# k H(p)$ and $H(p^{\otimes k}, q^{\otimes k}) = k H(p, q)$, the one-bit slack of each code is shared
# by $k$ tosses, and the extra cost per toss lies within $1/k$ of $D_{\mathrm{KL}}(p\,\|\,q)$:

# %%
coin_p, coin_q = np.array([0.6, 0.4]), np.array([0.5, 0.5])
KL_coin = float(info.kl_divergence(coin_p, coin_q, base=2))
print(f"KL(p || q) = {KL_coin:.6f} bits per toss")
print(
    f"{'k':>3s} {'bits/toss, code p':>18s} {'bits/toss, code q':>18s} "
    f"{'extra per toss':>15s}"
)
for k in (1, 2, 4, 8, 12, 16):
    block_p, block_q = coin_p, coin_q
    for _ in range(k - 1):
        block_p, block_q = np.kron(block_p, coin_p), np.kron(block_q, coin_q)
    per_toss_p = (
        float(info.expected_code_length(block_p, info.shannon_code_lengths(block_p)))
        / k
    )
    per_toss_q = (
        float(info.expected_code_length(block_p, info.shannon_code_lengths(block_q)))
        / k
    )
    extra = per_toss_q - per_toss_p
    assert KL_coin - 1 / k < extra < KL_coin + 1 / k
    print(f"{k:3d} {per_toss_p:18.6f} {per_toss_q:18.6f} {extra:+15.6f}")

# %% [markdown]
# So the precise reading is: $D_{\mathrm{KL}}(p\,\|\,q)$ is the extra number of bits per symbol
# for ideal code lengths, and the limit of the extra cost per symbol of real codes for long blocks
# ({cite:t}`cover2006`, section 5.4).
#
# (sec-kl-definition)=
# ## Definition
#
# Recall the definition of {ref}`sec-relative-entropy`: for two distributions $p$ and $q$ on the
# same finite set,
#
# $$
# D_{\mathrm{KL}}(p\,\|\,q) = \sum_x p(x)\log\frac{p(x)}{q(x)}
#   = \mathbb{E}_{x\sim p}\Big[\log\frac{p(x)}{q(x)}\Big],
# $$
#
# in {term}`bit`s with $\log_2$ and in {term}`nat`s with $\ln$ (the default here and in PyTorch).
# The expectation is under the first argument, $p$: the distribution the data really come from.
# For densities the sum becomes an integral, $\int p(x)\log\big(p(x)/q(x)\big)\,dx$. Where
# $p(x) = 0$ the term is 0 and where $p(x) > 0 = q(x)$ it is $+\infty$ (see
# {ref}`sec-kl-zeros`). The book's symbolic definition is `sym.kl_divergence`:

# %%
p3, q3 = sym.probabilities(3, name="p"), sym.probabilities(3, name="q")
KL_sym = sym.kl_divergence(p3, q3)
display(sp.Eq(sp.Symbol(r"D_{\mathrm{KL}}(p \| q)"), KL_sym))

# %% [markdown]
# Lambdified, it agrees with `info.kl_divergence` in nats and in bits, on seeded random pairs and
# on edge cases: a uniform $p$, a nearly one-hot $p$, a $p$ with an entry of $10^{-300}$, the first
# two cases for $q$, and $q = p$. A $q$ with an entry of $10^{-300}$ is checked separately, because
# its KL divergence is in the hundreds of nats (the table's absolute differences are meant for
# values of order 1).

# %%
uniform3 = np.full(3, 1 / 3)
kl_cases = sym.random_cases(
    rng, lambda r: (sym.random_simplex(r, 3), sym.random_simplex(r, 3)), count=4
)
p_fixed = np.array([0.2, 0.3, 0.5])
for name, vector in sym.edge_simplex(3).items():
    kl_cases[f"p {name}"] = (vector, p_fixed)
    if name != "tiny entry":
        kl_cases[f"q {name}"] = (p_fixed, vector)
kl_cases["q = p"] = (np.array([0.6, 0.3, 0.1]), np.array([0.6, 0.3, 0.1]))
display(sym.check_numeric(KL_sym, [p3, q3], info.kl_divergence, kl_cases))
display(
    sym.check_numeric(
        sym.kl_divergence(p3, q3, base=2),
        [p3, q3],
        lambda p, q: info.kl_divergence(p, q, base=2),
        kl_cases,
    )
)
q_tiny = sym.edge_simplex(3)["tiny entry"]
for base, unit in ((math.e, "nats"), (2, "bits")):
    assert sym.check_numeric(
        sym.kl_divergence(p3, q3, base=base),
        [p3, q3],
        lambda p, q, base=base: info.kl_divergence(p, q, base=base),
        {"q tiny entry": (p_fixed, q_tiny)},
        rtol=1e-13,
    )
    print(
        f"q = ({', '.join(f'{v:.6g}' for v in q_tiny)}): KL(p || q) = "
        f"{float(info.kl_divergence(p_fixed, q_tiny, base=base)):.6f} "
        f"{unit}, formula and lossbook agree to 1e-13 relative"
    )

# %% [markdown]
# (sec-kl-identity)=
# ## KL divergence = cross-entropy − entropy
#
# The coding argument already contains the identity that ties this chapter to the previous ones.
# Split the logarithm of the ratio:
#
# $$
# D_{\mathrm{KL}}(p\,\|\,q) = \sum_x p(x)\log p(x) - \sum_x p(x)\log q(x)
#   = -H(p) + H(p, q),
# \qquad\text{that is}\qquad
# D_{\mathrm{KL}}(p\,\|\,q) = H(p, q) - H(p) .
# $$
#
# The seed writes it as "KL(p, q) = 交叉熵 − 信息熵". Term by term it is one `expand_log`,
# valid because probabilities are positive symbols:

# %%
p_s, q_s = sp.symbols("p q", positive=True)
term = p_s * sp.log(p_s / q_s)
split = sp.expand_log(term, force=False)
display(sp.Eq(term, split))
assert sp.expand(split - (p_s * sp.log(p_s) - p_s * sp.log(q_s))) == 0

# %% [markdown]
# For a symbolic number of outcomes $n$, with indexed sums, `check_identity` proves the whole
# identity (it expands the logarithm inside the sum and splits the sum), and for
# $n = 2, \dots, 8$ it proves it with the book's explicit definitions:

# %%
i_idx, k_idx = sp.symbols("i k", integer=True, positive=True)
n_sym = sp.Symbol("n", integer=True, positive=True)
P_idx, Q_idx = sym.indexed_probabilities("p"), sym.indexed_probabilities("q")
identity_general = sym.check_identity(
    sym.kl_divergence_sum(P_idx, Q_idx, i_idx, n_sym),
    sym.cross_entropy_sum(P_idx, Q_idx, i_idx, n_sym)
    - sym.entropy_sum(P_idx, i_idx, n_sym),
)
identity_general.assert_proved()
for n in range(2, 9):
    p_n, q_n = sym.probabilities(n, name="p"), sym.probabilities(n, name="q")
    sym.check_identity(
        sym.kl_divergence(p_n, q_n), sym.cross_entropy(p_n, q_n) - sym.entropy(p_n)
    ).assert_proved()
print(
    "KL(p || q) = H(p, q) - H(p): proved for general n (indexed sums) and for n = 2..8"
)
identity_general

# %% [markdown]
# On numbers, the right-hand side built from the symbolic definitions agrees with
# `info.kl_divergence`, and `info.cross_entropy - info.entropy` agrees with `info.kl_divergence` on
# 100 000 random pairs over five outcomes (in bits, with the identity's three terms for the
# source of the first section printed as well):

# %%
display(
    sym.check_numeric(
        sym.cross_entropy(p3, q3) - sym.entropy(p3),
        [p3, q3],
        info.kl_divergence,
        kl_cases,
    )
)
many_p = rng.dirichlet(np.ones(5), size=100_000)
many_q = rng.dirichlet(np.ones(5), size=100_000)
difference = info.cross_entropy(many_p, many_q) - info.entropy(many_p)
assert np.allclose(
    difference, info.kl_divergence(many_p, many_q), rtol=1e-12, atol=1e-13
)
H_pq_bits = float(info.cross_entropy(p4, q4, base=2))
H_p_bits = float(info.entropy(p4, base=2))
assert np.isclose(H_pq_bits - H_p_bits, KL_bits, rtol=1e-14)
print("100000 random pairs: H(p, q) - H(p) = KL(p || q) to within 1e-12 relative")
print(
    f"source of the first section: H(p, q) = {H_pq_bits:.4f} bits, H(p) = "
    f"{H_p_bits:.4f} bits, "
    f"difference = {H_pq_bits - H_p_bits:.4f} bits = KL"
)

# %% [markdown]
# (sec-kl-gibbs)=
# ## Never negative, for densities too
#
# {prf:ref}`thm-gibbs` says that for distributions on a finite set $D_{\mathrm{KL}}(p\,\|\,q) \ge 0$,
# with equality if and only if $p = q$ (the information inequality of {cite:t}`cover2006`,
# theorem 2.6.3). This chapter also applies the KL divergence to *densities*, Gaussians from
# {ref}`sec-kl-gaussians` on, where a sum over outcomes becomes an integral. The inequality
# carries over, and the step that carries it is Jensen's inequality for the concave logarithm.
#
# ```{prf:theorem} Gibbs' inequality for densities
# :label: thm-kl-densities
# Let $p$ and $q$ be probability densities on $\mathbb{R}^d$, let $S = \{x : p(x) > 0\}$, and
# suppose that $D_{\mathrm{KL}}(p\,\|\,q) = \int_S p(x)\log\big(p(x)/q(x)\big)\,dx$ exists
# (it may be $+\infty$). Then $D_{\mathrm{KL}}(p\,\|\,q) \ge 0$, with equality if and only if
# $q = p$ almost everywhere.
# ```
#
# ```{prf:proof}
# If $q = 0$ on a subset of $S$ of positive $p$-mass, the divergence is $+\infty$. Otherwise let
# $r(x) = q(x)/p(x) > 0$ on $S$ and $m = \mathbb{E}_p[r] = \int_S q(x)\,dx \le 1$. The logarithm
# is concave, so it lies below its tangent at $m$:
# $\log r \le \log m + (r - m)/m$, with equality only at $r = m$ (the cells below prove this).
# Taking the expectation under $p$ (Jensen's inequality) gives
#
# $$
# -D_{\mathrm{KL}}(p\,\|\,q) = \mathbb{E}_p[\log r] \le \log m + \frac{\mathbb{E}_p[r] - m}{m}
#   = \log m \le \log 1 = 0 .
# $$
#
# Equality in the first step needs $r = m$ almost everywhere on $S$, and in the second $m = 1$;
# together $q = p$ on $S$ and $\int_S q = 1$, so $q$ vanishes almost everywhere outside $S$.
# For a finite set the same two steps, with sums, give {prf:ref}`thm-gibbs` again.
# ```
#
# The tangent-line step is the inequality $\ln x \le x - 1$ rescaled. With
# $f(x) = x - 1 - \ln x$, SymPy finds the only critical point of $f$, $x = 1$, where $f = 0$, and
# $f''(x) = 1/x^2 > 0$; so $f \ge 0$ with its only zero at 1. It then proves that the gap of the
# tangent line at $m$ is exactly $f(r/m)$:

# %%
x_pos = sp.Symbol("x", positive=True)
r_pos, m_pos = sp.symbols("r m", positive=True)
f_gap = x_pos - 1 - sp.log(x_pos)
critical = sp.solve(sp.diff(f_gap, x_pos), x_pos)
assert critical == [1] and f_gap.subs(x_pos, 1) == 0
assert sp.diff(f_gap, x_pos, 2).is_positive and sp.solve(f_gap, x_pos) == [1]
tangent_gap = sp.log(m_pos) + (r_pos - m_pos) / m_pos - sp.log(r_pos)
tangent_check = sym.check_identity(tangent_gap, f_gap.subs(x_pos, r_pos / m_pos))
tangent_check.assert_proved()
assert sp.diff(sp.log(r_pos), r_pos, 2).is_negative  # log is concave
tangent_check

# %% [markdown]
# Two pairs of densities show both steps of the proof on numbers, by SciPy's adaptive quadrature.
# For $p = \mathcal N(0, 1)$ and $q = \mathcal N(1.5, 1)$, $q$ covers the support of $p$, so
# $m = 1$ and the whole divergence is the Jensen gap. For $p$ uniform on $[0, 1]$ and $q$ uniform
# on $[0, 2]$, $r = 1/2$ is constant on $S$ (no Jensen gap), and the divergence is
# $-\log m = \log 2$: the mass that $q$ puts outside the support of $p$.


# %%
def jensen_terms(p_pdf_num, q_pdf_num, support):
    """E_p[log r] and m = E_p[r] for r = q/p, by quadrature over the support of p."""
    lo, hi = support
    m_value = scipy.integrate.quad(q_pdf_num, lo, hi)[0]
    e_log_r = scipy.integrate.quad(
        lambda x: p_pdf_num(x) * math.log(q_pdf_num(x) / p_pdf_num(x)), lo, hi
    )[0]
    return e_log_r, m_value


def std_normal(x, mean=0.0):
    return math.exp(-0.5 * (x - mean) ** 2) / math.sqrt(2 * math.pi)


density_pairs = {
    "N(0, 1) vs N(1.5, 1)": (std_normal, lambda x: std_normal(x, 1.5), (-15.0, 15.0)),
    "U[0, 1] vs U[0, 2]": (lambda x: 1.0, lambda x: 0.5, (0.0, 1.0)),
}
print(
    f"{'p vs q':22s} {'E_p[log r]':>11s} {'m = E_p[r]':>11s} {'log m':>9s} {'KL':>9s}"
)
for name, (p_fun, q_fun, support) in density_pairs.items():
    e_log_r, m_value = jensen_terms(p_fun, q_fun, support)
    assert e_log_r <= math.log(m_value) + 1e-12 and m_value <= 1 + 1e-12
    print(
        f"{name:22s} {e_log_r:11.6f} {m_value:11.6f} {math.log(m_value):9.6f} "
        f"{-e_log_r:9.6f}"
    )
assert abs(jensen_terms(*density_pairs["N(0, 1) vs N(1.5, 1)"])[0] + 1.5**2 / 2) < 1e-9
assert abs(jensen_terms(*density_pairs["U[0, 1] vs U[0, 2]"])[0] + math.log(2)) < 1e-12

# %% [markdown]
# The first KL divergence, $1.125 = 1.5^2/2$ nats, is the value that {ref}`sec-kl-gaussians`
# derives in closed form. On the finite side, 100 000 random pairs over five outcomes all have
# $D_{\mathrm{KL}} > 0$, the sum of the gaps $p_i f(q_i/p_i)$ (the finite-set form of the same
# argument, with $m = 1$) reproduces `info.kl_divergence`, and $D_{\mathrm{KL}}(p\,\|\,p) = 0$
# exactly:

# %%
kl_many = info.kl_divergence(many_p, many_q)
gaps = np.sum(many_p * ((many_q / many_p) - 1 - np.log(many_q / many_p)), axis=1)
assert np.all(kl_many > 0) and np.allclose(gaps, kl_many, rtol=1e-9, atol=1e-12)
assert np.all(info.kl_divergence(many_p, many_p) == 0)
closest = np.argmin(kl_many)
print(f"smallest KL over 100000 random pairs: {kl_many[closest]:.6f} nats")
print(f"  p = {many_p[closest]}\n  q = {many_q[closest]}")

# %% [markdown]
# (sec-kl-zeros)=
# ### Zeros: $0\log(0/q) = 0$ and $p\log(p/0) = +\infty$
#
# The formula has two kinds of zero to deal with. An outcome that never happens ($p(x) = 0$) costs
# nothing, whatever $q$ says about it: $p\log(p/q) \to 0$ as $p \to 0^+$. An outcome that happens
# but that $q$ rules out ($p(x) > 0 = q(x)$) gets no codeword at all, and its cost is infinite:
# $p\log(p/q) \to +\infty$ as $q \to 0^+$. SymPy computes both limits:

# %%
limit_p = sp.limit(p_s * sp.log(p_s / q_s), p_s, 0, "+")
limit_q = sp.limit(p_s * sp.log(p_s / q_s), q_s, 0, "+")
assert limit_p == 0 and limit_q == sp.oo
display(
    sp.Eq(sp.Limit(p_s * sp.log(p_s / q_s), p_s, 0, "+"), limit_p),
    sp.Eq(sp.Limit(p_s * sp.log(p_s / q_s), q_s, 0, "+"), limit_q),
)

# %% [markdown]
# `lossbook.info` follows both conventions (like SciPy's `rel_entr`). A $p$ that ignores an outcome
# may be compared with any $q$; a $q$ that ignores an outcome $p$ needs is infinitely far away.
# This is the first sign of the asymmetry of the next section.

# %%
p_zero = np.array([0.5, 0.5, 0.0])
q_full = np.array([0.25, 0.25, 0.5])
kl_forward_zero = float(info.kl_divergence(p_zero, q_full))
kl_reverse_zero = float(info.kl_divergence(q_full, p_zero))
assert (
    np.isclose(kl_forward_zero, math.log(2), rtol=1e-15) and kl_reverse_zero == math.inf
)
print(f"p = {p_zero}, q = {q_full}")
print(
    f"KL(p || q) = {kl_forward_zero:.6f} nats (= ln 2 = {math.log(2):.6f}: the third "
    "term is 0)"
)
print(
    f"KL(q || p) = {kl_reverse_zero} (q gives probability 0.5 to an outcome p rules "
    "out)"
)

# %% [markdown]
# (sec-kl-asymmetry)=
# ## Not symmetric
#
# The seed calls the KL divergence an asymmetric measure of the difference between two
# distributions (衡量两个概率分布之间差异的非对称性度量), and that is right: in general
# $D_{\mathrm{KL}}(p\,\|\,q) \ne D_{\mathrm{KL}}(q\,\|\,p)$. Asked to prove symmetry, `check_identity`
# refutes it with a counterexample on the simplex:

# %%
symmetry = sym.check_identity(
    sym.kl_divergence(p3, q3),
    sym.kl_divergence(q3, p3),
    constraints=[sym.simplex(p3), sym.simplex(q3)],
)
assert symmetry.verdict == "refuted"
symmetry

# %% [markdown]
# For the source and the belief of the first section the two directions answer two different
# questions: coding the source with the belief's code, and coding a source that really follows
# $q$ with the code built for $p$.

# %% tags=["hide-input"]
KL_bits_reverse = float(info.kl_divergence(q4, p4, base=2))
print(f"KL(p || q) = {KL_bits:.4f} bits  (data from p, code built for q)")
print(f"KL(q || p) = {KL_bits_reverse:.4f} bits  (data from q, code built for p)")

# %% [markdown]
# So the KL divergence is a *divergence*, not a distance (a metric): besides symmetry it also
# fails the triangle inequality (exercise {ref}`ex-kl-2`). Which argument goes where matters, and
# the next two sections show how much, with continuous distributions.
#
# (sec-kl-gaussians)=
# ## KL between two Gaussians
#
# For two normal densities the integral has a closed form.
#
# ```{prf:theorem} KL divergence between two Gaussians
# :label: thm-kl-gaussians
# For $p = \mathcal N(\mu_1, \sigma_1^2)$ and $q = \mathcal N(\mu_2, \sigma_2^2)$ with
# $\sigma_1, \sigma_2 > 0$,
#
# $$
# D_{\mathrm{KL}}(p\,\|\,q) = \log\frac{\sigma_2}{\sigma_1}
#   + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12 .
# $$
# ```
#
# ```{prf:proof}
# $\log\big(p(x)/q(x)\big)$ is a polynomial of degree 2 in $x$, so its average under $p$ needs
# only the moments $\mathbb E_p[1] = 1$, $\mathbb E_p[x] = \mu_1$ and
# $\mathbb E_p[x^2] = \mu_1^2 + \sigma_1^2$. The cells below compute the polynomial and the
# moments with SymPy and prove that the average is the stated expression.
# ```
#
# SymPy derives it by integration. First the log-ratio: the normalising constants leave
# $\log(\sigma_2/\sigma_1)$ and the exponents leave a polynomial of degree 2 in $x$.

# %%
x_real = sp.Symbol("x", real=True)
mu_1, mu_2 = sp.symbols("mu_1 mu_2", real=True)
sigma_1, sigma_2 = sp.symbols("sigma_1 sigma_2", positive=True)


def normal_pdf(x, mu, sigma):
    return sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)


p_pdf, q_pdf = normal_pdf(x_real, mu_1, sigma_1), normal_pdf(x_real, mu_2, sigma_2)
log_ratio = sp.expand(sp.expand_log(sp.log(p_pdf / q_pdf), force=True))
log_ratio_poly = sp.Poly(log_ratio, x_real)
assert log_ratio_poly.degree() == 2
display(sp.Eq(sp.Symbol(r"\log\frac{p(x)}{q(x)}"), sp.collect(log_ratio, x_real)))

# %% [markdown]
# (`force=True` is safe here: every factor inside the logarithm is positive.) The KL divergence is
# the average of this polynomial under $p$, so only three integrals are needed: the moments
# $\int x^k p(x)\,dx$ for $k = 0, 1, 2$, which SymPy computes over the whole real line.

# %%
moments = [
    sp.simplify(sp.integrate(x_real**k * p_pdf, (x_real, -sp.oo, sp.oo)))
    for k in range(3)
]
assert moments == [1, mu_1, mu_1**2 + sigma_1**2]
print("E_p[1], E_p[x], E_p[x^2] =", moments)
KL_gauss = sp.expand(
    sum(coefficient * moments[k] for (k,), coefficient in log_ratio_poly.terms())
)
KL_gauss_closed = (
    sp.log(sigma_2 / sigma_1)
    + (sigma_1**2 + (mu_1 - mu_2) ** 2) / (2 * sigma_2**2)
    - sp.Rational(1, 2)
)
gauss_check = sym.check_identity(KL_gauss, KL_gauss_closed)
gauss_check.assert_proved()
gauss_check

# %% [markdown]
# The closed form is zero for equal parameters, grows with the squared distance of the means
# measured in units of $\sigma_2$, and is not symmetric in the two variances. Numerical quadrature
# of $\int p\log(p/q)\,dx$ with mpmath (20 significant digits; the integrand is written with log
# densities so that the far tails do not turn into $0\cdot\log(0/0)$) agrees with the lambdified
# closed form:


# %%
def kl_normal_quadrature(m1, s1, m2, s2):
    """KL(N(m1, s1^2) || N(m2, s2^2)) by mpmath quadrature of p log(p/q) over R."""
    with mpmath.workdps(20):

        def integrand(x):
            log_p = (
                -(((x - m1) / s1) ** 2) / 2
                - mpmath.log(s1)
                - mpmath.log(2 * mpmath.pi) / 2
            )
            log_q = (
                -(((x - m2) / s2) ** 2) / 2
                - mpmath.log(s2)
                - mpmath.log(2 * mpmath.pi) / 2
            )
            return mpmath.exp(log_p) * (log_p - log_q)

        return float(mpmath.quad(integrand, [-mpmath.inf, m1, mpmath.inf]))


gauss_cases = {
    "equal": (0.0, 1.0, 0.0, 1.0),
    "shifted mean": (0.0, 1.0, 1.5, 1.0),
    "wider q": (0.0, 1.0, 0.0, 2.0),
    "narrower q": (0.0, 2.0, 0.0, 1.0),
    "both differ": (-1.0, 0.5, 2.0, 3.0),
    "far apart": (10.0, 1.0, -10.0, 1.0),
}
sym.check_numeric(
    KL_gauss_closed,
    [mu_1, sigma_1, mu_2, sigma_2],
    kl_normal_quadrature,
    gauss_cases,
    rtol=1e-12,
    atol=1e-14,
)

# %% [markdown]
# The cases "wider q" and "narrower q" swap the two distributions and show the asymmetry again:

# %%
kl_closed = sp.lambdify([mu_1, sigma_1, mu_2, sigma_2], KL_gauss_closed)
wide, narrow = kl_closed(0, 1, 0, 2), kl_closed(0, 2, 0, 1)
print(f"KL(N(0, 1) || N(0, 4)) = {wide:.6f} nats")
print(f"KL(N(0, 4) || N(0, 1)) = {narrow:.6f} nats")

# %% [markdown]
# A model that is too wide wastes a little on every outcome; a model that is too narrow is
# punished much more, because it finds the data's tails very improbable. (PyTorch's
# `torch.distributions.kl_divergence` uses this closed form for two `Normal` distributions; the KL
# term of a variational autoencoder is the special case $q = \mathcal N(0, 1)$, exercise
# {ref}`ex-kl-3`.)
#
# The closed form can also be checked with `lossbook.info`: evaluate both densities on a fine grid
# of $x$ values, normalise each to a probability vector, and take the discrete KL divergence. The
# grid spacing cancels in the ratio $p/q$, and for smooth densities the sum converges to the
# integral. This is how the next section computes KL divergences that have no closed form.

# %%
x_grid = np.linspace(-12.0, 12.0, 481)


def on_grid(density_values):
    """Density values on x_grid (last axis) as probability vectors."""
    return density_values / np.sum(density_values, axis=-1, keepdims=True)


def normal_density(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (math.sqrt(2 * math.pi) * sigma)


for name in ("shifted mean", "wider q", "narrower q"):
    m1, s1, m2, s2 = gauss_cases[name]
    discrete = float(
        info.kl_divergence(
            on_grid(normal_density(x_grid, m1, s1)),
            on_grid(normal_density(x_grid, m2, s2)),
        )
    )
    assert abs(discrete - kl_closed(m1, s1, m2, s2)) < 1e-7
    print(
        f"{name:13s} closed form {kl_closed(m1, s1, m2, s2):.6f}, on the grid "
        f"{discrete:.6f} nats"
    )

# %% [markdown]
# (sec-kl-forward-reverse)=
# ## Forward and reverse KL: fitting one Gaussian to two peaks
#
# Let the data come from a mixture of two well separated peaks,
#
# $$
# p(x) = 0.7\,\mathcal N(x; -2, 0.6^2) + 0.3\,\mathcal N(x; 2, 0.6^2),
# $$
#
# and let the model be a single Gaussian $q_{\mu,\sigma} = \mathcal N(\mu, \sigma^2)$. It cannot fit
# $p$ exactly, so the question is which compromise each direction of the KL divergence prefers:
#
# - the {term}`forward KL` $D_{\mathrm{KL}}(p\,\|\,q)$ averages $\log(p/q)$ over the *data*. Where
#   $p$ has mass and $q$ has almost none the price is huge (in the limit infinite, as in
#   {ref}`sec-kl-zeros`), so the fit must **cover every mode** of $p$;
# - the {term}`reverse KL` $D_{\mathrm{KL}}(q\,\|\,p)$ averages $\log(q/p)$ over the *model*. Where
#   $q$ puts no mass nothing is paid, but putting mass where $p$ has none is expensive, so the fit
#   **seeks one mode** and ignores the rest {cite:p}`minka2005,bishop2006`.
#
# The forward direction has a closed-form answer. Write $m_1 = \mathbb E_p[x]$ and
# $m_2 = \mathbb E_p[x^2]$. Because $-\log q_{\mu,\sigma}(x)$ is a polynomial of degree 2 in $x$,
# the cross-entropy $H(p, q_{\mu,\sigma}) = \mathbb E_p[-\log q_{\mu,\sigma}(x)]$ depends on $p$
# only through $m_1$ and $m_2$. So does $D_{\mathrm{KL}}(p\,\|\,q) = H(p, q) - H(p)$ as a function
# of $(\mu, \sigma)$, up to the constant $H(p)$, which depends on all of $p$ but not on the
# model. SymPy sets the gradient of the cross-entropy to zero:

# %%
mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
m_1, m_2 = sp.Symbol("m_1", real=True), sp.Symbol("m_2", positive=True)
neg_log_q = sp.Poly(
    sp.expand(-sp.expand_log(sp.log(normal_pdf(x_real, mu, sigma)), force=True)), x_real
)
ce_moments = sum(
    coefficient * [1, m_1, m_2][k] for (k,), coefficient in neg_log_q.terms()
)
display(sp.Eq(sp.Symbol(r"H(p, q_{\mu,\sigma})"), ce_moments))
(forward_optimum,) = sp.solve(
    [sp.diff(ce_moments, mu), sp.diff(ce_moments, sigma)], [mu, sigma], dict=True
)
assert forward_optimum[mu] == m_1
assert sp.simplify(forward_optimum[sigma] ** 2 - (m_2 - m_1**2)) == 0
print(f"stationary point: mu = {forward_optimum[mu]}, sigma = {forward_optimum[sigma]}")
hessian_at_optimum = sp.hessian(ce_moments, (mu, sigma)).subs(forward_optimum)
assert sp.simplify(hessian_at_optimum - sp.diag(1, 2) / (m_2 - m_1**2)) == sp.zeros(
    2, 2
)
print(
    "Hessian there:", sp.simplify(hessian_at_optimum), "(positive definite: a minimum)"
)

# %% [markdown]
# ```{prf:theorem} The forward-KL Gaussian matches moments
# :label: thm-kl-moment-matching
# Let $p$ be a density on $\mathbb R$ with mean $m_1$ and finite variance
# $m_2 - m_1^2 > 0$. Over all Gaussians $q_{\mu,\sigma}$, $D_{\mathrm{KL}}(p\,\|\,q_{\mu,\sigma})$
# is smallest at $\mu = m_1$, $\sigma^2 = m_2 - m_1^2$.
# ```
#
# ```{prf:proof}
# Up to the constant $H(p)$ the divergence is $H(p, q_{\mu,\sigma})$, a function of
# $(\mu, \sigma)$ through $m_1$ and $m_2$ only. The cell above finds its only stationary point
# and a positive definite Hessian there; as $\sigma \to 0^+$ or $\sigma \to \infty$ or
# $|\mu| \to \infty$ the cross-entropy grows without bound, so the stationary point is the
# global minimum.
# ```
#
# The forward fit is {term}`moment matching`: $\mu$ is the mean of $p$ and $\sigma^2$ its variance.
# For a mixture the moments are the weighted moments of its components (computed by SymPy above):
# $m_1 = \sum_k w_k\mu_k$ and $m_2 = \sum_k w_k(\mu_k^2 + s_k^2)$.
#
# The reverse direction has no closed form ($\mathbb E_q[\log p]$ of a mixture is not elementary),
# so both fits are done numerically and deterministically: evaluate $p$ and every candidate
# $q_{\mu,\sigma}$ on the $x$ grid of the previous section, compute both divergences with
# `info.kl_divergence` for every $(\mu, \sigma)$ on a coarse parameter grid (steps of 0.05 in $\mu$
# and 0.1 in $\sigma$), then search a fine grid (steps of 0.005) around the best coarse point.

# %%
weights, centres, spread = np.array([0.7, 0.3]), np.array([-2.0, 2.0]), 0.6
p_mix = on_grid(
    sum(w * normal_density(x_grid, c, spread) for w, c in zip(weights, centres))
)
m1_mix = float(np.sum(weights * centres))
m2_mix = float(np.sum(weights * (centres**2 + spread**2)))
moment_match = (m1_mix, math.sqrt(m2_mix - m1_mix**2))


def candidates(mus, sigmas):
    """Every N(mu, sigma^2) of the parameter grid as a probability vector on x_grid."""
    M, S = np.meshgrid(mus, sigmas, indexing="ij")
    return on_grid(normal_density(x_grid, M[..., None], S[..., None]))


def forward_kl(q):
    return info.kl_divergence(p_mix, q)


def reverse_kl(q):
    return info.kl_divergence(q, p_mix)


mu_coarse = np.linspace(-4.0, 4.0, 161)
sigma_coarse = np.linspace(0.2, 3.0, 29)
q_coarse = candidates(mu_coarse, sigma_coarse)
landscape = {"forward": forward_kl(q_coarse), "reverse": reverse_kl(q_coarse)}


def fit(direction):
    """Grid search: best coarse (mu, sigma), then a fine grid (steps 0.005) near it."""
    values = landscape[direction]
    i, j = np.unravel_index(np.argmin(values), values.shape)
    mu_fine = mu_coarse[i] + np.linspace(-0.1, 0.1, 41)
    sigma_fine = sigma_coarse[j] + np.linspace(-0.1, 0.1, 41)
    fine = (forward_kl if direction == "forward" else reverse_kl)(
        candidates(mu_fine, sigma_fine)
    )
    a, b = np.unravel_index(np.argmin(fine), fine.shape)
    return float(mu_fine[a]), float(sigma_fine[b]), float(fine[a, b])


fits = {direction: fit(direction) for direction in ("forward", "reverse")}
mu_f, sigma_f, kl_f = fits["forward"]
mu_r, sigma_r, kl_r = fits["reverse"]
assert abs(mu_f - moment_match[0]) < 0.005 and abs(sigma_f - moment_match[1]) < 0.005
assert abs(mu_r - centres[0]) < 0.05 and abs(sigma_r - spread) < 0.05
print(f"moment matching:  mu = {moment_match[0]:.3f}, sigma = {moment_match[1]:.3f}")
print(
    f"forward KL fit:   mu = {mu_f:.3f}, sigma = {sigma_f:.3f}, KL(p || q) = "
    f"{kl_f:.4f} nats"
)
print(
    f"reverse KL fit:   mu = {mu_r:.3f}, sigma = {sigma_r:.3f}, KL(q || p) = "
    f"{kl_r:.4f} nats"
)

# %% [markdown]
# The forward fit is the moment-matched Gaussian, centred between the peaks and wide enough to
# cover both. The reverse fit sits on the heavier peak with almost its width (a little wider,
# because the other component's tail adds to $p$ there). The figure shows the two fits over $p$ on
# the left and, on the right, each divergence minimised over $\sigma$ for every $\mu$: the forward
# KL has a single valley between the peaks, the reverse KL has one valley per peak, the deeper one
# at the heavier peak.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels. Left: the density of a two-peaked mixture p with peaks at x = -2 (weight 0.7) and x = 2 (weight 0.3), shaded; the forward-KL fit, a wide Gaussian centred near x = -0.8 that covers both peaks and puts its own maximum between them, where p is low; and the reverse-KL fit, a narrow Gaussian sitting on the left peak and ignoring the right one. Right: each divergence in nats, minimised over sigma, against the mean mu of the model: the forward KL has one minimum near mu = -0.8, the reverse KL has two valleys, at mu = -2 (deeper, about 0.36 nats) and at mu = 2 (about 1.2 nats)."}}
dx = x_grid[1] - x_grid[0]
fig, (ax_fit, ax_prof) = plt.subplots(1, 2, figsize=(10.5, 4.0))
ax_fit.fill_between(
    x_grid,
    p_mix / dx,
    color=lbplot.PALETTE.sky_blue,
    alpha=0.5,
    label="data $p$ (two peaks)",
)
ax_fit.plot(
    x_grid,
    normal_density(x_grid, mu_f, sigma_f),
    color=lbplot.PALETTE.vermillion,
    lw=2,
    ls="--",
    label=r"forward fit: min $D_{\mathrm{KL}}(p\,\|\,q)$",
)
ax_fit.plot(
    x_grid,
    normal_density(x_grid, mu_r, sigma_r),
    color=lbplot.PALETTE.blue,
    lw=2,
    label=r"reverse fit: min $D_{\mathrm{KL}}(q\,\|\,p)$",
)
ax_fit.set_xlim(-6, 6)
lbplot.label_axes(ax_fit, "$x$", "density (per unit of $x$)")
ax_fit.legend(loc="upper right", fontsize=9)
ax_fit.set_title("mode covering versus mode seeking")
for direction, colour, style in (
    ("forward", lbplot.PALETTE.vermillion, "--"),
    ("reverse", lbplot.PALETTE.blue, "-"),
):
    profile = np.min(landscape[direction], axis=1)
    label = (
        r"$\min_\sigma D_{\mathrm{KL}}(p\,\|\,q)$"
        if direction == "forward"
        else r"$\min_\sigma D_{\mathrm{KL}}(q\,\|\,p)$"
    )
    ax_prof.plot(mu_coarse, profile, color=colour, ls=style, lw=2, label=label)
    ax_prof.plot(fits[direction][0], fits[direction][2], "o", color=colour)
ax_prof.set_ylim(0, 3)
lbplot.label_axes(ax_prof, r"mean $\mu$ of the model $q$", "divergence", unit="nats")
ax_prof.legend(loc="upper right")
ax_prof.set_title("the divergence as a function of the model's mean")
plt.show()

# %% [markdown]
# A few numbers make the two behaviours concrete. The forward fit puts its highest density between
# the peaks, where the data are rare; the reverse fit leaves the right peak, 30 % of the data,
# essentially without mass, and pays about $-\log 0.7$ for it: on its own peak $p \approx 0.7\,q$, so
# $\log(q/p) \approx \log(1/0.7)$ wherever $q$ has mass. The local minimum of the reverse KL at the
# other peak costs about $-\log 0.3$ by the same argument. Both fitted values are confirmed by
# SciPy's adaptive quadrature of the integrals, independent of the grid:


# %%
def log_mixture_density(x):
    return np.logaddexp(
        *(
            math.log(w)
            - 0.5 * ((x - c) / spread) ** 2
            - math.log(math.sqrt(2 * math.pi) * spread)
            for w, c in zip(weights, centres)
        )
    )


def log_normal_density(x, m, s):
    return -0.5 * ((x - m) / s) ** 2 - math.log(math.sqrt(2 * math.pi) * s)


def quad_kl(log_a, log_b):
    """KL(a || b) = integral of a log(a/b) over the real line (scipy.integrate.quad)."""
    value, _ = scipy.integrate.quad(
        lambda x: math.exp(log_a(x)) * (log_a(x) - log_b(x)),
        -np.inf,
        np.inf,
        epsabs=1e-12,
        epsrel=1e-10,
    )
    return value


kl_f_quad = quad_kl(log_mixture_density, lambda x: log_normal_density(x, mu_f, sigma_f))
kl_r_quad = quad_kl(lambda x: log_normal_density(x, mu_r, sigma_r), log_mixture_density)
assert abs(kl_f_quad - kl_f) < 1e-6 and abs(kl_r_quad - kl_r) < 1e-6
right_peak_mass = scipy.integrate.quad(
    lambda x: normal_density(x, mu_r, sigma_r), 0, np.inf
)[0]
local_reverse = landscape["reverse"][mu_coarse > 0].min()
print(f"forward fit: KL on the grid {kl_f:.6f}, by quadrature {kl_f_quad:.6f} nats")
print(
    f"reverse fit: KL on the grid {kl_r:.6f}, by quadrature {kl_r_quad:.6f} nats; "
    f"-log 0.7 = {-math.log(0.7):.6f}"
)
print(
    "density of p at the forward fit's mean: "
    f"{math.exp(log_mixture_density(mu_f)):.4f}, "
    f"at the left peak: {math.exp(log_mixture_density(-2.0)):.4f}"
)
print(f"mass the reverse fit puts on x > 0: {right_peak_mass:.2e}")
print(
    f"reverse KL at its local minimum near the right peak: {local_reverse:.4f} nats; "
    f"-log 0.3 = {-math.log(0.3):.4f}"
)

# %% [markdown]
# Which direction is "right" depends on the use. Maximum likelihood, and with it every
# cross-entropy loss, minimises the forward KL from the data to the model (the next section):
# a model trained that way spreads its probability over everything the data do, and may put mass
# where there are no data (for a generative model: blurry or implausible samples). Variational
# inference minimises the reverse KL from an approximation to a posterior
# ({cite:t}`bishop2006`, section 10.1.2; {cite:t}`kingma2014`): the approximation locks onto one
# mode and underestimates the spread. {cite:t}`goodfellow2016` (section 3.13) discuss the same
# picture.
#
# The next section derives where the reverse KL of variational inference comes from.
#
# (sec-kl-elbo)=
# ## Variational inference: the ELBO
#
# A latent-variable model draws an unobserved $z$ from a prior $p(z)$ and the data $x$ from
# $p(x\mid z)$. Learning and inference need the *evidence* $\log p(x) = \log\int p(x, z)\,dz$ and
# the posterior $p(z\mid x) = p(x, z)/p(x)$, which are usually out of reach.
# {term}`Variational inference <variational inference>` picks a tractable distribution $q(z)$
# instead and maximises the {term}`evidence lower bound` (ELBO) {cite:p}`kingma2014,bishop2006`
#
# $$
# \mathrm{ELBO}(q) = \mathbb E_{z\sim q}\big[\log p(x, z) - \log q(z)\big] .
# $$
#
# ```{prf:theorem} The evidence decomposes into the ELBO and a reverse KL
# :label: thm-kl-elbo
# For a joint density $p(x, z)$ with $p(x) > 0$ and any density $q$ of $z$ for which the terms
# are finite,
#
# $$
# \log p(x) = \mathrm{ELBO}(q) + D_{\mathrm{KL}}\big(q(z)\,\|\,p(z\mid x)\big) .
# $$
#
# Hence $\mathrm{ELBO}(q) \le \log p(x)$, with equality exactly when $q$ is the posterior, and
# maximising the ELBO over $q$ minimises the reverse KL from $q$ to the posterior.
# ```
#
# ```{prf:proof}
# Write $p(x, z) = p(z\mid x)\,p(x)$. Then
# $\log p(x, z) - \log q(z) = \log p(x) - \log\big(q(z)/p(z\mid x)\big)$ for every $z$, and the
# expectation under $q$ gives the identity, since $\log p(x)$ does not depend on $z$. The KL term
# is $\ge 0$ with equality only for $q = p(\cdot\mid x)$ ({prf:ref}`thm-kl-densities`), and
# $\log p(x)$ does not depend on $q$.
# ```
#
# The identity is exact for every $q$, not only at the optimum. SymPy proves it for a latent
# variable with three values, with the joint probabilities $j_k = p(x, z = k)$ of the observed
# $x$ as positive symbols and $q$ on the simplex:

# %%
q_latent = sym.probabilities(3, name="q")
j_joint = sym.probabilities(3, name="j")  # j_k = p(x, z = k) for the observed x
evidence = sp.log(sum(j_joint))
posterior = [j / sum(j_joint) for j in j_joint]
elbo_sym = sum(qk * (sp.log(jk) - sp.log(qk)) for qk, jk in zip(q_latent, j_joint))
elbo_identity = sym.check_identity(
    elbo_sym + sym.kl_divergence(q_latent, posterior),
    evidence,
    constraints=[sym.simplex(q_latent)],
)
elbo_identity.assert_proved()
elbo_identity

# %% [markdown]
# On numbers, a model whose evidence and posterior are known in closed form: $z \sim \mathcal
# N(0, 1)$ and $x \mid z \sim \mathcal N(z, s^2)$ with $s = 0.5$, observed at $x = 1.2$. Then
# $p(x) = \mathcal N(x; 0, 1 + s^2)$ and the posterior is
# $\mathcal N\big(x/(1 + s^2),\ s^2/(1 + s^2)\big)$. For four Gaussian choices of $q$ the cell
# computes the ELBO by SciPy quadrature and the KL to the posterior with the closed form of
# {prf:ref}`thm-kl-gaussians`; their sum is $\log p(x)$ every time, and only the posterior reaches
# it:

# %%
s_obs, x_obs = 0.5, 1.2
post_mean, post_sd = x_obs / (1 + s_obs**2), s_obs / math.sqrt(1 + s_obs**2)
log_evidence = log_normal_density(x_obs, 0.0, math.sqrt(1 + s_obs**2))


def elbo_quadrature(m, w):
    """E_q[log p(x, z) - log q(z)] for q = N(m, w^2), by scipy.integrate.quad."""

    def integrand(z):
        log_joint = log_normal_density(z, 0.0, 1.0) + log_normal_density(
            x_obs, z, s_obs
        )
        return math.exp(log_normal_density(z, m, w)) * (
            log_joint - log_normal_density(z, m, w)
        )

    return scipy.integrate.quad(integrand, m - 30 * w, m + 30 * w, epsabs=1e-13)[0]


q_choices = {
    "posterior": (post_mean, post_sd),
    "prior N(0, 1)": (0.0, 1.0),
    "N(1, 0.5^2)": (1.0, 0.5),
    "N(0.5, 0.2^2)": (0.5, 0.2),
}
print(f"{'q':14s} {'ELBO':>9s} {'KL(q || post)':>14s} {'sum':>9s} {'log p(x)':>9s}")
for name, (m, w) in q_choices.items():
    elbo_value = elbo_quadrature(m, w)
    kl_value = kl_closed(m, w, post_mean, post_sd)
    assert abs(elbo_value + kl_value - log_evidence) < 1e-9
    assert elbo_value <= log_evidence + 1e-12
    print(
        f"{name:14s} {elbo_value:9.6f} {kl_value:14.6f} {elbo_value + kl_value:9.6f} "
        f"{log_evidence:9.6f}"
    )

# %% [markdown]
# Because $\log p(x)$ is fixed, every gain in the ELBO is a loss of the same size in
# $D_{\mathrm{KL}}(q\,\|\,p(\cdot\mid x))$: the *reverse* KL, with the approximation first. That is
# why variational approximations behave like the reverse fit of
# {ref}`sec-kl-forward-reverse`, locking onto one mode and underestimating the spread.
#
# (sec-kl-vae)=
# ### The KL term of a variational autoencoder
#
# A variational autoencoder {cite:p}`kingma2014` uses a diagonal Gaussian
# $q(z \mid x) = \mathcal N\big(\mu, \operatorname{diag}(\sigma_1^2, \dots, \sigma_d^2)\big)$, whose
# mean and variances an encoder network outputs, and a standard normal prior. Its ELBO is
# $\mathbb E_q[\log p(x\mid z)] - D_{\mathrm{KL}}\big(q(z\mid x)\,\|\,\mathcal N(0, I)\big)$, and the
# second term has a closed form.
#
# ```{prf:theorem} KL of a diagonal Gaussian from the standard normal
# :label: thm-kl-vae
# For $q = \mathcal N\big(\mu, \operatorname{diag}(\sigma_1^2, \dots, \sigma_d^2)\big)$ on
# $\mathbb R^d$,
#
# $$
# D_{\mathrm{KL}}\big(q\,\|\,\mathcal N(0, I)\big)
#   = \frac12\sum_{j=1}^{d}\big(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\big) .
# $$
# ```
#
# ```{prf:proof}
# Both densities are products over the coordinates, so $\log(q/p)$ is a sum of one term per
# coordinate, each a polynomial of degree 2 in $z_j$ (plus constants). Its expectation under $q$
# needs only $\mathbb E_q[z_j] = \mu_j$ and $\mathbb E_q[z_j^2] = \mu_j^2 + \sigma_j^2$; the
# cell below carries this out for $d = 3$ and proves the result. Each coordinate's term is
# {prf:ref}`thm-kl-gaussians` with $\mu_2 = 0$ and $\sigma_2 = 1$.
# ```

# %%
d_latent = 3
mu_vae = sp.symbols(f"mu_1:{d_latent + 1}", real=True)
sigma_vae = sp.symbols(f"sigma_1:{d_latent + 1}", positive=True)
z_vae = sp.symbols(f"z_1:{d_latent + 1}", real=True)
log_q_vae = sum(
    -(((z - m) / s) ** 2) / 2 - sp.log(s) - sp.log(2 * sp.pi) / 2
    for z, m, s in zip(z_vae, mu_vae, sigma_vae)
)
log_p_vae = sum(-(z**2) / 2 - sp.log(2 * sp.pi) / 2 for z in z_vae)
ratio_poly = sp.Poly(sp.expand(log_q_vae - log_p_vae), *z_vae)
assert ratio_poly.total_degree() == 2
kl_vae = 0
for powers, coefficient in ratio_poly.terms():
    for k, m, s in zip(powers, mu_vae, sigma_vae):
        coefficient *= [1, m, m**2 + s**2][k]  # E_q[z_j^k], coordinates independent
    kl_vae += coefficient
kl_vae_closed = sum(
    (m**2 + s**2 - 1 - sp.log(s**2)) / 2 for m, s in zip(mu_vae, sigma_vae)
)
vae_check = sym.check_identity(kl_vae, kl_vae_closed)
vae_check.assert_proved()
vae_check

# %% [markdown]
# Monte Carlo gives an independent check in $d = 4$: the average of $\log q(z) - \log p(z)$ over
# 200 000 seeded draws from $q$ must agree with the closed form within a few standard errors.

# %%
mu_mc = np.array([0.5, -1.0, 0.0, 2.0])
sigma_mc = np.array([1.0, 0.5, 2.0, 0.1])
draws_mc = mu_mc + sigma_mc * rng.normal(size=(200_000, 4))
log_q_mc = -0.5 * ((draws_mc - mu_mc) / sigma_mc) ** 2 - np.log(sigma_mc)
log_p_mc = -0.5 * draws_mc**2  # the constants log sqrt(2 pi) cancel
log_ratio_mc = np.sum(log_q_mc - log_p_mc, axis=1)
kl_mc = float(np.mean(log_ratio_mc))
standard_error = float(np.std(log_ratio_mc) / math.sqrt(log_ratio_mc.size))
kl_vae_value = float(np.sum(mu_mc**2 + sigma_mc**2 - 1 - np.log(sigma_mc**2)) / 2)
assert abs(kl_mc - kl_vae_value) < 4 * standard_error
print(
    f"closed form {kl_vae_value:.4f} nats; Monte Carlo {kl_mc:.4f} nats "
    f"(standard error {standard_error:.4f})"
)

# %% [markdown]
# (sec-kl-gradient)=
# ## Minimising KL and minimising cross-entropy: the same gradients
#
# When a model $q$ is trained towards data $p$, the two losses $H(p, q)$ and
# $D_{\mathrm{KL}}(p\,\|\,q) = H(p, q) - H(p)$ differ by $H(p)$, which does not depend on $q$. So
# their gradients with respect to the model are identical,
#
# $$
# \frac{\partial}{\partial q_i} H(p, q) = -\frac{p_i}{q_i} = \frac{\partial}{\partial q_i}
#   D_{\mathrm{KL}}(p\,\|\,q),
# $$
#
# and so are their gradients with respect to any parameters of $q$. `sym.derived.kl_gradient_q`
# derives the KL side (and, with a Lagrange multiplier, its minimiser on the simplex, $q = p$);
# the cell differentiates the cross-entropy and proves that the two gradients agree, for three
# outcomes and for a symbolic number $n$ of them (with the same indexed sums as above):

# %%
KL_GRADIENT = sym.derived.kl_gradient_q(3)
ce_gradient = sp.Matrix([sp.diff(sym.cross_entropy(p3, q3), qi) for qi in q3])
sym.check_identity(ce_gradient, KL_GRADIENT.derived).assert_proved()
entropy_gradient = sp.Matrix(
    [sp.diff(sym.kl_divergence(p3, q3) - sym.cross_entropy(p3, q3), qi) for qi in q3]
)
sym.check_identity(entropy_gradient, sp.zeros(3, 1)).assert_proved()
ce_general = sp.diff(
    sym.cross_entropy_sum(P_idx, Q_idx, i_idx, n_sym), Q_idx[k_idx]
).doit()
ce_general = ce_general.replace(
    lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0]
)  # the branch k <= n: q_k is an entry
sym.check_identity(ce_general, KL_GRADIENT["general"]).assert_proved()
display(
    sp.Eq(sp.Symbol(r"\partial H(p, q)/\partial q_k"), ce_general),
    sp.Eq(
        sp.Symbol(r"\partial D_{\mathrm{KL}}(p\|q)/\partial q_k"),
        KL_GRADIENT["general"],
    ),
)
minimiser = KL_GRADIENT["stationary_point"]
print(
    "minimiser on the simplex (Lagrange):",
    ", ".join(f"{qi} = {minimiser[qi]}" for qi in KL_GRADIENT["q"]),
    f"(lambda = {minimiser[sp.Symbol('lambda')]})",
)
KL_GRADIENT

# %% [markdown]
# A network does not output $q$ but {term}`logit`s $z$ with $q = \operatorname{softmax}(z)$. The
# chain rule then gives the gradient of chapter {doc}`02-cross-entropy` for both losses,
# $\nabla_z D_{\mathrm{KL}}(p\,\|\,\operatorname{softmax}(z)) = \operatorname{softmax}(z) - p$
# (for $p$ on the simplex), proved here for three classes:

# %%
z3 = sym.logits(3)
kl_logits = sym.kl_divergence(p3, sym.softmax(z3))
for k in range(3):
    sym.check_identity(
        sp.diff(kl_logits, z3[k]),
        sym.softmax(z3)[k] - p3[k],
        constraints=[sym.simplex(p3)],
    ).assert_proved()
print(
    "d KL(p || softmax(z)) / dz_k = softmax(z)_k - p_k on the simplex: proved for 3 "
    "classes"
)

# %% [markdown]
# On numbers: central {term}`finite differences` (`G.numerical_gradient`) of
# $z \mapsto D_{\mathrm{KL}}(p\,\|\,\operatorname{softmax}(z))$ and of
# $z \mapsto H(p, \operatorname{softmax}(z))$, both with `lossbook.info`, agree with each other,
# with $\operatorname{softmax}(z) - p$, and with the analytic gradient of PyTorch's
# probability-target `cross_entropy` (`G.cross_entropy_grad`):

# %%
p_target = p4
z_point = rng.normal(size=4)
grad_kl = G.numerical_gradient(
    lambda z: float(info.kl_divergence(p_target, F.softmax(z, dim=0))), z_point
)
grad_ce = G.numerical_gradient(
    lambda z: float(info.cross_entropy(p_target, F.softmax(z, dim=0))), z_point
)
grad_formula = F.softmax(z_point, dim=0) - p_target
grad_analytic = G.cross_entropy_grad(
    z_point[None, :], p_target[None, :], reduction="sum"
)[0]
assert np.allclose(grad_kl, grad_formula, atol=1e-7) and np.allclose(
    grad_ce, grad_formula, atol=1e-7
)
assert np.allclose(grad_analytic, grad_formula, atol=1e-12)
print("z                     ", z_point)
print("finite diff., KL      ", grad_kl)
print("finite diff., H(p, q) ", grad_ce)
print("softmax(z) - p        ", grad_formula)

# %% [markdown]
# Gradient descent therefore takes exactly the same steps with either loss. The figure follows
# 40 steps of plain gradient descent (learning rate 0.5, starting from $z = 0$) towards the source
# $p$ of the first section: the two loss curves are the same curve shifted by $H(p)$. The
# cross-entropy levels off at $H(p)$, the KL divergence at 0, which is why a KL value is easier to
# read: it says how far the model is from the data, with the irreducible part removed.

# %%
z_train = np.zeros(4)
H_p_nats = float(info.entropy(p_target))
trace_ce, trace_kl = [], []
n_steps, learning_rate = 40, 0.5
for step in range(n_steps + 1):
    q_now = F.softmax(z_train, dim=0)
    trace_ce.append(float(info.cross_entropy(p_target, q_now)))
    trace_kl.append(float(info.kl_divergence(p_target, q_now)))
    z_train = z_train - learning_rate * (q_now - p_target)
trace_ce, trace_kl = np.array(trace_ce), np.array(trace_kl)
assert np.allclose(trace_ce - trace_kl, H_p_nats, atol=1e-12)

# %% tags=["hide-input"] mystnb={"image": {"alt": "Loss in nats against the gradient-descent step, from 0 to 40, for a softmax model trained towards p = (1/2, 1/4, 1/8, 1/8). The cross-entropy H(p, q) starts at ln 4 (about 1.386 nats) and decreases towards a dashed horizontal line at H(p), about 1.213 nats; the KL divergence starts at about 0.173 nats and decreases towards 0. The two curves have the same shape, offset by H(p)."}}
fig, ax = plt.subplots(figsize=(7.5, 4.0))
lbplot.loss_curve(
    ax,
    np.arange(n_steps + 1),
    {
        r"cross-entropy $H(p, q)$": trace_ce,
        r"KL divergence $D_{\mathrm{KL}}(p\,\|\,q)$": trace_kl,
    },
    "gradient-descent step",
    unit="nats",
)
ax.axhline(
    H_p_nats,
    color=lbplot.PALETTE.black,
    ls="--",
    lw=1,
    label=rf"$H(p) = {H_p_nats:.3f}$ nats",
)
ax.legend()
ax.set_title("same gradients: the curves differ by the constant H(p)")
plt.show()

# %% tags=["hide-input"]
print(f"{'step':>4s} {'H(p, q)':>9s} {'KL(p || q)':>11s} {'difference':>11s}")
for step in (0, 1, 5, 10, 20, 40):
    print(
        f"{step:4d} {trace_ce[step]:9.6f} {trace_kl[step]:11.6f} "
        f"{trace_ce[step] - trace_kl[step]:11.6f}"
    )
print(f"H(p) = {H_p_nats:.6f} nats, ln 4 = {math.log(4):.6f} nats")

# %% [markdown]
# ### Back to maximum likelihood
#
# With $p = \hat p$, the {term}`empirical distribution` of a sample, the cross-entropy
# $H(\hat p, q_\theta)$ is the average negative log-likelihood of the sample, so
# ({ref}`sec-nll-mle` in chapter {doc}`03-negative-log-likelihood`)
#
# $$
# \hat\theta_{\text{MLE}} = \arg\min_\theta H(\hat p, q_\theta)
#   = \arg\min_\theta D_{\mathrm{KL}}(\hat p\,\|\,q_\theta) :
# $$
#
# {term}`maximum likelihood estimation` is forward-KL fitting to the data. For the two-peaked
# mixture of the previous section this means that the maximum-likelihood Gaussian of a large
# sample is, up to sampling noise, the moment-matched forward fit, centred between the peaks. The maximum-likelihood estimates of a Gaussian are the sample mean and the sample
# standard deviation (with divisor $N$); for 200 000 seeded draws:

# %%
n_draws = 200_000
from_right = rng.random(n_draws) < weights[1]
draws = np.where(from_right, centres[1], centres[0]) + spread * rng.normal(size=n_draws)
mu_mle, sigma_mle = float(np.mean(draws)), float(np.std(draws))
assert abs(mu_mle - mu_f) < 0.02 and abs(sigma_mle - sigma_f) < 0.02
print(
    f"maximum likelihood on {n_draws} draws: mu = {mu_mle:.3f}, sigma = {sigma_mle:.3f}"
)
print(f"forward-KL fit:                         mu = {mu_f:.3f}, sigma = {sigma_f:.3f}")

# %% [markdown]
# (sec-kl-js)=
# ## A symmetric, bounded relative: the Jensen–Shannon divergence
#
# When a symmetric and always finite comparison is wanted, the {term}`Jensen–Shannon divergence`
# {cite:p}`lin1991` compares both distributions with their midpoint $m = (p + q)/2$:
#
# $$
# \mathrm{JS}(p, q) = \tfrac12 D_{\mathrm{KL}}(p\,\|\,m) + \tfrac12 D_{\mathrm{KL}}(q\,\|\,m),
# \qquad 0 \le \mathrm{JS}(p, q) \le \log 2 .
# $$
#
# It is symmetric by construction, and finite because $m > 0$ wherever $p$ or $q$ is. For the
# bound, group the two terms of outcome $i$ and write $t_i = p_i/(p_i + q_i)$: they are
# $(p_i + q_i)\,\big(\log 2 - H_b(t_i)\big)$, with $H_b(t) = -t\log t - (1 - t)\log(1 - t) \ge 0$
# the binary entropy. SymPy proves this step, and symmetry for three outcomes:

# %%
t_sym = sp.Symbol("t", positive=True)
binary_entropy = -t_sym * sp.log(t_sym) - (1 - t_sym) * sp.log(1 - t_sym)
js_pair = p_s * sp.log(2 * p_s / (p_s + q_s)) + q_s * sp.log(2 * q_s / (p_s + q_s))
js_step = sym.check_identity(
    js_pair, (p_s + q_s) * (sp.log(2) - binary_entropy.subs(t_sym, p_s / (p_s + q_s)))
)
js_step.assert_proved()
sym.check_identity(sym.js_divergence(p3, q3), sym.js_divergence(q3, p3)).assert_proved()
js_step

# %% [markdown]
# Summing over the outcomes and halving,
#
# $$
# \mathrm{JS}(p, q) = \log 2\cdot\tfrac12\sum_i(p_i + q_i) - \tfrac12\sum_i (p_i + q_i)H_b(t_i)
# = \log 2 - \tfrac12\sum_i (p_i + q_i)H_b(t_i) \le \log 2 ,
# $$
#
# with equality exactly when every $t_i$ is 0 or 1, that is when $p$ and $q$ have disjoint
# supports. In bits the bound is 1 bit. The numbers: `info.js_divergence` agrees with the symbolic
# definition, stays below $\log 2$ on 100 000 random pairs, and reaches it for disjoint supports,
# where both KL divergences are infinite:

# %%
display(
    sym.check_numeric(sym.js_divergence(p3, q3), [p3, q3], info.js_divergence, kl_cases)
)
js_many = info.js_divergence(many_p, many_q)
assert np.all(js_many >= 0) and np.all(js_many < math.log(2))
assert np.allclose(js_many, info.js_divergence(many_q, many_p), rtol=1e-12, atol=1e-15)
p_left, p_right = np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.0, 0.3, 0.7])
js_disjoint = float(info.js_divergence(p_left, p_right, base=2))
assert js_disjoint == 1.0
print(
    f"largest JS over 100000 random pairs: {js_many.max():.6f} nats < ln 2 = "
    f"{math.log(2):.6f}"
)
print(
    f"disjoint supports: JS = {js_disjoint:.6f} bit, KL(p || q) = "
    f"{float(info.kl_divergence(p_left, p_right))}, KL(q || p) = "
    f"{float(info.kl_divergence(p_right, p_left))}"
)

# %% [markdown]
# PyTorch has no `js_divergence`; SciPy's `scipy.spatial.distance.jensenshannon` returns its
# square root. The price of boundedness is the flip side of the forward KL's infinite penalty: for
# distributions with disjoint supports JS is stuck at $\log 2$ however far apart they are, so its
# gradient gives no hint which way to move.
#
# (sec-kl-pytorch)=
# ## In PyTorch: `kl_div`
#
# `torch.nn.functional.kl_div(input, target, reduction='mean', log_target=False)` (and the module
# `nn.KLDivLoss`) follows the convention of the other losses, *model first, data second*, and the
# model enters as **log-probabilities** {cite:p}`paszke2019`:
#
# - `input` is $\log q$, typically `log_softmax(logits, dim=1)`;
# - `target` is $p$ (or $\log p$ with `log_target=True`);
# - elementwise it computes $p\,(\log p - \log q)$, so summed over the classes it is
#   $D_{\mathrm{KL}}(p\,\|\,q)$, the forward KL from the data to the model.
#
# `lossbook.functional.kl_div` has the same signature and semantics. A batch of $N = 4$
# distributions over $C = 5$ classes:

# %%
N_batch, C_batch = 4, 5
p_batch = sym.random_simplex(rng, C_batch, size=N_batch)
logits_batch = rng.normal(scale=1.5, size=(N_batch, C_batch))
log_q_batch = F.log_softmax(logits_batch, dim=1)
q_batch = F.softmax(logits_batch, dim=1)
kl_rows = info.kl_divergence(p_batch, q_batch)
pointwise = F.kl_div(log_q_batch, p_batch, reduction="none")
assert pointwise.shape == (N_batch, C_batch)
assert np.allclose(pointwise.sum(axis=1), kl_rows, rtol=1e-12)
print("KL(p_n || q_n) for each row (lossbook.info):   ", kl_rows)
print("F.kl_div(..., reduction='none').sum(axis=1):   ", pointwise.sum(axis=1))

# %% [markdown]
# The symbolic definition agrees with `F.kl_div(log q, p, reduction='sum')` for single
# distributions (lambdified with $\log q$ computed from $q$):

# %%
sym.check_numeric(
    KL_sym,
    [p3, q3],
    lambda p, q: F.kl_div(np.log(q), p, reduction="sum"),
    sym.random_cases(
        rng, lambda r: (sym.random_simplex(r, 3), sym.random_simplex(r, 3)), count=4
    ),
)

# %% [markdown]
# ### `reduction`: `'batchmean'` is the KL, `'mean'` is not
#
# The {term}`reduction` decides what the single number is:
#
# | `reduction` | value | for $(N, C)$ input |
# |---|---|---|
# | `'sum'` | sum of all elements | $\sum_n D_{\mathrm{KL}}(p_n\,\|\,q_n)$ |
# | `'batchmean'` | sum / `input.shape[0]` | $\frac1N\sum_n D_{\mathrm{KL}}(p_n\,\|\,q_n)$, the mean KL |
# | `'mean'` (the default) | sum / number of elements | $\frac1{NC}\sum_n D_{\mathrm{KL}}(p_n\,\|\,q_n)$ |
#
# The default `'mean'` averages over the classes as well as the examples, so it reports the KL
# divided by $C$: for 1000 classes, a thousand times too small. PyTorch warns about it and
# recommends `'batchmean'`. A second surprise: for a single 1-D distribution of shape $(C,)$,
# `input.shape[0]` is $C$, so `'batchmean'` also divides by $C$; use `'sum'` there.

# %%
kl_sum = float(F.kl_div(log_q_batch, p_batch, reduction="sum"))
kl_batchmean = float(F.kl_div(log_q_batch, p_batch, reduction="batchmean"))
kl_mean = float(F.kl_div(log_q_batch, p_batch, reduction="mean"))
assert np.isclose(kl_batchmean, kl_rows.mean(), rtol=1e-12)
assert np.isclose(kl_mean * C_batch, kl_batchmean, rtol=1e-12)
print(f"'sum'       = {kl_sum:.6f}   (sum of the {N_batch} KL divergences)")
print(
    f"'batchmean' = {kl_batchmean:.6f}   (mean KL per example = {kl_rows.mean():.6f})"
)
print(f"'mean'      = {kl_mean:.6f}   (= batchmean / C = {kl_batchmean / C_batch:.6f})")
one_row = float(F.kl_div(log_q_batch[0], p_batch[0], reduction="batchmean"))
assert np.isclose(one_row * C_batch, kl_rows[0], rtol=1e-12)
print(
    f"one 1-D row, 'batchmean' = {one_row:.6f} = KL / C; 'sum' = "
    f"{float(F.kl_div(log_q_batch[0], p_batch[0], reduction='sum')):.6f} = KL "
    f"{kl_rows[0]:.6f}"
)

# %% [markdown]
# The gradient is scaled the same way, so training with `'mean'` is training with a learning rate
# $C$ times smaller than intended. `G.kl_div_grad` gives the analytic gradient with respect to
# `input` ($-p/N$ per element for `'batchmean'`, $-p/(NC)$ for `'mean'`); central differences
# confirm it:

# %%
grad_batchmean = G.kl_div_grad(log_q_batch, p_batch, reduction="batchmean")
grad_mean = G.kl_div_grad(log_q_batch, p_batch, reduction="mean")
numeric_batchmean = G.numerical_gradient(
    lambda inp: float(F.kl_div(inp, p_batch, reduction="batchmean")), log_q_batch
)
assert np.allclose(grad_batchmean, -p_batch / N_batch, atol=1e-15)
assert np.allclose(grad_mean * C_batch, grad_batchmean, atol=1e-15)
assert np.allclose(numeric_batchmean, grad_batchmean, atol=1e-8)
print("gradient, 'batchmean' (first row):", grad_batchmean[0])
print("gradient, 'mean'      (first row):", grad_mean[0])

# %% [markdown]
# ### `log_target`
#
# With `log_target=True` the target is given as $\log p$ and each element is
# $e^{\log p}(\log p - \log q)$. The value is the same; the option is useful when the target is
# itself the output of a `log_softmax` (a teacher network in distillation), because probabilities
# far below the smallest float survive as log-probabilities:

# %%
with_log_target = float(
    F.kl_div(log_q_batch, np.log(p_batch), reduction="batchmean", log_target=True)
)
assert np.isclose(with_log_target, kl_batchmean, rtol=1e-12)
print(f"log_target=True: {with_log_target:.6f}, log_target=False: {kl_batchmean:.6f}")
teacher_logits = np.array([[0.0, -800.0, 5.0]])
student_logits = np.array([[0.0, -700.0, 4.0]])
teacher_log_p = F.log_softmax(teacher_logits, dim=1)
teacher_p = F.softmax(teacher_logits, dim=1)
print("teacher probabilities:", teacher_p[0], "| log-probabilities:", teacher_log_p[0])
student_log_q = F.log_softmax(student_logits, dim=1)
kl_from_p = float(F.kl_div(student_log_q, teacher_p, reduction="sum"))
kl_from_log_p = float(
    F.kl_div(student_log_q, teacher_log_p, reduction="sum", log_target=True)
)
print(f"KL with probabilities:     {kl_from_p:.6f}")
print(f"KL with log_target=True:   {kl_from_log_p:.6f}")

# %% [markdown]
# Here the second class has probability $e^{-805}$ under the teacher, which underflows to 0; its
# contribution to the KL is negligible either way, so both calls agree, but only the log form keeps
# the target exactly.
#
# (sec-kl-mistakes)=
# ### Three mistakes, reproduced
#
# **Probabilities instead of log-probabilities.** `F.kl_div(q, p)` with $q$ the model's
# *probabilities* computes $\sum_c p_c(\log p_c - q_c) = -H(p) - \sum_c p_c q_c$, which is not a
# divergence at all: it is at most $-\sum_c p_c q_c < 0$. Nothing raises an error:

# %%
wrong_input = F.kl_div(q_batch, p_batch, reduction="none").sum(axis=1)
formula_wrong = -info.entropy(p_batch) - np.sum(p_batch * q_batch, axis=1)
assert np.allclose(wrong_input, formula_wrong, rtol=1e-12) and np.all(wrong_input < 0)
print("F.kl_div(q, p), per row:      ", wrong_input)
print("-H(p) - sum p q, per row:     ", formula_wrong)
print("correct KL(p || q), per row:  ", kl_rows)

# %% [markdown]
# A negative KL divergence in a training log is the signature of this mistake (Gibbs' inequality
# says a real one cannot be negative).
#
# **Swapped arguments.** `F.kl_div(log p, q)` computes $D_{\mathrm{KL}}(q\,\|\,p)$, the reverse
# KL: a different number and, as a training objective, the mode-seeking fit of
# {ref}`sec-kl-forward-reverse` instead of the maximum-likelihood one. If the data have exact zeros
# (one-hot targets), their logarithm is $-\infty$ and the swapped loss is infinite:

# %%
swapped = float(F.kl_div(np.log(p_batch), q_batch, reduction="batchmean"))
reverse_rows = info.kl_divergence(q_batch, p_batch)
assert np.isclose(swapped, reverse_rows.mean(), rtol=1e-12)
print(f"F.kl_div(log q, p) = mean KL(p || q) = {kl_batchmean:.6f}")
print(f"F.kl_div(log p, q) = mean KL(q || p) = {swapped:.6f}")
p_onehot = np.array([[0.0, 1.0, 0.0]])
q_soft = np.array([[0.2, 0.7, 0.1]])
with np.errstate(divide="ignore"):
    log_onehot = np.log(p_onehot)
print(
    f"one-hot data p = {p_onehot[0]}: right way "
    f"{float(F.kl_div(np.log(q_soft), p_onehot, reduction='sum')):.6f}, "
    f"swapped {float(F.kl_div(log_onehot, q_soft, reduction='sum'))}"
)

# %% [markdown]
# **Zeros on the model side.** PyTorch computes $p\log p$ with `xlogy`, which is 0 for $p = 0$,
# but then subtracts $p\cdot\log q$ as a plain product. Where the model's log-probability is
# $-\infty$ (an exact zero, for instance from masking logits with $-\infty$) and $p = 0$ as well,
# $0\cdot(-\infty)$ is `nan`, although mathematically the term is 0 ({ref}`sec-kl-zeros`), and one
# `nan` poisons the reduced loss:

# %%
masked_logits = np.array([[1.0, 2.0, -np.inf]])
p_masked = np.array([[0.3, 0.7, 0.0]])
masked_value = float(
    F.kl_div(F.log_softmax(masked_logits, dim=1), p_masked, reduction="sum")
)
exact_value = float(info.kl_divergence(p_masked, F.softmax(masked_logits, dim=1))[0])
assert math.isnan(masked_value) and math.isfinite(exact_value)
print(f"F.kl_div with a -inf log-probability where p = 0: {masked_value}")
print(f"info.kl_divergence (0 log(0/0) = 0):              {exact_value:.6f}")
finite_mask = np.array([[1.0, 2.0, -1e9]])
finite_value = float(
    F.kl_div(F.log_softmax(finite_mask, dim=1), p_masked, reduction="sum")
)
print(f"with a large finite mask value instead:           {finite_value:.6f}")

# %% [markdown]
# More mistakes of this kind are collected in {doc}`08-gallery-of-mistakes`.
#
# (sec-kl-distillation)=
# ## Distillation with a temperature
#
# In {term}`knowledge distillation` {cite:p}`hinton2015` a small student network with logits $z$
# is trained towards the output distribution of a large teacher with logits $v$. Both are
# softened by a temperature $T \ge 1$: the teacher's targets are $p_T = \operatorname{softmax}(v/T)$,
# the student's prediction is $q_T = \operatorname{softmax}(z/T)$, and the loss is
#
# $$
# L_T(z) = T^2\, D_{\mathrm{KL}}\big(p_T\,\|\,q_T\big) .
# $$
#
# A high temperature spreads the teacher's probability over the wrong classes, whose relative
# sizes ("a 2 looks more like a 3 than like a 7") carry most of what the student can learn. The
# factor $T^2$ is there for the gradient.
#
# ```{prf:theorem} Gradient and high-temperature limit of the distillation loss
# :label: thm-kl-distillation
# For logits $z, v \in \mathbb R^C$ and $T > 0$,
#
# $$
# \frac{\partial L_T}{\partial z_i} = T\,\big(q_{T,i} - p_{T,i}\big) .
# $$
#
# If both logit vectors have mean zero, $\sum_i z_i = \sum_i v_i = 0$, then as $T \to \infty$
#
# $$
# L_T(z) \to \frac{1}{2C}\,\lVert z - v\rVert^2 , \qquad
# \frac{\partial L_T}{\partial z_i} \to \frac{z_i - v_i}{C} .
# $$
# ```
#
# ```{prf:proof}
# By the softmax gradient of {ref}`sec-kl-gradient`, $\partial D_{\mathrm{KL}}(p\,\|\,
# \operatorname{softmax}(u))/\partial u_i = \operatorname{softmax}(u)_i - p_i$; with $u = z/T$ the
# chain rule adds a factor $1/T$, and $T^2 \cdot 1/T = T$. For the limit put $h = 1/T$: the
# Taylor coefficients of $D_{\mathrm{KL}}\big(\operatorname{softmax}(hv)\,\|\,
# \operatorname{softmax}(hz)\big)$ at $h = 0$ are $0$, $0$ and $\lVert z - v\rVert^2/(2C)$ for
# zero-mean logits, so $T^2 D_{\mathrm{KL}} = h^{-2} D_{\mathrm{KL}} \to \lVert z - v\rVert^2/(2C)$.
# Expanding $q_{T,i} - p_{T,i} = (z_i - v_i)/(CT) + O(T^{-2})$ for zero-mean logits gives the
# gradient. The cells below prove the gradient for $C = 3$ and the Taylor coefficients for
# $C = 2, 3, 4$.
# ```
#
# So without the $T^2$ the gradient would shrink like $1/T^2$ as the temperature rises, and the
# weight of the distillation term against the ordinary cross-entropy would have to be re-tuned
# for every $T$; with it, the gradient stays of order 1. In the limit the loss is *logit
# matching*, a squared error between the centred logits, which is how {cite:t}`hinton2015`
# connect distillation to the earlier practice of regressing the teacher's logits.

# %%
T_sym = sp.Symbol("T", positive=True)
z_st, v_te = sym.logits(3, name="z"), sym.logits(3, name="v")
p_T = sym.softmax([v / T_sym for v in v_te])
q_T = sym.softmax([z / T_sym for z in z_st])
distill_loss = T_sym**2 * sym.kl_divergence(p_T, q_T)
for i in range(3):
    sym.check_identity(
        sp.diff(distill_loss, z_st[i]), T_sym * (q_T[i] - p_T[i])
    ).assert_proved()
print("d L_T / d z_i = T (q_T,i - p_T,i): proved for C = 3")

h_inv = sp.Symbol("h", positive=True)  # h = 1 / T
for C_limit in (2, 3, 4):
    z_free = list(sp.symbols(f"z_1:{C_limit}", real=True))
    v_free = list(sp.symbols(f"v_1:{C_limit}", real=True))
    z_c, v_c = z_free + [-sum(z_free)], v_free + [-sum(v_free)]  # zero-mean logits
    kl_h = sym.kl_divergence(
        sym.softmax([h_inv * v for v in v_c]), sym.softmax([h_inv * z for z in z_c])
    )
    taylor = [
        sp.diff(kl_h, h_inv, k).subs(h_inv, 0) / sp.factorial(k) for k in range(3)
    ]
    squared = sum((a - b) ** 2 for a, b in zip(z_c, v_c)) / (2 * C_limit)
    assert sp.simplify(taylor[0]) == 0 and sp.simplify(taylor[1]) == 0
    assert sp.simplify(taylor[2] - squared) == 0
print(
    "T^2 KL(softmax(v/T) || softmax(z/T)) -> |z - v|^2 / (2C) for zero-mean logits: "
    "proved for C = 2, 3, 4"
)

# %% [markdown]
# **In PyTorch** the loss is written
# `F.kl_div(F.log_softmax(z / T, dim=1), F.softmax(v / T, dim=1), reduction='batchmean') * T**2`:
# the student's log-probabilities first, the teacher's probabilities second, `'batchmean'` for
# the mean KL per example, and the $T^2$ outside. On a seeded batch of $N = 4$ examples over
# $C = 5$ classes (teacher logits of standard deviation 3, student logits of standard deviation 1,
# both centred), the idiom agrees with $T^2$ times the mean of `info.kl_divergence`, and with the
# derived expression lambdified:

# %%
N_d, C_d = 4, 5
teacher_v = rng.normal(scale=3.0, size=(N_d, C_d))
student_z = rng.normal(scale=1.0, size=(N_d, C_d))
teacher_v -= teacher_v.mean(axis=1, keepdims=True)
student_z -= student_z.mean(axis=1, keepdims=True)


def distillation_idiom(z, v, T):
    """The PyTorch idiom, with lossbook.functional in place of torch.nn.functional."""
    log_q = F.log_softmax(z / T, dim=1)
    return F.kl_div(log_q, F.softmax(v / T, dim=1), reduction="batchmean") * T**2


z5, v5 = sym.logits(5, name="z"), sym.logits(5, name="v")
distill_5 = T_sym**2 * sym.kl_divergence(
    sym.softmax([v / T_sym for v in v5]), sym.softmax([z / T_sym for z in z5])
)
distill_cases = {
    f"row {n}, T = {T}": (student_z[n], teacher_v[n], T)
    for n in (0, 1)
    for T in (1, 4, 20)
}
display(
    sym.check_numeric(
        distill_5,
        [z5, v5, T_sym],
        lambda z, v, T: distillation_idiom(z[None, :], v[None, :], T),
        distill_cases,
    )
)
for T in (1.0, 4.0, 20.0):
    by_info = T**2 * np.mean(
        info.kl_divergence(
            F.softmax(teacher_v / T, dim=1), F.softmax(student_z / T, dim=1)
        )
    )
    assert np.isclose(
        float(distillation_idiom(student_z, teacher_v, T)), by_info, rtol=1e-12
    )
print("idiom = T^2 * mean info.kl_divergence(p_T, q_T) for T = 1, 4, 20")

# %% [markdown]
# The gradient with respect to the student's logits, by central {term}`finite differences` of the
# idiom, agrees with $T\,(q_T - p_T)/N$ (the $1/N$ from `'batchmean'`), to within
# $10^{-10}\,T^2$: the rounding error of $T^2 D_{\mathrm{KL}}$ grows like $T^2$, so at high
# temperature the closed-form gradient is the one to use. The table shows why the
# $T^2$ is there: without it the gradient norm falls like $1/T^2$; with it, it settles at the
# logit-matching gradient $(z - v)/(NC)$ of the limit, and the loss at $\lVert z - v\rVert^2/(2C)$
# averaged over the batch, both at a distance that shrinks like $1/T$:

# %%
limit_loss = float(np.mean(np.sum((student_z - teacher_v) ** 2, axis=1)) / (2 * C_d))
limit_grad = (student_z - teacher_v) / (N_d * C_d)
print(
    f"{'T':>6s} {'loss T^2 KL':>12s} {'|grad| of KL':>13s} {'|grad| of T^2 KL':>17s} "
    f"{'|grad - limit|':>15s}"
)
for T in (1.0, 2.0, 5.0, 20.0, 100.0, 1000.0):
    formula_grad = (
        T * (F.softmax(student_z / T, dim=1) - F.softmax(teacher_v / T, dim=1)) / N_d
    )
    numeric_grad = G.numerical_gradient(
        lambda z, T=T: float(distillation_idiom(z, teacher_v, T)), student_z
    )
    # the rounding error of T^2 KL, and of its differences, grows like T^2
    assert np.allclose(numeric_grad, formula_grad, rtol=0, atol=1e-10 * T**2)
    loss_T = float(distillation_idiom(student_z, teacher_v, T))
    print(
        f"{T:6.0f} {loss_T:12.6f} {np.linalg.norm(formula_grad) / T**2:13.3e} "
        f"{np.linalg.norm(formula_grad):17.6f} "
        f"{np.linalg.norm(formula_grad - limit_grad):15.2e}"
    )
print(
    f"limit: loss |z - v|^2 / (2C) = {limit_loss:.6f}, "
    f"|grad| = |z - v| / (N C) = {np.linalg.norm(limit_grad):.6f}"
)
gap = {
    T: float(distillation_idiom(student_z, teacher_v, T)) - limit_loss
    for T in (100.0, 1e3)
}
assert 0 < gap[1e3] < 0.15 * gap[100.0]  # the loss approaches its limit like 1/T

# %% [markdown]
# Forgetting the $T^2$, using `reduction='mean'` and swapping the two distributions are the
# three common mistakes with this loss; {ref}`sec-mistake-distillation` gives their
# fingerprints.
#
# (sec-kl-summary)=
# ## Summary
#
# - $D_{\mathrm{KL}}(p\,\|\,q) = \sum_x p(x)\log\big(p(x)/q(x)\big)$ is the expected number of extra
#   bits (or nats) paid for coding data from $p$ with the ideal code for $q$; real codes with
#   whole-bit lengths pay it in the limit of long blocks.
# - $D_{\mathrm{KL}}(p\,\|\,q) = H(p, q) - H(p)$ (proved for general $n$), and $D_{\mathrm{KL}} \ge 0$
#   with equality only at $q = p$: {prf:ref}`thm-gibbs` for finite sets, and
#   {prf:ref}`thm-kl-densities` for densities, by Jensen's inequality for the concave logarithm.
#   Outcomes with $p = 0$ cost nothing; outcomes with $p > 0 = q$ cost $+\infty$.
# - It is not symmetric and not a metric. Fitting a simple model, the forward KL
#   $D_{\mathrm{KL}}(p\,\|\,q)$ covers all modes (for a Gaussian model: moment matching), the reverse
#   KL $D_{\mathrm{KL}}(q\,\|\,p)$ locks onto one.
# - Between Gaussians ({prf:ref}`thm-kl-gaussians`):
#   $\log(\sigma_2/\sigma_1) + \big(\sigma_1^2 + (\mu_1 - \mu_2)^2\big)/(2\sigma_2^2) - 1/2$.
# - $\log p(x) = \mathrm{ELBO}(q) + D_{\mathrm{KL}}(q\,\|\,p(\cdot\mid x))$
#   ({prf:ref}`thm-kl-elbo`): variational inference minimises the reverse KL. The KL term of a VAE
#   is $\tfrac12\sum_j(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2)$ ({prf:ref}`thm-kl-vae`).
# - As a function of the model, KL and cross-entropy differ by the constant $H(p)$: same gradients,
#   same minimiser; maximum likelihood is forward-KL minimisation.
# - Jensen–Shannon is symmetric, finite and at most $\log 2$.
# - `F.kl_div(input=log q, target=p)` computes $D_{\mathrm{KL}}(p\,\|\,q)$; use
#   `reduction='batchmean'` (not the default `'mean'`, which divides by $C$ too), pass
#   log-probabilities, and keep the model first.
# - Distillation: $T^2 D_{\mathrm{KL}}(\operatorname{softmax}(v/T)\,\|\,
#   \operatorname{softmax}(z/T))$ has gradient $T(q_T - p_T)$, of order 1 for every $T$, and tends
#   to the logit matching $\lVert z - v\rVert^2/(2C)$ for zero-mean logits
#   ({prf:ref}`thm-kl-distillation`).
#
# ## Exercises
#
# ```{exercise} Extra bits for a biased coin
# :label: ex-kl-1
# A coin shows heads with probability 0.9.
# (a) How many bits per toss does the ideal code for the coin need, and how many extra bits per
# toss does a code built for a fair coin (1 bit per toss) cost? Which KL divergence is this?
# (b) The other way round: a fair coin is encoded with the Shannon code built for the biased coin.
# What are the codeword lengths, the average length per toss, and the extra cost compared with the
# fair coin's own code? Compare with $D_{\mathrm{KL}}$ in the right direction.
# (c) Explain in one sentence why (b) is so much more expensive than (a).
# ```
#
# ```{solution-start} ex-kl-1
# :class: dropdown
# ```
#
# (a) The ideal code needs $H(p)$ bits per toss; the fair code costs $H(p, u) = 1$ bit, so the
# extra is $1 - H(p) = D_{\mathrm{KL}}(p\,\|\,u)$. (b) The Shannon code for $p = (0.9, 0.1)$ has
# lengths $\lceil -\log_2 0.9\rceil = 1$ and $\lceil -\log_2 0.1\rceil = 4$; under the fair coin
# the average is $(1 + 4)/2$, against 1 bit for the fair coin's own code. The ideal extra cost is
# $D_{\mathrm{KL}}(u\,\|\,p)$; the real code pays more because both codeword lengths are rounded up
# to whole bits.
# (c) The code for the biased coin has a long codeword for tails, which it expects rarely; the fair
# coin shows tails half of the time.

# %%
biased, fair = np.array([0.9, 0.1]), np.array([0.5, 0.5])
H_biased = float(info.entropy(biased, base=2))
print(
    f"(a) H(p) = {H_biased:.4f} bits; fair code 1 bit; extra = {1 - H_biased:.4f} bits "
    "= "
    f"KL(p || u) = {float(info.kl_divergence(biased, fair, base=2)):.4f} bits"
)
lengths_biased = info.shannon_code_lengths(biased)
average_fair = float(info.expected_code_length(fair, lengths_biased))
print(
    f"(b) lengths {lengths_biased}, average under the fair coin {average_fair:.4f} "
    "bits, "
    f"extra {average_fair - 1:.4f} bits; KL(u || p) = "
    f"{float(info.kl_divergence(fair, biased, base=2)):.4f} bits"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Not a distance
# :label: ex-kl-2
# Let $a$, $b$, $c$ be the Bernoulli distributions with success probabilities 0.1, 0.5 and 0.9.
# (a) Compute $D_{\mathrm{KL}}(a\,\|\,b)$, $D_{\mathrm{KL}}(b\,\|\,c)$ and
# $D_{\mathrm{KL}}(a\,\|\,c)$ in nats, and show that the triangle inequality
# $D(a\,\|\,c) \le D(a\,\|\,b) + D(b\,\|\,c)$ fails.
# (b) Does the triangle inequality hold for $\sqrt{\mathrm{JS}}$ on these three distributions?
# (c) For two Bernoulli distributions with success probabilities $s$ and $t$, derive with SymPy
# the second-order behaviour of $D_{\mathrm{KL}}$ as $t \to s$, and explain why it suggests that
# KL behaves like a *squared* distance for nearby distributions.
# ```
#
# ```{solution-start} ex-kl-2
# :class: dropdown
# ```
#
# (a) The direct divergence is larger than the detour through $b$. (b) Yes: the square root of
# the Jensen–Shannon divergence is in fact a metric {cite:p}`endres2003`. (c) The expansion starts at
# $(t - s)^2/\big(2s(1 - s)\big)$: quadratic in the difference, like a squared distance (with the
# Fisher information $1/(s(1-s))$ as the local scale). Squared distances do not satisfy the
# triangle inequality either: $1^2 + 1^2 < 2^2$.


# %%
def bern(s):
    return np.array([1 - s, s])


a_b, b_c, a_c = (
    float(info.kl_divergence(bern(u), bern(v)))
    for u, v in ((0.1, 0.5), (0.5, 0.9), (0.1, 0.9))
)
assert a_c > a_b + b_c
print(
    f"(a) KL(a||b) = {a_b:.4f}, KL(b||c) = {b_c:.4f}, sum = {a_b + b_c:.4f} < KL(a||c) "
    "= "
    f"{a_c:.4f}"
)
root_js = {
    (u, v): math.sqrt(float(info.js_divergence(bern(u), bern(v))))
    for u, v in ((0.1, 0.5), (0.5, 0.9), (0.1, 0.9))
}
assert root_js[(0.1, 0.9)] <= root_js[(0.1, 0.5)] + root_js[(0.5, 0.9)]
print(
    f"(b) sqrt JS: {root_js[(0.1, 0.5)]:.4f} + {root_js[(0.5, 0.9)]:.4f} = "
    f"{root_js[(0.1, 0.5)] + root_js[(0.5, 0.9)]:.4f} >= {root_js[(0.1, 0.9)]:.4f}"
)
s_b, t_b = sp.symbols("s t", positive=True)
kl_bern = sym.kl_divergence([1 - s_b, s_b], [1 - t_b, t_b])
expansion = sp.series(kl_bern, t_b, s_b, 3).removeO()
sym.check_identity(expansion, (t_b - s_b) ** 2 / (2 * s_b * (1 - s_b))).assert_proved()
print("(c) KL(Bern(s) || Bern(t)) =", sp.factor(expansion), "+ O((t - s)^3)")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} The KL term of a variational autoencoder
# :label: ex-kl-3
# A variational autoencoder {cite:p}`kingma2014` adds to its loss, for every latent coordinate,
# $D_{\mathrm{KL}}\big(\mathcal N(\mu, \sigma^2)\,\|\,\mathcal N(0, 1)\big)$.
# (a) From the closed form of {ref}`sec-kl-gaussians`, show with SymPy that it equals
# $\tfrac12\big(\mu^2 + \sigma^2 - 1 - \log\sigma^2\big)$.
# (b) Networks usually output $v = \log\sigma^2$. Derive the gradient of the term with respect to
# $\mu$ and $v$, and find where it vanishes.
# (c) Evaluate the term for $(\mu, \sigma) = (1, 0.5)$ and check it against quadrature.
# ```
#
# ```{solution-start} ex-kl-3
# :class: dropdown
# ```
#
# (a) Substitute $\mu_1 = \mu$, $\sigma_1 = \sigma$, $\mu_2 = 0$, $\sigma_2 = 1$ and use
# $\log(1/\sigma) = -\tfrac12\log\sigma^2$. (b) With $\sigma^2 = e^v$ the term is
# $\tfrac12(\mu^2 + e^v - 1 - v)$, so $\partial/\partial\mu = \mu$ and $\partial/\partial v =
# \tfrac12(e^v - 1)$: the only stationary point is $\mu = 0$, $v = 0$ ($\sigma = 1$), where the term
# is 0. The prior pulls every coordinate towards the standard normal.

# %%
mu_v, v_v = sp.Symbol("mu", real=True), sp.Symbol("v", real=True)
vae_term = KL_gauss_closed.subs({mu_1: mu_v, mu_2: 0, sigma_2: 1})
vae_closed = (mu_v**2 + sigma_1**2 - 1 - sp.log(sigma_1**2)) / 2
sym.check_identity(vae_term, vae_closed).assert_proved()
print(
    "(a) KL(N(mu, sigma^2) || N(0, 1)) = (mu^2 + sigma^2 - 1 - log sigma^2) / 2: proved"
)
in_v = sp.expand_log(vae_closed.subs(sigma_1, sp.exp(v_v / 2)), force=True)
gradient_v = [sp.simplify(sp.diff(in_v, var)) for var in (mu_v, v_v)]
stationary = sp.solve(gradient_v, [mu_v, v_v], dict=True)
assert stationary == [{mu_v: 0, v_v: 0}] and in_v.subs(stationary[0]) == 0
print(
    "(b) gradient (d/dmu, d/dv) =",
    gradient_v,
    f"| stationary point: mu = {stationary[0][mu_v]}, v = {stationary[0][v_v]}",
)
value_vae = float(vae_closed.subs({mu_v: 1, sigma_1: 0.5}))
value_quad = kl_normal_quadrature(1.0, 0.5, 0.0, 1.0)
assert abs(value_vae - value_quad) < 1e-12
print(f"(c) closed form {value_vae:.6f} nats, quadrature {value_quad:.6f} nats")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Reading kl_div numbers
# :label: ex-kl-4
# A distillation run trains a student on $C = 100$ classes towards a teacher's softmax outputs,
# with batches of $N = 32$.
# (a) The log shows `kl_div(..., reduction='mean') = 0.0042`. What is the mean KL divergence per
# example, in nats and in bits?
# (b) A colleague writes `F.kl_div(F.softmax(student_logits, 1), F.softmax(teacher_logits, 1),
# reduction='batchmean')` and sees negative values of a few nats. What went wrong, and what
# do those values measure?
# (c) Write the correct call. Check your answers with seeded random logits
# (`np.random.default_rng(7)`, teacher logits with standard deviation 3, student logits with
# standard deviation 1).
# ```
#
# ```{solution-start} ex-kl-4
# :class: dropdown
# ```
#
# (a) `'mean'` divides by $NC$, `'batchmean'` by $N$, so the mean KL is $100 \times 0.0042$ nats
# (divide by $\ln 2$ for bits). (b) The input must be log-probabilities. With probabilities the
# result is $-H(p) - \sum_c p_c q_c$ per example: essentially minus the teacher's entropy (at most
# $\log 100$ nats in magnitude), because the second term, the probability that student and teacher
# pick the same class, is small. The number says nothing about the fit, and it is negative. (c)
# `F.kl_div(F.log_softmax(student_logits, dim=1), F.softmax(teacher_logits, dim=1),
# reduction='batchmean')` (or `F.log_softmax(teacher_logits, dim=1)` with `log_target=True`).

# %%
print(
    f"(a) mean KL = {100 * 0.0042:.2f} nats = {100 * 0.0042 / math.log(2):.4f} bits "
    "per example"
)
rng_ex = np.random.default_rng(7)
teacher = rng_ex.normal(scale=3.0, size=(32, 100))
student = rng_ex.normal(scale=1.0, size=(32, 100))
p_teacher, q_student = F.softmax(teacher, dim=1), F.softmax(student, dim=1)
wrong = float(F.kl_div(q_student, p_teacher, reduction="batchmean"))
right = float(F.kl_div(F.log_softmax(student, dim=1), p_teacher, reduction="batchmean"))
right_log = float(
    F.kl_div(
        F.log_softmax(student, dim=1),
        F.log_softmax(teacher, dim=1),
        reduction="batchmean",
        log_target=True,
    )
)
mean_entropy = float(np.mean(info.entropy(p_teacher)))
assert np.isclose(right, np.mean(info.kl_divergence(p_teacher, q_student)), rtol=1e-12)
assert np.isclose(right, right_log, rtol=1e-12)
assert np.isclose(
    wrong, -mean_entropy - np.mean(np.sum(p_teacher * q_student, axis=1)), rtol=1e-12
)
print(
    f"(b) probabilities as input: {wrong:.4f}; minus the teacher's mean entropy: "
    f"{-mean_entropy:.4f}; -log 100 = {-math.log(100):.4f}"
)
print(f"(c) correct 'batchmean': {right:.4f} nats (log_target=True: {right_log:.4f})")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Moving the peaks apart
# :label: ex-kl-5
# Take the mixture $p = w\,\mathcal N(-a, s^2) + (1 - w)\,\mathcal N(a, s^2)$.
# (a) Derive the forward-KL (moment-matched) fit $(\mu^*, \sigma^*)$ as a function of $w$, $a$ and
# $s$ with SymPy.
# (b) For $w = 0.7$ and $s = 0.6$, tabulate $\sigma^*$ and the density of $p$ at $\mu^*$ relative
# to its density at $-a$, for $a = 0.5, 1, 2, 3, 4$. What happens to the forward fit as the peaks
# move apart?
# (c) Where, roughly, does the reverse fit stay, and what value of the reverse KL do you expect at
# it for large $a$?
# ```
#
# ```{solution-start} ex-kl-5
# :class: dropdown
# ```
#
# (a) $\mu^* = (1 - 2w)a$ and $\sigma^{*2} = s^2 + 4w(1 - w)a^2$. (b) $\sigma^*$ grows linearly in
# $a$ and the density of $p$ at the fit's centre collapses: the forward fit covers both peaks by
# putting its maximum where there are no data. (c) On the heavier peak, with width close to $s$;
# the reverse KL there tends to $-\log w$ as the peaks separate ({ref}`sec-kl-forward-reverse`).

# %%
w_s, a_s, s_s = sp.symbols("w a s", positive=True)
m1_s = w_s * (-a_s) + (1 - w_s) * a_s
m2_s = w_s * (a_s**2 + s_s**2) + (1 - w_s) * (a_s**2 + s_s**2)
mu_star = forward_optimum[mu].subs({m_1: m1_s, m_2: m2_s})
var_star = sp.factor(
    sp.expand((forward_optimum[sigma] ** 2).subs({m_1: m1_s, m_2: m2_s}))
)
assert sp.simplify(mu_star - (1 - 2 * w_s) * a_s) == 0
assert sp.simplify(var_star - (s_s**2 + 4 * w_s * (1 - w_s) * a_s**2)) == 0
print("(a) mu* =", sp.factor(mu_star), "  sigma*^2 =", sp.expand(var_star))
print(f"(b) {'a':>4s} {'mu*':>7s} {'sigma*':>7s} {'p(mu*) / p(-a)':>15s}")
for a_value in (0.5, 1.0, 2.0, 3.0, 4.0):
    mu_value = (1 - 2 * 0.7) * a_value
    sigma_value = math.sqrt(0.36 + 4 * 0.7 * 0.3 * a_value**2)

    def density(x, a_value=a_value):
        return 0.7 * normal_density(x, -a_value, 0.6) + 0.3 * normal_density(
            x, a_value, 0.6
        )

    print(
        f"    {a_value:4.1f} {mu_value:7.3f} {sigma_value:7.3f} "
        f"{density(mu_value) / density(-a_value):15.2e}"
    )
print(f"(c) -log w = {-math.log(0.7):.4f} nats")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Softened targets
# :label: ex-kl-6
# A teacher outputs the logits $v = (4, 1, 0, -5)$ for an image.
# (a) Compute its softened targets $\operatorname{softmax}(v/T)$ and their entropy in nats for
# $T = 1, 2, 4, 10$. What does the temperature reveal about the wrong classes?
# (b) A student with logits $z = (3, 1, 1, -1)$ is trained with the distillation loss of
# {ref}`sec-kl-distillation`. Compute $L_T$ and the norm of its gradient for the same
# temperatures, and the logit-matching limit $\lVert \bar z - \bar v\rVert^2/(2C)$ of the
# centred logits $\bar z = z - \operatorname{mean}(z)$, $\bar v = v - \operatorname{mean}(v)$.
# (c) Explain why the limit needs centred logits, while $L_T$ itself does not care about the
# means.
# ```
#
# ```{solution-start} ex-kl-6
# :class: dropdown
# ```
#
# (a) At $T = 1$ almost all the mass is on the first class; as $T$ grows the entropy rises
# towards $\log 4$ and the ranking of the wrong classes (the second above the third, the fourth
# far below) becomes visible in the targets. (b) The table shows $L_T$ approaching the limit and
# the gradient norm staying of order 1. (c) A softmax does not change when the same number is
# added to every logit, so $L_T$ depends on $z$ and $v$ only through their centred versions; the
# squared distance $\lVert z - v\rVert^2$ does depend on the means, and only the centred version
# is the limit.

# %%
v_ex = np.array([[4.0, 1.0, 0.0, -5.0]])
z_ex = np.array([[3.0, 1.0, 1.0, -1.0]])
z_bar, v_bar = z_ex - z_ex.mean(), v_ex - v_ex.mean()
limit_ex = float(np.sum((z_bar - v_bar) ** 2) / (2 * 4))
print(
    f"{'T':>4s} {'softmax(v / T)':>34s} {'entropy':>8s} {'L_T':>9s} {'|grad L_T|':>11s}"
)
for T in (1.0, 2.0, 4.0, 10.0):
    p_soft = F.softmax(v_ex / T, dim=1)
    grad_ex = T * (F.softmax(z_ex / T, dim=1) - p_soft)
    loss_ex = float(distillation_idiom(z_ex, v_ex, T))
    assert np.isclose(loss_ex, float(distillation_idiom(z_bar, v_bar, T)), rtol=1e-12)
    print(
        f"{T:4.0f} {np.array2string(p_soft[0], precision=4):>34s} "
        f"{float(info.entropy(p_soft[0])):8.4f} {loss_ex:9.4f} "
        f"{np.linalg.norm(grad_ex):11.4f}"
    )
print(
    f"limit |z_bar - v_bar|^2 / (2C) = {limit_ex:.4f}; with uncentred logits "
    f"|z - v|^2 / (2C) = {float(np.sum((z_ex - v_ex) ** 2) / 8):.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`kullback1951` introduced the divergence (as the mean information for discrimination)
#   and proved that it is non-negative.
# - {cite:t}`shannon1948` founded information theory and the coding view of $-\log p$ used here.
# - {cite:t}`cover2006`, sections 2.3 and 2.6 and 5.4, define relative entropy, prove the
#   information inequality, and give the cost $H(p) + D(p\,\|\,q)$ of coding with the wrong
#   distribution.
# - {cite:t}`lin1991` studied the Jensen–Shannon divergence and its bounds.
# - {cite:t}`minka2005` compares the divergences minimised by approximate inference, including the
#   mode-covering and mode-seeking behaviour of the two KL directions.
# - {cite:t}`bishop2006`, section 10.1.2, shows the forward and reverse KL fits to a two-peaked
#   distribution; {cite:t}`goodfellow2016`, section 3.13, the same asymmetry for deep learning.
# - {cite:t}`kingma2014` introduced the variational autoencoder, whose ELBO contains the Gaussian
#   KL term of {ref}`sec-kl-vae` and exercise {ref}`ex-kl-3`.
# - {cite:t}`hinton2015` introduced knowledge distillation with a temperature and the factor
#   $T^2$, and related its high-temperature limit to logit matching
#   ({ref}`sec-kl-distillation`).
# - {cite:t}`paszke2019` describe PyTorch, whose `kl_div` semantics `lossbook.functional`
#   reproduces.
