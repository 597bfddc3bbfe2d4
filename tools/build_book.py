"""Build the book's editions, or extract its messages for translation.

    python tools/build_book.py html        # English at _build/html, 中文 at _build/html/zh_CN
    python tools/build_book.py html en     # one edition only
    python tools/build_book.py gettext     # message templates at _build/gettext

Both editions are built by Jupyter Book from the same _config.yml and _toc.yml
(strict: -W -n --keep-going); only the language differs. The chapters are
executed once: every edition reads the same execution cache
(_build/.jupyter_cache), so the second edition re-runs no code. Each edition
keeps its own doctrees, so that one does not invalidate the other.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from jupyter_book.sphinx import build_sphinx
from sphinx import locale

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
# language code -> folder of its edition under _build/html ("" is the root)
EDITIONS = {"en": "", "zh_CN": "zh_CN"}


def _build(builder: str, outdir: Path, doctrees: Path, language: str) -> float:
    start = time.perf_counter()
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


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"html", "gettext"}:
        sys.exit(__doc__)
    if argv[0] == "gettext":
        _build("gettext", BUILD / "gettext", BUILD / ".doctrees-gettext", "en")
        return
    languages = argv[1:] or list(EDITIONS)
    unknown = sorted(set(languages) - set(EDITIONS))
    if unknown:
        sys.exit(f"Unknown edition {unknown}; the book has {sorted(EDITIONS)}.")
    for language in languages:
        suffix = "" if language == "en" else f"-{language}"
        seconds = _build(
            "html", BUILD / "html" / EDITIONS[language], BUILD / f".doctrees{suffix}", language
        )
        print(f"The {language} edition took {seconds:.1f} s: "
              f"file://{BUILD / 'html' / EDITIONS[language] / 'index.html'}")


if __name__ == "__main__":
    main(sys.argv[1:])
