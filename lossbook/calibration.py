r"""Scoring rules and calibration: the Brier score, reliability bins, ECE, temperature scaling.

A classifier is *calibrated* when, among the examples to which it gives confidence
:math:`c`, a fraction :math:`c` is classified correctly. This module measures that
(:func:`reliability_bins`, :func:`expected_calibration_error`), scores probabilities with the
Brier score and its decomposition (:func:`brier_score`, :func:`brier_decomposition`), and fits the
one-parameter fix of Guo et al. (2017), temperature scaling (:func:`fit_temperature`).

Conventions
-----------
* Probabilities are arrays of shape (N, C) with classes on axis 1; labels are integer class
  indices of shape (N,). Binary forecasts are probabilities of the positive class, shape (N,),
  with labels in {0, 1}.
* Everything is computed in float64 and returned as NumPy floats or float64 arrays.
* Bad input raises :class:`ValueError` or :class:`TypeError` naming the argument.

References
----------
G. W. Brier, "Verification of forecasts expressed in terms of probability", *Monthly Weather
Review* 78(1) (1950), doi:10.1175/1520-0493(1950)078<0001:VOFEIT>2.0.CO;2.

A. H. Murphy, "A new vector partition of the probability score", *Journal of Applied
Meteorology* 12(4) (1973), doi:10.1175/1520-0450(1973)012<0595:ANVPOT>2.0.CO;2.

C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of modern neural networks",
*ICML* (2017), arXiv:1706.04599.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_class_indices,
    as_floating,
    check_int,
    check_real,
    check_reduction,
    reduce_losses,
)

__all__ = [
    "ReliabilityBins",
    "BrierDecomposition",
    "brier_score",
    "binary_brier_score",
    "brier_decomposition",
    "confidence_and_correct",
    "reliability_bins",
    "expected_calibration_error",
    "fit_temperature",
]

BINNINGS = ("uniform", "quantile")


class ReliabilityBins(NamedTuple):
    """The non-empty bins of a reliability diagram: bin ``b`` holds the confidences in
    ``(lower[b], upper[b]]`` (the first bin also holds ``lower[0]``)."""

    lower: np.ndarray
    """Lower edge of each bin."""
    upper: np.ndarray
    """Upper edge of each bin."""
    counts: np.ndarray
    """Examples in each bin."""
    confidence: np.ndarray
    """Mean confidence in each bin."""
    accuracy: np.ndarray
    """Fraction correct in each bin."""


class BrierDecomposition(NamedTuple):
    """Murphy's partition of the binary Brier score: ``score = calibration + refinement`` and
    ``refinement = uncertainty - resolution``."""

    score: float
    calibration: float
    refinement: float
    resolution: float
    uncertainty: float


# ---- checks ------------------------------------------------------------------------------------
def _probabilities(values, name: str, ndim: int) -> np.ndarray:
    p = as_floating(values, name).astype(np.float64)
    if p.ndim != ndim:
        shape = "(N, C)" if ndim == 2 else "(N,)"
        raise ValueError(f"{name} must have shape {shape}, got shape {p.shape}")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1] (no nan)")
    return p


def _labels(values, name: str, count: int, n_classes: int) -> np.ndarray:
    y = as_class_indices(values, name)
    if y.shape != (count,):
        raise ValueError(f"{name} must have shape ({count},), one label per example, got {y.shape}")
    if np.any((y < 0) | (y >= n_classes)):
        raise ValueError(f"{name} must hold class indices in [0, {n_classes})")
    return y


def _binary_labels(values, name: str, count: int) -> np.ndarray:
    y = as_floating(values, name).astype(np.float64)
    if y.shape != (count,):
        raise ValueError(f"{name} must have shape ({count},), one label per example, got {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{name} must hold binary labels, 0 or 1")
    return y


# ---- scores ------------------------------------------------------------------------------------
def brier_score(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> np.ndarray:
    r"""Multiclass Brier score: the squared distance between the forecast and the one-hot label.

    .. math:: \mathrm{BS}_n = \sum_{c=1}^{C} \big(q_{n,c} - [y_n = c]\big)^2 \in [0, 2].

    It is a strictly proper scoring rule: its expectation under the true distribution :math:`p`
    of the label is :math:`\sum_c (q_c - p_c)^2 + 1 - \sum_c p_c^2`, smallest exactly at
    :math:`q = p`.

    Parameters
    ----------
    input : array_like, shape (N, C)
        Forecast probabilities (rows need not be checked to sum to 1; each entry in [0, 1]).
    target : array_like of int, shape (N,)
        Class labels.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        Shape (N,) for 'none', else 0-d (float64).

    Raises
    ------
    TypeError
        Non-numeric arrays, float labels.
    ValueError
        Wrong shapes, entries outside [0, 1], labels out of range, an unknown ``reduction``.

    See Also
    --------
    binary_brier_score, brier_decomposition, lossbook.functional.cross_entropy

    Notes
    -----
    Some texts (and scikit-learn's ``brier_score_loss`` for two classes) use the binary form
    :math:`(p - y)^2`, which is half of this score for :math:`C = 2`.

    References
    ----------
    .. [1] G. W. Brier (1950), doi:10.1175/1520-0493(1950)078<0001:VOFEIT>2.0.CO;2.

    Examples
    --------
    >>> brier_score(np.array([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0]]), np.array([0, 2]))
    array(0.82)
    """
    check_reduction(reduction)
    q = _probabilities(input, "input", 2)
    y = _labels(target, "target", q.shape[0], q.shape[1])
    squared = q**2
    rows = np.arange(q.shape[0])
    squared[rows, y] = (1 - q[rows, y]) ** 2
    return reduce_losses(np.sum(squared, axis=1), reduction, np.float64)


def binary_brier_score(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> np.ndarray:
    r"""Binary Brier score :math:`(p_n - y_n)^2` of positive-class probabilities.

    Parameters
    ----------
    input : array_like, shape (N,)
        Probabilities of the positive class.
    target : array_like, shape (N,)
        Labels, 0 or 1 (integers, bools or floats).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    np.ndarray
        Shape (N,) for 'none', else 0-d (float64).

    Raises
    ------
    TypeError
        Non-numeric arrays.
    ValueError
        Wrong shapes, probabilities outside [0, 1], labels other than 0 and 1, an unknown
        ``reduction``.

    See Also
    --------
    brier_score, brier_decomposition

    Notes
    -----
    scikit-learn: ``sklearn.metrics.brier_score_loss(target, input)`` for 'mean'.

    Examples
    --------
    >>> binary_brier_score(np.array([0.9, 0.2]), np.array([1, 1]))
    array(0.325)
    """
    check_reduction(reduction)
    p = _probabilities(input, "input", 1)
    y = _binary_labels(target, "target", p.shape[0])
    return reduce_losses((p - y) ** 2, reduction, np.float64)


def brier_decomposition(input: ArrayLike, target: ArrayLike) -> BrierDecomposition:
    r"""Murphy's partition of the binary Brier score into calibration and refinement.

    Group the examples by their distinct forecast values :math:`f_k` (:math:`n_k` examples,
    observed frequency :math:`\bar o_k`; base rate :math:`\bar o`). Then, exactly,

    .. math::

        \mathrm{BS} = \underbrace{\frac1N\sum_k n_k (f_k - \bar o_k)^2}_{\text{calibration}}
            + \underbrace{\frac1N\sum_k n_k\, \bar o_k (1 - \bar o_k)}_{\text{refinement}},
        \qquad
        \text{refinement} = \underbrace{\bar o(1 - \bar o)}_{\text{uncertainty}}
            - \underbrace{\frac1N\sum_k n_k (\bar o_k - \bar o)^2}_{\text{resolution}}.

    Parameters
    ----------
    input : array_like, shape (N,)
        Probabilities of the positive class.
    target : array_like, shape (N,)
        Labels, 0 or 1.

    Returns
    -------
    BrierDecomposition
        ``score``, ``calibration``, ``refinement``, ``resolution``, ``uncertainty`` (floats).

    Raises
    ------
    TypeError, ValueError
        As :func:`binary_brier_score`; also for N = 0.

    See Also
    --------
    binary_brier_score, reliability_bins

    Notes
    -----
    Grouping by distinct values makes the identity exact. Binning continuous forecasts first
    (as a reliability diagram does) adds a within-bin term, and the identity then holds only
    approximately.

    References
    ----------
    .. [1] A. H. Murphy (1973), doi:10.1175/1520-0450(1973)012<0595:ANVPOT>2.0.CO;2.

    Examples
    --------
    >>> d = brier_decomposition(np.array([0.8, 0.8, 0.8, 0.2]), np.array([1, 1, 0, 0]))
    >>> round(d.calibration, 6), round(d.refinement, 6), round(d.score, 6)
    (0.023333, 0.166667, 0.19)
    """
    p = _probabilities(input, "input", 1)
    y = _binary_labels(target, "target", p.shape[0])
    if p.size == 0:
        raise ValueError("input must hold at least one forecast")
    values, group, counts = np.unique(p, return_inverse=True, return_counts=True)
    observed = np.bincount(group, weights=y) / counts
    base_rate = np.mean(y)
    n = p.size
    return BrierDecomposition(
        score=float(np.mean((p - y) ** 2)),
        calibration=float(np.sum(counts * (values - observed) ** 2) / n),
        refinement=float(np.sum(counts * observed * (1 - observed)) / n),
        resolution=float(np.sum(counts * (observed - base_rate) ** 2) / n),
        uncertainty=float(base_rate * (1 - base_rate)),
    )


# ---- calibration ----------------------------------------------------------------------------
def confidence_and_correct(input: ArrayLike, target: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""The top-label confidence :math:`\max_c q_{n,c}` and whether the top label is right.

    Parameters
    ----------
    input : array_like, shape (N, C)
        Forecast probabilities.
    target : array_like of int, shape (N,)
        Class labels.

    Returns
    -------
    confidence : np.ndarray, shape (N,)
    correct : np.ndarray of bool, shape (N,)
        Ties go to the first class, as ``argmax``.

    Raises
    ------
    TypeError, ValueError
        As :func:`brier_score`.

    Examples
    --------
    >>> confidence_and_correct(np.array([[0.7, 0.3], [0.4, 0.6]]), np.array([0, 0]))
    (array([0.7, 0.6]), array([ True, False]))
    """
    q = _probabilities(input, "input", 2)
    y = _labels(target, "target", q.shape[0], q.shape[1])
    return np.max(q, axis=1), np.argmax(q, axis=1) == y


def _inner_cuts(confidence: np.ndarray, n_bins: int, binning: str) -> np.ndarray:
    """The upper edges of every bin but the last (increasing, without repeats)."""
    if binning == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    # Equal mass: the last confidence of each of n_bins nearly equal groups of the sorted
    # values; tied confidences share a bin, so a repeated cut merges two groups.
    ordered = np.sort(confidence)
    group_ends = np.cumsum([len(group) for group in np.array_split(ordered, n_bins)])[:-1]
    cuts = ordered[group_ends[(group_ends > 0) & (group_ends < ordered.size)] - 1]
    return np.unique(cuts[cuts < 1.0])


def reliability_bins(
    confidence: ArrayLike, correct: ArrayLike, n_bins: int = 15, binning: str = "uniform"
) -> ReliabilityBins:
    r"""Group predictions by confidence: the data of a reliability diagram.

    Bin :math:`b` holds the examples with confidence in :math:`(e_{b}, e_{b+1}]` (the first bin
    also holds confidence 0). ``binning='uniform'`` uses equal-width edges
    :math:`e_b = b/B`; ``'quantile'`` uses equal-mass edges: the sorted confidences split into
    :math:`B` groups of (nearly) equal size. Empty bins are dropped.

    Parameters
    ----------
    confidence : array_like, shape (N,)
        Confidence of each prediction, in [0, 1] (for example from
        :func:`confidence_and_correct`).
    correct : array_like of bool or {0, 1}, shape (N,)
        Whether each prediction was right.
    n_bins : int, default 15
        Number of bins :math:`B \ge 1`.
    binning : {'uniform', 'quantile'}, default 'uniform'

    Returns
    -------
    ReliabilityBins
        For each non-empty bin: its ``lower`` and ``upper`` edges, ``counts``, mean
        ``confidence`` and ``accuracy``.

    Raises
    ------
    TypeError
        Non-numeric arrays; ``n_bins`` that is not an integer.
    ValueError
        Different lengths; confidences outside [0, 1]; ``correct`` other than 0/1;
        ``n_bins < 1``; an unknown ``binning``.

    See Also
    --------
    expected_calibration_error, lossbook.plotting

    Examples
    --------
    >>> bins = reliability_bins([0.1, 0.3, 0.8, 0.9], [False, True, True, True], n_bins=2)
    >>> bins.counts, bins.confidence, bins.accuracy
    (array([2, 2]), array([0.2 , 0.85]), array([0.5, 1. ]))
    """
    c = _probabilities(confidence, "confidence", 1)
    ok = _binary_labels(correct, "correct", c.shape[0])
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    if binning not in BINNINGS:
        raise ValueError(f"binning must be 'uniform' or 'quantile', got {binning!r}")
    cuts = _inner_cuts(c, n_bins, binning)
    edges = np.concatenate([[0.0], cuts, [1.0]])
    index = np.searchsorted(cuts, c, side="left")  # (edge_b, edge_b+1] -> b; 0 -> bin 0
    counts = np.bincount(index, minlength=len(cuts) + 1)
    kept = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, weights=c, minlength=len(counts)) / counts
        accuracy = np.bincount(index, weights=ok, minlength=len(counts)) / counts
    return ReliabilityBins(
        edges[:-1][kept], edges[1:][kept], counts[kept], mean_confidence[kept], accuracy[kept]
    )


def expected_calibration_error(
    confidence: ArrayLike, correct: ArrayLike, n_bins: int = 15, binning: str = "uniform"
) -> float:
    r"""Expected calibration error: the count-weighted gap between accuracy and confidence.

    .. math:: \mathrm{ECE} = \sum_b \frac{n_b}{N}\,\big|\mathrm{acc}_b - \mathrm{conf}_b\big|.

    Parameters
    ----------
    confidence, correct, n_bins, binning
        As :func:`reliability_bins`.

    Returns
    -------
    float
        In [0, 1]; ``nan`` for N = 0.

    Raises
    ------
    TypeError, ValueError
        As :func:`reliability_bins`.

    See Also
    --------
    reliability_bins, fit_temperature

    Notes
    -----
    The binned ECE is a biased estimate: even a perfectly calibrated model shows an ECE of
    order :math:`\sqrt{B/N}` from sampling noise in each bin, and with one bin the ECE is
    only the gap between overall accuracy and mean confidence, blind to miscalibration that
    cancels across confidence levels.

    References
    ----------
    .. [1] M. P. Naeini, G. Cooper and M. Hauskrecht, "Obtaining well calibrated probabilities
       using Bayesian binning", *AAAI* (2015).
    .. [2] C. Guo et al. (2017), arXiv:1706.04599.

    Examples
    --------
    >>> expected_calibration_error([0.1, 0.3, 0.8, 0.9], [False, True, True, True], n_bins=2)
    0.225
    """
    bins = reliability_bins(confidence, correct, n_bins, binning)
    total = np.sum(bins.counts)
    if total == 0:
        return float("nan")
    return float(np.sum(bins.counts * np.abs(bins.accuracy - bins.confidence)) / total)


# ---- temperature scaling -------------------------------------------------------------------
def _nll_derivatives(beta: float, z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """First and second derivative in beta = 1/T of the mean NLL of softmax(beta z)."""
    scaled = beta * z
    scaled -= np.max(scaled, axis=1, keepdims=True)
    q = np.exp(scaled)
    q /= np.sum(q, axis=1, keepdims=True)
    mean_z = np.sum(q * z, axis=1)
    variance = np.sum(q * (z - mean_z[:, None]) ** 2, axis=1)
    return float(np.mean(mean_z - z[np.arange(len(y)), y])), float(np.mean(variance))


def fit_temperature(
    input: ArrayLike, target: ArrayLike, bounds: tuple[float, float] = (0.01, 100.0)
) -> float:
    r"""The temperature :math:`T` that minimises the mean NLL of ``softmax(input / T)``.

    With :math:`\beta = 1/T`, the mean NLL
    :math:`f(\beta) = \frac1N\sum_n \big[\log\sum_c e^{\beta z_{n,c}} - \beta z_{n,y_n}\big]` is
    convex, with :math:`f'(\beta) = \frac1N\sum_n (\mathbb{E}_{q_n}[z_n] - z_{n,y_n})` and
    :math:`f''(\beta) = \frac1N\sum_n \operatorname{Var}_{q_n}[z_n] \ge 0`
    (:math:`q_n = \operatorname{softmax}(\beta z_n)`). The root of :math:`f'` is found by
    Newton's method safeguarded by bisection, to full double precision.

    Parameters
    ----------
    input : array_like, shape (N, C)
        Logits of a *held-out* validation set (fitting on the training set gives a too small
        temperature).
    target : array_like of int, shape (N,)
        Labels.
    bounds : (float, float), default (0.01, 100.0)
        The range searched for :math:`T`, ``0 < low < high``.

    Returns
    -------
    float
        The fitted temperature. Divide logits by it before the softmax.

    Raises
    ------
    TypeError
        Non-numeric arrays, float labels, bounds that are not numbers.
    ValueError
        Wrong shapes, non-finite logits, labels out of range, bad ``bounds``, and when the
        minimum is not inside ``bounds`` (for example logits that separate the classes
        perfectly, whose NLL keeps falling as :math:`T \to 0`).

    See Also
    --------
    expected_calibration_error, lossbook.functional.cross_entropy

    Notes
    -----
    PyTorch has no such function; the usual recipe optimises ``cross_entropy(logits / T,
    target)`` with L-BFGS.

    References
    ----------
    .. [1] C. Guo et al., "On calibration of modern neural networks", *ICML* (2017),
       arXiv:1706.04599.

    Examples
    --------
    >>> logits = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    >>> round(fit_temperature(logits, np.array([0, 0, 1, 1])), 6)   # overconfident: T > 1
    3.640957
    """
    z = as_floating(input, "input").astype(np.float64)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"input must have shape (N, C) with N, C >= 1, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("input must hold finite logits")
    y = _labels(target, "target", z.shape[0], z.shape[1])
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise TypeError(f"bounds must be a pair (low, high), got {bounds!r}")
    low = check_real(bounds[0], "bounds[0]", minimum=0.0, strict=True)
    high = check_real(bounds[1], "bounds[1]", minimum=low, strict=True)
    if np.mean(np.mean(z, axis=1) - z[np.arange(len(y)), y]) >= 0:
        raise ValueError(
            "the logits are no better than uniform on these labels (the NLL slope at T = inf is "
            "not negative): no positive temperature minimises the NLL"
        )
    # The logits / T depend on z and T only through z / T: work with z / s, |z / s| <= 1.
    scale = float(np.max(np.abs(z)))
    z = z / scale
    beta_low, beta_high = scale / high, scale / low
    if _nll_derivatives(beta_low, z, y)[0] >= 0:
        raise ValueError(f"the NLL has no minimum for T < {high}: widen bounds")
    if _nll_derivatives(beta_high, z, y)[0] <= 0:
        raise ValueError(
            f"the NLL keeps decreasing as T falls to {low}: no minimum inside bounds (do the "
            f"logits separate the classes perfectly?)"
        )
    beta = scale  # T = 1
    if not beta_low < beta < beta_high:
        beta = 0.5 * (beta_low + beta_high)
    for _ in range(200):
        slope, curvature = _nll_derivatives(beta, z, y)
        if slope == 0:
            break
        if slope > 0:
            beta_high = beta
        else:
            beta_low = beta
        newton = beta - slope / curvature if curvature > 0 else np.nan
        previous, beta = (
            beta,
            newton if beta_low < newton < beta_high else 0.5 * (beta_low + beta_high),
        )
        if abs(beta - previous) <= 4 * np.spacing(previous):
            break
    return scale / beta
