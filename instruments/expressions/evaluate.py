"""Evaluate a tree against a response's values. Never raises: whatever cannot be computed is no value (None).

Values are floats, text, booleans and dates. A missing answer is None and propagates (``q1 + q2`` is None
when q1 is blank), except in sum/mean/min/max, which skip it and give None when fewer than ``min`` (default
1) values are left. Division by zero, overflow, a square root of a negative number, text in arithmetic: None.
``and``/``or`` are three-valued (``false and <none>`` is false). REDCap's blank test works: ``q1 = ""`` is true
when q1 is unanswered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from .nodes import Binary, Bool, Call, Node, Num, Ref, Str, Unary

Value = float | str | bool | date | None
SECONDS = {"y": 365.2425 * 86400, "M": 30.44 * 86400, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
LIMIT = 1e300


def value_of(raw: Any) -> Value:
    """A stored answer as the evaluator sees it (a multiple choice list or anything odd is no value)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return _finite(float(raw))
    if isinstance(raw, (str, date)):
        return raw
    return None


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) and abs(number) < LIMIT else None


def number(value: Value) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return _finite(float(value))
        except ValueError:
            return None
    return None


def truth(value: Value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0
    if isinstance(value, str):
        return value != ""
    return True


def when(value: Value) -> datetime | None:
    """A date or ISO date (time) text as a moment; all in UTC, since only their differences matter."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return when(datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value))
        except ValueError:
            return None
    return None


def run(node: Node, values: Mapping[str, Any]) -> Value:
    try:
        return _run(node, values)
    except (ArithmeticError, ValueError, TypeError, InvalidOperation):  # an edge the checks above missed
        return None


def _run(node: Node, values: Mapping[str, Any]) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, (Str, Bool)):
        return node.value
    if isinstance(node, Ref):
        return value_of(values.get(node.name))
    if isinstance(node, Unary):
        return _unary(node, values)
    if isinstance(node, Binary):
        return _binary(node, values)
    return _call(node, values)


def _unary(node: Unary, values: Mapping[str, Any]) -> Value:
    operand = _run(node.operand, values)
    if node.op == "not":
        truthy = truth(operand)
        return None if truthy is None else not truthy
    negated = number(operand)
    return None if negated is None else -negated


def _binary(node: Binary, values: Mapping[str, Any]) -> Value:
    if node.op in ("and", "or"):
        return _logic(node, values)
    left, right = _run(node.left, values), _run(node.right, values)
    if node.op in COMPARE:
        return _compare(node.op, left, right, node)
    a, b = number(left), number(right)
    if a is None or b is None:
        return None
    return ARITHMETIC[node.op](a, b)


def _logic(node: Binary, values: Mapping[str, Any]) -> Value:
    left = truth(_run(node.left, values))
    decided = node.op == "or"  # true decides an or, false decides an and
    if left is decided:
        return decided
    right = truth(_run(node.right, values))
    if right is decided:
        return decided
    return None if left is None or right is None else not decided


def _divide(a: float, b: float) -> float | None:
    return None if b == 0 else _finite(a / b)


def _modulo(a: float, b: float) -> float | None:
    return None if b == 0 else _finite(math.fmod(a, b))


def _power(a: float, b: float) -> float | None:
    try:
        result = math.pow(a, b)
    except (OverflowError, ValueError):  # too large, or a fractional power of a negative number
        return None
    return _finite(result)


ARITHMETIC: dict[str, Callable[[float, float], float | None]] = {
    "+": lambda a, b: _finite(a + b),
    "-": lambda a, b: _finite(a - b),
    "*": lambda a, b: _finite(a * b),
    "/": _divide,
    "%": _modulo,
    "^": _power,
}
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _blank_test(node: Binary) -> bool:
    return any(isinstance(side, Str) and side.value == "" for side in (node.left, node.right))


def _compare(op: str, left: Value, right: Value, node: Binary) -> Value:
    if op in ("==", "!=") and _blank_test(node):  # REDCap's [q1] = "" asks whether q1 is unanswered
        left, right = ("" if left is None else left), ("" if right is None else right)
    if left is None or right is None:
        return None
    pair = _comparable(left, right)
    if pair is None:
        return {"==": False, "!=": True}.get(op)
    return COMPARE[op](*pair)


def _comparable(left: Value, right: Value) -> tuple[Any, Any] | None:
    """The two sides as numbers, dates or text; None when they cannot be compared."""
    a, b = number(left), number(right)
    if a is not None and b is not None and not (isinstance(left, str) and isinstance(right, str)):
        return a, b
    if isinstance(left, date) or isinstance(right, date):
        first, second = when(left), when(right)
        return None if first is None or second is None else (first, second)
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return None


def _call(node: Call, values: Mapping[str, Any]) -> Value:
    if node.name == "if":
        condition = truth(_run(node.args[0], values))
        if condition is None:
            return None
        return _run(node.args[1] if condition else node.args[2], values)
    if node.name in AGGREGATE:
        return _aggregate(node, values)
    args = [_run(arg, values) for arg in node.args]
    if node.name == "datediff":
        return _datediff(*args)
    if node.name == "date":
        moment = when(args[0])
        return None if moment is None else moment.date()
    numbers = [number(arg) for arg in args]
    if any(n is None for n in numbers):
        return None
    return NUMERIC[node.name](*numbers)


def _aggregate(node: Call, values: Mapping[str, Any]) -> Value:
    numbers = [n for n in (number(_run(arg, values)) for arg in node.args) if n is not None]
    if len(numbers) < (node.min_answered or 1):
        return None
    return _finite(AGGREGATE[node.name](numbers))


AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "sum": math.fsum,
    "mean": lambda numbers: math.fsum(numbers) / len(numbers),
    "min": min,
    "max": max,
}


def _rounded(mode: str) -> Callable[..., float | None]:
    def rounded(x: float, places: float = 0.0) -> float | None:
        if not places.is_integer() or not -10 <= places <= 15:
            return None
        # Decimal on the shortest repr: round(2.675, 2) is 2.68 as written, not 2.67 as binary floats say.
        step = Decimal(1).scaleb(-int(places))
        return _finite(float(Decimal(repr(x)).quantize(step, rounding=mode)))

    return rounded


def _sqrt(x: float) -> float | None:
    return None if x < 0 else math.sqrt(x)


NUMERIC: dict[str, Callable[..., float | None]] = {
    "round": _rounded(ROUND_HALF_UP),
    "rounddown": _rounded(ROUND_DOWN),
    "roundup": _rounded(ROUND_UP),
    "abs": abs,
    "sqrt": _sqrt,
}


def _datediff(first: Value, second: Value, unit: Value) -> float | None:
    start, end = when(first), when(second)
    if start is None or end is None or not isinstance(unit, str) or unit not in SECONDS:
        return None
    return (end - start).total_seconds() / SECONDS[unit]
