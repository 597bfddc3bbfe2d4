"""book/_ext/pdf_edition.py and the log check of tools/build_book.py, without TeX.

The helpers on their own, then a small Sphinx project built with the LaTeX
builder (which writes .tex and needs no TeX installation) and with the HTML
builder: ANSI codes in an output, Chinese in math, the chapter numbering and
the {pdf} role. tests/pdf checks the real PDFs where TeX is installed.
"""

from __future__ import annotations

import inspect
import io
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

from build_book import missing_characters  # noqa: E402
from pdf_edition import cjk_outside_text, strip_ansi  # noqa: E402
from sphinx_exercise import nodes as exercise_nodes  # noqa: E402
from tests.conftest import NOTEBOOK_FRONT_MATTER  # noqa: E402

# the book's editions and LaTeX settings, as _config.yml names them
BOOK = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
BOOK_CONF = "".join(f"{key} = {BOOK[key]!r}\n" for key in
                    ("editions", "edition_labels", "edition_pdfs", "latex_elements"))


@pytest.mark.parametrize("text, expected", [
    ("\x1b[31mred\x1b[0m plain", "red plain"),
    ("\x1b[1;32;40mbold green\x1b[39;49m", "bold green"),
    ("100%|\x1b[K done", "100%| done"),       # erase to end of line
    ("\x1b]0;title\x07text", "text"),          # a window title (OSC)
    ("no codes, [brackets] stay", "no codes, [brackets] stay"),
    ("", ""),
])
def test_strip_ansi(text, expected):
    assert strip_ansi(text) == expected


@pytest.mark.parametrize("latex, expected", [
    (r"\text{损失} = -\log p", []),
    (r"\mathrm{准确率}(\hat y, y)", []),
    (r"\text{第 {1} 类} + 1", []),                 # one level of nested braces
    (r"损失 = 1", ["损", "失"]),
    (r"\frac{损失}{n}", ["损", "失"]),
    (r"\text{损失} + 误差", ["误", "差"]),
    (r"x，y", ["，"]),                               # full-width punctuation too
    (r"\operatorname{softmax}(o)_i", []),
])
def test_cjk_outside_text(latex, expected):
    assert cjk_outside_text(latex) == expected


def test_missing_characters_reads_xelatex_log_lines():
    log = ("(./book.aux)\n"
           "Missing character: There is no 回 (U+56DE) in font [FreeSerif.otf]/OT:script=lat\n"
           "n;language=dflt;mapping=tex-text;!\n"
           "Missing character: There is no 回 (U+56DE) in font [FreeSerif.otf]/OT:script=lat\n"
           "Missing character: There is no ✓ (U+2713) in font FreeMono:mapping=tex-text;!\n"
           "Overfull \\hbox (1.5pt too wide)\n")
    assert missing_characters(log) == [
        "Missing character: There is no 回 (U+56DE) in font [FreeSerif.otf]",
        "Missing character: There is no ✓ (U+2713) in font FreeMono:mapping=tex-text;",
    ]
    assert missing_characters("(./book.aux)\nOutput written on book.pdf (3 pages).\n") == []


# ------------------------------------------------------- a small Sphinx book

# a 1x1 PNG, for a figure
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082")


PAGES = {
    "index.md": """\
# A book

Both editions as PDF: {pdf}`English <en>`, {pdf}`Chinese <zh_CN>`.

```{toctree}
setup
chapters/03_colours
notes
```
""",
    "setup.md": "# Setting up\n\nInstall it.\n",
    "chapters/03_colours.md": NOTEBOOK_FRONT_MATTER + """
# Colours

```{code-cell} ipython3
print("\\x1b[31mred\\x1b[0m and plain")
```

A loss $\\text{损失} = 1$ and {pdf}`a link <zh_CN>`.

````{exercise}
:label: ex-colours

Name the colour of this figure.

```{figure} square.png
A red square.
```
````
````{solution-start} ex-colours
````

Red.

````{solution-end}
````
""",
    "notes.md": "# Notes\n\nA formula with bare Chinese: $损失 = 1$. See {ref}`ex-colours`.\n",
}


def _build(tmp_path: Path, builder: str, pages: dict[str, str] = PAGES) -> tuple[Path, str]:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    src = tmp_path / "src"
    for name, text in pages.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "project = 'book'\n"
        "extensions = ['myst_nb', 'pdf_edition']\n"
        "myst_enable_extensions = ['dollarmath']\n"
        "nb_execution_mode = 'auto'\n"
        "latex_engine = 'xelatex'\n"
        "html_theme = 'basic'\n" + BOOK_CONF,
        encoding="utf-8")
    (src / "chapters" / "square.png").write_bytes(PNG)
    warnings = io.StringIO()
    out = tmp_path / builder
    with docutils_namespace():
        app = Sphinx(str(src), str(src), str(out), str(tmp_path / f"doctrees-{builder}"),
                     builder, status=None, warning=warnings, freshenv=True)
        app.build()
    return out, warnings.getvalue()


@pytest.fixture(scope="module")
def latex_build(tmp_path_factory):
    out, warnings = _build(tmp_path_factory.mktemp("latex"), "latex")
    return (out / "book.tex").read_text(encoding="utf-8"), warnings, out


def test_ansi_codes_do_not_reach_latex(latex_build):
    tex, warnings, _ = latex_build
    assert "red and plain" in tex, warnings  # the output (the code shows \\x1b[0m between)
    assert "\x1b" not in tex


def test_chinese_in_math_outside_text_warns_where_it_is(latex_build):
    _, warnings, _ = latex_build
    lines = [line for line in warnings.splitlines() if "Chinese inside math" in line]
    assert len(lines) == 1, warnings
    assert "notes.md" in lines[0] and "'损失'" in lines[0]


def test_chapter_numbers_follow_the_file_numbers(latex_build):
    tex, _, _ = latex_build
    order = [tex.index(s) for s in (r"\sphinxbookunnumbered", r"\chapter{Setting up}",
                                    r"\sphinxbooknumbered{2}", r"\chapter{Colours}",
                                    r"\appendix", r"\chapter{Notes}")]
    assert order == sorted(order)


def test_the_book_class_fonts_and_preambles_are_used(latex_build):
    tex, _, out = latex_build
    assert r"{softmaxbook}" in tex and (out / "softmaxbook.cls").is_file()
    assert r"\setCJKmainfont{Noto Serif CJK SC}" in tex and r"\setmainfont{FreeSerif}" in tex
    assert r"\usepackage{unicode-math}" in tex                   # book/_latex/preamble.tex
    assert r"\xeCJKDeclareCharClass{HalfLeft}" in tex            # book/_latex/preamble-en.tex
    assert r"\documentclass[a4paper,10pt,english]" in tex
    assert "{ucharclasses}" not in tex  # it cannot be loaded with xeCJK


def test_a_figure_in_an_exercise_stays_in_place(latex_build):
    """sphinx-exercise's box around a float is a LaTeX error; pdf_edition.py wraps its LaTeX
    visitors, which this also checks are still there."""
    tex, warnings, _ = latex_build
    exercise = tex[tex.index(r"\begin{sphinxadmonition}"):tex.index(r"\end{sphinxadmonition}")]
    assert r"\begin{figure}[H]" in exercise, warnings
    for name in ("exercise", "exercise_enumerable", "solution"):
        for step in ("visit", "depart"):
            visitor = getattr(exercise_nodes, f"{step}_{name}_node")
            assert list(inspect.signature(visitor).parameters) == ["self", "node"]


def test_a_reference_to_an_exercise_on_another_page_links_it(latex_build):
    """notes.md refers to chapter 3's exercise: the link goes to sphinx-exercise's own LaTeX
    label (exercise:ex-colours), the only one the exercise defines (pdf_edition.py)."""
    tex, warnings, _ = latex_build
    assert r"\label{exercise:ex-colours}" in tex, warnings
    notes = tex[tex.index("A formula with bare Chinese"):]
    assert r"\hyperref[exercise:ex-colours]{Exercise 1}" in notes, notes[:400]
    assert "chapters/03_colours:ex-colours" not in tex
    assert r"{Solution to Exercise 1}" in tex  # a title, where LaTeX links nothing


def test_the_pdf_role_links_each_edition_from_any_page(tmp_path):
    out, warnings = _build(tmp_path, "html")
    index = (out / "index.html").read_text(encoding="utf-8")
    chapter = (out / "chapters" / "03_colours.html").read_text(encoding="utf-8")
    assert 'href="pdf/softmax-regression-en.pdf"' in index
    assert 'href="pdf/softmax-regression-zh.pdf"' in index
    assert 'href="../pdf/softmax-regression-zh.pdf"' in chapter


def test_the_pdf_role_names_the_editions_it_knows(tmp_path):
    pages = {**PAGES, "setup.md": "# Setting up\n\nSee {pdf}`French <fr>`.\n"}
    _, warnings = _build(tmp_path, "html", pages)
    assert "{pdf} needs one of ['en', 'zh_CN'] as its target, not 'fr'" in warnings


def test_the_chinese_index_style_is_sphinxs_without_letter_headings():
    """book/_latex/zh_CN/python.ist is Sphinx's makeindex style with headings_flag 0 (its
    headwords are Chinese, which makeindex would head by their first byte); a change upstream
    must be copied here."""
    import sphinx

    theirs = (Path(sphinx.__file__).parent / "texinputs" / "python.ist").read_text()
    ours = (ROOT / "book" / "_latex" / "zh_CN" / "python.ist").read_text()
    ours = "".join(line for line in ours.splitlines(keepends=True) if not line.startswith("%"))
    assert ours == theirs.replace("headings_flag 1\n", "headings_flag 0\n") != theirs
