# %% [markdown]
# # Choosing a distribution: regression losses as negative log-likelihood
#
# Chapters 2–5 built every classification loss from one idea: the model outputs a distribution
# over the labels, and the loss is the {term}`negative log-likelihood` of the label that was
# observed. Regression works the same way. **Choose a distribution for the target, let the model
# output its parameters, and minimise the negative log-likelihood of the data**
# {cite:p}`prince2023`. A Gaussian with a fixed spread gives the mean squared error, a Laplace
# distribution the absolute error, a Gaussian whose variance the model also predicts gives
# PyTorch's `gaussian_nll_loss`, a density with Gaussian centre and Laplace tails gives the Huber
# loss, and a Poisson distribution gives `poisson_nll_loss` for counts. Each choice decides what
# the model estimates (a mean, a median, a rate) and how much a single wild target can pull it.
#
# **In this chapter** you will
#
# - derive each loss from its distribution with SymPy, constants included, and check it on
#   numbers against `lossbook`;
# - meet the {term}`differential entropy` of a density: it can be negative, it changes with the
#   units of the target while the KL divergence does not, and that is why a continuous loss
#   carries units;
# - prove that squared error is minimised by the mean and absolute error by a median (a
#   {term}`subgradient` argument), and watch one outlier move the first and not the second;
# - derive the gradients of the {term}`heteroscedastic regression` loss with respect to the mean
#   and the variance, and see what PyTorch's `eps` clamp does to them;
# - derive the {term}`Huber loss` and the {term}`smooth L1 loss` as negative log-likelihoods, their
#   bounded {term}`influence function`, and `huber_loss(delta=δ) = δ · smooth_l1_loss(beta=δ)`;
# - write the Poisson loss for counts with `log_input` true and false, with and without the
#   {term}`Stirling's approximation` term of `full=True`;
# - reproduce three mistakes with their numeric fingerprints.
#
# **You need**
#
# - likelihood and maximum likelihood from {doc}`03-negative-log-likelihood`;
# - the KL divergence between Gaussians from {doc}`05-kl-divergence`;
# - derivatives and one-variable integrals; the normal distribution.

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
import sympy as sp
from IPython.display import Math, display

import lossbook.functional as F
import lossbook.gradients as G
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=4, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(1010)

# %% [markdown]
# (sec-regression-recipe)=
# ## The recipe: choose a distribution, minimise its negative log-likelihood
#
# A regression model maps an input $x_n$ to numbers $\theta_n = f(x_n)$, and we *read* those
# numbers as the parameters of a distribution $p(y \mid \theta_n)$ over the target: a mean, a
# mean and a variance, a rate. The {term}`likelihood` of the parameters is the probability
# density of the targets we observed, and for targets that are independent given the inputs it
# is a product; its negative logarithm is a sum of one term per target:
#
# $$
# -\log \prod_{n=1}^N p(y_n \mid \theta_n) = \sum_{n=1}^N \big(-\log p(y_n \mid \theta_n)\big).
# $$
#
# That sum is the training loss, and {term}`maximum likelihood estimation` is its minimisation,
# exactly as for class labels in {ref}`sec-nll-likelihood`. The step from product to sum is
# $\log(ab) = \log a + \log b$ for positive $a, b$, applied $N - 1$ times (induction on $N$).
# SymPy checks that step, and expands the logarithm of a product of $N$ positive densities, with
# $N$ a symbol:

# %%
a_pos, b_pos = sp.symbols("a b", positive=True)
induction_step = sym.check_identity(
    sp.log(a_pos * b_pos), sp.log(a_pos) + sp.log(b_pos)
)
induction_step.assert_proved()
N = sp.Symbol("N", positive=True, integer=True)
n_idx = sp.Symbol("n", positive=True, integer=True)
dens = sp.IndexedBase("p", positive=True)
log_product = sp.expand_log(-sp.log(sp.Product(dens[n_idx], (n_idx, 1, N))), force=True)
assert log_product == -sp.Sum(sp.log(dens[n_idx]), (n_idx, 1, N))
display(
    Math(
        r"-\log \prod_{n=1}^{N} p_n = "
        + sp.latex(log_product).replace("{p}_{n}", "p_n")
        + r" \quad \text{for every } N \ge 1"
    )
)

# %% [markdown]
# The rest of the chapter is one table, filled in row by row. Each row names a distribution, the
# loss it gives once constants are dropped, and what the best constant prediction is (the
# statistic the model learns to output).
#
# | target distribution | parameters from the model | loss (up to constants) | PyTorch | best constant |
# |---|---|---|---|---|
# | Gaussian, fixed $\sigma$ | mean $\mu$ | $(y - \mu)^2$ | `mse_loss` | mean |
# | Laplace, fixed $b$ | location $\mu$ | $\lvert y - \mu\rvert$ | `l1_loss` | median |
# | Gaussian | mean $\mu$, variance $\sigma^2$ | $\tfrac12\big(\log\sigma^2 + (y-\mu)^2/\sigma^2\big)$ | `gaussian_nll_loss` | mean and variance |
# | $\propto e^{-\text{huber}}$ | location $\mu$ | Huber | `huber_loss`, `smooth_l1_loss` | Huber's M-estimate (pull capped) |
# | Poisson | log-rate $x$ or rate $\lambda$ | $e^{x} - yx$ or $\lambda - y\log\lambda$ | `poisson_nll_loss` | mean count |

# %% [markdown]
# (sec-regression-densities)=
# ## Densities have units: differential entropy
#
# A class label has a probability, a number between 0 and 1 without units. A continuous target
# has a **density**: the probability that $Y$ falls in a short interval $[y, y + \Delta]$ is about
# $p(y)\,\Delta$, so a density has the units of $1/y$. A height in metres has a density in
# "per metre", and its negative log-density changes by $\log 100$ when the heights are written
# in centimetres. A continuous loss therefore has no absolute zero: its value depends on the units
# of the target, while its minimiser and its gradient direction do not.
#
# The expected negative log-density of a distribution is its {term}`differential entropy`
# {cite:p}`cover2006`,
#
# $$
# h(p) = -\int p(y)\log p(y)\,dy,
# $$
#
# the continuous analogue of the entropy of {doc}`01-information-and-entropy`. SymPy computes it
# for a Gaussian and for a uniform distribution:

# %%
y, mu = sp.symbols("y mu", real=True)
sigma, width = sp.symbols("sigma w", positive=True)
gauss_pdf = sp.exp(-((y - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
neg_log_gauss = sp.expand(sp.expand_log(-sp.log(gauss_pdf), force=True))
h_gauss = sp.simplify(sp.integrate(gauss_pdf * neg_log_gauss, (y, -sp.oo, sp.oo)))
h_uniform = sp.integrate(-(1 / width) * sp.log(1 / width), (y, 0, width))
assert sp.simplify(h_gauss - sp.log(2 * sp.pi * sp.E * sigma**2) / 2) == 0
assert sp.simplify(h_uniform - sp.log(width)) == 0
display(
    Math(
        r"h\big(\mathcal N(\mu, \sigma^2)\big) = "
        + sp.latex(h_gauss)
        + r" = \tfrac12\log(2\pi e\sigma^2), \qquad h\big(U[0, w]\big) = "
        + sp.latex(sp.simplify(h_uniform))
    )
)

# %% [markdown]
# Both can be **negative**, unlike the entropy of a discrete distribution: a uniform distribution
# on an interval shorter than 1 has $h = \log w < 0$, and a Gaussian has $h < 0$ once
# $\sigma < 1/\sqrt{2\pi e}$. The cell finds that threshold and checks $h$ as an average: the mean
# of `F.gaussian_nll_loss(..., full=True)`, which is $-\log p(y)$ for each sample, over many
# samples from the same Gaussian is a Monte Carlo estimate of $h$.

# %%
sigma_zero = sp.solve(sp.Eq(h_gauss, 0), sigma)
assert sigma_zero == [1 / sp.sqrt(2 * sp.pi * sp.E)]
print(f"h(N(0, s^2)) < 0 for s < 1/sqrt(2 pi e) = {float(sigma_zero[0]):.4f}")

h_of = sp.lambdify(sigma, h_gauss)
print(f"{'sigma':>6} {'h exact (nats)':>15} {'mean NLL of samples':>20}")
for s in (0.1, 0.2420, 1.0, 10.0):
    sample = rng.normal(0.0, s, 200_000)
    nll = F.gaussian_nll_loss(np.zeros_like(sample), sample, s**2, full=True)
    assert abs(float(nll) - h_of(s)) < 0.01
    print(f"{s:>6} {h_of(s):>15.4f} {float(nll):>20.4f}")

# %% [markdown]
# ```{prf:theorem} Differential entropy and KL divergence under a linear change of variables
# :label: thm-regression-change-of-variables
# Let $X$ have density $p_X$ on $\mathbb{R}^d$ and let $Y = AX + b$ with $A$ invertible. Then
# $h(Y) = h(X) + \log\lvert\det A\rvert$. If $X'$ has density $q_X$ and $Y' = AX' + b$, then
# $D_{\mathrm{KL}}(p_Y\,\|\,q_Y) = D_{\mathrm{KL}}(p_X\,\|\,q_X)$.
# ```
#
# ```{prf:proof}
# The change of variables formula gives $p_Y(y) = p_X(x)/\lvert\det A\rvert$ at
# $x = A^{-1}(y - b)$, and $dy = \lvert\det A\rvert\,dx$. So
# $h(Y) = -\int p_X(x)\big(\log p_X(x) - \log\lvert\det A\rvert\big)\,dx
# = h(X) + \log\lvert\det A\rvert$. In the KL divergence the same factor $1/\lvert\det A\rvert$
# appears in $p_Y$ and in $q_Y$ and cancels inside $\log(p_Y/q_Y)$, and the integral with respect
# to $dy = \lvert\det A\rvert\,dx$ of $p_Y$ is the integral with respect to $dx$ of $p_X$.
# ```
#
# SymPy checks both statements for Gaussians, where everything is in closed form: for a scalar map
# $y = ax + c$ through the KL divergence between Gaussians of {prf:ref}`thm-kl-gaussians`, and for
# a $2 \times 2$ map through $h(\mathcal N(m, \Sigma)) = \tfrac12\log\det(2\pi e\,\Sigma)$ and
# $\operatorname{Cov}(AX) = A\Sigma A^\top$.

# %%
a, c = sp.symbols("a c", real=True, nonzero=True)
m1, m2 = sp.symbols("m_1 m_2", real=True)
s1, s2 = sp.symbols("s_1 s_2", positive=True)


def kl_gauss(mean_p, sd_p, mean_q, sd_q):
    """KL(N(mean_p, sd_p^2) || N(mean_q, sd_q^2)), the closed form of chapter 5."""
    return (
        sp.log(sd_q / sd_p)
        + (sd_p**2 + (mean_p - mean_q) ** 2) / (2 * sd_q**2)
        - sp.Rational(1, 2)
    )


kl_before = kl_gauss(m1, s1, m2, s2)
kl_after = kl_gauss(a * m1 + c, sp.Abs(a) * s1, a * m2 + c, sp.Abs(a) * s2)
assert sp.simplify(kl_after - kl_before) == 0
h_after = h_gauss.subs(sigma, sp.Abs(a) * sigma)
assert sp.simplify(h_after - h_gauss - sp.log(sp.Abs(a))) == 0

A = sp.Matrix(2, 2, sp.symbols("A_{11} A_{12} A_{21} A_{22}", real=True))
Sigma = sp.Matrix(2, 2, sp.symbols("S_{11} S_{12} S_{12} S_{22}", real=True))
assert sp.expand((A * Sigma * A.T).det() - A.det() ** 2 * Sigma.det()) == 0
display(
    Math(
        r"h(AX) - h(X) = \tfrac12\log\frac{\det(A\Sigma A^\top)}{\det\Sigma}"
        r" = \tfrac12\log(\det A)^2 = \log\lvert\det A\rvert, \qquad "
        r"D_{\mathrm{KL}}(p_{aX+c}\,\|\,q_{aX+c}) - D_{\mathrm{KL}}(p_X\,\|\,q_X) = "
        + sp.latex(sp.simplify(kl_after - kl_before))
    )
)

# %% [markdown]
# So a change of units (from metres to centimetres, $a = 100$) adds $\log 100 \approx 4.61$ nats
# to every negative log-density and to the entropy, and leaves every KL divergence, and every
# *difference* of two losses on the same data, unchanged. The cell shows it with
# `gaussian_nll_loss` on data measured in metres and in centimetres.

# %%
heights_m = rng.normal(1.70, 0.08, 1000)
guess_m, guess_var_m = np.full(1000, 1.72), 0.09**2
other_m = np.full(1000, 1.60)
loss_m = float(F.gaussian_nll_loss(guess_m, heights_m, guess_var_m, full=True))
loss_cm = float(
    F.gaussian_nll_loss(100 * guess_m, 100 * heights_m, 100**2 * guess_var_m, full=True)
)
gap_m = float(F.gaussian_nll_loss(other_m, heights_m, guess_var_m, full=True)) - loss_m
gap_cm = (
    float(
        F.gaussian_nll_loss(
            100 * other_m, 100 * heights_m, 100**2 * guess_var_m, full=True
        )
    )
    - loss_cm
)
assert abs(loss_cm - loss_m - math.log(100)) < 1e-9 and abs(gap_cm - gap_m) < 1e-9
print(f"mean NLL, metres:      {loss_m:8.4f} nats")
print(f"mean NLL, centimetres: {loss_cm:8.4f} nats  (+ log 100 = {math.log(100):.4f})")
print(
    f"gap between two predictions: {gap_m:.4f} nats in metres, "
    f"{gap_cm:.4f} in centimetres"
)

# %% [markdown]
# The loss in metres is negative: nothing is wrong, the density of a spread of 9 cm, in
# "per metre", exceeds 1. Report continuous losses with their units (nats per target, *and* the
# units of the target), and compare them only on the same data in the same units.

# %% [markdown]
# (sec-regression-gaussian)=
# ## A Gaussian with fixed spread gives the mean squared error
#
# Take $p(y \mid \mu) = \mathcal N(y; \mu, \sigma^2)$ with $\sigma$ fixed and the model predicting
# the mean $\mu_n$; the result will be the {term}`mean squared error`. The negative
# log-likelihood of one target, with residual $r = y - \mu$, is

# %%
N = sp.Symbol("N", positive=True, integer=True)
S = sp.Symbol("S", positive=True)  # S = sum of squared residuals (not all zero)
var = sp.Symbol("sigma^{2}", positive=True)
r = sp.Symbol("r", real=True)
one_term = sp.expand(sp.expand_log(-sp.log(gauss_pdf.subs(y, mu + r)), force=True))
additive = sp.log(2 * sp.pi * sigma**2) / 2
multiplicative = 1 / (2 * sigma**2)
assert sp.simplify(one_term - (additive + multiplicative * r**2)) == 0
display(
    Math(
        r"-\log\mathcal N(y; \mu, \sigma^2) = "
        + sp.latex(one_term)
        + r" = \underbrace{\tfrac12\log(2\pi\sigma^2)}_{\text{additive}} + "
        r"\underbrace{\frac{1}{2\sigma^2}}_{\text{multiplicative}}(y - \mu)^2"
    )
)

# %% [markdown]
# so the mean negative log-likelihood is
# $\tfrac12\log(2\pi\sigma^2) + \frac{1}{2\sigma^2}\operatorname{MSE}$: an increasing affine
# function of `mse_loss`. Both have the same minimiser, and their gradients differ by the factor
# $1/(2\sigma^2)$, which a learning rate absorbs. The cell checks the relation on random data
# against `F.gaussian_nll_loss(..., full=True)`, for several values of $\sigma$:

# %%
print(f"{'sigma':>6} {'gaussian_nll (full)':>20} {'log(2 pi s^2)/2 + mse/(2 s^2)':>31}")
mu_pred, y_obs = rng.normal(size=50), rng.normal(size=50)
for s in (0.3, 1.0, 2.5):
    lhs = float(F.gaussian_nll_loss(mu_pred, y_obs, s**2, full=True))
    rhs = math.log(2 * math.pi * s**2) / 2 + float(F.mse_loss(mu_pred, y_obs)) / (
        2 * s**2
    )
    assert abs(lhs - rhs) < 1e-12
    print(f"{s:>6} {lhs:>20.6f} {rhs:>31.6f}")

# %% [markdown]
# **The variance that fits best.** If $\sigma^2$ is also a parameter (one value for the whole data
# set), minimise $\tfrac N2\log(2\pi\sigma^2) + S/(2\sigma^2)$, with $S = \sum_n r_n^2$ the sum of
# squared residuals, over $\sigma^2$:

# %%
total_nll = N * sp.log(2 * sp.pi * var) / 2 + S / (2 * var)
critical = sp.solve(sp.diff(total_nll, var), var)
assert critical == [S / N]
curvature = sp.simplify(sp.diff(total_nll, var, 2).subs(var, S / N))
assert curvature.is_positive
display(
    Math(
        r"\frac{\partial}{\partial \sigma^2}\Big(\tfrac N2\log(2\pi\sigma^2)"
        r" + \frac{S}{2\sigma^2}\Big) = 0 \iff \hat\sigma^2 = "
        + sp.latex(critical[0])
        + r", \qquad \text{second derivative } "
        + sp.latex(curvature)
        + " > 0"
    )
)

# %% [markdown]
# The maximum-likelihood variance is the **mean squared residual**, the MSE itself. The cell
# confirms it numerically by minimising `gaussian_nll_loss` over a grid of variances.

# %%
residual_data = rng.normal(0.0, 1.7, 400)
grid_var = np.linspace(0.5, 6.0, 5501)
grid_loss = [
    float(F.gaussian_nll_loss(residual_data, np.zeros(400), v)) for v in grid_var
]
best_var = grid_var[int(np.argmin(grid_loss))]
mse_here = float(F.mse_loss(residual_data, np.zeros(400)))
assert abs(best_var - mse_here) < 1e-3
print(
    f"grid minimiser of gaussian_nll_loss over var: {best_var:.3f};  "
    f"mse_loss: {mse_here:.3f}"
)

# %% [markdown]
# **What the model learns: the conditional mean.** Among all constants $c$, the expected squared
# error $\mathbb{E}[(Y - c)^2]$ is smallest at $c = \mathbb{E}[Y]$, for any distribution of $Y$
# with a finite variance (discrete, a density, or the $N$ targets of a data set, each of weight
# $1/N$). Linearity of expectation gives
# $\mathbb{E}[(Y - c)^2] = \mathbb{E}[Y^2] - 2c\,\mathbb{E}[Y] + c^2$, a quadratic in $c$ whose
# coefficients are two numbers $m_1 = \mathbb{E}[Y]$ and $m_2 = \mathbb{E}[Y^2]$; SymPy
# minimises it with $m_1, m_2$ as symbols, so the result holds for every distribution. The cell
# also checks the expansion for discrete distributions with 2, 3 and 5 values.

# %%
cc = sp.Symbol("c", real=True)
m1, m2 = sp.symbols("m_1 m_2", real=True)
expected_sq = m2 - 2 * cc * m1 + cc**2  # E[(Y - c)^2] by linearity
c_star = sp.solve(sp.diff(expected_sq, cc), cc)
assert c_star == [m1] and sp.diff(expected_sq, cc, 2) == 2
bias_variance = (m2 - m1**2) + (cc - m1) ** 2  # Var(Y) + (c - E[Y])^2
assert sp.expand(expected_sq - bias_variance) == 0
for n_values in (2, 3, 5):
    ys, ps = sp.symbols(f"y_1:{n_values + 1}", real=True), sym.probabilities(n_values)
    direct = sum(p_i * (y_i - cc) ** 2 for p_i, y_i in zip(ps, ys))
    by_moments = expected_sq.subs(
        {
            m1: sum(p * t for p, t in zip(ps, ys)),
            m2: sum(p * t**2 for p, t in zip(ps, ys)),
        }
    )
    assert sp.expand((direct - by_moments).subs(ps[-1], 1 - sum(ps[:-1]))) == 0
display(
    Math(
        r"\mathbb{E}[(Y - c)^2] = "
        + sp.latex(expected_sq)
        + r" = \operatorname{Var}(Y) + (c - \mathbb{E}[Y])^2"
        + r", \qquad \arg\min_c \mathbb{E}[(Y - c)^2] = "
        + sp.latex(c_star[0])
        + r" = \mathbb{E}[Y]"
    )
)

# %% [markdown]
# Applied to the targets that share an input $x$, this says: a flexible enough model trained with
# MSE predicts the **conditional mean** $\mathbb{E}[Y \mid x]$ {cite:p}`bishop2006`.

# %% [markdown]
# (sec-regression-laplace)=
# ## A Laplace distribution gives the absolute error, and the median
#
# The {term}`Laplace distribution`, of density
# $p(y \mid \mu) = \frac{1}{2b}e^{-\lvert y - \mu\rvert/b}$, has a sharp peak
# and exponential tails. Its negative logarithm is again affine in a familiar loss:

# %%
b = sp.Symbol("b", positive=True)
laplace_pdf = sp.exp(-sp.Abs(y - mu) / b) / (2 * b)
# total mass: twice the integral over y >= mu, where |y - mu| = y - mu
assert sp.simplify(2 * sp.integrate(sp.exp(-y / b) / (2 * b), (y, 0, sp.oo))) == 1
neg_log_laplace = sp.expand(sp.expand_log(-sp.log(laplace_pdf), force=True))
assert sp.simplify(neg_log_laplace - (sp.log(2 * b) + sp.Abs(y - mu) / b)) == 0
display(Math(r"-\log \mathrm{Laplace}(y; \mu, b) = " + sp.latex(neg_log_laplace)))

# %%
laplace_sample = rng.laplace(0.3, 0.7, 30)
lhs = float(np.mean(-np.log(np.exp(-np.abs(laplace_sample - 0.3) / 0.7) / 1.4)))
rhs = math.log(1.4) + float(F.l1_loss(np.full(30, 0.3), laplace_sample)) / 0.7
assert abs(lhs - rhs) < 1e-12
print(f"mean Laplace NLL {lhs:.6f} = log(2b) + l1_loss/b = {rhs:.6f}")

# %% [markdown]
# The absolute value has no derivative at 0, so "set the derivative to zero" does not apply. The
# right tool is the {term}`subgradient`: for a convex function $f$, a number $g$ is a subgradient
# at $c$ when $f(c') \ge f(c) + g\,(c' - c)$ for every $c'$, and $c$ minimises $f$ exactly when 0
# is a subgradient there {cite:p}`rockafellar1970`. For $\lvert t\rvert$ the subgradients are
# $\operatorname{sign}(t)$ where $t \ne 0$ and the whole interval $[-1, 1]$ at $t = 0$.
#
# ```{prf:theorem} The absolute error is minimised by a median
# :label: thm-regression-median
# Let $y_1, \dots, y_N$ be real numbers and $f(c) = \sum_n \lvert y_n - c\rvert$. Then $c$
# minimises $f$ if and only if at most $N/2$ of the $y_n$ are smaller than $c$ and at most $N/2$
# are larger, that is, if and only if $c$ is a median. For odd $N$ the minimiser is the middle
# value; for even $N$ it is every point between the two middle values.
# ```
#
# ```{prf:proof}
# Each $\lvert y_n - c\rvert$ is convex in $c$, with subgradients $-1$ when $y_n > c$, $+1$ when
# $y_n < c$ and $[-1, 1]$ when $y_n = c$. The subgradients of a sum of convex functions are the
# sums of their subgradients, so those of $f$ at $c$ form the interval
# $[\,L - G - E,\; L - G + E\,]$, with $L$, $G$ and $E$ the numbers of $y_n$ less than, greater
# than and equal to $c$. It contains 0 if and only if $L \le G + E$ and $G \le L + E$; since
# $L + G + E = N$ these say $L \le N/2$ and $G \le N/2$.
# ```
#
# The cell checks the theorem with `lossbook` on data of odd and even size: the grid minimisers
# of `F.l1_loss` are exactly the points between the two middle values (one point for odd $N$),
# and the grid minimiser of `F.mse_loss` is the mean.

# %%
grid_c = np.linspace(-3, 12, 15001)


def grid_argmins(loss, data):
    values = np.array([float(loss(np.full(data.size, c0), data)) for c0 in grid_c])
    return grid_c[np.isclose(values, values.min(), rtol=0, atol=1e-12)]


for data in (
    np.array([1.0, 2.0, 3.0, 4.0, 100.0]) / 10,
    np.array([0.2, 0.5, 0.9, 2.0]),
):
    l1_min, l2_min = grid_argmins(F.l1_loss, data), grid_argmins(F.mse_loss, data)
    middle = np.sort(data)[(data.size - 1) // 2 : data.size // 2 + 1]
    assert (
        abs(l1_min.min() - middle[0]) < 1e-9 and abs(l1_min.max() - middle[-1]) < 1e-9
    )
    assert abs(l2_min.mean() - data.mean()) < 1e-3
    print(
        f"data {data}: l1 minimisers [{l1_min.min():.3f}, {l1_min.max():.3f}], "
        f"median {np.median(data):.3f};  mse minimiser {l2_min.mean():.3f}, "
        f"mean {data.mean():.3f}"
    )

# %% [markdown]
# **One outlier.** Five measurements $1, 2, 3, 4, 5$ and then the same five with the last one
# mistyped as $500$. The mean follows the typo; the median does not move:

# %%
clean, typo = np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([1.0, 2.0, 3.0, 4.0, 500.0])
print(f"{'data':>20} {'mean (MSE)':>11} {'median (L1)':>12}")
for name, data in (("1 2 3 4 5", clean), ("1 2 3 4 500", typo)):
    print(f"{name:>20} {data.mean():>11.1f} {np.median(data):>12.1f}")
assert np.median(typo) == np.median(clean) and typo.mean() - clean.mean() == 99.0

# %% [markdown]
# A model trained with `l1_loss` learns the **conditional median** of the target: more robust to
# wild targets, and the right answer when the target distribution is skewed and "typical" is
# what is wanted. The price is a gradient of constant size $1/N$ per sample, which does not shrink
# as the fit improves.

# %% [markdown]
# (sec-regression-heteroscedastic)=
# ## Predicting the variance too: the heteroscedastic Gaussian
#
# When the noise depends on the input (a sensor that is less precise in the dark, a price that is
# more volatile for larger houses), the model can output a variance $v_n = \sigma^2_n$ beside the
# mean {cite:p}`nix1994`. The per-target loss drops the constant $\tfrac12\log 2\pi$:
#
# $$
# \ell(\mu, v; y) = \tfrac12\Big(\log v + \frac{(y - \mu)^2}{v}\Big).
# $$
#
# SymPy derives its gradients and the variance at which it is smallest:

# %%
v = sp.Symbol("v", positive=True)
ell = (sp.log(v) + (y - mu) ** 2 / v) / 2
d_mu, d_v = sp.diff(ell, mu), sp.diff(ell, v)
assert sp.simplify(d_mu - (mu - y) / v) == 0
assert sp.simplify(d_v - (1 / v - (y - mu) ** 2 / v**2) / 2) == 0
v_best = sp.solve(d_v, v)
assert len(v_best) == 1 and sp.expand(v_best[0] - (y - mu) ** 2) == 0
display(
    Math(
        r"\frac{\partial\ell}{\partial\mu} = "
        + sp.latex(sp.simplify(d_mu))
        + r", \qquad \frac{\partial\ell}{\partial v} = "
        + r"\frac12\Big(\frac1v - \frac{(y - \mu)^2}{v^2}\Big)"  # asserted above
        + r", \qquad \frac{\partial\ell}{\partial v} = 0 \iff v = (y - \mu)^2"
    )
)

# %% [markdown]
# Two things follow. The mean's gradient is the gradient of $\tfrac12(y - \mu)^2$, divided by
# $v$: a target the model
# declares noisy pulls the mean less. And the variance must stay **positive**: $\log v$ is not
# defined otherwise, and as $v \to 0$ with a zero residual the loss $\tfrac12\log v$ goes to
# $-\infty$, so a model that fits one target exactly can lower its loss without bound by
# shrinking that variance. Networks therefore produce $v$ as $\operatorname{softplus}(s)$ or
# $e^{s}$ of an unconstrained output $s$; by the chain rule the gradient with respect to $s$ is
# $\partial\ell/\partial v$ times $\sigma(s)$ or times $e^{s}$:

# %%
s_out = sp.Symbol("s", real=True)
d_s_exp = sp.simplify(sp.diff(ell.subs(v, sp.exp(s_out)), s_out))
assert sp.simplify(d_s_exp - (1 - (y - mu) ** 2 * sp.exp(-s_out)) / 2) == 0
display(
    Math(r"v = e^{s}: \quad \frac{\partial\ell}{\partial s} = " + sp.latex(d_s_exp))
)

# %% [markdown]
# The derived gradients agree with `lossbook.gradients.gaussian_nll_loss_grad` (which returns the
# gradients with respect to the mean and to the variance) and with finite differences:

# %%
grad_mu_f = sp.lambdify((mu, v, y), d_mu)
grad_v_f = sp.lambdify((mu, v, y), d_v)
mu_c, var_c, y_c = rng.normal(size=6), rng.uniform(0.2, 3.0, 6), rng.normal(size=6)
g_mu, g_var = G.gaussian_nll_loss_grad(mu_c, y_c, var_c, reduction="sum")
fd_var = G.numerical_gradient(
    lambda vv: float(F.gaussian_nll_loss(mu_c, y_c, vv, reduction="sum")), var_c
)
assert np.allclose(g_mu, grad_mu_f(mu_c, var_c, y_c), rtol=1e-12)
assert np.allclose(g_var, grad_v_f(mu_c, var_c, y_c), rtol=1e-12)
assert np.allclose(g_var, fd_var, rtol=1e-6)
print(
    "d loss/d mu and d loss/d var: SymPy = lossbook = finite differences "
    "(6 random targets)"
)

# %% [markdown]
# **PyTorch's `eps` clamp.** `F.gaussian_nll_loss(input, target, var, full=False, eps=1e-6)`
# replaces $v$ by $\max(v, \epsilon)$, so the loss is never below $\tfrac12\log\epsilon$. PyTorch
# clamps a copy of `var` in place under `torch.no_grad()`: the *value* uses the clamped variance,
# but the *gradient* reaching `var` is the gradient at $v = \epsilon$, passed through as if there
# were no clamp (a `max` in the graph would give 0 below $\epsilon$ instead). The table shows it for
# a target that is fitted exactly ($r = 0$) and one that is not ($r = 0.01$):

# %%
print(f"{'var':>8} {'r':>6} {'loss':>9} {'d loss/d var':>14}")
for r_val in (0.0, 0.01):
    for v_val in (1e-3, 1e-6, 1e-9):
        loss_val = float(
            F.gaussian_nll_loss(np.array([r_val]), np.zeros(1), np.array([v_val]))
        )
        _, gv = G.gaussian_nll_loss_grad(
            np.array([r_val]), np.zeros(1), np.array([v_val])
        )
        print(f"{v_val:>8.0e} {r_val:>6} {loss_val:>9.4f} {float(gv[0]):>14.4g}")
clamped_grad = float(
    G.gaussian_nll_loss_grad(np.zeros(1), np.zeros(1), np.array([1e-9]))[1][0]
)
assert math.isclose(clamped_grad, 0.5 / 1e-6, rel_tol=1e-15)

# %% [markdown]
# With $r = 0$ the loss stops at $\tfrac12\log 10^{-6} \approx -6.9078$, but the gradient stays
# $\tfrac1{2\epsilon} = 5 \times 10^{5} > 0$ below the clamp: gradient descent keeps pushing a raw
# variance down, and a variance output that is not made positive by construction soon goes
# negative, where `gaussian_nll_loss` raises "var has negative entry/entries". With $r = 0.01$
# the gradient below the clamp is negative, $\tfrac12(1/\epsilon - r^2/\epsilon^2)$: it pushes
# the variance back up towards $r^2 = 10^{-4}$.
#
# The cell takes gradient steps of size $10^{-12}$ on a raw variance, for the target fitted
# exactly, starting *below* the clamp at $v = 5 \times 10^{-7}$, twice: with PyTorch's clamp,
# which passes the gradient $\tfrac1{2\epsilon}$ through, and with a clamp written as
# $\max(v, \epsilon)$ in the graph (`torch.clamp(var, min=eps)`), which passes no gradient below
# $\epsilon$.

# %%
eps_clamp = 1e-6
passed_var, blocked_var = np.array([5e-7]), np.array([5e-7])
print(
    f"{'step':>4} {'var, PyTorch clamp':>19} {'its loss':>18} {'var, max(v, eps)':>17}"
)
for step_number in range(1, 4):
    _, gv = G.gaussian_nll_loss_grad(np.zeros(1), np.zeros(1), passed_var)
    passed_var = passed_var - 1e-12 * gv
    _, gv_blocked = G.gaussian_nll_loss_grad(np.zeros(1), np.zeros(1), blocked_var)
    # max(v, eps) in the graph: no gradient below eps
    gv_blocked = np.where(blocked_var >= eps_clamp, gv_blocked, 0.0)
    blocked_var = blocked_var - 1e-12 * gv_blocked
    try:
        loss_now = F.gaussian_nll_loss(np.zeros(1), np.zeros(1), passed_var)
        value = f"loss {float(loss_now):.4f}"
    except ValueError as error:
        assert "var has negative entry" in str(error)
        value = "raises ValueError"
    print(
        f"{step_number:>4} {float(passed_var[0]):>+19.3e} {value:>18} "
        f"{float(blocked_var[0]):>17.3e}"
    )
    if passed_var[0] < 0:
        break
assert passed_var[0] < 0 and blocked_var[0] == 5e-7

# %% [markdown]
# With PyTorch's clamp the variance falls by $10^{-12} \cdot \tfrac{1}{2\epsilon} = 5 \times
# 10^{-7}$ per step, reaches 0 and then goes negative, where `gaussian_nll_loss` raises "var has
# negative entry/entries" (as PyTorch's does). With a clamp that passes no gradient the variance
# never moves: below $\epsilon$ its gradient is 0 whatever the residual. Neither is what a model
# wants: make the variance positive by construction (softplus or $e^{s}$).

# %% [markdown]
# (sec-regression-huber)=
# ## Huber and smooth L1: Gaussian in the middle, Laplace in the tails
#
# {cite:t}`huber1964` asked for the location estimate that does best in the worst case when a
# fraction of the data may come from anywhere. The answer minimises
#
# $$
# \rho_\delta(r) = \begin{cases} \tfrac12 r^2 & \lvert r\rvert < \delta \\
# \delta\big(\lvert r\rvert - \tfrac12\delta\big) & \text{otherwise,} \end{cases}
# $$
#
# PyTorch's `huber_loss(delta=δ)`: quadratic for small residuals, linear in the tails, joined so
# that the value and the slope are continuous at $\pm\delta$. Like every loss of this chapter it is
# a negative log-likelihood, of the density $p(r) = e^{-\rho_\delta(r)}/Z_\delta$: a Gaussian
# centre with Laplace tails. SymPy finds the normalising constant $Z_\delta$:

# %%
delta = sp.Symbol("delta", positive=True)
rr = sp.Symbol("r", real=True)
centre = sp.integrate(sp.exp(-(rr**2) / 2), (rr, -delta, delta))
tail = sp.integrate(sp.exp(-delta * (rr - delta / 2)), (rr, delta, sp.oo))
Z = sp.simplify(centre + 2 * tail)
assert (
    sp.simplify(
        Z
        - (
            sp.sqrt(2 * sp.pi) * sp.erf(delta / sp.sqrt(2))
            + 2 * sp.exp(-(delta**2) / 2) / delta
        )
    )
    == 0
)
display(Math(r"Z_\delta = \int e^{-\rho_\delta(r)}\,dr = " + sp.latex(Z)))
z_numeric = mpmath.quad(
    lambda t: mpmath.exp(
        -(t * t / 2 if abs(t) < 1.345 else 1.345 * (abs(t) - 1.345 / 2))
    ),
    [-mpmath.inf, -1.345, 0, 1.345, mpmath.inf],
)
assert abs(float(z_numeric) - float(Z.subs(delta, 1.345))) < 1e-12
print(
    f"Z at delta = 1.345: closed form {float(Z.subs(delta, 1.345)):.10f}, "
    f"quadrature {float(z_numeric):.10f}"
)

# %% [markdown]
# **The influence function.** How much does one target pull the fit? For a location estimate
# minimising $\sum_n \rho(y_n - c)$, the estimating equation is $\sum_n \psi(y_n - c) = 0$ with
# $\psi = \rho'$, and $\psi$ is (up to a constant) the {term}`influence function` of the estimate
# {cite:p}`hampel1974`: the effect of one extra observation at residual $r$. It is the gradient
# a sample sends back to the model.

# %%
rho = sp.Piecewise(
    (rr**2 / 2, sp.Abs(rr) < delta), (delta * (sp.Abs(rr) - delta / 2), True)
)
psi = sp.Piecewise((rr, sp.Abs(rr) < delta), (delta * sp.sign(rr), True))
for point in (sp.Rational(1, 3), sp.Rational(-5, 2), 7, -7):  # residuals on both sides
    d = sp.Rational(3, 2)
    assert sp.diff(rho.subs(delta, d), rr).subs(rr, point) == psi.subs(delta, d).subs(
        rr, point
    )
display(
    Math(
        r"\psi_\delta(r) = \rho_\delta'(r) = "
        + sp.latex(psi)
        + r" = \operatorname{clip}(r, -\delta, \delta), \qquad \lvert\psi_\delta\rvert"
        r" \le \delta"
    )
)
rs = np.linspace(-6, 6, 25)
for d_val in (0.5, 1.0, 2.0):
    assert np.array_equal(
        G.huber_loss_grad(rs, np.zeros(25), reduction="sum", delta=d_val),
        np.clip(rs, -d_val, d_val),
    )
print(
    "G.huber_loss_grad = clip(r, -delta, delta) for delta in 0.5, 1, 2 "
    "(25 residuals each)"
)

# %% [markdown]
# The influence of the squared error is $\psi(r) = r$, unbounded: a target 1000 away pulls 1000
# times harder than one at distance 1. The Huber loss caps the pull at $\delta$, and the absolute
# error at 1 for every residual, however small.
#
# **Smooth L1 is Huber rescaled.** PyTorch's `smooth_l1_loss(beta=β)` is
# $r^2/(2\beta)$ for $\lvert r\rvert < \beta$ and $\lvert r\rvert - \beta/2$ otherwise, the
# version of {cite:t}`girshick2015` with slope 1 in the tails. Dividing Huber's two pieces by
# $\delta$ gives exactly these, so
#
# ```{prf:theorem} Huber and smooth L1
# :label: thm-regression-huber-smooth-l1
# For every $\delta > 0$ and every residual, `huber_loss(x, y, delta=δ)` $=$
# $\delta\cdot$`smooth_l1_loss(x, y, beta=δ)`.
# ```
#
# ```{prf:proof}
# Both use the same branch condition $\lvert r\rvert < \delta$. On it,
# $\tfrac12 r^2 = \delta \cdot r^2/(2\delta)$; off it,
# $\delta(\lvert r\rvert - \tfrac12\delta) = \delta\,(\lvert r\rvert - \delta/2)$. The cell
# checks both branches with SymPy and the identity with `lossbook`.
# ```

# %%
smooth_l1 = sp.Piecewise(
    (rr**2 / (2 * delta), sp.Abs(rr) < delta), (sp.Abs(rr) - delta / 2, True)
)
for branch_h, branch_s in zip(rho.args, smooth_l1.args):
    assert branch_h.cond == branch_s.cond
    assert sp.simplify(branch_h.expr - delta * branch_s.expr) == 0
for d_val in (0.1, 1.0, 4.0):
    res = rng.normal(0, 3 * d_val, 1000)
    h_val = F.huber_loss(res, np.zeros(1000), reduction="none", delta=d_val)
    s_val = F.smooth_l1_loss(res, np.zeros(1000), reduction="none", beta=d_val)
    assert np.allclose(h_val, d_val * s_val, rtol=4 * np.finfo(float).eps, atol=0)
print(
    "huber_loss(delta=d) = d * smooth_l1_loss(beta=d) to rounding (4 eps relative), "
    "d = 0.1, 1, 4, on 1000 residuals each"
)

# %% [markdown]
# So the two differ only in scale: with $\beta = \delta$, smooth L1's gradients are Huber's
# divided by $\delta$. When $\beta \to 0$ smooth L1 becomes the absolute error (PyTorch switches
# to `l1_loss` at `beta=0`), and when $\delta \to \infty$ Huber becomes half the squared error.

# %% [markdown]
# (sec-regression-poisson)=
# ## Counts: the Poisson distribution
#
# For counts (visits per hour, photons per pixel, goals per match) the natural distribution is the
# {term}`Poisson distribution`, $P(Y = y) = \lambda^y e^{-\lambda}/y!$ with rate $\lambda > 0$.
# Its negative log is:

# %%
lam = sp.Symbol("lambda", positive=True)
k = sp.Symbol("y", nonnegative=True, integer=True)
xlog = sp.Symbol("x", real=True)
poisson_nll = sp.expand(
    sp.expand_log(-sp.log(lam**k * sp.exp(-lam) / sp.factorial(k)), force=True)
)
assert sp.simplify(poisson_nll - (lam - k * sp.log(lam) + sp.log(sp.factorial(k)))) == 0
log_input_form = sp.expand(
    poisson_nll.subs(lam, sp.exp(xlog)).subs(sp.log(sp.exp(xlog)), xlog)
)
log_input_form = sp.expand(sp.expand_log(log_input_form, force=True))
assert (
    sp.simplify(log_input_form - (sp.exp(xlog) - k * xlog + sp.log(sp.factorial(k))))
    == 0
)
display(
    Math(
        r"-\log P(y \mid \lambda) = "
        + sp.latex(poisson_nll)
        + r", \qquad \lambda = e^{x}: \ "
        + sp.latex(log_input_form)
    )
)

# %% [markdown]
# The term $\log y!$ does not depend on the model, and PyTorch drops it. `poisson_nll_loss`
# computes $e^{x} - yx$ when `log_input=True` (the default: the input is the **log-rate** $x$) and
# $\lambda - y\log(\lambda + \epsilon)$ when `log_input=False` (the input is the rate). The cell
# checks both against the exact Poisson log-probability, computed with `math.lgamma`:

# %%
counts = np.array([0.0, 1.0, 2.0, 5.0, 20.0])
rates = np.array([0.5, 1.0, 3.0, 4.0, 18.0])
log_fact = np.array([math.lgamma(t + 1) for t in counts])
exact_nll = rates - counts * np.log(rates) + log_fact
from_log = F.poisson_nll_loss(np.log(rates), counts, reduction="none") + log_fact
from_rate = F.poisson_nll_loss(
    rates, counts, log_input=False, eps=0.0, reduction="none"
)
assert np.allclose(from_log, exact_nll, rtol=1e-13) and np.allclose(
    from_rate + log_fact, exact_nll, rtol=1e-13
)
print("poisson_nll_loss + log y! = -log P(y | rate), for log_input=True and False")

# %% [markdown]
# **Which form is stable.** With `log_input=True` every real output is a valid log-rate, the loss
# is convex in it (second derivative $e^{x} > 0$) and its gradient $e^{x} - y$ is bounded below
# by $-y$; the one hazard is $e^{x}$ overflowing (beyond $x \approx 709$ in float64, $88.7$ in
# float32), far from any sensible rate. With `log_input=False` the model must output a
# non-negative rate (a softplus), and the gradient $1 - y/(\lambda + \epsilon)$ is
# $-y/\epsilon = -10^{8}\,y$ at a zero rate:

# %%
for log_input, x_val in ((True, math.log(1e-8)), (False, 0.0)):
    g = float(
        G.poisson_nll_loss_grad(
            np.array([x_val]), np.array([3.0]), log_input=log_input, reduction="sum"
        )[0]
    )
    print(
        f"log_input={log_input!s:5}  input {x_val:9.4f}  (rate 1e-8 or 0)  "
        f"gradient {g:.4g}"
    )
assert (
    float(
        G.poisson_nll_loss_grad(
            np.zeros(1), np.array([3.0]), log_input=False, reduction="sum"
        )[0]
    )
    == 1 - 3.0 / 1e-8
)
for dtype in (np.float64, np.float32):
    overflow_at = math.log(float(np.finfo(dtype).max))
    inside = F.poisson_nll_loss(
        np.array([overflow_at - 0.01], dtype), np.zeros(1, dtype)
    )
    outside = F.poisson_nll_loss(
        np.array([overflow_at + 0.01], dtype), np.zeros(1, dtype)
    )
    assert np.isfinite(inside) and np.isinf(outside)
    print(
        f"{np.dtype(dtype).name}: e^x overflows beyond x = log(max) = {overflow_at:.2f}"
    )

# %% [markdown]
# Prefer `log_input=True` and let the model output the log-rate.
#
# **The Stirling term.** With `full=True`, PyTorch adds back an approximation of $\log y!$, the
# leading terms of {term}`Stirling's approximation`
# $\log y! \approx y\log y - y + \tfrac12\log(2\pi y)$, and only where $y > 1$ (for $y = 0$ and
# $y = 1$, $\log y! = 0$ exactly). SymPy confirms that the error of the approximation behaves like
# $1/(12y)$ for large $y$; the table measures it with mpmath and asserts Robbins's bounds
# $\frac{1}{12y + 1} < \log y! - \big(y\log y - y + \tfrac12\log(2\pi y)\big) < \frac{1}{12y}$,
# which hold for every integer $y \ge 1$ {cite:p}`robbins1955`.

# %%
stirling = k * sp.log(k) - k + sp.log(2 * sp.pi * k) / 2
big = sp.Symbol("Y", positive=True)
error_series = sp.series(sp.loggamma(big + 1) - stirling.subs(k, big), big, sp.oo, 3)
assert sp.simplify(error_series.removeO() - 1 / (12 * big)) == 0
display(
    Math(
        r"\log y! - \Big(y\log y - y + \tfrac12\log(2\pi y)\Big) = "
        + sp.latex(sp.simplify(error_series.removeO()).subs(big, k))
        + r" + O\big(y^{-3}\big)"
    )
)
print(
    f"{'y':>5} {'full - plain':>14} {'log y! (mpmath)':>16} {'difference':>11} "
    f"{'1/(12y)':>9}"
)
for t in (0.0, 1.0, 2.0, 5.0, 20.0, 100.0):
    added = float(
        F.poisson_nll_loss(np.zeros(1), np.array([t]), full=True)
        - F.poisson_nll_loss(np.zeros(1), np.array([t]))
    )
    exact_log_fact = float(mpmath.loggamma(t + 1))
    if t > 1:
        assert 1 / (12 * t + 1) < exact_log_fact - added < 1 / (12 * t)
    else:
        assert added == 0
    approx_col = "" if t <= 1 else f"{1 / (12 * t):>9.5f}"
    print(
        f"{t:>5.0f} {added:>14.6f} {exact_log_fact:>16.6f} "
        f"{exact_log_fact - added:>11.5f} {approx_col}"
    )

# %% [markdown]
# With `full=True` the loss is the true Poisson negative log-likelihood to within $1/(12y)$ for
# integer counts $y \ge 2$ (the table asserts it for $y = 2, 5, 20, 100$) and exactly for integer
# counts $y \in \{0, 1\}$; the term depends on the target only, so it changes the value but never
# the gradient.

# %% [markdown]
# (sec-regression-figure)=
# ## One data set, three losses
#
# Here is the whole chapter in one picture. Eighty points follow the line $y = 1.5x + 0.5$ with
# Gaussian noise of standard deviation 0.3, and eight of them (10 %) are replaced by outliers far
# above the line. A line $\hat y = wx + c$ is fitted by minimising `mse_loss`, `l1_loss` and
# `huber_loss(delta=0.5)`, each by (sub)gradient descent with the gradients of
# `lossbook.gradients` and the chain rule $\partial L/\partial w = \sum_n g_n x_n$,
# $\partial L/\partial c = \sum_n g_n$.

# %%
n_points = 80
x_data = np.sort(rng.uniform(0, 4, n_points))
y_data = 1.5 * x_data + 0.5 + rng.normal(0, 0.3, n_points)
outliers = rng.choice(n_points, 8, replace=False)
y_data[outliers] += rng.uniform(4, 8, 8)
design = np.column_stack([x_data, np.ones(n_points)])


def fit(grad_fn, steps=6000, rate=0.1, decay=False):
    """Fit (w, c) by gradient descent; grad_fn(prediction, target) is a lossbook
    gradient."""
    theta = np.zeros(2)
    for t in range(steps):
        g = grad_fn(design @ theta, y_data)
        step = rate / math.sqrt(t + 1) if decay else rate
        theta = theta - step * (design.T @ g)
    return theta


fits = {
    "MSE": fit(G.mse_loss_grad),
    "L1": fit(G.l1_loss_grad, steps=20000, rate=1.0, decay=True),
    "Huber (delta = 0.5)": fit(
        lambda p, t: G.huber_loss_grad(p, t, delta=0.5), rate=0.2
    ),
}
lstsq = np.linalg.lstsq(design, y_data, rcond=None)[0]
assert np.allclose(fits["MSE"], lstsq, atol=1e-8)
huber_grad = design.T @ G.huber_loss_grad(
    design @ fits["Huber (delta = 0.5)"], y_data, delta=0.5
)
assert np.max(np.abs(huber_grad)) < 1e-8
# The exact L1 line passes through two data points (a vertex of the linear programme):
# search all pairs, and check that subgradient descent came within 1e-3 of its loss.
i_idx, j_idx = np.triu_indices(n_points, 1)
pair_w = (y_data[j_idx] - y_data[i_idx]) / (x_data[j_idx] - x_data[i_idx])
pair_c = y_data[i_idx] - pair_w * x_data[i_idx]
pair_l1 = np.mean(
    np.abs(y_data[None, :] - (pair_w[:, None] * x_data + pair_c[:, None])), axis=1
)
l1_exact = float(pair_l1.min())
assert 0 <= float(F.l1_loss(design @ fits["L1"], y_data)) - l1_exact < 1e-3
print(f"{'loss':>20} {'slope w':>8} {'intercept c':>12}   (truth: 1.5, 0.5)")
for name, (w_fit, c_fit) in fits.items():
    print(f"{name:>20} {w_fit:>8.3f} {c_fit:>12.3f}")

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels. Left: a scatter of 80 points along a rising line with eight outliers far above it, and three fitted lines: the mean-squared-error line is pulled up towards the outliers, while the L1 and Huber lines run through the bulk of the points, close to the true line y = 1.5x + 0.5. Right: histograms of the residuals of each fit; the L1 and Huber residuals are centred at 0 with a separate cluster of large positive residuals for the outliers, while the MSE residuals of the inliers are shifted below 0."}}
colours = [lbplot.PALETTE.vermillion, lbplot.PALETTE.blue, lbplot.PALETTE.bluish_green]
fig, (ax_fit, ax_res) = plt.subplots(1, 2, figsize=(10, 3.9))
inlier = np.ones(n_points, bool)
inlier[outliers] = False
ax_fit.scatter(x_data[inlier], y_data[inlier], s=14, color="0.45", label="data")
ax_fit.scatter(
    x_data[~inlier], y_data[~inlier], s=22, marker="x", color="0.1", label="outliers"
)
line_x = np.array([0.0, 4.0])
for (name, (w_fit, c_fit)), colour in zip(fits.items(), colours):
    ax_fit.plot(line_x, w_fit * line_x + c_fit, color=colour, lw=2, label=name)
ax_fit.plot(line_x, 1.5 * line_x + 0.5, color="0.2", lw=1, ls=":", label="truth")
lbplot.label_axes(ax_fit, "input x (arbitrary units)", "target y (arbitrary units)")
ax_fit.legend(fontsize=8)
bins = np.linspace(-2, 8, 41)
for (name, theta), colour in zip(fits.items(), colours):
    ax_res.hist(
        y_data - design @ theta,
        bins=bins,
        histtype="step",
        lw=2,
        color=colour,
        label=name,
    )
ax_res.axvline(0, color="0.3", lw=0.8)
lbplot.label_axes(ax_res, "residual y - prediction (units of y)", "number of points")
ax_res.legend(fontsize=8)
plt.show()

# %% [markdown]
# The squared error gives the outliers a pull proportional to their residual, so its line is
# dragged up and the *inliers'* residuals are shifted below 0 (their median, computed below, is
# about $-0.49$): the outliers have corrupted the fit for everyone. The absolute error and the Huber loss cap each point's pull (at 1 and at
# $\delta$), and their lines run through the bulk of the data; their residual histograms show
# the outliers as a separate cluster, which is where a reader wants to find them.

# %%
inlier_median = {
    name: float(np.median((y_data - design @ th)[inlier])) for name, th in fits.items()
}
for name, value in inlier_median.items():
    print(f"median residual of the 72 inliers, {name:>20}: {value:+.3f}")
assert inlier_median["MSE"] < -0.3 < inlier_median["Huber (delta = 0.5)"]
assert abs(inlier_median["L1"]) < 0.15

# %% [markdown]
# (sec-regression-pytorch)=
# ## In PyTorch
#
# | `torch.nn.functional` | computes (per element) | options to watch |
# |---|---|---|
# | `mse_loss(input, target, reduction='mean', weight=None)` | $(x - y)^2$ | shapes must match; `weight` 'mean' divides by $\sum w$ |
# | `l1_loss(input, target, reduction='mean', weight=None)` | $\lvert x - y\rvert$ | gradient $\operatorname{sign}(x - y)$, 0 at 0 |
# | `smooth_l1_loss(input, target, reduction='mean', beta=1.0)` | $r^2/2\beta$ or $\lvert r\rvert - \beta/2$ | `beta=0` is `l1_loss`; $\beta < 0$ is an error |
# | `huber_loss(input, target, reduction='mean', delta=1.0, weight=None)` | $\tfrac12 r^2$ or $\delta(\lvert r\rvert - \delta/2)$ | $\delta > 0$; equals $\delta\cdot$ smooth L1 |
# | `gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean')` | $\tfrac12(\log v + r^2/v)$ | `var` is a **variance**; clamp at `eps` |
# | `poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction='mean')` | $e^{x} - yx$ or $x - y\log(x + \epsilon)$ | `log_input` says what the input is |
#
# `gaussian_nll_loss` accepts a `var` of the shape of `input`; or that shape without its last
# dimension (one variance per row); or that shape with exactly one dimension of size 1; or a
# Python float for all. Anything else raises "var is of incorrect size". The cell shows which
# shapes `lossbook` (which follows the same rules) accepts for an input of shape $(4, 3)$.

# %%
x43, y43 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
for shape in [(4, 3), (4,), (4, 1), (1, 3), (3,), (1, 1)]:
    try:
        F.gaussian_nll_loss(x43, y43, np.ones(shape))
        verdict = "accepted"
    except ValueError as error:
        verdict = str(error).split(":")[0]
    print(f"var of shape {str(shape):7}: {verdict}")

# %% [markdown]
# `lossbook` follows PyTorch's names, defaults, shapes, nan/inf patterns and type promotion (a
# float32 input with a float64 target gives float64, as in PyTorch; `huber_loss` keeps the
# dtype of `input`, as PyTorch's does), and in float16 `mse_loss`, `l1_loss`, `smooth_l1_loss`
# and `huber_loss` equal PyTorch bit for bit. Its deliberate differences, each stated in the
# function's docstring and pinned by a test:
#
# - arrays of different shapes raise `ValueError` (PyTorch broadcasts them, see the first
#   mistake below);
# - a negative `eps` raises (PyTorch accepts it), and an infinite `beta` raises (PyTorch
#   returns zeros);
# - `gaussian_nll_loss` accepts a Python `int` variance (PyTorch: `TypeError`) and an integer
#   `var` array (PyTorch: `RuntimeError`); a nan variance given as a number raises `ValueError`
#   (a nan inside an array gives nan, as in PyTorch);
# - arrays that are all integers give float64 (PyTorch raises for most losses, and gives float32
#   for `poisson_nll_loss`);
# - the two NLLs are computed in the promoted dtype, in float32 for float16, and rounded once;
#   PyTorch evaluates them op by op in each operand's dtype (in float16, `eps = 1e-8` rounds to
#   0, so a zero rate gives inf, or nan for a zero count);
# - `poisson_nll_loss(log_input=False)` computes $\log(x + \epsilon)$ as
#   `log1p((x - 1) + eps)` near $x = 1$, more accurate than PyTorch's `log(x + eps)` (the results
#   differ only for huge targets).
#
# The cell shows the promotion and the float16 rounding, against numbers worked by hand: in
# float16, $1 - 2^{-12}$ lies halfway between $1 - 2^{-11}$ and $1$ and rounds to $1$, so
# PyTorch's (and lossbook's) squared error of $1$ against $2^{-12}$ is $1$, not
# $(1 - 2^{-12})^2$.

# %%
x32, y64 = np.array([0.5, 1.5], np.float32), np.array([0.0, 1.0])
promoted = F.mse_loss(x32, y64)
kept = F.huber_loss(x32, y64)
assert promoted.dtype == np.float64 and kept.dtype == np.float32
one16, tiny16 = np.array([1.0], np.float16), np.array([2.0**-12], np.float16)
sq16 = F.mse_loss(one16, tiny16, reduction="none")
assert np.float16(1 - 2.0**-12) == 1.0 and sq16[0] == 1.0
print(f"mse_loss(float32, float64) -> {promoted.dtype};  huber_loss -> {kept.dtype}")
print(
    f"float16: mse_loss(1, 2**-12) = {sq16[0]} "
    f"(exact (1 - 2**-12)^2 = {(1 - 2**-12) ** 2:.6f})"
)

# %% [markdown]
# (sec-regression-mistakes)=
# ## Mistakes and their fingerprints
#
# **1. `mse_loss` of predictions of shape $(N, 1)$ against targets of shape $(N,)$.** A model
# with one output unit returns a column; the targets are a flat vector. PyTorch warns ("Using a
# target size that is different to the input size") and broadcasts both to $N \times N$, so the
# loss is the mean over **every prediction against every target**:
# $\frac{1}{N^2}\sum_{i, j}(x_i - y_j)^2$. How wrong is that? For each prediction $x_i$, the
# mean over $j$ of $(x_i - y_j)^2$ is $\mathbb{E}[(Y - x_i)^2]$ for $Y$ drawn uniformly from the
# $N$ targets, which the identity $\mathbb{E}[(Y - c)^2] = \operatorname{Var}(Y) +
# (c - \mathbb{E}[Y])^2$ proved above splits into $(x_i - \bar y)^2 + \operatorname{var}(y)$.
# Averaging over $i$ gives, for every $N$,
#
# $$
# \frac{1}{N^2}\sum_{i,j}(x_i - y_j)^2 = \frac1N\sum_i (x_i - \bar y)^2 + \operatorname{var}(y),
# \qquad \operatorname{var}(y) = \frac1N\sum_j (y_j - \bar y)^2.
# $$
#
# **The broadcast loss ignores which prediction goes with which target**, so it is minimised by
# predicting $\bar y$ everywhere, where it equals $\operatorname{var}(y)$. Comparing it with the
# correct loss $\frac1N\sum_i (x_i - y_i)^2$ needs only the means $A = \overline{x^2}$,
# $B = \overline{y^2}$, $C = \overline{xy}$, $\bar x$ and $\bar y$ (by linearity of the mean, the
# broadcast loss is $A - 2\bar x\bar y + B$ and the correct one $A - 2C + B$): SymPy shows that
# both forms agree and that the broadcast loss exceeds the correct one by
# $2\operatorname{cov}(x, y) = 2(C - \bar x\bar y)$, for any $N$. The cell then checks both
# identities on numbers for several $N$.

# %%
mA, mB, mC, x_m, y_m = sp.symbols(r"A B C \bar{x} \bar{y}", real=True)
broadcast_m = mA - 2 * x_m * y_m + mB  # (1/N^2) sum_ij (x_i^2 - 2 x_i y_j + y_j^2)
per_prediction = (mA - 2 * x_m * y_m + y_m**2) + (
    mB - y_m**2
)  # mean (x - ybar)^2 + var y
correct_m = mA - 2 * mC + mB
assert sp.expand(broadcast_m - per_prediction) == 0
assert sp.expand(broadcast_m - correct_m - 2 * (mC - x_m * y_m)) == 0
for n_check in (1, 2, 7, 300):
    xs_n, ys_n = rng.normal(size=n_check), rng.normal(size=n_check)
    table = np.mean((xs_n[:, None] - ys_n[None, :]) ** 2)
    assert math.isclose(
        table, np.mean((xs_n - ys_n.mean()) ** 2) + ys_n.var(), rel_tol=1e-12
    )
    cov_n = np.mean((xs_n - xs_n.mean()) * (ys_n - ys_n.mean()))
    assert math.isclose(table, np.mean((xs_n - ys_n) ** 2) + 2 * cov_n, rel_tol=1e-12)
print("broadcast = mean (x_i - ybar)^2 + var(y) = correct + 2 cov(x, y): for every N")
print("(SymPy, in the five means), and on numbers for N = 1, 2, 7, 300")

targets = rng.normal(2.0, 1.0, 200)
predictions = targets + rng.normal(0, 0.3, 200)  # a good model
try:
    F.mse_loss(predictions[:, None], targets)
except ValueError as error:
    print("lossbook refuses:", error)


def broadcast_mse(pred):
    """PyTorch's value for pred of shape (N, 1) against targets of shape (N,)."""
    return float(np.mean((pred[:, None] - targets[None, :]) ** 2))


spread = float(np.mean((predictions - targets.mean()) ** 2))
assert math.isclose(broadcast_mse(predictions), spread + targets.var(), rel_tol=1e-12)
constant = np.full(200, targets.mean())
shuffled = rng.permutation(predictions)  # the same predictions, paired at random
assert math.isclose(broadcast_mse(constant), targets.var(), rel_tol=1e-12)
assert math.isclose(broadcast_mse(shuffled), broadcast_mse(predictions), rel_tol=1e-12)
assert broadcast_mse(constant) < broadcast_mse(predictions)
print(f"{'predictions':>28} {'correct mse':>12} {'broadcast mse':>14}")
for name, pred in (
    ("good model", predictions),
    ("same values, shuffled", shuffled),
    ("constant mean of y", constant),
):
    print(
        f"{name:>28} {float(F.mse_loss(pred, targets)):>12.4f} "
        f"{broadcast_mse(pred):>14.4f}"
    )
print(
    f"good model: broadcast {broadcast_mse(predictions):.4f} = mean (x - ybar)^2 "
    f"{spread:.4f} + var(y) {targets.var():.4f}"
)

# %% [markdown]
# *Fingerprint*: the training loss of a good model is about twice the variance of the targets
# instead of small, and it does not change when the predictions are shuffled. Training
# minimises $\frac1N\sum_i (x_i - \bar y)^2$, so it drives the model towards predicting the
# constant $\bar y$ for every input, where the loss plateaus at $\operatorname{var}(y)$. Fix:
# `pred.squeeze(-1)` or targets of shape $(N, 1)$.
#
# **2. A standard deviation passed where `gaussian_nll_loss` expects a variance.** A model with a
# "sigma head" passes its output $s$ as `var`. The loss is then minimised at
# $s = \mathbb{E}[r^2] = \sigma^2$ (see the gradient above): the head learns the variance, and
# whoever reads it as a standard deviation reports $\sigma^2$ instead of $\sigma$. Prediction
# intervals come out too narrow when $\sigma < 1$ and too wide when $\sigma > 1$:

# %%
print(f"{'true sigma':>10} {'learned sigma head':>21} {'read as sigma, ratio':>21}")
for true_sd in (0.1, 0.5, 2.0):
    noise = rng.normal(0, true_sd, 20_000)
    candidates = np.geomspace(1e-3, 10, 4001)
    losses = [
        float(F.gaussian_nll_loss(np.zeros_like(noise), noise, s)) for s in candidates
    ]
    learned = candidates[int(np.argmin(losses))]
    assert abs(learned / true_sd**2 - 1) < 0.05
    print(f"{true_sd:>10} {learned:>21.4f} {learned / true_sd:>21.3f}")

# %% [markdown]
# *Fingerprint*: the predicted "standard deviations" are the squares of the empirical ones (check
# `pred_sigma` against the RMS residual: they agree only near 1). Fix: pass `sigma**2`, or better
# output a log-variance $s$ and pass `var=torch.exp(s)`.
#
# **3. `poisson_nll_loss` with `log_input` set wrongly.** The default is `log_input=True`: the
# input is read as a **log**-rate. A model whose last layer is a softplus (a rate) trained with
# the default minimises $e^{\lambda} - y\lambda$, whose minimiser is $\lambda = \log y$, not $y$.
# The other way round, a log-rate output with `log_input=False` minimises
# $x - y\log(x + \epsilon)$ at $x = y$ (and gives nan for $x < -\epsilon$), so the "log-rate"
# head learns the rate and `exp` of it predicts $e^{y}$. The cell finds the minimisers for a
# constant prediction on counts with mean 6:

# %%
count_data = rng.poisson(6.0, 5000).astype(float)
mean_count = count_data.mean()
grid_x = np.linspace(0.05, 12, 23_901)
rate_fit = [
    float(F.poisson_nll_loss(np.full(5000, g), count_data)) for g in grid_x[::10]
]
as_rate_default = grid_x[::10][int(np.argmin(rate_fit))]
log_fit = [
    float(F.poisson_nll_loss(np.full(5000, g), count_data, log_input=False))
    for g in grid_x[::10]
]
as_log_false = grid_x[::10][int(np.argmin(log_fit))]
assert abs(as_rate_default - math.log(mean_count)) < 0.01
assert abs(as_log_false - mean_count) < 0.01
print(f"mean count {mean_count:.3f}")
print(
    f"rate output, default log_input=True: learns {as_rate_default:.3f} "
    f"= log(mean) {math.log(mean_count):.3f}"
)
print(
    f"log-rate output, log_input=False: learns {as_log_false:.3f} = mean; "
    f"exp() predicts {math.exp(as_log_false):.1f}"
)

# %% [markdown]
# *Fingerprint*: predicted counts are the **logarithm** of the observed ones (mean 6 predicted as
# about 1.8), or their exponential (about 400). Fix: set `log_input` to say what the model
# outputs; prefer a log-rate output with `log_input=True`.

# %% [markdown]
# (sec-regression-summary)=
# ## Summary
#
# - A regression loss is a choice of distribution for the target: the loss is its negative
#   log-likelihood, the sum over independent targets of $-\log p(y_n \mid \theta_n)$.
# - Continuous losses are negative log-**densities**: they carry the units of the target, can be
#   negative, and shift by $\log\lvert\det A\rvert$ under a change of units $y \mapsto Ay + b$,
#   while KL divergences and differences of losses do not change
#   ({prf:ref}`thm-regression-change-of-variables`).
# - Gaussian with fixed $\sigma$: mean NLL $= \tfrac12\log(2\pi\sigma^2) + \mathrm{MSE}/(2\sigma^2)$;
#   the best $\sigma^2$ is the MSE; the best prediction is the conditional mean.
# - Laplace: the absolute error; the best prediction is a median
#   ({prf:ref}`thm-regression-median`), unmoved by one outlier.
# - Heteroscedastic Gaussian: gradients $(\mu - y)/v$ and $\tfrac12(1/v - r^2/v^2)$; the variance
#   must be made positive; PyTorch's `eps` clamp bounds the loss but passes the gradient through.
# - Huber: Gaussian centre, Laplace tails, bounded influence $\operatorname{clip}(r, -\delta,
#   \delta)$, and `huber_loss(delta=δ) = δ · smooth_l1_loss(beta=δ)`
#   ({prf:ref}`thm-regression-huber-smooth-l1`).
# - Poisson: $e^{x} - yx$ for a log-rate (stable, the default) or $\lambda - y\log(\lambda +
#   \epsilon)$ for a rate; `full=True` adds Stirling's $\log y!$ where $y > 1$.

# %% [markdown]
# ## Exercises
#
# ```{exercise} The scale of a Laplace distribution
# :label: ex-regression-1
# For residuals $r_1, \dots, r_N$ under a Laplace distribution with scale $b$, derive the
# maximum-likelihood $b$. Check it numerically: minimise $\log(2b) + \texttt{l1\_loss}/b$ over a
# grid of $b$ for a seeded sample, and compare with your formula.
# ```
#
# ```{solution-start} ex-regression-1
# :class: dropdown
# ```
#
# The mean NLL is $\log 2b + \frac1N\sum_n\lvert r_n\rvert / b$; its derivative in $b$ vanishes at
# the **mean absolute residual**, which is what `l1_loss` returns:

# %%
mean_abs = sp.Symbol("M", positive=True)
laplace_mean_nll = sp.log(2 * b) + mean_abs / b
b_hat = sp.solve(sp.diff(laplace_mean_nll, b), b)
assert b_hat == [mean_abs]
sample_l = rng.laplace(0.0, 0.8, 2000)
l1_value = float(F.l1_loss(sample_l, np.zeros(2000)))
b_grid = np.linspace(0.3, 2.0, 17001)
b_best = b_grid[int(np.argmin(np.log(2 * b_grid) + l1_value / b_grid))]
assert abs(b_best - l1_value) < 1e-4
print(
    f"b_hat = {sp.latex(b_hat[0])} (mean |r|): l1_loss = {l1_value:.4f}, "
    f"grid minimiser {b_best:.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Differential entropy of a Laplace distribution
# :label: ex-regression-2
# Compute $h$ of $\mathrm{Laplace}(0, b)$ with SymPy. For which $b$ is it negative? Check the
# change-of-variables rule of {prf:ref}`thm-regression-change-of-variables` for $Y = aX$.
# ```
#
# ```{solution-start} ex-regression-2
# :class: dropdown
# ```

# %%
lap0 = sp.exp(-y / b) / (
    2 * b
)  # the density on y >= 0; the other half is its mirror image
h_laplace = sp.simplify(
    2 * sp.integrate(lap0 * sp.expand_log(-sp.log(lap0), force=True), (y, 0, sp.oo))
)
assert sp.simplify(h_laplace - (1 + sp.log(2 * b))) == 0
b_zero = sp.solve(sp.Eq(h_laplace, 0), b)
assert b_zero == [sp.exp(-1) / 2]
scaled = h_laplace.subs(b, sp.Abs(a) * b)
assert (
    sp.simplify(sp.expand_log(scaled - h_laplace - sp.log(sp.Abs(a)), force=True)) == 0
)
display(
    Math(
        r"h(\mathrm{Laplace}(0, b)) = "
        + sp.latex(h_laplace)
        + r" < 0 \iff b < "
        + sp.latex(b_zero[0])
        + rf" \approx {float(b_zero[0]):.4f}"
    )
)

# %% [markdown]
# $aX$ is Laplace with scale $\lvert a\rvert b$, so its entropy is $1 + \log(2\lvert a\rvert b)
# = h(X) + \log\lvert a\rvert$, as the theorem says.
#
# ```{solution-end}
# ```
#
# ```{exercise} The broadcast mistake with a perfect model
# :label: ex-regression-3
# A model predicts every target exactly, but its output has shape $(N, 1)$ and the targets
# $(N,)$. What loss does PyTorch's `mse_loss` report? Check with the seeded targets of the
# mistakes section.
# ```
#
# ```{solution-start} ex-regression-3
# :class: dropdown
# ```
#
# With $x = y$ the correct loss is 0 and $\operatorname{cov}(y, y) = \operatorname{var}(y)$, so the
# broadcast loss is $2\operatorname{var}(y)$:

# %%
perfect = float(np.mean((targets[:, None] - targets[None, :]) ** 2))
assert abs(perfect - 2 * targets.var()) < 1e-10
print(
    f"broadcast loss of a perfect model {perfect:.4f} = "
    f"2 var(y) = {2 * targets.var():.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} A constant log-rate, and all-zero counts
# :label: ex-regression-4
# (a) Show that the constant log-rate $x$ minimising the mean of `poisson_nll_loss(x, y)` is
# $\log\bar y$, and check it with `lossbook.gradients.poisson_nll_loss_grad`. (b) What happens
# when every count is 0?
# ```
#
# ```{solution-start} ex-regression-4
# :class: dropdown
# ```
#
# (a) The derivative of $\frac1N\sum_n (e^{x} - y_n x)$ is $e^{x} - \bar y$, zero at
# $x = \log\bar y$, and the second derivative $e^{x}$ is positive. (b) With $\bar y = 0$ the
# derivative $e^{x}$ is positive everywhere: there is no minimiser, and gradient descent drives
# the log-rate to $-\infty$ (the loss tends to 0 without reaching it).

# %%
x_const = sp.Symbol("x", real=True)
y_bar = sp.Symbol("ybar", positive=True)
assert sp.solve(sp.diff(sp.exp(x_const) - y_bar * x_const, x_const), x_const) == [
    sp.log(y_bar)
]
at_opt = G.poisson_nll_loss_grad(np.full(5000, math.log(mean_count)), count_data)
assert abs(float(np.sum(at_opt))) < 1e-12
print("the gradient of the mean loss at x = log(mean count) is 0 (to 1e-12)")
zeros = np.zeros(10)
for x_val in (0.0, -5.0, -20.0):
    loss_z = float(F.poisson_nll_loss(np.full(10, x_val), zeros))
    print(f"all-zero counts, log-rate {x_val:6.1f}: loss {loss_z:.3e}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Huber between the mean and the median
# :label: ex-regression-5
# For the data $1, 2, 3, 4, 500$ find the constant $c$ minimising the Huber loss with
# $\delta = 1$, and explain the value with the influence function.
# ```
#
# ```{solution-start} ex-regression-5
# :class: dropdown
# ```
#
# At the minimiser $\sum_n \psi(y_n - c) = 0$, with $\psi = \operatorname{clip}(\cdot, -1, 1)$.
# The cell minimises the loss on a grid, for the data with the typo and for the clean data
# $1, \dots, 5$, and evaluates the balance $\sum_n \psi(y_n - c)$ at the minimiser:

# %%
c_grid = np.linspace(0, 10, 10_001)
for name, data in (("1 2 3 4 500", typo), ("1 2 3 4 5", clean)):
    values = [
        float(F.huber_loss(np.full(5, c0), data, reduction="sum")) for c0 in c_grid
    ]
    c_huber = c_grid[int(np.argmin(values))]
    contributions = np.clip(data - c_huber, -1, 1)
    assert abs(c_huber - 3.0) < 1e-9 and abs(float(contributions.sum())) < 1e-9
    print(
        f"data {name:>12}: Huber minimiser {c_huber:.3f}; "
        f"contributions {contributions}; "
        f"mean {data.mean():.0f}"
    )

# %% [markdown]
# In both cases the minimiser is $c = 3$, the median, with contributions $-1, -1, 0, 1, 1$: the
# value 500 pulls with $\psi = \delta = 1$, exactly as hard as the value 5 (or 4) does, because
# its residual is clipped. The mean moves from 3 to 102; the Huber estimate does not move at all.
#
# ```{solution-end}
# ```

# %% [markdown]
# ## References
#
# - {cite:t}`prince2023`, chapter 5: the recipe "choose a distribution, minimise its negative
#   log-likelihood", for regression and classification.
# - {cite:t}`bishop2006`, sections 1.2.4 and 1.5.5: the Gaussian likelihood and the conditional
#   mean as the minimiser of the expected squared error.
# - {cite:t}`cover2006`, chapter 8: differential entropy and its behaviour under changes of
#   variables.
# - {cite:t}`huber1964`: the Huber loss as the minimax location estimate.
# - {cite:t}`hampel1974`: the influence function.
# - {cite:t}`girshick2015`: smooth L1 in object detection.
# - {cite:t}`nix1994`: predicting the variance as well as the mean.
# - {cite:t}`rockafellar1970`: subgradients and the optimality condition of convex functions.
# - {cite:t}`mccullagh1989`: Poisson regression with the log link.
# - {cite:t}`robbins1955`: two-sided bounds on the error of Stirling's approximation.
