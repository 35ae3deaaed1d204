"""Calculated items and expression scores in a definition (YAML) and in a REDCap data dictionary."""

import csv
import io
from pathlib import Path

import pytest

from instruments.catalogue import definition_dict
from instruments.definitions import DefinitionError, compute, parse_definition, scoring_version
from instruments.definitions.library import read_definition
from instruments.definitions.scorers import scorer_problems
from instruments.redcap_dd import read_data_dictionary, write_data_dictionary
from instruments.registry import get_instrument

DICTIONARY = (Path(__file__).resolve().parents[1] / "fixtures" / "study_files" / "recovery_dictionary.csv").read_text(
    "utf-8-sig"
)


def label(en):
    return {"en": en, "zh": f"中文{en}"}


def trials(**overrides):
    """A dynamometer form: three trials, the best as a calculated item, and two expression scores."""
    data = {
        "code": "grip",
        "version": "1.0",
        "title": label("Grip"),
        "kind": "crf",
        "items": [
            {"code": f"grip_{n}", "type": "number", "label": label(f"Trial {n}"), "min": 0, "max": 100, "decimals": 1}
            for n in (1, 2, 3)
        ]
        + [
            {"code": "grip_best", "type": "calc", "label": label("Best"), "expression": "max(grip_1, grip_2, grip_3)"},
            {
                "code": "grip_spread",
                "type": "calculated",
                "label": label("Spread"),
                "expression": "grip_best - min(grip_1, grip_2, grip_3)",
            },
        ],
        "scores": [
            {"name": "mean", "label": label("Mean"), "expression": "round(mean(grip_1, grip_2, grip_3; min=2), 1)"},
            {"name": "consistent", "label": label("Consistent"), "expression": "if(grip_spread <= 2, 1, 0)"},
            {"name": "mean_lb", "label": label("Mean (lb)"), "expression": "round(mean * 2.20462, 1)"},
        ],
    }
    return data | overrides


def test_a_definition_computes_its_calculated_items_and_expression_scores():
    grip, problems = parse_definition(trials())
    assert problems == []
    assert grip.item("grip_best").type == "calculated" and not grip.item("grip_best").entered  # "calc" is an alias
    assert compute(grip, {"grip_1": 30.5, "grip_2": 32.1, "grip_3": 31.0}) == {
        "grip_best": 32.1,
        "grip_spread": pytest.approx(1.6),
        "mean": 31.2,  # 93.6 / 3
        "consistent": 1,
        "mean_lb": 68.8,  # 31.2 * 2.20462 = 68.784
    }
    assert compute(grip, {"grip_1": 30.5}) == {
        "grip_best": 30.5,
        "grip_spread": 0,
        "mean": None,  # one trial: fewer than min=2
        "consistent": 1,
        "mean_lb": None,
    }
    assert scoring_version(grip) == "expr1" and scorer_problems(grip, "grip.yaml") == []
    assert grip.score_names() == ["mean", "consistent", "mean_lb", "grip_best", "grip_spread"]


def test_a_definition_survives_its_yaml_and_redcap_forms():
    grip, _ = parse_definition(trials())
    written = definition_dict(grip)
    assert written["items"][3]["expression"] == "max(grip_1, grip_2, grip_3)"
    assert parse_definition(written) == (grip, [])
    [back] = read_data_dictionary(write_data_dictionary([grip]))
    assert back == grip  # expressions compare by meaning, whatever syntax they were read from


def problems(data):
    return [f"{p.path}: {p.message}" for p in parse_definition(data)[1]]


@pytest.mark.parametrize(
    "change, expected",
    [
        ({3: "max(grip_1, grip_9)"}, 'items[3].expression: column 13: unknown item "grip_9"'),
        ({3: "maximum(grip_1)"}, 'items[3].expression: column 1: unknown function "maximum"'),
        ({3: "if(grip_1, 2)"}, 'items[3].expression: column 1: "if" takes 3 arguments, not 2'),
        ({3: "grip_1 +"}, "items[3].expression: column 9: expected a value, found the end of the expression"),
        ({3: 12}, "items[3].expression: must be an expression (text)"),
        # a calculated item reads the calculated items above it only (they are computed in order)
        ({3: "grip_spread + 1"}, 'items[3].expression: column 1: unknown item "grip_spread"'),
        ({3: "grip_best"}, 'items[3].expression: column 1: unknown item "grip_best"'),  # not itself
    ],
)
def test_expression_mistakes_are_reported_with_key_path_and_column(change, expected):
    data = trials()
    for n, source in change.items():
        data["items"][n]["expression"] = source
    assert problems(data) == [expected]


def test_score_expressions_read_items_and_the_scores_above_them():
    data = trials()
    data["scores"][0]["expression"] = "consistent + 1"
    assert problems(data) == ['scores[0].expression: column 1: unknown item "consistent"']
    data = trials()
    data["scores"][1]["name"] = "grip_best"
    assert "scores[1].name: score name 'grip_best' is also an item code" in problems(data)


def test_a_calculated_item_without_expression_needs_a_scorer():
    data = trials()
    del data["items"][3]["expression"]
    assert "items[3]: a calculated item needs an expression when the instrument has no scorer" in problems(data)


def test_scores_without_expression_still_need_a_scorer(tmp_path):
    data = trials()
    del data["scores"][2]["expression"]
    grip, found = parse_definition(data)
    assert found == []
    assert [str(p) for p in scorer_problems(grip, "grip.yaml")] == [
        "grip.yaml: scores: scores without an expression are listed but scorer is null"
    ]


def test_a_scorer_instrument_keeps_its_bare_scoring_version():
    assert scoring_version(get_instrument("phq9")) == "1"  # stored PHQ-9 responses are not rescored
    assert read_definition  # the library reader is unchanged for definitions without expressions


# -- the REDCap dictionary fixture of a new study


def test_the_recovery_dictionary_reads_in_english_only_with_no_problem():
    forms = {one.code: one for one in read_data_dictionary(DICTIONARY, languages=("en",))}
    assert list(forms) == ["recovery", "grip_strength", "six_mwt", "nrs"]
    recovery, grip = forms["recovery"], forms["grip_strength"]
    mean = recovery.item("recovery_mean")
    assert mean.type == "calculated" and mean.help is None and mean.formula_note.en.startswith("Blank when")
    assert compute(recovery, {"recovery_1": 4, "recovery_2": 3, "recovery_3": 3, "recovery_4": 2}) == {
        "recovery_mean": 3
    }
    assert compute(recovery, {"recovery_1": 4, "recovery_2": 3, "recovery_3": 3}) == {"recovery_mean": None}
    assert compute(recovery, dict.fromkeys((f"recovery_{n}" for n in range(1, 6)), 1)) == {"recovery_mean": 1}
    assert compute(grip, {"grip_1": 30.5, "grip_2": 32.1, "grip_3": 31.0}) == {"grip_best": 32.1}
    distance = forms["six_mwt"].item("six_mwt_distance")
    assert (distance.type, distance.decimals, distance.min, distance.max) == ("number", 0, 0, 1000)
    assert forms["nrs"].item("nrs_pain").option_codes == tuple(range(11))


def test_read_with_both_languages_every_row_without_chinese_is_a_problem():
    with pytest.raises(DefinitionError) as refused:
        read_data_dictionary(DICTIONARY, languages=("en", "zh"))
    found = [str(p) for p in refused.value.problems]
    assert len(found) == 12  # every field row, rows 2 to 13
    assert found[0] == (
        "<data dictionary>: row 2 (recovery_1): missing zh label: Field Label, choice 0, choice 1, choice 2, "
        "choice 3, choice 4, form title, section s1"
    )
    assert (
        found[5] == "<data dictionary>: row 7 (recovery_mean): missing zh label: Field Label, Field Note (formula note)"
    )
    assert [p.path for p in refused.value.problems][-1] == "row 13 (nrs_pain)"


def broken(field: str, equation: str) -> str:
    """The fixture with one calc field's equation replaced."""
    rows = list(csv.reader(io.StringIO(DICTIONARY)))
    for row in rows:
        if row[0] == field:
            row[5] = equation
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    "field, equation, expected",
    [
        (
            "grip_best",
            "max([grip_1],[grip_2],[grip_4])",
            'row 11 (grip_best): Choices, Calculations, OR Slider Labels: column 23: unknown item "grip_4"',
        ),
        (
            "grip_best",
            "max([grip_1],[recovery_1])",
            'row 11 (grip_best): Choices, Calculations, OR Slider Labels: column 14: unknown item "recovery_1"',
        ),
        (
            "recovery_mean",
            "[baseline_arm_1][recovery_1]",
            "row 7 (recovery_mean): Choices, Calculations, OR Slider Labels: column 1: [baseline_arm_1][...]: cross-event and repeating-instance references are not supported; an expression reads only the items of its own form",
        ),
        (
            "recovery_mean",
            "[recovery_1] + [record-name]",
            "row 7 (recovery_mean): Choices, Calculations, OR Slider Labels: column 16: [record-name] is a REDCap smart variable or not a field name: smart variables are not supported",
        ),
        (
            "recovery_mean",
            "mean([recovery_1], [recovery_2]",
            "row 7 (recovery_mean): Choices, Calculations, OR Slider Labels: column 32: expected a closing ) or a comma, found the end of the expression",
        ),
    ],
)
def test_a_wrong_equation_is_refused_with_its_row_and_column(field, equation, expected):
    with pytest.raises(DefinitionError) as refused:
        read_data_dictionary(broken(field, equation), languages=("en",))
    assert [f"{p.path}: {p.message}" for p in refused.value.problems] == [expected]


def test_calc_fields_are_written_back_in_redcap_syntax():
    forms = read_data_dictionary(DICTIONARY, languages=("en",))
    rows = {row[0]: row for row in csv.reader(io.StringIO(write_data_dictionary(forms)))}
    assert rows["grip_best"][3] == "calc" and rows["grip_best"][5] == "max([grip_1], [grip_2], [grip_3])"
    assert rows["recovery_mean"][5] == (
        'if(([recovery_1] <> "") + ([recovery_2] <> "") + ([recovery_3] <> "") + ([recovery_4] <> "") + '
        '([recovery_5] <> "") >= 4, mean([recovery_1], [recovery_2], [recovery_3], [recovery_4], [recovery_5]), "")'
    )
    assert "@READONLY" not in rows["grip_best"][17]  # REDCap never lets anyone type into a calc field
    assert read_data_dictionary(write_data_dictionary(forms), languages=("en",)) == forms
