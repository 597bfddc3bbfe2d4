"""Figures: the book's look, image grids and live training curves.

Nothing here changes matplotlib at import time; chapters call
:func:`use_book_style` once, near the top.
"""

from __future__ import annotations

import base64
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

__all__ = ["use_book_style", "show_images", "TrainingPlot", "plot_context", "PLOT_MODES"]

BOOK_STYLE = {
    "figure.figsize": (5.0, 3.2),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "image.cmap": "gray",  # pixel 0 black, as the data are
    "font.family": "DejaVu Sans",
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
    """
    mpl.rcParams.update(BOOK_STYLE)


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
    for name, value in (("num_rows", num_rows), ("num_cols", num_cols)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    images = list(imgs)
    if len(images) > num_rows * num_cols:
        raise ValueError(
            f"imgs has {len(images)} images, more than the {num_rows}x{num_cols} grid holds")
    if titles is not None:
        titles = list(titles)
        if len(titles) < len(images):
            raise ValueError(f"titles has {len(titles)} entries for {len(images)} images")
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

PLOT_MODES = ("live", "static", "script")
_PLOT_VARIABLE = "LESSON_PLOT"


def _kernel_shell() -> object | None:
    """The IPython shell when this code runs inside a Jupyter kernel, else None."""
    IPython = sys.modules.get("IPython")  # never import IPython just to find out
    if IPython is None:
        return None
    shell = IPython.get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


def plot_context() -> str:
    """Decide how a :class:`TrainingPlot` shows itself: ``live``, ``static`` or ``script``.

    1. ``LESSON_PLOT=live|static|script`` in the environment wins.
    2. Outside a Jupyter kernel (a script, a terminal, pytest): ``script``.
    3. Inside a kernel, the request that runs the current cell tells who sent
       it. JupyterLab, Notebook 7 and VS Code put the cell's id in the
       metadata of every ``execute_request`` (``metadata["cellId"]``); a person
       is watching, so the plot updates in place: ``live``.
    4. Headless executors (nbclient, hence myst-nb/Jupyter Book, nbconvert and
       papermill; nbval) send requests through ``jupyter_client``'s
       ``KernelClient.execute``, which sends no metadata: ``static``, one
       figure when training ends.

    A front end that sends no cell id falls back to ``static`` (one figure at
    the end); set ``LESSON_PLOT=live`` there. The two kernel modes differ only
    in speed and in when the figure appears: both leave exactly one figure in
    the cell's output, because a live plot replaces its output in place
    (``update_display_data``), which nbclient also honours.

    Returns
    -------
    str, one of ``PLOT_MODES``

    Examples
    --------
    >>> plot_context()  # doctest runs are scripts
    'script'
    """
    wanted = os.environ.get(_PLOT_VARIABLE, "").strip().lower()
    if wanted:
        if wanted not in PLOT_MODES:
            raise ValueError(f"{_PLOT_VARIABLE} must be one of {', '.join(PLOT_MODES)}, "
                             f"got {wanted!r}")
        return wanted
    shell = _kernel_shell()
    if shell is None:
        return "script"
    try:
        parent = shell.kernel.get_parent("shell") or {}
    except Exception:  # an ipykernel too old to have get_parent
        parent = {}
    metadata = parent.get("metadata") or {}
    return "live" if metadata.get("cellId") else "static"


class TrainingPlot:
    """One figure of training curves (loss and accuracies against epochs).

    How it shows itself depends on where it runs (see :func:`plot_context`):

    ``live``
        a Jupyter or VS Code notebook: one output, displayed at the first
        point and redrawn in place after every epoch;
    ``static``
        a notebook executed headless (Jupyter Book, nbval, nbconvert): one
        static figure, displayed by :meth:`finish`;
    ``script``
        nothing is displayed; the figure is a pyplot figure, so a script can
        ``plt.show()`` it or :meth:`save` it once training is done.

    In the notebook modes the figure is never registered with pyplot and is
    published as a PNG with a text fallback, so the inline backend cannot show
    it a second time and no ``<Figure size ...>`` text appears.

    Parameters
    ----------
    num_epochs : int
        The x axis runs from 1 to ``num_epochs``.
    legend : sequence of str
        Name of each curve, in the order :meth:`add` receives the values.
    ylim : (float, float), optional
        Fixed y range; by default it follows the data.
    xlabel, title : str, optional
    mode : {"live", "static", "script"}, optional
        Overrides the detected context.

    Examples
    --------
    >>> plot = TrainingPlot(2, legend=["train loss", "test acc"], mode="script")
    >>> plot.add(1, [0.8, 0.75])
    >>> plot.add(2, [0.6, 0.80])
    >>> plot.finish()
    >>> plot.values  # one list per curve
    [[0.8, 0.6], [0.75, 0.8]]
    >>> len(plot.figure.axes[0].get_lines())
    2
    >>> plot.close()

    Used by :func:`lesson_utils.train` in chapters ``08_softmax_scratch`` to
    ``10_evaluating``.
    """

    def __init__(self, num_epochs: int, legend: Sequence[str] = ("train loss", "train acc",
                                                                 "test acc"),
                 *, ylim: tuple[float, float] | None = None, xlabel: str = "epoch",
                 title: str | None = None, mode: str | None = None) -> None:
        if isinstance(num_epochs, bool) or not isinstance(num_epochs, (int, np.integer)):
            raise TypeError(f"num_epochs must be an int, got {type(num_epochs).__name__}")
        if num_epochs <= 0:
            raise ValueError(f"num_epochs must be positive, got {num_epochs}")
        self.legend = [str(name) for name in legend]
        if not self.legend:
            raise ValueError("legend must name at least one curve")
        if mode is None:
            mode = plot_context()
        if mode not in PLOT_MODES:
            raise ValueError(f"mode must be one of {', '.join(PLOT_MODES)}, got {mode!r}")
        self.mode = mode
        self.num_epochs = int(num_epochs)
        if mode == "script":
            self.figure = plt.figure()
        else:  # not known to pyplot: the inline backend will not show it again
            self.figure = Figure(figsize=mpl.rcParams["figure.figsize"])
        ax = self.figure.add_subplot()
        self.axes = ax
        ax.set_xlabel(xlabel)
        ax.set_xlim(1, max(self.num_epochs, 2))
        if ylim is not None:
            ax.set_ylim(*ylim)
        if title:
            ax.set_title(title)
        styles = ["-", "--", "-.", ":"]
        self._lines = [ax.plot([], [], styles[i % len(styles)], label=name)[0]
                       for i, name in enumerate(self.legend)]
        self._autoscale = ylim is None
        ax.legend(loc="best")
        self.x: list[float] = []
        self.values: list[list[float]] = [[] for _ in self.legend]
        self._handle = None
        self.finished = False

    def add(self, epoch: float, values: Sequence[float]) -> None:
        """Append one point to every curve and, in ``live`` mode, redraw.

        Parameters
        ----------
        epoch : float
            The x coordinate.
        values : sequence of float
            One value per curve (``None`` skips that curve at this epoch).
        """
        values = list(values)
        if len(values) != len(self.legend):
            raise ValueError(
                f"values has {len(values)} entries but the plot has {len(self.legend)} curves")
        self.x.append(float(epoch))
        for store, line, value in zip(self.values, self._lines, values):
            store.append(float("nan") if value is None else float(value))
            line.set_data(self.x, store)
        if self._autoscale:
            self.axes.relim()
            self.axes.autoscale_view(scalex=False)
        if self.mode == "live":
            self._publish()

    def finish(self) -> None:
        """Show the final figure once (``static``) or a last time in place (``live``)."""
        if self.finished:
            return
        self.finished = True
        if self.mode != "script":
            self._publish()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the figure to ``path`` (format from its suffix, e.g. ``.png``)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.figure.savefig(path, bbox_inches="tight")
        return path

    def close(self) -> None:
        """Release the figure (pyplot keeps script-mode figures until closed)."""
        if self.mode == "script":
            plt.close(self.figure)

    def __enter__(self) -> TrainingPlot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.finish()

    def _summary(self) -> str:
        last = ", ".join(f"{name} {store[-1]:.3f}" for name, store in zip(self.legend, self.values)
                         if store)
        return f"Training plot, epoch {self.x[-1]:g} of {self.num_epochs}: {last}" if self.x \
            else f"Training plot, 0 of {self.num_epochs} epochs"

    def _bundle(self) -> tuple[dict, dict]:
        buffer = io.BytesIO()
        dpi = mpl.rcParams["savefig.dpi"]
        dpi = self.figure.dpi if dpi == "figure" else float(dpi)
        self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        png = buffer.getvalue()
        width = int.from_bytes(png[16:20], "big")  # the PNG header's IHDR width
        data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": self._summary()}
        # shown at the size the figure has at its own dpi, sharp on hi-dpi screens
        metadata = {"image/png": {"width": round(width * self.figure.dpi / dpi)}}
        return data, metadata

    def _publish(self) -> None:
        from IPython.display import display  # only the notebook modes get here

        data, metadata = self._bundle()
        if self._handle is None:
            self._handle = display(data, metadata=metadata, raw=True, display_id=True)
        else:
            self._handle.update(data, metadata=metadata, raw=True)
