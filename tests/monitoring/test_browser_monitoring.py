"""The monitoring flow in a real headless Chromium: a monitor verifies a form, a data manager locks the visit,
the coordinator's change is refused, the PI signs the casebook with their password."""

import os

import pytest
from django.urls import reverse

from instruments.models import Response
from monitoring.models import Signature, SourceVerification
from participants.models import Lock
from tests.browser import log_in
from tests.factories import PASSWORD

from .conftest import casebook_url, crf_url

pytestmark = pytest.mark.browser


@pytest.fixture
def live(transactional_db, request):
    return request.getfixturevalue("people"), request.getfixturevalue("form")


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username)


def _shot(page, name):
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


def test_verify_lock_refuse_and_sign(page, live_server, live):
    people, form = live
    casebook = f"{live_server.url}{casebook_url(form.participant)}"
    row = f"#response-{form.pk}"

    _log_in(page, live_server, people["monitor"].username)
    page.goto(casebook)
    page.click(f"{row} button:has-text('Verify')")
    page.wait_for_selector(f"{row} .sdv-state:has-text('Verified')")
    assert SourceVerification.objects.get().verified_by == people["monitor"]

    _log_in(page, live_server, people["data_manager"].username)
    page.goto(casebook)
    page.fill("#visit-baseline .lock-form input[name='reason']", "baseline cleaned")
    page.click("#visit-baseline .lock-form button:has-text('Lock visit')")
    page.wait_for_selector("#review-clear")  # the confirmation step: what the lock covers, nothing blocking
    assert not Lock.objects.exists()
    page.click("#lock-confirm")
    page.wait_for_selector(".alert-success:has-text('Locked.')")
    assert page.locator(f"{row} .lock-state").inner_text().strip() == "Locked"
    assert Lock.objects.get().visit_code == "baseline"
    _shot(page, "monitoring_casebook.png")

    _log_in(page, live_server, people["coordinator"].username)
    page.goto(f"{live_server.url}{crf_url(form.participant)}")
    # The locked form is shown read only: a banner, a disabled fieldset and no save buttons.
    page.wait_for_selector("#locked-banner")
    assert page.locator("#crf-form fieldset[disabled]").count() == 1
    assert page.locator("button:has-text('Mark complete')").count() == 0
    assert Response.objects.get(pk=form.pk).lock_version == form.lock_version

    _log_in(page, live_server, people["pi"].username)
    page.goto(casebook)
    page.click("#signature-link")
    page.fill("input[name='password']", "not-my-password")
    page.click("#sign-form button[type='submit']")
    page.wait_for_selector(".invalid-feedback:has-text('The password is not correct')")
    assert not Signature.objects.exists()
    page.fill("input[name='password']", PASSWORD)
    page.click("#sign-form button[type='submit']")
    page.wait_for_selector(".alert-success:has-text('Casebook signed.')")
    assert "I have reviewed the data of this casebook" in page.inner_text("#signatures")
    assert Signature.objects.get().signer == people["pi"]
    _shot(page, "monitoring_signature.png")


def test_a_monitor_verifies_a_whole_visit_from_the_visit_page(page, live_server, live):
    """Bulk SDV of a visit: one click on the visit page verifies its complete forms, stored one row each."""
    from django.utils import timezone

    from participants.models import Visit

    from .conftest import submit

    people, form = live
    family = submit(form.participant, people["coordinator"], activity="phq9_family").response
    today = timezone.localdate()
    visit = Visit.objects.create(
        participant=form.participant,
        visit_code="baseline",
        anchor_code="enrolment",
        target_date=today,
        window_start=today,
        window_end=today,
    )
    _log_in(page, live_server, people["monitor"].username)
    page.goto(f"{live_server.url}{reverse('participants:visit-detail', args=[form.participant.pk, visit.pk])}")
    page.click("#visit-verify")
    page.wait_for_selector(".alert-success:has-text('2 forms verified.')")
    assert page.locator("#visit-forms [data-status='verified']").count() == 2
    current = SourceVerification.objects.filter(reset_at__isnull=True, complete=True)
    assert {(v.response_id, v.verified_by_id) for v in current} == {
        (form.pk, people["monitor"].pk),
        (family.pk, people["monitor"].pk),
    }
    assert page.locator("#visit-verify").count() == 0  # nothing left to verify at this visit
