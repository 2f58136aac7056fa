"""Build a chapter notebook from its percent-format source, execute it, and clean it.

The readable source of each chapter is ``book/_src/NN-topic.py`` in Jupytext's "percent"
format (which VS Code, PyCharm and Jupyter with Jupytext open as a notebook)::

    # %% [markdown]
    # # A title
    # Some MyST markdown.

    # %% tags=["hide-input"] mystnb={"image": {"alt": "What the figure shows"}}
    fig, ax = plt.subplots()

Jupytext parses and writes the format (``jupytext.read(path, fmt="py:percent")``); this tool
only adds the book's execute-and-clean step: run every cell, fail on an error or on anything
written to stderr, and keep only reproducible metadata (no cell ids, no timings, no Jupytext
bookkeeping such as ``lines_to_next_cell``).

Usage::

    python tools/nb.py build book/_src/03-nll.py   # writes and executes book/03-nll.ipynb
    python tools/nb.py build --all                 # every source
    python tools/nb.py check                       # every notebook matches its source (no run)

The ``.ipynb`` (with outputs) is what the book and nbval use; the ``.py`` is what people edit and
review. ``tests/test_notebook_hygiene.py`` fails when the two drift apart.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.compare import NotebookDifference, compare_notebooks

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SOURCES = BOOK / "_src"
FORMAT = "py:percent"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
TIMEOUT_SECONDS = 300
# Jupytext's own layout hints: needed to write the source back byte for byte, not in the book.
JUPYTEXT_CELL_KEYS = ("lines_to_next_cell",)


def read_source(path: Path) -> nbformat.NotebookNode:
    """The chapter source as a notebook without outputs, metadata cleaned as in the book."""
    nb = jupytext.read(path, fmt=FORMAT)
    for cell in nb.cells:
        cell.pop("id", None)
        for key in JUPYTEXT_CELL_KEYS:
            cell.metadata.pop(key, None)
    nb.metadata = {"kernelspec": dict(KERNELSPEC)}
    return nb


def clean(nb) -> None:
    """Keep only reproducible metadata: kernelspec, language, per-cell metadata from the source."""
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    count = 0
    for cell in nb.cells:
        cell.pop("id", None)
        cell.metadata.pop("execution", None)
        for key in JUPYTEXT_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
                output.get("metadata", {}).pop("execution", None)
    nb.nbformat, nb.nbformat_minor = 4, 4


def _first_error(nb) -> str | None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or output.get("name") == "stderr":
                return output.get("text") or "\n".join(output.get("traceback", []))
    return None


def build(source: Path) -> Path:
    """Execute ``source`` and write ``book/<stem>.ipynb`` with its outputs."""
    from nbclient import NotebookClient

    target = BOOK / (source.stem + ".ipynb")
    nb = read_source(source)
    NotebookClient(
        nb,
        timeout=TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(BOOK)}},
    ).execute()
    clean(nb)
    error = _first_error(nb)
    if error is not None:
        raise SystemExit(f"{source.name}: a cell wrote an error or to stderr:\n{error}")
    nbformat.validator.normalize(nb)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def drift(source: Path) -> list[str]:
    """Differences between a source and its notebook's cells (type, text, metadata), by Jupytext."""
    target = BOOK / (source.stem + ".ipynb")
    if not target.exists():
        return [f"{target.name} does not exist: run python tools/nb.py build {source}"]
    expected = read_source(source)
    actual = nbformat.read(target, as_version=4)
    actual.metadata = (
        expected.metadata
    )  # the notebook's own metadata is checked by the hygiene tests
    try:
        compare_notebooks(actual, expected, fmt=FORMAT, compare_outputs=False)
    except NotebookDifference as difference:
        return [f"{target.name} differs from {source.name}: {difference}"]
    return []


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "build":
        if argv[1:] == ["--all"]:
            sources = sorted(SOURCES.glob("*.py"))
        else:
            sources = [Path(a) for a in argv[1:]]
        if not sources:
            print(__doc__)
            return 2
        for source in sources:
            print(f"built {build(Path(source).resolve()).relative_to(ROOT)}")
        return 0
    if argv == ["check"]:
        problems = [p for s in sorted(SOURCES.glob("*.py")) for p in drift(s)]
        print("\n".join(problems) or "every notebook matches its source")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
