"""The study dashboard and the outcomes page through HTTP: hand-counted figures, CSVs equal to the tables, the
blinding rule (a blinded PI sees no arm, in the page or a CSV), bad filters, access, and query counts that do not
grow with the number of participants."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.reports import test_status_grid
from tests.reports.test_status_grid import _enrol_more

grid_world = test_status_grid.grid_world  # the grid's fixture: study alpha with forms, queries and locks

FUNNEL = [["Screened", 13], ["Eligible", 9], ["Consented", 8], ["Enrolled", 7], ["Withdrawn", 2]]


def dashboard_url(study="admsc", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("reports:study-dashboard", args=[study]) + (f"?{query}" if query else "")


def csv_url(study, table, **params):
    query = "&".join(f"{k}={v}" for k, v in {"table": table, **params}.items())
    return reverse("reports:study-dashboard-csv", args=[study]) + f"?{query}"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def board(response):
    return response.context["board"]


def test_the_screening_funnel_counts_the_flow_by_hand(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    response = client.get(dashboard_url())
    assert response.status_code == 200
    assert board(response).table("funnel").rows == FUNNEL


def test_enrolment_over_time_cumulates_against_the_protocol_target(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    table = board(client.get(dashboard_url())).table("enrolment")
    assert table.rows == [["2026-03", 7, 7, 100]]  # every participant enrolled on 2 March; ADMSC's target is 100
    assert table.chart.target == 100 and len(table.chart.marks) == 1


def test_enrolment_by_site_follows_the_sites(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    rows = board(client.get(dashboard_url())).table("enrolment-by-site").rows
    assert rows == [["01", "First hospital", 6], ["02", "Second hospital", 1]]


def test_the_site_filter_narrows_every_section(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    rows = board(client.get(dashboard_url(site="02"))).table("funnel").rows
    assert rows == [["Screened", 2], ["Eligible", 1], ["Consented", 1], ["Enrolled", 1], ["Withdrawn", 0]]


def test_a_site_limited_pi_counts_only_their_site(client, flow_world):
    client.force_login(flow_world.admsc.pi)  # site 01 only
    rows = board(client.get(dashboard_url())).table("enrolment-by-site").rows
    assert rows == [["01", "First hospital", 6]]


def test_each_csv_is_the_table_on_the_page(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    page = board(client.get(dashboard_url()))
    for table in page.tables:
        rows = read_csv(client.get(csv_url("admsc", table.key)))
        assert rows[0] == table.header
        assert rows[1:] == [["" if c is None else str(c) for c in row] for row in table.rows], table.key


def test_an_unknown_table_is_a_404(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    assert client.get(csv_url("admsc", "nope")).status_code == 404


def test_a_blinded_pi_sees_no_arm_in_the_page_or_its_csvs(client, flow_world):
    admsc = flow_world.admsc
    client.force_login(admsc.pi)
    response = client.get(dashboard_url(arm="A"))
    body = response.content.decode()
    assert board(response).table("enrolment-by-arm") is None
    assert 'name="arm"' not in body
    assert board(response).table("funnel").rows[3] == ["Enrolled", 6]  # ?arm= ignored: site 01 has 6 enrolled
    assert "High dose" not in body and "Placebo" not in body
    assert client.get(csv_url("admsc", "enrolment-by-arm")).status_code == 404
    for table in board(response).tables:
        text = str(read_csv(client.get(csv_url("admsc", table.key))))
        assert "High dose" not in text and "placebo" not in text.lower(), table.key


def test_an_unblinded_statistician_sees_enrolment_by_arm(client, flow_world):
    client.force_login(flow_world.admsc.statistician)
    table = board(client.get(dashboard_url())).table("enrolment-by-arm")
    assert sum(row[2] for row in table.rows) == 6  # six randomised
    assert [row[0] for row in table.rows] == ["high", "mid", "low", "placebo"]


def test_visit_completion_counts_completed_missed_and_overdue(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    rows = {row[0]: row[2:] for row in board(client.get(dashboard_url(visit="w1"))).table("visits").rows}
    # w1: completed by r1, r2, r6; missed by r3 (the other visits are not projected without a transplantation date)
    due, completed, missed, overdue = rows["w1"]
    assert (completed, missed) == (3, 1)
    assert due >= completed + missed and overdue == due - completed - missed


def test_a_bad_date_range_is_reported_and_ignored(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    response = client.get(dashboard_url(start="2026-05-01", end="2026-01-01"))
    assert response.status_code == 200
    assert "The end of the date range is before its start." in response.content.decode()
    response = client.get(dashboard_url(start="not-a-date"))
    assert response.status_code == 200 and board(response).table("funnel").rows == FUNNEL


def test_the_date_range_keeps_participants_enrolled_in_it(client, flow_world):
    client.force_login(flow_world.admsc.data_manager)
    rows = board(client.get(dashboard_url(start="2026-04-01"))).table("funnel").rows
    assert rows[3] == ["Enrolled", 0]


def test_roles_without_the_dashboard_get_a_403_and_outsiders_a_404(client, flow_world, django_user_model):
    client.force_login(flow_world.admsc.coordinator)
    assert client.get(dashboard_url()).status_code == 403
    client.force_login(django_user_model.objects.create_user(username="outsider"))
    assert client.get(dashboard_url()).status_code == 404


# --- study alpha: forms, queries, outcomes, query counts -------------------------------------------------------


def alpha_url(name="reports:study-dashboard", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(name, args=["alpha"]) + (f"?{query}" if query else "")


def test_form_completeness_counts_complete_forms_against_due_visits(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    rows = board(client.get(alpha_url(visit="baseline"))).table("forms").rows
    found = {row[0]: row[2:4] for row in rows}
    # Three participants with a baseline due (A, B, S); PHQ-9 complete for each; the family PHQ-9 is a draft.
    assert found["PHQ-9"] == [3, 3]  # by the form's title, and who answers it when that is not the participant
    assert found["PHQ-9 (family member)"] == [3, 0]
    assert found["PSQI"] == [3, 0]


def test_open_queries_are_banded_by_age_and_site(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    table = board(client.get(alpha_url())).table("queries")
    assert table.rows == [["A", 1, 0, 0, 0]]  # the PSQI query raised today at site A


def test_the_dashboard_query_count_does_not_grow_with_participants(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    client.get(alpha_url())  # warm the per-process caches (protocol, instrument library)
    with CaptureQueriesContext(connection) as few:
        assert client.get(alpha_url()).status_code == 200
    _enrol_more(grid_world, 8, grid_world.people["coordinator"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(alpha_url())
    assert board(response).table("funnel").rows[0][1] >= 0
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_outcomes_summarise_each_visit_pooled_for_an_observational_study(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    response = client.get(alpha_url("reports:study-outcomes"))
    assert response.status_code == 200
    report = response.context["report"]
    phq9 = next(o for o in report.outcomes if o.key == "phq9.total")
    baseline = next(line for line in phq9.lines if line.visit == "baseline")
    # Three participants answered every PHQ-9 item "1": total 9 each; n 3, mean 9, SD 0, CI 9-9, IQR 9-9.
    assert (baseline.summary.n, baseline.summary.mean, baseline.summary.sd) == (3, 9.0, 0.0)
    assert (baseline.summary.median, baseline.summary.q1, baseline.summary.q3) == (9.0, 9.0, 9.0)
    assert baseline.group == "All participants"
    assert [o.key for o in report.outcomes] == ["psqi.total", "phq9.total"]  # the outcomes alpha schedules


def test_the_outcomes_csv_is_the_page(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    report = client.get(alpha_url("reports:study-outcomes")).context["report"]
    rows = read_csv(client.get(alpha_url("reports:study-outcomes-csv")))
    assert rows[0] == report.header and len(rows) - 1 == len(report.csv_rows)
    assert rows[1 + [r[0] for r in report.csv_rows].index("phq9.total")][:5] == [
        "phq9.total",
        "baseline",
        "All participants",
        "3",
        "9.0",
    ]


def test_outcomes_query_count_does_not_grow_with_participants(client, grid_world):
    client.force_login(grid_world.people["dm_all"])
    client.get(alpha_url("reports:study-outcomes"))
    with CaptureQueriesContext(connection) as few:
        client.get(alpha_url("reports:study-outcomes"))
    _enrol_more(grid_world, 5, grid_world.people["coordinator"])
    with CaptureQueriesContext(connection) as many:
        client.get(alpha_url("reports:study-outcomes"))
    assert len(many) == len(few)


def test_the_mechanism_page_shows_the_latest_scores_and_unknowns(client, grid_world):
    client.force_login(grid_world.people["coordinator"])
    response = client.get(reverse("reports:participant-mechanism", args=[grid_world.participant_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-domain="depression" data-status="absent"' in body  # PHQ-9 total 9 < 10
    assert 'data-domain="neuropathic" data-status="unknown"' in body
    assert "not a diagnosis" in body


def test_the_mechanism_page_of_another_site_is_a_404(client, grid_world):
    client.force_login(grid_world.people["coordinator"])  # site A
    url = reverse("reports:participant-mechanism", args=[grid_world.participant_b.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"start": "99999-01-01"},
        {"end": "1800-01-01"},
        {"site": "\x00"},
        {"visit": "<script>alert(1)</script>"},
        {"arm": "x" * 5000},
        {"table": "../../etc/passwd"},
    ],
)
def test_hostile_filters_give_a_page_never_a_server_error(client, grid_world, params):
    client.force_login(grid_world.people["dm_all"])
    for name in ("reports:study-dashboard", "reports:study-outcomes", "reports:study-outcomes-csv"):
        response = client.get(reverse(name, args=["alpha"]), params)
        assert response.status_code == 200, (name, params)
    assert client.get(reverse("reports:study-dashboard-csv", args=["alpha"]), params).status_code in (200, 404)
