"""Serve MathJax from the book itself instead of a CDN.

Sphinx points every page with math at MathJax on cdn.jsdelivr.net. A reader
offline, or a browser test on a machine without internet, would then see raw
``\\(x\\)`` instead of formulas. This extension copies MathJax 3 (from the
pinned PyPI package ``django-static-mathjax``, which ships MathJax's own
``es5`` build and has no dependencies) into ``_static/mathjax`` and sets
``mathjax_path`` to it, so the built book is self-contained.

Only what the CommonHTML renderer can load is copied (about 7 MB of the
package's 35 MB): the combined TeX/MathML component, its fonts, the TeX and
MathML extensions it autoloads, and the accessibility and menu components.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

TARGET = "mathjax"  # under _static
ENTRY = "tex-mml-chtml.js"
_PARTS = (
    ENTRY,
    "input/tex/extensions",
    "input/mml/extensions",
    "output/chtml/fonts/woff-v2",
    "a11y",
    "adaptors",
    "sre",
    "ui",
)


def mathjax_source() -> Path:
    """The ``es5`` directory of the installed MathJax distribution."""
    try:
        import mathjax  # the django-static-mathjax package
    except ImportError as error:
        raise ExtensionError(
            "local_mathjax needs MathJax from the PyPI package django-static-mathjax "
            "(pinned in requirements.txt); run `make book` to install it"
        ) from error
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / ENTRY).is_file():
        raise ExtensionError(f"local_mathjax: {es5 / ENTRY} is missing; reinstall django-static-mathjax")
    return es5


def _use_local_mathjax(app: Sphinx, config: Config) -> None:
    mathjax_source()  # fail early, before any page is written
    config.mathjax_path = f"{TARGET}/{ENTRY}"  # relative: resolved against _static


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    es5 = mathjax_source()
    target = Path(app.outdir) / "_static" / TARGET
    for part in _PARTS:
        source = es5 / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    shutil.copy2(es5.parent / "LICENSE", target / "LICENSE")
    logger.info("local_mathjax: MathJax copied to %s", target)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _use_local_mathjax)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
