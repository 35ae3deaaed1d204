"""REDCap data dictionary import and export."""

import csv
import io
import re
from pathlib import Path

import pytest

from instruments.definitions import DefinitionError, evaluate, load_definition, parse_definition
from instruments.definitions.redcap_logic import LogicError, negate, parse_logic, write_logic
from instruments.redcap_dd import read_data_dictionary, write_data_dictionary

FIXTURES = Path(__file__).parent / "fixtures"
REDCAP = (FIXTURES / "redcap_phq9_demographics.csv").read_text(encoding="utf-8")
HEADER = REDCAP.splitlines()[0]


@pytest.fixture(scope="module")
def forms():
    demographics, phq9 = read_data_dictionary(REDCAP, languages=("en",))  # as REDCap exports it: English only
    return {"demographics": demographics, "phq9": phq9}


def test_it_reads_one_instrument_per_form_and_skips_descriptive_fields(forms):
    assert forms["phq9"].item_codes() == [f"phq9_{n}" for n in range(1, 11)] + ["phq9_total"]
    assert forms["demographics"].item_codes()[:3] == ["record_id", "dem_dob", "dem_sex"]


def test_it_maps_field_types_and_validation(forms):
    demographics = forms["demographics"]
    kinds = {item.code: item.type for item in demographics.items}
    assert kinds == {
        "record_id": "text",
        "dem_dob": "date",
        "dem_sex": "single_choice",
        "dem_pregnant": "yes_no",
        "dem_height": "number",
        "dem_weight": "number",
        "dem_race": "multiple_choice",
        "dem_race_other": "text",
        "dem_smoke": "single_choice",
        "dem_cigs": "number",
        "dem_pain": "integer_scale",
        "dem_bedtime": "time",
        "dem_comments": "text",
    }
    height, cigs = demographics.item("dem_height"), demographics.item("dem_cigs")
    assert (height.min, height.max, height.decimals, height.help.en) == (100, 220, 1, "cm")
    assert (cigs.min, cigs.max, cigs.decimals) == (1, 100, 0)
    assert demographics.item("dem_comments").multiline
    pain = demographics.item("dem_pain")
    assert (pain.min, pain.max, pain.anchors["max"].en) == (0, 100, "Worst imaginable pain")
    total = forms["phq9"].item("phq9_total")
    assert total.expression.to_edc().startswith("sum(phq9_1, phq9_2,") and total.formula_note is None


def test_it_reads_choices_and_required(forms):
    race = forms["demographics"].item("dem_race")
    assert race.option_codes == (1, 2, 3, 4, 99)
    assert race.options[4].label.en == "Other" and race.options[4].label.zh == ""
    assert forms["phq9"].item("phq9_8").options[2].label.en == "More than half the days"
    assert forms["phq9"].item("phq9_1").required and not forms["phq9"].item("phq9_10").required


def test_it_translates_branching_logic(forms):
    demographics = forms["demographics"]
    assert demographics.item("dem_pregnant").show_if.to_dict() == {"item": "dem_sex", "op": "==", "value": 2}
    assert demographics.item("dem_race_other").show_if.to_dict() == {
        "item": "dem_race",
        "op": "==",
        "value": 99,
    }
    assert demographics.item("dem_cigs").show_if.to_dict() == {
        "all": [
            {"item": "dem_smoke", "op": "==", "value": 2},
            {
                "any": [
                    {"item": "dem_sex", "op": "==", "value": 1},
                    {"item": "dem_weight", "op": ">=", "value": 60},
                ]
            },
        ]
    }
    assert demographics.item("dem_bedtime").show_if.to_dict()["any"][0] == {
        "item": "dem_smoke",
        "op": "answered",
    }
    phq10 = forms["phq9"].item("phq9_10").show_if
    assert len(phq10.children) == 9 and evaluate(phq10, {"phq9_9": 1}) and not evaluate(phq10, {"phq9_1": 0})


def test_section_headers_become_sections(forms):
    first, second = forms["demographics"].sections
    assert first.title.en == "Personal details" and first.items == ("dem_dob", "dem_sex", "dem_pregnant")
    assert second.items[0] == "dem_height"


def test_redcap_forms_survive_a_second_round_trip(forms):
    again = read_data_dictionary(write_data_dictionary(list(forms.values())), languages=("en",))
    assert again == list(forms.values())


def round_trip_instrument():
    label = {"en": "x", "zh": "某"}
    options = [{"code": c, "en": f"o{c}", "zh": f"选{c}"} for c in (1, 2, 3)]
    items = [
        {"code": "rt_1", "type": "single_choice", "label": label, "options": options},
        {"code": "rt_2", "type": "multiple_choice", "label": label, "options": options, "required": False},
        {
            "code": "rt_3",
            "type": "number",
            "label": label,
            "min": 0.5,
            "max": 9.5,
            "decimals": 2,
            "unit": "mg",
        },
        {"code": "rt_4", "type": "date", "label": label, "help": {"en": "Day seen", "zh": "就诊日"}},
        {
            "code": "rt_5",
            "type": "text",
            "label": label,
            "show_if": {
                "all": [
                    {"item": "rt_1", "op": "in", "value": [1, 3]},
                    {"item": "rt_2", "op": "!=", "value": 2},
                    {
                        "any": [
                            {"item": "rt_3", "op": "<=", "value": 2.5},
                            {"item": "rt_4", "op": ">", "value": "2024-01-01"},
                        ]
                    },
                ]
            },
        },
        {"code": "rt_6", "type": "yes_no", "label": label, "show_if": {"item": "rt_5", "op": "unanswered"}},
        {
            "code": "rt_7",
            "type": "duration",
            "label": label,
            "min": 0,
            "max": 600,
            "show_if": {"any": [{"item": "rt_6", "op": "==", "value": 1}, {"item": "rt_1", "op": "!=", "value": 2}]},
        },
    ]
    instrument, problems = parse_definition({"code": "rt", "version": "2.1", "title": label, "items": items})
    assert problems == []
    return instrument


def test_our_definitions_survive_csv_and_back():
    ours = [load_definition(FIXTURES / "library" / "demo" / "1.0.yaml"), round_trip_instrument()]
    assert read_data_dictionary(write_data_dictionary(ours)) == ours


def test_it_writes_the_18_standard_columns_and_redcap_logic():
    table = list(csv.reader(io.StringIO(write_data_dictionary([round_trip_instrument()]))))
    assert table[0] == next(csv.reader([HEADER]))
    assert all(len(row) == 18 for row in table)
    rows = {row[0]: row for row in table[1:]}
    assert rows["rt_5"][11] == (
        "([rt_1] = '1' or [rt_1] = '3') and [rt_2(2)] <> '1' and ([rt_3] <= 2.5 or [rt_4] > '2024-01-01')"
    )
    assert rows["rt_3"][3] == "text" and rows["rt_3"][7:10] == ["number_2dp", "0.5", "9.5"]
    assert rows["rt_2"][3] == "checkbox" and rows["rt_2"][5] == "1, o1 | 2, o2 | 3, o3"
    assert rows["rt_1"][12] == "y" and rows["rt_2"][12] == ""
    assert '"label": "某"' in rows["rt_1"][17]  # zh goes to the @EDC tag in Field Annotation


def test_not_is_written_without_not_and_keeps_its_meaning():
    label = {"en": "x", "zh": "某"}
    options = [{"code": c, "en": f"o{c}", "zh": f"选{c}"} for c in (1, 2, 3)]
    rule = {"not": {"all": [{"item": "rt_3", "op": ">", "value": 2}, {"item": "rt_1", "op": "in", "value": [1, 2]}]}}
    instrument, problems = parse_definition(
        {
            "code": "rt",
            "version": "1",
            "title": label,
            "items": [
                {"code": "rt_1", "type": "single_choice", "label": label, "options": options},
                {"code": "rt_3", "type": "number", "label": label},
                {"code": "rt_5", "type": "text", "label": label, "show_if": rule},
            ],
        }
    )
    assert problems == []
    items = {item.code: item for item in instrument.items}
    condition = instrument.item("rt_5").show_if
    text = write_logic(condition, items)
    assert text == "([rt_3] <= 2 or [rt_3] = '') or ([rt_1] <> '1' and [rt_1] <> '2')"
    back = parse_logic(text, items)
    for values in ({}, {"rt_3": 1}, {"rt_3": 3, "rt_1": 1}, {"rt_3": 3, "rt_1": 3}, {"rt_1": 2}):
        assert evaluate(back, values) == evaluate(condition, values) == evaluate(negate(negate(condition)), values)


def problems_for(rows):
    with pytest.raises(DefinitionError) as caught:
        read_data_dictionary(HEADER + "\n" + "\n".join(rows) + "\n", languages=("en",))
    return [str(problem) for problem in caught.value.problems]


def test_unsupported_logic_and_types_are_reported_not_raised():
    found = problems_for(
        [
            "f_1,f,,text,Date,,,date_ymd,,,,,,,,,,",
            "f_2,f,,text,Adult,,,,,,,\"datediff([f_1], 'today', 'y') >= 18\",,,,,,",
            "f_3,f,,file,Upload,,,,,,,,,,,,,",
            'f_4,f,,radio,Pick,"a, Alpha | b, Beta",,,,,,,,,,,,',
            "f_5,f,,text,Later,,,,,,,[other_form_field] = '1',,,,,,",
            "f_6,f,,text,Event,,,,,,,[baseline_arm_1][f_1] <> '',,,,,,",
            "f_7,f,,text,When,,,datetime_ymd,,,,,,,,,,",
        ]
    )
    assert found == [
        '<data dictionary>: row 3 (f_2): branching logic: unsupported logic near "datediff([f_1], \'tod"',
        "<data dictionary>: row 4 (f_3): field type 'file' is not supported",
        "<data dictionary>: row 5 (f_4): choice 'a, Alpha' is not 'integer code, label'",
        "<data dictionary>: row 6 (f_5): branching logic: [other_form_field] is not an earlier field of this form",
        "<data dictionary>: row 7 (f_6): branching logic: [event][field] references to other events are not supported",
        "<data dictionary>: row 8 (f_7): text validation 'datetime_ymd' is not supported",
    ]


def test_it_refuses_a_file_that_is_not_a_data_dictionary():
    with pytest.raises(DefinitionError, match="expected REDCap's 18 columns"):
        read_data_dictionary("a,b\n1,2\n")


@pytest.mark.parametrize(
    ("logic", "message"),
    [
        ("[c] = '1' and", "the logic ends where a field was expected"),
        ("[c] '1'", "expected a op at token 2"),
        ("([c] = '1'", "a parenthesis is not closed"),
        ("[c] = '7'", "'7' is not a choice of [c]"),
        ("[m] = '1'", "checkbox [m] must be tested as [m(code)]"),
        ("[m(1)] > '0'", "checkbox [m(1)] can only be compared = or <> with '1' or '0'"),
    ],
)
def test_bad_logic_gives_a_plain_message(logic, message):
    label = {"en": "x", "zh": "某"}
    options = [{"code": 1, "en": "a", "zh": "甲"}]
    instrument, _ = parse_definition(
        {
            "code": "t",
            "version": "1",
            "title": label,
            "items": [
                {"code": "c", "type": "single_choice", "label": label, "options": options},
                {"code": "m", "type": "multiple_choice", "label": label, "options": options},
            ],
        }
    )
    with pytest.raises(LogicError, match=re.escape(message)):
        parse_logic(logic, {item.code: item for item in instrument.items})
