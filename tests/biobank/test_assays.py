"""Assay results import: checked as a whole, problems with their line numbers, nothing applied on any problem."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from biobank.models import AssayResult

from .conftest import collect

HEADER = "specimen_id,analyte,value,unit,lod,run,date\n"


def _post(client, bank, text: str):
    client.force_login(bank.user)
    upload = SimpleUploadedFile("results.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("biobank:assay-import", args=[bank.world.study.code]), {"file": upload}, follow=True)


def test_a_file_naming_an_unknown_specimen_is_refused_whole_with_its_line(client, bank, make_persona):
    plasma = collect(bank, type_code="plasma")
    bank.user = make_persona("data_manager", all_sites=True)
    text = (
        HEADER + f"{plasma.label_id},IL-6,3.2,pg/mL,0.5,P1,2026-02-01\nalpha-XX000999,IL-6,1.0,pg/mL,,P1,2026-02-01\n"
    )
    page = _post(client, bank, text).content.decode()
    assert "line 3: unknown specimen alpha-XX000999" in page
    assert not AssayResult.objects.exists()


def test_a_good_file_is_imported_audited_and_shown_on_the_specimen(client, bank, make_persona):
    plasma = collect(bank, type_code="plasma")
    bank.user = make_persona("data_manager", all_sites=True)
    text = (
        HEADER
        + f"{plasma.label_id},IL-6,0.2,pg/mL,0.5,P1,2026-02-01\n{plasma.label_id},TNF-a,7.5,pg/mL,,P1,2026-02-01\n"
    )
    page = _post(client, bank, text).content.decode()
    assert "2 results imported." in page
    assert AuditEvent.objects.filter(action="import", object_type="biobank.assayresult").exists()
    detail = client.get(reverse("biobank:specimen-detail", args=[plasma.pk])).content.decode()
    assert "TNF-a" in detail and "&lt; LOD" in detail
    again = _post(client, bank, text).content.decode()
    assert "line 2: a result for" in again and AssayResult.objects.count() == 2


def test_bad_values_and_missing_columns_are_reported(client, bank, make_persona):
    bank.user = make_persona("data_manager", all_sites=True)
    assert "missing columns: lod, run, date" in _post(client, bank, "specimen_id,analyte,value,unit\n").content.decode()
    page = _post(
        client, bank, HEADER + "x,IL-6,nan,pg/mL,,P1,2026-02-01\ny,IL-6,1,pg/mL,,P1,01/02/2026\n"
    ).content.decode()
    assert "line 2: value and lod must be numbers" in page and "line 3: date" in page
