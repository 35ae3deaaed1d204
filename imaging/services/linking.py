"""Attach a stored file to a participant's visit: the one implementation used by the pipeline and the queue."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imaging.models import DataFile, DerivedMeasure, Kind
from imaging.readers.edf import deidentify_edf

from . import dicom


def outside_window(data_file: DataFile, visit) -> bool:
    if data_file.recorded_at is None:
        return False
    day = timezone.localtime(data_file.recorded_at).date()
    return not (visit.window_start <= day <= visit.window_end)


def _relabel(data_file: DataFile, label: str) -> None:
    """The stored copy says UNLINKED until linked; then it carries the participant's study ID."""
    path = Path(data_file.file.path)
    if data_file.kind == Kind.DICOM:
        dicom.relabel(path, label)
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / path.name
        deidentify_edf(path, out, study_id=label)
        out.replace(path)


def datafile_link(*, data_file: DataFile, participant, visit, user, relabel: bool = True) -> DataFile:
    if participant.study_id != data_file.study_id or visit.participant_id != participant.pk:
        raise ValidationError(_("Choose a visit of a participant in this file's study."))
    with transaction.atomic():
        data_file = DataFile.objects.select_for_update().get(pk=data_file.pk)
        data_file.participant, data_file.visit, data_file.visit_code = participant, visit, visit.visit_code
        data_file.link_status = DataFile.LinkStatus.LINKED
        data_file.out_of_window = outside_window(data_file, visit)
        data_file.metadata.pop("source_patient_id", None)
        data_file.save()
        DerivedMeasure.objects.filter(data_file=data_file).update(participant=participant, visit_code=visit.visit_code)
        if relabel:
            _relabel(data_file, participant.identifier or str(participant))
    return data_file
