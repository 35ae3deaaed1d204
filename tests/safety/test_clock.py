"""The SAE reporting clock: deadlines worked by hand, overdue flags and notifications at a given "now"."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from safety import deadlines, services
from safety.models import SaeReport, SafetyNotification

from .conftest import SERIOUS, submit_ae

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "time", "zone", "aware", "due_12", "due_24"),
    [
        # 20:30 in Beijing is 12:30 UTC; 12 h later is 00:30 UTC (08:30 Beijing) the next day.
        ("2026-03-02", "20:30", SHANGHAI, (2026, 3, 2, 12, 30), (2026, 3, 3, 0, 30), (2026, 3, 3, 12, 30)),
        # 06:00 in Beijing is 22:00 UTC the day before: the UTC date is not the local date.
        ("2026-03-03", "06:00", SHANGHAI, (2026, 3, 2, 22, 0), (2026, 3, 3, 10, 0), (2026, 3, 3, 22, 0)),
        # Learned at 23:59 on New Year's Eve: both deadlines fall in the new year.
        ("2026-12-31", "23:59", SHANGHAI, (2026, 12, 31, 15, 59), (2027, 1, 1, 3, 59), (2027, 1, 1, 15, 59)),
        # In London on the night clocks go forward (29 March 2026, 01:00 GMT -> 02:00 BST): 00:30 GMT is 00:30 UTC.
        ("2026-03-29", "00:30", LONDON, (2026, 3, 29, 0, 30), (2026, 3, 29, 12, 30), (2026, 3, 30, 0, 30)),
    ],
)
def test_deadlines_run_12_and_24_hours_from_the_awareness_time_in_utc(day, time, zone, aware, due_12, due_24):
    aware_at = deadlines.aware_at_from(day, time, zone)
    assert aware_at == datetime(*aware, tzinfo=UTC)
    due = deadlines.due_times(aware_at, "safe")
    assert due["head_of_centre"] == due["ethics_committee"] == datetime(*due_12, tzinfo=UTC)
    assert due["team_leader"] == datetime(*due_24, tzinfo=UTC)
    assert due["team_leader"] - aware_at == timedelta(hours=24)


def test_without_a_time_the_clock_starts_at_the_first_minute_of_the_day():
    assert deadlines.aware_at_from("2026-03-02", None, SHANGHAI) == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert deadlines.aware_at_from(None, "10:00", SHANGHAI) is None


def test_clock_states_at_a_given_now():
    due = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
    assert deadlines.clock_state(due, None, due - timedelta(hours=3)) == deadlines.OPEN
    assert deadlines.clock_state(due, None, due - timedelta(hours=2)) == deadlines.DUE_SOON_STATE
    assert deadlines.clock_state(due, None, due) == deadlines.DUE_SOON_STATE
    assert deadlines.clock_state(due, None, due + timedelta(minutes=1)) == deadlines.OVERDUE
    assert deadlines.clock_state(due, due - timedelta(hours=1), due + timedelta(days=1)) == deadlines.REPORTED
    assert deadlines.clock_state(due, due + timedelta(hours=1), due + timedelta(days=1)) == deadlines.LATE


def test_dsmb_periods_are_half_years():
    assert deadlines.period_start(date(2026, 6, 30)) == date(2026, 1, 1)
    assert deadlines.period_start(date(2026, 7, 1)) == date(2026, 7, 1)
    assert deadlines.period_end(date(2026, 7, 1)) == date(2027, 1, 1)
    assert deadlines.previous_periods(date(2026, 3, 2), 3) == [date(2026, 1, 1), date(2025, 7, 1), date(2025, 1, 1)]


AWARE = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)


def test_deadline_notices_are_sent_once_per_state(safe, mailoutbox, django_capture_on_commit_callbacks):
    submit_ae(safe.participant, safe.coordinator, SERIOUS)
    mailoutbox.clear()

    def notify(hours: float) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.sae_deadlines_notify(now=AWARE + timedelta(hours=hours))

    assert notify(9) == 0  # the 12-hour reports are due in 3 hours
    assert notify(10.5) == 2 and len(mailoutbox) == 2  # head of centre and ethics committee due within 2 hours
    assert all("due soon" in mail.subject for mail in mailoutbox)
    assert notify(11) == 0 and len(mailoutbox) == 2  # the same state again: nothing repeats
    assert notify(12.25) == 2 and "overdue" in mailoutbox[-1].subject
    assert notify(13) == 0
    assert notify(22.5) == 1 and "due soon" in mailoutbox[-1].subject  # the team leader's report
    assert sorted(mailoutbox[-1].to) == ["dm@example.org", "pi@example.org"]
    assert SafetyNotification.objects.filter(kind="overdue").count() == 2


def test_a_recorded_report_stops_its_notices(safe, mailoutbox, django_capture_on_commit_callbacks):
    submit_ae(safe.participant, safe.coordinator, SERIOUS)
    for report in SaeReport.objects.exclude(recipient="team_leader"):
        services.sae_report_record(
            report=report,
            user=safe.coordinator,
            reported_at=AWARE + timedelta(hours=3),
            reported_to="Dr Wang",
            method="phone",
            now=AWARE + timedelta(hours=4),
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sae_deadlines_notify(now=AWARE + timedelta(hours=30)) == 1
    assert SafetyNotification.objects.get(kind="overdue").report.recipient == "team_leader"


def test_the_beat_task_is_scheduled_every_15_minutes_and_calls_the_service(safe, mailoutbox):
    from lbpb.celery import app
    from safety.tasks import sae_deadlines_check

    entry = next(
        entry for entry in app.conf.beat_schedule.values() if entry["task"] == "safety.tasks.sae_deadlines_check"
    )
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert "safety.tasks.sae_deadlines_check" in app.tasks
    long_ago = {"ae_record_onset_date": "2026-01-01", "ae_record_aware_date": "2026-01-01"}  # known of at onset
    submit_ae(safe.participant, safe.coordinator, SERIOUS | long_ago)
    assert sae_deadlines_check.delay().get() == 3  # long overdue, all three
    assert SafetyNotification.objects.filter(kind="overdue").count() == 3
