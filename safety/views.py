"""Safety pages: access check, form, one service call, render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.capabilities import can_see_arms
from core.csv import csv_response
from participants.access import participant_for_user
from studies.access import study_for_user

from . import deadlines, selectors, services
from .access import adverse_event_for_user, can_record_reports, require_record_reports
from .forms import SaeReportForm
from .models import SaeReport

DSMB_PERIODS_SHOWN = 4


def _crf_url(participant, visit_code: str, activity_key: str, instance: int) -> str:
    url = reverse("workflows:response-edit", args=[participant.pk, visit_code, activity_key])
    return f"{url}?instance={instance}"


def adverse_event_list(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    events = list(selectors.participant_adverse_events(participant))
    new_entry = selectors.next_ae_entry(participant, today=timezone.localdate())
    grades, relationships, outcomes = (
        selectors.option_labels(code) for code in ("ae_record_grade", "ae_record_relationship", "ae_record_outcome")
    )
    rows = [
        {
            "event": event,
            "grade": grades.get(event.grade, ""),
            "relationship": relationships.get(event.relationship, ""),
            "outcome": outcomes.get(event.outcome, ""),
            "crf_url": _crf_url(participant, event.visit_code, event.response.activity_key, event.instance),
        }
        for event in events
    ]
    may_enter = new_entry is not None and can_record_reports(request.user, participant.study)
    return render(
        request,
        "safety/adverseevent_list.html",
        {
            "participant": participant,
            "rows": rows,
            "new_url": _crf_url(participant, *new_entry) if may_enter else "",
        },
    )


def study_overview(request, study_code: str):
    study = study_for_user(request.user, study_code)
    now = timezone.now()
    today = timezone.localdate()
    return render(
        request,
        "safety/study_overview.html",
        {
            "study": study,
            "now": now,
            "counts": selectors.ae_counts(request.user, study),
            "grades": selectors.GRADES,
            "clocks": selectors.clocks(selectors.open_sae_reports(request.user, study), now),
            "periods": [
                {"start": start, "end": deadlines.period_end(start) - dt.timedelta(days=1)}
                for start in deadlines.previous_periods(today, DSMB_PERIODS_SHOWN)
            ],
        },
    )


def _period(request) -> dt.date:
    value = request.GET.get("start")
    if not value:
        return deadlines.period_start(timezone.localdate())
    try:
        return deadlines.period_start(dt.date.fromisoformat(value))
    except ValueError:
        raise Http404("bad period") from None


def dsmb_listing(request, study_code: str):
    study = study_for_user(request.user, study_code)
    start = _period(request)
    end = deadlines.period_end(start)
    rows = selectors.dsmb_rows(request.user, study, start=start, end=end)
    lines = services.dsmb_listing_export(
        study=study, user=request.user, rows=rows, start=start, end=end, arms_visible=can_see_arms(request.user, study)
    )
    return csv_response(lines, f"{study.code}-dsmb-safety-{start.isoformat()}.csv")


def sae_report(request, adverse_event_id: int):
    event = adverse_event_for_user(request.user, adverse_event_id)
    study = event.participant.study
    reports = list(event.reports.select_related("recorded_by").order_by("due_at", "recipient"))
    forms = {
        report.recipient: SaeReportForm(prefix=report.recipient) for report in reports if report.reported_at is None
    }
    if request.method == "POST":
        require_record_reports(request.user, study)
        report = _posted_report(request, reports)
        form = forms[report.recipient] = SaeReportForm(request.POST, prefix=report.recipient)
        if form.is_valid():
            try:
                services.sae_report_record(report=report, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field, problems)
            else:
                messages.success(
                    request, _("Report to %(recipient)s recorded.") % {"recipient": report.get_recipient_display()}
                )
                return redirect("safety:saereport-edit", event.pk)
    now = timezone.now()
    return render(
        request,
        "safety/saereport_edit.html",
        {
            "event": event,
            "participant": event.participant,
            "now": now,
            "rows": [
                {"clock": clock, "form": forms.get(clock.report.recipient)} for clock in selectors.clocks(reports, now)
            ],
            "may_record": can_record_reports(request.user, study),
            "crf_url": _crf_url(event.participant, event.visit_code, event.response.activity_key, event.instance),
        },
    )


def _posted_report(request, reports: list[SaeReport]) -> SaeReport:
    """The open report the POST names; anything else is a bad request the page cannot show."""
    for report in reports:
        if report.recipient == request.POST.get("recipient") and report.reported_at is None:
            return report
    raise PermissionDenied("no open report for this recipient")
