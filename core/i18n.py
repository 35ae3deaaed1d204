"""Bilingual text: "this text in the viewer's language", decided in one place.

The project keeps English and Simplified Chinese side by side in four shapes, and all of them read here:

- an object with ``.en`` and ``.zh`` (``Bilingual`` below, and the pure packages' own dataclasses such as
  instruments' ``Label`` and the protocol's ``Text``, which stay free of Django: read by duck typing);
- a dict ``{"en": ..., "zh": ...}`` (messages stored as JSON);
- a model with a pair of fields, ``label`` and ``label_zh`` (``field_text``);
- two strings (``in_viewer_language``).

The rule is the same for all: Chinese when the active language is Chinese and the Chinese text is not empty,
English otherwise, and the other language when the wanted one is empty. Only Django and the standard library here:
every app may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import get_language


class HasEnZh(Protocol):
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in English and Chinese; ``str()`` gives it in the viewer's language."""

    en: str
    zh: str = ""

    def __str__(self) -> str:
        return in_viewer_language(self.en, self.zh)


def is_chinese(language_code: str | None = None) -> bool:
    """Whether ``language_code`` (by default the active language) is a Chinese one (``zh-hans``, ``zh-cn``...)."""
    code = get_language() if language_code is None else language_code
    return (code or "").lower().startswith("zh")


def in_viewer_language(en: str | None, zh: str | None, *, language_code: str | None = None) -> str:
    """The text in the viewer's language when it is there, else the other one (``""`` when both are missing).

    A study may declare one language only, so an English viewer of a Chinese-only label sees the Chinese.
    """
    if zh and is_chinese(language_code):
        return zh
    return en or zh or ""


def text_for(value: HasEnZh | dict | None, *, language_code: str | None = None) -> str:
    """A bilingual value (an object with ``.en``/``.zh``, or a dict with ``"en"``/``"zh"``) in the viewer's
    language; ``None`` or an empty dict is ``""``."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return in_viewer_language(value.get("en"), value.get("zh"), language_code=language_code)
    return in_viewer_language(value.en, getattr(value, "zh", ""), language_code=language_code)


def field_text(obj, field: str, *, language_code: str | None = None) -> str:
    """A model's pair of fields, ``field`` and ``field + "_zh"``, in the viewer's language; when ``field`` itself
    holds bilingual text (``.en``/``.zh``, as the parsed protocol's labels do), that text."""
    value = getattr(obj, field, "")
    if hasattr(value, "en") and hasattr(value, "zh"):
        return text_for(value, language_code=language_code)
    return in_viewer_language(value, getattr(obj, f"{field}_zh", ""), language_code=language_code)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def pair_text(text: str, *, language_code: str | None = None) -> str:
    """A text the system stored in both languages as "English / 中文" (the schedule's and rules' audit reasons,
    participants.services.common) in the viewer's language; any other text as it is."""
    en, sep, zh = (text or "").partition(" / ")
    if not sep or _has_cjk(en) or not _has_cjk(zh) or "\n" in text:
        return text or ""
    return in_viewer_language(en, zh, language_code=language_code)
