"""The Chinese edition from Sphinx's gettext catalogs: what Sphinx and myst-nb do not do for it.

1. Glued values survive translation. 2. A message of a translated page without a translation
(missing, empty or fuzzy) warns, naming catalog and sentence. 3. Every page links the same page
of the other edition (_config.yml's editions). 4. The table of contents' part captions are
translated. 5. Chinese search finds the glossary's terms (a user dictionary for jieba).
6. Outputs in the edition's language, the book's half of the protocol in lesson_utils._outputs
(the kernel's half): a figure shows the twin its kernel drew beside it, an exercise check's
message its twin, in the pages and in the downloaded notebooks; a glued word is translated
(lesson_utils.i18n). A figure without a twin, or a word without a translation, warns. Sphinx
and myst-nb render one MIME type per output and per builder, not per language. An altair
chart is live in every edition's HTML (LiveCharts: its spec in the page's language, drawn by
Vega from _static, which no package of Sphinx's does offline) and its PNG in the PDFs.
7. The chrome in the edition's language: the words of Sphinx, myst-nb, sphinx-exercise and
the themes that their own catalogs lack or that are settings (the search box, the logo's alt
text, the hidden-code prompts, the edit and issue buttons, "Solution to Exercise N"), from
this book's locales/<language>/LC_MESSAGES/sphinx.po and booktheme.po; the index's headwords
are the glossary's names in the edition's language (GlossaryIndex).
8. Code comments and docstrings in the edition's language, as d2l-zh has them: a code cell
with either is a message (Sphinx's gettext_additional_targets, literal-block, kept to such
cells), and its translation may change them only; the cells stay one program (program()).
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import re
import textwrap
import tokenize
from pathlib import Path

import nbformat
from babel.messages.pofile import read_po
from docutils import nodes
from jupyter_cache import get_cache
from myst_nb.core.read import read_myst_markdown_notebook
from myst_nb.ext.glue.domain import NbGlueDomain
from myst_nb.ext.glue.roles import PasteTextRole
from sphinx import addnodes, locale
from sphinx.application import Sphinx
from sphinx.locale import get_translation
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.i18n import CatalogInfo, docname_to_domain
from sphinx.util.nodes import extract_messages
from sphinx_exercise.nodes import exercise_title, solution_node, solution_title

from lesson_utils._outputs import CHART_TWIN, IMAGE_TWIN, TEXT_TWIN, VEGA_LITE
from lesson_utils.i18n import translate

logger = logging.getLogger(__name__)
CJK = re.compile(r"[\u4e00-\u9fff]")


def catalog_path(config, docname: str) -> Path:
    """A page's catalog relative to the sources: locales/<language>/LC_MESSAGES/<page>.po."""
    domain = docname_to_domain(docname, config.gettext_compact)
    return Path(config.locale_dirs[0], config.language, "LC_MESSAGES", f"{domain}.po")


def read_catalog(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) of one .po file."""
    with path.open("rb") as handle:
        return {m.id: (m.string or "", m.fuzzy) for m in read_po(handle) if m.id}


def untranslated(catalog: dict[str, tuple[str, bool]], message: str) -> str | None:
    """Why ``message`` has no usable translation in ``catalog`` (missing, empty, fuzzy), or None."""
    string, fuzzy = catalog.get(message, (None, False))
    if string is None:
        return "is not in the catalog"
    if not string.strip():
        return "has no translation"
    return "has a fuzzy translation (its English changed)" if fuzzy else None


class _GlueInTranslations:
    """(1) myst-nb keeps a page's notebook renderer on its document only while parsing it, and
    Sphinx parses a translated message in a fresh document: lend it the page's (temp_data is
    per page). myst-nb has no hook for this (closest upstream issue: executablebooks/MyST-NB#587);
    tests/test_translation_build.py fails if document["nb_renderer"] or the roles change."""

    def run(self):
        document, temp = self.document, self.document.settings.env.temp_data
        if "nb_renderer" in document:  # the page itself: remember its renderer
            temp["translation_nb_renderer"] = document["nb_renderer"]
        elif "translation_nb_renderer" in temp:  # a translated message of the page
            document["nb_renderer"] = temp["translation_nb_renderer"]
            try:
                return _glued_words_translated(self, *super().run())
            finally:  # the message's nodes keep their document, which the doctree pickles
                del document["nb_renderer"]
        return super().run()


# ------------------------------------------------------ (6) outputs in the edition's language

def source_language(config) -> str:
    """The language of the edition the others translate: the one at the root of the book."""
    return next(code for code, folder in config.editions.items() if not folder)


def executed(app: Sphinx, docname: str) -> nbformat.NotebookNode | None:
    """The page's notebook with the outputs of its execution in myst-nb's cache, or None."""
    if not app.config.nb_execution_cache_path:  # tools/build_book.py sets it
        return None
    cache = get_cache(app.config.nb_execution_cache_path)
    text = Path(app.env.doc2path(docname)).read_text(encoding="utf-8")
    try:
        return cache.merge_match_into_notebook(read_myst_markdown_notebook(text))[1]
    except KeyError:
        return None


def _glued_words_translated(role, pasted: list[nodes.Node], messages: list) -> tuple[list, list]:
    """A glued text value with words in it ("shirt", "pullover and coat") in the edition's
    language, through lesson_utils' catalog; one it lacks warns. Numbers and math stay."""
    env = role.document.settings.env
    language, warned = env.config.language, env.temp_data.setdefault("untranslated_glue", set())
    if not isinstance(role, PasteTextRole) or language == "en":
        return pasted, messages
    for node in pasted:
        if isinstance(node, nodes.inline) and "pasted-text" in node["classes"]:
            text = node.astext()
            found = translate(text, language)
            if found is None and text not in warned:  # Sphinx parses a translation twice
                warned.add(text)
                logger.warning(f"the glued text {text!r} has no {language} translation in "
                               "src/lesson_utils/locale (lesson_utils.i18n)",
                               location=node)
            elif found not in (None, text):
                node.replace(node[0], nodes.Text(found))
    return pasted, messages


class TranslatedOutputs(SphinxTransform):
    """In a translated edition, every figure of a code cell's output shows its twin: the PNG
    that the kernel drew beside the English one, found in the page's executed notebook by the
    English PNG's sha256, written next to it; and an exercise check's message shows the twin
    that came beside it. Runs while reading, before Sphinx collects the images (doctree-read)."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        if self.config.language == source_language(self.config):
            return
        images = [image for image in self.document.findall(nodes.image) if _in_output(image)]
        blocks = [block for block in self.document.findall(nodes.literal_block)
                  if _in_output(block)]
        notebook = executed(self.app, self.env.docname) if images or blocks else None
        twins = self.twins(notebook)  # no execution: then every figure warns
        for image in images:
            relative, path = self.env.relfn2path(image["uri"], self.env.docname)
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            if digest not in twins:
                logger.warning(f"{self.env.docname}: a figure ({relative}) has no twin; "
                               "draw it with matplotlib after lesson_utils.use_book_style() (or "
                               "its execution is older than twins: delete _build/.jupyter_cache)",
                               location=image)
                continue
            png, problems = twins[digest]
            for problem in ("untranslated", "missing_glyphs"):
                if problems.get(problem):
                    logger.warning(f"{self.env.docname}: a figure's twin has "
                                   f"{problem.replace('_', ' ')}: {problems[problem]}; add them to "
                                   f"src/lesson_utils/locale/{self.config.language}/LC_MESSAGES/"
                                   "lesson_utils.po",
                                   location=image)
            twin = Path(path).with_name(f"{Path(path).stem}.{self.config.language}.png")
            if not twin.is_file() or twin.read_bytes() != png:
                twin.write_bytes(png)
            image["uri"] = f"{image['uri'].rsplit('/', 1)[0]}/{twin.name}"
        texts = {_text(data["text/plain"]): _text(data[TEXT_TWIN])
                 for data in _output_data(notebook) if TEXT_TWIN in data}
        for block in blocks:
            if block.astext() in texts:  # rawsource too: else LaTeX takes it for parsed-literal
                block.rawsource = texts[block.astext()]
                block[:] = [nodes.Text(block.rawsource)]

    @staticmethod
    def twins(notebook) -> dict[str, tuple[bytes, dict]]:
        """sha256 of an English PNG -> (its twin, what the kernel could not translate),
        from the page's execution in the cache."""
        twins = {}
        for data, metadata in _output_data(notebook, with_metadata=True):
            if "image/png" in data and IMAGE_TWIN in data:
                digest = hashlib.sha256(base64.b64decode(data["image/png"])).hexdigest()
                twins[digest] = (base64.b64decode(data[IMAGE_TWIN]), metadata.get(IMAGE_TWIN, {}))
        return twins


class LiveCharts(SphinxPostTransform):
    """In every edition's HTML pages, an altair chart's picture (the PNG that prints) becomes
    the live chart: its Vega-Lite spec in the page's language (lesson_utils' chart_bundle put
    both beside the PNGs), drawn by book/_static/charts.js with vega-embed."""

    default_priority = 5
    formats = ("html",)

    def run(self, **kwargs) -> None:
        images = [image for image in self.document.findall(nodes.image) if _in_output(image)]
        specs = {}
        for data in _output_data(executed(self.app, self.env.docname) if images else None):
            for png, spec in (("image/png", VEGA_LITE), (IMAGE_TWIN, CHART_TWIN)):
                if spec in data:
                    specs[hashlib.sha256(base64.b64decode(data[png])).hexdigest()] = data[spec]
        for image in images:
            path = Path(self.app.srcdir, image["uri"])
            spec = specs.get(hashlib.sha256(path.read_bytes()).hexdigest()) if specs else None
            if spec is not None:  # JSON in a script element: "</" must not close it
                text = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
                image.replace_self(nodes.raw("", '<div class="lesson-chart"><script type='
                                             f'"application/json">{text}</script></div>',
                                             format="html"))


def _vega(app: Sphinx) -> None:
    """Vega, Vega-Lite and vega-embed as one script in the book's _static (vl-convert's
    bundle, the versions its PNGs are drawn with): the charts need no CDN."""
    if app.builder.format == "html":
        import vl_convert

        script, bundle = Path(app.doctreedir, "vega", "vega.js"), vl_convert.javascript_bundle(
            vl_version="5.20")
        script.parent.mkdir(parents=True, exist_ok=True)
        if not script.is_file() or script.read_text() != bundle:  # a new vl-convert: rewritten
            script.write_text(bundle)
        app.config.html_static_path.append(str(script.parent))


def _chart_scripts(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    """Vega's script on the pages that have a chart, once each."""
    if doctree and any("lesson-chart" in raw.astext() for raw in doctree.findall(nodes.raw)):
        app.add_js_file("vega.js", type="module")  # a module: its top-level names stay its own
        app.add_js_file("charts.js", type="module")  # after it, as modules run in order


def _downloads_in_language(app: Sphinx, exception: Exception | None) -> None:
    """The downloaded notebooks (<edition>/_sources/chapters/*.ipynb, which reader_notebooks
    writes with the page's outputs): each output as this edition's page shows it."""
    if exception is not None or app.builder.format != "html":
        return
    translated = app.config.language != source_language(app.config)
    for path in sorted(Path(app.outdir, "_sources", "chapters").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            for output in cell.get("outputs", ()):
                for twin_mime, mime in ((IMAGE_TWIN, "image/png"), (TEXT_TWIN, "text/plain"),
                                        (CHART_TWIN, VEGA_LITE)):
                    twin = output.get("data", {}).pop(twin_mime, None)
                    output.get("metadata", {}).pop(twin_mime, None)
                    if twin and translated:
                        output["data"][mime] = twin
        nbformat.write(notebook, path)


def _output_data(notebook, with_metadata=False):
    """The data (and metadata) of every output of an executed notebook, or none for None."""
    for cell in notebook.cells if notebook else ():
        for output in cell.get("outputs", ()):
            data = output.get("data", {})
            yield (data, output.get("metadata", {})) if with_metadata else data


def _text(value: str | list[str]) -> str:
    """A notebook's text output, stored as one string or as a list of lines."""
    return "".join(value) if isinstance(value, list) else value


def _in_output(node: nodes.Node) -> bool:
    """Whether ``node`` lies in a code cell's output (myst-nb's container of class cell_output)."""
    while node.parent is not None:
        node = node.parent
        if "cell_output" in node.get("classes", ()):
            return True
    return False


# ---------------------------------------------------------------------------------------------

def _one_document(app: Sphinx, doctree: nodes.document) -> None:
    """Sphinx's Locale moves a translated message's nodes into the page without telling them
    (docutils' setup_child would): each still names the message's own document, whose
    settings hold the whole environment, so every translated page pickled a copy of it (2 MB,
    15 times the English page) and read it back for every cross-reference to it. Tell them."""
    for node in doctree.findall():
        if node.document is not doctree:
            node.document = doctree


def _needs_translation(node: nodes.Node) -> bool:
    """False for the front matter (a leading field list, or docinfo) and sphinx-exercise's
    "Exercise"/"Solution" labels, which sphinx-exercise translates itself."""
    if isinstance(node, (exercise_title, solution_title)):
        return False
    while node is not None:
        if isinstance(node, nodes.docinfo) or (isinstance(node, nodes.field_list) and isinstance(
                node.parent, nodes.document) and node.parent.index(node) == 0):
            return False
        node = node.parent
    return True


class _PageCatalog(SphinxTransform):
    """In a translated edition, read the page's catalog and report what it does not translate."""

    warn_if_missing = False  # one warning per page is enough

    def apply(self, **kwargs) -> None:
        if self.config.language == "en":
            return
        self.relative = catalog_path(self.config, self.env.docname)
        path = Path(self.env.srcdir, self.relative)
        if path.is_file():
            self.catalog = read_catalog(path)
            self.translate()
        elif self.warn_if_missing:
            logger.warning(f"{self.relative} is missing: run `make translations`",
                           location=self.env.docname)

    def report(self, message: str, node: nodes.Node) -> bool:
        """Warn (and return True) if ``message`` has no usable translation."""
        reason = untranslated(self.catalog, message)
        if reason:
            short = textwrap.shorten(message, 100, placeholder="…")
            logger.warning(f"{self.relative}: {short!r} {reason}; run `make translations`, "
                           "then translate it", location=node)
        return bool(reason)


class CheckTranslations(_PageCatalog):
    default_priority = 19  # just before sphinx.transforms.i18n.Locale (20)
    warn_if_missing = True

    def translate(self) -> None:
        for node, message in extract_messages(self.document):
            if _needs_translation(node) and not self.report(message, node) \
                    and isinstance(node, (nodes.math_block, nodes.literal_block)):
                # Locale would parse "::" plus the indented formula or code as reST; the MyST
                # parser reads that as the paragraph "::", and the block vanishes. So its
                # translation goes in here; Locale then finds no message for it and skips it.
                node.rawsource = self.catalog[message][0]
                node[:] = [nodes.Text(node.rawsource)]


class TranslateTocCaptions(_PageCatalog):
    default_priority = 101  # just after sphinx_external_toc's InsertToctrees (100)

    def translate(self) -> None:
        for toctree in self.document.findall(addnodes.toctree):
            caption = toctree.get("caption")
            if caption and not self.report(caption, toctree):
                toctree["caption"] = toctree["rawcaption"] = self.catalog[caption][0]


def glossary_names(glossary: Path) -> dict[str, list[str]]:
    """English term (lower case) -> its Chinese names in book/glossary.md:
    the whole bold name, the main name, then any alternatives in parentheses."""
    names, text = {}, glossary.read_text(encoding="utf-8")
    for term, name in re.findall(r"^(\S[^\n]*)\n  \*\*([^*]+)\*\*", text, flags=re.M):
        alternatives = [a.strip() for a in re.findall(r"\(([^)]*)\)", name)]
        names[term.strip().lower()] = [name.strip(), name.split(" (")[0].strip(), *alternatives]
    return names


def _search_dictionary(app: Sphinx, config) -> None:
    glossary = Path(app.srcdir, "book", "glossary.md")
    if not config.language.startswith("zh") or not glossary.is_file():
        return
    words = {n for names in glossary_names(glossary).values()
             for n in names[1:] if re.search(r"[\u4e00-\u9fff]", n)}
    path = Path(app.doctreedir, "search-dictionary.txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{word}\n" for word in sorted(words)), encoding="utf-8")
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def to_root(config, docname: str) -> str:
    """The relative URL from a page to the root of the English edition."""
    return "../" * (docname.count("/") + bool(config.editions[config.language]))


def other_edition(config, pagename: str) -> tuple[str, str, str]:
    """(relative URL, switch label, language) of the same page in the other edition."""
    other = next(code for code in config.editions if code != config.language)
    folder = config.editions[other] and config.editions[other] + "/"
    url = f"{to_root(config, pagename)}{folder}{pagename}.html"
    return url, config.edition_labels[other], other


def _add_switch(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    url, label, language = other_edition(app.config, pagename)
    context["edition_switch"] = {"url": url, "label": label, "lang": language.replace("_", "-")}


# ------------------------------------------------------ (7) the chrome in the edition's language

def _chrome(app: Sphinx, config) -> None:
    """Settings that carry words, in a translated edition: the book's title (its root page's
    catalog, as the PDF's), the logo's alt text, the search box, myst-nb's prompts."""
    if config.language == source_language(config):
        return
    _ = get_translation("sphinx")
    title = config.html_title
    catalog = Path(app.srcdir, catalog_path(config, config.master_doc))
    if catalog.is_file() and not untranslated(messages := read_catalog(catalog), title):
        title = messages[title][0]
    config.html_title = title
    options = config.html_theme_options
    if config.html_theme == "sphinx_book_theme":  # Jupyter Book's theme and its options
        config.html_theme_options = {
            **options, "search_bar_text": str(_("Search this book...")),
            "logo": {**options.get("logo", {}), "alt_text": str(_("{} - Home")).format(title)}}
    config.nb_code_prompt_show = str(_("Show code cell source"))  # the book hides sources only
    config.nb_code_prompt_hide = str(_("Hide code cell source"))


class GlossaryIndex(SphinxTransform):
    """A translated glossary keeps its English terms (the links' targets); its index entries
    take the edition's name, the definition's first bold words: "准确率（精度，accuracy）"."""

    default_priority = 21  # after Sphinx's Locale (20), which remade the terms' index entries

    def apply(self, **kwargs) -> None:
        if self.config.language == source_language(self.config):
            return
        for item in self.document.findall(nodes.definition_list_item):
            term, name = item.next_node(nodes.term), item.next_node(nodes.definition)
            name = name and name.next_node(nodes.strong)
            if term is None or name is None or not CJK.search(name.astext()):
                continue
            for index in term.findall(addnodes.index):
                index["entries"] = [(kind, _headword(name.astext().rstrip("。."), text), *rest)
                                    for kind, text, *rest in index["entries"]]


def _headword(name: str, english: str) -> str:
    """准确率（精度） and accuracy: 准确率（精度，accuracy）; 未规范化的预测（logit）: itself."""
    if english.lower() in name.lower():
        return name
    return f"{name[:-1]}，{english}）" if name.endswith("）") else f"{name}（{english}）"


class SolutionTitles(SphinxPostTransform):
    """sphinx-exercise writes "Solution to" + "Exercise N" (in Chinese 解答 练习 N); a
    translated edition orders the words as its language does: "练习 N 的解答"."""

    default_priority = 22  # after sphinx-exercise's ResolveTitlesInSolutions (21)

    def run(self, **kwargs) -> None:
        if self.config.language == source_language(self.config):
            return
        before, after = str(get_translation("sphinx")("Solution to {}")).split("{}")
        for title in self.document.findall(nodes.title):
            if (isinstance(title.parent, solution_node) and len(title) == 2
                    and isinstance(title[1], nodes.reference)):
                exercise = title[1].astext().strip()
                title[1].children = [nodes.Text(exercise)]
                title.children = [nodes.Text(before), title[1], nodes.Text(after)]
                title.parent["title"] = before + exercise + after


# ------------------------------------------------------ (8) code comments in the edition's language

def _split(code: str) -> tuple[list[tuple[int, str]], list[str]] | None:
    """Python ``code``'s tokens that run, and its words (comments and docstrings); None where
    it is not Python."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        docstrings = {(n.body[0].lineno, n.body[0].col_offset) for n in ast.walk(ast.parse(code))
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and ast.get_docstring(n, clean=False) is not None}
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    kept, words = [], []
    for t in tokens:
        if t.type == tokenize.COMMENT or (t.type == tokenize.STRING and t.start in docstrings):
            words.append(t.string)
        elif t.type != tokenize.NL:
            kept.append((t.type, t.string))
    return kept, words


def program(code: str) -> list[tuple[int, str]] | None:
    """The tokens of Python ``code`` without its comments and docstrings (None where it is not
    Python): two cells are the same program when these are equal."""
    split = _split(code)
    return None if split is None else split[0]


def words(code: str) -> list[str]:
    """The comments and docstrings of Python ``code``, which a translation translates."""
    split = _split(code)
    return [] if split is None else split[1]


class CodeComments(SphinxTransform):
    """Of the literal blocks gettext_additional_targets makes messages, keep those of a code
    cell's source that have a comment or a docstring: not outputs (they change with every
    run), not code without a word to translate."""

    default_priority = 11  # after Sphinx's ExtraTranslatableNodes (10), before Locale (20)

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.literal_block):
            if node.get("translatable"):
                node["translatable"] = node.parent.get("nb_element") == "cell_code_source" \
                    and bool(words(node.astext()))


def setup(app: Sphinx) -> dict:
    # language code -> folder of its edition under the English root / switch label / PDF file
    for name in ("editions", "edition_labels", "edition_pdfs"):
        app.add_config_value(name, {}, "env", dict)
    app.setup_extension("myst_nb")  # its glue domain, whose roles are replaced here
    for name, role in NbGlueDomain.roles.items():
        glue_role = type(type(role).__name__, (_GlueInTranslations, type(role)), {})
        app.add_role_to_domain("glue", name, glue_role(), override=True)
    app.add_transform(CheckTranslations)
    app.connect("doctree-read", _one_document)
    app.add_transform(TranslateTocCaptions)
    app.add_transform(TranslatedOutputs)
    app.connect("build-finished", _downloads_in_language, priority=600)  # after reader_notebooks
    app.connect("config-inited", _search_dictionary)
    app.connect("html-page-context", _add_switch)
    # after sphinx-external-toc (900), which sets master_doc to the toc's root
    app.connect("config-inited", _chrome, priority=950)
    locales = Path(app.srcdir, app.config.locale_dirs[0])
    theme = CatalogInfo(str(locales / app.config.language / "LC_MESSAGES"), "booktheme", "utf-8")
    if Path(theme.po_path).is_file():
        if theme.is_outdated():
            theme.write_mo(app.config.language)
        # the book's words first (this edition's 记事本, 打印), then the theme's own catalog,
        # which Jupyter Book's extension list loaded before this one
        theirs = locale.translators.pop(("general", "booktheme"), None)
        app.add_message_catalog("booktheme", locales)
        if theirs is not None:
            locale.translators["general", "booktheme"].add_fallback(theirs)
    app.add_post_transform(SolutionTitles)
    app.add_post_transform(LiveCharts)
    app.connect("builder-inited", _vega)
    app.connect("html-page-context", _chart_scripts)
    app.add_transform(GlossaryIndex)
    app.add_transform(CodeComments)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
