"""Anchors whose date an event sets (`set_by:` in the protocol, docs/protocol-format.md).

One function per kind of event, each called from the one place the event happens:

* randomisation: ``randomisation.services.participant_randomise`` (the allocation date);
* consent: ``participant_consent`` (the first consent date, so a re-consent does not move the schedule);
* enrolment: ``participant_enrol`` and a hand correction of the enrolment date (``anchor_set``);
* a date item of a form: ``workflows.services.response_submit``, the one write path of CRF answers.

The date is written like a typed one (``AnchorDate``, audited with the reason), and the visits hanging from it are
re-projected with the shared re-projection; both are recorded with the path ``system`` and the reason, as every
consequence the system draws. A participant still in screening (consent comes first) gets the row
only: the first projection at enrolment reads it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, diff, snapshot
from instruments.models import Response
from studies.selectors import current_protocol

from ..models import AnchorDate, Participant
from .common import SYSTEM, Action, Status, _locked, _protocol
from .event_text import EVENT_REASONS
from .schedule import _anchor_save, _anchors_following, _reproject


def anchors_set_by_event(*, participant: Participant, event: str, day: date, user, path: str = SYSTEM) -> int:
    """Give every anchor the protocol sets by ``event`` (randomisation, consent, enrolment) the date ``day``.

    Returns how many visits moved or were added. Call inside the event's own transaction.
    """
    protocol = _protocol(participant.study)
    codes = [a.code for a in protocol.anchors if a.set_by is not None and a.set_by.event == event]
    if not codes:
        return 0
    participant = _locked(participant)  # fresh status and arm: the event may have just changed them
    return sum(
        _set(participant, protocol, code, day, user=user, path=path, reason=EVENT_REASONS[event]) for code in codes
    )


def anchors_from_response(*, participant: Participant, instrument_code: str, user, path: str = SYSTEM) -> int:
    """After a form of ``instrument_code`` is saved: every anchor set by one of its date items takes the item's
    date, moves when it changes and is cleared when no form of the participant gives one any more.

    Several forms may give the item (the instrument at more than one visit): the most recently saved one that has
    a value wins.
    """
    protocol = current_protocol(participant.study)
    anchors = [
        a
        for a in (protocol.anchors if protocol is not None else ())
        if a.set_by is not None and a.set_by.event == "crf" and a.set_by.instrument == instrument_code
    ]
    if not anchors:
        return 0
    participant = _locked(participant)
    changed = 0
    for anchor in anchors:
        day = _item_date(participant, instrument_code, anchor.set_by.item)
        reason = EVENT_REASONS["crf"] % ((str(anchor.set_by),) * 2)
        changed += _set(participant, protocol, anchor.code, day, user=user, path=path, reason=reason)
    return changed


@transaction.atomic
def anchors_from_events_study(*, study, user=None) -> int:
    """After an amendment: anchors the new version sets by an event take the date of the event if it has already
    happened (a participant randomised before the amendment gave week 0 `set_by: randomisation`), since the
    anchor-date form no longer accepts them. Returns how many visits moved or were added."""
    protocol = current_protocol(study)
    anchors = [a for a in (protocol.anchors if protocol is not None else ()) if a.set_by is not None]
    if not anchors:
        return 0
    changed = 0
    for participant in Participant.objects.select_for_update().filter(study=study, status=Status.ENROLLED):
        for anchor in anchors:
            day = _event_date(participant, anchor.set_by)
            if day is not None:  # not happened yet: the event sets it when it does
                reason = EVENT_REASONS[anchor.set_by.event]
                if anchor.set_by.event == "crf":
                    reason %= (str(anchor.set_by),) * 2
                changed += _set(participant, protocol, anchor.code, day, user=user, path=SYSTEM, reason=reason)
    return changed


def _event_date(participant: Participant, set_by) -> date | None:
    """The date of an event that already happened to ``participant``, or None."""
    if set_by.event == "randomisation":
        randomised = participant.allocation_source == Participant.AllocationSource.RANDOMISATION
        return timezone.localdate(participant.allocated_at) if randomised and participant.allocated_at else None
    if set_by.event == "consent":
        return min(participant.consents.values_list("consented_on", flat=True), default=None)
    if set_by.event == "enrolment":
        return participant.enrolled_on
    return _item_date(participant, set_by.instrument, set_by.item)


def _item_date(participant: Participant, instrument_code: str, item: str) -> date | None:
    forms = Response.objects.filter(participant=participant, instrument_code=instrument_code).order_by("-updated_at")
    for values in forms.values_list("values", flat=True):
        value = (values or {}).get(item)
        if isinstance(value, str) and value:
            try:
                return date.fromisoformat(value)
            except ValueError:  # a partial date is not a day a schedule can hang from
                continue
    return None


def _set(participant: Participant, protocol, code: str, day: date | None, *, user, path: str, reason: str) -> int:
    row = AnchorDate.objects.filter(participant=participant, anchor_code=code).first()
    if (row.date if row else None) == day:
        return 0
    if day is None:
        _clear(row, user=user, reason=reason)
    else:
        _anchor_save(participant, code, day, user=user, path=path, reason=reason)
    if participant.status != Status.ENROLLED:
        return 0  # screening: the projection at enrolment reads the row
    # A cleared date drops the pending visits that hung from it: only a full re-projection removes visits.
    only = None if day is None else _anchors_following(protocol, code)
    return _reproject(participant, protocol, user=user, reason=reason, only_anchors=only)


def _clear(row: AnchorDate, *, user, reason: str) -> None:
    audit_record(
        user=user, action=Action.DELETE, instance=row, changes=diff(snapshot(row), {}), reason=reason, path=SYSTEM
    )
    row.delete()
