"""The download button's notebook carries the outputs shown on the page.

sphinx-book-theme's download menu links ``_sources/<chapter>.ipynb``, the
committed pair, stored without outputs. After the HTML is written, each such
file is replaced by the same notebook merged with its outputs from the
execution cache (the outputs the page shows; myst-nb's cached execution never
writes them into a notebook of its own). A notebook the cache cannot match is
a warning, an error under ``-W``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def merge_outputs(notebook_path: Path, cache_path: Path) -> int:
    """Write the executed version over ``notebook_path``; return its code cells with outputs."""
    notebook = nbformat.read(notebook_path, as_version=4)
    _, merged = get_cache(str(cache_path)).merge_match_into_notebook(notebook)
    nbformat.write(merged, notebook_path)
    return sum(1 for cell in merged.cells if cell.cell_type == "code" and cell.get("outputs"))


def _write_executed(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    cache = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    for docname in sorted(app.env.found_docs):
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if not target.is_file():
            continue
        try:
            merge_outputs(target, cache)
        except KeyError as error:
            logger.warning(f"{docname}: no cached execution to put in its download ({error})",
                           location=docname)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _write_executed)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
