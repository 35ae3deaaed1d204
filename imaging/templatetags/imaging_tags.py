"""Template helpers for acquisitions: status badges, bilingual labels, and the participant-page panel."""

from django import template

from core.i18n import is_chinese
from imaging import names, selectors
from imaging.access import may_upload
from imaging.readers.labels import label
from imaging.services.bids import message_text
from imaging.services.steps import error_message

register = template.Library()

STATUS_STYLES = {
    "queued": "secondary",
    "running": "info",
    "succeeded": "success",
    "failed": "danger",
    "linked": "success",
    "needs_linking": "warning",
}


@register.filter
def status_style(status: str) -> str:
    return STATUS_STYLES.get(status, "secondary")


@register.filter
def acquisition_label(key: str) -> str:
    """A series label, channel type or measure name in the current language ("bold:rest" -> "... : rest")."""
    return label(key or "", "zh" if is_chinese() else "en")


@register.filter
def job_error(job) -> str:
    """The job's error in the viewer's language, from the template the step stored; ``error`` (English) for a
    row that has none or whose stored template no longer fits its parameters."""
    stored = (job.details or {}).get("error")
    if not isinstance(stored, dict) or not stored.get("msgid"):
        return job.error
    try:
        return error_message(stored)
    except (KeyError, TypeError, ValueError):
        return job.error


def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def file_name(context, item) -> str:
    """A data file's or job's name as the viewer may read it (imaging.names: no original name without
    SEE_IDENTIFIERS). Without a request (an e-mail, say) the safe name."""
    return names.shown_name(_viewer(context), item)


@register.simple_tag(takes_context=True)
def job_text(context, job, text) -> str:
    """A job's log or error, its file name replaced for viewers who may not read original names."""
    return names.shown_text(_viewer(context), job, text)


@register.filter
def export_log(export) -> list[str]:
    """The export's log lines in the viewer's language; the stored English text for a row without templates or
    whose templates no longer fit their parameters (a catalogue changed since)."""
    try:
        return [message_text(entry) for entry in export.log_entries] or export.log.splitlines()
    except (KeyError, TypeError, ValueError):
        return export.log.splitlines()


@register.filter
def export_error(export) -> str:
    """The export's error in the viewer's language (see ``export_log``)."""
    if not export.error_entry:
        return export.error
    try:
        return message_text(export.error_entry)
    except (KeyError, TypeError, ValueError):
        return export.error


@register.inclusion_tag("imaging/_participant_acquisitions.html", takes_context=True)
def participant_acquisitions(context, participant):
    """Data files of a participant the page has already let the user see, per visit, with measures and the
    MRI series still missing at each visit."""
    files = list(selectors.participant_acquisitions(participant))
    visits = {}
    for data_file in files:
        visits.setdefault(data_file.visit_code, []).append(data_file)
    rows = [
        {"visit_code": code, "files": items, "check": selectors.series_check(participant.pk, participant.study, code)}
        for code, items in visits.items()
    ]
    request = context.get("request")
    can_upload = request is not None and may_upload(request.user, participant.study)
    return {"participant": participant, "visits": rows, "request": request, "can_upload": can_upload}
