"""The buttons at the top of every chapter, read from the built HTML.

All of them follow the one ``repository`` setting in _config.yml: the
repository and issues buttons, "edit this page" (the chapter's ``.md``, the
source of truth), and the Colab and Binder launch buttons, which must open the
page's reader notebook in the page's edition, on the branch the workflow
publishes (book/_ext/reader_notebooks.py). The download buttons offer the
chapter as that notebook (``.ipynb``, with the outputs shown on the page) and
as its ``.md`` source.
No browser needed; these run with the browser tests, after `make book`.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _hrefs(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def _chapters(toc_docs) -> list[str]:
    return [doc for doc in toc_docs if doc.startswith("chapters/")]


def test_there_are_chapters(toc_docs):
    assert _chapters(toc_docs), "_toc.yml lists no chapter"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_chapter_buttons_follow_the_repository_setting(book_html, toc_docs, config, language):
    """Colab, Binder and the download open this edition's reader notebook; edit opens the .md."""
    repo = config["repository"]
    url = repo["url"].rstrip("/")
    branch = repo["branch"]
    book_path = (repo.get("path_to_book") or "").strip("/")
    prefix = f"{book_path}/" if book_path else ""
    owner, name = url.split("github.com/")[1].split("/")[:2]
    colab = config["launch_buttons"]["colab_url"].rstrip("/")
    binder = config["launch_buttons"]["binderhub_url"].rstrip("/")
    notebooks = config["sphinx"]["config"]["reader_notebooks_branch"]
    edition = book_html / config["sphinx"]["config"]["editions"][language]
    assert config["launch_buttons"].get("notebook_interface") == "jupyterlab"

    problems = []
    for doc in _chapters(toc_docs):
        page = edition / f"{doc}.html"
        if not page.is_file():
            problems.append(f"{doc}: not built ({page} is missing)")
            continue
        hrefs = set(_hrefs(page))
        reader = f"{language}/{doc}.ipynb"
        expected = {
            "Colab": f"{colab}/github/{owner}/{name}/blob/{notebooks}/{reader}",
            "Binder": f"{binder}/v2/gh/{owner}/{name}/{notebooks}?urlpath=lab/tree/{reader}",
            "edit this page": f"{url}/edit/{branch}/{prefix}{doc}.md",
            "repository": url,
        }
        for button, href in expected.items():
            if href not in hrefs:
                host = urlsplit(href).netloc
                near = sorted(h for h in hrefs if urlsplit(h).netloc == host)
                problems.append(f"{doc}: no {button} link {href} (links to {host}: {near})")
        published = book_html.parent / "notebooks" / reader
        if not published.is_file():
            problems.append(f"{doc}: the Colab and Binder target {published} was not built")
        for suffix in (".ipynb", ".md"):
            relative = "../" * doc.count("/") + f"_sources/{doc}{suffix}"
            if relative not in hrefs:
                problems.append(f"{doc}: no download button for {relative}")
            elif not (edition / "_sources" / f"{doc}{suffix}").is_file():
                problems.append(f"{doc}: the download {relative} is missing from the build")
        notebook = edition / "_sources" / f"{doc}.ipynb"
        if notebook.is_file():
            content = json.loads(notebook.read_text(encoding="utf-8"))
            if content.get("nbformat") != 4 or "kernelspec" not in content.get("metadata", {}) \
                    or not any(c["cell_type"] == "code" for c in content.get("cells", [])):
                problems.append(f"{doc}: the downloadable .ipynb is not a runnable notebook")
            if content.get("metadata", {}).get("lesson", {}).get("language") != language:
                problems.append(f"{doc}: the downloadable .ipynb is not the {language} notebook")
            code = [c for c in content.get("cells", []) if c["cell_type"] == "code"]
            if not any(c.get("outputs") for c in code):
                problems.append(f"{doc}: the downloadable .ipynb has no outputs")
    assert not problems, "\n".join(problems)


def test_the_downloaded_notebook_has_the_pages_outputs(book_html, book_url):
    """Fetch chapter 8's .ipynb the way a reader's download does, and find in it
    the outputs the page shows: images, and the glued test accuracy."""
    import urllib.request

    href = next(h for h in _hrefs(book_html / "chapters" / "08_softmax_scratch.html")
                if h.endswith("08_softmax_scratch.ipynb") and not h.startswith("http"))
    with urllib.request.urlopen(book_url + "chapters/" + href, timeout=120) as response:
        notebook = json.load(response)
    outputs = [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure in the download"
    glued = [o for o in outputs if any(k.startswith("application/papermill.record")
                                       for k in o.get("data", {}))]
    assert glued, "no glued value in the download"
    assert "scratch_test_acc" in json.dumps(glued), "chapter 8's test accuracy is not glued in it"


class _Pasted(HTMLParser):
    """The texts of the glued values (myst-nb's <span class="pasted-text">)."""

    def __init__(self):
        super().__init__()
        self.values: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "span" and "pasted-text" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.values.append("")
        elif self._depth and tag == "span":
            self._depth += 1

    def handle_endtag(self, tag):
        if self._depth and tag == "span":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.values[-1] += data


def glued_values(page: Path) -> list[str]:
    parser = _Pasted()
    parser.feed(page.read_text(encoding="utf-8"))
    return sorted(parser.values)


def test_every_glued_value_of_the_english_pages_is_on_their_chinese_twins(book_html, toc_docs):
    """The same values, numbers as they are and words in Chinese (book/_ext/translation.py
    translates a glued word through lesson_utils.i18n); no glued value on a Chinese page is an
    English word."""
    from lesson_utils.i18n import translate

    problems, total, words = [], 0, 0
    for doc in toc_docs:
        english, chinese = book_html / f"{doc}.html", book_html / "zh_CN" / f"{doc}.html"
        if not chinese.is_file():
            problems.append(f"{doc}: no Chinese page {chinese}")
            continue
        want, got = glued_values(english), glued_values(chinese)
        total += len(want)
        words += sum(translate(v, "zh_CN") != v for v in want)
        translated = sorted(translate(v, "zh_CN") or v for v in want)
        if translated != got:
            missing = sorted(set(translated) - set(got)) or "(counts differ)"
            problems.append(f"{doc}: {len(want)} glued values in English, {len(got)} in Chinese;"
                            f" missing {missing}")
        # In a Chinese sentence (not a table of versions and devices, book/status.md)
        sentences = [p for p in re.findall(r"<p>(.*?)</p>", chinese.read_text(encoding="utf-8"),
                                           re.S) if re.search(r"[\u4e00-\u9fff]", p)]
        in_sentences = [v for p in sentences for v in re.findall(
            r'<span class="pasted-text">([^<]*)</span>', p)]
        english_words = [v for v in in_sentences if re.search(r"[A-Za-z]{2,}", re.sub(
            r"\binf\b|\bnan\b|\d[eE][-+]?\d", "", v))]
        if english_words:
            problems.append(f"{doc}: English glued into the Chinese page: {english_words}")
    assert total > 50, f"only {total} glued values found in the English pages"
    assert words >= 4, f"only {words} glued words: chapters 7 and 10 glue class names"
    assert not problems, "\n".join(problems)


def test_the_chinese_navigation_shows_the_translated_part_captions(book_html):
    """sphinx-external-toc inserts the captions after Sphinx translates a page;
    book/_ext/translation.py translates them (from book/intro.po)."""
    import yaml
    from babel.messages.pofile import read_po

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    with (ROOT / "locales" / "zh_CN" / "LC_MESSAGES" / "book" / "intro.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    page = (book_html / "zh_CN" / "chapters" / "05_entropy.html").read_text(encoding="utf-8")
    for part in toc["parts"]:
        caption = part["caption"]
        assert f'caption-text">{catalog[caption]}<' in page, f"{caption!r} is not translated"
        assert f'caption-text">{caption}<' not in page


def test_the_intro_of_each_edition_links_both_pdfs(book_html):
    """The {pdf} role (book/_ext/pdf_edition.py) links _build/html/pdf/, where
    `make pdf` copies the PDFs; make test builds them before this test when
    CI=true or XeLaTeX is installed, and then the files must be there."""
    import os
    import shutil

    from tests.browser.conftest import PDF_FILES

    pdfs_built = os.environ.get("CI") == "true" or shutil.which("xelatex") is not None
    for folder in ("", "zh_CN"):
        intro = book_html / folder / "book" / "intro.html"
        links = [h for h in _hrefs(intro) if h.endswith(".pdf")]
        up = "../" * (1 + (folder != ""))
        assert sorted(links) == sorted(f"{up}pdf/{name}" for name in PDF_FILES.values()), links
        for link in links:
            target = (intro.parent / link).resolve()
            assert target.parent == (book_html / "pdf").resolve()
            if pdfs_built:
                assert target.is_file() and target.stat().st_size > 100_000, \
                    f"{link} from {folder or 'en'}/book/intro.html: no PDF at {target}"


def test_every_your_turn_cell_answers_in_the_language_of_its_page(book_html, toc_docs):
    """Each "your turn" cell's output is check's "not attempted yet" for its exercise, naming
    it as the page numbers it ("Exercise 7", "练习 7"): in English on the English page, in
    Chinese on the Chinese page (the Chinese message that lesson_utils.exercises wrote beside
    the English one in the single execution, book/_ext/translation.py's part (6)), and so in
    each edition's download."""
    from lesson_utils.exercises import EXERCISES

    stubs = {"en": re.compile(r"… Exercise (\d+): not attempted yet\. Write your answer"),
             "zh_CN": re.compile(r"… 练习 (\d+)：尚未作答")}
    numbered = {"en": r'id="(ex-[\w-]+)">\s*<p class="admonition-title"><span '
                      r'class="caption-number">Exercise (\d+) ',
                "zh_CN": r'id="(ex-[\w-]+)">\s*<p class="admonition-title"><span '
                         r'class="caption-number">练习 (\d+) '}
    seen = {"en": [], "zh_CN": []}
    for doc in _chapters(toc_docs):
        html = {"en": (book_html / f"{doc}.html").read_text(encoding="utf-8"),
                "zh_CN": (book_html / "zh_CN" / f"{doc}.html").read_text(encoding="utf-8")}
        assert not stubs["en"].search(html["zh_CN"]) and not stubs["zh_CN"].search(html["en"])
        for language, pattern in stubs.items():
            number = {n: label for label, n in re.findall(numbered[language], html[language])}
            seen[language] += [number[n] for n in pattern.findall(html[language])]
            name = doc.split("/")[-1]
            sources = book_html / ("" if language == "en" else "zh_CN") / "_sources" / "chapters"
            download = json.loads((sources / f"{name}.ipynb").read_text(encoding="utf-8"))
            texts = ["".join(o.get("data", {}).get("text/plain", ""))
                     for c in download["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
            assert sum(bool(pattern.search(t)) for t in texts) == len(
                pattern.findall(html[language])), (doc, language)
            assert not any("x.lesson-" in key for c in download["cells"]
                           if c["cell_type"] == "code" for o in c["outputs"]
                           for key in o.get("data", {})), (doc, language)
    assert sorted(seen["en"]) == sorted(seen["zh_CN"]) == sorted(EXERCISES)


def test_the_chinese_pages_chrome_is_chinese(book_html, toc_docs):
    """The words around a Chinese page's text (the theme's buttons and tooltips, Sphinx's
    heading links, the search box, the title, solution headings) are Chinese
    (book/_ext/translation.py, (7)); 列印 and 笔记本 are the theme's own words, not this
    edition's."""
    english = ("Search this book", "Suggest edit", "Open issue", ">Repository<",
               "Link to this heading", "Solution to", "Toggle primary sidebar", "Print to PDF",
               "Show code cell", "Softmax Regression, Executed", "列印", "笔记本",
               'aria-label="Main"')
    for doc in toc_docs:
        page = (book_html / "zh_CN" / f"{doc}.html").read_text(encoding="utf-8")
        found = [word for word in english if word in page]
        assert not found, (doc, found)
        assert "<title>" in page and "softmax 回归：可执行的课程" in page, doc
        if "solution" in page:
            assert re.search(r"练习 \d+</a> 的解答", page), doc
