"""Acquisition pages: upload, jobs, job detail and retry, the linking queue, file detail, series preview, and the
MRI export as BIDS (request, list, download, delete)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import storage
from core.csv import csv_response
from studies.access import study_for_user

from . import selectors
from .access import (
    datafile_for_user,
    export_for_user,
    job_for_user,
    may_delete_export,
    may_export,
    may_export_measures,
    may_link,
    may_upload,
    require_export,
    require_link,
    require_measures_export,
    require_upload,
    series_for_user_or_404,
)
from .forms import LinkForm, UploadForm
from .models import IngestJob
from .services import datafile_link, job_retry, upload_receive
from .services.bids_export import ACTIVE, export_delete, export_download, export_request
from .services.measures_export import SHAPES, measures_csv

POLL_STATUSES = (IngestJob.Status.QUEUED, IngestJob.Status.RUNNING)


def datafile_upload(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require_upload(request.user, study)
    initial = {"participant": request.GET.get("participant")}
    form = UploadForm(user=request.user, study=study, initial=initial, refresh_url=request.path)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user, study=study, refresh_url=request.path)
        if form.is_valid():
            data = form.cleaned_data
            try:
                jobs = upload_receive(
                    study=study,
                    user=request.user,
                    files=[(f.name, f) for f in data["files"]],
                    participant=data["participant"],
                    visit=data["visit"],
                    kind=data["kind"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("%(count)d files received; each is processed as its own job.") % {"count": len(jobs)}
                )
                ids = ",".join(str(job.pk) for job in jobs)
                return redirect(f"{reverse('imaging:job-list', args=[study.code])}?ids={ids}")
    return render(request, "imaging/datafile_upload.html", {"study": study, "form": form})


def _ids(request) -> list[int]:
    return [int(value) for value in request.GET.get("ids", "").split(",") if value.isdigit()]


def _job_context(request, study):
    ids = _ids(request)
    jobs = (
        selectors.jobs_by_ids(request.user, study=study, ids=ids)
        if ids
        else selectors.job_list(request.user, study=study, status=request.GET.get("status", ""))
    )
    jobs = list(jobs[:200])
    return {
        "study": study,
        "jobs": jobs,
        "ids": ",".join(map(str, ids)),
        "polling": any(job.status in POLL_STATUSES for job in jobs),
        "statuses": IngestJob.Status.choices,
        "status": request.GET.get("status", ""),
        "can_upload": may_upload(request.user, study),
        "can_link": may_link(request.user, study),
    }


def job_list(request, study_code: str):
    study = study_for_user(request.user, study_code)
    exports = {
        "can_export_measures": may_export_measures(request.user, study),
        "can_export_bids": may_export(request.user, study),
        "shapes": SHAPES,
    }
    return render(request, "imaging/job_list.html", {**_job_context(request, study), **exports})


def job_rows(request, study_code: str):
    """The table body alone, polled by htmx while some job is still queued or running."""
    study = study_for_user(request.user, study_code)
    return render(request, "imaging/_job_rows.html", _job_context(request, study))


def job_detail(request, job_id: int):
    job = job_for_user(request.user, job_id)
    data_file = None
    if job.data_file_id:
        data_file = selectors.datafiles_for_user(request.user).filter(pk=job.data_file_id).first()
    context = {
        "job": job,
        "data_file": data_file,
        "polling": job.status in POLL_STATUSES,
        "can_retry": job.status == IngestJob.Status.FAILED and may_upload(request.user, job.study),
    }
    template = "imaging/_job_status.html" if request.htmx else "imaging/job_detail.html"
    return render(request, template, context)


@require_POST
def job_retry_view(request, job_id: int):
    job = job_for_user(request.user, job_id)
    require_upload(request.user, job.study)
    if job.status != IngestJob.Status.FAILED:
        messages.info(request, _("Only a failed job can be retried."))
    else:
        job_retry(job=job, user=request.user)
        messages.success(request, _("The job was queued again."))
    return redirect("imaging:job-detail", job_id=job.pk)


def datafile_queue(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require_link(request.user, study)
    files = selectors.needs_linking(request.user, study=study)
    return render(request, "imaging/datafile_queue.html", {"study": study, "files": files})


def datafile_link_view(request, datafile_id: int):
    data_file = datafile_for_user(request.user, datafile_id)
    require_link(request.user, data_file.study)
    initial = {"participant": request.GET.get("participant") or data_file.participant_id, "visit": data_file.visit_id}
    form = LinkForm(user=request.user, study=data_file.study, initial=initial, refresh_url=request.path)
    if request.method == "POST":
        form = LinkForm(request.POST, user=request.user, study=data_file.study, refresh_url=request.path)
        if form.is_valid():
            try:
                datafile_link(
                    data_file=data_file,
                    participant=form.cleaned_data["participant"],
                    visit=form.cleaned_data["visit"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The file is linked."))
                return redirect("imaging:datafile-detail", datafile_id=data_file.pk)
    return render(request, "imaging/datafile_link.html", {"data_file": data_file, "form": form})


def datafile_detail(request, datafile_id: int):
    data_file = datafile_for_user(request.user, datafile_id)
    context = {
        "data_file": data_file,
        "measures": data_file.measures.order_by("name"),
        "series": selectors.visit_series(data_file),
        "expected": selectors.expected_comparison(data_file),
        "jobs": selectors.jobs_for_user(request.user).filter(data_file=data_file),
        "can_link": may_link(request.user, data_file.study),
        "channels": (data_file.metadata.get("edf") or {}).get("channels", []),
    }
    return render(request, "imaging/datafile_detail.html", context)


def series_preview(request, series_id: int):
    series = series_for_user_or_404(request.user, series_id)
    if not series.preview_png:
        raise Http404
    response = HttpResponse(bytes(series.preview_png), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def export_list(request, study_code: str):
    """The study's BIDS exports; a POST asks for a new one (it runs in a worker; the list polls until it ends)."""
    study = study_for_user(request.user, study_code)
    require_export(request.user, study)
    if request.method == "POST":
        try:
            export_request(study=study, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The export is queued; this page shows its progress."))
        return redirect("imaging:export-list", study_code=study.code)
    exports = list(selectors.export_list(request.user, study=study)[:50])
    context = {
        "study": study,
        "exports": exports,
        "polling": any(export.status in ACTIVE for export in exports),
        "can_delete": may_delete_export(request.user, study),
        "keep_days": settings.IMAGING_EXPORT_KEEP_DAYS,
    }
    return render(request, "imaging/export_list.html", context)


def export_download_view(request, export_id: int):
    export = export_for_user(request.user, export_id)
    require_export(request.user, export.study)
    try:
        name = export_download(export=export, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imaging:export-list", study_code=export.study.code)
    return storage.download_response(
        name, filename=f"{export.study.code}-bids-{export.pk}.zip", content_type="application/zip"
    )


@require_POST
def export_delete_view(request, export_id: int):
    export = export_for_user(request.user, export_id)
    require_export(request.user, export.study)
    try:
        export_delete(export=export, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Export #%(id)d was deleted; its zip is no longer on the server.") % {"id": export.pk}
        )
    return redirect("imaging:export-list", study_code=export.study.code)


def measure_export_view(request, study_code: str):
    """The derived measures the user may see, as a CSV streamed while it is written (?shape=long or wide)."""
    study = study_for_user(request.user, study_code)
    require_measures_export(request.user, study)
    shape = request.GET.get("shape", "long")
    if shape not in SHAPES:
        messages.error(request, _("Choose the long or the wide table."))
        return redirect("imaging:job-list", study_code=study.code)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = measures_csv(user=request.user, study=study, shape=shape)
    return csv_response(rows, f"{study.code}-measures-{shape}-{stamp}.csv")
