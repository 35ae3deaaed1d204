"""Monitoring pages: the study dashboard, a participant's casebook with its actions (verify one form, a visit or a
selection; unlock). Locking and signing pass the review gate, which needs the queries too: workflows.review_views.

Views stay thin: access check (a 404 outside the user's scope), role check (a 403), form, one service call.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.capabilities import Action, require
from core.i18n import text_for
from core.pagination import paginate
from instruments.registry import instrument_for
from participants import services as participant_services
from participants.access import participant_for_user, response_for_user
from studies.access import study_for_user
from studies.selectors import current_protocol

from . import selectors, services
from .access import lock_for_user, permissions
from .forms import UnlockForm


def study_dashboard(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require(request.user, study, Action.VIEW_MONITORING)
    page = paginate(selectors.dashboard_participants(request.user, study), request.GET)
    context = {
        "study": study,
        "sites": selectors.dashboard_sites(request.user, study),
        "people": selectors.dashboard_rows(page.object_list),
        "page": page,
    }
    return render(request, "monitoring/study_dashboard.html", context)


def _titles(groups, participant) -> dict:
    """Form titles of one participant's casebook (their study's own definitions included)."""
    titles = {}
    for group in groups:
        for row in group.rows:
            key = (row.response.instrument_code, row.response.definition_version)
            if key not in titles:
                try:
                    titles[key] = text_for(instrument_for(participant, *key).title)
                except KeyError:
                    titles[key] = row.response.instrument_code
            row.title = titles[key]
    return titles


def _visit_labels(participant) -> dict[str, str]:
    protocol = current_protocol(participant.study)
    return {visit.code: text_for(visit.label) for visit in protocol.visits} if protocol else {}


def _render_casebook(request, participant, *, error=None):
    groups, participant_lock = selectors.casebook(participant)
    _titles(groups, participant)
    labels = _visit_labels(participant)
    for group in groups:
        group.label = labels.get(group.visit_code, group.visit_code)
    verified, complete = selectors.totals(groups)
    signatures = list(selectors.signatures_of(participant)[:1])
    return render(
        request,
        "monitoring/casebook_detail.html",
        {
            "participant": participant,
            "groups": groups,
            "participant_lock": participant_lock,
            "verified": verified,
            "complete": complete,
            "latest_signature": signatures[0] if signatures else None,
            "can": permissions(request.user, participant.study),
            "error": error,
        },
    )


def casebook_detail(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    return _render_casebook(request, participant)


def _done(request, participant, message: str):
    messages.success(request, message)
    return redirect(reverse("monitoring:casebook-detail", args=[participant.pk]))


def _refused(request, participant, error: ValidationError, **where):
    return _render_casebook(request, participant, error=SimpleNamespace(message=" ".join(error.messages), **where))


def _back(request, participant, response=None) -> str:
    """Where a verification returns: the form page, the visit page or (by default) the casebook; never a URL taken
    from the request."""
    where = request.POST.get("back", "")
    if where == "form" and response is not None:
        url = reverse("workflows:response-edit", args=[participant.pk, response.visit_code, response.activity_key])
        return url + (f"?instance={response.instance}" if response.instance > 1 else "")
    visit = _ids(request.POST.getlist("visit"))
    if where == "visit" and visit and participant.visits.filter(pk=visit[0]).exists():
        return reverse("participants:visit-detail", args=[participant.pk, visit[0]])
    return reverse("monitoring:casebook-detail", args=[participant.pk])


@require_POST
def response_verify(request, response_id: int):
    """Verify one form (the casebook, the form page); with ``field`` values, tick those fields (field-level SDV)."""
    response = response_for_user(request.user, response_id)
    participant = response.participant
    require(request.user, participant.study, Action.VERIFY)
    try:
        services.response_verify(response=response, user=request.user, fields=request.POST.getlist("field"))
    except ValidationError as error:
        if request.htmx:
            context = {**verify_block(request.user, response), "sdv_error": " ".join(error.messages)}
            return render(request, "monitoring/_verify_block.html", context)
        if request.POST.get("back") == "form":
            messages.error(request, " ".join(error.messages))
            return redirect(_back(request, participant, response))
        return _refused(request, participant, error, kind="verify", pk=response.pk)
    if request.htmx:
        return render(request, "monitoring/_verify_block.html", verify_block(request.user, response))
    messages.success(request, _("Form verified.") if _is_verified(response) else _("Fields verified."))
    return redirect(_back(request, participant, response))


def _is_verified(response) -> bool:
    current = selectors.current_verification(response)
    return current is not None and current.complete


def verify_block(user, response) -> dict:
    """The context of the form page's Verify block (monitoring/_verify_block.html)."""
    participant = response.participant
    requirement = selectors.sdv_requirement(response, selectors.sdv_plan(participant.study))
    current = selectors.current_verification(response)
    at_version = current is not None and current.lock_version == response.lock_version
    ticked = set(current.fields) if at_version else set()
    labels = _item_labels(participant, response) if requirement.fields else {}
    return {
        "sdv_response": response,
        "sdv_state": selectors.sdv_state(response, current, current is not None),
        "sdv_verification": current if at_version else None,
        "sdv_required": requirement.required,
        "sdv_fields": [(code, labels.get(code, code), code in ticked) for code in requirement.fields],
        "sdv_may_verify": permissions(user, participant.study)["verify"]
        and response.status == response.Status.COMPLETE,
    }


@require_POST
def visit_verify(request, participant_id: int, visit_code: str):
    """Verify every complete form of one visit that needs no field ticks (the visit page, the casebook)."""
    participant = participant_for_user(request.user, participant_id)
    require(request.user, participant.study, Action.VERIFY)
    responses = selectors.visit_responses(participant, visit_code)
    return _bulk_done(request, participant, services.responses_verify(responses=responses, user=request.user))


@require_POST
def responses_verify(request, participant_id: int):
    """Verify the forms ticked on the casebook, in one POST and one transaction."""
    participant = participant_for_user(request.user, participant_id)
    require(request.user, participant.study, Action.VERIFY)
    ids = _ids(request.POST.getlist("response"))
    if not ids:
        return _refused(request, participant, ValidationError(_("Tick the forms to verify.")), kind="bulk")
    responses = selectors.visit_responses(participant).filter(pk__in=ids)
    return _bulk_done(request, participant, services.responses_verify(responses=responses, user=request.user))


def _ids(values: list[str]) -> list[int]:
    """Row ids posted by checkboxes (anything else is ignored; the queryset scopes them to the participant)."""
    return [int(value) for value in values[:1000] if value.isdigit() and len(value) <= 9]


def _bulk_done(request, participant, result):
    count = len(result.verified)
    text = ngettext("%(count)s form verified.", "%(count)s forms verified.", count) % {"count": count}
    (messages.success if count else messages.warning)(request, text)
    for response, why in result.skipped:
        messages.info(request, f"{response.visit_code} · {_titled(participant, response)}: {why}")
    return redirect(_back(request, participant))


def _item_labels(participant, response) -> dict[str, str]:
    try:
        instrument = instrument_for(participant, response.instrument_code, response.definition_version)
    except KeyError:
        return {}
    return {item.code: f"{item.code} · {text_for(item.label)}" for item in instrument.items}


def _titled(participant, response) -> str:
    try:
        return text_for(instrument_for(participant, response.instrument_code, response.definition_version).title)
    except KeyError:
        return response.instrument_code


@require_POST
def lock_release(request, lock_id: int):
    lock = lock_for_user(request.user, lock_id)
    participant = lock.participant
    require(request.user, participant.study, Action.LOCK)
    form = UnlockForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        participant_services.lock_release(lock=lock, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _refused(request, participant, error, kind="unlock", pk=lock.pk, value=request.POST.get("reason", ""))
    return _done(request, participant, _("Unlocked."))
