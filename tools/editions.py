"""The book's two editions: English (the source) and Chinese (translated through gettext).

One set of notebooks, two editions. The code, the outputs and the figures are shared; the prose
of the Chinese edition comes from the catalogues in ``locales/zh_CN/LC_MESSAGES/`` (sphinx-intl's
layout, one ``.po`` file per page), through Sphinx's own internationalisation.

Commands (the Makefile calls them):

``python tools/editions.py translations``
    ``make translations``: extract the English messages with Sphinx's gettext builder (into
    ``_build/gettext``; about 20 seconds) and merge them
    into the catalogues with sphinx-intl. A new message arrives untranslated, a changed one is
    marked fuzzy: both fail the tests (tests/test_translations.py) and the Chinese build until
    somebody translates them.

``python tools/editions.py build zh_CN [--builder html|singlehtml] [--execute]``
    ``make book-zh``: the Chinese site in ``_build/html/zh`` (so that each edition links to the
    other with a relative link, locally and on the published site), with ``-W -n``. It does not
    execute the notebooks again unless asked: the stored outputs are the English edition's.

The edition's settings are ``_config.yml`` with ``locales/<language>/config.yml`` merged over it.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import polib
import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
LOCALES = ROOT / "locales"
LANGUAGES = ("zh_CN",)
GETTEXT = BUILD / "gettext"


def merge(base: dict, overlay: dict) -> dict:
    """``base`` with ``overlay``'s keys merged in, recursively (a new dict)."""
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def edition_config(language: str | None, *, execute: bool = False) -> dict:
    """The Jupyter Book configuration of one edition (``None``: the English source)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    if language is not None:
        overlay = LOCALES / language / "config.yml"
        config = merge(config, yaml.safe_load(overlay.read_text(encoding="utf-8")))
    if not execute:
        config["execute"]["execute_notebooks"] = "off"
    sphinx = config["sphinx"]
    # The written configuration lives in _build/: make its local paths absolute.
    sphinx["local_extensions"] = {
        name: str(ROOT / path) for name, path in (sphinx.get("local_extensions") or {}).items()
    }
    options = sphinx["config"].get("html_search_options") or {}
    if "dict" in options:
        options["dict"] = str(ROOT / options["dict"])
    return config


def output_dir(language: str | None, builder: str) -> Path:
    if builder == "gettext":
        return GETTEXT
    if language is None:
        return BUILD / builder
    if builder == "html":  # inside the English site: each edition links to the other relatively
        return BUILD / "html" / language.split("_")[0]
    return BUILD / f"{builder}-{language}"


def doctree_dir(language: str | None, builder: str = "html") -> Path:
    """One Sphinx environment per language, shared by its HTML builders (gettext needs its own)."""
    if builder == "gettext":
        return BUILD / ".doctrees-gettext"
    return BUILD / (".doctrees" if language is None else f".doctrees-{language}")


def glossary_terms() -> dict[str, list[str]]:
    """The glossary's terms with their Chinese names: ``{"cross-entropy": ["交叉熵", ...]}``.

    An entry's definition opens with its Chinese name in bold, then any other accepted names
    (``**熵**, 信息熵.`` or ``**链式法则** (熵的链式法则).``); all are returned, the bold one first.
    """
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    terms: dict[str, list[str]] = {}
    term = None
    for line in body.splitlines():
        if line and not line.startswith(" "):
            term = line.strip()
        elif term is not None and line.strip() and term not in terms:
            head = line.strip().split(". ", 1)[0]
            bold = re.findall(r"\*\*(.+?)\*\*", head)
            rest = re.split(r"[,()]", re.sub(r"\*\*.+?\*\*", "", head))
            others = [piece.strip() for piece in rest if re.search(r"[\u4e00-\u9fff]", piece)]
            terms[term] = bold + others
    return terms


def chapter_titles(language: str = "zh_CN") -> dict[str, tuple[str, str]]:
    """Each chapter's title in English and translated (``"02-cross-entropy": ("Cross-entropy",
    "交叉熵")``); the translation is empty where the catalogue has none."""
    titles = {}
    for path in sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "".join(cells[0]["source"])
        english = re.search(r"^# (.+)$", source, re.M).group(1).strip()
        catalogue = polib.pofile(
            str(LOCALES / language / "LC_MESSAGES" / "book" / f"{path.stem}.po")
        )
        entry = catalogue.find(english)
        titles[path.stem] = (english, entry.msgstr if entry else "")
    return titles


def write_search_dictionary(language: str) -> Path:
    """jieba's user dictionary: the glossary's Chinese names, which search then keeps whole."""
    path = BUILD / f"search-terms.{language}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    names = sorted({name for names in glossary_terms().values() for name in names})
    words = [name for name in names if " " not in name]
    path.write_text("".join(f"{word} 1000 n\n" for word in words), encoding="utf-8")
    return path


def build(language: str | None, builder: str = "html", *, execute: bool = False) -> int:
    """Build one edition with one Sphinx builder, warnings as errors; return the exit code."""
    config = edition_config(language, execute=execute)
    if language is not None:
        write_search_dictionary(language)
    config_path = BUILD / "config" / f"_config.{language or 'en'}.{builder}.yml"
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    # jupyter_book.sphinx.build_sphinx is what `jupyter-book build` calls; called directly, it
    # takes the output and environment directories (the CLI derives both from --path-output).
    script = (
        "import sys\n"
        "from jupyter_book.sphinx import build_sphinx\n"
        f"result = build_sphinx({str(ROOT)!r}, {str(output_dir(language, builder))!r},\n"
        f"    noconfig=True, path_config={str(config_path)!r},\n"
        f"    confoverrides={{'external_toc_path': {str(ROOT / '_toc.yml')!r}, 'nitpicky': True,\n"
        "    'latex_individualpages': False},\n"
        f"    doctreedir={str(doctree_dir(language, builder))!r}, builder={builder!r},\n"
        "    warningiserror=True, keep_going=True)\n"
        "sys.exit(1 if result else 0)\n"
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False).returncode


def update_catalogues(languages=LANGUAGES) -> None:
    """Merge the extracted messages (``_build/gettext/*.pot``) into ``locales/<language>``."""
    for language in languages:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx_intl",
                "update",
                "--pot-dir",
                str(GETTEXT),
                "--locale-dir",
                str(LOCALES),
                "--language",
                language,
                "--line-width",
                "-1",
            ],
            check=True,
            cwd=ROOT,
        )


def clean_catalogues(languages=LANGUAGES) -> None:
    """Drop what sphinx-intl leaves behind: obsolete messages (the English no longer has them),
    the ``python-format`` flags that Babel guesses from a ``%`` or ``{`` in the prose, and the
    template's fuzzy header."""
    for language in languages:
        for path in sorted((LOCALES / language / "LC_MESSAGES").rglob("*.po")):
            catalogue = polib.pofile(str(path), wrapwidth=-1)
            for entry in catalogue.obsolete_entries():
                catalogue.remove(entry)
            for entry in catalogue:
                entry.flags = [f for f in entry.flags if not f.endswith("-format")]
            catalogue.metadata_is_fuzzy = False
            catalogue.metadata["Project-Id-Version"] = "lossbook"
            catalogue.save(str(path))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("translations", help="extract the messages and update the catalogues")
    build_parser = commands.add_parser("build", help="build one edition")
    build_parser.add_argument("language", choices=LANGUAGES)
    build_parser.add_argument("--builder", default="html", choices=["html", "singlehtml"])
    build_parser.add_argument("--execute", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "translations":
        code = build(None, "gettext")
        if code:
            return code
        update_catalogues()
        clean_catalogues()
        return 0
    code = build(args.language, args.builder, execute=args.execute)
    if code == 0 and args.builder == "html":
        print(f"The {args.language} edition is in {output_dir(args.language, 'html')}.")
    return code


if __name__ == "__main__":
    sys.exit(main())
