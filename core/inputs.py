"""The bounds of ``core.validation`` for Django forms and the API serializers: one mixin each, no tower.

A form lists ``BoundedInputMixin`` first (``class ScreeningForm(BoundedInputMixin, forms.Form)``); after its
own cleaning every cleaned text, number and date is checked against the same bounds as the instrument
answers, and a value outside them becomes that field's error (nothing is saved). A serializer does the same
with ``BoundedSerializerMixin``, which also walks JSON fields (NUL bytes, inf, deep nesting).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from . import validation
from .i18n import text_for

# Whole numbers in forms are stored in 64-bit columns at most.
INT64_MAX = 2**63 - 1


def check_value(value: Any) -> None:
    """Raise ``validation.InputRefused`` when ``value`` (a cleaned form or serializer value) is out of bounds."""
    if isinstance(value, str):
        validation.check_text(value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        validation.check_int(value, low=-INT64_MAX, high=INT64_MAX)
    elif isinstance(value, float):
        validation.check_number(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        validation.check_date(value)
    elif isinstance(value, (dict, list, tuple)):
        validation.check_texts(value)


def refused(problem: validation.InputRefused) -> str:
    """The reason, in the viewer's language."""
    return text_for(problem.message)


def _bounded_choice(field: forms.ModelChoiceField):
    """``field.to_python`` refusing an id no column can hold: the lookup would raise OverflowError (SQLite) or
    DataError (PostgreSQL), a server error, before Django's own "not one of the choices" message."""
    to_python = field.to_python

    def checked(value: Any) -> Any:
        text = str(value).strip() if value is not None else ""
        if len(text) > 20 or (text.lstrip("-").isdigit() and abs(int(text)) > INT64_MAX):
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")
        return to_python(value)

    return checked


class BoundedInputMixin:
    """Checks every cleaned value of a Django form against ``core.validation`` after the form's own clean,
    and refuses a chosen id out of any column's range before the field looks it up."""

    def _clean_fields(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.ModelChoiceField) and not getattr(field, "bounded", False):
                field.to_python = _bounded_choice(field)  # type: ignore[method-assign]
                field.bounded = True  # type: ignore[attr-defined]
        super()._clean_fields()  # type: ignore[misc]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        for name, value in list(getattr(self, "cleaned_data", {}).items()):
            try:
                check_value(value)
            except validation.InputRefused as problem:
                self.add_error(name, refused(problem))  # type: ignore[attr-defined]


class BoundedSerializerMixin:
    """Checks every validated value of a DRF serializer against ``core.validation``."""

    def validate(self, attrs: dict) -> dict:
        errors = {}
        for name, value in attrs.items():
            try:
                check_value(value)
            except validation.InputRefused as problem:
                errors[name] = refused(problem)
        if errors:
            raise serializers.ValidationError(errors)
        return super().validate(attrs)  # type: ignore[misc]
