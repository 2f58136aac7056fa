"""The Chinese edition (中文版): it builds -W -n from the same notebooks, and readers can use it.

The site is built once per test session (``make book-zh``: tools/editions.py, into
``_build/html/zh``, without executing the notebooks: nbval checks their stored outputs in the same
run). The build itself is the first check: an English message without a translation (new,
changed, or fuzzy in the catalogue) is a warning of tools/lossbook_sphinx.py, and -W makes it an
error that names the page and the message.

Then: every page of the English edition exists in Chinese and links to its twin; nothing loads
from another host and every internal link resolves; the search index segments Chinese (jieba,
with the glossary's names as its dictionary) so that the key terms find their chapters; and in
Chromium every page renders with no console error, every formula typeset, every Chinese character
drawn by a Chinese font (no tofu), with a screenshot saved in ``_build/screenshots/zh``.
tests/test_pdf_zh.py then prints this edition to PDF, reusing its Sphinx environment
(tests/conftest.py runs it after this file, in the same worker).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
import sitekit
from sitekit import html_files, open_page

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "_build" / "html"
SITE = ENGLISH / "zh"
SCREENSHOTS = ROOT / "_build" / "screenshots" / "zh"
pytestmark = pytest.mark.slow
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md")) + CHAPTERS
API_PAGES = sorted(f"api/{p.stem}" for p in (ROOT / "book" / "api").glob("*.md"))
# A whole-page screenshot of the front page (the English test saves whole chapters); every other
# page: its first screen.
FULL_PAGE_SCREENSHOTS = {"intro"}
# A term, in Chinese, and a chapter that search must find for it.
SEARCHES = {
    "交叉熵": "02-cross-entropy",
    "负对数似然": "03-negative-log-likelihood",
    "二元交叉熵": "04-binary-cross-entropy",
    "相对熵": "05-kl-divergence",
    "余弦相似度": "06-cosine-similarity",
    "标签平滑": "02-cross-entropy",
    "对比损失": "11-contrastive-losses",
    "焦点损失": "12-calibration-and-focal-loss",
}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def site() -> Path:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "editions.py"), "build", "zh_CN"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert result.returncode == 0, (
        f"the Chinese edition does not build with -W -n ({len(warnings)} warnings):\n"
        + "\n".join(warnings[:40])
        + f"\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )
    return SITE


def test_every_page_is_built_in_chinese(site):
    for page in [*PAGES, *API_PAGES]:
        path = site / "book" / f"{page}.html"
        assert path.exists(), f"{page}.html was not built"
        head = path.read_text(encoding="utf-8")[:400]
        assert 'lang="zh-CN"' in head, f"{page}.html does not declare lang=zh-CN"


def test_chapter_titles_and_prose_are_chinese(site):
    """The build fails on any untranslated message; this checks that the result reads as Chinese."""
    for page in [*PAGES, *API_PAGES]:
        text = (site / "book" / f"{page}.html").read_text(encoding="utf-8")
        title = re.search(r"<h1>(.*?)<a", text, re.S).group(1)
        assert CJK.search(title), f"{page}: the title {title!r} is not Chinese"
    for chapter in CHAPTERS:
        text = (site / "book" / f"{chapter}.html").read_text(encoding="utf-8")
        paragraphs = re.findall(r"<p>(.*?)</p>", text, re.S)
        chinese = [p for p in paragraphs if CJK.search(p)]
        assert len(chinese) >= 0.8 * len(paragraphs), (
            f"{chapter}: only {len(chinese)} of {len(paragraphs)} paragraphs are Chinese"
        )


def test_every_page_links_to_its_english_twin(site):
    pages = html_files(site / "book")  # not Sphinx's own index and search pages
    assert len(pages) == len(PAGES) + len(API_PAGES)
    for page in pages:
        switch = sitekit.edition_switch(page)
        assert switch is not None, f"{page.relative_to(site)} has no link to the English edition"
        href, language = switch
        target = (page.parent / href).resolve()
        assert language == "en" and target == (ENGLISH / page.relative_to(site)).resolve(), (
            page.relative_to(site),
            href,
        )


def test_no_resource_is_loaded_from_another_host(site):
    assert not sitekit.foreign_resources(site, html_files(site))


def test_every_internal_link_and_anchor_resolves(site):
    # Links out of the Chinese site go to the English edition, built by test_site.py (perhaps
    # in the other worker): they are checked by test_every_page_links_to_its_english_twin.
    def outside(target: Path) -> bool:
        return not target.is_relative_to(site.resolve()) or target.name == "lossbook.pdf"

    broken = sitekit.broken_links(site, html_files(site), outside)
    assert not broken, "broken links:\n" + "\n".join(broken[:40])


def search_index(site: Path) -> dict:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def test_the_search_index_finds_the_key_terms_in_their_chapters(site):
    """Sphinx's Chinese search segments the text with jieba; the glossary's names stay whole."""
    index = search_index(site)
    documents = index["docnames"]
    for term, chapter in SEARCHES.items():
        # (Sphinx indexes a word of a page's title under titleterms, not terms)
        found = [index[kind].get(term) for kind in ("terms", "titleterms")]
        assert any(f is not None for f in found), f"{term} is not a search term (jieba split it)"
        pages = {
            documents[i] for f in found if f is not None for i in ([f] if isinstance(f, int) else f)
        }
        assert f"book/{chapter}" in pages, (term, sorted(pages))


# --- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chinese_fonts() -> set[str]:
    families = sitekit.cjk_font_families()
    if not families:
        pytest.fail("no font covers Chinese: apt-get install fonts-wqy-zenhei")
    return families


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_in_chromium(browser, server, chinese_fonts, name):
    page, errors, foreign, failed = open_page(browser, urljoin(server, f"book/{name}.html"))
    try:
        sitekit.check_rendered(page, errors, foreign, failed)
        missing = sitekit.tofu(page, chinese_fonts)
        assert not missing, f"Chinese characters drawn without a Chinese font: {missing}"
        if name == "intro":  # the check can fail: without the Chinese fonts every line is tofu
            assert sitekit.tofu(page, chinese_fonts - chinese_fonts) != []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{name}.png"), full_page=name in FULL_PAGE_SCREENSHOTS
        )
        assert not errors, f"console errors: {errors}"
    finally:
        page.close()


def test_searching_for_a_chinese_term_finds_its_chapter(browser, server):
    results = sitekit.search_results(browser, urljoin(server, "search.html?q=交叉熵"))
    assert any("02-cross-entropy" in unquote(r) for r in results), results
