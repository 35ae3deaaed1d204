"""REDCap branching logic <-> show_if conditions, for the common forms only.

Read: ``[f] = '1'``, ``[f] <> '1'``, ``[f] > 3`` (and >=, <, <=, !=), ``[f] = ''`` (unanswered),
``[f] <> ''`` (answered), checkbox ``[f(2)] = '1'`` / ``= '0'``, ``and``, ``or``, parentheses.
Anything else (functions, smart variables, [event][field], ``not``) raises LogicError with a
plain message, so an import reports it instead of guessing.

REDCap's ``<>`` is true for a blank field, as our ``!=`` is, so it maps straight across.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .model import NUMERIC_TYPES, Condition, Item

TOKEN = re.compile(
    r"""\s*(?:
      (?P<field>\[(?P<name>[A-Za-z][A-Za-z0-9_]*)(?:\((?P<code>[^)\]]*)\))?\])
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op><>|!=|>=|<=|==|=|>|<)
    | (?P<word>(?i:and|or))(?![A-Za-z0-9_])
    | (?P<paren>[()])
    )""",
    re.X,
)
OPS = {"=": "==", "==": "==", "<>": "!=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


class LogicError(ValueError):
    """Branching logic we cannot translate; the message says why."""


def tokenize(text: str) -> list[tuple[str, re.Match]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise LogicError(f"unsupported logic near {text[pos : pos + 20]!r}")
        kind = next(name for name in ("field", "string", "number", "op", "word", "paren") if match[name])
        if kind == "field" and tokens and tokens[-1][0] == "field":
            raise LogicError("[event][field] references to other events are not supported")
        tokens.append((kind, match))
        pos = match.end()
    return tokens


# Parentheses nest at most this deep: the parser recurses once per level, and a hostile data dictionary
# with thousands of "(" would otherwise end in a RecursionError (a server error) instead of a clear problem.
MAX_DEPTH = 25


class Parser:
    def __init__(self, text: str, items: Mapping[str, Item]):
        self.tokens = tokenize(text)
        self.items = items
        self.pos = 0
        self.depth = 0

    def peek(self, kind: str, text: str | None = None) -> bool:
        if self.pos >= len(self.tokens) or self.tokens[self.pos][0] != kind:
            return False
        return text is None or self.tokens[self.pos][1][kind].lower() == text

    def take(self, kind: str) -> re.Match:
        if self.pos >= len(self.tokens):
            raise LogicError(f"the logic ends where a {kind} was expected")
        if not self.peek(kind):
            raise LogicError(f"expected a {kind} at token {self.pos + 1}")
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def parse(self) -> Condition:
        condition = self.expression()
        if self.pos != len(self.tokens):
            raise LogicError(f"unexpected text at token {self.pos + 1}")
        return condition

    def expression(self) -> Condition:
        return self.group("or", "any", self.conjunction)

    def conjunction(self) -> Condition:
        return self.group("and", "all", self.atom)

    def group(self, word: str, kind: str, part) -> Condition:
        children = [part()]
        while self.peek("word", word):
            self.pos += 1
            children.append(part())
        flat = [grand for child in children for grand in (child.children if child.kind == kind else (child,))]
        return flat[0] if len(flat) == 1 else normalise(Condition(kind, children=tuple(flat)))

    def atom(self) -> Condition:
        if self.peek("paren", "("):
            self.pos += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise LogicError(f"parentheses nest more than {MAX_DEPTH} deep")
            inner = self.expression()
            if not self.peek("paren", ")"):
                raise LogicError("a parenthesis is not closed")
            self.pos += 1
            self.depth -= 1
            return inner
        field = self.take("field")
        op = OPS[self.take("op")["op"]]
        quoted = self.peek("string")
        literal = self.take("string")["string"][1:-1] if quoted else self.take("number")["number"]
        return comparison(self.item(field["name"]), field["code"], op, literal)

    def item(self, name: str) -> Item:
        if name not in self.items:
            raise LogicError(f"[{name}] is not an earlier field of this form")
        return self.items[name]


def typed(item: Item, literal: str) -> int | float | str:
    if item.type not in NUMERIC_TYPES:
        return literal
    try:
        number = float(literal)
    except ValueError:
        raise LogicError(f"[{item.code}] holds numbers; {literal!r} is not a number") from None
    return int(number) if number.is_integer() else number


def comparison(item: Item, code: str | None, op: str, literal: str) -> Condition:
    if code is not None:
        return checkbox(item, code, op, literal)
    if item.type == "multiple_choice":
        raise LogicError(f"checkbox [{item.code}] must be tested as [{item.code}(code)]")
    if literal == "" and op in ("==", "!="):
        return Condition("item", item=item.code, op="unanswered" if op == "==" else "answered")
    value = typed(item, literal)
    if item.options and op in ("==", "!=") and value not in item.option_codes:
        raise LogicError(f"{literal!r} is not a choice of [{item.code}]")
    return Condition("item", item=item.code, op=op, value=value)


def checkbox(item: Item, code: str, op: str, literal: str) -> Condition:
    if item.type != "multiple_choice":
        raise LogicError(f"[{item.code}({code})] is only allowed for a checkbox field")
    value = typed(item, code)
    if value not in item.option_codes:
        raise LogicError(f"{code!r} is not a choice of [{item.code}]")
    if op not in ("==", "!=") or literal not in ("0", "1"):
        raise LogicError(f"checkbox [{item.code}({code})] can only be compared = or <> with '1' or '0'")
    checked = (op == "==") == (literal == "1")
    return Condition("item", item=item.code, op="==" if checked else "!=", value=value)


def normalise(condition: Condition) -> Condition:
    """``[f] = 1 or [f] = 2`` becomes ``{item: f, op: in, value: [1, 2]}``, as it was written."""
    children = condition.children
    same_item = {child.item for child in children} if condition.kind == "any" else set()
    if len(same_item) == 1 and all(child.kind == "item" and child.op == "==" for child in children):
        return Condition("item", item=children[0].item, op="in", value=tuple(c.value for c in children))
    return condition


def parse_logic(text: str, items: Mapping[str, Item]) -> Condition:
    """A condition from REDCap logic; ``items`` are the earlier fields of the form by code."""
    return Parser(text, items).parse()


def _literal(value: int | float | str) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "") + "'"
    return str(int(value)) if float(value).is_integer() else str(value)


def _quoted(value: int | float | str) -> str:
    return _literal(value) if isinstance(value, str) else f"'{_literal(value)}'"


def negate(condition: Condition) -> Condition:
    """The condition without ``not``, since REDCap logic has no ``not``; same truth on every input."""
    flip = {"==": "!=", "!=": "==", "answered": "unanswered", "unanswered": "answered"}
    if condition.kind == "not":
        return condition.children[0]
    if condition.kind in ("all", "any"):
        kind = "any" if condition.kind == "all" else "all"
        return Condition(kind, children=tuple(negate(child) for child in condition.children))
    code, op, value = condition.item, condition.op or "", condition.value
    if op in flip:
        return Condition("item", item=code, op=flip[op], value=value)
    if op == "in":
        return Condition("all", children=tuple(Condition("item", item=code, op="!=", value=v) for v in value))
    opposite = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}[op]
    # A blank field fails every ordering test, so "not > 3" also holds when it is blank.
    return Condition(
        "any",
        children=(
            Condition("item", item=code, op=opposite, value=value),
            Condition("item", item=code, op="unanswered"),
        ),
    )


def _write_item(condition: Condition, item: Item) -> str:
    code, op, value = item.code, condition.op, condition.value
    checkbox = item.type == "multiple_choice"
    if op in ("answered", "unanswered"):
        if checkbox:
            parts = [f"[{code}({c})] = '{1 if op == 'answered' else 0}'" for c in item.option_codes]
            return "(" + (" or " if op == "answered" else " and ").join(parts) + ")"
        return f"[{code}] {'<>' if op == 'answered' else '='} ''"
    if op == "in":
        return "(" + " or ".join(_write_item(Condition("item", code, "==", v), item) for v in value) + ")"
    if checkbox:
        return f"[{code}({_literal(value)})] {'=' if op == '==' else '<>'} '1'"
    if op in ("==", "!="):
        return f"[{code}] {'=' if op == '==' else '<>'} {_quoted(value)}"
    return f"[{code}] {op} {_literal(value)}"


def write_logic(condition: Condition, items: Mapping[str, Item], *, top: bool = True) -> str:
    """REDCap branching logic for a condition; ``items`` are the instrument's items by code."""
    if condition.kind == "not":
        return write_logic(negate(condition.children[0]), items, top=top)
    if condition.kind == "item":
        text = _write_item(condition, items[condition.item or ""])
    else:
        joiner = " and " if condition.kind == "all" else " or "
        text = "(" + joiner.join(write_logic(c, items, top=False) for c in condition.children) + ")"
    return text[1:-1] if top and text.startswith("(") and _balanced(text[1:-1]) else text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
