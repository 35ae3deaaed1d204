"""Concurrent placement and numbering on PostgreSQL (SQLite serialises every write, so no race there)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from biobank import services
from biobank.models import Position, Specimen

from .conftest import collect

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")


@pytest.fixture
def committed_bank(transactional_db, request):
    return request.getfixturevalue("bank")


def _race(target, items):
    barrier, errors = threading.Barrier(len(items)), []

    def run(item):
        try:
            barrier.wait()
            target(item)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_specimens_placed_at_once_in_one_cell_one_wins(committed_bank):
    bank = committed_bank
    specimens = [collect(bank) for _ in range(4)]
    errors = _race(lambda s: services.specimen_place(user=bank.user, specimen=s, box=bank.box, row=5, col=5), specimens)
    assert Position.objects.filter(box=bank.box, row=5, col=5).count() == 1
    assert len(errors) == 3
    assert all(isinstance(e, ValidationError) and "already taken" in str(e) for e in errors)


def test_simultaneous_collections_get_distinct_ids(committed_bank):
    bank = committed_bank
    errors = _race(lambda _: collect(bank), range(4))
    assert errors == []
    assert sorted(Specimen.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
