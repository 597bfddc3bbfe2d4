"""The book's promise, enforced on the sources: a number a reader sees in a
chapter's prose, caption or alt text comes from the run that rendered it
(a ``{glue:text}`` role), or is a constant on the short allowlist below.

"Number" here means what a run could change: a decimal (0.83, 1e-6), a
percentage (80 %), a ratio (30×), or a multiple written in words ("five times
faster", "sixteen-fold", "twice as fast"). Integers that count things (784
pixels, 10 classes, chapter 7) are not run-dependent and are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "chapters").glob("*.md")) + sorted((ROOT / "book").glob("*.md"))

# Constants a page may type by hand, each with the reason it cannot change with
# a run. Keep it short: a run-dependent number belongs in a glue call.
CONSTANTS = {
    # the notes' recipe (chapters 3, 4, 8, 9): weights from N(0, 0.01^2), learning rate 0.1
    "0.01": "standard deviation of the initial weights",
    "0.1": "learning rate; also a probability in worked toy examples",
    "25.6": "0.1 x 256, the learning rate a summed gradient amounts to",
    # chapter 10's improved optimiser: Adam's step sizes, chosen, not measured
    "0.001": "Adam learning rate",
    "0.0003": "Adam learning rate after the first drop",
    "0.0001": "Adam learning rate after the second drop",
    # worked toy examples whose inputs are written in the text itself
    "0.3": "toy probabilities / step size in a worked example",
    "0.5": "the 0/1 threshold; toy probabilities and logits",
    "0.8": "toy probabilities (0.1, 0.8, 0.1); a confidence in a question",
    "0.9": "a biased coin (0.9, 0.1); a confidence threshold",
    "0.99": "a target probability in a worked example",
    "1.5": "a regression output in a worked example",
    # mathematics: values of closed forms, the same on every machine
    "0.69": "log 2",
    "0.693": "log 2",
    "2.30": "log 10",
    "2.303": "log 10",
    "2.585": "log2 6",
    "6.79": "log(9 * 99)",
    "95 %": "the bound a margin of log(q - 1) + 3 guarantees",
    "10 %": "chance accuracy over 10 balanced classes",
    "3.11": "the Python version the project requires",
    # IEEE 754 limits
    "3.4": "float32's largest finite value, 3.4e38",
    "88.7": "log of float32's largest finite value",
    "88.72": "log of float32's largest finite value",
    "709.78": "log of float64's largest finite value",
    # published figures, each cited where it appears (Xiao et al. 2017)
    "0.842": "Fashion-MNIST benchmark, best logistic regression",
    "0.835": "Fashion-MNIST benchmark, human performance",
    # multiples written in words
    "tenfold": "the margin the book's speed checks keep below a measurement (intro)",
}

NUMBER = re.compile(r"""
    (?<![\w.])                           # not the tail of a word or a longer number
    (?: \d+(?:\.\d+)?\s?%                # a percentage: 80 %, 12.5%
      | \d+(?:\.\d+)?\s?×(?!\s*[\d$\\])  # a ratio: 30× (not a shape such as 28 × 28)
      | \d*\.\d+(?:[eE][-+−]?\d+)?       # a decimal: 0.83, .5, 2.5e-3
      | \d+[eE][-+−]?\d+                 # scientific: 1e-6
    )""", re.VERBOSE)

# A multiple written in words: "five times faster", "sixteen-fold", "tenfold",
# "twice as fast". A run can change these as easily as "5×".
NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen "
                "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty "
                "fifty sixty seventy eighty ninety hundred thousand million")
_NUMBER = "|".join(NUMBER_WORDS.split())
MULTIPLE = re.compile(
    rf"\b(?:(?:{_NUMBER})(?:[- ]?fold\b|\s+times\b)|twice\s+as\b|half\s+as\b)", re.IGNORECASE)

# What is not prose: glued values, inline code and role targets, links, comments.
NOT_PROSE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`|``[^`]*``|`[^`]*`|https?://\S+|<!--.*?-->")
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([\w-]+)")
GLUE_CALL = re.compile(r"""\bglue\(\s*f?["']([\w{}.\[\]-]+)["']""")  # f-strings too


def prose_lines(path: Path):
    """(line number, text) of everything a reader sees as prose on the page:
    Markdown, directive bodies (exercises, solutions, admonitions) and the
    metadata of code cells (figure captions, alt texts); not code, and not
    the column widths of a {tabularcolumns} directive."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    if lines and lines[0] == "---":  # Jupytext front matter
        i = lines.index("---", 1) + 1
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^(`{3,})(\S*)", line)
        # code, and {tabularcolumns} (a LaTeX column spec that no reader sees)
        if fence and (fence.group(2) in ("{code-cell}", "{tabularcolumns}")
                      or fence.group(2)[:1] not in ("{", "")):
            ticks, i = fence.group(1), i + 1
            if fence.group(2) == "{code-cell}" and i < len(lines) and lines[i] == "---":
                i += 1
                while lines[i] != "---":  # the cell's YAML: caption, alt text
                    yield i + 1, lines[i]
                    i += 1
            while lines[i].rstrip() != ticks:
                i += 1
        elif line.startswith("(") and line.rstrip().endswith(")="):  # a label target
            pass
        else:
            yield i + 1, line
        i += 1


def typed_numbers(path: Path) -> list[str]:
    found = []
    for lineno, line in prose_lines(path):
        prose = NOT_PROSE.sub(" ", line)
        for match in [*NUMBER.finditer(prose), *MULTIPLE.finditer(prose)]:
            number = re.sub(r"\s+", " ", match.group(0)).strip().lower()
            if number not in CONSTANTS:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.append(f"{where}:{lineno}: {number!r} in {line.strip()!r}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_hand_typed_run_dependent_number(page):
    found = typed_numbers(page)
    assert not found, (
        "numbers typed into the prose: glue them from the run ({glue:text}`key:.3f`), "
        "or, if a constant, add them to CONSTANTS with the reason:\n" + "\n".join(found))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_glue_role_has_its_glue_call(page):
    text = page.read_text(encoding="utf-8")
    # glue(f"slope_{name}", ...) glues every key of the form slope_*
    glued = [re.compile(re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(key)))
             for key in GLUE_CALL.findall(text)]
    missing = sorted({key for key in GLUE_ROLE.findall(text)
                      if not any(pattern.fullmatch(key) for pattern in glued)})
    assert not missing, f"{page.name} shows glued values it never glues: {missing}"


def test_the_check_catches_a_typed_number(tmp_path):
    page = tmp_path / "chapter.md"
    page.write_text(
        "---\nkernelspec: {name: python3}\n---\n\n"
        "The model reaches 0.8337 test accuracy, {glue:text}`acc:.3f` glued.\n\n"
        "```{code-cell} ipython3\n---\nmystnb:\n  image:\n    alt: A curve up to 0.87.\n---\n"
        "x = 0.25\n```\n\nIt is 12× faster; 28 × 28 pixels; `lr=0.05`.\n\n"
        "It is about Five times faster, sixteen-fold fewer, a hundredfold,\n"
        "twice as fast; glued {glue:text}`ratio:.0f` times; counted one by one.\n",
        encoding="utf-8")
    found = typed_numbers(page)
    assert [f.split(" in ")[0] for f in found] == [
        f"{page}:5: '0.8337'", f"{page}:11: '0.87'", f"{page}:16: '12×'",
        f"{page}:18: 'five times'", f"{page}:18: 'sixteen-fold'", f"{page}:18: 'hundredfold'",
        f"{page}:19: 'twice as'"]
