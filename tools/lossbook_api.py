"""Sphinx extension for the API pages (``book/api/``): module docstrings as rubrics, not sections.

A module docstring such as ``lossbook.functional``'s has headings ("Conventions", "Accuracy",
"References") underlined as numpydoc sections. Rendered by ``automodule`` they would become
sections of the page: the same heading on two pages is then a duplicate label (a ``-W`` error),
and every heading would crowd the page's table of contents. This turns each underlined heading
of a *module* docstring into a ``.. rubric::`` before numpydoc sees it; function docstrings are
left to numpydoc.

It also finds the docstring of a constant that a package re-exports from a private module
(``lossbook.functional.BCE_LOG_CLAMP`` is defined in ``lossbook.functional._classification``):
autodoc looks for the attribute's docstring in the package's own ``__init__.py`` only, and
without this it shows the docstring of the value's type (``float``'s "Convert a string or
number to a floating point number").
"""

from __future__ import annotations

import re

UNDERLINE = re.compile(r"^([-=~^])\1{2,}\s*$")


def headings_to_rubrics(lines: list[str]) -> list[str]:
    """``Title`` over ``-----`` becomes ``.. rubric:: Title`` (other lines unchanged)."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            line.strip()
            and not line.startswith(" ")
            and UNDERLINE.match(following)
            and len(following.strip()) >= len(line.strip())
        ):
            out.extend([f".. rubric:: {line.strip()}", ""])
            index += 2
            continue
        out.append(line)
        index += 1
    return out


def _module_docstring(app, what, name, obj, options, lines) -> None:
    if what == "module":
        lines[:] = headings_to_rubrics(lines)


def defining_module_docstring(qualified_name: str) -> list[str] | None:
    """The attribute docstring of ``package.NAME`` in the private module that defines NAME."""
    import importlib
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    package_name, _, name = qualified_name.rpartition(".")
    package = importlib.import_module(package_name)
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        module = f"{package_name}.{info.name}"
        docs = ModuleAnalyzer.for_module(module).find_attr_docs()
        if ("", name) in docs:
            return list(docs[("", name)])
    return None


def _constant_docstring(app, what, name, obj, options, lines) -> None:
    if what == "data" and type(obj).__doc__ and lines[:1] == type(obj).__doc__.splitlines()[:1]:
        found = defining_module_docstring(name)
        if found is not None:
            lines[:] = found


def setup(app):
    app.connect("autodoc-process-docstring", _module_docstring, priority=400)  # before numpydoc
    app.connect("autodoc-process-docstring", _constant_docstring, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
