"""Reads for reports, always starting from what the user may see (their studies, sites and blinding)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from accounts.capabilities import can_see_arms
from participants.models import AnchorDate, Consent, ConsentRefusal, CriterionEvent, Screening, Visit
from participants.selectors import participants_for_user
from randomisation.models import AllocationSlot
from studies.selectors import current_protocol, sites_for_user

from . import consort
from .consort import ConsortFlow, ParticipantRow

RANDOMISED = "randomised"
UNREACHABLE = Visit.MissedReason.UNREACHABLE


def _missed_label(why: str) -> str:
    return str(Visit.MissedReason(why).label) if why in Visit.MissedReason.values else "—"


def _participants(user, study):
    return (
        participants_for_user(user)
        .filter(study=study)
        .annotate(
            consented=Exists(Consent.objects.filter(participant=OuterRef("pk"))),
            refused=Exists(ConsentRefusal.objects.filter(participant=OuterRef("pk"))),
            randomised=Exists(AllocationSlot.objects.filter(used_by=OuterRef("pk"))),
        )
        .order_by()
        .values("pk", "status", "arm_code", "consented", "refused", "randomised", "withdrawn_on", "withdrawal_reason")
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


def _grouped(queryset, *fields) -> dict[int, list]:
    """participant id -> the rows' ``fields`` (one query)."""
    found: dict[int, list] = {}
    for participant_id, *values in queryset.values_list("participant_id", *fields):
        found.setdefault(participant_id, []).append(values[0] if len(values) == 1 else tuple(values))
    return found


def _analysis(participant_ids, codes) -> dict[int, list]:
    """participant id -> (completed, missed) of each of their analysis visits (first occurrence)."""
    visits = Visit.objects.filter(participant_id__in=participant_ids, visit_code__in=codes, sequence=1)
    return _grouped(visits, "completed_on", "missed", "cancelled", "missed_reason")


def consort_flow(study, *, user) -> ConsortFlow | None:
    """The study's CONSORT flow over the participants ``user`` may see; None when no protocol is loaded.

    Arms are shown per arm only when ``can_see_arms``; otherwise one pooled column (see reports.consort).
    A constant number of queries, whatever the number of participants.
    """
    protocol = current_protocol(study)
    if protocol is None:
        return None
    people = list(_participants(user, study))
    ids = participants_for_user(user).filter(study=study).values("pk")
    screenings = _latest_screenings(ids)
    anchors = _grouped(AnchorDate.objects.filter(participant_id__in=ids), "anchor_code")
    events = _grouped(CriterionEvent.objects.filter(participant_id__in=ids), "criterion_code", "kind")
    analysis = _analysis(ids, protocol.analysis_visits)
    rows = []
    for person in people:
        screening = screenings.get(person["pk"], {})
        visits = analysis.get(person["pk"], [])
        rows.append(
            ParticipantRow(
                status=person["status"],
                arm_code=person["arm_code"],
                randomised=person["randomised"],
                consented=person["consented"],
                refused=person["refused"],
                anchors=frozenset(anchors.get(person["pk"], ())),
                eligible=screening.get("eligible"),
                failing=tuple(screening.get("failing_criteria") or ()),
                withdrawal_reason=person["withdrawal_reason"],
                withdrawn_on=person["withdrawn_on"],
                analysis_completed=any(v[0] is not None for v in visits),
                analysis_missed=any(missed and not cancelled for _, missed, cancelled, _why in visits),
                analysis_lost=any(missed and why == UNREACHABLE for _, missed, _c, why in visits),
                missed_reasons=tuple(
                    _missed_label(why) for _, missed, _c, why in visits if missed and why != UNREACHABLE
                ),
                events=tuple(events.get(person["pk"], ())),
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
