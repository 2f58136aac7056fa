"""Print the whole book to one PDF, offline: `make pdf` → _build/pdf/lossbook.pdf.

Jupyter Book's single-page HTML builder puts every chapter on one page; Debian's Chromium, driven by
Playwright, opens it from a local server, waits until MathJax has typeset every formula, and prints
it. No TeX installation is needed. Options: ``--no-execute`` reuses the stored notebook outputs
(the tests use it: nbval has already checked them); ``--site DIR`` also copies the PDF into a built
site as ``DIR/lossbook.pdf`` (the Pages workflow publishes it there); ``--language zh_CN`` prints
the Chinese edition (`make pdf-zh` → _build/pdf/lossbook-zh_CN.pdf, with the CJK font that
fontconfig finds for Chinese, e.g. Debian's fonts-wqy-zenhei), reusing the Chinese site's
environment (tools/editions.py).

The PDF is the book: the preface, the chapters and the back matter. The API reference (160 of
the 630 pages it used to take, and a quarter of the printing time) stays on the site, next to
``help()``: it is generated from the docstrings, which are the same in both editions.

Nothing is clipped on paper: ``book/_static/lossbook.css`` wraps long code and output lines in
print, and before printing this script lays the page out at the width of the A4 text block and
scales every display equation and table that is still wider than the text block down to fit it
(MathJax 3, which sphinx-mathjax-offline ships, cannot break lines; that is MathJax 4).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import editions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "_build" / "pdf"
CHROMIUM = os.environ.get("LOSSBOOK_CHROMIUM", "/usr/bin/chromium")
MARGIN_MM = {"top": 18, "bottom": 18, "left": 16, "right": 16}
# The A4 text block's width in CSS pixels (96 per inch): the page is laid out at this width.
TEXT_WIDTH_PX = int((210 - MARGIN_MM["left"] - MARGIN_MM["right"]) / 25.4 * 96)
# Scale each display equation and table wider than its box down to the box (font-size for
# MathJax's CHTML output, which is sized in em; zoom for tables). Returns how many were scaled.
FIT_TO_WIDTH_JS = """() => {
  let scaled = 0;
  for (const box of document.querySelectorAll('mjx-container[display="true"]')) {
    // MathJax sizes the container to the formula (and sets its font size): fit the parent.
    const math = box.querySelector('mjx-math');
    const available = box.parentElement.clientWidth;
    const needed = math ? math.getBoundingClientRect().width : 0;
    if (needed > available && available > 0) {
      const size = parseFloat(getComputedStyle(box).fontSize);
      box.style.fontSize = (size * available / needed * 0.98).toFixed(3) + 'px';
      scaled++;
    }
  }
  for (const table of document.querySelectorAll('article table, main table')) {
    const available = table.parentElement.clientWidth, needed = table.scrollWidth;
    if (needed > available && available > 0) {
      table.style.zoom = (available / needed * 0.98).toFixed(4);
      scaled++;
    }
  }
  return scaled;
}"""
# On paper, MathJax's hidden copy of every formula for screen readers (assistive MathML) is
# invisible and only doubles the page: off for print, which takes a fifth less time (the site
# keeps it).
MATHJAX_OPTIONS = 'window.MathJax = {"options": {'
PRINT_ONLY_MATHJAX_OPTIONS = '"enableAssistiveMml": false, '
# The parts of the single page that are not printed (see the module docstring): the wrapper of
# each of these documents' entries in the root toctree, with every page below them.
NOT_PRINTED = ("book/api/index",)
REMOVE_NOT_PRINTED_JS = """(documents) => {
  let removed = 0;
  for (const name of documents) {
    const anchor = document.getElementById('document-' + name);
    const wrapper = anchor && anchor.closest('.toctree-wrapper');
    if (wrapper) { wrapper.remove(); removed++; }
  }
  return removed;
}"""
# What is still wider than its box after FIT_TO_WIDTH_JS (print_to_pdf fails on any).
TOO_WIDE_JS = """() => {
  const wide = [];
  const check = (element, box, what) => {
    if (element.getBoundingClientRect().width > box.clientWidth + 1) {
      wide.push(`${what}: ${element.textContent.trim().slice(0, 80)}`);
    }
  };
  for (const box of document.querySelectorAll('mjx-container[display="true"]')) {
    const math = box.querySelector('mjx-math');
    if (math) check(math, box.parentElement, 'equation');
  }
  for (const table of document.querySelectorAll('article table, main table')) {
    check(table, table.parentElement, 'table');
  }
  return wide;
}"""


def build_single_page(execute: bool, language: str | None = None) -> Path:
    """Build the single page of one edition (``None``: English) with tools/editions.py.

    The configuration is the edition's site configuration and the build shares that site's
    environment (``_build/.doctrees`` or ``_build/.doctrees-<language>``): after a site build
    with the same settings Sphinx reads nothing again and only writes the single page.
    tests/conftest.py runs each edition's site and PDF tests one after the other in one worker.
    """
    if editions.build(language, "singlehtml", execute=execute):
        raise SystemExit(f"the single-page build of the {language or 'English'} edition failed")
    return serve_from_root(editions.output_dir(language, "singlehtml"))


def serve_from_root(site: Path) -> Path:
    """The single page is written as book/intro.html (the root document's path), but its links
    to _static/ and _images/ are relative to the site root: serve a copy from the root."""
    root_document = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    page = site / f"{Path(root_document).with_suffix('')}.html"
    html = page.read_text(encoding="utf-8")
    if MATHJAX_OPTIONS not in html:
        raise SystemExit(f"no MathJax configuration {MATHJAX_OPTIONS!r} in {page}")
    (site / "print.html").write_text(
        html.replace(MATHJAX_OPTIONS, MATHJAX_OPTIONS + PRINT_ONLY_MATHJAX_OPTIONS, 1),
        encoding="utf-8",
    )
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_to_pdf(site: Path, target: Path) -> Path:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-sync",
                ],
            )
            # Laid out for print at the width of the A4 text block from the start: MathJax then
            # typesets once, at the final width (changing the viewport later costs a re-layout of
            # the whole book).
            page = browser.new_page(viewport={"width": TEXT_WIDTH_PX, "height": 1000})
            page.emulate_media(media="print")
            page.route(
                "**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort()
            )
            page.goto(
                f"http://127.0.0.1:{httpd.server_address[1]}/print.html", wait_until="networkidle"
            )
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                timeout=120_000,
            )
            page.evaluate("() => MathJax.startup.promise")
            # Open every dropdown (solutions) so that they print.
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            removed = page.evaluate(REMOVE_NOT_PRINTED_JS, list(NOT_PRINTED))
            if removed != len(NOT_PRINTED):
                raise SystemExit(f"found {removed} of the parts not printed: {NOT_PRINTED}")
            scaled = page.evaluate(FIT_TO_WIDTH_JS)
            print(f"{scaled} display equations and tables scaled down to the text width")
            too_wide = page.evaluate(TOO_WIDE_JS)
            if too_wide:
                raise SystemExit("wider than the A4 text block:\n" + "\n".join(too_wide[:20]))
            target.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(target),
                format="A4",
                print_background=True,
                margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
            )
            browser.close()
    finally:
        httpd.shutdown()
    return target


def pdf_path(language: str | None = None) -> Path:
    return OUTPUT / ("lossbook.pdf" if language is None else f"lossbook-{language}.pdf")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-execute", action="store_true", help="use the stored notebook outputs")
    parser.add_argument("--site", type=Path, help="also copy the PDF into this built site")
    parser.add_argument("--language", choices=editions.LANGUAGES, help="a translated edition")
    args = parser.parse_args(argv)
    site = build_single_page(execute=not args.no_execute, language=args.language)
    pdf = print_to_pdf(site, pdf_path(args.language))
    print(f"The PDF is {pdf.relative_to(ROOT)}")
    if args.site:
        shutil.copyfile(pdf, args.site / "lossbook.pdf")
        print(f"Copied to {args.site / 'lossbook.pdf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
