"""Writes for monitoring: verify a form, sign a casebook, and what a data change undoes (locks: participants.services).

Each write is in the audit trail in its own transaction (actions verify, lock, unlock, sign; a reset
verification or a voided signature as a change with the path "system").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import password_reconfirm
from audit.models import AuditEvent
from audit.services import audit_record, audited_update, diff, snapshot
from instruments.models import Response
from participants.models import Participant
from participants.services import participant_hold

from .models import Signature, SourceVerification
from .selectors import casebook_hash

Action = AuditEvent.Action
MEANINGS = {
    Signature.Meaning.REVIEWED: (
        "I have reviewed the data of this casebook and confirm it is complete and accurate.",
        "本人已审阅此病例报告册中的数据，确认其完整、准确。",
    ),
}
WHY_RESET = "Form changed after verification / 核查后表单已修改: %s"
WHY_VOID = "Casebook changed after signing / 签名后病例报告册已修改: %s"


@transaction.atomic
def response_verify(*, response: Response, user) -> SourceVerification:
    """Mark a complete form as checked against its source at its current version."""
    participant_hold(response.participant)
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


def casebook_sign(*, participant: Participant, user, password: str, meaning: str, request: HttpRequest) -> Signature:
    """The PI signs the casebook after entering their password again; a wrong password stores nothing.

    The password is checked first, outside the signing transaction, with the log-in's lock-out (django-axes
    counts each wrong password; past the limit the account is locked and the signature refused), so that a
    hijacked session is no unlimited password oracle.
    """
    if meaning not in MEANINGS:
        raise ValidationError({"meaning": _("Choose what your signature means.")})
    password_reconfirm(request=request, user=user, password=password)
    return _casebook_sign(participant=participant, user=user, meaning=meaning)


@transaction.atomic
def _casebook_sign(*, participant: Participant, user, meaning: str) -> Signature:
    participant = participant_hold(participant)
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
