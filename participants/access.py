"""The one access check for a participant: one the user may not see is a 404, like a missing one."""

from django.shortcuts import get_object_or_404

from .models import Participant
from .selectors import participants_for_user


def participant_for_user(user, participant_id: int) -> Participant:
    return get_object_or_404(participants_for_user(user), pk=participant_id)
