"""Participant pages: access check, form, one service call, render or redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import text_for
from core.pagination import paginate
from studies.access import study_for_user
from studies.selectors import current_protocol, sites_for_user

from . import services
from .access import (
    may_manage,
    may_see_arm,
    may_see_personal_identifiers,
    participant_for_user,
    personal_identifiers_for_user,
    require_manage,
)
from .blank_scores import blank_scores
from .forms import (
    AnchorForm,
    ArmForm,
    ConsentForm,
    ConsentRefusalForm,
    CriterionReviewForm,
    EnrolForm,
    ScreeningForm,
    WithdrawForm,
)
from .models import CriterionEvent, Participant
from .selectors import (
    lock_state,
    participant_schedule,
    randomisation_number,
    screening_log,
    unscheduled_forms,
    visits_due,
    with_form_status,
)
from .selectors import participant_list as select_participants
from .services.event_text import event_label


def participant_list(request, study_code: str):
    study = study_for_user(request.user, study_code)
    protocol = current_protocol(study)
    show_arm = may_see_arm(request.user, study)
    filters = {
        "query": request.GET.get("q", ""),
        "site_code": request.GET.get("site", ""),
        "status": request.GET.get("status", ""),
        "arm": request.GET.get("arm", "") if show_arm else "",
        "overdue": request.GET.get("overdue") == "1",
        "window_review": request.GET.get("window_review") == "1",
    }
    search_names = may_see_personal_identifiers(request.user, study)
    participants = select_participants(
        request.user, study=study, today=timezone.localdate(), search_names=search_names, **filters
    )
    page = paginate(participants, request.GET)
    context = {
        "study": study,
        "page": page,
        "filters": filters,
        "sites": sites_for_user(request.user, study),
        "statuses": Participant.Status.choices,
        "arms": [(a.code, text_for(a.name)) for a in protocol.arms] if protocol and show_arm else [],
        "arm_names": {a.code: text_for(a.name) for a in protocol.arms} if protocol and show_arm else {},
        "show_arm": show_arm,
        "may_manage": may_manage(request.user, study),
        "search_hint": _("Search study ID, screening number or name")
        if search_names
        else _("Search study ID or screening number"),
    }
    template = "participants/_participant_rows.html" if request.htmx else "participants/participant_list.html"
    return render(request, template, context)


def participant_screen(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require_manage(request.user, study)
    protocol = current_protocol(study)
    if protocol is None:
        return render(request, "participants/participant_screen.html", {"study": study, "protocol": None})
    sites = list(sites_for_user(request.user, study))
    form = ScreeningForm(request.POST or None, protocol=protocol, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant = services.participant_screen(
                study=study,
                site=form.site_for(sites),
                user=request.user,
                screened_on=data["screened_on"],
                full_name=data["full_name"],
                phone=data["phone"],
                national_id=data["national_id"],
                date_of_birth=data["date_of_birth"],
                answers=form.answers(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _screening_outcome_message(request, participant, protocol)
            return redirect("participants:participant-detail", participant.pk)
    answer_fields = [form[f"answer_{code}"] for code in form.answer_fields]
    return render(
        request,
        "participants/participant_screen.html",
        {"study": study, "protocol": protocol, "form": form, "answer_fields": answer_fields},
    )


def _screening_outcome_message(request, participant, protocol) -> None:
    """Say what the answers decided: screened out (and on which criterion), eligible, or what is still needed."""
    screening = participant.screenings.first()
    criteria = {c.code: text_for(c.text) for c in protocol.eligibility.criteria}
    names = {"number": participant}
    if screening.eligible is False:
        names["criteria"] = "; ".join(criteria.get(code, code) for code in screening.failing_criteria)
        messages.warning(request, _("Screening recorded for %(number)s: screened out (%(criteria)s).") % names)
    elif screening.eligible:
        messages.success(request, _("Screening recorded for %(number)s: eligible.") % names)
    else:
        names["criteria"] = "; ".join(criteria.get(code, code) for code in screening.unanswered_criteria)
        messages.info(
            request,
            _("Screening recorded for %(number)s: still in screening; these criteria need an answer: %(criteria)s.")
            % names,
        )


def participant_screening_log(request, study_code: str):
    study = study_for_user(request.user, study_code)
    protocol = current_protocol(study)
    criteria = {c.code: text_for(c.text) for c in protocol.eligibility.criteria} if protocol else {}
    page = paginate(screening_log(request.user, study=study), request.GET)
    rows = []
    for participant in page.object_list:
        screening = participant.screenings.all()[0]
        rows.append(
            {
                "participant": participant,
                "screening": screening,
                "failing": [criteria.get(code, code) for code in screening.failing_criteria],
            }
        )
    return render(request, "participants/participant_screening_log.html", {"study": study, "rows": rows, "page": page})


def visit_due(request):
    """Due and overdue visits, each list paged on its own (``?page=``, ``?overdue_page=``) with its total."""
    today = timezone.localdate()
    visits = visits_due(request.user, today=today)
    due = paginate(visits.filter(window_end__gte=today), request.GET)
    overdue = paginate(visits.filter(window_end__lt=today), request.GET, param="overdue_page")
    _label_visits([*due.object_list, *overdue.object_list])
    return render(request, "participants/visit_due.html", {"today": today, "due": due, "overdue": overdue})


def _label_visits(visits) -> None:
    """Each visit's label from its study's protocol (one protocol read per study on the page)."""
    protocols: dict = {}
    for visit in visits:
        study = visit.participant.study
        if study.pk not in protocols:
            protocols[study.pk] = current_protocol(study)
        protocol = protocols[study.pk]
        definition = next((v for v in protocol.visits if v.code == visit.visit_code), None) if protocol else None
        visit.label = text_for(definition.label) if definition else visit.visit_code


def participant_detail(request, participant_id: int):
    participant = participant_for_user(request.user, participant_id)
    return _render_detail(request, participant)


def _render_detail(request, participant, **bound):
    study = participant.study
    protocol = current_protocol(study)
    today = timezone.localdate()
    screening = participant.screenings.first()
    criteria = {c.code: text_for(c.text) for c in protocol.eligibility.criteria} if protocol else {}
    forms = {}
    if protocol is not None:
        forms = {
            "consent_form": ConsentForm(initial={"form_version": protocol.study.protocol_version}),
            "refusal_form": ConsentRefusalForm(initial={"form_version": protocol.study.protocol_version}),
            "enrol_form": EnrolForm(),
            "arm_form": ArmForm(protocol=protocol, initial={"arm_code": participant.arm_code}),
            "anchor_form": AnchorForm(protocol=protocol),
            "withdraw_form": WithdrawForm(),
        }
    forms.update(bound)
    anchors = {a.anchor_code: a for a in participant.anchor_dates.all()}
    show_arm = may_see_arm(request.user, study)
    context = {
        "participant": participant,
        "protocol": protocol,
        "pii": personal_identifiers_for_user(request.user, participant)
        if may_see_personal_identifiers(request.user, study) and hasattr(participant, "personal_identifiers")
        else None,
        "may_manage": may_manage(request.user, study),
        "show_arm": show_arm,
        "arm_name": _arm_name(protocol, participant.arm_code) if show_arm else "",
        "allocation_label": "" if show_arm else randomisation_number(participant),
        "screening": screening,
        "failing": [criteria.get(code, code) for code in screening.failing_criteria] if screening else [],
        "unanswered": [criteria.get(code, code) for code in screening.unanswered_criteria] if screening else [],
        "consents": participant.consents.all(),
        "refusals": participant.consent_refusals.all(),
        "criterion_events": _criterion_events(participant, protocol),
        "anchors": [
            {
                "code": a.code,
                "label": text_for(a.label),
                "optional": a.optional,
                "row": anchors.get(a.code),
                "set_by": event_label(a.set_by) if a.set_by else "",  # no typing: the form refuses it
            }
            for a in protocol.anchors
        ]
        if protocol
        else [],
        "schedule": with_form_status(participant, participant_schedule(participant, protocol, today=today)),
        "unscheduled": unscheduled_forms(participant, protocol),
        "blank_scores": blank_scores(participant, protocol),
        "today": today,
        "locks": _lock_state(participant, protocol),
        **forms,
    }
    return render(request, "participants/participant_detail.html", context, status=200)


def _lock_state(participant, protocol) -> dict:
    state = lock_state(participant)
    labels = {visit.code: text_for(visit.label) for visit in protocol.visits} if protocol else {}
    return {"state": state, "visits": [labels.get(code, code) for code in state.visit_codes]}


def _criterion_events(participant, protocol) -> list[dict]:
    """The participant's post-enrolment criterion events with the criterion's label from the current protocol."""
    labels = {c.code: text_for(c.label) for c in protocol.discontinuation} if protocol else {}
    return [
        {"event": event, "label": labels.get(event.criterion_code, event.criterion_code)}
        for event in participant.criterion_events.select_related("response")
    ]


def _arm_name(protocol, arm_code):
    if not arm_code:
        return ""
    arm = next((a for a in protocol.arms if a.code == arm_code), None) if protocol else None
    return text_for(arm.name) if arm else arm_code


def _action(request, participant_id, form_name, build_form, call):
    """The shape every participant action shares: scope, role, form, service, redirect or re-render."""
    participant = participant_for_user(request.user, participant_id)
    if request.method != "POST":
        return redirect("participants:participant-detail", participant.pk)
    require_manage(request.user, participant.study)
    protocol = current_protocol(participant.study)
    if protocol is None:
        messages.error(request, _("This study has no protocol loaded yet."))
        return redirect("participants:participant-detail", participant.pk)
    form = build_form(request.POST, protocol)
    if form.is_valid():
        try:
            message = call(participant, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect("participants:participant-detail", participant.pk)
    return _render_detail(request, participant, **{form_name: form})


def participant_consent(request, participant_id: int):
    def call(participant, data):
        services.participant_consent(participant=participant, user=request.user, **data)
        return _("Consent recorded.")

    return _action(request, participant_id, "consent_form", lambda post, _p: ConsentForm(post), call)


def participant_consent_refuse(request, participant_id: int):
    def call(participant, data):
        services.participant_consent_refuse(participant=participant, user=request.user, **data)
        return _("Refusal recorded.")

    return _action(request, participant_id, "refusal_form", lambda post, _p: ConsentRefusalForm(post), call)


def participant_enrol(request, participant_id: int):
    def call(participant, data):
        enrolled = services.participant_enrol(participant=participant, user=request.user, **data)
        return _("Enrolled as %(id)s.") % {"id": enrolled.identifier}

    return _action(request, participant_id, "enrol_form", lambda post, _p: EnrolForm(post), call)


def participant_assign_arm(request, participant_id: int):
    def call(participant, data):
        services.participant_assign_arm(participant=participant, arm_code=data["arm_code"], user=request.user)
        return _("Arm assigned.")

    return _action(request, participant_id, "arm_form", lambda post, p: ArmForm(post, protocol=p), call)


def anchor_set(request, participant_id: int):
    def call(participant, data):
        services.anchor_set(participant=participant, user=request.user, **data)
        return _("Date saved; the schedule is updated.")

    return _action(request, participant_id, "anchor_form", lambda post, p: AnchorForm(post, protocol=p), call)


def participant_withdraw(request, participant_id: int):
    def call(participant, data):
        services.participant_withdraw(participant=participant, user=request.user, **data)
        return _("Participant withdrawn; future visits are cancelled.")

    return _action(request, participant_id, "withdraw_form", lambda post, _p: WithdrawForm(post), call)


def criterion_event_review(request, participant_id: int):
    def call(participant, data):
        try:
            event = participant.criterion_events.get(pk=data["event_id"])
        except CriterionEvent.DoesNotExist:
            raise ValidationError(_("No such criterion event for this participant.")) from None
        services.criterion_event_review(event=event, user=request.user)
        return _("Marked as reviewed.")

    return _action(request, participant_id, "review_form", lambda post, _p: CriterionReviewForm(post), call)
