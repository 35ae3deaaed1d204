"""Consent and enrolment: the study ID, the enrolment anchor date and the first projection of the visits.

Two coordinators may enrol at the same site at once; the site row is locked while the next ID is chosen and
an ID taken between read and write is retried, so every participant gets one ID and no ID is given twice.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audited_update
from studies.protocol import participant_id

from ..models import Consent, ConsentRefusal, Participant, SiteCounter
from .anchor_events import anchors_set_by_event
from .common import (
    ENROLMENT,
    WHY_ENROLMENT,
    Path,
    Status,
    _audit_created,
    _locked,
    _not_in_future,
    _protocol,
    _require_status,
)
from .locks import refuse_if_locked
from .numbering import number_take
from .schedule import _anchor_save, _enrolment_set_anchors, _reproject


@transaction.atomic
def participant_consent(
    *, participant: Participant, user, form_version: str, consented_on: date, notes: str = "", path: str = Path.PAGE
) -> Consent:
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.SCREENING, Status.ENROLLED)
    if not form_version.strip():
        raise ValidationError(_("The consent form version is required."))
    _not_in_future(consented_on, _("consent date"))
    consent = Consent.objects.create(
        participant=participant,
        form_version=form_version.strip(),
        consented_on=consented_on,
        taken_by=user,
        notes=notes.strip(),
    )
    _audit_created(consent, user=user, path=path)
    # A consent anchor is the first consent: a re-consent to a new form version does not move the schedule.
    first = min(participant.consents.values_list("consented_on", flat=True))
    anchors_set_by_event(participant=participant, event="consent", day=first, user=user)
    return consent


@transaction.atomic
def participant_consent_refuse(
    *, participant: Participant, user, form_version: str, refused_on: date, notes: str = "", path: str = Path.PAGE
) -> ConsentRefusal:
    """Record that the person was asked to consent and refused (CONSORT counts only these as "declined").

    The person stays in screening: they may change their mind, and a later consent is recorded as usual.
    """
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.SCREENING)
    if not form_version.strip():
        raise ValidationError(_("The consent form version is required."))
    _not_in_future(refused_on, _("refusal date"))
    refusal = ConsentRefusal.objects.create(
        participant=participant, form_version=form_version.strip(), refused_on=refused_on, recorded_by=user, notes=notes
    )
    _audit_created(refusal, user=user, path=path)
    return refusal


def participant_enrol(*, participant: Participant, user, enrolled_on: date, path: str = Path.PAGE) -> Participant:
    """Enrol an eligible, consented participant: study ID, enrolment anchor, visit schedule."""
    for attempt in range(5):
        try:
            return _enrol(participant=participant, user=user, enrolled_on=enrolled_on, path=path)
        except IntegrityError:  # another enrolment took the same ID between our read and our write
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _enrol(*, participant: Participant, user, enrolled_on: date, path: str) -> Participant:
    protocol = _protocol(participant.study)
    participant = _locked(participant)
    _require_status(participant, Status.SCREENING)
    screening = participant.screenings.first()
    if screening is None or screening.eligible is not True:
        raise ValidationError(_("Only a participant screened as eligible can be enrolled."))
    consent = participant.consents.first()
    if consent is None:
        raise ValidationError(_("Record the participant's consent before enrolment."))
    _not_in_future(enrolled_on, _("enrolment date"))
    if enrolled_on < consent.consented_on:
        raise ValidationError(_("The enrolment date cannot be before the consent date."))
    with audited_update(participant, user=user, path=path):
        participant.identifier = _next_identifier(protocol, participant)
        participant.status = Status.ENROLLED
        participant.enrolled_on = enrolled_on
        participant.save(update_fields=["identifier", "status", "enrolled_on"])
    _anchor_save(participant, ENROLMENT, enrolled_on, user=user, path=path)
    _enrolment_set_anchors(participant, protocol, enrolled_on, user=user, path=path)  # projected just below
    _reproject(participant, protocol, user=user, reason=WHY_ENROLMENT)
    return participant


def _next_identifier(protocol, participant: Participant) -> str:
    site = participant.site
    return number_take(
        site=site, kind=SiteCounter.Kind.IDENTIFIER, number=lambda seq: participant_id(protocol, site.code, seq)
    )
