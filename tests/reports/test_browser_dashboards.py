"""The record status grid, the study dashboard, the outcomes page and a participant's mechanism profile in a real
headless Chromium (Debian's) with the demo loaded, in English and Chinese: every chart is drawn, and its marks are
counted against the table beside it. Screenshots go to $SCREENSHOT_DIR when it is set (as the other browser tests)."""

import io
import os

import pytest
from django.core.management import call_command

from lbpb.management.commands.load_demo import DEMO_PASSWORD
from participants.models import Participant
from tests.browser import log_in
from workflows.services import response_submit

pytestmark = pytest.mark.browser

# (instrument, answers) for the first LBPB participant's baseline: PHQ-9 18 (>= 10), GAD-7 7 (< 10), PCS 39 (>= 30).
FORMS = {
    "phq9": {f"phq9_{n}": "2" for n in range(1, 10)},
    "gad7": {f"gad7_{n}": "1" for n in range(1, 8)},
    "pcs": {f"pcs_{n}": "3" for n in range(1, 14)},
}


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    participant = Participant.objects.get(identifier="LBPB-01-0001")
    for code, answers in FORMS.items():
        result = response_submit(
            participant=participant,
            visit_code="baseline",
            activity_key=code,
            instrument_code=code,
            raw=answers,
            complete=True,
            user=participant.study.memberships.get(user__username="coordinator").user,
            source="coordinator",
        )
        assert result.ok, (code, result)
    return participant


def _shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


def _marks_match_tables(page) -> int:
    """Every dashboard chart: its drawn marks are as many as its table's rows say; returns the charts checked."""
    sections = page.locator("section.dash-section:has(svg.dash-chart)")
    for i in range(sections.count()):
        section = sections.nth(i)
        key = section.get_attribute("data-table")
        marks = section.locator("svg .chart-mark").count()
        rows = section.locator("table.dash-table tbody tr").count()
        columns = section.locator("table.dash-table thead th").count()
        expected = {"queries": columns - 1, "safety": 2 * rows}.get(key, rows)  # age bands; serious + clocks per site
        assert marks == expected, (key, marks, rows)
        assert marks == int(section.locator("svg").get_attribute("data-marks"))
        assert section.locator("svg > title").first.text_content().strip()
    return sections.count()


def test_the_pi_reads_the_grid_dashboard_outcomes_and_profile_in_english_and_chinese(page, live_server, demo):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "pi", DEMO_PASSWORD, wait=False)
    page.wait_for_selector("nav")

    page.goto(f"{live_server.url}/reports/study/lbpb/status-grid/")
    page.wait_for_selector("#status-grid")
    assert (
        page.locator('tr[data-participant="LBPB-01-0001"] li[data-activity="phq9"]').first.get_attribute("data-status")
        == "complete"
    )
    _shot(page, "dashboards_grid_en.png")

    dashboard_link = page.locator("nav a.dropdown-item[href='/reports/study/lbpb/dashboard/']")
    page.locator("nav .dropdown:has(a[href='/reports/study/lbpb/dashboard/']) > a").click()
    dashboard_link.click()
    page.wait_for_selector("section#section-funnel svg.dash-chart")
    assert _marks_match_tables(page) >= 8
    funnel = page.locator("section#section-funnel table tbody tr")
    assert funnel.nth(0).inner_text().split("\t")[-1].strip() == "6"  # six screened in the demo
    assert page.locator("section#section-enrolment-by-arm svg .chart-mark").count() == 2  # open study: arms shown
    assert page.locator("section#section-enrolment .dash-target").count() == 1  # the target of 360
    _shot(page, "dashboards_dashboard_en.png")

    page.click("text=Outcomes over visits")
    page.wait_for_selector("section.outcome svg.dash-chart")
    outcome = page.locator('section.outcome[data-table="phq9.total"]')
    assert outcome.locator("svg .chart-mark").count() == outcome.locator("tr.outcome-row-with-data").count() >= 1
    _shot(page, "dashboards_outcomes_en.png")

    page.goto(f"{live_server.url}/participants/{demo.pk}/")
    page.click("#mechanism-link")
    page.wait_for_selector("#mechanism-indicators")
    assert page.locator('tr[data-domain="depression"]').get_attribute("data-status") == "present"
    assert page.locator('tr[data-domain="anxiety"]').get_attribute("data-status") == "absent"
    assert page.locator('tr[data-domain="catastrophising"]').get_attribute("data-status") == "present"
    assert page.locator('tr[data-domain="neuropathic"]').get_attribute("data-status") == "unknown"
    _shot(page, "dashboards_mechanism_en.png")

    page.goto(f"{live_server.url}/participants/{demo.pk}/")
    page.click("#timeline-link")
    page.wait_for_selector("#timeline li[data-kind='form']")
    phq9 = page.locator("section#trajectory-phq9-total")
    assert phq9.locator("svg .chart-mark").count() == phq9.locator("tbody tr").count() == 1
    _shot(page, "dashboards_timeline_en.png")
    page.goto(f"{live_server.url}/reports/participant/{demo.pk}/mechanism/")

    page.select_option("select[name='language']", "zh-hans")
    page.wait_for_selector('h1:has-text("疼痛机制分型")')
    assert "未知" in page.locator('tr[data-domain="neuropathic"]').inner_text()
    _shot(page, "dashboards_mechanism_zh.png")
    page.goto(f"{live_server.url}/reports/study/lbpb/dashboard/")
    page.wait_for_selector('h1:has-text("研究仪表板")')
    assert _marks_match_tables(page) >= 8
    assert "筛选漏斗" in page.locator("section#section-funnel h2").inner_text()
    _shot(page, "dashboards_dashboard_zh.png")
    page.goto(f"{live_server.url}/reports/study/lbpb/outcomes/")
    page.wait_for_selector('h1:has-text("各访视的结局指标")')
    assert page.locator("section.outcome svg .chart-mark").count() >= 1
    _shot(page, "dashboards_outcomes_zh.png")
    page.goto(f"{live_server.url}/reports/study/lbpb/status-grid/")
    page.wait_for_selector('h1:has-text("记录状态")')
    _shot(page, "dashboards_grid_zh.png")
    assert not [e for e in errors if "Content Security Policy" in e], errors
