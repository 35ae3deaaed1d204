"""DICOM storage: de-identified copy, series grouping and labels, preview of the middle slice."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import pydicom
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core import storage
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


def series_for(data_file: DataFile) -> DicomSeries | None:
    """The series a new DICOM file belongs to (made on its first file); None for other kinds."""
    header = data_file.metadata.get("dicom")
    if header is None:
        return None
    series, _ = DicomSeries.objects.get_or_create(
        study=data_file.study,
        series_uid=header["series_uid"],
        defaults={"study_uid": header.get("study_uid", ""), "series_number": header.get("series_number")},
    )
    return series


# Refreshing a series reads every file of it so far and may redraw its preview: once per series at the end of an
# in-process batch (an upload or ``manage.py ingest`` without a broker), else one queued refresh per series at a
# time (the flag is cleared when that refresh starts, so a file committed later queues the next one).
_batch: ContextVar[set[int] | None] = ContextVar("series_batch", default=None)


@contextmanager
def series_batch() -> Iterator[None]:
    """Refresh the series touched inside the block once, when it ends."""
    touched: set[int] = set()
    token = _batch.set(touched)
    try:
        yield
    finally:
        _batch.reset(token)
        for series_id in sorted(touched):
            series_refresh_now(series_id)


def series_refresh_soon(series_id: int) -> None:
    """After the commit: count the file in its series (label, counts, preview)."""

    def later() -> None:
        touched = _batch.get()
        if touched is not None:
            touched.add(series_id)
        elif settings.CELERY_TASK_ALWAYS_EAGER:
            series_refresh_now(series_id)
        elif cache.add(_pending_key(series_id), 1, timeout=3600):
            from imaging.tasks import series_refresh_task  # tasks import services

            series_refresh_task.delay(series_id)

    transaction.on_commit(later)


def _pending_key(series_id: int) -> str:
    return f"imaging:series-refresh-pending:{series_id}"


def series_refresh_now(series_id: int) -> None:
    cache.delete(_pending_key(series_id))  # a file committed from now on queues another refresh
    with transaction.atomic():
        series_refresh(DicomSeries.objects.get(pk=series_id))


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
            with storage.local_copy(middle.file.name) as path:
                preview = middle_slice_png([str(path)], out)
        except ReaderError as error:
            logger.info("no preview for series %s: %s", series.pk, error)
            return str(error)
        series.preview_png = out.read_bytes()
    series.preview_source = str(middle.pk)
    series.software = {**series.software, **preview.software}
    series.save(update_fields=["preview_png", "preview_source", "software"])
    return ""
