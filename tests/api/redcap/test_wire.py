"""REDCap's wire conventions as REDCapR and redcapAPI send them: comma-joined and 1-based arrays, multipart
bodies, TRUE/FALSE flags, error formats, CSV quoting, xml, the rate limit and hostile input."""

import json

import pytest
from django.test import Client

from api.redcap.wire import Params, csv_line
from tests.instruments.web.test_response_api import stored

from .conftest import URL, post

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


@pytest.fixture
def key(alpha, make_persona, token_of):
    pi = make_persona("pi", all_sites=True)
    stored(alpha.participant_a, pi)
    return token_of(pi, alpha.study)


def test_arrays_arrive_in_every_shape_clients_send():
    pairs = [("fields[1]", "b"), ("fields[0]", "a"), ("forms[]", "x"), ("forms[]", "y"), ("records", "r1, r2,")]
    params = Params.of(pairs + [("events", ""), ("flag", "TRUE"), ("other", "False")])
    assert params.array("fields") == ["a", "b"] and params.array("forms") == ["x", "y"]
    assert params.array("records") == ["r1", "r2"] and params.array("events") == []
    assert params.flag("flag") and not params.flag("other")


def test_fputcsv_quoting_as_redcap_writes_it():
    assert csv_line(["1", "Event 1", "", "a,b", 'say "hi"']) == '1,"Event 1",,"a,b","say ""hi"""\n'


def test_redcapr_style_comma_joined_arrays_and_flags(key):
    answer = post(
        key,
        content="record",
        format="csv",
        type="flat",
        records="ALPHA-A-0001",
        fields="record_id,phq9_phq9_1",
        rawOrLabel="raw",
        exportCheckboxLabel="false",
        exportDataAccessGroups="true",
        filterLogic="",
        dateRangeBegin="",
        exportBlankForGrayFormStatus="FALSE",
    )
    lines = body(answer).splitlines()
    assert lines[0] == (
        "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,"
        "redcap_data_access_group,phq9_phq9_1"
    )
    assert lines[1] == "ALPHA-A-0001,baseline_arm_1,,,a,1"
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    labelled = body(
        post(key, content="record", format="csv", fields="record_id,phq9_phq9_1", rawOrLabelHeaders="label")
    )
    assert labelled.splitlines()[0].startswith('"Study ID","Event Name"')


def test_redcapapi_style_multipart_with_1_based_arrays(key):
    answer = Client().post(URL, {"token": key, "content": "metadata", "format": "csv", "fields[1]": "record_id"})
    assert body(answer).splitlines()[1].startswith('record_id,phq9,,text,"Study ID"')
    assert body(answer).splitlines()[0].startswith("field_name,form_name,section_header,field_type")


def test_errors_in_each_format_and_the_xml_default(key):
    unknown = post(key, content="nothing")
    assert unknown.status_code == 400 and "<error>The value of the parameter" in unknown.content.decode()
    as_csv = post(key, content="nothing", format="csv")
    assert as_csv.content == b'ERROR: The value of the parameter "content" is not valid'
    as_json = post(key, content="metadata", format="json", fields="nope")
    assert as_json.json() == {"error": "The following values in the parameter \"fields\" are not valid: 'nope'"}
    assert post(key, content="report", format="json").status_code == 501
    assert Client().get(URL).status_code == 405


def test_xml_exports_and_an_xml_import(key):
    xml = body(post(key, content="record", format="xml", fields="record_id,phq9_phq9_1"))
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8" ?>')
    assert "<record_id>ALPHA-A-0001</record_id>" in xml and "<phq9_phq9_1>1</phq9_phq9_1>" in xml
    data = (
        "<records><item><record_id>ALPHA-A-0001</record_id><redcap_event_name>baseline_arm_1</redcap_event_name>"
        "<phq9_phq9_2>3</phq9_phq9_2></item></records>"
    )
    answer = post(key, content="record", format="xml", data=data, returnFormat="xml")
    assert answer.content.decode() == '<?xml version="1.0" encoding="UTF-8" ?><count>1</count>'
    rows = json.loads(body(post(key, content="record", format="json", fields="phq9_phq9_2,phq9_total")))
    assert rows[0]["phq9_phq9_2"] == "3" and rows[0]["phq9_total"] == "11"


def test_a_repeating_form_exports_one_row_per_instance_and_imports_a_new_one(key, alpha):
    row = {"record_id": "ALPHA-A-0001", "redcap_event_name": "baseline_arm_1"}
    repeat = {"redcap_repeat_instrument": "sleep_diary", "sleep_diary_sleep_diary_date": "2026-01-02"}
    data = [row | repeat | {"redcap_repeat_instance": str(n)} for n in (1, 2)]
    answer = post(key, content="record", format="json", data=json.dumps(data))
    assert answer.status_code == 200, answer.content
    rows = json.loads(body(post(key, content="record", format="json", forms="sleep_diary", records="ALPHA-A-0001")))
    assert [(r["redcap_repeat_instrument"], r["redcap_repeat_instance"]) for r in rows] == [
        ("sleep_diary", 1),
        ("sleep_diary", 2),
    ]
    new = row | repeat | {"redcap_repeat_instance": "new"}
    assert post(key, content="record", format="json", data=json.dumps([new])).status_code == 200
    rows = json.loads(body(post(key, content="record", format="json", forms="sleep_diary", records="ALPHA-A-0001")))
    assert [r["redcap_repeat_instance"] for r in rows] == [1, 2, 3]


def test_hostile_values_give_a_redcap_error_never_a_server_error(key):
    hostile = ["\x00", "9" * 5000, "[" * 5000, '{"a":' * 3000, "<!DOCTYPE x [<!ENTITY a 'b'>]><records/>", ""]
    for value in hostile:
        for fmt in ("json", "csv", "xml"):
            answer = post(key, content="record", format=fmt, data=value or " ", records=value, fields=value[:50])
            assert 400 <= answer.status_code < 500, (value[:20], fmt, answer.status_code)
        assert post(value, content="version").status_code == 403


def test_past_the_tokens_rate_a_429_with_retry_after(key, monkeypatch):
    from api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api_token": "2/minute"})
    answers = [post(key, content="version", format="json") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[2]["Retry-After"]) >= 1 and "Too many" in answers[2].json()["error"]


def test_what_changes_only_on_the_pages_is_refused_with_a_reason(key):
    writes = [
        {"content": "metadata", "data": "[]"},
        {"content": "arm", "action": "import", "data": '[{"arm_num": 2, "name": "B"}]'},
        {"content": "event", "action": "delete", "events[0]": "baseline_arm_1"},
        {"content": "formEventMapping", "action": "import", "data": "[]"},
        {"content": "repeatingFormsEvents", "data": "[]"},
        {"content": "dag", "action": "import", "data": "[]"},
        {"content": "user", "action": "import", "data": "[]"},
    ]
    for call in writes:
        answer = post(key, format="json", **call)
        assert answer.status_code == 400 and answer.json()["error"], call
    deleted = post(key, content="record", action="delete", **{"records[0]": "ALPHA-A-0001"}, returnFormat="csv")
    assert (deleted.status_code, deleted.content) == (403, b"ERROR: You do not have Delete Record privileges")
    assert len(json.loads(body(post(key, content="record", format="json")))) == 1  # nothing was deleted


def test_filter_logic_keeps_the_records_and_events_that_meet_it(key, alpha, make_persona):
    stored(
        alpha.participant_b, make_persona("coordinator", sites=[alpha.site_b]), {f"phq9_{n}": 3 for n in range(1, 10)}
    )

    def ids(logic: str) -> list[str]:
        answer = post(key, content="record", format="json", fields="record_id", filterLogic=logic)
        assert answer.status_code == 200, answer.content
        return [row["record_id"] for row in json.loads(body(answer))]

    assert ids("[phq9_phq9_1] = '3'") == ["ALPHA-B-0001"]
    assert ids("[phq9_phq9_1] < 3 and [phq9_phq9_2] <> 3") == ["ALPHA-A-0001"]
    assert ids("([phq9_phq9_1] >= 1) and [phq9_phq9_9] <> ''") == ["ALPHA-A-0001", "ALPHA-B-0001"]
    refused = post(key, content="record", format="json", filterLogic="[nope] = 1")
    assert refused.status_code == 400 and "filterLogic" in refused.json()["error"]
