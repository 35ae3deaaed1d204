"""Locks: data a data manager made read-only, and the check every write to a participant's data makes first.

A lock covers one form, one visit or a whole participant. Writes (CRF page, API, import, the participants'
own services) call ``lock_for_write`` or ``refuse_if_locked`` inside their transaction, after holding the
participant row, so no lock is taken between the check and the write.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, diff, snapshot
from instruments.models import Response
from studies.selectors import current_protocol

from ..models import Lock, Participant
from ..selectors import is_locked

Action = AuditEvent.Action


def participant_hold(participant: Participant) -> Participant:
    """The participant row locked until the end of the transaction: locks and writes of its data queue up."""
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _create_lock(**fields) -> Lock:
    try:
        with transaction.atomic():
            return Lock.objects.create(locked_at=timezone.now(), **fields)
    except IntegrityError:
        raise ValidationError(_("This is already locked.")) from None


@transaction.atomic
def lock_create(
    *,
    participant: Participant,
    scope: str,
    user,
    reason: str = "",
    visit_code: str = "",
    response: Response | None = None,
    override_reason: str = "",
) -> Lock:
    """Make a form, a visit or the whole participant read-only on every write path.

    ``override_reason``: why it is locked although its review (SDV, queries) is not complete; the review itself
    is checked a floor up (workflows.review), where queries are known.
    """
    participant = participant_hold(participant)
    if scope == Lock.Scope.FORM:
        if response is None or response.participant_id != participant.pk:
            raise ValidationError(_("Choose a form of this participant."))
        visit_code = response.visit_code
    elif scope == Lock.Scope.VISIT:
        protocol = current_protocol(participant.study)
        if not visit_code or (protocol is not None and visit_code not in {v.code for v in protocol.visits}):
            raise ValidationError(_("Choose a visit."))
        response = None
    elif scope == Lock.Scope.PARTICIPANT:
        visit_code, response = "", None
    else:
        raise ValidationError(_("Unknown lock scope."))
    lock = _create_lock(
        scope=scope,
        participant=participant,
        visit_code=visit_code,
        response=response,
        reason=reason.strip(),
        override_reason=override_reason.strip(),
        locked_by=user,
    )
    audit_record(
        user=user,
        action=Action.LOCK,
        instance=lock,
        reason=lock.reason,
        changes=diff(
            {}, snapshot(lock, ["scope", "participant", "visit_code", "response", "locked_by", "override_reason"])
        ),
    )
    return lock


@transaction.atomic
def lock_release(*, lock: Lock, user, reason: str) -> Lock:
    """Lift a lock (the reason is required); the row stays as history."""
    participant_hold(lock.participant)
    lock = Lock.objects.select_for_update().get(pk=lock.pk)
    if not reason.strip():
        raise ValidationError(_("Give the reason for unlocking."))
    if lock.unlocked_at is not None:
        raise ValidationError(_("This lock was already lifted."))
    before = snapshot(lock, ["unlocked_by", "unlocked_at", "unlock_reason"])
    lock.unlocked_by, lock.unlocked_at, lock.unlock_reason = user, timezone.now(), reason.strip()
    lock.save(update_fields=["unlocked_by", "unlocked_at", "unlock_reason"])
    audit_record(
        user=user,
        action=Action.UNLOCK,
        instance=lock,
        reason=lock.unlock_reason,
        changes=diff(before, snapshot(lock, ["unlocked_by", "unlocked_at", "unlock_reason"])),
    )
    return lock


def locked_message(lock: Lock) -> dict[str, str]:
    """Why a write is refused, in English and Chinese (the instruments' error format)."""
    texts = {
        Lock.Scope.FORM: (
            "This form is locked by a data manager: it cannot be changed.",
            "此表单已被数据管理员锁定，无法修改。",
        ),
        Lock.Scope.VISIT: (
            "This visit is locked by a data manager: its data cannot be changed.",
            "此访视已被数据管理员锁定，其数据无法修改。",
        ),
        Lock.Scope.PARTICIPANT: (
            "This participant's data is locked by a data manager: it cannot be changed.",
            "该受试者的数据已被数据管理员锁定，无法修改。",
        ),
    }[lock.scope]
    return {"en": texts[0], "zh": texts[1]}


def lock_for_write(participant: Participant, visit_code: str | None = None, response=None) -> Lock | None:
    """For a write path inside its transaction: hold the participant row (so no lock is taken meanwhile)
    and return the lock that refuses the write, or None."""
    participant_hold(participant)
    return is_locked(participant, visit_code, response=response)


def refuse_if_locked(participant: Participant, visit_code: str | None = None) -> None:
    """For the participants' services, inside their transaction: a ValidationError when the participant (or
    the visit) is locked."""
    lock = lock_for_write(participant, visit_code)
    if lock is not None:
        raise ValidationError(
            {
                Lock.Scope.FORM: _("This form is locked by a data manager: it cannot be changed."),
                Lock.Scope.VISIT: _("This visit is locked by a data manager: its data cannot be changed."),
                Lock.Scope.PARTICIPANT: _("This participant's data is locked by a data manager: it cannot be changed."),
            }[lock.scope]
        )
