"""A meta description on every page: its first paragraph of prose.

Search engines show it under the page's title; without one they pick a
sentence themselves, often the navigation. The text is taken from the page's
doctree after translation, so each edition's page describes itself in its
own language. Glossary and index pages without prose get the book's title.
"""

from __future__ import annotations

from html import escape

from docutils import nodes
from sphinx.application import Sphinx

LIMIT = 160  # characters, about what search engines show


def describe(doctree: nodes.document | None, fallback: str) -> str:
    """The first paragraph of prose (not in a cell, a table or an admonition), shortened."""
    if doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            if paragraph.next_node(nodes.Invisible) is not None:
                continue
            ancestors = []
            parent = paragraph.parent
            while parent is not None:
                ancestors.append(parent)
                parent = parent.parent
            if any(isinstance(a, (nodes.table, nodes.Admonition, nodes.field_list,
                                  nodes.container, nodes.docinfo)) for a in ancestors):
                continue
            text = " ".join(paragraph.astext().split())
            if len(text) >= 40:
                return text if len(text) <= LIMIT else _shorten(text)
    return fallback


def _shorten(text: str) -> str:
    """Cut at the last space before the limit, or at the limit where spaces
    are rare (Chinese)."""
    head = text[: LIMIT - 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > LIMIT // 2 else head) + "…"


def _add_description(app: Sphinx, pagename, templatename, context, doctree) -> None:
    description = describe(doctree, context.get("docstitle") or app.config.project)
    context["metatags"] = (context.get("metatags", "")
                           + f'\n<meta name="description" content="{escape(description)}" />')


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _add_description)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
