"""The review gate of locking and signing: source data verification (monitoring) and data queries (queries).

Locking a form, a visit or a casebook, and signing a casebook, are refused, with the reason, while the protocol's
required SDV (``monitoring.selectors.unverified_required``, after the protocol's `sdv` section) or open data
queries remain in what they cover. A role with OVERRIDE_REVIEW_GATE may go ahead with a reason, stored on the lock
or signature and in its audit event. It lives here because monitoring and queries stand on one floor and neither
may read the other; the lock and the signature themselves stay with their owners (participants, monitoring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.capabilities import Action, can
from instruments.models import Response
from monitoring import services as monitoring_services
from monitoring.models import Signature
from monitoring.selectors import sdv_plan, unverified_required
from participants.models import Lock, Participant
from participants.services import lock_create, participant_hold
from queries.selectors import OPEN_STATUSES, participant_queries


@dataclass
class Review:
    """What a lock or a signature would cover, and what still stands in its way."""

    forms: int = 0  # complete forms covered
    pending_sdv: list[Response] = field(default_factory=list)
    open_queries: int = 0

    @property
    def clear(self) -> bool:
        return not self.pending_sdv and not self.open_queries

    @property
    def blockers(self) -> list[str]:
        out = []
        if self.pending_sdv:
            count = len(self.pending_sdv)
            out.append(
                ngettext(
                    "%(count)s complete form still needs source data verification.",
                    "%(count)s complete forms still need source data verification.",
                    count,
                )
                % {"count": count}
            )
        if self.open_queries:
            out.append(
                ngettext(
                    "%(count)s data query is still open.", "%(count)s data queries are still open.", self.open_queries
                )
                % {"count": self.open_queries}
            )
        return out


def review_of(participant: Participant, *, scope: str = Lock.Scope.PARTICIPANT, visit_code: str = "", response=None):
    """The review state of a form, a visit or the whole casebook (``scope`` as Lock.Scope)."""
    responses = Response.objects.filter(participant=participant)
    queries = participant_queries(participant).filter(status__in=OPEN_STATUSES)
    if scope == Lock.Scope.FORM and response is not None:
        responses = responses.filter(pk=response.pk)
        queries = queries.filter(visit_code=response.visit_code, activity_key=response.activity_key)
    elif scope == Lock.Scope.VISIT:
        responses, queries = responses.filter(visit_code=visit_code), queries.filter(visit_code=visit_code)
    return Review(
        forms=responses.filter(status=Response.Status.COMPLETE).count(),
        pending_sdv=unverified_required(responses, sdv_plan(participant.study)),
        open_queries=queries.count(),
    )


def may_override(user, participant: Participant) -> bool:
    return can(user, participant.study, Action.OVERRIDE_REVIEW_GATE)


def refuse_unless_reviewed(review: Review, *, user, participant: Participant, override_reason: str) -> None:
    """A ValidationError naming what remains, unless the review is clear or a permitted override gives a reason."""
    if review.clear:
        return
    if not may_override(user, participant):
        raise ValidationError(review.blockers)
    if not override_reason.strip():
        raise ValidationError(
            [*review.blockers, _("To go ahead anyway, give the reason (it is kept in the audit trail).")]
        )


@transaction.atomic
def review_lock(
    *,
    participant: Participant,
    scope: str,
    user,
    reason: str = "",
    override_reason: str = "",
    visit_code: str = "",
    response: Response | None = None,
) -> Lock:
    """Lock a form, a visit or the casebook once its review is complete (or with a permitted, reasoned override)."""
    participant_hold(participant)  # no verification reset, query or lock between the check and the lock
    review = review_of(participant, scope=scope, visit_code=visit_code, response=response)
    refuse_unless_reviewed(review, user=user, participant=participant, override_reason=override_reason)
    return lock_create(
        participant=participant,
        scope=scope,
        user=user,
        reason=reason,
        visit_code=visit_code,
        response=response,
        override_reason="" if review.clear else override_reason,
    )


def review_sign(
    *, participant: Participant, user, password: str, meaning: str, request: HttpRequest, override_reason: str = ""
) -> Signature:
    """The PI's signature of a reviewed casebook: the review is checked before the password (nothing to guess
    there) and again under the participant's lock, after it."""
    refuse_unless_reviewed(review_of(participant), user=user, participant=participant, override_reason=override_reason)
    monitoring_services.signature_password_check(meaning=meaning, user=user, password=password, request=request)
    with transaction.atomic():
        participant_hold(participant)
        review = review_of(participant)
        refuse_unless_reviewed(review, user=user, participant=participant, override_reason=override_reason)
        return monitoring_services.signature_create(
            participant=participant, user=user, meaning=meaning, override_reason="" if review.clear else override_reason
        )
