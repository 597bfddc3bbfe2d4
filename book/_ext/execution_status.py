"""The status page's table of the chapters' executions (myst-nb's nb-exec-table directive),
with what myst-nb's own table does not say: whether this build executed each chapter. Its
Method column gives myst-nb's execution mode, `cache`, for every chapter, run or not; here
a chapter counts as executed by this build when its execution is newer than the start of the
build (LESSON_BUILD_STARTED, which tools/build_book.py sets once for both editions). The
headers and answers are in the edition's language. The page is read again by every build, from
its execution in the cache, which tools/build_book.py renews in every build (Sphinx reads a page
only when its source changed).
"""

from __future__ import annotations

import os
import time
from datetime import datetime

from docutils import nodes
from myst_nb.ext.execution_tables import METADATA_KEY, ExecutionStatsNode
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

WORDS = {  # headers, then the answers of the second column
    "en": ("Chapter", "Executed by this build", "Last executed", "Run time (s)",
           "yes", "no: outputs from the cache"),
    "zh_CN": ("章节", "本次构建是否执行", "最近一次执行", "运行时间（秒）",
              "是", "否：输出取自缓存"),
}


def rows(executions: dict[str, dict], started: float) -> list[tuple[str, bool, str, str]]:
    """(chapter, executed by this build, when, run time) of each chapter myst-nb executed."""
    return [(docname, data["mtime"] >= started,
             datetime.fromtimestamp(data["mtime"]).strftime("%Y-%m-%d %H:%M"),
             f"{data['runtime']:.1f}" if data.get("runtime") is not None else "-")
            for docname, data in sorted(executions.items()) if docname.startswith("chapters/")]


def _entry(content: nodes.Node | str) -> nodes.entry:
    paragraph = nodes.paragraph()
    paragraph += content if isinstance(content, nodes.Node) else nodes.Text(content)
    return nodes.entry("", paragraph)


class ExecutionStatus(SphinxPostTransform):
    default_priority = 7  # before myst-nb's own table (8)

    def run(self, **kwargs) -> None:
        words = WORDS[self.config.language]
        started = float(os.environ.get("LESSON_BUILD_STARTED") or self.app.lesson_build_started)
        executions = {docname: data["exec_data"] for docname, data in
                      NbMetadataCollector.get_doc_data(self.env).items() if data.get("exec_data")}
        for placeholder in list(self.document.findall(ExecutionStatsNode)):
            table, group = nodes.table(classes=["colwidths-auto"]), nodes.tgroup(cols=4)
            table += group
            group += [nodes.colspec(colwidth=25) for _ in range(4)]
            group += nodes.thead("", nodes.row("", *map(_entry, words[:4])))
            body = nodes.tbody()
            for docname, executed, when, runtime in rows(executions, started):
                link = pending_xref(refdoc=self.env.docname, reftarget=f"/{docname}", reftype="doc",
                                    refdomain="std", refexplicit=False, refwarn=True)
                link += nodes.inline(text=docname)
                body += nodes.row("", _entry(link), _entry(words[4] if executed else words[5]),
                                  _entry(when), _entry(runtime))
            group += body
            placeholder.replace_self(table)


def _pages_with_the_table(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Read again by every build, so that the page says what this build did."""
    return [docname for docname, data in NbMetadataCollector.get_doc_data(env).items()
            if data.get(METADATA_KEY)]


def setup(app: Sphinx) -> dict:
    app.lesson_build_started = time.time()  # without tools/build_book.py: this Sphinx run
    app.setup_extension("myst_nb")
    app.add_post_transform(ExecutionStatus)
    app.connect("env-get-outdated", _pages_with_the_table)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
