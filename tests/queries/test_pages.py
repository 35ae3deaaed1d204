"""Query list (scoped, filtered, counts per site), participant's queries, the dashboard tag, Chinese pages."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queries.models import Query


def _query(participant, status=Query.Status.OPEN, origin=Query.Origin.MANUAL, text="Check weight"):
    return Query.objects.create(
        study=participant.study,
        site=participant.site,
        participant=participant,
        object_type="instruments.response",
        visit_code="baseline",
        activity_key="demographics",
        text=text,
        text_zh="核对体重" if origin == "rule" else "",
        status=status,
        origin=origin,
        rule_code="weight_change" if origin == "rule" else "",
    )


@pytest.fixture
def queries(quality_world):
    a, b, c = quality_world.participant_a, quality_world.participant_b, quality_world.participant_c
    return [
        _query(a),
        _query(a, Query.Status.ANSWERED),
        _query(a, Query.Status.CLOSED, Query.Origin.RULE),
        _query(b),
        _query(c),
    ]


def _list(client, world, **params):
    return client.get(reverse("queries:query-list", args=[world.study.code]), params)


def test_a_site_a_monitor_sees_only_site_a_queries_and_counts(client, quality_world, make_persona, queries):
    client.force_login(make_persona("monitor"))
    response = _list(client, quality_world)
    page = response.content.decode()
    assert "ALPHA-A-0001" in page and "ALPHA-B-0001" not in page and "BETA-C-0001" not in page
    counts = response.context["site_counts"]
    assert [(row["site__code"], row["open"], row["answered"], row["closed"], row["unresolved"]) for row in counts] == [
        ("A", 1, 1, 1, 2)
    ]


def test_an_all_sites_data_manager_gets_a_row_per_site(client, quality_world, make_persona, queries):
    client.force_login(make_persona("data_manager", all_sites=True))
    counts = _list(client, quality_world).context["site_counts"]
    assert [(row["site__code"], row["total"]) for row in counts] == [("A", 3), ("B", 1)]


def test_filters_by_status_site_origin_and_participant(client, quality_world, make_persona, queries):
    client.force_login(make_persona("data_manager", all_sites=True))
    assert _list(client, quality_world, status="unresolved").context["count"] == 3
    assert _list(client, quality_world, status="closed").context["count"] == 1
    assert _list(client, quality_world, site="B").context["count"] == 1
    assert _list(client, quality_world, origin="rule").context["count"] == 1
    assert _list(client, quality_world, participant="B-0001").context["count"] == 1
    assert _list(client, quality_world, status="bogus").context["count"] == 4  # a bad filter is ignored, no 500


def test_the_list_costs_the_same_number_of_queries_for_more_rows(client, quality_world, make_persona, queries):
    client.force_login(make_persona("data_manager", all_sites=True))
    _list(client, quality_world)
    with CaptureQueriesContext(connection) as few:
        _list(client, quality_world)
    for _ in range(5):
        _query(quality_world.participant_b)
    with CaptureQueriesContext(connection) as many:
        _list(client, quality_world)
    assert len(many) == len(few)


def test_the_participant_page_lists_that_participants_queries(client, quality_world, make_persona, queries):
    client.force_login(make_persona("coordinator"))
    response = client.get(reverse("queries:participant-queries", args=[quality_world.participant_a.pk]))
    assert len(response.context["queries"]) == 3
    assert client.get(reverse("queries:participant-queries", args=[quality_world.participant_b.pk])).status_code == 404


def test_the_open_query_counts_tag_shows_unresolved_queries_per_visible_site(quality_world, make_persona, queries):
    request = RequestFactory().get("/")
    request.user = make_persona("monitor")
    html = Template("{% load query_tags %}{% open_query_counts study %}").render(
        Context({"request": request, "study": quality_world.study})
    )
    assert 'data-site="A"' in html and 'data-site="B"' not in html
    assert '<td class="count-open">1</td>' in html


def test_pages_in_chinese(client, quality_world, make_persona, queries):
    client.force_login(make_persona("monitor"))
    client.cookies["django_language"] = "zh-hans"
    page = _list(client, quality_world).content.decode()
    assert "数据质疑" in page and "各中心质疑" in page
    assert "核对体重" in page  # a rule query shows the protocol's Chinese message
    detail = client.get(reverse("queries:query-detail", args=[queries[0].pk])).content.decode()
    assert "关闭" in detail and "对话记录" in detail
