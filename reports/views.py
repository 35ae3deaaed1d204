"""Report pages: access check, one selector, render. Every number comes from reports.selectors (scoped, blinded)."""

import csv
import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from studies.access import study_for_user

from . import exports, selectors
from .diagram import layout


def _flow(request, study_code: str):
    study = study_for_user(request.user, study_code)
    return study, selectors.consort_flow(study, user=request.user)


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
    return _attachment(HttpResponse(svg, content_type="image/svg+xml; charset=utf-8"), f"{study.code}-consort.svg")


def consort_csv(request, study_code: str):
    study, flow = _flow(request, study_code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # so that spreadsheet programs read the Chinese labels as UTF-8
    writer = csv.writer(response)
    for row in exports.csv_rows(flow) if flow is not None else [exports.HEADER]:
        writer.writerow(row)
    return _attachment(response, f"{study.code}-consort.csv")


def consort_json(request, study_code: str):
    study, flow = _flow(request, study_code)
    data = {"study": study.code, "consort": exports.as_dict(flow) if flow is not None else None}
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return _attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), f"{study.code}-consort.json")
