"""A token sees what its user sees in its study, and nothing of other studies; a blinded role never sees an arm."""

from audit.models import AuditEvent
from instruments.models import Response
from tests.instruments.web.test_response_api import ANSWERS, stored

from .conftest import token_client

LISTS = ["/api/v1/participants/", "/api/v1/visits/", "/api/v1/responses/", "/api/v1/queries/", "/api/v1/acquisitions/"]


def _ids(api, url):
    answer = api.get(url)
    assert answer.status_code == 200, answer.content
    return [row["id"] for row in answer.json()["results"]]


def test_a_token_of_study_a_sees_nothing_of_study_b(alpha, make_persona, token_of):
    from accounts.services import membership_grant

    pi = make_persona("pi", all_sites=True)
    membership_grant(user=pi, study=alpha.other_study, role="pi", sites=[], all_sites=True)
    stored(alpha.participant_c, pi)
    api = token_client(token_of(pi, alpha.study))
    assert [s["code"] for s in api.get("/api/v1/studies/").json()["results"]] == ["alpha"]
    assert alpha.participant_c.pk not in _ids(api, "/api/v1/participants/")
    assert _ids(api, "/api/v1/responses/") == []
    assert api.get("/api/v1/studies/beta/sites/").status_code == 404
    beta_response = Response.objects.get()
    assert api.get(f"/api/v1/responses/{beta_response.pk}/").status_code == 404
    # The same user's session sees both studies: the wall is the token's.
    beta_api = token_client(token_of(pi, alpha.other_study))
    assert _ids(beta_api, "/api/v1/participants/") == [alpha.participant_c.pk]


def test_a_coordinators_token_sees_only_their_sites(alpha, make_persona, token_of):
    coordinator = make_persona("coordinator")
    stored(alpha.participant_a, coordinator)
    stored(alpha.participant_b, coordinator)
    api = token_client(token_of(coordinator, alpha.study))
    assert _ids(api, "/api/v1/participants/") == [alpha.participant_a.pk]
    assert {r["participant"] for r in api.get("/api/v1/responses/").json()["results"]} == {alpha.participant_a.pk}
    assert [s["code"] for s in api.get("/api/v1/studies/alpha/sites/").json()["results"]] == ["A"]
    assert _ids(api, "/api/v1/visits/") == list(alpha.participant_a.visits.order_by("pk").values_list("pk", flat=True))


def test_identifiers_only_for_roles_allowed_them(alpha, make_persona, token_of):
    from participants.models import PersonalIdentifiers

    PersonalIdentifiers.objects.create(participant=alpha.participant_a, full_name="Zhang San")
    coordinator = token_client(token_of(make_persona("coordinator"), alpha.study))
    monitor = token_client(token_of(make_persona("monitor"), alpha.study))
    assert coordinator.get("/api/v1/participants/").json()["results"][0]["personal"]["full_name"] == "Zhang San"
    assert monitor.get("/api/v1/participants/").json()["results"][0]["personal"] is None


def test_an_unknown_filter_is_a_400_in_both_languages(alpha, make_persona, token_of):
    api = token_client(token_of(make_persona("pi"), alpha.study))
    for url in LISTS:
        refused = api.get(url, {"studdy": "alpha"})
        assert refused.status_code == 400, url
        message = refused.json()["errors"]["query"]
        assert "studdy" in message["en"] and "未知" in message["zh"]
    assert api.get("/api/v1/participants/", {"site": "A"}).status_code == 200
    assert api.get("/api/v1/visits/", {"participant": "x"}).status_code == 400


def test_a_write_through_the_token_scores_and_is_audited_with_path_api(alpha, make_persona, token_of):
    coordinator = make_persona("coordinator")
    api = token_client(token_of(coordinator, alpha.study))
    body = {
        "participant": alpha.participant_a.pk,
        "visit_code": "baseline",
        "activity_key": "phq9",
        "answers": ANSWERS,
        "complete": True,
    }
    created = api.post("/api/v1/responses/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["scores"] == {"total": 9, "band": "mild"}
    response = Response.objects.get()
    event = AuditEvent.objects.filter(object_type="instruments.response", object_id=str(response.pk)).first()
    assert event is not None and event.path == "api" and event.user == coordinator
    stale = api.put(
        f"/api/v1/responses/{response.pk}/",
        {"answers": ANSWERS | {"phq9_1": 3}, "lock_version": 0, "reason": "typo", "complete": True},
        content_type="application/json",
    )
    assert stale.status_code == 409
    updated = api.put(
        f"/api/v1/responses/{response.pk}/",
        {"answers": ANSWERS | {"phq9_1": 3}, "lock_version": 1, "reason": "typo", "complete": True},
        content_type="application/json",
    )
    assert updated.status_code == 200 and updated.json()["scores"]["total"] == 11
    other_study = api.post(
        "/api/v1/responses/", body | {"participant": alpha.participant_c.pk}, content_type="application/json"
    )
    assert other_study.status_code == 404


def test_a_blinded_roles_token_never_sees_an_arm(alpha, make_persona, token_of):
    alpha.study.blinding = "double"
    alpha.study.save()
    alpha.participant_a.arm_code = "active"
    alpha.participant_a.save()
    blinded = token_client(token_of(make_persona("pi", all_sites=True), alpha.study))
    assert blinded.get("/api/v1/studies/alpha/arms/").status_code == 403
    for url in LISTS + ["/api/v1/studies/", "/api/v1/studies/alpha/sites/"]:
        assert "active" not in blinded.get(url).content.decode(), url
    statistician = token_client(token_of(make_persona("unblinded_statistician", all_sites=True), alpha.study))
    assert statistician.get("/api/v1/studies/alpha/arms/").status_code == 200
    assert "active" in statistician.get("/api/v1/participants/").content.decode()  # the check above can fail


def test_a_nul_byte_in_a_filter_is_a_400_on_both_apis_not_a_server_error(client, alpha, make_persona, token_of):
    """schemathesis found it: PostgreSQL cannot take a NUL in a query parameter."""
    pi = make_persona("pi", all_sites=True)
    answer = token_client(token_of(pi, alpha.study)).get("/api/v1/acquisitions/?visit_code=%00")
    assert answer.status_code == 400 and "control characters" in answer.json()["errors"]["visit_code"]["en"]
    client.force_login(pi)
    session = client.get("/instruments/api/responses/?visit_code=a%00b")
    assert session.status_code == 400 and "control characters" in session.json()["errors"]["visit_code"]["en"]
