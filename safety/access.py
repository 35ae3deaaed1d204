"""Access to adverse events and SAE reports: one check per object type; outside the user's scope is a 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.selectors import membership_for

from .models import AdverseEvent
from .selectors import adverse_events_for_user

# Record that an SAE was reported to a recipient: site staff and data managers (monitors read only).
REPORT_ROLES = frozenset({Role.ADMIN, Role.DATA_MANAGER, Role.PI, Role.COORDINATOR})


def adverse_event_for_user(user, adverse_event_id: int) -> AdverseEvent:
    return get_object_or_404(adverse_events_for_user(user), pk=adverse_event_id)


def can_record_reports(user, study) -> bool:
    membership = membership_for(user, study)
    return membership is not None and membership.role in REPORT_ROLES


def require_record_reports(user, study) -> None:
    """A 403: the user may see the event but not record its reporting."""
    if not can_record_reports(user, study):
        raise PermissionDenied
