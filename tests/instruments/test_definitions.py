"""Loading and checking instrument definitions."""

from pathlib import Path

import pytest
import yaml

from instruments import scoring
from instruments.definitions import (
    DefinitionError,
    check_library,
    latest,
    load_definition,
    load_library,
    parse_definition,
)

FIXTURES = Path(__file__).parent / "fixtures"
DEMO = FIXTURES / "library" / "demo" / "1.0.yaml"


def minimal(**extra):
    data = {
        "code": "tst",
        "version": "1.0",
        "title": {"en": "Test", "zh": "测试"},
        "items": [
            {
                "code": "tst_1",
                "type": "single_choice",
                "label": {"en": "One", "zh": "一"},
                "options": [{"code": 0, "en": "No", "zh": "否"}, {"code": 1, "en": "Yes", "zh": "是"}],
            },
            {
                "code": "tst_2",
                "type": "integer_scale",
                "label": {"en": "Two", "zh": "二"},
                "min": 0,
                "max": 10,
            },
        ],
    }
    data.update(extra)
    return data


def problems_of(data):
    return [(p.path, p.message) for p in parse_definition(data, "x.yaml")[1]]


def test_it_loads_the_demo_fixture_with_typed_items():
    demo = load_definition(DEMO)
    assert demo.key == ("demo", "1.0")
    assert demo.item("demo_11").option_codes == (1, 2, 3)  # the named option set is resolved
    assert demo.item("demo_6").decimals == 1 and demo.item("demo_6").unit == "kg"
    assert demo.item("demo_8").required is False
    assert demo.item("demo_12").required is False  # calculated items are never entered
    assert demo.item("demo_1").anchors["max"].zh == "能想象的最剧烈疼痛"
    assert demo.sections[0].items == ("demo_1", "demo_2", "demo_3")


def test_a_minimal_definition_has_no_problems():
    assert problems_of(minimal()) == []


def test_it_reports_every_problem_with_its_key_path():
    data = minimal()
    data["items"] += [
        {"code": "tst_1", "type": "slider", "label": {"en": "Dup"}},
        {"code": "other_4", "type": "single_choice", "label": {"en": "x", "zh": "x"}, "options": "nope"},
        {"code": "tst_5", "type": "number", "label": {"en": "n", "zh": "n"}, "min": 10, "max": 1},
        {"code": "tst_6", "type": "text", "label": {"en": "t"}},
    ]
    found = problems_of(data)
    assert (
        "items[2].type",
        "unknown type 'slider' (one of integer_scale, single_choice, multiple_choice, "
        "yes_no, number, date, partial_date, time, duration, text, calculated)",
    ) in found
    assert ("items[3].options", "option set 'nope' is not declared in option_sets") in found
    assert ("items[3].code", "item code 'other_4' must start with 'tst_'") in found
    assert ("items[4]", "min 10 > max 1") in found
    assert ("items[5].label.zh", "missing zh label") in found


def test_it_reports_a_duplicate_item_code():
    data = minimal()
    data["items"].append(dict(data["items"][1]))
    assert ("items[2].code", "duplicate item code 'tst_2'") in problems_of(data)


def test_it_needs_min_and_max_on_an_integer_scale():
    data = minimal()
    del data["items"][1]["max"]
    assert ("items[1].max", "integer_scale needs min and max") in problems_of(data)


def test_it_refuses_show_if_on_a_later_or_unknown_item():
    data = minimal()
    data["items"][0]["show_if"] = {"item": "tst_2", "op": ">", "value": 3}
    data["items"][1]["show_if"] = {"any": [{"item": "tst_9", "op": "answered"}]}
    found = problems_of(data)
    assert (
        "items[0].show_if.item",
        "show_if refers to a later item 'tst_2'; only earlier items may be used",
    ) in found
    assert (
        "items[1].show_if.any[0].item",
        "show_if refers to an unknown item 'tst_9'; only earlier items may be used",
    ) in found


def test_it_refuses_a_show_if_value_that_is_not_an_option_code():
    data = minimal()
    data["items"][1]["show_if"] = {"item": "tst_1", "op": "==", "value": 7}
    assert ("items[1].show_if.value", "7 is not an option code of tst_1") in problems_of(data)


def test_it_refuses_an_unknown_op_and_a_key_not_allowed_for_the_type():
    data = minimal()
    data["items"][1]["show_if"] = {"item": "tst_1", "op": "=", "value": 1}
    data["items"][1]["options"] = "x"
    found = problems_of(data)
    assert (
        "items[1].show_if.op",
        "unknown op '=' (one of ==, !=, >, >=, <, <=, in, answered, unanswered)",
    ) in found
    assert ("items[1].options", "key not allowed for type integer_scale") in found


def test_it_refuses_an_unquoted_version_and_a_missing_title_translation():
    found = problems_of(minimal(version=1.0, title={"en": "Test"}))
    assert ("version", 'must be a quoted string such as "1.0"') in found
    assert ("title.zh", "missing zh label") in found


def test_load_definition_raises_with_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(minimal(kind="survey", scorer="no_such_scorer")), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert [(p.path, p.message) for p in caught.value.problems] == [("kind", "must be one of scale, crf")]
    assert str(path) in str(caught.value)


def test_it_reports_a_scorer_that_is_not_registered(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(minimal(scorer="no_such_scorer")), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.problems[0].message == "scorer 'no_such_scorer' is not registered in instruments.scoring"


def write_library(root, scores):
    folder = root / "tst"
    folder.mkdir(parents=True, exist_ok=True)
    for version in ("1.0", "1.10", "1.9"):
        data = minimal(version=version, scorer="tst_sum", scores=scores)
        (folder / f"{version}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def tst_scorer(monkeypatch):
    def tst_sum(responses):
        return {"total": (responses.get("tst_1") or 0) + (responses.get("tst_2") or 0)}

    monkeypatch.setitem(scoring.SCORERS, "tst_sum", tst_sum)


def test_it_loads_a_library_and_finds_the_latest_version(tmp_path, tst_scorer):
    write_library(tmp_path, [{"name": "total", "label": {"en": "Total", "zh": "总分"}}])
    library = load_library(tmp_path)
    assert sorted(library) == [("tst", "1.0"), ("tst", "1.10"), ("tst", "1.9")]
    assert latest(library, "tst").version == "1.10"
    assert library.versions("tst") == ["1.0", "1.9", "1.10"]


def test_it_reports_score_names_the_scorer_does_not_return(tmp_path, tst_scorer):
    write_library(tmp_path, [{"name": "sum", "label": {"en": "Sum", "zh": "总和"}}])
    messages = {p.message for p in check_library(tmp_path)}
    assert messages == {"scorer returns ['total'], not in scores", "scores lists ['sum'], not returned"}


def test_it_reports_a_file_whose_folder_is_not_its_code(tmp_path):
    (tmp_path / "wrong").mkdir()
    (tmp_path / "wrong" / "1.0.yaml").write_text(yaml.safe_dump(minimal()), encoding="utf-8")
    assert [p.path for p in check_library(tmp_path)] == ["code"]


def test_it_reports_broken_yaml_instead_of_raising(tmp_path):
    (tmp_path / "tst").mkdir()
    (tmp_path / "tst" / "1.0.yaml").write_text("code: [unclosed", encoding="utf-8")
    [problem] = check_library(tmp_path)
    assert problem.message.startswith("cannot read YAML")
