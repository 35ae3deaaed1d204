"""Which recorded values would unblind a reader, and who must not see them.

Audit rows keep every value; pages and exports of blinded studies replace the values of sensitive fields
by ``MASK`` for every role that may not see the arm (participants.access.may_see_arm: in a single- or
double-blind study, everyone but the Unblinded statistician).
"""

from django.utils.translation import gettext_lazy as _

SENSITIVE_FIELDS = frozenset({"arm", "arm_code", "allocation", "allocation_arm", "treatment_arm"})
MASK = _("••• blinded")


def masked_study_ids(user, studies) -> set[int]:
    """Ids of those ``studies`` whose sensitive values ``user`` must see masked."""
    from participants.access import may_see_arm

    return {study.pk for study in studies if not may_see_arm(user, study)}
