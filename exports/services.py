"""Export jobs: preview, request (page or command), run (Celery worker or in-process), cancel, download, expire.

The file is written next to its final name and renamed when complete, so no one ever downloads half a file and
a failed or cancelled run leaves none behind. De-identified exports (the default) carry the study's pseudonyms
instead of study IDs, move every date by the participant's offset (the one the DICOM and EDF copies carry:
imaging.services.dates) and drop free text unless asked for; no export carries names, phones, national IDs or
dates of birth (participants.PersonalIdentifiers is never read). Arms are in the file only for a requester who
may see them (accounts.capabilities.sees_arms).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.capabilities import Action, can, can_see_arms, is_blinded
from accounts.selectors import membership_for
from audit.models import AuditEvent
from audit.services import audit_job_result, audit_record, diff, snapshot
from core import storage
from core.csv import safe_cell
from core.jobs import job_run
from imaging.services.dates import date_shifts_for
from instruments.registry import get_instrument

from . import cdisc, formats
from .dataset import (
    Layout,
    acquisition_measures,
    instrument_block,
    long_columns,
    participant_columns,
    participant_row,
    visit_columns,
)
from .models import DataExport, Pseudonym, SavedExport
from .selectors import (
    Choice,
    activity_plan,
    measure_plan,
    participant_records,
    query_notes,
    record_count,
    scoped_participants,
    study_languages,
    visit_order,
)

logger = logging.getLogger(__name__)
F = DataExport.Format
SUFFIX: dict[str, str] = {F.CSV_WIDE: "csv", F.CSV_PARTICIPANT: "csv", F.CSV_LONG: "csv", F.XLSX: "xlsx", F.SAV: "sav"}
SUFFIX |= {F.DTA: "dta", F.PARQUET: "parquet", F.DICTIONARY: "csv", F.XPT: "zip", F.ODM132: "xml", F.ODM2: "xml"}
SUFFIX |= {F.DATASETJSON: "zip", F.CODEBOOK: "html"}
PROGRESS_EVERY = 500  # participants between two progress writes (and cancel checks)
RESULT_FIELDS = ("status", "participants", "rows", "columns", "sha256", "file_size", "error")


class Cancelled(Exception):
    pass


def instrument_definition(code: str, version: str, *, study):
    """The definition a stored form was made with (the one place an export asks the instrument registry)."""
    try:
        return get_instrument(code, version, study=study.code)
    except KeyError:
        raise ValueError(f"Stored forms use instrument {code} {version}, which the library no longer has.") from None


@dataclass(frozen=True)
class Spec:
    """What one export writes: the study, the scope and the choices."""

    study: object
    format: str
    choice: Choice
    deidentified: bool = True
    free_text: bool = False
    arms: bool = False
    user: object = None


def spec_of(export: DataExport) -> Spec:
    return Spec(
        export.study,
        export.format,
        Choice.of(export.filters),
        export.deidentified,
        export.free_text,
        export.arms,
        export.requested_by,
    )


def layout_for(spec: Spec, people) -> Layout:
    languages = study_languages(spec.study)
    blocks = []
    for activity, code, version, instances in activity_plan(people, spec.choice):
        instrument = instrument_definition(code, version, study=spec.study)
        for instance in range(1, instances + 1):
            blocks.append(
                instrument_block(
                    activity,
                    instance,
                    instrument,
                    languages=languages,
                    free_text=spec.free_text,
                    dates=not spec.deidentified,
                )
            )
    measures, series = measure_plan(people, spec.choice)
    acquisitions = acquisition_measures(measures, series, languages)
    return Layout(tuple(visit_columns(languages, arms=spec.arms)), tuple(blocks), spec.arms, acquisitions)


def _visits(spec: Spec) -> list[str]:
    order = visit_order(spec.study)
    return [code for code in order if not spec.choice.visits or code in spec.choice.visits]


def columns_of(spec: Spec, layout: Layout) -> list:
    if spec.format == F.CSV_LONG:
        return long_columns(layout)
    if spec.format == F.CSV_PARTICIPANT:
        return participant_columns(layout, _visits(spec))
    return layout.columns


@dataclass(frozen=True)
class Preview:
    participants: int
    rows: int | None
    columns: int


def export_preview(spec: Spec) -> Preview:
    """Row and column counts before running (the long layout's rows are counted when it runs)."""
    people = scoped_participants(spec.study, user=spec.user, choice=spec.choice)
    layout = layout_for(spec, people)
    participants = people.count()
    known: dict[str, int] = {F.CSV_PARTICIPANT: participants}
    known |= dict.fromkeys((F.DICTIONARY, F.CODEBOOK), len(layout.columns))
    rows: int | None = known.get(spec.format)
    if rows is None and spec.format != F.CSV_LONG:  # the long layout's rows are known once it runs
        rows = record_count(people, spec.choice)
    return Preview(participants, rows, len(columns_of(spec, layout)))


def may_export(user, study) -> bool:
    return can(user, study, Action.EXPORT_DATA)


def may_export_identified(user, study) -> bool:
    return can(user, study, Action.EXPORT_IDENTIFIED)


def export_request(
    *,
    study,
    user,
    format: str,
    choice: Choice,
    deidentified: bool = True,
    free_text: bool = False,
    path: str = AuditEvent.Path.PAGE,
) -> DataExport:
    """Queue an export of ``study`` within the requester's sites; identified data only for roles allowed it."""
    if not may_export(user, study) or (not deidentified and not may_export_identified(user, study)):
        raise PermissionDenied
    if format not in F.values:
        raise ValidationError(_("Unknown export format: %(format)s.") % {"format": format})
    membership = membership_for(user, study)
    if membership is None:  # may_export already needs one; this keeps the type honest
        raise PermissionDenied
    with transaction.atomic():
        export = DataExport.objects.create(
            study=study,
            requested_by=user,
            format=format,
            deidentified=deidentified,
            free_text=free_text,
            arms=can_see_arms(user, study),
            all_sites=membership.all_sites,
            filters=choice.as_filters(),
        )
        if not membership.all_sites:
            export.sites.set(membership.sites.all())
        _audit_request(export, user=user, path=path)
        export_enqueue(export.pk)
    return export


def _audit_request(export: DataExport, *, user, path: str) -> None:
    after = snapshot(export, ("format", "deidentified", "free_text", "arms", "all_sites", "filters"))
    audit_record(
        user=user,
        action=AuditEvent.Action.CREATE,
        instance=export,
        study=export.study,
        path=path,
        changes=diff({}, after),
    )


SAVED_FIELDS = ("name", "choices")


def saved_export_save(*, study, user, name: str, choices: dict) -> SavedExport:
    """Keep the builder's ``choices`` under ``name`` for ``user`` (the same name again replaces its choices).
    Only for a user who may run exports, and identified choices only for one who may export identified data."""
    identified = bool(choices.get("identified"))
    if not may_export(user, study) or (identified and not may_export_identified(user, study)):
        raise PermissionDenied
    with transaction.atomic():
        saved = SavedExport.objects.select_for_update().filter(study=study, owner=user, name=name).first()
        before = snapshot(saved, SAVED_FIELDS) if saved else {}
        if saved is None:
            saved = SavedExport(study=study, owner=user, name=name)
        saved.choices = choices
        saved.save()
        audit_record(
            user=user,
            action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
            instance=saved,
            study=study,
            changes=diff(before, snapshot(saved, SAVED_FIELDS)),
        )
    return saved


def export_enqueue(export_id: int) -> None:
    from .tasks import data_export_task  # tasks import services; resolved only when needed

    def send():
        signature = data_export_task.si(export_id)
        task_id = signature.freeze().id  # recorded before sending, so a fast worker cannot race the update
        DataExport.objects.filter(pk=export_id).update(task_id=task_id or "")
        signature.apply_async()

    transaction.on_commit(send)


def command_export(*, study, format: str, choice: Choice, deidentified: bool, free_text: bool, out: Path) -> DataExport:
    """``manage.py export_data``: the same job, run now, its file copied to ``out``. Arms only in an open study
    (the command has no user whose blinding could be checked)."""
    export = DataExport.objects.create(
        study=study,
        format=format,
        deidentified=deidentified,
        free_text=free_text,
        arms=not is_blinded(study),
        all_sites=True,
        filters=choice.as_filters(),
    )
    _audit_request(export, user=None, path=AuditEvent.Path.COMMAND)
    export = export_run(export_id=export.pk)
    if export.status == DataExport.Status.DONE:
        storage.copy_to(export.file_path, out)  # streamed, not read into memory
    return export


def export_run(*, export_id: int) -> DataExport:
    """Write the file; any failure (or a cancel) is recorded on the row and leaves no file."""
    return job_run(
        DataExport.objects.select_related("study", "requested_by"),
        export_id,
        running=DataExport.Status.RUNNING,
        fields=RESULT_FIELDS,
        work=_work,
        record=partial(audit_job_result, fields=RESULT_FIELDS),
    )


def _work(export: DataExport) -> None:
    """Written to a scratch file (the zipped formats use a scratch folder beside it), then stored: moved into the
    local folder, or uploaded to object storage in parts."""
    relative = f"exports/data/{export.study.code}/export-{export.pk}.{SUFFIX[export.format]}"
    try:
        with storage.scratch(f"export-{export.pk}-") as folder:
            written = Path(folder) / Path(relative).name
            _write(export, written)
            export.file_size, export.sha256 = written.stat().st_size, _sha256(written)
            export.file_path = storage.save_local(relative, written)
        export.status, export.progress = DataExport.Status.DONE, 100
        export.expires_at = timezone.now() + timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)
    except Cancelled:
        export.status = DataExport.Status.CANCELLED
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the requester sees it on the export's row
        logger.exception("data export %s failed", export.pk)
        export.status, export.error = DataExport.Status.FAILED, (str(error) or error.__class__.__name__)[:2000]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _scope(export: DataExport):
    """The participants the requester could see when asking (their sites then), within the chosen sites."""
    spec = spec_of(export)
    people = scoped_participants(export.study, user=None, choice=spec.choice)
    if not export.all_sites:
        people = people.filter(site__in=export.sites.all())
    return spec, people


def _write(export: DataExport, path: Path) -> None:
    spec, people = _scope(export)
    layout = layout_for(spec, people)
    columns = columns_of(spec, layout)
    export.columns, export.participants = len(columns), people.count()
    if spec.format == F.DICTIONARY:
        export.rows = formats.write_redcap_dictionary(columns, path)
        return
    if spec.format == F.CODEBOOK:
        export.rows = _write_codebook(spec, columns, path)
        return
    rows = _rows(export, spec, layout, people)
    if spec.format in (F.ODM132, F.ODM2, F.DATASETJSON):
        export.rows = _cdisc_writer(spec, layout, rows, path, people)
        return
    export.rows = _writer(spec.format, columns, rows, path, study_languages(spec.study))


def study_meta(study) -> cdisc.StudyMeta:
    return cdisc.StudyMeta(
        oid=f"ST.{study.code}",
        name=study.code,
        languages=study_languages(study),
        visits=tuple(visit_order(study)),
        created=timezone.now(),
    )


def _cdisc_writer(spec: Spec, layout: Layout, rows, path: Path, people) -> int:
    meta = study_meta(spec.study)
    if spec.format == F.DATASETJSON:
        return cdisc.write_dataset_json(layout, rows, path, study=meta, scratch=path.with_name(path.name + ".d"))
    version = "2.0" if spec.format == F.ODM2 else "1.3.2"
    notes = query_notes(spec.study, people) if not spec.deidentified else {}
    return cdisc.write_odm(layout, rows, path, study=meta, version=version, notes=notes)


def _write_codebook(spec: Spec, columns, path: Path) -> int:
    """The readable codebook: a Django template (exports/codebook.html) rendered once into the file."""
    languages = study_languages(spec.study)
    table = formats.codebook_rows(columns, languages)
    context = {"study": spec.study, "header": table[0], "rows": table[1:], "created": timezone.now()}
    path.write_text(render_to_string("exports/codebook.html", context), encoding="utf-8")
    return len(columns)


def _writer(format: str, columns, rows, path: Path, languages) -> int:
    if format in (F.CSV_WIDE, F.CSV_LONG, F.CSV_PARTICIPANT):
        return formats.write_csv(columns, rows, path, guard=safe_cell)
    if format == F.XLSX:
        return formats.write_xlsx(columns, rows, path, guard=safe_cell, languages=languages)
    if format == F.SAV:
        return formats.write_sav(columns, rows, path)
    if format == F.DTA:
        return formats.write_dta(columns, rows, path)
    if format == F.XPT:
        return formats.write_xpt(columns, rows, path, scratch=path.with_name(path.name + ".d"))
    return formats.write_parquet(columns, rows, path)


def _labels_and_shifts(export: DataExport, people) -> tuple[dict[int, str], dict[int, int]]:
    if not export.deidentified:
        return {}, {}
    return pseudonyms_for(people, study=export.study), date_shifts_for(people, study=export.study, user=None)


def _rows(export: DataExport, spec: Spec, layout: Layout, people):
    labels, shifts = _labels_and_shifts(export, people)
    visits = _visits(spec)
    today = timezone.localdate()
    for done, (pk, records) in enumerate(participant_records(people, spec.choice, today=today), start=1):
        if done % PROGRESS_EVERY == 0:
            _progress(export, done)
        if not records:
            continue
        if pk in labels:
            for record in records:
                record.participant = labels[pk]
        days = shifts.get(pk, 0)
        if spec.format == F.CSV_PARTICIPANT:
            yield participant_row(layout, visits, records, days=days)
        elif spec.format == F.CSV_LONG:
            for record in records:
                yield from layout.long_rows(record, days=days)
        else:
            for record in records:
                yield layout.wide_row(record, days=days)


def _progress(export: DataExport, done: int) -> None:
    """Record how far the run got; stop when someone cancelled the export meanwhile."""
    if DataExport.objects.filter(pk=export.pk, status=DataExport.Status.CANCELLED).exists():
        raise Cancelled
    export.progress = min(99, done * 100 // max(export.participants, 1))
    DataExport.objects.filter(pk=export.pk).update(progress=export.progress)


def pseudonyms_for(people, *, study) -> dict[int, str]:
    """participant id -> pseudonym, drawing the missing ones in one insert (random, unique in the study)."""
    known = dict(Pseudonym.objects.filter(participant__in=people).values_list("participant_id", "code"))
    for _attempt in range(5):  # a clash with an existing code (one in 4 billion) is simply drawn again
        missing = [pk for pk in people.values_list("pk", flat=True) if pk not in known]
        if not missing:
            break
        Pseudonym.objects.bulk_create(
            [Pseudonym(participant_id=pk, study=study, code=f"S{secrets.token_hex(4).upper()}") for pk in missing],
            ignore_conflicts=True,
        )
        known = dict(Pseudonym.objects.filter(participant__in=people).values_list("participant_id", "code"))
    return known


def export_cancel(*, export: DataExport, user) -> DataExport:
    """Stop a queued or running export; a running one stops at its next progress check and leaves no file."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().get(pk=export.pk)
        if export.is_finished:
            raise ValidationError(_("This export has already finished."))
        before = snapshot(export, ("status",))
        export.status, export.finished_at = DataExport.Status.CANCELLED, timezone.now()
        export.save(update_fields=["status", "finished_at"])
        audit_record(
            user=user,
            action=AuditEvent.Action.UPDATE,
            instance=export,
            study=export.study,
            changes=diff(before, snapshot(export, ("status",))),
            reason="cancelled",
        )
    return export


def export_download(*, export: DataExport, user) -> str:
    """The stored name of a finished export's file, recorded in the audit trail as an export of study data."""
    if export.status != DataExport.Status.DONE or not export.file_path:
        raise ValidationError(_("This export has no file to download."))
    if export.expires_at and export.expires_at < timezone.now():
        raise ValidationError(_("This export has expired; ask for a new one."))
    if not storage.exists(export.file_path):
        raise ValidationError(_("The file of this export is no longer on the server; ask for a new export."))
    reason = f"download: {export.format}, {export.rows} rows, {export.columns} columns, sha256 {export.sha256}"
    audit_record(user=user, action=AuditEvent.Action.EXPORT, instance=export, study=export.study, reason=reason)
    return export.file_path


def exports_expire(*, now=None) -> int:
    """Nightly (beat): delete the files of exports past their expiry and mark them expired."""
    now = now or timezone.now()
    count = 0
    for export in DataExport.objects.filter(status=DataExport.Status.DONE, expires_at__lt=now):
        storage.delete(export.file_path)
        export.status, export.file_path = DataExport.Status.EXPIRED, ""
        export.save(update_fields=["status", "file_path"])
        count += 1
    return count
