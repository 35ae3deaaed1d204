"""API tokens: stored hashed, shown by their last characters, regenerated and revoked, each use counted."""

import hashlib

from django.core.management import call_command
from django.urls import reverse

from api.models import ApiToken
from audit.models import AuditEvent

from .conftest import token_client

STUDIES = "/api/v1/studies/"


def test_a_token_is_stored_only_as_its_hash_and_shown_by_its_last_characters(client, alpha, make_persona):
    pi = make_persona("pi")
    client.force_login(pi)
    page = client.post(reverse("api:token-list"), {"study": "alpha"})
    key = page.context["new_key"]
    assert len(key) == 32 and int(key, 16) >= 0
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(token.__dict__)
    listed = client.get(reverse("api:token-list")).content.decode()
    assert f"…{key[-4:]}" in listed and key not in listed
    created = AuditEvent.objects.get(object_type="api.apitoken", action="create")
    assert created.study == alpha.study and key not in str(created.changes)


def test_regenerating_revokes_the_old_token(client, alpha, make_persona):
    pi = make_persona("pi")
    client.force_login(pi)
    old = client.post(reverse("api:token-list"), {"study": "alpha"}).context["new_key"]
    new = client.post(reverse("api:token-list"), {"study": "alpha"}).context["new_key"]
    assert token_client(old).get(STUDIES).status_code == 401
    assert token_client(new).get(STUDIES).status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_revoked_unknown_or_expired_token_is_401_and_use_is_counted(client, alpha, make_persona, token_of):
    pi = make_persona("pi")
    key = token_of(pi, alpha.study)
    assert token_client(key).get(STUDIES).status_code == 200
    assert token_client(key).get(STUDIES).status_code == 200
    token = ApiToken.objects.get()
    assert token.use_count == 2 and token.last_used_at is not None
    assert token_client("0" * 32).get(STUDIES).status_code == 401
    assert token_client("short").get(STUDIES).status_code == 401
    client.force_login(pi)
    assert client.post(reverse("api:token-revoke", args=[token.pk])).status_code == 302
    refused = token_client(key).get(STUDIES)
    assert refused.status_code == 401 and "errors" in refused.json()
    assert AuditEvent.objects.filter(object_type="api.apitoken", action="delete").count() == 1
    expired = token_of(pi, alpha.study)
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at="2020-01-01T00:00Z")
    assert token_client(expired).get(STUDIES).status_code == 401


def test_a_study_admin_manages_other_members_tokens_and_others_may_not(client, alpha, make_persona, token_of):
    coordinator = make_persona("coordinator")
    admin = make_persona("admin", all_sites=True)
    token_of(coordinator, alpha.study)
    client.force_login(admin)
    page = client.get(reverse("api:study-tokens", args=["alpha"]))
    assert page.status_code == 200 and coordinator.username in page.content.decode()
    made = client.post(reverse("api:study-tokens", args=["alpha"]), {"user": coordinator.pk}).context["new_key"]
    assert token_client(made).get(STUDIES).status_code == 200
    token = ApiToken.objects.get(revoked_at__isnull=True, user=coordinator)
    assert client.post(reverse("api:token-revoke", args=[token.pk])).status_code == 302
    assert not ApiToken.objects.filter(revoked_at__isnull=True, user=coordinator).exists()
    client.force_login(coordinator)
    assert client.get(reverse("api:study-tokens", args=["alpha"])).status_code == 403
    admins = ApiToken.objects.create(user=admin, study=alpha.study, key_hash="x" * 64, last_characters="xxxx")
    assert client.post(reverse("api:token-revoke", args=[admins.pk])).status_code == 403


def test_the_command_prints_a_working_token(alpha, make_persona, capsys):
    make_persona("monitor")
    call_command("api_token", "--user", "monitor-a", "--study", "alpha")
    key = capsys.readouterr().out.strip()
    assert len(key) == 32
    assert token_client(key).get(STUDIES).json()["results"][0]["code"] == "alpha"
    assert AuditEvent.objects.get(object_type="api.apitoken").path == "command"


def test_too_many_calls_are_429_with_retry_after(alpha, make_persona, token_of, monkeypatch):
    from api.throttling import TokenRateThrottle

    # monkeypatch puts the class's own rates back after the test (restoring api_settings' value while a settings
    # override is still active left "3/minute" for every later test of the process).
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/minute"})
    api = token_client(token_of(make_persona("pi"), alpha.study))
    assert [api.get(STUDIES).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get(STUDIES)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "errors" in refused.json()


def test_bearer_works_and_a_malformed_header_is_401_with_the_scheme(alpha, make_persona, token_of):
    from django.test import Client

    key = token_of(make_persona("pi"), alpha.study)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(STUDIES).status_code == 200
    malformed = Client(HTTP_AUTHORIZATION=f"Token {key} extra").get(STUDIES)
    assert malformed.status_code == 401 and malformed["WWW-Authenticate"] == "Token"
    assert Client().get(STUDIES).status_code == 401
