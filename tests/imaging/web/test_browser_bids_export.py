"""A data manager uploads a real MR series, exports the study's MRI as BIDS, downloads the zip and deletes it, in
real Chromium."""

import gzip
import os
import zipfile

import pytest

from accounts.services import membership_grant
from tests.browser import log_in
from tests.factories import UserFactory
from tests.imaging.test_bids_export import nifti_dims, write_mr_series
from tests.imaging.web.conftest import make_visit

pytestmark = pytest.mark.browser

T1 = "alpha-bids/sub-ALPHAA0001/ses-baseline/anat/sub-ALPHAA0001_ses-baseline_T1w.nii.gz"


@pytest.fixture
def data_manager(transactional_db, world):
    user = UserFactory(username="dm")
    membership_grant(user=user, study=world.study, role="data_manager", sites=[world.site_a])
    return user


def test_a_data_manager_exports_mri_as_bids_and_downloads_the_zip(page, live_server, data_manager, world, tmp_path):
    visit = make_visit(world.participant_a)
    archive = tmp_path / "t1.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in write_mr_series(tmp_path / "t1", "T1 MPRAGE"):
            out.write(path, f"t1/{path.name}")
    log_in(page, live_server, "dm")

    page.goto(f"{live_server.url}/imaging/alpha/upload/")
    page.select_option("select[name='participant']", str(world.participant_a.pk))
    page.wait_for_selector(f"select[name='visit'] option[value='{visit.pk}']", state="attached")  # htmx refresh
    page.select_option("select[name='visit']", str(visit.pk))
    page.set_input_files("input[name='files']", str(archive))
    page.click("#upload-form button[type='submit']", timeout=120_000)  # the jobs run in-process before the redirect
    page.wait_for_function("document.querySelectorAll('#job-rows [data-status=\"succeeded\"]').length === 4")

    page.click("nav .dropdown-toggle:has-text('Alpha')")
    page.click("nav .dropdown-menu >> text=Export MRI as BIDS")
    page.wait_for_selector("text=No exports yet.")
    page.click("#export-request", timeout=120_000)  # without a broker the export runs before the redirect
    page.wait_for_selector("#export-rows [data-status='done']", timeout=120_000)
    page.click("#export-rows details >> text=Log")
    assert "Series exported: 1 (participants: 1); failed: 0; left out: 0." in page.inner_text(".export-log")

    with page.expect_download() as info:
        page.click("#export-rows a.export-download")
    download = info.value
    assert download.suggested_filename.startswith("alpha-bids-") and download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as bids:
        assert T1 in bids.namelist()
        assert nifti_dims(gzip.decompress(bids.read(T1))) == (64, 64, 4)

    page.click("#export-rows details.export-delete summary")  # the confirmation opens in the row
    page.click("#export-rows details.export-delete button[type='submit']")
    page.wait_for_selector("#export-rows [data-status='deleted']")
    assert "by dm" in page.inner_text("#export-rows .export-deleted")
    assert page.locator("#export-rows a.export-download").count() == 0
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "imaging_bids_export.png"), full_page=True)
