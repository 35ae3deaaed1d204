from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from biobank import services
from participants.models import Visit

TZ = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=TZ)


def make_visit(participant, code="baseline") -> Visit:
    day = date(2026, 1, 5)
    return Visit.objects.create(
        participant=participant,
        visit_code=code,
        anchor_code="enrolment",
        target_date=day,
        window_start=day,
        window_end=day,
    )


@pytest.fixture
def bank(world, make_persona):
    """Site A's coordinator, a baseline visit of participant A, and a freezer with a 9 × 9 box at site A."""
    coordinator = make_persona("coordinator")
    freezer = services.freezer_create(user=coordinator, site=world.site_a, name="F1", temperature_c=-80)
    rack = services.rack_create(user=coordinator, freezer=freezer, name="Shelf 1")
    box = services.box_create(user=coordinator, rack=rack, name="Box 1", rows=9, cols=9)
    return SimpleNamespace(
        world=world, user=coordinator, visit=make_visit(world.participant_a), freezer=freezer, rack=rack, box=box
    )


def collect(bank, type_code="blood", **values):
    defaults = {"collected_at": at(8), "volume_ml": 8}
    return services.specimen_collect(user=bank.user, visit=bank.visit, type_code=type_code, **(defaults | values))
