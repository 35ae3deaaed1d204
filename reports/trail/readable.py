"""Audit changes in words, in the viewer's language: a response's answers and scores by their item and score labels,
answers by their option labels, users by name, other fields by their model's verbose name and choice labels.

The trail records keys (``values.psqi_3``, ``scores.c4_efficiency``, ``entered_by: 12``); a monitor reads labels.
The raw key and value stay beside the words (page title, CSV columns), so nothing recorded is hidden.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditEvent
from core.i18n import text_for
from instruments.definitions import Instrument
from instruments.models import Response
from instruments.registry import get_instrument

RESPONSE = "instruments.response"


@dataclass(frozen=True)
class Words:
    field: str
    old: str
    new: str


@dataclass
class Vocabulary:
    """What the events of one page (or one CSV batch) need to be read: two queries whatever their number."""

    instruments: dict[str, Instrument] = field(default_factory=dict)  # response id -> its definition
    users: dict[int, str] = field(default_factory=dict)
    # (kind, definition, code) -> an item's or a score's words and its values' words, made once per batch (one
    # page, or one CSV batch of thousands of events), not once per recorded change
    _words: dict[tuple[str, int, str], tuple[str, dict] | None] = field(default_factory=dict)

    def words(self, event: AuditEvent, name: str, old, new) -> Words:
        if event.object_type == RESPONSE and name.startswith(("values.", "scores.")):
            instrument = self.instruments.get(event.object_id)
            if instrument is not None:
                return self._answer_words(instrument, name, old, new)
        model_field = _model_field(event.object_type, name)
        label = str(model_field.verbose_name) if model_field is not None else name
        return Words(label, self._value(model_field, old), self._value(model_field, new))

    def _answer_words(self, instrument: Instrument, name: str, old, new) -> Words:
        kind, _dot, code = name.partition(".")
        words = self._score_words(instrument, code) if kind == "scores" else self._item_words(instrument, code)
        if words is None:
            return Words(code, _shown(old), _shown(new))
        label, options = words
        if kind == "scores":  # a score's bands name its values; an unbanded value shows as recorded
            return Words(label, options.get(old, _shown(old)), options.get(new, _shown(new)))
        return Words(label, _option_text(options, old), _option_text(options, new))

    def _item_words(self, instrument: Instrument, code: str) -> tuple[str, dict] | None:
        key = ("values", id(instrument), code)  # the definitions live as long as this vocabulary (self.instruments)
        if key not in self._words:
            item = next((one for one in instrument.items if one.code == code), None)
            options = {option.code: text_for(option.label) for option in item.options} if item else {}
            self._words[key] = None if item is None else (f"{code} {text_for(item.label)}", options)
        return self._words[key]

    def _score_words(self, instrument: Instrument, code: str) -> tuple[str, dict] | None:
        key = ("scores", id(instrument), code)
        if key not in self._words:
            score = next((spec for spec in instrument.scores if spec.name == code), None)
            bands = {value: text_for(label) for value, label in score.bands} if score else {}
            label = _("%(score)s (score)") % {"score": text_for(score.label)} if score else ""
            self._words[key] = None if score is None else (label, bands)
        return self._words[key]

    def _value(self, model_field, value) -> str:
        if value is None or model_field is None:
            return _shown(value)
        if isinstance(model_field, models.ForeignKey) and model_field.related_model is User:
            return self.users.get(value, _shown(value))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, _shown(value)))
        if isinstance(model_field, models.BooleanField):
            return _("yes") if value else _("no")
        return _shown(value)


def vocabulary_for(events: Iterable[AuditEvent]) -> Vocabulary:
    events = list(events)
    response_ids = {event.object_id for event in events if event.object_type == RESPONSE}
    user_ids = {value for event in events for name, value in _values(event) if _is_user_field(event, name)}
    return Vocabulary(_instruments(response_ids), _user_names(user_ids))


def _values(event: AuditEvent):
    for name, values in (event.changes or {}).items():
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, int) and not isinstance(value, bool):
                yield name, value


def _is_user_field(event: AuditEvent, name: str) -> bool:
    model_field = _model_field(event.object_type, name)
    return isinstance(model_field, models.ForeignKey) and model_field.related_model is User


def _instruments(response_ids: set[str]) -> dict[str, Instrument]:
    ids = [int(one) for one in response_ids if one.isdigit() and len(one) <= 18]
    rows = Response.objects.filter(pk__in=ids).values_list(
        "pk", "instrument_code", "definition_version", "participant__study__code"
    )
    found = {}
    for pk, code, version, study in rows:
        try:
            found[str(pk)] = get_instrument(code, version, study=study)
        except (KeyError, ValueError):  # a definition that no longer reads: the keys stay as recorded
            continue
    return found


def _user_names(ids: set[int]) -> dict[int, str]:
    users = User.objects.filter(pk__in=ids).only("pk", "username", "first_name", "last_name")
    return {user.pk: user.get_full_name() or user.username for user in users}


@lru_cache(maxsize=4096)  # models do not change while the process runs; a CSV asks once per recorded field
def _model_field(object_type: str, name: str):
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A recorded key may name a reverse relation (an allocation list's "slots"): it has no verbose name.
    return field if isinstance(field, models.Field) else None


def _option_text(options: dict[int, str], value) -> str:
    if isinstance(value, list):
        return ", ".join(_option_text(options, one) for one in value)
    if isinstance(value, int) and not isinstance(value, bool) and value in options:
        return f"{value} {options[value]}"
    return _shown(value)


def show(value) -> str:
    """A recorded value as text: empty for None, JSON for lists and dicts."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value
    if kind is int:  # most recorded values: the same text as JSON's, without the encoder
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_shown = show


def type_name(object_type: str) -> str:
    """The kind of an audited object in the viewer's language ("participants.visit" -> "visit" or 访视)."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)
