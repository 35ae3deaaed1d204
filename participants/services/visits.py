"""Recording what happened at a visit: done on a date, or missed.

Completing a done visit again corrects its date (audited as an update); a cancelled visit stays cancelled.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audited_update

from ..models import Visit
from .common import Action, Path, Status, _not_in_future, _protocol, _require_status
from .locks import refuse_if_locked
from .schedule import window_review_of


@transaction.atomic
def visit_complete(*, visit: Visit, completed_on: date, user, reason: str = "", path: str = Path.PAGE) -> Visit:
    visit = Visit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    refuse_if_locked(visit.participant, visit.visit_code)
    _require_status(visit.participant, Status.ENROLLED, Status.COMPLETED)
    if visit.cancelled:
        raise ValidationError(_("This visit was cancelled."))
    _not_in_future(completed_on, _("visit date"))
    if visit.participant.enrolled_on and completed_on < visit.participant.enrolled_on:
        raise ValidationError(_("A visit cannot be done before enrolment."))
    action = Action.COMPLETE if visit.completed_on is None else Action.UPDATE  # a second time corrects the date
    with audited_update(visit, user=user, path=path, reason=reason, action=action):
        visit.completed_on = completed_on
        visit.missed = False
        protocol = _protocol(visit.participant.study)
        if not visit.protocol_version:  # done under this version: its activities stay this version's
            visit.protocol_version = protocol.study.protocol_version
        if visit.window_review:  # a corrected date is checked again against the window the anchors give now
            visit.window_review = window_review_of(visit, protocol)
        visit.save(update_fields=["completed_on", "missed", "protocol_version", "window_review", "updated_at"])
    return visit


@transaction.atomic
def visit_miss(*, visit: Visit, user, reason: str = "", path: str = Path.PAGE) -> Visit:
    visit = Visit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    refuse_if_locked(visit.participant, visit.visit_code)
    _require_status(visit.participant, Status.ENROLLED, Status.COMPLETED)
    if visit.completed_on is not None or visit.cancelled:
        raise ValidationError(_("Only a visit that is neither done nor cancelled can be recorded as missed."))
    with audited_update(visit, user=user, path=path, reason=reason):
        visit.missed = True
        visit.save(update_fields=["missed", "updated_at"])
    return visit
