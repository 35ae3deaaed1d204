"""An amendment's preview: what loading a protocol file would change, before anyone confirms it.

``protocol_preview`` runs the very load the confirmation runs (``workflows.services.protocol_apply``: the
protocol checks, the diff from the current version, the re-projection of every participant's visits) inside a
transaction that is then rolled back, so the preview can never disagree with the load and keeps nothing: no
version, no moved visit, no audit row, no e-mail (callbacks waiting for the commit are dropped with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from accounts.capabilities import can_see_arms
from participants.selectors import visit_target_dates
from studies.selectors import current_protocol
from studies.services import AMENDED, LoadResult

from .services import protocol_apply


@dataclass(frozen=True)
class VisitMove:
    participant: str  # the participant's study ID
    visit_code: str
    sequence: int
    before: date | None  # None: a visit the amendment adds
    after: date | None  # None: a pending visit the amendment removes


@dataclass
class AmendmentPreview:
    result: LoadResult
    moves: list[VisitMove] = field(default_factory=list)
    # False when the moves could tell a blinded viewer who is in which arm (they are then not listed).
    moves_shown: bool = True

    @property
    def is_amendment(self) -> bool:
        return self.result.status == AMENDED


class _RolledBack(Exception):
    """Carries the preview out of the transaction it rolls back."""


def protocol_preview(*, text: str, filename: str, user, study) -> AmendmentPreview:
    """What ``protocol_apply`` would do with this file for ``study``, with the visits (of the participants
    ``user`` may see) whose dates it would move, add or remove. Nothing is kept. Raises ProtocolError as the
    load would."""
    before = visit_target_dates(user, study=study)
    try:
        with transaction.atomic():
            result = protocol_apply(text=text, filename=filename, user=user, study=study)
            raise _RolledBack(result, visit_target_dates(user, study=study))
    except _RolledBack as done:
        result, after = done.args
    study.refresh_from_db()  # the load wrote the file's values into the study row, now rolled back
    return AmendmentPreview(result=result, moves=_moves(before, after), moves_shown=_moves_shown(user, study))


def _moves(before: dict, after: dict) -> list[VisitMove]:
    moves = []
    for key in sorted(before.keys() | after.keys(), key=lambda key: (key[0], key[1], key[2])):
        old, new = before.get(key), after.get(key)
        if old is None or new is None or old[1] != new[1]:
            identifier = (old or new)[0]
            moves.append(VisitMove(identifier, key[1], key[2], old[1] if old else None, new[1] if new else None))
    return sorted(moves, key=lambda move: (move.participant, move.before or move.after or date.min, move.visit_code))


def _moves_shown(user, study) -> bool:
    """In a blinded study whose schedule differs by arm, whose visits move would tell arms: only a viewer who may
    see arms gets the list (an open study, or a blinded one with one schedule for every arm, shows it to all)."""
    protocol = current_protocol(study)
    return can_see_arms(user, study) or (protocol is not None and protocol.union_schedule)
