"""Tests of lesson_utils.plotting."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from lesson_utils import show_images, use_book_style
from lesson_utils.plotting import BOOK_STYLE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_importing_changes_no_rcparams():
    import importlib

    import lesson_utils.plotting

    with mpl.rc_context():
        mpl.rcdefaults()
        before = dict(mpl.rcParams)
        importlib.reload(lesson_utils.plotting)
        assert dict(mpl.rcParams) == before


def test_use_book_style_sets_the_look():
    with mpl.rc_context():
        use_book_style()
        expected = mpl.RcParams(BOOK_STYLE)  # validated the way rcParams stores them
        for key in BOOK_STYLE:
            assert mpl.rcParams[key] == expected[key]


@pytest.mark.parametrize("shape", [(5, 28, 28), (5, 1, 28, 28)])
def test_show_images_grid_and_titles(shape):
    imgs = torch.rand(shape)
    axes = show_images(imgs, 2, 3, titles=list("abcde"))
    assert axes.shape == (6,)
    assert [ax.get_title() for ax in axes[:5]] == list("abcde")
    assert len(axes[0].images) == 1 and len(axes[5].images) == 0  # the spare cell stays empty
    np.testing.assert_allclose(axes[0].images[0].get_array(), imgs[0].reshape(28, 28).numpy())
    assert axes[0].figure.get_size_inches().tolist() == [4.5, 3.0]


def test_show_images_accepts_numpy_and_pil():
    imgs = [np.zeros((8, 8)), Image.new("L", (8, 8))]
    axes = show_images(imgs, 1, 2, scale=1.0)
    assert all(len(ax.images) == 1 for ax in axes)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_rows": 0}, ValueError, "num_rows"),
        ({"num_cols": -1}, ValueError, "num_cols"),
        ({"num_rows": 1.5}, TypeError, "num_rows"),
        ({"num_rows": 1, "num_cols": 1}, ValueError, "imgs has 2 images"),
        ({"titles": ["only one"]}, ValueError, "titles"),
        ({"scale": 0}, ValueError, "scale"),
    ],
)
def test_show_images_bad_input(kwargs, error, match):
    args = {"imgs": torch.zeros(2, 4, 4), "num_rows": 1, "num_cols": 2} | kwargs
    with pytest.raises(error, match=match):
        show_images(**args)


def test_show_images_rejects_1d_images():
    with pytest.raises(ValueError, match="imgs"):
        show_images([np.zeros(5)], 1, 1)
