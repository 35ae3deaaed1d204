"""The log-in lock-out is per user name and address: failures from one address do not lock the user out elsewhere."""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts.lockout import client_address
from tests.factories import PASSWORD, UserFactory

LOGIN = "two_factor:login"


def _attempt(client, username, password, address):
    return client.post(
        reverse(LOGIN),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_failures_from_address_a_do_not_lock_the_user_out_from_address_b(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, user.username, "wrong-password-1", "192.0.2.10")
    assert _attempt(client, user.username, PASSWORD, "192.0.2.10").status_code == 429
    assert _attempt(client, user.username, PASSWORD, "198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_failures_spread_over_addresses_lock_none_of_them_early(client, settings):
    user = UserFactory()
    for address in ("192.0.2.1", "192.0.2.2"):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _attempt(client, user.username, "wrong-password-1", address).status_code == 200
    assert _attempt(client, user.username, PASSWORD, "192.0.2.1").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert client_address(request) == "203.0.113.5"
    with override_settings(SECURE_PROXY_SSL_HEADER=None):
        assert client_address(request) == "127.0.0.1"
