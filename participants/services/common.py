"""What every participant write shares: the rules it checks first, the audit helpers and the stored reasons.

Kept apart so each write module imports the same checks rather than growing its own copy of them.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from studies.selectors import current_protocol

from ..models import Participant

ENROLMENT = "enrolment"
Status = Participant.Status
Action = AuditEvent.Action
Path = AuditEvent.Path
SYSTEM = Path.SYSTEM
# Stored in the trail instead of a name, phone, national ID or date of birth.
PII_MASK = "•••"
# Reasons the system gives for what it does in consequence of a user's action (stored in both languages).
WHY_ENROLMENT = "Schedule projected at enrolment / 入组时推算访视计划"
WHY_ARM = "Schedule re-projected for the arm / 按分组重新推算访视计划"
WHY_ANCHOR = "Schedule re-projected from the date of %s / 按%s日期重新推算访视计划"
WHY_AMENDMENT = "Schedule re-projected for protocol version %s / 按方案版本%s重新推算访视计划"
WHY_WITHDRAWAL = "Visit cancelled at withdrawal / 退出研究时取消访视"
WHY_RULES = "Score rules re-evaluated after a form was saved / 保存量表后重新评估评分规则"


def _protocol(study):
    protocol = current_protocol(study)
    if protocol is None:
        raise ValidationError(_("This study has no protocol loaded yet."))
    return protocol


def _not_in_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The %(what)s cannot be in the future.") % {"what": what})


def _require_status(participant: Participant, *allowed: str) -> None:
    if participant.status not in allowed:
        raise ValidationError(
            _("Not possible while the participant's status is “%(status)s”.")
            % {"status": participant.get_status_display()}
        )


def _locked(participant: Participant) -> Participant:
    """The participant row, locked until the end of the transaction (two clicks never act twice)."""
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _audit_created(instance, *, user, path: str, reason: str = "", changes: dict | None = None) -> None:
    audit_record(
        user=user,
        action=Action.CREATE,
        instance=instance,
        path=path,
        reason=reason,
        changes=diff({}, snapshot(instance)) if changes is None else changes,
    )


def _flat(values: dict, name: str) -> dict:
    """``values`` with the dict under ``name`` spread as ``name.key`` entries (one audit field per answer)."""
    inner = values.pop(name, None) or {}
    return values | {f"{name}.{key}": value for key, value in inner.items()}
