"""The package's words in the reader's language: figure labels and class names.

One gettext catalog per language, ``locale/<language>/LC_MESSAGES/lesson_utils.po``,
compiled to the ``.mo`` next to it (``make translations`` recompiles it). English is
the source; ``LESSON_LANGUAGE`` (``en`` by default, or ``zh_CN``) names the reader's.

Examples
--------
>>> translate("shirt", "zh_CN")
'衬衫'
>>> translate("fair: 1.000 bits", "zh_CN")  # numbers go through "{}" placeholders
'公平硬币：1.000 比特'
>>> translate("t-shirt / shirt, pullover / coat", "zh_CN")  # lists, word by word
'T恤/衬衫、套衫/外套'
>>> translate("$x_0$", "zh_CN"), translate("0.25", "zh_CN")  # nothing to translate
('$x_0$', '0.25')
>>> translate("no such words", "zh_CN", strict=True)
Traceback (most recent call last):
    ...
LookupError: no zh_CN translation of 'no such words' in lesson_utils' catalog
"""

from __future__ import annotations

import functools
import gettext
import os
import re
from pathlib import Path

__all__ = ["LANGUAGES", "language", "translate"]

_LOCALE = Path(__file__).with_name("locale")
# English, the source, then every language with a catalog in locale/
LANGUAGES = ("en", *sorted(p.parent.parent.name for p in _LOCALE.glob("*/LC_MESSAGES/*.mo")))
_NUMBER = re.compile(r"(?<![\w.])[-+−]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|inf|nan)(?![\w.])")
_MATH = re.compile(r"\$[^$]*\$")
_LATIN = re.compile(r"[A-Za-z]")
_SEPARATORS = {"zh_CN": {", ": "、", " and ": "和", " / ": "/"}}


def language() -> str:
    """The reader's language: the environment variable ``LESSON_LANGUAGE``, ``en`` if unset.

    >>> os.environ.pop("LESSON_LANGUAGE", None) and None; language()
    'en'
    """
    value = os.environ.get("LESSON_LANGUAGE", "").strip() or "en"
    if value not in LANGUAGES:
        raise ValueError(f"LESSON_LANGUAGE must be one of {', '.join(LANGUAGES)}, got {value!r}")
    return value


class _Missing(gettext.NullTranslations):
    def gettext(self, message):  # a message the catalog lacks: None, not the message itself
        return None


@functools.cache
def _catalog(lang: str) -> gettext.NullTranslations:
    catalog = gettext.translation("lesson_utils", _LOCALE, languages=[lang])
    catalog.add_fallback(_Missing())
    return catalog


def _lookup(text: str, lang: str) -> str | None:
    catalog = _catalog(lang)
    found = catalog.gettext(text)
    if found is None and _NUMBER.search(text):  # "fair: 1.000 bits" as "fair: {} bits"
        found = catalog.gettext(_NUMBER.sub("{}", text.replace("{", "{{").replace("}", "}}")))
        found = found and found.format(*_NUMBER.findall(text))
    if found is None:  # a list of known words: "pullover and coat"
        parts = re.split(f"({'|'.join(map(re.escape, _SEPARATORS.get(lang, {})))})", text)
        words = [catalog.gettext(part) for part in parts[::2]] if len(parts) > 1 else [None]
        if None not in words:
            separators = [_SEPARATORS[lang][s] for s in parts[1::2]] + [""]
            found = "".join(w + s for w, s in zip(words, separators, strict=True))
    return found


def translate(text: str, lang: str, strict: bool = False) -> str | None:
    """``text`` in the language ``lang``: the catalog's translation of it.

    Text without Latin letters outside numbers and ``$math$`` is returned as it
    is, as is every text for ``lang="en"``. Multi-line text is translated line
    by line, a leading arrow (``"-> shirt"``) kept.

    Returns None for text the catalog does not translate, or raises LookupError
    if ``strict``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; lesson_utils has {', '.join(LANGUAGES)}")
    if lang == "en" or not _LATIN.search(_NUMBER.sub("", _MATH.sub("", text))):
        return text
    if "\n" in text:
        lines = [translate(line, lang, strict) for line in text.split("\n")]
        return None if None in lines else "\n".join(lines)
    arrow, rest = re.match(r"(-> |)(.*)", text, flags=re.S).groups()
    found = _lookup(rest, lang)
    if found is None and strict:
        raise LookupError(f"no {lang} translation of {text!r} in lesson_utils' catalog")
    return found if found is None else arrow + found
