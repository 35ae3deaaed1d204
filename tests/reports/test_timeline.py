"""A participant's timeline and score trajectories (reports.timeline): what happened, newest first, each linked
to where it is; one trajectory per scored outcome; the same number of queries however long the history."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queries.services import query_raise
from tests.factories import ParticipantFactory
from tests.monitoring.conftest import submit
from tests.reports import test_status_grid
from tests.reports.test_status_grid import schedule

grid_world = test_status_grid.grid_world  # participant A: PHQ-9 complete, a PSQI query, month 1 missed


def timeline_url(participant) -> str:
    return reverse("reports:participant-timeline", args=[participant.pk])


def test_the_timeline_lists_forms_queries_and_missed_visits_and_draws_the_phq9(client, grid_world):
    client.force_login(grid_world.people["coordinator"])
    response = client.get(timeline_url(grid_world.participant_a))
    assert response.status_code == 200
    kinds = [h.kind for h in response.context["happenings"]]
    # the family PHQ-9 is a draft: not on the timeline; the schedule was projected under protocol version 1.0
    assert sorted(kinds) == ["amendment", "form", "missed", "query"]
    body = response.content.decode()
    assert "Visit missed: Month 1" in body
    assert "Source missing" in body  # the query's message, as written
    (phq9,) = [t for t in response.context["trajectories"] if t.key == "phq9-total"]
    assert phq9.rows == [("Baseline", 9.0)]
    assert body.count('class="chart-mark dash-point"') == sum(len(t.rows) for t in response.context["trajectories"])


def fresh(grid_world):
    participant = ParticipantFactory(site=grid_world.site_a, identifier="ALPHA-A-0077")
    schedule(participant, grid_world.people["coordinator"])
    return participant


def test_a_second_visit_adds_a_point_to_the_trajectory(client, grid_world):
    p, coordinator = fresh(grid_world), grid_world.people["coordinator"]
    assert submit(p, coordinator, visit="m1", answers={f"phq9_{n}": "2" for n in range(1, 10)}).ok
    assert submit(p, coordinator).ok
    client.force_login(coordinator)
    (phq9,) = [t for t in client.get(timeline_url(p)).context["trajectories"] if t.key == "phq9-total"]
    assert phq9.rows == [("Baseline", 9.0), ("Month 1", 18.0)]  # in visit order, whatever the order of entry


def test_the_query_count_does_not_grow_with_the_history(client, grid_world):
    p, coordinator, monitor = fresh(grid_world), grid_world.people["coordinator"], grid_world.people["monitor"]
    client.force_login(coordinator)
    client.get(timeline_url(p))  # warm the per-process caches (protocol, instrument library)
    with CaptureQueriesContext(connection) as few:
        client.get(timeline_url(p))
    for code in ("baseline", "m1"):
        assert submit(p, coordinator, visit=code).ok
        query_raise(user=monitor, participant=p, visit_code=code, activity_key="phq9", text="Check the source")
    with CaptureQueriesContext(connection) as many:
        response = client.get(timeline_url(p))
    assert len(response.context["happenings"]) == 5  # two forms, two queries, the schedule's projection
    assert len(many) == len(few), [q["sql"][:100] for q in many.captured_queries]


def test_another_sites_participant_is_a_404(client, grid_world):
    client.force_login(grid_world.people["coordinator"])  # site A
    assert client.get(timeline_url(grid_world.participant_b)).status_code == 404
