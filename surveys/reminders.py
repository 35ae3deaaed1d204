"""Reminders, each sent exactly once: the day before a visit's window opens, and every day a survey is due and
unanswered. A reminder is a ``ReminderMessage`` row, inserted (claimed) before it is sent: the unique key
(participant, visit, kind, day, channel) means a second beat tick or a second worker finds it taken. A row claimed
by a worker that died before sending is taken over by a later run once ``SURVEY_REMINDER_LEASE_SECONDS`` have
passed. Withdrawn participants and opted-out channels get nothing; nothing is sent in quiet hours.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from participants.models import Participant, PersonalIdentifiers, Visit

from . import delivery, windows
from .forms import DJANGO_LANGUAGE
from .models import ReminderContact, ReminderMessage, SurveyLink
from .selectors import link_window

logger = logging.getLogger(__name__)
Kind, Channel, Status = ReminderMessage.Kind, ReminderMessage.Channel, ReminderMessage.Status


@dataclass(frozen=True)
class Due:
    participant: Participant
    visit: Visit
    kind: str
    language: str


def reminder_contact_set(*, participant, user, email: str, email_opt_out: bool, sms_opt_out: bool) -> None:
    """Where the participant's reminders go (audited when it changes)."""
    with transaction.atomic():
        contact, _created = ReminderContact.objects.select_for_update().get_or_create(participant=participant)
        before = {"email": contact.email, "email_opt_out": contact.email_opt_out, "sms_opt_out": contact.sms_opt_out}
        after = {"email": email or contact.email, "email_opt_out": email_opt_out, "sms_opt_out": sms_opt_out}
        if before == after:
            return
        contact.email, contact.email_opt_out, contact.sms_opt_out = after.values()
        contact.save()
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        audit_record(
            user=user,
            action=AuditEvent.Action.UPDATE,
            instance=contact,
            participant=participant,
            changes=changes,
            sensitive=["email"],
        )


def quiet_now() -> bool:
    start, end = (int(hour) for hour in settings.SURVEY_REMINDER_HOURS)
    return not start <= timezone.localtime().hour < end


def _reporting():
    return Participant.objects.filter(status=Participant.Status.ENROLLED, withdrawn_on=None)


def due_reminders(today: date) -> list[Due]:
    """Every reminder due today, in a stable order."""
    due = []
    tomorrow = today + timedelta(days=1)
    visits = Visit.objects.filter(
        participant__in=_reporting(), window_start=tomorrow, completed_on=None, missed=False, cancelled=False
    ).select_related("participant__study")
    for visit in visits:
        due.append(Due(visit.participant, visit, Kind.VISIT_TOMORROW, _language(visit.participant)))
    links = SurveyLink.objects.filter(
        participant__in=_reporting(), revoked_at=None, submitted_at=None, expires_at__gt=timezone.now()
    ).select_related("participant__study", "visit")
    for link in links:
        if link_window(link).state(today) == windows.OPEN and not link.visit.is_done:
            due.append(Due(link.participant, link.visit, Kind.SURVEY_DUE, link.language))
    return sorted(set(due), key=lambda one: (one.participant.pk, one.visit.pk, one.kind))


def _language(participant) -> str:
    link = SurveyLink.objects.filter(participant=participant).order_by("-created_at").first()
    return link.language if link else "en"


def _recipients(participant) -> list[tuple[str, str]]:
    contact = ReminderContact.objects.filter(participant=participant).first()
    out = []
    if contact and contact.email and not contact.email_opt_out:
        out.append((Channel.EMAIL, contact.email))
    phone = PersonalIdentifiers.objects.filter(participant=participant).values_list("phone", flat=True).first()
    if phone and not (contact and contact.sms_opt_out):
        out.append((Channel.SMS, phone))
    return out


def _text(due: Due) -> tuple[str, str]:
    with translation.override(DJANGO_LANGUAGE.get(due.language, "en")):
        if due.kind == Kind.VISIT_TOMORROW:
            subject = _("Your study visit opens tomorrow")
            text = _("Your study visit opens tomorrow (%(day)s). Please remember your questionnaires.")
            return subject, text % {"day": due.visit.window_start.isoformat()}
        subject = _("Your study questionnaires are due")
        return subject, _("Your study questionnaires are due. Please open the survey link you were given.")


def _claim(due: Due, today: date, channel: str, to: str) -> ReminderMessage | None:
    """The row this run may send, or None when another run sent it or holds it."""
    now = timezone.now()
    key = {"participant": due.participant, "visit": due.visit, "kind": due.kind, "day": today, "channel": channel}
    try:
        with transaction.atomic():
            return ReminderMessage.objects.create(
                **key, recipient=to, reason=_reason(due), claimed_at=now, status=Status.CLAIMED
            )
    except IntegrityError:
        pass
    stale = now - timedelta(seconds=settings.SURVEY_REMINDER_LEASE_SECONDS)
    taken = ReminderMessage.objects.filter(**key, status=Status.CLAIMED, claimed_at__lt=stale)
    message = taken.first()
    if message is None or not taken.filter(pk=message.pk).update(claimed_at=now, attempts=message.attempts + 1):
        return None
    return ReminderMessage.objects.get(pk=message.pk)


def _reason(due: Due) -> str:
    return f"{due.kind}: {due.visit.visit_code} window {due.visit.window_start}–{due.visit.window_end}"[:200]


def reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Send every reminder due today that no run has sent; returns counts (sent, skipped, failed)."""
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    if quiet_now():
        return counts
    today = today or timezone.localdate()
    for due in due_reminders(today):
        for channel, to in _recipients(due.participant):
            message = _claim(due, today, channel, to)
            if message is None:
                counts["skipped"] += 1
                continue
            counts[_send(message, due)] += 1
    return counts


def _send(message: ReminderMessage, due: Due) -> str:
    subject, text = _text(due)
    try:
        delivery.deliver(channel=message.channel, to=message.recipient, subject=subject, text=text)
    except Exception as error:  # noqa: BLE001  (the row says why; the next message still goes)
        logger.exception("reminder %s failed", message.pk)
        ReminderMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, error=str(error)[:300])
        return "failed"
    ReminderMessage.objects.filter(pk=message.pk).update(status=Status.SENT, sent_at=timezone.now())
    return "sent"
