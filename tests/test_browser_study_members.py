"""A study Admin invites a user with a site role through the product's pages, and the invitee, from the e-mailed
link, sets a password, logs in and sees exactly that site's participants (headless Chromium, under the CSP)."""

import re

import pytest
from django.core import mail

from accounts.models import Membership, User
from tests.browser import log_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "spinal-Lumbar-2027"


@pytest.fixture
def study_admin(transactional_db, world, make_persona):
    return make_persona("admin", all_sites=True)


def test_an_admin_invites_a_site_coordinator_who_then_sees_only_that_sites_participants(
    page, live_server, world, study_admin
):
    log_in(page, live_server, study_admin.username)
    page.goto(f"{live_server.url}/accounts/studies/{world.study.code}/members/")
    page.click("#invite-link")
    page.fill("input[name='email']", "wei@example.org")
    page.select_option("select[name='role']", "coordinator")
    page.check(f"input[name='sites'][value='{world.site_b.pk}']")
    page.click("#invite-form button[type='submit']")
    page.wait_for_selector("#invitation-table >> text=wei@example.org")

    (message,) = mail.outbox
    path = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)
    page.context.clear_cookies()  # the invitee, in their own browser
    page.goto(live_server.url + path)
    page.fill("input[name='username']", "wei")
    page.fill("input[name='password1']", "short")
    page.fill("input[name='password2']", "short")
    page.click("#invitation-form button[type='submit']")
    page.wait_for_selector(".invalid-feedback, .errorlist")  # the password policy, next to the field
    assert not User.objects.filter(username="wei").exists()
    page.fill("input[name='username']", "wei")
    page.fill("input[name='password1']", NEW_PASSWORD)
    page.fill("input[name='password2']", NEW_PASSWORD)
    page.click("#invitation-form button[type='submit']")
    page.wait_for_selector("input[name='auth-username']")

    log_in(page, live_server, "wei", NEW_PASSWORD)
    page.goto(f"{live_server.url}/participants/study/{world.study.code}/")
    listing = page.content()
    assert "ALPHA-B-0001" in listing and "ALPHA-A-0001" not in listing and "BETA-C-0001" not in listing
    membership = Membership.objects.get(user__username="wei")
    assert membership.role == "coordinator" and list(membership.sites.all()) == [world.site_b]
    page.goto(live_server.url + path)  # the link worked once
    assert page.locator("#invitation-invalid").is_visible()
