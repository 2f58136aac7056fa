"""The built site: it builds with -W, works offline, its links resolve, and it renders in a browser.

One module on purpose: the build is a module-scoped fixture shared by every test here (and, under
pytest-xdist's --dist loadfile, one worker runs them all).

The build does not re-execute the notebooks (``execute_notebooks: off`` for this build only):
nbval re-executes every notebook and checks its stored outputs in the same test run, and
test_notebook_hygiene.py checks that no stored output is an error. ``make book`` executes them.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("LOSSBOOK_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.slow
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md")) + CHAPTERS


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
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going", "--config", str(config_path),
         "--path-output", str(output)],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
    )


@pytest.fixture(scope="module")
def site() -> Path:
    result = build_site({"execute.execute_notebooks": "off"}, ROOT)
    assert result.returncode == 0, f"jupyter-book build -W failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return HTML


def test_book_builds_with_warnings_as_errors(site):
    for page in PAGES:
        assert (site / "book" / f"{page}.html").exists(), f"{page}.html was not built"


# --- offline: the site needs nothing but itself ------------------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.resources, self.ids = [], [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for key in ("src", "data-src"):
            if attrs.get(key):
                self.resources.append(attrs[key])
        if tag == "link" and attrs.get("href") and attrs.get("rel") not in ("canonical",):
            self.resources.append(attrs["href"])


@functools.lru_cache(maxsize=None)
def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def test_no_resource_is_loaded_from_another_host(site):
    for page in html_files(site):
        for resource in parse(page).resources:
            assert not urlparse(resource).netloc and not resource.startswith("//"), \
                f"{page.relative_to(site)} loads {resource} from the network"


def test_mathjax_is_served_by_the_site(site):
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists()
    chapter = (site / "book" / f"{CHAPTERS[0]}.html").read_text()
    assert re.search(r'src="[./]*_static/mathjax/tex-chtml.js', chapter)


def test_every_internal_link_and_anchor_resolves(site):
    broken = []
    for page in html_files(site):
        for href in parse(page).links:
            url = urlparse(href)
            if url.scheme or url.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} → {href} (no file)")
                continue
            if url.fragment and target.suffix == ".html" and unquote(url.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(site)} → {href} (no anchor)")
    assert not broken, "broken links:\n" + "\n".join(broken[:40])


# --- in a real browser -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium not found: apt-get install chromium (or set LOSSBOOK_CHROMIUM)"
        if os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def open_page(browser, url: str):
    """Open url; return (page, console errors, requests to other hosts, failed local requests)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, foreign, failed = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))

    def route(route_):
        if urlparse(route_.request.url).hostname == "127.0.0.1" or route_.request.url.startswith("data:"):
            route_.continue_()
        else:
            foreign.append(route_.request.url)
            route_.abort()

    page.route("**/*", route)
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, f"{url}: status {response and response.status}"
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
    return page, errors, foreign, failed


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_in_chromium(browser, server, name):
    page, errors, foreign, failed = open_page(browser, urljoin(server, f"book/{name}.html"))
    try:
        assert not foreign, f"requests left the site: {foreign}"
        assert not failed, f"failed requests: {failed}"
        assert not errors, f"console errors: {errors}"
        untypeset = page.evaluate(
            "() => Array.from(document.querySelectorAll('.math')).filter("
            "e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))")
        assert not untypeset, f"maths not typeset by MathJax: {untypeset[:5]}"
        images = page.evaluate(
            "() => Array.from(document.querySelectorAll('article img')).map("
            "i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0, alt: i.alt}))")
        for image in images:
            assert image["ok"], f"image did not load: {image['src']}"
            assert image["alt"].strip(), f"image without alt text: {image['src']}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_offers_download_and_launch_links(browser, server, name):
    page, *_ = open_page(browser, urljoin(server, f"book/{name}.html"))
    try:
        hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a')).map(a => a.href)")
    finally:
        page.close()
    owner_repo = urlparse(REPOSITORY).path.strip("/")
    binder = f"https://mybinder.org/v2/gh/{owner_repo}/main?urlpath="
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/main/book/{name}.ipynb"
    assert any(h.startswith(binder) and f"book/{name}.ipynb" in unquote(h) for h in hrefs), "no Binder link"
    assert colab in hrefs, f"no Colab link {colab}"
    downloads = [h for h in hrefs if h.endswith(f"{name}.ipynb") and h.startswith(server)]
    assert downloads, "no .ipynb download link"
    import urllib.request
    with urllib.request.urlopen(downloads[0]) as response:
        assert response.status == 200 and b'"cells"' in response.read()


def test_search_finds_a_word_from_a_chapter(browser, server):
    page, errors, foreign, _ = open_page(browser, urljoin(server, "search.html?q=entropy"))
    try:
        page.wait_for_selector("#search-results li", timeout=20000)
        results = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
        assert any("entropy" in r for r in results), results
        assert not foreign and not errors
    finally:
        page.close()
