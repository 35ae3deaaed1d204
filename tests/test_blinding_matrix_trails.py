"""Blinding matrix, audit trails: the object trail of every audited object of a blinded study shows no arm.

The blinded world of tests/test_blinding_matrix.py (double-blind, both participants allocated by the
statistician) is first walked by every role, so that every kind of object the pages create is audited; then
every blinded role opens the object trail of every (object type, object) the audit table holds for the study, in
both languages, as CSV too, and finds no arm code or name. The statistician's view of the same trail is the
control: the walk would catch a leak.
"""

import pytest
from django.urls import reverse

from accounts.services import membership_grant
from audit.models import AuditEvent
from instruments.registry import get_instrument
from participants import services as participant_services
from queries.services import query_raise
from tests import test_blinding_matrix
from tests.factories import UserFactory
from tests.instruments.web.conftest import full_answers
from tests.test_blinding_matrix import BLINDED_ROLES, _leaks
from workflows.services import response_submit

pytestmark = pytest.mark.django_db
blind_world = test_blinding_matrix.blind_world  # the fixture, shared


@pytest.fixture
def audited_world(blind_world):
    """The blinded world with objects of several kinds written through their audited services (a saved form,
    a data query on it, a lock), so that their trails exist."""

    # Writers of their own (the walk below makes one persona per role, with the matrix's user names).
    def writer(name, role):
        user = UserFactory(username=name)
        membership_grant(user=user, study=blind_world.study, role=role, all_sites=True)
        return user

    coordinator, monitor = writer("trail-coordinator", "coordinator"), writer("trail-monitor", "monitor")
    data_manager = writer("trail-data-manager", "data_manager")
    participant = blind_world.participant_a
    saved = response_submit(
        participant=participant,
        visit_code="baseline",
        activity_key="phq9",
        instrument_code="phq9",
        raw=full_answers(get_instrument("phq9")),
        complete=True,
        user=coordinator,
        source="coordinator",
        expected_lock_version=0,
    )
    assert saved.ok, saved.errors
    query_raise(
        user=monitor,
        participant=participant,
        visit_code="baseline",
        activity_key="phq9",
        text="Check item 1",
        response=saved.response,
    )
    participant_services.lock_create(participant=participant, scope="visit", visit_code="baseline", user=data_manager)
    return blind_world


def _trails(study) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(study=study).values_list("object_type", "object_id").distinct()
    return sorted({(kind, pk) for kind, pk in rows if pk})


def test_the_blinded_study_audits_objects_of_several_types(audited_world):
    kinds = {kind for kind, _pk in _trails(audited_world.study)}
    assert {"participants.participant"} <= kinds and len(kinds) >= 3, kinds


@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_no_object_trail_of_a_blinded_study_shows_an_arm_to_a_blinded_role(client, audited_world, make_persona, role):
    client.force_login(make_persona(role, all_sites=True))
    trails = _trails(audited_world.study)
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        for kind, pk in trails:
            url = reverse("audit:object-events", args=[kind, pk])
            for response in (client.get(url), client.get(url, {"format": "csv"})):
                assert response.status_code < 500, (kind, pk, response.status_code)
                assert not _leaks(response), (role, language, kind, pk, _leaks(response))


def test_the_trail_walk_would_catch_a_leak(client, blind_world):
    client.force_login(blind_world.statistician)
    participant = blind_world.participant_a
    page = client.get(reverse("audit:object-events", args=["participants.participant", str(participant.pk)]))
    assert _leaks(page)
