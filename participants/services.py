from django.db import transaction

from .models import Participant


@transaction.atomic
def participant_register(*, study, site, identifier: str, status: str = Participant.Status.SCREENING,
                         enrolled_on=None) -> Participant:
    """Record a participant at ``site``; the study ID must be unique in the study."""
    if site.study_id != study.pk:
        raise ValueError("the site does not belong to the study")
    return Participant.objects.create(
        study=study, site=site, identifier=identifier, status=status, enrolled_on=enrolled_on
    )
