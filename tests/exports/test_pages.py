"""The export pages through HTTP: builder with counts, run as a job, progress page, download, cancel; who may."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from exports.models import DataExport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def builder(study):
    return reverse("exports:export-builder", args=[study.code])


def run(client, study, data):
    """POST the builder and let the queued job run (tasks run in-process in tests; on commit, as in production)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(builder(study), data)


def test_a_data_manager_counts_runs_and_downloads_an_export_and_it_is_audited(client, lbpb, persona):
    client.force_login(persona("data_manager"))
    page = client.get(builder(lbpb), {"format": "csv_wide", "visits": ["baseline", "m1"]})
    assert page.status_code == 200 and page.context["preview"].rows > 0
    preview = page.context["preview"]
    assert f"{preview.rows} rows × {preview.columns} columns" in page.content.decode()
    response = run(client, lbpb, {"format": "csv_wide", "visits": ["baseline", "m1"]})
    export = DataExport.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:export-detail", args=[export.pk])
    assert export.status == "done" and export.rows == preview.rows and export.columns == preview.columns
    assert len(export.sha256) == 64 and export.expires_at
    detail = client.get(response.url)
    assert export.sha256 in detail.content.decode()
    download = client.get(reverse("exports:export-download", args=[export.pk]))
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and body.startswith(b"\xef\xbb\xbf")
    assert len(body.decode("utf-8-sig").splitlines()) == export.rows + 1
    events = AuditEvent.objects.filter(object_type="exports.dataexport", object_id=str(export.pk))
    created = events.get(action="create")
    assert created.changes["filters"][1]["visits"] == ["baseline", "m1"]
    assert created.changes["format"][1] == "csv_wide" and created.changes["deidentified"][1] is True
    assert events.get(action="update").changes["rows"] == [0, export.rows]
    assert export.sha256 in events.get(action="export", user__isnull=False).reason


def test_a_pi_sees_the_counts_but_may_not_run(client, lbpb, persona):
    client.force_login(persona("pi"))
    page = client.get(builder(lbpb), {"format": "sav"})
    assert page.status_code == 200 and page.context["preview"] and b"export-run" not in page.content
    assert client.post(builder(lbpb), {"format": "sav"}).status_code == 403
    assert not DataExport.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "monitor"])
def test_roles_without_the_capability_are_refused(client, lbpb, persona, role):
    client.force_login(persona(role))
    assert client.get(builder(lbpb)).status_code == 403


def test_an_outsider_gets_a_404_for_the_page_and_an_export(client, lbpb, persona):
    client.force_login(persona("data_manager"))
    run(client, lbpb, {"format": "csv_wide"})
    export = DataExport.objects.get()
    client.force_login(UserFactory(username="outsider"))
    assert client.get(builder(lbpb)).status_code == 404
    assert client.get(reverse("exports:export-download", args=[export.pk])).status_code == 404


def test_the_statistician_gets_no_identified_choice_and_cannot_sneak_it_in(client, lbpb, persona):
    client.force_login(persona("unblinded_statistician"))
    assert "identified" not in client.get(builder(lbpb)).context["form"].fields
    run(client, lbpb, {"format": "csv_wide", "identified": "on"})
    export = DataExport.objects.get()
    assert export.deidentified
    body = b"".join(client.get(reverse("exports:export-download", args=[export.pk])).streaming_content)
    assert b"LBPB-01-0001" not in body


def test_an_admin_may_ask_for_identified_data(client, lbpb, persona):
    client.force_login(persona("admin"))
    run(client, lbpb, {"format": "csv_wide", "identified": "on"})
    export = DataExport.objects.get()
    assert not export.deidentified
    body = b"".join(client.get(reverse("exports:export-download", args=[export.pk])).streaming_content)
    assert b"LBPB-01-0001" in body


def test_a_bad_choice_is_a_form_error_not_a_job(client, lbpb, persona):
    client.force_login(persona("data_manager"))
    response = run(client, lbpb, {"format": "sas7bdat", "visits": ["nowhere"]})
    assert response.status_code == 200 and response.context["form"].errors.keys() == {"format", "visits"}
    assert not DataExport.objects.exists()


def test_cancelling_a_queued_export_stops_it_and_it_never_runs(client, lbpb, persona):
    from exports.services import export_run

    user = persona("data_manager")
    export = DataExport.objects.create(study=lbpb, requested_by=user, format="csv_wide", all_sites=True)
    client.force_login(user)
    response = client.post(reverse("exports:export-cancel", args=[export.pk]))
    assert response.status_code == 302
    assert export_run(export_id=export.pk).status == "cancelled"
    export.refresh_from_db()
    assert export.file_path == "" and export.status == "cancelled"
    assert client.get(reverse("exports:export-download", args=[export.pk])).status_code == 302


@pytest.mark.parametrize(("role", "shown"), [("pi", True), ("data_manager", True), ("coordinator", False)])
def test_the_menu_links_the_export_page_for_the_roles_that_may_open_it(client, lbpb, persona, role, shown):
    client.force_login(persona(role))
    home = client.get(reverse("home")).content.decode()
    assert (builder(lbpb) in home) is shown
