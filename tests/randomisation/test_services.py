"""Randomisation services: lists, the rules of randomising, stratification, emergency unblinding."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from participants.models import Participant
from randomisation import services
from randomisation.models import AllocationList, AllocationSlot, UnblindingEvent, UnblindingNotification
from randomisation.selectors import arm_display, arm_labels, revealed_arm
from studies.models import Study
from tests.factories import ParticipantFactory, StudyFactory

from .conftest import ADMSC_ELIGIBLE, enrol, frozen_list, screen


def _nothing_written(participant):
    participant.refresh_from_db()
    assert participant.arm_code == ""
    assert not AllocationSlot.objects.filter(used_by=participant).exists()


# Lists ---------------------------------------------------------------------------------------------------------


def test_a_list_uses_the_protocol_arms_and_ratios_and_stores_its_seed(admsc):
    allocation_list = services.allocation_list_generate(study=admsc.study, user=admsc.statistician, size=100, seed=123)
    assert allocation_list.seed == "123"
    assert allocation_list.ratio_text == "1:1:1:1"
    slots = list(allocation_list.slots.order_by("number"))
    assert [s.number for s in slots][:2] == ["001", "002"] and slots[-1].number == "100"
    assert {s.arm_code for s in slots} == {"high", "mid", "low", "placebo"}
    again = services.allocation_list_generate(study=admsc.study, user=admsc.statistician, size=100, seed=123)
    assert [s.arm_code for s in again.slots.order_by("number")] == [s.arm_code for s in slots]


def test_without_a_seed_one_of_128_bits_is_drawn_and_stored(admsc):
    lists = [services.allocation_list_generate(study=admsc.study, user=admsc.admin, size=8) for _ in range(8)]
    seeds = [int(allocation_list.seed) for allocation_list in lists]
    assert all(0 <= seed < 2**128 for seed in seeds) and len(set(seeds)) == 8
    # 128 random bits: none of 8 falls below 2**100 but by odds of 2**-25 (tests/randomisation/test_lists.py
    # checks the top bit).
    assert min(seeds) >= 2**100
    assert all(allocation_list.slots.count() == 8 for allocation_list in lists)


def test_a_stratified_list_has_one_sequence_per_site(admsc):
    allocation_list = services.allocation_list_generate(
        study=admsc.study, user=admsc.statistician, size=10, strata_factors=["site"]
    )
    assert set(allocation_list.slots.values_list("stratum", flat=True)) == {"site=01", "site=02"}
    assert allocation_list.slots.count() == 20


def test_lists_are_refused_for_an_observational_study_and_after_freezing(admsc):
    with pytest.raises(ValidationError, match="not randomised"):
        services.allocation_list_generate(study=StudyFactory(), user=admsc.admin, size=10)
    frozen_list(admsc, size=4)
    with pytest.raises(ValidationError, match="already has a frozen"):
        services.allocation_list_generate(study=admsc.study, user=admsc.statistician, size=10)
    assert AllocationList.objects.count() == 1


def test_unknown_strata_and_silly_sizes_are_refused(admsc):
    for kwargs in ({"size": 0}, {"size": 10, "strata_factors": ["shoe_size"]}):
        with pytest.raises(ValidationError):
            services.allocation_list_generate(study=admsc.study, user=admsc.statistician, **kwargs)
    assert not AllocationList.objects.exists()


# Randomising ---------------------------------------------------------------------------------------------------


def test_randomising_takes_the_next_number_and_sets_the_arm_through_the_participant_service(admsc):
    allocation_list = frozen_list(admsc)
    first, second = enrol(admsc, name="A"), enrol(admsc, name="B")
    slot = services.participant_randomise(participant=first, user=admsc.coordinator)
    assert slot.number == "001" and slot.used_at is not None
    first.refresh_from_db()
    assert first.arm_code == allocation_list.slots.get(number="001").arm_code
    assert first.allocation_source == Participant.AllocationSource.RANDOMISATION
    assert services.participant_randomise(participant=second, user=admsc.pi).number == "002"


def test_arm_specific_visits_follow_the_allocation(admsc):
    frozen_list(admsc)
    participant = enrol(admsc)
    services.participant_randomise(participant=participant, user=admsc.coordinator)
    assert participant.visits.exists()
    participant.refresh_from_db()
    assert participant.arm_code in {"high", "mid", "low", "placebo"}


def test_randomising_twice_is_refused_and_keeps_the_first_allocation(admsc):
    frozen_list(admsc)
    participant = enrol(admsc)
    slot = services.participant_randomise(participant=participant, user=admsc.coordinator)
    with pytest.raises(ValidationError, match="already randomised"):
        services.participant_randomise(participant=participant, user=admsc.coordinator)
    assert AllocationSlot.objects.filter(used_by=participant).get() == slot


def test_only_a_randomised_study_randomises(admsc):
    participant = ParticipantFactory(site__study__design=Study.Design.OBSERVATIONAL)
    with pytest.raises(ValidationError, match="not randomised"):
        services.participant_randomise(participant=participant, user=admsc.coordinator)


def test_a_participant_not_enrolled_is_refused(admsc):
    frozen_list(admsc)
    participant = screen(admsc)  # eligible, no consent, not enrolled
    with pytest.raises(ValidationError, match="enrolled"):
        services.participant_randomise(participant=participant, user=admsc.coordinator)
    _nothing_written(participant)


def test_a_participant_not_screened_eligible_is_refused(admsc):
    frozen_list(admsc)
    participant = ParticipantFactory(site=admsc.site, study=admsc.study)  # enrolled by import, never screened
    with pytest.raises(ValidationError, match="eligible"):
        services.participant_randomise(participant=participant, user=admsc.coordinator)
    _nothing_written(participant)


def test_a_participant_without_consent_is_refused(admsc):
    frozen_list(admsc)
    participant = screen(admsc)
    Participant.objects.filter(pk=participant.pk).update(status=Participant.Status.ENROLLED)
    with pytest.raises(ValidationError, match="consent"):
        services.participant_randomise(participant=participant, user=admsc.coordinator)
    _nothing_written(participant)


def test_without_a_frozen_list_nothing_happens(admsc):
    services.allocation_list_generate(study=admsc.study, user=admsc.statistician, size=8)  # a draft only
    participant = enrol(admsc)
    with pytest.raises(ValidationError, match="No allocation list is frozen"):
        services.participant_randomise(participant=participant, user=admsc.coordinator)
    _nothing_written(participant)


def test_a_full_stratum_is_refused(admsc):
    frozen_list(admsc, size=1)
    services.participant_randomise(participant=enrol(admsc, name="A"), user=admsc.coordinator)
    late = enrol(admsc, name="B")
    with pytest.raises(ValidationError, match="no free number"):
        services.participant_randomise(participant=late, user=admsc.coordinator)
    _nothing_written(late)


def test_stratified_randomisation_draws_from_the_participants_stratum(admsc):
    allocation_list = frozen_list(admsc, size=10, strata=["site", "modic_type"])
    participant = enrol(admsc, site=admsc.site_2, answers=ADMSC_ELIGIBLE | {"modic_type": 2}, user=admsc.admin)
    slot = services.participant_randomise(participant=participant, user=admsc.coordinator)
    assert slot.stratum == "site=02|modic_type=2" and slot.sequence == 1
    assert slot.allocation_list == allocation_list


# Blinding ------------------------------------------------------------------------------------------------------


def test_arm_display_shows_the_number_to_blinded_roles_and_the_arm_to_the_statistician(admsc):
    frozen_list(admsc)
    participant = enrol(admsc)
    slot = services.participant_randomise(participant=participant, user=admsc.coordinator)
    participant.refresh_from_db()
    for blinded in (admsc.admin, admsc.data_manager, admsc.pi, admsc.coordinator, admsc.monitor):
        assert arm_display(blinded, participant) == slot.number
    assert arm_display(admsc.statistician, participant).startswith(
        {"high": "High", "mid": "Mid", "low": "Low", "placebo": "Placebo"}[slot.arm_code]
    )
    assert arm_labels(admsc.pi, admsc.study, [participant]) == {participant.pk: slot.number}


def test_in_an_open_study_everyone_sees_the_arm(admsc):
    Study.objects.filter(pk=admsc.study.pk).update(blinding=Study.Blinding.NONE)
    frozen_list(admsc)
    participant = enrol(admsc)
    services.participant_randomise(participant=participant, user=admsc.coordinator)
    participant.refresh_from_db()
    admsc.study.refresh_from_db()
    participant.study = admsc.study
    assert "dose" in arm_display(admsc.coordinator, participant) or "Placebo" in arm_display(
        admsc.coordinator, participant
    )


# Emergency unblinding ------------------------------------------------------------------------------------------


def _randomised(admsc):
    frozen_list(admsc)
    participant = enrol(admsc, name="Wang Wu")
    slot = services.participant_randomise(participant=participant, user=admsc.coordinator)
    participant.refresh_from_db()
    return participant, slot


def test_an_unblinding_is_recorded_revealed_to_that_user_only_and_mailed_to_data_managers(
    admsc, django_capture_on_commit_callbacks
):
    participant, slot = _randomised(admsc)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.unblinding_request(participant=participant, user=admsc.pi, reason="  Anaphylaxis  ")
    assert event.reason == "Anaphylaxis" and event.user == admsc.pi
    assert revealed_arm(admsc.pi, participant) is not None
    assert revealed_arm(admsc.coordinator, participant) is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dm@example.org"]
    assert participant.identifier in message.subject
    assert "Anaphylaxis" in message.body and slot.number in message.body and "紧急揭盲" in message.body
    for arm_word in ("High", "Mid", "Low", "Placebo", "dose", "placebo", "high", "mid"):
        assert arm_word not in message.body + message.subject
    assert UnblindingNotification.objects.get().recipient == admsc.data_manager


def test_an_unblinding_needs_a_reason_a_blinded_study_and_a_randomised_participant(admsc):
    participant, _slot = _randomised(admsc)
    with pytest.raises(ValidationError, match="reason"):
        services.unblinding_request(participant=participant, user=admsc.pi, reason="   ")
    not_randomised = enrol(admsc, name="Zhao Liu")
    with pytest.raises(ValidationError, match="not randomised"):
        services.unblinding_request(participant=not_randomised, user=admsc.pi, reason="Emergency")
    Study.objects.filter(pk=admsc.study.pk).update(blinding=Study.Blinding.NONE)
    participant.study.refresh_from_db()
    with pytest.raises(ValidationError, match="not blinded"):
        services.unblinding_request(participant=participant, user=admsc.pi, reason="Emergency")
    assert not UnblindingEvent.objects.exists()
    assert not mail.outbox


def test_lists_randomisations_and_unblindings_are_audited_without_the_arm(admsc):
    from audit.models import AuditEvent

    participant, slot = _randomised(admsc)
    services.unblinding_request(participant=participant, user=admsc.pi, reason="Sepsis")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"create", "lock", "allocate", "unblind"} <= actions
    allocation = AuditEvent.objects.get(action="allocate", object_type="randomisation.allocationslot")
    assert allocation.participant == participant and allocation.user == admsc.coordinator
    assert slot.arm_code not in str(allocation.changes)
    assert AuditEvent.objects.get(action="unblind").reason == "Sepsis"
