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
"""

from __future__ import annotations


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


def _html_visitors_for_singlehtml(app) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node_name, visitors in handlers.get("html", {}).items():
        single.setdefault(node_name, visitors)


def setup(app):
    app.connect("builder-inited", _assets_on_every_page)
    app.connect("builder-inited", _html_visitors_for_singlehtml)
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
