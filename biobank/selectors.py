"""Reads of the biobank, always from what the user may see: specimens of the participants in the user's studies
and sites, and the freezers of those sites. No page shows an arm (a dose group is an arm: never read here)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Membership
from core.i18n import text_for
from participants.selectors import participants_for_user
from studies.protocol import activities_for
from studies.selectors import activity_title, current_protocol

from .models import Box, ConsentUse, Freezer, Position, Shipment, Specimen


def specimens_for_user(user) -> QuerySet[Specimen]:
    if not user.is_authenticated:
        return Specimen.objects.none()
    return Specimen.objects.filter(participant__in=participants_for_user(user)).select_related(
        "study", "participant", "participant__site", "visit__participant", "position__box__rack__freezer"
    )


def _at_users_sites(user) -> Q:
    """Rows whose ``site`` the user may see: every site of an all-sites membership, else the membership's own."""
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    whole_studies = memberships.filter(all_sites=True).values("study_id")
    return Q(site__study_id__in=whole_studies) | Q(site_id__in=memberships.filter(all_sites=False).values("sites"))


def freezers_for_user(user) -> QuerySet[Freezer]:
    if not user.is_authenticated:
        return Freezer.objects.none()
    return Freezer.objects.filter(_at_users_sites(user)).select_related("site", "site__study")


def shipments_for_user(user) -> QuerySet[Shipment]:
    if not user.is_authenticated:
        return Shipment.objects.none()
    return Shipment.objects.filter(_at_users_sites(user)).select_related("site", "study")


def shipment_specimens(shipment: Shipment) -> QuerySet[Specimen]:
    return (
        Specimen.objects.filter(shipment_items__shipment=shipment)
        .select_related("participant", "visit")
        .order_by("seq")
    )


def manifest_rows(shipment: Shipment):
    """The manifest: one row per specimen, no personal data (the study ID is the participant's pseudonym)."""
    yield ["specimen_id", "type", "participant", "visit", "volume_ml", "sprec", "collected_at"]
    for s in shipment_specimens(shipment):
        collected = s.collected_at.isoformat() if s.collected_at else ""
        yield [
            s.label_id,
            s.type_code,
            s.participant.identifier,
            s.visit.visit_code if s.visit else "",
            s.volume_ml,
            s.sprec,
            collected,
        ]


def boxes_for_user(user) -> QuerySet[Box]:
    return Box.objects.filter(rack__freezer__in=freezers_for_user(user)).select_related("rack", "rack__freezer")


def participant_specimens(user, participant) -> QuerySet[Specimen]:
    return specimens_for_user(user).filter(participant=participant).order_by("visit__target_date", "seq")


def lineage(specimen: Specimen) -> tuple[list[Specimen], list[tuple[int, Specimen]]]:
    """The specimen's ancestors (root first) and its descendants with their depth, one query per generation."""
    ancestors, current = [], specimen
    while current.parent_id is not None:
        current = Specimen.objects.get(pk=current.parent_id)
        ancestors.insert(0, current)
    descendants: list[tuple[int, Specimen]] = []
    _descend(specimen, 1, descendants)
    return ancestors, descendants


def _descend(specimen: Specimen, depth: int, out: list, limit: int = 10) -> None:
    if depth > limit:
        return
    for child in Specimen.objects.filter(parent=specimen).order_by("seq"):
        out.append((depth, child))
        _descend(child, depth + 1, out, limit)


@dataclass(frozen=True)
class Cell:
    specimen_id: int
    label_id: str
    type_code: str


@dataclass(frozen=True)
class BoxMap:
    box: Box
    rows: list[tuple[str, list[Cell | None]]]  # (row letter, cells)
    filled: int

    @property
    def capacity(self) -> int:
        return self.box.rows * self.box.cols


def box_maps(freezer: Freezer) -> list[BoxMap]:
    """Every box of ``freezer`` as a grid of its cells: two queries whatever the number of boxes. Positions are
    read as tuples (a full freezer is 10,000 of them; model instances would cost most of the page's time)."""
    boxes = list(Box.objects.filter(rack__freezer=freezer).select_related("rack").order_by("rack__name", "name"))
    cells: dict[int, dict[tuple[int, int], Cell]] = {box.pk: {} for box in boxes}
    rows = Position.objects.filter(box__in=boxes).values_list(
        "box_id", "row", "col", "specimen_id", "specimen__label_id", "specimen__type_code"
    )
    for box_id, row, col, *specimen in rows:
        cells[box_id][row, col] = Cell(*specimen)
    return [_box_map(box, cells[box.pk]) for box in boxes]


def _box_map(box: Box, cells: dict[tuple[int, int], Cell]) -> BoxMap:
    rows = [(chr(64 + r), [cells.get((r, c)) for c in range(1, box.cols + 1)]) for r in range(1, box.rows + 1)]
    return BoxMap(box, rows, len(cells))


@dataclass(frozen=True)
class ExpectedSpecimen:
    key: str
    type_code: str
    recorded: list[Specimen]  # primary specimens recorded for this activity (collected or not)
    title: str = ""  # the specimen type's name in the viewer's language
    visit_label: str = ""

    @property
    def missing(self) -> bool:
        return not self.recorded


def expected_by_visit(participant, specimens: list[Specimen]) -> list[tuple[object, list[ExpectedSpecimen]]]:
    """Per visit of the participant, the specimens the protocol expects and what was recorded for each."""
    protocol = current_protocol(participant.study)
    if protocol is None:
        return []
    primary = [s for s in specimens if s.parent_id is None]
    out = []
    for visit in participant.visits.filter(cancelled=False).order_by("target_date", "sequence"):
        planned = next((v for v in protocol.visits if v.code == visit.visit_code), None)
        if planned is None:
            continue
        activities = [a for a in activities_for(protocol, planned, participant.arm_code) if a.kind == "specimen"]
        rows = [
            ExpectedSpecimen(
                a.key,
                a.code,
                [s for s in primary if s.visit_id == visit.pk and s.activity_key == a.key],
                title=activity_title(protocol, a),
                visit_label=text_for(planned.label),
            )
            for a in activities
        ]
        if rows:
            out.append((visit, rows))
    return out


def consent_uses_of(participant) -> dict[str, bool]:
    row = ConsentUse.objects.filter(participant=participant).first()
    names = ("allows_transfer", "allows_genetic", "allows_future_research")
    return {name: getattr(row, name) for name in names} if row else {}


SEARCH_FIELDS = {
    "type": "type_code",
    "visit": "visit__visit_code",
    "participant": "participant__identifier",
    "status": "status",
    "sprec": "sprec__istartswith",
    "box": "position__box__name",
}


def specimen_search(user, study, filters: dict[str, str]) -> QuerySet[Specimen]:
    """The study's specimens the user may see, narrowed by any of SEARCH_FIELDS (exact, SPREC by its start)."""
    found = specimens_for_user(user).filter(study=study)
    for key, lookup in SEARCH_FIELDS.items():
        value = (filters.get(key) or "").strip()[:64]
        if value:
            found = found.filter(**{lookup: value})
    return found.order_by("seq")
