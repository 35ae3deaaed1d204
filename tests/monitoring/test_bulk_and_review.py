"""Monitoring in bulk (a visit, a selection, the form page), targeted and field-level SDV from the protocol, and the
review gate of locking and signing (required SDV, open queries, an override with a reason)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from instruments.models import Response
from monitoring import services
from monitoring.models import Signature, SourceVerification
from participants.models import Lock, Visit
from queries.services import query_close, query_raise
from studies.models import ProtocolVersion
from studies.protocol import ProtocolError
from studies.protocol.quality import InstrumentFields
from studies.protocol.sdv import SdvForm, SdvPlan, check_sdv_fields, in_sample, requirement
from studies.selectors import parse_protocol_text
from tests.factories import PASSWORD
from tests.matrix.instruments import ALPHA_PROTOCOL, attach_protocol
from workflows import review

from .conftest import ANSWERS, casebook_url, crf_url, sign_request, submit

CONFIRMED = {"confirmed": "1"}
TARGETED = """sdv:
  seed: 7
  forms:
    - {instrument: phq9, visits: [baseline], fields: [phq9_1, phq9_9]}
    - {instrument: phq9, visits: [m1], percent: 0}
"""


def _targeted(study):
    ProtocolVersion.objects.filter(study=study).update(is_current=False)
    attach_protocol(study, ALPHA_PROTOCOL + TARGETED, version="2.0", filename="alpha-sdv.yaml")


@pytest.fixture
def two_forms(alpha, people, form):
    """Participant A's complete baseline PHQ-9 and family PHQ-9, and an in-progress SF-36 (not verifiable)."""
    family = submit(alpha.participant_a, people["coordinator"], activity="phq9_family").response
    Response.objects.create(
        participant=alpha.participant_a,
        visit_code="baseline",
        activity_key="sf36",
        instrument_code="sf36",
        definition_version="1.0",
        values={},
        status=Response.Status.IN_PROGRESS,
        lock_version=1,
    )
    return form, family


def _visit(participant, code="baseline"):
    """The participant's scheduled visit (the world's participants have no schedule rows of their own)."""
    today = timezone.localdate()
    return Visit.objects.get_or_create(
        participant=participant,
        visit_code=code,
        defaults={"anchor_code": "enrolment", "target_date": today, "window_start": today, "window_end": today},
    )[0]


# Bulk verification ------------------------------------------------------------------------------------------


def test_a_monitor_verifies_a_whole_visit_in_one_post_with_one_audit_event_per_form(client, people, two_forms):
    form, family = two_forms
    participant = form.participant
    client.force_login(people["monitor"])
    visit = _visit(participant)
    answer = client.post(
        reverse("monitoring:visit-verify", args=[participant.pk, "baseline"]), {"back": "visit", "visit": visit.pk}
    )
    assert answer.status_code == 302
    assert answer.url == reverse("participants:visit-detail", args=[participant.pk, visit.pk])
    verified = SourceVerification.objects.filter(reset_at__isnull=True)
    assert set(verified.values_list("response_id", flat=True)) == {form.pk, family.pk}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VERIFY).count() == 2
    page = client.get(answer.url).content.decode()
    assert "2 forms verified." in page
    assert page.count('data-status="verified"') == 2
    again = client.post(reverse("monitoring:visit-verify", args=[participant.pk, "baseline"]))
    assert again.status_code == 302 and SourceVerification.objects.count() == 2  # nothing verified twice


def test_a_selection_verifies_only_the_ticked_forms_of_this_participant(client, alpha, people, two_forms):
    form, family = two_forms
    other = submit(alpha.participant_b, people["coordinator"]).response
    client.force_login(people["monitor"])
    url = reverse("monitoring:responses-verify", args=[form.participant.pk])
    assert "Tick the forms to verify." in client.post(url).content.decode()
    answer = client.post(url, {"response": [str(family.pk), str(other.pk), "x"]})
    assert answer.status_code == 302 and answer.url == casebook_url(form.participant)
    assert list(SourceVerification.objects.values_list("response_id", flat=True)) == [family.pk]
    page = client.get(casebook_url(form.participant)).content.decode()
    assert f'value="{form.pk}" form="bulk-verify"' in page and f'value="{family.pk}" form="bulk-verify"' not in page


@pytest.mark.parametrize("role", ["coordinator", "pi", "data_manager"])
def test_roles_without_verify_cannot_verify_in_bulk(client, people, two_forms, role):
    form, _family = two_forms
    client.force_login(people[role])
    assert client.post(reverse("monitoring:visit-verify", args=[form.participant.pk, "baseline"])).status_code == 403
    url = reverse("monitoring:responses-verify", args=[form.participant.pk])
    assert client.post(url, {"response": [form.pk]}).status_code == 403
    assert not SourceVerification.objects.exists()


def test_the_form_page_verifies_for_a_monitor_only_and_htmx_swaps_the_block(client, people, form):
    url = crf_url(form.participant)
    client.force_login(people["coordinator"])
    page = client.get(url).content.decode()
    assert 'id="sdv-block"' in page and 'id="sdv-verify"' not in page
    client.force_login(people["monitor"])
    assert 'id="sdv-verify"' in client.get(url).content.decode()
    verify = reverse("monitoring:response-verify", args=[form.pk])
    swapped = client.post(verify, {"back": "form"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200 and 'data-sdv="verified"' in swapped.content.decode()
    assert "<html" not in swapped.content.decode()
    assert SourceVerification.objects.get().verified_by == people["monitor"]
    again = client.post(verify, {"back": "form"}, HTTP_HX_REQUEST="true")
    assert 'id="sdv-error"' in again.content.decode() and "<html" not in again.content.decode()
    refused = client.post(verify, {"back": "form"})  # already verified: back on the form page, with the reason
    assert refused.status_code == 302 and refused.url == url
    assert "This form is already verified." in client.get(url).content.decode()


# Targeted and field-level SDV ---------------------------------------------------------------------------------


def test_field_level_sdv_needs_every_required_field_ticked_and_a_change_resets_it(client, alpha, people, two_forms):
    form, family = two_forms
    _targeted(alpha.study)
    client.force_login(people["monitor"])
    result = services.responses_verify(responses=[form, family], user=people["monitor"])
    assert [r.pk for r in result.verified] == [] and len(result.skipped) == 2  # phq9 at baseline: by field
    assert "one by one" in result.skipped[0][1]
    verify = reverse("monitoring:response-verify", args=[form.pk])
    assert client.post(verify, {"back": "form", "field": ["phq9_1"]}).status_code == 302
    partial = SourceVerification.objects.get()
    assert (partial.fields, partial.complete) == (["phq9_1"], False)
    assert 'data-sdv="partial"' in client.get(casebook_url(form.participant)).content.decode()
    assert review.review_of(form.participant, scope=Lock.Scope.FORM, response=form).pending_sdv == [form]
    client.post(verify, {"back": "form", "field": ["phq9_9", "phq9_5"]})  # a field the plan does not ask: refused
    client.post(verify, {"back": "form", "field": ["phq9_9"]})
    done = SourceVerification.objects.get()
    assert (done.fields, done.complete) == (["phq9_1", "phq9_9"], True)
    assert 'data-sdv="verified"' in client.get(crf_url(form.participant)).content.decode()
    submit(form.participant, people["coordinator"], answers={**ANSWERS, "phq9_1": "2"}, reason="source corrected")
    assert SourceVerification.objects.get().reset_at is not None


def test_a_form_out_of_the_sample_needs_no_sdv_for_the_lock(alpha, people):
    _targeted(alpha.study)
    month = submit(alpha.participant_a, people["coordinator"], visit="m1").response
    state = review.review_of(alpha.participant_a, scope=Lock.Scope.VISIT, visit_code="m1")
    assert state.forms == 1 and state.clear  # percent 0 at m1: out of the sample
    lock = review.review_lock(
        participant=month.participant, scope=Lock.Scope.VISIT, visit_code="m1", user=people["monitor"]
    )
    assert lock.override_reason == ""


def test_sampling_is_deterministic_near_its_percent_and_depends_on_the_seed():
    def chosen(seed):
        return {
            n
            for n in range(2000)
            if in_sample(seed, 25, participant=f"P{n}", visit_code="v", activity_key="a", instance=1)
        }

    assert chosen(1) == chosen(1)
    assert 400 < len(chosen(1)) < 600 and chosen(1) != chosen(2)
    assert in_sample(1, 100, participant="x", visit_code="v", activity_key="a", instance=1)
    assert not in_sample(1, 0, participant="x", visit_code="v", activity_key="a", instance=1)
    plan = SdvPlan(seed=3, default_percent=0, forms=(SdvForm("odi", 100, ("odi_1",)),))
    odi = requirement(plan, participant="P1", instrument="odi", visit_code="v", activity_key="odi")
    other = requirement(plan, participant="P1", instrument="bpi", visit_code="v", activity_key="bpi")
    assert (odi.required, odi.fields, other.required) == (True, ("odi_1",), False)
    assert requirement(None, participant="P1", instrument="bpi", visit_code="v", activity_key="bpi").required


@pytest.mark.django_db
def test_the_protocol_refuses_a_bad_sdv_section_with_the_key_path():
    bad = (
        ALPHA_PROTOCOL
        + "sdv:\n  seed: -1\n  forms:\n    - {instrument: nope}\n    - {instrument: phq9, visits: [x], percent: 101}\n"
    )
    with pytest.raises(ProtocolError) as refused:
        parse_protocol_text(bad, filename="alpha.yaml", study_code="alpha")
    paths = {problem.path for problem in refused.value.problems}
    assert {"sdv.seed", "sdv.forms[0].instrument", "sdv.forms[1].percent", "sdv.forms[1].visits[0]"} <= paths
    plan = SdvPlan(forms=(SdvForm("phq9", 100, ("phq9_1", "phq9_99")),))
    problems = check_sdv_fields(plan, {"phq9": InstrumentFields(frozenset({"phq9_1"}), frozenset())}, filename="f")
    assert [p.path for p in problems] == ["sdv.forms[0].fields[1]"]


# The review gate ------------------------------------------------------------------------------------------------


def test_locking_refuses_with_the_reason_while_sdv_or_queries_remain(client, alpha, people, form):
    url = reverse("workflows:visit-lock", args=[form.participant.pk, "baseline"])
    client.force_login(people["monitor"])
    summary = client.post(url).content.decode()  # the first step: what the lock covers
    assert 'data-count="pending-sdv">1<' in summary and 'id="lock-confirm"' not in summary
    services.response_verify(response=form, user=people["monitor"])
    query = query_raise(
        user=people["monitor"], participant=form.participant, visit_code="baseline", activity_key="phq9", text="?"
    )
    refused = client.post(url, CONFIRMED)
    assert refused.status_code == 400 and "1 data query is still open." in refused.content.decode()
    assert not Lock.objects.exists()
    query_close(query=query, user=people["monitor"], text="ok")
    assert 'id="review-clear"' in client.post(url).content.decode()
    assert client.post(url, CONFIRMED).status_code == 302
    assert Lock.objects.get().locked_by == people["monitor"]


def test_a_data_manager_overrides_the_gate_only_with_a_reason_which_is_audited(client, people, form):
    url = reverse("workflows:participant-lock", args=[form.participant.pk])
    client.force_login(people["data_manager"])
    refused = client.post(url, CONFIRMED)
    assert refused.status_code == 400 and "give the reason" in refused.content.decode()
    assert client.post(url, {**CONFIRMED, "override_reason": "site closed, SDV waived by sponsor"}).status_code == 302
    lock = Lock.objects.get()
    assert lock.override_reason == "site closed, SDV waived by sponsor"
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOCK)
    assert event.changes["override_reason"] == [None, "site closed, SDV waived by sponsor"]
    page = client.get(reverse("participants:participant-detail", args=[form.participant.pk])).content.decode()
    assert 'id="lock-state" data-locked="1"' in page and "Casebook locked" in page


def test_signing_refuses_while_sdv_remains_and_an_override_is_stored(client, people, form):
    url = reverse("workflows:casebook-sign", args=[form.participant.pk])
    client.force_login(people["pi"])
    page = client.get(url).content.decode()
    assert 'id="review-blockers"' in page and "still needs source data verification" in page
    refused = client.post(url, {"meaning": "reviewed", "password": PASSWORD})
    assert "To go ahead anyway, give the reason" in refused.content.decode() and not Signature.objects.exists()
    answer = client.post(url, {"meaning": "reviewed", "password": PASSWORD, "override_reason": "PI leaves the study"})
    assert answer.status_code == 302
    assert Signature.objects.get().override_reason == "PI leaves the study"


def test_the_signing_service_rechecks_the_review(people, form):
    with pytest.raises(Exception, match="source data verification"):
        review.review_sign(
            participant=form.participant,
            user=people["pi"],
            password=PASSWORD,
            meaning="reviewed",
            request=sign_request(),
        )
    services.response_verify(response=form, user=people["monitor"])
    signature = review.review_sign(
        participant=form.participant, user=people["pi"], password=PASSWORD, meaning="reviewed", request=sign_request()
    )
    assert signature.override_reason == ""


def test_the_participant_page_shows_no_lock_then_a_partial_lock(client, people, form):
    page_url = reverse("participants:participant-detail", args=[form.participant.pk])
    client.force_login(people["coordinator"])
    assert 'data-locked="0"' in client.get(page_url).content.decode()
    services.response_verify(response=form, user=people["monitor"])
    review.review_lock(
        participant=form.participant, scope=Lock.Scope.VISIT, visit_code="baseline", user=people["monitor"]
    )
    page = client.get(page_url).content.decode()
    assert 'data-locked="1"' in page and "Partly locked" in page and "Baseline" in page


def _complete_forms(participant, count: int, visit: str = "m1") -> list[Response]:
    return [
        Response.objects.create(
            participant=participant,
            visit_code=visit,
            activity_key="phq9",
            instance=number,
            instrument_code="phq9",
            definition_version="1.0",
            values=dict.fromkeys(ANSWERS, 1),
            status=Response.Status.COMPLETE,
            lock_version=1,
        )
        for number in range(1, count + 1)
    ]


def test_a_bulk_verification_costs_a_fixed_number_of_queries_per_form(alpha, people):
    counts = {}
    for visit, size in (("m1", 5), ("baseline", 40)):
        forms = _complete_forms(alpha.participant_a, size, visit)
        with CaptureQueriesContext(connection) as queries:
            result = services.responses_verify(responses=forms, user=people["monitor"])
        assert len(result.verified) == size
        counts[size] = len(queries)
    per_form = (counts[40] - counts[5]) / 35
    assert per_form <= 5, counts  # a current-row read, the insert and its audit row; the rest is once per call
