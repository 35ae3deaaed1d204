from django.db.models import QuerySet

from accounts.selectors import membership_for

from .models import Site, Study


def studies_for_user(user) -> QuerySet[Study]:
    """Studies in which ``user`` holds an active membership."""
    if not user.is_authenticated:
        return Study.objects.none()
    return Study.objects.filter(
        is_active=True, memberships__user=user, memberships__is_active=True
    ).distinct()


def sites_for_user(user, study: Study) -> QuerySet[Site]:
    """The sites of ``study`` that ``user`` may see: all of them, or those of the membership."""
    membership = membership_for(user, study)
    if membership is None:
        return Site.objects.none()
    if membership.all_sites:
        return study.sites.all()
    return study.sites.filter(memberships=membership)
