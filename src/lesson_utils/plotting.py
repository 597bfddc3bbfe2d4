"""Figures: the book's look, image grids and training curves, in the reader's language.

Nothing here changes matplotlib at import time; chapters call
:func:`use_book_style` once, near the top. A figure's words are written in
English; in a Jupyter kernel they are drawn in the reader's language
(``LESSON_LANGUAGE``), and the book's build draws each figure in both
(lesson_utils._outputs).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import cycle
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from . import _outputs
from ._validation import check_grid, check_positive_int

__all__ = ["use_book_style", "show_images", "TrainingPlot"]


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
    (``LESSON_LANGUAGE``) and, in the book's build, draws each one in the
    other edition's language too.
    """
    mpl.rcParams.update(_BOOK_STYLE)
    shell = _outputs.kernel()
    if shell is not None:
        _outputs.install(shell)


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
        if _outputs.kernel() is None:
            return  # not in a Jupyter kernel
        from IPython.display import display

        # twice the dpi, shown at half the size: sharp on hi-dpi screens
        bundle, metadata = _outputs.figure_bundle(self.figure, 2 * self.figure.dpi)
        if self._handle is None:
            self._handle = display(bundle, raw=True, metadata=metadata, display_id=True)
        else:
            self._handle.update(bundle, raw=True, metadata=metadata)
