"""The AE projection follows the ae_record CRF through response_submit (the one write path)."""

from datetime import UTC, datetime

from audit.models import AuditEvent
from safety.models import AdverseEvent, SaeReport

from .conftest import MILD, SERIOUS, submit_ae


def test_saving_an_ae_form_creates_its_adverse_event(safe):
    response = submit_ae(safe.participant, safe.coordinator, MILD)
    event = AdverseEvent.objects.get(response=response)
    assert (event.participant, event.term, event.grade, event.serious) == (safe.participant, "Headache", 1, False)
    assert (event.onset.isoformat(), event.resolution.isoformat()) == ("2026-03-01", "2026-03-02")
    assert (event.relationship, event.outcome, event.aware_at) == (2, 1, None)
    assert not SaeReport.objects.exists()
    created = AuditEvent.objects.get(object_type="safety.adverseevent", action="create")
    assert created.participant == safe.participant and created.changes["term"] == [None, "Headache"]


def test_changing_the_form_updates_the_same_event(safe):
    response = submit_ae(safe.participant, safe.coordinator, MILD)
    first = AdverseEvent.objects.get(response=response)
    submit_ae(safe.participant, safe.coordinator, MILD | {"ae_record_grade": "2"}, reason="Regraded")
    event = AdverseEvent.objects.get()
    assert event.pk == first.pk and event.grade == 2
    update = AuditEvent.objects.get(object_type="safety.adverseevent", action="update")
    assert update.changes == {"grade": [1, 2]}


def test_other_instruments_and_no_event_entries_make_no_adverse_event(safe):
    submit_ae(safe.participant, safe.coordinator, {"ae_record_occurred": "0"})
    assert not AdverseEvent.objects.exists()


def test_an_entry_changed_to_no_event_removes_its_projection(safe):
    submit_ae(safe.participant, safe.coordinator, SERIOUS)
    submit_ae(safe.participant, safe.coordinator, {"ae_record_occurred": "0"}, reason="Entered in error")
    assert not AdverseEvent.objects.exists() and not SaeReport.objects.exists()
    assert AuditEvent.objects.filter(object_type="safety.adverseevent", action="delete").count() == 1
    assert AuditEvent.objects.filter(object_type="safety.saereport", action="delete").count() == 3


def test_a_non_serious_event_becoming_serious_starts_the_clock_and_tells_the_study_once(
    safe, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_ae(safe.participant, safe.coordinator, MILD)
    assert not mailoutbox
    serious = MILD | {
        key: SERIOUS[key]
        for key in ("ae_record_serious", "ae_record_sae_criteria", "ae_record_aware_date", "ae_record_aware_time")
    }
    with django_capture_on_commit_callbacks(execute=True):
        submit_ae(safe.participant, safe.coordinator, serious, reason="Hospitalised")
    event = AdverseEvent.objects.get()
    assert event.serious and event.sae_criteria == [3]
    assert event.aware_at == datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
    due = dict(event.reports.values_list("recipient", "due_at"))
    assert due == {
        "head_of_centre": datetime(2026, 3, 3, 0, 30, tzinfo=UTC),
        "ethics_committee": datetime(2026, 3, 3, 0, 30, tzinfo=UTC),
        "team_leader": datetime(2026, 3, 3, 12, 30, tzinfo=UTC),
    }
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    # The PI of the participant's site and the all-sites data manager; not the coordinator, not site 02's PI.
    assert sorted(mail.to) == ["dm@example.org", "pi@example.org"]
    assert "SAE recorded" in mail.subject and "SAFE-01-0001" in mail.body and "严重不良事件" in mail.body
    assert "2026-03-03 08:30" in mail.body  # the 12-hour deadline in Beijing time
    # Saving the form again (a new awareness time) moves the deadlines but sends no second "recorded" mail.
    with django_capture_on_commit_callbacks(execute=True):
        submit_ae(safe.participant, safe.coordinator, serious | {"ae_record_aware_time": "21:00"}, reason="Time")
    assert len(mailoutbox) == 1
    assert SaeReport.objects.get(recipient="team_leader").due_at == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    assert AuditEvent.objects.filter(object_type="safety.saereport", action="update").count() == 3


def test_a_serious_event_without_awareness_date_starts_the_clock_when_first_recorded(safe):
    draft = {key: value for key, value in SERIOUS.items() if not key.startswith("ae_record_aware")}
    submit_ae(safe.participant, safe.coordinator, draft, complete=False)
    event = AdverseEvent.objects.get()
    first = event.aware_at
    assert first is not None and event.reports.count() == 3
    submit_ae(safe.participant, safe.coordinator, draft | {"ae_record_term": "Sepsis"}, complete=False)
    event.refresh_from_db()
    assert event.aware_at == first and event.term == "Sepsis"
