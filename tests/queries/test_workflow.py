"""Raise, answer, close, reopen by role, through the services and the pages; every change audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from queries.models import Query
from queries.services import QueryError, query_answer, query_close, query_raise, query_reopen


@pytest.fixture
def people(quality_world, make_persona):
    return {
        role: make_persona(role)
        for role in ("monitor", "data_manager", "coordinator", "pi", "admin", "unblinded_statistician")
    }


def _raise(world, user, text="Weight looks wrong"):
    return query_raise(
        user=user,
        participant=world.participant_a,
        visit_code="baseline",
        activity_key="demographics",
        item_code="demographics_weight",
        text=text,
    )


def test_the_full_cycle_with_a_thread_and_an_audit_row_per_change(quality_world, people):
    query = _raise(quality_world, people["monitor"])
    query = query_answer(query=query, user=people["coordinator"], text="Source says 80 kg; corrected")
    assert query.status == Query.Status.ANSWERED
    query = query_reopen(query=query, user=people["monitor"], text="Still 800 on the form")
    query = query_answer(query=query, user=people["pi"], text="Fixed now")
    query = query_close(query=query, user=people["data_manager"])
    assert query.status == Query.Status.CLOSED
    thread = list(query.messages.values_list("status_to", flat=True))
    assert thread == ["open", "answered", "reopened", "answered", "closed"]
    events = AuditEvent.objects.filter(object_type="queries.query", object_id=str(query.pk))
    assert events.count() == 5
    assert events.filter(action=AuditEvent.Action.CREATE, user=people["monitor"]).exists()
    assert events.filter(action=AuditEvent.Action.REOPEN).get().changes["status"] == ["answered", "reopened"]


@pytest.mark.parametrize("role", ["coordinator", "pi", "admin", "unblinded_statistician"])
def test_only_monitors_and_data_managers_raise(quality_world, people, role):
    with pytest.raises(PermissionDenied):
        _raise(quality_world, people[role])
    assert not Query.objects.exists()


@pytest.mark.parametrize("role", ["monitor", "data_manager", "admin"])
def test_reviewers_do_not_answer(quality_world, people, role):
    query = _raise(quality_world, people["monitor"])
    with pytest.raises(PermissionDenied):
        query_answer(query=query, user=people[role], text="answer")
    query.refresh_from_db()
    assert query.status == Query.Status.OPEN


@pytest.mark.parametrize("role", ["coordinator", "pi"])
def test_site_staff_neither_close_nor_reopen(quality_world, people, role):
    query = _raise(quality_world, people["monitor"])
    query_answer(query=query, user=people["coordinator"], text="done")
    with pytest.raises(PermissionDenied):
        query_close(query=query, user=people[role])
    with pytest.raises(PermissionDenied):
        query_reopen(query=query, user=people[role], text="again")
    query.refresh_from_db()
    assert query.status == Query.Status.ANSWERED


def test_a_closed_query_cannot_be_answered_and_a_reopen_needs_a_reason(quality_world, people):
    query = query_close(query=_raise(quality_world, people["monitor"]), user=people["monitor"])
    with pytest.raises(QueryError):
        query_answer(query=query, user=people["coordinator"], text="late")
    with pytest.raises(QueryError):
        query_reopen(query=query, user=people["monitor"], text="  ")
    query.refresh_from_db()
    assert query.status == Query.Status.CLOSED


def _post(client, query, **data):
    return client.post(reverse("queries:query-detail", args=[query.pk]), data)


def test_the_detail_page_offers_each_role_its_actions_only(client, quality_world, people):
    query = _raise(quality_world, people["monitor"])
    url = reverse("queries:query-detail", args=[query.pk])
    client.force_login(people["coordinator"])
    page = client.get(url).content.decode()
    assert 'id="action-answer"' in page and 'id="action-close"' not in page
    assert _post(client, query, action="close").status_code == 200  # refused by the form, nothing changed
    query.refresh_from_db()
    assert query.status == Query.Status.OPEN
    response = _post(client, query, action="answer", text="")
    assert "Write a message" in response.content.decode()
    assert _post(client, query, action="answer", text="Checked the source").status_code == 302
    client.force_login(people["monitor"])
    page = client.get(url).content.decode()
    assert 'id="action-close"' in page and 'id="action-reopen"' in page and 'id="action-answer"' not in page
    assert "Checked the source" in page
    assert _post(client, query, action="close", text="Thanks").status_code == 302
    query.refresh_from_db()
    assert query.status == Query.Status.CLOSED
    client.force_login(people["unblinded_statistician"])
    assert _post(client, query, action="reopen", text="x").status_code == 403


def test_raising_from_a_form_keeps_the_text_on_an_error(client, quality_world, people):
    url = reverse("queries:query-raise", args=[quality_world.participant_a.pk, "baseline", "demographics"])
    client.force_login(people["monitor"])
    page = client.get(url + "?item=demographics_weight").content.decode()
    assert 'value="demographics_weight" selected' in page
    response = client.post(url, {"item_code": "no_such_item", "text": "Is this right?"})
    assert response.status_code == 200
    assert "Is this right?" in response.content.decode()
    assert not Query.objects.exists()
    response = client.post(url, {"item_code": "demographics_weight", "text": "Is this right?"})
    query = Query.objects.get()
    assert response.url == reverse("queries:query-detail", args=[query.pk])
    assert (query.raised_by, query.item_code, query.site) == (
        people["monitor"],
        "demographics_weight",
        quality_world.site_a,
    )


def test_site_staff_get_403_on_the_raise_page(client, quality_world, people):
    url = reverse("queries:query-raise", args=[quality_world.participant_a.pk, "baseline", "demographics"])
    client.force_login(people["coordinator"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": "x"}).status_code == 403
