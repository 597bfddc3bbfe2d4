"""The PDF editions (make pdf): what Sphinx's LaTeX builder and sphinx-jupyterbook-latex lack.

(1) FreeFont and Noto CJK SC through xeCJK, (2) the book's class and preambles (book/_latex;
sphinx-jupyterbook-latex's need fonts-extra or clash with xeCJK), (3) no ANSI codes in outputs,
(4) a warning for Chinese in math outside \\text{} (every builder), (5) figures [H] in exercises
and solutions, (6) chapters numbered as their files, front matter unnumbered, appendices after,
(7) {pdf}`title <language>` links, (8) the bibliography-only page dropped, its title kept, and
(9) the Chinese PDF's title and LaTeX words in Chinese.
"""
from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.constants import XELATEX_DEFAULT_FONTPKG
from sphinx.locale import get_translation
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging, texescape
from sphinx.util.docutils import ReferenceRole
from sphinx_exercise import nodes as exercise_nodes
from translation import catalog_path, read_catalog, to_root, untranslated

logger = logging.getLogger(__name__)
LATEX = Path(__file__).resolve().parents[1] / "_latex"
# OSC sequences (a window title), CSI sequences (colours, cursor moves), two-character escapes
ANSI = re.compile(r"\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)|\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# \text{...}, \mbox{...}, \textrm{...} etc. with one level of nested braces
TEXT_GROUP = re.compile(r"\\(?:text\w*|mbox|mathrm|operatorname)\s*\{(?:[^{}]|\{[^{}]*\})*\}")


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def cjk_outside_text(latex: str) -> list[str]:
    """The Chinese characters of a formula that are not inside ``\\text{}``."""
    return CJK.findall(TEXT_GROUP.sub("", latex))


class StripAnsi(SphinxPostTransform):
    default_priority = 5  # before syntax highlighting reads the text
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for block in self.document.findall(nodes.literal_block):
            text = block.astext()
            if "\x1b" in text:
                block.children = [nodes.Text(strip_ansi(text))]
                block["rawsource"] = strip_ansi(block.get("rawsource", "") or text)
                if block.get("language") == "myst-ansi":
                    block["language"] = "none"


class ChineseInMath(SphinxTransform):
    default_priority = 25  # after the page is translated (20)

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))):
            bad = cjk_outside_text(node.astext())
            if bad:
                logger.warning(f"Chinese inside math must be wrapped in \\text{{}}: "
                               f"{''.join(dict.fromkeys(bad))!r} in {node.astext()!r}",
                               location=node)


class ChapterNumbers(SphinxPostTransform):
    """Put the class's numbering commands (softmaxbook.cls) between the pages."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        pages = list(self.document.findall(addnodes.start_of_file))
        numbers = [re.match(r"^chapters/(\d+)_", page["docname"]) for page in pages]
        if not any(numbers):
            return
        last = max(i for i, m in enumerate(numbers) if m)
        for i, (page, match) in enumerate(zip(pages, numbers, strict=True)):
            command = (rf"\sphinxbooknumbered{{{int(match[1]) - 1}}}" if match
                       else r"\sphinxbookunnumbered" if i == 0  # the front matter's first page
                       else r"\appendix" if i == last + 1 else "")
            if command:
                raw = nodes.raw("", command + "\n", format="latex")
                page.parent.insert(page.parent.index(page), raw)


class ExerciseReferencesAcrossPages(SphinxPostTransform):
    """In the PDF, a reference to an exercise on another page (the status page's table) links
    it as sphinx-exercise links one on the same page, \\hyperref[exercise:label]: its
    ResolveLinkTextToSolutions converts only references with a refid, and the label a
    cross-page reference names (docname:label) is never defined, an undefined reference.
    tests/test_pdf_edition.py fails if sphinx-exercise's labels or node change."""

    default_priority = 23  # just after sphinx-exercise's ResolveLinkTextToSolutions (22)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(nodes.reference)):
            uri, _, label = node.get("refuri", "").partition("#")
            target = registry.get(label, {}).get("node")
            in_title = any(isinstance(a, nodes.title) for a in _ancestors(node))  # not linked
            if uri.startswith("%") and not in_title and isinstance(
                    target, exercise_nodes.exercise_enumerable_node):
                node.replace_self(exercise_nodes.exercise_latex_number_reference(
                    "", "", *node.children, refid=label))


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


class BibliographyPage(SphinxPostTransform):
    default_priority = 700  # before Sphinx gathers the citations (750)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for page in list(self.document.findall(addnodes.start_of_file)):
            sections = [n for n in page.children if isinstance(n, nodes.section)]
            if len(sections) != 1 or not isinstance(sections[0][0], nodes.title):
                continue
            title, *rest = sections[0].children
            # sphinxcontrib-bibtex puts the citations in a container
            leaves = [leaf for n in rest
                      for leaf in (n.children if isinstance(n, nodes.container) else [n])]
            if leaves and all(isinstance(n, nodes.citation) for n in leaves):
                name = texescape.escape(title.astext(), self.config.latex_engine)
                page.replace_self([nodes.raw("", rf"\renewcommand{{\bibname}}{{{name}}}" + "\n",
                                             format="latex"), *rest])


class PdfRole(ReferenceRole):
    def run(self):
        pdfs = self.config.edition_pdfs
        if self.target not in pdfs:
            message = self.inliner.reporter.error(
                f"{{pdf}} needs one of {sorted(pdfs)} as its target, not {self.target!r}",
                line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        url = f"{to_root(self.config, self.env.docname)}pdf/{pdfs[self.target]}"
        return [nodes.reference(self.rawtext, self.title, refuri=url, classes=["pdf-download"])], []


def _configure(app: Sphinx, config) -> None:
    """Replace sphinx-jupyterbook-latex's class and preamble (2)."""
    config.latex_theme = "softmaxbook"
    own_files = sorted(str(f) for f in (LATEX / config.language).glob("*")) if (
        LATEX / config.language).is_dir() else []  # zh_CN/python.ist: its index style
    config.latex_additional_files = [*config.latex_additional_files, str(LATEX / "softmaxbook.cls"),
                                     *own_files]
    fonts, common, own = ((LATEX / f"{name}.tex").read_text(encoding="utf-8")
                          for name in ("fonts", "preamble", f"preamble-{config.language}"))
    config.latex_elements = {**config.latex_elements, "fontpkg": XELATEX_DEFAULT_FONTPKG + fonts,
                             "preamble": common + own}


def _translate_title(app: Sphinx, env) -> None:
    """The translated edition's PDF title and author (9), once Jupyter Book has set
    latex_documents."""
    config = app.config
    path = Path(app.srcdir, catalog_path(config, config.root_doc))
    if app.builder.format != "latex" or config.language == "en" or not path.is_file():
        return
    catalog = read_catalog(path)
    # the author from sphinx.po, escaped for LaTeX as Jupyter Book escaped the English one
    author = texescape.escape(str(get_translation("sphinx")(config.author)), config.latex_engine)
    config.latex_documents = [
        (start, target, title if untranslated(catalog, title) else catalog[title][0], author,
         *rest) for start, target, title, _author, *rest in config.latex_documents]


def _no_floats(visit, depart):
    """A LaTeX visitor pair that places figures [H] inside, as Sphinx's admonitions do (5)."""
    def new_visit(self, node):
        self.no_latex_floats += 1
        visit(self, node)
    def new_depart(self, node):
        depart(self, node)
        self.no_latex_floats -= 1

    return new_visit, new_depart


def setup(app: Sphinx) -> dict:
    app.setup_extension("translation")  # editions, catalogs
    app.setup_extension("sphinx_exercise")
    # sphinx-exercise has no option for this; the upstream issue of the same error in Sphinx's
    # own admonitions is sphinx-doc/sphinx#12594 (fixed there as here, by no_latex_floats).
    # tests/test_pdf_edition.py fails if these visitor functions change.
    for name in ("exercise", "exercise_enumerable", "solution"):
        visitors = [getattr(exercise_nodes, f"{step}_{name}_node") for step in ("visit", "depart")]
        app.add_node(getattr(exercise_nodes, f"{name}_node"), override=True,
                     latex=_no_floats(*visitors))
    app.add_post_transform(StripAnsi)
    app.add_post_transform(ChapterNumbers)
    app.add_post_transform(BibliographyPage)
    app.add_post_transform(ExerciseReferencesAcrossPages)
    app.add_role("pdf", PdfRole())
    app.add_transform(ChineseInMath)
    app.connect("config-inited", _configure, priority=600)  # after sphinx-jupyterbook-latex (500)
    app.connect("env-updated", _translate_title)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
