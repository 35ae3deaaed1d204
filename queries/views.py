"""Query pages: list with per-site counts, detail with thread and actions, raise on a form, a participant's
queries. Views stay thin: access check, form, one service call."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.i18n import text_for
from core.pagination import paginate
from instruments.selectors import response_find
from participants.access import crf_for_user, participant_for_user
from studies.access import study_for_user
from studies.selectors import sites_for_user

from . import selectors, services
from .access import may_raise, query_for_user, require_raise
from .forms import ACTION_LABELS, QueryActionForm, QueryFilterForm, QueryRaiseForm


@require_safe
def query_list(request, study_code: str):
    study = study_for_user(request.user, study_code)
    form = QueryFilterForm(request.GET or None, sites=sites_for_user(request.user, study))
    page = paginate(selectors.query_list(request.user, study=study, **form.filters()), request.GET)
    return render(
        request,
        "queries/query_list.html",
        {
            "study": study,
            "form": form,
            "queries": page.object_list,
            "page": page,
            "count": page.paginator.count,
            "site_counts": selectors.counts_per_site(request.user, study=study),
        },
    )


@require_http_methods(["GET", "POST"])
def query_detail(request, query_id: int):
    query = query_for_user(request.user, query_id)
    allowed = services.allowed_actions(request.user, query)
    form = QueryActionForm(allowed=allowed)
    if request.method == "POST":
        form = QueryActionForm(request.POST, allowed=allowed)
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.query_transition(
                    query=query, user=request.user, action=form.cleaned_data["action"], text=form.cleaned_data["text"]
                )
            except services.QueryError:
                form.add_error(None, _("This action is not possible on this query now."))
            else:
                messages.success(request, _("Query updated."))
                return redirect("queries:query-detail", query_id=query.pk)
    return render(
        request,
        "queries/query_detail.html",
        {
            "query": query,
            "thread": selectors.query_thread(query),
            "form": form,
            "actions": [(name, ACTION_LABELS[name]) for name in allowed],
            "posted_action": form.data.get("action", "") if form.is_bound else "",
        },
    )


@require_safe
def participant_queries(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    return render(
        request,
        "queries/query_participant.html",
        {
            "participant": participant,
            "queries": selectors.participant_queries(participant),
        },
    )


@require_http_methods(["GET", "POST"])
def query_raise(request, participant_id: int, visit_code: str, activity_key: str):
    crf = crf_for_user(request.user, participant_id, visit_code, activity_key)
    participant = crf.participant
    require_raise(request.user, participant.study)
    items = [(item.code, f"{item.code} · {text_for(item.label)}") for item in crf.instrument.items]
    initial = {"item_code": request.GET.get("item", "")}
    form = QueryRaiseForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        query = services.query_raise(
            user=request.user,
            participant=participant,
            visit_code=visit_code,
            activity_key=activity_key,
            item_code=form.cleaned_data["item_code"],
            text=form.cleaned_data["text"],
            response=response_find(participant=participant, visit_code=visit_code, activity_key=activity_key),
        )
        messages.success(request, _("Query raised."))
        return redirect("queries:query-detail", query_id=query.pk)
    return render(
        request,
        "queries/query_raise.html",
        {
            "crf": crf,
            "participant": participant,
            "form": form,
            "instrument_title": text_for(crf.instrument.title),
            "visit_code": visit_code,
            "activity_key": activity_key,
            "can_raise": may_raise(request.user, participant.study),
            "existing": selectors.target_queries(
                participant=participant, visit_code=visit_code, activity_key=activity_key
            ),
        },
    )
