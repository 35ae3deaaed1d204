"""Reads for monitoring: SDV state, casebook content and hash, dashboard counts (lock state: participants.selectors)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.i18n import in_viewer_language
from instruments.models import Response
from participants.models import Lock, Visit
from participants.selectors import active_locks, participants_for_user
from studies.protocol.sdv import Requirement, SdvPlan, requirement
from studies.selectors import current_protocol

from .models import Signature, SourceVerification

VERIFIED, PARTIAL, CHANGED, NOT_VERIFIED = "verified", "partial", "changed", "not_verified"


def sdv_plan(study) -> SdvPlan | None:
    """The study's targeted-SDV plan (the protocol's `sdv` section); None: every complete form, whole."""
    protocol = current_protocol(study)
    return protocol.sdv if protocol is not None else None


def sdv_requirement(response: Response, plan: SdvPlan | None) -> Requirement:
    """What SDV the protocol asks of this form: none (out of the sample), the whole form, or some fields."""
    participant = response.participant
    return requirement(
        plan,
        participant=participant.identifier or str(participant.pk),
        instrument=response.instrument_code,
        visit_code=response.visit_code,
        activity_key=response.activity_key,
        instance=response.instance,
    )


def current_verification(response: Response) -> SourceVerification | None:
    return (
        SourceVerification.objects.filter(response=response, reset_at__isnull=True)
        .select_related("verified_by")
        .first()
    )


def visit_responses(participant, visit_code: str | None = None) -> QuerySet[Response]:
    """The participant's stored forms (of one visit), for verifying in bulk."""
    responses = Response.objects.filter(participant=participant).exclude(status=Response.Status.NOT_STARTED)
    return responses.filter(visit_code=visit_code) if visit_code is not None else responses


def unverified_required(responses, plan: SdvPlan | None) -> list[Response]:
    """The complete forms among ``responses`` that the protocol asks to verify and are not verified (now)."""
    pending = with_review_state(responses.filter(status=Response.Status.COMPLETE)).filter(is_verified=False)
    pending = pending.select_related("participant").order_by("visit_code", "activity_key", "instance")
    return [response for response in pending if sdv_requirement(response, plan).required]


def _locked_expression():
    """True for a response under an active lock of its form, its visit or its participant (for annotations)."""
    return Exists(
        Lock.objects.filter(participant=OuterRef("participant"), unlocked_at__isnull=True).filter(
            Q(scope=Lock.Scope.PARTICIPANT)
            | Q(scope=Lock.Scope.VISIT, visit_code=OuterRef("visit_code"))
            | Q(scope=Lock.Scope.FORM, response=OuterRef("pk"))
        )
    )


def _verified_expression():
    return Exists(
        SourceVerification.objects.filter(
            response=OuterRef("pk"), reset_at__isnull=True, complete=True, lock_version=OuterRef("lock_version")
        )
    )


def with_review_state(responses: QuerySet) -> QuerySet:
    """``responses`` annotated with ``is_verified`` (current SDV at the saved version) and ``is_locked`` (an active
    lock of the form, its visit or its participant), in the same query (for grids and counts)."""
    return responses.annotate(is_verified=_verified_expression(), is_locked=_locked_expression())


def sdv_state(response, current: SourceVerification | None, ever_verified: bool) -> str:
    if current is not None and current.lock_version == response.lock_version:
        return VERIFIED if current.complete else PARTIAL
    return CHANGED if ever_verified else NOT_VERIFIED


def casebook_content(participant) -> list[dict]:
    """What a signature covers: every stored response of the participant, answers and scores, in a fixed order."""
    rows = (
        Response.objects.filter(participant=participant)
        .order_by("visit_code", "activity_key", "instance")
        .values_list("visit_code", "activity_key", "instance", "instrument_code", "status", "values", "scores")
    )
    keys = ("visit", "activity", "instance", "instrument", "status", "values", "scores")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def casebook_hash(participant) -> str:
    text = json.dumps(
        casebook_content(participant), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def current_signature(participant) -> Signature | None:
    return Signature.objects.filter(participant=participant, voided_at__isnull=True).select_related("signer").first()


def signatures_of(participant) -> QuerySet[Signature]:
    return Signature.objects.filter(participant=participant).select_related("signer")


@dataclass
class CasebookRow:
    response: Response
    sdv: str
    verification: SourceVerification | None
    lock: Lock | None  # the lock that covers it, if any
    form_lock: Lock | None  # its own form lock, which a data manager may lift here
    requirement: Requirement = field(default_factory=lambda: Requirement(True))

    @property
    def verifiable(self) -> bool:
        """A complete form not yet verified (whole) that a bulk verification may take (no field ticks needed)."""
        return self.response.status == Response.Status.COMPLETE and self.sdv != VERIFIED and not self.requirement.fields


@dataclass
class VisitGroup:
    visit_code: str
    rows: list[CasebookRow] = field(default_factory=list)
    lock: Lock | None = None

    @property
    def complete(self) -> int:
        return sum(row.response.status == Response.Status.COMPLETE for row in self.rows)

    @property
    def verified(self) -> int:
        return sum(row.sdv == VERIFIED and row.response.status == Response.Status.COMPLETE for row in self.rows)

    @property
    def verifiable(self) -> int:
        return sum(row.verifiable for row in self.rows)


def casebook(participant) -> tuple[list[VisitGroup], Lock | None]:
    """The participant's responses grouped by visit with their SDV and lock state; and the participant lock."""
    plan = sdv_plan(participant.study)
    responses = list(
        Response.objects.filter(participant=participant)
        .exclude(status=Response.Status.NOT_STARTED)
        .select_related("entered_by", "participant")
        .order_by("visit_code", "activity_key", "instance")
    )
    verifications = SourceVerification.objects.filter(response__participant=participant).select_related("verified_by")
    current, ever = {}, set()
    for one in verifications:
        ever.add(one.response_id)
        if one.reset_at is None:
            current[one.response_id] = one
    locks = list(active_locks(participant))
    participant_lock = next((lock for lock in locks if lock.scope == Lock.Scope.PARTICIPANT), None)
    visit_locks = {lock.visit_code: lock for lock in locks if lock.scope == Lock.Scope.VISIT}
    form_locks = {lock.response_id: lock for lock in locks if lock.scope == Lock.Scope.FORM}
    groups: dict[str, VisitGroup] = {}
    for response in responses:
        group = groups.setdefault(
            response.visit_code, VisitGroup(response.visit_code, lock=visit_locks.get(response.visit_code))
        )
        own = form_locks.get(response.pk)
        group.rows.append(
            CasebookRow(
                response=response,
                sdv=sdv_state(response, current.get(response.pk), response.pk in ever),
                verification=current.get(response.pk),
                lock=participant_lock or group.lock or own,
                form_lock=own,
                requirement=sdv_requirement(response, plan),
            )
        )
    # Scheduled visits without data yet, and visits locked before any form was entered, are listed too.
    scheduled = list(
        Visit.objects.filter(participant=participant)
        .order_by("target_date", "sequence")
        .values_list("visit_code", flat=True)
    )
    for code in [*scheduled, *visit_locks]:
        groups.setdefault(code, VisitGroup(code, lock=visit_locks.get(code)))
    order = {code: index for index, code in enumerate(dict.fromkeys(scheduled))}
    ordered = sorted(groups.values(), key=lambda group: (order.get(group.visit_code, len(order)), group.visit_code))
    return ordered, participant_lock


def _counts_by(responses: QuerySet, key: str) -> dict:
    complete = Q(status=Response.Status.COMPLETE)
    rows = (
        responses.annotate(is_verified=_verified_expression(), is_locked=_locked_expression())
        .values(key)
        .annotate(
            complete=Count("pk", filter=complete),
            verified=Count("pk", filter=complete & Q(is_verified=True)),
            locked=Count("pk", filter=Q(is_locked=True)),
        )
        .order_by()
    )
    return {row[key]: row for row in rows}


@dataclass
class DashboardRow:
    label: str
    complete: int = 0
    verified: int = 0
    locked: int = 0
    signed: int = 0
    participants: int = 0
    obj: object = None


def dashboard_participants(user, study) -> QuerySet:
    """The enrolled participants of the dashboard (the user's scope), in site and study-ID order, for paging."""
    return (
        participants_for_user(user)
        .filter(study=study)
        .exclude(identifier="")
        .select_related("site")
        .order_by("site__code", "identifier", "pk")
    )


def dashboard_sites(user, study) -> list[DashboardRow]:
    """Per site: participants, forms complete, verified and locked, signed casebooks (grouped in the database:
    five queries whatever the number of participants)."""
    participants = dashboard_participants(user, study)
    people = (
        participants.order_by("site__code")
        .values("site", "site__code", "site__name", "site__name_zh")
        .annotate(n=Count("pk"))
    )
    counts = _counts_per_site(participants.values("pk"))
    signed = (
        Signature.objects.filter(participant__in=participants.values("pk"), voided_at__isnull=True)
        .order_by()
        .values("participant__site")
        .annotate(n=Count("participant", distinct=True))
    )
    signed_by_site = {row["participant__site"]: row["n"] for row in signed}
    rows = []
    for row in people:
        found = counts.get(row["site"], {})
        name = in_viewer_language(row["site__name"], row["site__name_zh"])
        rows.append(
            DashboardRow(
                name,
                found.get("complete", 0),
                found.get("verified", 0),
                found.get("locked", 0),
                signed_by_site.get(row["site"], 0),
                row["n"],
                SimpleNamespace(pk=row["site"], code=row["site__code"], name=name),
            )
        )
    return rows


def _counts_per_site(participant_ids) -> dict[int, dict]:
    """Site id -> complete, verified and locked forms, as ``_counts_by`` counts them, each count a query of its own
    whose SDV or lock test is a filter (a semi-join on the small table), not a subquery per response; the lock test
    only reads the forms of participants under an active lock."""
    complete = Response.objects.filter(participant__in=participant_ids, status=Response.Status.COMPLETE)
    started = Response.objects.filter(participant__in=participant_ids).exclude(status=Response.Status.NOT_STARTED)
    under_lock = Lock.objects.filter(unlocked_at__isnull=True).values("participant")
    queries = {
        "complete": complete,
        "verified": complete.filter(_verified_expression()),
        "locked": started.filter(participant__in=under_lock).filter(_locked_expression()),
    }
    counts: dict[int, dict] = {}
    for name, responses in queries.items():
        for row in responses.order_by().values("participant__site").annotate(n=Count("pk")):
            counts.setdefault(row["participant__site"], {})[name] = row["n"]
    return counts


def dashboard_rows(participants) -> list[DashboardRow]:
    """One row per participant of ``participants`` (a page of them): forms complete, verified, locked, signed."""
    ids = [p.pk for p in participants]
    responses = Response.objects.filter(participant__in=ids).exclude(status=Response.Status.NOT_STARTED)
    per_participant = _counts_by(responses, "participant")
    signed = set(
        Signature.objects.filter(participant__in=ids, voided_at__isnull=True).values_list("participant_id", flat=True)
    )
    rows = []
    for participant in participants:
        counts = per_participant.get(participant.pk, {})
        rows.append(
            DashboardRow(
                participant.identifier,
                counts.get("complete", 0),
                counts.get("verified", 0),
                counts.get("locked", 0),
                int(participant.pk in signed),
                1,
                participant,
            )
        )
    return rows


def totals(groups: list[VisitGroup]) -> tuple[int, int]:
    """(verified, complete) forms of the whole casebook."""
    return sum(group.verified for group in groups), sum(group.complete for group in groups)
