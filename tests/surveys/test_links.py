"""Survey links: made by a coordinator and shown once, opened without login in the participant's language,
saved page by page and resumable, submitted through response_submit, read-only after; refused tokens all get
the same plain page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from instruments.models import Response
from participants import services as participant_services
from surveys import services
from surveys.models import DiaryDay, PageTiming, SurveyAccess, SurveyLink

from .conftest import enrol_one, visit_of

PHQ9 = {f"phq9_{n}": "1" for n in range(1, 10)} | {"phq9_10": "1"}
GAD7 = {f"gad7_{n}": "2" for n in range(1, 8)} | {"gad7_8": "1"}


def make_link(participant, user, language="en", visit="baseline"):
    return services.survey_link_create(
        participant=participant, visit=visit_of(participant, visit), user=user, language=language
    )


def home(token):
    return reverse("surveys:survey-home", kwargs={"token": token})


def page(token, key):
    return reverse("surveys:survey-page", kwargs={"token": token, "activity_key": key})


@pytest.mark.django_db
def test_a_coordinator_makes_a_link_shown_once_and_stored_as_its_hash_only(client, srv, enrolled):
    client.force_login(srv.coordinator)
    url = reverse("surveys:link-list", kwargs={"participant_id": enrolled.pk, "visit_id": visit_of(enrolled).pk})
    response = client.post(url, {"language": "zh", "email": "li@example.org"})
    assert response.status_code == 200
    shown = response.context["new_url"]
    token = shown.rstrip("/").rsplit("/", 1)[1]
    link = SurveyLink.objects.get()
    assert link.token_hash == services.token_hash(token) and token not in link.token_hash
    assert len(token) == 43
    client.logout()
    client.get(home(token))
    client.force_login(srv.coordinator)
    again = client.get(url)
    assert token not in again.content.decode()  # shown once only
    assert [access.outcome for access in again.context["accesses"]] == ["opened"]  # the access log, for staff


@pytest.mark.django_db
def test_the_survey_opens_without_login_in_the_links_language_with_only_self_report_forms(client, srv, enrolled):
    _link, token = make_link(enrolled, srv.coordinator, language="zh")
    response = client.get(home(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "患者健康问卷" in body or "PHQ" in body
    keys = [one.activity_key for one in response.context["pages"]]
    assert keys == ["phq9", "gad7", "sleep_diary"]  # hamd is the clinician's
    assert "navbar" not in body and enrolled.identifier not in body  # no staff navigation, no study ID
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_answers_are_saved_as_drafts_resumable_then_submitted_and_read_only(client, srv, enrolled):
    link, token = make_link(enrolled, srv.coordinator)
    timings = '{"phq9_1": [3, 5], "phq9_2": [7, 7], "not_an_item": [1, 1], "phq9_3": "x"}'
    response = client.post(page(token, "phq9"), {**PHQ9, "seconds": "40", "item_timings": timings, "action": "next"})
    assert response.status_code == 302 and response.url == page(token, "gad7")
    draft = Response.objects.get(activity_key="phq9")
    assert draft.status == Response.Status.IN_PROGRESS and draft.source == Response.Source.PARTICIPANT
    partial = {"gad7_1": "3", "action": "pause", "seconds": "5"}
    assert client.post(page(token, "gad7"), partial).url == home(token)
    other_device = client.__class__()  # a new browser: the token is all it has
    resumed = other_device.get(page(token, "gad7"))
    assert 'value="3" checked' in resumed.content.decode()
    assert other_device.post(page(token, "gad7"), {**GAD7, "action": "next"}).status_code == 302
    assert other_device.post(reverse("surveys:survey-submit", kwargs={"token": token})).status_code == 302
    phq9 = Response.objects.get(activity_key="phq9")
    assert phq9.status == Response.Status.COMPLETE and phq9.scores["total"] == 9
    timing = PageTiming.objects.get(link=link, activity_key="phq9")
    assert timing.seconds == 40 and timing.items == {"phq9_1": [3, 5], "phq9_2": [7, 7]}  # items of the form only
    # Read-only: a POST changes nothing.
    client.post(page(token, "phq9"), {**PHQ9, "phq9_1": "3"})
    assert Response.objects.get(activity_key="phq9").values["phq9_1"] == 1


@pytest.mark.django_db
def test_submit_with_an_unanswered_form_stores_nothing_and_says_which(client, srv, enrolled):
    _link, token = make_link(enrolled, srv.coordinator)
    client.post(page(token, "phq9"), {**PHQ9, "action": "next"})
    response = client.post(reverse("surveys:survey-submit", kwargs={"token": token}))
    assert response.status_code == 400
    assert "GAD" in response.content.decode() or "gad7" in response.content.decode()
    assert Response.objects.get(activity_key="phq9").status == Response.Status.IN_PROGRESS
    assert SurveyLink.objects.get().submitted_at is None


@pytest.mark.django_db
def test_a_bad_answer_is_refused_with_a_message_and_nothing_saved(client, srv, enrolled):
    _link, token = make_link(enrolled, srv.coordinator)
    response = client.post(page(token, "phq9"), {"phq9_1": "7", "action": "next"})
    assert response.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_expired_used_revoked_forged_and_withdrawn_tokens_get_the_same_plain_page(client, srv):
    participants = [enrol_one(srv) for _ in range(4)]
    tokens = {}
    link, tokens["expired"] = make_link(participants[0], srv.coordinator)
    SurveyLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    link, tokens["revoked"] = make_link(participants[1], srv.coordinator)
    services.survey_link_revoke(link=link, user=srv.coordinator)
    link, tokens["withdrawn"] = make_link(participants[2], srv.coordinator)
    participant_services.participant_withdraw(
        participant=participants[2], user=srv.coordinator, withdrawn_on=timezone.localdate(), reason="moved"
    )
    link, tokens["used"] = make_link(participants[3], srv.coordinator)
    SurveyLink.objects.filter(pk=link.pk).update(submitted_at=timezone.now())
    for day in (timezone.localdate() - timedelta(days=1), timezone.localdate()):  # no diary day left to enter
        DiaryDay.objects.create(
            participant=participants[3],
            visit_code="baseline",
            activity_key="sleep_diary",
            instance=1 + (day != link.visit.window_start),
            day=day,
            entered_at=timezone.now(),
            link=link,
        )
    tokens["forged"] = "A" * 43
    tokens["short"] = "x"
    bodies = set()
    for name, token in tokens.items():
        for url in (home(token), page(token, "phq9")):
            response = client.get(url)
            assert response.status_code == 404, name
            bodies.add(response.content)
    assert len(bodies) == 1  # the same page, whatever the reason
    reasons = set(SurveyAccess.objects.filter(outcome="refused").values_list("reason", flat=True))
    assert {"expired", "revoked", "withdrawn", "unknown"} <= reasons
    assert not any(
        token in path
        for token in tokens.values()
        for path in SurveyAccess.objects.values_list("path", flat=True)
        if len(token) > 10
    )


@pytest.mark.django_db
def test_an_address_past_its_refusals_gets_the_same_page_rate_limited(client, srv, enrolled, settings):
    settings.SURVEY_REFUSALS_PER_HOUR = 3
    _link, token = make_link(enrolled, srv.coordinator)
    for n in range(3):
        assert client.get(home(f"{n}" * 43)).status_code == 404
    response = client.get(home(token))  # even a good token, from this address
    assert response.status_code == 429
    assert SurveyAccess.objects.filter(outcome="limited").count() == 1


@pytest.mark.django_db
def test_a_withdrawn_participant_gets_no_link(srv, enrolled):
    participant_services.participant_withdraw(
        participant=enrolled, user=srv.coordinator, withdrawn_on=timezone.localdate(), reason="moved"
    )
    enrolled.refresh_from_db()
    with pytest.raises(ValidationError):
        make_link(enrolled, srv.coordinator)


@pytest.mark.django_db
def test_a_new_link_revokes_the_earlier_one(client, srv, enrolled):
    _first, old = make_link(enrolled, srv.coordinator)
    _second, new = make_link(enrolled, srv.coordinator)
    assert client.get(home(old)).status_code == 404
    assert client.get(home(new)).status_code == 200
