"""The Chinese edition's catalogs: complete, faithful to their English, in the glossary's terms.

Each catalog (locales/zh_CN/LC_MESSAGES/<page>.po) holds the messages of one
page. The build itself (book/_ext/translation.py) fails on an English message
that its catalog lacks; these tests check what is in the catalogs:

- completeness: every message translated, none fuzzy;
- fidelity: a translation keeps its source's roles with the same targets
  ({glue:text}, {term}, {doc}, {numref}, {cite}, ...), the same inline math
  and the same inline code;
- terms: where the English links {term}`X`, the translation names X as the
  glossary's Chinese entry does;
- consistency: one Chinese word per concept (PREFERRED), no space between a
  role whose link text is Chinese and the Chinese around it, full-width
  parentheses around Chinese words and in the glossary's headwords.

A failure names the catalog and quotes the English message.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`]*)`")
TARGET = re.compile(r"<([^<>]+)>\s*$")
# inline math $...$ (not $$), and inline code outside roles
MATH = re.compile(r"(?<![\\$])\$(?!\$)((?:[^$\\]|\\.)+?)\$")
CODE = re.compile(r"(?<![`}])`([^`]+)`(?!`)")
CJK = re.compile(r"[\u4e00-\u9fff]")
# a typed number that a translation must not change: a decimal, or a percentage
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?\s?%|(?<![A-Za-z0-9_.])\d+\.\d+")


def _pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc["parts"]:
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


PAGES = _pages()


def roles(text: str) -> Counter:
    """(role, target) pairs; the target of `title <target>` is the target."""
    found = Counter()
    for name, content in ROLE.findall(text):
        match = TARGET.search(content)
        found[(name, match.group(1).strip() if match else content.strip())] += 1
    return found


def inline_math(text: str) -> Counter:
    """Inline formulas; the words of a \\text{} are prose, which a translation translates."""
    return Counter(re.sub(r"\\text\{[^{}]*\}", r"\\text{}", m.strip())
                   for m in MATH.findall(ROLE.sub("", text)))


def inline_code(text: str) -> Counter:
    return Counter(CODE.findall(ROLE.sub("", text)))


def _translation_extension():
    if str(ROOT / "book" / "_ext") not in sys.path:  # it imports its sibling, as Sphinx allows
        sys.path.insert(0, str(ROOT / "book" / "_ext"))
    spec = importlib.util.spec_from_file_location("translation", ROOT / "book" / "_ext" /
                                                  "translation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The build's own catalog path and untranslated-message rule, with the book's Sphinx config
extension = _translation_extension()
CONFIG = SimpleNamespace(
    **yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"],
    language="zh_CN")


def glossary_names() -> dict[str, list[str]]:
    """English term (lower case) -> the Chinese names its glossary entry gives."""
    return extension.glossary_names(ROOT / "book" / "glossary.md")


def numbers(text: str) -> Counter:
    """Decimals and percentages typed in the prose (not in roles, math or code)."""
    prose = CODE.sub("", MATH.sub("", ROLE.sub("", text)))
    return Counter(n.replace(" ", "") for n in NUMBER.findall(prose))


def fidelity_problems(source: str, translation: str, terms: dict[str, list[str]]) -> list[str]:
    """What a translation changed that it must keep (empty when faithful)."""
    problems = []
    for what, extract in (("roles", roles), ("inline math", inline_math),
                          ("inline code", inline_code), ("typed numbers", numbers)):
        want, got = extract(source), extract(translation)
        if want != got:
            missing, extra = sorted((want - got).elements()), sorted((got - want).elements())
            problems.append(f"{what} differ: missing {missing}, extra {extra}")
    for (name, target), _ in roles(source).items():
        if name != "term":
            continue
        names = terms.get(target.lower())
        if names is None:
            problems.append(f"{{term}}`{target}` is not in the glossary")
        elif not any(n and n in translation for n in names):
            problems.append(
                f"{{term}}`{target}` should be named {names[1]!r} (the glossary's name)")
    return problems


def _catalog(page: str) -> tuple[Path, dict[str, tuple[str, bool]]]:
    """(path relative to the root, msgid -> (msgstr, fuzzy)) of a page's catalog."""
    relative = extension.catalog_path(CONFIG, page)
    if not (ROOT / relative).exists():
        pytest.fail(f"{relative} is missing: run `make translations`")
    return relative, extension.read_catalog(ROOT / relative)


def _report(catalog, problems: list[tuple[str, str]]) -> str:
    lines = [f"{catalog}: {len(problems)} message(s) to fix"]
    for english, why in problems:
        short = " ".join(english.split())
        lines.append(f"  {why}\n    English: {short[:160]!r}")
    return "\n".join(lines)


@pytest.mark.parametrize("page", PAGES)
def test_every_message_is_translated_and_none_is_fuzzy(page):
    catalog, messages = _catalog(page)
    assert messages, f"{catalog} has no messages"
    problems = [(english, why) for english in messages
                if (why := extension.untranslated(messages, english))]
    assert not problems, _report(catalog, problems)


@pytest.mark.parametrize("page", PAGES)
def test_translations_keep_roles_math_code_and_terms(page):
    catalog, messages = _catalog(page)
    terms = glossary_names()
    problems = []
    for english, (chinese, _) in messages.items():
        if chinese.strip():
            problems += [(english, why) for why in fidelity_problems(english, chinese, terms)]
    assert not problems, _report(catalog, problems)


def prose(english: str, chinese: str) -> str:
    """The words of a translation: a code cell's are its comments (one per line)."""
    if not extension.words(english):
        return chinese
    return "\n".join(w.strip("#\"' ") for w in extension.words(chinese))


@pytest.mark.parametrize("page", PAGES)
def test_chinese_prose_uses_full_width_punctuation(page):
    """A comma, colon, semicolon or full stop between Chinese characters is full-width."""
    catalog, messages = _catalog(page)
    half = re.compile(r"[\u4e00-\u9fff][,;:!?]|[\u4e00-\u9fff]\.(?=\s|$)|[,;:]\s*[\u4e00-\u9fff]")
    problems = []
    for english, (chinese, _) in messages.items():
        hit = half.search(ROLE.sub("", MATH.sub("", CODE.sub("", prose(english, chinese)))))
        if hit:
            problems.append((english, f"half-width punctuation in Chinese prose: {hit.group(0)!r}"))
    assert not problems, _report(catalog, problems)


# One word per concept: a discouraged variant (regex) -> the word this edition uses.
PREFERRED = {
    "学习笔记": "笔记",
    "工具包": "软件包",
    "单元格": "代码单元",  # also catches 代码单元格
    "归一化(?!指数函数)": "规范化",  # d2l-zh: 批量规范化, 未规范化的预测
    "更进一步": "拓展",  # the optional "Going further" sections
    "奈特": "纳特",  # d2l-zh's unit of information
    "笔记本": "记事本",  # d2l-zh's Jupyter 记事本; 笔记 are the study notes
    r"(?<![\w/.-])notebooks?(?![\w/.-])": "记事本",
    "检验": "检查",  # an executed check, the checker's checks
    r"(?<!（)Frobenius": "弗罗贝尼乌斯范数",  # the glossary's （Frobenius 范数） aside
    "均匀硬币": "公平硬币",
    r"(?<![\w.])\d+\s*[xX*]\s*\d+(?![\w.])": "× for a product or a size",
    "惊奇": "惊异",  # d2l-zh's word, named where the glossary gives 信息量
    r"(?<=[一两二三四五六七八九十几每这那某多前\dR ])幅(?!度)": "张",  # images and charts
    r"(?<![\d.])\d{1,3}(?:[ ,\u202f\u00a0]\d{3})+(?![\d.])": "digits without separators",
}
CJK_CHAR = r"[\u4e00-\u9fff]"
CHINESE_ROLES = {"numref", "ref", "doc"}


def consistency_problems(chinese: str, glossary: bool = False) -> list[str]:
    """Where a translation strays from the edition's conventions (empty when it keeps them)."""
    problems = []
    prose = CODE.sub("C", MATH.sub("M", ROLE.sub("R", chinese)))
    for variant, preferred in PREFERRED.items():
        for hit in re.finditer(variant, prose):
            problems.append(f"{hit.group(0)!r}: write {preferred!r}")
    for match in ROLE.finditer(chinese):
        # a reference renders a Chinese caption number or title (图 3, “…”); a term its text
        text = "图" if match.group(1) in CHINESE_ROLES else TARGET.sub("", match.group(2)).strip()
        before, after = chinese[:match.start()], chinese[match.end():]
        if re.match(CJK_CHAR, text) and re.search(CJK_CHAR + " $", before):
            problems.append(f"space before {match.group(0)!r}: no space between Chinese words")
        if re.search(CJK_CHAR + "$", text) and re.match(" " + CJK_CHAR, after):
            problems.append(f"space after {match.group(0)!r}: no space between Chinese words")
    for hit in re.finditer(r"\([^()]*" + CJK_CHAR + r"[^()]*\)", prose):
        problems.append(f"{hit.group(0)!r}: Chinese words take full-width parentheses （）")
    if glossary:
        for hit in re.finditer(r"\*\*[^*]*\([^*]*\)[^*]*\*\*", chinese):
            problems.append(f"{hit.group(0)!r}: a headword takes full-width parentheses （）")
    return problems


PACKAGE_CATALOG = Path("src/lesson_utils/locale/zh_CN/LC_MESSAGES/lesson_utils.po")


@pytest.mark.parametrize("page", [*PAGES, "lesson_utils"])
def test_chinese_uses_one_word_per_concept_and_one_spacing(page):
    """The variants of PREFERRED, spaces between a Chinese role and Chinese words, and
    half-width parentheses in the glossary's headwords do not appear; the package's catalog
    (figure labels, the checker's messages) keeps the same words. Only a chapter says 本章."""
    if page == "lesson_utils":
        catalog, messages = PACKAGE_CATALOG, extension.read_catalog(ROOT / PACKAGE_CATALOG)
    else:
        catalog, messages = _catalog(page)
    problems = []
    for english, (chinese, _) in messages.items():
        if chinese == english:  # English on purpose: a table's English column, a symbol
            continue
        problems += [(english, why) for why in consistency_problems(
            prose(english, chinese), glossary=page == "book/glossary")]
        if not page.startswith("chapters/") and "本章" in chinese:
            problems.append((english, "本章 on a page that is not a chapter: 本书, 本页 …"))
    assert not problems, _report(catalog, problems)


@pytest.mark.parametrize("page", PAGES)
def test_a_translated_code_cell_is_the_same_program(page):
    """A code cell is a message where it has a comment or a docstring (book/_ext/
    translation.py, (8)): its translation changes those only, so that both editions run one
    program. Compared token by token, comments and docstrings left out."""
    catalog, messages = _catalog(page)
    problems = []
    for english, (chinese, _) in messages.items():
        if chinese and extension.words(english):
            if extension.program(chinese) != extension.program(english):
                problems.append((english, "the translated cell is not the same program"))
            elif re.search(r"#[^\n一-鿿]*[A-Za-z]{3,} [a-z]{3,}[^\n一-鿿]*$",
                           chinese, flags=re.M):
                problems.append((english, "a comment is still English"))
            elif any(w.startswith(('"', "'")) and not CJK.search(w)
                     for w in extension.words(chinese)):
                problems.append((english, "a docstring is still English"))
    assert not problems, _report(catalog, problems)


# ------------------------------------------------------ the checks can fail

TERMS = {"entropy": ["熵", "熵"], "feature": ["特征", "特征"]}


def test_fidelity_catches_a_lost_glue_a_changed_target_math_code_and_a_term():
    source = ("The {term}`entropy` of {glue:text}`h_fair:.3f` bits, see {numref}`fig-a`, "
              "where $H(p)$ is `entropy(p)`.")
    good = ("{term}`熵 <entropy>` 为 {glue:text}`h_fair:.3f` 比特，见 {numref}`fig-a`，"
            "其中 $H(p)$ 即 `entropy(p)`。")
    assert fidelity_problems(source, good, TERMS) == []
    assert fidelity_problems(source, good.replace("{glue:text}`h_fair:.3f`", "1.000"), TERMS)
    assert fidelity_problems(source, good.replace("fig-a", "fig-b"), TERMS)
    assert fidelity_problems(source, good.replace("$H(p)$", "$H$"), TERMS)
    assert fidelity_problems(source, good.replace("`entropy(p)`", "熵函数"), TERMS)
    assert fidelity_problems("A 0.5 chance, 10 % of it.", "0.5 的概率，其中的 10%。", TERMS) == []
    assert fidelity_problems("A 0.5 chance.", "0.6 的概率。", TERMS)
    wrong_name = good.replace("{term}`熵 <entropy>`", "{term}`不确定度 <entropy>`")
    assert any("should be named '熵'" in p for p in fidelity_problems(source, wrong_name, TERMS))


def test_the_glossary_gives_every_linked_term_a_chinese_name():
    names = glossary_names()
    assert names["entropy"][1] == "熵"
    assert names["accuracy"][1] == "准确率" and "精度" in names["accuracy"]
    linked = set()
    for source in [*ROOT.glob("chapters/*.md"), *ROOT.glob("book/*.md")]:
        linked |= {t.lower() for (r, t) in roles(source.read_text(encoding="utf-8")) if r == "term"}
    assert not linked - set(names), f"terms with no glossary entry: {sorted(linked - set(names))}"


def test_the_program_check_ignores_comments_and_docstrings_and_nothing_else():
    english = ('def f(o):\n    """Probabilities."""\n    x = softmax(o)  # probabilities\n'
               '    # the loss\n    return -x.log(), "text"\n')
    same = ('def f(o):\n    """概率。"""\n    x = softmax(o)  # 概率\n'
            '    # 损失\n    return -x.log(), "text"\n')
    assert extension.program(english) == extension.program(same)
    for changed in (same.replace("-x", "x"), same.replace("(o)", "(o, 1)"),
                    same.replace("x =", "y ="), same.replace('"text"', '"文本"')):
        assert extension.program(english) != extension.program(changed), changed
    assert extension.words(english) == ['"""Probabilities."""', "# probabilities", "# the loss"]
    assert extension.words("x = 1  \n") == []
    assert extension.words("Write the # sign, then the comment.") == []


def test_an_index_headword_is_the_chinese_name_with_its_english():
    assert extension._headword("准确率（精度）", "accuracy") == "准确率（精度，accuracy）"
    assert extension._headword("仿射函数", "affine function") == "仿射函数（affine function）"
    assert extension._headword("未规范化的预测（logit）", "logit") == "未规范化的预测（logit）"


def test_the_build_check_reports_missing_empty_and_fuzzy_translations():
    untranslated = extension.untranslated
    catalog = {"A.": ("甲。", False), "B.": ("", False), "C.": ("丙。", True)}
    assert untranslated(catalog, "A.") is None
    assert untranslated(catalog, "B.") == "has no translation"
    assert "fuzzy" in untranslated(catalog, "C.")
    assert untranslated(catalog, "D.") == "is not in the catalog"


def test_consistency_catches_variants_spacing_and_half_width_headwords():
    good = ("单个{term}`全连接层 <fully connected layer>`把 10000 张图像规范化，"
            "一个 {term}`softmax 运算 <softmax>`和 $10,000$ 与 `1 000`。")
    assert consistency_problems(good) == []
    for bad in ("学习笔记", "工具包", "代码单元格", "归一化", "更进一步", "0.1 奈特", "两幅图像",
                "10 000 张", "60,000 张"):
        assert consistency_problems(good + bad), bad
    assert consistency_problems(good.replace("单个{term}", "单个 {term}"))
    assert consistency_problems(good.replace("`把", "` 把"))
    assert consistency_problems("**准确率 (精度)**。", glossary=True)
    assert consistency_problems("**准确率（精度）**。", glossary=True) == []
    assert consistency_problems("降幅、升幅、步幅与幅度。") == []
    assert consistency_problems("样本数 (批量大小)")
    for bad in ("笔记本", "每个 notebook 都", "检验", "Frobenius 范数", "均匀硬币",
                "28 x 28 的图像", "如 {numref}`fig-a` 所示"):
        assert consistency_problems(bad), bad
    for fine in ("归一化指数函数", "`notebooks/`", "（Frobenius 范数）", "28 × 28 的图像",
                 "如{numref}`fig-a`所示", "the $28 x 28$"):
        assert consistency_problems(fine) == [], fine
    assert consistency_problems("形状为 (256, 1, 28, 28)，即样本数（批量大小）。") == []
