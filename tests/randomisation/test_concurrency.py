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


def test_fifty_participants_randomised_at_once_get_fifty_distinct_slots_that_follow_the_list(transactional_db, admsc):
    allocation_list = frozen_list(admsc)
    people = [enrol(admsc, name=f"Person {i}") for i in range(50)]
    results = _at_once(
        [lambda p=p: services.participant_randomise(participant=p, user=admsc.coordinator) for p in people]
    )
    assert all(isinstance(r, AllocationSlot) for r in results), [
        r for r in results if not isinstance(r, AllocationSlot)
    ]
    # Fifty distinct slots, and exactly the first fifty of the list in its order: nothing skipped or reused.
    first_fifty = list(AllocationSlot.objects.filter(allocation_list=allocation_list).order_by("sequence")[:50])
    assert sorted(r.pk for r in results) == sorted(slot.pk for slot in first_fifty)
    assert sorted(r.number for r in results) == [f"{n:03d}" for n in range(1, 51)]
    assert AllocationSlot.objects.exclude(used_by=None).count() == 50
    for participant in people:
        participant.refresh_from_db()
        assert participant.arm_code == AllocationSlot.objects.get(used_by=participant).arm_code


def test_one_participant_randomised_twice_at_once_gets_one_slot(transactional_db, admsc):
    frozen_list(admsc)
    participant = enrol(admsc)
    results = _at_once(
        [
            lambda: services.participant_randomise(participant=participant, user=admsc.coordinator),
            lambda: services.participant_randomise(participant=participant, user=admsc.pi),
        ]
    )
    slots = [r for r in results if isinstance(r, AllocationSlot)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(slots) == 1 and len(refused) == 1, results
    assert "already randomised" in refused[0].messages[0]
    assert AllocationSlot.objects.filter(used_by=participant).count() == 1
    participant.refresh_from_db()
    assert participant.arm_code == slots[0].arm_code
