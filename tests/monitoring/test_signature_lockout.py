"""The e-signature's password check shares the log-in lock-out: a hijacked session is no password oracle."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import AccountLockedOut
from monitoring import services
from monitoring.models import Signature
from tests.factories import PASSWORD

from .conftest import sign_request

LOGIN = "two_factor:login"


def _sign_page(participant):
    return reverse("workflows:casebook-sign", args=[participant.pk])


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse(LOGIN),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        REMOTE_ADDR=address,
    )


def test_wrong_signature_passwords_count_as_failed_log_ins(form, people):
    pi = people["pi"]
    with pytest.raises(ValidationError):
        services.casebook_sign(
            participant=form.participant, user=pi, password="wrong-one", meaning="reviewed", request=sign_request()
        )
    assert AccessAttempt.objects.get(username=pi.username).failures_since_start == 1


def test_past_the_limit_the_signature_is_refused_even_with_the_right_password(form, people, settings):
    pi = people["pi"]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(ValidationError) as refused:
            services.casebook_sign(
                participant=form.participant, user=pi, password="wrong", meaning="reviewed", request=sign_request()
            )
        assert not isinstance(refused.value, AccountLockedOut)
    with pytest.raises(AccountLockedOut):
        services.casebook_sign(
            participant=form.participant, user=pi, password="wrong", meaning="reviewed", request=sign_request()
        )
    with pytest.raises(AccountLockedOut):
        services.casebook_sign(
            participant=form.participant, user=pi, password=PASSWORD, meaning="reviewed", request=sign_request()
        )
    assert not Signature.objects.exists()


def test_the_sign_page_locks_the_account_and_ends_the_session_as_log_in_does(client, form, people, settings):
    pi = people["pi"]
    services.response_verify(response=form, user=people["monitor"])  # reviewed: the page asks the password
    client.force_login(pi)
    url = _sign_page(form.participant)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = client.post(url, {"meaning": "reviewed", "password": "nope"}, REMOTE_ADDR="10.0.0.1")
        assert page.status_code == 200 and "The password is not correct" in page.content.decode()
    locked = client.post(url, {"meaning": "reviewed", "password": "nope"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert not Signature.objects.exists()
    # The session is gone and the account is locked for log-in from that address, right password or not.
    assert client.get(url).status_code == 302
    assert _login(client, pi.username, PASSWORD).status_code == 429
