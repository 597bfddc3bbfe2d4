"""The reader notebooks (book/_ext/reader_notebooks.py) read like their pages, in both editions.

A reader who opens a chapter in Colab, Binder or Jupyter gets _build/notebooks/<language>/
chapters/<name>.ipynb (the download button: the same, with the page's outputs). Checked
against the built pages and the authors' notebooks, after `make book`; marked ``colab``
with the run of those notebooks (tests/colab/test_colab.py).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
from translation import program  # noqa: E402  (the build's comparison: comments, docstrings out)

from lesson_utils._outputs import VEGA_LITE  # noqa: E402

pytestmark = pytest.mark.colab

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
EDITIONS = CONFIG["sphinx"]["config"]["editions"]
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.md"))
# What MyST writes and a notebook's Markdown does not understand: roles, directive
# fences ``` {name} and ::: {name}, option lines, glue keys, gated solutions, and the "::"
# a translated formula once became (book/_ext/translation.py).
RAW_MYST = re.compile(r"^::$|\{[a-z][\w:-]*\}`|^\s*(```|:::)\s*\{|^:[a-z-]+:|solution-(start|end)",
                      re.M)
CJK = re.compile(r"[\u4e00-\u9fff]")
PASTED = re.compile(r'<span class="pasted-text">(.*?)</span>', re.S)


def reader(language: str, chapter: str, download: bool = False) -> nbformat.NotebookNode:
    if download:
        folder = BUILD / "html" / EDITIONS[language] / "_sources" / "chapters"
    else:
        folder = BUILD / "notebooks" / language / "chapters"
    path = folder / f"{chapter}.ipynb"
    assert path.is_file(), f"{path} is missing: `make book` writes it"
    return nbformat.read(path, as_version=4)


def markdown(notebook) -> str:
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def code(notebook) -> list[str]:
    return [c.source for c in notebook.cells if c.cell_type == "code"]


@pytest.mark.parametrize("language", EDITIONS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_raw_myst_is_left(language, chapter):
    text = markdown(reader(language, chapter))
    found = [text[max(0, m.start() - 40):m.end() + 40] for m in RAW_MYST.finditer(text)]
    assert not found, f"{language}/{chapter}: raw MyST in the Markdown: {found}"


@pytest.mark.parametrize("language", EDITIONS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_glued_value_of_the_page_is_in_the_notebook(language, chapter):
    page = (BUILD / "html" / EDITIONS[language] / "chapters" / f"{chapter}.html").read_text(
        encoding="utf-8")
    values = {html.unescape(re.sub(r"<[^>]+>", "", v)).strip() for v in PASTED.findall(page)}
    assert values or chapter < "03", f"{chapter}: no glued value found on its page"
    text = markdown(reader(language, chapter)).replace("\\", "")
    missing = sorted(v for v in values if v not in text)
    assert not missing, f"{language}/{chapter}: glued values not in the notebook: {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_code_is_the_chapters_in_both_editions(chapter):
    """The authors' code cells, in order, hidden ones included, after one the build writes:
    it installs lesson_utils at the commit the notebook was built from, and in the Chinese
    notebook also sets the reader's language."""
    authored = code(jupytext.read(ROOT / "chapters" / f"{chapter}.md"))
    english, chinese = code(reader("en", chapter)), code(reader("zh_CN", chapter))
    assert english[1:] == authored
    # the Chinese cells are the same program, their comments and docstrings translated
    assert [program(c) for c in chinese[1:]] == [program(c) for c in english[1:]]
    assert sum(c != e for c, e in zip(chinese[1:], english[1:], strict=True)) > 0
    assert chinese[0].startswith(english[0])
    added = chinese[0][len(english[0]):].splitlines()
    assert added[0] == 'os.environ.setdefault("LESSON_LANGUAGE", "zh_CN")'
    assert "apt-get update" in chinese[0] and "fonts-noto-cjk" in chinese[0]
    assert [c.id for c in reader("en", chapter).cells if c.cell_type == "code"] == \
        [c.id for c in reader("zh_CN", chapter).cells if c.cell_type == "code"]


def test_the_install_cell_names_the_commit_the_notebooks_were_built_from():
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    url = CONFIG["repository"]["url"].rstrip("/")
    for language in EDITIONS:
        for chapter in CHAPTERS:
            install = code(reader(language, chapter))[0]
            assert f'"lesson_utils @ git+{url}@{head}"' in install, (language, chapter)
            assert "LESSON_INSTALL_SOURCE" in install


@pytest.mark.parametrize("language", EDITIONS)
def test_links_lead_to_the_same_edition_of_the_book(language):
    repository = CONFIG["repository"]["url"].rstrip("/")
    owner, name = repository.split("/")[-2:]
    edition = f"https://{owner}.github.io/{name}/" + (EDITIONS[language] and
                                                       EDITIONS[language] + "/")
    text = "\n".join(markdown(reader(language, chapter)) for chapter in CHAPTERS)
    links = re.findall(r"\]\((https://[^)\s]+)\)", text)
    book = [link for link in links if f"{owner}.github.io" in link]
    assert len(book) > 100, f"only {len(book)} links into the book"
    assert all(link.startswith(edition) for link in book), \
        [link for link in book if not link.startswith(edition)][:5]
    if language != "en":
        assert all("/zh_CN/" in link for link in book)


@pytest.mark.parametrize("language", EDITIONS)
def test_exercises_are_headed_and_their_solutions_folded(language):
    notebook = reader(language, "08_softmax_scratch")
    headings = [c for c in notebook.cells if c.cell_type == "markdown"
                and c.metadata.get("jp-MarkdownHeadingCollapsed")]
    sources = (ROOT / "chapters" / "08_softmax_scratch.md").read_text(encoding="utf-8")
    assert len(headings) == sources.count("{solution-start}") > 0
    heading = {"en": r"#+ Solution to Exercise \d+", "zh_CN": r"#+ 练习 \d+ 的解答"}[language]
    assert all(re.fullmatch(heading, c.source) for c in headings), \
        [c.source for c in headings]


def test_chapter_8_begins_as_its_page_in_both_editions():
    for language, title in (("en", "# Softmax regression from scratch"),
                            ("zh_CN", "# softmax 回归的从零开始实现")):
        first = reader(language, "08_softmax_scratch").cells[0]
        assert first.cell_type == "markdown" and first.source.startswith(title + "\n\n")
        assert "glossary.html#term-softmax-regression" in first.source


@pytest.mark.parametrize("language", EDITIONS)
def test_the_download_is_the_reader_notebook_with_the_pages_outputs(language):
    published = reader(language, "08_softmax_scratch")
    download = reader(language, "08_softmax_scratch", download=True)
    assert [c.source for c in download.cells] == [c.source for c in published.cells]
    outputs = [o for c in download.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert not any(c.get("outputs") for c in published.cells if c.cell_type == "code")


@pytest.mark.parametrize("language", EDITIONS)
def test_the_downloads_show_the_figures_and_messages_of_their_edition(language):
    """Each figure of a download is one its edition's pages show, each chart's spec speaks its
    edition's language (the Chinese twin in the
    Chinese edition: book/_ext/translation.py), a check's message is in the page's language,
    and no twin is left beside them."""
    shown = {hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (BUILD / "html" / EDITIONS[language] / "_images").glob("*.png")}
    figures = messages = charts = 0
    for chapter in CHAPTERS:
        for cell in reader(language, chapter, download=True).cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert not [m for m in data if "x.lesson" in m], (chapter, list(data))
                if VEGA_LITE in data:  # a chart: the page draws its spec, not its PNG
                    charts += 1
                    words = json.dumps(data[VEGA_LITE], ensure_ascii=False)
                    assert bool(CJK.search(words)) == (language != "en"), chapter
                    assert "image/png" in data, chapter  # for a front end without Vega
                elif "image/png" in data:
                    figures += 1
                    digest = hashlib.sha256(base64.b64decode(data["image/png"])).hexdigest()
                    assert digest in shown, f"{language}/{chapter}: a figure its pages do not show"
                text = "".join(data.get("text/plain", ""))
                if re.match(r"[✓✗…] (Exercise|练习) \d+", text):
                    messages += 1
                    assert text[2:4] == ("Ex" if language == "en" else "练习"), (chapter, text[:80])
                    assert ("：" in text) == (language != "en"), (chapter, text[:80])
    assert figures > 20 and messages > 20 and charts >= 4, (figures, messages, charts)
