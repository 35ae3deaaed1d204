"""The access checks for responses and CRF pages: anything outside the user's scope is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.capabilities import Action, can
from participants.access import participant_for_user
from participants.selectors import responses_for_user
from studies.selectors import protocol_activity

from .definitions import Instrument
from .models import Response
from .registry import get_instrument


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


def crf_for_user(user, participant_id: int, visit_code: str, activity_key: str) -> Crf:
    """The participant (in the user's scope) and an instrument activity of that visit in the current protocol."""
    participant = participant_for_user(user, participant_id)
    found = protocol_activity(participant.study, visit_code=visit_code, activity_key=activity_key)
    if found is None:
        raise Http404("no such activity at this visit")
    visit, activity = found
    try:
        instrument = get_instrument(activity.code, activity.version)
    except KeyError:
        raise Http404("instrument not installed") from None
    return Crf(participant, visit, activity, instrument, can_enter_data(user, participant.study))
