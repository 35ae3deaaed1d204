"""Plausibility checks on every write path: the same broken check is refused (error) or queried (warning) through
the CRF form, the CSV import, the REST API, the REDCap API import and the survey pages, with the same message.

Policy (docs/instrument-format.md, "Checks"): an error is refused everywhere. A warning is confirmed with a reason
on the form and through the REST API (refused without one); the CSV import, the REDCap import and the surveys, where
nobody can confirm, save it and open a query. A confirmed or accepted warning opens one query per response and check.
"""

import json
from types import SimpleNamespace

import pytest
from django.test import TestCase
from django.urls import reverse

from accounts.services import membership_grant
from instruments.models import Response
from instruments.registry import get_instrument
from queries.models import Query
from surveys import services as survey_services
from tests.api.conftest import token_client
from tests.api.redcap.conftest import post as redcap_post
from tests.factories import SiteFactory, StudyFactory
from tests.imports import post_import
from tests.matrix.instruments import attach_protocol
from tests.participants.conftest import load_protocol, make_user
from tests.protocol_text import protocol_head
from tests.studies.test_quality_rule_items import VISITS as QUALITY_VISITS
from tests.surveys.conftest import enrol_one, visit_of

from .conftest import crf_url, form_post, full_answers
from .test_write_paths_agree import api_answers, import_file

pytestmark = pytest.mark.django_db

PROTOCOL = (  # a baseline with the BPI and demographics, and one protocol check
    protocol_head()
    + QUALITY_VISITS
    + """  - code: age_eligible
    kind: check
    severity: warning
    message: {en: "Age outside 18 to 80 years", zh: "年龄不在18至80岁之间"}
    instrument: demographics
    expression: "rounddown(datediff(demographics_birth_date, demographics_visit_date, 'y')) >= 18"
"""
)
INTERFERENCE = {f"bpi_9{letter}": "3" for letter in "abcdefg"}
PLAUSIBLE = {"bpi_1": "1", "bpi_3": "8", "bpi_4": "2", "bpi_5": "5", "bpi_6": "4"} | INTERFERENCE
LEAST_ABOVE_WORST = PLAUSIBLE | {"bpi_3": "2", "bpi_4": "10", "bpi_5": "2", "bpi_6": "2"}  # an error
AVERAGE_ABOVE_WORST = PLAUSIBLE | {"bpi_5": "9"}  # a warning
ERROR = "Least pain (item 4) cannot be higher than worst pain (item 3)."
WARNING = "Average pain (item 5) is outside the range from least (item 4) to worst pain (item 3)"


@pytest.fixture
def checked(world, make_persona):
    attach_protocol(world.study, PROTOCOL)
    world.coordinator = make_persona("coordinator")
    return world


def bpi_of(participant):
    return Response.objects.filter(participant=participant, activity_key="bpi").first()


def override_queries(participant):
    return list(Query.objects.filter(participant=participant, origin=Query.Origin.OVERRIDE))


def csv_import(client, participant, answers):
    upload = import_file([(participant.identifier, "baseline", "bpi", answers)])
    url = reverse("workflows:response-import", args=["alpha"])
    return post_import(client, url, {"file": upload, "complete": "on", "reason": ""}).content.decode()


def api_post(checked, answers, **extra):
    from api.services import token_create

    api = token_client(token_create(user=checked.coordinator, study=checked.study, by=checked.coordinator).key)
    body = {"participant": checked.participant_a.pk, "visit_code": "baseline", "activity_key": "bpi"}
    body |= {"answers": api_answers(answers), "complete": True, **extra}
    return api.post("/api/v1/responses/", body, content_type="application/json")


def redcap_import(checked, answers):
    from api.services import token_create

    key = token_create(user=checked.coordinator, study=checked.study, by=checked.coordinator).key
    row = {"record_id": checked.participant_a.identifier, "redcap_event_name": "baseline_arm_1"}
    row |= {f"bpi_{code}": value for code, value in answers.items()}
    row["bpi_complete"] = "2"
    return redcap_post(key, content="record", format="json", data=json.dumps([row]))


def test_an_error_is_refused_on_the_form_with_its_message(client, checked):
    client.force_login(checked.coordinator)
    page = client.post(crf_url(checked.participant_a, activity="bpi"), form_post(LEAST_ABOVE_WORST))
    assert page.status_code == 200 and 'id="check-errors"' in page.content.decode()
    assert ERROR in page.content.decode()
    assert 'id="id_warning_reason"' not in page.content.decode()  # the errors first: nothing to confirm yet
    assert bpi_of(checked.participant_a) is None


def test_an_error_is_refused_by_the_csv_import_with_the_same_message(client, checked):
    client.force_login(checked.coordinator)
    page = csv_import(client, checked.participant_a, LEAST_ABOVE_WORST)
    assert ERROR in page and "1 form saved." not in page
    assert bpi_of(checked.participant_a) is None


def test_an_error_is_refused_by_the_rest_api_with_the_same_message(checked):
    answer = api_post(checked, LEAST_ABOVE_WORST, warning_reason="the participant insists")
    assert answer.status_code == 400
    assert answer.json()["errors"]["check:least_not_above_worst"]["en"] == ERROR
    assert bpi_of(checked.participant_a) is None


def test_an_error_is_refused_by_the_redcap_import_with_the_same_message(checked):
    answer = redcap_import(checked, LEAST_ABOVE_WORST)
    assert answer.status_code == 400 and ERROR in answer.content.decode()
    assert bpi_of(checked.participant_a) is None


def test_a_warning_on_the_form_asks_for_a_reason_then_saves_and_opens_a_query(client, checked):
    client.force_login(checked.coordinator)
    url = crf_url(checked.participant_a, activity="bpi")
    asked = client.post(url, form_post(AVERAGE_ABOVE_WORST)).content.decode()
    assert 'id="check-warnings"' in asked and WARNING in asked and 'id="id_warning_reason"' in asked
    assert bpi_of(checked.participant_a) is None
    saved = client.post(url, form_post(AVERAGE_ABOVE_WORST) | {"warning_reason": "Confirmed with the participant"})
    assert saved.status_code == 302
    assert bpi_of(checked.participant_a).values["bpi_5"] == 9
    [query] = override_queries(checked.participant_a)
    assert (query.rule_code, query.item_code, query.status) == ("average_within_range", "bpi_5", "open")
    assert query.object_id == str(bpi_of(checked.participant_a).pk) and query.text.startswith(WARNING)
    assert query.detail == "Confirmed with the participant"
    assert "Confirmed with the participant" in query.messages.get().text
    assert query.messages.get().author == checked.coordinator
    # Changing another answer later does not ask again for the warning already confirmed, nor open a second query.
    changed = form_post(AVERAGE_ABOVE_WORST | {"bpi_9a": "4"}, lock_version=1, reason="typo")
    assert client.post(url, changed).status_code == 302
    assert bpi_of(checked.participant_a).values["bpi_9a"] == 4 and len(override_queries(checked.participant_a)) == 1


def test_a_warning_through_the_csv_import_is_saved_and_queried(client, checked):
    client.force_login(checked.coordinator)
    assert "1 form saved." in csv_import(client, checked.participant_a, AVERAGE_ABOVE_WORST)
    [query] = override_queries(checked.participant_a)
    assert query.rule_code == "average_within_range" and query.object_id == str(bpi_of(checked.participant_a).pk)
    assert query.detail.startswith("Saved without a confirmation")


def test_a_warning_through_the_rest_api_needs_a_reason_then_is_queried(checked):
    refused = api_post(checked, AVERAGE_ABOVE_WORST)
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert errors["check:average_within_range"]["en"].startswith(WARNING) and "warning_reason" in errors
    assert bpi_of(checked.participant_a) is None
    saved = api_post(checked, AVERAGE_ABOVE_WORST, warning_reason="as on the paper form")
    assert saved.status_code == 201, saved.content
    [query] = override_queries(checked.participant_a)
    assert query.rule_code == "average_within_range" and query.detail == "as on the paper form"


def test_a_warning_through_the_redcap_import_is_saved_and_queried(checked):
    answer = redcap_import(checked, AVERAGE_ABOVE_WORST)
    assert answer.status_code == 200, answer.content
    assert bpi_of(checked.participant_a).values["bpi_5"] == 9
    [query] = override_queries(checked.participant_a)
    assert query.rule_code == "average_within_range" and query.detail.startswith("Saved without a confirmation")


def test_a_protocol_check_runs_on_the_form_like_the_definitions(client, checked):
    client.force_login(checked.coordinator)
    url = crf_url(checked.participant_a, activity="demographics")
    child = {
        "demographics_visit_date": "2026-03-01",
        "demographics_birth_date": "2020-01-01",
        "demographics_sex": "1",
        "demographics_height": "120",
        "demographics_weight": "30",
    }
    asked = client.post(url, form_post(child, action="save")).content.decode()
    assert "Age outside 18 to 80 years" in asked and 'id="id_warning_reason"' in asked
    assert client.post(url, form_post(child, action="save") | {"warning_reason": "checked the ID card"}).status_code
    [query] = override_queries(checked.participant_a)
    assert query.rule_code == "age_eligible" and query.item_code == "demographics_birth_date"


SURVEY_PROTOCOL = (
    protocol_head(code="SRV", sites=(("A", "Site A", "A中心"),))
    + "visits:"
    + PROTOCOL.split("visits:")[1].replace("window_after: 7", "window_after: 7\n    survey_grace_days: 2")
)


@pytest.fixture
def survey_link(db):
    """An enrolled participant of a one-site study whose baseline survey holds the BPI, and a link to it."""
    study = StudyFactory(code="SRV", title="Survey study")
    site = SiteFactory(study=study, code="A", name="Site A")
    load_protocol(study, SURVEY_PROTOCOL, filename="srv.yaml")
    coordinator = make_user("survey-coord")
    membership_grant(user=coordinator, study=study, role="coordinator", sites=[site])
    participant = enrol_one(SimpleNamespace(study=study, site=site, coordinator=coordinator))
    _link, token = survey_services.survey_link_create(
        participant=participant, visit=visit_of(participant, "baseline"), user=coordinator, language="en"
    )
    return participant, token


def _survey_page(token):
    return reverse("surveys:survey-page", kwargs={"token": token, "activity_key": "bpi"})


def test_an_error_is_refused_on_the_survey_page_with_the_same_message(client, survey_link):
    participant, token = survey_link
    page = client.post(_survey_page(token), {**LEAST_ABOVE_WORST, "action": "next"})
    assert page.status_code == 400 and ERROR in page.content.decode()
    assert bpi_of(participant) is None


def test_a_warning_on_the_survey_is_saved_and_queried_once_submitted(client, survey_link):
    participant, token = survey_link
    assert client.post(_survey_page(token), {**AVERAGE_ABOVE_WORST, "action": "next"}).status_code == 302
    assert override_queries(participant) == []  # a draft page opens no query
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(reverse("surveys:survey-submit", kwargs={"token": token})).status_code == 302
    assert bpi_of(participant).status == Response.Status.COMPLETE
    [query] = override_queries(participant)
    assert query.rule_code == "average_within_range" and query.detail.startswith("Saved without a confirmation")


def test_a_blank_score_says_why_on_the_crf_and_the_participant_page(client, alpha, coordinator):
    client.force_login(coordinator)
    url = crf_url(alpha.participant_a, activity="psqi")
    no_time_in_bed = full_answers(get_instrument("psqi")) | {"psqi_1": "23:00", "psqi_3": "23:00"}
    assert client.post(url, form_post(no_time_in_bed)).status_code == 302
    crf = client.get(url).content.decode()
    assert 'data-score-why="c4_efficiency"' in crf and "Cannot be computed from the answers to: Usual bedtime" in crf
    detail = client.get(reverse("participants:participant-detail", args=[alpha.participant_a.pk]))
    listed = detail.content.decode().split('id="blank-scores"')[1].split("</ul>")[0]
    assert "Baseline · PSQI" in listed and "C4 Habitual sleep efficiency" in listed
    zh = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    assert "无法根据以下答案计算：通常晚上上床睡觉的时间（第1题）" in zh
