"""Persona-matrix kwargs of the api app: a live token of another member of alpha (only a role that may
MANAGE_API_TOKENS revokes it) and one in study beta (a 404 for everyone)."""

from api.services import token_create


def _token(world, study_name: str):
    key = f"api_token_{study_name}"
    if key not in world.__dict__:
        from accounts.services import membership_grant
        from tests.factories import UserFactory

        study = getattr(world, study_name)
        holder = UserFactory(username=f"token-holder-{study.code}")
        membership_grant(user=holder, study=study, role="monitor", sites=[], all_sites=True)
        world.__dict__[key] = token_create(user=holder, study=study, by=holder).token
    return world.__dict__[key]


KWARGS = {"token_id": (lambda w: _token(w, "study").pk, None, lambda w: _token(w, "other_study").pk)}
