"""Audit events and file names follow the file's own scope (issue #11).

A file stored at site B is not a site-A user's business: its object trail is a 404 and the study trail shows none of
its events, although the file's "create" event is written before the file is linked. An original file name may
carry the patient's name: monitors, statisticians and data managers (no SEE_IDENTIFIERS) never read it on an
acquisition page or in a trail, only the safe name ``dicom-<id>.dcm``.
"""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.services import membership_grant
from audit.models import AuditEvent
from imaging.models import DataFile, IngestJob
from imaging.services import upload_receive
from tests.factories import UserFactory
from tests.imaging.files import dicom_test_file
from tests.imaging.web.conftest import make_visit

pytestmark = pytest.mark.django_db

PATIENT_NAME = "Zhang_San"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _receive(django_capture_on_commit_callbacks, *, user, study, participant, name, source="MR_small.dcm"):
    """Upload a real small DICOM file under ``name`` and run its ingest job (in-process, as without a broker)."""
    handle = io.BytesIO(Path(dicom_test_file(source)).read_bytes())
    visit = make_visit(participant) if participant is not None else None
    with django_capture_on_commit_callbacks(execute=True):
        [job] = upload_receive(study=study, user=user, files=[(name, handle)], participant=participant, visit=visit)
    job.refresh_from_db()
    return job


@pytest.fixture
def site_b_file(world, make_persona, django_capture_on_commit_callbacks):
    uploader = _uploader(world, world.site_b)
    job = _receive(
        django_capture_on_commit_callbacks,
        user=uploader,
        study=world.study,
        participant=world.participant_b,
        name=f"{PATIENT_NAME}_MRI.dcm",
    )
    assert job.status == IngestJob.Status.SUCCEEDED, job.log
    return job


@pytest.fixture
def site_a_file(world, make_persona, django_capture_on_commit_callbacks):
    uploader = _uploader(world, world.site_a)
    job = _receive(
        django_capture_on_commit_callbacks,
        user=uploader,
        study=world.study,
        participant=world.participant_a,
        name=f"{PATIENT_NAME}_MRI.dcm",
    )
    assert job.status == IngestJob.Status.SUCCEEDED, job.log
    return job


def _uploader(world, site):
    user = UserFactory(username=f"uploader-{site.code}")
    membership_grant(user=user, study=world.study, role="coordinator", sites=[site])
    return user


def _trail(object_type, object_id):
    return reverse("audit:object-events", args=[object_type, str(object_id)])


def test_the_file_create_event_carries_the_participant_chosen_at_upload(world, site_b_file):
    [created] = AuditEvent.objects.filter(object_type="imaging.datafile", action="create")
    assert (created.participant, created.site) == (world.participant_b, world.site_b)


@pytest.mark.parametrize("role", ["monitor", "coordinator", "data_manager", "pi", "admin"])
def test_a_site_b_files_trail_is_a_404_for_a_site_a_user_and_the_study_trail_shows_none_of_it(
    client, world, make_persona, site_b_file, role
):
    data_file = site_b_file.data_file
    client.force_login(make_persona(role))
    assert client.get(reverse("imaging:datafile-detail", args=[data_file.pk])).status_code == 404
    assert client.get(_trail("imaging.datafile", data_file.pk)).status_code == 404
    assert client.get(_trail("imaging.ingestjob", site_b_file.pk)).status_code == 404
    study_trail = reverse("audit:study-events", args=[world.study.code])
    page = client.get(study_trail)
    if page.status_code == 403:  # the role may not read the study trail at all
        return
    body = page.content.decode()
    for response in (page, client.get(study_trail, {"format": "csv"})):
        text = body if response is page else b"".join(response.streaming_content).decode("utf-8-sig")
        assert PATIENT_NAME not in text and data_file.sha256 not in text
        assert f"imaging.datafile/{data_file.pk}/" not in text


def test_an_unlinked_files_events_are_only_for_roles_that_see_the_linking_queue(
    client, world, make_persona, django_capture_on_commit_callbacks
):
    uploader = _uploader(world, world.site_b)
    job = _receive(
        django_capture_on_commit_callbacks, user=uploader, study=world.study, participant=None, name="scan.dcm"
    )
    data_file = DataFile.objects.get(pk=job.data_file_id)
    assert data_file.participant is None
    client.force_login(make_persona("monitor"))
    assert client.get(_trail("imaging.datafile", data_file.pk)).status_code == 404
    rows = client.get(reverse("audit:study-events", args=[world.study.code]), {"format": "csv"})
    assert data_file.sha256 not in b"".join(rows.streaming_content).decode("utf-8-sig")
    client.force_login(make_persona("data_manager"))
    assert client.get(_trail("imaging.datafile", data_file.pk)).status_code == 200


def _pages(world, job):
    data_file = job.data_file
    participant = world.participant_a
    return [
        reverse("imaging:job-list", args=[world.study.code]),
        reverse("imaging:job-rows", args=[world.study.code]),
        reverse("imaging:job-detail", args=[job.pk]),
        reverse("imaging:datafile-detail", args=[data_file.pk]),
        reverse("participants:participant-detail", args=[participant.pk]),
        _trail("imaging.datafile", data_file.pk),
        _trail("imaging.ingestjob", job.pk),
        reverse("audit:participant-events", args=[participant.pk]),
        reverse("audit:study-events", args=[world.study.code]),
    ]


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.parametrize("role", ["monitor", "unblinded_statistician", "data_manager"])
def test_roles_without_identifiers_never_read_an_original_file_name(client, world, make_persona, site_a_file, role):
    client.force_login(make_persona(role))
    seen = 0
    for url in _pages(world, site_a_file):
        for response in (client.get(url), client.get(url, {"format": "csv"})):
            if response.status_code == 200:
                seen += 1
                assert PATIENT_NAME not in _text(response), url
    assert seen >= 10
    detail = client.get(reverse("imaging:datafile-detail", args=[site_a_file.data_file_id])).content.decode()
    assert f"dicom-{site_a_file.data_file_id}.dcm" in detail


def test_a_failed_jobs_error_and_log_hide_the_file_name_from_a_monitor(
    client, world, make_persona, django_capture_on_commit_callbacks
):
    coordinator = make_persona("coordinator")
    job = _receive(
        django_capture_on_commit_callbacks,
        user=coordinator,
        study=world.study,
        participant=world.participant_a,
        name=f"{PATIENT_NAME}_broken.dcm",
        source="MR_truncated.dcm",
    )
    assert job.status == IngestJob.Status.FAILED
    client.force_login(coordinator)
    own = client.get(reverse("imaging:job-detail", args=[job.pk])).content.decode()
    assert f"{PATIENT_NAME}_broken.dcm" in own  # site staff who may see identifiers read the real name
    client.force_login(make_persona("monitor"))
    for url in (reverse("imaging:job-detail", args=[job.pk]), reverse("imaging:job-list", args=[world.study.code])):
        page = client.get(url)
        assert page.status_code == 200 and PATIENT_NAME not in page.content.decode()
    assert f"job-{job.pk}.dcm" in client.get(reverse("imaging:job-detail", args=[job.pk])).content.decode()


@pytest.mark.parametrize("role", ["coordinator", "pi", "admin"])
def test_roles_allowed_identifiers_read_the_original_name_on_pages_and_in_the_trail(
    client, world, make_persona, site_a_file, role
):
    client.force_login(make_persona(role))
    detail = client.get(reverse("imaging:datafile-detail", args=[site_a_file.data_file_id])).content.decode()
    assert f"{PATIENT_NAME}_MRI.dcm" in detail
    trail = client.get(_trail("imaging.datafile", site_a_file.data_file_id)).content.decode()
    assert f"{PATIENT_NAME}_MRI.dcm" in trail
