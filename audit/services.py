"""Writes to the audit trail. The whole API other apps need:

    from audit.services import audit_record, audited_update, diff, snapshot
    from audit.models import AuditEvent  # AuditEvent.Action / AuditEvent.Path choices

* ``audit_record(*, user, action, instance=None, ..., changes=None, reason="", path="page")`` appends one
  row. Give ``instance`` and the object type, id, label (``str(instance)``) and its study, site and
  participant are inferred (from ``instance.study``/``.site``/``.participant``, or the instance itself when
  it is a Study, Site or Participant); anything given explicitly wins. ``user`` may be None (system).
* ``snapshot(instance, fields=None)`` -> ``{field: value}`` with JSON-safe values (dates as ISO strings,
  decimals as strings, foreign keys as their id); ``auto_now`` time stamps are left out.
* ``diff(before, after)`` -> ``{field: [old, new]}`` for the fields that changed.
* ``with audited_update(instance, user=..., reason=..., path=...) as change:`` reads the stored row
  before the block and again after it and records the difference (nothing when nothing changed);
  ``change.event`` is the new row.

Call them inside the service's own ``transaction.atomic`` block, after the write: the audit row and the
change then commit or roll back together. Typical uses::

    audit_record(user=user, action=AuditEvent.Action.CREATE, instance=consent,
                 changes=diff({}, snapshot(consent)))
    with audited_update(participant, user=user, reason=reason):
        participant.status = "withdrawn"
        participant.save()
    audit_record(user=user, action=AuditEvent.Action.DELETE, instance=specimen,
                 changes=diff(snapshot(specimen), {}), reason=reason)   # before specimen.delete()

Fields that would unblind a reader (``audit.blinding.SENSITIVE_FIELDS``: ``arm_code``, ``allocation``...)
are stored in full; selectors mask them for blinded roles. Pass ``sensitive=[...]`` for other fields.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.duration import duration_iso_string

from .blinding import SENSITIVE_FIELDS
from .models import AuditEvent

__all__ = ["audit_record", "audited_update", "audit_job_result", "diff", "snapshot", "json_safe"]


def _float(value: float):
    # NaN and infinities are not JSON (PostgreSQL's jsonb refuses them).
    return value if math.isfinite(value) else str(value)


def _file_or_text(value):
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or None
    return str(value)


_CONVERTERS = (
    (bool | int | str, lambda value: value),
    (float, _float),
    (datetime.datetime | datetime.date | datetime.time, lambda value: value.isoformat()),
    (datetime.timedelta, duration_iso_string),
    (decimal.Decimal | uuid.UUID, str),
    (dict, lambda value: {str(key): json_safe(item) for key, item in value.items()}),
    (list | tuple | set | frozenset, lambda value: [json_safe(item) for item in value]),
    (models.Model, lambda value: value.pk),
    (bytes | bytearray | memoryview, lambda value: bytes(value).hex()),
)


def json_safe(value):
    """``value`` as something ``json.dumps`` writes the same way on every database."""
    if value is None:
        return None
    for types, convert in _CONVERTERS:
        if isinstance(value, types):
            return convert(value)
    return _file_or_text(value)


def _is_time_stamp(model_field) -> bool:
    return getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The instance's concrete field values, JSON-safe; ``fields`` limits it to some names."""
    wanted = set(fields) if fields is not None else None
    values = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.primary_key or (wanted is None and _is_time_stamp(model_field)):
            continue
        if wanted is not None and model_field.name not in wanted:
            continue
        values[model_field.name] = json_safe(model_field.value_from_object(instance))
    return values


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for every field whose value differs (a missing field counts as None)."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = json_safe(before.get(name)), json_safe(after.get(name))
        if old != new:
            changes[name] = [old, new]
    return changes


def _scope_models() -> tuple[type, type, type]:
    """The Study, Site and Participant classes, as the event's own foreign keys name them.

    Read from the model rather than imported: the audit trail sits below every domain app and knows none.
    """
    meta = AuditEvent._meta
    return tuple(meta.get_field(name).related_model for name in ("study", "site", "participant"))


def _scope(instance, study, site, participant):
    """Study, site and participant of the event: given values first, then what the instance says."""
    Study, Site, Participant = _scope_models()
    if instance is not None:
        if participant is None:
            participant = instance if isinstance(instance, Participant) else getattr(instance, "participant", None)
        if site is None:
            site = instance if isinstance(instance, Site) else getattr(instance, "site", None)
        if study is None:
            study = instance if isinstance(instance, Study) else getattr(instance, "study", None)
    participant = participant if isinstance(participant, Participant) else None
    site = site if isinstance(site, Site) else None
    study = study if isinstance(study, Study) else None
    if participant is not None:
        site = site or participant.site
        study = study or participant.study
    if site is not None and study is None:
        study = site.study
    return study, site, participant


def _checked(changes: dict) -> dict:
    """``{field: [old, new]}`` with JSON-safe values; anything else is a caller's mistake."""
    checked = {}
    for name, values in changes.items():
        if not isinstance(values, list | tuple) or len(values) != 2:
            raise ValueError(f"change of {name!r} must be [old, new], not {values!r}")
        checked[str(name)] = json_safe(list(values))
    return checked


def _request_id(request, request_id: str) -> str:
    if request_id or request is None:
        return request_id
    if not hasattr(request, "_audit_request_id"):
        given = request.headers.get("X-Request-ID", "")[:64]
        request._audit_request_id = given or uuid.uuid4().hex
    return request._audit_request_id


def audit_record(
    *,
    user,
    action: str,
    instance: models.Model | None = None,
    object_type: str | None = None,
    object_id=None,
    object_label: str = "",
    study=None,
    site=None,
    participant=None,
    changes: dict | None = None,
    reason: str = "",
    path: str = AuditEvent.Path.PAGE,
    sensitive: Iterable[str] = (),
    request=None,
    request_id: str = "",
) -> AuditEvent:
    """Append one event to the audit trail (see the module docstring)."""
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if path not in AuditEvent.Path.values:
        raise ValueError(f"unknown audit path {path!r}")
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = instance.pk if object_id is None else object_id
        object_label = object_label or str(instance)
    if not object_type:
        raise ValueError("an audit event needs an instance or an object_type")
    study, site, participant = _scope(instance, study, site, participant)
    changes = _checked(changes or {})
    with transaction.atomic():
        return AuditEvent.objects.create(
            study=study,
            site=site,
            participant=participant,
            object_type=object_type,
            object_id="" if object_id is None else str(object_id),
            object_label=str(object_label)[:300],
            action=action,
            changes=changes,
            sensitive_fields=sorted((set(changes) & SENSITIVE_FIELDS) | set(sensitive)),
            reason=reason or "",
            path=path,
            user=user if user is not None and user.is_authenticated else None,
            request_id=_request_id(request, request_id),
        )


@dataclass
class AuditedChange:
    """What ``audited_update`` recorded: filled in when the block ends."""

    changes: dict = field(default_factory=dict)
    event: AuditEvent | None = None


@contextmanager
def audited_update(
    instance: models.Model,
    *,
    user,
    reason: str = "",
    path: str = AuditEvent.Path.PAGE,
    action: str = AuditEvent.Action.UPDATE,
    fields: Iterable[str] | None = None,
    sensitive: Iterable[str] = (),
    request=None,
):
    """Record what the block changed in ``instance``'s stored row, in the same transaction.

    Both snapshots are read from the database, so the record is what was stored, whatever the block
    did (``save()``, ``save(update_fields=...)`` or a queryset update). An exception in the block rolls
    back the change and records nothing.
    """
    fields = list(fields) if fields is not None else None
    manager = type(instance)._base_manager
    with transaction.atomic():
        before = snapshot(manager.select_for_update().get(pk=instance.pk), fields)
        result = AuditedChange()
        yield result
        result.changes = diff(before, snapshot(manager.get(pk=instance.pk), fields))
        if result.changes or action != AuditEvent.Action.UPDATE:
            result.event = audit_record(
                user=user,
                action=action,
                instance=instance,
                changes=result.changes,
                reason=reason,
                path=path,
                sensitive=sensitive,
                request=request,
            )


def audit_job_result(job: models.Model, before: dict, *, fields: Iterable[str]) -> None:
    """A background job's outcome, by the system: the ``fields`` of its row that changed since ``before``
    (core.jobs.job_run's ``record``)."""
    audit_record(
        user=None,
        action=AuditEvent.Action.UPDATE,
        instance=job,
        study=getattr(job, "study", None),
        path=AuditEvent.Path.SYSTEM,
        changes=diff(before, snapshot(job, fields)),
    )
