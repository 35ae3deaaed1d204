"""Deeply nested REDCap branching logic is a clear LogicError (and a clear import problem), not a
RecursionError."""

import pytest

from instruments.definitions import parse_definition
from instruments.definitions.redcap_logic import MAX_DEPTH, LogicError, parse_logic

LABEL = {"en": "x", "zh": "某"}


def items():
    options = [{"code": 1, "en": "a", "zh": "甲"}]
    instrument, _ = parse_definition(
        {
            "code": "t",
            "version": "1",
            "title": LABEL,
            "items": [{"code": "c", "type": "single_choice", "label": LABEL, "options": options}],
        }
    )
    return {item.code: item for item in instrument.items}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 100_000])
def test_deep_parentheses_are_refused_with_a_message(depth):
    with pytest.raises(LogicError, match="nest more than"):
        parse_logic("(" * depth + "[c] = '1'" + ")" * depth, items())


def test_nesting_within_the_limit_still_reads():
    condition = parse_logic("(" * MAX_DEPTH + "[c] = '1'" + ")" * MAX_DEPTH, items())
    assert condition.item == "c" and condition.value == 1
