"""Reads for reports, always starting from what the user may see (their studies, sites and blinding)."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, Value

from accounts.capabilities import can_see_arms
from participants.models import AnchorDate, Consent, Screening, Visit
from participants.selectors import participants_for_user
from randomisation.models import AllocationSlot
from studies.selectors import current_protocol, sites_for_user

from . import consort
from .consort import ConsortFlow, ParticipantRow, VisitRow, follow_up_visits, intervention_anchor

RANDOMISED = "randomised"


def _participants(user, study, anchor_code: str | None):
    received = (
        Exists(AnchorDate.objects.filter(participant=OuterRef("pk"), anchor_code=anchor_code))
        if anchor_code
        else Value(False, output_field=BooleanField())
    )
    return (
        participants_for_user(user)
        .filter(study=study)
        .annotate(
            consented=Exists(Consent.objects.filter(participant=OuterRef("pk"))),
            randomised=Exists(AllocationSlot.objects.filter(used_by=OuterRef("pk"))),
            received=received,
        )
        .order_by()
        .values("pk", "status", "arm_code", "consented", "randomised", "received", "withdrawn_on", "withdrawal_reason")
    )


def _latest_screenings(participant_ids) -> dict[int, dict]:
    latest: dict[int, dict] = {}
    screenings = (
        Screening.objects.filter(participant_id__in=participant_ids)
        .order_by("participant_id", "-screened_on", "-created_at", "-pk")
        .values("participant_id", "eligible", "failing_criteria")
    )
    for screening in screenings:
        latest.setdefault(screening["participant_id"], screening)
    return latest


def _visits(participant_ids, codes) -> dict[int, dict[str, VisitRow]]:
    found: dict[int, dict[str, VisitRow]] = {}
    rows = Visit.objects.filter(participant_id__in=participant_ids, visit_code__in=codes, sequence=1).values_list(
        "participant_id", "visit_code", "completed_on", "missed", "cancelled"
    )
    for participant_id, code, completed_on, missed, cancelled in rows:
        found.setdefault(participant_id, {})[code] = VisitRow(
            completed=completed_on is not None, missed=missed and not cancelled
        )
    return found


def consort_flow(study, *, user) -> ConsortFlow | None:
    """The study's CONSORT flow over the participants ``user`` may see; None when no protocol is loaded.

    Arms are shown per arm only when ``can_see_arms``; otherwise one pooled column (see reports.consort).
    A constant number of queries, whatever the number of participants.
    """
    protocol = current_protocol(study)
    if protocol is None:
        return None
    anchor = intervention_anchor(protocol)
    codes = [v.code for v in follow_up_visits(protocol, anchor)]
    people = list(_participants(user, study, anchor.code if anchor else None))
    ids = participants_for_user(user).filter(study=study).values("pk")
    screenings = _latest_screenings(ids)
    visits = _visits(ids, codes)
    rows = []
    for person in people:
        screening = screenings.get(person["pk"], {})
        rows.append(
            ParticipantRow(
                status=person["status"],
                arm_code=person["arm_code"],
                randomised=person["randomised"],
                consented=person["consented"],
                received=person["received"],
                eligible=screening.get("eligible"),
                failing=tuple(screening.get("failing_criteria") or ()),
                withdrawal_reason=person["withdrawal_reason"],
                withdrawn_on=person["withdrawn_on"],
                visits=visits.get(person["pk"], {}),
            )
        )
    sites = sites_for_user(user, study)
    site_codes = list(sites.order_by("code").values_list("code", flat=True))
    return consort.consort_flow(
        protocol,
        rows,
        arms_visible=can_see_arms(user, study),
        site_codes=site_codes,
        site_limited=len(site_codes) < study.sites.count(),
        randomised_design=study.design == RANDOMISED,
    )
