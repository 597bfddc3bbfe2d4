"""The chapters themselves: every .md has its output-free, in-sync .ipynb pair,
and _toc.yml lists exactly the chapters that exist, in order."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from tests.conftest import toc_files

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
SOURCES = sorted(CHAPTERS.glob("*.md"))


def _cells(notebook) -> list[tuple[str, str, list[str]]]:
    """What pairing must preserve: type, source and tags of every cell."""
    return [(cell.cell_type, cell.source.strip(), sorted(cell.metadata.get("tags", [])))
            for cell in notebook.cells]


def test_there_are_chapters():
    assert SOURCES, "chapters/ holds no .md chapters"


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.stem)
def test_chapter_is_named_nn_topic(md):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+", md.stem), f"{md.name} is not NN_topic.md"


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.stem)
def test_pair_exists_and_is_in_sync(md):
    ipynb = md.with_suffix(".ipynb")
    assert ipynb.exists(), f"{md.name} has no paired {ipynb.name}: run `make sync`"
    text = jupytext.read(md)
    notebook = nbformat.read(ipynb, as_version=4)
    assert _cells(text) == _cells(notebook), (
        f"{md.name} and {ipynb.name} differ: run `make sync`")
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    assert text.metadata.get("kernelspec", {}).get("name") == "python3", (
        f"{md.name} needs a python3 kernelspec in its front matter for the book to execute it")


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.stem)
def test_pair_carries_no_outputs(md):
    notebook = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    dirty = [i for i, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count)]
    assert not dirty, f"{md.stem}.ipynb carries outputs in cells {dirty}: clear them"


def test_every_notebook_has_a_source():
    orphans = [p.name for p in CHAPTERS.glob("*.ipynb") if not p.with_suffix(".md").exists()]
    assert not orphans, f"notebooks without a .md source: {orphans}"


def test_toc_lists_exactly_the_chapters_in_order():
    files = toc_files()
    chapters = [f for f in files if f.startswith("chapters/")]
    assert chapters == [f"chapters/{p.stem}" for p in SOURCES]
    missing = [f for f in files if not (ROOT / f"{f}.md").exists()]
    assert not missing, f"_toc.yml names pages that do not exist: {missing}"


def test_every_chapter_with_a_seed_is_in_the_seed_sweep():
    """The weekly sweep (make seed-sweep) runs every chapter that sets SEED, and
    reads back the final accuracy of each; a new training chapter left out of
    it would have its bounds checked for one seed only."""
    import importlib.util

    seeded = {md.stem for md in SOURCES if re.search(r"^SEED = \d+\b", md.read_text(), re.M)}
    swept = re.search(r"^SWEEP_CHAPTERS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert seeded and swept
    assert {Path(p).stem for p in swept.group(1).split()} == seeded
    spec = importlib.util.spec_from_file_location("seed_sweep", ROOT / "tools" / "seed_sweep.py")
    seed_sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed_sweep)
    for stem, key in seed_sweep.ACCURACY_KEY.items():
        assert stem in seeded
        assert re.search(rf"""\bglue\(\s*["']{key}["']""", (CHAPTERS / f"{stem}.md").read_text()), (
            f"{stem} glues no {key!r} for the sweep to read")
    workflow = (ROOT / ".github" / "workflows" / "seed-sweep.yml").read_text()
    assert "make seed-sweep" in workflow and "schedule:" in workflow
