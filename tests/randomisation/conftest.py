"""Fixtures for randomisation tests: the ADMSC trial (randomised 1:1:1:1, double blind) from its real protocol
file, personas for every role at site 01, and a helper walking a person to enrolment."""

import hashlib
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from accounts.models import Role
from accounts.services import membership_grant
from participants import services as participant_services
from studies.models import ProtocolVersion, Study
from tests.factories import SiteFactory, StudyFactory, UserFactory

PROTOCOL = Path(__file__).resolve().parents[2] / "protocols" / "admsc_dlbp.yaml"

# Every ADMSC criterion answered so that the person is eligible.
ADMSC_ELIGIBLE = {
    "age": 45,
    "lbp_sign_count": 3,
    "lbp_months_after_conservative": 18,
    "vas_mm": 60,
    "odi_percent": 40,
    "modic_type": 1,
    "pfirrmann_l45": 4,
    "disc_height_loss_percent": 25,
    "slip_mm": 1,
    "angulation_deg": 5,
    "bmd_t_score": -1.0,
    "inc_discography": True,
    "inc_no_infection": True,
    "exc_spondylitis_fracture": False,
    "exc_needs_surgery": False,
    "exc_intradiscal_injection": False,
    "exc_pregnancy": False,
    "exc_mental": False,
    "exc_systemic": False,
    "exc_allergy": False,
    "exc_cell_product": False,
}
DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """A dozen users per test: a cheap hasher keeps the suite fast (hashing is not under test here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def admsc_text() -> str:
    """The real ADMSC protocol with a second site, so that stratification by site has two strata."""
    text = PROTOCOL.read_text(encoding="utf-8")
    second = '  - code: "02"\n    name: {en: "Second hospital", zh: "第二医院"}\n'
    return text.replace("\narms:\n", "\n" + second + "\narms:\n", 1)


def _persona(study, role, sites, *, email=""):
    user = UserFactory(username=f"admsc-{role}", email=email)
    membership_grant(user=user, study=study, role=role, sites=sites, all_sites=not sites)
    return user


@pytest.fixture
def admsc(db):
    # Rows by hand and the file as the current protocol (parsed once per process), as protocol_load would.
    text = admsc_text()
    study = StudyFactory(
        code="admsc", title="ADMSC trial", design=Study.Design.RANDOMISED, blinding=Study.Blinding.DOUBLE
    )
    site = SiteFactory(study=study, code="01", name="First hospital", name_zh="第一医院")
    site_2 = SiteFactory(study=study, code="02", name="Second hospital")
    ProtocolVersion.objects.create(
        study=study,
        version="1.0",
        filename="admsc_dlbp.yaml",
        text=text,
        checksum=hashlib.sha256(text.encode()).hexdigest(),
        is_current=True,
    )
    people = {
        "admin": _persona(study, Role.ADMIN, []),
        "data_manager": _persona(study, Role.DATA_MANAGER, [], email="dm@example.org"),
        "pi": _persona(study, Role.PI, [site]),
        "coordinator": _persona(study, Role.COORDINATOR, [site]),
        "monitor": _persona(study, Role.MONITOR, []),
        "statistician": _persona(study, Role.UNBLINDED_STATISTICIAN, []),
    }
    return SimpleNamespace(study=study, site=site, site_2=site_2, **people)


def screen(admsc, *, answers=None, site=None, name="Li Si", user=None):
    return participant_services.participant_screen(
        study=admsc.study,
        site=site or admsc.site,
        user=user or admsc.coordinator,
        screened_on=DAY,
        full_name=name,
        answers=dict(ADMSC_ELIGIBLE if answers is None else answers),
    )


def enrol(admsc, *, site=None, answers=None, name="Li Si", user=None):
    """Screen (eligible), consent and enrol one ADMSC participant."""
    user = user or admsc.coordinator
    participant = screen(admsc, answers=answers, site=site, name=name, user=user)
    participant_services.participant_consent(participant=participant, user=user, form_version="1.0", consented_on=DAY)
    return participant_services.participant_enrol(participant=participant, user=user, enrolled_on=DAY)


def frozen_list(admsc, *, size=100, strata=None, seed=20220404):
    from randomisation import services

    allocation_list = services.allocation_list_generate(
        study=admsc.study, user=admsc.statistician, size=size, strata_factors=strata, seed=seed
    )
    return services.allocation_list_freeze(allocation_list=allocation_list, user=admsc.statistician)
