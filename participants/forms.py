"""Forms for participant pages: they only parse and validate input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import text_for
from core.inputs import BoundedInputMixin

from .models import Visit

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, **kwargs):
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


class ScreeningForm(BoundedInputMixin, forms.Form):
    """Identifying data plus one answer per eligibility field and yes/no criterion of the protocol.

    No answer is required: the rules are three-valued, so one deciding answer (an age outside the range) records
    a screen-out before the other questions are asked; an answer left blank stays unanswered (None), never no.
    """

    site = forms.ChoiceField(label=_("Site"))
    screened_on = _date_field(_("Screening date"), initial=timezone.localdate)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    national_id = forms.CharField(label=_("National ID"), max_length=40, required=False)
    date_of_birth = _date_field(_("Date of birth"), required=False)

    def __init__(self, *args, protocol, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, f"{s.code} · {s.display_name}") for s in sites]
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk
        self.answer_fields = []
        for field in protocol.eligibility.fields:
            self._add(field.code, _field_for(field))
        for criterion in protocol.eligibility.criteria:
            if criterion.rule is None:
                self._add(
                    criterion.code,
                    forms.TypedChoiceField(
                        label=text_for(criterion.text),
                        choices=YES_NO,
                        coerce=lambda v: v == "yes",
                        empty_value=None,
                        required=False,
                        widget=forms.RadioSelect,
                    ),
                )
        self.criteria = protocol.eligibility.criteria

    def _add(self, name, field):
        self.fields[f"answer_{name}"] = field
        self.answer_fields.append(name)

    def answers(self) -> dict:
        return {code: self.cleaned_data.get(f"answer_{code}") for code in self.answer_fields}

    def site_for(self, sites):
        return next(s for s in sites if str(s.pk) == str(self.cleaned_data["site"]))


def _field_for(field) -> forms.Field:
    label = text_for(field.label) + (f" ({field.unit})" if field.unit else "")
    if field.type == "integer":
        return forms.IntegerField(label=label, required=False)
    if field.type == "number":
        return forms.FloatField(label=label, required=False)
    if field.type == "boolean":
        return forms.TypedChoiceField(
            label=label,
            choices=YES_NO,
            coerce=lambda v: v == "yes",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
    choices = [("", "—")] + [(str(o.code), text_for(o.label)) for o in field.options]
    codes = {str(o.code): o.code for o in field.options}
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=lambda v: codes[v], empty_value=None, required=False
    )


class ConsentForm(BoundedInputMixin, forms.Form):
    form_version = forms.CharField(label=_("Consent form version"), max_length=40)
    consented_on = _date_field(_("Consent date"), initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConsentRefusalForm(BoundedInputMixin, forms.Form):
    form_version = forms.CharField(label=_("Consent form version"), max_length=40)
    refused_on = _date_field(_("Date refused"), initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EnrolForm(BoundedInputMixin, forms.Form):
    enrolled_on = _date_field(_("Enrolment date"), initial=timezone.localdate)


class ArmForm(BoundedInputMixin, forms.Form):
    arm_code = forms.ChoiceField(label=_("Arm"))

    def __init__(self, *args, protocol, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arm_code"].choices = [("", "—")] + [(a.code, text_for(a.name)) for a in protocol.arms]


class AnchorForm(BoundedInputMixin, forms.Form):
    anchor_code = forms.ChoiceField(label=_("Date of"))
    date = _date_field(_("Date"))

    def __init__(self, *args, protocol, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anchor_code"].choices = [(a.code, text_for(a.label)) for a in protocol.anchors]


class VisitDoneForm(BoundedInputMixin, forms.Form):
    """The visit's date, and a reason for each required form that is not complete (``missing``: activity key ->
    the form's title)."""

    completed_on = _date_field(_("Visit date"), initial=timezone.localdate)

    def __init__(self, *args, missing: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for key, title in missing.items():
            self.fields[f"why_{key}"] = forms.CharField(
                label=_("Why “%(form)s” was not done") % {"form": title}, max_length=500, required=False
            )

    def missing_reasons(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name[4:]: data[name] for name in self.fields if name.startswith("why_") and data.get(name)}


class VisitMissedForm(BoundedInputMixin, forms.Form):
    why = forms.ChoiceField(label=_("Why was the visit missed?"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Details"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("I confirm that this visit did not take place and will not."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["why"].choices = Visit.MissedReason.choices


class VisitReopenForm(BoundedInputMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(BoundedInputMixin, forms.Form):
    withdrawn_on = _date_field(_("Withdrawal date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 2}))


class CriterionReviewForm(forms.Form):
    """Marks a post-enrolment criterion event reviewed (the coordinator's task is done)."""

    event_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
