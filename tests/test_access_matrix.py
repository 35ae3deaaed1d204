"""Persona matrix: every URL of the product, for every role, own and foreign objects.

New URLs join automatically: the test walks the URL resolver. A URL whose
keyword argument is not in tests/matrix/ fails the test until someone says
which object of the world fills it, and a URL missing from GATES fails until
someone says which action it needs, so no URL can escape the matrix.

On its own objects a persona must get exactly the status the capability table
(accounts.capabilities.CAPABILITIES) gives its role: the page (or the flow's
redirect) when the role holds the URL's action, a 403 when it does not. A
role given too much, by the table or by a view, fails here.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.capabilities import CAPABILITIES, Action
from tests.conftest import ALL_ROLES
from tests.matrix import all_kwargs

# Namespaces of third-party pages that are not the product's own (checked for login only).
THIRD_PARTY = {"admin", "two_factor", "djdt"}
# URL names that anyone may open without logging in.
PUBLIC = {"core:health", "two_factor:login", "set_language", "admin:login", "logout"}
PUBLIC |= {f"accounts:password-reset{page}" for page in ("", "-done", "-confirm", "-complete")}  # by e-mail link
PUBLIC |= {"accounts:invitation-accept"}  # the one-time link of an invitation (tests/test_study_members.py)
# A participant's survey: the token in the URL is the key (tests/surveys: one plain page for every bad token).
PUBLIC |= {f"surveys:survey-{page}" for page in ("home", "page", "diary", "submit")}
PUBLIC |= {f"surveys:portal-{page}" for page in ("start", "code", "home", "visit-open", "sign-out")}  # one-time code

OBJECT_KWARGS = all_kwargs()
# URLs that answer 400 without a required query parameter (an API filter): the own request carries it.
QUERY = {
    "imaging:api-measure-list": lambda world: {"study": world.study.code},
    "api:measure-list": lambda world: {"study": world.study.code},
}
# The REST API v1 authenticates by token (or session) and answers 401 without either, not the login redirect.
TOKEN_AUTH = {
    f"api:{name}-list"
    for name in ("study", "site", "arm", "participant", "visit", "response", "query", "acquisition", "specimen")
} | {"api:measure-list", "api:response-detail", "api:not-found"}
# The REDCap-compatible API reads its token from the POST body: a GET is a 405 for everyone, signed in or not.
TOKEN_IN_BODY = {"api:redcap"}


@dataclass(frozen=True)
class Gate:
    """What a URL needs on the persona's own objects, for a GET and for an (empty) POST.

    ``get``: the action a GET needs (None: any logged-in user, POST_ONLY: the URL answers only POST, 405);
    ``ok``: the status of a GET the role may make (200, or 302 where the flow redirects).
    ``post``: the action (or any of the actions) an empty POST needs, None when the POST is not checked;
    ``post_ok``: the status of such a POST the role may make (form errors re-render with 200 or 400; a POST
    that needs no field redirects).
    """

    get: Action | str | None = Action.VIEW_STUDY
    ok: int = 200
    post: Action | tuple[Action, ...] | None = None
    post_ok: int = 200


POST_ONLY = "post-only"
V = Action
MANAGE = Gate(ok=302, post=V.MANAGE_PARTICIPANTS)  # a participant flow whose GET goes back to the participant
LOCKING = Gate(POST_ONLY, post=V.LOCK)  # the first POST shows what the lock covers; a second one locks
GATES = {
    "accounts:profile": Gate(None),
    "accounts:session-keep-alive": Gate(POST_ONLY),  # any signed-in user: "stay signed in"
    "accounts:password-change": Gate(None),
    "accounts:password-change-done": Gate(None),
    # The study's members: an empty POST is a form error (a role, sites or a reason are needed).
    "accounts:member-deactivate": Gate(POST_ONLY, post=V.MANAGE_MEMBERS, post_ok=400),
    "accounts:member-edit": Gate(V.MANAGE_MEMBERS, post=V.MANAGE_MEMBERS, post_ok=400),
    "accounts:member-invite": Gate(V.MANAGE_MEMBERS, post=V.MANAGE_MEMBERS, post_ok=400),
    "accounts:member-list": Gate(V.MANAGE_MEMBERS),
    "accounts:member-withdraw": Gate(POST_ONLY, post=V.MANAGE_MEMBERS, post_ok=400),
    "accounts:invitation-revoke": Gate(POST_ONLY, post=V.MANAGE_MEMBERS, post_ok=302),
    "api:acquisition-list": Gate(None),
    "api:arm-list": Gate(),  # the world's study is open: every member sees its arms (blinded: tests/api)
    "api:docs": Gate(None),
    "api:measure-list": Gate(V.EXPORT_MEASURES),
    "api:not-found": Gate(None, ok=404),
    "api:specimen-list": Gate(None),  # any other /api/v1/ path: the API's JSON 404 (401 without a token)
    "api:participant-list": Gate(None),
    "api:query-list": Gate(None),
    # POST /redcap/api/ answers the token in the body, never a session: an empty POST is REDCap's 403 for every
    # role (no action opens it); its per-role scope and blinding are in tests/api/redcap.
    "api:redcap": Gate(POST_ONLY, post=()),
    "api:response-detail": Gate(),
    "api:response-list": Gate(None),
    "api:schema": Gate(None),
    "api:site-list": Gate(),
    "api:study-list": Gate(None),
    "api:study-tokens": Gate(V.MANAGE_API_TOKENS),
    "api:token-list": Gate(None),
    "api:token-revoke": Gate(POST_ONLY, post=V.MANAGE_API_TOKENS, post_ok=302),  # another member's token
    "api:visit-list": Gate(None),
    "audit:object-events": Gate(),
    "audit:participant-events": Gate(),
    "audit:study-events": Gate(V.READ_STUDY_AUDIT),
    "audit:user-events": Gate(V.READ_STUDY_AUDIT),
    "exports:export-builder": Gate(V.VIEW_DATA_EXPORT, post=V.EXPORT_DATA),  # an empty POST re-renders the form
    "exports:export-cancel": Gate(POST_ONLY, post=V.EXPORT_DATA, post_ok=302),
    "exports:export-detail": Gate(V.EXPORT_DATA),
    "exports:export-download": Gate(V.EXPORT_DATA, ok=302),  # the world's export has no file yet: back to its page
    "exports:saved-export-save": Gate(POST_ONLY, post=V.EXPORT_DATA, post_ok=302),  # an empty POST: back, unsaved
    "home": Gate(None),
    "biobank:freezer-detail": Gate(post=V.MANAGE_STORAGE),
    "biobank:assay-import": Gate(V.ENTER_DATA, post=V.ENTER_DATA),
    "biobank:consent-uses": Gate(POST_ONLY, post=V.SHIP_SPECIMENS, post_ok=302),
    "biobank:participant-specimens": Gate(),
    "biobank:product-dispense": Gate(POST_ONLY, post=V.HANDLE_SPECIMENS, post_ok=302),
    "biobank:product-release": Gate(V.HANDLE_SPECIMENS, post=V.HANDLE_SPECIMENS),
    "biobank:shipment-detail": Gate(post=V.SHIP_SPECIMENS, post_ok=302),
    "biobank:shipment-list": Gate(post=V.SHIP_SPECIMENS),
    "biobank:shipment-manifest": Gate(),
    "biobank:specimen-aliquot": Gate(POST_ONLY, post=V.HANDLE_SPECIMENS, post_ok=302),
    "biobank:specimen-check": Gate(POST_ONLY, post=V.HANDLE_SPECIMENS, post_ok=302),
    "biobank:specimen-collect": Gate(V.HANDLE_SPECIMENS, post=V.HANDLE_SPECIMENS),
    "biobank:specimen-detail": Gate(),
    "biobank:specimen-dispose": Gate(POST_ONLY, post=V.HANDLE_SPECIMENS, post_ok=302),
    "biobank:specimen-find": Gate(),
    "biobank:specimen-labels": Gate(V.HANDLE_SPECIMENS),
    "biobank:specimen-list": Gate(),
    "biobank:specimen-not-collected": Gate(POST_ONLY, post=V.HANDLE_SPECIMENS, post_ok=302),
    "biobank:specimen-place": Gate(POST_ONLY, post=V.HANDLE_SPECIMENS, post_ok=302),
    "biobank:storage-list": Gate(post=V.MANAGE_STORAGE),
    "imaging:api-measure-list": Gate(V.EXPORT_MEASURES),
    "imaging:datafile-detail": Gate(),
    "imaging:datafile-link": Gate(V.LINK_FILES, post=V.LINK_FILES),
    "imaging:datafile-queue": Gate(V.LINK_FILES),
    "imaging:datafile-upload": Gate(V.UPLOAD_FILES, post=V.UPLOAD_FILES),
    "imaging:export-delete": Gate(POST_ONLY, post=V.DELETE_MRI_EXPORT, post_ok=302),
    "imaging:export-download": Gate(V.EXPORT_MRI, ok=302),  # the world's export has no zip yet: back to the list
    "imaging:export-list": Gate(V.EXPORT_MRI, post=V.EXPORT_MRI, post_ok=302),
    "imaging:job-detail": Gate(),
    "imaging:job-list": Gate(),
    "imaging:job-retry": Gate(POST_ONLY, post=V.UPLOAD_FILES, post_ok=302),
    "imaging:job-rows": Gate(),
    "imaging:measure-export": Gate(V.EXPORT_MEASURES),
    "imaging:series-preview": Gate(),
    "workflows:api-response-detail": Gate(),
    "workflows:api-response-list": Gate(),
    "instruments:datadictionary-upload": Gate(V.LOAD_PROTOCOL, post=V.LOAD_PROTOCOL),
    "instruments:instrument-datadictionary": Gate(None),
    "instruments:instrument-detail": Gate(None),
    "instruments:instrument-list": Gate(None),
    "workflows:response-edit": Gate(post=V.ENTER_DATA),
    "workflows:response-draft": Gate(POST_ONLY, post=V.ENTER_DATA),  # exactly who may save the form
    "workflows:response-draft-discard": Gate(POST_ONLY, post=V.ENTER_DATA, post_ok=302),
    "workflows:response-import": Gate(V.ENTER_DATA, post=V.ENTER_DATA),
    "workflows:response-import-job": Gate(V.ENTER_DATA),
    # Locking and signing behind the review gate (workflows.review_views, at /monitoring/ paths)
    "workflows:casebook-sign": Gate(post=V.SIGN),
    "workflows:participant-lock": LOCKING,
    "workflows:response-lock": LOCKING,
    "workflows:visit-lock": LOCKING,
    "monitoring:casebook-detail": Gate(),
    "monitoring:lock-release": Gate(POST_ONLY, post=V.LOCK),
    "monitoring:response-verify": Gate(POST_ONLY, post=V.VERIFY),
    "monitoring:responses-verify": Gate(POST_ONLY, post=V.VERIFY),  # nothing ticked: the casebook says so
    "monitoring:visit-verify": Gate(POST_ONLY, post=V.VERIFY, post_ok=302),
    "monitoring:study-dashboard": Gate(V.VIEW_MONITORING),
    "participants:anchor-set": MANAGE,
    "participants:consent-refuse": MANAGE,
    "participants:criterion-review": MANAGE,
    "participants:participant-arm": MANAGE,
    "participants:participant-consent": MANAGE,
    "participants:participant-detail": Gate(),
    "participants:participant-enrol": MANAGE,
    "participants:participant-list": Gate(),
    "participants:participant-screen": Gate(V.MANAGE_PARTICIPANTS, post=V.MANAGE_PARTICIPANTS),
    "participants:participant-withdraw": MANAGE,
    "participants:screening-log": Gate(),
    "participants:visit-due": Gate(None),
    "participants:visit-detail": Gate(),
    # An empty post is a form error (400) for the roles that may record visits; reopening is the data manager's.
    "participants:visit-done": Gate(POST_ONLY, post=V.MANAGE_PARTICIPANTS, post_ok=400),
    "participants:visit-missed": Gate(POST_ONLY, post=V.MANAGE_PARTICIPANTS, post_ok=400),
    "participants:visit-reopen": Gate(POST_ONLY, post=V.REOPEN_VISIT, post_ok=400),
    "queries:participant-queries": Gate(),
    "queries:query-detail": Gate(post=(V.RAISE_QUERY, V.ANSWER_QUERY)),  # an open query: answer or close
    "queries:query-list": Gate(),
    "queries:query-raise": Gate(V.RAISE_QUERY, post=V.RAISE_QUERY),
    "randomisation:list-csv": Gate(V.SEE_ALLOCATION_LIST),
    "randomisation:list-detail": Gate(V.SEE_ALLOCATION_LIST),
    "randomisation:list-freeze": Gate(POST_ONLY, post=V.GENERATE_ALLOCATION),  # the first POST asks to confirm
    "randomisation:list-index": Gate(V.GENERATE_ALLOCATION, post=V.GENERATE_ALLOCATION),
    "randomisation:notification-list": Gate(),
    "randomisation:participant-randomise": Gate(post=V.RANDOMISE),  # the first POST shows the strata, asks to confirm
    "randomisation:participant-unblind": Gate(V.EMERGENCY_UNBLIND, post=V.EMERGENCY_UNBLIND, post_ok=400),
    "randomisation:unblinding-csv": Gate(V.READ_UNBLINDING_REPORT),
    "randomisation:unblinding-report": Gate(V.READ_UNBLINDING_REPORT),
    "reports:consort-csv": Gate(),
    "reports:consort-detail": Gate(),
    "reports:consort-json": Gate(),
    "reports:consort-svg": Gate(),
    "reports:status-grid": Gate(V.VIEW_STATUS_GRID),
    "reports:study-dashboard": Gate(V.VIEW_DASHBOARD),
    "reports:study-dashboard-csv": Gate(V.VIEW_DASHBOARD),
    "reports:study-outcomes": Gate(V.VIEW_DASHBOARD),
    "reports:study-outcomes-csv": Gate(V.VIEW_DASHBOARD),
    "reports:participant-mechanism": Gate(),
    "reports:participant-timeline": Gate(),
    "safety:adverseevent-list": Gate(),
    "safety:dsmb-listing": Gate(),
    "safety:saereport-edit": Gate(post=V.RECORD_SAE_REPORT),
    "safety:study-overview": Gate(),
    "studies:protocol-history": Gate(),
    "surveys:link-list": Gate(V.SEND_SURVEY_LINKS, post=V.SEND_SURVEY_LINKS),  # an empty POST re-renders the form
    "surveys:link-revoke": Gate(POST_ONLY, post=V.SEND_SURVEY_LINKS, post_ok=302),
    "workflows:protocol-upload": Gate(V.LOAD_PROTOCOL, post=V.LOAD_PROTOCOL),
    "workflows:study-instruments": Gate(V.LOAD_INSTRUMENTS, post=V.LOAD_INSTRUMENTS, post_ok=400),  # no file: 400
    "workflows:study-new": Gate(V.CREATE_STUDY, post=V.CREATE_STUDY),  # server admins only: no study role has it
    "studies:study-detail": Gate(),
    "studies:study-list": Gate(None),
}
del V
# Fields an empty POST needs to reach the role check (the SAE page answers 403 to a POST naming no open report).
POST_DATA = {"safety:saereport-edit": {"recipient": "ethics_committee"}}


def _walk(patterns, namespace="", kwargs=()):
    for entry in patterns:
        names = tuple(kwargs) + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, ns, names)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", names


def project_urls():
    """(name, kwarg names) for every named URL of the product's own apps."""
    seen = {}
    for name, kwargs in _walk(get_resolver().url_patterns):
        if name.split(":")[0] in THIRD_PARTY or name in PUBLIC:
            continue
        seen.setdefault(name, kwargs)
    return sorted(seen.items())


def all_urls():
    seen = {}
    for name, kwargs in _walk(get_resolver().url_patterns):
        seen.setdefault(name, kwargs)
    return sorted(seen.items())


def _url(world, name, kwargs, *, foreign=None, variant=1):
    """Reverse ``name`` with own objects, replacing ``foreign`` by its site-B (1) or other-study (2) value."""
    values = {key: OBJECT_KWARGS[key][0](world) for key in kwargs}
    if foreign is not None:
        values[foreign] = OBJECT_KWARGS[foreign][variant](world)
    return reverse(name, kwargs=values)


def _foreign_variants(key):
    return [variant for variant in (1, 2) if OBJECT_KWARGS[key][variant] is not None]


def test_every_url_kwarg_is_known_to_the_matrix():
    unknown = {(name, key) for name, kwargs in project_urls() for key in kwargs if key not in OBJECT_KWARGS}
    assert not unknown, f"add these URL kwargs to OBJECT_KWARGS: {sorted(unknown)}"
    assert len(project_urls()) >= 5


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login_everywhere_but_public_pages(client, world):
    login = reverse("two_factor:login")
    for name, kwargs in all_urls():
        if name in PUBLIC or name.startswith("admin:") or name.startswith("djdt:"):
            continue
        if any(key not in OBJECT_KWARGS for key in kwargs):
            continue
        response = client.get(_url(world, name, kwargs))
        if name in TOKEN_AUTH:
            assert response.status_code == 401, name
            continue
        if name in TOKEN_IN_BODY:
            assert response.status_code == 405, name
            continue
        assert response.status_code == 302, name
        assert response.url.startswith(login), name


def _allowed(capabilities, role: str, needed) -> bool:
    held = capabilities.get(role, frozenset())
    return any(action in held for action in (needed if isinstance(needed, tuple) else (needed,)))


def expected_get(capabilities, role: str, gate: Gate) -> int:
    if gate.get is None:
        return gate.ok
    if gate.get == POST_ONLY:
        return 405
    return gate.ok if _allowed(capabilities, role, gate.get) else 403


def expected_post(capabilities, role: str, gate: Gate) -> int:
    return gate.post_ok if _allowed(capabilities, role, gate.post) else 403


def own_page_mismatches(client, world, role: str, names=None, capabilities=None) -> list[tuple]:
    """(method, URL name, expected, got) for every own URL whose status is not the one the table gives ``role``.

    GETs first, then the empty POSTs (which may change the world, e.g. freeze a list), in URL-name order.
    ``capabilities`` defaults to the live table; ``names`` to every URL of the product.
    """
    capabilities = CAPABILITIES if capabilities is None else capabilities
    urls = [(name, kwargs) for name, kwargs in project_urls() if names is None or name in names]
    mismatches = []
    for name, kwargs in urls:
        response = client.get(_url(world, name, kwargs), QUERY[name](world) if name in QUERY else None)
        expected = expected_get(capabilities, role, GATES[name])
        if response.status_code != expected:
            mismatches.append(("GET", name, expected, response.status_code))
    for name, kwargs in urls:
        gate = GATES[name]
        if gate.post is None:
            continue
        response = client.post(_url(world, name, kwargs), POST_DATA.get(name, {}))
        expected = expected_post(capabilities, role, gate)
        if response.status_code != expected:
            mismatches.append(("POST", name, expected, response.status_code))
    return mismatches


def test_every_url_says_which_action_it_needs():
    names = {name for name, _kwargs in project_urls()}
    assert not names - set(GATES), f"add these URLs to GATES: {sorted(names - set(GATES))}"
    assert not set(GATES) - names, f"these URLs are gone, remove them from GATES: {sorted(set(GATES) - names)}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_site_a_persona_gets_exactly_what_its_role_allows_on_own_pages(client, world, make_persona, role):
    client.force_login(make_persona(role))
    assert own_page_mismatches(client, world, role) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_site_a_persona_gets_404_for_site_b_and_other_studies(client, world, make_persona, role):
    client.force_login(make_persona(role))
    for name, kwargs in project_urls():
        for key in kwargs:
            for variant in _foreign_variants(key):
                url = _url(world, name, kwargs, foreign=key, variant=variant)
                for method in (client.get, client.post):
                    response = method(url)
                    assert response.status_code in (404, 405), (name, key, variant, response.status_code)
                    assert "ALPHA-B" not in response.content.decode(), name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "action", "name", "method"),
    [
        ("monitor", Action.ENTER_DATA, "workflows:response-import", "GET"),
        ("monitor", Action.ENTER_DATA, "workflows:response-edit", "POST"),
        ("coordinator", Action.LOAD_PROTOCOL, "workflows:protocol-upload", "GET"),
    ],
)
def test_the_matrix_reports_a_role_given_more_than_the_table_says(
    client, world, make_persona, monkeypatch, role, action, name, method
):
    """The product gives ``role`` one more action than the reviewed table: the matrix check must say so."""
    reviewed = dict(CAPABILITIES)
    monkeypatch.setitem(CAPABILITIES, role, CAPABILITIES[role] | {action})
    client.force_login(make_persona(role))
    mismatches = own_page_mismatches(client, world, role, names={name}, capabilities=reviewed)
    assert (method, name, 403, GATES[name].ok if method == "GET" else GATES[name].post_ok) in mismatches


@pytest.mark.django_db
def test_the_matrix_reports_a_role_given_less_than_the_table_says(client, world, make_persona):
    widened = {**CAPABILITIES, "monitor": CAPABILITIES["monitor"] | {Action.LOAD_PROTOCOL}}
    client.force_login(make_persona("monitor"))
    mismatches = own_page_mismatches(
        client, world, "monitor", names={"workflows:protocol-upload"}, capabilities=widened
    )
    assert mismatches == [
        ("GET", "workflows:protocol-upload", 200, 403),
        ("POST", "workflows:protocol-upload", 200, 403),
    ]


@pytest.mark.django_db
def test_a_site_a_coordinator_does_not_see_site_b_in_lists(client, world, make_persona):
    client.force_login(make_persona("coordinator"))
    page = client.get(reverse("participants:participant-list", args=[world.study.code])).content.decode()
    assert "ALPHA-A-0001" in page
    assert "ALPHA-B-0001" not in page
    assert "BETA-C-0001" not in page


@pytest.mark.django_db
def test_an_all_sites_member_sees_both_sites_but_not_the_other_study(client, world, make_persona):
    client.force_login(make_persona("data_manager", all_sites=True))
    assert client.get(reverse("participants:participant-detail", args=[world.participant_b.pk])).status_code == 200
    assert client.get(reverse("participants:participant-detail", args=[world.participant_c.pk])).status_code == 404
    assert client.get(reverse("studies:study-detail", args=[world.other_study.code])).status_code == 404


@pytest.mark.django_db
def test_a_user_without_membership_sees_no_study(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("studies:study-detail", args=[world.study.code])).status_code == 404
    assert client.get(reverse("participants:participant-detail", args=[world.participant_a.pk])).status_code == 404
    assert "Alpha study" not in client.get(reverse("studies:study-list")).content.decode()
