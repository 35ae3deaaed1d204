"""Bilingual definition text and messages in the language of the current request."""

from __future__ import annotations

from django.utils.translation import get_language

from .definitions import Label


def chinese() -> bool:
    return (get_language() or "").startswith("zh")


def text(label: Label | None) -> str:
    if label is None:
        return ""
    return (label.zh or label.en) if chinese() else label.en


def message(bilingual: dict[str, str] | None) -> str:
    if not bilingual:
        return ""
    return bilingual.get("zh" if chinese() else "en") or bilingual.get("en", "")
