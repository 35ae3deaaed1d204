"""Consent uses and shipments: build a consignment, record the export approval, ship and receive.

A shipment refuses a specimen whose participant's consent forbids transfer; abroad, the consent must allow it
explicitly (nothing recorded: refused) and the shipment cannot leave without a recorded export approval (China's
human genetic resources rules for samples leaving the country). Every step is audited: the chain of custody.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot

from ..models import Box, ConsentUse, Position, Shipment, ShipmentItem, Specimen

Action = AuditEvent.Action
SHIPPABLE = (Specimen.Status.COLLECTED, Specimen.Status.STORED, Specimen.Status.CHECKED_OUT)
USES = ("allows_transfer", "allows_genetic", "allows_future_research")


def consent_uses_record(*, user, participant, **uses: bool) -> ConsentUse:
    with transaction.atomic():
        row = ConsentUse.objects.select_for_update().filter(participant=participant).first()
        before = snapshot(row, USES) if row else {}
        row = row or ConsentUse(participant=participant)
        for name in USES:
            setattr(row, name, bool(uses.get(name)))
        row.recorded_by = user
        row.save()
        action = Action.UPDATE if before else Action.CREATE
        audit_record(user=user, action=action, instance=row, changes=diff(before, snapshot(row, USES)))
    return row


def shipment_create(*, user, study, site, destination: str, abroad: bool) -> Shipment:
    if not destination.strip():
        raise ValidationError(_("Give the destination."))
    with transaction.atomic():
        shipment = Shipment.objects.create(
            study=study, site=site, destination=destination.strip(), abroad=abroad, created_by=user
        )
        audit_record(user=user, action=Action.CREATE, instance=shipment, changes=diff({}, snapshot(shipment)))
    return shipment


def _transfer_problem(shipment: Shipment, specimen: Specimen, uses: dict) -> str | None:
    if specimen.participant.site_id != shipment.site_id:
        return _("%(id)s is at another site.") % {"id": specimen}
    if specimen.status not in SHIPPABLE:
        return _("%(id)s is %(status)s.") % {"id": specimen, "status": specimen.get_status_display()}
    allowed = uses.get(specimen.participant_id)
    if allowed is False or (shipment.abroad and not allowed):
        return _("The consent of %(participant)s does not allow transfer of %(id)s.") % {
            "participant": specimen.participant,
            "id": specimen,
        }
    return None


def _check_transfers(shipment: Shipment, specimens) -> None:
    participant_ids = {s.participant_id for s in specimens}
    uses = dict(
        ConsentUse.objects.filter(participant_id__in=participant_ids).values_list("participant_id", "allows_transfer")
    )
    problems = [p for s in specimens if (p := _transfer_problem(shipment, s, uses))]
    if problems:
        raise ValidationError(problems)


def shipment_add(*, user, shipment: Shipment, specimens: list[Specimen]) -> int:
    """Add specimens (all or none: one refused specimen refuses the lot, with every reason listed)."""
    if shipment.status != Shipment.Status.DRAFT:
        raise ValidationError(_("Only a shipment being prepared can change."))
    _check_transfers(shipment, specimens)
    with transaction.atomic():
        added = 0
        for specimen in specimens:
            item, created = ShipmentItem.objects.get_or_create(shipment=shipment, specimen=specimen)
            if created:
                added += 1
                audit_record(
                    user=user,
                    action=Action.CREATE,
                    instance=item,
                    study=shipment.study,
                    participant=specimen.participant,
                )
    return added


def shipment_approve(*, user, shipment: Shipment, reference: str, date, scope: str) -> Shipment:
    if not reference.strip() or date is None:
        raise ValidationError(_("An export approval needs its reference and date."))
    with transaction.atomic():
        before = snapshot(shipment)
        shipment.approval_reference, shipment.approval_date, shipment.approval_scope = reference.strip(), date, scope
        shipment.save(update_fields=["approval_reference", "approval_date", "approval_scope"])
        audit_record(user=user, action=Action.UPDATE, instance=shipment, changes=diff(before, snapshot(shipment)))
    return shipment


def shipment_ship(*, user, shipment: Shipment, temperature_c: int) -> Shipment:
    """Mark shipped: the specimens leave their boxes. Abroad without an approval, or any consent now forbidding
    transfer, refuses the whole shipment."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if shipment.status != Shipment.Status.DRAFT:
            raise ValidationError(_("This shipment has already left."))
        if shipment.abroad and not shipment.has_approval:
            raise ValidationError(_("A shipment abroad needs a recorded export approval before it leaves."))
        specimens = list(Specimen.objects.select_related("participant").filter(shipment_items__shipment=shipment))
        if not specimens:
            raise ValidationError(_("The shipment has no specimens."))
        _check_transfers(shipment, specimens)
        before = snapshot(shipment)
        Position.objects.filter(specimen__in=specimens).delete()
        Specimen.objects.filter(pk__in=[s.pk for s in specimens]).update(status=Specimen.Status.SHIPPED)
        shipment.status, shipment.shipped_at, shipment.shipped_temperature_c = (
            Shipment.Status.SHIPPED,
            timezone.now(),
            temperature_c,
        )
        shipment.save(update_fields=["status", "shipped_at", "shipped_temperature_c"])
        audit_record(user=user, action=Action.UPDATE, instance=shipment, changes=diff(before, snapshot(shipment)))
    return shipment


def shipment_receive(*, user, shipment: Shipment, temperature_c: int, condition: str) -> Shipment:
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if shipment.status != Shipment.Status.SHIPPED:
            raise ValidationError(_("Only a shipped consignment can be received."))
        before = snapshot(shipment)
        shipment.status, shipment.received_at = Shipment.Status.RECEIVED, timezone.now()
        shipment.received_temperature_c, shipment.received_condition = temperature_c, condition.strip()
        shipment.save(update_fields=["status", "received_at", "received_temperature_c", "received_condition"])
        audit_record(user=user, action=Action.UPDATE, instance=shipment, changes=diff(before, snapshot(shipment)))
    return shipment


def shipment_place(*, user, shipment: Shipment, box: Box) -> int:
    """Put every specimen of a received shipment into ``box``'s free cells, row by row, in one action (a
    96-specimen shipment into a 10 × 10 box, say). The box may be at any site of the study (a central biobank);
    not enough room, or a cell taken meanwhile, places nothing."""
    if box.rack.freezer.site.study_id != shipment.study_id:
        raise ValidationError(_("The box is not in this study."))
    try:
        with transaction.atomic():
            return _place_all(user, shipment, box)
    except IntegrityError:
        raise ValidationError(_("That position is already taken.")) from None


def _place_all(user, shipment: Shipment, box: Box) -> int:
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status != Shipment.Status.RECEIVED:
        raise ValidationError(_("Only a received shipment can be placed."))
    specimens = list(
        Specimen.objects.select_for_update()
        .filter(shipment_items__shipment=shipment, status=Specimen.Status.SHIPPED)
        .order_by("seq")
    )
    taken = set(Position.objects.filter(box=box).values_list("row", "col"))
    free = [(r, c) for r in range(1, box.rows + 1) for c in range(1, box.cols + 1) if (r, c) not in taken]
    if len(specimens) > len(free):
        raise ValidationError(
            _("%(count)s specimens do not fit in the %(free)s free cells of box %(box)s.")
            % {"count": len(specimens), "free": len(free), "box": box.name}
        )
    Position.objects.bulk_create(
        Position(box=box, row=r, col=c, specimen=s) for s, (r, c) in zip(specimens, free, strict=False)
    )
    Specimen.objects.filter(pk__in=[s.pk for s in specimens]).update(status=Specimen.Status.STORED)
    cells = {s.label_id: f"{box} {chr(64 + r)}{c}" for s, (r, c) in zip(specimens, free, strict=False)}
    audit_record(user=user, action=Action.UPDATE, instance=shipment, changes={"placed": [None, cells]})
    return len(specimens)
