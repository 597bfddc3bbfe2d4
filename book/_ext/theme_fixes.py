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
"""

from __future__ import annotations

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


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _default_mode)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
