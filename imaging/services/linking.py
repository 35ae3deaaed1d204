"""Attach a stored file to a participant's visit: the one implementation used by the pipeline and the queue."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from core import storage
from imaging.models import DataFile, DerivedMeasure, Kind
from imaging.readers.edf import deidentify_edf

from . import dicom
from .dates import shift_delta


def outside_window(data_file: DataFile, visit) -> bool:
    if data_file.recorded_at is None:
        return False
    day = timezone.localtime(data_file.recorded_at).date()
    return not (visit.window_start <= day <= visit.window_end)


def _relabel(data_file: DataFile, participant, user) -> None:
    """The stored copy says UNLINKED, with undisturbed dates, until linked; then it carries the participant's
    study ID and date offset (``date_shift_of`` records whose offset the copy carries). Rewritten in place on the
    local folder; from and back to object storage through a temporary copy."""
    label = participant.identifier or str(participant)
    days = shift_delta(data_file=data_file, participant=participant, user=user)
    with storage.local_copy(data_file.file.name) as path:
        if data_file.kind == Kind.DICOM:
            data_file.metadata["dicom"] = dicom.relabel(path, label, date_shift_days=days)
        else:
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / path.name
                deidentify_edf(path, out, study_id=label, date_shift_days=days)
                shutil.move(out, path)
        storage.replace_from_local(data_file.file.name, path)
    data_file.metadata["date_shift_of"] = participant.pk
    data_file.save(update_fields=["metadata"])
    if data_file.series_id:
        dicom.series_refresh(data_file.series)


LINK_AUDIT_FIELDS = ["participant", "visit", "visit_code", "link_status", "out_of_window"]


def datafile_link(
    *, data_file: DataFile, participant, visit, user, relabel: bool = True, path: str = "page"
) -> DataFile:
    if participant.study_id != data_file.study_id or visit.participant_id != participant.pk:
        raise ValidationError(_("Choose a visit of a participant in this file's study."))
    with transaction.atomic():
        data_file = DataFile.objects.select_for_update().get(pk=data_file.pk)
        before = snapshot(data_file, LINK_AUDIT_FIELDS)
        data_file.participant, data_file.visit, data_file.visit_code = participant, visit, visit.visit_code
        data_file.link_status = DataFile.LinkStatus.LINKED
        data_file.out_of_window = outside_window(data_file, visit)
        data_file.metadata.pop("source_patient_id", None)
        data_file.save()
        DerivedMeasure.objects.filter(data_file=data_file).update(participant=participant, visit_code=visit.visit_code)
        if relabel:
            _relabel(data_file, participant, user)
        audit_record(
            user=user if path == "page" else None,
            action="update",
            instance=data_file,
            path=path,
            study=data_file.study,
            participant=participant,
            changes=diff(before, snapshot(data_file, LINK_AUDIT_FIELDS)),
        )
    return data_file
