"""A catalogue of bad and edge inputs for every public function of lossbook.functional and
lossbook.gradients (issue 16).

Each case gives one of three outcomes, and the tables below say which:

* ``ERRORS``: a clear error, a ValueError or TypeError (or the documented IndexError subclasses)
  whose message names the argument. Built from tables: every array argument of every function
  gets every kind of bad array (ragged list, string, complex, object, a bare string); every scalar
  option gets the wrong types and values PyTorch refuses (a string, a bool, None, nan, a float
  where an int is needed).
* ``AGREES``: PyTorch's answer, value, dtype, shape and nan/inf pattern, float16 included
  (computed by torch 2.13 in the same test, never copied). Gradients are compared with autograd.
* ``DOCUMENTED``: a deliberate difference from PyTorch that the function's docstring states; the
  test pins lossbook's value (hand-worked) and checks that PyTorch's really differs.

Without PyTorch the comparisons skip (``LOSSBOOK_REQUIRE_TORCH=1`` makes that a failure); the
error cases need only NumPy.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from reference_torch import torch_if_installed

import lossbook.functional as F
import lossbook.gradients as G

# ---- valid calls, by keyword, from which the bad ones are made ---------------------------------
LOGITS = np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
LABELS = np.array([0, 2])
PROBS = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
P = np.array([0.9, 0.2, 0.5])
Y = np.array([1.0, 0.0, 1.0])
VECTORS = np.array([[1.0, 2.0, 2.0], [0.0, 1.0, 0.0]])

VALID = {
    "softmax": (F.softmax, {"input": LOGITS, "dim": 1}),
    "log_softmax": (F.log_softmax, {"input": LOGITS, "dim": 1}),
    "logsumexp": (F.logsumexp, {"input": LOGITS, "dim": 1, "keepdim": False}),
    "sigmoid": (F.sigmoid, {"input": P}),
    "logsigmoid": (F.logsigmoid, {"input": P}),
    "softplus": (F.softplus, {"input": P, "beta": 1.0, "threshold": 20.0}),
    "one_hot": (F.one_hot, {"tensor": LABELS, "num_classes": 3}),
    "cross_entropy": (
        F.cross_entropy,
        {
            "input": LOGITS,
            "target": LABELS,
            "weight": np.ones(3),
            "ignore_index": -100,
            "label_smoothing": 0.1,
        },
    ),
    "nll_loss": (
        F.nll_loss,
        {"input": LOGITS, "target": LABELS, "weight": np.ones(3), "ignore_index": -100},
    ),
    "binary_cross_entropy": (
        F.binary_cross_entropy,
        {"input": P, "target": Y, "weight": np.ones(3)},
    ),
    "binary_cross_entropy_with_logits": (
        F.binary_cross_entropy_with_logits,
        {"input": P, "target": Y, "weight": np.ones(3), "pos_weight": np.ones(3)},
    ),
    "kl_div": (F.kl_div, {"input": np.log(PROBS + 0.1), "target": PROBS, "log_target": False}),
    "cosine_similarity": (
        F.cosine_similarity,
        {"x1": VECTORS, "x2": VECTORS[::-1], "dim": 1, "eps": 1e-8},
    ),
    "cosine_embedding_loss": (
        F.cosine_embedding_loss,
        {"input1": VECTORS, "input2": VECTORS[::-1], "target": np.array([1, -1]), "margin": 0.1},
    ),
    "cross_entropy_grad": (
        G.cross_entropy_grad,
        {
            "input": LOGITS,
            "target": LABELS,
            "weight": np.ones(3),
            "ignore_index": -100,
            "label_smoothing": 0.1,
        },
    ),
    "nll_loss_grad": (
        G.nll_loss_grad,
        {"input": LOGITS, "target": LABELS, "weight": np.ones(3), "ignore_index": -100},
    ),
    "binary_cross_entropy_grad": (
        G.binary_cross_entropy_grad,
        {"input": P, "target": Y, "weight": np.ones(3)},
    ),
    "binary_cross_entropy_with_logits_grad": (
        G.binary_cross_entropy_with_logits_grad,
        {"input": P, "target": Y, "weight": np.ones(3), "pos_weight": np.ones(3)},
    ),
    "kl_div_grad": (
        G.kl_div_grad,
        {"input": np.log(PROBS + 0.1), "target": PROBS, "log_target": False},
    ),
    "cosine_similarity_grad": (
        G.cosine_similarity_grad,
        {"x1": VECTORS, "x2": VECTORS[::-1], "dim": 1, "eps": 1e-8},
    ),
    "numerical_gradient": (G.numerical_gradient, {"f": np.sum, "x": P, "h": 1e-6}),
}
ARRAY_ARGUMENTS = {
    name: [k for k, v in kwargs.items() if isinstance(v, np.ndarray)]
    for name, (_, kwargs) in VALID.items()
}
BAD_ARRAYS = {
    "ragged": [[1.0, 2.0], [3.0]],
    "strings": np.array(["a", "b", "c"]),
    "complex": np.array([1 + 1j, 2.0, 3.0]),
    "objects": np.array([1.0, None, 2.0], dtype=object),
    "a-string": "1.0",
}


def _error_cases():
    cases = []
    for name, arguments in ARRAY_ARGUMENTS.items():
        for argument in arguments:
            for kind, bad in BAD_ARRAYS.items():
                cases.append(
                    pytest.param(name, {argument: bad}, argument, id=f"{name}-{argument}-{kind}")
                )
    return cases


# Scalar options: the value, and the words the message must contain (the argument's name).
BAD_OPTIONS = {
    "dim": ["1", 1.0, True, None, 1.5],
    "keepdim": ["False", 1, 0, None, np.array([True, False])],
    "beta": ["1", True, None, np.nan, np.inf, 0.0, -1.0, 1 + 0j],
    "threshold": ["20", True, None, np.nan, 1 + 0j],
    "num_classes": ["3", 3.0, True, None, -2],
    "ignore_index": [None, 1.0, "-100", True, np.float64(-100)],
    "label_smoothing": ["0.1", None, True, np.nan, np.inf, -0.1, 1.5, 1 + 0j],
    "log_target": ["False", "True", 0, 1, None, np.float64(0.0)],
    "eps": ["1e-8", None, True, np.nan, np.inf, -1e-8],
    "margin": ["0.5", None, True, np.nan, np.inf, 1 + 0j],
    "reduction": [None, "Mean", "batchmean ", 1, ["mean"], np.array(["mean", "sum"])],
}


def _option_cases():
    cases = []
    for name, (_, kwargs) in VALID.items():
        options = [k for k in kwargs if k in BAD_OPTIONS]
        if name != "numerical_gradient" and name not in {
            "softmax",
            "log_softmax",
            "logsumexp",
            "sigmoid",
            "logsigmoid",
            "softplus",
            "one_hot",
            "cosine_similarity",
            "cosine_similarity_grad",
        }:
            options.append("reduction")
        for option in options:
            for index, bad in enumerate(BAD_OPTIONS[option]):
                cases.append(
                    pytest.param(name, {option: bad}, option, id=f"{name}-{option}-{index}-{bad!r}")
                )
    return cases


OTHER_ERRORS = [
    # (function, changed arguments, the argument the message must name)
    ("logsumexp", {"dim": (0, 0)}, "dim"),
    ("logsumexp", {"dim": (1, -1)}, "dim"),
    ("logsumexp", {"dim": (0, 2)}, "dim"),
    ("logsumexp", {"dim": 2}, "dim"),
    ("softmax", {"dim": -3}, "dim"),
    ("log_softmax", {"dim": 2}, "dim"),
    ("cosine_similarity", {"dim": 2}, "dim"),
    ("cosine_similarity_grad", {"dim": -3}, "dim"),
    ("cross_entropy", {"target": np.array([0, 3])}, "Target 3"),
    ("cross_entropy", {"target": np.array([0.0, 2.0])}, "target"),
    ("cross_entropy", {"target": PROBS.astype(np.int64)}, "target"),
    ("cross_entropy", {"target": PROBS, "ignore_index": 0}, "ignore_index"),
    ("cross_entropy", {"target": np.array([0, 1, 2])}, "target"),
    ("cross_entropy", {"weight": np.ones(4)}, "weight"),
    ("cross_entropy", {"input": np.array(1.0), "target": np.array(0)}, "input"),
    ("cross_entropy", {"input": np.zeros((2, 0)), "target": LABELS, "weight": None}, "Target"),
    ("nll_loss", {"target": np.array([-1, 0])}, "Target -1"),
    ("nll_loss", {"target": np.array([True, False])}, "target"),
    ("nll_loss", {"weight": np.ones((3, 1))}, "weight"),
    ("nll_loss", {"input": np.zeros((2, 0)), "target": LABELS, "weight": None}, "Target"),
    ("one_hot", {"tensor": np.array([0, 3])}, "tensor"),
    ("one_hot", {"tensor": np.array([-1, 0])}, "tensor"),
    ("one_hot", {"tensor": np.array([0.0, 1.0])}, "tensor"),
    ("one_hot", {"tensor": np.array([], dtype=np.int64), "num_classes": -1}, "num_classes"),
    ("binary_cross_entropy", {"input": np.array([1.5, 0.2, 0.5])}, "input"),
    ("binary_cross_entropy", {"input": np.array([np.nan, 0.2, 0.5])}, "input"),
    ("binary_cross_entropy", {"target": np.array([-0.1, 0.0, 1.0])}, "target"),
    ("binary_cross_entropy", {"target": np.ones(4)}, "target"),
    ("binary_cross_entropy", {"weight": np.ones(2)}, "weight"),
    ("binary_cross_entropy_with_logits", {"pos_weight": np.ones(2)}, "pos_weight"),
    ("binary_cross_entropy_with_logits", {"target": np.ones((3, 1))}, "target"),
    ("kl_div", {"target": np.ones(4)}, "target"),
    ("cosine_similarity", {"x2": np.ones((2, 4))}, "x2"),
    ("cosine_embedding_loss", {"target": np.array([1, 0])}, "target"),
    ("cosine_embedding_loss", {"target": np.array([1, -1, 1])}, "target"),
    ("cosine_embedding_loss", {"input2": np.ones((2, 4))}, "input2"),
    ("cosine_embedding_loss", {"target": np.array([True, False])}, "target"),
    ("binary_cross_entropy_grad", {"input": np.array([1.5, 0.2, 0.5])}, "input"),
    ("binary_cross_entropy_grad", {"target": np.ones(2)}, "target"),
    ("binary_cross_entropy_with_logits_grad", {"weight": np.ones(2)}, "weight"),
    ("kl_div_grad", {"target": np.ones(4)}, "target"),
    ("cross_entropy_grad", {"target": np.array([0, 5])}, "Target 5"),
    ("cross_entropy_grad", {"target": PROBS, "ignore_index": 1}, "ignore_index"),
    ("nll_loss_grad", {"weight": np.ones(2)}, "weight"),
    ("cosine_similarity_grad", {"x2": np.ones((3, 3))}, "x2"),
    ("numerical_gradient", {"f": "sum"}, "f"),
    ("numerical_gradient", {"h": -1.0}, "h"),
    ("numerical_gradient", {"h": np.zeros(3)}, "h"),
    ("numerical_gradient", {"x": np.array([np.inf, 0.0, 1.0])}, "x"),
    ("numerical_gradient", {"f": lambda v: v}, "f"),
]


def _call(name: str, changes: dict):
    function, kwargs = VALID[name]
    return function(**{**kwargs, **changes})


@pytest.mark.parametrize(
    "name,changes,argument",
    _error_cases()
    + _option_cases()
    + [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(OTHER_ERRORS)],
)
def test_a_bad_input_raises_a_clear_error_naming_the_argument(name, changes, argument):
    _call(name, {})  # the valid call works
    with pytest.raises((ValueError, TypeError)) as raised:
        _call(name, changes)
    message = str(raised.value)
    assert re.search(re.escape(argument), message), f"{argument!r} not named in: {message}"
    assert "inhomogeneous" not in message or argument in message


# ---- PyTorch's answers -------------------------------------------------------------------------
torch = torch_if_installed()
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (a test extra)")
pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")

TOLERANCE = {
    np.float64: dict(rtol=1e-12, atol=1e-15),
    np.float32: dict(rtol=1e-5, atol=1e-6),
    # PyTorch rounds some float16 intermediates to float16; lossbook keeps float32 until the end.
    np.float16: dict(rtol=8e-3, atol=1e-3),
}
FLOATS = [np.float64, np.float32, np.float16]
EDGE = np.array(
    [
        0.0,
        -0.0,
        0.5,
        -1.0,
        2.0,
        20.0,
        30.0,
        -30.0,
        100.0,
        -100.0,
        1e4,
        -1e4,
        np.inf,
        -np.inf,
        np.nan,
    ]
)


def _torch_value(name, args, kwargs):
    reference = torch.logsumexp if name == "logsumexp" else getattr(torch.nn.functional, name)
    convert = lambda v: torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v
    with torch.no_grad():
        return reference(*map(convert, args), **{k: convert(v) for k, v in kwargs.items()})


def _agree_cases():
    cases = []

    def add(label, name, args, kwargs=None, dtype=None):
        cases.append(pytest.param(name, args, kwargs or {}, dtype, id=label))

    for dtype in FLOATS:
        d = np.dtype(dtype).name
        edge = EDGE.astype(dtype)
        for name in ("sigmoid", "logsigmoid"):
            add(f"{name}-edges-{d}", name, (edge,), dtype=dtype)
            add(f"{name}-0d-{d}", name, (np.array(1.5, dtype),), dtype=dtype)
            add(f"{name}-empty-{d}", name, (np.zeros((0, 3), dtype),), dtype=dtype)
        for beta, threshold in (
            (1.0, 20.0),
            (2.0, 20.0),
            (0.5, 5.0),
            (1.0, np.inf),
            (1.0, -np.inf),
            (3.0, 1.0),
        ):
            add(
                f"softplus-{beta}-{threshold}-{d}",
                "softplus",
                (edge,),
                {"beta": beta, "threshold": threshold},
                dtype,
            )
        add(f"softplus-issue-{d}", "softplus", (np.array([-1.0, 0.5, 2.0], dtype),), dtype=dtype)
        add(f"softplus-0d-{d}", "softplus", (np.array(-3.0, dtype),), dtype=dtype)
        rows = np.array(
            [
                [np.inf, 1.0, 0.0],
                [-np.inf, -np.inf, -np.inf],
                [1e4, -1e4, 0.0],
                [40.0, 0.0, 0.0],
                [np.nan, 0.0, 1.0],
            ],
            dtype,
        )
        for name in ("softmax", "log_softmax"):
            for dim in (0, 1, -1):
                add(f"{name}-rows-dim{dim}-{d}", name, (rows, dim), dtype=dtype)
            add(f"{name}-0d-{d}", name, (np.array(2.0, dtype), 0), dtype=dtype)
            add(f"{name}-0d-dim-1-{d}", name, (np.array(2.0, dtype), -1), dtype=dtype)
            add(f"{name}-C0-{d}", name, (np.zeros((2, 0), dtype), 1), dtype=dtype)
            add(f"{name}-N0-{d}", name, (np.zeros((0, 3), dtype), 1), dtype=dtype)
        for dim in (0, 1, (0, 1), (-1,), [1, 0]):
            for keepdim in (False, True):
                add(
                    f"logsumexp-{dim}-{keepdim}-{d}",
                    "logsumexp",
                    (rows, dim),
                    {"keepdim": keepdim},
                    dtype,
                )
        for dim in (0, -1, (), (0,)):
            for keepdim in (False, True):
                add(
                    f"logsumexp-0d-{dim}-{keepdim}-{d}",
                    "logsumexp",
                    (np.array(-np.inf, dtype), dim),
                    {"keepdim": keepdim},
                    dtype,
                )
        add(f"logsumexp-empty-slices-{d}", "logsumexp", (np.zeros((3, 0), dtype), 1), dtype=dtype)
        add(f"logsumexp-empty-all-{d}", "logsumexp", (np.zeros((2, 0), dtype), ()), dtype=dtype)
        for reduction in ("mean", "sum", "none"):
            r = reduction
            add(
                f"ce-indices-{r}-{d}",
                "cross_entropy",
                (rows[2:4], np.array([0, 2])),
                {"reduction": r, "label_smoothing": 0.2},
                dtype,
            )
            add(
                f"ce-inf-logit-{r}-{d}",
                "cross_entropy",
                (rows[:2], np.array([1, 0])),
                {"reduction": r},
                dtype,
            )
            add(
                f"ce-all-ignored-{r}-{d}",
                "cross_entropy",
                (rows[2:4], np.array([-100, -100])),
                {"reduction": r},
                dtype,
            )
            add(
                f"ce-probs-{r}-{d}",
                "cross_entropy",
                (rows[2:4], np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], dtype)),
                {"reduction": r},
                dtype,
            )
            add(
                f"ce-C0-probs-{r}-{d}",
                "cross_entropy",
                (np.zeros((2, 0), dtype), np.zeros((2, 0), dtype)),
                {"reduction": r},
                dtype,
            )
            for smoothing in (0.0, 0.1):
                add(
                    f"ce-C0-all-ignored-{smoothing}-{r}-{d}",
                    "cross_entropy",
                    (np.zeros((2, 0), dtype), np.array([-100, -100])),
                    {"reduction": r, "label_smoothing": smoothing},
                    dtype,
                )
            add(
                f"nll-C0-all-ignored-{r}-{d}",
                "nll_loss",
                (np.zeros((2, 0), dtype), np.array([-100, -100])),
                {"reduction": r},
                dtype,
            )
            add(
                f"ce-N0-{r}-{d}",
                "cross_entropy",
                (np.zeros((0, 3), dtype), np.zeros(0, np.int64)),
                {"reduction": r},
                dtype,
            )
            add(
                f"nll-{r}-{d}",
                "nll_loss",
                (rows[2:4], np.array([1, -100])),
                {"reduction": r},
                dtype,
            )
            add(
                f"nll-ignore-real-class-{r}-{d}",
                "nll_loss",
                (rows[2:4], np.array([1, 0])),
                {"reduction": r, "ignore_index": 1},
                dtype,
            )
            add(
                f"bce-clamp-{r}-{d}",
                "binary_cross_entropy",
                (np.array([0.0, 1.0, 0.5, 1e-30], dtype), np.array([1.0, 0.0, 0.3, 1.0], dtype)),
                {"reduction": r},
                dtype,
            )
            add(
                f"bce-empty-{r}-{d}",
                "binary_cross_entropy",
                (np.zeros(0, dtype), np.zeros(0, dtype)),
                {"reduction": r},
                dtype,
            )
            add(
                f"bcel-edges-{r}-{d}",
                "binary_cross_entropy_with_logits",
                (edge[:-1], np.linspace(0, 1, edge.size - 1).astype(dtype)),
                {"reduction": r},
                dtype,
            )
            add(
                f"bcel-posw-{r}-{d}",
                "binary_cross_entropy_with_logits",
                (np.array([[-2.0, 0.0, 3.0]], dtype), np.array([[1.0, 0.5, 0.0]], dtype)),
                {"reduction": r, "pos_weight": np.array([2.0, 0.5, 3.0], dtype)},
                dtype,
            )
            for log_target in (False, True):
                add(
                    f"kl-{r}-{log_target}-{d}",
                    "kl_div",
                    (
                        np.log(np.array([[0.5, 0.25, 0.25]], dtype)),
                        np.array([[0.0, 0.5, 0.5]], dtype),
                    ),
                    {"reduction": r, "log_target": log_target},
                    dtype,
                )
            add(
                f"kl-inf-target-{r}-{d}",
                "kl_div",
                (np.array([-1.0, -2.0, -0.5], dtype), np.array([np.inf, 0.5, 0.0], dtype)),
                {"reduction": r},
                dtype,
            )
            add(
                f"kl-zero-target-neg-inf-input-{r}-{d}",
                "kl_div",
                (np.array([-np.inf, -1.0], dtype), np.array([0.0, 1.0], dtype)),
                {"reduction": r},
                dtype,
            )
            # a zero vector only above float16, where PyTorch's 1e-12 underflows (DOCUMENTED)
            zero = 0.0 if dtype != np.float16 else 0.5
            add(
                f"cel-{r}-{d}",
                "cosine_embedding_loss",
                (
                    np.array([[1.0, 2.0], [zero, 0.0]], dtype),
                    np.array([[2.0, 1.0], [1.0, 0.0]], dtype),
                    np.array([-1, 1]),
                ),
                {"reduction": r, "margin": 0.2},
                dtype,
            )
            if dtype != np.float16:
                add(
                    f"cel-D0-{r}-{d}",
                    "cosine_embedding_loss",
                    (np.zeros((2, 0), dtype), np.zeros((2, 0), dtype), np.array([1, -1])),
                    {"reduction": r},
                    dtype,
                )
        add(
            f"kl-batchmean-{d}",
            "kl_div",
            (np.log(np.array([[0.5, 0.5], [0.9, 0.1]], dtype)), np.array([[0.1, 0.9]], dtype)),
            {"reduction": "batchmean"},
            dtype,
        )
        for eps in (1e-8, 0.0, 0.5) if dtype != np.float16 else (0.0, 0.5):
            add(
                f"cos-zero-vectors-{eps}-{d}",
                "cosine_similarity",
                (np.zeros((2, 3), dtype), np.ones((2, 3), dtype)),
                {"eps": eps},
                dtype,
            )
            add(
                f"cos-D0-{eps}-{d}",
                "cosine_similarity",
                (np.zeros((2, 0), dtype), np.zeros((2, 0), dtype)),
                {"eps": eps},
                dtype,
            )
        add(
            f"cos-broadcast-{d}",
            "cosine_similarity",
            (np.array([[1.0, 2.0, 3.0]], dtype), np.array([[1.0], [-2.0]], dtype)),
            {"dim": 1},
            dtype,
        )
        add(
            f"cos-1d-{d}",
            "cosine_similarity",
            (np.array([3.0, 4.0], dtype), np.array([4.0, 3.0], dtype)),
            {"dim": 0},
            dtype,
        )
        add(
            f"cos-0d-{d}",
            "cosine_similarity",
            (np.array(2.0, dtype), np.array(-3.0, dtype)),
            {"dim": 0},
            dtype,
        )
    for num_classes in (-1, 3, 5):
        add(f"one_hot-{num_classes}", "one_hot", (np.array([[0, 2], [1, 1]]), num_classes))
    add("one_hot-0d", "one_hot", (np.array(1), 3))
    return cases


AGREE_CASES = _agree_cases()


@needs_torch
@pytest.mark.parametrize("name,args,kwargs,dtype", AGREE_CASES)
def test_pytorchs_answer(name, args, kwargs, dtype):
    ours = np.asarray(getattr(F, name)(*args, **kwargs))
    theirs = _torch_value(name, args, kwargs).numpy()
    assert ours.shape == theirs.shape, f"shape {ours.shape}, PyTorch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"dtype {ours.dtype}, PyTorch {theirs.dtype}"
    if dtype is None:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, equal_nan=True, **TOLERANCE[dtype])


GRADIENT_CASES = []
for _dtype in FLOATS:
    _d = np.dtype(_dtype).name
    for _reduction in ("mean", "sum", "none"):
        GRADIENT_CASES += [
            pytest.param(
                "cross_entropy",
                (LOGITS.astype(_dtype), np.array([0, -100])),
                {"reduction": _reduction, "label_smoothing": 0.1},
                _dtype,
                id=f"ce-{_reduction}-{_d}",
            ),
            pytest.param(
                "cross_entropy",
                (LOGITS.astype(_dtype), PROBS.astype(_dtype)),
                {"reduction": _reduction},
                _dtype,
                id=f"ce-probs-{_reduction}-{_d}",
            ),
            pytest.param(
                "nll_loss",
                (LOGITS.astype(_dtype), np.array([2, 1])),
                {"reduction": _reduction, "weight": np.array([1.0, 2.0, 3.0], _dtype)},
                _dtype,
                id=f"nll-{_reduction}-{_d}",
            ),
            pytest.param(
                "binary_cross_entropy",
                (P.astype(_dtype), Y.astype(_dtype)),
                {"reduction": _reduction},
                _dtype,
                id=f"bce-{_reduction}-{_d}",
            ),
            pytest.param(
                "binary_cross_entropy_with_logits",
                (np.array([-30.0, 0.0, 30.0], _dtype), Y.astype(_dtype)),
                {"reduction": _reduction, "pos_weight": np.array([2.0], _dtype)},
                _dtype,
                id=f"bcel-{_reduction}-{_d}",
            ),
            pytest.param(
                "kl_div",
                (np.log(PROBS + 0.1).astype(_dtype), PROBS.astype(_dtype)),
                {"reduction": _reduction},
                _dtype,
                id=f"kl-{_reduction}-{_d}",
            ),
        ]
    GRADIENT_CASES.append(
        pytest.param(
            "cosine_similarity",
            (VECTORS.astype(_dtype), VECTORS[::-1].astype(_dtype)),
            {"dim": 1},
            _dtype,
            id=f"cos-{_d}",
        )
    )
    # edge cases: every target ignored (PyTorch's gradient is 0), empty batches, D = 0, C = 0
    for _label, _name, _args, _kwargs in [
        ("ce-all-ignored", "cross_entropy", (LOGITS, np.array([-100, -100])), {}),
        (
            "ce-all-ignored-smoothing",
            "cross_entropy",
            (LOGITS, np.array([-100, -100])),
            {"label_smoothing": 0.3},
        ),
        ("ce-N0", "cross_entropy", (np.zeros((0, 3)), np.zeros(0, np.int64)), {}),
        (
            "ce-C0-probs",
            "cross_entropy",
            (np.zeros((2, 0)), np.zeros((2, 0))),
            {"reduction": "sum"},
        ),
        ("ce-1d", "cross_entropy", (LOGITS[0], np.array(2)), {"label_smoothing": 0.2}),
        (
            "ce-4d",
            "cross_entropy",
            (
                np.linspace(-3, 3, 24).reshape(2, 3, 2, 2),
                np.array([[[0, 1], [2, -100]], [[1, 1], [0, 2]]]),
            ),
            {"label_smoothing": 0.1},
        ),
        ("nll-all-ignored", "nll_loss", (LOGITS, np.array([-100, -100])), {}),
        ("nll-1d", "nll_loss", (LOGITS[0], np.array(1)), {}),
        ("bce-0d", "binary_cross_entropy", (np.array(0.25), np.array(1.0)), {}),
        ("bce-empty", "binary_cross_entropy", (np.zeros(0), np.zeros(0)), {"reduction": "sum"}),
        ("bcel-0d", "binary_cross_entropy_with_logits", (np.array(-2.0), np.array(0.5)), {}),
        ("kl-0d", "kl_div", (np.array(-0.5), np.array(0.25)), {"reduction": "sum"}),
        (
            "kl-log-target",
            "kl_div",
            (np.log(PROBS + 0.1), np.log(PROBS + 0.2)),
            {"reduction": "batchmean", "log_target": True},
        ),
        ("cos-D0", "cosine_similarity", (np.zeros((2, 0)), np.zeros((2, 0))), {}),
        ("cos-N0", "cosine_similarity", (np.zeros((0, 3)), np.zeros((0, 3))), {}),
        ("cos-0d", "cosine_similarity", (np.array(2.0), np.array(-3.0)), {"dim": 0}),
        ("cos-zero-vector", "cosine_similarity", (np.zeros((1, 3)), np.ones((1, 3))), {}),
    ]:
        for _dtype in (np.float64, np.float32):
            _cast = tuple(a.astype(_dtype) if a.dtype.kind == "f" else a for a in _args)
            GRADIENT_CASES.append(
                pytest.param(_name, _cast, _kwargs, _dtype, id=f"{_label}-{np.dtype(_dtype).name}")
            )


@needs_torch
@pytest.mark.parametrize("name,args,kwargs,dtype", GRADIENT_CASES)
def test_pytorchs_gradient(name, args, kwargs, dtype):
    tensors = [torch.from_numpy(np.array(a)) for a in args]
    leaves = [t.requires_grad_() for t in tensors if t.is_floating_point()]
    if name != "cosine_similarity":
        leaves = leaves[:1]
        tensors[1].requires_grad_(False)
    options = {
        k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    getattr(torch.nn.functional, name)(*tensors, **options).sum().backward()
    ours = getattr(G, f"{name}_grad")(*args, **kwargs)
    ours = ours if isinstance(ours, tuple) else (ours,)
    for mine, leaf in zip(ours, leaves):
        assert mine.dtype == np.dtype(dtype) and mine.shape == tuple(leaf.shape)
        np.testing.assert_allclose(mine, leaf.grad.numpy(), equal_nan=True, **TOLERANCE[dtype])


# ---- documented differences --------------------------------------------------------------------
DOCUMENTED = [
    # (function, args, kwargs, lossbook's value (hand-worked), what PyTorch does)
    (
        "cross_entropy",
        (np.array([-np.inf, 0.0]), np.array([0.0, 1.0])),
        {},
        0.0,
        "0 * log 0 is 0 here; PyTorch computes 0 * -inf = nan",
    ),
    (
        "cross_entropy",
        (np.array([40.0, 0.0]), np.array(0)),
        {},
        4.248354255291589e-18,
        "log1p(e^-40); PyTorch rounds it to 0",
    ),
    (
        "cross_entropy",
        (LOGITS, LABELS),
        {"label_smoothing": -0.1},
        ValueError,
        "PyTorch treats a negative label_smoothing as 0",
    ),
    (
        "cosine_embedding_loss",
        (VECTORS, VECTORS, np.array([1, 0])),
        {},
        ValueError,
        "PyTorch gives 0 for target 0",
    ),
    ("softplus", (np.array([1.0]),), {"beta": -1.0}, ValueError, "PyTorch accepts a negative beta"),
    (
        "one_hot",
        (np.zeros(0, np.int64), 0),
        {},
        np.zeros((0, 0), np.int64),
        "PyTorch raises for an empty tensor with num_classes=0",
    ),
    (
        "cosine_similarity",
        (np.zeros((1, 3), np.float16), np.ones((1, 3), np.float16)),
        {},
        np.zeros(1, np.float16),
        "PyTorch's eps=1e-8 underflows to 0 in float16: 0/0 = nan",
    ),
    (
        "cosine_embedding_loss",
        (np.zeros((2, 0), np.float16), np.zeros((2, 0), np.float16), np.array([1, -1])),
        {},
        np.array(0.5, np.float16),
        "PyTorch's 1e-12 underflows to 0 in float16: 0/0 = nan",
    ),
    (
        "cosine_embedding_loss",
        (np.zeros((1, 2), np.float16), np.ones((1, 2), np.float16), np.array([1])),
        {"reduction": "sum"},
        np.array(1.0, np.float16),
        "PyTorch's 1e-12 underflows to 0 in float16: 0/0 = nan",
    ),
    (
        "logsumexp",
        (np.zeros((2, 2)), ()),
        {},
        np.log(4.0),
        "PyTorch 2.13 raises a RuntimeError (an output-shape bug)",
    ),
]


@pytest.mark.parametrize(
    "name,args,kwargs,expected,why",
    DOCUMENTED,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(DOCUMENTED)],
)
def test_a_documented_difference(name, args, kwargs, expected, why):
    assert why
    if isinstance(expected, type):
        with pytest.raises(expected):
            getattr(F, name)(*args, **kwargs)
    else:
        got = getattr(F, name)(*args, **kwargs)
        np.testing.assert_allclose(got, expected, rtol=4 * np.finfo(float).eps, atol=0)
        assert np.shape(got) == np.shape(expected)
    if torch is None:
        return
    try:
        theirs = _torch_value(name, args, kwargs).numpy()
    except (RuntimeError, IndexError):
        return  # PyTorch raises where lossbook answers: a difference
    if isinstance(expected, type):
        return  # PyTorch answers where lossbook raises
    assert theirs.shape != np.shape(expected) or not np.allclose(
        theirs, expected, rtol=1e-15, atol=0, equal_nan=False
    ), "PyTorch agrees: not a difference"


def test_nothing_warns_and_inputs_are_not_mutated():
    """Every valid call and every edge case above, with warnings as errors."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for function, kwargs in VALID.values():
            copies = {k: np.copy(v) for k, v in kwargs.items() if isinstance(v, np.ndarray)}
            function(**kwargs)
            for key, value in copies.items():
                np.testing.assert_array_equal(kwargs[key], value)
        for case in AGREE_CASES:
            name, args, kwargs, _ = case.values
            getattr(F, name)(*args, **kwargs)


# ---- a fuzz: anything else gives a result or a clear error, and never a warning ----------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import array_shapes, arrays  # noqa: E402

FUZZ_DTYPES = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.bool_])
FUZZ_VALUES = st.floats(allow_nan=True, allow_infinity=True, width=16)


@st.composite
def _fuzzed_array(draw, like: np.ndarray):
    """An array of the shape of ``like`` (most often) or of another small shape, 0-d and empty
    included, of a random real dtype, with nan, infinities and huge values."""
    same = draw(st.booleans())
    shape = (
        like.shape if same else draw(array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    )
    dtype = draw(FUZZ_DTYPES)
    if like.dtype.kind in "iu" and draw(st.booleans()):
        return draw(arrays(np.int64, shape, elements=st.integers(-101, 4)))
    values = draw(arrays(np.float64, shape, elements=FUZZ_VALUES.map(float)))
    with np.errstate(invalid="ignore", over="ignore"):
        return values.astype(dtype) if dtype is not np.bool_ else values > 0


@settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_a_fuzz_of_arrays_gives_a_result_or_a_clear_error(data):
    import warnings

    name = data.draw(st.sampled_from(sorted(set(VALID) - {"numerical_gradient"})))
    function, kwargs = VALID[name]
    changed = {
        k: data.draw(_fuzzed_array(v)) if isinstance(v, np.ndarray) else v
        for k, v in kwargs.items()
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            function(**changed)
        except (ValueError, TypeError) as error:  # IndexError subclasses are ValueErrors too
            assert str(error), name


# ---- memory: peak extra memory at most 3x the input (issue 16; the table is bench_memory.py) ----
def _peak_ratio(function, *args, **kwargs) -> float:
    import tracemalloc

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        function(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak / args[0].nbytes


_RNG = np.random.default_rng(16)
_FLAT = _RNG.standard_normal(2_000_000) * 5
_LOGITS = _RNG.standard_normal((20_000, 100))
_LABELS = _RNG.integers(0, 100, 20_000)
_VECTORS = _RNG.standard_normal((200_000, 10))
MEMORY_CASES = {
    "softplus": lambda d: (F.softplus, _FLAT.astype(d)),
    "cross_entropy": lambda d: (F.cross_entropy, _LOGITS.astype(d), _LABELS),
    "cross_entropy_grad": lambda d: (G.cross_entropy_grad, _LOGITS.astype(d), _LABELS),
    "binary_cross_entropy_with_logits_grad": lambda d: (
        G.binary_cross_entropy_with_logits_grad,
        _FLAT.astype(d),
        (_FLAT > 0).astype(d),
    ),
    "cosine_similarity_grad": lambda d: (
        G.cosine_similarity_grad,
        _VECTORS.astype(d),
        _VECTORS[::-1].astype(d),
    ),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("case", MEMORY_CASES)
def test_peak_extra_memory_is_at_most_three_inputs(case, dtype):
    """Before issue 16: softplus 7x, cosine_similarity_grad 15x (float32), the float32 gradients
    of cross-entropy and BCE with logits 12-18x. The chunks keep the temporaries bounded."""
    function, *args = MEMORY_CASES[case](dtype)
    assert _peak_ratio(function, *args) <= 3.0


def test_values_beyond_the_working_dtype_are_judged_without_a_warning():
    """Found by the fuzz: an int64 target of -2**63 with float16 input overflowed in the cast and
    warned; now the cast gives -inf quietly and the function's own check (or PyTorch's nan)
    follows."""
    x = np.zeros(3, dtype=np.float16)
    y = np.array([0, 0, np.iinfo(np.int64).min])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="target"):
            F.binary_cross_entropy(x, y)
        assert np.isnan(F.binary_cross_entropy_with_logits(x, y))
        assert F.sigmoid_focal_loss(x, np.array([0.0, 1.0, 1e300])).dtype == np.float16


@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_no_classes_with_probability_targets(label_smoothing):
    """Found by the fuzz: C = 0 with label smoothing divided by zero in the gradient."""
    empty = np.array([])
    assert np.isnan(F.cross_entropy(empty, empty, label_smoothing=label_smoothing))
    assert G.cross_entropy_grad(empty, empty, label_smoothing=label_smoothing).shape == (0,)
    rows = np.zeros((2, 0))
    np.testing.assert_array_equal(
        F.cross_entropy(rows, rows, label_smoothing=label_smoothing, reduction="none"), [0, 0]
    )
    assert G.cross_entropy_grad(rows, rows, label_smoothing=label_smoothing).shape == (2, 0)
