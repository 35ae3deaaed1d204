"""Whose events a reader may see: an event about an object follows the object's own scope, now.

One dispatch, object type -> the objects of that type the user may see, read by every trail (object, participant,
study, user). An event's own study and site say where it was written, which is not always where its object lives
(a file is stored before it is linked, with no site); so an event about an object that still exists is shown only
to users who may see that object today. Events about deleted objects keep the event's own scope.

* Types with their own access function use the scoped queryset it is built on (``OWN_SCOPE``: data files, jobs,
  series and exports through imaging, participants and their identifying data, responses, queries, adverse
  events, studies).
* Any other model is scoped through its participant (a foreign key to the participant, directly or one step
  away, as participants.selectors.participants_for_user sees them), else through its study (membership).
* Models with neither (users) keep the event's scope.

Object labels that may carry identifying data (a data file's label is its original file name) are replaced by
the owning app's safe name for readers who may not see identifiers (``SAFE_LABELS``; imaging.names).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BigIntegerField, Case, CharField, Exists, OuterRef, Q, QuerySet, When
from django.db.models.functions import Cast

from accounts.capabilities import Action, roles_with
from accounts.models import Membership
from audit.models import AuditEvent
from imaging import names as imaging_names
from imaging.selectors import datafiles_for_user, exports_for_user, jobs_for_user, series_for_user
from participants.models import Participant, PersonalIdentifiers
from participants.selectors import participants_for_user, responses_for_user
from queries.selectors import queries_for_user
from safety.selectors import adverse_events_for_user
from studies.models import Study
from studies.selectors import studies_for_user

Visible = Callable[[object], QuerySet]


def personal_identifiers_visible(user) -> QuerySet[PersonalIdentifiers]:
    """As participants.access.personal_identifiers_for_user: a participant the user may see, in a study where the
    user's role may see identifiers."""
    allowed = Membership.objects.filter(user=user, is_active=True, role__in=roles_with(Action.SEE_IDENTIFIERS))
    return PersonalIdentifiers.objects.filter(
        participant__in=participants_for_user(user), participant__study_id__in=allowed.values("study_id")
    )


OWN_SCOPE: dict[str, Visible] = {
    "imaging.datafile": datafiles_for_user,
    "imaging.ingestjob": jobs_for_user,
    "imaging.dicomseries": series_for_user,
    "imaging.imagingexport": exports_for_user,
    "participants.participant": participants_for_user,
    "participants.personalidentifiers": personal_identifiers_visible,
    "instruments.response": responses_for_user,
    "queries.query": queries_for_user,
    "safety.adverseevent": adverse_events_for_user,
    "studies.study": studies_for_user,
}

# Types with no object scope of their own: records of trail exports are scoped by their event alone.
EVENT_SCOPE_ONLY = frozenset({"audit.auditevent"})

# Recorded fields that may carry identifying data, masked for readers who may not see identifiers.
IDENTIFYING_FIELDS = frozenset({"original_name", "source_patient_id"})

# Object types whose label is identifying, and how to name their objects instead: {str(pk): safe label}.
SAFE_LABELS: dict[str, Callable[[Iterable[str]], dict[str, str]]] = {
    "imaging.datafile": imaging_names.datafile_safe_names,
    "imaging.ingestjob": imaging_names.job_safe_names,
}


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _foreign_key_to(model: type[models.Model], target: type[models.Model]) -> models.ForeignKey | None:
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is target:
            return field
    return None


def _path_to(model: type[models.Model], target: type[models.Model]) -> tuple[str, bool] | None:
    """(lookup, nullable) of the foreign key leading from ``model`` to ``target``, directly or one step away."""
    direct = _foreign_key_to(model, target)
    if direct is not None:
        return direct.name, direct.null
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model not in (model, target):
            second = _foreign_key_to(field.related_model, target)
            if second is not None:
                return f"{field.name}__{second.name}", field.null or second.null
    return None


def visible_objects(user, object_type: str) -> QuerySet | None:
    """The objects of ``object_type`` the user may see now; None when the type has no scope of its own."""
    if object_type in OWN_SCOPE:
        return OWN_SCOPE[object_type](user)
    model = model_of(object_type)
    if model is None or object_type in EVENT_SCOPE_ONLY:
        return None
    by_participant = _path_to(model, Participant)
    by_study = _path_to(model, Study)
    studies = Q(**{f"{by_study[0]}__in": studies_for_user(user)}) if by_study else Q(pk__in=[])
    if by_participant is not None:
        lookup, nullable = by_participant
        rule = Q(**{f"{lookup}__in": participants_for_user(user)})
        if nullable:  # an object of no participant (yet) is a study-level one
            rule |= Q(**{f"{lookup}__isnull": True}) & studies
        return model._default_manager.filter(rule)
    if by_study is not None:
        return model._default_manager.filter(studies)
    return None


def _as_text(queryset: QuerySet) -> QuerySet:
    """The objects' primary keys as text, comparable with AuditEvent.object_id on every database."""
    return queryset.order_by().annotate(_object_id=Cast("pk", CharField())).values("_object_id")


def hidden_ids(user, object_type: str) -> QuerySet | None:
    """Ids (as text) of existing objects of ``object_type`` that the user may not see."""
    visible = visible_objects(user, object_type)
    if visible is None:
        return None
    return _as_text(visible.model._default_manager.exclude(pk__in=visible.order_by().values("pk")))


# The event's object id as an integer key, NULL when it is not one: compared with an integer primary key, each
# event's object is then found through the primary key's index. (Text against the key cast to text could use no
# index, and NOT IN over every hidden id was not hashed by PostgreSQL once it outgrew work_mem: at 10,000
# participants, the study trail's query over 100,000 form events never finished.)
_INTEGER_ID = Case(
    When(object_id__regex=r"^[0-9]{1,18}$", then=Cast("object_id", BigIntegerField())),
    default=None,
    output_field=BigIntegerField(),
)


def _integer_key(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField)


def scoped(user, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """``events`` without those about existing objects the user may not see."""
    types = list(events.order_by().values_list("object_type", flat=True).distinct())
    if not types:
        return events
    events = events.annotate(_object_key=_INTEGER_ID)
    for object_type in types:
        visible = visible_objects(user, object_type)
        if visible is None:
            continue
        if not _integer_key(visible.model):
            hidden = hidden_ids(user, object_type)
            events = events.exclude(Q(object_type=object_type) & Q(object_id__in=hidden))
            continue
        # Per event of this type, two probes of the primary key: the object exists, and it is not one the user sees.
        exists = Exists(visible.model._default_manager.filter(pk=OuterRef("_object_key")))
        seen = Exists(visible.filter(pk=OuterRef("_object_key")))
        events = events.exclude(Q(object_type=object_type) & exists & ~seen)
    return events


def may_see_object(user, object_type: str, object_id: str) -> bool:
    """False for an existing object the user may not see; True otherwise (a deleted one keeps its events' scope)."""
    visible = visible_objects(user, object_type)
    if visible is None:
        return True
    try:
        exists = visible.model._default_manager.filter(pk=object_id).exists()
        return not exists or visible.filter(pk=object_id).exists()
    except (ValueError, TypeError, ValidationError):
        return True  # not a key of that model: no such object, the events' own scope applies


def safe_labels(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """{(object type, object id): safe label} for the events whose label is identifying."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type in SAFE_LABELS and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    labels = {}
    for object_type, ids in wanted.items():
        for object_id, label in SAFE_LABELS[object_type](ids).items():
            labels[(object_type, object_id)] = label
    return labels


def safe_label(event: AuditEvent, labels: dict[tuple[str, str], str]) -> str:
    """The label shown to a reader who may not see identifiers."""
    if event.object_type not in SAFE_LABELS:
        return event.object_label
    return labels.get((event.object_type, event.object_id)) or f"{event.object_type} {event.object_id}"


__all__ = [
    "IDENTIFYING_FIELDS",
    "hidden_ids",
    "may_see_object",
    "safe_label",
    "safe_labels",
    "scoped",
    "visible_objects",
]
