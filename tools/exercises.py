"""Write book/exercises.md: every exercise of every chapter, linked, in reading order.

Run after adding or renaming an exercise: ``python tools/exercises.py``.
tests/test_course_material.py fails when the page and the chapters disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nb  # noqa: E402  (tools/nb.py)

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
HEADER = """# Exercises

Every exercise in the book, by chapter. On the site each solution is hidden under its exercise
(click to reveal it). Teachers can build a copy of the book without solutions, for handing out,
with `make book-nosolutions` (see the README).
"""
EXERCISE = re.compile(r"```\{exercise\}\s*([^\n]*)\n:label: ([\w-]+)")


def chapters():
    """(chapter stem, chapter title, [(label, exercise title)]) for each chapter source."""
    for source in sorted((BOOK / "_src").glob("*.py")):
        cells = nb.read_source(source).cells  # parsed by Jupytext, as tools/nb.py builds it
        text = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
        title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
        yield source.stem, title, [(label, name.strip()) for name, label in EXERCISE.findall(text)]


def render() -> str:
    parts = [HEADER]
    for stem, title, exercises in chapters():
        parts.append(f"\n## {{doc}}`{title} <{stem}>`\n")
        parts.extend(f"- {{ref}}`{name or label} <{label}>`" for label, name in exercises)
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    (BOOK / "exercises.md").write_text(render(), encoding="utf-8")
    print("wrote book/exercises.md")
    sys.exit(0)
