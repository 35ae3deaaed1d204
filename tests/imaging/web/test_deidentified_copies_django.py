"""Issue "Acquisitions", done when: after ingest, EVERY stored DICOM and EDF copy is read back, parsed and as raw
bytes, and none holds the source's patient name, ID or birth date; dates carry the participant's offset."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pydicom
import pytest
from django.contrib import admin
from django.urls import reverse

from imaging.models import DataFile, DateShift
from imaging.readers.edf import read_edf_header
from imaging.services.dates import SHIFT_MAX_DAYS, SHIFT_MIN_DAYS
from tests.imaging.synthetic import write_psg
from tests.imaging.web.conftest import named, zip_of

pytestmark = pytest.mark.django_db


def _identity_of_dicom(path) -> set[bytes]:
    source = pydicom.dcmread(path, stop_before_pixels=True)
    values = {
        str(source.get("PatientName", "")),
        str(source.get("PatientID", "")),
        str(source.get("PatientBirthDate", "")),
    }
    values |= {part for part in str(source.get("PatientName", "")).split("^") if len(part) > 2}
    return {value.encode() for value in values if value}


def _study_date(path) -> date:
    return date.fromisoformat(pydicom.dcmread(path, stop_before_pixels=True).StudyDate)  # DA: YYYYMMDD


def test_every_stored_copy_is_free_of_identity_and_dates_carry_the_participants_offset(
    client, world, make_persona, upload, visit_a, dicomdir_tree, tmp_path
):
    client.force_login(make_persona("coordinator"))
    mr = sorted(p for p in (dicomdir_tree / "98892003" / "MR700").iterdir() if p.is_file())
    cr = sorted(p for p in (dicomdir_tree / "77654033" / "CR1").iterdir() if p.is_file())
    psg = write_psg(tmp_path / "night.edf")
    born = tmp_path / "born.dcm"  # the real files have no birth date: one with a name and birth date
    dataset = pydicom.dcmread(mr[0])
    dataset.PatientName, dataset.PatientID, dataset.PatientBirthDate = "Zhang^Weiming", "P7781234", "19510802"
    dataset.OtherPatientIDs = "P7781234"
    dataset.save_as(born)
    upload([zip_of(mr)], participant=world.participant_a.pk, visit=visit_a.pk)
    upload([named(born)], participant=world.participant_a.pk, visit=visit_a.pk)
    upload([named(psg)], participant=world.participant_a.pk, visit=visit_a.pk)
    upload([zip_of(cr)])  # no such participant: waits in the queue, stored with undisturbed dates
    queued = DataFile.objects.get(link_status="needs_linking")
    client.force_login(make_persona("data_manager", all_sites=True))
    response = client.post(
        reverse("imaging:datafile-link", args=[queued.pk]), {"participant": world.participant_a.pk, "visit": visit_a.pk}
    )
    assert response.status_code == 302

    shift = DateShift.objects.get(participant=world.participant_a).days
    assert SHIFT_MIN_DAYS <= shift <= SHIFT_MAX_DAYS
    sources = {p.name: p for p in [*mr, *cr, born]}
    forbidden = set().union(*(_identity_of_dicom(p) for p in sources.values()))
    forbidden |= {b"MRN123456", b"Wang", b"Fang", b"01-MAR-1970", b"Li_Na", b"PSG-42"}
    assert {b"98890234", b"77654033", b"19510802", b"Weiming"} <= forbidden  # the sources do hold identity
    stored = list(DataFile.objects.all())
    assert len(stored) == len(mr) + len(cr) + 2
    for data_file in stored:
        raw = Path(data_file.file.path).read_bytes()
        leaked = [value for value in forbidden if value in raw]
        assert not leaked, (data_file.original_name, leaked)
        if data_file.kind == "dicom":
            copy = pydicom.dcmread(data_file.file.path)
            assert copy.PatientID == copy.PatientName == "ALPHA-A-0001"
            assert not copy.get("PatientBirthDate")
            source = sources[data_file.original_name.split("/")[-1]]
            assert _study_date(data_file.file.path) == _study_date(source) + timedelta(days=shift)
        else:
            header = read_edf_header(data_file.file.path)
            assert header.patient_field.strip() == "ALPHA-A-0001 X X X"
            assert header.start == datetime(2025, 5, 6, 22, 30) + timedelta(days=shift)  # noqa: DTZ001 EDF headers hold the recorder's wall clock, no zone
            assert b"06.05.25" not in raw[:256]


def test_the_offset_is_drawn_once_per_participant_and_never_shown(
    client, world, make_persona, upload, visit_a, dicomdir_tree
):
    client.force_login(make_persona("coordinator"))
    first, second = sorted((dicomdir_tree / "98892003" / "MR700").iterdir())[:2]
    upload([named(first)], participant=world.participant_a.pk, visit=visit_a.pk)
    upload([named(second)], participant=world.participant_a.pk, visit=visit_a.pk)
    assert DateShift.objects.count() == 1
    assert DateShift not in admin.site._registry
    shift = DateShift.objects.get()
    assert str(shift.days) not in str(shift)
    for data_file in DataFile.objects.all():
        assert data_file.metadata["date_shift_of"] == world.participant_a.pk
        assert _study_date(data_file.file.path) == _study_date(first) + timedelta(days=shift.days)
