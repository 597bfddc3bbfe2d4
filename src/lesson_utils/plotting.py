"""Figures: the book's look and image grids.

Nothing here changes matplotlib at import time; chapters call
:func:`use_book_style` once, near the top.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = ["use_book_style", "show_images"]

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
    "image.cmap": "gray_r",
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
                titles: Sequence[str] | None = None, scale: float = 1.5) -> np.ndarray:
    """Draw images in a grid and return the flat array of axes.

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
            ax.imshow(_as_image(images[i]), cmap="gray_r")
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    return axes
