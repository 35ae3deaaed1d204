"""The bounds of core.validation, and the instrument cleaning that uses them (pure: no database)."""

import datetime as dt

import pytest

from core import validation
from instruments.definitions import clean_responses
from instruments.definitions.cleaning import Invalid, clean_value
from instruments.definitions.model import Item
from instruments.registry import get_instrument


def item(type_: str, **extra) -> Item:
    return Item(code="x", type=type_, label=None, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["a\x00b", "\x07", "\x1b[31m", "x\x7f"])
def test_it_refuses_nul_and_control_characters(text):
    with pytest.raises(validation.InputRefused):
        validation.check_text(text)


def test_it_keeps_tab_cr_and_lf():
    assert validation.check_text("a\tb\r\nc") == "a\tb\r\nc"


@pytest.mark.parametrize("text", ["9" * 5000, "1" * 21, "x", "1.5"])
def test_it_refuses_numbers_python_or_the_database_cannot_hold(text):
    with pytest.raises(validation.InputRefused):
        validation.parse_int(text)


def test_instances_are_32_bit():
    assert validation.check_instance(2**31 - 1) == 2**31 - 1
    for bad in (0, -1, 2**31):
        with pytest.raises(validation.InputRefused):
            validation.check_instance(bad)


@pytest.mark.parametrize("value", [dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(9999, 12, 31)])
def test_it_refuses_dates_outside_1900_to_fifty_years_on(value):
    with pytest.raises(validation.InputRefused):
        validation.check_date(value, today=dt.date(2026, 1, 1))


def test_the_latest_date_follows_the_setting():
    validation.configure(max_future_years=1, max_text_length=10_000)
    try:
        assert validation.latest_date(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    finally:
        validation.configure(max_future_years=50, max_text_length=10_000)


def test_it_refuses_json_nested_too_deeply_and_non_finite_numbers():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(validation.InputRefused):
        validation.check_texts(deep)
    with pytest.raises(validation.InputRefused):
        validation.check_texts({"a": float("inf")})


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("integer_scale", "9" * 5000),
        ("number", "9" * 400),
        ("date", "0001-01-01"),
        ("date", "9999-12-31"),
        ("partial_date", "0001"),
        ("partial_date", "9999-01"),
        ("text", "a\x00"),
        ("duration", "9" * 400),
        ("single_choice", "1" * 5000),
    ],
)
def test_instrument_cleaning_refuses_values_outside_the_bounds(type_, raw):
    with pytest.raises(Invalid):
        clean_value(item(type_), raw)


def test_a_clean_never_raises_on_hostile_answers():
    instrument = get_instrument("phq9")
    result = clean_responses(instrument, {code: "9" * 5000 for code in instrument.item_codes()}, complete=True)
    assert not result.ok
