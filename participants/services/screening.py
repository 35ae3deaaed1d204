"""How a person comes into a study: screened against the protocol's criteria, or registered directly.

Identifying data goes to its own table and is recorded in the audit trail as present, never by value.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import diff, snapshot
from studies.models import Site
from studies.protocol import evaluate
from studies.selectors import sites_for_user

from ..models import Participant, PersonalIdentifiers, Screening
from .common import PII_MASK, Path, Status, _audit_created, _flat, _not_in_future, _protocol


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


def _next_screening_number(study, site) -> str:
    Site.objects.select_for_update().filter(pk=site.pk).first()  # one screening number at a time per site
    taken = set(Participant.objects.filter(study=study).values_list("screening_number", flat=True))
    seq = Participant.objects.filter(site=site).exclude(screening_number="").count() + 1
    while screening_number(site.code, seq) in taken:
        seq += 1
    return screening_number(site.code, seq)


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
