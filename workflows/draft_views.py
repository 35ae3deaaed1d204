"""The CRF page's drafts and merges: the draft endpoints (save as the user types, discard) and what the entry page
asks when it opens (a draft to restore) or meets an edit conflict (both sides to merge).

The endpoints answer to exactly who may save the form: the same access function as the page
(``participants.access.crf_for_user``), then its write check, then the form's locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import validation
from core.i18n import text_for
from instruments import selectors
from instruments.forms import ResponseMetaForm, raw_from_post
from instruments.registry import StoredDefinitionError, instrument_for
from participants.access import crf_for_user
from participants.selectors import is_locked

from .drafts import DRAFT_MAX_BYTES, draft_problem, response_draft_discard, response_draft_find, response_draft_save
from .merge import merge_rows
from .models import ResponseDraft

# The entry page's word on an edit conflict (the API keeps instruments.services.CONFLICT: its clients reload).
CONFLICT_KEPT = {
    "en": "Someone else saved this form after you opened it. Nothing was overwritten and your answers are kept: "
    "for each answer that differs, choose yours or theirs below, then save again.",
    "zh": "在您打开此表单后，其他人已保存了该表单。未覆盖任何内容，您的答案已保留："
    "请在下方为每个不同的答案选择保留您的或采用对方的，然后再次保存。",
}


@dataclass
class DraftState:
    """What the entry page shows of drafts and merges: the restored draft, and a row per item to merge."""

    draft: ResponseDraft | None = None
    merge: list[dict] = field(default_factory=list)


def form_instance(request) -> int:
    try:
        return validation.check_instance(validation.parse_int(request.GET.get("instance", "1")))
    except validation.InputRefused:
        raise Http404("bad instance") from None


def _writable_form(request, participant_id: int, visit_code: str, activity_key: str):
    """The CRF as the entry page finds it, for a user who may save it now; else a 404, 403 or (locked) None."""
    try:
        crf = crf_for_user(request.user, participant_id, visit_code, activity_key)
    except StoredDefinitionError:
        raise Http404("definition unreadable") from None
    if not crf.can_write:
        raise PermissionDenied
    if crf.refusal is not None:
        raise Http404("not on this participant's schedule")
    instance = form_instance(request)
    response = selectors.response_find(
        participant=crf.participant, visit_code=visit_code, activity_key=activity_key, instance=instance
    )
    if is_locked(crf.participant, visit_code, response=response) is not None:
        return crf, instance, response, True
    return crf, instance, response, False


def _form_key(crf, instance: int) -> dict:
    return {
        "participant": crf.participant,
        "visit_code": crf.visit.code,
        "activity_key": crf.activity.key,
        "instance": instance,
    }


def _too_big(request) -> bool:
    """The request says it is larger than a draft may be (the CSRF check has parsed the body already; Django
    bounds that parse, DATA_UPLOAD_MAX_MEMORY_SIZE, and ``draft_problem`` bounds what is kept)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > DRAFT_MAX_BYTES


def _base_version(request) -> int:
    try:
        return validation.parse_int(request.POST.get("lock_version", "0"), low=0, high=validation.INT32_MAX)
    except validation.InputRefused:
        return 0


@require_POST
def response_draft_save_view(request, participant_id: int, visit_code: str, activity_key: str):
    """Keep what the user has typed into the form (answers and reason), as JSON: when, or why not."""
    if _too_big(request):
        return JsonResponse({"error": _("This draft is too large to keep.")}, status=413)
    crf, instance, response, locked = _writable_form(request, participant_id, visit_code, activity_key)
    if locked:  # answered like the form's own POST: the page, saying why nothing is kept
        return JsonResponse({"kept": False, "error": _("This form is locked: no draft is kept.")})
    instrument = (
        instrument_for(crf.participant, response.instrument_code, response.definition_version)
        if response
        else crf.instrument
    )
    raw, reason = raw_from_post(instrument, request.POST), request.POST.get("reason", "")
    problem = draft_problem(raw, reason)
    if problem is not None:
        return JsonResponse({"error": text_for(problem)}, status=400)
    draft = response_draft_save(
        user=request.user,
        **_form_key(crf, instance),
        instrument=instrument,
        raw=raw,
        reason=reason,
        base_lock_version=_base_version(request),
    )
    when = formats.time_format(timezone.localtime(draft.updated_at), "H:i:s")
    return JsonResponse(
        {
            "kept": True,
            "saved_at": draft.updated_at.isoformat(),
            "message": _("Draft saved at %(time)s") % {"time": when},
        }
    )


@require_POST
def response_draft_discard_view(request, participant_id: int, visit_code: str, activity_key: str):
    """Throw the user's draft away and reopen the form as stored."""
    crf, instance, _response, _locked = _writable_form(request, participant_id, visit_code, activity_key)
    if response_draft_discard(user=request.user, **_form_key(crf, instance)):
        messages.info(request, _("Draft discarded: the form shows what is stored."))
    url = reverse("workflows:response-edit", args=[crf.participant.pk, crf.visit.code, crf.activity.key])
    return redirect(f"{url}?instance={instance}")


def draft_restore(request, crf, instance: int, response, instrument, *, writable: bool, shown: tuple):
    """What a GET of the entry page shows: ``shown`` (the stored answers and the form's fixed part), or the user's
    draft with the stored version and the draft's reason, and the items to merge when the stored form moved on
    since the draft began. Returns (DraftState, answers, fixed part)."""
    draft = None
    if request.method == "GET" and writable:
        draft = response_draft_find(user=request.user, **_form_key(crf, instance))
    if draft is None:
        return DraftState(), *shown
    current = response.lock_version if response else 0
    meta = ResponseMetaForm(initial={"lock_version": current, "reason": draft.reason})
    if draft.base_lock_version == current:
        return DraftState(draft=draft), draft.raw, meta
    rows = merge_rows(
        instrument,
        mine=draft.raw,
        current_values=response.values if response else {},
        base_values=selectors.response_values_at(response, draft.base_lock_version),
    )
    return DraftState(draft=draft, merge=rows), draft.raw, meta


def conflict_merge(*, crf, instance: int, instrument, raw: dict, meta: ResponseMetaForm):
    """After an edit conflict: the rows to merge (the user's answers beside the stored ones) and the form's fixed
    part moved to the stored version, so that saving the merged answers goes through."""
    current = selectors.response_find(**_form_key(crf, instance))
    started = meta.cleaned_data["lock_version"]
    rows = merge_rows(
        instrument,
        mine=raw,
        current_values=current.values if current else {},
        base_values=selectors.response_values_at(current, started),
    )
    moved = ResponseMetaForm(
        initial={"lock_version": current.lock_version if current else 0, "reason": meta.cleaned_data["reason"]}
    )
    return rows, moved, current
