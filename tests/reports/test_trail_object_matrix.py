"""Object-trail matrix: the audit trail of every audited object answers as the object's own access does.

The objects come from a realistic flow (the demo loader: two studies, screening, consent, enrolment, arms,
anchors, visits; then MRI files received at sites 01 and 02 and one waiting to be linked, and a trail export),
and the object types from the AuditEvent rows it wrote, so a new audited type joins by itself. For each object and
each role (a persona at site 01 of LBPB only, and one in the other study only), the object trail must be a 200
exactly when the access function of the app that owns the object lets the persona see it, and a 404 otherwise.
An object type with no rule here fails the test until someone says whose access it follows.
"""

import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from accounts.models import Role
from accounts.services import membership_grant
from audit.models import AuditEvent
from imaging.access import datafile_for_user, export_for_user, job_for_user
from imaging.services import upload_receive
from participants.access import participant_for_user, personal_identifiers_for_user, response_for_user
from participants.models import Participant, PersonalIdentifiers
from queries.access import query_for_user
from safety.access import adverse_event_for_user
from studies.access import study_for_user
from studies.models import Study
from tests.factories import UserFactory
from tests.imaging.files import dicom_test_file

pytestmark = pytest.mark.django_db

# The access function of each type that has one (object id -> the object, or a 404).
ACCESS = {
    "imaging.datafile": lambda user, pk: datafile_for_user(user, int(pk)),
    "imaging.ingestjob": lambda user, pk: job_for_user(user, int(pk)),
    "imaging.imagingexport": lambda user, pk: export_for_user(user, int(pk)),
    "participants.participant": lambda user, pk: participant_for_user(user, int(pk)),
    "instruments.response": lambda user, pk: response_for_user(user, int(pk)),
    "queries.query": lambda user, pk: query_for_user(user, int(pk)),
    "safety.adverseevent": lambda user, pk: adverse_event_for_user(user, int(pk)),
    "studies.study": lambda user, pk: study_for_user(user, Study.objects.get(pk=pk).code),
    "participants.personalidentifiers": lambda user, pk: personal_identifiers_for_user(
        user, participant_for_user(user, PersonalIdentifiers.objects.get(pk=pk).participant_id)
    ),
}
# Types whose objects are reached through their participant, or (study-level objects) their study's membership.
THROUGH_PARTICIPANT = {
    "participants.visit",
    "participants.consent",
    "participants.screening",
    "participants.anchordate",
    "imaging.dateshift",
}
THROUGH_STUDY = {"accounts.membership", "studies.protocolversion", "studies.site"}
# Events whose object has no scope of its own (a user's log-ins; the record of a trail export): the event's own.
EVENT_SCOPE = {"accounts.user", "audit.auditevent"}
PER_TYPE = 6  # objects checked per type (spread over sites by taking every site's first ones)


def _allowed(user, object_type: str, object_id: str) -> bool:
    try:
        if object_type in ACCESS:
            ACCESS[object_type](user, object_id)
            return True
        instance = apps.get_model(object_type)._default_manager.get(pk=object_id)
        participant = getattr(instance, "participant", None)
        if object_type in THROUGH_PARTICIPANT or isinstance(participant, Participant):
            participant_for_user(user, participant.pk)
        else:
            study_for_user(user, instance.study.code)
        return True
    except Http404:
        return False


def _receive(study, user, participant, name, django_capture_on_commit_callbacks, variant: int):
    """A real small MRI file, its last pixel byte changed per ``variant`` so that each is a file of its own."""
    data = bytearray(Path(dicom_test_file("MR_small.dcm")).read_bytes())
    data[-1] ^= variant
    handle = io.BytesIO(bytes(data))
    visit = participant.visits.order_by("pk").first() if participant is not None else None
    with django_capture_on_commit_callbacks(execute=True):
        upload_receive(study=study, user=user, files=[(name, handle)], participant=participant, visit=visit)


@pytest.fixture
def flow(settings, tmp_path, client, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    lbpb = Study.objects.get(code="lbpb")
    for index, participant in enumerate(Participant.objects.filter(study=lbpb, status="enrolled").order_by("pk")):
        uploader = UserFactory(username=f"mri-{index}")
        membership_grant(user=uploader, study=lbpb, role=Role.COORDINATOR, sites=[participant.site])
        _receive(lbpb, uploader, participant, f"Patient_{index}.dcm", django_capture_on_commit_callbacks, index + 1)
    _receive(lbpb, uploader, None, "unlinked.dcm", django_capture_on_commit_callbacks, 99)
    client.force_login(_persona(lbpb, Role.MONITOR, "export"))
    client.get(reverse("audit:study-events", args=["lbpb"]), {"format": "csv"})
    client.logout()
    return lbpb


def _persona(study, role, name, sites=None):
    user = UserFactory(username=f"persona-{role}-{name}")
    membership_grant(user=user, study=study, role=role, sites=sites or [], all_sites=sites is None)
    return user


def _objects() -> dict[str, list[str]]:
    """Up to PER_TYPE audited objects per type, the first ones of each site (and of no site) first."""
    chosen: dict[str, list[str]] = {}
    rows = AuditEvent.objects.exclude(object_id="").exclude(study=None).order_by("site_id", "id")
    for object_type, object_id in rows.values_list("object_type", "object_id"):
        ids = chosen.setdefault(object_type, [])
        if object_id not in ids and len(ids) < PER_TYPE:
            ids.append(object_id)
    return chosen


def _exists(object_type: str, object_id: str) -> bool:
    return apps.get_model(object_type)._default_manager.filter(pk=object_id).exists()


def test_every_audited_type_of_the_flow_says_whose_access_its_trail_follows(flow):
    known = set(ACCESS) | THROUGH_PARTICIPANT | THROUGH_STUDY | EVENT_SCOPE
    types = set(_objects())
    assert not types - known, f"say whose access these audited types follow: {sorted(types - known)}"
    assert {"imaging.datafile", "imaging.ingestjob", "participants.participant", "studies.study"} <= types


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_an_object_trail_is_a_200_exactly_when_the_objects_own_access_allows(client, flow, role):
    other = Study.objects.get(code="admsc")
    personas = [
        _persona(flow, role, "site01", sites=list(flow.sites.filter(code="01"))),
        _persona(other, role, "elsewhere", sites=None),
    ]
    mismatches, checked = [], 0
    for persona in personas:
        client.force_login(persona)
        for object_type, ids in sorted(_objects().items()):
            if object_type in EVENT_SCOPE:
                continue
            for object_id in ids:
                if not _exists(object_type, object_id):
                    continue  # deleted since: its events keep their own scope
                expected = 200 if _allowed(persona, object_type, object_id) else 404
                got = client.get(reverse("audit:object-events", args=[object_type, object_id])).status_code
                checked += 1
                if got != expected:
                    mismatches.append((persona.username, object_type, object_id, expected, got))
    assert mismatches == []
    assert checked >= 20
