"""Password change and reset by e-mail, for every user: through HTTP, with the mail outbox and the audit trail."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "sacrum-Lamina-7731"


class TwoHoursAgo(PasswordResetTokenGenerator):
    """Makes the tokens Django's generator made two hours ago."""

    def _now(self):
        return datetime.now() - timedelta(hours=2)  # noqa: DTZ005 - naive, as Django's own _now


LINK = re.compile(r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def fresh_counts():
    """The reset-request counts live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def _password_events(user):
    return AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk), changes__has_key="password")


def _change(client, old, new1=NEW_PASSWORD, new2=NEW_PASSWORD):
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )


def _reset(client, email):
    return client.post(reverse("accounts:password-reset"), {"email": email})


def _link(message) -> str:
    paths = set(LINK.findall(message.body))
    assert len(paths) == 1, message.body  # the same link in the English and the Chinese part
    return paths.pop()


# --- Change ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_account_page_links_to_the_change_page(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:password-change") in page


@pytest.mark.django_db
def test_a_change_with_the_right_old_password_works_and_is_audited(client):
    user = UserFactory(username="wang")
    client.force_login(user)
    response = _change(client, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-change-done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in here
    (event,) = _password_events(user)
    assert event.user == user
    assert event.path == AuditEvent.Path.PAGE
    assert event.changes == {"password": ["", "changed"]}
    assert user.password not in str(event.changes) and NEW_PASSWORD not in str(event.changes)


@pytest.mark.django_db
def test_a_wrong_old_password_is_refused_with_a_message_and_changes_nothing(client):
    user = UserFactory()
    stored = user.password
    client.force_login(user)
    response = _change(client, "not-my-password-1")
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.password == stored
    assert not _password_events(user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("new1", "new2", "message"),
    [
        ("12345678901234", "12345678901234", "entirely numeric"),
        ("short-1", "short-1", "too short"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "didn’t match"),
    ],
)
def test_the_password_policy_applies_to_a_change(client, new1, new2, message):
    user = UserFactory()
    client.force_login(user)
    response = _change(client, PASSWORD, new1, new2)
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not _password_events(user).exists()


@pytest.mark.django_db
def test_the_change_page_needs_a_log_in(client):
    response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))


# --- Reset -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_log_in_page_links_to_the_reset_page(client):
    page = client.get(reverse("two_factor:login")).content.decode()
    assert reverse("accounts:password-reset") in page


@pytest.mark.django_db
def test_a_reset_for_a_known_user_sends_one_bilingual_email_whose_link_works_once(client):
    user = UserFactory(username="li", email="li@example.org")
    response = _reset(client, "LI@example.org")
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li@example.org"]
    assert "Reset your password" in message.subject and "重置密码" in message.subject
    assert "expires in 60 minutes" in message.body and "60 分钟" in message.body
    link = _link(message)

    opened = client.get(link)
    assert opened.status_code == 302  # Django swaps the token for a session and a set-password URL
    form = client.get(opened.url)
    assert form.status_code == 200 and 'id="password-set-form"' in form.content.decode()
    done = client.post(opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    (event,) = _password_events(user)
    assert event.user == user and event.path == AuditEvent.Path.PAGE
    assert event.changes == {"password": ["", "changed"]}

    again = client.get(link, follow=True)
    assert again.status_code == 200
    assert 'id="password-reset-invalid"' in again.content.decode()
    assert 'id="password-set-form"' not in again.content.decode()


@pytest.mark.django_db
def test_an_unknown_address_and_an_inactive_user_get_the_same_page_and_no_email(client):
    UserFactory(email="gone@example.org", is_active=False)
    known = _reset(client, "nobody@example.org")
    inactive = _reset(client, "gone@example.org")
    assert (known.status_code, known.url) == (inactive.status_code, inactive.url)
    assert known.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []
    page = client.get(known.url)
    assert page.status_code == 200 and 'id="password-reset-sent"' in page.content.decode()


@pytest.mark.django_db
def test_a_bad_email_address_gets_a_message(client):
    response = _reset(client, "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_reset_policy_refuses_a_weak_password_and_keeps_the_link_usable(client):
    user = UserFactory(email="zhao@example.org")
    _reset(client, user.email)
    opened = client.get(_link(mail.outbox[0]))
    weak = client.post(opened.url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    good = client.post(opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert good.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password/reset/MQ/forged-token/",
        "/accounts/password/reset/!!!/set-password/",
        "/accounts/password/reset/zzzzzzzzzzzzzzzzzzzz/abc-def/",
    ],
)
def test_a_forged_link_shows_a_clear_message(client, path):
    UserFactory(email="a@example.org")
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert 'id="password-reset-invalid"' in response.content.decode()
    assert client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code in (200, 302)


@pytest.mark.django_db
def test_an_expired_link_shows_a_clear_message_and_changes_nothing(client, settings):
    user = UserFactory(email="old@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = TwoHoursAgo().make_token(user)  # PASSWORD_RESET_TIMEOUT is one hour by default
    response = client.get(reverse("accounts:password-reset-confirm", args=[uid, token]), follow=True)
    assert response.status_code == 200
    assert 'id="password-reset-invalid"' in response.content.decode()
    settings.PASSWORD_RESET_TIMEOUT = 3 * 3600  # the same token within a longer timeout still works
    assert client.get(reverse("accounts:password-reset-confirm", args=[uid, token])).status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_an_address_past_the_limit_is_refused_whatever_it_asks_for(client, settings):
    settings.PASSWORD_RESET_REQUEST_LIMIT = 2
    UserFactory(email="known@example.org")
    for email in ("a@example.org", "b@example.org"):
        assert _reset(client, email).status_code == 302
    for email in ("known@example.org", "c@example.org"):
        response = _reset(client, email)
        assert response.status_code == 200
        assert "Too many password-reset requests" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_one_email_address_receives_at_most_the_limit_and_the_page_does_not_say(client, settings):
    settings.PASSWORD_RESET_REQUEST_LIMIT = 2
    UserFactory(email="known@example.org")
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        response = client.post(reverse("accounts:password-reset"), {"email": "known@example.org"}, REMOTE_ADDR=address)
        assert response.status_code == 302 and response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 2


# --- Both languages ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["Reset your password", "Change password"]), ("zh-hans", ["重置密码", "修改密码"])],
)
def test_the_pages_render_in_both_languages(client, language, expected):
    client.cookies["django_language"] = language
    reset_title, change_title = expected
    assert reset_title in client.get(reverse("accounts:password-reset")).content.decode()
    assert client.get(reverse("accounts:password-reset-done")).status_code == 200
    assert client.get(reverse("accounts:password-reset-complete")).status_code == 200
    invalid = client.get("/accounts/password/reset/MQ/forged/").content.decode()
    assert 'id="password-reset-invalid"' in invalid
    client.force_login(UserFactory())
    assert change_title in client.get(reverse("accounts:password-change")).content.decode()
    assert client.get(reverse("accounts:password-change-done")).status_code == 200
    assert change_title in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.django_db
def test_the_reset_email_of_a_chinese_session_is_bilingual_too(client):
    UserFactory(email="chen@example.org")
    client.cookies["django_language"] = "zh-hans"
    _reset(client, "chen@example.org")
    (message,) = mail.outbox
    assert "To choose a new password" in message.body and "新密码" in message.body
    assert User.objects.get(email="chen@example.org").check_password(PASSWORD)


@pytest.mark.django_db
def test_wrong_old_passwords_count_towards_the_log_in_lock_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    client.force_login(user)
    for _ in range(2):
        assert _change(client, "not-my-password-1").status_code == 200
    locked = _change(client, "not-my-password-1")  # the third wrong one locks the account and ends the session
    assert locked.status_code == 429 and 'id="locked-out"' in locked.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 302  # the session ended
    client.force_login(user)
    assert _change(client, PASSWORD).status_code == 429  # even the right old password is refused now
    assert client.get(reverse("accounts:profile")).status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    log_in = client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "auth", "auth-username": user.username, "auth-password": PASSWORD},
    )
    assert log_in.status_code == 429


@pytest.mark.django_db
def test_the_pages_hold_no_inline_script_or_style_under_the_content_security_policy(client):
    pages = [
        reverse("accounts:password-reset"),
        reverse("accounts:password-reset-done"),
        "/accounts/password/reset/MQ/x/",
    ]
    for url in pages:
        response = client.get(url)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert " style=" not in response.content.decode() and "<script>" not in response.content.decode(), url
