"""In a real headless browser at a phone's size (390×844): a participant completes a baseline survey through a
link, pausing and resuming in a new browser, and the coordinator sees the scores; the same in Chinese. axe-core
finds no serious or critical violation on the survey pages."""

import pytest
from django.urls import reverse

from accounts.services import membership_grant
from instruments.models import Response
from surveys.models import PageTiming
from tests.browser import log_in, serious_violations
from tests.conftest import CHROMIUM_ARGS
from tests.factories import UserFactory

from .conftest import enrol_one, visit_of

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(chromium_path, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def phone(browser):
    # bypass_csp: only so that the test can inject axe-core's file; the pages themselves run under the CSP.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def make_link(page, live_server, participant, language: str) -> str:
    url = reverse("surveys:link-list", kwargs={"participant_id": participant.pk, "visit_id": visit_of(participant).pk})
    page.goto(f"{live_server.url}{url}")
    page.select_option("#id_language", language)
    page.click("#make-link")
    return page.input_value("#new-link-url")


def answer(page, prefix: str, numbers, value: str = "1") -> None:
    for n in numbers:
        page.check(f"input[name='{prefix}_{n}'][value='{value}']")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "title", "submitted"),
    [("en", "Your questionnaires", "your questionnaires are submitted"), ("zh", "您的问卷", "您的问卷已提交")],
)
def test_a_participant_completes_the_baseline_survey_on_a_phone_pausing_and_resuming(
    browser, live_server, srv, language, title, submitted
):
    coordinator = UserFactory(username=f"browser-coord-{language}")
    membership_grant(user=coordinator, study=srv.study, role="coordinator", sites=[srv.site])
    participant = enrol_one(srv)
    staff = browser.new_context()
    staff_page = staff.new_page()
    log_in(staff_page, live_server, coordinator.username)
    link = make_link(staff_page, live_server, participant, language)

    context, page = phone(browser)
    page.goto(link)
    assert title in page.text_content("h1")
    assert serious_violations(page) == []
    page.click("li[data-activity='phq9'] a")
    page.wait_for_url("**/form/phq9/")
    page.wait_for_load_state("load")
    assert serious_violations(page) == []
    answer(page, "phq9", range(1, 10))
    page.check("input[name='phq9_10'][value='1']")
    page.click("#save-next")
    page.wait_for_url("**/form/gad7/")
    answer(page, "gad7", range(1, 4), "2")
    page.click("#save-pause")  # paused: the answers so far are saved
    page.wait_for_selector("#survey-progress")
    context.close()

    context, page = phone(browser)  # another device: only the link
    page.goto(link)
    page.click("li[data-activity='gad7'] a")
    # survey.js times each answer from its change events: answer only once the page (and its script) has loaded.
    page.wait_for_url("**/form/gad7/")
    page.wait_for_load_state("load")
    assert page.is_checked("input[name='gad7_2'][value='2']")
    answer(page, "gad7", range(4, 8), "2")
    page.check("input[name='gad7_8'][value='1']")
    page.click("#save-next")
    page.wait_for_selector("#survey-submit")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-submitted")
    assert submitted in page.text_content("#survey-submitted")
    assert serious_violations(page) == []
    context.close()

    timing = PageTiming.objects.get(link__participant=participant, activity_key="gad7")
    assert timing.saves == 2 and {f"gad7_{n}" for n in range(1, 9)} <= set(timing.items)  # measured by survey.js
    phq9 = Response.objects.get(participant=participant, activity_key="phq9")
    assert phq9.status == Response.Status.COMPLETE and phq9.source == Response.Source.PARTICIPANT
    crf = reverse("workflows:response-edit", args=[participant.pk, "baseline", "phq9"])
    staff_page.goto(f"{live_server.url}{crf}")
    assert staff_page.text_content("#scores dd[data-score='total']").strip() == "9"  # nine items × 1
    gad7 = reverse("workflows:response-edit", args=[participant.pk, "baseline", "gad7"])
    staff_page.goto(f"{live_server.url}{gad7}")
    assert staff_page.text_content("#scores dd[data-score='total']").strip() == "14"  # seven items × 2
    staff.close()


@pytest.mark.django_db(transaction=True)
def test_the_diary_and_closed_pages_have_no_serious_accessibility_violation(browser, live_server, srv):
    from django.utils import timezone

    from surveys import services

    participant = enrol_one(srv)
    _link, token = services.survey_link_create(
        participant=participant, visit=visit_of(participant), user=srv.coordinator, language="zh"
    )
    context, page = phone(browser)
    day = timezone.localdate().isoformat()
    page.goto(f"{live_server.url}/s/{token}/diary/sleep_diary/{day}/")
    assert page.is_visible("#save-next")
    assert serious_violations(page) == []
    _later, later_token = services.survey_link_create(
        participant=participant, visit=visit_of(participant, "m1"), user=srv.coordinator, language="en"
    )
    page.goto(f"{live_server.url}/s/{later_token}/")
    assert page.get_attribute("#survey-state", "data-state") == "not_yet"
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/s/{'x' * 43}/")
    assert "does not open a survey" in page.text_content("h1")
    assert serious_violations(page) == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_portal_pages_have_no_serious_accessibility_violation(browser, live_server, srv, settings):
    import re

    from django.core import mail

    from surveys.models import ReminderContact

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    participant = enrol_one(srv)
    ReminderContact.objects.create(participant=participant, email="li@example.org")
    context, page = phone(browser)
    page.goto(f"{live_server.url}/portal/")
    assert serious_violations(page) == []
    page.fill("#id_email", "li@example.org")
    page.click("#send-code")
    page.wait_for_selector("#id_code")
    assert serious_violations(page) == []
    page.fill("#id_code", re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1))
    page.click("#check-code")
    page.wait_for_selector("#portal-due")
    assert serious_violations(page) == []
    page.click("#portal-due button")
    page.wait_for_selector("#survey-pages")
    context.close()
