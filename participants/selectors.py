from django.db.models import Q, QuerySet

from accounts.models import Membership

from .models import Participant


def participants_for_user(user) -> QuerySet[Participant]:
    """Every participant ``user`` may see: members' studies, limited to their sites."""
    if not user.is_authenticated:
        return Participant.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    whole_studies = memberships.filter(all_sites=True).values("study_id")
    site_ids = memberships.filter(all_sites=False).values("sites")
    return Participant.objects.filter(Q(study_id__in=whole_studies) | Q(site_id__in=site_ids)).select_related(
        "study", "site"
    )


def participant_list(user, *, study, query: str = "", site_code: str = "", status: str = ""):
    participants = participants_for_user(user).filter(study=study)
    if query:
        participants = participants.filter(identifier__icontains=query.strip())
    if site_code:
        participants = participants.filter(site__code=site_code)
    if status:
        participants = participants.filter(status=status)
    return participants.order_by("identifier")
