"""Withdrawal: the participant leaves the study; what was recorded stays, the visits still to come are cancelled."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, audited_update

from ..models import Participant
from .common import SYSTEM, WHY_WITHDRAWAL, Action, Path, Status, _locked, _not_in_future, _require_status
from .locks import refuse_if_locked


@transaction.atomic
def participant_withdraw(
    *, participant: Participant, user, withdrawn_on: date, reason: str, path: str = Path.PAGE
) -> Participant:
    """Withdraw: visits from that day on are cancelled; everything recorded so far is kept."""
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.SCREENING, Status.ENROLLED)
    if not reason.strip():
        raise ValidationError(_("Give the reason for withdrawal."))
    _not_in_future(withdrawn_on, _("withdrawal date"))
    if participant.enrolled_on and withdrawn_on < participant.enrolled_on:
        raise ValidationError(_("The withdrawal date cannot be before enrolment."))
    with audited_update(participant, user=user, path=path, reason=reason.strip()):
        participant.status = Status.WITHDRAWN
        participant.withdrawn_on = withdrawn_on
        participant.withdrawal_reason = reason.strip()
        participant.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    cancelled = participant.visits.filter(
        completed_on__isnull=True, missed=False, cancelled=False, target_date__gte=withdrawn_on
    )
    visits = list(cancelled.select_for_update())
    cancelled.update(cancelled=True, updated_at=timezone.now())
    for visit in visits:
        visit.cancelled = True
        audit_record(
            user=user,
            action=Action.UPDATE,
            instance=visit,
            changes={"cancelled": [False, True]},
            reason=WHY_WITHDRAWAL,
            path=SYSTEM,
        )
    return participant
