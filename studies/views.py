from django.shortcuts import render

from accounts.selectors import membership_for

from .access import study_for_user
from .selectors import sites_for_user, studies_for_user


def study_list(request):
    return render(request, "studies/study_list.html", {"studies": studies_for_user(request.user)})


def study_detail(request, study_code: str):
    study = study_for_user(request.user, study_code)
    context = {
        "study": study,
        "membership": membership_for(request.user, study),
        "sites": sites_for_user(request.user, study),
    }
    return render(request, "studies/study_detail.html", context)
