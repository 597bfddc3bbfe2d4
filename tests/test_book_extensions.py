"""The book's own Sphinx extensions (book/_ext) and templates (book/_templates)."""

from __future__ import annotations

import importlib
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXT_DIR = ROOT / "book" / "_ext"


@pytest.fixture
def ext(monkeypatch):
    monkeypatch.syspath_prepend(str(EXT_DIR))
    return importlib.import_module


# ------------------------------------------------------------- local_mathjax


MATHJAX_PATH = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))[
    "sphinx"]["config"]["mathjax_path"]


def test_mathjax_path_points_into_static():
    assert MATHJAX_PATH == "mathjax/tex-mml-chtml.js"  # relative: resolved against _static


def test_mathjax_is_copied_with_its_fonts_and_licence(ext, tmp_path):
    local_mathjax = ext("local_mathjax")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"),
                          config=SimpleNamespace(mathjax_path=MATHJAX_PATH))
    local_mathjax.copy_mathjax(app, None)
    target = tmp_path / "_static" / "mathjax"
    entry = target / "tex-mml-chtml.js"
    assert entry.stat().st_size > 500_000  # the real combined component, not a stub
    assert entry.read_text(encoding="utf-8", errors="replace").count("MathJax") > 10
    assert (target / "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff").is_file()
    assert (target / "input/tex/extensions/cancel.js").is_file()  # autoloaded by \cancel
    assert "Apache License" in (target / "LICENSE").read_text(encoding="utf-8")
    assert not (target / "tex-svg-full.js").exists()  # only what CommonHTML needs


def test_mathjax_is_not_copied_after_a_failed_build(ext, tmp_path):
    local_mathjax = ext("local_mathjax")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    local_mathjax.copy_mathjax(app, RuntimeError("build failed"))
    assert not (tmp_path / "_static").exists()


# -------------------------------------------------------------- translation


@pytest.mark.parametrize("page, language, url, label", [
    ("book/intro", "en", "../zh_CN/book/intro.html", "中文"),
    ("search", "en", "zh_CN/search.html", "中文"),
    ("chapters/05_entropy", "zh_CN", "../../chapters/05_entropy.html", "English"),
    ("genindex", "zh_CN", "../genindex.html", "English"),
])
def test_the_edition_switch_points_at_the_same_page(ext, page, language, url, label):
    book = yaml.safe_load((EXT_DIR.parents[1] / "_config.yml").read_text(encoding="utf-8"))
    config = SimpleNamespace(**book["sphinx"]["config"], language=language)
    other = "zh_CN" if language == "en" else "en"
    assert ext("translation").other_edition(config, page) == (url, label, other)


# ------------------------------------------------------------ book/_templates


def _themed_build(tmp_path: Path, templates: bool) -> Path:
    """A one-page book in sphinx-book-theme with the book's HTML settings, and an
    extension that adds an inline script after the builder starts, as
    sphinx-thebe does; with or without book/_templates."""
    import yaml
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    book = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]
    settings = {key: value for key, value in book["config"].items()
                if key.startswith("ogp_") or key == "html_context"}
    settings["templates_path"] = [str(ROOT / p) for p in book["config"]["templates_path"]]
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "index.rst").write_text("A page\n======\n\nSoftmax regression chooses one of "
                                   "several classes.\n", encoding="utf-8")
    (src / "late_script.py").write_text(
        "def setup(app):\n"
        "    app.connect('builder-inited',\n"
        "                lambda app: app.add_js_file(None, body='const LATE = 1'))\n",
        encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(src)!r})\n"
        f"extensions = {['late_script', *book['extra_extensions']]!r}\n"
        "project = 'A book'\nhtml_title = 'A book'\nhtml_theme = 'sphinx_book_theme'\n"
        + "".join(f"{key} = {value!r}\n" for key, value in settings.items()
                  if templates or key != "templates_path"),
        encoding="utf-8")
    out = tmp_path / "html"
    warnings = io.StringIO()
    with docutils_namespace():
        Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
               status=None, warning=warnings, freshenv=True).build()
    assert "WARNING" not in warnings.getvalue(), warnings.getvalue()
    return out


def test_an_inline_script_is_written_once(tmp_path):
    """Sphinx 7.4 writes it twice: a second `const` is a console SyntaxError
    (sphinx-doc/sphinx#13402, fixed in Sphinx 8.2.2). If the first assert fails,
    Sphinx writes it once by itself: drop the scripts block of layout.html."""
    plain = (_themed_build(tmp_path / "plain", templates=False) / "index.html").read_text()
    assert plain.count("const LATE = 1") == 2, "Sphinx no longer duplicates inline scripts"
    page = (_themed_build(tmp_path / "book", templates=True) / "index.html").read_text()
    assert page.count("const LATE = 1") == 1
    assert page.count('src="_static/doctools.js') == 1  # files are written as before


def test_every_page_has_a_meta_description(tmp_path):
    """From the page's own prose (sphinxext-opengraph), or for a page without
    any (the index, the search page) from its title and the book's (layout.html)."""
    out = _themed_build(tmp_path, templates=True)
    page = (out / "index.html").read_text()
    assert '<meta name="description" content="Softmax regression chooses one of several ' \
        'classes." />' in page
    assert page.count('name="description"') == 1
    for name, title in (("genindex", "Index"), ("search", "Search")):
        html = (out / f"{name}.html").read_text()
        assert f'<meta name="description" content="{title} — A book" />' in html


# ------------------------------------------------------------- reader_notebooks


def test_the_reader_notebooks_links_go_to_the_repositorys_pages(ext):
    reader_notebooks = ext("reader_notebooks")
    assert reader_notebooks.pages_url("https://github.com/Fork/course") == \
        "https://fork.github.io/course/"
    assert reader_notebooks.pages_url("https://github.com/o/r.git/") == "https://o.github.io/r/"
    with pytest.raises(ValueError, match="repository.url"):
        reader_notebooks.pages_url("https://gitlab.com/o/r")


def test_a_node_the_reader_notebooks_do_not_know_stops_the_build(ext):
    """A construct a chapter gains later must not vanish from the notebooks unseen."""
    from docutils import nodes

    reader_notebooks = ext("reader_notebooks")
    markdown = reader_notebooks.Markdown.__new__(reader_notebooks.Markdown)
    markdown.docname, markdown.numbers = "chapters/x", {}
    markdown.page_url = "https://o.github.io/r/"
    paragraph = nodes.paragraph("", "", nodes.Text("a "), nodes.emphasis("", "b"),
                                nodes.math("", "x_1"), nodes.Text(" $5 *c*"))
    assert markdown.block(paragraph, 2) == [r"a *b*$x_1$ \$5 \*c\*"]
    with pytest.raises(ValueError, match="footnote_reference"):
        markdown.inline(nodes.footnote_reference("", "1"))
    with pytest.raises(ValueError, match="sidebar"):
        markdown.block(nodes.sidebar(), 2)


# ---------------------------------------------------------- execution_status


def test_the_status_table_says_which_chapters_this_build_executed(ext):
    execution_status = ext("execution_status")
    started = 1_000_000.0
    executions = {
        "chapters/02_b": {"mtime": started + 5, "runtime": 12.345, "method": "cache"},
        "chapters/01_a": {"mtime": started - 3600, "runtime": 1.0, "method": "cache"},
        "book/status": {"mtime": started + 1, "runtime": 0.5, "method": "force"},
    }
    rows = execution_status.rows(executions, started)
    assert [(doc, executed, runtime) for doc, executed, _, runtime in rows] == [
        ("chapters/01_a", False, "1.0"), ("chapters/02_b", True, "12.3")]
    editions = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))[
        "sphinx"]["config"]["editions"]
    assert set(execution_status.WORDS) == set(editions)


@pytest.mark.parametrize("name", ["toggle-primary-sidebar", "toggle-secondary-sidebar",
                                  "sbt-sidebar-nav"])
def test_the_translatable_theme_buttons_are_the_themes_own(name):
    """book/_templates copies three of sphinx-book-theme's components only to make their
    tooltips and labels translatable: a change upstream must be copied here."""
    import sphinx_book_theme

    theirs = (Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme" /
              "components" / f"{name}.html").read_text(encoding="utf-8")
    ours = (ROOT / "book" / "_templates" / f"{name}.html").read_text(
        encoding="utf-8")
    def comments_out(template: str) -> str:
        return re.sub(r"\{#.*?#\}\n?", "", template, flags=re.S).strip()

    ours = re.sub(r"\{\{ _\('([^']+)'\) \}\}", r"\1", ours)
    assert comments_out(ours) == comments_out(theirs)
