"""A protocol file within bounds (studies/protocol/limits.py): a huge count, a far offset, a deep rule, a YAML
alias bomb or an oversized file is refused quickly, at its key path, with every other problem still listed."""

import time

import pytest

from studies.protocol import ProtocolError, limits
from tests.studies.conftest import dump, minimal, parse


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ProtocolError) as caught:
        parse(text)
    return [(p.path, p.message) for p in caught.value.problems]


def test_a_repeating_count_of_a_million_is_refused_fast_at_its_key():
    data = minimal()
    data["visits"][2]["repeating"] = {"every_days": 1, "count": 1_000_000}
    started = time.monotonic()
    found = problems(dump(data))
    assert time.monotonic() - started < 2
    assert ("visits[2].repeating.count", "must be 1000 or less, got 1000000") in found


def test_the_repeats_of_all_visits_together_are_bounded():
    data = minimal()
    for index in range(6):
        data["visits"].append(
            {
                "code": f"diary{index}",
                "label": {"en": "x", "zh": "x"},
                "anchor": "enrolment",
                "offset_days": 1000 * (index + 1),
                "window_before": 0,
                "window_after": 0,
                "repeating": {"every_days": 1, "count": 1000},
            }
        )
    started = time.monotonic()
    found = problems(dump(data))
    assert time.monotonic() - started < 2
    assert any(path == "visits" and "at most 5000 are accepted" in message for path, message in found), found


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (lambda d: d["visits"][1].update(offset_days=40_000), "visits[1].offset_days", "must be 36500 or less"),
        (lambda d: d["visits"][1].update(offset_days=-40_000), "visits[1].offset_days", "must be -36500 or more"),
        (lambda d: d["visits"][1].update(window_after=5000), "visits[1].window_after", "must be 3650 or less"),
        (lambda d: d["study"].update(protocol_date="2999-01-01"), "study.protocol_date", "between the years 1900"),
        (lambda d: d["study"].update(protocol_date="1066-10-14"), "study.protocol_date", "between the years 1900"),
        (
            lambda d: d["sites"].extend({"code": f"s{i}", "name": {"en": "x", "zh": "x"}} for i in range(600)),
            "sites",
            "at most 500 entries are accepted, got 601",
        ),
        (
            lambda d: d["arms"].extend({"code": f"a{i}", "name": {"en": "x", "zh": "x"}} for i in range(30)),
            "arms",
            "at most 20 entries are accepted, got 32",
        ),
        (
            lambda d: d["visits"][0]["activities"].update(instruments=["bpi"] * 300),
            "visits[0].activities",
            "at most 200 activities are accepted at one visit, got 302",
        ),
        (
            lambda d: d["eligibility"]["inclusion"].extend(
                {"code": f"c{i}", "text": {"en": "x", "zh": "x"}} for i in range(250)
            ),
            "eligibility.inclusion",
            "at most 200 entries are accepted, got 251",
        ),
    ],
)
def test_each_bound_is_reported_at_its_key_path(change, path, fragment):
    data = minimal()
    change(data)
    found = problems(dump(data))
    assert any(p == path and fragment in m for p, m in found), found


def nested_rule(depth: int) -> dict:
    rule: dict = {"field": "age", "op": ">=", "value": 18}
    for level in range(depth):
        rule = {"not": rule} if level % 2 else {"all": [rule]}
    return rule


def test_an_eligibility_rule_nested_deeper_than_the_limit_is_refused():
    data = minimal()
    data["eligibility"]["inclusion"][0]["rule"] = nested_rule(limits.MAX_RULE_DEPTH + 1)
    found = problems(dump(data))
    assert any(p.startswith("eligibility.inclusion[0].rule") and "nested more than 20 deep" in m for p, m in found), (
        found
    )


def test_a_rule_at_the_limit_still_parses():
    data = minimal()
    data["eligibility"]["inclusion"][0]["rule"] = nested_rule(limits.MAX_RULE_DEPTH)
    assert parse(dump(data)).eligibility.inclusion[0].rule is not None


def test_yaml_nested_ten_thousand_deep_is_refused_without_a_recursion_error():
    text = dump(minimal()) + "extra: " + "[" * 10_000 + "]" * 10_000 + "\n"
    found = problems(text)
    assert any("nested more than 50 deep" in m for _p, m in found), found


def test_a_billion_laughs_alias_bomb_is_refused_before_anything_walks_it():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    text = dump(minimal()) + "\n".join(lines) + "\n"
    assert len(text) < 5000
    started = time.monotonic()
    found = problems(text)
    assert time.monotonic() - started < 2
    assert found == [("", "the file expands to more than 100000 values (aliases counted in full)")]


def test_an_alias_inside_its_own_anchor_is_refused():
    found = problems(dump(minimal()) + "loop: &loop [*loop]\n")
    assert found == [("", "an alias refers to the list or mapping that contains it")]


def test_ordinary_aliases_as_in_the_shipped_protocols_still_work(admsc):
    assert admsc.visits  # protocols/admsc_dlbp.yaml reuses activity lists with &anchors and *aliases


def test_a_file_over_the_size_cap_is_refused_before_parsing():
    text = dump(minimal()) + "# " + "x" * limits.MAX_FILE_BYTES + "\n"
    found = problems(text)
    assert found == [("", f"the file is {len(text)} bytes; a protocol file may be at most 1048576 bytes")]
