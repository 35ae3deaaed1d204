"""project_visits and visit_status, with dates worked by hand.

Participant: enrolled Mon 2026-03-02, treatment started 2026-03-16 (two weeks later), procedure on
day 20 after enrolment (2026-03-22). LBPB months are 30, 90, 180 and 365 days after treatment start.
"""

from datetime import date

import pytest

from studies.protocol import project_visits, visit_status

D = date.fromisoformat
ANCHORS = {"enrolment": D("2026-03-02"), "treatment_start": D("2026-03-16"), "procedure": D("2026-03-22")}

# code, target, window start, window end (worked by hand from offsets and windows in protocols/lbpb.yaml)
LBPB_EXPECTED = [
    ("baseline", "2026-03-02", "2026-03-02", "2026-03-09"),  # day 0, +7
    ("d1", "2026-03-17", "2026-03-17", "2026-03-18"),  # treatment +1, 0/+1
    ("pre_procedure", "2026-03-21", "2026-03-20", "2026-03-21"),  # procedure -1, -1/0
    ("w1", "2026-03-23", "2026-03-20", "2026-03-26"),  # treatment +7, +-3
    ("post_procedure", "2026-03-23", "2026-03-23", "2026-03-24"),  # procedure +1, 0/+1
    ("w2", "2026-03-30", "2026-03-27", "2026-04-02"),  # +14, +-3
    ("m1", "2026-04-15", "2026-04-08", "2026-04-22"),  # +30: 15 to 31 Mar, 15 into Apr; +-7
    ("m3", "2026-06-14", "2026-05-31", "2026-06-28"),  # +90: 15 + 30 + 31 + 14; +-14
    ("m6", "2026-09-12", "2026-08-13", "2026-10-12"),  # +180: +90 more from 14 Jun; +-30
    ("m12", "2027-03-16", "2027-02-14", "2027-04-15"),  # +365: no 29 Feb in between; +-30
]


def rows(projected):
    return [(p.code, str(p.target), str(p.window_start), str(p.window_end)) for p in projected]


def test_every_lbpb_visit_has_its_hand_worked_target_and_window(lbpb):
    assert rows(project_visits(lbpb, "surgical", ANCHORS)) == LBPB_EXPECTED


def test_moving_the_procedure_moves_only_procedure_visits(lbpb):
    moved = project_visits(lbpb, "surgical", {**ANCHORS, "procedure": D("2026-04-01")})
    by_code = {p.code: p for p in moved}
    assert (str(by_code["pre_procedure"].target), str(by_code["post_procedure"].target)) == ("2026-03-31", "2026-04-02")
    unchanged = [r for r in LBPB_EXPECTED if not r[0].endswith("procedure")]
    assert [r for r in rows(moved) if not r[0].endswith("procedure")] == unchanged


def test_visits_on_an_anchor_without_a_date_are_not_projected(lbpb):
    assert [p.code for p in project_visits(lbpb, "non_surgical", {**ANCHORS, "procedure": None})] == [
        "baseline",
        "d1",
        "w1",
        "w2",
        "m1",
        "m3",
        "m6",
        "m12",
    ]
    assert [p.code for p in project_visits(lbpb, None, {"enrolment": D("2026-03-02")})] == ["baseline"]


def test_an_expected_anchor_gives_estimated_dates_until_the_real_one_is_entered(admsc):
    estimated = {
        p.code: p
        for p in project_visits(admsc, "placebo", {"enrolment": D("2026-03-02"), "liposuction": D("2026-03-10")})
    }
    assert estimated["transplantation"].target == D("2026-03-31")  # liposuction + 21
    assert estimated["transplantation"].estimated and estimated["w1"].estimated
    assert estimated["w1"].target == D("2026-04-07")
    assert not estimated["liposuction"].estimated
    real = {
        p.code: p
        for p in project_visits(
            admsc,
            "placebo",
            {"enrolment": D("2026-03-02"), "liposuction": D("2026-03-10"), "transplantation": D("2026-04-02")},
        )
    }
    assert real["w1"].target == D("2026-04-09") and not real["w1"].estimated
    assert real["m24"].target == D("2028-04-01")  # 730 days, 2028 is a leap year: 2 Apr 2028 - 1 day


def test_an_unknown_arm_or_anchor_is_refused(lbpb):
    with pytest.raises(ValueError, match="no arm 'placebo'"):
        project_visits(lbpb, "placebo", ANCHORS)
    with pytest.raises(ValueError, match="surgery"):
        project_visits(lbpb, "surgical", {"surgery": D("2026-03-02")})


W2 = dict(zip(("code", "target", "start", "end"), LBPB_EXPECTED[5], strict=True))  # 27 Mar .. 2 Apr


@pytest.mark.parametrize(
    ("today", "completed_on", "missed", "status"),
    [
        ("2026-03-26", None, False, "upcoming"),  # the day before the window opens
        ("2026-03-27", None, False, "open"),  # first day of the window
        ("2026-04-02", None, False, "open"),  # last day of the window
        ("2026-04-03", None, False, "overdue"),  # the day after it closes
        ("2026-04-03", None, True, "missed"),
        ("2026-04-10", "2026-03-29", False, "completed"),
        ("2026-04-10", "2026-04-02", False, "completed"),
        ("2026-04-10", "2026-04-05", False, "out_of_window"),
        ("2026-03-20", "2026-03-26", False, "out_of_window"),
        ("2026-04-10", "2026-03-30", True, "completed"),  # data exist, so a stray missed mark does not hide them
    ],
)
def test_visit_status_at_given_days(lbpb, today, completed_on, missed, status):
    w2 = next(p for p in project_visits(lbpb, "surgical", ANCHORS) if p.code == "w2")
    assert (str(w2.window_start), str(w2.window_end)) == (W2["start"], W2["end"])
    done = D(completed_on) if completed_on else None
    assert visit_status(w2, today=D(today), completed_on=done, missed=missed) == status
