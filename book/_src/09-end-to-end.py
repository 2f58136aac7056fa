# %% [markdown]
# # One model, end to end
#
# The chapters so far took the losses apart one at a time: what the {term}`cross-entropy`
# measures, why it is a {term}`negative log-likelihood`, what its {term}`gradient` looks like, how
# to compute it without overflow, and how it goes wrong. This chapter puts the pieces back together
# on one small problem and follows it from the data to a trained model. **What happens, number by
# number, when a classifier is trained with these losses?**
#
# The model is {term}`softmax regression` (multinomial logistic regression): a linear map from two
# input features to three {term}`logit`s, followed by a {term}`softmax`. It is the last layer of
# every classification network, used on its own.
#
# **In this chapter** you will
#
# 1. make a seeded synthetic data set whose true class probabilities we know exactly, and prove
#    that they are a softmax of linear logits;
# 2. derive the gradient of each loss with respect to the weights with SymPy, and check it against
#    `lossbook.gradients` and against {term}`finite differences` *before* training with it;
# 3. train by {term}`gradient descent`, and watch the loss fall and the decision regions form;
# 4. read the trained loss as a cross-entropy to the {term}`empirical distribution`, and compare it
#    with the best that any model could do;
# 5. change the loss ({term}`label smoothing`, {term}`class weight`s, one-vs-rest
#    {term}`binary cross-entropy`, squared error) and measure what changes;
# 6. write the same training loop in PyTorch.
#
# Everything runs in NumPy with `lossbook.functional` (imported as `F`: the same calls as
# `torch.nn.functional`) and `lossbook.gradients` (as `G`).
#
# **You need**
#
# - cross-entropy, its softmax gradient and label smoothing, from {doc}`02-cross-entropy`;
# - maximum likelihood and class weights, from {doc}`03-negative-log-likelihood`;
# - binary cross-entropy with logits, from {doc}`04-binary-cross-entropy`;
# - the KL divergence, from {doc}`05-kl-divergence`; matrix products and the chain rule.

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
from collections import namedtuple

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize
import sympy as sp
from IPython.display import display
from matplotlib.colors import ListedColormap

import lossbook.functional as F
import lossbook.gradients as G
import lossbook.info as info
import lossbook.plotting as lbplot
import lossbook.symbolic as sym

# %%
np.set_printoptions(precision=4, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(2026)

# %% [markdown]
# (sec-e2e-data)=
# ## The data: three Gaussian classes with a known answer
#
# Each example is a point $x \in \mathbb{R}^2$ with a label $y \in \{0, 1, 2\}$. The label comes
# first, with class proportions $\pi = (16, 10, 4)/30$ (a common class, a middling one and a rare
# one); then the point is drawn from a Gaussian around the centre $\mu_y$ of its class. All three
# classes share one covariance matrix $\Sigma$:
#
# $$
# y \sim \pi, \qquad x \mid y = c \;\sim\; \mathcal N(\mu_c, \Sigma) .
# $$
#
# The training set has $N = 300$ examples in exactly these proportions. A test set twenty times
# larger, drawn in the same way from the same seeded generator, is used only to measure how a
# trained model does on data it has not seen.

# %%
C = 3  # classes 0, 1, 2
MEANS = np.array([[-2.5, -0.5], [0.0, 0.0], [2.5, 0.5]])
MIXING = np.array([[0.9, 0.0], [0.3, 0.9]])  # x = mu_y + MIXING @ (standard normal)
SIGMA = MIXING @ MIXING.T  # the shared covariance
COUNTS = np.array([160, 100, 40])
PRIOR = COUNTS / COUNTS.sum()


def draw(rng, counts):
    """Points of each class around its centre, in a random order."""
    X = np.vstack(
        [MEANS[c] + rng.normal(size=(counts[c], 2)) @ MIXING.T for c in range(C)]
    )
    y = np.repeat(np.arange(C), counts)
    order = rng.permutation(y.size)
    return X[order], y[order]


X_train, y_train = draw(rng, COUNTS)
X_test, y_test = draw(rng, 20 * COUNTS)
N = y_train.size
Y_train = F.one_hot(y_train, num_classes=C).astype(np.float64)
freq = Y_train.mean(axis=0)

print(f"training set: {N} examples, test set: {y_test.size} examples")
print(f"{'class':>5s} {'count':>6s} {'frequency':>10s} {'mean of x':>18s}")
for c in range(C):
    print(
        f"{c:5d} {COUNTS[c]:6d} {freq[c]:10.4f}   {X_train[y_train == c].mean(axis=0)}"
    )
H_labels = float(info.entropy(freq))
print(
    f"entropy of the labels H(p_Y) = {H_labels:.4f} nats = "
    f"{H_labels / math.log(2):.4f} bits"
    f"   (uniform over 3 classes: log 3 = {math.log(3):.4f} nats)"
)

# %% [markdown]
# The labels on their own carry $H(\hat p_Y)$ nats of uncertainty, the {term}`entropy` of the
# class frequencies $\hat p_Y$ ({doc}`01-information-and-entropy`). That is the smallest loss a
# model that ignores $x$ can reach: its best constant prediction is the class frequencies, found by
# {term}`maximum likelihood estimation` of a {term}`categorical distribution`
# ({doc}`03-negative-log-likelihood`). A uniform guess costs $\log 3$ nats. Whatever the features
# are worth will show up as the distance between these numbers and the trained loss.
#
# ### The true class probabilities are a softmax of a linear function
#
# Because we made the data, we know the probability of each class given the point.
#
# ```{prf:theorem} Gaussian classes with a shared covariance give a linear softmax
# :label: thm-e2e-linear-softmax
# If $y \sim \pi$ and $x \mid y = c \sim \mathcal N(\mu_c, \Sigma)$ with one covariance $\Sigma$
# for all classes, then
# $p(y = c \mid x) = \operatorname{softmax}\big((w_k^\top x + b_k)_{k}\big)_c$ with
# $w_c = \Sigma^{-1}\mu_c$ and $b_c = \log\pi_c - \tfrac12\,\mu_c^\top\Sigma^{-1}\mu_c$.
# ```
#
# The proof starts from Bayes' rule:
#
# $$
# p(y = c \mid x) = \frac{\pi_c\, \mathcal N(x; \mu_c, \Sigma)}{\sum_k \pi_k\, \mathcal N(x; \mu_k, \Sigma)}
#   = \operatorname{softmax}\big(a(x)\big)_c,
# \qquad a_c(x) = \log \pi_c + \log \mathcal N(x; \mu_c, \Sigma) .
# $$
#
# Expanding the Gaussian exponent, $-\tfrac12 (x - \mu_c)^\top \Sigma^{-1} (x - \mu_c) =
# -\tfrac12 x^\top\Sigma^{-1}x + \mu_c^\top\Sigma^{-1}x - \tfrac12\mu_c^\top\Sigma^{-1}\mu_c$. The
# quadratic term and the normalising constant are the same for every class, and a softmax does not
# change when the same number is added to every logit. So the true probabilities are a softmax of
# logits that are *linear* in $x$ {cite:p}`bishop2006`:
#
# $$
# p(y = c \mid x) = \operatorname{softmax}\big((w_k^\top x + b_k)_{k}\big)_c, \qquad
# w_c = \Sigma^{-1}\mu_c, \quad b_c = \log\pi_c - \tfrac12\,\mu_c^\top\Sigma^{-1}\mu_c .
# $$
#
# SymPy checks the expansion for a symbolic symmetric precision matrix $\Sigma^{-1}$ of a
# two-dimensional $x$ and symbolic centres: each class's log joint density is the shared
# quadratic plus the linear logit. (The expansion is the same in any dimension; the check is for
# the two features of this chapter.)

# %%
x1, x2 = sp.symbols("x_1 x_2", real=True)
a, b, d = sp.symbols("a b d", real=True)
precision = sp.Matrix([[a, b], [b, d]])  # Sigma^{-1}
x_vec = sp.Matrix([x1, x2])
shared = -(x_vec.T * precision * x_vec)[0] / 2
for c in range(C):
    mu = sp.Matrix(sp.symbols(f"mu_{c}1 mu_{c}2", real=True))
    pi_c = sp.Symbol(f"pi_{c}", positive=True)
    log_joint = sp.log(pi_c) - ((x_vec - mu).T * precision * (x_vec - mu))[0] / 2
    w_c = precision * mu
    b_c = sp.log(pi_c) - (mu.T * precision * mu)[0] / 2
    assert sp.expand(log_joint - shared - ((w_c.T * x_vec)[0] + b_c)) == 0
print(
    "log pi_c - (x - mu_c)' P (x - mu_c) / 2 = -x' P x / 2 + w_c' x + b_c: proved for "
    "c = 0, 1, 2"
    "\n(P = Sigma^{-1}; for class 2:)"
)
display(
    sp.Eq(sp.Symbol("w_{2,1}"), w_c[0]),
    sp.Eq(sp.Symbol("w_{2,2}"), w_c[1]),
    sp.Eq(sp.Symbol("b_2"), sp.expand(b_c)),
)

# %% [markdown]
# With the numbers of our data set, the true model is softmax regression with a known weight
# matrix. Write it in the layout used for the rest of the chapter: the features are
# $\varphi(x) = (x_1, x_2, 1)$, and a $3 \times 3$ matrix $W$ has one column per class, the weights
# $w_c$ in its first two rows and the bias $b_c$ in the last. The check compares the lambdified
# SymPy probabilities with Bayes' rule evaluated directly from the Gaussian densities
# $\mathcal N(x; \mu, \Sigma) = \exp\big(-\tfrac12(x - \mu)^\top\Sigma^{-1}(x - \mu)\big) /
# \big(2\pi\sqrt{\det\Sigma}\big)$, at seeded random points and at points far from every centre:

# %%
precision_num = np.linalg.inv(SIGMA)
W_TRUE = np.vstack(
    [
        (precision_num @ MEANS.T),
        np.log(PRIOR) - 0.5 * np.einsum("ci,ij,cj->c", MEANS, precision_num, MEANS),
    ]
)
print("true weights W (rows: x_1, x_2, bias; columns: classes 0, 1, 2):\n", W_TRUE)

true_logits_sym = [
    sum(sp.Float(W_TRUE[k, c]) * v for k, v in enumerate((x1, x2, 1))) for c in range(C)
]
true_probs_sym = sym.softmax(true_logits_sym)


def gaussian_density(points, mean, cov):
    diff = points - mean
    exponent = -0.5 * np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff)
    return np.exp(exponent) / (2 * np.pi * np.sqrt(np.linalg.det(cov)))


def bayes_rule(u, v):
    """p(y | x) from the class densities and the prior, for arrays of points (u, v)."""
    points = np.stack([np.ravel(u), np.ravel(v)], axis=1)
    joint = np.stack(
        [PRIOR[c] * gaussian_density(points, MEANS[c], SIGMA) for c in range(C)], axis=1
    )
    return (joint / joint.sum(axis=1, keepdims=True)).T


bayes_cases = sym.random_cases(rng, lambda r: tuple(r.uniform(-5, 5, size=(2, 50))))
bayes_cases["far left"] = (np.array([-8.0]), np.array([-3.0]))
bayes_cases["far right"] = (np.array([8.0]), np.array([3.0]))
sym.check_numeric(true_probs_sym, [x1, x2], bayes_rule, bayes_cases, rtol=1e-9)

# %% [markdown]
# So the model family we are about to train contains the truth. That will let us say exactly how
# far from the best possible model the trained one is.
#
# (sec-e2e-model)=
# ## The model and its gradient
#
# Softmax regression computes, for a point $x$, the logits $z = \varphi(x)^\top W \in
# \mathbb{R}^3$ and the predicted probabilities $q = \operatorname{softmax}(z)$. For the whole
# training set at once, with the features stacked as the rows of $\Phi \in \mathbb{R}^{N \times 3}$,
#
# $$
# Z = \Phi W \in \mathbb{R}^{N \times C}, \qquad Q = \operatorname{softmax}(Z) \ \text{(row by row)},
# $$
#
# and the loss is the mean cross-entropy, `F.cross_entropy(Phi @ W, y)`:
#
# $$
# L(W) = \frac1N \sum_{n=1}^{N} \big(\operatorname{logsumexp}(z_n) - z_{n, y_n}\big) .
# $$
#
# ### The chain rule, once for every loss
#
# Every loss in this chapter is some function $\ell(Z)$ of the logits; the weights enter only
# through $Z = \Phi W$, which is linear in $W$. So $\partial \ell/\partial W_{dc} = \sum_n
# \Phi_{nd}\,\partial \ell/\partial Z_{nc}$, or
#
# $$
# \nabla_W\, \ell(\Phi W) = \Phi^\top\, \nabla_Z\, \ell .
# $$
#
# SymPy confirms it for $N = 2$ examples, three features and three classes, with $\ell$ an
# arbitrary (undefined) differentiable function of the six logits:

# %%
N_S = 2  # examples in the symbolic checks
y_s = [0, 2]  # their labels
xs = sp.Matrix(N_S, 2, lambda n, k: sp.Symbol(f"x_{n + 1}{k + 1}", real=True))
Phi_s = xs.row_join(sp.ones(N_S, 1))
W_s = sp.Matrix(3, C, lambda k, c: sp.Symbol(f"w_{k + 1}{c + 1}", real=True))
Z_of_W = Phi_s * W_s
z_s = sp.Matrix(N_S, C, lambda n, c: sp.Symbol(f"z_{n + 1}{c + 1}", real=True))
Y_s = sp.Matrix(N_S, C, lambda n, c: int(c == y_s[n]))


def grad_W(loss):
    return sp.Matrix(3, C, lambda k, c: sp.diff(loss, W_s[k, c]))


ell = sp.Function("ell")
grad_Z_generic = sp.Matrix(N_S, C, lambda n, c: sp.diff(ell(*z_s), z_s[n, c]))
chain_rule = Phi_s.T * grad_Z_generic.subs(dict(zip(z_s, Z_of_W)), simultaneous=True)
sym.check_identity(grad_W(ell(*Z_of_W)), chain_rule).assert_proved()
print("grad_W ell(Phi W) = Phi^T grad_Z ell: proved for N = 2, 3 features, 3 classes")

# %% [markdown]
# This splits the work in two: `lossbook.gradients` gives $\nabla_Z\ell$ for each loss (with the
# same {term}`reduction` as the loss), and the model multiplies by $\Phi^\top$.
#
# ### The softmax-regression gradient
#
# For the cross-entropy, row $n$ of $\nabla_Z \ell$ is $\big(\operatorname{softmax}(z_n) -
# e_{y_n}\big)/N$ ({ref}`sec-ce-gradient`). With the chain rule above this gives:
#
# ```{prf:theorem} Gradient of softmax regression
# :label: thm-e2e-gradient
# For $L(W) = \frac1N\sum_n -\log\operatorname{softmax}(\varphi(x_n)^\top W)_{y_n}$, with $Y$
# the {term}`one-hot encoding` of the labels and $Q = \operatorname{softmax}(\Phi W)$ row by row,
#
# $$
# \nabla_W L = \frac1N\,\Phi^\top (Q - Y) .
# $$
# ```
#
# SymPy derives this twice: by differentiating $L$ with respect to every weight directly, and by
# the chain rule from the per-example gradient that `sym.derived.softmax_cross_entropy_gradient`
# derives (its `"soft_target"` part: $\operatorname{softmax}(z) - t$ for any target $t$ on the
# simplex, here $t = e_{y_n}$).

# %%
Q_of_W = sp.Matrix([sym.softmax(list(Z_of_W.row(n))) for n in range(N_S)])
ce_loss_s = sum(-sym.log_softmax(list(Z_of_W.row(n)))[y_s[n]] for n in range(N_S)) / N_S
ce_closed = Phi_s.T * (Q_of_W - Y_s) / N_S
sym.check_identity(grad_W(ce_loss_s), ce_closed).assert_proved()

CE_GRADIENT = sym.derived.softmax_cross_entropy_gradient(C)
z_1, t_1 = CE_GRADIENT["logits"], sym.probabilities(C, name="t")
per_example = sp.Matrix(
    N_S,
    C,
    lambda n, c: CE_GRADIENT["soft_target"][c].subs(
        {**dict(zip(z_1, z_s.row(n))), **dict(zip(t_1, Y_s.row(n)))}
    ),
)
Q_s = sp.Matrix([sym.softmax(list(z_s.row(n))) for n in range(N_S)])
sym.check_identity(per_example / N_S, (Q_s - Y_s) / N_S).assert_proved()
print(
    "grad_W L = Phi^T (softmax(Phi W) - Y) / N: proved directly and by the chain rule "
    f"(N = {N_S}, labels {y_s})"
)
display(
    sp.Eq(
        sp.Symbol(r"\partial L / \partial w_{31}"), (Phi_s.T * (Q_s - Y_s) / N_S)[2, 0]
    )
)

# %% [markdown]
# The entry displayed is the derivative with respect to the bias of class 0: the average over the
# two examples of "predicted probability of class 0 minus 1 if the label is 0". The lambdified
# closed form agrees with $\Phi^\top$ times `G.cross_entropy_grad` on seeded random inputs, at
# $W = 0$ (all predictions uniform) and with large weights (saturated softmax):


# %%
def ce_weight_gradient(x_pair, W):
    Phi_pair = np.hstack([x_pair, np.ones((N_S, 1))])
    return Phi_pair.T @ G.cross_entropy_grad(Phi_pair @ W, np.array(y_s))


weight_cases = sym.random_cases(
    rng, lambda r: (r.normal(scale=2.0, size=(N_S, 2)), r.normal(size=(3, C)))
)
weight_cases["W = 0"] = (rng.normal(size=(N_S, 2)), np.zeros((3, C)))
weight_cases["large weights"] = (
    rng.normal(size=(N_S, 2)),
    20.0 * rng.normal(size=(3, C)),
)
sym.check_numeric(
    ce_closed, [xs.tolist(), W_s.tolist()], ce_weight_gradient, weight_cases
)

# %% [markdown]
# (sec-e2e-losses)=
# ## Five more losses on the same logits
#
# Later sections train the same model with other losses. Each is a function of the logits $Z$,
# so by the chain rule each needs only its $\nabla_Z\ell$; all of them are PyTorch calls that
# `lossbook.functional` reproduces:
#
# | name | call | $\nabla_Z \ell$ |
# |---|---|---|
# | class weights | `F.cross_entropy(Z, y, weight=w)` | $\operatorname{diag}(w_{y_n})\,(Q - Y) / \sum_n w_{y_n}$ |
# | label smoothing | `F.cross_entropy(Z, y, label_smoothing=ε)` | $(Q - P^{\varepsilon})/N$, $\ P^{\varepsilon} = (1-\varepsilon)Y + \varepsilon/C$ |
# | BCE one-vs-rest | `F.binary_cross_entropy_with_logits(Z, Y)` | $(\sigma(Z) - Y)/(NC)$ |
# | squared error on probabilities | `F.mse_loss(F.softmax(Z, dim=1), Y)` | $Q \odot \big(S - (S \odot Q)\mathbf 1\mathbf 1^\top\big)$, $\ S = 2(Q - Y)/(NC)$ |
# | squared error on logits | `F.mse_loss(Z, Y)` | $2(Z - Y)/(NC)$ |
#
# The weighted mean divides by the sum of the selected weights, not by $N$
# ({ref}`sec-nll-weights`). The three losses built on BCE and `mse_loss` average over all $N \cdot C$
# entries, hence the $NC$. The squared error on probabilities goes through the softmax: its
# gradient is the softmax's Jacobian applied to $S = \nabla_Q\ell$ (what `G.mse_loss_grad`
# returns), $\partial q_c/\partial z_k = q_c(\delta_{ck} - q_k)$, which gives the row-wise formula
# in the table. SymPy proves every row of the table for $N = 2$ examples with labels $(0, 2)$, the
# class weights used later and $\varepsilon = 1/10$:

# %%
EPSILON = sp.Rational(1, 10)
CLASS_WEIGHT = N / (C * COUNTS)  # 'balanced' weights N / (C N_c)
w_sym = [sp.nsimplify(w) for w in CLASS_WEIGHT]
w_sel = [w_sym[y] for y in y_s]


def grad_Z(loss):
    return sp.Matrix(N_S, C, lambda n, c: sp.diff(loss, z_s[n, c]))


log_q = [sym.log_softmax(list(z_s.row(n))) for n in range(N_S)]
P_eps_s = sp.Matrix([sym.label_smoothed_target(y, C, EPSILON) for y in y_s])
sym.check_identity(
    sym.cross_entropy(list(P_eps_s.row(0)), sym.softmax(list(z_s.row(0)))),
    -sum(P_eps_s[0, c] * log_q[0][c] for c in range(C)),
).assert_proved()
S_s = 2 * (Q_s - Y_s) / (N_S * C)
symbolic_losses = {
    "class weights": (
        sum(w_sel[n] * -log_q[n][y_s[n]] for n in range(N_S)) / sum(w_sel),
        sp.diag(*w_sel) * (Q_s - Y_s) / sum(w_sel),
    ),
    "label smoothing": (
        -sum(P_eps_s[n, c] * log_q[n][c] for n in range(N_S) for c in range(C)) / N_S,
        (Q_s - P_eps_s) / N_S,
    ),
    "BCE one-vs-rest": (
        sum(sym.bce_with_logits(z_s[i], Y_s[i]) for i in range(N_S * C)) / (N_S * C),
        z_s.applyfunc(sym.sigmoid) / (N_S * C) - Y_s / (N_S * C),
    ),
    "squared error on probabilities": (
        sum((Q_s[i] - Y_s[i]) ** 2 for i in range(N_S * C)) / (N_S * C),
        sp.Matrix(
            N_S,
            C,
            lambda n, c: (
                Q_s[n, c] * (S_s[n, c] - sum(S_s[n, k] * Q_s[n, k] for k in range(C)))
            ),
        ),
    ),
    "squared error on logits": (
        sum((z_s[i] - Y_s[i]) ** 2 for i in range(N_S * C)) / (N_S * C),
        2 * (z_s - Y_s) / (N_S * C),
    ),
}
for name, (loss, closed) in symbolic_losses.items():
    result = sym.check_identity(grad_Z(loss), closed).assert_proved()
    print(f"{name:31s} gradient proved ({result.method})")

# %% [markdown]
# And on numbers: each closed form, lambdified, against the `lossbook` gradient of the same call
# (`G.cross_entropy_grad` with `weight` or `label_smoothing`,
# `G.binary_cross_entropy_with_logits_grad`, and `G.mse_loss_grad`, through the softmax's
# Jacobian where the loss is applied to probabilities). The table condenses one
# `sym.check_numeric` table per loss (five cases each: three random, all-zero and large logits):

# %%
y_pair = np.array(y_s)
Y_pair = F.one_hot(y_pair, num_classes=C).astype(np.float64)


def softmax_vjp(Q, grad_Q):
    """Gradient with respect to the logits Z, from the gradient for softmax(Z)."""
    return Q * (grad_Q - np.sum(grad_Q * Q, axis=1, keepdims=True))


def mse_on_probabilities_grad(Z, Y):
    Q = F.softmax(Z, dim=1)
    return softmax_vjp(Q, G.mse_loss_grad(Q, Y))


lossbook_gradients = {
    "class weights": lambda Z: G.cross_entropy_grad(Z, y_pair, weight=CLASS_WEIGHT),
    "label smoothing": lambda Z: G.cross_entropy_grad(
        Z, y_pair, label_smoothing=float(EPSILON)
    ),
    "BCE one-vs-rest": lambda Z: G.binary_cross_entropy_with_logits_grad(Z, Y_pair),
    "squared error on probabilities": lambda Z: mse_on_probabilities_grad(Z, Y_pair),
    "squared error on logits": lambda Z: G.mse_loss_grad(Z, Y_pair),
}
logit_cases = sym.random_cases(rng, lambda r: sym.random_logits(r, (N_S, C)))
logit_cases["all zero"] = (np.zeros((N_S, C)),)
logit_cases["large"] = (np.array([[40.0, -25.0, 3.0], [-30.0, 0.5, 35.0]]),)
print(
    f"{'loss':31s} {'cases':>5s} {'max |Δ|':>9s} {'largest |entry|':>16s} {'pass':>5s}"
)
for name, reference in lossbook_gradients.items():
    table = sym.check_numeric(
        symbolic_losses[name][1], [z_s.tolist()], reference, logit_cases
    )
    worst_abs = max(row.max_abs for row in table.rows)
    largest = max(
        float(np.max(np.abs(reference(*case)))) for case in logit_cases.values()
    )
    print(
        f"{name:31s} {len(table.rows):5d} {sym.coarse_bound(worst_abs):>9s} "
        f"{largest:16.4f} "
        f"{'yes' if table else 'NO':>5s}"
    )

# %% [markdown]
# (sec-e2e-finite-differences)=
# ## Checked by finite differences, before any training
#
# A wrong gradient does not make gradient descent fail loudly: it makes it converge slowly, or to
# the wrong place. So before training, each of the six gradients $\Phi^\top\nabla_Z\ell$ is
# compared, on the real training set and at a random $W$, with central finite differences of the
# loss value (`G.numerical_gradient`, which perturbs each of the nine weights in turn). The
# objectives defined here are the ones trained in the rest of the chapter.

# %%
Phi_train = np.hstack([X_train, np.ones((N, 1))])
Phi_test = np.hstack([X_test, np.ones((y_test.size, 1))])


Objective = namedtuple("Objective", ["loss", "grad"])  # functions of the logits Z


def make_objectives(y, Y, epsilon=float(EPSILON), weight=CLASS_WEIGHT):
    """For each loss: its value and its gradient with respect to the logits Z."""
    return {
        "cross-entropy": Objective(
            lambda Z: F.cross_entropy(Z, y), lambda Z: G.cross_entropy_grad(Z, y)
        ),
        "label smoothing": Objective(
            lambda Z: F.cross_entropy(Z, y, label_smoothing=epsilon),
            lambda Z: G.cross_entropy_grad(Z, y, label_smoothing=epsilon),
        ),
        "class weights": Objective(
            lambda Z: F.cross_entropy(Z, y, weight=weight),
            lambda Z: G.cross_entropy_grad(Z, y, weight=weight),
        ),
        "BCE one-vs-rest": Objective(
            lambda Z: F.binary_cross_entropy_with_logits(Z, Y),
            lambda Z: G.binary_cross_entropy_with_logits_grad(Z, Y),
        ),
        "squared error on probabilities": Objective(
            lambda Z: F.mse_loss(F.softmax(Z, dim=1), Y),
            lambda Z: mse_on_probabilities_grad(Z, Y),
        ),
        "squared error on logits": Objective(
            lambda Z: F.mse_loss(Z, Y), lambda Z: G.mse_loss_grad(Z, Y)
        ),
    }


def loss_of(objective, Phi, W):
    return float(objective.loss(Phi @ W))


def gradient_of(objective, Phi, W):
    """The chain rule: grad_W = Phi^T grad_Z."""
    return Phi.T @ objective.grad(Phi @ W)


OBJECTIVES = make_objectives(y_train, Y_train)
W_random = rng.normal(size=(3, C))
print(
    f"{'objective':31s} {'max |analytic - finite diff.|':>30s} {'largest |entry|':>16s}"
)
for name, objective in OBJECTIVES.items():
    analytic = gradient_of(objective, Phi_train, W_random)
    numeric = G.numerical_gradient(lambda W: loss_of(objective, Phi_train, W), W_random)
    difference = float(np.max(np.abs(analytic - numeric)))
    assert difference < 1e-7, name
    print(
        f"{name:31s} {sym.coarse_bound(difference):>30s} "
        f"{np.max(np.abs(analytic)):16.4f}"
    )

# %% [markdown]
# Every difference is at the level that central differences can resolve (their truncation and
# rounding errors), several orders of magnitude below the gradients themselves. Now the gradients
# can be trusted with the training.
#
# (sec-e2e-training)=
# ## Training by gradient descent
#
# Gradient descent starts from $W = 0$, where every prediction is uniform and the cross-entropy is
# exactly $\log 3$, and repeats
#
# $$
# W \leftarrow W - \eta\, \nabla_W L(W)
# $$
#
# with a fixed {term}`learning rate` $\eta = 0.5$ for 2000 steps, recording the loss at each of the
# first ten steps and then every ten steps. As a second opinion, SciPy's
# L-BFGS, started where gradient descent stopped and given the same loss and gradient, polishes
# the weights to the true minimum $L^\ast$; the gap $L - L^\ast$ says how far from the minimum
# gradient descent got. All six objectives are trained in the same way (the others are used in the
# sections after this one).

# %%
LEARNING_RATE, STEPS, EVERY = 0.5, 2000, 10


def recorded(t, every=EVERY):
    return t < every or t % every == 0


def gradient_descent(objective, Phi, steps=STEPS, lr=LEARNING_RATE):
    """W after `steps` updates from W = 0, the recorded steps, and the loss at them."""
    W, at, history = np.zeros((Phi.shape[1], C)), [], []
    for t in range(steps + 1):
        if recorded(t) or t == steps:
            at.append(t)
            history.append(loss_of(objective, Phi, W))
        if t < steps:
            W = W - lr * gradient_of(objective, Phi, W)
    return W, np.array(at), np.array(history)


def loss_at(run, t):
    return run["history"][np.searchsorted(run["steps"], t)]


def polish(objective, Phi, W_start):
    """L-BFGS from W_start: the minimiser and the minimum."""

    def fun(w):
        W = w.reshape(W_start.shape)
        return loss_of(objective, Phi, W), gradient_of(objective, Phi, W).ravel()

    result = scipy.optimize.minimize(
        fun,
        W_start.ravel(),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 1000},
    )
    return result.x.reshape(W_start.shape), float(result.fun)


runs = {}
for name, objective in OBJECTIVES.items():
    W_gd, at, history = gradient_descent(objective, Phi_train)
    W_best, L_best = polish(objective, Phi_train, W_gd)
    runs[name] = {
        "W": W_gd,
        "steps": at,
        "history": history,
        "W_best": W_best,
        "L_best": L_best,
    }

ce_run = runs["cross-entropy"]
assert abs(ce_run["history"][0] - math.log(3)) < 1e-15
grad_final = gradient_of(OBJECTIVES["cross-entropy"], Phi_train, ce_run["W"])
print(
    f"cross-entropy at W = 0:            {ce_run['history'][0]:.6f} nats  "
    f"(log 3 = {math.log(3):.6f})"
)
print(f"after {STEPS} steps:                 {ce_run['history'][-1]:.6f} nats")
print(f"minimum L* (L-BFGS):               {ce_run['L_best']:.6f} nats")
print(
    "gap L - L*:                        "
    f"{ce_run['history'][-1] - ce_run['L_best']:.1e} nats"
)
print(f"largest |gradient entry| at the end: {np.max(np.abs(grad_final)):.1e}")
first_below = int(ce_run["steps"][np.argmax(ce_run["history"] < H_labels)])
print(f"first step with a loss below H(p_Y) = {H_labels:.6f}: step {first_below}")
assert np.all(np.diff(ce_run["history"]) <= 0)

# %% [markdown]
# The loss falls monotonically from $\log 3$, drops below the label entropy $H(\hat p_Y)$ (the best
# a model without features can do) at once, and then creeps towards the minimum.
# The right panel shows the gap to the minimum on a logarithmic scale for the cross-entropy and
# its two variants of {ref}`sec-e2e-smoothing-weights`: a straight line there is *linear
# convergence*, a constant factor of improvement per step, as gradient descent achieves on a
# smooth loss that is strongly curved near its minimum.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two panels. Left: the training cross-entropy in nats against the gradient-descent step, from 0 to 2000. It starts at log 3 (a dashed line at about 1.10 nats), drops below the label entropy (a dotted line at about 0.97 nats) after the first step and levels off just above the minimum found by L-BFGS (a dash-dotted line at about 0.24 nats). Right: the gap between the loss and its minimum, in nats on a logarithmic axis, for plain cross-entropy, label smoothing and class weights; all three fall along roughly straight lines, label smoothing fastest, reaching the limit of double precision, and plain cross-entropy slowest."}}
fig, (ax_loss, ax_gap) = plt.subplots(1, 2, figsize=(10, 4))
lbplot.loss_curve(
    ax_loss,
    ce_run["steps"],
    {"training cross-entropy": ce_run["history"]},
    "gradient-descent step (logarithmic beyond 10)",
)
for value, style, label in (
    (math.log(3), "--", "uniform guess, log 3"),
    (H_labels, ":", r"best without features, $H(\hat p_Y)$"),
    (ce_run["L_best"], "-.", r"minimum $L^\ast$"),
):
    ax_loss.axhline(value, color=lbplot.PALETTE.black, ls=style, lw=1, label=label)
ax_loss.set_xscale("symlog", linthresh=10)
ax_loss.set_xlim(0, STEPS)
ax_loss.legend(loc="center right")
ax_loss.set_title("Training loss")
for colour, name in zip(
    lbplot.PALETTE, ("cross-entropy", "label smoothing", "class weights")
):
    gap = runs[name]["history"] - runs[name]["L_best"]
    ax_gap.semilogy(
        runs[name]["steps"], np.maximum(gap, 1e-16), color=colour, label=name
    )
lbplot.label_axes(ax_gap, "gradient-descent step", r"gap $L - L^\ast$", unit="nats")
ax_gap.set_ylim(1e-16, 1)
ax_gap.legend()
ax_gap.set_title("Distance to the minimum")
plt.show()

# %% [markdown]
# The decision regions of the trained model are where each class has the largest predicted
# probability. For softmax regression the boundary between two classes $c$ and $k$ is where their
# logits are equal, $\varphi(x)^\top(w_c - w_k) = 0$: a straight line. The figure shows the regions
# of the trained model with the training points, and the boundaries of the true model
# `W_TRUE` (dashed) for comparison.


# %%
def grid_over(X, margin=1.0, size=200):
    u = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, size)
    v = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, size)
    uu, vv = np.meshgrid(u, v)
    return uu, vv, np.column_stack([uu.ravel(), vv.ravel(), np.ones(uu.size)])


MARKERS = ("o", "s", "^")
REGION_COLOURS = ListedColormap([lbplot.PALETTE[c] for c in range(C)])


def draw_regions(ax, W, X, y, title, W_reference=None):
    uu, vv, Phi_grid = grid_over(X_train)
    predicted = np.argmax(Phi_grid @ W, axis=1).reshape(uu.shape)
    ax.contourf(
        uu, vv, predicted, levels=[-0.5, 0.5, 1.5, 2.5], cmap=REGION_COLOURS, alpha=0.18
    )
    if W_reference is not None:
        reference = np.argmax(Phi_grid @ W_reference, axis=1).reshape(uu.shape)
        ax.contour(
            uu,
            vv,
            reference,
            levels=[0.5, 1.5],
            colors="black",
            linestyles="--",
            linewidths=1,
        )
    for c in range(C):
        ax.scatter(
            *X[y == c].T,
            s=14,
            marker=MARKERS[c],
            color=lbplot.PALETTE[c],
            edgecolor="white",
            linewidth=0.3,
            label=f"class {c}",
        )
    ax.set_xlabel("feature $x_1$")
    ax.set_ylabel("feature $x_2$")
    ax.set_title(title)


def accuracy(W, Phi, y):
    return float(np.mean(np.argmax(Phi @ W, axis=1) == y))


acc_train = accuracy(ce_run["W"], Phi_train, y_train)
acc_test = accuracy(ce_run["W"], Phi_test, y_test)
acc_bayes = accuracy(W_TRUE, Phi_test, y_test)
print(
    f"accuracy: training {acc_train:.4f}, test {acc_test:.4f}; "
    f"true model on the test set {acc_bayes:.4f}"
)

# %% tags=["hide-input"] mystnb={"image": {"alt": "A scatter plot of the 300 training points in the plane of the two features: class 0 (circles) on the left, class 1 (squares) in the middle, class 2 (triangles, the rare class) on the right, with some overlap between neighbours. Shaded regions show the trained model's predicted class; the two boundaries are nearly parallel straight lines running from bottom to top, and dashed lines, the boundaries of the true model, lie almost on top of them."}}
fig, ax = plt.subplots(figsize=(6.4, 4.6))
draw_regions(
    ax,
    ce_run["W"],
    X_train,
    y_train,
    "Decision regions after training (dashed: true model)",
    W_reference=W_TRUE,
)
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The learned weights are not equal to `W_TRUE`, and they could not be unique anyway: adding the
# same vector to all three columns of $W$ adds the same number to every logit and changes no
# prediction (exercise {ref}`ex-end-to-end-2`). Comparing the columns after subtracting their mean
# removes that freedom; what remains is the estimation error of 300 examples:


# %%
def centred(W):
    return W - W.mean(axis=1, keepdims=True)


print("trained W, columns centred:\n", centred(ce_run["W"]))
print("true W, columns centred:\n", centred(W_TRUE))

# %% [markdown]
# (sec-e2e-empirical)=
# ## The trained loss is a cross-entropy
#
# What number did we minimise? The mean negative log-likelihood of the training labels,
#
# $$
# L(W) = \frac1N\sum_{n} -\log q_W(y_n \mid x_n),
# $$
#
# is a cross-entropy to the empirical distribution ({doc}`03-negative-log-likelihood`). Here the
# data are pairs, so the empirical distribution $\hat p$ puts mass $1/N$ on each training pair
# $(x_n, y_n)$: its marginal $\hat p_X$ is uniform over the $N$ training points and, as no point
# appears twice, its conditional $\hat p(\cdot \mid x_n)$ is the one-hot vector $e_{y_n}$. The
# model only predicts the label, so it is compared with $\hat p$ on the label given the point,
# averaged over the points:
#
# $$
# L(W) = \sum_n \hat p_X(x_n)\, H\big(\hat p(\cdot\mid x_n),\, q_W(\cdot\mid x_n)\big)
#      = H\big(\hat p_{XY},\ \hat p_X\, q_W\big) - H(\hat p_X) ,
# $$
#
# a *conditional* cross-entropy. The second form uses the joint distributions on the $N \times C$
# pairs $(n, c)$: the data's $\hat p(n, c) = [c = y_n]/N$ and the model's $\hat p_X(n)\,q_W(c \mid
# x_n) = q_{n,c}/N$, whose cross-entropy contains $H(\hat p_X) = \log N$ once too often. SymPy proves
# both forms for three examples and three classes with symbolic predicted probabilities:

# %%
labels_3 = [0, 2, 1]
q_rows = [sym.probabilities(C, name=f"q_{n + 1}") for n in range(3)]
mean_nll = sum(-sp.log(q_rows[n][labels_3[n]]) for n in range(3)) / 3
onehots = [[int(c == labels_3[n]) for c in range(C)] for n in range(3)]
conditional = sum(
    sp.Rational(1, 3) * sym.cross_entropy(onehots[n], q_rows[n]) for n in range(3)
)
p_joint = [sp.Rational(onehots[n][c], 3) for n in range(3) for c in range(C)]
q_joint = [q_rows[n][c] / 3 for n in range(3) for c in range(C)]
joint_form = sym.cross_entropy(p_joint, q_joint) - sym.entropy([sp.Rational(1, 3)] * 3)
sym.check_identity(mean_nll, conditional).assert_proved()
sym.check_identity(mean_nll, joint_form).assert_proved()
print(
    "mean NLL = sum_n p(x_n) H(e_{y_n}, q_n) = H(p_XY, p_X q) - H(p_X): proved for N = "
    "3, C = 3"
)

# %% [markdown]
# On the trained model the three numbers are computed independently: the loss as PyTorch computes
# it, the weighted sum of per-example cross-entropies with `info.cross_entropy`, and the
# cross-entropy of the two joint distributions on $N \cdot C = 900$ cells minus $H(\hat p_X) =
# \log N$:

# %%
Q_train = F.softmax(Phi_train @ ce_run["W"], dim=1)
by_loss = float(F.cross_entropy(Phi_train @ ce_run["W"], y_train))
by_conditional = float(np.sum(info.cross_entropy(Y_train, Q_train)) / N)
p_joint_num = (Y_train / N).ravel()
by_joint = float(
    info.cross_entropy(p_joint_num, (Q_train / N).ravel())
    - info.entropy(np.full(N, 1 / N))
)
assert np.allclose([by_conditional, by_joint], by_loss, rtol=1e-12)
print(
    f"F.cross_entropy(Phi W, y):            {by_loss:.6f} nats = "
    f"{by_loss / math.log(2):.6f} bits"
)
print(f"sum_n (1/N) H(e_y_n, q_n):            {by_conditional:.6f} nats")
print(
    f"H(p_XY, p_X q) - H(p_X):              {by_joint:.6f} nats   (H(p_X) = log {N} = "
    f"{math.log(N):.6f})"
)
print(
    f"features save H(p_Y) - L = {H_labels - by_loss:.4f} nats = "
    f"{(H_labels - by_loss) / math.log(2):.4f} bits per training label"
)

# %% [markdown]
# ### The minimum matches the class frequencies
#
# The last column of $\Phi$ is all ones, so the last row of $\nabla_W L = \Phi^\top(Q - Y)/N$ is the
# bias gradient $\frac1N\sum_n (q_n - e_{y_n})$. At the minimum it vanishes:
#
# $$
# \frac1N\sum_{n} q_{n,c} = \frac{N_c}{N} \quad\text{for every class } c :
# $$
#
# a softmax regression with a bias, trained to its minimum, predicts on average exactly the class
# frequencies of its training set ({prf:ref}`thm-e2e-gradient` with the bias row). (Each feature column gives a similar equation: the average of
# $x_{n,k}\,q_{n,c}$ matches the average of $x_{n,k}[y_n = c]$.) This is {term}`moment matching`:
# the model's average prediction reproduces the data's. Gradient descent is close to the minimum
# and the L-BFGS minimiser is at it:

# %%
mean_q_gd = F.softmax(Phi_train @ ce_run["W"], dim=1).mean(axis=0)
mean_q_best = F.softmax(Phi_train @ ce_run["W_best"], dim=1).mean(axis=0)
assert np.allclose(mean_q_best, freq, atol=1e-9)
print("class frequencies N_c / N:        ", freq)
print("mean predicted q, gradient descent:", mean_q_gd)
print("mean predicted q, minimiser:       ", mean_q_best)

# %% [markdown]
# ### How far from the best possible model?
#
# The true model gives the smallest *expected* loss of any model: by {term}`Gibbs' inequality`
# ({prf:ref}`thm-gibbs`), for each $x$, $H\big(p(\cdot\mid x), q(\cdot\mid x)\big) \ge H\big(p(\cdot\mid x)\big)$, with
# equality only at $q = p$. Averaged over $x$, the expected loss of any model splits into the
# conditional entropy of the labels (the floor, which no model can remove) plus the expected
# {term}`KL divergence` from the truth (its excess):
#
# $$
# \mathbb E_x\, H\big(p(\cdot\mid x), q(\cdot\mid x)\big)
#   = \mathbb E_x\, H\big(p(\cdot\mid x)\big) + \mathbb E_x\, D_{\mathrm{KL}}\big(p(\cdot\mid x)\,\|\,q(\cdot\mid x)\big).
# $$
#
# Both terms on the right are computed with `lossbook.info` from the true probabilities at the
# test points, for the true model and for the trained one (from here on, "trained" means the
# minimiser, gradient descent polished by L-BFGS); the test NLL, an average over the sampled
# *labels*, fluctuates around their sum:


# %%
def excess_table(named_weights):
    P_true = F.softmax(Phi_test @ W_TRUE, dim=1)
    floor = float(np.mean(info.entropy(P_true)))
    print(
        f"{'model':31s} {'E H(p)':>8s} {'E KL(p||q)':>11s} {'sum':>8s} "
        f"{'E H(p, q)':>10s} "
        f"{'test NLL':>9s}"
    )
    for name, W in named_weights.items():
        Q = F.softmax(Phi_test @ W, dim=1)
        excess = float(np.mean(info.kl_divergence(P_true, Q)))
        expected = float(np.mean(info.cross_entropy(P_true, Q)))
        test_nll = float(F.cross_entropy(Phi_test @ W, y_test))
        assert np.isclose(floor + excess, expected, rtol=1e-12)
        print(
            f"{name:31s} {floor:8.4f} {excess:11.4f} {floor + excess:8.4f} "
            f"{expected:10.4f} "
            f"{test_nll:9.4f}"
        )


excess_table({"true model": W_TRUE, "trained (cross-entropy)": ce_run["W_best"]})

# %% [markdown]
# The trained model's excess over the floor, $\mathbb E_x D_{\mathrm{KL}}$, is the price of
# learning from 300 examples instead of knowing the distribution; it shrinks as $N$ grows. The
# floor itself is the uncertainty left in the labels after seeing $x$: the classes overlap, and no
# loss and no model can remove that.
#
# (sec-e2e-smoothing-weights)=
# ## Label smoothing and class weights
#
# Both options of `cross_entropy` change the distribution that the model is fitted to, while the
# model stays the same.
#
# - **Label smoothing** with $\varepsilon$ replaces each one-hot target by the smoothed target
#   $p^{\varepsilon}_n = (1-\varepsilon) e_{y_n} + \varepsilon/C$ ({ref}`sec-ce-label-smoothing`),
#   the rows of $P^{\varepsilon}$. The loss is the conditional cross-entropy to a *smoothed*
#   empirical distribution, and its gradient $\Phi^\top(Q - P^{\varepsilon})/N$
#   vanishes when the average prediction matches the smoothed frequencies, $\frac1N\sum_n q_n =
#   (1 - \varepsilon)\hat p_Y + \varepsilon/C$.
# - **Class weights** with `'mean'` compute $\sum_n w_{y_n}\ell_n / \sum_n w_{y_n}$: an average
#   over a *re-weighted* empirical distribution that gives example $n$ the mass $w_{y_n}/\sum_m
#   w_{y_m}$. With the "balanced" weights $w_c = N/(C N_c)$ used here, every class gets total mass
#   $1/3$, and at the minimum the re-weighted average prediction is uniform.
#
# The cell trains nothing new (all six runs were trained above); it checks the two balance
# conditions at the minimisers and tabulates what changed:

# %%
W_smooth, W_weighted = (
    runs["label smoothing"]["W_best"],
    runs["class weights"]["W_best"],
)
eps_num = float(EPSILON)
Q_smooth = F.softmax(Phi_train @ W_smooth, dim=1)
Q_weighted = F.softmax(Phi_train @ W_weighted, dim=1)
example_mass = CLASS_WEIGHT[y_train] / CLASS_WEIGHT[y_train].sum()
assert np.allclose(Q_smooth.mean(axis=0), (1 - eps_num) * freq + eps_num / C, atol=1e-9)
assert np.allclose(example_mass @ Q_weighted, 1 / C, atol=1e-9)
print("class weights w_c = N / (C N_c):", CLASS_WEIGHT)
print(
    "smoothing:  mean q =",
    Q_smooth.mean(axis=0),
    " (1 - eps) p_Y + eps / C =",
    (1 - eps_num) * freq + eps_num / C,
)
print(
    "weights:    re-weighted mean q =",
    example_mass @ Q_weighted,
    " plain mean q =",
    Q_weighted.mean(axis=0),
)


# %%
def probabilities(name, Z):
    """Class probabilities of a trained model: softmax, normalised sigmoids, or none."""
    if name == "squared error on logits":
        return None
    if name == "BCE one-vs-rest":
        S = F.sigmoid(Z)
        return S / S.sum(axis=1, keepdims=True)
    return F.softmax(Z, dim=1)


def test_metrics(name, W):
    Z = Phi_test @ W
    predicted = np.argmax(Z, axis=1)
    recall = [float(np.mean(predicted[y_test == c] == c)) for c in range(C)]
    probs = probabilities(name, Z)
    row = {
        "accuracy": float(np.mean(predicted == y_test)),
        "recall": recall,
        "nll": math.nan,
        "confidence": math.nan,
    }
    if probs is not None:
        row["nll"] = float(F.nll_loss(np.log(probs), y_test))
        row["confidence"] = float(np.mean(probs.max(axis=1)))
    return row


def comparison_table(names):
    print(
        f"{'trained with':31s} {'train NLL':>9s} {'test NLL':>9s} {'accuracy':>9s} "
        f"{'recall 0, 1, 2':>20s} {'confidence':>11s} {'|W|':>6s}"
    )
    for name in names:
        W = runs[name]["W_best"]
        m = test_metrics(name, W)
        probs_train = probabilities(name, Phi_train @ W)
        train_nll = (
            math.nan
            if probs_train is None
            else float(F.nll_loss(np.log(probs_train), y_train))
        )
        recall = " ".join(f"{r:.3f}" for r in m["recall"])
        print(
            f"{name:31s} {train_nll:9.4f} {m['nll']:9.4f} {m['accuracy']:9.4f} "
            f"{recall:>20s} "
            f"{m['confidence']:11.4f} {np.linalg.norm(centred(W)):6.2f}"
        )


comparison_table(["cross-entropy", "label smoothing", "class weights"])
metrics = {name: test_metrics(name, runs[name]["W_best"]) for name in runs}

# %% [markdown]
# All columns except the training NLL are measured on the test set; "confidence" is the average
# largest predicted probability and $|W|$ the norm of the centred weights. What the table shows:
#
# - **Label smoothing** shrinks the weights, so every prediction moves towards uniform: the
#   average confidence drops below the accuracy (the model becomes *underconfident*), and the test
#   NLL rises. Smoothing is a remedy for overconfidence; our model is well specified and was not
#   overconfident, so here it can only hurt the probabilities. Its training loss, the smoothed
#   cross-entropy, has a floor above zero; its decisions barely change.
# - **Class weights** trade accuracy on the common class for recall on the rare one: the rare
#   class 2 is found more often, class 0 a little less, and the probabilities are no longer the
#   true ones (the test NLL rises), because the model now answers for a world in which the three
#   classes are equally common. Exercise {ref}`ex-end-to-end-5` shows that this is, almost
#   exactly, a shift of the logits by $\log w_c$.

# %%
m_ce, m_ls, m_w = (
    metrics[k] for k in ("cross-entropy", "label smoothing", "class weights")
)
assert m_ls["confidence"] < m_ls["accuracy"] and m_ls["nll"] > m_ce["nll"]
assert abs(m_ls["accuracy"] - m_ce["accuracy"]) < 0.01
assert m_w["recall"][2] > m_ce["recall"][2] and m_w["recall"][0] < m_ce["recall"][0]
assert m_w["nll"] > m_ce["nll"]
print(
    f"calibration gap (confidence - accuracy): cross-entropy "
    f"{m_ce['confidence'] - m_ce['accuracy']:+.4f}, label smoothing "
    f"{m_ls['confidence'] - m_ls['accuracy']:+.4f}"
)
print(
    f"recall of the rare class 2: {m_ce['recall'][2]:.4f} -> {m_w['recall'][2]:.4f} "
    "with "
    f"class weights; of class 0: {m_ce['recall'][0]:.4f} -> {m_w['recall'][0]:.4f}"
)

# %% [markdown]
# (sec-e2e-other-losses)=
# ## The same data with BCE and with squared error
#
# Three more ways to train the same linear model appear in practice.
#
# **BCE one-vs-rest.** One sigmoid per class, each answering "is it this class?", with the
# one-hot vector as three independent yes/no targets: `F.binary_cross_entropy_with_logits(Z, Y)`.
# The binary cross-entropy is the negative log-likelihood of a {term}`Bernoulli distribution`, the
# two-outcome case of the cross-entropy ({doc}`04-binary-cross-entropy`). Used
# {term}`one-vs-rest` on $C > 2$ exclusive classes, it is the likelihood of a *different* model:
# three independent yes/no answers, whose probabilities need not sum to one. To compare NLLs,
# we normalise the three sigmoids to sum to 1.
#
# **Squared error on probabilities.** `F.mse_loss(F.softmax(Z, dim=1), Y)`, the Brier score
# (divided by $C$). Its gradient passes through the softmax's Jacobian, which vanishes when the
# softmax saturates: a confidently *wrong* example gets almost no gradient
# {cite:p}`golik2013`. Unlike the cross-entropy, it is not a {term}`convex function` of the logits.
#
# **Squared error on logits.** `F.mse_loss(Z, Y)`: linear regression onto the one-hot targets,
# with a closed-form minimiser from the normal equations $\Phi^\top\Phi\, W = \Phi^\top Y$
# (setting the gradient $2\Phi^\top(\Phi W - Y)/(NC)$ to zero). Its outputs are not probabilities
# at all, and it is known to *mask* classes: a class can end up almost never predicted
# ({cite:t}`hastie2009`, section 4.2, who name the effect; {cite:t}`bishop2006`, section 4.1.3).
#
# First the claims that can be checked directly: the normal equations solved by SymPy on a small
# example, the least-squares solution against gradient descent, and the saturation of the squared
# error's gradient.

# %%
Phi_small = sp.Matrix([[1, 2, 1], [-1, 0, 1], [2, -1, 1], [0, 1, 1]])
Y_small = sp.Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]])
W_unknown = sp.Matrix(3, C, lambda k, c: sp.Symbol(f"v_{k + 1}{c + 1}"))
gradient_small = 2 * Phi_small.T * (Phi_small * W_unknown - Y_small) / 12  # N C = 12
stationary = sp.solve(list(gradient_small), list(W_unknown))
W_normal = (Phi_small.T * Phi_small).inv() * Phi_small.T * Y_small
assert W_unknown.subs(stationary) == W_normal
print(
    "the only stationary point of the squared error on logits solves the normal "
    "equations"
)

W_lstsq = np.linalg.lstsq(Phi_train, Y_train, rcond=None)[0]
assert np.allclose(runs["squared error on logits"]["W"], W_lstsq, atol=1e-8)
print(
    "gradient descent on F.mse_loss(Z, Y) reached np.linalg.lstsq's solution (to 1e-8)"
)

z_wrong = np.array([[-4.0, 4.0, 0.0]])
Y_wrong = np.array([[1.0, 0.0, 0.0]])
t_line = np.linspace(-10.0, 10.0, 201)  # logits (t, 0, 0), label 0
sq_line = np.array(
    [
        float(F.mse_loss(F.softmax(np.array([[t, 0.0, 0.0]]), dim=1), Y_wrong))
        for t in t_line
    ]
)
midpoint_excess = np.max(sq_line[50:151] - (sq_line[:101] + sq_line[100:]) / 2)
assert midpoint_excess > 0
print(
    f"not convex: along the logits (t, 0, 0) a midpoint lies {midpoint_excess:.4f} "
    "above "
    "the chord"
)

g_ce = G.cross_entropy_grad(z_wrong, np.array([0]), reduction="sum")
g_sq = mse_on_probabilities_grad(z_wrong, Y_wrong) * C  # undo the mean over C entries
print(
    f"confidently wrong example, logits {z_wrong[0]}, label 0, "
    f"q = {F.softmax(z_wrong, dim=1)[0]}"
)
print(
    f"  gradient of cross-entropy:            {g_ce[0]}  norm "
    f"{np.linalg.norm(g_ce):.4f}"
)
print(
    f"  gradient of squared error on softmax: {g_sq[0]}  norm "
    f"{np.linalg.norm(g_sq):.4f}"
)

# %% [markdown]
# Now the comparison, on the test set. The first row is the cross-entropy model again; for the
# squared error on logits there are no probabilities, so its NLL and confidence are not defined
# (`nan`). The next cell also measures how far the one-vs-rest sigmoids are from summing to 1.

# %%
comparison_table(
    [
        "cross-entropy",
        "BCE one-vs-rest",
        "squared error on probabilities",
        "squared error on logits",
    ]
)
W_sq = runs["squared error on logits"]["W_best"]
outputs_rare = (Phi_train @ W_sq)[y_train == 2].mean(axis=0)
assert np.allclose((Phi_test @ W_sq).sum(axis=1), 1, atol=1e-9)
assert outputs_rare[1] > outputs_rare[2]
print(
    "\nsquared error on logits: mean outputs (z_0, z_1, z_2) on class 2's training "
    "points "
    f"{outputs_rare}"
)
sigmoid_sums = F.sigmoid(Phi_test @ runs["BCE one-vs-rest"]["W_best"]).sum(axis=1)
print(
    f"BCE one-vs-rest: the three sigmoids sum to between {sigmoid_sums.min():.3f} and "
    f"{sigmoid_sums.max():.3f} on the test points"
)
print(
    f"after {STEPS} steps of gradient descent, relative distance |W - W*| / |W*| "
    "to the minimiser:"
)
distance = {}
for name in runs:
    W_gd, W_star = runs[name]["W"], runs[name]["W_best"]
    distance[name] = float(np.linalg.norm(W_gd - W_star) / np.linalg.norm(W_star))
    shown = (
        sym.coarse_bound(distance[name])
        if distance[name] < 1e-12
        else f"{distance[name]:.4f}"
    )
    print(f"  {name:31s} {shown}")

# %% [markdown]
# Reading the table:
#
# - **Squared error on logits** masks the rare class: class 2 is almost never predicted, and the
#   accuracy is far below the others. Each output is a linear regression of a 0/1 indicator (and
#   the three outputs sum to 1 at every point, checked above). The indicator of the rare class is 1
#   on only 40 of 300 points, so its fitted plane stays low: even on class 2's own training points
#   its average output is below class 1's, and it wins only at the far right. The squared error
#   also charges the many points far from any boundary for being "too correct", which pulls the
#   planes towards them.
# - **BCE one-vs-rest** decides almost as well as the softmax model, but its probabilities are
#   worse (a higher test NLL even after normalising them): the three questions are answered
#   independently, while the classes are exclusive.
# - **Squared error on probabilities** ends close to the cross-entropy model on this easy,
#   well-specified problem; its disadvantage is in training, not at the end: the gradient of a
#   confidently wrong example is much smaller, and after the same 2000 steps gradient descent had
#   left its weights much further from their minimiser than for the cross-entropy (last lines
#   above).
#
# The cross-entropy is the loss whose minimiser is the maximum-likelihood model, and here, since
# the model family contains the truth, the loss whose probabilities are closest to the truth.

# %%
by_nll = sorted(
    (m["nll"], name) for name, m in metrics.items() if not math.isnan(m["nll"])
)
assert by_nll[0][1] == "cross-entropy"
m_bce, m_ls2 = metrics["BCE one-vs-rest"], metrics["squared error on logits"]
assert m_ls2["recall"][2] < 0.1 and m_ls2["accuracy"] < m_ce["accuracy"] - 0.1
assert m_bce["nll"] > m_ce["nll"] and abs(m_bce["accuracy"] - m_ce["accuracy"]) < 0.02
assert distance["squared error on probabilities"] > 10 * distance["cross-entropy"]
print("lowest test NLL:", by_nll[0][1])

# %% tags=["hide-input"] mystnb={"image": {"alt": "Six small scatter plots of the training data with the decision regions of six trained models: cross-entropy, label smoothing, class weights, BCE one-vs-rest, squared error on probabilities, squared error on logits. The first five look alike: two nearly parallel boundaries separate the left, middle and right classes; with class weights the region of the rare right-hand class is larger. In the last panel, squared error on logits, the region of the rare right-hand class has almost vanished: the middle class takes over most of its points."}}
fig, axes = plt.subplots(2, 3, figsize=(11, 7), sharex=True, sharey=True)
for ax, name in zip(axes.ravel(), runs):
    draw_regions(
        ax,
        runs[name]["W_best"],
        X_train,
        y_train,
        f"{name}\ntest accuracy {metrics[name]['accuracy']:.3f}",
    )
for ax in axes[0]:
    ax.set_xlabel("")
for ax in axes[:, 1:].ravel():
    ax.set_ylabel("")
axes[0, 0].legend(loc="upper left", fontsize=9)
plt.show()

# %% [markdown]
# (sec-e2e-pytorch)=
# ## In PyTorch
#
# The whole training loop of this chapter, in PyTorch {cite:p}`paszke2019`. The model
# `nn.Linear(2, 3)` keeps the bias apart: `model.weight` is the transpose of the first two rows of
# our $W$ and `model.bias` its last row. It returns **logits**: no softmax at the end.
#
# ```python
# import torch
# import torch.nn.functional as F
#
# x = torch.tensor(X_train, dtype=torch.float32)
# y = torch.tensor(y_train)                         # class indices, int64
# model = torch.nn.Linear(2, 3)
# torch.nn.init.zeros_(model.weight); torch.nn.init.zeros_(model.bias)
# optimiser = torch.optim.SGD(model.parameters(), lr=0.5)
# for step in range(2000):
#     optimiser.zero_grad()
#     loss = F.cross_entropy(model(x), y)            # or weight=..., label_smoothing=0.1
#     loss.backward()
#     optimiser.step()
#
# Y = F.one_hot(y, num_classes=3).float()         # for the other losses of this chapter:
# F.binary_cross_entropy_with_logits(model(x), Y)   # one-vs-rest
# F.mse_loss(F.softmax(model(x), dim=1), Y)         # squared error on probabilities
# F.mse_loss(model(x), Y)                           # squared error on logits
# ```
#
# `loss.backward()` computes exactly $\Phi^\top \nabla_Z\ell$ of {ref}`sec-e2e-model` (split into
# the weight and the bias), and `optimiser.step()` is the update $W \leftarrow W - \eta\nabla_W L$.
# Two mistakes in this loop train without any error message; both are reproduced here with the
# NumPy loop.
#
# ### A softmax at the end of the model
#
# A model that ends in `nn.Softmax` hands probabilities to `cross_entropy`, which applies its own
# log-softmax: the loss becomes $-\log\operatorname{softmax}(\operatorname{softmax}(z))_y$, which
# cannot fall below $\log\big(1 + (C - 1)/e\big)$ ({ref}`sec-ce-double-softmax`). Training still
# "works", which is what makes the mistake hard to see: the decisions are fine, but the reported
# loss is stuck high, and the model's probabilities $\operatorname{softmax}(z)$ fit the test labels
# worse than those of the correctly trained model.


# %%
def double_softmax_grad(Z):
    U = F.softmax(Z, dim=1)
    return softmax_vjp(U, G.cross_entropy_grad(U, y_train))


double_softmax = Objective(
    lambda Z: F.cross_entropy(F.softmax(Z, dim=1), y_train), double_softmax_grad
)
W_double, _, history_double = gradient_descent(double_softmax, Phi_train, steps=1000)
floor_double = math.log(1 + (C - 1) / math.e)
assert history_double[-1] > floor_double
print(
    f"reported loss after 1000 steps: {history_double[-1]:.4f} nats "
    f"(floor log(1 + 2/e) = {floor_double:.4f}; correct model: "
    f"{loss_at(ce_run, 1000):.4f})"
)
print(
    f"test accuracy {accuracy(W_double, Phi_test, y_test):.4f} "
    f"(correct model {metrics['cross-entropy']['accuracy']:.4f})"
)
nll_double = float(F.cross_entropy(Phi_test @ W_double, y_test))
assert nll_double > metrics["cross-entropy"]["nll"]
print(
    f"test NLL of softmax(z): {nll_double:.4f} nats (correct model "
    f"{metrics['cross-entropy']['nll']:.4f})"
)

# %% [markdown]
# ### Forgetting `optimiser.zero_grad()`
#
# PyTorch *adds* each new gradient to the `.grad` already stored. Without `zero_grad()`, step $t$
# uses the sum of all gradients so far, $\sum_{s \le t}\nabla L(W_s)$: a heavy ball without
# friction, which overshoots and oscillates around the minimum instead of settling in it.


# %%
def gradient_descent_without_zero_grad(objective, Phi, steps, lr=LEARNING_RATE):
    W, accumulated, history = (
        np.zeros((Phi.shape[1], C)),
        np.zeros((Phi.shape[1], C)),
        {},
    )
    for t in range(steps + 1):
        if t % EVERY == 0:
            history[t] = loss_of(objective, Phi, W)
        if t < steps:
            accumulated = accumulated + gradient_of(
                objective, Phi, W
            )  # .grad, never zeroed
            W = W - lr * accumulated
    return W, history


W_acc, history_acc = gradient_descent_without_zero_grad(
    OBJECTIVES["cross-entropy"], Phi_train, steps=1000
)
for t in (10, 100, 500, 1000):
    print(
        f"step {t:4d}: loss {history_acc[t]:.4f} nats (with zero_grad: "
        f"{loss_at(ce_run, t):.4f})"
    )
late = np.array([history_acc[t] for t in range(500, 1001, EVERY)])
print(
    f"steps 500 to 1000 without zero_grad: the loss swings between {late.min():.4f} "
    "and "
    f"{late.max():.4f} nats"
)
print(f"test accuracy after 1000 steps {accuracy(W_acc, Phi_test, y_test):.4f}")
assert late.min() > loss_at(ce_run, 1000) and late.max() > 2 * late.min()

# %% [markdown]
# (sec-e2e-summary)=
# ## Summary
#
# - Softmax regression computes $Z = \Phi W$; for every loss of the logits, $\nabla_W \ell =
#   \Phi^\top\nabla_Z\ell$, and for the cross-entropy $\nabla_W L = \Phi^\top(Q - Y)/N$. Derive the
#   gradient, check it against finite differences, *then* train.
# - The trained mean NLL is the conditional cross-entropy from the empirical distribution to the
#   model; at its minimum the average prediction equals the class frequencies.
# - The expected loss of any model is the conditional entropy of the labels (a floor no model
#   removes) plus the expected KL divergence from the true conditional distribution.
# - Label smoothing and class weights change the distribution the model is fitted to: smoothed
#   targets (smaller weights, less confident predictions) and re-weighted examples (more recall on
#   rare classes, probabilities for a balanced world).
# - BCE one-vs-rest fits independent yes/no questions whose probabilities need not sum to 1;
#   squared error on probabilities has vanishing gradients for confident mistakes; squared error
#   on logits can mask a class entirely.
#
# ## Exercises
#
# ```{exercise} What the features are worth
# :label: ex-end-to-end-1
# (a) Train a model with a bias only ($\Phi$ a single column of ones, $W \in \mathbb{R}^{1\times 3}$)
# by gradient descent on the training set. Show that its loss tends to $H(\hat p_Y)$ and its
# prediction to the class frequencies, and explain why with chapter
# {doc}`03-negative-log-likelihood`.
# (b) How many bits per label do the two features save on the training set, and on the test set?
# Which of the two numbers would you report, and why is the training one larger?
# ```
#
# ```{solution-start} ex-end-to-end-1
# :class: dropdown
# ```
#
# (a) With a bias only, every example gets the same prediction $q = \operatorname{softmax}(b)$, and
# the mean NLL is $-\sum_c \hat p_Y(c)\log q_c = H(\hat p_Y, q)$, minimised at $q = \hat p_Y$ with
# value $H(\hat p_Y)$ (the categorical MLE, or Gibbs' inequality). (b) The training difference is
# an optimistic estimate: the weights were chosen to fit these very labels. The test difference is
# the honest one to report. It estimates the information that $x$ carries about $y$, the mutual
# information $I(X; Y) = H(Y) - H(Y \mid X)$ ({cite:t}`cover2006`, chapter 2), which the true model
# attains in expectation: its expected loss is the conditional entropy $H(Y \mid X) =
# \mathbb E_x H(p(\cdot\mid x))$ of {ref}`sec-e2e-empirical`.

# %%
Phi_bias = np.ones((N, 1))
W_bias, _, history_bias = gradient_descent(
    OBJECTIVES["cross-entropy"], Phi_bias, steps=500, lr=2.0
)
q_bias = F.softmax(W_bias, dim=1)[0]
assert abs(history_bias[-1] - H_labels) < 1e-9 and np.allclose(q_bias, freq, atol=1e-6)
print(
    f"(a) bias-only loss {history_bias[-1]:.6f} nats, H(p_Y) = {H_labels:.6f}; "
    f"softmax(b) = {q_bias}"
)
H_test_labels = float(info.entropy(F.one_hot(y_test, num_classes=C).mean(axis=0)))
saved_train = H_labels - ce_run["L_best"]
saved_test = H_test_labels - metrics["cross-entropy"]["nll"]
H_conditional = float(np.mean(info.entropy(F.softmax(Phi_test @ W_TRUE, dim=1))))
print(
    f"(b) bits saved per label: training {saved_train / math.log(2):.4f}, "
    f"test {saved_test / math.log(2):.4f}; I(X; Y) = H(Y) - H(Y | X) = "
    f"{(float(info.entropy(PRIOR)) - H_conditional) / math.log(2):.4f} bits"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} A direction in which nothing changes
# :label: ex-end-to-end-2
# (a) Show that adding the same vector $v \in \mathbb{R}^3$ to every column of $W$ leaves every
# prediction, and so every loss of this chapter that goes through a softmax, unchanged.
# (b) Show that the gradient $\Phi^\top(Q - Y)/N$ has rows that sum to zero. What does this imply
# for gradient descent started from $W = 0$? Check it on the trained weights.
# (c) Is the minimiser of the cross-entropy unique? What about the minimiser of the squared error
# on logits?
# ```
#
# ```{solution-start} ex-end-to-end-2
# :class: dropdown
# ```
#
# (a) Every logit of example $n$ changes by the same number $\varphi(x_n)^\top v$, and the softmax
# ignores a common shift. (b) Each row of $Q - Y$ sums to $1 - 1 = 0$, so $(Q - Y)\mathbf 1 = 0$ and
# $\nabla_W L\,\mathbf 1 = 0$. Every update keeps $W\mathbf 1$ unchanged, so from $W = 0$ the rows
# of $W$ always sum to 0: gradient descent picks the centred minimiser. (c) The cross-entropy is
# constant along $W + v\mathbf 1^\top$, so its minimisers form a three-dimensional family, one
# for each $v \in \mathbb{R}^3$;
# requiring $W\mathbf 1 = 0$ picks one. The squared error on logits is not invariant (the targets
# are fixed numbers, not probabilities): its minimiser is unique when $\Phi^\top\Phi$ is
# invertible.

# %%
grad_ce = gradient_of(OBJECTIVES["cross-entropy"], Phi_train, W_random)
assert np.allclose(grad_ce.sum(axis=1), 0, atol=1e-14)
assert np.allclose(ce_run["W"].sum(axis=1), 0, atol=1e-12)
v_shift = np.array([[1.0], [-2.0], [0.5]])
same = np.allclose(
    F.softmax(Phi_train @ (ce_run["W"] + v_shift), dim=1), Q_train, atol=1e-14
)
print(f"(a) predictions unchanged after adding v to every column: {same}")
print(
    f"(b) largest |row sum| of a gradient < 1e-14: "
    f"{np.max(np.abs(grad_ce.sum(axis=1))) < 1e-14}; "
    f"of the trained W < 1e-12: {np.max(np.abs(ce_run['W'].sum(axis=1))) < 1e-12}"
)
sq_name = "squared error on logits"
shifted_sq = loss_of(OBJECTIVES[sq_name], Phi_train, runs[sq_name]["W"] + v_shift)
print(
    f"(c) squared error on logits at its minimum {runs[sq_name]['L_best']:.4f}, "
    f"after the shift {shifted_sq:.4f}"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} How large may the step be?
# :label: ex-end-to-end-3
# For the squared error on logits the loss is quadratic in $W$, with the constant {term}`Hessian`
# $\frac{2}{NC}\Phi^\top\Phi$ acting on each column of $W$.
# (a) Show that gradient descent converges for every start if and only if $0 < \eta <
# \eta_{\max} = NC/\lambda_{\max}(\Phi^\top\Phi)$, and compute $\eta_{\max}$ for the training set.
# (b) Run 300 steps at $0.95\,\eta_{\max}$ and at $1.05\,\eta_{\max}$ and report the loss.
# (c) The cross-entropy's Hessian is not constant. Why did $\eta = 0.5$ work for it too? (Hint:
# the per-example Hessian with respect to the logits, $\operatorname{diag}(q) - qq^\top$, has
# eigenvalues at most $1/2$.)
# ```
#
# ```{solution-start} ex-end-to-end-3
# :class: dropdown
# ```
#
# (a) The error $E_t = W_t - W^\ast$ evolves as $E_{t+1} = \big(I - \eta\tfrac{2}{NC}\Phi^\top\Phi
# \big)E_t$; it shrinks for every start exactly when every eigenvalue $1 - \eta\tfrac{2}{NC}
# \lambda_i$ lies in $(-1, 1)$, that is $0 < \eta < NC/\lambda_{\max}$. (b) Below the limit the
# loss settles at the least-squares minimum; above it, the component along the top eigenvector
# grows by the factor $|1 - \eta\tfrac{2}{NC}\lambda_{\max}| > 1$ per step and the loss explodes.
# (c) The cross-entropy's Hessian is bounded by $\tfrac12\cdot\tfrac1N\Phi^\top\Phi$ (per example
# the logit Hessian is at most $\tfrac12$), so any $\eta < 2/\big(\tfrac12\lambda_{\max}/N\big)$ is safe;
# SymPy checks the eigenvalues of $\operatorname{diag}(q) - qq^\top$ for $C = 2$, and the cell
# checks the bound numerically for $C = 3$.

# %%
lam_max = float(np.linalg.eigvalsh(Phi_train.T @ Phi_train).max())
eta_max = N * C / lam_max
print(
    f"(a) lambda_max(Phi^T Phi) = {lam_max:.4f}, eta_max = N C / lambda_max = "
    f"{eta_max:.4f}"
)
for factor in (0.95, 1.05):
    _, _, hist = gradient_descent(
        OBJECTIVES[sq_name], Phi_train, steps=300, lr=factor * eta_max
    )
    print(f"(b) eta = {factor:.2f} eta_max: loss after 300 steps {hist[-1]:.4g}")
q_sym = sp.Symbol("q", positive=True)
q_vec = sp.Matrix([q_sym, 1 - q_sym])
eigen_2 = sorted(
    (sp.factor(e) for e in (sp.diag(*q_vec) - q_vec * q_vec.T).eigenvals()),
    key=sp.default_sort_key,
)
top_2 = sp.maximum(2 * q_sym * (1 - q_sym), q_sym, sp.Interval(0, 1))
assert set(eigen_2) == {0, -2 * q_sym * (q_sym - 1)} and top_2 == sp.Rational(1, 2)
q_many = sym.random_simplex(rng, C, size=2000)
logit_hessians = (
    np.eye(C) * q_many[:, None, :] - q_many[:, :, None] * q_many[:, None, :]
)
top = float(np.linalg.eigvalsh(logit_hessians).max())
assert top <= 0.5
print(f"(c) C = 2: eigenvalues {eigen_2}, largest value {top_2} (at q = 1/2)")
print(f"    C = 3: largest eigenvalue over 2000 random q: {top:.4f}")
print(
    f"    safe step for the cross-entropy 4 N / lambda_max = {4 * N / lam_max:.4f} > "
    "0.5"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} When the classes do not overlap
# :label: ex-end-to-end-4
# Draw a new training set (seed 44) with the class centres three times further apart
# (`3 * MEANS`), so that it is linearly separable.
# The features are now three times larger, and $\eta = 0.5$ is too large a step for them: use 0.9
# times the safe step $4N/\lambda_{\max}(\Phi^\top\Phi)$ of exercise {ref}`ex-end-to-end-3`.
# (a) Train with the cross-entropy for 500, 1000 and 2000 steps. What happens to the loss and to
# $|W|$? Is there a minimiser?
# (b) Repeat with `label_smoothing=0.1`. What is different, and why?
# ```
#
# ```{solution-start} ex-end-to-end-4
# :class: dropdown
# ```
#
# (a) On separable data, scaling up any $W$ that separates the classes lowers every per-example
# loss towards 0: the loss tends to 0 but no finite $W$ reaches it, and $|W|$ keeps growing
# (roughly like $\log t$). There is no minimiser, and the predicted probabilities become
# overconfident. (b) With smoothing the optimal prediction for each example is the smoothed target,
# reached at finite logits ({ref}`sec-ce-label-smoothing`): the loss stops at a positive value
# and $|W|$ converges. This is the situation smoothing was designed for.

# %%
rng_sep = np.random.default_rng(44)
X_sep = np.vstack(
    [3 * MEANS[c] + rng_sep.normal(size=(COUNTS[c], 2)) @ MIXING.T for c in range(C)]
)
y_sep = np.repeat(np.arange(C), COUNTS)
Phi_sep = np.hstack([X_sep, np.ones((N, 1))])
objectives_sep = make_objectives(
    y_sep, F.one_hot(y_sep, num_classes=C).astype(np.float64)
)
lr_sep = 0.9 * 4 * N / float(np.linalg.eigvalsh(Phi_sep.T @ Phi_sep).max())
print(f"step size 0.9 * 4 N / lambda_max = {lr_sep:.4f}")
CHECKPOINTS = (500, 1000, 2000)
norms = {}
for name in ("cross-entropy", "label smoothing"):
    W_sep = np.zeros((3, C))
    for t in range(1, CHECKPOINTS[-1] + 1):
        W_sep = W_sep - lr_sep * gradient_of(objectives_sep[name], Phi_sep, W_sep)
        if t in CHECKPOINTS:
            norms[name, t] = float(np.linalg.norm(W_sep))
            assert (
                name != "cross-entropy" or accuracy(W_sep, Phi_sep, y_sep) == 1.0
            )  # separable
            loss_sep = loss_of(objectives_sep[name], Phi_sep, W_sep)
            print(
                f"{name:16s} {t:5d} steps: loss {loss_sep:.5f}, |W| = "
                f"{norms[name, t]:.3f}, "
                f"training accuracy {accuracy(W_sep, Phi_sep, y_sep):.3f}"
            )
growth = {
    name: norms[name, 2000] - norms[name, 1000]
    for name in ("cross-entropy", "label smoothing")
}
assert (
    norms["cross-entropy", 2000]
    > norms["cross-entropy", 1000]
    > norms["cross-entropy", 500]
)
assert growth["label smoothing"] < 0.05 * growth["cross-entropy"]
print(
    f"|W| grew by {growth['cross-entropy']:.4f} (cross-entropy) and by "
    f"{growth['label smoothing']:.4f} (label smoothing) from step 1000 to 2000"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Class weights move the logits
# :label: ex-end-to-end-5
# (a) Show that in the population (infinitely many examples), weighting class $c$ by $w_c$ in the
# cross-entropy has the same minimiser as training on data whose class proportions are
# $\pi_c w_c / \sum_k \pi_k w_k$, and that for our Gaussian classes this adds $\log w_c$ (plus a
# constant) to the true logits.
# (b) Compare the bias row of the weighted minimiser with that of the unweighted one, after
# centring. Is the difference close to $\log w_c$ (centred)?
# (c) On the test set, how often does the unweighted model with $\log w_c$ added to its logits make
# the same decision as the weighted model? What does this suggest as a cheap alternative to
# retraining with class weights?
# ```
#
# ```{solution-start} ex-end-to-end-5
# :class: dropdown
# ```
#
# (a) The weighted expected loss is $\sum_c \pi_c w_c\,\mathbb E_{x\mid c}[-\log q(c\mid x)]$, which
# is (up to the constant factor $\sum_k \pi_k w_k$) the expected loss under the prior
# $\pi'_c \propto \pi_c w_c$; its minimiser is that world's posterior. In the Gaussian model
# only $b_c$ contains the prior, through $\log \pi_c$, so it becomes $\log \pi_c + \log w_c$ minus a
# constant. (b) On 300 examples the two differ a little (the finite-sample minimisers are not
# exactly related by a shift) but agree in sign and size. (c) The decisions nearly coincide: adding
# $\log w_c$ to a trained model's logits (post-hoc *logit adjustment* {cite:p}`menon2021`) gives
# almost the same classifier without retraining.

# %%
bias_shift = centred(runs["class weights"]["W_best"] - runs["cross-entropy"]["W_best"])
log_w = np.log(CLASS_WEIGHT) - np.log(CLASS_WEIGHT).mean()
print("(b) centred bias difference:", bias_shift[2], " centred log w:", log_w)
print("    centred difference of the feature rows:\n", bias_shift[:2])
adjusted = np.argmax(
    Phi_test @ runs["cross-entropy"]["W_best"] + np.log(CLASS_WEIGHT), axis=1
)
weighted = np.argmax(Phi_test @ runs["class weights"]["W_best"], axis=1)
agreement = float(np.mean(adjusted == weighted))
assert agreement > 0.98
print(
    f"(c) same decision on {agreement:.4f} of the test points; recall of class 2 with "
    "the shift: "
    f"{float(np.mean(adjusted[y_test == 2] == 2)):.4f} (weighted model "
    f"{metrics['class weights']['recall'][2]:.4f})"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`bishop2006`, sections 4.1.3, 4.2 and 4.3.4: least squares for classification and its
#   masking of classes, Gaussian classes with a shared covariance give a softmax of linear logits,
#   and the gradient of multiclass logistic regression.
# - {cite:t}`hastie2009`, section 4.2: linear regression of an indicator matrix, and the
#   *masking* of classes that it causes when there are three or more.
# - {cite:t}`murphy2022`, chapter 10: logistic and multinomial logistic regression, trained by
#   maximum likelihood.
# - {cite:t}`cover2006`, chapter 2: conditional entropy, and Gibbs' inequality behind the floor
#   $\mathbb E_x H(p(\cdot\mid x))$.
# - {cite:t}`goodfellow2016`, sections 4.3 and 6.2.2: gradient descent, and why softmax outputs are
#   trained with the cross-entropy rather than squared error.
# - {cite:t}`golik2013` compare cross-entropy and squared-error training of the same networks.
# - {cite:t}`szegedy2016` introduced label smoothing; {cite:t}`muller2019` show when it helps and
#   what it does to confidence.
# - {cite:t}`menon2021` analyse logit adjustment by the class prior, after training or inside the
#   loss, as the principled alternative to re-weighting for imbalanced classes.
# - {cite:t}`paszke2019` describe PyTorch, whose `cross_entropy`, `binary_cross_entropy_with_logits`
#   and `mse_loss` `lossbook.functional` reproduces.
