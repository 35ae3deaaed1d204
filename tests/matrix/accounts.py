"""Persona-matrix kwargs of the study members pages: a coordinator's membership and an invitation at each site."""

import datetime

from django.utils import timezone

from accounts.models import Invitation
from accounts.services import membership_grant
from tests.factories import UserFactory


def _member(world, site_name: str) -> int:
    key = f"accounts_member_{site_name}"
    if key not in world.__dict__:
        site = getattr(world, site_name)
        user = UserFactory(username=f"member-{site_name}")
        world.__dict__[key] = membership_grant(user=user, study=site.study, role="coordinator", sites=[site]).pk
    return world.__dict__[key]


def _invitation(world, site_name: str) -> int:
    key = f"accounts_invitation_{site_name}"
    if key not in world.__dict__:
        site = getattr(world, site_name)
        expires = timezone.now() + datetime.timedelta(days=1)
        invitation = Invitation.objects.create(
            email=f"{site_name}@example.org", study=site.study, role="monitor", token_hash=key, expires_at=expires
        )
        invitation.sites.set([site])
        world.__dict__[key] = invitation.pk
    return world.__dict__[key]


KWARGS = {
    "member_id": tuple((lambda w, name=name: _member(w, name)) for name in ("site_a", "site_b", "site_c")),
    "invitation_id": tuple((lambda w, name=name: _invitation(w, name)) for name in ("site_a", "site_b", "site_c")),
}
