"""The response import as a queued job: refused at upload past RESPONSE_IMPORT_MAX_ROWS rows or a cell past
RESPONSE_IMPORT_MAX_FIELD_CHARS, else a job row whose page shows its progress and then the per-row report."""

from django.urls import reverse

from accounts.services import membership_grant
from audit.models import AuditEvent
from instruments.models import Response
from tests.factories import UserFactory
from tests.imports import post_import
from workflows.models import ResponseImportJob
from workflows.services import response_import_run, responses_import_queue

from .test_response_import import HEADER, import_url, row, upload


def big_file(rows: int) -> str:
    return "\n".join([HEADER] + [row("ALPHA-A-0001")] * rows)


def test_a_file_of_5001_rows_is_refused_at_upload_and_no_job_is_made(client, alpha, coordinator):
    client.force_login(coordinator)
    response = post_import(client, import_url(), {"file": upload(big_file(5001)), "complete": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "more than 5000 rows; at most 5000 rows are imported at once" in html
    assert not ResponseImportJob.objects.exists() and not Response.objects.exists()


def test_the_row_cap_is_a_setting(client, alpha, coordinator, settings):
    settings.RESPONSE_IMPORT_MAX_ROWS = 2
    client.force_login(coordinator)
    html = post_import(client, import_url(), {"file": upload(big_file(3))}).content.decode()
    assert "more than 2 rows" in html and not ResponseImportJob.objects.exists()


def test_a_cell_over_the_field_limit_is_refused_with_its_line_not_a_csv_error(client, alpha, coordinator, settings):
    client.force_login(coordinator)
    huge = "\n".join([HEADER, row("ALPHA-A-0001"), row("ALPHA-A-0002", "x" * 70_000)])
    html = post_import(client, import_url(), {"file": upload(huge)}).content.decode()
    assert "Line 3 has a cell longer than 65536 characters" in html
    beyond_csv = "\n".join([HEADER, row("ALPHA-A-0001", '"' + "y" * 200_000 + '"')])  # past csv's own 128 KiB
    html = post_import(client, import_url(), {"file": upload(beyond_csv)}).content.decode()
    assert "has a cell longer than 65536 characters" in html
    assert not ResponseImportJob.objects.exists()


def test_the_job_page_shows_progress_while_queued_and_the_report_when_done(client, alpha, coordinator):
    client.force_login(coordinator)
    text = "\n".join([HEADER, row("ALPHA-A-0001"), row("ALPHA-A-0002", "9")])
    job = responses_import_queue(study=alpha.study, user=coordinator, csv_text=text, file_name="visits.csv")
    url = reverse("workflows:response-import-job", args=["alpha", job.pk])
    page = client.get(url).content.decode()
    assert 'data-status="queued"' in page and "0 of 2 done" in page and 'http-equiv="refresh"' in page

    response_import_run(job_id=job.pk)  # what the task does
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.csv_text) == ("failed", 2, "")  # the stored upload is emptied
    page = client.get(url).content.decode()
    assert "2 of 2 done" in page and 'http-equiv="refresh"' not in page
    assert "Nothing was saved" in page and "phq9_1: Choose one of the listed options." in page
    assert "Valid, not saved" in page and not Response.objects.exists()
    assert AuditEvent.objects.filter(object_type="workflows.responseimportjob").count() == 2


def test_a_good_file_through_the_page_lands_on_its_job_with_every_row_saved(client, alpha, coordinator):
    client.force_login(coordinator)
    text = "\n".join([HEADER, row("ALPHA-A-0001"), row("ALPHA-A-0002", "2")])
    page = post_import(client, import_url(), {"file": upload(text), "complete": "on"}).content.decode()
    job = ResponseImportJob.objects.get()
    assert job.status == "succeeded" and job.rows_total == job.rows_done == 2
    assert "2 forms saved." in page and 'id="import-status"' in page and Response.objects.count() == 2


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(alpha, coordinator):
    text = "\n".join([HEADER, row("ALPHA-A-0001")])
    job = responses_import_queue(study=alpha.study, user=coordinator, csv_text=text, file_name="a.csv")
    response_import_run(job_id=job.pk)
    response_import_run(job_id=job.pk)
    assert Response.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1


def test_another_sites_user_cannot_see_the_job_report(client, alpha, coordinator):
    job = responses_import_queue(
        study=alpha.study, user=coordinator, csv_text="\n".join([HEADER, row("ALPHA-A-0001")]), file_name="a.csv"
    )
    site_b = UserFactory(username="coordinator-b")
    membership_grant(user=site_b, study=alpha.study, role="coordinator", sites=[alpha.site_b], all_sites=False)
    client.force_login(site_b)
    assert client.get(reverse("workflows:response-import-job", args=["alpha", job.pk])).status_code == 404


def test_the_import_reports_its_progress_every_50_rows(alpha, coordinator):
    seen: list[int] = []
    job = responses_import_queue(study=alpha.study, user=coordinator, csv_text=big_file(120), file_name="a.csv")
    response_import_run(job_id=job.pk, progress=seen.append)
    job.refresh_from_db()
    assert seen == [50, 100] and (job.status, job.rows_done, job.rows_total) == ("succeeded", 120, 120)
