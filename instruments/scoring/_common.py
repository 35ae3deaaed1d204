"""Small helpers shared by scorer modules. Pure functions, no Django."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def number(value: Any) -> float | None:
    """A response value as a number, or None when missing or not numeric."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def item_values(responses: Mapping[str, Any], codes: Iterable[str]) -> list[float | None]:
    return [number(responses.get(code)) for code in codes]


def answered(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def reverse(value: float | None, low: float, high: float) -> float | None:
    """Reverse-score a value on the scale ``low..high``."""
    return None if value is None else low + high - value


def total_or_none(values: Sequence[float | None]) -> float | None:
    """Sum when every item is answered, else None (no proration)."""
    if any(v is None for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def prorated_total(values: Sequence[float | None], *, min_answered: int) -> float | None:
    """Sum of answered items scaled up to all items, when enough are answered.

    This is the usual "mean of answered items times number of items" rule.
    """
    got = answered(values)
    if len(got) < min_answered or not values:
        return None
    return sum(got) * len(values) / len(got)


def mean_or_none(values: Sequence[float | None], *, min_answered: int) -> float | None:
    got = answered(values)
    if len(got) < min_answered or not got:
        return None
    return sum(got) / len(got)


def band(value: float | None, cutoffs: Sequence[tuple[float, str]]) -> str | None:
    """Band name for ``value``: ``cutoffs`` is [(lower bound, name), ...] ascending."""
    if value is None:
        return None
    name = None
    for lower, label in cutoffs:
        if value >= lower:
            name = label
    return name


def whole(value: float | None) -> int | float | None:
    """Return an int when a float score is whole (keeps JSON tidy)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# --- helpers for case report forms with derived values (crf-library) ---


def number_in(value: Any, low: float, high: float) -> float | None:
    """A response as a number when it lies in ``low..high``; out of range counts as missing."""
    got = number(value)
    if got is None or got < low or got > high:
        return None
    return got


def difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def rounded(value: float | None, ndigits: int) -> int | float | None:
    """Round half away from zero (clinical reporting), then tidy whole numbers."""
    from decimal import ROUND_HALF_UP, Decimal  # local: this block is appended to a shared module

    if value is None:
        return None
    # str() first so that 23.45 rounds as written, not as its binary approximation.
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)
    return whole(float(exact))


def range_flag(value: float | None, low: float | None, high: float | None) -> str | None:
    """ "low", "normal" or "high" against a reference interval whose limits are inside normal."""
    if value is None or low is None or high is None:
        return None
    if value < low:
        return "low"
    if value > high:
        return "high"
    return "normal"


def bounded(value: Any, low: float, high: float, *, integer: bool = False) -> float | None:
    """A response as a number within ``low..high``; anything else counts as missing.

    With ``integer=True`` a fractional value also counts as missing (choice codes are whole).
    """
    got = number(value)
    if got is None or got < low or got > high:
        return None
    if integer and not got.is_integer():
        return None
    return got


def bounded_values(
    responses: Mapping[str, Any], codes: Iterable[str], low: float, high: float, *, integer: bool = True
) -> list[float | None]:
    """``bounded`` for several items at once, in the order of ``codes`` (whole codes by default)."""
    return [bounded(responses.get(code), low, high, integer=integer) for code in codes]
