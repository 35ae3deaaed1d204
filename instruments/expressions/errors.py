"""The one exception of the expression language: what is wrong, and where (a 1-based column)."""

from __future__ import annotations

from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages (a pure package cannot import Django's); the page translates it."""
    return message


class ExpressionError(ValueError):
    """An expression that cannot be compiled. ``message`` is the English text; ``msgid`` and ``params`` let a
    page translate it (the msgids are in instruments/locale); ``column`` counts from 1 in the source."""

    def __init__(self, msgid: str, column: int, **params: Any):
        self.msgid = msgid
        self.params = params
        self.message = msgid % params if params else msgid
        self.column = column
        super().__init__(f"column {column}: {self.message}")
