"""The book's small Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``).

1. Drop a script that a page would include twice. Jupyter Book loads sphinx-thebe, whose
   configuration script (``const THEBE_JS_URL = ...``) ends up twice in every page's ``<head>``;
   the second copy throws "Identifier 'THEBE_JS_URL' has already been declared" in the browser
   console. Launch buttons for Binder and Colab do not need it (thebe is off), but a clean console
   is what the browser test checks, so identical scripts are kept once.

2. Load MathJax on the single-page build (``tools/pdf.py``). Sphinx adds MathJax only to pages
   whose own document has equations, and the single page is the root document, which has none.

3. Let the single-page build write every node the HTML build writes. Sphinx looks a node's
   visitors up under the builder's name ("singlehtml") and falls back to its format ("html") only
   when no extension registered anything for that name; sphinx-exercise registers "singlehtml"
   visitors, so sphinx-proof's theorems and sphinx-jupyterbook-latex's nodes (registered for
   "html" only) failed the PDF with "unknown node type: theorem_node". The HTML visitors are
   copied where none is registered, and the PDF is built with the site's own configuration.

4. No hover previews on the single page: sphinx-tippy's per-page work (parsing the page's HTML
   for its tips) costs 15 seconds on the whole book in one page, and paper has no hover.

5. The two editions (English, and Chinese through the gettext catalogues in ``locales/``):

   - every page links to the same page in the other edition (``lossbook_other_edition``: the
     label of the link and the path from this edition's root to the other's);
   - the API reference is generated from the docstrings, which stay in English in both editions
     (they are the package's own documentation, read by ``help()``): text whose source is a
     docstring is marked not translatable, so it is neither extracted into the catalogues nor
     looked up in them;
   - an exercise's title (sphinx-exercise's subtitle node) has no source, so Sphinx would neither
     extract nor translate it: it is given its directive's source and its MyST text, and since
     sphinx-exercise rebuilds the titles before the gettext builder extracts its messages, the
     titles are handed to that builder's catalogue directly; sphinx-exercise also keeps a copy of
     each exercise, made before the translation, from which it writes the solutions' titles
     ("解答 练习 1.1 (...)"): the copy is refreshed once the page is translated;
   - the captions of the table of contents ("Chapters") are translated by the catalogues, but
     sphinx-external-toc inserts the toctrees after Sphinx has translated the page: they are
     translated here, after it (and a caption without a translation is a warning);
   - Sphinx's translation parses each message as a small document of its own, and the nodes it
     puts into the page keep a reference to that document: pickled with the page, those
     documents made the Chinese environment 3.6 times the size of the English one, and loading
     it (Sphinx reloads a page's doctree for every numbered reference) half of the build's time.
     The references are dropped once the page is translated;
   - Sphinx's Chinese search keeps the Latin words it has seen in a list and looks each word up
     in it, which is quadratic (two minutes of this book's build): a set does the same;
   - in a translated build, any text that the catalogues do not translate is a warning (an error
     under ``-W``), naming the page and the message: a new or changed English message, or one
     whose translation is fuzzy (stale), fails the Chinese build instead of appearing in English.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)


def _dedupe(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # the copies differ only in a filename of None versus "" (an inline script either way)
        key = (
            getattr(script, "filename", str(script)) or "",
            repr(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def _assets_on_every_page(app) -> None:
    if app.builder.name == "singlehtml":
        app.set_html_assets_policy("always")


def _no_tips_on_the_single_page(app) -> None:
    if app.builder.name != "singlehtml":
        return
    for event in ("html-page-context", "build-finished"):
        app.events.listeners[event] = [
            listener
            for listener in app.events.listeners[event]
            if getattr(listener.handler, "__module__", "") != "sphinx_tippy"
        ]


def _html_visitors_for_singlehtml(app) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node_name, visitors in handlers.get("html", {}).items():
        single.setdefault(node_name, visitors)


def is_translation(config) -> bool:
    """Whether this build is a translated edition (the English source has no language set)."""
    return bool(config.language) and config.language != "en"


def myst_text(node: nodes.Node) -> str:
    """The MyST source of simple inline markup: text, maths, code, emphasis, strong."""
    if isinstance(node, nodes.Text):
        return str(node)
    inner = "".join(myst_text(child) for child in node.children)
    if isinstance(node, nodes.math):
        return f"${node.astext()}$"
    if isinstance(node, nodes.literal):
        return f"`{node.astext()}`"
    if isinstance(node, nodes.emphasis):
        return f"*{inner}*"
    if isinstance(node, nodes.strong):
        return f"**{inner}**"
    return inner


class PrepareTranslation(SphinxTransform):
    """Docstrings are not translatable; exercise titles are (see the module docstring)."""

    default_priority = 10  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.TextElement):
            if "docstring of " in (node.source or ""):
                node["translatable"] = False
            elif type(node).__name__ in ("exercise_subtitle", "solution_subtitle"):
                if not node.source:
                    parent = node.parent
                    while parent is not None and not parent.source:
                        parent = parent.parent
                    if parent is not None:
                        node.source, node.line = parent.source, parent.line
                        node.rawsource = myst_text(node)
                        titles = self.env.__dict__.setdefault("lossbook_exercise_titles", {})
                        titles.setdefault(self.env.docname, []).append(
                            (node.source, node.line, node.rawsource)
                        )


class AfterTranslation(SphinxTransform):
    """Point translated nodes back at the page's own document, and give sphinx-exercise the
    translated exercises (see the module docstring)."""

    default_priority = 21  # right after sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(include_self=False):
            if node.__dict__.get("_document") not in (None, self.document):
                node._document = None  # docutils then answers with the parent's document
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in self.document.findall(nodes.Element):
            entry = registry.get(node.get("label")) if "exercise" in type(node).__name__ else None
            if entry is not None and entry["docname"] == self.env.docname:
                entry["node"] = node.deepcopy()


class TranslateTocCaptions(SphinxTransform):
    """Translate the captions of the toctrees that sphinx-external-toc inserts (priority 100)."""

    default_priority = 101

    def apply(self, **kwargs) -> None:
        if not is_translation(self.config):
            return
        from sphinx.locale import init as init_locale
        from sphinx.util.i18n import docname_to_domain

        toctrees = [t for t in self.document.findall(addnodes.toctree) if t.get("caption")]
        if not toctrees:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        directories = [str(Path(self.env.srcdir) / d) for d in self.config.locale_dirs]
        catalogue, found = init_locale(directories, self.config.language, domain)
        for toctree in toctrees:
            translated = catalogue.gettext(toctree["caption"]) if found else toctree["caption"]
            if translated == toctree["caption"]:
                LOGGER.warning(
                    "not translated (the caption of a part in _toc.yml; run `make "
                    "translations`): %s",
                    toctree["caption"],
                    location=toctree,
                    type="lossbook",
                    subtype="untranslated",
                )
            toctree["caption"] = translated


def _forget_exercise_titles(app, env, docname) -> None:
    env.__dict__.get("lossbook_exercise_titles", {}).pop(docname, None)


def _exercise_titles_into_the_catalogue(app, doctree, docname) -> None:
    if app.builder.name != "gettext":
        return
    from sphinx.builders.gettext import MsgOrigin
    from sphinx.util.i18n import docname_to_domain

    catalogue = app.builder.catalogs[docname_to_domain(docname, app.config.gettext_compact)]
    for source, line, message in app.env.__dict__.get("lossbook_exercise_titles", {}).get(
        docname, []
    ):
        catalogue.add(message, MsgOrigin(source, line))


def chinese_search(app):
    """Sphinx's Chinese search language, with its list of Latin words made a set."""
    from sphinx.search import zh

    class SearchChinese(zh.SearchChinese):
        def init(self, options) -> None:
            super().init(options)
            self.latin_terms = set()

        def split(self, input: str) -> list[str]:
            chinese = list(zh.jieba.cut_for_search(input)) if zh.JIEBA else []
            latin = [term.strip() for term in self.latin1_letters.findall(input)]
            self.latin_terms.update(latin)
            return chinese + latin

    app.add_search_language(SearchChinese)


def looks_english(text: str) -> bool:
    """Three or more English words and fewer Chinese characters than English words."""
    english = re.findall(r"[A-Za-z]{2,}", text)
    return len(english) >= 3 and len(re.findall(r"[\u3400-\u9fff]", text)) < len(english)


def _report_untranslated(app, doctree, docname) -> None:
    """After the post-transforms (so that only the output that the page shows is looked at:
    myst-nb keeps every form of an output until the builder picks one)."""
    if not is_translation(app.config) or app.builder.name == "gettext":
        return
    for node in doctree.findall(nodes.Element):
        # Sphinx leaves translated=False on a translated image and on the titles that
        # sphinx-exercise assembles (练习 + a translated title): judge by the text shown.
        text = node.get("alt", "") if isinstance(node, nodes.image) else node.astext()
        if node.get("translated") is False and looks_english(text):
            LOGGER.warning(
                "not translated (run `make translations`, then translate the message in "
                "locales/%s/LC_MESSAGES/%s.po): %s",
                app.config.language,
                docname,
                " ".join(text.split())[:160],
                location=node,
                type="lossbook",
                subtype="untranslated",
            )


def _edition_switch(app, pagename, templatename, context, doctree) -> None:
    """Put a link to the same page in the other edition at the top of the page's body."""
    other = app.config.lossbook_other_edition
    if not other or "body" not in context or app.builder.name == "singlehtml":
        return
    depth = pagename.count("/")
    href = "../" * depth + other["root"] + pagename + app.builder.link_suffix
    context["body"] = (
        f'<p class="lossbook-edition-switch"><a href="{html.escape(href)}" '
        f'hreflang="{html.escape(other["lang"])}" lang="{html.escape(other["lang"])}">'
        f"{html.escape(other['label'])}</a></p>\n" + context["body"]
    )


def setup(app):
    app.add_config_value("lossbook_other_edition", {}, "html", types=[dict])
    app.add_transform(PrepareTranslation)
    app.add_transform(AfterTranslation)
    app.add_transform(TranslateTocCaptions)
    app.connect("env-purge-doc", _forget_exercise_titles)
    app.connect("doctree-resolved", _exercise_titles_into_the_catalogue)
    chinese_search(app)
    app.connect("doctree-resolved", _report_untranslated)
    app.connect("html-page-context", _edition_switch)
    app.connect("builder-inited", _assets_on_every_page)
    app.connect("builder-inited", _html_visitors_for_singlehtml)
    app.connect("builder-inited", _no_tips_on_the_single_page)
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
