"""The log-in flow in a real headless Chromium (Debian's), driven by Playwright."""

import os

import pytest

from accounts.services import membership_grant
from tests.browser import log_in
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def coordinator(transactional_db):
    study = StudyFactory(code="lbpb", title="LBPB cohort", title_zh="腰痛队列")
    site = SiteFactory(study=study, code="01", name="Site one", name_zh="一号中心")
    other = SiteFactory(study=study, code="02", name="Site two")
    ParticipantFactory(site=site, identifier="LBPB-01-0001")
    ParticipantFactory(site=other, identifier="LBPB-02-0001")
    user = UserFactory(username="coord")
    membership_grant(user=user, study=study, role="coordinator", sites=[site])
    return user


def test_a_coordinator_logs_in_sees_own_site_and_switches_to_chinese(page, live_server, coordinator):
    log_in(page, live_server, "coord")
    page.click("nav >> text=LBPB")
    page.click("nav >> .dropdown-menu >> text=Participants")
    page.wait_for_selector("text=LBPB-01-0001")
    assert page.locator("text=LBPB-02-0001").count() == 0
    page.select_option("select[name='language']", "zh-hans")
    page.wait_for_selector('h1:has-text("受试者")')
    assert "研究编号" in page.content()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "participants_zh.png"), full_page=True)


def test_a_wrong_password_shows_an_error_and_keeps_the_user_name(page, live_server, coordinator):
    log_in(page, live_server, "coord", "not-the-password", wait=False)
    page.wait_for_selector(".alert-danger, .invalid-feedback, .errorlist")
    assert page.input_value("input[name='auth-username']") == "coord"
