"""Super tokens: ``api_token --super`` for server administrators only; with one, ``content=project`` creates a
study from its protocol file and answers a project token of it (REDCap's clients take the last 32 characters)."""

import io

import pytest
from django.core.management import CommandError, call_command
from redcap import Project

from audit.models import AuditEvent
from studies.models import Study
from tests.factories import UserFactory
from tests.matrix.instruments import ALPHA_PROTOCOL

from .conftest import URL, post

GAMMA = ALPHA_PROTOCOL.replace("code: alpha", "code: gamma", 1).replace("Alpha study", "Gamma study", 1)


def _super_key(user) -> str:
    out = io.StringIO()
    call_command("api_token", "--super", "--user", user.username, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_only_a_server_administrator_gets_a_super_token_and_it_is_audited():
    admin = UserFactory(username="root", is_superuser=True)
    key = _super_key(admin)
    assert len(key) == 64 and int(key, 16) >= 0
    assert AuditEvent.objects.filter(object_type="api.supertoken", action="create").count() == 1
    assert _super_key(admin) != key  # a new one revokes the old
    assert post(key, content="version").status_code == 403
    with pytest.raises(CommandError, match="not an active server administrator"):
        _super_key(UserFactory(username="someone"))
    with pytest.raises(CommandError, match="not both"):
        call_command("api_token", "--super", "--user", "root", "--study", "alpha")


@pytest.mark.django_db
def test_a_super_token_creates_a_study_from_its_protocol_and_answers_its_token(world):
    admin = UserFactory(username="root", is_superuser=True)
    key = _super_key(admin)
    created = post(
        key, content="project", format="xml", data="<item><project_title>G</project_title></item>", odm=GAMMA
    )
    assert created.status_code == 200, created.content
    token = created.content.decode()[-32:]
    study = Study.objects.get(code="gamma")
    info = post(token, content="project", format="json").json()
    assert info["project_id"] == study.pk and info["is_longitudinal"] == 1
    again = post(key, content="project", format="json", odm=GAMMA)
    assert again.status_code == 400 and "exists already" in again.json()["error"]
    odm = post(key, content="project", format="json", odm="<ODM></ODM>")
    assert odm.status_code == 400 and "ODM XML" in odm.json()["error"]
    assert post(key, content="record", format="json").json()["error"].startswith("A super token may only")


@pytest.mark.django_db
def test_a_project_token_cannot_create_a_project(world, make_persona):
    from api.services import token_create

    key = token_create(user=make_persona("admin", all_sites=True), study=world.study, by=None).key
    refused = post(key, content="project", format="json", data="<item/>", odm=GAMMA)
    assert refused.status_code == 400 and not Study.objects.filter(code="gamma").exists()


@pytest.mark.django_db(transaction=True)
def test_pycaps_own_create_project_helper_works_with_a_super_token(live_server, world):
    """PyCap's integration fixtures post content=project with data and odm and keep the last 32 characters."""
    import requests

    admin = UserFactory(username="root", is_superuser=True)
    answer = requests.post(
        live_server.url + URL,
        data={"token": _super_key(admin), "content": "project", "format": "xml", "data": "<item/>", "odm": GAMMA},
    )
    project = Project(live_server.url + URL, answer.text[-32:])
    assert project.export_project_info()["project_title"] == "Gamma study"
    assert project.is_longitudinal
