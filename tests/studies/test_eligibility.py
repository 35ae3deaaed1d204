"""evaluate() on the ADMSC and LBPB criteria, and the LBPB reassessment rule."""

import pytest

from studies.protocol import evaluate, needs_reassessment

ADMSC_OK = {
    "age": 45,
    "lbp_sign_count": 2,
    "lbp_months_after_conservative": 12,
    "vas_mm": 40,
    "odi_percent": 30,
    "modic_type": 1,
    "pfirrmann_l45": 3,
    "inc_discography": True,
    "disc_height_loss_percent": 20,
    "inc_no_infection": True,
    "exc_spondylitis_fracture": False,
    "exc_needs_surgery": False,
    "exc_intradiscal_injection": False,
    "slip_mm": 3,
    "angulation_deg": 15,
    "bmd_t_score": -2.4,
    "exc_pregnancy": False,
    "exc_mental": False,
    "exc_systemic": False,
    "exc_allergy": False,
    "exc_cell_product": False,
}


def codes(criteria):
    return [c.code for c in criteria]


def test_a_person_at_every_inclusion_boundary_is_eligible(admsc):
    result = evaluate(admsc.eligibility.criteria, ADMSC_OK)
    assert (result.eligible, result.failing, result.unanswered) == (True, (), ())


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"vas_mm": 39.5}, ["inc_vas"]),
        ({"odi_percent": 28}, ["inc_odi"]),
        ({"modic_type": 3}, ["inc_modic"]),
        ({"pfirrmann_l45": 2}, ["inc_pfirrmann"]),
        ({"lbp_months_after_conservative": 11}, ["inc_duration"]),
        ({"age": 17}, ["inc_age"]),
        ({"inc_discography": False}, ["inc_discography"]),
        ({"slip_mm": 3.5}, ["exc_instability"]),  # slip > 3 mm
        ({"angulation_deg": 16}, ["exc_instability"]),  # or angle > 15 degrees
        ({"bmd_t_score": -2.5}, ["exc_osteoporosis"]),  # -2.5 or lower
        ({"exc_pregnancy": True}, ["exc_pregnancy"]),
        ({"vas_mm": 20, "exc_allergy": True}, ["inc_vas", "exc_allergy"]),
    ],
)
def test_it_names_each_failing_criterion(admsc, change, failing):
    result = evaluate(admsc.eligibility.criteria, {**ADMSC_OK, **change})
    assert result.eligible is False
    assert codes(result.failing) == failing


def test_it_is_incomplete_while_answers_are_missing(admsc):
    answers = {k: v for k, v in ADMSC_OK.items() if k not in ("vas_mm", "exc_allergy")}
    result = evaluate(admsc.eligibility.criteria, answers)
    assert result.eligible is None
    assert codes(result.unanswered) == ["inc_vas", "exc_allergy"]


def test_a_failing_criterion_decides_even_with_answers_missing(admsc):
    answers = {k: v for k, v in ADMSC_OK.items() if k != "vas_mm"} | {"age": 16}
    result = evaluate(admsc.eligibility.criteria, answers)
    assert result.eligible is False
    assert (codes(result.failing), codes(result.unanswered)) == (["inc_age"], ["inc_vas"])


def test_any_rule_is_decided_by_one_true_part_and_open_otherwise(admsc):
    no_angle = {k: v for k, v in ADMSC_OK.items() if k != "angulation_deg"}
    open_result = evaluate(admsc.eligibility.criteria, no_angle)
    assert codes(open_result.unanswered) == ["exc_instability"]
    decided = evaluate(admsc.eligibility.criteria, no_angle | {"slip_mm": 5})
    assert codes(decided.failing) == ["exc_instability"] and decided.unanswered == ()


@pytest.mark.parametrize(("age", "eligible"), [(17, False), (18, True), (80, True), (81, False)])
def test_lbpb_age_limits_are_18_to_80_inclusive(lbpb, age, eligible):
    confirmed = {c.code: c.kind == "inclusion" for c in lbpb.eligibility.criteria if c.rule is None}
    assert evaluate(lbpb.eligibility.criteria, {"age": age, **confirmed}).eligible is eligible


@pytest.mark.parametrize(
    ("baseline", "month1", "flag"),
    [
        (6, 4.5, True),  # 25 % reduction: less than 30 %
        (6, 4.2, False),  # exactly 30 %
        (7, 4.9, False),  # exactly 30 %, though (7 - 4.9) / 7 * 100 is 29.999999999999993 in floating point
        (6, 3, False),  # 50 %
        (6, 7, True),  # worse
        (6, 6, True),  # no change
        (0, 0, False),  # nothing to reduce and no increase
        (0, 1, True),
        (None, 4, None),
        (6, None, None),
    ],
)
def test_lbpb_reassessment_flags_less_than_30_percent_improvement(lbpb, baseline, month1, flag):
    (rule,) = lbpb.rules
    assert (rule.instrument, rule.score) == ("bpi", "average")
    assert (rule.baseline_visit, rule.visit) == ("baseline", "m1")
    assert needs_reassessment(rule, baseline, month1) is flag
