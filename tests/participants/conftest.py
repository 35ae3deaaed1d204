"""Fixtures for participant tests: the LBPB study with its real protocol file, and helpers to walk a person
through screening, consent and enrolment."""

import hashlib
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from accounts.models import User
from accounts.services import membership_grant
from participants import services
from studies.models import ProtocolVersion
from tests.factories import SiteFactory, StudyFactory

# Every LBPB criterion answered so that the person is eligible.
LBPB_ELIGIBLE = {
    "age": 45,
    "inc_lbp": True,
    "inc_treatment": True,
    "inc_consent": True,
    "exc_emergency": False,
    "exc_gut": False,
    "exc_spine": False,
    "exc_psychiatric": False,
    "exc_mri": False,
    "exc_pregnancy": False,
    "exc_other_trial": False,
    "exc_night_shift": False,
    "exc_caffeine": False,
}


def load_protocol(study, text: str, *, version: str = "1.0", filename: str = "lbpb.yaml"):
    ProtocolVersion.objects.filter(study=study, is_current=True).update(is_current=False)
    return ProtocolVersion.objects.create(
        study=study,
        version=version,
        filename=filename,
        text=text,
        checksum=hashlib.sha256(text.encode()).hexdigest(),
        is_current=True,
    )


def lbpb_text() -> str:
    return (Path(__file__).parent / "lbpb_small.yaml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def english():
    """Service messages in English, whatever language an earlier request left active in this thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def lbpb(db):
    study = StudyFactory(code="LBPB", title="LBPB cohort", title_zh="腰痛队列")
    site_1 = SiteFactory(study=study, code="01", name="Site one", name_zh="一号中心")
    site_2 = SiteFactory(study=study, code="02", name="Site two", name_zh="二号中心")
    load_protocol(study, lbpb_text())
    coordinator = make_user("coord1")
    membership_grant(user=coordinator, study=study, role="coordinator", sites=[site_1])
    return SimpleNamespace(study=study, site_1=site_1, site_2=site_2, coordinator=coordinator)


def make_user(username: str):
    """A user without a usable password: hashing one costs most of a second, and tests log in with force_login."""
    return User.objects.create_user(username=username, password=None)


def enrol(lbpb, *, enrolled_on=date(2026, 3, 2), site=None, user=None, name="Zhang San"):
    """Screen (eligible), consent and enrol one LBPB participant."""
    user = user or lbpb.coordinator
    participant = services.participant_screen(
        study=lbpb.study,
        site=site or lbpb.site_1,
        user=user,
        screened_on=enrolled_on,
        full_name=name,
        answers=dict(LBPB_ELIGIBLE),
    )
    services.participant_consent(participant=participant, user=user, form_version="1.0", consented_on=enrolled_on)
    return services.participant_enrol(participant=participant, user=user, enrolled_on=enrolled_on)
