"""Writes of the biobank: collection, aliquots, disposal, storage. Every write is audited in its transaction.

Views call these and nothing else writes the biobank's rows. A rule broken gives a ValidationError with a message
for the user; the database constraints (one specimen per position, volumes not negative, no deletion of a specimen
with aliquots) back the rules up when two requests race.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from studies.models import Study
from studies.protocol.specimens import biobank_of, specimen_id
from studies.selectors import current_protocol

from .. import processing
from ..models import Box, Freezer, Position, Rack, Specimen

Action = AuditEvent.Action
PROCESSING_FIELDS = (
    "collected_at",
    "received_at",
    "centrifuged_at",
    "centrifuge_g",
    "centrifuge_minutes",
    "centrifuge_temperature_c",
    "centrifuge_braking",
    "kept_cold",
    "aliquoted_at",
    "frozen_at",
    "storage_temperature_c",
)
COLLECTION_FIELDS = ("tube_id", "volume_ml", "fasting", "notes", *PROCESSING_FIELDS)
LABEL_SIZES = {"25x13": (25, 13), "38x13": (38, 13), "51x25": (51, 25)}  # common cryo labels, width × height mm
OPEN_STATUSES = (Specimen.Status.COLLECTED, Specimen.Status.STORED, Specimen.Status.CHECKED_OUT)


def study_biobank(study):
    return biobank_of(current_protocol(study))


def specimen_type_of(study, code: str):
    try:
        return study_biobank(study).specimen_type(code)
    except KeyError:
        raise ValidationError(_("Unknown specimen type '%(code)s'.") % {"code": code}) from None


def _new_specimen(*, study, type_code: str, **fields) -> Specimen:
    """A specimen with the next sequence number of its study (the study row is locked while it is taken)."""
    locked = Study.objects.select_for_update().get(pk=study.pk)
    seq = (Specimen.objects.filter(study=locked).aggregate(m=Max("seq"))["m"] or 0) + 1
    biobank = study_biobank(study)
    prefix = biobank.specimen_type(type_code).prefix
    label = specimen_id(biobank.specimen_id_pattern, study=study.code, prefix=prefix, seq=seq)
    return Specimen.objects.create(study=study, type_code=type_code, seq=seq, label_id=label, **fields)


def _check_processing(values: dict) -> None:
    now = timezone.now()
    future = [name for name in PROCESSING_FIELDS if name.endswith("_at") and values.get(name) and values[name] > now]
    if future:
        raise ValidationError(_("A time cannot be in the future."))
    if processing.steps_out_of_order(values):
        raise ValidationError(_("The processing times are out of order (collected, received, centrifuged, frozen)."))
    volume = values.get("volume_ml")
    if volume is not None and volume < 0:
        raise ValidationError(_("A volume cannot be negative."))


def _apply_checks(specimen: Specimen, specimen_type) -> None:
    values = {name: getattr(specimen, name) for name in PROCESSING_FIELDS}
    checked = processing.check(values, specimen_type)
    specimen.centrifuge_minutes_over = checked.centrifuge_minutes_over
    specimen.freeze_minutes_over = checked.freeze_minutes_over
    specimen.sprec = checked.sprec


def _check_visit(visit) -> None:
    if visit.cancelled:
        raise ValidationError(_("The visit was cancelled."))


def specimen_collect(*, user, visit, type_code: str, activity_key: str = "", **values) -> Specimen:
    """Record one collected specimen at ``visit`` with its processing times; limits are checked and flagged."""
    specimen_type = specimen_type_of(visit.participant.study, type_code)
    unknown = set(values) - set(COLLECTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check_visit(visit)
    _check_processing(values)
    if values.get("storage_temperature_c") is None:  # not given: the protocol's temperature for the type
        values["storage_temperature_c"] = specimen_type.storage_temperature_c
    with transaction.atomic():
        specimen = _new_specimen(
            study=visit.participant.study,
            type_code=type_code,
            participant=visit.participant,
            visit=visit,
            activity_key=activity_key or type_code,
            status=Specimen.Status.COLLECTED,
            collected_by=user,
            **values,
        )
        _apply_checks(specimen, specimen_type)
        specimen.save(update_fields=["centrifuge_minutes_over", "freeze_minutes_over", "sprec"])
        audit_record(user=user, action=Action.CREATE, instance=specimen, changes=diff({}, snapshot(specimen)))
    return specimen


def specimen_not_collected(*, user, visit, type_code: str, reason: str, activity_key: str = "") -> Specimen:
    specimen_type_of(visit.participant.study, type_code)
    if not reason.strip():
        raise ValidationError(_("Give the reason the specimen was not collected."))
    with transaction.atomic():
        specimen = _new_specimen(
            study=visit.participant.study,
            type_code=type_code,
            participant=visit.participant,
            visit=visit,
            activity_key=activity_key or type_code,
            status=Specimen.Status.NOT_COLLECTED,
            not_collected_reason=reason.strip(),
        )
        audit_record(user=user, action=Action.CREATE, instance=specimen, changes=diff({}, snapshot(specimen)))
    return specimen


def _require_open(specimen: Specimen) -> None:
    if specimen.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Specimen %(id)s is %(status)s.") % {"id": specimen, "status": specimen.get_status_display()}
        )


def aliquot_split(*, user, parent: Specimen, type_code: str, count: int, volume_ml: Decimal) -> list[Specimen]:
    """Make ``count`` aliquots (or derivatives) of ``type_code`` from ``parent``, taking their volume from it."""
    specimen_type = specimen_type_of(parent.study, type_code)
    if not 1 <= count <= 200:
        raise ValidationError(_("Make between 1 and 200 aliquots at a time."))
    if volume_ml <= 0:
        raise ValidationError(_("An aliquot's volume must be more than 0 mL."))
    with transaction.atomic():
        parent = Specimen.objects.select_for_update().get(pk=parent.pk)
        _require_open(parent)
        taken = volume_ml * count
        if parent.volume_ml is not None and taken > parent.volume_ml:
            raise ValidationError(
                _("%(taken)s mL is more than the %(left)s mL left in %(id)s.")
                % {"taken": taken, "left": parent.volume_ml, "id": parent}
            )
        before = snapshot(parent, ["volume_ml"])
        if parent.volume_ml is not None:
            parent.volume_ml -= taken
            parent.save(update_fields=["volume_ml"])
            audit_record(
                user=user, action=Action.UPDATE, instance=parent, changes=diff(before, snapshot(parent, ["volume_ml"]))
            )
        return [_aliquot(user, parent, type_code, specimen_type, volume_ml) for _ in range(count)]


def _aliquot(user, parent: Specimen, type_code: str, specimen_type, volume_ml: Decimal) -> Specimen:
    inherited = {name: getattr(parent, name) for name in PROCESSING_FIELDS}
    inherited["storage_temperature_c"] = specimen_type.storage_temperature_c or parent.storage_temperature_c
    child = _new_specimen(
        study=parent.study,
        type_code=type_code,
        participant=parent.participant,
        visit=parent.visit,
        parent=parent,
        activity_key=parent.activity_key,
        status=Specimen.Status.COLLECTED,
        collected_by=user,
        volume_ml=volume_ml,
        **inherited,
    )
    _apply_checks(child, specimen_type)
    child.save(update_fields=["centrifuge_minutes_over", "freeze_minutes_over", "sprec"])
    audit_record(user=user, action=Action.CREATE, instance=child, changes=diff({}, snapshot(child)))
    return child


def specimen_dispose(*, user, specimen: Specimen, reason: str, consumed: bool = False) -> Specimen:
    """Dispose of (or record as used up) a specimen: it leaves its position; the row stays, with the reason."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for the disposal."))
    with transaction.atomic():
        specimen = Specimen.objects.select_for_update().get(pk=specimen.pk)
        _require_open(specimen)
        before = snapshot(specimen)
        Position.objects.filter(specimen=specimen).delete()
        specimen.status = Specimen.Status.CONSUMED if consumed else Specimen.Status.DISPOSED
        specimen.disposal_reason = reason.strip()
        specimen.disposed_at = timezone.now()
        specimen.save(update_fields=["status", "disposal_reason", "disposed_at"])
        audit_record(
            user=user, action=Action.UPDATE, instance=specimen, changes=diff(before, snapshot(specimen)), reason=reason
        )
    return specimen


def specimen_place(*, user, specimen: Specimen, box: Box, row: int, col: int) -> Position:
    """Put ``specimen`` at (row, col) of ``box``, moving it if it was elsewhere. An occupied cell is refused."""
    if not (1 <= row <= box.rows and 1 <= col <= box.cols):
        raise ValidationError(
            _("Position %(row)s,%(col)s is outside the %(rows)s × %(cols)s grid of box %(box)s.")
            % {"row": row, "col": col, "rows": box.rows, "cols": box.cols, "box": box.name}
        )
    if box.rack.freezer.site_id != specimen.participant.site_id:
        raise ValidationError(_("The box is in a freezer of another site."))
    try:
        with transaction.atomic():
            return _place(user, specimen, box, row, col)
    except IntegrityError:
        raise ValidationError(_("That position is already taken.")) from None


def _place(user, specimen: Specimen, box: Box, row: int, col: int) -> Position:
    specimen = Specimen.objects.select_for_update().get(pk=specimen.pk)
    _require_open(specimen)
    current = Position.objects.filter(specimen=specimen).first()
    before = snapshot(current, ["box", "row", "col"]) if current else {}
    position = current or Position(specimen=specimen)
    position.box, position.row, position.col = box, row, col
    position.save()
    if specimen.status != Specimen.Status.STORED:
        Specimen.objects.filter(pk=specimen.pk).update(status=Specimen.Status.STORED)
    action = Action.UPDATE if current else Action.CREATE
    audit_record(
        user=user,
        action=action,
        instance=position,
        participant=specimen.participant,
        changes=diff(before, snapshot(position, ["box", "row", "col"])),
    )
    return position


def freezer_create(*, user, site, name: str, temperature_c: int) -> Freezer:
    return _create(user, Freezer, site, site=site, name=name.strip(), temperature_c=temperature_c)


def rack_create(*, user, freezer: Freezer, name: str) -> Rack:
    return _create(user, Rack, freezer.site, freezer=freezer, name=name.strip())


def box_create(*, user, rack: Rack, name: str, rows: int, cols: int) -> Box:
    if not (1 <= rows <= Box.MAX_SIDE and 1 <= cols <= Box.MAX_SIDE):
        raise ValidationError(_("A box has 1 to %(max)s rows and columns.") % {"max": Box.MAX_SIDE})
    return _create(user, Box, rack.freezer.site, rack=rack, name=name.strip(), rows=rows, cols=cols)


def _create(user, model, audit_site, **fields):
    if not fields["name"]:
        raise ValidationError(_("Give a name."))
    try:
        with transaction.atomic():
            instance = model.objects.create(**fields)
            changes = diff({}, snapshot(instance))
            audit_record(user=user, action=Action.CREATE, instance=instance, site=audit_site, changes=changes)
    except IntegrityError:
        raise ValidationError(_("That name is already used here.")) from None
    return instance


def labels_print(*, user, specimens: list[Specimen], size: str) -> bytes:
    """The label sheet of ``specimens`` (a collection and its aliquots, say); the printing is audited."""
    # Imported here, not at the top: reportlab is a new dependency (pyproject), and until every deployment has
    # it the rest of the biobank must keep working; only printing labels needs it.
    from ..labels import Label, label_sheet

    if size not in LABEL_SIZES:
        raise ValidationError(_("Unknown label size."))
    labels = [
        Label(s.label_id, s.type_code, s.visit.visit_code if s.visit else "", _day(s.collected_at)) for s in specimens
    ]
    pdf = label_sheet(labels, LABEL_SIZES[size])
    root = specimens[0]
    audit_record(
        user=user,
        action=Action.EXPORT,
        instance=root,
        changes={"labels_printed": [None, [s.label_id for s in specimens]]},
    )
    return pdf


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def specimen_check_out(*, user, specimen: Specimen) -> Specimen:
    """Take a stored specimen out of its box (its cell stays reserved for it)."""
    return _set_stored(user, specimen, Specimen.Status.STORED, Specimen.Status.CHECKED_OUT, thawed=False)


def specimen_check_in(*, user, specimen: Specimen) -> Specimen:
    """Put a checked-out specimen back: one more freeze-thaw cycle (``freeze_thaw_warning`` says when too many)."""
    return _set_stored(user, specimen, Specimen.Status.CHECKED_OUT, Specimen.Status.STORED, thawed=True)


def _set_stored(user, specimen: Specimen, expected: str, status: str, *, thawed: bool) -> Specimen:
    with transaction.atomic():
        specimen = Specimen.objects.select_for_update().get(pk=specimen.pk)
        if specimen.status != expected:
            raise ValidationError(
                _("Specimen %(id)s is %(status)s.") % {"id": specimen, "status": specimen.get_status_display()}
            )
        before = snapshot(specimen, ["status", "freeze_thaw_cycles"])
        specimen.status = status
        specimen.freeze_thaw_cycles += 1 if thawed else 0
        specimen.save(update_fields=["status", "freeze_thaw_cycles"])
        changes = diff(before, snapshot(specimen, ["status", "freeze_thaw_cycles"]))
        audit_record(user=user, action=Action.UPDATE, instance=specimen, changes=changes)
    return specimen


def freeze_thaw_warning(specimen: Specimen) -> bool:
    """More freeze-thaw cycles than the protocol's ``freeze_thaw_limit``."""
    limit = study_biobank(specimen.study).freeze_thaw_limit
    return limit is not None and specimen.freeze_thaw_cycles > limit
