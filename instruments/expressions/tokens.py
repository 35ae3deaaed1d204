"""Split an expression into tokens, in either dialect.

``edc`` names items bare (``q1 + q2``); ``redcap`` writes them in brackets (``[q1] + [q2]``) and the
tokenizer refuses what REDCap can say but a single form cannot compute: smart variables (``[event-name]``),
cross-event or instance references (``[baseline_arm_1][q1]``) and checkbox options (``[q1(2)]``).
Only ASCII is read: a digit or letter from another script is an unexpected character, not a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ExpressionError, gettext_noop

NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OPERATORS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "^", "%")
PUNCTUATION = {"(": "(", ")": ")", ",": ",", ";": ";"}


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "str", "name", "op", "(", ")", ",", ";", "end"
    text: str
    column: int
    bracketed: bool = False  # a REDCap [item]


def tokenize(source: str, dialect: str) -> list[Token]:
    tokens, at = [], 0
    while at < len(source):
        char = source[at]
        if char in " \t\r\n":
            at += 1
            continue
        token, at = _token(source, at, dialect)
        tokens.append(token)
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


def _token(source: str, at: int, dialect: str) -> tuple[Token, int]:
    char, column = source[at], at + 1
    if char in PUNCTUATION:
        return Token(char, char, column), at + 1
    if char in "\"'":
        end = source.find(char, at + 1)
        if end < 0:
            raise ExpressionError(gettext_noop("unterminated text: a closing %(quote)s is missing"), column, quote=char)
        return Token("str", source[at + 1 : end], column), end + 1
    if char == "[" and dialect == "redcap":
        return _bracketed(source, at)
    for op in OPERATORS:
        if source.startswith(op, at):
            return Token("op", op, column), at + len(op)
    for kind, pattern in (("num", NUMBER), ("name", NAME)):
        match = pattern.match(source, at)
        if match:
            return Token(kind, match.group(), column), match.end()
    raise ExpressionError(gettext_noop("unexpected character %(char)r"), column, char=char)


def _bracketed(source: str, at: int) -> tuple[Token, int]:
    column, end = at + 1, source.find("]", at)
    if end < 0:
        raise ExpressionError(gettext_noop("a closing ] is missing"), column)
    inside = source[at + 1 : end].strip()
    if source[end + 1 : end + 2] == "[":
        raise ExpressionError(
            gettext_noop(
                "[%(name)s][...]: cross-event and repeating-instance references are not supported; "
                "an expression reads only the items of its own form"
            ),
            column,
            name=inside,
        )
    if "(" in inside:
        raise ExpressionError(
            gettext_noop("[%(name)s]: checkbox option references are not supported"), column, name=inside
        )
    if not NAME.fullmatch(inside):
        raise ExpressionError(
            gettext_noop(
                "[%(name)s] is a REDCap smart variable or not a field name: smart variables are not supported"
            ),
            column,
            name=inside,
        )
    return Token("name", inside, column, bracketed=True), end + 1
