"""A PI of the blinded ADMSC trial opens the CONSORT page, sees the diagram with arms pooled, downloads the SVG."""

import os
from pathlib import Path

import pytest

from tests.browser import log_in

pytestmark = pytest.mark.browser

ARM_NAMES = ("High dose", "Mid dose", "Low dose", "Placebo")


def test_a_pi_opens_the_consort_diagram_and_downloads_the_svg(page, live_server, transactional_db, flow_world):
    admsc = flow_world.admsc
    log_in(page, live_server, admsc.pi.username)

    page.goto(f"{live_server.url}/reports/study/{admsc.study.code}/consort/")
    diagram = page.locator("svg.consort-diagram")
    diagram.wait_for()
    # The background, then assessed, excluded, randomised, and the pooled column's allocation, follow-up, analysis.
    assert diagram.locator("rect").count() == 7
    text = diagram.text_content()
    svg = page.inner_html(".overflow-auto")
    assert "Assessed for eligibility (n = 11)" in svg  # the PI works at site 01 only
    assert "Randomised (n = 5)" in svg
    assert page.locator("#consort-scope").is_visible()
    assert not any(name in svg + text for name in ARM_NAMES)
    box = diagram.bounding_box()
    assert box["width"] > 500 and box["height"] > 500

    with page.expect_download() as download_info:
        page.click("text=Download SVG")
    download = download_info.value
    assert download.suggested_filename == f"{admsc.study.code}-consort.svg"
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.startswith("<?xml") and "Assessed for eligibility (n = 11)" in content
    assert not any(name in content for name in ARM_NAMES)
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "consort.png"), full_page=True)
