"""Audit trail pages: read-only (GET and HEAD only), filterable, paginated, exportable as CSV."""

import re

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audit.models import AuditEvent
from audit.services import audit_record
from core.csv import csv_response
from core.pagination import paginate

from . import selectors
from .access import object_events_for_user, participant_for_trail, study_for_trail, trail_user_for_user
from .forms import AuditFilterForm

PAGE_SIZE = 50
FILTER_NAMES = ("date_from", "date_to", "action", "user", "object_type", "path")


def _trail(request, *, events, title: str, scope: dict, filename: str, hide=()):
    """The one trail page: filter, then CSV export or a page of masked rows."""
    users, object_types = _choices(request, events, hide)
    form = AuditFilterForm(
        {name: request.GET[name] for name in FILTER_NAMES if name in request.GET} or None,
        users=users,
        object_types=object_types,
        hide=hide,
    )
    filtered = selectors.event_filter(events, **form.filters())
    reader = selectors.reader_for(request.user)
    if request.GET.get("format") == "csv" and request.method == "GET":
        # The label is language-neutral: the trail is read in both languages.
        export = audit_record(
            user=request.user,
            action=AuditEvent.Action.EXPORT,
            object_type="audit.auditevent",
            object_label=f"audit-{filename}.csv",
            request=request,
            study=scope.get("study"),
            participant=scope.get("participant"),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        # The rows are read while the file streams: leave out the record of this very export.
        # Object ids may hold any character: the file name keeps to a tidy set (the header would be safe anyway).
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"audit-{filename}-{stamp}.csv")
        rows = selectors.csv_rows(filtered.exclude(pk=export.pk), reader)
        return csv_response(rows, name, guarded=selectors.CSV_GUARDED)
    page = paginate(filtered, request.GET, per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "audit/auditevent_list.html",
        {
            **scope,
            "title": title,
            "form": form,
            "page": page,
            "rows": selectors.event_rows(page.object_list, reader),
            "query": query.urlencode(),
            "blinded": bool(reader.blinded),
        },
    )


def _choices(request, events, hide) -> tuple:
    """The filter form's user and object-type choices: all of them for the page, only the submitted ones for a
    CSV download (selectors.submitted_choices: at 10,000 participants each full list is a pass over the trail)."""
    if request.GET.get("format") == "csv":
        return selectors.submitted_choices(
            events, user=request.GET.get("user", ""), object_type=request.GET.get("object_type", "")
        )
    users = selectors.users_in(events) if "user" not in hide else ()
    return users, selectors.object_types_in(events) if "object_type" not in hide else ()


@require_safe
def participant_events(request, participant_id: int):
    participant = participant_for_trail(request.user, participant_id)
    return _trail(
        request,
        events=selectors.participant_events(request.user, participant),
        title=_("Audit trail of participant %(participant)s") % {"participant": participant},
        scope={"participant": participant, "study": participant.study},
        filename=f"participant-{participant.pk}",
    )


@require_safe
def study_events(request, study_code: str):
    study = study_for_trail(request.user, study_code)
    return _trail(
        request,
        events=selectors.study_events(request.user, study),
        title=_("Audit trail of study %(study)s") % {"study": study},
        scope={"study": study, "study_wide": True},
        filename=f"study-{study.code}",
    )


@require_safe
def user_events(request, study_code: str, user_id: int):
    study, target = trail_user_for_user(request.user, study_code, user_id)
    return _trail(
        request,
        events=selectors.user_events(request.user, study, target),
        title=_("Audit trail of %(user)s in %(study)s") % {"user": target.username, "study": study},
        scope={"study": study, "target": target, "study_wide": True},
        filename=f"user-{study.code}-{target.pk}",
        hide=("user",),
    )


@require_safe
def object_events(request, object_type: str, object_id: str):
    events = object_events_for_user(request.user, object_type, object_id)
    latest = events.first()
    [row] = selectors.event_rows([latest], selectors.reader_for(request.user))
    label = row.label or f"{object_type} {object_id}"
    return _trail(
        request,
        events=events,
        title=_("Audit trail of %(object)s") % {"object": label},
        scope={"study": latest.study, "object_type": object_type, "object_id": object_id},
        filename=f"object-{object_type}-{object_id}",
        hide=("object_type",),
    )
