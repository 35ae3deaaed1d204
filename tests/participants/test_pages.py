"""Participant pages through HTTP: screening, consent, enrolment, dates, withdrawal, PII and scoping."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import membership_grant
from participants.models import AnchorDate, Consent, Participant, PersonalIdentifiers, Screening, Visit

from . import visit_pages
from .conftest import LBPB_ELIGIBLE, enrol, make_user


def _screening_post(lbpb, **changes):
    data = {
        "site": lbpb.site_1.pk,
        "screened_on": "2026-03-02",
        "full_name": "Li Si",
        "phone": "13800000000",
        "national_id": "110101199001011234",
        "date_of_birth": "1990-01-01",
    }
    for code, value in LBPB_ELIGIBLE.items():
        data[f"answer_{code}"] = value if code == "age" else ("yes" if value else "no")
    data.update(changes)
    return data


def _persona(lbpb, role, site=None):
    user = make_user(f"{role}-lbpb-{site.code if site else '01'}")
    membership_grant(user=user, study=lbpb.study, role=role, sites=[site or lbpb.site_1])
    return user


@pytest.fixture
def coordinator_client(client, lbpb):
    client.force_login(lbpb.coordinator)
    return client


def test_screening_an_eligible_person_creates_a_participant_in_screening(coordinator_client, lbpb):
    response = coordinator_client.post(
        reverse("participants:participant-screen", args=[lbpb.study.code]), _screening_post(lbpb)
    )
    participant = Participant.objects.get()
    assert response.status_code == 302
    assert participant.status == Participant.Status.SCREENING
    assert participant.screening_number == "S-01-0001"
    assert participant.personal_identifiers.full_name == "Li Si"
    page = coordinator_client.get(response.url).content.decode()
    assert "Eligible" in page and "Not eligible" not in page


def test_screening_a_person_who_fails_shows_the_failing_criteria(coordinator_client, lbpb):
    response = coordinator_client.post(
        reverse("participants:participant-screen", args=[lbpb.study.code]),
        _screening_post(lbpb, answer_age=85, answer_exc_mri="yes"),
        follow=True,
    )
    participant = Participant.objects.get()
    assert participant.status == Participant.Status.SCREEN_FAILED
    assert Screening.objects.get().failing_criteria == ["inc_age", "exc_mri"]
    page = response.content.decode()
    assert "Not eligible" in page
    assert "Adults aged 18 to 80 years" in page and "Contraindication to MRI" in page
    log = coordinator_client.get(reverse("participants:screening-log", args=[lbpb.study.code])).content.decode()
    assert participant.screening_number in log and "Contraindication to MRI" in log


def test_a_bad_screening_form_keeps_what_was_typed_and_saves_nothing(coordinator_client, lbpb):
    response = coordinator_client.post(
        reverse("participants:participant-screen", args=[lbpb.study.code]),
        _screening_post(lbpb, screened_on="2026-02-31", answer_inc_lbp=""),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid date" in page
    assert "This field is required" not in page  # no answer is required: the rules are three-valued
    assert 'value="Li Si"' in page and 'value="13800000000"' in page
    assert not Participant.objects.exists() and not PersonalIdentifiers.objects.exists()


def test_a_screening_date_in_the_future_is_refused_with_a_message(coordinator_client, lbpb):
    response = coordinator_client.post(
        reverse("participants:participant-screen", args=[lbpb.study.code]),
        # next month: a date past the sane range (core.validation) gets the range message instead
        _screening_post(lbpb, screened_on=(timezone.localdate() + timedelta(days=31)).isoformat()),
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Participant.objects.exists()


def test_a_coordinator_cannot_screen_at_a_site_that_is_not_theirs(coordinator_client, lbpb):
    response = coordinator_client.post(
        reverse("participants:participant-screen", args=[lbpb.study.code]), _screening_post(lbpb, site=lbpb.site_2.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Participant.objects.exists()


def test_a_monitor_may_not_screen(client, lbpb):
    client.force_login(_persona(lbpb, "monitor"))
    url = reverse("participants:participant-screen", args=[lbpb.study.code])
    assert client.get(url).status_code == 403
    assert client.post(url, _screening_post(lbpb)).status_code == 403
    assert not Participant.objects.exists()


def _screened(coordinator_client, lbpb):
    coordinator_client.post(reverse("participants:participant-screen", args=[lbpb.study.code]), _screening_post(lbpb))
    return Participant.objects.get()


def test_enrolment_without_consent_is_refused_with_a_message_and_saves_nothing(coordinator_client, lbpb):
    participant = _screened(coordinator_client, lbpb)
    response = coordinator_client.post(
        reverse("participants:participant-enrol", args=[participant.pk]), {"enrolled_on": "2026-03-02"}
    )
    assert response.status_code == 200
    assert "Record the participant&#x27;s consent before enrolment." in response.content.decode()
    participant.refresh_from_db()
    assert participant.status == Participant.Status.SCREENING and participant.identifier == ""
    assert not Visit.objects.exists() and not AnchorDate.objects.exists()


def test_consent_then_enrolment_gives_the_study_id_and_the_baseline_visit(coordinator_client, lbpb):
    participant = _screened(coordinator_client, lbpb)
    coordinator_client.post(
        reverse("participants:participant-consent", args=[participant.pk]),
        {"form_version": "1.0", "consented_on": "2026-03-02"},
    )
    response = coordinator_client.post(
        reverse("participants:participant-enrol", args=[participant.pk]), {"enrolled_on": "2026-03-02"}, follow=True
    )
    participant.refresh_from_db()
    assert participant.identifier == "LBPB-01-0001"
    assert participant.status == Participant.Status.ENROLLED
    assert Consent.objects.filter(participant=participant).count() == 1
    page = response.content.decode()
    assert "Enrolled as LBPB-01-0001" in page
    assert 'data-visit="baseline"' in page and "2026-03-09" in page
    # each instrument activity links to its CRF entry page
    assert f'href="/instruments/participant/{participant.pk}/visit/baseline/bpi/"' in page


def test_an_invalid_anchor_date_is_refused_next_to_the_field_and_nothing_moves(coordinator_client, lbpb):
    participant = enrol(lbpb)
    response = coordinator_client.post(
        reverse("participants:anchor-set", args=[participant.pk]),
        {"anchor_code": "treatment_start", "date": "2026-13-40"},
    )
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert not AnchorDate.objects.filter(anchor_code="treatment_start").exists()
    assert Visit.objects.filter(participant=participant).count() == 1


def test_an_anchor_before_enrolment_is_refused(coordinator_client, lbpb):
    participant = enrol(lbpb)
    response = coordinator_client.post(
        reverse("participants:anchor-set", args=[participant.pk]),
        {"anchor_code": "treatment_start", "date": "2026-03-01"},
    )
    assert "cannot be before the enrolment date" in response.content.decode()
    assert not AnchorDate.objects.filter(anchor_code="treatment_start").exists()


def test_withdrawal_needs_a_reason_then_cancels_future_visits_and_keeps_the_rest(coordinator_client, lbpb):
    participant = enrol(lbpb)
    url = reverse("participants:participant-withdraw", args=[participant.pk])
    coordinator_client.post(
        reverse("participants:anchor-set", args=[participant.pk]),
        {"anchor_code": "treatment_start", "date": "2026-03-16"},
    )
    baseline = Visit.objects.get(participant=participant, visit_code="baseline")
    assert visit_pages.done(coordinator_client, baseline, "2026-03-03").status_code == 302
    d1 = Visit.objects.get(participant=participant, visit_code="d1")
    assert visit_pages.missed(coordinator_client, d1).status_code == 302

    refused = coordinator_client.post(url, {"withdrawn_on": "2026-03-20", "reason": "  "})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert Participant.objects.get(pk=participant.pk).status == Participant.Status.ENROLLED

    coordinator_client.post(url, {"withdrawn_on": "2026-03-20", "reason": "Moved to another city"})
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert participant.withdrawal_reason == "Moved to another city"
    visits = {v.visit_code: v for v in Visit.objects.filter(participant=participant)}
    assert visits["baseline"].completed_on == date(2026, 3, 3) and not visits["baseline"].cancelled
    assert visits["d1"].missed and not visits["d1"].cancelled
    assert all(visits[code].cancelled for code in ("w1", "w2", "m1", "m3", "m6", "m12"))
    log = coordinator_client.get(reverse("participants:screening-log", args=[lbpb.study.code])).content.decode()
    assert "Moved to another city" in log


def test_a_visit_done_date_is_required_and_errors_show_on_the_visit(coordinator_client, lbpb):
    participant = enrol(lbpb)
    baseline = Visit.objects.get(participant=participant)
    response = visit_pages.done(coordinator_client, baseline, "")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Visit.objects.get(pk=baseline.pk).completed_on is None


def test_a_visit_of_another_participant_is_a_404(coordinator_client, lbpb):
    first, second = enrol(lbpb), enrol(lbpb, name="Wang Wu")
    other_visit = Visit.objects.get(participant=second)
    url = reverse("participants:visit-missed", args=[first.pk, other_visit.pk])
    response = coordinator_client.post(url, {"why": "unwell", "confirm": "on"})
    assert response.status_code == 404
    assert not Visit.objects.get(pk=other_visit.pk).missed


def test_personal_identifiers_are_shown_to_a_coordinator_and_hidden_from_a_monitor(client, lbpb):
    participant = enrol(lbpb, name="Zhao Liu")
    client.force_login(lbpb.coordinator)
    assert "Zhao Liu" in client.get(reverse("participants:participant-detail", args=[participant.pk])).content.decode()

    for role in ("monitor", "unblinded_statistician", "data_manager"):
        client.force_login(_persona(lbpb, role))
        response = client.get(reverse("participants:participant-detail", args=[participant.pk]))
        assert response.status_code == 200, role
        html = response.content.decode()
        assert "Zhao Liu" not in html and "personal-identifiers" not in html, role
        assert "LBPB-01-0001" in html


def test_a_site_two_participant_is_a_404_for_a_site_one_coordinator(coordinator_client, lbpb):
    colleague = _persona(lbpb, "coordinator", site=lbpb.site_2)
    participant = enrol(lbpb, site=lbpb.site_2, user=colleague)
    assert participant.identifier == "LBPB-02-0001"
    for name in ("participant-detail", "participant-enrol", "participant-withdraw", "anchor-set"):
        assert coordinator_client.post(reverse(f"participants:{name}", args=[participant.pk])).status_code == 404
    listing = coordinator_client.get(reverse("participants:participant-list", args=[lbpb.study.code]))
    assert "LBPB-02-0001" not in listing.content.decode()
    due = coordinator_client.get(reverse("participants:visit-due")).content.decode()
    assert "LBPB-02-0001" not in due


def test_the_list_filters_by_overdue_and_arm_and_answers_htmx_with_rows(coordinator_client, lbpb):
    late = enrol(lbpb, enrolled_on=date(2026, 1, 5))
    enrol(lbpb, enrolled_on=date(2026, 1, 5), name="On time")
    on_time = Participant.objects.exclude(pk=late.pk).get()
    Visit.objects.filter(participant=on_time).update(completed_on=date(2026, 1, 6))
    from participants import services

    services.participant_assign_arm(participant=late, arm_code="surgical", user=lbpb.coordinator)

    url = reverse("participants:participant-list", args=[lbpb.study.code])
    overdue = coordinator_client.get(url, {"overdue": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert late.identifier in overdue and on_time.identifier not in overdue
    assert "<html" not in overdue
    by_arm = coordinator_client.get(url, {"arm": "surgical"}).content.decode()
    assert late.identifier in by_arm and on_time.identifier not in by_arm
    assert "Surgical group" in by_arm


def test_due_this_week_lists_open_and_overdue_visits_of_my_sites(coordinator_client, lbpb):
    from django.utils import timezone

    today = timezone.localdate()
    participant = enrol(lbpb, enrolled_on=today)
    page = coordinator_client.get(reverse("participants:visit-due")).content.decode()
    assert participant.identifier in page and "Baseline" in page


def test_the_participant_page_is_translated_to_chinese(client, lbpb):
    participant = enrol(lbpb)
    client.force_login(lbpb.coordinator)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("participants:participant-detail", args=[participant.pk])).content.decode()
    assert "访视计划" in page  # Schedule
    assert "基线" in page  # the protocol's own Chinese label for the baseline visit


def test_the_list_due_and_log_pages_do_not_grow_queries_with_participants(coordinator_client, lbpb):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    urls = [
        reverse("participants:participant-list", args=[lbpb.study.code]),
        reverse("participants:visit-due"),
        reverse("participants:screening-log", args=[lbpb.study.code]),
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert coordinator_client.get(url).status_code == 200
            result.append(len(queries))
        return result

    enrol(lbpb, enrolled_on=timezone.localdate(), name="First")
    with_one = counts()
    for n in range(5):
        enrol(lbpb, enrolled_on=timezone.localdate(), name=f"P{n}")
    assert counts() == with_one
    assert max(with_one) <= 20  # the page itself plus session, user, navigation and messages


def test_the_screening_page_shows_the_protocol_criteria_in_chinese(client, lbpb):
    client.force_login(lbpb.coordinator)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("participants:participant-screen", args=[lbpb.study.code])).content.decode()
    assert "筛选新受试者" in page and "身份证号" in page
    assert "年龄18至80岁的成年人" not in page  # rules with a field ask for the field (age), not the criterion
    assert "磁共振检查禁忌" in page


def test_site_staff_find_a_participant_by_name_and_a_monitor_cannot(client, lbpb):
    participant = enrol(lbpb, name="Ouyang Xiu")
    url = reverse("participants:participant-list", args=[lbpb.study.code])
    client.force_login(lbpb.coordinator)
    assert participant.identifier in client.get(url, {"q": "ouyang"}).content.decode()
    client.force_login(_persona(lbpb, "monitor"))
    assert participant.identifier not in client.get(url, {"q": "ouyang"}).content.decode()
    assert participant.identifier in client.get(url, {"q": "LBPB-01"}).content.decode()
