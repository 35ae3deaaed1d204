"""Study alpha with its protocol, personas of the monitoring roles, and complete PHQ-9 forms."""

import functools

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from accounts.models import User
from accounts.services import membership_grant
from tests.factories import PASSWORD
from tests.matrix.instruments import alpha_with_protocol
from workflows.services import response_submit

ANSWERS = {f"phq9_{n}": "1" for n in range(1, 10)}


@pytest.fixture
def alpha(world):
    alpha_with_protocol(world)
    return world


@functools.cache
def password_hash() -> str:
    """The factories' password hashed once: hashing it for each persona of each test is most of their time."""
    return make_password(PASSWORD)


def persona(world, role: str, *, sites=None, all_sites: bool = False) -> User:
    user = User.objects.create(username=f"{role}-{'all' if all_sites else 'a'}", password=password_hash())
    membership_grant(
        user=user,
        study=world.study,
        role=role,
        all_sites=all_sites,
        sites=[] if all_sites else (sites or [world.site_a]),
    )
    return user


@pytest.fixture
def people(alpha):
    """One persona per role that matters here, all at site A (password: tests.factories.PASSWORD)."""
    return {
        role: persona(alpha, role)
        for role in ("coordinator", "monitor", "data_manager", "pi", "admin", "unblinded_statistician")
    }


def submit(
    participant,
    user,
    *,
    answers=None,
    visit="baseline",
    activity="phq9",
    lock_version=None,
    reason="",
    source="coordinator",
):
    return response_submit(
        participant=participant,
        visit_code=visit,
        activity_key=activity,
        instrument_code="phq9",
        raw=answers or ANSWERS,
        complete=True,
        user=user,
        source=source,
        expected_lock_version=lock_version,
        reason=reason,
    )


@pytest.fixture
def form(alpha, people):
    """A complete baseline PHQ-9 of participant A."""
    return submit(alpha.participant_a, people["coordinator"]).response


def casebook_url(participant):
    return reverse("monitoring:casebook-detail", args=[participant.pk])


def crf_url(participant, visit="baseline", activity="phq9"):
    return reverse("workflows:response-edit", args=[participant.pk, visit, activity])


def sign_request(address: str = "10.0.0.1"):
    """A request for services that re-check a password (django-axes needs one: the address is part of the lock)."""
    from django.test import RequestFactory

    return RequestFactory().post("/", REMOTE_ADDR=address)
