"""The watched drop folder: real files copied into <drop>/<study>/... become ingest jobs once they have settled."""

import os
import shutil
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from imaging.models import DataFile, IngestJob
from imaging.services.dropfolder import dropfolder_scan
from imaging.tasks import dropfolder_scan_task
from tests.factories import ParticipantFactory
from tests.imaging.web.conftest import PETER, make_visit, zip_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def drop(settings, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    settings.IMAGING_DROP_FOLDER = str(folder)
    settings.IMAGING_DROP_SETTLE_SECONDS = 0
    return folder


@pytest.fixture
def eeg(pyedflib_dir) -> Path:
    return pyedflib_dir / "tests" / "data" / "test_subsecond.edf"  # real EEG, EDF+


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    """One scan, running the jobs it queues in-process (as without a broker)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return dropfolder_scan(**kwargs)

    return run


def put(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def staged_files(media_root) -> list[Path]:
    return [p for p in (Path(media_root) / "imaging" / "incoming").rglob("*") if p.is_file()]


def test_a_settled_file_becomes_a_job_and_leaves_the_drop_folder(world, drop, eeg, scan, media_root):
    dropped = put(eeg, drop / "alpha" / "night" / "eeg.edf")
    jobs = scan()
    assert len(jobs) == 1
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    assert job.original_name == "alpha/night/eeg.edf" and job.uploaded_by.username == "dropfolder"
    assert not dropped.exists() and staged_files(media_root) == []
    data_file = DataFile.objects.get()
    assert data_file.study == world.study and data_file.link_status == "needs_linking"
    event = AuditEvent.objects.get(object_type="imaging.ingestjob", action="create")
    assert event.path == "system" and event.reason == "drop folder" and event.user.username == "dropfolder"
    assert not job.uploaded_by.is_active and not job.uploaded_by.has_usable_password()


def test_a_file_still_being_copied_is_left_for_a_later_scan(world, drop, eeg, scan, settings):
    settings.IMAGING_DROP_SETTLE_SECONDS = 60
    dropped = put(eeg, drop / "alpha" / "eeg.edf")
    assert scan() == [] and dropped.exists() and IngestJob.objects.count() == 0
    assert len(scan(now=time.time() + 61)) == 1 and not dropped.exists()


def test_a_copy_that_kept_the_source_modification_time_still_has_to_settle(world, drop, eeg, scan, settings):
    settings.IMAGING_DROP_SETTLE_SECONDS = 60
    dropped = put(eeg, drop / "alpha" / "eeg.edf")
    old = time.time() - 3600
    os.utime(dropped, (old, old))  # as cp -p or Explorer do: the change time is still now
    assert scan() == [] and dropped.exists()


def test_participant_and_visit_folders_link_the_file_to_that_visit(world, drop, eeg, scan):
    visit = make_visit(world.participant_a)
    put(eeg, drop / "alpha" / "ALPHA-A-0001" / "baseline" / "eeg.edf")
    scan()
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    assert job.participant == world.participant_a and job.visit == visit
    data_file = DataFile.objects.get()
    assert data_file.participant == world.participant_a and data_file.visit == visit
    assert data_file.link_status == "linked"


def test_folders_that_name_no_participant_of_the_study_leave_linking_to_the_header(world, drop, eeg, scan):
    make_visit(world.participant_c, code="baseline")  # a participant of study beta, not alpha
    put(eeg, drop / "alpha" / "BETA-C-0001" / "baseline" / "eeg.edf")
    scan()
    job = IngestJob.objects.get()
    assert job.status == "succeeded" and job.participant is None
    assert DataFile.objects.get().link_status == "needs_linking"


def test_an_unknown_study_folder_is_left_alone(world, drop, eeg, scan):
    dropped = put(eeg, drop / "nosuchstudy" / "eeg.edf")
    loose = put(eeg, drop / "loose.edf")
    assert scan() == [] and scan() == []
    assert dropped.exists() and loose.exists() and IngestJob.objects.count() == 0


def test_the_same_file_dropped_twice_is_stored_once(world, drop, eeg, scan):
    put(eeg, drop / "alpha" / "eeg.edf")
    scan()
    put(eeg, drop / "alpha" / "again" / "copy.edf")
    scan()
    assert DataFile.objects.count() == 1
    first, second = IngestJob.objects.order_by("pk")
    assert second.duplicate and second.status == "succeeded" and second.data_file_id == first.data_file_id
    assert list(drop.rglob("*.edf")) == []


def test_a_dropped_zip_becomes_one_job_per_member(world, drop, scan, dicomdir_tree, media_root):
    peter = ParticipantFactory(site=world.site_a, identifier=PETER)  # the PatientID inside the MR files
    make_visit(peter)
    members = sorted((dicomdir_tree / "98892003" / "MR700").iterdir())[:2]
    archive = drop / "alpha" / "mri.zip"
    archive.parent.mkdir()
    archive.write_bytes(zip_of(members).getvalue())
    scan()
    jobs = IngestJob.objects.order_by("original_name")
    assert [job.original_name for job in jobs] == ["alpha/mri.zip/MR700/4467", "alpha/mri.zip/MR700/4528"]
    assert {job.status for job in jobs} == {"succeeded"}
    assert DataFile.objects.filter(participant=peter).count() == 2  # header mapping over the whole study
    assert not archive.exists() and staged_files(media_root) == []


def test_a_damaged_zip_stays_in_the_drop_folder(world, drop, scan, media_root, dicomdir_tree):
    data = bytearray(zip_of(sorted((dicomdir_tree / "98892003" / "MR700").iterdir())[:2]).getvalue())
    data[400:420] = b"\xff" * 20  # inside the first stored member: its CRC no longer matches
    archive = drop / "alpha" / "broken.zip"
    archive.parent.mkdir()
    archive.write_bytes(bytes(data))
    assert scan() == [] and archive.exists() and IngestJob.objects.count() == 0
    assert staged_files(media_root) == []


def test_a_file_that_cannot_be_moved_stays_where_it_was_dropped(world, drop, eeg, scan, media_root):
    Path(media_root).mkdir(parents=True)
    (Path(media_root) / "imaging").write_text("a file where the staging folder should be")
    dropped = put(eeg, drop / "alpha" / "eeg.edf")
    assert scan() == [] and dropped.exists() and IngestJob.objects.count() == 0


def test_with_no_drop_folder_set_the_task_does_nothing(world, drop, eeg, settings):
    dropped = put(eeg, drop / "alpha" / "eeg.edf")
    settings.IMAGING_DROP_FOLDER = ""
    assert dropfolder_scan_task() == 0
    assert dropped.exists() and IngestJob.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("watch_dropfolder", "--once")


@pytest.mark.django_db(transaction=True)  # the command commits, so its on_commit hooks run as in production
def test_the_command_runs_the_same_scan_once(world, drop, eeg, capsys):
    dropped = put(eeg, drop / "alpha" / "eeg.edf")
    call_command("watch_dropfolder", "--once")
    assert "1 files taken" in capsys.readouterr().out
    assert not dropped.exists() and IngestJob.objects.get().status == "succeeded"
