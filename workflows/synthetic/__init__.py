"""Synthetic studies: realistic generated participants for demonstrations, exports and load tests.

``study_generate`` is the whole entry point (``manage.py generate_study`` calls it). The modules:
``course`` plans one person's course (pure), ``answers`` fills and scores their forms, ``allocation`` gives
arms, ``rows`` builds the rows, ``store`` writes them in batches with one audit event per batch, ``replace``
removes an earlier run's participants.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from studies.models import Study
from studies.selectors import current_protocol

from ..services import protocol_apply
from .course import SyntheticError
from .replace import generated_remove, refuse_real_participants
from .store import Outcome, write_study

__all__ = ["SyntheticError", "study_generate", "protocol_file_for"]


@dataclass
class Generated:
    study: Study
    loaded: bool
    outcome: Outcome

    @property
    def counts(self) -> Counter:
        return self.outcome.counts


def protocol_file_for(code: str) -> Path | None:
    """The file under protocols/ whose study code is ``code`` (case-insensitive)."""
    for path in sorted((Path(settings.BASE_DIR) / "protocols").glob("*.yaml")):
        study = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("study") or {}
        if str(study.get("code", "")).lower() == code.lower():
            return path
    return None


def _study(code: str) -> tuple[Study, bool]:
    study = Study.objects.filter(code__iexact=code).first()
    if study is not None:
        return study, False
    path = protocol_file_for(code)
    if path is None:
        raise SyntheticError(_("Unknown study %(code)s: no such study and no protocol file for it.") % {"code": code})
    result = protocol_apply(text=path.read_text(encoding="utf-8"), filename=path.name, path=AuditEvent.Path.COMMAND)
    return result.study, True


def study_generate(
    *, study_code: str, participants: int, seed: int, replace: bool = False, today: date | None = None
) -> Generated:
    """Generate ``participants`` enrolled participants (plus screen failures) in the study ``study_code``."""
    if participants < 1:
        raise SyntheticError(_("The number of participants must be 1 or more."))
    if participants > settings.SYNTHETIC_MAX_PARTICIPANTS:
        raise SyntheticError(
            _("At most %(max)s participants per run (SYNTHETIC_MAX_PARTICIPANTS).")
            % {"max": settings.SYNTHETIC_MAX_PARTICIPANTS}
        )
    study, loaded = _study(study_code)
    protocol = current_protocol(study)
    if protocol is None:
        raise SyntheticError(_("This study has no protocol loaded yet."))
    with transaction.atomic():  # a removal that leaves real participants behind is rolled back
        removed = generated_remove(study=study) if replace else Counter()
        refuse_real_participants(study, replace=replace)
    outcome = write_study(study, protocol, count=participants, seed=seed, today=today or timezone.localdate())
    outcome.removed = removed
    _analyze()
    return Generated(study=study, loaded=loaded, outcome=outcome)


def _analyze() -> None:
    """Refresh PostgreSQL's planner statistics after the bulk writes. Autovacuum would get there in its own time;
    until then a freshly generated database may be planned as if its tables were nearly empty (nested loops over
    hundreds of thousands of rows), and benchmarks run right after generation would measure that. SQLite plans
    without them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
