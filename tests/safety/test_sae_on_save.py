"""Saving a serious adverse event on its CRF says at once what is due: each report's deadline with its state, and
who was told by e-mail; an overdue report is an error message, not "Saved." alone."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from safety.models import SaeReport

from .conftest import MILD, SERIOUS


def _crf_url(participant):
    return reverse("workflows:response-edit", args=[participant.pk, "baseline", "ae_record"])


def _save(client, participant, raw):
    return client.post(_crf_url(participant), {**raw, "action": "complete", "lock_version": 0})


@pytest.mark.django_db
def test_saving_an_overdue_sae_says_it_is_overdue_and_lists_deadlines_and_who_was_told(client, safe):
    client.force_login(safe.coordinator)
    saved = _save(client, safe.participant, SERIOUS)  # learned of on 2026-03-02: every report is long overdue
    assert saved.status_code == 302
    notes = [(message.level_tag, str(message)) for message in get_messages(saved.wsgi_request)]
    reports = SaeReport.objects.count()
    assert ("success", "Saved.") in notes
    assert (
        "error",
        f"Serious adverse event: {reports} reports are already overdue. Their deadlines are listed below.",
    ) in notes
    page = client.get(_crf_url(safe.participant)).content.decode()
    assert 'id="sae-status"' in page and page.count('data-state="overdue"') == reports
    for report in SaeReport.objects.all():
        assert report.due_at.strftime("%Y-%m-%d") in page
    # PIs of the participant's site and data managers hold NOTIFIED_OF_SAE; the site-2 PI is not told.
    assert "Told by e-mail when it was recorded: dm@example.org, pi@example.org" in page


@pytest.mark.django_db
def test_the_same_in_chinese(client, safe):
    client.force_login(safe.coordinator)
    client.post(reverse("set_language"), {"language": "zh-hans"})
    _save(client, safe.participant, SERIOUS)
    page = client.get(_crf_url(safe.participant)).content.decode()
    assert "严重不良事件：报告时限" in page and "已通过电子邮件通知" in page


@pytest.mark.django_db
def test_with_no_address_to_tell_the_page_says_to_tell_them_now(client, safe):
    for user in (safe.pi, safe.data_manager):
        user.email = ""
        user.save()
    client.force_login(safe.coordinator)
    _save(client, safe.participant, SERIOUS)
    page = client.get(_crf_url(safe.participant)).content.decode()
    assert "No one was told by e-mail" in page


@pytest.mark.django_db
def test_a_mild_event_says_saved_only(client, safe):
    client.force_login(safe.coordinator)
    saved = _save(client, safe.participant, MILD)
    assert [str(message) for message in get_messages(saved.wsgi_request)] == ["Saved."]
    assert 'id="sae-status"' not in client.get(_crf_url(safe.participant)).content.decode()
