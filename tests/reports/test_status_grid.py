"""The record status grid: each form's status from the real services, filters, site scope, blinding and a query
count that does not grow with the number of participants."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.services import membership_grant
from monitoring import services as monitoring_services
from participants import services as participant_services
from participants.models import AnchorDate, Visit
from queries.services import query_raise
from studies.models import Study
from tests.factories import ParticipantFactory
from tests.matrix.instruments import alpha_with_protocol
from tests.monitoring.conftest import ANSWERS, submit
from workflows.services import response_submit


@pytest.fixture
def grid_world(world):
    """Study alpha with its protocol; at site A: participant A with a complete SDV'd PHQ-9, a draft family PHQ-9,
    an open query on the PSQI and a missed month-1 visit; participant S with a signed casebook. At site B:
    participant B with a locked casebook."""
    alpha_with_protocol(world)
    people = {
        role: member(world, f"{role}-a", role, sites=[world.site_a])
        for role in ("coordinator", "monitor", "data_manager", "pi")
    }
    people["dm_all"] = member(world, "dm-all", "data_manager", all_sites=True)
    signed = ParticipantFactory(site=world.site_a, identifier="ALPHA-A-0002")
    for participant in (world.participant_a, world.participant_b, signed):
        schedule(participant, people["coordinator"])
    a, b = world.participant_a, world.participant_b
    coordinator, monitor = people["coordinator"], people["monitor"]

    complete = submit(a, coordinator).response
    monitoring_services.response_verify(response=complete, user=monitor)
    draft = response_submit(
        participant=a,
        visit_code="baseline",
        activity_key="phq9_family",
        instrument_code="phq9",
        raw={"phq9_1": "1"},
        complete=False,
        user=coordinator,
        source="coordinator",
    )
    assert draft.ok
    query_raise(user=monitor, participant=a, visit_code="baseline", activity_key="psqi", text="Source missing")
    participant_services.visit_miss(
        visit=Visit.objects.get(participant=a, visit_code="m1"), user=coordinator, why="other", note="Travelling abroad"
    )

    submit(b, people["dm_all"])
    participant_services.lock_create(participant=b, scope="participant", user=people["dm_all"], reason="database lock")

    submit(signed, coordinator)
    # the signing transaction itself: the password re-check (and its lock-out) is tested in tests/monitoring
    monitoring_services.signature_create(participant=signed, user=people["pi"], meaning="reviewed")
    world.people, world.signed = people, signed
    return world


def schedule(participant, user):
    """The participant's visits from the enrolment anchor (as enrolment would project them)."""
    AnchorDate.objects.create(participant=participant, anchor_code="enrolment", date=date(2026, 1, 5), entered_by=user)
    participant_services.visits_reproject_study(study=participant.study)


def member(world, username: str, role: str, *, study=None, sites=(), all_sites=False) -> User:
    user = User.objects.create_user(username=username, password=None)  # tests log in with force_login
    membership_grant(user=user, study=study or world.study, role=role, sites=list(sites), all_sites=all_sites)
    return user


def grid_url(**params):
    url = reverse("reports:status-grid", args=["alpha"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def forms(response, identifier: str, visit: str) -> dict[str, str]:
    """activity key -> status of the cell's forms, read from the rendered page."""
    from html.parser import HTMLParser

    found: dict[str, str] = {}

    class Reader(HTMLParser):
        row = cell = False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "tr":
                self.row = attrs.get("data-participant") == identifier
            if tag == "td" and self.row:
                self.cell = attrs.get("data-visit") == visit
            if tag == "li" and self.row and self.cell and "data-activity" in attrs:
                found[attrs["data-activity"]] = attrs["data-status"]

    Reader().feed(response.content.decode())
    return found


def test_each_form_shows_its_status_from_the_services(client, grid_world):
    client.force_login(grid_world.people["data_manager"])  # site A
    response = client.get(grid_url())
    assert response.status_code == 200
    baseline = forms(response, "ALPHA-A-0001", "baseline")
    assert baseline == {
        "phq9": "verified",
        "sf36": "not_started",
        "psqi": "not_started",
        "sleep_diary": "not_started",
        "phq9_family": "in_progress",
        "blood": "not_tracked",  # a specimen: expected, but not a form
    }
    assert forms(response, "ALPHA-A-0002", "baseline")["phq9"] == "signed"
    body = response.content.decode()
    # the open query is counted on its form, the missed visit shows its reason, titles are not codes
    assert 'data-activity="psqi" data-status="not_started" data-queries="1"' in body
    assert "Travelling abroad" in body and "Missed" in body
    assert "Pittsburgh Sleep Quality Index" in body or "PSQI" in body
    assert reverse("workflows:response-edit", args=[grid_world.participant_a.pk, "baseline", "phq9"]) in body


def test_a_locked_casebook_shows_its_forms_locked(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    response = client.get(grid_url(site="B"))
    baseline = forms(response, "ALPHA-B-0001", "baseline")
    assert baseline["phq9"] == "locked" and baseline["sf36"] == "locked"  # never started, but read-only now
    assert "ALPHA-A-0001" not in response.content.decode()


def test_a_site_a_coordinator_never_sees_site_b(client, grid_world):
    client.force_login(grid_world.people["coordinator"])
    for params in ({}, {"site": "B"}, {"status": "locked"}):
        body = client.get(grid_url(**params)).content.decode()
        assert "ALPHA-B-0001" not in body
    assert "ALPHA-A-0001" in client.get(grid_url()).content.decode()


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        ("open_query", "ALPHA-A-0001", "ALPHA-A-0002"),
        ("missed", "ALPHA-A-0001", "ALPHA-A-0002"),
        ("signed", "ALPHA-A-0002", "ALPHA-A-0001"),
        ("verified", "ALPHA-A-0001", "ALPHA-A-0002"),
        ("in_progress", "ALPHA-A-0001", "ALPHA-A-0002"),
    ],
)
def test_the_status_filter_keeps_participants_with_such_a_cell(client, grid_world, status, shown, hidden):
    client.force_login(grid_world.people["monitor"])
    body = client.get(grid_url(status=status)).content.decode()
    assert f'data-participant="{shown}"' in body and f'data-participant="{hidden}"' not in body


def test_the_visit_filter_keeps_one_column(client, grid_world):
    client.force_login(grid_world.people["pi"])
    response = client.get(grid_url(visit="m1"))
    assert forms(response, "ALPHA-A-0001", "m1") == {"phq9": "not_started"}
    assert 'data-visit="baseline"' not in response.content.decode()


def test_unknown_filters_show_everything_rather_than_fail(client, grid_world):
    client.force_login(grid_world.people["pi"])
    response = client.get(grid_url(status="nonsense", visit="nope", page="x"))
    assert response.status_code == 200 and 'data-participant="ALPHA-A-0001"' in response.content.decode()


def test_the_arm_shows_in_an_open_study_and_not_in_a_blinded_one(client, grid_world):
    study = grid_world.study
    participant = grid_world.participant_a
    participant.arm_code = "A"
    participant.save(update_fields=["arm_code"])
    client.force_login(grid_world.people["data_manager"])
    Study.objects.filter(pk=study.pk).update(blinding="double")
    body = client.get(grid_url(arm="other")).content.decode()
    assert 'id="grid-arm"' not in body and "grid-arm" not in body
    assert 'data-participant="ALPHA-A-0001"' in body  # ?arm= is ignored for a blinded role


def test_the_roles_without_the_grid_get_a_403_and_outsiders_a_404(client, grid_world):
    statistician = member(grid_world, "statistician", "unblinded_statistician", all_sites=True)
    client.force_login(statistician)
    assert client.get(grid_url()).status_code == 403
    client.force_login(
        member(grid_world, "beta-coordinator", "coordinator", study=grid_world.other_study, sites=[grid_world.site_c])
    )
    assert client.get(grid_url()).status_code == 404


def _enrol_more(world, count: int, coordinator):
    for n in range(count):
        participant = ParticipantFactory(
            site=world.site_a, identifier=f"ALPHA-A-9{n:03d}", enrolled_on=date(2026, 1, 5)
        )
        schedule(participant, coordinator)
        submit(participant, coordinator, answers=ANSWERS)


def test_the_query_count_does_not_grow_with_participants(client, grid_world):
    coordinator = grid_world.people["coordinator"]
    client.force_login(grid_world.people["data_manager"])
    client.get(grid_url())  # warm the per-process caches (protocol, instrument library)
    with CaptureQueriesContext(connection) as few:
        assert client.get(grid_url()).status_code == 200
    _enrol_more(grid_world, 8, coordinator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(grid_url())
    assert response.content.decode().count("data-participant=") == 10
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def chips(response) -> dict[str, tuple[str, str]]:
    """activity key -> (status, open queries) of the participant page's baseline chips."""
    body = response.content.decode()
    baseline = body[body.index('data-visit="baseline"') : body.index('data-visit="m1"')]
    found = re.findall(r'data-activity="([^"]+)" data-status="([^"]+)" data-queries="(\d+)"', baseline)
    return {key: (status, queries) for key, status, queries in found}


def test_the_participant_page_chips_show_status_queries_and_title_like_the_grid(client, grid_world):
    client.force_login(grid_world.people["coordinator"])
    response = client.get(reverse("participants:participant-detail", args=[grid_world.participant_a.pk]))
    assert chips(response) == {
        "phq9": ("verified", "0"),
        "sf36": ("not_started", "0"),
        "psqi": ("not_started", "1"),
        "sleep_diary": ("not_started", "0"),
        "phq9_family": ("in_progress", "0"),
        "blood": ("not_tracked", "0"),
    }
    body = response.content.decode()
    assert "PHQ-9 · Verified (SDV)" in body and "> phq9 <" not in body


def test_a_locked_casebook_shows_locked_chips_even_for_forms_never_started(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    response = client.get(reverse("participants:participant-detail", args=[grid_world.participant_b.pk]))
    assert {status for status, _ in chips(response).values()} == {"locked", "not_tracked"}


def test_the_crf_marks_the_fields_with_open_queries(client, grid_world):
    a, monitor = grid_world.participant_a, grid_world.people["monitor"]
    query_raise(user=monitor, participant=a, visit_code="baseline", activity_key="phq9", item_code="phq9_3", text="?")
    client.force_login(grid_world.people["coordinator"])
    body = client.get(reverse("workflows:response-edit", args=[a.pk, "baseline", "phq9"])).content.decode()
    assert 'data-item="phq9_3" data-type' in body
    marked = re.findall(r'data-item="([^"]+)"[^>]*data-open-queries="(\d+)"', body)
    assert marked == [("phq9_3", "1")]
    assert 'id="open-queries-banner"' in body and "1 open query on this form" in body
    # a form without queries has no marks
    body = client.get(reverse("workflows:response-edit", args=[a.pk, "baseline", "sf36"])).content.decode()
    assert "data-open-queries" not in body and 'id="open-queries-banner"' not in body
