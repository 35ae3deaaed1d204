"""A blinded role cannot weaken a study's blind with an amendment, and arm-restricted content of a blinded
study must be declared as a union schedule (studies.protocol.blinding, studies.services.protocol_load)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from studies.models import ProtocolVersion, Study
from studies.protocol import ProtocolError, project_visits
from tests.studies.conftest import dump
from tests.studies.test_protocol_load import alpha_protocol, counts
from tests.studies.test_study_pages import UPLOAD, upload, upload_confirmed
from tests.studies.test_third_protocol import PERIOP
from workflows.services import protocol_apply

INFUSION = {
    "code": "infusion",
    "label": {"en": "Infusion day", "zh": "输注日"},
    "anchor": "treatment",
    "offset_days": 60,
    "window_before": 3,
    "window_after": 3,
    "arms": ["a"],
}


def blinded(**study) -> dict:
    """The alpha test protocol as a randomised double-blind study (arms a and b, 1:1)."""
    data = alpha_protocol(**{"design": "randomised", "blinding": "double", **study})
    for arm in data["arms"]:
        arm["ratio"] = 1
    return data


def version(data: dict, number: str) -> dict:
    data["study"]["protocol_version"] = number
    return data


@pytest.fixture
def blind_study(world):
    """Study alpha loaded as double-blind version 1.0, by the command (as an operator would)."""
    protocol_apply(text=dump(blinded()), filename="alpha.yaml", path=AuditEvent.Path.COMMAND)
    return Study.objects.get(code="alpha")


def problems_of(response) -> str:
    return response.content.decode().split('id="protocol-problems"')[1].split("</div>")[0]


# The parser: arm-restricted content of a blinded study needs `blinded_schedule: union` -------------------------


def test_a_blinded_study_with_an_arm_only_visit_or_activity_and_no_declaration_is_refused(parse_text):
    with pytest.raises(ProtocolError) as caught:
        parse_text(PERIOP.replace("blinding: none", "blinding: single"))
    assert [p.path for p in caught.value.problems] == ["visits[1].activities", "visits[4].arms"]
    assert "blinded_schedule: union" in caught.value.problems[0].message


def test_with_the_union_declaration_every_arm_gets_every_visit_and_activity(parse_text):
    text = PERIOP.replace("blinding: none", "blinding: double\n  blinded_schedule: union")
    protocol = parse_text(text)
    anchors = {"enrolment": date(2026, 5, 4), "surgery": date(2026, 5, 11)}
    control = project_visits(protocol, "control", anchors)
    esp = project_visits(protocol, "esp", anchors)
    unallocated = project_visits(protocol, None, anchors)
    assert control == esp == unallocated
    assert "m3_mri" in {p.code for p in control}
    assert [a.code for a in next(p for p in control if p.code == "pod1").activities] == ["vas", "hrv"]


def test_an_unknown_blinded_schedule_is_refused(parse_text):
    with pytest.raises(ProtocolError) as caught:
        parse_text(PERIOP.replace("blinding: none", "blinding: double\n  blinded_schedule: hidden"))
    assert caught.value.problems[0].path == "study.blinded_schedule"


def test_the_real_protocols_still_load(admsc, lbpb):
    assert admsc.study.blinded and not admsc.union_schedule
    assert not lbpb.study.blinded


# Amendments on the upload page --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "data_manager"])
def test_an_unblinding_amendment_by_a_blinded_role_is_refused_and_stores_nothing(
    client, blind_study, make_persona, role
):
    client.force_login(make_persona(role, all_sites=True))
    before, events = counts(), AuditEvent.objects.count()

    response = upload(client, blind_study, dump(version(blinded(blinding="none"), "1.1")), "alpha-1.1.yaml")

    assert response.status_code == 400
    problems = problems_of(response)
    assert '<code class="problem-path">study.blinding</code>' in problems
    assert "only the Unblinded statistician may load this amendment" in problems
    assert counts() == before and AuditEvent.objects.count() == events
    blind_study.refresh_from_db()
    assert blind_study.blinding == "double" and blind_study.protocol_version == "1.0"


@pytest.mark.django_db
def test_the_refusal_is_in_chinese_for_a_chinese_reader(client, blind_study, make_persona):
    client.force_login(make_persona("data_manager", all_sites=True))
    client.cookies["django_language"] = "zh-hans"
    response = upload(client, blind_study, dump(version(blinded(design="observational"), "1.1")), "alpha-1.1.yaml")
    assert response.status_code == 400
    problems = problems_of(response)
    assert "study.design" in problems and "非盲统计师" in problems


@pytest.mark.django_db
def test_the_unblinded_statistician_may_load_it_and_it_is_flagged_for_the_sponsor(client, blind_study, make_persona):
    statistician = make_persona("unblinded_statistician", all_sites=True)
    client.force_login(statistician)

    response = upload_confirmed(client, blind_study, dump(version(blinded(blinding="none"), "1.1")), "alpha-1.1.yaml")

    assert response.status_code == 200
    current = ProtocolVersion.objects.get(study=blind_study, is_current=True)
    flag = f"blinding-relevant amendment by {statistician.username}: study.blinding"
    assert current.version == "1.1" and flag in current.changes
    event = AuditEvent.objects.filter(object_type="studies.protocolversion").latest("pk")
    assert event.user == statistician and flag in event.changes["changes"][1]
    history = client.get(reverse("studies:protocol-history", args=[blind_study.code])).content.decode()
    assert flag in history


@pytest.mark.django_db
def test_an_ordinary_amendment_of_a_blinded_study_needs_no_statistician_and_is_not_flagged(
    client, blind_study, make_persona
):
    client.force_login(make_persona("data_manager", all_sites=True))
    data = version(blinded(), "1.1")
    data["visits"][2]["window_after"] = 5
    response = upload(client, blind_study, dump(data), "alpha-1.1.yaml")
    assert response.status_code == 200
    changes = ProtocolVersion.objects.get(study=blind_study, is_current=True).changes
    assert changes and not any("blinding-relevant" in change for change in changes)


@pytest.mark.django_db
def test_an_arm_only_visit_without_the_declaration_is_refused_even_for_the_statistician(
    client, blind_study, make_persona
):
    client.force_login(make_persona("unblinded_statistician", all_sites=True))
    data = version(blinded(), "1.1")
    data["visits"].append(INFUSION)
    before = counts()
    response = upload(client, blind_study, dump(data), "alpha-1.1.yaml")
    assert response.status_code == 400
    assert '<code class="problem-path">visits[3].arms</code>' in problems_of(response)
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [("data_manager", 400), ("admin", 400), ("unblinded_statistician", 200)])
def test_adding_declared_arm_only_content_needs_the_statistician(client, blind_study, make_persona, role, status):
    client.force_login(make_persona(role, all_sites=True))
    data = version(blinded(blinded_schedule="union"), "1.1")
    data["visits"].append(INFUSION)
    data["visits"][0]["activities"]["instruments"] = ["bpi", {"code": "odi", "arms": ["b"]}]

    response = upload_confirmed(client, blind_study, dump(data), "alpha-1.1.yaml")

    assert response.status_code == status
    current = ProtocolVersion.objects.get(study=blind_study, is_current=True)
    if status == 400:
        problems = problems_of(response)
        for path in ("study.blinded_schedule", "visits[0].activities", "visits[3].arms"):
            assert f'<code class="problem-path">{path}</code>' in problems
        assert current.version == "1.0"
    else:
        assert current.changes[-1].endswith("study.blinded_schedule, visits[0].activities, visits[3].arms")


@pytest.mark.django_db
def test_the_admin_upload_obeys_the_same_rule(client, blind_study, make_persona):
    user = make_persona("data_manager", all_sites=True)
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    before = counts()
    response = client.post(
        reverse("admin:studies_study_protocol_upload"),
        {"file": _file("alpha-1.1.yaml", dump(version(blinded(blinding="none"), "1.1")))},
    )
    assert response.status_code == 200 and "study.blinding" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_the_command_may_load_it_and_records_that_it_did(blind_study, tmp_path):
    path = tmp_path / "alpha-1.1.yaml"
    path.write_text(dump(version(blinded(blinding="none"), "1.1")), encoding="utf-8")
    out = StringIO()
    call_command("load_protocol", str(path), stdout=out)
    flag = "blinding-relevant amendment by the load_protocol command (server operator): study.blinding"
    assert flag in out.getvalue()
    assert flag in ProtocolVersion.objects.get(study=blind_study, is_current=True).changes


@pytest.mark.django_db
def test_an_open_study_may_become_blinded_without_the_statistician(client, world, make_persona):
    protocol_apply(text=dump(alpha_protocol()), filename="alpha.yaml", path=AuditEvent.Path.COMMAND)
    client.force_login(make_persona("data_manager", all_sites=True))
    response = upload(client, world.study, dump(version(blinded(), "1.1")), "alpha-1.1.yaml")
    assert response.status_code == 200
    assert reverse(UPLOAD, args=["alpha"])  # the page stays the study's upload page


def _file(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"))
