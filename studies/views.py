from django.shortcuts import render

from accounts.capabilities import Action, role_may, sees_arms
from accounts.selectors import membership_for

from .access import can_load_protocol, study_for_user
from .selectors import protocol_summary, protocol_versions, sites_for_user, studies_for_user


def study_list(request):
    return render(request, "studies/study_list.html", {"studies": studies_for_user(request.user)})


def study_detail(request, study_code: str):
    study = study_for_user(request.user, study_code)
    membership = membership_for(request.user, study)
    context = {
        "study": study,
        "membership": membership,
        "sites": sites_for_user(request.user, study),
        "summary": protocol_summary(study),
        "can_load": can_load_protocol(request.user, study, membership),
        "show_arms": sees_arms(membership.role if membership else None, study.blinding),
        "can_see_grid": role_may(membership.role if membership else None, Action.VIEW_STATUS_GRID),
    }
    return render(request, "studies/study_detail.html", context)


def protocol_history(request, study_code: str):
    study = study_for_user(request.user, study_code)
    context = {"study": study, "versions": protocol_versions(study), "can_load": can_load_protocol(request.user, study)}
    return render(request, "studies/protocol_history.html", context)
