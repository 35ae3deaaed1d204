"""Recording what happened at a visit: done on a date, or missed.

Completing a done visit again corrects its date (audited as an update); a cancelled visit stays cancelled. A visit
is done only when its required forms are complete or each missing one has a reason. A missed visit needs a reason
(only "could not be reached" counts as lost to follow-up); a data manager may reopen it, with a reason.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audited_update
from core.i18n import text_for
from core.validation import InputRefused, check_text

from ..models import Visit
from ..selectors import forms_not_complete, instrument_title
from .common import Action, Path, Status, _not_in_future, _protocol, _require_status
from .locks import refuse_if_locked
from .schedule import window_review_of


@transaction.atomic
def visit_complete(
    *,
    visit: Visit,
    completed_on: date,
    user,
    reason: str = "",
    path: str = Path.PAGE,
    missing_forms: dict[str, str] | None = None,
    require_forms: bool = True,
) -> Visit:
    """Record the visit done on ``completed_on``. ``missing_forms``: activity key -> why that required form was not
    done; every required form not complete needs one (ValidationError naming them). ``require_forms=False`` only for
    history loaded by a command (the demo), never from a page or the API."""
    visit = Visit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    refuse_if_locked(visit.participant, visit.visit_code)
    _require_status(visit.participant, Status.ENROLLED, Status.COMPLETED)
    if visit.cancelled:
        raise ValidationError(_("This visit was cancelled."))
    _not_in_future(completed_on, _("visit date"))
    if visit.participant.enrolled_on and completed_on < visit.participant.enrolled_on:
        raise ValidationError(_("A visit cannot be done before enrolment."))
    protocol = _protocol(visit.participant.study)
    missing = _missing_reasons(visit, protocol, missing_forms or {}) if require_forms else {}
    action = Action.COMPLETE if visit.completed_on is None else Action.UPDATE  # a second time corrects the date
    with audited_update(visit, user=user, path=path, reason=reason, action=action):
        visit.completed_on = completed_on
        visit.missed, visit.missed_reason, visit.missed_note = False, "", ""
        visit.missing_forms = missing
        if not visit.protocol_version:  # done under this version: its activities stay this version's
            visit.protocol_version = protocol.study.protocol_version
        if visit.window_review:  # a corrected date is checked again against the window the anchors give now
            visit.window_review = window_review_of(visit, protocol)
        visit.save(
            update_fields=[
                "completed_on",
                "missed",
                "missed_reason",
                "missed_note",
                "missing_forms",
                "protocol_version",
                "window_review",
                "updated_at",
            ]
        )
    return visit


def _missing_reasons(visit: Visit, protocol, given: dict[str, str]) -> dict[str, str]:
    """{activity key: reason} for the visit's required forms that are not complete; ValidationError when one has
    no reason."""
    missing = forms_not_complete(visit.participant, visit, protocol)
    reasons = {a.key: _text(given.get(a.key), 500) for a in missing}
    unexplained = [a for a in missing if not reasons[a.key]]
    if unexplained:
        titles = ", ".join(instrument_title(visit.participant, a.code) for a in unexplained)
        raise ValidationError(
            _("Give a reason for each required form that is not complete: %(forms)s.") % {"forms": titles}
        )
    return reasons


@transaction.atomic
def visit_miss(*, visit: Visit, user, why: str, note: str = "", path: str = Path.PAGE) -> Visit:
    """Record the visit as missed, ``why`` one of Visit.MissedReason (``note`` required for "other"). The audit
    reason holds both, so the trail and the status grid say why."""
    visit = Visit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    refuse_if_locked(visit.participant, visit.visit_code)
    _require_status(visit.participant, Status.ENROLLED, Status.COMPLETED)
    if visit.completed_on is not None or visit.cancelled or visit.missed:
        raise ValidationError(_("Only a visit that is neither done, missed nor cancelled can be recorded as missed."))
    if why not in Visit.MissedReason.values:
        raise ValidationError(_("Choose why the visit was missed."))
    note = _text(note, 1000)
    if why == Visit.MissedReason.OTHER and not note:
        raise ValidationError(_("Say why the visit was missed."))
    label = str(Visit.MissedReason(why).label)
    with audited_update(visit, user=user, path=path, reason=f"{label}: {note}" if note else label):
        visit.missed, visit.missed_reason, visit.missed_note = True, why, note
        visit.save(update_fields=["missed", "missed_reason", "missed_note", "updated_at"])
    return visit


@transaction.atomic
def visit_reopen(*, visit: Visit, user, reason: str, path: str = Path.PAGE) -> Visit:
    """Undo "missed" (a data manager's correction, REOPEN_VISIT): the visit is pending again, with a reason."""
    visit = Visit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    refuse_if_locked(visit.participant, visit.visit_code)
    if not visit.missed:
        raise ValidationError(_("Only a visit recorded as missed can be reopened."))
    reason = _text(reason, 1000)
    if not reason:
        raise ValidationError(_("Give the reason for reopening the visit."))
    with audited_update(visit, user=user, path=path, reason=reason):
        visit.missed, visit.missed_reason, visit.missed_note = False, "", ""
        visit.save(update_fields=["missed", "missed_reason", "missed_note", "updated_at"])
    return visit


def _text(value, limit: int) -> str:
    try:
        return check_text(str(value or "").strip(), max_length=limit)
    except InputRefused as refused:
        raise ValidationError(text_for(refused.message)) from None
