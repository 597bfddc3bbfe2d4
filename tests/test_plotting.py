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


def _drawn_colours(ax):
    """The RGB colour each pixel of the axes' image is drawn in, shape (H, W, 3)."""
    image = ax.images[0]
    return image.to_rgba(image.get_array())[..., :3]


@pytest.mark.parametrize("style", [{}, BOOK_STYLE])  # the book's rcParams must not invert it
def test_show_images_draws_zero_black_and_bright_pixels_white(style):
    garment = torch.zeros(1, 6, 6)  # pixel value 0: the background
    garment[:, 2:4, 1:5] = 0.8  # a bright garment, as in Fashion-MNIST
    with mpl.rc_context(style):
        (ax,) = show_images(garment, 1, 1)
    colours = _drawn_colours(ax)
    assert ax.images[0].get_cmap().name == "gray"
    np.testing.assert_array_equal(colours[0, 0], [0.0, 0.0, 0.0])  # background black
    np.testing.assert_array_equal(colours[2, 2], [1.0, 1.0, 1.0])  # garment white


def test_show_images_cmap_can_be_chosen():
    garment = torch.zeros(1, 4, 4)
    garment[:, 1:3, 1:3] = 1.0
    (ax,) = show_images(garment, 1, 1, cmap="gray_r")
    np.testing.assert_array_equal(_drawn_colours(ax)[0, 0], [1.0, 1.0, 1.0])


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


# ------------------------------------------------------------------ TrainingPlot

import base64  # noqa: E402
import types  # noqa: E402

from lesson_utils import TrainingPlot, plot_context  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _FakeKernel:
    def __init__(self, metadata):
        self.metadata = metadata

    def get_parent(self, channel=None):
        return {"header": {"msg_type": "execute_request"}, "metadata": self.metadata}


def _fake_ipython(monkeypatch, shell):
    """Pretend IPython is imported and get_ipython() returns shell; record displays."""
    import IPython
    import IPython.display as real_display

    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    calls = []

    class Handle:
        def update(self, data, **kwargs):
            calls.append(("update", data, kwargs))

    def display(data, **kwargs):
        calls.append(("display", data, kwargs))
        return Handle()

    monkeypatch.setattr(real_display, "display", display)
    return calls


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [({"cellId": "4f2a"}, "live"),  # JupyterLab, Notebook 7
     ({"cellId": "vscode-notebook-cell:/x.ipynb#W1"}, "live"),  # VS Code
     ({}, "static"),  # nbclient (Jupyter Book, nbconvert, papermill), nbval
     (None, "static")],
)
def test_plot_context_inside_a_kernel(monkeypatch, metadata, expected):
    monkeypatch.delenv("LESSON_PLOT", raising=False)
    shell = types.SimpleNamespace(kernel=_FakeKernel(metadata))
    _fake_ipython(monkeypatch, shell)
    assert plot_context() == expected


def test_plot_context_outside_a_kernel(monkeypatch):
    monkeypatch.delenv("LESSON_PLOT", raising=False)
    assert plot_context() == "script"  # pytest itself
    _fake_ipython(monkeypatch, types.SimpleNamespace())  # terminal IPython: no kernel
    assert plot_context() == "script"
    _fake_ipython(monkeypatch, None)
    assert plot_context() == "script"


def test_plot_context_environment_override(monkeypatch):
    monkeypatch.setenv("LESSON_PLOT", "Live")
    assert plot_context() == "live"
    monkeypatch.setenv("LESSON_PLOT", "animated")
    with pytest.raises(ValueError, match="LESSON_PLOT must be one of"):
        plot_context()


def _fill(plot, epochs=3):
    for epoch in range(1, epochs + 1):
        plot.add(epoch, [1.0 / epoch, 0.5 + 0.1 * epoch, 0.45 + 0.1 * epoch])


def _check_bundle(data, kwargs):
    assert kwargs["raw"] is True
    assert base64.b64decode(data["image/png"]).startswith(PNG_MAGIC)
    assert not data["text/plain"].startswith("<Figure")
    assert data["text/plain"].startswith("Training plot")


def test_static_mode_displays_exactly_one_figure_at_the_end(monkeypatch):
    calls = _fake_ipython(monkeypatch, types.SimpleNamespace(kernel=_FakeKernel({})))
    figures_before = plt.get_fignums()
    plot = TrainingPlot(3)
    assert plot.mode == "static"
    _fill(plot)
    assert calls == []  # nothing while training
    plot.finish()
    plot.finish()  # idempotent
    assert [c[0] for c in calls] == ["display"]
    _check_bundle(calls[0][1], calls[0][2])
    assert "test acc 0.750" in calls[0][1]["text/plain"]
    assert plt.get_fignums() == figures_before  # pyplot never saw it: no second copy


def test_live_mode_updates_one_display_in_place(monkeypatch):
    calls = _fake_ipython(monkeypatch, types.SimpleNamespace(kernel=_FakeKernel({"cellId": "c"})))
    figures_before = plt.get_fignums()
    with TrainingPlot(3) as plot:
        assert plot.mode == "live"
        _fill(plot)
    assert [c[0] for c in calls] == ["display", "update", "update", "update"]
    assert calls[0][2]["display_id"] is True
    for _, data, kwargs in calls:
        _check_bundle(data, kwargs)
    assert plt.get_fignums() == figures_before


def test_script_mode_displays_nothing_and_saves_one_png(monkeypatch, tmp_path):
    calls = _fake_ipython(monkeypatch, None)
    plot = TrainingPlot(3, ylim=(0, 1), title="run")
    assert plot.mode == "script"
    _fill(plot)
    plot.finish()
    assert calls == []
    assert plt.get_fignums() == [plot.figure.number]  # one pyplot figure: plt.show() shows it
    path = plot.save(tmp_path / "sub" / "curves.png")
    assert path.read_bytes().startswith(PNG_MAGIC)
    ax = plot.figure.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["train loss", "train acc",
                                                             "test acc"]
    assert ax.get_ylim() == (0.0, 1.0) and ax.get_xlim() == (1.0, 3.0)
    plot.close()
    assert plt.get_fignums() == []


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0,), {}, ValueError, "num_epochs must be positive"),
        ((2.0,), {}, TypeError, "num_epochs must be an int"),
        ((2,), {"legend": []}, ValueError, "legend must name"),
        ((2,), {"mode": "gif"}, ValueError, "mode must be one of"),
    ],
)
def test_training_plot_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        TrainingPlot(*args, **kwargs)


def test_training_plot_add_checks_the_number_of_values():
    plot = TrainingPlot(2, mode="script")
    with pytest.raises(ValueError, match="values has 2 entries but the plot has 3 curves"):
        plot.add(1, [0.1, 0.2])


# ------------------------------------------------------------------ in real kernels

_TRAIN_CELL = """\
import torch
from torch import nn
from lesson_utils import train, plot_context
torch.manual_seed(0)
X = torch.randn(64, 2); y = (X[:, 0] > 0).long()
net = nn.Linear(2, 2)
history = train(net, [(X, y)] * 4, [(X, y)], nn.CrossEntropyLoss(), 3,
                torch.optim.SGD(net.parameters(), lr=0.5), device="cpu")
"""


def _kernel_env(monkeypatch):
    monkeypatch.delenv("LESSON_PLOT", raising=False)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def test_headless_execution_leaves_exactly_one_figure(monkeypatch):
    """nbclient (what Jupyter Book and nbconvert use) runs a training cell."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    _kernel_env(monkeypatch)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%matplotlib inline\n" + _TRAIN_CELL),
        nbformat.v4.new_code_cell("plot_context()"),
    ])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert len(outputs) == 1 and outputs[0].output_type == "display_data"
    assert base64.b64decode(outputs[0].data["image/png"]).startswith(PNG_MAGIC)
    assert "<Figure" not in str(nb.cells[0].outputs)
    assert nb.cells[1].outputs[0].data["text/plain"] == "'static'"


def test_interactive_frontend_gets_one_live_display(monkeypatch):
    """A front end that sends a cell id (JupyterLab, VS Code) sees in-place updates."""
    manager_module = pytest.importorskip("jupyter_client.manager")
    _kernel_env(monkeypatch)
    km, kc = manager_module.start_new_kernel(kernel_name="python3")
    try:
        msg = kc.session.msg("execute_request",
                             {"code": "%matplotlib inline\n" + _TRAIN_CELL, "silent": False,
                              "store_history": True, "user_expressions": {},
                              "allow_stdin": False, "stop_on_error": True},
                             metadata={"cellId": "cell-1"})
        kc.shell_channel.send(msg)
        reply = kc.get_shell_msg(timeout=120)
        assert reply["content"]["status"] == "ok", reply["content"]
        kinds, ids, texts = [], set(), []
        while True:
            out = kc.get_iopub_msg(timeout=30)
            if out["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            kind = out["msg_type"]
            if kind == "status" and out["content"]["execution_state"] == "idle":
                break
            if kind in ("display_data", "update_display_data", "execute_result", "stream"):
                kinds.append(kind)
                texts.append(str(out["content"]))
                if kind != "stream":
                    ids.add(out["content"]["transient"].get("display_id"))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert kinds == ["display_data"] + ["update_display_data"] * 3  # first epoch, 2 more, final
    assert len(ids) == 1
    assert not any("<Figure" in text for text in texts)
