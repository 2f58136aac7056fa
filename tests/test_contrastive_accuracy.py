"""The contrastive and margin losses against exact values (mpmath, 50 digits) on a stress grid.

The grid includes temperatures down to 0.01, near-identical vectors (positives that differ in the
last few bits, whole batches collapsed onto one direction), tiny and huge magnitudes, tiny losses
and losses where the margin almost cancels the gap. The measure is the error in float64 ulps of
the exact value of the function at the given float64 inputs (``bench/_reference.py``).

Targets (the docstrings state them):

* ``pairwise_distance`` (p = 1, 2, 3, inf) and ``margin_ranking_loss`` (targets +-1): within
  4 ulp, no allowance. ``x1 - x2 + eps`` and ``margin - y (x1 - x2)`` are formed with a single
  rounding, so cancellation costs nothing.
* ``triplet_margin_loss`` (p = 1, 2, inf): within 4 ulp, no allowance, also for triplets that
  sit on the margin, where ``margin + d(a,p) - d(a,n)`` cancels: the distances are formed in
  double-double arithmetic and the argument of the hinge is rounded once.
* ``info_nce``: within 4 ulp, no allowance, for every variant and temperature. The loss is
  ill-conditioned at small temperatures: rounding each cosine to float64 would move it by up to
  :math:`\\sum_j |p_{ij} - [i=j]|\\,(D + 3)u\\,/\\tau` (hundreds of ulps at
  :math:`\\tau = 0.01`, as PyTorch's composition shows in ``bench/bench_contrastive.py``), so
  lossbook forms the cosines and their differences in double-double arithmetic. The last test
  checks that the grid really is that ill-conditioned: the allowance a float64 evaluation would
  need exceeds 100 ulp somewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest

import lossbook.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _reference as R  # noqa: E402  (bench/ is not a package)

ULP_BOUND = 4.0
U = mpmath.mpf(2) ** -53
mpmath.mp.dps = R.DPS
SEED = 20261201


def mp_vector(x):
    return [mpmath.mpf(float(v)) for v in np.ravel(x)]


def exact_norm(d, p):
    magnitudes = [abs(v) for v in d]
    if p == np.inf:
        return max(magnitudes)
    if p == 1:
        return mpmath.fsum(magnitudes)
    return mpmath.fsum(m**p for m in magnitudes) ** (mpmath.mpf(1) / p)


def exact_distance(x1, x2, p, eps):
    eps = mpmath.mpf(eps)
    return exact_norm([a - b + eps for a, b in zip(mp_vector(x1), mp_vector(x2))], p)


def ulps(got, exact):
    return R.error_in_ulps(got, exact, np.float64)


# ---- the grid ----------------------------------------------------------------------------------
def distance_pairs():
    """(label, x1, x2) rows of shape (D,)."""
    rng = np.random.default_rng([SEED, 1])
    out = []
    for d in (1, 3, 8, 16):
        x = rng.standard_normal(d)
        out.append((f"random D={d}", x, rng.standard_normal(d)))
        out.append((f"near-identical D={d}", x, x + x * 2.0**-40 * rng.standard_normal(d)))
        out.append((f"last bit D={d}", x, np.nextafter(x, np.inf)))
        out.append((f"identical D={d}", x, x.copy()))
        out.append((f"difference near -eps D={d}", x, x + 1e-6 * (1 + 1e-3 * rng.random(d))))
    out.append(("huge", np.array([3e300, -4e300]), np.array([-1e300, 2e300])))
    out.append(("tiny", np.array([3e-300, -4e-300]), np.array([1e-300, 2e-300])))
    return out


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, np.inf])
@pytest.mark.parametrize("eps", [1e-6, 0.0])
def test_pairwise_distance_within_4_ulp(p, eps):
    failures = []
    for label, x1, x2 in distance_pairs():
        exact = exact_distance(x1, x2, p, eps)
        if not R.representable(exact, np.float64):
            continue
        got = F.pairwise_distance(x1, x2, p=p, eps=eps)
        if ulps(got, exact) > ULP_BOUND:
            failures.append(
                f"{label}: {float(got)!r} vs {mpmath.nstr(exact, 20)} ({ulps(got, exact):.2f} ulp)"
            )
    assert not failures, "\n".join(failures)


def test_margin_ranking_loss_within_4_ulp_also_when_the_margin_cancels():
    rng = np.random.default_rng([SEED, 2])
    x1 = rng.standard_normal(200)
    x2 = x1 - rng.choice([1.0, -1.0], 200) * rng.random(200)
    y = rng.choice([1.0, -1.0], 200)
    for margin in (0.0, 0.3, 1.0, 1e-8):
        # margins that almost cancel the gap: -y (x1 - x2) + m is tiny
        near = x1 - x2 - y * (margin + 1e-12 * rng.random(200))
        for second in (x2, x1 - near):
            got = F.margin_ranking_loss(x1, second, y, margin=margin, reduction="none")
            for k in range(200):
                exact = max(
                    mpmath.mpf(0),
                    -mpmath.mpf(y[k]) * (mpmath.mpf(x1[k]) - mpmath.mpf(second[k]))
                    + mpmath.mpf(margin),
                )
                if exact == 0:
                    assert got[k] == 0
                else:
                    assert ulps(got[k], exact) <= ULP_BOUND, (x1[k], second[k], y[k], margin)


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("p", [2.0, 1.0, np.inf])
def test_triplet_margin_loss_within_4_ulp_also_on_the_margin(p, swap):
    rng = np.random.default_rng([SEED, 3, int(min(p, 9)), int(swap)])
    failures = []
    for d in (2, 8, 32):
        a, pos = rng.standard_normal((2, 40, d))
        neg = rng.standard_normal((40, d))
        # half the triplets sit almost exactly on the margin: d(a, n) ~ d(a, p) + margin
        direction = rng.standard_normal((40, d))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        d_ap = F.pairwise_distance(a, pos, p=2.0)
        on_margin = a + direction * (d_ap + 1.0)[:, None]
        neg[::2] = on_margin[::2]
        got = F.triplet_margin_loss(a, pos, neg, margin=1.0, p=p, swap=swap, reduction="none")
        for k in range(40):
            dp = exact_distance(a[k], pos[k], p, 1e-6)
            dn = exact_distance(a[k], neg[k], p, 1e-6)
            if swap:
                dn = min(dn, exact_distance(pos[k], neg[k], p, 1e-6))
            exact = max(mpmath.mpf(0), 1 + dp - dn)
            if (got[k] != 0) if exact == 0 else ulps(got[k], exact) > ULP_BOUND:
                failures.append(f"D={d} k={k}: {float(got[k])!r} vs {mpmath.nstr(exact, 20)}")
    assert not failures, "\n".join(failures)


# ---- InfoNCE -----------------------------------------------------------------------------------
def exact_info_nce_rows(x1, x2, tau, variant, eps=1e-8):
    """Per-row exact losses and per-row allowances (mpf) of ``info_nce``."""
    eps, tau = mpmath.mpf(eps), mpmath.mpf(tau)
    n, d = x1.shape
    rows1 = [mp_vector(r) for r in x1]
    rows2 = [mp_vector(r) for r in x2]
    if variant == "nt_xent":
        rows1 = rows2 = rows1 + rows2
    norm = [max(mpmath.sqrt(mpmath.fsum(v * v for v in r)), eps) for r in rows1]
    norm2 = [max(mpmath.sqrt(mpmath.fsum(v * v for v in r)), eps) for r in rows2]
    m = len(rows1)

    def logits(i):
        return [
            mpmath.fsum(a * b for a, b in zip(rows1[i], rows2[j])) / (norm[i] * norm2[j]) / tau
            for j in range(m)
        ]

    matrix = [logits(i) for i in range(m)]
    cos_error = (d + 3) * U / tau

    def row_loss(row, target, masked):
        # log(sum_j e^{s_j - s_t}) as log1p of the others: 50 digits even for tiny losses
        others = [row[j] - row[target] for j in range(len(row)) if j not in (target, masked)]
        loss = mpmath.log1p(mpmath.fsum(mpmath.exp(o) for o in others))
        weights = [mpmath.exp(o - loss) for o in others]  # p_j of the negatives
        sensitivity = 2 * mpmath.fsum(weights)  # sum |p_j - [j = t]|
        return loss, sensitivity * cos_error

    if variant == "nt_xent":
        return [row_loss(matrix[k], (k + n) % (2 * n), k) for k in range(2 * n)]
    rows = [row_loss(matrix[i], i, None) for i in range(n)]
    if variant == "info_nce":
        return rows
    columns = [row_loss([matrix[j][i] for j in range(n)], i, None) for i in range(n)]
    return [((a + b) / 2, (sa + sb) / 2) for (a, sa), (b, sb) in zip(rows, columns)]


def info_nce_batches():
    rng = np.random.default_rng([SEED, 4])
    out = []
    x = rng.standard_normal((5, 4))
    out.append(("random", x, rng.standard_normal((5, 4))))
    out.append(("noisy positives", x, x + 0.3 * rng.standard_normal((5, 4))))
    out.append(("near-identical positives", x, x * (1 + 2.0**-45 * rng.standard_normal((5, 4)))))
    base = rng.standard_normal(6)
    collapsed = base + 1e-7 * rng.standard_normal((4, 6))
    out.append(("collapsed batch", collapsed, collapsed + 1e-9 * rng.standard_normal((4, 6))))
    simplex = np.eye(4) - 0.25
    out.append(("simplex (tiny losses)", simplex, simplex.copy()))
    wide = rng.standard_normal((12, 64))
    out.append(("wide batch N=12 D=64", wide, wide + 0.1 * rng.standard_normal((12, 64))))
    out.append(
        (
            "huge and tiny norms",
            x * np.array([[1e150], [1e-150], [1], [1e100], [3]]),
            x * np.array([[1e-100], [1e120], [2], [1], [1e-3]]),
        )
    )
    return out


@pytest.mark.parametrize("variant", ["info_nce", "clip", "nt_xent"])
@pytest.mark.parametrize("tau", [0.01, 0.05, 0.1, 0.5, 1.0, 10.0])
def test_info_nce_within_4_ulp(tau, variant):
    failures = []
    for label, x1, x2 in info_nce_batches():
        got = F.info_nce(x1, x2, temperature=tau, variant=variant, reduction="none")
        for k, (exact, allowance) in enumerate(exact_info_nce_rows(x1, x2, tau, variant)):
            if not R.representable(exact, np.float64):
                assert got[k] == 0 or abs(got[k]) < 1e-300, (label, k)
                continue
            if ulps(got[k], exact) > ULP_BOUND:
                failures.append(
                    f"{label} row {k}: {float(got[k])!r} vs {mpmath.nstr(exact, 20)} "
                    f"({ulps(got[k], exact):.1f} ulp, allowance "
                    f"{float(allowance / R.ulp(exact, np.float64)):.1f} ulp)"
                )
    assert not failures, "\n".join(failures)


def test_the_info_nce_grid_is_ill_conditioned():
    """Rounding the cosines to float64 would cost over 100 ulp at tau = 0.01 on this grid, and a
    float64 composition of cosine_similarity and cross_entropy does lose that much."""
    worst_allowance = worst_composition = 0.0
    for _, x1, x2 in info_nce_batches():
        s = F.cosine_similarity(x1[:, None], x2[None], dim=-1) / 0.01
        composed = F.cross_entropy(s, np.arange(len(x1)), reduction="none")
        for k, (exact, allowance) in enumerate(exact_info_nce_rows(x1, x2, 0.01, "info_nce")):
            if R.representable(exact, np.float64):
                unit = R.ulp(exact, np.float64)
                worst_allowance = max(worst_allowance, float(allowance / unit))
                worst_composition = max(worst_composition, ulps(composed[k], exact))
    assert worst_allowance > 100 and worst_composition > 100
