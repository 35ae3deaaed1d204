"""Saved named exports through HTTP: save the builder's choice, see it listed (only your own), reopen it counted
and run it; saving the same name replaces it; bad input saves nothing; every save is audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from exports.models import DataExport, SavedExport
from tests.exports.test_pages import builder, run

pytestmark = pytest.mark.django_db
CHOICE = {"format": "odm132", "visits": ["baseline", "m1"], "free_text": "on"}


def save(client, study, data):
    return client.post(reverse("exports:saved-export-save", args=[study.code]), data)


def test_a_saved_choice_is_listed_reopened_with_its_counts_and_runs_the_same_export(client, lbpb, persona):
    user = persona("data_manager")
    client.force_login(user)
    response = save(client, lbpb, {**CHOICE, "name": "ODM baseline and month 1"})
    saved = SavedExport.objects.get()
    assert saved.owner == user and saved.study == lbpb
    assert saved.choices == {"format": "odm132", "visits": ["baseline", "m1"], "free_text": "on"}
    assert response.status_code == 302 and response.url == f"{builder(lbpb)}?{saved.querystring}"
    listed = client.get(builder(lbpb))
    assert "ODM baseline and month 1" in listed.content.decode()
    reopened = client.get(response.url)
    form = reopened.context["form"]
    assert form.is_valid() and form.cleaned_data["visits"] == ["baseline", "m1"] and form.cleaned_data["free_text"]
    assert reopened.context["preview"].rows > 0
    run(client, lbpb, saved.choices)
    export = DataExport.objects.get()
    assert export.format == "odm132" and export.filters["visits"] == ["baseline", "m1"] and export.free_text
    assert export.status == "done"


def test_saving_is_audited_and_the_same_name_replaces_the_choice(client, lbpb, persona):
    client.force_login(persona("data_manager"))
    save(client, lbpb, {**CHOICE, "name": "weekly"})
    save(client, lbpb, {"format": "datasetjson", "name": "weekly"})
    saved = SavedExport.objects.get()
    assert saved.choices == {"format": "datasetjson"}
    events = AuditEvent.objects.filter(object_type="exports.savedexport", object_id=str(saved.pk)).order_by("pk")
    assert [event.action for event in events] == [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE]
    assert "choices" in events[1].changes and "name" not in events[1].changes


def test_another_users_saved_exports_are_not_listed(client, lbpb, persona):
    client.force_login(persona("data_manager"))
    save(client, lbpb, {**CHOICE, "name": "mine only"})
    client.force_login(persona("admin"))
    page = client.get(builder(lbpb))
    assert 'id="saved-export-list"' not in page.content.decode() and not page.context["saved"]


def test_a_bad_choice_or_a_missing_name_saves_nothing_and_says_why(client, lbpb, persona):
    client.force_login(persona("data_manager"))
    response = save(client, lbpb, {"format": "sas7bdat", "name": "broken"})
    assert response.status_code == 302 and not SavedExport.objects.exists()
    page = client.get(response.url)
    assert "The choice was not saved" in page.content.decode() and "format" in page.content.decode()
    response = save(client, lbpb, {"format": "csv_wide", "name": ""})
    assert not SavedExport.objects.exists()
    assert "name" in client.get(response.url).content.decode()


def test_the_read_only_pi_cannot_save(client, lbpb, persona):
    client.force_login(persona("pi"))
    assert save(client, lbpb, {**CHOICE, "name": "x"}).status_code == 403
    assert not SavedExport.objects.exists()
