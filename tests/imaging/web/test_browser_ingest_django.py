"""A coordinator uploads a zip of MR files for a participant's visit in real Chromium and sees the series."""

import os
import zipfile

import pytest

from accounts.services import membership_grant
from tests.browser import log_in
from tests.factories import UserFactory
from tests.imaging.web.conftest import make_visit

pytestmark = pytest.mark.browser


@pytest.fixture
def coordinator(transactional_db, world):
    user = UserFactory(username="coord")
    membership_grant(user=user, study=world.study, role="coordinator", sites=[world.site_a])
    return user


def test_a_coordinator_uploads_a_zip_for_a_visit_and_sees_the_series(
    page, live_server, coordinator, world, dicomdir_tree, tmp_path
):
    visit = make_visit(world.participant_a)
    archive = tmp_path / "mri.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(
            [*(dicomdir_tree / "98892003" / "MR700").iterdir(), *(dicomdir_tree / "98892003" / "MR1").iterdir()]
        ):
            if path.is_file():
                out.write(path, f"{path.parent.name}/{path.name}")
    log_in(page, live_server, "coord")

    page.goto(f"{live_server.url}/imaging/alpha/upload/")
    page.select_option("select[name='participant']", str(world.participant_a.pk))
    page.wait_for_selector(f"select[name='visit'] option[value='{visit.pk}']", state="attached")  # htmx refresh
    page.select_option("select[name='visit']", str(visit.pk))
    page.set_input_files("input[name='files']", str(archive))
    # Without a broker the jobs run in-process after the commit, so the redirect waits for them.
    page.click("#upload-form button[type='submit']", timeout=120_000)
    page.wait_for_selector("text=10 files received", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('#job-rows [data-status=\"succeeded\"]').length === 10")
    assert page.locator("#job-rows [data-status='failed']").count() == 0

    page.click("#job-rows a >> nth=0")
    page.click("#datafile-link")
    page.wait_for_selector("#series")
    assert page.locator("#series tr[data-label='angio']").count() == 1
    assert page.locator("#series tr[data-label='localizer']").count() == 3
    assert page.locator("#series img").count() >= 1
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "imaging_series.png"), full_page=True)
