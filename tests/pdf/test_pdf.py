"""The two PDFs that `make pdf` built, read back with poppler's pdftotext.

Marked ``pdf`` and left out of the plain unit run; `make pdfcheck` builds the
PDFs and runs these (part of `make test` when CI=true or XeLaTeX is there).
They compare each PDF with what the reader sees elsewhere: the chapter titles
of _toc.yml (translated from the catalogs for the Chinese PDF), the numbers
glued into chapter 8's web page, the figures and solutions of the web pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from tests.conftest import toc_files

pytestmark = pytest.mark.pdf

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
sys.path.insert(0, str(ROOT / "tools"))
from build_book import EDITIONS, PDF_FILES, missing_characters  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install poppler-utils (make pdf does, where apt works)")
    return path


def _pdf(language: str) -> Path:
    path = BUILD / "pdf" / PDF_FILES[language]
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make pdf` first")
    return path


def _flat(text: str) -> str:
    """Text without whitespace, dashes unified: titles and numbers survive
    pdftotext's line breaks and spacing between Chinese glyphs."""
    text = text.replace("\u2212", "-").replace("\u2010", "-").replace("\u2011", "-")
    return re.sub(r"\s+", "", text)


def _text(language: str) -> str:
    run = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(_pdf(language)), "-"],
                         capture_output=True, text=True, check=True)
    return run.stdout


def _pages(language: str) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(_pdf(language))],
                          capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def _title(doc: str, language: str) -> str:
    """The page's first heading, as the given edition shows it."""
    source = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    english = re.search(r"^# (.+)$", source, re.M)[1].strip()
    if language == "en":
        return english
    with (ROOT / "locales" / language / "LC_MESSAGES" / f"{doc}.po").open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if m.id}
    return catalog[english]


def _html(doc: str, language: str) -> str:
    path = BUILD / "html" / EDITIONS[language] / f"{doc}.html"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make book` before the PDF test")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def toc_docs() -> list[str]:
    return toc_files()


@pytest.fixture(scope="module", params=list(EDITIONS))
def edition(request):
    language = request.param
    return language, _text(language)


def test_the_pdfs_have_the_whole_book(toc_docs):
    pages = {language: _pages(language) for language in EDITIONS}
    # ten chapters of several pages each, exercises and solutions included
    assert all(n >= 5 * len(toc_docs) for n in pages.values()), pages
    # the same pages in two languages: a part missing from one would show here
    assert 0.8 < pages["zh_CN"] / pages["en"] < 1.25, pages


def test_every_page_of_the_toc_is_there_in_order(edition, toc_docs):
    language, text = edition
    flat = _flat(text)
    # the contents at the front list every page, in _toc.yml's order...
    positions = []
    for doc in toc_docs[1:]:  # the intro is the front matter, not a chapter
        title = _flat(_title(doc, language))
        assert title in flat, f"{doc}: {title!r} is not in the {language} PDF"
        positions.append(flat.index(title))
    assert positions == sorted(positions), f"the {language} PDF's contents are out of order"
    # ...and each title is the heading of its chapter further on
    missing = [doc for doc in toc_docs[1:] if flat.count(_flat(_title(doc, language))) < 2]
    assert not missing, f"no chapter heading in the {language} PDF for {missing}"


def test_the_numbers_glued_into_chapter_8_are_those_of_its_web_page(edition):
    language, text = edition
    html = _html("chapters/08_softmax_scratch", language)
    glued = re.findall(r'<span class="pasted-text">([^<]+)</span>', html)
    assert len(glued) >= 10, "chapter 8's web page shows fewer glued values than it glues"
    distinctive = sorted({v for v in glued if len(v) >= 4})  # 0.8337, -0.0186, 4.5e-07...
    assert distinctive
    flat = _flat(text)
    absent = [v for v in distinctive if _flat(v) not in flat]
    assert not absent, f"glued on chapter 8's {language} web page but not in its PDF: {absent}"


def test_the_chinese_pdf_is_chinese_and_the_english_one_english(edition):
    language, text = edition
    share = len(CJK.findall(text)) / max(1, len(re.findall(r"\w", text)))
    if language == "en":
        assert share < 0.05, f"{share:.0%} of the English PDF's letters are Chinese"
    else:
        assert share > 0.25, f"only {share:.0%} of the Chinese PDF's letters are Chinese"
        assert "第一部分" in _flat(text) and "目录" in _flat(text)  # LaTeX's own words too


def test_every_figure_of_the_web_pages_is_in_the_pdf(toc_docs):
    """Every figure of a page, and every live chart (as the PNG of its default state)."""
    figures = charts = 0
    for doc in toc_docs:
        html = _html(doc, "en")
        main = html[html.find("<main"):html.find("</main>")]
        figures += len(re.findall(r'<img [^>]*src="(?![^"]*_static/)', main))
        charts += main.count('<div class="lesson-chart">')  # printed as its PNG
    assert figures > 0 and charts >= 4
    figures += charts
    for language in EDITIONS:
        listing = subprocess.run([_tool("pdfimages"), "-list", str(_pdf(language))],
                                 capture_output=True, text=True, check=True).stdout
        images = sum(1 for line in listing.splitlines()[2:] if line.split()[2] == "image")
        assert images == figures, f"{language}: {images} images in the PDF, {figures} on the web"


def test_the_chinese_pdf_shows_the_figures_drawn_in_chinese():
    """Every figure of a chapter's output in the Chinese PDF is its Chinese twin (drawn in the
    one execution, book/_ext/translation.py's ChineseOutputs); the English PDF, the English."""
    for language in EDITIONS:
        tex = (BUILD / "latex" / language / "book.tex").read_text(encoding="utf-8")
        outputs = re.findall(r"includegraphics(?:\[[^]]*\])?\{\{([0-9a-f]{64})(\.zh_CN)?\}", tex)
        assert len(outputs) > 20, f"{language}: only {len(outputs)} figures of cell outputs"
        twins = sum(bool(suffix) for _, suffix in outputs)
        assert twins == (len(outputs) if language == "zh_CN" else 0), (language, twins)


def test_every_solution_is_in_the_pdf(edition, toc_docs):
    language, text = edition
    solutions = sum((ROOT / f"{doc}.md").read_text(encoding="utf-8").count("{solution-start}")
                    for doc in toc_docs)
    label = r"Solution to Exercise \d+" if language == "en" else r"练习\s*\d+\s*的解答"
    found = len(re.findall(label, text))
    assert solutions > 0 and found == solutions, (label, found, solutions)


def test_the_chinese_pdf_has_a_chinese_author_line_captions_and_whole_output_lines(edition):
    """The title page's author, a caption's full-width colon, and the checker's messages in
    outputs wrapped at the margin (a line cut there loses its end: "代码单元。" once "代码单")."""
    language, text = edition
    if language != "zh_CN":
        return
    from lesson_utils.exercises import EXERCISES

    assert "softmax 课程编写组" in text[:2000] and "authors" not in text[:2000]
    assert re.search(r"图\s*\d+(\.\d+)?\s*：", text)
    assert not re.search(r"图\s*\d+(\.\d+)?\s*:", text)
    joined = re.sub(r"\s+", "", text)
    assert joined.count("然后重新运行这个代码单元。") == len(EXERCISES)
    index = joined[joined.rindex("索引"):]  # the glossary's Chinese names head the index
    assert "准确率（精度，accuracy）" in index and "交叉熵（cross-entropy）" in index


def test_xelatex_reported_no_missing_character_and_no_undefined_reference(edition):
    language, _ = edition
    log = (BUILD / "latex" / language / "book.log").read_text(encoding="utf-8", errors="replace")
    assert missing_characters(log) == []
    assert "There were undefined references" not in log


def test_a_glyph_without_a_font_is_caught(tmp_path):
    """The trap the build guards against is real: XeLaTeX typesets a character
    that its font lacks as nothing, says so only in the log, and succeeds."""
    (tmp_path / "t.tex").write_text(
        "\\documentclass{article}\\usepackage{fontspec}\\setmainfont{FreeSerif}[Extension=.otf]\n"
        "\\begin{document}softmax \u56de\u5f52\\end{document}\n", encoding="utf-8")
    run = subprocess.run([_tool("xelatex"), "-interaction=nonstopmode", "t.tex"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0 and (tmp_path / "t.pdf").exists()
    found = missing_characters((tmp_path / "t.log").read_text(encoding="utf-8"))
    assert len(found) == 2 and "There is no \u56de" in found[0], found
