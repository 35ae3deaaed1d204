"""Shipment and cell-product pages through HTTP."""

from decimal import Decimal

import pytest
from django.urls import reverse

from biobank import services
from biobank.models import Shipment
from biobank.services import shipments

from .conftest import collect, make_visit
from .test_shipments_and_products import PASSING


@pytest.fixture
def pi(client, bank, make_persona):
    user = make_persona("pi")
    client.force_login(user)
    return user


def test_a_shipment_abroad_is_built_refused_without_approval_then_shipped(client, bank, pi):
    shipments.consent_uses_record(user=pi, participant=bank.world.participant_a, allows_transfer=True)
    specimen = collect(bank)
    created = client.post(
        reverse("biobank:shipment-list", args=[bank.world.study.code]),
        {"site": bank.world.site_a.pk, "destination": "Lab abroad", "abroad": "on"},
    )
    shipment = Shipment.objects.get()
    assert created.url == reverse("biobank:shipment-detail", args=[shipment.pk])
    url = created.url
    client.post(url, {"action": "add", "ids": f"{specimen.label_id}\n"})
    assert shipment.items.count() == 1
    unknown = client.post(url, {"action": "add", "ids": "nope-1"}, follow=True).content.decode()
    assert "Unknown specimen IDs: nope-1." in unknown
    refused = client.post(url, {"action": "ship", "temperature_c": -78}, follow=True).content.decode()
    assert "needs a recorded export approval" in refused
    client.post(url, {"action": "approve", "reference": "HGR-7", "date": "2026-01-02", "scope": "plasma"})
    client.post(url, {"action": "ship", "temperature_c": -78})
    shipment.refresh_from_db()
    assert shipment.status == "shipped"
    manifest = b"".join(client.get(reverse("biobank:shipment-manifest", args=[shipment.pk])).streaming_content)
    assert specimen.label_id.encode() in manifest


def test_a_coordinator_may_not_record_an_export_approval(client, bank):
    shipment = shipments.shipment_create(
        user=bank.user, study=bank.world.study, site=bank.world.site_a, destination="Abroad", abroad=True
    )
    client.force_login(bank.user)
    response = client.post(
        reverse("biobank:shipment-detail", args=[shipment.pk]),
        {"action": "approve", "reference": "X", "date": "2026-01-02"},
    )
    assert response.status_code == 403
    shipment.refresh_from_db()
    assert not shipment.has_approval


def test_a_failed_release_is_shown_and_dispensing_is_refused(client, bank):
    tissue = collect(bank, type_code="adipose_tissue", volume_ml=Decimal("150"))
    product = services.aliquot_split(
        user=bank.user, parent=tissue, type_code="cell_product", count=1, volume_ml=Decimal("2")
    )[0]
    client.force_login(bank.user)
    url = reverse("biobank:product-release", args=[product.pk])
    results = {f"result_{code}": value for code, value in (PASSING | {"mycoplasma": "positive"}).items()}
    page = client.post(url, {"lot": "L7", **results}, follow=True).content.decode()
    assert "Not released" in page
    visit = make_visit(bank.world.participant_a, "transplantation")
    refused = client.post(
        reverse("biobank:product-dispense", args=[product.pk]),
        {"visit": visit.pk, "transport_temperature_c": 4},
        follow=True,
    )
    assert "has not passed every release criterion" in refused.content.decode()
    product.refresh_from_db()
    assert product.status != "dispensed"
