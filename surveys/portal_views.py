"""The participant portal's pages (public; the session holds only the signed-in participant, briefly).

Every request is logged (``SurveyAccess``) and counted per address: past the survey pages' limits every portal
page answers the same plain page with a 429.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.lockout import client_address, count_in_window

from . import portal, windows
from .access import limited, log_access, private_page
from .forms import PortalCodeForm, PortalEmailForm

EMAIL_IN_SESSION = "survey_portal_email"


def portal_view(view):
    @login_not_required
    @functools.wraps(view)
    def wrapped(request, **kwargs):
        address = client_address(request) or ""
        if limited(address):
            log_access(request, None, address, outcome="limited", reason="rate")
            response = render(request, "surveys/unavailable.html", status=429)
        else:
            log_access(request, None, address, outcome="opened" if request.method == "GET" else "saved")
            response = view(request, **kwargs)
        return private_page(response)

    return wrapped


def _refused(request) -> None:
    count_in_window(f"survey:refused:{client_address(request) or ''}", 3600)


@portal_view
def portal_start(request):
    form = PortalEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if count_in_window(f"survey:portal-email:{portal.email_digest(email)}", 3600) <= 5:
            portal.portal_code_send(email=email)
        request.session[EMAIL_IN_SESSION] = email
        return redirect("surveys:portal-code")
    return render(request, "surveys/portal_start.html", {"form": form}, status=400 if form.errors else 200)


@portal_view
def portal_code(request):
    email = request.session.get(EMAIL_IN_SESSION)
    if not email:
        return redirect("surveys:portal-start")
    form = PortalCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        participant = portal.portal_code_check(email=email, code=form.cleaned_data["code"])
        if participant is not None:
            request.session.pop(EMAIL_IN_SESSION, None)
            portal.portal_sign_in(request, participant)
            return redirect("surveys:portal-home")
        _refused(request)
        form.add_error("code", PortalCodeForm.wrong_code_message())
    return render(request, "surveys/portal_code.html", {"form": form}, status=400 if form.errors else 200)


@portal_view
def portal_home(request):
    participant = portal.portal_participant(request)
    if participant is None:
        return redirect("surveys:portal-start")
    visits = portal.portal_visits(participant)
    today = timezone.localdate()
    context = {
        "due": [one for one in visits if one.state == windows.OPEN and one.done < one.forms],
        "done": [one for one in visits if one.forms and one.done == one.forms],
        "upcoming": [one for one in visits if one.state == windows.NOT_YET],
        "today": today,
    }
    return render(request, "surveys/portal_home.html", context)


@require_POST
@portal_view
def portal_visit_open(request, visit_id: int):
    participant = portal.portal_participant(request)
    if participant is None:
        return redirect("surveys:portal-start")
    visit = participant.visits.filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    try:
        token = portal.portal_link_open(participant=participant, visit=visit)
    except ValidationError:
        return redirect("surveys:portal-home")
    return redirect("surveys:survey-home", token=token)


@require_POST
@portal_view
def portal_sign_out(request):
    portal.portal_sign_out(request)
    return redirect("surveys:portal-start")
