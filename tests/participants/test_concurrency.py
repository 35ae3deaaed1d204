"""Two coordinators enrolling at the same site at the same moment get different study IDs (PostgreSQL only:
SQLite serialises every write, so the race cannot happen there)."""

import threading
from datetime import date

import pytest
from django.db import connection

from participants import services
from participants.models import Participant

from .conftest import LBPB_ELIGIBLE

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")


@pytest.fixture
def lbpb_committed(transactional_db, request):
    return request.getfixturevalue("lbpb")


def test_simultaneous_enrolments_at_one_site_get_distinct_ids(lbpb_committed):
    lbpb = lbpb_committed
    screened = []
    for n in range(4):
        participant = services.participant_screen(
            study=lbpb.study,
            site=lbpb.site_1,
            user=lbpb.coordinator,
            screened_on=date(2026, 3, 2),
            full_name=f"P{n}",
            answers=dict(LBPB_ELIGIBLE),
        )
        services.participant_consent(
            participant=participant, user=lbpb.coordinator, form_version="1.0", consented_on=date(2026, 3, 2)
        )
        screened.append(participant)
    barrier, errors = threading.Barrier(len(screened)), []

    def enrol(participant):
        try:
            barrier.wait()
            services.participant_enrol(participant=participant, user=lbpb.coordinator, enrolled_on=date(2026, 3, 2))
        except Exception as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(p,)) for p in screened]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    ids = sorted(Participant.objects.values_list("identifier", flat=True))
    assert ids == ["LBPB-01-0001", "LBPB-01-0002", "LBPB-01-0003", "LBPB-01-0004"]


def test_simultaneous_screenings_at_one_site_get_distinct_numbers(lbpb_committed):
    lbpb = lbpb_committed
    barrier, errors, numbers = threading.Barrier(4), [], []

    def screen(n):
        try:
            barrier.wait()
            participant = services.participant_screen(
                study=lbpb.study,
                site=lbpb.site_1,
                user=lbpb.coordinator,
                screened_on=date(2026, 3, 2),
                full_name=f"Q{n}",
                answers=dict(LBPB_ELIGIBLE),
            )
            numbers.append(participant.screening_number)
        except Exception as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=screen, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == ["S-01-0001", "S-01-0002", "S-01-0003", "S-01-0004"]
