"""The CRF entry page: rendering, saving, errors next to fields, conflicts, reasons, roles and scope."""

import hashlib
import re

import pytest

from instruments.models import Response
from instruments.registry import get_instrument
from studies.models import ProtocolVersion
from tests.factories import StudyFactory

from .conftest import crf_url, form_post, full_answers

PHQ9_ANSWERS = {f"phq9_{n}": "2" for n in range(1, 10)} | {"phq9_10": "1"}


def field_block(html: str, code: str) -> str:
    """The markup of one item's wrapper."""
    start = html.index(f'id="item-{code}"')
    end = html.find('class="mb-3 crf-item"', start + 1)
    return html[start : end if end > 0 else len(html)]


def test_the_page_renders_keyboard_friendly_inputs_for_each_type(client, alpha, coordinator):
    client.force_login(coordinator)
    html = client.get(crf_url(alpha.participant_a, activity="psqi")).content.decode()
    assert 'type="time"' in field_block(html, "psqi_1")
    number = field_block(html, "psqi_4")
    assert 'type="number"' in number and 'min="0"' in number and 'max="24"' in number
    assert field_block(html, "psqi_5a").count('type="radio"') == 4
    assert "data-show-if=" in field_block(html, "psqi_10a")
    assert "js/branching.js" in html and "data-branching" in html
    assert 'name="lock_version" value="0"' in html


def test_saving_shows_the_scores(client, alpha, coordinator):
    client.force_login(coordinator)
    response = client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS), follow=True)
    html = response.content.decode()
    assert re.search(r'data-score="total">18<', html)
    assert "Saved." in html
    assert Response.objects.get().source == Response.Source.COORDINATOR


def test_an_out_of_range_value_is_refused_next_to_its_field_and_other_answers_stay(client, alpha, coordinator):
    client.force_login(coordinator)
    answers = full_answers(get_instrument("psqi")) | {"psqi_4": "30", "psqi_1": "22:45", "psqi_5j_text": "noise"}
    response = client.post(crf_url(alpha.participant_a, activity="psqi"), form_post(answers))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Must be in the range 0–24." in field_block(html, "psqi_4")
    assert 'value="30"' in field_block(html, "psqi_4")
    assert 'value="22:45"' in field_block(html, "psqi_1")
    assert "noise" in field_block(html, "psqi_5j_text")
    checked = field_block(html, "psqi_6")
    assert re.search(rf'value="{answers["psqi_6"]}"\s+checked', checked)
    assert not Response.objects.exists()


def test_errors_and_labels_are_in_chinese_for_a_chinese_user(client, alpha, coordinator):
    client.force_login(coordinator)
    client.cookies["django_language"] = "zh-hans"
    answers = PHQ9_ANSWERS | {"phq9_1": ""}
    html = client.post(crf_url(alpha.participant_a), form_post(answers)).content.decode()
    assert "做事时提不起劲或没有兴趣" in html
    assert "此项为必填项。" in field_block(html, "phq9_1")
    assert "标记为完成" in html


def test_a_second_save_from_a_stale_page_is_refused_with_a_conflict(client, alpha, coordinator, make_persona):
    pi = make_persona("pi")
    client.force_login(coordinator)
    assert client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS, action="save")).status_code == 302
    client.force_login(pi)
    stale = client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS | {"phq9_1": "0"}, action="save"))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else saved this form after you opened it" in html
    assert re.search(r'value="0"\s+checked', field_block(html, "phq9_1"))
    stored = Response.objects.get()
    assert stored.values["phq9_1"] == 2 and stored.lock_version == 1


def test_a_complete_form_changes_only_with_a_reason(client, alpha, coordinator):
    client.force_login(coordinator)
    client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS))
    page = client.get(crf_url(alpha.participant_a)).content.decode()
    assert 'name="lock_version" value="1"' in page and "This form is complete: say why it changes." in page
    changed = PHQ9_ANSWERS | {"phq9_2": "3"}
    refused = client.post(crf_url(alpha.participant_a), form_post(changed, lock_version=1)).content.decode()
    assert "This form was complete: give a reason for the change." in refused
    assert Response.objects.get().values["phq9_2"] == 2
    client.post(crf_url(alpha.participant_a), form_post(changed, lock_version=1, reason="Misread the paper form"))
    stored = Response.objects.get()
    assert stored.values["phq9_2"] == 3 and stored.revisions.last().reason == "Misread the paper form"


@pytest.mark.parametrize("role", ["monitor", "unblinded_statistician"])
def test_read_only_roles_see_the_form_but_cannot_write(client, alpha, coordinator, make_persona, role):
    client.force_login(coordinator)
    client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS))
    client.force_login(make_persona(role))
    page = client.get(crf_url(alpha.participant_a))
    html = page.content.decode()
    assert page.status_code == 200 and "Read only" in html and "Mark complete" not in html
    assert re.search(r'data-score="total">18<', html)
    refused = client.post(
        crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS | {"phq9_1": "0"}, lock_version=1, reason="x")
    )
    assert refused.status_code == 403
    assert Response.objects.get().values["phq9_1"] == 2


def test_out_of_scope_participants_and_unknown_activities_are_404(client, alpha, coordinator):
    client.force_login(coordinator)
    assert client.get(crf_url(alpha.participant_b)).status_code == 404
    assert client.post(crf_url(alpha.participant_b), form_post(PHQ9_ANSWERS)).status_code == 404
    assert client.get(crf_url(alpha.participant_c)).status_code == 404
    assert client.get(crf_url(alpha.participant_a, visit="m1", activity="sf36")).status_code == 404
    assert client.get(crf_url(alpha.participant_a, visit="nope")).status_code == 404
    assert client.get(crf_url(alpha.participant_a, activity="blood")).status_code == 404
    assert client.get(crf_url(alpha.participant_a, visit="m1")).status_code == 200
    assert not Response.objects.exists()


def test_a_study_without_a_protocol_has_no_forms(client, make_persona, world):
    study = StudyFactory(code="gamma")
    from tests.factories import ParticipantFactory, SiteFactory

    participant = ParticipantFactory(site=SiteFactory(study=study))
    user = make_persona("coordinator", study=study, all_sites=True)
    client.force_login(user)
    assert client.get(crf_url(participant)).status_code == 404
    assert not ProtocolVersion.objects.filter(study=study).exists()


def test_an_existing_response_keeps_the_definition_version_it_was_entered_with(client, alpha, coordinator):
    client.force_login(coordinator)
    client.post(crf_url(alpha.participant_a), form_post(PHQ9_ANSWERS, action="save"))
    assert Response.objects.get().definition_version == "1.0"
    text = alpha.alpha_protocol.text.replace("phq9, sf36", '{code: phq9, version: "1.0"}, sf36')
    alpha.alpha_protocol.is_current = False
    alpha.alpha_protocol.save()
    ProtocolVersion.objects.create(
        study=alpha.study,
        version="1.1",
        filename="alpha.yaml",
        text=text,
        checksum=hashlib.sha256(text.encode()).hexdigest(),
        is_current=True,
    )
    assert client.get(crf_url(alpha.participant_a)).status_code == 200


def test_repeating_forms_take_an_instance(client, alpha, coordinator):
    client.force_login(coordinator)
    answers = full_answers(get_instrument("sleep_diary"))
    url = crf_url(alpha.participant_a, activity="sleep_diary")
    assert client.post(url + "?instance=2", form_post(answers)).status_code == 302
    assert Response.objects.get().instance == 2
    assert client.get(url + "?instance=x").status_code == 404


def test_a_repeating_form_lists_its_entries_and_offers_a_new_one(client, alpha, coordinator):
    client.force_login(coordinator)
    url = crf_url(alpha.participant_a, activity="sleep_diary")
    client.post(url, form_post(full_answers(get_instrument("sleep_diary")), action="save"))
    html = client.get(url + "?instance=1").content.decode()
    assert 'href="?instance=2">New entry' in html and "Entry 1" in html
    assert "Entry" not in client.get(crf_url(alpha.participant_a)).content.decode()


def test_a_tampered_submission_is_refused_without_a_500(client, alpha, coordinator):
    client.force_login(coordinator)
    response = client.post(crf_url(alpha.participant_a), {**PHQ9_ANSWERS, "lock_version": "x", "action": "delete"})
    assert response.status_code == 200
    assert "The form could not be read" in response.content.decode()
    assert not Response.objects.exists()
