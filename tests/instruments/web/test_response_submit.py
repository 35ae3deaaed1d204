"""response_submit: the one write path (cleaning, scoring, lock versions, reasons, the reassessment hook)."""

import pytest
from django.core.management import call_command

from instruments import services
from instruments.definitions import compute
from instruments.models import Response, ResponseRevision
from instruments.registry import get_instrument
from workflows.services import response_submit

from .conftest import full_answers

PHQ9 = get_instrument("phq9")


def submit(participant, user, raw, **kwargs):
    options = {
        "visit_code": "baseline",
        "activity_key": "phq9",
        "instrument_code": "phq9",
        "complete": True,
        "source": Response.Source.COORDINATOR,
    }
    options.update(kwargs)
    return response_submit(participant=participant, raw=raw, user=user, **options)


@pytest.fixture
def answers():
    return {f"phq9_{n}": "2" for n in range(1, 10)} | {"phq9_10": "1"}


def test_it_stores_values_scores_and_versions(alpha, coordinator, answers):
    result = submit(alpha.participant_a, coordinator, answers)
    assert result.ok and result.changed
    stored = Response.objects.get()
    assert stored.values["phq9_1"] == 2 and stored.scores == {"total": 18, "band": "moderately_severe"}
    assert stored.scoring_version == "1" and stored.definition_version == "1.0"
    assert stored.status == Response.Status.COMPLETE and stored.completed_at is not None
    assert stored.lock_version == 1 and stored.entered_by == coordinator
    assert ResponseRevision.objects.get().lock_version == 1


def test_invalid_answers_store_nothing_and_say_why(alpha, coordinator, answers):
    result = submit(alpha.participant_a, coordinator, answers | {"phq9_3": "7"})
    assert not result.ok
    assert result.errors["phq9_3"]["en"] == "Choose one of the listed options."
    assert result.errors["phq9_3"]["zh"]
    assert not Response.objects.exists()


def test_a_draft_may_miss_required_answers_but_a_complete_form_may_not(alpha, coordinator):
    assert submit(alpha.participant_a, coordinator, {"phq9_1": "1"}, complete=False).ok
    assert Response.objects.get().status == Response.Status.IN_PROGRESS
    refused = submit(alpha.participant_a, coordinator, {"phq9_1": "1"}, expected_lock_version=1)
    assert refused.errors["phq9_2"]["en"] == "This question is required."
    assert Response.objects.get().status == Response.Status.IN_PROGRESS


def test_a_stale_lock_version_is_a_conflict_and_overwrites_nothing(alpha, coordinator, answers):
    submit(alpha.participant_a, coordinator, answers, complete=False, expected_lock_version=0)
    second = submit(
        alpha.participant_a, coordinator, answers | {"phq9_1": "0"}, complete=False, expected_lock_version=0
    )
    assert second.conflict and "Someone else saved this form" in second.errors["lock_version"]["en"]
    stored = Response.objects.get()
    assert stored.values["phq9_1"] == 2 and stored.lock_version == 1
    assert submit(alpha.participant_a, coordinator, answers | {"phq9_1": "0"}, expected_lock_version=1).ok
    assert Response.objects.get().lock_version == 2


def test_changing_a_complete_response_needs_a_reason(alpha, coordinator, answers):
    submit(alpha.participant_a, coordinator, answers)
    refused = submit(alpha.participant_a, coordinator, answers | {"phq9_1": "0"})
    assert refused.errors == {"reason": services.REASON_REQUIRED}
    assert Response.objects.get().values["phq9_1"] == 2
    assert submit(alpha.participant_a, coordinator, answers | {"phq9_1": "0"}, reason="transcription error").ok
    stored = Response.objects.get()
    assert stored.values["phq9_1"] == 0 and stored.scores["total"] == 16
    assert stored.revisions.last().reason == "transcription error"


def test_saving_the_same_answers_again_changes_nothing(alpha, coordinator, answers):
    submit(alpha.participant_a, coordinator, answers)
    again = submit(alpha.participant_a, coordinator, answers)
    assert again.ok and not again.changed
    assert Response.objects.get().lock_version == 1


def test_hidden_answers_are_cleared(alpha, coordinator):
    zeros = {f"phq9_{n}": "0" for n in range(1, 10)}
    assert submit(alpha.participant_a, coordinator, zeros | {"phq9_10": "3"}).ok
    assert Response.objects.get().values["phq9_10"] is None


def test_scores_equal_the_pure_computation_for_the_three_validated_scales(alpha, coordinator):
    for code in ("phq9", "sf36", "psqi"):
        instrument = get_instrument(code)
        raw = full_answers(instrument)
        assert submit(alpha.participant_a, coordinator, raw, activity_key=code, instrument_code=code).ok
        stored = Response.objects.get(activity_key=code)
        assert stored.scores == compute(instrument, stored.values)
        assert stored.scores.get("total") is not None or code == "sf36"


def test_the_participants_reassessment_service_is_called_with_stored_scores(alpha, coordinator, answers, monkeypatch):
    from workflows import services as workflow_services

    seen = []

    def evaluate(*, participant, score_lookup):
        seen.append((participant, score_lookup("phq9", "total", "baseline"), score_lookup("phq9", "total", "m1")))

    monkeypatch.setattr(workflow_services, "participant_reassessment_evaluate", evaluate)
    submit(alpha.participant_a, coordinator, answers)
    submit(alpha.participant_a, coordinator, {"phq9_1": "3"}, complete=False, activity_key="phq9", visit_code="m1")
    assert seen == [(alpha.participant_a, 18, None), (alpha.participant_a, 18, None)]  # drafts do not count


def test_a_month_one_score_that_did_not_fall_flags_the_participant(alpha, coordinator, answers):
    submit(alpha.participant_a, coordinator, answers)
    submit(alpha.participant_a, coordinator, answers | {"phq9_1": "0"}, visit_code="m1")
    alpha.participant_a.refresh_from_db()
    assert alpha.participant_a.needs_reassessment is True
    submit(
        alpha.participant_a, coordinator, {f"phq9_{n}": "0" for n in range(1, 10)}, visit_code="m1", reason="corrected"
    )
    alpha.participant_a.refresh_from_db()
    assert alpha.participant_a.needs_reassessment is False


def test_rescore_recomputes_outdated_scores_and_reports_the_count(alpha, coordinator, answers, capsys):
    submit(alpha.participant_a, coordinator, answers)
    submit(alpha.participant_a2, coordinator, answers)
    Response.objects.filter(participant=alpha.participant_a).update(scoring_version="0", scores={"total": 99})
    call_command("rescore", "--instrument", "phq9")
    assert "1 responses rescored, 1 with changed scores" in capsys.readouterr().out
    assert Response.objects.get(participant=alpha.participant_a).scores["total"] == 18
    assert Response.objects.get(participant=alpha.participant_a).scoring_version == "1"
    call_command("rescore")
    assert "0 responses rescored" in capsys.readouterr().out


def test_statuses_per_activity_report_the_least_finished_entry(alpha, coordinator, answers):
    from instruments.selectors import response_statuses

    submit(alpha.participant_a, coordinator, answers)
    diary = {"activity_key": "sleep_diary", "instrument_code": "sleep_diary", "complete": False}
    submit(alpha.participant_a, coordinator, {}, instance=2, **diary)
    assert response_statuses(alpha.participant_a) == {
        ("baseline", "phq9"): "complete",
        ("baseline", "sleep_diary"): "in_progress",
    }
    assert response_statuses(alpha.participant_b) == {}
