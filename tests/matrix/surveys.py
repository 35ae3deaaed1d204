"""Persona-matrix kwargs of the surveys app: a visit occurrence of each world participant (the links page of
that visit) and a survey link of each (only a role that may SEND_SURVEY_LINKS revokes it)."""

from datetime import timedelta

from django.utils import timezone


def _visit(world, participant_name: str):
    from participants.models import Visit

    key = f"survey_visit_{participant_name}"
    if key not in world.__dict__:
        today = timezone.localdate()
        world.__dict__[key] = Visit.objects.create(
            participant=getattr(world, participant_name),
            visit_code="baseline",
            anchor_code="enrolment",
            target_date=today,
            window_start=today,
            window_end=today + timedelta(days=7),
        )
    return world.__dict__[key]


def _link(world, participant_name: str):
    from surveys.models import SurveyLink
    from tests.factories import UserFactory

    key = f"survey_link_{participant_name}"
    if key not in world.__dict__:
        visit = _visit(world, participant_name)
        if "survey_link_maker" not in world.__dict__:
            world.__dict__["survey_link_maker"] = UserFactory(username="survey-link-maker")
        maker = world.__dict__["survey_link_maker"]
        world.__dict__[key] = SurveyLink.objects.create(
            participant=visit.participant,
            visit=visit,
            token_hash=f"{participant_name:0<64}"[:64],
            language="en",
            expires_at=timezone.now() + timedelta(days=30),
            created_by=maker,
        )
    return world.__dict__[key].pk


KWARGS = {
    "visit_id": (
        lambda w: _visit(w, "participant_a").pk,
        lambda w: _visit(w, "participant_b").pk,
        lambda w: _visit(w, "participant_c").pk,
    ),
    "survey_link_id": (
        lambda w: _link(w, "participant_a"),
        lambda w: _link(w, "participant_b"),
        lambda w: _link(w, "participant_c"),
    ),
}
