"""Outputs in the reader's language: the protocol that lets one execution feed both editions.

Private; the book and the chapters reach it through :func:`lesson_utils.use_book_style`,
:class:`lesson_utils.TrainingPlot` and :func:`lesson_utils.check`.

- **A reader's kernel** (``LESSON_LANGUAGE=zh_CN``, which the Chinese reader notebooks set):
  :func:`install` swaps IPython's ``image/png`` formatter for one that draws each figure
  with its words translated (:func:`drawn_in`), and shows an altair chart with its words
  translated (:func:`spec_in`); a check's message is written in that language.
- **The book's build** runs every chapter once, in English, with ``LESSON_FIGURE_TWINS``
  naming the other edition's language (tools/build_book.py reads it from _config.yml). Every
  output with words then carries its twin in that language beside it: a figure's PNG under
  :data:`IMAGE_TWIN` beside ``image/png`` (its metadata says what could not be translated), a
  check's message under :data:`TEXT_TWIN` beside ``text/plain``, an altair chart's spec
  under :data:`CHART_TWIN` beside :data:`VEGA_LITE` and its PNG (for print) under
  :data:`IMAGE_TWIN` beside ``image/png`` (:func:`chart_bundle`). The book's extension
  (book/_ext/translation.py, "Outputs in the edition's language") shows the twins in that
  edition's pages and downloads.

Importing this module imports neither torch nor matplotlib (the book's extensions read the
MIME types); matplotlib is imported when a figure is drawn, altair and vl-convert when a
chart is shown.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import os
import re
import sys
import warnings
from pathlib import Path

from .i18n import _LATIN, LANGUAGES, language, translate

IMAGE_TWIN = "image/x.lesson-twin+png"  # a figure's twin in the other edition's language
TEXT_TWIN = "text/x.lesson-twin+plain"  # a text output's twin
VEGA_LITE = "application/vnd.vegalite.v5+json"  # an altair chart's spec, as JupyterLab shows it
CHART_TWIN = "application/x.lesson-twin-vegalite+json"  # its twin
_CHART_WORDS = {"title", "subtitle", "description", "sort", "domain", "labels"}
_CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC",
              "Microsoft YaHei")


def twin_language() -> str | None:
    """The language of the twins the book's build asks for (``LESSON_FIGURE_TWINS``), or None."""
    twins = os.environ.get("LESSON_FIGURE_TWINS", "").strip() or None
    if twins is not None and twins not in LANGUAGES[1:]:
        raise ValueError(f"LESSON_FIGURE_TWINS must be one of {LANGUAGES[1:]}, got {twins!r}")
    return twins


def kernel() -> object | None:
    """The IPython shell of a Jupyter kernel, or None (IPython is never imported here)."""
    IPython = sys.modules.get("IPython")
    shell = IPython and IPython.get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


@functools.cache
def cjk_font() -> str | None:
    """A Chinese font matplotlib can use; one installed after its font cache was made is added."""
    from matplotlib import font_manager

    if not {f.name for f in font_manager.fontManager.ttflist} & set(_CJK_FONTS):
        for path in font_manager.findSystemFonts():
            if re.search(r"cjk|wqy|sourcehan|yahei|pingfang", Path(path).name, re.I):
                font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in names), None)


@functools.cache
def reader_language() -> str:
    """The reader's language (LESSON_LANGUAGE); "en", said once, if no font has its script."""
    reader = language()
    if reader != "en" and cjk_font() is None:
        print(f"LESSON_LANGUAGE={reader}, but matplotlib finds no Chinese font, so figures stay "
              "in English; install one (`apt-get install fonts-noto-cjk`) and restart the kernel.",
              file=sys.stderr)
        return "en"
    return reader


def drawn_in(fig, lang: str, dpi: float) -> tuple[bytes, dict]:
    """``fig`` as a PNG with its text in ``lang`` (as matplotlib_inline draws it: ``dpi``, tight
    box), and what went wrong: {"untranslated": texts, "missing_glyphs": warnings}. The figure
    is left as it was."""
    import matplotlib as mpl
    from matplotlib.text import Text

    untranslated, missing = [], []

    def translate_text(text):
        found = translate(text, lang)
        if found is None and text not in untranslated:
            untranslated.append(text)
        return text if found is None else found

    class Translated(mpl.ticker.Formatter):  # a tick formatter's labels, translated
        def __init__(self, inner):
            self.inner = inner

        def __call__(self, x, pos=None):
            return translate_text(self.inner(x, pos))

        def format_ticks(self, values):
            return [translate_text(label) for label in self.inner.format_ticks(values)]

        def get_offset(self):
            return self.inner.get_offset()

    class Glyphs(logging.Handler):  # mathtext logs a glyph it lacks; text artists warn
        def emit(self, record):
            missing.append(record.getMessage())

    cjk = [cjk_font()] if cjk_font() else []  # a fallback for the glyphs the font lacks
    saved = [(t, t.get_text(), t.get_fontproperties().copy()) for t in fig.findobj(Text)]
    tickers = [ticker for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
               for ticker in (axis.major, axis.minor)]
    formatters = [ticker.formatter for ticker in tickers]
    handler, mathtext = Glyphs(level=logging.WARNING), logging.getLogger("matplotlib.mathtext")
    mathtext.addHandler(handler)
    try:
        for text, string, properties in saved:
            text.set_text(translate_text(string))
            text.set_fontfamily([*properties.get_family(), *cjk])
        for ticker, formatter in zip(tickers, formatters, strict=True):
            ticker.formatter = Translated(formatter)
        family = {"font.family": [*mpl.rcParams["font.family"], *cjk]}
        with warnings.catch_warnings(record=True) as caught, mpl.rc_context(family):
            warnings.simplefilter("always")
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=dpi, bbox_inches="tight")
        missing += [str(w.message) for w in caught if "glyph" in str(w.message).lower()]
    finally:
        mathtext.removeHandler(handler)
        for ticker, formatter in zip(tickers, formatters, strict=True):
            ticker.formatter = formatter
        for text, string, properties in saved:
            text.set_text(string)
            text.set_fontproperties(properties)
    return png.getvalue(), {"untranslated": untranslated, "missing_glyphs": missing}


def spec_in(spec: dict, lang: str) -> tuple[dict, list[str]]:
    """A Vega-Lite spec with its words in ``lang`` (titles, the description, a control's
    label, the data's text and the sort orders and domains that name it), and the words
    without a translation. Field names, parameters and expressions stay as they are."""
    untranslated = []

    def say(text):
        found = text if lang == LANGUAGES[0] or not _LATIN.search(text) else translate(text, lang)
        if found is None and text not in untranslated:
            untranslated.append(text)
        return text if found is None else found

    def walk(value, key=None, parent=None, cells=False):
        cells = cells or parent == "datasets" or (key, parent) == ("values", "data")
        if isinstance(value, dict):
            return {k: walk(v, k, key, cells) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key, parent, cells) for v in value]
        words = key in _CHART_WORDS or (key, parent) in {("name", "bind"), ("text", "title")}
        return say(value) if isinstance(value, str) and (cells or words) else value

    return walk(spec), untranslated


def chart_bundle(chart) -> tuple[dict, dict] | dict:
    """An altair chart's display data in the reader's language: as altair's active renderer
    shows it; in the book's build, its spec and a PNG of its default state (for print), each
    with its twin in the other edition's language (metadata: the words left untranslated)."""
    spec = chart.to_dict()
    if not twin_language():
        import altair as alt

        return alt.renderers.get()(spec_in(spec, reader_language())[0])
    import vl_convert
    from IPython.display import Image

    bundle, metadata = {"text/plain": f"<{type(chart).__name__} (Vega-Lite)>"}, {}
    for spec_mime, png_mime, lang in ((VEGA_LITE, "image/png", reader_language()),
                                      (CHART_TWIN, IMAGE_TWIN, twin_language())):
        bundle[spec_mime], untranslated = spec_in(spec, lang)
        png = vl_convert.vegalite_to_png(bundle[spec_mime], vl_version="5.20", scale=2)
        image = Image(png, retina=True)
        bundle[png_mime] = base64.b64encode(png).decode("ascii")
        metadata[png_mime] = {"width": image.width, "height": image.height}
    metadata[IMAGE_TWIN]["untranslated"] = untranslated
    return bundle, metadata


def install(shell) -> None:
    """Make the kernel's figures and altair charts speak the reader's language and, in the
    book's build, carry their twin: IPython's formatters for ``image/png`` (replaced) and
    :data:`IMAGE_TWIN`, and a printer for altair's charts (:func:`chart_bundle`; altair is
    imported only when one is shown)."""
    from IPython.core.formatters import BaseFormatter
    from matplotlib.figure import Figure

    class FigureIn(BaseFormatter):  # its own __call__: the inline backend's for_type can't undo it
        _return_type = (bytes, str)

        def __init__(self, format_type, lang, before=None):
            super().__init__(format_type=format_type)
            self.lang, self.before = lang, before

        def __call__(self, obj):
            if not isinstance(obj, Figure):
                return self.before(obj) if self.before else None
            png, problems = drawn_in(obj, self.lang, obj.dpi)
            if self.format_type == "image/png":
                return png
            return base64.b64encode(png).decode("ascii"), problems

    formatters, twins = shell.display_formatter.formatters, twin_language()
    if twins:
        formatters[IMAGE_TWIN] = FigureIn(IMAGE_TWIN, twins)
        active = shell.display_formatter.active_types
        shell.display_formatter.active_types = [*active, *[IMAGE_TWIN][:IMAGE_TWIN not in active]]
    if reader_language() != "en":
        formatters["image/png"] = FigureIn("image/png", reader_language(), formatters["image/png"])
    if twins or reader_language() != "en":
        shell.display_formatter.mimebundle_formatter.for_type_by_name(
            "altair.vegalite.v5.api", "TopLevelMixin", chart_bundle)


def figure_bundle(figure, dpi: float) -> tuple[dict, dict]:
    """A figure's display data and metadata (for IPython's display with raw=True): drawn in the
    reader's language at ``dpi``, shown at half its size, with its twin in the book's build."""
    from IPython.display import Image

    pngs = {"image/png": drawn_in(figure, reader_language(), dpi)}
    if twin_language():
        pngs[IMAGE_TWIN] = drawn_in(figure, twin_language(), dpi)
    bundle, metadata = {}, {}
    for mime, (png, problems) in pngs.items():
        image = Image(png, retina=True)
        bundle[mime] = base64.b64encode(png).decode("ascii")
        metadata[mime] = {"width": image.width, "height": image.height}
        metadata[mime].update(problems if mime == IMAGE_TWIN else {})
    return bundle, metadata


def text_bundle(message: str, twins: dict[str, str]) -> dict[str, str]:
    """A text output's display data: the message, with its twin in the book's build."""
    twin = twins.get(twin_language() or "")
    return {"text/plain": message, **({TEXT_TWIN: twin} if twin else {})}
