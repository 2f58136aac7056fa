"""Speed and accuracy of the contrastive and margin losses, beside PyTorch (one thread each).

Prints two tables:

1. Speed: ``pairwise_distance``, ``triplet_margin_loss``, ``margin_ranking_loss`` and
   ``info_nce`` (its three variants; PyTorch's equivalent is the composition of
   ``cosine_similarity`` and ``cross_entropy`` in ``info_nce``'s docstring, written with
   ``F.normalize`` and a matrix product as CLIP and SimCLR do) at a small and a large batch,
   float32 and float64, best time per call and the ratio lossbook/PyTorch.
2. Accuracy: the largest error in float64 ulps against mpmath (50 digits) of ``info_nce`` per
   temperature, for lossbook and for PyTorch's composition, on the stress batches of
   ``tests/test_contrastive_accuracy.py``, beside the error that merely rounding each cosine to
   float64 can cause (4 ulp plus the conditioning term of ``info_nce``'s Notes), which is what
   lossbook's double-double cosines avoid.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_contrastive.py``); under a minute. A
benchmark, never a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import platform  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import _timing  # first: one thread for NumPy and PyTorch
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import lossbook.functional as F  # noqa: E402

try:
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)

SEED = 20261202
SIZES = [(256, 64), (2048, 128)]  # (batch N, dimension D)
DTYPES = [np.float32, np.float64]


def torch_info_nce(a, b, tau, variant):
    TF = torch.nn.functional
    a, b = TF.normalize(a, dim=-1, eps=1e-8), TF.normalize(b, dim=-1, eps=1e-8)
    n = len(a)
    if variant == "nt_xent":
        z = torch.cat([a, b])
        s = (z @ z.T / tau).fill_diagonal_(float("-inf"))
        return TF.cross_entropy(s, (torch.arange(2 * n) + n) % (2 * n))
    s = a @ b.T / tau
    labels = torch.arange(n)
    if variant == "info_nce":
        return TF.cross_entropy(s, labels)
    return (TF.cross_entropy(s, labels) + TF.cross_entropy(s.T, labels)) / 2


def workloads(n, d, dtype):
    rng = np.random.default_rng(SEED)
    a, p, q = (rng.standard_normal((n, d)).astype(dtype) for _ in range(3))
    x1, x2 = rng.standard_normal((2, n * 16)).astype(dtype)
    y = rng.choice([-1.0, 1.0], n * 16).astype(dtype)
    items = [
        ("pairwise_distance", lambda: F.pairwise_distance(a, p), "pairwise_distance", (a, p)),
        (
            "triplet_margin_loss",
            lambda: F.triplet_margin_loss(a, p, q),
            "triplet_margin_loss",
            (a, p, q),
        ),
        (
            f"margin_ranking_loss ({n * 16})",
            lambda: F.margin_ranking_loss(x1, x2, y),
            "margin_ranking_loss",
            (x1, x2, y),
        ),
    ]
    for variant in ("info_nce", "clip", "nt_xent"):
        items.append(
            (
                f"info_nce ({variant})",
                lambda v=variant: F.info_nce(a, p, 0.07, variant=v),
                variant,
                (a, p),
            )
        )
    out = []
    for name, ours, torch_name, args in items:
        theirs = None
        if torch is not None:
            targs = [torch.from_numpy(np.ascontiguousarray(v)) for v in args]
            if torch_name in ("info_nce", "clip", "nt_xent"):

                def theirs(targs=targs, v=torch_name):
                    with torch.no_grad():
                        return torch_info_nce(*targs, 0.07, v)
            else:
                fn = getattr(torch.nn.functional, torch_name)

                def theirs(fn=fn, targs=targs):
                    with torch.no_grad():
                        return fn(*targs)

        out.append((name, ours, theirs))
    return out


def speed_table() -> None:
    print("## Speed (ms per call, one thread; ratio < 1: lossbook is faster)")
    print()
    print("| function | N x D | dtype | lossbook ms | PyTorch ms | lossbook/PyTorch |")
    print("|---|---|---|---:|---:|---:|")
    for n, d in SIZES:
        for dtype in DTYPES:
            for name, ours, theirs in workloads(n, d, dtype):
                t_ours = _timing.best_time(ours)
                t_theirs = _timing.best_time(theirs) if theirs is not None else None
                ratio = f"{t_ours / t_theirs:.2f}" if t_theirs else "n/a"
                theirs_ms = f"{t_theirs * 1e3:.3f}" if t_theirs else "n/a"
                print(
                    f"| {name} | {n}x{d} | {np.dtype(dtype).name} | {t_ours * 1e3:.3f} | "
                    f"{theirs_ms} | {ratio} |",
                    flush=True,
                )
    print()


def accuracy_table() -> None:
    import _reference as R
    import mpmath
    import test_contrastive_accuracy as A

    print("## Accuracy of info_nce in float64 (largest error in ulps over the stress batches)")
    print()
    print("| tau | lossbook ulps | float64 cosines could cost (ulps) | PyTorch composition ulps |")
    print("|---:|---:|---:|---:|")
    for tau in (0.01, 0.05, 0.1, 0.5, 1.0, 10.0):
        worst = {"lossbook": 0.0, "allowance": 0.0, "torch": 0.0}
        for _, x1, x2 in A.info_nce_batches():
            ours = F.info_nce(x1, x2, tau, reduction="none")
            theirs = None
            if torch is not None:
                a, b = torch.from_numpy(x1), torch.from_numpy(x2)
                s = torch.nn.functional.cosine_similarity(a[:, None], b[None], dim=-1) / tau
                theirs = torch.nn.functional.cross_entropy(
                    s, torch.arange(len(x1)), reduction="none"
                ).numpy()
            for k, (exact, allowance) in enumerate(A.exact_info_nce_rows(x1, x2, tau, "info_nce")):
                if not R.representable(exact, np.float64):
                    continue
                unit = R.ulp(exact, np.float64)
                worst["lossbook"] = max(
                    worst["lossbook"], R.error_in_ulps(ours[k], exact, np.float64)
                )
                worst["allowance"] = max(worst["allowance"], float(4 + allowance / unit))
                if theirs is not None:
                    worst["torch"] = max(
                        worst["torch"], R.error_in_ulps(theirs[k], exact, np.float64)
                    )
        torch_cell = f"{worst['torch']:.3g}" if torch is not None else "n/a"
        print(f"| {tau} | {worst['lossbook']:.3g} | {worst['allowance']:.3g} | {torch_cell} |")
    del mpmath
    print()


def main() -> None:
    version = torch.__version__ if torch is not None else "not installed"
    print("# Contrastive and margin losses: lossbook vs PyTorch")
    print()
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {version}, "
        f"{platform.machine()}."
    )
    print()
    speed_table()
    accuracy_table()


if __name__ == "__main__":
    main()
