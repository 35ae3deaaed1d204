"""The lists that grow with a study are paged, show their totals, keep their filters across pages and cost the
same queries for a handful of participants as for more than a page of them (issue 19)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.services import membership_grant
from core.pagination import PAGE_SIZE
from participants.models import Participant, Screening, Visit
from queries.models import Query

from .conftest import make_user

FEW, GROWN = 3, PAGE_SIZE + 7  # a handful, then more than one page of everything


def grow(lbpb, n: int, *, start: int) -> None:
    """``n`` enrolled participants at site 1, each screened, with a visit due this week, one overdue and an open
    query (written in bulk: the pages are under test here, not the services)."""
    today = timezone.localdate()
    people = Participant.objects.bulk_create(
        Participant(
            study=lbpb.study,
            site=lbpb.site_1,
            identifier=f"LBPB-01-{number:04d}",
            screening_number=f"S-01-{number:04d}",
            status=Participant.Status.ENROLLED,
            enrolled_on=today - timedelta(days=30),
        )
        for number in range(start, start + n)
    )
    Screening.objects.bulk_create(
        Screening(participant=p, screened_on=today, eligible=True, screened_by=lbpb.coordinator) for p in people
    )
    due = {"window_start": today, "window_end": today + timedelta(days=2), "visit_code": "w6"}
    late = {
        "window_start": today - timedelta(days=9),
        "window_end": today - timedelta(days=1),
        "visit_code": "baseline",
    }
    Visit.objects.bulk_create(
        Visit(participant=p, anchor_code="enrolment", target_date=today, **window)
        for p in people
        for window in (due, late)
    )
    Query.objects.bulk_create(
        Query(study=lbpb.study, site=lbpb.site_1, participant=p, object_type="participants.participant", text="?")
        for p in people
    )


@pytest.fixture
def pi(lbpb):
    user = make_user("pi-lists")
    membership_grant(user=user, study=lbpb.study, role="pi", all_sites=True)
    return user


def pages(lbpb):
    """(url, who asks, the context names of its paged lists)."""
    code = lbpb.study.code
    return [
        (reverse("participants:visit-due"), "coordinator", ("due", "overdue")),
        (reverse("participants:screening-log", args=[code]), "coordinator", ("page",)),
        (reverse("participants:participant-list", args=[code]), "coordinator", ("page",)),
        (reverse("queries:query-list", args=[code]), "coordinator", ("page",)),
        (reverse("monitoring:study-dashboard", args=[code]), "pi", ("page",)),
        (reverse("home"), "coordinator", ()),
        (reverse("reports:consort-detail", args=[code]), "pi", ()),
        (reverse("reports:consort-json", args=[code]), "pi", ()),
    ]


def measure(client, lbpb, users) -> dict:
    found = {}
    for url, who, lists in pages(lbpb):
        client.force_login(users[who])
        client.get(url)  # the process caches (protocol, instrument library) warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        paged = {name: response.context[name] for name in lists}
        for name, page in paged.items():
            assert len(page.object_list) <= PAGE_SIZE, (url, name)
            assert f'data-total="{page.paginator.count}"' in response.content.decode(), (url, name)
        found[url] = (len(queries), {name: page.paginator.count for name, page in paged.items()})
    return found


def test_each_growing_list_is_paged_with_its_total_and_costs_the_same_queries_at_any_size(client, lbpb, pi):
    users = {"coordinator": lbpb.coordinator, "pi": pi}
    grow(lbpb, FEW, start=1)
    few = measure(client, lbpb, users)
    grow(lbpb, GROWN - FEW, start=FEW + 1)
    many = measure(client, lbpb, users)
    for url, (queries, totals) in many.items():
        assert queries == few[url][0], (url, few[url][0], queries)
        assert all(total == GROWN for total in totals.values()), (url, totals)


def test_a_next_page_keeps_the_filters_and_holds_the_rest(client, lbpb):
    grow(lbpb, GROWN, start=1)
    client.force_login(lbpb.coordinator)
    url = reverse("queries:query-list", args=[lbpb.study.code])
    first = client.get(url, {"status": "unresolved"}).context["page"]
    assert first.next_link == "?status=unresolved&page=2" and first.previous_link == ""
    rest = client.get(url + first.next_link).context["page"]
    assert len(first.object_list) + len(rest.object_list) == GROWN
    assert not {q.pk for q in first.object_list} & {q.pk for q in rest.object_list}
    assert rest.previous_link == "?status=unresolved&page=1"


def test_the_two_lists_of_visits_due_page_apart(client, lbpb):
    grow(lbpb, GROWN, start=1)
    client.force_login(lbpb.coordinator)
    response = client.get(reverse("participants:visit-due"), {"overdue_page": "2"})
    assert response.context["due"].number == 1 and response.context["overdue"].number == 2
    assert response.context["due"].next_link == "?overdue_page=2&page=2"
    assert len(response.context["overdue"].object_list) == GROWN - PAGE_SIZE


def test_the_dashboard_counts_every_participant_of_a_site_while_it_lists_one_page(client, lbpb, pi):
    grow(lbpb, GROWN, start=1)
    client.force_login(pi)
    response = client.get(reverse("monitoring:study-dashboard", args=[lbpb.study.code]))
    (site,) = response.context["sites"]
    assert site.participants == GROWN and site.obj.code == "01"
    assert len(response.context["people"]) == PAGE_SIZE
