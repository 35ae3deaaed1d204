"""Blinding matrix over the REST API v1 and the REDCap-compatible API called with each blinded role's token (the
session walk of tests/test_blinding_matrix.py covers the same URLs signed in): no arm name or code in any answer."""

import json

import pytest
from django.test import Client

from api.services import token_create
from tests import test_blinding_matrix
from tests.test_access_matrix import project_urls
from tests.test_blinding_matrix import BLINDED_ROLES, _leaks, _own_url

blind_world = test_blinding_matrix.blind_world  # the fixture, shared


def _v1_urls(world):
    for name, kwargs in project_urls():
        url = _own_url(world, name, kwargs)
        if url.startswith("/api/v1/") and not url.startswith(("/api/v1/schema", "/api/v1/docs")):
            yield name, url + ("?study=alpha" if name == "api:measure-list" else "")


def _token_client(user, study) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token_create(user=user, study=study, by=user).key}")


@pytest.mark.django_db
@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_no_api_answer_to_a_blinded_roles_token_shows_an_arm(blind_world, make_persona, role):
    api = _token_client(make_persona(role, all_sites=True), blind_world.study)
    walked = 0
    for name, url in _v1_urls(blind_world):
        response = api.get(url)
        assert response.status_code < 500, (name, response.status_code)
        assert not _leaks(response), (role, name, _leaks(response))
        walked += 1
    assert walked >= 9


@pytest.mark.django_db
def test_the_statisticians_token_sees_the_arms_so_the_walk_can_fail(blind_world):
    api = _token_client(blind_world.statistician, blind_world.study)
    assert "arm_zeta" in api.get("/api/v1/participants/").content.decode()
    assert "Zeta high dose" in api.get("/api/v1/studies/alpha/arms/").content.decode()


REDCAP_CALLS = [
    {"content": content, "format": fmt}
    for content in (
        "version",
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
    )
    for fmt in ("json", "csv", "xml")
] + [
    {"content": "record", "format": "json", "rawOrLabel": "label", "exportDataAccessGroups": "true"},
    {"content": "record", "format": "csv", "rawOrLabel": "label", "rawOrLabelHeaders": "label"},
    {"content": "file", "action": "export", "record": "ALPHA-A-0001", "field": "x"},
    {"content": "log", "format": "json"},
]


def _redcap(token: str, call: dict):
    return Client().post("/redcap/api/", {"token": token, **call})


def _with_forms(world):
    from tests.instruments.web.test_response_api import stored

    for participant in (world.participant_a, world.participant_b):
        stored(participant, world.statistician)


@pytest.mark.django_db
@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_no_redcap_api_content_shows_an_arm_to_a_blinded_roles_token(blind_world, make_persona, role):
    _with_forms(blind_world)
    key = token_create(user=make_persona(role, all_sites=True), study=blind_world.study, by=None).key
    for call in REDCAP_CALLS:
        response = _redcap(key, call)
        assert response.status_code in (200, 400, 501), (call, response.status_code)  # 501: "log" is not answered
        assert not _leaks(response), (role, call, _leaks(response))
    arms = _redcap(key, {"content": "arm", "format": "json"}).json()
    assert arms == [{"arm_num": 1, "name": "Arm 1"}]  # one neutral arm: nothing tells the arms apart
    rows = json.loads(b"".join(_redcap(key, {"content": "record", "format": "json"}).streaming_content))
    assert {row["record_id"] for row in rows} == {"ALPHA-A-0001", "ALPHA-B-0001"}
    assert {row["redcap_event_name"] for row in rows} == {"baseline_arm_1"}  # both participants in arm 1


@pytest.mark.django_db
def test_the_statisticians_redcap_token_sees_the_arms_so_the_walk_can_fail(blind_world):
    _with_forms(blind_world)
    key = token_create(user=blind_world.statistician, study=blind_world.study, by=None).key
    arms = _redcap(key, {"content": "arm", "format": "json"}).json()
    assert [arm["name"] for arm in arms][:2] == ["Zeta high dose", "Omega placebo"]
    rows = json.loads(b"".join(_redcap(key, {"content": "record", "format": "json"}).streaming_content))
    assert len({row["redcap_event_name"] for row in rows}) == 2  # the two participants' arms differ
