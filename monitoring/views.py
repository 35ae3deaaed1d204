"""Monitoring pages: the study dashboard, a participant's casebook with its actions, and the signature page.

Views stay thin: access check (a 404 outside the user's scope), role check (a 403), form, one service call.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.capabilities import Action, require
from accounts.services import AccountLockedOut
from core.i18n import text_for
from core.pagination import paginate
from instruments.registry import instrument_for
from participants import services as participant_services
from participants.access import participant_for_user, response_for_user
from participants.models import Lock
from studies.access import study_for_user
from studies.selectors import current_protocol

from . import selectors, services
from .access import lock_for_user, permissions
from .forms import LockForm, SignForm, UnlockForm


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


@require_POST
def response_verify(request, response_id: int):
    response = response_for_user(request.user, response_id)
    participant = response.participant
    require(request.user, participant.study, Action.VERIFY)
    try:
        services.response_verify(response=response, user=request.user)
    except ValidationError as error:
        return _refused(request, participant, error, kind="verify", pk=response.pk)
    return _done(request, participant, _("Form verified."))


def _lock(request, participant, *, scope: str, kind: str, pk=None, **target):
    require(request.user, participant.study, Action.LOCK)
    form = LockForm(request.POST)
    if not form.is_valid():
        return _refused(request, participant, ValidationError(form.errors.get("reason", [])), kind=kind, pk=pk)
    try:
        participant_services.lock_create(
            participant=participant, scope=scope, user=request.user, reason=form.cleaned_data["reason"], **target
        )
    except ValidationError as error:
        return _refused(request, participant, error, kind=kind, pk=pk, value=form.cleaned_data["reason"])
    return _done(request, participant, _("Locked."))


@require_POST
def response_lock(request, response_id: int):
    response = response_for_user(request.user, response_id)
    return _lock(
        request, response.participant, scope=Lock.Scope.FORM, kind="lock-form", pk=response.pk, response=response
    )


@require_POST
def visit_lock(request, participant_id: int, visit_code: str):
    participant = participant_for_user(request.user, participant_id)
    return _lock(request, participant, scope=Lock.Scope.VISIT, kind="lock-visit", pk=visit_code, visit_code=visit_code)


@require_POST
def participant_lock(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    return _lock(request, participant, scope=Lock.Scope.PARTICIPANT, kind="lock-participant")


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


def casebook_sign(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    may_sign = permissions(request.user, participant.study)["sign"]
    form = SignForm(request.POST or None)
    if request.method == "POST":
        require(request.user, participant.study, Action.SIGN)
        if form.is_valid():
            try:
                services.casebook_sign(
                    participant=participant,
                    user=request.user,
                    password=form.cleaned_data["password"],
                    meaning=form.cleaned_data["meaning"],
                    request=request,
                )
            except AccountLockedOut:
                # As for log-in: the session ends too, and django-axes' middleware answers with its lock-out page.
                logout(request)
                return redirect(reverse("two_factor:login"))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Casebook signed."))
                return redirect(reverse("monitoring:casebook-sign", args=[participant.pk]))
    return render(
        request,
        "monitoring/signature_detail.html",
        {
            "participant": participant,
            "form": form,
            "may_sign": may_sign,
            "signatures": selectors.signatures_of(participant),
            "current": selectors.current_signature(participant),
        },
    )
