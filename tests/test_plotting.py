"""Tests of lesson_utils.plotting."""

from __future__ import annotations

import base64
import io
import json

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from lesson_utils import TrainingHistory, TrainingPlot, show_images, use_book_style
from lesson_utils.plotting import _BOOK_STYLE

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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


def test_book_style_reaches_pyplot_figures_and_training_plots():
    with mpl.rc_context():
        use_book_style()
        figures = [plt.figure(), TrainingPlot(3).figure]  # TrainingPlot's is not pyplot's
        for figure in figures:
            ax = figure.axes[0] if figure.axes else figure.add_subplot()
            assert figure.get_size_inches().tolist() == [5.0, 3.2]
            assert not ax.spines["top"].get_visible() and ax.xaxis.get_gridlines()[0].get_visible()


def test_book_style_draws_a_plain_imshow_low_black_high_white():
    """The style's colour map is what a chapter's own plt.imshow uses: gray, not inverted."""
    with mpl.rc_context():
        use_book_style()
        image = plt.figure().add_subplot().imshow(np.array([[0.0, 1.0]]))
        colours = image.to_rgba(image.get_array())[..., :3]
    np.testing.assert_array_equal(colours[0], [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])


@pytest.mark.parametrize("shape", [(5, 28, 28), (5, 1, 28, 28)])
def test_show_images_grid_and_titles(shape):
    imgs = torch.rand(shape)
    axes = show_images(imgs, 2, 3, titles=list("abcde"))
    assert axes.shape == (6,)
    assert [ax.get_title() for ax in axes[:5]] == list("abcde")
    assert len(axes[0].images) == 1 and len(axes[5].images) == 0  # the spare cell stays empty
    np.testing.assert_allclose(axes[0].images[0].get_array(), imgs[0].reshape(28, 28).numpy())
    assert axes[0].figure.get_size_inches().tolist() == [4.5, 3.0]
    assert not any(ax.axison for ax in axes)  # images without ticks, spare cells blank


def test_show_images_draws_colour_images_channels_last():
    imgs = torch.rand(2, 3, 8, 8)  # (n, C, H, W), as torchvision gives them
    axes = show_images(imgs, 1, 2)
    np.testing.assert_allclose(axes[1].images[0].get_array(), imgs[1].permute(1, 2, 0).numpy())


def _drawn_colours(ax):
    """The RGB colour each pixel of the axes' image is drawn in, shape (H, W, 3)."""
    image = ax.images[0]
    return image.to_rgba(image.get_array())[..., :3]


@pytest.mark.parametrize("style", [{}, _BOOK_STYLE])  # the book's rcParams must not invert it
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

def _history(epochs: int) -> TrainingHistory:
    history = TrainingHistory()
    for epoch in range(1, epochs + 1):
        history.train_loss.append(1.0 / epoch)
        history.train_acc.append(0.5 + 0.1 * epoch)
        history.test_acc.append(0.45 + 0.1 * epoch)
        history.seconds.append(0.1)
    return history


def test_update_draws_the_last_epoch_of_a_history():
    plot = TrainingPlot(3, ylim=(0, 1), title="run")
    for epoch in (1, 2, 3):
        plot.update(_history(epoch))
    assert plot.x == [1.0, 2.0, 3.0]
    full = _history(3)
    assert plot.values == [full.train_loss, full.train_acc, full.test_acc]
    ax = plot.figure.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["train loss", "train acc", "test acc"]
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), full.test_acc)
    assert ax.get_ylim() == (0.0, 1.0) and ax.get_xlim() == (1.0, 3.0)
    assert ax.get_title() == "run"


def test_y_range_follows_the_data_without_ylim():
    plot = TrainingPlot(2, legend=["loss"])
    plot.add(1, [5.0])
    plot.add(2, [9.0])
    low, high = plot.figure.axes[0].get_ylim()
    assert low <= 5.0 and high >= 9.0


def test_outside_a_kernel_nothing_is_shown_and_path_is_saved_after_every_draw(tmp_path,
                                                                                monkeypatch):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: pytest.fail("displayed"))
    path = tmp_path / "sub" / "curves.png"
    plot = TrainingPlot(2, path=path)
    saved = []
    for epoch in (1, 2):
        plot.update(_history(epoch))
        saved.append(path.read_bytes())
    assert all(png.startswith(PNG_MAGIC) for png in saved) and saved[0] != saved[1]
    assert plt.get_fignums() == []  # not pyplot's: plt.show() or the inline backend never see it


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0,), {}, ValueError, "num_epochs must be positive"),
        ((2.0,), {}, TypeError, "num_epochs must be an int"),
        ((True,), {}, TypeError, "num_epochs must be an int"),
        ((2,), {"legend": []}, ValueError, "legend must name"),
    ],
)
def test_training_plot_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        TrainingPlot(*args, **kwargs)


def test_training_plot_add_checks_the_number_of_values():
    plot = TrainingPlot(2)
    with pytest.raises(ValueError, match="values has 2 entries but the plot has 3 curves"):
        plot.add(1, [0.1, 0.2])


_PLOT_CELL = """\
from lesson_utils import TrainingHistory, TrainingPlot
plot = TrainingPlot(3)
history = TrainingHistory()
for epoch in range(1, 4):
    history.train_loss.append(1 / epoch)
    history.train_acc.append(0.5 + epoch / 10)
    history.test_acc.append(0.4 + epoch / 10)
    plot.update(history)
"""


def test_in_a_kernel_one_display_is_updated_in_place(monkeypatch):
    """nbclient (what Jupyter Book and nbval use) runs a cell that draws three epochs:
    one output remains, the last drawing, because the later draws replaced the first."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_PLOT_CELL)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [output.output_type for output in outputs] == ["display_data"]
    png = base64.b64decode(outputs[0].data["image/png"])
    assert png.startswith(PNG_MAGIC)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert outputs[0].metadata["image/png"] == {"width": width // 2, "height": height // 2}


# --------------------------------------------------------------------------- Chinese twins

def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _confusion_like_figure():
    from lesson_utils import FASHION_MNIST_CLASSES

    fig, ax = plt.subplots()
    image = ax.imshow(np.eye(10))
    ax.set_xticks(range(10), FASHION_MNIST_CLASSES, rotation=60, ha="right")
    ax.set_yticks(range(10), FASHION_MNIST_CLASSES)
    ax.set(xlabel="predicted class", ylabel="true class", title="fair: 1.000 bits")
    ax.plot([0, 9], [0, 9], label="train loss")
    ax.legend()
    fig.colorbar(image, ax=ax, label="fraction of the true class")
    return fig, ax


def _texts(fig):
    fig.canvas.draw()
    return [(t.get_text(), tuple(t.get_fontproperties().get_family()))
            for t in fig.findobj(mpl.text.Text)]


def test_the_chinese_twin_translates_every_word_and_restores_the_figure():
    from lesson_utils._outputs import drawn_in as _drawn_in

    use_book_style()
    fig, ax = _confusion_like_figure()
    before = _texts(fig)
    english, _ = _drawn_in(fig, "en", fig.dpi)
    chinese, problems = _drawn_in(fig, "zh_CN", fig.dpi)
    assert problems == {"untranslated": [], "missing_glyphs": []}
    assert chinese.startswith(PNG_MAGIC) and chinese != english
    assert _texts(fig) == before  # tick labels, legend, title, colour bar: English again
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["t-shirt", "trouser"]
    fig.suptitle("not in the catalog")
    assert _drawn_in(fig, "zh_CN", fig.dpi)[1]["untranslated"] == ["not in the catalog"]


def test_a_chinese_text_without_a_chinese_font_is_a_missing_glyph(monkeypatch):
    from lesson_utils import _outputs

    monkeypatch.setattr(_outputs, "cjk_font", lambda: None)
    fig, _ = _confusion_like_figure()
    assert _outputs.drawn_in(fig, "zh_CN", fig.dpi)[1]["missing_glyphs"]


_TWIN_CELL = """\
import matplotlib.pyplot as plt
from lesson_utils import TrainingHistory, TrainingPlot, use_book_style
use_book_style()
fig, ax = plt.subplots()
ax.plot([1, 2], [3, 4], label="test acc")
ax.set(xlabel="epoch", title="nats")
ax.legend()
plt.show()
plt.title("no such words")
plt.show()
""" + _PLOT_CELL


def test_in_a_book_build_kernel_every_figure_has_a_chinese_twin(monkeypatch):
    """LESSON_FIGURE_TWINS=zh_CN (tools/build_book.py): a pyplot figure and a TrainingPlot
    carry their Chinese PNG beside the English one, and what it could not translate."""
    from lesson_utils._outputs import IMAGE_TWIN as TWIN_MIME

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("LESSON_FIGURE_TWINS", "zh_CN")
    monkeypatch.delenv("LESSON_LANGUAGE", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_TWIN_CELL)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert len(outputs) == 3
    assert all({"image/png", TWIN_MIME} <= set(output.data) for output in outputs)
    pyplot, unknown, plot = outputs
    assert pyplot.metadata[TWIN_MIME] == {"untranslated": [], "missing_glyphs": []}
    assert unknown.metadata[TWIN_MIME]["untranslated"] == ["no such words"]
    english, chinese = (base64.b64decode(plot.data[m]) for m in ("image/png", TWIN_MIME))
    assert english != chinese and chinese.startswith(PNG_MAGIC)
    width, height = _png_size(chinese)
    assert plot.metadata[TWIN_MIME] == {"width": width // 2, "height": height // 2,
                                        "untranslated": [], "missing_glyphs": []}


_READER_CELL = """\
import matplotlib.pyplot as plt
from IPython.display import Image, display
from lesson_utils import check, use_book_style
use_book_style()
plt.plot([1, 2], [3, 4])
plt.xlabel("epoch")
plt.show()
display(Image(data=PNG))
display(check("ex-net-bias-count", 10))
""" + _PLOT_CELL


def _run_as_reader(monkeypatch, language: str) -> list:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.delenv("LESSON_FIGURE_TWINS", raising=False)
    monkeypatch.setenv("LESSON_LANGUAGE", language)
    png = _confusion_like_png()
    cell = nbformat.v4.new_code_cell(f"PNG = {png!r}\n" + _READER_CELL)
    nb = nbformat.v4.new_notebook(cells=[cell])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb.cells[0].outputs


def _confusion_like_png() -> bytes:
    fig, _ = _confusion_like_figure()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def test_in_a_chinese_readers_kernel_figures_and_checks_speak_chinese(monkeypatch):
    """LESSON_LANGUAGE=zh_CN, as the Chinese reader notebooks set it: the image/png formatter
    use_book_style swaps in draws pyplot's figures in Chinese and passes other images through;
    a TrainingPlot and a check's message are Chinese too; no twin is carried."""
    from lesson_utils._outputs import IMAGE_TWIN, TEXT_TWIN

    english, chinese = _run_as_reader(monkeypatch, "en"), _run_as_reader(monkeypatch, "zh_CN")
    assert len(english) == len(chinese) == 4
    for outputs in (english, chinese):
        assert all(IMAGE_TWIN not in o.get("data", {}) and TEXT_TWIN not in o.get("data", {})
                   for o in outputs)
    figure, image, message, plot = zip(*(
        [base64.b64decode(o.data["image/png"]) if "image/png" in o.data else o.data["text/plain"]
         for o in outputs] for outputs in (english, chinese)), strict=True)
    assert figure[0] != figure[1] and figure[1].startswith(PNG_MAGIC)  # "迭代周期", not "epoch"
    assert image[0] == image[1] == _confusion_like_png()  # not a figure: as it was
    assert message[0].startswith("✗ Exercise 6:") and "提示" not in message[0]
    assert message[1].startswith("✗ 练习 6：") and "不是正确答案" in message[1]
    assert plot[0] != plot[1] and plot[1].startswith(PNG_MAGIC)


_CHART_CELL = """\
import altair as alt
from lesson_utils import use_book_style
use_book_style()
rows = [{"class": name, "epoch": epoch, "probability": p}
        for epoch in (1, 2) for name, p in (("shirt", 0.25), ("coat", 0.75))]
epoch = alt.param(name="epoch", value=1, bind=alt.binding_range(min=1, max=2, step=1,
                                                                name="epoch"))
alt.Chart(alt.Data(values=rows), title="test acc", description="no such words").mark_bar(
).encode(x=alt.X("class:N", sort=["shirt", "coat"]), y=alt.Y("probability:Q")
).add_params(epoch).transform_filter("datum.epoch == epoch")
"""


def _run_chart(monkeypatch, language: str, twins: str | None):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("LESSON_LANGUAGE", language)
    if twins:
        monkeypatch.setenv("LESSON_FIGURE_TWINS", twins)
    else:
        monkeypatch.delenv("LESSON_FIGURE_TWINS", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_CHART_CELL)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    [output] = nb.cells[0].outputs
    return output


def test_in_a_book_build_kernel_a_chart_carries_its_chinese_spec_and_pictures(monkeypatch):
    """LESSON_FIGURE_TWINS=zh_CN: an altair chart's output holds its Vega-Lite spec and a PNG
    of its default state, each with its Chinese twin; the words the twin lacks are named; the
    fields, the parameter and the filter stay as they were."""
    from lesson_utils._outputs import CHART_TWIN, IMAGE_TWIN, VEGA_LITE

    output = _run_chart(monkeypatch, "en", "zh_CN")
    assert {VEGA_LITE, CHART_TWIN, "image/png", IMAGE_TWIN} <= set(output.data)
    english, chinese = output.data[VEGA_LITE], output.data[CHART_TWIN]
    assert english["title"] == "test acc" and chinese["title"] == "测试准确率"
    assert [row["class"] for row in chinese["data"]["values"][:2]] == ["衬衫", "外套"]
    assert chinese["encoding"]["x"]["sort"] == ["衬衫", "外套"]
    assert chinese["params"][0]["bind"]["name"] == "迭代周期"
    assert chinese["params"][0]["name"] == "epoch" and chinese["transform"] == english["transform"]
    assert chinese["encoding"]["x"]["field"] == "class"
    assert chinese["description"] == "no such words"
    assert output.metadata[IMAGE_TWIN]["untranslated"] == ["no such words"]
    pictures = [base64.b64decode(output.data[m]) for m in ("image/png", IMAGE_TWIN)]
    assert pictures[0] != pictures[1] and all(p.startswith(PNG_MAGIC) for p in pictures)
    width, height = _png_size(pictures[0])
    assert output.metadata["image/png"] == {"width": width // 2, "height": height // 2}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_in_a_readers_kernel_a_chart_is_altairs_own_output_in_the_readers_language(
        monkeypatch, language):
    """No twins: altair's active renderer shows the chart (its HTML), with the words in the
    reader's language and no twin beside it."""
    output = _run_chart(monkeypatch, language, None)
    html = output.data["text/html"]
    assert "vegaEmbed" in html and not [m for m in output.data if "x.lesson" in m]
    for word in ("测试准确率", "衬衫"):  # altair writes the spec as JSON, non-ASCII escaped
        assert (json.dumps(word) in html) == (language != "en"), word
