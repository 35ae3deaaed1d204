"""Screening with only some answers: the first criterion that decides it screens the person out, unanswered
criteria stay unanswered (never stored as no), and eligible needs every criterion decided."""

import pytest
from django.urls import reverse

from participants.models import Participant, Screening

from .conftest import LBPB_ELIGIBLE
from .test_pages import _screening_post


@pytest.fixture
def coordinator_client(client, lbpb):
    client.force_login(lbpb.coordinator)
    return client


def _only(lbpb, **answers) -> dict:
    """A screening post with only ``answers`` given: every other answer left blank."""
    blank = {f"answer_{code}": "" for code in LBPB_ELIGIBLE}
    return _screening_post(lbpb, **(blank | {f"answer_{code}": value for code, value in answers.items()}))


def _screen(client, lbpb, data):
    return client.post(reverse("participants:participant-screen", args=[lbpb.study.code]), data, follow=True)


def test_an_age_outside_the_range_alone_screens_out_on_that_criterion(coordinator_client, lbpb):
    page = _screen(coordinator_client, lbpb, _only(lbpb, age=17))
    screening = Screening.objects.get()
    assert screening.participant.status == Participant.Status.SCREEN_FAILED
    assert screening.eligible is False and screening.failing_criteria == ["inc_age"]
    assert screening.answers == {"age": 17}  # the blank answers are not stored as "no"
    assert "inc_lbp" in screening.unanswered_criteria and "exc_mri" in screening.unanswered_criteria
    assert "screened out (Adults aged 18 to 80 years)" in page.content.decode()


def test_a_deciding_yes_on_an_exclusion_alone_screens_out(coordinator_client, lbpb):
    _screen(coordinator_client, lbpb, _only(lbpb, exc_mri="yes"))
    screening = Screening.objects.get()
    assert screening.eligible is False and screening.failing_criteria == ["exc_mri"]
    assert screening.answers == {"exc_mri": True}


def test_undecided_answers_stay_in_screening_and_say_what_is_needed(coordinator_client, lbpb):
    page = _screen(coordinator_client, lbpb, _only(lbpb, age=45, inc_lbp="yes", exc_mri="no"))
    screening = Screening.objects.get()
    assert screening.participant.status == Participant.Status.SCREENING and screening.eligible is None
    assert screening.answers == {"age": 45, "inc_lbp": True, "exc_mri": False}
    assert "inc_age" not in screening.unanswered_criteria and "exc_gut" in screening.unanswered_criteria
    html = page.content.decode()
    assert "still in screening; these criteria need an answer" in html and "Contraindication to MRI" not in html


def test_eligible_needs_every_criterion_decided(coordinator_client, lbpb):
    page = _screen(coordinator_client, lbpb, _screening_post(lbpb))
    screening = Screening.objects.get()
    assert screening.eligible is True and screening.unanswered_criteria == []
    assert "eligible." in page.content.decode()


def test_an_answer_outside_its_definition_is_still_refused(coordinator_client, lbpb):
    page = _screen(coordinator_client, lbpb, _only(lbpb, age=400))
    assert page.status_code == 200 and not Participant.objects.exists()
