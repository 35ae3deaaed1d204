"""Plausibility checks as data: `checks:` in a definition and `kind: check` rules in a protocol, validated at load
with the file and key path of every mistake, evaluated purely; and blank scores that say why."""

import pytest

from instruments.definitions import compute, load_library, parse_definition
from instruments.definitions.plausibility import violations
from instruments.definitions.reasons import score_reasons
from studies.protocol import ProtocolError
from studies.protocol.quality import protocol_checks
from studies.selectors import parse_protocol_text
from tests.protocol_text import protocol_head
from tests.studies.test_quality_rule_items import VISITS
from workflows.services import protocol_apply

LIBRARY = load_library()

DEFINITION = {
    "code": "pain",
    "version": "1.0",
    "title": {"en": "Pain", "zh": "疼痛"},
    "scorer": None,
    "items": [
        {"code": "pain_worst", "type": "integer_scale", "min": 0, "max": 10, "label": {"en": "Worst", "zh": "最重"}},
        {"code": "pain_least", "type": "integer_scale", "min": 0, "max": 10, "label": {"en": "Least", "zh": "最轻"}},
    ],
}
CHECK = {
    "code": "least_below_worst",
    "severity": "error",
    "expression": "pain_least <= pain_worst",
    "message": {"en": "Least above worst", "zh": "最轻高于最重"},
}


def problems(checks) -> list[tuple[str, str]]:
    _instrument, found = parse_definition(DEFINITION | {"checks": checks}, "pain/1.0.yaml")
    return [(p.path, p.message) for p in found]


def test_a_definition_check_reads_its_items_in_the_forms_order():
    instrument, found = parse_definition(DEFINITION | {"checks": [CHECK]}, "pain/1.0.yaml")
    assert found == []
    [check] = instrument.checks
    assert (check.code, check.severity, check.items) == ("least_below_worst", "error", ("pain_worst", "pain_least"))


def test_every_broken_check_is_reported_with_its_file_and_key_path():
    broken = [
        CHECK | {"expression": "pain_least <= pain_wrost"},
        CHECK | {"code": "Bad Code", "severity": "fatal"},
        CHECK | {"message": {"en": "Least above worst"}, "when": "always"},
        CHECK,
        CHECK,
    ]
    assert problems(broken) == [
        ("checks[0].expression", 'column 15: unknown item "pain_wrost"'),
        ("checks[1].code", "check code 'Bad Code' must be lower snake_case"),
        ("checks[1].severity", "must be one of error, warning; got 'fatal'"),
        ("checks[2].when", "unknown key"),
        ("checks[2].message.zh", "missing zh label"),
        ("checks[3].code", "duplicate check code 'least_below_worst'"),
        ("checks[4].code", "duplicate check code 'least_below_worst'"),
    ]
    assert problems("x") == [("checks", "must be a list of {code, expression, severity, message}")]


@pytest.mark.parametrize(
    ("code", "values", "broken"),
    [
        (
            "bpi",
            {"bpi_3": 2, "bpi_4": 10, "bpi_5": 5, "bpi_6": 5},
            ["least_not_above_worst", "average_within_range", "now_within_range"],
        ),
        ("bpi", {"bpi_3": 8, "bpi_4": 2, "bpi_5": 9, "bpi_6": 4}, ["average_within_range"]),
        ("bpi", {"bpi_3": 8, "bpi_4": 2, "bpi_5": 5, "bpi_6": 1}, ["now_within_range"]),
        ("bpi", {"bpi_3": 8, "bpi_4": 2, "bpi_5": 5, "bpi_6": 4}, []),
        ("bpi", {"bpi_3": 8}, []),  # a check reading a missing answer passes: a draft is checked on what it holds
        (
            "ae_record",
            {"ae_record_onset_date": "2026-03-02", "ae_record_resolution_date": "2026-03-01"},
            ["resolved_after_onset"],
        ),
        (
            "ae_record",
            {"ae_record_onset_date": "2026-03-02", "ae_record_aware_date": "2026-03-01"},
            ["aware_after_onset"],
        ),
        ("ae_record", {"ae_record_onset_date": "2026-03-02", "ae_record_resolution_date": "2026-03-02"}, []),
        ("biochem", {"biochem_alt": 2500, "biochem_ast": 40}, ["alt_physiological"]),
        ("biochem", {"biochem_alt": 1000, "biochem_ast": 1001}, ["ast_physiological"]),
    ],
)
def test_the_built_in_checks(code, values, broken):
    instrument = LIBRARY.latest(code)
    assert [v.code for v in violations(instrument.checks, values, compute(instrument, values))] == broken


def lbpb_age_checks():
    with open("protocols/lbpb.yaml", encoding="utf-8") as handle:
        protocol = parse_protocol_text(handle.read(), filename="lbpb.yaml")
    demographics = LIBRARY.latest("demographics")
    names = demographics.item_codes() + demographics.score_names()
    return protocol_checks(protocol.quality_rules, instrument="demographics", visit_code="baseline", names=names)


# Ages are whole years of 365.2425 days (datediff's "y", as REDCap's): on the birthday itself a leap day can still
# count a day short, so the cases stay a day or more from it.
@pytest.mark.parametrize(
    ("birth", "broken"),
    [
        ("1990-05-01", []),
        ("2008-02-28", []),  # 18 two days ago
        ("2008-03-03", ["age_eligible"]),  # two days short of 18
        ("1945-03-02", []),  # 80 until the day before the 81st birthday
        ("1945-02-27", ["age_eligible"]),
        ("2026-03-02", ["age_possible", "age_eligible"]),  # born after the visit
    ],
)
def test_lbpb_age_eligibility_at_the_visit(birth, broken):
    values = {"demographics_birth_date": birth, "demographics_visit_date": "2026-03-01"}
    assert [v.code for v in violations(lbpb_age_checks(), values, {})] == broken
    assert {check.code: check.severity for check in lbpb_age_checks()} == {
        "age_possible": "error",
        "age_eligible": "warning",
    }


def protocol_problems(rules: str) -> list[tuple[str, str]]:
    with pytest.raises(ProtocolError) as refused:
        protocol_apply(text=protocol_head() + VISITS + rules, filename="alpha.yaml")
    return [(p.path, p.message) for p in refused.value.problems]


@pytest.mark.django_db
def test_a_protocol_check_that_does_not_compile_is_refused_with_its_key_path():
    rules = """  - {code: c1, kind: check, severity: warning, instrument: bpi, expression: "bpi_4 <= bpi_33",
     message: {en: "x", zh: "x"}}
  - {code: c2, kind: check, severity: fatal, instrument: bpi, expression: "bpi_4 <= bpi_3",
     message: {en: "x", zh: "x"}}
  - {code: c3, kind: check, instrument: bpi, message: {en: "x", zh: "x"}}
"""
    found = protocol_problems(rules)
    assert ("quality_rules[1].severity", "must be one of error, warning; got 'fatal'") in found
    assert ("quality_rules[2]", "missing required key 'expression'") in found or any(
        path.startswith("quality_rules[2]") for path, _ in found
    )
    # Parsing knows instrument codes only; the expression is compiled against the definition on load.
    good = rules.split("  - {code: c2")[0]
    assert protocol_problems(good) == [("quality_rules[0].expression", 'column 10: unknown item "bpi_33"')]


@pytest.mark.django_db
def test_a_protocol_check_that_compiles_loads():
    rules = """  - {code: c1, kind: check, severity: error, instrument: bpi, expression: "bpi_4 <= worst",
     message: {en: "x", zh: "x"}}
"""
    assert protocol_apply(text=protocol_head() + VISITS + rules, filename="alpha.yaml").status == "created"


PSQI_WITHOUT_HOURS = {
    "psqi_1": "23:00",
    "psqi_2": 10,
    "psqi_3": "07:00",
    "psqi_5a": 0,
    "psqi_6": 1,
    "psqi_7": 0,
    "psqi_8": 0,
    "psqi_9": 0,
} | {f"psqi_5{letter}": 0 for letter in "bcdefghi"}


def test_a_blank_score_says_which_answers_it_needs():
    psqi = LIBRARY.latest("psqi")
    reasons = score_reasons(psqi, PSQI_WITHOUT_HOURS, compute(psqi, PSQI_WITHOUT_HOURS))
    assert set(reasons) == {"c3_duration", "c4_efficiency", "total", "band"}
    assert reasons["c3_duration"].en == "Needs an answer to: Hours of actual sleep per night (item 4)."
    assert reasons["c3_duration"].zh == "需要回答：每晚实际睡眠时间（小时，可能不同于卧床时间）（第4题）。"
    assert reasons["total"] == reasons["c3_duration"]  # through the blank components, down to the item


def test_a_blank_score_with_its_answers_given_says_they_give_no_value():
    psqi = LIBRARY.latest("psqi")
    values = PSQI_WITHOUT_HOURS | {"psqi_3": "23:00", "psqi_4": 7}  # no time in bed
    reasons = score_reasons(psqi, values, compute(psqi, values))
    assert reasons["c4_efficiency"].en.startswith("Cannot be computed from the answers to: Usual bedtime (item 1)")
    assert reasons["total"].en == "Blank because C4 Habitual sleep efficiency cannot be computed."
    assert "c3_duration" not in reasons


def test_scores_that_are_computed_or_declare_no_needs_give_no_reason():
    phq9 = LIBRARY.latest("phq9")
    assert score_reasons(phq9, {}, compute(phq9, {})) == {}  # PHQ-9 declares no needs: no reason, as before
    psqi = LIBRARY.latest("psqi")
    full = PSQI_WITHOUT_HOURS | {"psqi_4": 7}
    assert score_reasons(psqi, full, compute(psqi, full)) == {}
