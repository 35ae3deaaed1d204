"""Windows are enforced (with the protocol's grace days) and the daily diary keeps the day each entry belongs to,
marking late entries late."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from instruments.models import Response
from surveys import services, windows
from surveys.models import DiaryDay

from .conftest import enrol_one, visit_of

NIGHT = {
    "sleep_diary_bedtime": "23:00",
    "sleep_diary_lights_off": "23:15",
    "sleep_diary_latency": "20",
    "sleep_diary_awakenings": "1",
    "sleep_diary_waso": "10",
    "sleep_diary_final_wake": "06:30",
    "sleep_diary_out_of_bed": "06:45",
    "sleep_diary_medication": "0",
    "sleep_diary_room": "1",
    "sleep_diary_waking_state": "3",
}


def diary_url(token, day):
    return reverse(
        "surveys:survey-diary", kwargs={"token": token, "activity_key": "sleep_diary", "day": day.isoformat()}
    )


def home(token):
    return reverse("surveys:survey-home", kwargs={"token": token})


def test_the_window_arithmetic_counts_the_grace_days():
    start = timezone.localdate()
    window = windows.survey_window(start, start + timedelta(days=6), 2)
    assert window.state(start - timedelta(days=1)) == windows.NOT_YET
    assert window.state(start + timedelta(days=8)) == windows.OPEN
    assert window.state(start + timedelta(days=9)) == windows.CLOSED
    assert windows.is_late(start, start + timedelta(days=1)) is False
    assert windows.is_late(start, start + timedelta(days=2)) is True


@pytest.mark.django_db
def test_a_survey_before_its_window_says_when_it_opens(client, srv, enrolled):
    visit = visit_of(enrolled, "m1")
    _link, token = services.survey_link_create(participant=enrolled, visit=visit, user=srv.coordinator, language="en")
    response = client.get(home(token))
    assert response.status_code == 403
    assert f"They open on {visit.window_start.isoformat()}" in response.content.decode()
    page = reverse("surveys:survey-page", kwargs={"token": token, "activity_key": "phq9"})
    assert client.post(page, {"phq9_1": "1"}).status_code == 403
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_survey_after_its_window_and_grace_says_when_it_closed_and_saves_nothing(client, srv, enrolled):
    visit = visit_of(enrolled)
    _link, token = services.survey_link_create(participant=enrolled, visit=visit, user=srv.coordinator, language="zh")
    today = timezone.localdate()
    type(visit).objects.filter(pk=visit.pk).update(
        window_start=today - timedelta(days=12), window_end=today - timedelta(days=3)
    )
    response = client.get(home(token))
    assert response.status_code == 403
    closed_on = (today - timedelta(days=1)).isoformat()  # window end + 2 grace days
    assert closed_on in response.content.decode() and "已关闭" in response.content.decode()
    page = reverse("surveys:survey-page", kwargs={"token": token, "activity_key": "phq9"})
    assert client.post(page, {"phq9_1": "1"}).status_code == 403
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_the_grace_days_keep_a_survey_open_after_its_window(client, srv):
    participant = enrol_one(srv, days_ago=7)  # window closed yesterday; two grace days
    visit = visit_of(participant)
    assert visit.window_end < timezone.localdate()
    _link, token = services.survey_link_create(
        participant=participant, visit=visit, user=srv.coordinator, language="en"
    )
    assert client.get(home(token)).status_code == 200


@pytest.mark.django_db
def test_a_link_cannot_be_made_once_the_window_and_grace_have_closed(client, srv):
    participant = enrol_one(srv, days_ago=12)
    client.force_login(srv.coordinator)
    url = reverse("surveys:link-list", kwargs={"participant_id": participant.pk, "visit_id": visit_of(participant).pk})
    response = client.post(url, {"language": "en"})
    assert response.status_code == 400 and "closed" in response.content.decode()


@pytest.mark.django_db
def test_a_diary_day_keeps_its_day_and_a_late_entry_is_marked_late(client, srv):
    participant = enrol_one(srv, days_ago=3)
    visit = visit_of(participant)
    _link, token = services.survey_link_create(
        participant=participant, visit=visit, user=srv.coordinator, language="en"
    )
    today = timezone.localdate()
    first, yesterday = visit.window_start, today - timedelta(days=1)
    posted = {**NIGHT, "sleep_diary_date": today.isoformat()}  # a typed date is ignored: the page fixes the day
    assert client.post(diary_url(token, first), posted).status_code == 302
    assert client.post(diary_url(token, yesterday), NIGHT).status_code == 302
    entries = {one.day: one for one in DiaryDay.objects.all()}
    assert entries[first].late is True and entries[yesterday].late is False
    stored = Response.objects.get(activity_key="sleep_diary", instance=1)
    assert stored.values["sleep_diary_date"] == first.isoformat()
    assert stored.source == Response.Source.PARTICIPANT and stored.status == Response.Status.COMPLETE
    assert (
        Response.objects.get(activity_key="sleep_diary", instance=3).values["sleep_diary_date"] == yesterday.isoformat()
    )
    # Entered days are read-only, future days not open yet.
    assert client.post(diary_url(token, first), NIGHT).status_code == 400
    assert client.post(diary_url(token, today + timedelta(days=1)), NIGHT).status_code == 400
    assert DiaryDay.objects.count() == 2
    body = client.get(home(token)).content.decode()
    assert "late" in body


@pytest.mark.django_db
def test_after_submit_the_link_still_opens_the_diary_days_left(client, srv, enrolled):
    link, token = services.survey_link_create(
        participant=enrolled, visit=visit_of(enrolled), user=srv.coordinator, language="en"
    )
    type(link).objects.filter(pk=link.pk).update(submitted_at=timezone.now())
    assert client.get(home(token)).status_code == 200
    assert client.post(diary_url(token, timezone.localdate()), NIGHT).status_code == 302


def test_the_protocol_reads_survey_grace_days_and_refuses_bad_ones():
    from studies.protocol import ProtocolError
    from studies.selectors import parse_protocol_text

    from .conftest import survey_protocol

    protocol = parse_protocol_text(survey_protocol(), filename="srv.yaml")
    assert [visit.survey_grace_days for visit in protocol.visits] == [2, 0]
    with pytest.raises(ProtocolError) as refused:
        parse_protocol_text(
            survey_protocol().replace("survey_grace_days: 2", "survey_grace_days: -1"), filename="x.yaml"
        )
    assert "survey_grace_days" in str(refused.value.problems)
