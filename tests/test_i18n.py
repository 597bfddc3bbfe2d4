"""Tests of lesson_utils.i18n and its catalog."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from lesson_utils import FASHION_MNIST_CLASSES
from lesson_utils.i18n import language, translate

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "src" / "lesson_utils" / "locale" / "zh_CN" / "LC_MESSAGES" / "lesson_utils"


def test_exact_numbers_lists_and_what_needs_no_translation():
    assert translate("epoch", "zh_CN") == "迭代周期"
    assert translate("always heads: 0.000 bits", "zh_CN") == "总是正面朝上：0.000 比特"
    assert translate("class 10", "zh_CN") == "类别 10"
    assert translate("pullover and coat", "zh_CN") == "套衫和外套"
    assert translate("t-shirt / shirt, pullover / coat, pullover / shirt", "zh_CN") == \
        "T恤/衬衫、套衫/外套、套衫/衬衫"
    assert translate("shirt\n-> coat\n0.97", "zh_CN") == "衬衫\n-> 外套\n0.97"
    for same in ("0.5", "−1.5", "1e-05", "$x_0$", r"$\mathdefault{10^{-2}}$", "", "72%",
                 "inf", "-nan"):
        assert translate(same, "zh_CN") == same
    assert translate("no such words", "en") == "no such words"


def test_untranslated_text_is_none_or_an_error_naming_it():
    assert translate("shirt and no such word", "zh_CN") is None
    assert translate("unknown: 1.5 bits", "zh_CN") is None
    with pytest.raises(LookupError, match="'no such words'"):
        translate("no such words", "zh_CN", strict=True)
    with pytest.raises(LookupError, match="'no such words'"):  # strict line by line too
        translate("shirt\nno such words", "zh_CN", strict=True)
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        translate("shirt", "fr")


def test_the_readers_language_comes_from_lesson_language(monkeypatch):
    monkeypatch.delenv("LESSON_LANGUAGE", raising=False)
    assert language() == "en"
    monkeypatch.setenv("LESSON_LANGUAGE", "zh_CN")
    assert language() == "zh_CN"
    monkeypatch.setenv("LESSON_LANGUAGE", "zh")
    with pytest.raises(ValueError, match="LESSON_LANGUAGE must be one of en, zh_CN, got 'zh'"):
        language()


def test_the_committed_mo_is_compiled_from_the_po():
    """After editing the .po, `make translations` compiles the .mo."""
    with CATALOG.with_suffix(".po").open("rb") as handle:
        catalog = read_po(handle)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert CATALOG.with_suffix(".mo").read_bytes() == compiled.getvalue()
    assert not [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]


def test_class_names_are_chapter_7s():
    """Chapter 7's catalog names the classes: "T恤（T-shirt/top）、裤子（trouser）..."."""
    with (ROOT / "locales/zh_CN/LC_MESSAGES/chapters/07_dataset.po").open("rb") as handle:
        text = next(m.string for m in read_po(handle) if "T恤（T-shirt/top）" in m.string)
    chapter = {english.split("/")[0].lower(): chinese.removeprefix("和") for chinese, english
               in re.findall(r"([^\s、：（）]+)（([^）]+)）", text)}
    assert {name: translate(name, "zh_CN") for name in FASHION_MNIST_CLASSES} == chapter


# Figure words the chapters compute: checked where they are drawn, by the Chinese build
# (book/_ext/translation.py warns about any figure text the kernel could not translate).
COMPUTED = {"{}: {} bits", "{} constraint", "{} fit", "w{}", "$x_{}$", "$o_{}$", "{}", "C{}"}
FIGURE_WORDS = {"label", "xlabel", "ylabel", "title", "set_xlabel", "set_ylabel", "set_title",
                "text", "suptitle", "titles", "legend"}


def _figure_strings(code: str):
    """String literals (f-strings with "{}" for each value) passed to a figure's words."""
    for node in ast.walk(ast.parse(code)):
        values = []
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            values = [k.value for k in node.keywords if k.arg in FIGURE_WORDS]
            if name in FIGURE_WORDS:
                values += node.args
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") in {"classes", "labels"}
                                                  for t in node.targets):
            values = node.value.values if isinstance(node.value, ast.Dict) else [node.value]
        for value in values:
            yield from _strings(value)


def _strings(node: ast.AST):
    if isinstance(node, ast.JoinedStr):  # f"{name}: {h:.3f} bits" -> "{}: {} bits"
        yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    else:
        for child in ast.iter_child_nodes(node):
            yield from _strings(child)


def test_every_figure_word_of_the_chapters_is_in_the_catalog():
    strings = set()
    for chapter in sorted((ROOT / "chapters").glob("*.md")):
        text = chapter.read_text(encoding="utf-8")
        for code in re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, flags=re.M | re.S):
            code = re.sub(r"\A---\n.*?\n---\n", "", code, flags=re.S)  # the cell's options
            code = "\n".join(line for line in code.splitlines()
                             if not line.startswith(("%", ":")))  # magics, :tags: options
            strings |= set(_figure_strings(code))
    assert len(strings) > 60
    untranslated = sorted(s for s in strings - COMPUTED if translate(s, "zh_CN") is None)
    assert not untranslated, "add them to " + str(CATALOG.with_suffix(".po"))
