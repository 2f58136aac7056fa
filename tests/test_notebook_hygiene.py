"""Every chapter notebook is clean, listed in the table of contents, and matches its source.

nbval (run over book/ by `make test`) checks that stored outputs equal fresh ones; these tests check
what nbval does not: that outputs exist at all, that nothing went to stderr, that metadata carries no
volatile state, and that the `.ipynb` was built from the current `book/_src/*.py`.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import nb as nbtool  # noqa: E402


def toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            files.add(chapter["file"])
    return files


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    listed = toc_files()
    notebooks = {f"book/{p.stem}" for p in NOTEBOOKS}
    assert notebooks <= listed, f"notebooks missing from _toc.yml: {sorted(notebooks - listed)}"
    for entry in listed:
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".ipynb", ".md")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which does not exist"


def test_chapters_are_numbered_in_reading_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [c["file"] for c in toc["parts"][0]["chapters"]]
    numbers = [int(re.match(r"book/(\d\d)-", c).group(1)) for c in chapters]
    assert numbers == sorted(numbers) == list(range(len(numbers)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, f"volatile metadata: {set(nb.metadata)}"
    titles = [c for c in nb.cells if c.cell_type == "markdown" and re.search(r"^# ", c.source, re.M)]
    assert len(titles) == 1, "a chapter has exactly one '# Title'"
    counts = []
    for index, cell in enumerate(nb.cells):
        assert "id" not in cell, f"cell {index} has a random id"
        assert set(cell.metadata) <= {"mystnb", "tags"}, f"cell {index} metadata {set(cell.metadata)}"
        if cell.cell_type != "code":
            continue
        counts.append(cell.execution_count)
        assert cell.source.strip(), f"cell {index} is empty"
        for output in cell.outputs:
            assert output.output_type != "error", f"cell {index} stored an error"
            assert output.get("name") != "stderr", f"cell {index} wrote to stderr: {output.get('text')!r}"
            text = str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r"0x[0-9a-f]{6,}", text), f"cell {index} shows a memory address"
            assert "/work/" not in text and "/tmp/" not in text, f"cell {index} shows a local path"
            if "image/png" in output.get("data", {}):
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
                assert len(alt) >= 20, f"cell {index} draws a figure without alt text"
    # Stored outputs: every code cell was executed (a count), and the notebook's outputs were kept.
    assert None not in counts, f"{path.name} has unexecuted code cells"
    assert counts == list(range(1, len(counts) + 1)), "execution counts must be 1..n in order"
    with_output = sum(1 for c in nb.cells if c.cell_type == "code" and c.outputs)
    assert with_output >= len(counts) // 2, f"{path.name}: outputs look stripped ({with_output}/{len(counts)})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_matches_its_source(path):
    source = BOOK / "_src" / (path.stem + ".py")
    assert source.exists(), f"{path.name} has no source {source.relative_to(ROOT)}"
    assert nbtool.drift(source) == []


def test_every_source_has_a_notebook():
    for source in sorted((BOOK / "_src").glob("*.py")):
        assert (BOOK / (source.stem + ".ipynb")).exists(), f"run: python tools/nb.py build {source}"
