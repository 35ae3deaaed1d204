"""Data-quality rules: on save through response_submit, in the nightly batch (service, task, command)."""

from datetime import date

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from instruments.models import Response
from participants.models import Consent, Visit
from queries.models import Query
from queries.services import quality_rules_evaluate, query_close
from queries.tasks import quality_rules_nightly
from tests.factories import UserFactory
from workflows.services import response_submit


def _weight(participant, visit_code, weight, user, complete=False, reason="corrected"):
    result = response_submit(
        participant=participant,
        visit_code=visit_code,
        activity_key="demographics",
        instrument_code="demographics",
        raw={"demographics_weight": str(weight)} if weight is not None else {},
        complete=complete,
        user=user,
        source=Response.Source.COORDINATOR,
        reason=reason,
    )
    assert result.ok, result.errors
    return result.response


def _rule_queries(participant, code="weight_change"):
    return Query.objects.filter(participant=participant, origin=Query.Origin.RULE, rule_code=code)


@pytest.fixture
def coordinator(quality_world, make_persona):
    return make_persona("coordinator")


def test_a_weight_change_of_25_percent_opens_a_query_and_fixing_it_closes_it(quality_world, coordinator):
    participant = quality_world.participant_a
    _weight(participant, "baseline", 80, coordinator)
    later = _weight(participant, "m1", 100, coordinator)
    query = _rule_queries(participant).get()
    assert query.status == Query.Status.OPEN
    assert (query.object_type, query.object_id) == ("instruments.response", str(later.pk))
    assert (query.visit_code, query.activity_key, query.item_code) == ("m1", "demographics", "demographics_weight")
    assert query.text_zh == "体重变化超过20%"
    assert "25.0 %" in query.detail
    assert AuditEvent.objects.filter(
        object_type="queries.query", object_id=str(query.pk), action=AuditEvent.Action.CREATE
    ).exists()

    _weight(participant, "m1", 84, coordinator)
    query.refresh_from_db()
    assert query.status == Query.Status.CLOSED
    assert query.auto_closed
    last = query.messages.last()
    assert last.author is None and last.status_to == Query.Status.CLOSED
    assert AuditEvent.objects.filter(
        object_type="queries.query",
        object_id=str(query.pk),
        action=AuditEvent.Action.COMPLETE,
        path=AuditEvent.Path.SYSTEM,
    ).exists()


def test_a_change_within_20_percent_opens_nothing(quality_world, coordinator):
    _weight(quality_world.participant_a, "baseline", 80, coordinator)
    _weight(quality_world.participant_a, "m1", 96, coordinator)  # exactly 20 %
    assert not _rule_queries(quality_world.participant_a).exists()


def test_breaking_the_rule_again_reopens_the_same_query_never_a_second_one(quality_world, coordinator):
    participant = quality_world.participant_a
    _weight(participant, "baseline", 80, coordinator)
    _weight(participant, "m1", 100, coordinator)
    _weight(participant, "m1", 82, coordinator)
    _weight(participant, "m1", 120, coordinator)
    query = _rule_queries(participant).get()
    assert query.status == Query.Status.REOPENED


def test_a_rule_query_a_monitor_closed_stays_closed(quality_world, coordinator, make_persona):
    participant = quality_world.participant_a
    _weight(participant, "baseline", 80, coordinator)
    _weight(participant, "m1", 100, coordinator)
    query_close(query=_rule_queries(participant).get(), user=make_persona("monitor"), text="Confirmed in source")
    assert quality_rules_evaluate(study=quality_world.study)["reopened"] == 0
    assert _rule_queries(participant).get().status == Query.Status.CLOSED


def test_a_save_that_is_refused_opens_no_query(quality_world, coordinator):
    participant = quality_world.participant_a
    _weight(participant, "baseline", 80, coordinator)
    result = response_submit(
        participant=participant,
        visit_code="m1",
        activity_key="demographics",
        instrument_code="demographics",
        raw={"demographics_weight": "100"},
        complete=False,
        user=coordinator,
        source=Response.Source.COORDINATOR,
        expected_lock_version=7,
    )
    assert not result.ok
    assert not _rule_queries(participant).exists()


def test_a_range_rule_opens_a_query_on_the_item(quality_world, coordinator):
    result = response_submit(
        participant=quality_world.participant_a,
        visit_code="baseline",
        activity_key="vas",
        instrument_code="vas",
        raw={"vas_1": "95"},
        complete=True,
        user=coordinator,
        source=Response.Source.COORDINATOR,
    )
    query = _rule_queries(quality_world.participant_a, "vas_plausible").get()
    assert query.object_id == str(result.response.pk) and query.item_code == "vas_1"
    assert "vas_1 = 95" in query.detail


def _stored_weights(world):
    """Data written straight to the tables (as a migration or an old import would), not through the hook."""
    for participant, weights in ((world.participant_a, (80, 100)), (world.participant_b, (70, 71))):
        for visit_code, weight in zip(("baseline", "m1"), weights, strict=True):
            Response.objects.create(
                participant=participant,
                visit_code=visit_code,
                activity_key="demographics",
                instrument_code="demographics",
                definition_version="1.0",
                values={"demographics_weight": weight},
                status="in_progress",
                lock_version=1,
            )


def test_the_nightly_batch_opens_queries_once_however_often_it_runs(quality_world):
    _stored_weights(quality_world)
    first = quality_rules_evaluate(study=quality_world.study)
    assert first["opened"] == 1 and first["participants"] == 2
    second = quality_rules_evaluate(study=quality_world.study)
    assert second["opened"] == second["reopened"] == second["closed"] == 0
    assert Query.objects.filter(origin=Query.Origin.RULE).count() == 1
    assert _rule_queries(quality_world.participant_a).exists()


def test_the_nightly_task_and_the_command_call_the_same_service(quality_world):
    _stored_weights(quality_world)
    results = quality_rules_nightly.delay().get()
    assert results["alpha"]["opened"] == 1
    assert results["beta"]["opened"] == 0  # no protocol: nothing to evaluate
    Response.objects.filter(participant=quality_world.participant_a, visit_code="m1").update(
        values={"demographics_weight": 81}
    )
    call_command("evaluate_quality_rules", "--study", "alpha")
    query = _rule_queries(quality_world.participant_a).get()
    assert query.status == Query.Status.CLOSED
    assert AuditEvent.objects.filter(object_id=str(query.pk), path=AuditEvent.Path.COMMAND).exists()


def test_the_beat_schedule_runs_the_batch_every_night():
    from lbpb.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "queries.tasks.quality_rules_nightly" in tasks


def test_a_visit_completed_before_consent_opens_a_query_on_the_visit(quality_world):
    participant = quality_world.participant_a
    user = UserFactory()
    Consent.objects.create(participant=participant, form_version="1", consented_on=date(2026, 3, 10), taken_by=user)
    visit = Visit.objects.create(
        participant=participant,
        visit_code="baseline",
        anchor_code="enrolment",
        target_date=date(2026, 3, 9),
        window_start=date(2026, 3, 9),
        window_end=date(2026, 3, 16),
        completed_on=date(2026, 3, 9),
    )
    quality_rules_evaluate(study=quality_world.study)
    query = _rule_queries(participant, "visit_after_consent").get()
    assert (query.object_type, query.object_id) == ("participants.visit", str(visit.pk))
    assert "2026-03-09 < consent 2026-03-10" in query.detail


def test_a_completed_visit_without_the_required_weight_opens_a_query(quality_world):
    participant = quality_world.participant_a
    Visit.objects.create(
        participant=participant,
        visit_code="m1",
        anchor_code="enrolment",
        target_date=date(2026, 4, 9),
        window_start=date(2026, 4, 6),
        window_end=date(2026, 4, 12),
        completed_on=date(2026, 4, 9),
    )
    quality_rules_evaluate(study=quality_world.study)
    assert _rule_queries(participant, "weight_required").get().object_type == "participants.visit"
