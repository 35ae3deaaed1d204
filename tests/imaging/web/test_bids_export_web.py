"""The "Export MRI as BIDS" page: who may ask, the job running in-process, the list, and the zip download."""

import io
import zipfile

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from imaging.models import ImagingExport
from tests.imaging.test_bids_export import write_mr_series
from tests.imaging.web.conftest import zip_of

pytestmark = pytest.mark.django_db

T1 = "alpha-bids/sub-ALPHAA0001/ses-baseline/anat/sub-ALPHAA0001_ses-baseline_T1w.nii.gz"


@pytest.fixture
def exported(client, world, make_persona, upload, visit_a, django_capture_on_commit_callbacks, tmp_path):
    """A site-A data manager uploads a real MR series for participant A and asks for an export, which runs."""
    manager = make_persona("data_manager")
    client.force_login(manager)
    response = upload(
        [zip_of(write_mr_series(tmp_path / "t1", "T1 MPRAGE"))], participant=world.participant_a.pk, visit=visit_a.pk
    )
    assert response.status_code == 302
    url = reverse("imaging:export-list", args=[world.study.code])
    assert "No exports yet." in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response.url == url
    return ImagingExport.objects.get()


def test_a_data_manager_exports_and_downloads_the_zip(client, world, exported):
    page = client.get(reverse("imaging:export-list", args=[world.study.code])).content.decode()
    download = reverse("imaging:export-download", args=[exported.pk])
    assert 'data-status="done"' in page and f'href="{download}"' in page
    assert "Series exported: 1 (participants: 1); failed: 0; left out: 0." in page
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'attachment; filename="alpha-bids-' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert T1 in archive.namelist()
    assert archive.read("alpha-bids/participants.tsv").decode() == "participant_id\nsub-ALPHAA0001\n"
    assert (
        AuditEvent.objects.filter(object_type="imaging.imagingexport", action="export", reason="download").count() == 1
    )


def test_a_coordinator_gets_403_and_a_member_of_another_study_404(client, world, make_persona, exported):
    list_url = reverse("imaging:export-list", args=[world.study.code])
    download = reverse("imaging:export-download", args=[exported.pk])
    client.force_login(make_persona("coordinator", all_sites=True))
    assert client.get(list_url).status_code == 403
    assert client.post(list_url).status_code == 403
    assert client.get(download).status_code == 403
    assert ImagingExport.objects.count() == 1
    client.force_login(make_persona("admin", study=world.other_study, sites=[world.site_c]))
    assert client.get(list_url).status_code == 404
    assert client.get(download).status_code == 404


def test_the_zip_of_site_a_is_hidden_from_site_b_but_not_from_an_all_sites_manager(
    client, world, make_persona, exported
):
    download = reverse("imaging:export-download", args=[exported.pk])
    site_b = make_persona("admin", sites=[world.site_b])
    client.force_login(site_b)
    assert client.get(download).status_code == 404
    page = client.get(reverse("imaging:export-list", args=[world.study.code])).content.decode()
    assert f'data-export="{exported.pk}"' not in page and "No exports yet." in page
    client.force_login(make_persona("unblinded_statistician", all_sites=True))
    assert client.get(download).status_code == 200


def test_a_second_request_waits_for_the_first_and_an_unfinished_export_has_no_download(client, world, make_persona):
    client.force_login(make_persona("data_manager"))
    url = reverse("imaging:export-list", args=[world.study.code])
    client.post(url)  # the commit hooks do not run: the export stays queued
    page = client.post(url, follow=True).content.decode()
    assert "has not finished yet" in page and 'data-status="queued"' in page
    export = ImagingExport.objects.get()
    response = client.get(reverse("imaging:export-download", args=[export.pk]), follow=True)
    assert response.redirect_chain[-1][0] == url and "no zip to download yet" in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_export_or_five(client, world, make_persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = make_persona("data_manager", all_sites=True)
    client.force_login(manager)
    url = reverse("imaging:export-list", args=[world.study.code])
    counts = []
    for total in (1, 5):
        while ImagingExport.objects.count() < total:
            export = ImagingExport.objects.create(study=world.study, requested_by=manager, status="done")
            export.sites.set([world.site_a])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_log_reads_in_the_viewers_language_not_the_workers(
    client, world, make_persona, upload, django_capture_on_commit_callbacks, tmp_path
):
    """The export runs in English (the worker's language here); a zh-Hans reader sees the lines in Chinese."""
    import re

    client.force_login(make_persona("data_manager", all_sites=True))
    upload([zip_of(write_mr_series(tmp_path / "t2", "T2 TSE"))])  # no participant chosen: waits to be linked
    url = reverse("imaging:export-list", args=[world.study.code])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    export = ImagingExport.objects.get()
    series = export.log_entries[1]["params"]["id"]
    assert (
        export.log.splitlines()[1] == f"Series {series} (T2 TSE): not linked to a participant yet (needs-linking "
        "queue)."
    )

    def log_shown(language):
        client.cookies["django_language"] = language
        page = client.get(url).content.decode()
        return re.search(r'class="small mb-0 export-log">(.*?)</pre>', page, re.S).group(1).splitlines()

    assert log_shown("zh-hans") == [
        "已导出序列：0（参与者：0）；失败：0；未纳入：1。",
        f"序列 {series}（T2 TSE）：尚未关联到参与者（待关联队列）。",
    ]
    assert log_shown("en") == export.log.splitlines()
