"""A coordinator's visit day in a real headless browser (Debian's chromium): a whole baseline visit walked form by
form with "Complete and go to the next form", then recorded as done; and a visit recorded as done with a form
missing and the reason for it. Each checks what was stored."""

from datetime import date

import pytest
from django.urls import reverse

from instruments.models import Response
from participants.models import Visit
from tests.factories import PASSWORD
from workflows.services import response_submit

from .conftest import enrol

pytestmark = pytest.mark.browser

# Answer every visible question of the form shown: the first answer of each choice and rating, the lowest number
# allowed, today for a date. Answers that branching hides are left alone, as a coordinator would.
FILL_JS = """() => {
  const shown = (e) => e.offsetParent !== null || (e.labels && [...e.labels].some((l) => l.offsetParent !== null));
  const names = new Set();
  document.querySelectorAll('form .crf-item input[type=radio]').forEach((e) => {
    if (!names.has(e.name) && shown(e)) { names.add(e.name); e.click(); }
  });
  document.querySelectorAll('form .crf-item input[type=number]').forEach((e) => {
    if (shown(e) && !e.value) { e.value = e.min || '0'; e.dispatchEvent(new Event('input', {bubbles: true})); }
  });
  document.querySelectorAll('form .crf-item input[type=date]').forEach((e) => {
    if (shown(e) && !e.value) { e.value = new Date().toISOString().slice(0, 10); e.dispatchEvent(new Event('input', {bubbles: true})); }
  });
  return names.size;
}"""


@pytest.fixture
def coordinator(lbpb):
    lbpb.coordinator.set_password(PASSWORD)
    lbpb.coordinator.save()
    return lbpb.coordinator


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name='auth-username']", user.username)
    page.fill("input[name='auth-password']", PASSWORD)
    page.click("button[type='submit'].btn-primary")
    page.wait_for_selector("nav")


def test_a_whole_baseline_visit_with_complete_and_next_then_done(page, live_server, lbpb, coordinator):
    participant = enrol(lbpb)
    visit = Visit.objects.get(participant=participant, visit_code="baseline")
    visit_url = reverse("participants:visit-detail", args=[participant.pk, visit.pk])
    _sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}{visit_url}")
    assert "0 of 3 required forms complete" in page.inner_text("#visit-progress")
    with page.expect_navigation():
        page.click("#visit-forms a >> nth=0")  # the first form in protocol order
    walked = []
    for _ in range(5):  # three forms; a bound, so that a form that will not save fails instead of looping
        page.wait_for_selector("#complete-next")
        walked.append(page.url.rstrip("/").rsplit("/", 1)[-1])
        assert page.evaluate(FILL_JS) > 0
        with page.expect_navigation():
            page.click("#complete-next")
        if page.url.endswith(visit_url):
            break
    assert walked == ["bpi", "odi", "phq9"]
    assert "3 of 3 required forms complete" in page.inner_text("#visit-progress")
    page.fill("#visit-done-form input[name='completed_on']", "2026-03-03")
    page.click("#visit-done-form button[type='submit']")
    page.wait_for_selector("#visit-progress")
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.completed_on == date(2026, 3, 3) and stored.missing_forms == {}
    complete = Response.objects.filter(participant=participant, visit_code="baseline", status="complete")
    assert sorted(complete.values_list("activity_key", flat=True)) == ["bpi", "odi", "phq9"]
    assert all(r.scores for r in complete)  # each saved through the one write path, so scored


def test_a_visit_done_with_a_form_missing_keeps_the_reason(page, live_server, lbpb, coordinator):
    participant = enrol(lbpb)
    visit = Visit.objects.get(participant=participant, visit_code="baseline")
    assert response_submit(
        participant=participant,
        visit_code="baseline",
        activity_key="phq9",
        instrument_code="phq9",
        raw={f"phq9_{n}": "1" for n in range(1, 10)},
        complete=True,
        user=coordinator,
        source="coordinator",
    ).ok
    _sign_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}{reverse('participants:visit-detail', args=[participant.pk, visit.pk])}")
    assert "1 of 3 required forms complete" in page.inner_text("#visit-progress")
    page.fill("#visit-done-form input[name='completed_on']", "2026-03-03")
    page.fill("#visit-done-form [name='why_bpi']", "Participant too tired after the MRI")
    page.click("#visit-done-form button[type='submit']")
    assert page.locator("#visit-done-form .invalid-feedback, #visit-done-form .alert-danger").count() >= 1
    assert Visit.objects.get(pk=visit.pk).completed_on is None  # refused: the ODI has no reason yet
    page.fill("#visit-done-form input[name='completed_on']", "2026-03-03")
    page.fill("#visit-done-form [name='why_bpi']", "Participant too tired after the MRI")
    page.fill("#visit-done-form [name='why_odi']", "Form not available in the clinic")
    page.click("#visit-done-form button[type='submit']")
    page.wait_for_selector("#missing-forms")
    assert "Participant too tired after the MRI" in page.inner_text("#missing-forms")
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.completed_on == date(2026, 3, 3)
    assert stored.missing_forms == {
        "bpi": "Participant too tired after the MRI",
        "odi": "Form not available in the clinic",
    }
