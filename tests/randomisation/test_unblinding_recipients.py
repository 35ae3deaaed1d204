"""Emergency-unblinding notices go to active data managers only: a deactivated account or membership gets none."""

from django.core import mail

from accounts.models import Membership, Role
from accounts.services import membership_grant
from randomisation import services
from randomisation.models import UnblindingNotification
from tests.factories import UserFactory

from .conftest import enrol, frozen_list


def test_unblinding_mail_skips_inactive_users_and_inactive_memberships(admsc, django_capture_on_commit_callbacks):
    gone = UserFactory(username="dm-left", email="left@example.org", is_active=False)
    membership_grant(user=gone, study=admsc.study, role=Role.DATA_MANAGER, sites=[], all_sites=True)
    paused = UserFactory(username="dm-paused", email="paused@example.org")
    membership_grant(user=paused, study=admsc.study, role=Role.DATA_MANAGER, sites=[], all_sites=True)
    Membership.objects.filter(user=paused).update(is_active=False)
    frozen_list(admsc)
    participant = enrol(admsc, name="Wang Wu")
    services.participant_randomise(participant=participant, user=admsc.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        services.unblinding_request(participant=participant, user=admsc.pi, reason="Anaphylaxis")

    assert [message.to for message in mail.outbox] == [["dm@example.org"]]
    assert list(UnblindingNotification.objects.values_list("recipient__username", flat=True)) == [
        admsc.data_manager.username
    ]
