"""The CONSORT flow of an observational cohort (LBPB): enrolled rather than randomised, arms from the clinician."""

from datetime import date

from django.urls import reverse

from participants import services as ps
from reports.selectors import consort_flow
from tests.participants import conftest as participant_fixtures
from tests.participants.conftest import LBPB_ELIGIBLE, enrol

lbpb = participant_fixtures.lbpb
TREATMENT = date(2026, 3, 5)


def test_an_observational_cohort_counts_enrolled_participants_per_clinician_arm(client, lbpb):
    user = lbpb.coordinator
    ps.participant_screen(
        study=lbpb.study,
        site=lbpb.site_1,
        user=user,
        screened_on=date(2026, 3, 2),
        full_name="Too Young",
        answers=LBPB_ELIGIBLE | {"age": 15},
    )
    treated, untreated, unassigned = (enrol(lbpb, name=name) for name in ("A", "B", "C"))
    ps.participant_assign_arm(participant=treated, arm_code="non_surgical", user=user)
    ps.participant_assign_arm(participant=untreated, arm_code="surgical", user=user)
    ps.anchor_set(participant=treated, anchor_code="treatment_start", date=TREATMENT, user=user)
    final = treated.visits.get(visit_code="m12")
    ps.visit_complete(visit=final, completed_on=date(2026, 6, 1), user=user, require_forms=False)

    flow = consort_flow(lbpb.study, user=user)
    assert not flow.randomised_design and flow.arms_visible  # an open study: every member sees arms
    assert (flow.assessed, flow.excluded.n, flow.excluded.screen_failed, flow.included, flow.not_allocated) == (
        4,
        1,
        1,
        3,
        1,
    )
    assert [(line.code, line.n) for line in flow.excluded.criteria] == [("inc_age", 1)]
    # LBPB declares neither an intervention per arm nor analysis visits: CONSORT counts neither rather than guess
    # (it used to take treatment_start, the anchor most visits hang on, and the last visit, m12).
    arms = {arm.code: arm for arm in flow.arms}
    assert (arms["non_surgical"].allocated, arms["non_surgical"].received, arms["non_surgical"].analysed) == (
        1,
        None,
        None,
    )
    assert (arms["surgical"].allocated, arms["surgical"].intervention, arms["surgical"].not_received) == (1, None, None)

    client.force_login(user)
    page = client.get(reverse("reports:consort-detail", args=[lbpb.study.code])).content.decode()
    assert "Enrolled (n = 3)" in page and "No arm assigned yet (n = 1)" in page
    assert "Non-surgical group" in page and "Randomised (n" not in page
    assert "No analysis visit" in page and "Received the allocated intervention (n" not in page


def test_a_study_without_arms_shows_one_column_of_everyone_enrolled(client, world, make_persona):
    from tests.matrix.instruments import alpha_with_protocol

    alpha_with_protocol(world)  # enrolment anchor only, baseline and month 1, no arms
    coordinator = make_persona("coordinator")
    flow = consort_flow(world.study, user=coordinator)
    assert flow.analysis_visits == ()
    (column,) = flow.arms
    assert (column.code, column.allocated, column.received, flow.not_allocated) == ("", 1, None, 0)
    assert flow.site_limited and flow.site_codes == ("A",)
    client.force_login(coordinator)
    assert "Enrolled (n = 1)" in client.get(reverse("reports:consort-detail", args=[world.study.code])).content.decode()


def test_the_svg_download_of_a_study_without_protocol_leads_to_the_page(client, world, make_persona):
    client.force_login(make_persona("pi"))
    response = client.get(reverse("reports:consort-svg", args=[world.study.code]))
    assert response.status_code == 302
    assert response.url == reverse("reports:consort-detail", args=[world.study.code])


def test_labels_wrap_to_the_box_and_long_reasons_are_cut():
    from reports.diagram import FONT, _char_width, wrap

    assert wrap("Visit completed (n = 3)", 400) == ["Visit completed (n = 3)"]
    lines = wrap("Male or female aged 18 years or older and more words here", 120)
    assert len(lines) > 1 and all(len(line) <= 120 / 12 / 0.52 + 1 for line in lines)
    assert not any(line.startswith(" ") for line in lines)
    chinese = wrap("男性或女性，年龄≥18岁，慢性腰痛伴以下至少两项临床表现", 120)
    assert len(chinese) == 3 and all(sum(map(_char_width, line)) <= 120 / FONT for line in chinese)
    assert "".join(chinese) == "男性或女性，年龄≥18岁，慢性腰痛伴以下至少两项临床表现"
    cut = wrap("a b c d e f g h i j k l m n o p q r s t u v w x y z " * 4, 60, max_lines=2)
    assert len(cut) == 2 and cut[-1].endswith("…")
