"""MathJax 3 served from the book itself, not a CDN, so that formulas show offline (and in
the hermetic browser test). sphinx-mathjax-offline, the one PyPI package for it, is unchanged
since 2022 and copies 24 MB; this copies the ~7 MB of the pinned django-static-mathjax's es5
build that the CommonHTML renderer loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import mathjax  # the django-static-mathjax package
from sphinx.application import Sphinx

ES5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
# what the combined TeX/MathML component loads: its fonts, what it autoloads, its menu and speech
PARTS = ("input/tex/extensions", "input/mml/extensions", "output/chtml/fonts/woff-v2",
         "a11y", "adaptors", "sre", "ui")


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        shutil.copytree(ES5 / part, target / part, dirs_exist_ok=True)
    entry = Path(app.config.mathjax_path).name  # _config.yml: mathjax/tex-mml-chtml.js
    shutil.copy2(ES5 / entry, target / entry)
    shutil.copy2(ES5.parent / "LICENSE", target / "LICENSE")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
