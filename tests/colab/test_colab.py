"""Every chapter's reader notebook runs under nbval on a simulated Colab, first click.

Colab gives a notebook PyTorch, torchvision, NumPy, Matplotlib and a kernel,
and nothing of this course. The simulation:

- a virtual environment (``_build/colab-venv``, kept between runs; made by
  tools/colab_venv.py) with only torch, torchvision, numpy, matplotlib and
  ipykernel at the versions of requirements.txt, plus pytest and nbval to run
  the notebook (Colab has pytest too); ``lesson_utils`` and ``myst_nb`` are not
  in it;
- a stub ``google.colab`` module, imported at kernel start (an IPython start-up
  file), as on Colab;
- the working directory a temporary folder outside the repository, holding
  only the chapter's reader notebook (``_build/notebooks``, what the Colab
  button opens; `make book` writes them);
- ``LESSON_INSTALL_SOURCE`` pointing at a wheel built from the checkout's
  package, so the chapter's first cell installs it from there instead of
  GitHub (built once, so that ten chapters do not build it ten times);
- the data from the local copy (``FASHION_MNIST_DIR``), where Colab would
  download it, and an empty cache.

Run by `make colab` after `make book` (part of `make test`, where it is the
nbval run: each chapter runs in the environment a reader gets, rather than in
two); marked ``colab`` and left out of the unit run. The English notebooks run
in full; the Chinese ones, whose code cells are the same (tests/colab/
test_reader_notebooks.py), run their first cells, in Chinese (installing,
importing, loading the data), which keeps `make test` within its time. `make
nbval` runs the authors' notebooks in the development environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.colab

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "_build" / "notebooks"  # book/_ext/reader_notebooks.py writes them
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.md"))
FIRST_CELLS = 3  # code cells of each Chinese notebook run here: install, imports, a first step
VENV = Path(os.environ.get("COLAB_VENV", ROOT / "_build" / "colab-venv"))  # tools/colab_venv.py

@pytest.fixture(scope="session")
def colab_python() -> Path:
    subprocess.run([sys.executable, str(ROOT / "tools" / "colab_venv.py")], check=True)
    python = VENV / "bin" / "python"
    # What an earlier run's first cells installed goes: each run installs afresh.
    subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "lesson_utils"],
                   check=False, capture_output=True)
    for module in ("lesson_utils", "myst_nb", "google.colab"):
        found = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
        assert found.returncode != 0, f"the Colab environment must not have {module}"
    return python


@pytest.fixture(scope="session")
def colab_env(colab_python, tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("colab")
    stub = base / "stub" / "google" / "colab"
    stub.mkdir(parents=True)
    (stub.parent / "__init__.py").write_text("")
    (stub / "__init__.py").write_text('"""A stand-in for Colab\'s own module."""\n')
    startup = base / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab  # as Colab's kernels do\n")
    source = base / "package"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns(
        "__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(base / "wheel"), str(source)],
                   check=True)
    (wheel,) = (base / "wheel").glob("lesson_utils-*.whl")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "IPYTHON", "LESSON_"))}
    env.update({
        "PATH": f"{colab_python.parent}:{env.get('PATH', '')}",
        "PYTHONPATH": str(base / "stub"),
        "IPYTHONDIR": str(base / "ipython"),
        "JUPYTER_PATH": str(base / "jupyter"),
        "LESSON_INSTALL_SOURCE": str(wheel),
        "LESSON_CACHE_DIR": str(base / "cache"),
        "FASHION_MNIST_DIR": str(_local_data()),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    })
    return env


def _local_data() -> Path:
    """The four Fashion-MNIST files on this machine (as `make data` left them)."""
    from lesson_utils import fashion_mnist_root

    return Path(fashion_mnist_root()) / "FashionMNIST" / "raw"


def _reader_notebook(language: str, chapter: str) -> Path:
    path = NOTEBOOKS / language / "chapters" / f"{chapter}.ipynb"
    assert path.is_file(), f"{path} is missing: `make book` writes the reader notebooks"
    return path


def _run_on_colab(notebook: Path, colab_python: Path, env: dict, workdir: Path) -> None:
    workdir.mkdir()  # Colab's working directory, outside the repository
    shutil.copy(notebook, workdir / notebook.name)
    # The 600 s per cell is a hang guard (as the book's), not a speed check.
    nbval = ["-m", "pytest", "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=600",
             "-p", "no:cacheprovider", "-q", notebook.name]
    run = subprocess.run([str(colab_python), *nbval], cwd=workdir, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, (
        f"{notebook} failed on the simulated Colab:\n"
        f"{run.stdout[-4000:]}\n{run.stderr[-2000:]}")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_chapter_runs_on_colab(chapter, colab_python, colab_env, tmp_path):
    _run_on_colab(_reader_notebook("en", chapter), colab_python, colab_env, tmp_path / "content")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_chinese_notebook_starts_on_colab(chapter, colab_python, colab_env, tmp_path):
    """Its first cells, as a reader of the Chinese edition runs them (LESSON_LANGUAGE set)."""
    notebook = nbformat.read(_reader_notebook("zh_CN", chapter), as_version=4)
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    notebook.cells = notebook.cells[:code[FIRST_CELLS - 1] + 1]
    assert "LESSON_LANGUAGE" in notebook.cells[code[0]].source
    first = tmp_path / f"{chapter}.ipynb"
    nbformat.write(notebook, first)
    _run_on_colab(first, colab_python, colab_env, tmp_path / "content")
