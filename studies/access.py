"""The one access check for a study: a study the user is not a member of is a 404."""

from django.shortcuts import get_object_or_404

from .models import Study
from .selectors import studies_for_user


def study_for_user(user, study_code: str) -> Study:
    return get_object_or_404(studies_for_user(user), code=study_code)
