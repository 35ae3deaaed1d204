"""A REDCap token sees what its user sees in its study: a coordinator's only their sites, in every content."""

import json

import pytest

from accounts.services import membership_grant
from api.services import token_revoke
from tests.instruments.web.test_response_api import stored

from .conftest import post

pytestmark = pytest.mark.django_db

CONTENTS = [
    "project",
    "metadata",
    "exportFieldNames",
    "instrument",
    "arm",
    "event",
    "formEventMapping",
    "repeatingFormsEvents",
    "dag",
    "record",
    "generateNextRecordName",
    "user",
]


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def test_a_coordinators_token_sees_only_their_sites_in_every_content(alpha, make_persona, token_of):
    coordinator = make_persona("coordinator")
    stored(alpha.participant_a, coordinator)
    pi = make_persona("pi", all_sites=True)
    stored(alpha.participant_b, pi)
    key = token_of(coordinator, alpha.study)
    for content in CONTENTS:
        answer = post(key, content=content, format="json")
        assert answer.status_code == 200, (content, body(answer))
        assert "ALPHA-B" not in body(answer) and "Site B" not in body(answer), content
    rows = json.loads(body(post(key, content="record", format="json")))
    assert {row["record_id"] for row in rows} == {"ALPHA-A-0001"}
    assert json.loads(body(post(key, content="dag", format="json")))[0]["unique_group_name"] == "a"
    refused = post(
        key,
        content="record",
        format="json",
        data=json.dumps([{"record_id": "ALPHA-B-0001", "redcap_event_name": "baseline_arm_1"}]),
    )
    assert refused.status_code == 400 and "ALPHA-B-0001" in refused.json()["error"]  # another site's: unknown
    every = json.loads(body(post(token_of(pi, alpha.study), content="record", format="json")))
    assert {row["record_id"] for row in every} == {"ALPHA-A-0001", "ALPHA-B-0001"}  # the check above can fail


def test_a_token_of_study_a_sees_nothing_of_study_b(alpha, make_persona, token_of):
    pi = make_persona("pi", all_sites=True)
    membership_grant(user=pi, study=alpha.other_study, role="pi", sites=[], all_sites=True)
    stored(alpha.participant_a, pi)
    answer = post(token_of(pi, alpha.other_study), content="record", format="json")
    assert answer.status_code == 200 and body(answer) == "[]"  # beta has no protocol: a classic project, no forms
    assert post(token_of(pi, alpha.study), content="project", format="json").json()["project_title"] == "Alpha study"


def test_a_monitor_may_read_but_not_import(alpha, make_persona, token_of):
    monitor = make_persona("monitor")
    stored(alpha.participant_a, make_persona("coordinator"))
    key = token_of(monitor, alpha.study)
    assert len(json.loads(body(post(key, content="record", format="json")))) == 1
    data = json.dumps([{"record_id": "ALPHA-A-0001", "redcap_event_name": "baseline_arm_1", "phq9_phq9_1": "0"}])
    refused = post(key, content="record", format="csv", data=data, returnFormat="csv")
    assert (refused.status_code, refused.content) == (403, b"ERROR: You do not have API Import/Update privileges")


def test_a_revoked_token_or_a_former_member_is_refused(alpha, make_persona, token_of):
    from accounts.models import Membership

    coordinator = make_persona("coordinator")
    key = token_of(coordinator, alpha.study)
    assert post(key, content="project", format="json").status_code == 200
    Membership.objects.filter(user=coordinator).update(is_active=False)
    coordinator.__dict__.pop("_study_roles", None)
    answer = post(key, content="project", format="json")
    assert answer.status_code == 403 and answer.json() == {"error": "You do not have permissions to use the API"}
    Membership.objects.filter(user=coordinator).update(is_active=True)
    other = token_of(coordinator, alpha.study)  # a new token revokes the old one
    assert post(key, content="version").status_code == 403
    from api.models import ApiToken

    token_revoke(token=ApiToken.objects.get(revoked_at__isnull=True, user=coordinator), by=coordinator)
    assert post(other, content="version").status_code == 403
