"""The built site: it builds with -W, works offline, its links resolve, and it renders in a browser.

One module on purpose: the build is a module-scoped fixture shared by every test here (and, under
pytest-xdist's --dist loadfile, one worker runs them all, then tests/test_pdf.py, whose single-page
build reuses this build's Sphinx environment: see tests/conftest.py).

In Chromium, every page is checked at 1280 x 900 (no console error, no request to another host,
maths typeset, images with alt text, no code line wider than its code block, no install cell) and
then at 390 x 844 (no sideways scrolling, the navigation opens); one term's hover preview is
checked, and three chapters are saved as phone-sized screenshots.

The build does not re-execute the notebooks (``execute_notebooks: off`` for this build only):
nbval re-executes every notebook and checks its stored outputs in the same test run, and
test_notebook_hygiene.py checks that no stored output is an error. ``make book`` executes them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
import sitekit
import yaml
from sitekit import PHONE, html_files, open_page

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
pytestmark = pytest.mark.slow
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md")) + CHAPTERS
# Chapters whose phone-sized screenshots are saved for a look (_build/screenshots/*-phone.png).
PHONE_SCREENSHOTS = {"02-cross-entropy", "04-binary-cross-entropy", "07-numerical-stability"}
# Whole-page screenshots of very long pages take seconds each: these pages get one (for a look at
# a whole chapter), every other page a screenshot of its first screen.
FULL_PAGE_SCREENSHOTS = {"intro", "12-calibration-and-focal-loss"}
# The chapters' hidden install cell (remove-cell): in the downloaded .ipynb, never on the page.
INSTALL_MARKER = "LOSSBOOK_REQUIREMENT"
# tools/pdf.py --site puts the PDF here (the Pages workflow does); a plain site build has no PDF.
PDF_IN_SITE = "lossbook.pdf"


def build_site(config_overrides: dict, output: Path) -> subprocess.CompletedProcess:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    for dotted, value in config_overrides.items():
        node = config
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    output.mkdir(parents=True, exist_ok=True)
    config_path = output / "_config.test.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    return subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(ROOT),
            "-W",
            "-n",
            "--keep-going",
            "--config",
            str(config_path),
            "--path-output",
            str(output),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def site() -> Path:
    result = build_site({"execute.execute_notebooks": "off"}, ROOT)
    assert result.returncode == 0, (
        f"jupyter-book build -W failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )
    return HTML


def test_book_builds_with_warnings_as_errors(site):
    for page in PAGES:
        assert (site / "book" / f"{page}.html").exists(), f"{page}.html was not built"


# --- offline: the site needs nothing but itself ------------------------------------------------


# The Chinese edition (tests/test_edition_zh.py) is built into _build/html/zh: not this site's.
EDITIONS = ("zh",)


def test_no_resource_is_loaded_from_another_host(site):
    assert not sitekit.foreign_resources(site, html_files(site, exclude=EDITIONS))


def test_mathjax_is_served_by_the_site(site):
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists()
    chapter = (site / "book" / f"{CHAPTERS[0]}.html").read_text()
    assert re.search(r'src="[./]*_static/mathjax/tex-chtml.js', chapter)


def test_every_internal_link_and_anchor_resolves(site):
    # The PDF is copied in by tools/pdf.py --site; links into the Chinese edition are checked by
    # test_every_page_links_to_its_chinese_twin (that site may not be built yet in this session).
    zh = (site / "zh").resolve()

    def elsewhere(target: Path) -> bool:
        return target == (site / PDF_IN_SITE).resolve() or target.is_relative_to(zh)

    broken = sitekit.broken_links(site, html_files(site, exclude=EDITIONS), elsewhere)
    assert not broken, "broken links:\n" + "\n".join(broken[:40])


def test_every_page_links_to_its_chinese_twin(site):
    """The link at the top of every page goes to the same page in _build/html/zh.

    Every page of the book, that is: Sphinx's own index and search pages have no body to put it in.
    """
    pages = html_files(site / "book")
    assert len(pages) >= len(PAGES)
    for page in pages:
        switch = sitekit.edition_switch(page)
        assert switch is not None, f"{page.relative_to(site)} has no link to the Chinese edition"
        href, language = switch
        target = (page.parent / href).resolve().relative_to(site.resolve())
        assert language == "zh-CN" and target == Path("zh") / page.relative_to(site), (
            page.relative_to(site),
            href,
        )


# --- in a real browser -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_in_chromium(browser, server, name):
    page, errors, foreign, failed = open_page(browser, urljoin(server, f"book/{name}.html"))
    try:
        sitekit.check_rendered(page, errors, foreign, failed)
        if name in CHAPTERS:
            assert INSTALL_MARKER not in page.content(), "the install cell is shown on the page"
            check_download_and_launch_links(page, server, name)
        check_code_fits_its_block(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{name}.png"), full_page=name in FULL_PAGE_SCREENSHOTS
        )
        check_phone_layout(page, name)
        assert not errors, f"console errors: {errors}"
    finally:
        page.close()


def check_code_fits_its_block(page) -> None:
    """At 1280 px no code line is wider than its code block (nothing hides behind a scrollbar)."""
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('div.cell_input pre')).filter("
        "p => p.scrollWidth > p.clientWidth).map(p => {"
        "  const long = p.textContent.split('\\n')"
        "    .reduce((a, b) => b.length > a.length ? b : a, '');"
        "  return `${p.scrollWidth} > ${p.clientWidth} px: ${long.trim()}`; })"
    )
    assert not wide, f"{len(wide)} code blocks wider than the page at 1280 px: {wide[:5]}"


def check_phone_layout(page, name: str) -> None:
    """At 390 x 844 the page does not scroll sideways and its navigation opens."""
    page.set_viewport_size(PHONE)
    width, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if width > viewport:
        culprits = page.evaluate(
            "() => Array.from(document.querySelectorAll('article *')).filter(e => "
            "e.getBoundingClientRect().right > window.innerWidth + 1 && "
            "!e.closest('mjx-container, pre, table, .cell_output'))"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        pytest.fail(f"the page scrolls sideways at 390 px ({width} > {viewport}): {culprits}")
    if name in PHONE_SCREENSHOTS:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"))  # its first screen
    toggle = page.locator("button.primary-toggle:visible").first
    toggle.click()
    page.wait_for_function(
        "() => document.querySelector('#pst-primary-sidebar-modal')?.open", timeout=5000
    )
    links = page.locator("#pst-primary-sidebar-modal nav a:visible")
    assert links.count() >= len(CHAPTERS), "the navigation opened without the chapters"
    page.keyboard.press("Escape")


def check_download_and_launch_links(page, server: str, name: str) -> None:
    """A chapter offers Binder, Colab and a download of its notebook (with the install cell)."""
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a')).map(a => a.href)")
    owner_repo = urlparse(REPOSITORY).path.strip("/")
    binder = f"https://mybinder.org/v2/gh/{owner_repo}/main?urlpath="
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/main/book/{name}.ipynb"
    assert any(h.startswith(binder) and f"book/{name}.ipynb" in unquote(h) for h in hrefs), (
        "no Binder link"
    )
    assert colab in hrefs, f"no Colab link {colab}"
    downloads = [h for h in hrefs if h.endswith(f"{name}.ipynb") and h.startswith(server)]
    assert downloads, "no .ipynb download link"
    import urllib.request

    with urllib.request.urlopen(downloads[0]) as response:
        notebook = response.read()
        assert response.status == 200 and b'"cells"' in notebook
    assert INSTALL_MARKER.encode() in notebook, "the downloaded notebook has no install cell"


def test_hovering_a_term_shows_its_definition_offline(browser, server):
    """sphinx-tippy: a glossary term previews its definition, served by the site itself."""
    page, errors, foreign, failed = open_page(browser, urljoin(server, f"book/{CHAPTERS[1]}.html"))
    try:
        link = page.locator("article a[href*='glossary.html#term-']").first
        term = unquote(link.get_attribute("href").split("#term-", 1)[1])
        link.scroll_into_view_if_needed()
        link.hover()
        tip = page.locator("[data-tippy-root] .tippy-content")
        tip.wait_for(state="visible", timeout=5000)
        text = " ".join(tip.inner_text().split()).lower()
        assert term.replace("-", " ").lower() in text.replace("-", " "), (term, text[:200])
        definition = page.evaluate(
            "async (href) => { const r = await fetch(href); const d = new DOMParser()"
            ".parseFromString(await r.text(), 'text/html'); const t = d.getElementById("
            "href.split('#')[1]); const dd = t.nextElementSibling; return dd.textContent; }",
            link.evaluate("a => a.href"),
        )
        # the definition's first words before any maths (MathJax typesets the tip's maths)
        words = []
        for word in definition.split()[:6]:
            if "\\" in word or "$" in word:
                break
            words.append(word)
        first_words = " ".join(words).lower()
        assert len(words) >= 2, f"no words to look for in the definition {definition[:80]!r}"
        assert first_words in text, (
            f"the tip does not show the definition {first_words!r}: {text[:200]}"
        )
        assert not foreign, f"requests left the site: {foreign}"
        assert not failed and not errors, (failed, errors)
    finally:
        page.close()


def test_search_finds_a_word_from_a_chapter(browser, server):
    results = sitekit.search_results(browser, urljoin(server, "search.html?q=entropy"))
    assert any("entropy" in r for r in results), results
