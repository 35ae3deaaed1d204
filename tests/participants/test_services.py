"""Participant services: screening, enrolment IDs, allocation, withdrawal and the reassessment hook."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from participants import services
from participants.models import AnchorDate, Participant, Visit

from .conftest import LBPB_ELIGIBLE, enrol, lbpb_text, load_protocol


def _screen(lbpb, **answers):
    return services.participant_screen(
        study=lbpb.study,
        site=lbpb.site_1,
        user=lbpb.coordinator,
        screened_on=date(2026, 3, 2),
        full_name="Chen Qi",
        answers={**LBPB_ELIGIBLE, **answers},
    )


def test_an_eligible_person_stays_in_screening_with_nothing_failing(lbpb):
    participant = _screen(lbpb)
    screening = participant.screenings.get()
    assert participant.status == Participant.Status.SCREENING
    assert screening.eligible is True and screening.failing_criteria == []


@pytest.mark.parametrize(
    ("answers", "failing"),
    [
        ({"age": 17}, ["inc_age"]),
        ({"age": 81}, ["inc_age"]),
        ({"inc_lbp": False}, ["inc_lbp"]),
        ({"exc_pregnancy": True, "exc_caffeine": True}, ["exc_pregnancy", "exc_caffeine"]),
    ],
)
def test_a_person_who_fails_a_criterion_is_a_screen_failure(lbpb, answers, failing):
    participant = _screen(lbpb, **answers)
    assert participant.status == Participant.Status.SCREEN_FAILED
    assert participant.screenings.get().failing_criteria == failing


def test_a_screen_failure_cannot_be_consented_or_enrolled(lbpb):
    participant = _screen(lbpb, age=90)
    with pytest.raises(ValidationError):
        services.participant_consent(
            participant=participant, user=lbpb.coordinator, form_version="1.0", consented_on=date(2026, 3, 2)
        )
    with pytest.raises(ValidationError):
        services.participant_enrol(participant=participant, user=lbpb.coordinator, enrolled_on=date(2026, 3, 2))
    participant.refresh_from_db()
    assert participant.identifier == "" and not participant.visits.exists()


def test_enrolment_before_the_consent_date_is_refused(lbpb):
    participant = _screen(lbpb)
    services.participant_consent(
        participant=participant, user=lbpb.coordinator, form_version="1.0", consented_on=date(2026, 3, 5)
    )
    with pytest.raises(ValidationError, match="before the consent date"):
        services.participant_enrol(participant=participant, user=lbpb.coordinator, enrolled_on=date(2026, 3, 2))
    assert not AnchorDate.objects.exists()


def test_study_ids_follow_the_site_pattern_and_skip_ids_already_taken(lbpb):
    first = enrol(lbpb)
    services.participant_register(
        study=lbpb.study, site=lbpb.site_1, identifier="LBPB-01-0002", status=Participant.Status.ENROLLED
    )  # e.g. imported from paper records
    third = enrol(lbpb, name="Third")
    assert (first.identifier, third.identifier) == ("LBPB-01-0001", "LBPB-01-0003")
    assert first.enrolled_on == date(2026, 3, 2)
    assert AnchorDate.objects.get(participant=first).date == date(2026, 3, 2)


def test_enrolling_twice_does_not_issue_a_second_id(lbpb):
    participant = enrol(lbpb)
    with pytest.raises(ValidationError):
        services.participant_enrol(participant=participant, user=lbpb.coordinator, enrolled_on=date(2026, 3, 2))
    assert Participant.objects.exclude(identifier="").count() == 1


def test_an_id_taken_by_a_concurrent_enrolment_is_retried(lbpb, monkeypatch):
    enrol(lbpb)
    participant = _screen(lbpb)
    services.participant_consent(
        participant=participant, user=lbpb.coordinator, form_version="1.0", consented_on=date(2026, 3, 2)
    )
    real = services.enrolment._next_identifier
    calls = []

    def racing(protocol, p):  # the first read misses the ID another request has just written
        calls.append(1)
        return "LBPB-01-0001" if len(calls) == 1 else real(protocol, p)

    monkeypatch.setattr(services.enrolment, "_next_identifier", racing)
    enrolled = services.participant_enrol(participant=participant, user=lbpb.coordinator, enrolled_on=date(2026, 3, 2))
    assert enrolled.identifier == "LBPB-01-0002"
    assert len(calls) == 2


def test_a_clinician_assigns_the_arm_in_an_observational_study(lbpb):
    participant = enrol(lbpb)
    services.participant_assign_arm(participant=participant, arm_code="surgical", user=lbpb.coordinator)
    participant.refresh_from_db()
    assert (participant.arm_code, participant.allocation_source) == ("surgical", "clinician")
    with pytest.raises(ValidationError):
        services.participant_assign_arm(participant=participant, arm_code="no_such_arm", user=lbpb.coordinator)


def test_in_a_randomised_study_only_randomisation_allocates_and_it_is_final(lbpb):
    text = (
        lbpb_text()
        .replace("design: observational", "design: randomised")
        .replace('zh: "非手术组"}\n', 'zh: "非手术组"}\n    ratio: 1\n')
        .replace(
            'zh: "手术组（神经阻滞或脊柱内镜下腰椎间盘切除术）"}\n',
            'zh: "手术组（神经阻滞或脊柱内镜下腰椎间盘切除术）"}\n    ratio: 1\n',
        )
    )
    load_protocol(lbpb.study, text, version="2.0")
    participant = enrol(lbpb)
    with pytest.raises(ValidationError, match="randomisation"):
        services.participant_assign_arm(participant=participant, arm_code="surgical", user=lbpb.coordinator)
    services.participant_assign_arm(
        participant=participant, arm_code="surgical", user=lbpb.coordinator, source="randomisation"
    )
    with pytest.raises(ValidationError):
        services.participant_assign_arm(
            participant=participant, arm_code="non_surgical", user=lbpb.coordinator, source="randomisation"
        )
    assert Participant.objects.get(pk=participant.pk).arm_code == "surgical"


def test_withdrawal_without_a_reason_changes_nothing(lbpb):
    participant = enrol(lbpb)
    with pytest.raises(ValidationError, match="reason"):
        services.participant_withdraw(
            participant=participant, user=lbpb.coordinator, withdrawn_on=date(2026, 3, 3), reason=" "
        )
    assert Participant.objects.get(pk=participant.pk).status == Participant.Status.ENROLLED
    assert not Visit.objects.filter(cancelled=True).exists()


@pytest.mark.parametrize(
    ("baseline", "month_1", "flagged"),
    [
        (8, 6, True),  # 25 % better: less than the 30 % the protocol asks for
        (8, 9, True),  # worse
        (10, 7, False),  # exactly 30 %
        (8, 2, False),
        (8, None, None),  # one-month BPI not entered yet
    ],
)
def test_the_reassessment_rule_flags_too_little_improvement_at_one_month(lbpb, baseline, month_1, flagged):
    participant = enrol(lbpb)
    scores = {("bpi", "average", "baseline"): baseline, ("bpi", "average", "m1"): month_1}

    result = services.participant_reassessment_evaluate(
        participant=participant, score_lookup=lambda instrument, score, visit: scores.get((instrument, score, visit))
    )

    participant.refresh_from_db()
    assert result is flagged
    assert participant.needs_reassessment is bool(flagged)
    assert ("Reassess treatment" in participant.reassessment_note) is bool(flagged)
