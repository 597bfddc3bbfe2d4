"""Make sure every chapter's launch buttons open its committed ``.ipynb``.

sphinx-book-theme builds the Colab and Binder links from the page's source
path. A chapter is built from ``chapters/NN_topic.md`` (the ``.ipynb`` pairs are
in ``exclude_patterns``), and the theme switches the link to
``chapters/NN_topic.ipynb`` only when that file exists next to the ``.md``
(``sphinx_book_theme/header_buttons/launch.py``). Colab cannot open MyST
Markdown, so a chapter without its committed pair would get a Colab button
that fails. This extension turns that into a build warning (an error under
``-W``) that says how to fix it.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _check_pairs(app: Sphinx, env: BuildEnvironment) -> None:
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        is_notebook = "kernelspec" in env.metadata.get(docname, {})
        if is_notebook and source.suffix == ".md" and not source.with_suffix(".ipynb").is_file():
            logger.warning(
                "%s has no Jupytext pair %s, so its Colab and Binder buttons would open "
                "the Markdown file; run `make sync` and commit the .ipynb",
                source.name,
                source.with_suffix(".ipynb").name,
                location=docname,
                type="notebook_pairs",
            )


def setup(app: Sphinx) -> dict:
    app.connect("env-check-consistency", _check_pairs)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
