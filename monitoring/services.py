"""Writes for monitoring: verify a form, lock and unlock data, sign a casebook, and what a data change undoes.

Each write is in the audit trail in its own transaction (actions verify, lock, unlock, sign; a reset
verification or a voided signature as a change with the path "system").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, audited_update, diff, snapshot
from instruments.models import Response
from participants.models import Participant
from studies.selectors import current_protocol

from .models import Lock, Signature, SourceVerification
from .selectors import casebook_hash, is_locked

Action = AuditEvent.Action
MEANINGS = {
    Signature.Meaning.REVIEWED: (
        "I have reviewed the data of this casebook and confirm it is complete and accurate.",
        "本人已审阅此病例报告册中的数据，确认其完整、准确。",
    ),
}
WHY_RESET = "Form changed after verification / 核查后表单已修改: %s"
WHY_VOID = "Casebook changed after signing / 签名后病例报告册已修改: %s"


def _hold(participant: Participant) -> Participant:
    """The participant row locked until the end of the transaction: locks and writes of its data queue up."""
    return Participant.objects.select_for_update().get(pk=participant.pk)


@transaction.atomic
def response_verify(*, response: Response, user) -> SourceVerification:
    """Mark a complete form as checked against its source at its current version."""
    _hold(response.participant)
    # Read again under the participant's lock (a write holds it too); not locking the response row keeps
    # one lock order with response_submit (response, then participant).
    response = Response.objects.select_related("participant").get(pk=response.pk)
    if response.status != Response.Status.COMPLETE:
        raise ValidationError(_("Only a complete form can be verified."))
    current = SourceVerification.objects.filter(response=response, reset_at__isnull=True).first()
    if current is not None and current.lock_version == response.lock_version:
        raise ValidationError(_("This form is already verified."))
    if current is not None:  # verified at an older version that was not reset: close it first
        _reset(current, user=user, reason=WHY_RESET % "—")
    verification = SourceVerification.objects.create(
        response=response, verified_by=user, verified_at=timezone.now(), lock_version=response.lock_version
    )
    audit_record(
        user=user,
        action=Action.VERIFY,
        instance=verification,
        participant=response.participant,
        changes=diff({}, snapshot(verification, ["response", "verified_by", "lock_version"])),
    )
    return verification


def _reset(verification: SourceVerification, *, user, reason: str) -> None:
    with audited_update(verification, user=user, reason=reason, path=AuditEvent.Path.SYSTEM):
        verification.reset_at, verification.reset_reason = timezone.now(), reason
        verification.save(update_fields=["reset_at", "reset_reason"])


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
) -> Lock:
    """Make a form, a visit or the whole participant read-only on every write path."""
    participant = _hold(participant)
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
        locked_by=user,
    )
    audit_record(
        user=user,
        action=Action.LOCK,
        instance=lock,
        reason=lock.reason,
        changes=diff({}, snapshot(lock, ["scope", "participant", "visit_code", "response", "locked_by"])),
    )
    return lock


@transaction.atomic
def lock_release(*, lock: Lock, user, reason: str) -> Lock:
    """Lift a lock (the reason is required); the row stays as history."""
    _hold(lock.participant)
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


@transaction.atomic
def casebook_sign(*, participant: Participant, user, password: str, meaning: str) -> Signature:
    """The PI signs the casebook after entering their password again; a wrong password stores nothing."""
    participant = _hold(participant)
    if meaning not in MEANINGS:
        raise ValidationError({"meaning": _("Choose what your signature means.")})
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct. Nothing was signed.")})
    if Signature.objects.filter(participant=participant, voided_at__isnull=True).exists():
        raise ValidationError(_("This casebook is already signed."))
    signature = Signature.objects.create(
        participant=participant,
        signer=user,
        signed_at=timezone.now(),
        meaning=meaning,
        meaning_text=" / ".join(MEANINGS[meaning]),
        content_hash=casebook_hash(participant),
    )
    audit_record(
        user=user,
        action=Action.SIGN,
        instance=signature,
        changes=diff({}, snapshot(signature, ["signer", "signed_at", "meaning", "meaning_text", "content_hash"])),
    )
    return signature


def describe_change(response: Response, user, reason: str) -> str:
    who = str(user) if getattr(user, "is_authenticated", False) else "system"
    text = f"{response.visit_code} {response.activity_key} #{response.instance} v{response.lock_version} ({who})"
    return f"{text}: {reason}" if reason else text


def response_changed(*, response: Response, user, reason: str = "") -> None:
    """What a change to stored answers or scores undoes: the form's verification and the casebook signature.

    Called by instruments.services inside its own transaction, after the change is saved.
    """
    actor = user if getattr(user, "is_authenticated", False) else None
    change = describe_change(response, user, reason)
    for verification in SourceVerification.objects.select_for_update().filter(response=response, reset_at__isnull=True):
        _reset(verification, user=actor, reason=WHY_RESET % change)
    signature = (
        Signature.objects.select_for_update()
        .filter(participant_id=response.participant_id, voided_at__isnull=True)
        .first()
    )
    if signature is not None:
        with audited_update(signature, user=actor, reason=WHY_VOID % change, path=AuditEvent.Path.SYSTEM):
            signature.voided_at, signature.voided_by_change = timezone.now(), change
            signature.save(update_fields=["voided_at", "voided_by_change"])


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
    _hold(participant)
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
