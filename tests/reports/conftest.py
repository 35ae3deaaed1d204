"""Fixtures for report tests: the ADMSC trial (randomised, double blind, sites 01 and 02) from its real protocol
file, personas for every role, and a flow of participants built through the participants and randomisation
services, whose every CONSORT box is counted by hand in the tests."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation

from participants import services as ps
from participants.models import Visit
from randomisation import services as rs
from tests.randomisation import conftest as randomisation_fixtures
from tests.randomisation.conftest import ADMSC_ELIGIBLE, frozen_list

# The ADMSC fixtures of the randomisation tests, shared here.
admsc = randomisation_fixtures.admsc
fast_passwords = randomisation_fixtures.fast_passwords

DAY = date(2026, 3, 2)
LIPOSUCTION = date(2026, 3, 5)
TRANSPLANTATION = date(2026, 3, 26)
FOLLOW_UP = ["w1", "m1", "m3", "m6", "m12", "m18", "m24"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def screen(trial, answers=None, *, site=None, name="Li Si"):
    return ps.participant_screen(
        study=trial.study,
        site=site or trial.site,
        user=trial.admin,
        screened_on=DAY,
        full_name=name,
        answers=dict(ADMSC_ELIGIBLE if answers is None else answers),
    )


def consent(trial, participant):
    ps.participant_consent(participant=participant, user=trial.admin, form_version="1.0", consented_on=DAY)


def enrol(trial, *, site=None):
    participant = screen(trial, site=site)
    consent(trial, participant)
    return ps.participant_enrol(participant=participant, user=trial.admin, enrolled_on=DAY)


def randomise(trial, *, site=None):
    participant = enrol(trial, site=site)
    rs.participant_randomise(participant=participant, user=trial.admin)
    participant.refresh_from_db()
    return participant


def transplant(trial, participant):
    for code, day in (("liposuction", LIPOSUCTION), ("transplantation", TRANSPLANTATION)):
        ps.anchor_set(participant=participant, anchor_code=code, date=day, user=trial.admin)


def visit(participant, code):
    return Visit.objects.get(participant=participant, visit_code=code, sequence=1)


def complete(trial, participant, *codes):
    for code in codes:
        ps.visit_complete(
            visit=visit(participant, code),
            completed_on=TRANSPLANTATION + timedelta(days=7),
            user=trial.admin,
            require_forms=False,
        )


def miss(trial, participant, *codes):
    for code in codes:
        ps.visit_miss(visit=visit(participant, code), user=trial.admin, why="unreachable")


def withdraw(trial, participant, day, reason):
    ps.participant_withdraw(participant=participant, user=trial.admin, withdrawn_on=day, reason=reason)


@pytest.fixture
def flow_world(admsc):
    """Site 01: two screen failures, one declined (refused consent), one incomplete, one consented not enrolled, one
    enrolled not randomised, five randomised (r1-r5); site 02: one screen failure, one randomised (r6).

    r1, r6: transplanted, every follow-up visit completed (analysed at m24). r2: transplanted, w1 completed, m1
    missed, withdrawn on 1 May (m3 onwards cancelled). r3: transplanted, w1, m1 and m24 missed (lost to follow-up).
    r4: liposuction only, withdrawn on 20 March (cells failed). r5: nothing after randomisation.
    """
    frozen_list(admsc)
    screen(admsc, ADMSC_ELIGIBLE | {"age": 17})
    screen(admsc, ADMSC_ELIGIBLE | {"age": 17, "vas_mm": 20})
    refused = screen(admsc)  # declined: eligible, asked to consent, refused
    ps.participant_consent_refuse(participant=refused, user=admsc.admin, form_version="1.0", refused_on=DAY)
    incomplete = dict(ADMSC_ELIGIBLE)
    del incomplete["inc_discography"]
    screen(admsc, incomplete)
    consent(admsc, screen(admsc))  # consented, not enrolled
    enrol(admsc)  # enrolled, not randomised
    r1, r2, r3, r4, r5 = (randomise(admsc) for _ in range(5))
    screen(admsc, ADMSC_ELIGIBLE | {"age": 16}, site=admsc.site_2)
    r6 = randomise(admsc, site=admsc.site_2)
    for participant in (r1, r2, r3, r6):
        transplant(admsc, participant)
    complete(admsc, r1, *FOLLOW_UP)
    complete(admsc, r6, *FOLLOW_UP)
    complete(admsc, r2, "w1")
    miss(admsc, r2, "m1")
    withdraw(admsc, r2, date(2026, 5, 1), "Moved away")
    miss(admsc, r3, "w1", "m1", "m24")
    ps.anchor_set(participant=r4, anchor_code="liposuction", date=LIPOSUCTION, user=admsc.admin)
    withdraw(admsc, r4, date(2026, 3, 20), "Cells failed culture")
    return SimpleNamespace(admsc=admsc, r=[r1, r2, r3, r4, r5, r6])
