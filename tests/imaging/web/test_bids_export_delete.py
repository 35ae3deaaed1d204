"""Deleting a BIDS export: who may, what goes (the zip) and what stays (the row, who and when, the audit trail), and
the nightly expiry of zips older than IMAGING_EXPORT_KEEP_DAYS."""

import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from imaging.models import ImagingExport, export_path
from imaging.services.bids_export import exports_expire
from imaging.tasks import exports_expire_task
from tests.imaging.test_bids_export import write_mr_series
from tests.imaging.web.conftest import zip_of

pytestmark = pytest.mark.django_db


def finished_export(world, user, media_root, *, status="done", days_ago=0, site=None) -> ImagingExport:
    """An export row as the worker leaves it, with a real zip file on disk for a done one."""
    export = ImagingExport.objects.create(
        study=world.study, requested_by=user, status=status, finished_at=timezone.now() - timedelta(days=days_ago)
    )
    export.sites.set([site or world.site_a])
    if status == "done":
        export.zip_path = export_path(export.pk, world.study.code)
        target = Path(media_root) / export.zip_path
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("alpha-bids/participants.tsv", "participant_id\nsub-ALPHAA0001\n")
        export.zip_size = target.stat().st_size
        export.save()
    return export


def deletions(export):
    return AuditEvent.objects.filter(object_type="imaging.imagingexport", object_id=str(export.pk), action="delete")


def test_a_data_manager_deletes_a_real_export_and_the_row_says_who_and_when(
    client, world, make_persona, upload, visit_a, django_capture_on_commit_callbacks, media_root, tmp_path
):
    manager = make_persona("data_manager")
    client.force_login(manager)
    upload(
        [zip_of(write_mr_series(tmp_path / "t1", "T1 MPRAGE"))], participant=world.participant_a.pk, visit=visit_a.pk
    )
    url = reverse("imaging:export-list", args=[world.study.code])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    export = ImagingExport.objects.get()
    stored = Path(media_root) / export.zip_path
    assert export.status == "done" and stored.is_file()
    page = client.get(url).content.decode()
    delete = reverse("imaging:export-delete", args=[export.pk])
    assert f'action="{delete}"' in page and "Yes, delete the zip" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete, follow=True)

    assert response.redirect_chain[-1][0] == url
    page = response.content.decode()
    assert f"Export #{export.pk} was deleted" in page and 'data-status="deleted"' in page
    assert "by data_manager-a" in page and f'action="{delete}"' not in page
    export.refresh_from_db()
    assert not stored.exists()
    assert (export.status, export.zip_path, export.deleted_by) == ("deleted", "", manager)
    assert timezone.now() - export.deleted_at < timedelta(minutes=1)
    event = deletions(export).get()
    assert (event.user, event.path, event.changes["status"]) == (manager, "page", ["done", "deleted"])

    response = client.get(reverse("imaging:export-download", args=[export.pk]), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "This export was deleted on" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_admin_deletes_a_failed_export_and_a_second_delete_changes_nothing(client, world, make_persona, media_root):
    admin = make_persona("admin")
    export = finished_export(world, admin, media_root, status="failed")
    client.force_login(admin)
    delete = reverse("imaging:export-delete", args=[export.pk])
    client.post(delete)
    export.refresh_from_db()
    assert export.status == "deleted" and export.deleted_by == admin
    page = client.post(delete, follow=True).content.decode()
    assert "Only a finished or failed export can be deleted." in page
    assert deletions(export).count() == 1


def test_a_queued_export_cannot_be_deleted(client, world, make_persona, media_root):
    manager = make_persona("data_manager")
    export = finished_export(world, manager, media_root, status="queued")
    client.force_login(manager)
    page = client.post(reverse("imaging:export-delete", args=[export.pk]), follow=True).content.decode()
    assert "Only a finished or failed export can be deleted." in page
    export.refresh_from_db()
    assert export.status == "queued" and not deletions(export).exists()


@pytest.mark.parametrize("role", ["unblinded_statistician", "coordinator"])
def test_a_statistician_or_coordinator_gets_403_and_the_zip_stays(client, world, make_persona, media_root, role):
    export = finished_export(world, make_persona("data_manager", all_sites=True), media_root)
    client.force_login(make_persona(role, all_sites=True))
    if role == "unblinded_statistician":  # may download, so sees the list, but is offered no delete
        page = client.get(reverse("imaging:export-list", args=[world.study.code])).content.decode()
        assert f'data-export="{export.pk}"' in page and "Yes, delete the zip" not in page
    assert client.post(reverse("imaging:export-delete", args=[export.pk])).status_code == 403
    export.refresh_from_db()
    assert export.status == "done" and (Path(media_root) / export.zip_path).is_file()
    assert not deletions(export).exists()


def test_an_admin_of_another_study_gets_404_and_a_get_deletes_nothing(client, world, make_persona, media_root):
    export = finished_export(world, make_persona("data_manager"), media_root)
    delete = reverse("imaging:export-delete", args=[export.pk])
    client.force_login(make_persona("admin", study=world.other_study, sites=[world.site_c]))
    assert client.post(delete).status_code == 404
    client.force_login(make_persona("admin", all_sites=True))
    assert client.get(delete).status_code == 405
    export.refresh_from_db()
    assert export.status == "done" and (Path(media_root) / export.zip_path).is_file()


def test_a_delete_without_the_csrf_token_is_refused(world, make_persona, media_root):
    from django.test import Client

    manager = make_persona("data_manager")
    export = finished_export(world, manager, media_root)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post(reverse("imaging:export-delete", args=[export.pk])).status_code == 403
    export.refresh_from_db()
    assert export.status == "done"


def test_the_nightly_task_deletes_zips_older_than_the_setting_as_a_system_action(
    world, make_persona, media_root, settings, django_capture_on_commit_callbacks
):
    settings.IMAGING_EXPORT_KEEP_DAYS = 30
    manager = make_persona("data_manager")
    old = finished_export(world, manager, media_root, days_ago=31)
    old_failed = finished_export(world, manager, media_root, status="failed", days_ago=40)
    recent = finished_export(world, manager, media_root, days_ago=29)
    running = finished_export(world, manager, media_root, status="running", days_ago=60)
    old_zip, recent_zip = Path(media_root) / old.zip_path, Path(media_root) / recent.zip_path

    with django_capture_on_commit_callbacks(execute=True):
        assert exports_expire_task.delay().get() == 2

    assert not old_zip.exists() and recent_zip.is_file()
    statuses = dict(ImagingExport.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "deleted", old_failed.pk: "deleted", recent.pk: "done", running.pk: "running"}
    event = deletions(old).get()
    assert (event.user, event.path) == (None, "system") and "30 days" in event.reason
    old.refresh_from_db()
    assert old.deleted_by is None and old.deleted_at is not None
    assert exports_expire() == 0  # already deleted: a second night does nothing


def test_the_expiry_runs_nightly_from_beat():
    from lbpb.celery import app

    entries = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert entries["imaging.tasks.exports_expire_task"]["schedule"].hour == {3}
    assert "imaging.tasks.exports_expire_task" in app.tasks


def test_keep_days_zero_keeps_zips_forever(world, make_persona, media_root, settings):
    settings.IMAGING_EXPORT_KEEP_DAYS = 0
    export = finished_export(world, make_persona("data_manager"), media_root, days_ago=3650)
    assert exports_expire() == 0
    export.refresh_from_db()
    assert export.status == "done" and (Path(media_root) / export.zip_path).is_file()


def test_an_expired_export_reads_as_deleted_automatically_on_the_list(
    client, world, make_persona, media_root, settings
):
    settings.IMAGING_EXPORT_KEEP_DAYS = 7
    manager = make_persona("data_manager")
    finished_export(world, manager, media_root, days_ago=8)
    exports_expire()
    client.force_login(manager)
    page = client.get(reverse("imaging:export-list", args=[world.study.code])).content.decode()
    assert 'data-status="deleted"' in page and "automatically" in page and "export-download" not in page
    assert "A zip is deleted automatically 7 days after the export finished." in page
