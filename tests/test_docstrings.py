"""Every public function of lossbook has a numpydoc docstring and type hints (issue 15).

All of them: a one-line summary, every parameter documented, Returns and a running example (the
doctests run them). The losses and their gradients (functional, gradients) also carry Raises,
See Also, Notes (the PyTorch equivalent and the numerics) and References.
"""

from __future__ import annotations

import inspect

import pytest

import lossbook.calibration
import lossbook.functional
import lossbook.gradients
import lossbook.info
import lossbook.plotting
import lossbook.symbolic

MODULES = (
    lossbook.functional,
    lossbook.gradients,
    lossbook.info,
    lossbook.calibration,
    lossbook.plotting,
    lossbook.symbolic,
)
LOSS_MODULES = (lossbook.functional, lossbook.gradients)
EVERY_FUNCTION = ("Returns", "Examples")
LOSS_SECTIONS = ("Parameters", "Returns", "Raises", "See Also", "Notes", "References", "Examples")


def public_functions(module) -> list:
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    return [getattr(module, n) for n in names if inspect.isfunction(getattr(module, n))]


CASES = [(module, function) for module in MODULES for function in public_functions(module)]


def has_section(doc: str, section: str) -> bool:
    return f"\n{section}\n{'-' * len(section)}\n" in doc


@pytest.mark.parametrize(
    ("module", "function"), CASES, ids=[f"{m.__name__}.{f.__name__}" for m, f in CASES]
)
def test_numpydoc_docstring(module, function):
    doc = inspect.getdoc(function) or ""
    summary = doc.split("\n\n")[0]
    assert summary.endswith(".") and "\n" not in summary, f"not a one-line summary: {summary!r}"
    sections = LOSS_SECTIONS if module in LOSS_MODULES else EVERY_FUNCTION
    for section in sections:
        assert has_section(doc, section), f"{function.__name__}: no {section} section"
    parameters = [
        name
        for name, p in inspect.signature(function).parameters.items()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if parameters:
        assert has_section(doc, "Parameters"), f"{function.__name__}: no Parameters section"
        documented = doc.split("Parameters\n----------\n")[1].split("\n\n")[0]
        for name in parameters:
            assert name in documented, f"{function.__name__}: parameter {name} not documented"
    assert not any(c in doc for c in "\x07\x08\x0b\x0c"), "a backslash lost to an escape"


@pytest.mark.parametrize(
    ("module", "function"), CASES, ids=[f"{m.__name__}.{f.__name__}" for m, f in CASES]
)
def test_type_hints(module, function):
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty, function.__name__
    if module in LOSS_MODULES and function.__name__ != "numerical_gradient":
        first = next(iter(signature.parameters.values()))
        assert "ArrayLike" in str(first.annotation), function.__name__
