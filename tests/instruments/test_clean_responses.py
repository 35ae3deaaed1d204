"""clean_responses: raw strings -> typed values with bilingual errors; compute calls the scorer."""

from pathlib import Path

import pytest

from instruments import scoring
from instruments.definitions import clean_responses, compute, load_definition

DEMO = Path(__file__).parent / "fixtures" / "library" / "demo" / "1.0.yaml"

FULL = {
    "demo_1": "7",
    "demo_2": "1",
    "demo_3": " 4 ",
    "demo_4": ["4", "1"],
    "demo_5": "Acupuncture",
    "demo_6": "72.5",
    "demo_7": "2024-02-29",
    "demo_8": "2019-06",
    "demo_9": "7:05",
    "demo_10": "1:30",
    "demo_11": "3",
    "demo_13": "",
}


@pytest.fixture(scope="module")
def demo():
    return load_definition(DEMO)


def clean(demo, complete=True, **changes):
    return clean_responses(demo, {**FULL, **changes}, complete=complete)


def test_it_types_a_full_valid_response(demo):
    result = clean(demo)
    assert result.errors == {}
    assert result.values == {
        "demo_1": 7,
        "demo_2": 1,
        "demo_3": 4,
        "demo_4": [1, 4],
        "demo_5": "Acupuncture",
        "demo_6": 72.5,
        "demo_7": "2024-02-29",
        "demo_8": "2019-06",
        "demo_9": "07:05",
        "demo_10": 90,
        "demo_11": 3,
        "demo_13": None,
    }


@pytest.mark.parametrize(
    ("code", "raw", "en"),
    [
        ("demo_1", "11", "Must be in the range 0–10."),
        ("demo_1", "3.5", "Enter a whole number."),
        ("demo_11", "4", "Choose one of the listed options."),
        ("demo_4", ["1", "9"], "Choose one of the listed options."),
        ("demo_6", "72.55", "Use at most 1 decimal place."),
        ("demo_6", "19.9", "Must be in the range 20–300."),
        ("demo_6", "seventy", "Enter a number."),
        ("demo_7", "2023-02-29", "Enter a valid date as YYYY-MM-DD."),
        ("demo_7", "29/02/2024", "Enter a valid date as YYYY-MM-DD."),
        ("demo_8", "2019-13", "Enter YYYY, YYYY-MM or YYYY-MM-DD."),
        ("demo_9", "24:00", "Enter a 24-hour time as HH:MM."),
        ("demo_10", "241", "Must be in the range 0–240."),
        ("demo_10", "1h", "Enter minutes, or hours and minutes as H:MM."),
        ("demo_2", "maybe", "Answer yes (1) or no (0)."),
        ("demo_5", "x" * 21, "Use at most 20 characters."),
        ("demo_1", ["1", "2"], "Give one answer only."),
    ],
)
def test_it_reports_a_bad_value_in_english_and_chinese(demo, code, raw, en):
    result = clean(demo, **{code: raw})
    assert result.errors[code]["en"] == en
    assert result.errors[code]["zh"]
    assert result.values[code] is None


def test_the_chinese_range_message_names_the_range(demo):
    assert clean(demo, demo_1="11").errors["demo_1"] == {
        "en": "Must be in the range 0–10.",
        "zh": "必须在 0–10 范围内。",
    }


def test_trailing_zeros_do_not_count_as_decimal_places(demo):
    assert clean(demo, demo_6="72.50").values["demo_6"] == 72.5


def test_it_accepts_partial_dates_at_each_precision(demo):
    for raw in ("2019", "2019-06", "2019-06-30"):
        assert clean(demo, demo_8=raw).values["demo_8"] == raw


def test_it_accepts_yes_no_words_and_a_comma_separated_multiple_choice(demo):
    result = clean(demo, demo_2="Yes", demo_4="2, 1,2")
    assert result.values["demo_2"] == 1 and result.values["demo_4"] == [1, 2]


def test_it_clears_a_hidden_item_and_drops_its_error(demo):
    result = clean(demo, demo_2="0", demo_3="99")
    assert result.values["demo_3"] is None
    assert "demo_3" not in result.errors


def test_it_requires_visible_required_items_only_when_complete(demo):
    raw = {"demo_2": "1", "demo_4": ["4"]}
    draft = clean_responses(demo, raw, complete=False)
    assert draft.errors == {}
    final = clean_responses(demo, raw, complete=True)
    required = {"demo_1", "demo_3", "demo_5", "demo_6", "demo_7", "demo_9", "demo_10", "demo_11"}
    assert set(final.errors) == required  # demo_8 and demo_13 are optional; demo_12 is calculated
    assert final.errors["demo_1"] == {"en": "This question is required.", "zh": "此项为必填项。"}


def test_a_hidden_required_item_is_not_required(demo):
    result = clean(demo, demo_2="0", demo_3="")
    assert result.errors == {}


def test_it_flags_a_key_that_is_not_an_item(demo):
    assert clean(demo, demo_99="1").errors["demo_99"]["en"] == "Not a question of this form."


def test_it_never_raises_on_odd_input(demo):
    odd = {code: value for code, value in zip(FULL, [None, [], ["x"], 5, {"a": 1}, "∞", "\x00"] * 2, strict=False)}
    result = clean_responses(demo, odd, complete=True)
    assert set(result.values) == set(FULL)


def test_compute_without_a_scorer_returns_only_the_calculated_items(demo):
    values = clean(demo).values
    assert compute(demo, values) == {"demo_12": round(values["demo_6"] / 1.75**2, 1)}
    assert compute(demo, {}) == {"demo_12": None}


def test_compute_calls_the_registered_scorer(demo, monkeypatch):
    from dataclasses import replace

    monkeypatch.setitem(scoring.SCORERS, "demo_pain", lambda r: {"total": r["demo_1"] + (r["demo_3"] or 0)})
    scored = replace(demo, scorer="demo_pain")
    assert compute(scored, clean(demo).values)["total"] == 11  # the scorer's scores, then the calculated item
    assert list(compute(scored, clean(demo, demo_2="0").values).items())[0] == ("total", 7)
