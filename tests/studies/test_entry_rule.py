"""The pure schedule rule of CRF entry (studies.protocol.entry.entry_refusal), on the wait-list trial's file."""

from datetime import date
from pathlib import Path

import pytest

from studies.protocol import ProtocolError
from studies.protocol.entry import (
    ACTIVITY_ARM,
    ANCHOR_MISSING,
    NO_ACTIVITY,
    NO_ARM,
    NO_VISIT,
    NOT_ENROLLED,
    NOT_SCHEDULED,
    UNKNOWN,
    VISIT_ARM,
    entry_refusal,
)

TEXT = (Path(__file__).parents[1] / "fixtures" / "study_files" / "sched_waitlist_trial.yaml").read_text("utf-8")
ENROLLED = {"enrolment": date(2026, 1, 5)}


def _refusal(protocol, arm, visit, activity, anchors=ENROLLED):
    found = entry_refusal(protocol, arm_code=arm, anchors=anchors, visit_code=visit, activity_key=activity)
    return None if found is None else (found.kind, found.reason)


@pytest.mark.parametrize(
    ("arm", "visit", "activity", "expected"),
    [
        ("exercise", "session", "bpi", None),
        ("waitlist", "session", "bpi", (NOT_SCHEDULED, VISIT_ARM)),
        (None, "session", "bpi", (NOT_SCHEDULED, NO_ARM)),
        ("exercise", "baseline", "bpi", None),
        ("waitlist", "baseline", "bpi", (NOT_SCHEDULED, ACTIVITY_ARM)),
        ("waitlist", "baseline", "odi", None),
        ("waitlist", "post_op_m6", "odi", (NOT_SCHEDULED, ANCHOR_MISSING)),
        ("waitlist", "unplanned", "odi", None),
        ("waitlist", "m99", "odi", (UNKNOWN, NO_VISIT)),
        ("waitlist", "baseline", "phq9", (UNKNOWN, NO_ACTIVITY)),
        ("waitlist", "nope", "odi", (UNKNOWN, NO_VISIT)),
    ],
)
def test_the_rule_for_each_arm_visit_and_form(parse_text, arm, visit, activity, expected):
    assert _refusal(parse_text(TEXT), arm, visit, activity) == expected


def test_a_surgery_date_brings_the_surgery_forms(parse_text):
    protocol = parse_text(TEXT)
    assert _refusal(protocol, "waitlist", "post_op_m6", "phq9", ENROLLED | {"surgery": date(2026, 2, 1)}) is None


def test_an_unscheduled_visit_waits_for_enrolment(parse_text):
    assert _refusal(parse_text(TEXT), None, "unplanned", "odi", {}) == (NOT_SCHEDULED, NOT_ENROLLED)


def test_an_expected_anchor_date_counts_as_a_date(parse_text):
    text = TEXT.replace(
        '{code: surgery, label: {en: "Surgery", zh: "手术"}, optional: true}',
        '{code: surgery, label: {en: "Surgery", zh: "手术"}, expected: {anchor: enrolment, offset_days: 30}}',
    )
    assert _refusal(parse_text(text), "waitlist", "post_op_m6", "odi") is None


def test_in_a_blinded_union_schedule_every_form_is_everyones(parse_text):
    text = TEXT.replace("blinding: none", "blinding: double\n  blinded_schedule: union")
    protocol = parse_text(text)
    assert _refusal(protocol, "waitlist", "session", "bpi") is None
    assert _refusal(protocol, "waitlist", "baseline", "bpi") is None


def test_an_unscheduled_visit_with_a_day_is_refused_at_its_key_paths(parse_text):
    text = TEXT.replace(
        "    unscheduled: true\n", "    unscheduled: true\n    anchor: enrolment\n    window_after: 3\n"
    )
    with pytest.raises(ProtocolError) as caught:
        parse_text(text)
    paths = sorted(problem.path for problem in caught.value.problems)
    assert paths == ["visits[4].anchor", "visits[4].window_after"]
