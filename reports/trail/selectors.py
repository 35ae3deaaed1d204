"""Reads of the audit trail, always from the events the user may see, with blinded values masked."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, User
from audit.blinding import MASK, masked_study_ids
from audit.models import AuditEvent
from participants.selectors import participants_for_user
from studies.models import Study


def events_for_user(user) -> QuerySet[AuditEvent]:
    """Events of the user's studies: at the user's sites, plus study-level events (no site).

    Events with no study (log-ins, system events) belong to no study and appear on no page.
    """
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    return AuditEvent.objects.filter(
        Q(study_id__in=memberships.filter(all_sites=True).values("study_id"))
        | Q(site_id__in=memberships.filter(all_sites=False).values("sites"))
        | Q(site__isnull=True, study_id__in=memberships.values("study_id"))
    ).select_related("user", "study", "site", "participant")


def participant_events(user, participant) -> QuerySet[AuditEvent]:
    """The whole history of a participant the user may see, whichever site each event happened at."""
    visible = participants_for_user(user).filter(pk=participant.pk).values("pk")
    return AuditEvent.objects.filter(participant__in=visible).select_related("user", "study", "site", "participant")


def study_events(user, study: Study) -> QuerySet[AuditEvent]:
    return events_for_user(user).filter(study=study)


def user_events(user, study: Study, target: User) -> QuerySet[AuditEvent]:
    return study_events(user, study).filter(user=target)


def object_events(user, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return events_for_user(user).filter(object_type=object_type, object_id=object_id)


def event_filter(
    events: QuerySet[AuditEvent],
    *,
    date_from=None,
    date_to=None,
    action: str = "",
    user_id: int | None = None,
    object_type: str = "",
    path: str = "",
) -> QuerySet[AuditEvent]:
    """Narrow ``events``; dates are whole days in the current time zone, both ends included."""
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    if action:
        events = events.filter(action=action)
    if user_id:
        events = events.filter(user_id=user_id)
    if object_type:
        events = events.filter(object_type=object_type)
    if path:
        events = events.filter(path=path)
    return events.order_by("-at", "-id")


def users_in(events: QuerySet[AuditEvent]) -> QuerySet[User]:
    """Users who appear in ``events`` (for the filter's choices)."""
    return User.objects.filter(pk__in=events.order_by().values("user_id")).order_by("username")


def object_types_in(events: QuerySet[AuditEvent]) -> list[str]:
    return list(events.order_by("object_type").values_list("object_type", flat=True).distinct())


def masked_studies(user, events: QuerySet[AuditEvent]) -> set[int]:
    studies = Study.objects.filter(pk__in=events.order_by().values("study_id"))
    return masked_study_ids(user, studies)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str
    masked: bool


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    changes: list[Change]


def show(value) -> str:
    """A recorded value as text: empty for None, JSON for lists and dicts."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changes(event: AuditEvent, masked: bool) -> list[Change]:
    hidden = set(event.sensitive_fields) if masked else set()
    rows = []
    for name, values in sorted(event.changes.items()):
        old, new = (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
        if name in hidden:
            rows.append(Change(name, str(MASK), str(MASK), True))
        else:
            rows.append(Change(name, show(old), show(new), False))
    return rows


def event_rows(events: Iterable[AuditEvent], masked_ids: set[int]) -> list[EventRow]:
    """Events ready to show, sensitive values masked in the studies of ``masked_ids``."""
    return [EventRow(event, _changes(event, event.study_id in masked_ids)) for event in events]


CSV_HEADER = [
    "time",
    "study",
    "site",
    "participant",
    "object_type",
    "object_id",
    "object",
    "action",
    "field",
    "old_value",
    "new_value",
    "reason",
    "path",
    "user",
    "request_id",
]


def _user_name(user) -> str:
    return user.username if user else ""


def csv_rows(events: QuerySet[AuditEvent], masked_ids: set[int]) -> Iterator[list[str]]:
    """One line per changed field (one line for an event without changes), header first."""
    yield CSV_HEADER
    for event in events.iterator(chunk_size=500):
        common = [
            timezone.localtime(event.at).isoformat(),
            event.study.code if event.study else "",
            event.site.code if event.site else "",
            event.participant.label if event.participant else "",
            event.object_type,
            event.object_id,
            event.object_label,
            event.action,
        ]
        tail = [event.reason, event.path, _user_name(event.user), event.request_id]
        changes = _changes(event, event.study_id in masked_ids) or [Change("", "", "", False)]
        for change in changes:
            yield common + [change.field, change.old, change.new] + tail
