"""The visit page: its forms in protocol order with their status and progress, and what happened at the visit
(done with a reason for each required form not complete, missed with a reason and a confirmation, reopened by a
data manager). The services decide; these views parse, call and redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.capabilities import Action, can
from studies.selectors import current_protocol

from . import services
from .access import participant_for_user, require_manage, visit_for_user
from .forms import VisitDoneForm, VisitMissedForm, VisitReopenForm
from .models import Participant
from .selectors import forms_not_complete, instrument_title, scheduled_visit, with_form_status


def _visit(request, participant_id: int, visit_id: int):
    participant = participant_for_user(request.user, participant_id)
    return participant, visit_for_user(request.user, participant, visit_id)


def _missing(participant, visit, protocol) -> dict[str, str]:
    if protocol is None or visit.is_done:
        return {}
    return {a.key: instrument_title(participant, a.code) for a in forms_not_complete(participant, visit, protocol)}


def visit_page_url(visit) -> str:
    return reverse("participants:visit-detail", args=[visit.participant_id, visit.pk])


@require_safe
def visit_detail(request, participant_id: int, visit_id: int):
    participant, visit = _visit(request, participant_id, visit_id)
    return _render(request, participant, visit)


def _render(request, participant, visit, **bound):
    protocol = current_protocol(participant.study)
    [row] = with_form_status(participant, [scheduled_visit(participant, visit, protocol, today=timezone.localdate())])
    forms = [chip for chip in row.forms if chip.kind == "instrument"]
    required = {a.key for a in row.activities if a.kind == "instrument"}
    missing = _missing(participant, visit, protocol)
    study = participant.study
    context = {
        "participant": participant,
        "row": row,
        "forms": forms,
        "other_activities": [chip for chip in row.forms if chip.kind != "instrument"],
        "required": required,
        "complete": sum(1 for chip in forms if chip.key in required and chip.key not in missing),
        "required_count": len(required),
        "may_manage": can(request.user, study, Action.MANAGE_PARTICIPANTS)
        and participant.status == Participant.Status.ENROLLED,
        "may_reopen": can(request.user, study, Action.REOPEN_VISIT),
        "may_verify": can(request.user, study, Action.VERIFY) and any(chip.status == "complete" for chip in forms),
        "missing_forms": [
            (instrument_title(participant, _code_of(row, key)), why) for key, why in visit.missing_forms.items()
        ],
        "done_form": bound.get("done_form") or VisitDoneForm(missing=missing),
        "missed_form": bound.get("missed_form") or VisitMissedForm(),
        "reopen_form": bound.get("reopen_form") or VisitReopenForm(),
    }
    return render(request, "participants/visit_detail.html", context, status=400 if bound else 200)


def _code_of(row, key: str) -> str:
    return next((a.code for a in row.activities if a.key == key), key)


def _act(request, participant_id: int, visit_id: int, *, form, form_name: str, call, allowed: bool):
    participant, visit = _visit(request, participant_id, visit_id)
    if not allowed(participant):
        raise PermissionDenied
    bound = form(participant, visit)
    if bound.is_valid():
        try:
            message = call(visit, bound)
        except ValidationError as error:
            bound.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect(visit_page_url(visit))
    return _render(request, participant, visit, **{form_name: bound})


@require_POST
def visit_done(request, participant_id: int, visit_id: int):
    def build(participant, visit):
        return VisitDoneForm(request.POST, missing=_missing(participant, visit, current_protocol(participant.study)))

    def call(visit, form):
        services.visit_complete(
            visit=visit,
            completed_on=form.cleaned_data["completed_on"],
            user=request.user,
            missing_forms=form.missing_reasons(),
        )
        return _("Visit recorded as done.")

    return _act(
        request, participant_id, visit_id, form=build, form_name="done_form", call=call, allowed=_manages(request)
    )


@require_POST
def visit_missed(request, participant_id: int, visit_id: int):
    def call(visit, form):
        data = form.cleaned_data
        services.visit_miss(visit=visit, user=request.user, why=data["why"], note=data["note"])
        return _("Visit recorded as missed.")

    return _act(
        request,
        participant_id,
        visit_id,
        form=lambda _p, _v: VisitMissedForm(request.POST),
        form_name="missed_form",
        call=call,
        allowed=_manages(request),
    )


@require_POST
def visit_reopen(request, participant_id: int, visit_id: int):
    def call(visit, form):
        services.visit_reopen(visit=visit, user=request.user, reason=form.cleaned_data["reason"])
        return _("Visit reopened: it is pending again.")

    return _act(
        request,
        participant_id,
        visit_id,
        form=lambda _p, _v: VisitReopenForm(request.POST),
        form_name="reopen_form",
        call=call,
        allowed=lambda participant: can(request.user, participant.study, Action.REOPEN_VISIT),
    )


def _manages(request):
    def allowed(participant) -> bool:
        require_manage(request.user, participant.study)
        return True

    return allowed
