"""Reads of the audit trail, always from the events the user may see (each event's own scope, then its object's:
reports.trail.scope), with blinded values masked and identifying ones hidden from roles that may not see them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Action, can
from accounts.models import Membership, User
from audit.blinding import MASK, masked_study_ids
from audit.models import AuditEvent
from participants.selectors import participants_for_user
from studies.models import Study

from . import scope
from .readable import Vocabulary, show, type_name, vocabulary_for

IDENTIFYING_MASK = _("••• identifying")


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
    events = AuditEvent.objects.filter(participant__in=visible)
    return scope.scoped(user, events).select_related("user", "study", "site", "participant")


def study_events(user, study: Study) -> QuerySet[AuditEvent]:
    return scope.scoped(user, events_for_user(user).filter(study=study))


def user_events(user, study: Study, target: User) -> QuerySet[AuditEvent]:
    return study_events(user, study).filter(user=target)


def object_events(user, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """The events of one object; the caller has checked that the user may see the object (access.py)."""
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


@dataclass(frozen=True)
class Reader:
    """What a reader may not see in the studies of a trail: arms (``blinded``) and identifiers (``unnamed``)."""

    blinded: frozenset[int]
    unnamed: frozenset[int]


def reader_for(user, events: QuerySet[AuditEvent]) -> Reader:
    studies = list(Study.objects.filter(pk__in=events.order_by().values("study_id")))
    unnamed = {study.pk for study in studies if not can(user, study, Action.SEE_IDENTIFIERS)}
    return Reader(frozenset(masked_study_ids(user, studies)), frozenset(unnamed))


@dataclass(frozen=True)
class Change:
    """One recorded field: its key and values as recorded, and the same in words (readable.py)."""

    field: str
    old: str
    new: str
    masked: bool
    label: str = ""
    old_text: str = ""
    new_text: str = ""


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    changes: list[Change]
    label: str

    @property
    def type_name(self) -> str:
        return type_name(self.event.object_type)


def _masks(event: AuditEvent, reader: Reader) -> dict[str, str]:
    """{field: mask} for the recorded fields this reader may not see."""
    masks = {}
    if event.study_id in reader.unnamed:
        masks.update({name: str(IDENTIFYING_MASK) for name in scope.IDENTIFYING_FIELDS})
    if event.study_id in reader.blinded:
        masks.update({name: str(MASK) for name in event.sensitive_fields})
    return masks


def _changes(event: AuditEvent, reader: Reader, vocabulary: Vocabulary) -> list[Change]:
    masks = _masks(event, reader)
    rows = []
    for name, values in sorted(event.changes.items()):
        old, new = (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
        if name in masks:
            # A masked field keeps its key for a label: its item's words could say what was hidden.
            rows.append(Change(name, masks[name], masks[name], True, name, masks[name], masks[name]))
            continue
        words = vocabulary.words(event, name, old, new)
        rows.append(Change(name, show(old), show(new), False, words.field, words.old, words.new))
    return rows


def label_for(event: AuditEvent, reader: Reader, labels: dict) -> str:
    """The object's label, or its safe name when the label may identify and the reader may not see identifiers."""
    return scope.safe_label(event, labels) if event.study_id in reader.unnamed else event.object_label


def event_rows(events: Iterable[AuditEvent], reader: Reader) -> list[EventRow]:
    """Events ready to show: sensitive values masked for blinded readers, identifying ones for readers who may
    not see identifiers."""
    events = list(events)
    labels = scope.safe_labels(events) if reader.unnamed else {}
    vocabulary = vocabulary_for(events)
    return [EventRow(event, _changes(event, reader, vocabulary), label_for(event, reader, labels)) for event in events]


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
    "field_label",
    "old_value_label",
    "new_value_label",
]


def _user_name(user) -> str:
    return user.username if user else ""


CSV_BATCH = 500


def _batches(events: QuerySet[AuditEvent]) -> Iterator[list[AuditEvent]]:
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=CSV_BATCH):
        batch.append(event)
        if len(batch) == CSV_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _csv_lines(row: EventRow) -> Iterator[list[str]]:
    event = row.event
    common = [
        timezone.localtime(event.at).isoformat(),
        event.study.code if event.study else "",
        event.site.code if event.site else "",
        event.participant.label if event.participant else "",
        event.object_type,
        event.object_id,
        row.label,
        event.action,
    ]
    tail = [event.reason, event.path, _user_name(event.user), event.request_id]
    for change in row.changes or [Change("", "", "", False)]:
        yield common + [change.field, change.old, change.new] + tail + [change.label, change.old_text, change.new_text]


def csv_rows(events: QuerySet[AuditEvent], reader: Reader) -> Iterator[list[str]]:
    """One line per changed field (one line for an event without changes), header first; read in batches so
    that safe labels cost one query per batch."""
    yield CSV_HEADER
    for batch in _batches(events):
        for row in event_rows(batch, reader):
            yield from _csv_lines(row)
