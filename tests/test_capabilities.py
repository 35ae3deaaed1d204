"""The capability table and the blinding rule (accounts/capabilities.py)."""

import ast
import pathlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import (
    CAPABILITIES,
    OPEN,
    SERVER_ACTIONS,
    Action,
    can,
    can_on_server,
    require,
    role_in,
    roles_with,
    sees_arms,
)
from accounts.models import Role
from studies.models import Study
from tests.factories import UserFactory


def test_the_open_value_is_the_studys():
    assert OPEN == Study.Blinding.NONE


@pytest.mark.parametrize("role", list(Role))
def test_in_an_open_study_every_member_sees_arms(role):
    assert sees_arms(role, Study.Blinding.NONE)


@pytest.mark.parametrize("blinding", [Study.Blinding.SINGLE, Study.Blinding.DOUBLE])
def test_in_a_blinded_study_only_the_unblinded_statistician_sees_arms(blinding):
    assert {role for role in Role if sees_arms(role, blinding)} == {Role.UNBLINDED_STATISTICIAN}


def test_a_non_member_sees_no_arm_even_in_an_open_study():
    assert not sees_arms(None, Study.Blinding.NONE)


def test_every_role_has_a_row_and_every_action_a_holder():
    assert set(CAPABILITIES) == set(Role)
    assert all(roles_with(action) for action in Action if action not in SERVER_ACTIONS)


def test_server_actions_are_held_by_active_superusers_and_no_study_role():
    assert all(not roles_with(action) for action in SERVER_ACTIONS)
    assert can_on_server(UserFactory.build(is_superuser=True), Action.CREATE_STUDY)
    assert not can_on_server(UserFactory.build(is_staff=True), Action.CREATE_STUDY)
    assert not can_on_server(UserFactory.build(is_superuser=True, is_active=False), Action.CREATE_STUDY)
    assert not can_on_server(UserFactory.build(is_superuser=True), Action.LOAD_PROTOCOL)  # study actions need a role


@pytest.mark.django_db
def test_the_role_is_looked_up_once_per_user_object(world, make_persona):
    user = make_persona("monitor")
    assert role_in(user, world.study) == "monitor"
    with CaptureQueriesContext(connection) as queries:
        assert can(user, world.study, Action.VERIFY)
        assert not can(user, world.study, Action.ENTER_DATA)
    assert len(queries) == 0
    with pytest.raises(PermissionDenied):
        require(user, world.study, Action.ENTER_DATA)
    assert role_in(user, world.other_study) is None


def test_accounts_imports_no_other_app_but_core():
    apps = {path.parent.name for path in pathlib.Path(".").glob("*/apps.py")}
    for path in pathlib.Path("accounts").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top not in apps - {"accounts", "core"}, (str(path), name)
