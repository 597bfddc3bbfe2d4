"""Open every page of the built book in headless Chromium and check what a
reader sees.

For each page (every document of the build, read from its search index, so
every page in _toc.yml and no stale leftovers, plus index.html, genindex.html
and search.html): no JavaScript errors in the
console; where there is math, MathJax typeset all of it and no raw ``$…$`` or
``\\(…\\)`` is left in the text; every image loaded, has alt text and, in the
article, sits in a numbered figure with a caption and a label that the text
refers to; no cell output shows a traceback or a warning; exercise solutions
are hidden until their toggle is clicked and shown after; the left navigation
lists every page of _toc.yml. Each chapter has exercises. The search page finds
"softmax". A full-page screenshot of every page goes to _build/screenshots/.

Every check runs; a page's failures are reported together, one line each.
Run with `make browser` (after `make book`).
"""

from __future__ import annotations

import re
import time
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from selenium.common.exceptions import JavascriptException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from tests.browser.conftest import EDITIONS, edition_of

pytestmark = pytest.mark.browser

MAX_SCREENSHOT_HEIGHT = 16_000  # px; Chromium draws nothing beyond ~16k

# Text a reader should never see in prose: TeX that MathJax did not typeset.
RAW_MATH = re.compile(r"\$[^$\s][^$\n]*\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac\{")
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|^-{40,}\s*$\n^\w+(Error|Exception)\b", re.M
)


# ------------------------------------------------------------------ helpers


# Every wait is for an event; this only stops a hang, and a busy machine never
# comes near it.
HANG_GUARD_S = 180


def _wait(driver, condition) -> bool:
    try:
        WebDriverWait(driver, HANG_GUARD_S, poll_frequency=0.1).until(condition)
        return True
    except TimeoutException:
        return False


def _console_errors(driver) -> list[str]:
    """SEVERE entries of the browser console since the last call."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry.get("level") == "SEVERE"
    ]


def _wait_for_mathjax(driver) -> str | None:
    """Wait until MathJax has typeset the page; return a problem, or None."""
    loaded = _wait(
        driver,
        lambda d: d.execute_script(
            "return !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"
        )
    )
    if not loaded:
        return "the page has math but MathJax did not load"
    try:
        error = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "MathJax.startup.promise.then(() => done(null), e => done(String(e)));"
        )
    except (JavascriptException, TimeoutException) as exc:
        return f"MathJax did not finish typesetting: {exc.msg}"
    return f"MathJax failed: {error}" if error else None


# Collects, in one pass over the DOM, everything the checks look at.
_INSPECT = r"""
const article = document.querySelector("main article, article.bd-article, main") || document.body;
const abs = (a) => a.href;
const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");

// Math: every .math element typeset, no MathJax error boxes.
const mathNodes = [...document.querySelectorAll("span.math, div.math")];
const untypeset = mathNodes.filter((m) => !m.querySelector("mjx-container"))
                           .map((m) => text(m).slice(0, 60));
const mathErrors = [...document.querySelectorAll("mjx-merror")]
    .map((e) => e.getAttribute("data-mjx-error") || text(e));

// Prose with code, typeset math and scripts removed: raw TeX must not remain.
const clone = document.body.cloneNode(true);
clone.querySelectorAll("pre, code, script, style, textarea, mjx-container, .highlight, " +
                       "nav, .bd-search, .search-button-field, #search-results")
     .forEach((el) => el.remove());
const prose = clone.textContent;

// Images.
const images = [...document.querySelectorAll("img")].map((img) => ({
  src: img.getAttribute("src") || "",
  complete: img.complete,
  naturalWidth: img.naturalWidth,
  alt: (img.getAttribute("alt") || "").trim(),
  inArticle: article.contains(img),
  inOutput: !!img.closest(".cell_output, .output"),
  figure: img.closest("figure") ? (img.closest("figure").id || "") : null,
}));

// Figures in the article: caption, number, label, referred to by number.
const figures = [...article.querySelectorAll("figure")].map((fig) => {
  const caption = fig.querySelector("figcaption");
  const id = fig.id || "";
  const refs = id ? [...document.querySelectorAll("a[href]")].filter(
      (a) => !fig.contains(a) && a.hash === "#" + id && a.pathname === location.pathname
  ).length : 0;
  return {id, caption: text(caption),
          numbered: !!(caption && caption.querySelector(".caption-number")),
          refs, hasImage: !!fig.querySelector("img, svg")};
});

// Cell outputs: tracebacks and warnings.
const outputs = [...document.querySelectorAll(".cell_output")].map((out) => ({
  traceback: !!out.querySelector(".traceback, .output.error"),
  text: out.textContent,
  stderr: [...out.querySelectorAll(".stderr")].map(text),
}));

// Exercises and solutions.
const exercises = document.querySelectorAll(".exercise").length;
const solutions = [...document.querySelectorAll(".solution")].map((s) => s.id);

// Left navigation.
const nav = document.querySelector("nav.bd-docs-nav")
  || document.querySelector(".bd-sidebar-primary");
const navLinks = nav ? [...nav.querySelectorAll("a[href]")].map((a) => ({href: abs(a),
    shown: !!(a.offsetWidth || a.offsetHeight || a.getClientRects().length)})) : null;

// The language and the switch to the other edition.
const lang = document.documentElement.getAttribute("lang");
const switchLink = document.querySelector("a.edition-switch");
const editionSwitch = switchLink ? {href: switchLink.href, label: text(switchLink),
    shown: !!(switchLink.offsetWidth || switchLink.offsetHeight)} : null;

return {untypeset, mathErrors, hasMath: mathNodes.length > 0, prose, images, figures,
        outputs, exercises, solutions, navLinks, title: document.title, lang, editionSwitch};
"""


def _check_solutions(driver, ids: list[str]) -> list[str]:
    """Each solution is hidden until its toggle is clicked, then shown."""
    problems = []
    for sid in ids:
        box = driver.find_element(By.ID, sid)
        body = box.find_elements(By.CSS_SELECTOR, ":scope > :not(.admonition-title)")
        if not body:
            problems.append(f"solution {sid!r} is empty")
            continue
        if any(el.is_displayed() for el in body):
            problems.append(f"solution {sid!r} is visible before it is clicked (not a dropdown)")
            continue
        title = box.find_elements(By.CSS_SELECTOR, ":scope > .admonition-title")
        if not title:
            problems.append(f"solution {sid!r} has no title to click")
            continue
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", title[0])
        title[0].click()
        if not _wait(driver, lambda d, body=body: all(el.is_displayed() for el in body)):
            problems.append(f"solution {sid!r} did not open when its toggle was clicked")
    return problems


def _screenshot(driver, path: Path) -> None:
    """The whole page, drawn in a window as tall as the page (a capture beyond
    the viewport would misplace the theme's sticky sidebars)."""
    size = driver.get_window_size()
    chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
    height = driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"
    )
    try:
        driver.set_window_size(size["width"], min(height + chrome, MAX_SCREENSHOT_HEIGHT))
        path.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(path))
    finally:
        driver.set_window_size(size["width"], size["height"])


# axe-core's rules for WCAG 2.1 levels A and AA; what fails the test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING = {"serious", "critical"}


def _axe_violations(driver, script: str) -> list[str]:
    """Run axe-core on the page; one line per serious or critical violation.

    No preload: axe-core 4.9.1 fetches the stylesheets again for its CSSOM and
    resolves an @import against the page instead of the stylesheet (a 404 for
    _static/styles/theme.css's "../basic.css" in the console); only the rule
    css-orientation-lock reads that CSSOM."""
    driver.execute_script(script)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations'], preload: false})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        "  nodes: v.nodes.map(n => n.target.join(' '))}))), e => done(String(e)));",
        AXE_TAGS,
    )
    if isinstance(result, str):
        return [f"axe-core failed: {result}"]
    return [f"axe {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} element(s): "
            f"{', '.join(v['nodes'][:3])})" for v in result if v["impact"] in AXE_FAILING]


def check_page(driver, base_url: str, page: str, toc_docs, screenshot: Path,
               redirect: bool = False, axe: str | None = None) -> list[str]:
    """Every check on one page; returns the problems found (empty: all good)."""
    problems: list[str] = []
    _console_errors(driver)  # drop what earlier pages left in the log
    url = urljoin(base_url, page)
    driver.get(url)
    if redirect:  # e.g. index.html -> book/intro.html: check where it lands
        if not _wait(driver, lambda d: d.current_url != url):
            problems.append("the redirect did not happen")
    if not _wait(driver, lambda d: d.execute_script(
            "return document.readyState === 'complete' && !!document.body")):
        return problems + ["the page did not finish loading"]

    # Images: load every one now, even those marked lazy, then wait for them.
    driver.execute_script("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    _wait(driver, lambda d: d.execute_script(
        "return [...document.images].every(i => i.complete)"))

    state = driver.execute_script(_INSPECT)
    if state["hasMath"]:
        problem = _wait_for_mathjax(driver)
        if problem:
            problems.append(problem)
        state = driver.execute_script(_INSPECT)

    # Math.
    for snippet in state["untypeset"][:5]:
        problems.append(f"math not typeset by MathJax: {snippet!r}")
    for message in state["mathErrors"][:5]:
        problems.append(f"MathJax error: {message}")
    for match in list(RAW_MATH.finditer(state["prose"]))[:5]:
        context = state["prose"][max(0, match.start() - 30): match.end() + 30]
        problems.append(f"raw TeX in the text: {' '.join(context.split())!r}")
    raw_markdown = r"\*\*|\{(?:glue|term|doc|numref|ref|cite)[:\w]*\}`"
    for match in list(re.finditer(raw_markdown, state["prose"]))[:5]:
        context = state["prose"][max(0, match.start() - 30): match.end() + 30]
        problems.append(f"raw Markdown in the text: {' '.join(context.split())!r}")

    # The edition: its language, and a visible switch to the same page of the other one.
    language = edition_of(page)
    folder, lang = EDITIONS[language]
    if state["lang"] != lang:
        problems.append(f"<html lang={state['lang']!r}>, expected {lang!r}")
    switch = state["editionSwitch"]
    if not redirect:
        other = next(f for code, (f, _) in EDITIONS.items() if code != language)
        expected = urljoin(base_url, other + page.removeprefix(folder))
        if switch is None or not switch["shown"]:
            problems.append("no visible switch to the other edition")
        elif switch["href"] != expected:
            problems.append(f"the edition switch goes to {switch['href']}, not {expected}")

    # Images, alt text, figures.
    for img in state["images"]:
        name = img["src"] or "(no src)"
        if not img["complete"] or img["naturalWidth"] == 0:
            problems.append(f"image did not load: {name}")
        if not img["alt"] or PurePosixPath(img["alt"]).name == PurePosixPath(name).name:
            problems.append(f"image has no alt text: {name}")
        if img["inArticle"] and img["inOutput"] and img["figure"] is None:
            problems.append(f"output image is not a figure (no caption, no label): {name}")
    for fig in state["figures"]:
        label = fig["id"] or "(unlabelled)"
        if not fig["caption"]:
            problems.append(f"figure {label} has no caption")
        elif not fig["numbered"]:
            problems.append(f"figure {label} has no number (numfig)")
        if not fig["id"]:
            problems.append(f"figure with caption {fig['caption'][:50]!r} has no label (name:)")
        elif fig["refs"] == 0:
            problems.append(f"figure {label} is not referred to from the text ({{numref}})")

    # Cell outputs.
    for i, out in enumerate(state["outputs"], start=1):
        if out["traceback"] or TRACEBACK.search(out["text"]):
            first = next((ln for ln in out["text"].splitlines() if "Error" in ln), "")
            problems.append(f"cell output {i} shows a traceback {first.strip()[:80]!r}")
        for err in out["stderr"]:
            if re.search(r"\b\w*Warning\b", err):
                problems.append(f"cell output {i} shows a warning on stderr: {err[:100]!r}")

    # Exercises: chapters have them, and solutions are hidden until clicked.
    if page.startswith("chapters/") and (state["exercises"] == 0 or not state["solutions"]):
        problems.append("the chapter has no exercises with solutions")
    problems += _check_solutions(driver, state["solutions"])

    # Left navigation: every page of _toc.yml (the root is the logo link).
    if state["navLinks"] is None:
        problems.append("no left navigation")
    else:
        shown = {
            urlsplit(link["href"]).path.lstrip("/")
            for link in state["navLinks"] if link["shown"]
        }
        for doc in toc_docs[1:]:
            if f"{folder}{doc}.html" not in shown:
                problems.append(f"the left navigation does not show {doc}")

    # Accessibility (WCAG 2.1 A/AA, axe-core) and a description for search engines.
    if axe and not redirect:
        # The theme makes scrolling code blocks focusable (a tabindex) 300 ms after
        # the page last changed (the solutions were just opened): wait for it.
        _wait(driver, lambda d: d.execute_script(
            "return [...document.querySelectorAll('pre, .cell_output > .output,"
            " .pst-scrollable-table-container')].every(e => e.tabIndex === 0 ||"
            " (e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight))"))
        # and for the opened solutions' fade-in (a CSS transition) to end: axe measures the
        # contrast of a half-faded code cell as too low.
        _wait(driver, lambda d: d.execute_script(
            "return document.getAnimations().every(a => a.playState !== 'running')"))
        problems += _axe_violations(driver, axe)
        description = driver.execute_script(
            "const m = document.querySelector('meta[name=description]');"
            "return m ? m.content.trim() : ''")
        if len(description) < 20:
            problems.append(f"no meta description (got {description!r})")

    # The console, last: clicks and MathJax could log errors too.
    for message in _console_errors(driver):
        problems.append(f"console error: {message[:300]}")

    _screenshot(driver, screenshot)
    return problems


# --------------------------------------------------------------------- tests


def test_page_reads_well(page, book_html, book_url, driver, toc_docs, screenshots_dir,
                         axe_script):
    started = time.perf_counter()
    shot = screenshots_dir / (page.removesuffix(".html").replace("/", "__") + ".png")
    source = (book_html / page).read_text(encoding="utf-8", errors="replace").lower()
    redirect = 'http-equiv="refresh"' in source and "<body" not in source
    problems = check_page(driver, book_url, page, toc_docs, shot, redirect=redirect,
                          axe=axe_script)
    elapsed = time.perf_counter() - started
    assert not problems, (
        f"{page}: {len(problems)} problem(s) in the browser ({elapsed:.1f} s; "
        f"screenshot {shot}):\n  - " + "\n  - ".join(problems)
    )


def test_every_toc_page_was_built(book_html, toc_docs):
    pages = {p.relative_to(book_html).as_posix() for p in book_html.rglob("*.html")}
    missing = [doc for doc in toc_docs if f"{doc}.html" not in pages]
    assert not missing, f"pages in _toc.yml with no built HTML: {missing}"
    assert {"search.html", "index.html"} <= pages


def _search(driver, url: str) -> tuple[bool, list[str]]:
    """Open a search page and wait for Sphinx to say the search has finished.

    The event waited for is the summary line ("Search finished, found N page(s)")
    that searchtools.js writes once, after the last result. Sphinx 7.4's
    `Search._pulse_status` is no such event: a progress tick still pending when the
    search stops sets it back to 0, so it reads -1 for under 500 ms, a window that
    a busy machine's polling misses. The 300 s is a hang guard, not a deadline.
    """
    driver.get(url)
    finished = _wait(
        driver,
        lambda d: d.execute_script(
            "const s = document.querySelector('#search-results p.search-summary');"
            "return !!(s && s.innerText.trim());"
        )
    )
    found = finished and driver.execute_script(
        "return document.querySelectorAll('#search-results ul.search li').length > 0"
    )
    hits = driver.execute_script(
        "return [...document.querySelectorAll('#search-results ul.search li a')]"
        ".map(a => a.pathname)"
    )
    return found, hits


def test_search_finds_softmax(book_html, book_url, driver):
    found, hits = _search(driver, urljoin(book_url, "search.html?q=softmax"))
    errors = _console_errors(driver)
    assert found and hits, f"search.html?q=softmax found nothing (console: {errors})"
    assert any("/chapters/" in hit for hit in hits), f"no chapter among the hits: {hits}"
    assert not errors, f"console errors on the search page: {errors}"


@pytest.mark.parametrize("word, chapter", [
    ("交叉熵", "chapters/05_entropy"),
    ("独热编码", "chapters/01_classification_vs_regression"),
])
def test_chinese_search_finds_chinese_words(book_html, book_url, driver, word, chapter):
    """Sphinx indexes Chinese words only with jieba installed (its Chinese splitter)."""
    found, hits = _search(driver, urljoin(book_url, f"zh_CN/search.html?q={word}"))
    assert found and hits, f"the Chinese search for {word} found nothing"
    assert f"/zh_CN/{chapter}.html" in hits, f"{word}: {chapter} is not among the hits {hits}"


@pytest.mark.parametrize("start", ["chapters/05_entropy.html", "zh_CN/chapters/05_entropy.html",
                                   "zh_CN/book/glossary.html"])
def test_the_edition_switch_lands_on_the_same_page(book_html, book_url, driver, start):
    driver.get(urljoin(book_url, start))
    driver.find_element(By.CSS_SELECTOR, "a.edition-switch").click()
    _wait(driver, lambda d: urlsplit(d.current_url).path != "/" + start)
    landed = urlsplit(driver.current_url).path.lstrip("/")
    folder = EDITIONS["zh_CN"][0]
    other = start.removeprefix(folder) if start.startswith(folder) else folder + start
    assert landed == other, f"the switch on {start} went to {landed}, not {other}"
    assert driver.execute_script("return document.documentElement.lang") == \
        EDITIONS[edition_of(other)][1]


# The explorable charts (lesson_utils' chart_bundle, book/_ext/translation.py's LiveCharts):
# page -> the parameter its slider sets and the value the chart opens with.
CHARTS = {"chapters/02_network_shape.html": ("T", 1.0),
          "chapters/04_norms.html": ("p", 2.0),
          "chapters/05_entropy.html": ("p0", 0.3),
          "chapters/10_evaluating.html": ("epoch", 1)}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("language", EDITIONS)
@pytest.mark.parametrize("chart_page", CHARTS)
def test_each_chart_moves_with_the_keyboard(language, chart_page, book_html, book_url, driver,
                                            screenshots_dir):
    """Vega's script loads once, from the book itself; the chart draws; its slider is labelled
    in the edition's language and the keyboard moves it; the view's parameter and its drawing
    then change; the SVG's text alternative is in the edition's language."""
    from selenium.webdriver.common.keys import Keys

    signal, default = CHARTS[chart_page]
    driver.get(urljoin(book_url, EDITIONS[language][0] + chart_page))
    assert _wait(driver, lambda d: d.execute_script(
        "return !!document.querySelector('div.lesson-chart[data-drawn] svg')")), "not drawn"
    scripts = driver.execute_script(
        "return [...document.scripts].map(s => s.src).filter(s => /vega\\.js/.test(s))")
    assert len(scripts) == 1 and scripts[0].startswith(book_url), scripts
    chart = driver.find_element(By.CSS_SELECTOR, "div.lesson-chart")
    slider = chart.find_element(By.CSS_SELECTOR, "input[type=range]")
    label = chart.find_element(By.CSS_SELECTOR, ".vega-bind-name").text
    alternative = chart.find_element(By.TAG_NAME, "svg").get_attribute("aria-label") or ""
    for words in (label, alternative):
        assert words and bool(CJK.search(words)) == (language != "en"), (label, alternative)
    value = f"return arguments[0].vegaView.signal('{signal}')"
    drawing = "return arguments[0].querySelector('svg').innerHTML"
    assert driver.execute_script(value, chart) == default
    before = driver.execute_script(drawing, chart)
    shot = screenshots_dir / f"chart-{language}-{Path(chart_page).stem}"
    chart.screenshot(f"{shot}-before.png")
    for _ in range(3):
        slider.send_keys(Keys.ARROW_RIGHT)
    assert _wait(driver, lambda d: d.execute_script(value, chart) != default), "did not move"
    assert _wait(driver, lambda d: d.execute_script(drawing, chart) != before), "not redrawn"
    chart.screenshot(f"{shot}-after.png")
    assert driver.switch_to.active_element == slider
    assert not _console_errors(driver)
