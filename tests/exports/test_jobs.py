"""The export job: bounded queries whatever the number of participants, a failure that says why and leaves no
file, a cancel during the run, and the command line."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports import services
from exports.models import DataExport
from exports.selectors import Choice
from instruments.models import Response

pytestmark = pytest.mark.django_db


def queries_of_a_run(study, persona_user, choice: Choice) -> tuple[int, DataExport]:
    export = DataExport.objects.create(
        study=study, requested_by=persona_user, format="csv_wide", all_sites=True, filters=choice.as_filters()
    )
    with CaptureQueriesContext(connection) as context:
        export = services.export_run(export_id=export.pk)
    assert export.status == "done", export.error
    return len(context.captured_queries), export


def test_the_number_of_queries_does_not_grow_with_participants(lbpb, persona):
    user = persona("data_manager")
    queries_of_a_run(lbpb, user, Choice())  # draws the pseudonyms and date offsets once
    few, small = queries_of_a_run(lbpb, user, Choice(sites=("01",)))
    many, large = queries_of_a_run(lbpb, user, Choice())
    assert small.participants < large.participants and small.rows < large.rows
    assert many == few


def test_a_failed_export_says_why_and_leaves_no_file(lbpb, persona, settings):
    response = Response.objects.filter(participant__study=lbpb).first()
    Response.objects.filter(pk=response.pk).update(instrument_code="gone", definition_version="9.9")
    export = DataExport.objects.create(
        study=lbpb, requested_by=persona("data_manager"), format="parquet", all_sites=True
    )
    export = services.export_run(export_id=export.pk)
    assert export.status == "failed" and "gone 9.9" in export.error and export.file_path == ""
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_cancel_during_the_run_stops_it_and_leaves_no_file(lbpb, persona, settings, monkeypatch):
    export = DataExport.objects.create(
        study=lbpb, requested_by=persona("data_manager"), format="csv_wide", all_sites=True
    )
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    real = services.pseudonyms_for

    def cancelled_meanwhile(people, *, study):  # the requester presses Cancel while the run reads the data
        DataExport.objects.filter(pk=export.pk).update(status="cancelled")
        return real(people, study=study)

    monkeypatch.setattr(services, "pseudonyms_for", cancelled_meanwhile)
    export = services.export_run(export_id=export.pk)
    assert export.status == "cancelled" and export.file_path == ""
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_the_command_writes_the_file_and_says_what_it_holds(lbpb, tmp_path):
    out = io.StringIO()
    target = tmp_path / "lbpb.parquet"
    call_command(
        "export_data", "--study", "lbpb", "--format", "parquet", "--site", "01", "--out", str(target), stdout=out
    )
    export = DataExport.objects.get()
    assert target.is_file() and export.sha256 in out.getvalue() and export.filters["sites"] == ["01"]
    assert f"{export.rows} rows" in out.getvalue() and export.deidentified and export.requested_by is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--study", "nope", "--format", "csv_wide"], "No study"),
        (["--study", "lbpb", "--format", "csv_wide", "--site", "99"], "no site 99"),
    ],
)
def test_the_command_refuses_bad_input_clearly(lbpb, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_data", *args, "--out", str(tmp_path / "x.csv"), stdout=io.StringIO())
    assert not DataExport.objects.exists()


def test_an_expired_export_loses_its_file_and_cannot_be_downloaded(lbpb, persona, settings):
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    user = persona("data_manager")
    _queries, export = queries_of_a_run(lbpb, user, Choice())
    path = Path(settings.MEDIA_ROOT) / export.file_path
    assert path.is_file()
    assert services.exports_expire(now=timezone.now() + timedelta(days=settings.DATA_EXPORT_KEEP_DAYS + 1)) == 1
    export.refresh_from_db()
    assert export.status == "expired" and not path.exists()
    with pytest.raises(ValidationError):
        services.export_download(export=export, user=user)
