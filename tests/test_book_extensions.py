"""The book's own Sphinx extensions (book/_ext), tested without a build."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

EXT_DIR = Path(__file__).resolve().parents[1] / "book" / "_ext"


@pytest.fixture
def ext(monkeypatch):
    monkeypatch.syspath_prepend(str(EXT_DIR))
    return importlib.import_module


# ------------------------------------------------------------ notebook_pairs


def _fake_env(tmp_path, docs: dict[str, tuple[str, bool]]):
    """docs: docname -> (source suffix, is a notebook)."""
    metadata = {}
    for doc, (suffix, notebook) in docs.items():
        source = tmp_path / f"{doc}{suffix}"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("# page\n")
        metadata[doc] = {"kernelspec": {"name": "python3"}} if notebook else {}
    return SimpleNamespace(
        found_docs=set(docs),
        metadata=metadata,
        doc2path=lambda doc: tmp_path / f"{doc}{docs[doc][0]}",
    )


def test_a_chapter_without_its_ipynb_pair_is_a_warning(ext, tmp_path, caplog):
    notebook_pairs = ext("notebook_pairs")
    env = _fake_env(tmp_path, {"chapters/01_a": (".md", True), "chapters/02_b": (".md", True),
                               "book/intro": (".md", False)})
    (tmp_path / "chapters" / "02_b.ipynb").write_text("{}")
    with caplog.at_level(logging.WARNING):
        notebook_pairs._check_pairs(None, env)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "01_a.md has no Jupytext pair 01_a.ipynb" in warnings[0]
    assert "make sync" in warnings[0]


def test_paired_chapters_and_plain_pages_pass(ext, tmp_path, caplog):
    notebook_pairs = ext("notebook_pairs")
    env = _fake_env(tmp_path, {"chapters/01_a": (".md", True), "book/glossary": (".md", False)})
    (tmp_path / "chapters" / "01_a.ipynb").write_text("{}")
    with caplog.at_level(logging.WARNING):
        notebook_pairs._check_pairs(None, env)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# ------------------------------------------------------------- local_mathjax


def test_mathjax_path_points_into_static(ext):
    local_mathjax = ext("local_mathjax")
    config = SimpleNamespace(mathjax_path="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    local_mathjax._use_local_mathjax(None, config)
    assert config.mathjax_path == "mathjax/tex-mml-chtml.js"
    assert "://" not in config.mathjax_path


def test_mathjax_is_copied_with_its_fonts_and_licence(ext, tmp_path):
    local_mathjax = ext("local_mathjax")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    local_mathjax._copy_mathjax(app, None)
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
    local_mathjax._copy_mathjax(app, RuntimeError("build failed"))
    assert not (tmp_path / "_static").exists()


# --------------------------------------------------------------- theme_fixes


def test_duplicated_inline_scripts_are_dropped(ext):
    from sphinx.builders.html._assets import _JavaScript

    theme_fixes = ext("theme_fixes")
    thebe = 'const THEBE_JS_URL = "x"'
    scripts = [
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript(None, body=thebe),  # as the builder stores it
        _JavaScript("", body=thebe),    # as the registry re-adds it
        _JavaScript("", body="let other = 1"),
    ]
    context = {"script_files": scripts}
    theme_fixes._drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert [s.attributes.get("body") for s in scripts] == [None, thebe, "let other = 1"]
    assert context["script_files"] is scripts  # changed in place, as the builder reads it


def test_the_book_opens_in_light_mode_unless_set(ext):
    theme_fixes = ext("theme_fixes")
    config = SimpleNamespace(html_context={})
    theme_fixes._default_mode(None, config)
    assert config.html_context["default_mode"] == "light"
    config = SimpleNamespace(html_context={"default_mode": "dark"})
    theme_fixes._default_mode(None, config)
    assert config.html_context["default_mode"] == "dark"


# ---------------------------------------------------------------- page_meta


def _doctree(*children):
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("page", get_default_settings(Parser))
    document.extend(children)
    return document


def test_the_description_is_the_first_paragraph_of_prose(ext):
    from docutils import nodes

    page_meta = ext("page_meta")
    prose = "Softmax regression is the linear model for choosing one of several classes."
    cell = nodes.container("", nodes.paragraph(text="x" * 60))
    table = nodes.table("", nodes.paragraph(text="y" * 60))
    doctree = _doctree(nodes.paragraph(text="Short."), cell, table, nodes.paragraph(text=prose))
    assert page_meta.describe(doctree, "Book") == prose
    long = "word " * 100
    shortened = page_meta.describe(_doctree(nodes.paragraph(text=long)), "Book")
    assert shortened.endswith("…") and len(shortened) <= page_meta.LIMIT
    assert page_meta.describe(_doctree(), "Book") == "Book"
    assert page_meta.describe(None, "Book") == "Book"


# -------------------------------------------------------------- translation


@pytest.mark.parametrize("page, language, url, label", [
    ("book/intro", "en", "../zh_CN/book/intro.html", "中文"),
    ("search", "en", "zh_CN/search.html", "中文"),
    ("chapters/05_entropy", "zh_CN", "../../chapters/05_entropy.html", "English"),
    ("genindex", "zh_CN", "../genindex.html", "English"),
])
def test_the_edition_switch_points_at_the_same_page(ext, page, language, url, label):
    assert ext("translation").other_edition_url(page, language) == (url, label)


# -------------------------------------------------------------- theme_fixes


def test_the_body_fixes_make_code_focusable_and_names_and_roles_right(ext):
    theme_fixes = ext("theme_fixes")
    body = ('<pre>x</pre><pre tabindex="0">y</pre>'
            '<details><summary aria-label="Toggle hidden content">Show code</summary></details>'
            '<div role="list" class="citation-list"><div class="citation" role="doc-biblioentry">'
            "</div></div>")
    fixed = theme_fixes.accessible(body)
    assert fixed.count('tabindex="0"') == 2 and '<pre tabindex="0">x' in fixed
    assert "<summary>Show code</summary>" in fixed
    assert 'role="listitem"' in fixed and "doc-biblioentry" not in fixed
    assert theme_fixes.accessible(fixed) == fixed


def test_the_page_description_cuts_chinese_at_the_limit(ext):
    page_meta = ext("page_meta")
    text = "本书的每一章都是一个由构建过程执行的 notebook。" + "下表来自那次构建。" * 30
    shortened = page_meta._shorten(text)
    assert len(shortened) == page_meta.LIMIT and shortened.endswith("…")
