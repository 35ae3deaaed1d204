"""GET /instruments/api/responses/: every filter works, scoped to the user's studies, and an unknown query
parameter is a 400 naming the allowed ones (a misspelt filter must not return every response)."""

from django.urls import reverse

from accounts.services import membership_grant
from instruments.models import Response

URL = reverse("workflows:api-response-list")


def _response(participant, visit="baseline") -> Response:
    return Response.objects.create(
        participant=participant,
        visit_code=visit,
        activity_key="phq9",
        instrument_code="phq9",
        definition_version="1.0",
        values={},
        status=Response.Status.IN_PROGRESS,
    )


def test_the_study_filter_keeps_one_study_and_stays_in_the_users_scope(client, alpha, make_persona):
    user = make_persona("coordinator")
    membership_grant(user=user, study=alpha.other_study, role="coordinator", sites=[alpha.site_c])
    in_alpha, in_beta = _response(alpha.participant_a), _response(alpha.participant_c)
    _response(alpha.participant_b)  # site B: not the user's
    client.force_login(user)
    assert sorted(r["id"] for r in client.get(URL).json()["results"]) == sorted([in_alpha.pk, in_beta.pk])
    assert [r["id"] for r in client.get(URL, {"study": "alpha"}).json()["results"]] == [in_alpha.pk]
    assert [r["id"] for r in client.get(URL, {"study": "beta"}).json()["results"]] == [in_beta.pk]
    assert client.get(URL, {"study": "gamma"}).json()["results"] == []


def test_a_study_the_user_is_not_in_gives_nothing(client, alpha, coordinator):
    _response(alpha.participant_c)
    client.force_login(coordinator)
    assert client.get(URL, {"study": "beta"}).json()["results"] == []


def test_the_other_filters_combine_with_it(client, alpha, coordinator):
    baseline, _m1 = _response(alpha.participant_a), _response(alpha.participant_a, visit="m1")
    client.force_login(coordinator)
    found = client.get(URL, {"study": "alpha", "visit_code": "baseline", "participant": alpha.participant_a.pk})
    assert [r["id"] for r in found.json()["results"]] == [baseline.pk]


def test_an_unknown_parameter_is_a_400_listing_the_allowed_ones(client, alpha, coordinator):
    _response(alpha.participant_a)
    client.force_login(coordinator)
    refused = client.get(URL, {"stuyd": "alpha"})
    assert refused.status_code == 400
    message = refused.json()["errors"]["query"]
    assert "stuyd" in message["en"] and "study, participant, visit_code" in message["en"] and "未知" in message["zh"]


def test_a_participant_that_is_not_a_number_is_a_400(client, alpha, coordinator):
    client.force_login(coordinator)
    assert client.get(URL, {"participant": "abc"}).status_code == 400
    assert client.get(URL, {"participant": "9" * 40}).status_code == 400
