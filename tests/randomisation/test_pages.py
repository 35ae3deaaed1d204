"""Randomisation pages over HTTP: roles, blinding of the HTML and CSV, errors, Chinese."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from randomisation import services
from randomisation.models import AllocationList, AllocationSlot, UnblindingEvent
from tests.downloads import download_text

from .conftest import enrol, frozen_list, screen

CONFIRMED = {"confirmed": "1"}  # the second step of an irreversible action

# Words that would give an ADMSC arm away (names in English and Chinese, and the codes in context).
ARM_WORDS = (
    "High dose",
    "Mid dose",
    "Low dose",
    "Placebo",
    "高剂量",
    "中剂量",
    "低剂量",
    "安慰剂",
    "high",
    "placebo",
    ">mid<",
    ">low<",
)


def _assert_blind(html: str):
    for word in ARM_WORDS:
        assert word not in html, word


@pytest.fixture
def randomised(admsc):
    frozen_list(admsc)
    participant = enrol(admsc, name="Wang Wu")
    slot = services.participant_randomise(participant=participant, user=admsc.coordinator)
    participant.refresh_from_db()
    return participant, slot


def _get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"randomisation:{name}", args=args))


# Allocation lists ---------------------------------------------------------------------------------------------


def test_the_statistician_generates_freezes_and_views_a_list_with_its_seed(client, admsc):
    client.force_login(admsc.statistician)
    url = reverse("randomisation:list-index", args=[admsc.study.code])
    response = client.post(url, {"size": "100", "seed": "777", "strata": ["site"]})
    assert response.status_code == 302
    allocation_list = AllocationList.objects.get()
    assert allocation_list.seed == "777" and allocation_list.slots.count() == 200
    assert client.post(reverse("randomisation:list-freeze", args=[allocation_list.pk]), CONFIRMED).status_code == 302
    allocation_list.refresh_from_db()
    assert allocation_list.frozen
    detail = client.get(reverse("randomisation:list-detail", args=[allocation_list.pk])).content.decode()
    assert "777" in detail and "Placebo" in detail and "site=02" in detail
    assert sorted(allocation_list.group_labels.values()) == ["A", "B", "C", "D"]
    export = download_text(client.get(reverse("randomisation:list-csv", args=[allocation_list.pk])))
    assert export.splitlines()[0].startswith("randomisation_number,stratum,sequence,block,block_size,group,arm_code")
    assert len(export.splitlines()) == 201


def test_a_blinded_admin_who_posts_a_seed_is_refused_and_nothing_is_generated(client, admsc):
    client.force_login(admsc.admin)
    url = reverse("randomisation:list-index", args=[admsc.study.code])
    assert 'name="seed"' not in client.get(url).content.decode()  # the field is not even offered
    response = client.post(url, {"size": "8", "seed": "424242"})
    assert response.status_code == 403
    assert "Only the unblinded statistician may choose the seed" in response.content.decode()
    assert not AllocationList.objects.exists()


def test_an_admin_generates_from_a_server_seed_and_sees_neither_the_list_nor_the_seed(client, admsc):
    client.force_login(admsc.admin)
    url = reverse("randomisation:list-index", args=[admsc.study.code])
    assert client.post(url, {"size": "8"}).status_code == 302
    allocation_list = AllocationList.objects.get()
    assert int(allocation_list.seed).bit_length() > 64  # drawn by the server (128 bits), not chosen
    page = client.get(url).content.decode()
    assert allocation_list.seed not in page and allocation_list.list_sha256 not in page
    _assert_blind(page)
    assert client.get(reverse("randomisation:list-detail", args=[allocation_list.pk])).status_code == 403
    assert client.get(reverse("randomisation:list-csv", args=[allocation_list.pk])).status_code == 403


@pytest.mark.parametrize("role", ["pi", "coordinator", "monitor", "data_manager"])
def test_other_roles_may_not_generate_or_see_lists(client, admsc, role):
    frozen_list(admsc, size=4)
    user = getattr(admsc, role)
    assert _get(client, user, "list-index", admsc.study.code).status_code == 403
    assert client.post(reverse("randomisation:list-index", args=[admsc.study.code]), {"size": "4"}).status_code == 403
    assert _get(client, user, "list-detail", AllocationList.objects.get().pk).status_code == 403
    assert AllocationList.objects.count() == 1


def test_a_bad_generation_form_shows_errors_next_to_the_fields_and_keeps_the_input(client, admsc):
    client.force_login(admsc.statistician)
    response = client.post(
        reverse("randomisation:list-index", args=[admsc.study.code]), {"size": "0", "seed": "12", "strata": ["site"]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is greater than or equal to 1" in html
    assert 'value="12"' in html and "checked" in html
    response = client.post(reverse("randomisation:list-index", args=[admsc.study.code]), {"size": "4", "seed": "1e9"})
    assert response.status_code == 200 and "digits only" in response.content.decode()
    assert not AllocationList.objects.exists()


# Randomise ----------------------------------------------------------------------------------------------------


def test_a_coordinator_randomises_and_sees_the_number_and_time_but_not_the_arm(client, admsc):
    frozen_list(admsc)
    participant = enrol(admsc)
    client.force_login(admsc.coordinator)
    url = reverse("randomisation:participant-randomise", args=[participant.pk])
    assert client.post(url, CONFIRMED).status_code == 302
    html = client.get(url).content.decode()
    slot = AllocationSlot.objects.get(used_by=participant)
    assert slot.number in html and "Randomised at" in html
    _assert_blind(html)


def test_the_unblinded_statistician_sees_the_arm_on_the_randomisation_page(client, admsc, randomised):
    participant, slot = randomised
    html = _get(client, admsc.statistician, "participant-randomise", participant.pk).content.decode()
    assert 'id="arm"' in html and slot.number in html


@pytest.mark.parametrize("role", ["admin", "data_manager", "pi", "coordinator", "monitor"])
def test_blinded_roles_never_see_an_arm_on_the_randomisation_page(client, admsc, randomised, role):
    participant, slot = randomised
    html = _get(client, getattr(admsc, role), "participant-randomise", participant.pk).content.decode()
    assert slot.number in html
    assert 'id="arm"' not in html
    _assert_blind(html)


def test_randomising_an_unconsented_participant_shows_a_clear_message_and_writes_nothing(client, admsc):
    frozen_list(admsc)
    participant = screen(admsc)
    client.force_login(admsc.pi)
    response = client.post(reverse("randomisation:participant-randomise", args=[participant.pk]), CONFIRMED)
    assert response.status_code == 400
    assert "Only an enrolled participant can be randomised." in response.content.decode()
    assert not AllocationSlot.objects.exclude(used_by=None).exists()


def test_randomising_twice_over_http_says_so(client, admsc, randomised):
    participant, _slot = randomised
    client.force_login(admsc.pi)
    url = reverse("randomisation:participant-randomise", args=[participant.pk])
    html = client.get(url).content.decode()
    assert 'id="randomise"' not in html
    response = client.post(url, CONFIRMED)
    assert response.status_code == 400 and "already randomised" in response.content.decode()
    _assert_blind(response.content.decode())


@pytest.mark.parametrize("role", ["monitor", "data_manager", "admin", "statistician"])
def test_only_pi_and_coordinator_may_randomise(client, admsc, role):
    frozen_list(admsc)
    participant = enrol(admsc)
    client.force_login(getattr(admsc, role))
    assert client.post(reverse("randomisation:participant-randomise", args=[participant.pk])).status_code == 403
    assert not AllocationSlot.objects.exclude(used_by=None).exists()


def test_a_site_01_coordinator_gets_404_for_a_site_02_participant(client, admsc):
    frozen_list(admsc)
    other = enrol(admsc, site=admsc.site_2, user=admsc.admin)
    client.force_login(admsc.coordinator)
    assert client.post(reverse("randomisation:participant-randomise", args=[other.pk])).status_code == 404
    assert not AllocationSlot.objects.exclude(used_by=None).exists()


# Emergency unblinding -----------------------------------------------------------------------------------------


def test_a_pi_unblinds_with_a_reason_sees_the_arm_and_data_managers_are_mailed(
    client, admsc, randomised, django_capture_on_commit_callbacks
):
    participant, slot = randomised
    client.force_login(admsc.pi)
    url = reverse("randomisation:participant-unblind", args=[participant.pk])
    before = client.get(url).content.decode()
    _assert_blind(before)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Severe allergic reaction", "confirm": "on"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert 'id="revealed-arm"' in html
    assert any(word in html for word in ("High dose", "Mid dose", "Low dose", "Placebo"))
    assert [m.to for m in mail.outbox] == [["dm@example.org"]]
    event = UnblindingEvent.objects.get()
    assert (event.user, event.participant, event.reason) == (admsc.pi, participant, "Severe allergic reaction")
    # The reveal stays on that page: the randomisation page still shows only the number, even to the PI.
    _assert_blind(_get(client, admsc.pi, "participant-randomise", participant.pk).content.decode())


def test_unblinding_without_a_reason_is_refused_next_to_the_field(client, admsc, randomised):
    participant, _slot = randomised
    client.force_login(admsc.pi)
    response = client.post(
        reverse("randomisation:participant-unblind", args=[participant.pk]), {"reason": "", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    _assert_blind(response.content.decode())
    assert not UnblindingEvent.objects.exists() and not mail.outbox


@pytest.mark.parametrize("role", ["coordinator", "monitor", "data_manager", "admin", "statistician"])
def test_only_a_pi_may_request_an_unblinding(client, admsc, randomised, role):
    participant, _slot = randomised
    client.force_login(getattr(admsc, role))
    url = reverse("randomisation:participant-unblind", args=[participant.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
    assert not UnblindingEvent.objects.exists()


def test_the_report_and_csv_list_unblindings_without_arms(client, admsc, randomised):
    participant, slot = randomised
    services.unblinding_request(participant=participant, user=admsc.pi, reason="Pregnancy")
    for role in ("admin", "data_manager", "statistician"):
        html = _get(client, getattr(admsc, role), "unblinding-report", admsc.study.code).content.decode()
        assert "1 emergency unblinding." in html and "Pregnancy" in html and slot.number in html
        _assert_blind(html)
        export = download_text(client.get(reverse("randomisation:unblinding-csv", args=[admsc.study.code])))
        assert "Pregnancy" in export and participant.identifier in export and "admsc-pi" in export
        _assert_blind(export)
    for role in ("pi", "coordinator", "monitor"):
        assert _get(client, getattr(admsc, role), "unblinding-report", admsc.study.code).status_code == 403


def test_data_managers_see_their_notifications(client, admsc, randomised):
    participant, _slot = randomised
    services.unblinding_request(participant=participant, user=admsc.pi, reason="Overdose suspected")
    html = _get(client, admsc.data_manager, "notification-list", admsc.study.code).content.decode()
    assert "Overdose suspected" in html and participant.identifier in html
    _assert_blind(html)
    assert "Overdose" not in _get(client, admsc.monitor, "notification-list", admsc.study.code).content.decode()


def test_pages_speak_chinese(client, admsc, randomised):
    participant, slot = randomised
    client.cookies["django_language"] = "zh-hans"
    html = _get(client, admsc.pi, "participant-randomise", participant.pk).content.decode()
    assert "随机号" in html and slot.number in html
    _assert_blind(html)
    html = _get(client, admsc.pi, "participant-unblind", participant.pk).content.decode()
    assert "紧急揭盲" in html


def test_the_unblinding_report_runs_a_fixed_number_of_queries(client, admsc, django_assert_max_num_queries):
    frozen_list(admsc)
    for i in range(5):
        participant = enrol(admsc, name=f"P{i}")
        services.participant_randomise(participant=participant, user=admsc.coordinator)
        services.unblinding_request(participant=participant, user=admsc.pi, reason=f"Reason {i}")
    client.force_login(admsc.data_manager)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("randomisation:unblinding-report", args=[admsc.study.code])).content.decode()
    assert "5 emergency unblindings." in html


def test_free_text_cannot_become_a_spreadsheet_formula(client, admsc, randomised):
    participant, _slot = randomised
    services.unblinding_request(participant=participant, user=admsc.pi, reason='=HYPERLINK("http://x")')
    content = download_text(_get(client, admsc.data_manager, "unblinding-csv", admsc.study.code))
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][-1] == '\'=HYPERLINK("http://x")'
