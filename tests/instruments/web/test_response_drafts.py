"""Drafts of the CRF page and merging after a conflict, through HTTP: who may, what is kept, what is never data."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from exports.selectors import Choice
from exports.services import command_export
from instruments.models import Response
from participants import services as participant_services
from workflows.drafts import DRAFT_MAX_BYTES
from workflows.models import ResponseDraft

from .conftest import crf_url, form_post
from .test_response_edit_page import PHQ9_ANSWERS, field_block


def draft_url(participant, visit="baseline", activity="phq9", instance=1):
    url = reverse("workflows:response-draft", args=[participant.pk, visit, activity])
    return f"{url}?instance={instance}"


def discard_url(participant, visit="baseline", activity="phq9"):
    return reverse("workflows:response-draft-discard", args=[participant.pk, visit, activity]) + "?instance=1"


def test_a_draft_is_kept_as_typed_and_is_not_data(client, alpha, coordinator):
    client.force_login(coordinator)
    events = AuditEvent.objects.count()
    saved = client.post(draft_url(alpha.participant_a), {"phq9_1": "3", "phq9_2": "1", "reason": "", "lock_version": 0})
    assert saved.status_code == 200 and saved.json()["message"].startswith("Draft saved at ")
    draft = ResponseDraft.objects.get()
    assert draft.user == coordinator and draft.raw["phq9_1"] == "3" and draft.raw["phq9_2"] == "1"
    assert draft.base_lock_version == 0 and draft.instrument_code == "phq9"
    # never data: no response, no audit event of its values
    assert not Response.objects.exists() and AuditEvent.objects.count() == events
    # a second save replaces the first
    client.post(draft_url(alpha.participant_a), {"phq9_1": "0", "lock_version": 0})
    assert ResponseDraft.objects.get().raw["phq9_1"] == "0"


def test_reopening_the_form_restores_the_draft_and_discarding_shows_the_stored_form(client, alpha, coordinator):
    client.force_login(coordinator)
    client.post(draft_url(alpha.participant_a), {"phq9_1": "3", "reason": "typed", "lock_version": 0})
    html = client.get(crf_url(alpha.participant_a)).content.decode()
    assert 'id="draft-restored"' in html and "is restored: these answers are not saved yet." in html
    assert re.search(r'value="3"\s+checked', field_block(html, "phq9_1"))
    assert ">typed</textarea>" in html
    discarded = client.post(discard_url(alpha.participant_a), follow=True)
    assert not ResponseDraft.objects.exists()
    html = discarded.content.decode()
    assert "Draft discarded" in html and 'id="draft-restored"' not in html
    assert not re.search(r'value="3"\s+checked', field_block(html, "phq9_1"))


def test_a_draft_is_mine_only(client, alpha, coordinator, make_persona):
    client.force_login(coordinator)
    client.post(draft_url(alpha.participant_a), {"phq9_1": "3", "lock_version": 0})
    client.force_login(make_persona("data_manager"))
    html = client.get(crf_url(alpha.participant_a)).content.decode()
    assert 'id="draft-restored"' not in html


def test_submitting_deletes_the_draft_and_is_audited_as_usual(client, alpha, coordinator):
    client.force_login(coordinator)
    client.post(draft_url(alpha.participant_a), {"phq9_1": "3", "lock_version": 0})
    assert client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS)).status_code == 302
    assert not ResponseDraft.objects.exists()
    stored = Response.objects.get()
    created = AuditEvent.objects.get(object_type="instruments.response", object_id=str(stored.pk))
    assert created.changes["values.phq9_1"] == [None, 2]


def test_the_draft_endpoint_asks_what_the_form_asks(client, alpha, coordinator, make_persona):
    url = draft_url(alpha.participant_a)
    anonymous = client.post(url, {"phq9_1": "3"})
    assert anonymous.status_code == 302 and "/account/login/" in anonymous.url
    client.force_login(coordinator)
    assert client.get(url).status_code == 405
    assert client.post(draft_url(alpha.participant_b), {"phq9_1": "3"}).status_code == 404  # site B: not seen
    assert client.post(draft_url(alpha.participant_a, activity="nope"), {}).status_code == 404
    client.force_login(make_persona("monitor"))  # sees the form, may not enter data
    assert client.post(url, {"phq9_1": "3"}).status_code == 403
    assert client.post(discard_url(alpha.participant_a)).status_code == 403
    assert not ResponseDraft.objects.exists()


def test_a_locked_form_keeps_no_draft(client, alpha, coordinator, make_persona):
    participant_services.lock_create(
        participant=alpha.participant_a, scope="participant", user=make_persona("data_manager")
    )
    client.force_login(coordinator)
    answer = client.post(draft_url(alpha.participant_a), {"phq9_1": "3"})
    assert answer.status_code == 200 and answer.json() == {
        "kept": False,
        "error": "This form is locked: no draft is kept.",
    }
    assert not ResponseDraft.objects.exists()


def test_the_draft_endpoint_needs_the_csrf_token(alpha, coordinator):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coordinator)
    assert strict.post(draft_url(alpha.participant_a), {"phq9_1": "3"}).status_code == 403
    assert not ResponseDraft.objects.exists()


def test_a_draft_is_bounded_in_size_and_content(client, alpha, coordinator):
    client.force_login(coordinator)
    huge = client.post(draft_url(alpha.participant_a), {"phq9_1": "3", "reason": "x" * (DRAFT_MAX_BYTES + 1)})
    assert huge.status_code == 413
    control = client.post(draft_url(alpha.participant_a), {"phq9_1": "a\x00b"})
    assert control.status_code == 400 and "control characters" in control.json()["error"]
    long_reason = client.post(draft_url(alpha.participant_a), {"reason": "y" * 501})
    assert long_reason.status_code == 400
    # only the form's own items are kept, whatever else comes
    client.post(draft_url(alpha.participant_a), {"phq9_1": "3", "not_an_item": "x", "lock_version": "-9"})
    draft = ResponseDraft.objects.get()
    assert "not_an_item" not in draft.raw and draft.base_lock_version == 0


def test_a_draft_is_never_in_an_export_nor_scored(client, alpha, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(coordinator)
    client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS))  # stored: in the export
    client.post(draft_url(alpha.participant_a2), {**PHQ9_ANSWERS, "lock_version": 0})  # a draft only
    out = tmp_path / "long.csv"
    export = command_export(
        study=alpha.study, format="csv_long", choice=Choice(), deidentified=False, free_text=True, out=out
    )
    assert export.status == "done"
    text = out.read_text(encoding="utf-8-sig")
    assert "ALPHA-A-0001" in text and "ALPHA-A-0002" not in text
    assert list(Response.objects.values_list("participant__identifier", flat=True)) == ["ALPHA-A-0001"]
    listed = client.get(reverse("workflows:api-response-list")).json()["results"]
    assert [row["participant_identifier"] for row in listed] == ["ALPHA-A-0001"]


def test_a_draft_older_than_the_stored_form_is_merged_item_by_item(client, alpha, coordinator, make_persona):
    client.force_login(coordinator)
    client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS, action="save"))  # version 1
    # the coordinator starts a draft from version 1: phq9_1 changed to 3
    client.post(draft_url(alpha.participant_a), {**PHQ9_ANSWERS, "phq9_1": "3", "lock_version": 1})
    # meanwhile a data manager changes phq9_2 (version 2)
    other = Client()
    other.force_login(make_persona("data_manager"))
    other.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS | {"phq9_2": "0"}, action="save", lock_version=1))
    html = client.get(crf_url(alpha.participant_a)).content.decode()
    assert 'id="merge-panel"' in html and 'name="lock_version" value="2"' in html
    rows = re.findall(r'data-merge-item="([^"]+)"', html)
    assert rows == ["phq9_1", "phq9_2"]
    # phq9_1: changed by me (mine by default); phq9_2: changed only by them (theirs by default)
    assert re.search(r'id="merge-phq9_1-mine" value="mine" checked', html)
    assert re.search(r'id="merge-phq9_2-theirs" value="theirs" checked', html)
    merged = form_post(PHQ9_ANSWERS | {"phq9_1": "3"}, action="save", lock_version=2)
    merged |= {"merge-phq9_1": "mine", "merge-phq9_2": "theirs"}
    assert client.post(crf_url(alpha.participant_a), merged).status_code == 302
    stored = Response.objects.get()
    assert stored.values["phq9_1"] == 3 and stored.values["phq9_2"] == 0 and stored.lock_version == 3
    assert not ResponseDraft.objects.exists()


def test_a_conflict_keeps_my_answers_beside_theirs_and_saves_the_merge(client, alpha, coordinator, make_persona):
    client.force_login(coordinator)
    client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS, action="save"))  # version 1
    other = Client()
    other.force_login(make_persona("data_manager"))
    other.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS | {"phq9_2": "0"}, action="save", lock_version=1))
    stale = client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS | {"phq9_1": "3"}, lock_version=1))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "your answers are kept" in html and 'id="merge-panel"' in html
    assert 'name="lock_version" value="2"' in html  # saving the merge goes through
    assert re.search(r'value="3"\s+checked', field_block(html, "phq9_1"))  # my answer, still typed
    merge = html[html.index('id="merge-panel"') : html.index("</section>", html.index('id="merge-panel"'))]
    assert re.findall(r'data-merge-item="([^"]+)"', merge) == ["phq9_1", "phq9_2"]
    mine, theirs = '<td data-side="mine">More than half the days</td>', '<td data-side="theirs">Not at all</td>'
    assert re.search(rf'data-merge-item="phq9_2"[^>]*>.*?{mine}\s*{theirs}', merge, re.S)  # in words
    resubmit = form_post(PHQ9_ANSWERS | {"phq9_1": "3"}, lock_version=2) | {
        "merge-phq9_1": "mine",
        "merge-phq9_2": "theirs",
    }
    assert client.post(crf_url(alpha.participant_a), resubmit).status_code == 302
    stored = Response.objects.get()
    assert stored.values["phq9_1"] == 3 and stored.values["phq9_2"] == 0 and stored.status == "complete"


def test_stay_signed_in_renews_the_session(client, alpha, coordinator):
    url = reverse("accounts:session-keep-alive")
    assert client.post(url).status_code == 302  # signed out: to the log-in page
    client.force_login(coordinator)
    assert client.get(url).status_code == 405
    answer = client.post(url)
    assert answer.status_code == 200 and answer.json()["expires_in"] == 30 * 60
    page = client.get(crf_url(alpha.participant_a)).content.decode()
    assert 'id="session-timeout"' in page and 'data-expires-in="1800"' in page and "js/session.js" in page


@pytest.mark.parametrize("role", ["coordinator"])
def test_the_form_page_carries_the_draft_and_warning_hooks(client, alpha, make_persona, role):
    client.force_login(make_persona(role))
    html = client.get(crf_url(alpha.participant_a)).content.decode()
    assert "data-unsaved-warning" in html and f'data-draft-url="{draft_url(alpha.participant_a)}"' in html
    assert "js/drafts.js" in html and 'id="draft-status"' in html


def test_a_draft_save_costs_a_fixed_number_of_queries(client, alpha, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    client.post(draft_url(alpha.participant_a), {"phq9_1": "1", "lock_version": 0})  # warm: the session row exists
    for value in ("2", "3"):  # the same for every keystroke's save
        # the form's own access check (session, user, participant, protocol, memberships, response, locks) and
        # the draft's row
        with django_assert_max_num_queries(17) as counted:
            assert client.post(draft_url(alpha.participant_a), {"phq9_1": value, "lock_version": 0}).json()["kept"]
    print(f"draft save: {len(counted)} queries")


def test_the_merge_is_in_chinese_for_a_chinese_user(client, alpha, coordinator, make_persona):
    client.force_login(coordinator)
    client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS, action="save"))
    other = Client()
    other.force_login(make_persona("data_manager"))
    other.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS | {"phq9_2": "0"}, action="save", lock_version=1))
    client.cookies["django_language"] = "zh-hans"
    client.post(draft_url(alpha.participant_a), {**PHQ9_ANSWERS, "phq9_1": "3", "lock_version": 1})
    html = client.get(crf_url(alpha.participant_a)).content.decode()
    assert "待合并的答案" in html and "保留我的" in html and "采用对方的" in html and "丢弃草稿" in html
    assert "已恢复您于" in html and "保持登录" in html
    stale = client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS, lock_version=1)).content.decode()
    assert "您的答案已保留" in stale
