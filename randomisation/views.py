"""Randomisation pages: access check, form, one service call, render or redirect.

No page shows an arm unless ``can_see_arms`` holds, except the unblinding page to the user who unblinded.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.capabilities import Action, can, require
from core.csv import csv_response
from participants.access import participant_for_user
from studies.access import study_for_user

from . import selectors, services
from .access import allocation_list_for_user, can_see_arms, is_blinded
from .forms import AllocationListForm, UnblindingForm


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# Allocation lists ---------------------------------------------------------------------------------------------


def allocation_list_index(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require(request.user, study, Action.GENERATE_ALLOCATION)
    form = AllocationListForm(
        request.POST or None,
        factors=selectors.stratification_factors(study),
        may_set_seed=can(request.user, study, Action.SET_ALLOCATION_SEED),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.allocation_list_generate(
                study=study,
                user=request.user,
                size=data["size"],
                seed=data["seed"],
                strata_factors=data["strata"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Allocation list #%(id)s generated. Freeze it to start randomising.") % {"id": created.pk}
            )
            return redirect("randomisation:list-index", study.code)
    lists = list(selectors.allocation_lists(study))
    return render(
        request,
        "randomisation/allocationlist_index.html",
        {
            "study": study,
            "form": form,
            "lists": lists,
            "randomised": study.design == study.Design.RANDOMISED,
            "show_seed": can(request.user, study, Action.SEE_ALLOCATION_LIST),
            "has_frozen": any(item.frozen for item in lists),
        },
        status=403 if form.is_bound and form.seed_refused else 200,
    )


def allocation_list_detail(request, allocation_list_id: int):
    allocation_list = allocation_list_for_user(request.user, allocation_list_id)
    require(request.user, allocation_list.study, Action.SEE_ALLOCATION_LIST)
    return render(
        request,
        "randomisation/allocationlist_detail.html",
        {
            "allocation_list": allocation_list,
            "study": allocation_list.study,
            "rows": selectors.list_slots(request.user, allocation_list),
            "reproduction": selectors.reproduction_call(allocation_list),
        },
    )


def allocation_list_csv(request, allocation_list_id: int):
    allocation_list = allocation_list_for_user(request.user, allocation_list_id)
    require(request.user, allocation_list.study, Action.SEE_ALLOCATION_LIST)
    rows = selectors.list_slots(request.user, allocation_list)
    lines = services.allocation_list_export(allocation_list=allocation_list, user=request.user, rows=rows)
    return csv_response(lines, f"{allocation_list.study.code}-allocation-list-{allocation_list.pk}.csv")


@require_POST
def allocation_list_freeze(request, allocation_list_id: int):
    """Two steps: the first POST shows what freezing means and the list's summary; ``confirmed`` freezes."""
    allocation_list = allocation_list_for_user(request.user, allocation_list_id)
    require(request.user, allocation_list.study, Action.GENERATE_ALLOCATION)
    if request.POST.get("confirmed") != "1":
        context = {"allocation_list": allocation_list, "study": allocation_list.study}
        return render(request, "randomisation/allocationlist_freeze.html", context)
    try:
        services.allocation_list_freeze(allocation_list=allocation_list, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Allocation list #%(id)s is frozen: randomisation draws from it.") % {"id": allocation_list.pk}
        )
    return redirect("randomisation:list-index", allocation_list.study.code)


# Randomising a participant ------------------------------------------------------------------------------------


def participant_randomise(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    study = participant.study
    may_randomise = can(request.user, study, Action.RANDOMISE)
    error, confirming = None, False
    if request.method == "POST" and request.POST.get("confirmed") != "1":
        require(request.user, study, Action.RANDOMISE)
        confirming = True  # the first POST shows the strata values; the second randomises
    elif request.method == "POST":
        require(request.user, study, Action.RANDOMISE)
        try:
            slot = services.participant_randomise(participant=participant, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Randomised: randomisation number %(number)s.") % {"number": slot.number})
            return redirect("randomisation:participant-randomise", participant.pk)
    slot = selectors.allocation_for(participant)
    show_arm = can_see_arms(request.user, study)
    return render(
        request,
        "randomisation/participant_randomise.html",
        {
            "participant": participant,
            "study": study,
            "slot": slot,
            "error": error,
            "may_randomise": may_randomise and slot is None,
            "confirming": confirming and slot is None,
            "strata": selectors.strata_preview(participant) if slot is None else None,
            "randomised_study": study.design == study.Design.RANDOMISED,
            "arm": selectors.arm_display(request.user, participant) if show_arm and slot else "",
            "may_unblind": slot is not None
            and is_blinded(study)
            and can(request.user, study, Action.EMERGENCY_UNBLIND),
        },
        status=400 if error else 200,
    )


# Emergency unblinding -----------------------------------------------------------------------------------------


def participant_unblind(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    study = participant.study
    require(request.user, study, Action.EMERGENCY_UNBLIND)
    form = UnblindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unblinding_request(participant=participant, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.warning(request, _("Emergency unblinding recorded; the data managers have been told."))
            return redirect("randomisation:participant-unblind", participant.pk)
    return render(
        request,
        "randomisation/participant_unblind.html",
        {
            "participant": participant,
            "study": study,
            "form": form,
            "blinded": is_blinded(study),
            "slot": selectors.allocation_for(participant),
            "revealed_arm": selectors.revealed_arm(request.user, participant),
            "my_events": participant.unblindings.filter(user=request.user).order_by("-created_at"),
        },
        status=400 if request.method == "POST" else 200,
    )


def unblinding_report(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require(request.user, study, Action.READ_UNBLINDING_REPORT)
    rows = selectors.unblinding_rows(request.user, study)
    return render(request, "randomisation/unblinding_report.html", {"study": study, "rows": rows})


def unblinding_report_csv(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require(request.user, study, Action.READ_UNBLINDING_REPORT)
    header = ["time", "participant", "site", "randomisation_number", "unblinded_by", "reason"]
    lines = [header] + [
        [
            _local(row["event"].created_at),
            row["event"].participant.label,
            row["event"].participant.site.code,
            row["number"],
            row["event"].user.get_username(),
            row["event"].reason,
        ]
        for row in selectors.unblinding_rows(request.user, study)
    ]
    return csv_response(lines, f"{study.code}-emergency-unblindings.csv")


def unblinding_notifications(request, study_code: str):
    study = study_for_user(request.user, study_code)
    return render(
        request,
        "randomisation/unblinding_notifications.html",
        {
            "study": study,
            "notifications": selectors.notifications_for_user(request.user, study),
        },
    )
