"""The site worker's home page lists queries waiting for them, overdue visits and forms due this week, at their
sites only."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import membership_grant
from participants.models import Visit
from queries.services import query_answer, query_raise
from tests.matrix.instruments import alpha_with_protocol
from tests.monitoring.conftest import submit


def member(world, role: str, *, all_sites: bool = False) -> User:
    """A user of study alpha at site A (or every site) without a usable password: tests log in with force_login."""
    user = User.objects.create_user(username=role, password=None)
    membership_grant(
        user=user, study=world.study, role=role, sites=[] if all_sites else [world.site_a], all_sites=all_sites
    )
    return user


@pytest.fixture
def home_world(world):
    alpha_with_protocol(world)
    people = {role: member(world, role, all_sites=role == "monitor") for role in ("coordinator", "monitor", "pi")}
    today = timezone.localdate()
    for participant, code, start, end in (
        (world.participant_a, "m1", today - timedelta(days=20), today - timedelta(days=10)),  # overdue
        (world.participant_a, "baseline", today - timedelta(days=1), today + timedelta(days=5)),  # due this week
        (world.participant_b, "m1", today - timedelta(days=20), today - timedelta(days=10)),  # site B
    ):
        Visit.objects.create(
            participant=participant,
            visit_code=code,
            anchor_code="enrolment",
            target_date=start,
            window_start=start,
            window_end=end,
        )
    submit(world.participant_a, people["coordinator"])  # the baseline PHQ-9 is done; the other forms are not
    query_raise(
        user=people["monitor"],
        participant=world.participant_a,
        visit_code="baseline",
        activity_key="sf36",
        text="Please check page 2",
    )
    answered = query_raise(
        user=people["monitor"],
        participant=world.participant_a,
        visit_code="baseline",
        activity_key="psqi",
        text="Answered already",
    )
    query_answer(query=answered, user=people["coordinator"], text="Checked")
    query_raise(
        user=people["monitor"],
        participant=world.participant_b,
        visit_code="baseline",
        activity_key="sf36",
        text="Site B query",
    )
    world.people = people
    return world


def section(body: str, name: str) -> str:
    start = body.index(f'id="worklist-{name}"')
    return body[start : body.index("</section>", start)]


def test_a_coordinator_sees_their_queries_overdue_visits_and_forms_due(client, home_world):
    client.force_login(home_world.people["coordinator"])
    body = client.get(reverse("home")).content.decode()
    queries = section(body, "queries")
    assert "Please check page 2" in queries and "Answered already" not in queries and "Site B query" not in queries
    overdue = section(body, "overdue")
    assert "ALPHA-A-0001 · m1" in overdue and "ALPHA-B-0001" not in overdue
    due = section(body, "due")
    assert "ALPHA-A-0001 · Baseline" in due
    pending = re.search(r"<div>([^<]*)</div>", due).group(1).split(", ")
    assert "PHQ-9" in pending and len(pending) == 4, pending  # the family PHQ-9 is pending; the participant's is done


def test_a_monitor_has_no_worklist(client, home_world):
    client.force_login(home_world.people["monitor"])
    assert 'id="worklist"' not in client.get(reverse("home")).content.decode()
