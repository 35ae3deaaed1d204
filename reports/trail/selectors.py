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


def submitted_choices(events: QuerySet[AuditEvent], *, user: str = "", object_type: str = "") -> tuple[list, list]:
    """The filter's user and object-type choices narrowed to the submitted values: [that one] when it is in
    ``events``, [] otherwise. A CSV download shows no form, so this is all its validation needs, and each answer
    comes through an index instead of another pass over the whole trail."""
    users = list(users_in(events.filter(user_id=int(user)))) if user.isdigit() and len(user) <= 18 else []
    types = object_types_in(events.filter(object_type=object_type)) if object_type else []
    return users, types


@dataclass(frozen=True)
class Reader:
    """What a reader may not see in the studies of a trail: arms (``blinded``) and identifiers (``unnamed``)."""

    blinded: frozenset[int]
    unnamed: frozenset[int]


def reader_for(user) -> Reader:
    """What ``user`` may not see in the studies of any trail: read from the user's memberships, which hold every
    study a trail shows them (events_for_user), not from the events, so that a big trail is not read once more."""
    member_of = Membership.objects.filter(user=user, is_active=True).values("study_id")
    studies = list(Study.objects.filter(pk__in=member_of))
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


def _masks(event, reader: Reader) -> dict[str, str]:
    """{field: mask} for the recorded fields this reader may not see."""
    masks = {}
    if event.study_id in reader.unnamed:
        masks.update({name: str(IDENTIFYING_MASK) for name in scope.IDENTIFYING_FIELDS})
    if event.study_id in reader.blinded:
        masks.update({name: str(MASK) for name in event.sensitive_fields})
    return masks


ChangeCells = tuple[str, str, str, bool, str, str, str]  # the fields of a Change, in order


def _change_cells(event, reader: Reader, vocabulary: Vocabulary) -> Iterator[ChangeCells]:
    """Each recorded field of ``event`` (an AuditEvent or an EventValues) as the fields of a Change."""
    masks = _masks(event, reader)
    for name, values in sorted(event.changes.items()):
        old, new = (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
        if name in masks:
            # A masked field keeps its key for a label: its item's words could say what was hidden.
            mask = masks[name]
            yield name, mask, mask, True, name, mask, mask
            continue
        words = vocabulary.words(event, name, old, new)
        yield name, show(old), show(new), False, words.field, words.old, words.new


def _changes(event: AuditEvent, reader: Reader, vocabulary: Vocabulary) -> list[Change]:
    return [Change(*cells) for cells in _change_cells(event, reader, vocabulary)]


def label_for(event, reader: Reader, labels: dict) -> str:
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


# The CSV reads plain values, not model instances: at 10,000 participants (hundreds of thousands of events)
# building an AuditEvent with its study, site, participant and user per event was a third of the file's time.
_CSV_VALUES = (
    "at",
    "study_id",
    "object_type",
    "object_id",
    "object_label",
    "action",
    "changes",
    "sensitive_fields",
    "reason",
    "path",
    "request_id",
    "study__code",
    "site__code",
    "participant_id",
    "participant__identifier",
    "participant__screening_number",
    "user__username",
)
# Columns that can hold text from outside, so the formula guard runs on them only: time, object type, action and
# path are the product's own words (core.csv, ``guarded``).
CSV_GUARDED = tuple(i for i, name in enumerate(CSV_HEADER) if name not in ("time", "object_type", "action", "path"))
CSV_BATCH = 2000


@dataclass(slots=True)
class EventValues:
    """One event as the CSV reads it (the fields of ``_CSV_VALUES``): what masking, safe labels and words read
    of an event (study_id, object_type, object_id, object_label, changes, sensitive_fields), with no model built."""

    at: object
    study_id: int | None
    object_type: str
    object_id: str
    object_label: str
    action: str
    changes: dict
    sensitive_fields: list
    reason: str
    path: str
    request_id: str
    study_code: str | None
    site_code: str | None
    participant_id: int | None
    identifier: str | None
    screening_number: str | None
    username: str | None

    @property
    def participant_label(self) -> str:  # as Participant.__str__
        if self.participant_id is None:
            return ""
        return self.identifier or self.screening_number or f"#{self.participant_id}"


def _batches(events: QuerySet[AuditEvent]) -> Iterator[list[EventValues]]:
    """The events in batches, read through a server-side cursor (PostgreSQL) ``CSV_BATCH`` rows at a time."""
    batch: list[EventValues] = []
    for values in events.values_list(*_CSV_VALUES).iterator(chunk_size=CSV_BATCH):
        batch.append(EventValues(*values))
        if len(batch) == CSV_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _csv_lines(event: EventValues, reader: Reader, vocabulary: Vocabulary, label: str, zone) -> Iterator[list]:
    common = [
        event.at.astimezone(zone).isoformat(),  # type: ignore[attr-defined]
        event.study_code or "",
        event.site_code or "",
        event.participant_label,
        event.object_type,
        event.object_id,
        label,
        event.action,
    ]
    tail = [event.reason, event.path, event.username or "", event.request_id]
    changed = False
    for name, old, new, _masked, field_label, old_text, new_text in _change_cells(event, reader, vocabulary):
        changed = True
        yield [*common, name, old, new, *tail, field_label, old_text, new_text]
    if not changed:
        yield [*common, "", "", "", *tail, "", "", ""]


def csv_rows(events: QuerySet[AuditEvent], reader: Reader) -> Iterator[list]:
    """One line per changed field (one line for an event without changes), header first; read in batches so
    that safe labels and the words of the changes cost a few queries per batch, whatever its size."""
    yield CSV_HEADER
    zone = timezone.get_current_timezone()
    for batch in _batches(events):
        labels = scope.safe_labels(batch) if reader.unnamed else {}
        vocabulary = vocabulary_for(batch)
        for event in batch:
            yield from _csv_lines(event, reader, vocabulary, label_for(event, reader, labels), zone)
