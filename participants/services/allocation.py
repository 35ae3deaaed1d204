"""Allocation: which arm a participant is in, and who may decide it.

The arm decides which visits apply, so a change re-projects the schedule in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audited_update

from ..models import Participant
from .common import WHY_ARM, Path, Status, _locked, _protocol, _require_status
from .locks import refuse_if_locked
from .schedule import _reproject


@transaction.atomic
def participant_assign_arm(
    *,
    participant: Participant,
    arm_code: str,
    user,
    source: str = Participant.AllocationSource.CLINICIAN,
    reason: str = "",
    path: str = Path.PAGE,
) -> Participant:
    """Put an enrolled participant in an arm and re-project the visits that depend on it.

    In an observational study the clinician's treatment decision sets the arm (and may change it). In a
    randomised study only the randomisation service may, by calling this with ``source="randomisation"``,
    and an allocation is final.
    """
    protocol = _protocol(participant.study)
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.ENROLLED)
    if arm_code not in protocol.arm_codes:
        raise ValidationError(_("Choose one of the study's arms."))
    randomised = protocol.study.design == "randomised"
    if randomised and source != Participant.AllocationSource.RANDOMISATION:
        raise ValidationError(_("In a randomised study the arm comes from the randomisation."))
    if participant.allocation_source == Participant.AllocationSource.RANDOMISATION:
        raise ValidationError(_("A randomised allocation cannot be changed."))
    with audited_update(participant, user=user, path=path, reason=reason):
        participant.arm_code = arm_code
        participant.allocation_source = source
        participant.allocated_at = timezone.now()
        participant.save(update_fields=["arm_code", "allocation_source", "allocated_at"])
    _reproject(participant, protocol, user=user, reason=WHY_ARM)
    return participant
