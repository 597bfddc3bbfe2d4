"""The first code cell of every chapter: install the course's package where it is missing.

    python tools/colab_cell.py           # write (or update) the cell in every chapter
    python tools/colab_cell.py --check   # exit 1 if a chapter's cell is missing or stale

Colab and Binder open a chapter's reader notebook (built from the page by
book/_ext/reader_notebooks.py, whose code cells are these) with PyTorch installed
but not `lesson_utils`. The cell installs it from the repository that `_config.yml`
names (the one setting a fork changes), so the URL lives in one place: this
script writes the cell from it and `tests/test_chapters.py` checks that every
chapter has it, unchanged. `LESSON_INSTALL_SOURCE` replaces the pip source
(the Colab test points it at the checkout). Where the package is installed (the
book's build, `make lab`) the cell does nothing; the book hides it (`remove-cell`),
the notebooks keep it, folded.
`make sync` runs this script before pairing the notebooks.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
MARKER = "# Colab, Binder: install this course's package where it is missing"
_CELL = re.compile(r"```\{code-cell\} ipython3\n:tags: \[remove-cell\]\n\n" + re.escape(MARKER)
                   + r".*?```\n\n", re.S)


def install_source() -> str:
    """The pip requirement for the package, from _config.yml's repository."""
    repository = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    url, branch = repository["url"].rstrip("/"), repository.get("branch", "main")
    subdirectory = (repository.get("path_to_book") or "").strip("/")
    source = f"lesson_utils @ git+{url}@{branch}"
    return source + (f"#subdirectory={subdirectory}" if subdirectory else "")


def cell() -> str:
    return (
        "```{code-cell} ipython3\n"
        ":tags: [remove-cell]\n"
        "\n"
        f"{MARKER}.\n"
        "import importlib.util, os, subprocess, sys\n"
        "\n"
        'if importlib.util.find_spec("lesson_utils") is None:\n'
        f'    source = os.environ.get("LESSON_INSTALL_SOURCE", "{install_source()}")\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source],'
        ' check=True)\n'
        "    importlib.invalidate_caches()\n"
        "```\n\n"
    )


def with_cell(text: str) -> str:
    """The chapter's text with the cell, up to date, before its first code cell."""
    text = _CELL.sub("", text, count=1)
    first = text.index("```{code-cell}")
    return text[:first] + cell() + text[first:]


def stale(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return with_cell(text) != text


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        bad = [p.name for p in CHAPTERS if stale(p)]
        if bad:
            print(f"the Colab cell is missing or stale in {bad}: run `make sync`")
            return 1
        return 0
    for path in CHAPTERS:
        text = path.read_text(encoding="utf-8")
        updated = with_cell(text)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: Colab cell written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
