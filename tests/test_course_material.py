"""What a teacher relies on: citation metadata, licences, bibliography, glossary, exercise list."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def book_texts() -> dict[str, str]:
    """Markdown of every page and chapter (code cells included: they may mention terms too)."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in BOOK.glob("*.md")}
    for path in BOOK.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        texts[path.name] = "\n".join(
            cell.source for cell in nb.cells if cell.cell_type == "markdown"
        )
    return texts


def role_targets(text: str, role: str) -> list[str]:
    """Targets of {role}`...` uses; for `text <target>` the target."""
    targets = []
    for body in re.findall(r"\{" + role + r"(?::\w+)?\}`([^`]+)`", text):
        match = re.search(r"<([^>]+)>\s*$", body)
        targets.extend([match.group(1)] if match else [part.strip() for part in body.split(",")])
    return targets


def test_citation_cff_is_valid():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cffconvert"),
            "--validate",
            "-i",
            str(ROOT / "CITATION.cff"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


INSTALL_REQUIREMENT = re.compile(r'"LOSSBOOK_REQUIREMENT",\s*"([^"]+)"')


def test_one_version_everywhere():
    """lossbook.__version__ is the one source; every other place that states it agrees."""
    import tomllib

    import lossbook

    version = lossbook.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "lossbook.__version__"}
    assert str(yaml.safe_load((ROOT / "CITATION.cff").read_text())["version"]) == version
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["parse"]["myst_substitutions"]["version"] == version
    assert re.search(r"version (\d+(?:\.\d+)*)", config["html"]["extra_footer"]).group(1) == version
    assert f"version = {{{version}}}" in (BOOK / "how-to-cite.md").read_text()
    for source in sorted((BOOK / "_src").glob("*.py")):
        for requirement in INSTALL_REQUIREMENT.findall(source.read_text(encoding="utf-8")):
            assert requirement == f"lossbook @ git+{config['repository']['url']}@v{version}", (
                f"{source.name} installs {requirement!r}"
            )


def test_licences_are_stated_in_the_repository_and_on_the_site():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-TEXT.md").read_text()
    for page in ("intro.md", "how-to-cite.md"):
        text = (BOOK / page).read_text()
        assert "CC BY 4.0" in text and "MIT" in text, page
    assert "CC BY 4.0" in yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["extra_footer"]


def bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,]+),", (BOOK / "references.bib").read_text(), re.M))


def test_every_reference_is_cited_and_every_citation_exists():
    cited = {key for text in book_texts().values() for key in role_targets(text, "cite")}
    keys = bib_keys()
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
    assert keys <= cited, f"in references.bib but never cited: {sorted(keys - cited)}"


def glossary_terms() -> list[str]:
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    return [
        line.strip() for line in block.splitlines() if line.strip() and not line.startswith(" ")
    ]


def test_glossary_has_chinese_names():
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    for chinese in ("熵", "交叉熵", "负对数似然", "二元交叉熵", "KL 散度", "相对熵", "余弦相似度"):
        assert chinese in text
    block = text.split("```{glossary}", 1)[1]
    definitions = re.split(r"\n(?=\S)", block)
    for definition in filter(str.strip, definitions[:-1]):
        assert re.search(r"[\u4e00-\u9fff]", definition), f"no Chinese name in: {definition[:40]}"


def test_every_glossary_term_is_used_and_every_term_link_exists():
    terms = {t.lower() for t in glossary_terms()}
    used = {
        t.lower()
        for name, text in book_texts().items()
        if name != "glossary.md"
        for t in role_targets(text, "term")
    }
    assert used <= terms, f"{{term}} links to missing glossary entries: {sorted(used - terms)}"
    assert terms <= used, f"glossary terms never linked from the book: {sorted(terms - used)}"


def exercise_labels() -> dict[str, str]:
    labels = {}
    for name, text in book_texts().items():
        for label in re.findall(r"```\{exercise\}[^\n]*\n:label: ([\w-]+)", text):
            labels[label] = name
    return labels


def test_every_chapter_has_at_least_four_exercises_with_solutions():
    labels = exercise_labels()
    for path in sorted(BOOK.glob("*.ipynb")):
        own = [label for label, name in labels.items() if name == path.name]
        assert len(own) >= 4, f"{path.name} has {len(own)} exercises"
        text = book_texts()[path.name]
        for label in own:
            assert re.search(r"\{solution(-start)?\} " + re.escape(label) + r"\b", text), (
                f"{label}: no solution"
            )


def test_exercise_page_links_every_exercise():
    page = (BOOK / "exercises.md").read_text(encoding="utf-8")
    listed = set(role_targets(page, "ref"))
    labels = set(exercise_labels())
    assert labels <= listed, f"exercises missing from exercises.md: {sorted(labels - listed)}"
    assert listed <= labels, f"exercises.md links to unknown exercises: {sorted(listed - labels)}"


# --- chapter numbers: file NN-topic is chapter NN everywhere ----------------------------------

CHAPTER_FILES = sorted(p.stem for p in BOOK.glob("[0-9][0-9]-*.ipynb"))
CHAPTER_NUMBERS = {int(stem[:2]) for stem in CHAPTER_FILES}


def test_toc_numbers_chapters_by_their_file_number():
    """0 is an unnumbered preface; the numbered parts list chapters 1, 2, ... in file order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    numbered = [
        c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]
    ]
    unnumbered = [
        c["file"] for part in toc["parts"] if not part.get("numbered") for c in part["chapters"]
    ]
    numbers = [int(re.match(r"book/(\d\d)-", entry).group(1)) for entry in numbered]
    assert numbers == list(range(1, len(numbers) + 1)), f"numbered chapters {numbers}"
    assert "book/00-how-to-read" in unnumbered
    assert {f"book/{stem}" for stem in CHAPTER_FILES} <= set(numbered) | set(unnumbered)


# "chapter 3", "chapters 2 and 5", "Chapters 1–6"; a mention right after a {cite...}`key` names a
# chapter of the cited work, not of this book.
CHAPTER_MENTION = re.compile(
    r"(\{cite(?::\w+)?\}`[^`]+`\W{0,3})?\b[Cc]hapters? "
    r"(\d+(?:(?:\s*[–-]\s*|,\s*|\s+and\s+)\d+)*)"
)


def chapter_mentions(text: str) -> list[int]:
    numbers = []
    for match in CHAPTER_MENTION.finditer(text):
        if not match.group(1):
            numbers.extend(int(n) for n in re.findall(r"\d+", match.group(2)))
    return numbers


def test_chapter_mention_pattern_on_examples():
    assert chapter_mentions("as chapter 4 shows; see Chapters 1–6 and chapters 2, 3 and 11") == [
        4,
        1,
        6,
        2,
        3,
        11,
    ]
    assert chapter_mentions("{cite:t}`cover2006`, chapters 2 and 5, prove") == []
    assert chapter_mentions("({cite:t}`cover2006`, chapter 2)") == []


def test_every_chapter_mentioned_by_number_exists():
    sources = sorted((BOOK / "_src").glob("*.py")) + sorted(BOOK.glob("*.md"))
    for path in sources:
        for number in chapter_mentions(path.read_text(encoding="utf-8")):
            assert number in CHAPTER_NUMBERS, (
                f"{path.relative_to(ROOT)} mentions chapter {number}; no file {number:02d}-* exists"
            )


def readme_rows(name: str) -> dict[int, str]:
    """A README's table of chapters, ``{number: title}``, with one row per chapter file."""
    readme = (ROOT / name).read_text(encoding="utf-8")
    rows = {
        int(n): title.strip() for n, title in re.findall(r"^\| (\d+) \| ([^|]+)\|", readme, re.M)
    }
    assert set(rows) == CHAPTER_NUMBERS, (
        f"{name} rows {sorted(rows)}, chapters {sorted(CHAPTER_NUMBERS)}"
    )
    return rows


def test_readme_lists_every_chapter_under_its_number():
    """The README's table of chapters: one row per chapter file, number and (start of) title."""
    rows = readme_rows("README.md")
    for stem in CHAPTER_FILES:
        cells = nbformat.read(BOOK / f"{stem}.ipynb", as_version=4).cells
        title = re.search(r"^# (.+)$", cells[0].source, re.M).group(1)
        assert title.lower().startswith(rows[int(stem[:2])].lower()), (stem, rows[int(stem[:2])])


def test_chinese_readme_lists_every_chapter_under_its_chinese_title():
    """README.zh.md's table: one row per chapter, titled as the catalogue translates the title."""
    rows = readme_rows("README.zh.md")
    sys.path.insert(0, str(ROOT / "tools"))
    from editions import chapter_titles

    for stem, (_, title) in chapter_titles("zh_CN").items():
        assert title and title.startswith(rows[int(stem[:2])]), (stem, title, rows[int(stem[:2])])


def heading_number(html: str) -> str | None:
    """The section number Sphinx puts before a page's title ("4." -> "4"), None if unnumbered.

    The title is the <h1> with a permalink (the theme's header repeats the title without one).
    """
    (h1,) = [h for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S) if "headerlink" in h]
    match = re.search(r'class="section-number">\s*([\d.]+?)\.?\s*<', h1)
    return match.group(1) if match else None


def test_heading_number_on_examples():
    numbered = (
        '<h1>T</h1><h1><span class="section-number">4. </span>T<a class="headerlink">#</a></h1>'
    )
    assert heading_number(numbered) == "4"
    assert heading_number('<h1>T</h1><h1>T<a class="headerlink" href="#t">#</a></h1>') is None


def check_site_chapter_numbers(html_dir: Path) -> None:
    for stem in CHAPTER_FILES:
        html = (html_dir / f"{stem}.html").read_text(encoding="utf-8")
        expected = None if stem.startswith("00-") else str(int(stem[:2]))
        assert heading_number(html) == expected, (
            f"{stem}.html is numbered {heading_number(html)!r} on the site, its file {expected!r}"
        )


@pytest.fixture(scope="module")
def nosolutions_site() -> Path:
    sys.path.insert(0, str(ROOT / "tools"))
    import nosolutions

    output = ROOT / "_build" / "nosolutions-test"
    result = nosolutions.build(output)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    return output / "_build" / "html" / "book"


@pytest.mark.slow
def test_site_numbers_each_chapter_by_its_file_number(nosolutions_site):
    check_site_chapter_numbers(nosolutions_site)


@pytest.mark.slow
def test_book_builds_without_solutions(nosolutions_site):
    html_dir = nosolutions_site
    for path in sorted(BOOK.glob("*.ipynb")):
        html = (html_dir / f"{path.stem}.html").read_text(encoding="utf-8")
        assert 'class="exercise' in html, f"{path.stem}: the exercises must still be there"
        assert 'class="solution' not in html and "solution-title" not in html, (
            f"{path.stem}: a solution was published"
        )
    # not only the solution's title: its code cells must be gone too (the page's text, tags removed,
    # still shows an ordinary code cell, and no longer the solution's first code cell)
    path = next(BOOK.glob("01-*.ipynb"))
    notebook = nbformat.read(path, as_version=4)
    start = next(i for i, c in enumerate(notebook.cells) if "{solution-start}" in c.source)

    def longest_line(cell) -> str:  # the most distinctive line of a cell (not a lone ")")
        return max(cell.source.splitlines(), key=len).strip()

    solution_line = longest_line(next(c for c in notebook.cells[start:] if c.cell_type == "code"))
    ordinary_line = longest_line(
        next(
            c
            for c in notebook.cells
            if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", [])
        )
    )
    page = (html_dir / f"{path.stem}.html").read_text(encoding="utf-8")
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    assert ordinary_line in text
    assert solution_line not in text


def test_exercise_page_is_up_to_date():
    sys.path.insert(0, str(ROOT / "tools"))
    import exercises

    assert (BOOK / "exercises.md").read_text(encoding="utf-8") == exercises.render(), (
        "book/exercises.md is stale: run python tools/exercises.py"
    )
