"""The protocol upload in a real headless Chromium: a broken file, then the good one."""

import os

import pytest

from accounts.services import membership_grant
from studies.models import ProtocolVersion
from tests.browser import log_in
from tests.factories import SiteFactory, StudyFactory, UserFactory
from tests.studies.conftest import dump
from tests.studies.test_protocol_load import alpha_protocol

pytestmark = pytest.mark.browser


@pytest.fixture
def study_admin(transactional_db):
    study = StudyFactory(code="alpha", title="Alpha study")
    SiteFactory(study=study, code="A", name="Site A")
    user = UserFactory(username="studyadmin")
    membership_grant(user=user, study=study, role="admin", sites=[], all_sites=True)
    return user


def test_an_admin_fixes_a_broken_protocol_file_and_sees_the_schedule(page, live_server, study_admin, tmp_path):
    broken_data = alpha_protocol()
    broken_data["visits"][1]["ofset_days"] = broken_data["visits"][1].pop("offset_days")
    broken, good = tmp_path / "alpha-broken.yaml", tmp_path / "alpha.yaml"
    broken.write_text(dump(broken_data), encoding="utf-8")
    good.write_text(dump(alpha_protocol()), encoding="utf-8")

    log_in(page, live_server, "studyadmin")
    page.goto(f"{live_server.url}/studies/alpha/")
    page.click("text=Load a protocol file")

    page.set_input_files("input[name='file']", str(broken))
    page.click("button:has-text('Check and load')")
    problems = page.locator("#protocol-problems")
    problems.wait_for()
    assert "visits[1].ofset_days" in problems.inner_text()
    assert "did you mean 'offset_days'?" in problems.inner_text()
    assert not ProtocolVersion.objects.exists()

    page.set_input_files("input[name='file']", str(good))
    page.click("button:has-text('Check and load')")
    page.locator("#protocol-result").wait_for()
    assert "Protocol loaded" in page.locator("#protocol-result").inner_text()
    page.click("text=View the study protocol")
    grid = page.locator("#schedule")
    grid.wait_for()
    assert grid.locator("thead th").all_inner_texts()[1:] == ["baseline", "w2", "m1"]
    assert "✓" in grid.inner_text()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "study_schedule.png"), full_page=True)
