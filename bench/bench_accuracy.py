"""Accuracy of lossbook.functional beside PyTorch and the textbook formulas, against mpmath.

Prints one table: for every function of the stress grid (``_reference.py``: logits up to +-1e4,
confident predictions whose loss is tiny, probabilities down to 1e-300, near-equal distributions,
near-parallel, tiny and huge vectors), the worst error in ulps of the exact value (mpmath, 50
digits) where that value is finite and in the normal range, for lossbook, PyTorch and the textbook
formula, in float64 and in float32 (float32 ulps), and the number of inf/nan results where the exact
value is finite. Target of the numeric core: float64 within 4 ulp, no inf/nan where finite; rows
marked "cancellation" are the subsets where the function's definition subtracts nearly equal
numbers, with the allowance the README explains.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_accuracy.py``); about half a minute.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _reference as R  # noqa: E402

import lossbook.functional as F  # noqa: E402

try:
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)

TARGET = 4.0


class TorchAPI:
    """``torch.nn.functional`` (plus ``torch.logsumexp``) taking and returning NumPy arrays."""

    def __getattr__(self, name):
        fn = torch.logsumexp if name == "logsumexp" else getattr(torch.nn.functional, name)

        def call(*args, **kwargs):
            def convert(v):
                return torch.from_numpy(np.array(v, copy=True)) if isinstance(v, np.ndarray) else v

            with torch.no_grad():
                out = fn(*(convert(a) for a in args), **{k: convert(v) for k, v in kwargs.items()})
            return out.numpy()

        return call


def fmt_ulps(value: float) -> str:
    if value == 0:
        return "0"
    if value < 10:
        return f"{value:.2f}"
    if value < 1e4:
        return f"{value:.0f}"
    return f"{value:.1e}"


def main() -> None:
    implementations = [("lossbook", F)]
    if torch is not None:
        implementations.append(("PyTorch", TorchAPI()))
    implementations.append(("textbook", R.Textbook))
    torch_version = (
        torch.__version__ if torch is not None else "not installed (pip install torch==2.13.0)"
    )
    print("# Accuracy: worst error in ulps against mpmath (50 digits) on the stress grid")
    print()
    print(
        f"Error = |result - exact| / ulp(exact), over results whose exact value is finite and "
        f"normal in the format (float32 rows: float32 ulps). 'inf/nan' counts non-finite results "
        f"where the exact value is finite. Target (float64): <= {TARGET:g} ulp, no inf/nan. "
        f"Rows marked 'cancellation' show the error beyond the allowance for cancellation "
        f"inherent in the definition (bench/README.md)."
    )
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch_version}, "
        f"mpmath {R.mpmath.__version__}."
    )
    print()
    names = [name for name, _ in implementations]
    header = (
        ["function", "dtype", "points"]
        + [f"{n} ulp" for n in names]
        + ["inf/nan (" + "/".join(names) + ")"]
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---", "---", "---:"] + ["---:"] * len(names) + ["---:"]) + "|")
    misses = []
    for function in R.BUILDERS:
        for dtype in (np.float64, np.float32):
            for group in R.groups(function, dtype):
                outcomes = [
                    R.measure(function, api, dtype, TARGET, group) for _, api in implementations
                ]
                if group == "stress":
                    label = function
                    cells = [fmt_ulps(o.worst_ulps) for o in outcomes]
                else:
                    # the raw relative error is ~1 for all: show what exceeds the allowance
                    label = f"{function} ({group}; ulps beyond the allowance)"
                    cells = [fmt_ulps(o.worst_excess) for o in outcomes]
                nonfinite = "/".join(str(o.nonfinite) for o in outcomes)
                print(
                    f"| {label} | {np.dtype(dtype).name} | {outcomes[0].checked} | "
                    + " | ".join(cells)
                    + f" | {nonfinite} |",
                    flush=True,
                )
                ours = outcomes[0]
                if dtype == np.float64 and (ours.worst_excess > TARGET or ours.nonfinite):
                    misses.append((label, ours))
    print()
    if not misses:
        print(
            f"lossbook meets the float64 target everywhere: <= {TARGET:g} ulp (beyond the "
            f"allowances of the cancellation rows), no inf/nan where the exact value is finite."
        )
    for label, outcome in misses:
        print(
            f"lossbook MISSES the float64 target in {label}: {fmt_ulps(outcome.worst_excess)} ulp "
            f"at {outcome.worst_excess_case}; {outcome.nonfinite} inf/nan."
        )


if __name__ == "__main__":
    main()
