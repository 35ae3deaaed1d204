"""What the CRF page shows of the plausibility checks a submission broke (instruments.definitions.plausibility).

An error check refuses the save; a warning asks for a reason, which confirms it and opens a query
(``workflows.services.response_submit``). Each broken check is listed above the form and marks, with its message,
the last item of the form that it reads (the answer most likely just entered), unless that item has its own error.
"""

from __future__ import annotations

from core.i18n import text_for
from instruments.services import CHECK_PREFIX


def is_check_key(key: str) -> bool:
    """An errors key that is a check (or the missing confirmation), listed apart from the item errors."""
    return key.startswith(CHECK_PREFIX) or key == "warning_reason"


def marked_errors(instrument, errors: dict, violations) -> dict:
    """``errors`` with each broken check's message on the last item of the form it reads."""
    codes = set(instrument.item_codes())
    marked = dict(errors)
    for violation in violations:
        if CHECK_PREFIX + violation.code not in errors:
            continue  # a warning confirmed earlier: saved with the rest, nothing to mark
        shown = [code for code in violation.items if code in codes]  # in the form's order
        if shown and shown[-1] not in marked:
            marked[shown[-1]] = violation.message.to_dict()
    return marked


def plausibility_context(errors: dict, violations) -> dict:
    """The lists above the form: broken error checks, then the warnings awaiting a reason."""
    pending = [v for v in violations if CHECK_PREFIX + v.code in errors]
    return {
        "check_errors": [text_for(v.message.to_dict()) for v in pending if v.is_error],
        "check_warnings": [text_for(v.message.to_dict()) for v in pending if not v.is_error],
        "warning_reason_error": text_for(errors.get("warning_reason")),
    }
