"""Build the book's editions, or extract its messages for translation.

    python tools/build_book.py html        # English at _build/html, 中文 at _build/html/zh_CN
    python tools/build_book.py html en     # one edition only (and its reader notebooks)
    python tools/build_book.py gettext     # message templates at _build/gettext
    python tools/build_book.py translations  # those, then every translated edition's catalogs
    python tools/build_book.py pdf         # both PDFs at _build/pdf (and _build/html/pdf)
    python tools/build_book.py pdf zh_CN   # one PDF only

Both editions are built by Jupyter Book from the same _config.yml and _toc.yml
(strict: -W -n --keep-going); only the language differs. The chapters are
executed once, before Sphinx reads them and several at a time (execute_pages): every
edition reads the same execution cache (_build/.jupyter_cache), so the second edition
re-runs no code. Each edition keeps its own doctrees, so that one does not invalidate
the other; its PDF reads them too.

Each edition's HTML build also writes its reader notebooks (book/_ext/reader_notebooks.py)
into _build/notebooks/<language>/chapters; this script adds what makes that folder the
branch the Colab and Binder buttons open (the Pages workflow publishes it): a README and
Binder's environment, the package's dependencies at requirements.txt's pins and a Chinese
font (the notebooks' first cell installs the package itself, at the commit they were built from).

A PDF is Sphinx's LaTeX output of the same sources and the same execution
cache, typeset by XeLaTeX through latexmk (book/_ext/pdf_edition.py sets the
class and the fonts, from book/_latex). XeLaTeX only logs a glyph that no font has ("Missing
character") and still writes the PDF, with a hole where the glyph was; here
such a line fails the build, as do an undefined reference (a link to nowhere)
and a LaTeX error (-halt-on-error).

The kernels the build starts inherit LESSON_FIGURE_TWINS (the translated edition's language,
from _config.yml): each figure and each check's message comes in English and, beside it in
the same output, in Chinese (lesson_utils._outputs), which the Chinese edition shows
(book/_ext/translation.py). Readers never set it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from jupyter_book.sphinx import build_sphinx
from sphinx import locale

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
# The editions, as _config.yml names them: language code -> folder of its edition under
# _build/html ("" is the root), and language code -> file name of its PDF.
_CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
EDITIONS, PDF_FILES = _CONFIG["editions"], _CONFIG["edition_pdfs"]
SOURCE = next(code for code, folder in EDITIONS.items() if not folder)  # at the root: English
TRANSLATED = [code for code in EDITIONS if code != SOURCE]

# The page whose tables describe the build (what it executed, what the checker rejected): executed
# by every build, once for all its editions and PDFs, the chapters by their code.
EVERY_BUILD = ROOT / "book" / "status.md"
# "Missing character: There is no 回 (U+56DE) in font [FreeSerif.otf]/OT:script=..."
MISSING_CHARACTER = re.compile(r"^Missing character: There is no .+? in font [^\n!/]+", re.M)


def _kernel_environment() -> None:
    """For the kernels: outputs in the source's language (whoever builds), each with its twin
    in the translated edition's (lesson_utils._outputs carries one)."""
    if len(TRANSLATED) != 1:
        sys.exit(f"_config.yml's editions must be one source and one translation: {EDITIONS}")
    os.environ.update(LESSON_LANGUAGE=SOURCE, LESSON_FIGURE_TWINS=TRANSLATED[0])


def _execute(item: tuple[Path, object, int]) -> tuple[object, float]:
    """One chapter executed as myst-nb executes it (jupyter-cache's function, _config.yml's
    settings, the chapter's folder as working directory): (the notebook or None, seconds)."""
    from jupyter_cache.executors.utils import single_nb_execution

    path, notebook, threads = item
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))  # this worker's kernel only
    execute = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["execute"]
    result = single_nb_execution(notebook, cwd=str(path.parent), timeout=execute["timeout"],
                                 allow_errors=execute["allow_errors"])
    return (None if result.err else result.nb), result.time


def execute_pages(every_build: bool = True) -> None:
    """Execute the chapters that the cache lacks, and the status page (EVERY_BUILD, unless
    ``every_build`` is false: the PDFs take it from the cache, as the chapters), up to four at
    a time into the cache, where the editions' myst-nb finds them. myst-nb executes a page
    while Sphinx reads it, one at a time, and Sphinx's parallel read would give chapters 3-10
    to one process (its chunks follow the names). Each kernel gets its share of the cores
    (OMP_NUM_THREADS, unless set): PyTorch's threads would spin-wait for cores that the other
    kernels hold. A page that fails here is left out of the cache: myst-nb runs it again and
    reports the error as the build's."""
    from concurrent.futures import ProcessPoolExecutor

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook

    cache, todo = get_cache(str(BUILD / ".jupyter_cache")), {}
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"), reverse=True)  # long first
    for path in [EVERY_BUILD, *chapters]:
        notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
        try:
            cache.match_cache_notebook(notebook)
            if path != EVERY_BUILD or not every_build:
                continue
        except KeyError:
            pass
        todo[path] = notebook
    if not todo:
        return
    _kernel_environment()
    cores = os.cpu_count() or 1
    jobs = max(1, min(4, cores, len(todo)))
    work = [(path, notebook, max(1, cores // jobs)) for path, notebook in todo.items()]
    with ProcessPoolExecutor(jobs) as pool:
        for path, (notebook, seconds) in zip(todo, pool.map(_execute, work), strict=True):
            name = path.relative_to(ROOT)
            print(f"{name}: executed in {seconds:.1f} s" if notebook else f"{name} failed: "
                  "the build runs it again to report the error", flush=True)
            if notebook is not None:
                cache.cache_notebook_bundle(CacheBundleIn(
                    notebook, str(path), data={"execution_seconds": seconds}),
                    check_validity=False, overwrite=True)


def _build(builder: str, outdir: Path, doctrees: Path, language: str) -> float:
    start = time.perf_counter()
    _kernel_environment()
    locale.translators.clear()  # Sphinx caches catalogs per process; each edition loads its own
    status = build_sphinx(
        ROOT,
        outdir,
        noconfig=True,
        path_config=ROOT / "_config.yml",
        confoverrides={
            "external_toc_path": "_toc.yml",
            "nitpicky": True,
            "latex_individualpages": False,
            "language": language,
            "nb_execution_cache_path": str(BUILD / ".jupyter_cache"),
        },
        doctreedir=doctrees,
        builder=builder,
        warningiserror=True,
        keep_going=True,
    )
    if status != 0:
        sys.exit(f"The {language} {builder} build failed (see the warnings above).")
    return time.perf_counter() - start


def missing_characters(log: str) -> list[str]:
    """XeLaTeX's "Missing character" lines in a log, once each, in order."""
    return list(dict.fromkeys(m.group(0) for m in MISSING_CHARACTER.finditer(log)))


def _latex(language: str) -> tuple[Path, float, subprocess.Popen]:
    """Write one edition's LaTeX with Sphinx, then start XeLaTeX on it (latexmk) in the
    background, so that it typesets while Sphinx writes the next edition."""
    for tool in ("xelatex", "latexmk"):
        if shutil.which(tool) is None:
            sys.exit(f"make pdf needs {tool}: run it where apt-get works (it installs TeX Live), "
                     "or install TeX Live with XeLaTeX, latexmk, xeCJK and the fonts "
                     "FreeFont and Noto CJK SC (see README, 'The PDFs').")
    suffix = "" if language == SOURCE else f"-{language}"
    latex_dir = BUILD / "latex" / language
    # the HTML edition's doctrees: Sphinx reads a page once for every builder
    sphinx_seconds = _build("latex", latex_dir, BUILD / f".doctrees{suffix}", language)
    for stale in ("book.pdf", "book.log"):
        (latex_dir / stale).unlink(missing_ok=True)
    output = (latex_dir / "latexmk-output.txt").open("w", encoding="utf-8")
    typeset = subprocess.Popen(
        ["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode", "-halt-on-error",
         "book.tex"], cwd=latex_dir, stdout=output, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "LATEXOPTS": ""},
    )
    output.close()  # the child keeps its own handle
    return latex_dir, sphinx_seconds, typeset


def _pdf(language: str, latex_dir: Path, typeset: subprocess.Popen) -> Path:
    """Wait for XeLaTeX, check its log; return the edition's PDF under _build/pdf."""
    returncode = typeset.wait()
    output = (latex_dir / "latexmk-output.txt").read_text(encoding="utf-8", errors="replace")
    log = (latex_dir / "book.log").read_text(encoding="utf-8", errors="replace") \
        if (latex_dir / "book.log").exists() else ""
    if returncode != 0:
        errors = [line for line in log.splitlines() if line.startswith("! ")]
        tail = "\n".join(output.splitlines()[-25:])
        sys.exit(f"XeLaTeX failed on the {language} edition ({latex_dir / 'book.log'}):\n"
                 + ("\n".join(errors) or tail))
    if "There were undefined references" in log:
        undefined = re.findall(r"reference `([^']+)' on page", log)
        sys.exit(f"The {language} PDF has links to nowhere ({latex_dir / 'book.log'}): "
                 + ", ".join(dict.fromkeys(undefined)))
    missing = missing_characters(log)
    if missing:
        sys.exit(f"The {language} PDF lacks glyphs ({latex_dir / 'book.log'}); give the text "
                 "a font that has them, or wrap Chinese in math in \\text{}:\n"
                 + "\n".join(missing))
    target = BUILD / "pdf" / PDF_FILES[language]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(latex_dir / "book.pdf", target)
    if (BUILD / "html" / "index.html").exists():  # the intro pages link it from there
        (BUILD / "html" / "pdf").mkdir(exist_ok=True)
        shutil.copyfile(target, BUILD / "html" / "pdf" / target.name)
    return target


def _notebook_branch() -> None:
    """README and binder/ of _build/notebooks, the published branch of reader notebooks."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {re.split(r"[<>=\[; ]", d)[0].lower() for d in project["dependencies"]}
    pins = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.partition("==")[0].strip().lower() in wanted]
    missing = wanted - {pin.partition("==")[0].strip().lower() for pin in pins}
    if missing:
        sys.exit(f"requirements.txt pins none of {sorted(missing)}, which the package needs")
    branch = BUILD / "notebooks"
    (branch / "binder").mkdir(parents=True, exist_ok=True)
    (branch / "binder" / "requirements.txt").write_text("\n".join(pins) + "\n")
    for name in ("runtime.txt", "apt.txt"):  # Python's version; the Chinese figures' font
        (branch / "binder" / name).write_text((ROOT / "binder" / name).read_text())
    (branch / "README.md").write_text(
        "# Reader notebooks\n\nEach chapter of the book as a notebook that reads like its page, "
        "one folder per edition (`en/`, `zh_CN/`). Written by `make book` from the main branch "
        "and published here by its workflow: edit the chapters there, not these files.\n")


def _update_catalogs() -> None:
    """For each translated edition: its page catalogs (locales/<language>) from the templates,
    new messages empty, changed ones fuzzy (sphinx-intl); lesson_utils' catalog compiled."""
    from babel.messages import mofile, pofile

    # locales/<language>/LC_MESSAGES/sphinx.po is the book's chrome (book/_ext/translation.py,
    # (7)): words of Sphinx's code and of the extensions, which no template extracts; an update
    # from the templates would make them obsolete
    (BUILD / "gettext" / "sphinx.pot").unlink(missing_ok=True)
    for language in TRANSLATED:
        subprocess.run([Path(sys.executable).with_name("sphinx-intl"), "update", "--pot-dir",
                        BUILD / "gettext", "--language", language, "--locale-dir",
                        ROOT / "locales"], check=True)
        catalog = ROOT / "src" / "lesson_utils" / "locale" / language / "LC_MESSAGES"
        with (catalog / "lesson_utils.po").open("rb") as po, \
                (catalog / "lesson_utils.mo").open("wb") as mo:
            mofile.write_mo(mo, pofile.read_po(po))


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"html", "gettext", "translations", "pdf"}:
        sys.exit(__doc__)
    if argv[0] in {"gettext", "translations"}:
        _build("gettext", BUILD / "gettext", BUILD / ".doctrees-gettext", SOURCE)
        if argv[0] == "translations":
            _update_catalogs()
        return
    # the start of this command, for both editions: book/_ext/execution_status.py tells
    # the chapters this build executed from those it took from the cache
    os.environ.setdefault("LESSON_BUILD_STARTED", str(time.time()))
    languages = argv[1:] or list(EDITIONS)
    unknown = sorted(set(languages) - set(EDITIONS))
    if unknown:
        sys.exit(f"Unknown edition {unknown}; the book has {sorted(EDITIONS)}.")
    execute_pages(every_build=argv[0] == "html")
    if argv[0] == "pdf":
        start = time.perf_counter()
        started = {language: _latex(language) for language in languages}
        for language, (latex_dir, sphinx_seconds, typeset) in started.items():
            target = _pdf(language, latex_dir, typeset)
            print(f"The {language} PDF: {sphinx_seconds:.1f} s in Sphinx, done "
                  f"{time.perf_counter() - start:.1f} s after the start: {target}")
        return
    for language in languages:
        suffix = "" if language == SOURCE else f"-{language}"
        seconds = _build(
            "html", BUILD / "html" / EDITIONS[language], BUILD / f".doctrees{suffix}", language
        )
        print(f"The {language} edition took {seconds:.1f} s: "
              f"file://{BUILD / 'html' / EDITIONS[language] / 'index.html'}")
    _notebook_branch()
    print(f"The reader notebooks are in {BUILD / 'notebooks'}")


if __name__ == "__main__":
    main(sys.argv[1:])
