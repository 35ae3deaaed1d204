"""Visit status after the schedule changes: a completed visit an anchor move takes out of its window is flagged
for review (never silently "in window"), and completed visits keep the activities of the protocol version they
were done under while future visits follow the current one."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import Visit
from participants.selectors import participant_list, participant_schedule, visits_to_review
from studies.selectors import current_protocol

from .conftest import enrol, lbpb_text, load_protocol


def _w1(participant) -> Visit:
    return Visit.objects.get(participant=participant, visit_code="w1")


def _treatment(lbpb, participant, day: date):
    services.anchor_set(participant=participant, anchor_code="treatment_start", date=day, user=lbpb.coordinator)


def test_an_anchor_move_flags_a_completed_visit_now_outside_its_window(lbpb):
    participant = enrol(lbpb)
    _treatment(lbpb, participant, date(2026, 3, 3))  # w1: target 03-10, window 03-07 to 03-13
    services.visit_complete(
        visit=_w1(participant), completed_on=date(2026, 3, 10), user=lbpb.coordinator, require_forms=False
    )
    assert _w1(participant).window_review is False
    _treatment(lbpb, participant, date(2026, 3, 9))  # w1 would now be 03-13 to 03-19: 03-10 is outside
    visit = _w1(participant)
    assert visit.window_review is True
    assert (visit.target_date, visit.completed_on) == (date(2026, 3, 10), date(2026, 3, 10))  # history kept
    rows = {
        row.visit.visit_code: row
        for row in participant_schedule(participant, current_protocol(lbpb.study), today=timezone.localdate())
    }
    assert rows["w1"].status == "window_review" and rows["w1"].status_label == "Done: window moved, to review"
    assert list(visits_to_review(lbpb.coordinator, study=lbpb.study)) == [visit]
    flagged = participant_list(lbpb.coordinator, study=lbpb.study, window_review=True)
    assert list(flagged) == [participant]
    _treatment(lbpb, participant, date(2026, 3, 4))  # 03-08 to 03-14 holds 03-10 again
    assert _w1(participant).window_review is False


def test_a_move_that_keeps_the_visit_inside_flags_nothing(lbpb):
    participant = enrol(lbpb)
    _treatment(lbpb, participant, date(2026, 3, 3))
    services.visit_complete(
        visit=_w1(participant), completed_on=date(2026, 3, 10), user=lbpb.coordinator, require_forms=False
    )
    _treatment(lbpb, participant, date(2026, 3, 5))  # 03-09 to 03-15
    assert _w1(participant).window_review is False
    assert not visits_to_review(lbpb.coordinator, study=lbpb.study).exists()


def test_the_participant_page_shows_the_flag_and_the_list_filters_on_it(client, lbpb):
    participant, other = enrol(lbpb), enrol(lbpb, name="Li Si")
    _treatment(lbpb, participant, date(2026, 3, 3))
    services.visit_complete(
        visit=_w1(participant), completed_on=date(2026, 3, 10), user=lbpb.coordinator, require_forms=False
    )
    _treatment(lbpb, participant, date(2026, 3, 9))
    client.force_login(lbpb.coordinator)
    page = client.get(reverse("participants:participant-detail", args=[participant.pk])).content.decode()
    assert "visit-window_review" in page and "Done: window moved, to review" in page
    listed = client.get(reverse("participants:participant-list", args=[lbpb.study.code]), {"window_review": "1"})
    html = listed.content.decode()
    assert participant.identifier in html and other.identifier not in html


def test_a_completed_visit_keeps_the_activities_of_its_protocol_version(lbpb):
    participant = enrol(lbpb)
    _treatment(lbpb, participant, date(2026, 3, 3))
    baseline = Visit.objects.get(participant=participant, visit_code="baseline")
    services.visit_complete(visit=baseline, completed_on=date(2026, 3, 3), user=lbpb.coordinator, require_forms=False)
    assert Visit.objects.get(pk=baseline.pk).protocol_version == "1.0"
    amended = (
        lbpb_text()
        .replace('protocol_version: "1.0"', 'protocol_version: "1.1"')
        .replace("activities: {instruments: [bpi, odi, phq9]", "activities: {instruments: [bpi, odi, phq9, pcs]")
        .replace("activities: {instruments: [bpi, pcs]}", "activities: {instruments: [bpi, pcs, phq9]}")
    )
    load_protocol(lbpb.study, amended, version="1.1")
    current = current_protocol(lbpb.study)
    assert "pcs" in [a.key for a in current.visit("baseline").activities]  # the amendment added a form
    rows = {
        row.visit.visit_code: row
        for row in participant_schedule(participant, current_protocol(lbpb.study), today=timezone.localdate())
    }
    assert [a.key for a in rows["baseline"].activities if a.kind == "instrument"] == ["bpi", "odi", "phq9"]
    assert [a.key for a in rows["w1"].activities] == ["bpi", "pcs", "phq9"]  # not done: the current version's


def test_correcting_the_date_into_the_moved_window_clears_the_flag(lbpb):
    participant = enrol(lbpb)
    _treatment(lbpb, participant, date(2026, 3, 3))
    services.visit_complete(
        visit=_w1(participant), completed_on=date(2026, 3, 10), user=lbpb.coordinator, require_forms=False
    )
    _treatment(lbpb, participant, date(2026, 3, 9))  # new window 03-13 to 03-19
    assert _w1(participant).window_review is True
    services.visit_complete(
        visit=_w1(participant), completed_on=date(2026, 3, 11), user=lbpb.coordinator, require_forms=False
    )
    assert _w1(participant).window_review is True  # still outside the moved window
    services.visit_complete(
        visit=_w1(participant), completed_on=date(2026, 3, 13), user=lbpb.coordinator, require_forms=False
    )
    assert _w1(participant).window_review is False  # inside both windows now
