"""The participant's survey pages (public: the token is the key) and the coordinator's link pages.

Each public view is wrapped by ``survey_view``: it resolves the token (``access.link_for_token``: the same plain
page for every refusal, logged), shows the page in the link's language and keeps it out of caches and referrers.
"""

from __future__ import annotations

import functools
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.i18n import text_for
from instruments.forms import crf_items, raw_from_post, raw_from_values
from studies.selectors import current_protocol
from workflows.plausibility import is_check_key

from . import services, windows
from .access import link_for_token, link_for_user, private_page, visit_for_links
from .forms import DJANGO_LANGUAGE, LinkCreateForm, PageMetaForm
from .reminders import reminder_contact_set
from .selectors import accesses_of, link_window, links_of_visit, progress, survey_pages, timings_of


def survey_view(view):
    @login_not_required
    @functools.wraps(view)
    def wrapped(request, token: str, **kwargs):
        opened = link_for_token(request, token)
        if opened.link is None:
            response = render(request, "surveys/unavailable.html", status=429 if opened.limited else 404)
        else:
            language = DJANGO_LANGUAGE.get(opened.link.language, "en")
            with translation.override(language):
                response = view(request, opened.link, token, **kwargs)
        return private_page(response)

    return wrapped


def _context(link, token: str, pages, **extra) -> dict:
    done, total = progress(pages)
    return {
        "link": link,
        "token": token,
        "pages": pages,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 100,
        "language_code": DJANGO_LANGUAGE.get(link.language, "en"),
        **extra,
    }


def _closed(request, link, token: str, window) -> object | None:
    """The page saying when the survey opens or that it closed, or None while it is open."""
    state = window.state(timezone.localdate())
    if state == windows.OPEN:
        return None
    context = {"link": link, "token": token, "state": state, "window": window}
    context["language_code"] = DJANGO_LANGUAGE.get(link.language, "en")
    return render(request, "surveys/survey_closed.html", context, status=403)


@survey_view
def survey_home(request, link, token: str):
    refused = _closed(request, link, token, link_window(link))
    if refused is not None:
        return refused
    pages = survey_pages(link)
    return render(request, "surveys/survey_home.html", _context(link, token, pages, problems={}))


def _page_of(pages, activity_key: str):
    page = next((one for one in pages if one.activity_key == activity_key), None)
    if page is None:
        raise Http404
    return page


def _timings(request) -> dict:
    """The page's seconds and its items' timings, as ``seconds`` and ``items`` (empty when malformed)."""
    meta = PageMetaForm(request.POST)
    if not meta.is_valid():
        return {"seconds": 0, "items": {}}
    return {"seconds": meta.cleaned_data.get("seconds") or 0, "items": meta.cleaned_data["item_timings"]}


def _after_save(request, token: str, pages, page):
    """Where a saved page goes: the next questionnaire, or the overview (also after "save and finish later")."""
    if request.POST.get("action") != "pause":
        order = [one for one in pages if not one.is_diary]
        later = order[order.index(page) + 1 :] if page in order else []
        upcoming = next((one for one in later if not one.complete), None)
        if upcoming is not None:
            return redirect("surveys:survey-page", token=token, activity_key=upcoming.activity_key)
    messages.success(request, _("Your answers are saved."))
    return redirect("surveys:survey-home", token=token)


@survey_view
def survey_page(request, link, token: str, activity_key: str):
    refused = _closed(request, link, token, link_window(link))
    if refused is not None:
        return refused
    pages = survey_pages(link)
    page = _page_of(pages, activity_key)
    if page.is_diary:
        return redirect("surveys:survey-home", token=token)
    raw, errors = raw_from_values(page.response.values if page.response else {}), {}
    if request.method == "POST" and not page.complete:
        raw = raw_from_post(page.instrument, request.POST)
        result = services.survey_page_save(link=link, page=page, raw=raw, **_timings(request))
        if result.ok:
            return _after_save(request, token, pages, page)
        errors = result.errors
    else:
        services.page_timing_start(link=link, activity_key=activity_key)
    return _render_page(request, link, token, pages, page, raw, errors, read_only=page.complete)


def _render_page(request, link, token, pages, page, raw, errors, *, read_only: bool, day: date | None = None):
    position = pages.index(page) + 1
    context = _context(
        link,
        token,
        pages,
        page=page,
        position=position,
        items=crf_items(page.instrument, raw, errors),
        errors=[text_for(errors[key]) for key in ("form", "instance", "lock_version", "reason") if key in errors]
        + [text_for(message) for key, message in errors.items() if is_check_key(key)],
        item_error_count=len(
            [
                key
                for key in errors
                if key not in ("form", "instance", "lock_version", "reason") and not is_check_key(key)
            ]
        ),
        read_only=read_only,
        instructions=text_for(page.instrument.instructions),
        day=day,
    )
    return render(request, "surveys/survey_page.html", context, status=400 if errors else 200)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@survey_view
def survey_diary(request, link, token: str, activity_key: str, day: str):
    refused = _closed(request, link, token, link_window(link))
    if refused is not None:
        return refused
    pages = survey_pages(link)
    page = _page_of(pages, activity_key)
    the_day = _day(day)
    entry = next((one for one in page.diary if one.day == the_day), None)
    if entry is None:
        raise Http404
    raw, errors = {}, {}
    if request.method == "POST":
        raw = raw_from_post(page.instrument, request.POST)
        result = services.diary_day_save(link=link, page=page, day=the_day, raw=raw, **_timings(request))
        if result.ok:
            messages.success(request, _("Your diary for %(day)s is saved.") % {"day": the_day.isoformat()})
            return redirect("surveys:survey-home", token=token)
        errors = result.errors
    elif entry.may_enter:
        services.page_timing_start(link=link, activity_key=activity_key, instance=entry.instance)
    if not entry.may_enter and not errors:
        errors = {"form": dict(services.DAY_NOT_OPEN)} if not entry.entered else {}
    return _render_page(request, link, token, pages, page, raw, errors, read_only=not entry.may_enter, day=the_day)


@require_POST
@survey_view
def survey_submit(request, link, token: str):
    refused = _closed(request, link, token, link_window(link))
    if refused is not None:
        return refused
    problems = services.survey_submit(link=link)
    if not problems:
        return redirect("surveys:survey-home", token=token)
    pages = survey_pages(link)
    titles = {page.activity_key: page.title for page in pages}
    listed = {titles.get(key, key): [text_for(error) for error in errs.values()] for key, errs in problems.items()}
    return render(request, "surveys/survey_home.html", _context(link, token, pages, problems=listed), status=400)


# Coordinator pages


def link_list(request, participant_id: int, visit_id: int):
    """The visit's links (status, times) and the form that makes a new one; a new link's address is shown once."""
    participant, visit = visit_for_links(request.user, participant_id, visit_id)
    protocol = current_protocol(participant.study)
    languages = protocol.study.languages if protocol else ("en", "zh")
    form = LinkCreateForm(request.POST or None, languages=languages)
    new_url, problem = "", ""
    if request.method == "POST" and form.is_valid():
        try:
            _link, token = services.survey_link_create(
                participant=participant, visit=visit, user=request.user, language=form.cleaned_data["language"]
            )
        except ValidationError as error:
            problem = error.messages[0]
        else:
            reminder_contact_set(participant=participant, user=request.user, **_contact(form.cleaned_data))
            new_url = request.build_absolute_uri(reverse("surveys:survey-home", kwargs={"token": token}))
    links = list(links_of_visit(participant, visit))
    context = {
        "participant": participant,
        "visit": visit,
        "form": form,
        "links": links,
        "new_url": new_url,
        "problem": problem,
        "timings": list(timings_of(links[0])) if links else [],
        "accesses": list(accesses_of(links)),
    }
    return render(request, "surveys/link_list.html", context, status=400 if problem else 200)


def _contact(data: dict) -> dict:
    return {key: data[key] for key in ("email", "email_opt_out", "sms_opt_out")}


@require_POST
def link_revoke(request, survey_link_id: int):
    link = link_for_user(request.user, survey_link_id)
    if services.survey_link_revoke(link=link, user=request.user):
        messages.success(request, _("The link is revoked: it opens nothing any more."))
    return redirect("surveys:link-list", participant_id=link.participant_id, visit_id=link.visit_id)
