"""The first-run commands: from a loaded study to its administrator and the other roles (lbpb/management)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import Membership, Role, User
from audit.models import AuditEvent
from studies.models import Study

PASSWORD = "Spine-Study-2026!"


@pytest.fixture
def study(db):
    call_command("load_protocol", str(Path(settings.BASE_DIR) / "protocols" / "lbpb.yaml"), stdout=io.StringIO())
    return Study.objects.get(code="lbpb")


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", PASSWORD)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_study_admin_creates_a_user_with_the_admin_role_at_every_site(study, password_env, client):
    output = run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "lin@example.org")

    user = User.objects.get(username="lin")
    membership = Membership.objects.get(user=user, study=study)
    assert "Created lin: Admin of lbpb at all sites" in output
    assert user.email == "lin@example.org" and user.check_password(PASSWORD)
    assert not user.is_superuser and not user.is_staff
    assert (membership.role, membership.all_sites, membership.is_active) == (Role.ADMIN, True, True)
    client.force_login(user)
    assert client.get(f"/studies/{study.code}/").status_code == 200


def test_create_study_admin_audits_the_user_and_the_grant_without_the_password_hash(study, password_env):
    run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "lin@example.org")

    events = AuditEvent.objects.filter(
        path=AuditEvent.Path.COMMAND, object_type__in=["accounts.user", "accounts.membership"]
    )
    assert sorted(events.values_list("object_type", "action")) == [
        ("accounts.membership", "create"),
        ("accounts.user", "create"),
    ]
    grant = events.get(object_type="accounts.membership")
    assert grant.study == study and grant.changes["role"] == [None, "admin"]
    assert all("password" not in event.changes for event in events)


def test_create_study_admin_updates_an_existing_user_and_keeps_its_password(study, password_env, monkeypatch):
    run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "old@example.org")
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Another-Password-99")

    output = run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "new@example.org")

    user = User.objects.get(username="lin")
    assert "Updated lin" in output
    assert user.email == "new@example.org" and user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user).count() == 1


def test_reset_password_sets_a_new_password_for_an_existing_user(study, password_env, monkeypatch):
    run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "lin@example.org")
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "Another-Password-99")

    run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "lin@example.org", "--reset-password")

    assert User.objects.get(username="lin").check_password("Another-Password-99")
    assert AuditEvent.objects.filter(object_type="accounts.user", action="update", changes__has_key="password").exists()


def test_an_unknown_study_is_a_clear_error_and_creates_no_user(study, password_env):
    with pytest.raises(CommandError, match=r"No study 'nope' \(loaded studies: lbpb\).*load_protocol"):
        run("create_study_admin", "--study", "nope", "--username", "lin", "--email", "lin@example.org")
    assert not User.objects.filter(username="lin").exists()


def test_a_weak_password_is_refused_and_nothing_is_saved(study, monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "12345")
    with pytest.raises(CommandError, match="Nothing was changed: .*too short"):
        run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "lin@example.org")
    assert not User.objects.filter(username="lin").exists()
    assert not Membership.objects.exists()


def test_without_a_password_or_a_terminal_it_refuses(study, monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="set DJANGO_USER_PASSWORD or run the command at a terminal"):
        run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "l@example.org", "--no-input")
    assert not User.objects.filter(username="lin").exists()


def test_the_password_is_typed_twice_at_a_terminal(study, monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))

    run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "lin@example.org")

    assert User.objects.get(username="lin").check_password(PASSWORD)


def test_two_different_passwords_at_the_terminal_change_nothing(study, monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    typed = iter([PASSWORD, "something-else-1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))

    with pytest.raises(CommandError, match="differ"):
        run("create_study_admin", "--study", "lbpb", "--username", "lin", "--email", "lin@example.org")
    assert not User.objects.exists()


def test_grant_role_gives_an_existing_user_a_role_at_named_sites(study, password_env):
    run("create_study_admin", "--study", "lbpb", "--username", "wang", "--email", "wang@example.org")

    output = run("grant_role", "--study", "lbpb", "--username", "wang", "--role", "coordinator", "--sites", "01,02")

    membership = Membership.objects.get(user__username="wang", study=study)
    assert "wang: Coordinator of lbpb at site(s) 01, 02" in output
    assert membership.role == Role.COORDINATOR and not membership.all_sites
    assert sorted(membership.sites.values_list("code", flat=True)) == ["01", "02"]
    update = AuditEvent.objects.get(object_type="accounts.membership", action="update")
    assert update.changes["role"] == ["admin", "coordinator"] and update.changes["all_sites"] == [True, False]


def test_grant_role_creates_a_user_with_create(study, password_env):
    run(
        "grant_role",
        "--study",
        "lbpb",
        "--username",
        "mon",
        "--role",
        "monitor",
        "--all-sites",
        "--create",
        "--email",
        "m@example.org",
    )

    membership = Membership.objects.get(user__username="mon", study=study)
    assert membership.role == Role.MONITOR and membership.all_sites
    assert membership.user.check_password(PASSWORD)


def test_grant_role_refuses_a_missing_user_without_create(study):
    with pytest.raises(CommandError, match="No user 'ghost': add --create"):
        run("grant_role", "--study", "lbpb", "--username", "ghost", "--role", "pi", "--all-sites")


def test_grant_role_refuses_an_unknown_site_and_changes_nothing(study, password_env):
    run("grant_role", "--study", "lbpb", "--username", "wang", "--role", "pi", "--sites", "01", "--create")

    with pytest.raises(CommandError, match=r"Study 'lbpb' has no site 99 \(its sites: 01, 02"):
        run("grant_role", "--study", "lbpb", "--username", "wang", "--role", "monitor", "--sites", "01,99")

    membership = Membership.objects.get(user__username="wang")
    assert membership.role == Role.PI
    assert list(membership.sites.values_list("code", flat=True)) == ["01"]


def test_grant_role_needs_sites_or_all_sites(study):
    with pytest.raises(CommandError, match="one of the arguments --sites --all-sites is required"):
        run("grant_role", "--study", "lbpb", "--username", "wang", "--role", "pi")


def test_grant_role_refuses_an_unknown_role(study):
    with pytest.raises(CommandError, match="invalid choice: 'superuser'"):
        run("grant_role", "--study", "lbpb", "--username", "wang", "--role", "superuser", "--all-sites")
