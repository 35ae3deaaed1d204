"""Writes for monitoring: verify a form, sign a casebook, and what a data change undoes (locks: participants.services).

Each write is in the audit trail in its own transaction (actions verify, lock, unlock, sign; a reset
verification or a voided signature as a change with the path "system").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
from .selectors import casebook_hash, sdv_plan, sdv_requirement

Action = AuditEvent.Action
MEANINGS = {
    Signature.Meaning.REVIEWED: (
        "I have reviewed the data of this casebook and confirm it is complete and accurate.",
        "本人已审阅此病例报告册中的数据，确认其完整、准确。",
    ),
}
WHY_RESET = "Form changed after verification / 核查后表单已修改: %s"
WHY_VOID = "Casebook changed after signing / 签名后病例报告册已修改: %s"


@dataclass
class BulkVerification:
    """What one bulk verification did: the forms verified, and each form left out with why."""

    verified: list[SourceVerification] = field(default_factory=list)
    skipped: list[tuple[Response, str]] = field(default_factory=list)


@transaction.atomic
def response_verify(*, response: Response, user, fields: Sequence[str] | None = None) -> SourceVerification:
    """Mark a complete form as checked against its source at its current version.

    Where the protocol asks for field-level SDV of this form, ``fields`` are the item codes the monitor ticked:
    they add to those ticked before at the same version, and the form counts as verified once every required
    field is ticked.
    """
    participant_hold(response.participant)
    # Read again under the participant's lock (a write holds it too); not locking the response row keeps
    # one lock order with response_submit (response, then participant).
    response = Response.objects.select_related("participant").get(pk=response.pk)
    required = sdv_requirement(response, sdv_plan(response.participant.study)).fields
    if required:
        return _verify_fields(response, user=user, required=required, ticked=fields or ())
    current = _current(response)
    problem = _not_verifiable(response, current)
    if problem:
        raise ValidationError(problem)
    return _verify(response, user=user, current=current)


@transaction.atomic
def responses_verify(*, responses: Iterable[Response], user) -> BulkVerification:
    """Verify many complete forms (a visit, or a monitor's selection) in one transaction, one audit event each.

    Forms not complete, already verified, or needing field-level SDV (ticked on the form page) are left out and
    listed with the reason; the others are verified at their current version.
    """
    ids = sorted({response.pk for response in responses})
    owners = set(Response.objects.filter(pk__in=ids).values_list("participant_id", flat=True))
    for participant_id in sorted(owners):  # one lock order: participant ids
        participant_hold(Participant(pk=participant_id))
    result, plans = BulkVerification(), {}
    currents = {
        one.response_id: one for one in SourceVerification.objects.filter(response_id__in=ids, reset_at__isnull=True)
    }
    for response in (
        Response.objects.filter(pk__in=ids).select_related("participant", "participant__study").order_by("pk")
    ):
        study_id = response.participant.study_id
        if study_id not in plans:
            plans[study_id] = sdv_plan(response.participant.study)
        current = currents.get(response.pk)
        problem = _not_verifiable(response, current)
        if not problem and sdv_requirement(response, plans[study_id]).fields:
            problem = _("Its fields are verified one by one on the form page.")
        if problem:
            result.skipped.append((response, problem))
        else:
            result.verified.append(_verify(response, user=user, current=current))
    return result


def _not_verifiable(response: Response, current: SourceVerification | None) -> str:
    """Why this form cannot be verified as a whole now ("" when it can); ``current``: its current verification."""
    if response.status != Response.Status.COMPLETE:
        return _("Only a complete form can be verified.")
    if current is not None and current.lock_version == response.lock_version and current.complete:
        return _("This form is already verified.")
    return ""


def _current(response: Response) -> SourceVerification | None:
    return SourceVerification.objects.filter(response=response, reset_at__isnull=True).first()


def _verify(
    response: Response, *, user, current: SourceVerification | None, fields: Sequence[str] = (), complete: bool = True
) -> SourceVerification:
    if current is not None:  # verified at an older version that was not reset (or partly): close it first
        _reset(current, user=user, reason=WHY_RESET % "—")
    verification = SourceVerification.objects.create(
        response=response,
        verified_by=user,
        verified_at=timezone.now(),
        lock_version=response.lock_version,
        fields=list(fields),
        complete=complete,
    )
    audit_record(
        user=user,
        action=Action.VERIFY,
        instance=verification,
        participant=response.participant,
        changes=diff({}, snapshot(verification, ["response", "verified_by", "lock_version", "fields", "complete"])),
    )
    return verification


def _verify_fields(response: Response, *, user, required: Sequence[str], ticked: Sequence[str]) -> SourceVerification:
    if response.status != Response.Status.COMPLETE:
        raise ValidationError(_("Only a complete form can be verified."))
    unknown = set(ticked) - set(required)
    if unknown or not ticked:
        raise ValidationError(_("Tick the fields you compared with the source."))
    current = _current(response)
    if current is None or current.lock_version != response.lock_version:
        fields = [code for code in required if code in set(ticked)]
        return _verify(response, user=user, current=current, fields=fields, complete=len(fields) == len(required))
    if current.complete:
        raise ValidationError(_("This form is already verified."))
    before = snapshot(current, ["fields", "complete", "verified_by"])
    current.fields = [code for code in required if code in {*current.fields, *ticked}]
    current.complete = len(current.fields) == len(required)
    current.verified_by, current.verified_at = user, timezone.now()
    current.save(update_fields=["fields", "complete", "verified_by", "verified_at"])
    audit_record(
        user=user,
        action=Action.VERIFY,
        instance=current,
        participant=response.participant,
        changes=diff(before, snapshot(current, ["fields", "complete", "verified_by"])),
    )
    return current


def _reset(verification: SourceVerification, *, user, reason: str) -> None:
    with audited_update(verification, user=user, reason=reason, path=AuditEvent.Path.SYSTEM):
        verification.reset_at, verification.reset_reason = timezone.now(), reason
        verification.save(update_fields=["reset_at", "reset_reason"])


def casebook_sign(*, participant: Participant, user, password: str, meaning: str, request: HttpRequest) -> Signature:
    """The PI signs the casebook after entering their password again; a wrong password stores nothing.

    The password is checked first, outside the signing transaction, with the log-in's lock-out (django-axes
    counts each wrong password; past the limit the account is locked and the signature refused), so that a
    hijacked session is no unlimited password oracle. (The signing page goes through workflows.review, which
    checks the casebook's review, SDV and queries, before and again under the participant's lock.)
    """
    signature_password_check(meaning=meaning, user=user, password=password, request=request)
    return signature_create(participant=participant, user=user, meaning=meaning)


def signature_password_check(*, meaning: str, user, password: str, request: HttpRequest) -> None:
    """What a signature needs before its transaction: a known meaning and the signer's password again."""
    if meaning not in MEANINGS:
        raise ValidationError({"meaning": _("Choose what your signature means.")})
    password_reconfirm(request=request, user=user, password=password)


@transaction.atomic
def signature_create(*, participant: Participant, user, meaning: str, override_reason: str = "") -> Signature:
    """Store the signature (after ``signature_password_check``); ``override_reason``: signed before review was done."""
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
        override_reason=override_reason.strip(),
    )
    fields = ["signer", "signed_at", "meaning", "meaning_text", "content_hash", "override_reason"]
    audit_record(user=user, action=Action.SIGN, instance=signature, changes=diff({}, snapshot(signature, fields)))
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
