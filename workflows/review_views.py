"""Locking and signing pages, behind the review gate (workflows.review): each is a second step server-side.

Lock: the casebook's lock buttons POST here; that first POST shows what the lock covers (forms, verification,
open queries, what blocks it) and a second POST with ``confirmed`` locks. Sign: the signature page shows the same
summary before the password is asked. Unlocking stays in monitoring (it needs no review).
"""

from __future__ import annotations

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
from instruments.registry import instrument_for
from monitoring import selectors as monitoring_selectors
from monitoring.access import permissions
from monitoring.forms import LockForm, SignForm
from participants.access import participant_for_user, response_for_user
from participants.models import Lock
from participants.selectors import is_locked
from studies.selectors import current_protocol

from . import review


def _target_label(participant, scope: str, visit_code: str, response) -> str:
    if scope == Lock.Scope.PARTICIPANT:
        return _("The whole casebook of %(id)s") % {"id": participant.identifier}
    protocol = current_protocol(participant.study)
    visits = {visit.code: text_for(visit.label) for visit in protocol.visits} if protocol else {}
    if scope == Lock.Scope.VISIT:
        return _("Visit: %(visit)s") % {"visit": visits.get(visit_code, visit_code)}
    try:
        title = text_for(instrument_for(participant, response.instrument_code, response.definition_version).title)
    except KeyError:
        title = response.instrument_code
    return _("Form: %(form)s, %(visit)s") % {"form": title, "visit": visits.get(response.visit_code, visit_code)}


def _lock(request, participant, *, scope: str, visit_code: str = "", response=None):
    require(request.user, participant.study, Action.LOCK)
    form = LockForm(request.POST)
    if form.is_valid() and form.cleaned_data["confirmed"]:
        try:
            review.review_lock(
                participant=participant,
                scope=scope,
                user=request.user,
                reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data["override_reason"],
                visit_code=visit_code,
                response=response,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Locked."))
            return redirect(reverse("monitoring:casebook-detail", args=[participant.pk]))
    state = review.review_of(participant, scope=scope, visit_code=visit_code, response=response)
    context = {
        "participant": participant,
        "form": form,
        "target": _target_label(participant, scope, visit_code, response),
        "review": state,
        "may_override": review.may_override(request.user, participant),
        "already_locked": is_locked(participant, visit_code or None, response=response),
    }
    status = 400 if form.errors else 200
    return render(request, "workflows/lock_confirm.html", context, status=status)


@require_POST
def response_lock(request, response_id: int):
    response = response_for_user(request.user, response_id)
    return _lock(
        request, response.participant, scope=Lock.Scope.FORM, visit_code=response.visit_code, response=response
    )


@require_POST
def visit_lock(request, participant_id: int, visit_code: str):
    participant = participant_for_user(request.user, participant_id)
    return _lock(request, participant, scope=Lock.Scope.VISIT, visit_code=visit_code)


@require_POST
def participant_lock(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    return _lock(request, participant, scope=Lock.Scope.PARTICIPANT)


def casebook_sign(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    form = SignForm(request.POST or None)
    if request.method == "POST":
        require(request.user, participant.study, Action.SIGN)
        if form.is_valid():
            try:
                review.review_sign(
                    participant=participant,
                    user=request.user,
                    password=form.cleaned_data["password"],
                    meaning=form.cleaned_data["meaning"],
                    request=request,
                    override_reason=form.cleaned_data["override_reason"],
                )
            except AccountLockedOut:
                # As for log-in: the session ends too, and django-axes' middleware answers with its lock-out page.
                logout(request)
                return redirect(reverse("two_factor:login"))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Casebook signed."))
                return redirect(reverse("workflows:casebook-sign", args=[participant.pk]))
    context = {
        "participant": participant,
        "form": form,
        "may_sign": permissions(request.user, participant.study)["sign"],
        "may_override": review.may_override(request.user, participant),
        "review": review.review_of(participant),
        "signatures": monitoring_selectors.signatures_of(participant),
        "current": monitoring_selectors.current_signature(participant),
    }
    return render(request, "monitoring/signature_detail.html", context)
