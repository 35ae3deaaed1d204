"""Blinding matrix of the Django admin: every registered change list, change page and history page, walked
by an operator (staff and superuser, member of no study) and by a blinded Admin made staff, in both
languages, shows no arm code or name of a double-blind study with allocated participants; filtering or
searching on an arm tells nothing. The blind world and the leak detector are tests/test_blinding_matrix.py's.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import AuditEvent
from tests import test_blinding_matrix
from tests.factories import UserFactory
from tests.test_blinding_matrix import ARM_STRINGS, _leaks

blind_world = test_blinding_matrix.blind_world  # the fixture, shared


def admin_urls() -> list[str]:
    """Every change list, plus the change and history page of every row (up to 200) of each registered model."""
    urls = []
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{info}_changelist"))
        for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:200]:
            urls.append(reverse(f"{info}_change", args=[pk]))
            urls.append(reverse(f"{info}_history", args=[pk]))
    urls.append(reverse("admin:index"))
    return urls


def _operator():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.fixture
def viewers(blind_world, make_persona):
    staff_admin = make_persona("admin", all_sites=True)
    staff_admin.is_staff = True
    staff_admin.save(update_fields=["is_staff"])
    return {"operator": _operator(), "staff_admin": staff_admin}


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["operator", "staff_admin"])
def test_no_admin_page_shows_an_arm_of_a_blinded_study(client, blind_world, viewers, viewer):
    assert AuditEvent.objects.filter(changes__has_key="arm_code").exists()  # the trail holds the allocation
    client.force_login(viewers[viewer])
    urls = admin_urls()
    assert len(urls) > 30
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            assert not _leaks(response), (viewer, language, url, _leaks(response))


@pytest.mark.django_db
def test_the_admin_walk_would_catch_a_leak_because_the_statistician_sees_the_protocol_file(client, blind_world):
    blind_world.statistician.is_staff = blind_world.statistician.is_superuser = True
    blind_world.statistician.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(blind_world.statistician)
    version = blind_world.alpha_protocol
    page = client.get(reverse("admin:studies_protocolversion_change", args=[version.pk]))
    assert "Zeta high dose" in page.content.decode()
    event = AuditEvent.objects.filter(changes__has_key="arm_code", study=blind_world.study).first()
    assert "arm_zeta" in client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content.decode() or (
        "arm_omega" in client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content.decode()
    )


ARM_LOOKUPS = [
    ("admin:participants_participant_changelist", "arm_code__exact"),
    ("admin:participants_participant_changelist", "arm_code"),
    ("admin:participants_participant_changelist", "allocation_source__exact"),
    ("admin:instruments_response_changelist", "participant__arm_code"),
    ("admin:audit_auditevent_changelist", "changes__arm_code__1"),
    ("admin:audit_auditevent_changelist", "changes__icontains"),
    ("admin:imaging_datafile_changelist", "participant__arm_code__exact"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "lookup"), ARM_LOOKUPS)
def test_filtering_on_an_arm_gives_no_information(client, blind_world, name, lookup):
    client.force_login(_operator())
    answers = set()
    for value in ("arm_zeta", "arm_omega", "no_such_arm"):
        response = client.get(reverse(name), {lookup: value})
        assert response.status_code == 400, (name, lookup, value, response.status_code)
        answers.add(response.content)
    assert len(answers) == 1


@pytest.mark.django_db
def test_searching_the_participants_for_an_arm_finds_the_same_as_for_nothing(client, blind_world):
    client.force_login(_operator())
    url = reverse("admin:participants_participant_changelist")
    counts = {value: client.get(url, {"q": value}).context["cl"].result_count for value in ARM_STRINGS + ["nothing"]}
    assert set(counts.values()) == {0}


@pytest.mark.django_db
def test_the_offered_filters_still_work(client, blind_world):
    client.force_login(_operator())
    url = reverse("admin:participants_participant_changelist")
    response = client.get(url, {"site__id__exact": blind_world.site_a.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
