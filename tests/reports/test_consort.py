"""The CONSORT flow: every box counted by hand, blinding of the page and every download, site scope, queries."""

import csv
import io
import json
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.selectors import consort_flow
from tests.downloads import download_text

from .conftest import randomise, screen

# Words that would give an ADMSC arm away (names in English and Chinese, and the codes in context).
ARM_WORDS = (
    "High dose",
    "Mid dose",
    "Low dose",
    "Placebo",
    "高剂量",
    "中剂量",
    "低剂量",
    "安慰剂",
    "high",
    "placebo",
    '"mid"',
    '"low"',
    ",mid,",
    ",low,",
)


def _downloads(client, user, study):
    client.force_login(user)
    pages = {}
    for name in ("consort-detail", "consort-svg", "consort-csv", "consort-json"):
        response = client.get(reverse(f"reports:{name}", args=[study.code]))
        assert response.status_code == 200, name
        pages[name] = download_text(response)
    return pages


def test_an_all_sites_blinded_monitor_gets_every_box_counted_with_arms_pooled(flow_world):
    admsc = flow_world.admsc
    flow = consort_flow(admsc.study, user=admsc.monitor)
    assert (flow.assessed, flow.included, flow.not_allocated) == (13, 6, 0)
    assert not flow.arms_visible and not flow.site_limited and flow.site_codes == ("01", "02")
    ex = flow.excluded
    assert (ex.n, ex.screen_failed, ex.declined, ex.screening, ex.other) == (7, 3, 1, 2, 1)
    assert [(line.code, line.n) for line in ex.criteria] == [("inc_age", 3), ("inc_vas", 1)]
    assert {line.code: line.n for line in ex.screening_reasons} == {"incomplete": 1, "not_enrolled": 1}
    assert {line.code: line.n for line in ex.other_reasons} == {"not_randomised": 1}
    (pooled,) = flow.arms
    assert pooled.intervention.label == "Intradiscal injection" and not pooled.intervention.none
    # received: r1, r2, r3, r6 (transplanted); lost: r3 (m24 missed); withdrawn: r2, r4; analysed: r1, r6.
    counts = (pooled.allocated, pooled.received, pooled.not_received, pooled.lost, pooled.withdrawn, pooled.analysed)
    assert (pooled.code, *counts) == ("", 6, 4, 2, 1, 2, 2)
    assert sorted((line.label, line.n) for line in pooled.withdrawal_reasons) == [
        ("Cells failed culture", 1),
        ("Moved away", 1),
    ]
    assert (pooled.discontinued, pooled.excluded_from_analysis) == (0, 0)


def test_the_unblinded_statistician_gets_the_same_boxes_per_arm(flow_world):
    admsc = flow_world.admsc
    r1, r2, r3, r4, r5, r6 = flow_world.r
    flow = consort_flow(admsc.study, user=admsc.statistician)
    assert flow.arms_visible
    arms = {arm.code: arm for arm in flow.arms}
    assert list(arms) == ["high", "mid", "low", "placebo"]
    expected = {code: Counter() for code in arms}
    for person in flow_world.r:
        expected[person.arm_code]["allocated"] += 1
    for person in (r1, r2, r3, r6):
        expected[person.arm_code]["received"] += 1
    for person in (r1, r6):
        expected[person.arm_code]["analysed"] += 1
    for person in (r2, r4):
        expected[person.arm_code]["withdrawn"] += 1
    expected[r3.arm_code]["lost"] += 1
    for code, arm in arms.items():
        got = (arm.allocated, arm.received, arm.analysed, arm.withdrawn, arm.lost)
        names = ("allocated", "received", "analysed", "withdrawn", "lost")
        assert got == tuple(expected[code][name] for name in names), code
    assert sum(arm.allocated for arm in flow.arms) == 6


def test_a_site_coordinator_counts_only_their_site_and_the_page_says_so(client, flow_world):
    admsc = flow_world.admsc
    flow = consort_flow(admsc.study, user=admsc.coordinator)
    assert flow.site_limited and flow.site_codes == ("01",)
    assert (flow.assessed, flow.excluded.n, flow.excluded.screen_failed, flow.included) == (11, 6, 2, 5)
    assert [(line.code, line.n) for line in flow.excluded.criteria] == [("inc_age", 2), ("inc_vas", 1)]
    (pooled,) = flow.arms
    assert (pooled.allocated, pooled.received, pooled.analysed, pooled.lost, pooled.withdrawn) == (5, 3, 1, 1, 2)
    page = _downloads(client, admsc.coordinator, admsc.study)["consort-detail"]
    assert 'id="consort-scope"' in page and "only the participants of your sites: 01" in page
    assert "Assessed for eligibility (n = 11)" in page
    assert "Assessed for eligibility (n = 13)" not in page


def test_blinded_roles_see_no_arm_in_the_page_the_svg_the_csv_or_the_json(client, flow_world):
    admsc = flow_world.admsc
    for role in ("admin", "data_manager", "pi", "coordinator", "monitor"):  # one world: building it is the cost
        pages = _downloads(client, getattr(admsc, role), admsc.study)
        for name, body in pages.items():
            for word in ARM_WORDS:
                assert word not in body, (role, name, word)
        data = json.loads(pages["consort-json"])["consort"]
        assert [arm["code"] for arm in data["arms"]] == [""], role
        rows = list(csv.reader(io.StringIO(pages["consort-csv"])))
        assert {row[1] for row in rows[1:]} <= {"", "pooled"}, role
        assert "Randomisation numbers used" in pages["consort-detail"], role


def test_the_unblinded_statistician_sees_arm_names_in_everydownload_text(client, flow_world):
    admsc = flow_world.admsc
    pages = _downloads(client, admsc.statistician, admsc.study)
    for name in pages:
        assert "Placebo" in pages[name], name
    data = json.loads(pages["consort-json"])["consort"]
    assert [arm["code"] for arm in data["arms"]] == ["high", "mid", "low", "placebo"]
    assert sum(arm["allocated"] for arm in data["arms"]) == 6
    assert pages["consort-svg"].startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
    )
    rows = list(csv.reader(io.StringIO(pages["consort-csv"])))
    assert rows[0] == ["section", "arm", "visit", "measure", "label", "n"]
    assert ["enrolment", "", "", "assessed", "", "13"] in rows
    assert ["enrolment", "", "", "randomised", "", "6"] in rows


def test_the_number_of_queries_does_not_grow_with_participants(flow_world):
    admsc = flow_world.admsc

    def count() -> int:
        # A fresh user object each time, as each request has: the user's role is cached on the object.
        user = type(admsc.statistician).objects.get(pk=admsc.statistician.pk)
        with CaptureQueriesContext(connection) as queries:
            consort_flow(admsc.study, user=user)
        return len(queries)

    before = count()
    for _ in range(3):
        randomise(admsc)
    screen(admsc, {"age": 12})
    assert count() == before
    assert before <= 12  # anchors with a date and criterion events are one query each


def test_the_page_is_in_chinese(client, flow_world):
    admsc = flow_world.admsc
    client.force_login(admsc.pi)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("reports:consort-detail", args=[admsc.study.code])).content.decode()
    assert "评估合格性" in page and "随机化" in page and "下载" in page
    assert "Assessed for eligibility" not in page


def test_a_study_without_a_protocol_shows_a_notice(client, world, make_persona):
    client.force_login(make_persona("pi"))
    response = client.get(reverse("reports:consort-detail", args=[world.study.code]))
    assert response.status_code == 200
    assert "no protocol loaded" in response.content.decode()


def test_a_non_member_gets_a_404(client, flow_world, world, make_persona):
    client.force_login(make_persona("pi"))
    for name in ("consort-detail", "consort-svg", "consort-csv", "consort-json"):
        assert client.get(reverse(f"reports:{name}", args=[flow_world.admsc.study.code])).status_code == 404
