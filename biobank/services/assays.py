"""Import assay results: the whole file or nothing. A row naming a specimen the importer cannot see in the study,
or a result already imported for that specimen, analyte and run, is reported with its line number."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from ..assays import read_assays
from ..models import AssayResult


def assays_import(*, user, study, text: str, specimens) -> int:
    """Import ``text`` (CSV) for ``specimens`` (the queryset of the study's specimens the user may see)."""
    rows, problems = read_assays(text)
    found = dict(
        specimens.filter(study=study, label_id__in={r.specimen_id for r in rows}).values_list("label_id", "pk")
    )
    problems += [
        (r.line, _("unknown specimen %(id)s") % {"id": r.specimen_id}) for r in rows if r.specimen_id not in found
    ]
    problems += _duplicates(rows, found)
    if problems:
        raise ValidationError(
            [_("line %(line)s: %(problem)s") % {"line": n, "problem": p} for n, p in sorted(problems)]
        )
    with transaction.atomic():
        AssayResult.objects.bulk_create(
            AssayResult(
                specimen_id=found[r.specimen_id],
                analyte=r.analyte,
                value=r.value,
                unit=r.unit,
                lower_limit=r.lod,
                run=r.run,
                measured_on=r.measured_on,
                imported_by=user,
            )
            for r in rows
        )
        audit_record(
            user=user,
            action=AuditEvent.Action.IMPORT,
            object_type="biobank.assayresult",
            object_label=_("%(count)s assay results") % {"count": len(rows)},
            study=study,
            changes={"rows": [None, len(rows)]},
        )
    return len(rows)


def _duplicates(rows, found: dict) -> list[tuple[int, str]]:
    seen: set[tuple] = set()
    stored = set(
        AssayResult.objects.filter(specimen_id__in=found.values()).values_list("specimen_id", "analyte", "run")
    )
    out = []
    for r in rows:
        key = (found.get(r.specimen_id), r.analyte, r.run)
        if key in seen or key in stored:
            out.append(
                (
                    r.line,
                    _("a result for %(id)s, %(analyte)s, run %(run)s is already there")
                    % {"id": r.specimen_id, "analyte": r.analyte, "run": r.run},
                )
            )
        seen.add(key)
    return out
