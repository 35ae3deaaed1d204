"""The Django admin is not a second write path: domain rows are read-only there, every write that remains
(the user page, the protocol upload) leaves an audit row, no page answers 500, and the demo's study Admin
is not a superuser."""

import datetime
import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, User
from audit.models import AuditEvent
from participants.models import AnchorDate, Consent, Screening
from tests.factories import UserFactory
from tests.test_blinding_matrix_admin import admin_urls


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.fixture
def records(world, make_persona):
    """A screening, a consent and an anchor date of participant A, made directly (their admin pages need rows)."""
    staff = make_persona("coordinator")
    participant = world.participant_a
    return {
        "screening": Screening.objects.create(
            participant=participant, screened_on=datetime.date(2026, 1, 5), screened_by=staff
        ),
        "consent": Consent.objects.create(
            participant=participant, form_version="1.0", consented_on=datetime.date(2026, 1, 5), taken_by=staff
        ),
        "anchordate": AnchorDate.objects.create(
            participant=participant, anchor_code="enrolment", date=datetime.date(2026, 1, 6), entered_by=staff
        ),
    }


def _change_url(instance) -> str:
    return reverse(f"admin:{instance._meta.app_label}_{instance._meta.model_name}_change", args=[instance.pk])


@pytest.mark.django_db
def test_every_admin_page_answers_without_a_server_error(client, world, records, operator):
    client.force_login(operator)
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        for url in admin_urls():
            assert client.get(url).status_code in (200, 302), url


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["screening", "consent", "anchordate"])
def test_a_post_changing_a_participant_record_in_the_admin_is_refused_and_changes_nothing(
    client, world, records, operator, kind
):
    instance = records[kind]
    model = type(instance)
    before = list(model.objects.values())
    audit_rows = AuditEvent.objects.count()
    client.force_login(operator)
    date_field = {"screening": "screened_on", "consent": "consented_on", "anchordate": "date"}[kind]
    response = client.post(_change_url(instance), {date_field: "2031-01-01", "participant": world.participant_a.pk})
    assert response.status_code == 403
    add = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert client.post(add, {date_field: "2031-01-01"}).status_code == 403
    delete = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[instance.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert list(model.objects.values()) == before
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.django_db
def test_the_study_and_its_blinding_cannot_be_changed_in_the_admin(client, world, operator):
    client.force_login(operator)
    url = reverse("admin:studies_study_change", args=[world.study.pk])
    response = client.post(
        url, {"code": world.study.code, "title": "Renamed", "blinding": "none", "design": "randomised"}
    )
    assert response.status_code == 403
    world.study.refresh_from_db()
    assert world.study.title == "Alpha study"
    assert client.get(reverse("admin:studies_study_protocol_upload")).status_code == 200  # the audited upload stays


@pytest.mark.django_db
def test_the_protocol_upload_needs_the_rights_to_add_and_change_studies(client, world):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:studies_study_protocol_upload")).status_code == 403


@pytest.mark.django_db
def test_memberships_are_read_only_in_the_admin(client, world, make_persona, operator):
    member = make_persona("monitor")
    client.force_login(operator)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert page.status_code == 200
    assert "grant_role" in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields if name != "password"}
    data.update(
        {
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": member.memberships.get().pk,
            "memberships-0-user": member.pk,
            "memberships-0-role": "unblinded_statistician",
            "memberships-0-all_sites": "on",
        }
    )
    client.post(reverse("admin:accounts_user_change", args=[member.pk]), data)
    assert Membership.objects.get(user=member).role == "monitor"
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[member.pk]), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.django_db
def test_a_user_change_in_the_admin_is_saved_with_its_audit_row(client, world, make_persona, operator):
    member = make_persona("monitor")
    client.force_login(operator)
    url = reverse("admin:accounts_user_change", args=[member.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields if name != "password"}
    data.update({"email": "new@example.org", "is_active": "", "memberships-TOTAL_FORMS": "1"})
    data.update({"memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "0"})
    for key in ("is_staff", "is_superuser"):
        data.pop(key, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert (member.email, member.is_active) == ("new@example.org", False)
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(member.pk))
    assert event.user == operator and event.path == "page" and event.reason == "Django admin"
    assert event.changes["email"][1] == "new@example.org" and event.changes["is_active"] == [True, False]


@pytest.mark.django_db
def test_a_password_set_in_the_admin_is_recorded_but_not_its_hash(client, world, make_persona, operator):
    member = make_persona("monitor")
    client.force_login(operator)
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    new = "Another-lumbar-2027"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(new)
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(member.pk))
    assert event.changes == {"password": ["", "changed"]} and event.user == operator


@pytest.mark.django_db
def test_a_refused_password_changes_nothing_and_records_nothing(client, world, make_persona, operator):
    member = make_persona("monitor")
    client.force_login(operator)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[member.pk]), {"password1": "short", "password2": "short"}
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()


@pytest.mark.django_db
def test_groups_are_not_in_the_admin(client, operator):
    from django.contrib.auth.models import Group

    assert Group not in admin.site._registry


@pytest.mark.django_db
def test_the_demo_admin_is_no_superuser_and_the_operator_has_no_study_role():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    demo_admin, operator = User.objects.get(username="admin"), User.objects.get(username="operator")
    assert not demo_admin.is_superuser and not demo_admin.is_staff
    assert operator.is_superuser and operator.is_staff and not operator.memberships.exists()
    assert "operator" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_demotes_an_admin_made_superuser_by_an_older_demo():
    call_command("load_demo", stdout=io.StringIO())
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.get(username="admin").is_superuser
    event = AuditEvent.objects.filter(object_type="accounts.user", changes__has_key="is_superuser").latest("pk")
    assert event.changes["is_superuser"] == [True, False] and event.path == "command"


@pytest.mark.django_db
def test_a_superusers_post_changing_a_participant_in_the_admin_is_refused_and_changes_nothing(client, world, operator):
    participant = world.participant_a
    before = list(type(participant).objects.filter(pk=participant.pk).values())
    client.force_login(operator)
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    data = {"identifier": "ALPHA-A-9999", "status": "withdrawn", "site": world.site_b.pk, "study": world.study.pk}
    assert client.post(url, data).status_code == 403
    assert list(type(participant).objects.filter(pk=participant.pk).values()) == before


@pytest.mark.django_db
def test_every_admin_page_of_the_products_rows_but_the_users_is_read_only_for_a_superuser(rf, operator):
    """Only the user page writes (through lbpb.services.user_update, audited); third-party pages (two-factor
    devices, django-axes' lock-outs) stay, as the product has no page for them."""
    from core.admin import ReadOnlyAdmin

    request = rf.get("/admin/")
    request.user = operator
    for model, model_admin in admin.site._registry.items():
        if model is User or model._meta.app_label in {"axes", "otp_static", "otp_totp"}:
            continue
        assert isinstance(model_admin, ReadOnlyAdmin), model
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), (model, inline)
            assert not inline.has_change_permission(request), (model, inline)
            assert not inline.has_delete_permission(request), (model, inline)
