"""Report pages: access check, one selector, render. Every number comes from reports.selectors (scoped, blinded)."""

import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from core.csv import csv_response
from core.downloads import attachment
from studies.access import study_for_user

from . import exports, selectors
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
    return csv_response(exports.csv_rows(flow) if flow is not None else [exports.HEADER], f"{study.code}-consort.csv")


def consort_json(request, study_code: str):
    study, flow = _flow(request, study_code)
    data = {"study": study.code, "consort": exports.as_dict(flow) if flow is not None else None}
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), f"{study.code}-consort.json")
