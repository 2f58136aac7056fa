"""Every chapter notebook is clean, listed in the table of contents, and matches its source.

nbval (run over book/ by `make test`) checks that stored outputs equal fresh ones; these tests
check what nbval does not: that outputs exist at all, that nothing went to stderr, that metadata
carries no volatile state, that stored maths typesets, and that the `.ipynb` was built from the
current `book/_src/*.py`.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import jupytext
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


def test_chapters_are_listed_in_reading_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [
        c["file"]
        for part in toc["parts"]
        for c in part["chapters"]
        if re.match(r"book/\d\d-", c["file"])
    ]
    numbers = [int(re.match(r"book/(\d\d)-", c).group(1)) for c in chapters]
    assert numbers == sorted(numbers) == list(range(len(numbers)))


# --- typeset maths in stored outputs ----------------------------------------------------------


def _group_end(text: str, start: int) -> int | None:
    """Index of the brace closing the group opened at ``text[start] == "{"``; None if unclosed."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "\\":
            continue
        if text[index] == "{" and text[index - 1] != "\\":
            depth += 1
        elif text[index] == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return None


def latex_problems(latex: str) -> list[str]:
    """Why a ``text/latex`` output would not typeset as intended (empty list: it looks fine).

    Catches unbalanced braces and the marks of a SymPy symbol whose name holds a bare ``^`` or
    ``_``: SymPy turns the rest of the name into a script group, so a parenthesis or a derivative
    ends up inside ``^{...}``/``_{...}`` (``\\sigma(z^{*)}``, ``\\partial^{2\\ell/\\partial z 2}``).
    """
    unescaped = re.sub(r"\\[{}$]", "", latex)
    problems = []
    if unescaped.count("{") != unescaped.count("}"):
        problems.append(f"{unescaped.count('{')} '{{' but {unescaped.count('}')} '}}'")
    if unescaped.count("$") % 2:
        problems.append("an odd number of '$'")
    for match in re.finditer(r"[_^]\{", latex):
        end = _group_end(latex, match.end() - 1)
        if end is None:
            problems.append(f"unclosed group at {latex[match.start() : match.start() + 20]!r}")
            continue
        group = latex[match.end() : end]
        bare = re.sub(r"\\(left|right|big|Big)?[()\[\]]", "", group)
        if bare.count("(") != bare.count(")") or bare.count("[") != bare.count("]"):
            problems.append(f"unbalanced brackets inside {latex[match.start() : end + 1]!r}")
        if "\\partial" in group:
            problems.append(f"a derivative inside a script: {latex[match.start() : end + 1]!r}")
    return problems


@pytest.mark.parametrize(
    "latex",
    [
        r"$\displaystyle \partial^{2\ell/\partial z 2} = 1$",
        r"$\displaystyle \partial(\sigma(z) - y)^{2/\partial z} = 0$",
        r"$\displaystyle \sigma(z^{*)} = 1$",
        r"$\displaystyle \ell(e_{y)} = 1$",
        r"$\displaystyle \frac{1}{2$",
        r"$x = 1",
    ],
)
def test_latex_checker_catches_garbled_maths(latex):
    assert latex_problems(latex)


@pytest.mark.parametrize(
    "latex",
    [
        r"$\displaystyle \frac{\partial^{2} \ell}{\partial z^{2}} = \left(e^{z}\right)^{2}$",
        r"$\displaystyle \sigma(z^{*}) = \frac{n_{+} w}{n_{+} w + n_{-}}$",
        r"$\displaystyle \ell(e_{y}) = \log{\left(\frac{C - 1}{e} + 1 \right)}$",
        r"$\displaystyle \ell_{y=-1} = \max\left(0, - m \right)$",
        r"$\displaystyle \left\{ x \right\} = e^{\left(a + b\right)}$",
        r"$\displaystyle q_{\mu,\sigma} = 10^{-8}$",
    ],
)
def test_latex_checker_accepts_good_maths(latex):
    assert latex_problems(latex) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_maths_typesets(path):
    """Every stored text/latex output has balanced braces and no garbled script group."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            latex = output.get("data", {}).get("text/latex")
            if latex is not None:
                problems.extend(f"{path.name}, cell {index}: {p}" for p in latex_problems(latex))
    assert not problems, "garbled maths in stored outputs:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, (
        f"volatile metadata: {set(nb.metadata)}"
    )
    titles = [
        c for c in nb.cells if c.cell_type == "markdown" and re.search(r"^# ", c.source, re.M)
    ]
    assert len(titles) == 1, "a chapter has exactly one '# Title'"
    counts = []
    for index, cell in enumerate(nb.cells):
        assert "id" not in cell, f"cell {index} has a random id"
        assert set(cell.metadata) <= {"mystnb", "tags"}, (
            f"cell {index} metadata {set(cell.metadata)}"
        )
        if cell.cell_type != "code":
            continue
        counts.append(cell.execution_count)
        assert cell.source.strip(), f"cell {index} is empty"
        for output in cell.outputs:
            assert output.output_type != "error", f"cell {index} stored an error"
            assert output.get("name") != "stderr", (
                f"cell {index} wrote to stderr: {output.get('text')!r}"
            )
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
    assert with_output >= len(counts) // 2, (
        f"{path.name}: outputs look stripped ({with_output}/{len(counts)})"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_opening(path):
    """Title, overview and lists; the hidden install cell; an imports-only cell (issue 15)."""
    cells = nbformat.read(path, as_version=4).cells
    opening, install, imports = cells[0], cells[1], cells[2]
    assert opening.cell_type == "markdown" and opening.source.startswith("# ")
    assert "In this chapter" in opening.source and "You need" in opening.source, (
        "the opening cell needs an 'In this chapter' and a 'You need' list"
    )
    assert install.cell_type == "code" and "remove-cell" in install.metadata.get("tags", [])
    assert 'find_spec("lossbook") is None' in install.source
    assert "LOSSBOOK_REQUIREMENT" in install.source
    assert imports.cell_type == "code"
    body = ast.parse(imports.source).body
    assert body and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body), (
        "the cell after the install cell holds only imports"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_source_round_trips_through_jupytext(path):
    """Jupytext writes the source back byte for byte: opening it as a notebook changes nothing."""
    source = BOOK / "_src" / (path.stem + ".py")
    text = source.read_text(encoding="utf-8")
    assert jupytext.writes(jupytext.reads(text, fmt="py:percent"), fmt="py:percent") == text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_matches_its_source(path):
    source = BOOK / "_src" / (path.stem + ".py")
    assert source.exists(), f"{path.name} has no source {source.relative_to(ROOT)}"
    assert nbtool.drift(source) == []


def test_every_source_has_a_notebook():
    for source in sorted((BOOK / "_src").glob("*.py")):
        assert (BOOK / (source.stem + ".ipynb")).exists(), f"run: python tools/nb.py build {source}"


CODE_COLUMNS = 88
"""The widest code line a chapter may show: the code box holds about 90 characters at 1280 px
(the browser test measures the boxes themselves), and `ruff format` wraps code at 88."""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_the_page(path):
    nb = nbformat.read(path, as_version=4)
    long_lines = [
        f"cell {index}: {len(line)} characters: {line[:60]}..."
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "remove-cell" not in cell.metadata.get("tags", [])
        for line in cell.source.splitlines()
        if len(line) > CODE_COLUMNS
    ]
    assert not long_lines, f"{path.name}: code lines wider than {CODE_COLUMNS}:\n" + "\n".join(
        long_lines
    )
