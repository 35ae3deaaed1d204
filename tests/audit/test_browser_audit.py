"""A data manager filters a participant's audit trail and downloads it as CSV, in a real Chromium."""

import csv
import io
import os

import pytest

from accounts.services import membership_grant
from audit.models import AuditEvent
from audit.services import audit_record
from tests.browser import log_in
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def audited(transactional_db):
    study = StudyFactory(code="admsc", title="ADMSC trial", blinding="double")
    site = SiteFactory(study=study, code="01", name="Site one")
    participant = ParticipantFactory(site=site, identifier="ADMSC-01-0001")
    coordinator = UserFactory(username="coord")
    membership_grant(user=coordinator, study=study, role="coordinator", sites=[site])
    manager = UserFactory(username="dm")
    membership_grant(user=manager, study=study, role="data_manager", all_sites=True)
    audit_record(
        user=coordinator,
        action=AuditEvent.Action.UPDATE,
        instance=participant,
        changes={"status": ["screening", "enrolled"]},
        reason="consent signed",
    )
    audit_record(
        user=coordinator,
        action=AuditEvent.Action.ALLOCATE,
        instance=participant,
        changes={"arm_code": ["", "stem_cells"]},
    )
    audit_record(
        user=coordinator,
        action=AuditEvent.Action.VERIFY,
        instance=participant,
        path="api",
        object_type="instruments.response",
        object_id="5",
        object_label="PHQ-9 · baseline",
    )
    return participant


def test_a_data_manager_filters_a_participant_trail_and_downloads_the_csv(page, live_server, audited):
    log_in(page, live_server, "dm")
    page.goto(f"{live_server.url}/audit/participants/{audited.pk}/")
    page.wait_for_selector("text=PHQ-9 · baseline")
    assert page.locator("#audit-events tbody tr").count() == 3
    assert "stem_cells" not in page.content() and "••• blinded" in page.content()

    page.select_option("select[name='action']", "update")
    page.click("#audit-filters button[type='submit']")
    page.wait_for_url("**action=update**")
    assert page.locator("#audit-events tbody tr").count() == 1
    assert "consent signed" in page.content()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "audit_trail.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#audit-csv")
    download = download_info.value
    assert download.suggested_filename.startswith(f"audit-participant-{audited.pk}-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert [(r["action"], r["field"], r["old_value"], r["new_value"], r["user"]) for r in rows] == [
        ("update", "status", "screening", "enrolled", "coord")
    ]
