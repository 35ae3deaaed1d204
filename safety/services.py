"""Writes for adverse events and SAE reporting. Each write records its audit row in the same transaction.

``adverse_event_sync`` is called by instruments.services.response_submit after every saved response
(form, CSV import or API): the AE projection follows the ``ae_record`` CRF, never the other way round.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.capabilities import Action, roles_with
from accounts.models import Membership
from audit.models import AuditEvent
from audit.services import audit_record, audited_update, diff, snapshot

from . import deadlines
from .models import AdverseEvent, SaeReport, SafetyNotification

logger = logging.getLogger(__name__)

AE_INSTRUMENT = "ae_record"
# Tolerance for a clock a little ahead of the server's when a report time is typed.
FUTURE_SLACK = dt.timedelta(minutes=5)


# The projection ----------------------------------------------------------------------------------------------


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _fields(values: dict, existing: AdverseEvent | None) -> dict | None:
    """The AE fields of one ``ae_record`` entry; None when the entry says no event occurred."""
    if values.get("ae_record_occurred") != 1:
        return None
    serious = values.get("ae_record_serious") == 1
    aware_at = None
    if serious:
        aware_at = deadlines.aware_at_from(
            values.get("ae_record_aware_date"), values.get("ae_record_aware_time"), timezone.get_default_timezone()
        )
        # No date yet: the clock starts when the SAE was first recorded (and keeps that start).
        aware_at = aware_at or (existing.aware_at if existing and existing.aware_at else timezone.now())
    return {
        "event_code": values.get("ae_record_event"),
        "term": (values.get("ae_record_term") or "")[:200],
        "onset": _date(values.get("ae_record_onset_date")),
        "resolution": _date(values.get("ae_record_resolution_date")),
        "grade": values.get("ae_record_grade"),
        "serious": serious,
        "sae_criteria": list(values.get("ae_record_sae_criteria") or []) if serious else [],
        "relationship": values.get("ae_record_relationship"),
        "outcome": values.get("ae_record_outcome"),
        "aware_at": aware_at,
    }


def adverse_event_sync(*, response, path: str = AuditEvent.Path.SYSTEM) -> AdverseEvent | None:
    """Bring the AE projection of one saved ``ae_record`` response in step; None for other instruments
    and for an entry that records no event (a projection it had is removed)."""
    if response.instrument_code != AE_INSTRUMENT:
        return None
    user = response.entered_by
    with transaction.atomic():
        existing = AdverseEvent.objects.select_for_update().filter(response=response).first()
        fields = _fields(response.values or {}, existing)
        if fields is None:
            if existing is not None:
                _remove(existing, user=user, path=path)
            return None
        before = snapshot(existing) if existing else {}
        event = existing or AdverseEvent(participant=response.participant, response=response)
        event.visit_code, event.instance = response.visit_code, response.instance
        for name, value in fields.items():
            setattr(event, name, value)
        event.save()
        changes = diff(before, snapshot(event))
        if changes:
            audit_record(
                user=user,
                action=AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE,
                instance=event,
                changes=changes,
                path=path,
            )
        if event.serious:
            _reports_sync(event, user=user, path=path)
        return event


def _remove(event: AdverseEvent, *, user, path: str) -> None:
    for report in event.reports.all():
        audit_record(
            user=user,
            action=AuditEvent.Action.DELETE,
            instance=report,
            participant=event.participant,
            changes=diff(snapshot(report), {}),
            path=path,
        )
    audit_record(
        user=user, action=AuditEvent.Action.DELETE, instance=event, changes=diff(snapshot(event), {}), path=path
    )
    event.delete()


def _reports_sync(event: AdverseEvent, *, user, path: str) -> None:
    """One report per recipient, due from the awareness time; the first time, tell the study at once."""
    stored = {report.recipient: report for report in event.reports.select_for_update()}
    due = deadlines.due_times(event.aware_at, event.participant.study.code)
    for recipient, due_at in due.items():
        report = stored.get(recipient)
        if report is None:
            report = SaeReport.objects.create(adverse_event=event, recipient=recipient, due_at=due_at)
            audit_record(
                user=user,
                action=AuditEvent.Action.CREATE,
                instance=report,
                participant=event.participant,
                changes=diff({}, snapshot(report)),
                path=path,
            )
        elif report.due_at != due_at:
            with audited_update(report, user=user, path=path, reason="awareness time changed / 获知时间已更改"):
                report.due_at = due_at
                report.save(update_fields=["due_at"])
    if not stored:
        _notify(event, kind=SafetyNotification.Kind.SAE_RECORDED, key=f"sae_recorded:{event.pk}")


# Recording a report ------------------------------------------------------------------------------------------


def sae_report_record(
    *,
    report: SaeReport,
    user,
    reported_at: dt.datetime,
    reported_to: str,
    method: str,
    notes: str = "",
    now: dt.datetime | None = None,
) -> SaeReport:
    """Record when, to whom and how one SAE report was made. Raises ValidationError (by field) on bad input."""
    now = now or timezone.now()
    errors = {}
    if reported_at > now + FUTURE_SLACK:
        errors["reported_at"] = _("The report time cannot be in the future.")
    elif report.adverse_event.aware_at and reported_at < report.adverse_event.aware_at:
        errors["reported_at"] = _("The report time cannot be before the investigator learned of the SAE.")
    if not (reported_to or "").strip():
        errors["reported_to"] = _("Say to whom the report was made.")
    if method not in SaeReport.Method.values:
        errors["method"] = _("Choose how the report was made.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audited_update(report, user=user):
        report.reported_at, report.reported_to = reported_at, reported_to.strip()
        report.method, report.notes = method, (notes or "").strip()
        report.recorded_by, report.recorded_at = user, now
        report.save()
    return report


# Notifications -----------------------------------------------------------------------------------------------


def _recipients(participant) -> list[str]:
    """E-mail addresses of the study's members told of SAEs (NOTIFIED_OF_SAE: PIs and data managers) whose sites
    include the participant's."""
    memberships = (
        Membership.objects.filter(study=participant.study, role__in=roles_with(Action.NOTIFIED_OF_SAE), is_active=True)
        .filter(Q(all_sites=True) | Q(sites=participant.site))
        .select_related("user")
        .distinct()
    )
    return sorted({m.user.email for m in memberships if m.user.email and m.user.is_active})


def _notify(event: AdverseEvent, *, kind: str, key: str, report: SaeReport | None = None) -> bool:
    """Store one notification (once per ``key``) and send its e-mail after commit; False if already sent."""
    recipients = _recipients(event.participant)
    try:
        with transaction.atomic():
            notification = SafetyNotification.objects.create(
                key=key, kind=kind, adverse_event=event, report=report, recipients=recipients
            )
    except IntegrityError:
        return False
    audit_record(
        user=None,
        action=AuditEvent.Action.CREATE,
        instance=notification,
        participant=event.participant,
        changes=diff({}, snapshot(notification)),
        path=AuditEvent.Path.SYSTEM,
    )
    if recipients:
        transaction.on_commit(lambda: _send(notification.pk))
    return True


def sae_deadlines_notify(*, now: dt.datetime | None = None) -> int:
    """Tell PIs and data managers of every open SAE report due within two hours or overdue, once per state
    (and again only if the awareness time, hence the due time, changes). Returns how many notices were new."""
    now = now or timezone.now()
    open_reports = (
        SaeReport.objects.filter(
            reported_at__isnull=True, adverse_event__serious=True, due_at__lte=now + deadlines.DUE_SOON
        )
        .select_related(
            "adverse_event",
            "adverse_event__participant",
            "adverse_event__participant__study",
            "adverse_event__participant__site",
        )
        .order_by("due_at")
    )
    sent = 0
    with transaction.atomic():
        for report in open_reports:
            state = deadlines.clock_state(report.due_at, None, now)
            kind = SafetyNotification.Kind.OVERDUE if state == deadlines.OVERDUE else SafetyNotification.Kind.DUE_SOON
            key = f"{kind}:{report.pk}:{report.due_at.isoformat()}"
            sent += _notify(report.adverse_event, kind=kind, key=key, report=report)
    return sent


def _mail_text(notification: SafetyNotification) -> tuple[str, str]:
    event = notification.adverse_event
    participant = event.participant
    values = {
        "study": participant.study,
        "participant": participant,
        "site": participant.site.code,
        "term": event.term or "-",
        "grade": event.grade or "-",
        "aware": timezone.localtime(event.aware_at).strftime("%Y-%m-%d %H:%M %Z") if event.aware_at else "-",
    }
    lines = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            heading = {
                SafetyNotification.Kind.SAE_RECORDED: _("A serious adverse event was recorded."),
                SafetyNotification.Kind.DUE_SOON: _("An SAE report is due within 2 hours."),
                SafetyNotification.Kind.OVERDUE: _("An SAE report is overdue."),
            }[notification.kind]
            lines.append(heading)
            lines.append(
                _(
                    "Study: %(study)s\nParticipant: %(participant)s (site %(site)s)\nEvent: %(term)s, "
                    "grade %(grade)s\nInvestigator aware: %(aware)s"
                )
                % values
            )
            for report in event.reports.order_by("due_at", "recipient"):
                state = _("reported") if report.reported_at else _("open")
                lines.append(
                    _("%(recipient)s: due %(due)s (%(state)s)")
                    % {
                        "recipient": report.get_recipient_display(),
                        "state": state,
                        "due": timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M %Z"),
                    }
                )
            lines.append("")
    with translation.override("en"):
        subject = {
            SafetyNotification.Kind.SAE_RECORDED: _("[%(study)s] SAE recorded for %(participant)s"),
            SafetyNotification.Kind.DUE_SOON: _("[%(study)s] SAE report due soon for %(participant)s"),
            SafetyNotification.Kind.OVERDUE: _("[%(study)s] SAE report overdue for %(participant)s"),
        }[notification.kind] % values
    return subject, "\n".join(lines)


def _send(notification_id: int) -> None:
    notification = SafetyNotification.objects.select_related(
        "adverse_event",
        "adverse_event__participant",
        "adverse_event__participant__study",
        "adverse_event__participant__site",
    ).get(pk=notification_id)
    subject, body = _mail_text(notification)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, notification.recipients)
    except OSError:  # the notification is stored; a mail server outage must not undo the save
        logger.exception("could not send the safety notification %s", notification_id)


# The DSMB listing --------------------------------------------------------------------------------------------

DSMB_HEADER = [
    "participant",
    "site",
    "allocation",
    "visit",
    "entry",
    "term",
    "onset",
    "resolution",
    "grade",
    "serious",
    "sae_criteria",
    "relationship",
    "outcome",
    "investigator_aware",
]


def dsmb_listing_export(
    *, study, user, rows: list[dict], start: dt.date, end: dt.date, arms_visible: bool
) -> list[list]:
    """The six-monthly DSMB safety listing as CSV rows; the download is audited.

    ``allocation`` holds what randomisation.selectors.arm_labels gives the user: the arm for a role that
    may see arms, the randomisation number for everyone else in a blinded study.
    """
    header = list(DSMB_HEADER)
    header[2] = "arm" if arms_visible else "randomisation_number"
    lines = [header]
    for row in rows:
        event = row["event"]
        aware = timezone.localtime(event.aware_at).strftime("%Y-%m-%d %H:%M") if event.aware_at else ""
        lines.append(
            [
                event.participant.label,
                event.participant.site.code,
                row["allocation"],
                event.visit_code,
                event.instance,
                event.term,
                event.onset or "",
                event.resolution or "",
                event.grade or "",
                "yes" if event.serious else "no",
                " ".join(str(code) for code in event.sae_criteria),
                event.relationship or "",
                event.outcome or "",
                aware,
            ]
        )
    audit_record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        object_type=AdverseEvent._meta.label_lower,
        study=study,
        changes={"period": [None, f"{start.isoformat()}/{end.isoformat()}"], "rows": [None, len(rows)]},
    )
    return lines
