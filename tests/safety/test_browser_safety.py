"""A coordinator records a serious AE through the CRF page in a real browser (Debian's chromium) and the study
safety overview shows its 12-hour and 24-hour reporting clocks in Beijing time."""

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from safety.models import AdverseEvent
from tests.browser import log_in

from .conftest import build_safe

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def safe_live(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_safe()


def choose(page, code: str, value: str):
    control = page.locator(f"#item-{code} input[value='{value}']")
    page.click(f"label[for='{control.get_attribute('id')}']")


def test_a_coordinator_records_a_serious_ae_and_the_overview_shows_its_clocks(page, live_server, safe_live):
    safe = safe_live
    log_in(page, live_server, safe.coordinator.username)

    page.goto(f"{live_server.url}/safety/participant/{safe.participant.pk}/")
    page.click("#new-ae")
    page.wait_for_selector("#item-ae_record_occurred")
    assert page.locator("#item-ae_record_serious").is_hidden()  # branching: nothing until an event occurred
    aware = (datetime.now(UTC) - timedelta(hours=1)).astimezone(SHANGHAI).replace(second=0, microsecond=0)
    choose(page, "ae_record_occurred", "1")
    choose(page, "ae_record_event", "2")
    page.fill("#id_ae_record_term", "Discitis")
    page.fill("#id_ae_record_onset_date", aware.date().isoformat())
    choose(page, "ae_record_grade", "3")
    choose(page, "ae_record_serious", "1")
    page.wait_for_selector("#item-ae_record_aware_time", state="visible")
    choose(page, "ae_record_sae_criteria", "3")
    page.fill("#id_ae_record_aware_date", aware.date().isoformat())
    page.fill("#id_ae_record_aware_time", aware.strftime("%H:%M"))
    choose(page, "ae_record_relationship", "3")
    choose(page, "ae_record_action", "2")
    choose(page, "ae_record_treatment", "4")
    choose(page, "ae_record_outcome", "2")
    page.click("button[value=complete]")
    page.wait_for_selector(".alert-success")

    event = AdverseEvent.objects.get()
    assert event.serious and event.aware_at == aware.astimezone(UTC)
    page.goto(f"{live_server.url}/safety/study/{safe.study.code}/")
    page.wait_for_selector("#sae-clocks")
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "safety_overview.png"), full_page=True)
    due_12 = (aware + timedelta(hours=12)).strftime("%Y-%m-%d %H:%M")
    due_24 = (aware + timedelta(hours=24)).strftime("%Y-%m-%d %H:%M")
    assert page.inner_text("tr[data-recipient='ethics_committee'] td.due") == due_12
    assert page.inner_text("tr[data-recipient='head_of_centre'] td.due") == due_12
    assert page.inner_text("tr[data-recipient='team_leader'] td.due") == due_24
    assert page.get_attribute("tr[data-recipient='ethics_committee']", "data-state") == "open"
    clock = page.inner_text("tr[data-recipient='ethics_committee']").replace("\xa0", " ")
    assert (
        "10 hours" in clock or "11 hours" in clock
    ) and "left" in clock  # 12 h from an awareness 1 h ago, to the minute
    assert "table-info" in page.get_attribute("tr[data-recipient='team_leader']", "class")
