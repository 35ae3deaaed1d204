"""The coordinator's main flow in a real headless Chromium: screen, consent, enrol, enter treatment date."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import log_in
from tests.factories import PASSWORD

from .conftest import LBPB_ELIGIBLE

pytestmark = pytest.mark.browser


@pytest.fixture
def lbpb_live(transactional_db, request):
    lbpb = request.getfixturevalue("lbpb")
    lbpb.coordinator.set_password(PASSWORD)
    lbpb.coordinator.save()
    return lbpb


def test_a_coordinator_screens_consents_enrols_and_sees_the_one_week_visit(page, live_server, lbpb_live):
    today = timezone.localdate()
    log_in(page, live_server, "coord1")

    page.goto(f"{live_server.url}/participants/study/LBPB/")
    page.click("text=Screen a new participant")
    page.fill("input[name='full_name']", "Sun Ba")
    page.fill("input[name='phone']", "13900000000")
    for code, value in LBPB_ELIGIBLE.items():
        if code == "age":
            page.fill("input[name='answer_age']", str(value))
        else:
            page.check(f"input[name='answer_{code}'][value='{'yes' if value else 'no'}']")
    page.click("button:has-text('Record screening')")
    page.wait_for_selector("#screening-result .alert-success:has-text('Eligible')")
    assert "Sun Ba" in page.inner_text("#personal-identifiers")

    page.fill("#consent input[name='form_version']", "1.0")
    page.click("#consent button[type='submit']")
    page.wait_for_selector(".alert-success:has-text('Consent recorded.')")
    page.click("#enrol button[type='submit']")
    page.wait_for_selector(".alert-success:has-text('Enrolled as LBPB-01-0001')")

    page.select_option("#anchors select[name='anchor_code']", "treatment_start")
    page.fill("#anchors input[name='date']", today.isoformat())
    page.click("#anchors button[type='submit']")
    page.wait_for_selector(".alert-success:has-text('the schedule is updated')")
    week = page.locator("li[data-visit='w1']")
    assert week.locator(".target-date").inner_text() == (today + timedelta(days=7)).isoformat()
    assert "1 week after treatment" in week.inner_text()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "participant_timeline.png"), full_page=True)
