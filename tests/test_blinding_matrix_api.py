"""Blinding matrix over the REST API v1 called with each blinded role's token (the session walk of
tests/test_blinding_matrix.py covers the same URLs signed in): no arm name or code in any answer."""

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
