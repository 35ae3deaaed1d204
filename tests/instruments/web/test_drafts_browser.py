"""No lost answers, in a real browser (Debian's chromium, Playwright): a session that expires mid-form keeps the
answers, an edit conflict is merged without re-typing, the idle warning offers to stay signed in, and leaving a
changed form asks first."""

import time

import pytest
from django.contrib.sessions.models import Session

from instruments.models import Response
from tests.browser import log_in
from tests.factories import PASSWORD
from workflows.models import ResponseDraft

from .conftest import crf_url

pytestmark = pytest.mark.browser

PHQ9 = {f"phq9_{n}": "2" for n in range(1, 10)} | {"phq9_10": "1"}


@pytest.fixture
def live(transactional_db, request):
    alpha = request.getfixturevalue("alpha")
    make_persona = request.getfixturevalue("make_persona")
    return alpha, make_persona


def choose(page, code: str, value: str):
    control = page.locator(f"#item-{code} input[value='{value}']")
    page.click(f"label[for='{control.get_attribute('id')}']")


def wait_for_draft(user, code: str, value: str, timeout: float = 10.0) -> ResponseDraft:
    """The user's draft once it holds ``value`` for ``code`` (saved by the page a moment after typing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        draft = ResponseDraft.objects.filter(user=user).first()
        if draft is not None and draft.raw.get(code) == value:
            return draft
        time.sleep(0.2)
    raise AssertionError(f"no draft with {code}={value}")


def test_an_expired_session_keeps_the_answers(page, live_server, live):
    alpha, make_persona = live
    coordinator = make_persona("coordinator")
    log_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}{crf_url(alpha.participant_a)}")
    for code, value in PHQ9.items():
        choose(page, code, value)
    choose(page, "phq9_1", "3")
    wait_for_draft(coordinator, "phq9_1", "3")
    page.wait_for_selector("#draft-status:has-text('Draft saved at')")

    Session.objects.all().delete()  # the server ends the session (as the idle timeout does)
    page.click("button[value='complete']")
    page.wait_for_selector("input[name='auth-username']")  # the POST met the log-in page
    assert not Response.objects.exists()
    page.fill("input[name='auth-username']", coordinator.username)
    page.fill("input[name='auth-password']", PASSWORD)
    page.click("button[type='submit'].btn-primary")

    page.wait_for_selector("#draft-restored")  # back on the form, the draft restored
    assert page.url.startswith(f"{live_server.url}{crf_url(alpha.participant_a)}")
    assert page.locator("#item-phq9_1 input[value='3']").is_checked()
    assert page.locator("#item-phq9_10 input[value='1']").is_checked()
    page.click("button[value='complete']")
    page.wait_for_selector(".alert-success:has-text('Saved.')")
    stored = Response.objects.get()
    assert stored.values == {**{k: int(v) for k, v in PHQ9.items()}, "phq9_1": 3}
    assert stored.status == "complete" and stored.entered_by == coordinator
    assert not ResponseDraft.objects.exists()


def test_a_conflict_is_merged_without_retyping(page, live_server, live):
    alpha, make_persona = live
    coordinator, data_manager = make_persona("coordinator"), make_persona("data_manager")
    url = f"{live_server.url}{crf_url(alpha.participant_a)}"
    log_in(page, live_server, coordinator.username)
    page.goto(url)
    for code, value in PHQ9.items():
        choose(page, code, value)
    page.click("button[value='save']")
    page.wait_for_selector(".alert-success:has-text('Saved.')")  # version 1, both start from it

    other_context = page.context.browser.new_context(locale="en-GB")
    other = other_context.new_page()
    other.set_default_timeout(15000)
    log_in(other, live_server, data_manager.username)
    other.goto(url)
    choose(page, "phq9_1", "3")  # the coordinator changes item 1 ...
    choose(other, "phq9_2", "0")  # ... the data manager item 2, and saves first
    other.click("button[value='save']")
    other.wait_for_selector(".alert-success:has-text('Saved.')")
    other_context.close()

    page.click("button[value='complete']")
    page.wait_for_selector("#merge-panel")
    assert page.locator("#conflict").inner_text().startswith("Someone else saved this form after you opened it.")
    rows = page.locator("#merge-panel tr[data-merge-item]")
    assert [rows.nth(n).get_attribute("data-merge-item") for n in range(rows.count())] == ["phq9_1", "phq9_2"]
    # item 2 only they changed: theirs is chosen and shown in the form; item 1 is mine
    assert page.locator("#merge-phq9_2-theirs").is_checked() and page.locator("#merge-phq9_1-mine").is_checked()
    assert page.locator("#item-phq9_2 input[value='0']").is_checked()
    assert page.locator("#item-phq9_1 input[value='3']").is_checked()
    # trying theirs for item 1 shows it in the form; back to mine without typing it again
    page.click("label[for='merge-phq9_1-theirs']")
    assert page.locator("#item-phq9_1 input[value='2']").is_checked()
    page.click("label[for='merge-phq9_1-mine']")
    assert page.locator("#item-phq9_1 input[value='3']").is_checked()
    page.click("button[value='complete']")
    page.wait_for_selector(".alert-success:has-text('Saved.')")
    stored = Response.objects.get()
    assert stored.values["phq9_1"] == 3 and stored.values["phq9_2"] == 0 and stored.values["phq9_3"] == 2
    assert stored.status == "complete" and stored.lock_version == 3
    assert not ResponseDraft.objects.exists()


def test_the_idle_warning_offers_to_stay_signed_in(page, live_server, live, settings):
    alpha, make_persona = live
    coordinator = make_persona("coordinator")
    log_in(page, live_server, coordinator.username)
    settings.SESSION_COOKIE_AGE = 6  # pages from now on: a 6 s session, warned 2 s before its end
    page.goto(f"{live_server.url}{crf_url(alpha.participant_a)}")
    page.wait_for_selector("#session-timeout[open] #session-stay", timeout=10000)
    assert "You will be signed out because of inactivity in" in page.inner_text("#session-timeout-text")
    with page.expect_response(lambda r: r.url.endswith("/session/keep-alive/")) as answer:
        page.click("#session-stay")
    assert answer.value.status == 200
    page.wait_for_selector("#session-timeout", state="hidden")
    # left alone, the session ends: the dialog says so and leads back here after signing in
    page.wait_for_selector("#session-sign-in:visible", timeout=12000)
    assert "next=" in page.get_attribute("#session-sign-in", "href")


def test_leaving_a_changed_form_asks_first(page, live_server, live):
    alpha, make_persona = live
    log_in(page, live_server, make_persona("coordinator").username)
    page.goto(f"{live_server.url}{crf_url(alpha.participant_a)}")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.click("a.navbar-brand")  # nothing typed yet: leaves without asking
    page.wait_for_selector("text=Welcome")
    assert asked == []
    page.goto(f"{live_server.url}{crf_url(alpha.participant_a)}")
    choose(page, "phq9_1", "3")
    page.click("a.navbar-brand")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"] and "/visit/baseline/phq9/" in page.url
