"""Why a score is blank: the answers it needs that are missing ("C3 needs hours of sleep (item 4)").

Pure Python. A score names what it is computed from in ``needs`` (an expression score or calculated item reads its
expression's names); a blank score's reason lists the missing answers, following blank scores down to the items
they need (the PSQI total needs C3, which needs item 4), so the reason names what to answer, not another blank.
A score blank although everything it needs is answered says so (the answers give no value, such as a bedtime
equal to the getting-up time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Instrument, Label

NEEDS_ANSWERS = Label("Needs an answer to: {items}.", "需要回答：{items}。")
NOT_COMPUTABLE = Label("Cannot be computed from the answers to: {items}.", "无法根据以下答案计算：{items}。")
BLANK_PARTS = Label("Blank because {items} cannot be computed.", "因{items}无法计算而为空。")
ITEM = Label("{label} (item {number})", "{label}（第{number}题）")
SEPARATOR = Label("; ", "；")
MAX_LABEL = 60  # characters of an item's label quoted in a reason


def score_reasons(instrument: Instrument, values: Mapping[str, Any], scores: Mapping[str, Any]) -> dict[str, Label]:
    """score name (or calculated item code) -> why it is blank, for each blank score that declares its needs."""
    reasons = {}
    for name in instrument.score_names():
        if _blank(scores.get(name)) and _needs(instrument, name):
            reasons[name] = _reason(instrument, name, values, scores)
    return {name: reason for name, reason in reasons.items() if reason.en}


def _reason(instrument: Instrument, name: str, values, scores) -> Label:
    missing = _missing(instrument, name, values, scores, set())
    if missing:
        return _sentence(instrument, NEEDS_ANSWERS, missing)
    needs = _needs(instrument, name)
    items = [code for code in needs if _is_entered(instrument, code)]
    if items:
        return _sentence(instrument, NOT_COMPUTABLE, items)
    return _sentence(instrument, BLANK_PARTS, [code for code in needs if _blank(scores.get(code))])


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _needs(instrument: Instrument, name: str) -> tuple[str, ...]:
    for spec in instrument.scores:
        if spec.name == name:
            return spec.needs or (tuple(sorted(spec.expression.references)) if spec.expression else ())
    for item in instrument.items:
        if item.code == name and item.expression is not None:
            return tuple(sorted(item.expression.references))
    return ()


def _missing(instrument: Instrument, name: str, values, scores, seen: set[str]) -> list[str]:
    """The entered items ``name`` needs, directly or through blank scores, that have no answer (item order)."""
    out: list[str] = []
    for code in _needs(instrument, name):
        if code in seen:
            continue
        seen.add(code)
        if _is_entered(instrument, code):
            if _blank(values.get(code)):
                out.append(code)
        elif _blank(scores.get(code)):
            out += _missing(instrument, code, values, scores, seen)
    order = {code: n for n, code in enumerate(instrument.item_codes())}
    return sorted(out, key=lambda code: order.get(code, len(order)))


def _is_entered(instrument: Instrument, code: str) -> bool:
    return any(item.code == code and item.entered for item in instrument.items)


def _sentence(instrument: Instrument, template: Label, codes: list[str]) -> Label:
    if not codes:
        return Label("", "")
    parts = {lang: [_item_text(instrument, code, lang) for code in codes] for lang in ("en", "zh")}
    return Label(
        template.en.format(items=SEPARATOR.en.join(parts["en"])),
        template.zh.format(items=SEPARATOR.zh.join(parts["zh"])),
    )


def _item_text(instrument: Instrument, code: str, lang: str) -> str:
    spec = next((spec for spec in instrument.scores if spec.name == code), None)
    if spec is not None:  # a blank score another one needs
        return getattr(spec.label, lang) or spec.label.en
    item = instrument.item(code)
    label = _short(getattr(item.label, lang) or item.label.en)
    prefix = f"{instrument.code}_"
    number = code[len(prefix) :] if code.startswith(prefix) else code
    return getattr(ITEM, lang).format(label=label, number=number)


def _short(label: str) -> str:
    """A long label up to its first parenthesis, else cut: the item number says which one it is."""
    if len(label) <= MAX_LABEL:
        return label
    for mark in (" (", "（", "("):
        at = label.find(mark)
        if 0 < at <= MAX_LABEL:
            return label[:at].rstrip()
    return label[: MAX_LABEL - 1].rstrip() + "…"
