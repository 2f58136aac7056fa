"""The printable PDF: it builds offline, has every chapter, and its maths and pages render."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LOSSBOOK_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.slow


def require(condition: bool, message: str):
    if not condition:
        if os.environ.get("LOSSBOOK_REQUIRE_PDF") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def pdf() -> Path:
    return build_pdf()


def build_pdf(language: str | None = None) -> Path:
    """Print the book (one edition) with tools/pdf.py from the stored outputs; its path."""
    require(Path(CHROMIUM).exists(), "Chromium not found: apt-get install chromium")
    for tool in ("pdftoppm", "pdftotext"):
        require(shutil.which(tool) is not None, f"{tool} not found: apt-get install poppler-utils")
    # tools/pdf.py fails when a display equation or table is still wider than the A4 text block
    # after it scaled them down (its output names them).
    language_option = ["--language", language] if language else []
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "pdf.py"), "--no-execute", *language_option],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"tools/pdf.py failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    )
    name = "lossbook.pdf" if language is None else f"lossbook-{language}.pdf"
    path = ROOT / "_build" / "pdf" / name
    assert path.exists() and path.stat().st_size > 100_000
    return path


def chapter_titles() -> list[str]:
    titles = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        first = next(
            c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
        )
        heading = next(line for line in first.source.splitlines() if line.startswith("# "))
        titles.append(heading[2:].strip())
    return titles


@functools.cache
def pdf_text(path: Path, mode: str = "-raw") -> str:
    """The PDF's text, by poppler's pdftotext (seconds, where pypdf takes about a minute).

    ``-raw`` keeps the order in which the text was drawn: a printed table row stays one row
    (the default mode may reorder widely spaced columns). ``-layout`` keeps the page's lines in
    place: the rest of a code line wrapped at the foot of a page follows it on the next page,
    where Chromium may draw it after the text below it.
    """
    result = subprocess.run(
        ["pdftotext", mode, "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


# A table cell with maths is typeset by MathJax: its TeX source is not the printed text.
MATHS = re.compile(r"\\\(|\\\[|\$")


class _CellTexts(HTMLParser):
    """The text of each cell of the HTML tables in an output (what a printed table shows)."""

    def __init__(self):
        super().__init__()
        self.cells, self._current = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._current = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._current is not None:
            self.cells.append("".join(self._current))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def printed_lines(notebook: nbformat.NotebookNode) -> dict[str, list[str]]:
    """The lines the book prints from a notebook, by kind: code lines, text outputs, table cells.

    Cells tagged ``remove-cell`` are not on the site, nor their inputs or outputs under
    ``remove-input``/``remove-output``; an output with a richer form than text (an image, maths,
    HTML) is shown in that form, so only its table cells are counted.
    """
    lines = {"code": [], "output": [], "table cell": []}
    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or "remove-cell" in tags:
            continue
        if "remove-input" not in tags:
            lines["code"] += cell.source.splitlines()
        if "remove-output" in tags:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.output_type == "stream":
                lines["output"] += output.text.splitlines()
            elif set(data) == {"text/plain"}:
                lines["output"] += data["text/plain"].splitlines()
            elif "text/html" in data:
                parser = _CellTexts()
                parser.feed(data["text/html"])
                lines["table cell"] += [text for text in parser.cells if not MATHS.search(text)]
    return {kind: [line for line in found if line.strip()] for kind, found in lines.items()}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_has_every_chapter(pdf):
    text = " ".join(pdf_text(pdf).split())
    for title in chapter_titles():
        assert " ".join(title.split()) in text, f"chapter {title!r} not in the PDF"


def test_pdf_loses_no_line_of_code_or_output(pdf):
    """Every line of every code cell, text output and table cell is in the PDF whole.

    Before the print styles, 1,677 of the 4,683 code lines were clipped at the margin. A line
    wrapped on paper is still found: whitespace (the line break included) is ignored, and a line
    counts as whole when either extraction order (see ``pdf_text``) has it in one piece.
    """
    missing, counts = missing_lines(pdf)
    assert counts["code"] > 1000, counts  # the chapters were read
    assert not missing, (
        f"{len(missing)} of {sum(counts.values())} lines {counts} not whole in "
        "the PDF:\n" + "\n".join(sorted(missing, key=len, reverse=True)[:25])
    )


def missing_lines(pdf: Path) -> tuple[list[str], dict[str, int]]:
    """The chapters' code lines, text outputs and table cells that are not whole in the PDF."""
    texts = (squeeze(pdf_text(pdf, "-raw")), squeeze(pdf_text(pdf, "-layout")))
    missing, counts = [], {}
    for path in sorted((ROOT / "book").glob("[0-9]*.ipynb")):
        for kind, lines in printed_lines(nbformat.read(path, as_version=4)).items():
            counts[kind] = counts.get(kind, 0) + len(lines)
            missing += [
                f"{path.stem} ({kind}): {line.strip()}"
                for line in lines
                if not any(squeeze(line) in text for text in texts)
            ]
    return missing, counts


def test_pdf_maths_is_typeset(pdf):
    check_maths_typeset(pdf)


def check_maths_typeset(pdf: Path) -> None:
    text = pdf_text(pdf)
    # MathJax output carries its own glyphs; typeset formulas come through as their symbols.
    assert "logsumexp" in text.replace(" ", "")
    assert "Σ" in text or "∑" in text
    # Raw TeX may be printed only where a code cell or an output holds it (r"\sum" in SymPy code).
    printed = "".join(
        squeeze(line)
        for path in sorted((ROOT / "book").glob("[0-9]*.ipynb"))
        for lines in printed_lines(nbformat.read(path, as_version=4)).values()
        for line in lines
    )
    raw = [
        line
        for line in text.splitlines()
        if ("\\sum" in line or "$$" in line) and squeeze(line) not in printed
    ]
    assert not raw, f"raw TeX in the PDF, MathJax did not run: {raw[:5]}"


def test_a_page_renders_non_blank(pdf, tmp_path):
    check_page_not_blank(pdf, tmp_path)


def check_page_not_blank(pdf: Path, tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "3", "-l", "3", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(1 for value in image.tobytes() if value < 128)
    assert dark > 0.005 * image.width * image.height, "page 3 looks blank"
