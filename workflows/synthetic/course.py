"""One synthetic person's course through a study: screening answers, consent, enrolment, anchor dates, the
visits the protocol engine projects from them, which visits were attended, missed or cancelled, withdrawal.

Pure: no database. Every date is drawn from the person's own ``random.Random``, so a person's course depends
only on the seed and their index. Visit dates are never computed here: ``studies.protocol.project_visits``,
the function the participants services project with, gives them from the anchor dates and the arm.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from studies.protocol import ProjectedVisit, Protocol, evaluate, project_visits
from studies.protocol.schema import Combination, Condition, Criterion

ENROLMENT = "enrolment"
RECRUITMENT_DAYS = 730  # enrolment runs over two years from a month after the protocol date
SCREEN_FAILURE = 0.15
WITHDRAWAL = 0.10
MISSED = 0.05
OUT_OF_WINDOW = 0.03
CHRONIC = 0.25  # share of people whose pain does not improve
OPTIONAL_ANCHOR = 0.35  # share of people who have an optional anchor (a procedure)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
WITHDRAWAL_REASONS = (
    "Moved away / 迁居外地",
    "Withdrew consent / 撤回知情同意",
    "Lost to follow-up / 失访",
    "Adverse event / 不良事件",
)


class SyntheticError(ValueError):
    """Why nothing was generated, for the user."""


@dataclass
class VisitPlan:
    projected: ProjectedVisit
    completed_on: date | None = None
    missed: bool = False
    cancelled: bool = False


@dataclass
class Course:
    index: int
    site_code: str
    full_name: str
    birth_date: date
    screened_on: date
    answers: dict[str, Any]
    eligible: bool
    failing: list[str]
    unanswered: list[str]
    enrolled_on: date | None = None
    arm: str | None = None
    allocation_source: str = ""
    anchors: dict[str, date] = field(default_factory=dict)
    withdrawn_on: date | None = None
    withdrawal_reason: str = ""
    pain: float = 0.6  # severity before treatment, 0 to 1
    chronic: bool = False
    visits: list[VisitPlan] = field(default_factory=list)


# Screening answers -------------------------------------------------------------------------------------------


def _spread(value: Any) -> float:
    return max(abs(float(value)) * 0.5, 5.0)


def _satisfying(rng: random.Random, rule: Condition, holds: bool, options: list) -> Any:
    """A value for which ``rule`` is ``holds``."""
    op, target = rule.op, rule.value
    if op == "between":
        low, high = target
        return rng.randint(low, high) if holds else high + rng.randint(1, 10)
    if op == "in":
        outside = [code for code in options if code not in target] or [max(target) + 1]
        return rng.choice(list(target)) if holds else rng.choice(outside)
    if op in ("==", "!="):
        same = (op == "==") == holds
        return target if same else ([code for code in options if code != target] or [target + 1])[0]
    above = op in (">", ">=") if holds else op in ("<", "<=")
    step = rng.uniform(0, _spread(target))
    strict = 1 if (op in (">", "<")) == holds else 0
    return target + strict + step if above else target - strict - step


def _answer(rng: random.Random, rule: Any, holds: bool, fields: dict, answers: dict) -> None:
    if isinstance(rule, Combination):
        if rule.mode == "not":
            _answer(rng, rule.rules[0], not holds, fields, answers)
            return
        every = (rule.mode == "all") == holds  # all true / all false; otherwise one part decides
        parts = rule.rules if every else rule.rules[:1]
        for part in parts:
            _answer(rng, part, holds, fields, answers)
        return
    spec = fields.get(rule.field)
    options = [option.code for option in spec.options] if spec is not None else []
    value = _satisfying(rng, rule, holds, options)
    kind = spec.type if spec is not None else "number"
    answers.setdefault(rule.field, round(value) if kind in ("integer", "choice") else round(float(value), 1))


def screening_answers(rng: random.Random, protocol: Protocol, fail: Criterion | None) -> dict[str, Any]:
    """Answers under which every criterion is met, except ``fail`` (the reason for a screen failure)."""
    fields = {spec.code: spec for spec in protocol.eligibility.fields}
    answers: dict[str, Any] = {}
    for criterion in protocol.eligibility.criteria:
        holds = (criterion.kind == "inclusion") != (criterion is fail)
        if criterion.rule is None:
            answers[criterion.code] = holds
        else:
            _answer(rng, criterion.rule, holds, fields, answers)
    return answers


# The course --------------------------------------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def person(rng: random.Random, protocol: Protocol, *, index: int, site_code: str, day: date) -> Course:
    """Someone screened on ``day``: eligible (then consented and enrolled that day) or a screen failure."""
    criteria = protocol.eligibility.criteria
    fail = rng.choice(criteria) if criteria and rng.random() < SCREEN_FAILURE else None
    answers = screening_answers(rng, protocol, fail)
    result = evaluate(criteria, answers)
    age = answers.get("age")
    years = age if isinstance(age, int) else rng.randint(25, 70)
    course = Course(
        index=index,
        site_code=site_code,
        full_name=_name(rng),
        birth_date=day - timedelta(days=365 * years + rng.randint(30, 330)),
        screened_on=day,
        answers=answers,
        eligible=result.eligible is True,
        failing=[c.code for c in result.failing],
        unanswered=[c.code for c in result.unanswered],
        pain=rng.uniform(0.45, 0.9),
        chronic=rng.random() < CHRONIC,
    )
    if course.eligible:
        course.enrolled_on = day
    return course


def enter_anchors(rng: random.Random, protocol: Protocol, course: Course, today: date) -> None:
    """Enrolment, then each later anchor a few days or weeks on; none in the future (not known yet)."""
    assert course.enrolled_on is not None
    days = {ENROLMENT: course.enrolled_on}
    for anchor in protocol.anchors:
        if anchor.code == ENROLMENT or (anchor.optional and rng.random() >= OPTIONAL_ANCHOR):
            continue
        if anchor.expected is not None and anchor.expected.anchor in days:
            day = days[anchor.expected.anchor] + timedelta(days=anchor.expected.offset_days + rng.randint(-2, 3))
        else:
            day = max(days.values()) + timedelta(days=rng.randint(3, 14))
        if day < today:
            days[anchor.code] = day
    course.anchors = days


def withdraw(rng: random.Random, course: Course, today: date) -> None:
    assert course.enrolled_on is not None
    if rng.random() < WITHDRAWAL:
        day = course.enrolled_on + timedelta(days=rng.randint(20, 400))
        if day < today:
            course.withdrawn_on, course.withdrawal_reason = day, rng.choice(WITHDRAWAL_REASONS)


def _attend(rng: random.Random, plan: VisitPlan, today: date, last_day: date) -> None:
    visit = plan.projected
    if visit.estimated or visit.target >= today:
        return  # still to come
    if visit.window_end < today and rng.random() < MISSED:
        plan.missed = True
        return
    if visit.window_end >= today and rng.random() < 0.5:
        return  # window open, not done yet
    late = rng.random() < OUT_OF_WINDOW
    day = visit.window_end + timedelta(days=rng.randint(1, 5)) if late else visit.target
    day = day + timedelta(days=rng.randint(0, min(2, (visit.window_end - visit.target).days)))
    if day <= last_day:
        plan.completed_on = day


def schedule(rng: random.Random, protocol: Protocol, course: Course, today: date) -> None:
    """The projected visits and what became of each: done, missed, cancelled at withdrawal, or still open."""
    last_day = today - timedelta(days=1)
    if course.withdrawn_on is not None:
        last_day = min(last_day, course.withdrawn_on - timedelta(days=1))
    course.visits = []
    for projected in project_visits(protocol, course.arm, dict(course.anchors)):
        plan = VisitPlan(projected)
        _attend(rng, plan, today, last_day)
        if plan.completed_on is None and course.withdrawn_on is not None and projected.target >= course.withdrawn_on:
            plan.missed, plan.cancelled = False, True
        course.visits.append(plan)


def severity(course: Course, day: date, rng: random.Random) -> float:
    """How bad things are on ``day``: improving after treatment for most people, unchanged for the chronic."""
    started = [d for code, d in course.anchors.items() if code != ENROLMENT]
    since = (day - min(started)).days if started else 0
    if course.chronic or since <= 0:
        return course.pain + rng.gauss(0, 0.05)
    return course.pain * (0.35 + 0.65 * math.exp(-since / 45)) + rng.gauss(0, 0.05)
