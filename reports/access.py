"""Who may open the report pages: a study outside the user's memberships is a 404 (studies.access); a member whose
role lacks the page's action gets a 403 (accounts.capabilities)."""

from accounts.capabilities import Action, require
from participants.access import participant_for_user
from studies.access import study_for_user


def study_for_status_grid(user, study_code: str):
    study = study_for_user(user, study_code)
    require(user, study, Action.VIEW_STATUS_GRID)
    return study


def study_for_dashboard(user, study_code: str):
    """The study dashboard and the outcomes page (VIEW_DASHBOARD)."""
    study = study_for_user(user, study_code)
    require(user, study, Action.VIEW_DASHBOARD)
    return study


def participant_for_profile(user, participant_id: int):
    """A participant's pain-mechanism profile: whoever may open the participant page (participants.access)."""
    return participant_for_user(user, participant_id)
