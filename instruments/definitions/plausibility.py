"""Plausibility checks on one response: which checks its values break (docs/instrument-format.md, "Checks").

Pure Python. A check's expression states what must hold (``bpi_3 <= bpi_4``): false (0) breaks it, blank
(a value it reads is missing, or the expression cannot be computed) passes, so a half-filled form is only
checked on what it holds. The checks come from the definition (``Instrument.checks``) and from the study's
protocol (``kind: check`` quality rules, compiled against the definition by ``studies.protocol.quality``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from instruments.expressions import evaluate

from .model import Check, Label


@dataclass(frozen=True)
class Violation:
    """A check the values break, with what the form and the messages need."""

    code: str
    severity: str  # error | warning
    message: Label
    items: tuple[str, ...]  # what the check reads; the form marks the first one it shows

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def violations(checks: Iterable[Check], values: Mapping[str, Any], scores: Mapping[str, Any]) -> list[Violation]:
    """Every check that the cleaned ``values`` and their ``scores`` break, in the order given."""
    known = dict(values) | dict(scores)
    return [
        Violation(check.code, check.severity, check.message, check.items)
        for check in checks
        if _broken(evaluate(check.expression, known))
    ]


def _broken(result: Any) -> bool:
    return isinstance(result, (int, float)) and result == 0
