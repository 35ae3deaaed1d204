"""Allocation secrecy: who may choose a seed, that a chosen seed rebuilds its list, and that no page, export,
audit row or admin page seen by a blinded role holds the seed (or the list's hash, which would confirm a
guessed seed offline)."""

import json

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from audit.models import AuditEvent
from randomisation import services
from randomisation.lists import generate_allocation_list, list_sha256
from randomisation.models import AllocationList, AllocationSlot
from randomisation.selectors import reproduction_call

from .conftest import enrol
from .test_pages import _assert_blind

CONFIRMED = {"confirmed": "1"}  # the second step of an irreversible action

BLINDED = ["admin", "data_manager", "pi", "coordinator", "monitor"]
CHOSEN_SEED = str(2**127 + 987654321)  # a statistician's seed, distinctive in any page


def _body(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


# Who may choose the seed ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", BLINDED)
def test_the_service_refuses_a_seed_from_every_blinded_role_and_writes_nothing(admsc, role):
    with pytest.raises(ValidationError, match="Only the unblinded statistician may choose the seed") as caught:
        services.allocation_list_generate(study=admsc.study, user=getattr(admsc, role), size=8, seed=12345)
    assert caught.value.code == "seed_forbidden"
    assert not AllocationList.objects.exists() and not AllocationSlot.objects.exists()
    assert not AuditEvent.objects.filter(object_type="randomisation.allocationlist").exists()


def test_the_generation_form_offers_the_seed_to_the_statistician_only(client, admsc):
    url = reverse("randomisation:list-index", args=[admsc.study.code])
    client.force_login(admsc.statistician)
    assert 'name="seed"' in client.get(url).content.decode()
    client.force_login(admsc.admin)
    assert 'name="seed"' not in client.get(url).content.decode()


def test_a_refused_seed_reads_in_chinese_too(client, admsc):
    client.force_login(admsc.admin)
    url = reverse("randomisation:list-index", args=[admsc.study.code])
    response = client.post(url, {"size": "8", "seed": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "只有非盲态统计师可以选择随机种子" in response.content.decode()
    assert not AllocationList.objects.exists()


def test_a_seed_longer_than_78_digits_is_a_form_error_and_nothing_is_generated(client, admsc):
    client.force_login(admsc.statistician)
    url = reverse("randomisation:list-index", args=[admsc.study.code])
    response = client.post(url, {"size": "8", "seed": "9" * 79})
    assert response.status_code == 200 and "at most 78 characters" in response.content.decode()
    assert not AllocationList.objects.exists()


# The statistician's seed rebuilds the list; the audit row proves it ---------------------------------------------


def test_the_statisticians_seed_rebuilds_the_list_and_matches_the_recorded_hash(client, admsc):
    client.force_login(admsc.statistician)
    url = reverse("randomisation:list-index", args=[admsc.study.code])
    assert client.post(url, {"size": "30", "seed": CHOSEN_SEED, "strata": ["site"]}).status_code == 302
    allocation_list = AllocationList.objects.get()
    assert allocation_list.seed == CHOSEN_SEED
    # The call docs/randomisation.md gives, with what the detail page shows.
    rebuilt = generate_allocation_list(
        seed=int(CHOSEN_SEED),
        arms={"high": 1, "mid": 1, "low": 1, "placebo": 1},
        size=30,
        block_multipliers=(1, 2, 3),
        strata=["site=01", "site=02"],
    )
    stored = list(allocation_list.slots.order_by("number"))
    assert [(s.number, s.stratum, s.sequence, s.arm, s.block, s.block_size) for s in rebuilt] == [
        (s.number, s.stratum, s.sequence, s.arm_code, s.block, s.block_size) for s in stored
    ]
    assert list_sha256(rebuilt) == allocation_list.list_sha256
    # The page's own snippet runs and checks itself.
    snippet = reproduction_call(allocation_list)
    exec(snippet, {})  # noqa: S102 - our own generated text: it raises AssertionError if the hash differs
    detail = client.get(reverse("randomisation:list-detail", args=[allocation_list.pk])).content.decode()
    assert CHOSEN_SEED in detail and allocation_list.list_sha256 in detail


def test_generation_is_audited_with_who_and_the_hash_never_the_seed(admsc):
    allocation_list = services.allocation_list_generate(
        study=admsc.study, user=admsc.statistician, size=8, seed=int(CHOSEN_SEED)
    )
    event = AuditEvent.objects.get(object_type="randomisation.allocationlist", action="create")
    assert event.user == admsc.statistician
    assert event.changes["list_sha256"] == [None, allocation_list.list_sha256]
    assert event.changes["seed_source"] == [None, "statistician"]
    assert "list_sha256" in event.sensitive_fields
    assert CHOSEN_SEED not in json.dumps(event.changes) + event.object_label + event.reason
    server = services.allocation_list_generate(study=admsc.study, user=admsc.admin, size=8)
    event = AuditEvent.objects.filter(object_type="randomisation.allocationlist").order_by("-pk").first()
    assert event.user == admsc.admin and event.changes["seed_source"] == [None, "server"]
    assert server.seed not in json.dumps(event.changes)


# No blinded response holds the seed -----------------------------------------------------------------------------


@pytest.fixture
def secret_world(client, admsc):
    """A draft list from a server seed (generated by the Admin), a frozen one from the statistician's seed, a
    randomised participant, an export of the list and an emergency unblinding: every randomisation page has
    something to show."""
    index = reverse("randomisation:list-index", args=[admsc.study.code])
    client.force_login(admsc.admin)
    assert client.post(index, {"size": "6"}).status_code == 302
    client.force_login(admsc.statistician)
    assert client.post(index, {"size": "6", "seed": CHOSEN_SEED, "strata": ["site"]}).status_code == 302
    server_list, chosen_list = AllocationList.objects.order_by("pk")
    assert client.post(reverse("randomisation:list-freeze", args=[chosen_list.pk]), CONFIRMED).status_code == 302
    participant = enrol(admsc, name="Zhao Liu")
    slot = services.participant_randomise(participant=participant, user=admsc.coordinator)
    assert client.get(reverse("randomisation:list-csv", args=[chosen_list.pk])).status_code == 200
    services.unblinding_request(participant=participant, user=admsc.pi, reason="Anaphylaxis")
    secrets = [server_list.seed, chosen_list.seed, server_list.list_sha256, chosen_list.list_sha256]
    return server_list, chosen_list, participant, slot, secrets


def _randomisation_urls(admsc, server_list, chosen_list, participant):
    study = admsc.study.code
    urls = [reverse(name, args=[study]) for name in ("randomisation:list-index", "randomisation:unblinding-report")]
    urls += [
        reverse("randomisation:unblinding-csv", args=[study]),
        reverse("randomisation:notification-list", args=[study]),
    ]
    for allocation_list in (server_list, chosen_list):
        urls += [reverse(f"randomisation:list-{view}", args=[allocation_list.pk]) for view in ("detail", "csv")]
    urls += [reverse(f"randomisation:participant-{view}", args=[participant.pk]) for view in ("randomise", "unblind")]
    return urls


def _trail_urls(admsc, server_list, chosen_list, participant, slot):
    study = admsc.study.code
    urls = [reverse("audit:study-events", args=[study]), reverse("audit:participant-events", args=[participant.pk])]
    for role in ["statistician", *BLINDED]:
        urls.append(reverse("audit:user-events", args=[study, getattr(admsc, role).pk]))
    for object_type, pk in (
        ("randomisation.allocationlist", server_list.pk),
        ("randomisation.allocationlist", chosen_list.pk),
        ("randomisation.allocationslot", slot.pk),
    ):
        urls.append(reverse("audit:object-events", args=[object_type, pk]))
    return urls + [f"{url}?format=csv" for url in urls]


@pytest.mark.parametrize("role", BLINDED)
def test_no_randomisation_or_audit_trail_response_to_a_blinded_role_holds_the_seed(client, admsc, secret_world, role):
    server_list, chosen_list, participant, slot, secrets = secret_world
    client.force_login(getattr(admsc, role))
    pages = _randomisation_urls(admsc, server_list, chosen_list, participant)
    trail = _trail_urls(admsc, server_list, chosen_list, participant, slot)
    answered = 0
    for url in pages + trail:
        response = client.get(url)
        body = _body(response)
        for secret in secrets:
            assert secret not in body, (role, url)
        if url in pages and not (role == "pi" and url.endswith("/unblind/")):  # the PI unblinded: may see it
            _assert_blind(body)
        answered += response.status_code == 200
    assert answered >= 3  # some pages answered with content, not only refusals


def test_the_statistician_does_see_the_seed_so_the_crawl_would_catch_it(client, admsc, secret_world):
    server_list, chosen_list, _participant, _slot, secrets = secret_world
    client.force_login(admsc.statistician)
    index = client.get(reverse("randomisation:list-index", args=[admsc.study.code])).content.decode()
    assert server_list.seed in index and chosen_list.seed in index
    detail = client.get(reverse("randomisation:list-detail", args=[chosen_list.pk])).content.decode()
    assert chosen_list.seed in detail and chosen_list.list_sha256 in detail
    # The recorded hash, in the trail of the list (docs/randomisation.md, "Rebuilding a list").
    trail = client.get(reverse("audit:object-events", args=["randomisation.allocationlist", chosen_list.pk]))
    assert trail.status_code == 200 and chosen_list.list_sha256 in trail.content.decode()


def test_no_audit_row_stores_the_seed(secret_world):
    *_rest, secrets = secret_world
    for event in AuditEvent.objects.all():
        stored = json.dumps(event.changes) + event.object_label + event.reason
        assert secrets[0] not in stored and secrets[1] not in stored, event.pk


def test_the_django_admin_shows_a_superuser_admin_no_seed(client, admsc, secret_world):
    """The demo admin is a superuser holding the (blinded) Admin role: crawl every admin list and the change
    pages of the audit events of the study."""
    *_rest, secrets = secret_world
    assert AllocationList not in admin.site._registry and AllocationSlot not in admin.site._registry
    demo_admin = admsc.admin
    demo_admin.is_staff = demo_admin.is_superuser = True
    demo_admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(demo_admin)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        try:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        except NoReverseMatch:
            continue
    urls += [
        reverse("admin:audit_auditevent_change", args=[event.pk])
        for event in AuditEvent.objects.filter(study=admsc.study)
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        body = _body(response)
        for secret in secrets:
            assert secret not in body, url
