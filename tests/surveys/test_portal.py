"""The participant portal: a one-time code by e-mail, the same answer for an unknown address, a short session,
what is due, done and next, and a due survey opened from it."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participants import services as participant_services
from surveys.models import PortalCode, ReminderContact, SurveyLink

from .conftest import enrol_one


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def sign_in(client, email="li@example.org") -> None:
    client.post(reverse("surveys:portal-start"), {"email": email})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    response = client.post(reverse("surveys:portal-code"), {"code": code})
    assert response.status_code == 302 and response.url == reverse("surveys:portal-home")


@pytest.fixture
def known(srv):
    participant = enrol_one(srv)
    ReminderContact.objects.create(participant=participant, email="li@example.org")
    return participant


@pytest.mark.django_db
def test_a_participant_signs_in_with_a_code_and_sees_what_is_due_and_next(client, known):
    sign_in(client)
    response = client.get(reverse("surveys:portal-home"))
    assert response.status_code == 200
    assert [one.visit.visit_code for one in response.context["due"]] == ["baseline"]
    assert [one.visit.visit_code for one in response.context["upcoming"]] == ["m1"]
    assert PortalCode.objects.get().used_at is not None and "li@example.org" not in str(PortalCode.objects.values())
    opened = client.post(
        reverse("surveys:portal-visit-open", kwargs={"visit_id": known.visits.get(visit_code="baseline").pk})
    )
    assert opened.status_code == 302 and opened.url.startswith("/s/")
    assert client.get(opened.url).status_code == 200
    assert SurveyLink.objects.get().created_by is None


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, known):
    response = client.post(reverse("surveys:portal-start"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.url == reverse("surveys:portal-code")
    assert mail.outbox == []
    assert client.post(reverse("surveys:portal-code"), {"code": "123456"}).status_code == 400
    assert client.get(reverse("surveys:portal-home")).url == reverse("surveys:portal-start")


@pytest.mark.django_db
def test_a_code_allows_a_few_tries_then_none(client, known, settings):
    settings.SURVEY_PORTAL_CODE_ATTEMPTS = 2
    client.post(reverse("surveys:portal-start"), {"email": "li@example.org"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        assert client.post(reverse("surveys:portal-code"), {"code": wrong}).status_code == 400
    assert client.post(reverse("surveys:portal-code"), {"code": code}).status_code == 400  # spent by the tries


@pytest.mark.django_db
def test_the_session_is_short_and_ends_on_withdrawal(client, srv, known, settings):
    sign_in(client)
    participant_services.participant_withdraw(
        participant=known, user=srv.coordinator, withdrawn_on=timezone.localdate(), reason="moved"
    )
    assert client.get(reverse("surveys:portal-home")).url == reverse("surveys:portal-start")
    other = enrol_one(srv)
    ReminderContact.objects.create(participant=other, email="wang@example.org")
    sign_in(client, "wang@example.org")
    settings.SURVEY_PORTAL_SESSION_SECONDS = -1
    assert client.get(reverse("surveys:portal-home")).url == reverse("surveys:portal-start")


@pytest.mark.django_db
def test_a_participant_cannot_open_another_participants_visit(client, srv, known):
    other = enrol_one(srv)
    sign_in(client)
    response = client.post(reverse("surveys:portal-visit-open", kwargs={"visit_id": other.visits.first().pk}))
    assert response.status_code == 404
    assert not SurveyLink.objects.exists()
