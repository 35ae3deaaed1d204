"""The study's members pages: invitations by one-time link, roles and sites given and withdrawn, accounts
deactivated, and the escalations they refuse (another study, another site, a role above the manager's own)."""

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "spinal-Lumbar-2027"


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """POST the invitation form; the e-mail leaves after the commit, so the commit callbacks are run."""

    def post(study, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:member-invite", args=[study.code]), data)

    return post


def _log_in(client, username, password):
    data = {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    return client.post(reverse("two_factor:login"), data)


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def admin_a(world, make_persona):
    """The study Admin of alpha at site A only."""
    return make_persona("admin")


@pytest.fixture
def admin_all(world, make_persona):
    return make_persona("admin", all_sites=True)


@pytest.mark.django_db
def test_an_invitation_mails_a_one_time_link_and_stores_only_its_hash(client, invite, world, admin_a):
    client.force_login(admin_a)
    response = invite(world.study, email="new@example.org", role="coordinator", sites=[world.site_a.pk])
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["new@example.org"] and "ALPHA" in message.subject
    token = _link(message).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert list(invitation.sites.all()) == [world.site_a] and invitation.role == "coordinator"
    event = AuditEvent.objects.get(object_type="accounts.invitation")
    assert event.user == admin_a and event.study == world.study and event.changes["sites"] == [None, ["A"]]
    assert token not in str(event.changes)


@pytest.mark.django_db
def test_the_invitee_sets_a_password_that_passes_the_policy_and_the_link_then_stops_working(
    client, invite, world, admin_a
):
    client.force_login(admin_a)
    invite(world.study, email="new@example.org", role="coordinator", sites=[world.site_a.pk])
    link = _link(mail.outbox[0])
    client.logout()
    assert client.get(link).status_code == 200
    weak = client.post(link, {"username": "newbie", "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400 and not User.objects.filter(username="newbie").exists()
    done = client.post(link, {"username": "newbie", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("two_factor:login")
    user = User.objects.get(username="newbie")
    assert user.email == "new@example.org" and user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.study, membership.role, list(membership.sites.all())) == (
        world.study,
        "coordinator",
        [world.site_a],
    )
    assert AuditEvent.objects.filter(object_type="accounts.membership", object_id=str(membership.pk)).exists()
    again = client.post(link, {"username": "other", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert again.status_code == 404 and not User.objects.filter(username="other").exists()
    assert _log_in(client, "newbie", NEW_PASSWORD).status_code == 302
    page = client.get(reverse("participants:participant-list", args=[world.study.code])).content.decode()
    assert "ALPHA-A-0001" in page and "ALPHA-B-0001" not in page


@pytest.mark.django_db
def test_an_expired_or_unknown_link_is_one_plain_page(client, invite, world, admin_a):
    client.force_login(admin_a)
    invite(world.study, email="new@example.org", role="coordinator", sites=[world.site_a.pk])
    link = _link(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.logout()
    assert client.get(link).status_code == 404
    assert client.get(reverse("accounts:invitation-accept", args=["not-a-token"])).status_code == 404


@pytest.mark.django_db
def test_an_invitee_whose_role_needs_two_factor_is_sent_to_set_it_up(client, invite, world, admin_all, settings):
    client.force_login(admin_all)
    invite(world.study, email="pi@example.org", role="pi", all_sites="on")
    link = _link(mail.outbox[0])
    settings.REQUIRE_2FA = True
    client.logout()
    done = client.post(link, {"username": "newpi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("two_factor:login") + "?next=" + reverse("two_factor:setup").replace("/", "%2F")


@pytest.mark.django_db
def test_an_address_with_an_account_is_given_the_role_at_once(client, invite, world, admin_a):
    existing = UserFactory(username="known", email="known@example.org")
    client.force_login(admin_a)
    response = invite(world.study, email="KNOWN@example.org", role="monitor", sites=[world.site_a.pk])
    assert response.status_code == 302 and not mail.outbox and not Invitation.objects.exists()
    assert Membership.objects.get(user=existing, study=world.study).role == "monitor"
    again = invite(world.study, email="known@example.org", role="coordinator", sites=[world.site_a.pk])
    assert again.status_code == 400
    assert Membership.objects.get(user=existing, study=world.study).role == "monitor"


@pytest.mark.django_db
def test_the_members_page_says_who_has_which_role_at_which_sites_and_when_they_last_logged_in(
    client, world, admin_all, make_persona
):
    coordinator = make_persona("coordinator")
    coordinator.last_login = timezone.now()
    coordinator.save(update_fields=["last_login"])
    client.force_login(admin_all)
    page = client.get(reverse("accounts:member-list", args=[world.study.code]))
    assert page.status_code == 200
    row = re.search(r'data-username="coordinator-a">(.*?)</tr>', page.content.decode(), re.S).group(1)
    assert "Coordinator" in row and "Site A" in row and "—" not in row


@pytest.mark.django_db
def test_a_role_and_sites_are_changed_and_withdrawn_through_audited_services(client, world, admin_all, make_persona):
    coordinator = make_persona("coordinator")
    member = Membership.objects.get(user=coordinator)
    client.force_login(admin_all)
    url = reverse("accounts:member-edit", args=[world.study.code, member.pk])
    assert client.post(url, {"role": "monitor", "sites": [world.site_a.pk, world.site_b.pk]}).status_code == 302
    member.refresh_from_db()
    assert member.role == "monitor" and set(member.sites.values_list("code", flat=True)) == {"A", "B"}
    event = AuditEvent.objects.filter(object_type="accounts.membership", object_id=str(member.pk)).latest("pk")
    assert event.user == admin_all and event.changes["role"] == ["coordinator", "monitor"]
    withdraw = reverse("accounts:member-withdraw", args=[world.study.code, member.pk])
    assert client.post(withdraw, {}).status_code == 400  # a reason is needed
    assert client.post(withdraw, {"reason": "left the team"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    event = AuditEvent.objects.filter(object_type="accounts.membership", object_id=str(member.pk)).latest("pk")
    assert event.reason == "left the team" and event.changes == {"is_active": [True, False]}
    client.force_login(coordinator)
    assert client.get(reverse("studies:study-detail", args=[world.study.code])).status_code == 404


@pytest.mark.django_db
def test_a_deactivated_user_can_no_longer_log_in_and_keeps_their_history(client, world, admin_all, make_persona):
    from django.test import Client

    coordinator = make_persona("coordinator")
    their_browser = Client()
    their_browser.force_login(coordinator)
    AuditEvent.objects.create(user=coordinator, action="create", object_type="x", object_id="1", path="page")
    member = Membership.objects.get(user=coordinator)
    client.force_login(admin_all)
    url = reverse("accounts:member-deactivate", args=[world.study.code, member.pk])
    assert client.post(url, {"reason": "left the hospital"}).status_code == 302
    coordinator.refresh_from_db()
    assert not coordinator.is_active
    assert AuditEvent.objects.filter(user=coordinator).exists()
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(coordinator.pk))
    assert event.study == world.study and event.changes == {"is_active": [True, False]}
    assert their_browser.get(reverse("home")).status_code == 302  # the session they held ends: back to log-in
    client.logout()
    refused = _log_in(client, coordinator.username, PASSWORD)
    assert refused.status_code == 200 and "_auth_user_id" not in client.session


# Escalation: every refusal changes nothing.


@pytest.mark.django_db
def test_a_study_admin_cannot_reach_another_studys_members(client, invite, world, admin_all):
    beta_user = UserFactory()
    beta = Membership.objects.create(user=beta_user, study=world.other_study, role="coordinator")
    client.force_login(admin_all)
    assert client.get(reverse("accounts:member-list", args=[world.other_study.code])).status_code == 404
    assert client.get(reverse("accounts:member-edit", args=[world.study.code, beta.pk])).status_code == 404
    url = reverse("accounts:member-deactivate", args=[world.study.code, beta.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert invite(world.other_study, email="x@example.org", role="admin", all_sites="on").status_code == 404
    beta_user.refresh_from_db()
    assert beta_user.is_active and not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_site_admin_can_give_only_their_own_sites(client, invite, world, admin_a, make_persona):
    client.force_login(admin_a)
    assert invite(world.study, email="b@example.org", role="coordinator", sites=[world.site_b.pk]).status_code == 400
    invite(world.study, email="all@example.org", role="coordinator", all_sites="on", sites=[world.site_a.pk])
    invitation = Invitation.objects.get()
    assert not invitation.all_sites and list(invitation.sites.all()) == [world.site_a]
    at_b = make_persona("monitor", sites=[world.site_b])
    member_b = Membership.objects.get(user=at_b)
    assert client.get(reverse("accounts:member-edit", args=[world.study.code, member_b.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("blinding", ["none", "double"])
def test_a_study_admin_cannot_give_the_unblinded_statisticians_role(
    client, invite, world, admin_all, make_persona, blinding
):
    world.study.blinding = blinding
    world.study.save(update_fields=["blinding"])
    client.force_login(admin_all)
    response = invite(world.study, email="s@example.org", role="unblinded_statistician", all_sites="on")
    assert response.status_code == 400 and not Invitation.objects.exists()
    member = Membership.objects.get(user=make_persona("coordinator"))
    url = reverse("accounts:member-edit", args=[world.study.code, member.pk])
    assert client.post(url, {"role": "unblinded_statistician", "all_sites": "on"}).status_code == 400
    assert Membership.objects.get(pk=member.pk).role == "coordinator"
    statistician = Membership.objects.get(user=make_persona("unblinded_statistician", all_sites=True))
    for name in ("member-edit", "member-withdraw", "member-deactivate"):
        url = reverse(f"accounts:{name}", args=[world.study.code, statistician.pk])
        assert client.post(url, {"role": "coordinator", "all_sites": "on", "reason": "x"}).status_code == 403
    statistician.refresh_from_db()
    assert statistician.role == "unblinded_statistician" and statistician.is_active and statistician.user.is_active


@pytest.mark.django_db
def test_an_admin_cannot_change_their_own_role(client, world, admin_all):
    own = Membership.objects.get(user=admin_all)
    client.force_login(admin_all)
    url = reverse("accounts:member-edit", args=[world.study.code, own.pk])
    assert client.post(url, {"role": "unblinded_statistician", "all_sites": "on"}).status_code == 403
    assert (
        client.post(reverse("accounts:member-withdraw", args=[world.study.code, own.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert Membership.objects.get(pk=own.pk).role == "admin"


@pytest.mark.django_db
def test_a_study_admin_cannot_deactivate_a_user_who_works_in_another_study(client, world, admin_all, make_persona):
    coordinator = make_persona("coordinator")
    Membership.objects.create(user=coordinator, study=world.other_study, role="monitor", all_sites=True)
    member = Membership.objects.get(user=coordinator, study=world.study)
    client.force_login(admin_all)
    url = reverse("accounts:member-deactivate", args=[world.study.code, member.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_active
    withdraw = reverse("accounts:member-withdraw", args=[world.study.code, member.pk])
    assert client.post(withdraw, {"reason": "moved to beta"}).status_code == 302  # the role here, not the account


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["data_manager", "pi", "coordinator", "monitor", "unblinded_statistician"])
def test_roles_without_the_action_cannot_invite(client, invite, world, make_persona, role):
    client.force_login(make_persona(role, all_sites=True))
    assert invite(world.study, email="x@example.org", role="monitor", all_sites="on").status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_server_administrator_may_give_the_unblinded_statisticians_role_in_any_study(client, invite, world):
    world.study.blinding = "double"
    world.study.save(update_fields=["blinding"])
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    assert client.get(reverse("accounts:member-list", args=[world.study.code])).status_code == 200
    response = invite(world.study, email="s@example.org", role="unblinded_statistician", all_sites="on")
    assert response.status_code == 302 and Invitation.objects.get().role == "unblinded_statistician"


@pytest.mark.django_db
def test_the_members_pages_and_the_invitation_e_mail_are_in_chinese_too(client, invite, world, admin_all):
    client.force_login(admin_all)
    client.cookies["django_language"] = "zh-hans"
    assert "谁可以访问什么" in client.get(reverse("accounts:member-list", args=[world.study.code])).content.decode()
    assert "邀请用户" in client.get(reverse("accounts:member-invite", args=[world.study.code])).content.decode()
    invite(world.study, email="new@example.org", role="coordinator", sites=[world.site_a.pk])
    (message,) = mail.outbox
    assert "您受邀以" in message.body and "You are invited" in message.body  # both languages: the invitee's is unknown
    client.logout()
    client.cookies["django_language"] = "zh-hans"
    assert "加入研究" in client.get(_link(message)).content.decode()


@pytest.mark.django_db
def test_a_withdrawn_invitation_no_longer_works(client, invite, world, admin_a):
    client.force_login(admin_a)
    invite(world.study, email="new@example.org", role="coordinator", sites=[world.site_a.pk])
    invitation = Invitation.objects.get()
    url = reverse("accounts:invitation-revoke", args=[world.study.code, invitation.pk])
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(object_type="accounts.invitation", changes__has_key="revoked_at").exists()
    client.logout()
    assert client.get(_link(mail.outbox[0])).status_code == 404


@pytest.mark.django_db
def test_the_members_page_makes_the_same_number_of_queries_for_3_or_30_members(client, world, admin_all):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.services import membership_grant

    client.force_login(admin_all)
    url = reverse("accounts:member-list", args=[world.study.code])
    counts = []
    for total in (3, 30):
        while Membership.objects.filter(study=world.study).count() < total:
            membership_grant(user=UserFactory(), study=world.study, role="monitor", sites=[world.site_a, world.site_b])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
