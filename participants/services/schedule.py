"""Anchor dates and the visit schedule projected from them.

A visit's target date and window follow from an anchor date (enrolment, treatment, procedure) and the arm.
When either changes, or the protocol is amended, the visits not yet done are re-projected; done, missed and
cancelled visits are history and never move. Every change the system makes here is audited with the path
``system`` and the reason it was made.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, audited_update, diff, snapshot
from studies.protocol import project_visits
from studies.selectors import current_protocol

from ..models import AnchorDate, Participant, Visit
from .common import (
    ENROLMENT,
    SYSTEM,
    WHY_AMENDMENT,
    WHY_ANCHOR,
    Action,
    Path,
    Status,
    _audit_created,
    _locked,
    _not_in_future,
    _protocol,
    _require_status,
)
from .event_text import EVENT_REASONS, refuse_if_set_by_event
from .locks import refuse_if_locked


@transaction.atomic
def anchor_set(
    *, participant: Participant, anchor_code: str, date: date, user, reason: str = "", path: str = Path.PAGE
) -> AnchorDate:
    """Enter or correct an anchor date; re-project the visits hanging from it that are not done yet."""
    protocol = _protocol(participant.study)
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.ENROLLED)
    if anchor_code not in {a.code for a in protocol.anchors}:
        raise ValidationError(_("The protocol has no such anchor date."))
    refuse_if_set_by_event(protocol, anchor_code)
    following = _anchors_following(protocol, anchor_code)
    if anchor_code == ENROLMENT:
        _not_in_future(date, _("enrolment date"))
        with audited_update(participant, user=user, path=path, reason=reason):
            participant.enrolled_on = date
            participant.save(update_fields=["enrolled_on"])
        following |= _enrolment_set_anchors(participant, protocol, date, user=user, path=path)
    elif participant.enrolled_on and date < participant.enrolled_on:
        raise ValidationError(
            _("This date cannot be before the enrolment date (%(day)s).") % {"day": participant.enrolled_on.isoformat()}
        )
    anchor = _anchor_save(participant, anchor_code, date, user=user, path=path, reason=reason)
    _reproject(
        participant,
        protocol,
        only_anchors=following,
        user=user,
        reason=WHY_ANCHOR % (anchor_code, anchor_code),
    )
    return anchor


def _enrolment_set_anchors(participant: Participant, protocol, day: date, *, user, path: str) -> set[str]:
    """Anchors ``set_by: enrolment`` follow a corrected enrolment date; returns them and the anchors after them."""
    codes = [a.code for a in protocol.anchors if a.set_by is not None and a.set_by.event == ENROLMENT]
    for code in codes:
        _anchor_save(participant, code, day, user=user, path=path, reason=EVENT_REASONS[ENROLMENT])
    return set().union(*(_anchors_following(protocol, code) for code in codes))


def _anchors_following(protocol, anchor_code: str) -> set[str]:
    """The anchor and every anchor whose expected date is reckoned from it, directly or not."""
    found = {anchor_code}
    for _pass in protocol.anchors:
        found |= {a.code for a in protocol.anchors if a.expected is not None and a.expected.anchor in found}
    return found


def _anchor_save(
    participant: Participant, anchor_code: str, day: date, *, user, path: str, reason: str = ""
) -> AnchorDate:
    """Enter or correct one anchor date, recorded in the audit trail."""
    anchor = AnchorDate.objects.select_for_update().filter(participant=participant, anchor_code=anchor_code).first()
    if anchor is None:
        anchor = AnchorDate.objects.create(participant=participant, anchor_code=anchor_code, date=day, entered_by=user)
        _audit_created(anchor, user=user, path=path, reason=reason)
        return anchor
    with audited_update(anchor, user=user, path=path, reason=reason):
        anchor.date, anchor.entered_by = day, user
        anchor.save(update_fields=["date", "entered_by", "entered_at"])
    return anchor


@transaction.atomic
def visits_reproject_study(*, study, user=None, reason: str = "") -> int:
    """After a protocol amendment: re-project every enrolled participant's visits that are not done.

    Visits the new protocol adds are created; pending visits it no longer has are removed; completed,
    missed and cancelled visits are never touched. Returns how many visits were moved or added. Each
    change is in the audit trail (path "system"), by ``user`` when one asked for it.
    """
    protocol = current_protocol(study)
    if protocol is None:
        return 0
    reason = reason or WHY_AMENDMENT % ((protocol.study.protocol_version,) * 2)
    participants = Participant.objects.select_for_update().filter(study=study, status=Status.ENROLLED)
    return sum(
        _reproject(p, protocol, user=user, reason=reason)
        for p in participants.prefetch_related("anchor_dates", "visits")
    )


def _reproject(participant: Participant, protocol, *, user, reason: str, only_anchors: set[str] | None = None) -> int:
    declared = {a.code for a in protocol.anchors}
    anchors = {a.anchor_code: a.date for a in participant.anchor_dates.all() if a.anchor_code in declared}
    arm = participant.arm_code if participant.arm_code in protocol.arm_codes else None
    existing = {(v.visit_code, v.sequence): v for v in participant.visits.all()}
    changed = 0
    for projected in project_visits(protocol, arm, anchors):
        if only_anchors is not None and projected.anchor not in only_anchors:
            existing.pop((projected.code, projected.occurrence), None)
            continue
        visit = existing.pop((projected.code, projected.occurrence), None)
        changed += _apply(participant, visit, projected, user=user, reason=reason)
    if only_anchors is None:
        stale = [v for v in existing.values() if not v.is_done]
        for visit in stale:
            audit_record(
                user=user,
                action=Action.DELETE,
                instance=visit,
                changes=diff(snapshot(visit), {}),
                reason=reason,
                path=SYSTEM,
            )
        Visit.objects.filter(pk__in=[v.pk for v in stale]).delete()
    return changed


def _apply(participant: Participant, visit: Visit | None, projected, *, user, reason: str) -> int:
    values = {
        "anchor_code": projected.anchor,
        "target_date": projected.target,
        "window_start": projected.window_start,
        "window_end": projected.window_end,
        "estimated": projected.estimated,
    }
    if visit is None:
        visit = Visit.objects.create(
            participant=participant, visit_code=projected.code, sequence=projected.occurrence, **values
        )
        _audit_created(visit, user=user, path=SYSTEM, reason=reason)
        return 1
    if visit.is_done or all(getattr(visit, key) == value for key, value in values.items()):
        return 0
    before = snapshot(visit, values)
    for key, value in values.items():
        setattr(visit, key, value)
    visit.save()
    audit_record(
        user=user,
        action=Action.UPDATE,
        instance=visit,
        changes=diff(before, snapshot(visit, values)),
        reason=reason,
        path=SYSTEM,
    )
    return 1
