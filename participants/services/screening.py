"""How a person comes into a study: screened against the protocol's criteria, or registered directly.

Identifying data goes to its own table and is recorded in the audit trail as present, never by value.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import diff, snapshot
from core import validation
from core.i18n import text_for
from instruments.definitions.cleaning import Invalid, clean_value
from instruments.registry import get_instrument
from studies.protocol import evaluate
from studies.selectors import sites_for_user

from ..models import Participant, PersonalIdentifiers, Screening, SiteCounter
from .common import PII_MASK, Path, Status, _audit_created, _flat, _not_in_future, _protocol
from .numbering import number_take


@transaction.atomic
def participant_screen(
    *,
    study,
    site,
    user,
    screened_on: date,
    full_name: str,
    answers: dict,
    phone: str = "",
    national_id: str = "",
    date_of_birth: date | None = None,
    path: str = Path.PAGE,
) -> Participant:
    """A new participant at one of the user's sites, screened against the protocol's criteria.

    ``answers`` maps eligibility field codes and yes/no criterion codes to values. The person is a screen
    failure when a criterion fails, and stays in screening (eligible or still incomplete) otherwise.
    """
    protocol = _protocol(study)
    if site.study_id != study.pk or not sites_for_user(user, study).filter(pk=site.pk).exists():
        raise ValidationError(_("You may only screen participants at your own sites."))
    if not full_name.strip():
        raise ValidationError(_("The full name is required."))
    _not_in_future(screened_on, _("screening date"))
    known = {f.code for f in protocol.eligibility.fields} | {c.code for c in protocol.eligibility.criteria}
    answers = {code: value for code, value in answers.items() if code in known and value is not None}
    problems = eligibility_answer_problems(protocol=protocol, answers=answers)
    if problems:  # an answer outside its definition is refused, never evaluated as eligible
        raise ValidationError(problems)
    result = evaluate(protocol.eligibility.criteria, answers)
    participant = Participant.objects.create(
        study=study,
        site=site,
        screening_number=_next_screening_number(study, site),
        status=Status.SCREEN_FAILED if result.eligible is False else Status.SCREENING,
    )
    identifiers = PersonalIdentifiers.objects.create(
        participant=participant,
        full_name=full_name.strip(),
        phone=phone.strip(),
        national_id=national_id.strip(),
        date_of_birth=date_of_birth,
    )
    screening = Screening.objects.create(
        participant=participant,
        screened_on=screened_on,
        answers=answers,
        eligible=result.eligible,
        failing_criteria=[c.code for c in result.failing],
        unanswered_criteria=[c.code for c in result.unanswered],
        protocol_version=protocol.study.protocol_version,
        screened_by=user,
    )
    _audit_created(participant, user=user, path=path)
    _audit_created(
        identifiers,
        user=user,
        path=path,
        changes={
            name: [None, PII_MASK] for name, value in snapshot(identifiers).items() if value and name != "participant"
        },
    )
    _audit_created(screening, user=user, path=path, changes=diff({}, _flat(snapshot(screening), "answers")))
    return participant


# Eligibility numbers without a source instrument may be negative (a DEXA T-score); a percentage and an age
# in years have a range.
RANGE_BY_UNIT = {"%": (0.0, 100.0), "years": (0.0, 150.0)}


def eligibility_answer_problems(*, protocol, answers: dict) -> list[str]:
    """Why the screening ``answers`` cannot be stored: one message per answer outside its definition.

    A numeric field whose ``source`` names an instrument is checked like that instrument's answer: by its one
    numeric item's clean function (range and decimals: VAS 0-100 mm) or, for a scored instrument, the range of
    its total score (ODI 0-100 %). Other numeric fields must be finite and short (``RANGE_BY_UNIT`` adds a range
    for percentages and years); choice fields must name one of their options.
    """
    problems = []
    for field in protocol.eligibility.fields:
        if field.code not in answers:
            continue
        message = _field_problem(field, answers[field.code])
        if message:
            problems.append(f"{text_for(field.label)}: {message}")
    return problems


def _field_problem(field, value) -> str:
    if field.type == "choice":
        return "" if value in {option.code for option in field.options} else _("Choose one of the listed options.")
    if field.type not in ("integer", "number") or isinstance(value, bool):
        return ""
    try:
        validation.check_number(float(value))
        source_item = _source_item(field.source)
        if source_item is not None:
            clean_value(source_item, _plain(value))
            return ""
        low, high = _source_range(field.source) or RANGE_BY_UNIT.get(field.unit or "", (None, None))
    except (Invalid, validation.InputRefused) as problem:
        return text_for(problem.message)
    except OverflowError:
        return _("Enter a finite number.")
    if (low is not None and value < low) or (high is not None and value > high):
        lower, upper = ("" if low is None else f"{low:g}"), ("" if high is None else f"{high:g}")
        return _("Must be in the range %(low)s–%(high)s.") % {"low": lower, "high": upper}
    return ""


def _plain(value) -> str:
    """A number as a form would have sent it ("72", "72.5")."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _source_item(code: str | None):
    """The one numeric item of the source instrument (its answer is the field's value), or None."""
    instrument = _source_instrument(code)
    numeric = [item for item in instrument.items if item.type in ("number", "integer_scale")] if instrument else []
    return numeric[0] if instrument is not None and len(instrument.items) == 1 and numeric else None


def _source_range(code: str | None) -> tuple[float, float | None] | None:
    """(min, max) of the source instrument's total score, when it declares one."""
    instrument = _source_instrument(code)
    total = next((score for score in instrument.scores if score.name == "total"), None) if instrument else None
    if total is None or total.min is None:
        return None
    return float(total.min), None if total.max is None else float(total.max)


def _source_instrument(code: str | None):
    if not code:
        return None
    try:
        return get_instrument(code)
    except KeyError:
        return None


def _next_screening_number(study, site) -> str:
    return number_take(
        site=site, kind=SiteCounter.Kind.SCREENING_NUMBER, number=lambda seq: screening_number(site.code, seq)
    )


def screening_number(site_code: str, seq: int) -> str:
    """The ``seq``-th screening number of a site (S-01-0001)."""
    return f"S-{site_code}-{seq:04d}"


@transaction.atomic
def participant_register(
    *,
    study,
    site,
    identifier: str,
    status: str = Status.SCREENING,
    enrolled_on=None,
    user=None,
    reason: str = "",
    path: str = Path.PAGE,
) -> Participant:
    """Record a participant directly (imports and demo data); the study ID must be unique in the study."""
    if site.study_id != study.pk:
        raise ValueError("the site does not belong to the study")
    participant = Participant.objects.create(
        study=study, site=site, identifier=identifier, status=status, enrolled_on=enrolled_on
    )
    _audit_created(participant, user=user, path=path, reason=reason)
    return participant
