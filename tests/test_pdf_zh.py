"""The Chinese edition's PDF (``make pdf-zh``): every chapter, nothing clipped, Chinese glyphs.

The same checks as the English PDF (tests/test_pdf.py): the code, outputs and tables are the
English edition's, so every one of their lines must be whole in this PDF too. tests/conftest.py
runs this file after tests/test_edition_zh.py in the same worker, so that the single-page build
reuses the Chinese site's Sphinx environment instead of reading every chapter again.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_pdf import build_pdf, check_maths_typeset, check_page_not_blank, missing_lines, pdf_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pdf() -> Path:
    return build_pdf("zh_CN")


def test_pdf_has_every_chapter_in_chinese(pdf):
    text = re.sub(r"\s+", "", pdf_text(pdf))
    for stem, (_, title) in editions.chapter_titles("zh_CN").items():
        assert title and re.sub(r"\s+", "", title) in text, f"{stem}: {title!r} not in the PDF"


def test_pdf_loses_no_line_of_code_or_output(pdf):
    missing, counts = missing_lines(pdf)
    assert counts["code"] > 1000, counts
    assert not missing, (
        f"{len(missing)} of {sum(counts.values())} lines {counts} not whole in the PDF:\n"
        + "\n".join(sorted(missing, key=len, reverse=True)[:25])
    )


def test_pdf_embeds_a_chinese_font_and_its_text_is_chinese(pdf):
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"WenQuanYi|Noto ?Sans ?CJK|Noto ?Serif ?CJK", fonts.stdout, re.I), (
        fonts.stdout[:1500]
    )
    text = pdf_text(pdf)
    for term in ("交叉熵", "负对数似然", "余弦相似度", "相对熵"):
        assert term in text, f"{term} is not in the PDF's text"
    assert "\ufffd" not in text, "the PDF's text has replacement characters"


def test_pdf_maths_is_typeset(pdf):
    check_maths_typeset(pdf)


def test_a_page_renders_non_blank(pdf, tmp_path):
    check_page_not_blank(pdf, tmp_path)
