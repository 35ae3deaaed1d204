"""Access to participants: one check per object type; anything outside the user's scope is a 404.

Who may act on participants (MANAGE_PARTICIPANTS), see directly identifying data (SEE_IDENTIFIERS) or see
arms (the blinding rule) is decided by accounts.capabilities.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can, can_see_arms
from instruments.definitions import Instrument
from instruments.models import Response
from instruments.registry import StoredDefinitionError, instrument_for
from studies.selectors import protocol_activity

from .models import Participant, PersonalIdentifiers, Visit
from .selectors import ScheduleRefusal, participants_for_user, responses_for_user, scheduled_activity


def participant_for_user(user, participant_id: int) -> Participant:
    return get_object_or_404(participants_for_user(user), pk=participant_id)


def visit_for_user(user, participant: Participant, visit_id) -> Visit:
    """A visit of a participant the user may already see (``participant`` comes from participant_for_user)."""
    try:
        return Visit.objects.get(participant=participant, pk=int(visit_id))
    except (TypeError, ValueError, Visit.DoesNotExist):
        raise Http404 from None


def may_manage(user, study) -> bool:
    return can(user, study, Action.MANAGE_PARTICIPANTS)


def require_manage(user, study) -> None:
    """Write actions on participants: site staff only (a 403, since the user may see the participant)."""
    if not may_manage(user, study):
        raise PermissionDenied


def may_see_personal_identifiers(user, study) -> bool:
    return can(user, study, Action.SEE_IDENTIFIERS)


def personal_identifiers_for_user(user, participant: Participant) -> PersonalIdentifiers:
    """The participant's identifying data for a role that may see it; a 404 for everyone else."""
    if not may_see_personal_identifiers(user, participant.study):
        raise Http404
    return get_object_or_404(PersonalIdentifiers, participant=participant)


# The one blinding rule (accounts.capabilities.sees_arms), under the name the participant pages use.
may_see_arm = can_see_arms


# Responses and CRF pages: a response or form of a participant the user may see.


def can_enter_data(user, study) -> bool:
    return can(user, study, Action.ENTER_DATA)


def response_for_user(user, response_id: int) -> Response:
    return get_object_or_404(responses_for_user(user), pk=response_id)


@dataclass(frozen=True)
class Crf:
    """One instrument activity of a participant's visit, as the user may reach it."""

    participant: object
    visit: object
    activity: object
    instrument: Instrument
    can_write: bool
    # Set when the participant's schedule does not hold this form (selectors.scheduled_activity): nothing may be
    # saved, and only answers stored before the rule existed may still be read.
    refusal: ScheduleRefusal | None = None

    @property
    def may_save(self) -> bool:
        return self.can_write and self.refusal is None


def crf_for_user(user, participant_id: int, visit_code: str, activity_key: str) -> Crf:
    """The participant (in the user's scope) and an instrument activity of that visit in the current protocol,
    with ``refusal`` set when the participant's schedule does not hold it (a 404 when the protocol has no such
    form at all)."""
    participant = participant_for_user(user, participant_id)
    found = protocol_activity(participant.study, visit_code=visit_code, activity_key=activity_key)
    if found is None:
        raise Http404("no such activity at this visit")
    visit, activity = found
    refusal = scheduled_activity(participant, visit_code, activity_key)
    try:
        instrument = instrument_for(participant, activity.code, activity.version)
    except StoredDefinitionError:
        raise  # the study's definition no longer reads: the CRF page says so (workflows.views)
    except KeyError:
        raise Http404("instrument not installed") from None
    return Crf(participant, visit, activity, instrument, can_enter_data(user, participant.study), refusal)
