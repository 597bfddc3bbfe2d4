"""Two small fixes so that the pages load without console errors.

1. Inline scripts added by extensions after the builder starts (sphinx-thebe's
   ``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) are written
   twice by Sphinx 7.4: ``Sphinx.add_js_file(None, body=...)`` stores them in
   the builder with the filename ``None`` and the builder adds them again from
   the registry with the filename ``''``, so they never compare equal. The
   second ``const`` declaration is a SyntaxError on every page. Duplicates are
   dropped here, page by page.
2. pydata-sphinx-theme logs "Got invalid theme mode" to the console on a
   reader's first visit unless ``default_mode`` is set (in ``html_context``). The book's figures are
   drawn on white, so it opens in light mode; the theme switch still works.
3. Three accessibility faults that axe-core (WCAG 2.1 A/AA) finds in the HTML
   the tools write, fixed in each page's body:
   - a code block wider than the page scrolls, but cannot be reached with
     the keyboard: every ``<pre>`` gets ``tabindex="0"``;
   - sphinx-togglebutton names its ``<summary>`` "Toggle hidden content", a
     name that does not contain the visible text ("Show code cell source"):
     the visible text is left to name it;
   - docutils marks each reference of the bibliography ``doc-biblioentry``
     (deprecated in ARIA 1.2) inside a ``role="list"``, which then has no
     list items: each entry becomes a ``listitem``.
   The search button and the theme switch are fixed in their templates
   (book/_templates), the link colour on tinted backgrounds in custom.css.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.config import Config


def _default_mode(app: Sphinx, config: Config) -> None:
    config.html_context.setdefault("default_mode", "light")


def _drop_duplicate_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        filename = getattr(script, "filename", script) or ""
        attributes = getattr(script, "attributes", {})
        key = (str(filename), getattr(script, "priority", 500), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


_BODY_FIXES = (
    (re.compile(r"<pre(?![^>]*\btabindex=)"), '<pre tabindex="0"'),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
)


def accessible(body: str) -> str:
    """The page body with the three fixes above."""
    for pattern, replacement in _BODY_FIXES:
        body = pattern.sub(replacement, body)
    return body


def _fix_body(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = accessible(context["body"])


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _fix_body)
    app.connect("config-inited", _default_mode)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
