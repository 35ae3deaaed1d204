"""A small study for the survey tests: a baseline open from enrolment for 7 days (2 grace days) with three
self-report forms and the sleep diary, and a follow-up a month later; one enrolled participant."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from accounts.services import membership_grant
from participants import services
from participants.models import PersonalIdentifiers
from tests.factories import SiteFactory, StudyFactory
from tests.participants.conftest import load_protocol, make_user
from tests.protocol_text import protocol_head

VISITS = """
visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 6
    survey_grace_days: 2
    activities:
      instruments: [phq9, gad7, sleep_diary, hamd]
  - code: m1
    label: {en: "1 month", zh: "1个月"}
    anchor: enrolment
    offset_days: 30
    window_before: 3
    window_after: 3
    activities:
      instruments: [phq9]
"""


def survey_protocol() -> str:
    return (
        protocol_head(code="SRV", title="Survey study", title_zh="问卷研究", sites=(("A", "Site A", "A中心"),)) + VISITS
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the rate limits count in Django's cache
    yield
    cache.clear()


@pytest.fixture
def srv(db):
    study = StudyFactory(code="SRV", title="Survey study", title_zh="问卷研究")
    site = SiteFactory(study=study, code="A", name="Site A", name_zh="A中心")
    load_protocol(study, survey_protocol(), filename="srv.yaml")
    coordinator = make_user("srv-coord")
    membership_grant(user=coordinator, study=study, role="coordinator", sites=[site])
    return SimpleNamespace(study=study, site=site, coordinator=coordinator)


def enrol_one(srv, *, days_ago: int = 1, phone: str = "+8613800000000"):
    enrolled_on = timezone.localdate() - timedelta(days=days_ago)
    participant = services.participant_screen(
        study=srv.study, site=srv.site, user=srv.coordinator, screened_on=enrolled_on, full_name="Li Si", answers={}
    )
    services.participant_consent(
        participant=participant, user=srv.coordinator, form_version="1.0", consented_on=enrolled_on
    )
    participant = services.participant_enrol(participant=participant, user=srv.coordinator, enrolled_on=enrolled_on)
    PersonalIdentifiers.objects.filter(participant=participant).update(phone=phone)
    return participant


def visit_of(participant, code: str = "baseline"):
    return participant.visits.get(visit_code=code)


@pytest.fixture
def enrolled(srv):
    return enrol_one(srv)
