"""Fixtures of the REDCap-compatible API tests: study alpha with its protocol and a post helper."""

import pytest
from django.core.cache import cache
from django.test import Client

from api.services import token_create
from tests.matrix.instruments import alpha_with_protocol

URL = "/redcap/api/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # the per-token rate counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def alpha(world):
    alpha_with_protocol(world)
    return world


@pytest.fixture
def token_of():
    def make(user, study) -> str:
        return token_create(user=user, study=study, by=user).key

    return make


def post(token: str, **data):
    """One REDCap call through Django's test client (form-encoded, as PyCap and REDCapR send it)."""
    return Client().post(URL, {"token": token, **data})
