"""Password change and reset in a real headless Chromium, under the product's Content-Security-Policy."""

import re

import pytest
from django.core import mail

from tests.browser import log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser
NEW_PASSWORD = "another-Lumbar-2027"


@pytest.fixture
def user(transactional_db):
    return UserFactory(username="lin", email="lin@example.org")


def test_a_user_changes_the_password_from_the_account_page_and_logs_in_with_it(page, live_server, user):
    log_in(page, live_server, "lin")
    page.goto(f"{live_server.url}/accounts/profile/")
    page.click("#password-change-link")
    page.fill("input[name='old_password']", "wrong-old-password")
    page.fill("input[name='new_password1']", NEW_PASSWORD)
    page.fill("input[name='new_password2']", NEW_PASSWORD)
    page.click("button[type='submit'].btn-primary")
    page.wait_for_selector(".invalid-feedback, .errorlist, .alert-danger")  # refused, said next to the field
    page.fill("input[name='old_password']", PASSWORD)
    page.fill("input[name='new_password1']", NEW_PASSWORD)
    page.fill("input[name='new_password2']", NEW_PASSWORD)
    page.click("button[type='submit'].btn-primary")
    page.wait_for_selector("text=Back to my account")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_forgotten_password_is_reset_through_the_e_mailed_link(page, live_server, user):
    page.goto(f"{live_server.url}/account/login/")
    page.click("#password-reset-link")
    page.fill("input[name='email']", "lin@example.org")
    page.click("button[type='submit'].btn-primary")
    page.wait_for_selector("text=Back to log in")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    page.goto(live_server.url + "/accounts/" + link.split("/accounts/", 1)[1])  # the same path on the test server
    page.fill("input[name='new_password1']", NEW_PASSWORD)
    page.fill("input[name='new_password2']", NEW_PASSWORD)
    page.click("button[type='submit'].btn-primary")
    page.wait_for_selector("a.btn-primary:has-text('Log in')")
    log_in(page, live_server, "lin", NEW_PASSWORD)
