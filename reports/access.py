"""Who may open the report pages: a study outside the user's memberships is a 404 (studies.access); a member whose
role lacks the page's action gets a 403 (accounts.capabilities)."""

from accounts.capabilities import Action, require
from studies.access import study_for_user


def study_for_status_grid(user, study_code: str):
    study = study_for_user(user, study_code)
    require(user, study, Action.VIEW_STATUS_GRID)
    return study
