"""Participants: the person, their screening, consent, anchor dates and visit occurrences.

Codes from the protocol (arm, anchor, visit) are stored as strings: the protocol file is the source of truth
and a participant's rows must survive a protocol amendment that renames or drops a code.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Participant(models.Model):
    """A person in one study at one site, known in study data only by ``identifier`` (the study ID)."""

    class Status(models.TextChoices):
        SCREENING = "screening", _("Screening")
        SCREEN_FAILED = "screen_failed", _("Screen failure")
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    class AllocationSource(models.TextChoices):
        CLINICIAN = "clinician", _("Clinician's decision")
        RANDOMISATION = "randomisation", _("Randomisation")

    study = models.ForeignKey(
        "studies.Study", on_delete=models.PROTECT, related_name="participants", verbose_name=_("study")
    )
    site = models.ForeignKey(
        "studies.Site", on_delete=models.PROTECT, related_name="participants", verbose_name=_("site")
    )
    identifier = models.CharField(_("study ID"), max_length=40, blank=True)
    screening_number = models.CharField(_("screening number"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCREENING)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    arm_code = models.CharField(_("arm"), max_length=64, blank=True)
    allocation_source = models.CharField(
        _("allocation source"), max_length=20, choices=AllocationSource.choices, blank=True
    )
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True)
    needs_reassessment = models.BooleanField(_("needs reassessment"), default=False)
    reassessment_note = models.TextField(_("reassessment note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["identifier", "screening_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "identifier"], condition=~models.Q(identifier=""), name="unique_identifier_per_study"
            ),
            models.UniqueConstraint(
                fields=["study", "screening_number"],
                condition=~models.Q(screening_number=""),
                name="unique_screening_number_per_study",
            ),
        ]

    def __str__(self) -> str:
        return self.identifier or self.screening_number or f"#{self.pk}"

    @property
    def label(self) -> str:
        return str(self)


class PersonalIdentifiers(models.Model):
    """Directly identifying data, kept apart from study data; read only through access.personal_identifiers_for."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="personal_identifiers", verbose_name=_("participant")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    national_id = models.CharField(_("national ID"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal identifiers")
        verbose_name_plural = _("personal identifiers")

    def __str__(self) -> str:
        return f"PII of participant {self.participant_id}"


class Screening(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="screenings", verbose_name=_("participant")
    )
    screened_on = models.DateField(_("screening date"))
    answers = models.JSONField(_("answers"), default=dict)
    eligible = models.BooleanField(_("eligible"), null=True)
    failing_criteria = models.JSONField(_("failing criteria"), default=list)
    unanswered_criteria = models.JSONField(_("unanswered criteria"), default=list)
    protocol_version = models.CharField(_("protocol version"), max_length=40, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("screened by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.participant} screened {self.screened_on}"


class Consent(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="consents", verbose_name=_("participant")
    )
    form_version = models.CharField(_("consent form version"), max_length=40)
    consented_on = models.DateField(_("consent date"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-consented_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.participant} consent {self.form_version} {self.consented_on}"


class ConsentRefusal(models.Model):
    """The person was asked to consent and refused: the only way CONSORT counts someone as "declined"."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="consent_refusals", verbose_name=_("participant")
    )
    form_version = models.CharField(_("consent form version"), max_length=40)
    refused_on = models.DateField(_("date refused"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("consent refusal")
        verbose_name_plural = _("consent refusals")
        ordering = ["-refused_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.participant} refused consent {self.form_version} {self.refused_on}"


class AnchorDate(models.Model):
    """The real date of one of the protocol's anchors (enrolment, start of treatment, procedure...)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="anchor_dates", verbose_name=_("participant")
    )
    anchor_code = models.CharField(_("anchor"), max_length=64)
    date = models.DateField(_("date"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(auto_now=True, verbose_name=_("entered at"))

    class Meta:
        verbose_name = _("anchor date")
        verbose_name_plural = _("anchor dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "anchor_code"], name="one_date_per_anchor"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.anchor_code} {self.date}"


class Visit(models.Model):
    """One occurrence of a protocol visit for one participant, projected from the anchor dates."""

    class MissedReason(models.TextChoices):
        # Only "unreachable" counts as lost to follow-up (CONSORT); the others are missed visits, deviations.
        UNREACHABLE = "unreachable", _("Could not be reached (lost to follow-up)")
        DECLINED = "declined", _("Declined this visit")
        UNWELL = "unwell", _("Unwell or in hospital")
        SCHEDULING = "scheduling", _("Could not be seen within the window")
        OTHER = "other", _("Other reason")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="visits", verbose_name=_("participant")
    )
    visit_code = models.CharField(_("visit"), max_length=64)
    sequence = models.PositiveSmallIntegerField(_("occurrence"), default=1)
    anchor_code = models.CharField(_("anchor"), max_length=64)
    target_date = models.DateField(_("target date"))
    window_start = models.DateField(_("window opens"))
    window_end = models.DateField(_("window closes"))
    estimated = models.BooleanField(_("estimated"), default=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    missed = models.BooleanField(_("missed"), default=False)
    missed_reason = models.CharField(_("why missed"), max_length=20, choices=MissedReason.choices, blank=True)
    missed_note = models.TextField(_("missed: details"), blank=True)
    # A visit done without some of its required forms: activity key -> why each is missing.
    missing_forms = models.JSONField(_("forms not done"), default=dict, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # Set when an anchor moved after the visit was done and its date is now outside the visit's window: the
    # stored window stays history, but the visit reads "to review", never silently "in window".
    window_review = models.BooleanField(_("window to review"), default=False)
    # The protocol version the visit was done under: its activities are that version's, not a later one's.
    protocol_version = models.CharField(_("protocol version"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["target_date", "visit_code", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "visit_code", "sequence"], name="one_visit_occurrence"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.visit_code}" + (f" #{self.sequence}" if self.sequence > 1 else "")

    @property
    def is_done(self) -> bool:
        """Completed, missed or cancelled: its dates are history and never re-projected."""
        return self.completed_on is not None or self.missed or self.cancelled


class Lock(models.Model):
    """Data made read-only by a data manager: one form, one visit of a participant, or a whole participant.

    Kept with the participant: every write to a participant's data asks it first (selectors.is_locked).
    """

    class Scope(models.TextChoices):
        FORM = "form", _("Form")
        VISIT = "visit", _("Visit")
        PARTICIPANT = "participant", _("Participant")

    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="locks", verbose_name=_("participant")
    )
    visit_code = models.CharField(_("visit"), max_length=64, blank=True)
    response = models.ForeignKey(
        "instruments.Response",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locks",
        verbose_name=_("response"),
    )
    reason = models.TextField(_("reason"), blank=True)
    # Why it was locked although required SDV or open queries remained (workflows.review); empty: no override.
    override_reason = models.TextField(_("reason for locking before review was complete"), blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("locked by")
    )
    locked_at = models.DateTimeField(_("locked at"))
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unlocked by"),
    )
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True)
    unlock_reason = models.TextField(_("reason for unlocking"), blank=True)

    class Meta:
        verbose_name = _("lock")
        verbose_name_plural = _("locks")
        ordering = ["-locked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response"], condition=Q(unlocked_at__isnull=True, scope="form"), name="one_active_form_lock"
            ),
            models.UniqueConstraint(
                fields=["participant", "visit_code"],
                condition=Q(unlocked_at__isnull=True, scope="visit"),
                name="one_active_visit_lock",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(unlocked_at__isnull=True, scope="participant"),
                name="one_active_participant_lock",
            ),
        ]

    def __str__(self) -> str:
        target = {
            self.Scope.FORM: f"{self.participant} {self.visit_code} {self.response_id}",
            self.Scope.VISIT: f"{self.participant} {self.visit_code}",
        }.get(self.scope, str(self.participant))
        return f"{self.get_scope_display()} lock {target}"

    @property
    def is_active(self) -> bool:
        return self.unlocked_at is None


class CriterionEvent(models.Model):
    """A discontinuation or post-enrolment exclusion criterion of the protocol found met on a participant's data.

    The row is the participant's post-enrolment status (excluded from analysis, or follow-up discontinued) and
    the coordinator's task until someone marks it reviewed. It is never deleted and never undone by the system:
    when a correction of the triggering form makes the criterion false, the row is flagged for review instead
    (docs/protocol-format.md, "Discontinuation, interventions and analysis visits").
    """

    class Kind(models.TextChoices):
        EXCLUSION = "exclusion", _("Excluded from analysis")
        DISCONTINUATION = "discontinuation", _("Follow-up discontinued")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="criterion_events", verbose_name=_("participant")
    )
    criterion_code = models.CharField(_("criterion"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    met_on = models.DateField(_("met on"))
    response = models.ForeignKey(
        "instruments.Response", on_delete=models.PROTECT, related_name="criterion_events", verbose_name=_("form")
    )
    protocol_version = models.CharField(_("protocol version"), max_length=40, blank=True)
    needs_review = models.BooleanField(_("no longer met: review"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("criterion event")
        verbose_name_plural = _("criterion events")
        ordering = ["met_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "criterion_code"], name="one_event_per_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.criterion_code} {self.met_on}"

    @property
    def is_open(self) -> bool:
        """Still on the coordinator's list: not reviewed since it was raised (or flagged again)."""
        return self.reviewed_at is None


class SiteCounter(models.Model):
    """The last number given at a site, per kind (study ID, screening number): the next one is taken from this
    row under a row lock, so giving a number reads one row rather than every number already given."""

    class Kind(models.TextChoices):
        IDENTIFIER = "identifier", _("study ID")
        SCREENING_NUMBER = "screening_number", _("screening number")

    site = models.ForeignKey("studies.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "kind"], name="one_counter_per_site_and_kind")]

    def __str__(self) -> str:
        return f"{self.kind} of site {self.site_id}: {self.last}"
