"""Access to adverse events and SAE reports: one check per object type; outside the user's scope is a 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can

from .models import AdverseEvent
from .selectors import adverse_events_for_user


def adverse_event_for_user(user, adverse_event_id: int) -> AdverseEvent:
    return get_object_or_404(adverse_events_for_user(user), pk=adverse_event_id)


def can_record_reports(user, study) -> bool:
    return can(user, study, Action.RECORD_SAE_REPORT)


def require_record_reports(user, study) -> None:
    """A 403: the user may see the event but not record its reporting."""
    if not can_record_reports(user, study):
        raise PermissionDenied
