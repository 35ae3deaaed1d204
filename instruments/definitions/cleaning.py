"""Raw submitted strings -> typed values, with bilingual error messages. Never raises on bad input.

Every write path (form, file import, API) calls clean_responses, so one set of rules
decides what a stored value is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core import validation

from .branching import is_missing, visible_items
from .model import Instrument, Item

Raw = Mapping[str, "str | list | None"]
INT = re.compile(r"^[+-]?\d+$")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
YES = {"1", "yes", "y", "true"}
NO = {"0", "no", "n", "false"}


class Invalid(ValueError):
    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.message = {"en": en, "zh": zh}


@dataclass(frozen=True)
class CleanResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _fmt(number: float | None) -> str:
    return "" if number is None else (str(int(number)) if float(number).is_integer() else str(number))


def _in_range(value: float, item: Item) -> float:
    low, high = item.min, item.max
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{_fmt(low)}–{_fmt(high)}" if low is not None and high is not None else None
        if bounds is None:
            bounds = f">= {_fmt(low)}" if low is not None else f"<= {_fmt(high)}"
        raise Invalid(f"Must be in the range {bounds}.", f"必须在 {bounds} 范围内。")
    return value


def _digits(text: str) -> str:
    """``text`` when its number has few enough digits for Python and the database (``core.validation``)."""
    if len(text.lstrip("+-").replace(".", "")) > validation.MAX_DIGITS:
        raise Invalid("This number has too many digits.", "该数字位数过多。")
    return text


def _integer(text: str, item: Item) -> int:
    if not INT.match(text):
        raise Invalid("Enter a whole number.", "请输入整数。")
    return int(_in_range(int(_digits(text)), item))


def _choice(text: str, item: Item) -> int:
    if not INT.match(text) or int(_digits(text)) not in item.option_codes:
        raise Invalid("Choose one of the listed options.", "请从列出的选项中选择。")
    return int(text)


def _number(text: str, item: Item) -> float:
    if not NUMBER.match(text):
        raise Invalid("Enter a number.", "请输入数字。")
    # Trailing zeros add no precision: "72.0" is a whole number, as spreadsheets often write it.
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    if item.decimals == 0 and decimals:
        raise Invalid("Enter a whole number.", "请输入整数。")
    if item.decimals is not None and decimals > item.decimals:
        places = "place" if item.decimals == 1 else "places"
        raise Invalid(f"Use at most {item.decimals} decimal {places}.", f"最多保留 {item.decimals} 位小数。")
    return _in_range(float(_digits(text)), item)


def _date(text: str, item: Item) -> str:
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return _bounded(validation.check_date, value).isoformat()
    raise Invalid("Enter a valid date as YYYY-MM-DD.", "请按 YYYY-MM-DD 格式输入有效日期。")


def _bounded(check, value):
    """``check(value)`` with its refusal as this module's ``Invalid``."""
    try:
        return check(value)
    except validation.InputRefused as problem:
        raise Invalid(problem.message["en"], problem.message["zh"]) from None


def _partial_date(text: str, item: Item) -> str:
    if re.match(r"^\d{4}(-(0[1-9]|1[0-2]))?$", text):
        _bounded(validation.check_year, int(text[:4]))
        return text
    try:
        return _date(text, item)
    except Invalid:
        raise Invalid("Enter YYYY, YYYY-MM or YYYY-MM-DD.", "请输入 YYYY、YYYY-MM 或 YYYY-MM-DD。") from None


def _time(text: str, item: Item) -> str:
    match = HHMM.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise Invalid("Enter a 24-hour time as HH:MM.", "请按 24 小时制 HH:MM 格式输入时间。")
    return f"{int(match[1]):02d}:{match[2]}"


def _duration(text: str, item: Item) -> int | float:
    """Minutes; "H:MM" is accepted too because diaries are often kept that way."""
    match = HHMM.match(text)
    if match and int(match[2]) < 60:
        minutes: float = int(match[1]) * 60 + int(match[2])
    elif NUMBER.match(text):
        minutes = float(_digits(text))
    else:
        raise Invalid("Enter minutes, or hours and minutes as H:MM.", "请输入分钟数，或按 H:MM 输入时长。")
    minutes = _in_range(minutes, item)
    return int(minutes) if float(minutes).is_integer() else minutes


def _yes_no(text: str, item: Item) -> int:
    if text.lower() in YES:
        return 1
    if text.lower() in NO:
        return 0
    raise Invalid("Answer yes (1) or no (0).", "请回答是 (1) 或否 (0)。")


def _text(text: str, item: Item) -> str:
    return _bounded(lambda value: validation.check_text(value, max_length=item.max_length), text)


CONVERTERS = {
    "integer_scale": _integer,
    "single_choice": _choice,
    "number": _number,
    "date": _date,
    "partial_date": _partial_date,
    "time": _time,
    "duration": _duration,
    "yes_no": _yes_no,
    "text": _text,
}


def _multiple(raw: Any, item: Item) -> list[int] | None:
    parts = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    texts = [str(part).strip() for part in parts if part is not None and str(part).strip()]
    codes = {_choice(text, item) for text in texts}
    return sorted(codes) or None


def clean_value(item: Item, raw: Any) -> Any:
    """One raw value -> typed value or None; raises Invalid with a bilingual message."""
    if item.type == "multiple_choice":
        return None if raw is None else _multiple(raw, item)
    if isinstance(raw, (list, tuple)):
        if len(raw) > 1:
            raise Invalid("Give one answer only.", "只能填写一个答案。")
        raw = raw[0] if raw else None
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if item.type != "text":  # control characters are never part of a number, date or code
        _bounded(lambda value: validation.check_text(value, max_length=200), text)
    return CONVERTERS[item.type](text, item)


REQUIRED = {"en": "This question is required.", "zh": "此项为必填项。"}
UNKNOWN = {"en": "Not a question of this form.", "zh": "不是本表单中的题目。"}


def clean_responses(instrument: Instrument, raw: Raw, *, complete: bool) -> CleanResult:
    """Typed values for every entered item (None when missing or hidden) and per-item errors.

    Hidden items are cleared and their errors dropped; required items are enforced only
    when ``complete`` is true, so a partly filled form can be saved as a draft.
    """
    values: dict[str, Any] = {}
    errors: dict[str, dict[str, str]] = {}
    entered = [item for item in instrument.items if item.entered]
    for item in entered:
        try:
            values[item.code] = clean_value(item, raw.get(item.code))
        except Invalid as problem:
            values[item.code], errors[item.code] = None, problem.message
    shown = visible_items(instrument, values)
    for item in entered:
        if item.code not in shown:
            values[item.code] = None
            errors.pop(item.code, None)
        elif complete and item.required and is_missing(values[item.code]) and item.code not in errors:
            errors[item.code] = dict(REQUIRED)
    known = {item.code for item in instrument.items}
    for key in raw:
        if key not in known:
            errors[key] = dict(UNKNOWN)
    return CleanResult(values, errors)
