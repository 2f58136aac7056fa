"""Sphinx extension for the API pages (``book/api/``): module docstrings as rubrics, not sections.

A module docstring such as ``lossbook.functional``'s has headings ("Conventions", "Accuracy",
"References") underlined as numpydoc sections. Rendered by ``automodule`` they would become
sections of the page: the same heading on two pages is then a duplicate label (a ``-W`` error),
and every heading would crowd the page's table of contents. This turns each underlined heading
of a *module* docstring into a ``.. rubric::`` before numpydoc sees it; function docstrings are
left to numpydoc.
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


def setup(app):
    app.connect("autodoc-process-docstring", _module_docstring, priority=400)  # before numpydoc
    return {"parallel_read_safe": True, "parallel_write_safe": True}
