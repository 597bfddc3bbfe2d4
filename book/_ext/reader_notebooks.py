"""Reader notebooks: each chapter as a notebook whose Markdown reads like its page, per edition.

The authors' pairs (chapters/*.ipynb) are raw MyST: roles, fences, glue keys. A reader who opens
a chapter in Colab, Binder or Jupyter gets this notebook instead: the page's own text, translated
for its edition, with glued values as text, cross-references and terms as links to the book,
exercises and solutions under headings, math as $...$, and the chapter's code cells unchanged
(hidden ones included, so that it runs top to bottom). Written from the resolved doctree of the
HTML build, so what it says is what the page says:

- _build/notebooks/<language>/chapters/<name>.ipynb, without outputs, which the Pages workflow
  publishes to the branch `reader_notebooks_branch`, where the page's Colab and Binder buttons
  point (they are rewritten here from the theme's, which point at the authors' pair);
- <edition>/_sources/chapters/<name>.ipynb, with the outputs of the page's execution, which the
  download button links.

Why not a package: sphinx-tojupyter 0.6.0 (QuantEcon's builder) converts these pages too, both
editions, glued values and exercises included, but it drops the cells the page hides (remove-cell:
the notebook would not run), links to one edition only, numbers no figures, writes no install cell
and brings dask and nbdime. A node this converter does not know is an error, so a new construct in
a chapter cannot silently vanish from the notebooks. The first code cell is written here too: it
installs lesson_utils at the commit the notebook is built from (`git rev-parse HEAD`).
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import nbformat
from docutils import nodes
from jupyter_cache import get_cache
from myst_nb.core.read import read_myst_markdown_notebook
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.locale import admonitionlabels
from sphinx.util import logging
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

logger = logging.getLogger(__name__)

# Characters that mean something to Jupyter's Markdown (and $ to its MathJax) in running text.
_SPECIAL = re.compile(r"([\\`*_\[\]<>$|])")
_SKIPPED = (nodes.target, nodes.comment, addnodes.index, nodes.system_message, nodes.raw,
            nodes.substitution_definition)


def pages_url(repository_url: str) -> str:
    """The book's address on GitHub Pages: github.com/<o>/<r> -> <o>.github.io/<r>/."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repository_url)
    if not match:
        raise ValueError(f"repository.url must be a https://github.com/<owner>/<name> URL, "
                         f"got {repository_url!r}")
    return f"https://{match[1].lower()}.github.io/{match[2]}/"


def notebook_path(language: str, docname: str) -> str:
    """Where a chapter's reader notebook is, in the published branch and under _build/notebooks."""
    return f"{language}/{docname}.ipynb"


class Markdown:
    """Docutils nodes of one resolved page -> Markdown text, as the page shows it."""

    def __init__(self, app: Sphinx, docname: str):
        self.app, self.docname = app, docname
        edition = app.config.editions[app.config.language]
        self.page_url = urljoin(pages_url(app.config.html_theme_options["repository_url"]),
                                f"{edition + '/' if edition else ''}{docname}.html")
        self.numbers = app.env.toc_fignumbers.get(docname, {})

    # -- inline ------------------------------------------------------------------------------
    def inline(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return _SPECIAL.sub(r"\\\1", node.astext().replace("\n", " "))
        if isinstance(node, nodes.math):
            return "$" + node.astext().replace("\n", " ") + "$"
        if isinstance(node, nodes.literal):
            text = node.astext()
            fence = "``" if "`" in text else "`"
            return f"{fence}{text}{fence}"
        if isinstance(node, nodes.reference):
            text = self.inlines(node)
            if "refuri" in node:
                return f"[{text}]({urljoin(self.page_url, node['refuri'])})"
            return f"[{text}]({self.page_url}#{node['refid']})"
        if isinstance(node, nodes.strong):
            return f"**{self.inlines(node)}**"
        if isinstance(node, nodes.emphasis):
            return f"*{self.inlines(node)}*"
        if isinstance(node, _SKIPPED):
            return ""
        if isinstance(node, (nodes.inline, nodes.abbreviation, addnodes.literal_emphasis)):
            return self.inlines(node)
        raise ValueError(f"{self.docname}: no Markdown for the inline node {node.tagname!r}")

    def inlines(self, node: nodes.Element) -> str:
        return "".join(self.inline(child) for child in node.children)

    # -- blocks ------------------------------------------------------------------------------
    def blocks(self, node: nodes.Element, level: int) -> list:
        """The Markdown blocks (str) and code cells (int: a cell index) under node, in order."""
        out: list = []
        for child in node.children:
            out += self.block(child, level)
        return out

    def block(self, node: nodes.Node, level: int) -> list:
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            caption = [self.inlines(c) for c in node.findall(nodes.caption)]
            return [node["cell_index"], *[self.numbered(f, c) for f, c in zip(
                node.findall(nodes.figure), caption, strict=True)]]
        if isinstance(node, nodes.section) and isinstance(node[0], nodes.title):
            title, *rest = node.children
            return [f"{'#' * level} {self.inlines(title)}", *self.blocks_of(rest, level + 1)]
        if isinstance(node, nodes.paragraph):
            return [self.inlines(node)]
        if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            items = []
            for number, item in enumerate(node.children, start=1):
                marker = f"{number}." if isinstance(node, nodes.enumerated_list) else "-"
                body = "\n\n".join(self.text(self.blocks(item, level)))
                items.append(marker + " " + body.replace("\n", "\n" + " " * (len(marker) + 1)))
            return ["\n".join(items)]
        if isinstance(node, nodes.definition_list):
            return [f"**{self.inlines(item[0])}**  \n" + " ".join(self.text(
                self.blocks(item[-1], level))) for item in node.children]
        if isinstance(node, nodes.math_block):
            tag = f" \\tag{{{node['number']}}}" if node.get("number") else ""
            return [f"$$\n{node.astext().strip()}{tag}\n$$"]
        if isinstance(node, nodes.literal_block):
            return [f"```{node.get('language', '')}\n{node.astext()}\n```"]
        if isinstance(node, nodes.table):
            return [self.table(node)]
        if isinstance(node, nodes.figure):
            image = node.next_node(nodes.image)
            url = urljoin(self.page_url, self.app.builder.images.get(image["uri"], image["uri"]))
            return [f"![{image.get('alt', '')}]({url})",
                    self.numbered(node, " ".join(self.inlines(c)
                                                for c in node.findall(nodes.caption)))]
        if isinstance(node, (exercise_enumerable_node, exercise_node)):
            title = node[0] if isinstance(node[0], nodes.title) else None
            number = self.numbers.get("exercise", {}).get(node["ids"][0]) if node["ids"] else None
            label = (title.get("title") if title else None) or "%s"
            heading = (label % ".".join(map(str, number))) if number and "%s" in label else label
            if title is not None and title.astext():
                heading += f" ({self.inlines(title)})"
            return [f"{'#' * level} {heading.replace(' %s', '')}",
                    *self.blocks_of([c for c in node.children if c is not title], level)]
        if isinstance(node, solution_node):
            title = node[0] if isinstance(node[0], nodes.title) else None
            heading = title.astext() if title is not None else ""
            return [("solution", f"{'#' * level} {heading}"),
                    *self.blocks_of([c for c in node.children if c is not title], level + 1)]
        if isinstance(node, nodes.Admonition) and not isinstance(node, nodes.admonition):
            title = admonitionlabels.get(node.tagname, node.tagname)
            return [self.quote([f"**{title}**", *self.text(self.blocks(node, level))])]
        if isinstance(node, (nodes.admonition, nodes.block_quote)):
            titles = [f"**{self.inlines(c)}**" for c in node.children if isinstance(c, nodes.title)]
            return [self.quote([*titles, *self.text(self.blocks_of(
                [c for c in node.children if not isinstance(c, nodes.title)], level))])]
        if isinstance(node, nodes.transition):
            return ["---"]
        if isinstance(node, (nodes.container, nodes.compound, addnodes.only, nodes.section)) or \
                type(node).__name__ == "HiddenCellNode":
            return self.blocks(node, level)
        if isinstance(node, _SKIPPED):
            return []
        raise ValueError(f"{self.docname}: no Markdown for the block node {node.tagname!r}")

    def blocks_of(self, children: list, level: int) -> list:
        out: list = []
        for child in children:
            out += self.block(child, level)
        return out

    def numbered(self, figure: nodes.figure, caption: str) -> str:
        """A figure's caption with its number, as the page writes it ("Fig. 3 ...")."""
        number = self.numbers.get("figure", {}).get(figure["ids"][0]) if figure["ids"] else None
        if not number:
            return caption
        label = self.app.config.numfig_format["figure"] % ".".join(map(str, number))
        return f"**{label.strip()}** {caption}"

    def table(self, table: nodes.table) -> str:
        rows = [[" ".join(self.text(self.blocks(entry, 6))).replace("|", r"\|")
                 for entry in row.children] for row in table.findall(nodes.row)]
        width = max(len(row) for row in rows)
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * width)
        captions = [f"*{self.inlines(t)}*" for t in table.children if isinstance(t, nodes.title)]
        return "\n".join([*captions, *lines])

    @staticmethod
    def text(blocks: list) -> list[str]:
        """The Markdown of blocks that must not hold code cells (lists, tables, admonitions)."""
        if any(isinstance(b, int) for b in blocks):
            raise ValueError("a code cell inside a list, table or admonition has no notebook form")
        return [b[1] if isinstance(b, tuple) else b for b in blocks]

    @staticmethod
    def quote(blocks: list[str]) -> str:
        return "\n>\n".join("> " + b.replace("\n", "\n> ") for b in blocks)


def install_source(app: Sphinx) -> str:
    """pip's requirement for lesson_utils at the commit this notebook is built from, in the
    repository _config.yml names (the one setting a fork changes)."""
    options = app.config.html_theme_options  # Jupyter Book's, from _config.yml's repository
    url, subdirectory = options["repository_url"].rstrip("/"), options.get("path_to_docs", "")
    subdirectory = (subdirectory or "").strip("/")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=app.srcdir, capture_output=True,
                            text=True).stdout.strip()
    if not commit:
        raise ValueError(f"{app.srcdir} is not a git checkout: the reader notebooks install "
                         "lesson_utils at the commit they are built from")
    return f"lesson_utils @ git+{url}@{commit}" + (subdirectory and f"#subdirectory={subdirectory}")


# The notebook's first code cell, which the book hides (its pages need no install): where
# lesson_utils is missing (Colab, Binder), install it as of the commit the notebook was built
# from; LESSON_INSTALL_SOURCE replaces that (the Colab test installs the checkout's wheel).
_INSTALL = """# Colab, Binder: install this course's package, as of this notebook's commit.
import importlib.util, os, subprocess, sys

if importlib.util.find_spec("lesson_utils") is None:
    source = os.environ.get("LESSON_INSTALL_SOURCE", "{source}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)
    importlib.invalidate_caches()
"""
# ... and in a translated edition, the reader's language (figures, the exercises' feedback);
# on Colab, which has no Chinese font, one for the figures (Binder's comes from binder/apt.txt).
_LANGUAGE = """os.environ.setdefault("LESSON_LANGUAGE", "{language}")
if "google.colab" in sys.modules and not subprocess.run(
        ["fc-list", ":lang=zh"], capture_output=True, text=True).stdout:
    font = "apt-get update -qq && apt-get install -y -qq fonts-noto-cjk"
    if subprocess.run(font, shell=True).returncode != 0:
        print("{failed}", file=sys.stderr)
"""
_NO_FONT = {"zh_CN": "未能安装中文字体（fonts-noto-cjk），图中的文字将保持英文。"}


def install_cell(app: Sphinx) -> nbformat.NotebookNode:
    source = _INSTALL.replace("{source}", install_source(app))
    if app.config.language != "en":
        source += _LANGUAGE.format(language=app.config.language,
                                   failed=_NO_FONT[app.config.language])
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["remove-cell"],
                                                       "jupyter": {"source_hidden": True}})
    cell["id"] = "install"
    return cell


def reader_notebook(app: Sphinx, doctree: nodes.document, docname: str) -> nbformat.NotebookNode:
    """The chapter's reader notebook (no outputs): its page's Markdown around its code cells."""
    code = {i: cell for i, cell in enumerate(authored(app, docname).cells)
            if cell.cell_type == "code"}
    for cell in doctree.findall(nodes.container):  # the page's code: translated comments
        if cell.get("nb_element") == "cell_code" and cell["cell_index"] in code:
            authors, shown = code[cell["cell_index"]], next(cell.findall(nodes.literal_block), None)
            if shown is not None and shown.astext().strip() != authors.source.strip():
                authors.source = shown.astext()
    blocks = Markdown(app, docname).blocks(doctree, 1)
    shown = {b for b in blocks if isinstance(b, int)}
    cells, markdown = [], []

    def flush():
        if markdown:
            cells.append(nbformat.v4.new_markdown_cell("\n\n".join(markdown)))
            markdown.clear()

    def add_code(index: int):
        flush()
        cell = code[index]
        tags = cell.metadata.get("tags", [])
        metadata = {"tags": tags} if tags else {}
        if "remove-cell" in tags or "remove-input" in tags or "hide-input" in tags:
            metadata["jupyter"] = {"source_hidden": True}
        cells.append(nbformat.v4.new_code_cell(cell.source, metadata=metadata))
        cells[-1]["id"] = f"code-{index}"  # the same id in every edition: the same code

    pending = sorted(set(code) - shown)  # cells the page does not show (remove-cell)
    for block in blocks:
        if isinstance(block, int):
            while pending and pending[0] < block:
                add_code(pending.pop(0))
            add_code(block)
        elif isinstance(block, tuple):  # a solution's heading: its own cell, folded in Jupyter
            flush()
            cells.append(nbformat.v4.new_markdown_cell(
                block[1], metadata={"jp-MarkdownHeadingCollapsed": True}))
        else:
            markdown.append(block)
    flush()
    for index in pending:
        add_code(index)
    first = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    cells.insert(first, install_cell(app))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, "colab": {"provenance": []},
    })
    notebook.metadata["lesson"] = {"language": app.config.language, "page": docname}
    return notebook


def _html_root(app: Sphinx) -> Path:
    """_build/html: the English edition's output, under which the others have a folder."""
    folder = app.config.editions[app.config.language]
    return Path(app.outdir).parents[len(Path(folder).parts) - 1] if folder else Path(app.outdir)


def _published(app: Sphinx, docname: str) -> Path:
    return _html_root(app).parent / "notebooks" / notebook_path(app.config.language, docname)


def _write(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or not docname.startswith("chapters/"):
        return
    published = _published(app, docname)
    published.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(reader_notebook(app, doctree, docname), published)


def _write_downloads(app: Sphinx, exception: Exception | None) -> None:
    """After the theme copied the authors' notebook into _sources: the reader's, with outputs
    (in the edition's language: book/_ext/translation.py, after this)."""
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(d for d in app.env.found_docs if d.startswith("chapters/")):
        download = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        download.parent.mkdir(parents=True, exist_ok=True)
        notebook = nbformat.read(_published(app, docname), as_version=4)
        nbformat.write(_with_outputs(app, docname, notebook), download)


def authored(app: Sphinx, docname: str) -> nbformat.NotebookNode:
    """The page's notebook as myst-nb reads it (so cell indices are the doctree's)."""
    return read_myst_markdown_notebook(
        Path(app.env.doc2path(docname)).read_text(encoding="utf-8"))


def executed(app: Sphinx, docname: str) -> nbformat.NotebookNode | None:
    """The page's notebook with the outputs of its execution in the cache, or None."""
    cache = get_cache(app.config.nb_execution_cache_path)  # tools/build_book.py sets it
    try:
        return cache.merge_match_into_notebook(authored(app, docname))[1]
    except KeyError:
        return None


def _with_outputs(app: Sphinx, docname: str, notebook) -> nbformat.NotebookNode:
    """The notebook with the outputs of the page's execution (the cache's), for the download."""
    executed_notebook = executed(app, docname)
    if executed_notebook is None:
        logger.warning(f"{docname}: no cached execution for its download", location=docname)
        return notebook
    executed_cells = executed_notebook.cells
    outputs = {f"code-{i}": cell for i, cell in enumerate(executed_cells)
               if cell.cell_type == "code"} | {"install": {}}
    result = copy.deepcopy(notebook)
    for cell in result.cells:
        if cell.cell_type == "code":
            cell.outputs = outputs[cell.id].get("outputs", [])
            cell.execution_count = outputs[cell.id].get("execution_count")
    return result


def _launch_buttons(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    """The theme's Colab and Binder buttons, pointed at this edition's reader notebook."""
    if not pagename.startswith("chapters/"):
        return
    repository = app.config.html_theme_options["repository_url"].rstrip("/")
    owner, name = repository.split("/")[-2:]
    branch = app.config.reader_notebooks_branch
    path = notebook_path(app.config.language, pagename)
    launch = app.config.html_theme_options.get("launch_buttons", {})
    urls = {
        "Colab": f"{launch.get('colab_url', '').rstrip('/')}/github/{owner}/{name}/blob/"
                 f"{branch}/{path}",
        "Binder": f"{launch.get('binderhub_url', '').rstrip('/')}/v2/gh/{owner}/{name}/{branch}"
                  f"?urlpath=lab/tree/{path}",
    }
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            for button in group["buttons"]:
                if button.get("text") not in urls:
                    logger.warning(f"a launch button this book does not point at its reader "
                                   f"notebook: {button.get('text')}", location=pagename)
                button["url"] = urls.get(button.get("text"), button.get("url"))


def setup(app: Sphinx) -> dict:
    app.add_config_value("reader_notebooks_branch", "notebooks", "html", str)
    app.connect("doctree-resolved", _write)
    app.connect("build-finished", _write_downloads)
    app.connect("html-page-context", _launch_buttons, priority=600)  # after the theme's (501)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

