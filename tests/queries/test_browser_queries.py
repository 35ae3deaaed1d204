"""In a real browser: a monitor raises a query on a form, the coordinator answers, the monitor closes it."""

import os

import pytest

from queries.models import Query
from tests.browser import log_in

pytestmark = pytest.mark.browser


def _log_in(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username)


def test_a_query_goes_from_monitor_to_coordinator_and_back(
    transactional_db, page, live_server, quality_world, make_persona
):
    monitor, coordinator = make_persona("monitor"), make_persona("coordinator")
    participant = quality_world.participant_a

    _log_in(page, live_server, monitor.username)
    page.goto(
        f"{live_server.url}/queries/participant/{participant.pk}/visit/baseline/demographics/raise/"
        "?item=demographics_weight"
    )
    page.fill("textarea[name='text']", "Weight 800 kg: please check the source document")
    page.click("#query-raise button[type='submit']")
    page.wait_for_selector("#query-thread")
    assert page.locator(".query-status").first.inner_text() == "Open"

    _log_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/queries/participant/{participant.pk}/")
    page.click("#query-table >> text=Weight 800 kg")
    page.click("#action-answer")  # no message: refused, next to the field
    page.wait_for_selector(".invalid-feedback")
    page.fill("textarea[name='text']", "Typo: 80 kg in the source; form corrected")
    page.click("#action-answer")
    page.wait_for_selector(".query-status:has-text('Answered')")
    assert page.locator("#action-close").count() == 0

    _log_in(page, live_server, monitor.username)
    page.goto(f"{live_server.url}/queries/studies/{quality_world.study.code}/?status=unresolved")
    page.click("#query-table >> text=Weight 800 kg")
    assert "Typo: 80 kg" in page.inner_text("#query-thread")
    page.click("#action-close")
    page.wait_for_selector(".query-status:has-text('Closed')")
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "query_closed.png"), full_page=True)
    assert Query.objects.get().status == Query.Status.CLOSED
