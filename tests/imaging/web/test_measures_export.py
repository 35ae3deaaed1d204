"""Derived measures leave as CSV (long and wide) and through the API: real ingested recordings, scoped like the
files, without names, file names or arms, and each download in the audit trail."""

import io
import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from imaging.models import DataFile, DerivedMeasure
from tests.factories import ParticipantFactory
from tests.imaging.synthetic import write_psg
from tests.imaging.web.conftest import make_visit, named

pytestmark = pytest.mark.django_db

ARM = "ARM-SECRET-7"
FILE_NAME = "Wang_Fang_night.edf"  # an original file name that carries the patient's name


def _emg_edf(path, signal_samples):
    edfio = pytest.importorskip("edfio")
    h5py = pytest.importorskip("h5py")
    with h5py.File(signal_samples / "emg_bursts.h5") as handle:
        raw = np.asarray(handle["00:07:80:3B:46:61/raw/channel_3"][:, 0], dtype=float)
    signal = edfio.EdfSignal(raw[:28000] - raw.mean(), 1000, label="EMG biceps", physical_dimension="uV")
    edfio.Edf([signal], recording=edfio.Recording(startdate=date(2025, 5, 6))).write(path)
    return path


@pytest.fixture
def ingested(client, world, make_persona, upload, tmp_path, signal_samples):
    """Through the upload page: two PSG nights and an ECG at participant A's visit, an EMG at participant B's."""
    world.participant_a.arm_code = ARM
    world.participant_a.save()
    visit_a = make_visit(world.participant_a, start=date(2025, 5, 1), end=date(2025, 5, 10))
    visit_b = make_visit(world.participant_b, start=date(2025, 5, 1), end=date(2025, 5, 10))
    psg = write_psg(tmp_path / "night.edf")
    repeat = tmp_path / "repeat.edf"  # the same night from another recorder: other bytes, other checksum
    repeat.write_bytes(psg.read_bytes().replace(b"PSG-42", b"PSG-43", 1))
    world.data_manager = make_persona("data_manager", all_sites=True)
    client.force_login(world.data_manager)
    upload([named(psg, FILE_NAME)], participant=world.participant_a.pk, visit=visit_a.pk)
    upload([named(repeat, "repeat_" + FILE_NAME)], participant=world.participant_a.pk, visit=visit_a.pk)
    upload(
        [named(signal_samples / "supine_1min.edf", "ecg_" + FILE_NAME)],
        participant=world.participant_a.pk,
        visit=visit_a.pk,
        kind="hrv",
    )
    upload(
        [named(_emg_edf(tmp_path / "emg.edf", signal_samples), "emg_" + FILE_NAME)],
        participant=world.participant_b.pk,
        visit=visit_b.pk,
        kind="emg",
    )
    assert DataFile.objects.filter(link_status="linked").count() == 4
    client.logout()
    return world


def _csv(client, study_code="alpha", shape="long"):
    response = client.get(reverse("imaging:measure-export", args=[study_code]), {"shape": shape})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    # round_trip: pandas' default parser may be one unit in the last place off; the file holds the exact value.
    table = pd.read_csv(io.BytesIO(body), encoding="utf-8", float_precision="round_trip")
    return body, table


def _software(measure) -> str:
    return "; ".join(f"{name} {version}" for name, version in sorted(measure.software.items()))


def test_the_long_csv_read_by_pandas_equals_the_stored_measures(
    client, make_persona, ingested, django_assert_max_num_queries
):
    client.force_login(make_persona("unblinded_statistician", all_sites=True))
    with django_assert_max_num_queries(12):
        body, table = _csv(client)
    measures = DerivedMeasure.objects.select_related("data_file")
    assert len(table) == measures.count() > 40
    assert list(table.columns) == [
        "participant",
        "site",
        "visit",
        "kind",
        "measure",
        "value",
        "unit",
        "estimate",
        "software",
        "file_id",
        "file_sha256",
        "computed_at",
    ]
    rows = {(row.file_id, row.measure): row for row in table.itertuples()}
    for measure in measures:
        row = rows[(measure.data_file_id, measure.name)]
        assert (row.participant, row.site, row.visit, row.kind) == (
            measure.participant.identifier,
            measure.participant.site.code,
            "baseline",
            measure.data_file.kind,
        )
        assert math.isnan(row.value) if measure.value is None else row.value == measure.value, measure.name
        assert ("" if pd.isna(row.unit) else row.unit) == measure.unit and row.estimate == int(measure.is_estimate)
        assert row.software == _software(measure) and "python 3." in row.software
        assert measure.data_file.sha256.startswith(row.file_sha256) and len(row.file_sha256) == 12
    assert set(table.kind) == {"psg", "hrv", "emg"}
    assert table[table.measure == "total_sleep_time_min"].value.tolist() == [6.0, 6.0]  # 12 scored sleep epochs


def test_the_wide_csv_has_one_row_per_participant_visit_and_keeps_both_nights(client, make_persona, ingested):
    client.force_login(make_persona("pi", all_sites=True))
    _, table = _csv(client, shape="wide")
    assert table[["participant", "visit"]].values.tolist() == [
        ["ALPHA-A-0001", "baseline"],
        ["ALPHA-B-0001", "baseline"],
    ]
    assert list(table.columns[:5]) == ["participant", "site", "visit", "psg_file_id", "psg_estimate"]
    a, b = table.iloc[0], table.iloc[1]
    first, second = DataFile.objects.filter(kind="psg").order_by("pk")
    assert (a.psg_file_id, a.psg2_file_id) == (first.pk, second.pk)
    assert a.psg_total_sleep_time_min == a.psg2_total_sleep_time_min == 6.0 and a.psg_estimate == 0
    assert a.psg_stage_min_N2 == DerivedMeasure.objects.get(data_file=first, name="stage_min:N2").value
    assert a.hrv_rmssd_ms == DerivedMeasure.objects.get(data_file__kind="hrv", name="rmssd_ms").value
    emg = DerivedMeasure.objects.get(data_file__kind="emg", name="median_frequency_hz:EMG biceps")
    assert b.emg_median_frequency_hz_EMG_biceps == emg.value and math.isnan(b.psg_total_sleep_time_min)
    assert math.isnan(a.emg_median_frequency_hz_EMG_biceps)


def test_a_site_b_member_sees_only_site_b_rows_in_the_csv_and_the_api(client, make_persona, ingested):
    client.force_login(make_persona("pi", sites=[ingested.site_b]))
    _, table = _csv(client)
    assert set(table.participant) == {"ALPHA-B-0001"} and set(table.kind) == {"emg"}
    _, wide = _csv(client, shape="wide")
    assert wide.participant.tolist() == ["ALPHA-B-0001"] and not any(c.startswith("psg") for c in wide.columns)
    api = client.get(reverse("imaging:api-measure-list"), {"study": "alpha", "page_size": 5000}).json()
    assert {item["participant"] for item in api["results"]} == {"ALPHA-B-0001"}
    assert api["count"] == DerivedMeasure.objects.filter(participant=ingested.participant_b).count()


def test_a_member_of_another_study_gets_404_and_a_coordinator_gets_403(client, world, make_persona, ingested):
    client.force_login(make_persona("data_manager", study=world.other_study, sites=[world.site_c]))
    assert client.get(reverse("imaging:measure-export", args=["alpha"])).status_code == 404
    assert client.get(reverse("imaging:api-measure-list"), {"study": "alpha"}).status_code == 404
    client.force_login(make_persona("coordinator", all_sites=True))
    assert client.get(reverse("imaging:measure-export", args=["alpha"])).status_code == 403
    assert client.get(reverse("imaging:api-measure-list"), {"study": "alpha"}).status_code == 403
    page = client.get(reverse("imaging:job-list", args=["alpha"])).content.decode()
    assert "Download derived measures (CSV)" not in page and "Export MRI as BIDS" not in page
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_job_list_offers_the_download_and_the_bids_link_by_role(client, world, make_persona):
    client.force_login(make_persona("monitor"))
    page = client.get(reverse("imaging:job-list", args=["alpha"])).content.decode()
    assert reverse("imaging:measure-export", args=["alpha"]) in page and 'value="wide"' in page
    assert reverse("imaging:export-list", args=["alpha"]) not in page  # a monitor may not export MRI
    client.force_login(make_persona("data_manager"))
    page = client.get(reverse("imaging:job-list", args=["alpha"])).content.decode()
    assert "Download derived measures (CSV)" in page and reverse("imaging:export-list", args=["alpha"]) in page


def test_no_name_file_name_birth_date_or_arm_leaves(client, make_persona, ingested):
    client.force_login(make_persona("admin", all_sites=True))
    bodies = [_csv(client, shape=shape)[0] for shape in ("long", "wide")]
    bodies.append(client.get(reverse("imaging:api-measure-list"), {"study": "alpha", "page_size": 5000}).content)
    for body in bodies:
        for secret in (b"Wang_Fang", b"Wang", b"MRN123456", b"1970", b"MAR", b"Li_Na", ARM.encode(), b".edf"):
            assert secret not in body, secret


def test_text_cells_cannot_become_formulas_but_negative_numbers_stay_numbers(client, world, make_persona, ingested):
    data_file = DataFile.objects.get(kind="hrv")
    participant = ParticipantFactory(site=world.site_a, identifier="=HYPERLINK(1)")
    DataFile.objects.filter(pk=data_file.pk).update(participant=participant)
    DerivedMeasure.objects.create(
        data_file=data_file,
        participant=participant,
        visit_code="baseline",
        name="@delta",
        value=-2.5,
        unit="+u",
        software={"tool": "-1"},
    )
    client.force_login(ingested.data_manager)
    _, table = _csv(client)
    row = table[table.measure == "'@delta"].iloc[0]
    assert (row.participant, row.unit, row.software) == ("'=HYPERLINK(1)", "'+u", "tool -1")
    assert row.value == -2.5
    assert not table.measure.str.match(r"^[=+\-@]").any() and not table.participant.str.match(r"^[=+\-@]").any()
    api = client.get(reverse("imaging:api-measure-list"), {"study": "alpha", "name": "@delta"}).json()
    assert api["results"][0]["participant"] == "=HYPERLINK(1)"  # JSON is data, not a spreadsheet: left as stored


def test_the_api_filters_and_pages_with_the_long_csv_fields(client, make_persona, ingested):
    client.force_login(ingested.data_manager)
    url = reverse("imaging:api-measure-list")
    one = client.get(url, {"study": "alpha", "participant": "ALPHA-A-0001", "kind": "hrv", "name": "rmssd_ms"})
    measure = DerivedMeasure.objects.get(data_file__kind="hrv", name="rmssd_ms")
    item = one.json()["results"][0]
    assert one.json()["count"] == 1 and item["value"] == measure.value and item["unit"] == "ms"
    _, table = _csv(client)
    row = table[(table.kind == "hrv") & (table.measure == "rmssd_ms")].iloc[0]
    assert list(item) == list(table.columns)
    assert (item["software"], item["file_sha256"], item["computed_at"]) == (
        row.software,
        row.file_sha256,
        row.computed_at,
    )
    total = DerivedMeasure.objects.filter(data_file__participant__site__study__code="alpha").count()
    first = client.get(url, {"study": "alpha", "page_size": 10}).json()
    assert first["count"] == total and len(first["results"]) == 10 and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert {(r["file_id"], r["measure"]) for r in second["results"]}.isdisjoint(
        {(r["file_id"], r["measure"]) for r in first["results"]}
    ) and len(second["results"]) == 10
    assert client.get(url, {"study": "alpha", "visit": "week-4"}).json()["count"] == 0
    assert (
        client.get(url, {"study": "alpha", "kind": "emg"}).json()["count"]
        == DerivedMeasure.objects.filter(data_file__kind="emg").count()
    )


def test_bad_api_input_gets_a_plain_message(client, make_persona, ingested):
    client.force_login(ingested.data_manager)
    url = reverse("imaging:api-measure-list")
    missing = client.get(url)
    assert missing.status_code == 400 and "study code" in json.dumps(missing.json())
    wrong = client.get(url, {"study": "alpha", "kind": "mri"})
    assert wrong.status_code == 400 and "psg, emg, hrv" in json.dumps(wrong.json())
    assert client.get(url, {"study": "alpha", "page": 99}).status_code == 404


def test_each_download_writes_one_audit_row_and_a_bad_shape_none(client, world, make_persona, ingested):
    user = ingested.data_manager
    client.force_login(user)
    _csv(client, shape="long")
    _csv(client, shape="wide")
    client.get(reverse("imaging:api-measure-list"), {"study": "alpha"})
    response = client.get(reverse("imaging:measure-export", args=["alpha"]), {"shape": "tall"}, follow=True)
    assert "Choose the long or the wide table." in response.content.decode()
    events = AuditEvent.objects.filter(action="export", user=user).order_by("pk")
    assert [(e.reason, e.path, e.study_id) for e in events] == [
        ("derived measures CSV", "page", world.study.pk),
        ("derived measures CSV", "page", world.study.pk),
        ("derived measures API", "api", world.study.pk),
    ]


@pytest.mark.slow  # YASA's first call compiles with numba: about 8 s
def test_automatic_staging_estimates_are_flagged_in_both_shapes(client, world, make_persona, upload, tmp_path):
    visit = make_visit(world.participant_a, start=date(2025, 5, 1), end=date(2025, 5, 10))
    client.force_login(make_persona("data_manager"))
    upload([named(write_psg(tmp_path / "night.edf", scored=False))], participant=world.participant_a.pk, visit=visit.pk)
    assert DerivedMeasure.objects.filter(is_estimate=True).exists()
    _, table = _csv(client)
    flags = dict(zip(table.measure, table.estimate, strict=True))
    assert flags["total_sleep_time_min"] == 1 and flags["stage_min:N2"] == 1 and flags["odi_per_hour"] == 0
    software = table[table.measure == "total_sleep_time_min"].software.iloc[0]
    assert "yasa " in software and "lightgbm " in software
    _, wide = _csv(client, shape="wide")
    assert wide.psg_estimate.tolist() == [1]
