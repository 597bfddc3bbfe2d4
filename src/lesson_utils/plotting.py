"""Figures: the book's look, image grids and training curves, in the reader's language.

Nothing here changes matplotlib at import time; chapters call
:func:`use_book_style` once, near the top. A figure's words are written in
English; in a Jupyter kernel a figure is drawn with them translated
(:mod:`lesson_utils.i18n`) when ``LESSON_LANGUAGE`` asks for it, and the book's
build (``LESSON_FIGURE_TWINS=zh_CN``) gets a Chinese twin of every figure's PNG
under :data:`TWIN_MIME`, which the Chinese edition shows instead.
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
from collections.abc import Sequence
from itertools import cycle
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from ._validation import check_grid, check_positive_int
from .i18n import LANGUAGES, language, translate

__all__ = ["use_book_style", "show_images", "TrainingPlot", "TWIN_MIME"]

TWIN_MIME = "image/x.lesson-zh_CN+png"  # a figure's Chinese twin, beside its image/png
_CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC",
              "Microsoft YaHei")

_BOOK_STYLE = {  # what use_book_style() sets
    "figure.figsize": (5.0, 3.2), "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
    "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "axes.titlesize": 10, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
    "legend.fontsize": 9, "legend.frameon": False,
    "image.cmap": "gray", "font.family": "DejaVu Sans",  # gray: pixel 0 black, as the data are
}


def use_book_style() -> None:
    """Give matplotlib figures the book's look (sizes, grid, fonts, colour map).

    Call it once in a chapter; it changes ``matplotlib.rcParams`` only when
    called.

    Examples
    --------
    >>> use_book_style()
    >>> mpl.rcParams["axes.spines.top"]
    False

    In a Jupyter kernel it also makes figures speak the reader's language
    (``LESSON_LANGUAGE``) and, for the book's build, gives each figure the
    Chinese twin ``LESSON_FIGURE_TWINS=zh_CN`` asks for.
    """
    mpl.rcParams.update(_BOOK_STYLE)
    shell = _kernel()
    if shell is None:
        return
    from IPython.core.formatters import BaseFormatter

    class FigureIn(BaseFormatter):  # its own __call__: the inline backend's for_type can't undo it
        _return_type = (bytes, str)

        def __call__(self, obj):
            if not isinstance(obj, Figure):
                return self.before(obj) if self.before else None
            png, problems = _drawn_in(obj, self.lang, obj.dpi)
            return png if self.format_type == "image/png" else _encoded(png, problems)

    formatters = shell.display_formatter.formatters
    twins = os.environ.get("LESSON_FIGURE_TWINS")
    if twins:
        if twins not in LANGUAGES[1:]:
            raise ValueError(f"LESSON_FIGURE_TWINS must be one of {LANGUAGES[1:]}, got {twins!r}")
        formatters[TWIN_MIME] = FigureIn(format_type=TWIN_MIME)
        formatters[TWIN_MIME].lang, formatters[TWIN_MIME].before = twins, None
        active = shell.display_formatter.active_types
        shell.display_formatter.active_types = [*active, *[TWIN_MIME][:TWIN_MIME not in active]]
    if _reader() != "en":
        before = formatters["image/png"]
        formatters["image/png"] = FigureIn(format_type="image/png")
        formatters["image/png"].lang, formatters["image/png"].before = _reader(), before


def _kernel() -> object | None:
    """The IPython shell of a Jupyter kernel, or None (IPython is never imported here)."""
    IPython = sys.modules.get("IPython")
    shell = IPython and IPython.get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


@functools.cache
def _cjk_font() -> str | None:
    """A Chinese font matplotlib can use; one installed after its font cache was made is added."""
    if not {f.name for f in font_manager.fontManager.ttflist} & set(_CJK_FONTS):
        for path in font_manager.findSystemFonts():
            if re.search(r"cjk|wqy|sourcehan|yahei|pingfang", Path(path).name, re.I):
                font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in names), None)


@functools.cache
def _reader() -> str:
    """The reader's language (LESSON_LANGUAGE); "en", said once, if no font has its script."""
    reader = language()
    if reader != "en" and _cjk_font() is None:
        print(f"LESSON_LANGUAGE={reader}, but matplotlib finds no Chinese font, so figures stay "
              "in English; install one (`apt-get install fonts-noto-cjk`) and restart the kernel.",
              file=sys.stderr)
        return "en"
    return reader


class _Translated(mpl.ticker.Formatter):
    """A tick formatter's labels, translated."""

    def __init__(self, inner, translate_text):
        self.inner, self.translate_text = inner, translate_text

    def __call__(self, x, pos=None):
        return self.translate_text(self.inner(x, pos))

    def format_ticks(self, values):
        return [self.translate_text(label) for label in self.inner.format_ticks(values)]

    def get_offset(self):
        return self.inner.get_offset()


def _drawn_in(fig: Figure, lang: str, dpi: float) -> tuple[bytes, dict]:
    """``fig`` as a PNG with its text in ``lang`` (as matplotlib_inline draws it: ``dpi``, tight
    box), and what went wrong: {"untranslated": texts, "missing_glyphs": warnings}."""
    untranslated, missing = [], []

    def translate_text(text):
        found = translate(text, lang)
        if found is None and text not in untranslated:
            untranslated.append(text)
        return text if found is None else found

    class Glyphs(logging.Handler):  # mathtext logs a glyph it lacks; text artists warn
        def emit(self, record):
            missing.append(record.getMessage())

    cjk = [_cjk_font()] if _cjk_font() else []  # a fallback for the glyphs the font lacks
    saved = [(t, t.get_text(), t.get_fontproperties().copy()) for t in fig.findobj(Text)]
    tickers = [a.major for ax in fig.axes for a in (ax.xaxis, ax.yaxis)] + \
              [a.minor for ax in fig.axes for a in (ax.xaxis, ax.yaxis)]
    formatters = [ticker.formatter for ticker in tickers]
    handler, mathtext = Glyphs(level=logging.WARNING), logging.getLogger("matplotlib.mathtext")
    mathtext.addHandler(handler)
    try:
        for text, string, properties in saved:
            text.set_text(translate_text(string))
            text.set_fontfamily([*properties.get_family(), *cjk])
        for ticker, formatter in zip(tickers, formatters, strict=True):
            ticker.formatter = _Translated(formatter, translate_text)
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


def _encoded(png: bytes, metadata: dict) -> tuple[str, dict]:
    return base64.b64encode(png).decode("ascii"), metadata


def _as_image(img: object) -> np.ndarray:
    if isinstance(img, torch.Tensor):
        img = img.detach().cpu()
        if img.ndim == 3 and img.shape[0] in (1, 3):  # (C, H, W) -> (H, W[, C])
            img = img.permute(1, 2, 0).squeeze(-1)
        return img.numpy()
    array = np.asarray(img)  # numpy arrays and PIL images
    if array.ndim not in (2, 3):
        raise ValueError(f"imgs must hold 2-D (H, W) or 3-D images, got shape {array.shape}")
    return array


def show_images(imgs: Sequence | torch.Tensor, num_rows: int, num_cols: int,
                titles: Sequence[str] | None = None, scale: float = 1.5,
                cmap: str = "gray") -> np.ndarray:
    """Draw images in a grid and return the flat array of axes.

    Grey-scale images are drawn as they are: each image's smallest value black,
    its largest white (matplotlib scales each image to its own range). A
    Fashion-MNIST image is a bright garment on a black background, pixel 0.

    Parameters
    ----------
    imgs : tensor of shape (n, H, W) or (n, C, H, W), or a sequence of images
        Tensors, NumPy arrays or PIL images; at most ``num_rows * num_cols``.
    num_rows, num_cols : int
        Grid size (> 0).
    titles : sequence of str, optional
        One title per image.
    scale : float
        Inches per grid cell.
    cmap : str
        Matplotlib colour map for grey-scale images; ``"gray"`` (the default)
        maps low to black and high to white, ``"gray_r"`` would invert them.
        It overrides ``rcParams["image.cmap"]``; colour images ignore it.

    Returns
    -------
    numpy.ndarray of matplotlib Axes, shape (num_rows * num_cols,)

    Examples
    --------
    >>> axes = show_images(torch.zeros(2, 28, 28), 1, 2, titles=["a", "b"])
    >>> axes.shape
    (2,)
    >>> plt.close("all")
    """
    images, titles = check_grid(imgs, num_rows, num_cols, titles, scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                           squeeze=False)
    axes = axes.ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i < len(images):
            ax.imshow(_as_image(images[i]), cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    return axes


# --------------------------------------------------------------------------- training curves

class TrainingPlot:
    """Training curves (loss and accuracies against epochs), redrawn after every epoch.

    In a Jupyter kernel the first draw displays a PNG and every later draw
    replaces it in place (one ``display_id`` handle): live while someone
    watches, one figure in a notebook executed headless, such as this book.
    Outside a kernel nothing is shown; with ``path`` the figure is saved there
    after every draw. The figure is not pyplot's, so the inline backend never
    shows it a second time.

    Parameters
    ----------
    num_epochs : int
        The x axis runs from 1 to ``num_epochs``.
    legend : sequence of str
        The curves, in the order :meth:`add` takes their values.
    path : path, optional
        Where to save the figure (say, a PNG) after every draw.
    ylim : (float, float), optional
        A fixed y range; by default it follows the data.
    title : str, optional

    Examples
    --------
    >>> plot = TrainingPlot(2, legend=["train loss", "test acc"])
    >>> plot.add(1, [0.8, 0.75])
    >>> plot.add(2, [0.6, 0.80])
    >>> plot.values  # one list per curve
    [[0.8, 0.6], [0.75, 0.8]]

    Chapters ``08_softmax_scratch`` to ``10_evaluating`` draw :func:`lesson_utils.train`'s
    history with ``train(..., on_epoch=plot.update)``.
    """

    def __init__(self, num_epochs: int,
                 legend: Sequence[str] = ("train loss", "train acc", "test acc"), *,
                 path: str | os.PathLike | None = None, ylim: tuple[float, float] | None = None,
                 title: str | None = None) -> None:
        self.num_epochs = check_positive_int(num_epochs, "num_epochs")
        self.legend = [str(name) for name in legend]
        if not self.legend:
            raise ValueError("legend must name at least one curve, got none")
        self.path = None if path is None else Path(path)
        self.figure = Figure()  # sized by rcParams, like a pyplot figure
        self.axes = self.figure.add_subplot(xlabel="epoch", xlim=(1, max(self.num_epochs, 2)),
                                            title=title or "")
        if ylim is not None:
            self.axes.set_ylim(*ylim)  # which also stops autoscaling
        self._lines = [self.axes.plot([], [], style, label=name)[0]
                       for name, style in zip(self.legend, cycle(["-", "--", "-.", ":"]))]
        self.axes.legend(loc="best")
        self.x, self.values = [], [[] for _ in self.legend]
        self._handle = None

    def update(self, history: object) -> None:
        """Draw the last epoch of a ``TrainingHistory``: ``train(..., on_epoch=plot.update)``."""
        self.add(len(history), [history.train_loss[-1], history.train_acc[-1],
                                history.test_acc[-1]])

    def add(self, epoch: float, values: Sequence[float]) -> None:
        """Append a point to every curve (one value each, in legend order) and redraw."""
        values = [float(value) for value in values]
        if len(values) != len(self.legend):
            raise ValueError(
                f"values has {len(values)} entries but the plot has {len(self.legend)} curves")
        self.x.append(float(epoch))
        for store, line, value in zip(self.values, self._lines, values, strict=True):
            store.append(value)
            line.set_data(self.x, store)
        self.axes.relim()
        self.axes.autoscale_view(scalex=False)
        self._draw()

    def _draw(self) -> None:
        if self.path is not None:  # the format follows the suffix, e.g. .png
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.figure.savefig(self.path, bbox_inches="tight")
        if _kernel() is None:
            return  # not in a Jupyter kernel
        from IPython.display import Image, display

        dpi = 2 * self.figure.dpi  # twice the dpi, shown at half the size: sharp on hi-dpi screens
        pngs = {"image/png": _drawn_in(self.figure, _reader(), dpi)}
        if os.environ.get("LESSON_FIGURE_TWINS"):  # the book's build: the Chinese twin too
            pngs[TWIN_MIME] = _drawn_in(self.figure, os.environ["LESSON_FIGURE_TWINS"], dpi)
        bundle, metadata = {}, {}
        for mime, (png, problems) in pngs.items():
            image = Image(png, retina=True)
            bundle[mime] = base64.b64encode(png).decode("ascii")
            metadata[mime] = {"width": image.width, "height": image.height}
            metadata[mime].update(problems if mime == TWIN_MIME else {})
        if self._handle is None:
            self._handle = display(bundle, raw=True, metadata=metadata, display_id=True)
        else:
            self._handle.update(bundle, raw=True, metadata=metadata)
