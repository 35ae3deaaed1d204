"""parse_protocol: the real protocol files load, and each kind of mistake is reported where it is."""

from pathlib import Path

import pytest

from studies.protocol import ProtocolError


def problems_of(parse_text, text):
    with pytest.raises(ProtocolError) as caught:
        parse_text(text)
    return [(p.path, p.message) for p in caught.value.problems]


def assert_problem(problems, path, fragment):
    assert any(p == path and fragment in m for p, m in problems), problems


def test_lbpb_protocol_parses_with_the_fixed_instrument_list(lbpb):
    assert lbpb.study.code == "LBPB"
    assert lbpb.study.target_enrolment == 360
    assert [a.code for a in lbpb.arms] == ["non_surgical", "surgical"]
    assert [s.code for s in lbpb.sites] == ["01", "02"]
    assert lbpb.anchor("procedure").optional is True
    assert hash(lbpb)  # frozen all the way down, so it can be cached and compared
    assert [v.code for v in lbpb.visits] == [
        "baseline",
        "d1",
        "w1",
        "w2",
        "m1",
        "m3",
        "m6",
        "m12",
        "pre_procedure",
        "post_procedure",
    ]


def test_lbpb_schedules_the_family_questionnaires_as_separate_activities(lbpb):
    baseline = {a.key: a for a in lbpb.visit("baseline").activities}
    assert baseline["phq9_family"].code == "phq9" and baseline["phq9_family"].respondent == "family"
    assert baseline["phq9"].respondent is None
    assert {"gad7_family", "psqi_family"} <= set(baseline)


def test_lbpb_bpi_follows_the_registry_time_points(lbpb):
    # Registry: Baseline; 1 week; 2 weeks; 1, 3, 6, 12 months after treatment (not 1 day).
    with_bpi = [v.code for v in lbpb.visits if any(a.code == "bpi" for a in v.activities)]
    assert with_bpi == ["baseline", "w1", "w2", "m1", "m3", "m6", "m12"]


def test_lbpb_mri_is_taken_at_baseline_day_one_months_and_around_a_procedure(lbpb):
    with_mri = [v.code for v in lbpb.visits if any(a.code == "mri" for a in v.activities)]
    assert with_mri == ["baseline", "d1", "m1", "m3", "m6", "m12", "pre_procedure", "post_procedure"]
    mri = next(a for a in lbpb.visit("m3").activities if a.code == "mri")
    assert "bold_think_no_think" in mri.series and "t2w_lumbar_sag" in mri.series


def test_lbpb_biobank_samples_are_at_baseline_and_3_6_12_months(lbpb):
    with_stool = [v.code for v in lbpb.visits if any(a.code == "stool" for a in v.activities)]
    assert with_stool == ["baseline", "m3", "m6", "m12"]


def test_admsc_protocol_is_randomised_one_to_one_to_one_to_one(admsc):
    assert admsc.study.design == "randomised" and admsc.study.blinding == "double"
    assert [(a.code, a.ratio) for a in admsc.arms] == [("high", 1), ("mid", 1), ("low", 1), ("placebo", 1)]
    assert admsc.anchor("transplantation").expected.offset_days == 21
    assert admsc.visit("liposuction").activities[1].code == "adipose_tissue"


def test_it_reports_a_yaml_syntax_error_with_its_line(parse_text):
    with pytest.raises(ProtocolError) as caught:
        parse_text("study:\n  code: X\n  title: [unclosed\nsites: []\n")
    (problem,) = caught.value.problems
    assert "YAML syntax error" in problem.message and problem.line == 4


def test_it_reports_a_key_given_twice_in_one_mapping(parse_text):
    with pytest.raises(ProtocolError) as caught:
        parse_text("study:\n  code: X\n  code: Y\n")
    assert "duplicate key 'code'" in caught.value.problems[0].message
    assert caught.value.problems[0].line == 3


def test_the_problem_names_the_file(parse_text, base, to_yaml):
    del base["visits"][0]["anchor"]
    with pytest.raises(ProtocolError) as caught:
        parse_text(to_yaml(base), "mini.yaml")
    assert str(caught.value.problems[0]).startswith("mini.yaml: visits[0].anchor: missing required key")


def _break(base, how):
    visits, study = base["visits"], base["study"]
    if how == "missing":
        del visits[0]["anchor"]
    elif how == "typo":
        visits[1]["ofset_days"] = visits[1].pop("offset_days")
    elif how == "type":
        study["target_enrolment"] = "many"
    elif how == "instrument":
        visits[0]["activities"]["instruments"] = ["bpi", "phq10"]
    elif how == "specimen":
        visits[0]["activities"]["specimens"] = ["urine"]
    elif how == "acquisition":
        visits[0]["activities"]["acquisitions"] = [{"type": "ct", "series": ["ax"]}]
    elif how == "dup_visit":
        visits[2]["code"] = "w2"
    elif how == "dup_site":
        base["sites"].append({"code": "01", "name": {"en": "y", "zh": "y"}})
    elif how == "dup_arm":
        base["arms"][1]["code"] = "a"
    elif how == "anchor":
        visits[1]["anchor"] = "surgery"
    elif how == "arm":
        visits[2]["arms"] = ["a", "c"]
    elif how == "negative":
        visits[1]["window_before"] = -3
    elif how == "overlap":
        visits[1]["window_after"] = 10
    elif how == "ratio":
        study["design"] = "randomised"
        base["arms"][0]["ratio"] = 2
    elif how == "pattern":
        study["participant_id_pattern"] = "{study}-{site}"
    elif how == "field":
        base["eligibility"]["inclusion"][0]["rule"] = {"field": "vas", "op": ">=", "value": 40}
    elif how == "enrolment":
        base["anchors"][0]["code"] = "consent"
        visits[0]["anchor"] = "consent"
    elif how == "expected":
        base["anchors"][1]["expected"] = {"anchor": "liposuction", "offset_days": 21}
    elif how == "design":
        study["design"] = "cohort"
    return base


@pytest.mark.parametrize(
    ("how", "path", "message"),
    [
        ("missing", "visits[0].anchor", "missing required key"),
        ("typo", "visits[1].ofset_days", "unknown key 'ofset_days' (did you mean 'offset_days'?)"),
        ("type", "study.target_enrolment", "expected an integer, got a string 'many'"),
        ("instrument", "visits[0].activities.instruments[1].code", "unknown instrument 'phq10' (did you mean 'phq9'?)"),
        ("specimen", "visits[0].activities.specimens[0].type", "unknown specimen 'urine'"),
        ("acquisition", "visits[0].activities.acquisitions[0].type", "unknown acquisition 'ct'"),
        ("dup_visit", "visits[2].code", "duplicate visit code 'w2' (first at visits[1])"),
        ("dup_site", "sites[1].code", "duplicate site code '01'"),
        ("dup_arm", "arms[1].code", "duplicate arm code 'a'"),
        ("anchor", "visits[1].anchor", "anchor 'surgery' is not declared by the study"),
        ("arm", "visits[2].arms[1]", "the study has no arm 'c'"),
        ("negative", "visits[1].window_before", "cannot be negative (got -3)"),
        ("overlap", "visits[2]", "window (days 23 to 37 from treatment) overlaps visit 'w2' (days 11 to 24)"),
        ("ratio", "arms[1].ratio", "a randomised study needs an allocation ratio for every arm"),
        ("pattern", "study.participant_id_pattern", "needs the sequence field {seq}"),
        ("field", "eligibility.inclusion[0].rule.field", "unknown field 'vas'"),
        ("enrolment", "anchors", "the anchor 'enrolment' must be declared"),
        ("expected", "anchors[1].expected.anchor", "anchor 'liposuction' is not declared"),
        ("design", "study.design", "must be one of observational, randomised; got 'cohort'"),
    ],
)
def test_it_reports_each_mistake_at_its_key_path(parse_text, base, to_yaml, how, path, message):
    problems = problems_of(parse_text, to_yaml(_break(base, how)))
    assert_problem(problems, path, message)


def test_it_reports_several_problems_at_once(parse_text, base, to_yaml):
    for how in ("typo", "instrument", "anchor", "negative", "pattern", "field"):
        base = _break(base, how)
    problems = problems_of(parse_text, to_yaml(base))
    paths = {p for p, _ in problems}
    assert {
        "visits[1].ofset_days",
        "visits[0].activities.instruments[1].code",
        "visits[1].window_before",
        "study.participant_id_pattern",
        "eligibility.inclusion[0].rule.field",
    } <= paths


def test_windows_that_share_one_day_overlap(parse_text, base, to_yaml):
    base["visits"][1]["window_after"] = 9  # w2 days 11 to 23; m1 starts on day 23
    assert_problem(problems_of(parse_text, to_yaml(base)), "visits[2]", "overlaps visit 'w2' (days 11 to 23)")


def test_windows_that_only_meet_do_not_overlap(parse_text, base, to_yaml):
    base["visits"][1]["window_after"] = 8  # w2 ends day 22, m1 starts day 23
    assert parse_text(to_yaml(base)).visit("w2").window_after == 8


def test_a_visit_for_one_arm_may_share_days_with_a_visit_for_another(parse_text, base, to_yaml):
    base["visits"][1]["arms"] = ["a"]
    base["visits"].append(
        {
            "code": "w2b",
            "label": {"en": "x", "zh": "x"},
            "anchor": "treatment",
            "offset_days": 14,
            "window_before": 3,
            "window_after": 3,
            "arms": ["b"],
        }
    )
    assert [v.code for v in parse_text(to_yaml(base)).visits] == ["baseline", "w2", "m1", "w2b"]


def test_an_activity_given_twice_at_a_visit_needs_its_own_key(parse_text, base, to_yaml):
    base["visits"][0]["activities"]["instruments"] = ["bpi", "bpi"]
    assert_problem(
        problems_of(parse_text, to_yaml(base)),
        "visits[0].activities.instruments[1]",
        "activity key 'bpi' is used twice",
    )


def test_unquoted_numeric_site_code_is_refused(parse_text, base, to_yaml):
    text = to_yaml(base).replace("code: '01'", "code: 1")
    problems = problems_of(parse_text, text)
    assert_problem(problems, "sites[0].code", "expected a string, got an integer 1 (quote it)")


def test_the_example_in_the_format_document_parses(parse_text):
    doc = (Path(__file__).resolve().parents[2] / "docs/protocol-format.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    protocol = parse_text(example, "protocol-format.md")
    assert protocol.anchor("injection").expected.anchor == "harvest"
    assert protocol.visit("call").repeating.count == 4
