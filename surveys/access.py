"""Who reaches a survey: the token is the only key. Expired, spent, revoked and forged tokens, and the links of
participants who may no longer report, all get the same plain page; so does an address past its rate. Every
request is logged (``SurveyAccess``), with the reason for staff.

Coordinators reach a participant's links through the participants' access functions and ``SEND_SURVEY_LINKS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accounts.capabilities import Action, can
from accounts.lockout import client_address, count_in_window
from participants.access import participant_for_user, visit_for_user

from .models import SurveyAccess, SurveyLink
from .selectors import link_is_spent, survey_pages
from .services import participant_may_report, token_hash

# Tokens are 43 characters (secrets.token_urlsafe(32)); anything far off is refused before a query.
TOKEN_LENGTHS = range(40, 50)


@dataclass(frozen=True)
class Opened:
    link: SurveyLink | None
    reason: str = ""  # why it was refused ("" when it opened)
    limited: bool = False


def limited(address: str) -> bool:
    """Past the per-address limits: every survey and portal page answers the plain page (429)."""
    minute = count_in_window(f"survey:req:{address}", 60)
    refusals = cache.get(f"survey:refused:{address}", 0)
    return minute > settings.SURVEY_REQUESTS_PER_MINUTE or refusals >= settings.SURVEY_REFUSALS_PER_HOUR


def _refusal(link: SurveyLink | None) -> str:
    if link is None:
        return "unknown"
    if link.revoked_at is not None:
        return "revoked"
    if timezone.now() >= link.expires_at:
        return "expired"
    if not participant_may_report(link.participant):
        return "withdrawn"
    if link.submitted_at is not None and link_is_spent(link, survey_pages(link)):
        return "used"
    return ""


def link_for_token(request, token: str) -> Opened:
    """The live link of ``token``, or why not; logs the request either way."""
    address = client_address(request) or ""
    link = None
    if limited(address):
        opened = Opened(None, "rate", limited=True)
    else:
        if len(token) in TOKEN_LENGTHS:
            link = (
                SurveyLink.objects.select_related("participant__study", "participant__site", "visit")
                .filter(token_hash=token_hash(token))
                .first()
            )
        reason = _refusal(link)
        opened = Opened(None if reason else link, reason)
        if reason:
            count_in_window(f"survey:refused:{address}", 3600)
    log_access(request, link, address, outcome=_outcome(request, opened), reason=opened.reason)
    return opened


def _outcome(request, opened: Opened) -> str:
    if opened.limited:
        return SurveyAccess.Outcome.LIMITED
    if opened.reason:
        return SurveyAccess.Outcome.REFUSED
    return SurveyAccess.Outcome.SAVED if request.method == "POST" else SurveyAccess.Outcome.OPENED


def private_page(response):
    """Survey and portal pages stay out of caches, search engines and other sites' Referer headers."""
    response["Cache-Control"] = "no-store"
    # The token never leaves in a Referer; "no-referrer" would make the forms' POSTs "Origin: null".
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def log_access(request, link, address: str, *, outcome: str, reason: str = "") -> None:
    """One row of the access log (the token cut short in the path)."""
    SurveyAccess.objects.create(
        link=link,
        outcome=outcome,
        reason=reason,
        address=address or None,
        path=_masked(request.path)[:200],
        method=request.method[:8],
    )


def _masked(path: str) -> str:
    """The path with the token cut short: the log must not hold a working key."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "s":
        parts[2] = parts[2][:6] + "…"
    return "/".join(parts)


# Coordinators


def may_send_links(user, study) -> bool:
    return can(user, study, Action.SEND_SURVEY_LINKS)


def visit_for_links(user, participant_id: int, visit_id: int):
    """(participant, visit) the user may see (a 404 otherwise) and send links for (a 403 otherwise)."""
    participant = participant_for_user(user, participant_id)
    visit = visit_for_user(user, participant, visit_id)
    if not may_send_links(user, participant.study):
        raise PermissionDenied
    return participant, visit


def link_for_user(user, link_id: int) -> SurveyLink:
    link = SurveyLink.objects.filter(pk=link_id).select_related("participant", "visit").first()
    if link is None:
        raise Http404
    participant_for_user(user, link.participant_id)  # a 404 outside the user's scope
    if not may_send_links(user, link.participant.study):
        raise PermissionDenied
    return link
