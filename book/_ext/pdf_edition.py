"""What the PDF editions need from Sphinx's LaTeX builder (``make pdf``).

1. **XeLaTeX, with fonts for every script on the page.** Latin, Greek and
   symbols come from GNU FreeFont (Sphinx's default for XeLaTeX), Chinese from
   Noto CJK SC through xeCJK, in both editions: the English glossary and
   notation pages also show the Chinese names. Both font families are Debian
   packages (``fonts-freefont-otf``, ``fonts-noto-cjk``); a glyph no font has
   is caught after the run (``tools/build_book.py`` fails on XeLaTeX's
   "Missing character" lines).
2. **The book's own LaTeX class** (``book/_latex/softmaxbook.cls``) instead of
   sphinx-jupyterbook-latex's, which needs TeX Live's 1.4 GB fonts-extra
   collection; that extension still turns _toc.yml's parts into ``\\part``
   and the root page into the front matter. Its preamble is replaced too:
   ``ucharclasses`` cannot be loaded with xeCJK.
3. **ANSI colour codes are stripped** from code outputs before they reach
   LaTeX, where the escape character stops the run.
4. **Chinese inside math must sit in** ``\\text{}``: math fonts have no
   Chinese glyphs. A formula with a Chinese character outside ``\\text{}``
   warns (an error under ``-W``) in every builder, so the HTML build catches
   it before the PDF does.
5. **Figures in exercises and solutions stay in place.** sphinx-exercise
   opens a framed box in which a LaTeX float is an error ("Not in outer par
   mode"); Sphinx's own admonitions place their figures ``[H]``, and so do
   these now.
6. **Chapter numbers are the chapter files' numbers**, to which the text
   refers ("chapter 7" is ``chapters/07_dataset``): the pages before chapter 1
   are not numbered, and those after the last chapter are appendices.
7. **Each edition's intro links the PDFs** through the role
   ``{pdf}`title <language>```, a link from the page to
   ``pdf/<file>`` at the root of the English edition, where ``make pdf`` puts
   both files.
8. **The references page is the PDF's bibliography.** LaTeX gathers every
   citation into one bibliography at the end of the book, which left the
   references page empty; that page is dropped, and the end bibliography
   takes its title.
9. **LaTeX's own words are Chinese in the Chinese PDF**: 目录, 第 5 章,
   第一部分, 附录 A, 参考文献, 索引.
10. **The Chinese PDF's title** is the translation of the intro page's heading,
   from the same catalog as the HTML edition.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.constants import XELATEX_DEFAULT_FONTPKG
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util import texescape
from sphinx.util.docutils import ReferenceRole
from sphinx_exercise import nodes as exercise_nodes

from translation import _catalog

logger = logging.getLogger(__name__)

# language code -> file name of its PDF (tools/build_book.py writes them)
PDF_FILES = {"en": "softmax-regression-en.pdf", "zh_CN": "softmax-regression-zh.pdf"}
CLASS_FILE = Path(__file__).resolve().parents[1] / "_latex" / "softmaxbook.cls"

FONTS = XELATEX_DEFAULT_FONTPKG + r"""
\usepackage{xeCJK}
% Chinese typesetting's conventions: 宋体 for text, 黑体 for bold, 楷体 for
% emphasis (TeX Live's Fandol Kai, as ctex uses; Noto CJK has no italic).
\setCJKmainfont{Noto Serif CJK SC}[BoldFont = Noto Sans CJK SC Bold,
  ItalicFont = FandolKai-Regular, ItalicFeatures = {Extension = .otf}]
\setCJKsansfont{Noto Sans CJK SC}
\setCJKmonofont{Noto Sans Mono CJK SC}
"""

# In English text, curly quotes and apostrophes are Western punctuation; xeCJK
# would otherwise set them as Chinese ones, full width ("example’ s").
EN_PREAMBLE = r"""
\xeCJKDeclareCharClass{HalfLeft}{"2018, "201C}
\xeCJKDeclareCharClass{HalfRight}{"2019, "201D}
"""

# LaTeX's own words in Chinese (9 above): babel has no Chinese, so the
# English captions are redefined, and fncychap's chapter head and Sphinx's
# running head get the 章 after the number (Sphinx's \@chappos, as for Japanese).
ZH_PREAMBLE = r"""
\addto\captionsenglish{%
  \renewcommand{\contentsname}{目录}%
  \renewcommand{\chaptername}{第}%
  \renewcommand{\partname}{}%
  \renewcommand{\appendixname}{附录}%
  \renewcommand{\indexname}{索引}}
\usepackage{zhnumber}
\makeatletter
% (xeCJK drops a plain space between 章 and a Chinese title: hence \quad)
\def\@chappos{章\quad}
\g@addto@macro\appendix{\def\@chappos{}}
\renewcommand{\DOCH}{\raggedleft\CNV\@chapapp\space\CNoV\thechapter
  \ifx\@chappos\empty\else\space\CNV 章\fi\par\nobreak\vskip 40\p@}
% 第一部分, in the part's heading and in the contents
\renewcommand{\thepart}{第\zhnum{part}部分}
\makeatother
"""

PREAMBLE = r"""
\setlength{\headheight}{14.5pt}  % Chinese running heads are taller than fancyhdr's 12pt
\usepackage{unicode-math}
\hypersetup{pdfencoding=auto}
% Wide outputs (tables, tensors) wrap rather than run off the page.
\sphinxsetup{verbatimwrapslines=true, verbatimforcewraps=true}
"""

# OSC sequences (a window title), CSI sequences (colours, cursor moves) and
# the other two-character escapes.
ANSI = re.compile(r"\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)|\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# \text{...}, \mbox{...}, \textrm{...} etc. with one level of nested braces
TEXT_GROUP = re.compile(r"\\(?:text\w*|mbox|mathrm|operatorname)\s*\{(?:[^{}]|\{[^{}]*\})*\}")


def strip_ansi(text: str) -> str:
    """``text`` without ANSI escape sequences."""
    return ANSI.sub("", text)


def cjk_outside_text(latex: str) -> list[str]:
    """The Chinese characters of a formula that are not inside ``\\text{}``."""
    return CJK.findall(TEXT_GROUP.sub("", latex))


class StripAnsi(SphinxPostTransform):
    """Remove ANSI escapes from literal blocks (code outputs), for LaTeX only."""

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
    """Warn about Chinese characters in math outside ``\\text{}`` (4 above)."""

    default_priority = 25  # after the page is translated (20)

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))):
            bad = cjk_outside_text(node.astext())
            if bad:
                logger.warning(f"Chinese inside math must be wrapped in \\text{{}}: "
                               f"{''.join(dict.fromkeys(bad))!r} in {node.astext()!r}",
                               location=node)


class ChapterNumbers(SphinxPostTransform):
    """Number the PDF's chapters as their files are numbered (6 above)."""

    default_priority = 900
    formats = ("latex",)
    CHAPTER = re.compile(r"^chapters/(\d+)_")

    def run(self, **kwargs) -> None:
        pages = list(self.document.findall(addnodes.start_of_file))
        numbers = [self.CHAPTER.match(page["docname"]) for page in pages]
        if not any(numbers):
            return
        first = next(i for i, m in enumerate(numbers) if m)
        last = max(i for i, m in enumerate(numbers) if m)
        for i, (page, match) in enumerate(zip(pages, numbers)):
            if match:
                command = rf"\sphinxbooknumbered{{{int(match[1]) - 1}}}"
            elif i < first:
                command = r"\sphinxbookunnumbered" if i == 0 else ""
            else:
                command = r"\appendix" if i == last + 1 else ""
            if command:
                page.parent.insert(page.parent.index(page), nodes.raw("", command + "\n", format="latex"))


class BibliographyPage(SphinxPostTransform):
    """Drop the page that holds only the bibliography; name the bibliography
    after it (8 above). Runs before Sphinx gathers the citations (750)."""

    default_priority = 700
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
    """``{pdf}`English <en>```: a link to that edition's PDF (7 above)."""

    def run(self):
        if self.target not in PDF_FILES:
            message = self.inliner.reporter.error(
                f"{{pdf}} needs one of {sorted(PDF_FILES)} as its target, not {self.target!r}",
                line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        language = self.config.language or "en"
        up = "../" * self.env.docname.count("/") + ("" if language == "en" else "../")
        node = nodes.reference(self.rawtext, self.title, refuri=f"{up}pdf/{PDF_FILES[self.target]}",
                               classes=["pdf-download"])
        return [node], []


def _configure(app: Sphinx, config) -> None:
    """Override sphinx-jupyterbook-latex's class and preamble (2 above)."""
    config.latex_engine = "xelatex"
    config.latex_theme = "softmaxbook"
    config.latex_use_xindy = False  # makeindex: one dependency (xindy, clisp) fewer
    config.latex_additional_files = [*config.latex_additional_files, str(CLASS_FILE)]
    config.latex_elements = {
        **config.latex_elements,
        "papersize": "a4paper",
        "pointsize": "10pt",
        "fontpkg": FONTS,
        "preamble": PREAMBLE + (ZH_PREAMBLE if (config.language or "").startswith("zh")
                                else EN_PREAMBLE),
    }


def _translate_title(app: Sphinx, env) -> None:
    """In a translated edition, the PDF's title is the intro heading's translation."""
    language = app.config.language or "en"
    if app.builder.format != "latex" or language == "en":
        return
    root = app.config.root_doc
    path = Path(app.srcdir) / app.config.locale_dirs[0] / language / "LC_MESSAGES" / f"{root}.po"
    catalog = _catalog(path, path.stat().st_mtime) if path.is_file() else {}
    documents = []
    for start, target, title, *rest in app.config.latex_documents:
        translated, fuzzy = catalog.get(title, ("", False))
        documents.append((start, target, translated if translated and not fuzzy else title, *rest))
    app.config.latex_documents = documents


def _no_floats(visit, depart):
    """sphinx-exercise's LaTeX visitors, with figures placed [H] inside (5 above)."""
    def new_visit(self, node):
        self.no_latex_floats += 1
        visit(self, node)

    def new_depart(self, node):
        depart(self, node)
        self.no_latex_floats -= 1

    return new_visit, new_depart


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")
    for name in ("exercise", "exercise_enumerable", "solution"):
        node = getattr(exercise_nodes, f"{name}_node")
        visitors = (getattr(exercise_nodes, f"visit_{name}_node"),
                    getattr(exercise_nodes, f"depart_{name}_node"))
        app.add_node(node, override=True, latex=_no_floats(*visitors))
    app.add_post_transform(StripAnsi)
    app.add_post_transform(ChapterNumbers)
    app.add_post_transform(BibliographyPage)
    app.add_role("pdf", PdfRole())
    app.add_transform(ChineseInMath)
    app.connect("config-inited", _configure, priority=600)  # after sphinx-jupyterbook-latex (500)
    # after Jupyter Book has put _config.yml's title into latex_documents
    app.connect("env-updated", _translate_title)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
