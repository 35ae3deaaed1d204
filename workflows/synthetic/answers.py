"""Answers to one instrument for a synthetic participant, driven by how bad their pain is at that visit.

``severity`` (0 best, 1 worst) moves every ordered item together, so pain, disability, mood and sleep scores
correlate and follow the participant's course. Values are raw text as a form would submit them; they then go
through the definition's own ``clean_responses`` and the scores through ``instruments.services.scores_for``,
exactly as the one write path stores them, so nothing here decides what a valid value is.

Cleaning and scoring cost about half a millisecond a form, too slow for millions of forms, so forms are pooled
by (instrument, severity step, variant): each is cleaned and scored once and shared (``FormPool``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from instruments.definitions import Instrument, Item, clean_responses
from instruments.services import scores_for

from .bulk import Json

STEPS = 10  # severity is rounded to tenths before it picks a pooled form
VARIANTS = 24  # pooled forms per instrument and severity step
SKIP_OPTIONAL = 0.12  # chance that an optional item is left unanswered
DATED = ("date", "partial_date")
# Items whose plausible values are not the middle of their allowed range: mean and spread.
PHYSIOLOGY = {
    "demographics_height": (165.0, 8.0),
    "demographics_weight": (66.0, 11.0),
}


@dataclass(frozen=True)
class Form:
    values: dict[str, Any]
    scores: dict[str, Any]
    scoring_version: str

    @cached_property
    def values_json(self) -> Json:
        """The answers as a JSON column, serialised once for every response sharing this form."""
        return Json(self.values)

    @cached_property
    def scores_json(self) -> Json:
        return Json(self.scores)


@dataclass(frozen=True)
class Context:
    """What dated items need: the day of the visit and the participant's date of birth."""

    visit_day: date
    birth_date: date


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _ordered(rng: random.Random, low: float, high: float, severity: float) -> float:
    return low + (high - low) * _clip(rng.gauss(severity, 0.15))


def _number(rng: random.Random, item: Item, severity: float) -> str:
    if item.code in PHYSIOLOGY:
        mean, spread = PHYSIOLOGY[item.code]
        value = rng.gauss(mean, spread)
    else:
        low = item.min if item.min is not None else 0.0
        high = item.max if item.max is not None else low + 100.0
        value = low + (high - low) * _clip(rng.gauss(0.25 + 0.2 * severity, 0.1))
    low, high = item.min, item.max
    value = max(low, value) if low is not None else value
    value = min(high, value) if high is not None else value
    places = item.decimals if item.decimals is not None else 1
    return str(int(round(value))) if places == 0 else f"{value:.{min(places, 2)}f}"


def _day(item: Item, rng: random.Random, context: Context) -> date:
    if item.code.endswith("birth_date"):
        return context.birth_date
    if any(word in item.code for word in ("onset", "start", "aware")):
        return context.visit_day - timedelta(days=rng.randint(0, 14))
    return context.visit_day


def _dated(item: Item, rng: random.Random, context: Context) -> str:
    day = _day(item, rng, context)
    if item.type == "date":
        return day.isoformat()
    return str(day.year - rng.randint(0, 15))  # partial dates are years of a past event


def _choice(rng: random.Random, item: Item, severity: float) -> str:
    codes = sorted(item.option_codes)
    return str(codes[round(_ordered(rng, 0, len(codes) - 1, severity))])


def _raw(item: Item, rng: random.Random, severity: float, context: Context | None) -> Any:
    kind = item.type
    if kind == "integer_scale":
        low, high = item.min or 0, item.max if item.max is not None else 10
        return str(round(_ordered(rng, low, high, severity)))
    if kind == "single_choice":
        return _choice(rng, item, severity)
    if kind == "multiple_choice":
        return [str(code) for code in rng.sample(item.option_codes, k=min(len(item.option_codes), rng.randint(1, 2)))]
    if kind == "yes_no":
        return "1" if rng.random() < 0.15 + 0.5 * severity else "0"
    if kind in ("number", "duration"):
        return _number(rng, item, severity)
    if kind == "time":
        return f"{rng.choice([21, 22, 23, 6, 7]):02d}:{rng.choice([0, 15, 30, 45]):02d}"
    if kind in DATED:
        return _dated(item, rng, context) if context is not None else None
    return "无 / none" if item.required else ""


def raw_answers(instrument: Instrument, rng: random.Random, severity: float, context: Context | None) -> dict:
    """Submitted text for every entered item; some optional ones left blank."""
    answers = {}
    for item in instrument.items:
        if not item.entered or (not item.required and rng.random() < SKIP_OPTIONAL):
            continue
        answers[item.code] = _raw(item, rng, severity, context)
    return answers


def fill(instrument: Instrument, rng: random.Random, severity: float, context: Context | None) -> Form:
    """One complete form: cleaned by the definition and scored by its scorer (ValueError if it refuses them)."""
    cleaned = clean_responses(instrument, raw_answers(instrument, rng, severity, context), complete=True)
    if not cleaned.ok:
        raise ValueError(f"{instrument.code}: generated answers refused: {cleaned.errors}")
    scores, version = scores_for(instrument, cleaned.values)
    return Form(cleaned.values, scores, version)


def has_dates(instrument: Instrument) -> bool:
    return any(item.type in DATED for item in instrument.items)


# Pooled forms are filled at these two reference dates: when both give the same scores and the same undated
# answers, the form's dates do not feed its scores and each response gets its own dates in place of the pool's.
REFERENCE = (Context(date(2020, 6, 15), date(1970, 1, 1)), Context(date(2024, 3, 1), date(1981, 7, 9)))


def _undated(instrument: Instrument, form: Form) -> tuple:
    dated = {item.code for item in instrument.items if item.type in DATED}
    return form.scores, {code: value for code, value in form.values.items() if code not in dated}


def _redated(instrument: Instrument, form: Form, rng: random.Random, context: Context) -> Form:
    values = dict(form.values)
    for item in instrument.items:
        if item.type in DATED and values.get(item.code) is not None:
            values[item.code] = _dated(item, rng, context)
    redated = Form(values, form.scores, form.scoring_version)
    redated.__dict__["scores_json"] = form.scores_json  # the scores are the pooled form's: serialised once
    return redated


@dataclass
class FormPool:
    """Cleaned and scored forms shared by every response of the same instrument and severity step.

    A pooled form with dates is shared only when its scores do not depend on them (checked at two reference
    dates); otherwise, as for the demographics form (age from the date of birth), each response is filled and
    scored on its own.
    """

    seed: int
    forms: dict[tuple[str, str, int, int], Form | None] = field(default_factory=dict)

    @classmethod
    def for_seed(cls, seed: int) -> FormPool:
        """The process's pool for ``seed``: its forms depend only on the seed, so runs may share them."""
        return _POOLS.setdefault(seed, cls(seed))

    def _pooled(self, instrument: Instrument, key: tuple[str, str, int, int]) -> Form | None:
        if key not in self.forms:
            name = f"{self.seed}:{'/'.join(map(str, key))}"
            first, second = (fill(instrument, random.Random(name), key[2] / STEPS, day) for day in REFERENCE)
            shared = not has_dates(instrument) or _undated(instrument, first) == _undated(instrument, second)
            self.forms[key] = first if shared else None
        return self.forms[key]

    def form(self, instrument: Instrument, rng: random.Random, severity: float, context: Context) -> Form:
        key = (instrument.code, instrument.version, round(_clip(severity) * STEPS), rng.randrange(VARIANTS))
        pooled = self._pooled(instrument, key)
        if pooled is None:
            return fill(instrument, rng, severity, context)
        return _redated(instrument, pooled, rng, context) if has_dates(instrument) else pooled


_POOLS: dict[int, FormPool] = {}
