"""A PSG without a scored hypnogram is staged automatically (YASA); its sleep measures are labelled estimates."""

import pytest
from django.urls import reverse

from imaging.models import DataFile, DerivedMeasure, IngestJob
from tests.imaging.synthetic import write_psg
from tests.imaging.web.conftest import named

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # YASA's first call compiles with numba: about 8 s
def test_an_unscored_psg_is_staged_automatically_and_its_sleep_measures_are_estimates(
    client, world, make_persona, upload, visit_a, tmp_path
):
    client.force_login(make_persona("coordinator"))
    upload(
        [named(write_psg(tmp_path / "night.edf", scored=False))], participant=world.participant_a.pk, visit=visit_a.pk
    )
    job = IngestJob.objects.get()
    assert job.status == "succeeded", job.log
    assert "automatic staging (YASA, channel C4-M1)" in job.log
    data_file = DataFile.objects.get()
    tst = DerivedMeasure.objects.get(data_file=data_file, name="total_sleep_time_min")
    assert tst.is_estimate and tst.software["yasa"]
    assert tst.value is not None and 0 <= tst.value <= 10
    assert not DerivedMeasure.objects.get(data_file=data_file, name="odi_per_hour").is_estimate  # oximetry is measured
    page = client.get(reverse("imaging:datafile-detail", args=[data_file.pk])).content.decode()
    assert "estimate (automatic staging)" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("imaging:datafile-detail", args=[data_file.pk])).content.decode()
    assert "估计值（自动睡眠分期）" in page


def test_a_scored_psg_keeps_the_technicians_hypnogram(client, world, make_persona, upload, visit_a, tmp_path):
    client.force_login(make_persona("coordinator"))
    upload([named(write_psg(tmp_path / "night.edf"))], participant=world.participant_a.pk, visit=visit_a.pk)
    measures = DerivedMeasure.objects.filter(data_file=DataFile.objects.get())
    assert measures.get(name="total_sleep_time_min").value == 6.0  # hand count: N1 1 + N2 5 + N3 3 + R 3 epochs
    assert not measures.filter(is_estimate=True).exists()
    assert "YASA" not in IngestJob.objects.get().log


def test_an_unscored_recording_without_eeg_says_why_there_are_no_sleep_measures(
    client, world, make_persona, upload, visit_a, tmp_path
):
    from datetime import date

    import edfio
    import numpy as np

    path = tmp_path / "oximetry.edf"
    edfio.Edf(
        [edfio.EdfSignal(np.full(600, 97.0), 1, label="SpO2", physical_dimension="%", physical_range=(0, 100))],
        recording=edfio.Recording(startdate=date(2003, 5, 2)),
    ).write(path)
    client.force_login(make_persona("coordinator"))
    upload([named(path)], participant=world.participant_a.pk, visit=visit_a.pk)
    job = IngestJob.objects.get()
    assert job.status == "succeeded" and "no sleep-stage annotations" in job.log
    assert not DerivedMeasure.objects.filter(name="total_sleep_time_min").exists()
