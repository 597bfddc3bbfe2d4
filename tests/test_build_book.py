"""tools/build_book.py's execution of the pages before Sphinx reads them (execute_pages): in a
small book of its own, with real kernels, read back by myst-nb as the book's build reads it."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_book  # noqa: E402
from tests.conftest import NOTEBOOK_FRONT_MATTER  # noqa: E402

PAGES = {
    "chapters/01_first.md": "```{code-cell} ipython3\nprint('first', 6 * 7)\n```\n",
    "chapters/02_broken.md": "```{code-cell} ipython3\nassert 1 == 2, 'a broken chapter'\n```\n",
    "book/status.md": "```{code-cell} ipython3\nimport time\nprint(time.time_ns())\n```\n",
}


@pytest.fixture
def book(tmp_path, monkeypatch):
    for name, code in PAGES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"{NOTEBOOK_FRONT_MATTER}\n# A page\n\n{code}",
                                     encoding="utf-8")
    (tmp_path / "_config.yml").write_text("execute:\n  timeout: 60\n  allow_errors: false\n")
    monkeypatch.setattr(build_book, "ROOT", tmp_path)
    monkeypatch.setattr(build_book, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(build_book, "EVERY_BUILD", tmp_path / "book" / "status.md")
    return tmp_path


def _myst_nb_reads(book: Path) -> str:
    """Build the working chapter and the status page as the book does (myst-nb, cache mode,
    the same cache); return Sphinx's log."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    (book / "conf.py").write_text(
        "extensions = ['myst_nb']\nroot_doc = 'book/status'\n"
        "exclude_patterns = ['_build', 'chapters/02_broken.md']\n"
        "nb_execution_mode = 'cache'\n"
        f"nb_execution_cache_path = {str(book / '_build' / '.jupyter_cache')!r}\n",
        encoding="utf-8")
    log = io.StringIO()
    with docutils_namespace():
        Sphinx(str(book), str(book), str(book / "html"), str(book / "doctrees"), "html",
               status=log, warning=log, freshenv=True, verbosity=1).build()
    return log.getvalue()


def test_the_pages_are_executed_once_into_the_cache_that_the_build_reads(book, capsys):
    build_book.execute_pages()
    printed = capsys.readouterr().out
    assert "chapters/01_first.md: executed in" in printed
    assert "book/status.md: executed in" in printed
    assert "chapters/02_broken.md failed: the build runs it again" in printed

    log = _myst_nb_reads(book)
    assert log.count("Using cached notebook") == 2, log  # myst-nb finds both, runs neither
    assert "Executing notebook" not in log, log
    page = (book / "html" / "chapters" / "01_first.html").read_text(encoding="utf-8")
    assert "first 42" in page

    build_book.execute_pages()  # the next build: the status page again, not the chapter
    printed = capsys.readouterr().out
    assert "book/status.md: executed in" in printed
    assert "01_first" not in printed
    assert "chapters/02_broken.md failed" in printed  # never cached

    (book / "chapters" / "02_broken.md").unlink()
    build_book.execute_pages(every_build=False)  # the PDFs: all from the cache
    assert capsys.readouterr().out == ""
