"""Writes of the surveys app: make and revoke links, save a page, submit a survey, enter a diary day.

Answers go through ``workflows.services.response_submit`` (the one write path: the same cleaning, branching,
plausibility rules, scoring, locks and audit as staff entry), with source ``participant`` and no user.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from instruments.forms import raw_from_values
from instruments.models import Response
from instruments.services import SubmitResult
from participants.models import Participant
from workflows.services import QUERY, response_submit

from . import windows
from .models import DiaryDay, PageTiming, SurveyLink
from .selectors import link_window, questionnaires, survey_pages

# A link keeps answering "this survey has closed" for this many days after its window closes, then expires.
EXPIRES_AFTER_CLOSE_DAYS = 30
# The most seconds one save adds to a page's time (a page left open overnight is not an hour's work).
TIMING_CAP = 3600
READ_ONLY = {"en": "This form has already been submitted.", "zh": "此表单已提交。"}
DAY_NOT_OPEN = {"en": "This day cannot be entered.", "zh": "无法填写这一天。"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def participant_may_report(participant: Participant) -> bool:
    """Withdrawn (or screen-failed) participants get nothing: no link, no page, no reminder."""
    return participant.status in (Participant.Status.ENROLLED, Participant.Status.SCREENING) and (
        participant.withdrawn_on is None
    )


def _end_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def survey_link_create(*, participant: Participant, visit, user, language: str) -> tuple[SurveyLink, str]:
    """A new link for the participant's visit, and its token (shown once: only its SHA-256 is stored).
    An earlier live link of the same visit is revoked. Refused (ValidationError) for a participant who may not
    report, a visit that is done, or a window that has closed."""
    if not participant_may_report(participant):
        raise ValidationError(_("This participant cannot be sent surveys."))
    if visit.is_done:
        raise ValidationError(_("This visit is done: it has no survey to send."))
    probe = SurveyLink(participant=participant, visit=visit)
    window = link_window(probe)
    if window.state(timezone.localdate()) == windows.CLOSED:
        raise ValidationError(_("The window of this visit has closed."))
    if not survey_pages(probe):
        raise ValidationError(_("This visit has no form the participant fills in."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        for old in SurveyLink.objects.select_for_update().filter(visit=visit, revoked_at=None, submitted_at=None):
            _revoke(old, user, reason="replaced by a new link")
        link = SurveyLink.objects.create(
            participant=participant,
            visit=visit,
            token_hash=token_hash(token),
            language=language,
            expires_at=_end_of(window.closes + timedelta(days=EXPIRES_AFTER_CLOSE_DAYS)),
            created_by=user,
        )
        audit_record(
            user=user,
            action=AuditEvent.Action.CREATE,
            instance=link,
            changes={"visit": [None, visit.visit_code], "expires_at": [None, link.expires_at.isoformat()]},
        )
    return link, token


def _revoke(link: SurveyLink, user, *, reason: str = "") -> None:
    link.revoked_at, link.revoked_by = timezone.now(), user
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(user=user, action=AuditEvent.Action.DELETE, instance=link, reason=reason)


def survey_link_revoke(*, link: SurveyLink, user) -> bool:
    """Revoke a live link; False when it was revoked already."""
    with transaction.atomic():
        link = SurveyLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is not None:
            return False
        _revoke(link, user)
    return True


def _timing(link: SurveyLink, activity_key: str, instance: int, seconds: int, items: dict, codes) -> None:
    now = timezone.now()
    timing, _created = PageTiming.objects.select_for_update().get_or_create(
        link=link, activity_key=activity_key, instance=instance, defaults={"first_shown_at": now}
    )
    timing.seconds += max(0, min(seconds, TIMING_CAP))
    timing.saves += 1
    timing.last_saved_at = now
    timing.items = {**timing.items, **{code: pair for code, pair in items.items() if code in codes}}
    timing.save(update_fields=["seconds", "saves", "last_saved_at", "items"])


def page_timing_start(*, link: SurveyLink, activity_key: str, instance: int = 1) -> None:
    """The first time a page is shown (its timing row starts then)."""
    PageTiming.objects.get_or_create(
        link=link, activity_key=activity_key, instance=instance, defaults={"first_shown_at": timezone.now()}
    )


def survey_page_save(*, link: SurveyLink, page, raw: dict, seconds: int = 0, items=None) -> SubmitResult:
    """Save one form's answers as a draft (in progress): what is filled in is checked, nothing is required yet.
    A form already complete is read-only."""
    if page.complete:
        return SubmitResult(response=page.response, errors={"form": dict(READ_ONLY)})
    with transaction.atomic():
        result = _submit(link, page.activity_key, page.instrument, raw, complete=False)
        if result.ok:
            _timing(link, page.activity_key, 1, seconds, items or {}, set(page.instrument.item_codes()))
    return result


def _submit(link: SurveyLink, activity_key: str, instrument, raw: dict, *, complete: bool, instance: int = 1):
    return response_submit(
        participant=link.participant,
        visit_code=link.visit.visit_code,
        activity_key=activity_key,
        instrument_code=instrument.code,
        raw=raw,
        complete=complete,
        user=None,
        source=Response.Source.PARTICIPANT,
        instance=instance,
        definition_version=instrument.version,
        path=AuditEvent.Path.PAGE,
        warnings=QUERY,  # a participant is not asked to justify an answer: a warning opens a query for the site
    )


def survey_submit(*, link: SurveyLink) -> dict[str, dict]:
    """Complete every questionnaire of the survey, or none: {activity key: errors} of those that cannot be
    (nothing is then stored). After it the questionnaires are read-only to the participant."""
    problems: dict[str, dict] = {}
    with transaction.atomic():
        link = SurveyLink.objects.select_for_update().get(pk=link.pk)
        if link.submitted_at is not None:
            return {}
        for page in questionnaires(survey_pages(link)):
            if page.complete:
                continue
            values = page.response.values if page.response else {}
            result = _submit(link, page.activity_key, page.instrument, raw_from_values(values), complete=True)
            if not result.ok:
                problems[page.activity_key] = result.errors
        if problems:
            transaction.set_rollback(True)
            return problems
        link.submitted_at = timezone.now()
        link.save(update_fields=["submitted_at"])
        audit_record(user=None, action=AuditEvent.Action.COMPLETE, instance=link)
    return {}


def _day_item(instrument) -> str | None:
    """A diary's first item, when it is a date, is the day the entry belongs to: fixed, never typed."""
    first = instrument.items[0] if instrument.items else None
    return first.code if first is not None and first.type == "date" else None


def diary_day_save(*, link: SurveyLink, page, day, raw: dict, seconds: int = 0, items=None) -> SubmitResult:
    """Enter one day of a diary (complete at once). The day is fixed by the page (its date item is set to it);
    an entry made after the morning that follows the day is marked late."""
    found = next((one for one in page.diary if one.day == day), None)
    if found is None or not found.may_enter:
        return SubmitResult(errors={"form": dict(DAY_NOT_OPEN)})
    day_item = _day_item(page.instrument)
    if day_item:
        raw = {**raw, day_item: day.isoformat()}
    today = timezone.localdate()
    with transaction.atomic():
        result = _submit(link, page.activity_key, page.instrument, raw, complete=True, instance=found.instance)
        if not result.ok:
            return result
        DiaryDay.objects.create(
            participant=link.participant,
            visit_code=link.visit.visit_code,
            activity_key=page.activity_key,
            instance=found.instance,
            day=day,
            entered_at=timezone.now(),
            late=windows.is_late(day, today),
            link=link,
        )
        codes = set(page.instrument.item_codes())
        _timing(link, page.activity_key, found.instance, seconds, items or {}, codes)
    return result
