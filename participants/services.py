"""Writes for participants: screening, consent, enrolment, allocation, anchor dates, visits, withdrawal.

Every function is keyword-only, checks its rules, raises ``ValidationError`` with a message for the user
when they do not hold, and saves inside one transaction, so bad input never leaves half-saved data.
The schedule comes from the study's current protocol file (``studies.selectors.current_protocol``).

Every change is written to the audit trail (``audit.services``) in the same transaction: who, the old and
new value of each field, the reason and the path (``page`` by default; the API, an import or a command
say otherwise). What the system does in consequence (visits re-projected or cancelled, the reassessment
flag) is recorded with the path ``system``. Directly identifying data is recorded as present, never by value:
the trail is read by monitors, who may not see names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record, audited_update, diff, snapshot
from monitoring.services import refuse_if_locked
from studies.models import Site
from studies.protocol import evaluate, needs_reassessment, participant_id, project_visits
from studies.selectors import current_protocol, sites_for_user

from .models import AnchorDate, Consent, Participant, PersonalIdentifiers, Screening, Visit

ENROLMENT = "enrolment"
Status = Participant.Status
Action = AuditEvent.Action
Path = AuditEvent.Path
SYSTEM = Path.SYSTEM
# Stored in the trail instead of a name, phone, national ID or date of birth.
PII_MASK = "•••"
# Reasons the system gives for what it does in consequence of a user's action (stored in both languages).
WHY_ENROLMENT = "Schedule projected at enrolment / 入组时推算访视计划"
WHY_ARM = "Schedule re-projected for the arm / 按分组重新推算访视计划"
WHY_ANCHOR = "Schedule re-projected from the date of %s / 按%s日期重新推算访视计划"
WHY_AMENDMENT = "Schedule re-projected for protocol version %s / 按方案版本%s重新推算访视计划"
WHY_WITHDRAWAL = "Visit cancelled at withdrawal / 退出研究时取消访视"
WHY_RULES = "Score rules re-evaluated after a form was saved / 保存量表后重新评估评分规则"


def _protocol(study):
    protocol = current_protocol(study)
    if protocol is None:
        raise ValidationError(_("This study has no protocol loaded yet."))
    return protocol


def _not_in_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The %(what)s cannot be in the future.") % {"what": what})


def _require_status(participant: Participant, *allowed: str) -> None:
    if participant.status not in allowed:
        raise ValidationError(
            _("Not possible while the participant's status is “%(status)s”.")
            % {"status": participant.get_status_display()}
        )


def _locked(participant: Participant) -> Participant:
    """The participant row, locked until the end of the transaction (two clicks never act twice)."""
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _audit_created(instance, *, user, path: str, reason: str = "", changes: dict | None = None) -> None:
    audit_record(user=user, action=Action.CREATE, instance=instance, path=path, reason=reason,
                 changes=diff({}, snapshot(instance)) if changes is None else changes)


def _flat(values: dict, name: str) -> dict:
    """``values`` with the dict under ``name`` spread as ``name.key`` entries (one audit field per answer)."""
    inner = values.pop(name, None) or {}
    return values | {f"{name}.{key}": value for key, value in inner.items()}


# Screening, consent and enrolment ----------------------------------------------------------------------------

@transaction.atomic
def participant_screen(*, study, site, user, screened_on: date, full_name: str, answers: dict,
                       phone: str = "", national_id: str = "", date_of_birth: date | None = None,
                       path: str = Path.PAGE) -> Participant:
    """A new participant at one of the user's sites, screened against the protocol's criteria.

    ``answers`` maps eligibility field codes and yes/no criterion codes to values. The person is a screen
    failure when a criterion fails, and stays in screening (eligible or still incomplete) otherwise.
    """
    protocol = _protocol(study)
    if site.study_id != study.pk or not sites_for_user(user, study).filter(pk=site.pk).exists():
        raise ValidationError(_("You may only screen participants at your own sites."))
    if not full_name.strip():
        raise ValidationError(_("The full name is required."))
    _not_in_future(screened_on, _("screening date"))
    known = {f.code for f in protocol.eligibility.fields} | {c.code for c in protocol.eligibility.criteria}
    answers = {code: value for code, value in answers.items() if code in known and value is not None}
    result = evaluate(protocol.eligibility.criteria, answers)
    participant = Participant.objects.create(
        study=study, site=site, screening_number=_next_screening_number(study, site),
        status=Status.SCREEN_FAILED if result.eligible is False else Status.SCREENING,
    )
    identifiers = PersonalIdentifiers.objects.create(
        participant=participant, full_name=full_name.strip(), phone=phone.strip(),
        national_id=national_id.strip(), date_of_birth=date_of_birth,
    )
    screening = Screening.objects.create(
        participant=participant, screened_on=screened_on, answers=answers, eligible=result.eligible,
        failing_criteria=[c.code for c in result.failing], unanswered_criteria=[c.code for c in result.unanswered],
        protocol_version=protocol.study.protocol_version, screened_by=user,
    )
    _audit_created(participant, user=user, path=path)
    _audit_created(identifiers, user=user, path=path, changes={
        name: [None, PII_MASK] for name, value in snapshot(identifiers).items() if value and name != "participant"
    })
    _audit_created(screening, user=user, path=path, changes=diff({}, _flat(snapshot(screening), "answers")))
    return participant


def _next_screening_number(study, site) -> str:
    Site.objects.select_for_update().filter(pk=site.pk).first()  # one screening number at a time per site
    taken = set(Participant.objects.filter(study=study).values_list("screening_number", flat=True))
    seq = Participant.objects.filter(site=site).exclude(screening_number="").count() + 1
    while f"S-{site.code}-{seq:04d}" in taken:
        seq += 1
    return f"S-{site.code}-{seq:04d}"


@transaction.atomic
def participant_consent(*, participant: Participant, user, form_version: str, consented_on: date,
                        notes: str = "", path: str = Path.PAGE) -> Consent:
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.SCREENING, Status.ENROLLED)
    if not form_version.strip():
        raise ValidationError(_("The consent form version is required."))
    _not_in_future(consented_on, _("consent date"))
    consent = Consent.objects.create(
        participant=participant, form_version=form_version.strip(), consented_on=consented_on,
        taken_by=user, notes=notes.strip(),
    )
    _audit_created(consent, user=user, path=path)
    return consent


def participant_enrol(*, participant: Participant, user, enrolled_on: date, path: str = Path.PAGE) -> Participant:
    """Enrol an eligible, consented participant: study ID, enrolment anchor, visit schedule."""
    for attempt in range(5):
        try:
            return _enrol(participant=participant, user=user, enrolled_on=enrolled_on, path=path)
        except IntegrityError:  # another enrolment took the same ID between our read and our write
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _enrol(*, participant: Participant, user, enrolled_on: date, path: str) -> Participant:
    protocol = _protocol(participant.study)
    Site.objects.select_for_update().filter(pk=participant.site_id).first()  # serialise IDs per site
    participant = _locked(participant)
    _require_status(participant, Status.SCREENING)
    screening = participant.screenings.first()
    if screening is None or screening.eligible is not True:
        raise ValidationError(_("Only a participant screened as eligible can be enrolled."))
    consent = participant.consents.first()
    if consent is None:
        raise ValidationError(_("Record the participant's consent before enrolment."))
    _not_in_future(enrolled_on, _("enrolment date"))
    if enrolled_on < consent.consented_on:
        raise ValidationError(_("The enrolment date cannot be before the consent date."))
    with audited_update(participant, user=user, path=path):
        participant.identifier = _next_identifier(protocol, participant)
        participant.status = Status.ENROLLED
        participant.enrolled_on = enrolled_on
        participant.save(update_fields=["identifier", "status", "enrolled_on"])
    _anchor_save(participant, ENROLMENT, enrolled_on, user=user, path=path)
    _reproject(participant, protocol, user=user, reason=WHY_ENROLMENT)
    return participant


def _anchor_save(participant: Participant, anchor_code: str, day: date, *, user, path: str,
                 reason: str = "") -> AnchorDate:
    """Enter or correct one anchor date, recorded in the audit trail."""
    anchor = AnchorDate.objects.select_for_update().filter(participant=participant, anchor_code=anchor_code).first()
    if anchor is None:
        anchor = AnchorDate.objects.create(participant=participant, anchor_code=anchor_code, date=day,
                                           entered_by=user)
        _audit_created(anchor, user=user, path=path, reason=reason)
        return anchor
    with audited_update(anchor, user=user, path=path, reason=reason):
        anchor.date, anchor.entered_by = day, user
        anchor.save(update_fields=["date", "entered_by", "entered_at"])
    return anchor


def _next_identifier(protocol, participant: Participant) -> str:
    taken = set(
        Participant.objects.filter(study_id=participant.study_id).exclude(identifier="")
        .values_list("identifier", flat=True)
    )
    seq = Participant.objects.filter(site_id=participant.site_id).exclude(identifier="").count() + 1
    while (candidate := participant_id(protocol, participant.site.code, seq)) in taken:
        seq += 1
    return candidate


# Allocation --------------------------------------------------------------------------------------------------

@transaction.atomic
def participant_assign_arm(*, participant: Participant, arm_code: str, user,
                           source: str = Participant.AllocationSource.CLINICIAN, reason: str = "",
                           path: str = Path.PAGE) -> Participant:
    """Put an enrolled participant in an arm and re-project the visits that depend on it.

    In an observational study the clinician's treatment decision sets the arm (and may change it). In a
    randomised study only the randomisation service may, by calling this with ``source="randomisation"``,
    and an allocation is final.
    """
    protocol = _protocol(participant.study)
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.ENROLLED)
    if arm_code not in protocol.arm_codes:
        raise ValidationError(_("Choose one of the study's arms."))
    randomised = protocol.study.design == "randomised"
    if randomised and source != Participant.AllocationSource.RANDOMISATION:
        raise ValidationError(_("In a randomised study the arm comes from the randomisation."))
    if participant.allocation_source == Participant.AllocationSource.RANDOMISATION:
        raise ValidationError(_("A randomised allocation cannot be changed."))
    with audited_update(participant, user=user, path=path, reason=reason):
        participant.arm_code = arm_code
        participant.allocation_source = source
        participant.allocated_at = timezone.now()
        participant.save(update_fields=["arm_code", "allocation_source", "allocated_at"])
    _reproject(participant, protocol, user=user, reason=WHY_ARM)
    return participant


# Anchor dates and visits -------------------------------------------------------------------------------------

@transaction.atomic
def anchor_set(*, participant: Participant, anchor_code: str, date: date, user, reason: str = "",
               path: str = Path.PAGE) -> AnchorDate:
    """Enter or correct an anchor date; re-project the visits hanging from it that are not done yet."""
    protocol = _protocol(participant.study)
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.ENROLLED)
    if anchor_code not in {a.code for a in protocol.anchors}:
        raise ValidationError(_("The protocol has no such anchor date."))
    if anchor_code == ENROLMENT:
        _not_in_future(date, _("enrolment date"))
        with audited_update(participant, user=user, path=path, reason=reason):
            participant.enrolled_on = date
            participant.save(update_fields=["enrolled_on"])
    elif participant.enrolled_on and date < participant.enrolled_on:
        raise ValidationError(_("This date cannot be before the enrolment date (%(day)s).")
                              % {"day": participant.enrolled_on.isoformat()})
    anchor = _anchor_save(participant, anchor_code, date, user=user, path=path, reason=reason)
    _reproject(participant, protocol, only_anchors=_anchors_following(protocol, anchor_code), user=user,
               reason=WHY_ANCHOR % (anchor_code, anchor_code))
    return anchor


def _anchors_following(protocol, anchor_code: str) -> set[str]:
    """The anchor and every anchor whose expected date is reckoned from it, directly or not."""
    found = {anchor_code}
    for _pass in protocol.anchors:
        found |= {a.code for a in protocol.anchors if a.expected is not None and a.expected.anchor in found}
    return found


@transaction.atomic
def visit_complete(*, visit: Visit, completed_on: date, user, reason: str = "", path: str = Path.PAGE) -> Visit:
    visit = Visit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    refuse_if_locked(visit.participant, visit.visit_code)
    _require_status(visit.participant, Status.ENROLLED, Status.COMPLETED)
    if visit.cancelled:
        raise ValidationError(_("This visit was cancelled."))
    _not_in_future(completed_on, _("visit date"))
    if visit.participant.enrolled_on and completed_on < visit.participant.enrolled_on:
        raise ValidationError(_("A visit cannot be done before enrolment."))
    action = Action.COMPLETE if visit.completed_on is None else Action.UPDATE  # a second time corrects the date
    with audited_update(visit, user=user, path=path, reason=reason, action=action):
        visit.completed_on = completed_on
        visit.missed = False
        visit.save(update_fields=["completed_on", "missed", "updated_at"])
    return visit


@transaction.atomic
def visit_miss(*, visit: Visit, user, reason: str = "", path: str = Path.PAGE) -> Visit:
    visit = Visit.objects.select_for_update().select_related("participant").get(pk=visit.pk)
    refuse_if_locked(visit.participant, visit.visit_code)
    _require_status(visit.participant, Status.ENROLLED, Status.COMPLETED)
    if visit.completed_on is not None or visit.cancelled:
        raise ValidationError(_("Only a visit that is neither done nor cancelled can be recorded as missed."))
    with audited_update(visit, user=user, path=path, reason=reason):
        visit.missed = True
        visit.save(update_fields=["missed", "updated_at"])
    return visit


@transaction.atomic
def participant_withdraw(*, participant: Participant, user, withdrawn_on: date, reason: str,
                         path: str = Path.PAGE) -> Participant:
    """Withdraw: visits from that day on are cancelled; everything recorded so far is kept."""
    participant = _locked(participant)
    refuse_if_locked(participant)
    _require_status(participant, Status.SCREENING, Status.ENROLLED)
    if not reason.strip():
        raise ValidationError(_("Give the reason for withdrawal."))
    _not_in_future(withdrawn_on, _("withdrawal date"))
    if participant.enrolled_on and withdrawn_on < participant.enrolled_on:
        raise ValidationError(_("The withdrawal date cannot be before enrolment."))
    with audited_update(participant, user=user, path=path, reason=reason.strip()):
        participant.status = Status.WITHDRAWN
        participant.withdrawn_on = withdrawn_on
        participant.withdrawal_reason = reason.strip()
        participant.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    cancelled = participant.visits.filter(
        completed_on__isnull=True, missed=False, cancelled=False, target_date__gte=withdrawn_on
    )
    visits = list(cancelled.select_for_update())
    cancelled.update(cancelled=True, updated_at=timezone.now())
    for visit in visits:
        visit.cancelled = True
        audit_record(user=user, action=Action.UPDATE, instance=visit, changes={"cancelled": [False, True]},
                     reason=WHY_WITHDRAWAL, path=SYSTEM)
    return participant


@transaction.atomic
def visits_reproject_study(*, study, user=None, reason: str = "") -> int:
    """After a protocol amendment: re-project every enrolled participant's visits that are not done.

    Visits the new protocol adds are created; pending visits it no longer has are removed; completed,
    missed and cancelled visits are never touched. Returns how many visits were moved or added. Each
    change is in the audit trail (path "system"), by ``user`` when one asked for it.
    """
    protocol = current_protocol(study)
    if protocol is None:
        return 0
    reason = reason or WHY_AMENDMENT % ((protocol.study.protocol_version,) * 2)
    participants = Participant.objects.select_for_update().filter(study=study, status=Status.ENROLLED)
    return sum(_reproject(p, protocol, user=user, reason=reason)
               for p in participants.prefetch_related("anchor_dates", "visits"))


def _reproject(participant: Participant, protocol, *, user, reason: str,
               only_anchors: set[str] | None = None) -> int:
    declared = {a.code for a in protocol.anchors}
    anchors = {a.anchor_code: a.date for a in participant.anchor_dates.all() if a.anchor_code in declared}
    arm = participant.arm_code if participant.arm_code in protocol.arm_codes else None
    existing = {(v.visit_code, v.sequence): v for v in participant.visits.all()}
    changed = 0
    for projected in project_visits(protocol, arm, anchors):
        if only_anchors is not None and projected.anchor not in only_anchors:
            existing.pop((projected.code, projected.occurrence), None)
            continue
        visit = existing.pop((projected.code, projected.occurrence), None)
        changed += _apply(participant, visit, projected, user=user, reason=reason)
    if only_anchors is None:
        stale = [v for v in existing.values() if not v.is_done]
        for visit in stale:
            audit_record(user=user, action=Action.DELETE, instance=visit, changes=diff(snapshot(visit), {}),
                         reason=reason, path=SYSTEM)
        Visit.objects.filter(pk__in=[v.pk for v in stale]).delete()
    return changed


def _apply(participant: Participant, visit: Visit | None, projected, *, user, reason: str) -> int:
    values = {
        "anchor_code": projected.anchor, "target_date": projected.target, "window_start": projected.window_start,
        "window_end": projected.window_end, "estimated": projected.estimated,
    }
    if visit is None:
        visit = Visit.objects.create(participant=participant, visit_code=projected.code,
                                     sequence=projected.occurrence, **values)
        _audit_created(visit, user=user, path=SYSTEM, reason=reason)
        return 1
    if visit.is_done or all(getattr(visit, key) == value for key, value in values.items()):
        return 0
    before = snapshot(visit, values)
    for key, value in values.items():
        setattr(visit, key, value)
    visit.save()
    audit_record(user=user, action=Action.UPDATE, instance=visit, changes=diff(before, snapshot(visit, values)),
                 reason=reason, path=SYSTEM)
    return 1


# Protocol rules ----------------------------------------------------------------------------------------------

ScoreLookup = Callable[[str, str, str], float | None]


@transaction.atomic
def participant_reassessment_evaluate(*, participant: Participant, score_lookup: ScoreLookup,
                                      user=None) -> bool | None:
    """Apply the protocol's reassessment rules; the instruments app calls this after saving a response.

    ``score_lookup(instrument_code, score_name, visit_code)`` returns the participant's score or None.
    Returns True (flag raised), False (rules evaluated, no flag) or None (scores not all in yet).
    A change of the flag is in the audit trail with the path "system".
    """
    protocol = current_protocol(participant.study)
    if protocol is None or not protocol.rules:
        return None
    participant = _locked(participant)
    results, notes = [], []
    for rule in protocol.rules:
        baseline = score_lookup(rule.instrument, rule.score, rule.baseline_visit)
        current = score_lookup(rule.instrument, rule.score, rule.visit)
        flagged = needs_reassessment(rule, baseline, current)
        results.append(flagged)
        if flagged:
            notes.append(f"{rule.flag.en} / {rule.flag.zh}: {rule.instrument} {rule.score} "
                         f"{rule.baseline_visit} {baseline} → {rule.visit} {current}")
    outcome = True if True in results else (None if None in results else False)
    if outcome is not None:
        with audited_update(participant, user=user, path=SYSTEM, reason=WHY_RULES):
            participant.needs_reassessment = outcome
            participant.reassessment_note = "\n".join(notes)
            participant.save(update_fields=["needs_reassessment", "reassessment_note"])
    return outcome


@transaction.atomic
def participant_register(*, study, site, identifier: str, status: str = Status.SCREENING,
                         enrolled_on=None, user=None, reason: str = "", path: str = Path.PAGE) -> Participant:
    """Record a participant directly (imports and demo data); the study ID must be unique in the study."""
    if site.study_id != study.pk:
        raise ValueError("the site does not belong to the study")
    participant = Participant.objects.create(
        study=study, site=site, identifier=identifier, status=status, enrolled_on=enrolled_on
    )
    _audit_created(participant, user=user, path=path, reason=reason)
    return participant
