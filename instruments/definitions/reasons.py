"""Why a score is blank: the answers it needs that are missing ("C3 needs hours of sleep (item 4)").

Pure Python. A score names what it is computed from in ``needs`` (an expression score or calculated item reads its
expression's names); a blank score's reason lists the missing answers, following blank scores down to the items
they need (the PSQI total needs C3, which needs item 4), so the reason names what to answer, not another blank.
A score blank although everything it needs is answered says so (the answers give no value, such as a bedtime
equal to the getting-up time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    form = _Form.of(instrument)
    reasons = {}
    for name in instrument.score_names():
        if _blank(scores.get(name)) and form.needs.get(name):
            reasons[name] = form.reason(name, values, scores)
    return {name: reason for name, reason in reasons.items() if reason.en}


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


@dataclass(frozen=True)
class _Form:
    """What the reasons read of a definition, looked up once per call."""

    instrument: Instrument
    needs: dict[str, tuple[str, ...]]
    order: dict[str, int]  # entered item code -> position
    labels: dict[str, Label]  # score name -> label

    @classmethod
    def of(cls, instrument: Instrument) -> _Form:
        needs = {
            spec.name: spec.needs or (tuple(sorted(spec.expression.references)) if spec.expression else ())
            for spec in instrument.scores
        }
        needs |= {item.code: tuple(sorted(item.expression.references)) for item in instrument.items if item.expression}
        order = {item.code: n for n, item in enumerate(instrument.items) if item.entered}
        return cls(instrument, needs, order, {spec.name: spec.label for spec in instrument.scores})

    def reason(self, name: str, values, scores) -> Label:
        missing = sorted(self.missing(name, values, scores, set()), key=self.order.__getitem__)
        if missing:
            return self.sentence(NEEDS_ANSWERS, missing)
        items = [code for code in self.needs[name] if code in self.order]
        if items:
            return self.sentence(NOT_COMPUTABLE, items)
        return self.sentence(BLANK_PARTS, [code for code in self.needs[name] if _blank(scores.get(code))])

    def missing(self, name: str, values, scores, seen: set[str]) -> list[str]:
        """The entered items ``name`` needs, directly or through blank scores, that have no answer."""
        out: list[str] = []
        for code in self.needs.get(name, ()):
            if code in seen:
                continue
            seen.add(code)
            if code in self.order:
                out += [code] if _blank(values.get(code)) else []
            elif _blank(scores.get(code)):
                out += self.missing(code, values, scores, seen)
        return out

    def sentence(self, template: Label, codes: list[str]) -> Label:
        if not codes:
            return Label("", "")
        parts = {lang: [self.text(code, lang) for code in codes] for lang in ("en", "zh")}
        return Label(
            template.en.format(items=SEPARATOR.en.join(parts["en"])),
            template.zh.format(items=SEPARATOR.zh.join(parts["zh"])),
        )

    def text(self, code: str, lang: str) -> str:
        if code in self.labels:  # a blank score another one needs
            return getattr(self.labels[code], lang) or self.labels[code].en
        item = self.instrument.item(code)
        label = _short(getattr(item.label, lang) or item.label.en)
        prefix = f"{self.instrument.code}_"
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
