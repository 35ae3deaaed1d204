"""The instrument library pages, REDCap data dictionary download and upload, and the start-up check."""

from dataclasses import fields, is_dataclass, replace
from pathlib import Path

import pytest
import yaml
from django.core import checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instruments import checks as instrument_checks
from instruments.definitions import LIBRARY_ROOT, Label, parse_definition
from instruments.expressions import Expression
from instruments.redcap_dd import read_data_dictionary, write_data_dictionary
from instruments.registry import get_instrument
from tests.downloads import download_text

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "redcap_phq9_demographics.csv"


def upload_url():
    return reverse("instruments:datadictionary-upload")


@pytest.fixture
def reader(client, alpha, make_persona):
    client.force_login(make_persona("monitor"))
    return client


@pytest.fixture
def loader(client, alpha, make_persona):
    """A data manager: the REDCap reader is for those who load protocols."""
    client.force_login(make_persona("data_manager"))
    return client


def test_the_redcap_reader_is_refused_to_roles_that_do_not_load_protocols(reader):
    assert reader.get(upload_url()).status_code == 403
    upload = SimpleUploadedFile("dd.csv", FIXTURE.read_bytes(), content_type="text/csv")
    assert reader.post(upload_url(), {"file": upload}).status_code == 403


def test_the_library_lists_instruments_and_versions(reader):
    html = reader.get(reverse("instruments:instrument-list")).content.decode()
    assert "Patient Health Questionnaire-9" in html and "36-Item Short Form Health Survey" in html
    assert reverse("instruments:instrument-detail", args=["phq9", "1.0"]) in html


def test_the_detail_shows_items_in_both_languages_with_licence_and_source(reader):
    html = reader.get(reverse("instruments:instrument-detail", args=["phq9", "1.0"])).content.decode()
    assert "Little interest or pleasure in doing things" in html and "做事时提不起劲或没有兴趣" in html
    assert "no permission required" in html and "J Gen Intern Med" in html
    assert reader.get(reverse("instruments:instrument-detail", args=["phq9", "9.9"])).status_code == 404
    assert reader.get(reverse("instruments:instrument-detail", args=["nope", "1.0"])).status_code == 404


def test_an_instrument_downloads_as_a_redcap_data_dictionary_that_reads_back(reader):
    response = reader.get(reverse("instruments:instrument-datadictionary", args=["psqi", "1.0"]))
    assert response["Content-Disposition"] == 'attachment; filename="psqi_1.0_redcap.csv"'
    [instrument] = read_data_dictionary(download_text(response))
    assert instrument.item_codes() == get_instrument("psqi").item_codes()


def translated(value):
    """``value`` (an Instrument and what it holds) with a Chinese text beside every English-only label."""
    if isinstance(value, Label):
        return Label(value.en, value.zh or f"中文 {value.en}")
    if isinstance(value, (tuple, list)):
        return type(value)(translated(one) for one in value)
    if isinstance(value, dict):
        return {key: translated(one) for key, one in value.items()}
    if is_dataclass(value) and not isinstance(value, type) and not isinstance(value, Expression):
        return replace(value, **{f.name: translated(getattr(value, f.name)) for f in fields(value)})
    return value


def bilingual_fixture() -> str:
    """The REDCap export with Chinese added in its @EDC tags, as the page needs for the bilingual library."""
    return write_data_dictionary(translated(read_data_dictionary(FIXTURE.read_text("utf-8-sig"), languages=("en",))))


def test_an_uploaded_data_dictionary_is_shown_and_offered_as_yaml(loader):
    reader = loader
    text = bilingual_fixture()
    upload = SimpleUploadedFile("dd.csv", text.encode(), content_type="text/csv")
    page = reader.post(upload_url(), {"file": upload})
    html = page.content.decode()
    assert 'data-form="phq9"' in html and 'data-form="demographics"' in html
    assert "dem_pregnant" in html and "&quot;item&quot;: &quot;dem_sex&quot;" in html
    download = reader.post(upload_url(), {"download": "phq9", "csv_text": text})
    assert download["Content-Disposition"] == 'attachment; filename="1.0.yaml"'
    instrument, problems = parse_definition(yaml.safe_load(download.content.decode()))
    [expected] = [one for one in read_data_dictionary(text) if one.code == "phq9"]
    assert instrument == expected
    assert problems == []
    assert "expression: sum(phq9_1, phq9_2," in download.content.decode()  # the REDCap calc, translated


def test_an_english_only_export_lists_every_row_without_chinese(loader):
    """The library is bilingual: a REDCap export (English only) is refused here, row by row, and not later by
    the server's start-up check."""
    upload = SimpleUploadedFile("dd.csv", FIXTURE.read_bytes(), content_type="text/csv")
    html = loader.post(upload_url(), {"file": upload}).content.decode()
    assert 'id="problems"' in html and 'data-form="phq9"' not in html
    assert "row 4 (dem_sex): missing zh label: Field Label, choice 1, choice 2" in html
    assert html.count("missing zh label") == 24  # every field row of the file


def test_a_broken_data_dictionary_lists_every_problem(loader):
    reader = loader
    text = FIXTURE.read_text(encoding="utf-8-sig").replace(",radio,", ",slider_of_doom,")
    html = reader.post(upload_url(), {"file": SimpleUploadedFile("dd.csv", text.encode())}).content.decode()
    assert 'id="problems"' in html and "slider_of_doom" in html
    html = reader.post(upload_url(), {"file": SimpleUploadedFile("dd.csv", b"a,b\n1,2\n")}).content.decode()
    assert "expected REDCap&#x27;s 18 columns" in html


def test_the_system_check_reports_a_broken_definition(tmp_path, monkeypatch):
    broken = tmp_path / "phq9"
    broken.mkdir()
    text = (LIBRARY_ROOT / "phq9" / "1.0.yaml").read_text(encoding="utf-8")
    (broken / "1.0.yaml").write_text(text.replace("type: single_choice", "type: slider", 1), encoding="utf-8")
    monkeypatch.setattr(instrument_checks, "library_root", lambda: tmp_path)
    errors = [error for error in checks.run_checks() if error.id == "instruments.E001"]
    assert errors and all(error.level == checks.ERROR for error in errors)
    assert any("items[0].type" in error.msg and "slider" in error.msg for error in errors)
    monkeypatch.setattr(instrument_checks, "library_root", lambda: LIBRARY_ROOT)
    assert not [error for error in checks.run_checks() if error.id == "instruments.E001"]
