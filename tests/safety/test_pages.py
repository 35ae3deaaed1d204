"""Safety pages through HTTP: the AE log, the study overview with its clocks, the SAE report page and the
DSMB listing, scoped to the user's sites and blinded for everyone but the unblinded statistician."""

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from participants.models import Visit
from safety.models import AdverseEvent, SaeReport
from tests.downloads import download_text

from .conftest import MILD, SERIOUS, submit_ae


@pytest.fixture
def serious(safe):
    submit_ae(safe.participant, safe.coordinator, SERIOUS)
    return AdverseEvent.objects.get()


def test_the_ae_log_lists_events_and_links_to_each_form_and_a_new_entry(client, safe, serious):
    submit_ae(safe.participant, safe.coordinator, MILD, instance=2)
    client.force_login(safe.coordinator)
    page = client.get(reverse("safety:adverseevent-list", args=[safe.participant.pk])).content.decode()
    assert "Wound infection" in page and "Headache" in page
    assert "Grade 3: severe or medically significant" in page and "Possibly related" in page
    crf = reverse("workflows:response-edit", args=[safe.participant.pk, "baseline", "ae_record"])
    assert f"{crf}?instance=1" in page and f"{crf}?instance=2" in page
    assert f'id="new-ae" href="{crf}?instance=3"' in page
    assert reverse("safety:saereport-edit", args=[serious.pk]) in page


def test_a_new_entry_goes_to_the_latest_visit_whose_window_has_opened(client, safe, serious):
    today = timezone.localdate()
    for code, offset in (("baseline", -40), ("m1", -3)):
        target = today + timedelta(days=offset)
        Visit.objects.create(
            participant=safe.participant,
            visit_code=code,
            anchor_code="enrolment",
            target_date=target,
            window_start=target - timedelta(days=1),
            window_end=target + timedelta(days=5),
        )
    client.force_login(safe.pi)
    page = client.get(reverse("safety:adverseevent-list", args=[safe.participant.pk])).content.decode()
    crf = reverse("workflows:response-edit", args=[safe.participant.pk, "m1", "ae_record"])
    assert f'id="new-ae" href="{crf}?instance=1"' in page


def test_a_monitor_reads_the_log_without_a_new_entry_link(client, safe, serious):
    client.force_login(safe.monitor)
    page = client.get(reverse("safety:adverseevent-list", args=[safe.participant.pk])).content.decode()
    assert "Wound infection" in page and 'id="new-ae"' not in page


def test_the_overview_counts_by_site_and_shows_coloured_clocks_in_beijing_time(client, safe, serious):
    submit_ae(safe.participant_2, safe.coordinator_2, MILD)
    client.force_login(safe.data_manager)
    page = client.get(reverse("safety:study-overview", args=[safe.study.code])).content.decode()
    # The event learned of at 20:30 on 2 March: 12-hour reports due 08:30, the team leader's 20:30 on 3 March.
    assert page.count("2026-03-03 08:30") == 2 and page.count("2026-03-03 20:30") == 1
    assert 'data-recipient="ethics_committee" data-state="overdue"' in page  # the real "now" is after March 2026
    assert "table-danger" in page
    assert "<td>01</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td>" in page
    assert "<td>02</td><td>1</td>" in page


def test_a_site_2_coordinator_sees_only_site_2(client, safe, serious):
    client.force_login(safe.coordinator_2)
    page = client.get(reverse("safety:study-overview", args=[safe.study.code])).content.decode()
    assert "SAFE-01-0001" not in page and "No SAE report is open." in page
    assert client.get(reverse("safety:saereport-edit", args=[serious.pk])).status_code == 404
    assert client.get(reverse("safety:adverseevent-list", args=[safe.participant.pk])).status_code == 404


def _post(client, event, recipient="ethics_committee", **fields):
    data = {
        "recipient": recipient,
        f"{recipient}-reported_at": "2026-03-02T23:10",
        f"{recipient}-reported_to": "Prof. Li, ethics committee office",
        f"{recipient}-method": "email",
        f"{recipient}-notes": "Form sent",
    }
    data.update({f"{recipient}-{key}": value for key, value in fields.items()})
    return client.post(reverse("safety:saereport-edit", args=[event.pk]), data)


def test_the_coordinator_records_who_when_and_how_for_one_recipient(client, safe, serious):
    client.force_login(safe.coordinator)
    response = _post(client, serious)
    assert response.status_code == 302
    report = SaeReport.objects.get(recipient="ethics_committee")
    assert report.reported_at == datetime(2026, 3, 2, 15, 10, tzinfo=UTC)  # 23:10 in Beijing
    assert (report.reported_to, report.method, report.recorded_by) == (
        "Prof. Li, ethics committee office",
        "email",
        safe.coordinator,
    )
    event = AuditEvent.objects.get(object_type="safety.saereport", action="update", object_id=str(report.pk))
    assert event.changes["method"] == ["", "email"] and event.user == safe.coordinator
    page = client.get(reverse("safety:saereport-edit", args=[serious.pk])).content.decode()
    assert "Reported 2026-03-02 23:10 to Prof. Li, ethics committee office (E-mail)." in page
    assert SaeReport.objects.filter(reported_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reported_at", "2026-03-02T19:00", "before the investigator learned"),
        # Within the sane date range (core.validation), but after today.
        ("reported_at", f"{timezone.localdate().year + 1}-01-01T10:00", "cannot be in the future"),
        ("reported_at", "yesterday", "Enter a valid date/time."),
        ("reported_to", "", "This field is required."),
        ("method", "pigeon", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(client, safe, serious, field, value, message):
    client.force_login(safe.coordinator)
    response = _post(client, serious, **{field: value})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert f'id="error_1_id_ethics_committee-{field}"' in page
    assert "Prof. Li, ethics committee office" in page or field == "reported_to"  # what was typed stays
    assert not SaeReport.objects.filter(reported_at__isnull=False).exists()


def test_a_monitor_may_not_record_reporting(client, safe, serious):
    client.force_login(safe.monitor)
    assert _post(client, serious).status_code == 403
    assert not SaeReport.objects.filter(reported_at__isnull=False).exists()


def _listing(client, user, study):
    client.force_login(user)
    response = client.get(reverse("safety:dsmb-listing", args=[study.code]) + "?start=2026-01-01")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(download_text(response))))


def test_the_dsmb_listing_shows_randomisation_numbers_to_blinded_roles(client, safe, serious):
    submit_ae(safe.participant_2, safe.coordinator_2, MILD)
    rows = _listing(client, safe.data_manager, safe.study)
    assert rows[0][:3] == ["participant", "site", "randomisation_number"]
    assert [row[:3] for row in rows[1:]] == [["SAFE-01-0001", "01", "R001"], ["SAFE-02-0001", "02", "R002"]]
    assert "high" not in str(rows) and "placebo" not in str(rows)
    assert rows[1][5] == "Wound infection" and rows[1][9] == "yes" and rows[1][13] == "2026-03-02 20:30"
    export = AuditEvent.objects.get(action="export", object_type="safety.adverseevent")
    assert export.user == safe.data_manager and export.changes["rows"] == [None, 2]


def test_the_dsmb_listing_shows_arms_only_to_the_unblinded_statistician(client, safe, serious):
    rows = _listing(client, safe.statistician, safe.study)
    assert rows[0][2] == "arm" and rows[1][2] == "high"


def test_the_dsmb_listing_keeps_to_the_period_and_the_users_sites(client, safe, serious):
    submit_ae(safe.participant_2, safe.coordinator_2, MILD)
    assert [row[0] for row in _listing(client, safe.coordinator, safe.study)[1:]] == ["SAFE-01-0001"]
    client.force_login(safe.data_manager)
    response = client.get(reverse("safety:dsmb-listing", args=[safe.study.code]) + "?start=2025-07-01")
    assert len(list(csv.reader(io.StringIO(download_text(response))))) == 1  # header only
    assert client.get(reverse("safety:dsmb-listing", args=[safe.study.code]) + "?start=soon").status_code == 404


def test_the_overview_reads_in_chinese(client, safe, serious):
    client.force_login(safe.pi)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("safety:study-overview", args=[safe.study.code])).content.decode()
    assert "未完成的SAE报告" in page and "伦理委员会" in page and "Open SAE reports" not in page


def test_the_overview_lists_clocks_in_few_queries(client, safe, serious, django_assert_max_num_queries):
    for instance in range(2, 6):
        submit_ae(safe.participant, safe.coordinator, SERIOUS, instance=instance)
    client.force_login(safe.pi)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("safety:study-overview", args=[safe.study.code])).content.decode()
    assert page.count('data-state="') == 15


def test_due_soon_is_amber_and_open_is_blue(client, safe):
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo("Asia/Shanghai")) - timedelta(hours=11)
    submit_ae(
        safe.participant,
        safe.coordinator,
        SERIOUS | {"ae_record_aware_date": local.date().isoformat(), "ae_record_aware_time": local.strftime("%H:%M")},
    )
    client.force_login(safe.pi)
    page = client.get(reverse("safety:study-overview", args=[safe.study.code])).content.decode()
    assert page.count('data-state="due_soon"') == 2 and page.count('data-state="open"') == 1
    assert "table-warning" in page and "table-info" in page
