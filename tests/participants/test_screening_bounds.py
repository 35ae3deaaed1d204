"""Screening answers outside their definition are refused, never evaluated as eligible: a field with a
``source`` instrument is checked like that instrument's answer (VAS 0-100 mm, ODI 0-100 %)."""

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import membership_grant
from participants import services
from participants.models import Participant
from tests.factories import SiteFactory, StudyFactory

from .conftest import LBPB_ELIGIBLE, load_protocol, make_user

ADMSC = Path(__file__).resolve().parents[2] / "protocols" / "admsc_dlbp.yaml"


@pytest.fixture
def admsc(db):
    study = StudyFactory(code="ADMSC", title="ADMSC", title_zh="ADMSC")
    site = SiteFactory(study=study, code="01")
    load_protocol(study, ADMSC.read_text(encoding="utf-8"), filename="admsc_dlbp.yaml")
    coordinator = make_user("coord-admsc")
    membership_grant(user=coordinator, study=study, role="coordinator", sites=[site])
    return study, site, coordinator


def screen(study, site, user, answers):
    return services.participant_screen(
        study=study, site=site, user=user, screened_on=date(2026, 3, 2), full_name="Li Si", answers=answers
    )


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"vas_mm": 1e308}, "VAS pain"),
        ({"vas_mm": 101}, "VAS pain"),
        ({"vas_mm": 55.5}, "whole number"),  # the VAS item records whole millimetres
        ({"odi_percent": 250}, "ODI"),
        ({"age": -5}, "Age"),
        ({"modic_type": 9}, "Modic"),
    ],
)
def test_out_of_range_answers_are_refused_and_nothing_is_stored(admsc, answers, problem):
    study, site, coordinator = admsc
    with pytest.raises(ValidationError) as refused:
        screen(study, site, coordinator, {"age": 40, "vas_mm": 60, **answers})
    assert problem in str(refused.value)
    assert not Participant.objects.exists()


def test_answers_within_the_source_range_are_evaluated(admsc):
    study, site, coordinator = admsc
    participant = screen(study, site, coordinator, {"age": 40, "vas_mm": 60, "odi_percent": 40})
    assert participant.screenings.get().answers["vas_mm"] == 60


def test_a_negative_age_is_refused_in_lbpb_too(lbpb):
    with pytest.raises(ValidationError):
        screen(lbpb.study, lbpb.site_1, lbpb.coordinator, {**LBPB_ELIGIBLE, "age": -5})
    assert not Participant.objects.exists()


def test_the_screening_page_shows_the_refusal_without_a_500(client, admsc):
    study, site, coordinator = admsc
    client.force_login(coordinator)
    page = client.post(
        reverse("participants:participant-screen", args=[study.code]),
        {
            "site": site.pk,
            "screened_on": "2026-03-02",
            "full_name": "Li Si",
            "date_of_birth": "0001-01-01",
            "answer_age": "40",
            "answer_vas_mm": "1e308",
        },
    )
    assert page.status_code == 200
    assert "1900-01-01" in page.content.decode()  # the date of birth is outside the sane range
    page = client.post(
        reverse("participants:participant-screen", args=[study.code]),
        {
            "site": site.pk,
            "screened_on": "2026-03-02",
            "full_name": "Li Si",
            "answer_age": "40",
            "answer_vas_mm": "1e308",
        },
    )
    assert page.status_code == 200
    assert "VAS pain" in page.content.decode()
    assert not Participant.objects.exists()
