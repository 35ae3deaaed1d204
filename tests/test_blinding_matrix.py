"""Blinding matrix: in a double-blind study, every page, export and API response the product has is
requested by every blinded role, and no arm name or code may appear in any of them.

The world's study alpha is turned into a randomised double-blind study whose arms carry distinctive names,
participant A is allocated through the randomisation seam (so the audit trail holds the arm change too),
and then the URL walk of the persona matrix runs with the participant-A values of every URL kwarg. New URLs
join automatically, as they do in tests/test_access_matrix.py.
"""

import pytest
from django.urls import reverse

from participants.services import participant_assign_arm
from studies.models import ProtocolVersion
from tests.matrix.instruments import ALPHA_PROTOCOL, attach_protocol
from tests.test_access_matrix import OBJECT_KWARGS, project_urls

ARMS = """
arms:
  - code: arm_zeta
    name: {en: "Zeta high dose", zh: "泽塔高剂量"}
    ratio: 1
  - code: arm_omega
    name: {en: "Omega placebo", zh: "欧米伽安慰剂"}
    ratio: 1
anchors:"""
BLIND_PROTOCOL = ALPHA_PROTOCOL.replace("design: observational", "design: randomised\n  blinding: double").replace(
    "\nanchors:", ARMS, 1
)
ARM_STRINGS = ["arm_zeta", "arm_omega", "Zeta high dose", "Omega placebo", "泽塔高剂量", "欧米伽安慰剂"]
BLINDED_ROLES = ["admin", "data_manager", "pi", "coordinator", "monitor"]


@pytest.fixture
def blind_world(world, make_persona):
    ProtocolVersion.objects.filter(study=world.study).delete()
    attach_protocol(world.study, text=BLIND_PROTOCOL)
    world.alpha_protocol = ProtocolVersion.objects.get(study=world.study)
    world.study.design, world.study.blinding = "randomised", "double"
    world.study.save(update_fields=["design", "blinding"])
    statistician = make_persona("unblinded_statistician", all_sites=True)
    for participant, arm in ((world.participant_a, "arm_zeta"), (world.participant_b, "arm_omega")):
        participant_assign_arm(participant=participant, arm_code=arm, user=statistician, source="randomisation")
    world.statistician = statistician
    return world


def _own_url(world, name, kwargs):
    return reverse(name, kwargs={key: OBJECT_KWARGS[key][0](world) for key in kwargs})


def _leaks(response) -> list[str]:
    if response.get("Content-Type", "").startswith(("image/", "application/octet-stream")):
        return []
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    return [arm for arm in ARM_STRINGS if arm in text]


@pytest.mark.django_db
@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_no_page_export_or_api_response_shows_an_arm_to_a_blinded_role(client, blind_world, make_persona, role):
    client.force_login(make_persona(role, all_sites=True))
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        walked = 0
        for name, kwargs in project_urls():
            response = client.get(_own_url(blind_world, name, kwargs))
            assert response.status_code < 500, (name, response.status_code)
            assert not _leaks(response), (role, language, name, _leaks(response))
            walked += 1
        assert walked >= 40


@pytest.mark.django_db
def test_the_walk_would_catch_a_leak_because_the_unblinded_statistician_sees_arms(client, blind_world):
    client.force_login(blind_world.statistician)
    page = client.get(reverse("participants:participant-detail", args=[blind_world.participant_a.pk]))
    assert "Zeta high dose" in page.content.decode()
