"""Study IDs and screening numbers from a per-site counter row (models.SiteCounter), not a scan of the numbers
already given. The counter row stays locked (SELECT ... FOR UPDATE) until the calling transaction ends, so two
enrolments at one site at the same moment wait for each other and get consecutive numbers."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from ..models import Participant, SiteCounter


def number_take(*, site, kind: str, number: Callable[[int], str]) -> str:
    """The next free number of ``kind`` (a SiteCounter.Kind, also the Participant field it fills) at ``site``;
    ``number`` formats a sequence number. Call it inside the transaction that stores the number."""
    counter = _locked_counter(site, kind)
    seq = counter.last + 1
    study_numbers = Participant.objects.filter(study_id=site.study_id)
    # A number given without the counter (generate_study, an import) is skipped: one indexed look-up each.
    while study_numbers.filter(**{kind: number(seq)}).exists():
        seq = max(seq + 1, _given_at(site, kind) + 1)
    counter.last = seq
    counter.save(update_fields=["last"])
    return number(seq)


def _locked_counter(site, kind: str) -> SiteCounter:
    counter = SiteCounter.objects.select_for_update().filter(site=site, kind=kind).first()
    if counter is not None:
        return counter
    # The site's first number since counters exist: start after the numbers already given there (counted once).
    try:
        with transaction.atomic():
            SiteCounter.objects.create(site=site, kind=kind, last=_given_at(site, kind))
    except IntegrityError:  # another transaction made it first; its row is read (and locked) below
        pass
    return SiteCounter.objects.select_for_update().get(site=site, kind=kind)


def _given_at(site, kind: str) -> int:
    return Participant.objects.filter(site=site).exclude(**{kind: ""}).count()
