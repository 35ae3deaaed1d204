"""Reads for randomisation and blinding, always starting from what the user may see.

``arm_display`` is what every page, export and API shows in place of a participant's arm.
"""

from __future__ import annotations

from itertools import product

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from core.i18n import text_for
from participants.models import Participant
from participants.selectors import participants_for_user
from studies.selectors import current_protocol

from .access import can_see_arms
from .models import AllocationList, AllocationSlot, UnblindingEvent, UnblindingNotification

SITE = "site"


# Arms and what a user may see of them -------------------------------------------------------------------------


def arm_names(study) -> dict[str, str]:
    """Arm code -> name in the current language, from the study's current protocol."""
    protocol = current_protocol(study)
    return {arm.code: text_for(arm.name) for arm in protocol.arms} if protocol else {}


def allocation_for(participant: Participant) -> AllocationSlot | None:
    return AllocationSlot.objects.filter(used_by=participant).first()


def arm_display(user, participant: Participant) -> str:
    """The participant's arm name for a user who may see arms; else the randomisation number (or "")."""
    return arm_labels(user, participant.study, [participant]).get(participant.pk, "")


def arm_labels(user, study, participants) -> dict[int, str]:
    """``arm_display`` for many participants of one study in two queries (lists and exports)."""
    participants = list(participants)
    numbers = dict(
        AllocationSlot.objects.filter(used_by__in=[p.pk for p in participants]).values_list("used_by_id", "number")
    )
    if can_see_arms(user, study):
        names = arm_names(study)
        return {p.pk: names.get(p.arm_code, p.arm_code) for p in participants}
    return {p.pk: numbers.get(p.pk, "") for p in participants}


def revealed_arm(user, participant: Participant) -> str | None:
    """The arm, for the user who performed an emergency unblinding of this participant; None for anyone else."""
    if not UnblindingEvent.objects.filter(participant=participant, user=user).exists():
        return None
    slot = allocation_for(participant)
    if slot is None:
        return None
    return arm_names(participant.study).get(slot.arm_code, slot.arm_code)


# Allocation lists ---------------------------------------------------------------------------------------------


def allocation_lists(study) -> QuerySet[AllocationList]:
    """The study's lists with ``slot_count`` and ``used_count``."""
    return (
        AllocationList.objects.filter(study=study)
        .select_related("created_by")
        .annotate(slot_count=Count("slots"), used_count=Count("slots", filter=Q(slots__used_by__isnull=False)))
        .order_by("-created_at")
    )


def frozen_list(study) -> AllocationList | None:
    return AllocationList.objects.filter(study=study, frozen=True).first()


def list_slots(user, allocation_list: AllocationList) -> list[dict]:
    """Every slot of the list, naming the participant only when the user may see that participant."""
    visible = set(
        participants_for_user(user).filter(allocation__allocation_list=allocation_list).values_list("pk", flat=True)
    )
    names = arm_names(allocation_list.study)
    rows = []
    for slot in allocation_list.slots.select_related("used_by").order_by("number"):
        rows.append(
            {
                "slot": slot,
                "arm": names.get(slot.arm_code, slot.arm_code),
                "group": allocation_list.group_labels.get(slot.arm_code, ""),
                "participant": slot.used_by if slot.used_by_id in visible else None,
                "used": slot.used_by_id is not None,
            }
        )
    return rows


def reproduction_call(allocation_list: AllocationList) -> str:
    """The Python call that rebuilds the list offline from its seed (docs/randomisation.md), for the page of a
    role that may see the list. Strata are given in the order of the randomisation numbers, as generated."""
    strata = list(dict.fromkeys(allocation_list.slots.order_by("number").values_list("stratum", flat=True)))
    values = {
        "seed": allocation_list.seed,
        "arms": dict(allocation_list.arms),
        "size": allocation_list.size_per_stratum,
        "block_multipliers": tuple(allocation_list.block_multipliers),
        "strata": strata if allocation_list.strata_factors else None,
    }
    arguments = ",\n".join(f"    {name}={value!r}" for name, value in values.items())
    return (
        "from randomisation.lists import generate_allocation_list, list_sha256\n"
        f"slots = generate_allocation_list(\n{arguments},\n)\n"
        f"assert list_sha256(slots) == {allocation_list.list_sha256!r}\n"
    )


# Strata -------------------------------------------------------------------------------------------------------


def stratification_factors(study, protocol=None) -> list[tuple[str, str]]:
    """(code, label) of what a list may be stratified by: the site and the protocol's yes/no or choice fields."""
    protocol = protocol or current_protocol(study)
    factors = [(SITE, _("Site"))]
    if protocol is not None:
        factors += [(f.code, text_for(f.label)) for f in protocol.eligibility.fields if f.type in ("choice", "boolean")]
    return factors


def factor_levels(study, protocol, factor: str) -> list[str]:
    if factor == SITE:
        return [site.code for site in study.sites.order_by("code")]
    field = next(f for f in protocol.eligibility.fields if f.code == factor)
    if field.type == "boolean":
        return ["yes", "no"]
    return [str(option.code) for option in field.options]


def stratum_keys(study, protocol, factors: list[str]) -> list[str]:
    """Every stratum of the list, as "site=01|sex=female"; [""] when the list is not stratified."""
    if not factors:
        return [""]
    levels = [factor_levels(study, protocol, factor) for factor in factors]
    return [
        "|".join(f"{factor}={value}" for factor, value in zip(factors, combo, strict=True))
        for combo in product(*levels)
    ]


def strata_preview(participant: Participant) -> list[tuple[str, str]] | None:
    """What randomising would stratify this participant by, shown before it is done: (factor, value) pairs from
    the frozen list's factors, the site and the screening answers ("—" for an answer missing); None without a
    frozen list."""
    allocation_list = AllocationList.objects.filter(study=participant.study, frozen=True).first()
    if allocation_list is None:
        return None
    labels = dict(stratification_factors(participant.study))
    screening = participant.screenings.first()
    answers = screening.answers if screening else {}
    out = []
    for factor in allocation_list.strata_factors:
        value = participant.site.code if factor == SITE else answers.get(factor)
        out.append((labels.get(factor, factor), "—" if value is None else level_of(value)))
    return out


def level_of(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# Emergency unblinding -----------------------------------------------------------------------------------------


def unblinding_events(user, study) -> QuerySet[UnblindingEvent]:
    """Emergency unblindings of the participants the user may see in ``study``, newest first."""
    return (
        UnblindingEvent.objects.filter(participant__in=participants_for_user(user).filter(study=study))
        .select_related("participant", "participant__site", "user")
        .order_by("-created_at")
    )


def unblinding_rows(user, study) -> list[dict]:
    events = list(unblinding_events(user, study))
    numbers = dict(
        AllocationSlot.objects.filter(used_by__in=[e.participant_id for e in events]).values_list(
            "used_by_id", "number"
        )
    )
    return [{"event": e, "number": numbers.get(e.participant_id, "")} for e in events]


def notifications_for_user(user, study) -> QuerySet[UnblindingNotification]:
    return (
        UnblindingNotification.objects.filter(
            recipient=user, event__participant__in=participants_for_user(user).filter(study=study)
        )
        .select_related("event", "event__participant", "event__user")
        .order_by("-created_at")
    )
