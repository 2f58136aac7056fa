"""Peak extra memory of lossbook.functional and lossbook.gradients at 10**7 elements.

For each function and dtype (float64, float32) the table gives the peak of the memory allocated
during one call (``tracemalloc``; NumPy reports its array buffers to it), divided by the size of
the function's first array argument (``input``, or ``x1``): ``3.0x`` means the call needed three
more arrays of the input's size at its worst moment, the result included. The goal of issue 16 is
at most 3x everywhere.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_memory.py``), about a minute and up to
2 GB of memory. ``--baseline PATH`` adds a column for another copy of the package (a directory
that holds ``lossbook/``, e.g. ``git archive <commit> lossbook | tar -x -C PATH``), to show a
before/after table. ``--size N`` changes the number of elements. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DTYPES = ("float64", "float32", "float16")
CLASSES = 100


def _cases(size: int, dtype: str):
    """(label, module, function, args, kwargs) with about ``size`` elements in the input."""
    rng = np.random.default_rng(0)
    n = size // CLASSES
    flat = (rng.standard_normal(size) * 5).astype(dtype)
    logits = (rng.standard_normal((n, CLASSES)) * 3).astype(dtype)
    labels = rng.integers(0, CLASSES, n)
    probs = rng.random((n, CLASSES)).astype(dtype)
    probs /= probs.sum(axis=1, keepdims=True)
    bits = (rng.random(size) < 0.5).astype(dtype)
    p = rng.uniform(0.01, 0.99, size).astype(dtype)
    vectors = rng.standard_normal((size // 10, 10)).astype(dtype)
    others = rng.standard_normal((size // 10, 10)).astype(dtype)
    pairs = np.where(rng.random(size // 10) < 0.5, 1.0, -1.0)
    log_q = np.log(probs)
    f, g = "functional", "gradients"
    return [
        ("softmax", f, "softmax", (logits, 1), {}),
        ("log_softmax", f, "log_softmax", (logits, 1), {}),
        ("logsumexp", f, "logsumexp", (logits, 1), {}),
        ("sigmoid", f, "sigmoid", (flat,), {}),
        ("logsigmoid", f, "logsigmoid", (flat,), {}),
        ("softplus", f, "softplus", (flat,), {}),
        ("cross_entropy (indices)", f, "cross_entropy", (logits, labels), {}),
        (
            "cross_entropy (indices, smoothing)",
            f,
            "cross_entropy",
            (logits, labels),
            {"label_smoothing": 0.1},
        ),
        ("cross_entropy (probabilities)", f, "cross_entropy", (logits, probs), {}),
        ("nll_loss", f, "nll_loss", (log_q, labels), {}),
        ("binary_cross_entropy", f, "binary_cross_entropy", (p, bits), {}),
        (
            "binary_cross_entropy_with_logits",
            f,
            "binary_cross_entropy_with_logits",
            (flat, bits),
            {},
        ),
        ("kl_div", f, "kl_div", (log_q, probs), {"reduction": "batchmean"}),
        ("cosine_similarity", f, "cosine_similarity", (vectors, others), {}),
        ("cosine_embedding_loss", f, "cosine_embedding_loss", (vectors, others, pairs), {}),
        ("cross_entropy_grad (indices)", g, "cross_entropy_grad", (logits, labels), {}),
        ("cross_entropy_grad (probabilities)", g, "cross_entropy_grad", (logits, probs), {}),
        ("nll_loss_grad", g, "nll_loss_grad", (log_q, labels), {}),
        ("binary_cross_entropy_grad", g, "binary_cross_entropy_grad", (p, bits), {}),
        (
            "binary_cross_entropy_with_logits_grad",
            g,
            "binary_cross_entropy_with_logits_grad",
            (flat, bits),
            {},
        ),
        ("kl_div_grad", g, "kl_div_grad", (log_q, probs), {"reduction": "batchmean"}),
        ("cosine_similarity_grad", g, "cosine_similarity_grad", (vectors, others), {}),
    ]


def peak_ratio(function, args, kwargs) -> float:
    """Peak memory allocated during ``function(*args, **kwargs)`` over ``args[0].nbytes``."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = function(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    del result
    return peak / args[0].nbytes


def measure(root: str, size: int) -> dict:
    """Ratios for every case, importing ``lossbook`` from ``root``."""
    sys.path.insert(0, root)
    import importlib

    modules = {
        name: importlib.import_module(f"lossbook.{name}") for name in ("functional", "gradients")
    }
    ratios = {}
    for dtype in DTYPES:
        for label, module, name, args, kwargs in _cases(size, dtype):
            function = getattr(modules[module], name, None)
            ratios[f"{label}|{dtype}"] = (
                None if function is None else peak_ratio(function, args, kwargs)
            )
    return ratios


def _run(root: Path, size: int) -> dict:
    command = [sys.executable, __file__, "--measure", str(root), "--size", str(size)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10**7)
    parser.add_argument("--baseline", type=Path, help="a directory holding another lossbook/")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure, options.size)))
        return
    after = _run(ROOT, options.size)
    before = _run(options.baseline, options.size) if options.baseline else None
    print(f"Peak extra memory / input size, {options.size:.0e} elements (tracemalloc); goal <= 3x")
    header = f"{'function':40} {'dtype':8}" + (f" {'before':>8}" if before else "") + " after"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for key, ratio in after.items():
        label, dtype = key.split("|")
        old = "" if before is None else f" {_format(before.get(key)):>8}"
        print(f"{label:40} {dtype:8}{old} {_format(ratio):>5}")
        worst = max(worst, ratio or 0.0)
    print(f"worst after: {worst:.2f}x")


def _format(ratio) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


if __name__ == "__main__":
    main()
