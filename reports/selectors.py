"""Reads for reports, always starting from what the user may see (their studies, sites and blinding)."""

from __future__ import annotations

from django.db.models import Case, Count, Exists, F, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce

from accounts.capabilities import can_see_arms
from participants.models import AnchorDate, Consent, ConsentRefusal, CriterionEvent, Screening, Visit
from participants.selectors import participants_for_user
from randomisation.models import AllocationSlot
from studies.selectors import current_protocol, sites_for_user

from . import consort
from .consort import ConsortFlow, ParticipantRow

RANDOMISED = "randomised"
UNREACHABLE = Visit.MissedReason.UNREACHABLE
WITHDRAWN = "withdrawn"  # Participant.Status.WITHDRAWN, whose reason the flow lists


def _missed_label(why: str) -> str:
    return str(Visit.MissedReason(why).label) if why in Visit.MissedReason.values else "—"


def _signals(participants, protocol) -> dict[str, tuple]:
    """What varies from study to study and is counted per value: the arms' intervention anchors, the criteria
    met after enrolment (code, kind) and the reasons analysis visits were missed for (a few queries, bounded by the
    protocol, not by the participants)."""
    ids = participants.values("pk")
    missed = Visit.objects.filter(
        participant__in=ids, visit_code__in=protocol.analysis_visits, sequence=1, missed=True
    ).exclude(missed_reason=UNREACHABLE)
    return {
        "anchors": tuple(
            sorted({a.intervention.anchor for a in protocol.arms if a.intervention and not a.intervention.none})
        ),
        "events": tuple(
            CriterionEvent.objects.filter(participant__in=ids)
            .order_by("criterion_code", "kind")
            .values_list("criterion_code", "kind")
            .distinct()
        ),
        "reasons": tuple(missed.order_by("missed_reason").values_list("missed_reason", flat=True).distinct()),
    }


def _columns(protocol, signals: dict) -> dict:
    """One column per thing the flow counts, for each participant (EXISTS and scalar subqueries on indexed keys)."""
    person = OuterRef("pk")
    latest = Screening.objects.filter(participant=person).order_by("-screened_on", "-created_at", "-pk")
    visits = Visit.objects.filter(participant=person, visit_code__in=protocol.analysis_visits, sequence=1)
    columns = {
        "consented": Exists(Consent.objects.filter(participant=person)),
        "refused": Exists(ConsentRefusal.objects.filter(participant=person)),
        "randomised": Exists(AllocationSlot.objects.filter(used_by=person)),
        "eligible": Subquery(latest.values("eligible")[:1]),
        "failing": Subquery(latest.values("failing_criteria")[:1]),
        "completed": Exists(visits.filter(completed_on__isnull=False)),
        "missed": Exists(visits.filter(missed=True, cancelled=False)),
        "lost": Exists(visits.filter(missed=True, missed_reason=UNREACHABLE)),
        "why": Case(When(status=WITHDRAWN, then=F("withdrawal_reason")), default=Value(""), output_field=TextField()),
    }
    for i, code in enumerate(signals["anchors"]):
        columns[f"anchor_{i}"] = Exists(AnchorDate.objects.filter(participant=person, anchor_code=code))
    for i, (code, kind) in enumerate(signals["events"]):
        met = CriterionEvent.objects.filter(participant=person, criterion_code=code, kind=kind)
        columns[f"event_{i}"] = Exists(met)
    for i, why in enumerate(signals["reasons"]):
        count = visits.filter(missed=True, missed_reason=why).order_by().values("participant").annotate(c=Count("pk"))
        columns[f"reason_{i}"] = Coalesce(Subquery(count.values("c")), 0)
    return columns


def _profile(group: dict, signals: dict) -> ParticipantRow:
    """The row of ``group["n"]`` participants alike in every column."""
    anchors = frozenset(code for i, code in enumerate(signals["anchors"]) if group[f"anchor_{i}"])
    reasons = ((_missed_label(why),) * group[f"reason_{i}"] for i, why in enumerate(signals["reasons"]))
    return ParticipantRow(
        status=group["status"],
        arm_code=group["arm_code"],
        randomised=group["randomised"],
        consented=group["consented"],
        refused=group["refused"],
        anchors=anchors,
        eligible=group["eligible"],
        failing=tuple(group["failing"] or ()),
        withdrawal_reason=group["why"],
        analysis_completed=group["completed"],
        analysis_missed=group["missed"],
        analysis_lost=group["lost"],
        missed_reasons=tuple(label for labels in reasons for label in labels),
        events=tuple(event for i, event in enumerate(signals["events"]) if group[f"event_{i}"]),
        n=group["n"],
    )


def consort_profiles(user, study, protocol) -> list[ParticipantRow]:
    """The participants ``user`` may see, grouped in the database into rows of participants alike in everything
    the flow counts: one row per distinct combination (a few dozen), whatever the number of participants."""
    participants = participants_for_user(user).filter(study=study)
    signals = _signals(participants, protocol)
    columns = _columns(protocol, signals)
    groups = participants.annotate(**columns).order_by().values("status", "arm_code", *columns).annotate(n=Count("pk"))
    return [_profile(group, signals) for group in groups]


def consort_flow(study, *, user) -> ConsortFlow | None:
    """The study's CONSORT flow over the participants ``user`` may see; None when no protocol is loaded.

    Arms are shown per arm only when ``can_see_arms``; otherwise one pooled column (see reports.consort).
    Counted from grouped rows (consort_profiles): a constant number of queries, and Python work that does not
    grow with the number of participants.
    """
    protocol = current_protocol(study)
    if protocol is None:
        return None
    rows = consort_profiles(user, study, protocol)
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
