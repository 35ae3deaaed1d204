"""Arms of synthetic participants: the clinician's choice in an observational study, the study's frozen
allocation list in a randomised one (slots taken in order of enrolment, per stratum when stratified by site).

A randomised study without a frozen list gets one through the randomisation services (generated and frozen,
both audited), so the concealed arms come from a real allocation list, not from this module.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from participants.models import Participant
from randomisation.models import AllocationList, AllocationSlot
from randomisation.selectors import SITE
from randomisation.services import MAX_SIZE, allocation_list_freeze, allocation_list_generate
from studies.protocol import Protocol

from .course import Course, SyntheticError
from .rows import moment

CLINICIAN = Participant.AllocationSource.CLINICIAN
RANDOMISATION = Participant.AllocationSource.RANDOMISATION


def _frozen_list(study, *, user, count: int, seed: int) -> AllocationList:
    existing = AllocationList.objects.filter(study=study, frozen=True).first()
    if existing is not None:
        return existing
    if count > MAX_SIZE:
        raise SyntheticError(_("A randomised study takes at most %(max)s generated participants.") % {"max": MAX_SIZE})
    return allocation_list_freeze(
        # Only a command or the statistician may give the seed that keeps a synthetic study the same per --seed.
        allocation_list=allocation_list_generate(study=study, user=user, size=count, seed=seed, by_command=True),
        user=user,
    )


@dataclass
class Allocator:
    arms: list[str]
    weights: list[int]
    free: dict[str, list[AllocationSlot]] | None = None  # stratum -> free slots, for a randomised study
    by_site: bool = False
    taken: dict[int, AllocationSlot] = field(default_factory=dict)  # course index -> slot

    @classmethod
    def for_study(cls, study, protocol: Protocol, *, user, count: int, seed: int) -> Allocator:
        arms = [arm.code for arm in protocol.arms]
        if protocol.study.design != "randomised":
            return cls(arms=arms, weights=[2] + [1] * (len(arms) - 1))
        allocation_list = _frozen_list(study, user=user, count=count, seed=seed)
        if set(allocation_list.strata_factors) - {SITE}:
            raise SyntheticError(_("Only allocation lists stratified by site at most can be used for generated data."))
        free: dict[str, list[AllocationSlot]] = {}
        for slot in allocation_list.slots.filter(used_by=None).order_by("stratum", "sequence"):
            free.setdefault(slot.stratum, []).append(slot)
        return cls(arms=arms, weights=[], free=free, by_site=bool(allocation_list.strata_factors))

    def allocate(self, course: Course, rng: random.Random) -> None:
        """Give an enrolled course its arm (and, when randomised, its slot)."""
        if self.free is None:
            if self.arms:
                course.arm, course.allocation_source = rng.choices(self.arms, self.weights)[0], CLINICIAN
            return
        stratum = f"{SITE}={course.site_code}" if self.by_site else ""
        slots = self.free.get(stratum) or []
        if not slots:
            raise SyntheticError(_("The allocation list has no free number left for this participant's stratum."))
        slot = slots.pop(0)
        self.taken[course.index] = slot
        course.arm, course.allocation_source = slot.arm_code, RANDOMISATION

    def record(self, courses: list[Course], participants: list[Participant], *, user) -> int:
        """Mark the slots of this batch's participants as used (after the participants are saved)."""
        used = []
        for course, participant in zip(courses, participants, strict=True):
            slot = self.taken.get(course.index)
            if slot is not None:
                slot.used_by, slot.used_at, slot.used_by_user = participant, moment(course.enrolled_on), user
                used.append(slot)
        return AllocationSlot.objects.bulk_update(used, ["used_by", "used_at", "used_by_user"], batch_size=1000)
