"""The staff pages people work in all day, in a real headless browser on the demo study: axe-core finds no serious
or critical violation on the home, participant, visit, form, record status grid and dashboard pages, in English and
Chinese; at a phone's width (390 px) the participant, visit and form pages do not scroll sideways and every control
a finger must hit is at least 44×44 px."""

import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from lbpb.management.commands.load_demo import DEMO_PASSWORD
from participants.models import Participant, Visit
from tests.browser import serious_violations
from tests.conftest import CHROMIUM_ARGS

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
TOUCH_MIN = 44


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    participant = Participant.objects.get(identifier="LBPB-01-0001")
    visit = Visit.objects.filter(participant=participant, visit_code="baseline").get()
    return participant, visit


def staff_pages(participant, visit) -> dict[str, str]:
    study = participant.study.code
    return {
        "home": reverse("home"),
        "participant": reverse("participants:participant-detail", args=[participant.pk]),
        "visit": reverse("participants:visit-detail", args=[participant.pk, visit.pk]),
        "form": reverse("workflows:response-edit", args=[participant.pk, "baseline", "bpi"]),
        "grid": reverse("reports:status-grid", args=[study]),
        "dashboard": reverse("reports:study-dashboard", args=[study]),
    }


@pytest.fixture
def browser(chromium_path, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in(browser, live_server, username: str, language: str, **context):
    # bypass_csp: only so that axe-core's file can be injected; the pages themselves run under the CSP.
    ctx = browser.new_context(bypass_csp=True, **context)
    ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name='auth-username']", username)
    page.fill("input[name='auth-password']", DEMO_PASSWORD)
    page.click("button[type='submit'].btn-primary")
    page.wait_for_selector("h1")
    return page


def _shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_axe_finds_no_serious_violation_on_the_main_staff_pages(demo, live_server, browser, language):
    page = signed_in(browser, live_server, "pi", language, viewport=DESK)
    found = {}
    for name, url in staff_pages(*demo).items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (name, response.status)
        assert page.locator("html").get_attribute("lang") == language
        found[name] = serious_violations(page)
        _shot(page, f"staff-{name}-{language}.png")
    assert found == {name: [] for name in found}


# What a finger must hit: buttons, links styled as buttons, selects and text inputs themselves; for radio and
# checkbox answers their label (the input is small, the label is what is pressed).
TARGETS_JS = """() => {
  const seen = [];
  const visible = (e) => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden';
  const add = (e, what) => { const r = e.getBoundingClientRect(); seen.push([what, Math.round(r.width), Math.round(r.height)]); };
  document.querySelectorAll('main button, main a.btn, main select, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), nav .navbar-toggler')
    .forEach((e) => { if (visible(e)) add(e, e.tagName + '#' + (e.id || e.name || e.className)); });
  document.querySelectorAll('main input[type=radio], main input[type=checkbox]').forEach((e) => {
    const label = document.querySelector(`label[for="${e.id}"]`);
    if (label && visible(label)) add(label, 'label for ' + e.id);
  });
  return seen;
}"""


def test_the_participant_visit_and_form_pages_fit_a_phone(demo, live_server, browser):
    page = signed_in(browser, live_server, "coordinator", "en", viewport=PHONE, is_mobile=True, has_touch=True)
    pages = staff_pages(*demo)
    for name in ("participant", "visit", "form"):
        page.goto(f"{live_server.url}{pages[name]}")
        width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= viewport, (name, width, viewport)
        targets = page.evaluate(TARGETS_JS)
        assert targets, name
        small = [t for t in targets if t[1] < TOUCH_MIN or t[2] < TOUCH_MIN]
        assert small == [], (name, small)
        _shot(page, f"phone-{name}.png")


def test_a_rating_scale_is_one_row_on_a_desk_and_a_grid_of_six_on_a_phone(demo, live_server, browser):
    url = staff_pages(*demo)["form"]
    rows = {}
    for label, viewport in (("desk", DESK), ("phone", PHONE)):
        page = signed_in(browser, live_server, "coordinator", "en", viewport=viewport, has_touch=viewport is PHONE)
        page.goto(f"{live_server.url}{url}")
        tops = page.eval_on_selector_all("#item-bpi_3 .crf-scale label", "els => els.map(e => e.offsetTop)")
        assert len(tops) == 11
        rows[label] = [tops.count(top) for top in sorted(set(tops))]
    assert rows == {"desk": [11], "phone": [6, 5]}
