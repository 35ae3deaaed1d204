"""A recursive-descent parser from tokens to the tree of nodes.py, checking names, functions and arity as
it goes, so every mistake is an ExpressionError with its column.

Precedence, loosest first: ``or``, ``and``, ``not``, one comparison (``a < b < c`` is refused: write
``a < b and b < c``), ``+ -``, ``* / %``, unary minus, ``^`` (right-associative, so ``-2^2`` is -4 and
``2^3^2`` is 512).
"""

from __future__ import annotations

from collections.abc import Collection

from .errors import ExpressionError, gettext_noop
from .nodes import Binary, Bool, Call, Node, Num, Ref, Str, Unary, depth
from .tokens import Token, tokenize

MAX_LENGTH = 4000  # characters; REDCap's longest calculated fields in practice are a few hundred
MAX_NESTING = 40  # parentheses, calls and unary operators inside each other
MAX_DEPTH = 120  # the tree, including long chains such as 1+1+...+1
MAX_ARGS = 100
AGGREGATES = ("sum", "mean", "min", "max")
# name -> (fewest, most) arguments, per dialect
FUNCTIONS: dict[str, tuple[int, int]] = {
    "if": (3, 3),
    "round": (1, 2),
    "rounddown": (1, 2),
    "roundup": (1, 2),
    "abs": (1, 1),
    "sqrt": (1, 1),
    "date": (1, 1),
    "datediff": (3, 3),
    **{name: (1, MAX_ARGS) for name in AGGREGATES},
}
REDCAP_FUNCTIONS = FUNCTIONS | {"datediff": (3, 5), "mod": (2, 2)}
UNITS = ("y", "M", "d", "h", "m", "s")
DATE_FORMATS = ("ymd", "mdy", "dmy")
COMPARISONS = {"=": "==", "==": "==", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
KEYWORDS = ("and", "or", "not", "true", "false")


class Parser:
    def __init__(self, source: str, items: Collection[str], dialect: str):
        self.tokens = tokenize(source, dialect)
        self.items = items
        self.dialect = dialect
        self.functions = REDCAP_FUNCTIONS if dialect == "redcap" else FUNCTIONS
        self.at = 0
        self.nesting = 0

    # -- helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def word(self, token: Token) -> str:
        return token.text.lower() if token.kind == "name" and not token.bracketed else ""

    def expect(self, kind: str, what: str) -> Token:
        if self.token.kind != kind:
            raise ExpressionError(
                gettext_noop("expected %(what)s, found %(found)s"),
                self.token.column,
                what=what,
                found=_shown(self.token),
            )
        return self.advance()

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError(
                gettext_noop("nested too deeply (more than %(limit)s levels)"), self.token.column, limit=MAX_NESTING
            )

    # -- grammar
    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExpressionError(gettext_noop("the expression is empty"), 1)
        node = self.expression()
        if self.token.kind != "end":
            raise ExpressionError(gettext_noop("unexpected %(found)s"), self.token.column, found=_shown(self.token))
        if depth(node) > MAX_DEPTH:
            raise ExpressionError(
                gettext_noop("the expression is too long a chain (more than %(limit)s levels)"), 1, limit=MAX_DEPTH
            )
        return node

    def expression(self) -> Node:
        self.enter()
        node = self.either()
        self.nesting -= 1
        return node

    def either(self) -> Node:
        node = self.both()
        while self.word(self.token) == "or":
            self.advance()
            node = Binary("or", node, self.both())
        return node

    def both(self) -> Node:
        node = self.negation()
        while self.word(self.token) == "and":
            self.advance()
            node = Binary("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.word(self.token) == "not":
            self.advance()
            self.enter()
            node: Node = Unary("not", self.negation())
            self.nesting -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        if self.token.kind == "op" and self.token.text in COMPARISONS:
            op = COMPARISONS[self.advance().text]
            node = Binary(op, node, self.additive())
            if self.token.kind == "op" and self.token.text in COMPARISONS:
                raise ExpressionError(
                    gettext_noop("comparisons cannot be chained: join them with and"), self.token.column
                )
        return node

    def additive(self) -> Node:
        node = self.term()
        while self.token.kind == "op" and self.token.text in "+-":
            node = Binary(self.advance().text, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.token.kind == "op" and self.token.text in ("*", "/", "%"):
            node = Binary(self.advance().text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.token.kind == "op" and self.token.text in "+-":
            op = self.advance().text
            self.enter()
            operand = self.unary()
            self.nesting -= 1
            return Unary("-", operand) if op == "-" else operand
        return self.power()

    def power(self) -> Node:
        node = self.primary()
        if self.token.kind == "op" and self.token.text == "^":
            self.advance()
            self.enter()
            node = Binary("^", node, self.unary())
            self.nesting -= 1
        return node

    def primary(self) -> Node:
        token = self.token
        if token.kind == "num":
            return self.number(self.advance())
        if token.kind == "str":
            return Str(self.advance().text)
        if token.kind == "(":
            self.advance()
            node = self.expression()
            self.expect(")", "a closing )")
            return node
        if token.kind == "name":
            return self.name()
        raise ExpressionError(gettext_noop("expected a value, found %(found)s"), token.column, found=_shown(token))

    def number(self, token: Token) -> Num:
        value = float(token.text)
        if not abs(value) < 1e300:
            raise ExpressionError(gettext_noop("the number %(text)s is too large"), token.column, text=token.text[:20])
        return Num(value)

    def name(self) -> Node:
        token = self.advance()
        word = self.word(token)
        if word in ("true", "false"):
            return Bool(word == "true")
        if word in KEYWORDS:
            raise ExpressionError(gettext_noop("%(word)s cannot start a value here"), token.column, word=token.text)
        if self.token.kind == "(" and not token.bracketed:
            return self.call(token)
        if self.dialect == "redcap" and not token.bracketed:
            raise ExpressionError(
                gettext_noop("in REDCap syntax an item is written [%(name)s]"), token.column, name=token.text
            )
        if token.text not in self.items:
            raise ExpressionError(gettext_noop('unknown item "%(name)s"'), token.column, name=token.text)
        return Ref(token.text)

    def call(self, token: Token) -> Node:
        name = token.text.lower()
        if name not in self.functions:
            raise ExpressionError(gettext_noop('unknown function "%(name)s"'), token.column, name=token.text)
        self.advance()  # (
        args: list[Node] = []
        columns: list[int] = []
        while self.token.kind != ")" and (not args or self.token.kind == ","):
            if args:
                self.advance()
            columns.append(self.token.column)
            args.append(self.expression())
            if len(args) > MAX_ARGS:
                raise ExpressionError(gettext_noop("more than %(limit)s arguments"), self.token.column, limit=MAX_ARGS)
        least = self.minimum(name) if self.token.kind == ";" else None
        self.expect(")", "a closing ) or a comma")
        fewest, most = self.functions[name]
        if not fewest <= len(args) <= most:
            raise ExpressionError(
                gettext_noop('"%(name)s" takes %(expected)s, not %(given)s'),
                token.column,
                name=name,
                expected=_arity(fewest, most),
                given=len(args),
            )
        if least is not None and least > len(args):
            raise ExpressionError(
                gettext_noop("min=%(least)s is more than the %(count)s values given"),
                token.column,
                least=least,
                count=len(args),
            )
        return self.build(name, tuple(args), columns, least)

    def minimum(self, name: str) -> int:
        semicolon = self.advance()
        if name not in AGGREGATES or self.dialect != "edc":
            raise ExpressionError(gettext_noop("only sum, mean, min and max take ; min=N"), semicolon.column)
        key = self.expect("name", "min=")
        if key.text != "min" or self.token.text not in ("=", "=="):
            raise ExpressionError(gettext_noop("expected min=N after ;"), key.column)
        self.advance()
        count = self.expect("num", "a whole number after min=")
        if not count.text.isdigit() or int(count.text) < 1:
            raise ExpressionError(gettext_noop("min= must be a whole number of at least 1"), count.column)
        return int(count.text)

    def build(self, name: str, args: tuple[Node, ...], columns: list[int], least: int | None) -> Node:
        if name == "mod":
            return Binary("%", args[0], args[1])
        if name == "datediff":
            return self.datediff(args, columns)
        return Call(name, args, least)

    def datediff(self, args: tuple[Node, ...], columns: list[int]) -> Node:
        """``datediff(a, b, unit)`` is b - a in ``unit``, signed. REDCap's optional date format is checked and
        dropped (stored dates are ISO); without its ``true`` (signed) REDCap returns the absolute value."""
        for arg, column in zip(args[:2], columns, strict=False):
            if isinstance(arg, Str) and arg.value.lower() in ("today", "now"):
                raise ExpressionError(
                    gettext_noop(
                        '"%(word)s" is not allowed: a stored score must not change with the day it is computed'
                    ),
                    column,
                    word=arg.value,
                )
        unit = args[2]
        if not isinstance(unit, Str) or unit.value not in UNITS:
            raise ExpressionError(
                gettext_noop('the unit of datediff must be one of "y", "M", "d", "h", "m", "s"'), columns[2]
            )
        signed = self.dialect == "edc"
        for arg, column in zip(args[3:], columns[3:], strict=True):
            if isinstance(arg, Bool):
                signed = signed or arg.value
            elif not (isinstance(arg, Str) and arg.value in DATE_FORMATS):
                raise ExpressionError(
                    gettext_noop('expected a date format ("ymd", "mdy", "dmy") or true/false'), column
                )
        node = Call("datediff", args[:3])
        return node if signed else Call("abs", (node,))


def _arity(fewest: int, most: int) -> str:
    if fewest == most:
        return f"{fewest} argument{'s' if fewest != 1 else ''}"
    if most >= MAX_ARGS:
        return f"at least {fewest} argument{'s' if fewest != 1 else ''}"
    return f"{fewest} to {most} arguments"


def _shown(token: Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    return f'"{token.text[:20]}"'


def parse(source: str, items: Collection[str], dialect: str) -> Node:
    if not isinstance(source, str):
        raise ExpressionError(gettext_noop("the expression must be text"), 1)
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            gettext_noop("the expression is longer than %(limit)s characters"), MAX_LENGTH + 1, limit=MAX_LENGTH
        )
    if dialect not in ("edc", "redcap"):
        raise ExpressionError(gettext_noop("unknown dialect %(dialect)r"), 1, dialect=dialect)
    return Parser(source, items, dialect).parse()
