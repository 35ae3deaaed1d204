"""BIDS export: naming (pure) and a real conversion of ingested MR series through the services, zip opened and read.

No wheel ships a real multi-slice MR series at full size (test_data.md §1.3), so the series are built from
pydicom's real MR_small.dcm slice with new UIDs and positions, as test_dicom_series.write_series does, and given
a patient name, ID and birth date that must not survive into the zip.
"""

import gzip
import io
import json
import struct
import subprocess
import zipfile
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from audit.models import AuditEvent
from imaging.models import DataFile, DicomSeries, ImagingExport
from imaging.services import upload_receive
from imaging.services.bids import (
    BidsKind,
    SeriesFiles,
    bids_kind,
    clean_sidecar,
    dcm2niix_binary,
    message_text,
    plan_series,
)
from imaging.services.bids_export import export_request
from tests.imaging.files import dicom_test_file
from tests.imaging.web.conftest import make_visit

IDENTITY = {"PatientName": "Zhang^Weiming", "PatientID": "P7781234", "PatientBirthDate": "19510802"}
FORBIDDEN = [b"Zhang", b"Weiming", b"P7781234", b"19510802", b"CompressedSamples", b"4MR1"]


# -- naming (pure) ---------------------------------------------------------------------------------------------------


def test_series_labels_map_to_bids_datatypes_suffixes_and_entities():
    assert bids_kind("t1w") == BidsKind("anat", "T1w")
    assert bids_kind("t2w") == BidsKind("anat", "T2w")
    assert bids_kind("lumbar_t2_sag") == BidsKind("anat", "T2w", (("acq", "lumbarsag"),))
    assert bids_kind("bold:pain_empathy") == BidsKind("func", "bold", (("task", "painempathy"),))
    assert bids_kind("bold") == BidsKind("func", "bold", (("task", "unnamed"),))
    assert bids_kind("dwi") == BidsKind("dwi", "dwi")
    assert bids_kind("localizer") is None and bids_kind("angio") is None and bids_kind("unknown") is None


def _series(series_id, label, *, participant=1, identifier="ALPHA-A-0001", visit="baseline", order=None):
    return SeriesFiles(
        series_id=series_id,
        label=label,
        description=f"d{series_id}",
        participant_ids=frozenset({participant}),
        identifier=identifier,
        visit_code=visit,
        order=order or ("2003-05-01", series_id, series_id),
        paths=(f"{series_id}.dcm",),
    )


def test_two_series_of_a_kind_in_a_session_get_runs_and_left_out_series_are_listed():
    planned, lines = plan_series(
        [
            _series(2, "t1w", order=("2003-05-01", 9, 2)),  # scanned after series 3: run-2
            _series(3, "t1w", order=("2003-05-01", 5, 3)),
            _series(4, "t1w", visit="month-6"),  # another session: no run
            _series(5, "lumbar_t2_sag"),
            _series(6, "bold:rest"),
            _series(7, "localizer"),
            SeriesFiles(8, "t2w", "waiting", frozenset({None}), "", "", ("", 0, 8), ("8.dcm",)),
            _series(9, "t2w", participant=2, identifier="ALPHA.A.0001"),  # same BIDS label as participant 1
        ]
    )
    names = {p.series_id: f"{p.folder}/{p.stem}" for p in planned}
    assert names == {
        3: "sub-ALPHAA0001/ses-baseline/anat/sub-ALPHAA0001_ses-baseline_run-1_T1w",
        2: "sub-ALPHAA0001/ses-baseline/anat/sub-ALPHAA0001_ses-baseline_run-2_T1w",
        4: "sub-ALPHAA0001/ses-month6/anat/sub-ALPHAA0001_ses-month6_T1w",
        5: "sub-ALPHAA0001/ses-baseline/anat/sub-ALPHAA0001_ses-baseline_acq-lumbarsag_T2w",
        6: "sub-ALPHAA0001/ses-baseline/func/sub-ALPHAA0001_ses-baseline_task-rest_bold",
    }
    by_series = {line.split(" ")[1]: line for line in map(message_text, lines)}
    assert set(by_series) == {"7", "8", "9"}
    assert by_series["7"] == "Series 7 (d7): the label localizer has no BIDS name."
    assert by_series["8"] == "Series 8 (waiting): not linked to a participant yet (needs-linking queue)."
    assert "sub-ALPHAA0001" in by_series["9"]
    localizer = next(line for line in lines if line["params"]["id"] == 7)
    assert localizer["params"]["reason"] == {
        "msgid": "the label %(label)s has no BIDS name",
        "params": {"label": "localizer"},
    }  # a template, translated when shown


# -- real conversion through the services ----------------------------------------------------------------------------


def write_mr_series(
    folder: Path,
    description: str,
    *,
    slices: int = 4,
    volumes: int = 1,
    number: int = 1,
    bvalues: tuple[float, ...] = (),
):
    """A series from the real MR_small.dcm slice (64x64), with a patient identity that must not be exported.
    ``bvalues``: one volume per b-value, with the standard DiffusionBValue and gradient direction tags."""
    folder.mkdir(parents=True, exist_ok=True)
    source = pydicom.dcmread(dicom_test_file("MR_small.dcm"))
    for key, value in IDENTITY.items():
        setattr(source, key, value)
    study, series = generate_uid(), generate_uid()
    paths = []
    for index in range(slices * volumes):
        source.StudyInstanceUID, source.SeriesInstanceUID = study, series
        source.SOPInstanceUID = source.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        source.InstanceNumber, source.SeriesNumber, source.SeriesDescription = index + 1, number, description
        source.ImagePositionPatient = [-83.9063, -91.2, 6.6406 + 0.8 * (index % slices)]
        if bvalues:
            volume = index // slices
            source.add_new(0x00189087, "FD", bvalues[volume])  # DiffusionBValue
            source.add_new(0x00189089, "FD", [1.0, 0.0, 0.0] if bvalues[volume] else [0.0, 0.0, 0.0])
        path = folder / f"{number:02d}-{index:03d}.dcm"
        source.save_as(path)
        paths.append(path)
    return paths


def test_the_wheel_binary_anonymises_the_sidecar_only_when_asked_and_cleaning_keeps_the_geometry(tmp_path):
    write_mr_series(tmp_path / "in", "T1 MPRAGE")
    sidecars = {}
    for flag in ("y", "n"):
        out = tmp_path / flag
        out.mkdir()
        subprocess.run(
            [
                dcm2niix_binary(),
                "-b",
                "y",
                "-ba",
                flag,
                "-z",
                "y",
                "-f",
                "x",
                "-o",
                str(out),  # noqa: S603
                str(tmp_path / "in"),
            ],
            check=True,
            capture_output=True,
        )
        sidecars[flag] = out / "x.json"
    assert json.loads(sidecars["n"].read_text())["PatientID"] == "P7781234"  # so the checks below can fail
    assert not {"PatientName", "PatientID", "PatientBirthDate"} & set(json.loads(sidecars["y"].read_text()))
    clean_sidecar(sidecars["n"], task="rest")
    cleaned = json.loads(sidecars["n"].read_text())
    assert not {"PatientName", "PatientID", "PatientSex", "PatientWeight"} & set(cleaned)
    assert cleaned["TaskName"] == "rest" and len(cleaned["ImageOrientationPatientDICOM"]) == 6
    assert cleaned["PatientPosition"] == "HFS"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ingest(world, make_persona, django_capture_on_commit_callbacks, media_root):
    """Run files through the real ingest services (jobs run in-process), linked to participant A at baseline."""
    user = make_persona("data_manager", all_sites=True)
    visit = make_visit(world.participant_a)

    def run(paths, *, linked=True):
        files = [(path.name, io.BytesIO(path.read_bytes())) for path in paths]
        target = {"participant": world.participant_a, "visit": visit} if linked else {}
        with django_capture_on_commit_callbacks(execute=True):
            upload_receive(study=world.study, user=user, files=files, **target)

    run.user = user
    return run


@pytest.fixture
def export_of(django_capture_on_commit_callbacks):
    def run(study, user) -> ImagingExport:
        with django_capture_on_commit_callbacks(execute=True):
            export = export_request(study=study, user=user)
        export.refresh_from_db()
        return export

    return run


def nifti_dims(data: bytes) -> tuple[int, ...]:
    """dim[] of a NIfTI-1 header (nibabel is not installed): sizeof_hdr 348 at 0, dim as 8 int16 at 40."""
    assert struct.unpack("<i", data[:4])[0] == 348 and data[344:348] in (b"n+1\x00", b"ni1\x00")
    dims = struct.unpack("<8h", data[40:56])
    return dims[1 : 1 + dims[0]]


def test_real_mr_series_become_a_bids_dataset_without_identity(world, ingest, export_of, media_root, tmp_path):
    ingest(write_mr_series(tmp_path / "t1a", "T1 MPRAGE", number=3))
    ingest(write_mr_series(tmp_path / "t1b", "T1 MPRAGE", number=7))
    ingest(write_mr_series(tmp_path / "bold", "fMRI_pain_empathy", volumes=2, number=5))
    ingest(write_mr_series(tmp_path / "dwi", "DWI b1000", volumes=3, number=6, bvalues=(0.0, 1000.0, 1000.0)))
    ingest(write_mr_series(tmp_path / "spine", "Lumbar spine T2 SAG", number=8))
    ingest(write_mr_series(tmp_path / "loose", "T2 TSE", number=9), linked=False)  # waits in the queue
    assert DataFile.objects.filter(link_status="needs_linking").count() == 4
    assert set(DicomSeries.objects.values_list("label", flat=True)) == {
        "t1w",
        "bold:pain_empathy",
        "dwi",
        "lumbar_t2_sag",
        "t2w",
    }

    export = export_of(world.study, ingest.user)

    assert export.status == "done", export.error
    assert (export.subjects, export.series_exported, export.series_failed, export.series_left_out) == (1, 5, 0, 1)
    assert "not linked to a participant yet" in export.log
    assert len(export.log_entries) == len(export.log.splitlines()) == 2  # the summary and the unlinked series
    archive = zipfile.ZipFile(media_root / export.zip_path)
    base = "alpha-bids/sub-ALPHAA0001/ses-baseline"
    names = set(archive.namelist())
    assert {
        "alpha-bids/dataset_description.json",
        "alpha-bids/participants.tsv",
        "alpha-bids/README",
        "alpha-bids/CHANGES",
        f"{base}/anat/sub-ALPHAA0001_ses-baseline_run-1_T1w.nii.gz",
        f"{base}/anat/sub-ALPHAA0001_ses-baseline_run-1_T1w.json",
        f"{base}/anat/sub-ALPHAA0001_ses-baseline_run-2_T1w.nii.gz",
        f"{base}/func/sub-ALPHAA0001_ses-baseline_task-painempathy_bold.nii.gz",
        f"{base}/func/sub-ALPHAA0001_ses-baseline_task-painempathy_bold.json",
        f"{base}/dwi/sub-ALPHAA0001_ses-baseline_dwi.nii.gz",
        f"{base}/dwi/sub-ALPHAA0001_ses-baseline_dwi.bvec",
        f"{base}/anat/sub-ALPHAA0001_ses-baseline_acq-lumbarsag_T2w.nii.gz",
    } <= names
    assert sorted(name for name in names if "T2w" in name) == [  # the unlinked T2 series is not there
        f"{base}/anat/sub-ALPHAA0001_ses-baseline_acq-lumbarsag_T2w.json",
        f"{base}/anat/sub-ALPHAA0001_ses-baseline_acq-lumbarsag_T2w.nii.gz",
    ]
    assert archive.read(f"{base}/dwi/sub-ALPHAA0001_ses-baseline_dwi.bval").split() == [b"0", b"1000", b"1000"]
    assert nifti_dims(gzip.decompress(archive.read(f"{base}/anat/sub-ALPHAA0001_ses-baseline_run-1_T1w.nii.gz"))) == (
        64,
        64,
        4,
    )
    assert nifti_dims(
        gzip.decompress(archive.read(f"{base}/func/sub-ALPHAA0001_ses-baseline_task-painempathy_bold.nii.gz"))
    ) == (64, 64, 4, 2)
    bold = json.loads(archive.read(f"{base}/func/sub-ALPHAA0001_ses-baseline_task-painempathy_bold.json"))
    assert bold["TaskName"] == "painempathy" and bold["ConversionSoftware"] == "dcm2niix"
    assert bold["RepetitionTime"] == 4 and len(bold["ImageOrientationPatientDICOM"]) == 6
    for name in names:
        data = archive.read(name)
        if name.endswith(".json"):
            assert not {"PatientName", "PatientID", "PatientBirthDate"} & set(json.loads(data)), name
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        assert not [value for value in FORBIDDEN if value in data], name
    assert archive.read("alpha-bids/participants.tsv").decode() == "participant_id\nsub-ALPHAA0001\n"
    description = json.loads(archive.read("alpha-bids/dataset_description.json"))
    assert description["Name"] == "Alpha study" and description["BIDSVersion"].startswith("1.")
    actions = AuditEvent.objects.filter(object_type="imaging.imagingexport", object_id=str(export.pk))
    assert sorted(actions.values_list("action", "path")) == [("create", "page"), ("update", "system")]


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_series_whose_stored_files_are_missing_or_corrupt_fails_alone(
    world, ingest, export_of, media_root, tmp_path, damage
):
    ingest(write_mr_series(tmp_path / "good", "T1 MPRAGE", number=3))
    ingest(write_mr_series(tmp_path / "bad", "T2 TSE", number=4))
    bad = DicomSeries.objects.get(label="t2w")
    stored = Path(DataFile.objects.filter(series=bad).first().file.path)
    if damage == "missing":
        stored.unlink()
    else:
        for data_file in DataFile.objects.filter(series=bad):
            Path(data_file.file.path).write_bytes(b"not a DICOM file at all" * 10)

    export = export_of(world.study, ingest.user)

    assert export.status == "done", export.error
    assert (export.series_exported, export.series_failed) == (1, 1)
    line = next(line for line in export.log.splitlines() if line.startswith(f"Series {bad.pk} "))
    assert ("1 of 4 stored files are missing" if damage == "missing" else "dcm2niix") in line
    names = zipfile.ZipFile(media_root / export.zip_path).namelist()
    assert "alpha-bids/sub-ALPHAA0001/ses-baseline/anat/sub-ALPHAA0001_ses-baseline_T1w.nii.gz" in names
    assert not any("T2w" in name for name in names)


def test_an_export_that_cannot_run_at_all_is_marked_failed_with_the_reason(
    world, ingest, export_of, tmp_path, monkeypatch
):
    from imaging.services import bids_export
    from imaging.services.bids import ConversionError

    ingest(write_mr_series(tmp_path / "t1", "T1 MPRAGE"))

    def missing():
        raise ConversionError("dcm2niix is not installed (pip install dcm2niix).")

    monkeypatch.setattr(bids_export, "dcm2niix_binary", missing)  # the outside world: no binary on this server
    export = export_of(world.study, ingest.user)

    assert export.status == "failed" and "dcm2niix is not installed" in export.error
    assert export.error_entry["msgid"] == "dcm2niix is not installed (pip install dcm2niix)."
    assert export.finished_at is not None and not export.zip_path
    event = AuditEvent.objects.get(object_type="imaging.imagingexport", action="update")
    assert event.changes["status"] == ["running", "failed"]
