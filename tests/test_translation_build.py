"""book/_ext/translation.py in a real Sphinx build of a one-page notebook.

The page glues a value; its Chinese catalog translates the sentence that
shows it. Without the extension the translated sentence loses the number
(myst-nb cannot find the glue data while Sphinx parses a translation).
"""

from __future__ import annotations

import inspect
import io
import pickle
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from myst_nb.ext.glue.domain import NbGlueDomain
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import retrieve_glue_data
from tests.conftest import NOTEBOOK_FRONT_MATTER

ROOT = Path(__file__).resolve().parents[1]
EXT_DIR = ROOT / "book" / "_ext"
# the book's editions, as _config.yml names them
BOOK = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
EDITIONS = "".join(f"{key} = {BOOK[key]!r}\n"
                   for key in ("editions", "edition_labels", "edition_pdfs"))

PAGE = NOTEBOOK_FRONT_MATTER + """
# A page

```{code-cell} ipython3
from myst_nb import glue
glue("answer", 41.5 + 1, display=False)
```

The answer is {glue:text}`answer:.1f`.

Nothing else.
"""


def _project(tmp_path: Path, translations: dict[str, str], page: str = PAGE) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(page, encoding="utf-8")
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(EXT_DIR)!r})\n"
        "extensions = ['myst_nb', 'translation']\n"
        "language = 'zh_CN'\n"
        "locale_dirs = ['locales']\n"
        "gettext_compact = False\n"
        "nb_execution_mode = 'auto'\n"
        "myst_enable_extensions = ['dollarmath']  # $$ blocks, as the book writes them\n"
        "html_theme = 'basic'\n" + EDITIONS,
        encoding="utf-8",
    )
    catalog = Catalog(locale="zh_CN")
    for english, chinese in translations.items():
        catalog.add(english, chinese)
    out = src / "locales" / "zh_CN" / "LC_MESSAGES"
    out.mkdir(parents=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    (out / "index.po").write_bytes(buffer.getvalue())
    return src


def _build(src: Path, tmp_path: Path) -> tuple[str, str]:
    from sphinx import locale
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    locale.translators.clear()  # Sphinx caches catalogs per process, by name

    warnings = io.StringIO()
    try:
        with docutils_namespace():
            app = Sphinx(str(src), str(src), str(tmp_path / "html"), str(tmp_path / "doctrees"),
                         "html", status=None, warning=warnings, freshenv=True)
            app.build()
    finally:  # and leaves no Chinese catalog behind for the next test's build
        locale.translators.clear()
    html = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    return html, warnings.getvalue()


FULL = {"A page": "一页",
        "The answer is {glue:text}`answer:.1f`.": "答案是{glue:text}`answer:.1f`。",
        "Nothing else.": "没有别的了。"}


def test_a_translated_sentence_shows_the_glued_value(tmp_path):
    html, warnings = _build(_project(tmp_path, FULL), tmp_path)
    assert 'lang="zh-CN"' in html
    assert '答案是<span class="pasted-text">42.5</span>。' in html, warnings
    assert "WARNING" not in warnings, warnings
    # and its doctree holds the page alone: no message's own document (with the environment
    # in its settings) came along with the translated nodes (translation._one_document)
    doctree = pickle.loads((tmp_path / "doctrees" / "index.doctree").read_bytes())
    strangers = [node for node in doctree.findall() if node.document is not doctree]
    assert not strangers, f"{len(strangers)} nodes name another document: {strangers[:3]}"


def test_a_key_the_english_does_not_glue_fails_and_an_untranslated_sentence_is_named(tmp_path):
    translations = dict(FULL)
    translations["The answer is {glue:text}`answer:.1f`."] = "答案是{glue:text}`question`。"
    del translations["Nothing else."]
    html, warnings = _build(_project(tmp_path, translations), tmp_path)
    assert "No key 'question' found in glue data" in warnings
    assert "locales/zh_CN/LC_MESSAGES/index.po: 'Nothing else.' is not in the catalog" in warnings


WORDS_PAGE = NOTEBOOK_FRONT_MATTER + """
# Words

```{code-cell} ipython3
from myst_nb import glue
glue("pair", "pullover and coat", display=False)
glue("odd", "no such words", display=False)
glue("number", 0.25, display=False)
```

Closest: {glue:text}`pair`, {glue:text}`number:.2f`; {glue:text}`odd`.
"""


def test_glued_words_are_chinese_in_the_chinese_edition_and_a_missing_one_warns(tmp_path):
    """lesson_utils.i18n translates a glued text value with words in it; numbers stay."""
    translations = {"Words": "词语",
                    "Closest: {glue:text}`pair`, {glue:text}`number:.2f`; {glue:text}`odd`.":
                    "最接近的：{glue:text}`pair`，{glue:text}`number:.2f`；{glue:text}`odd`。"}
    html, warnings = _build(_project(tmp_path, translations, WORDS_PAGE), tmp_path)
    assert ('最接近的：<span class="pasted-text">套衫和外套</span>，'
            '<span class="pasted-text">0.25</span>；') in html, warnings
    assert "the glued text 'no such words' has no zh_CN translation" in warnings
    assert warnings.count("WARNING") == 1, warnings


def test_a_translated_formula_is_shown_not_lost(tmp_path):
    """Sphinx translates a math block by parsing "::" plus the indented formula as reST; under
    the MyST parser the page then showed "::" in place of the formula (translation.py puts the
    formula's translation in itself)."""
    page = PAGE.replace("Nothing else.", "Nothing else.\n\n$$\n\\text{loss} = 1\n$$\n")
    formula = "\n\\text{loss} = 1\n"
    html, warnings = _build(_project(tmp_path, {**FULL, formula: "\n\\text{损失} = 1\n"},
                                     page), tmp_path)
    assert "\\text{损失} = 1" in html and "::" not in html, (html[-1500:], warnings)


def test_the_upstream_pieces_the_glue_roles_rely_on_are_there():
    """translation.py subclasses the roles of myst-nb's glue domain and lends them the page's
    document["nb_renderer"]: if myst-nb changes either, this fails (as does the build above)."""
    assert {"", "any", "text", "md"} <= set(NbGlueDomain.roles)
    assert isinstance(NbGlueDomain.roles["text"], PasteTextRole)
    assert 'document["nb_renderer"]' in inspect.getsource(retrieve_glue_data)
