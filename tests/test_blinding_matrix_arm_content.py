"""Blinding matrix for arm-restricted content: a double-blind study with a visit and an activity for one arm
only, declared ``blinded_schedule: union`` (docs/protocol-format.md). Every blinded role walks the participant
pages, the schedule on them, "due this week", the participant list and the audit trails, in English and Chinese;
no arm name or code may appear (the leak detector of tests/test_blinding_matrix.py), and the arm-restricted
visit and activity must look the same for a participant of either arm (both have them), so their presence
cannot tell the arm.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.services import anchor_set, participant_assign_arm
from studies.models import ProtocolVersion
from studies.selectors import current_protocol
from tests.matrix.instruments import attach_protocol
from tests.test_blinding_matrix import BLIND_PROTOCOL, BLINDED_ROLES, _leaks

INFUSION = """  - code: infusion
    label: {en: "Infusion day", zh: "输注日"}
    anchor: enrolment
    offset_days: 14
    window_before: 2
    window_after: 2
    arms: [arm_zeta]
rules:"""
UNION_PROTOCOL = (
    BLIND_PROTOCOL.replace("blinding: double", "blinding: double\n  blinded_schedule: union")
    .replace(
        "{code: phq9, key: phq9_family, respondent: family}]",
        "{code: phq9, key: phq9_family, respondent: family}, {code: sf36, key: sf36_zeta, arms: [arm_zeta]}]",
    )
    .replace("rules:", INFUSION, 1)
)
# What would tell the arm if it were on one participant's pages and not the other's.
ARM_CONTENT = ["Infusion day", "输注日", "sf36_zeta"]


@pytest.fixture
def union_world(world, make_persona):
    ProtocolVersion.objects.filter(study=world.study).delete()
    attach_protocol(world.study, text=UNION_PROTOCOL)
    world.study.design, world.study.blinding = "randomised", "double"
    world.study.save(update_fields=["design", "blinding"])
    protocol = current_protocol(world.study)
    assert protocol.union_schedule and protocol.visit("infusion").arms == ("arm_zeta",)
    statistician = make_persona("unblinded_statistician", all_sites=True)
    enrolled = timezone.localdate() - timedelta(days=12)  # infusion window: today - 0 .. today + 4
    for participant, arm in ((world.participant_a, "arm_zeta"), (world.participant_b, "arm_omega")):
        participant_assign_arm(participant=participant, arm_code=arm, user=statistician, source="randomisation")
        anchor_set(participant=participant, anchor_code="enrolment", date=enrolled, user=statistician)
    world.statistician = statistician
    return world


def _text(response) -> str:
    return response.content.decode("utf-8", errors="replace")


def _pair(client, name, world) -> tuple[str, str]:
    """The page ``name`` for participant A (arm_zeta) and participant B (arm_omega)."""
    pages = []
    for participant in (world.participant_a, world.participant_b):
        response = client.get(reverse(name, args=[participant.pk]))
        assert response.status_code == 200, (name, response.status_code)
        assert not _leaks(response), (name, _leaks(response))
        pages.append(_text(response).replace(participant.identifier, "<ID>"))
    return pages[0], pages[1]


@pytest.mark.django_db
@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_no_blinded_role_can_tell_the_arm_from_arm_restricted_content(client, union_world, make_persona, role):
    client.force_login(make_persona(role, all_sites=True))
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        detail_a, detail_b = _pair(client, "participants:participant-detail", union_world)
        trail_a, trail_b = _pair(client, "audit:participant-events", union_world)
        for content in ARM_CONTENT:
            assert detail_a.count(content) == detail_b.count(content), (role, language, content)
            assert trail_a.count(content) == trail_b.count(content), (role, language, content)
        label = "Infusion day" if language == "en" else "输注日"
        assert label in detail_a  # the arm-restricted visit is on every participant's schedule
        assert trail_a.count("infusion") == trail_b.count("infusion") > 0  # both visits' creation is audited
        due = client.get(reverse("participants:visit-due"))
        assert due.status_code == 200 and not _leaks(due)
        text = _text(due)
        assert text.count(label) == 2, (role, language)  # one infusion row per participant, whatever the arm
        for name, args in (
            ("participants:participant-list", ["alpha"]),
            ("studies:study-detail", ["alpha"]),
            ("audit:study-events", ["alpha"]),
        ):
            response = client.get(reverse(name, args=args))
            assert response.status_code in (200, 403), (name, response.status_code)
            assert not _leaks(response), (role, language, name, _leaks(response))
            if name == "studies:study-detail":  # which arm the visit is for is the statistician's to see
                assert "arm_zeta" not in _text(response)


@pytest.mark.django_db
def test_every_participant_has_the_visit_whatever_the_arm(union_world):
    for participant in (union_world.participant_a, union_world.participant_b):
        assert set(participant.visits.values_list("visit_code", flat=True)) == {"baseline", "m1", "infusion"}


@pytest.mark.django_db
def test_the_walk_would_catch_a_leak_because_the_statistician_sees_arms(client, union_world):
    client.force_login(union_world.statistician)
    page = client.get(reverse("participants:participant-detail", args=[union_world.participant_a.pk]))
    assert "Zeta high dose" in _text(page)
