"""The bounds every stored value keeps, in one place: text, whole numbers, decimals and dates.

Pure (no Django import), so the pure instrument definitions can share it with the forms, the API serializers
and the services. Each check returns the value or raises ``InputRefused`` with the message in English and
Chinese; callers turn that into their own field error. Why these bounds:

* text: PostgreSQL cannot store a NUL byte (a 500 when it arrives) and no clinical answer needs control
  characters, so only tab, CR and LF are allowed; a length cap keeps one field from filling the database;
* whole numbers: Python refuses to convert more than 4,300 digits (a ValueError deep inside a save), and
  columns such as ``instance`` are 32-bit integers;
* decimals: ``inf`` and ``nan`` are not numbers a definition can mean, and JSON columns refuse them;
* dates: nothing in a study happened before 1900, and nothing is planned more than ``max_future_years``
  (a setting, ``INPUT_MAX_FUTURE_YEARS``) from today; Python accepts years 1 to 9999.

``configure`` is called once at start-up (``core.apps``) with the settings; the defaults are those settings'
defaults, so a pure test sees the same bounds.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
# Python's own limit is 4,300 digits; an int64 has 19, a 32-bit one 10.
MAX_DIGITS = 20
FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
INTEGER_TEXT = re.compile(r"^\s*[+-]?\d+\s*$")
EARLIEST_DATE = dt.date(1900, 1, 1)


@dataclass
class Limits:
    max_future_years: int = 50
    max_text_length: int = 10_000


LIMITS = Limits()


def configure(*, max_future_years: int, max_text_length: int) -> None:
    """Set the bounds from the settings (called once at start-up)."""
    LIMITS.max_future_years = max_future_years
    LIMITS.max_text_length = max_text_length


class InputRefused(ValueError):
    """A value outside the bounds; ``message`` holds the reason in English (``en``) and Chinese (``zh``)."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.message = {"en": en, "zh": zh}


def check_text(value: str, *, max_length: int | None = None) -> str:
    """``value`` when it has no NUL or control character (tab, CR and LF are fine) and fits the length."""
    if FORBIDDEN_CONTROL.search(value):
        raise InputRefused(
            "Remove the control characters (such as NUL bytes) from this text.",
            "请删除此文本中的控制字符（例如 NUL 字节）。",
        )
    limit = LIMITS.max_text_length if max_length is None else max_length
    if len(value) > limit:
        raise InputRefused(f"Use at most {limit} characters.", f"最多 {limit} 个字符。")
    return value


QUERY_VALUE_MAX = 200  # characters of one query-string filter value (codes and ids are far shorter)


def query_value_problems(params, names) -> dict[str, dict[str, str]]:
    """``{name: bilingual reason}`` for each filter value in ``names`` that no text field could hold (a NUL byte
    reaching PostgreSQL is a server error, not a miss)."""
    problems = {}
    for name in names:
        value = params.get(name)
        if value:
            try:
                check_text(value, max_length=QUERY_VALUE_MAX)
            except InputRefused as refused:
                problems[name] = refused.message
    return problems


class FiltersRefused(ValueError):
    """Query parameters a list cannot take: ``problems`` is ``{parameter or "query": bilingual reason}``."""

    def __init__(self, problems: dict[str, dict[str, str]]):
        super().__init__(problems)
        self.problems = problems


def filter_lookups(params, allowed: dict[str, str], other: tuple[str, ...] = ()) -> dict[str, str]:
    """``{lookup: value}`` for the given filters of ``allowed`` (parameter -> ORM lookup); FiltersRefused for a
    parameter neither in ``allowed`` nor in ``other`` (a misspelt filter would otherwise return everything), for a
    value no text field could hold, and for an ``_id`` lookup that is not a number. Each API wraps the problems in
    its own error body."""
    unknown = sorted(set(params) - set(allowed) - set(other))
    if unknown:
        names, given = ", ".join((*allowed, *other)), ", ".join(unknown)
        raise FiltersRefused(
            {
                "query": {
                    "en": f"Unknown query parameter(s): {given}. Allowed: {names}.",
                    "zh": f"未知的查询参数：{given}。可用参数：{names}。",
                }
            }
        )
    problems = query_value_problems(params, allowed)
    if problems:
        raise FiltersRefused(problems)
    lookups = {allowed[name]: params.get(name) for name in allowed if params.get(name)}
    for name, lookup in allowed.items():
        value = lookups.get(lookup)
        if value and lookup.endswith("_id") and not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise FiltersRefused({name: {"en": f"{name} must be a number.", "zh": f"{name} 必须是数字。"}})
    return lookups


def check_texts(value: Any, *, max_depth: int = 20) -> None:
    """Every string inside ``value`` (a JSON-like tree: dicts, lists, strings, numbers) passes ``check_text``,
    and the tree is at most ``max_depth`` levels deep."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise InputRefused("The data is nested too deeply.", "数据嵌套层数过多。")
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, dict):
            stack.extend((key, depth + 1) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InputRefused("Enter a finite number.", "请输入有限的数字。")


def parse_int(text: str, *, low: int | None = None, high: int | None = None) -> int:
    """The whole number written in ``text`` (at most ``MAX_DIGITS`` digits), within ``low`` .. ``high``."""
    if not INTEGER_TEXT.match(text):
        raise InputRefused("Enter a whole number.", "请输入整数。")
    if len(text.strip().lstrip("+-")) > MAX_DIGITS:
        raise InputRefused("This number has too many digits.", "该数字位数过多。")
    return check_int(int(text), low=low, high=high)


def check_int(value: int, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` when it lies within ``low`` .. ``high``."""
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{'' if low is None else low}–{'' if high is None else high}"
        raise InputRefused(f"Must be in the range {bounds}.", f"必须在 {bounds} 范围内。")
    return value


def check_instance(value: int) -> int:
    """A form's instance number: 1 to the largest 32-bit integer (the column's type)."""
    return check_int(value, low=1, high=INT32_MAX)


def check_number(value: float) -> float:
    """``value`` when it is finite (not inf or nan)."""
    if not math.isfinite(value):
        raise InputRefused("Enter a finite number.", "请输入有限的数字。")
    return value


def latest_date(today: dt.date | None = None) -> dt.date:
    """The latest date a value may hold: today plus ``max_future_years``."""
    today = today or dt.datetime.now(dt.UTC).date()  # a bound 50 years out: the time zone does not matter
    year = min(today.year + LIMITS.max_future_years, dt.MAXYEAR)
    return today.replace(year=year, day=28 if (today.month, today.day) == (2, 29) else today.day)


def check_date(value: dt.date, *, today: dt.date | None = None) -> dt.date:
    """``value`` when it lies from 1900-01-01 to ``latest_date``."""
    value_date = value.date() if isinstance(value, dt.datetime) else value
    latest = latest_date(today)
    if not EARLIEST_DATE <= value_date <= latest:
        raise InputRefused(
            f"Enter a date from {EARLIEST_DATE.isoformat()} to {latest.isoformat()}.",
            f"请输入 {EARLIEST_DATE.isoformat()} 至 {latest.isoformat()} 之间的日期。",
        )
    return value


def check_year(year: int, *, today: dt.date | None = None) -> int:
    """A year of a partial date, within the same bounds as a date."""
    if not EARLIEST_DATE.year <= year <= latest_date(today).year:
        latest = latest_date(today).year
        raise InputRefused(
            f"Enter a year from {EARLIEST_DATE.year} to {latest}.",
            f"请输入 {EARLIEST_DATE.year} 至 {latest} 之间的年份。",
        )
    return year


def check_days(value: int, *, max_years: int | None = None) -> int:
    """A span in days (an offset or a window) of at most ``max_years`` (default ``max_future_years``) either way."""
    years = LIMITS.max_future_years if max_years is None else max_years
    limit = years * 366
    return check_int(value, low=-limit, high=limit)
