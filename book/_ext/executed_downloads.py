"""The download button's notebook carries the page's outputs: sphinx-book-theme links
_sources/<chapter>.ipynb, which myst-nb writes without outputs when they come from the execution
cache; after the build each is merged with the cache's (no match: a warning, an error under -W)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def write_executed(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    default = Path(app.outdir).parent / ".jupyter_cache"  # myst-nb's, when none is set
    cache = get_cache(app.config.nb_execution_cache_path or default)
    for docname in sorted(app.env.found_docs):
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        executed = NbMetadataCollector.get_exec_data(app.env, docname) or {}
        # a page executed on every build (book/status.md) already carries its outputs
        if not target.is_file() or executed.get("method") != "cache":
            continue
        try:
            _, merged = cache.merge_match_into_notebook(nbformat.read(target, as_version=4))
        except KeyError as error:
            logger.warning(f"{docname}: no cached execution to put in its download ({error})",
                           location=docname)
        else:
            nbformat.write(merged, target)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_executed)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
