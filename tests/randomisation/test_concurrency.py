"""Randomisation under concurrent requests, on PostgreSQL (row locks); SQLite serialises every write anyway."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from randomisation import services
from randomisation.models import AllocationSlot

from .conftest import enrol, frozen_list

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locking (select_for_update) is only meaningful on PostgreSQL; set DATABASE_URL to run",
)


def _at_once(calls):
    """Run the calls in threads released together, each with its own database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test, whatever it is
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_participants_randomised_at_once_get_different_slots(transactional_db, admsc):
    frozen_list(admsc)
    people = [enrol(admsc, name=f"Person {i}") for i in range(6)]
    results = _at_once([lambda p=p: services.participant_randomise(participant=p, user=admsc.coordinator)
                        for p in people])
    assert all(isinstance(r, AllocationSlot) for r in results), results
    assert sorted(r.number for r in results) == ["001", "002", "003", "004", "005", "006"]
    assert AllocationSlot.objects.exclude(used_by=None).count() == 6


def test_one_participant_randomised_twice_at_once_gets_one_slot(transactional_db, admsc):
    frozen_list(admsc)
    participant = enrol(admsc)
    results = _at_once([lambda: services.participant_randomise(participant=participant, user=admsc.coordinator),
                        lambda: services.participant_randomise(participant=participant, user=admsc.pi)])
    slots = [r for r in results if isinstance(r, AllocationSlot)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(slots) == 1 and len(refused) == 1, results
    assert "already randomised" in refused[0].messages[0]
    assert AllocationSlot.objects.filter(used_by=participant).count() == 1
    participant.refresh_from_db()
    assert participant.arm_code == slots[0].arm_code
