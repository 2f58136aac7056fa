"""PyTorch, the reference of the cross-check tests: imported here, or the tests skip.

PyTorch is a test extra (``pip install torch==2.13.0``), never a dependency of the book. Without
it the cross-checks skip with that hint; ``LOSSBOOK_REQUIRE_TORCH=1`` (set by ``.ci/run``) makes
its absence a failure instead.
"""

from __future__ import annotations

import os

import pytest

INSTALL_HINT = "PyTorch is not installed (a test extra): pip install torch==2.13.0"


def torch_if_installed():
    """The ``torch`` module with one thread (deterministic reductions under pytest-xdist), or
    ``None`` when it is not installed; fails the test run if ``LOSSBOOK_REQUIRE_TORCH=1``."""
    try:
        import torch
    except ImportError:
        if os.environ.get("LOSSBOOK_REQUIRE_TORCH") == "1":
            pytest.fail(f"LOSSBOOK_REQUIRE_TORCH=1 but {INSTALL_HINT}", pytrace=False)
        return None
    torch.set_num_threads(1)
    return torch


def import_torch(*, module_level: bool = False):
    """The ``torch`` module, or skip the test (the whole module with ``module_level=True``)."""
    torch = torch_if_installed()
    if torch is None:
        pytest.skip(INSTALL_HINT, allow_module_level=module_level)
    return torch
