"""Drafts of CRF answers: saved as the user types, restored when they reopen the form, gone once submitted.

A draft is one row per user and form (``ResponseDraft``). It is not data: nothing below this floor can read it,
it has no audit event (the submission that follows is audited as usual by ``response_submit``) and it is never
cleaned, scored or counted. Its text is bounded like any input (``core.validation``) so a draft cannot hold what
the database or a later form could not.
"""

from __future__ import annotations

import json
from typing import Any

from core import validation

from .models import ResponseDraft

# One draft's typed answers and reason, as the browser sends them: far more than any CRF needs (the longest
# library form, 40 items of up to a few hundred characters, is under 20 kB), little enough to refuse a flood.
DRAFT_MAX_BYTES = 64 * 1024


def _form_key(*, user, participant, visit_code: str, activity_key: str, instance: int) -> dict[str, Any]:
    return {
        "user": user,
        "participant": participant,
        "visit_code": visit_code,
        "activity_key": activity_key,
        "instance": instance,
    }


def response_draft_find(*, user, participant, visit_code: str, activity_key: str, instance: int):
    """The user's draft of this form, or None."""
    key = _form_key(
        user=user, participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    )
    return ResponseDraft.objects.filter(**key).first()


def draft_problem(raw: dict[str, Any], reason: str) -> dict[str, str] | None:
    """Why a draft cannot be kept (a control character, text too long), in English and Chinese; None when it can."""
    if len(json.dumps(raw, ensure_ascii=False)) + len(reason) > DRAFT_MAX_BYTES:
        return {"en": "This draft is too large to keep.", "zh": "此草稿过大，无法保存。"}
    try:
        validation.check_texts(raw, max_depth=3)
        validation.check_text(reason, max_length=500)
    except validation.InputRefused as refused:
        return refused.message
    return None


def response_draft_save(
    *,
    user,
    participant,
    visit_code: str,
    activity_key: str,
    instance: int,
    instrument,
    raw: dict[str, Any],
    reason: str,
    base_lock_version: int,
) -> ResponseDraft:
    """Keep what the user has typed so far (replacing their earlier draft of the same form): one row, written in
    ``update_or_create``'s own transaction (no audit event: a draft is not data)."""
    key = _form_key(
        user=user, participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    )
    draft, _created = ResponseDraft.objects.update_or_create(
        **key,
        defaults={
            "instrument_code": instrument.code,
            "definition_version": instrument.version,
            "raw": raw,
            "reason": reason,
            "base_lock_version": base_lock_version,
        },
    )
    return draft


def response_draft_discard(*, user, participant, visit_code: str, activity_key: str, instance: int) -> int:
    """Delete the user's draft of this form (discarded, or submitted); the number of drafts deleted."""
    key = _form_key(
        user=user, participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    )
    deleted, _by_model = ResponseDraft.objects.filter(**key).delete()
    return deleted
