"""The Chinese edition's catalogues: complete, current, and faithful to the English they translate.

``locales/zh_CN/LC_MESSAGES/`` holds one catalogue per page (sphinx-intl's layout, written by
``make translations``). These tests read them with polib and fail, naming each message, on:

- a page of ``_toc.yml`` without a catalogue;
- an untranslated or fuzzy message (the English changed since it was translated), or a leftover
  obsolete one;
- a translation that loses or changes maths, inline code, a role's target, a citation or a link,
  keeps English prose, names a glossary term otherwise than the glossary does, or has emphasis
  markers that MyST would print as text (``tools/catalogue.py`` has the rules; the tests of the
  rules themselves are at the end).

The Chinese build (tests/test_edition_zh.py) fails too on any English message that has no
translation, so a changed chapter cannot be published half in English.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import catalogue  # noqa: E402
import editions  # noqa: E402

MESSAGES = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"


def toc_documents() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    documents = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                documents.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return documents


DOCUMENTS = toc_documents()


def catalogue_path(document: str) -> Path:
    return MESSAGES / f"{document}.po"


def test_every_page_has_a_catalogue():
    missing = [d for d in DOCUMENTS if not catalogue_path(d).exists()]
    assert not missing, f"pages without a catalogue (run `make translations`): {missing}"
    extra = sorted(
        str(p.relative_to(MESSAGES).with_suffix(""))
        for p in MESSAGES.rglob("*.po")
        if str(p.relative_to(MESSAGES).with_suffix("")) not in DOCUMENTS
    )
    assert not extra, f"catalogues of pages that are not in _toc.yml: {extra}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_message_is_untranslated_fuzzy_or_obsolete(document):
    path = catalogue_path(document)
    if not path.exists():
        pytest.fail(f"no catalogue {path.relative_to(ROOT)}")
    po = polib.pofile(str(path))
    untranslated = [e.msgid[:80] for e in po.untranslated_entries()]
    fuzzy = [e.msgid[:80] for e in po.fuzzy_entries()]
    obsolete = [e.msgid[:80] for e in po.obsolete_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {document}: {untranslated}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (the English changed) in {document}: {fuzzy}"
    assert not obsolete, f"{len(obsolete)} obsolete in {document}: {obsolete}"
    assert len(po.translated_entries()) == len([e for e in po if not e.obsolete]) > 0


@pytest.mark.parametrize("document", DOCUMENTS)
def test_translations_keep_maths_code_references_and_terms(document):
    path = catalogue_path(document)
    names = catalogue.glossary_names()
    headwords = catalogue.headwords_of(path)
    found = [
        f"{number}: {problem} | {entry.msgid[:70]!r}"
        for number, entry in enumerate(polib.pofile(str(path)), 1)
        if entry.msgstr
        for problem in catalogue.problems(entry, names, headwords)
    ]
    assert not found, f"{len(found)} problems in {document}:\n" + "\n".join(found[:30])


def test_core_terms_are_the_glossarys_chinese_names():
    """The terminology rule uses the glossary's own names (the seed README's where it has one)."""
    names = editions.glossary_terms()
    lowered = {term.lower(): accepted for term, accepted in names.items()}
    for english, chinese in catalogue.CORE_TERMS.items():
        terms = [term for term in lowered if english.lower() in term]
        assert terms, f"{english!r} is not (part of) a glossary term"
        assert any(chinese[0] in name for term in terms for name in lowered[term]), (
            english,
            chinese,
            {term: lowered[term] for term in terms},
        )
    seed = (ROOT.parent / "shared" / "seed").glob("*")
    seed_text = "".join(p.read_text(encoding="utf-8") for p in seed if p.is_file())
    if seed_text:
        for name in ("交叉熵", "负对数似然", "二元交叉熵", "相对熵", "余弦相似度"):
            assert name in seed_text


def test_the_search_dictionary_keeps_the_core_terms_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(editions, "BUILD", tmp_path)
    words = editions.write_search_dictionary("zh_CN").read_text(encoding="utf-8").split("\n")
    entries = {line.split(" ")[0] for line in words if line}
    for chinese in ("交叉熵", "负对数似然", "二元交叉熵", "相对熵", "余弦相似度", "标签平滑"):
        assert chinese in entries


# --- the rules catch what they are meant to catch --------------------------------------------


def entry(msgid: str, msgstr: str, fuzzy: bool = False) -> polib.POEntry:
    made = polib.POEntry(msgid=msgid, msgstr=msgstr)
    if fuzzy:
        made.flags.append("fuzzy")
    return made


GOOD = entry(
    "The {term}`cross-entropy` $H(p, q)$ of `F.cross_entropy` {cite:p}`cover2006`.",
    "`F.cross_entropy` 的{term}`交叉熵 <cross-entropy>` $H(p, q)$ {cite:p}`cover2006`。",
)
CITE = "{cite:p}`cover2006`"


@pytest.mark.parametrize(
    ("msgstr", "complaint"),
    [
        (GOOD.msgstr.replace("$H(p, q)$", "$H(q, p)$"), "maths"),
        (GOOD.msgstr.replace("`F.cross_entropy`", "`cross_entropy`"), "code"),
        (GOOD.msgstr.replace("<cross-entropy>", "<entropy>"), "reference"),
        (GOOD.msgstr.replace(CITE, ""), "citation"),
        (GOOD.msgstr.replace("交叉熵 <", "互熵 <"), "term"),
        (
            GOOD.msgstr.replace("的{term}", "的**（交叉熵）**是{term}"),
            "emphasis",
        ),
        (GOOD.msgid, "English"),
    ],
)
def test_each_rule_catches_its_mistake(msgstr, complaint):
    names = catalogue.glossary_names()
    assert catalogue.problems(GOOD, names, set()) == []
    found = catalogue.problems(entry(GOOD.msgid, msgstr), names, set())
    assert any(complaint.lower() in problem.lower() for problem in found), found


def test_rules_catch_a_core_term_in_prose_and_a_fuzzy_or_changed_equation():
    names = catalogue.glossary_names()
    prose = entry("Label smoothing lowers the loss.", "它降低了损失。")
    assert any("label smoothing" in p for p in catalogue.problems(prose, names, set()))
    stale = entry(GOOD.msgid, GOOD.msgstr, fuzzy=True)
    assert any("fuzzy" in p for p in catalogue.problems(stale, names, set()))
    equation = entry("\\displaystyle x^{2}", "\\displaystyle x^{3}")
    assert catalogue.problems(equation, names, set()) != []
    assert catalogue.problems(entry("entropy", "熵"), names, {"entropy"}) != []
    # a message kept as it is still reports that its English changed
    fuzzy_headword = entry("entropy", "entropy", fuzzy=True)
    assert any("fuzzy" in p for p in catalogue.problems(fuzzy_headword, names, {"entropy"}))


def test_rules_catch_a_label_written_twice():
    names = catalogue.glossary_names()
    twice = entry("See exercise {ref}`ex-kl-2`.", "见练习{ref}`ex-kl-2`。")
    assert any("by itself" in p for p in catalogue.problems(twice, names, set()))
    assert catalogue.problems(entry(twice.msgid, "见{ref}`ex-kl-2`。"), names, set()) == []


def test_tidy_removes_the_spaces_chinese_typesetting_does_not_want():
    tidy = catalogue.tidy_spacing
    assert tidy("就是 {term}`似然 <likelihood>` ；") == "就是{term}`似然 <likelihood>`；"
    assert tidy("由 {prf:ref}`thm-gibbs` 可知") == "由{prf:ref}`thm-gibbs` 可知"
    assert tidy("的 {term}`softmax` 是") == "的 {term}`softmax` 是"
    assert tidy("值 $x$ ，而 `y` 。") == "值 $x$，而 `y`。"
