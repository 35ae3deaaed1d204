"""A small, sandboxed expression language for calculated items and scores (docs/instrument-format.md).

Pure Python, no ``eval``: source is tokenized, parsed into frozen dataclasses and walked. Two dialects read
into the same tree: ``edc`` (items by bare name, ``mean(q1, q2, q3; min=2)``) and ``redcap`` (REDCap's
``calc`` syntax, ``[q1]``), so a REDCap project's calculated fields are translated on import and written back
on export.

    expression = compile_expression("round(mean(q1, q2, q3; min=2), 1)", {"q1", "q2", "q3"})
    evaluate(expression, {"q1": 2, "q2": 3})  # 2.5

``compile_expression`` raises ExpressionError (message, column) for every mistake; ``evaluate`` never raises:
what cannot be computed is None (no value).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import ExpressionError
from .evaluate import run
from .nodes import Node, references
from .parse import MAX_DEPTH, MAX_LENGTH, MAX_NESTING, parse
from .render import to_source

# Bump when a change to the evaluator could change a computed value, so stored scores are recomputed.
LANGUAGE_VERSION = "1"


@dataclass(frozen=True)
class Expression:
    """A compiled expression. Two are equal when their trees are, whatever dialect or spacing they were
    written in (so a definition survives a round trip through REDCap's syntax)."""

    source: str = field(compare=False)
    dialect: str = field(compare=False)
    node: Node

    @property
    def references(self) -> frozenset[str]:
        return references(self.node)

    def to_edc(self) -> str:
        return to_source(self.node, "edc")

    def to_redcap(self) -> str:
        return to_source(self.node, "redcap")


def compile_expression(source: str, items: Collection[str], dialect: str = "edc") -> Expression:
    """Parse ``source``, whose names must be in ``items``; ExpressionError(message, column) otherwise."""
    return Expression(source, dialect, parse(source, items, dialect))


def evaluate(expression: Expression, values: Mapping[str, Any]) -> int | float | str | None:
    """The value for these answers (item code -> cleaned value), or None. Never raises.

    A shown value: a whole number is an int, a comparison 1 or 0, a date ISO text, empty text None.
    """
    return shown(run(expression.node, values))


def shown(value: Any) -> int | float | str | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, date):
        return value.isoformat()
    return value or None


def translate_redcap(source: str, items: Collection[str]) -> str:
    """REDCap ``calc`` syntax -> this product's syntax; ExpressionError with the column in ``source``."""
    return compile_expression(source, items, "redcap").to_edc()


__all__ = [
    "LANGUAGE_VERSION",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NESTING",
    "Expression",
    "ExpressionError",
    "compile_expression",
    "evaluate",
    "translate_redcap",
]
