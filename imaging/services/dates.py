"""The per-participant date offset applied to every stored copy (DICOM dates, EDF start date).

The offset is a secret of the imaging app: it is drawn once with ``secrets`` and read only here, so no page,
export or admin screen can show it. Copies stored before their participant is known keep offset 0 and are
rewritten when they are linked (``shift_delta`` gives the move from the offset they carry).
"""

from __future__ import annotations

import secrets

from django.db import transaction

from audit.services import audit_record
from imaging.models import DateShift

SHIFT_MIN_DAYS, SHIFT_MAX_DAYS = -365, -30


def date_shift_days(*, participant, user=None) -> int:
    """The participant's offset in days, drawn on first use (between -365 and -30)."""
    if participant is None:
        return 0
    existing = DateShift.objects.filter(participant=participant).values_list("days", flat=True).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        shift, created = DateShift.objects.get_or_create(
            participant=participant,
            defaults={"days": SHIFT_MIN_DAYS + secrets.randbelow(SHIFT_MAX_DAYS - SHIFT_MIN_DAYS + 1)},
        )
        if created:  # the audit row says that an offset exists, never its value
            audit_record(
                user=user,
                action="create",
                instance=shift,
                participant=participant,
                study=participant.study,
                changes={},
                path="system",
            )
    return shift.days


def shift_delta(*, data_file, participant, user=None) -> int:
    """Days to move a stored copy so it carries ``participant``'s offset instead of the one it has."""
    applied_to = data_file.metadata.get("date_shift_of")
    target = date_shift_days(participant=participant, user=user)
    if applied_to == participant.pk:
        return 0
    if applied_to is None:
        return target
    previous = DateShift.objects.filter(participant_id=applied_to).values_list("days", flat=True).first() or 0
    return target - previous


def date_shifts_for(participants, *, study, user=None) -> dict[int, int]:
    """participant id -> offset in days for every participant of the queryset ``participants``, drawing the
    missing ones in one insert (an export needs them all: two or three queries, whatever the study's size)."""
    known = dict(DateShift.objects.filter(participant__in=participants).values_list("participant_id", "days"))
    missing = [pk for pk in participants.values_list("pk", flat=True) if pk not in known]
    if not missing:
        return known
    with transaction.atomic():
        DateShift.objects.bulk_create(
            [
                DateShift(
                    participant_id=pk, days=SHIFT_MIN_DAYS + secrets.randbelow(SHIFT_MAX_DAYS - SHIFT_MIN_DAYS + 1)
                )
                for pk in missing
            ],
            ignore_conflicts=True,  # another export or ingest drew one meanwhile: theirs stands
        )
        audit_record(  # one event for the batch: that offsets exist, never their values
            user=user,
            action="create",
            object_type="imaging.dateshift",
            object_label=f"date offsets drawn for {len(missing)} participants",
            study=study,
            changes={},
            path="system",
        )
    return dict(DateShift.objects.filter(participant__in=participants).values_list("participant_id", "days"))
