from django.db.models import QuerySet

from accounts.selectors import membership_for

from .models import Site, Study


def studies_for_user(user) -> QuerySet[Study]:
    """Studies in which ``user`` holds an active membership."""
    if not user.is_authenticated:
        return Study.objects.none()
    return Study.objects.filter(
        is_active=True, memberships__user=user, memberships__is_active=True
    ).distinct()


def sites_for_user(user, study: Study) -> QuerySet[Site]:
    """The sites of ``study`` that ``user`` may see: all of them, or those of the membership."""
    membership = membership_for(user, study)
    if membership is None:
        return Site.objects.none()
    if membership.all_sites:
        return study.sites.all()
    return study.sites.filter(memberships=membership)


# Kinds of specimen and acquisition a protocol may name; extended as the biobank and imaging apps grow.
KNOWN_SPECIMENS = frozenset({"blood", "stool", "adipose_tissue", "urine", "saliva"})
KNOWN_ACQUISITIONS = frozenset({"mri", "psg", "hrv", "emg", "qst"})


def parse_protocol_text(text: str, *, filename: str):
    """Parse a protocol file against the installed instrument library (raises ProtocolError)."""
    from instruments.registry import instrument_codes

    from .protocol import parse_protocol

    return parse_protocol(
        text, filename=filename, known_instruments=instrument_codes(),
        known_specimens=set(KNOWN_SPECIMENS), known_acquisitions=set(KNOWN_ACQUISITIONS),
    )


_parsed_cache: dict[str, object] = {}


def current_protocol(study: Study):
    """The parsed current protocol of ``study`` (a studies.protocol.Protocol), or None if none is loaded.

    Parsed once per process and file checksum: a protocol file is immutable once stored.
    """
    from .models import ProtocolVersion

    row = ProtocolVersion.objects.filter(study=study, is_current=True).only("checksum", "text", "filename").first()
    if row is None:
        return None
    if row.checksum not in _parsed_cache:
        _parsed_cache[row.checksum] = parse_protocol_text(row.text, filename=row.filename)
    return _parsed_cache[row.checksum]
