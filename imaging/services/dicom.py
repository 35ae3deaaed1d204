"""DICOM storage: de-identified copy, series grouping and labels, preview of the middle slice."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from pathlib import Path

import pydicom
from django.conf import settings

from imaging.models import DataFile, DicomSeries
from imaging.readers.dicom_deid import deidentify, shift_dates
from imaging.readers.dicom_header import header_from_dataset
from imaging.readers.dicom_preview import middle_slice_png
from imaging.readers.dicom_series import SeriesRule, classify_series, group_series, rule_from_mapping
from imaging.readers.errors import ReaderError
from studies.selectors import current_protocol

from .headers import dicom_header_from_json, dicom_header_json

logger = logging.getLogger(__name__)
UNLINKED = "UNLINKED"


def deidentified_copy(
    source: Path, out: Path, *, study_code: str, patient_label: str, date_shift_days: int = 0
) -> dict:
    """Write the PS3.15 de-identified copy; UIDs are mapped per study so series group before linking."""
    dataset = pydicom.dcmread(source)
    clean = deidentify(
        dataset,
        study_id=study_code,
        date_shift_days=date_shift_days,
        uid_secret=settings.IMAGING_UID_SECRET,
        in_place=True,
    )  # read for this alone: no copy
    clean.PatientID = clean.PatientName = patient_label
    clean.save_as(out, enforce_file_format=True)
    return dicom_header_json(header_from_dataset(clean, str(out)))


def relabel(path: Path, patient_label: str, *, date_shift_days: int = 0) -> dict:
    """Give a stored copy its participant's label and move its dates; returns the header for the metadata."""
    dataset = pydicom.dcmread(path)
    dataset.PatientID = dataset.PatientName = patient_label
    shift_dates(dataset, days=date_shift_days)
    dataset.save_as(path, enforce_file_format=True)
    return dicom_header_json(header_from_dataset(dataset, str(path)))


def study_series_rules(study) -> tuple[SeriesRule, ...]:
    """The `series_rules` of the study's current protocol file, tried ahead of the default rules."""
    protocol = current_protocol(study)
    rules = getattr(protocol, "series_rules", ()) if protocol is not None else ()
    return tuple(rule_from_mapping(dataclasses.asdict(rule)) for rule in rules)


def series_attach(data_file: DataFile) -> DicomSeries:
    header = data_file.metadata["dicom"]
    series, _ = DicomSeries.objects.get_or_create(
        study=data_file.study,
        series_uid=header["series_uid"],
        defaults={"study_uid": header.get("study_uid", ""), "series_number": header.get("series_number")},
    )
    data_file.series = series
    data_file.save(update_fields=["series"])
    return series


def series_refresh(series: DicomSeries) -> None:
    """Counts and label from every file of the series so far (the pure grouping runs on stored headers)."""
    series = DicomSeries.objects.select_for_update().get(pk=series.pk)
    files = list(DataFile.objects.filter(series=series).only("pk", "file", "metadata"))
    headers = [dicom_header_from_json(f.metadata["dicom"], str(f.pk)) for f in files]
    grouped = group_series(headers)[0]
    first = headers[0]
    series.label = classify_series(grouped, study_series_rules(series.study))
    series.description = grouped.series_description[:200]
    series.modality, series.series_number = grouped.modality, grouped.series_number
    series.repetition_time_ms, series.echo_time_ms = grouped.repetition_time_ms, grouped.echo_time_ms
    series.slice_thickness_mm = first.slice_thickness_mm
    series.instance_count, series.slice_count = grouped.instance_count, grouped.slice_count
    series.volume_count = grouped.volume_count
    acquired = first.acquisition_datetime
    series.acquisition_date = acquired.date() if acquired else grouped.study_date
    series.software = grouped.software
    series.save()
    middle = int(grouped.paths[len(grouped.paths) // 2])
    if series.preview_source != str(middle):
        preview_make(series, next(f for f in files if f.pk == middle))


def preview_make(series: DicomSeries, middle: DataFile) -> str:
    """Best effort: a series whose middle file has no decodable pixels simply has no preview."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"series-{series.pk}.png"
        try:
            preview = middle_slice_png([middle.file.path], out)
        except ReaderError as error:
            logger.info("no preview for series %s: %s", series.pk, error)
            return str(error)
        series.preview_png = out.read_bytes()
    series.preview_source = str(middle.pk)
    series.software = {**series.software, **preview.software}
    series.save(update_fields=["preview_png", "preview_source", "software"])
    return ""
