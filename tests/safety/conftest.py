"""Fixtures for the safety tests: a double-blind study whose protocol has an AE form at every visit, two
sites, personas for every role, and a helper entering an ``ae_record`` through response_submit."""

import hashlib
from types import SimpleNamespace

import pytest
from django.utils import translation

from accounts.models import Role
from accounts.services import membership_grant
from instruments.models import Response
from randomisation.models import AllocationList, AllocationSlot
from studies.models import ProtocolVersion, Study
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory
from tests.protocol_text import protocol_head
from workflows.services import response_submit

PROTOCOL = (
    protocol_head(
        code="safe",
        title="Safety study",
        title_zh="安全性研究",
        sites=(("01", "Site one", "一中心"), ("02", "Site two", "二中心")),
    )
    + """visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      instruments: [vas, ae_record]
  - code: m1
    label: {en: "Month 1", zh: "第1个月"}
    anchor: enrolment
    offset_days: 30
    window_before: 3
    window_after: 3
    activities:
      instruments: [ae_record]
"""
)

# A serious AE the investigator learned of on 2 March 2026 at 20:30 in Beijing (12:30 UTC).
SERIOUS = {
    "ae_record_occurred": "1",
    "ae_record_event": "2",
    "ae_record_term": "Wound infection",
    "ae_record_onset_date": "2026-03-02",
    "ae_record_grade": "3",
    "ae_record_serious": "1",
    "ae_record_sae_criteria": ["3"],
    "ae_record_aware_date": "2026-03-02",
    "ae_record_aware_time": "20:30",
    "ae_record_relationship": "3",
    "ae_record_action": "2",
    "ae_record_treatment": ["2", "4"],
    "ae_record_outcome": "2",
}
MILD = {
    "ae_record_occurred": "1",
    "ae_record_event": "5",
    "ae_record_term": "Headache",
    "ae_record_onset_date": "2026-03-01",
    "ae_record_grade": "1",
    "ae_record_serious": "0",
    "ae_record_relationship": "2",
    "ae_record_action": "1",
    "ae_record_treatment": ["1"],
    "ae_record_outcome": "1",
    "ae_record_resolution_date": "2026-03-02",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _persona(study, username, role, sites, email=""):
    user = UserFactory(username=username, email=email)
    membership_grant(user=user, study=study, role=role, sites=sites, all_sites=not sites)
    return user


def build_safe():
    study = StudyFactory(
        code="safe", title="Safety study", design=Study.Design.RANDOMISED, blinding=Study.Blinding.DOUBLE
    )
    site_1 = SiteFactory(study=study, code="01", name="Site one")
    site_2 = SiteFactory(study=study, code="02", name="Site two")
    ProtocolVersion.objects.create(
        study=study,
        version="1.0",
        filename="safe.yaml",
        text=PROTOCOL,
        checksum=hashlib.sha256(PROTOCOL.encode()).hexdigest(),
        is_current=True,
    )
    world = SimpleNamespace(
        study=study,
        site_1=site_1,
        site_2=site_2,
        coordinator=_persona(study, "coord-1", Role.COORDINATOR, [site_1], "coord@example.org"),
        coordinator_2=_persona(study, "coord-2", Role.COORDINATOR, [site_2], "coord2@example.org"),
        pi=_persona(study, "pi-1", Role.PI, [site_1], "pi@example.org"),
        pi_2=_persona(study, "pi-2", Role.PI, [site_2], "pi2@example.org"),
        data_manager=_persona(study, "dm", Role.DATA_MANAGER, [], "dm@example.org"),
        monitor=_persona(study, "monitor", Role.MONITOR, [], "monitor@example.org"),
        statistician=_persona(study, "stat", Role.UNBLINDED_STATISTICIAN, [], "stat@example.org"),
        participant=ParticipantFactory(site=site_1, identifier="SAFE-01-0001", arm_code="high"),
        participant_2=ParticipantFactory(site=site_2, identifier="SAFE-02-0001", arm_code="placebo"),
    )
    allocation = AllocationList.objects.create(
        study=study,
        seed=1,
        arms=[["high", 1], ["placebo", 1]],
        block_multipliers=[1],
        size_per_stratum=2,
        created_by=world.statistician,
        frozen=True,
    )
    for number, participant in (("R001", world.participant), ("R002", world.participant_2)):
        AllocationSlot.objects.create(
            allocation_list=allocation,
            sequence=int(number[1:]),
            number=number,
            arm_code=participant.arm_code,
            block=1,
            block_size=2,
            used_by=participant,
        )
    return world


@pytest.fixture
def safe(db):
    return build_safe()


def submit_ae(participant, user, raw, *, instance=1, visit_code="baseline", complete=True, reason=""):
    result = response_submit(
        participant=participant,
        visit_code=visit_code,
        activity_key="ae_record",
        instrument_code="ae_record",
        raw=raw,
        complete=complete,
        user=user,
        source=Response.Source.COORDINATOR,
        instance=instance,
        reason=reason,
    )
    assert result.ok, result.errors
    return result.response
