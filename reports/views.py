"""Report pages: access check, one selector, render. Every number comes from reports.selectors (scoped, blinded)."""

import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.capabilities import can_see_arms
from core.csv import csv_response
from core.downloads import attachment
from core.i18n import text_for
from studies.access import study_for_user
from studies.selectors import current_protocol, sites_for_user

from . import consort_files, grid, selectors
from .access import study_for_status_grid
from .diagram import layout


def _flow(request, study_code: str):
    study = study_for_user(request.user, study_code)
    return study, selectors.consort_flow(study, user=request.user)


def consort_detail(request, study_code: str):
    study, flow = _flow(request, study_code)
    diagram = layout(flow) if flow is not None else None
    return render(request, "reports/consort_detail.html", {"study": study, "flow": flow, "diagram": diagram})


def consort_svg(request, study_code: str):
    study, flow = _flow(request, study_code)
    if flow is None:  # the page says why there is no diagram
        return redirect("reports:consort-detail", study_code=study.code)
    svg = render_to_string(
        "reports/consort_diagram.svg", {"study": study, "diagram": layout(flow), "standalone": True}, request=request
    )
    return attachment(HttpResponse(svg, content_type="image/svg+xml; charset=utf-8"), f"{study.code}-consort.svg")


def consort_csv(request, study_code: str):
    study, flow = _flow(request, study_code)
    return csv_response(
        consort_files.csv_rows(flow) if flow is not None else [consort_files.HEADER], f"{study.code}-consort.csv"
    )


def consort_json(request, study_code: str):
    study, flow = _flow(request, study_code)
    data = {"study": study.code, "consort": consort_files.as_dict(flow) if flow is not None else None}
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), f"{study.code}-consort.json")


def status_grid(request, study_code: str):
    study = study_for_status_grid(request.user, study_code)
    protocol = current_protocol(study)
    # A blinded role gets no arm names, so neither the column nor the filter exists for it, and ?arm= is ignored.
    arms = {a.code: text_for(a.name) for a in protocol.arms} if protocol and can_see_arms(request.user, study) else {}
    filters = grid.Filters(
        site=request.GET.get("site", ""),
        arm=request.GET.get("arm", "") if arms else "",
        visit=request.GET.get("visit", ""),
        status=request.GET.get("status", ""),
    )
    page = grid.status_grid(
        request.user,
        study=study,
        protocol=protocol,
        filters=filters,
        today=timezone.localdate(),
        query=request.GET,
        arms=arms,
    )
    context = {
        "study": study,
        "protocol": protocol,
        "grid": page,
        "filters": filters,
        "sites": sites_for_user(request.user, study).order_by("code"),
        "arms": arms,
        "visits": [(v.code, text_for(v.label)) for v in protocol.visits if not v.unscheduled] if protocol else [],
        "statuses": [(code, grid.LOOKS[code]) for code in grid.FILTER_STATUSES],
        "legend": list(grid.LOOKS.values()),
    }
    return render(request, "reports/status_grid.html", context)
