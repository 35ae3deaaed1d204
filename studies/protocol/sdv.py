"""The optional `sdv` section of a protocol file: targeted source data verification.

Which complete forms a monitor must verify, and where the check is per field. Without the section every complete
form needs SDV, as a whole (100 %). With it, each entry of `forms` names an `instrument` (optionally only at some
`visits`) with a `percent` of its forms to verify and, optionally, the `fields` (item codes) the monitor ticks one
by one; forms no entry names need `default_percent` (100 unless given). Which forms fall in a sample is decided
by a hash of the study's `seed`, the participant, the visit, the form and its entry number, so the same form is in
or out of the sample on every server, every day, whatever order forms are saved in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from . import limits
from .quality import InstrumentFields, _missing_field
from .reader import Problem, Reader, gettext_noop, join

FORM_KEYS = ("instrument",)
FORM_OPTIONAL = ("percent", "fields", "visits")


@dataclass(frozen=True)
class SdvForm:
    instrument: str
    percent: int = 100
    fields: tuple[str, ...] = ()
    visits: tuple[str, ...] = ()  # empty: every visit

    def applies(self, instrument: str, visit_code: str) -> bool:
        return self.instrument == instrument and (not self.visits or visit_code in self.visits)


@dataclass(frozen=True)
class SdvPlan:
    seed: int = 0
    default_percent: int = 100
    forms: tuple[SdvForm, ...] = ()


@dataclass(frozen=True)
class Requirement:
    """What SDV one form needs: none (out of the sample), the whole form, or the listed fields."""

    required: bool
    fields: tuple[str, ...] = ()


FULL = SdvPlan()


def in_sample(seed: int, percent: int, *, participant: str, visit_code: str, activity_key: str, instance: int) -> bool:
    """Deterministic: the same form is in (or out of) the sample for a given seed and percent."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    text = f"{seed}|{participant}|{visit_code}|{activity_key}|{instance}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % 100 < percent


def requirement(
    plan: SdvPlan | None, *, participant: str, instrument: str, visit_code: str, activity_key: str, instance: int = 1
) -> Requirement:
    """The SDV the plan asks of one form (the first entry of `forms` that names it, else the default)."""
    plan = plan or FULL
    entry = next((form for form in plan.forms if form.applies(instrument, visit_code)), None)
    percent = entry.percent if entry else plan.default_percent
    chosen = in_sample(
        plan.seed, percent, participant=participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    )
    return Requirement(chosen, entry.fields if (chosen and entry) else ())


def read_sdv(r: Reader, data: dict, instruments: frozenset[str], visit_codes: set[str]) -> SdvPlan:
    section = data.get("sdv")
    if section is None or r.mapping(section, "sdv", (), ("seed", "default_percent", "forms")) is None:
        return FULL
    seed = r.integer(section, "seed", "sdv", 0, minimum=0, maximum=2**63 - 1)
    default = r.integer(section, "default_percent", "sdv", 100, minimum=0, maximum=100)
    forms = []
    for path, item in r.items(section, "forms", "sdv", limits.MAX_RULES):
        form = _read_form(r, item, path, instruments, visit_codes)
        if form is not None:
            forms.append(form)
    return SdvPlan(seed=seed, default_percent=default, forms=tuple(forms))


def _read_form(r: Reader, item, path: str, instruments: frozenset[str], visit_codes: set[str]) -> SdvForm | None:
    if r.mapping(item, path, FORM_KEYS, FORM_OPTIONAL) is None:
        return None
    code = r.string(item, "instrument", path)
    percent = r.integer(item, "percent", path, 100, minimum=0, maximum=100)
    if code is not None and code not in instruments:
        r.add(join(path, "instrument"), gettext_noop("unknown instrument '%(code)s'"), code=code)
        return None
    fields, visits = r.strings(item, "fields", path), r.strings(item, "visits", path)
    for j, visit in enumerate(visits):
        if visit not in visit_codes:
            where = join(join(path, "visits"), j)
            r.add(where, gettext_noop("visit '%(code)s' is not declared by the study"), code=visit)
    return SdvForm(code, percent, fields, visits) if code else None


def check_sdv_fields(plan: SdvPlan, fields: Mapping[str, InstrumentFields], *, filename: str) -> list[Problem]:
    """A problem for every field of `sdv.forms` its instrument does not have (checked on load, as quality rules)."""
    problems = []
    for i, form in enumerate(plan.forms):
        for j, code in enumerate(form.fields):
            msgid, close = _missing_field(fields.get(form.instrument), "item", code)
            if msgid:
                where = join(join(join(join("sdv", "forms"), i), "fields"), j)
                problems.append(
                    Problem.of(filename, where, msgid, instrument=form.instrument, code=code, suggestion=close)
                )
    return problems
