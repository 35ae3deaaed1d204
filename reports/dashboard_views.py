"""The study dashboard, the outcomes page and the mechanism profile: access check, filters, one builder, render.

Every chart's CSV is the same table the page shows (``?table=<key>`` with the page's filters)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.capabilities import Action, can, can_see_arms
from core.csv import csv_response
from core.i18n import text_for
from studies.selectors import current_protocol, sites_for_user

from . import dashboard, outcomes, timeline
from .access import participant_for_profile, study_for_dashboard
from .dashboard_forms import DashboardFilterForm
from .mechanism_view import participant_profile


def _arms(user, study, protocol) -> dict:
    return {a.code: text_for(a.name) for a in protocol.arms} if protocol and can_see_arms(user, study) else {}


def _setup(request, study_code: str, *, with_dates: bool = True):
    study = study_for_dashboard(request.user, study_code)
    protocol = current_protocol(study)
    arms = _arms(request.user, study, protocol)
    visits = [(v.code, text_for(v.label)) for v in protocol.visits if not v.unscheduled] if protocol else []
    sites = sites_for_user(request.user, study).order_by("code")
    form = DashboardFilterForm(request.GET, sites=sites, arms=arms, visits=visits, with_dates=with_dates)
    return study, protocol, arms, form


def _dashboard(request, study_code: str):
    study, protocol, arms, form = _setup(request, study_code)
    filters = form.filters()
    board = dashboard.study_dashboard(
        request.user, study=study, protocol=protocol, filters=filters, arms=arms, today=timezone.localdate()
    )
    board.query = filters.as_query()
    return study, protocol, form, board


def study_dashboard(request, study_code: str):
    study, protocol, form, board = _dashboard(request, study_code)
    context = {
        "study": study,
        "protocol": protocol,
        "form": form,
        "board": board,
        "query": board.query,
        "can_see_grid": can(request.user, study, Action.VIEW_STATUS_GRID),
    }
    return render(request, "reports/study_dashboard.html", context)


def _table_csv(table, filename: str):
    if table is None:
        raise Http404
    return csv_response([table.header, *table.rows], filename)


def study_dashboard_csv(request, study_code: str):
    study, _protocol, _form, board = _dashboard(request, study_code)
    key = request.GET.get("table", "enrolment")
    return _table_csv(board.table(key), f"{study.code}-dashboard-{key}.csv")


def _outcomes(request, study_code: str):
    study, protocol, arms, form = _setup(request, study_code, with_dates=False)
    filters = form.filters()
    report = outcomes.study_outcomes(request.user, study=study, protocol=protocol, filters=filters, arms=arms)
    report.query = filters.as_query()
    return study, protocol, form, report


def study_outcomes(request, study_code: str):
    study, protocol, form, report = _outcomes(request, study_code)
    context = {"study": study, "protocol": protocol, "form": form, "report": report, "query": report.query}
    return render(request, "reports/study_outcomes.html", context)


def study_outcomes_csv(request, study_code: str):
    study, _protocol, _form, report = _outcomes(request, study_code)
    return csv_response([report.header, *report.csv_rows], f"{study.code}-outcomes.csv")


def participant_mechanism(request, participant_id: int):
    participant = participant_for_profile(request.user, participant_id)
    context = {"participant": participant, "profile": participant_profile(participant)}
    return render(request, "reports/participant_mechanism.html", context)


def participant_timeline(request, participant_id: int):
    participant = participant_for_profile(request.user, participant_id)
    context = {"participant": participant, **timeline.participant_timeline(participant)}
    return render(request, "reports/participant_timeline.html", context)
