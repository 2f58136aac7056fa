"""Build the book without exercise solutions (for handing out): `make book-nosolutions`.

sphinx-exercise's ``hide_solutions`` switch drops a ``{solution}`` directive, but not a *gated*
solution (``{solution-start}`` … ``{solution-end}``, which the chapters use because their solutions
contain code cells): its end marker is left behind and breaks the build, and the cells in between
would be published. So this tool copies the book into ``_build/nosolutions/src``, removes every
gated solution from the copies (the marker cells and every cell between them), sets
``hide_solutions`` for any plain ``{solution}`` directive, and builds the copy with the stored
outputs into ``_build/nosolutions/_build/html``.

    python tools/nosolutions.py [OUTPUT_DIR]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "_build" / "nosolutions"
COPIED = ("_config.yml", "_toc.yml", "book", "tools")  # tools: the local Sphinx extension
START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}")
END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}")


def _strip_markdown(text: str, inside: bool) -> tuple[str, bool]:
    """Remove the gated-solution parts of one markdown text; ``inside`` carries across cells."""
    kept, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        start, end = START.match(line), END.match(line)
        if start or end:
            fence = (start or end).group(1)
            i += 1
            while i < len(lines) and lines[i].strip() != fence:  # skip the directive's own body
                i += 1
            inside = bool(start)
        elif not inside:
            kept.append(line)
        i += 1
    return "\n".join(kept).strip("\n"), inside


def strip_solutions(notebook: nbformat.NotebookNode) -> None:
    """Remove every gated solution from ``notebook`` in place."""
    cells, inside = [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source, inside = _strip_markdown(cell.source, inside)
            if cell.source.strip():
                cells.append(cell)
        elif not inside:
            cells.append(cell)
    notebook.cells = cells


def prepare(output: Path) -> Path:
    source = output / "src"
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for name in COPIED:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("_src", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    for path in (source / "book").glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        strip_solutions(notebook)
        nbformat.write(notebook, path)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["sphinx"]["config"]["hide_solutions"] = True
    config["execute"]["execute_notebooks"] = "off"  # the stored outputs, already tested by nbval
    config["title"] = config["title"] + " (exercises without solutions)"
    (source / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return source


def build(output: Path = OUTPUT) -> subprocess.CompletedProcess:
    source = prepare(output)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    return subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(source),
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(output),
        ],
        capture_output=True,
        text=True,
    )


def main() -> int:
    output = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else OUTPUT
    result = build(output)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
