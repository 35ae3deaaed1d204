"""Reminders are sent exactly once per reason: run twice over a day, through a real Celery worker and Redis, and
with a worker killed mid-run. Withdrawn participants and opted-out channels get nothing."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from participants import services as participant_services
from surveys import services
from surveys.models import ReminderContact, ReminderMessage
from surveys.reminders import reminders_send
from tests.conftest import services_required

from .conftest import enrol_one, visit_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_quiet_hours(settings):
    settings.SURVEY_REMINDER_HOURS = ["0", "24"]


def with_link(srv, *, email="p@example.org", days_ago=1, phone="+8613800000000"):
    participant = enrol_one(srv, days_ago=days_ago, phone=phone)
    services.survey_link_create(
        participant=participant, visit=visit_of(participant), user=srv.coordinator, language="en"
    )
    ReminderContact.objects.update_or_create(participant=participant, defaults={"email": email})
    return participant


@pytest.mark.django_db
def test_each_reminder_goes_once_however_often_the_job_runs(srv, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    due = with_link(srv)
    tomorrow = enrol_one(srv, days_ago=26, phone="")  # month 1 opens tomorrow (30 - 3 days from enrolment)
    ReminderContact.objects.create(participant=tomorrow, email="t@example.org")
    assert visit_of(tomorrow, "m1").window_start == timezone.localdate() + timedelta(days=1)
    first = reminders_send()
    second = reminders_send()
    assert first == {"sent": 3, "skipped": 0, "failed": 0}  # due: e-mail + SMS; tomorrow: e-mail
    assert second == {"sent": 0, "skipped": 3, "failed": 0}
    assert sorted(message.to[0] for message in mail.outbox) == ["p@example.org", "t@example.org"]
    kinds = set(ReminderMessage.objects.values_list("participant", "kind", "channel"))
    assert kinds == {
        (due.pk, "survey_due", "email"),
        (due.pk, "survey_due", "sms"),
        (tomorrow.pk, "visit_tomorrow", "email"),
    }
    assert all(one.status == "sent" and one.reason for one in ReminderMessage.objects.all())


@pytest.mark.django_db
def test_withdrawn_and_opted_out_participants_get_nothing(srv, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    withdrawn = with_link(srv)
    participant_services.participant_withdraw(
        participant=withdrawn, user=srv.coordinator, withdrawn_on=timezone.localdate(), reason="moved"
    )
    opted = with_link(srv, email="o@example.org")
    ReminderContact.objects.filter(participant=opted).update(email_opt_out=True, sms_opt_out=True)
    assert reminders_send()["sent"] == 0
    assert mail.outbox == [] and not ReminderMessage.objects.exists()


@pytest.mark.django_db
def test_nothing_is_sent_in_quiet_hours(srv, settings):
    with_link(srv)
    settings.SURVEY_REMINDER_HOURS = ["0", "0"]
    assert reminders_send()["sent"] == 0


def _worker_env(outbox: Path, *, lease: int) -> dict:
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "0",
        "DJANGO_DEBUG": "1",
        "EMAIL_BACKEND": "tests.surveys.backends.FileEmailBackend",
        "SURVEY_SMS_BACKEND": "tests.surveys.backends.FileSmsBackend",
        "SURVEY_TEST_OUTBOX": str(outbox),
        "SURVEY_TEST_SEND_PAUSE": "0.7",
        "SURVEY_REMINDER_HOURS": "0,24",
        "SURVEY_REMINDER_LEASE_SECONDS": str(lease),
        "PYTHONPATH": str(REPO),
    }


def _worker(env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "lbpb", "worker", "--pool=solo", "--loglevel=WARNING"]
    return subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)


def _lines(outbox: Path) -> list[str]:
    return outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.xdist_group("celery-worker")
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_killed_mid_run_then_two_runs_deliver_each_reminder_exactly_once(srv, tmp_path):
    if not settings.CELERY_BROKER_URL or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        if services_required():
            pytest.fail("the worker test needs Redis and PostgreSQL in CI")
        pytest.skip("needs CELERY_BROKER_URL (Redis) and DATABASE_URL (PostgreSQL)")
    from lbpb.celery import app
    from surveys.tasks import reminders_send_task

    for n in range(4):
        with_link(srv, email=f"p{n}@example.org", phone=f"+86138000000{n:02d}")
    expected = 8  # four participants, e-mail and SMS each
    outbox = tmp_path / "outbox.txt"
    app.control.purge()
    first = _worker(_worker_env(outbox, lease=1))
    try:
        reminders_send_task.delay()
        assert _wait(lambda: len(_lines(outbox)) >= 2, 60), "the first worker delivered nothing"
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # mid-run: some messages claimed, not all delivered
        first.wait(10)
    delivered_by_first = len(_lines(outbox))
    assert delivered_by_first < expected
    time.sleep(1.5)  # past the lease of the message the killed worker held
    second = _worker(_worker_env(outbox, lease=1))
    try:
        results = [reminders_send_task.delay(), reminders_send_task.delay()]  # a duplicate beat tick
        counts = [result.get(timeout=120) for result in results]
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(20)
    lines = _lines(outbox)
    assert len(lines) == expected and len(set(lines)) == expected, lines
    assert sum(count["sent"] for count in counts) == expected - delivered_by_first
    assert ReminderMessage.objects.filter(status="sent").count() == expected
    assert ReminderMessage.objects.count() == expected
