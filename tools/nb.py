"""Build a chapter notebook from its percent-format source, execute it, and clean it.

The readable source of each chapter is ``book/_src/NN-topic.py`` in the "percent" format
that Jupytext and VS Code understand::

    # %% [markdown]
    # # A title
    # Some MyST markdown.

    # %% mystnb={"image": {"alt": "What the figure shows"}}
    fig, ax = plt.subplots()

Cells start at lines beginning with ``# %%``. ``[markdown]`` marks a markdown cell, whose lines
lose their leading ``# `` (or ``#``). After the marker, ``key=<JSON>`` pairs become cell metadata.

Usage::

    python tools/nb.py build book/_src/03-nll.py   # writes and executes book/03-nll.ipynb
    python tools/nb.py build --all                 # every source
    python tools/nb.py check                       # every notebook matches its source (no execution)

The ``.ipynb`` (with outputs) is what the book and nbval use; the ``.py`` is what people edit and
review. ``tests/test_notebook_hygiene.py`` fails when the two drift apart.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SOURCES = BOOK / "_src"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
TIMEOUT_SECONDS = 300


def _parse_metadata(text: str, where: str) -> dict:
    metadata, decoder, rest = {}, json.JSONDecoder(), text.strip()
    while rest:
        key, sep, rest = rest.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"{where}: expected key=<JSON> after '# %%', got {text!r}")
        value, end = decoder.raw_decode(rest.lstrip())
        metadata[key.strip()] = value
        rest = rest.lstrip()[end:].strip()
    return metadata


def _strip_markdown_line(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    if line.startswith("#"):
        return line[1:]
    return line


def cells_from_source(path: Path) -> list:
    """Parse a percent-format file into a list of nbformat cells (no outputs)."""
    cells, kind, metadata, lines = [], None, {}, []

    def flush():
        if kind is None:
            return
        body = list(lines)
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell("\n".join(_strip_markdown_line(l) for l in body))
        else:
            cell = nbformat.v4.new_code_cell("\n".join(body))
        cell.metadata = metadata
        cells.append(cell)

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("# %%"):
            flush()
            header = line[4:].strip()
            kind = "code"
            if header.startswith("[markdown]"):
                kind, header = "markdown", header[len("[markdown]"):]
            metadata = _parse_metadata(header, f"{path.name}:{number}")
            lines = []
        elif kind is not None:
            lines.append(line)
    flush()
    for cell in cells:
        cell.pop("id", None)
    return cells


def clean(nb) -> None:
    """Keep only reproducible metadata: kernelspec, language, and per-cell metadata from the source."""
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    count = 0
    for cell in nb.cells:
        cell.pop("id", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
                output.get("metadata", {}).pop("execution", None)
    nb.nbformat, nb.nbformat_minor = 4, 4


def build(source: Path) -> Path:
    from nbclient import NotebookClient

    target = BOOK / (source.stem + ".ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = cells_from_source(source)
    nb.metadata = {"kernelspec": dict(KERNELSPEC)}
    NotebookClient(nb, timeout=TIMEOUT_SECONDS, kernel_name="python3",
                   resources={"metadata": {"path": str(BOOK)}}).execute()
    clean(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or output.get("name") == "stderr":
                text = output.get("text") or "\n".join(output.get("traceback", []))
                raise SystemExit(f"{source.name}: a cell wrote an error or to stderr:\n{text}")
    nbformat.validator.normalize(nb)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def drift(source: Path) -> list[str]:
    """Differences between a source and its notebook's cells (type, text, metadata)."""
    target = BOOK / (source.stem + ".ipynb")
    if not target.exists():
        return [f"{target.name} does not exist: run python tools/nb.py build {source}"]
    expected = cells_from_source(source)
    actual = nbformat.read(target, as_version=4).cells
    problems = []
    if len(expected) != len(actual):
        problems.append(f"{target.name}: {len(actual)} cells, source has {len(expected)}")
    for index, (want, got) in enumerate(zip(expected, actual)):
        if (want.cell_type, want.source, dict(want.metadata)) != (got.cell_type, got.source, dict(got.metadata)):
            problems.append(f"{target.name}: cell {index} differs from {source.name}")
            break
    return problems


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "build":
        sources = sorted(SOURCES.glob("*.py")) if argv[1:] == ["--all"] else [Path(a) for a in argv[1:]]
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
