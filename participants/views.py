from django.core.paginator import Paginator
from django.shortcuts import render

from studies.access import study_for_user
from studies.selectors import sites_for_user

from .access import participant_for_user
from .models import Participant
from .selectors import participant_list as select_participants


def participant_list(request, study_code: str):
    study = study_for_user(request.user, study_code)
    filters = {
        "query": request.GET.get("q", ""),
        "site_code": request.GET.get("site", ""),
        "status": request.GET.get("status", ""),
    }
    page = Paginator(select_participants(request.user, study=study, **filters), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "study": study,
        "page": page,
        "filters": filters,
        "sites": sites_for_user(request.user, study),
        "statuses": Participant.Status.choices,
    }
    template = "participants/_participant_rows.html" if request.htmx else "participants/participant_list.html"
    return render(request, template, context)


def participant_detail(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    return render(request, "participants/participant_detail.html", {"participant": participant})
