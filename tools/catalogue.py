"""Work on a translation catalogue (``locales/<language>/LC_MESSAGES/**/*.po``) and check it.

``python tools/catalogue.py dump FILE.po [--untranslated]``
    Print the messages, numbered, each as ``=== N`` followed by the English (``msgid``) and, when
    there is one, the translation.

``python tools/catalogue.py apply FILE.po TRANSLATIONS.txt``
    Set translations from a plain text file of blocks ``=== N`` (the number from ``dump``)
    followed by the translation, written exactly as the MyST source (no escaping). A block
    ``=== N same`` keeps the English (numbers, pure maths, code, a glossary headword). Applied
    messages lose their ``fuzzy`` flag.

``python tools/catalogue.py tidy FILE.po [...]``
    Apply the mechanical rules to every translation: a maths-only message is kept as it is; no
    space next to full-width punctuation; no space between a Chinese character and a role that
    shows Chinese text (a ``{term}`` with a Chinese title, a ``{doc}`` or ``{ref}`` that shows a
    translated title, a ``{prf:ref}`` that shows 定理 1.1).

``python tools/catalogue.py check FILE.po [...]``
    Check every translated message against its English (what tests/test_translations.py
    asserts for every catalogue): maths, inline code, roles and their targets, citations and
    links survive; prose is not left in English; glossary terms keep their Chinese names; the
    translation parses as MyST without stray emphasis markers.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import polib
from editions import glossary_terms

CJK = re.compile(r"[\u3400-\u9fff]")
CODE = re.compile(r"``?[^`\n]+?``?")
ROLE = re.compile(r"\{([a-z:]+)\}`([^`]*)`")
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)|href=\"([^\"]+)\"")
WORD = re.compile(r"(?<![\\\w])[A-Za-z][A-Za-z'’-]+")
# Roles whose target is the same in both editions; the text shown may be translated.
REFERENCE_ROLES = {"term", "doc", "ref", "prf:ref", "numref", "eq", "download", "py:func"}
# Words that are the same in both editions: names of things, not prose.
KEPT_WORDS = set(
    """
    pytorch numpy scipy sympy mpmath lossbook jupyter book colab binder softmax logit logits
    sigmoid softplus infonce nt-xent clip simclr relu float nan inf kl js ece mse mae bce nll
    gpu cpu api pdf readme github huber adam sgd torch ulp ulps tf-idf optax hypothesis nbval
    jupytext ruff mit cc by doi python pip make venv
    """.split()
)


def split_role(content: str) -> tuple[str | None, str]:
    """A role's shown text (``None`` when it has no explicit title) and its target:
    ``比特 <bit>`` gives ``("比特", "bit")``, ``bit`` gives ``(None, "bit")``."""
    explicit = re.search(r"^(.*?)\s*<([^<>]+)>\s*$", content, re.S)
    if explicit:
        return explicit.group(1).strip(), explicit.group(2).strip()
    return None, content.strip()


def role_targets(text: str) -> Counter:
    """``{term}`bit`s`` and ``{term}`比特 <bit>``` both give ``("term", "bit")``."""
    targets: Counter = Counter()
    for name, content in ROLE.findall(text):
        target = split_role(content)[1]
        targets[(name, target.lower() if name == "term" else target)] += 1
    return targets


def strip_markup(text: str) -> str:
    """The prose of a message: no maths, code, roles, links' targets or HTML tags."""
    text = DISPLAY_MATH.sub(" ", text)
    text = ROLE.sub(" ", text)
    text = CODE.sub(" ", text)
    text = INLINE_MATH.sub(" ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    return text


def maths(text: str) -> Counter:
    without_code = CODE.sub(" ", ROLE.sub(" ", text))
    found = DISPLAY_MATH.findall(without_code)
    found += INLINE_MATH.findall(DISPLAY_MATH.sub(" ", without_code))
    return Counter(" ".join(m.split()) for m in found)


def code_spans(text: str) -> Counter:
    return Counter(CODE.findall(ROLE.sub(" ", text)))


def english_words(text: str) -> list[str]:
    return [w for w in WORD.findall(strip_markup(text)) if w.lower() not in KEPT_WORDS]


def is_maths_only(msgid: str) -> bool:
    """The body of a ``$$`` block, or a SymPy output typeset as maths (``\\displaystyle ...``)."""
    return msgid.startswith("\n") or msgid.lstrip().startswith("\\displaystyle")


def stray_emphasis(msgstr: str) -> list[str]:
    """Emphasis markers that MyST would print as text (``**`` next to a full-width bracket)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    parser = MarkdownIt("commonmark").use(dollarmath_plugin)
    stray = []
    for token in parser.parse(msgstr):
        for child in token.children or []:
            if child.type == "text" and (
                "**" in child.content or re.search(r"(?<!\w)\*\S", child.content)
            ):
                stray.append(child.content.strip()[:60])
    return stray


def glossary_names() -> dict[str, list[str]]:
    return {term.lower(): names for term, names in glossary_terms().items()}


def term_titles(msgstr: str) -> list[tuple[str, str]]:
    """(target, shown text) of every ``{term}`` role with an explicit title."""
    pairs = []
    for name, content in ROLE.findall(msgstr):
        shown, target = split_role(content)
        if name == "term" and shown is not None:
            pairs.append((target.lower(), shown))
    return pairs


def problems(entry: polib.POEntry, names: dict[str, list[str]], headwords: set[str]) -> list[str]:
    """What is wrong with one translated message (an empty list: nothing)."""
    msgid, msgstr = entry.msgid, entry.msgstr
    found = []
    if not msgstr.strip():
        return ["untranslated"]
    if entry.fuzzy:
        found.append("fuzzy: the English changed since it was translated")
    if maths(msgid) != maths(msgstr):
        missing = maths(msgid) - maths(msgstr)
        extra = maths(msgstr) - maths(msgid)
        found.append(f"maths differ: missing {list(missing)[:3]}, added {list(extra)[:3]}")
    if code_spans(msgid) != code_spans(msgstr):
        missing = code_spans(msgid) - code_spans(msgstr)
        extra = code_spans(msgstr) - code_spans(msgid)
        found.append(f"inline code differs: missing {list(missing)[:3]}, added {list(extra)[:3]}")
    original = {k: v for k, v in role_targets(msgid).items() if k[0] in REFERENCE_ROLES}
    translated = {k: v for k, v in role_targets(msgstr).items() if k[0] in REFERENCE_ROLES}
    if original != translated:
        found.append(
            f"references differ: {sorted(original.items())} vs {sorted(translated.items())}"
        )
    cites = sorted(c for c in ROLE.findall(msgid) if c[0].startswith("cite"))
    if cites != sorted(c for c in ROLE.findall(msgstr) if c[0].startswith("cite")):
        found.append(f"citations differ: {cites}")
    links = sorted(filter(None, sum(LINK_TARGET.findall(msgid), ())))
    if links != sorted(filter(None, sum(LINK_TARGET.findall(msgstr), ()))):
        found.append(f"link targets differ: {links}")
    if is_maths_only(msgid) or msgid in headwords:
        if msgstr != msgid:
            found.append("maths, or a glossary headword, is kept as it is (same)")
        return found
    if msgstr == msgid and english_words(msgid):
        found.append("left in English")
    elif (
        msgstr != msgid and len(english_words(msgid)) >= 3 and not CJK.search(strip_markup(msgstr))
    ):
        found.append("no Chinese in the translation")
    for target, shown in term_titles(msgstr):
        accepted = names.get(target, [])
        if accepted and not any(name.lower() in shown.lower() for name in accepted):
            found.append(f"{{term}} {target!r} shown as {shown!r}, not as {accepted}")
    for english, chinese in CORE_TERMS.items():
        if re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", strip_markup(msgid), re.I):
            if not any(name in msgstr for name in chinese):
                found.append(f"{english!r} is not translated as {' / '.join(chinese)}")
    if re.search(r"(练习|习题|定理)\s*\{(ref|prf:ref)\}`(ex|thm)-[^`<]*`", msgstr):
        found.append("a reference to an exercise or theorem shows 练习 1.2 / 定理 1.2 by itself")
    stray = stray_emphasis(msgstr)
    if stray:
        found.append(f"stray emphasis markers (MyST prints them): {stray[:2]}")
    return found


# The book's core terms and their Chinese names (from the glossary; the seed README's usage).
CORE_TERMS = {
    "cross-entropy": ["交叉熵"],
    "negative log-likelihood": ["负对数似然"],
    "relative entropy": ["相对熵"],
    "KL divergence": ["KL 散度", "相对熵"],
    "cosine similarity": ["余弦相似度"],
    "label smoothing": ["标签平滑"],
    "binary cross-entropy": ["二元交叉熵"],
    "mutual information": ["互信息"],
    "perplexity": ["困惑度"],
    "conditional entropy": ["条件熵"],
    "self-information": ["自信息"],
    "maximum likelihood": ["最大似然"],
    "focal loss": ["焦点损失"],
    "temperature scaling": ["温度缩放"],
    "Brier score": ["布里尔分数"],
    "contrastive loss": ["对比损失"],
    "triplet loss": ["三元组损失"],
    "knowledge distillation": ["知识蒸馏"],
    "evidence lower bound": ["证据下界"],
    "reliability diagram": ["可靠性图"],
    "expected calibration error": ["期望校准误差"],
    "mean squared error": ["均方误差"],
    "Gibbs' inequality": ["吉布斯不等式"],
}


def headwords_of(path: Path) -> set[str]:
    """The glossary's headwords, which stay in English (they are the terms' link targets)."""
    return set(glossary_terms()) if path.stem == "glossary" else set()


FULL_WIDTH = "，。：；？！（）“”、《》"


def shown_text_ends(name: str, content: str) -> tuple[bool, bool]:
    """Whether the text a role shows starts and ends with Chinese, in the Chinese edition."""
    shown = split_role(content)[0]
    if shown is not None and name in REFERENCE_ROLES:
        return bool(CJK.match(shown[:1])), bool(CJK.match(shown[-1:]))
    if name == "prf:ref" or (name == "ref" and content.startswith("ex-")):
        return True, False  # 定理 1.1, 练习 3.5
    if name in ("doc", "ref"):
        return True, True  # a translated title
    return False, False


def tidy_spacing(text: str) -> str:
    """Remove the spaces that Chinese typesetting does not want (see the module docstring)."""
    pieces = []
    position = 0
    for match in ROLE.finditer(text):
        starts, ends = shown_text_ends(match.group(1), match.group(2))
        before = text[position : match.start()]
        if starts and re.search(r"[\u3400-\u9fff] $", before):
            before = before[:-1]
        pieces.append(before)
        pieces.append(match.group(0))
        position = match.end()
        if ends and re.match(r" [\u3400-\u9fff]", text[position:]):
            position += 1
    pieces.append(text[position:])
    text = "".join(pieces)
    protected = DISPLAY_MATH.pattern + "|" + CODE.pattern + "|" + INLINE_MATH.pattern
    parts = re.split(f"({protected})", text, flags=re.S)
    for index in range(0, len(parts), 2):
        parts[index] = re.sub(rf" +([{FULL_WIDTH}])", r"\1", parts[index])
        parts[index] = re.sub(rf"([{FULL_WIDTH}]) +", r"\1", parts[index])
    joined = "".join(parts)
    # a space between a full-width mark and maths/code that follows or precedes it
    joined = re.sub(rf"([{FULL_WIDTH}]) +(?=[$`{{])", r"\1", joined)
    joined = re.sub(rf"(?<=[$`]) +([{FULL_WIDTH}])", r"\1", joined)
    return joined


def tidy(paths: list[Path]) -> None:
    for path in paths:
        catalogue = polib.pofile(str(path), wrapwidth=-1)
        changed = 0
        for entry in catalogue:
            if not entry.msgstr:
                continue
            new = entry.msgid if is_maths_only(entry.msgid) else tidy_spacing(entry.msgstr)
            if new != entry.msgstr:
                entry.msgstr = new
                changed += 1
        catalogue.save(str(path))
        print(f"{path}: {changed} messages tidied")


def check(paths: list[Path]) -> int:
    names = glossary_names()
    count = 0
    for path in paths:
        catalogue = polib.pofile(str(path))
        headwords = headwords_of(path)
        for number, entry in enumerate(catalogue, 1):
            for problem in problems(entry, names, headwords):
                count += 1
                print(f"{path.name} === {number}: {problem}\n    {entry.msgid[:100]!r}")
    print(f"{count} problems")
    return 1 if count else 0


def dump(path: Path, untranslated: bool) -> None:
    for number, entry in enumerate(polib.pofile(str(path)), 1):
        if untranslated and entry.msgstr and not entry.fuzzy:
            continue
        print(f"=== {number}{' (fuzzy)' if entry.fuzzy else ''}")
        print(entry.msgid)
        if entry.msgstr:
            print("--- translation")
            print(entry.msgstr)


def apply(path: Path, translations: Path) -> None:
    catalogue = polib.pofile(str(path), wrapwidth=-1)
    entries = list(catalogue)
    blocks = re.split(
        r"^=== (\d+)( same)?[ \t]*\n", translations.read_text(encoding="utf-8"), flags=re.M
    )
    applied = 0
    for index in range(1, len(blocks), 3):
        number, same, text = int(blocks[index]), blocks[index + 1], blocks[index + 2]
        entry = entries[number - 1]
        entry.msgstr = entry.msgid if same else text.strip("\n")
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        applied += 1
    catalogue.save(str(path))
    print(f"{applied} translations set in {path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dump_parser = commands.add_parser("dump")
    dump_parser.add_argument("po", type=Path)
    dump_parser.add_argument("--untranslated", action="store_true")
    apply_parser = commands.add_parser("apply")
    apply_parser.add_argument("po", type=Path)
    apply_parser.add_argument("translations", type=Path)
    tidy_parser = commands.add_parser("tidy")
    tidy_parser.add_argument("po", type=Path, nargs="+")
    check_parser = commands.add_parser("check")
    check_parser.add_argument("po", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "dump":
        dump(args.po, args.untranslated)
    elif args.command == "apply":
        apply(args.po, args.translations)
    elif args.command == "tidy":
        tidy(args.po)
    else:
        return check(args.po)
    return 0


if __name__ == "__main__":
    sys.exit(main())
