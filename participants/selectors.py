"""Reads for participants, always starting from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from core.i18n import text_for
from instruments.models import Response
from studies.protocol import activities_for, visit_status

from .models import CriterionEvent, Lock, Participant, Visit

CANCELLED = "cancelled"
STATUS_LABELS = {
    "upcoming": _("Upcoming"),
    "open": _("Window open"),
    "overdue": _("Overdue"),
    "completed": _("Completed"),
    "missed": _("Missed"),
    "out_of_window": _("Done out of window"),
    CANCELLED: _("Cancelled"),
}
STATUS_STYLES = {
    "upcoming": "secondary",
    "open": "primary",
    "overdue": "danger",
    "completed": "success",
    "missed": "dark",
    "out_of_window": "warning",
    CANCELLED: "light",
}


def participants_for_user(user) -> QuerySet[Participant]:
    """Every participant ``user`` may see: members' studies, limited to their sites."""
    if not user.is_authenticated:
        return Participant.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    whole_studies = memberships.filter(all_sites=True).values("study_id")
    site_ids = memberships.filter(all_sites=False).values("sites")
    return Participant.objects.filter(Q(study_id__in=whole_studies) | Q(site_id__in=site_ids)).select_related(
        "study", "site"
    )


def _overdue_visits(today: date):
    return Visit.objects.filter(
        participant=OuterRef("pk"), completed_on__isnull=True, missed=False, cancelled=False, window_end__lt=today
    )


def participant_list(
    user,
    *,
    study,
    query: str = "",
    site_code: str = "",
    status: str = "",
    arm: str = "",
    overdue: bool = False,
    today: date | None = None,
    search_names: bool = False,
):
    """``search_names`` (only for roles that may see identifying data) also matches the full name."""
    participants = participants_for_user(user).filter(study=study)
    if query:
        query = query.strip()
        match = Q(identifier__icontains=query) | Q(screening_number__icontains=query)
        if search_names:
            match |= Q(personal_identifiers__full_name__icontains=query)
        participants = participants.filter(match)
    if site_code:
        participants = participants.filter(site__code=site_code)
    if status:
        participants = participants.filter(status=status)
    if arm:
        participants = participants.filter(arm_code=arm)
    if overdue:
        participants = participants.filter(
            Exists(_overdue_visits(today or timezone.localdate())), status=Participant.Status.ENROLLED
        )
    # The coordinator's task list: a post-enrolment criterion met and not yet reviewed (participants.CriterionEvent).
    open_events = CriterionEvent.objects.filter(participant=OuterRef("pk"), reviewed_at__isnull=True)
    participants = participants.annotate(criteria_to_review=Exists(open_events))
    return participants.order_by("identifier", "screening_number")


def screening_log(user, *, study) -> QuerySet[Participant]:
    """Everyone screened in the study at the user's sites, screen failures included."""
    return (
        participants_for_user(user)
        .filter(study=study, screenings__isnull=False)
        .distinct()
        .prefetch_related("screenings")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class ScheduledVisit:
    visit: Visit
    label: str
    status: str
    activities: tuple  # studies.protocol.Activity

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def style(self) -> str:
        return STATUS_STYLES[self.status]

    @property
    def pending(self) -> bool:
        return not self.visit.is_done


def visit_status_of(visit: Visit, today: date) -> str:
    if visit.cancelled:
        return CANCELLED
    # A Visit row carries the window like a ProjectedVisit does.
    return visit_status(visit, today=today, completed_on=visit.completed_on, missed=visit.missed)


def participant_schedule(participant: Participant, protocol, *, today: date) -> list[ScheduledVisit]:
    """The participant's visits in date order, with label, status and expected activities from the protocol
    (those of the participant's arm; every activity in a blinded study's union schedule, so a blinded role's
    view of it is the same for every arm)."""
    definitions = {v.code: v for v in protocol.visits} if protocol else {}
    rows = []
    for visit in participant.visits.all():
        definition = definitions.get(visit.visit_code)
        label = text_for(definition.label) if definition else visit.visit_code
        if definition is not None and definition.repeating is not None:
            label = f"{label} #{visit.sequence}"
        arm = participant.arm_code or None
        activities = activities_for(protocol, definition, arm) if definition is not None else ()
        rows.append(ScheduledVisit(visit, label, visit_status_of(visit, today), activities))
    return rows


def visits_due(user, *, today: date, days: int = 7) -> QuerySet[Visit]:
    """Pending visits of enrolled participants at the user's sites whose window is open within ``days``,
    or already closed (overdue)."""
    return (
        Visit.objects.filter(
            participant__in=participants_for_user(user).filter(status=Participant.Status.ENROLLED),
            completed_on__isnull=True,
            missed=False,
            cancelled=False,
            window_start__lte=today + timedelta(days=days - 1),
        )
        .select_related("participant", "participant__study", "participant__site")
        .order_by("window_end", "participant__identifier")
    )


def withdrawals(user, *, study) -> QuerySet[Participant]:
    """Withdrawn participants of the study at the user's sites, with date and reason (for reports)."""
    return (
        participants_for_user(user)
        .filter(study=study, status=Participant.Status.WITHDRAWN)
        .order_by("withdrawn_on", "identifier")
    )


def active_locks(participant) -> QuerySet[Lock]:
    return Lock.objects.filter(participant=participant, unlocked_at__isnull=True).select_related("locked_by")


def is_locked(participant, visit_code: str | None = None, response=None) -> Lock | None:
    """The lock that makes this data read-only (the participant's, the visit's or the form's), or None.

    With ``response`` its visit is checked too; with neither, only a lock of the whole participant counts.
    """
    if response is not None:
        visit_code = visit_code or response.visit_code
    scopes = Q(scope=Lock.Scope.PARTICIPANT)
    if visit_code:
        scopes |= Q(scope=Lock.Scope.VISIT, visit_code=visit_code)
    if response is not None and response.pk:
        scopes |= Q(scope=Lock.Scope.FORM, response_id=response.pk)
    return active_locks(participant).filter(scopes).order_by("pk").first()


def responses_for_user(user) -> QuerySet[Response]:
    """Every response of a participant ``user`` may see (their studies, limited to their sites)."""
    return Response.objects.filter(participant__in=participants_for_user(user)).select_related(
        "participant", "participant__study", "participant__site", "entered_by"
    )


def randomisation_number(participant: Participant) -> str:
    """The number of the allocation slot the participant was randomised to, or "" (shown to blinded roles).

    Read through the slot's one-to-one ``allocation`` (randomisation.AllocationSlot): randomisation sits on a
    floor above participants, so it is reached by the relation, not imported.
    """
    slot = getattr(participant, "allocation", None)
    return str(slot.number) if slot is not None else ""
