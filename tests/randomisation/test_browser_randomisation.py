"""A PI in the double-blind ADMSC trial randomises, sees the number but not the arm, then unblinds in an emergency."""

import os

import pytest
from django.core import mail

from randomisation.models import AllocationSlot, UnblindingEvent
from tests.browser import log_in

from .conftest import enrol, frozen_list

pytestmark = pytest.mark.browser

ARM_NAMES = ("High dose", "Mid dose", "Low dose", "Placebo")


def test_a_pi_randomises_blind_then_unblinds_with_a_reason(page, live_server, transactional_db, admsc):
    frozen_list(admsc)
    participant = enrol(admsc, name="Chen Qi")
    log_in(page, live_server, admsc.pi.username)

    page.goto(f"{live_server.url}/randomisation/participant/{participant.pk}/")
    page.click("#randomise")
    page.wait_for_selector("#randomise-confirm")  # the confirmation: strata values first, nothing stored yet
    assert not AllocationSlot.objects.filter(used_by=participant).exists()
    page.click("#randomise-confirm")
    page.wait_for_selector("#randomisation-number")
    slot = AllocationSlot.objects.get(used_by=participant)
    assert page.inner_text("#randomisation-number") == slot.number
    assert page.locator("#arm").count() == 0
    body = page.inner_text("body")
    assert not any(name in body for name in ARM_NAMES)

    page.click("text=Emergency unblinding")
    page.click("button[type='submit'].btn-danger")  # no reason: refused, next to the field
    page.wait_for_selector(".invalid-feedback")
    assert not UnblindingEvent.objects.exists()
    page.fill("textarea[name='reason']", "Anaphylactic reaction after transplantation")
    page.check("input[name='confirm']")
    page.click("button[type='submit'].btn-danger")
    page.wait_for_selector("#revealed-arm")
    assert any(name in page.inner_text("#revealed-arm") for name in ARM_NAMES)
    event = UnblindingEvent.objects.get()
    assert event.user == admsc.pi and event.reason.startswith("Anaphylactic")
    assert [m.to for m in mail.outbox] == [["dm@example.org"]]
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "emergency_unblinding.png"), full_page=True)
