"""Shared test configuration: each edition's site and PDF tests run in one xdist worker, in turn.

``make test`` runs pytest-xdist with ``--dist loadfile``: each test file goes to one worker. The
site build (tests/test_site.py) and the PDF's single-page build (tests/test_pdf.py via
tools/pdf.py) read the same documents with the same configuration; run one after the other in one
worker, the second reuses the first one's Sphinx environment (``_build/.doctrees``) instead of
reading every chapter again, and the two never write that environment at the same time. The
Chinese edition does the same with its own environment (``_build/.doctrees-zh_CN``):
tests/test_pdf_zh.py runs after tests/test_edition_zh.py.
"""

from __future__ import annotations

import pytest
import sitekit

SHARED_SCOPE = {
    "tests/test_pdf.py": "tests/test_site.py",
    "tests/test_pdf_zh.py": "tests/test_edition_zh.py",
}


def pytest_xdist_make_scheduler(config, log):
    """Schedule by file, with test_pdf.py in test_site.py's unit of work (after it)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class _SiteThenPdf(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return SHARED_SCOPE.get(scope, scope)

    return _SiteThenPdf(config, log)


# The browser tests of both editions (tests/test_site.py, tests/test_edition_zh.py): each module
# defines its own ``site`` fixture (the built site it checks); these serve it and open Chromium.
@pytest.fixture(scope="module")
def server(site):
    with sitekit.serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sitekit.chromium() as chromium:
        yield chromium
