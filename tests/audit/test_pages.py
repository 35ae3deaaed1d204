"""Audit trail pages through HTTP: scope, filters, CSV, blinding, read-only, Chinese."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.services import membership_grant
from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UPDATE = AuditEvent.Action.UPDATE


def _at(days_ago: int):
    return timezone.now() - datetime.timedelta(days=days_ago)


def _record(participant, *, user=None, action=UPDATE, changes=None, reason="", path="page", days_ago=0, **extra):
    if days_ago:  # an event of the past, written directly (audit_record always stamps "now")
        return AuditEvent.objects.create(
            study=participant.study,
            site=participant.site,
            participant=participant,
            user=user,
            action=action,
            object_type="participants.participant",
            object_id=str(participant.pk),
            object_label=str(participant),
            changes=changes or {},
            reason=reason,
            path=path,
            at=_at(days_ago),
        )
    return audit_record(
        user=user, action=action, instance=participant, changes=changes or {}, reason=reason, path=path, **extra
    )


@pytest.fixture
def trail(world):
    """Three events for participant A (two users, two paths, one old), one at site B, one in study beta."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    membership_grant(user=alice, study=world.study, role="coordinator", sites=[world.site_a])
    membership_grant(user=bob, study=world.study, role="coordinator", sites=[world.site_a, world.site_b])
    _record(
        world.participant_a, user=alice, changes={"status": ["screening", "enrolled"]}, reason="consented", days_ago=10
    )
    _record(
        world.participant_a,
        user=bob,
        action=AuditEvent.Action.ALLOCATE,
        changes={"arm_code": ["", "stem_cells"], "allocation_source": ["", "randomisation"]},
    )
    _record(
        world.participant_a,
        user=alice,
        action=AuditEvent.Action.VERIFY,
        path="api",
        object_label="PHQ-9 · baseline",
        object_type="instruments.response",
        object_id="77",
    )
    _record(world.participant_b, user=bob, changes={"status": ["screening", "enrolled"]}, reason="site B reason")
    _record(world.participant_c, changes={"status": ["screening", "enrolled"]}, reason="beta reason")
    return {"alice": alice, "bob": bob}


def _participant_url(world, participant=None, **query):
    url = reverse("audit:participant-events", args=[(participant or world.participant_a).pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_a_coordinator_reads_the_trail_of_a_participant_at_their_site(client, world, make_persona, trail):
    client.force_login(make_persona("coordinator"))
    page = client.get(_participant_url(world)).content.decode()
    assert "ALPHA-A-0001" in page and "consented" in page and "PHQ-9 · baseline" in page
    assert "site B reason" not in page and "beta reason" not in page
    assert client.get(_participant_url(world, world.participant_b)).status_code == 404
    assert client.get(_participant_url(world, world.participant_c)).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "verify"}, ["verify"]),
        ({"path": "api"}, ["verify"]),
        ({"object_type": "instruments.response"}, ["verify"]),
        ({"date_to": (timezone.localdate() - datetime.timedelta(days=5)).isoformat()}, ["update"]),
        ({"date_from": (timezone.localdate() - datetime.timedelta(days=5)).isoformat()}, ["verify", "allocate"]),
        ({}, ["verify", "allocate", "update"]),
    ],
)
def test_the_filters_narrow_the_trail(client, world, make_persona, trail, query, expected):
    client.force_login(make_persona("data_manager"))
    response = client.get(_participant_url(world, **query))
    assert [row.event.action for row in response.context["rows"]] == expected


def test_the_user_filter(client, world, make_persona, trail):
    client.force_login(make_persona("data_manager"))
    response = client.get(_participant_url(world, user=trail["bob"].pk))
    assert [row.event.user for row in response.context["rows"]] == [trail["bob"]]


def test_a_bad_filter_shows_its_error_and_keeps_what_was_typed(client, world, make_persona, trail):
    client.force_login(make_persona("data_manager"))
    response = client.get(
        _participant_url(world, date_from="2026-05-10", date_to="2026-05-01", user="99999", action="verify")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date is before the start date." in page
    assert 'value="2026-05-10"' in page and 'value="2026-05-01"' in page
    assert response.context["form"].errors.keys() == {"date_to", "user"}
    assert [row.event.action for row in response.context["rows"]] == ["verify"]  # the valid filter still applies
    assert client.get(_participant_url(world, date_from="not-a-date", page="x")).status_code == 200


def test_the_csv_has_one_line_per_changed_field_and_respects_the_filters(client, world, make_persona, trail):
    manager = make_persona("data_manager")
    client.force_login(manager)
    response = client.get(_participant_url(world, format="csv", action="allocate"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert [(r["field"], r["old_value"], r["new_value"]) for r in rows] == [
        ("allocation_source", "", "randomisation"),
        ("arm_code", "", "stem_cells"),
    ]
    assert {r["participant"] for r in rows} == {"ALPHA-A-0001"}
    assert {r["user"] for r in rows} == {"bob"} and {r["site"] for r in rows} == {"A"}
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (export.user, export.participant) == (manager, world.participant_a)
    assert export.object_label == f"audit-participant-{world.participant_a.pk}.csv"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, world, make_persona):
    _record(world.participant_a, reason='=HYPERLINK("http://x")')
    client.force_login(make_persona("data_manager"))
    rows = _csv(client.get(_participant_url(world, format="csv")))
    assert rows[0]["reason"].startswith("'=")


def test_study_wide_and_per_user_trails_are_for_auditors_only(client, world, make_persona, trail):
    study_url = reverse("audit:study-events", args=[world.study.code])
    bob_url = reverse("audit:user-events", args=[world.study.code, trail["bob"].pk])
    for role in ("pi", "coordinator", "unblinded_statistician"):
        client.force_login(make_persona(role))
        assert client.get(study_url).status_code == 403, role
        assert client.get(bob_url).status_code == 403, role
    client.force_login(make_persona("monitor"))
    page = client.get(study_url).content.decode()
    assert "consented" in page and "site B reason" not in page and "beta reason" not in page
    assert [row.event.participant for row in client.get(bob_url).context["rows"]] == [world.participant_a]


def test_an_all_sites_data_manager_sees_both_sites_but_never_the_other_study(client, world, make_persona, trail):
    client.force_login(make_persona("data_manager", all_sites=True))
    page = client.get(reverse("audit:study-events", args=[world.study.code])).content.decode()
    assert "consented" in page and "site B reason" in page and "beta reason" not in page
    assert client.get(reverse("audit:study-events", args=[world.other_study.code])).status_code == 404
    stranger = UserFactory()
    membership_grant(user=stranger, study=world.other_study, role="admin", all_sites=True)
    assert client.get(reverse("audit:user-events", args=[world.study.code, stranger.pk])).status_code == 404


def test_the_object_trail_shows_one_object_in_scope(client, world, make_persona, trail):
    client.force_login(make_persona("coordinator"))
    response = client.get(reverse("audit:object-events", args=["instruments.response", "77"]))
    assert [row.event.action for row in response.context["rows"]] == ["verify"]
    assert "PHQ-9 · baseline" in response.content.decode()
    participant_b = reverse("audit:object-events", args=["participants.participant", world.participant_b.pk])
    assert client.get(participant_b).status_code == 404
    assert client.get(reverse("audit:object-events", args=["instruments.response", "78"])).status_code == 404


@pytest.fixture
def double_blind(world):
    world.study.blinding = "double"
    world.study.save()
    return world


@pytest.mark.parametrize(
    ("role", "masked"),
    [
        ("coordinator", True),
        ("pi", True),
        ("data_manager", True),
        ("monitor", True),
        ("admin", True),
        ("unblinded_statistician", False),
    ],
)
def test_blinded_roles_see_masked_arm_values_in_pages_and_csv(client, double_blind, make_persona, trail, role, masked):
    world = double_blind
    client.force_login(make_persona(role))
    page = client.get(_participant_url(world)).content.decode()
    rows = _csv(client.get(_participant_url(world, format="csv")))
    arm = [r for r in rows if r["field"] == "arm_code"][0]
    source = [r for r in rows if r["field"] == "allocation_source"][0]
    assert source["new_value"] == "randomisation"  # not sensitive: shown to everyone
    if masked:
        assert "stem_cells" not in page and "••• blinded" in page
        assert arm["new_value"] == "••• blinded" and "stem_cells" not in str(rows)
    else:
        assert "stem_cells" in page and "••• blinded" not in page
        assert arm["new_value"] == "stem_cells"


def test_in_an_open_study_everyone_sees_the_arm(client, world, make_persona, trail):
    client.force_login(make_persona("coordinator"))
    assert "stem_cells" in client.get(_participant_url(world)).content.decode()


def _all_audit_urls(world, trail):
    return [
        _participant_url(world),
        reverse("audit:study-events", args=[world.study.code]),
        reverse("audit:user-events", args=[world.study.code, trail["bob"].pk]),
        reverse("audit:object-events", args=["instruments.response", "77"]),
    ]


@pytest.mark.parametrize("role", ["admin", "data_manager"])
def test_no_http_method_can_change_or_delete_an_audit_event(client, world, make_persona, trail, role):
    client.force_login(make_persona(role, all_sites=True))
    before = list(AuditEvent.objects.order_by("pk").values())
    for url in _all_audit_urls(world, trail):
        assert client.get(url).status_code == 200, url
        for method in (client.post, client.put, client.patch, client.delete):
            response = method(url, {"reason": "rewritten", "action": "delete"})
            assert response.status_code == 405, (url, method)
    assert list(AuditEvent.objects.order_by("pk").values()) == before


def test_staff_with_model_permissions_but_no_superuser_status_cannot_read_events_in_the_admin(client, world, trail):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="auditevent"))
    client.force_login(staff)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403


def test_the_admin_shows_events_but_cannot_add_change_or_delete(client, world, trail):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    event = AuditEvent.objects.filter(participant=world.participant_a).first()
    before = list(AuditEvent.objects.order_by("pk").values())
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_add"), {"reason": "forged"}).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"reason": "rewritten"}).status_code
        == 403
    )
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert list(AuditEvent.objects.order_by("pk").values()) == before


def test_the_trail_is_paginated(client, world, make_persona):
    for number in range(55):
        audit_record(user=None, action=UPDATE, instance=world.participant_a, reason=f"r{number}", path="system")
    client.force_login(make_persona("data_manager"))
    first = client.get(_participant_url(world, path="system"))
    assert len(first.context["rows"]) == 50
    second = client.get(_participant_url(world, path="system", page=2))
    assert len(second.context["rows"]) == 5
    assert "path=system" in first.content.decode().split("page=2")[0][-200:]


def test_the_trail_page_in_chinese(client, double_blind, make_persona, trail):
    client.cookies["django_language"] = "zh-hans"
    client.force_login(make_persona("coordinator"))
    page = client.get(_participant_url(double_blind)).content.decode()
    assert "稽查轨迹" in page and "下载CSV" in page
    assert "stem_cells" not in page and "••• 设盲" in page


def test_the_list_does_a_fixed_number_of_queries(client, world, make_persona, trail, django_assert_max_num_queries):
    for _ in range(30):
        audit_record(user=trail["alice"], action=UPDATE, instance=world.participant_a, path="system")
    client.force_login(make_persona("data_manager"))
    with django_assert_max_num_queries(20):
        client.get(_participant_url(world))


def test_a_participant_trail_keeps_history_recorded_at_another_site(client, world, make_persona):
    """A participant who moved from site B to site A: site A's staff read the whole history."""
    audit_record(
        user=None, action=UPDATE, instance=world.participant_a, site=world.site_b, reason="seen at B", path="system"
    )
    client.force_login(make_persona("coordinator"))
    assert "seen at B" in client.get(_participant_url(world)).content.decode()
    study_wide = make_persona("monitor")
    client.force_login(study_wide)
    assert "seen at B" not in client.get(reverse("audit:study-events", args=[world.study.code])).content.decode()
