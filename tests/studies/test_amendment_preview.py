"""An amendment uploaded on the protocol page is previewed first: its changes and the visits it moves, with
nothing kept until it is confirmed; the confirmation loads it through the same workflow."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from participants.models import Visit
from participants.services import anchor_set
from studies.models import ProtocolVersion
from tests.studies.conftest import dump
from tests.studies.test_protocol_load import alpha_protocol, amended
from workflows.services import protocol_apply

UPLOAD = "workflows:protocol-upload"


def _moved_m1() -> dict:
    data = amended(alpha_protocol())  # version 1.1: m1's window narrowed, m3 added
    data["visits"][2]["offset_days"] = 35
    return data


@pytest.fixture
def enrolled(world, make_persona):
    """Version 1.0 loaded; the participants of sites A and B have their anchors, so their visits are scheduled."""
    protocol_apply(text=dump(alpha_protocol()), filename="alpha.yaml")
    user = make_persona("coordinator", all_sites=True)
    for participant in (world.participant_a, world.participant_b):
        anchor_set(participant=participant, anchor_code="enrolment", date=date(2026, 1, 5), user=user)
        anchor_set(participant=participant, anchor_code="treatment", date=date(2026, 1, 10), user=user)
    return world


def _state():
    visits = list(Visit.objects.order_by("pk").values_list("participant_id", "visit_code", "target_date", "window_end"))
    current = ProtocolVersion.objects.get(is_current=True).version
    return visits, current, AuditEvent.objects.count()


@pytest.mark.django_db
def test_an_amendment_is_previewed_with_its_changes_and_moved_visits_and_nothing_is_kept(
    client, enrolled, make_persona
):
    client.force_login(make_persona("admin"))  # at site A only
    before = _state()
    upload = SimpleUploadedFile("alpha-1.1.yaml", dump(_moved_m1()).encode())
    response = client.post(reverse(UPLOAD, args=["alpha"]), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    preview = page.split('id="amendment-preview"')[1].split("</form>")[0]
    assert "Amendment to version 1.1" in preview and "visit &#x27;m3&#x27; added" in preview
    assert "2 scheduled visits of your sites' participants change." in preview
    moves = preview.split('id="amendment-moves"')[1].split("</table>")[0]
    assert "ALPHA-A-0001" in moves and "ALPHA-B-0001" not in moves  # site B is not the admin's
    m1 = next(row for row in moves.split("</tr>") if "<code>m1</code>" in row)
    assert "Feb. 9, 2026" in m1 and "Feb. 14, 2026" in m1
    assert "(new visit)" in next(row for row in moves.split("</tr>") if "<code>m3</code>" in row)
    assert _state() == before
    assert "Amendment loaded" not in page


@pytest.mark.django_db
def test_the_confirmation_loads_the_previewed_file(client, enrolled, make_persona):
    client.force_login(make_persona("data_manager"))
    text = dump(_moved_m1())
    response = client.post(
        reverse(UPLOAD, args=["alpha"]), {"confirm": "1", "text": text, "filename": "alpha-1.1.yaml"}
    )
    assert response.status_code == 200 and "Amendment loaded" in response.content.decode()
    assert ProtocolVersion.objects.get(is_current=True).version == "1.1"
    assert enrolled.participant_a.visits.get(visit_code="m1").target_date == date(2026, 2, 14)
    assert enrolled.participant_b.visits.filter(visit_code="m3").exists()


@pytest.mark.django_db
def test_a_confirmation_without_the_file_loads_nothing(client, enrolled, make_persona):
    client.force_login(make_persona("data_manager"))
    before = _state()
    response = client.post(reverse(UPLOAD, args=["alpha"]), {"confirm": "1"})
    assert response.status_code == 400 and "did not come back whole" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_a_confirmation_is_checked_in_full_again(client, enrolled, make_persona):
    client.force_login(make_persona("data_manager"))
    broken = _moved_m1()
    broken["visits"][3]["window_before"] = -1
    before = _state()
    response = client.post(
        reverse(UPLOAD, args=["alpha"]), {"confirm": "1", "text": dump(broken), "filename": "alpha-1.1.yaml"}
    )
    assert response.status_code == 400 and "visits[3].window_before" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_a_coordinator_cannot_confirm_an_amendment(client, enrolled, make_persona):
    client.force_login(make_persona("coordinator"))
    response = client.post(
        reverse(UPLOAD, args=["alpha"]), {"confirm": "1", "text": dump(_moved_m1()), "filename": "a.yaml"}
    )
    assert response.status_code == 403
    assert ProtocolVersion.objects.get(is_current=True).version == "1.0"


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "shown"), [("admin", False), ("unblinded_statistician", True)])
def test_in_a_blinded_study_with_a_schedule_per_arm_only_who_may_see_arms_sees_the_moves(
    client, world, make_persona, role, shown
):
    protocol_apply(text=dump(alpha_protocol(blinding="double")), filename="alpha.yaml")
    user = make_persona("coordinator")
    anchor_set(participant=world.participant_a, anchor_code="enrolment", date=date(2026, 1, 5), user=user)
    anchor_set(participant=world.participant_a, anchor_code="treatment", date=date(2026, 1, 10), user=user)
    amendment = _moved_m1()
    amendment["study"]["blinding"] = "double"
    client.force_login(make_persona(role))
    upload = SimpleUploadedFile("alpha-1.1.yaml", dump(amendment).encode())
    page = client.post(reverse(UPLOAD, args=["alpha"]), {"file": upload}).content.decode()
    assert "Amendment to version 1.1" in page
    assert ("ALPHA-A-0001" in page) is shown
    assert ("could tell who is in which arm" in page) is not shown
