"""Speed of lossbook.functional beside PyTorch and the textbook NumPy formulas (one thread each).

Prints one table: for cross-entropy, NLL, BCE with logits, KL divergence and cosine similarity at
shapes (128, 10), (4096, 1000) and (65536, 100), in float32 and float64, the best time per call of
lossbook, PyTorch (``torch.nn.functional``) and the textbook formula (``_reference.Textbook``), and
the ratios lossbook/PyTorch and lossbook/textbook (below 1: lossbook is faster). Target of the
numeric core: cross-entropy at (4096, 1000) no slower than 1.5 x PyTorch on one thread.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_speed.py``); about a minute. A benchmark,
never a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import os
import platform  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import _timing  # noqa: E402  first: one thread for NumPy and PyTorch
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _reference import Textbook  # noqa: E402

import lossbook.functional as F  # noqa: E402

try:
    import torch
except ImportError:  # the table still shows lossbook beside the textbook
    torch = None
else:
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass

SHAPES = [(128, 10), (4096, 1000), (65536, 100)]
DTYPES = [np.float32, np.float64]
SEED = 20240613


def workloads(shape, dtype):
    """(name, lossbook call, PyTorch call or None, textbook call) for one shape and dtype."""
    rng = np.random.default_rng(SEED)
    n, c = shape
    z = (rng.standard_normal(shape) * 3).astype(dtype)
    y = rng.integers(0, c, n)
    logp = F.log_softmax(z, 1)
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    t = rng.random(shape).astype(dtype)
    log_q = F.log_softmax((rng.standard_normal(shape) * 2).astype(dtype), 1)
    p = F.softmax((rng.standard_normal(shape) * 2).astype(dtype), 1)
    a, b = z, x
    items = [
        (
            "cross_entropy",
            lambda: F.cross_entropy(z, y),
            "cross_entropy",
            (z, y),
            {},
            lambda: Textbook.cross_entropy(z, y),
        ),
        (
            "nll_loss",
            lambda: F.nll_loss(logp, y),
            "nll_loss",
            (logp, y),
            {},
            lambda: Textbook.nll_loss(logp, y),
        ),
        (
            "binary_cross_entropy_with_logits",
            lambda: F.binary_cross_entropy_with_logits(x, t),
            "binary_cross_entropy_with_logits",
            (x, t),
            {},
            lambda: Textbook.binary_cross_entropy_with_logits(x, t),
        ),
        (
            "kl_div (batchmean)",
            lambda: F.kl_div(log_q, p, reduction="batchmean"),
            "kl_div",
            (log_q, p),
            {"reduction": "batchmean"},
            lambda: Textbook.kl_div(log_q, p, reduction="batchmean"),
        ),
        (
            "cosine_similarity",
            lambda: F.cosine_similarity(a, b, dim=1),
            "cosine_similarity",
            (a, b),
            {"dim": 1},
            lambda: Textbook.cosine_similarity(a, b, dim=1),
        ),
    ]
    out = []
    for name, ours, torch_name, args, kwargs, textbook in items:
        theirs = None
        if torch is not None:
            targs = [torch.from_numpy(np.ascontiguousarray(v)) for v in args]
            fn = getattr(torch.nn.functional, torch_name)

            def theirs(fn=fn, targs=targs, kwargs=kwargs):
                with torch.no_grad():
                    return fn(*targs, **kwargs)

        out.append((name, ours, theirs, textbook))
    return out


def fmt_time(seconds) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds * 1e3:.3f}" if seconds < 1e-2 else f"{seconds * 1e3:.1f}"


def main() -> None:
    torch_version = (
        torch.__version__ if torch is not None else "not installed (pip install torch==2.13.0)"
    )
    print("# Speed: lossbook.functional vs PyTorch vs textbook NumPy")
    print()
    print(
        f"One thread each: torch.set_num_threads(1) (torch.get_num_threads() = "
        f"{torch.get_num_threads() if torch is not None else '-'}), "
        f"NumPy with OMP/OPENBLAS/MKL_NUM_THREADS=1. "
        f"Best of {_timing.REPEATS} repeats of >= {_timing.MIN_TIME * 1e3:.0f} ms "
        f"(of 3 single calls when a call "
        f"takes longer); time per call in ms. "
        f"Ratio < 1: lossbook is faster."
    )
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs."
    )
    print()
    header = (
        "function",
        "shape",
        "dtype",
        "lossbook ms",
        "PyTorch ms",
        "textbook ms",
        "lossbook/PyTorch",
        "lossbook/textbook",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * 5) + "|")
    targets = []
    for shape in SHAPES:
        for dtype in DTYPES:
            for name, ours, theirs, textbook in workloads(shape, dtype):
                t_ours = _timing.best_time(ours)
                t_theirs = _timing.best_time(theirs) if theirs is not None else None
                t_text = _timing.best_time(textbook)
                ratio_torch = f"{t_ours / t_theirs:.2f}" if t_theirs else "n/a"
                print(
                    f"| {name} | {shape[0]}x{shape[1]} | {np.dtype(dtype).name} | "
                    f"{fmt_time(t_ours)} | {fmt_time(t_theirs)} | {fmt_time(t_text)} | "
                    f"{ratio_torch} | {t_ours / t_text:.2f} |",
                    flush=True,
                )
                if name == "cross_entropy" and shape == (4096, 1000) and t_theirs:
                    targets.append((np.dtype(dtype).name, t_ours / t_theirs))
    print()
    for dtype_name, ratio in targets:
        verdict = "meets" if ratio <= 1.5 else "MISSES"
        print(
            f"Target: cross_entropy at 4096x1000 {dtype_name} is {ratio:.2f} x PyTorch on one "
            f"thread ({verdict} the target of <= 1.5)."
        )


if __name__ == "__main__":
    main()
