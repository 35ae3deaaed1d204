"""The participant portal: sign in with a one-time code sent by e-mail, see what is due, what is done and the next
visits, and open a due survey. No account: the session holds only the participant's id, for
``SURVEY_PORTAL_SESSION_SECONDS``. A code is 6 digits, stored as a salted SHA-256, valid
``SURVEY_PORTAL_CODE_SECONDS``, for ``SURVEY_PORTAL_CODE_ATTEMPTS`` tries. The answer to an e-mail address is the
same whether or not it is known.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from core.i18n import text_for
from participants.models import Participant, Visit
from studies.selectors import current_protocol

from . import delivery, windows
from .forms import DJANGO_LANGUAGE
from .models import PortalCode, ReminderContact, SurveyLink
from .selectors import link_window, survey_pages
from .services import participant_may_report, survey_link_create

SESSION_KEY = "survey_portal_participant"
SESSION_SINCE = "survey_portal_since"


def _digest(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _participant_for_email(email: str) -> Participant | None:
    contact = (
        ReminderContact.objects.filter(email__iexact=email.strip())
        .select_related("participant__study")
        .order_by("-updated_at")
        .first()
    )
    if contact is None or not participant_may_report(contact.participant):
        return None
    return contact.participant


def portal_code_send(*, email: str) -> None:
    """Send a sign-in code to ``email`` when it is a reporting participant's; nothing otherwise (same answer)."""
    participant = _participant_for_email(email)
    if participant is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    PortalCode.objects.create(
        participant=participant,
        email_digest=email_digest(email),
        salt=salt,
        code_hash=_digest(code, salt),
        expires_at=timezone.now() + timedelta(seconds=settings.SURVEY_PORTAL_CODE_SECONDS),
    )
    language = SurveyLink.objects.filter(participant=participant).values_list("language", flat=True).first() or "en"
    with translation.override(DJANGO_LANGUAGE.get(language, "en")):
        subject = _("Your sign-in code")
        text = _("Your code to open your study questionnaires is %(code)s. It is valid for %(minutes)s minutes.") % {
            "code": code,
            "minutes": settings.SURVEY_PORTAL_CODE_SECONDS // 60,
        }
    delivery.deliver(channel="email", to=email.strip(), subject=subject, text=text)


def portal_code_check(*, email: str, code: str) -> Participant | None:
    """The participant whose live code for ``email`` this is (the code is then used), else None (the try counts)."""
    digest = email_digest(email)
    with transaction.atomic():
        found = (
            PortalCode.objects.select_for_update()
            .filter(email_digest=digest, used_at=None, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if found is None or found.attempts >= settings.SURVEY_PORTAL_CODE_ATTEMPTS:
            return None
        if not secrets.compare_digest(found.code_hash, _digest(code.strip(), found.salt)):
            PortalCode.objects.filter(pk=found.pk).update(attempts=F("attempts") + 1)
            return None
        found.used_at = timezone.now()
        found.save(update_fields=["used_at"])
        participant = found.participant
        if not participant_may_report(participant):
            return None
        audit_record(user=None, action=AuditEvent.Action.LOGIN, instance=participant, reason="participant portal")
    return participant


def portal_participant(request) -> Participant | None:
    """The signed-in participant of this session, while the session is young and the participant may report."""
    pk, since = request.session.get(SESSION_KEY), request.session.get(SESSION_SINCE)
    if pk is None or since is None:
        return None
    if timezone.now().timestamp() - since > settings.SURVEY_PORTAL_SESSION_SECONDS:
        portal_sign_out(request)
        return None
    participant = Participant.objects.filter(pk=pk).select_related("study").first()
    if participant is None or not participant_may_report(participant):
        portal_sign_out(request)
        return None
    return participant


def portal_sign_in(request, participant: Participant) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = participant.pk
    request.session[SESSION_SINCE] = timezone.now().timestamp()
    request.session.set_expiry(settings.SURVEY_PORTAL_SESSION_SECONDS)


def portal_sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_SINCE, None)


@dataclass
class PortalVisit:
    visit: Visit
    label: str
    state: str  # windows.NOT_YET / OPEN / CLOSED
    window: windows.Window
    forms: int = 0
    done: int = 0


def portal_visits(participant: Participant, *, today: date | None = None) -> list[PortalVisit]:
    """The participant's visits with self-report forms: when each opens or closed, and how much is done."""
    today = today or timezone.localdate()
    protocol = current_protocol(participant.study)
    labels = {visit.code: text_for(visit.label) for visit in protocol.visits} if protocol else {}
    out = []
    for visit in participant.visits.filter(cancelled=False, missed=False).order_by("window_start"):
        probe = SurveyLink(participant=participant, visit=visit)
        pages = survey_pages(probe, today=today)
        if not pages:
            continue
        window = link_window(probe)
        done = sum(page.complete for page in pages)
        out.append(
            PortalVisit(
                visit, labels.get(visit.visit_code, visit.visit_code), window.state(today), window, len(pages), done
            )
        )
    return out


def portal_link_open(*, participant: Participant, visit: Visit) -> str:
    """A fresh link for a due visit (it replaces the visit's earlier one), its token for the redirect."""
    _link, token = survey_link_create(participant=participant, visit=visit, user=None, language=_language(participant))
    return token


def _language(participant) -> str:
    return SurveyLink.objects.filter(participant=participant).values_list("language", flat=True).first() or "en"
