import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

LOGIN = "two_factor:login"


def _attempt(client, username, password):
    return client.post(
        reverse(LOGIN),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
    )


@pytest.mark.django_db
def test_a_correct_password_logs_in(client):
    user = UserFactory()
    response = _attempt(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client):
    user = UserFactory()
    for _ in range(4):
        response = _attempt(client, user.username, "wrong-password-1")
        assert response.status_code == 200  # the form again, with its error
    locked = _attempt(client, user.username, "wrong-password-1")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower()
    after = _attempt(client, user.username, PASSWORD)
    assert after.status_code == 429
    assert client.get(reverse("home")).status_code == 302  # still not logged in


@pytest.mark.django_db
def test_a_lock_on_one_account_does_not_lock_another(client):
    victim, other = UserFactory(), UserFactory()
    for _ in range(5):
        _attempt(client, victim.username, "wrong-password-1")
    assert _attempt(client, other.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    user = UserFactory()
    for _ in range(5):
        _attempt(client, user.username, "wrong-password-1")
    # Age the recorded attempts past the cool-off instead of sleeping.
    attempt = AccessAttempt.objects.get(username=user.username)
    attempt.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    attempt.save()
    assert _attempt(client, user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_weak_passwords_are_refused_by_the_policy():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["short1", "1234567890123", "password123"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("lumbar-Demo-2026")


def test_sessions_expire_after_idle_time(settings):
    # Idle timeout: the cookie age is renewed on every request, so it measures idleness.
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


@pytest.mark.django_db
def test_an_idle_session_is_logged_out(client):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse(LOGIN))


@pytest.mark.django_db
def test_two_factor_setup_is_offered_to_a_logged_in_user(client):
    client.force_login(UserFactory())
    page = client.get(reverse("two_factor:setup"))
    assert page.status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200
