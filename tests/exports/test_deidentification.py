"""A de-identified export (the default) holds no study ID, screening number, name, phone, national ID or date of
birth, and no real date: every date is the participant's real one moved by the offset their DICOM and EDF copies
carry. Searched in every file of every format (the members of the zipped formats unpacked, Parquet read as
values)."""

import csv
import datetime as dt
import io
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from django.core.management import call_command

from exports.models import DataExport, Pseudonym
from imaging.models import DateShift
from instruments.models import Response
from instruments.registry import get_instrument
from participants.models import Participant, PersonalIdentifiers

pytestmark = pytest.mark.django_db
FORMATS = ["csv_wide", "csv_participant", "csv_long", "xlsx", "sav", "dta", "parquet", "dictionary"]
FORMATS += ["xpt", "odm132", "odm2", "datasetjson", "codebook"]
ZIPPED = (".xlsx", ".xpt", ".datasetjson")  # xlsx, the SAS transport bundle and the Dataset-JSON bundle


def export(study, fmt: str, tmp_path, *extra: str):
    out = tmp_path / f"out-{fmt}{'-'.join(extra)}.{fmt}"
    call_command("export_data", "--study", study.code, "--format", fmt, "--out", str(out), *extra, stdout=io.StringIO())
    return out


def searchable(path) -> bytes:
    """The bytes a reader of the file could see: an xlsx is a zip of XML parts; Parquet pages are compressed, so
    its values (and metadata) are read and joined as text. ODM, the codebook and the uncompressed transport file
    inside the xpt bundle are searched as they are."""
    if path.suffix in ZIPPED:
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        values = [str(value) for column in table.to_pydict().values() for value in column]
        return ("\n".join(values) + str(table.schema.metadata)).encode()
    return path.read_bytes()


def identifiers(study) -> list[str]:
    people = Participant.objects.filter(study=study)
    texts = [p.identifier for p in people if p.identifier] + [p.screening_number for p in people if p.screening_number]
    for pii in PersonalIdentifiers.objects.filter(participant__study=study):
        texts += [value for value in (pii.full_name, pii.phone, pii.national_id) if value]
        if pii.date_of_birth:
            texts.append(pii.date_of_birth.isoformat())
    return texts


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_identifier_of_any_participant_is_in_any_format(lbpb, tmp_path, fmt):
    content = searchable(export(lbpb, fmt, tmp_path))
    texts = identifiers(lbpb)
    assert len(texts) > 12  # study IDs, screening numbers and names at least
    leaks = [text for text in texts if text.encode() in content]
    assert not leaks


def _real_dates(study) -> dict:
    """participant id -> every real date known of them (visits, date items, enrolment)."""
    dates: dict = {}
    for participant in Participant.objects.filter(study=study).prefetch_related("visits", "responses"):
        known = {participant.enrolled_on}
        for visit in participant.visits.all():
            known |= {visit.target_date, visit.completed_on, visit.window_start, visit.window_end}
        for response in participant.responses.all():
            known |= {dt.date.fromisoformat(v) for v in response.values.values() if _is_iso_date(v)}
        dates[participant.pk] = known - {None}
    return dates


def _is_iso_date(value) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return len(value) == 10


def test_every_date_is_the_real_one_moved_by_the_participants_imaging_offset(lbpb, tmp_path):
    frame, _meta = pyreadstat.read_sav(str(export(lbpb, "sav", tmp_path)))
    by_pseudonym = {p.code: p.participant_id for p in Pseudonym.objects.filter(study=lbpb)}
    shifts = dict(DateShift.objects.values_list("participant_id", "days"))
    real = _real_dates(lbpb)
    identified = {
        (row["participant"], row["visit"], row["visit_repeat"]): row
        for row in pyreadstat.read_sav(str(export(lbpb, "sav", tmp_path, "--identified")))[0].to_dict("records")
    }
    labels = dict(Participant.objects.filter(study=lbpb).values_list("pk", "identifier"))
    checked = 0
    for row in frame.to_dict("records"):
        pk = by_pseudonym[row["participant"]]
        original = identified[(labels[pk], row["visit"], row["visit_repeat"])]
        for name, value in row.items():
            if isinstance(value, dt.date) and not pd.isna(value):
                assert value == original[name] + dt.timedelta(days=shifts[pk]), name
                assert value not in real[pk], (name, value)
                checked += 1
    assert checked > 50 and all(-365 <= days <= -30 for days in shifts.values())


def _write_free_text(study) -> str:
    """Put a free-text answer into a stored form (test data: the generator writes none)."""
    for response in Response.objects.filter(participant__study=study):
        instrument = get_instrument(response.instrument_code, response.definition_version)
        for item in instrument.items:
            if item.type == "text":
                text = "Neighbour Zhang Wei drove me to the clinic"
                response.values = {**response.values, item.code: text}
                response.save(update_fields=["values"])
                return text
    raise AssertionError("no form of the generated study has a text item")


def test_free_text_is_left_out_unless_asked_for(lbpb, tmp_path):
    text = _write_free_text(lbpb)
    assert text not in export(lbpb, "csv_long", tmp_path).read_text(encoding="utf-8-sig")
    assert text in export(lbpb, "csv_long", tmp_path, "--free-text").read_text(encoding="utf-8-sig")


def test_pseudonyms_are_stable_across_exports_and_unique(lbpb, tmp_path):
    first = export(lbpb, "csv_wide", tmp_path).read_text(encoding="utf-8-sig")
    second = export(lbpb, "csv_participant", tmp_path).read_text(encoding="utf-8-sig")
    labels = {row["participant"] for row in csv.DictReader(io.StringIO(first))}
    assert labels == {row["participant"] for row in csv.DictReader(io.StringIO(second))}
    assert len(labels) == Participant.objects.filter(study=lbpb).exclude(identifier="").count()
    assert not labels & set(Participant.objects.values_list("identifier", flat=True))


def test_an_identified_export_keeps_study_ids_and_is_recorded_as_such(lbpb, tmp_path):
    text = export(lbpb, "csv_wide", tmp_path, "--identified").read_text(encoding="utf-8-sig")
    assert "LBPB-01-0001" in text
    assert DataExport.objects.filter(deidentified=False, status="done").count() == 1
