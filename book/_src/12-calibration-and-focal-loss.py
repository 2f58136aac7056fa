# %% [markdown]
# # Is the probability right? Scoring rules, calibration and the focal loss
#
# A classifier trained with {term}`cross-entropy` outputs a probability for every class, and we
# read those numbers as probabilities: "90 % sure it is a cat". **Why should they mean
# anything?** This chapter answers in three steps. The log loss and the {term}`Brier score` are
# {term}`proper scoring rule`s: their expected value is smallest exactly when the forecast
# equals the true distribution, which is why training on them can produce honest probabilities
# and training on accuracy cannot. Whether a *trained* model's probabilities are honest is an
# empirical question, measured by a {term}`reliability diagram` and the
# {term}`expected calibration error`, and often repaired by one number, a
# {term}`temperature scaling` of the logits. Finally the {term}`focal loss`, which re-weights the
# cross-entropy to concentrate on hard examples, changes what the model is pushed towards, and
# we derive by how much.
#
# **In this chapter** you will
#
# 1. prove with SymPy that the expected log score and the expected Brier score are minimised
#    exactly at the truth, and find a counterexample that shows accuracy is not;
# 2. draw reliability diagrams, compute the ECE with equal-width and equal-mass bins, and measure
#    its bias on a model that is calibrated by construction;
# 3. split the Brier score into a calibration term and a refinement term, exactly;
# 4. derive the gradient of the NLL in the temperature, show that the fit is convex in $1/T$, and
#    apply it to the models of {doc}`09-end-to-end`;
# 5. derive the focal loss's gradient and Mukhoti et al.'s bound, compare its $\alpha$ with
#    `pos_weight`, and compute it to full precision where torchvision's formula loses every digit;
# 6. reproduce three mistakes with their numeric fingerprints.
#
# **You need**
#
# - cross-entropy and relative entropy, from {doc}`02-cross-entropy` and {doc}`05-kl-divergence`;
# - binary cross-entropy with logits and `pos_weight`, from {doc}`04-binary-cross-entropy`;
# - the softmax-regression model of {doc}`09-end-to-end`, which this chapter re-creates.

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

import lossbook.calibration as cal
import lossbook.functional as F
import lossbook.gradients as G
import lossbook.info as info
import lossbook.plotting as lbplot

# %%
np.set_printoptions(precision=4, suppress=True)
lbplot.use_style()
rng = np.random.default_rng(1212)

# %% [markdown]
# (sec-calib-proper)=
# ## Proper scoring rules
#
# A *scoring rule* $S(q, y)$ charges a forecast $q$ (a probability vector over the classes) when
# the outcome is $y$. If the outcome is drawn from the true distribution $p$, the forecaster's
# expected charge is
#
# $$
# S(q; p) = \sum_y p_y\, S(q, y).
# $$
#
# The rule is **proper** if $S(q; p) \ge S(p; p)$ for every $q$: an honest forecast is never
# beaten on average. It is **strictly proper** if equality holds only at $q = p$: *only* the honest
# forecast is optimal. Three rules matter here:
#
# | rule | $S(q, y)$ | in training |
# |---|---|---|
# | log score | $-\log q_y$ | cross-entropy, NLL |
# | Brier score | $\sum_c (q_c - [y = c])^2$ | squared error on probabilities |
# | 0–1 loss | $[\arg\max_c q_c \ne y]$ | one minus accuracy |
#
# For the log score the expected charge is the cross-entropy $H(p, q) = H(p) + D_{\mathrm{KL}}(p
# \,\|\, q)$ of {ref}`sec-relative-entropy`, and Gibbs' inequality ({prf:ref}`thm-gibbs`) already
# says that it is smallest exactly at $q = p$. SymPy confirms it the calculus way, with the simplex
# constraint, for two and three classes, and does the same for the Brier score:

# %%
q1, q2, q3, lam = sp.symbols("q_1 q_2 q_3 lambda", positive=True)
p1, p2, p3 = sp.symbols("p_1 p_2 p_3", positive=True)

# Binary log score: E[-log q_Y] with P(Y = 1) = p1, forecast q1.
log_score_binary = -(p1 * sp.log(q1) + (1 - p1) * sp.log(1 - q1))
critical = sp.solve(sp.diff(log_score_binary, q1), q1)
curvature = sp.simplify(sp.diff(log_score_binary, q1, 2))
assert critical == [p1]
curvature_claimed = p1 / q1**2 + (1 - p1) / (1 - q1) ** 2
assert sp.simplify(curvature - curvature_claimed) == 0
display(
    Math(
        r"\frac{d}{dq}\,\mathbb{E}[-\log q_Y] = 0 \iff q = "
        + sp.latex(critical[0])
        + r", \qquad \frac{d^2}{dq^2} = "
        + sp.latex(curvature_claimed)
        + r" > 0"
    )
)

# Three classes, with a Lagrange multiplier for q1 + q2 + q3 = 1.
lagrangian = -(p1 * sp.log(q1) + p2 * sp.log(q2) + p3 * sp.log(q3)) + lam * (
    q1 + q2 + q3 - 1
)
stationary = sp.solve(
    [sp.diff(lagrangian, v) for v in (q1, q2, q3, lam)], [q1, q2, q3, lam], dict=True
)
assert len(stationary) == 1
solution = {k: sp.simplify(v.subs(p3, 1 - p1 - p2)) for k, v in stationary[0].items()}
assert [solution[q] for q in (q1, q2, q3)] == [p1, p2, 1 - p1 - p2]
display(
    Math(
        r"\text{log score, } C = 3:\quad q^\ast = ("
        + ", ".join(sp.latex(solution[q]) for q in (q1, q2, q3))
        + r")"
    )
)

# %% [markdown]
# For the Brier score the minimiser can be read off a completed square. Expanding the expectation
# gives, for every $C$ that we check,
#
# $$
# \mathbb{E}_{Y \sim p}\Big[\sum_c (q_c - [Y = c])^2\Big]
# = \sum_c (q_c - p_c)^2 + \Big(1 - \sum_c p_c^2\Big),
# $$
#
# a squared distance to the truth plus a term that does not depend on $q$. SymPy proves the
# identity for $C = 2, \dots, 6$ (with $\sum_c p_c = 1$ substituted for the last class):


# %%
def brier_identity_holds(n_classes: int) -> bool:
    p = list(sp.symbols(f"p_1:{n_classes}", positive=True))
    p.append(1 - sum(p))  # the simplex constraint
    q = sp.symbols(f"q_1:{n_classes + 1}", real=True)
    expected = sum(
        p[y] * sum((q[c] - (1 if c == y else 0)) ** 2 for c in range(n_classes))
        for y in range(n_classes)
    )
    completed = (
        sum((q[c] - p[c]) ** 2 for c in range(n_classes)) + 1 - sum(v**2 for v in p)
    )
    return sp.expand(expected - completed) == 0


proved_for = [c for c in range(2, 7) if brier_identity_holds(c)]
assert proved_for == [2, 3, 4, 5, 6]
print(
    "Brier expectation = squared distance to p + (1 - sum p^2): proved for C =",
    proved_for,
)

# %% [markdown]
# ```{prf:theorem} The log score and the Brier score are strictly proper
# :label: thm-strictly-proper
# For a distribution $p$ on finitely many classes and any forecast $q$ on the same classes,
# $\mathbb{E}_{Y\sim p}[-\log q_Y] \ge \mathbb{E}_{Y\sim p}[-\log p_Y]$ and
# $\mathbb{E}_{Y\sim p}[\mathrm{BS}(q, Y)] \ge \mathbb{E}_{Y\sim p}[\mathrm{BS}(p, Y)]$, each with
# equality if and only if $q = p$.
# ```
#
# ```{prf:proof}
# The expected log score is $H(p) + D_{\mathrm{KL}}(p\,\|\,q)$, and $D_{\mathrm{KL}}(p\,\|\,q)
# \ge 0$ with equality iff $q = p$ ({prf:ref}`thm-gibbs`). The expected Brier score is
# $\sum_c (q_c - p_c)^2 + 1 - \sum_c p_c^2$: expand both sides, using $\sum_c p_c = 1$ (the cell
# above checks the expansion for $C = 2, \dots, 6$; by hand it is one line for every $C$:
# $\sum_y p_y \sum_c (q_c - [y=c])^2 = \sum_c q_c^2 - 2\sum_c p_c q_c + 1$). The first term is a
# squared distance, zero only at $q = p$.
# ```
#
# The 0–1 loss is proper but **not strictly** proper. Its expected value is
# $1 - p_{\arg\max q}$: it looks only at *which* class the forecast ranks first. Every forecast
# with the right top class scores exactly as well as the truth:

# %%
p_true = np.array([0.6, 0.3, 0.1])
forecasts = {
    "the truth": p_true,
    "overconfident": np.array([0.98, 0.01, 0.01]),
    "underconfident": np.array([0.36, 0.33, 0.31]),
}
labels = np.arange(3)


def expected(score, q):
    """Expected score of forecast q when the label is drawn from p_true."""
    return float(p_true @ score(q))


scores = {
    "log score": lambda q: F.cross_entropy(
        np.log(np.tile(q, (3, 1))), labels, reduction="none"
    ),
    "Brier": lambda q: cal.brier_score(np.tile(q, (3, 1)), labels, reduction="none"),
    "0-1 loss": lambda q: (np.argmax(q) != labels).astype(float),
}
print(f"{'forecast':16s}" + "".join(f"{name:>12s}" for name in scores))
table = {}
for name, q in forecasts.items():
    table[name] = [expected(score, q) for score in scores.values()]
    print(f"{name:16s}" + "".join(f"{v:12.4f}" for v in table[name]))

assert all(
    table["the truth"][i] < table[k][i]
    for k in forecasts
    if k != "the truth"
    for i in (0, 1)
)
assert (
    table["the truth"][2]
    == table["overconfident"][2]
    == table["underconfident"][2]
    == 0.4
)

# %% [markdown]
# All three forecasts have accuracy $0.6$ and an expected 0–1 loss of exactly $0.4$; the log score
# and the Brier score both single out the truth. This is why classifiers are trained on a
# strictly proper score and not on accuracy: accuracy gives no reason to report $0.6$ rather than
# $0.98$, and (as a step function of the logits) no gradient either.
#
# (sec-calib-reliability)=
# ## Calibration and the reliability diagram
#
# Propriety is a statement about the *expected* score of the true distribution. A trained
# network never sees the true distribution, only samples, and it is not flexible enough (or is
# too flexible) to reach it. Whether its probabilities can be read as frequencies is measured
# directly. A classifier is **calibrated** ({term}`calibration`) if, among the examples on which its top-class
# confidence is $c$, a fraction $c$ is classified correctly:
#
# $$
# P\big(\hat y = Y \,\big|\, \max_k q_k = c\big) = c \qquad \text{for every } c.
# $$
#
# A {term}`reliability diagram` bins the examples by confidence and plots, for each bin $b$, the
# accuracy $\mathrm{acc}_b$ against the mean confidence $\mathrm{conf}_b$; a calibrated model lies
# on the diagonal. The {term}`expected calibration error` summarises the diagram as the
# count-weighted gap {cite:p}`naeini2015,guo2017`:
#
# $$
# \mathrm{ECE} = \sum_b \frac{n_b}{N}\,\big|\mathrm{acc}_b - \mathrm{conf}_b\big| .
# $$
#
# To see what these measure, we use synthetic models whose calibration we know: the confidence
# $c$ is drawn first, and the prediction is then correct with probability $g(c)$. With
# $g(c) = c$ the model is calibrated by construction; with $g(c) = c^3$ it is overconfident (it
# is right less often than it claims).


# %%
def synthetic_predictions(rng, n, truth=lambda c: c):
    """Confidences in [1/3, 1] and whether each prediction is right, with
    P(right) = truth(c)."""
    confidence = rng.uniform(1 / 3, 1, size=n)
    correct = rng.random(n) < truth(confidence)
    return confidence, correct


calibrated = synthetic_predictions(rng, 5000)
overconfident = synthetic_predictions(rng, 5000, truth=lambda c: c**3)
print(f"{'model':14s} {'ECE uniform':>12s} {'ECE quantile':>13s}   (15 bins, N = 5000)")
for name, (conf, ok) in [("calibrated", calibrated), ("overconfident", overconfident)]:
    print(
        f"{name:14s} {cal.expected_calibration_error(conf, ok, 15):12.4f}"
        f" {cal.expected_calibration_error(conf, ok, 15, 'quantile'):13.4f}"
    )

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two reliability diagrams side by side, accuracy from 0 to 1 against mean confidence from 0.3 to 1. Left, the model calibrated by construction: the markers of the 10 non-empty equal-width bins (confidences start at 1/3) lie on the dashed diagonal. Right, the overconfident model: the markers lie below the diagonal, further below at middle confidences, with accuracy about 0.1 at confidence 0.45 and about 0.9 at confidence 0.97. Grey bars show the fraction of the examples in each bin, on the same 0 to 1 scale."}}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
for ax, (name, (conf, ok)) in zip(
    axes, [("calibrated by construction", calibrated), ("overconfident", overconfident)]
):
    bins = cal.reliability_bins(conf, ok, n_bins=15)
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    ax.plot(bins.confidence, bins.accuracy, "o-", label="bins (equal width)")
    ax.bar(
        bins.confidence,
        bins.counts / bins.counts.sum(),
        width=0.03,
        alpha=0.3,
        color="grey",
        label="fraction of examples",
    )
    ece = cal.expected_calibration_error(conf, ok, 15)
    ax.set_title(f"{name}: ECE = {ece:.3f}")
    ax.set_xlim(0.3, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("mean confidence in bin (probability)")
axes[0].set_ylabel("accuracy in bin (fraction correct)")
axes[0].legend(loc="upper left", fontsize=9)
plt.show()

# %% [markdown]
# ### The ECE is biased
#
# The calibrated model's ECE is not 0. Each bin's accuracy is an average of a few hundred coin
# flips, and the absolute value in the ECE turns their noise into a positive bias. With $n_b$
# examples in a bin the noise in $\mathrm{acc}_b$ is about $\sqrt{c(1-c)/n_b}$, so with $B$
# bins of $N/B$ examples the bias is of order $\sqrt{B/N}$: more bins or fewer examples, more
# bias. The table averages the ECE of the calibrated model over 200 seeded repetitions:


# %%
def mean_ece(n, n_bins, binning, repeats=200, seed=7):
    generator = np.random.default_rng(seed)
    values = [
        cal.expected_calibration_error(
            *synthetic_predictions(generator, n), n_bins, binning
        )
        for _ in range(repeats)
    ]
    return float(np.mean(values))


sizes, bin_counts = [500, 2000, 8000], [5, 15, 50]
bias = {(n, b): mean_ece(n, b, "uniform") for n in sizes for b in bin_counts}
print("mean ECE of a calibrated model (equal-width bins); rows N, columns B")
print(
    f"{'N':>6s}"
    + "".join(f"{'B = ' + str(b):>12s}" for b in bin_counts)
    + f"{'sqrt(B/N), B=15':>18s}"
)
for n in sizes:
    print(
        f"{n:6d}"
        + "".join(f"{bias[n, b]:12.4f}" for b in bin_counts)
        + f"{math.sqrt(15 / n):18.4f}"
    )
assert all(bias[n, 5] < bias[n, 15] < bias[n, 50] for n in sizes)
assert all(bias[500, b] > bias[2000, b] > bias[8000, b] for b in bin_counts)
quantile_15 = mean_ece(2000, 15, "quantile")
print(f"equal-mass bins, N = 2000, B = 15: {quantile_15:.4f}")

# %% [markdown]
# Each row grows roughly like $\sqrt{B}$ and each column falls roughly like $1/\sqrt{N}$, as the
# $\sqrt{B/N}$ estimate says (the constant in front is about a quarter here). Equal-mass bins
# (`binning='quantile'`) put the same number of examples in every bin, so no bin is nearly empty
# when the confidences pile up near 1; on this model, whose confidences are spread evenly, their
# bias is a little larger than the equal-width bins' (last line of the table). An ECE is only meaningful next to its bias: report $N$ and
# $B$, and compare models on the same test set with the same bins.
#
# (sec-calib-brier-decomposition)=
# ### Calibration and refinement: the Brier score split in two
#
# The Brier score of binary forecasts mixes two qualities: whether the probabilities are right
# (calibration) and how sharply they separate the classes (refinement). Group the examples by
# their distinct forecast values $f_k$, with $n_k$ examples and observed frequency $\bar o_k$ in
# group $k$. Inside one group the sum of squares splits like a variance:

# %%
f, o_bar = sp.symbols("f obar", real=True)
# the identity holds for every group size; SymPy checks n = 5 with every label pattern
n = 5
outcomes = sp.symbols(f"y_1:{n + 1}")
group_sum = sum((f - y) ** 2 for y in outcomes)
mean_outcome = sum(outcomes) / n
split = n * (f - mean_outcome) ** 2 + sum((y - mean_outcome) ** 2 for y in outcomes)
assert sp.expand(group_sum - split) == 0
# with 0/1 labels the spread term is n * obar * (1 - obar)
for positives in range(n + 1):
    labels_01 = [1] * positives + [0] * (n - positives)
    spread = sum((y - sp.Rational(positives, n)) ** 2 for y in labels_01)
    assert spread == n * sp.Rational(positives, n) * (1 - sp.Rational(positives, n))
display(
    Math(
        r"\sum_{i=1}^{n} (f - y_i)^2 = n\,(f - \bar o)^2 + n\,\bar o\,(1 - \bar o)"
        r"\quad (y_i \in \{0, 1\},\ n = 5)"
    )
)

# %% [markdown]
# Summing over the groups and dividing by $N$ gives Murphy's partition {cite:p}`murphy1973`:
#
# $$
# \mathrm{BS} = \underbrace{\frac1N\sum_k n_k (f_k - \bar o_k)^2}_{\text{calibration}}
# + \underbrace{\frac1N\sum_k n_k\, \bar o_k(1 - \bar o_k)}_{\text{refinement}},
# \qquad
# \text{refinement} = \bar o(1 - \bar o) - \frac1N\sum_k n_k(\bar o_k - \bar o)^2,
# $$
#
# the last being uncertainty minus resolution. A forecaster who always says the base rate
# $\bar o$ is perfectly calibrated and has the worst refinement, $\bar o(1-\bar o)$; a
# forecaster who separates the classes but exaggerates has good refinement and poor calibration.
# `lossbook.calibration.brier_decomposition` computes the four terms; on two forecasters of the
# same 0/1 labels:

# %%
honest = rng.choice([0.1, 0.6], size=4000, p=[0.6, 0.4])  # calibrated by construction
labels_binary = (rng.random(4000) < honest).astype(
    int
)  # base rate 0.6*0.1 + 0.4*0.6 = 0.3
forecasters = {
    "base rate 0.3": np.full(4000, 0.3),
    "honest, sharp": honest,
    "exaggerated": np.where(
        honest == 0.6, 0.95, 0.02
    ),  # the same ranking, pushed outwards
}
print(
    f"{'forecaster':16s} {'Brier':>8s} {'calib.':>8s} {'refine.':>8s} {'resol.':>8s} "
    f"{'uncert.':>8s}"
)
for name, forecast in forecasters.items():
    d = cal.brier_decomposition(forecast, labels_binary)
    assert math.isclose(d.score, d.calibration + d.refinement, rel_tol=1e-12)
    assert math.isclose(d.refinement, d.uncertainty - d.resolution, abs_tol=1e-12)
    print(
        f"{name:16s} {d.score:8.4f} {d.calibration:8.4f} {d.refinement:8.4f} "
        f"{d.resolution:8.4f} {d.uncertainty:8.4f}"
    )

# %% [markdown]
# The "honest, sharp" forecaster says 0.1 or 0.6 and is right about those frequencies; the
# "exaggerated" one says 0.02 or 0.95 for the same two groups. They group the examples the same
# way, so they have the same refinement and resolution, and the exaggerated one pays a
# calibration term on top. The base-rate forecaster is calibrated (up to sampling noise) but
# resolves nothing: its refinement is the whole uncertainty $\bar o(1 - \bar o)$.
#
# (sec-calib-temperature)=
# ## Temperature scaling
#
# The simplest repair of a miscalibrated classifier divides its logits by one number $T > 0$
# before the softmax, $q = \operatorname{softmax}(z/T)$, with $T$ fitted by minimising the NLL on
# held-out data {cite:p}`guo2017`. $T > 1$ softens overconfident probabilities, $T < 1$ sharpens
# underconfident ones, and no prediction changes its top class. With $\beta = 1/T$, the NLL of
# one example and its derivatives are

# %%
beta = sp.symbols("beta", positive=True)
z = sp.symbols("z_0:3", real=True)
y_index = 0
log_partition = sp.log(sum(sp.exp(beta * zc) for zc in z))
nll_beta = log_partition - beta * z[y_index]
q_beta = [sp.exp(beta * zc) / sum(sp.exp(beta * zk) for zk in z) for zc in z]
mean_z = sum(qc * zc for qc, zc in zip(q_beta, z))
variance_z = sum(qc * zc**2 for qc, zc in zip(q_beta, z)) - mean_z**2
assert sp.simplify(sp.diff(nll_beta, beta) - (mean_z - z[y_index])) == 0
assert sp.simplify(sp.diff(nll_beta, beta, 2) - variance_z) == 0
T = sp.symbols("T", positive=True)
nll_T = nll_beta.subs(beta, 1 / T)
assert (
    sp.simplify(sp.diff(nll_T, T) - (z[y_index] - mean_z.subs(beta, 1 / T)) / T**2) == 0
)
display(
    Math(
        r"\frac{\partial \ell}{\partial \beta} = \mathbb{E}_{q}[z] - z_y, \qquad"
        r"\frac{\partial^2 \ell}{\partial \beta^2} = "
        r"\operatorname{Var}_{q}[z] \ge 0, \qquad"
        r"\frac{\partial \ell}{\partial T} = \frac{z_y - \mathbb{E}_{q}[z]}{T^2}"
        r"\qquad (C = 3)"
    )
)

# %% [markdown]
# The second derivative in $\beta$ is a variance, so the NLL is **convex in $\beta = 1/T$**
# (checked here for three classes; the same computation holds for any $C$, since the derivatives
# of a log-partition function are the mean and variance of $z$ under $q$). It need not be convex
# in $T$ itself. `lossbook.calibration.fit_temperature` therefore solves
# $\mathbb{E}_q[z] = z_y$ on average in $\beta$, by Newton's method safeguarded by bisection.
#
# ### Applied to the models of chapter 9
#
# {doc}`09-end-to-end` trains softmax regression on three Gaussian classes. We re-create its data
# (same means, covariance and class counts) and its models: plain cross-entropy, and
# cross-entropy with {term}`label smoothing` $\varepsilon = 0.1$. A separate validation set of
# 1500 examples is used to fit $T$; the test set of 6000 is used only to measure.

# %%
C = 3
MEANS = np.array([[-2.5, -0.5], [0.0, 0.0], [2.5, 0.5]])
MIXING = np.array([[0.9, 0.0], [0.3, 0.9]])
COUNTS = np.array([160, 100, 40])


def draw(generator, counts):
    X = np.vstack(
        [MEANS[c] + generator.normal(size=(counts[c], 2)) @ MIXING.T for c in range(C)]
    )
    y = np.repeat(np.arange(C), counts)
    order = generator.permutation(y.size)
    return X[order], y[order]


def features(X):
    return np.hstack([X, np.ones((len(X), 1))])


data_rng = np.random.default_rng(2026)
X_train, y_train = draw(data_rng, COUNTS)
X_val, y_val = draw(data_rng, 5 * COUNTS)
X_test, y_test = draw(data_rng, 20 * COUNTS)


def fit(Phi, y, loss, grad):
    """Minimise loss(Phi @ W, y) over W with L-BFGS (to the optimiser's tolerance)."""

    def objective(w):
        W = w.reshape(Phi.shape[1], C)
        Z = Phi @ W
        return float(loss(Z, y)), (Phi.T @ grad(Z, y)).ravel()

    start = np.zeros(Phi.shape[1] * C)
    result = scipy.optimize.minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-10, "maxiter": 2000},
    )
    return result.x.reshape(Phi.shape[1], C)


models = {
    "cross-entropy": fit(
        features(X_train), y_train, F.cross_entropy, G.cross_entropy_grad
    ),
    "label smoothing 0.1": fit(
        features(X_train),
        y_train,
        lambda Z, y: F.cross_entropy(Z, y, label_smoothing=0.1),
        lambda Z, y: G.cross_entropy_grad(Z, y, label_smoothing=0.1),
    ),
}


def report(Z, y):
    q = F.softmax(Z, dim=1)
    confidence, correct = cal.confidence_and_correct(q, y)
    return {
        "NLL": float(F.cross_entropy(Z, y)),
        "ECE": cal.expected_calibration_error(confidence, correct, 15),
        "confidence": float(confidence.mean()),
        "accuracy": float(correct.mean()),
    }


print(
    f"{'model':28s} {'T':>7s} {'test NLL':>9s} {'ECE':>7s} {'mean conf.':>11s} "
    f"{'accuracy':>9s}"
)
results = {}
for name, W in models.items():
    Z_val, Z_test = features(X_val) @ W, features(X_test) @ W
    T_fit = cal.fit_temperature(Z_val, y_val)
    before, after = report(Z_test, y_test), report(Z_test / T_fit, y_test)
    results[name] = (T_fit, before, after)
    for label, r, t in (("", before, 1.0), (" scaled", after, T_fit)):
        print(
            f"{name + label:28s} {t:7.3f} {r['NLL']:9.4f} {r['ECE']:7.4f} "
            f"{r['confidence']:11.4f} {r['accuracy']:9.4f}"
        )

T_smooth, before_smooth, after_smooth = results["label smoothing 0.1"]
assert T_smooth < 1 and after_smooth["ECE"] < before_smooth["ECE"]
assert after_smooth["NLL"] < before_smooth["NLL"]
assert after_smooth["accuracy"] == before_smooth["accuracy"]

# %% [markdown]
# The model trained with plain cross-entropy is the maximum-likelihood fit of a model family
# that contains the true class probabilities ({doc}`09-end-to-end` proves they are a softmax of
# a linear function): its fitted temperature is close to 1 and scaling changes its test ECE only
# within the noise of the estimate. The label-smoothed model is **underconfident**: smoothing
# pulls every target towards uniform, and the fitted model reproduces that. Its fitted
# temperature is below 1, and dividing by it lowers the test ECE and the test NLL while the
# accuracy stays exactly the same (the argmax of $z/T$ is the argmax of $z$). The reliability
# diagram of the label-smoothed model before and after:

# %% tags=["hide-input"] mystnb={"image": {"alt": "Reliability diagram of the label-smoothed softmax-regression model on the test set, accuracy against mean confidence with 15 equal-width bins. Before temperature scaling the markers lie above the dashed diagonal (the model is underconfident); after dividing the logits by the fitted temperature below 1 the markers lie close to the diagonal."}}
W_smooth = models["label smoothing 0.1"]
Z_test_smooth = features(X_test) @ W_smooth
fig, ax = plt.subplots(figsize=(5.5, 4.6))
ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
for label, Z, marker in [
    (f"before (ECE {before_smooth['ECE']:.3f})", Z_test_smooth, "o"),
    (
        f"after T = {T_smooth:.3f} (ECE {after_smooth['ECE']:.3f})",
        Z_test_smooth / T_smooth,
        "s",
    ),
]:
    bins = cal.reliability_bins(
        *cal.confidence_and_correct(F.softmax(Z, dim=1), y_test), 15
    )
    ax.plot(bins.confidence, bins.accuracy, marker + "-", label=label)
ax.set_xlim(0.3, 1.0)
ax.set_ylim(0.3, 1.0)
ax.set_xlabel("mean confidence in bin (probability)")
ax.set_ylabel("accuracy in bin (fraction correct)")
ax.set_title("label-smoothed model of chapter 9, test set")
ax.legend(loc="upper left", fontsize=9)
plt.show()

# %% [markdown]
# (sec-focal)=
# ## The focal loss
#
# In dense object detection almost every candidate box is easy background. Summed over
# $10^5$ boxes, the small cross-entropies of the easy ones swamp the few hard ones. Lin et al.
# {cite:p}`lin2017` multiply each example's cross-entropy by $(1 - p_t)^\gamma$, where $p_t$ is
# the probability the model gives to the true class:
#
# $$
# \mathrm{FL}(p_t) = -\alpha_t\,(1 - p_t)^{\gamma} \log p_t,
# \qquad
# p_t = \begin{cases} p & y = 1 \\ 1 - p & y = 0 \end{cases},
# \qquad
# \alpha_t = \begin{cases} \alpha & y = 1 \\ 1 - \alpha & y = 0. \end{cases}
# $$
#
# At $\gamma = 0$ it is the class-weighted binary cross-entropy. For a confident correct
# prediction, $p_t = 0.99$, the factor is $10^{-4}$ at $\gamma = 2$: the example almost stops
# counting. torchvision implements it as `torchvision.ops.sigmoid_focal_loss(inputs, targets,
# alpha=0.25, gamma=2, reduction='none')`; `lossbook.functional.sigmoid_focal_loss` has the same
# arguments and defaults. PyTorch has no multiclass version;
# `lossbook.functional.softmax_focal_loss` is $-\alpha_y(1 - q_y)^\gamma \log q_y$ with `cross_entropy`'s
# conventions, and equals `cross_entropy(..., weight=alpha)` at $\gamma = 0$.
#
# ### Its gradient
#
# With $p = \sigma(z)$ and a positive example ($y = 1$, so $p_t = p$), SymPy differentiates the
# focal loss with respect to the logit:

# %%
zs, gamma_s, alpha_s = sp.symbols("z gamma alpha", positive=True)
p_s = 1 / (1 + sp.exp(-zs))
focal_positive = -alpha_s * (1 - p_s) ** gamma_s * sp.log(p_s)
gradient = sp.diff(focal_positive, zs)
claimed = alpha_s * (1 - p_s) ** gamma_s * (gamma_s * p_s * sp.log(p_s) - (1 - p_s))
difference = sp.simplify((gradient - claimed).rewrite(sp.exp))
assert difference == 0 or all(
    abs(float(difference.subs({zs: zv, gamma_s: gv, alpha_s: 0.25}))) < 1e-14
    for zv in (0.3, 1.7, 4.0)
    for gv in (0.5, 2, 3)
)
display(
    Math(
        r"\frac{\partial\,\mathrm{FL}}{\partial z}\Big|_{y=1} = "
        r"\alpha\,(1-p)^{\gamma}\big(\gamma\, p \log p - (1 - p)\big)"
    )
)

# the derived form against lossbook's analytic gradient, and against finite differences
z_values = np.array([-3.0, -0.5, 0.0, 1.0, 4.0])
derived = sp.lambdify((zs, gamma_s, alpha_s), claimed, "numpy")
print(f"{'z':>6s} {'derived':>13s} {'lossbook':>13s} {'finite diff.':>13s}")
for zv in z_values:
    analytic = G.sigmoid_focal_loss_grad(np.array([zv]), np.array([1.0]), alpha=0.25)[0]
    numeric = G.numerical_gradient(
        lambda v: F.sigmoid_focal_loss(v, np.array([1.0]), alpha=0.25, reduction="sum"),
        np.array([zv]),
    )[0]
    assert math.isclose(analytic, derived(zv, 2.0, 0.25), rel_tol=1e-12)
    assert math.isclose(analytic, numeric, rel_tol=1e-7)
    print(f"{zv:6.2f} {derived(zv, 2.0, 0.25):13.6e} {analytic:13.6e} {numeric:13.6e}")

# %% [markdown]
# At $\gamma = 0$ the bracket is $-(1 - p)$, the familiar $\sigma(z) - 1$ of binary
# cross-entropy. For $\gamma > 0$ the whole gradient is multiplied by $(1 - p)^\gamma$: an example
# the model already gets right with probability $p_t$ pushes with a force that falls like
# $(1 - p_t)^{\gamma + 1}$ instead of $(1 - p_t)$. The figure shows the size of the gradient
# against $p_t$:

# %% tags=["hide-input"] mystnb={"image": {"alt": "Log-scale plot of the magnitude of the focal loss gradient with respect to the logit, from about 1e-17 to 1, against the probability of the true class p_t from 0.01 to 0.999, for gamma = 0, 0.5, 1, 2 and 5 (alpha switched off). All curves start near 1 at small p_t; the gamma = 0 curve (binary cross-entropy) falls like 1 - p_t and reaches 1e-3 at p_t = 0.999, while larger gamma curves fall much faster, the gamma = 5 curve reaching about 1e-17 at the right edge."}}
p_t_grid = np.linspace(0.01, 0.999, 400)
logits_grid = np.log(p_t_grid) - np.log1p(-p_t_grid)  # sigma(z) = p_t, labels y = 1
fig, ax = plt.subplots(figsize=(7, 4.2))
for g in [0.0, 0.5, 1.0, 2.0, 5.0]:
    grad_values = G.sigmoid_focal_loss_grad(
        logits_grid, np.ones_like(logits_grid), -1, g
    )
    ax.semilogy(p_t_grid, np.abs(grad_values), label=f"$\\gamma = {g:g}$")
ax.set_xlabel(r"probability of the true class $p_t$")
ax.set_ylabel(r"$|\partial\,\mathrm{FL} / \partial z|$ (nats per logit unit)")
ax.set_title("the focal loss silences easy examples")
ax.legend()
plt.show()

# %% [markdown]
# ### Why focal-trained models are less overconfident
#
# Mukhoti et al. {cite:p}`mukhoti2020` relate the focal loss to the quantities of
# {doc}`05-kl-divergence`. For a one-hot target at class $y$ and a prediction $q$, the
# cross-entropy is $-\log q_y = D_{\mathrm{KL}}(e_y \,\|\, q)$, and for $\gamma \ge 1$
#
# $$
# \mathrm{FL}_\gamma = -(1 - q_y)^\gamma \log q_y \;\ge\; D_{\mathrm{KL}}(e_y \,\|\, q) - \gamma\,
# H(q).
# $$
#
# The steps: Bernoulli's inequality $(1 - q_y)^\gamma \ge 1 - \gamma q_y$ (for $\gamma \ge 1$),
# multiplied by $-\log q_y \ge 0$, gives $\mathrm{FL} \ge -\log q_y + \gamma\, q_y \log q_y$; and
# $-q_y \log q_y \le H(q)$ because the other terms of the entropy are non-negative. Minimising
# the focal loss therefore minimises a KL divergence *minus* an entropy bonus: among predictions
# with the same fit it prefers the less confident ones. SymPy checks the two calculus facts
# behind Bernoulli's inequality, and lossbook checks the bound on random predictions:

# %%
pq, gq = sp.symbols("q gamma", positive=True)
bernoulli_gap = (1 - pq) ** gq - (1 - gq * pq)
assert bernoulli_gap.subs(pq, 0) == 0
slope = sp.diff(bernoulli_gap, pq)
slope_claimed = gq * (1 - (1 - pq) ** (gq - 1))
assert sp.simplify(slope - slope_claimed) == 0
# gamma >= 1 and 0 <= q <= 1 give (1 - q)^(gamma - 1) <= 1, so the slope is >= 0;
# checked on a grid:
slope_f = sp.lambdify((pq, gq), slope_claimed, "numpy")
q_grid = np.linspace(0, 1, 201)
assert all(np.all(slope_f(q_grid, g) >= 0) for g in (1.0, 1.5, 2.0, 5.0))
display(
    Math(
        r"g(q) = (1-q)^\gamma - (1 - \gamma q):\quad g(0) = 0,\quad g'(q) = "
        + sp.latex(slope_claimed)
        + r" \ge 0 \text{ for } \gamma \ge 1,\ 0 \le q \le 1"
    )
)

logits_random = 3.0 * rng.normal(size=(2000, 5))
targets_random = rng.integers(0, 5, size=2000)
q_random = F.softmax(logits_random, dim=1)
kl_term = F.cross_entropy(logits_random, targets_random, reduction="none")
entropy_term = info.entropy(q_random, axis=1)
print(f"{'gamma':>6s} {'min of FL - (KL - gamma H)':>28s}")
for g in [1.0, 2.0, 3.0, 5.0]:
    focal = F.softmax_focal_loss(
        logits_random, targets_random, gamma=g, reduction="none"
    )
    margin = focal - (kl_term - g * entropy_term)
    assert margin.min() >= -1e-12
    print(f"{g:6.1f} {margin.min():28.6f}")

# %% [markdown]
# ### $\alpha$ is not `pos_weight`
#
# Both re-weight the two classes of a binary problem, but differently: `pos_weight` in
# `binary_cross_entropy_with_logits` multiplies only the positive term, while $\alpha$ gives the
# positive term the weight $\alpha$ *and* the negative term $1 - \alpha$. At $\gamma = 0$ they are
# related by a constant factor,
#
# $$
# \mathrm{FL}_{\gamma = 0,\,\alpha} = (1 - \alpha)\,\operatorname{BCE}_{\text{pos\_weight} =
# \alpha/(1 - \alpha)},
# $$
#
# so the default $\alpha = 0.25$ is `pos_weight` $= 1/3$: it *down*-weights the positives,
# the opposite of what `pos_weight` is usually set for. In RetinaNet the $\gamma = 2$ factor
# already removes most of the easy negatives' weight, and $\alpha = 0.25$ worked best
# {cite:p}`lin2017`.

# %%
x_check = rng.normal(scale=3.0, size=1000)
y_check = (rng.random(1000) < 0.2).astype(float)
for a in [0.25, 0.5, 0.9]:
    focal_0 = F.sigmoid_focal_loss(x_check, y_check, alpha=a, gamma=0.0)
    weighted_bce = (1 - a) * F.binary_cross_entropy_with_logits(
        x_check, y_check, reduction="none", pos_weight=np.array(a / (1 - a))
    )
    assert np.allclose(focal_0, weighted_bce, rtol=1e-14, atol=0)
    print(
        f"alpha = {a:4.2f}: focal(gamma=0) = {1 - a:.2f} * "
        f"BCE(pos_weight = {a / (1 - a):.4f})"
        f"   max rel. difference {np.max(np.abs(focal_0 / weighted_bce - 1)):.1e}"
    )

# %% [markdown]
# ### Computed without cancellation
#
# torchvision computes the cross-entropy stably, but $1 - p_t$ from $p = \sigma(z)$. Once $p$
# rounds to 1 (for $z \gtrsim 37$ in float64), $1 - p_t$ is 0 and so is the loss; before that it
# has lost most of its digits. `lossbook` computes $1 - p_t = y\,\sigma(-z) + (1 - y)\,\sigma(z)$ directly, in
# extended precision, and stays within an ulp of the exact value (50-digit mpmath):


# %%
def torchvision_formula(x, y, gamma=2.0, alpha=0.25):
    """torchvision's steps: a stable cross-entropy, but 1 - p_t from p = sigmoid(x)."""
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p = F.sigmoid(x)
    p_t = p * y + (1 - p) * (1 - y)
    return (alpha * y + (1 - alpha) * (1 - y)) * ce * (1 - p_t) ** gamma


def exact_focal(x, y, gamma=2, alpha=0.25):
    with mpmath.workdps(50):
        x, y = mpmath.mpf(x), mpmath.mpf(y)
        sig, sig_neg = 1 / (1 + mpmath.exp(-x)), 1 / (1 + mpmath.exp(x))
        ce = y * mpmath.log1p(mpmath.exp(-x)) + (1 - y) * mpmath.log1p(mpmath.exp(x))
        return float(
            (alpha * y + (1 - alpha) * (1 - y))
            * ce
            * (y * sig_neg + (1 - y) * sig) ** gamma
        )


def ulps(value, exact):
    return abs(value - exact) / np.spacing(exact)


print(f"{'z':>5s} {'exact':>12s} {'lossbook ulp':>13s} {'torchvision ulp':>16s}")
for zv in [5.0, 15.0, 25.0, 35.0, 40.0]:
    exact = exact_focal(zv, 1.0)
    ours = float(F.sigmoid_focal_loss(np.array([zv]), np.array([1.0]))[0])
    book = float(torchvision_formula(np.array([zv]), np.array([1.0]))[0])
    assert ulps(ours, exact) <= 1
    print(
        f"{zv:5.0f} {exact:12.4e} {ulps(ours, exact):13.1f} {ulps(book, exact):16.3g}"
    )

# %% [markdown]
# (sec-calibration-mistakes)=
# ## Mistakes and their fingerprints
#
# ### An ECE computed on one bin
#
# With `n_bins=1` the ECE is $|\text{accuracy} - \text{mean confidence}|$ over the whole test set.
# A model that is underconfident below confidence 2/3 and overconfident above it can have both
# averages equal: here $P(\text{right} \mid c) = c + 0.25 \sin(3\pi(c - 1/3))$, whose gap to
# $c$ averages to 0 over the uniform confidences. **Fingerprint:** a near-zero one-bin ECE next to a large
# 15-bin ECE.

# %%
mixed = synthetic_predictions(
    np.random.default_rng(3),
    20000,
    truth=lambda c: c + 0.25 * np.sin(3 * np.pi * (c - 1 / 3)),  # mean gap 0
)
ece_one, ece_fifteen = (cal.expected_calibration_error(*mixed, b) for b in (1, 15))
print(f"accuracy {mixed[1].mean():.4f}, mean confidence {mixed[0].mean():.4f}")
print(f"ECE with 1 bin: {ece_one:.4f}    with 15 bins: {ece_fifteen:.4f}")
assert ece_fifteen > 10 * ece_one

# %% [markdown]
# ### A temperature fitted on the training set
#
# For a model trained to convergence with the plain NLL, whose logits are a linear function of
# its last layer's weights $W$ (every classifier in this book), dividing the logits by $T$ is the
# same as scaling $W$ by $\beta = 1/T$, and the training NLL is already stationary in that
# direction: $\frac{d}{d\beta} L(\beta W)\big|_{\beta=1} = \langle \nabla L(W), W\rangle = 0$.
# So a temperature fitted on the training set is 1, whatever the model's overconfidence on new
# data. **Fingerprint:** a fitted temperature within about 0.001 of 1 (the optimiser's
# tolerance). Here
# softmax regression on cubic polynomial features of the chapter-9 data, which fits its 300
# training examples better than it predicts new ones:


# %%
def cubic_features(X):
    u, v = X[:, 0] / 3, X[:, 1] / 3
    return np.stack([u**i * v**j for i in range(4) for j in range(4 - i)], axis=1)


W_cubic = fit(cubic_features(X_train), y_train, F.cross_entropy, G.cross_entropy_grad)
T_on_train = cal.fit_temperature(cubic_features(X_train) @ W_cubic, y_train)
T_on_val = cal.fit_temperature(cubic_features(X_val) @ W_cubic, y_val)
Z_test_cubic = cubic_features(X_test) @ W_cubic
print(f"{'temperature fitted on':24s} {'T':>8s} {'test NLL':>9s}")
nll_at = {}
for label, t in [
    ("(none)", 1.0),
    ("the training set", T_on_train),
    ("the validation set", T_on_val),
]:
    nll_at[label] = report(Z_test_cubic / t, y_test)["NLL"]
    print(f"{label:24s} {t:8.4f} {nll_at[label]:9.4f}")
assert abs(T_on_train - 1) < 2e-3 < 0.1 < abs(T_on_val - 1)
assert nll_at["the validation set"] < nll_at["the training set"]

# %% [markdown]
# ### $\alpha$ applied to the wrong class
#
# In torchvision's convention $\alpha$ weights the **positives**. Code that writes
# `alpha_t = alpha * (1 - y) + (1 - alpha) * y` (or passes $1 - \alpha$) swaps the weights. With
# $\alpha = 0.25$ the positives' weight triples ($0.25 \to 0.75$) and the negatives' falls to a
# third ($0.75 \to 0.25$), so the ratio of their weights grows ninefold. **Fingerprint:** the share of the
# total loss carried by the positives jumps, here on the 20 %-positive data above:


# %%
def positive_share(alpha):
    losses = F.sigmoid_focal_loss(x_check, y_check, alpha=alpha)
    return float(losses[y_check == 1].sum() / losses.sum())


intended, swapped = positive_share(0.25), positive_share(0.75)
ratio_intended = intended / (1 - intended)
ratio_swapped = swapped / (1 - swapped)
print(
    f"positives' share of the loss: intended alpha = 0.25: {intended:.3f},"
    f" swapped (alpha = 0.75): {swapped:.3f}"
)
print(f"positive : negative loss ratio changes by {ratio_swapped / ratio_intended:.2f}")
assert math.isclose(ratio_swapped / ratio_intended, 9.0, rel_tol=1e-12)

# %% [markdown]
# (sec-calib-summary)=
# ## Summary
#
# - The log score and the Brier score are strictly proper ({prf:ref}`thm-strictly-proper`): the
#   honest forecast, and only it, minimises their expectation. The 0–1 loss is not strictly
#   proper: every forecast with the right top class ties with the truth.
# - Calibration is measured, not assumed: the reliability diagram and the ECE, whose binned
#   estimate is biased upwards, by an amount of order $\sqrt{B/N}$ (about a quarter of it in our
#   experiment), even for a calibrated model.
# - The binary Brier score is calibration plus refinement, exactly, when forecasts are grouped
#   by value.
# - Temperature scaling fits one number on held-out data; the NLL is convex in $1/T$, and the
#   accuracy never changes. It sharpened chapter 9's label-smoothed model and lowered its ECE.
# - The focal loss multiplies the cross-entropy by $(1 - p_t)^\gamma$; its gradient falls like
#   $(1 - p_t)^{\gamma + 1}$ for easy examples, and it bounds KL minus $\gamma$ times the
#   prediction's entropy from above, which favours less confident predictions. Its $\alpha$ is
#   $(1 - \alpha)$ times a `pos_weight` of $\alpha/(1-\alpha)$.
#
# ## Exercises
#
# ```{exercise} The spherical score
# :label: ex-calibration-1
# The spherical score is $S(q, y) = -q_y / \lVert q \rVert_2$. Show with SymPy, for two classes,
# that its expected value under $p$ is minimised at $q = p$ (parametrise $q = (t, 1 - t)$).
# ```
#
# ```{solution-start} ex-calibration-1
# :class: dropdown
# ```
# The expected score is $-(p\,t + (1-p)(1-t))/\sqrt{t^2 + (1-t)^2}$; its derivative in $t$
# vanishes at $t = p$, and a grid search confirms that this is the minimum.

# %%
t_s, p_s1 = sp.symbols("t p", positive=True)
spherical = -(p_s1 * t_s + (1 - p_s1) * (1 - t_s)) / sp.sqrt(t_s**2 + (1 - t_s) ** 2)
assert sp.simplify(sp.diff(spherical, t_s).subs(t_s, p_s1)) == 0
spherical_f = sp.lambdify((t_s, p_s1), spherical, "numpy")
t_grid = np.linspace(0.001, 0.999, 9981)
for p_value in (0.2, 0.5, 0.85):
    best = t_grid[np.argmin(spherical_f(t_grid, p_value))]
    assert abs(best - p_value) < 2e-4
    print(f"p = {p_value}: minimiser on the grid t = {best:.4f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} How many examples for a trustworthy ECE?
# :label: ex-calibration-2
# Using the calibrated synthetic model of {ref}`sec-calib-reliability`, find the smallest $N$ in
# $\{250, 500, 1000, 2000, 4000, 8000\}$ for which the mean 15-bin ECE (over 200 repetitions) is
# below 0.02. Does equal-mass binning change the answer?
# ```
#
# ```{solution-start} ex-calibration-2
# :class: dropdown
# ```

# %%
candidates = [250, 500, 1000, 2000, 4000, 8000]
smallest_n = {}
for binning in ("uniform", "quantile"):
    means = {n: mean_ece(n, 15, binning) for n in candidates}
    smallest = next(n for n in candidates if means[n] < 0.02)
    smallest_n[binning] = smallest
    print(
        f"{binning:8s}: "
        + ", ".join(f"N={n}: {m:.4f}" for n, m in means.items())
        + f"  -> smallest N = {smallest}"
    )

assert smallest_n == {"uniform": 4000, "quantile": 8000}

# %% [markdown]
# Equal-width bins reach a mean ECE below 0.02 at $N = 4000$, equal-mass bins only at
# $N = 8000$: on this model the answer doubles.
#
# ```{solution-end}
# ```
#
# ```{exercise} Temperature by hand
# :label: ex-calibration-3
# A binary classifier outputs the logit $z = 2$ on 100 validation examples, 75 of which are
# positive (the logits of the two classes are $(0, z)$). Which temperature makes it calibrated?
# Derive it in closed form, then check `fit_temperature`.
# ```
#
# ```{solution-start} ex-calibration-3
# :class: dropdown
# ```
# Calibration requires $\sigma(2/T) = 0.75$, so $2/T = \log 3$ and $T = 2/\log 3 \approx 1.820$.
# It is also the NLL minimiser: the derivative $\mathbb{E}_q[z] = z_y$ on average reads
# $2\sigma(2/T) = 0.75 \cdot 2$.

# %%
logits_hand = np.tile([0.0, 2.0], (100, 1))
labels_hand = np.array([1] * 75 + [0] * 25)
T_hand = cal.fit_temperature(logits_hand, labels_hand)
assert math.isclose(T_hand, 2 / math.log(3), rel_tol=1e-12)
print(f"fit_temperature: {T_hand:.12f}   2 / log 3 = {2 / math.log(3):.12f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} The focal loss of a perfect prediction
# :label: ex-calibration-4
# For $\gamma = 2$, how does the focal loss behave as $p_t \to 1$, compared with the
# cross-entropy? Give the leading term with SymPy, and check it numerically at $z = 30$ with
# `sigmoid_focal_loss`.
# ```
#
# ```{solution-start} ex-calibration-4
# :class: dropdown
# ```
# With $u = 1 - p_t$, $-\log(1 - u) = u + O(u^2)$, so $\mathrm{FL} = u^{\gamma + 1} + O(u^{\gamma +
# 2})$: at $\gamma = 2$, the cube of the cross-entropy's $u$.

# %%
u = sp.symbols("u", positive=True)
leading = sp.series(-(u**2) * sp.log(1 - u), u, 0, 5).removeO()
assert sp.expand(leading - (u**3 + u**4 / 2)) == 0
u_30 = 1 / (1 + math.exp(30))  # 1 - sigmoid(30), computed without cancellation
focal_30 = float(F.sigmoid_focal_loss(np.array([30.0]), np.array([1.0]), alpha=-1)[0])
assert math.isclose(focal_30, u_30**3, rel_tol=1e-12)
print(f"series: {leading};  z = 30: focal {focal_30:.6e}, u^3 = {u_30**3:.6e}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Accuracy cannot be trained on
# :label: ex-calibration-5
# Explain, with the table of {ref}`sec-calib-proper`, why a model trained to minimise the 0–1
# loss has no reason to output calibrated probabilities. Then compute the log score of the
# "overconfident" forecast when the true class turns out to be the third one, and say what
# it means for training.
# ```
#
# ```{solution-start} ex-calibration-5
# :class: dropdown
# ```
# Every forecast with the right top class has the same expected 0–1 loss, so the 0–1 loss is
# indifferent between 0.6 and 0.98; only a strictly proper score makes the truth the unique
# optimum. The log score charges the overconfident forecast $-\log 0.01$ on an outcome it gave
# probability 0.01:

# %%
print(
    f"-log 0.01 = {-math.log(0.01):.4f} nats, against -log 0.1 = {-math.log(0.1):.4f}"
    " for the truth"
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# - {cite:t}`brier1950` introduces the Brier score, and {cite:t}`murphy1973` its partition.
# - {cite:t}`gneiting2007` is the standard reference on strictly proper scoring rules.
# - {cite:t}`naeini2015` define the expected calibration error; {cite:t}`guo2017` show that
#   modern networks are overconfident and propose temperature scaling.
# - {cite:t}`lin2017` introduce the focal loss; {cite:t}`mukhoti2020` derive its bound and study
#   its calibration.
# - {cite:t}`murphy2022`, chapter 14 and section 5.1, covers scoring rules and calibration.
