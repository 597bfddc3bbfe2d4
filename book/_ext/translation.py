"""What the Chinese edition needs from Sphinx's gettext translation.

1. **Glued numbers survive translation.** Sphinx parses each translated
   message in a fresh document (``sphinx.transforms.i18n.publish_msgstr``).
   myst-nb's ``{glue:text}`` role looks its value up in the notebook renderer
   that it stores on the page's document only while the page is being parsed,
   so in a translated message the lookup fails and the number is dropped with
   a warning. Here every value the English text of a page retrieves is kept,
   for that page only (``env.temp_data`` is cleared after each page), and a
   lookup that fails in a translated message is answered from it. A
   translation can therefore only show values its English source shows; a key
   it invents still fails the build.
2. **No sentence stays untranslated unnoticed.** In a translated edition,
   every message of a page must have a translation in the page's catalog
   (``locales/<language>/LC_MESSAGES/<page>.po``) that is neither empty nor
   fuzzy; otherwise the build warns (an error under ``-W``), naming the
   catalog and the English sentence. This fires the moment an English
   sentence changes without its translation.
3. **A switch between the editions** on every page, to the same page of the
   other edition (``_templates/edition-switch.html``).
4. **The table of contents' part captions are translated.** sphinx-external-toc
   inserts the toctrees of _toc.yml into the root page at priority 100, after
   Sphinx has translated the page (priority 20); their captions are then
   translated here, from the same catalog.
5. **Chinese search finds the glossary's terms.** Sphinx indexes Chinese
   text cut into words by jieba, whose dictionary does not know terms such as
   独热编码; the search box, which does not cut a query, would then find
   nothing for them. The glossary's Chinese names are given to jieba as a user
   dictionary, so each is indexed whole (and in its parts).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from docutils import nodes
from myst_nb.ext.glue import directives as glue_directives
from myst_nb.ext.glue import roles as glue_roles
from myst_nb.ext.glue import utils as glue_utils
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx_exercise.nodes import exercise_title, solution_title
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages

logger = logging.getLogger(__name__)

_STASH = "translation_glue_values"
# language code -> (folder of its edition under the English root, switch label)
EDITIONS = {"en": ("", "English"), "zh_CN": ("zh_CN", "中文")}
_original_retrieve = glue_utils.retrieve_glue_data


def retrieve_glue_data(document: nodes.document, key: str):
    """myst-nb's lookup, remembered per page and replayed in translated messages."""
    env = getattr(document.settings, "env", None)
    stash = env.temp_data.setdefault(_STASH, {}) if env is not None else {}
    try:
        value = _original_retrieve(document, key)
    except glue_utils.RetrievalError:
        if "nb_renderer" not in document and key in stash:
            return stash[key]  # a translated message of the page that glued it
        raise
    stash[key] = value
    return value



@lru_cache(maxsize=None)
def _catalog(path: Path, mtime: float) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) of one .po file (cached until it changes)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: (m.string or "", m.fuzzy) for m in catalog if m.id}


def untranslated(catalog: dict[str, tuple[str, bool]], message: str) -> str | None:
    """Why ``message`` has no usable translation in ``catalog``, or None."""
    if message not in catalog:
        return "is not in the catalog"
    string, fuzzy = catalog[message]
    if not string.strip():
        return "has no translation"
    if fuzzy:
        return "has a fuzzy translation (its English changed)"
    return None


def _needs_translation(node: nodes.Node) -> bool:
    """False for text that is not the page's prose: the front matter (a field
    list first in the document, docinfo after priority 340, never shown) and
    sphinx-exercise's "Exercise"/"Solution" labels (translated by sphinx-exercise)."""
    if isinstance(node, (exercise_title, solution_title)):
        return False
    parent = node
    while parent is not None:
        if isinstance(parent, nodes.docinfo) or (
            isinstance(parent, nodes.field_list)
            and isinstance(parent.parent, nodes.document)
            and parent.parent.index(parent) == 0
        ):
            return False
        parent = parent.parent
    return True


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _PageCatalog(SphinxTransform):
    """A transform that reads the page's catalog, in translated editions only."""

    def page_catalog(self) -> tuple[Path, dict[str, tuple[str, bool]] | None] | None:
        language = self.config.language
        if not language or language == "en":
            return None
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        relative = Path(self.config.locale_dirs[0]) / language / "LC_MESSAGES" / f"{domain}.po"
        path = Path(self.env.srcdir) / relative
        return relative, (_catalog(path, path.stat().st_mtime) if path.exists() else None)

    def report(self, relative: Path, catalog, message: str, node) -> bool:
        """Warn (and return True) if ``message`` has no usable translation."""
        reason = untranslated(catalog, message)
        if reason:
            logger.warning(f"{relative}: {_short(message)!r} {reason}; run `make "
                           "translations`, then translate it", location=node)
        return bool(reason)


class CheckTranslations(_PageCatalog):
    """Warn about every message of a page that its catalog does not translate."""

    default_priority = 19  # just before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs) -> None:
        found = self.page_catalog()
        if found is None:
            return
        relative, catalog = found
        if catalog is None:
            logger.warning(f"{relative} is missing: run `make translations`",
                           location=self.env.docname)
            return
        for node, message in extract_messages(self.document):
            if _needs_translation(node):
                self.report(relative, catalog, message, node)


class TranslateTocCaptions(_PageCatalog):
    """Translate the captions of the toctrees sphinx-external-toc inserted (4 above)."""

    default_priority = 101  # just after sphinx_external_toc's InsertToctrees (100)

    def apply(self, **kwargs) -> None:
        found = self.page_catalog()
        if found is None or found[1] is None:
            return
        relative, catalog = found
        for toctree in self.document.findall(addnodes.toctree):
            caption = toctree.get("caption")
            if caption and not self.report(relative, catalog, caption, toctree):
                toctree["caption"] = toctree["rawcaption"] = catalog[caption][0]


def glossary_names(glossary: Path) -> dict[str, list[str]]:
    """English term (lower case) -> its Chinese names in book/glossary.md:
    the whole bold name, the main name, then any alternatives in parentheses."""
    text = glossary.read_text(encoding="utf-8")
    names = {}
    for term, name in re.findall(r"^(\S[^\n]*)\n  \*\*([^*]+)\*\*", text, flags=re.M):
        main = name.split(" (")[0].strip()
        alternatives = [a.strip() for a in re.findall(r"\(([^)]*)\)", name)]
        names[term.strip().lower()] = [name.strip(), main, *alternatives]
    return names


def _search_dictionary(app: Sphinx, config) -> None:
    """Give jieba the glossary's Chinese names (see 5 above)."""
    glossary = Path(app.srcdir) / "book" / "glossary.md"
    if not (config.language or "").startswith("zh") or not glossary.is_file():
        return
    words = {n for names in glossary_names(glossary).values()
             for n in names[1:] if re.search(r"[\u4e00-\u9fff]", n)}
    path = Path(app.doctreedir) / "search-dictionary.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{word}\n" for word in sorted(words)), encoding="utf-8")
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def other_edition_url(pagename: str, language: str) -> tuple[str, str]:
    """(relative URL, label) of the same page in the other edition."""
    up = "../" * pagename.count("/")
    if language == "en":
        folder, label = EDITIONS["zh_CN"]
        return f"{up}{folder}/{pagename}.html", label
    return f"{up}../{pagename}.html", EDITIONS["en"][1]


def _add_switch(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    language = app.config.language or "en"
    url, label = other_edition_url(pagename, language)
    context["edition_switch"] = {"url": url, "label": label,
                                 "lang": "en" if language != "en" else "zh-CN"}


def _add_switch_template(app: Sphinx, config) -> None:
    """Put the switch first among the buttons at the top of every page."""
    if config.html_theme != "sphinx_book_theme":
        return
    buttons = config.html_theme_options.get("article_header_end", ["article-header-buttons.html"])
    if "edition-switch.html" not in buttons:
        config.html_theme_options["article_header_end"] = ["edition-switch.html", *buttons]


def setup(app: Sphinx) -> dict:
    for module in (glue_utils, glue_roles, glue_directives):  # see 1 above
        module.retrieve_glue_data = retrieve_glue_data
    app.add_transform(CheckTranslations)
    app.add_transform(TranslateTocCaptions)
    app.connect("config-inited", _add_switch_template)
    app.connect("config-inited", _search_dictionary)
    app.connect("html-page-context", _add_switch)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
