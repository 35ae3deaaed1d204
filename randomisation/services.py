"""Writes for randomisation: generate and freeze allocation lists, randomise, record emergency unblindings.

Every function is keyword-only, checks its rules, raises ``ValidationError`` with a message for the user when
they do not hold (nothing written), and saves inside one transaction. Messages never name an arm.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.capabilities import Action, can, is_blinded, roles_with
from accounts.models import Membership
from participants.models import Participant
from participants.services import anchors_set_by_event, participant_assign_arm
from studies.models import Study
from studies.selectors import current_protocol

from .lists import draw_seed, generate_allocation_list, group_labels, list_sha256, seed_text
from .models import AllocationList, AllocationSlot, UnblindingEvent, UnblindingNotification
from .selectors import SITE, allocation_for, level_of, stratification_factors, stratum_keys

logger = logging.getLogger(__name__)

MAX_SIZE = 10000
MAX_SLOTS = 20000
DEFAULT_MULTIPLIERS = (1, 2, 3)
SEED_DIGITS = 78  # 256 bits; the stored text has room for 80 (AllocationList.seed)
SEED_REFUSED = gettext_lazy(
    "Only the unblinded statistician may choose the seed. Leave it out: the server draws a secret one, "
    "which nobody blinded ever sees."
)


def _audit(
    action: str, *, user, instance, participant=None, reason: str = "", details: dict | None = None, sensitive=()
) -> None:
    """The one place randomisation writes to the audit trail; ``details`` never holds an arm or a seed."""
    from audit.services import audit_record

    audit_record(
        user=user,
        action=action,
        instance=instance,
        participant=participant,
        reason=reason,
        changes={key: [None, value] for key, value in (details or {}).items()},
        sensitive=sensitive,
    )


def _require_randomised(study: Study) -> None:
    if study.design != Study.Design.RANDOMISED:
        raise ValidationError(_("This study is not randomised."))


# Allocation lists ---------------------------------------------------------------------------------------------


def _seed(seed: int | str) -> str:
    """The seed's decimal text, or a message when it is not a whole number of at most SEED_DIGITS digits."""
    try:
        text = seed_text(seed)
    except ValueError:
        text = ""
    if not text or len(text) > SEED_DIGITS:
        raise ValidationError(
            _("The seed must be a whole number of at most %(max)s digits.") % {"max": SEED_DIGITS}, code="seed"
        )
    return text


@transaction.atomic
def allocation_list_generate(
    *,
    study: Study,
    user,
    size: int,
    strata_factors: list[str] | None = None,
    seed: int | str | None = None,
    block_multipliers=DEFAULT_MULTIPLIERS,
    by_command: bool = False,
) -> AllocationList:
    """A new (not yet frozen) concealed list for ``study`` from its protocol's arms and ratios.

    ``size`` is per stratum. Without ``seed`` one of 128 bits is drawn from the operating system's
    cryptographic generator; only a user who may SET_ALLOCATION_SEED (the unblinded statistician) may give
    one, or a server command (``by_command``: run by the operator, e.g. ``generate_study``'s synthetic lists;
    no page or API passes it).
    Either way it is stored, for the roles that may see the list, so that the list can be rebuilt; the audit
    row records who generated it and the list's SHA-256 (``list_sha256``), never the seed.
    """
    if seed is not None and not by_command and not can(user, study, Action.SET_ALLOCATION_SEED):
        raise ValidationError(SEED_REFUSED, code="seed_forbidden")
    _require_randomised(study)
    protocol = current_protocol(study)
    if protocol is None or not protocol.arms:
        raise ValidationError(_("Load a protocol with arms before generating an allocation list."))
    Study.objects.select_for_update().filter(pk=study.pk).first()  # one list operation at a time per study
    if AllocationList.objects.filter(study=study, frozen=True).exists():
        raise ValidationError(_("This study already has a frozen allocation list; a new one cannot be generated."))
    factors = list(dict.fromkeys(strata_factors or []))
    known = {code for code, _label in stratification_factors(study, protocol)}
    if any(factor not in known for factor in factors):
        raise ValidationError(_("Choose stratification factors from the list."))
    if not 1 <= size <= MAX_SIZE:
        raise ValidationError(_("The size must be between 1 and %(max)s.") % {"max": MAX_SIZE})
    keys = stratum_keys(study, protocol, factors)
    if size * len(keys) > MAX_SLOTS:
        raise ValidationError(
            _("Too many slots (%(count)s); use fewer strata or a smaller size.") % {"count": size * len(keys)}
        )
    chosen = seed is not None
    seed = _seed(draw_seed() if seed is None else seed)
    arms = [[arm.code, arm.ratio or 1] for arm in protocol.arms]
    slots = generate_allocation_list(
        seed=seed,
        arms=dict(arms),
        size=size,
        block_multipliers=tuple(block_multipliers),
        strata=keys if factors else None,
    )
    allocation_list = AllocationList.objects.create(
        study=study,
        seed=seed,
        arms=arms,
        block_multipliers=list(block_multipliers),
        strata_factors=factors,
        group_labels=group_labels(seed=seed, arms=[code for code, _ratio in arms]),
        size_per_stratum=size,
        list_sha256=list_sha256(slots),
        created_by=user,
    )
    AllocationSlot.objects.bulk_create(
        AllocationSlot(
            allocation_list=allocation_list,
            stratum=s.stratum,
            sequence=s.sequence,
            number=s.number,
            arm_code=s.arm,
            block=s.block,
            block_size=s.block_size,
        )
        for s in slots
    )
    _audit(
        "create",
        user=user,
        instance=allocation_list,
        details={
            "size_per_stratum": size,
            "strata_factors": factors,
            "slots": len(slots),
            "seed_source": "statistician" if chosen else "server",
            "list_sha256": allocation_list.list_sha256,
        },
        # A guessable seed could be confirmed offline against the hash: blinded readers see it masked.
        sensitive=["list_sha256"],
    )
    return allocation_list


@transaction.atomic
def allocation_list_freeze(*, allocation_list: AllocationList, user) -> AllocationList:
    """Make the list the one randomisation draws from; a frozen list is final."""
    Study.objects.select_for_update().filter(pk=allocation_list.study_id).first()
    allocation_list = AllocationList.objects.select_for_update().get(pk=allocation_list.pk)
    if allocation_list.frozen:
        raise ValidationError(_("This list is already frozen."))
    if AllocationList.objects.filter(study_id=allocation_list.study_id, frozen=True).exists():
        raise ValidationError(_("Another list of this study is already frozen."))
    allocation_list.frozen = True
    allocation_list.frozen_at = timezone.now()
    allocation_list.save(update_fields=["frozen", "frozen_at"])
    _audit("lock", user=user, instance=allocation_list)
    return allocation_list


def allocation_list_export(*, allocation_list: AllocationList, user, rows: list[dict]) -> list[list[str]]:
    """The list as CSV rows (for the unblinded statistician); the download itself is audited."""
    header = [
        "randomisation_number",
        "stratum",
        "sequence",
        "block",
        "block_size",
        "group",
        "arm_code",
        "arm",
        "participant",
        "randomised_at",
    ]
    lines = [header]
    for row in rows:
        slot = row["slot"]
        participant = row["participant"].label if row["participant"] else ("(used)" if row["used"] else "")
        used_at = timezone.localtime(slot.used_at).strftime("%Y-%m-%d %H:%M") if slot.used_at else ""
        lines.append(
            [
                slot.number,
                slot.stratum,
                slot.sequence,
                slot.block,
                slot.block_size,
                row["group"],
                slot.arm_code,
                row["arm"],
                participant,
                used_at,
            ]
        )
    _audit("export", user=user, instance=allocation_list, details={"rows": len(rows)})
    return lines


# Randomisation ------------------------------------------------------------------------------------------------


def _check_participant(participant: Participant) -> None:
    if allocation_for(participant) is not None:
        raise ValidationError(_("This participant is already randomised."))
    if participant.status != Participant.Status.ENROLLED:
        raise ValidationError(_("Only an enrolled participant can be randomised."))
    screening = participant.screenings.first()
    if screening is None or screening.eligible is not True:
        raise ValidationError(_("Only a participant screened as eligible can be randomised."))
    if not participant.consents.exists():
        raise ValidationError(_("Record the participant's consent before randomisation."))


def participant_stratum(participant: Participant, factors: list[str]) -> str:
    """The participant's stratum key for a list stratified by ``factors`` (site and screening answers)."""
    parts = []
    screening = participant.screenings.first()
    answers = screening.answers if screening else {}
    for factor in factors:
        if factor == SITE:
            value = participant.site.code
        elif answers.get(factor) is None:
            raise ValidationError(
                _("The screening has no answer for “%(field)s”, which the randomisation is stratified by.")
                % {"field": factor}
            )
        else:
            value = level_of(answers[factor])
        parts.append(f"{factor}={value}")
    return "|".join(parts)


@transaction.atomic
def participant_randomise(*, participant: Participant, user) -> AllocationSlot:
    """Give an eligible, consented, enrolled participant the next free slot of their stratum, then the arm.

    Concurrency: the participant row is locked first (the same participant twice at once gets one slot), then
    the frozen list (randomisations of one list run one after the other, so two participants never share a
    slot); the one-to-one ``used_by`` is the last guard.
    """
    _require_randomised(participant.study)
    participant = Participant.objects.select_for_update().select_related("study", "site").get(pk=participant.pk)
    _check_participant(participant)
    allocation_list = AllocationList.objects.select_for_update().filter(study=participant.study, frozen=True).first()
    if allocation_list is None:
        raise ValidationError(_("No allocation list is frozen for this study yet."))
    stratum = participant_stratum(participant, allocation_list.strata_factors)
    slot = (
        AllocationSlot.objects.select_for_update()
        .filter(allocation_list=allocation_list, stratum=stratum, used_by=None)
        .order_by("sequence")
        .first()
    )
    if slot is None:
        raise ValidationError(_("The allocation list has no free number left for this participant's stratum."))
    slot.used_by = participant
    slot.used_at = timezone.now()
    slot.used_by_user = user
    slot.save(update_fields=["used_by", "used_at", "used_by_user"])
    participant_assign_arm(
        participant=participant, arm_code=slot.arm_code, user=user, source=Participant.AllocationSource.RANDOMISATION
    )
    # The allocation date is not an arm secret: an anchor `set_by: randomisation` takes it in every arm.
    anchors_set_by_event(
        participant=participant, event="randomisation", day=timezone.localdate(slot.used_at), user=user
    )
    _audit(
        "allocate",
        user=user,
        instance=slot,
        participant=participant,
        details={"number": slot.number, "stratum": stratum},
    )
    return slot


# Emergency unblinding -----------------------------------------------------------------------------------------


def _data_managers(participant: Participant):
    """Active members told of unblindings (NOTIFIED_OF_UNBLINDING: the data managers) at the participant's site.

    Both the membership and the user must be active: a deactivated account must not keep receiving unblinded arms.
    """
    return (
        Membership.objects.filter(
            study=participant.study,
            role__in=roles_with(Action.NOTIFIED_OF_UNBLINDING),
            is_active=True,
            user__is_active=True,
        )
        .filter(Q(all_sites=True) | Q(sites=participant.site))
        .select_related("user")
        .distinct()
    )


@transaction.atomic
def unblinding_request(*, participant: Participant, user, reason: str) -> UnblindingEvent:
    """Record an emergency unblinding of one participant for one user and tell the study's data managers."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the emergency unblinding."))
    if not is_blinded(participant.study):
        raise ValidationError(_("This study is not blinded."))
    if allocation_for(participant) is None:
        raise ValidationError(_("This participant is not randomised yet."))
    event = UnblindingEvent.objects.create(participant=participant, user=user, reason=reason)
    recipients = []
    for membership in _data_managers(participant):
        UnblindingNotification.objects.create(event=event, recipient=membership.user, email=membership.user.email)
        if membership.user.email:
            recipients.append(membership.user.email)
    _audit("unblind", user=user, instance=event, reason=reason)
    if recipients:
        transaction.on_commit(lambda: _send_unblinding_mail(event.pk, recipients))
    return event


def _send_unblinding_mail(event_id: int, recipients: list[str]) -> None:
    event = UnblindingEvent.objects.select_related("participant", "participant__study", "user").get(pk=event_id)
    slot = allocation_for(event.participant)
    values = {
        "study": event.participant.study,
        "participant": event.participant,
        "number": slot.number if slot else "",
        "user": event.user,
        "time": timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
        "reason": event.reason,
    }
    parts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            parts.append(
                _(
                    "Emergency unblinding in study %(study)s.\nParticipant: %(participant)s (randomisation "
                    "number %(number)s)\nUnblinded by: %(user)s\nTime: %(time)s\nReason: %(reason)s\n"
                )
                % values
            )
    with translation.override("en"):
        subject = _("[%(study)s] Emergency unblinding of %(participant)s") % values
    try:
        send_mail(subject, "\n".join(parts), settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:  # the event and notifications are stored; a mail server outage must not hide that
        logger.exception("could not send the unblinding notification %s", event_id)
