"""The label PDF read back: its text (pypdf) and every barcode decoded from a rendering (pypdfium2 + zxing-cpp)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from biobank import services

from .conftest import collect

pypdf = pytest.importorskip("pypdf")
pdfium = pytest.importorskip("pypdfium2")
zxingcpp = pytest.importorskip("zxingcpp")
pytest.importorskip("reportlab")


def _read(pdf: bytes) -> tuple[str, list[tuple[str, str]]]:
    """The text, and the barcodes decoded from renderings at three resolutions (as a scanner retries)."""
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    page = pdfium.PdfDocument(pdf)[0]
    codes = set()
    for scale in (4, 8, 12):
        image = page.render(scale=scale).to_pil()
        codes |= {(str(r.format), r.text) for r in zxingcpp.read_barcodes(image)}
    return text, sorted(codes)


@pytest.fixture
def collection(bank):
    blood = collect(bank, volume_ml=Decimal("4"))
    aliquots = services.aliquot_split(user=bank.user, parent=blood, type_code="plasma", count=2, volume_ml=Decimal("1"))
    return [blood, *aliquots]


def test_the_label_sheet_of_a_collection_reads_back_text_and_barcodes(client, bank, collection):
    client.force_login(bank.user)
    response = client.get(reverse("biobank:specimen-labels", args=[collection[0].pk]), {"size": "51x25"})
    assert response["Content-Type"] == "application/pdf"
    text, codes = _read(response.content)
    ids = [s.label_id for s in collection]
    for specimen_id in ids:
        assert specimen_id in text
    assert "plasma · baseline · 2026-01-05" in text
    assert bank.world.participant_a.identifier not in text  # no personal data, not even the study ID
    assert codes == sorted([("Code 128", i) for i in ids] + [("Data Matrix", i) for i in ids])
    printed = AuditEvent.objects.get(action="export", object_type="biobank.specimen")
    assert printed.changes["labels_printed"][1] == ids


def test_the_smallest_labels_carry_the_id_in_the_datamatrix(bank, collection):
    pdf = services.labels_print(user=bank.user, specimens=collection, size="25x13")
    text, codes = _read(pdf)
    assert [c for c in codes if c[0] == "Data Matrix"] == sorted(("Data Matrix", s.label_id) for s in collection)


def test_an_unknown_size_is_a_clear_400(client, bank, collection):
    client.force_login(bank.user)
    response = client.get(reverse("biobank:specimen-labels", args=[collection[0].pk]), {"size": "99x99"})
    assert response.status_code == 400 and b"Unknown label size" in response.content
