"""Which recorded values would unblind a reader, and who must not see them.

Audit rows keep every value; pages and exports of blinded studies replace the values of sensitive fields
by ``MASK`` for every role that may not see the arm (accounts.capabilities.sees_arms: in a single- or
double-blind study, everyone but the Unblinded statistician).
"""

from django.utils.translation import gettext_lazy as _

from accounts.capabilities import can_see_arms

SENSITIVE_FIELDS = frozenset({"arm", "arm_code", "allocation", "allocation_arm", "treatment_arm"})
MASK = _("••• blinded")


def masked_study_ids(user, studies) -> set[int]:
    """Ids of those ``studies`` whose sensitive values ``user`` must see masked."""
    return {study.pk for study in studies if not can_see_arms(user, study)}


def event_masked(user, event) -> bool:
    """Must ``user`` see ``event``'s sensitive values masked? (Always, for an event of no study.)"""
    return event.study is None or not can_see_arms(user, event.study)


def changes_masked(event) -> dict:
    """``event.changes`` with the values of its sensitive fields replaced by ``MASK``."""
    hidden = set(event.sensitive_fields)
    return {name: [str(MASK), str(MASK)] if name in hidden else values for name, values in event.changes.items()}
