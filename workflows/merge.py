"""Merging a user's answers with a response someone else saved meanwhile (an edit conflict, or a draft older
than the stored form): per item that differs, both values and a choice, never a silent overwrite.

Three-way: ``base`` is what the user started from. An item only the other person changed defaults to theirs,
an item the user changed defaults to theirs being replaced by the user's; either way the user sees both and
chooses. The chosen side is applied on the server when the form comes back (``merge_apply``).
"""

from __future__ import annotations

import json
from typing import Any

from core.i18n import text_for
from instruments.forms import answer_text, raw_from_values

MINE, THEIRS = "mine", "theirs"
FIELD = "merge-"  # the POST field of one item's choice: merge-<item code> = mine | theirs


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(one) for one in value)
    return "" if value is None else str(value).strip()


def merge_rows(instrument, *, mine: dict[str, Any], current_values: dict, base_values: dict | None) -> list[dict]:
    """One row per entered item whose value differs between ``mine`` (raw, as typed) and the stored values."""
    theirs = raw_from_values(current_values)
    base = raw_from_values(base_values) if base_values is not None else None
    rows = []
    for item in instrument.items:
        if not item.entered:
            continue
        empty: Any = [] if item.type == "multiple_choice" else ""
        my_value, their_value = mine.get(item.code, empty), theirs.get(item.code, empty)
        if _norm(my_value) == _norm(their_value):
            continue
        untouched = base is not None and _norm(my_value) == _norm(base.get(item.code, empty))
        rows.append(
            {
                "code": item.code,
                "label": text_for(item.label),
                # the raw values, for the page's script to put the chosen side into the item's inputs
                "mine_raw": json.dumps(my_value, ensure_ascii=False),
                "theirs_raw": json.dumps(their_value, ensure_ascii=False),
                "mine": answer_text(item, my_value),
                "theirs": answer_text(item, their_value),
                "choice": THEIRS if untouched else MINE,
            }
        )
    return rows


def merge_apply(raw: dict[str, Any], data, current_values: dict) -> dict[str, Any]:
    """``raw`` with the stored value put back for every item whose choice in ``data`` (the POST) is theirs."""
    theirs = raw_from_values(current_values)
    merged = dict(raw)
    for code in raw:
        if data.get(FIELD + code) == THEIRS:
            empty: Any = [] if isinstance(raw[code], list) else ""
            merged[code] = theirs.get(code, empty)
    return merged
