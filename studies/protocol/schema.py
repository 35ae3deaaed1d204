"""Frozen dataclasses for a parsed study protocol (see docs/protocol-format.md).

Everything here is plain data: the parser builds it, the schedule, eligibility and diff modules read it,
and the Django side reads it from the stored file (``studies.selectors.current_protocol``); no table copies it.
Tuples rather than lists so a Protocol is hashable and immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .outcomes import DiscontinuationCriterion, Intervention
    from .quality import QualityRule
    from .sdv import SdvPlan
    from .series_rules import SeriesRule
    from .specimens import Biobank

DESIGNS = ("observational", "randomised")
BLINDINGS = ("none", "single", "double")
# How a blinded study keeps arm-restricted visits and activities from showing the arm (docs/protocol-format.md):
# "union": every participant is scheduled every visit and activity, whatever the arm.
BLINDED_SCHEDULES = ("union",)
RESPONDENTS = ("participant", "family", "clinician", "coordinator")
ACTIVITY_KINDS = ("instrument", "specimen", "acquisition")
FIELD_TYPES = ("number", "integer", "boolean", "choice")
RULE_OPS = ("==", "!=", ">", ">=", "<", "<=", "in", "between")
# The label languages a study may declare, as the label keys ("en", "zh"); the file spells them en / zh-Hans.
BOTH_LANGUAGES = ("en", "zh")
# Events that can set an anchor's date (docs/protocol-format.md, "Anchors set by an event"); "crf" is a date item
# of a form, written `{instrument, item}`.
ANCHOR_EVENTS = ("randomisation", "consent", "enrolment", "crf")


@dataclass(frozen=True)
class Text:
    """A user-facing label in English and Simplified Chinese; a language the study does not declare is ""."""

    en: str
    zh: str


@dataclass(frozen=True)
class RegistryEntry:
    registry: str
    id: str


@dataclass(frozen=True)
class Study:
    code: str
    title: Text
    registry: tuple[RegistryEntry, ...]
    sponsor: Text
    target_enrolment: int | None  # None: not given (a registry entry may give none)
    design: str
    blinding: str
    protocol_version: str
    protocol_date: date
    participant_id_pattern: str
    blinded_schedule: str | None = None  # one of BLINDED_SCHEDULES; only meaningful when blinded
    languages: tuple[str, ...] = BOTH_LANGUAGES  # label keys every label must give: ("en",), ("zh",) or both

    @property
    def blinded(self) -> bool:
        return self.blinding != "none"


@dataclass(frozen=True)
class Site:
    code: str
    name: Text
    participant_id_pattern: str | None = None  # overrides the study's pattern when set


@dataclass(frozen=True)
class Arm:
    code: str
    name: Text
    ratio: int | None = None
    intervention: Intervention | None = None  # studies.protocol.outcomes; None: not declared


@dataclass(frozen=True)
class ExpectedDate:
    """An anchor expected `offset_days` after another anchor until its real date is entered."""

    anchor: str
    offset_days: int


@dataclass(frozen=True)
class AnchorEvent:
    """What sets an anchor's date: randomisation, consent, enrolment, or a date item of a form ("crf")."""

    event: str  # one of ANCHOR_EVENTS
    instrument: str | None = None  # crf only
    item: str | None = None  # crf only

    def __str__(self) -> str:
        return f"{self.instrument}.{self.item}" if self.event == "crf" else self.event


@dataclass(frozen=True)
class Anchor:
    code: str
    label: Text
    optional: bool = False
    expected: ExpectedDate | None = None
    set_by: AnchorEvent | None = None  # None: the date is entered by hand (or, for `enrolment`, at enrolment)


@dataclass(frozen=True)
class Repeating:
    every_days: int
    count: int


@dataclass(frozen=True)
class Activity:
    """One thing done at a visit. `key` is unique within the visit (defaults to `code`)."""

    kind: str  # one of ACTIVITY_KINDS
    code: str  # instrument code, specimen type or acquisition type
    key: str
    version: str | None = None
    respondent: str | None = None
    arms: tuple[str, ...] = ()  # empty: every arm that has the visit
    series: tuple[str, ...] = ()  # acquisitions: expected series (e.g. MRI sequences, BOLD tasks)
    notes: Text | None = None


@dataclass(frozen=True)
class Visit:
    code: str
    label: Text
    anchor: str
    offset_days: int
    window_before: int
    window_after: int
    arms: tuple[str, ...] = ()  # empty: all arms
    repeating: Repeating | None = None
    activities: tuple[Activity, ...] = ()
    # Declared ``unscheduled: true``: no anchor, offset or window (anchor "" and zeros here); done on any date,
    # never projected and never a planned visit (studies.protocol.entry).
    unscheduled: bool = False
    # Days after ``window_after`` during which a participant's survey link still opens (``survey_grace_days``;
    # docs/surveys.md): the visit's window itself does not move.
    survey_grace_days: int = 0


@dataclass(frozen=True)
class Option:
    code: Any
    label: Text


@dataclass(frozen=True)
class EligibilityField:
    """An answer a screening form collects so that rules can be evaluated."""

    code: str
    label: Text
    type: str  # one of FIELD_TYPES
    unit: str | None = None
    options: tuple[Option, ...] = ()
    source: str | None = None  # instrument code the value usually comes from (e.g. odi), for prefilling


@dataclass(frozen=True)
class Condition:
    """A comparison on one field: `{field, op, value}`."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Combination:
    """`all` / `any` of sub-rules, or `not` of exactly one."""

    mode: str  # all | any | not
    rules: tuple[Rule, ...]


Rule = Condition | Combination


@dataclass(frozen=True)
class Criterion:
    """An inclusion or exclusion item.

    With no `rule`, the answer is a plain yes/no confirmed by the clinician, stored under the criterion's
    code: for inclusion yes means "met", for exclusion yes means "applies" (the person is excluded).
    """

    code: str
    kind: str  # inclusion | exclusion
    text: Text
    rule: Rule | None = None


@dataclass(frozen=True)
class Eligibility:
    fields: tuple[EligibilityField, ...] = ()
    inclusion: tuple[Criterion, ...] = ()
    exclusion: tuple[Criterion, ...] = ()

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self.inclusion + self.exclusion


@dataclass(frozen=True)
class ReassessmentRule:
    """Flag when a score at `visit` fell by less than `min_reduction_percent` from `baseline_visit`."""

    code: str
    instrument: str
    score: str
    baseline_visit: str
    visit: str
    min_reduction_percent: float
    flag: Text


@dataclass(frozen=True)
class Protocol:
    study: Study
    sites: tuple[Site, ...]
    arms: tuple[Arm, ...]
    anchors: tuple[Anchor, ...]
    visits: tuple[Visit, ...]
    eligibility: Eligibility = field(default_factory=Eligibility)
    rules: tuple[ReassessmentRule, ...] = ()
    quality_rules: tuple[QualityRule, ...] = ()  # studies.protocol.quality
    series_rules: tuple[SeriesRule, ...] = ()  # studies.protocol.series_rules: MRI labels ahead of the defaults
    sdv: SdvPlan | None = None  # studies.protocol.sdv: targeted SDV (None: every complete form, whole)
    discontinuation: tuple[DiscontinuationCriterion, ...] = ()  # studies.protocol.outcomes
    analysis_visits: tuple[str, ...] = ()  # a participant is analysed once one of these is completed
    biobank: Biobank | None = None  # studies.protocol.specimens (parse_protocol always sets it)

    def anchor(self, code: str) -> Anchor:
        return next(a for a in self.anchors if a.code == code)

    def visit(self, code: str) -> Visit:
        return next(v for v in self.visits if v.code == code)

    @property
    def arm_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.arms)

    @property
    def union_schedule(self) -> bool:
        """A blinded study whose schedule is the same for every arm (``blinded_schedule: union``): arm
        restrictions of visits and activities do not change anyone's schedule."""
        return self.study.blinded and self.study.blinded_schedule == "union"
