"""The cell-product chain: release results of a product lot, then dispensing to the participant's visit.

Release is decided by every criterion of the protocol (studies.protocol.specimens.Biobank.release_criteria): one
failing or missing result and the product is not released, and a product not released cannot be dispensed.
"""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot

from .. import release
from ..models import Dispense, Position, ProductRelease, Specimen
from . import study_biobank

Action = AuditEvent.Action


def _require_product(specimen: Specimen) -> None:
    if study_biobank(specimen.study).specimen_type(specimen.type_code).base != "cell_product":
        raise ValidationError(_("%(id)s is not a cell product.") % {"id": specimen})


def release_record(*, user, specimen: Specimen, lot: str, results: dict[str, str], passage=None, cells_per_ml=None):
    """Record (or correct) the release results of a cell product and decide whether it is released."""
    _require_product(specimen)
    if not lot.strip():
        raise ValidationError(_("Give the lot number."))
    outcomes = release.evaluate(study_biobank(specimen.study).release_criteria, results)
    with transaction.atomic():
        row = ProductRelease.objects.select_for_update().filter(specimen=specimen).first()
        if row is not None and hasattr(specimen, "dispense"):
            raise ValidationError(_("The product was dispensed; its release can no longer change."))
        before = snapshot(row) if row else {}
        row = row or ProductRelease(specimen=specimen)
        row.lot, row.passage, row.cells_per_ml, row.recorded_by = lot.strip(), passage, cells_per_ml, user
        row.results = {k: v for k, v in results.items() if v}
        row.outcomes = [asdict(o) for o in outcomes]
        row.released = release.released(outcomes)
        row.save()
        action = Action.UPDATE if before else Action.CREATE
        audit_record(
            user=user,
            action=action,
            instance=row,
            participant=specimen.participant,
            changes=diff(before, snapshot(row)),
        )
    return row


def product_dispense(*, user, specimen: Specimen, visit, transport_temperature_c: int) -> Dispense:
    _require_product(specimen)
    if visit.participant_id != specimen.participant_id:
        raise ValidationError(_("The visit is not the product's participant's."))
    with transaction.atomic():
        specimen = Specimen.objects.select_for_update().get(pk=specimen.pk)
        release_row = ProductRelease.objects.filter(specimen=specimen).first()
        if release_row is None or not release_row.released:
            raise ValidationError(_("The product has not passed every release criterion; it cannot be dispensed."))
        if Dispense.objects.filter(specimen=specimen).exists() or specimen.status == Specimen.Status.DISPENSED:
            raise ValidationError(_("The product was already dispensed."))
        dispense = Dispense.objects.create(
            specimen=specimen, visit=visit, transport_temperature_c=transport_temperature_c, dispensed_by=user
        )
        Position.objects.filter(specimen=specimen).delete()
        Specimen.objects.filter(pk=specimen.pk).update(status=Specimen.Status.DISPENSED)
        audit_record(
            user=user,
            action=Action.CREATE,
            instance=dispense,
            participant=specimen.participant,
            changes=diff({}, snapshot(dispense)),
        )
    return dispense
