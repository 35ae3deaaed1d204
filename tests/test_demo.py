import io

import pytest
from django.core.management import call_command

from accounts.models import Membership, User
from participants.models import Participant, Visit
from studies.models import ProtocolVersion


@pytest.mark.django_db
def test_the_demo_loads_both_protocols_users_and_scheduled_participants_and_is_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Participant.objects.count(), Visit.objects.count(), ProtocolVersion.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (
        User.objects.count(),
        Participant.objects.count(),
        Visit.objects.count(),
        ProtocolVersion.objects.count(),
    ) == counts
    assert set(Membership.objects.values_list("role", flat=True)) == {
        "admin",
        "data_manager",
        "pi",
        "coordinator",
        "monitor",
        "unblinded_statistician",
    }
    assert Participant.objects.filter(study__code="lbpb", status="enrolled").count() == 5
    failed = Participant.objects.get(status="screen_failed")
    assert failed.identifier == ""
    enrolled = Participant.objects.filter(status="enrolled").order_by("identifier").first()
    assert enrolled.identifier == "LBPB-01-0001"
    assert Visit.objects.filter(participant=enrolled).exists()
    assert User.objects.get(username="coordinator").check_password("lumbar-Demo-2026")
