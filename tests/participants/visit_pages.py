"""Posting what happened at a visit through its page (participants/visit_views.py), as the tests of other pages
need it: done with a reason for each required form not complete, or missed with a reason and the confirmation."""

from django.urls import reverse

from participants.selectors import forms_not_complete
from studies.selectors import current_protocol


def done(client, visit, completed_on: str, *, why: str = "not done at this visit"):
    protocol = current_protocol(visit.participant.study)
    missing = {f"why_{a.key}": why for a in forms_not_complete(visit.participant, visit, protocol)}
    url = reverse("participants:visit-done", args=[visit.participant_id, visit.pk])
    return client.post(url, {"completed_on": completed_on, **missing})


def missed(client, visit, why: str = "unwell", note: str = ""):
    url = reverse("participants:visit-missed", args=[visit.participant_id, visit.pk])
    return client.post(url, {"why": why, "note": note, "confirm": "on"})
