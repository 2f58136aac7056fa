"""What the site tests of both editions share: parsing built pages, serving them, a browser.

tests/test_site.py checks the English edition, tests/test_edition_zh.py the Chinese one; each
builds its site once per test session (a module-scoped fixture) and runs every check on it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

CHROMIUM = os.environ.get("LOSSBOOK_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


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


@functools.cache
def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_files(site: Path, exclude: tuple[str, ...] = ()) -> list[Path]:
    """The site's pages (not its static files), without the subdirectories in ``exclude``."""
    return sorted(
        p
        for p in site.rglob("*.html")
        if "_static" not in p.parts and not set(p.relative_to(site).parts[:1]) & set(exclude)
    )


def foreign_resources(site: Path, pages: list[Path]) -> list[str]:
    return [
        f"{page.relative_to(site)} loads {resource}"
        for page in pages
        for resource in parse(page).resources
        if urlparse(resource).netloc or resource.startswith("//")
    ]


def broken_links(site: Path, pages: list[Path], allowed=lambda target: False) -> list[str]:
    """Internal links of ``pages`` to a missing file or anchor (``allowed`` targets skipped)."""
    broken = []
    for page in pages:
        for href in parse(page).links:
            url = urlparse(href)
            if url.scheme or url.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            if allowed(target):
                continue
            if not target.exists():
                broken.append(f"{page.relative_to(site)} → {href} (no file)")
                continue
            if (
                url.fragment
                and target.suffix == ".html"
                and unquote(url.fragment) not in parse(target).ids
            ):
                broken.append(f"{page.relative_to(site)} → {href} (no anchor)")
    return broken


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path):
    """Serve ``site`` on a free local port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, by Playwright (skipped; a failure under LOSSBOOK_REQUIRE_BROWSER)."""
    if not Path(CHROMIUM).exists():
        message = "Chromium not found: apt-get install chromium (or set LOSSBOOK_CHROMIUM)"
        if os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def open_page(browser, url: str):
    """Open url; return (page, console errors, requests to other hosts, failed local requests)."""
    page = browser.new_page(viewport=DESKTOP)
    errors, foreign, failed = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))

    def route(route_):
        if urlparse(route_.request.url).hostname == "127.0.0.1" or route_.request.url.startswith(
            "data:"
        ):
            route_.continue_()
        else:
            foreign.append(route_.request.url)
            route_.abort()

    page.route("**/*", route)
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, (
        f"{url}: status {response and response.status}"
    )
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
    return page, errors, foreign, failed


UNTYPESET_MATHS_JS = (
    "() => Array.from(document.querySelectorAll('.math')).filter("
    "e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"
)
IMAGES_JS = (
    "() => Array.from(document.querySelectorAll('article img')).map("
    "i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0, alt: i.alt}))"
)


def check_rendered(page, errors, foreign, failed) -> None:
    """No request left the site or failed, no console error, every formula typeset by MathJax,
    every image loaded and described by alt text."""
    assert not foreign, f"requests left the site: {foreign}"
    assert not failed, f"failed requests: {failed}"
    assert not errors, f"console errors: {errors}"
    untypeset = page.evaluate(UNTYPESET_MATHS_JS)
    assert not untypeset, f"maths not typeset by MathJax: {untypeset[:5]}"
    for image in page.evaluate(IMAGES_JS):
        assert image["ok"], f"image did not load: {image['src']}"
        assert image["alt"].strip(), f"image without alt text: {image['src']}"


def search_results(browser, url: str) -> list[str]:
    """The result links that the site's own search page lists for ``url`` (search.html?q=...)."""
    page, errors, foreign, _ = open_page(browser, url)
    try:
        page.wait_for_selector("#search-results li", timeout=20000)
        results = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
        assert not foreign and not errors, (foreign, errors)
        return results
    finally:
        page.close()


EDITION_SWITCH = re.compile(
    r'<p class="lossbook-edition-switch"><a href="([^"]+)" hreflang="([^"]+)"'
)


def edition_switch(page: Path) -> tuple[str, str] | None:
    """(href, hreflang) of a built page's link to its twin in the other edition."""
    match = EDITION_SWITCH.search(page.read_text(encoding="utf-8"))
    return (match.group(1), match.group(2)) if match else None


def cjk_font_families() -> set[str]:
    """The font families that fontconfig knows to cover Chinese (``fc-list :lang=zh``)."""
    import subprocess

    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name}


# The elements whose own text is Chinese: headings, paragraphs and list items of the article.
CJK_ELEMENTS_JS = r"""() => {
  const found = [];
  const cjk = /[\u3400-\u9fff]/g;
  document.querySelectorAll('article h1, article h2, article p, article li').forEach((e, i) => {
    const own = Array.from(e.childNodes).filter(n => n.nodeType === 3)
      .map(n => n.textContent).join('');
    const count = (own.match(cjk) || []).length;
    if (count > 0 && found.length < 12) {
      e.setAttribute('data-cjk-check', String(i));
      found.push({index: String(i), count: count, text: own.trim().slice(0, 40)});
    }
  });
  return found;
}"""


def tofu(page, families: set[str]) -> list[str]:
    """Chinese text that no Chinese font drew (a tofu box), in up to 12 elements of the page.

    Chromium reports, through the DevTools protocol, which platform fonts drew the text of an
    element and how many glyphs each drew; every Chinese character must be drawn by a font that
    covers Chinese, or the reader sees an empty box.
    """
    elements = page.evaluate(CJK_ELEMENTS_JS)
    assert elements, "no Chinese text found on the page"
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        missing = []
        for element in elements:
            node = session.send(
                "DOM.querySelector",
                {"nodeId": root, "selector": f"[data-cjk-check='{element['index']}']"},
            )["nodeId"]
            fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            drawn = sum(f["glyphCount"] for f in fonts if f["familyName"] in families)
            if drawn < element["count"]:
                used = {f["familyName"]: f["glyphCount"] for f in fonts}
                missing.append(f"{element['text']!r}: {element['count']} characters, {used}")
        return missing
    finally:
        session.detach()
