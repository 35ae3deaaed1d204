"""The record status grid in a real headless Chromium (Debian's), in English and Chinese."""

import os
from datetime import date

import pytest

from accounts.services import membership_grant
from participants import services as participant_services
from participants.models import AnchorDate
from tests.browser import log_in
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory
from tests.matrix.instruments import attach_protocol
from workflows.services import response_submit

pytestmark = pytest.mark.browser


@pytest.fixture
def coordinator(transactional_db):
    study = StudyFactory(code="alpha", title="Alpha study")
    site = SiteFactory(study=study, code="A", name="Site A", name_zh="甲中心")
    other = SiteFactory(study=study, code="B", name="Site B")
    attach_protocol(study)
    user = UserFactory(username="coord")
    membership_grant(user=user, study=study, role="coordinator", sites=[site])
    mine = ParticipantFactory(site=site, identifier="ALPHA-A-0001")
    ParticipantFactory(site=other, identifier="ALPHA-B-0001")
    for participant in study.participants.all():
        AnchorDate.objects.create(
            participant=participant, anchor_code="enrolment", date=date(2026, 1, 5), entered_by=user
        )
    participant_services.visits_reproject_study(study=study)
    answers = {f"phq9_{n}": "1" for n in range(1, 10)}
    result = response_submit(
        participant=mine,
        visit_code="baseline",
        activity_key="phq9",
        instrument_code="phq9",
        raw=answers,
        complete=True,
        user=user,
        source="coordinator",
    )
    assert result.ok
    return user


def _shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


def test_a_coordinator_opens_the_grid_sees_statuses_and_reads_it_in_chinese(page, live_server, coordinator):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "coord")
    page.click("nav >> text=ALPHA")
    page.click("nav >> .dropdown-menu >> text=Record status")
    page.wait_for_selector("#status-grid")
    cell = page.locator('tr[data-participant="ALPHA-A-0001"] td[data-visit="baseline"]')
    assert cell.locator('li[data-activity="phq9"]').get_attribute("data-status") == "complete"
    assert cell.locator('li[data-activity="sf36"]').get_attribute("data-status") == "not_started"
    # the text alternative of colour and icon is in the page for screen readers
    assert "Complete" in cell.locator('li[data-activity="phq9"]').inner_text()
    assert page.locator('tr[data-participant="ALPHA-B-0001"]').count() == 0
    assert page.locator("#grid-arm").count() == 0  # an observational study has no arms
    # the icons are bootstrap-icons' font, served by the product (no CDN): the glyph has a width
    assert page.locator("#status-grid i.bi-check-circle").first.bounding_box()["width"] > 0
    _shot(page, "status_grid_en.png")

    page.select_option("#grid-status", "complete")
    page.click("#grid-filters button[type='submit']")
    page.wait_for_url("**status=complete**")
    assert page.locator('tr[data-participant="ALPHA-A-0001"]').count() == 1

    page.select_option("select[name='language']", "zh-hans")
    page.wait_for_selector('h1:has-text("记录状态")')
    assert "已完成" in page.locator('tr[data-participant="ALPHA-A-0001"]').inner_text()
    _shot(page, "status_grid_zh.png")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.locator('tr[data-participant="ALPHA-A-0001"] td[data-visit="baseline"] li[data-activity="phq9"] a').click()
    page.wait_for_url("**/baseline/phq9/**")
