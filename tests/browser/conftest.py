"""Fixtures for the tests of the built book: where it is, a local static server
for it, and a headless Chromium driven by selenium.

These tests read the HTML that `make book` wrote, so they are marked
``browser`` and left out of the plain unit run (``-m "not browser"`` in
pyproject.toml); `make browser` runs them. ``BOOK_HTML_DIR`` points them at
another build (default: ``_build/html``), ``BOOK_SCREENSHOTS_DIR`` at another
folder for the screenshots (default: ``screenshots`` beside the HTML folder).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
from importlib import resources
from pathlib import Path

import pytest
import yaml
from tests.conftest import toc_files

ROOT = Path(__file__).resolve().parents[2]

# Flags that keep Chromium from phoning home: on a closed network its
# background connections would otherwise fail, many at a time, and flood the
# log. The resolver rule makes every host but loopback unreachable, so a page
# that loads anything from the internet (a CDN script, a web font) logs an
# error here, on any machine, instead of silently needing a connection.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1366,900",
    "--lang=en-US",
)


# ----------------------------------------------------------------- the build


def html_dir() -> Path:
    return Path(os.environ.get("BOOK_HTML_DIR", ROOT / "_build" / "html")).resolve()


def require_build() -> Path:
    directory = html_dir()
    if not (directory / "search.html").is_file():
        pytest.fail(
            f"no built book in {directory}: run `make book` first "
            "(or point BOOK_HTML_DIR at a build)",
            pytrace=False,
        )
    return directory


@functools.cache
def toc_pages() -> tuple[str, ...]:
    """Every document in _toc.yml, root first, as docnames (``chapters/07_dataset``)."""
    return tuple(str(Path(f).with_suffix("")) for f in toc_files())


@functools.cache
def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def built_pages(directory: Path) -> list[str]:
    """Every page of the build, relative to its root: the documents Sphinx
    wrote (from its search index, so stale pages of earlier builds are left
    out), the index and search pages, and the root redirect."""
    index = (directory / "searchindex.js").read_text(encoding="utf-8")
    payload = index[index.index("(") + 1: index.rindex(")")]
    docnames = json.loads(payload)["docnames"]
    pages = [f"{doc}.html" for doc in docnames] + ["genindex.html", "search.html", "index.html"]
    return sorted(page for page in set(pages) if (directory / page).is_file())


# The editions, as _config.yml names them: language -> (folder under the English
# root, html lang attribute)
_CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
EDITIONS = {code: (folder and f"{folder}/", code.replace("_", "-"))
            for code, folder in _CONFIG["editions"].items()}
PDF_FILES = _CONFIG["edition_pdfs"]  # language -> file name


def edition_of(page: str) -> str:
    """The language of a page path relative to the English root."""
    return next((lang for lang, (folder, _) in EDITIONS.items()
                 if folder and page.startswith(folder)), "en")


def pytest_generate_tests(metafunc):
    """Parametrize ``page`` with every page of both editions, found on disk."""
    if "page" in metafunc.fixturenames:
        directory = html_dir()
        pages = []
        for folder, _ in EDITIONS.values():
            if (directory / folder / "search.html").is_file():
                pages += [folder + page for page in built_pages(directory / folder)]
        metafunc.parametrize("page", pages or ["(no build)"])


@pytest.fixture(scope="session")
def book_html() -> Path:
    return require_build()


@pytest.fixture(scope="session")
def toc_docs() -> tuple[str, ...]:
    return toc_pages()


@pytest.fixture(scope="session")
def config() -> dict:
    return book_config()


@pytest.fixture(scope="session")
def screenshots_dir(book_html) -> Path:
    directory = Path(os.environ.get("BOOK_SCREENSHOTS_DIR", book_html.parent / "screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's source, as the pinned selenium-axe-python package ships it."""
    return (resources.files("selenium_axe_python") / "axe-core" / "axe.min.js").read_text(
        encoding="utf-8")


# --------------------------------------------------------------- the server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def book_url(book_html):
    """Serve the built book on 127.0.0.1, on a free port, for the session."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------- the browser


def find_chromium() -> tuple[str | None, str | None]:
    """Chromium and its driver: $CHROMIUM / $CHROMEDRIVER, Debian's packages,
    or a Chrome and chromedriver on PATH (as on GitHub's Ubuntu runners)."""
    browser = os.environ.get("CHROMIUM")
    driver = os.environ.get("CHROMEDRIVER")
    if not browser:
        for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome",
                     "google-chrome-stable"):
            browser = shutil.which(name)
            if browser:
                break
    if not driver:
        driver = shutil.which("/usr/bin/chromedriver") or shutil.which("chromedriver")
    usable = lambda path: path if path and os.access(path, os.X_OK) else None  # noqa: E731
    return usable(browser), usable(driver)


def _no_chromium(reason: str):
    message = (
        f"{reason}. The browser test needs Chromium and ChromeDriver: on Debian or "
        "Ubuntu run `bash tools/ensure-system.sh browser` as root (it installs the packages "
        "chromium and chromium-driver), or set CHROMIUM and CHROMEDRIVER to their paths."
    )
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def driver(tmp_path_factory):
    """A headless Chromium with its console log captured.

    The paths to the browser and the driver are given explicitly, so selenium
    never runs Selenium Manager (which would try to download a driver);
    SE_OFFLINE=true and a guard on SeleniumManager make sure of it.
    """
    browser_path, driver_path = find_chromium()
    if not browser_path:
        _no_chromium("no Chromium found")
    if not driver_path:
        _no_chromium("no ChromeDriver found")

    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common import selenium_manager

    def refuse(*args, **kwargs):
        raise AssertionError("selenium tried to run Selenium Manager (a download)")

    original = selenium_manager.SeleniumManager.binary_paths
    selenium_manager.SeleniumManager.binary_paths = refuse

    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path_factory.getbasetemp())
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=driver_path, log_output=os.devnull)
    try:
        chrome = webdriver.Chrome(service=service, options=options)
    except Exception as error:  # a broken install: say which one
        _no_chromium(f"Chromium ({browser_path}) with {driver_path} did not start: {error}")
    chrome.set_page_load_timeout(300)
    chrome.set_script_timeout(300)
    try:
        yield chrome
    finally:
        chrome.quit()
        selenium_manager.SeleniumManager.binary_paths = original
