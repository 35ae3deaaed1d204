"""``--replace``: remove the participants an earlier run generated, and only them.

Generated participants are recognised without a flag on their rows: the study has generation batches in its
audit trail (``synthetic.batch``) and these participants have no audit event of their own, which every
participant a person screened, registered or changed has. The audit trail is append-only, so nothing in it
is removed; the batches stay as history and the removal is one more event with the counts. A participant
someone has worked on since (so the trail names it) is kept, and the run then refuses, as it does for a
study with real participants.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from imaging.models import DataFile, DicomSeries
from instruments.models import Response
from monitoring.models import Signature
from participants.models import Lock, Participant
from queries.models import Query
from randomisation.models import AllocationSlot

from .course import SyntheticError

BATCH_TYPE = "synthetic.batch"


def generated_participants(study):
    """The study's participants written by generate_study and untouched since."""
    if not AuditEvent.objects.filter(study=study, object_type=BATCH_TYPE).exists():
        return Participant.objects.none()
    own_events = AuditEvent.objects.filter(participant=OuterRef("pk"))
    return Participant.objects.filter(study=study).exclude(Exists(own_events))


@transaction.atomic
def generated_remove(*, study) -> Counter:
    """Delete the generated participants and everything under them; their allocation slots become free."""
    ids = list(generated_participants(study).values_list("pk", flat=True))
    counts: Counter = Counter()
    if not ids:
        return counts
    counts["randomisation.allocationslot"] = AllocationSlot.objects.filter(used_by__in=ids).update(
        used_by=None, used_at=None, used_by_user=None
    )
    series = list(
        DataFile.objects.filter(participant__in=ids, series__isnull=False).values_list("series_id", flat=True)
    )
    for model in (Signature, Lock, Query, Response, DataFile, Participant):
        field = "pk" if model is Participant else "participant"
        deleted, per_model = model.objects.filter(**{f"{field}__in": ids}).delete()
        counts.update(per_model)
    counts.update(DicomSeries.objects.filter(pk__in=series, files__isnull=True).delete()[1])
    audit_record(
        user=None,
        action=AuditEvent.Action.DELETE,
        object_type=BATCH_TYPE,
        object_label="generate_study --replace",
        study=study,
        changes={table.lower(): [count, 0] for table, count in sorted(counts.items()) if count},
        reason="Generated participants removed before a new run / 重新生成前删除合成受试者",
        path=AuditEvent.Path.COMMAND,
    )
    return counts


def refuse_real_participants(study, *, replace: bool) -> None:
    if not Participant.objects.filter(study=study).exists():
        return
    if not replace:
        raise SyntheticError(
            _("Study %(study)s already has participants: nothing generated (use --replace to regenerate).")
            % {"study": study.code}
        )
    raise SyntheticError(
        _("Study %(study)s has participants that were not generated, or were changed since: nothing generated.")
        % {"study": study.code}
    )
