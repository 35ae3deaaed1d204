"""Contract tests with the real client: PyCap (from PyPI) against the live test server, unchanged.

Study alpha (its protocol: a baseline with PHQ-9, SF-36, PSQI, a repeating sleep diary and a family PHQ-9, and a
month-1 PHQ-9) is a longitudinal project; study beta has no protocol, so it answers as a classic project.
"""

import io

import pandas as pd
import pytest
import requests
from redcap import Project, RedcapError

from accounts.services import membership_grant
from tests.instruments.web.test_response_api import stored

from .conftest import URL

pytestmark = pytest.mark.django_db(transaction=True)

PHQ9 = {f"phq9_phq9_{n}": str(n % 4) for n in range(1, 10)}


@pytest.fixture
def server(live_server, alpha, make_persona, token_of):
    pi = make_persona("pi", all_sites=True)
    stored(alpha.participant_a, pi)
    return {"url": live_server.url + URL, "pi": pi, "key": token_of(pi, alpha.study), "world": alpha}


@pytest.fixture
def project(server):
    return Project(server["url"], server["key"])


def test_project_information_and_version(project):
    info = project.export_project_info()
    assert info["project_title"] == "Alpha study"
    assert info["is_longitudinal"] == 1 and info["has_repeating_instruments_or_events"] == 1
    assert str(project.export_version()) == "14.5.10"
    assert str(project.redcap_version) == "14.5.10"


def test_metadata_field_names_and_instruments(project):
    assert project.def_field == "record_id"
    assert project.metadata[0]["form_name"] == "phq9"
    assert all(isinstance(value, str) for row in project.metadata for value in row.values())
    names = [row["export_field_name"] for row in project.export_field_names()]
    assert names[0] == "record_id" and "phq9_phq9_1" in names and "phq9_complete" in names
    assert "phq9_total" in names  # the score, a calc field
    instruments = project.export_instruments()
    assert [row["instrument_name"] for row in instruments][:3] == ["phq9", "sf36", "psqi"]
    frame = project.export_field_names(format_type="df")
    assert list(frame.columns) == ["choice_value", "export_field_name"]


def test_arms_events_mappings_and_repeating_forms(project):
    assert project.is_longitudinal
    assert project.export_arms() == [{"arm_num": 1, "name": "Arm 1"}]
    events = project.export_events()
    assert [e["unique_event_name"] for e in events] == ["baseline_arm_1", "m1_arm_1"]
    assert all(isinstance(e["event_id"], int) for e in events)
    mappings = project.export_instrument_event_mappings()
    assert {"arm_num": 1, "unique_event_name": "m1_arm_1", "form": "phq9"} in mappings
    repeating = project.export_repeating_instruments_events()
    assert repeating == [{"event_name": "baseline_arm_1", "form_name": "sleep_diary", "custom_form_label": ""}]


def test_record_export_in_json_csv_and_a_dataframe(project):
    rows = project.export_records()
    assert len(rows) == 1
    row = rows[0]
    assert row["record_id"] == "ALPHA-A-0001" and row["redcap_event_name"] == "baseline_arm_1"
    assert row["phq9_phq9_1"] == "1" and row["phq9_complete"] == "2" and row["phq9_total"] == "9"
    assert row["redcap_repeat_instrument"] == "" and row["redcap_repeat_instance"] == ""
    text = project.export_records(format_type="csv")
    assert text.startswith("record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,phq9_phq9_1")
    assert pd.read_csv(io.StringIO(text))["phq9_total"].tolist() == [9]
    frame = project.export_records(format_type="df")
    assert list(frame.index.names) == ["record_id", "redcap_event_name"]
    assert frame.loc[("ALPHA-A-0001", "baseline_arm_1"), "phq9_total"] == 9
    only = project.export_records(fields=["phq9_phq9_2"], records=["ALPHA-A-0001"], events=["baseline_arm_1"])
    assert only[0]["phq9_phq9_2"] == "1" and "sf36_complete" not in only[0]
    assert project.export_records(records=["NOBODY"]) == []
    assert project.export_records(format_type="csv", records=["NOBODY"]) == "\n"
    labelled = project.export_records(raw_or_label="label", fields=["phq9_phq9_1"])
    assert labelled[0]["phq9_phq9_1"] == "Several days" and labelled[0]["redcap_event_name"] == "Baseline"


def test_import_round_trip_returns_what_was_entered_scored_and_audited_with_path_api(project, server):
    from audit.models import AuditEvent
    from instruments.models import Response

    row = {"record_id": "ALPHA-B-0001", "redcap_event_name": "baseline_arm_1", **PHQ9, "phq9_complete": "2"}
    assert project.import_records([row]) == {"count": 1}
    exported = project.export_records(records=["ALPHA-B-0001"], forms=["phq9"])
    assert len(exported) == 1
    assert {key: exported[0][key] for key in row} == row
    assert exported[0]["phq9_total"] == "13"  # scored by the server: (1+2+3+0)*2 + 1
    response = Response.objects.get(participant=server["world"].participant_b, activity_key="phq9")
    event = AuditEvent.objects.filter(object_type="instruments.response", object_id=str(response.pk)).first()
    assert event.path == "api" and event.user == server["pi"]
    changed = {**row, "phq9_phq9_1": "3"}
    assert project.import_records([changed], return_content="ids") == ["ALPHA-B-0001"]
    assert project.export_records(records=["ALPHA-B-0001"], fields=["phq9_total"])[0]["phq9_total"] == "15"
    csv_text = "record_id,redcap_event_name,phq9_phq9_2\nALPHA-B-0001,baseline_arm_1,0\n"
    assert project.import_records(csv_text, import_format="csv", return_format_type="csv") == "1"
    # PyCap leaves out a (record, event) MultiIndex when it writes a frame, so the frame goes back flat.
    frame = project.export_records(format_type="df", records=["ALPHA-B-0001"]).reset_index()
    assert project.import_records(frame, import_format="df") == {"count": 1}  # scores in the data are ignored


def test_a_refused_import_saves_nothing_and_says_why(project, server):
    from instruments.models import Response

    good = {"record_id": "ALPHA-B-0001", "redcap_event_name": "baseline_arm_1", **PHQ9}
    bad = {"record_id": "ALPHA-A-0001", "redcap_event_name": "m1_arm_1", "phq9_phq9_1": "7"}
    with pytest.raises(RedcapError, match="phq9_phq9_1"):
        project.import_records([good, bad])
    assert not Response.objects.filter(participant=server["world"].participant_b).exists()
    with pytest.raises(RedcapError, match="not found in the project"):
        project.import_records([{"record_id": "ALPHA-A-0001", "redcap_event_name": "baseline_arm_1", "nope": "1"}])
    with pytest.raises(RedcapError, match="do not exist"):
        project.import_records([{"record_id": "NEW-1", "redcap_event_name": "baseline_arm_1"}])


def test_next_record_name_and_file_calls(project, server):
    assert project.generate_next_record_name() == "alpha-A-0002"
    with pytest.raises(ValueError, match="not a .file. field"):
        project.export_file(record="ALPHA-A-0001", field="phq9_phq9_1", event="baseline_arm_1")
    raw = requests.post(
        server["url"],
        data={
            "token": server["key"],
            "content": "file",
            "action": "export",
            "record": "ALPHA-A-0001",
            "field": "phq9_phq9_1",
        },
    )
    assert raw.status_code == 400 and "<error>There is no file upload field named" in raw.text


def test_a_classic_project_answers_redcaps_errors(live_server, alpha, make_persona, token_of):
    pi = make_persona("pi", all_sites=True)
    membership_grant(user=pi, study=alpha.other_study, role="pi", sites=[], all_sites=True)
    classic = Project(live_server.url + URL, token_of(pi, alpha.other_study))
    assert not classic.is_longitudinal
    with pytest.raises(RedcapError, match="You cannot export arms for classic projects"):
        classic.export_arms()
    with pytest.raises(RedcapError, match="You cannot export events for classic projects"):
        classic.export_events()
    answer = requests.post(live_server.url + URL, data={"token": classic.token, "content": "arm", "format": "csv"})
    assert (answer.status_code, answer.text) == (400, "ERROR: You cannot export arms for classic projects")


def test_a_bad_token_is_redcaps_403(live_server, alpha):
    answer = requests.post(live_server.url + URL, data={"token": "A" * 32, "content": "version", "format": "csv"})
    assert (answer.status_code, answer.text) == (403, "ERROR: You do not have permissions to use the API")
    with pytest.raises(RedcapError, match="permissions"):
        Project(live_server.url + URL, "B" * 32).export_project_info()
