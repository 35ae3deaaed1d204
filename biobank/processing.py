"""Processing checks of one collection: times in order, minutes over the protocol's limits, the SPREC code.

Pure Python: takes the recorded values (a mapping of the Specimen fields) and the specimen type of the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from studies.protocol.specimens import SpecimenType

from .sprec import Preanalytics, Spin, sprec_code

# The recorded steps in the order they happen; each present one must not come before the one it follows.
STEPS = ("collected_at", "received_at", "centrifuged_at", "aliquoted_at", "frozen_at")


@dataclass(frozen=True)
class Checked:
    centrifuge_minutes_over: int | None
    freeze_minutes_over: int | None
    sprec: str


def steps_out_of_order(values: dict) -> list[tuple[str, str]]:
    """Pairs (earlier step, later step) whose times are the wrong way round."""
    present = [(name, values[name]) for name in STEPS if values.get(name) is not None]
    return [(a, b) for (a, ta), (b, tb) in zip(present, present[1:], strict=False) if tb < ta]


def minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


def minutes_over(start: datetime | None, end: datetime | None, limit: int | None) -> int | None:
    elapsed = minutes_between(start, end)
    if elapsed is None or limit is None:
        return None
    return max(0, elapsed - limit)


def check(values: dict, specimen_type: SpecimenType, container: str | None = None) -> Checked:
    collected, centrifuged, frozen = (values.get(k) for k in ("collected_at", "centrifuged_at", "frozen_at"))
    limits = specimen_type.limits
    return Checked(
        centrifuge_minutes_over=minutes_over(collected, centrifuged, limits.centrifuge_within_minutes),
        freeze_minutes_over=minutes_over(collected, frozen, limits.freeze_within_minutes),
        sprec=sprec_code(preanalytics(values, specimen_type, container)),
    )


def preanalytics(values: dict, specimen_type: SpecimenType, container: str | None = None) -> Preanalytics:
    collected, centrifuged, frozen = (values.get(k) for k in ("collected_at", "centrifuged_at", "frozen_at"))
    spin = None
    if centrifuged is not None:
        spin = Spin(
            values.get("centrifuge_minutes"),
            values.get("centrifuge_g"),
            values.get("centrifuge_temperature_c"),
            values.get("centrifuge_braking", True),
        )
    cold = bool(values.get("kept_cold"))
    return Preanalytics(
        sample_type=specimen_type.sprec_type,
        container=container or specimen_type.container,
        pre_delay_minutes=minutes_between(collected, centrifuged if spin else frozen),
        pre_cold=cold,
        first_spin=spin,
        post_delay_minutes=minutes_between(centrifuged, frozen),
        post_cold=cold,
        storage_temperature_c=values.get("storage_temperature_c"),
    )
